// Loads the addon built by node-gyp (or cmake-js, into the same place). The
// compiled files live in dist/src/sys and the sources in src/sys, so the
// package root is found by walking up. SYSCALL_LAB_ADDON names another build
// of it (CI's cmake-js and sanitizer builds), for this process and its children.
// NativeCalls below declares what the addon exports; the sys modules export
// its functions with those types.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { in6_addr, in_addr, sockaddr } from './sockaddr.js';
import type { Bytes, linger, timeval } from './socket.js';
import type { struct_stat } from './file.js';
import type { addrinfo, addrinfo_hints } from './netdb.js';
import type { tcp_state_name } from './tcp.js';
import type { timespec } from './time.js';
import type { epoll_data, epoll_event, kevent, pollfd } from './select.js';
import type { PTHREAD_CANCELED, ThreadCancel, ThreadExit, pthread_t, start_routine } from './thread.js';

/** The C types whose sizes the addon reports (sizeof.sockaddr_in, ...). */
export type SizeofName = 'sockaddr' | 'sockaddr_in' | 'sockaddr_in6' | 'sockaddr_un' | 'sockaddr_storage' | 'linger' |
  'timeval' | 'timespec' | 'int' | 'socklen_t' | 'sun_path' | 'fd_set';
import { traced } from './trace.js';

function findAddon(): string {
  const chosen = process.env.SYSCALL_LAB_ADDON;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`syscall-lab: SYSCALL_LAB_ADDON names ${chosen}, which does not exist`);
    return chosen;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const kind of ['Release', 'Debug']) {
      const candidate = join(dir, 'build', kind, 'syscall_lab.node');
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('syscall-lab: the native addon is not built (build/Release/syscall_lab.node); run `npm install` or `npx node-gyp rebuild`');
    }
    dir = parent;
  }
}

/**
 * The addon's exports, each function once with its TypeScript signature: the
 * seam between native/ and the sys modules, which take their types from here.
 * test/native-seam.test.ts compares this list with what the addon exports,
 * both ways: a function added on one side only fails it.
 */
export interface NativeCalls {
  // errno.cc
  errno(): number;
  set_errno(value: number): void;
  strerror(errnum: number): string;
  errno_names: Readonly<Record<string, number>>;

  // constants.cc
  constants: Readonly<Record<string, number>>;
  sizeof: Readonly<Record<SizeofName, number>>;

  // socket.cc
  socket(domain: number, type: number, protocol: number): number;
  bind(sockfd: number, addr: sockaddr, addrlen?: number): number;
  listen(sockfd: number, backlog: number): number;
  accept(sockfd: number, addr?: sockaddr | null, addrlen?: Cell<number> | null): number;
  accept4(sockfd: number, addr: sockaddr | null, addrlen: Cell<number> | null, flags: number): number;
  connect(sockfd: number, addr: sockaddr, addrlen?: number): number;
  send(sockfd: number, buf: Bytes, len?: number, flags?: number): number;
  recv(sockfd: number, buf: Bytes, len?: number, flags?: number): number;
  sendto(sockfd: number, buf: Bytes, len: number, flags: number, dest_addr: sockaddr | null, addrlen?: number): number;
  recvfrom(sockfd: number, buf: Bytes, len: number, flags: number, src_addr: sockaddr | null, addrlen: Cell<number> | null): number;
  shutdown(sockfd: number, how: number): number;
  getsockname(sockfd: number, addr: sockaddr, addrlen?: Cell<number> | null): number;
  getpeername(sockfd: number, addr: sockaddr, addrlen?: Cell<number> | null): number;
  setsockopt(sockfd: number, level: number, optname: number, optval: number | linger | timeval | Bytes, optlen?: number): number;
  getsockopt(sockfd: number, level: number, optname: number, optval: Cell<number> | linger | timeval | Bytes, optlen?: Cell<number> | null): number;
  socketpair(domain: number, type: number, protocol: number, sv: number[] | Int32Array): number;

  // io.cc
  read(fd: number, buf: Bytes, count?: number): number;
  write(fd: number, buf: Bytes, count?: number): number;
  close(fd: number): number;
  pipe(pipefd: number[] | Int32Array): number;
  pipe2(pipefd: number[] | Int32Array, flags: number): number;
  dup(oldfd: number): number;
  dup2(oldfd: number, newfd: number): number;
  fcntl(fd: number, cmd: number, arg?: number): number;

  // file.cc
  open(pathname: string, flags: number, mode?: number): number;
  creat(pathname: string, mode: number): number;
  lseek(fd: number, offset: number, whence: number): number;
  stat(pathname: string, statbuf: struct_stat): number;
  lstat(pathname: string, statbuf: struct_stat): number;
  fstat(fd: number, statbuf: struct_stat): number;
  unlink(pathname: string): number;
  mkdir(pathname: string, mode: number): number;
  rmdir(pathname: string): number;
  mkfifo(pathname: string, mode: number): number;
  access(pathname: string, mode: number): number;
  ftruncate(fd: number, length: number): number;
  truncate(pathname: string, length: number): number;
  umask(mask: number): number;
  mmap(addr: null, length: number, prot: number, flags: number, fd: number, offset: number): Uint8Array | null;
  munmap(addr: Uint8Array, length: number): number;
  msync(addr: Uint8Array, length: number, flags: number): number;

  // env.cc
  getenv(name: string): string | null;
  setenv(name: string, value: string, overwrite: number): number;
  unsetenv(name: string): number;

  // inet.cc, netdb.cc
  inet_pton(af: number, src: string, dst: in_addr | in6_addr): number;
  inet_ntop(af: number, src: in_addr | in6_addr | Uint8Array): string | null;
  getaddrinfo(node: string | null, service: string | null, hints: addrinfo_hints | null, res: Cell<addrinfo | null>): number;
  gai_strerror(errcode: number): string;
  getnameinfo(sa: sockaddr, salen: number | undefined, host: Cell<string> | null, hostlen: number, serv: Cell<string> | null, servlen: number, flags?: number): number;

  // tcp_info.cc
  tcp_state(fd: number): tcp_state_name | null;

  // signal.cc: signal_install's disposition is 0 (SIG_DFL), 1 (SIG_IGN) or 2
  // (a TypeScript handler, run by the dispatcher); signal_disposition gives
  // the same numbers. The masks are arrays of signal numbers.
  signal_install(signum: number, disposition: number, flags: number): number;
  signal_disposition(signum: number): number;
  signal_dispatcher(dispatch: (signals: number[], infos: Array<number[] | null>) => void): void;
  signal_dispatch_end(): void;
  sigprocmask(how: number, set: number[] | null): number[] | -1;
  sigsuspend(mask: number[]): number;
  sigpending(): number[] | -1;
  sigwait(set: number[]): number;
  pause(): number;
  raise(sig: number): number;
  strsignal(sig: number): string;

  // time.cc
  sleep(seconds: number): number;
  usleep(usec: number): number;
  nanosleep(req: timespec, rem?: timespec | null): number;

  // select.cc: the sets are fd_set's bytes (fd_set.fds_bits).
  select(nfds: number, readfds: Uint8Array | null, writefds: Uint8Array | null, exceptfds: Uint8Array | null,
    timeout: timeval | null): number;
  pselect(nfds: number, readfds: Uint8Array | null, writefds: Uint8Array | null, exceptfds: Uint8Array | null,
    timeout: timespec | null, sigmask: number[] | null): number;
  poll(fds: pollfd[], nfds: number, timeout: number): number;
  ioctl(fd: number, request: number, argp: Cell<number> | number): number;
  /** FD_SET in C over fds: what fd_set's bytes must be (for the tests). */
  fd_set_probe(fds: number[]): Uint8Array;
  /** FD_ISSET in C over fd_set's bytes (for the tests). */
  fd_isset_probe(fd: number, set: Uint8Array): boolean;

  // process.cc
  fork(): number;
  _exit(status: number): never;
  waitpid(pid: number, status: Cell<number> | null, options: number): number;
  WIFEXITED(status: number): number;
  WEXITSTATUS(status: number): number;
  WIFSIGNALED(status: number): number;
  WTERMSIG(status: number): number;
  WIFSTOPPED(status: number): number;
  WSTOPSIG(status: number): number;
  WIFCONTINUED(status: number): number;
  WCOREDUMP(status: number): number;
  fork_warmup(): void;
  getpid(): number;
  getppid(): number;
  getpgrp(): number;
  getpgid(pid: number): number;
  setpgid(pid: number, pgid: number): number;
  kill(pid: number, sig: number): number;
  killpg(pgrp: number, sig: number): number;
  alarm(seconds: number): number;
  /** Major garbage collections so far (fork warms the heap again after one). */
  major_gcs(): number;
  /** The script a function was defined in, as V8 names it. */
  script_name(fn: Function): string | undefined;

  // exec.cc: kind 0 execve, 1 execvp, 2 execvpe; envp undefined keeps environ.
  exec(kind: number, pathname: string, argv: readonly string[], envp: readonly string[] | undefined): number;
  environ_list(): string[];
  system(command: string | null): number;

  // thread.cc: pthread_create returns the id, or minus an error number.
  thread_init(exit: typeof ThreadExit, cancel: typeof ThreadCancel, canceled: typeof PTHREAD_CANCELED): void;
  pthread_create(routine: start_routine, arg: unknown): number;
  pthread_join(thread: pthread_t): number | { value: unknown };
  pthread_detach(thread: pthread_t): number;
  pthread_self(): pthread_t;
  pthread_cancel(thread: pthread_t): number;
  pthread_testcancel(): void;
  pthread_setcancelstate(enable: boolean): number;
  /** Sets the stack size of threads made from now on; returns the previous one. */
  thread_stacksize(size?: number): number;
  threads_wait_all(): void;
  switch_interval(microseconds: number): number;
  threads_running(): number;

  // sync.cc: each object is an opaque handle from its _new (the addon checks its kind).
  mutex_new(): unknown;
  mutex_init(mutex: unknown, type: number): number;
  mutex_lock(mutex: unknown): number;
  mutex_trylock(mutex: unknown): number;
  mutex_unlock(mutex: unknown): number;
  mutex_destroy(mutex: unknown): number;
  cond_new(): unknown;
  cond_init(cond: unknown): number;
  cond_wait(cond: unknown, mutex: unknown): number;
  cond_timedwait(cond: unknown, mutex: unknown, abstime: timespec): number;
  cond_signal(cond: unknown): number;
  cond_broadcast(cond: unknown): number;
  cond_destroy(cond: unknown): number;
  sem_new(): unknown;
  sem_init(sem: unknown, pshared: number, value: number): number;
  sem_wait(sem: unknown): number;
  sem_trywait(sem: unknown): number;
  sem_timedwait(sem: unknown, abstime: timespec): number;
  sem_post(sem: unknown): number;
  /** The value, or -1 with errno. */
  sem_getvalue(sem: unknown): number;
  sem_destroy(sem: unknown): number;

  // module.cc
  js_lock_held(): boolean;
}

/** select.cc's epoll calls: Linux only. epoll_wait's results are 3 words per event. */
export interface EpollCalls {
  epoll_create(size: number): number;
  epoll_create1(flags?: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, event: epoll_event | { events: number; data?: epoll_data | number } | null): number;
  epoll_wait(epfd: number, out: Uint32Array, maxevents: number, timeout: number): number;
  epoll_pwait(epfd: number, out: Uint32Array, maxevents: number, timeout: number, sigmask: number[] | null): number;
}

/** prctl.cc's call: Linux only. The int options only; a GET's value is the result. */
export interface PrctlCalls {
  prctl(option: number, arg2: number): number;
}

/** select.cc's kqueue calls: macOS and the BSDs only. */
export interface KqueueCalls {
  kqueue(): number;
  kevent(kq: number, changelist: kevent[] | null, nchanges: number, eventlist: kevent[] | null, nevents: number,
    timeout: timespec | null): number;
}

/** The addon: every platform's calls, and epoll's, prctl's or kqueue's where the platform has them. */
export type Native = NativeCalls & Partial<EpollCalls> & Partial<PrctlCalls> & Partial<KqueueCalls>;

/**
 * The raw addon, for the sys modules only (not exported from syscall-lab/sys); its calls traced under SYSCALL_LAB_TRACE.
 * A frozen copy: the addon's exports object, with its 140-odd properties
 * set one by one, is a dictionary-mode object, so every `native.sem_wait`
 * in optimized code was a call to V8's LoadIC and a hash lookup (1.2% of
 * the prethreaded server's CPU, profiled); a literal's copy has fast
 * properties, and frozen ones TurboFan can treat as constants.
 */
export const native: Native = Object.freeze({ ...traced(createRequire(import.meta.url)(findAddon())) });

/** A C out-parameter (`int *`, `socklen_t *`, `struct addrinfo **`): the callee writes `value`. */
export interface Cell<T> {
  value: T;
}

/** Makes a cell, the TypeScript spelling of C's `&x`. */
export function cell<T>(value: T): Cell<T> {
  return { value };
}

/** The sizes of C types on this platform (sizeof.sockaddr_in, sizeof.int, ...). */
export const sizeof = native.sizeof;

/** Whether this thread holds the JS lock (V8's Locker), which blocking calls drop for their syscall once a pthread exists. */
export const js_lock_held = native.js_lock_held;
