// CSAPP's error-handling section (csapp.c: unix_error, posix_error,
// gai_error, app_error) and the one check every Capitalized wrapper makes.
// In C they print and exit; here they throw, so that a server can catch, and
// an uncaught one prints the same line and exits 1 (the report at the end).
import { writeSync } from 'node:fs';
import { UnixError, unix_error, errno_code, strerror, gai_strerror, constants } from '../sys/index.js';

// unix_error (a UnixError with the calling thread's errno) is the raw
// layer's, where UnixError is; this section gives it to the wrappers too.
export { UnixError, unix_error, gai_strerror };

/** posix_error (csapp.c): the pthread functions return their error number instead of setting errno. */
export function posix_error(code: number, syscall: string): never {
  throw new UnixError(syscall, code, errno_code(code), strerror(code));
}

/** gai_error (csapp.c): a getaddrinfo / getnameinfo failure; the UnixError's errno holds the EAI_* code. */
export function gai_error(code: number, syscall: string): never {
  throw new UnixError(syscall, code, eai_name(code), gai_strerror(code));
}

function eai_name(code: number): string {
  for (const [name, value] of Object.entries(constants)) if (name.startsWith('EAI_') && value === code) return name;
  return `EAI_${code}`;
}

/** An error of the program's own, not of a system call (CSAPP's app_error). */
export class AppError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'AppError';
  }
}

/** app_error (csapp.c): throws an AppError; uncaught, it prints msg alone and exits 1. */
export function app_error(msg: string): never {
  throw new AppError(msg);
}

/**
 * The check of every wrapper, where csapp.c writes
 * `if ((rc = call(...)) < 0) unix_error("Call error")`: rc, or a UnixError
 * named after the call with the thread's errno.
 */
export function check(rc: number, syscall: string): number {
  if (rc < 0) unix_error(syscall);
  return rc;
}

// ---- What an uncaught error prints: CSAPP's unix_error line,
// "Open_clientfd error: Connection refused" (app_error's: the message), and
// the process exits 1, as a C lab program would end (csapp.c exits 0; the
// issue's graders want 1: a failure). No Node stack unless asked for:
// SYSCALL_LAB_STACK=1 (what `syscall-lab run --stack` sets) or node's own
// --trace-uncaught. A program that handles uncaught exceptions itself
// ('uncaughtException' listeners, as the syscall-lab CLI has) keeps its own
// handling.

/** CSAPP's unix_error text for err: the wrapper's name, "error", the reason. */
export function unix_error_message(err: UnixError): string {
  const name = err.syscall ? err.syscall[0].toUpperCase() + err.syscall.slice(1) : 'Unix';
  return `${name} error: ${err.strerror ?? err.message}`;
}

/** Whether an uncaught exception should show its stack: SYSCALL_LAB_STACK=1, or node --trace-uncaught. */
export function uncaught_stack_wanted(): boolean {
  const env = process.env.SYSCALL_LAB_STACK;
  if (env !== undefined && env !== '' && env !== '0') return true;
  const node_options = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
  return process.execArgv.includes('--trace-uncaught') || node_options.includes('--trace-uncaught');
}

// By shape, not instanceof: a program may load a second copy of the library.
function is_unix_error(err: unknown): err is UnixError {
  return err instanceof Error && err.name === 'UnixError' && typeof (err as UnixError).syscall === 'string';
}

function is_app_error(err: unknown): err is AppError {
  return err instanceof Error && err.name === 'AppError';
}

// The monitor runs before Node's own report, and adds no 'uncaughtException'
// listener that would change what the program sees.
function on_uncaught(err: unknown): void {
  let line: string;
  if (is_unix_error(err)) line = unix_error_message(err);
  else if (is_app_error(err)) line = err.message;
  else return;
  if (uncaught_stack_wanted()) return;
  if (process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback()) return;
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr is gone: the exit status still says it
  }
  process.exit(1);
}

let installed = false;

/** Installs the report above; the CSAPP layer does it when it is loaded. Idempotent. */
export function install_unix_error_report(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtExceptionMonitor', on_uncaught);
}

install_unix_error_report();
