// A trace (src/lab/trace/parse.ts) laid out as the lecture notes draw it: a
// column per process or thread (client 1, the server, its children or
// threads, client 2...), time downwards, one row per thing that happened (a
// call, a return, a signal), blocking calls as spans from their entry to their
// return, and the lines between columns: connections (an accept matched with
// its client by the client's port), forks and thread creations (branches),
// and the bytes a write sent to the read that got them.
import { address_arg, split_args, type Trace, type TraceCall } from '../trace/parse.js';

export interface Column {
  key: string; // "pid tid"
  pid: number;
  tid: number;
  label: string; // 'client 1', 'server', 'child 1', 'thread 2'
  role: 'client' | 'server' | 'child' | 'thread' | 'process';
}

/** One call in its column: a point (row) or a span (row to endRow). */
export interface Mark {
  column: number;
  row: number;
  endRow?: number; // a blocking call's return; undefined if it never returned
  blocking: boolean;
  call: TraceCall;
  /** The short text drawn at the entry, and at the return. */
  label: string;
  result?: string;
}

export interface Link {
  kind: 'connection' | 'fork' | 'thread' | 'data';
  from: { column: number; row: number };
  to: { column: number; row: number };
  label: string;
}

export interface Timeline {
  columns: Column[];
  marks: Mark[];
  links: Link[];
  rows: number;
  /** Seconds since the first event, per row. */
  times: number[];
}

const key = (c: { pid: number; tid: number }) => `${c.pid} ${c.tid}`;

/**
 * The calls a picture of the lesson leaves out unless asked (--all): the
 * set-up (addresses, options, handlers), and the terminal's I/O (fds 0-2).
 */
export function is_noise(c: TraceCall): boolean {
  if (/^(getaddrinfo|getnameinfo|setsockopt|getsockopt|sigaction|fork_warmup|getpid|getppid|socketpair|pthread_self)$/.test(c.name)) return true;
  return /^(read|write|recv|send)$/.test(c.name) && /^[012]$/.test(split_args(c.args)[0] ?? '');
}

/** Lays a trace out; a client process is labelled by its command line's `--name "client 1"`. */
export function layout(trace: Trace, opts: { all?: boolean } = {}): Timeline {
  const calls = [...trace.calls].filter((c) => opts.all || !is_noise(c)).sort((a, b) => a.start - b.start);
  if (calls.length === 0) return { columns: [], marks: [], links: [], rows: 0, times: [] };

  // ---- columns ----
  const forkedBy = new Map<number, number>(); // child pid -> parent pid
  for (const c of calls) if (c.name === 'fork' && Number(c.result) > 0) forkedBy.set(Number(c.result), c.pid);
  const columns: Column[] = [];
  const seen = new Set<string>();
  const childCount = new Map<number, number>();
  for (const c of calls) {
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    const command = trace.commands.get(c.pid) ?? '';
    const named = /--name[ =](?:"([^"]+)"|(\S+ \d+|\S+))/.exec(command);
    let label: string;
    let role: Column['role'];
    if (c.tid > 1) {
      label = `thread ${c.tid}`;
      role = 'thread';
    } else if (forkedBy.has(c.pid)) {
      const parent = forkedBy.get(c.pid)!;
      const n = (childCount.get(parent) ?? 0) + 1;
      childCount.set(parent, n);
      label = `child ${n}`;
      role = 'child';
    } else if (named) {
      label = named[1] ?? named[2];
      role = 'client';
    } else if (/\bserve\b/.test(command)) {
      label = 'server';
      role = 'server';
    } else {
      label = `pid ${c.pid}`;
      role = 'process';
    }
    columns.push({ key: k, pid: c.pid, tid: c.tid, label, role });
  }
  // The notes' order: client 1, the server and its children and threads, then the other clients.
  const clients = columns.filter((c) => c.role === 'client');
  const rest = columns.filter((c) => c.role !== 'client');
  columns.splice(0, columns.length, ...clients.slice(0, 1), ...rest, ...clients.slice(1));
  const columnOf = new Map(columns.map((c, i) => [c.key, i]));

  // ---- rows: every entry, return and point, in time order ----
  const points: Array<{ t: number; mark: Mark; end: boolean }> = [];
  const marks: Mark[] = [];
  // A call that may block but did not (nothing else happened anywhere while
  // it ran) is drawn as a point: the picture keeps the spans that matter.
  const instants = calls.flatMap((c) => (c.end !== undefined && c.end !== c.start ? [c.start, c.end] : [c.start])).sort((a, b) => a - b);
  const quiet = (c: TraceCall) => {
    if (c.end === undefined) return false;
    const from = lowerBound(instants, c.start + 1e-12);
    return from >= instants.length || instants[from] >= c.end;
  };
  for (const c of calls) {
    const blocking = c.kind !== 'signal' && c.end !== c.start && !quiet(c);
    const mark: Mark = { column: columnOf.get(key(c))!, row: 0, blocking, call: c, label: short(c), result: resultText(c) };
    marks.push(mark);
    points.push({ t: c.start, mark, end: false });
    if (blocking && c.end !== undefined) points.push({ t: c.end, mark, end: true });
  }
  points.sort((a, b) => a.t - b.t || (a.end === b.end ? 0 : a.end ? -1 : 1));
  const t0 = points[0].t;
  const times: number[] = [];
  points.forEach((p, row) => {
    if (p.end) p.mark.endRow = row;
    else p.mark.row = row;
    times.push(p.t - t0);
  });
  for (const m of marks) if (!m.blocking) m.endRow = m.row;

  // ---- links ----
  const links: Link[] = [];
  const byPid = (pid: number) => marks.filter((m) => m.call.pid === pid);
  // forks: the parent's fork to the child's first row
  for (const m of marks) {
    if (m.call.name !== 'fork' || !(Number(m.call.result) > 0)) continue;
    const child = byPid(Number(m.call.result))[0];
    if (child) links.push({ kind: 'fork', from: { column: m.column, row: m.row }, to: { column: child.column, row: child.row }, label: `fork ${m.call.result}` });
  }
  // threads: pthread_create to the thread's first row (the thread's number is create's result)
  for (const m of marks) {
    if (m.call.name !== 'pthread_create') continue;
    const tid = Number(m.call.result);
    const first = marks.find((x) => x.call.pid === m.call.pid && x.call.tid === tid);
    if (first) links.push({ kind: 'thread', from: { column: m.column, row: m.endRow ?? m.row }, to: { column: first.column, row: first.row }, label: `thread ${tid}` });
  }
  // connections: an accept's peer port is a client's local port (its getsockname)
  const ends = new Map<number, { mark: Mark; fd: string }>(); // client port -> the client's connect
  for (const m of marks) {
    if (m.call.name !== 'getsockname') continue;
    const port = address_arg(m.call, 1)?.port;
    const fd = split_args(m.call.args)[0];
    const connect = marks.filter((x) => x.call.pid === m.call.pid && x.call.name === 'connect' && split_args(x.call.args)[0] === fd && x.row <= m.row).at(-1);
    if (port && connect) ends.set(port, { mark: connect, fd });
  }
  const conns: Array<{ serverPids: number[]; serverFd: string; clientPid: number; clientFd: string }> = [];
  for (const m of marks) {
    if ((m.call.name !== 'accept' && m.call.name !== 'accept4') || !(Number(m.call.result) >= 0)) continue;
    const port = address_arg(m.call, 1)?.port;
    const client = port === undefined ? undefined : ends.get(port);
    if (!client) continue;
    links.push({
      kind: 'connection',
      from: { column: client.mark.column, row: client.mark.endRow ?? client.mark.row },
      to: { column: m.column, row: m.endRow ?? m.row },
      label: `:${port}`,
    });
    // Who serves it: the child forked after this accept (before the next one), else the server itself.
    const mine = marks.filter((x) => x.call.pid === m.call.pid && x.row > (m.endRow ?? m.row));
    const nextAccept = mine.find((x) => x.call.name === m.call.name)?.row ?? Infinity;
    const fork = mine.find((x) => x.call.name === 'fork' && Number(x.call.result) > 0 && x.row < nextAccept);
    conns.push({ serverPids: fork ? [Number(fork.call.result)] : [m.call.pid], serverFd: m.call.result!, clientPid: client.mark.call.pid, clientFd: client.fd });
  }
  // data: a write on one end to the first read on the other that got bytes after it started
  for (const conn of conns) {
    const sides = [
      { writers: [conn.clientPid], wfd: conn.clientFd, readers: conn.serverPids, rfd: conn.serverFd },
      { writers: conn.serverPids, wfd: conn.serverFd, readers: [conn.clientPid], rfd: conn.clientFd },
    ];
    for (const side of sides) {
      const reads = marks.filter((x) => side.readers.includes(x.call.pid) && /^(read|recv)$/.test(x.call.name) &&
        split_args(x.call.args)[0] === side.rfd && Number(x.call.result) > 0);
      const used = new Set<Mark>();
      for (const w of marks) {
        if (!side.writers.includes(w.call.pid) || !/^(write|send)$/.test(w.call.name) || split_args(w.call.args)[0] !== side.wfd) continue;
        if (!(Number(w.call.result) > 0)) continue;
        const r = reads.find((x) => !used.has(x) && (x.endRow ?? x.row) >= w.row);
        if (!r) continue;
        used.add(r);
        links.push({ kind: 'data', from: { column: w.column, row: w.row }, to: { column: r.column, row: r.endRow ?? r.row }, label: split_args(w.call.args)[1] ?? '' });
      }
    }
  }
  return { columns, marks, links, rows: points.length, times };
}

/** The call as the picture names it: its name and first argument (an fd), or a signal. */
function short(c: TraceCall): string {
  if (c.kind === 'signal') return c.name;
  const args = split_args(c.args);
  const first = args[0] !== undefined && /^-?\d+$/.test(args[0]) && !/^(sleep|usleep|_exit|fork)$/.test(c.name) ? args[0] : '';
  if (/^(sleep|usleep|nanosleep)$/.test(c.name)) return `${c.name}(${args[0] ?? ''})`;
  return `${c.name}(${first})`;
}

function resultText(c: TraceCall): string | undefined {
  if (c.kind === 'signal' || c.result === undefined) return undefined;
  if (c.errno) return `-1 ${c.errno}`;
  if (c.name === 'accept' || c.name === 'accept4') {
    const a = address_arg(c, 1);
    return a ? `${c.result} :${a.port}` : c.result;
  }
  if (c.name === 'read' || c.name === 'recv') {
    const data = split_args(c.args)[1];
    return Number(c.result) > 0 && data ? `${c.result} ${data}` : c.result;
  }
  return c.result;
}

/** The index of the first element >= x in a sorted array. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
