// Demo: the denial of service the lesson warns about. Client A connects to
// the book's select server (echo-select), sends half a line and stops. The
// server, in check_clients, is inside rio_readlineb on A's fd, waiting for
// the rest of the line; meanwhile nobody else is served. Client B connects
// and sends a whole line: no echo. Then the same against the hardened server
// (echo-select-hardened: non-blocking fds, a buffer per client): B's echo
// comes back at once, while A's half line waits in A's buffer.
import { read, close, errno, EAGAIN, EWOULDBLOCK, SOL_SOCKET, SO_RCVTIMEO, usleep } from '../sys/index.js';
import { Open_clientfd, Setsockopt, Rio_writen, printf } from '../csapp/index.js';
import { launch, cliCommand } from '../launch.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface DosResult {
  server: string;
  /** Seconds B waited for its echo while A's half line was pending; null: none within the bound. */
  echo_after: number | null;
  /** Seconds from A finishing its line to B's echo (the faithful server), when B stalled. */
  after_a_finished: number | null;
}

// Reads until `want` bytes came or `seconds` passed (a 100 ms SO_RCVTIMEO bounds each read).
function read_for(fd: number, want: number, seconds: number, t0: number): string | null {
  const buf = new Uint8Array(256);
  let got = 0;
  while (got < want) {
    const n = read(fd, buf.subarray(got), buf.length - got);
    if (n > 0) {
      got += n;
      continue;
    }
    if (n === 0) throw new Error('the server closed the connection');
    if (errno() !== EAGAIN && errno() !== EWOULDBLOCK) throw new Error(`read: errno ${errno()}`);
    if ((performance.now() - t0) / 1000 >= seconds) return null;
  }
  return decoder.decode(buf.subarray(0, got));
}

function send(fd: number, text: string): void {
  const bytes = encoder.encode(text);
  Rio_writen(fd, bytes, bytes.length);
}

async function against(server: string, stall: number): Promise<DosResult> {
  const s = await launch([...cliCommand(), 'serve', server, '--port', '0', '--quiet']);
  let a = -1, b = -1;
  try {
    printf(`\n${server} (pid ${s.pid}) on ${s.host}:${s.port}\n`);
    a = Open_clientfd(s.host, String(s.port));
    send(a, 'half a li');
    printf('  client A: connected, sent "half a li" (no newline) and stops\n');
    usleep(200_000); // the server reads A's bytes meanwhile
    b = Open_clientfd(s.host, String(s.port));
    Setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 100_000 });
    const line = 'hello from B\n';
    const t0 = performance.now();
    send(b, line);
    printf(`  client B: connected, sent ${JSON.stringify(line)}\n`);
    const echo = read_for(b, line.length, stall, t0);
    if (echo !== null) {
      const ms = performance.now() - t0;
      printf(`  client B: echo ${JSON.stringify(echo)} after ${ms.toFixed(1)} ms: served, whatever A does\n`);
      return { server, echo_after: ms / 1000, after_a_finished: null };
    }
    printf(`  client B: no echo: stalled for > ${stall} s (the server is blocked in rio_readlineb on A's half line)\n`);
    const t1 = performance.now();
    send(a, 'ne\n');
    printf('  client A: sends the rest of its line, "ne\\n"\n');
    const late = read_for(b, line.length, stall + 5, t1);
    if (late === null) throw new Error(`B got no echo even after A finished its line`);
    const ms = performance.now() - t1;
    printf(`  client B: echo ${JSON.stringify(late)} ${ms.toFixed(1)} ms after A finished its line\n`);
    return { server, echo_after: null, after_a_finished: ms / 1000 };
  } finally {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    await s.stop();
  }
}

/** Runs the half-line client against the book's select server, then the hardened one. */
export async function select_dos_demo(stall = 3): Promise<DosResult[]> {
  printf('One client sends half a line and stops; can another client still be served?\n');
  const results = [await against('echo-select', stall), await against('echo-select-hardened', stall)];
  const [faithful, hardened] = results;
  printf(`\necho-select: ${faithful.echo_after === null ? `stalled (> ${stall} s) until A finished its line` : 'not stalled'}; ` +
    `echo-select-hardened: ${hardened.echo_after !== null ? `served in ${(hardened.echo_after * 1000).toFixed(1)} ms` : 'stalled'}.\n`);
  return results;
}
