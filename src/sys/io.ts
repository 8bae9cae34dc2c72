// File-descriptor calls: read, write, close, pipe, dup, dup2, fcntl. C names
// and results; read and write drop the JS lock while they wait.
import { native } from './native.js';

/** read(fd, buf, count?): bytes read, 0 at end of file, -1 on failure. count may not exceed the buffer. */
export const read = native.read;

/** write(fd, buf, count?): bytes written (maybe fewer than count), -1 on failure. */
export const write = native.write;

/** close(fd). */
export const close = native.close;

/** pipe(pipefd): pipefd[0] is the read end, pipefd[1] the write end. */
export const pipe = native.pipe;

/** pipe2(pipefd, flags): pipe, with flags O_CLOEXEC and O_NONBLOCK on both ends. Linux; elsewhere -1 with ENOSYS. */
export const pipe2 = native.pipe2;

/** dup(oldfd): the lowest free fd, a copy of oldfd. */
export const dup = native.dup;

/** dup2(oldfd, newfd). */
export const dup2 = native.dup2;

/** fcntl(fd, cmd, arg?): F_GETFL / F_SETFL (O_NONBLOCK), F_GETFD / F_SETFD, F_DUPFD. Other commands: EINVAL. */
export const fcntl = native.fcntl;
