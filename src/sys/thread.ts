// POSIX threads that run TypeScript. Each is a real pthread; it takes V8's
// lock to run its routine, so one thread runs TypeScript at a time, as in
// CPython, and every blocking call (read, accept, sleep, a mutex, a
// condition, a semaphore, join) drops the lock so that the others run
// meanwhile. Everything in the heap is shared between threads (one isolate);
// only the C-level errno is per thread.
import { native, type Cell } from './native.js';
import { check_cell } from './args.js';
import { end_now } from './exit_steps.js';

/** A thread's id, as pthread_self returns it (the main thread is 1). */
export type pthread_t = number;

/** What pthread_join gives for a canceled thread. */
export const PTHREAD_CANCELED = Symbol('PTHREAD_CANCELED');

/** Thrown by pthread_exit in a thread: it unwinds the routine (finally blocks run). Do not catch it. */
export class ThreadExit {
  constructor(readonly value: unknown) {}
}

/** Thrown at a cancellation point of a canceled thread: it unwinds the routine. Do not catch it. */
export class ThreadCancel extends Error {
  constructor() {
    super('thread canceled (pthread_cancel)');
    this.name = 'ThreadCancel';
  }
}

native.thread_init(ThreadExit, ThreadCancel, PTHREAD_CANCELED);

export const PTHREAD_CREATE_JOINABLE = 0;
export const PTHREAD_CREATE_DETACHED = 1;
export const PTHREAD_CANCEL_ENABLE = 1;
export const PTHREAD_CANCEL_DISABLE = 0;

/** pthread_attr_t: the stack size and the detach state of a new thread. */
export class pthread_attr_t {
  stacksize = 0; // 0: the default (8 MiB)
  detachstate = PTHREAD_CREATE_JOINABLE;
}
export function pthread_attr_init(attr: pthread_attr_t): number {
  attr.stacksize = 0;
  attr.detachstate = PTHREAD_CREATE_JOINABLE;
  return 0;
}
export function pthread_attr_setstacksize(attr: pthread_attr_t, stacksize: number): number {
  if (!Number.isInteger(stacksize) || stacksize < 2 ** 21) return EINVAL_; // V8 needs room for its 1 MiB of frames
  attr.stacksize = stacksize;
  return 0;
}
export function pthread_attr_setdetachstate(attr: pthread_attr_t, state: number): number {
  if (state !== PTHREAD_CREATE_JOINABLE && state !== PTHREAD_CREATE_DETACHED) return EINVAL_;
  attr.detachstate = state;
  return 0;
}
const EINVAL_: number = native.errno_names.EINVAL;

export type start_routine = (arg: any) => unknown;

const AsyncFunction = (async () => {}).constructor;
let exit_hook = false;

// With threads still running TypeScript, Node's own teardown at exit would
// wait for the JS lock forever: exit ends them, as C's exit does.
function on_exit(code: number): void {
  if (native.threads_running() > 0) end_now(on_exit, code);
}

function create(routine: start_routine, arg: unknown, attr: pthread_attr_t | null): number {
  if (typeof routine !== 'function') throw new TypeError('pthread_create: start_routine must be a function');
  if (routine instanceof AsyncFunction) {
    throw new TypeError('pthread_create: start_routine is async: a thread runs synchronous code; promises belong to the main event loop');
  }
  if (!exit_hook) {
    process.on('exit', on_exit);
    exit_hook = true;
  }
  const old = attr?.stacksize ? native.thread_stacksize(attr.stacksize) : 0;
  const id: number = native.pthread_create(routine, arg);
  if (old) native.thread_stacksize(old);
  if (id > 0 && attr?.detachstate === PTHREAD_CREATE_DETACHED) native.pthread_detach(id);
  return id;
}

/**
 * pthread_create(thread, attr, start_routine, arg): 0 and thread.value = the
 * new thread's id, or an error number (EAGAIN), as in C. The routine runs on
 * the new thread with arg; what it returns is what pthread_join gives.
 * pthread_create(start_routine, arg) is a shorthand returning the id.
 */
export function pthread_create(thread: Cell<pthread_t>, attr: pthread_attr_t | null, start_routine: start_routine, arg?: unknown): number;
export function pthread_create(start_routine: start_routine, arg?: unknown): pthread_t;
export function pthread_create(a: Cell<pthread_t> | start_routine, b?: unknown, c?: start_routine, d?: unknown): number {
  if (typeof a === 'function') {
    const id = create(a, b, null);
    if (id < 0) throw new Error(`pthread_create: ${native.strerror(-id)}`);
    return id;
  }
  check_cell('pthread_create', 'thread', 'pthread_t *', a, false);
  const id = create(c as start_routine, d, (b as pthread_attr_t | null) ?? null);
  if (id < 0) return -id;
  a.value = id;
  return 0;
}

/** pthread_join(thread, retval): 0 and retval.value = what the routine returned (PTHREAD_CANCELED if canceled); ESRCH, EINVAL, EDEADLK. */
export function pthread_join(thread: pthread_t, retval: Cell<unknown> | null): number {
  // Checked before the join: after it, the routine's result would be lost.
  check_cell('pthread_join', 'retval', 'void **', retval, true);
  const r = native.pthread_join(thread);
  if (typeof r === 'number') return r;
  if (retval) retval.value = r.value;
  return 0;
}

/** pthread_detach(thread): its resources go when it ends; nobody joins it. 0, ESRCH, EINVAL. */
export const pthread_detach = native.pthread_detach;

/** pthread_self(): the calling thread's id (1 for the main thread). */
export const pthread_self = native.pthread_self;

/** pthread_equal(t1, t2): nonzero when they are the same thread. */
export function pthread_equal(t1: pthread_t, t2: pthread_t): number {
  return t1 === t2 ? 1 : 0;
}

/**
 * pthread_exit(retval): in a thread, ends it with retval (by throwing a
 * ThreadExit, so finally blocks run). In the main thread, as in C, waits for
 * every other thread to end, then ends the process with status 0.
 */
export function pthread_exit(retval?: unknown): never {
  if (native.pthread_self() !== 1) throw new ThreadExit(retval);
  native.threads_wait_all();
  process.exit(0);
}

/** pthread_cancel(thread): 0 or ESRCH. The thread ends at its next cancellation point (a blocking call). */
export const pthread_cancel = native.pthread_cancel;

/** pthread_testcancel(): a cancellation point. */
export const pthread_testcancel = native.pthread_testcancel;

/** pthread_setcancelstate(state, oldstate): PTHREAD_CANCEL_ENABLE or _DISABLE. */
export function pthread_setcancelstate(state: number, oldstate: Cell<number> | null): number {
  check_cell('pthread_setcancelstate', 'oldstate', 'int *', oldstate, true);
  if (state !== PTHREAD_CANCEL_ENABLE && state !== PTHREAD_CANCEL_DISABLE) return EINVAL_;
  const old: number = native.pthread_setcancelstate(state === PTHREAD_CANCEL_ENABLE);
  if (oldstate) oldstate.value = old;
  return 0;
}

/**
 * switch_interval(microseconds): with a value > 0, a thread that has run
 * TypeScript that long while others wait gives the lock up at its next safe
 * point (a call or a loop's back edge), so that races in plain TypeScript
 * show, as with CPython's sys.setswitchinterval. 0 (the default) turns it
 * off: a thread then runs until it blocks or ends. Returns the old value,
 * or -1 with errno EAGAIN when the thread that does the switching could not
 * start (RLIMIT_NPROC, say).
 */
export const switch_interval = native.switch_interval;

/** The threads running now (created and not yet ended). */
export const threads_running = native.threads_running;
