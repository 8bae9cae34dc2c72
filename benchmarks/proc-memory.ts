// A server's memory, read from Linux's /proc: the sum over the server's
// process tree (the server and its children, their children...) of each
// process's resident set (VmRSS) and proportional set (Pss, from
// smaps_rollup: a page shared by n processes counts 1/n in each, so a fork
// server's children are not charged again for the pages they share with
// the parent). A thread server is one process with many threads.
import { existsSync, readFileSync } from 'node:fs';
import { tree_of } from '../src/lab/procfs.js';

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
  for (const { pid } of tree_of(root)) {
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

/** MemAvailable from /proc/meminfo, in KiB, or undefined. */
export function memAvailableKb(): number | undefined {
  return kbField(read('/proc/meminfo'), 'MemAvailable');
}
