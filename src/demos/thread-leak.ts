// Demo: a thread that is neither joined nor detached keeps its resources
// after it ends (a "zombie" thread: its stack, its result), as a process
// keeps its exit status until its parent waits. Joinable threads that
// nobody joins pile up; detached ones give everything back when they end.
//
// It counts the thread stacks still mapped (/proc/self/maps), and shows
// VmSize beside: VmSize also grows by glibc malloc's per-thread arenas (64
// MiB reserved each, made when threads contend and never given back), more
// of them on a busy machine, so alone it cannot tell the two kinds apart.
import { readFileSync } from 'node:fs';
import { cell, pthread_create, pthread_detach, pthread_join, threads_running, usleep, type pthread_t } from '../sys/index.js';
import { native } from '../sys/native.js';
import { printf } from '../csapp/index.js';
import { status_field } from '../lab/procfs.js';

/** VmSize in KiB, NaN without /proc (macOS). */
const vm = () => status_field('self', 'VmSize');

/** The private read-write mappings of exactly `bytes`, no file: our threads' stacks (the guard page is a mapping of its own). */
function stacks(bytes: number): number {
  try {
    let n = 0;
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const [range, perms, , , inode, path] = line.split(/\s+/);
      if (perms !== 'rw-p' || inode !== '0' || path) continue;
      const [from, to] = range.split('-').map((x) => parseInt(x, 16));
      if (to - from === bytes) n++;
    }
    return n;
  } catch {
    return NaN;
  }
}

/** A count, or '?' without /proc (macOS). */
function count(n: number): string {
  return Number.isNaN(n) ? '?' : String(n);
}

function mib(kb: number): string {
  return Number.isNaN(kb) ? '?' : `${(kb / 1024).toFixed(0)} MiB`;
}

export function thread_leak_demo(threads = 100): { leaked: number; detached: number } {
  const size = native.thread_stacksize();
  const run = (mode: 'neither' | 'detach') => {
    const before = { stacks: stacks(size), vm: vm() };
    const tids: pthread_t[] = [];
    for (let i = 0; i < threads; i++) {
      const tid = cell(0);
      pthread_create(tid, null, (n: number) => ({ n, payload: new Array(1000).fill(n) }), i);
      if (mode === 'detach') pthread_detach(tid.value);
      tids.push(tid.value);
    }
    // Wait until they all ended, sleeping (a sleep drops the JS lock, so they
    // run), and a little more: glibc unmaps a detached thread's stack once the
    // kernel has let the thread go, at the end of a later one.
    for (let k = 0; k < 500 && threads_running() > 0; k++) usleep(10_000);
    usleep(100_000);
    const grown = stacks(size) - before.stacks;
    const after = vm();
    const kept = count(grown);
    printf(mode === 'neither'
      ? `  ${threads} threads, neither joined nor detached: ${kept} stacks still mapped\n`
      : `  ${threads} threads, detached: ${kept} stacks still mapped (glibc keeps a few to reuse)\n`);
    printf(`    VmSize ${mib(before.vm)} -> ${mib(after)} (${mib(after - before.vm)} more, malloc's arenas too)\n`);
    return { tids, grown };
  };
  printf(`A thread neither joined nor detached keeps its stack (${size / 1024 / 1024} MiB) after it ends:\n`);
  const leak = run('neither');
  const detached = run('detach');
  printf('Joining the first ones now gives their stacks back:\n');
  const before = { stacks: stacks(size), vm: vm() };
  for (const t of leak.tids) pthread_join(t, null);
  printf(`  stacks mapped: ${count(before.stacks)} -> ${count(stacks(size))}; VmSize ${mib(before.vm)} -> ${mib(vm())}\n`);
  return { leaked: leak.grown, detached: detached.grown };
}
