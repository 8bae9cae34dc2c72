// The benchmark runner (npm start): a quick real run, and its usage errors.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../dist/benchmarks/run.js', import.meta.url));
const forkLoop = fileURLToPath(new URL('../dist/benchmarks/fork-loop.js', import.meta.url));
const forkLoopC = fileURLToPath(new URL('../benchmarks/bin/fork_loop', import.meta.url));
const linux = process.platform === 'linux';

function bench(args: string[], timeout = 120_000) {
  return spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', timeout });
}

describe('benchmarks/run', () => {
  it('--node-flags reach the TypeScript server\'s node command, not the C server\'s, and are recorded', () => {
    const out = mkdtempSync(join(tmpdir(), 'syscall-lab-bench-'));
    try {
      const r = bench(['--quick', '--models', 'fork', '--scenarios', 'churn', '--node-flags=--max-semi-space-size=1', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('ran as node --max-semi-space-size=1');
      const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      expect(json.options.node_flags).toEqual(['--max-semi-space-size=1']);
      const ts = json.rows.find((row: any) => row.impl === 'ts');
      const c = json.rows.find((row: any) => row.impl === 'c');
      expect(ts.command[1]).toBe('--max-semi-space-size=1');
      expect(c.command).not.toContain('--max-semi-space-size=1');
      for (const row of json.rows) expect(row.samples.every((s: any) => s.ok), JSON.stringify(row.samples)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('usage errors name the bad option', () => {
    const r = bench(['--node-flags', 'v8-pool-size=1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--node-flags takes Node options');
    const m = bench(['--models', 'nope']);
    expect(m.status).not.toBe(0);
    expect(m.stderr).toContain('unknown model "nope"');
  });

  it('the fork loop times fork + _exit + waitpid on both sides and bounds fork\'s churn', () => {
    const out = mkdtempSync(join(tmpdir(), 'syscall-lab-bench-'));
    try {
      // 2000 connections: enough CPU time for /proc/stat's 10 ms ticks to measure each side's CPU per connection.
      const r = bench(['--quick', '--total', '2000', '--models', 'fork', '--scenarios', 'churn,forkloop', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      const f = json.forkloop;
      expect(f.iterations).toBe(100);
      for (const side of [f.ts, f.c]) {
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
        const loop = row.impl === 'ts' ? f.ts : f.c;
        expect(row.summary.cpu_us_per_op * 1000, `${row.server}`).toBeGreaterThan(loop.median_cpu_ns * 0.5);
      }
      const note = json.notes.find((n: string) => n.startsWith('Fork loop:'));
      expect(note, json.notes.join('\n')).toMatch(/cannot pass [\d,]+ connections\/s on \d+ CPUs? before it serves a byte/);
      if (linux) expect(note).toMatch(/at most about [\d,]+ conn\/s, \d\.\d\dx C's churn/);
      expect(r.stdout).toContain('CPU µs/op');
      expect(r.stdout).toContain('fork loop: 100 x (fork');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

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
