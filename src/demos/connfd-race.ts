// Demo: the race of passing &connfd to a thread. The main thread accepts
// into ONE shared variable and hands each new thread its address; before a
// thread reads it, the main thread may accept again and overwrite it. Two
// threads then serve the same fd, and another fd is never served. The fix
// (CSAPP's echoservert): a fresh cell per connection.
import { type Cell, cell, socket, connect, close, read, write, sockaddr_of, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO } from '../sys/index.js';
import { Accept, Close, Pthread_create, Pthread_join, Setsockopt, printf } from '../csapp/index.js';
import { listen_loopback, LOOPBACK } from './common.js';

export interface RaceResult {
  /** For each thread, the fd it served. */
  served: number[];
  /** The fds accepted. */
  accepted: number[];
}

function run(clients: number, shared: boolean): RaceResult {
  const { fd: listenfd, port } = listen_loopback(clients);
  const clientfds: number[] = [];
  // The clients connect and send a line before the server accepts anyone:
  // their connections wait, complete, in the accept queue.
  for (let i = 0; i < clients; i++) {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, sockaddr_of(LOOPBACK, port));
    write(fd, new TextEncoder().encode(`client ${i}\n`));
    Setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 300_000 });
    clientfds.push(fd);
  }
  const served: number[] = [];
  const accepted: number[] = [];
  const tids: number[] = [];
  const tid = cell(0);
  // The thread: reads its fd from the cell it was given, echoes one line.
  function thread(connfdp: Cell<number>): void {
    const connfd = connfdp.value;
    served.push(connfd);
    // A thread that lost the race finds its line already taken: do not wait forever.
    Setsockopt(connfd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 300_000 });
    const buf = new Uint8Array(64);
    const n = read(connfd, buf, buf.length);
    if (n > 0) write(connfd, buf, n);
  }
  const connfd = cell(-1); // the shared variable of the bug
  for (let i = 0; i < clients; i++) {
    if (shared) {
      connfd.value = Accept(listenfd, null, null); // *connfdp = Accept(...) into one variable
      Pthread_create(tid, null, thread, connfd); // Pthread_create(&tid, NULL, thread, &connfd)
      accepted.push(connfd.value);
    } else {
      const connfdp = cell(Accept(listenfd, null, null)); // connfdp = Malloc(sizeof(int))
      Pthread_create(tid, null, thread, connfdp);
      accepted.push(connfdp.value);
    }
    tids.push(tid.value);
  }
  for (const t of tids) Pthread_join(t, null);
  const buf = new Uint8Array(64);
  for (let i = 0; i < clients; i++) {
    const n = read(clientfds[i], buf, buf.length);
    printf(`  client ${i}: ${n > 0 ? `echo ${JSON.stringify(new TextDecoder().decode(buf.subarray(0, n)).trim())}` : 'no answer (never served)'}\n`);
    close(clientfds[i]);
  }
  for (const fd of accepted) close(fd);
  Close(listenfd);
  return { served, accepted };
}

function report(r: RaceResult): void {
  printf(`  accepted fds: ${r.accepted.join(' ')}; the threads served: ${r.served.join(' ')}\n`);
  const twice = [...new Set(r.served.filter((fd, i) => r.served.indexOf(fd) !== i))];
  const never = r.accepted.filter((fd) => !r.served.includes(fd));
  printf(`  served by two threads or more: ${twice.join(' ') || 'none'}; never served: ${never.join(' ') || 'none'}\n`);
}

export function connfd_race_demo(clients = 4): { racy: RaceResult; fixed: RaceResult } {
  printf(`${clients} clients wait in the accept queue. The main thread passes each thread the address of ONE variable:\n`);
  const racy = run(clients, true);
  report(racy);
  printf('\nThe fix: each connfd in a cell of its own (CSAPP mallocs an int per connection):\n');
  const fixed = run(clients, false);
  report(fixed);
  return { racy, fixed };
}
