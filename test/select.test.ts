// Events from TypeScript: fd_set with C's layout, select rewriting its sets
// and its timeout, the FD_SETSIZE boundary, EINTR, pselect's mask, poll,
// epoll and ioctl(FIONREAD), and bad input answered with clear errors.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import {
  fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, FD_COPY, FD_SETSIZE, NFDBITS, select, pselect, poll, pollfd, ioctl,
  epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_event, kqueue, kevent, sizeof, cell, errno,
  socketpair, pipe, write, read, close, dup2, signal, sigset_t, sigemptyset, sigaddset, SIG_DFL, usleep,
  AF_UNIX, SOCK_STREAM, SIGUSR1, SIGUSR2, EINTR, EBADF, EINVAL, EEXIST, ENOENT, ENOSYS, FIONREAD, FIONBIO,
  POLLIN, POLLOUT, POLLNVAL, POLLHUP, EPOLLIN, EPOLLOUT, EPOLLET, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL,
  EPOLL_CLOEXEC, fcntl, F_GETFL, O_NONBLOCK,
} from '../src/sys/index.js';
import { pthread_create, pthread_join, pthread_cancel, PTHREAD_CANCELED } from '../src/sys/index.js';
import { native } from '../src/sys/native.js';
import { Select, Poll } from '../src/index.js';
import { FdScope, bound_io, fd_count, linux, describe_linux, NEEDS_LINUX } from './helpers.js';

const fds = new FdScope();
afterEach(() => {
  fds.closeAll();
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
});

/** A connected AF_UNIX pair, both ends closed after the test, reads bounded. */
function pair(): [number, number] {
  const sv: number[] = [];
  expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
  fds.add(sv[0]);
  fds.add(sv[1]);
  bound_io(sv[0], 3000);
  bound_io(sv[1], 3000);
  return [sv[0], sv[1]];
}

const one = new Uint8Array([65]);

/** Sends sig to this process after ms, from another process (this thread is blocked meanwhile). */
function kill_me_later(sig: string, ms: number): Promise<number | null> {
  const child = spawn('sh', ['-c', `sleep ${ms / 1000}; kill -${sig} ${process.pid}`], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/**
 * The same, from a sender that stays alive for another 3 s: its exit (a
 * SIGCHLD, which really does end a wait with EINTR, as in C) comes after the
 * wait under test. The promise settles when it is gone (killed, or at its end).
 */
function kill_me_later_quietly(sig: string, ms: number): { done: Promise<unknown>; stop(): void } {
  const child = spawn('sh', ['-c', `sleep ${ms / 1000}; kill -${sig} ${process.pid}; exec sleep 3`], { stdio: 'ignore' });
  return { done: new Promise((resolve) => child.on('exit', resolve)), stop: () => child.kill('SIGKILL') };
}

const left_us = (tv: { tv_sec: number; tv_usec: number }) => tv.tv_sec * 1e6 + tv.tv_usec;

describe('fd_set', () => {
  it('has the C layout: the same bytes as the C library\'s FD_SET, and FD_ISSET agrees bit for bit', () => {
    expect(sizeof.fd_set * 8).toBe(FD_SETSIZE);
    expect(NFDBITS).toBeGreaterThanOrEqual(32);
    const cases = [[], [0], [1], [7], [8], [31], [32], [63], [64], [65], [0, 3, 4, 100, 511, 512, 1000, FD_SETSIZE - 1]];
    for (let i = 0; i < 20; i++) cases.push(Array.from({ length: 30 }, () => Math.floor(Math.random() * FD_SETSIZE)));
    for (const list of cases) {
      const set = new fd_set();
      for (const fd of list) FD_SET(fd, set);
      expect(Array.from(set.fds_bits)).toEqual(Array.from(native.fd_set_probe(list) as Uint8Array));
      for (let fd = 0; fd < FD_SETSIZE; fd++) {
        expect(FD_ISSET(fd, set)).toBe(list.includes(fd));
        if (list.includes(fd) || fd % 97 === 0) expect(native.fd_isset_probe(fd, set.fds_bits)).toBe(list.includes(fd));
      }
    }
  });

  it('FD_SET / FD_CLR / FD_ZERO / FD_COPY / copy, and the set as the lesson draws it', () => {
    const all = new fd_set();
    FD_SET(0, all);
    FD_SET(3, all);
    FD_SET(4, all);
    expect(all.bits(8)).toBe('10011000');
    expect(all.fds()).toEqual([0, 3, 4]);
    expect(String(all)).toBe('fd_set { 0, 3, 4 }');
    const ready = new fd_set();
    FD_COPY(all, ready);                  // ready = all
    const other = all.copy();
    FD_CLR(3, ready);
    expect(ready.fds()).toEqual([0, 4]);
    expect(all.fds()).toEqual([0, 3, 4]); // a copy, not a share
    expect(other.fds()).toEqual([0, 3, 4]);
    FD_CLR(3, ready);                     // clearing a clear bit is fine
    FD_ZERO(all);
    expect(all.fds()).toEqual([]);
    expect(all.fds_bits.every((b) => b === 0)).toBe(true);
  });

  it('the FD_SETSIZE boundary: FD_SETSIZE - 1 works, FD_SETSIZE and beyond throw a RangeError', () => {
    const set = new fd_set();
    FD_SET(FD_SETSIZE - 1, set);
    expect(FD_ISSET(FD_SETSIZE - 1, set)).toBe(true);
    expect(set.fds()).toEqual([FD_SETSIZE - 1]);
    expect(native.fd_isset_probe(FD_SETSIZE - 1, set.fds_bits)).toBe(true);
    for (const bad of [FD_SETSIZE, FD_SETSIZE + 1, -1, 1.5, NaN, Infinity, 2 ** 32]) {
      expect(() => FD_SET(bad, set)).toThrow(RangeError);
      expect(() => FD_CLR(bad, set)).toThrow(RangeError);
      expect(() => FD_ISSET(bad, set)).toThrow(RangeError);
    }
    expect(() => FD_SET(FD_SETSIZE, set)).toThrow(/outside \[0, FD_SETSIZE = 1024\)/);
    expect(set.fds()).toEqual([FD_SETSIZE - 1]); // nothing written anywhere else
  });

  it('a null set or a wrong type is a TypeError', () => {
    for (const bad of [null, undefined, {}, [], new Uint8Array(128), 'set', 3]) {
      expect(() => FD_SET(3, bad as any)).toThrow(TypeError);
      expect(() => FD_ISSET(3, bad as any)).toThrow(TypeError);
      expect(() => FD_ZERO(bad as any)).toThrow(TypeError);
      expect(() => FD_COPY(bad as any, new fd_set())).toThrow(TypeError);
    }
    expect(() => FD_SET('3' as any, new fd_set())).toThrow(TypeError);
    expect(() => FD_SET(3, null as any)).toThrow(/must be an fd_set/);
  });
});

describe('select', () => {
  it('rewrites the sets in place: only the ready fds stay', () => {
    const [a0, a1] = pair();
    const [b0] = pair();
    expect(write(a1, one, 1)).toBe(1);
    const rset = new fd_set(), wset = new fd_set();
    FD_SET(a0, rset);
    FD_SET(b0, rset);
    FD_SET(a1, wset);
    const nfds = Math.max(a0, b0, a1) + 1;
    const n = select(nfds, rset, wset, null, { tv_sec: 1, tv_usec: 0 });
    expect(n).toBe(2);
    expect(rset.fds()).toEqual([a0]); // b0 had nothing: cleared
    expect(wset.fds()).toEqual([a1]);
    // The same objects, rewritten: select again on the rewritten set.
    expect(Select(nfds, rset, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(1);
  });

  it('works on fd FD_SETSIZE - 1 with nfds = FD_SETSIZE; nfds beyond is a RangeError', () => {
    const [s0, s1] = pair();
    const high = FD_SETSIZE - 1;
    expect(dup2(s0, high)).toBe(high);
    fds.add(high);
    const rset = new fd_set();
    FD_SET(high, rset);
    expect(select(FD_SETSIZE, rset, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(0);
    expect(rset.fds()).toEqual([]);
    expect(write(s1, one, 1)).toBe(1);
    FD_SET(high, rset);
    expect(select(FD_SETSIZE, rset, null, null, { tv_sec: 1, tv_usec: 0 })).toBe(1);
    expect(FD_ISSET(high, rset)).toBe(true);
    expect(() => select(FD_SETSIZE + 1, rset, null, null, null)).toThrow(RangeError);
    expect(() => select(FD_SETSIZE + 1, rset, null, null, null)).toThrow(/beyond FD_SETSIZE/);
  });

  it('bits at or above nfds are left as they were, as the kernel leaves them', () => {
    const [s0, s1] = pair();
    expect(write(s1, one, 1)).toBe(1);
    const rset = new fd_set();
    FD_SET(s0, rset);
    FD_SET(FD_SETSIZE - 1, rset); // beyond nfds: not looked at, not touched
    expect(select(s0 + 1, rset, null, null, { tv_sec: 1, tv_usec: 0 })).toBe(1);
    expect(rset.fds()).toEqual([s0, FD_SETSIZE - 1]);
  });

  it('reports the time left in the timeout (Linux), and 0 at a timeout with the sets emptied', async () => {
    const tv = { tv_sec: 0, tv_usec: 200_000 };
    const [s0] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    let t0 = performance.now();
    expect(select(s0 + 1, rset, null, null, tv)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(190);
    expect(rset.fds()).toEqual([]);
    if (linux) expect(tv).toEqual({ tv_sec: 0, tv_usec: 0 });

    // A pipe that a child process writes to after 300 ms: select wakes then, with about 4.7 s left of 5.
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    const child = spawn('sh', ['-c', 'sleep 0.3; echo x'], { stdio: ['ignore', p[1], 'ignore'] });
    const exited = new Promise((r) => child.on('exit', r));
    close(p[1]);
    const timeout = { tv_sec: 5, tv_usec: 0 };
    FD_SET(p[0], rset);
    t0 = performance.now();
    expect(select(p[0] + 1, rset, null, null, timeout)).toBe(1);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThan(250);
    expect(waited).toBeLessThan(3000);
    if (linux) {
      expect(left_us(timeout)).toBeGreaterThan(5e6 - waited * 1000 - 100_000);
      expect(left_us(timeout)).toBeLessThan(5e6 - waited * 1000 + 100_000);
      expect(timeout.tv_usec).toBeLessThan(1_000_000);
    }
    await exited;
  });

  it('returns -1 with EINTR when a signal handler runs, even with restart, with the time left', async () => {
    for (const restart of [true, false]) {
      const seen: number[] = [];
      signal(SIGUSR1, (s) => seen.push(s), restart);
      const [s0] = pair();
      const rset = new fd_set();
      FD_SET(s0, rset);
      const tv = { tv_sec: 5, tv_usec: 0 };
      const sent = kill_me_later('USR1', 200);
      const t0 = performance.now();
      expect(select(s0 + 1, rset, null, null, tv)).toBe(-1);
      expect(errno()).toBe(EINTR);
      expect(performance.now() - t0).toBeLessThan(4000);
      expect(seen).toEqual([SIGUSR1]);
      expect(FD_ISSET(s0, rset)).toBe(true); // not rewritten on failure
      if (linux) expect(left_us(tv)).toBeGreaterThan(3e6);
      if (linux) expect(left_us(tv)).toBeLessThan(4.95e6);
      expect(await sent).toBe(0);
      // The CSAPP wrapper turns it into a UnixError.
      const sent2 = kill_me_later('USR1', 200);
      expect(() => Select(s0 + 1, rset, null, null, { tv_sec: 5, tv_usec: 0 })).toThrow(expect.objectContaining({ code: 'EINTR', syscall: 'select' }));
      await sent2;
    }
  });

  it('a handler that throws unwinds out of select (how `serve` stops)', async () => {
    signal(SIGUSR1, () => { throw new Error('stop'); });
    const [s0] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    const sent = kill_me_later('USR1', 200);
    expect(() => select(s0 + 1, rset, null, null, { tv_sec: 5, tv_usec: 0 })).toThrow('stop');
    await sent;
  });

  it('a signal that only Node handles (SIGCHLD of a child_process) does not end the wait', async () => {
    const [s0] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    const child = spawn('sh', ['-c', 'sleep 0.5'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const tv = { tv_sec: 1, tv_usec: 0 };
    const t0 = performance.now();
    expect(select(s0 + 1, rset, null, null, tv)).toBe(0);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThan(950);
    // Restarted for the time left: about 1 s. For the whole second again, it
    // would be 1.5 s or more (the SIGCHLD came at 0.5 s at the earliest).
    expect(waited).toBeLessThan(1450);
    await exited;
  });

  it('null sets and a timeout: a sleep', () => {
    const t0 = performance.now();
    expect(select(0, null, null, null, { tv_sec: 0, tv_usec: 50_000 })).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(45);
  });

  it('bad input: clear errors, the kernel\'s errno where C has one, no crash', () => {
    const [s0, s1] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    // A closed fd in a set: EBADF, and the set is left as it was.
    const closedfd = dup2(s0, 900);
    expect(closedfd).toBe(900);
    close(900);
    FD_SET(900, rset);
    expect(select(901, rset, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(rset.fds()).toEqual([s0, 900]);
    FD_CLR(900, rset);
    // A negative timeout: the kernel's EINVAL.
    expect(select(s0 + 1, rset, null, null, { tv_sec: -1, tv_usec: 0 })).toBe(-1);
    expect(errno()).toBe(EINVAL);
    expect(select(s0 + 1, rset, null, null, { tv_sec: 0, tv_usec: -1 })).toBe(-1);
    expect(errno()).toBe(EINVAL);
    // A negative nfds: EINVAL, as in C.
    expect(select(-1, rset, null, null, { tv_sec: 0, tv_usec: 0 })).toBe(-1);
    expect(errno()).toBe(EINVAL);
    // nfds beyond FD_SETSIZE, not an integer: RangeError.
    expect(() => select(FD_SETSIZE + 1, rset, null, null, null)).toThrow(RangeError);
    expect(() => select(2.5, rset, null, null, null)).toThrow(RangeError);
    expect(() => select('3' as any, rset, null, null, null)).toThrow(TypeError);
    // Sets that are not fd_sets, timeouts that are not timevals: TypeError.
    for (const bad of [{}, [], new Uint8Array(128), 'x', 5]) {
      expect(() => select(s0 + 1, bad as any, null, null, null)).toThrow(TypeError);
      expect(() => select(s0 + 1, null, bad as any, null, null)).toThrow(TypeError);
      expect(() => select(s0 + 1, null, null, bad as any, null)).toThrow(TypeError);
    }
    expect(() => select(s0 + 1, rset, null, null, 5 as any)).toThrow(TypeError);
    expect(() => select(s0 + 1, rset, null, null, { tv_sec: '1', tv_usec: 0 } as any)).toThrow(TypeError);
    expect(() => select(s0 + 1, rset, null, null, { tv_sec: 1 } as any)).toThrow(/tv_usec must be a number/);
    expect(() => select(s0 + 1, rset, null, null, { tv_sec: 0.5, tv_usec: 0 })).toThrow(RangeError);
    // The raw binding with a short buffer: RangeError, never a read past it.
    expect(() => native.select(s0 + 1, new Uint8Array(4), null, null, null)).toThrow(RangeError);
    expect(write(s1, one, 1)).toBe(1);
    expect(select(s0 + 1, rset, null, null, null)).toBe(1); // still fine after all that
  });
});

describe('the JS lock and threads', () => {
  it('select drops the JS lock while it waits: a thread runs TypeScript meanwhile', () => {
    const seen: { done?: number } = {};
    const t = pthread_create(() => {
      let n = 0;
      for (let i = 0; i < 1e6; i++) n += i & 1;
      seen.done = performance.now();
      return n;
    });
    const t0 = performance.now();
    expect(select(0, null, null, null, { tv_sec: 0, tv_usec: 300_000 })).toBe(0);
    const t1 = performance.now();
    const ret = cell<unknown>(null);
    expect(pthread_join(t, ret)).toBe(0);
    expect(ret.value).toBe(5e5);
    expect(seen.done).toBeGreaterThan(t0);
    expect(seen.done).toBeLessThan(t1); // it ran while the main thread was in select
  });

  it('select, poll and epoll_wait are cancellation points: pthread_cancel ends a thread waiting in them', () => {
    const waits: Array<(fd: number) => unknown> = [
      (fd) => { const r = new fd_set(); FD_SET(fd, r); return select(fd + 1, r, null, null, { tv_sec: 10, tv_usec: 0 }); },
      (fd) => poll([new pollfd(fd, POLLIN)], 1, 10_000),
    ];
    if (linux) {
      waits.push((fd) => {
        const ep = epoll_create1(0);
        try {
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, { events: EPOLLIN, data: { fd } });
          return epoll_wait(ep, new Array(4), 4, 10_000);
        } finally {
          close(ep);
        }
      });
    }
    for (const wait of waits) {
      const [s0] = pair();
      const state = { finally: false };
      const t = pthread_create(() => {
        try {
          return wait(s0);
        } finally {
          state.finally = true;
        }
      });
      usleep(200_000); // the thread gets the lock and starts waiting
      const t0 = performance.now();
      expect(pthread_cancel(t)).toBe(0);
      const ret = cell<unknown>(null);
      expect(pthread_join(t, ret)).toBe(0);
      expect(ret.value).toBe(PTHREAD_CANCELED);
      expect(state.finally).toBe(true);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
  });
});

describe('pselect', () => {
  it('never rewrites its timespec; with a null mask a handler ends it with EINTR', async () => {
    const seen: number[] = [];
    signal(SIGUSR2, (s) => seen.push(s));
    const [s0] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    const ts = { tv_sec: 0, tv_nsec: 100_000_000 };
    expect(pselect(s0 + 1, rset, null, null, ts, null)).toBe(0);
    expect(ts).toEqual({ tv_sec: 0, tv_nsec: 100_000_000 });
    FD_SET(s0, rset);
    const sent = kill_me_later('USR2', 200);
    expect(pselect(s0 + 1, rset, null, null, { tv_sec: 5, tv_nsec: 0 }, null)).toBe(-1);
    expect(errno()).toBe(EINTR);
    expect(seen).toEqual([SIGUSR2]);
    await sent;
  });

  it('the mask blocks the signal during the wait only: the wait times out, the handler runs after', async () => {
    const seen: number[] = [];
    signal(SIGUSR2, (s) => seen.push(s));
    const [s0] = pair();
    const rset = new fd_set();
    FD_SET(s0, rset);
    const mask = new sigset_t();
    sigemptyset(mask);
    sigaddset(mask, SIGUSR2);
    const sender = kill_me_later_quietly('USR2', 200);
    const t0 = performance.now();
    expect(pselect(s0 + 1, rset, null, null, { tv_sec: 1, tv_nsec: 0 }, mask)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(950);
    sender.stop();
    await sender.done;
    // Delivered meanwhile to a thread that did not block it, or at the unblock: it runs at the next safe point.
    for (let i = 0; i < 50 && seen.length === 0; i++) {
      usleep(10_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toEqual([SIGUSR2]);
    // A plain array of signal numbers works too.
    expect(pselect(0, null, null, null, { tv_sec: 0, tv_nsec: 1000 }, [SIGUSR2])).toBe(0);
  });

  it('bad masks and timespecs', () => {
    expect(() => pselect(0, null, null, null, null, [0])).toThrow(RangeError);
    expect(() => pselect(0, null, null, null, null, [999])).toThrow(RangeError);
    expect(() => pselect(0, null, null, null, null, ['x'] as any)).toThrow(TypeError);
    expect(() => pselect(0, null, null, null, null, 5 as any)).toThrow(TypeError);
    expect(pselect(0, null, null, null, { tv_sec: 0, tv_nsec: -1 }, null)).toBe(-1);
    expect(errno()).toBe(EINVAL);
    expect(pselect(0, null, null, null, { tv_sec: 0, tv_nsec: 2e9 }, null)).toBe(-1);
    expect(errno()).toBe(EINVAL);
  });
});

describe('poll', () => {
  it('writes revents: POLLIN for data, POLLOUT, POLLNVAL for a closed fd, nothing for a negative fd', () => {
    const [a0, a1] = pair();
    const [b0] = pair();
    expect(write(a1, one, 1)).toBe(1);
    const closedfd = dup2(b0, 901);
    close(closedfd);
    const pfds = [new pollfd(a0, POLLIN), new pollfd(b0, POLLIN), { fd: a1, events: POLLOUT, revents: 99 }, new pollfd(901, POLLIN), new pollfd(-1, POLLIN, 7)];
    expect(poll(pfds, pfds.length, 1000)).toBe(3);
    expect(pfds.map((p) => p.revents)).toEqual([POLLIN, 0, POLLOUT, POLLNVAL, 0]);
    // Only the first nfds entries are looked at and written.
    pfds[2].revents = 42;
    expect(poll(pfds, 2, 0)).toBe(1);
    expect(pfds[2].revents).toBe(42);
    expect(Poll(pfds, 0, 10)).toBe(0);
  });

  it('POLLHUP when the peer is gone; EINTR; bad input', async () => {
    const [a0, a1] = pair();
    close(a1);
    const pfds = [new pollfd(a0, POLLIN)];
    expect(poll(pfds, 1, 1000)).toBe(1);
    expect(pfds[0].revents & POLLIN).toBeTruthy(); // EOF reads as readable
    expect(pfds[0].revents & POLLHUP).toBeTruthy();

    const seen: number[] = [];
    signal(SIGUSR1, (s) => seen.push(s));
    const [b0] = pair();
    const sent = kill_me_later('USR1', 200);
    expect(poll([new pollfd(b0, POLLIN)], 1, 5000)).toBe(-1);
    expect(errno()).toBe(EINTR);
    expect(seen).toEqual([SIGUSR1]);
    await sent;

    expect(() => poll(pfds, 2, 0)).toThrow(RangeError);
    expect(() => poll(pfds, -1, 0)).toThrow(RangeError);
    expect(() => poll([null as any], 1, 0)).toThrow(TypeError);
    expect(() => poll([{ fd: 'x', events: 1 } as any], 1, 0)).toThrow(TypeError);
    expect(() => poll([{ fd: 1, events: 1 << 20 } as any], 1, 0)).toThrow(RangeError);
    expect(() => poll({} as any, 0, 0)).toThrow(TypeError);
    expect(() => Poll(pfds, 1, 1.5)).toThrow(RangeError);
  });
});

describe('ioctl', () => {
  it('FIONREAD counts the bytes waiting; 0 at the end of a pipe; FIONBIO; other requests EINVAL', () => {
    const [s0, s1] = pair();
    expect(write(s1, new Uint8Array(5), 5)).toBe(5);
    const nread = cell(-1);
    expect(ioctl(s0, FIONREAD, nread)).toBe(0);
    expect(nread.value).toBe(5);
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    close(p[1]);
    expect(ioctl(p[0], FIONREAD, nread)).toBe(0);
    expect(nread.value).toBe(0);
    expect(ioctl(s0, FIONBIO, 1)).toBe(0);
    expect(fcntl(s0, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(ioctl(s0, FIONBIO, cell(0))).toBe(0);
    expect(fcntl(s0, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(ioctl(s0, 0x7fff, nread)).toBe(-1);
    expect(errno()).toBe(EINVAL);
    expect(ioctl(-1, FIONREAD, nread)).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(() => ioctl(s0, FIONREAD, 5 as any)).toThrow(TypeError);
    const buf = new Uint8Array(8);
    expect(read(s0, buf, 8)).toBe(5);
  });
});

describe_linux(NEEDS_LINUX.epoll)('epoll', () => {
  it('add, wait, modify, delete; data as fd, u32 and u64, the union\'s three views', () => {
    const epfd = fds.add(epoll_create1(EPOLL_CLOEXEC));
    expect(epfd).toBeGreaterThanOrEqual(0);
    const [a0, a1] = pair();
    const [b0, b1] = pair();
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a0;
    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, a0, ev)).toBe(0);
    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, b0, { events: EPOLLIN | EPOLLET, data: { u64: 2 ** 40 + 5 } })).toBe(0);
    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, a0, ev)).toBe(-1);
    expect(errno()).toBe(EEXIST);
    const events: epoll_event[] = new Array(8);
    expect(epoll_wait(epfd, events, 8, 0)).toBe(0);
    expect(write(a1, one, 1)).toBe(1);
    expect(write(b1, one, 1)).toBe(1);
    const n = epoll_wait(epfd, events, 8, 1000);
    expect(n).toBe(2);
    const got = events.slice(0, n).sort((x, y) => x.data.u64! - y.data.u64!);
    expect(got[0]).toEqual({ events: EPOLLIN, data: { fd: a0, u32: a0, u64: a0 } });
    expect(got[1].events).toBe(EPOLLIN);
    expect(got[1].data.u64).toBe(2 ** 40 + 5);
    expect(got[1].data.u32).toBe(5); // the low half of the union (little-endian)
    // Level-triggered a0 reports again; edge-triggered b0 does not.
    const first = events[0];
    expect(epoll_wait(epfd, events, 8, 0)).toBe(1);
    expect(events[0]).toBe(first); // the objects are reused
    expect(events[0].data.fd).toBe(a0);
    // MOD to EPOLLOUT, with a plain number as data.
    expect(epoll_ctl(epfd, EPOLL_CTL_MOD, a0, { events: EPOLLOUT, data: 77 })).toBe(0);
    expect(epoll_wait(epfd, events, 1, 0)).toBe(1);
    expect(events[0].events).toBe(EPOLLOUT);
    expect(events[0].data.u64).toBe(77);
    expect(epoll_ctl(epfd, EPOLL_CTL_DEL, a0, null)).toBe(0);
    expect(epoll_ctl(epfd, EPOLL_CTL_DEL, a0, null)).toBe(-1);
    expect(errno()).toBe(ENOENT);
    expect(epoll_wait(epfd, events, 8, 0)).toBe(0);
  });

  it('EINTR, timeouts and bad input', async () => {
    const epfd = fds.add(epoll_create1(0));
    const [a0] = pair();
    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, a0, { events: EPOLLIN, data: { fd: a0 } })).toBe(0);
    const events: epoll_event[] = [];
    const t0 = performance.now();
    expect(epoll_wait(epfd, events, 0, 10)).toBe(-1); // maxevents 0: the kernel's EINVAL
    expect(errno()).toBe(EINVAL);
    expect(() => epoll_wait(epfd, events, 1, 10)).toThrow(RangeError); // more than the array holds
    events.length = 4;
    expect(epoll_wait(epfd, events, 4, 100)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(95);

    const seen: number[] = [];
    signal(SIGUSR1, (s) => seen.push(s));
    const sent = kill_me_later('USR1', 200);
    expect(epoll_wait(epfd, events, 4, 5000)).toBe(-1);
    expect(errno()).toBe(EINTR);
    expect(seen).toEqual([SIGUSR1]);
    await sent;
    seen.length = 0;
    const sender = kill_me_later_quietly('USR1', 200);
    expect(epoll_pwait(epfd, events, 4, 1000, [SIGUSR1])).toBe(0); // blocked during the wait
    sender.stop();
    await sender.done;
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([SIGUSR1]); // and handled once let in

    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, -1, { events: EPOLLIN, data: 1 })).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a0, { events: EPOLLIN, data: {} })).toThrow(TypeError);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a0, { events: EPOLLIN, data: -1 })).toThrow(RangeError);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a0, { events: EPOLLIN, data: { u64: 2 ** 60 } })).toThrow(RangeError);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a0, { events: 'x' } as any)).toThrow(TypeError);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a0, 5 as any)).toThrow(TypeError);
    expect(() => epoll_wait(epfd, {} as any, 1, 0)).toThrow(TypeError);
    expect(kqueue()).toBe(-1); // not on Linux
    expect(errno()).toBe(ENOSYS);
    expect(kevent(0, null, 0, null, 0, null)).toBe(-1);
  });
});

describe('junk in every position', () => {
  it('select, pselect, poll, epoll, ioctl and the FD_ macros answer with a TypeError, a RangeError or -1; no fd leaks', () => {
    const junk: unknown[] = [
      undefined, null, true, 'str', 1.5, NaN, -1, 2 ** 31, 2 ** 53, 10n, {}, [], [1, 2], [{}], () => 1,
      Symbol('s'), new Uint8Array(0), new Uint8Array(200), new fd_set(), { tv_sec: -5, tv_usec: 0 }, { tv_sec: 1e300, tv_usec: 0 },
      [new pollfd(-1, 0)], { events: 1, data: { fd: -1 } }, [SIGUSR1, 0],
    ];
    const calls: Record<string, (...a: any[]) => unknown> = {
      select, pselect, poll, ioctl, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, FD_SET, FD_CLR, FD_ISSET, FD_ZERO, FD_COPY,
    };
    // Plausible arguments that never wait: timeouts 0, fd -1, empty sets.
    const plausible: Record<string, () => unknown[]> = {
      select: () => [0, null, null, null, { tv_sec: 0, tv_usec: 0 }],
      pselect: () => [0, null, null, null, { tv_sec: 0, tv_nsec: 0 }, null],
      poll: () => [[], 0, 0],
      ioctl: () => [-1, FIONREAD, cell(0)],
      epoll_create1: () => [0],
      epoll_ctl: () => [-1, EPOLL_CTL_ADD, -1, { events: EPOLLIN, data: { fd: -1 } }],
      epoll_wait: () => [-1, [], 0, 0],
      epoll_pwait: () => [-1, [], 0, 0, null],
      FD_SET: () => [3, new fd_set()],
      FD_CLR: () => [3, new fd_set()],
      FD_ISSET: () => [3, new fd_set()],
      FD_ZERO: () => [new fd_set()],
      FD_COPY: () => [new fd_set(), new fd_set()],
    };
    // A junk value that would make the call wait for real (a null timeout, a negative one for poll).
    const waits = (name: string, pos: number, bad: unknown) =>
      ((name === 'select' || name === 'pselect') && pos === 4 &&
        (bad === null || bad === undefined || (typeof bad === 'object' && 'tv_sec' in (bad as object) && (bad as any).tv_sec > 0))) ||
      (name === 'poll' && pos === 2 && typeof bad === 'number' && bad < 0);
    const before = linux ? fd_count() : 0;
    let thrown = 0;
    for (const [name, fn] of Object.entries(calls)) {
      const n = plausible[name]().length;
      for (let pos = 0; pos <= n; pos++) {
        for (const bad of junk) {
          if (waits(name, pos, bad)) continue;
          const args = plausible[name]();
          args[pos] = bad;
          let rc: unknown;
          try {
            rc = fn(...args);
          } catch (e) {
            if (!(e instanceof TypeError) && !(e instanceof RangeError)) throw e;
            thrown++;
          }
          if (name === 'epoll_create1' && typeof rc === 'number' && rc >= 0) close(rc);
        }
      }
    }
    expect(thrown).toBeGreaterThan(100);
    if (linux) expect(fd_count()).toBe(before);
  });
});
