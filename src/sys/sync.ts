// Mutexes, condition variables and semaphores between threads. A wait drops
// the JS lock. The pthread_ functions return 0 or an error number, as in C;
// the sem_ functions return 0 or -1 with errno. An object used before its
// _init works as C's static initializers (PTHREAD_MUTEX_INITIALIZER...); one
// destroyed answers EINVAL. The addon keeps both rules (sync.cc, Usable).
import { native, type Cell } from './native.js';
import {
  PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_RECURSIVE, PTHREAD_MUTEX_DEFAULT,
} from './constants.js';
import type { timespec } from './time.js';
import { check_cell } from './args.js';

const EINVAL_: number = native.errno_names.EINVAL;

/** pthread_mutexattr_t: the mutex type. */
export class pthread_mutexattr_t {
  type = PTHREAD_MUTEX_DEFAULT;
}
export function pthread_mutexattr_init(attr: pthread_mutexattr_t): number {
  attr.type = PTHREAD_MUTEX_DEFAULT;
  return 0;
}
export function pthread_mutexattr_settype(attr: pthread_mutexattr_t, type: number): number {
  if (![PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_RECURSIVE, PTHREAD_MUTEX_DEFAULT].includes(type)) return EINVAL_;
  attr.type = type;
  return 0;
}

// Each object's native handle is a private field, which only its class can
// read and nothing can replace: a mutex's handle given to a condition
// function would have the addon use one kind of memory as another (the addon
// checks the kind as well). An object that merely passes instanceof (made by
// Object.create) has no handle: the brand check (#h in x) tells.
let mutexHandle: (m: pthread_mutex_t) => unknown;
let condHandle: (c: pthread_cond_t) => unknown;
let semHandle: (s: sem_t) => unknown;

/** pthread_mutex_t. */
export class pthread_mutex_t {
  readonly #h: unknown = native.mutex_new();
  static {
    mutexHandle = (m) => (typeof m === 'object' && m !== null && #h in m ? m.#h : undefined);
  }
}

function mutex(m: pthread_mutex_t, fn: string): unknown {
  const h = mutexHandle(m);
  if (h === undefined) throw new TypeError(`${fn}: mutex must be a pthread_mutex_t`);
  return h;
}

export function pthread_mutex_init(m: pthread_mutex_t, attr: pthread_mutexattr_t | null): number {
  const h = mutex(m, 'pthread_mutex_init');
  if (attr !== null && attr !== undefined && !(attr instanceof pthread_mutexattr_t)) {
    throw new TypeError('pthread_mutex_init: attr must be a pthread_mutexattr_t or null');
  }
  return native.mutex_init(h, attr?.type ?? PTHREAD_MUTEX_DEFAULT);
}
/** Blocks (without the JS lock) until the mutex is ours. EDEADLK: an error-checking mutex we hold. */
export function pthread_mutex_lock(m: pthread_mutex_t): number {
  return native.mutex_lock(mutex(m, 'pthread_mutex_lock'));
}
/** EBUSY when another thread holds it. */
export function pthread_mutex_trylock(m: pthread_mutex_t): number {
  return native.mutex_trylock(mutex(m, 'pthread_mutex_trylock'));
}
/** EPERM: an error-checking or recursive mutex this thread does not hold. */
export function pthread_mutex_unlock(m: pthread_mutex_t): number {
  return native.mutex_unlock(mutex(m, 'pthread_mutex_unlock'));
}
/** EBUSY while locked. */
export function pthread_mutex_destroy(m: pthread_mutex_t): number {
  return native.mutex_destroy(mutex(m, 'pthread_mutex_destroy'));
}

/** pthread_cond_t. */
export class pthread_cond_t {
  readonly #h: unknown = native.cond_new();
  static {
    condHandle = (c) => (typeof c === 'object' && c !== null && #h in c ? c.#h : undefined);
  }
}

function cond(c: pthread_cond_t, fn: string): unknown {
  const h = condHandle(c);
  if (h === undefined) throw new TypeError(`${fn}: cond must be a pthread_cond_t`);
  return h;
}

export function pthread_cond_init(c: pthread_cond_t, _attr: null): number {
  return native.cond_init(cond(c, 'pthread_cond_init'));
}
/** Releases m, waits to be signaled, takes m again (a cancellation point). Spurious wake-ups can happen, as in C: wait in a loop. */
export function pthread_cond_wait(c: pthread_cond_t, m: pthread_mutex_t): number {
  return native.cond_wait(cond(c, 'pthread_cond_wait'), mutex(m, 'pthread_cond_wait'));
}
/** As pthread_cond_wait, until abstime (CLOCK_REALTIME, as C): then ETIMEDOUT. */
export function pthread_cond_timedwait(c: pthread_cond_t, m: pthread_mutex_t, abstime: timespec): number {
  return native.cond_timedwait(cond(c, 'pthread_cond_timedwait'), mutex(m, 'pthread_cond_timedwait'), abstime);
}
export function pthread_cond_signal(c: pthread_cond_t): number {
  return native.cond_signal(cond(c, 'pthread_cond_signal'));
}
export function pthread_cond_broadcast(c: pthread_cond_t): number {
  return native.cond_broadcast(cond(c, 'pthread_cond_broadcast'));
}
export function pthread_cond_destroy(c: pthread_cond_t): number {
  return native.cond_destroy(cond(c, 'pthread_cond_destroy'));
}

/** A deadline `ms` milliseconds from now, as the timed waits take it (CLOCK_REALTIME). */
export function abstime_in(ms: number): timespec {
  const t = Date.now() + ms;
  return { tv_sec: Math.floor(t / 1000), tv_nsec: (t % 1000) * 1e6 };
}

/** pthread_once_t: PTHREAD_ONCE_INIT is `new pthread_once_t()`. */
export class pthread_once_t {
  /** @internal */ done = false;
  /** @internal */ running = false;
  /** @internal */ readonly m = new pthread_mutex_t();
  /** @internal */ readonly c = new pthread_cond_t();
}

/** pthread_once(once_control, init_routine): runs init_routine once, whichever threads call it; the others wait for it. */
export function pthread_once(once: pthread_once_t, init_routine: () => void): number {
  if (!(once instanceof pthread_once_t)) throw new TypeError('pthread_once: once_control must be a pthread_once_t');
  if (once.done) return 0;
  pthread_mutex_lock(once.m);
  try {
    while (once.running) pthread_cond_wait(once.c, once.m); // another thread runs it (and may block in it)
    if (once.done) return 0;
    once.running = true;
  } finally {
    pthread_mutex_unlock(once.m);
  }
  try {
    init_routine();
  } finally {
    pthread_mutex_lock(once.m);
    once.running = false;
    once.done = true;
    pthread_cond_broadcast(once.c);
    pthread_mutex_unlock(once.m);
  }
  return 0;
}

/** sem_t: an unnamed POSIX semaphore (sem_init it first). */
export class sem_t {
  readonly #h: unknown = native.sem_new();
  static {
    semHandle = (s) => (typeof s === 'object' && s !== null && #h in s ? s.#h : undefined);
  }
}

function sem(s: sem_t, fn: string): unknown {
  const h = semHandle(s);
  if (h === undefined) throw new TypeError(`${fn}: sem must be a sem_t`);
  return h;
}

/** sem_init(sem, pshared, value): pshared must be 0 (no memory shared between processes here). */
export function sem_init(s: sem_t, pshared: number, value: number): number {
  return native.sem_init(sem(s, 'sem_init'), pshared, value);
}
/** Waits (without the JS lock) until the value is above 0, then decrements it. A cancellation point. */
export function sem_wait(s: sem_t): number {
  return native.sem_wait(sem(s, 'sem_wait'));
}
/** -1 with EAGAIN when it would wait. */
export function sem_trywait(s: sem_t): number {
  return native.sem_trywait(sem(s, 'sem_trywait'));
}
/** -1 with ETIMEDOUT after abstime (CLOCK_REALTIME). */
export function sem_timedwait(s: sem_t, abstime: timespec): number {
  return native.sem_timedwait(sem(s, 'sem_timedwait'), abstime);
}
export function sem_post(s: sem_t): number {
  return native.sem_post(sem(s, 'sem_post'));
}
/** sem_getvalue(sem, sval): sval.value = the current value. */
export function sem_getvalue(s: sem_t, sval: Cell<number>): number {
  check_cell('sem_getvalue', 'sval', 'int *', sval, false);
  const v: number = native.sem_getvalue(sem(s, 'sem_getvalue'));
  if (v < 0) return -1;
  sval.value = v;
  return 0;
}
export function sem_destroy(s: sem_t): number {
  return native.sem_destroy(sem(s, 'sem_destroy'));
}
