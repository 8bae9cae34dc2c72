#!/usr/bin/env node
// The picture of a benchmark run, and its 80-column summary.
//
// The chart (SVG, drawn by Vega-Lite): a panel per scenario (requests/s for
// ping-pong, connections/s for churn, requests/s at the largest K the C10K
// run held), a group of bars per model, a bar per side (TypeScript, C,
// Python, Node's net), and TypeScript's ratios to C and to Python over its
// bar. The summary ranks the models in each scenario by TypeScript's rate
// and says in a line which one wins and why.
//
//   node dist/benchmarks/chart.js [RESULTS.json] [--svg FILE]   (default: benchmarks/results/latest.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { wrap } from '../src/lab/wrap.js';

/** What the chart and the summary read of a row of the results' JSON. */
export interface ResultRow {
  model: string;
  scenario: string;
  impl: 'ts' | 'c' | 'py' | 'peer';
  k?: number;
  summary?: { rate?: number; rate_unit?: string };
  ratio?: { rate?: number; rate_py?: number };
}

export interface Results {
  started: string;
  machine: { cpus: number; node: string; platform: string };
  rows: ResultRow[];
}

const SIDE: Record<ResultRow['impl'], string> = { ts: 'TypeScript', c: 'C', py: 'Python', peer: 'Node net' };
const SCENARIO: Record<string, string> = { pingpong: 'ping-pong (req/s)', churn: 'churn (conn/s)', idle: 'idle client (req/s)', c10k: 'C10K, largest K held (req/s)' };

/** The rows the chart draws: one rate per model, scenario and side (c10k: its largest K with a rate). */
function charted(rows: ResultRow[]): ResultRow[] {
  const out: ResultRow[] = [];
  for (const r of rows) {
    if (!(r.summary?.rate && r.summary.rate > 0) || !SCENARIO[r.scenario]) continue;
    if (r.scenario === 'c10k') {
      const larger = rows.some((o) => o.scenario === 'c10k' && o.model === r.model && o.impl === r.impl &&
        (o.k ?? 0) > (r.k ?? 0) && (o.summary?.rate ?? 0) > 0);
      if (larger) continue;
    }
    out.push(r);
  }
  return out;
}

function ratioText(r: ResultRow): string {
  const parts: string[] = [];
  if (r.ratio?.rate !== undefined) parts.push(`${r.ratio.rate.toFixed(2)}x C`);
  if (r.ratio?.rate_py !== undefined) parts.push(`${r.ratio.rate_py.toFixed(2)}x Py`);
  return parts.join(', ');
}

/** The chart as a self-contained SVG. */
export async function render_chart(results: Results): Promise<string> {
  const rows = charted(results.rows);
  const values = rows.map((r) => ({
    scenario: SCENARIO[r.scenario],
    model: r.model + (r.scenario === 'c10k' && r.k !== undefined ? ` (K=${r.k})` : ''),
    side: SIDE[r.impl],
    rate: Math.round(r.summary!.rate!),
    ratio: r.impl === 'ts' ? ratioText(r) : '',
  }));
  const sides = ['TypeScript', 'C', 'Python', 'Node net'].filter((s) => values.some((v) => v.side === s));
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'syscall-lab: the echo servers, TypeScript beside C and its peers', subtitle: `${results.started.slice(0, 10)}, node ${results.machine.node}, ${results.machine.cpus} CPUs, ${results.machine.platform}` },
    data: { values },
    facet: { row: { field: 'scenario', type: 'nominal', title: null, sort: Object.values(SCENARIO) } },
    resolve: { scale: { y: 'independent', x: 'independent' } },
    spec: {
      width: { step: 26 }, // a bar's width: the x step is per side within a model
      height: 180,
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 'model', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
            xOffset: { field: 'side', type: 'nominal', sort: sides },
            y: { field: 'rate', type: 'quantitative', title: null, axis: { format: '~s' } },
            color: { field: 'side', type: 'nominal', sort: sides, scale: { domain: sides, range: ['#1f77b4', '#7f7f7f', '#ff7f0e', '#2ca02c'].slice(0, sides.length) }, legend: { title: null, orient: 'top' } },
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 9, angle: 0, align: 'center' },
          encoding: {
            x: { field: 'model', type: 'nominal', sort: null },
            xOffset: { field: 'side', type: 'nominal', sort: sides },
            y: { field: 'rate', type: 'quantitative' },
            text: { field: 'ratio' },
          },
        },
      ],
    },
  };
  // Vega-Lite warns that the panels' scales are independent: that is the intent (req/s beside conn/s).
  const quiet = { level() { return quiet; }, warn() { return quiet; }, info() { return quiet; }, debug() { return quiet; }, error() { return quiet; } };
  const compiled = vl.compile(spec, { logger: quiet as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Why a model does well, in a few words: the reason printed beside its win. */
const WHY: Record<string, Record<string, string>> = {
  pingpong: {
    iterative: 'one client at a time, nothing to switch (the others queue)',
    fork: 'each client has a process of its own: no lock, no sharing',
    threads: 'a thread per client, the kernel switches between them',
    prethreaded: 'a fixed pool of threads: no thread to start per client',
    select: 'one thread: no switch per request, one select for many fds',
    'select-hardened': 'one thread, non-blocking, a buffer per client',
    epoll: 'one thread, and epoll_wait costs O(ready fds), not O(fds)',
    'node-net': "libuv's event loop: epoll, one thread",
  },
  churn: {
    iterative: 'nothing to start per connection: accept, echo, close',
    fork: 'a fork per connection: the costliest start of all',
    threads: 'a thread start per connection: cheaper than a fork',
    prethreaded: 'no start at all per connection: the pool is there',
    select: 'a new fd is one more bit in the set: no start per connection',
    'select-hardened': 'a new fd is one more bit and a buffer',
    epoll: 'a new fd is one epoll_ctl: no start per connection',
    'node-net': 'a new connection is a handle on the event loop',
  },
};

/** One line a scenario, within 80 columns: the ranking by TypeScript's rate, the winner and why. */
export function summary_lines(results: Results): string[] {
  const lines: string[] = [];
  for (const scenario of ['pingpong', 'churn', 'idle', 'c10k']) {
    const ts = charted(results.rows).filter((r) => r.scenario === scenario && (r.impl === 'ts' || r.impl === 'peer'));
    if (ts.length === 0) continue;
    ts.sort((a, b) => b.summary!.rate! - a.summary!.rate!);
    const unit = scenario === 'churn' ? 'conn/s' : 'req/s';
    const name = scenario === 'pingpong' ? 'ping-pong' : scenario;
    const best = ts[0];
    const who = best.impl === 'peer' ? `${best.model} (a peer)` : best.model;
    lines.push(`${name}: ${who} wins, ${Math.round(best.summary!.rate!).toLocaleString('en-US')} ${unit}` +
      (best.ratio?.rate !== undefined ? ` (${best.ratio.rate.toFixed(2)}x C)` : ''));
    const why = WHY[scenario]?.[best.model];
    if (why) lines.push(`  why: ${why}`);
    lines.push(`  order: ${ts.map((r) => r.model + (r.scenario === 'c10k' && r.k !== undefined ? ` K=${r.k}` : '')).join(' > ')}`);
  }
  // a line's continuation goes under its text: after "  " for a ranking, "  order: " for its list
  return lines.flatMap((l) => wrap(l.trimStart(), 80, l.startsWith('  ') ? '  ' : '', ' '.repeat(l.startsWith('  ') ? 9 : 2)));
}


async function main(argv: string[]): Promise<number> {
  const svgAt = argv.indexOf('--svg');
  const svgFile = svgAt >= 0 ? argv[svgAt + 1] : undefined;
  const input = argv.find((a, i) => !a.startsWith('--') && (svgAt < 0 || i !== svgAt + 1)) ??
    join(fileURLToPath(new URL('../../benchmarks/results/', import.meta.url)), 'latest.json');
  let results: Results;
  try {
    results = JSON.parse(readFileSync(input, 'utf8')) as Results;
  } catch (err) {
    process.stderr.write(`chart: ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 66;
  }
  const out = svgFile ?? input.replace(/\.json$/, '') + '.svg';
  writeFileSync(out, await render_chart(results));
  process.stdout.write(`${summary_lines(results).join('\n')}\n\nchart: ${out}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
