// The concurrency models the benchmark compares: for each, the TypeScript
// server in the CLI registry (`syscall-lab serve <ts>`), the C server in
// benchmarks/bin/ that it is measured against, the same C program ported to
// Python's standard library (benchmarks/python/), and "peers": other
// servers worth having in the same table (Node's own net module) with no C
// twin.
//
// The runner keeps a model's TypeScript side only when `servers` (the CLI's
// registry) has it, so the comparison grows by itself as servers land.
import { join } from 'node:path';
import { packageRoot } from '../src/launch.js';

export interface Model {
  /** The name used on the command line (--models) and in the results. */
  model: string;
  /** One line for the table and --help. */
  title: string;
  /** The TypeScript server's name in the CLI registry (src/servers/index.ts). */
  ts?: string;
  /** The C server's binary in benchmarks/bin/. */
  c?: string;
  /** The Python server's script in benchmarks/python/ (run by python3). */
  python?: string;
  /** A command that starts a peer server (prints `listening on HOST:PORT`, stops on SIGTERM). */
  peer?: string[];
  /** Scenarios beyond pingpong and churn that this model takes part in. */
  extra?: Array<'idle'>;
  /**
   * The C10K scenario: K idle connections held while the active clients
   * ping-pong, for the default K up to `upTo`. `limit` names what stops the
   * model: select's FD_SETSIZE, or fork's processes (as many as the
   * machine's memory and the run's time budget allow).
   */
  c10k?: { upTo: number; limit?: 'FD_SETSIZE' | 'processes' };
  /**
   * Serves every connection at once (a process, a thread or a set slot
   * each): ping-pong's connections make one untimed round trip first, so
   * that its window counts round trips on open connections, not taking
   * them on (loadgen --settle; churn measures that). Not iterative or
   * prethreaded: they leave connections waiting, which would wait forever.
   */
  servesAll?: boolean;
  /**
   * The server runs on one thread (iterative, select, epoll, Node net): with
   * --pin auto it gets a CPU to itself and loadgen another, where the
   * scheduler would put the two on one CPU or two by turns, moving the rate
   * 30-45% from one second to the next on 2 CPUs. The fork and thread
   * servers use every CPU and stay placed by the scheduler.
   */
  oneThread?: boolean;
  /** Said in the output notes when the model is measured. */
  note?: string;
}

export const models: Model[] = [
  {
    model: 'iterative',
    oneThread: true,
    title: 'iterative: one client at a time',
    ts: 'echo-iterative',
    c: 'echo_iterative',
    python: 'echo_iterative.py',
    extra: ['idle'],
  },
  {
    model: 'fork',
    servesAll: true,
    title: 'process per connection (fork)',
    ts: 'echo-fork',
    c: 'echo_fork',
    python: 'echo_fork.py',
    // Up to 10,000 children where the machine's memory and --c10k-budget
    // allow, judged by the smaller K (the runner's c10kGuard).
    c10k: { upTo: 10_000, limit: 'processes' },
  },
  {
    model: 'threads',
    servesAll: true,
    title: 'thread per connection',
    ts: 'echo-threads',
    c: 'echo_threads',
    python: 'echo_threads.py',
    c10k: { upTo: 10_000 },
  },
  {
    model: 'prethreaded',
    title: 'prethreaded pool + bounded buffer',
    ts: 'echo-prethreaded',
    c: 'echo_prethreaded',
    python: 'echo_prethreaded.py',
  },
  {
    model: 'select',
    oneThread: true,
    servesAll: true,
    title: 'I/O multiplexing with select (the book\'s, line-blocking)',
    ts: 'echo-select',
    c: 'echo_select',
    python: 'echo_select.py',
    c10k: { upTo: 1000, limit: 'FD_SETSIZE' },
  },
  {
    // The C side is the book's select server (echo_select), not epoll: same
    // kernel interface (select, an O(maxfd) scan per call, FD_SETSIZE), so
    // the ratio shows what TypeScript plus the hardening (non-blocking fds,
    // per-connection buffers) costs over the book's version. On ping-pong
    // with whole lines the hardening does little extra work.
    model: 'select-hardened',
    oneThread: true,
    servesAll: true,
    title: 'select, non-blocking with per-connection buffers',
    ts: 'echo-select-hardened',
    c: 'echo_select',
    python: 'echo_select.py',
    note: 'select-hardened is compared with the book\'s C select server (echo_select) and its Python port (echo_select.py): same select() interface, so the ratios are TypeScript + hardening vs. the book\'s program.',
  },
  {
    model: 'epoll',
    oneThread: true,
    servesAll: true,
    title: 'I/O multiplexing with epoll (Linux)',
    ts: 'echo-epoll',
    c: 'echo_epoll',
    python: 'echo_epoll.py',
    c10k: { upTo: 10_000 },
  },
  {
    model: 'node-net',
    oneThread: true,
    servesAll: true,
    title: 'Node\'s net module (libuv), a peer with no C twin',
    peer: [process.execPath, join(packageRoot(), 'dist', 'benchmarks', 'node-net-echo.js')],
    c10k: { upTo: 10_000 },
  },
];

/** The model by name, or undefined. */
export function findModel(name: string): Model | undefined {
  return models.find((m) => m.model === name);
}
