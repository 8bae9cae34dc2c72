// `syscall-lab timeline`: the notes' figures drawn from real runs, checked
// in a real browser on the picture's geometry (where each call is drawn),
// not on its text alone.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand } from '../src/launch.js';
import { in_browser, no_browser } from './browser.js';

const cli = cliCommand();
const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-timeline-test-'));
const timeline = (...args: string[]) => spawnSync(cli[0], [...cli.slice(1), 'timeline', ...args], { encoding: 'utf8', timeout: 60_000 });

interface Box { call: string; column: string; top: number; bottom: number; x: number }
interface LinkBox { kind: string; from: string; to: string; y1: number; y2: number; x1: number; x2: number }
interface Drawing { columns: Record<string, number>; marks: Box[]; links: LinkBox[] }

/** Where the browser drew each column, call and link (page coordinates). */
function drawn(svg: string): Drawing {
  return in_browser<Drawing>(svg, `(root) => {
    const box = (e) => e.getBoundingClientRect();
    const columns = {};
    for (const g of root.querySelectorAll('g.column')) {
      const line = g.querySelector('line.lifeline');
      columns[g.dataset.label] = box(line).left + box(line).width / 2;
    }
    const marks = [...root.querySelectorAll('[data-call]')].map((e) => ({
      call: e.dataset.call, column: e.dataset.column, top: box(e).top, bottom: box(e).bottom, x: box(e).left + box(e).width / 2 }));
    const links = [...root.querySelectorAll('line.link')].map((e) => {
      const m = e.getScreenCTM(), p = (x, y) => new DOMPoint(x, y).matrixTransform(m);
      const a = p(e.x1.baseVal.value, e.y1.baseVal.value), b = p(e.x2.baseVal.value, e.y2.baseVal.value);
      return { kind: e.classList[1], from: e.dataset.from, to: e.dataset.to, x1: a.x, y1: a.y, x2: b.x, y2: b.y };
    });
    return { columns, marks, links };
  }`);
}

function fits_80(text: string): void {
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
}

describe('syscall-lab timeline', () => {
  it('lunch: client 2 is accepted, and its read returns, only after client 1 came back from lunch and left', (ctx) => {
    if (no_browser) ctx.skip(no_browser);
    const svg = join(dir, 'lunch.svg');
    const r = timeline('lunch', '--svg', svg);
    expect(r.status, r.stderr).toBe(0);
    fits_80(r.stdout);
    expect(r.stdout).toMatch(/client 1 +server +client 2/);
    const d = drawn(readFileSync(svg, 'utf8'));
    // Three columns, left to right as the notes draw them.
    expect(d.columns['client 1']).toBeLessThan(d.columns.server);
    expect(d.columns.server).toBeLessThan(d.columns['client 2']);
    const of = (column: string, call: string) => d.marks.filter((m) => m.column === column && m.call === call);
    const lunch = of('client 1', 'usleep')[0];
    const left = of('client 1', 'close').at(-1)!;
    expect(lunch.bottom - lunch.top).toBeGreaterThan(100); // the lunch is a long span
    // Client 2 waits in read (its connect returned at once: the kernel queued the connection).
    const waiting = of('client 2', 'read').at(-1)!;
    expect(waiting.top).toBeLessThan(left.top);
    expect(waiting.bottom).toBeGreaterThan(left.bottom);
    expect(of('client 2', 'connect')[0].bottom).toBeLessThan(lunch.bottom);
    // The connection lines: client 2's lands on the server's accept below client 1's close.
    const conn = (client: string) => d.links.find((l) => l.kind === 'connection' && l.from === client && l.to === 'server')!;
    expect(conn('client 1')).toBeDefined();
    const c2 = conn('client 2');
    expect(c2).toBeDefined();
    expect(c2.x1).toBeCloseTo(d.columns['client 2'], 0);
    expect(c2.x2).toBeCloseTo(d.columns.server, 0);
    expect(c2.y2).toBeGreaterThan(left.top); // accepted after client 1 left...
    expect(c2.y2).toBeGreaterThan(c2.y1); // ...long after its connect returned: it waited in the queue
    // The bytes: client 2's line reaches the server only once it is served.
    expect(d.links.some((l) => l.kind === 'data' && l.from === 'client 2' && l.to === 'server')).toBe(true);
  }, 90_000);

  it('fork: one branch per client, each child serving its own client', (ctx) => {
    if (no_browser) ctx.skip(no_browser);
    const svg = join(dir, 'fork.svg');
    const r = timeline('fork', '--svg', svg);
    expect(r.status, r.stderr).toBe(0);
    fits_80(r.stdout);
    const d = drawn(readFileSync(svg, 'utf8'));
    expect(Object.keys(d.columns)).toEqual(['client 1', 'server', 'child 1', 'child 2', 'client 2']);
    const forks = d.links.filter((l) => l.kind === 'fork');
    expect(forks.map((l) => `${l.from} -> ${l.to}`)).toEqual(['server -> child 1', 'server -> child 2']);
    for (const f of forks) expect(f.x2).toBeCloseTo(d.columns[f.to], 0); // the branch ends in the child's column
    // Each client's bytes go to a child, not to the parent, and come back from it.
    for (const [client, child] of [['client 1', 'child 1'], ['client 2', 'child 2']]) {
      expect(d.links.some((l) => l.kind === 'data' && l.from === client && l.to === child), client).toBe(true);
      expect(d.links.some((l) => l.kind === 'data' && l.from === child && l.to === client), client).toBe(true);
    }
    // The parent reaps: a SIGCHLD mark in the server's column, after the children's _exit.
    const sigchld = d.marks.find((m) => m.column === 'server' && m.call === 'SIGCHLD')!;
    const exits = d.marks.filter((m) => m.call === '_exit');
    expect(exits).toHaveLength(2);
    expect(sigchld.top).toBeGreaterThan(Math.min(...exits.map((e) => e.top)));
  }, 90_000);

  it.each(['iterative', 'threads', 'select'])('%s: draws, and the text fits 80 columns', (name) => {
    const r = timeline(name);
    expect(r.status, r.stderr).toBe(0);
    fits_80(r.stdout);
    expect(r.stdout).toMatch(/client 1 .*server/);
    expect(r.stdout).toContain('accept(');
    if (name === 'threads') expect(r.stdout).toMatch(/thread \d/);
    if (name === 'select') expect(r.stdout).toContain('select(');
  }, 90_000);

  describe('bad input: one line and a non-zero exit', () => {
    it('an unknown scenario', () => {
      const r = timeline('nope');
      expect(r.status).toBe(64);
      expect(r.stderr).toBe('syscall-lab timeline: no scenario named "nope" (iterative, lunch, fork, threads, select)\n');
    });
    it('a trace that is not there, and one that is not a trace', () => {
      const missing = timeline('--from', join(dir, 'missing'));
      expect(missing.status).toBe(66);
      expect(missing.stderr).toMatch(/^syscall-lab timeline: --from \S+: ENOENT\n$/);
      const junk = join(dir, 'junk');
      writeFileSync(junk, 'hello\n');
      const r = timeline('--from', junk);
      expect(r.status).toBe(65);
      expect(r.stderr).toBe('syscall-lab timeline: trace line 1 is not a trace line: hello\n');
    });
    it('an SVG that cannot be written', () => {
      const r = timeline('iterative', '--svg', '/nonexistent/dir/x.svg');
      expect(r.status).toBe(73);
      expect(r.stderr).toBe('syscall-lab timeline: --svg /nonexistent/dir/x.svg: cannot write it (ENOENT)\n');
    }, 60_000);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
