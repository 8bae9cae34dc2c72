// The socket calls with their C names, argument order and results: -1 on
// failure with errno() set. Calls that may block (accept, connect, send,
// recv...) drop the JS lock for their syscall.
import { native } from './native.js';

/** Any byte buffer: Uint8Array, Buffer, another TypedArray or a DataView. Never copied. */
export type Bytes = ArrayBufferView;

/** struct linger, for SO_LINGER. */
export interface linger {
  l_onoff: number;
  l_linger: number;
}

/** struct timeval, for SO_RCVTIMEO / SO_SNDTIMEO. */
export interface timeval {
  tv_sec: number;
  tv_usec: number;
}

/** socket(domain, type, protocol): a new fd, or -1. */
export const socket = native.socket;

/** bind(sockfd, addr, addrlen?): addrlen defaults to the size of addr's struct. */
export const bind = native.bind;

/** listen(sockfd, backlog): the backlog goes to the kernel as given. */
export const listen = native.listen;

/**
 * accept(sockfd, addr, addrlen): blocks for the next completed connection.
 * addr (a sockaddr_storage, say) receives the peer's address and addrlen's
 * value its length, as C's &clientlen; both may be null.
 */
export const accept = native.accept;

/**
 * accept4(sockfd, addr, addrlen, flags): accept, with flags SOCK_CLOEXEC
 * (the new fd is closed by exec) and SOCK_NONBLOCK set on the new fd in the
 * same call. Linux; elsewhere -1 with ENOSYS.
 */
export const accept4 = native.accept4;

/** connect(sockfd, addr, addrlen?): blocks until connected or refused. */
export const connect = native.connect;

/** send(sockfd, buf, len?, flags?): len defaults to the buffer's length and may not exceed it. */
export const send = native.send;

/** recv(sockfd, buf, len?, flags?): 0 at end of file. */
export const recv = native.recv;

/** sendto(sockfd, buf, len, flags, dest_addr | null, addrlen?). */
export const sendto = native.sendto;

/** recvfrom(sockfd, buf, len, flags, src_addr | null, addrlen | null). */
export const recvfrom = native.recvfrom;

/** shutdown(sockfd, how): SHUT_RD, SHUT_WR or SHUT_RDWR. */
export const shutdown = native.shutdown;

/** getsockname(sockfd, addr, addrlen?): the local address. */
export const getsockname = native.getsockname;

/** getpeername(sockfd, addr, addrlen?): the peer's address; ENOTCONN before connect. */
export const getpeername = native.getpeername;

/**
 * setsockopt(sockfd, level, optname, optval, optlen?): optval is a number for
 * an int option (SO_REUSEADDR, TCP_NODELAY, SO_RCVBUF...), a linger for
 * SO_LINGER, a timeval for SO_RCVTIMEO / SO_SNDTIMEO, or raw bytes.
 */
export const setsockopt = native.setsockopt;

/**
 * getsockopt(sockfd, level, optname, optval, optlen?): optval is a cell for an
 * int option (C's &optval), a linger or timeval to fill, or raw bytes.
 */
export const getsockopt = native.getsockopt;

/** socketpair(domain, type, protocol, sv): sv is C's int sv[2], an array or Int32Array. */
export const socketpair = native.socketpair;
