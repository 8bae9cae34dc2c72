// The iterative echo server (CSAPP's echoserveri): accept, echo until EOF,
// close, next. One client at a time: a client that stays connected without
// sending ("out to lunch") blocks everybody behind it.
//
// Changed from the book, so that one client cannot end the server for all: a
// client that resets mid-line ends its own connection (see echo.ts: the
// book's Rio_ wrappers would exit), and accept out of fds sheds the new
// connection instead of exiting (see fd-reserve.ts).
import { cell, sizeof, sockaddr_storage, close } from '../sys/index.js';
import { Open_listenfd, Close, printf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name, four_tuple } from './common.js';
import { echo } from './echo.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

export function echoserveri(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage(); // enough space for any address
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
      echo(connfd, opts.quiet);
      Close(connfd);
      connfd = -1;
    }
  } finally {
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}
