// Test helpers: loopback sockets with a kernel-side timeout on every blocking
// call (a test blocked in a syscall cannot be interrupted by vitest), servers
// started through the CLI and stopped by pid, fd counts from /proc.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  socket, bind, listen, connect, close, setsockopt, accept, cell, sizeof, sockaddr_of, sockaddr_storage, getsockname,
  sockaddr_port, AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO,
} from '../src/sys/index.js';
import { launch, cliCommand, type Launched } from '../src/launch.js';
import { fd_count as open_fds } from '../src/lab/procfs.js';
import { Open_clientfd, Close, Rio_writen, Rio_readinitb, Rio_readlineb, rio_t } from '../src/csapp/index.js';

/** Every blocking read / accept / write on fd gives up after `ms` with EAGAIN. */
export function bound_io(fd: number, ms = 5000): number {
  const tv = { tv_sec: Math.floor(ms / 1000), tv_usec: (ms % 1000) * 1000 };
  expect(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv)).toBe(0);
  expect(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv)).toBe(0);
  return fd;
}

/** Closes fds at the end of a test, whatever happened. */
export class FdScope {
  private fds: number[] = [];
  add(fd: number): number {
    if (fd >= 0) this.fds.push(fd);
    return fd;
  }
  closeAll(): void {
    for (const fd of this.fds.splice(0)) close(fd);
  }
}

export interface Pair {
  listenfd: number;
  port: number;
  clientfd: number;
  connfd: number;
}

/** A listening socket on 127.0.0.1 (or ::1) with an accepted connection, all fds bounded. */
export function tcp_pair(fds: FdScope, family = AF_INET): Pair {
  const host = family === AF_INET ? '127.0.0.1' : '::1';
  const listenfd = fds.add(socket(family, SOCK_STREAM, 0));
  expect(listenfd).toBeGreaterThanOrEqual(0);
  bound_io(listenfd);
  expect(bind(listenfd, sockaddr_of(host, 0))).toBe(0);
  expect(listen(listenfd, 8)).toBe(0);
  const addr = new sockaddr_storage();
  expect(getsockname(listenfd, addr, cell(sizeof.sockaddr_storage))).toBe(0);
  const port = sockaddr_port(addr);
  const clientfd = fds.add(bound_io(socket(family, SOCK_STREAM, 0)));
  expect(connect(clientfd, sockaddr_of(host, port))).toBe(0);
  const connfd = fds.add(accept(listenfd, null, null));
  expect(connfd).toBeGreaterThanOrEqual(0);
  bound_io(connfd);
  return { listenfd, port, clientfd, connfd };
}

/** A port on which nothing listens (bound, then closed; nobody else binds here). */
export function closed_port(): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(fd, sockaddr_of('127.0.0.1', 0));
  const addr = new sockaddr_storage();
  getsockname(fd, addr);
  close(fd);
  return sockaddr_port(addr);
}

/** The number of open fds of a process (Linux: /proc/PID/fd); throws when it has none to read. */
export function fd_count(pid: number | 'self' = 'self'): number {
  const n = open_fds(pid);
  if (n === undefined) throw new Error(`cannot read /proc/${pid}/fd`);
  return n;
}

export const linux = process.platform === 'linux';

const NOBODY = 65534;

/**
 * Why user nobody (uid 65534) cannot run `program` on `files`, or null when
 * it can: every folder above each must be searchable by others, each file
 * readable, the program executable. Tests that run a child as nobody skip
 * with this reason: a checkout inside a `mktemp -d` folder (mode 0700) is out
 * of nobody's reach, and the child would fail to load the addon.
 */
export function out_of_reach_for_nobody(program: string, ...files: string[]): string | null {
  const allows = (path: string, bits: number): boolean => {
    const st = statSync(path);
    return st.uid === NOBODY ? ((st.mode >> 6) & bits) === bits : (st.mode & bits) === bits;
  };
  for (const [path, bits] of [[program, 0o5], ...files.map((f) => [f, 0o4] as const)] as const) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      return `${path}: ${(e as NodeJS.ErrnoException).code}`;
    }
    for (let dir = dirname(real); ; dir = dirname(dir)) {
      if (!allows(dir, 0o1)) return `nobody may not search ${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)})`;
      if (dir === dirname(dir)) break;
    }
    if (!allows(real, bits)) return `nobody may not ${bits & 1 ? 'run' : 'read'} ${real}`;
  }
  return null;
}

// Tests that need Linux. On macOS each is still listed, skipped with the
// reason as its note (the reporter prints it), so that a macOS run says what
// it did not check and why. A test that runs on both and leaves out one
// Linux-only assertion says why beside its `if (linux)`.
export const NEEDS_LINUX = {
  proc: 'reads /proc (fds, tasks, states, memory), which macOS has not',
  epoll: "epoll is Linux's; on macOS select and poll wait in kqueue",
  exec_proc: "the exec'd program reports its fds, mask and flags from /proc/self",
  masks: "the per-thread signal masks that keep a signal for the main thread are Linux's (signal_mask.cc)",
  slices: "the main thread's lock waits are cut in slices for handlers with pthread_mutex_timedlock, which macOS has not",
  syn_timeout: "a connect bounded by SO_SNDTIMEO: macOS's connect ignores it",
  linger: "close's answer when a signal cuts a linger short is Linux's (0)",
  script: "script(1) of util-linux gives the fixture a terminal (BSD's takes other arguments)",
  compile: 'compiles the macOS paths against glibc with stand-ins: on a Mac the build itself does',
  prctl: 'prctl is Linux\'s (on macOS it is -1 with ENOSYS, tested beside)',
} as const;

/** it() for a test that needs Linux: elsewhere it is skipped with `why` as its note. */
export function it_linux(why: string): typeof it {
  if (linux) return it;
  const skipped = (name: string) => it(name, (ctx) => ctx.skip(why));
  return Object.assign(skipped, {
    for: (cases: readonly unknown[]) => (name: string) => it.for(cases)(name, (_c, ctx) => ctx.skip(why)),
  }) as unknown as typeof it;
}

/** describe() for tests that all need Linux: elsewhere one skipped test stands for them, with `why`. */
export function describe_linux(why: string): typeof describe {
  if (linux) return describe;
  const skipped = (name: string) => describe(name, () => it('needs Linux', (ctx) => ctx.skip(why)));
  return Object.assign(skipped, { concurrent: skipped, skipIf: () => skipped }) as unknown as typeof describe;
}

export function has_ipv6(): boolean {
  const fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const ok = bind(fd, sockaddr_of('::1', 0)) === 0;
  close(fd);
  return ok;
}

/** Starts `syscall-lab serve <name> ...` (the built CLI) and waits for its "listening on" line. */
export function serve(name: string, ...args: string[]): Promise<Launched> {
  return launch([...cliCommand(), 'serve', name, '--port', '0', ...args], { keepOutput: true });
}

/** Runs the built CLI to completion with optional stdin; bounded by timeoutMs. */
export function run_cli(args: string[], input?: string, timeoutMs = 20_000) {
  const [node, cli] = cliCommand();
  const r = spawnSync(node, [cli, ...args], { input, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI asynchronously (so that several clients overlap); bounded by timeoutMs. */
export function run_cli_async(args: string[], input?: string, timeoutMs = 20_000): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const [node, cli] = cliCommand();
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(node, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, stdout, stderr, ms: performance.now() - t0 }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export function python_available(): boolean {
  return spawnSync('python3', ['-c', 'import socket'], { timeout: 10_000 }).status === 0;
}

/** Runs a Python 3 script (the client the project did not write), bounded. */
export function python(script: string, timeoutMs = 20_000) {
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Servers started by a test file, stopped by pid after each test whatever
 * happened. Call at the top level of the file: `const start = server_tracker();`.
 */
export function server_tracker(): (name: string, ...args: string[]) => Promise<Launched> {
  let running: Launched[] = [];
  afterEach(async () => {
    for (const s of running) await s.stop('SIGKILL');
    running = [];
  });
  return async (name, ...args) => {
    const s = await serve(name, ...args);
    running.push(s);
    return s;
  };
}

/** One echo round trip on an open connection: writes line, reads a line back. */
export function echo_line(fd: number, rio: rio_t, line: string): string {
  const bytes = new TextEncoder().encode(line);
  Rio_writen(fd, bytes, bytes.length);
  const buf = new Uint8Array(8192);
  const n = Rio_readlineb(rio, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, n));
}

/** Connects to 127.0.0.1:port, one echo round trip, closes. */
export function round_trip(port: number, line: string): string {
  const fd = bound_io(Open_clientfd('127.0.0.1', port));
  try {
    const rio = new rio_t();
    Rio_readinitb(rio, fd);
    return echo_line(fd, rio, line);
  } finally {
    Close(fd);
  }
}

/** Waits (on the event loop) until check() holds, at most ms. */
export async function settle(check: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !check() && waited < ms; waited += 50) await new Promise((r) => setTimeout(r, 50));
}
