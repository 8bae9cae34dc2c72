// The benchmark runner (npm start): a quick real run, and its usage errors.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../dist/benchmarks/run.js', import.meta.url));

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
});
