// `syscall-lab timeline`: the lecture notes' figures (client 1, the server,
// its children or threads, client 2; time downwards) drawn from a real run:
// a built-in scenario run now, or a trace of yours (--from).
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse_trace } from '../trace/parse.js';
import { wrap } from '../wrap.js';
import { layout } from './model.js';
import { render_text } from './text.js';
import { render_svg } from './svg.js';
import { scenarios, run_scenario } from './scenarios.js';

export const TIMELINE_USAGE = `usage: syscall-lab timeline SCENARIO [--svg FILE] [--trace FILE] [--all]
       syscall-lab timeline --from TRACE [--svg FILE] [--all]

Draws the notes' figures from a real run: a column per process or thread,
time downwards, blocking calls as spans, connections, forks and the bytes
between them as lines. Prints the text version (80 columns); --svg writes
the picture.

  --svg FILE    write the picture as SVG (open it in a browser)
  --trace FILE  keep the scenario's trace there (docs/TRACE.md)
  --from TRACE  draw a trace of yours (syscall-lab run --trace FILE ...)
  --all         keep the set-up calls and the terminal's I/O too

scenarios:
${Object.entries(scenarios).map(([k, s]) => `  ${k.padEnd(10)} ${s.summary}`).join('\n')}`;

export async function timeline_command(args: string[]): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { svg: { type: 'string' }, trace: { type: 'string' }, from: { type: 'string' }, all: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    return fail(`${(err as Error).message}\n(see syscall-lab timeline --help)`, 64);
  }
  if (values.help) {
    process.stdout.write(`${TIMELINE_USAGE}\n`);
    return 0;
  }
  const name = positionals[0];
  if (!values.from && !name) return fail('timeline: which scenario? (or --from TRACE)', 64);
  if (values.from && name) return fail('timeline: a scenario or --from TRACE, not both', 64);
  if (name && !scenarios[name]) return fail(`timeline: no scenario named ${JSON.stringify(name)} (${Object.keys(scenarios).join(', ')})`, 64);

  let text: string;
  let title: string;
  let reading: string | undefined;
  if (values.from) {
    try {
      text = readFileSync(values.from, 'utf8');
    } catch (err) {
      return fail(`timeline: --from ${values.from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 66);
    }
    title = `timeline of ${values.from}`;
  } else {
    const dir = values.trace ? undefined : mkdtempSync(join(tmpdir(), 'syscall-lab-timeline-'));
    const file = values.trace ?? join(dir!, 'trace');
    try {
      try {
        writeFileSync(file, '');
      } catch (err) {
        return fail(`timeline: --trace ${file}: cannot write it (${(err as NodeJS.ErrnoException).code})`, 73);
      }
      await run_scenario(name!, file);
      text = readFileSync(file, 'utf8');
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
    title = `${name}: ${scenarios[name!].summary}`;
    reading = scenarios[name!].reading;
  }
  let t;
  try {
    t = layout(parse_trace(text), { all: values.all });
  } catch (err) {
    return fail(`timeline: ${(err as Error).message}`, 65);
  }
  if (t.rows === 0) return fail('timeline: the trace has no calls', 65);
  if (values.svg) {
    try {
      writeFileSync(values.svg, render_svg(t, title));
    } catch (err) {
      return fail(`timeline: --svg ${values.svg}: cannot write it (${(err as NodeJS.ErrnoException).code})`, 73);
    }
  }
  process.stdout.write(`${title}\n\n${render_text(t)}`);
  if (reading) process.stdout.write(`\n${wrap(reading, 80).join('\n')}\n`);
  if (values.svg) process.stdout.write(`\nthe picture: ${values.svg}\n`);
  return 0;
}

function fail(message: string, status: number): number {
  process.stderr.write(`syscall-lab ${message}\n`);
  return status;
}
