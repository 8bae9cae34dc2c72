// Demo: an iterative server and a client "out to lunch". Client A connects
// to the iterative echo server and sends nothing; the server, in A's read,
// serves nobody else. Client B connects (the kernel completes its handshake:
// it waits in the accept queue), sends a line and waits, until A leaves.
import { read, close, errno, EAGAIN, EWOULDBLOCK, SOL_SOCKET, SO_RCVTIMEO } from '../sys/index.js';
import { Open_clientfd, Setsockopt, Rio_writen, printf } from '../csapp/index.js';
import { launch, cliCommand } from '../launch.js';
import { since } from './common.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LunchResult {
  /** Seconds B waited for its echo. */
  waited: number;
  /** What B got back. */
  reply: string;
}

export async function lunch_demo(lunchSeconds = 3): Promise<LunchResult> {
  const server = await launch([...cliCommand(), 'serve', 'echo-iterative', '--port', '0']);
  let a = -1, b = -1;
  try {
    printf(`server: echo-iterative, pid ${server.pid}, on ${server.host}:${server.port}\n`);
    a = Open_clientfd(server.host, String(server.port));
    printf(`client A: connected; the server accepted it and waits for its first line. A goes out to lunch for ${lunchSeconds} s.\n`);
    const t0 = performance.now();
    b = Open_clientfd(server.host, String(server.port));
    const line = encoder.encode('hello from B\n');
    Rio_writen(b, line, line.length);
    printf('client B: connected (the kernel completed the handshake; B waits in the accept queue), sent "hello from B"\n');
    Setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 500_000 });
    const buf = new Uint8Array(64);
    let got = 0;
    const deadline = lunchSeconds + 10; // bound the wait even if something goes wrong
    while (got < line.length) {
      const n = read(b, buf.subarray(got), buf.length - got);
      if (n > 0) {
        got += n;
        continue;
      }
      if (n === 0) throw new Error('the server closed B without an answer');
      if (errno() !== EAGAIN && errno() !== EWOULDBLOCK) throw new Error(`read: errno ${errno()}`);
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed > deadline) throw new Error(`B got no answer in ${deadline} s`);
      printf(`client B: still waiting, ${since(t0)}\n`);
      if (a >= 0 && elapsed >= lunchSeconds) {
        close(a);
        a = -1;
        printf(`client A: back from lunch after ${since(t0)}, closes: the server reads EOF, closes, accepts B\n`);
      }
    }
    const waited = (performance.now() - t0) / 1000;
    const reply = decoder.decode(buf.subarray(0, got));
    printf(`client B: got ${JSON.stringify(reply)} after ${since(t0)}: one slow client blocked everybody.\n`);
    return { waited, reply };
  } finally {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    await server.stop();
  }
}
