// Name and address translation: getaddrinfo / getnameinfo, inet_pton /
// inet_ntop, as in C (getaddrinfo's result list is chained by ai_next).
import { native } from './native.js';
import type { sockaddr } from './sockaddr.js';

/** struct addrinfo. */
export interface addrinfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  ai_addrlen: number;
  ai_addr: sockaddr;
  ai_canonname: string | null;
  ai_next: addrinfo | null;
}

/** The hints argument: any of the four fields, the others 0 (C's memset then set). */
export type addrinfo_hints = Partial<Pick<addrinfo, 'ai_flags' | 'ai_family' | 'ai_socktype' | 'ai_protocol'>>;

/**
 * getaddrinfo(node, service, hints, res): 0 and res.value = the first addrinfo
 * of the list, or an EAI_* code (see gai_strerror; EAI_SYSTEM: see errno()).
 */
export const getaddrinfo = native.getaddrinfo;

/** freeaddrinfo(res): nothing to free (the list is garbage-collected); kept so C ports line by line. */
export function freeaddrinfo(_res: addrinfo | null): void {}

/** The text of an EAI_* code. */
export const gai_strerror = native.gai_strerror;

/**
 * getnameinfo(sa, salen, host, hostlen, serv, servlen, flags): host and serv
 * are cells that receive the names (or null). 0 or an EAI_* code.
 */
export const getnameinfo = native.getnameinfo;

/** inet_pton(af, src, dst): 1 and dst filled, 0 if src is not an address of af, -1 (EAFNOSUPPORT). */
export const inet_pton = native.inet_pton;

/** inet_ntop(af, src): the text of the address, or null with errno (EAFNOSUPPORT). */
export const inet_ntop = native.inet_ntop;
