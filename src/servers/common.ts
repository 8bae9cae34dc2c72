// What every course server shares: its options, the "listening on" line that
// tells a caller (the CLI, a test, the benchmark runner) where to connect,
// and the client's name for the "Connected to" line.
import { cell, sizeof, sockaddr_storage, sockaddr_host, sockaddr_port, NI_NUMERICHOST, NI_NUMERICSERV } from '../sys/index.js';
import { Getsockname, Getnameinfo, printf } from '../csapp/index.js';

export interface ServerOptions {
  /** The address to listen on: '127.0.0.1' (the CLI's default), '::1', '0.0.0.0'... */
  host: string;
  /** The port; 0 lets the kernel choose. */
  port: number;
  /** No per-connection and per-line messages (for benchmarks). */
  quiet?: boolean;
  /** Seconds to sleep before close (the daytime server: "you will notice"). */
  sleep?: number;
  /** echo-fork lesson variant: no SIGCHLD handler, the children stay zombies. */
  noReap?: boolean;
  /** echo-fork lesson variant: the parent forgets close(connfd). */
  forgetClose?: boolean;
  /** echo-fork: skip echo_warm, so the children run the echo path unoptimized. */
  cold?: boolean;
  /** tiny: the directory to serve (it changes into it); default: where it runs. */
  root?: string;
  /**
   * Say what the server does: the child's pid and each reap (echo-fork), the
   * thread per connection (echo-threads), clients added and removed and the
   * pool's size (the select servers), the 4-tuple (daytime, echo-iterative).
   */
  verbose?: boolean;
}

export const MAXLINE = 8192;

/** Prints `listening on HOST:PORT` with the port the kernel gave the listening socket. */
export function announce(listenfd: number): void {
  const addr = new sockaddr_storage();
  Getsockname(listenfd, addr, cell(sizeof.sockaddr_storage));
  printf(`listening on ${sockaddr_host(addr)}:${sockaddr_port(addr)}\n`);
}

/**
 * A connection's 4-tuple as the lesson writes it: "(127.0.0.1, 5000) <->
 * (127.0.0.1, 41234)", the server's end (getsockname on connfd) first.
 */
export function four_tuple(connfd: number, clientaddr: sockaddr_storage, clientlen: number): string {
  const local = new sockaddr_storage();
  Getsockname(connfd, local, cell(sizeof.sockaddr_storage));
  const [host, port] = client_name(clientaddr, clientlen);
  return `(${sockaddr_host(local)}, ${sockaddr_port(local)}) <-> (${host}, ${port})`;
}

/** The client's numeric host and port, as getnameinfo gives them (the 4-tuple's other half). */
export function client_name(clientaddr: sockaddr_storage, clientlen: number): [string, string] {
  const host = cell(''), port = cell('');
  Getnameinfo(clientaddr, clientlen, host, MAXLINE, port, MAXLINE, NI_NUMERICHOST | NI_NUMERICSERV);
  return [host.value, port.value];
}
