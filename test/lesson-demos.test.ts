// The demos errno-threads and fd-set, run for real.
import { describe, expect, it } from 'vitest';
import { ECONNREFUSED, ENOENT, EDOM } from '../src/sys/index.js';
import { run_cli } from './helpers.js';

describe('errno-threads', () => {
  it('each thread reads its own errno; the main thread keeps its own', () => {
    const r = run_cli(['demo', 'errno-threads']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^main: errno = \d+ EDOM/m);
    expect(r.stdout).toMatch(/^thread 1, after thread 2 failed: errno = \d+ ECONNREFUSED/m);
    expect(r.stdout).toMatch(/^thread 2: errno = \d+ ENOENT/m);
    expect(r.stdout).toMatch(/^main, after both threads: errno = \d+ EDOM/m);
    // perror, on stderr, from each thread
    expect(r.stderr).toMatch(/^thread 1: connect: Connection refused$/m);
    expect(r.stderr).toMatch(/^thread 2: open: No such file or directory$/m);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('in process: the values', async () => {
    const { errno_threads_demo } = await import('../src/demos/index.js');
    expect(errno_threads_demo()).toEqual({ thread1: ECONNREFUSED, thread2: ENOENT, main_before: EDOM, main_after: EDOM });
  });
});

describe('fd-set', () => {
  it('only listenfd and the connfd whose client wrote stay set after select', async () => {
    const { fd_set_demo } = await import('../src/demos/index.js');
    const r = fd_set_demo();
    expect(r.before.sort((a, b) => a - b)).toEqual([r.listenfd, ...r.connfds].sort((a, b) => a - b));
    expect(r.after.sort((a, b) => a - b)).toEqual([r.listenfd, r.connfds[1]].sort((a, b) => a - b));
    expect(r.nready).toBe(2);
  });

  it('draws the bits under a ruler of fd numbers, in 80 columns', () => {
    const r = run_cli(['demo', 'fd-set']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    const row = (label: string) => lines.find((l) => l.startsWith(label))!.slice(18);
    const units = row('fd (units)'), tens = row('fd (tens)');
    const before = row('rset before'), after = row('rset after');
    expect(before.length).toBe(units.length);
    // The drawn fds: read the numbers off the ruler.
    const set = (bits: string) => [...bits].flatMap((b, i) => (b === '1' ? [Number(tens[i] + units[i])] : []));
    const m = /listenfd = (\d+); connfd = (\d+), (\d+), (\d+)/.exec(r.stdout)!;
    const [listenfd, c1, c2, c3] = m.slice(1).map(Number);
    expect(set(before).map((fd) => fd % 100)).toEqual([listenfd, c1, c2, c3].map((fd) => fd % 100));
    expect(set(after).map((fd) => fd % 100)).toEqual([listenfd, c2].map((fd) => fd % 100));
    expect(r.stdout).toMatch(new RegExp(`fd +${c2} +ready +connfd of client 2`));
    expect(r.stdout).toMatch(new RegExp(`fd +${c1} +cleared +connfd of client 1`));
  });
});
