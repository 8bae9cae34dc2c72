// Draws a frame for the terminal, 80 columns: the process, its listening
// sockets and TIME_WAIT count, the process tree (zombies marked), the
// threads, the connected sockets one a line, and the other fds grouped.
import { STATE_NAMES } from '../procfs.js';
import type { frame, fd_info, process_info } from './snapshot.js';
import { wrap } from '../wrap.js';

const WIDTH = 80;

const clip = (line: string) => (line.length > WIDTH ? `${line.slice(0, WIDTH - 3)}...` : line);


const state = (s: string) => `${s} ${STATE_NAMES[s] ?? ''}`.trim();

function fd_line(f: fd_info): string {
  const n = String(f.fd).padStart(4);
  switch (f.kind) {
    case 'listen': {
      // Linux's accept queue is full past the backlog: it holds backlog + 1.
      const full = f.backlog !== null && f.accept_queue > f.backlog ? ' FULL' : '';
      return `${n}  LISTEN ${f.local}  accept queue ${f.accept_queue} (backlog ${f.backlog ?? '?'})${full}`;
    }
    case 'tcp':
      return `${n}  ${f.local} <-> ${f.peer}  ${f.state}`;
    default:
      return `${n}  ${f.what}`;
  }
}

function tree(p: process_info, prefix: string, last: boolean, out: string[]): void {
  const zombie = p.zombie ? '  <defunct>: exited, not reaped' : '';
  out.push(clip(`${prefix}${last ? '`-' : '|-'} ${p.pid} ${p.comm}  ${state(p.state)}${zombie}`));
  const inner = `${prefix}${last ? '   ' : '|  '}`;
  for (const c of p.connections) out.push(clip(`${inner}  fd ${fd_line(c).trim()}`));
  p.children.forEach((c, i) => tree(c, inner, i === p.children.length - 1, out));
}

function count_zombies(ps: process_info[]): number {
  return ps.reduce((n, p) => n + (p.zombie ? 1 : 0) + count_zombies(p.children), 0);
}

export function render(f: frame): string {
  const out: string[] = [];
  out.push(clip(`pid ${f.pid} (${f.comm}) ${state(f.state)}   ${f.time.slice(11, 19)} UTC   ^C to stop`));
  const tw = f.time_wait.map((t) => `port ${t.port}: ${t.count}`).join(', ');
  out.push(clip(`TIME_WAIT ${tw || '(no listening socket)'}`));

  const zombies = count_zombies(f.children);
  out.push('', `children: ${f.children.length}${zombies ? `, ${zombies} zombie${zombies > 1 ? 's' : ''}` : ''}`);
  f.children.forEach((c, i) => tree(c, '  ', i === f.children.length - 1, out));

  out.push('', `threads: ${f.threads.length}`);
  out.push(...wrap(f.threads.map((t) => `${t.tid}:${t.comm.replace(/\s+/g, '_')}:${t.state}`), WIDTH, '  ').map(clip));

  const sockets = f.fds.filter((x) => x.kind === 'listen' || x.kind === 'tcp');
  const established = sockets.filter((x) => x.kind === 'tcp' && x.state === 'ESTABLISHED').length;
  out.push('', `fds: ${f.fds.length}; TCP sockets: ${sockets.length} (${established} ESTABLISHED)`);
  for (const s of sockets) out.push(clip(fd_line(s)));
  const groups: [string, fd_info['kind'][]][] = [['pipes', ['pipe']], ['files', ['file']],
    ['other sockets', ['unix', 'socket']], ['other', ['other']]];
  for (const [label, kinds] of groups) {
    const of = f.fds.filter((x) => kinds.includes(x.kind));
    if (!of.length) continue;
    const words = of.map((x) => `${x.fd}=${x.kind === 'unix' ? 'unix' : 'what' in x ? short(x.what) : x.kind}`);
    out.push(...wrap([`${label}:`, ...words], WIDTH, '  ').map(clip)); // a word longer than a line (a long path) is cut
  }
  return out.join('\n');
}

// "anon_inode:[eventpoll]" -> "eventpoll", "/dev/pts/3" stays.
function short(what: string): string {
  const m = /^anon_inode:\[?([^\]]+)\]?$/.exec(what);
  return m ? m[1] : what;
}
