// Demo: a thread that is neither joined nor detached keeps its resources
// after it ends (a "zombie" thread: its stack, its result), as a process
// keeps its exit status until its parent waits. Joinable threads that
// nobody joins pile up; detached ones give everything back when they end.
import { readFileSync } from 'node:fs';
import { cell, pthread_create, pthread_detach, pthread_join, threads_running, usleep, type pthread_t } from '../sys/index.js';
import { printf } from '../csapp/index.js';

function vm(field: 'VmSize' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN; // no /proc (macOS)
  }
}

function mib(kb: number): string {
  return Number.isNaN(kb) ? '?' : `${(kb / 1024).toFixed(0)} MiB`;
}

export function thread_leak_demo(threads = 100): { leaked: number; detached: number } {
  const run = (mode: 'neither' | 'detach') => {
    const before = vm('VmSize');
    const tids: pthread_t[] = [];
    for (let i = 0; i < threads; i++) {
      const tid = cell(0);
      pthread_create(tid, null, (n: number) => ({ n, payload: new Array(1000).fill(n) }), i);
      if (mode === 'detach') pthread_detach(tid.value);
      tids.push(tid.value);
    }
    // Wait until they all ended, sleeping (a sleep drops the JS lock, so they run).
    for (let k = 0; k < 500 && threads_running() > 0; k++) usleep(10_000);
    const after = vm('VmSize');
    printf(`  ${threads} threads, ${mode === 'neither' ? 'neither joined nor detached' : 'detached'}: VmSize ${mib(before)} -> ${mib(after)} (${mib(after - before)} more)\n`);
    return { tids, grown: after - before };
  };
  printf('Threads that end without being joined or detached keep their stacks (8 MiB of address space each):\n');
  const leak = run('neither');
  const detached = run('detach');
  printf('Joining the first ones now gives their memory back:\n');
  const before = vm('VmSize');
  for (const t of leak.tids) pthread_join(t, null);
  printf(`  VmSize ${mib(before)} -> ${mib(vm('VmSize'))}\n`);
  return { leaked: leak.grown, detached: detached.grown };
}
