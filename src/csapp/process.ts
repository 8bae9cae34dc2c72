// CSAPP's process and signal wrappers: the same calls, checked; Signal is the
// book's sigaction wrapper with SA_RESTART.
import {
  type Cell, type sighandler_t, fork, waitpid, wait, kill, sigaction, sigprocmask, sigsuspend, sigemptyset,
  sigfillset, sigaddset, sigdelset, sigismember, struct_sigaction, sigset_t, unix_error, SA_RESTART, EINTR, errno,
  pause, alarm, setpgid, getpgrp, execve,
} from '../sys/index.js';

/** Fork: fork, checked. */
export function Fork(): number {
  const pid = fork();
  if (pid < 0) unix_error('fork');
  return pid;
}

/** Execve: execve, checked (it returns only if it failed). */
export function Execve(filename: string, argv: readonly string[], envp: readonly string[] | null): void {
  if (execve(filename, argv, envp) < 0) unix_error('execve');
}

/** Waitpid: waitpid, checked (ECHILD is an error here, as in csapp.c). */
export function Waitpid(pid: number, status: Cell<number> | null, options: number): number {
  const r = waitpid(pid, status, options);
  if (r < 0) unix_error('waitpid');
  return r;
}

/** Wait: wait, checked. */
export function Wait(status: Cell<number> | null): number {
  const r = wait(status);
  if (r < 0) unix_error('wait');
  return r;
}

export function Kill(pid: number, sig: number): void {
  if (kill(pid, sig) < 0) unix_error('kill');
}

/** Pause: pause, whose -1 / EINTR is its normal return. */
export function Pause(): void {
  pause();
}

/** Alarm: alarm (it cannot fail); the seconds left of the previous alarm. */
export function Alarm(seconds: number): number {
  return alarm(seconds);
}

export function Setpgid(pid: number, pgid: number): void {
  if (setpgid(pid, pgid) < 0) unix_error('setpgid');
}

/** Getpgrp: getpgrp (it cannot fail). */
export function Getpgrp(): number {
  return getpgrp();
}

/**
 * Signal (csapp.c): installs handler with sigaction, sa_mask empty (only the
 * signal being handled is blocked) and SA_RESTART (an interrupted call
 * resumes). Returns the previous handler.
 */
export function Signal(signum: number, handler: sighandler_t): sighandler_t {
  const action = new struct_sigaction();
  const old_action = new struct_sigaction();
  action.sa_handler = handler;
  sigemptyset(action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(signum, action, old_action) < 0) unix_error('sigaction');
  return old_action.sa_handler;
}

export function Sigprocmask(how: number, set: sigset_t | null, oldset: sigset_t | null): void {
  if (sigprocmask(how, set, oldset) < 0) unix_error('sigprocmask');
}
export function Sigemptyset(set: sigset_t): void {
  if (sigemptyset(set) < 0) unix_error('sigemptyset');
}
export function Sigfillset(set: sigset_t): void {
  if (sigfillset(set) < 0) unix_error('sigfillset');
}
export function Sigaddset(set: sigset_t, signum: number): void {
  if (sigaddset(set, signum) < 0) unix_error('sigaddset');
}
export function Sigdelset(set: sigset_t, signum: number): void {
  if (sigdelset(set, signum) < 0) unix_error('sigdelset');
}
export function Sigismember(set: sigset_t, signum: number): number {
  const r = sigismember(set, signum);
  if (r < 0) unix_error('sigismember');
  return r;
}
/** Sigsuspend: always returns after a handler ran; anything but EINTR is an error. */
export function Sigsuspend(set: sigset_t): void {
  if (sigsuspend(set) !== -1 || errno() !== EINTR) unix_error('sigsuspend');
}
