// The course servers run by the CLI as real processes, driven by the
// project's clients and by Python's socket module, stopped by pid.
import { describe, expect, it } from 'vitest';
import { Open_clientfd, Rio_writen, rio_t, Rio_readinitb, Rio_readlineb, Close } from '../src/csapp/index.js';
import { close, read, errno, EAGAIN } from '../src/sys/index.js';
import { run_cli, run_cli_async, python, python_available, fd_count, bound_io, has_ipv6, server_tracker, echo_line, it_linux, NEEDS_LINUX } from './helpers.js';

const start = server_tracker();

const bytes = (s: string) => new TextEncoder().encode(s);


describe('the daytime server', () => {
  it('sends the date as text and closes; the daytime client prints it', async () => {
    const s = await start('daytime');
    expect(s.host).toBe('127.0.0.1');
    const r = run_cli(['client', 'daytime', s.host, String(s.port)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
    expect(new Date(r.stdout.slice(4, 24)).getFullYear()).toBe(new Date().getFullYear());
  });

  it('serves Python socket clients, and prints each peer address and port', async () => {
    if (!python_available()) return expect.soft(python_available(), 'python3 is needed for this test').toBe(true);
    const s = await start('daytime');
    const r = python(`import socket
for i in range(2):
    c = socket.create_connection(('127.0.0.1', ${s.port}), timeout=5)
    data = b''
    while True:
        d = c.recv(100)
        if not d: break
        data += d
    print(c.getsockname()[1], data.decode().strip())
    c.close()`);
    expect(r.status).toBe(0);
    const ports = r.stdout.trim().split('\n').map((l) => l.split(' ')[0]);
    expect(ports).toHaveLength(2);
    await new Promise((res) => setTimeout(res, 100));
    for (const p of ports) expect(s.output).toContain(`Connected to (127.0.0.1, ${p})`);
  });

  it('with --sleep, a second client waits for the first', async () => {
    const s = await start('daytime', '--sleep', '1');
    const [a, b] = await Promise.all([
      run_cli_async(['client', 'daytime', s.host, String(s.port)]),
      new Promise((r) => setTimeout(r, 100)).then(() => run_cli_async(['client', 'daytime', s.host, String(s.port)])),
    ]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.ms).toBeGreaterThan(900);
    expect(b.ms).toBeGreaterThan(1700); // its own second, after the first client's
  });
});

describe('the iterative echo server', () => {
  it('echoes the echo client line by line', async () => {
    const s = await start('echo-iterative');
    const r = run_cli(['client', 'echo', s.host, String(s.port)], 'hello\nworld\n\nlast line\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello\nworld\n\nlast line\n');
    await new Promise((res) => setTimeout(res, 100));
    expect(s.output).toContain('server received 6 bytes');
  });

  it('echoes for Python (a client we did not write), lines of any length', async () => {
    if (!python_available()) return expect.soft(python_available(), 'python3 is needed for this test').toBe(true);
    const s = await start('echo-iterative');
    const r = python(`import socket
c = socket.create_connection(('127.0.0.1', ${s.port}), timeout=5)
f = c.makefile('rwb')
for line in [b'a\\n', b'x' * 20000 + b'\\n', b'end\\n']:
    f.write(line); f.flush()
    assert f.readline() == line
c.close()
print('ok')`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  it('two clients at once: the second is served after the first leaves', async () => {
    const s = await start('echo-iterative');
    const a = bound_io(Open_clientfd(s.host, s.port));
    const b = bound_io(Open_clientfd(s.host, s.port), 300);
    try {
      const ra = new rio_t();
      Rio_readinitb(ra, a);
      expect(echo_line(a, ra, 'A1\n')).toBe('A1\n');
      Rio_writen(b, bytes('B1\n'), 3);
      // B is connected (the kernel completed the handshake) but not served.
      expect(read(b, new Uint8Array(8), 8)).toBe(-1);
      expect(errno()).toBe(EAGAIN);
      expect(echo_line(a, ra, 'A2\n')).toBe('A2\n');
      Close(a);
      bound_io(b, 5000);
      const rb = new rio_t();
      Rio_readinitb(rb, b);
      const buf = new Uint8Array(8);
      expect(Rio_readlineb(rb, buf, 8)).toBe(3); // served now
    } finally {
      close(a);
      close(b);
    }
  });

  it.skipIf(!has_ipv6())('over IPv6 on ::1', async () => {
    const s = await start('echo-iterative', '--host', '::1');
    expect(s.host).toBe('::1');
    const r = run_cli(['client', 'echo', '::1', String(s.port)], 'six\n');
    expect(r.stdout).toBe('six\n');
  });

  it_linux(NEEDS_LINUX.proc)('leaks no fd over 1000 connections', async () => {
    const s = await start('echo-iterative', '--quiet');
    const before = fd_count(s.pid);
    for (let i = 0; i < 1000; i++) {
      const fd = bound_io(Open_clientfd(s.host, s.port));
      const rio = new rio_t();
      Rio_readinitb(rio, fd);
      expect(echo_line(fd, rio, `line ${i}\n`)).toBe(`line ${i}\n`);
      Close(fd);
    }
    await new Promise((res) => setTimeout(res, 200));
    expect(fd_count(s.pid)).toBe(before);
  });
});

describe('the daytime server leaks no fd either', () => {
  it_linux(NEEDS_LINUX.proc)('over 1000 connections', async () => {
    const s = await start('daytime', '--quiet');
    const before = fd_count(s.pid);
    const buf = new Uint8Array(64);
    for (let i = 0; i < 1000; i++) {
      const fd = bound_io(Open_clientfd(s.host, s.port));
      let n;
      while ((n = read(fd, buf, 64)) > 0);
      expect(n).toBe(0);
      Close(fd);
    }
    await new Promise((res) => setTimeout(res, 200));
    expect(fd_count(s.pid)).toBe(before);
  });
});

describe('stopping', () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} while blocked in accept: exits 0 promptly`, async () => {
      const s = await start('echo-iterative');
      const t0 = performance.now();
      const r = await s.stop(sig);
      expect(r).toEqual({ code: 0, signal: null });
      expect(performance.now() - t0).toBeLessThan(2000);
    });
  }

  it('SIGTERM while blocked in a client read: exits 0 and the client sees EOF', async () => {
    const s = await start('echo-iterative');
    const fd = bound_io(Open_clientfd(s.host, s.port));
    try {
      const rio = new rio_t();
      Rio_readinitb(rio, fd);
      expect(echo_line(fd, rio, 'x\n')).toBe('x\n');
      expect(await s.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(read(fd, new Uint8Array(4), 4)).toBe(0);
    } finally {
      close(fd);
    }
  });
});
