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
//
// This file measures and runs the whole; beside it: options.ts (the options
// and --help), processes.ts (loadgen as a child, what a signal stops),
// rows.ts (a row's samples and summary) and report.ts (the table and notes).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Results } from './chart.js';
import { wrap } from '../src/lab/wrap.js';
import os from 'node:os';
import { join, relative } from 'node:path';
import { cliCommand, packageRoot, launch, type Launched } from '../src/launch.js';
import type { Model } from './models.js';
import { formatForkLoop, forkLoopPath, measureForkLoop, type ForkLoopResult } from './fork-loop.js';
import { formatOverhead, measureOverhead, socketpairLoopPath, type OverheadResult } from './overhead.js';
import { memAvailableKb, treeMemory } from './proc-memory.js';
import { cpus_allowed, fd_count } from '../src/lab/procfs.js';
import { C10K_KS, FD_RESERVE, FD_SETSIZE, USAGE, UsageError, hasTs, parseOptions, type LoadScenario, type Options } from './options.js';
import {
  CpuWindow, TurnLoadgen, busyShareBefore, childrenOf, outlivedBy, type CpuUse, liveLoadgens, liveServers, loadgen, loadgenPath, timeWaitCount, type LoadgenResult, type LoadgenRun,
} from './processes.js';
import { median, summarize, type Impl, type Row, type Sample } from './rows.js';
import { busyNote, churnBoundNote, driftNote, mb, notes, otherWorkNote, outlivedNote, renderNarrow, renderWide } from './report.js';

// ---------------------------------------------------------------- measuring

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
  const children = childrenOf(server.pid);
  const status = await server.stop('SIGTERM', graceMs);
  liveServers.delete(server);
  sample.server_exit = { code: status.code, signal: status.signal };
  // Children that outlive the server (orphans now, not in this runner's
  // tree) would tear down during the next measurement: wait for them.
  const outlived = await outlivedBy(children, 60_000);
  if (outlived) sample.outlived = outlived;
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
    const cpu = new CpuWindow();
    const timeout = row.scenario === 'c10k' ? o.timeout + o.c10k.budget : o.timeout;
    const run = await loadgen(loadArgs(row.scenario, o, server.host, server.port, false, k, m), timeout, pinOf(m, o).loadgen, onPause);
    const use = cpu.end();
    const ops = run.result && (row.scenario === 'churn' ? run.result.connections : run.result.requests);
    // /proc/stat counts in 10 ms ticks: a window of less than 0.25 s of CPU is too coarse to report.
    // (Not for c10k: its window includes setting up the idle connections.)
    if (row.scenario !== 'c10k' && use.busy !== undefined && ops && use.busy >= 0.25) sample.cpu_us_per_op = (use.busy * 1e6) / ops;
    otherShare(sample, [use]);
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

/**
 * The share of the machine's CPUs that other work (processes outside this
 * runner's tree) took over a sample's timed windows, kept in the sample:
 * its rate shared the machine with that work.
 */
function otherShare(sample: Sample, windows: CpuUse[]): void {
  if (windows.some((w) => w.other === undefined)) return;
  const seconds = windows.reduce((a, w) => a + w.seconds, 0);
  if (seconds <= 0) return;
  const by = new Map<string, number>();
  let other = 0;
  for (const w of windows) {
    other += w.other!.seconds;
    for (const [name, s] of w.other!.by) by.set(name, (by.get(name) ?? 0) + s);
  }
  sample.other_cpu_share = Number((other / seconds / os.cpus().length).toFixed(3));
  // The three busiest, for the note and the JSON.
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 3);
  if (top.length) sample.other_cpu_by = Object.fromEntries(top.map(([name, s]) => [name, Number(s.toFixed(2))]));
}

interface Turns {
  row: Row;
  sample: Sample;
  server?: Launched;
  lg?: TurnLoadgen;
  failed?: boolean;
  busy: number;
  /** Its timed turns' CPU. */
  cpu: CpuUse[];
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
    return { row, sample, busy: 0, cpu: [], done: 0, rates: [] };
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
          const cpu = new CpuWindow();
          const r = await t.lg!.turn(each);
          const use = cpu.end();
          t.cpu.push(use);
          if (use.busy !== undefined) t.busy += use.busy;
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
      otherShare(t.sample, t.cpu);
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
  // Other work on the machine shares the CPUs with every server measured:
  // said in the notes, as the rates cannot show it.
  const busyBefore = await busyShareBefore(1000);
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

  const noteLines = notes(rows, opts, overhead, driftNote(rows), c10kNotes);
  const outlived = outlivedNote(rows);
  if (outlived) noteLines.push(outlived);
  const other = otherWorkNote(rows);
  if (other) noteLines.unshift(other);
  const busy = busyNote(busyBefore);
  if (busy) noteLines.unshift(busy);
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
    machine: {
      platform: process.platform, release: os.release(), arch: process.arch, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version,
      busy_before: busyBefore === undefined ? null : Number(busyBefore.toFixed(3)),
    },
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
