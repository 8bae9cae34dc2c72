// Reads a trace that SYSCALL_LAB_TRACE wrote (src/sys/trace.ts has its
// format): one event a line, in the file's order. A blocking call's entry and
// return are paired into one call with a start and an end, per pid and thread.

/** One call, or a signal's handler, in one process and thread. */
export interface TraceCall {
  pid: number;
  tid: number;
  /** C's name: accept, fork, pthread_mutex_lock... or the signal's name for a handler ('SIGCHLD'). */
  name: string;
  /** What was inside the parentheses, at the return when there is one (else at the entry). */
  args: string;
  /** The result as printed ('5', '-1', '?'), undefined when the call never returned (the process ended in it). */
  result?: string;
  /** The errno name of a -1 ('ECONNRESET'). */
  errno?: string;
  /** Seconds (CLOCK_MONOTONIC): when it was called, and when it returned (the same for a call that cannot block). */
  start: number;
  end?: number;
  kind: 'call' | 'signal';
  /** The line number of its entry (1-based), for messages. */
  line: number;
}

export interface Trace {
  calls: TraceCall[];
  /** pid -> the command line of each process that loaded the library (its `# PID: ...` line). */
  commands: Map<number, string>;
}

const LINE = /^(\d+\.\d{9}) (\d+) (\d+) (.*)$/;
const RESULT = /^(.*) = (-?\d+|\?|NULL|[^ ]+)(?: ([A-Z][A-Z0-9]+) \(.*\))?$/;

/** Parses the text of a trace; throws a one-line Error naming the first line it cannot read. */
export function parse_trace(text: string): Trace {
  const calls: TraceCall[] = [];
  const commands = new Map<number, string>();
  const open = new Map<string, TraceCall[]>(); // "pid tid" -> calls entered, not yet returned
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (\d+): (.*)$/.exec(line);
      if (m && !commands.has(Number(m[1])) && !m[2].includes('(its calls are not traced)')) commands.set(Number(m[1]), m[2]);
      continue;
    }
    const m = LINE.exec(line);
    if (!m) throw new Error(`trace line ${k + 1} is not a trace line: ${line.slice(0, 60)}`);
    const time = Number(m[1]);
    const pid = Number(m[2]);
    const tid = Number(m[3]);
    let body = m[4];
    const key = `${pid} ${tid}`;
    const signal = /^--- (\w+) ---$/.exec(body);
    if (signal) {
      calls.push({ pid, tid, name: signal[1], args: '', start: time, end: time, kind: 'signal', line: k + 1 });
      continue;
    }
    if (body.startsWith('... ')) {
      // The return of the innermost call this thread entered (a handler's calls nest inside).
      body = body.slice(4);
      const stack = open.get(key);
      const call = stack?.pop();
      const name = /^(\w+)\(/.exec(body)?.[1];
      if (!call || call.name !== name) throw new Error(`trace line ${k + 1}: a return with no entry: ${line.slice(0, 60)}`);
      call.end = time;
      fill(call, body);
      continue;
    }
    if (body.endsWith(' ...')) {
      const name = /^(\w+)\(/.exec(body)?.[1];
      if (!name) throw new Error(`trace line ${k + 1} is not a call: ${line.slice(0, 60)}`);
      const call: TraceCall = { pid, tid, name, args: inner(body.slice(0, -4)), start: time, kind: 'call', line: k + 1 };
      calls.push(call);
      if (!open.has(key)) open.set(key, []);
      open.get(key)!.push(call);
      continue;
    }
    const name = /^(\w+)\(/.exec(body)?.[1];
    if (!name) throw new Error(`trace line ${k + 1} is not a call: ${line.slice(0, 60)}`);
    const call: TraceCall = { pid, tid, name, args: '', start: time, end: time, kind: 'call', line: k + 1 };
    fill(call, body);
    calls.push(call);
  }
  return { calls, commands };
}

/** The text between the call's outer parentheses. */
function inner(text: string): string {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return open >= 0 && close > open ? text.slice(open + 1, close) : '';
}

function fill(call: TraceCall, body: string): void {
  const threw = / threw (.*)$/.exec(body);
  if (threw) {
    call.args = inner(body.slice(0, threw.index));
    call.result = 'threw';
    return;
  }
  const r = RESULT.exec(body);
  if (!r) {
    call.args = inner(body);
    return;
  }
  call.args = inner(r[1]);
  call.result = r[2];
  if (r[3]) call.errno = r[3];
}

/** The socket address printed as {HOST:PORT} at position `index` of a call's arguments. */
export function address_arg(call: TraceCall, index: number): { host: string; port: number } | undefined {
  const parts = split_args(call.args);
  const m = /^\{\[?([^\]{}]*?)\]?:(\d+)\}$/.exec(parts[index] ?? '');
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
}

/** A call's arguments, split at the commas between them (not those inside braces, brackets or strings). */
export function split_args(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (args.trim() !== '') out.push(args.slice(start).trim());
  return out;
}
