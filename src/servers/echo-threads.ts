// The echo server by threads (CSAPP's echoservert): a thread per connection.
// The main thread puts each connfd in a cell of its own (C's malloc'd int)
// and passes that cell: passing the address of one shared variable would be
// a race (see the connfd-race demo). The thread detaches itself, so nobody
// has to join it, echoes, closes.
//
// Changed from the book: accept out of fds sheds the new connection rather
// than exiting (see fd-reserve.ts), and a client that resets ends its own
// thread's echo with a message (see echo.ts).
import { type Cell, cell, sizeof, sockaddr_storage, close } from '../sys/index.js';
import { Open_listenfd, Close, Pthread_create, Pthread_detach, Pthread_self, printf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name } from './common.js';
import { echo } from './echo.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

export function echoservert(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  const tid = cell(0);
  fd_reserve_init();
  announce(listenfd);

  // The thread routine: its argument is the cell holding its connfd.
  function thread(vargp: Cell<number>): null {
    const connfd = vargp.value;
    Pthread_detach(Pthread_self());
    if (opts.verbose) printf(`thread ${Pthread_self()} serves fd ${connfd}\n`);
    try {
      echo(connfd, opts.quiet);
    } finally {
      Close(connfd);
    }
    return null;
  }

  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      const connfd = Accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) continue; // shed (out of fds) or aborted
      const connfdp = cell(connfd); // connfdp = Malloc(sizeof(int)); *connfdp = Accept(...)
      if (!opts.quiet) {
        const [host, port] = client_name(clientaddr, clientlen.value);
        printf(`Connected to (${host}, ${port})\n`);
      }
      Pthread_create(tid, null, thread, connfdp);
    }
  } finally {
    close(listenfd); // SIGINT / SIGTERM from the CLI: the threads end with the process, as in C
  }
}
