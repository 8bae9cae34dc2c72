// `syscall-lab check`, the grader, against known answers: the course's own
// servers (TypeScript and C) pass what their model should pass and fail
// exactly what it should fail; deliberately broken C servers fail by name;
// commands that never serve get a verdict within seconds; every process the
// server started is ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommand } from '../src/launch.js';
import { linux, describe_linux, NEEDS_LINUX } from './helpers.js';

const [node, cli] = cliCommand();
const bin = (name: string) => fileURLToPath(new URL(`../benchmarks/bin/${name}`, import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/grade/broken_echo.c', import.meta.url));

let dir = '';
let broken = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscall-lab-grade-'));
  broken = join(dir, 'broken_echo');
  const cc = spawnSync('cc', ['-O2', '-pthread', '-o', broken, fixture], { encoding: 'utf8', timeout: 60_000 });
  expect(cc.status, cc.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A profile for the tests: the lab's rules, smaller counts (what teachers get is the default). */
function profile(lab: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${lab}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ extends: lab, settings: { clients: 10, connections: 20, replyMs: 2000, stopMs: 2000 }, ...extra }));
  return file;
}

interface Run { status: number | null; stdout: string; stderr: string; ms: number }

function check(args: string[], timeoutMs = 60_000): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(node, [cli, 'check', ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** Runs check --json with the lab's test profile; the ids of the checks whose property did not hold. */
async function failing(lab: string, command: string[]): Promise<{ failed: string[]; report: any; run: Run }> {
  const run = await check(['--json', '--profile', profile(lab), '--', ...command]);
  let report: any;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`no JSON (status ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  const failed = report.verdicts.filter((v: any) => v.passed === false).map((v: any) => v.id).sort();
  return { failed, report, run };
}

const why = (r: { report: any }) => JSON.stringify(r.report.verdicts.map((v: any) => `${v.id}: ${v.passed} ${v.measured}`), null, 1);

const serve = (name: string, ...args: string[]) => [node, cli, 'serve', name, '--quiet', '--port', '{port}', ...args];

/** What each model must fail (everything else must pass), for the TypeScript server and its C twin. */
const models: { lab: string; fails: string[]; c?: string }[] = [
  { lab: 'echo-iterative', fails: ['half-line', 'lunch'], c: 'echo_iterative' },
  { lab: 'echo-fork', fails: [], c: 'echo_fork' },
  { lab: 'echo-threads', fails: [], c: 'echo_threads' },
  { lab: 'echo-prethreaded', fails: [], c: 'echo_prethreaded' },
  { lab: 'echo-select', fails: ['half-line', 'pipelined'], c: 'echo_select' },
  { lab: 'echo-select-hardened', fails: [] },
  { lab: 'echo-epoll', fails: [], c: 'echo_epoll' },
];

describe_linux(NEEDS_LINUX.proc)('check: the course servers against their lab', () => {
  // The TypeScript server and its C twin are graded at the same time: the
  // verdicts must not change with a loaded machine.
  for (const m of models) {
    it(`${m.lab} fails exactly ${m.fails.join(', ') || 'nothing'}, as its lab wants${m.c ? `; so does ${m.c} (C)` : ''}`, async () => {
      const [ts, c] = await Promise.all([
        failing(m.lab, serve(m.lab)),
        m.c ? failing(m.lab, [bin(m.c), '--port', '{port}']) : null,
      ]);
      expect(ts.failed, why(ts)).toEqual(m.fails);
      expect(ts.report.ok).toBe(true);
      expect(ts.run.status).toBe(0);
      expect(ts.report.left_running).toEqual([]);
      if (c) {
        expect(c.failed, why(c)).toEqual(m.fails);
        expect(c.run.status).toBe(0);
      }
    }, 60_000);
  }

  it('a full check with the default profile (what teachers get) takes under 30 s', async () => {
    const run = await check(['--json', '--lab', 'echo-threads', '--', bin('echo_threads'), '--port', '{port}']);
    const report = JSON.parse(run.stdout);
    expect(report.ok, run.stdout).toBe(true);
    expect(report.verdicts.find((v: any) => v.id === 'fds').measured).toMatch(/after 100 connections/);
    expect(report.seconds).toBeLessThan(30);
  }, 60_000);

  it('echo-fork --no-reap fails the zombie check and nothing else', async () => {
    const r = await failing('echo-fork', serve('echo-fork', '--no-reap'));
    expect(r.failed, why(r)).toEqual(['zombies']);
    expect(r.run.status).toBe(1);
    expect(r.report.verdicts.find((v: any) => v.id === 'zombies').hint).toMatch(/waitpid/);
  }, 60_000);

  it('echo-fork --forget-close fails the refcount check and nothing else', async () => {
    const r = await failing('echo-fork', serve('echo-fork', '--forget-close'));
    expect(r.failed, why(r)).toEqual(['refcount']);
    expect(r.run.status).toBe(1);
    expect(r.report.verdicts.find((v: any) => v.id === 'refcount').hint).toMatch(/close\(connfd\)/);
  }, 60_000);

  it('a concurrent server graded as iterative fails the lunch check (a teacher may forbid concurrency)', async () => {
    const r = await failing('echo-iterative', serve('echo-threads'));
    expect(r.failed).toEqual([]);
    expect(r.report.ok).toBe(false);
    expect(r.report.verdicts.filter((v: any) => !v.ok).map((v: any) => v.id).sort()).toEqual(['half-line', 'lunch']);
  }, 60_000);
});

describe_linux(NEEDS_LINUX.proc).concurrent('check: deliberately broken C servers fail by name', () => {
  const bugs: { bug: string; fails: string[] }[] = [
    { bug: '', fails: [] },
    { bug: 'fd-leak', fails: ['fds'] },
    { bug: 'undetached', fails: ['threads'] },
    { bug: 'no-reap', fails: ['zombies'] },
    { bug: 'exit-on-reset', fails: ['reset'] },
  ];
  for (const b of bugs) {
    it(`${b.bug || 'no bug'}: fails ${b.fails.join(', ') || 'nothing'}`, async () => {
      const r = await failing('concurrent', [broken, '{port}', ...(b.bug ? [b.bug] : [])]);
      // The never-reads client leaves with unread data, which is a reset too:
      // a server that exits on a reset may die there as well, when its read
      // (not its write) gets the RST. Either way it is a reset it died of.
      if (b.bug === 'exit-on-reset') r.failed = r.failed.filter((id) => id !== 'never-reads');
      expect(r.failed, why(r)).toEqual(b.fails);
      expect(r.run.status).toBe(b.fails.length ? 1 : 0);
    }, 120_000);
  }

  it('a server that ignores SIGTERM and SIGINT and forks a daemon away is ended, with the daemon', async () => {
    const exe = own_copy('unkillable_echo'); // the other tests of this block run at the same time
    const r = await failing('concurrent', [exe, '{port}', 'unkillable']);
    expect(r.failed, why(r)).toEqual(['sigint', 'sigterm']);
    expect(r.report.verdicts.find((v: any) => v.id === 'sigterm').measured).toMatch(/still running/);
    expect(r.report.left_running).toEqual([]);
    expect(running_from(exe)).toEqual([]);
  }, 120_000);

  // Before any scan, the daemon leaves the server's tree, session and
  // environment: only the grader's PR_SET_CHILD_SUBREAPER brings it back
  // (its parent becomes the grader), so it is seen, and ended.
  it('a daemon that leaves at once, with an empty environment, is seen and ended too', async () => {
    const exe = own_copy('vanishing_echo');
    const r = await failing('concurrent', [exe, '{port}', 'vanishes']);
    expect(r.failed, why(r)).toEqual(['sigint', 'sigterm']);
    expect(r.report.left_running).toEqual([]);
    expect(running_from(exe)).toEqual([]);
  }, 120_000);
});

/** A copy of broken_echo under another name, so that running_from sees one test's processes only. */
function own_copy(name: string): string {
  const exe = join(dir, name);
  copyFileSync(broken, exe);
  return exe;
}

/** Pids of processes whose executable is `exe` (left behind by a run). */
function running_from(exe: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/exe`) === exe) out.push(Number(d));
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

describe_linux(NEEDS_LINUX.proc).concurrent('check: commands that never serve get a verdict within seconds', () => {
  const quick = () => profile('concurrent', { settings: { startMs: 2000 } });
  const cases: { name: string; command: string[]; says: RegExp }[] = [
    { name: 'does not start', command: [join(tmpdir(), 'no-such-server-here'), '{port}'], says: /cannot start [\s\S]*ENOENT/ },
    { name: 'exits at once', command: ['sh', '-c', 'exit 3', '{port}'], says: /exited \(3\) before accepting/ },
    { name: 'never listens', command: ['sleep', '30', '{port}'], says: /not accepting on 127\.0\.0\.1:\d+ after 2 s/ },
    { name: 'listens on another port', command: [node, cli, 'serve', 'echo-iterative', '--port', '0'], says: /listens on port \d+, not on \d+/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await check(['--profile', quick(), '--', ...c.command]);
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stdout).toMatch(c.says);
      expect(r.ms).toBeLessThan(10_000);
      for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    }, 30_000);
  }
  it('the sleep of "never listens" is ended', async () => {
    const marker = join(dir, 'sleeper.sh');
    writeFileSync(marker, '#!/bin/sh\nexec sleep 31\n', { mode: 0o755 });
    await check(['--profile', quick(), '--', marker, '{port}']);
    const sleepers = readdirSync('/proc').filter((d) => {
      try {
        return /^\d+$/.test(d) && readFileSync(`/proc/${d}/cmdline`, 'utf8') === 'sleep\x0031\x00';
      } catch {
        return false;
      }
    });
    expect(sleepers).toEqual([]);
  }, 30_000);
});

describe('check: usage and profiles', () => {
  const bad: { json: unknown; says: string }[] = [
    { json: { checks: { lunch: { expect: 'maybe' } } }, says: 'checks.lunch.expect: must be pass, fail, any, skip, got "maybe"' },
    { json: { checks: { lunsh: {} } }, says: 'checks.lunsh: no such check' },
    { json: { settings: { clients: 0 } }, says: 'settings.clients: must be an integer from 1 to 500, got 0' },
    { json: { extends: 'echo-forks' }, says: 'extends: must be one of' },
    { json: { checks: { echo: { weight: '3' } } }, says: 'checks.echo.weight: must be a number' },
    { json: { wieghts: {} }, says: 'wieghts: unknown field' },
  ];
  for (const b of bad) {
    it(`a bad profile gets one line naming the field: ${b.says}`, async () => {
      const file = join(dir || tmpdir(), `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(b.json));
      const r = await check(['--profile', file, '--', 'true']);
      expect(r.status).toBe(64);
      expect(r.stderr.split('\n')[0]).toContain(b.says);
      expect(r.stderr.split('\n')[0]).toContain(file);
    });
  }
  it('a YAML profile reads as its JSON would; a bad one names its field or its line', async () => {
    const yaml = join(dir || tmpdir(), 'lab3.yaml');
    writeFileSync(yaml, [
      'description: "Lab 3: select; the half-line weakness is not graded"',
      'extends: echo-select',
      'checks:',
      '  half-line: { expect: any }',
      '  lunch:',
      '    expect: maybe',
    ].join('\n'));
    const r = await check(['--profile', yaml, '--', 'true']);
    expect(r.status).toBe(64);
    expect(r.stderr.split('\n')[0]).toContain(`${yaml}: checks.lunch.expect: must be pass, fail, any, skip, got "maybe"`);
    const broken = join(dir || tmpdir(), 'broken.yml');
    writeFileSync(broken, 'checks:\n  lunch: [\n');
    const b = await check(['--profile', broken, '--', 'true']);
    expect(b.status).toBe(64);
    expect(b.stderr.split('\n')[0]).toMatch(/broken\.yml: not YAML \(.*at line 3, column 1\)$/);
  });

  it('a profile counts what it says: any is reported, not counted; skip is not run; weights make the score', async () => {
    if (!linux) return;
    const file = profile('echo-iterative', { checks: { lunch: { expect: 'any' }, 'half-line': { expect: 'skip' }, echo: { weight: 10 } } });
    const run = await check(['--json', '--profile', file, '--', bin('echo_iterative'), '--port', '{port}']);
    const report = JSON.parse(run.stdout);
    const v = (id: string) => report.verdicts.find((x: any) => x.id === id);
    expect(v('lunch')).toMatchObject({ passed: false, ok: true, expect: 'any' });
    expect(v('half-line')).toMatchObject({ passed: null, ok: true, measured: 'skipped by the profile' });
    expect(v('echo')).toMatchObject({ passed: true, weight: 10 });
    expect(report.max).toBe(report.score);
    expect(report.max).toBe(10 + 1 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1); // every counted check but lunch and half-line
    expect(run.status).toBe(0);
  }, 60_000);

  it('--help lists the labs and the checks in 80 columns', async () => {
    const r = await check(['--help']);
    expect(r.status).toBe(0);
    for (const word of ['echo-select-hardened', 'never-reads', 'sigint', '{port}']) expect(r.stdout).toContain(word);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('not JSON, no command, an unknown lab: usage errors', async () => {
    const file = join(dir, 'not.json');
    writeFileSync(file, '{ "extends": ');
    expect((await check(['--profile', file, '--', 'true'])).stderr).toMatch(/not\.json: not JSON/);
    expect((await check(['--lab', 'echo-fork'])).status).toBe(64);
    const r = await check(['--lab', 'nope', '--', 'true']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('no lab "nope"');
  });
  it('the table fits 80 columns and ends with the score', async () => {
    if (!linux) return;
    const r = await check(['--quiet', '--profile', profile('echo-select'), '--', ...serve('echo-select')]);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.at(-1)).toMatch(/^score \d+\/\d+  PASS/);
    expect(r.stdout).toMatch(/ok  half-line +FAIL \(wanted\)  2nd client/);
    expect(existsSync(dir)).toBe(true);
  }, 60_000);
});
