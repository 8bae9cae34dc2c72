// The daytime server (RFC 867, Stevens' daytimetcpsrv): iterative, one
// connection at a time. It writes the time of day and closes. With a sleep
// before close, a second client waits for the first: "you will notice".
//
// Changed from Stevens, so that one client cannot end the server for all: a
// write to a client that already reset (ECONNRESET, EPIPE) is said and that
// connection closed, where Write's err_sys exits; accept out of fds sheds the
// new connection (see fd-reserve.ts).
import { cell, sizeof, sockaddr_storage, close, write, errno, strerror, time, ctime } from '../sys/index.js';
import { Open_listenfd, Close, Sleep, printf, eprintf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name, four_tuple } from './common.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

const encoder = new TextEncoder();

export function daytime_server(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  let connfd = -1;
  fd_reserve_init();
  announce(listenfd);
  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      connfd = Accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) continue; // shed (out of fds) or aborted
      if (!opts.quiet) {
        const [host, port] = client_name(clientaddr, clientlen.value);
        printf(`Connected to (${host}, ${port})\n`);
      }
      if (opts.verbose) printf(`connection ${four_tuple(connfd, clientaddr, clientlen.value)} on fd ${connfd}\n`);
      const ticks = time();
      const buff = encoder.encode(`${ctime(ticks).slice(0, 24)}\r\n`);
      if (write(connfd, buff, buff.length) < 0) {
        if (!opts.quiet) eprintf(`write: fd ${connfd}: ${strerror(errno())}\n`);
      } else if (opts.sleep) {
        Sleep(opts.sleep);
      }
      Close(connfd);
      connfd = -1;
    }
  } finally {
    // Reached when a signal handler (SIGINT / SIGTERM in the CLI) throws.
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}
