// CSAPP's thread and semaphore wrappers (Pthread_create, Pthread_detach, P,
// V, ...): the same calls; an error number becomes a UnixError, as
// posix_error does in csapp.c.
import {
  type Cell, type pthread_t, type start_routine, pthread_attr_t, sem_t, pthread_once_t, pthread_create, pthread_join,
  pthread_detach, pthread_self, pthread_exit, pthread_cancel, pthread_once, sem_init, sem_wait, sem_post, UnixError,
  errno_code, strerror, unix_error,
} from '../sys/index.js';

/** posix_error (csapp.c): the pthread functions return their error instead of setting errno. */
export function posix_error(code: number, syscall: string): never {
  throw new UnixError(syscall, code, errno_code(code), strerror(code));
}

function check(rc: number, syscall: string): void {
  if (rc !== 0) posix_error(rc, syscall);
}

export function Pthread_create(tid: Cell<pthread_t>, attr: pthread_attr_t | null, routine: start_routine, arg?: unknown): void {
  check(pthread_create(tid, attr, routine, arg), 'pthread_create');
}
export function Pthread_join(tid: pthread_t, retval: Cell<unknown> | null): void {
  check(pthread_join(tid, retval), 'pthread_join');
}
export function Pthread_detach(tid: pthread_t): void {
  check(pthread_detach(tid), 'pthread_detach');
}
export function Pthread_cancel(tid: pthread_t): void {
  check(pthread_cancel(tid), 'pthread_cancel');
}
export function Pthread_self(): pthread_t {
  return pthread_self();
}
export function Pthread_exit(retval?: unknown): never {
  return pthread_exit(retval);
}
export function Pthread_once(once: pthread_once_t, init: () => void): void {
  pthread_once(once, init);
}
export function Sem_init(sem: sem_t, pshared: number, value: number): void {
  if (sem_init(sem, pshared, value) < 0) unix_error('sem_init');
}
/** P(s): wait for s and decrement it (sem_wait, checked). */
export function P(sem: sem_t): void {
  if (sem_wait(sem) < 0) unix_error('P');
}
/** V(s): increment s (sem_post, checked). */
export function V(sem: sem_t): void {
  if (sem_post(sem) < 0) unix_error('V');
}
