// A server's memory, read from Linux's /proc: the sum over the server's
// process tree (the server and its children, their children...) of each
// process's resident set (VmRSS) and proportional set (Pss, from
// smaps_rollup: a page shared by n processes counts 1/n in each, so a fork
// server's children are not charged again for the pages they share with
// the parent). A thread server is one process with many threads.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export interface TreeMemory {
  /** Sum of VmRSS over the tree, in KiB. */
  rss_kb: number;
  /** Sum of Pss over the tree, in KiB (undefined where smaps_rollup is missing or unreadable). */
  pss_kb?: number;
  processes: number;
  threads: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone (exited) meanwhile, or not Linux
  }
}

/** The pids of a process's children (each thread's children file, Linux 3.5+). */
function childrenOf(pid: number, byParent: Map<number, number[]> | undefined): number[] {
  if (byParent) return byParent.get(pid) ?? [];
  const kids: number[] = [];
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kids;
  }
  for (const tid of tids) {
    const text = read(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const p of text.trim().split(/\s+/)) if (p) kids.push(Number(p));
  }
  return kids;
}

/** Without the children files (CONFIG_PROC_CHILDREN off): every process's parent, from /proc/PID/stat. */
function parentMap(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = map.get(ppid) ?? [];
    list.push(Number(name));
    map.set(ppid, list);
  }
  return map;
}

/** The process tree's pids, root first. */
export function processTree(root: number): number[] {
  const byParent = existsSync(`/proc/${root}/task/${root}/children`) ? undefined : parentMap();
  const seen = new Set<number>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const kid of childrenOf(queue[i], byParent)) {
      if (!seen.has(kid)) {
        seen.add(kid);
        queue.push(kid);
      }
    }
  }
  return queue;
}

function kbField(text: string | undefined, name: string): number | undefined {
  const m = text && new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The tree's memory now, or undefined where there is no /proc (not Linux) or the root is gone. */
export function treeMemory(root: number): TreeMemory | undefined {
  if (process.platform !== 'linux' || !existsSync(`/proc/${root}/status`)) return undefined;
  let rss = 0;
  let pss: number | undefined = 0;
  let processes = 0;
  let threads = 0;
  for (const pid of processTree(root)) {
    const status = read(`/proc/${pid}/status`);
    const vmRss = kbField(status, 'VmRSS');
    if (vmRss === undefined) continue; // exited, or a zombie
    processes++;
    rss += vmRss;
    threads += Number(/^Threads:\s+(\d+)/m.exec(status!)?.[1] ?? 1);
    const p = kbField(read(`/proc/${pid}/smaps_rollup`), 'Pss');
    pss = p === undefined || pss === undefined ? undefined : pss + p;
  }
  if (processes === 0) return undefined;
  return { rss_kb: rss, pss_kb: pss, processes, threads };
}

/** How many descriptors the process has open now (/proc/PID/fd), or undefined. */
export function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** MemAvailable from /proc/meminfo, in KiB, or undefined. */
export function memAvailableKb(): number | undefined {
  return kbField(read('/proc/meminfo'), 'MemAvailable');
}
