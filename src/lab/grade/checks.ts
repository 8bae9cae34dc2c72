// The battery: each check names a property the lesson teaches of a concurrent
// echo server, measures it from outside (clients on loopback, /proc), and says
// what a student should look at when it does not hold.
import { createHash } from 'node:crypto';
import { Client, echo_exchange } from './clients.js';
import { children_of, fds_or_none, sockets_of, status_field } from '../procfs.js';
import { sleep, type ServerUnderTest } from './runner.js';

export interface Settings {
  clients: number; // clients at once in `clients`
  connections: number; // M short connections per round in the resource checks
  startMs: number; // until the server accepts
  replyMs: number; // for an echo that a working server gives at once
  stopMs: number; // for SIGINT / SIGTERM to end the server and its children
}

export interface Outcome {
  passed: boolean;
  measured: string;
}

export interface Context {
  settings: Settings;
  /** The running server (restarted by the battery if a check took it down). */
  server: ServerUnderTest;
  /** Starts a fresh instance of the server (for the signal checks); null if it does not start. */
  fresh(): Promise<ServerUnderTest | null>;
  /** Shared by the resource checks: measured once. */
  cycles?: Promise<Cycles>;
}

export interface Check {
  id: string;
  title: string;
  /** What a student should look at when it fails. */
  hint: string;
  run(ctx: Context): Promise<Outcome>;
}

const kib = (n: number) => (n >= 10240 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 12);

async function open(ctx: Context): Promise<Client> {
  return Client.open(ctx.server.host, ctx.server.port, ctx.settings.replyMs);
}

/** One connection, one line, its echo: true if it came back within ms. */
async function served(ctx: Context, line: string, ms = ctx.settings.replyMs): Promise<{ ok: boolean; ms: number; why?: string }> {
  const t0 = performance.now();
  let c: Client | null = null;
  try {
    c = await open(ctx);
    const r = await echo_exchange(c, Buffer.from(line), ms);
    return { ok: r.ok, ms: performance.now() - t0, why: r.ok ? undefined : `${r.got} of ${line.length} bytes back in ${secs(ms)}` };
  } catch (err) {
    return { ok: false, ms: performance.now() - t0, why: (err as Error).message };
  } finally {
    c?.close();
  }
}

function line_of(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size - 1; i++) b[i] = 0x21 + ((i * 7 + seed) % 94); // printable
  b[size - 1] = 0x0a;
  return b;
}

const echo: Check = {
  id: 'echo',
  title: 'echo correctness',
  hint: 'every byte read must be written back: check read/write lengths, short writes (Rio_writen), no strlen on binary data, no buffer limit',
  async run(ctx) {
    const binary = Buffer.alloc(256 * 4);
    for (let i = 0; i < binary.length; i++) binary[i] = i % 256 === 0x0a ? 0x00 : i % 256;
    binary[binary.length - 1] = 0x0a;
    const cases: { name: string; payload: Buffer; pieces?: number }[] = [
      ...[1, 2, 80, 1000, 4096, 8191].map((n) => ({ name: `${n}-byte line`, payload: line_of(n, n) })),
      { name: '20000-byte line', payload: line_of(20000, 3) },
      { name: 'binary bytes', payload: binary },
      { name: 'a line in 8 writes', payload: line_of(3000, 5), pieces: 8 },
    ];
    let bytes = 0;
    for (const k of cases) {
      let c: Client | null = null;
      try {
        c = await open(ctx);
        const r = await echo_exchange(c, k.payload, ctx.settings.replyMs, k.pieces ?? 1, k.pieces ? 30 : 0);
        if (!r.ok) {
          const got = c.data().subarray(0, k.payload.length);
          return { passed: false, measured: `${k.name}: ${r.got} of ${k.payload.length} bytes back` + (r.got === k.payload.length ? ` (sha256 ${sha(got)} != ${sha(k.payload)})` : '') };
        }
        bytes += k.payload.length;
      } catch (err) {
        return { passed: false, measured: `${k.name}: ${(err as Error).message}` };
      } finally {
        c?.close();
      }
    }
    return { passed: true, measured: `${cases.length} cases, ${kib(bytes)} back, sha256 equal` };
  },
};

/** While `hold` keeps a first client busy, is a second one served? */
async function second_served(ctx: Context, hold: (c: Client) => void): Promise<Outcome> {
  const first = await open(ctx);
  try {
    hold(first);
    await sleep(200); // the server accepts the first before the second connects
    const r = await served(ctx, 'second client\n');
    return r.ok
      ? { passed: true, measured: `2nd client echoed in ${r.ms.toFixed(0)} ms` }
      : { passed: false, measured: `2nd client: ${r.why}` };
  } finally {
    first.close();
  }
}

const lunch: Check = {
  id: 'lunch',
  title: 'a client out to lunch does not stop a 2nd',
  hint: 'one flow of control serves one client at a time (the iterative model): fork, a thread or select per client',
  run: (ctx) => second_served(ctx, () => {}),
};

const half_line: Check = {
  id: 'half-line',
  title: 'a half line does not stall others',
  hint: 'a blocking readline inside the event loop waits for the newline: read what select says is ready, keep partial lines per client',
  run: (ctx) => second_served(ctx, (c) => c.write('half a line, no newline')),
};

const pipelined: Check = {
  id: 'pipelined',
  title: 'lines sent together are all echoed',
  hint: 'lines left in a user-space read buffer (rio) are invisible to select/poll: serve every complete line buffered before waiting again',
  async run(ctx) {
    const payload = Buffer.concat(Array.from({ length: 200 }, (_, i) => line_of(2 + (i * 37) % 300, i)));
    let c: Client | null = null;
    try {
      c = await open(ctx);
      const r = await echo_exchange(c, payload, ctx.settings.replyMs);
      return { passed: r.ok, measured: `200 lines in one write: ${r.got} of ${payload.length} bytes back` };
    } finally {
      c?.close();
    }
  },
};

const clients: Check = {
  id: 'clients',
  title: 'N clients at once all served',
  hint: 'every accepted client must get its echo: check the per-client state and that no client is dropped',
  async run(ctx) {
    const n = ctx.settings.clients;
    const ms = ctx.settings.replyMs * 3 + n * 20;
    const results = await Promise.all(Array.from({ length: n }, async (_, i) => {
      let c: Client | null = null;
      try {
        c = await Client.open(ctx.server.host, ctx.server.port, ms);
        for (let k = 0; k < 5; k++) { // a line, its echo, the next: as a person types
          if (!(await echo_exchange(c, line_of(20 + k * 50 + i, i + k), ms)).ok) return false;
        }
        return true;
      } catch {
        return false;
      } finally {
        c?.close();
      }
    }));
    const ok = results.filter(Boolean).length;
    return { passed: ok === n, measured: `${ok} of ${n} clients got their 5 lines back` };
  },
};

const refcount: Check = {
  id: 'refcount',
  title: 'every client sees EOF when it is done',
  hint: 'the client gets EOF only when the last copy of connfd closes: close(connfd) in the parent after fork (and in every path)',
  async run(ctx) {
    for (let i = 0; i < 3; i++) {
      const c = await open(ctx);
      try {
        const r = await echo_exchange(c, Buffer.from('last line\n'), ctx.settings.replyMs);
        if (!r.ok) return { passed: false, measured: `no echo before EOF (${r.got} bytes)` };
        c.half_close(); // the server reads EOF, and should close
        if (!(await c.end_seen(ctx.settings.replyMs))) {
          return { passed: false, measured: `connection ${i + 1}: no EOF ${secs(ctx.settings.replyMs)} after shutdown(SHUT_WR)` };
        }
      } finally {
        c.close();
      }
    }
    return { passed: true, measured: '3 of 3 clients saw EOF after their last line' };
  },
};

async function still_serving(ctx: Context, what: string): Promise<Outcome> {
  await sleep(200);
  if (!ctx.server.alive) {
    const e = ctx.server.exit;
    return { passed: false, measured: `server ended (${e?.code ?? e?.signal}) after ${what}` };
  }
  const r = await served(ctx, 'still there?\n');
  return r.ok ? { passed: true, measured: `alive; next client served after ${what}` } : { passed: false, measured: `alive but the next client: ${r.why}` };
}

const reset: Check = {
  id: 'reset',
  title: 'a client that resets mid-line',
  hint: 'read/write fail with ECONNRESET / EPIPE on a reset: end that client, not the server (ignore SIGPIPE; no exit on an I/O error)',
  async run(ctx) {
    for (let i = 0; i < 3; i++) {
      const c = await open(ctx);
      const r = await echo_exchange(c, Buffer.from('first line\n'), ctx.settings.replyMs);
      if (!r.ok) { c.close(); return { passed: false, measured: 'no echo before the reset' }; }
      c.write('and then half a li');
      await sleep(100);
      c.reset(); // RST while the server waits for the rest of the line
      await sleep(100);
      if (!ctx.server.alive) break;
    }
    return still_serving(ctx, '3 resets');
  },
};

const never_reads: Check = {
  id: 'never-reads',
  title: 'a client that never reads',
  hint: 'writes to a client that does not read block, then fail with EPIPE when it leaves: ignore SIGPIPE, handle -1 from write',
  async run(ctx) {
    const c = await open(ctx);
    c.stop_reading();
    const chunk = line_of(64 * 1024, 9);
    for (let i = 0; i < 64; i++) c.write(chunk); // 4 MiB: more than both sockets' buffers
    await sleep(1000);
    c.close(); // leaves without having read: the server's write gets EPIPE / ECONNRESET
    return still_serving(ctx, '4 MiB left unread');
  },
};

// ---- resources after M short connections ------------------------------------

interface Snapshot {
  fds: string[];
  leftover: number; // connection sockets in CLOSE_WAIT: the peer left, the server still holds them
  threads: number;
  vmsize: number;
  rss: number;
  zombies: number;
}

function snapshot(pid: number): Snapshot {
  return {
    fds: fds_or_none(pid).map((l) => l.target),
    leftover: sockets_of(pid).filter((s) => s.state === 'CLOSE_WAIT').length,
    // Threads counts kernel tasks (a thread that ended is gone even if never
    // joined); VmSize keeps a never-joined thread's stack mapped.
    threads: status_field(pid, 'Threads'),
    vmsize: status_field(pid, 'VmSize'),
    rss: status_field(pid, 'VmRSS'),
    zombies: children_of(pid).filter((s) => s.state === 'Z').length,
  };
}

interface Cycles {
  base: Snapshot;
  round1: Snapshot;
  round2: Snapshot;
  failed: number;
}

async function short_connections(ctx: Context, m: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < m; i += 5) {
    const batch = await Promise.all(Array.from({ length: Math.min(5, m - i) }, () => served(ctx, 'short\n')));
    failed += batch.filter((r) => !r.ok).length;
  }
  return failed;
}

/** Waits (at most 3 s) until the server gave back what it should have; then measures. */
async function settled(pid: number, base: Snapshot): Promise<Snapshot> {
  let s = snapshot(pid);
  for (let waited = 0; waited < 3000; waited += 100) {
    if (s.zombies === 0 && s.fds.length - s.leftover <= base.fds.length && s.threads <= base.threads) break;
    await sleep(100);
    s = snapshot(pid);
  }
  return s;
}

function cycles(ctx: Context): Promise<Cycles> {
  ctx.cycles ??= (async () => {
    const pid = ctx.server.pid;
    await short_connections(ctx, 5); // warm-up: what a runtime opens lazily is part of the baseline
    await sleep(300);
    const base = snapshot(pid);
    let failed = await short_connections(ctx, ctx.settings.connections);
    const round1 = await settled(pid, base);
    failed += await short_connections(ctx, ctx.settings.connections);
    const round2 = await settled(pid, base);
    return { base, round1, round2, failed };
  })();
  return ctx.cycles;
}

const total = (ctx: Context) => 2 * ctx.settings.connections;

const zombies: Check = {
  id: 'zombies',
  title: 'no zombie children',
  hint: 'a child that exits stays a zombie until its parent waits: a SIGCHLD handler with waitpid(-1, &status, WNOHANG) in a loop',
  async run(ctx) {
    const c = await cycles(ctx);
    const z = c.round2.zombies;
    return { passed: z === 0, measured: `${z} children in state Z after ${total(ctx)} connections` };
  },
};

const fds: Check = {
  id: 'fds',
  title: 'no fd left open beyond the baseline',
  hint: 'an fd opened per connection must be closed on every path (files, sockets, pipes): compare /proc/PID/fd',
  async run(ctx) {
    const c = await cycles(ctx);
    const grown = c.round2.fds.length - c.base.fds.length;
    const leaked = grown - c.round2.leftover; // connfds in CLOSE_WAIT are the refcount check's finding
    const tolerance = Math.max(2, Math.floor(ctx.settings.connections / 10));
    const note = c.round2.leftover ? ` (+${c.round2.leftover} connfds in CLOSE_WAIT: see refcount)` : '';
    return { passed: leaked <= tolerance, measured: `${c.base.fds.length} -> ${c.round2.fds.length} fds after ${total(ctx)} connections${note}` };
  },
};

const threads: Check = {
  id: 'threads',
  title: 'threads return to the baseline',
  hint: 'a thread per client must end and be detached (pthread_detach) or joined; a joinable thread never joined keeps its stack',
  async run(ctx) {
    const c = await cycles(ctx);
    const extra = c.round2.threads - c.base.threads;
    const vm = (c.round2.vmsize - c.base.vmsize) / 1024; // MiB
    const vmBound = Math.max(128, total(ctx) * 4); // a never-joined thread keeps its 8 MiB stack: twice this per connection
    const ok = extra <= 2 && vm <= vmBound;
    return { passed: ok, measured: `${c.base.threads} -> ${c.round2.threads} threads, address space +${vm.toFixed(0)} MiB` };
  },
};

const memory: Check = {
  id: 'memory',
  title: 'memory does not grow without bound',
  hint: 'memory allocated per connection must be freed (malloc/free, buffers kept per client)',
  async run(ctx) {
    const c = await cycles(ctx);
    const grown = (c.round2.rss - c.round1.rss) / 1024;
    const bound = Math.max(32, ctx.settings.connections); // MiB over one round of M connections
    return { passed: grown <= bound && c.failed === 0, measured: `RSS +${grown.toFixed(1)} MiB over the 2nd ${ctx.settings.connections} connections` + (c.failed ? `, ${c.failed} not served` : '') };
  },
};

// ---- signals ------------------------------------------------------------------

async function stops_on(ctx: Context, sig: 'SIGINT' | 'SIGTERM', server: ServerUnderTest | null): Promise<Outcome> {
  if (!server) return { passed: false, measured: 'a fresh instance did not start' };
  // A connected client (for a forking server: a child) while the signal comes.
  let c: Client | null = null;
  try {
    c = await Client.open(server.host, server.port, ctx.settings.replyMs);
    await echo_exchange(c, Buffer.from('before the signal\n'), ctx.settings.replyMs);
  } catch {
    // measured below anyway
  }
  server.scan();
  const t0 = performance.now();
  server.signalGroup(sig); // as Ctrl-C (SIGINT) or kill -TERM -PGID does
  const ended = await server.waitExit(ctx.settings.stopMs);
  let left = server.living();
  for (let waited = 0; ended && left.length && waited < 1000; waited += 100) {
    await sleep(100);
    left = server.living();
  }
  const ms = performance.now() - t0;
  c?.close();
  if (!ended) return { passed: false, measured: `still running ${secs(ctx.settings.stopMs)} after ${sig}` };
  const how = server.exit!.signal ? `killed by ${server.exit!.signal}` : `exit ${server.exit!.code}`;
  if (left.length) return { passed: false, measured: `${how}, but ${left.length} process(es) it started still run` };
  return { passed: true, measured: `${how} in ${ms.toFixed(0)} ms, nothing left running` };
}

const sigterm: Check = {
  id: 'sigterm',
  title: 'SIGTERM ends it with its children',
  hint: 'handle SIGTERM (or keep its default): leave accept, close the sockets, exit; do not ignore it',
  run: (ctx) => ctx.fresh().then((s) => stops_on(ctx, 'SIGTERM', s)),
};

const sigint: Check = {
  id: 'sigint',
  title: 'SIGINT (Ctrl-C) ends it with its children',
  hint: 'handle SIGINT (or keep its default): leave accept, close the sockets, exit',
  run: (ctx) => ctx.fresh().then((s) => stops_on(ctx, 'SIGINT', s)),
};

/** In the order they run. */
export const checks: Check[] = [echo, pipelined, lunch, half_line, clients, refcount, zombies, fds, threads, memory, reset, never_reads, sigterm, sigint];
export const check_ids = checks.map((c) => c.id);
