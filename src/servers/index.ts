// The course servers by name, for `syscall-lab serve <name>`.
import type { ServerOptions } from './common.js';
import { daytime_server } from './daytime.js';
import { echoserveri } from './echo-iterative.js';
import { echoserverp } from './echo-fork.js';
import { echoservert } from './echo-threads.js';
import { echoservert_pre } from './echo-prethreaded.js';

export type { ServerOptions } from './common.js';
export { daytime_server } from './daytime.js';
export { echoserveri } from './echo-iterative.js';
export { echoserverp } from './echo-fork.js';
export { echoservert } from './echo-threads.js';
export { echoservert_pre } from './echo-prethreaded.js';
export { echo } from './echo.js';

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
    summary: 'echo server by processes: fork after accept, children reaped by a SIGCHLD handler (--no-reap, --forget-close: the lesson\'s broken variants)',
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
};
