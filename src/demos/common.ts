// Shared by the demos: a listening socket on loopback with the port the
// kernel chose, and the kernel's TCP table printed the way the lesson draws it.
import { cell, sizeof, socket, bind, close, sockaddr_of, sockaddr_storage, sockaddr_port, tcp_table, AF_INET, SOCK_STREAM } from '../sys/index.js';
import { Socket, Bind, Listen, Getsockname, printf } from '../csapp/index.js';

export const LOOPBACK = '127.0.0.1';

/** A TCP socket bound to 127.0.0.1:0 and listening with `backlog`; its fd and port. */
export function listen_loopback(backlog: number, setup?: (fd: number) => void): { fd: number; port: number } {
  const fd = Socket(AF_INET, SOCK_STREAM, 0);
  setup?.(fd);
  Bind(fd, sockaddr_of(LOOPBACK, 0));
  Listen(fd, backlog);
  return { fd, port: local_port(fd) };
}

/** A loopback port with nothing listening: bound, then closed (a connect there gets ECONNREFUSED). */
export function closed_port(): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(fd, sockaddr_of(LOOPBACK, 0));
  const port = local_port(fd);
  close(fd);
  return port;
}

export function local_port(fd: number): number {
  const addr = new sockaddr_storage();
  Getsockname(fd, addr, cell(sizeof.sockaddr_storage));
  return sockaddr_port(addr);
}

/** The kernel's rows for `port`, one line each: "127.0.0.1:5000 -> 127.0.0.1:43210  TIME_WAIT". */
export function table_lines(port: number): string[] {
  return tcp_table(port).map((r) =>
    `${r.local.host}:${r.local.port} -> ${r.remote.host}:${r.remote.port}  ${r.state}`);
}

/** The state the kernel's table gives the connection whose local port is `port` (with remote port `peer`). */
export function table_state(port: number, peer: number): string {
  return tcp_table(port).find((r) => r.local.port === port && r.remote.port === peer)?.state ?? 'CLOSED (gone from the table)';
}

export function print_table(port: number, indent = '    '): void {
  const lines = table_lines(port);
  printf(lines.length ? lines.map((l) => `${indent}${l}\n`).join('') : `${indent}(no connection on port ${port})\n`);
}

/** Seconds since `t0` (performance.now()), as "1.23 s". */
export function since(t0: number): string {
  return `${((performance.now() - t0) / 1000).toFixed(2)} s`;
}
