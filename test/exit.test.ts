// The way out of a process never calls into JavaScript from Node's teardown.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Run { status: number | null; signal: NodeJS.Signals | null; stderr: string }

// One child, bounded in time; killed by its pid if it runs over.
function child(args: string[], timeoutMs: number): Promise<Run> {
  const script = fileURLToPath(new URL('./fixtures/exit-pending.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr });
    });
  });
}

async function twenty(mode: string): Promise<void> {
  for (let batch = 0; batch < 10; batch++) {
    const runs = await Promise.all([0, 1].map(() => child([mode], 20_000)));
    for (const r of runs) expect(r).toEqual({ status: 0, signal: null, stderr: '' });
  }
}

describe('exit with a handler pending', () => {
  it('SIGPIPE from a write that got EPIPE just before the end of the script: 20 runs of 20 exit 0', async () => {
    await twenty('sigpipe');
  }, 120_000);

  it('SIGCHLD from a child of fork that exits as the script ends: 20 runs of 20 exit 0', async () => {
    await twenty('sigchld');
  }, 120_000);
});
