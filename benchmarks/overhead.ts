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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../src/launch.js';
import { compareLoops, loopLine, runIfMain, type LoopOptions, type LoopResult } from './loops.js';

export type OverheadResult = LoopResult;
/** warmup: write + read pairs run before the timed loop, for the JIT. */
export type OverheadOptions = LoopOptions;

const SELF = fileURLToPath(import.meta.url);

export function socketpairLoopPath(): string {
  return join(packageRoot(), 'benchmarks', 'bin', 'socketpair_loop');
}

/** Alternates C and TypeScript runs (see loops.ts). */
export async function measureOverhead(opts: OverheadOptions): Promise<OverheadResult> {
  const { iterations, warmup } = opts;
  return compareLoops({
    ...opts,
    tsCommand: [process.execPath, SELF, '--child', String(iterations), '--warmup', String(warmup)],
    cCommand: [socketpairLoopPath(), String(iterations)],
    // Generous: about 1 µs per iteration is typical; allow 50 µs, at least 20 s.
    timeoutMs: Math.max(20_000, (iterations + warmup) * 0.05),
  });
}

export function formatOverhead(r: OverheadResult): string {
  const f = (x: number) => x.toFixed(1);
  // Within 80 columns: each side on a line of its own.
  return [
    `per-call overhead: ${r.iterations.toLocaleString('en-US')} x (write 1 byte + read 1 byte) over`,
    `socketpair(AF_UNIX, SOCK_STREAM), ${r.reps} run(s) each, alternating; TypeScript`,
    `after ${r.warmup.toLocaleString('en-US')} warm-up iterations:`,
    `  TypeScript (addon)    median ${f(r.ts.median_ns)} ns/iter, best ${f(r.ts.best_ns)}`,
    `  C (socketpair_loop)   median ${f(r.c.median_ns)} ns/iter, best ${f(r.c.best_ns)}`,
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
  process.stdout.write(`${loopLine(iterations, seconds)}\n`);
  return 0;
}

const DEFAULTS = { iterations: 200_000, reps: 5, warmup: 50_000 };

const USAGE = `usage: node dist/benchmarks/overhead.js [--iterations N] [--reps R] [--warmup W]

Per-call overhead: N iterations of a 1-byte write + 1-byte read over
socketpair(AF_UNIX, SOCK_STREAM) from TypeScript through the addon, against
benchmarks/bin/socketpair_loop N (build it with make -C benchmarks).

  --iterations N   timed iterations per run (default ${DEFAULTS.iterations})
  --reps R         runs of each, alternating C and TypeScript (default ${DEFAULTS.reps})
  --warmup W       untimed TypeScript iterations first (default ${DEFAULTS.warmup})
  --json           print the result as JSON
  --child N        run the TypeScript loop once and print one JSON line`;

runIfMain(SELF, { tool: 'overhead', usage: USAGE, defaults: DEFAULTS, child, measure: measureOverhead, format: formatOverhead });
