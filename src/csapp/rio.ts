// Robust I/O (CSAPP's RIO): rio_readn / rio_writen move exactly n bytes
// unless EOF; rio_readlineb / rio_readnb read through an internal buffer.
import { read, write, errno, EINTR, type Bytes } from '../sys/index.js';
import { check, unix_error } from './errors.js';
import { kind, wanted } from './kind.js';

export const RIO_BUFSIZE = 8192;
/** csapp.h's line and buffer sizes. */
export const MAXLINE = 8192;
export const MAXBUF = 8192;

/** struct rio_t: an fd and its read buffer. */
export class rio_t {
  rio_fd = -1;
  /** Unread bytes in rio_buf. */
  rio_cnt = 0;
  /** Index of the next unread byte in rio_buf (C's rio_bufptr). */
  rio_bufptr = 0;
  rio_buf = new Uint8Array(RIO_BUFSIZE);
}

function bytesOf(buf: Bytes): Uint8Array {
  return buf instanceof Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

// What a student passes by mistake (a string, a number, an fd for a rio_t)
// is a TypeError that says what goes there, before anything is read.
function check_buffer(fn: string, buf: unknown, uint8 = false): void {
  if (uint8 ? buf instanceof Uint8Array : ArrayBuffer.isView(buf)) return;
  const hint = typeof buf === 'string' && !fn.endsWith('writen')
    ? `for a line as a string: ${fn[0] === 'R' ? 'Rio' : 'rio'}_readline(rp)`
    : "C's char buf[MAXLINE] is new Uint8Array(MAXLINE)";
  throw new TypeError(wanted(`${fn}: usrbuf must be a Uint8Array`, kind(buf), hint));
}

function check_rio(fn: string, rp: unknown): void {
  if (!(rp instanceof rio_t)) {
    throw new TypeError(wanted(`${fn}: rp must be a rio_t`, kind(rp), 'const rio = new rio_t(); Rio_readinitb(rio, fd)'));
  }
  // Its fields are public, as in C: a state that no read could have left
  // (a NaN count, a pointer past the buffer) would make the loops below spin
  // or read outside rio_buf, so it is refused before any of them runs.
  const { rio_buf: buf, rio_cnt: cnt, rio_bufptr: ptr } = rp;
  if (!(buf instanceof Uint8Array) || buf.length === 0) {
    throw new TypeError(`${fn}: rp.rio_buf must be a Uint8Array\n  re-initialize rp with Rio_readinitb(rp, fd)`);
  }
  // rio_cnt is -1 after a failed read, as in C: the next call reads again.
  if (!Number.isInteger(cnt) || !Number.isInteger(ptr) || cnt < -1 || ptr < 0 || ptr + cnt > buf.length) {
    throw new RangeError(`${fn}: rp is corrupt (rio_cnt ${cnt}, rio_bufptr ${ptr}, ${buf.length}-byte rio_buf)\n` +
      '  re-initialize rp with Rio_readinitb(rp, fd)');
  }
}

function check_fd(fn: string, fd: unknown): void {
  if (!Number.isInteger(fd)) throw new TypeError(wanted(`${fn}: fd must be a file descriptor (an integer)`, kind(fd)));
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of text, n of them if n is given. */
function text_bytes(fn: string, text: string, n: number | undefined): Uint8Array {
  const bytes = encoder.encode(text);
  if (n !== undefined && Number.isInteger(n) && n > bytes.length) {
    throw new RangeError(`${fn}: n ${n} is larger than the text (${bytes.length} bytes)\n  leave n out to write it all`);
  }
  return bytes;
}

function checkCount(fn: string, buf: Bytes, n: number): void {
  check_buffer(fn, buf);
  if (n === undefined) throw new TypeError(`${fn}: n, the count of bytes, is missing`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${fn}: n must be a non-negative integer, got ${n}`);
  if (n > buf.byteLength) throw new RangeError(`${fn}: n ${n} is larger than the buffer (${buf.byteLength} bytes)`);
}

/** rio_readn(fd, usrbuf, n): reads n bytes unless EOF comes first; the count, 0 at EOF, -1 on error. */
export function rio_readn(fd: number, usrbuf: Bytes, n: number): number {
  check_fd('rio_readn', fd);
  checkCount('rio_readn', usrbuf, n);
  const buf = bytesOf(usrbuf);
  let nleft = n;
  while (nleft > 0) {
    const nread = read(fd, nleft === n ? buf : buf.subarray(n - nleft), nleft);
    if (nread < 0) {
      if (errno() === EINTR) continue; // interrupted by a handler: read again
      return -1;
    }
    if (nread === 0) break; // EOF
    nleft -= nread;
  }
  return n - nleft;
}

/**
 * rio_writen(fd, usrbuf, n): writes all n bytes; n, or -1 on error.
 * rio_writen(fd, text, n?): the UTF-8 bytes of text (n of them if given).
 */
export function rio_writen(fd: number, usrbuf: Bytes | string, n?: number): number {
  return writen('rio_writen', fd, usrbuf, n);
}

function writen(fn: string, fd: number, usrbuf: Bytes | string, n?: number): number {
  check_fd(fn, fd);
  if (typeof usrbuf === 'string') {
    const bytes = text_bytes(fn, usrbuf, n);
    return writen(fn, fd, bytes, n ?? bytes.length);
  }
  checkCount(fn, usrbuf, n as number);
  const buf = bytesOf(usrbuf);
  n = n as number;
  let nleft = n;
  while (nleft > 0) {
    const nwritten = write(fd, nleft === n ? buf : buf.subarray(n - nleft), nleft);
    if (nwritten <= 0) {
      if (errno() === EINTR) continue;
      return -1;
    }
    nleft -= nwritten;
  }
  return n;
}

/** rio_readinitb(rp, fd): ties a read buffer to fd. */
export function rio_readinitb(rp: rio_t, fd: number): void {
  readinitb('rio_readinitb', rp, fd);
}

function readinitb(fn: string, rp: rio_t, fd: number): void {
  if (!(rp instanceof rio_t)) {
    throw new TypeError(wanted(`${fn}: rp must be a rio_t`, kind(rp), `const rio = new rio_t(); ${fn}(rio, fd)`));
  }
  check_fd(fn, fd);
  rp.rio_fd = fd;
  if (!(rp.rio_buf instanceof Uint8Array) || rp.rio_buf.length === 0) rp.rio_buf = new Uint8Array(RIO_BUFSIZE);
  rp.rio_cnt = 0;
  rp.rio_bufptr = 0;
}

// Refills the internal buffer when it is empty: the count, 0 at EOF, -1 on error.
function rio_fill(rp: rio_t): number {
  while (rp.rio_cnt <= 0) {
    rp.rio_cnt = read(rp.rio_fd, rp.rio_buf, rp.rio_buf.length);  // C's sizeof(rp->rio_buf)
    if (rp.rio_cnt < 0) {
      if (errno() !== EINTR) return -1;
    } else if (rp.rio_cnt === 0) {
      return 0;
    } else {
      rp.rio_bufptr = 0;
    }
  }
  return rp.rio_cnt;
}

/**
 * rio_readlineb(rp, usrbuf, maxlen): reads a line (up to maxlen - 1 bytes,
 * '\n' included) and stores a terminating 0 byte after it, as C does. The
 * count, 0 at EOF before any byte, -1 on error.
 */
export function rio_readlineb(rp: rio_t, usrbuf: Uint8Array, maxlen: number): number {
  check_rio('rio_readlineb', rp);
  check_buffer('rio_readlineb', usrbuf, true);
  checkCount('rio_readlineb', usrbuf, maxlen);
  let n = 0;
  while (n < maxlen - 1) {
    const rc = rio_fill(rp);
    if (rc < 0) return -1;
    if (rc === 0) break; // EOF: return what was read
    // Copy up to the newline (kept) or the space left, byte by byte as C
    // does: in optimized code that beats indexOf + subarray + set, which
    // allocate a view and call out (in C++, on Node 24) for every line.
    const buf = rp.rio_buf;
    const start = rp.rio_bufptr;
    const end = start + Math.min(rp.rio_cnt, maxlen - 1 - n);
    let i = start;
    let c = 0;
    while (i < end) {
      c = buf[i++];
      usrbuf[n++] = c;
      if (c === 10) break;
    }
    rp.rio_bufptr = i;
    rp.rio_cnt -= i - start;
    if (c === 10) break;
  }
  if (maxlen > 0) usrbuf[n] = 0;
  return n;
}

/** rio_readnb(rp, usrbuf, n): reads n bytes through the buffer unless EOF. */
export function rio_readnb(rp: rio_t, usrbuf: Bytes, n: number): number {
  check_rio('rio_readnb', rp);
  checkCount('rio_readnb', usrbuf, n);
  const buf = bytesOf(usrbuf);
  let nleft = n;
  while (nleft > 0) {
    const rc = rio_fill(rp);
    if (rc < 0) return -1;
    if (rc === 0) break;
    const take = Math.min(rp.rio_cnt, nleft);
    buf.set(rp.rio_buf.subarray(rp.rio_bufptr, rp.rio_bufptr + take), n - nleft);
    rp.rio_bufptr += take;
    rp.rio_cnt -= take;
    nleft -= take;
  }
  return n - nleft;
}

export function Rio_readn(fd: number, usrbuf: Bytes, n: number): number {
  check_fd('Rio_readn', fd);
  check_buffer('Rio_readn', usrbuf);
  return check(rio_readn(fd, usrbuf, n), 'rio_readn');
}
/** Rio_writen(fd, usrbuf, n) or Rio_writen(fd, text): a short write is an error, as in CSAPP. */
export function Rio_writen(fd: number, usrbuf: Bytes | string, n?: number): void {
  check(writen('Rio_writen', fd, usrbuf, n), 'rio_writen');
}
export function Rio_readinitb(rp: rio_t, fd: number): void {
  readinitb('Rio_readinitb', rp, fd);
}
export function Rio_readlineb(rp: rio_t, usrbuf: Uint8Array, maxlen: number): number {
  check_rio('Rio_readlineb', rp);
  check_buffer('Rio_readlineb', usrbuf, true);
  return check(rio_readlineb(rp, usrbuf, maxlen), 'rio_readlineb');
}
export function Rio_readnb(rp: rio_t, usrbuf: Bytes, n: number): number {
  check_rio('Rio_readnb', rp);
  check_buffer('Rio_readnb', usrbuf);
  return check(rio_readnb(rp, usrbuf, n), 'rio_readnb');
}

// ---- A line as a string: rio_readlineb into a buffer of the rio_t's, read
// as UTF-8. One buffer per rio_t, not one for all: read drops the JS lock,
// and another pthread may read its own connection meanwhile.

const line_bufs = new WeakMap<rio_t, Uint8Array>();
const decoder = new TextDecoder();

/**
 * rio_readline(rp, maxlen = MAXLINE): the next line as a string, '\n'
 * included (rio_readlineb's bytes read as UTF-8; a line longer than maxlen - 1
 * bytes comes in pieces, as there); '' at EOF; null with errno on error.
 */
export function rio_readline(rp: rio_t, maxlen: number = MAXLINE): string | null {
  return readline('rio_readline', rp, maxlen);
}

/** Rio_readline(rp, maxlen = MAXLINE): rio_readline, with a UnixError for an error. */
export function Rio_readline(rp: rio_t, maxlen: number = MAXLINE): string {
  const line = readline('Rio_readline', rp, maxlen);
  if (line === null) unix_error('rio_readline');
  return line as string;
}

function readline(fn: string, rp: rio_t, maxlen: unknown): string | null {
  check_rio(fn, rp);
  if (ArrayBuffer.isView(maxlen)) {
    throw new TypeError(`${fn}(rp) returns the line as a string\n  into a buffer: ${fn}b(rp, buf, maxlen)`);
  }
  if (!Number.isInteger(maxlen) || (maxlen as number) < 1) {
    throw new RangeError(`${fn}: maxlen must be a positive integer, got ${String(maxlen)}`);
  }
  let line_buf = line_bufs.get(rp);
  if (line_buf === undefined || line_buf.length < (maxlen as number)) {
    line_buf = new Uint8Array(Math.max(maxlen as number, MAXLINE));
    line_bufs.set(rp, line_buf);
  }
  const n = rio_readlineb(rp, line_buf, maxlen as number);
  return n < 0 ? null : decoder.decode(line_buf.subarray(0, n));
}
