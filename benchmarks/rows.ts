// The benchmark's results: a row per server and scenario, its samples (one
// per repetition), and the summary of them that the table and the JSON show.
import { median as medianOf } from './loops.js';
import type { TreeMemory } from './proc-memory.js';
import type { LoadgenResult, Outlived } from './processes.js';
import type { LoadScenario } from './options.js';

export type Impl = 'ts' | 'c' | 'py' | 'peer';

export interface Sample {
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
  /** The server's children still running when it had exited, waited for before the next measurement (Linux). */
  outlived?: Outlived;
  time_wait_before?: number;
  /** CPU time of the whole machine (server, its children, loadgen, kernel) per request or connection of the timed run. */
  cpu_us_per_op?: number;
  /** The share of the machine's CPUs (0 to 1) that processes outside the runner took during the timed run, on Linux. */
  other_cpu_share?: number;
  /** The busiest of those processes: CPU seconds by command ("[kswapd0]": a kernel thread). */
  other_cpu_by?: Record<string, number>;
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

export interface Summary {
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
  /** The most of the samples' other_cpu_share. */
  other_cpu_share?: number;
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

export interface Row {
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
export function median(xs: number[]): number | undefined {
  return xs.length === 0 ? undefined : medianOf(xs);
}

export function summarize(row: Row): void {
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
    other_cpu_share: ok.some((s) => s.other_cpu_share !== undefined) ? Math.max(...ok.map((s) => s.other_cpu_share ?? 0)) : undefined,
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
