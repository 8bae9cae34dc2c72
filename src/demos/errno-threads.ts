// Demo: errno is per thread. Two threads each fail a different call, in a
// fixed order (two semaphores): thread 1's connect to a closed loopback port
// fails with ECONNREFUSED; then thread 2's open of a missing file fails with
// ENOENT; then thread 1 reads errno: still ECONNREFUSED, its own. Each calls
// perror (to stderr, as C's does). The main thread's errno, set before the
// threads ran, is unchanged after they end. In C, errno is a macro for
// (*__errno_location()), a per-thread variable; so it is here.
import {
  socket, connect, close, open, errno, set_errno, errno_code, strerror, perror, sockaddr_of,
  pthread_create, pthread_join, sem_t, sem_init, sem_wait, sem_post, AF_INET, SOCK_STREAM, O_RDONLY, EDOM,
} from '../sys/index.js';
import { printf } from '../csapp/index.js';
import { LOOPBACK, closed_port } from './common.js';

export interface ErrnoThreadsResult {
  /** errno each thread read after both calls had failed. */
  thread1: number;
  thread2: number;
  /** The main thread's errno before and after the threads. */
  main_before: number;
  main_after: number;
}

const say = (who: string, e: number) => `${who}: errno = ${e} ${errno_code(e)} (${strerror(e)})\n`;

export function errno_threads_demo(missing = '/nonexistent/syscall-lab-errno-demo'): ErrnoThreadsResult {
  const port = closed_port();
  const first_failed = new sem_t(), second_failed = new sem_t();
  sem_init(first_failed, 0, 0);
  sem_init(second_failed, 0, 0);
  const result: ErrnoThreadsResult = { thread1: 0, thread2: 0, main_before: 0, main_after: 0 };

  set_errno(EDOM); // the main thread's own errno, for contrast
  result.main_before = errno();
  printf(say('main', result.main_before));

  const t1 = pthread_create(() => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    const rc = connect(fd, sockaddr_of(LOOPBACK, port));
    printf(`thread 1: connect(${LOOPBACK}:${port}) = ${rc}\n`); // a call that succeeds leaves errno alone
    sem_post(first_failed);
    sem_wait(second_failed); // thread 2 fails its call meanwhile
    result.thread1 = errno();
    printf(say('thread 1, after thread 2 failed', result.thread1));
    perror('thread 1: connect');
    close(fd);
  });
  const t2 = pthread_create(() => {
    sem_wait(first_failed);
    const rc = open(missing, O_RDONLY);
    result.thread2 = errno();
    printf(`thread 2: open("${missing}") = ${rc}\n`);
    printf(say('thread 2', result.thread2));
    perror('thread 2: open');
    sem_post(second_failed);
  });
  pthread_join(t1, null);
  pthread_join(t2, null);

  result.main_after = errno();
  printf(say('main, after both threads', result.main_after));
  printf(result.thread1 !== result.thread2 && result.main_after === result.main_before
    ? 'Each thread read its own errno: a failure in one does not overwrite another\'s.\n'
    : 'errno was shared between threads: unexpected.\n');
  return result;
}
