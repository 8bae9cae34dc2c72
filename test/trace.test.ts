// SYSCALL_LAB_TRACE / --trace: the calls of a real run, as strace shows them,
// checked against what ps and ss saw during that run.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socket, connect, close, getsockname, sockaddr_of, sockaddr_storage, sockaddr_port, AF_INET, SOCK_STREAM } from '../src/sys/index.js';
import { native } from '../src/sys/native.js';
import { rio_t, Rio_readinitb } from '../src/csapp/index.js';
import { parse_trace, address_arg, type TraceCall } from '../src/lab/trace/parse.js';
import { cliCommand } from '../src/launch.js';
import { bound_io, echo_line, it_linux, NEEDS_LINUX, server_tracker, settle } from './helpers.js';

const serve = server_tracker();
const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-trace-'));
const root = fileURLToPath(new URL('..', import.meta.url));
const read_trace = (file: string) => parse_trace(readFileSync(file, 'utf8'));
const sorted = (calls: TraceCall[]) => [...calls].sort((a, b) => a.start - b.start);

/** The pids of a process's children, as ps lists them. */
function ps_children(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0).sort();
}

/** The peer ports of the connections to `port`, as ss lists them (established, on the server's side). */
function ss_peers(port: number): number[] {
  const r = spawnSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.split('\n').filter(Boolean).map((l) => Number(/:(\d+)\s*$/.exec(l.trim())![1])).sort();
}

describe('the trace of echo-fork serving three clients at once', () => {
  it_linux(NEEDS_LINUX.proc)('accept and fork per client, each child\'s echo and exit, close(connfd), the reaps: pids and 4-tuples as ps and ss saw them', async () => {
    const file = join(dir, 'echo-fork.trace');
    const s = await serve('echo-fork', '--trace', file);
    const clients: number[] = [];
    let ports: number[] = [];
    let children: number[] = [];
    let peers: number[] = [];
    try {
      for (let k = 0; k < 3; k++) {
        const fd = bound_io(socket(AF_INET, SOCK_STREAM, 0));
        expect(connect(fd, sockaddr_of('127.0.0.1', s.port))).toBe(0);
        clients.push(fd);
      }
      for (const fd of clients) {
        const rio = new rio_t();
        Rio_readinitb(rio, fd);
        expect(echo_line(fd, rio, `hello from ${fd}\n`)).toBe(`hello from ${fd}\n`); // each child is serving
      }
      ports = clients.map((fd) => {
        const a = new sockaddr_storage();
        getsockname(fd, a);
        return sockaddr_port(a);
      }).sort();
      children = ps_children(s.pid);
      peers = ss_peers(s.port);
    } finally {
      for (const fd of clients) close(fd);
    }
    await settle(() => (read_trace(file).calls.filter((c) => c.name === 'waitpid' && Number(c.result) > 0).length >= 3), 10_000);
    await s.stop('SIGTERM');

    expect(children).toHaveLength(3);
    expect(peers).toEqual(ports);
    const { calls } = read_trace(file);
    const parent = sorted(calls.filter((c) => c.pid === s.pid));
    // The parent: accept -> fork -> close(connfd), once per client, the client's port in accept's address.
    const accepts = parent.filter((c) => c.name === 'accept' && c.result !== 'threw');
    expect(accepts.map((c) => address_arg(c, 1)?.port).sort()).toEqual(ports);
    const forked: number[] = [];
    for (const a of accepts) {
      const after = parent.slice(parent.indexOf(a) + 1);
      const fork = after.find((c) => c.name === 'fork')!;
      expect(fork, `a fork after the accept of line ${a.line}`).toBeDefined();
      const closed = after.find((c) => c.name === 'close')!;
      expect(closed.args).toBe(a.result); // the parent's close(connfd)
      expect(closed.start).toBeGreaterThan(fork.start);
      forked.push(Number(fork.result));
    }
    expect(forked.sort()).toEqual(children);
    // Each child: fork() = 0, reads the line, writes it back, reads EOF, closes, exits.
    for (const child of children) {
      const mine = sorted(calls.filter((c) => c.pid === child));
      expect(mine[0]).toMatchObject({ name: 'fork', result: '0' });
      const names = mine.map((c) => c.name);
      expect(names).toContain('read');
      expect(names).toContain('write');
      expect(names.slice(-2)).toEqual(['close', '_exit']);
      const eof = mine.filter((c) => c.name === 'read').at(-1)!;
      expect(eof.result).toBe('0');
    }
    // The reaps: a SIGCHLD handler's waitpid returned each child's pid.
    expect(parent.some((c) => c.kind === 'signal' && c.name === 'SIGCHLD')).toBe(true);
    const reaped = parent.filter((c) => c.name === 'waitpid' && Number(c.result) > 0).map((c) => Number(c.result));
    expect(reaped.sort()).toEqual(children);
  }, 60_000);
});

describe('a trace is readable to its last line', () => {
  it('a server killed (SIGKILL) in the middle of accept: every line parses, the last is the accept it was in', async () => {
    const file = join(dir, 'killed.trace');
    const s = await serve('echo-iterative', '--trace', file);
    await settle(() => / accept\(.* \.\.\.$/.test(readFileSync(file, 'utf8').trimEnd()));
    await s.stop('SIGKILL');
    const { calls } = read_trace(file); // throws on a line it cannot read
    const last = calls.at(-1)!;
    expect(last).toMatchObject({ pid: s.pid, name: 'accept' });
    expect(last.end).toBeUndefined(); // it never returned
    expect(calls.find((c) => c.name === 'listen')?.result).toBe('0');
  }, 30_000);
});

describe('bad input: one line and a non-zero exit', () => {
  const cli = cliCommand();
  it.each([
    ['run', ['run', '--trace', '/nonexistent/dir/t.trace', join(root, 'examples', 'why-not-ffi', 'syscall-lab-fork.mjs')]],
    ['serve', ['serve', 'echo-iterative', '--trace', '/nonexistent/dir/t.trace']],
    ['demo', ['demo', 'lunch', '--trace', '/nonexistent/dir/t.trace']],
  ])('%s --trace into a folder that is not there', (command, args) => {
    const r = spawnSync(cli[0], [...cli.slice(1), ...args], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(73);
    expect(r.stderr).toBe(`syscall-lab ${command}: --trace /nonexistent/dir/t.trace: cannot write it (ENOENT)\n`);
  });

  it('SYSCALL_LAB_TRACE into a folder that is not there: the program does not start', () => {
    const sys = join(root, 'dist', 'src', 'sys', 'index.js');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import ${JSON.stringify(sys)}; console.log('ran');`], {
      encoding: 'utf8', timeout: 20_000, env: { ...process.env, SYSCALL_LAB_TRACE: '/nonexistent/dir/t.trace', SYSCALL_LAB_TRACE_RUN: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('syscall-lab: SYSCALL_LAB_TRACE: cannot write /nonexistent/dir/t.trace: No such file or directory (ENOENT)\n');
  });
});

describe('what the trace leaves as it was', () => {
  it('tracing off: the sys functions are the addon\'s own, with nothing in between', () => {
    expect(process.env.SYSCALL_LAB_TRACE).toBeUndefined();
    const addon = createRequire(import.meta.url)(join(root, 'build', 'Release', 'syscall_lab.node'));
    if (process.env.SYSCALL_LAB_ADDON) return; // another build (cmake-js, ASan) is loaded instead
    // A frozen copy with fast properties (native.ts), each the addon's own function or value.
    expect(Object.isFrozen(native)).toBe(true);
    expect(Object.keys(native).sort()).toEqual(Object.keys(addon).sort());
    for (const name of Object.keys(addon)) expect((native as any)[name], name).toBe(addon[name]);
  });

  it('tracing on: errno, fd numbers and a pthread\'s calls (its thread number), as without it', () => {
    const sys = join(root, 'dist', 'src', 'sys', 'index.js');
    const script = `
      import { socket, close, errno, EBADF, AF_INET, SOCK_STREAM, pthread_create, pthread_join } from ${JSON.stringify(sys)};
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      close(-1);
      const e = errno();
      const t = pthread_create(() => { close(-2); return 0; });
      pthread_join(t, null);
      console.log(JSON.stringify({ fd, ebadf: e === EBADF }));`;
    const run = (trace?: string) => spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, SYSCALL_LAB_TRACE: trace ?? '', SYSCALL_LAB_TRACE_RUN: '' },
    });
    const file = join(dir, 'errno.trace');
    const plain = run();
    const traced = run(file);
    expect(traced.status, traced.stderr).toBe(0);
    expect(JSON.parse(traced.stdout)).toEqual(JSON.parse(plain.stdout)); // same fd, errno kept
    expect(JSON.parse(traced.stdout).ebadf).toBe(true);
    const { calls } = read_trace(file);
    expect(calls.find((c) => c.args === '-1')).toMatchObject({ name: 'close', tid: 1, result: '-1', errno: 'EBADF' });
    const inThread = calls.find((c) => c.args === '-2')!;
    expect(inThread).toMatchObject({ name: 'close', result: '-1', errno: 'EBADF' });
    expect(inThread.tid).toBeGreaterThan(1);
    expect(calls.find((c) => c.name === 'pthread_join')!.end).toBeGreaterThanOrEqual(inThread.end!);
  }, 60_000);
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
