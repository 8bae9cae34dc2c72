// Output the way the C programs do it: straight to the fd, in full, in order
// with everything else written to it (no stream buffer that a crash, a
// signal or a fork could lose or double).
import { write, errno, EINTR, EAGAIN, STDOUT_FILENO, STDERR_FILENO } from '../sys/index.js';

const encoder = new TextEncoder();

/** Writes all of text to fd (C's fputs on an unbuffered stream). */
export function fputs(text: string, fd: number): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) {
    const n = write(fd, off === 0 ? bytes : bytes.subarray(off), bytes.length - off);
    if (n < 0) {
      if (errno() === EINTR) continue;
      // A non-blocking stdout (a terminal Node made non-blocking): wait a little.
      if (errno() === EAGAIN) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
      return; // stdout is gone (EPIPE): nothing sensible to do, as with printf
    }
    off += n;
  }
}

/** printf: writes the text, already formatted (a template literal), to stdout. */
export function printf(text: string): void {
  fputs(text, STDOUT_FILENO);
}

/** Writes the text to stderr. */
export function eprintf(text: string): void {
  fputs(text, STDERR_FILENO);
}
