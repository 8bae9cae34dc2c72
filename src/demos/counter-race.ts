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

// How many times a thread found the counter moved since its own last store:
// the other thread ran in between, so the two took turns.
let turns = 0;

function count(niters: number, mutex: pthread_mutex_t | null): number {
  cnt = 0;
  turns = 0;
  const thread = () => {
    let mine = cnt; // what this thread stored last
    for (let i = 0; i < niters; i++) {
      if (mutex) pthread_mutex_lock(mutex);
      const tmp = cnt; // load
      if (tmp !== mine) turns++;
      cnt = mine = update(tmp); // update, then store
      if (mutex) pthread_mutex_unlock(mutex);
    }
  };
  const t1 = pthread_create(thread), t2 = pthread_create(thread);
  pthread_join(t1, null);
  pthread_join(t2, null);
  return cnt;
}

// A million increments each: some 20 ms of counting, longer than a busy
// machine usually leaves the switch watchdog waiting for a CPU (with 200,000,
// 1 run in 7 under load saw no switch inside cnt++ at all). A race need not
// show on every run, on a loaded machine least of all: when none is lost the
// demo says whether the threads took turns at all, and counts again, up to
// `tries` times.
export function counter_race_demo(
  niters = 1_000_000,
  interval_us = 50,
  tries = 5,
): { without: number; with: number; expected: number; tries: number } {
  if (!Number.isInteger(niters) || niters < 10 || niters > 100_000_000 || niters % 10 !== 0) {
    throw new RangeError(`counter_race_demo: niters must be a multiple of 10 from 10 to 100000000, got ${niters}`);
  }
  if (!Number.isInteger(tries) || tries < 1 || tries > 100) {
    throw new RangeError(`counter_race_demo: tries must be an integer from 1 to 100, got ${tries}`);
  }
  const old = switch_interval(interval_us);
  if (old < 0) unix_error('switch_interval');
  steps = 4;
  one = 1;
  try {
    printf(`two threads, ${niters} increments each, switch interval ${interval_us} us:\n`);
    let without = 0;
    let n = 0;
    while (n < tries) {
      n++;
      without = count(niters, null);
      const lost = 2 * niters - without;
      printf(`  without a mutex: cnt = ${without} (expected ${2 * niters}): ${lost} increments lost\n`);
      if (lost > 0) break;
      printf(
        turns > 0
          ? `  (they took turns ${turns} times, never inside cnt++: a race need not show)\n`
          : `  (they never took turns: the switch did not come while they counted)\n`,
      );
      if (n < tries) printf('  again:\n');
    }
    const m = new pthread_mutex_t();
    const withMutex = count(niters / 10, m);
    printf(`  with a mutex (${niters / 10} each): cnt = ${withMutex} (expected ${2 * (niters / 10)})\n`);
    return { without, with: withMutex, expected: 2 * niters, tries: n };
  } finally {
    switch_interval(old);
  }
}
