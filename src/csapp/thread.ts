// CSAPP's thread and semaphore wrappers (Pthread_create, Pthread_detach, P,
// V, ...): the same calls; an error number becomes a UnixError, as
// posix_error does in csapp.c.
import {
  type Cell, type pthread_t, type start_routine, pthread_attr_t, sem_t, pthread_once_t, pthread_create, pthread_join,
  pthread_detach, pthread_self, pthread_exit, pthread_cancel, pthread_once, sem_init, sem_wait, sem_post,
} from '../sys/index.js';
import { check, posix_error } from './errors.js';

export function Pthread_create(tid: Cell<pthread_t>, attr: pthread_attr_t | null, routine: start_routine, arg?: unknown): void {
  const rc = pthread_create(tid, attr, routine, arg);
  if (rc !== 0) posix_error(rc, 'pthread_create');
}
export function Pthread_join(tid: pthread_t, retval: Cell<unknown> | null): void {
  const rc = pthread_join(tid, retval);
  if (rc !== 0) posix_error(rc, 'pthread_join');
}
export function Pthread_detach(tid: pthread_t): void {
  const rc = pthread_detach(tid);
  if (rc !== 0) posix_error(rc, 'pthread_detach');
}
export function Pthread_cancel(tid: pthread_t): void {
  const rc = pthread_cancel(tid);
  if (rc !== 0) posix_error(rc, 'pthread_cancel');
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
  check(sem_init(sem, pshared, value), 'sem_init');
}
/** P(s): wait for s and decrement it (sem_wait, checked). */
export function P(sem: sem_t): void {
  check(sem_wait(sem), 'P');
}
/** V(s): increment s (sem_post, checked). */
export function V(sem: sem_t): void {
  check(sem_post(sem), 'V');
}
