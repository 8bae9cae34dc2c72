// The CSAPP layer: RIO over real sockets, open_listenfd / open_clientfd over
// getaddrinfo for IPv4 and IPv6, and the checked wrappers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  socketpair, write, close, shutdown, cell, sizeof, sockaddr_storage, getsockname, sockaddr_port, sockaddr_host,
  tcp_state, pthread_create, pthread_join, usleep, sem_t, sem_getvalue, AF_UNIX, SOCK_STREAM, SHUT_WR, EBADF, EAI_NONAME,
} from '../src/sys/index.js';
import {
  rio_t, rio_readinitb, rio_readlineb, rio_readnb, rio_readn, rio_writen, Rio_readinitb, Rio_readlineb, Rio_writen,
  open_listenfd, open_clientfd, Open_clientfd, Open_listenfd, Accept, UnixError,
  Rio_readline, rio_readline, Rio_readnb, Rio_readn, strlen, strcmp, strcasecmp, MAXLINE, gai_strerror, unix_error_message,
  app_error, AppError, posix_error, gai_error,
  sbuf_t, sbuf_init, sbuf_insert,
} from '../src/index.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FdScope, bound_io, closed_port, has_ipv6 } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array, n: number) => new TextDecoder().decode(b.subarray(0, n));

function pair(): [number, number] {
  const sv: number[] = [];
  expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
  return [fds.add(bound_io(sv[0])), fds.add(bound_io(sv[1]))];
}

describe('RIO', () => {
  it('rio_readlineb returns line by line, with a 0 byte after, and 0 at EOF', () => {
    const [a, b] = pair();
    write(a, bytes('one\ntwo\nthree'));
    shutdown(a, SHUT_WR);
    const rp = new rio_t();
    rio_readinitb(rp, b);
    const buf = new Uint8Array(64).fill(0xff);
    expect(rio_readlineb(rp, buf, 64)).toBe(4);
    expect(text(buf, 4)).toBe('one\n');
    expect(buf[4]).toBe(0);
    expect(rio_readlineb(rp, buf, 64)).toBe(4);
    expect(rio_readlineb(rp, buf, 64)).toBe(5); // the last line has no newline
    expect(text(buf, 5)).toBe('three');
    expect(rio_readlineb(rp, buf, 64)).toBe(0);
  });

  it('rio_readlineb stops at maxlen - 1 bytes and goes on with the rest', () => {
    const [a, b] = pair();
    write(a, bytes('abcdefgh\n'));
    const rp = new rio_t();
    rio_readinitb(rp, b);
    const buf = new Uint8Array(8);
    expect(rio_readlineb(rp, buf, 4)).toBe(3);
    expect(text(buf, 3)).toBe('abc');
    expect(rio_readlineb(rp, buf, 8)).toBe(6);
    expect(text(buf, 6)).toBe('defgh\n');
  });

  it('a line split over several writes arrives whole', () => {
    const [a, b] = pair();
    const rp = new rio_t();
    rio_readinitb(rp, b);
    write(a, bytes('hel'));
    write(a, bytes('lo\nrest'));
    const buf = new Uint8Array(32);
    expect(rio_readlineb(rp, buf, 32)).toBe(6);
    expect(text(buf, 6)).toBe('hello\n');
    expect(rio_readnb(rp, buf, 4)).toBe(4); // the buffered rest
    expect(text(buf, 4)).toBe('rest');
  });

  it('rio_readn / rio_writen move exactly n bytes, 64 KiB through a socket', () => {
    const [a, b] = pair();
    const data = new Uint8Array(65536).map((_, i) => i & 0xff);
    const got = new Uint8Array(65536);
    // Interleave so that neither side blocks on a full socket buffer.
    for (let off = 0; off < data.length; off += 8192) {
      expect(rio_writen(a, data.subarray(off, off + 8192), 8192)).toBe(8192);
      expect(rio_readn(b, got.subarray(off, off + 8192), 8192)).toBe(8192);
    }
    expect(got).toEqual(data);
    close(a);
    expect(rio_readn(b, got, 10)).toBe(0);
  });

  it('the Capitalized RIO wrappers throw UnixError on failure', () => {
    const rp = new rio_t();
    Rio_readinitb(rp, 987654);
    expect(() => Rio_readlineb(rp, new Uint8Array(8), 8)).toThrow(expect.objectContaining({ errno: EBADF }));
    expect(() => Rio_writen(987654, new Uint8Array(1), 1)).toThrow(UnixError);
  });
});

describe('open_listenfd / open_clientfd', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it.skipIf(host === '::1' && !has_ipv6())(`connect a client to a server on ${host}`, () => {
      const listenfd = fds.add(Open_listenfd(0, host));
      expect(tcp_state(listenfd)).toBe('LISTEN');
      const addr = new sockaddr_storage();
      getsockname(listenfd, addr, cell(sizeof.sockaddr_storage));
      expect(sockaddr_host(addr)).toBe(host);
      const clientfd = fds.add(Open_clientfd(host, sockaddr_port(addr)));
      const connfd = fds.add(bound_io(Accept(listenfd)));
      const rio = new rio_t();
      Rio_readinitb(rio, connfd);
      Rio_writen(clientfd, bytes('ping\n'), 5);
      const buf = new Uint8Array(16);
      expect(Rio_readlineb(rio, buf, 16)).toBe(5);
    });
  }

  it('open_clientfd: -1 with ECONNREFUSED for a closed port, -2 for a name that does not resolve', () => {
    expect(open_clientfd('127.0.0.1', closed_port())).toBe(-1);
    expect(() => Open_clientfd('127.0.0.1', closed_port())).toThrow(expect.objectContaining({ code: 'ECONNREFUSED', syscall: 'open_clientfd' }));
    expect(open_clientfd('127.0.0.1', 'not-a-port')).toBe(-2);
    expect(() => Open_clientfd('127.0.0.1', 'not-a-port')).toThrow(expect.objectContaining({ code: 'EAI_NONAME' }));
  });

  it('open_listenfd: EADDRINUSE on a port already listened on', () => {
    const a = fds.add(open_listenfd(0, '127.0.0.1'));
    const addr = new sockaddr_storage();
    getsockname(a, addr);
    expect(open_listenfd(sockaddr_port(addr), '127.0.0.1')).toBe(-1);
    expect(() => Open_listenfd(sockaddr_port(addr), '127.0.0.1')).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
  });
});

describe('strings and bytes', () => {
  it('Rio_writen takes a string (its UTF-8 bytes; n counts bytes), Rio_readline gives a line as a string', () => {
    const [a, b] = pair();
    Rio_writen(a, 'héllo\n');
    Rio_writen(a, 'str', 3); // was: "count 3 is larger than the buffer (0 bytes)"
    expect(rio_writen(a, 'ing\nlast', 4)).toBe(4);
    Rio_writen(a, 'no newline');
    shutdown(a, SHUT_WR);
    const rio = new rio_t();
    Rio_readinitb(rio, b);
    expect(Rio_readline(rio)).toBe('héllo\n');
    expect(Rio_readline(rio)).toBe('string\n');
    expect(rio_readline(rio, 4)).toBe('no '); // maxlen - 1 bytes at most, as rio_readlineb
    expect(Rio_readline(rio)).toBe('newline');
    expect(Rio_readline(rio)).toBe(''); // EOF
    expect(() => Rio_writen(a, 'str', 4)).toThrow(/^Rio_writen: n 4 is larger than the text \(3 bytes\)\n  leave n out/);
  });
  it('Rio_readline in two threads at once: each line stays whole', () => {
    const [a1, a2] = pair();
    const [b1, b2] = pair();
    const rioA = new rio_t();
    const rioB = new rio_t();
    Rio_readinitb(rioA, a2);
    Rio_readinitb(rioB, b2);
    write(a1, bytes('hel'));
    // The thread reads 'hel', then waits in read for the rest (without the JS lock).
    const t = pthread_create(() => Rio_readline(rioA));
    usleep(100_000);
    write(b1, bytes('XYZ\n'));
    expect(Rio_readline(rioB)).toBe('XYZ\n'); // meanwhile, on the main thread
    write(a1, bytes('lo\n'));
    const r = cell<unknown>(null);
    expect(pthread_join(t, r)).toBe(0);
    expect(r.value).toBe('hello\n');
  });

  it('rio_readline: null with errno on an error; Rio_readline throws UnixError', () => {
    const rio = new rio_t();
    rio_readinitb(rio, 987654);
    expect(rio_readline(rio)).toBeNull();
    expect(() => Rio_readline(rio)).toThrow(expect.objectContaining({ errno: EBADF, syscall: 'rio_readline' }));
  });
  it('strlen counts the bytes before the first 0 byte, or the UTF-8 bytes of a string', () => {
    const buf = new Uint8Array(MAXLINE);
    buf.set(bytes('GET / HTTP/1.0\r\n'));
    expect(strlen(buf)).toBe(16);
    expect(strlen(new Uint8Array([1, 2, 3]))).toBe(3);
    expect(strlen('héllo')).toBe(6);
    expect(() => strlen(5 as never)).toThrow(TypeError);
  });
  it('strcmp and strcasecmp compare as C: bytes up to the 0 byte, the sign of the first difference', () => {
    const buf = new Uint8Array(MAXLINE);
    buf.set(bytes('\r\n\0junk'));
    expect(strcmp(buf, '\r\n')).toBe(0); // Tiny's end of the headers
    expect(strcmp('abc', 'abd')).toBeLessThan(0);
    expect(strcmp('abd', 'abc')).toBeGreaterThan(0);
    expect(strcmp('ab', 'abc')).toBeLessThan(0); // a prefix sorts first
    expect(strcmp('é', 'z')).toBeGreaterThan(0); // unsigned bytes: 0xc3 > 'z'
    expect(strcasecmp('get', 'GET')).toBe(0);
    expect(strcasecmp('GeT', 'GET\0 ignored')).toBe(0);
    expect(strcasecmp('POST', 'GET')).not.toBe(0);
    expect(strcmp('[', 'A')).toBeGreaterThan(0); // 0x5b > 0x41
    expect(strcasecmp('[', 'A')).toBeLessThan(0); // folded to lower case, as glibc: 0x5b < 'a' (0x61)
    expect(() => strcmp(5 as never, 'x')).toThrow(/strcmp: s1 must be a Uint8Array/);
    expect(() => strcasecmp('x', null as never)).toThrow(/strcasecmp: s2 must be/);
  });
});

describe('errors a student understands', () => {
  it('a number, a string or a plain object where a rio_t or a buffer goes: a TypeError saying what to pass', () => {
    const rio = new rio_t();
    const buf = new Uint8Array(8);
    // was: "Cannot create property 'rio_bufptr' on number '1'"
    expect(() => Rio_readlineb(1 as never, buf, 8))
      .toThrow(/^Rio_readlineb: rp must be a rio_t, got a number\n  const rio = new rio_t\(\); Rio_readinitb\(rio, fd\)$/);
    expect(() => rio_readlineb({} as never, buf, 8)).toThrow(/rio_readlineb: rp must be a rio_t, got an object/);
    expect(() => Rio_readnb('rio' as never, buf, 8)).toThrow(/Rio_readnb: rp must be a rio_t, got a string/);
    expect(() => Rio_readinitb({} as never, 0)).toThrow(/Rio_readinitb: rp must be a rio_t, got an object\n  const rio = new rio_t\(\)/);
    expect(() => Rio_readinitb(rio, '3' as never)).toThrow(/Rio_readinitb: fd must be a file descriptor \(an integer\)\n  got a string/);
    Rio_readinitb(rio, 0);
    expect(() => Rio_readlineb(rio, 'buf' as never, 8)).toThrow(/usrbuf must be a Uint8Array, got a string\n  for a line as a string: Rio_readline\(rp\)/);
    expect(() => Rio_readlineb(rio, new Int32Array(8) as never, 8)).toThrow(/usrbuf must be a Uint8Array, got a Int32Array/);
    expect(() => Rio_readline(rio, buf as never)).toThrow(/Rio_readline\(rp\) returns the line as a string\n  into a buffer: Rio_readlineb/);
    expect(() => Rio_writen(1, 42 as never, 1)).toThrow(/Rio_writen: usrbuf must be a Uint8Array, got a number/);
    expect(() => Rio_writen(1, buf as never)).toThrow(/Rio_writen: n, the count of bytes, is missing/);
    expect(() => Rio_writen('1' as never, buf, 1)).toThrow(/Rio_writen: fd must be a file descriptor/);
    expect(() => Rio_readn(0, null as never, 1)).toThrow(/Rio_readn: usrbuf must be a Uint8Array, got null/);
  });

  it('a number where a cell or an sbuf_t goes: a TypeError before anything is done', () => {
    const t = pthread_create(() => 42);
    // was: the join done, then "Cannot create property 'value' on number '5'", the result lost
    expect(() => pthread_join(t, 5 as never)).toThrow(/pthread_join: retval must be a cell \{ value \} or null/);
    const r = cell<unknown>(0);
    expect(pthread_join(t, r)).toBe(0);
    expect(r.value).toBe(42);
    expect(() => sem_getvalue(new sem_t(), 3 as never)).toThrow(/sem_getvalue: sval must be a cell/);
    // was: "sem_wait: sem must be a sem_t"
    expect(() => sbuf_insert(5 as never, 1)).toThrow(/sbuf_insert: sp must be an sbuf_t, got a number\n  const sp = new sbuf_t\(\); sbuf_init\(sp, n\)/);
    expect(() => sbuf_init(new sbuf_t(), 0)).toThrow(RangeError);
  });

  const fixture = fileURLToPath(new URL('./fixtures/unix-error.mjs', import.meta.url));
  function run(way: string, env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [fixture, way, String(closed_port())], {
      encoding: 'utf8', timeout: 20_000, env: { ...process.env, SYSCALL_LAB_STACK: '', NODE_OPTIONS: '', ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  it('an uncaught UnixError prints CSAPP\'s one line and exits 1', () => {
    expect(run('main')).toEqual({ status: 1, stdout: 'before the error\n', stderr: 'Open_clientfd error: Connection refused\n' });
    expect(run('async')).toEqual({ status: 1, stdout: 'before the error\n', stderr: 'Open_clientfd error: Connection refused\n' });
    expect(run('gai')).toEqual({ status: 1, stdout: 'before the error\n', stderr: `Open_clientfd error: ${gai_strerror(EAI_NONAME)}\n` });
  });
  it('in a forked child too', () => {
    expect(run('child')).toEqual({ status: 0, stdout: 'before the error\nchild exit 1\n', stderr: 'Open_clientfd error: Connection refused\n' });
  });
  it('the stack with SYSCALL_LAB_STACK=1 or --trace-uncaught; the program\'s own handler and other errors as Node has them', () => {
    for (const env of [{ SYSCALL_LAB_STACK: '1' }, { NODE_OPTIONS: '--trace-uncaught' }] as Record<string, string>[]) {
      const r = run('main', env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/UnixError: open_clientfd: Connection refused \(ECONNREFUSED\)\n\s+at /);
    }
    expect(run('handled')).toEqual({ status: 7, stdout: 'before the error\nhandled ECONNREFUSED\n', stderr: '' });
    const other = run('other');
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/TypeError: not a UnixError\n\s+at /);
  });
  it('an uncaught app_error prints its message alone and exits 1, as csapp.c\'s app_error prints it', () => {
    expect(run('app')).toEqual({ status: 1, stdout: 'before the error\n', stderr: 'add_client error: too many clients\n' });
    expect(() => app_error('mine')).toThrow(AppError);
  });
  it('posix_error and gai_error name the error number by its code', () => {
    expect(() => posix_error(EBADF, 'pthread_join')).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'pthread_join' }));
    expect(() => gai_error(EAI_NONAME, 'getaddrinfo')).toThrow(
      expect.objectContaining({ code: 'EAI_NONAME', errno: EAI_NONAME, strerror: gai_strerror(EAI_NONAME) }));
  });
  it('unix_error_message is the line for any UnixError', () => {
    expect(unix_error_message(new UnixError('rio_readlineb', EBADF))).toBe('Rio_readlineb error: Bad file descriptor');
  });
});

// A rio_t whose public fields were set to what no read leaves, and echo_warm
// with an unbounded count, spun for ever: each runs in a child process with a
// time bound, so that a spin fails the test instead of hanging the file.
describe('inputs that used to spin', () => {
  const probe = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', `
    import * as sl from ${JSON.stringify(new URL('../dist/src/index.js', import.meta.url).href)};
    import { echo_warm } from ${JSON.stringify(new URL('../dist/src/servers/echo.js', import.meta.url).href)};
    try { ${code}; console.log('returned'); } catch (e) { console.log(e.constructor.name + ': ' + e.message.split('\\n')[0]); }
  `], { encoding: 'utf8', timeout: 15_000 });

  it.each([
    ['rio_readlineb({}, ...)', 'sl.rio_readlineb({}, new Uint8Array(16), 16)', 'TypeError: rio_readlineb: rp must be a rio_t'],
    ['a rio_t whose rio_cnt is NaN', 'const rp = new sl.rio_t(); sl.rio_readinitb(rp, 0); rp.rio_cnt = NaN; sl.rio_readlineb(rp, new Uint8Array(16), 16)', 'RangeError: rio_readlineb: rp is corrupt'],
    ['a rio_bufptr past rio_buf', 'const rp = new sl.rio_t(); sl.rio_readinitb(rp, 0); rp.rio_cnt = 4; rp.rio_bufptr = 8190; sl.rio_readnb(rp, new Uint8Array(16), 16)', 'RangeError: rio_readnb: rp is corrupt'],
    ['echo_warm(Infinity)', 'echo_warm(Infinity)', 'RangeError: echo_warm: lines must be an integer'],
  ])('%s: a clear error, not a spin', (_name, code, expected) => {
    const r = probe(code);
    expect(r.error, 'the call did not return within 15 s').toBeUndefined();
    expect(r.stdout.trim()).toContain(expected);
  });

  it('Rio_readinitb gives back a rio_buf that was replaced by junk', () => {
    const rp = new rio_t();
    (rp as { rio_buf: unknown }).rio_buf = 'junk';
    Rio_readinitb(rp, 0);
    expect(rp.rio_buf).toBeInstanceOf(Uint8Array);
    expect(rp.rio_buf.length).toBe(8192);
  });
});
