// SYSCALL_LAB_TRACE=FILE: a line for every call the program makes into the
// addon, as strace would show it, so that a lesson can be read (or drawn, by
// `syscall-lab timeline`) from a real run. It lives at the seam between the
// typed functions and the addon: every call crosses it once, in every
// process and thread, and with the variable unset the addon is handed out
// as it is, so tracing off costs nothing.
//
// A line:  TIME PID TID CALL
//   TIME  CLOCK_MONOTONIC, in seconds with 9 decimals (the same clock in every process)
//   PID   getpid(), TID the library's thread number (pthread_self(): 1 is the main thread)
//   CALL  `accept(3, {127.0.0.1:50642}, [16]) = 5`, or `read(5, ...) = -1 ECONNRESET (Connection reset by peer)`
// A call that may block has two lines, so that its sleep shows as a span:
//   its entry, ending in ` ...`:            `accept(3, NULL, NULL) ...`
//   its return, starting with `... `:       `... accept(3, {127.0.0.1:50642}, [16]) = 5`
// A TypeScript signal handler that runs is a line `--- SIGCHLD ---`, between
// the entry and the return of the call it interrupted. Lines starting with `#`
// are comments.
//
// Each line is one write(2) to a file opened O_APPEND: lines of processes and
// threads that write at once do not mix, and a process killed in the middle of
// a call leaves every line up to its last. The first process of a run
// truncates the file; its children, and programs it execs, append (the
// environment says which is which).

import { endianness } from 'node:os';

type Fn = (...args: unknown[]) => unknown;
const little = endianness() === 'LE';
type Addon = Record<string, unknown>;

/** The calls that may block: an entry line and a return line each. */
const BLOCKING = new Set([
  'accept', 'accept4', 'connect', 'read', 'recv', 'recvfrom', 'write', 'send', 'sendto', 'close',
  'select', 'pselect', 'poll', 'epoll_wait', 'epoll_pwait', 'kevent',
  'waitpid', 'pause', 'sigsuspend', 'sigwait', 'sleep', 'usleep', 'nanosleep', 'system', 'exec',
  'pthread_join', 'mutex_lock', 'cond_wait', 'cond_timedwait', 'sem_wait', 'sem_timedwait', 'open',
]);

/** Functions of the addon that are not calls a C program makes (helpers, macros, the library's plumbing). */
const UNTRACED = new Set([
  'errno', 'set_errno', 'strerror', 'gai_strerror', 'signal_dispatch_end', 'signal_disposition',
  'fd_set_probe', 'fd_isset_probe', 'script_name', 'major_gcs', 'js_lock_held', 'thread_init',
  'threads_running', 'thread_stacksize', 'switch_interval', 'environ_list', 'inet_pton', 'inet_ntop',
  'WIFEXITED', 'WEXITSTATUS', 'WIFSIGNALED', 'WTERMSIG', 'WIFSTOPPED', 'WSTOPSIG', 'WIFCONTINUED', 'WCOREDUMP',
  'mutex_new', 'cond_new', 'sem_new', 'tcp_state',
]);

/** The arguments a blocking call fills in (an entry line shows them as '...'). */
const OUTPUTS: Record<string, number[]> = {
  accept: [1, 2], accept4: [1, 2], recvfrom: [4, 5], waitpid: [1], sigwait: [1], nanosleep: [1],
  pthread_join: [1],
};

/** The addon's names where C's differ. */
const C_NAME: Record<string, string> = {
  mutex_init: 'pthread_mutex_init', mutex_lock: 'pthread_mutex_lock', mutex_trylock: 'pthread_mutex_trylock',
  mutex_unlock: 'pthread_mutex_unlock', mutex_destroy: 'pthread_mutex_destroy',
  cond_init: 'pthread_cond_init', cond_wait: 'pthread_cond_wait', cond_timedwait: 'pthread_cond_timedwait',
  cond_signal: 'pthread_cond_signal', cond_broadcast: 'pthread_cond_broadcast', cond_destroy: 'pthread_cond_destroy',
  signal_install: 'sigaction', threads_wait_all: 'pthread_exit', fork_warmup: 'fork_warmup',
};
const EXEC_NAME = ['execve', 'execvp', 'execvpe'];

let tracer: Tracer | undefined;
let paused = 0;

/** Wraps the addon's calls when SYSCALL_LAB_TRACE names a file; else hands the addon back untouched. */
export function traced<T extends Addon>(addon: T): T {
  const path = process.env.SYSCALL_LAB_TRACE;
  if (!path) return addon;
  tracer = new Tracer(addon, path);
  return tracer.wrap();
}

/**
 * Runs fn with its calls left out of the trace: the library's own work that
 * is not the lesson's (echo_warm's thousands of echoes over a socketpair of
 * its own). The trace says so in one comment line.
 */
export function untraced<T>(what: string, fn: () => T): T {
  if (!tracer) return fn();
  tracer.comment(`${what} (its calls are not traced)`);
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

class Tracer {
  private readonly fd: number;
  private readonly raw: Record<string, Fn>;
  private readonly names: Map<string, Map<number, string>> = new Map();
  private errnos: Map<number, string> | undefined;

  constructor(private readonly addon: Addon, path: string) {
    this.raw = addon as Record<string, Fn>;
    const c = addon.constants as Record<string, number>;
    const first = !process.env.SYSCALL_LAB_TRACE_RUN;
    const flags = c.O_WRONLY | c.O_CREAT | c.O_APPEND | c.O_CLOEXEC | (first ? c.O_TRUNC : 0);
    const fd = this.raw.open(path, flags, 0o644) as number;
    if (fd < 0) {
      const err = this.raw.errno() as number;
      process.stderr.write(`syscall-lab: SYSCALL_LAB_TRACE: cannot write ${path}: ${this.raw.strerror(err)} (${this.errnoName(err)})\n`);
      process.exit(2);
    }
    // Out of the program's way: its first socket is still fd 3, as without the trace.
    const high = this.raw.fcntl(fd, c.F_DUPFD_CLOEXEC, 512) as number;
    if (high >= 0) this.raw.close(fd);
    this.fd = high >= 0 ? high : fd;
    if (first) {
      process.env.SYSCALL_LAB_TRACE_RUN = String(this.raw.getpid());
      this.emit('# syscall-lab trace: TIME (CLOCK_MONOTONIC, s) PID TID CALL; "..." marks a call that may block');
    }
    this.emit(`# ${this.raw.getpid()}: ${[process.argv0, ...process.argv.slice(1)].join(' ')}`);
  }

  wrap<T extends Addon>(): T {
    const out: Addon = Object.create(null);
    for (const [name, value] of Object.entries(this.addon)) {
      if (typeof value !== 'function' || UNTRACED.has(name)) {
        out[name] = value;
      } else if (name === 'signal_dispatcher') {
        out[name] = (fn: Fn) => (value as Fn)((signals: number[], infos: unknown[]) => {
          for (const s of signals) this.emit(`--- ${this.constant('SIG', s)} ---`);
          return fn(signals, infos);
        });
      } else {
        out[name] = this.wrapCall(name, value as Fn);
      }
    }
    return out as T;
  }

  private wrapCall(name: string, fn: Fn): Fn {
    const blocking = BLOCKING.has(name);
    const tracer = this;
    return function traced(this: unknown, ...args: unknown[]) {
      if (paused) return fn.apply(this, args);
      if (name === '_exit') tracer.emit(`${tracer.call(name, args, undefined)} = ?`); // it does not return
      else if (blocking) tracer.emit(`${tracer.call(name, args, undefined)} ...`);
      let r: unknown;
      try {
        r = fn.apply(this, args);
      } catch (e) {
        tracer.emit(`${blocking ? '... ' : ''}${tracer.call(name, args, undefined)} threw ${tracer.thrown(e)}`);
        throw e;
      }
      tracer.emit(`${blocking ? '... ' : ''}${tracer.call(name, args, r)} = ${tracer.result(name, r)}`);
      return r;
    };
  }

  comment(text: string): void {
    this.emit(`# ${this.raw.getpid()}: ${text}`);
  }

  /** Writes one line, keeping the program's errno as it was. */
  private emit(text: string): void {
    const saved = this.raw.errno();
    const pid = this.raw.getpid();
    const tid = this.raw.pthread_self();
    const t = process.hrtime.bigint();
    const line = text.startsWith('#') ? `${text}\n`
      : `${t / 1_000_000_000n}.${String(t % 1_000_000_000n).padStart(9, '0')} ${pid} ${tid} ${text}\n`;
    this.raw.write(this.fd, Buffer.from(line));
    this.raw.set_errno(saved);
  }

  // ---- formatting, as C (and strace) would print ----------------------------

  private call(name: string, args: unknown[], r: unknown): string {
    try {
      if (name === 'exec') {
        const [kind, file, argv, envp] = args;
        return `${EXEC_NAME[kind as number] ?? 'exec'}(${this.value(file)}, ${this.value(argv)}${envp === undefined ? '' : ', ' + this.value(envp)})`;
      }
      return `${C_NAME[name] ?? name}(${args.map((a, i) => this.arg(name, i, a, r, args)).join(', ')})`;
    } catch {
      return `${C_NAME[name] ?? name}(?)`;
    }
  }

  private arg(name: string, i: number, a: unknown, r: unknown, args: unknown[]): string {
    const bytes = view(a);
    if (bytes) {
      // What a read brought in (once it has), what a write sends: its first bytes.
      if (/^(read|recv|recvfrom)$/.test(name)) return typeof r === 'number' && r > 0 ? quote(bytes, r) : '...';
      if (/^(select|pselect)$/.test(name)) return fdSet(bytes);
      const count = args[i + 1];
      return quote(bytes, typeof count === 'number' && count >= 0 ? Math.min(count, bytes.length) : bytes.length);
    }
    // What the call fills in, before it has: '...'.
    if (r === undefined && OUTPUTS[name]?.includes(i) && a !== null && a !== undefined) return '...';
    if (typeof a === 'number') {
      if (name === 'socket' && i === 0) return this.constant('AF_', a);
      if (name === 'socket' && i === 1) return this.flags(a, 'SOCK_');
      if ((name === 'kill' || name === 'killpg' || name === 'raise' || name === 'signal_install') && i === (name === 'raise' || name === 'signal_install' ? 0 : 1)) return this.constant('SIG', a);
      if ((name === 'setsockopt' || name === 'getsockopt') && i === 1) return this.constant('SOL_', a, 'IPPROTO_');
      if ((name === 'setsockopt' || name === 'getsockopt') && i === 2) return this.constant('SO_', a, 'TCP_');
      if (name === 'shutdown' && i === 1) return this.constant('SHUT_', a);
      if (name === 'waitpid' && i === 2) return a === 0 ? '0' : this.flags(a, 'W');
      if (name === 'signal_install' && i === 1) return ['SIG_DFL', 'SIG_IGN', 'handler'][a] ?? String(a);
      if (name === 'signal_install' && i === 2) return a === 0 ? '0' : this.flags(a, 'SA_');
    }
    if (name === 'waitpid' && i === 1 && isCell(a)) return typeof r === 'number' && r > 0 ? `[${this.status(a.value as number)}]` : this.value(a);
    return this.value(a);
  }

  private value(v: unknown, depth = 0): string {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return JSON.stringify(v.length > 64 ? v.slice(0, 64) : v) + (v.length > 64 ? '...' : '');
    if (typeof v === 'function') return v.name || 'function';
    const bytes = view(v);
    if (bytes) return quote(bytes, bytes.length);
    if (depth > 2) return '{...}';
    if (Array.isArray(v)) {
      const items = v.slice(0, 8).map((x) => this.value(x, depth + 1));
      return `[${items.join(', ')}${v.length > 8 ? ', ...' : ''}]`;
    }
    const o = v as Record<string, unknown>;
    if (isCell(o)) return `[${this.value(o.value, depth + 1)}]`;
    const address = sockaddr(o);
    if (address !== undefined) return address;
    const fields = Object.keys(o).slice(0, 6).map((k) => `${k}=${this.value(o[k], depth + 1)}`);
    return `{${fields.join(', ')}${Object.keys(o).length > 6 ? ', ...' : ''}}`;
  }

  private result(name: string, r: unknown): string {
    if (typeof r === 'number' && r === -1 && !/^(mutex|cond|sem_(init|destroy|post)|pthread_)/.test(name)) {
      const e = this.raw.errno() as number;
      return `-1 ${this.errnoName(e)} (${this.raw.strerror(e)})`;
    }
    // The pthread functions answer an error number, as in C.
    if (typeof r === 'number' && r > 0 && /^(mutex_|cond_|pthread_(join|detach|cancel))/.test(name)) return `${r} ${this.errnoName(r)}`;
    return this.value(r);
  }

  private thrown(e: unknown): string {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return message.split('\n')[0].slice(0, 120);
  }

  private status(s: number): string {
    const sig = s & 0x7f;
    if (sig === 0) return `{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}`;
    if (sig !== 0x7f) return `{WIFSIGNALED(s) && WTERMSIG(s) == ${this.constant('SIG', sig)}${s & 0x80 ? ' && WCOREDUMP(s)' : ''}}`;
    return `{WIFSTOPPED(s) && WSTOPSIG(s) == ${this.constant('SIG', (s >> 8) & 0xff)}}`;
  }

  private errnoName(e: number): string {
    if (!this.errnos) {
      this.errnos = new Map();
      for (const [name, value] of Object.entries(this.addon.errno_names as Record<string, number>)) {
        if (!this.errnos.has(value)) this.errnos.set(value, name);
      }
    }
    return this.errnos.get(e) ?? String(e);
  }

  /** The constant named PREFIX... with this value (the first in the addon's table), else the number. */
  private constant(prefix: string, v: number, other?: string): string {
    const lookup = (p: string) => this.table(p).get(v);
    return lookup(prefix) ?? (other && lookup(other)) ?? String(v);
  }

  private flags(v: number, prefix: string): string {
    const exact = this.table(prefix).get(v);
    if (exact) return exact;
    const parts: string[] = [];
    let left = v;
    // The type of a socket is a value, its flags bits: the value first.
    for (const [value, name] of [...this.table(prefix)].sort((a, b) => b[0] - a[0])) {
      if (value > 0 && (left & value) === value && (value & (value - 1)) === 0) {
        parts.push(name);
        left &= ~value;
      }
    }
    const base = this.table(prefix).get(left);
    if (base) parts.unshift(base);
    else if (left) parts.unshift(String(left));
    return parts.join('|') || '0';
  }

  private table(prefix: string): Map<number, string> {
    let t = this.names.get(prefix);
    if (!t) {
      t = new Map();
      const c = this.addon.constants as Record<string, number>;
      for (const [name, value] of Object.entries(c)) {
        if (name.startsWith(prefix) && typeof value === 'number' && !t.has(value)) t.set(value, name);
      }
      this.names.set(prefix, t);
    }
    return t;
  }
}

function isCell(v: unknown): v is { value: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && 'value' in v;
}

function view(v: unknown): Uint8Array | undefined {
  if (!ArrayBuffer.isView(v)) return undefined;
  try {
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  } catch {
    return new Uint8Array(0); // a detached buffer
  }
}

/** The first bytes as a C string literal: "GET / HTTP/1.0\r\n"... */
function quote(bytes: Uint8Array, n: number): string {
  const shown = Math.min(n, bytes.length, 32);
  let s = '"';
  for (let i = 0; i < shown; i++) {
    const b = bytes[i];
    if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + b.toString(8);
  }
  return s + '"' + (n > shown ? '...' : '');
}

/** An fd_set's bits (C's layout: bit n of the set is bit n%8 of byte n/8) as the fds in it: [3 4]. */
function fdSet(bytes: Uint8Array): string {
  const fds: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) continue;
    for (let b = 0; b < 8; b++) if (bytes[i] & (1 << b)) fds.push(i * 8 + b);
  }
  return `[${fds.join(' ')}]`;
}

/** A socket address, as `{127.0.0.1:50642}`, `{[::1]:8080}`, `{"/tmp/s"}`; undefined for any other object. */
function sockaddr(o: Record<string, unknown>): string | undefined {
  // Ports and addresses are in network byte order, as in C: ntohs, and the bytes of s_addr in memory order.
  const port = (p: unknown) => (typeof p !== 'number' ? 0 : little ? ((p & 0xff) << 8) | ((p >> 8) & 0xff) : p & 0xffff);
  if ('sin_addr' in o && o.sin_addr) {
    const a = (o.sin_addr as { s_addr: number }).s_addr >>> 0;
    const b = little ? [a & 0xff, (a >>> 8) & 0xff, (a >>> 16) & 0xff, a >>> 24] : [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
    return `{${b.join('.')}:${port(o.sin_port)}}`;
  }
  if ('sin6_addr' in o && o.sin6_addr) {
    const b = (o.sin6_addr as { s6_addr: Uint8Array }).s6_addr;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
    const text = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
    return `{[${text}]:${port(o.sin6_port)}}`;
  }
  if ('sun_path' in o && typeof o.sun_path === 'string') return `{${JSON.stringify(o.sun_path)}}`;
  if ('ss_family' in o) return '{...}'; // not filled in yet
  return undefined;
}
