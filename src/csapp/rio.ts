// Robust I/O (CSAPP's RIO): rio_readn / rio_writen move exactly n bytes
// unless EOF; rio_readlineb / rio_readnb read through an internal buffer.
import { read, write, errno, EINTR, UnixError, errno_code, type Bytes } from '../sys/index.js';

export const RIO_BUFSIZE = 8192;

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

function checkCount(fn: string, buf: Bytes, n: number, name = 'n'): void {
  if (!ArrayBuffer.isView(buf)) throw new TypeError(`${fn}: usrbuf must be a Uint8Array, a Buffer or another typed array`);
  if (typeof n !== 'number') throw new TypeError(`${fn}: ${name} must be a number`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${n}`);
  if (n > buf.byteLength) throw new RangeError(`${fn}: ${name} ${n} is larger than the buffer (${buf.byteLength} bytes)`);
}

// Every loop over rp's buffer is bounded by rio_cnt and rio_bufptr: a rio_t
// that is not one, or whose counters are not integers inside its buffer
// (NaN, negative, too large: set by hand), would loop for good.
function checkRio(fn: string, rp: rio_t): void {
  // (One not yet tied to an fd has rio_fd -1: its reads fail with EBADF.)
  if (!(rp instanceof rio_t)) throw new TypeError(`${fn}: rp must be a rio_t set up by rio_readinitb`);
  const { rio_fd: fd, rio_cnt: cnt, rio_bufptr: ptr, rio_buf: buf } = rp;
  if (!(buf instanceof Uint8Array) || buf.length === 0) throw new TypeError(`${fn}: rp.rio_buf must be a non-empty Uint8Array`);
  if (!Number.isInteger(fd)) throw new RangeError(`${fn}: rp.rio_fd must be an integer, got ${fd}`);
  if (!Number.isInteger(cnt) || !Number.isInteger(ptr) || cnt < 0 || ptr < 0 || ptr + cnt > buf.length) {
    throw new RangeError(`${fn}: rp's rio_cnt (${cnt}) and rio_bufptr (${ptr}) must lie inside its ${buf.length}-byte buffer`);
  }
}

/** rio_readn(fd, usrbuf, n): reads n bytes unless EOF comes first; the count, 0 at EOF, -1 on error. */
export function rio_readn(fd: number, usrbuf: Bytes, n: number): number {
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

/** rio_writen(fd, usrbuf, n): writes all n bytes; n, or -1 on error. */
export function rio_writen(fd: number, usrbuf: Bytes, n: number): number {
  checkCount('rio_writen', usrbuf, n);
  const buf = bytesOf(usrbuf);
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
  if (!(rp instanceof rio_t)) throw new TypeError('rio_readinitb: rp must be a rio_t (new rio_t())');
  if (typeof fd !== 'number') throw new TypeError('rio_readinitb: fd must be a number');
  if (!Number.isInteger(fd)) throw new RangeError(`rio_readinitb: fd must be an integer, got ${fd}`);
  rp.rio_fd = fd;
  rp.rio_cnt = 0;
  rp.rio_bufptr = 0;
}

// Refills the internal buffer when it is empty: the count, 0 at EOF, -1 on error.
// (C leaves rio_cnt at -1 after an error; 0 here, which means the same to
// the next call and keeps the counter valid for checkRio.)
function rio_fill(rp: rio_t): number {
  while (rp.rio_cnt <= 0) {
    const n = read(rp.rio_fd, rp.rio_buf, rp.rio_buf.length);
    if (n < 0) {
      if (errno() !== EINTR) return -1;
    } else if (n === 0) {
      return 0;
    } else {
      rp.rio_cnt = n;
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
  checkRio('rio_readlineb', rp);
  if (!(usrbuf instanceof Uint8Array)) throw new TypeError('rio_readlineb: usrbuf must be a Uint8Array or a Buffer');
  checkCount('rio_readlineb', usrbuf, maxlen, 'maxlen');
  if (maxlen === 0) throw new RangeError('rio_readlineb: maxlen must be a positive integer, got 0');
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
  usrbuf[n] = 0;
  return n;
}

/** rio_readnb(rp, usrbuf, n): reads n bytes through the buffer unless EOF. */
export function rio_readnb(rp: rio_t, usrbuf: Bytes, n: number): number {
  checkRio('rio_readnb', rp);
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

function rio_check(rc: number, fn: string): number {
  if (rc < 0) throw new UnixError(fn, errno(), errno_code(errno()));
  return rc;
}

export function Rio_readn(fd: number, usrbuf: Bytes, n: number): number {
  return rio_check(rio_readn(fd, usrbuf, n), 'rio_readn');
}
/** Rio_writen: a short write is an error, as in CSAPP. */
export function Rio_writen(fd: number, usrbuf: Bytes, n: number): void {
  if (rio_writen(fd, usrbuf, n) !== n) rio_check(-1, 'rio_writen');
}
export function Rio_readinitb(rp: rio_t, fd: number): void {
  rio_readinitb(rp, fd);
}
export function Rio_readlineb(rp: rio_t, usrbuf: Uint8Array, maxlen: number): number {
  return rio_check(rio_readlineb(rp, usrbuf, maxlen), 'rio_readlineb');
}
export function Rio_readnb(rp: rio_t, usrbuf: Bytes, n: number): number {
  return rio_check(rio_readnb(rp, usrbuf, n), 'rio_readnb');
}
