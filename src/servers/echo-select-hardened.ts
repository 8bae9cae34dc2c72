// The echo server by events, hardened: the same select loop as CSAPP's
// echoservers, but nothing in it ever waits on one client. Every fd is
// non-blocking; each client has its own input buffer (a partial line waits
// there, not in a blocked read) and output buffer (an echo the kernel would
// not take yet waits there, and the fd goes into the write set). So a client
// that sends half a line, or never reads its echo, costs the others nothing:
// the weakness of the book's server (see echo-select.ts) is gone.
//
// Also: every pending connection is accepted at once (the listening socket is
// non-blocking), maxfd shrinks when the highest client leaves, a client fd
// >= FD_SETSIZE is refused with a message, and the ready clients are found
// through a dense list rather than a scan of FD_SETSIZE slots. Out of fds
// (EMFILE), accept sheds each waiting connection with a reserve fd (see
// fd-reserve.ts): without it the listening socket stays readable, and the
// loop spins on a failing accept.
import {
  cell, sizeof, sockaddr_storage, close, select, errno, strerror, EINTR, EAGAIN, EWOULDBLOCK, ECONNABORTED, EMFILE, ENFILE,
  FD_SETSIZE, fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, FD_COPY, unix_error,
} from '../sys/index.js';
import { Open_listenfd, printf, eprintf } from '../csapp/index.js';
import { type ServerOptions, announce } from './common.js';
import { echo_conn, set_nonblocking } from './echo-conn.js';
import { fd_reserve_init, accept_reserve } from './fd-reserve.js';

export function echoservers_hardened(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  if (set_nonblocking(listenfd) < 0) unix_error('fcntl');
  const read_set = new fd_set(), write_set = new fd_set();
  const ready_read = new fd_set(), ready_write = new fd_set();
  const clients: echo_conn[] = [];       // the active ones, in no order
  const clientaddr = new sockaddr_storage();
  const clientlen = cell(0);
  let maxfd = listenfd;
  let byte_cnt = 0;
  let refused = 0;

  FD_ZERO(read_set);
  FD_ZERO(write_set);
  FD_SET(listenfd, read_set);
  fd_reserve_init();
  announce(listenfd);

  // Takes every connection waiting in the accept queue.
  function accept_all(): void {
    for (;;) {
      clientlen.value = sizeof.sockaddr_storage;
      const connfd = accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) {
        const e = errno();
        if (e === EAGAIN || e === EWOULDBLOCK) return;
        if (e === EINTR || e === ECONNABORTED) continue;
        if (e === EMFILE || e === ENFILE) continue; // shed (and said once): the next one
        eprintf(`accept: ${strerror(e)}\n`);
        return;
      }
      if (connfd >= FD_SETSIZE) {
        if (refused++ === 0) eprintf(`add_client error: fd ${connfd} >= FD_SETSIZE (${FD_SETSIZE}), select cannot watch it: closed\n`);
        close(connfd);
        continue;
      }
      set_nonblocking(connfd);
      clients.push(new echo_conn(connfd));
      if (opts.verbose) printf(`adding client on fd ${connfd} (pool size ${clients.length})\n`);
      FD_SET(connfd, read_set);
      if (connfd > maxfd) maxfd = connfd;
    }
  }

  // What the connection waits for now: input (no echo pending) or the room to write its echo.
  function update(c: echo_conn): void {
    if (c.pending) {
      FD_CLR(c.fd, read_set);
      FD_SET(c.fd, write_set);
    } else {
      FD_CLR(c.fd, write_set);
      if (!c.eof) FD_SET(c.fd, read_set);
    }
  }

  try {
    for (;;) {
      FD_COPY(read_set, ready_read);
      FD_COPY(write_set, ready_write);
      let nready = select(maxfd + 1, ready_read, ready_write, null, null);
      if (nready < 0) {
        if (errno() === EINTR) continue;
        unix_error('select');
      }
      if (FD_ISSET(listenfd, ready_read)) {
        nready--;
        accept_all();
      }
      let shrink = false;
      for (let i = 0; i < clients.length && nready > 0; i++) {
        const c = clients[i];
        const r = FD_ISSET(c.fd, ready_read), w = FD_ISSET(c.fd, ready_write);
        if (!r && !w) continue;
        nready--;
        if (w) c.on_writable();
        if (r && !c.closed) {
          const before = c.received;
          c.on_readable();
          if (!opts.quiet && c.received > before) {
            byte_cnt += c.received - before;
            printf(`Server received ${c.received - before} (${byte_cnt} total) bytes on fd ${c.fd}\n`);
          }
        }
        if (c.closed) {
          const fd = c.fd;
          FD_CLR(c.fd, read_set);
          FD_CLR(c.fd, write_set);
          if (c.fd === maxfd) shrink = true;
          clients[i] = clients[clients.length - 1]; // swap-remove; the moved one is looked at next
          clients.pop();
          i--;
          if (opts.verbose) printf(`removing client on fd ${fd} (pool size ${clients.length})\n`);
        } else {
          update(c);
        }
      }
      if (shrink) {
        maxfd = listenfd;
        for (const c of clients) if (c.fd > maxfd) maxfd = c.fd;
      }
    }
  } finally {
    // Reached when a signal handler (SIGINT / SIGTERM in the CLI) throws.
    for (const c of clients) c.close();
    close(listenfd);
  }
}
