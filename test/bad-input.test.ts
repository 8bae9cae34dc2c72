// Bad input from TypeScript: every call answers with a TypeError, a
// RangeError or -1 and errno, never a crash, a write outside a buffer or a
// leaked fd. The process surviving this file is part of the test.
import { afterEach, describe, expect, it } from 'vitest';
import * as sys from '../src/sys/index.js';
import { native } from '../src/sys/native.js';
import {
  socket, bind, listen, accept, connect, read, write, recv, send, close, setsockopt, getsockopt, getsockname,
  socketpair, pipe, fcntl, inet_pton, inet_ntop, getaddrinfo, getnameinfo, errno, cell, sockaddr_of, sockaddr_in,
  AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SO_LINGER, SO_RCVTIMEO, EBADF, ENOTSOCK, F_GETFL,
} from '../src/sys/index.js';
import { rio_t, rio_readinitb, rio_readlineb, rio_writen, rio_readn } from '../src/csapp/index.js';
import { FdScope, fd_count, has_ipv6, linux, tcp_pair } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

// A value of every kind a caller might pass by mistake.
const junk: unknown[] = [
  undefined, null, true, 'str', '3', 1.5, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 10n,
  {}, [], [1, 2], () => 1, Symbol('s'), new Uint8Array(0), new ArrayBuffer(8), { sin_family: 'x' },
  { sin_family: AF_INET, sin_port: -1 }, { sin_family: AF_INET, sin_port: 70000 }, { sin_family: AF_INET, sin_addr: 5 },
  { sin6_family: AF_INET6, sin6_addr: { s6_addr: new Uint8Array(3) } }, { sun_family: sys.AF_UNIX, sun_path: 'x'.repeat(500) },
];

// Calls fn; it may return (any value) or throw a TypeError / RangeError, nothing else.
function survives(fn: () => unknown): 'ok' | 'TypeError' | 'RangeError' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof TypeError) return 'TypeError';
    if (e instanceof RangeError) return 'RangeError';
    throw e;
  }
}

describe('every raw call with junk in every position', () => {
  const calls: Record<string, (...a: any[]) => unknown> = {
    socket, bind, listen, accept, connect, read, write, recv, send, close, setsockopt, getsockopt, getsockname,
    getpeername: sys.getpeername, shutdown: sys.shutdown, socketpair, pipe, pipe2: sys.pipe2, accept4: sys.accept4, dup: sys.dup, dup2: sys.dup2, fcntl,
    sendto: sys.sendto, recvfrom: sys.recvfrom, inet_pton, inet_ntop, getaddrinfo, getnameinfo,
    gai_strerror: sys.gai_strerror, strerror: sys.strerror, tcp_state: sys.tcp_state, sleep: sys.sleep,
    usleep: sys.usleep, nanosleep: sys.nanosleep, set_errno: sys.set_errno,
    getpgid: sys.getpgid, setpgid: sys.setpgid, // pid -1 around the junk: never a real process
    killpg: sys.killpg, // pgrp -1 (EINVAL) or a buffer for sig around the junk: never sent
    strsignal: sys.strsignal, sigpending: sys.sigpending, sigwait: sys.sigwait, // never a sigset_t: never waits
    sigprocmask: sys.sigprocmask, pthread_sigmask: sys.pthread_sigmask, // how -1: EINVAL
    sigemptyset: sys.sigemptyset, sigfillset: sys.sigfillset, sigaddset: sys.sigaddset, sigdelset: sys.sigdelset,
    sigismember: sys.sigismember, sigsuspend: sys.sigsuspend, // never a sigset_t: never waits
    pselect: sys.pselect, epoll_create: sys.epoll_create, epoll_pwait: sys.epoll_pwait, // nfds / epfd -1 or no fd_set: never waits
    ioctl: sys.ioctl, htons: sys.htons, htonl: sys.htonl, ntohs: sys.ntohs, ntohl: sys.ntohl, ctime: sys.ctime, tcp_table: sys.tcp_table,
    // Never a real mutex, condition, semaphore or thread around the junk: nothing waits.
    pthread_mutex_lock: sys.pthread_mutex_lock, pthread_mutex_trylock: sys.pthread_mutex_trylock, pthread_mutex_unlock: sys.pthread_mutex_unlock,
    pthread_mutexattr_settype: sys.pthread_mutexattr_settype, pthread_cond_init: sys.pthread_cond_init, pthread_cond_destroy: sys.pthread_cond_destroy,
    pthread_cond_signal: sys.pthread_cond_signal, pthread_cond_broadcast: sys.pthread_cond_broadcast,
    pthread_cond_wait: sys.pthread_cond_wait, pthread_cond_timedwait: sys.pthread_cond_timedwait,
    sem_init: sys.sem_init, sem_destroy: sys.sem_destroy, sem_post: sys.sem_post, sem_wait: sys.sem_wait, sem_trywait: sys.sem_trywait,
    sem_timedwait: sys.sem_timedwait, sem_getvalue: sys.sem_getvalue,
    pthread_join: sys.pthread_join, pthread_detach: sys.pthread_detach, pthread_cancel: sys.pthread_cancel, pthread_equal: sys.pthread_equal,
    pthread_attr_setdetachstate: sys.pthread_attr_setdetachstate, pthread_attr_setstacksize: sys.pthread_attr_setstacksize,
  };

  it('exports no internal helper that would end the process', async () => {
    // end_now (a forked child's way out) was exported once: end_now(junk) ended the caller.
    const pkg = await import('../src/index.js');
    for (const name of ['end_now', 'run_exit_listeners', 'exit_code', 'report']) expect(pkg).not.toHaveProperty(name);
  });

  it('never crashes, never leaks an fd', () => {
    const before = linux ? fd_count() : 0;
    let thrown = 0;
    const r = new Uint8Array(16);
    for (const [name, fn] of Object.entries(calls)) {
      for (let pos = 0; pos < 7; pos++) {
        for (const bad of junk) {
          // Plausible arguments around the bad one: fd -1 so that nothing real is touched.
          const args: unknown[] = [-1, r, 4, 0, null, null, 0];
          if (name === 'socket' || name === 'socketpair') args.splice(0, 3, 9999, 9999, 0);
          args[pos] = bad;
          // A sleep with a valid-looking argument must not stall the test.
          if ((name === 'sleep' || name === 'usleep') && typeof bad === 'number' && bad > 0) continue;
          if (name === 'nanosleep' && bad && typeof bad === 'object') continue;
          let rc: unknown;
          if (survives(() => (rc = fn(...args))) !== 'ok') thrown++;
          // pipe / socketpair given a usable array did succeed: close what they handed back.
          if (rc === 0 && (name === 'pipe' || name === 'pipe2' || name === 'socketpair')) {
            const out = args[name === 'socketpair' ? 3 : 0] as number[];
            close(out[0]);
            close(out[1]);
          }
        }
      }
    }
    expect(thrown).toBeGreaterThan(100);
    if (linux) expect(fd_count()).toBe(before);
  });
});

// Values whose own code throws when the addon reads them: a getter, a Proxy.
// The call must end with that exception (as JS would) or with a TypeError /
// RangeError, never a crash: node-addon-api makes a second throw while one
// is pending a fatal error.
const HOSTILE = new Error('hostile getter');
const hostile_object = new Proxy({}, {
  get() { throw HOSTILE; }, has() { throw HOSTILE; }, ownKeys() { throw HOSTILE; },
  getOwnPropertyDescriptor() { throw HOSTILE; }, getPrototypeOf() { throw HOSTILE; },
});
function hostile_array(at: number, length = 3): unknown[] {
  const a: unknown[] = Array.from({ length }, () => 1);
  Object.defineProperty(a, at, { get() { throw HOSTILE; } });
  return a;
}
const hostile_field = (name: string, rest: Record<string, unknown> = {}) =>
  Object.defineProperty({ ...rest }, name, { get() { throw HOSTILE; }, enumerable: true });

function ends_cleanly(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e === HOSTILE) return 'hostile';
    if (e instanceof TypeError || e instanceof RangeError) return e.constructor.name;
    throw e;
  }
}

describe('signal sets: one reader for sigprocmask, sigsuspend, sigwait and the waits\' masks', () => {
  it('takes arrays of signal numbers 1 to 64; anything else is a TypeError or a RangeError, the mask untouched', () => {
    const mask = () => native.sigprocmask(sys.SIG_BLOCK, null);
    const before = mask();
    const bad: [unknown, string, RegExp][] = [
      [[0], 'RangeError', /sigprocmask: set: no signal 0 \(signals are 1 to (64|31)\)/], // 31 on macOS
      [[65], 'RangeError', /no signal 65/],
      [[1.5], 'RangeError', /no signal 1\.5/],
      [[NaN], 'RangeError', /no signal NaN/],
      [['2'], 'TypeError', /sigprocmask: set: every signal must be a number/],
      ['x', 'TypeError', /sigprocmask: set must be an array of signal numbers/],
    ];
    for (const [set, kind, message] of bad) {
      let thrown: unknown;
      try {
        native.sigprocmask(sys.SIG_BLOCK, set as number[]);
      } catch (e) {
        thrown = e;
      }
      expect((thrown as Error)?.constructor.name, String(set)).toBe(kind);
      expect((thrown as Error).message).toMatch(message);
      expect(mask()).toEqual(before);
    }
    // The same reader and words for the calls that wait: none of them waits.
    expect(() => native.sigsuspend([99])).toThrow(/sigsuspend: mask: no signal 99/);
    expect(() => native.sigwait([0])).toThrow(/sigwait: set: no signal 0/);
    expect(() => sys.pselect(0, null, null, null, { tv_sec: 0, tv_nsec: 0 }, [65])).toThrow(/pselect: sigmask: no signal 65/);
    expect(mask()).toEqual(before);
  });
});

describe('hostile values: getters and proxies that throw', () => {
  it('every call ends with their exception or a TypeError / RangeError, never a crash, never a leaked fd', () => {
    const before = linux ? fd_count() : 0;
    const sock = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    const ep = linux ? fds.add(sys.epoll_create1(0)) : -1;
    const hostiles = [hostile_object, hostile_array(0), hostile_array(1), hostile_array(2, 8)];
    const outcomes = new Set<string>();
    const run = (fn: () => unknown) => outcomes.add(ends_cleanly(fn));
    for (const h of hostiles) {
      const hh = h as any;
      run(() => sys.execve('/nonexistent', hh, null));
      run(() => sys.execve('/nonexistent', ['x'], hh));
      run(() => sys.execvp('/nonexistent', hh));
      run(() => sys.execle('/nonexistent', 'x', null, hh));
      run(() => sys.system(hh));
      run(() => sys.sigprocmask(sys.SIG_BLOCK, hh, null));
      run(() => native.sigprocmask(sys.SIG_BLOCK, hh));
      run(() => native.sigsuspend(hh));
      run(() => native.sigwait(hh));
      // Given an array whose hostile element is past the two fds, they succeed: closed here.
      const made = (rc: number) => { if (rc === 0) { close(hh[0]); close(hh[1]); } };
      run(() => made(sys.pipe(hh)));
      run(() => made(sys.socketpair(sys.AF_UNIX, SOCK_STREAM, 0, hh)));
      run(() => sys.poll(hh, 1, 0));
      run(() => sys.poll([hh], 1, 0));
      run(() => bind(sock, hh));
      run(() => connect(-1, hh));
      run(() => sys.sendto(-1, r8, 1, 0, hh));
      run(() => setsockopt(sock, SOL_SOCKET, SO_LINGER, hh));
      run(() => setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, hh));
      run(() => getsockopt(sock, SOL_SOCKET, SO_LINGER, hh));
      run(() => getsockopt(sock, SOL_SOCKET, SO_REUSEADDR, hh));
      run(() => getaddrinfo('127.0.0.1', null, hh, cell(null)));
      run(() => sys.select(1, hh, null, null, { tv_sec: 0, tv_usec: 0 }));
      run(() => sys.select(0, null, null, null, hh));
      run(() => sys.nanosleep(hh, null));
      run(() => sys.sigaction(sys.SIGUSR2, hh, null));
      if (linux) {
        run(() => sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, sock, hh));
        run(() => sys.epoll_wait(ep, hh, 1, 0));
      }
    }
    const fields: Array<[string, Record<string, unknown>]> = [
      ['sin_family', {}], ['sin_port', { sin_family: AF_INET }], ['sin_addr', { sin_family: AF_INET, sin_port: 1 }],
      ['sin6_addr', { sin6_family: AF_INET6, sin6_port: 1 }], ['sun_path', { sun_family: sys.AF_UNIX }],
    ];
    for (const [name, rest] of fields) {
      run(() => bind(sock, hostile_field(name, rest) as any));
      run(() => connect(-1, hostile_field(name, rest) as any));
    }
    run(() => setsockopt(sock, SOL_SOCKET, SO_LINGER, hostile_field('l_linger', { l_onoff: 1 }) as any));
    run(() => setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, hostile_field('tv_usec', { tv_sec: 1 }) as any));
    run(() => sys.nanosleep(hostile_field('tv_nsec', { tv_sec: 0 }) as any, null));
    run(() => sys.poll([hostile_field('events', { fd: -1 }) as any], 1, 0));
    run(() => getaddrinfo('127.0.0.1', null, hostile_field('ai_family') as any, cell(null)));
    if (linux) run(() => sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, sock, hostile_field('data', { events: sys.EPOLLIN }) as any));
    // The hostile exception itself came through, untouched.
    expect(outcomes.has('hostile')).toBe(true);
    // pipe and socketpair, refused their array, closed the fds they had made.
    if (linux) expect(fd_count()).toBe(before + 2); // sock and ep
  });
});

const r8 = new Uint8Array(8);

describe('hostile out-parameters', () => {
  it('accept whose address cannot be stored throws that, and closes the connection it took: no fd lost', () => {
    const { listenfd, port } = tcp_pair(fds);
    const before = linux ? fd_count() : 0;
    const setter_throws = Object.defineProperty({}, 'value', { get: () => 16, set() { throw HOSTILE; } });
    for (const [addr, len] of [[hostile_object, cell(16)], [new sys.sockaddr_storage(), setter_throws]] as const) {
      const c = fds.add(socket(AF_INET, SOCK_STREAM, 0));
      expect(connect(c, sockaddr_of('127.0.0.1', port))).toBe(0);
      expect(() => accept(listenfd, addr as any, len as any)).toThrow(HOSTILE);
    }
    if (linux) expect(fd_count()).toBe(before + 2); // the two clients, not the accepted ends
  });

  // The address's fields are written into the caller's object; a write that
  // threw used to leave an exception pending, under which N-API made no
  // Uint8Array for sin6_addr: memcpy into null (SIGSEGV, the fuzzer's Node 20
  // long run: getsockname(fd, Proxy, null), seed 1046406692 call 144929).
  it('an address object that throws on write, for every family: getsockname, getpeername, accept, recvfrom throw that', () => {
    const families: Array<[number, () => sys.sockaddr]> = [[AF_INET, () => sockaddr_of('127.0.0.1', 0)]];
    if (has_ipv6()) families.push([AF_INET6, () => sockaddr_of('::1', 0)]);
    const throws_on = (field: string) => Object.defineProperty({}, field, { set() { throw HOSTILE; } });
    for (const [family, any] of families) {
      const first = family === AF_INET ? 'sin_family' : 'sin6_family';
      const last = family === AF_INET ? 'sin_addr' : 'sin6_scope_id';
      const hostiles = [hostile_object, throws_on('ss_family'), throws_on(first), throws_on(last)];
      const l = fds.add(socket(family, SOCK_STREAM, 0));
      expect(bind(l, any())).toBe(0);
      expect(sys.listen(l, 8)).toBe(0);
      const me = new sys.sockaddr_storage();
      expect(sys.getsockname(l, me, cell(sys.sizeof.sockaddr_storage))).toBe(0);
      const c = fds.add(socket(family, SOCK_STREAM, 0));
      expect(connect(c, me as any)).toBe(0);
      const u = fds.add(socket(family, sys.SOCK_DGRAM, 0));
      expect(bind(u, any())).toBe(0);
      const uaddr = new sys.sockaddr_storage();
      expect(sys.getsockname(u, uaddr, cell(sys.sizeof.sockaddr_storage))).toBe(0);
      for (const h of hostiles) {
        const hh = h as any;
        expect(() => native.getsockname(c, hh, null)).toThrow(HOSTILE);
        expect(() => native.getpeername(c, hh, null)).toThrow(HOSTILE);
        expect(sys.sendto(u, r8, 8, 0, uaddr as any)).toBe(8);
        expect(() => native.recvfrom(u, new Uint8Array(8), 8, 0, hh, null)).toThrow(HOSTILE);
      }
      expect(() => native.accept(l, hostile_object as any, null)).toThrow(HOSTILE);
    }
  });
});

describe('clear errors', () => {
  it('a string where a buffer goes is a TypeError that says so', () => {
    expect(() => write(1, 'hello' as any)).toThrow(/must be a Uint8Array.*got a string/);
    expect(() => read(0, 'x' as any, 1)).toThrow(TypeError);
    expect(() => send(0, 'x' as any)).toThrow(TypeError);
  });

  it('a count beyond the buffer is a RangeError, before the call', () => {
    const p: number[] = [];
    pipe(p);
    fds.add(p[0]);
    fds.add(p[1]);
    expect(() => write(p[1], new Uint8Array(4), 5)).toThrow(RangeError);
    expect(() => read(p[0], new Uint8Array(4), 1000)).toThrow(/count 1000 is larger than the buffer \(4 bytes\)/);
    expect(() => recv(p[0], new Uint8Array(4), -1)).toThrow(RangeError);
    // The view's own length counts, not its ArrayBuffer's.
    const view = new Uint8Array(new ArrayBuffer(64), 60, 4);
    expect(() => read(p[0], view, 5)).toThrow(RangeError);
    // Nothing was written: the pipe is still empty.
    fcntl(p[0], sys.F_SETFL, sys.O_NONBLOCK);
    expect(read(p[0], new Uint8Array(8))).toBe(-1);
    expect(errno()).toBe(sys.EAGAIN);
  });

  it('a buffer whose ArrayBuffer was transferred is a TypeError, fast path or not', () => {
    const p: number[] = [];
    pipe(p);
    fds.add(p[0]);
    fds.add(p[1]);
    const buf = new Uint8Array(8);
    const view = new DataView(new ArrayBuffer(8));
    structuredClone([buf.buffer, view.buffer], { transfer: [buf.buffer, view.buffer] });
    expect(() => write(p[1], buf)).toThrow(/write: buf's ArrayBuffer is detached/);
    expect(() => read(p[0], buf, 0)).toThrow(TypeError);
    expect(() => send(p[1], view)).toThrow(TypeError);
    expect(() => recv(p[0], buf, 0, 0)).toThrow(TypeError);
  });

  it('fds: not a number is a TypeError, not an int a RangeError, negative is EBADF as in C', () => {
    expect(() => close('3' as any)).toThrow(TypeError);
    expect(() => close(3.5)).toThrow(RangeError);
    expect(() => close(2 ** 40)).toThrow(/fd must be an integer/);
    expect(() => close(NaN)).toThrow(RangeError);
    expect(close(-7)).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(read(1_000_000, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('a non-socket fd is ENOTSOCK; a closed one EBADF', () => {
    const p: number[] = [];
    pipe(p);
    fds.add(p[0]);
    fds.add(p[1]);
    expect(bind(p[0], sockaddr_of('127.0.0.1', 0))).toBe(-1);
    expect(errno()).toBe(ENOTSOCK);
    expect(setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, 1)).toBe(-1);
    expect(errno()).toBe(ENOTSOCK);
    expect(sys.tcp_state(p[0])).toBeNull();
    expect(errno()).toBe(ENOTSOCK);
  });

  it('addresses: no family, a bad port, a wrong field type', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(() => bind(fd, {} as any)).toThrow(/no family/);
    expect(() => bind(fd, 'addr' as any)).toThrow(TypeError);
    expect(() => bind(fd, { sin_family: AF_INET, sin_port: 65536 } as any)).toThrow(
      /^bind: addr\.sin_port must be an integer in \[0, 65535\], got 65536$/);
    expect(() => connect(fd, { sin_family: AF_INET, sin_addr: { s_addr: 'x' } } as any)).toThrow(TypeError);
    expect(() => connect(fd, { sin6_family: AF_INET6, sin6_addr: { s6_addr: [1, 2] } } as any)).toThrow(/16 bytes/);
    expect(() => bind(fd, { sun_family: sys.AF_UNIX, sun_path: 'p'.repeat(200) } as any)).toThrow(RangeError);
    expect(() => sockaddr_of('localhost', 80)).toThrow(/not a numeric/);
    expect(() => sockaddr_of('127.0.0.1', 70000)).toThrow(RangeError);
    // An unknown family reaches the kernel, which refuses it.
    expect(bind(fd, { ss_family: 4242 } as any)).toBe(-1);
    expect([sys.EAFNOSUPPORT, sys.EINVAL]).toContain(errno());
  });

  it('one message form for every reader: fn: struct.field must be ..., and the range with the value given', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    const says = (f: () => unknown, kind: typeof TypeError | typeof RangeError, text: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(kind);
        expect((e as Error).message).toBe(text);
        return;
      }
      expect.unreachable(`no ${kind.name}: ${text}`);
    };
    // Integer fields of C structs, whichever call reads them.
    says(() => sys.poll([{ fd: -1, events: 'x' } as any], 1, 0), TypeError, 'poll: pollfd.events must be a number');
    says(() => sys.poll([{ fd: -1, events: 1e6 } as any], 1, 0), RangeError,
      'poll: pollfd.events must be an integer in [-32768, 65535], got 1000000');
    says(() => connect(fd, { sin_family: AF_INET, sin_addr: { s_addr: 'x' } } as any), TypeError,
      'connect: addr.sin_addr.s_addr must be a number');
    says(() => getaddrinfo('127.0.0.1', null, { ai_family: 1.5 } as any, cell(null)), RangeError,
      'getaddrinfo: hints.ai_family must be an integer in [-2147483648, 2147483647], got 1.5');
    says(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, { l_onoff: 1, l_linger: 2 ** 40 } as any), RangeError,
      'setsockopt: optval.l_linger must be an integer in [-2147483648, 2147483647], got 1099511627776');
    // struct timespec / timeval, wherever they are read.
    says(() => sys.nanosleep({ tv_sec: 0 } as any, null), TypeError, 'nanosleep: req.tv_nsec must be a number');
    says(() => sys.nanosleep({ tv_sec: 0.5, tv_nsec: 0 }, null), RangeError,
      'nanosleep: req.tv_sec must be an integer in [-9007199254740991, 9007199254740991], got 0.5');
    says(() => sys.select(0, null, null, null, { tv_sec: 0 } as any), TypeError, 'select: timeout.tv_usec must be a number');
    says(() => sys.sem_timedwait(new sys.sem_t(), 5 as any), TypeError,
      'sem_timedwait: abstime must be a timespec { tv_sec, tv_nsec }');
    says(() => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 1 } as any), TypeError,
      'setsockopt: optval.tv_usec must be a number');
    // The same readers written in TypeScript, where the C half is.
    says(() => new sys.sig_atomic_t(1.5), RangeError, 'sig_atomic_t: value must be an integer in [-2147483648, 2147483647], got 1.5');
    says(() => sockaddr_of('127.0.0.1', 70000), RangeError, 'sockaddr_of: port must be an integer in [0, 65535], got 70000');
    says(() => sockaddr_of('127.0.0.1', '80' as any), TypeError, 'sockaddr_of: port must be a number');
    // Cells.
    says(() => getaddrinfo('127.0.0.1', null, null, 5 as any), TypeError,
      'getaddrinfo: res must be a cell { value } (struct addrinfo **), got a number');
    says(() => sys.waitpid(-1, [] as any, 0), TypeError, 'waitpid: status must be a cell { value } or null (int *), got an array');
    says(() => sys.sem_getvalue(new sys.sem_t(), 3 as any), TypeError, 'sem_getvalue: sval must be a cell { value } (int *), got a number');
    says(() => sys.pthread_join(1, 'x' as any), TypeError,
      'pthread_join: retval must be a cell { value } or null (void **), got a string');
    says(() => accept(fd, new sockaddr_in(), cell(-1)), RangeError,
      'accept: addrlen.value must be an integer in [0, 4294967295], got -1');
  });

  it('out-parameters must be cells or objects of the right shape', () => {
    const fd = fds.add(socket(AF_INET, SOCK_STREAM, 0));
    expect(() => getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 5 as any)).toThrow(TypeError);
    expect(() => getsockname(fd, new sockaddr_in(), 16 as any)).toThrow(/addrlen must be a cell/);
    expect(() => accept(fd, new sockaddr_in(), cell('x') as any)).toThrow(TypeError);
    expect(() => accept(fd, new sockaddr_in(), cell(-1))).toThrow(RangeError);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, { l_onoff: 1 } as any)).toThrow(/l_linger must be a number/);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 1.5 } as any)).toThrow(RangeError);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 'on' as any)).toThrow(TypeError);
    expect(() => socketpair(sys.AF_UNIX, SOCK_STREAM, 0, new Int32Array(1))).toThrow(TypeError);
    expect(() => pipe({} as any)).toThrow(TypeError);
    expect(() => fcntl(fd, F_GETFL, 'x' as any)).toThrow(TypeError);
  });

  it('a frozen fd array is refused and the new fds are closed, not lost', () => {
    const before = linux ? fd_count() : 0;
    expect(() => pipe(Object.freeze([0, 0]) as any)).toThrow(/closed/);
    if (linux) expect(fd_count()).toBe(before);
  });

  it('inet_pton / inet_ntop: 0 for a bad string, EAFNOSUPPORT for a bad family', () => {
    const a = { s_addr: 0 };
    expect(inet_pton(AF_INET, '300.1.1.1', a)).toBe(0);
    expect(inet_pton(AF_INET, '::1', a)).toBe(0);
    expect(inet_pton(12345, '1.2.3.4', a)).toBe(-1);
    expect(errno()).toBe(sys.EAFNOSUPPORT);
    expect(inet_ntop(12345, { s_addr: 1 })).toBeNull();
    expect(errno()).toBe(sys.EAFNOSUPPORT);
    expect(() => inet_ntop(AF_INET6, new Uint8Array(4))).toThrow(RangeError);
    expect(() => inet_ntop(AF_INET, { s_addr: -1 })).toThrow(RangeError);
  });

  it('a NUL byte in a host, service or address string is a TypeError: C would read only what comes before it', () => {
    const a = { s_addr: 0 };
    expect(() => inet_pton(AF_INET, '127.0.0.1\0.5', a)).toThrow(new TypeError('inet_pton: src contains a NUL byte'));
    expect(a.s_addr).toBe(0);
    const res = cell(null);
    expect(() => getaddrinfo('127.0.0.1\0evil.example', null, null, res)).toThrow(new TypeError('getaddrinfo: node contains a NUL byte'));
    expect(() => getaddrinfo('127.0.0.1', '80\0', null, res)).toThrow(new TypeError('getaddrinfo: service contains a NUL byte'));
    expect(res.value).toBeNull();
  });

  it('RIO: counts beyond the buffer are RangeErrors', () => {
    const rp = new rio_t();
    rio_readinitb(rp, -1);
    expect(() => rio_readlineb(rp, new Uint8Array(4), 10)).toThrow(RangeError);
    expect(() => rio_writen(1, new Uint8Array(4), 5)).toThrow(RangeError);
    expect(() => rio_readn(0, new Uint8Array(4), -2)).toThrow(RangeError);
    expect(rio_readlineb(rp, new Uint8Array(4), 4)).toBe(-1);
    expect(errno()).toBe(EBADF);
  });

  it('pthread_mutex_init: an attr that is not a pthread_mutexattr_t is a TypeError, not a default mutex', () => {
    const m = new sys.pthread_mutex_t();
    for (const bad of [sys.PTHREAD_MUTEX_ERRORCHECK, 'errorcheck', { type: sys.PTHREAD_MUTEX_ERRORCHECK }]) {
      expect(() => sys.pthread_mutex_init(m, bad as any)).toThrow(TypeError);
    }
    expect(sys.pthread_mutex_init(m, null)).toBe(0);
    expect(sys.pthread_mutex_destroy(m)).toBe(0);
  });
});
