// The verdicts, for people (a table in 80 columns) and for graders (JSON).
import type { Expect } from './profiles.js';
import { wrap } from '../wrap.js';

export interface Verdict {
  id: string;
  title: string;
  expect: Expect;
  weight: number;
  /** Whether the property held; null when the check did not run. */
  passed: boolean | null;
  /** passed matches expect (always true for any / skip). */
  ok: boolean;
  measured: string;
  hint?: string;
  ms: number;
}

export interface Report {
  command: string[];
  profile: string;
  port: number;
  started: boolean;
  start_failure?: string;
  verdicts: Verdict[];
  score: number;
  max: number;
  ok: boolean;
  seconds: number;
  /** Processes of the server still running after the grader ended them (should be empty). */
  left_running: number[];
}

const WIDTH = 80;

function fit(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}


export function format_table(r: Report): string {
  const lines = [fit(`syscall-lab check: ${r.command.join(' ')}`, WIDTH), fit(`profile ${r.profile}, port ${r.port}`, WIDTH)];
  if (!r.started) lines.push(...wrap(`server did not start: ${r.start_failure}`, WIDTH));
  lines.push('');
  for (const v of r.verdicts) {
    const mark = v.ok ? 'ok' : 'XX';
    const result = v.passed === null ? 'skip' : v.passed ? 'pass' : 'FAIL';
    const want = v.expect === 'fail' ? ' (wanted)' : v.expect === 'any' ? ' (not counted)' : '';
    lines.push(fit(`${mark}  ${v.id.padEnd(11)} ${result.padEnd(4)}${want}  ${v.measured}`, WIDTH));
    if (!v.ok && v.hint) lines.push(...wrap(v.hint, WIDTH, '    look at: ', ' '.repeat(13)));
  }
  lines.push('');
  lines.push(`score ${r.score}/${r.max}  ${r.ok ? 'PASS' : 'FAIL'}  (${r.seconds.toFixed(1)} s)`);
  if (r.left_running.length) lines.push(`WARNING: could not end pids ${r.left_running.join(' ')}`);
  return lines.join('\n');
}

export function format_json(r: Report): string {
  return JSON.stringify(r, null, 2);
}
