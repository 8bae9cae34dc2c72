// Output the way the C programs do it: straight to the fd, in full, in order
// with everything else written to it (no stream buffer that a crash, a
// signal or a fork could lose or double). The formatting is C's (printf.ts).
import { write, errno, EINTR, EAGAIN, STDOUT_FILENO, STDERR_FILENO } from '../sys/index.js';
import { format } from './printf.js';
import { kind } from './kind.js';

const encoder = new TextEncoder();

/** Writes all of bytes to fd: their count, or -1 with errno (EPIPE: the reader is gone). */
function write_all(fd: number, bytes: Uint8Array): number {
  let off = 0;
  while (off < bytes.length) {
    const n = write(fd, off === 0 ? bytes : bytes.subarray(off), bytes.length - off);
    if (n < 0) {
      if (errno() === EINTR) continue;
      // A non-blocking stdout (a terminal Node made non-blocking): wait a little.
      if (errno() === EAGAIN) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
      return -1;
    }
    off += n;
  }
  return bytes.length;
}

/** A byte string (one char per byte) as bytes. */
function bytes_of(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** A byte string as a JS string: its bytes decoded as UTF-8. */
function text_of(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'latin1').toString('utf8');
}

/** Writes all of text to fd (C's fputs on an unbuffered stream). */
export function fputs(text: string, fd: number): void {
  write_all(fd, encoder.encode(text));
}

/** The fd of fprintf's stream: an fd, or process.stdout / process.stderr. */
function stream_fd(fn: string, stream: unknown): number {
  if (typeof stream === 'number' && Number.isInteger(stream)) return stream;
  const fd = (stream as { fd?: unknown } | null)?.fd;
  if (typeof fd === 'number' && (stream === process.stdout || stream === process.stderr)) return fd;
  throw new TypeError(`${fn}: the stream must be an fd (STDOUT_FILENO, STDERR_FILENO, a socket...) ` +
    `or process.stdout / process.stderr, got ${kind(stream)}`);
}

/**
 * The text for fd: printf(text) alone writes text as it is (a template
 * literal, whose values may hold a '%'); with arguments, text is C's format.
 */
function output(fn: string, fd: number, fmt: string, args: unknown[]): number {
  if (typeof fmt !== 'string') throw new TypeError(`${fn}: the format must be a string, got ${kind(fmt)}`);
  if (args.length === 0) return write_all(fd, encoder.encode(fmt));
  return write_all(fd, bytes_of(format(fn, fmt, args)));
}

/**
 * printf(format, ...args): C's printf, written straight to fd 1. The count of
 * bytes, or -1 with errno. With no arguments the text is written as it is:
 * printf(`${n} bytes\n`) works as before.
 */
export function printf(fmt: string, ...args: unknown[]): number {
  return output('printf', STDOUT_FILENO, fmt, args);
}

/** fprintf(stream, format, ...args): printf to an fd or to process.stdout / process.stderr. */
export function fprintf(stream: number | NodeJS.WriteStream, fmt: string, ...args: unknown[]): number {
  return output('fprintf', stream_fd('fprintf', stream), fmt, args);
}

/** dprintf(fd, format, ...args): POSIX's printf to an fd. */
export function dprintf(fd: number, fmt: string, ...args: unknown[]): number {
  return output('dprintf', stream_fd('dprintf', fd), fmt, args);
}

/** eprintf(format, ...args): printf to stderr. */
export function eprintf(fmt: string, ...args: unknown[]): number {
  return output('eprintf', STDERR_FILENO, fmt, args);
}

function check_buffer(fn: string, buf: unknown): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) {
    throw new TypeError(`${fn}: buf must be a Uint8Array (C's char buf[...]: new Uint8Array(MAXLINE)), got ${kind(buf)}`);
  }
}

/**
 * sprintf(format, ...args): the formatted text, as a string.
 * sprintf(buf, format, ...args): as C, writes it into buf with a 0 byte after
 * it and returns its length in bytes; a RangeError if buf is too small (where
 * C would overflow it: snprintf is the safe one).
 */
export function sprintf(fmt: string, ...args: unknown[]): string;
export function sprintf(buf: Uint8Array, fmt: string, ...args: unknown[]): number;
export function sprintf(first: string | Uint8Array, ...rest: unknown[]): string | number {
  if (typeof first === 'string') return text_of(format('sprintf', first, rest));
  check_buffer('sprintf', first);
  const s = format('sprintf', rest[0] as string, rest.slice(1));
  if (s.length + 1 > first.length) {
    throw new RangeError(`sprintf: ${s.length} bytes and the 0 byte do not fit in buf (${first.length} bytes); snprintf cuts them`);
  }
  first.set(bytes_of(s));
  first[s.length] = 0;
  return s.length;
}

/**
 * snprintf(buf, size, format, ...args): writes at most size - 1 bytes of the
 * text into buf and a 0 byte after them (nothing if size is 0); returns the
 * length of the whole text, as C: a result >= size means it was cut.
 */
export function snprintf(buf: Uint8Array, size: number, fmt: string, ...args: unknown[]): number {
  check_buffer('snprintf', buf);
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`snprintf: size must be a non-negative integer, got ${String(size)}`);
  if (size > buf.length) throw new RangeError(`snprintf: size ${size} is larger than buf (${buf.length} bytes)`);
  const s = format('snprintf', fmt, args);
  if (size > 0) {
    const n = Math.min(s.length, size - 1);
    buf.set(bytes_of(n === s.length ? s : s.slice(0, n)));
    buf[n] = 0;
  }
  return s.length;
}
