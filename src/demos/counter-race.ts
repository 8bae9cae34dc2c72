// Demo: a race on a shared counter (CSAPP's badcnt.c). Two threads each add 1
// to a global niters times. cnt++ is three steps for the machine (load,
// update, store); a thread switched out between its load and its store
// makes the other's increments vanish. In V8 a thread can only be switched
// at a safe point (a call that is not inlined, a loop's back edge), so a
// plain cnt++ is never torn here: the demo computes the update in a small
// loop between the load and the store (a back edge: a safe point there), and
// turns the switch interval on, as a preemptive scheduler would switch. Then
// the same with a mutex around the three steps: the count is right.
import { pthread_create, pthread_join, pthread_mutex_t, pthread_mutex_lock, pthread_mutex_unlock, switch_interval, unix_error } from '../sys/index.js';
import { printf } from '../csapp/index.js';

let cnt = 0; // the shared counter

let one = 1; // the update, computed in a loop whose back edge is a safe point
// The loop's length, set when the demo runs: with a constant one, V8's
// optimizing compiler unrolls the loop on Node 24, the safe point goes, and
// in 1 run in 5 under load no increment was lost.
let steps = 4;

function update(tmp: number): number {
  for (let j = 0; j < steps; j++) tmp += j === steps - 1 ? one : 0;
  return tmp;
}

function count(niters: number, mutex: pthread_mutex_t | null): number {
  cnt = 0;
  const thread = () => {
    for (let i = 0; i < niters; i++) {
      if (mutex) pthread_mutex_lock(mutex);
      const tmp = cnt; // load
      cnt = update(tmp); // update, then store
      if (mutex) pthread_mutex_unlock(mutex);
    }
  };
  const t1 = pthread_create(thread), t2 = pthread_create(thread);
  pthread_join(t1, null);
  pthread_join(t2, null);
  return cnt;
}

// A million increments each: some 20 ms of counting, longer than a busy
// machine may leave the switch watchdog waiting for a CPU (with 200,000, 1
// run in 7 under load saw no switch inside cnt++ at all).
export function counter_race_demo(niters = 1_000_000, interval_us = 50): { without: number; with: number; expected: number } {
  if (!Number.isInteger(niters) || niters < 10 || niters > 100_000_000 || niters % 10 !== 0) {
    throw new RangeError(`counter_race_demo: niters must be a multiple of 10 from 10 to 100000000, got ${niters}`);
  }
  const old = switch_interval(interval_us);
  if (old < 0) unix_error('switch_interval');
  steps = 4;
  one = 1;
  try {
    printf(`two threads, ${niters} increments each, switch interval ${interval_us} us:\n`);
    const without = count(niters, null);
    printf(`  without a mutex: cnt = ${without} (expected ${2 * niters}): ${2 * niters - without} increments lost\n`);
    const m = new pthread_mutex_t();
    const withMutex = count(niters / 10, m);
    printf(`  with a mutex (${niters / 10} each): cnt = ${withMutex} (expected ${2 * (niters / 10)})\n`);
    return { without, with: withMutex, expected: 2 * niters };
  } finally {
    switch_interval(old);
  }
}
