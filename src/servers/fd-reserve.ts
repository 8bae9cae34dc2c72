// Out of fds: what a server does when accept fails with EMFILE (its own
// table is full, RLIMIT_NOFILE) or ENFILE (the system's is).
//
// The lesson: accept fails *before* it takes the connection, so the
// connection stays in the queue. A select or epoll server then sees the
// listening socket readable again at once and spins (a whole core, and a
// message a turn: millions of lines); a server using the book's Accept
// wrapper calls unix_error and exits, dropping every client it had.
//
// The classic answer (libev, nginx, Go's net package back off instead): keep
// one fd in reserve. When accept fails for want of fds, close the reserve,
// accept the waiting connection with the fd that frees, close it at once (the
// client sees EOF rather than waiting forever in the queue) and take the
// reserve again. The server goes on serving the clients it has, says so once,
// and accepts as before as soon as a client leaves. One home for every
// server: accept_reserve for the non-blocking and raw loops, Accept_reserve
// for the book's (blocking, unix_error on other errors).
import {
  type Cell, type sockaddr, accept, close, socket, errno, set_errno, strerror, usleep, unix_error,
  AF_UNIX, SOCK_DGRAM, SOCK_CLOEXEC, EMFILE, ENFILE, ECONNABORTED, EINTR,
} from '../sys/index.js';
import { eprintf } from '../csapp/index.js';

let reserve = -1;
/** In an episode of fd exhaustion (said once, until an accept succeeds again). */
let exhausted = false;

// Any fd will do (C opens /dev/null); a datagram socket costs nothing.
function take_reserve(): void {
  if (reserve < 0) reserve = socket(AF_UNIX, SOCK_DGRAM | (SOCK_CLOEXEC ?? 0), 0);
}

/** Takes the reserve fd: call once when the server starts, before it accepts. */
export function fd_reserve_init(): void {
  take_reserve();
}

/**
 * accept, out of fds included: like accept(2), except that on EMFILE or
 * ENFILE it sheds the waiting connection with the reserve fd and returns -1
 * with errno still EMFILE / ENFILE (or the shedding accept's errno, EAGAIN
 * when nothing was waiting on a non-blocking socket). The first failure of
 * an episode prints one line; the next successful accept ends the episode.
 */
export function accept_reserve(listenfd: number, addr?: sockaddr | null, addrlen?: Cell<number> | null): number {
  const connfd = accept(listenfd, addr, addrlen);
  if (connfd >= 0) {
    if (exhausted) {
      exhausted = false;
      eprintf('accept: fds are free again: accepting\n');
    }
    take_reserve(); // if an earlier episode could not take it back
    return connfd;
  }
  const e = errno();
  if (e !== EMFILE && e !== ENFILE) return -1;
  if (!exhausted) {
    exhausted = true;
    eprintf(`accept: ${strerror(e)}: closing new connections until fds come back\n`);
  }
  if (reserve >= 0) {
    close(reserve);
    reserve = -1;
    const shed = accept(listenfd, null, null); // on a blocking socket: waits for the next client
    const shed_errno = errno();
    if (shed >= 0) close(shed);
    take_reserve();
    // Nothing was waiting (a full table fails accept before it looks at the
    // queue): EAGAIN, so that a non-blocking loop goes back to its select.
    if (shed < 0) {
      set_errno(shed_errno);
      return -1;
    }
  } else {
    take_reserve();
    if (reserve < 0) usleep(100_000); // no reserve to be had: back off rather than spin
  }
  set_errno(e);
  return -1;
}

/**
 * The book's Accept, with the reserve: the connection, or -1 when it was shed
 * for want of fds or aborted by the client before it was taken
 * (ECONNABORTED: Stevens, UNP 5.11), or interrupted (EINTR). Any other error
 * ends the server, as unix_error does.
 */
export function Accept_reserve(listenfd: number, addr?: sockaddr | null, addrlen?: Cell<number> | null): number {
  const connfd = accept_reserve(listenfd, addr, addrlen);
  if (connfd < 0) {
    const e = errno();
    if (e !== EMFILE && e !== ENFILE && e !== ECONNABORTED && e !== EINTR) unix_error('accept');
  }
  return connfd;
}
