// docs/ALTERNATIVES.md's runnable example: libc's fork through node:ffi gives
// a child that dies at its first JavaScript; syscall-lab's gives one that
// runs. Both run as child processes of their own, bounded in time.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { isBuiltin } from 'node:module';

const example = (name: string) => new URL(`../examples/why-not-ffi/${name}`, import.meta.url).pathname;
const run = (name: string) =>
  spawnSync(process.execPath, ['--no-warnings', example(name)], { encoding: 'utf8', timeout: 30_000 });
const hasFfi = isBuiltin('node:ffi');  // Node 26.1 and later

describe('why not node:ffi (docs/ALTERNATIVES.md)', () => {
  it.skipIf(!hasFfi)('libc fork through node:ffi: the child dies with SIGSEGV before its first line', () => {
    const r = run('ffi-fork.mjs');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('child:');
    expect(r.stdout).toContain('parent: the child was killed by signal 11');
  });

  it('syscall-lab fork: the child allocates, prints and exits with its own status', () => {
    const r = run('syscall-lab-fork.mjs');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('child: allocated 200000 objects');
    expect(r.stdout).toContain('parent: the child exited with status 7');
  });
});
