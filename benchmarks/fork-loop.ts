#!/usr/bin/env node
// The least a process per connection costs: N times in a row, fork(), the
// child calls _exit(0) at once, the parent reaps it with waitpid and checks
// its status. No connection: this is what the fork server pays per client
// before it serves a byte, so it bounds the fork server's churn.
//   TypeScript: this file's child mode (a fresh node process per run, after
//               fork_warmup(), as `serve echo-fork` does before its accept loop)
//   C:          benchmarks/bin/fork_loop N
//   Python:     benchmarks/python/fork_loop.py N (when the runner gives it
//               its python; this file's own command line runs TS and C)
// Timed as overhead.ts times its loop (loops.ts): a fresh process per run,
// the clock around the loop alone, the sides' runs alternating.
//
//   node dist/benchmarks/fork-loop.js [--iterations N] [--reps R] [--warmup W]
//   node dist/benchmarks/fork-loop.js --child N [--warmup W]   (one TS run; JSON like fork_loop)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/launch.js';
import { read_stat } from '../src/lab/procfs.js';
import { compareLoops, loopLine, runIfMain, type LoopOptions, type LoopResult } from './loops.js';

export type ForkLoopResult = LoopResult;

/** warmup: forks run before the timed loop (the first parks V8's workers). */
export interface ForkLoopOptions extends LoopOptions {
  /** Node options for the TypeScript side's node (run.ts's --node-flags). */
  nodeFlags?: string[];
  /** A Python 3 to run benchmarks/python/fork_loop.py with: the third side. */
  python?: string;
}

const SELF = fileURLToPath(import.meta.url);

export function forkLoopPath(): string {
  return join(packageRoot(), 'benchmarks', 'bin', 'fork_loop');
}

function pythonForkLoopPath(): string {
  return join(packageRoot(), 'benchmarks', 'python', 'fork_loop.py');
}

export async function measureForkLoop(opts: ForkLoopOptions): Promise<ForkLoopResult> {
  const { iterations, warmup } = opts;
  return compareLoops({
    ...opts,
    tsCommand: [process.execPath, ...(opts.nodeFlags ?? []), SELF, '--child', String(iterations), '--warmup', String(warmup)],
    cCommand: [forkLoopPath(), String(iterations)],
    ...(opts.python ? { pyCommand: [opts.python, pythonForkLoopPath(), String(iterations)] } : {}),
    // About 1 ms an iteration for Node here, 0.1-0.2 ms for C: allow 20 ms, at least 30 s.
    timeoutMs: Math.max(30_000, (iterations + warmup) * 20),
  });
}

export function formatForkLoop(r: ForkLoopResult): string {
  const us = (ns: number) => (ns / 1000).toFixed(1);
  const cpu = (side: ForkLoopResult['ts']) => (side.median_cpu_ns === undefined ? '' : `, CPU ${us(side.median_cpu_ns)}`);
  const line = (label: string, side: ForkLoopResult['ts']) =>
    `  ${label.padEnd(22)}median ${us(side.median_ns)} µs/iter, best ${us(side.best_ns)}${cpu(side)}`;
  // Within 80 columns: each side on a line of its own.
  return [
    `fork loop: ${r.iterations.toLocaleString('en-US')} x (fork + the child's _exit(0) + waitpid), ${r.reps} run(s)`,
    `each, alternating; TypeScript after fork_warmup and ${r.warmup} untimed forks:`,
    line('TypeScript (addon)', r.ts),
    line('C (fork_loop)', r.c),
    ...(r.py ? [line('Python (fork_loop.py)', r.py)] : []),
    ...(r.ts.median_cpu_ns === undefined ? [] : ['  (CPU: µs/iter of the parent and the child together)']),
    `  TS/C: ${r.ratio_median.toFixed(2)}x the time (medians), ${r.ratio_best.toFixed(2)}x (best)${r.py ? `; TS/Py: ${(r.ts.median_ns / r.py.median_ns).toFixed(2)}x (medians)` : ''}`,
  ].join('\n');
}

/** The TypeScript loop, in this (child) process: prints JSON like fork_loop. */
async function child(iterations: number, warmup: number): Promise<number> {
  const { fork, _exit, waitpid, fork_warmup, cell, errno, strerror, WIFEXITED, WEXITSTATUS, WNOHANG, ECHILD } = await import('../src/sys/index.js');
  const status = cell(0);
  const loop = (n: number): string | null => {
    for (let i = 0; i < n; i++) {
      const pid = fork();
      if (pid < 0) return `fork: ${strerror(errno())}`;
      if (pid === 0) _exit(0);
      if (waitpid(pid, status, 0) !== pid) return `waitpid: ${strerror(errno())}`;
      if (!WIFEXITED(status.value) || WEXITSTATUS(status.value) !== 0) return `child ${pid}: status 0x${status.value.toString(16)}`;
    }
    return null;
  };
  fork_warmup();
  let err = loop(warmup);
  let seconds = 0;
  let cpuSeconds: number | undefined;
  if (!err) {
    const c0 = cpuTime();
    const t0 = process.hrtime.bigint();
    err = loop(iterations);
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c1 = cpuTime();
    if (c0 !== undefined && c1 !== undefined) cpuSeconds = c1 - c0;
  }
  // Every child was reaped: none is left.
  if (!err && (waitpid(-1, null, WNOHANG) !== -1 || errno() !== ECHILD)) err = 'a child was left unreaped';
  if (err) {
    process.stderr.write(`${err}\n`);
    return 1;
  }
  process.stdout.write(`${loopLine(iterations, seconds, cpuSeconds)}\n`);
  return 0;
}

/**
 * Seconds of CPU of this process (process.cpuUsage) and of its reaped
 * children (cutime + cstime of /proc/self/stat, in USER_HZ = 100 ticks), as
 * fork_loop's getrusage; undefined without /proc.
 */
function cpuTime(): number | undefined {
  const st = read_stat('/proc/self/stat');
  if (!st) return undefined;
  const self = process.cpuUsage();
  return (self.user + self.system) / 1e6 + (st.cutime + st.cstime) / 100;
}

const DEFAULTS = { iterations: 1000, reps: 3, warmup: 20 };

const USAGE = `usage: node dist/benchmarks/fork-loop.js [--iterations N] [--reps R] [--warmup W]

The least a process per connection costs: N x (fork, the child's _exit(0),
waitpid) from TypeScript through the addon, against benchmarks/bin/fork_loop N
(build it with make -C benchmarks).

  --iterations N   timed iterations per run (default ${DEFAULTS.iterations})
  --reps R         runs of each, alternating C and TypeScript (default ${DEFAULTS.reps})
  --warmup W       untimed TypeScript forks first (default ${DEFAULTS.warmup})
  --json           print the result as JSON
  --child N        run the TypeScript loop once and print one JSON line`;

runIfMain(SELF, { tool: 'fork-loop', usage: USAGE, defaults: DEFAULTS, child, measure: measureForkLoop, format: formatForkLoop });
