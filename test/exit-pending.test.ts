// Issue 19, item 4: a script that ends with a signal's handler still pending
// exits as it would with none: status 0, no fatal error from Node's teardown
// (which once aborted 6 runs in 10 for SIGPIPE, 1 in 10 for SIGCHLD).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const fixture = new URL('./fixtures/exit-pending.mjs', import.meta.url).pathname;

describe('the end of the script with a handler pending', () => {
  it.each([
    ['sigpipe', 'write -1 EPIPE'],
    ['sigchld', 'forked true'],
  ])('%s: 20 runs, each exits 0 with its output and no fatal error', (which, line) => {
    for (let run = 0; run < 20; run++) {
      const r = spawnSync(process.execPath, [fixture, which], { encoding: 'utf8', timeout: 20_000 });
      expect(r.error, `run ${run}`).toBeUndefined();
      expect(r.stderr, `run ${run}`).not.toContain('FATAL ERROR');
      expect([r.status, r.signal], `run ${run}: ${r.stderr}`).toEqual([0, null]);
      expect(r.stdout.trim()).toBe(line);
    }
  }, 120_000);
});
