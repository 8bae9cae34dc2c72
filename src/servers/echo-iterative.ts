// The iterative echo server (CSAPP's echoserveri): accept, echo until EOF,
// close, next. One client at a time: a client that stays connected without
// sending ("out to lunch") blocks everybody behind it.
import { cell, sizeof, sockaddr_storage, close } from '../sys/index.js';
import { Open_listenfd, Accept, Close, printf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name } from './common.js';
import { echo } from './echo.js';

export function echoserveri(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage(); // enough space for any address
  let connfd = -1;
  announce(listenfd);
  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      connfd = Accept(listenfd, clientaddr, clientlen);
      if (!opts.quiet) {
        const [host, port] = client_name(clientaddr, clientlen.value);
        printf(`Connected to (${host}, ${port})\n`);
      }
      echo(connfd, opts.quiet);
      Close(connfd);
      connfd = -1;
    }
  } finally {
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}
