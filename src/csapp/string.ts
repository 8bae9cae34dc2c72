// C's <string.h> for char buffers: what a ported program needs between a
// NUL-terminated Uint8Array and a string.
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
