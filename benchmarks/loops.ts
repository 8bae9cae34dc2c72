// Timed loops, TypeScript against C: each side is a command that runs one
// loop in a fresh process and prints one JSON line
// {"iterations":N,"seconds":S,"ns_per_iter":X}, timed with a monotonic clock
// around the loop alone (process start-up and warm-up are outside). Runs
// alternate C and TypeScript (C first on even repetitions, TypeScript first
// on odd ones), so slow drift hits both alike; each side reports its median
// and best, and the ratio is TS over C.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/launch.js';

export interface LoopRun {
  iterations: number;
  seconds: number;
  ns_per_iter: number;
  /** CPU time per iteration, when the loop measures it (fork_loop: the process's and its children's). */
  cpu_ns_per_iter?: number;
}

export interface Side {
  runs: LoopRun[];
  median_ns: number;
  best_ns: number;
  /** The median of the runs' cpu_ns_per_iter, if every run had one. */
  median_cpu_ns?: number;
}

/** What a loop tool is asked for. */
export interface LoopOptions {
  iterations: number;
  reps: number;
  /** Iterations the TypeScript side runs (untimed) before the timed loop. */
  warmup: number;
  /** Called after each run (progress). */
  onRun?: (side: 'ts' | 'c' | 'py', run: LoopRun) => void;
}

/** What a loop tool reports: what it was asked for, and the comparison. */
export interface LoopResult {
  iterations: number;
  warmup: number;
  reps: number;
  ts: Side;
  c: Side;
  /** The same loop in Python, where the tool has one and was given a python. */
  py?: Side;
  /** ts.median_ns / c.median_ns */
  ratio_median: number;
  /** ts.best_ns / c.best_ns */
  ratio_best: number;
}

/** A loop tool's options and its two commands (each given --child / N already). */
export interface CompareOptions extends LoopOptions {
  tsCommand: string[];
  cCommand: string[];
  /** A third side, the loop in Python: run between the other two. */
  pyCommand?: string[];
  /** Each run's deadline; the run is killed (SIGKILL) and the comparison fails after it. */
  timeoutMs: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command that prints one JSON line ({iterations, seconds, ns_per_iter}). */
export function runLoop(command: string[], timeoutMs: number): Promise<LoopRun> {
  const shown = command.map((a) => a.replace(packageRoot() + '/', '')).join(' ');
  return new Promise((resolve, reject) => {
    execFile(command[0], command.slice(1), { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${shown}: ${err.killed ? `killed after ${timeoutMs} ms` : err.message.split('\n')[0]}${stderr ? ` (${stderr.trim()})` : ''}`));
        return;
      }
      try {
        const line = stdout.trim().split('\n').pop()!;
        const r = JSON.parse(line) as LoopRun;
        if (typeof r.ns_per_iter !== 'number') throw new Error('no ns_per_iter');
        resolve(r);
      } catch {
        reject(new Error(`${shown}: unexpected output ${JSON.stringify(stdout.slice(0, 200))}`));
      }
    });
  });
}

function side(runs: LoopRun[]): Side {
  const ns = runs.map((r) => r.ns_per_iter);
  const cpu = runs.every((r) => typeof r.cpu_ns_per_iter === 'number') ? median(runs.map((r) => r.cpu_ns_per_iter!)) : undefined;
  return { runs, median_ns: median(ns), best_ns: Math.min(...ns), ...(cpu === undefined ? {} : { median_cpu_ns: cpu }) };
}

/** reps runs of each command, alternating which goes first (Python, if any, between). */
export async function compareLoops(opts: CompareOptions): Promise<LoopResult> {
  const runs: Record<'ts' | 'c' | 'py', LoopRun[]> = { ts: [], c: [], py: [] };
  const command = { ts: opts.tsCommand, c: opts.cCommand, py: opts.pyCommand };
  const sides: Array<'c' | 'py' | 'ts'> = opts.pyCommand ? ['c', 'py', 'ts'] : ['c', 'ts'];
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const which of rep % 2 === 0 ? sides : [...sides].reverse()) {
      const run = await runLoop(command[which]!, opts.timeoutMs);
      runs[which].push(run);
      opts.onRun?.(which, run);
    }
  }
  const tsSide = side(runs.ts);
  const cSide = side(runs.c);
  return {
    iterations: opts.iterations, warmup: opts.warmup, reps: opts.reps,
    ts: tsSide, c: cSide, ...(opts.pyCommand ? { py: side(runs.py) } : {}),
    ratio_median: tsSide.median_ns / cSide.median_ns, ratio_best: tsSide.best_ns / cSide.best_ns,
  };
}

/** The JSON line a loop prints, from its iteration count, its seconds and (if known) its CPU seconds. */
export function loopLine(iterations: number, seconds: number, cpuSeconds?: number): string {
  const per = (s: number) => Number((iterations > 0 ? (s * 1e9) / iterations : 0).toFixed(1));
  return JSON.stringify({
    iterations,
    seconds: Number(seconds.toFixed(6)),
    ns_per_iter: per(seconds),
    ...(cpuSeconds === undefined ? {} : { cpu_ns_per_iter: per(cpuSeconds) }),
  });
}

/** A command-line integer >= min; otherwise the tool's usage on stderr and exit 64. */
function intArg(tool: string, usage: string, name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n < min) {
    process.stderr.write(`${tool}: --${name} must be an integer >= ${min}, not ${JSON.stringify(v)}\n\n${usage}\n`);
    process.exit(64);
  }
  return n;
}

export interface LoopTool<R> {
  /** The name in messages ('overhead'). */
  tool: string;
  usage: string;
  /** Defaults of --iterations, --reps, --warmup. */
  defaults: { iterations: number; reps: number; warmup: number };
  /** --child N: run the TypeScript loop once in this process; the exit status. */
  child: (iterations: number, warmup: number) => Promise<number>;
  measure: (opts: LoopOptions) => Promise<R>;
  format: (r: R) => string;
}

/** The command line of a loop comparison (overhead.ts, fork-loop.ts); the exit status. */
export async function loopToolMain<R>(t: LoopTool<R>, argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        iterations: { type: 'string', default: String(t.defaults.iterations) },
        reps: { type: 'string', default: String(t.defaults.reps) },
        warmup: { type: 'string', default: String(t.defaults.warmup) },
        child: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${t.tool}: ${(err as Error).message}\n\n${t.usage}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${t.usage}\n`);
    return 0;
  }
  const int = (name: string, v: string | undefined, min = 1) => intArg(t.tool, t.usage, name, v, min);
  const warmup = int('warmup', values.warmup, 0);
  if (values.child !== undefined) return t.child(int('child', values.child), warmup);
  const result = await t.measure({ iterations: int('iterations', values.iterations), reps: int('reps', values.reps), warmup });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${t.format(result)}\n`);
  return 0;
}

/** Runs loopToolMain when `self` is the script node was started with. */
export function runIfMain<R>(self: string, t: LoopTool<R>): void {
  if (!process.argv[1] || realpathSync(process.argv[1]) !== realpathSync(self)) return;
  loopToolMain(t, process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${t.tool}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
