// errno, strerror, perror and UnixError.
import { describe, expect, it } from 'vitest';
import {
  errno, set_errno, strerror, perror, errno_code, errno_names, UnixError, close, pipe, read, dup, dup2, fcntl,
  EBADF, ECONNREFUSED, EINTR, F_SETFL, O_NONBLOCK,
} from '../src/sys/index.js';
import { Close, Connect, Socket } from '../src/csapp/index.js';
import { sockaddr_of, AF_INET, SOCK_STREAM } from '../src/sys/index.js';
import { closed_port } from './helpers.js';

describe('errno', () => {
  it('holds the last failure of this thread, with the platform values', () => {
    expect(close(-1)).toBe(-1);
    expect(errno()).toBe(EBADF);
    expect(errno_names.EBADF).toBe(EBADF);
    expect(errno_code(EBADF)).toBe('EBADF');
    expect(errno_code(ECONNREFUSED)).toBe('ECONNREFUSED');
    expect(errno_code(99999)).toBe('E99999');
    set_errno(EINTR);
    expect(errno()).toBe(EINTR);
  });

  it('strerror is the C library text', () => {
    expect(strerror(EBADF)).toBe('Bad file descriptor');
    expect(strerror(ECONNREFUSED)).toBe('Connection refused');
    expect(strerror(0)).toMatch(/Success|Undefined error: 0/);
    expect(strerror(123456)).toMatch(/Unknown error/);
  });

  it('perror writes "msg: text" to fd 2 and leaves errno as it was', () => {
    const p: number[] = [];
    expect(pipe(p)).toBe(0);
    const saved = dup(2);
    try {
      dup2(p[1], 2);
      close(-1);
      perror('close');
      perror(null);
    } finally {
      dup2(saved, 2);
      close(saved);
    }
    expect(errno()).toBe(EBADF);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    const buf = new Uint8Array(256);
    const n = read(p[0], buf);
    close(p[0]);
    close(p[1]);
    expect(new TextDecoder().decode(buf.subarray(0, n))).toBe('close: Bad file descriptor\nBad file descriptor\n');
  });
});

describe('UnixError from the wrappers', () => {
  it('carries errno, code and syscall', () => {
    const fd = Socket(AF_INET, SOCK_STREAM, 0);
    try {
      Connect(fd, sockaddr_of('127.0.0.1', closed_port()));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnixError);
      expect(e).toBeInstanceOf(Error);
      const u = e as UnixError;
      expect(u.errno).toBe(ECONNREFUSED);
      expect(u.code).toBe('ECONNREFUSED');
      expect(u.syscall).toBe('connect');
      expect(u.message).toBe('connect: Connection refused (ECONNREFUSED)');
    } finally {
      Close(fd);
    }
    expect(() => Close(fd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'close' }));
  });
});
