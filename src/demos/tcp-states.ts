// Demo: one TCP connection walked through its states, from CLOSED through
// LISTEN and ESTABLISHED to the close. The side that closes first (the active
// close) ends in TIME_WAIT; the other side (the passive close) goes through
// CLOSE_WAIT and LAST_ACK to CLOSED. States of live fds come from tcp_state
// (TCP_INFO); once an fd is closed, from the kernel's table.
import { sockaddr_of, tcp_state, read, usleep, AF_INET, SOCK_STREAM } from '../sys/index.js';
import { Socket, Connect, Accept, Close, printf } from '../csapp/index.js';
import { listen_loopback, local_port, table_state, print_table, LOOPBACK } from './common.js';

export interface StateStep {
  step: string;
  server: string;
  client: string;
}

// The kernel answers a FIN on loopback in microseconds; give it a moment
// until the expected state shows, at most a second.
function settle(get: () => string, want: string): string {
  let state = get();
  for (let i = 0; i < 100 && state !== want; i++) {
    usleep(10_000);
    state = get();
  }
  return state;
}

export function tcp_states_demo(activeCloser: 'client' | 'server' = 'client'): StateStep[] {
  const steps: StateStep[] = [];
  const show = (step: string, server: string, client: string) => {
    steps.push({ step, server, client });
    printf(`${step}\n    server: ${server}\n    client: ${client}\n`);
  };

  const listenfd = Socket(AF_INET, SOCK_STREAM, 0);
  const clientfd = Socket(AF_INET, SOCK_STREAM, 0);
  show('1. socket() on both sides', `listenfd ${tcp_state(listenfd)}`, `clientfd ${tcp_state(clientfd)}`);
  Close(listenfd);

  const { fd: lfd, port } = listen_loopback(5);
  show(`2. bind(127.0.0.1:${port}) + listen(): the socket is passive`, `listenfd ${tcp_state(lfd)}`, `clientfd ${tcp_state(clientfd)}`);

  Connect(clientfd, sockaddr_of(LOOPBACK, port));
  const cport = local_port(clientfd);
  show(`3. connect(): the kernel did the 3-way handshake, nobody called accept yet`,
    `listenfd ${tcp_state(lfd)}, the connection waits in the accept queue: ${table_state(port, cport)}`,
    `clientfd ${tcp_state(clientfd)} (port ${cport}: the 4-tuple is 127.0.0.1:${cport} <-> 127.0.0.1:${port})`);

  const connfd = Accept(lfd, null, null);
  show('4. accept(): the first completed connection gets its own fd', `connfd ${tcp_state(connfd)}`, `clientfd ${tcp_state(clientfd)}`);
  Close(lfd);

  const buf = new Uint8Array(16);
  if (activeCloser === 'client') {
    Close(clientfd);
    const server = settle(() => tcp_state(connfd) ?? '?', 'CLOSE_WAIT');
    show('5. the client calls close() first (active close): FIN sent, ACKed',
      `connfd ${server}`, `(fd closed) ${settle(() => table_state(cport, port), 'FIN_WAIT_2')}`);
    const n = read(connfd, buf, buf.length);
    show(`6. the server's read() returns ${n}: end of file`, `connfd ${tcp_state(connfd)}`, `(fd closed) ${table_state(cport, port)}`);
    Close(connfd);
    show('7. the server calls close() (passive close): its FIN, the last ACK',
      `(fd closed) ${settle(() => table_state(port, cport), 'CLOSED (gone from the table)')}`,
      `(fd closed) ${settle(() => table_state(cport, port), 'TIME_WAIT')}`);
  } else {
    Close(connfd);
    const client = settle(() => tcp_state(clientfd) ?? '?', 'CLOSE_WAIT');
    show('5. the server calls close() first (active close): FIN sent, ACKed',
      `(fd closed) ${settle(() => table_state(port, cport), 'FIN_WAIT_2')}`, `clientfd ${client}`);
    const n = read(clientfd, buf, buf.length);
    show(`6. the client's read() returns ${n}: end of file`, `(fd closed) ${table_state(port, cport)}`, `clientfd ${tcp_state(clientfd)}`);
    Close(clientfd);
    show('7. the client calls close() (passive close): its FIN, the last ACK',
      `(fd closed) ${settle(() => table_state(port, cport), 'TIME_WAIT')}`,
      `(fd closed) ${settle(() => table_state(cport, port), 'CLOSED (gone from the table)')}`);
  }
  printf(`kernel table for port ${port}:\n`);
  print_table(port);
  printf(`The ${activeCloser} closed first: its side waits in TIME_WAIT (2 MSL) so that the last ACK can be resent ` +
    'and old segments die; the passive side is gone.\n');
  return steps;
}
