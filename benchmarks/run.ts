#!/usr/bin/env node
// The benchmark runner (`npm start`): every concurrency model's TypeScript
// server against its C twin and the same C program ported to Python
// (benchmarks/python/; and Node's net module as a peer), driven by
// benchmarks/bin/loadgen, then the fork loop (fork-loop.ts) and the per-call
// overhead (overhead.ts).
//
// Every measurement starts its servers fresh, warms each up with a small
// untimed load, measures, and stops them by pid (SIGTERM, then SIGKILL).
// Ping-pong and churn on a time window measure a model's C, Python and
// TypeScript servers together, taking turns in short slices (--slice, a
// loadgen per server with its connections held between turns), so that a
// slow spell of the machine, which here lasts seconds, falls on all three
// alike; the other scenarios run one server at a time, back to back,
// alternating which goes first. The table shows the median of the
// repetitions. The scenarios run in the order ping-pong,
// idle, churn, c10k, so that the TIME_WAIT sockets churn and c10k leave
// behind (their client sides close first) cannot slow the others, and
// c10k's thousands cannot slow churn's connects.
//
// Results: a table on stdout (progress on stderr), and JSON in
// benchmarks/results/<ISO timestamp>.json and benchmarks/results/latest.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Results } from './chart.js';
import { wrap } from '../src/lab/wrap.js';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { cliCommand, launch, packageRoot, type Launched } from '../src/launch.js';
import { servers } from '../src/servers/index.js';
import { models, type Model } from './models.js';
import { formatForkLoop, forkLoopPath, measureForkLoop, type ForkLoopResult } from './fork-loop.js';
import { median as medianOf } from './loops.js';
import { formatOverhead, measureOverhead, socketpairLoopPath, type OverheadResult } from './overhead.js';
import { memAvailableKb, treeMemory, type TreeMemory } from './proc-memory.js';
import { cpus_allowed, fd_count } from '../src/lab/procfs.js';
import { proc_net_tcp } from '../src/sys/tcp.js';
import { textTable } from './text-table.js';

// ---------------------------------------------------------------- options

const SCENARIOS = ['pingpong', 'idle', 'churn', 'c10k', 'forkloop', 'overhead'] as const;
type Scenario = (typeof SCENARIOS)[number];
type LoadScenario = Exclude<Scenario, 'forkloop' | 'overhead'>;

/** select's limit on descriptor numbers (glibc and macOS): the C10K scenario stops select there. */
const FD_SETSIZE = 1024;
/** Descriptors a server holds besides its clients, allowed for when select's K is capped (Node's own are about 25). */
const FD_RESERVE = 32;
/** The C10K scenario's default K, each model up to its Model.c10k.upTo. */
const C10K_KS = [0, 10, 100, 1000, 10_000];

const DEFAULTS = {
  conns: 50, pingpongSeconds: 2, idleRounds: 200, len: 32, churnSeconds: 2, concurrency: 20, reps: 3, idleMs: 500, timeout: 30, c10kBudget: 60, c10kSeconds: 1, slice: 0.25,
  overheadIterations: 200_000, overheadReps: 5, overheadWarmup: 50_000,
  forkIterations: 1000, forkReps: 3, forkWarmup: 20,
};
const QUICK = {
  conns: 10, pingpongSeconds: 0.3, idleRounds: 10, len: 32, churnSeconds: 0.5, concurrency: 10, reps: 1, idleMs: 200, timeout: 10, c10kBudget: 20, c10kSeconds: 0.3, slice: 0.1,
  overheadIterations: 20_000, overheadReps: 1, overheadWarmup: 5_000,
  forkIterations: 100, forkReps: 1, forkWarmup: 5,
};

function modelList(): string {
  return models
    .map((m) => {
      const sides = m.peer ? 'peer' : `${m.ts && servers[m.ts] ? `TS ${m.ts}` : `TS ${m.ts} (not yet)`} / C${m.python ? ' and Python' : ''} ${m.c}`;
      return `  ${m.model.padEnd(16)} ${sides}`;
    })
    .join('\n');
}

const USAGE = `usage: npm start -- [options]     (node dist/benchmarks/run.js [options])

Compares the TypeScript echo servers with their C twins, the same C
programs in Python (benchmarks/python/) and Node's net module under
benchmarks/bin/loadgen, then the fork loop and the per-call overhead.

  --models a,b          models to run (default: every model whose TypeScript
                        server is in the CLI registry, plus the peers); a
                        model named here without a TypeScript server yet
                        runs its C side
  --scenarios a,b       of pingpong,idle,churn,c10k,forkloop,overhead
                        (default: all)
                        pingpong  --conns connections ping-pong lines of
                                  --len bytes for --seconds (or --rounds);
                                  where a model serves every connection at
                                  once, after one untimed round trip each
                        idle      iterative only: one idle client held
                                  --idle-ms while a ping-pong of ${DEFAULTS.idleRounds}
                                  rounds (--rounds/10) runs ("out to lunch")
                        c10k      K idle connections held (each served one
                                  line first) while --conns clients
                                  ping-pong for 1 s (quick: 0.3): req/s
                                  and the server's memory (RSS of it and its
                                  children) against K; fork, threads,
                                  select, epoll, Node net
                        churn     short connections, --concurrency at a
                                  time, for --churn-seconds (or --total)
                        forkloop  fork + the child's _exit(0) + waitpid in a
                                  loop, TypeScript vs C: what a fork server
                                  pays per client before it serves a byte
                        overhead  socketpair write+read loop, TypeScript vs C
  --conns N             ping-pong connections (default ${DEFAULTS.conns})
  --seconds S           ping-pong: each connection ping-pongs for S
                        seconds, every server alike (default ${DEFAULTS.pingpongSeconds})
  --rounds N            ping-pong: N round trips per connection instead
  --len N               bytes per line, '\\n' included (default ${DEFAULTS.len})
  --churn-seconds S     churn: start connections for S seconds, every
                        server alike (default ${DEFAULTS.churnSeconds})
  --total N             churn: N connections instead of a time
  --concurrency N       churn connections at a time (default ${DEFAULTS.concurrency})
  --reps N              repetitions of every measurement (default ${DEFAULTS.reps}); the
                        table shows medians
  --slice S             ping-pong and churn: a model's servers take turns
                        of S seconds (ping-pong's connections held) until
                        each had its window (default ${DEFAULTS.slice}; quick: ${QUICK.slice});
                        churn's turns are longer where a connection is
                        slow (fork's); 0 measures one server at a time, as
                        --rounds and --total do
  --idle-ms MS          how long the idle client stays (default ${DEFAULTS.idleMs})
  --timeout SEC         loadgen deadline per run (default ${DEFAULTS.timeout})
  --c10k K,K,...        the C10K scenario's K (default ${C10K_KS.join(',')},
                        each model up to what it can hold: 10,000 for epoll,
                        threads and Node net; fork as far as memory and
                        --c10k-budget allow; select stops below FD_SETSIZE)
                        Runs once per K unless --reps is given.
  --c10k-budget SEC     time one C10K server may take to accept its K idle
                        connections (default ${DEFAULTS.c10kBudget}); a larger K that would
                        take longer, or more than half the free memory, by
                        the smaller K's figures, is skipped with its reason
  --python CMD          the Python 3 that runs the Python servers (default
                        python3 on PATH; without one they are skipped)
  --wide                the full table (server names, conn/s beside req/s,
                        max ms, CPU µs/op, PSS); the default fits 80 columns
  --iterations N        overhead loop iterations (default ${DEFAULTS.overheadIterations})
  --fork-iterations N   fork loop iterations (default ${DEFAULTS.forkIterations})
  --host H              address the servers listen on (default 127.0.0.1;
                        ::1 works)
  --pin auto|split|none  auto (default): the one-thread servers (iterative,
                        select, select-hardened, epoll, Node net) on CPU 1
                        and up, loadgen on CPU 0 (taskset); the fork and
                        thread servers placed by the scheduler; split: every
                        server pinned so; none: the scheduler places all
  --node-flags="F ..."  Node options for the TypeScript servers and Node's net
                        peer (their node command), e.g.
                        --node-flags="--v8-pool-size=1 --use-largepages=on"
                        for fork's churn (the = is needed: the value starts
                        with a dash); the C servers and loadgen are untouched.
                        Environment variables (UV_THREADPOOL_SIZE=1) pass
                        through as they are
  --out DIR             results folder (default benchmarks/results)
  --quick               a small smoke-test run (a few seconds): ${QUICK.conns}
                        connections, ${QUICK.pingpongSeconds} s ping-pong, ${QUICK.churnSeconds} s churn, 1 repetition,
                        short fork and overhead loops
  -h, --help            this text

Time: ping-pong, churn and c10k measure every server for the same time, so
the fast servers are not measured over a few milliseconds (a count of
round trips that suits fork's 20,000 req/s is 30 ms of epoll's 100,000) and
the run's length does not grow with the rate. Each measurement is a fresh
server, an untimed warm-up, then the window: every model's ping-pong,
idle and churn and the two loops take about 7 minutes on 2 CPUs, and c10k
(up to --c10k-budget s per server and K to accept its K idle connections)
about 3 more.

models:
${modelList()}`;

interface Options {
  models: Model[];
  scenarios: Scenario[];
  conns: number;
  /** ping-pong: round trips per connection (--rounds), or undefined: for pingpongSeconds. */
  rounds?: number;
  pingpongSeconds: number;
  idleRounds: number;
  len: number;
  /** churn: a count of connections (--total), or undefined: for churnSeconds. */
  total?: number;
  churnSeconds: number;
  concurrency: number;
  reps: number;
  /** ping-pong on a time window: the turn of each server, in seconds (0: one server at a time). */
  slice: number;
  idleMs: number;
  timeout: number;
  iterations: number;
  overheadReps: number;
  overheadWarmup: number;
  forkIterations: number;
  forkReps: number;
  forkWarmup: number;
  host: string;
  /** taskset prefixes for the servers and loadgen (empty: not pinned). */
  pin: { mode: 'none' | 'split' | 'auto'; server: string[]; loadgen: string[]; why?: string };
  /** Node options put before the script of every Node server (TS and the net peer). */
  nodeFlags: string[];
  /** The Python interpreter's path (sys.executable), or undefined without one. */
  python?: string;
  /** Why there is no Python side, said in the notes. */
  pythonMissing?: string;
  /** The C10K scenario: K list (--c10k), setup budget, the active clients' time, and repetitions (1 unless --reps is given). */
  c10k: { ks?: number[]; budget: number; seconds: number; reps: number };
  wide: boolean;
  out: string;
  quick: boolean;
  /** Models named but without a TypeScript server yet (C side only), or skipped by default. */
  notYet: Model[];
}

class UsageError extends Error {}

function int(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer >= ${min}, not ${JSON.stringify(v)}`);
  return Number(v);
}

function hasTs(m: Model): boolean {
  return !!m.ts && Object.hasOwn(servers, m.ts);
}

/**
 * The Python 3 to run the Python servers with: its sys.executable, found
 * once (pyenv's shims and the like cost a second per start), or why not.
 */
function findPython(cmd: string): { path?: string; missing?: string } {
  const r = spawnSync(cmd, ['-c', 'import sys; assert sys.version_info >= (3, 6), sys.version; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { missing: `${cmd} not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) return { missing: `${cmd} is not a usable Python 3 (exit ${r.status ?? r.signal}${r.stderr ? `: ${r.stderr.trim().split('\n').pop()}` : ''})` };
  return { path };
}

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        models: { type: 'string' },
        scenarios: { type: 'string' },
        conns: { type: 'string' },
        rounds: { type: 'string' },
        seconds: { type: 'string' },
        len: { type: 'string' },
        total: { type: 'string' },
        'churn-seconds': { type: 'string' },
        concurrency: { type: 'string' },
        reps: { type: 'string' },
        'idle-ms': { type: 'string' },
        timeout: { type: 'string' },
        iterations: { type: 'string' },
        'fork-iterations': { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        pin: { type: 'string', default: 'auto' },
        'node-flags': { type: 'string' },
        c10k: { type: 'string' },
        'c10k-budget': { type: 'string' },
        python: { type: 'string' },
        wide: { type: 'boolean', default: false },
        out: { type: 'string' },
        quick: { type: 'boolean', default: false },
        slice: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const base = values.quick ? QUICK : DEFAULTS;

  // --models
  let selected: Model[];
  const notYet: Model[] = [];
  if (values.models !== undefined) {
    const names = values.models.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError(`--models needs at least one model name (known: ${models.map((m) => m.model).join(', ')})`);
    const unknown = names.filter((n) => !models.some((m) => m.model === n));
    if (unknown.length) {
      throw new UsageError(`unknown model${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')} in --models (known: ${models.map((m) => m.model).join(', ')})`);
    }
    // Keep the models' own order; drop duplicates.
    selected = models.filter((m) => names.includes(m.model));
    for (const m of selected) if (!m.peer && !hasTs(m)) notYet.push(m);
  } else {
    selected = models.filter((m) => m.peer || hasTs(m));
    for (const m of models) if (!m.peer && !hasTs(m)) notYet.push(m);
  }

  // --scenarios
  let scenarios: Scenario[] = [...SCENARIOS];
  if (values.scenarios !== undefined) {
    const names = values.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError(`--scenarios needs at least one of ${SCENARIOS.join(', ')}`);
    const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
    if (unknown.length) throw new UsageError(`unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')} in --scenarios (known: ${SCENARIOS.join(', ')})`);
    scenarios = SCENARIOS.filter((s) => names.includes(s));
  }

  const py = findPython(values.python ?? 'python3');
  if (values.rounds !== undefined && values.seconds !== undefined) throw new UsageError('--rounds or --seconds, not both');
  const rounds = values.rounds === undefined ? undefined : int('rounds', values.rounds, 1);
  const pingpongSeconds = values.seconds === undefined ? base.pingpongSeconds : Number(values.seconds);
  if (!(pingpongSeconds > 0) || pingpongSeconds > 3600) throw new UsageError(`--seconds must be a number of seconds in (0, 3600], not ${JSON.stringify(values.seconds)}`);
  if (values.total !== undefined && values['churn-seconds'] !== undefined) throw new UsageError('--total or --churn-seconds, not both');
  const total = values.total === undefined ? undefined : int('total', values.total, 1);
  const churnSeconds = values['churn-seconds'] === undefined ? base.churnSeconds : Number(values['churn-seconds']);
  if (!(churnSeconds > 0) || churnSeconds > 3600) throw new UsageError(`--churn-seconds must be a number of seconds in (0, 3600], not ${JSON.stringify(values['churn-seconds'])}`);

  const slice = values.slice === undefined ? base.slice : Number(values.slice);
  if (!(slice >= 0) || slice > 3600) throw new UsageError(`--slice must be a number of seconds in [0, 3600] (0: one server at a time), not ${JSON.stringify(values.slice)}`);

  const timeout = values.timeout === undefined ? base.timeout : Number(values.timeout);
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new UsageError(`--timeout must be a positive number of seconds, not ${JSON.stringify(values.timeout)}`);
  const len = int('len', values.len, base.len, 2);
  if (len > 8192) throw new UsageError(`--len must be at most 8192 (the servers' MAXLINE), not ${len}`);

  let pin: Options['pin'] = { mode: 'none', server: [], loadgen: [] };
  if (values.pin === 'split' || values.pin === 'auto') {
    const cpus = os.cpus().length;
    const why = cpus < 2 ? `at least 2 CPUs (this machine has ${cpus})`
      : spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status !== 0 ? 'taskset (util-linux), which is not on PATH' : undefined;
    if (why && values.pin === 'split') throw new UsageError(`--pin split needs ${why}`);
    if (why) pin.why = `--pin auto needs ${why}: the scheduler places every server`;
    else pin = { mode: values.pin, loadgen: ['taskset', '-c', '0'], server: ['taskset', '-c', cpus === 2 ? '1' : `1-${cpus - 1}`] };
  } else if (values.pin !== 'none') {
    throw new UsageError(`--pin must be auto, split or none, not ${JSON.stringify(values.pin)}`);
  }

  let c10kKs: number[] | undefined;
  if (values.c10k !== undefined) {
    const parts = values.c10k.split(',').map((x) => x.trim()).filter(Boolean);
    if (parts.length === 0 || parts.some((x) => !/^\d+$/.test(x) || Number(x) > 1_000_000)) {
      throw new UsageError(`--c10k takes a list of connection counts from 0 to 1000000 (e.g. 0,10,100), not ${JSON.stringify(values.c10k)}`);
    }
    c10kKs = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  }
  const c10kBudget = values['c10k-budget'] === undefined ? base.c10kBudget : Number(values['c10k-budget']);
  if (!(c10kBudget > 0) || !Number.isFinite(c10kBudget)) throw new UsageError(`--c10k-budget must be a positive number of seconds, not ${JSON.stringify(values['c10k-budget'])}`);
  if (values.python !== undefined && !py.path) throw new UsageError(`--python ${values.python}: ${py.missing}`);

  const nodeFlags = (values['node-flags'] ?? '').split(/\s+/).filter(Boolean);
  const notFlag = nodeFlags.find((f) => !f.startsWith('-'));
  if (notFlag !== undefined) throw new UsageError(`--node-flags takes Node options (each starting with -), not ${JSON.stringify(notFlag)}`);

  return {
    models: selected,
    scenarios,
    conns: int('conns', values.conns, base.conns),
    rounds,
    pingpongSeconds,
    idleRounds: rounds === undefined ? base.idleRounds : Math.max(1, Math.round(rounds / 10)),
    len,
    total,
    churnSeconds,
    concurrency: int('concurrency', values.concurrency, base.concurrency),
    reps: int('reps', values.reps, base.reps),
    slice,
    idleMs: int('idle-ms', values['idle-ms'], base.idleMs, 0),
    timeout,
    iterations: int('iterations', values.iterations, base.overheadIterations),
    overheadReps: values.quick ? QUICK.overheadReps : DEFAULTS.overheadReps,
    overheadWarmup: values.quick ? QUICK.overheadWarmup : DEFAULTS.overheadWarmup,
    forkIterations: int('fork-iterations', values['fork-iterations'], base.forkIterations),
    forkReps: base.forkReps,
    forkWarmup: base.forkWarmup,
    host: values.host!,
    pin,
    nodeFlags,
    python: py.path,
    pythonMissing: py.missing,
    c10k: { ks: c10kKs, budget: c10kBudget, seconds: base.c10kSeconds, reps: values.reps === undefined ? 1 : int('reps', values.reps, base.reps) },
    wide: values.wide!,
    out: resolve(values.out ?? join(packageRoot(), 'benchmarks', 'results')),
    quick: values.quick!,
    notYet,
  };
}

// ---------------------------------------------------------------- processes

/** Everything this runner started and has not seen exit: stopped on SIGINT / SIGTERM. */
const liveServers = new Set<Launched>();
const liveLoadgens = new Set<ChildProcess>();

function loadgenPath(): string {
  return join(packageRoot(), 'benchmarks', 'bin', 'loadgen');
}

interface LoadgenResult {
  mode: 'pingpong' | 'churn';
  requests?: number;
  connections?: number;
  errors: number;
  seconds: number;
  req_per_s?: number;
  conn_per_s?: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  timeout: boolean;
  /** With --idle K: K, how many were held, how many failed, and the seconds it took to hold them. */
  idle?: number;
  idle_held?: number;
  idle_errors?: number;
  idle_seconds?: number;
  /** With --settle: the seconds until every connection had made its untimed first round trip. */
  settle_seconds?: number;
}

interface LoadgenRun {
  exit: number | null;
  result?: LoadgenResult;
  /** The first lines loadgen wrote on stderr (it describes the first few errors). */
  stderr: string;
  failure?: string;
}

/**
 * A running loadgen: its stdout as lines, its stdin for the line protocols
 * (--idle-pause, --slices), and its result once it has exited. Started with
 * its own --timeout, and killed (SIGKILL, by pid) if it overstays that by
 * 10 s.
 */
class LoadgenChild {
  private readonly child: ChildProcess;
  private readonly guard: NodeJS.Timeout;
  private buf = '';
  private readonly lines: string[] = [];
  private last?: string;
  private wake?: () => void;
  private closed = false;
  private exit: number | null = null;
  private signal: NodeJS.Signals | null = null;
  private failure?: string;
  private stderr = '';

  constructor(args: string[], timeoutSec: number, prefix: string[], input: boolean) {
    // taskset (the --pin prefix) execs loadgen: the pid stays the same.
    const command = [...prefix, loadgenPath(), ...args, '--timeout', String(timeoutSec)];
    this.child = spawn(command[0], command.slice(1), { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    liveLoadgens.add(this.child);
    this.child.stdout!.on('data', (d) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        this.last = this.buf.slice(0, i);
        this.lines.push(this.last);
        this.buf = this.buf.slice(i + 1);
      }
      this.wake?.();
    });
    this.child.stderr!.on('data', (d) => { if (this.stderr.length < 2000) this.stderr += d; });
    this.child.stdin?.on('error', () => {}); // gone before it read: its exit says why
    this.child.on('error', (err) => { this.failure = `loadgen: ${err.message}`; });
    this.guard = setTimeout(() => this.child.kill('SIGKILL'), (timeoutSec + 10) * 1000);
    this.child.on('close', (code, signal) => {
      clearTimeout(this.guard);
      liveLoadgens.delete(this.child);
      this.closed = true;
      this.exit = code;
      this.signal = signal;
      this.wake?.();
    });
  }

  /** The next line on its stdout, or undefined once it has exited without one. */
  async line(): Promise<string | undefined> {
    while (this.lines.length === 0 && !this.closed) await new Promise<void>((r) => { this.wake = r; });
    this.wake = undefined;
    return this.lines.shift();
  }

  /** Writes to its stdin; with end, closes it after. */
  send(text: string, end = false): void {
    if (end) this.child.stdin!.end(text);
    else this.child.stdin!.write(text);
  }

  /** Why it is gone: how it ended. */
  gone(): string {
    if (this.failure) return this.failure;
    if (this.signal) return `loadgen killed by ${this.signal}`;
    if (this.exit === 64) return `loadgen usage error: ${this.stderr.trim().split('\n')[0]}`;
    return `loadgen exit ${this.exit}${this.stderr ? `: ${this.stderr.trim().split('\n')[0]}` : ''}`;
  }

  /** Waits for it to exit: its result, the JSON of its last line. */
  async result(): Promise<LoadgenRun> {
    while (!this.closed) await new Promise<void>((r) => { this.wake = r; });
    this.wake = undefined;
    const run: LoadgenRun = { exit: this.exit, stderr: this.stderr.trim() };
    if (this.failure || this.signal || this.exit === 64) run.failure = this.gone();
    else {
      try {
        run.result = JSON.parse(this.last ?? '') as LoadgenResult;
      } catch {
        run.failure = `loadgen exit ${this.exit}, no JSON result${this.stderr ? `: ${this.stderr.trim().split('\n')[0]}` : ''}`;
      }
    }
    return run;
  }

  kill(): void {
    if (!this.closed) this.child.kill('SIGKILL');
  }
}

/**
 * Runs loadgen to its end. With onPause, loadgen runs with --idle-pause:
 * its first line (the idle connections held) goes to onPause, and loadgen
 * goes on once that has settled.
 */
async function loadgen(args: string[], timeoutSec: number, prefix: string[] = [], onPause?: (line: string) => void): Promise<LoadgenRun> {
  const lg = new LoadgenChild(onPause ? [...args, '--idle-pause'] : args, timeoutSec, prefix, !!onPause);
  if (onPause) {
    const line = await lg.line();
    try {
      // Timed out while opening the idle connections: no pause line, only the result.
      if (line !== undefined && !line.startsWith('{"mode"')) onPause(line);
    } finally {
      lg.send('\n', true);
    }
  }
  return lg.result();
}

/** loadgen --slices: its connections held between windows, a window at a time (so that a model's servers can take turns). */
class TurnLoadgen {
  private readonly lg: LoadgenChild;

  constructor(args: string[], timeoutSec: number, prefix: string[]) {
    this.lg = new LoadgenChild([...args, '--slices'], timeoutSec, prefix, true);
  }

  private why(line?: string): string {
    if (line === undefined) return this.lg.gone();
    return `loadgen: ${line.startsWith('{"mode"') ? (line.includes('"timeout":true') ? 'timed out' : 'ended') : line}`;
  }

  /** Its connections are open (and settled with --settle). */
  async ready(): Promise<void> {
    const line = await this.lg.line();
    if (line === undefined || !line.startsWith('{"ready"')) throw new Error(this.why(line));
  }

  /** One window of `seconds`: the round trips or connections it made, and its time (warm: not counted in the result). */
  async turn(seconds: number, warm = false): Promise<{ done: number; seconds: number }> {
    this.lg.send(`${warm ? 'warm ' : ''}${seconds}\n`);
    const line = await this.lg.line();
    const r = line?.startsWith('{"slice"') ? (JSON.parse(line) as { requests?: number; connections?: number; seconds: number }) : undefined;
    if (!r) throw new Error(this.why(line));
    return { done: r.requests ?? r.connections ?? 0, seconds: r.seconds };
  }

  /** Ends it: loadgen's result over all its windows. */
  end(): Promise<LoadgenRun> {
    this.lg.send('end\n', true);
    return this.lg.result();
  }

  kill(): void {
    this.lg.kill();
  }
}

/** TIME_WAIT sockets on this host now (Linux's TCP table, as sys/tcp.ts reads it), or undefined. */
function timeWaitCount(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return proc_net_tcp().filter((r) => r.state === 'TIME_WAIT').length;
  } catch {
    return undefined;
  }
}

/**
 * The machine's busy CPU time so far, in seconds, from the first line of
 * /proc/stat (user, nice, system, irq, softirq and steal; not idle or
 * iowait; USER_HZ = 100 ticks a second); undefined without /proc.
 */
function busyCpuSeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / 100;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- measuring

type Impl = 'ts' | 'c' | 'py' | 'peer';

interface Sample {
  rep: number;
  /** 1 = measured first of its pair, 2 = second. */
  position: number;
  /** Order of this measurement in the whole run. */
  seq: number;
  ok: boolean;
  error?: string;
  result?: LoadgenResult;
  loadgen_exit?: number | null;
  loadgen_stderr?: string;
  warmup_error?: string;
  server_exit?: { code: number | null; signal: string | null };
  time_wait_before?: number;
  /** CPU time of the whole machine (server, its children, loadgen, kernel) per request or connection of the timed run. */
  cpu_us_per_op?: number;
  /** c10k: the server's tree after the warm-up, before the idle connections (Linux). */
  memory_base?: TreeMemory;
  /** c10k: the server's tree holding the K idle connections, before the active clients (Linux). */
  memory?: TreeMemory;
  /** c10k: why this measurement was not made (a limit of the model or the machine). */
  skipped?: string;
  /** The CPUs the server may run on (/proc/PID/status's Cpus_allowed_list: --pin), on Linux. */
  cpus?: string;
  /** Taking turns (--slice): the rate of each of its turns, in order. */
  turn_rates?: number[];
  wall_seconds: number;
}

interface Summary {
  rate?: number;
  rate_unit: 'req/s' | 'conn/s';
  rate_min?: number;
  rate_max?: number;
  p50_us?: number;
  p99_us?: number;
  max_us?: number;
  errors: number;
  timeouts: number;
  failed: number;
  ok_samples: number;
  /** Median of the samples' cpu_us_per_op. */
  cpu_us_per_op?: number;
  /** c10k: medians of the samples' memory (KiB), and the memory per idle connection above the base. */
  rss_kb?: number;
  pss_kb?: number;
  rss_kb_per_conn?: number;
  processes?: number;
  threads?: number;
  /** c10k: idle connections that failed (closed by the server, refused...), and the median time to hold them. */
  idle_errors?: number;
  idle_seconds?: number;
  /** c10k: the reason every sample was skipped. */
  skipped?: string;
}

interface Row {
  model: string;
  scenario: LoadScenario;
  /** c10k: the idle connections held. */
  k?: number;
  impl: Impl;
  server: string;
  command: string[];
  samples: Sample[];
  summary?: Summary;
  /** On the TypeScript row: TS / C of the medians, and TS / Python's rate. */
  ratio?: { rate?: number; p50?: number; p99?: number; rate_py?: number };
}

/** The median, or undefined for no values. */
function median(xs: number[]): number | undefined {
  return xs.length === 0 ? undefined : medianOf(xs);
}

// nodeFlags go between node and its script, for the servers that run on Node.
function serverCommand(m: Model, impl: Impl, host: string, nodeFlags: string[], python?: string): string[] {
  const onNode = ([cmd, ...rest]: string[]) => (cmd === process.execPath ? [cmd, ...nodeFlags, ...rest] : [cmd, ...rest]);
  if (impl === 'ts') return [...onNode(cliCommand()), 'serve', m.ts!, '--host', host, '--port', '0', '--quiet'];
  if (impl === 'c') return [join(packageRoot(), 'benchmarks', 'bin', m.c!), '--host', host, '--port', '0'];
  if (impl === 'py') return [python!, join(packageRoot(), 'benchmarks', 'python', m.python!), '--host', host, '--port', '0'];
  return [...onNode(m.peer!), '--host', host, '--port', '0'];
}

function serverLabel(m: Model, impl: Impl): string {
  if (impl === 'ts') return `TS ${m.ts}`;
  if (impl === 'c') return `C ${m.c}`;
  if (impl === 'py') return `Py ${m.python}`;
  return m.model === 'node-net' ? 'Node net (libuv)' : m.model;
}

/**
 * The churn warm-up, in connections. V8 optimizes a TypeScript server's
 * per-connection path only after 1,000 to 2,000 connections: measured
 * 2026-12-07 on 2 quiet cores, 1,000 connections of echo-iterative ran at
 * 3,200-4,300 conn/s after a 200-connection warm-up, 4,100-4,500 after
 * 1,000, 8,600-10,100 after 2,000 or 3,000 (Python 9,100-10,200, C
 * 11,900-13,800 after 200). The fork server's path per connection is the
 * child's, warmed in the parent by echo_warm, and its connections are slow
 * (a fork and an exit each): 200 there.
 */
function churnWarmup(o: Options, model: string): number {
  if (o.quick) return 50;
  return model === 'fork' ? 200 : 3000;
}

function loadArgs(scenario: LoadScenario, o: Options, host: string, port: number, warm: boolean, k = 0, m?: Model): string[] {
  const where = ['--host', host, '--port', String(port), '--len', String(o.len)];
  if (scenario === 'churn') {
    const count = warm ? ['--total', String(churnWarmup(o, m?.model ?? ''))]
      : o.total !== undefined ? ['--total', String(o.total)] : ['--seconds', String(o.churnSeconds)];
    return ['churn', ...where, ...count, '--concurrency', String(o.concurrency)];
  }
  // 10,000 round trips: enough for V8 to optimize the TypeScript server's hot
  // path (1,000 left it measurably short of its steady state); the C server
  // gets the same.
  if (warm) return ['pingpong', ...where, '--conns', String(Math.min(o.conns, 20)), '--rounds', String(o.quick ? 20 : 500)];
  // Ping-pong and c10k: the clients ping-pong for a time (a count that suits
  // fork's 20,000 req/s was a 30 ms window for epoll's 100,000), as churn does.
  const count = scenario === 'c10k' ? ['--seconds', String(o.c10k.seconds)]
    : scenario === 'idle' ? ['--rounds', String(o.idleRounds)]
      : o.rounds !== undefined ? ['--rounds', String(o.rounds)] : ['--seconds', String(o.pingpongSeconds)];
  const args = ['pingpong', ...where, '--conns', String(o.conns), ...count];
  if (scenario === 'pingpong' && m?.servesAll) args.push('--settle');
  if (scenario === 'idle') args.push('--idle', '1', '--idle-ms', String(o.idleMs));
  if (scenario === 'c10k' && k) args.push('--idle', String(k), '--idle-echo');
  return args;
}

/** The taskset prefixes for a model's servers and their loadgen (--pin), or none. */
function pinOf(m: Model, o: Options): { server: string[]; loadgen: string[] } {
  const pinned = o.pin.mode === 'split' || (o.pin.mode === 'auto' && m.oneThread);
  return pinned ? o.pin : { server: [], loadgen: [] };
}

/** Whether a model's servers take turns (--slice): ping-pong and churn on a time window. */
function takesTurns(scenario: LoadScenario, o: Options): boolean {
  return o.slice > 0 && ((scenario === 'pingpong' && o.rounds === undefined) || (scenario === 'churn' && o.total === undefined));
}

/**
 * Churn's turn: --slice, or 20 connection times of the slowest server's
 * warm-up (its p50) where that is longer. A turn waits for the connections
 * it started, so one that lasts a fork server's 30-300 ms would measure
 * that ramp more than the server's pace; there the turns get longer, up to
 * one a server: the window whole, as when measured alone.
 */
function churnTurn(o: Options, warmP50us: number[]): number {
  return Math.max(o.slice, (20 * Math.max(0, ...warmP50us)) / 1e6);
}

/** loadgen's arguments for taking turns (loadgen --slices: the windows come from the runner). */
function turnArgs(scenario: LoadScenario, o: Options, host: string, port: number, m: Model): string[] {
  const where = ['--host', host, '--port', String(port), '--len', String(o.len)];
  if (scenario === 'churn') return ['churn', ...where, '--concurrency', String(o.concurrency)];
  return ['pingpong', ...where, '--conns', String(o.conns), ...(m.servesAll ? ['--settle'] : [])];
}

let seq = 0;
let progressTotal = 0;

function fmtRate(r: LoadgenResult): string {
  const rate = r.mode === 'churn' ? `${Math.round(r.conn_per_s ?? 0).toLocaleString('en-US')} conn/s` : `${Math.round(r.req_per_s ?? 0).toLocaleString('en-US')} req/s`;
  return `${rate}, p50 ${r.p50_us} µs, p99 ${r.p99_us} µs${r.errors ? `, ${r.errors} errors` : ''}${r.timeout ? ', TIMEOUT' : ''}`;
}

/**
 * Starts a row's server (pinned as --pin says), records the CPUs it may
 * use, and warms it up with the scenario's untimed load: the server, and
 * the warm-up's result (a failed warm-up is said in the sample, not thrown).
 */
async function startAndWarm(row: Row, m: Model, o: Options, sample: Sample): Promise<{ server: Launched; warm: LoadgenRun }> {
  if (row.impl === 'c' && !existsSync(row.command[0])) {
    throw new Error(`${relative(packageRoot(), row.command[0])} is not built (make -C benchmarks)`);
  }
  let server: Launched;
  try {
    server = await launch([...pinOf(m, o).server, ...row.command], { timeoutMs: 10_000 });
  } catch (err) {
    throw new Error(`server failed to start: ${(err as Error).message.split('\n').filter(Boolean).slice(0, 2).join(' / ')}`);
  }
  liveServers.add(server);
  try {
    sample.cpus = cpus_allowed(server.pid);
    const warm = await loadgen(loadArgs(row.scenario, o, server.host, server.port, true, 0, m), Math.min(o.timeout, 10), pinOf(m, o).loadgen);
    if (warm.failure || warm.exit !== 0) sample.warmup_error = warm.failure ?? `warm-up exit ${warm.exit}: ${warm.stderr.split('\n')[0] ?? ''}`;
    return { server, warm };
  } catch (err) {
    await stopServer(server, sample, 3000); // the caller never got it
    throw err;
  }
}

/** Stops a server by pid (SIGTERM, then SIGKILL after graceMs) and records how it ended. */
async function stopServer(server: Launched, sample: Sample, graceMs: number): Promise<void> {
  const status = await server.stop('SIGTERM', graceMs);
  liveServers.delete(server);
  sample.server_exit = { code: status.code, signal: status.signal };
}

/** One measurement: start the server, warm it up, measure, stop it (always). */
async function measure(row: Row, m: Model, o: Options, rep: number, position: number): Promise<void> {
  const t0 = performance.now();
  const sample: Sample = { rep, position, seq: ++seq, ok: false, wall_seconds: 0 };
  row.samples.push(sample);
  const k = row.k ?? 0;
  process.stderr.write(`[${sample.seq}/${progressTotal}] ${row.scenario.padEnd(8)} ${row.model}${row.k === undefined ? '' : ` K=${k}`} ${row.server} ... `);
  let server: Launched | undefined;
  try {
    if (row.scenario === 'c10k') {
      const why = c10kGuard(row, o);
      if (why) throw new Skip(why);
    }
    ({ server } = await startAndWarm(row, m, o, sample));
    const launched = server;
    if (row.scenario === 'churn') sample.time_wait_before = timeWaitCount();
    let onPause: ((line: string) => void) | undefined;
    if (row.scenario === 'c10k') {
      if (m.c10k?.limit === 'FD_SETSIZE') {
        // The descriptors the server holds now are the lowest; its clients get the next ones.
        const fds = fd_count(server.pid);
        if (fds !== undefined && fds + k + o.conns > FD_SETSIZE) {
          throw new Skip(`${k} idle + ${o.conns} active connections beside the ${fds} descriptors it holds need descriptors up to ${fds + k + o.conns - 1}: select stops at FD_SETSIZE (${FD_SETSIZE})`);
        }
      }
      sample.memory_base = treeMemory(server.pid);
      if (k === 0) sample.memory = sample.memory_base;
      else onPause = () => { sample.memory = treeMemory(launched.pid); };
    }
    const busy0 = busyCpuSeconds();
    const timeout = row.scenario === 'c10k' ? o.timeout + o.c10k.budget : o.timeout;
    const run = await loadgen(loadArgs(row.scenario, o, server.host, server.port, false, k, m), timeout, pinOf(m, o).loadgen, onPause);
    const busy1 = busyCpuSeconds();
    const ops = run.result && (row.scenario === 'churn' ? run.result.connections : run.result.requests);
    // /proc/stat counts in 10 ms ticks: a window of less than 0.25 s of CPU is too coarse to report.
    // (Not for c10k: its window includes setting up the idle connections.)
    if (row.scenario !== 'c10k' && busy0 !== undefined && busy1 !== undefined && ops && busy1 - busy0 >= 0.25) sample.cpu_us_per_op = ((busy1 - busy0) * 1e6) / ops;
    sample.loadgen_exit = run.exit;
    if (run.stderr) sample.loadgen_stderr = run.stderr.split('\n').slice(0, 5).join('\n');
    if (run.failure) throw new Error(run.failure);
    sample.result = run.result;
    sample.ok = true;
    const mem = sample.memory ? `, ${mb(sample.memory.rss_kb)} MB RSS in ${sample.memory.processes} process(es)` : '';
    process.stderr.write(`${fmtRate(run.result!)}${mem}\n`);
  } catch (err) {
    if (err instanceof Skip) {
      sample.skipped = err.message;
      process.stderr.write(`skipped: ${err.message}\n`);
    } else {
      sample.error = (err as Error).message;
      process.stderr.write(`FAILED: ${sample.error}\n`);
    }
  } finally {
    if (server) {
      // 3 s, and 1 ms more per idle connection held. Python's threads server
      // with 10,000 runs its handler only once the main thread gets the GIL,
      // which 10,000 ending threads contend for: it missed even 13 s here,
      // and is then killed and reported in the notes.
      await stopServer(server, sample, 3000 + k);
    }
    sample.wall_seconds = (performance.now() - t0) / 1000;
  }
}

interface Turns {
  row: Row;
  sample: Sample;
  server?: Launched;
  lg?: TurnLoadgen;
  failed?: boolean;
  busy: number;
  done: number;
  rates: number[];
}

/**
 * One repetition of a model's servers taking turns: start each (fresh),
 * warm it up and open its loadgen's connections; an untimed turn each;
 * then, cycle after cycle,
 * each has a window of --slice seconds while the others wait with their
 * connections open and idle, the first of each cycle shifting by one,
 * until each had the whole window; then stop them (always). A slow spell
 * of the machine (seconds, here) falls on every server alike.
 */
async function measureTurns(rows: Row[], m: Model, o: Options, rep: number): Promise<void> {
  const t0 = performance.now();
  const scenario = rows[0].scenario;
  const window = scenario === 'churn' ? o.churnSeconds : o.pingpongSeconds;
  const all: Turns[] = rows.map((row, i) => {
    const sample: Sample = { rep, position: i + 1, seq: ++seq, ok: false, wall_seconds: 0 };
    row.samples.push(sample);
    return { row, sample, busy: 0, done: 0, rates: [] };
  });
  const fail = (t: Turns, err: unknown) => {
    t.failed = true;
    t.sample.error = (err as Error).message;
    t.lg?.kill();
  };
  process.stderr.write(`[${all[0].sample.seq}-${all[all.length - 1].sample.seq}/${progressTotal}] ${scenario.padEnd(8)} ${m.model}, taking turns:\n`);
  const warmP50: number[] = [];
  // Its own deadline covers the other servers' warm-ups and turns too.
  const lgTimeout = o.timeout + (window + 15) * rows.length;
  try {
    for (const t of all) {
      try {
        const { server, warm } = await startAndWarm(t.row, m, o, t.sample);
        t.server = server;
        if (warm.result) warmP50.push(warm.result.p50_us);
        t.lg = new TurnLoadgen(turnArgs(scenario, o, t.server.host, t.server.port, m), lgTimeout, pinOf(m, o).loadgen);
        await t.lg.ready();
      } catch (err) {
        fail(t, err);
      }
    }
    if (scenario === 'churn') {
      const tw = timeWaitCount();
      for (const t of all) t.sample.time_wait_before = tw;
    }
    const turn = scenario === 'churn' ? churnTurn(o, warmP50) : o.slice;
    const cycles = Math.max(1, Math.round(window / turn));
    const each = window / cycles;
    process.stderr.write(`    ${cycles} turn${cycles > 1 ? 's' : ''} of ${+each.toFixed(3)} s each, after an untimed one\n`);
    // Each server's first turn after its wait while the others warmed up
    // ran slower on every side (C 87k then 116k req/s, Python 46k then
    // 84k, TS 84k then 100k): one untimed turn each first.
    for (const t of all) {
      if (t.failed) continue;
      try {
        await t.lg!.turn(each, true);
      } catch (err) {
        fail(t, err);
      }
    }
    for (let c = 0; c < cycles; c++) {
      for (let j = 0; j < all.length; j++) {
        const t = all[(c + j) % all.length];
        if (t.failed) continue;
        try {
          const busy0 = busyCpuSeconds();
          const r = await t.lg!.turn(each);
          const busy1 = busyCpuSeconds();
          if (busy0 !== undefined && busy1 !== undefined) t.busy += busy1 - busy0;
          t.done += r.done;
          t.rates.push(r.seconds > 0 ? Math.round(r.done / r.seconds) : 0);
        } catch (err) {
          fail(t, err);
        }
      }
    }
    for (const t of all) {
      if (t.failed) continue;
      const run = await t.lg!.end();
      t.sample.loadgen_exit = run.exit;
      if (run.stderr) t.sample.loadgen_stderr = run.stderr.split('\n').slice(0, 5).join('\n');
      if (run.failure) {
        fail(t, new Error(run.failure));
        continue;
      }
      t.sample.result = run.result;
      t.sample.turn_rates = t.rates;
      // /proc/stat's 10 ms ticks: less than 0.25 s of CPU is too coarse to report.
      if (t.done && t.busy >= 0.25) t.sample.cpu_us_per_op = (t.busy * 1e6) / t.done;
      t.sample.ok = true;
    }
  } finally {
    for (const t of all) {
      t.lg?.kill();
      if (t.server) {
        await stopServer(t.server, t.sample, 3000);
      }
      t.sample.wall_seconds = (performance.now() - t0) / 1000;
      process.stderr.write(`    ${t.row.server.padEnd(28)} ${t.sample.ok ? fmtRate(t.sample.result!) : `FAILED: ${t.sample.error}`}\n`);
    }
  }
}

/** A c10k measurement not made: a limit of the model or of the machine, said in the output. */
class Skip extends Error {}

/**
 * Why a c10k measurement at this K is not made, judged by the same server
 * at the smaller K measured before it: failed or skipped there, or, at that
 * pace and that memory per connection, setting up K connections would take
 * longer than --c10k-budget or more than half the machine's free memory.
 */
function c10kGuard(row: Row, o: Options): string | undefined {
  const k = row.k ?? 0;
  const before = c10kRows.filter((r) => r.model === row.model && r.impl === row.impl && (r.k ?? 0) < k && r.samples.length);
  if (before.length === 0) return undefined;
  const prev = before[before.length - 1];
  const pk = prev.k ?? 0;
  if (prev.samples.every((s) => s.skipped)) return prev.samples[0].skipped;
  const ok = prev.samples.filter((s) => s.ok && s.result);
  if (ok.length === 0) return `K=${pk} failed`;
  const bad = ok.find((s) => s.result!.timeout || (s.result!.idle_errors ?? 0) > 0);
  if (bad) {
    const r = bad.result!;
    return `stopped at K=${pk}: ${r.timeout ? 'it timed out' : `${r.idle_errors} of its ${pk} idle connections failed`}`;
  }
  if (pk === 0) return undefined;
  const secs = median(ok.map((s) => s.result!.idle_seconds ?? 0))!;
  const projected = (secs / pk) * k;
  if (projected > o.c10k.budget) {
    return `K=${pk} took ${secs.toFixed(1)} s to set up, so K=${k} would take about ${Math.round(projected)} s, over --c10k-budget ${o.c10k.budget} s`;
  }
  const grown = ok.flatMap((s) => (s.memory && s.memory_base ? [(s.memory.pss_kb ?? s.memory.rss_kb) - (s.memory_base.pss_kb ?? s.memory_base.rss_kb)] : []));
  const free = memAvailableKb();
  if (grown.length && free !== undefined) {
    const need = (median(grown)! / pk) * k;
    if (need > free / 2) {
      return `K=${pk} took ${mb(median(grown)!)} MB, so K=${k} would take about ${mb(need)} MB, over half the machine's free memory (${mb(free)} MB)`;
    }
  }
  return undefined;
}

function summarize(row: Row): void {
  const unit = row.scenario === 'churn' ? 'conn/s' : 'req/s';
  const ok = row.samples.filter((s) => s.ok && s.result);
  const rates = ok.map((s) => (unit === 'conn/s' ? s.result!.conn_per_s : s.result!.req_per_s) ?? 0);
  const skipped = row.samples.filter((s) => s.skipped);
  row.summary = {
    rate: median(rates),
    rate_unit: unit,
    rate_min: rates.length ? Math.min(...rates) : undefined,
    rate_max: rates.length ? Math.max(...rates) : undefined,
    p50_us: median(ok.map((s) => s.result!.p50_us)),
    p99_us: median(ok.map((s) => s.result!.p99_us)),
    max_us: median(ok.map((s) => s.result!.max_us)),
    errors: ok.reduce((n, s) => n + s.result!.errors, 0),
    timeouts: ok.filter((s) => s.result!.timeout).length,
    failed: row.samples.length - ok.length - skipped.length,
    ok_samples: ok.length,
    cpu_us_per_op: median(ok.flatMap((s) => (s.cpu_us_per_op === undefined ? [] : [s.cpu_us_per_op]))),
  };
  if (row.scenario !== 'c10k') return;
  const withMem = ok.filter((s) => s.memory);
  const k = row.k ?? 0;
  Object.assign(row.summary, {
    rss_kb: median(withMem.map((s) => s.memory!.rss_kb)),
    pss_kb: withMem.every((s) => s.memory!.pss_kb !== undefined) ? median(withMem.map((s) => s.memory!.pss_kb!)) : undefined,
    rss_kb_per_conn: k > 0 ? median(withMem.flatMap((s) => (s.memory_base ? [(s.memory!.rss_kb - s.memory_base.rss_kb) / k] : []))) : undefined,
    processes: median(withMem.map((s) => s.memory!.processes)),
    threads: median(withMem.map((s) => s.memory!.threads)),
    idle_errors: ok.reduce((n, s) => n + (s.result!.idle_errors ?? 0), 0),
    idle_seconds: k > 0 ? median(ok.map((s) => s.result!.idle_seconds ?? 0)) : undefined,
    skipped: skipped.length && skipped.length === row.samples.length ? skipped[0].skipped : undefined,
  });
}

function scenariosFor(m: Model, o: Options): LoadScenario[] {
  return o.scenarios.filter((s): s is LoadScenario => s === 'pingpong' || s === 'churn' || (s === 'idle' && !!m.extra?.includes('idle')) || (s === 'c10k' && !!m.c10k));
}

function implsOf(m: Model, o: Options): Impl[] {
  if (m.peer) return ['peer'];
  const impls: Impl[] = [];
  if (hasTs(m)) impls.push('ts');
  if (m.python && o.python) impls.push('py');
  if (m.c) impls.push('c');
  return impls;
}

/** Said in the notes: how the C10K K lists were fitted to the models. */
const c10kNotes: string[] = [];
/** The c10k rows so far, in the order they are measured (K ascending per model). */
const c10kRows: Row[] = [];

/** A model's C10K K list: --c10k or the defaults up to what the model holds; select's capped below FD_SETSIZE. */
function c10kKs(m: Model, o: Options): number[] {
  let ks = o.c10k.ks ?? C10K_KS.filter((k) => k <= m.c10k!.upTo);
  if (m.c10k?.limit === 'FD_SETSIZE') {
    const cap = FD_SETSIZE - o.conns - FD_RESERVE;
    const over = ks.filter((k) => k > cap);
    if (over.length) {
      ks = [...new Set(ks.map((k) => Math.min(k, Math.max(0, cap))))];
      c10kNotes.push(`${m.model}: K=${over.join(', ')} lowered to ${cap}: select watches descriptors below FD_SETSIZE (${FD_SETSIZE}) only, and ${o.conns} active clients and the server's own descriptors (up to ${FD_RESERVE}) need their share.`);
    }
  }
  return ks;
}

/**
 * The order: scenario by scenario (ping-pong, idle, then churn and c10k,
 * which leave thousands of TIME_WAIT sockets; c10k last, its K=10,000 runs
 * leaving the most), model by model (c10k: K by K, ascending), and for
 * each repetition the model's servers back to back (or, for ping-pong and
 * churn, taking turns, the first cycle in this order): C, Python, TS on
 * even repetitions, TS, Python, C on odd ones.
 */
async function runAll(o: Options, rows: Row[]): Promise<void> {
  // A step is one server alone (position: its place in the repetition), or a model's servers taking turns.
  const plan: Array<{ rows: Row[]; m: Model; rep: number; position: number }> = [];
  for (const scenario of ['pingpong', 'idle', 'churn', 'c10k'] as const) {
    for (const m of o.models) {
      if (!scenariosFor(m, o).includes(scenario)) continue;
      const impls = implsOf(m, o);
      for (const k of scenario === 'c10k' ? c10kKs(m, o) : [undefined]) {
        const byImpl = new Map<Impl, Row>();
        for (const impl of impls) {
          const row: Row = { model: m.model, scenario, ...(k === undefined ? {} : { k }), impl, server: serverLabel(m, impl), command: serverCommand(m, impl, o.host, o.nodeFlags, o.python), samples: [] };
          rows.push(row);
          if (scenario === 'c10k') c10kRows.push(row);
          byImpl.set(impl, row);
        }
        for (let rep = 0; rep < (scenario === 'c10k' ? o.c10k.reps : o.reps); rep++) {
          const order = rep % 2 === 0 ? [...impls].reverse() : impls; // impls is [ts, py, c]: C first on rep 0
          if (takesTurns(scenario, o)) plan.push({ rows: order.map((impl) => byImpl.get(impl)!), m, rep, position: 1 });
          else order.forEach((impl, i) => plan.push({ rows: [byImpl.get(impl)!], m, rep, position: i + 1 }));
        }
      }
    }
  }
  progressTotal = plan.reduce((n, step) => n + step.rows.length, 0);
  for (const step of plan) {
    if (takesTurns(step.rows[0].scenario, o)) await measureTurns(step.rows, step.m, o, step.rep);
    else await measure(step.rows[0], step.m, o, step.rep, step.position);
  }
  for (const row of rows) summarize(row);
  const div = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);
  for (const row of rows) {
    if (row.impl !== 'ts') continue;
    const twin = (impl: Impl) => rows.find((r) => r.model === row.model && r.scenario === row.scenario && r.k === row.k && r.impl === impl)?.summary;
    const t = row.summary!;
    const cs = twin('c');
    const ps = twin('py');
    row.ratio = { rate: div(t.rate, cs?.rate), p50: div(t.p50_us, cs?.p50_us), p99: div(t.p99_us, cs?.p99_us), rate_py: div(t.rate, ps?.rate) };
  }
}

// ---------------------------------------------------------------- output

const n0 = (x?: number) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const us = (x?: number) => (x === undefined ? '—' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ms = (x?: number) => (x === undefined ? '—' : x >= 10_000 ? Math.round(x / 1000).toLocaleString('en-US') : (x / 1000).toFixed(1));
/** KiB (the kernel's kB) as MiB, with one decimal below 100. */
const mb = (kb?: number) => (kb === undefined ? '—' : kb >= 100 * 1024 ? Math.round(kb / 1024).toLocaleString('en-US') : (kb / 1024).toFixed(1));
const kbCell = (kb?: number) => (kb === undefined ? '—' : kb >= 100 ? Math.round(kb).toLocaleString('en-US') : kb.toFixed(1));

function scenarioLabel(s: LoadScenario, o: Options): string {
  if (s === 'pingpong') return o.rounds !== undefined ? `ping-pong ${o.conns}x${o.rounds}x${o.len}B` : `ping-pong ${o.conns} for ${o.pingpongSeconds} s, ${o.len}B`;
  if (s === 'idle') return `idle ${o.idleMs} ms ${o.conns}x${o.idleRounds}x${o.len}B`;
  if (s === 'c10k') return `c10k: K idle + ${o.conns} clients for ${o.c10k.seconds} s, ${o.len}B`;
  return `churn ${o.total ?? `${o.churnSeconds} s`}/${o.concurrency}x${o.len}B`;
}

function rateCell(s: Summary | undefined, unit: Summary['rate_unit'], spread = true): string {
  if (!s || s.rate_unit !== unit || s.rate === undefined) return s?.rate_unit === unit ? '—' : '';
  let cell = n0(s.rate);
  if (spread && s.ok_samples > 1 && s.rate_min !== undefined && s.rate_max !== undefined && s.rate > 0) {
    cell += ` ±${Math.round(((s.rate_max - s.rate_min) / 2 / s.rate) * 100)}%`;
  }
  return cell;
}

/** The errors cell: the count, timeouts, and why samples failed or were skipped (short: one word, the notes say more). */
function errorsCell(row: Row, short = false): string {
  const s = row.summary!;
  if (s.skipped) return 'skipped';
  if (short) return s.failed ? 'failed' : s.timeouts ? 'timeout' : String(s.errors);
  const parts: string[] = [];
  if (s.ok_samples > 0) parts.push(String(s.errors));
  if (s.timeouts) parts.push(`${s.timeouts} timeout${s.timeouts > 1 ? 's' : ''}`);
  if (s.failed) {
    const first = row.samples.find((x) => !x.ok && !x.skipped)?.error ?? '';
    const what = first.startsWith('server failed to start') ? 'start failed' : first.includes('not built') ? 'not built' : 'run failed';
    parts.push(`${what}${row.samples.length > 1 ? ` (${s.failed}/${row.samples.length})` : ''}`);
  }
  return parts.join(', ');
}

function ratioCell(row: Row, of: 'rate' | 'rate_py'): string {
  if (row.impl !== 'ts') return '';
  const r = row.ratio?.[of];
  return r === undefined ? '—' : `${r.toFixed(2)}x`;
}

/** Words of text in lines of at most width columns, the first prefixed by first, the others by rest. */

function sideLabel(row: Row): string {
  if (row.impl === 'ts') return 'TS';
  if (row.impl === 'c') return 'C';
  if (row.impl === 'py') return 'Python';
  return row.model === 'node-net' ? 'Node net' : row.server;
}

/** The default tables, one per scenario, within 80 columns: the side (TS, C, Python) rather than the server's name. */
function renderNarrow(rows: Row[], o: Options): string {
  const parts: string[] = [];
  for (const scenario of ['pingpong', 'idle', 'churn'] as const) {
    const these = rows.filter((r) => r.scenario === scenario);
    if (these.length === 0) continue;
    const unit = scenario === 'churn' ? 'conn/s' : 'req/s';
    let last = '';
    const body = these.map((row) => {
      const first = row.model !== last;
      last = row.model;
      const s = row.summary!;
      return [first ? row.model : '', sideLabel(row), rateCell(s, unit), us(s.p50_us), us(s.p99_us), errorsCell(row, true), ratioCell(row, 'rate'), ratioCell(row, 'rate_py')];
    });
    parts.push(`${scenarioLabel(scenario, o)}\n${textTable(['model', 'server', unit, 'p50 µs', 'p99 µs', 'errors', 'TS/C', 'TS/Py'], ['left', 'left', 'right', 'right', 'right', 'left', 'right', 'right'], body)}`);
  }
  const c10k = rows.filter((r) => r.scenario === 'c10k');
  if (c10k.length) {
    let last = '';
    const body = c10k.map((row) => {
      const first = row.model !== last;
      last = row.model;
      const s = row.summary!;
      return [first ? row.model : '', sideLabel(row), n0(row.k), rateCell(s, 'req/s', false), mb(s.rss_kb), kbCell(s.rss_kb_per_conn), errorsCell(row, true), ratioCell(row, 'rate'), ratioCell(row, 'rate_py')];
    });
    // Latencies, PSS, processes and threads: --wide.
    parts.push(`${scenarioLabel('c10k', o)}\n${textTable(['model', 'server', 'K', 'req/s', 'RSS MB', 'KB/conn', 'errors', 'TS/C', 'TS/Py'], ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right'], body)}`);
  }
  return parts.join('\n\n');
}

/** --wide: everything in one table (server names, both rates, max ms, CPU, memory). */
function renderWide(rows: Row[], o: Options): string {
  const c10k = rows.some((r) => r.scenario === 'c10k');
  const table = new Table({
    head: ['model', 'scenario', 'server', 'req/s', 'conn/s', 'p50 µs', 'p99 µs', 'max ms', 'CPU µs/op', ...(c10k ? ['K', 'RSS MB', 'PSS MB', 'KB/conn', 'procs', 'threads'] : []), 'errors', 'TS/C', 'TS/Py'],
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', ...(c10k ? Array<'right'>(6).fill('right') : []), 'left', 'right', 'right'],
    style: { head: [], border: [] },
  });
  let lastGroup = '';
  for (const row of rows) {
    const group = `${row.scenario}/${row.model}`;
    const first = group !== lastGroup;
    lastGroup = group;
    const s = row.summary!;
    const mem = row.scenario === 'c10k' ? [String(row.k), mb(s.rss_kb), mb(s.pss_kb), kbCell(s.rss_kb_per_conn), n0(s.processes), n0(s.threads)] : ['', '', '', '', '', ''];
    table.push([
      first ? row.model : '',
      first ? scenarioLabel(row.scenario, o) : '',
      row.server,
      rateCell(s, 'req/s'),
      rateCell(s, 'conn/s'),
      us(s.p50_us),
      us(s.p99_us),
      ms(s.max_us),
      us(s.cpu_us_per_op),
      ...(c10k ? mem : []),
      errorsCell(row),
      ratioCell(row, 'rate'),
      ratioCell(row, 'rate_py'),
    ]);
  }
  return table.toString();
}

function notes(rows: Row[], o: Options, overhead: OverheadResult | undefined, drift: string | undefined): string[] {
  const out: string[] = [];
  out.push(`Medians of ${o.reps} repetition${o.reps > 1 ? 's' : ''}${o.reps > 1 ? ' (± is half the spread of the rates)' : ''}; every measurement on a fresh server after an untimed warm-up${o.slice > 0 ? `; a model's servers take turns of ${o.slice} s (ping-pong's connections held; churn's turns up to the window where a connection takes long), so that a slow spell of the machine (seconds, here) falls on each alike` : ''}. TS/C is the TypeScript throughput over the C throughput (req/s, or conn/s for churn): below 1 means TypeScript is slower; TS/Py the same over the Python port of the C server.`);
  out.push(`Order: all ping-pong runs, then idle, then churn, then c10k; within a model the C, Python and TS servers run back to back${o.slice > 0 ? ' (or take turns, the first cycle in that order)' : ''}, C first in the 1st, 3rd... repetition and TS first in the 2nd, 4th... (Python between), so slow drift hits every side alike.`);
  const settled = o.models.filter((m) => m.servesAll && rows.some((r) => r.model === m.model && r.scenario === 'pingpong'));
  if (settled.length) {
    out.push(`ping-pong: ${settled.map((m) => m.model).join(', ')} serve every connection at once, so each connection first makes one untimed round trip (the server takes it on: a fork, a thread, a set slot) and the window starts when all have: it counts round trips on open connections. Taking connections on is churn's measure.`);
  }
  if (o.pythonMissing) out.push(`Python: skipped, ${o.pythonMissing}.`);
  else if (rows.some((r) => r.impl === 'py')) out.push(`Python: ${o.python}, the C servers ported to its standard library (benchmarks/python/).`);
  if (rows.some((r) => r.scenario === 'c10k')) {
    out.push(`c10k: K idle connections, each served one line first so that the server holds it (a child, a thread, a slot in its set), then ${o.conns} clients ping-pong for ${o.c10k.seconds} s${o.c10k.reps === 1 ? ', once per K and server' : ''}. RSS MB sums VmRSS over the server and its children while they hold the K idle connections, before the active clients start; KB/conn is its growth over the warmed-up server, per idle connection. RSS counts the pages a fork server's children share with it once per child; PSS (--wide, and the JSON) shares them out.`);
    out.push(...c10kNotes);
  }
  if (drift) out.push(drift);
  const oneThread = o.models.filter((m) => m.oneThread).map((m) => m.model);
  out.push(o.pin.mode === 'split'
    ? `Pinned (--pin split): loadgen on CPU 0, the servers on CPU ${o.pin.server[2]}; every round trip crosses CPUs.`
    : o.pin.mode === 'auto'
      ? `Pinned (--pin auto): the one-thread servers (${oneThread.join(', ') || 'none here'}) on CPU ${o.pin.server[2]} and their loadgen on CPU 0, as the scheduler otherwise put the two on one CPU or two by turns, moving the rate 30-45%; the fork and thread servers and their loadgen share the ${os.cpus().length} CPUs, placed by the scheduler. Compare ratios within a model; rates across models only loosely.`
      : `loadgen and the server share this machine's ${os.cpus().length} CPU${os.cpus().length > 1 ? 's' : ''}, placed by the scheduler${o.pin.why ? ` (${o.pin.why})` : ' (--pin auto or split pins them)'}; latencies include loadgen's own scheduling. Compare ratios within a model; rates across models only loosely.`);
  if (rows.some((r) => r.model === 'iterative' && r.scenario === 'pingpong' && r.summary?.ok_samples)) {
    out.push(`Iterative ping-pong serves one connection at a time, so its rate is one round trip's latency: mostly the kernel waking the other process${o.pin.mode === 'none' ? ", and whether the scheduler put loadgen and the server on the same CPU (about 15 µs) or on different ones (about 40-55 µs here), so that it swings between runs" : ' on the other CPU (pinned)'}, not the server's own work; churn and the overhead loop show the per-call cost more directly.`);
  }
  if (rows.some((r) => r.scenario === 'idle')) {
    out.push(`idle: one client connects first and stays silent for ${o.idleMs} ms; an iterative server serves nobody meanwhile ("out to lunch"), which shows in max ms and the low req/s.`);
  }
  if (o.nodeFlags.length) out.push(`Node servers (TypeScript and the net peer) ran as node ${o.nodeFlags.join(' ')}; the C and Python servers as always.`);
  for (const m of o.models) if (m.note && rows.some((r) => r.model === m.model)) out.push(m.note);
  const missing = o.notYet.filter((m) => !o.models.includes(m));
  if (missing.length) {
    out.push(`Not in the CLI registry yet (skipped; --models NAME runs the C side alone): ${missing.map((m) => `${m.model} (${m.ts})`).join(', ')}.`);
  }
  const cOnly = o.notYet.filter((m) => o.models.includes(m));
  if (cOnly.length) out.push(`C side only, no TypeScript server yet: ${cOnly.map((m) => `${m.model} (${m.ts})`).join(', ')}.`);
  for (const row of rows) {
    const seen = new Set<string>();
    for (const s of row.samples) {
      const msgs = [s.error, s.skipped && `skipped: ${s.skipped}`, s.warmup_error && `warm-up: ${s.warmup_error}`, s.ok && s.result && s.result.errors > 0 && s.loadgen_stderr ? `loadgen: ${s.loadgen_stderr.split('\n')[0]}` : undefined,
        s.server_exit && s.server_exit.code !== 0 ? `server exit ${s.server_exit.code ?? s.server_exit.signal} on SIGTERM` : undefined];
      for (const msg of msgs) {
        if (!msg || seen.has(msg)) continue;
        seen.add(msg);
        out.push(`${row.model} ${row.scenario}${row.k === undefined ? '' : ` K=${row.k}`} ${row.server}: ${msg}`);
      }
    }
  }
  if (overhead === undefined && o.scenarios.includes('overhead')) out.push('The overhead comparison failed (see above).');
  return out;
}

/**
 * What the fork loop says about the fork server's churn. A fork, the child's
 * exit and its reap take f.ts of CPU (the parent's and the child's), so no
 * more of them than the CPUs can do fit in a second. With fork's churn in C
 * measured too, the rest of a connection (the TCP work, loadgen, the echo)
 * costs at least what it costs C: its CPU per connection less C's fork loop.
 * With Python's fork loop and churn too, what TS/Py comes to where a
 * TypeScript child does as much as a Python one beyond its fork and exit:
 * Python's connection with TypeScript's fork loop in place of Python's.
 */
function churnBoundNote(rows: Row[], f: ForkLoopResult): string {
  const cpus = os.cpus().length;
  const us = (ns: number) => `${Math.round(ns / 1000).toLocaleString('en-US')} µs`;
  const perSec = (x: number) => Math.round(x).toLocaleString('en-US');
  const tsFork = f.ts.median_cpu_ns ?? f.ts.median_ns;
  const cFork = f.c.median_cpu_ns ?? f.c.median_ns;
  const what = f.ts.median_cpu_ns === undefined ? 'in a row' : 'of CPU (parent and child)';
  let text = `Fork loop: a fork, the child's exit and its reap take ${us(tsFork)} ${what} from TypeScript against ${us(cFork)} in C, so a TypeScript server that forks per connection cannot pass ${perSec((cpus * 1e9) / tsFork)} connections/s on ${cpus} CPU${cpus > 1 ? 's' : ''} before it serves a byte.`;
  const churn = (impl: 'ts' | 'c' | 'py') => rows.find((r) => r.model === 'fork' && r.scenario === 'churn' && r.impl === impl)?.summary;
  const ts = churn('ts');
  const c = churn('c');
  if (!ts?.rate || !c?.rate) return text;
  text += ` fork's churn in this run: TypeScript ${perSec(ts.rate)} conn/s, C ${perSec(c.rate)}`;
  if (c.cpu_us_per_op === undefined || ts.cpu_us_per_op === undefined) return `${text}.`;
  // The rest of a connection, at C's cost: loadgen, TCP, the echo.
  const rest = Math.max(0, c.cpu_us_per_op * 1000 - cFork);
  const bound = (cpus * 1e9) / (tsFork + rest);
  text = `${text}, with ${us(ts.cpu_us_per_op * 1000)} and ${us(c.cpu_us_per_op * 1000)} of the machine's CPU per connection. The rest of C's connection (${us(rest)} beyond its fork loop: TCP, loadgen, the echo) on top of TypeScript's fork loop makes ${us(tsFork + rest)}: at most about ${perSec(bound)} conn/s, ${(bound / c.rate).toFixed(2)}x C's churn, however lean the child.`;
  const py = churn('py');
  const pyFork = f.py?.median_cpu_ns ?? f.py?.median_ns;
  if (!py?.rate || py.cpu_us_per_op === undefined || pyFork === undefined) return text;
  // Python's connection less its fork loop, with TypeScript's fork loop in its place.
  const pyRest = Math.max(0, py.cpu_us_per_op * 1000 - pyFork);
  const pyBound = (py.cpu_us_per_op * 1000) / (tsFork + pyRest);
  const more = tsFork > pyFork ? `A TypeScript fork and exit cost ${us(tsFork - pyFork)} more than Python's (a Node process is larger: more to copy and to tear down), so a` : 'A';
  return `${text} Against Python: its fork loop takes ${us(pyFork)} and its connection ${us(py.cpu_us_per_op * 1000)} (${perSec(py.rate)} conn/s). ${more} TypeScript child that did as much as Python's beyond them would cost ${us(tsFork + pyRest)} a connection: ${pyBound.toFixed(2)}x Python's churn.`;
}

function driftNote(rows: Row[]): string | undefined {
  const churn = rows.flatMap((r) => r.samples.filter((s) => s.time_wait_before !== undefined).map((s) => ({ seq: s.seq, tw: s.time_wait_before! })));
  if (churn.length === 0) return undefined;
  churn.sort((a, b) => a.seq - b.seq);
  return `Drift: churn leaves client sockets in TIME_WAIT (60 s), and connect() can slow down as they pile up: ${churn[0].tw.toLocaleString('en-US')} TIME_WAIT sockets before the first churn run, ${churn[churn.length - 1].tw.toLocaleString('en-US')} before the last. Churn runs after ping-pong and idle for that reason (c10k, which leaves more, after churn), and the alternating order keeps each model's ratios fair.`;
}

// ---------------------------------------------------------------- main

async function main(argv: string[]): Promise<number> {
  let o: Options | 'help';
  try {
    o = parseOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`run: ${err.message}\n(node dist/benchmarks/run.js --help for the options)\n`);
      return 64;
    }
    throw err;
  }
  if (o === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = o;
  const loadScenarios = opts.scenarios.filter((s) => s !== 'forkloop' && s !== 'overhead');
  if (loadScenarios.length && !existsSync(loadgenPath())) {
    process.stderr.write(`run: ${relative(process.cwd(), loadgenPath())} is not built: run make -s -C benchmarks (npm run build:bench)\n`);
    return 1;
  }
  for (const [scenario, path] of [['forkloop', forkLoopPath()], ['overhead', socketpairLoopPath()]] as const) {
    if (opts.scenarios.includes(scenario) && !existsSync(path)) {
      process.stderr.write(`run: ${relative(process.cwd(), path)} is not built: run make -s -C benchmarks (npm run build:bench)\n`);
      return 1;
    }
  }

  // Stop what we started if we are interrupted: servers and loadgens, by pid.
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nrun: ${sig}: stopping ${liveServers.size} server(s) and ${liveLoadgens.size} loadgen(s)\n`);
    for (const lg of liveLoadgens) lg.kill('SIGKILL');
    Promise.all([...liveServers].map((s) => s.stop('SIGTERM', 2000))).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = new Date();
  const t0 = performance.now();
  const rows: Row[] = [];
  process.stderr.write(`models: ${opts.models.map((m) => m.model).join(', ')}; scenarios: ${opts.scenarios.join(', ')}; ${opts.reps} repetition(s)${opts.scenarios.includes('c10k') && opts.c10k.reps !== opts.reps ? ` (c10k: ${opts.c10k.reps})` : ''}\n`);
  let fatal: string | undefined;
  try {
    if (loadScenarios.length) await runAll(opts, rows);
  } catch (err) {
    fatal = `runner error: ${(err as Error).stack ?? String(err)}`;
    process.stderr.write(`${fatal}\n`);
    for (const row of rows) if (!row.summary) summarize(row);
  } finally {
    // Nothing should be left, but make sure.
    await Promise.all([...liveServers].map((s) => s.stop('SIGTERM', 3000)));
  }

  let forkloop: ForkLoopResult | undefined;
  let forkloopError: string | undefined;
  if (opts.scenarios.includes('forkloop')) {
    process.stderr.write(`forkloop: ${opts.forkIterations.toLocaleString('en-US')} forks x ${opts.forkReps} run(s) each ...\n`);
    try {
      forkloop = await measureForkLoop({ iterations: opts.forkIterations, reps: opts.forkReps, warmup: opts.forkWarmup, nodeFlags: opts.nodeFlags, python: opts.python });
    } catch (err) {
      forkloopError = (err as Error).message;
      process.stderr.write(`forkloop FAILED: ${forkloopError}\n`);
    }
  }

  let overhead: OverheadResult | undefined;
  let overheadError: string | undefined;
  if (opts.scenarios.includes('overhead')) {
    process.stderr.write(`overhead: ${opts.iterations.toLocaleString('en-US')} iterations x ${opts.overheadReps} run(s) each ...\n`);
    try {
      overhead = await measureOverhead({ iterations: opts.iterations, reps: opts.overheadReps, warmup: opts.overheadWarmup });
    } catch (err) {
      overheadError = (err as Error).message;
      process.stderr.write(`overhead FAILED: ${overheadError}\n`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  const noteLines = notes(rows, opts, overhead, driftNote(rows));
  const bound = forkloop && churnBoundNote(rows, forkloop);
  if (bound) noteLines.push(bound);
  if (forkloopError) noteLines.push(`forkloop: ${forkloopError}`);
  if (overheadError) noteLines.push(`overhead: ${overheadError}`);
  if (fatal) noteLines.push(fatal.split('\n')[0]);

  // JSON
  mkdirSync(opts.out, { recursive: true });
  const stamp = started.toISOString().replace(/:/g, '-');
  const file = join(opts.out, `${stamp}.json`);
  const latest = join(opts.out, 'latest.json');
  const json = {
    started: started.toISOString(),
    seconds: Number(seconds.toFixed(1)),
    machine: { platform: process.platform, release: os.release(), arch: process.arch, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    options: {
      models: opts.models.map((m) => m.model), scenarios: opts.scenarios, conns: opts.conns, rounds: opts.rounds ?? null, pingpong_seconds: opts.rounds === undefined ? opts.pingpongSeconds : null, idle_rounds: opts.idleRounds,
      len: opts.len, total: opts.total ?? null, churn_seconds: opts.total === undefined ? opts.churnSeconds : null, concurrency: opts.concurrency, reps: opts.reps, slice_seconds: opts.slice, idle_ms: opts.idleMs, timeout: opts.timeout,
      iterations: opts.iterations, fork_iterations: opts.forkIterations, host: opts.host, pin: opts.pin.mode, node_flags: opts.nodeFlags, quick: opts.quick,
      python: opts.python ?? null, python_missing: opts.pythonMissing, c10k: { ks: opts.c10k.ks ?? C10K_KS, budget: opts.c10k.budget, seconds: opts.c10k.seconds, reps: opts.c10k.reps, fd_setsize: FD_SETSIZE },
    },
    rows: rows.map((r) => ({ ...r, command: r.command.map((a) => a.replace(packageRoot() + '/', '')) })),
    forkloop: forkloop ?? (forkloopError ? { error: forkloopError } : undefined),
    overhead: overhead ?? (overheadError ? { error: overheadError } : undefined),
    notes: noteLines,
  };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(latest, text);
  // The picture, next to the JSON.
  let chart: string | undefined;
  let summary: string[] = [];
  if (rows.length) {
    try {
      // Vega loads only for a run that has something to draw, not for --help or a usage error.
      const { render_chart, summary_lines } = await import('./chart.js');
      const svg = await render_chart(json as unknown as Results);
      chart = file.replace(/\.json$/, '.svg');
      writeFileSync(chart, svg);
      writeFileSync(join(opts.out, 'latest.svg'), svg);
      summary = summary_lines(json as unknown as Results);
    } catch (err) {
      noteLines.push(`chart: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  // stdout
  const parts: string[] = [];
  if (rows.length) {
    parts.push(`syscall-lab echo servers: TypeScript vs C and Python\n(${os.cpus().length} CPUs, node ${process.version}, ${process.platform} ${os.release()})`);
    parts.push(opts.wide ? renderWide(rows, opts) : renderNarrow(rows, opts));
  }
  if (forkloop) parts.push(formatForkLoop(forkloop));
  if (overhead) parts.push(formatOverhead(overhead));
  if (summary.length) parts.push(`who wins (TypeScript servers, by rate):\n${summary.join('\n')}`);
  parts.push(`notes:\n${noteLines.map((l) => wrap(l, 78, '  - ', '    ').join('\n')).join('\n')}`);
  parts.push(`took ${seconds.toFixed(1)} s; results written to ${relative(process.cwd(), file) || file} and ${relative(process.cwd(), latest) || latest}` +
    (chart ? `; the chart: ${relative(process.cwd(), chart) || chart}` : ''));
  process.stdout.write(`${parts.join('\n\n')}\n`);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return fatal ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
