// The benchmark runner (npm start): quick real runs (the Python side, the
// C10K scenario), its usage errors, and loadgen's idle connections.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, type Launched } from '../src/launch.js';
import { in_browser, no_browser } from './browser.js';

const runner = fileURLToPath(new URL('../dist/benchmarks/run.js', import.meta.url));
const forkLoop = fileURLToPath(new URL('../dist/benchmarks/fork-loop.js', import.meta.url));
const forkLoopC = fileURLToPath(new URL('../benchmarks/bin/fork_loop', import.meta.url));
const forkLoopPy = fileURLToPath(new URL('../benchmarks/python/fork_loop.py', import.meta.url));
const loadgenC = fileURLToPath(new URL('../benchmarks/bin/loadgen', import.meta.url));
const linux = process.platform === 'linux';
const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
const hasPython = python.status === 0;
const taskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

// spawnSync's timeout sends SIGTERM: the runner then stops its servers and loadgens by pid.
function bench(args: string[], timeout = 120_000, env?: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', timeout, env: env ?? process.env });
}

/** Runs the benchmark into a temporary folder and returns its exit, output and JSON. */
function benchJson(args: string[], timeout = 120_000, env?: NodeJS.ProcessEnv) {
  const out = mkdtempSync(join(tmpdir(), 'syscall-lab-bench-'));
  try {
    const r = bench([...args, '--out', out], timeout, env);
    let json: any;
    let svg: string | undefined;
    try {
      json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      svg = readFileSync(join(out, 'latest.svg'), 'utf8');
    } catch {
      json ??= undefined;
    }
    return { ...r, json, svg };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The lines of the run's stdout but the last ("took ... results written to PATH"): within 80 columns. */
function tooWide(stdout: string): string[] {
  return stdout.trimEnd().split('\n').slice(0, -1).filter((l) => [...l].length > 80);
}

describe('benchmarks/run', () => {
  it('ends with a chart of every model that ran (checked in a browser) and an 80-column summary of who wins', (ctx) => {
    if (no_browser) ctx.skip(no_browser);
    const r = benchJson(['--quick', '--models', 'iterative,select,node-net', '--scenarios', 'pingpong,churn'], 150_000);
    expect(r.status, r.stderr).toBe(0);
    expect(tooWide(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/^ping-pong: \S+ wins, [\d,]+ req\/s/m);
    expect(r.stdout).toMatch(/^churn: \S+ wins, [\d,]+ conn\/s/m);
    expect(r.stdout).toMatch(/^ {2}why: /m);
    expect(r.svg).toBeDefined();
    // In Chromium: a bar for every row that has a rate, labelled with its model and side.
    const drawn = in_browser<{ bars: string[]; labels: string[]; width: number }>(r.svg!, `(root) => ({
      bars: [...root.querySelectorAll('[aria-roledescription="bar"]')].map((e) => e.getAttribute('aria-label')),
      labels: [...root.querySelectorAll('text')].map((t) => t.textContent),
      width: root.querySelector('svg').getBoundingClientRect().width,
    })`);
    expect(drawn.width).toBeGreaterThan(200);
    const side: Record<string, string> = { ts: 'TypeScript', c: 'C', py: 'Python', peer: 'Node net' };
    const ran = r.json.rows.filter((row: any) => row.summary?.rate > 0);
    expect(ran.length).toBeGreaterThanOrEqual(6);
    // One bar per row (a panel per scenario), each labelled by Vega with its model and side.
    expect(drawn.bars).toHaveLength(ran.length);
    for (const row of ran) {
      const bars = drawn.bars.filter((b) => b.includes(`model: ${row.model};`) && b.endsWith(`side: ${side[row.impl]}`));
      expect(bars, `${row.model} ${row.impl}`).toHaveLength(ran.filter((o: any) => o.model === row.model && o.impl === row.impl).length);
    }
    for (const model of ['iterative', 'select', 'node-net']) expect(drawn.labels).toContain(model);
    expect(drawn.labels.some((l) => /x C/.test(l))).toBe(true); // the TS/C ratio over a TypeScript bar
  }, 180_000);

  it('--node-flags reach the TypeScript server\'s node command, not the C server\'s, and are recorded', () => {
    const out = mkdtempSync(join(tmpdir(), 'syscall-lab-bench-'));
    try {
      const r = bench(['--quick', '--models', 'fork', '--scenarios', 'churn', '--node-flags=--max-semi-space-size=1', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      expect(json.notes.join('\n')).toContain('ran as node --max-semi-space-size=1');
      expect(json.options.node_flags).toEqual(['--max-semi-space-size=1']);
      const ts = json.rows.find((row: any) => row.impl === 'ts');
      const c = json.rows.find((row: any) => row.impl === 'c');
      expect(ts.command[1]).toBe('--max-semi-space-size=1');
      expect(c.command).not.toContain('--max-semi-space-size=1');
      const py = json.rows.find((row: any) => row.impl === 'py');
      if (hasPython) expect(py.command).not.toContain('--max-semi-space-size=1');
      for (const row of json.rows) expect(row.samples.every((s: any) => s.ok), JSON.stringify(row.samples)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it.runIf(hasPython)('the Python servers run in the same alternation as TS and C, with TS/Py beside TS/C', () => {
    const r = benchJson(['--quick', '--models', 'threads,select', '--scenarios', 'pingpong', '--reps', '2'], 150_000);
    expect(r.status, r.stderr).toBe(0);
    const json = r.json;
    expect(json.options.python).toBe(python.stdout.trim());
    // Ping-pong is a time window, the same for every server.
    expect(json.options).toMatchObject({ rounds: null, pingpong_seconds: 0.3 });
    // Both models serve every connection at once: their window starts after one untimed round trip each.
    for (const row of json.rows) for (const x of row.samples) expect(x.result.settle_seconds, `${row.model} ${row.impl}`).toBeGreaterThan(0);
    expect(json.notes.join('\n')).toContain('ping-pong: threads, select serve every connection at once');
    for (const model of ['threads', 'select']) {
      const rows = json.rows.filter((row: any) => row.model === model);
      expect(rows.map((row: any) => row.impl)).toEqual(['ts', 'py', 'c']);
      const py = rows[1];
      expect(py.server).toBe(`Py echo_${model}.py`);
      expect(py.command[1]).toBe(`benchmarks/python/echo_${model}.py`);
      for (const row of rows) {
        expect(row.samples.every((x: any) => x.ok && x.result.errors === 0), JSON.stringify(row.samples)).toBe(true);
        // 0.3 s each, in turns of 0.1 s (--quick's --slice).
        for (const x of row.samples) expect(x.result).toMatchObject({ rounds: null, slices: 3 });
        expect(row.summary.rate).toBeGreaterThan(0);
        // C first in the first repetition, TS first in the second, Python between (their first turns).
        const pos = row.samples.map((x: any) => x.position);
        expect(pos).toEqual(row.impl === 'c' ? [1, 3] : row.impl === 'ts' ? [3, 1] : [2, 2]);
        // SIGTERM ends every server with exit 0.
        for (const x of row.samples) expect(x.server_exit).toEqual({ code: 0, signal: null });
      }
      const ts = rows[0];
      expect(ts.ratio.rate_py).toBeCloseTo(ts.summary.rate / py.summary.rate, 6);
      expect(ts.ratio.rate).toBeCloseTo(ts.summary.rate / rows[2].summary.rate, 6);
    }
    expect(r.stdout).toContain('TS/Py');
    expect(r.stdout).toMatch(/^threads +TS +[\d,]+/m);
    expect(r.stdout).toMatch(/^ +Python +[\d,]+/m);
    expect(tooWide(r.stdout)).toEqual([]);
  }, 180_000);

  it('without python3 the Python side is skipped with one line; --python names a bad one', () => {
    // No python3 on this PATH: node, loadgen and the C servers are started by absolute path.
    const r = benchJson(['--quick', '--models', 'iterative', '--scenarios', 'pingpong'], 60_000, { ...process.env, PATH: '/nonexistent' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.rows.map((row: any) => row.impl)).toEqual(['ts', 'c']);
    // An iterative server leaves the other connections waiting: no untimed first round trip there.
    for (const row of r.json.rows) for (const x of row.samples) expect(x.result).not.toHaveProperty('settle_seconds');
    expect(r.json.options.python).toBeNull();
    const said = r.json.notes.filter((n: string) => n.startsWith('Python: skipped, python3 not found'));
    expect(said, r.json.notes.join('\n')).toHaveLength(1);
    // Nor taskset: --pin auto says so and leaves every server to the scheduler.
    if (linux) expect(r.json.notes.join('\n')).toContain('--pin auto needs taskset (util-linux), which is not on PATH: the scheduler places every server');
    for (const row of r.json.rows) for (const x of row.samples) if (linux) expect(x.cpus).not.toBe('1');
    const bad = bench(['--python', '/nonexistent/python3', '--scenarios', 'overhead']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('--python /nonexistent/python3: /nonexistent/python3 not found');
  }, 90_000);

  it.runIf(linux)('c10k holds K idle connections and reports req/s and the server tree\'s memory against K', () => {
    // A budget too small for K=100 after K=10: the runner says it skipped it, and why.
    const r = benchJson(['--quick', '--models', 'fork,threads,epoll', '--scenarios', 'c10k', '--c10k', '0,10,100', '--c10k-budget', '0.001'], 240_000);
    expect(r.status, r.stderr).toBe(0);
    const json = r.json;
    expect(json.options.c10k).toMatchObject({ ks: [0, 10, 100], budget: 0.001, reps: 1 });
    const sides = hasPython ? ['ts', 'py', 'c'] : ['ts', 'c'];
    for (const model of ['fork', 'threads', 'epoll']) {
      for (const impl of sides) {
        const row = (k: number) => json.rows.find((x: any) => x.model === model && x.impl === impl && x.k === k);
        const what = `${model} ${impl}`;
        for (const k of [0, 10]) {
          const x = row(k);
          expect(x.scenario).toBe('c10k');
          expect(x.samples, what).toHaveLength(1);
          const s = x.samples[0];
          expect(s.ok, `${what} K=${k}: ${JSON.stringify(s)}`).toBe(true);
          expect(s.result.errors, what).toBe(0);
          expect(x.summary.rate, what).toBeGreaterThan(0);
          expect(x.summary.rss_kb, what).toBeGreaterThan(0);
          expect(s.memory_base.rss_kb).toBeGreaterThan(0);
          if (k === 0) {
            expect(s.result.idle).toBeUndefined();
            expect(s.memory).toEqual(s.memory_base);
            continue;
          }
          expect(s.result).toMatchObject({ idle: 10, idle_held: 10, idle_errors: 0 });
          expect(s.result.idle_seconds).toBeGreaterThan(0);
          // What holding 10 connections takes: a child each, a thread each, or neither.
          if (model === 'fork') expect(s.memory.processes, what).toBeGreaterThanOrEqual(11);
          else expect(s.memory.processes, what).toBe(1);
          if (model === 'threads') expect(s.memory.threads, what).toBeGreaterThanOrEqual(11); // the main thread and one per idle connection
          expect(x.summary.rss_kb_per_conn, what).toBeDefined();
        }
        const big = row(100);
        expect(big.samples[0].ok).toBe(false);
        expect(big.summary.skipped, what).toMatch(/^K=10 took [\d.]+ s to set up, so K=100 would take about \d+ s, over --c10k-budget 0.001 s$/);
        expect(json.notes).toContain(`${model} c10k K=100 ${big.server}: skipped: ${big.summary.skipped}`);
      }
    }
    expect(r.stdout).toMatch(/^c10k: K idle \+ 10 clients for 0.3 s, 32B$/m);
    expect(r.stdout).toMatch(/^ +C +100 +— +— +— +skipped/m);
    expect(tooWide(r.stdout)).toEqual([]);
  }, 300_000);

  it.runIf(linux)('c10k stops select below FD_SETSIZE and says so', () => {
    const r = benchJson(['--quick', '--models', 'select', '--scenarios', 'c10k', '--c10k', '5000', '--conns', '10'], 180_000);
    expect(r.status, r.stderr).toBe(0);
    const cap = 1024 - 10 - 32;
    expect(r.json.notes).toContain(`select: K=5000 lowered to ${cap}: select watches descriptors below FD_SETSIZE (1024) only, and 10 active clients and the server's own descriptors (up to 32) need their share.`);
    for (const row of r.json.rows) {
      expect(row.k).toBe(cap);
      const s = row.samples[0];
      expect(s.ok, `${row.server}: ${JSON.stringify(s)}`).toBe(true);
      expect(s.result).toMatchObject({ idle: cap, idle_held: cap, idle_errors: 0, errors: 0 });
      expect(s.memory.rss_kb).toBeGreaterThan(0);
    }
  }, 200_000);

  it.runIf(linux)('loadgen says when RLIMIT_NOFILE is short of its connections; --idle-echo excludes --idle-half', () => {
    const lg = spawnSync('sh', ['-c', `ulimit -n 64 && exec "$0" pingpong --host 127.0.0.1 --port 9 --conns 10 --rounds 1 --len 8 --idle 100`, loadgenC], { encoding: 'utf8', timeout: 30_000 });
    expect(lg.status).toBe(1);
    expect(lg.stderr).toContain('loadgen: 110 connections need about 126 descriptors, but RLIMIT_NOFILE is 64 (hard limit 64)');
    const usage = spawnSync(loadgenC, ['pingpong', '--host', '127.0.0.1', '--port', '9', '--conns', '1', '--rounds', '1', '--len', '8', '--idle-echo', '--idle-half'], { encoding: 'utf8', timeout: 30_000 });
    expect(usage.status).toBe(64);
    expect(usage.stderr).toContain('--idle-echo and --idle-half exclude each other');
  });

  it.runIf(hasPython)('every Python server echoes ping-pong and churn, then exits 0 on SIGTERM', async () => {
    const models = ['iterative', 'fork', 'threads', 'prethreaded', 'select', ...(linux ? ['epoll'] : [])];
    for (const model of models) {
      const script = fileURLToPath(new URL(`../benchmarks/python/echo_${model}.py`, import.meta.url));
      let server: Launched | undefined;
      try {
        server = await launch([python.stdout.trim(), script, '--host', '127.0.0.1', '--port', '0'], { timeoutMs: 15_000 });
        const where = ['--host', server.host, '--port', String(server.port), '--timeout', '20'];
        // 100-byte lines, and 20,000-byte ones: more than one read and one write each.
        for (const len of ['100', '20000']) {
          const pp = spawnSync(loadgenC, ['pingpong', ...where, '--conns', '3', '--rounds', '20', '--len', len], { encoding: 'utf8', timeout: 30_000 });
          expect(pp.status, `${model} ${len}: ${pp.stderr}`).toBe(0);
          expect(JSON.parse(pp.stdout)).toMatchObject({ requests: 60, errors: 0, timeout: false });
        }
        const churn = spawnSync(loadgenC, ['churn', ...where, '--total', '20', '--concurrency', '4', '--len', '32'], { encoding: 'utf8', timeout: 30_000 });
        expect(churn.status, `${model}: ${churn.stderr}`).toBe(0);
        expect(JSON.parse(churn.stdout)).toMatchObject({ connections: 20, errors: 0 });
      } finally {
        const exit = await server?.stop('SIGTERM', 5000);
        if (server) expect(exit, model).toEqual({ code: 0, signal: null });
      }
    }
  }, 180_000);

  // A SIGTERM that lands while the SIGCHLD handler runs used to wait in
  // accept() for the next client (Python runs handlers between bytecodes):
  // 3 stops in 100 hung before common.py's self-pipe. 40 stops right after
  // the children exit catch that about 7 times in 10.
  it.runIf(hasPython)('the Python fork server stops on SIGTERM every time, as its children exit', async () => {
    const script = fileURLToPath(new URL('../benchmarks/python/echo_fork.py', import.meta.url));
    for (let i = 0; i < 40; i++) {
      const server = await launch([python.stdout.trim(), script, '--host', '127.0.0.1', '--port', '0'], { timeoutMs: 15_000 });
      try {
        const churn = spawnSync(loadgenC, ['churn', '--host', server.host, '--port', String(server.port), '--timeout', '20', '--total', '8', '--concurrency', '4', '--len', '32'], { encoding: 'utf8', timeout: 30_000 });
        expect(churn.status, churn.stderr).toBe(0);
      } finally {
        expect(await server.stop('SIGTERM', 3000), `stop ${i + 1}`).toEqual({ code: 0, signal: null });
      }
    }
  }, 180_000);

  it.runIf(linux)('says first when the machine was busy before the run and during it, and records how busy', () => {
    // A busy loop per CPU, as a test left running would be; ended by pid.
    const loops = os.cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    try {
      const r = benchJson(['--quick', '--models', 'iterative', '--scenarios', 'pingpong,overhead'], 60_000);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.machine.busy_before).toBeGreaterThan(0.8);
      expect(r.json.notes[0]).toMatch(/^The machine was busy before the run: \d+% of its \d+ CPUs? in use over 1 s/);
      expect(r.stdout).toMatch(/notes:\n {2}- The machine was busy before the run/);
      // During the run: the loops, outside the runner's tree, share the CPUs with each server.
      const rows = r.json.rows as Array<{ server: string; samples: Array<{ other_cpu_share?: number }> }>;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) for (const s of row.samples) expect(s.other_cpu_share, row.server).toBeGreaterThan(0.1);
      // The loops are node processes: the busiest, by name.
      expect(r.json.notes[1]).toMatch(/^Other work ran during \d+ measurements? \(up to \d+% of the machine's CPUs, in processes this run did not start\): pingpong .*?\. The busiest: node \d+\.\d s[,.]/);
      expect(tooWide(r.stdout)).toEqual([]); // the overhead's lines too
    } finally {
      for (const loop of loops) loop.kill('SIGKILL');
    }
  }, 90_000);

  it("the other-work note: the rows, the busiest processes (a kernel thread's name explained), no 0.0 s names", async () => {
    const { otherWorkNote } = await import('../benchmarks/report.js');
    const row = (server: string, share: number, by: Record<string, number>) => ({
      model: 'fork', scenario: 'c10k' as const, k: 1000, impl: 'ts' as const, server, command: [],
      samples: [{ rep: 0, position: 1, seq: 1, ok: true, wall_seconds: 1, other_cpu_share: share, other_cpu_by: by }],
      summary: { rate_unit: 'req/s' as const, errors: 0, timeouts: 0, failed: 0, ok_samples: 1, other_cpu_share: share },
    });
    expect(otherWorkNote([row('TS echo-fork', 0.09, { node: 1 })])).toBeUndefined(); // under a tenth
    const note = otherWorkNote([row('TS echo-fork', 0.33, { '[kdamond.0]': 1.65, process_api: 0.47, 'memfd:x': 0.02 }), row('C echo_fork', 0.05, {})])!;
    expect(note).toBe("Other work ran during 1 measurement (up to 33% of the machine's CPUs, in processes this run did not start): c10k TS echo-fork K=1000. " +
      'The busiest: [kdamond.0] 1.6 s, process_api 0.5 s. In brackets: a thread of the kernel, which may be working for this run, reclaiming or watching the memory its servers used. ' +
      'Those rates shared the CPUs with it: measure them again on a quiet machine before trusting them or their ratios.');
  });

  // A server's children that outlive it would tear down during the next
  // measurement (a thousand Node children: seconds of CPU): the runner
  // waits for them, and kills those that do not end.
  it.runIf(linux)('waits for the children a stopped server leaves, and kills those that stay', async () => {
    const { childrenOf, outlivedBy } = await import('../benchmarks/processes.js');
    const parentOf = async (script: string) => {
      const p = spawn('sh', ['-c', script], { stdio: 'ignore' });
      const t0 = performance.now();
      // Until the child has exec'd sleep: just after the fork it is still sh.
      let children = childrenOf(p.pid!);
      try {
        while ((children.length === 0 || children.some((c) => c.comm !== 'sleep')) && performance.now() - t0 < 5000) {
          await new Promise((r) => setTimeout(r, 20));
          children = childrenOf(p.pid!);
        }
        expect(children.map((c) => c.comm)).toEqual(['sleep']);
      } catch (err) {
        for (const c of children) process.kill(c.pid, 'SIGKILL'); // not left behind by a failed test
        throw err;
      } finally {
        p.kill('SIGKILL'); // the server gone; its child an orphan now
        await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));
      }
      return children;
    };
    // One that ends on its own: waited for, not killed.
    // (2 s: long enough to be found running under a loaded CI.)
    const ending = await parentOf('sleep 2 & exec sleep 30');
    const waited = await outlivedBy(ending, 10_000);
    expect(waited).toMatchObject({ processes: 1, killed: 0 });
    expect(waited!.seconds).toBeLessThan(8);
    // One that stays: killed, by pid, after the wait.
    const staying = await parentOf('sleep 30 & exec sleep 30');
    expect(await outlivedBy(staying, 300)).toMatchObject({ processes: 1, killed: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await outlivedBy(staying, 300)).toBeUndefined(); // gone: none left to wait for
  }, 30_000);

  it('usage errors name the bad option', () => {
    const r = bench(['--node-flags', 'v8-pool-size=1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--node-flags takes Node options');
    const m = bench(['--models', 'nope']);
    expect(m.status).not.toBe(0);
    expect(m.stderr).toContain('unknown model "nope"');
    // The runner's own checks: exit 64 and a message that names the option.
    const usage: Array<[string[], string]> = [
      [['--c10k', '10,x'], '--c10k takes a list of connection counts from 0 to 1000000 (e.g. 0,10,100), not "10,x"'],
      [['--c10k-budget', '0'], '--c10k-budget must be a positive number of seconds, not "0"'],
      [['--total', '100', '--churn-seconds', '1'], '--total or --churn-seconds, not both'],
      [['--churn-seconds', '0'], '--churn-seconds must be a number of seconds in (0, 3600], not "0"'],
      [['--rounds', '100', '--seconds', '1'], '--rounds or --seconds, not both'],
      [['--seconds', '0'], '--seconds must be a number of seconds in (0, 3600], not "0"'],
      [['--pin', 'nope'], '--pin must be auto, split or none, not "nope"'],
      [['--slice', 'soon'], '--slice must be a number of seconds in [0, 3600] (0: one server at a time), not "soon"'],
    ];
    for (const [args, message] of usage) {
      const u = bench(args);
      expect(u.status, args.join(' ')).toBe(64);
      expect(u.stderr).toContain(message);
    }
  });

  // The same measuring time for a fork server of 100 connections/s and an
  // event server of 20,000: a count fit for one was 70 ms for the other.
  it('loadgen --seconds: churn starts connections, pingpong round trips, for that long, then waits for the last', async () => {
    const server = await launch([fileURLToPath(new URL('../benchmarks/bin/echo_iterative', import.meta.url)), '--host', '127.0.0.1', '--port', '0'], { timeoutMs: 10_000 });
    try {
      const where = ['--host', server.host, '--port', String(server.port), '--len', '32', '--concurrency', '4', '--timeout', '20'];
      const r = spawnSync(loadgenC, ['churn', ...where, '--seconds', '0.5'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ mode: 'churn', total: null, for_seconds: 0.5, errors: 0, timeout: false });
      expect(j.seconds).toBeGreaterThanOrEqual(0.5);
      expect(j.seconds).toBeLessThan(5); // the last ones started finish in milliseconds
      expect(j.connections).toBeGreaterThan(10);
      expect(j.conn_per_s).toBeCloseTo(j.connections / j.seconds, 0);
      const both = spawnSync(loadgenC, ['churn', ...where, '--seconds', '1', '--total', '5'], { encoding: 'utf8', timeout: 30_000 });
      expect(both.status).toBe(64);
      expect(both.stderr).toContain('churn takes --total or --seconds, not both');
      // pingpong likewise (the c10k scenario's active clients): round trips for S seconds.
      const pp = spawnSync(loadgenC, ['pingpong', '--host', server.host, '--port', String(server.port), '--len', '32', '--conns', '3', '--seconds', '0.3', '--timeout', '20'], { encoding: 'utf8', timeout: 30_000 });
      expect(pp.status, pp.stderr).toBe(0);
      const q = JSON.parse(pp.stdout);
      expect(q).toMatchObject({ mode: 'pingpong', rounds: null, for_seconds: 0.3, errors: 0, timeout: false });
      expect(q.seconds).toBeGreaterThanOrEqual(0.3);
      expect(q.seconds).toBeLessThan(5);
      expect(q.requests).toBeGreaterThan(10);
      const ppBoth = spawnSync(loadgenC, ['pingpong', '--host', server.host, '--port', String(server.port), '--len', '32', '--conns', '3', '--seconds', '1', '--rounds', '5'], { encoding: 'utf8', timeout: 30_000 });
      expect(ppBoth.status).toBe(64);
      expect(ppBoth.stderr).toContain('pingpong takes --rounds or --seconds, not both');
    } finally {
      await server.stop('SIGTERM', 5000);
    }
  }, 60_000);

  // Ping-pong counts round trips on open connections: a fork server's forks
  // (churn's measure) were a third of a 2 s window for the Node and Python
  // servers.
  it('loadgen --settle: one untimed round trip per connection, then the window; refused for churn', async () => {
    const server = await launch([fileURLToPath(new URL('../benchmarks/bin/echo_fork', import.meta.url)), '--host', '127.0.0.1', '--port', '0'], { timeoutMs: 10_000 });
    try {
      const where = ['--host', server.host, '--port', String(server.port), '--len', '32', '--timeout', '20'];
      const r = spawnSync(loadgenC, ['pingpong', ...where, '--conns', '5', '--rounds', '10', '--settle'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      // 5 x 10 measured round trips: the settling ones are not counted.
      expect(j).toMatchObject({ mode: 'pingpong', conns: 5, rounds: 10, requests: 50, errors: 0, timeout: false });
      expect(j.settle_seconds).toBeGreaterThan(0); // five forks at least
      expect(j.settle_seconds).toBeLessThan(10);
      const plain = JSON.parse(spawnSync(loadgenC, ['pingpong', ...where, '--conns', '5', '--rounds', '10'], { encoding: 'utf8', timeout: 30_000 }).stdout);
      expect(plain.requests).toBe(50);
      expect(plain).not.toHaveProperty('settle_seconds');
      const timed = spawnSync(loadgenC, ['pingpong', ...where, '--conns', '3', '--seconds', '0.2', '--settle'], { encoding: 'utf8', timeout: 30_000 });
      expect(timed.status, timed.stderr).toBe(0);
      const t = JSON.parse(timed.stdout);
      expect(t.seconds).toBeGreaterThanOrEqual(0.2);
      expect(t.requests).toBeGreaterThan(10);
      const churn = spawnSync(loadgenC, ['churn', ...where, '--total', '5', '--concurrency', '1', '--settle'], { encoding: 'utf8', timeout: 30_000 });
      expect(churn.status).toBe(64);
      expect(churn.stderr).toContain('--settle is for pingpong');
    } finally {
      await server.stop('SIGTERM', 5000);
    }
  }, 60_000);

  // A slow spell of this machine lasts seconds: servers measured one after
  // the other met different machines. With --slices a runner takes turns
  // between servers, each loadgen holding its connections in between.
  it('loadgen --slices: a window per line on stdin, the connections held between; the total over the windows', async () => {
    const bin = (name: string) => fileURLToPath(new URL(`../benchmarks/bin/${name}`, import.meta.url));
    const turns = (args: string[], input: string) => spawnSync(loadgenC, [...args, '--slices', '--timeout', '20'], { input, encoding: 'utf8', timeout: 30_000 });
    for (const [name, settle] of [['echo_fork', true], ['echo_iterative', false]] as const) {
      const server = await launch([bin(name), '--host', '127.0.0.1', '--port', '0'], { timeoutMs: 10_000 });
      try {
        const where = ['--host', server.host, '--port', String(server.port), '--len', '32'];
        const r = turns(['pingpong', ...where, '--conns', '4', ...(settle ? ['--settle'] : [])], 'warm 0.1\n0.1\n0.1\n0.1\nend\n');
        expect(r.status, `${name}: ${r.stderr}`).toBe(0);
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines[0]).toEqual({ ready: true });
        // An untimed window: run, said, and left out of the result.
        expect(lines[1]).toMatchObject({ slice: 0, warm: true, errors: 0 });
        expect(lines[1].requests).toBeGreaterThan(10);
        const windows = lines.slice(2, -1);
        expect(windows.map((w) => w.slice)).toEqual([1, 2, 3]);
        for (const w of windows) {
          expect(w.errors, name).toBe(0);
          expect(w.requests, name).toBeGreaterThan(10);
          // Its time, and at most a round trip more (an iterative server's
          // other three connections wait, unserved, and do not hold it).
          expect(w.seconds, name).toBeGreaterThanOrEqual(0.1);
          expect(w.seconds, name).toBeLessThan(0.5);
        }
        const total = lines[lines.length - 1];
        expect(total).toMatchObject({ mode: 'pingpong', rounds: null, errors: 0, timeout: false, slices: 3 });
        // The same four connections all along: a fork server forked four children, no more.
        expect(total.requests).toBe(windows.reduce((n, w) => n + w.requests, 0));
        expect(total.seconds).toBeCloseTo(windows.reduce((n, w) => n + w.seconds, 0), 5);
        expect(total.req_per_s).toBeCloseTo(total.requests / total.seconds, 0);
        if (settle) expect(total.settle_seconds).toBeGreaterThan(0);
        // Churn: each window starts connections for its time and waits for the last.
        const c = turns(['churn', ...where, '--concurrency', '2'], '0.1\n0.1\n');
        expect(c.status, c.stderr).toBe(0);
        const cl = c.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(cl.slice(1, -1).map((w) => w.slice)).toEqual([1, 2]); // EOF ends it as "end" does
        expect(cl[cl.length - 1]).toMatchObject({ mode: 'churn', total: null, errors: 0, slices: 2 });
        expect(cl[cl.length - 1].connections).toBe(cl[1].connections + cl[2].connections);
      } finally {
        await server.stop('SIGTERM', 5000);
      }
    }
    const usage: Array<[string[], string, string]> = [
      [['pingpong', '--host', '127.0.0.1', '--port', '9', '--len', '32', '--conns', '2', '--seconds', '1'], '', '--slices takes its windows from stdin: no --rounds, --seconds or --total'],
      [['churn', '--host', '127.0.0.1', '--port', '9', '--len', '32', '--concurrency', '2', '--idle', '3'], '', '--slices does not hold idle connections'],
      [['churn', '--host', '127.0.0.1', '--port', '9', '--len', '32', '--concurrency', '1'], 'soon\n', "--slices: not a window in seconds: 'soon'"],
    ];
    for (const [args, input, message] of usage) {
      const u = turns(args, input);
      expect(u.status, args.join(' ')).toBe(64);
      expect(u.stderr).toContain(message);
    }
  }, 60_000);

  it('the servers take turns: each one\'s window in --slice turns (churn\'s longer for fork), the rates of its turns in the JSON; --slice 0 as before', () => {
    const r = benchJson(['--quick', '--models', 'epoll,fork', '--scenarios', 'pingpong,churn'], 150_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.options.slice_seconds).toBe(0.1);
    // --quick: ping-pong 0.3 s, churn 0.5 s; a fork connection's 20 or more ms make churn's turn the window.
    const turns: Record<string, number> = { 'pingpong epoll': 3, 'pingpong fork': 3, 'churn epoll': 5, 'churn fork': 1 };
    expect(r.json.rows).toHaveLength(hasPython ? 12 : 8);
    for (const row of r.json.rows) {
      const s = row.samples[0];
      const what = `${row.scenario} ${row.model} ${row.server}`;
      expect(s.ok, `${what}: ${s.error}`).toBe(true);
      expect(s.turn_rates, what).toHaveLength(turns[`${row.scenario} ${row.model}`]);
      expect(s.result.slices, what).toBe(turns[`${row.scenario} ${row.model}`]);
      expect(s.result.seconds, what).toBeGreaterThanOrEqual(row.scenario === 'churn' ? 0.5 : 0.3);
      for (const rate of s.turn_rates) expect(rate, what).toBeGreaterThan(0);
      // --pin auto: epoll's servers (one thread) on CPU 1, loadgen on CPU 0; fork's placed by the scheduler.
      if (linux && taskset && os.cpus().length === 2) expect(s.cpus, what).toBe(row.model === 'epoll' ? '1' : '0-1');
    }
    expect(r.stdout).toContain('take turns of 0.1 s');
    const alone = benchJson(['--quick', '--models', 'epoll', '--scenarios', 'pingpong,churn', '--slice', '0']);
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stderr).not.toMatch(/turns of/);
    for (const row of alone.json.rows) expect(row.samples[0]).not.toHaveProperty('turn_rates');
    expect(alone.stdout).not.toContain('take turns');
  }, 120_000);

  it('the fork loop times fork + _exit + waitpid on every side and bounds fork\'s churn against C and Python', () => {
    const out = mkdtempSync(join(tmpdir(), 'syscall-lab-bench-'));
    try {
      // 2000 connections: enough CPU time for /proc/stat's 10 ms ticks to measure each side's CPU per connection.
      // --wide: the table with the CPU µs/op column.
      const r = bench(['--quick', '--wide', '--total', '2000', '--models', 'fork', '--scenarios', 'churn,forkloop', '--out', out], 240_000);
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      const f = json.forkloop;
      expect(f.iterations).toBe(100);
      if (hasPython) expect(f.py, 'the Python fork loop').toBeDefined();
      for (const side of [f.ts, f.c, ...(f.py ? [f.py] : [])]) {
        expect(side.runs).toHaveLength(1);
        expect(side.runs[0].iterations).toBe(100);
        expect(side.median_ns).toBeGreaterThan(0);
        // Each iteration is a whole fork and exit: far more than a syscall's microsecond.
        expect(side.median_ns).toBeGreaterThan(10_000);
        if (linux) expect(side.median_cpu_ns).toBeGreaterThan(10_000); // from /proc
      }
      expect(f.ratio_median).toBeCloseTo(f.ts.median_ns / f.c.median_ns, 6);
      for (const row of json.rows) {
        expect(row.samples.every((s: any) => s.ok), JSON.stringify(row.samples)).toBe(true);
        if (!linux) continue;
        // A connection costs the machine more CPU than a fork loop's iteration, on each side.
        const loop = row.impl === 'ts' ? f.ts : row.impl === 'py' ? f.py : f.c;
        expect(row.summary.cpu_us_per_op * 1000, `${row.server}`).toBeGreaterThan(loop.median_cpu_ns * 0.5);
      }
      const note = json.notes.find((n: string) => n.startsWith('Fork loop:'));
      expect(note, json.notes.join('\n')).toMatch(/cannot pass [\d,]+ connections\/s on \d+ CPUs? before it serves a byte/);
      if (linux) expect(note).toMatch(/at most about [\d,]+ conn\/s, \d\.\d\dx C's churn/);
      if (linux && hasPython) expect(note).toMatch(/Against Python: its fork loop takes [\d,]+ µs .* TypeScript child that did as much as Python's beyond them would cost [\d,]+ µs a connection: \d+\.\d\dx Python's churn\./);
      expect(r.stdout).toContain('CPU µs/op');
      expect(r.stdout).toContain('fork loop: 100 x (fork');
      // --wide's table may pass 80 columns; the fork loop's lines may not.
      const forkLines = r.stdout.slice(r.stdout.indexOf('fork loop: ')).split('\n\n')[0].split('\n');
      expect(forkLines.length).toBeGreaterThanOrEqual(4);
      expect(forkLines.filter((l) => [...l].length > 80)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 250_000);

  it('fork-loop --child reaps every child it forked and reports wall and CPU time', () => {
    const r = spawnSync(process.execPath, [forkLoop, '--child', '30', '--warmup', '2'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line.iterations).toBe(30);
    expect(line.ns_per_iter).toBeCloseTo((line.seconds * 1e9) / 30, -2);
    if (linux) expect(line.cpu_ns_per_iter).toBeGreaterThan(0);
    const c = spawnSync(forkLoopC, ['30'], { encoding: 'utf8', timeout: 60_000 });
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout.trim())).toMatchObject({ iterations: 30 });
    if (!hasPython) return;
    const py = spawnSync(python.stdout.trim(), [forkLoopPy, '30'], { encoding: 'utf8', timeout: 60_000 });
    expect(py.status, py.stderr).toBe(0);
    const pl = JSON.parse(py.stdout.trim());
    expect(pl.iterations).toBe(30);
    expect(pl.ns_per_iter).toBeCloseTo((pl.seconds * 1e9) / 30, -2);
    expect(pl.cpu_ns_per_iter).toBeGreaterThan(0);
    const bad = spawnSync(python.stdout.trim(), [forkLoopPy, 'x'], { encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('usage: fork_loop.py N');
  });

  it('fork-loop and fork_loop reject a bad count with their usage', () => {
    const r = spawnSync(process.execPath, [forkLoop, '--iterations', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('fork-loop: --iterations must be an integer >= 1, not "0"');
    expect(r.stderr).toContain('usage: node dist/benchmarks/fork-loop.js');
    const c = spawnSync(forkLoopC, ['-3'], { encoding: 'utf8', timeout: 30_000 });
    expect(c.status).toBe(64);
    expect(c.stderr).toContain('usage:');
  });
});
