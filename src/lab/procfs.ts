// What Linux's /proc says about a process, the one home for reading it:
// its stat line (state, parent, group, start time, CPU times), the process
// tree, its threads (/proc/PID/task), its open fds (/proc/PID/fd, each a
// symbolic link naming what the fd refers to: "socket:[INODE]",
// "pipe:[INODE]", a path, "anon_inode:[eventpoll]"), the fields of
// /proc/PID/status, and the TCP sockets among its fds; and, from
// /proc/stat, the machine's busy CPU time. Used by watch, the grader and
// the benchmarks. Every reader tolerates a process that is gone
// (null, [] or NaN) except those that say they throw a ProcError.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { proc_net_tcp, type proc_tcp_row } from '../sys/tcp.js';

/** The one-letter states of proc(5): R running, S sleeping, Z zombie... */
export const STATE_NAMES: Record<string, string> = {
  R: 'running', S: 'sleeping', D: 'disk sleep', T: 'stopped', t: 'traced', Z: 'zombie', X: 'dead', I: 'idle',
};

export interface proc_stat {
  pid: number;
  comm: string;
  /** R S D Z T ... (STATE_NAMES) */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks after boot: with pid, names a process (pids are reused). */
  starttime: number;
  /** Its CPU time, user and system, in clock ticks (USER_HZ, 100 a second). */
  utime: number;
  stime: number;
  /** The same of its reaped children. */
  cutime: number;
  cstime: number;
}

/** Why a process cannot be read: gone, a zombie, or not ours to read. */
export class ProcError extends Error {}

// One stat line. comm is in parentheses and may itself hold spaces and
// ')': the fields after it start past the last ')', from stat(5)'s third
// (state) on.
function parse_stat(text: string): proc_stat {
  const open = text.indexOf('('), close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open - 1)), comm: text.slice(open + 1, close), state: f[0], ppid: Number(f[1]),
    pgrp: Number(f[2]), session: Number(f[3]), starttime: Number(f[19]),
    utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]),
  };
}

/** Parses /proc/PID/stat (or /proc/PID/task/TID/stat); null if it is gone. */
export function read_stat(path: string): proc_stat | null {
  try {
    return parse_stat(readFileSync(path, 'utf8'));
  } catch {
    return null; // exited between the listing and the read
  }
}

/** /proc/PID/stat, or null when the process is gone. */
export function stat_of(pid: number): proc_stat | null {
  return read_stat(`/proc/${pid}/stat`);
}

/** /proc/PID/stat, or a ProcError saying plainly why not. */
export function process_stat(pid: number): proc_stat {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ProcError(`no process ${pid}`);
    throw new ProcError(`cannot read /proc/${pid}/stat (${code})`);
  }
  return parse_stat(text);
}

/** Every process's stat: one pass over /proc, from which the tree is built. */
export function all_stats(): proc_stat[] {
  const out: proc_stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = read_stat(`/proc/${name}/stat`);
    if (st) out.push(st);
  }
  return out;
}

export interface proc_node extends proc_stat {
  children: proc_node[];
}

/** pid's children (processes whose ppid is pid), with their states. */
export function children_of(pid: number, stats = all_stats()): proc_stat[] {
  return stats.filter((s) => s.ppid === pid);
}

/** pid and its descendants, children in pid order. */
export function process_tree(root: proc_stat, stats = all_stats()): proc_node {
  const byParent = new Map<number, proc_stat[]>();
  for (const st of stats) {
    if (!byParent.has(st.ppid)) byParent.set(st.ppid, []);
    byParent.get(st.ppid)!.push(st);
  }
  const grow = (st: proc_stat, depth: number): proc_node => ({
    ...st,
    // depth bounds a (kernel-impossible) cycle from reused pids read at different moments
    children: depth > 64 ? [] : (byParent.get(st.pid) ?? []).sort((a, b) => a.pid - b.pid).map((c) => grow(c, depth + 1)),
  });
  return grow(root, 0);
}

/** pid and its descendants, flat, pid first; [] when pid is gone. */
export function tree_of(pid: number, stats = all_stats()): proc_stat[] {
  const root = stats.find((s) => s.pid === pid);
  if (!root) return [];
  const out: proc_stat[] = [];
  const walk = (n: proc_node) => {
    const { children, ...st } = n;
    out.push(st);
    children.forEach(walk);
  };
  walk(process_tree(root, stats));
  return out;
}

/**
 * Which of procs still run: the same pid with the same start time, and not
 * yet a zombie (a zombie has given its memory back and runs no more).
 */
export function still_running(procs: proc_stat[], stats = all_stats()): proc_stat[] {
  const now = new Map(stats.map((s) => [s.pid, s]));
  return procs.filter((p) => {
    const s = now.get(p.pid);
    return s !== undefined && s.starttime === p.starttime && s.state !== 'Z' && s.state !== 'X';
  });
}

// A process's CPU time so far in ticks: its own, and its reaped children's.
const cpu_ticks = (s: proc_stat) => s.utime + s.stime + s.cutime + s.cstime;

/**
 * The name a user knows a process by: its argv[0] without the folder
 * (/proc/PID/cmdline), as comm may be a thread's name (Node 24 names its
 * main thread "MainThread"); comm when that is empty or gone.
 */
function command_name(s: proc_stat): string {
  try {
    const argv0 = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0', 1)[0];
    return argv0 ? argv0.slice(argv0.lastIndexOf('/') + 1) : s.comm;
  } catch {
    return s.comm;
  }
}

/** The CPU that processes outside a tree used: in all, and by command. */
export interface cpu_elsewhere {
  seconds: number;
  /** Seconds by command (argv[0]'s name); a kernel thread's comm in brackets, as ps(1) shows it ("[kswapd0]"). */
  by: Map<string, number>;
}

/**
 * The CPU time, in seconds, that processes outside root's tree (root and
 * its descendants, as `after` has them) used between two all_stats()
 * snapshots: other work that shared the machine. A process is one pid
 * with one start time; one that started in between counts whole. One that
 * started and ended in between counts where it was reaped (in its parent's
 * cutime), or not at all when its parent had not waited for it yet.
 */
export function cpu_outside(root: number, before: proc_stat[], after: proc_stat[]): cpu_elsewhere {
  const ours = new Set(tree_of(root, after).map((s) => s.pid));
  const was = new Map(before.map((s) => [`${s.pid}:${s.starttime}`, cpu_ticks(s)]));
  const by = new Map<string, number>();
  let ticks = 0;
  for (const s of after) {
    if (ours.has(s.pid)) continue;
    const d = Math.max(0, cpu_ticks(s) - (was.get(`${s.pid}:${s.starttime}`) ?? 0));
    if (d === 0) continue;
    ticks += d;
    const name = s.pid === 2 || s.ppid === 2 ? `[${s.comm}]` : command_name(s); // kthreadd's children are the kernel's threads
    by.set(name, (by.get(name) ?? 0) + d / 100);
  }
  return { seconds: ticks / 100, by };
}

/**
 * The machine's busy CPU time so far, in seconds, from the first line of
 * /proc/stat: user, nice, system, irq, softirq and steal; not idle or
 * iowait (USER_HZ, 100 ticks a second). Undefined without /proc/stat.
 */
export function machine_busy_seconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / 100;
  } catch {
    return undefined;
  }
}

/** The threads of pid (/proc/PID/task), the main thread first (its tid is the pid). */
export function threads(pid: number): proc_stat[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.map((t) => read_stat(`/proc/${pid}/task/${t}/stat`)).filter((s): s is proc_stat => s !== null)
    .sort((a, b) => a.pid - b.pid);
}

export interface fd_link {
  fd: number;
  /** What readlink gives: "socket:[123]", "pipe:[456]", "/dev/null", "anon_inode:[eventpoll]". */
  target: string;
}

/**
 * The open fds of pid. Reading another user's /proc/PID/fd needs the right to
 * ptrace it: EACCES becomes a ProcError that says so.
 */
export function fds(pid: number): fd_link[] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ProcError(`no process ${pid}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ProcError(`process ${pid} is not ours to read (/proc/${pid}/fd: ${code})`);
    }
    throw new ProcError(`cannot read /proc/${pid}/fd (${code})`);
  }
  const out: fd_link[] = [];
  for (const name of names) {
    try {
      out.push({ fd: Number(name), target: readlinkSync(`/proc/${pid}/fd/${name}`) });
    } catch {
      // closed between the listing and the readlink
    }
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/** The fds of a process we may not be able to read (a child): [] rather than an error. */
export function fds_or_none(pid: number): fd_link[] {
  try {
    return fds(pid);
  } catch {
    return [];
  }
}

/** The inode N of "socket:[N]" / "pipe:[N]", or null. */
export function link_inode(target: string, kind: 'socket' | 'pipe'): number | null {
  const m = new RegExp(`^${kind}:\\[(\\d+)\\]$`).exec(target);
  return m ? Number(m[1]) : null;
}

/** How many fds pid has open now, or undefined when it is gone. */
export function fd_count(pid: number | 'self'): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** A number field of /proc/PID/status ("Threads", "VmRSS" in KiB...), NaN when gone or absent. */
export function status_field(pid: number | 'self', field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The CPUs pid may run on, as /proc/PID/status lists them ("0-1", "1"), or undefined when gone. */
export function cpus_allowed(pid: number | 'self'): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Whether /proc/PID/environ holds `entry` ("NAME=value"); false when unreadable. */
export function environ_has(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/** The TCP sockets among pid's fds, as its network namespace's table has them; [] when gone. */
export function sockets_of(pid: number): proc_tcp_row[] {
  let table: proc_tcp_row[];
  try {
    table = proc_net_tcp(pid);
  } catch {
    return [];
  }
  const by_inode = new Map(table.filter((r) => r.inode !== 0).map((r) => [r.inode, r]));
  return fds_or_none(pid).flatMap((l) => {
    const row = by_inode.get(link_inode(l.target, 'socket') ?? 0);
    return row ? [row] : [];
  });
}

/** The ports on which pid (or any of `pids`) listens. */
export function listening_ports(pids: number[]): number[] {
  const ports = new Set<number>();
  for (const pid of pids) for (const s of sockets_of(pid)) if (s.state === 'LISTEN') ports.add(s.local.port);
  return [...ports].sort((a, b) => a - b);
}
