// The benchmark runner's options (`npm start -- --help`): the scenarios, the
// defaults and --quick's, the usage text, and the parsing into Options.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/launch.js';
import { servers } from '../src/servers/index.js';
import { models, type Model } from './models.js';

const SCENARIOS = ['pingpong', 'idle', 'churn', 'c10k', 'forkloop', 'overhead'] as const;
type Scenario = (typeof SCENARIOS)[number];
export type LoadScenario = Exclude<Scenario, 'forkloop' | 'overhead'>;

/** select's limit on descriptor numbers (glibc and macOS): the C10K scenario stops select there. */
export const FD_SETSIZE = 1024;
/** Descriptors a server holds besides its clients, allowed for when select's K is capped (Node's own are about 25). */
export const FD_RESERVE = 32;
/** The C10K scenario's default K, each model up to its Model.c10k.upTo. */
export const C10K_KS = [0, 10, 100, 1000, 10_000];

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

export const USAGE = `usage: npm start -- [options]     (node dist/benchmarks/run.js [options])

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

export interface Options {
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

export class UsageError extends Error {}

function int(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer >= ${min}, not ${JSON.stringify(v)}`);
  return Number(v);
}

export function hasTs(m: Model): boolean {
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

export function parseOptions(argv: string[]): Options | 'help' {
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
