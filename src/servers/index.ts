// The course servers by name, for `syscall-lab serve <name>`.
import type { ServerOptions } from './common.js';
import { daytime_server } from './daytime.js';
import { echoserveri } from './echo-iterative.js';
import { echoserverp } from './echo-fork.js';
import { echoservert } from './echo-threads.js';
import { echoservert_pre } from './echo-prethreaded.js';

import { echoservers } from './echo-select.js';
import { echoservers_hardened } from './echo-select-hardened.js';
import { echoserver_epoll } from './echo-epoll.js';
import { server5 } from './server5.js';
import { tiny } from './tiny.js';
export type { ServerOptions } from './common.js';
export { daytime_server } from './daytime.js';
export { echoserveri } from './echo-iterative.js';
export { echoserverp } from './echo-fork.js';
export { echoservert } from './echo-threads.js';
export { echoservert_pre } from './echo-prethreaded.js';
export { echo, echo_warm } from './echo.js';
export { echoservers, pool, init_pool, add_client, check_clients } from './echo-select.js';
export { echoservers_hardened } from './echo-select-hardened.js';
export { echoserver_epoll } from './echo-epoll.js';
export { echo_conn, set_nonblocking } from './echo-conn.js';
export { server5 } from './server5.js';
export { tiny } from './tiny.js';

export interface ServerEntry {
  summary: string;
  /** The C program it rebuilds. */
  original: string;
  run(opts: ServerOptions): void;
}

export const servers: Record<string, ServerEntry> = {
  daytime: {
    summary: 'iterative daytime server (RFC 867); --sleep S waits before close, so a second client waits',
    original: "Stevens' daytimetcpsrv",
    run: daytime_server,
  },
  'echo-iterative': {
    summary: 'iterative echo server: one client at a time, the next waits in the backlog',
    original: "CSAPP's echoserveri",
    run: echoserveri,
  },
  'echo-fork': {
    summary: 'echo server by processes: fork after accept, children reaped by a SIGCHLD handler (--no-reap, --forget-close: the lesson\'s broken variants; --cold: no warm-up)',
    original: "CSAPP's echoserverp",
    run: echoserverp,
  },
  'echo-threads': {
    summary: 'echo server by threads: a detached pthread per connection, the connfd in a cell of its own',
    original: "CSAPP's echoservert",
    run: echoservert,
  },
  'echo-prethreaded': {
    summary: 'prethreaded echo server: 4 worker threads and a bounded buffer of fds (a mutex and two semaphores)',
    original: "CSAPP's echoservert_pre",
    run: echoservert_pre,
  },
  'echo-select': {
    summary: "echo server by events: select over a pool (init_pool, add_client, check_clients); a half line from one client stalls all",
    original: "CSAPP's echoservers",
    run: echoservers,
  },
  'echo-select-hardened': {
    summary: 'echo server by events, hardened: non-blocking fds and a buffer per client; no client can stall the others',
    original: "CSAPP's echoservers, without its weakness",
    run: echoservers_hardened,
  },
  'echo-epoll': {
    summary: 'echo server with epoll (Linux): level-triggered, non-blocking, a buffer per client, no FD_SETSIZE',
    original: 'epoll(7)',
    run: echoserver_epoll,
  },
  server5: {
    summary: 'each client sends a char, the server answers the next one after --sleep S (default 5, as the book); select over FD_SETSIZE fds',
    original: "Beginning Linux Programming's server5",
    run: server5,
  },
  tiny: {
    summary: 'iterative HTTP/1.0 web server: GET of files under --root (mmap), CGI programs in cgi-bin/ (fork, dup2, execve); 404, 403, 501',
    original: "CSAPP's Tiny (tiny.c)",
    run: tiny,
  },
};
