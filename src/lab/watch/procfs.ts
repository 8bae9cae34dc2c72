// What /proc says about a process: its state, its children (the process
// tree), its threads (/proc/PID/task) and its open fds (/proc/PID/fd, each a
// symbolic link naming what the fd refers to: "socket:[INODE]", "pipe:[INODE]",
// a path, "anon_inode:[eventpoll]"). Linux only.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** The one-letter states of proc(5): R running, S sleeping, Z zombie... */
export const STATE_NAMES: Record<string, string> = {
  R: 'running', S: 'sleeping', D: 'disk sleep', T: 'stopped', t: 'traced', Z: 'zombie', X: 'dead', I: 'idle',
};

export interface proc_stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
}

/** Why a process cannot be watched: gone, or not ours to read. */
export class WatchError extends Error {}

/** Parses /proc/PID/stat (or /proc/PID/task/TID/stat); null if it is gone. */
export function read_stat(path: string): proc_stat | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null; // exited between the listing and the read
  }
  // comm is in parentheses and may itself hold spaces and ')': split at the last ')'.
  const open = text.indexOf('('), close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { pid: Number(text.slice(0, open - 1)), comm: text.slice(open + 1, close), state: rest[0], ppid: Number(rest[1]) };
}

/** /proc/PID/stat, or a WatchError saying plainly why not. */
export function process_stat(pid: number): proc_stat {
  try {
    readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WatchError(`no process ${pid}`);
    throw new WatchError(`cannot read /proc/${pid}/stat (${code})`);
  }
  const st = read_stat(`/proc/${pid}/stat`);
  if (!st) throw new WatchError(`no process ${pid}`);
  return st;
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
 * ptrace it: EACCES becomes a WatchError that says so.
 */
export function fds(pid: number): fd_link[] {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WatchError(`no process ${pid}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new WatchError(`process ${pid} is not ours to read (/proc/${pid}/fd: ${code})`);
    }
    throw new WatchError(`cannot read /proc/${pid}/fd (${code})`);
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
