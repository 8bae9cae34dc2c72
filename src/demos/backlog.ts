// Demo: listen's backlog bounds the queue of connections the kernel has
// completed and nobody has accepted. A server listens with a small backlog
// and never calls accept; clients connect until the queue is full; the next
// connect gets no answer to its SYN and fails with ETIMEDOUT. A short SYN
// retry count (TCP_SYNCNT on Linux, TCP_CONNECTIONTIMEOUT on macOS) makes
// that take seconds instead of minutes.
import {
  socket, connect, close, setsockopt, errno, errno_code, strerror, sockaddr_of, tcp_state, AF_INET, SOCK_STREAM,
  IPPROTO_TCP, TCP_SYNCNT, TCP_CONNECTIONTIMEOUT,
} from '../sys/index.js';
import { Close, printf } from '../csapp/index.js';
import { listen_loopback, print_table, since, LOOPBACK } from './common.js';

export interface BacklogResult {
  backlog: number;
  /** Connections the kernel completed while nobody accepted. */
  queued: number;
  /** errno of the connect that failed (ETIMEDOUT), 0 if none failed. */
  errno: number;
  /** Seconds the failing connect took. */
  seconds: number;
}

export function backlog_demo(backlog = 2, maxClients = 16): BacklogResult {
  const { fd: listenfd, port } = listen_loopback(backlog);
  printf(`server: listen(fd, ${backlog}) on ${LOOPBACK}:${port}, and never accept()\n`);
  const clients: number[] = [];
  const result: BacklogResult = { backlog, queued: 0, errno: 0, seconds: 0 };
  try {
    for (let i = 1; i <= maxClients; i++) {
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) throw new Error(`socket: ${strerror(errno())}`);
      clients.push(fd);
      // One SYN retry: give up after about 3 s rather than the default 2 minutes.
      if (TCP_SYNCNT !== undefined) setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, 1);
      else if (TCP_CONNECTIONTIMEOUT !== undefined) setsockopt(fd, IPPROTO_TCP, TCP_CONNECTIONTIMEOUT, 3);
      const t0 = performance.now();
      printf(`client ${i}: connect()... `);
      if (connect(fd, sockaddr_of(LOOPBACK, port)) === 0) {
        result.queued++;
        printf(`connected in ${since(t0)}: ${tcp_state(fd)}, waiting in the accept queue\n`);
        continue;
      }
      const err = errno();
      result.errno = err;
      result.seconds = (performance.now() - t0) / 1000;
      printf(`-1 after ${since(t0)}, errno = ${err} ${errno_code(err)} (${strerror(err)})\n`);
      break;
    }
    printf(`kernel table for port ${port}:\n`);
    print_table(port);
    printf(`The queue held ${result.queued} connections for a backlog of ${backlog}` +
      (process.platform === 'linux' ? ' (Linux queues backlog + 1)' : '') +
      '; then the server dropped the SYNs and the client gave up.\n');
  } finally {
    for (const fd of clients) close(fd);
    Close(listenfd);
  }
  return result;
}
