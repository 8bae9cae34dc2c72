// `serve --verbose`: the servers say what they do (child pids and reaps,
// threads, clients added and removed, 4-tuples); without it, as before.
import { describe, expect, it } from 'vitest';
import { socket, connect, close, getsockname, sockaddr_storage, sockaddr_port, sockaddr_of, AF_INET, SOCK_STREAM } from '../src/sys/index.js';
import { run_cli, server_tracker, round_trip, settle, bound_io } from './helpers.js';

const start = server_tracker();

const VERBOSE = /^(child \d+ serves|reaped child|thread \d+ serves|adding client|removing client|connection \()/;

function client(port: number): { fd: number; port: number } {
  const fd = bound_io(socket(AF_INET, SOCK_STREAM, 0));
  expect(connect(fd, sockaddr_of('127.0.0.1', port))).toBe(0);
  const addr = new sockaddr_storage();
  getsockname(fd, addr);
  return { fd, port: sockaddr_port(addr) };
}

describe('--verbose', () => {
  it('echo-fork: the child pid per connection, and each reap', async () => {
    const s = await start('echo-fork', '--verbose');
    round_trip(s.port, 'a\n');
    round_trip(s.port, 'b\n');
    const reaped = () => s.output.filter((l) => l.startsWith('reaped child')).length;
    await settle(() => reaped() === 2);
    const children = s.output.flatMap((l) => /^child (\d+) serves fd (\d+)$/.exec(l)?.[1] ?? []);
    const reaps = s.output.flatMap((l) => /^reaped child (\d+)$/.exec(l)?.[1] ?? []);
    expect(children).toHaveLength(2);
    expect(new Set(children).size).toBe(2);
    expect(reaps.sort()).toEqual([...children].sort());
  });

  it('echo-threads: the thread per connection', async () => {
    const s = await start('echo-threads', '--verbose');
    round_trip(s.port, 'a\n');
    round_trip(s.port, 'b\n');
    await settle(() => s.output.filter((l) => l.startsWith('thread ')).length === 2);
    const lines = s.output.filter((l) => l.startsWith('thread '));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^thread \d+ serves fd \d+$/);
  });

  for (const name of ['echo-select', 'echo-select-hardened']) {
    it(`${name}: adding and removing clients, with the pool's size`, async () => {
      const s = await start(name, '--verbose');
      const a = client(s.port), b = client(s.port);
      await settle(() => s.output.filter((l) => l.startsWith('adding')).length === 2);
      close(a.fd);
      await settle(() => s.output.some((l) => l.startsWith('removing')));
      close(b.fd);
      await settle(() => s.output.filter((l) => l.startsWith('removing')).length === 2);
      const events = s.output.filter((l) => /^(adding|removing)/.test(l));
      const fd = (i: number) => Number(/fd (\d+)/.exec(events[i])![1]);
      expect(events).toEqual([
        `adding client on fd ${fd(0)} (pool size 1)`,
        `adding client on fd ${fd(1)} (pool size 2)`,
        `removing client on fd ${fd(0)} (pool size 1)`,
        `removing client on fd ${fd(1)} (pool size 0)`,
      ]);
      expect(fd(0)).not.toBe(fd(1));
    });
  }

  for (const name of ['daytime', 'echo-iterative']) {
    it(`${name}: the connection's 4-tuple`, async () => {
      const s = await start(name, '--verbose');
      const c = client(s.port);
      await settle(() => s.output.some((l) => l.startsWith('connection')));
      close(c.fd);
      expect(s.output).toContainEqual(expect.stringMatching(
        new RegExp(`^connection \\(127\\.0\\.0\\.1, ${s.port}\\) <-> \\(127\\.0\\.0\\.1, ${c.port}\\) on fd \\d+$`)));
    });
  }

  it('without --verbose, none of these lines', async () => {
    const f = await start('echo-fork');
    const sel = await start('echo-select');
    round_trip(f.port, 'a\n');
    round_trip(sel.port, 'a\n');
    await settle(() => sel.output.some((l) => l.startsWith('Server received')));
    await new Promise((r) => setTimeout(r, 200));
    expect(sel.output.some((l) => l.startsWith('Server received'))).toBe(true);
    expect([...f.output, ...sel.output].filter((l) => VERBOSE.test(l))).toEqual([]);
  });

  it('serve --help lists --verbose in 80 columns', () => {
    const r = run_cli(['serve', '--help']);
    expect(r.stdout).toMatch(/--verbose/);
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('  --verbose'))) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
