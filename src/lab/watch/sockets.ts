// The kernel's socket tables, indexed by inode: an fd "socket:[N]" is the
// row of /proc/PID/net/tcp (or tcp6) whose inode column is N. Read in the
// watched process's network namespace (/proc/PID/net), not ours.
import { readFileSync } from 'node:fs';
import { proc_net_tcp, type proc_tcp_row } from '../../sys/tcp.js';
import { listen_backlogs } from './inet-diag.js';

export interface socket_tables {
  /** Every TCP row, TIME_WAIT ones (inode 0) included. */
  tcp: proc_tcp_row[];
  /** TCP rows by the inode of their socket. */
  tcp_by_inode: Map<number, proc_tcp_row>;
  /** Inodes of Unix-domain sockets (/proc/PID/net/unix), so that they are not called unknown. */
  unix: Set<number>;
  /** The backlog of each LISTEN socket by inode (sock_diag, in our namespace); null if netlink is refused. */
  backlogs: Map<number, number> | null;
}

export function read_socket_tables(pid: number): socket_tables {
  const tcp = proc_net_tcp(pid);
  const tcp_by_inode = new Map<number, proc_tcp_row>();
  for (const row of tcp) if (row.inode !== 0) tcp_by_inode.set(row.inode, row);
  const unix = new Set<number>();
  try {
    // Num RefCount Protocol Flags Type St Inode [Path]
    for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 7) unix.add(Number(f[6]));
    }
  } catch {
    // no Unix sockets table: such fds show as "socket"
  }
  return { tcp, tcp_by_inode, unix, backlogs: listen_backlogs() };
}

/** TIME_WAIT rows whose local port is `port`: connections this server closed first. */
export function time_wait_count(tables: socket_tables, port: number): number {
  return tables.tcp.filter((r) => r.state === 'TIME_WAIT' && r.local.port === port).length;
}
