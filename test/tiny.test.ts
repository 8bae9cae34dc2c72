// Tiny (CSAPP's tiny.c) run by the CLI as a real process, driven by clients
// the project did not write: Python's http.client and raw sockets, and curl
// when the machine has it. Each test starts its own server on a root of its
// own and stops it by pid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/launch.js';
import { fd_count, python, python_available, run_cli, server_tracker, settle } from './helpers.js';

const start = server_tracker();
const shipped = join(packageRoot(), 'examples', 'tiny');

let base = '';
let root = '';

// A root like the book's: home.html, a GIF, cgi-bin/adder, and what the error
// cases need. The "binary" file holds every byte value (0, '\r', '\n'
// included) and spans several pages.
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tiny-test-'));
  root = join(base, 'www');
  mkdirSync(join(root, 'cgi-bin'), { recursive: true });
  mkdirSync(join(root, 'sub'));
  copyFileSync(join(shipped, 'home.html'), join(root, 'home.html'));
  copyFileSync(join(shipped, 'godzilla.gif'), join(root, 'godzilla.gif'));
  copyFileSync(join(shipped, 'cgi-bin', 'adder'), join(root, 'cgi-bin', 'adder'));
  chmodSync(join(root, 'cgi-bin', 'adder'), 0o755);
  writeFileSync(join(root, 'notes.txt'), 'line one\r\nline two, with UTF-8: héllo ✓\nno newline at the end');
  const binary = Buffer.alloc(3 * 4096 + 123);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7 + (i >> 8)) & 0xff;
  writeFileSync(join(root, 'bytes.png'), binary);
  writeFileSync(join(root, 'big.gif'), Buffer.alloc(8 << 20, 0x5a));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'sub', 'home.html'), '<p>sub</p>\n');
  writeFileSync(join(root, 'secret.html'), 'nobody may read this\n');
  chmodSync(join(root, 'secret.html'), 0o000);
  writeFileSync(join(root, 'cgi-bin', 'noexec'), '#!/bin/sh\necho should not run\n');
  chmodSync(join(root, 'cgi-bin', 'noexec'), 0o644);
  writeFileSync(join(root, 'cgi-bin', 'env'), '#!/bin/sh\nprintf "Content-type: text/plain\\r\\n\\r\\n"\necho "QUERY_STRING=$QUERY_STRING"\necho "cwd=$(pwd)"\n');
  chmodSync(join(root, 'cgi-bin', 'env'), 0o755);
  writeFileSync(join(base, 'outside.txt'), 'above the root\n');
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

interface Reply {
  status: number;
  reason: string;
  version: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Request = [method: string, path: string, body?: string];

/** Requests by Python's http.client (what a browser library does), a connection each, in one bounded run. */
function http_requests(port: number, requests: Request[]): Reply[] {
  const r = python(`import http.client, json, base64
out = []
for method, path, body in json.loads(${JSON.stringify(JSON.stringify(requests.map(([m, p, b]) => [m, p, b ?? null])))}):
    c = http.client.HTTPConnection('127.0.0.1', ${port}, timeout=10)
    c.request(method, path, body=body)
    r = c.getresponse()
    data = r.read()
    c.close()
    out.append({'status': r.status, 'reason': r.reason, 'version': r.version,
                'headers': dict((k.lower(), v) for k, v in r.getheaders()),
                'body': base64.b64encode(data).decode()})
print(json.dumps(out))`, 20_000);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as (Reply & { body: string })[]).map((j) => ({ ...j, body: Buffer.from(j.body, 'base64') }));
}

function http_request(port: number, method: string, path: string, body?: string): Reply {
  return http_requests(port, [[method, path, body]])[0];
}

/** The bytes of a raw exchange: pieces sent with pauses (TCP_NODELAY: each its own segment), all read until EOF. */
function raw_exchange(port: number, pieces: string[], pauseMs = 150): Buffer {
  const r = python(`import socket, time, base64, json
c = socket.create_connection(('127.0.0.1', ${port}), timeout=10)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for piece in json.loads(${JSON.stringify(JSON.stringify(pieces))}):
    c.sendall(piece.encode())
    time.sleep(${pauseMs / 1000})
data = b''
while True:
    d = c.recv(65536)
    if not d: break
    data += d
print(base64.b64encode(data).decode())`, 15_000);
  expect(r.status, r.stderr).toBe(0);
  return Buffer.from(r.stdout.trim(), 'base64');
}

/** The children of pid that are zombies (state Z), from /proc. */
function zombie_children(pid: number): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid && fields[0] === 'Z') zombies.push(Number(entry));
  }
  return zombies;
}

const py = python_available();

describe.skipIf(!py)('Tiny serves static files', () => {
  it('a text file and a binary file, byte for byte, with Content-type and Content-length', async () => {
    const s = await start('tiny', '--root', root);
    const cases = [
      ['/home.html', 'home.html', 'text/html'],
      ['/notes.txt', 'notes.txt', 'text/plain'],
      ['/godzilla.gif', 'godzilla.gif', 'image/gif'],
      ['/bytes.png', 'bytes.png', 'image/png'],
      ['/sub/', join('sub', 'home.html'), 'text/html'], // a URI ending in '/' is its home.html
    ];
    const replies = http_requests(s.port, cases.map(([path]) => ['GET', path]));
    for (const [i, [path, file, type]] of cases.entries()) {
      const r = replies[i];
      const want = readFileSync(join(root, file));
      expect(r.status, path).toBe(200);
      expect(r.version).toBe(10); // HTTP/1.0, as the book answers
      expect(r.headers['content-type'], path).toBe(type);
      expect(r.headers['content-length'], path).toBe(String(want.length));
      expect(r.headers['server']).toBe('Tiny Web Server');
      expect(r.body.equals(want), path).toBe(true);
    }
    await settle(() => s.output.some((l) => l.startsWith('GET /bytes.png HTTP/1.1')));
    expect(s.output).toContain('GET /bytes.png HTTP/1.1'); // it prints what it reads, as the book's
    expect(s.output.some((l) => /^Accepted connection from \(127\.0\.0\.1, \d+\)$/.test(l))).toBe(true);
  });

  it('an empty file: Content-length 0 (the book would mmap 0 bytes and exit)', async () => {
    const s = await start('tiny', '--root', root);
    const [r, next] = http_requests(s.port, [['GET', '/empty.txt'], ['GET', '/home.html']]);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('0');
    expect(r.body.length).toBe(0);
    expect(next.status).toBe(200); // still serving
  });

  it('curl gets the binary file byte-identical', async () => {
    if (spawnSync('curl', ['--version'], { timeout: 5000 }).status !== 0) return;
    const s = await start('tiny', '--root', root);
    const r = spawnSync('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${s.port}/bytes.png`], { timeout: 15_000 });
    expect(r.status, String(r.stderr)).toBe(0);
    expect(Buffer.from(r.stdout).equals(readFileSync(join(root, 'bytes.png')))).toBe(true);
  });

  it('a request line split across several writes', async () => {
    const s = await start('tiny', '--root', root);
    const data = raw_exchange(s.port, ['GE', 'T /note', 's.txt HT', 'TP/1.0\r', '\nHost: x\r\n', '\r\n']);
    const split = data.indexOf('\r\n\r\n');
    expect(data.subarray(0, split).toString()).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(data.subarray(split + 4).equals(readFileSync(join(root, 'notes.txt')))).toBe(true);
    await settle(() => s.output.includes('GET /notes.txt HTTP/1.0'));
    expect(s.output).toContain('GET /notes.txt HTTP/1.0'); // one line, read in pieces
  });
});

describe.skipIf(!py)('Tiny runs CGI programs', () => {
  it('the adder: /cgi-bin/adder?15000&213, through fork, dup2 and execve; the child is reaped', async () => {
    const s = await start('tiny', '--root', root);
    const r = http_request(s.port, 'GET', '/cgi-bin/adder?15000&213');
    expect(r.status).toBe(200);
    expect(r.headers['server']).toBe('Tiny Web Server'); // Tiny's part of the headers
    expect(r.headers['content-type']).toBe('text/html'); // the adder's part
    expect(r.headers['content-length']).toBe(String(r.body.length));
    expect(r.body.toString()).toBe('Welcome to add.com: THE Internet addition portal.\r\n<p>' +
      'The answer is: 15000 + 213 = 15213\r\n<p>Thanks for visiting!\r\n');
    await settle(() => zombie_children(s.pid).length === 0); // the client may finish first (Content-length)
    expect(zombie_children(s.pid)).toEqual([]); // Wait reaped it
  });

  it('QUERY_STRING is in the environment; the program runs in the root', async () => {
    const s = await start('tiny', '--root', root);
    const [r, none] = http_requests(s.port, [['GET', '/cgi-bin/env?a=1&b=two'], ['GET', '/cgi-bin/env']]);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(`QUERY_STRING=a=1&b=two\ncwd=${root}\n`);
    expect(none.body.toString()).toMatch(/^QUERY_STRING=\n/); // set to "", as the book's parse_uri
  });

  it('a CGI program without its execute bit: 403, and it does not run', async () => {
    const s = await start('tiny', '--root', root);
    const r = http_request(s.port, 'GET', '/cgi-bin/noexec?1&2');
    expect(r.status).toBe(403);
    expect(r.reason).toBe('Forbidden');
    expect(r.body.toString()).toContain("Tiny couldn't run the CGI program");
    expect(r.body.toString()).not.toContain('should not run');
  });
});

describe.skipIf(!py)('Tiny answers errors as the book does', () => {
  it('404 for a file that is not there', async () => {
    const s = await start('tiny', '--root', root);
    const paths = ['/nothere.html', '/cgi-bin/nothere?1&2'];
    for (const [i, r] of http_requests(s.port, paths.map((p) => ['GET', p])).entries()) {
      const path = paths[i];
      expect(r.status, path).toBe(404);
      expect(r.reason).toBe('Not found');
      expect(r.headers['content-type']).toBe('text/html');
      expect(r.body.toString()).toContain("Tiny couldn't find this file");
    }
  });

  it('403 for a file without its read bit (mode 000: even root, who could read it, gets 403) and for a directory', async () => {
    const s = await start('tiny', '--root', root);
    const paths = ['/secret.html', '/sub'];
    for (const [i, r] of http_requests(s.port, paths.map((p) => ['GET', p])).entries()) {
      const path = paths[i];
      expect(r.status, path).toBe(403);
      expect(r.reason).toBe('Forbidden');
      expect(r.body.toString()).toContain("Tiny couldn't read the file");
      expect(r.body.toString()).not.toContain('nobody may read this');
    }
  });

  it('501 for a method it does not implement (POST with a body, DELETE, PUT)', async () => {
    const s = await start('tiny', '--root', root);
    const requests: Request[] = [['POST', '/home.html', 'a=1&b=2'], ['DELETE', '/home.html'], ['PUT', '/home.html', 'x'.repeat(20_000)], ['GET', '/home.html']];
    const replies = http_requests(s.port, requests);
    for (const [i, r] of replies.slice(0, 3).entries()) {
      const method = requests[i][0];
      expect(r.status, method).toBe(501);
      expect(r.reason).toBe('Not Implemented');
      expect(r.body.toString()).toContain(`Tiny does not implement this method: ${method}`);
    }
    expect(replies[3].status).toBe(200);
  });

  it('400 for a request line without a URI; 403 for a URI that climbs above the root', async () => {
    const s = await start('tiny', '--root', root);
    expect(raw_exchange(s.port, ['GET\r\n\r\n'], 0).toString()).toMatch(/^HTTP\/1\.0 400 Bad Request\r\n/);
    const up = raw_exchange(s.port, ['GET /../outside.txt HTTP/1.0\r\n\r\n'], 0).toString();
    expect(up).toMatch(/^HTTP\/1\.0 403 Forbidden\r\n/);
    expect(up).not.toContain('above the root');
  });
});

describe.skipIf(!py)('Tiny serves on', () => {
  it('after a client that resets mid-request, and one that resets mid-answer', async () => {
    const s = await start('tiny', '--root', root);
    const r = python(`import socket, struct, time
def reset(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()
# in the middle of its headers
c = socket.create_connection(('127.0.0.1', ${s.port}), timeout=10)
c.sendall(b'GET /home.html HTTP/1.0\\r\\nHost: x\\r\\n')
time.sleep(0.2)
reset(c)
# in the middle of an 8 MiB answer
c = socket.create_connection(('127.0.0.1', ${s.port}), timeout=10)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
c.sendall(b'GET /big.gif HTTP/1.0\\r\\n\\r\\n')
assert c.recv(100).startswith(b'HTTP/1.0 200 OK')
time.sleep(0.2)
reset(c)
# one that connects and leaves without a word
socket.create_connection(('127.0.0.1', ${s.port}), timeout=10).close()
print('ok')`);
    expect(r.status, r.stderr).toBe(0);
    const after = http_request(s.port, 'GET', '/godzilla.gif');
    expect(after.status).toBe(200);
    expect(after.body.equals(readFileSync(join(root, 'godzilla.gif')))).toBe(true);
    expect(s.child.exitCode).toBeNull();
  });

  it('keeps no fd and no mapping of a file it served, nor a child', async () => {
    const s = await start('tiny', '--root', root);
    http_requests(s.port, [['GET', '/home.html'], ['GET', '/cgi-bin/adder?1&2']]); // the first of each kind
    await settle(() => zombie_children(s.pid).length === 0);
    const fds = fd_count(s.pid);
    const replies = http_requests(s.port, [
      ['GET', '/home.html'], ['GET', '/bytes.png'], ['GET', '/godzilla.gif'], ['GET', '/empty.txt'], ['GET', '/cgi-bin/adder?1&2'],
      ['GET', '/nothere'], ['GET', '/secret.html'], ['DELETE', '/'],
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 403, 501]);
    await settle(() => zombie_children(s.pid).length === 0 && fd_count(s.pid) === fds);
    expect(fd_count(s.pid)).toBe(fds);
    expect(zombie_children(s.pid)).toEqual([]);
    expect(readFileSync(`/proc/${s.pid}/maps`, 'utf8')).not.toContain(root); // every Mmap was Munmap-ed
  });

  it('stops on SIGTERM with status 0', async () => {
    const s = await start('tiny', '--root', root);
    expect(http_request(s.port, 'GET', '/home.html').status).toBe(200);
    expect(await s.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

describe.skipIf(!py)("the shipped demo root (the book's session)", () => {
  it('serve tiny without --root: home.html, godzilla.gif and the adder', async () => {
    const s = await start('tiny');
    const [home, gif, adder] = http_requests(s.port, [['GET', '/'], ['GET', '/godzilla.gif'], ['GET', '/cgi-bin/adder?15000&213']]);
    expect(home.body.equals(readFileSync(join(shipped, 'home.html')))).toBe(true);
    expect(gif.headers['content-type']).toBe('image/gif');
    expect(gif.body.equals(readFileSync(join(shipped, 'godzilla.gif')))).toBe(true);
    expect(gif.body.subarray(0, 6).toString()).toBe('GIF89a');
    expect(adder.body.toString()).toContain('15000 + 213 = 15213');
  });
});

describe('serve tiny --root', () => {
  it('a root that is missing or not a directory is a usage error (64) that says why', () => {
    const missing = run_cli(['serve', 'tiny', '--port', '0', '--root', join(base, 'no-such-dir')]);
    expect(missing.status).toBe(64);
    expect(missing.stderr).toContain(`serve: --root ${join(base, 'no-such-dir')}: No such file or directory`);
    const file = run_cli(['serve', 'tiny', '--port', '0', '--root', join(base, 'outside.txt')]);
    expect(file.status).toBe(64);
    expect(file.stderr).toContain('not a directory');
  });
});
