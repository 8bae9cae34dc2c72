// The daytime server (RFC 867, Stevens' daytimetcpsrv): iterative, one
// connection at a time. It writes the time of day and closes. With a sleep
// before close, a second client waits for the first: "you will notice".
import { cell, sizeof, sockaddr_storage, close, time, ctime } from '../sys/index.js';
import { Open_listenfd, Accept, Write, Close, Sleep, printf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name } from './common.js';

const encoder = new TextEncoder();

export function daytime_server(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
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
      const ticks = time();
      const buff = encoder.encode(`${ctime(ticks).slice(0, 24)}\r\n`);
      Write(connfd, buff, buff.length);
      if (opts.sleep) Sleep(opts.sleep);
      Close(connfd);
      connfd = -1;
    }
  } finally {
    // Reached when a signal handler (SIGINT / SIGTERM in the CLI) throws.
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}
