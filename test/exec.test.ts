// The exec family for real: each case runs test/fixtures/exec.mjs with this
// Node binary, and that process becomes another program (grep, ls, sh, env,
// stty) whose output, read from the kernel (/proc/self), says what it got.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  execve, execv, execvp, execvpe, execl, execlp, execle, environ, errno, ENOENT, UnixError, system, signal, kill, getpid,
  SIGINT, SIGCHLD, SIG_DFL, waitpid, WNOHANG, usleep, socket, bind, listen, connect, close, getsockname, accept4, pipe2,
  sockaddr_of, sockaddr_storage, sizeof, fcntl, F_GETFD, F_GETFL, FD_CLOEXEC, O_NONBLOCK, O_CLOEXEC, SOCK_CLOEXEC, SOCK_NONBLOCK,
  AF_INET, SOCK_STREAM, EINVAL, WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG, pthread_create, pthread_join, cell, threads_running,
} from '../src/sys/index.js';
import { Execve } from '../src/csapp/index.js';
import { it_linux, describe_linux, NEEDS_LINUX } from './helpers.js';

const script = fileURLToPath(new URL('./fixtures/exec.mjs', import.meta.url));

function run(args: string[], input = 'data\n') {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', input, timeout: 30_000 });
  const lines = r.stdout.split('\n');
  const first = lines.findIndex((l) => l.startsWith('{"before"'));
  let before: any = null;
  try { before = JSON.parse(lines[first]).before; } catch { /* the assertions show stdout */ }
  return { ...r, before, after: lines.slice(first + 1).join('\n') };
}

// grep's report (fixtures/exec.mjs): "file:Key:\tvalue" lines.
function report(text: string) {
  const get = (re: RegExp) => text.match(re)?.[1];
  return {
    pid: Number(get(/status:Pid:\s*(\d+)/)),
    sigblk: BigInt(`0x${get(/SigBlk:\s*([0-9a-f]+)/) ?? 'ff'}`),
    sigign: BigInt(`0x${get(/SigIgn:\s*([0-9a-f]+)/) ?? 'ff'}`),
    flags: [0, 1, 2].map((fd) => parseInt(get(new RegExp(`fdinfo/${fd}:flags:\\s*([0-7]+)`)) ?? '-1', 8)),
  };
}
const bit = (sig: number) => 1n << BigInt(sig - 1);
const waitpid_any = () => waitpid(-1, null, WNOHANG);
const O_CLOEXEC_LINUX = 0o2000000;
const O_NONBLOCK_LINUX = 0o4000;

describe_linux(NEEDS_LINUX.exec_proc)('exec: the new program gets what a C program would pass on', () => {
  it('stdio: 0-2 open (Node made them close-on-exec) and blocking (libuv made stdin non-blocking); same pid; SIGPIPE back to default', () => {
    const r = run(['stdio']);
    expect(r.status, r.stderr).toBe(0);
    // What Node had done, seen before the exec.
    expect(r.before).toMatchObject({ cloexec: [1, 1, 1], nonblock: true });
    expect(r.before.initial_nonblock[0]).toBe(false); // stdin was blocking until process.stdin read
    const got = report(r.after);
    expect(got.pid).toBe(r.before.pid); // the same process, another program
    expect(got.flags.every((f) => f >= 0 && (f & O_CLOEXEC_LINUX) === 0)).toBe(true);
    // O_NONBLOCK as the process was given it (libuv's own undone); a
    // parent may hand over a non-blocking one (Node 24's spawnSync gives stderr so).
    expect(got.flags.map((f) => (f & O_NONBLOCK_LINUX) !== 0)).toEqual(r.before.initial_nonblock);
    expect(got.sigign).toBe(0n); // Node's SIGPIPE and SIGXFSZ ignore is Node's, not the program's
    expect(got.sigblk).toBe(0n);
    expect(r.after).not.toMatch(/returned/);
  });

  it('stdin is blocking for the new program even when the library was imported after process.stdin started', async () => {
    const late = fileURLToPath(new URL('./fixtures/exec-late-import.mjs', import.meta.url));
    // stdin stays open while the process runs: process.stdin is still reading when the library loads.
    const child = spawn(process.execPath, [late], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    child.stdin.end();
    expect(status, stderr).toBe(0);
    const [first, ...rest] = stdout.split('\n');
    // libuv had made fd 0 non-blocking before the import: the baseline taken then would have kept it so.
    expect(JSON.parse(first).before).toEqual({ initial: false, at_import: true });
    const flags = parseInt(rest.join('\n').match(/^flags:\s*([0-7]+)/m)?.[1] ?? '-1', 8);
    expect(flags).toBeGreaterThanOrEqual(0);
    expect(flags & O_NONBLOCK_LINUX).toBe(0);
  });

  it("the program's own choices stay: its mask, the signals it ignores (SIGPIPE included); a caught signal is reset", () => {
    const r = run(['signals']);
    expect(r.status, r.stderr).toBe(0);
    const got = report(r.after);
    expect(got.pid).toBe(r.before.pid);
    expect(got.sigblk).toBe(bit(10)); // SIGUSR1 (Linux numbers)
    expect(got.sigign).toBe(bit(2) | bit(13)); // SIGINT, SIGPIPE; not SIGUSR2, which had a handler
  });

  it("from a pthread, the program gets the main thread's mask, not the pthread's (which blocks everything)", () => {
    const r = run(['pthread']);
    expect(r.status, r.stderr).toBe(0);
    const got = report(r.after);
    expect(got.pid).toBe(r.before.pid);
    expect(got.sigblk).toBe(bit(10));
  });

  it("from a Node Worker: the same, and the kernel ends the process's other threads", () => {
    const r = run(['worker']);
    expect(r.status, r.stderr).toBe(0);
    const got = report(r.after);
    expect(got.pid).toBe(r.before.pid);
    expect(got.flags.every((f) => f >= 0 && (f & O_CLOEXEC_LINUX) === 0)).toBe(true);
    expect(got.sigign).toBe(0n);
    expect(r.after).not.toMatch(/worker ended/);
  });

  it("fds: 0-2 and a plain socket pass on; a close-on-exec socket and Node's own fds (epoll, eventfd, pipes) do not", () => {
    const r = run(['fds']);
    expect(r.status, r.stderr).toBe(0);
    const { kept, closed, made, targets, foreign } = r.before;
    expect(Object.values(targets)).toContain('anon_inode:[eventpoll]'); // Node's own, before
    const after = new Map<number, string>();
    for (const m of r.after.matchAll(/ (\d+) -> (.*)$/gm)) after.set(Number(m[1]), m[2]);
    const lsOwn = [...after].filter(([, t]) => /^\/proc\/\d+\/fd$/.test(t)).map(([fd]) => fd); // ls's open directory
    expect(lsOwn).toHaveLength(1);
    const passed = [...after.keys()].filter((fd) => !lsOwn.includes(fd)).sort((a, b) => a - b);
    expect(passed).toEqual([0, 1, 2, kept, ...foreign].sort((a, b) => a - b));
    expect(passed).not.toContain(closed);
    expect(made).toHaveLength(3);
    for (const fd of made) expect(passed).not.toContain(fd); // SOCK_CLOEXEC, pipe2's O_CLOEXEC
    expect(after.get(kept)).toBe(targets[kept]);
  });

  it('fork, then exec in the child: the parent reaps the new program with its status', () => {
    const r = run(['fork']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^child pid=(\d+)$/m);
    const pid = Number(r.stdout.match(/^child pid=(\d+)$/m)![1]);
    expect(r.before).toEqual({ pid, reaped: true, exited: true, status: 7 });
  });
});

describe_linux(NEEDS_LINUX.exec_proc)('exec: the environment', () => {
  const envOf = (which: string) => {
    const r = run(['env', which]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.before.environ_has_x).toBe(true); // process.env is environ, live
    return r.after.trim();
  };
  it('envp is the whole environment; null is an empty one; environ is process.env as it is now', () => {
    expect(envOf('envp')).toBe('A=1\nB=two words');
    expect(envOf('null')).toBe('');
    expect(envOf('environ')).toBe('X=from process.env');
    expect(envOf('execle')).toBe('ONLY=this');
  });
  it('execlp and execvpe search PATH as process.env set it', () => {
    expect(envOf('path')).toBe('hello from PATH, X=from process.env');
    expect(envOf('execvpe')).toBe('hello from PATH, X=from envp');
  });
});

describe_linux(NEEDS_LINUX.exec_proc)('exec: failures', () => {
  it('-1 with errno, and the process as it was: stdio flags, SIGPIPE ignored, stdin still read; then an exec that works', () => {
    const r = run(['failures'], 'data\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.before.errs).toEqual({ ENOENT: 'ENOENT', EACCES: 'EACCES', ENOEXEC: 'ENOEXEC', ENOTDIR: 'ENOTDIR', E2BIG: 'E2BIG', execvp: 'ENOENT' });
    expect(r.before.flags_after).toEqual(r.before.flags_before);
    expect(r.before.flags_before).toEqual({ cloexec: [1, 1, 1], nonblock: true });
    expect(r.before.epipe).toBe('EPIPE');
    expect(r.before.stdin).toBe('data\n');
    expect(r.after.trim()).toBe('from sh argzero');
  });

  it('bad arguments are TypeErrors, before anything is done', () => {
    const bad: Array<() => unknown> = [
      () => execve(1 as any, ['x'], null),
      () => execve('/bin/true', 'true' as any, null),
      () => execve('/bin/true', [1 as any], null),
      () => execve('/bin/true', ['a\0b'], null),
      () => execve('/bin\0/true', ['true'], null),
      () => execve('/bin/true', ['true'], {} as any),
      () => execve('/bin/true', ['true'], ['A=1', 2 as any]),
      () => execv('/bin/true', undefined as any),
      () => execvp('true', [null as any]),
      () => execvpe('true', ['true'], 'A=1' as any),
      () => execl('/bin/true', 'true', 3 as any, null),
      () => execlp('true', {} as any),
      () => execle('/bin/true', 'true', ['A=1']), // no null before envp
      () => execle('/bin/true', 'true', null), // no envp after the null
    ];
    for (const f of bad) expect(f).toThrow(TypeError);
    expect(() => execve('/bin/true', [1 as any], null)).toThrow(/argv\[0\] must be a string/);
    expect(() => execve('/bin/true', ['a\0b'], null)).toThrow(/NUL/);
  });

  it('in this process: a missing program is -1 with ENOENT, and the test goes on', () => {
    expect(execv('/nonexistent/program', ['program'])).toBe(-1);
    expect(errno()).toBe(ENOENT);
    expect(() => Execve('/nonexistent/program', ['program'], environ)).toThrow(UnixError);
    expect(() => Execve('/nonexistent/program', ['program'], environ)).toThrow(/execve: No such file or directory \(ENOENT\)/);
    expect(execlp('sl-surely-not-on-path', 'x', null)).toBe(-1);
    expect(errno()).toBe(ENOENT);
  });

  it('environ is a read-only, live view of the environment', () => {
    expect(Array.isArray(environ)).toBe(true);
    expect(environ.length).toBe([...environ].length);
    expect(environ.every((e) => typeof e === 'string' && e.includes('='))).toBe(true);
    process.env.SL_EXEC_TEST = 'seen';
    try {
      expect(environ.includes('SL_EXEC_TEST=seen')).toBe(true);
    } finally {
      delete process.env.SL_EXEC_TEST;
    }
    expect(environ.includes('SL_EXEC_TEST=seen')).toBe(false);
    expect(() => { (environ as string[])[0] = 'X=1'; }).toThrow(TypeError);
    expect(() => { (environ as string[]).push('X=1'); }).toThrow(TypeError);
  });
});

describe_linux(NEEDS_LINUX.exec_proc)('close-on-exec from the start: accept4, pipe2', () => {
  it('accept4 sets SOCK_CLOEXEC and SOCK_NONBLOCK on the new fd; pipe2 sets O_CLOEXEC and O_NONBLOCK on both ends; bad flags are EINVAL', () => {
    const l = socket(AF_INET, SOCK_STREAM, 0);
    const c = socket(AF_INET, SOCK_STREAM, 0);
    const p: number[] = [];
    let a = -1;
    try {
      expect(bind(l, sockaddr_of('127.0.0.1', 0))).toBe(0);
      expect(listen(l, 4)).toBe(0);
      const addr = new sockaddr_storage();
      const len = cell(sizeof.sockaddr_storage);
      expect(getsockname(l, addr, len)).toBe(0);
      expect(connect(c, addr, len.value)).toBe(0);
      expect(accept4(l, null, null, -1)).toBe(-1);
      expect(errno()).toBe(EINVAL);
      a = accept4(l, new sockaddr_storage(), cell(sizeof.sockaddr_storage), SOCK_CLOEXEC! | SOCK_NONBLOCK!); // Linux has both
      expect(a).toBeGreaterThanOrEqual(0);
      expect(fcntl(a, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(fcntl(a, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(pipe2(p, O_CLOEXEC | O_NONBLOCK)).toBe(0);
      for (const fd of p) {
        expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
        expect(fcntl(fd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      }
      expect(pipe2([], -1)).toBe(-1);
      expect(errno()).toBe(EINVAL);
      expect(() => pipe2(p, 'x' as any)).toThrow(TypeError);
      expect(() => accept4(l, null, null, undefined as any)).toThrow(TypeError);
    } finally {
      for (const fd of [l, c, a, ...p]) if (fd >= 0) close(fd);
    }
  });
});

describe('system', () => {
  it('returns the wait status of sh -c command: an exit code, a signal; system(null) says there is a shell', () => {
    const exited = system('exit 3');
    expect(WIFEXITED(exited)).toBe(true);
    expect(WEXITSTATUS(exited)).toBe(3);
    const killed = system('kill -TERM $$');
    expect(WIFSIGNALED(killed)).toBe(true);
    expect(WTERMSIG(killed)).toBe(15);
    expect(WEXITSTATUS(system('sl-no-such-command 2>/dev/null'))).toBe(127); // the shell's own "not found"
    expect(system(null)).toBe(1);
  });

  it('the caller ignores SIGINT while the command runs (a Ctrl-C is the command\'s), and has its handler back after', () => {
    let ints = 0;
    signal(SIGINT, () => { ints++; });
    try {
      expect(WEXITSTATUS(system('kill -INT $PPID; sleep 0.1; exit 0'))).toBe(0);
      expect(ints).toBe(0);
      kill(getpid(), SIGINT);
      expect(ints).toBe(1);
    } finally {
      signal(SIGINT, SIG_DFL);
    }
  });

  it('SIGCHLD is blocked meanwhile: the shell\'s runs the handler once system has returned, and finds it reaped', () => {
    const seen: number[] = [];
    signal(SIGCHLD, () => { seen.push(waitpid_any()); });
    try {
      expect(WEXITSTATUS(system('exit 0'))).toBe(0);
      // The kernel may have handed the SIGCHLD to another thread, which
      // sends it on to the main one: a moment, bounded.
      for (let i = 0; i < 100 && seen.length === 0; i++) usleep(1000);
      expect(seen).toEqual([-1]); // the handler ran; system had reaped its shell (ECHILD)
    } finally {
      signal(SIGCHLD, SIG_DFL);
    }
  });

  it('from a pthread too', () => {
    const t = pthread_create(() => WEXITSTATUS(system('exit 5')));
    const r = cell<unknown>(null);
    expect(pthread_join(t, r)).toBe(0);
    expect(r.value).toBe(5);
    expect(threads_running()).toBe(0);
  });

  it('bad input is a TypeError', () => {
    expect(() => system(42 as any)).toThrow(TypeError);
    expect(() => system('echo a\0b')).toThrow(/NUL/);
  });

  it_linux(NEEDS_LINUX.exec_proc)('the shell shares stdio, open and blocking, in order with our output; SIGPIPE at its default; ours as it was after', () => {
    const r = run(['system']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.before).toMatchObject({ nonblock: true });
    expect(r.before.initial_nonblock[0]).toBe(false);
    const lines = r.after.trim().split('\n');
    expect(lines[0]).toBe('from the shell');
    const sigign = BigInt(`0x${lines[1].match(/SigIgn:\s*([0-9a-f]+)/)![1]}`);
    expect(sigign & bit(13)).toBe(0n); // SIGPIPE (glibc's own posix_spawn leaves its signals 32 and 33 ignored, as in C's system)
    expect(sigign & bit(2)).toBe(0n); // nor SIGINT, which only the caller ignores
    // O_NONBLOCK as this process was given it (libuv's on stdin undone for the shell).
    const nonblock = [0, 1, 2].map((fd) => (parseInt(lines[2 + fd].match(/flags:\s*([0-7]+)/)![1], 8) & O_NONBLOCK_LINUX) !== 0);
    expect(nonblock).toEqual(r.before.initial_nonblock);
    expect(JSON.parse(lines[5])).toEqual({ status: 4, nonblock: true, cloexec: [1, 1, 1] });
  });
});

// Under script(1), which gives the fixture a terminal of its own.
const has_script = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe_linux(NEEDS_LINUX.script).skipIf(!has_script)('exec: a terminal in raw mode', () => {
  it('stays raw, as after tcsetattr in C: setRawMode is the program\'s choice; the fds are open and blocking all the same', () => {
    const r = spawnSync('script', ['-qc', `${JSON.stringify(process.execPath)} ${JSON.stringify(script)} tty`, '/dev/null'], {
      encoding: 'utf8', timeout: 30_000, input: '',
    });
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout.replace(/\r/g, '');
    const line = text.split('\n').find((l) => l.startsWith('{"before"'));
    expect(JSON.parse(line!).before).toEqual({ r: -1, errno: 'ENOENT', nonblock: true }); // libuv reads it non-blocking
    const after = text.slice(text.indexOf(line!) + line!.length);
    expect(after).toMatch(/(^|\s)-icanon(\s|$)/m);
    expect(after).toMatch(/(^|\s)-echo(\s|$)/m);
    const flags = parseInt(after.match(/flags:\s*([0-7]+)/)![1], 8);
    expect(flags & O_NONBLOCK_LINUX).toBe(0); // undone for the new program
  });
});
