// src/lab/procfs.ts, the one reader of Linux's /proc that watch, the grader
// and the benchmarks share, against real processes: a child with a name
// that breaks a naive parse of /proc/PID/stat, its fds and sockets, and what
// each reader gives once the process is gone.
import { afterEach, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socket, bind, listen, getsockname, sockaddr_of, sockaddr_storage, sockaddr_port, AF_INET, AF_INET6, SOCK_STREAM } from '../src/sys/index.js';
import {
  ProcError, all_stats, children_of, cpu_outside, environ_has, fd_count, fds, fds_or_none, listening_ports, process_stat, process_tree,
  machine_busy_seconds, read_stat, sockets_of, stat_of, status_field, threads,
} from '../src/lab/procfs.js';
import { FdScope, describe_linux, has_ipv6, settle, NEEDS_LINUX } from './helpers.js';

const fdscope = new FdScope();
const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  fdscope.closeAll();
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** sleep(1) under another file name, which becomes its comm (/proc/PID/stat's second field). */
function sleeper(name: string, env: Record<string, string> = {}): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'procfs-'));
  dirs.push(dir);
  const exe = join(dir, name);
  copyFileSync('/bin/sleep', exe);
  const child = spawn(exe, ['30'], { stdio: 'ignore', env: { ...process.env, ...env }, timeout: 20_000 });
  started.push(child);
  return child;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

describe_linux(NEEDS_LINUX.proc)('procfs', () => {
  it('a comm with spaces and parentheses: the fields after it are still in place', async () => {
    const name = 'a) b (c'; // comm is cut to 15 bytes; this fits
    const c = sleeper(name, { PROCFS_TEST: 'yes' });
    // until sleep(1) runs under that name and sleeps (R or the old comm right after spawn)
    await settle(() => stat_of(c.pid!)?.comm === name && stat_of(c.pid!)?.state === 'S', 5000);
    const st = stat_of(c.pid!)!;
    expect(st).toMatchObject({ pid: c.pid, comm: name, state: 'S', ppid: process.pid });
    expect(st.starttime).toBeGreaterThan(0);
    expect(st.pgrp).toBe(stat_of(process.pid)!.pgrp); // spawn keeps our group
    expect(st.session).toBe(stat_of(process.pid)!.session);
    expect(children_of(process.pid).map((s) => s.pid)).toContain(c.pid);
    expect(process_tree(stat_of(process.pid)!).children.map((n) => n.pid)).toContain(c.pid);
    expect(all_stats().find((s) => s.pid === c.pid)?.comm).toBe(name);
    expect(threads(c.pid!).map((t) => t.pid)).toEqual([c.pid]);
    expect(status_field(c.pid!, 'Threads')).toBe(1);
    expect(status_field(c.pid!, 'VmRSS')).toBeGreaterThan(0);
    expect(status_field(c.pid!, 'NoSuchField')).toBeNaN();
    expect(environ_has(c.pid!, 'PROCFS_TEST=yes')).toBe(true);
    expect(environ_has(c.pid!, 'PROCFS_TEST=no')).toBe(false);
  });

  it("other work's CPU: what a tree's processes used is outside every other tree, and the machine's busy time grows", async () => {
    // A busy loop (ours: in this worker's tree) and a sleeper (a tree of its own).
    const loop = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', timeout: 20_000 });
    started.push(loop);
    const sl = sleeper('cpu-outside');
    await settle(() => stat_of(loop.pid!)?.state === 'R' && stat_of(sl.pid!)?.comm === 'cpu-outside', 5000);
    const busy0 = machine_busy_seconds()!;
    const before = all_stats();
    await new Promise((r) => setTimeout(r, 1000));
    const after = all_stats();
    const busy1 = machine_busy_seconds()!;
    const ticks = (pid: number, st: typeof before) => { const s = st.find((x) => x.pid === pid)!; return s.utime + s.stime; };
    const looped = (ticks(loop.pid!, after) - ticks(loop.pid!, before)) / 100;
    expect(looped).toBeGreaterThan(0.1);
    // Outside the sleeper's tree: the loop, this worker and the rest of the machine; outside this
    // worker's: the same but the loop and this worker, from the same two snapshots.
    const worker = (ticks(process.pid, after) - ticks(process.pid, before)) / 100;
    const outsideSleeper = cpu_outside(sl.pid!, before, after), outsideUs = cpu_outside(process.pid, before, after);
    expect(outsideSleeper.seconds - outsideUs.seconds).toBeGreaterThanOrEqual(looped + worker - 0.001);
    expect(outsideUs.seconds).toBeGreaterThanOrEqual(0);
    // By command (argv[0]'s name, not comm: Node 24 names its main thread
    // "MainThread"): the loop is node's, outside the sleeper's tree only.
    expect(outsideSleeper.by.get('node')).toBeGreaterThanOrEqual(looped - 0.001);
    expect(outsideUs.by.get('cpu-outside') ?? 0).toBe(0); // the sleeper sleeps
    expect(busy1 - busy0).toBeGreaterThanOrEqual(looped - 0.05); // the machine's ticks and the loop's may be a tick apart
    expect(cpu_outside(1 << 30, before, after).seconds).toBeGreaterThanOrEqual(looped); // no such process: everything is outside
  });

  it('this process: its CPU time, its fds, its listening socket by port', () => {
    const self = read_stat('/proc/self/stat')!;
    expect(self.pid).toBe(process.pid);
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i; // some user time: ticks of 10 ms
    expect(x).toBeGreaterThan(0);
    expect(stat_of(process.pid)!.utime).toBeGreaterThan(0);
    expect(threads(process.pid).length).toBe(status_field(process.pid, 'Threads'));

    const before = fd_count(process.pid)!;
    const fd = fdscope.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(fd_count(process.pid)).toBe(before + 1);
    expect(bind(fd, sockaddr_of('127.0.0.1', 0))).toBe(0);
    expect(listen(fd, 5)).toBe(0);
    const addr = new sockaddr_storage();
    getsockname(fd, addr);
    const port = sockaddr_port(addr);
    const mine = fds(process.pid).find((l) => l.fd === fd);
    expect(mine?.target).toMatch(/^socket:\[\d+\]$/);
    const sock = sockets_of(process.pid).find((s) => s.local.port === port);
    expect(sock).toMatchObject({ state: 'LISTEN', local: { host: '127.0.0.1', port } });
    expect(listening_ports([process.pid])).toContain(port);
  });

  it('an IPv6 socket: its address as inet_ntop spells it', (ctx) => {
    if (!has_ipv6()) return ctx.skip('no ::1 on this machine');
    const fd = fdscope.add(socket(AF_INET6, SOCK_STREAM, 0));
    expect(bind(fd, sockaddr_of('::1', 0))).toBe(0);
    expect(listen(fd, 5)).toBe(0);
    const addr = new sockaddr_storage();
    getsockname(fd, addr);
    const port = sockaddr_port(addr);
    expect(sockets_of(process.pid).find((s) => s.local.port === port)).toMatchObject({ state: 'LISTEN', local: { host: '::1', port } });
  });

  it('a process that is gone: null, [], NaN, or a ProcError that says so', async () => {
    const c = sleeper('gone');
    const pid = c.pid!;
    await settle(() => stat_of(pid)?.comm === 'gone', 5000);
    process.kill(pid, 'SIGKILL');
    await exited(c); // reaped by Node: the pid is free
    expect(stat_of(pid)).toBeNull();
    expect(fds_or_none(pid)).toEqual([]);
    expect(sockets_of(pid)).toEqual([]);
    expect(threads(pid)).toEqual([]);
    expect(fd_count(pid)).toBeUndefined();
    expect(status_field(pid, 'Threads')).toBeNaN();
    expect(environ_has(pid, 'PATH=/')).toBe(false);
    expect(() => process_stat(pid)).toThrow(ProcError);
    expect(() => process_stat(pid)).toThrow(`no process ${pid}`);
    expect(() => fds(pid)).toThrow(`no process ${pid}`);
  });

  it('a process not ours to read: fds() says so (pid 1 is root\'s; skipped when we are root)', (ctx) => {
    if (process.getuid?.() === 0) return ctx.skip('running as root: every /proc/PID/fd is readable');
    expect(() => fds(1)).toThrow(/process 1 is not ours to read/);
    expect(fds_or_none(1)).toEqual([]);
  });
});
