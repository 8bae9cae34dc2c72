// The Capitalized wrappers of CSAPP and Stevens: the same call, checked. On
// failure they throw a UnixError (errno, code, syscall) where csapp.c calls
// unix_error; uncaught, it prints and ends the process, as unix_error does.
import {
  type Cell, type Bytes, type linger, type timeval, type sockaddr, type addrinfo, type addrinfo_hints, type in_addr,
  type in6_addr, type timespec,
  UnixError, socket, bind, listen, accept, connect, send, recv, shutdown, setsockopt, getsockopt,
  getsockname, getpeername, socketpair, read, write, close, pipe, dup, dup2, fcntl, getaddrinfo, getnameinfo,
  inet_pton, inet_ntop, freeaddrinfo, sleep, nanosleep, errno_code, EINVAL,
  type struct_stat, open, creat, lseek, stat, fstat, lstat, unlink, mkdir, rmdir, mkfifo, access, ftruncate,
  truncate, mmap, munmap, msync, setenv, unsetenv,
} from '../sys/index.js';
import { check, unix_error, gai_error } from './errors.js';


export function Socket(domain: number, type: number, protocol: number): number {
  return check(socket(domain, type, protocol), 'socket');
}
export function Bind(sockfd: number, addr: sockaddr, addrlen?: number): void {
  check(bind(sockfd, addr, addrlen), 'bind');
}
export function Listen(sockfd: number, backlog: number): void {
  check(listen(sockfd, backlog), 'listen');
}
export function Accept(sockfd: number, addr?: sockaddr | null, addrlen?: Cell<number> | null): number {
  return check(accept(sockfd, addr, addrlen), 'accept');
}
export function Connect(sockfd: number, addr: sockaddr, addrlen?: number): void {
  check(connect(sockfd, addr, addrlen), 'connect');
}
export function Send(sockfd: number, buf: Bytes, len?: number, flags?: number): number {
  return check(send(sockfd, buf, len, flags), 'send');
}
export function Recv(sockfd: number, buf: Bytes, len?: number, flags?: number): number {
  return check(recv(sockfd, buf, len, flags), 'recv');
}
export function Shutdown(sockfd: number, how: number): void {
  check(shutdown(sockfd, how), 'shutdown');
}
export function Setsockopt(sockfd: number, level: number, optname: number, optval: number | linger | timeval | Bytes, optlen?: number): void {
  check(setsockopt(sockfd, level, optname, optval, optlen), 'setsockopt');
}
export function Getsockopt(sockfd: number, level: number, optname: number, optval: Cell<number> | linger | timeval | Bytes, optlen?: Cell<number> | null): void {
  check(getsockopt(sockfd, level, optname, optval, optlen), 'getsockopt');
}
export function Getsockname(sockfd: number, addr: sockaddr, addrlen?: Cell<number> | null): void {
  check(getsockname(sockfd, addr, addrlen), 'getsockname');
}
export function Getpeername(sockfd: number, addr: sockaddr, addrlen?: Cell<number> | null): void {
  check(getpeername(sockfd, addr, addrlen), 'getpeername');
}
export function Socketpair(domain: number, type: number, protocol: number, sv: number[] | Int32Array): void {
  check(socketpair(domain, type, protocol, sv), 'socketpair');
}
export function Read(fd: number, buf: Bytes, count?: number): number {
  return check(read(fd, buf, count), 'read');
}
export function Write(fd: number, buf: Bytes, count?: number): number {
  return check(write(fd, buf, count), 'write');
}
export function Close(fd: number): void {
  check(close(fd), 'close');
}
export function Pipe(pipefd: number[] | Int32Array): void {
  check(pipe(pipefd), 'pipe');
}
export function Dup(oldfd: number): number {
  return check(dup(oldfd), 'dup');
}
export function Dup2(oldfd: number, newfd: number): number {
  return check(dup2(oldfd, newfd), 'dup2');
}
export function Fcntl(fd: number, cmd: number, arg?: number): number {
  return check(fcntl(fd, cmd, arg), 'fcntl');
}
export function Open(pathname: string, flags: number, mode?: number): number {
  return check(open(pathname, flags, mode), 'open');
}
export function Creat(pathname: string, mode: number): number {
  return check(creat(pathname, mode), 'creat');
}
export function Lseek(fd: number, offset: number, whence: number): number {
  return check(lseek(fd, offset, whence), 'lseek');
}
export function Stat(pathname: string, statbuf: struct_stat): void {
  check(stat(pathname, statbuf), 'stat');
}
export function Fstat(fd: number, statbuf: struct_stat): void {
  check(fstat(fd, statbuf), 'fstat');
}
export function Lstat(pathname: string, statbuf: struct_stat): void {
  check(lstat(pathname, statbuf), 'lstat');
}
export function Unlink(pathname: string): void {
  check(unlink(pathname), 'unlink');
}
export function Mkdir(pathname: string, mode: number): void {
  check(mkdir(pathname, mode), 'mkdir');
}
export function Rmdir(pathname: string): void {
  check(rmdir(pathname), 'rmdir');
}
export function Mkfifo(pathname: string, mode: number): void {
  check(mkfifo(pathname, mode), 'mkfifo');
}
export function Access(pathname: string, mode: number): void {
  check(access(pathname, mode), 'access');
}
export function Ftruncate(fd: number, length: number): void {
  check(ftruncate(fd, length), 'ftruncate');
}
export function Truncate(pathname: string, length: number): void {
  check(truncate(pathname, length), 'truncate');
}
/** csapp.c's Mmap: the mapping, or a UnixError where mmap returns MAP_FAILED. */
export function Mmap(addr: null, length: number, prot: number, flags: number, fd: number, offset: number): Uint8Array {
  const p = mmap(addr, length, prot, flags, fd, offset);
  if (p === null) unix_error('mmap');
  return p;
}
export function Munmap(addr: Uint8Array, length: number): void {
  check(munmap(addr, length), 'munmap');
}
export function Msync(addr: Uint8Array, length: number, flags: number): void {
  check(msync(addr, length, flags), 'msync');
}
export function Setenv(name: string, value: string, overwrite: number): void {
  check(setenv(name, value, overwrite), 'setenv');
}
export function Unsetenv(name: string): void {
  check(unsetenv(name), 'unsetenv');
}
export function Sleep(seconds: number): number {
  return check(sleep(seconds), 'sleep');
}
export function Nanosleep(req: timespec, rem?: timespec | null): void {
  check(nanosleep(req, rem), 'nanosleep');
}

export function Getaddrinfo(node: string | null, service: string | null, hints: addrinfo_hints | null, res: Cell<addrinfo | null>): void {
  const rc = getaddrinfo(node, service, hints, res);
  if (rc !== 0) gai_error(rc, 'getaddrinfo');
}
export function Getnameinfo(sa: sockaddr, salen: number | undefined, host: Cell<string> | null, hostlen: number, serv: Cell<string> | null, servlen: number, flags = 0): void {
  const rc = getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
  if (rc !== 0) gai_error(rc, 'getnameinfo');
}
export function Freeaddrinfo(res: addrinfo | null): void {
  freeaddrinfo(res);
}

/** inet_pton, checked: a string that is not an address of af is an EINVAL UnixError. */
export function Inet_pton(af: number, src: string, dst: in_addr | in6_addr): void {
  const rc = inet_pton(af, src, dst);
  if (rc === 0) throw new UnixError('inet_pton', EINVAL, errno_code(EINVAL), `not an address of family ${af}: ${JSON.stringify(src)}`);
  check(rc, 'inet_pton');
}
export function Inet_ntop(af: number, src: in_addr | in6_addr | Uint8Array): string {
  const s = inet_ntop(af, src);
  if (s === null) unix_error('inet_ntop');
  return s;
}
