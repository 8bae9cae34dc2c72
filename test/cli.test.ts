// The syscall-lab command line: help everywhere, clear usage errors.
import { describe, expect, it } from 'vitest';
import { run_cli, serve } from './helpers.js';

describe('syscall-lab', () => {
  it('--help lists the commands, servers, clients and demos', () => {
    const r = run_cli(['--help']);
    expect(r.status).toBe(0);
    for (const word of ['serve', 'client', 'demo', 'echo-iterative', 'daytime', 'tcp-states', 'backlog', 'time-wait', 'lunch']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('each command has --help', () => {
    for (const args of [['serve', '--help'], ['client', '--help'], ['demo', '--help'], ['demo', 'backlog', '--help'], ['list']]) {
      const r = run_cli(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(20);
    }
  });

  it('every help and list fits an 80-column terminal', () => {
    const commands = [['--help'], ['list'], ['serve', '--help'], ['client', '--help'], ['demo', '--help'], ['run', '--help'],
      ['typecheck', '--help'], ['init', '--help'], ['timeline', '--help'], ['watch', '--help'], ['check', '--help']];
    for (const args of commands) {
      const r = run_cli(args);
      expect(r.status, args.join(' ')).toBe(0);
      for (const line of r.stdout.split('\n')) expect(line.length, `${args.join(' ')}: ${line}`).toBeLessThanOrEqual(80);
    }
  });

  it('usage errors exit 64 with a message', () => {
    for (const args of [['nope'], ['serve', 'nope'], ['serve'], ['serve', 'daytime', '--port', '99999'], ['serve', 'daytime', '--bogus'], ['client', 'echo'], ['demo', 'nope']]) {
      const r = run_cli(args);
      expect(r.status, args.join(' ')).toBe(64);
      expect(r.stderr).toMatch(/syscall-lab: /);
    }
  });

  it('a client that cannot connect says why and exits 1', () => {
    const r = run_cli(['client', 'echo', '127.0.0.1', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('syscall-lab: open_clientfd: Connection refused (ECONNREFUSED)\n');
  });

  it('serve on a port in use says EADDRINUSE and exits 1', async () => {
    const s = await serve('daytime');
    try {
      const r = run_cli(['serve', 'daytime', '--port', String(s.port)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/EADDRINUSE/);
    } finally {
      await s.stop();
    }
  });

  it('the first line of serve is exactly "listening on HOST:PORT"', async () => {
    const s = await serve('echo-iterative');
    try {
      expect(s.output).toEqual([]); // nothing before the listening line
      expect(s.port).toBeGreaterThan(0);
    } finally {
      expect(await s.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
