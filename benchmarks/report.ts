// The benchmark's report: the table (narrow for 80 columns, or --wide) and
// the notes that say how the run was made and what bounds a ratio.
import os from 'node:os';
import Table from 'cli-table3';
import type { ForkLoopResult } from './fork-loop.js';
import type { OverheadResult } from './overhead.js';
import { textTable } from './text-table.js';
import type { Options, LoadScenario } from './options.js';
import type { Row, Summary } from './rows.js';

const n0 = (x?: number) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const us = (x?: number) => (x === undefined ? '—' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ms = (x?: number) => (x === undefined ? '—' : x >= 10_000 ? Math.round(x / 1000).toLocaleString('en-US') : (x / 1000).toFixed(1));
/** KiB (the kernel's kB) as MiB, with one decimal below 100. */
export const mb = (kb?: number) => (kb === undefined ? '—' : kb >= 100 * 1024 ? Math.round(kb / 1024).toLocaleString('en-US') : (kb / 1024).toFixed(1));
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
export function renderNarrow(rows: Row[], o: Options): string {
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
export function renderWide(rows: Row[], o: Options): string {
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

export function notes(rows: Row[], o: Options, overhead: OverheadResult | undefined, drift: string | undefined, c10kNotes: string[]): string[] {
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
export function churnBoundNote(rows: Row[], f: ForkLoopResult): string {
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

export function driftNote(rows: Row[]): string | undefined {
  const churn = rows.flatMap((r) => r.samples.filter((s) => s.time_wait_before !== undefined).map((s) => ({ seq: s.seq, tw: s.time_wait_before! })));
  if (churn.length === 0) return undefined;
  churn.sort((a, b) => a.seq - b.seq);
  return `Drift: churn leaves client sockets in TIME_WAIT (60 s), and connect() can slow down as they pile up: ${churn[0].tw.toLocaleString('en-US')} TIME_WAIT sockets before the first churn run, ${churn[churn.length - 1].tw.toLocaleString('en-US')} before the last. Churn runs after ping-pong and idle for that reason (c10k, which leaves more, after churn), and the alternating order keeps each model's ratios fair.`;
}

/**
 * Said first when other work ran during a measurement: processes outside
 * the runner took over a tenth of the CPUs in its timed windows, which its
 * rate shared (a row's worst repetition; the JSON has each sample's).
 */
export function otherWorkNote(rows: Row[]): string | undefined {
  const hit = rows.filter((r) => (r.summary?.other_cpu_share ?? 0) >= 0.1);
  if (hit.length === 0) return undefined;
  const worst = Math.max(...hit.map((r) => r.summary!.other_cpu_share!));
  const named = hit.slice(0, 6).map((r) => `${r.scenario} ${r.server}${r.k !== undefined ? ` K=${r.k}` : ''}`);
  const rest = hit.length > named.length ? ` and ${hit.length - named.length} more` : '';
  // Whose CPU it was, over those measurements' samples: the busiest three.
  const by = new Map<string, number>();
  for (const r of hit) for (const s of r.samples) for (const [name, sec] of Object.entries(s.other_cpu_by ?? {})) by.set(name, (by.get(name) ?? 0) + sec);
  // (Below 0.05 s a name would print as 0.0 s: noise beside the busiest.)
  const top = [...by].filter(([, sec]) => sec >= 0.05).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, sec]) => `${name} ${sec.toFixed(1)} s`);
  const busiest = top.length ? ` The busiest: ${top.join(', ')}.` : '';
  const kernel = top.some((t) => t.startsWith('[')) ? ' In brackets: a thread of the kernel, which may be working for this run, reclaiming or watching the memory its servers used.' : '';
  return `Other work ran during ${hit.length} measurement${hit.length > 1 ? 's' : ''} (up to ${Math.round(worst * 100)}% of the machine's CPUs, in processes this run did not start): ${named.join(', ')}${rest}.${busiest}${kernel} Those rates shared the CPUs with it: measure them again on a quiet machine before trusting them or their ratios.`;
}

/** Said when a server's children had not exited 60 s after it: killed. */
export function outlivedNote(rows: Row[]): string | undefined {
  const hit = rows.flatMap((r) => r.samples.filter((s) => s.outlived?.killed).map((s) => `${r.server}${r.k !== undefined ? ` K=${r.k}` : ''} (${s.outlived!.killed})`));
  if (hit.length === 0) return undefined;
  return `Children left running: ${hit.join(', ')} had children still running 60 s after the server exited and its clients had closed; the runner killed them (SIGKILL). A server's children should end with their connections.`;
}

/**
 * Said first when the machine was busy before the run (over a tenth of its
 * CPUs while nothing of the run was started): its rates shared them.
 */
export function busyNote(share: number | undefined): string | undefined {
  if (share === undefined || share < 0.1) return undefined;
  const cpus = os.cpus().length;
  return `The machine was busy before the run: ${Math.round(share * 100)}% of its ${cpus} CPU${cpus > 1 ? 's' : ''} in use over 1 s, with nothing of the run started. Every server shared them with that work: compare with a run on a quiet machine before trusting a rate or a ratio.`;
}
