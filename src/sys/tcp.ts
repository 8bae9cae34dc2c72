// TCP introspection: the state of a socket fd, and the kernel's table of TCP
// connections, which still lists a connection in TIME_WAIT after its fd is gone.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { endianness } from 'node:os';
import { native } from './native.js';
import { AF_INET6 } from './constants.js';

/** The RFC 793 states, as the kernel's tables name them. */
export type tcp_state_name =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'CLOSE_WAIT' | 'FIN_WAIT_1'
  | 'CLOSING' | 'LAST_ACK' | 'FIN_WAIT_2' | 'TIME_WAIT' | 'UNKNOWN';

/**
 * tcp_state(fd): the TCP state of a socket ('LISTEN', 'ESTABLISHED',
 * 'CLOSE_WAIT', ...) from TCP_INFO (Linux) or TCP_CONNECTION_INFO (macOS);
 * null with errno() set for a bad fd or a socket that is not TCP.
 */
export const tcp_state = native.tcp_state;

/** One row of the kernel's TCP table. */
export interface tcp_connection {
  local: { host: string; port: number };
  remote: { host: string; port: number };
  state: tcp_state_name;
}

// /proc/net/tcp numbers the states as include/net/tcp_states.h does.
const LINUX_STATES: tcp_state_name[] = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECEIVED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING',
];

const little = endianness() === 'LE';

// /proc/net/tcp prints each 32-bit word of an address as the host reads it.
// IPv4 is spelled here (a table can hold 100,000 rows in TIME_WAIT, and a
// native call per row tripled the time to read it); IPv6 goes to inet_ntop.
function procAddress(hex: string): string {
  if (hex.length === 8) {
    const v = parseInt(hex, 16);
    const b = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    return (little ? b.reverse() : b).join('.');
  }
  const words = hex.length / 8;
  const bytes = new Uint8Array(words * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words; i++) view.setUint32(i * 4, parseInt(hex.slice(i * 8, i * 8 + 8), 16), little);
  return native.inet_ntop(AF_INET6, bytes) ?? '?';
}

/**
 * One row of Linux's /proc/net/tcp or tcp6, with what the short table leaves
 * out: the socket's inode (the N of an fd's "socket:[N]"; 0 in TIME_WAIT, when
 * no socket is left) and the queues. For a LISTEN socket rx_queue is the
 * accept queue's current length; its limit, the backlog, is not in this file
 * (tx_queue is write_seq - snd_una, 0 for a listener): sock_diag has it.
 */
export interface proc_tcp_row extends tcp_connection {
  inode: number;
  tx_queue: number;
  rx_queue: number;
}

/**
 * proc_net_tcp(pid?): Linux's TCP table as /proc/net/tcp and tcp6 print it,
 * in the network namespace of process pid (default: this one). Throws what
 * readFileSync throws when /proc/PID/net/tcp cannot be read.
 */
export function proc_net_tcp(pid?: number): proc_tcp_row[] {
  const dir = pid === undefined ? '/proc/net' : `/proc/${pid}/net`;
  const rows: proc_tcp_row[] = [];
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${dir}/${file}`, 'utf8');
    } catch (err) {
      if (file === 'tcp6' && (err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no IPv6 in this kernel
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [la, lp] = f[1].split(':');
      const [ra, rp] = f[2].split(':');
      const [tx, rx] = f[4].split(':');
      rows.push({
        local: { host: procAddress(la), port: parseInt(lp, 16) },
        remote: { host: procAddress(ra), port: parseInt(rp, 16) },
        state: LINUX_STATES[parseInt(f[3], 16)] ?? 'UNKNOWN',
        inode: Number(f[9]),
        tx_queue: parseInt(tx, 16),
        rx_queue: parseInt(rx, 16),
      });
    }
  }
  return rows;
}

function linuxTable(): tcp_connection[] {
  return proc_net_tcp().map(({ local, remote, state }) => ({ local, remote, state }));
}

// macOS has no /proc: netstat prints the same table ("127.0.0.1.8080").
function netstatTable(): tcp_connection[] {
  const text = execFileSync('netstat', ['-an', '-p', 'tcp'], { encoding: 'utf8' });
  const split = (a: string) => {
    const dot = a.lastIndexOf('.');
    return { host: a.slice(0, dot), port: Number(a.slice(dot + 1)) || 0 };
  };
  const rows: tcp_connection[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^tcp[46]*$/.test(f[0] ?? '') || f.length < 6) continue;
    const state = (f[5] === 'SYN_RCVD' ? 'SYN_RECEIVED' : f[5]) as tcp_state_name;
    rows.push({ local: split(f[3]), remote: split(f[4]), state });
  }
  return rows;
}

/**
 * tcp_table(port?): the kernel's TCP connections, those whose local or remote
 * port is `port` when given. Linux reads /proc/net/tcp and tcp6; macOS asks netstat.
 */
export function tcp_table(port?: number): tcp_connection[] {
  const rows = process.platform === 'linux' ? linuxTable() : netstatTable();
  return port === undefined ? rows : rows.filter((r) => r.local.port === port || r.remote.port === port);
}
