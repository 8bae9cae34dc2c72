// The lesson demos by name, for `syscall-lab demo <name>`.
import { parseArgs } from 'node:util';
import { tcp_states_demo } from './tcp-states.js';
import { backlog_demo } from './backlog.js';
import { time_wait_demo } from './time-wait.js';
import { lunch_demo } from './lunch.js';
import { zombies_demo } from './zombies.js';
import { refcount_demo } from './refcount.js';
import { no_sharing_demo } from './no-sharing.js';
import { connfd_race_demo } from './connfd-race.js';
import { thread_leak_demo } from './thread-leak.js';
import { counter_race_demo } from './counter-race.js';
import { keyboard_demo } from './keyboard.js';
import { select_dos_demo } from './select-dos.js';
import { errno_threads_demo } from './errno-threads.js';
import { fd_set_demo } from './fd-set.js';

export { tcp_states_demo } from './tcp-states.js';
export { backlog_demo } from './backlog.js';
export { time_wait_demo } from './time-wait.js';
export { lunch_demo } from './lunch.js';
export { zombies_demo } from './zombies.js';
export { refcount_demo } from './refcount.js';
export { no_sharing_demo } from './no-sharing.js';
export { connfd_race_demo } from './connfd-race.js';
export { thread_leak_demo } from './thread-leak.js';
export { counter_race_demo } from './counter-race.js';
export { keyboard_demo } from './keyboard.js';
export { select_dos_demo, type DosResult } from './select-dos.js';
export { errno_threads_demo, type ErrnoThreadsResult } from './errno-threads.js';
export { fd_set_demo, draw_bits, type FdSetResult } from './fd-set.js';

export interface DemoEntry {
  summary: string;
  usage?: string;
  help?: string;
  run(args: string[]): number | Promise<number>;
}

function intOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer in [${min}, ${max}]`);
  return n;
}

export const demos: Record<string, DemoEntry> = {
  'connfd-race': {
    summary: 'passing the address of one shared connfd to each thread: two threads serve one fd, another fd is never served; then the fix',
    run() {
      const r = connfd_race_demo();
      return new Set(r.fixed.served).size === r.fixed.accepted.length ? 0 : 1;
    },
  },
  'thread-leak': {
    summary: 'threads neither joined nor detached keep their stacks after they end; detached ones do not',
    run() {
      thread_leak_demo();
      return 0;
    },
  },
  'counter-race': {
    summary: "two threads increment a shared counter (CSAPP's badcnt): increments lost without a mutex, none with it",
    run() {
      const r = counter_race_demo();
      return r.with === r.expected / 10 ? 0 : 1;
    },
  },
  'errno-threads': {
    summary: 'two threads fail two different calls (connect: ECONNREFUSED, open: ENOENT): each reads its own errno',
    run() {
      const r = errno_threads_demo();
      return r.thread1 !== r.thread2 && r.main_after === r.main_before ? 0 : 1;
    },
  },
  'fd-set': {
    summary: "the bits of select's read set before and after: only the fds that became ready stay set",
    run() {
      const r = fd_set_demo();
      return r.nready === r.after.length ? 0 : 1;
    },
  },
  zombies: {
    summary: 'the echo server by processes without its SIGCHLD handler leaves <defunct> children; with it, none',
    async run() {
      const r = await zombies_demo();
      return r.without > 0 && r.with === 0 ? 0 : 1;
    },
  },
  refcount: {
    summary: 'after fork refcnt(connfd) = 2: a parent that forgets close(connfd) keeps the client from ever seeing EOF',
    async run() {
      const r = await refcount_demo();
      return r.forgotten === null && r.closed !== null ? 0 : 1;
    },
  },
  'no-sharing': {
    summary: 'a global changed in a forked child is unchanged in the parent; an fd opened before fork is shared by both',
    run() {
      no_sharing_demo();
      return 0;
    },
  },
  'tcp-states': {
    summary: 'one connection from CLOSED through LISTEN, ESTABLISHED to the close; the active closer ends in TIME_WAIT',
    usage: '[--server-first]',
    help: '  --server-first   the server closes first (default: the client)',
    run(args) {
      const { values } = parseArgs({ args, options: { 'server-first': { type: 'boolean', default: false } } });
      tcp_states_demo(values['server-first'] ? 'server' : 'client');
      return 0;
    },
  },
  backlog: {
    summary: "listen's backlog: a server that never accepts; connects queue up, then one fails with ETIMEDOUT",
    usage: '[--backlog N]',
    help: '  --backlog N   the backlog passed to listen (default 2)',
    run(args) {
      const { values } = parseArgs({ args, options: { backlog: { type: 'string' } } });
      const r = backlog_demo(intOption(values.backlog, 'backlog', 2, 0, 64));
      return r.errno ? 0 : 1;
    },
  },
  'time-wait': {
    summary: 'TIME_WAIT after an active close: rebinding the port fails with EADDRINUSE unless SO_REUSEADDR',
    run() {
      time_wait_demo();
      return 0;
    },
  },
  lunch: {
    summary: 'the iterative echo server and a client out to lunch: the second client waits until the first leaves',
    usage: '[--lunch S]',
    help: '  --lunch S   seconds client A stays idle (default 3)',
    async run(args) {
      const { values } = parseArgs({ args, options: { lunch: { type: 'string' } } });
      await lunch_demo(intOption(values.lunch, 'lunch', 3, 0, 60));
      return 0;
    },
  },
  keyboard: {
    summary: 'select on the keyboard with a 2.5 s timeout: "timeout", "read N from keyboard: ...", "keyboard done" at ^D (a terminal or a pipe)',
    run() {
      return keyboard_demo(2500);
    },
  },
  'select-dos': {
    summary: "one client sends half a line and stops: the book's select server stalls for everyone, the hardened one does not",
    usage: '[--stall S]',
    help: '  --stall S   seconds client B waits for its echo before calling it stalled (default 3)',
    async run(args) {
      const { values } = parseArgs({ args, options: { stall: { type: 'string' } } });
      const [faithful, hardened] = await select_dos_demo(intOption(values.stall, 'stall', 3, 1, 60));
      return faithful.echo_after === null && hardened.echo_after !== null ? 0 : 1;
    },
  },
};
