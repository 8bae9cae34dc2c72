// CSAPP's process and signal wrappers: the same calls, checked; Signal is the
// book's sigaction wrapper with SA_RESTART.
import {
  type Cell, type sighandler_t, fork, waitpid, wait, kill, sigaction, sigprocmask, sigsuspend, sigemptyset,
  sigfillset, sigaddset, sigdelset, sigismember, struct_sigaction, sigset_t, SA_RESTART, EINTR, errno,
  pause, alarm, setpgid, getpgrp, execve,
} from '../sys/index.js';
import { check, unix_error } from './errors.js';

/** Fork: fork, checked. */
export function Fork(): number {
  return check(fork(), 'fork');
}

/** Execve: execve, checked (it returns only if it failed). */
export function Execve(filename: string, argv: readonly string[], envp: readonly string[] | null): void {
  check(execve(filename, argv, envp), 'execve');
}

/** Waitpid: waitpid, checked (ECHILD is an error here, as in csapp.c). */
export function Waitpid(pid: number, status: Cell<number> | null, options: number): number {
  return check(waitpid(pid, status, options), 'waitpid');
}

/** Wait: wait, checked. */
export function Wait(status: Cell<number> | null): number {
  return check(wait(status), 'wait');
}

export function Kill(pid: number, sig: number): void {
  check(kill(pid, sig), 'kill');
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
  check(setpgid(pid, pgid), 'setpgid');
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
  check(sigaction(signum, action, old_action), 'sigaction');
  return old_action.sa_handler;
}

export function Sigprocmask(how: number, set: sigset_t | null, oldset: sigset_t | null): void {
  check(sigprocmask(how, set, oldset), 'sigprocmask');
}
export function Sigemptyset(set: sigset_t): void {
  check(sigemptyset(set), 'sigemptyset');
}
export function Sigfillset(set: sigset_t): void {
  check(sigfillset(set), 'sigfillset');
}
export function Sigaddset(set: sigset_t, signum: number): void {
  check(sigaddset(set, signum), 'sigaddset');
}
export function Sigdelset(set: sigset_t, signum: number): void {
  check(sigdelset(set, signum), 'sigdelset');
}
export function Sigismember(set: sigset_t, signum: number): number {
  return check(sigismember(set, signum), 'sigismember');
}
/** Sigsuspend: always returns after a handler ran; anything but EINTR is an error. */
export function Sigsuspend(set: sigset_t): void {
  if (sigsuspend(set) !== -1 || errno() !== EINTR) unix_error('sigsuspend');
}
