// The fuzzer (tools/fuzz): every export of sys and csapp and every raw addon
// function, called with hostile arguments in seeded sequences, each batch in
// a child process. A crash, an abort or a hang of a child fails the test
// with the command that replays it. The fixed seeds always run; one random
// seed is added, printed for its replay.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('../tools/fuzz/run.js', import.meta.url));

interface Finding { what: string; call: number; replay: string; stderr: string }
interface Summary { seeds: number[]; calls: number; complete: boolean; findings: Finding[]; seconds: number; rate: number }

// Runs tools/fuzz/run.js; ends it by pid (it ends its own children) if it
// overruns its bound.
async function fuzz(args: string[], boundMs: number): Promise<Summary> {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-test-'));
  const json = join(dir, 'summary.json');
  try {
    const p = spawn(process.execPath, [run, ...args, '--json', json], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => p.kill('SIGTERM'), boundMs);
    await new Promise((resolve) => p.on('close', resolve));
    clearTimeout(timer);
    console.log(out.split('\n').filter((l) => l.startsWith('fuzz:') || l.startsWith('  node ')).join('\n'));
    if (!existsSync(json)) throw new Error(`the fuzzer wrote no summary:\n${out.slice(-3000)}`);
    return JSON.parse(readFileSync(json, 'utf8')) as Summary;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fuzzer', () => {
  it('catches a crash and a hang, each with its call and a replay command', async () => {
    const segv = await fuzz(['--selftest', 'segv', '--seeds', '7', '--calls', '8', '--batch', '8'], 60_000);
    expect(segv.findings.map((f) => [f.what, f.call])).toEqual([['killed by SIGSEGV', 4]]);
    expect(segv.findings[0].replay).toMatch(/^node tools\/fuzz\/replay\.js --seed 7 --from 0 --call 4 /);
    const hang = await fuzz(['--selftest', 'hang', '--seeds', '7', '--calls', '8', '--batch', '8', '--hang-ms', '1500'], 60_000);
    expect(hang.findings.map((f) => [f.what, f.call])).toEqual([['hang (no progress for 1500 ms)', 4]]);
  }, 130_000);

  it('20,000 hostile calls: no crash, no hang (fixed seeds and one random seed)', async () => {
    // 5 fixed seeds + 1 random, 3,400 calls each; the run stops starting
    // batches after 150 s, and the test says so rather than waiting on.
    const r = await fuzz(['--fixed', '--random', '--calls', '3400', '--batch', '850', '--jobs', '2', '--max-seconds', '150'], 200_000);
    const report = r.findings.map((f) => `${f.what} at call ${f.call}: ${f.replay}\n${f.stderr.split('\n').slice(-5).join('\n')}`);
    expect(report).toEqual([]);
    expect(r.complete, `only ${r.calls} calls within 150 s`).toBe(true);
    expect(r.calls).toBe(6 * 3400);
  }, 220_000);
});
