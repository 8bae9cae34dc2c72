// What the grader reads about the server under test from /proc (Linux):
// its children and their states, its fds, its threads, its memory, the TCP
// sockets it listens on. Every reader tolerates a process that is gone.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface proc_stat {
  pid: number;
  state: string; // R S D Z T ...
  ppid: number;
  pgrp: number;
  session: number;
  starttime: number; // clock ticks after boot: with pid, names a process (pids are reused)
}

/** /proc/PID/stat, or null when the process is gone. */
export function stat_of(pid: number): proc_stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]), starttime: Number(f[19]) };
}

/** Every process of the machine (that we may read). */
export function all_stats(): proc_stat[] {
  const out: proc_stat[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat_of(Number(d));
    if (s) out.push(s);
  }
  return out;
}

/** pid's children (processes whose ppid is pid), with their states. */
export function children_of(pid: number, stats = all_stats()): proc_stat[] {
  return stats.filter((s) => s.ppid === pid);
}

/** Whether /proc/PID/environ holds `entry` ("NAME=value"); false when unreadable. */
export function environ_has(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/** The targets of pid's open fds ("socket:[123]", "/dev/null", "pipe:[9]"), [] when gone. */
export function fd_targets(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      out.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function status_field(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Threads of pid (kernel tasks: a thread that ended is gone from here even if never joined). */
export const threads_of = (pid: number): number => status_field(pid, 'Threads');
/** Address space in KiB: a joinable thread never joined keeps its stack mapped here. */
export const vmsize_of = (pid: number): number => status_field(pid, 'VmSize');
/** Resident memory in KiB. */
export const rss_of = (pid: number): number => status_field(pid, 'VmRSS');

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT', '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING',
};

export interface tcp_socket {
  inode: string;
  local_port: number;
  state: string;
}

/** The TCP sockets of pid's network namespace, by inode (tcp and tcp6). */
export function tcp_sockets(pid: number): Map<string, tcp_socket> {
  const out = new Map<string, tcp_socket>();
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local_port = parseInt(f[1].split(':')[1], 16);
      out.set(f[9], { inode: f[9], local_port, state: TCP_STATES[f[3]] ?? f[3] });
    }
  }
  return out;
}

/** The TCP sockets among pid's fds, with their states. */
export function sockets_of(pid: number): tcp_socket[] {
  const table = tcp_sockets(pid);
  const out: tcp_socket[] = [];
  for (const t of fd_targets(pid)) {
    const m = /^socket:\[(\d+)\]$/.exec(t);
    const s = m && table.get(m[1]);
    if (s) out.push(s);
  }
  return out;
}

/** The ports on which pid (or any of `pids`) listens. */
export function listening_ports(pids: number[]): number[] {
  const ports = new Set<number>();
  for (const pid of pids) for (const s of sockets_of(pid)) if (s.state === 'LISTEN') ports.add(s.local_port);
  return [...ports].sort((a, b) => a - b);
}
