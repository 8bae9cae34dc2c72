// The CSAPP layer: RIO over real sockets, open_listenfd / open_clientfd over
// getaddrinfo for IPv4 and IPv6, and the checked wrappers.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  socketpair, write, close, shutdown, cell, sizeof, sockaddr_storage, getsockname, sockaddr_port, sockaddr_host,
  tcp_state, AF_UNIX, SOCK_STREAM, SHUT_WR, EBADF,
} from '../src/sys/index.js';
import {
  rio_t, rio_readinitb, rio_readlineb, rio_readnb, rio_readn, rio_writen, Rio_readinitb, Rio_readlineb, Rio_writen,
  open_listenfd, open_clientfd, Open_clientfd, Open_listenfd, Accept, UnixError,
} from '../src/index.js';
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

describe('RIO and echo_warm: bad input is an error, never a loop without end', () => {
  // In a child with a timeout: before the checks, these never returned.
  const run = (name: string) => {
    const script = fileURLToPath(new URL('./fixtures/rio-spins.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, name], { encoding: 'utf8', timeout: 10_000 });
    expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 0, signal: null });
    return JSON.parse(r.stdout);
  };
  it.each([
    ['plainObject', 'TypeError', /rp must be a rio_t/],
    ['nanCount', 'RangeError', /rio_cnt \(NaN\)/],
    ['negativeCount', 'RangeError', /rio_cnt \(-5\)/],
    ['hugeCount', 'RangeError', /rio_cnt/],
    ['nanBufptr', 'RangeError', /rio_bufptr \(NaN\)/],
    ['maxlenZero', 'RangeError', /maxlen must be a positive integer/],
    ['maxlenFraction', 'RangeError', /maxlen/],
    ['maxlenString', 'TypeError', /maxlen must be a number/],
    ['warmInfinity', 'RangeError', /echo_warm: lines/],
    ['warmNaN', 'RangeError', /echo_warm: lines/],
    ['warmHuge', 'RangeError', /echo_warm: lines/],
  ])('%s: %s', (name, threw, message) => {
    const r = run(name);
    expect(r.threw).toBe(threw);
    expect(r.message).toMatch(message);
  });
});
