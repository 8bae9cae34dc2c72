// C's <string.h> (and strcasecmp, of <strings.h>) for char buffers: what a
// ported program needs between a NUL-terminated Uint8Array and a string.
import { kind } from './kind.js';

const encoder = new TextEncoder();

/**
 * strlen(s): the count of bytes before the first 0 byte (all of them if
 * there is none). Of a string, the count of its UTF-8 bytes (up to a '\0'),
 * what C's strlen says of the same text.
 */
export function strlen(s: Uint8Array | string): number {
  if (typeof s === 'string') {
    const nul = s.indexOf('\0');
    return encoder.encode(nul < 0 ? s : s.slice(0, nul)).length;
  }
  if (!(s instanceof Uint8Array)) throw new TypeError(`strlen: s must be a Uint8Array (a C char buffer) or a string, got ${kind(s)}`);
  const n = s.indexOf(0);
  return n < 0 ? s.length : n;
}

/** The bytes of a C string: a buffer up to its 0 byte, or a string's UTF-8 bytes up to a '\0'. */
function c_bytes(fn: string, s: Uint8Array | string, which: string): Uint8Array {
  if (typeof s === 'string') {
    const nul = s.indexOf('\0');
    return encoder.encode(nul < 0 ? s : s.slice(0, nul));
  }
  if (!(s instanceof Uint8Array)) throw new TypeError(`${fn}: ${which} must be a Uint8Array (a C char buffer) or a string, got ${kind(s)}`);
  const n = s.indexOf(0);
  return n < 0 ? s : s.subarray(0, n);
}

// C's comparison: unsigned bytes, the shorter string first when one is the
// start of the other; the result's sign is all that C promises.
function compare(fn: string, s1: Uint8Array | string, s2: Uint8Array | string, fold: boolean): number {
  const a = c_bytes(fn, s1, 's1'), b = c_bytes(fn, s2, 's2');
  const lower = (c: number) => (fold && c >= 65 && c <= 90 ? c + 32 : c); // the C locale's tolower
  for (let i = 0; ; i++) {
    const ca = i < a.length ? lower(a[i]) : 0;
    const cb = i < b.length ? lower(b[i]) : 0;
    if (ca !== cb || ca === 0) return ca - cb;
  }
}

/** strcmp(s1, s2): < 0, 0 or > 0 as s1 sorts before, equal to, or after s2 (byte by byte, up to the 0 byte). */
export function strcmp(s1: Uint8Array | string, s2: Uint8Array | string): number {
  return compare('strcmp', s1, s2, false);
}

/** strcasecmp(s1, s2) (<strings.h>): strcmp ignoring the case of ASCII letters; `if (strcasecmp(method, "GET"))` ports as it is. */
export function strcasecmp(s1: Uint8Array | string, s2: Uint8Array | string): number {
  return compare('strcasecmp', s1, s2, true);
}
