// Name translation and byte order.
import { describe, expect, it } from 'vitest';
import {
  getaddrinfo, getnameinfo, gai_strerror, inet_pton, inet_ntop, htons, ntohs, htonl, ntohl, cell, sockaddr_of,
  sockaddr_in, sockaddr_in6, type addrinfo, AF_INET, AF_INET6, AF_UNSPEC, SOCK_STREAM, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE,
  NI_NUMERICHOST, NI_NUMERICSERV, EAI_NONAME, EAI_SERVICE, EAI_OVERFLOW, INADDR_LOOPBACK,
} from '../src/sys/index.js';

describe('byte order', () => {
  it('htons / htonl put the most significant byte first in memory', () => {
    const b = new DataView(new ArrayBuffer(4));
    b.setUint16(0, htons(0x1234), true);
    expect(b.getUint8(0)).toBe(0x12);
    b.setUint32(0, htonl(0x7f000001), true);
    expect([b.getUint8(0), b.getUint8(3)]).toEqual([127, 1]);
    expect(ntohs(htons(8080))).toBe(8080);
    expect(ntohl(htonl(0xdeadbeef))).toBe(0xdeadbeef);
    expect(htonl(INADDR_LOOPBACK)).toBeGreaterThan(0);
  });
});

describe('inet_pton / inet_ntop', () => {
  it('round-trip IPv4 and IPv6, in network byte order', () => {
    const a = { s_addr: 0 };
    expect(inet_pton(AF_INET, '127.0.0.1', a)).toBe(1);
    expect(a.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_ntop(AF_INET, a)).toBe('127.0.0.1');
    const a6 = { s6_addr: new Uint8Array(16) };
    expect(inet_pton(AF_INET6, '::1', a6)).toBe(1);
    expect(Array.from(a6.s6_addr.slice(14))).toEqual([0, 1]);
    expect(inet_ntop(AF_INET6, a6)).toBe('::1');
    expect(inet_ntop(AF_INET6, (sockaddr_of('fe80::1:2', 0) as sockaddr_in6).sin6_addr)).toBe('fe80::1:2');
  });
});

describe('getaddrinfo', () => {
  it('lists the numeric loopback addresses as a chain of addrinfo', () => {
    const res = cell<addrinfo | null>(null);
    expect(getaddrinfo('127.0.0.1', '80', { ai_socktype: SOCK_STREAM, ai_flags: AI_NUMERICHOST | AI_NUMERICSERV }, res)).toBe(0);
    const first = res.value!;
    expect(first.ai_family).toBe(AF_INET);
    expect(first.ai_socktype).toBe(SOCK_STREAM);
    const sin = first.ai_addr as sockaddr_in;
    expect(ntohs(sin.sin_port)).toBe(80);
    expect(inet_ntop(AF_INET, sin.sin_addr)).toBe('127.0.0.1');
    expect(first.ai_next).toBeNull();

    expect(getaddrinfo('::1', '443', { ai_family: AF_INET6, ai_flags: AI_NUMERICHOST }, res)).toBe(0);
    expect(res.value!.ai_family).toBe(AF_INET6);

    expect(getaddrinfo(null, '0', { ai_family: AF_UNSPEC, ai_socktype: SOCK_STREAM, ai_flags: AI_PASSIVE }, res)).toBe(0);
    let n = 0;
    for (let p = res.value; p; p = p.ai_next) n++;
    expect(n).toBeGreaterThanOrEqual(1);
  });

  it('returns EAI codes, not errno: EAI_NONAME, EAI_SERVICE', () => {
    const res = cell<addrinfo | null>(null);
    expect(getaddrinfo('not-an-address', null, { ai_flags: AI_NUMERICHOST }, res)).toBe(EAI_NONAME);
    expect(res.value).toBeNull();
    expect(gai_strerror(EAI_NONAME)).toMatch(/not known|nodename|Name or service/i);
    expect(getaddrinfo('127.0.0.1', 'http-nope', { ai_flags: AI_NUMERICSERV }, res)).toBe(EAI_NONAME);
    expect(getaddrinfo('127.0.0.1', 'no-such-service-xyz', { ai_socktype: SOCK_STREAM }, res)).toBe(EAI_SERVICE);
  });
});

describe('getaddrinfo with hostile hints', () => {
  it('a hint whose getter throws ends the call with that exception, before the lookup', () => {
    const hints = new Proxy({}, { get() { throw new Error('from the getter'); } });
    const res = cell<addrinfo | null>(null);
    expect(() => getaddrinfo('::1', null, hints as never, res)).toThrow('from the getter');
    expect(res.value).toBe(null);
    const one = { ai_family: AF_INET, get ai_socktype(): number { throw new Error('socktype'); } };
    expect(() => getaddrinfo('127.0.0.1', null, one as never, res)).toThrow('socktype');
    expect(res.value).toBe(null);
  });
});

describe('getnameinfo', () => {
  it('gives the numeric host and port of an address', () => {
    const host = cell(''), serv = cell('');
    expect(getnameinfo(sockaddr_of('127.0.0.1', 8080), undefined, host, 1025, serv, 32, NI_NUMERICHOST | NI_NUMERICSERV)).toBe(0);
    expect([host.value, serv.value]).toEqual(['127.0.0.1', '8080']);
    expect(getnameinfo(sockaddr_of('::1', 22), undefined, host, 1025, null, 0, NI_NUMERICHOST)).toBe(0);
    expect(host.value).toBe('::1');
  });

  it('EAI_OVERFLOW when the host does not fit hostlen, as in C', () => {
    const host = cell('');
    expect(getnameinfo(sockaddr_of('127.0.0.1', 1), undefined, host, 4, null, 0, NI_NUMERICHOST)).toBe(EAI_OVERFLOW);
  });
});
