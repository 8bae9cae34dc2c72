// The servers by events, run by the CLI as real processes: CSAPP's select
// pool server (with its weakness), the hardened one, the epoll one; 1000 idle
// connections beside active clients; the FD_SETSIZE wall; server5 with three
// client3 processes; the keyboard program on a pipe and on a terminal; the
// select-dos demo.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliCommand, packageRoot } from '../src/launch.js';
import { Open_clientfd, Rio_writen, rio_t, Rio_readinitb } from '../src/csapp/index.js';
import { close, read, write, errno, EAGAIN, shutdown, SHUT_WR, FD_SETSIZE } from '../src/sys/index.js';
import { run_cli, run_cli_async, python, python_available, fd_count, bound_io, linux, server_tracker, echo_line } from './helpers.js';

const start = server_tracker();

const bytes = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EVENT_SERVERS = linux ? ['echo-select', 'echo-select-hardened', 'echo-epoll'] : ['echo-select', 'echo-select-hardened'];
const loadgen = join(packageRoot(), 'benchmarks', 'bin', 'loadgen');


/** Reads what comes within ms (SO_RCVTIMEO-bounded reads): the text, or null if nothing came. */
function read_within(fd: number, want: number, ms: number): string | null {
  bound_io(fd, 100);
  const buf = new Uint8Array(Math.max(want, 1));
  let got = 0;
  const t0 = performance.now();
  while (got < want && performance.now() - t0 < ms) {
    const n = read(fd, buf.subarray(got), want - got);
    if (n > 0) got += n;
    else if (n === 0) break;
    else expect(errno()).toBe(EAGAIN);
  }
  return got ? new TextDecoder().decode(buf.subarray(0, got)) : null;
}

/** Runs the C load generator (bounded), sampling the server's fd count meanwhile. */
function run_loadgen(args: string[], pid: number): Promise<{ status: number | null; result: any; stderr: string; max_fds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(loadgen, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '', stderr = '', max_fds = 0;
    const sampler = setInterval(() => { try { max_fds = Math.max(max_fds, fd_count(pid)); } catch { /* gone */ } }, 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (status) => {
      clearInterval(sampler);
      let result: any = null;
      try { result = JSON.parse(stdout.trim().split('\n').pop() ?? ''); } catch { /* reported below */ }
      resolve({ status, result, stderr, max_fds });
    });
  });
}

/** Waits until the server's fd count is back to `base` (bounded). */
async function fds_back_to(pid: number, base: number, ms = 5000): Promise<number> {
  let n = fd_count(pid);
  for (const t0 = performance.now(); n !== base && performance.now() - t0 < ms; n = fd_count(pid)) await sleep(50);
  return n;
}

describe.each(EVENT_SERVERS)('%s', (name) => {
  it('echoes line by line to the echo client and to Python clients, and says what it received', async () => {
    const s = await start(name);
    const r = run_cli(['client', 'echo', s.host, String(s.port)], 'hello\nworld\n\nlast line\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello\nworld\n\nlast line\n');
    if (python_available()) {
      const py = python(`import socket
cs = [socket.create_connection(('127.0.0.1', ${s.port}), timeout=5) for i in range(5)]
for round in range(3):
    for i, c in enumerate(cs): c.sendall(f'client {i} round {round}\\n'.encode())
    for i, c in enumerate(cs):
        f = b''
        while not f.endswith(b'\\n'): f += c.recv(100)
        assert f == f'client {i} round {round}\\n'.encode(), f
for c in cs: c.close()
print('ok')`);
      expect(py.stdout.trim()).toBe('ok');
    }
    await sleep(100);
    expect(s.output[0]).toMatch(/^Server received 6 \(6 total\) bytes on fd \d+$/);
    expect(s.output.some((l) => /^Server received 10 \(\d+ total\) bytes on fd \d+$/.test(l))).toBe(true);
  });

  it('stops cleanly on SIGTERM and SIGINT with clients connected, exit 0', async () => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const s = await start(name);
      const c1 = Open_clientfd(s.host, String(s.port));
      const c2 = Open_clientfd(s.host, String(s.port));
      Rio_writen(c2, bytes('half'), 4); // the book's server is blocked on this one
      await sleep(100);
      expect(await s.stop(sig)).toEqual({ code: 0, signal: null });
      close(c1);
      close(c2);
    }
  });

  it('1000 idle connections and active clients: the active ones are served, nothing leaks', async () => {
    expect(existsSync(loadgen), 'benchmarks/bin/loadgen (npm run build:bench)').toBe(true);
    const s = await start(name, '--quiet');
    await sleep(100);
    const base = fd_count(s.pid);
    // select watches fds below FD_SETSIZE only, and the server process holds
    // some itself (about 20 on Node 20, 23 on Node 24): 1000 idle + 3 active
    // fit on Node 20, a few fewer idle on Node 24. epoll has no such limit.
    // New fds take the lowest free numbers: the room is what is free below FD_SETSIZE.
    const below = readdirSync(`/proc/${s.pid}/fd`).map(Number).filter((fd) => fd < FD_SETSIZE).length;
    const idle = name === 'echo-epoll' ? 1000 : Math.min(1000, FD_SETSIZE - below - 3);
    expect(idle).toBeGreaterThan(990);
    const r = await run_loadgen(['pingpong', '--host', s.host, '--port', String(s.port), '--conns', '3', '--rounds', '3000',
      '--len', '32', '--idle', String(idle), '--timeout', '40'], s.pid);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.result).toMatchObject({ requests: 9000, errors: 0, timeout: false });
    expect(r.max_fds).toBeGreaterThanOrEqual(base + idle); // the server really held the idle ones
    expect(await fds_back_to(s.pid, base)).toBe(base);     // and closed every one
    // Still serving after that.
    const c = Open_clientfd(s.host, String(s.port));
    bound_io(c);
    const rio = new rio_t();
    Rio_readinitb(rio, c);
    expect(echo_line(c, rio, 'still here\n')).toBe('still here\n');
    close(c);
  });
});

describe.each(linux ? ['echo-select-hardened', 'echo-epoll'] : ['echo-select-hardened'])('%s, against clients that misbehave', (name) => {
  it('a client that never reads its echo does not stall the others; its echo is all there in the end', async () => {
    const s = await start(name, '--quiet');
    const hog = Open_clientfd(s.host, String(s.port));
    bound_io(hog, 2000);
    const chunk = bytes(`${'x'.repeat(1023)}\n`.repeat(64)); // 64 KiB of lines
    let sent = 0;
    // Write without reading until the kernel buffers on both sides are full (a write times out).
    for (let i = 0; i < 64; i++) {
      const n = write(hog, chunk, chunk.length);
      if (n > 0) sent += n;
      if (n < chunk.length) break; // the write timed out: the buffers are full
    }
    expect(sent).toBeGreaterThan(64 * 1024);
    const c = Open_clientfd(s.host, String(s.port));
    bound_io(c);
    const rio = new rio_t();
    Rio_readinitb(rio, c);
    const t0 = performance.now();
    expect(echo_line(c, rio, 'are you there?\n')).toBe('are you there?\n');
    expect(performance.now() - t0).toBeLessThan(1000);
    // Now the hog reads: every byte it sent comes back.
    shutdown(hog, SHUT_WR);
    const buf = new Uint8Array(65536);
    let back = 0;
    for (let n; (n = read(hog, buf, buf.length)) > 0;) back += n;
    expect(back).toBe(sent);
    close(hog);
    close(c);
  });

  it('a line longer than the buffer comes back whole; a last line without newline comes back at EOF', async () => {
    const s = await start(name, '--quiet');
    const c = Open_clientfd(s.host, String(s.port));
    bound_io(c);
    const long = `${'abcdefghij'.repeat(3000)}\n`;
    Rio_writen(c, bytes(long), long.length);
    Rio_writen(c, bytes('tail'), 4);
    shutdown(c, SHUT_WR);
    const buf = new Uint8Array(65536);
    let got = '';
    for (let n; (n = read(c, buf, buf.length)) > 0;) got += new TextDecoder().decode(buf.subarray(0, n));
    expect(got).toBe(`${long}tail`);
    close(c);
  });
});

describe('the half-line client (denial of service)', () => {
  it('stalls the book\'s select server for everyone until it finishes its line; not the hardened one nor epoll', async () => {
    for (const name of EVENT_SERVERS) {
      const s = await start(name, '--quiet');
      const a = Open_clientfd(s.host, String(s.port));
      Rio_writen(a, bytes('half a li'), 9);
      await sleep(200);
      const b = Open_clientfd(s.host, String(s.port));
      Rio_writen(b, bytes('hello from B\n'), 13);
      const echo = read_within(b, 13, 1500);
      if (name === 'echo-select') {
        expect(echo, 'the book\'s server is blocked in rio_readlineb on A').toBeNull();
        Rio_writen(a, bytes('ne\n'), 3);
        expect(read_within(b, 13, 3000)).toBe('hello from B\n');
        expect(read_within(a, 12, 3000)).toBe('half a line\n');
      } else {
        expect(echo).toBe('hello from B\n');
      }
      close(a);
      close(b);
    }
  });

  it('the select-dos demo shows it', async () => {
    const r = await run_cli_async(['demo', 'select-dos', '--stall', '2'], undefined, 40_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/echo-select \(pid \d+\)[\s\S]*client B: no echo: stalled for > 2 s[\s\S]*after A finished its line/);
    expect(r.stdout).toMatch(/echo-select-hardened \(pid \d+\)[\s\S]*client B: echo "hello from B\\n" after [\d.]+ ms: served/);
  });
});

describe('the FD_SETSIZE wall', () => {
  it('the select servers refuse an fd >= FD_SETSIZE with a message and keep serving; epoll has no wall', async () => {
    if (!python_available()) return expect.soft(python_available(), 'python3 is needed for this test').toBe(true);
    for (const name of EVENT_SERVERS) {
      const s = await start(name, '--quiet');
      let stderr = '';
      s.child.stderr!.on('data', (d) => (stderr += d));
      const base = fd_count(s.pid);
      const count = FD_SETSIZE - base + 10; // 10 more than the select servers can watch
      const py = python(`import socket, resource, select, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
cs = []
for i in range(${count}):
    cs.append(socket.create_connection(('127.0.0.1', ${s.port}), timeout=5))
# Connections the server closed read as EOF.
time.sleep(1.0)
closed = 0
for c in cs:
    c.setblocking(False)
    try:
        if c.recv(1) == b'': closed += 1
    except BlockingIOError:
        pass
    except ConnectionResetError:
        closed += 1
for c in cs: c.close()
print(closed)`, 30_000);
      expect(py.stderr).toBe('');
      await sleep(200); // python() ran synchronously: let the server's stderr reach us
      const closed = Number(py.stdout.trim());
      if (name === 'echo-epoll') {
        expect(closed).toBe(0);
      } else {
        expect(closed).toBeGreaterThanOrEqual(9);
        expect(closed).toBeLessThanOrEqual(12);
        expect(stderr).toContain(`add_client error: fd ${FD_SETSIZE} >= FD_SETSIZE (${FD_SETSIZE}), select cannot watch it: closed`);
      }
      expect(await fds_back_to(s.pid, base)).toBe(base);
      const r = run_cli(['client', 'echo', s.host, String(s.port)], 'after the wall\n');
      expect(r.stdout).toBe('after the wall\n');
      await s.stop();
    }
  });
});

describe('server5 and client3 (Beginning Linux Programming)', () => {
  it('three client3 processes each get "char from server = B"; the server adds, serves and removes each', async () => {
    const s = await start('server5', '--sleep', '1');
    const t0 = performance.now();
    const clients = await Promise.all([0, 1, 2].map(() => run_cli_async(['client', 'client3', s.host, String(s.port)])));
    const elapsed = performance.now() - t0;
    for (const c of clients) {
      expect(c.status).toBe(0);
      expect(c.stdout).toBe('char from server = B\n');
    }
    expect(elapsed).toBeGreaterThan(2500); // one second per client, one at a time
    await sleep(300);
    const out = s.output;
    expect(out[0]).toBe('server waiting');
    // Each client's fd goes adding -> serving -> removing (a later client may reuse a removed fd).
    const state = new Map<number, string>();
    const count = { adding: 0, serving: 0, removing: 0 };
    for (const line of out) {
      const m = /^(adding|serving|removing) client on fd (\d+)$/.exec(line);
      if (!m) continue;
      const [what, fd] = [m[1] as keyof typeof count, Number(m[2])];
      count[what]++;
      const before = state.get(fd);
      if (what === 'adding') expect(before).toBeUndefined();
      if (what === 'serving') expect(before).toBe('adding');
      if (what === 'removing') expect(before).toBe('serving');
      if (what === 'removing') state.delete(fd);
      else state.set(fd, what);
    }
    expect(count).toEqual({ adding: 3, serving: 3, removing: 3 });
    expect(state.size).toBe(0);
    expect(out.filter((l) => l === 'server waiting').length).toBeGreaterThanOrEqual(6);
    expect(out.every((l) => /^(server waiting|(adding|serving|removing) client on fd \d+)$/.test(l))).toBe(true);
  });

  it('client3 against nothing: perror and exit 1', () => {
    const r = run_cli(['client', 'client3', '127.0.0.1', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^oops: client3: Connection refused\n$/);
  });
});

describe('the keyboard program', () => {
  it('on a pipe: timeout, read N from keyboard, keyboard done at EOF', async () => {
    const [node, cli] = cliCommand();
    const child = spawn(node, [cli, 'demo', 'keyboard'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const done = new Promise<number | null>((r) => child.on('exit', r));
    // One timeout first: 2.5 s after the program's start, which a loaded
    // machine can delay by seconds (Node's own start-up), so wait for it.
    for (const until = Date.now() + 10_000; !out.includes('timeout\n') && Date.now() < until;) await sleep(50);
    child.stdin.write('hello\n');
    await sleep(400);
    child.stdin.write('SIF-1015\n');
    await sleep(400);
    child.stdin.end();
    expect(await done).toBe(0);
    expect(out).toBe('timeout\nread 6 from keyboard: hello\nread 9 from keyboard: SIF-1015\nkeyboard done\n');
  });

  it('on a terminal (a pseudo-terminal from Python\'s pty module): lines as typed, ^D ends it', () => {
    if (!python_available()) return expect.soft(python_available(), 'python3 is needed for this test').toBe(true);
    const [node, cli] = cliCommand();
    const r = python(`import os, pty, sys, time, select, signal, json
pid, fd = pty.fork()
if pid == 0:
    os.execv(${JSON.stringify(node)}, [${JSON.stringify(node)}, ${JSON.stringify(cli)}, 'demo', 'keyboard'])
out = b''
def drain(secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r: break
        try: d = os.read(fd, 4096)
        except OSError: return
        if not d: return
        out += d
end = time.time() + 10  # one timeout first, however long Node takes to start
while b'timeout' not in out and time.time() < end:
    drain(0.2)
os.write(fd, b'hello\\n')
drain(0.5)
os.write(fd, b'SIF-1015\\n')
drain(0.5)
os.write(fd, b'\\x04')
drain(2.0)
status = None
for i in range(100):
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = os.waitstatus_to_exitcode(st)
        break
    time.sleep(0.05)
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps(out.decode()))
print(status)`, 20_000);
    expect(r.stderr).toBe('');
    const [text, status] = r.stdout.trim().split('\n');
    expect(status).toBe('0');
    // The terminal echoes what is typed (hello\r\n), then the program's lines (\n made \r\n by the tty).
    const lines = (JSON.parse(text) as string).split('\r\n').filter((l: string) => l !== '');
    expect(lines).toEqual(['timeout', 'hello', 'read 6 from keyboard: hello', 'SIF-1015', 'read 9 from keyboard: SIF-1015', 'keyboard done']);
  });
});
