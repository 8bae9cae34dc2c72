// Files as in C: open, creat, lseek, stat, unlink, mkdir, rmdir, access,
// ftruncate, umask, mmap / munmap, getenv / setenv. Every call's success and
// its documented failures, on real files in a temporary directory; bad
// input is a TypeError / RangeError or -1 with errno, never a crash.
//
// The tests run as root, which open, stat and unlink do not check permission
// bits for. What root is still refused is tested as root (access X_OK on a
// file with no x bit: EACCES; mmap MAP_SHARED | PROT_WRITE of an O_RDONLY fd:
// EACCES); open's EACCES is tested in a child running as nobody.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  open, creat, close, read, write, lseek, stat, fstat, lstat, struct_stat, unlink, mkdir, rmdir, mkfifo, access,
  ftruncate, truncate, umask, mmap, munmap, msync, getenv, setenv, unsetenv, errno, pipe, fcntl, MAP_FAILED,
  S_ISREG, S_ISDIR, S_ISLNK, S_ISCHR, S_ISFIFO, S_ISSOCK, S_ISBLK, socket, bind, sockaddr_un,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_CLOEXEC, O_NONBLOCK, SEEK_SET, SEEK_CUR, SEEK_END,
  F_OK, R_OK, W_OK, X_OK, S_IRUSR, S_IWUSR, S_IXUSR, S_IRGRP, S_IROTH, S_IFMT, F_GETFD, F_GETFL, FD_CLOEXEC,
  PROT_READ, PROT_WRITE, PROT_EXEC, PROT_NONE, MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED, MS_SYNC,
  AF_UNIX, SOCK_STREAM,
  ENOENT, EACCES, EEXIST, EISDIR, EBADF, EINVAL, ENOTDIR, ENOTEMPTY, ESPIPE, ENXIO, ENOTSUP, ENODEV, ENOMEM,
  ENAMETOOLONG, EOVERFLOW, EINTR, EFAULT, signal, SIG_DFL, SIGUSR1, pthread_create, pthread_join, usleep,
} from '../src/sys/index.js';
import { Open, Close, Stat, Fstat, Mmap, Munmap, Lseek, Unlink, Mkdir, Rmdir, Setenv } from '../src/csapp/index.js';
import { FdScope, fd_count, linux, out_of_reach_for_nobody } from './helpers.js';

const fds = new FdScope();
afterEach(() => fds.closeAll());

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'syscall-lab-file-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const page = 4096; // checked below against the kernel's
const path = (name: string) => join(dir, name);
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
function file(name: string, content: string | Uint8Array): string {
  fs.writeFileSync(path(name), content);
  return path(name);
}
// -1 (mmap: MAP_FAILED) and that errno.
function fails(rc: number | Uint8Array | null, err: number): void {
  expect(rc).toBe(typeof rc === 'number' ? -1 : MAP_FAILED);
  expect(errno()).toBe(err);
}

describe('open, creat, close', () => {
  it('creates with O_CREAT and a mode (masked by the umask), writes, reads back', () => {
    const old = umask(0o022);
    try {
      const fd = fds.add(open(path('a'), O_CREAT | O_WRONLY | O_TRUNC, 0o666));
      expect(fd).toBeGreaterThanOrEqual(3);
      expect(write(fd, bytes('hello'))).toBe(5);
      expect(close(fd)).toBe(0);
      expect(fs.statSync(path('a')).mode & 0o777).toBe(0o644);
      const rfd = fds.add(open(path('a'), O_RDONLY));
      const buf = new Uint8Array(16);
      expect(read(rfd, buf)).toBe(5);
      expect(text(buf.subarray(0, 5))).toBe('hello');
      expect(write(rfd, bytes('x'))).toBe(-1); // not open for writing
      expect(errno()).toBe(EBADF);
    } finally {
      umask(old);
    }
  });

  it('O_TRUNC empties, O_APPEND appends, O_RDWR does both ways', () => {
    file('t', 'old content');
    const fd = fds.add(open(path('t'), O_WRONLY | O_TRUNC));
    expect(fs.readFileSync(path('t'), 'utf8')).toBe('');
    expect(write(fd, bytes('abc'))).toBe(3);
    const afd = fds.add(open(path('t'), O_WRONLY | O_APPEND));
    expect(lseek(afd, 0, SEEK_SET)).toBe(0);
    expect(write(afd, bytes('def'))).toBe(3); // at the end all the same
    expect(fs.readFileSync(path('t'), 'utf8')).toBe('abcdef');
    const rw = fds.add(open(path('t'), O_RDWR));
    expect(write(rw, bytes('X'))).toBe(1);
    const b = new Uint8Array(2);
    expect(read(rw, b)).toBe(2);
    expect(text(b)).toBe('bc');
  });

  it('O_EXCL: EEXIST when the file is there; ENOENT, EISDIR, ENOTDIR, ENAMETOOLONG', () => {
    file('x', '');
    fails(open(path('x'), O_CREAT | O_EXCL | O_WRONLY, 0o600), EEXIST);
    fails(open(path('missing'), O_RDONLY), ENOENT);
    fails(open(path('no/such/dir'), O_CREAT | O_WRONLY, 0o600), ENOENT);
    fails(open(dir, O_WRONLY), EISDIR);
    fails(open(path('x/y'), O_RDONLY), ENOTDIR);
    fails(open(path('n'.repeat(300)), O_RDONLY), ENAMETOOLONG);
    const fd = fds.add(open(path('excl'), O_CREAT | O_EXCL | O_WRONLY, 0o600));
    expect(fd).toBeGreaterThanOrEqual(0);
  });

  it('O_CLOEXEC and O_NONBLOCK are set on the new fd', () => {
    file('f', 'x');
    const a = fds.add(open(path('f'), O_RDONLY));
    const b = fds.add(open(path('f'), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    expect(fcntl(a, F_GETFD) & FD_CLOEXEC).toBe(0);
    expect(fcntl(b, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(fcntl(a, F_GETFL) & O_NONBLOCK).toBe(0);
    expect(fcntl(b, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
  });

  it('a FIFO: O_NONBLOCK writer without a reader is ENXIO; a blocking open waits for the other end', async () => {
    expect(mkfifo(path('fifo'), 0o600)).toBe(0);
    fails(mkfifo(path('fifo'), 0o600), EEXIST);
    fails(open(path('fifo'), O_WRONLY | O_NONBLOCK), ENXIO);
    const r = fds.add(open(path('fifo'), O_RDONLY | O_NONBLOCK)); // a reader never waits with O_NONBLOCK
    expect(r).toBeGreaterThanOrEqual(0);
    expect(close(r)).toBe(0);
    // The writer comes later, from another process: open blocks until then.
    const writer = spawn('sh', ['-c', `sleep 0.3; printf hi > '${path('fifo')}'`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const t0 = Date.now();
    const fd = fds.add(open(path('fifo'), O_RDONLY));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    const buf = new Uint8Array(8);
    let got = '';
    for (let n; (n = read(fd, buf)) > 0;) got += text(buf.subarray(0, n));
    expect(got).toBe('hi');
    await exited;
  });

  it('a signal during a blocking open: the handler runs; EINTR without restart, the open goes on with it', async () => {
    const fifo = path('fifo-sig');
    expect(mkfifo(fifo, 0o600)).toBe(0);
    // The signal comes at 0.2 s; a writer opens the FIFO at 0.6 s, for at
    // most 3 s (then nobody waits on either side).
    const later = () => {
      const sh = `sleep 0.2; kill -USR1 ${process.pid}; sleep 0.4; timeout 3 sh -c "printf x > '${fifo}'"`;
      const child = spawn('sh', ['-c', sh], { stdio: 'ignore', detached: true });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      return { exited, stop: () => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } } };
    };
    try {
      for (const restart of [false, true]) {
        const seen: number[] = [];
        signal(SIGUSR1, (s) => seen.push(s), restart);
        const c = later();
        const fd = open(fifo, O_RDONLY);
        if (restart) {
          expect(fd).toBeGreaterThanOrEqual(0);
          fds.add(fd);
          const b = new Uint8Array(1);
          expect(read(fd, b)).toBe(1);
        } else {
          fails(fd, EINTR);
          c.stop();
        }
        expect(seen).toEqual([SIGUSR1]);
        await c.exited;
      }
    } finally {
      signal(SIGUSR1, SIG_DFL);
    }
  });

  it('creat truncates or creates, write-only', () => {
    file('c', 'something long');
    const fd = fds.add(creat(path('c'), 0o600));
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fs.statSync(path('c')).size).toBe(0);
    expect(read(fd, new Uint8Array(1))).toBe(-1);
    expect(errno()).toBe(EBADF);
    fails(creat(path('nodir/c'), 0o600), ENOENT);
  });

  it('bad input is a TypeError or RangeError before any syscall', () => {
    expect(() => open(path('m'), O_CREAT | O_WRONLY)).toThrow(/mode is required with O_CREAT/);
    expect(fs.existsSync(path('m'))).toBe(false);
    expect(() => open(path('a\0b'), O_RDONLY)).toThrow(TypeError);
    expect(() => open(42 as never, O_RDONLY)).toThrow(TypeError);
    expect(() => open(path('a'), '0' as never)).toThrow(TypeError);
    expect(() => open(path('a'), 2 ** 40)).toThrow(RangeError);
    expect(() => open(path('m'), O_CREAT | O_WRONLY, -1)).toThrow(RangeError);
    expect(() => open(path('m'), O_CREAT | O_WRONLY, 0o10000)).toThrow(RangeError);
    expect(() => creat(path('m'), 1.5)).toThrow(RangeError);
    expect(fs.existsSync(path('m'))).toBe(false);
  });

  it('open as a user who may not read the file: EACCES (a child running as nobody)', (ctx) => {
    if (process.getuid?.() !== 0) return; // only root can start a child as another user
    const secret = file('secret', 'root only');
    fs.chmodSync(secret, 0o600);
    fs.chmodSync(dir, 0o755); // nobody may look up names in it, but not read the file
    const addon = fileURLToPath(new URL('../build/Release/syscall_lab.node', import.meta.url));
    const why = out_of_reach_for_nobody(process.execPath, addon);
    if (why) return ctx.skip(why);
    const script = `
      const n = require(${JSON.stringify(addon)});
      const c = n.constants;
      const r = n.open(${JSON.stringify(secret)}, c.O_RDONLY);
      const a = n.access(${JSON.stringify(secret)}, c.R_OK);
      console.log(JSON.stringify([r, n.errno(), a, n.errno()]));`;
    const child = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, timeout: 10_000, encoding: 'utf8' });
    expect(child.error).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([-1, EACCES, -1, EACCES]);
  });

  it('Open and Close throw UnixError', () => {
    expect(() => Open(path('missing'), O_RDONLY)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
    const fd = Open(path('O'), O_CREAT | O_RDWR, 0o600);
    Close(fd);
    expect(() => Close(fd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'close' }));
  });
});

describe('lseek', () => {
  it('SEEK_SET, SEEK_CUR, SEEK_END; past the end leaves a hole of zeros', () => {
    const fd = fds.add(open(file('s', '0123456789'), O_RDWR));
    expect(lseek(fd, 3, SEEK_SET)).toBe(3);
    expect(lseek(fd, 2, SEEK_CUR)).toBe(5);
    const b = new Uint8Array(1);
    expect(read(fd, b)).toBe(1);
    expect(text(b)).toBe('5');
    expect(lseek(fd, -1, SEEK_END)).toBe(9);
    expect(lseek(fd, 2 ** 40, SEEK_SET)).toBe(2 ** 40); // offsets past 32 bits
    expect(lseek(fd, 20, SEEK_SET)).toBe(20);
    expect(write(fd, bytes('!'))).toBe(1);
    expect(fs.readFileSync(path('s'))).toEqual(Buffer.concat([Buffer.from('0123456789'), Buffer.alloc(10), Buffer.from('!')]));
    expect(Lseek(fd, 0, SEEK_CUR)).toBe(21);
  });

  it('EINVAL (a negative result, a bad whence), ESPIPE (a pipe), EBADF; bad offsets throw', () => {
    const fd = fds.add(open(file('s2', 'abc'), O_RDONLY));
    fails(lseek(fd, -1, SEEK_SET), EINVAL);
    fails(lseek(fd, 0, 12345), EINVAL);
    const p = [0, 0];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    fds.add(p[1]);
    fails(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    fails(lseek(-1, 0, SEEK_SET), EBADF);
    expect(() => lseek(fd, 0.5, SEEK_SET)).toThrow(RangeError);
    expect(() => lseek(fd, 2 ** 60, SEEK_SET)).toThrow(RangeError);
    expect(() => lseek(fd, '1' as never, SEEK_SET)).toThrow(TypeError);
    expect(() => Lseek(-1, 0, SEEK_SET)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe('stat, fstat, lstat into a struct_stat', () => {
  it('fills the fields as node:fs sees them', () => {
    const p = file('st', 'twelve bytes');
    const sbuf = new struct_stat();
    expect(stat(p, sbuf)).toBe(0);
    const ns = fs.statSync(p, { bigint: true });
    expect(sbuf.st_size).toBe(12);
    expect(sbuf.st_ino).toBe(Number(ns.ino));
    expect(sbuf.st_dev).toBe(Number(ns.dev));
    expect(sbuf.st_mode).toBe(Number(ns.mode));
    expect(sbuf.st_nlink).toBe(1);
    expect(sbuf.st_uid).toBe(Number(ns.uid));
    expect(sbuf.st_blksize).toBe(Number(ns.blksize));
    expect(sbuf.st_blocks).toBe(Number(ns.blocks));
    expect(BigInt(sbuf.st_mtim.tv_sec) * 1_000_000_000n + BigInt(sbuf.st_mtim.tv_nsec)).toBe(ns.mtimeNs);
    expect(BigInt(sbuf.st_atim.tv_sec) * 1_000_000_000n + BigInt(sbuf.st_atim.tv_nsec)).toBe(ns.atimeNs);
    expect(BigInt(sbuf.st_ctim.tv_sec) * 1_000_000_000n + BigInt(sbuf.st_ctim.tv_nsec)).toBe(ns.ctimeNs);
    expect(sbuf.st_mtime).toBe(sbuf.st_mtim.tv_sec);
    expect(S_ISREG(sbuf.st_mode)).toBe(true);
    expect(S_ISDIR(sbuf.st_mode)).toBe(false);
    expect(sbuf.st_mode & (S_IRUSR | S_IWUSR | S_IXUSR)).toBe(Number(ns.mode) & 0o700);

    fs.linkSync(p, path('st-link'));
    fs.chmodSync(p, 0o640);
    const fd = fds.add(open(p, O_RDONLY));
    const fbuf = new struct_stat();
    expect(fstat(fd, fbuf)).toBe(0);
    expect(fbuf.st_nlink).toBe(2);
    expect(fbuf.st_ino).toBe(sbuf.st_ino);
    expect(fbuf.st_mode & 0o777).toBe(S_IRUSR | S_IWUSR | S_IRGRP);
    expect(fbuf.st_mode & S_IROTH).toBe(0);
  });

  it('every file type: S_ISDIR, S_ISLNK (lstat only), S_ISCHR, S_ISFIFO, S_ISSOCK', () => {
    const s = new struct_stat();
    expect(stat(dir, s)).toBe(0);
    expect(S_ISDIR(s.st_mode)).toBe(true);
    fs.symlinkSync(file('target', 'x'), path('sym'));
    expect(lstat(path('sym'), s)).toBe(0);
    expect(S_ISLNK(s.st_mode)).toBe(true);
    expect(stat(path('sym'), s)).toBe(0);
    expect(S_ISREG(s.st_mode)).toBe(true); // stat follows the link
    expect(stat('/dev/null', s)).toBe(0);
    expect(S_ISCHR(s.st_mode)).toBe(true);
    expect(S_ISBLK(s.st_mode)).toBe(false);
    expect(s.st_rdev).not.toBe(0);
    expect(mkfifo(path('ff'), 0o600)).toBe(0);
    expect(stat(path('ff'), s)).toBe(0);
    expect(S_ISFIFO(s.st_mode)).toBe(true);
    const sock = fds.add(socket(AF_UNIX, SOCK_STREAM, 0));
    const addr = new sockaddr_un();
    addr.sun_path = path('sock');
    expect(bind(sock, addr)).toBe(0);
    expect(stat(path('sock'), s)).toBe(0);
    expect(S_ISSOCK(s.st_mode)).toBe(true);
    expect(s.st_mode & S_IFMT).not.toBe(0);
  });

  it('ENOENT, ENOTDIR, EBADF; a dangling link: stat ENOENT, lstat 0', () => {
    const s = new struct_stat();
    fails(stat(path('nope'), s), ENOENT);
    fails(stat(join(file('plain', ''), 'x'), s), ENOTDIR);
    fails(fstat(-1, s), EBADF);
    fails(fstat(999_999, s), EBADF);
    fs.symlinkSync(path('gone'), path('dangling'));
    fails(stat(path('dangling'), s), ENOENT);
    expect(lstat(path('dangling'), s)).toBe(0);
    expect(() => Stat(path('nope'), s)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'stat' }));
    expect(() => Fstat(-1, s)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fstat' }));
  });

  it('a statbuf that is not an object is a TypeError; one whose setter throws ends the call with that', () => {
    const p = file('sb', 'x');
    for (const bad of [undefined, null, 3, 'buf', () => 0]) expect(() => stat(p, bad as never)).toThrow(TypeError);
    expect(() => fstat(0, null as never)).toThrow(TypeError);
    const hostile = new Error('setter');
    const trap = new Proxy({}, { set() { throw hostile; } });
    expect(() => stat(p, trap as never)).toThrow(hostile);
    const frozen = Object.freeze(new struct_stat());
    expect(stat(p, frozen)).toBe(0); // as a frozen object takes any write: silently unchanged
    expect(frozen.st_size).toBe(0);
  });
});

describe('unlink, mkdir, rmdir, access, ftruncate, umask', () => {
  it('unlink: the name goes, an open fd still reads; ENOENT, EISDIR', () => {
    const p = file('u', 'still here');
    const fd = fds.add(open(p, O_RDONLY));
    expect(unlink(p)).toBe(0);
    expect(fs.existsSync(p)).toBe(false);
    const b = new Uint8Array(10);
    expect(read(fd, b)).toBe(10);
    const s = new struct_stat();
    expect(fstat(fd, s)).toBe(0);
    expect(s.st_nlink).toBe(0);
    fails(unlink(p), ENOENT);
    if (linux) fails(unlink(dir), EISDIR); // POSIX allows EPERM, which macOS answers
    expect(() => Unlink(p)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'unlink' }));
  });

  it('mkdir with a mode; EEXIST, ENOENT; rmdir: ENOTEMPTY, ENOTDIR, ENOENT', () => {
    const old = umask(0o022);
    try {
      expect(mkdir(path('d'), 0o777)).toBe(0);
      expect(fs.statSync(path('d')).mode & 0o777).toBe(0o755);
      expect(fs.statSync(path('d')).isDirectory()).toBe(true);
    } finally {
      umask(old);
    }
    fails(mkdir(path('d'), 0o700), EEXIST);
    fails(mkdir(path('no/d'), 0o700), ENOENT);
    file('d/inside', 'x');
    fails(rmdir(path('d')), ENOTEMPTY);
    fails(rmdir(path('d/inside')), ENOTDIR);
    expect(unlink(path('d/inside'))).toBe(0);
    expect(rmdir(path('d'))).toBe(0);
    fails(rmdir(path('d')), ENOENT);
    Mkdir(path('D'), 0o700);
    expect(() => Mkdir(path('D'), 0o700)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    Rmdir(path('D'));
    expect(() => Rmdir(path('D'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => mkdir(path('x'), -1)).toThrow(RangeError);
  });

  it('access: F_OK, R_OK | W_OK; X_OK without an x bit is EACCES even for root; ENOENT, EINVAL', () => {
    const p = file('acc', 'x');
    fs.chmodSync(p, 0o644);
    expect(access(p, F_OK)).toBe(0);
    expect(access(p, R_OK | W_OK)).toBe(0);
    fails(access(p, X_OK), EACCES);
    fs.chmodSync(p, 0o744);
    expect(access(p, X_OK)).toBe(0);
    fails(access(path('nope'), F_OK), ENOENT);
    fails(access(p, 0x100), EINVAL);
  });

  it('ftruncate and truncate: grow with zeros, shrink; EINVAL (negative, read-only fd), EBADF', () => {
    const p = file('tr', 'abcdef');
    const fd = fds.add(open(p, O_RDWR));
    expect(ftruncate(fd, 3)).toBe(0);
    expect(fs.readFileSync(p, 'utf8')).toBe('abc');
    expect(ftruncate(fd, 5)).toBe(0);
    expect(fs.readFileSync(p)).toEqual(Buffer.from([97, 98, 99, 0, 0]));
    expect(truncate(p, 1)).toBe(0);
    expect(fs.readFileSync(p, 'utf8')).toBe('a');
    fails(ftruncate(fd, -1), EINVAL);
    const ro = fds.add(open(p, O_RDONLY));
    const r = ftruncate(ro, 0);
    expect(r).toBe(-1);
    expect([EINVAL, EBADF]).toContain(errno()); // POSIX lets either answer
    fails(ftruncate(-1, 0), EBADF);
    fails(truncate(path('nope'), 0), ENOENT);
    expect(() => ftruncate(fd, 2 ** 60)).toThrow(RangeError);
  });

  it('umask: returns the previous mask, which process.umask shares', () => {
    const old = umask(0o077);
    try {
      expect(process.umask()).toBe(0o077);
      expect(umask(0o027)).toBe(0o077);
      const fd = fds.add(open(path('um'), O_CREAT | O_WRONLY, 0o666));
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(fs.statSync(path('um')).mode & 0o777).toBe(0o640);
    } finally {
      umask(old);
    }
    expect(() => umask(0o10000)).toThrow(RangeError);
    expect(() => umask('022' as never)).toThrow(TypeError);
  });
});

describe('mmap and munmap', () => {
  it('the page size is what the tests assume', () => {
    expect(Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim() || page)).toBe(page);
  });

  it('MAP_SHARED: the array is the file; writes reach it (seen by node:fs), and its changes are seen', () => {
    const p = file('m', 'hello, mapped world');
    const fd = fds.add(open(p, O_RDWR));
    const m = mmap(null, 19, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!;
    expect(m).toBeInstanceOf(Uint8Array);
    expect(m.length).toBe(19);
    expect(text(m)).toBe('hello, mapped world');
    m.set(bytes('HELLO'), 0);
    expect(fs.readFileSync(p, 'utf8')).toBe('HELLO, mapped world');
    fs.writeSync(fd, bytes('J'), 0, 1, 7);
    expect(text(m.subarray(7, 13))).toBe('Japped');
    expect(msync(m, 19, MS_SYNC)).toBe(0);
    expect(munmap(m, 19)).toBe(0);
  });

  it('MAP_PRIVATE: writes stay in this process; PROT_READ too (a C program would get SIGSEGV)', () => {
    const p = file('mp', 'private!');
    const fd = fds.add(open(p, O_RDWR));
    const m = mmap(null, 8, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)!;
    m[0] = 80;
    expect(text(m)).toBe('Private!');
    expect(fs.readFileSync(p, 'utf8')).toBe('private!');
    expect(munmap(m, 8)).toBe(0);
    const ro = fds.add(open(p, O_RDONLY));
    const r = mmap(null, 8, PROT_READ, MAP_SHARED, ro, 0)!;
    expect(text(r)).toBe('private!');
    r[0] = 88;
    expect(r[0]).toBe(88);
    expect(fs.readFileSync(p, 'utf8')).toBe('private!');
    expect(munmap(r, 8)).toBe(0);
  });

  it('MAP_ANONYMOUS: zeroed memory; an offset page into a file', () => {
    const a = mmap(null, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!;
    expect(a.length).toBe(3 * page);
    expect(a.every((x) => x === 0)).toBe(true);
    a.fill(7);
    expect(a[3 * page - 1]).toBe(7);
    expect(munmap(a, 3 * page)).toBe(0);

    const content = Buffer.alloc(2 * page, 'a');
    content.fill('b', page);
    const fd = fds.add(open(file('two-pages', content), O_RDONLY));
    const second = mmap(null, page, PROT_READ, MAP_PRIVATE, fd, page)!;
    expect(second.every((x) => x === 98)).toBe(true);
    expect(munmap(second, page)).toBe(0);
  });

  it('a length past the end of the file: the last page reads zeros; whole pages past it are ENXIO (C: SIGBUS)', () => {
    const fd = fds.add(open(file('short', 'eleven byte'), O_RDWR));
    const m = mmap(null, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!;
    expect(m.length).toBe(page);
    expect(text(m.subarray(0, 11))).toBe('eleven byte');
    expect(m.subarray(11).every((x) => x === 0)).toBe(true);
    expect(munmap(m, page)).toBe(0);
    fails(mmap(null, page + 1, PROT_READ, MAP_SHARED, fd, 0), ENXIO);
    fails(mmap(null, 1, PROT_READ, MAP_SHARED, fd, page), ENXIO);
    fails(mmap(null, 1, PROT_READ, MAP_SHARED, fds.add(open(file('empty', ''), O_RDONLY)), 0), ENXIO);
    expect(() => Mmap(null, 2 * page, PROT_READ, MAP_SHARED, fd, 0)).toThrow(expect.objectContaining({ code: 'ENXIO', syscall: 'mmap' }));
  });

  it('a file that shrinks under its mapping: the pages past its end read zeros (C: SIGBUS)', () => {
    // ftruncate here, node:fs, another process: each would end a C program
    // with SIGBUS at the next touch; this process surviving is the test.
    const shrinkers: Array<(p: string, fd: number) => void> = [
      (_p, fd) => expect(ftruncate(fd, 100)).toBe(0),
      (p) => fs.truncateSync(p, 100),
      (p) => expect(spawnSync('truncate', ['-s', '100', p], { timeout: 10_000 }).status).toBe(0),
    ];
    for (const [i, shrink] of shrinkers.entries()) {
      const p = file(`shrink${i}`, Buffer.alloc(3 * page, 65));
      const fd = fds.add(open(p, O_RDWR));
      const m = mmap(null, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!;
      shrink(p, fd);
      expect(m[99]).toBe(65);
      expect(m[100]).toBe(0); // the kernel's: the rest of the last page
      expect(m[2 * page + 5]).toBe(0); // past it: a page of zeros put there
      m[2 * page + 5] = 7; // a write there goes nowhere in the file
      expect(m[2 * page + 5]).toBe(7);
      expect(fs.statSync(p).size).toBe(100);
      expect(munmap(m, 3 * page)).toBe(0);
    }
  });

  it('munmap detaches every view: length 0, reads undefined, calls refuse it; never a segfault', () => {
    const fd = fds.add(open(file('um', 'abcdefgh'), O_RDWR));
    const m = mmap(null, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!;
    const sub = m.subarray(2, 6);
    const view = new DataView(m.buffer);
    const other = new Uint32Array(m.buffer, 0, 2);
    expect(munmap(m, 8)).toBe(0);
    for (const v of [m, sub, other]) {
      expect(v.length).toBe(0);
      expect(v[0]).toBeUndefined();
    }
    m[0] = 1; // a write to a detached array goes nowhere
    expect(m.byteLength).toBe(0);
    expect(m.buffer.byteLength).toBe(0);
    expect(() => view.getUint8(0)).toThrow(TypeError);
    expect(Buffer.from(m).length).toBe(0);
    expect(() => read(fd, m)).toThrow(/detached/);
    expect(() => write(fd, sub)).toThrow(/detached/);
    fails(munmap(m, 8), EINVAL); // unmapped already
    fails(msync(m, 8, MS_SYNC), EINVAL);
    expect(fs.readFileSync(path('um'), 'utf8')).toBe('abcdefgh');
  });

  it('a transferred mapping: the new buffer is the mapping (munmap takes it), the old one is detached', async () => {
    const a = mmap(null, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)!;
    a[0] = 5;
    const b = new Uint8Array(structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] }));
    expect(a.length).toBe(0);
    expect(b[0]).toBe(5);
    fails(munmap(a, page), EINVAL);
    expect(munmap(b, page)).toBe(0);
    expect(b.length).toBe(0);
    // To a Worker: it reads the same memory and can unmap it.
    const m = mmap(null, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)!;
    m[1] = 9;
    const addon = fileURLToPath(new URL('../build/Release/syscall_lab.node', import.meta.url));
    const w = new Worker(`
      const { parentPort } = require('node:worker_threads');
      const n = require(${JSON.stringify(addon)});
      parentPort.on('message', (u) => parentPort.postMessage([u[1], n.munmap(u, ${page}), u.length]));`, { eval: true });
    try {
      const got = new Promise((resolve, reject) => { w.on('message', resolve); w.on('error', reject); });
      w.postMessage(m, [m.buffer as ArrayBuffer]);
      expect(await got).toEqual([9, 0, 0]);
      expect(m.length).toBe(0);
    } finally {
      await w.terminate();
    }
  });

  it('munmap of anything but a whole live mapping is EINVAL', () => {
    const a = mmap(null, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!;
    fails(munmap(a.subarray(page), page), EINVAL); // part of it
    fails(munmap(a, page), EINVAL);
    fails(munmap(a, 0), EINVAL);
    fails(munmap(new Uint8Array(page), page), EINVAL); // not a mapping
    fails(munmap(Buffer.alloc(page), page), EINVAL);
    expect(a[0]).toBe(0); // still mapped after all these
    expect(munmap(a, 2 * page - 100)).toBe(0); // the same pages: as the kernel rounds
    expect(() => Munmap(a, 2 * page)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'munmap' }));
  });

  it('every failure: EBADF, EACCES, ENODEV, EINVAL (offset, length 0, flags), ENOTSUP (PROT_NONE, PROT_EXEC, MAP_FIXED)', () => {
    const fd = fds.add(open(file('mf', Buffer.alloc(page)), O_RDONLY));
    fails(mmap(null, page, PROT_READ, MAP_SHARED, -1, 0), EBADF);
    fails(mmap(null, page, PROT_READ, MAP_SHARED, fds.add(open(path('mf'), O_WRONLY)), 0), EACCES);
    fails(mmap(null, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES); // root too: the fd is read-only
    fails(mmap(null, page, PROT_READ, MAP_SHARED, fds.add(open(dir, O_RDONLY)), 0), ENODEV);
    fails(mmap(null, page, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
    expect(mmap(null, page, PROT_READ, MAP_SHARED, fd, -page)).toBe(MAP_FAILED);
    expect([EINVAL, EOVERFLOW]).toContain(errno()); // Linux: EOVERFLOW, the page offset wraps
    fails(mmap(null, 0, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
    fails(mmap(null, page, PROT_READ, 0, fd, 0), EINVAL); // neither shared nor private
    fails(mmap(null, page, 0x1000, MAP_SHARED, fd, 0), EINVAL);
    fails(mmap(null, page, PROT_NONE, MAP_SHARED, fd, 0), ENOTSUP);
    fails(mmap(null, page, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOTSUP);
    fails(mmap(null, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0), ENOTSUP);
    fails(mmap(null, page, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0), ENOTSUP);
  });

  it('bad input throws: addr, negative, fractional and huge lengths, wrong types', () => {
    const fd = fds.add(open(file('mb', Buffer.alloc(page)), O_RDONLY));
    expect(() => mmap(new Uint8Array(8) as never, page, PROT_READ, MAP_PRIVATE, fd, 0)).toThrow(/addr must be null/);
    expect(() => mmap(4096 as never, page, PROT_READ, MAP_PRIVATE, fd, 0)).toThrow(TypeError);
    expect(() => mmap(null, -1, PROT_READ, MAP_PRIVATE, fd, 0)).toThrow(RangeError);
    expect(() => mmap(null, 1.5, PROT_READ, MAP_PRIVATE, fd, 0)).toThrow(RangeError);
    expect(() => mmap(null, 2 ** 53, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toThrow(RangeError);
    expect(() => mmap(null, '4096' as never, PROT_READ, MAP_PRIVATE, fd, 0)).toThrow(TypeError);
    expect(() => mmap(null, page, PROT_READ, MAP_PRIVATE, fd, 0.5)).toThrow(RangeError);
    expect(() => munmap(null as never, page)).toThrow(TypeError);
    expect(() => munmap({ length: 8 } as never, 8)).toThrow(TypeError);
    expect(() => munmap(new Uint8Array(8), -1)).toThrow(RangeError);
    // A huge anonymous length V8 can hold but the kernel will not give:
    // ENOMEM (Node 22 and later); Node 20's arrays stop at 4 GiB (RangeError).
    let rc: Uint8Array | null | 'RangeError' = 'RangeError';
    try {
      rc = mmap(null, 2 ** 52, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
    }
    if (rc !== 'RangeError') fails(rc, ENOMEM);
  });

  it('a mapping per loop turn, unmapped each time, leaves no mapping and no fd behind', () => {
    const fd = fds.add(open(file('loop', Buffer.alloc(page, 1)), O_RDONLY));
    const maps = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\n').length;
    const fdsBefore = linux ? fd_count() : 0;
    const before = linux ? maps() : 0;
    for (let i = 0; i < 2000; i++) {
      const m = mmap(null, page, PROT_READ, MAP_SHARED, fd, 0)!;
      if (m[page - 1] !== 1 || munmap(m, page) !== 0) throw new Error(`turn ${i}: errno ${errno()}`);
    }
    if (linux) {
      expect(maps() - before).toBeLessThan(50); // V8's own come and go; 2000 would be ours
      expect(fd_count()).toBe(fdsBefore);
    }
  });
});

describe('node:fs and these calls share the fds', () => {
  it('an fd of fs.openSync works with read, lseek, fstat, mmap and close', () => {
    const p = file('fs1', 'from node:fs');
    const fd = fs.openSync(p, 'r+');
    const b = new Uint8Array(4);
    expect(read(fd, b)).toBe(4);
    expect(text(b)).toBe('from');
    expect(lseek(fd, 0, SEEK_CUR)).toBe(4);
    const s = new struct_stat();
    expect(fstat(fd, s)).toBe(0);
    expect(s.st_size).toBe(12);
    const m = mmap(null, 12, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)!;
    expect(text(m)).toBe('from node:fs');
    expect(munmap(m, 12)).toBe(0);
    expect(close(fd)).toBe(0);
    expect(() => fs.closeSync(fd)).toThrow(/EBADF/);
  });

  it('an fd of open works with fs.readSync, fs.fstatSync and fs.closeSync', () => {
    const fd = open(file('fs2', 'from open'), O_RDONLY);
    expect(fd).toBeGreaterThanOrEqual(0);
    const b = Buffer.alloc(4);
    expect(fs.readSync(fd, b)).toBe(4);
    expect(b.toString()).toBe('from');
    expect(lseek(fd, 0, SEEK_CUR)).toBe(4); // one file offset, shared
    expect(fs.fstatSync(fd).size).toBe(9);
    fs.closeSync(fd);
    fails(close(fd), EBADF);
  });
});

describe('getenv, setenv, unsetenv', () => {
  const NAME = 'SYSCALL_LAB_FILE_TEST';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('one environment with process.env, both ways', () => {
    expect(getenv(NAME)).toBeNull();
    expect(setenv(NAME, 'one', 1)).toBe(0);
    expect(getenv(NAME)).toBe('one');
    expect(process.env[NAME]).toBe('one');
    expect(setenv(NAME, 'two', 0)).toBe(0); // overwrite 0: kept
    expect(getenv(NAME)).toBe('one');
    process.env[NAME] = 'three';
    expect(getenv(NAME)).toBe('three');
    expect(setenv(NAME, '', 1)).toBe(0);
    expect(getenv(NAME)).toBe('');
    expect(unsetenv(NAME)).toBe(0);
    expect(getenv(NAME)).toBeNull();
    expect(process.env[NAME]).toBeUndefined();
    expect(unsetenv(NAME)).toBe(0); // not set: still 0
  });

  it('a Worker: its process.env is its own copy; its setenv changes the environment of the process', async () => {
    const addon = fileURLToPath(new URL('../build/Release/syscall_lab.node', import.meta.url));
    const w = new Worker(`
      const n = require(${JSON.stringify(addon)});
      process.env.${NAME} = 'worker copy';
      const seen = n.getenv('${NAME}');
      n.setenv('${NAME}', 'from the worker', 1);
      require('node:worker_threads').parentPort.postMessage([seen, process.env.${NAME}]);`, { eval: true });
    try {
      const got = await new Promise((resolve, reject) => { w.on('message', resolve); w.on('error', reject); });
      expect(got).toEqual([null, 'worker copy']);
      expect(getenv(NAME)).toBe('from the worker');
      expect(process.env[NAME]).toBe('from the worker');
    } finally {
      await w.terminate();
    }
  });

  it('a child sees what setenv set', () => {
    expect(setenv(NAME, 'inherited', 1)).toBe(0);
    const r = spawnSync('sh', ['-c', `printf %s "$${NAME}"`], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout).toBe('inherited');
  });

  it('EINVAL for an empty name or one with =; TypeError for a non-string or a NUL byte', () => {
    fails(setenv('', 'x', 1), EINVAL);
    fails(setenv('A=B', 'x', 1), EINVAL);
    fails(unsetenv(''), EINVAL);
    fails(unsetenv('A=B'), EINVAL);
    expect(() => setenv(NAME, 'a\0b', 1)).toThrow(TypeError);
    expect(() => setenv(NAME, 5 as never, 1)).toThrow(TypeError);
    expect(() => setenv(NAME, 'x', '1' as never)).toThrow(TypeError);
    expect(() => getenv(null as never)).toThrow(TypeError);
    expect(() => Setenv('', 'x', 1)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setenv' }));
    expect(getenv(NAME)).toBeNull();
  });
});

describe('junk in every position of every new call', () => {
  const junk: unknown[] = [
    undefined, null, true, 'str', '3', 1.5, NaN, Infinity, -1, 2 ** 31, 2 ** 53, -(2 ** 53), 10n, {}, [], () => 1,
    Symbol('s'), new Uint8Array(0), new ArrayBuffer(8), new Proxy({}, { get() { throw new TypeError('trap'); } }),
  ];
  const calls: Record<string, (...a: any[]) => unknown> = {
    open, creat, lseek, stat, fstat, lstat, unlink, mkdir, rmdir, mkfifo, access, ftruncate, truncate, umask, mmap,
    munmap, msync, getenv, setenv, unsetenv,
  };

  it('never crashes, never leaks an fd, touches nothing outside its directory', () => {
    const here = process.cwd();
    const sandbox = path('junk');
    fs.mkdirSync(sandbox);
    process.chdir(sandbox); // 'str' and '3' are relative paths
    const mask = umask(0o022);
    const before = linux ? fd_count() : 0;
    try {
      for (const [name, fn] of Object.entries(calls)) {
        for (let pos = 0; pos < 6; pos++) {
          for (const bad of junk) {
            // Plausible arguments around the bad one; fd -1 so that no real file is touched.
            const args: unknown[] = name === 'mmap' ? [null, page, PROT_READ, MAP_PRIVATE, -1, 0] : ['str', 0, 0, -1, 0, 0];
            args[pos] = bad;
            let rc: unknown;
            try {
              rc = fn(...args);
            } catch (e) {
              if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
            }
            if (typeof rc === 'number' && rc >= 0 && (name === 'open' || name === 'creat')) close(rc);
            if (rc instanceof Uint8Array) munmap(rc, rc.length);
          }
        }
      }
    } finally {
      umask(mask);
      process.chdir(here);
      unsetenv('str');
      unsetenv('3');
    }
    if (linux) expect(fd_count()).toBe(before);
  });
});

describe('a mapping and threads', () => {
  it('a thread blocked in read into a mapping that another thread unmaps: EFAULT, never a stray write', () => {
    if (!linux) return; // finds the blocked read in /proc/self/task
    const m = mmap(null, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!;
    const p = [0, 0];
    expect(pipe(p)).toBe(0);
    fds.add(p[0]);
    fds.add(p[1]);
    const seen: { rc?: number; err?: number; thrown?: unknown } = {};
    const t = pthread_create(() => {
      try {
        seen.rc = read(p[0], m, page);
        seen.err = errno();
      } catch (e) {
        seen.thrown = e;
      }
    });
    // Wait (with the JS lock dropped) until the thread sits in read(p[0]).
    const inRead = () => fs.readdirSync('/proc/self/task').some((tid) => {
      try {
        return fs.readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').startsWith(`0 0x${p[0].toString(16)} `);
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 500 && !inRead(); i++) usleep(10_000);
    expect(inRead()).toBe(true);
    expect(munmap(m, page)).toBe(0);
    expect(m.length).toBe(0);
    expect(write(p[1], bytes('data'))).toBe(4);
    expect(pthread_join(t, null)).toBe(0);
    expect(seen.thrown).toBeUndefined();
    expect(seen.rc).toBe(-1);
    expect(seen.err).toBe(EFAULT);
  });
});
