// The fault matrix: every course server (`syscall-lab serve X`, a real
// process) against the faults a server meets in the wild, one describe per
// fault, a row per server. What each model is expected to do (docs/FAULTS.md
// says why):
//
// server               reset x8  never reads   half line     fds (ulimit 64) child killed SIGSTOP/CONT
// daytime              survives  others served others served never short   -            resumes
// echo-iterative       survives  next waits    next waits    never short   -            resumes
// echo-fork            survives  others served others served never short   reaped       resumes
// echo-threads         survives  others served others served sheds, once   -            resumes
// echo-prethreaded     survives  others served others served never short   -            resumes
// echo-select          survives  STALLS        STALLS        sheds, once   -            resumes
// echo-select-hardened survives  others served others served sheds, once   -            resumes
// echo-epoll           survives  others served others served sheds, once   -            resumes
// server5              survives  others served others served sheds, once   -            resumes
//
// "next waits": one client at a time by design; the next is served as soon as
// the first leaves. "STALLS": the book's select server does blocking I/O on
// one client in its only flow of control (its weakness, kept on purpose); it
// serves everybody again when that client finishes its line or leaves.
// "never short": the server holds few fds whatever the clients do (one at a
// time; or fork closes connfd; or the prethreaded pool holds at most 20).
// "sheds, once": past the limit each new connection is accepted and closed at
// once (a reserve fd), the clients it has are served, one line says so, the
// CPU stays idle, and it accepts again when clients leave.
import { afterEach, describe, expect, it } from 'vitest';
import {
  socket, connect, close, read, write, setsockopt, errno, fcntl, sockaddr_of, errno_code,
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_LINGER, EAGAIN, F_GETFL, F_SETFL, O_NONBLOCK,
} from '../src/sys/index.js';
import { launch, cliCommand, type Launched } from '../src/launch.js';
import { bound_io, fd_count, linux, settle, it_linux, NEEDS_LINUX } from './helpers.js';
import { children_of as children, stat_of, status_field } from '../src/lab/procfs.js';
const threads = (pid: number): number => status_field(pid, 'Threads');

type Server =
  | 'daytime' | 'echo-iterative' | 'echo-fork' | 'echo-threads' | 'echo-prethreaded'
  | 'echo-select' | 'echo-select-hardened' | 'echo-epoll' | 'server5';

interface Model {
  /** While one client holds the server (never reads, half a line): 'served' others, the next 'waits', or all 'stall'. */
  busy: 'served' | 'waits' | 'stalls';
  /** Under ulimit -n 64 with 100 clients: whether it runs out of fds (and sheds), or never holds that many. */
  exhausts: boolean;
}

const models: Record<Server, Model> = {
  daytime: { busy: 'served', exhausts: false },
  'echo-iterative': { busy: 'waits', exhausts: false },
  'echo-fork': { busy: 'served', exhausts: false },
  'echo-threads': { busy: 'served', exhausts: true },
  'echo-prethreaded': { busy: 'served', exhausts: false },
  'echo-select': { busy: 'stalls', exhausts: true },
  'echo-select-hardened': { busy: 'served', exhausts: true },
  'echo-epoll': { busy: 'served', exhausts: true },
  server5: { busy: 'served', exhausts: true },
};

const all = (Object.keys(models) as Server[]).filter((s) => s !== 'echo-epoll' || linux);

// ---- servers, started through the CLI, stopped by pid -----------------------

interface Running extends Launched {
  /** Every line the server wrote to stdout or stderr after "listening on". */
  lines: string[];
}

let running: Running[] = [];
afterEach(async () => {
  for (const s of running) await s.stop('SIGKILL');
  running = [];
});

/**
 * `syscall-lab serve name`, optionally with RLIMIT_NOFILE lowered (ulimit -n,
 * then exec: same pid). quiet: no line per echo (while a test blocks in a
 * syscall nobody drains the server's stdout; a flood of lines would fill the
 * pipe and stop the server).
 */
async function start(name: Server, opts: { nofile?: number; quiet?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Running> {
  const { nofile, quiet } = opts;
  const args = ['serve', name, '--port', '0', ...(name === 'server5' ? ['--sleep', '0'] : []), ...(quiet ? ['--quiet'] : [])];
  const [node, cli] = cliCommand();
  const command = nofile === undefined
    ? [node, cli, ...args]
    : ['sh', '-c', `ulimit -n ${nofile} && exec "$@"`, 'sh', node, cli, ...args];
  const env = opts.env ? { ...process.env, ...opts.env } : process.env;
  const s = await launch(command, { keepOutput: true, timeoutMs: 20_000, env }) as Running;
  running.push(s);
  s.lines = s.output; // stdout, kept by launch
  let rest = '';
  s.child.stderr!.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop()!;
    s.lines.push(...parts);
  });
  return s;
}

function alive(s: Launched): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/** The server's CPU time so far, in clock ticks (utime + stime, /proc/PID/stat). */
function cpu_ticks(pid: number): number {
  const st = stat_of(pid)!;
  return st.utime + st.stime;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- clients: blocking calls, each bounded in the kernel --------------------

const enc = new TextEncoder();

/** A client connected to the server; every blocking call on it gives up after ms. */
function client(s: Launched, ms = 5000): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  bound_io(fd, ms);
  if (connect(fd, sockaddr_of('127.0.0.1', s.port)) < 0) {
    const e = errno_code(errno());
    close(fd);
    throw new Error(`connect: ${e}`);
  }
  return fd;
}

function send(fd: number, text: string): number {
  const b = enc.encode(text);
  return write(fd, b, b.length);
}

/** Closes with an RST (SO_LINGER on, 0 s): the peer's next read fails with ECONNRESET. */
function reset(fd: number): void {
  expect(setsockopt(fd, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 0 })).toBe(0);
  close(fd);
}

/** Reads until `until` matches what came, EOF, an error, or the fd's timeout. */
function read_until(fd: number, until: RegExp): { text: string; end: 'match' | 'eof' | 'timeout' | 'error' } {
  const buf = new Uint8Array(256);
  let text = '';
  for (;;) {
    const n = read(fd, buf, buf.length);
    if (n > 0) {
      text += new TextDecoder().decode(buf.subarray(0, n));
      if (until.test(text)) return { text, end: 'match' };
      continue;
    }
    if (n === 0) return { text, end: 'eof' };
    return { text, end: errno() === EAGAIN ? 'timeout' : 'error' };
  }
}

/** One request in the server's protocol: an echo line, server5's char, or daytime's date. */
function request(name: Server, fd: number): void {
  if (name === 'server5') send(fd, 'A');
  else if (name !== 'daytime') send(fd, 'ping\n');
}

/** Waits for the answer to request(): 'served', 'closed' (EOF or reset: shed), or 'timeout'. */
function answer(name: Server, fd: number): 'served' | 'closed' | 'timeout' {
  const r = read_until(fd, name === 'server5' ? /B/ : name === 'daytime' ? /\d{4}\r\n$/ : /ping\n/);
  return r.end === 'match' ? 'served' : r.end === 'timeout' ? 'timeout' : 'closed';
}

/** A new client, one request, its answer within ms (then closed). */
function serves(name: Server, s: Launched, ms = 5000): 'served' | 'closed' | 'timeout' {
  const fd = client(s, ms);
  try {
    request(name, fd);
    return answer(name, fd);
  } finally {
    close(fd);
  }
}

const nap = new Int32Array(new SharedArrayBuffer(4)); // a synchronous sleep: Atomics.wait on it

/**
 * Sends lines without reading the echo until the kernel takes no more for a
 * second: the server is blocked writing the echo (both sides' buffers full,
 * some MB on loopback), or has stopped reading this client.
 */
function fill(fd: number): number {
  const flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  const chunk = enc.encode('never read, never read, never read, never read, never read..\n'.repeat(1024));
  let total = 0;
  const t0 = Date.now();
  let progress = t0;
  while (Date.now() - progress < 1000 && Date.now() - t0 < 20_000) {
    const n = write(fd, chunk, chunk.length);
    if (n > 0) {
      total += n;
      progress = Date.now();
    } else {
      Atomics.wait(nap, 0, 0, 50); // let the server take what it can, then try again
    }
  }
  fcntl(fd, F_SETFL, flags);
  return total;
}

// ---- the faults -------------------------------------------------------------

describe('a client resets mid-line (SO_LINGER 0, half a line sent): 8 of them, then the next is served', () => {
  it.each(all)('%s', async (name) => {
    const s = await start(name);
    expect(serves(name, s)).toBe('served'); // the server is up; its workers and fds are there
    await sleep(100);
    const fds0 = fd_count(s.pid), threads0 = threads(s.pid);
    for (let i = 0; i < 8; i++) {
      const fd = client(s);
      send(fd, name === 'server5' ? 'A' : 'half a li');
      await sleep(20); // the server is reading it
      reset(fd);
    }
    await sleep(300);
    expect(alive(s)).toBe(true);
    expect(serves(name, s)).toBe('served');
    expect(serves(name, s)).toBe('served');
    await settle(() => fd_count(s.pid) <= fds0, 3000);
    expect(fd_count(s.pid)).toBeLessThanOrEqual(fds0); // no connection kept
    if (name !== 'echo-threads') expect(threads(s.pid)).toBe(threads0); // no worker lost
    expect(alive(s)).toBe(true);
  });
});

describe('a client that sends and never reads its echo', () => {
  it.each(all)('%s', async (name) => {
    const s = await start(name, { quiet: true });
    const hog = client(s);
    // server5's unit is one char; daytime reads nothing: for them, one request never read.
    if (name === 'server5' || name === 'daytime') request(name, hog);
    else expect(fill(hog)).toBeGreaterThan(0);
    await sleep(200);
    const other = client(s, models[name].busy === 'served' ? 5000 : 1000);
    try {
      request(name, other);
      if (models[name].busy === 'served') {
        expect(answer(name, other)).toBe('served');
      } else {
        expect(answer(name, other)).toBe('timeout'); // blocked writing to the hog (by design)
        bound_io(other, 5000);
      }
      close(hog); // unread data: an RST, the server's write fails
      if (models[name].busy !== 'served') expect(answer(name, other)).toBe('served'); // served now
    } finally {
      close(other);
    }
    expect(serves(name, s)).toBe('served');
    expect(alive(s)).toBe(true);
  });
});

describe('a client that sends half a line and waits', () => {
  it.each(all)('%s', async (name) => {
    const s = await start(name);
    const slow = client(s);
    // server5's unit is one char: the half of it is nothing at all.
    if (name !== 'server5') send(slow, 'half a li');
    await sleep(200);
    const other = client(s, models[name].busy === 'served' ? 5000 : 1000);
    try {
      request(name, other);
      if (models[name].busy === 'served') {
        expect(answer(name, other)).toBe('served');
      } else {
        expect(answer(name, other)).toBe('timeout'); // stalled on the half line (by design)
        bound_io(other, 5000);
      }
      if (name === 'echo-iterative') close(slow); // served in turn: the next waits until it leaves
      else if (name !== 'daytime' && name !== 'server5') {
        send(slow, 'ne\n'); // the line ends
        expect(read_until(slow, /half a line\n/).end).toBe('match');
      }
      if (models[name].busy !== 'served') expect(answer(name, other)).toBe('served');
    } finally {
      close(slow);
      close(other);
    }
    expect(serves(name, s)).toBe('served');
    expect(alive(s)).toBe(true);
  });
});

describe('out of fds: ulimit -n 64 and 100 clients', () => {
  it_linux(NEEDS_LINUX.proc).for(all)('%s', async (name) => {
    const s = await start(name, { nofile: 64 });
    const clients: number[] = [];
    const refused: string[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        try {
          clients.push(client(s, 3000));
        } catch (e) {
          refused.push(String(e)); // past server5's backlog of 5, while it is not accepting
        }
      }
      await sleep(500);
      if (name === 'echo-fork') await settle(() => children(s.pid).length === clients.length, 10_000); // done forking
      expect(alive(s)).toBe(true);
      // Idle while it holds what it can: no spinning on a failing accept.
      const t0 = cpu_ticks(s.pid);
      const lines0 = s.lines.length;
      await sleep(1000);
      // Of 100 ticks a second; idle is 0, a spinning server gets what the machine spares.
      expect(cpu_ticks(s.pid) - t0).toBeLessThan(10);
      expect(s.lines.length - lines0).toBeLessThan(200); // a few, as echo-fork's parent catches up; no flood
      // It serves the clients it has: every client is served, or was closed at once (shed).
      const results = { served: 0, closed: 0, timeout: 0 };
      const first = models[name].busy === 'waits' ? 1 : name === 'echo-prethreaded' ? 4 : clients.length;
      for (const fd of clients.slice(0, first)) {
        request(name, fd);
        results[answer(name, fd)]++;
      }
      expect(results.timeout).toBe(0);
      const said = s.lines.filter((l) => /Too many open files/.test(l));
      if (models[name].exhausts) {
        expect(results.closed).toBeGreaterThan(0);
        expect(results.served).toBeGreaterThan(10);
        expect(said).toHaveLength(1); // once, not a line a turn
      } else {
        expect(results.served).toBe(first);
        expect(said).toHaveLength(0);
      }
      expect(refused.length).toBeLessThan(name === 'server5' ? 100 : 1);
      expect(s.lines.length).toBeLessThan(2000); // no flood
    } finally {
      for (const fd of clients) close(fd);
    }
    // The clients left: it accepts and serves again.
    await sleep(300);
    await settle(() => serves(name, s, 3000) === 'served', 5000);
    expect(serves(name, s)).toBe('served');
    expect(alive(s)).toBe(true);
  });
});

describe("echo-fork's children killed by a signal", () => {
  it_linux(NEEDS_LINUX.proc)('the parent reaps them and goes on serving', async () => {
    const s = await start('echo-fork');
    const fds = [client(s), client(s), client(s)];
    try {
      for (const fd of fds) {
        request('echo-fork', fd);
        expect(answer('echo-fork', fd)).toBe('served');
      }
      const kids = children(s.pid);
      expect(kids).toHaveLength(3);
      // Three at once: their SIGCHLDs merge (signals do not queue), the handler's loop reaps all.
      process.kill(kids[0].pid, 'SIGKILL');
      process.kill(kids[1].pid, 'SIGSEGV');
      process.kill(kids[2].pid, 'SIGTERM');
      for (const fd of fds) expect(read_until(fd, /never/).end).not.toBe('timeout'); // EOF or reset
      await settle(() => children(s.pid).length === 0, 5000);
      expect(children(s.pid)).toEqual([]); // no <defunct> left
    } finally {
      for (const fd of fds) close(fd);
    }
    expect(serves('echo-fork', s)).toBe('served');
    expect(alive(s)).toBe(true);
  });
});

describe('the server stopped (SIGSTOP) and continued (SIGCONT)', () => {
  it_linux(NEEDS_LINUX.proc).for(all)('%s', async (name) => {
    const s = await start(name);
    expect(serves(name, s)).toBe('served');
    process.kill(s.pid, 'SIGSTOP');
    let fd = -1;
    try {
      fd = client(s, 300); // the kernel completes the handshake meanwhile
      request(name, fd);
      expect(answer(name, fd)).toBe('timeout'); // nobody answers while it is stopped
    } finally {
      process.kill(s.pid, 'SIGCONT');
    }
    try {
      bound_io(fd, 5000);
      expect(answer(name, fd)).toBe('served'); // the waiting client, once it runs again
    } finally {
      close(fd);
    }
    expect(serves(name, s)).toBe('served');
    expect(alive(s)).toBe(true);
  });
});

describe("echo-threads' memory over many short connections", () => {
  // RSS crept over batches of connections (a thread each), where the other
  // servers level off. Nothing per connection is kept: the creep is glibc's
  // malloc giving threads arenas of their own (up to 8 per core), each of
  // which keeps the memory freed in it, until every arena has reached its
  // high-water mark (docs/FAULTS.md has the measurements). With the arenas
  // limited to 2, RSS levels off, so that memory kept per connection (a
  // thread record, a handle, a stack) shows: 1 KiB a connection is 4.5 MB
  // in every window of three batches.
  //
  // What RSS still holds is the garbage between V8's collections: each
  // connection leaves two 8 KiB buffers (echo's line and its rio_t), freed
  // when V8 collects them, and malloc keeps its high-water mark. On Node 24
  // and 26 that level rises once more, in one step of about 13 MB that came
  // after 7,500 to 9,000 connections in most runs and later in others, as
  // V8 lets more garbage buffers wait (docs/FAULTS.md). A step comes once;
  // memory kept per connection rises in every window: the test wants one
  // window of three batches that stays flat.
  it_linux(NEEDS_LINUX.proc)('levels off: nothing is kept per connection', async () => {
    const s = await start('echo-threads', { quiet: true, env: { MALLOC_ARENA_MAX: '2' } });
    const rss = () => status_field(s.pid, 'VmRSS'); // KiB
    const batch = 1500, batches = 12;
    const after: number[] = [];
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < batch; i++) {
        const fd = client(s);
        try {
          request('echo-threads', fd);
          expect(answer('echo-threads', fd)).toBe('served');
        } finally {
          close(fd);
        }
      }
      await sleep(200);
      after.push(rss());
    }
    // The first three warm up (code, V8's heap, the arenas); then three
    // windows of three batches, each from the batch before it.
    const growth = [3, 6, 9].map((i) => Math.max(...after.slice(i, i + 3)) - after[i - 1]);
    expect(Math.min(...growth), `RSS after each batch of ${batch}: ${after.join(', ')} KiB`).toBeLessThan(3 * 1024);
  }, 150_000);
});
