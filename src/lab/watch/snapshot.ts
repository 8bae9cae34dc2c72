// One frame of `syscall-lab watch`: what the process tree, the threads, the
// fds and the TCP tables say about a process at one moment, as plain data
// (what --json prints, and what render.ts draws).
import { ProcError, process_stat, process_tree, threads, fds, fds_or_none, link_inode, type proc_node, type fd_link } from '../procfs.js';
import { read_socket_tables, time_wait_count, type socket_tables } from './sockets.js';

export type fd_info =
  | { fd: number; kind: 'listen'; local: string; accept_queue: number; backlog: number | null }
  | { fd: number; kind: 'tcp'; local: string; peer: string; state: string }
  | { fd: number; kind: 'unix' | 'socket' | 'pipe' | 'file' | 'other'; what: string };

export interface process_info {
  pid: number;
  comm: string;
  state: string;
  zombie: boolean;
  /** Its TCP connections (fds to connected sockets), for a child in the tree. */
  connections: fd_info[];
  children: process_info[];
}

export interface frame {
  time: string;
  pid: number;
  comm: string;
  state: string;
  threads: { tid: number; comm: string; state: string }[];
  fds: fd_info[];
  /** Child processes, and theirs. */
  children: process_info[];
  /** TIME_WAIT count on each port the process listens on. */
  time_wait: { port: number; count: number }[];
}

const hostport = (a: { host: string; port: number }) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

export function describe_fd(link: fd_link, tables: socket_tables): fd_info {
  const { fd, target } = link;
  const sock = link_inode(target, 'socket');
  if (sock !== null) {
    const row = tables.tcp_by_inode.get(sock);
    if (row?.state === 'LISTEN') {
      return { fd, kind: 'listen', local: hostport(row.local), accept_queue: row.rx_queue, backlog: tables.backlogs?.get(sock) ?? null };
    }
    if (row) return { fd, kind: 'tcp', local: hostport(row.local), peer: hostport(row.remote), state: row.state };
    if (tables.unix.has(sock)) return { fd, kind: 'unix', what: target };
    return { fd, kind: 'socket', what: target };
  }
  if (link_inode(target, 'pipe') !== null) return { fd, kind: 'pipe', what: target };
  if (target.startsWith('/')) return { fd, kind: 'file', what: target };
  return { fd, kind: 'other', what: target };
}

function child_info(node: proc_node, tables: socket_tables): process_info {
  const zombie = node.state === 'Z';
  const connections = zombie ? [] : fds_or_none(node.pid).map((l) => describe_fd(l, tables)).filter((f) => f.kind === 'tcp' || f.kind === 'listen');
  return { pid: node.pid, comm: node.comm, state: node.state, zombie, connections, children: node.children.map((c) => child_info(c, tables)) };
}

/** Reads one frame; throws ProcError if pid is gone or not ours to read. */
export function snapshot(pid: number): frame {
  const st = process_stat(pid);
  if (st.state === 'Z') throw new ProcError(`process ${pid} has exited: a zombie its parent has not reaped`);
  const links = fds(pid); // first: the one that says "not ours to read"
  let tables: socket_tables;
  try {
    tables = read_socket_tables(pid);
  } catch (err) {
    // It exited between the reads (a zombie has no /proc/PID/net): say that, not a stack.
    const now = process_stat(pid);
    if (now.state === 'Z') throw new ProcError(`process ${pid} has exited: a zombie its parent has not reaped`);
    throw new ProcError(`cannot read /proc/${pid}/net/tcp (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const fdinfo = links.map((l) => describe_fd(l, tables));
  const ports = [...new Set(fdinfo.flatMap((f) => (f.kind === 'listen' ? [Number(f.local.slice(f.local.lastIndexOf(':') + 1))] : [])))];
  return {
    time: new Date().toISOString(),
    pid,
    comm: st.comm,
    state: st.state,
    threads: threads(pid).map((t) => ({ tid: t.pid, comm: t.comm, state: t.state })),
    fds: fdinfo,
    // Not watch itself, when it watches its own parent.
    children: process_tree(st).children.filter((c) => c.pid !== process.pid).map((c) => child_info(c, tables)),
    time_wait: ports.map((port) => ({ port, count: time_wait_count(tables, port) })),
  };
}
