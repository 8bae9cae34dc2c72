// Helpers for the process demos: the children of a process as ps shows them,
// and one echo round trip as a client.
import { execFileSync } from 'node:child_process';
import { Open_clientfd, Rio_writen, rio_t, Rio_readinitb, Rio_readlineb, Close, printf } from '../csapp/index.js';

/** The children of ppid as `ps` lists them: "PID STAT COMMAND" (a zombie shows <defunct>). */
export function ps_children(ppid: number): string[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && Number(f[1]) === ppid)
    .map((f) => `${f[0].padStart(7)} ${f[2].padEnd(4)} ${f.slice(3).join(' ')}`);
}

export function print_children(ppid: number): void {
  const rows = ps_children(ppid);
  printf(`    ps: children of ${ppid}: ${rows.length}\n`);
  for (const r of rows) printf(`    ${r}\n`);
}

/** Connects, sends a line, reads the echo, closes. */
export function echo_once(host: string, port: number, line: string): string {
  const fd = Open_clientfd(host, port);
  try {
    const bytes = new TextEncoder().encode(line);
    Rio_writen(fd, bytes, bytes.length);
    const rio = new rio_t();
    Rio_readinitb(rio, fd);
    const buf = new Uint8Array(256);
    return new TextDecoder().decode(buf.subarray(0, Rio_readlineb(rio, buf, buf.length)));
  } finally {
    Close(fd);
  }
}

export const pause_ms = (ms: number) => new Promise((r) => setTimeout(r, ms));
