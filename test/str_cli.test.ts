// Stevens' str_cli with select (`syscall-lab client echo-select`), run by the
// CLI as a real process against real servers on loopback.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { socket, bind, listen, accept, close, getsockname, sockaddr_of, sockaddr_storage, sockaddr_port, AF_INET, SOCK_STREAM } from '../src/sys/index.js';
import { cliCommand } from '../src/launch.js';
import { bound_io, run_cli_async, server_tracker } from './helpers.js';

const start = server_tracker();

describe('client echo-select (str_cli with select and shutdown)', () => {
  it('echoes the lines of a pipe and exits 0 after the last reply', async () => {
    const s = await start('echo-iterative');
    const input = 'hello\nworld\n\nlast line\n';
    const r = await run_cli_async(['client', 'echo-select', s.host, String(s.port)], input);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('batch input: EOF on stdin shuts down the writing side only, and every reply still comes (1 MiB)', async () => {
    const s = await start('echo-iterative', '--quiet');
    const line = 'x'.repeat(63) + '\n';
    const input = line.repeat(16384);
    const r = await run_cli_async(['client', 'echo-select', s.host, String(s.port)], input, 25_000);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(input.length); // a close at stdin EOF would lose what was in flight
    expect(r.stdout === input).toBe(true);
  });

  it('a server that ends at once: the message and status 1, promptly, with stdin still open', async () => {
    // A listener that accepts and closes: the client's select sees the FIN.
    const listenfd = bound_io(socket(AF_INET, SOCK_STREAM, 0));
    try {
      expect(bind(listenfd, sockaddr_of('127.0.0.1', 0))).toBe(0);
      expect(listen(listenfd, 4)).toBe(0);
      const addr = new sockaddr_storage();
      getsockname(listenfd, addr);
      const [node, cli] = cliCommand();
      const child = spawn(node, [cli, 'client', 'echo-select', '127.0.0.1', String(sockaddr_port(addr))], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const connfd = accept(listenfd, null, null); // bounded by bound_io: 5 s
      expect(connfd).toBeGreaterThanOrEqual(0);
      const t0 = performance.now();
      close(connfd);
      const status = await exited; // stdin was never written nor closed
      const ms = performance.now() - t0;
      child.stdin.destroy();
      expect(stderr).toBe('str_cli: server terminated prematurely\n');
      expect(status).toBe(1);
      expect(ms).toBeLessThan(3000);
    } finally {
      close(listenfd);
    }
  });
});
