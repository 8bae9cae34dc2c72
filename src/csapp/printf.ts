// C's printf formatting, byte for byte as the C library (glibc) does it:
// the conversions d i u o x X c s p f F e E g G a A m %, the flags - + space 0 #,
// widths and precisions (also '*'), and the length modifiers hh h l ll j z t
// L q. Internal to the CSAPP layer: stdio.ts gives printf, sprintf, ...
//
// The text is built as a "byte string" (one char per byte, 0..255), so that
// widths and precisions count bytes as C does; a JS string given to %s goes
// in as its UTF-8 bytes.
import { errno, strerror } from '../sys/index.js';
import { kind } from './kind.js';

// No state shared between calls (a regex's lastIndex, a scratch array): a
// pthread may format while another one is between two steps of its own.
const CONVERSION = /%([-+ 0#]*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?(hh|h|ll|l|j|z|t|L|q)?(.?)/.source;

/** The 64 bits of the double x. */
function bits_of(x: number): bigint {
  return new BigUint64Array(new Float64Array([x]).buffer)[0];
}

/** A JS string as a byte string of its UTF-8 encoding. */
export function utf8_bytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `${kind(v)} (${String(v)}${typeof v === 'bigint' ? 'n' : ''})`;
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)})`;
  return kind(v);
}

/**
 * Formats args by fmt as C's printf does; `fn` names the caller in errors.
 * Returns a byte string. A missing argument, one too many, or one of the
 * wrong type is a TypeError that names the conversion.
 */
export function format(fn: string, fmt: string, args: readonly unknown[]): string {
  if (typeof fmt !== 'string') throw new TypeError(`${fn}: the format must be a string (got ${kind(fmt)})`);
  const conversion = new RegExp(CONVERSION, 'y');
  let out = '';
  let next = 0; // the next argument
  let count = 0; // conversions seen, for messages
  let i = 0;
  const take = (spec: string, what: string): unknown => {
    if (next >= args.length) {
      throw new TypeError(`${fn}: ${spec} (conversion ${count} of the format) has no argument: ` +
        `pass ${what} after the format`);
    }
    return args[next++];
  };
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out += utf8_bytes(fmt.slice(i));
      break;
    }
    if (pct > i) out += utf8_bytes(fmt.slice(i, pct));
    conversion.lastIndex = pct;
    const m = conversion.exec(fmt)!; // always matches: every part is optional
    const conv = m[5];
    const spec = m[0];
    i = pct + spec.length;
    if (conv === '%') {
      out += '%';
      continue;
    }
    count++;
    if (conv === '' || !'diouxXcspfFeEgGaAm'.includes(conv)) {
      const shown = conv === '' ? `"${spec}" at the end` : `"${spec}"`;
      const hint = conv === 'n' ? ' (%n is not supported)' : '';
      throw new TypeError(`${fn}: ${shown} is not a conversion printf knows${hint}; write %% for a '%'`);
    }
    const flags = m[1];
    const f: Spec = {
      left: flags.includes('-'), plus: flags.includes('+'), space: flags.includes(' '),
      zero: flags.includes('0'), alt: flags.includes('#'), width: 0, prec: -1,
    };
    if (m[2] === '*') {
      const w = take(spec, `an int for the '*' width`);
      if (typeof w !== 'number' || !Number.isInteger(w)) {
        throw new TypeError(`${fn}: the '*' width of ${spec} wants an integer (got ${describe(w)})`);
      }
      if (w < 0) {
        f.left = true;
        f.width = -w;
      } else {
        f.width = w;
      }
    } else if (m[2] !== undefined) {
      f.width = Number(m[2]);
    }
    if (m[3] === '*') {
      const p = take(spec, `an int for the '*' precision`);
      if (typeof p !== 'number' || !Number.isInteger(p)) {
        throw new TypeError(`${fn}: the '*' precision of ${spec} wants an integer (got ${describe(p)})`);
      }
      f.prec = p < 0 ? -1 : p; // a negative precision is taken as if it were left out
    } else if (m[3] !== undefined) {
      f.prec = m[3] === '' ? 0 : Number(m[3]);
    }
    if (f.width > 1e6 || f.prec > 1e6) throw new RangeError(`${fn}: ${spec}: a width or precision above 1000000`);
    const len = m[4] ?? '';
    const where = `${fn}: ${spec} (argument ${next + 1})`;
    switch (conv) {
      case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
        out += integer(f, conv, len, take(spec, 'an integer'), where);
        break;
      case 'c':
        out += pad(f, character(take(spec, 'a char code or a 1-character string'), where));
        break;
      case 's':
        out += pad(f, string(take(spec, 'a string or a Uint8Array'), f.prec, where));
        break;
      case 'p':
        out += pointer(f, take(spec, 'an address (a number)'), where);
        break;
      case 'm': // glibc's: strerror(errno), no argument
        out += pad(f, string(strerror(errno()), f.prec, where));
        break;
      default:
        out += floating(f, conv, take(spec, 'a number'), where);
    }
  }
  if (next < args.length) {
    throw new TypeError(`${fn}: ${args.length} argument${args.length === 1 ? '' : 's'} after the format, ` +
      `which takes ${next}: argument ${next + 1} is ${describe(args[next])}, for no conversion`);
  }
  return out;
}

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  alt: boolean;
  width: number;
  /** -1: none given. */
  prec: number;
}

/** Spaces to the width, on the left or (flag '-') the right. */
function pad(f: Spec, s: string): string {
  if (s.length >= f.width) return s;
  return f.left ? s.padEnd(f.width, ' ') : s.padStart(f.width, ' ');
}

/** The sign and the digits, padded as C pads a number: zeros go after the sign. */
function number(f: Spec, sign: string, body: string, zero: boolean): string {
  if (zero && !f.left && sign.length + body.length < f.width) body = body.padStart(f.width - sign.length, '0');
  return pad(f, sign + body);
}

const INT_BITS: Record<string, number> = { hh: 8, h: 16, '': 32, l: 64, ll: 64, j: 64, z: 64, t: 64, q: 64, L: 64 };

function integer(f: Spec, conv: string, len: string, v: unknown, where: string): string {
  const signed = conv === 'd' || conv === 'i';
  let n: bigint;
  if (typeof v === 'bigint') {
    n = v;
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    n = BigInt(v);
  } else if (typeof v === 'boolean') {
    n = v ? 1n : 0n;
  } else {
    const hint = typeof v === 'number' ? `; %f prints a fraction` : typeof v === 'string' ? `; %s prints a string` : '';
    throw new TypeError(`${where} wants an integer or a bigint, got ${describe(v)}${hint}`);
  }
  // What C receives: an int (hh and h promote to int) or a 64-bit long.
  const wide = INT_BITS[len] === 64;
  const lo = wide ? -(1n << 63n) : -(1n << 31n);
  const hi = wide ? (1n << 64n) - 1n : (1n << 32n) - 1n;
  if (n < lo || n > hi) {
    throw new RangeError(`${where}: ${String(v)} does not fit in ${wide ? 'a long' : `an int; use %l${conv}`}`);
  }
  // Then the conversion reads it as its own type, as C does.
  const bits = INT_BITS[len];
  n = signed ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
  let digits = f.prec === 0 && abs === 0n ? '' : abs.toString(base);
  if (conv === 'X') digits = digits.toUpperCase();
  if (f.prec > digits.length) digits = digits.padStart(f.prec, '0');
  let sign = signed ? (neg ? '-' : f.plus ? '+' : f.space ? ' ' : '') : '';
  if (f.alt && conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
  if (f.alt && abs !== 0n && (conv === 'x' || conv === 'X')) sign = conv === 'x' ? '0x' : '0X';
  return number(f, sign, digits, f.zero && f.prec < 0);
}

function character(v: unknown, where: string): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String.fromCharCode(v & 0xff); // C: (unsigned char) v
  if (typeof v === 'string' && v.length > 0 && [...v].length === 1) return utf8_bytes(v);
  throw new TypeError(`${where} wants a char code (a number, like 65 or 'A'.charCodeAt(0)) or a 1-character string, got ${describe(v)}`);
}

function string(v: unknown, prec: number, where: string): string {
  let s: string;
  if (typeof v === 'string') {
    s = utf8_bytes(v);
  } else if (v instanceof Uint8Array) {
    // C's char buffer: the bytes up to its NUL (or its end), at most prec of them.
    const limit = prec >= 0 ? Math.min(prec, v.length) : v.length;
    let end = v.indexOf(0);
    if (end < 0 || end > limit) end = limit;
    return Buffer.from(v.buffer, v.byteOffset, end).toString('latin1');
  } else if (v === null) {
    s = '(null)'; // glibc's, for a NULL char *
  } else {
    throw new TypeError(`${where} wants a string or a Uint8Array (a char buffer), got ${describe(v)}` +
      (typeof v === 'number' ? '; %d prints a number' : ''));
  }
  return prec >= 0 && s.length > prec ? s.slice(0, prec) : s;
}

function pointer(f: Spec, v: unknown, where: string): string {
  if (v === null || v === 0 || v === 0n) return pad(f, '(nil)'); // glibc's, for NULL
  if ((typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'bigint' && v > 0n)) {
    const n = BigInt(v);
    if (n < 1n << 64n) return integer({ ...f, alt: true }, 'x', 'l', n, where);
  }
  throw new TypeError(`${where} wants an address: a positive integer or a bigint (TypeScript has no pointers), got ${describe(v)}`);
}

// ---- floating point: the exact decimal value of the double, rounded to
// nearest with ties to even, as glibc does (JS's toFixed rounds ties up).

/** x > 0, finite: x = mant * 2^exp exactly. */
function decompose(x: number): { mant: bigint; exp: number } {
  const bits = bits_of(x);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & ((1n << 52n) - 1n);
  return e === 0 ? { mant: m, exp: -1074 } : { mant: m | (1n << 52n), exp: e - 1075 };
}

/** num / den rounded to nearest, ties to even. */
function div_round(num: bigint, den: bigint): bigint {
  let q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q++;
  return q;
}

/** round(x * 10^scale) for x >= 0 (scale may be negative). */
function scaled(x: number, scale: number): bigint {
  if (x === 0) return 0n;
  const { mant, exp } = decompose(x);
  let num = mant;
  let den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else den *= 10n ** BigInt(-scale);
  return div_round(num, den);
}

/** %f's text of x >= 0 with prec digits after the point. */
function fixed(x: number, prec: number, alt: boolean): string {
  const d = scaled(x, prec).toString();
  if (prec === 0) return alt ? `${d}.` : d;
  const s = d.padStart(prec + 1, '0');
  return `${s.slice(0, s.length - prec)}.${s.slice(s.length - prec)}`;
}

/** x >= 0 rounded to prec + 1 significant digits: the digits and the decimal exponent of the first. */
function significant(x: number, prec: number): { digits: string; exp: number } {
  if (x === 0) return { digits: '0'.repeat(prec + 1), exp: 0 };
  let e = Math.floor(Math.log10(x)); // may be one off: corrected below
  for (;;) {
    const digits = scaled(x, prec - e).toString();
    if (digits.length > prec + 1) e++;
    else if (digits.length < prec + 1) e--;
    else return { digits, exp: e };
  }
}

/** %e's text of x >= 0. */
function exponential(x: number, prec: number, alt: boolean, upper: boolean): string {
  const { digits, exp } = significant(x, prec);
  return e_text(digits, exp, alt, upper);
}

function e_text(digits: string, exp: number, alt: boolean, upper: boolean): string {
  const point = digits.length > 1 || alt ? '.' : '';
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${digits[0]}${point}${digits.slice(1)}${upper ? 'E' : 'e'}${e}`;
}

/** %g's text of x >= 0: %e or %f by the exponent, trailing zeros removed unless '#'. */
function general(x: number, prec: number, alt: boolean, upper: boolean): string {
  const p = prec < 0 ? 6 : prec === 0 ? 1 : prec;
  const { digits, exp } = significant(x, p - 1);
  let s = p > exp && exp >= -4 ? fixed(x, p - 1 - exp, alt) : e_text(digits, exp, alt, upper);
  if (!alt) {
    const e = s.search(/[eE]/);
    let mant = e < 0 ? s : s.slice(0, e);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    s = e < 0 ? mant : mant + s.slice(e);
  }
  return s;
}

/**
 * %a's text of x >= 0 after the 0x: glibc's, the leading digit 1 (0 for a
 * subnormal, which keeps the exponent -1022), then the 52 bits of the
 * fraction in hex, rounded to prec digits (ties to even; 0x1.f rounds up to
 * 0x2.0, as glibc leaves it), or as few as show it exactly.
 */
function hexadecimal(x: number, prec: number, alt: boolean): string {
  const bits = bits_of(x);
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  let lead = e === 0 ? 0n : 1n;
  const exp = e === 0 ? (frac === 0n ? 0 : -1022) : e - 1023;
  let digits: string;
  if (prec < 0) {
    digits = frac === 0n ? '' : frac.toString(16).padStart(13, '0').replace(/0+$/, '');
  } else if (prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    let q = frac >> shift;
    const r2 = (frac & ((1n << shift) - 1n)) * 2n;
    const last = prec === 0 ? lead : q; // the digit a tie rounds to even
    if (r2 > 1n << shift || (r2 === 1n << shift && (last & 1n) === 1n)) q++;
    if (q >> BigInt(prec * 4) !== 0n) { // carried into the leading digit
      lead++;
      q = 0n;
    }
    digits = prec === 0 ? '' : q.toString(16).padStart(prec, '0');
  } else {
    digits = frac.toString(16).padStart(13, '0').padEnd(prec, '0');
  }
  const point = digits !== '' || alt ? '.' : '';
  return `${lead}${point}${digits}p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

function floating(f: Spec, conv: string, v: unknown, where: string): string {
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else throw new TypeError(`${where} wants a number, got ${describe(v)}`);
  const neg = bits_of(x) >> 63n === 1n; // -0 and -nan too, as C shows them
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  const upper = conv === 'F' || conv === 'E' || conv === 'G' || conv === 'A';
  if (!Number.isFinite(x)) {
    const text = Number.isNaN(x) ? 'nan' : 'inf';
    return pad(f, sign + (upper ? text.toUpperCase() : text)); // no zero padding
  }
  const a = Math.abs(x);
  const prec = f.prec < 0 ? 6 : f.prec;
  let body: string;
  if (conv === 'a' || conv === 'A') {
    const text = hexadecimal(a, f.prec, f.alt); // zeros go after the 0x
    return number(f, sign + (conv === 'A' ? '0X' : '0x'), conv === 'A' ? text.toUpperCase() : text, f.zero);
  }
  if (conv === 'f' || conv === 'F') body = fixed(a, prec, f.alt);
  else if (conv === 'e' || conv === 'E') body = exponential(a, prec, f.alt, upper);
  else body = general(a, f.prec, f.alt, upper);
  return number(f, sign, body, f.zero);
}
