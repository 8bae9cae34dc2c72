// What the benchmark runner starts and counts: loadgen as a child process
// (one run, or windows taken by turns), the registry of live servers and
// loadgens that a signal stops, the children a server leaves, the
// machine's TIME_WAIT, and the CPU a timed window took, the runner's and
// other work's.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { all_stats, cpu_outside, machine_busy_seconds, still_running, tree_of, type cpu_elsewhere, type proc_stat } from '../src/lab/procfs.js';
import { packageRoot, type Launched } from '../src/launch.js';
import { proc_net_tcp } from '../src/sys/tcp.js';

/** Everything this runner started and has not seen exit: stopped on SIGINT / SIGTERM. */
export const liveServers = new Set<Launched>();
export const liveLoadgens = new Set<ChildProcess>();

export function loadgenPath(): string {
  return join(packageRoot(), 'benchmarks', 'bin', 'loadgen');
}

export interface LoadgenResult {
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

export interface LoadgenRun {
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
export async function loadgen(args: string[], timeoutSec: number, prefix: string[] = [], onPause?: (line: string) => void): Promise<LoadgenRun> {
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
export class TurnLoadgen {
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
export function timeWaitCount(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return proc_net_tcp().filter((r) => r.state === 'TIME_WAIT').length;
  } catch {
    return undefined;
  }
}

/** A stopped server's children that outlived it (Sample.outlived). */
export interface Outlived {
  /** How many still ran when the server had exited. */
  processes: number;
  /** How long until the last was gone. */
  seconds: number;
  /** How many were still there after the wait, and killed (SIGKILL, by pid). */
  killed: number;
}

/**
 * Waits until none of procs runs (/proc, every 20 ms): a fork server's
 * children that outlive it, tearing down after their clients closed. A
 * thousand Node children take seconds of CPU to exit, which the next
 * measurement would otherwise share. After ms, kills those left.
 * Undefined when none outlived the server.
 */
export async function outlivedBy(procs: proc_stat[], ms: number): Promise<Outlived | undefined> {
  let left = stillRunning(procs);
  if (left.length === 0) return undefined;
  const processes = left.length;
  const t0 = performance.now();
  while (left.length && performance.now() - t0 < ms) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = stillRunning(left);
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL'); // the same pid and start time a moment ago: still that child
    } catch {
      // gone meanwhile
    }
  }
  return { processes, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)), killed: left.length };
}

function stillRunning(procs: proc_stat[]): proc_stat[] {
  const stats = allStatsOrNone();
  return stats ? still_running(procs, stats) : [];
}

/** pid's descendants now (not pid), on Linux; [] elsewhere. */
export function childrenOf(pid: number): proc_stat[] {
  const stats = allStatsOrNone();
  return stats ? tree_of(pid, stats).slice(1) : [];
}

/** What a timed window cost the machine's CPUs, as CpuWindow measures it. */
export interface CpuUse {
  /** The window's wall time. */
  seconds: number;
  /** The machine's busy CPU time over it (undefined without /proc). */
  busy?: number;
  /** Of that, the CPU time of processes outside this runner's tree: other work. */
  other?: cpu_elsewhere;
}

/**
 * A timed window's CPU, from /proc: the machine's busy time (what a request
 * or a connection cost, kernel and loadgen included) and the part that
 * processes other than this runner and what it started used, which the
 * rates shared the CPUs with. Ticks are 10 ms: a window's figures are
 * coarse below a few tenths of a second.
 */
export class CpuWindow {
  private readonly stats0 = allStatsOrNone();
  private readonly busy0 = machine_busy_seconds();
  private readonly t0 = performance.now();

  end(): CpuUse {
    const busy1 = machine_busy_seconds();
    const seconds = (performance.now() - this.t0) / 1000;
    const stats1 = allStatsOrNone();
    return {
      seconds,
      busy: this.busy0 === undefined || busy1 === undefined ? undefined : busy1 - this.busy0,
      other: this.stats0 && stats1 ? cpu_outside(process.pid, this.stats0, stats1) : undefined,
    };
  }
}

function allStatsOrNone(): proc_stat[] | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return all_stats();
  } catch {
    return undefined;
  }
}

/**
 * The share of the machine's CPUs (0 to 1) busy over `ms` while this
 * runner waits, before it starts anything: other work that the rates would
 * share. Undefined without /proc/stat.
 */
export async function busyShareBefore(ms: number): Promise<number | undefined> {
  const b0 = machine_busy_seconds();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b1 = machine_busy_seconds();
  if (b0 === undefined || b1 === undefined) return undefined;
  return (b1 - b0) / ((performance.now() - t0) / 1000) / os.cpus().length;
}
