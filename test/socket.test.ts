// The raw socket layer on real loopback sockets: for each call, the success
// path and the failure path with the errno C would give.
import { afterEach, describe, expect, it } from 'vitest';
import { unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sys from '../src/sys/index.js';
import {
  socket, bind, listen, accept, connect, read, write, recv, send, sendto, recvfrom, close, shutdown, setsockopt,
  getsockopt, getsockname, getpeername, socketpair, pipe, dup, dup2, fcntl, errno, cell, sizeof, sockaddr_in,
  sockaddr_in6, sockaddr_un, sockaddr_storage, sockaddr_of, sockaddr_port, sockaddr_host, sockaddr_string,
  AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, IPPROTO_TCP, SO_REUSEADDR, SO_REUSEPORT,
  SO_RCVTIMEO, SO_SNDTIMEO, SO_LINGER, SO_RCVBUF, SO_SNDBUF, SO_ERROR, SO_TYPE, SO_ACCEPTCONN, TCP_NODELAY,
  SHUT_WR, SHUT_RDWR, MSG_PEEK, MSG_DONTWAIT, F_GETFL, F_SETFL, O_NONBLOCK, htons, htonl, INADDR_LOOPBACK,
  EBADF, ECONNREFUSED, EADDRINUSE, EAGAIN, EWOULDBLOCK, EINVAL, ENOTCONN, ENOTSOCK, EAFNOSUPPORT, EISCONN,
  EPIPE, ENOPROTOOPT, EDESTADDRREQ,
} from '../src/sys/index.js';
import { FdScope, bound_io, tcp_pair, closed_port, has_ipv6, linux } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array, n: number) => new TextDecoder().decode(b.subarray(0, n));

describe('socket', () => {
  it('creates TCP, UDP, IPv6 and Unix sockets', () => {
    for (const [domain, type] of [[AF_INET, SOCK_STREAM], [AF_INET, SOCK_DGRAM], [AF_INET6, SOCK_STREAM], [AF_UNIX, SOCK_STREAM]]) {
      const fd = fds.add(socket(domain, type, 0));
      expect(fd).toBeGreaterThan(2);
      const t = cell(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_TYPE, t)).toBe(0);
      expect(t.value).toBe(type);
    }
  });

  it('fails with EAFNOSUPPORT for an unknown family and EINVAL / EPROTONOSUPPORT for a bad type', () => {
    expect(socket(9999, SOCK_STREAM, 0)).toBe(-1);
    expect(errno()).toBe(EAFNOSUPPORT);
    expect(socket(AF_INET, 9999, 0)).toBe(-1);
    expect([EINVAL, sys.ESOCKTNOSUPPORT, sys.EPROTONOSUPPORT]).toContain(errno());
  });
});

describe('bind and listen', () => {
  it('binds to port 0 and getsockname tells the port the kernel chose', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    const addr = new sockaddr_in();
    addr.sin_port = htons(0);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect(bind(fd, addr, sizeof.sockaddr_in)).toBe(0);
    const out = new sockaddr_in();
    const len = cell(sizeof.sockaddr_in);
    expect(getsockname(fd, out, len)).toBe(0);
    expect(len.value).toBe(sizeof.sockaddr_in);
    expect(out.sin_family).toBe(AF_INET);
    expect(sockaddr_port(out)).toBeGreaterThan(0);
    expect(sockaddr_host(out)).toBe('127.0.0.1');
  });

  it('fails with EADDRINUSE on a port another socket listens on', () => {
    const a = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(a, sockaddr_of('127.0.0.1', 0))).toBe(0);
    expect(listen(a, 5)).toBe(0);
    const addr = new sockaddr_storage();
    getsockname(a, addr);
    const b = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(b, sockaddr_of('127.0.0.1', sockaddr_port(addr)))).toBe(-1);
    expect(errno()).toBe(EADDRINUSE);
  });

  it('fails with EINVAL when already bound, or when addrlen is too short', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(fd, sockaddr_of('127.0.0.1', 0))).toBe(0);
    expect(bind(fd, sockaddr_of('127.0.0.1', 0))).toBe(-1);
    expect(errno()).toBe(EINVAL);
    const fd2 = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(fd2, sockaddr_of('127.0.0.1', 0), 4)).toBe(-1);
    expect(errno()).toBe(EINVAL);
  });

  it('refuses an address of the wrong family with errno, not a crash', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(fd, sockaddr_of('::1', 0))).toBe(-1);
    expect([EINVAL, EAFNOSUPPORT]).toContain(errno());
    const un = new sockaddr_un();
    un.sun_path = '/tmp/nowhere';
    expect(bind(fd, un)).toBe(-1);
    expect([EINVAL, EAFNOSUPPORT]).toContain(errno());
  });

  it('passes the backlog through and fails with EBADF / ENOTSOCK', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(bind(fd, sockaddr_of('127.0.0.1', 0))).toBe(0);
    expect(listen(fd, 1)).toBe(0);
    const acc = cell(0);
    expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, acc)).toBe(0);
    expect(acc.value).toBe(1);
    expect(listen(12345, 5)).toBe(-1);
    expect(errno()).toBe(EBADF);
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    fds.add(p[1]);
    expect(listen(p[0], 5)).toBe(-1);
    expect(errno()).toBe(ENOTSOCK);
  });
});

describe('accept and connect', () => {
  it('accept fills a sockaddr_storage and its length with the peer (the 4-tuple)', () => {
    const listenfd = fds.add(bound_io(socket(AF_INET, SOCK_STREAM, 0)));
    bind(listenfd, sockaddr_of('127.0.0.1', 0));
    listen(listenfd, 4);
    const la = new sockaddr_storage();
    getsockname(listenfd, la);
    const clientfd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(connect(clientfd, sockaddr_of('127.0.0.1', sockaddr_port(la)))).toBe(0);
    const ca = new sockaddr_storage();
    getsockname(clientfd, ca);

    const clientaddr = new sockaddr_storage();
    const clientlen = cell(sizeof.sockaddr_storage);
    const connfd = fds.add(accept(listenfd, clientaddr, clientlen));
    expect(connfd).toBeGreaterThan(2);
    expect(clientlen.value).toBe(sizeof.sockaddr_in);
    expect(clientaddr.ss_family).toBe(AF_INET);
    expect(sockaddr_string(clientaddr)).toBe(`127.0.0.1:${sockaddr_port(ca)}`);

    const peer = new sockaddr_storage();
    expect(getpeername(connfd, peer, cell(sizeof.sockaddr_storage))).toBe(0);
    expect(sockaddr_port(peer)).toBe(sockaddr_port(ca));
  });

  it('accept with a short addrlen reports the real length and leaves the struct alone, as the kernel truncates', () => {
    const { listenfd, port } = tcp_pair(fds);
    const c = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    connect(c, sockaddr_of('127.0.0.1', port));
    const addr = new sockaddr_storage();
    const len = cell(2);
    fds.add(accept(listenfd, addr, len));
    expect(len.value).toBe(sizeof.sockaddr_in);
    expect(addr.sin_port).toBeUndefined();
  });

  it('accept: EAGAIN on a non-blocking listener with nobody waiting, EINVAL when not listening', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    bind(fd, sockaddr_of('127.0.0.1', 0));
    expect(accept(fd, null, null)).toBe(-1);
    expect(errno()).toBe(EINVAL);
    listen(fd, 1);
    expect(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)).toBe(0);
    expect(accept(fd, null, null)).toBe(-1);
    expect([EAGAIN, EWOULDBLOCK]).toContain(errno());
  });

  it('accept on a blocking listener with SO_RCVTIMEO gives up with EAGAIN', () => {
    const fd = fds.add(bound_io(socket(AF_INET, SOCK_STREAM, 0), 100));
    bind(fd, sockaddr_of('127.0.0.1', 0));
    listen(fd, 1);
    const t0 = performance.now();
    expect(accept(fd, null, null)).toBe(-1);
    expect(errno()).toBe(EAGAIN);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(80);
  });

  it('connect: ECONNREFUSED on a closed port, EISCONN when connected, EBADF on a closed fd', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(connect(fd, sockaddr_of('127.0.0.1', closed_port()))).toBe(-1);
    expect(errno()).toBe(ECONNREFUSED);
    const { port, clientfd } = tcp_pair(fds);
    expect(connect(clientfd, sockaddr_of('127.0.0.1', port))).toBe(-1);
    expect(errno()).toBe(EISCONN);
    const gone = socket(AF_INET, SOCK_STREAM, 0);
    close(gone);
    expect(connect(gone, sockaddr_of('127.0.0.1', port))).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('works over IPv6 on ::1', () => {
    if (!has_ipv6()) return expect.soft(has_ipv6(), 'no IPv6 loopback on this machine').toBe(true);
    const { clientfd, connfd } = tcp_pair(fds, AF_INET6);
    expect(write(clientfd, bytes('six\n'))).toBe(4);
    const buf = new Uint8Array(8);
    expect(read(connfd, buf)).toBe(4);
    const peer = new sockaddr_storage();
    getpeername(connfd, peer);
    expect(peer.ss_family).toBe(AF_INET6);
    expect(sockaddr_host(peer)).toBe('::1');
    expect(sockaddr_string(peer)).toMatch(/^\[::1\]:\d+$/);
    const a6 = new sockaddr_in6();
    expect(getsockname(connfd, a6)).toBe(0);
    expect(a6.sin6_family).toBe(AF_INET6);
    expect(a6.sin6_addr.s6_addr[15]).toBe(1);
  });

  it('works over AF_UNIX, with a path and (Linux) in the abstract namespace', () => {
    const path = join(tmpdir(), `syscall-lab-${process.pid}.sock`);
    if (existsSync(path)) unlinkSync(path);
    // An abstract name is its bytes, up to the length: inner NULs included.
    const names = [path, ...(linux ? [`\0syscall-lab-${process.pid}`, `\0syscall-lab-${process.pid}\0tail`] : [])];
    for (const name of names) {
      const addr = new sockaddr_un();
      addr.sun_path = name;
      const l = fds.add(bound_io(socket(AF_UNIX, SOCK_STREAM, 0)));
      expect(bind(l, addr)).toBe(0);
      expect(listen(l, 1)).toBe(0);
      const c = fds.add(bound_io(socket(AF_UNIX, SOCK_STREAM, 0)));
      expect(connect(c, addr)).toBe(0);
      const s = fds.add(accept(l, null, null));
      const me = new sockaddr_un();
      expect(getsockname(l, me)).toBe(0);
      expect(me.sun_path).toBe(name);
      expect(write(c, bytes('u'))).toBe(1);
      expect(read(s, new Uint8Array(1))).toBe(1);
    }
    unlinkSync(path);
  });

  it('refuses a filesystem path with a NUL byte inside, rather than bind the path before it', () => {
    const prefix = join(tmpdir(), `syscall-lab-nul-${process.pid}`);
    if (existsSync(prefix)) unlinkSync(prefix);
    const l = fds.add(socket(AF_UNIX, SOCK_STREAM, 0));
    const addr = new sockaddr_un();
    addr.sun_path = `${prefix}\0.sock`;
    expect(() => bind(l, addr)).toThrow(TypeError);
    expect(() => bind(l, addr)).toThrow(/sun_path contains a NUL byte/);
    expect(() => connect(l, addr)).toThrow(TypeError);
    expect(existsSync(prefix)).toBe(false);
    // The socket is untouched: the right path binds.
    addr.sun_path = prefix;
    expect(bind(l, addr)).toBe(0);
    expect(existsSync(prefix)).toBe(true);
    unlinkSync(prefix);
  });
});

describe('read, write, send, recv', () => {
  it('moves bytes both ways; read returns 0 at EOF after the peer closes', () => {
    const { clientfd, connfd } = tcp_pair(fds);
    expect(write(clientfd, bytes('hello\n'))).toBe(6);
    const buf = new Uint8Array(64);
    expect(read(connfd, buf, buf.length)).toBe(6);
    expect(text(buf, 6)).toBe('hello\n');
    expect(send(connfd, bytes('back'), 4, 0)).toBe(4);
    expect(recv(clientfd, buf, 64, 0)).toBe(4);
    expect(text(buf, 4)).toBe('back');
    expect(shutdown(clientfd, SHUT_WR)).toBe(0);
    expect(read(connfd, buf)).toBe(0);
  });

  it('writes only `count` bytes of a bigger buffer, and reads into a view of one', () => {
    const { clientfd, connfd } = tcp_pair(fds);
    expect(write(clientfd, bytes('abcdef'), 3)).toBe(3);
    const buf = new Uint8Array(10);
    expect(read(connfd, buf.subarray(5), 5)).toBe(3);
    expect(text(buf.subarray(5), 3)).toBe('abc');
    expect(buf[0]).toBe(0);
  });

  it('recv with MSG_PEEK leaves the data; MSG_DONTWAIT gives EAGAIN when empty', () => {
    const { clientfd, connfd } = tcp_pair(fds);
    const buf = new Uint8Array(8);
    expect(recv(connfd, buf, 8, MSG_DONTWAIT)).toBe(-1);
    expect([EAGAIN, EWOULDBLOCK]).toContain(errno());
    write(clientfd, bytes('peek'));
    expect(recv(connfd, buf, 8, MSG_PEEK)).toBe(4);
    expect(recv(connfd, buf, 8, 0)).toBe(4);
  });

  it('EAGAIN on an empty non-blocking socket (fcntl O_NONBLOCK)', () => {
    const { connfd } = tcp_pair(fds);
    const flags = fcntl(connfd, F_GETFL);
    expect(flags & O_NONBLOCK).toBe(0);
    expect(fcntl(connfd, F_SETFL, flags | O_NONBLOCK)).toBe(0);
    expect(fcntl(connfd, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(read(connfd, new Uint8Array(4))).toBe(-1);
    expect([EAGAIN, EWOULDBLOCK]).toContain(errno());
  });

  it('EBADF on a closed fd, for read and write', () => {
    const { connfd } = tcp_pair(fds);
    const fd = dup(connfd);
    close(fd);
    expect(read(fd, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(write(fd, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('EPIPE writing to a socket whose reading side is gone (Node ignores SIGPIPE)', () => {
    const { clientfd, connfd } = tcp_pair(fds);
    shutdown(connfd, SHUT_RDWR);
    let rc = 0;
    for (let i = 0; i < 50 && rc >= 0; i++) rc = write(clientfd, new Uint8Array(1024));
    expect(rc).toBe(-1);
    expect([EPIPE, sys.ECONNRESET]).toContain(errno());
  });

  it('sendto / recvfrom over UDP report the sender; EDESTADDRREQ without an address', () => {
    const a = fds.add(bound_io(socket(AF_INET, SOCK_DGRAM, 0)));
    const b = fds.add(bound_io(socket(AF_INET, SOCK_DGRAM, 0)));
    bind(a, sockaddr_of('127.0.0.1', 0));
    bind(b, sockaddr_of('127.0.0.1', 0));
    const aa = new sockaddr_storage(), ba = new sockaddr_storage();
    getsockname(a, aa);
    getsockname(b, ba);
    expect(sendto(a, bytes('dgram'), 5, 0, ba)).toBe(5);
    const from = new sockaddr_storage();
    const fromlen = cell(sizeof.sockaddr_storage);
    const buf = new Uint8Array(16);
    expect(recvfrom(b, buf, 16, 0, from, fromlen)).toBe(5);
    expect(sockaddr_port(from)).toBe(sockaddr_port(aa));
    expect(sendto(a, bytes('x'), 1, 0, null)).toBe(-1);
    expect(errno()).toBe(EDESTADDRREQ);
  });
});

describe('shutdown, getpeername', () => {
  it('ENOTCONN on an unconnected socket', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(shutdown(fd, SHUT_WR)).toBe(-1);
    expect(errno()).toBe(ENOTCONN);
    expect(getpeername(fd, new sockaddr_storage())).toBe(-1);
    expect(errno()).toBe(ENOTCONN);
  });
});

describe('socket options', () => {
  it('SO_REUSEADDR and SO_REUSEPORT set and read back', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    for (const opt of [SO_REUSEADDR, SO_REUSEPORT!]) {
      const v = cell(-1);
      expect(getsockopt(fd, SOL_SOCKET, opt, v)).toBe(0);
      expect(v.value).toBe(0);
      expect(setsockopt(fd, SOL_SOCKET, opt, 1, sizeof.int)).toBe(0);
      const len = cell(sizeof.int);
      expect(getsockopt(fd, SOL_SOCKET, opt, v, len)).toBe(0);
      expect(v.value).not.toBe(0);
      expect(len.value).toBe(sizeof.int);
    }
  });

  it('SO_REUSEPORT lets two sockets listen on one port', () => {
    const a = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    setsockopt(a, SOL_SOCKET, SO_REUSEPORT!, 1);
    bind(a, sockaddr_of('127.0.0.1', 0));
    listen(a, 1);
    const addr = new sockaddr_storage();
    getsockname(a, addr);
    const b = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    setsockopt(b, SOL_SOCKET, SO_REUSEPORT!, 1);
    expect(bind(b, sockaddr_of('127.0.0.1', sockaddr_port(addr)))).toBe(0);
  });

  it('SO_RCVTIMEO: a read gives up with EAGAIN after the timeout; SO_SNDTIMEO reads back', () => {
    const { connfd } = tcp_pair(fds);
    expect(setsockopt(connfd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 150_000 })).toBe(0);
    const tv = { tv_sec: -1, tv_usec: -1 };
    expect(getsockopt(connfd, SOL_SOCKET, SO_RCVTIMEO, tv)).toBe(0);
    expect(tv.tv_sec).toBe(0);
    expect(tv.tv_usec).toBeGreaterThanOrEqual(148_000); // the kernel rounds to its clock tick
    const t0 = performance.now();
    expect(read(connfd, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(EAGAIN);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(setsockopt(connfd, SOL_SOCKET, SO_SNDTIMEO, { tv_sec: 2, tv_usec: 0 })).toBe(0);
    const st = { tv_sec: 0, tv_usec: 0 };
    getsockopt(connfd, SOL_SOCKET, SO_SNDTIMEO, st);
    expect(st.tv_sec).toBe(2);
  });

  it('SO_LINGER with l_linger 0: close sends a reset, the peer reads ECONNRESET', () => {
    const { clientfd, connfd } = tcp_pair(fds);
    expect(setsockopt(connfd, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
    const lg = { l_onoff: 0, l_linger: -1 };
    expect(getsockopt(connfd, SOL_SOCKET, SO_LINGER, lg)).toBe(0);
    expect(lg).toEqual({ l_onoff: 1, l_linger: 0 });
    close(connfd);
    expect(read(clientfd, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(sys.ECONNRESET);
  });

  it('SO_RCVBUF / SO_SNDBUF: the kernel doubles what it is given (Linux)', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 65536)).toBe(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 65536)).toBe(0);
    const r = cell(0), s = cell(0);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, r);
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, s);
    expect(r.value).toBe(linux ? 131072 : 65536);
    expect(s.value).toBe(linux ? 131072 : 65536);
  });

  it('SO_ERROR tells why a non-blocking connect failed: ECONNREFUSED', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    expect(connect(fd, sockaddr_of('127.0.0.1', closed_port()))).toBe(-1);
    expect(errno()).toBe(sys.EINPROGRESS);
    const err = cell(0);
    for (let i = 0; i < 100 && err.value === 0; i++) {
      sys.usleep(10_000);
      expect(getsockopt(fd, SOL_SOCKET, SO_ERROR, err)).toBe(0);
    }
    expect(err.value).toBe(ECONNREFUSED);
    expect(getsockopt(fd, SOL_SOCKET, SO_ERROR, err)).toBe(0);
    expect(err.value).toBe(0); // reading SO_ERROR clears it
  });

  it('TCP_NODELAY set and read back; ENOPROTOOPT for an unknown option', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1)).toBe(0);
    const v = cell(0);
    expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, v)).toBe(0);
    expect(v.value).toBe(1);
    expect(setsockopt(fd, SOL_SOCKET, 98765, 1)).toBe(-1);
    expect(errno()).toBe(ENOPROTOOPT);
  });

  it('a short optlen is refused by the kernel (EINVAL), a long one before the call (RangeError)', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 1)).toBe(-1);
    expect(errno()).toBe(EINVAL);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 64)).toThrow(RangeError);
    expect(() => getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, cell(0), cell(64))).toThrow(RangeError);
  });
});

describe('socketpair, pipe, dup, dup2', () => {
  it('socketpair gives two connected ends, in an array or an Int32Array', () => {
    const sv = new Int32Array(2);
    expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
    fds.add(sv[0]);
    fds.add(sv[1]);
    expect(write(sv[0], bytes('p'))).toBe(1);
    expect(read(sv[1], new Uint8Array(1))).toBe(1);
    expect(socketpair(AF_INET, SOCK_STREAM, 0, [])).toBe(-1);
    expect([EAFNOSUPPORT, sys.EOPNOTSUPP]).toContain(errno());
  });

  it('pipe, dup and dup2 share one open file', () => {
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    fds.add(p[1]);
    const w2 = fds.add(dup(p[1]));
    expect(w2).toBeGreaterThan(p[1]);
    expect(write(w2, bytes('d'))).toBe(1);
    const target = fds.add(dup(p[0]));
    expect(dup2(p[0], target)).toBe(target);
    expect(read(target, new Uint8Array(1))).toBe(1);
    expect(dup(-1)).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(dup2(p[0], -5)).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('fcntl refuses commands whose argument is a pointer (EINVAL) and bad fds (EBADF)', () => {
    expect(fcntl(0, 12345)).toBe(-1);
    expect(errno()).toBe(EINVAL);
    expect(fcntl(99999, F_GETFL)).toBe(-1);
    expect(errno()).toBe(EBADF);
  });
});

describe('errno is per call and stays until the next failure', () => {
  it('a success does not reset errno, as in C', () => {
    expect(close(-1)).toBe(-1);
    expect(errno()).toBe(EBADF);
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    expect(fd).toBeGreaterThan(0);
    expect(errno()).toBe(EBADF);
    close(fd);
    sys.set_errno(0);
    expect(errno()).toBe(0);
  });
});
