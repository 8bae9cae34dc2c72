// Demo: after fork both processes hold connfd (its reference count is 2).
// The child closes its copy when it is done; if the parent forgets to close
// its own, the connection stays open: the client never gets EOF while the
// parent lives, and the parent piles up one open socket per client.
import { read, shutdown, errno, EAGAIN, SHUT_WR, SOL_SOCKET, SO_RCVTIMEO } from '../sys/index.js';
import { Open_clientfd, Rio_writen, Close, Setsockopt, printf } from '../csapp/index.js';
import { launch, cliCommand } from '../launch.js';
import { pause_ms } from './processes.js';
import { readdirSync } from 'node:fs';

function open_fds(pid: number): string {
  try {
    return String(readdirSync(`/proc/${pid}/fd`).length);
  } catch {
    return '?'; // no /proc (macOS)
  }
}

/** Seconds the client waited for EOF, with (forget = true) and without the bug; null: none came. */
export async function refcount_demo(waitSeconds = 2): Promise<{ forgotten: number | null; closed: number | null }> {
  const result: { forgotten: number | null; closed: number | null } = { forgotten: null, closed: null };
  for (const forget of [true, false]) {
    const server = await launch([...cliCommand(), 'serve', 'echo-fork', '--port', '0', '--quiet', ...(forget ? ['--forget-close'] : [])]);
    try {
      printf(`\necho-fork, the parent ${forget ? 'FORGETS close(connfd) (--forget-close)' : 'closes connfd'}; server pid ${server.pid}, ${open_fds(server.pid)} fds open\n`);
      for (let i = 0; i < 3; i++) { const fd = Open_clientfd(server.host, server.port); Close(fd); }
      await pause_ms(200);
      printf(`  after 3 short clients the server has ${open_fds(server.pid)} fds open\n`);
      const fd = Open_clientfd(server.host, server.port);
      const line = new TextEncoder().encode('hello\n');
      Rio_writen(fd, line, line.length);
      Setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 500_000 });
      const buf = new Uint8Array(64);
      read(fd, buf, buf.length); // the echo
      shutdown(fd, SHUT_WR); // "I am done": the child reads EOF, closes its connfd, exits
      printf('  client: sent "hello", got the echo, shut down its side; waiting for EOF...\n');
      const t0 = performance.now();
      let eof: number | null = null;
      while ((performance.now() - t0) / 1000 < waitSeconds) {
        const n = read(fd, buf, buf.length);
        if (n === 0) { eof = (performance.now() - t0) / 1000; break; }
        if (n < 0 && errno() !== EAGAIN) break;
        printf(`  client: no EOF yet (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      }
      printf(eof === null
        ? `  client: no EOF after ${waitSeconds} s: the parent still holds the connection\n`
        : `  client: EOF after ${eof.toFixed(3)} s\n`);
      if (forget) result.forgotten = eof;
      else result.closed = eof;
      Close(fd);
    } finally {
      await server.stop();
    }
  }
  printf('\nAfter fork, refcnt(connfd) = 2: the connection ends only when both copies are closed.\n');
  return result;
}
