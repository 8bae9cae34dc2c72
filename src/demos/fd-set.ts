// Demo: the bits of an fd_set before and after select, drawn as the slide
// draws them: a row of bits, fd 0 on the left. A listening socket and three
// connections go in the read set; client 2 writes a line and a fourth client
// connects; select returns with only the fds that became ready still set
// (select rewrites the set in place: the caller copies it first, each turn).
import { socket, connect, write, close, select, fd_set, FD_ZERO, FD_SET, FD_ISSET, sockaddr_of, AF_INET, SOCK_STREAM } from '../sys/index.js';
import { Accept, Close, printf } from '../csapp/index.js';
import { listen_loopback, LOOPBACK } from './common.js';

export interface FdSetResult {
  listenfd: number;
  connfds: number[];
  /** The fds in the read set before select, and those left in it after. */
  before: number[];
  after: number[];
  nready: number;
}

/** The bits of fds lo..hi - 1 under a ruler of fd numbers (tens over units), 80 columns at most. */
export function draw_bits(rows: [string, fd_set][], lo: number, hi: number): string {
  const label = 18;
  const ruler = (digit: (fd: number) => string) => {
    let s = '';
    for (let fd = lo; fd < hi; fd++) s += digit(fd);
    return s;
  };
  const lines = [
    `${'fd (tens)'.padEnd(label)}${ruler((fd) => String(Math.floor(fd / 10) % 10))}`,
    `${'fd (units)'.padEnd(label)}${ruler((fd) => String(fd % 10))}`,
  ];
  for (const [name, set] of rows) lines.push(`${name.padEnd(label)}${set.bits(hi).slice(lo)}`);
  return lines.join('\n');
}

export function fd_set_demo(): FdSetResult {
  const { fd: listenfd, port } = listen_loopback(8);
  const clients: number[] = [];
  const connfds: number[] = [];
  const rset = new fd_set();
  try {
    for (let i = 0; i < 3; i++) {
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      clients.push(fd);
      connect(fd, sockaddr_of(LOOPBACK, port));
      connfds.push(Accept(listenfd, null, null));
    }
    FD_ZERO(rset);
    FD_SET(listenfd, rset);
    for (const fd of connfds) FD_SET(fd, rset);
    const maxfd = Math.max(listenfd, ...connfds);

    // What happens while the server is away: client 2 writes, a fourth client connects.
    write(clients[1], new TextEncoder().encode('hello\n'));
    const late = socket(AF_INET, SOCK_STREAM, 0);
    clients.push(late);
    connect(late, sockaddr_of(LOOPBACK, port));

    const before = rset.copy();
    const nready = select(maxfd + 1, rset, null, null, { tv_sec: 2, tv_usec: 0 });

    // Draw from a multiple of 10 at or below the lowest fd that matters, to maxfd + 1.
    const lo = Math.floor(Math.min(listenfd, ...connfds) / 10) * 10;
    printf(`listenfd = ${listenfd}; connfd = ${connfds.join(', ')} (clients 1 to 3)\n`);
    printf('client 2 wrote "hello\\n"; a 4th client connected (not yet accepted)\n\n');
    printf(`FD_SET(listenfd), FD_SET(each connfd); select(${maxfd + 1}, &rset, ...) = ${nready}\n\n`);
    printf(`${draw_bits([['rset before', before], ['rset after', rset]], lo, maxfd + 1)}\n\n`);
    if (lo > 0) printf(`(fds 0 to ${lo - 1} are not drawn: 0, 1, 2 and Node's own fds, none in the set)\n`);
    for (const fd of before.fds()) {
      const who = fd === listenfd ? 'listenfd: a connection waits to be accepted' : `connfd of client ${connfds.indexOf(fd) + 1}`;
      printf(`  fd ${String(fd).padStart(3)}  ${FD_ISSET(fd, rset) ? 'ready  ' : 'cleared'}  ${who}\n`);
    }
    printf('select cleared the bits of the fds not ready: copy the set before each call.\n');
    return { listenfd, connfds, before: before.fds(), after: rset.fds(), nready };
  } finally {
    for (const fd of clients) close(fd);
    for (const fd of connfds) close(fd);
    Close(listenfd);
  }
}
