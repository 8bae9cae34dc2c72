// TCP introspection: tcp_state per fd and the kernel's table, where TIME_WAIT
// stays visible after the fd is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { tcp_state, tcp_table, close, read, shutdown, usleep, socket, AF_INET, SOCK_STREAM, SHUT_WR } from '../src/sys/index.js';
import { FdScope, tcp_pair } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

function eventually<T>(get: () => T, want: T): T {
  let v = get();
  for (let i = 0; i < 100 && v !== want; i++) {
    usleep(10_000);
    v = get();
  }
  return v;
}

describe('tcp_state', () => {
  it('follows a connection: CLOSED, LISTEN, ESTABLISHED, FIN_WAIT_2 / CLOSE_WAIT', () => {
    expect(tcp_state(fds.add(socket(AF_INET, SOCK_STREAM, 0)))).toBe('CLOSED');
    const { listenfd, port, clientfd, connfd } = tcp_pair(fds);
    expect(tcp_state(listenfd)).toBe('LISTEN');
    expect(tcp_state(clientfd)).toBe('ESTABLISHED');
    expect(tcp_state(connfd)).toBe('ESTABLISHED');
    shutdown(clientfd, SHUT_WR);
    expect(eventually(() => tcp_state(clientfd), 'FIN_WAIT_2')).toBe('FIN_WAIT_2');
    expect(eventually(() => tcp_state(connfd), 'CLOSE_WAIT')).toBe('CLOSE_WAIT');
    expect(read(connfd, new Uint8Array(1), 1)).toBe(0);
    close(connfd);
    // The client got the FIN after its own: TIME_WAIT. Linux hands the
    // connection to a timewait socket, so the fd reads CLOSED and only the
    // kernel's table shows TIME_WAIT.
    expect(eventually(() => tcp_table(port).find((r) => r.remote.port === port)?.state, 'TIME_WAIT')).toBe('TIME_WAIT');
    expect(tcp_state(clientfd)).toBe(process.platform === 'linux' ? 'CLOSED' : 'TIME_WAIT');
  });

  it('is null with EBADF for a closed fd', () => {
    expect(tcp_state(123456)).toBeNull();
  });
});

describe('tcp_table', () => {
  it('shows the active closer in TIME_WAIT after both fds are closed, the passive one gone', () => {
    const { port, clientfd, connfd } = tcp_pair(fds);
    const row = tcp_table(port).find((r) => r.local.port === port && r.state === 'ESTABLISHED')!;
    expect(row.local.host).toBe('127.0.0.1');
    const clientPort = row.remote.port;
    close(clientfd); // active close
    expect(read(connfd, new Uint8Array(1), 1)).toBe(0);
    close(connfd); // passive close
    const state = (local: number) => () => tcp_table(port).find((r) => r.local.port === local)?.state ?? 'gone';
    expect(eventually(state(clientPort), 'TIME_WAIT')).toBe('TIME_WAIT');
    expect(eventually(() => tcp_table(port).filter((r) => r.local.port === port && r.remote.port === clientPort).length, 0)).toBe(0);
    expect(tcp_table(port).find((r) => r.local.port === port)?.state).toBe('LISTEN');
  });
});
