// echo (CSAPP's echo.c): reads lines and writes them back until EOF. Shared
// by echo-iterative, echo-fork and echo-threads.
//
// Changed from the book, so that one client cannot end the server for all:
// the book calls Rio_readlineb and Rio_writen, whose unix_error exits the
// whole process when a client resets the connection (ECONNRESET: it closed
// with unread data, or set SO_LINGER 0) or left before its echo (EPIPE).
// Here an I/O error ends this connection only: a message, and echo returns
// as at EOF; the caller closes connfd as usual.
import { socketpair, setsockopt, read, shutdown, close, errno, strerror, UnixError, AF_UNIX, SOCK_STREAM, SOL_SOCKET, SO_SNDTIMEO, SHUT_WR } from '../sys/index.js';
import { rio_t, Rio_readinitb, rio_readlineb, rio_writen, Rio_writen, printf, eprintf } from '../csapp/index.js';
import { untraced } from '../sys/trace.js';
import { MAXLINE } from './common.js';
import { frame_give, frame_take } from './frame.js';

export function echo(connfd: number, quiet = false): void {
  const frame = frame_take(); // C: char buf[MAXLINE]; rio_t rio; (frame.ts)
  const { buf, rio } = frame;
  let n: number;

  try {
    Rio_readinitb(rio, connfd);
    while ((n = rio_readlineb(rio, buf, MAXLINE)) !== 0) {
      if (n < 0) return conn_error('rio_readlineb', connfd, quiet);
      if (!quiet) printf(`server received ${n} bytes\n`);
      if (rio_writen(connfd, buf, n) < 0) return conn_error('rio_writen', connfd, quiet);
    }
  } finally {
    frame_give(frame);
  }
}

/** An I/O error on one connection: said (unless quiet), and that connection ends. */
export function conn_error(call: string, connfd: number, quiet: boolean): void {
  if (!quiet) eprintf(`${call}: fd ${connfd}: ${strerror(errno())}\n`);
}

let warm_rio: rio_t | null = null;

/**
 * Runs echo over a socketpair of its own, `lines` lines in all, so that V8
 * compiles and optimizes the echo path in this process. For a server that
 * forks: V8 compiles per process, and a forked child cannot optimize at all
 * (its compiler threads did not survive the fork), so a child of a cold
 * parent runs echo unoptimized for its whole life. A child of a warm parent
 * inherits the optimized code with the rest of the heap. A C server has
 * nothing to warm: its code was compiled ahead of time.
 */
export function echo_warm(lines = 20_000): void {
  if (!Number.isInteger(lines) || lines < 0 || lines > 10_000_000) {
    throw new RangeError(`echo_warm: lines must be an integer in [0, 10000000], got ${lines}`);
  }
  // Optimized code holds the maps (hidden classes) it was compiled for
  // weakly: with no rio_t left alive, a full GC (fork_warmup) would take the
  // map and the optimized echo with it.
  warm_rio ??= new rio_t();
  untraced(`echo_warm: ${lines} lines through echo over socketpairs`, () => warm(lines));
}

function warm(lines: number): void {
  const perRound = 50; // one round's echoes must fit in the socketpair's buffer
  const text = new TextEncoder().encode('warming up the echo path: 32 B\n'.repeat(perRound));
  const drain = new Uint8Array(text.length);
  const bound = { tv_sec: 1, tv_usec: 0 }; // a buffer smaller than that: a write fails, the warm-up ends
  for (let done = 0; done < lines; done += perRound) {
    const sv: number[] = [];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return; // out of fds: the children just start cold
    try {
      setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, bound);
      setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, bound);
      Rio_writen(sv[1], text, text.length);
      shutdown(sv[1], SHUT_WR); // echo ends at EOF, as with a client that leaves
      echo(sv[0], true);
      close(sv[0]);
      sv[0] = -1;
      while (read(sv[1], drain) > 0); // the echoes, then EOF
    } catch (err) {
      if (err instanceof UnixError) return; // best effort: the children start cold
      throw err;
    } finally {
      if (sv[0] >= 0) close(sv[0]);
      close(sv[1]);
    }
  }
}
