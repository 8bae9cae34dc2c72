// `syscall-lab watch PID`, run for real against servers the tests start:
// what it prints is what /proc and the kernel's TCP tables say.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { socket, connect, close, sockaddr_of, AF_INET, SOCK_STREAM } from '../src/sys/index.js';
import { listen_loopback } from '../src/demos/common.js';
import { cliCommand } from '../src/launch.js';
import type { frame, process_info } from '../src/lab/watch/snapshot.js';
import { run_cli, server_tracker, round_trip, settle, bound_io, FdScope, it_linux, describe_linux, NEEDS_LINUX, out_of_reach_for_nobody } from './helpers.js';

const start = server_tracker();

function watch_json(pid: number): frame {
  const r = run_cli(['watch', '--once', '--json', String(pid)]);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as frame;
}

const zombies = (ps: process_info[]) => ps.filter((p) => p.zombie).length;

function fits_80(text: string): void {
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
}

describe_linux(NEEDS_LINUX.proc)('watch', () => {
  it('echo-fork --no-reap after 5 connections: 5 zombies', async () => {
    const s = await start('echo-fork', '--quiet', '--no-reap');
    for (let i = 0; i < 5; i++) expect(round_trip(s.port, `line ${i}\n`)).toBe(`line ${i}\n`);
    let f = watch_json(s.pid);
    await settle(() => zombies((f = watch_json(s.pid)).children) === 5, 5000);
    expect(f.children).toHaveLength(5);
    expect(zombies(f.children)).toBe(5);
    expect(f.children.every((c) => c.state === 'Z')).toBe(true);
    const text = run_cli(['watch', '--once', String(s.pid)]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/children: 5, 5 zombies/);
    expect(text.stdout.match(/<defunct>/g)).toHaveLength(5);
    fits_80(text.stdout);
  });

  it('echo-fork with its handler: the children are reaped, no zombie', async () => {
    const s = await start('echo-fork', '--quiet');
    for (let i = 0; i < 3; i++) round_trip(s.port, 'x\n');
    let f = watch_json(s.pid);
    await settle(() => (f = watch_json(s.pid)).children.length === 0, 5000);
    expect(f.children).toEqual([]);
  });

  it('echo-select with 30 idle clients: 30 ESTABLISHED sockets and the listening socket', async () => {
    const s = await start('echo-select', '--quiet');
    const fds = new FdScope();
    try {
      const clients: number[] = [];
      for (let i = 0; i < 30; i++) {
        const fd = fds.add(bound_io(socket(AF_INET, SOCK_STREAM, 0)));
        expect(connect(fd, sockaddr_of('127.0.0.1', s.port))).toBe(0);
        clients.push(fd);
      }
      const established = (f: frame) => f.fds.filter((x) => x.kind === 'tcp' && x.state === 'ESTABLISHED');
      let f = watch_json(s.pid);
      await settle(() => established((f = watch_json(s.pid))).length === 30, 5000);
      const conns = established(f);
      expect(conns).toHaveLength(30);
      // Each is one of our clients, seen from the server: its peer is a client's port.
      for (const c of conns) if (c.kind === 'tcp') expect(c.local).toBe(`127.0.0.1:${s.port}`);
      const listening = f.fds.filter((x) => x.kind === 'listen');
      expect(listening).toHaveLength(1);
      expect(listening[0]).toMatchObject({ local: `127.0.0.1:${s.port}`, accept_queue: 0 });
      expect(f.threads.length).toBeGreaterThanOrEqual(1);
      expect(f.threads[0].tid).toBe(s.pid);
      const text = run_cli(['watch', '--once', String(s.pid)]).stdout;
      expect(text).toMatch(/TCP sockets: 31 \(30 ESTABLISHED\)/);
      expect(text.match(/ESTABLISHED$/gm)).toHaveLength(30);
      fits_80(text);
    } finally {
      fds.closeAll();
    }
  });

  it("a listening socket that never accepts (the backlog demo's server): the accept queue at its limit", () => {
    const { fd: listenfd, port } = listen_loopback(2);
    const fds = new FdScope();
    fds.add(listenfd);
    try {
      // Linux queues backlog + 1 completed connections; these connects complete at once.
      for (let i = 0; i < 3; i++) {
        const fd = fds.add(bound_io(socket(AF_INET, SOCK_STREAM, 0)));
        expect(connect(fd, sockaddr_of('127.0.0.1', port))).toBe(0);
      }
      const f = watch_json(process.pid);
      const l = f.fds.find((x) => x.kind === 'listen' && x.local === `127.0.0.1:${port}`);
      expect(l).toMatchObject({ fd: listenfd, accept_queue: 3, backlog: 2 });
      const text = run_cli(['watch', '--once', String(process.pid)]).stdout;
      expect(text).toContain(`LISTEN 127.0.0.1:${port}  accept queue 3 (backlog 2) FULL`);
    } finally {
      fds.closeAll();
    }
  });

  it('counts TIME_WAIT on the port: daytime closes first', async () => {
    const s = await start('daytime', '--quiet');
    for (let i = 0; i < 2; i++) expect(run_cli(['client', 'daytime', '127.0.0.1', String(s.port)]).status).toBe(0);
    let f = watch_json(s.pid);
    await settle(() => (f = watch_json(s.pid)).time_wait[0]?.count >= 2, 5000);
    expect(f.time_wait).toEqual([{ port: s.port, count: 2 }]);
  });

  it('refreshes until SIGINT: one JSON line per frame, exit 0', async () => {
    const [node, cli] = cliCommand();
    const child = spawn(node, [cli, 'watch', '--json', String(process.pid)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await settle(() => out.split('\n').length > 3, 10_000); // three frames at 250 ms
      child.kill('SIGINT');
      expect(await exited, err).toBe(0);
      const frames = out.trim().split('\n').map((l) => JSON.parse(l) as frame);
      expect(frames.length).toBeGreaterThanOrEqual(3);
      for (const f of frames) expect(f.pid).toBe(process.pid);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('the watched process exits: one line, exit 1', () => {
    const [node, cli] = cliCommand();
    const victim = spawn('sleep', ['1'], { stdio: 'ignore' });
    try {
      const r = spawnSync(node, [cli, 'watch', '--json', String(victim.pid)], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(1);
      // Gone from /proc, or a zombie until this test's Node reaps it: either way one line.
      expect(r.stderr).toMatch(new RegExp(`^syscall-lab: watch: (no process ${victim.pid} \\(it has exited\\)|process ${victim.pid} has exited: a zombie its parent has not reaped)\n$`));
    } finally {
      victim.kill('SIGKILL');
    }
  });
});

describe('watch, bad input', () => {
  const one_line_error = (r: { status: number | null; stdout: string; stderr: string }, status: number, re: RegExp) => {
    expect(r.status).toBe(status);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };

  it_linux(NEEDS_LINUX.proc)('a pid that is not there: one line, exit 1', () => {
    const r = run_cli(['watch', '--once', '99999999']);
    one_line_error(r, 1, /^syscall-lab: watch: no process 99999999\n$/);
  });

  it('not a pid: a usage error', () => {
    for (const bad of ['abc', '0', '-5', '12x', '1e3']) {
      const r = run_cli(['watch', '--once', bad]);
      expect(r.status, bad).toBe(64);
      expect(r.stderr).toMatch(/^syscall-lab: watch: bad PID|^syscall-lab: .*\n\(see syscall-lab --help\)\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(run_cli(['watch']).status).toBe(64);
    expect(run_cli(['watch', '--once', '1', '--interval', '5']).status).toBe(64);
  });

  it_linux(NEEDS_LINUX.proc)('a process that is not ours to read: one line, exit 1', async (ctx) => {
    const [node, cli] = cliCommand();
    // As root: a sleep of ours (root's), watched as nobody. Otherwise: pid 1, root's.
    const asRoot = process.getuid?.() === 0;
    const why = asRoot ? out_of_reach_for_nobody(node, cli, fileURLToPath(new URL('../build/Release/syscall_lab.node', import.meta.url))) : null;
    if (why) return ctx.skip(why);
    const victim = asRoot ? spawn('sleep', ['30'], { stdio: 'ignore' }) : null;
    try {
      const pid = victim ? victim.pid! : 1;
      const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', node, cli] : [node, cli];
      const r = spawnSync(cmd[0], [...cmd.slice(1), 'watch', '--once', String(pid)], { encoding: 'utf8', timeout: 20_000 });
      if (r.error) return expect.soft(r.error, 'setpriv is needed to drop root for this test').toBeUndefined();
      one_line_error({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 1,
        new RegExp(`^syscall-lab: watch: process ${pid} is not ours to read \\(/proc/${pid}/fd: EACCES\\)\n$`));
    } finally {
      victim?.kill('SIGKILL');
    }
  });
});
