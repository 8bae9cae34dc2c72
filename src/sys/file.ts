// Files, as in C: open, creat, lseek, stat and friends, unlink, mkdir, rmdir,
// mkfifo, access, ftruncate, truncate, umask, and memory mappings (mmap,
// munmap, msync). Lowercase calls return -1 (mmap: MAP_FAILED) with errno().
// The fds are the process's own: node:fs can use them, and these calls can
// use the fds of fs.openSync.
import { native } from './native.js';
import type { timespec } from './time.js';
import {
  S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK,
} from './constants.js';

/**
 * open(pathname, flags, mode?): the lowest free fd, or -1 (ENOENT, EACCES,
 * EEXIST with O_CREAT | O_EXCL, EISDIR, ENXIO...). mode is required with
 * O_CREAT, as C needs it (a TypeError otherwise). Opening a FIFO blocks until
 * its other end is opened, with the JS lock dropped.
 */
export const open = native.open;

/** creat(pathname, mode): open(pathname, O_CREAT | O_WRONLY | O_TRUNC, mode). */
export const creat = native.creat;

/** lseek(fd, offset, whence): SEEK_SET, SEEK_CUR, SEEK_END; the new offset or -1 (EINVAL, ESPIPE, EBADF). */
export const lseek = native.lseek;

/**
 * struct stat, filled by stat, fstat and lstat: `const sbuf = new
 * struct_stat(); stat(path, sbuf)` for C's `struct stat sbuf; stat(path,
 * &sbuf)`. (The class cannot be called `stat`: that is the function, which C
 * keeps apart as the struct tag.) Numbers past 2^53 (an st_ino or st_dev of
 * some file systems) are rounded, as JS numbers are.
 */
export class struct_stat {
  st_dev = 0;
  st_ino = 0;
  /** The file type (S_ISREG(st_mode)...) and the permission bits (st_mode & S_IRUSR...). */
  st_mode = 0;
  st_nlink = 0;
  st_uid = 0;
  st_gid = 0;
  st_rdev = 0;
  st_size = 0;
  st_blksize = 0;
  st_blocks = 0;
  st_atim: timespec = { tv_sec: 0, tv_nsec: 0 };
  st_mtim: timespec = { tv_sec: 0, tv_nsec: 0 };
  st_ctim: timespec = { tv_sec: 0, tv_nsec: 0 };
  /** C's st_atime macro: st_atim.tv_sec. */
  get st_atime(): number {
    return this.st_atim.tv_sec;
  }
  get st_mtime(): number {
    return this.st_mtim.tv_sec;
  }
  get st_ctime(): number {
    return this.st_ctim.tv_sec;
  }
}

/** stat(pathname, statbuf): 0, or -1 (ENOENT, ENOTDIR, EACCES, ELOOP...). Follows symbolic links. */
export const stat = native.stat;

/** lstat(pathname, statbuf): stat of a symbolic link itself. */
export const lstat = native.lstat;

/** fstat(fd, statbuf): 0, or -1 (EBADF). */
export const fstat = native.fstat;

// The file-type macros of <sys/stat.h>.
export const S_ISREG = (m: number): boolean => (m & S_IFMT) === S_IFREG;
export const S_ISDIR = (m: number): boolean => (m & S_IFMT) === S_IFDIR;
export const S_ISLNK = (m: number): boolean => (m & S_IFMT) === S_IFLNK;
export const S_ISCHR = (m: number): boolean => (m & S_IFMT) === S_IFCHR;
export const S_ISBLK = (m: number): boolean => (m & S_IFMT) === S_IFBLK;
export const S_ISFIFO = (m: number): boolean => (m & S_IFMT) === S_IFIFO;
export const S_ISSOCK = (m: number): boolean => (m & S_IFMT) === S_IFSOCK;

/** unlink(pathname): 0, or -1 (ENOENT, EISDIR on Linux / EPERM for a directory). */
export const unlink = native.unlink;

/** mkdir(pathname, mode): 0, or -1 (EEXIST, ENOENT). mode is masked by the umask. */
export const mkdir = native.mkdir;

/** rmdir(pathname): 0, or -1 (ENOTEMPTY, ENOTDIR, ENOENT). */
export const rmdir = native.rmdir;

/** mkfifo(pathname, mode): a named pipe. */
export const mkfifo = native.mkfifo;

/** access(pathname, mode): F_OK, or R_OK | W_OK | X_OK, checked with the real uid; 0 or -1 (ENOENT, EACCES). */
export const access = native.access;

/** ftruncate(fd, length): the file gets that size (zeros when it grows); EINVAL for a negative length, EBADF. */
export const ftruncate = native.ftruncate;

/** truncate(pathname, length). */
export const truncate = native.truncate;

/** umask(mask): sets the file-creation mask, returns the previous one. */
export const umask = native.umask;

/** mmap's failure value (C's MAP_FAILED): `if (p === MAP_FAILED)` ports as it is. */
export const MAP_FAILED = null;

/**
 * mmap(addr, length, prot, flags, fd, offset): a Uint8Array over the mapped
 * memory itself, or MAP_FAILED (null) with errno. addr must be null.
 * prot is PROT_READ or PROT_READ | PROT_WRITE (others: ENOTSUP); MAP_FIXED
 * is not offered (ENOTSUP). A range of a regular file past its last page is
 * refused with ENXIO (C would map it, and die of SIGBUS when touching it).
 * A PROT_READ mapping is private: a write into it (a C program's SIGSEGV)
 * changes only this process's copy. offset must be a multiple of the page
 * size (EINVAL).
 */
export const mmap = native.mmap;

/**
 * munmap(addr, length): addr is the array mmap returned, length the mapped
 * length. Every view of the mapping then has length 0 (reads give
 * undefined, never unmapped memory). -1 with EINVAL for anything but a whole,
 * live mapping (part of one, a subarray, one unmapped already).
 */
export const munmap = native.munmap;

/** msync(addr, length, flags): MS_SYNC, MS_ASYNC, MS_INVALIDATE over a live mapping's first length bytes. */
export const msync = native.msync;
