// The switch interval switches threads only where V8 allows it (native/
// safepoint.cc): at a stack check of JavaScript, never inside a regexp.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Run { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

// One child, bounded in time; killed by its pid if it runs over.
function child(script: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

describe('switch interval', () => {
  it('two threads running regular expressions under a 50 us switch interval: 10 runs of 10 end well', async () => {
    const script = fileURLToPath(new URL('./fixtures/preempt-regexp.mjs', import.meta.url));
    const rounds = 1500;
    const expected = { matched: rounds, words: 7 * rounds, backtracked: rounds };
    // Two at a time: the machine has 2 cores; each run takes about a second.
    for (let batch = 0; batch < 5; batch++) {
      const runs = await Promise.all([0, 1].map(() => child(script, [String(rounds)], 60_000)));
      for (const r of runs) {
        expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 0, signal: null });
        expect(JSON.parse(r.stdout)).toEqual({ main: expected, thread: expected });
      }
    }
  }, 300_000);
});
