// The prethreaded echo server (CSAPP's echoservert_pre): a fixed pool of
// worker threads and a bounded buffer of connected fds. The main thread
// accepts and inserts; each worker removes an fd and serves it. echo_cnt
// counts the bytes of every connection in a shared counter, initialized once
// (pthread_once) and guarded by a semaphore.
//
// Changed from the book, so that one client cannot end a worker: a client
// that resets mid-line ends its connection with a message, where the book's
// Rio_ wrappers exit (here: an exception that would end the worker thread,
// one fewer worker a reset, until none serves). Accept out of fds sheds the
// new connection (see fd-reserve.ts); the pool holds at most SBUFSIZE +
// NTHREADS connections, so it rarely comes to that.
import { cell, sizeof, sockaddr_storage, close, sem_t, pthread_once_t } from '../sys/index.js';
import {
  Open_listenfd, Close, Pthread_create, Pthread_detach, Pthread_self, Pthread_once, Sem_init, P, V,
  Rio_readinitb, rio_readlineb, rio_writen, sbuf_t, sbuf_init, sbuf_insert, sbuf_remove, printf,
} from '../csapp/index.js';
import { type ServerOptions, announce, MAXLINE } from './common.js';
import { conn_error } from './echo.js';
import { frame_give, frame_take } from './frame.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

const NTHREADS = 4;
const SBUFSIZE = 16;

// echo_cnt's shared state, as in CSAPP's echo_cnt.c.
let byte_cnt = 0; // bytes received by the server
const mutex = new sem_t(); // protects byte_cnt
const once = new pthread_once_t();

function init_echo_cnt(): void {
  Sem_init(mutex, 0, 1);
  byte_cnt = 0;
}

function echo_cnt(connfd: number, quiet: boolean): void {
  const frame = frame_take(); // C: char buf[MAXLINE]; rio_t rio; (frame.ts)
  const { buf, rio } = frame;
  let n: number;
  try {
    Pthread_once(once, init_echo_cnt);
    Rio_readinitb(rio, connfd);
    while ((n = rio_readlineb(rio, buf, MAXLINE)) !== 0) {
      if (n < 0) return conn_error('rio_readlineb', connfd, quiet);
      P(mutex);
      byte_cnt += n;
      if (!quiet) printf(`server received ${n} (${byte_cnt} total) bytes on fd ${connfd}\n`);
      V(mutex);
      if (rio_writen(connfd, buf, n) < 0) return conn_error('rio_writen', connfd, quiet);
    }
  } finally {
    frame_give(frame);
  }
}

export function echoservert_pre(opts: ServerOptions & { threads?: number }): void {
  const sbuf = new sbuf_t();
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  const tid = cell(0);
  fd_reserve_init();
  announce(listenfd);

  function thread(_vargp: null): null {
    Pthread_detach(Pthread_self());
    for (;;) {
      const connfd = sbuf_remove(sbuf); // remove connfd from the buffer
      try {
        echo_cnt(connfd, Boolean(opts.quiet)); // service the client
      } finally {
        Close(connfd);
      }
    }
  }

  sbuf_init(sbuf, SBUFSIZE);
  for (let i = 0; i < (opts.threads ?? NTHREADS); i++) Pthread_create(tid, null, thread, null); // create the workers
  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      const connfd = Accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) continue; // shed (out of fds) or aborted
      sbuf_insert(sbuf, connfd); // insert connfd in the buffer
    }
  } finally {
    close(listenfd);
  }
}
