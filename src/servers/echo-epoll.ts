// The echo server with epoll (Linux): what lies beyond select. The kernel
// keeps the interest list (epoll_ctl once per fd, not a set rebuilt for
// every call), and epoll_wait returns only the fds that are ready, so a call
// costs the number of ready fds, not the highest fd; and there is no
// FD_SETSIZE. Level-triggered, non-blocking fds, a buffer per client (as
// echo-select-hardened): no client can stall the others. Out of fds
// (EMFILE), accept sheds each waiting connection with a reserve fd (see
// fd-reserve.ts): level-triggered, the listening socket would be reported
// ready again at once, and the loop would spin on a failing accept.
import {
  cell, sizeof, sockaddr_storage, close, errno, strerror, EINTR, EAGAIN, EWOULDBLOCK, ECONNABORTED, EMFILE, ENFILE,
  epoll_create1, epoll_ctl, epoll_wait, epoll_event, EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLL_CTL_ADD, EPOLL_CTL_MOD,
  EPOLL_CLOEXEC, unix_error,
} from '../sys/index.js';
import { Open_listenfd, Close, printf, eprintf } from '../csapp/index.js';
import { type ServerOptions, announce } from './common.js';
import { echo_conn, set_nonblocking } from './echo-conn.js';
import { fd_reserve_init, accept_reserve } from './fd-reserve.js';

const MAXEVENTS = 64;

export function echoserver_epoll(opts: ServerOptions): void {
  if (process.platform !== 'linux') throw new Error('echo-epoll: epoll is Linux only (on macOS, kqueue is its counterpart)');
  const epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) unix_error('epoll_create1');
  let listenfd = -1;
  const clients = new Map<number, echo_conn>();
  try {
    listenfd = Open_listenfd(opts.port, opts.host);
    if (set_nonblocking(listenfd) < 0) unix_error('fcntl');
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = listenfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listenfd, ev) < 0) unix_error('epoll_ctl');
    fd_reserve_init();
    announce(listenfd);

    const events: epoll_event[] = Array.from({ length: MAXEVENTS }, () => new epoll_event());
    const clientaddr = new sockaddr_storage();
    const clientlen = cell(0);
    const interest = new epoll_event();
    let byte_cnt = 0;

    for (;;) {
      const n = epoll_wait(epfd, events, MAXEVENTS, -1);
      if (n < 0) {
        if (errno() === EINTR) continue;
        unix_error('epoll_wait');
      }
      for (let i = 0; i < n; i++) {
        const fd = events[i].data.fd!;
        const what = events[i].events;
        if (fd === listenfd) {
          for (;;) { // every connection waiting in the queue
            clientlen.value = sizeof.sockaddr_storage;
            const connfd = accept_reserve(listenfd, clientaddr, clientlen);
            if (connfd < 0) {
              const e = errno();
              if (e === EINTR || e === ECONNABORTED) continue;
              if (e === EMFILE || e === ENFILE) continue; // shed (and said once): the next one
              if (e !== EAGAIN && e !== EWOULDBLOCK) eprintf(`accept: ${strerror(e)}\n`);
              break;
            }
            set_nonblocking(connfd);
            interest.events = EPOLLIN;
            interest.data = { fd: connfd };
            if (epoll_ctl(epfd, EPOLL_CTL_ADD, connfd, interest) < 0) {
              eprintf(`epoll_ctl: ${strerror(errno())}\n`);
              close(connfd);
              continue;
            }
            clients.set(connfd, new echo_conn(connfd));
          }
          continue;
        }
        const c = clients.get(fd);
        if (c === undefined) continue;
        const was = c.pending;
        if (what & EPOLLOUT) c.on_writable();
        // EPOLLHUP / EPOLLERR: the read says what happened (0 or an error).
        if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c.closed && !c.pending) {
          const before = c.received;
          c.on_readable();
          if (!opts.quiet && c.received > before) {
            byte_cnt += c.received - before;
            printf(`Server received ${c.received - before} (${byte_cnt} total) bytes on fd ${fd}\n`);
          }
        }
        if (c.closed) { // close() took it out of the interest list too
          clients.delete(fd);
        } else if (c.pending !== was) {
          // Echo pending: wait for room to write, stop reading; drained: read again.
          interest.events = c.pending ? EPOLLOUT : EPOLLIN;
          interest.data = { fd };
          epoll_ctl(epfd, EPOLL_CTL_MOD, fd, interest);
        }
      }
    }
  } finally {
    for (const c of clients.values()) c.close();
    if (listenfd >= 0) close(listenfd);
    Close(epfd);
  }
}
