// One echo connection on a non-blocking fd, for the event servers that never
// wait on a single client (echo-select-hardened, echo-epoll). Each has an
// input buffer (the start of a line not yet complete) and an output buffer
// (what the kernel would not take yet). A read never blocks: whatever came is
// kept, the complete lines are written back, and the server goes on to the
// next client. While output is pending the connection is not read (the
// buffers stay bounded: a client that never reads its echo is not read from,
// and harms no one else).
import { read, write, close, errno, EAGAIN, EWOULDBLOCK, EINTR, fcntl, F_GETFL, F_SETFL, O_NONBLOCK } from '../sys/index.js';
import { MAXLINE } from './common.js';
import { linebuf_give, linebuf_take } from './frame.js';

const NL = 10;

// The input buffer comes from a free list and goes back at close (frame.ts).
const NONE = new Uint8Array(0);

/** Sets O_NONBLOCK on fd (the fcntl dance of every non-blocking server). */
export function set_nonblocking(fd: number): number {
  const flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -1;
  return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

export class echo_conn {
  /** The start of a line not yet complete: inbuf[0 .. inlen). Given back (and emptied here) at close. */
  inbuf: Uint8Array = linebuf_take();
  inlen = 0;
  /** Echo the kernel would not take yet: outbuf[outoff .. outlen), made on first need. */
  outbuf: Uint8Array | null = null;
  outoff = 0;
  outlen = 0;
  /** The client closed its side: echo what is left, then close. */
  eof = false;
  /** Closed (by an error, or after EOF once the echo is out). */
  closed = false;
  /** Bytes received, for the server's message. */
  received = 0;

  constructor(readonly fd: number) {}

  /** Whether the echo of earlier input is still waiting for the kernel: do not read, wait until writable. */
  get pending(): boolean {
    return this.outlen > this.outoff;
  }

  /**
   * The fd is readable: one read, then the complete lines go back. A line
   * longer than the buffer goes back in pieces (as rio_readlineb returns
   * maxlen - 1 bytes); at EOF the last partial line goes back too.
   * Returns the number of bytes read (0 at EOF, -1 on error or EAGAIN).
   */
  on_readable(): number {
    if (this.closed) return -1;
    const n = read(this.fd, this.inlen === 0 ? this.inbuf : this.inbuf.subarray(this.inlen), this.inbuf.length - this.inlen);
    if (n < 0) {
      const e = errno();
      if (e !== EAGAIN && e !== EWOULDBLOCK && e !== EINTR) this.close(); // ECONNRESET...
      return -1;
    }
    if (n === 0) {
      this.eof = true;
      if (this.inlen > 0) this.send(this.inlen);
      else if (!this.pending) this.close();
      return 0;
    }
    this.received += n;
    this.inlen += n;
    // Everything up to the last '\n' is whole lines: back in one write. (Scanned
    // from the end: one step when the read ended a line, the usual case.)
    const buf = this.inbuf;
    let end = this.inlen;
    while (end > 0 && buf[end - 1] !== NL) end--;
    if (end === 0 && this.inlen === buf.length) end = this.inlen; // a line longer than the buffer
    if (end > 0) this.send(end);
    return n;
  }

  // Writes inbuf[0 .. end) back; what the kernel does not take goes to outbuf.
  private send(end: number): void {
    const w = write(this.fd, this.inbuf, end);
    if (w < 0 && errno() !== EAGAIN && errno() !== EWOULDBLOCK && errno() !== EINTR) {
      this.close(); // EPIPE, ECONNRESET: the client is gone
      return;
    }
    const written = Math.max(0, w);
    if (written < end) {
      this.outbuf ??= new Uint8Array(MAXLINE);
      this.outbuf.set(this.inbuf.subarray(written, end), 0);
      this.outoff = 0;
      this.outlen = end - written;
    }
    if (end < this.inlen) this.inbuf.copyWithin(0, end, this.inlen);
    this.inlen -= end;
    if (this.eof && !this.pending) this.close();
  }

  /** The fd is writable: more of the pending echo goes out. Closes after EOF once all is out. */
  on_writable(): void {
    if (this.closed || !this.pending) return;
    const w = write(this.fd, this.outbuf!.subarray(this.outoff, this.outlen), this.outlen - this.outoff);
    if (w < 0) {
      const e = errno();
      if (e !== EAGAIN && e !== EWOULDBLOCK && e !== EINTR) this.close();
      return;
    }
    this.outoff += w;
    if (this.outoff === this.outlen) this.outoff = this.outlen = 0;
    if (this.eof && !this.pending) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
    linebuf_give(this.inbuf);
    this.inbuf = NONE;
    this.inlen = 0;
  }
}
