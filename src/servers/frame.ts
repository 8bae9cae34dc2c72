// What C's echo keeps on its stack: `char buf[MAXLINE]; rio_t rio;`, free for
// every connection. A fresh Uint8Array(MAXLINE) and rio_t are two 8 KiB
// ArrayBuffers to allocate, zero and collect: 3 to 6 µs each here, a fifth of
// what the iterative server spends per connection. So a per-connection
// function takes its frame from a free list and gives it back when it
// returns, as a C function's frame comes and goes with the call. Each call
// has its own: threads interleave at their blocking calls, never share one.
// The event servers' per-client input buffer (echo-conn.ts) comes and goes
// the same way, as a C server's malloc'd buffer does with malloc's free list.
import { rio_t } from '../csapp/index.js';
import { MAXLINE } from './common.js';

export interface echo_frame {
  buf: Uint8Array;
  rio: rio_t;
}

const free_frames: echo_frame[] = [];
const KEPT = 64; // more than that are let go: a burst of threads does not pin memory

/** A frame: one given back earlier, or a new one. */
export function frame_take(): echo_frame {
  return free_frames.pop() ?? { buf: new Uint8Array(MAXLINE), rio: new rio_t() };
}

/** Gives the frame back: the caller uses it no more. */
export function frame_give(f: echo_frame): void {
  if (free_frames.length < KEPT) free_frames.push(f);
}

const free_bufs: Uint8Array[] = [];

/** A line buffer of MAXLINE bytes: one given back earlier, or a new one. */
export function linebuf_take(): Uint8Array {
  return free_bufs.pop() ?? new Uint8Array(MAXLINE);
}

/** Gives the buffer back: the caller uses it no more. */
export function linebuf_give(b: Uint8Array): void {
  if (free_bufs.length < KEPT) free_bufs.push(b);
}
