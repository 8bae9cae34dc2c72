// C's sscanf for the conversions lab programs use: d i u o x X c s [...] n %,
// f e g (and E G a), with '*' (assignment suppressed), widths and the length
// modifiers hh h l ll j z t L q. What C receives as a pointer (&n, a char
// buffer) is a cell ({ value }) or, for the text conversions, a Uint8Array.
import type { Cell } from '../sys/index.js';
import { utf8_bytes } from './printf.js';
import { kind } from './kind.js';

/** C's EOF: what sscanf returns when the input ends before the first conversion. */
export const EOF = -1;

// The conversion's regex is made for each call (its lastIndex is state, and a
// pthread may scan while another is between two steps); the rest are anchored.
const CONVERSION = /%(\*)?([0-9]+)?(hh|h|ll|l|j|z|t|L|q)?(\[\^?\]?[^\]]*\]|.?)/.source;
const SPACE = /[ \t\n\v\f\r]/;

const NUMBER: Record<string, RegExp> = {
  d: /^[+-]?[0-9]+/,
  u: /^[+-]?[0-9]+/,
  i: /^[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/,
  o: /^[+-]?[0-7]+/,
  x: /^[+-]?(?:0[xX])?[0-9a-fA-F]+/,
  f: /^[+-]?(?:inf(?:inity)?|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/i,
};
const FLOAT = 'feEgGaA';

type Target = Cell<unknown> | Uint8Array;

function is_cell(t: unknown): t is Cell<unknown> {
  return typeof t === 'object' && t !== null && !ArrayBuffer.isView(t) && 'value' in t;
}

/** The set of a %[...] conversion as a test on one character. */
function scanset(spec: string): (ch: string) => boolean {
  let body = spec.slice(1, -1);
  const negate = body.startsWith('^');
  if (negate) body = body.slice(1);
  const chars = new Set<string>();
  for (let k = 0; k < body.length; k++) {
    // a-z is a range unless '-' comes first or last (glibc's reading)
    if (body[k + 1] === '-' && k + 2 < body.length && body[k + 2] >= body[k]) {
      for (let c = body.charCodeAt(k); c <= body.charCodeAt(k + 2); c++) chars.add(String.fromCharCode(c));
      k += 2;
    } else {
      chars.add(body[k]);
    }
  }
  return (ch) => chars.has(ch) !== negate;
}

/**
 * sscanf(str, format, ...targets): reads str as C's sscanf does. Numbers go
 * into cells (const n = cell(0); sscanf(buf, '%d', n): n.value); text goes
 * into a cell (a string) or a Uint8Array (the bytes and, for %s and %[, a 0
 * byte). str may be a string or a Uint8Array read up to its 0 byte. Returns
 * the count of targets assigned, or EOF (-1) if the input ended before any
 * was assigned. A target missing, left over or of the wrong kind is a
 * TypeError naming the conversion.
 */
export function sscanf(str: string | Uint8Array, fmt: string, ...targets: Target[]): number {
  let s: string;
  if (typeof str === 'string') {
    s = utf8_bytes(str);
  } else if (str instanceof Uint8Array) {
    const end = str.indexOf(0);
    s = Buffer.from(str.buffer, str.byteOffset, end < 0 ? str.length : end).toString('latin1');
  } else {
    throw new TypeError(`sscanf: str must be a string or a Uint8Array (a C char buffer), got ${kind(str)}`);
  }
  if (typeof fmt !== 'string') throw new TypeError(`sscanf: the format must be a string, got ${kind(fmt)}`);
  check_targets(fmt, targets);
  const conversion = new RegExp(CONVERSION, 'y');

  let pos = 0;
  let assigned = 0;
  let next = 0;
  // The input ended where the format wanted more: EOF if nothing was assigned yet (glibc's count).
  const input_failure = () => (assigned === 0 ? EOF : assigned);
  for (let i = 0; i < fmt.length;) {
    const ch = fmt[i];
    if (SPACE.test(ch)) { // any run of white space matches any, or none
      while (i < fmt.length && SPACE.test(fmt[i])) i++;
      while (pos < s.length && SPACE.test(s[pos])) pos++;
      continue;
    }
    if (ch !== '%') { // an ordinary character matches itself (its UTF-8 bytes)
      const c = String.fromCodePoint(fmt.codePointAt(i)!);
      const b = utf8_bytes(c);
      if (pos >= s.length) return input_failure();
      if (s.slice(pos, pos + b.length) !== b) return assigned;
      pos += b.length;
      i += c.length;
      continue;
    }
    conversion.lastIndex = i;
    const m = conversion.exec(fmt)!;
    i += m[0].length;
    const suppress = m[1] === '*';
    const width = m[2] !== undefined ? Number(m[2]) : Infinity;
    const len = m[3] ?? '';
    const conv = m[4];
    if (conv !== 'c' && conv[0] !== '[' && conv !== 'n') {
      while (pos < s.length && SPACE.test(s[pos])) pos++;
    }
    if (conv === '%') {
      if (pos >= s.length) return input_failure();
      if (s[pos] !== '%') return assigned;
      pos++;
      continue;
    }
    if (conv === 'n') {
      if (!suppress) store(targets[next++], pos, '', 'n');
      continue;
    }
    if (pos >= s.length) return input_failure();
    const rest = width === Infinity ? s.slice(pos) : s.slice(pos, pos + width);
    let text: string;
    if (conv === 'c') {
      text = rest.slice(0, width === Infinity ? 1 : width); // glibc: fewer at the end will do
    } else if (conv === 's') {
      text = /^[^ \t\n\v\f\r]*/.exec(rest)![0];
    } else if (conv[0] === '[') {
      const inset = scanset(conv);
      let k = 0;
      while (k < rest.length && inset(rest[k])) k++;
      text = rest.slice(0, k);
      if (text === '') return assigned;
    } else {
      const re = FLOAT.includes(conv) ? NUMBER.f : NUMBER[conv.toLowerCase() === 'x' ? 'x' : conv];
      const found = re.exec(rest);
      if (!found) return assigned;
      text = found[0];
    }
    pos += text.length;
    if (suppress) continue;
    const t = targets[next++];
    if (conv === 'c' || conv === 's' || conv[0] === '[') store(t, text, text, conv);
    else if (FLOAT.includes(conv)) store(t, Number(text.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')), '', conv);
    else store(t, integer(text, conv, len), '', conv);
    assigned++;
  }
  return assigned;
}

/** The value of an integer's text, read as C stores it in the type of the length modifier. */
function integer(text: string, conv: string, len: string): number | bigint {
  const neg = text.startsWith('-');
  let digits = text.replace(/^[+-]/, '');
  let base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  if (conv === 'i') base = /^0[xX]/.test(digits) ? 16 : digits.startsWith('0') && digits.length > 1 ? 8 : 10;
  if (base === 16) digits = digits.replace(/^0[xX]/, '');
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '';
  let n = BigInt(prefix + digits);
  if (neg) n = -n;
  const bits = len === 'hh' ? 8 : len === 'h' ? 16 : len === '' ? 32 : 64;
  n = conv === 'd' || conv === 'i' ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n);
  return bits === 64 && (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) ? n : Number(n);
}

function store(t: Target, value: unknown, bytes: string, conv: string): void {
  if (t instanceof Uint8Array) {
    const nul = conv === 'c' ? 0 : 1; // %c stores no 0 byte, as in C
    if (bytes.length + nul > t.length) {
      throw new RangeError(`sscanf: %${conv}: ${bytes.length} bytes${nul ? ' and the 0 byte' : ''} do not fit in a ` +
        `buffer of ${t.length} (a width, as in %${Math.max(t.length - nul, 1)}s, bounds them)`);
    }
    t.set(Buffer.from(bytes, 'latin1'));
    if (nul) t[bytes.length] = 0;
  } else {
    // text into a cell: the bytes read as UTF-8
    (t as Cell<unknown>).value = typeof value === 'string' ? Buffer.from(value, 'latin1').toString('utf8') : value;
  }
}

/** Every conversion that stores has its target, of the right kind, and none is left over. */
function check_targets(fmt: string, targets: readonly unknown[]): void {
  const conversion = new RegExp(CONVERSION, 'y');
  let next = 0;
  for (let i = fmt.indexOf('%'); i >= 0; i = fmt.indexOf('%', i)) {
    conversion.lastIndex = i;
    const m = conversion.exec(fmt)!;
    i += m[0].length;
    const conv = m[4];
    if (conv === '%') continue;
    if (conv === '' || !(conv[0] === '[' || 'diuoxXcsnfeEgGaA'.includes(conv))) {
      throw new TypeError(`sscanf: "${m[0]}" is not a conversion sscanf knows; write %% for a '%'`);
    }
    if (m[1] === '*') continue;
    const t = targets[next++];
    const where = `sscanf: ${m[0]} (argument ${next + 2})`;
    const text = conv === 'c' || conv === 's' || conv[0] === '[';
    if (next > targets.length) {
      throw new TypeError(`${where} has nothing to store into: pass ${text ? 'a cell or a Uint8Array' : 'a cell, e.g. cell(0)'}`);
    }
    if (is_cell(t) || (text && t instanceof Uint8Array)) continue;
    throw new TypeError(`${where} stores into ${text ? 'a cell (a string) or a Uint8Array' : 'a cell'}: ` +
      `const x = cell(${text ? "''" : '0'}); sscanf(buf, '${m[0]}', x); then x.value (C's &x), got ${kind(t)}`);
  }
  if (next < targets.length) {
    throw new TypeError(`sscanf: ${targets.length} targets after the format, which stores ${next}: ` +
      `argument ${next + 3} (${kind(targets[next])}) matches no conversion`);
  }
}
