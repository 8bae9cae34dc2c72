// File-descriptor calls: read, write, close, pipe, dup, dup2, fcntl. C names
// and results; read and write drop the JS lock while they wait.
import { native } from './native.js';
import type { Bytes } from './socket.js';

/** read(fd, buf, count?): bytes read, 0 at end of file, -1 on failure. count may not exceed the buffer. */
export const read: (fd: number, buf: Bytes, count?: number) => number = native.read;

/** write(fd, buf, count?): bytes written (maybe fewer than count), -1 on failure. */
export const write: (fd: number, buf: Bytes, count?: number) => number = native.write;

/** close(fd). */
export const close: (fd: number) => number = native.close;

/** pipe(pipefd): pipefd[0] is the read end, pipefd[1] the write end. */
export const pipe: (pipefd: number[] | Int32Array) => number = native.pipe;

/** pipe2(pipefd, flags): pipe, with flags O_CLOEXEC and O_NONBLOCK on both ends. Linux; elsewhere -1 with ENOSYS. */
export const pipe2: (pipefd: number[] | Int32Array, flags: number) => number = native.pipe2;

/** dup(oldfd): the lowest free fd, a copy of oldfd. */
export const dup: (oldfd: number) => number = native.dup;

/** dup2(oldfd, newfd). */
export const dup2: (oldfd: number, newfd: number) => number = native.dup2;

/** fcntl(fd, cmd, arg?): F_GETFL / F_SETFL (O_NONBLOCK), F_GETFD / F_SETFD, F_DUPFD. Other commands: EINVAL. */
export const fcntl: (fd: number, cmd: number, arg?: number) => number = native.fcntl;
