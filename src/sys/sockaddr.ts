// Socket addresses in the C shape, byte order, and friendly helpers beside
// them. Ports and addresses inside the structs are in network byte order, as
// in C: sin_port = htons(8080), sin_addr.s_addr = htonl(INADDR_LOOPBACK).
import { endianness } from 'node:os';
import { native } from './native.js';
import { check_int } from './args.js';
import { AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC } from './constants.js';

const little = endianness() === 'LE';

/** Host to network byte order, 16 bits. */
export function htons(hostshort: number): number {
  const x = hostshort & 0xffff;
  return little ? ((x & 0xff) << 8) | (x >>> 8) : x;
}
/** Network to host byte order, 16 bits. */
export const ntohs = htons;

/** Host to network byte order, 32 bits (an unsigned result). */
export function htonl(hostlong: number): number {
  const x = hostlong >>> 0;
  return little ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;
}
/** Network to host byte order, 32 bits. */
export const ntohl = htonl;

/** struct in_addr: s_addr in network byte order. */
export interface in_addr {
  s_addr: number;
}

/** struct in6_addr: the 16 bytes of the address. */
export interface in6_addr {
  s6_addr: Uint8Array;
}

/** struct sockaddr_in. */
export class sockaddr_in {
  sin_family = AF_INET;
  /** In network byte order: htons(port). */
  sin_port = 0;
  sin_addr: in_addr = { s_addr: 0 };
}

/** struct sockaddr_in6. */
export class sockaddr_in6 {
  sin6_family = AF_INET6;
  sin6_port = 0;
  sin6_flowinfo = 0;
  sin6_addr: in6_addr = { s6_addr: new Uint8Array(16) };
  sin6_scope_id = 0;
}

/** struct sockaddr_un: a filesystem path, or (Linux) an abstract name starting with '\0'. */
export class sockaddr_un {
  sun_family = AF_UNIX;
  sun_path = '';
}

/**
 * struct sockaddr_storage: room for any address. accept, getpeername and
 * recvfrom set ss_family and the fields of the family they got, so after
 * checking ss_family it reads as a sockaddr_in or sockaddr_in6, as a cast does in C.
 */
export class sockaddr_storage {
  ss_family = AF_UNSPEC;
  sin_family?: number;
  sin_port?: number;
  sin_addr?: in_addr;
  sin6_family?: number;
  sin6_port?: number;
  sin6_flowinfo?: number;
  sin6_addr?: in6_addr;
  sin6_scope_id?: number;
  sun_family?: number;
  sun_path?: string;
}

/** Any socket address (C's struct sockaddr *). */
export type sockaddr = sockaddr_in | sockaddr_in6 | sockaddr_un | sockaddr_storage;

/** The family of an address, whichever struct it is. */
export function sa_family(sa: sockaddr): number {
  const s = sa as sockaddr_storage;
  return s.sin_family ?? s.sin6_family ?? s.sun_family ?? s.ss_family;
}

/** Friendly helper: an IPv4 or IPv6 address and a port in host order, as a struct. */
export function sockaddr_of(host: string, port: number): sockaddr_in | sockaddr_in6 {
  check_int('sockaddr_of', 'port', port, 0, 65535);
  const in4: in_addr = { s_addr: 0 };
  if (native.inet_pton(AF_INET, host, in4) === 1) {
    const sa = new sockaddr_in();
    sa.sin_port = htons(port);
    sa.sin_addr = in4;
    return sa;
  }
  const in6: in6_addr = { s6_addr: new Uint8Array(16) };
  if (native.inet_pton(AF_INET6, host, in6) === 1) {
    const sa = new sockaddr_in6();
    sa.sin6_port = htons(port);
    sa.sin6_addr = in6;
    return sa;
  }
  throw new TypeError(`sockaddr_of: not a numeric IPv4 or IPv6 address: ${JSON.stringify(host)}`);
}

/** Friendly helper: the host of an address as text ('127.0.0.1', '::1', a path). */
export function sockaddr_host(sa: sockaddr): string {
  const s = sa as sockaddr_storage;
  switch (sa_family(sa)) {
    case AF_INET: return native.inet_ntop(AF_INET, s.sin_addr!) ?? '?';
    case AF_INET6: return native.inet_ntop(AF_INET6, s.sin6_addr!) ?? '?';
    case AF_UNIX: return s.sun_path ?? '';
    default: return '?';
  }
}

/** Friendly helper: the port of an address, in host order. */
export function sockaddr_port(sa: sockaddr): number {
  const s = sa as sockaddr_storage;
  switch (sa_family(sa)) {
    case AF_INET: return ntohs(s.sin_port ?? 0);
    case AF_INET6: return ntohs(s.sin6_port ?? 0);
    default: return 0;
  }
}

/** Friendly helper: '127.0.0.1:8080', '[::1]:8080' or the socket's path. */
export function sockaddr_string(sa: sockaddr): string {
  const family = sa_family(sa);
  if (family === AF_UNIX) return sockaddr_host(sa) || '(unnamed)';
  if (family === AF_INET6) return `[${sockaddr_host(sa)}]:${sockaddr_port(sa)}`;
  if (family === AF_INET) return `${sockaddr_host(sa)}:${sockaddr_port(sa)}`;
  return `(family ${family})`;
}
