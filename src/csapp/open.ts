// open_clientfd and open_listenfd, CSAPP 3e's protocol-independent helpers
// over getaddrinfo: IPv4 and IPv6 alike.
import {
  type addrinfo, cell, socket, connect, bind, listen, close, setsockopt, getaddrinfo, freeaddrinfo, errno, set_errno,
  SOCK_STREAM, AI_NUMERICSERV, AI_ADDRCONFIG, AI_PASSIVE, SOL_SOCKET, SO_REUSEADDR,
} from '../sys/index.js';
import { check, gai_error } from './errors.js';

/** The backlog CSAPP passes to listen. */
export const LISTENQ = 1024;

// The EAI_* code behind the last -2 from open_clientfd / open_listenfd, for their wrappers.
let last_gai_error = 0;

/**
 * open_clientfd(hostname, port): a socket connected to the server, or -2 when
 * getaddrinfo failed, -1 with errno when every address failed.
 */
export function open_clientfd(hostname: string, port: string | number): number {
  const listp = cell<addrinfo | null>(null);
  // A connected TCP socket to a numeric port, on an address family this host has.
  const hints = { ai_socktype: SOCK_STREAM, ai_flags: AI_NUMERICSERV | AI_ADDRCONFIG };
  const rc = getaddrinfo(hostname, String(port), hints, listp);
  if (rc !== 0) {
    last_gai_error = rc;
    return -2;
  }
  let clientfd = -1;
  let saved = 0;
  for (let p = listp.value; p; p = p.ai_next) {
    clientfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol);
    if (clientfd < 0) {
      saved = errno();
      continue; // socket failed: try the next address
    }
    if (connect(clientfd, p.ai_addr, p.ai_addrlen) !== -1) break; // success
    saved = errno();
    close(clientfd); // connect failed: try another
    clientfd = -1;
  }
  freeaddrinfo(listp.value);
  if (clientfd < 0) set_errno(saved); // the reason of the last failure, not close's
  return clientfd;
}

/**
 * open_listenfd(port, host?): a listening socket on port (0: the kernel
 * chooses; see getsockname), or -2 / -1 as open_clientfd. CSAPP listens on
 * every address (host null); `host` narrows it, e.g. to '127.0.0.1' or '::1'.
 */
export function open_listenfd(port: string | number, host: string | null = null): number {
  const listp = cell<addrinfo | null>(null);
  // Passive (for a server) TCP sockets on any address this host has, numeric port.
  const hints = { ai_socktype: SOCK_STREAM, ai_flags: AI_PASSIVE | AI_ADDRCONFIG | AI_NUMERICSERV };
  const rc = getaddrinfo(host, String(port), hints, listp);
  if (rc !== 0) {
    last_gai_error = rc;
    return -2;
  }
  let listenfd = -1;
  let saved = 0;
  for (let p = listp.value; p; p = p.ai_next) {
    listenfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol);
    if (listenfd < 0) {
      saved = errno();
      continue;
    }
    // No "Address already in use" from bind because of an old TIME_WAIT.
    setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (bind(listenfd, p.ai_addr, p.ai_addrlen) === 0) break; // success
    saved = errno();
    close(listenfd);
    listenfd = -1;
  }
  freeaddrinfo(listp.value);
  if (listenfd < 0) {
    set_errno(saved);
    return -1;
  }
  if (listen(listenfd, LISTENQ) < 0) {
    saved = errno();
    close(listenfd);
    set_errno(saved);
    return -1;
  }
  return listenfd;
}

/** Open_clientfd: throws a UnixError (ECONNREFUSED, EAI_NONAME...) instead of returning -1 / -2. */
export function Open_clientfd(hostname: string, port: string | number): number {
  const rc = open_clientfd(hostname, port);
  if (rc === -2) gai_error(last_gai_error, 'open_clientfd');
  return check(rc, 'open_clientfd');
}

/** Open_listenfd: throws a UnixError (EADDRINUSE, EAI_NONAME...) instead of returning -1 / -2. */
export function Open_listenfd(port: string | number, host: string | null = null): number {
  const rc = open_listenfd(port, host);
  if (rc === -2) gai_error(last_gai_error, 'open_listenfd');
  return check(rc, 'open_listenfd');
}
