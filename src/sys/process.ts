// Processes with C semantics: fork, waitpid, exit, kill... fork gives a child
// that keeps running TypeScript (timers, GC, console, the addon) for as long
// as it likes; every way out of the child ends in _exit with its status,
// because Node's own teardown waits for threads the child does not have.
import { writeSync } from 'node:fs';
import { native, type Cell } from './native.js';

/** _exit(status): ends the process at once: no 'exit' listeners, no teardown. */
export const _exit: (status: number) => never = native._exit;

/**
 * fork(): the child's pid in the parent, 0 in the child, -1 with errno
 * (EAGAIN under RLIMIT_NPROC, or when a V8 worker could not be parked).
 * The child has one thread, a copy of the heap, and the parent's fds.
 */
export function fork(): number {
  const pid: number = native.fork();
  if (pid === 0) become_child();
  return pid;
}

let child_hooks = false;

// In the child: a true process.pid, and exits that end in _exit.
function become_child(): void {
  Object.defineProperty(process, 'pid', { value: native.getpid(), enumerable: true, configurable: true, writable: false });
  if (child_hooks) return; // a grandchild inherits them with the heap
  child_hooks = true;
  // process.exit: after the 'exit' listeners, Node calls reallyExit.
  (process as unknown as { reallyExit: (code?: number) => void }).reallyExit = (code?: number) => native._exit(exit_code(code));
  // The end of the script: Node emits 'exit', then tears down; ours runs the
  // listeners added after it, then ends the process before the teardown.
  process.on('exit', on_exit);
  // An uncaught exception (or unhandled rejection): report it as Node does,
  // exit 1. A handler of the program's own takes precedence, as in Node.
  process.on('uncaughtException', on_uncaught);
  // The end of the event loop: Node would wait there for worker threads the
  // child does not have, so the addon ends it first, the way Node would.
  native.child_end_watch(
    () => process.emit('beforeExit', exit_code(0)),
    () => process.exit(),
  );
}

function exit_code(code: unknown): number {
  const c = process.exitCode ?? code;
  const n = typeof c === 'string' ? Number(c) : (c as number | undefined);
  return Number.isInteger(n) ? (n as number) & 0xff : 0;
}

function on_exit(code: number): void {
  end_now(on_exit, code);
}

/**
 * Runs the 'exit' listeners registered after `self`, then ends the process
 * with _exit: for a process whose Node teardown would wait for threads that
 * are not there (a forked child) or that still run TypeScript (live pthreads).
 */
export function end_now(self: (code: number) => void, code: number): never {
  const listeners = process.listeners('exit');
  for (const l of listeners.slice(listeners.indexOf(self) + 1)) {
    try {
      (l as (code: number) => void).call(process, code);
    } catch (err) {
      report(err);
      native._exit(7); // Node's exit code for an exception in an internal handler
    }
  }
  return _exit(exit_code(code));
}

function report(err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? String(err)) : `Uncaught ${String(err)}`;
  try {
    writeSync(2, `${text}\n\nNode.js ${process.version}\n`);
  } catch {
    // stderr is gone: nothing left to tell
  }
}

function on_uncaught(err: unknown): void {
  if (process.listenerCount('uncaughtException') > 1) return; // the program handles it
  report(err);
  process.exitCode = 1;
  process.exit(1);
}

/** waitpid(pid, status, options): the pid reaped, 0 (WNOHANG, none ready), or -1 (ECHILD, EINTR). status is a cell or null. */
export const waitpid: (pid: number, status: Cell<number> | null, options: number) => number = native.waitpid;

/** wait(status): waitpid(-1, status, 0). */
export function wait(status: Cell<number> | null): number {
  return native.waitpid(-1, status, 0);
}

/** The status macros of <sys/wait.h>. */
export const WIFEXITED: (status: number) => boolean = (s) => native.WIFEXITED(s) !== 0;
export const WEXITSTATUS: (status: number) => number = native.WEXITSTATUS;
export const WIFSIGNALED: (status: number) => boolean = (s) => native.WIFSIGNALED(s) !== 0;
export const WTERMSIG: (status: number) => number = native.WTERMSIG;
export const WIFSTOPPED: (status: number) => boolean = (s) => native.WIFSTOPPED(s) !== 0;
export const WSTOPSIG: (status: number) => number = native.WSTOPSIG;
export const WIFCONTINUED: (status: number) => boolean = (s) => native.WIFCONTINUED(s) !== 0;
export const WCOREDUMP: (status: number) => boolean = (s) => native.WCOREDUMP(s) !== 0;


/**
 * exit(status): C's exit: the 'exit' listeners run (C's atexit), stdio is
 * flushed, the process ends with status. In a forked child it ends in _exit.
 */
export function exit(status: number): never {
  if (!Number.isInteger(status)) throw new TypeError(`exit: status must be an integer, got ${status}`);
  process.exit(status);
}

/** getpid(): the real call (process.pid is fixed up in a forked child too). */
export const getpid: () => number = native.getpid;
/** getppid(). */
export const getppid: () => number = native.getppid;
/** kill(pid, sig): 0 or -1 (EINVAL for a bad signal, ESRCH, EPERM). */
export const kill: (pid: number, sig: number) => number = native.kill;
/** alarm(seconds): SIGALRM after that many seconds; the seconds left of the previous alarm. */
export const alarm: (seconds: number) => number = native.alarm;
