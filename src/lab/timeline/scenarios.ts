// The notes' figures, replayed with real processes: a course server and
// scripted clients (client.ts), all traced into one file, then laid out.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, cliCommand } from '../../launch.js';

interface ClientPlan {
  name: string;
  steps: string[];
  /** Goes on once that client has done that many steps, or ended ('exit'); else at once. */
  after?: { client: number; step: number | 'exit' };
}

export interface Scenario {
  summary: string;
  server: string;
  clients: ClientPlan[];
  /** What the picture shows, in a line or two, printed under the text version. */
  reading: string;
}

export const scenarios: Record<string, Scenario> = {
  iterative: {
    summary: 'the iterative server: two clients, one after the other',
    server: 'echo-iterative',
    clients: [
      { name: 'client 1', steps: ['connect', 'send hello from 1', 'recv', 'close'] },
      { name: 'client 2', steps: ['connect', 'send hello from 2', 'recv', 'close'], after: { client: 0, step: 'exit' } },
    ],
    reading: 'One connection at a time: accept, read, write, read EOF, close, then the next accept.',
  },
  lunch: {
    summary: 'client 1 goes out to lunch; client 2 waits for the iterative server',
    server: 'echo-iterative',
    clients: [
      { name: 'client 1', steps: ['connect', 'send hello from 1', 'recv', 'sleep 1500', 'send back from lunch', 'recv', 'close'] },
      { name: 'client 2', steps: ['connect', 'send hello from 2', 'recv', 'close'], after: { client: 0, step: 3 } },
    ],
    reading: "Client 2's connect returns at once: the kernel completes the handshake and " +
      "queues the connection. The server accepts it only after client 1 left, so client 2's read waits out the lunch.",
  },
  fork: {
    summary: 'the server forks a child per connection: child 1 and child 2',
    server: 'echo-fork',
    clients: [
      { name: 'client 1', steps: ['connect', 'send hello from 1', 'recv', 'sleep 500', 'close'] },
      { name: 'client 2', steps: ['connect', 'send hello from 2', 'recv', 'close'], after: { client: 0, step: 1 } },
    ],
    reading: 'accept, fork, close(connfd) in the parent; each child serves its client and exits; SIGCHLD and waitpid reap them.',
  },
  threads: {
    summary: 'the server starts a thread per connection',
    server: 'echo-threads',
    clients: [
      { name: 'client 1', steps: ['connect', 'send hello from 1', 'recv', 'sleep 500', 'close'] },
      { name: 'client 2', steps: ['connect', 'send hello from 2', 'recv', 'close'], after: { client: 0, step: 1 } },
    ],
    reading: 'accept, then pthread_create: each thread serves its client in the same process and closes connfd itself.',
  },
  select: {
    summary: 'one flow of control serves both clients with select',
    server: 'echo-select',
    clients: [
      { name: 'client 1', steps: ['connect', 'sleep 300', 'send hello from 1', 'recv', 'sleep 300', 'close'] },
      { name: 'client 2', steps: ['connect', 'send hello from 2', 'recv', 'close'], after: { client: 0, step: 1 } },
    ],
    reading: 'One process, one thread: select says which fds are ready, and the server reads whichever client spoke.',
  },
};

const CLIENT = fileURLToPath(new URL('./client.js', import.meta.url));

/** Runs a scenario with everything traced into `file` (emptied first). Bounded: 30 s in all. */
export async function run_scenario(name: string, file: string): Promise<void> {
  const s = scenarios[name];
  writeFileSync(file, '');
  // Every process appends to the file this run emptied.
  const env = { ...process.env, SYSCALL_LAB_TRACE: file, SYSCALL_LAB_TRACE_RUN: String(process.pid) };
  const server = await launch([...cliCommand(), 'serve', s.server, '--port', '0', '--quiet'], { env });
  const children: ChildProcess[] = [];
  try {
    // Every client starts at once (Node takes a while to start); one with a
    // moment to wait for is told "go" on its stdin when it comes.
    const steps: number[] = s.clients.map(() => 0);
    const waiters: Array<Array<() => void>> = s.clients.map(() => []);
    const exited = s.clients.map((plan, k) => {
      const script = plan.after ? ['wait', ...plan.steps] : plan.steps;
      const child = spawn(process.execPath, [CLIENT, '--name', plan.name, '--port', String(server.port), '--steps', script.join(';')],
        { env, stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      if (!plan.after) child.stdin!.end();
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        steps[k] += (d.match(/step \d+\n/g) ?? []).length;
        for (const f of waiters[k].splice(0)) f();
      });
      return new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    });
    s.clients.forEach((plan, k) => {
      if (!plan.after) return;
      const { client, step } = plan.after;
      const go = () => children[k].stdin!.end('go\n');
      if (step === 'exit') {
        void exited[client].then(go);
        return;
      }
      // the other client's steps as it counts them (its own 'wait' first, if it has one)
      const target = step + (s.clients[client].after ? 1 : 0);
      const check = () => (steps[client] >= target ? go() : waiters[client].push(check));
      check();
    });
    const codes = await Promise.race([
      Promise.all(exited),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref()),
    ]);
    if (codes === 'timeout') throw new Error(`the ${name} scenario did not end within 30 s`);
    const failed = codes.findIndex((c) => c !== 0);
    if (failed >= 0) throw new Error(`${s.clients[failed].name} failed (exit status ${codes[failed]})`);
    await new Promise((r) => setTimeout(r, 300)); // the server's last reaps and closes
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server.stop('SIGTERM');
  }
}
