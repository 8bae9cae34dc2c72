// Processes with C semantics: fork, waitpid, exit, kill... fork gives a child
// that keeps running TypeScript (timers, GC, console, the addon) for as long
// as it likes; every way out of the child ends in _exit with its status,
// because Node's own teardown waits for threads the child does not have.
import { native, type Cell, type NativeCalls } from './native.js';
import { check_cell, check_int } from './args.js';
import { ENOSYS, PR_GET_CHILD_SUBREAPER, PR_GET_PDEATHSIG } from './constants.js';
import { set_errno } from './errno.js';
import { end_now, exit_code, report, run_exit_listeners } from './exit_steps.js';

/** _exit(status): ends the process at once: no 'exit' listeners, no teardown. */
// Typed explicitly: only then does TypeScript see that a call never returns.
export const _exit: NativeCalls['_exit'] = native._exit;

/**
 * fork(): the child's pid in the parent, 0 in the child, -1 with errno
 * (EAGAIN under RLIMIT_NPROC, or when a V8 worker could not be parked).
 * The child has one thread, a copy of the heap, and the parent's fds.
 */
export function fork(): number {
  if (!hooks_installed) {
    install_child_hooks();
  } else if (native.major_gcs() !== warmed_at) {
    // V8 drops the bytecode of functions no full GC has seen run for a while:
    // keep the children's way out compiled in a parent that lives long.
    warm_child_exit();
  }
  const pid: number = native.fork();
  if (pid === 0) {
    // The child's own setup is inline, in code the parent has run: a child
    // that had to compile it first (V8 compiles lazily, per process) spends
    // more on that than on the rest of its short life. The addon has started
    // the watch for the child's natural end.
    in_child = true; // a grandchild inherits this
    current_pid = native.getpid();
  }
  return pid;
}

/** process's members that Node keeps out of its types. */
const node_process = process as unknown as { _exiting: boolean; reallyExit: (code?: number) => void };

/** True in a forked child (and in its own children). */
let in_child = false;
let hooks_installed = false;
/** The parent's count of full GCs when it last ran the children's way out. */
let warmed_at = -1;
/** What process.pid gives: fixed up in a forked child. */
let current_pid = process.pid;
/**
 * Node's own 'exit' listener while an ES module main runs (it sets exit code
 * 13 for a top-level await that never settles), or null: process.exit
 * removes it before it emits 'exit'.
 */
let node_tla_listener: Function | null = null;

// Installed once, in the parent, before its first fork, and inert there: so
// every child inherits them, already compiled. In a child they make every
// way out end in _exit.
function install_child_hooks(): void {
  hooks_installed = true;
  // process.pid is a value Node set at start-up: an accessor instead, so
  // that a child only stores its own pid (no new property in every child).
  Object.defineProperty(process, 'pid', { get: () => current_pid, enumerable: true, configurable: true });
  // process.exit: after the 'exit' listeners, Node calls reallyExit.
  const reallyExit = node_process.reallyExit;
  node_process.reallyExit = function (code?: number) {
    if (in_child) native._exit(exit_code(code));
    reallyExit.call(process, code);
  };
  // The end of the script: Node emits 'exit', then tears down; ours runs the
  // listeners added after it, then ends the process before the teardown. (In
  // a child, the addon watches for the loop running dry and emits 'beforeExit'
  // and 'exit' for Node, which would wait for its workers first.)
  process.on('exit', on_exit);
  // An uncaught exception (or unhandled rejection) that nothing handles:
  // report it as Node does and exit 1. The monitor runs before Node's own
  // handling and adds no 'uncaughtException' listener the program could see.
  process.on('uncaughtExceptionMonitor', on_uncaught);
  node_tla_listener = process.listeners('exit').find(
    (l) => l.name === 'handleProcessExit' && String(native.script_name(l)).startsWith('node:internal/')) ?? null;
  warm_child_exit();
}

/**
 * Runs, in the parent, what a child runs on its way out, wherever that can
 * be done without effect: V8 compiles a function on its first call, so a
 * child finds these compiled instead of compiling them for itself.
 */
function warm_child_exit(): void {
  warmed_at = native.major_gcs();
  on_exit(exit_code(undefined)); // inert outside a child
  exit_child(0, true);
  run_exit_listeners([], 0, on_exit, null);
  try {
    exit(0.5); // a TypeError before anything is done: only compiles exit
  } catch {
    // as it should
  }
  process.listeners('exit');
  process.listenerCount('uncaughtException');
  node_process._exiting = node_process._exiting; // its getter and its setter (false in the parent)
  // The exitCode setter and its validation, put back as it was.
  const saved = process.exitCode;
  process.exitCode = 0;
  process.exitCode = saved;
}


function on_exit(code: number): void {
  if (in_child) end_now(on_exit, code);
}

/**
 * process.exit's own steps, for a forked child: the exit code, then the
 * 'exit' listeners (C's atexit), once, then _exit. Node's process.exit does
 * the same, but in code that every child compiles for itself, which costs a
 * short-lived child about as much as its whole work. (`warm` only compiles
 * this, in the parent.) The natural end goes through Node's own 'exit'
 * instead (the addon's end watch), and on_exit.
 */
function exit_child(code: number, warm = false): never {
  if (warm) return undefined as never;
  process.exitCode = code;
  if (!node_process._exiting) {
    node_process._exiting = true;
    run_exit_listeners(process.listeners('exit'), code, on_exit, node_tla_listener);
  }
  return _exit(exit_code(code));
}




function on_uncaught(err: unknown): void {
  if (!in_child) return;
  // The program handles it: Node calls its handler next.
  if (process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback()) return;
  report(err);
  exit_child(1);
}

/** waitpid(pid, status, options): the pid reaped, 0 (WNOHANG, none ready), or -1 (ECHILD, EINTR). status is a cell or null. */
export const waitpid = native.waitpid;

/** wait(status): waitpid(-1, status, 0). */
export function wait(status: Cell<number> | null): number {
  return native.waitpid(-1, status, 0);
}

/** The status macros of <sys/wait.h>. */
export const WIFEXITED: (status: number) => boolean = (s) => native.WIFEXITED(s) !== 0;
export const WEXITSTATUS = native.WEXITSTATUS;
export const WIFSIGNALED: (status: number) => boolean = (s) => native.WIFSIGNALED(s) !== 0;
export const WTERMSIG = native.WTERMSIG;
export const WIFSTOPPED: (status: number) => boolean = (s) => native.WIFSTOPPED(s) !== 0;
export const WSTOPSIG = native.WSTOPSIG;
export const WIFCONTINUED: (status: number) => boolean = (s) => native.WIFCONTINUED(s) !== 0;
export const WCOREDUMP: (status: number) => boolean = (s) => native.WCOREDUMP(s) !== 0;


/**
 * exit(status): C's exit: the 'exit' listeners run (C's atexit), stdio is
 * flushed, the process ends with status. In a forked child it ends in _exit.
 */
export function exit(status: number): never {
  check_int('exit', 'status', status, -0x80000000, 0x7fffffff); // C's int
  if (in_child) exit_child(status);
  process.exit(status);
}

/**
 * fork_warmup(): Node-specific, not POSIX. For a process about to fork many
 * short-lived children (a fork-per-connection server), once its start-up is
 * over: a full, compacting GC and the C library's free memory given back
 * (malloc_trim), so that each fork copies, and each child's exit tears down,
 * fewer pages. Takes some milliseconds; changes nothing a program can see.
 * Ruby's Process.warmup is the same idea.
 */
export const fork_warmup = native.fork_warmup;

/** getpid(): the real call (process.pid is fixed up in a forked child too). */
export const getpid = native.getpid;
/** getppid(). */
export const getppid = native.getppid;
/** getpgrp(): the caller's process group. */
export const getpgrp = native.getpgrp;
/** getpgid(pid): the process group of pid (0: the caller), or -1 with ESRCH. */
export const getpgid = native.getpgid;
/**
 * setpgid(pid, pgid): moves pid (0: the caller) into group pgid (0: a new
 * group whose id is pid's). 0, or -1 with EINVAL, EPERM, ESRCH. kill(-pgid,
 * sig) then signals the whole group, as a shell's job control does.
 */
export const setpgid = native.setpgid;
/** kill(pid, sig): 0 or -1 (EINVAL for a bad signal, ESRCH, EPERM). */
export const kill = native.kill;
/**
 * killpg(pgrp, sig): kill(-pgrp, sig), the whole group (0: the caller's).
 * 0 or -1 (EINVAL, ESRCH, EPERM); EINVAL for pgrp 1, which POSIX leaves
 * undefined and glibc would make every process the user may signal.
 */
export const killpg = native.killpg;
/** alarm(seconds): SIGALRM after that many seconds; the seconds left of the previous alarm. */
export const alarm = native.alarm;

/**
 * prctl(option, arg2) (Linux): the options that take or give an int.
 * PR_SET_CHILD_SUBREAPER with 1: an orphan among the caller's descendants
 * becomes the caller's child (reaped by its waitpid), not init's.
 * PR_SET_PDEATHSIG with a signal (0: none): sent to the caller when its
 * parent dies. PR_GET_CHILD_SUBREAPER, PR_GET_PDEATHSIG: arg2 is a cell, C's
 * `int *`, and gets the value. 0, or -1 with errno: EINVAL for a bad signal
 * or another option (those that take a pointer are not offered); ENOSYS off
 * Linux.
 */
export function prctl(option: number, arg2: number | Cell<number>): number {
  check_int('prctl', 'option', option, -0x80000000, 0x7fffffff);
  const get = option === PR_GET_CHILD_SUBREAPER || option === PR_GET_PDEATHSIG;
  if (get) check_cell('prctl', 'arg2', 'int *', arg2, false);
  else check_int('prctl', 'arg2', arg2, -0x80000000, 0x7fffffff);
  if (!native.prctl) return (set_errno(ENOSYS), -1);
  if (!get) return native.prctl(option, arg2 as number);
  const r = native.prctl(option, 0);
  if (r < 0) return -1;
  (arg2 as Cell<number>).value = r;
  return 0;
}
