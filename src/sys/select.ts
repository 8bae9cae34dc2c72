// Events: one flow of control over many descriptors. fd_set with C's layout
// and FD_ZERO / FD_SET / FD_CLR / FD_ISSET; select and pselect; poll; epoll
// (Linux) and kqueue (macOS, the BSDs); ioctl(FIONREAD). The C names,
// argument order and results (-1 and errno()).
//
// Every wait drops the JS lock. None is restarted after a TypeScript signal
// handler ran, whatever restart flag the handler has: the call returns -1
// with EINTR, as C's select, poll and epoll_wait do even under SA_RESTART
// (signal(7)). A signal handled only by Node itself (SIGCHLD for
// child_process) is invisible: the wait goes on for the time left.
import { inspect } from 'node:util';
import { native, sizeof, type EpollCalls, type KqueueCalls } from './native.js';
import { check_int } from './args.js';
import { ENOSYS, FD_SETSIZE, NFDBITS } from './constants.js';
import { set_errno } from './errno.js';
import type { timeval } from './socket.js';
import type { timespec } from './time.js';

// ---- fd_set ---------------------------------------------------------------

const SETBYTES: number = sizeof.fd_set;
const WORDBYTES = NFDBITS / 8;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// The byte of fd's bit: bit fd % NFDBITS of word fd / NFDBITS, as FD_SET
// computes it. On a little-endian machine that is byte fd / 8, bit fd % 8.
function byteOf(fd: number): number {
  if (LITTLE_ENDIAN) return fd >> 3;
  const bit = fd % NFDBITS;
  return Math.floor(fd / NFDBITS) * WORDBYTES + (WORDBYTES - 1 - (bit >> 3));
}

/**
 * C's fd_set: a bit vector of FD_SETSIZE bits, bit k set when fd k is in the
 * set. `fds_bits` are its bytes, exactly as in C (sizeof.fd_set of them, the
 * platform's word layout), and select rewrites them in place. Assignment
 * shares, as with any object: C's `ready = all` is `FD_COPY(all, ready)` or
 * `ready = all.copy()`.
 */
export class fd_set {
  readonly fds_bits: Uint8Array;

  constructor() {
    this.fds_bits = new Uint8Array(SETBYTES);
  }

  /** A new set with the same bits (C's struct assignment). */
  copy(): fd_set {
    const s = new fd_set();
    s.fds_bits.set(this.fds_bits);
    return s;
  }

  /** The fds in the set, in increasing order. */
  fds(): number[] {
    const out: number[] = [];
    const b = this.fds_bits;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 0) continue;
      for (let fd = i * 8; fd < i * 8 + 8; fd++) if (FD_ISSET(fd, this)) out.push(fd);
    }
    return out.sort((x, y) => x - y);
  }

  /** The first n bits as the lesson draws them: '0011010...' for fds 0 to n - 1. */
  bits(n = 32): string {
    check_int('fd_set.bits', 'n', n, 0, FD_SETSIZE);
    let s = '';
    for (let fd = 0; fd < n; fd++) s += FD_ISSET(fd, this) ? '1' : '0';
    return s;
  }

  toString(): string {
    return `fd_set { ${this.fds().join(', ')} }`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function what(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'no class'})`;
  return typeof x;
}

function badSet(fn: string, set: unknown): never {
  throw new TypeError(`${fn}: set must be an fd_set (new fd_set()), got ${what(set)}`);
}

function badFd(fn: string, fd: unknown): never {
  if (typeof fd !== 'number') throw new TypeError(`${fn}: fd must be a number, got ${what(fd)}`);
  throw new RangeError(`${fn}: fd ${fd} is outside [0, FD_SETSIZE = ${FD_SETSIZE}): an fd_set has FD_SETSIZE bits ` +
    '(in C this writes outside the set, or aborts under _FORTIFY_SOURCE)');
}

/** FD_ZERO(set): empties the set. */
export function FD_ZERO(set: fd_set): void {
  if (!(set instanceof fd_set)) badSet('FD_ZERO', set);
  set.fds_bits.fill(0);
}

/** FD_SET(fd, set): adds fd. An fd outside [0, FD_SETSIZE) is a RangeError. */
export function FD_SET(fd: number, set: fd_set): void {
  if (!(set instanceof fd_set)) badSet('FD_SET', set);
  if (fd >>> 0 !== fd || fd >= FD_SETSIZE) badFd('FD_SET', fd);
  set.fds_bits[byteOf(fd)] |= 1 << (fd & 7);
}

/** FD_CLR(fd, set): removes fd. */
export function FD_CLR(fd: number, set: fd_set): void {
  if (!(set instanceof fd_set)) badSet('FD_CLR', set);
  if (fd >>> 0 !== fd || fd >= FD_SETSIZE) badFd('FD_CLR', fd);
  set.fds_bits[byteOf(fd)] &= ~(1 << (fd & 7));
}

/** FD_ISSET(fd, set): whether fd is in the set. */
export function FD_ISSET(fd: number, set: fd_set): boolean {
  if (!(set instanceof fd_set)) badSet('FD_ISSET', set);
  if (fd >>> 0 !== fd || fd >= FD_SETSIZE) badFd('FD_ISSET', fd);
  return (set.fds_bits[byteOf(fd)] & (1 << (fd & 7))) !== 0;
}

/** FD_COPY(from, to): to = from, the copy C makes by struct assignment (`ready_set = read_set`). BSD's macro, same order. */
export function FD_COPY(from: fd_set, to: fd_set): void {
  if (!(from instanceof fd_set)) badSet('FD_COPY', from);
  if (!(to instanceof fd_set)) badSet('FD_COPY', to);
  to.fds_bits.set(from.fds_bits);
}

function setArg(fn: string, name: string, s: fd_set | null | undefined): Uint8Array | null {
  if (s instanceof fd_set) return s.fds_bits;
  if (s === null || s === undefined) return null;
  throw new TypeError(`${fn}: ${name} must be an fd_set or null, got ${what(s)}`);
}

/**
 * select(nfds, readfds, writefds, exceptfds, timeout): waits until an fd in
 * one of the sets is ready or the timeout passes. Returns the number of ready
 * fds (0 on timeout) and rewrites each set in place to hold the ready ones;
 * on Linux the timeout is rewritten too, to the time that was left. nfds is
 * the highest fd plus one, at most FD_SETSIZE (a RangeError beyond: C would
 * read past the sets). -1 with errno: EBADF (a closed fd in a set), EINVAL
 * (a negative timeout or nfds), EINTR (a signal handler ran; never restarted).
 */
export function select(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null,
  timeout: timeval | null): number {
  return native.select(nfds, setArg('select', 'readfds', readfds), setArg('select', 'writefds', writefds),
    setArg('select', 'exceptfds', exceptfds), timeout);
}

/**
 * The signal mask in force during pselect / epoll_pwait: a sigset_t (made
 * with sigemptyset / sigaddset, as in C), or any iterable of signal numbers
 * (an array, a Set); null keeps the thread's mask.
 */
export type sigmask_t = { readonly signals: ReadonlySet<number> } | Iterable<number> | null;

function maskArg(fn: string, mask: sigmask_t | undefined): number[] | null {
  if (mask === null || mask === undefined) return null;
  if (Array.isArray(mask)) return mask;
  const signals = (mask as { signals?: unknown }).signals;
  if (signals instanceof Set) return [...signals];
  if (typeof (mask as Iterable<number>)[Symbol.iterator] === 'function') return Array.from(mask as Iterable<number>);
  throw new TypeError(`${fn}: sigmask must be a sigset_t, an iterable of signal numbers or null, got ${what(mask)}`);
}

/**
 * pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask): select with a
 * timespec (never rewritten) and, during the wait only, the signal mask
 * `sigmask` (atomically: the race between unblocking a signal and waiting is
 * gone). A signal blocked outside and let in by sigmask ends the wait with EINTR.
 */
export function pselect(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null,
  timeout: timespec | null, sigmask: sigmask_t): number {
  return native.pselect(nfds, setArg('pselect', 'readfds', readfds), setArg('pselect', 'writefds', writefds),
    setArg('pselect', 'exceptfds', exceptfds), timeout, maskArg('pselect', sigmask));
}

// ---- poll -----------------------------------------------------------------

/** struct pollfd: the fd (a negative one is skipped), the events wanted, the events that happened. */
export class pollfd {
  constructor(public fd = -1, public events = 0, public revents = 0) {}
}

/**
 * poll(fds, nfds, timeout): waits on the first nfds entries of fds (nfds may
 * not exceed fds.length), timeout in milliseconds (negative: forever, 0: do
 * not wait). Each entry's revents is written (POLLIN, POLLOUT, POLLHUP,
 * POLLERR, POLLNVAL for an fd that is not open). The number of entries with
 * events, 0 on timeout, -1 with errno (EINTR, EINVAL).
 */
export const poll = native.poll;

// ---- ioctl ----------------------------------------------------------------

/**
 * ioctl(fd, FIONREAD, nread): nread (a cell) receives the number of bytes a
 * read would get now: 0 on a readable pipe or terminal means end of file
 * (how Beginning Linux Programming's programs tell it). ioctl(fd, FIONBIO, on)
 * sets or clears non-blocking mode. Other requests: -1 with EINVAL.
 */
export const ioctl = native.ioctl;

// ---- epoll (Linux) ----------------------------------------------------------

/**
 * C's union epoll_data: set one member (fd, u32 or u64) when registering.
 * epoll_wait fills all three views of the union. u64 is a JS number, so it
 * holds integers up to 2^53 - 1 (enough for an fd, an index or a key into a
 * Map, which is what JS stands in for C's `void *ptr` with).
 */
export interface epoll_data {
  fd?: number;
  u32?: number;
  u64?: number;
}

/** struct epoll_event: events (EPOLLIN | EPOLLOUT | EPOLLET ...) and the caller's data. */
export class epoll_event {
  events = 0;
  data: epoll_data = {};
}

function enosys(): number {
  set_errno(ENOSYS);
  return -1;
}

/** epoll_create(size): a new epoll fd (size only has to be positive). Linux only: elsewhere -1 with ENOSYS. */
export const epoll_create: EpollCalls['epoll_create'] = native.epoll_create ?? enosys;

/** epoll_create1(flags): a new epoll fd; flags 0 or EPOLL_CLOEXEC. */
export const epoll_create1: EpollCalls['epoll_create1'] = native.epoll_create1 ?? enosys;

/**
 * epoll_ctl(epfd, op, fd, event): EPOLL_CTL_ADD / MOD / DEL fd with
 * event { events, data } (null for DEL). -1 with EEXIST, ENOENT, EBADF, EPERM
 * (a regular file)...
 */
export const epoll_ctl: EpollCalls['epoll_ctl'] = native.epoll_ctl ?? enosys;

// epoll_wait's results come from the addon as 3 words per event (events, then
// the union's 8 bytes as two words in memory order) in a Uint32Array kept per
// events array, and are copied into the caller's objects here.
const results = new WeakMap<object, Uint32Array>();
const MAX_BATCH = 65536;

function resultsFor(fn: string, events: epoll_event[], maxevents: number): Uint32Array {
  if (!Array.isArray(events)) throw new TypeError(`${fn}: events must be an array of epoll_event, got ${what(events)}`);
  if (typeof maxevents === 'number' && maxevents > events.length) {
    throw new RangeError(`${fn}: maxevents ${maxevents} is larger than events (${events.length} elements)`);
  }
  const need = 3 * (Number.isInteger(maxevents) ? Math.max(1, Math.min(maxevents, MAX_BATCH)) : 1);
  let out = results.get(events);
  if (out === undefined || out.length < need) {
    out = new Uint32Array(need);
    results.set(events, out);
  }
  return out;
}

// events[i] = { events, data: { fd, u32, u64 } }: the three views of C's union.
function deliver(events: epoll_event[], out: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let e = events[i];
    if (typeof e !== 'object' || e === null) events[i] = e = new epoll_event();
    e.events = out[3 * i];
    let d = e.data;
    if (typeof d !== 'object' || d === null) e.data = d = {};
    const first = out[3 * i + 1], second = out[3 * i + 2];
    d.fd = first | 0;
    d.u32 = first;
    d.u64 = LITTLE_ENDIAN ? first + second * 4294967296 : second + first * 4294967296;
  }
}

/**
 * epoll_wait(epfd, events, maxevents, timeout): fills events[0 .. n - 1]
 * (reusing the objects there, making new ones in empty slots) and returns n;
 * maxevents may not exceed events.length. timeout in milliseconds, -1 forever.
 */
export function epoll_wait(epfd: number, events: epoll_event[], maxevents: number, timeout: number): number {
  if (!native.epoll_wait) return enosys();
  const out = resultsFor('epoll_wait', events, maxevents);
  const n = native.epoll_wait(epfd, out, maxevents, timeout);
  if (n > 0) deliver(events, out, n);
  return n;
}

/** epoll_pwait(epfd, events, maxevents, timeout, sigmask): epoll_wait with a signal mask during the wait. */
export function epoll_pwait(epfd: number, events: epoll_event[], maxevents: number, timeout: number, sigmask: sigmask_t): number {
  if (!native.epoll_pwait) return enosys();
  const out = resultsFor('epoll_pwait', events, maxevents);
  const n = native.epoll_pwait(epfd, out, maxevents, timeout, maskArg('epoll_pwait', sigmask));
  if (n > 0) deliver(events, out, n);
  return n;
}

// ---- kqueue (macOS, the BSDs: test/macos.test.ts runs there) ----

/** struct kevent. udata is a number (an index or a key), standing in for C's `void *`. */
export interface kevent {
  ident: number;
  filter: number;
  flags: number;
  fflags: number;
  data: number;
  udata: number;
}

/** EV_SET(kev, ident, filter, flags, fflags, data, udata): fills a kevent. */
export function EV_SET(kev: Partial<kevent>, ident: number, filter: number, flags: number, fflags: number, data: number,
  udata: number): kevent {
  kev.ident = ident;
  kev.filter = filter;
  kev.flags = flags;
  kev.fflags = fflags;
  kev.data = data;
  kev.udata = udata;
  return kev as kevent;
}

/** kqueue(): a new kernel event queue. macOS and the BSDs: elsewhere -1 with ENOSYS. */
export const kqueue: KqueueCalls['kqueue'] = native.kqueue ?? enosys;

/**
 * kevent(kq, changelist, nchanges, eventlist, nevents, timeout): applies the
 * first nchanges changes, then waits for up to nevents events into eventlist
 * (timeout a timespec, null for forever). The number of events, -1 with errno.
 */
export function kevent(kq: number, changelist: kevent[] | null, nchanges: number, eventlist: kevent[] | null, nevents: number,
  timeout: timespec | null): number {
  if (!native.kevent) return enosys();
  return native.kevent(kq, changelist, nchanges, eventlist, nevents, timeout);
}
