// The echo server by events (CSAPP's echoservers): one flow of control, a
// pool of connected descriptors, select. init_pool, add_client and
// check_clients read like the book's.
//
// Kept from the book, on purpose: its weakness. check_clients reads a whole
// line with rio_readlineb, which blocks until the '\n' comes; a client that
// sends half a line and stops stalls every other client (the select-dos demo).
//
// Changed from the book, so that one client cannot end the server for all:
// a client fd >= FD_SETSIZE (select cannot watch it; in C, FD_SET would write
// past the set) or a full pool closes that connection with a message, where
// the book's app_error ends the process; a read or write error on a
// connection (a client that reset) closes that connection, where the book's
// Rio_ wrappers end the process. The C benchmark server does the same.
// Accept out of fds sheds the new connection (see fd-reserve.ts), where the
// book's Accept exits.
import { cell, sizeof, sockaddr_storage, close, errno, strerror, FD_SETSIZE, fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, FD_COPY } from '../sys/index.js';
import { Open_listenfd, Select, Close, rio_t, rio_readinitb, rio_readlineb, rio_writen, printf, eprintf } from '../csapp/index.js';
import { type ServerOptions, MAXLINE, announce } from './common.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

/** Represents a pool of connected descriptors (CSAPP's pool struct). */
export class pool {
  /** Largest descriptor in read_set. */
  maxfd = -1;
  /** Set of all active descriptors. */
  read_set = new fd_set();
  /** Subset of descriptors ready for reading. */
  ready_set = new fd_set();
  /** Number of ready descriptors from select. */
  nready = 0;
  /** High water index into the client array. */
  maxi = -1;
  /** Set of active descriptors. */
  clientfd = new Int32Array(FD_SETSIZE);
  /** Set of active read buffers (made when a slot is first used: 8 KiB each). */
  clientrio: rio_t[] = new Array(FD_SETSIZE);
}

/** Counts the total bytes received by the server. */
let byte_cnt = 0;

export function init_pool(listenfd: number, p: pool): void {
  // Initially, there are no connected descriptors.
  p.maxi = -1;
  p.clientfd.fill(-1);
  // Initially, listenfd is the only member of the select read set.
  p.maxfd = listenfd;
  FD_ZERO(p.read_set);
  FD_SET(listenfd, p.read_set);
}

/** The number of connected descriptors in the pool. */
export function pool_size(p: pool): number {
  let n = 0;
  for (let i = 0; i <= p.maxi; i++) if (p.clientfd[i] >= 0) n++;
  return n;
}

export function add_client(connfd: number, p: pool, verbose = false): void {
  let i: number;
  p.nready--;
  if (connfd >= FD_SETSIZE) { // the book would FD_SET past the end of read_set
    eprintf(`add_client error: fd ${connfd} >= FD_SETSIZE (${FD_SETSIZE}), select cannot watch it: closed\n`);
    close(connfd);
    return;
  }
  for (i = 0; i < FD_SETSIZE; i++) { // find an available slot
    if (p.clientfd[i] < 0) {
      // Add connected descriptor to the pool.
      p.clientfd[i] = connfd;
      rio_readinitb(p.clientrio[i] ??= new rio_t(), connfd);
      // Add the descriptor to the descriptor set.
      FD_SET(connfd, p.read_set);
      // Update max descriptor and pool high water mark.
      if (connfd > p.maxfd) p.maxfd = connfd;
      if (i > p.maxi) p.maxi = i;
      if (verbose) printf(`adding client on fd ${connfd} (pool size ${pool_size(p)})\n`);
      break;
    }
  }
  if (i === FD_SETSIZE) { // couldn't find an empty slot
    eprintf(`add_client error: Too many clients: fd ${connfd} closed\n`);
    close(connfd);
  }
}

export function check_clients(p: pool, quiet = false, verbose = false): void {
  const buf = check_buf;
  for (let i = 0; i <= p.maxi && p.nready > 0; i++) {
    const connfd = p.clientfd[i];
    const rio = p.clientrio[i];

    // If the descriptor is ready, echo a text line from it.
    if (connfd > 0 && FD_ISSET(connfd, p.ready_set)) {
      p.nready--;
      const n = rio_readlineb(rio, buf, MAXLINE); // blocks until a whole line: the weakness
      if (n > 0) {
        byte_cnt += n;
        if (!quiet) printf(`Server received ${n} (${byte_cnt} total) bytes on fd ${connfd}\n`);
        rio_writen(connfd, buf, n); // a failed write shows as EOF or an error on the next read
      } else { // EOF detected (or an error): remove descriptor from pool
        if (n < 0 && !quiet) eprintf(`rio_readlineb: fd ${connfd}: ${strerror(errno())}\n`);
        Close(connfd);
        FD_CLR(connfd, p.read_set);
        p.clientfd[i] = -1;
        if (verbose) printf(`removing client on fd ${connfd} (pool size ${pool_size(p)})\n`);
      }
    }
  }
}

const check_buf = new Uint8Array(MAXLINE);

export function echoservers(opts: ServerOptions): void {
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  const p = new pool();
  init_pool(listenfd, p);
  fd_reserve_init();
  announce(listenfd);
  try {
    for (;;) {
      // Wait for listening/connected descriptor(s) to become ready.
      FD_COPY(p.read_set, p.ready_set); // pool.ready_set = pool.read_set
      p.nready = Select(p.maxfd + 1, p.ready_set, null, null, null);

      // If the listening descriptor is ready, add the new client to the pool.
      if (FD_ISSET(listenfd, p.ready_set)) {
        const clientlen = cell(sizeof.sockaddr_storage);
        const connfd = Accept_reserve(listenfd, clientaddr, clientlen);
        if (connfd >= 0) add_client(connfd, p, opts.verbose);
        else p.nready--; // shed (out of fds) or aborted
      }
      // Echo a text line from each ready connected descriptor.
      check_clients(p, opts.quiet, opts.verbose);
    }
  } finally {
    // Reached when a signal handler (SIGINT / SIGTERM in the CLI) throws.
    for (let i = 0; i <= p.maxi; i++) if (p.clientfd[i] >= 0) close(p.clientfd[i]);
    close(listenfd);
  }
}
