#!/usr/bin/env node
// Per-call overhead: what a system call costs from TypeScript through the
// addon, against the same loop in C. N iterations of a 1-byte write and a
// 1-byte read over socketpair(AF_UNIX, SOCK_STREAM), every result checked:
//   TypeScript: this file's child mode (a fresh node process per run)
//   C:          benchmarks/bin/socketpair_loop N
// Both are measured the same way: a fresh process per run, a monotonic clock
// read just before and just after the loop (whole-loop timing only; process
// start-up and the TypeScript warm-up are outside). Runs alternate C and
// TypeScript; the report gives the median and the best of each and the
// TS/C ratio of the medians.
//
//   node dist/benchmarks/overhead.js [--iterations N] [--reps R] [--warmup W]
//   node dist/benchmarks/overhead.js --child N [--warmup W]   (one TS run; JSON like socketpair_loop)
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/launch.js';

export interface LoopRun {
  iterations: number;
  seconds: number;
  ns_per_iter: number;
}

export interface Side {
  runs: LoopRun[];
  median_ns: number;
  best_ns: number;
}

export interface OverheadResult {
  iterations: number;
  warmup: number;
  reps: number;
  ts: Side;
  c: Side;
  /** ts.median_ns / c.median_ns */
  ratio_median: number;
  /** ts.best_ns / c.best_ns */
  ratio_best: number;
}

export interface OverheadOptions {
  iterations: number;
  reps: number;
  /** TypeScript iterations run (untimed) before the timed loop, for the JIT. */
  warmup: number;
  /** Called after each run (progress). */
  onRun?: (side: 'ts' | 'c', run: LoopRun) => void;
}

const SELF = fileURLToPath(import.meta.url);

export function socketpairLoopPath(): string {
  return join(packageRoot(), 'benchmarks', 'bin', 'socketpair_loop');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command that prints one JSON line ({iterations, seconds, ns_per_iter}). */
function runLoop(command: string[], timeoutMs: number): Promise<LoopRun> {
  return new Promise((resolve, reject) => {
    execFile(command[0], command.slice(1), { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${command.map((a) => a.replace(packageRoot() + '/', '')).join(' ')}: ${err.killed ? `killed after ${timeoutMs} ms` : err.message.split('\n')[0]}${stderr ? ` (${stderr.trim()})` : ''}`));
        return;
      }
      try {
        const line = stdout.trim().split('\n').pop()!;
        const r = JSON.parse(line) as LoopRun;
        if (typeof r.ns_per_iter !== 'number') throw new Error('no ns_per_iter');
        resolve(r);
      } catch (e) {
        reject(new Error(`${command[0]}: unexpected output ${JSON.stringify(stdout.slice(0, 200))}`));
      }
    });
  });
}

function side(runs: LoopRun[]): Side {
  const ns = runs.map((r) => r.ns_per_iter);
  return { runs, median_ns: median(ns), best_ns: Math.min(...ns) };
}

/** Alternates C and TypeScript runs (C first on even reps, TS first on odd ones). */
export async function measureOverhead(opts: OverheadOptions): Promise<OverheadResult> {
  const { iterations, reps, warmup } = opts;
  // Generous: about 1 µs per iteration is typical; allow 50 µs, at least 20 s.
  const timeoutMs = Math.max(20_000, (iterations + warmup) * 0.05);
  const tsCommand = [process.execPath, SELF, '--child', String(iterations), '--warmup', String(warmup)];
  const cCommand = [socketpairLoopPath(), String(iterations)];
  const ts: LoopRun[] = [];
  const c: LoopRun[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order: Array<'c' | 'ts'> = rep % 2 === 0 ? ['c', 'ts'] : ['ts', 'c'];
    for (const which of order) {
      const run = await runLoop(which === 'c' ? cCommand : tsCommand, timeoutMs);
      (which === 'c' ? c : ts).push(run);
      opts.onRun?.(which, run);
    }
  }
  const tsSide = side(ts);
  const cSide = side(c);
  return {
    iterations,
    warmup,
    reps,
    ts: tsSide,
    c: cSide,
    ratio_median: tsSide.median_ns / cSide.median_ns,
    ratio_best: tsSide.best_ns / cSide.best_ns,
  };
}

export function formatOverhead(r: OverheadResult): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `per-call overhead: ${r.iterations.toLocaleString('en-US')} x (write 1 byte + read 1 byte) over socketpair(AF_UNIX, SOCK_STREAM), ${r.reps} run(s) each, alternating`,
    `  TypeScript (addon): median ${f(r.ts.median_ns)} ns/iter, best ${f(r.ts.best_ns)}   (after ${r.warmup.toLocaleString('en-US')} warm-up iterations)`,
    `  C (socketpair_loop): median ${f(r.c.median_ns)} ns/iter, best ${f(r.c.best_ns)}`,
    `  TS/C: ${r.ratio_median.toFixed(2)}x (medians), ${r.ratio_best.toFixed(2)}x (best); about ${f((r.ts.median_ns - r.c.median_ns) / 2)} ns extra per call`,
  ].join('\n');
}

/** The TypeScript loop, in this (child) process: prints JSON like socketpair_loop. */
async function child(iterations: number, warmup: number): Promise<number> {
  const { socketpair, read, write, close, AF_UNIX, SOCK_STREAM, errno, strerror } = await import('../src/sys/index.js');
  const sv = new Int32Array(2);
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
    process.stderr.write(`socketpair: ${strerror(errno())}\n`);
    return 1;
  }
  const out = new Uint8Array(1);
  const inb = new Uint8Array(1);
  const loop = (n: number): string | null => {
    for (let i = 0; i < n; i++) {
      out[0] = 97 + (i % 26);
      const w = write(sv[0], out, 1);
      if (w !== 1) return `write: ${w < 0 ? strerror(errno()) : 'short'}`;
      const r = read(sv[1], inb, 1);
      if (r !== 1 || inb[0] !== out[0]) return `read: ${r < 0 ? strerror(errno()) : r === 0 ? 'EOF' : 'bad byte'}`;
    }
    return null;
  };
  let err = loop(warmup);
  let seconds = 0;
  if (!err) {
    const t0 = process.hrtime.bigint();
    err = loop(iterations);
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  close(sv[0]);
  close(sv[1]);
  if (err) {
    process.stderr.write(`${err}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ iterations, seconds: Number(seconds.toFixed(6)), ns_per_iter: Number((iterations > 0 ? (seconds * 1e9) / iterations : 0).toFixed(1)) })}\n`);
  return 0;
}

const USAGE = `usage: node dist/benchmarks/overhead.js [--iterations N] [--reps R] [--warmup W]

Per-call overhead: N iterations of a 1-byte write + 1-byte read over
socketpair(AF_UNIX, SOCK_STREAM) from TypeScript through the addon, against
benchmarks/bin/socketpair_loop N (build it with make -C benchmarks).

  --iterations N   timed iterations per run (default 200000)
  --reps R         runs of each, alternating C and TypeScript (default 5)
  --warmup W       untimed TypeScript iterations first (default 50000)
  --json           print the result as JSON
  --child N        run the TypeScript loop once and print one JSON line`;

function positiveInt(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n < min) {
    process.stderr.write(`overhead: --${name} must be an integer >= ${min}, not ${JSON.stringify(v)}\n\n${USAGE}\n`);
    process.exit(64);
  }
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        iterations: { type: 'string', default: '200000' },
        reps: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '50000' },
        child: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`overhead: ${(err as Error).message}\n\n${USAGE}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const warmup = positiveInt('warmup', values.warmup, 0);
  if (values.child !== undefined) return child(positiveInt('child', values.child), warmup);
  const result = await measureOverhead({
    iterations: positiveInt('iterations', values.iterations),
    reps: positiveInt('reps', values.reps),
    warmup,
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatOverhead(result)}\n`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(SELF)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`overhead: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
