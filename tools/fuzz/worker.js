// The fuzzer's child: runs calls [from, to) of a seeded sequence, each one
// export of the package (or one raw addon function) with arguments drawn from
// its parameters' domains, mixed with hostile values. Before each call it
// writes the call's index to fd PROGRESS_FD, so that the parent knows which
// call a crash or a hang happened in. Every call's random choices come from
// (seed, index) alone: re-running [from, to) replays the same calls.
// Run by tools/fuzz/run.js (and replay.js); see tools/fuzz/README.md.
import { writeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signatures } from './signatures.js';
import util from 'node:util';
import { performance } from 'node:perf_hooks';
export { ALL_MODES } from './modes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROGRESS_FD = 1010;
export const FUZZER_ERROR = 97;

// ---- Randomness: one small generator per call, seeded by (seed, index) ----
function mix(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
function rng(seed, index) {
  let s = mix(mix(seed >>> 0) ^ mix(index + 0x9e3779b9));
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (a) => a[Math.floor(next() * a.length)],
    chance: (p) => next() < p,
  };
}

// ---- What no call may do to the machine (see README: domains) ------------
// Never called: they end the process, wait for a signal forever, or run a
// program. The servers, clients and demos run servers and children of their
// own; their own tests cover them.
const EXCLUDED = new Set([
  'exit', '_exit', 'pthread_exit', 'Pthread_exit', 'sio_error', 'Sio_error', 'pause', 'Pause',
  'native._exit', 'native.pause', 'native.thread_init', 'native.signal_dispatcher',
]);
// The servers' per-connection helpers are called (mode 'servers'); their
// accept loops are not.
const SERVER_HELPERS = ['echo', 'echo_warm', 'set_nonblocking', 'init_pool', 'add_client', 'check_clients', 'pool', 'echo_conn'];

// Signals whose default action is to do nothing: a call may send them.
const HARMLESS_SIGNALS = ['SIGCHLD', 'SIGURG', 'SIGWINCH', 'SIGCONT'];
// Signals the 'signals' mode installs TypeScript handlers for.
const HANDLED_SIGNALS = ['SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGHUP'];
// Never given a TypeScript handler: a real crash must stay a crash.
const FAULT_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGSYS', 'SIGKILL', 'SIGSTOP', 'SIGPIPE'];

export async function load() {
  const sys = await import('../../dist/src/sys/index.js');
  const csapp = await import('../../dist/src/csapp/index.js');
  const servers = await import('../../dist/src/servers/index.js');
  // The raw addon, which the package does not export: from its module.
  const { native } = await import('../../dist/src/sys/native.js');
  return { sys, csapp, servers, native };
}

// ---- The world a sequence works in: fds, handles, threads, children ------
class Pool {
  constructor(lib, modes) {
    const { sys, csapp, native } = lib;
    this.sys = sys;
    this.native = native;
    this.csapp = csapp;
    this.modes = modes;
    this.fds = [];
    this.stale = [];
    this.threads = [];
    this.children = [];
    const c = sys.constants;
    this.c = c;
    const n = native;
    const nb = (fd) => { if (fd >= 0) { n.fcntl(fd, c.F_SETFL, n.fcntl(fd, c.F_GETFL, 0) | c.O_NONBLOCK); this.fds.push(fd); } return fd; };
    this.nb = nb;
    // A TCP listener on loopback, a connected pair through it, UDP, AF_UNIX.
    const lfd = nb(sys.socket(c.AF_INET, c.SOCK_STREAM, 0));
    sys.setsockopt(lfd, c.SOL_SOCKET, c.SO_REUSEADDR, 1);
    sys.bind(lfd, this.in4(0));
    sys.listen(lfd, 8);
    const name = new sys.sockaddr_storage();
    sys.getsockname(lfd, name, sys.cell(sys.sizeof.sockaddr_storage));
    this.port = sys.ntohs(name.sin_port);
    const cfd = nb(sys.socket(c.AF_INET, c.SOCK_STREAM, 0));
    sys.connect(cfd, this.in4(this.port));
    nb(sys.accept(lfd, null, null));
    const u = nb(sys.socket(c.AF_INET, c.SOCK_DGRAM, 0));
    sys.bind(u, this.in4(0));
    const sp = [-1, -1];
    if (sys.socketpair(c.AF_UNIX, c.SOCK_STREAM, 0, sp) === 0) sp.forEach(nb);
    const pp = [-1, -1];
    if (sys.pipe(pp) === 0) pp.forEach(nb);
    if (sys.epoll_create1) nb(sys.epoll_create1(0));
    const ul = nb(sys.socket(c.AF_UNIX, c.SOCK_STREAM, 0));
    const un = new sys.sockaddr_un();
    un.sun_path = 'fz.sock';
    sys.bind(ul, un);
    sys.listen(ul, 4);
    // Synchronization objects: mutexes error-checking, so that a second lock
    // by this thread is EDEADLK instead of a wait forever.
    const mattr = new sys.pthread_mutexattr_t();
    sys.pthread_mutexattr_settype(mattr, sys.PTHREAD_MUTEX_ERRORCHECK);
    this.mattr = mattr;
    this.mutexes = [0, 1].map(() => { const m = new sys.pthread_mutex_t(); sys.pthread_mutex_init(m, mattr); return m; });
    this.conds = [0, 1].map(() => { const x = new sys.pthread_cond_t(); sys.pthread_cond_init(x, null); return x; });
    this.sems = [0, 1].map((v) => { const s = new sys.sem_t(); sys.sem_init(s, 0, v); return s; });
    this.raw = {
      mutex: [0, 1].map(() => { const h = n.mutex_new(); n.mutex_init(h, c.PTHREAD_MUTEX_ERRORCHECK); return h; }),
      cond: [0, 1].map(() => { const h = n.cond_new(); n.cond_init(h); return h; }),
      sem: [0, 1].map((v) => { const h = n.sem_new(); n.sem_init(h, 0, v); return h; }),
    };
    // Names for the handles in a replay's printout.
    this.labels = new Map();
    for (const [k, list] of Object.entries({ mutex: this.mutexes, cond: this.conds, sem: this.sems })) list.forEach((h, i) => this.labels.set(h, `${k}#${i}`));
    for (const [k, list] of Object.entries(this.raw)) list.forEach((h, i) => this.labels.set(h, `raw ${k}#${i}`));
    this.rio = new csapp.rio_t();
    csapp.rio_readinitb(this.rio, cfd);
    if (lib.servers) {
      this.select = new lib.servers.pool();
      lib.servers.init_pool(lfd, this.select);
    }
    this.sbuf = new csapp.sbuf_t();
    csapp.sbuf_init(this.sbuf, 4);
    if (modes.has('signals')) {
      for (const s of HANDLED_SIGNALS) sys.signal(c[s], () => {});
    }
  }

  in4(port) {
    const a = new this.sys.sockaddr_in();
    a.sin_port = this.sys.htons(port);
    a.sin_addr = { s_addr: this.sys.htonl(0x7f000001) };
    return a;
  }

  // After a call that may have closed fds: forget the ones that are gone, so
  // that a number libuv reuses later is never handed to close() by us.
  prune() {
    const n = this.native;
    const live = [];
    for (const fd of this.fds) {
      if (n.fcntl(fd, this.c.F_GETFD, 0) >= 0) live.push(fd);
      else if (!this.stale.includes(fd)) this.stale.push(fd);
    }
    this.fds = live;
  }

  // Every fd non-blocking again (after an fcntl or ioctl that may have
  // changed one): no read, write or accept of a later call can wait.
  nonblocking() {
    const n = this.native;
    for (const fd of this.fds) {
      const fl = n.fcntl(fd, this.c.F_GETFL, 0);
      if (fl >= 0 && !(fl & this.c.O_NONBLOCK)) n.fcntl(fd, this.c.F_SETFL, fl | this.c.O_NONBLOCK);
    }
  }

  // A call made an fd (socket, accept, dup, pipe...): keep it, non-blocking,
  // so that no later read or accept on it can wait.
  adopt(fd) {
    if (!Number.isInteger(fd) || fd < 3 || fd === PROGRESS_FD) return;
    const n = this.native;
    const fl = n.fcntl(fd, this.c.F_GETFL, 0);
    if (fl < 0) return;
    // Even at a number the pool lists: the fd listed there may have been
    // closed by a call that does not say so in its name (add_client).
    n.fcntl(fd, this.c.F_SETFL, fl | this.c.O_NONBLOCK);
    if (this.fds.includes(fd)) return;
    this.fds.push(fd);
    this.stale = this.stale.filter((x) => x !== fd);
    // Too many: close the newest ones beyond the first few.
    while (this.fds.length > 48) this.sys.close(this.fds.pop());
  }

  // A closed fd number, only if it is still closed (never one libuv took).
  staleFd(r) {
    const fd = r.pick(this.stale.length ? this.stale : [1000]);
    return this.native.fcntl(fd, this.c.F_GETFD, 0) < 0 ? fd : -1;
  }
}

// ---- Values ---------------------------------------------------------------
class Hostile extends Error {}
const throwing = () => { throw new Hostile('fuzz: hostile getter'); };
const hostileProxy = () => new Proxy({}, {
  get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing,
});
const FIELDS = ['sin_family', 'sin_port', 'sin_addr', 's_addr', 'sin6_family', 'sin6_addr', 'sun_family', 'sun_path',
  'tv_sec', 'tv_usec', 'tv_nsec', 'value', 'events', 'revents', 'fd', 'data', 'u64', 'ai_flags', 'ai_family',
  'ai_socktype', 'signals', 'sa_handler', 'sa_flags', 'sa_mask', 'type', 'length', 'h', 'state', 'rio_fd', 'rio_cnt',
  'rio_buf', 'rio_bufptr', 'buf', 'n', 'front', 'rear', 'mutex', 'slots', 'items', 'ss_family', 'detachstate', 'stacksize'];
function hostileFields(r) {
  const o = {};
  for (const f of FIELDS) if (r.chance(0.5)) Object.defineProperty(o, f, { get: throwing, enumerable: true });
  return o;
}
function hostileArray(r) {
  const a = [3, 4, 5, 6].slice(0, 1 + r.int(4));
  Object.defineProperty(a, r.int(a.length), { get: throwing, enumerable: true });
  return a;
}
function detached(r) {
  const ab = new ArrayBuffer(16);
  const view = r.pick([() => new Uint8Array(ab), () => ab, () => new Int32Array(ab), () => new DataView(ab)])();
  structuredClone(ab, { transfer: [ab] });
  return view;
}
const BAD_NUMBERS = [NaN, Infinity, -Infinity, -1, -0, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, Number.MIN_VALUE];
const WRONG = [undefined, null, true, false, '', 'str', '3', 10n, Symbol('fuzz'), () => 0, {}, [], [1, 2], new Date(0),
  /re/, new Map(), Object.create(null), new Uint16Array(3)];
function junk(r) {
  switch (r.int(7)) {
    case 0: return hostileProxy();
    case 1: return hostileFields(r);
    case 2: return hostileArray(r);
    case 3: return detached(r);
    case 4: return r.pick(BAD_NUMBERS);
    default: { const w = r.pick(WRONG); return typeof w === 'object' && w !== null ? freshCopy(w) : w; }
  }
}
// A fresh copy, so that a call writing into one cannot change later calls.
function freshCopy(v) {
  if (Array.isArray(v)) return [...v];
  if (v instanceof Uint16Array) return new Uint16Array(v);
  if (v instanceof Map) return new Map();
  if (v instanceof Date || v instanceof RegExp) return v;
  return Object.getPrototypeOf(v) === null ? Object.create(null) : {};
}
function buffer(r) {
  const len = r.pick([0, 1, 8, 16, 64, 1024, 65536]);
  switch (r.int(8)) {
    case 0: return new ArrayBuffer(len);
    case 1: return new Int32Array(len >> 2);
    case 2: return new DataView(new ArrayBuffer(len));
    case 3: return new Uint8Array(new ArrayBuffer(len + 8), 8);
    case 4: { const ab = new ArrayBuffer(len, { maxByteLength: len * 2 + 8 }); return new Uint8Array(ab); }
    case 5: return new Uint8Array(new SharedArrayBuffer(len));
    case 6: return Buffer.alloc(len);
    default: return new Uint8Array(len);
  }
}
const ROUTINES = [
  () => 0,
  (a) => a,
  () => { throw new Error('fuzz: thrown in a thread'); },
  () => /(a+)+b/.test('a'.repeat(18) + 'c'),
  () => { let x = 0; for (let i = 0; i < 20000; i++) x += i; return x; },
  () => JSON.stringify({ a: [1, 2, 3] }).replace(/\d/g, (d) => String(d * 2)),
];

// Each parameter name's domain: plausible values, the ones that reach the
// syscall. `strict` domains are the ones where a stray number would harm
// the machine or wait forever (a pid, a signal, a timeout): junk there is
// limited to values that can never become a number.
function domainOf(fn, param, ctx) {
  const { sys, c, pool, modes } = ctx;
  const r = ctx.r;
  const fd = () => (r.chance(0.85) && pool.fds.length ? r.pick(pool.fds) : pool.staleFd(r));
  const sig = () => c[r.pick(modes.has('signals') ? [...HARMLESS_SIGNALS, ...HANDLED_SIGNALS] : HARMLESS_SIGNALS)];
  const lname = fn.replace(/^native\./, '').toLowerCase();
  const kind = (k) => ({ kind: k });
  const sem = () => (fn.startsWith('native.') ? r.pick(pool.raw.sem) : r.pick(pool.sems));
  const mutex = () => (fn.startsWith('native.') ? r.pick(pool.raw.mutex) : r.pick(pool.mutexes));
  const cond = () => (fn.startsWith('native.') ? r.pick(pool.raw.cond) : r.pick(pool.conds));
  const soon = () => ({ tv_sec: Math.floor(Date.now() / 1000) - 1 - r.int(2), tv_nsec: r.pick([0, 999999999, 1e9, -1]) });
  const sockaddr = () => {
    switch (r.int(6)) {
      case 0: return pool.in4(pool.port);
      case 1: return pool.in4(r.pick([0, 1, 9]));
      case 2: { const a = new sys.sockaddr_in6(); a.sin6_addr.s6_addr[15] = 1; a.sin6_port = sys.htons(pool.port); return a; }
      case 3: { const a = new sys.sockaddr_un(); a.sun_path = r.pick(['fz.sock', 'fz2.sock', '\0fz-abstract', 'x'.repeat(120), '']); return a; }
      case 4: return new sys.sockaddr_storage();
      default: return { sin_family: r.pick([c.AF_INET, c.AF_INET6, c.AF_UNIX, 0, 255]), sin_port: r.pick([0, -1, 70000]), sin_addr: { s_addr: r.pick([0, sys.htonl(0x7f000001)]) } };
    }
  };
  const sigset = () => { const s = new sys.sigset_t(); sys.sigemptyset(s); if (r.chance(0.5)) sys.sigaddset(s, sig()); if (r.chance(0.2)) sys.sigaddset(s, r.pick([0, 65, c.SIGKILL])); return fn.startsWith('native.') ? [...s.signals] : s; };

  // Per function first: the strict ones.
  switch (lname) {
    case 'kill': case 'killpg':
      if (param === 'pid' || param === 'pgrp') return { strict: true, values: () => r.pick([process.pid, 2 ** 31 - 1, -(2 ** 31 - 1), ...pool.children]) };
      if (param === 'sig') return { strict: true, values: () => r.pick([0, sig(), -1, 65, 2 ** 31]) };
      break;
    case 'raise':
      return { strict: true, values: () => r.pick([0, sig(), -1, 65]) };
    case 'prctl':
      // The int options, a pointer option (PR_SET_NAME: refused), bad ones.
      if (param === 'option') return { values: () => r.pick([c.PR_SET_CHILD_SUBREAPER, c.PR_GET_CHILD_SUBREAPER, c.PR_SET_PDEATHSIG, c.PR_GET_PDEATHSIG, 15, -1, 0].filter((x) => x !== undefined)) };
      if (param === 'arg2') return { values: () => r.pick([0, 1, sig(), 65, -1, sys.cell(0)]) };
      break;
    case 'alarm':
      return { strict: true, values: () => r.pick([0, -1, 2 ** 32, 1.5]) };
    case 'sleep':
      return { strict: true, values: () => r.pick([0, -1, 2 ** 33, 0.5]) };
    case 'usleep':
      return { strict: true, values: () => r.pick([0, 1, 100, -1, 2 ** 33]) };
    case 'nanosleep':
      if (param === 'req' || param === 'duration') return { strict: true, values: () => r.pick([{ tv_sec: 0, tv_nsec: r.pick([0, 1000, -1, 1e9]) }, { tv_sec: -1, tv_nsec: 0 }, { tv_sec: NaN, tv_nsec: 0 }]) };
      break;
    case 'waitpid':
      if (param === 'pid') return { strict: true, values: () => r.pick([-1, 0, 2 ** 31 - 1, ...pool.children]) };
      if (param === 'options') return { strict: true, values: () => r.pick([c.WNOHANG, c.WNOHANG | c.WUNTRACED, -1, 1 << 30]) };
      break;
    case 'select': case 'pselect':
      if (param === 'timeout' || param === 'timeval' || param === 'timespec') return { strict: true, values: () => r.pick([{ tv_sec: 0, tv_usec: 0, tv_nsec: 0 }, { tv_sec: 0, tv_usec: 1000, tv_nsec: 1000 }, { tv_sec: -1, tv_usec: 0, tv_nsec: 0 }, { tv_sec: 0, tv_usec: -5, tv_nsec: 2e9 }]) };
      break;
    case 'poll': case 'epoll_wait': case 'epoll_pwait': case 'kevent':
      if (param === 'timeout') return { strict: true, values: () => (lname === 'kevent' ? { tv_sec: 0, tv_nsec: 0 } : r.pick([0, 1, 2 ** 31, 1.5])) };
      break;
    case 'sem_timedwait': case 'pthread_cond_timedwait': case 'cond_timedwait':
      if (param === 'abstime') return { strict: true, values: soon };
      break;
    case 'signal': case 'sigaction': case 'signal_install':
      if (param === 'signum') return { strict: true, values: () => r.pick([...HANDLED_SIGNALS, ...HARMLESS_SIGNALS, 'SIGINT', 'SIGTERM'].map((s) => c[s]).concat([0, 65, -1, c.SIGKILL])) };
      if (param === 'handler') return { values: () => r.pick([() => {}, sys.SIG_IGN, (s) => s * 2]) };
      if (param === 'act') return { values: () => { const a = new sys.struct_sigaction(); a.sa_handler = r.pick([() => {}, sys.SIG_IGN]); a.sa_flags = r.pick([0, c.SA_RESTART, c.SA_SIGINFO, c.SA_RESETHAND, -1]); return a; } };
      break;
    case 'getaddrinfo':
      if (param === 'node' || param === 'host') return { strict: true, values: () => r.pick([null, '127.0.0.1', '::1', '0.0.0.0', '::', '127.1']) };
      if (param === 'service') return { values: () => r.pick([null, '0', '80', 'http', '99999', '-1', 'x'.repeat(300)]) };
      if (param === 'hints') return { strict: true, values: () => ({ ai_flags: c.AI_NUMERICHOST | r.pick([0, c.AI_PASSIVE, c.AI_CANONNAME, c.AI_NUMERICSERV, c.AI_ADDRCONFIG]), ai_family: r.pick([0, c.AF_INET, c.AF_INET6, 99]), ai_socktype: r.pick([0, c.SOCK_STREAM, c.SOCK_DGRAM, -1]), ai_protocol: 0 }) };
      break;
    case 'getnameinfo':
      if (param === 'flags') return { strict: true, values: () => c.NI_NUMERICHOST | r.pick([0, c.NI_NUMERICSERV, c.NI_NAMEREQD, c.NI_DGRAM]) };
      if (param === 'sa') return { strict: true, values: () => pool.in4(r.pick([0, 80, pool.port])) };
      break;
    case 'open_clientfd':
      if (param === 'hostname') return { strict: true, values: () => r.pick(['127.0.0.1', '::1']) };
      if (param === 'port') return { values: () => r.pick([String(pool.port), '1', '0', '99999', 'http', '']) };
      break;
    case 'open_listenfd':
      if (param === 'port') return { values: () => r.pick(['0', String(pool.port), '-1', 'x', 0]) };
      break;
    case 'execve': case 'execv': case 'execvp': case 'execvpe': case 'execl': case 'execle': case 'execlp': case 'exec':
      if (param === 'pathname' || param === 'file' || param === 'filename' || param === 'path') return { strict: true, values: () => '/nonexistent/syscall-lab-fuzz' };
      if (param === 'kind') return { values: () => r.pick([0, 1, 2, 3, -1, 99]) };
      break;
    case 'system':
      return { strict: true, values: () => null };
    case 'fcntl':
      // Never clears O_NONBLOCK: a later read must not wait.
      if (param === 'cmd') return { strict: true, values: () => r.pick([c.F_GETFL, c.F_GETFD, c.F_SETFD, c.F_SETFL, c.F_DUPFD, -1, 9999]) };
      if (param === 'arg') return { strict: true, values: () => r.pick([c.O_NONBLOCK, c.O_NONBLOCK | c.O_APPEND, c.O_NONBLOCK | 1, 0x7fffffff, -1]) };
      break;
    case 'ioctl':
      if (param === 'request') return { strict: true, values: () => r.pick([c.FIONREAD, -1, 0, 2 ** 40]) };
      break;
    case 'setsockopt':
      // No SO_LINGER with a long time: close() would wait for it.
      if (param === 'optname') return { strict: true, values: () => r.pick([c.SO_REUSEADDR, c.SO_RCVTIMEO, c.SO_SNDBUF, c.SO_KEEPALIVE, c.TCP_NODELAY, -1, 9999]) };
      break;
    case 'echo_warm':
      return { strict: true, values: () => r.pick([0, 1, 50, 120, -1, NaN, 1.5]) };
    case 'switch_interval':
      return { strict: true, values: () => r.pick([0, 1, 100, 5000, -1, 2 ** 53]) };
    case 'thread_stacksize':
      return { strict: true, values: () => r.pick([0, 16384, 1 << 20, -1, 2 ** 40]) };
    case 'pthread_attr_setstacksize':
      if (param === 'stacksize') return { strict: true, values: () => r.pick([0, 16384, 1 << 20, -1, 2 ** 40]) };
      break;
    case 'mutex_init':
      if (param === 'type') return { strict: true, values: () => r.pick([c.PTHREAD_MUTEX_ERRORCHECK, c.PTHREAD_MUTEX_RECURSIVE, -1, 99]) };
      break;
    case 'pthread_mutex_init':
      if (param === 'attr') return { strict: true, values: () => pool.mattr };
      break;
    case 'sem_init': case 'sem_init_':
      if (param === 'value') return { values: () => r.pick([0, 1, 2, -1, 2 ** 31, 2 ** 53]) };
      break;
    case 'pthread_create':
      if (param === 'start_routine' || param === 'routine') return { values: () => r.pick(ROUTINES) };
      break;
    default:
  }

  // Then by the parameter's name.
  switch (param) {
    case 'fd': case 'sockfd': case 'epfd': case 'connfd': case 'listenfd': case 'clientfd': case 'oldfd': case 'newfd':
    case 'kq': case 'fildes': case 'sock': case 'stream':
      return { values: fd };
    case 's':
      if (/sem|^p$|^v$/.test(lname)) return { values: sem };
      if (/puts|print/.test(lname)) return { values: () => r.pick(['', 'fuzz\n', 'x'.repeat(100)]) };
      return { values: fd };
    case 'sem': return { values: sem };
    case 'buf': case 'usrbuf': case 'optval': case 'dst': case 'src': case 'data':
      if (lname === 'inet_pton' && param === 'src') return { values: () => r.pick(['127.0.0.1', '::1', '1.2.3', '', 'x'.repeat(100)]) };
      if (lname === 'setsockopt' && param === 'optval') return { values: () => r.pick([1, 0, { tv_sec: 0, tv_usec: 1000 }, buffer(r)]) };
      return { values: () => buffer(r) };
    case 'n': case 'len': case 'count': case 'maxlen': case 'size': case 'nbytes': case 'optlen': case 'hostlen':
    case 'servlen': case 'nfds': case 'maxevents': case 'nchanges': case 'nevents': case 'backlog': case 'value': case 'salen':
      return { values: () => r.pick([0, 1, 4, 8, 16, 64, 1024, 65536, 1025]) };
    case 'addrlen':
      return { values: () => r.pick([sys.cell(16), sys.cell(sys.sizeof.sockaddr_storage), sys.cell(0), sys.cell(-1), 16, null]) };
    case 'addr': case 'sa': case 'dest_addr': case 'src_addr':
      return { values: sockaddr };
    case 'sig': case 'signum': case 'signo':
      return { strict: true, values: () => r.pick([0, sig(), -1, 65]) };
    case 'pid': case 'pgid': case 'pgrp':
      return { strict: true, values: () => r.pick([0, process.pid, 2 ** 31 - 1, ...pool.children]) };
    case 'set': case 'oldset': case 'mask': case 'sigmask':
      return { values: sigset };
    case 'how':
      return { values: () => r.pick([0, 1, 2, 3, -1]) };
    case 'readfds': case 'writefds': case 'exceptfds': case 'from': case 'to':
      return { values: () => { const s = new sys.fd_set(); sys.FD_ZERO(s); for (const f of pool.fds) if (r.chance(0.3)) sys.FD_SET(f, s); return r.chance(0.9) ? s : null; } };
    case 'fds':
      return { values: () => Array.from({ length: r.int(4) }, () => new sys.pollfd(fd(), r.pick([c.POLLIN, c.POLLOUT, c.POLLIN | c.POLLOUT, -1, 0]))) };
    case 'events': case 'eventlist': case 'changelist':
      return { values: () => Array.from({ length: r.int(4) }, () => new sys.epoll_event()) };
    case 'event':
      return { values: () => r.pick([{ events: c.EPOLLIN, data: { fd: fd() } }, new sys.epoll_event(), { events: -1 }, null]) };
    case 'm': case 'mutex': case 'mp':
      return { values: mutex };
    case 'c': case 'cond': case 'cv':
      return { values: cond };
    case 'attr':
      if (/thread|pthread_attr|pthread_create/.test(lname)) return { values: () => r.pick([null, new sys.pthread_attr_t()]) };
      return { values: () => pool.mattr };
    case 'thread': case 'tid': case 't1': case 't2':
      if (lname === 'pthread_create' && param === 'thread') return { values: () => sys.cell(0) };
      return { values: () => r.pick([1, 0, -1, 999, ...pool.threads]) };
    case 'rp': return { values: () => pool.rio };
    case 'p': return { values: () => (r.chance(0.5) ? pool.select : new ctx.lib.servers.pool()) };
    case 'sp': return { values: () => pool.sbuf };
    case 'start_routine': case 'routine': case 'fn': case 'init_routine':
      return { values: () => r.pick(ROUTINES) };
    case 'act': case 'oldact':
      return { values: () => new sys.struct_sigaction() };
    case 'status': case 'retval': case 'res': case 'oldstate': case 'result': case 'sval': case 'argp':
      return { values: () => sys.cell(0) };
    case 'argv': case 'envp': case 'args':
      return { values: () => r.pick([['x'], [], ['a', 'b=c'], null]) };
    case 'af': case 'domain': case 'family':
      return { values: () => r.pick([c.AF_INET, c.AF_INET6, c.AF_UNIX, 0, 255]) };
    case 'type':
      return { values: () => r.pick([c.SOCK_STREAM, c.SOCK_DGRAM, c.SOCK_STREAM | c.SOCK_NONBLOCK, 0, 99]) };
    case 'level':
      return { values: () => r.pick([c.SOL_SOCKET, c.IPPROTO_TCP, 0, -1]) };
    case 'host': case 'hostname': case 'node':
      return { strict: true, values: () => r.pick(['127.0.0.1', '::1', null]) };
    case 'serv': case 'service': case 'port':
      return { values: () => r.pick(['0', String(pool.port), 'http', null]) };
    default:
      return { values: () => r.pick([0, 1, -1, 16, c.MSG_DONTWAIT ?? 0x40, 1000]) };
  }
}

// Calls that would wait forever given their proper arguments: made only with
// something wrong in them (so that they fail), or when they cannot wait.
function blocks(name, proxied, pool) {
  const args = proxied.map((a) => (a !== null && typeof a === 'object' && wrapped.has(a) ? wrapped.get(a) : a));
  const { sys } = pool;
  const lname = name.replace(/^native\./, '');
  const isSem = (s) => s instanceof sys.sem_t || pool.raw.sem.includes(s);
  const value = (s) => {
    try {
      const v = sys.cell(0);
      return s instanceof sys.sem_t ? (sys.sem_getvalue(s, v), v.value) : pool.native.sem_getvalue(s);
    } catch {
      return 1; // destroyed: the wait fails at once
    }
  };
  switch (lname) {
    case 'sem_wait': case 'P': return isSem(args[0]) && !(value(args[0]) > 0);
    case 'sbuf_insert': return args[0] === pool.sbuf && !(value(pool.sbuf.slots) > 0 && value(pool.sbuf.mutex) > 0);
    case 'sbuf_remove': return args[0] === pool.sbuf && !(value(pool.sbuf.items) > 0 && value(pool.sbuf.mutex) > 0);
    case 'cond_wait': case 'pthread_cond_wait':
      return (pool.conds.includes(args[0]) || pool.raw.cond.includes(args[0])) && (pool.mutexes.includes(args[1]) || pool.raw.mutex.includes(args[1]));
    case 'sigsuspend': case 'Sigsuspend': case 'sigwait': {
      // A proper set waits for a signal: only broken ones are tried.
      const a = args[0];
      if (a instanceof sys.sigset_t) return true;
      return Array.isArray(a) && a.every((_, i) => Object.getOwnPropertyDescriptor(a, i)?.get === undefined);
    }
    // A read of a blocking socket or pipe with nothing in it waits for a
    // peer that never writes, in C too: not tried. (The pool's fds are
    // non-blocking, but a call may have put a blocking fd at their number.)
    case 'read': case 'Read': case 'recv': case 'Recv': case 'recvfrom': case 'Recvfrom':
    case 'rio_readn': case 'Rio_readn': case 'echo':
      return waitsToRead(sys, args[0]);
    // The same for an accept with no connection waiting: a blocking fd may
    // sit at a pool number that a call (add_client) closed behind its back.
    case 'accept': case 'Accept': case 'accept4':
      return waitsToAccept(sys, args[0]);
    case 'check_clients': {
      // The book's loop reads each client the pool's set marks: with a pool
      // the call made up, any of its clients. Behind a Proxy, the pool the
      // call sees is whatever the traps say: not tried.
      if (proxied[0] !== args[0]) return true;
      const p = args[0];
      const fds = p !== null && typeof p === 'object' ? p.clientfd : undefined;
      return (Array.isArray(fds) || fds instanceof Int32Array) && Array.from(fds).some((fd) => waitsToRead(sys, fd));
    }
    case 'rio_readlineb': case 'Rio_readlineb': case 'rio_readnb': case 'Rio_readnb':
    case 'rio_readline': case 'Rio_readline':
      // (what its buffer holds may not end the line: the fd decides)
      return args[0] instanceof pool.csapp.rio_t && waitsToRead(sys, args[0].rio_fd);
    // wait/Wait: the only children are forked ones that _exit at once.
    default: return false;
  }
}

/** Whether fd is an open fd in blocking mode (O_NONBLOCK clear). */
function isBlocking(sys, fd) {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) return false;
  const flags = sys.fcntl(fd, sys.F_GETFL);
  return flags >= 0 && !(flags & sys.O_NONBLOCK);
}

/** Whether an accept on fd would wait: a blocking socket with no connection to take. */
function waitsToAccept(sys, fd) {
  if (!isBlocking(sys, fd)) return false;
  const p = [new sys.pollfd(fd, sys.POLLIN, 0)];
  return sys.poll(p, 1, 0) === 0;
}

/** Whether a read of fd would wait: a blocking socket or pipe with no byte in it. */
function waitsToRead(sys, fd) {
  if (!isBlocking(sys, fd)) return false;
  const st = new sys.struct_stat();
  if (sys.fstat(fd, st) < 0 || !(sys.S_ISSOCK(st.st_mode) || sys.S_ISFIFO(st.st_mode))) return false;
  const n = sys.cell(0);
  return sys.ioctl(fd, sys.FIONREAD, n) === 0 && n.value === 0;
}

// ---- The targets -----------------------------------------------------------
export function targets(lib, modes, skip = new Set()) {
  // run.js --selftest: one target that crashes or hangs at its fifth call.
  const selftest = process.env.SYSCALL_LAB_FUZZ_SELFTEST;
  if (selftest) {
    let calls = 0;
    const fn = () => {
      if (++calls < 5) return 0;
      if (selftest === 'segv') process.kill(process.pid, 'SIGSEGV');
      for (;;);
    };
    return [{ name: `selftest_${selftest}`, fn, params: [] }];
  }
  const sigs = signatures([join(root, 'src/sys'), join(root, 'src/csapp'), join(root, 'src/servers')]);
  const out = [];
  const seen = new Set();
  const add = (name, fn, params) => {
    if (EXCLUDED.has(name) || skip.has(name) || typeof fn !== 'function') return;
    // A class (sockaddr_in, fd_set, pollfd...): constructed, with the junk.
    const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
    out.push({ name, fn: isClass ? (...a) => new fn(...a) : fn, params });
  };
  for (const [name, fn] of Object.entries(lib.sys).concat(Object.entries(lib.csapp))) {
    if (seen.has(name) || typeof fn !== 'function') continue;
    seen.add(name);
    if (/^[A-Z]/.test(name) && fn.prototype && Object.getOwnPropertyNames(fn.prototype).length > 1) continue; // classes with methods: made as values
    add(name, fn, sigs.get(name) ?? Array.from({ length: fn.length }, (_, i) => `a${i}`));
  }
  if (modes.has('servers')) for (const name of SERVER_HELPERS) add(name, lib.servers[name], sigs.get(name) ?? []);
  // The raw addon: the same names as the sys functions over it, or its own.
  const rawParams = {
    exec: ['kind', 'pathname', 'argv', 'envp'], sigprocmask: ['how', 'set'], sigsuspend: ['mask'], sigwait: ['set'],
    signal_install: ['signum', 'disposition', 'sa_flags'], signal_disposition: ['signum'], select: ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout'],
    pselect: ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout', 'sigmask'], epoll_wait: ['epfd', 'events', 'maxevents', 'timeout'],
    epoll_pwait: ['epfd', 'events', 'maxevents', 'timeout', 'sigmask'], mutex_init: ['m', 'type'], mutex_lock: ['m'], mutex_trylock: ['m'],
    mutex_unlock: ['m'], mutex_destroy: ['m'], cond_init: ['c'], cond_wait: ['c', 'm'], cond_timedwait: ['c', 'm', 'abstime'],
    cond_signal: ['c'], cond_broadcast: ['c'], cond_destroy: ['c'], sem_init: ['s', 'pshared', 'value'], sem_wait: ['s'],
    sem_timedwait: ['s', 'abstime'], sem_trywait: ['s'], sem_post: ['s'], sem_getvalue: ['s'], sem_destroy: ['s'],
    pthread_create: ['routine', 'arg'], pthread_join: ['thread'], thread_stacksize: ['stacksize'], switch_interval: ['microseconds'],
    fd_set_probe: ['a0'], fd_isset_probe: ['fd', 'a1'], script_name: ['fn'], sigpending: [], fork: [], environ_list: [],
    WIFEXITED: ['status_'], WEXITSTATUS: ['status_'], WIFSIGNALED: ['status_'], WTERMSIG: ['status_'], WIFSTOPPED: ['status_'],
    WSTOPSIG: ['status_'], WIFCONTINUED: ['status_'], WCOREDUMP: ['status_'],
  };
  for (const [name, fn] of Object.entries(lib.native)) {
    if (typeof fn !== 'function') continue;
    add(`native.${name}`, fn, rawParams[name] ?? sigs.get(name) ?? Array.from({ length: Math.max(fn.length, 3) }, (_, i) => `a${i}`));
  }
  // Modes that need a fix before they can run clean (see README).
  return out.filter((t) => {
    const n = t.name.replace(/^native\./, '');
    if (!modes.has('threads') && /pthread_create|Pthread_create|threads_wait_all|pthread_once|Pthread_once/.test(n)) return false;
    if (!modes.has('switch') && n === 'switch_interval') return false;
    if (!modes.has('signals') && /^(signal|Signal|sigaction|signal_install)$/.test(n)) return false;
    if (!modes.has('fork') && /^(fork|Fork|fork_warmup)$/.test(n)) return false;
    if (!modes.has('rio') && /^(rio_|Rio_)/.test(n)) return false;
    if (!modes.has('rio') && /^(echo|check_clients)$/.test(n)) return false; // they read lines with RIO
    return true;
  });
}

// Calls that take tens of milliseconds: made less often, so that a run's
// time goes to many calls.
const SLOW = { fork_warmup: 0.05, fork: 0.2, Fork: 0.2, tcp_table: 0.1, sem_timedwait: 0.3 };

// A freeing Proxy -> what it wraps (a wait's guard looks through it).
const wrapped = new WeakMap();

// ---- One call --------------------------------------------------------------
export function makeCall(lib, pool, list, seed, index, modes) {
  const r = rng(seed, index);
  let t = r.pick(list);
  while (r.next() > (SLOW[t.name.replace(/^native\./, '')] ?? 1)) t = r.pick(list);
  const ctx = { sys: lib.sys, c: lib.sys.constants, pool, modes, r, lib };
  const swap = modes.has('swap');
  const domains = t.params.map((p) => domainOf(t.name, p, ctx));
  const args = domains.map((d) => {
    if (r.chance(0.78)) return d.values();
    if (d.strict) return r.pick([hostileProxy(), Symbol('fuzz'), hostileFields(r), d.values()]);
    if (swap && r.chance(0.3)) return r.pick([...pool.mutexes, ...pool.conds, ...pool.sems, ...pool.raw.mutex, ...pool.raw.cond, ...pool.raw.sem, pool.rio, pool.sbuf]);
    return junk(r);
  });
  // Once in a while an extra argument, or one too few.
  if (r.chance(0.03)) args.push(junk(r));
  if (r.chance(0.03) && args.length && !domains[args.length - 1]?.strict) args.pop();
  // A getter that frees a buffer of this very call: the addon must not have
  // kept a pointer into it across reading a later argument.
  if (modes.has('free') && r.chance(0.12) && args.length >= 2) {
    // The buffer: an argument, or one inside an argument (an fd_set's bits,
    // a rio_t's buffer, an in6_addr's bytes), as the TypeScript layer hands
    // those to the addon.
    const isBuf = (a) => !util.types.isProxy(a) && (ArrayBuffer.isView(a) || util.types.isAnyArrayBuffer(a));
    const inside = (a, depth) => {
      if (isBuf(a)) return a;
      if (depth === 0 || a === null || typeof a !== 'object' || util.types.isProxy(a) || wrapped.has(a)) return null;
      for (const k of Object.keys(a)) {
        let v;
        try { v = a[k]; } catch { return null; }
        const found = inside(v, depth - 1);
        if (found) return found;
      }
      return null;
    };
    let bi = -1;
    let victim = null;
    for (let j = 0; j < args.length && !victim; j++) if ((victim = inside(args[j], 2))) bi = j;
    if (victim) {
      const ab = util.types.isAnyArrayBuffer(victim) ? victim : victim.buffer;
      const shrink = ab.resizable && r.chance(0.5);
      // Once: the first read frees it. A getter that forced a full GC on
      // every read made a loop over the Proxy (add_client's 1024 slots) a
      // 10-second "hang" once the heap had grown.
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        if (shrink) ab.resize(0);
        else if (!util.types.isSharedArrayBuffer(ab)) try { structuredClone(ab, { transfer: [ab] }); } catch { /* already gone */ }
        globalThis.gc?.();
      };
      const others = args.map((_, i) => i).filter((i) => i !== bi);
      const at = r.pick(others);
      const inner = args[at];
      args[at] = inner !== null && typeof inner === 'object'
        ? new Proxy(inner, { get(o, k) { free(); const v = Reflect.get(o, k); return typeof v === 'function' ? v.bind(o) : v; } })
        : new Proxy({}, { get() { free(); return inner; } });
      wrapped.set(args[at], inner);
    }
  }
  return { t, args };
}

export function describe(call, labels = new Map()) {
  const show = (v) => {
    if (labels.has(v)) return labels.get(v);
    if (v === null || v === undefined) return String(v);
    if (typeof v === 'string') return JSON.stringify(v.length > 24 ? v.slice(0, 24) + '...' : v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol') return 'Symbol()';
    if (typeof v === 'function') return 'function';
    if (util.types.isProxy(v)) return 'Proxy';
    if (ArrayBuffer.isView(v) || util.types.isAnyArrayBuffer(v)) {
      let size;
      try { size = v.byteLength; } catch { size = 'detached'; }
      return `${v.constructor.name}(${size})`;
    }
    return v.constructor?.name ?? 'Object';
  };
  return `${call.t.name}(${call.args.map(show).join(', ')})`;
}

function safeCopy(a) {
  try { return [a[0], a[1]]; } catch { return null; }
}
const FD_MAKERS = /socket|accept|dup|pipe|epoll_create|open_|Open_|kqueue|Socket|Accept|Dup|Pipe|Epoll_create/;

/**
 * The 'signals' mode's handlers, back on any handled signal whose disposition
 * is SIG_DFL again (asked of the addon: a raw signal_install changes it
 * behind sigaction's table).
 */
function keepHandled({ sys, native }) {
  for (const s of HANDLED_SIGNALS) {
    if (native.signal_disposition(sys[s]) === 0) sys.signal(sys[s], () => {});
  }
}

export async function run({ seed, from, to, modes, skip = new Set(), verbose = false, progress = true, last = -1 }) {
  const dir = mkdtempSync(join(tmpdir(), 'syscall-lab-fuzz-'));
  process.chdir(dir); // an AF_UNIX path or any relative name lands here
  const lib = await load();
  const pool = new Pool(lib, modes);
  const list = targets(lib, modes, skip);
  const progressBuf = Buffer.alloc(16);
  const skipped = { count: 0 };
  let signalsTouched = false;
  // SYSCALL_LAB_FUZZ_PROFILE=1: where the time goes, by function.
  const profile = process.env.SYSCALL_LAB_FUZZ_PROFILE ? new Map() : null;
  for (let i = from; i < to; i++) {
    const call = makeCall(lib, pool, list, seed, i, modes);
    let waits = false;
    try {
      waits = blocks(call.t.name, call.args, pool);
    } catch (e) {
      if (!(e instanceof Hostile)) throw e; // a hostile handle: the call throws too...
      // ...except a read, whose fd a getter may hand over at the call's own
      // look: whether that read would wait cannot be told; not tried.
      waits = /^(native\.)?([Rr]io_read(line|lineb|n|nb)|[Rr]ead|[Rr]ecv(from)?|echo|check_clients)$/.test(call.t.name);
    }
    if (waits) { skipped.count++; continue; }
    if (progress) {
      const s = `${i}\n`;
      progressBuf.write(s.padEnd(16), 'latin1');
      writeSync(PROGRESS_FD, progressBuf, 0, 16, 0);
    }
    if (verbose || i === last) writeSync(2, `call ${i}: ${describe(call, pool.labels)}\n`);
    const before = call.args.map((a) => (Array.isArray(a) && !util.types.isProxy(a) && a.length === 2 && FD_MAKERS.test(call.t.name) ? safeCopy(a) : null));
    // A handled signal whose handler was one-shot (SA_RESETHAND) or set back
    // to SIG_DFL by an earlier call would end the process, as in C, when a
    // later call raises it: that is not a finding. Put the handler back.
    if (signalsTouched) keepHandled(lib);
    let rc;
    const t0 = profile ? performance.now() : 0;
    try {
      rc = call.t.fn(...call.args);
    } catch (e) {
      if (verbose || i === last) writeSync(2, `  threw ${e?.constructor?.name}: ${String(e?.message).slice(0, 100)}\n`);
    }
    if (verbose || i === last) writeSync(2, `  returned ${describe({ t: { name: '' }, args: [rc] })}\n`);
    if (profile) { const e = profile.get(call.t.name) ?? [0, 0]; e[0] += performance.now() - t0; e[1]++; profile.set(call.t.name, e); }
    // Bookkeeping on what the call made; its arguments may be hostile still.
    const name = call.t.name;
    if (modes.has('signals') && /sig(nal|action)|signal_install/i.test(name)) signalsTouched = true;
    if (/fork|Fork/.test(name) && rc === 0) lib.native._exit(0); // the forked child ends at once
    if (/fork|Fork/.test(name) && rc > 0) pool.children.push(rc);
    try {
      if (FD_MAKERS.test(name)) {
        pool.adopt(rc);
        // pipe and socketpair write the new fds into their array: only what
        // changed is new (an array of junk numbers may name libuv's fds).
        call.args.forEach((a, j) => {
          if (Array.isArray(a) && before[j]) for (let k = 0; k < 2; k++) if (a[k] !== before[j][k]) pool.adopt(a[k]);
        });
      }
      if (/pthread_create|Pthread_create/.test(name)) {
        const id = typeof rc === 'number' && rc > 1 ? rc : call.args[0]?.value;
        if (Number.isInteger(id) && id > 1) pool.threads.push(id);
      }
    } catch (e) {
      if (!(e instanceof Hostile)) throw e;
    }
    if (/close|Close|dup2|Dup2|exec|Exec/.test(name)) pool.prune();
    if (/fcntl|Fcntl|ioctl|Ioctl/.test(name)) pool.nonblocking();
  }
  if (profile) {
    const top = [...profile].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12);
    writeSync(2, top.map(([k, [ms, n]]) => `${k}: ${ms.toFixed(0)} ms in ${n} calls`).join('\n') + '\n');
  }
  if (progress) writeSync(PROGRESS_FD, Buffer.from('done'.padEnd(16)), 0, 16, 0);
  // Threads still running end before the process does; forked children are reaped.
  for (const pid of pool.children) lib.sys.waitpid(pid, null, 0);
  process.chdir(tmpdir());
  rmSync(dir, { recursive: true, force: true });
  return { skipped: skipped.count, targets: list.length };
}

// As a child of run.js: node worker.js SEED FROM TO MODES
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seed, from, to] = process.argv.slice(2, 5).map(Number);
  const modes = new Set((process.argv[5] ?? '').split(',').filter(Boolean));
  // The parent's progress file, moved to a number no call is given.
  const { openSync, closeSync } = await import('node:fs');
  const { native } = await import('../../dist/src/sys/native.js');
  const fd = openSync(process.argv[6], 'r+');
  if (native.dup2(fd, PROGRESS_FD) !== PROGRESS_FD) throw new Error('fuzz: cannot place the progress fd');
  closeSync(fd);
  try {
    const skip = new Set((process.argv[7] ?? '').split(',').filter(Boolean));
  await run({ seed, from, to, modes, skip });
  } catch (e) {
    // Outside a call: the fuzzer's own bug, not a finding.
    console.error('fuzz: worker error', e);
    process.exit(FUZZER_ERROR);
  }
}
