// The steps of Node's exit (the exit code, the 'exit' listeners, an
// exception's report) for a process whose own teardown cannot run: a forked
// child (Node's teardown waits for worker threads it does not have) or a
// process whose pthreads still run TypeScript. Internal: process.ts and
// thread.ts use them; the package does not export them.
import { writeSync } from 'node:fs';
import { native, type NativeCalls } from './native.js';

const _exit: NativeCalls['_exit'] = native._exit;

/** The status a process ends with: process.exitCode if set, else code; the low 8 bits, 0 if not an integer. */
export function exit_code(code: unknown): number {
  const c = process.exitCode ?? code;
  const n = typeof c === 'string' ? Number(c) : (c as number | undefined);
  return Number.isInteger(n) ? (n as number) & 0xff : 0;
}

/**
 * Runs the 'exit' listeners registered after `self`, then ends the process
 * with _exit: for a process whose Node teardown would wait for threads that
 * are not there (a forked child) or that still run TypeScript (live pthreads).
 */
export function end_now(self: (code: number) => void, code: number): never {
  const listeners = process.listeners('exit');
  run_exit_listeners(listeners.slice(listeners.indexOf(self) + 1), code, self, null);
  return _exit(exit_code(code));
}

/** Runs the 'exit' listeners but `self` (ours, which would end the process first) and `skip`. */
export function run_exit_listeners(listeners: Function[], code: number, self: Function, skip: Function | null): void {
  for (const l of listeners) {
    if (l === self || l === skip) continue;
    try {
      (l as (code: number) => void).call(process, code);
    } catch (err) {
      // As in Node: the exception ends the 'exit' event, is reported, and
      // the process ends with the code it had, or 1 (an uncaught exception).
      report(err);
      native._exit(exit_code(1));
    }
  }
}

/** Writes an uncaught exception to stderr as Node does. */
export function report(err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? String(err)) : `Uncaught ${String(err)}`;
  try {
    writeSync(2, `${text}\n\nNode.js ${process.version}\n`);
  } catch {
    // stderr is gone: nothing left to tell
  }
}
