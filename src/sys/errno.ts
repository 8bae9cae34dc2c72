// errno, per thread as in C: errno() is what the calling thread's last failed
// call left. strerror and perror are the C library's; UnixError carries an
// errno out of the Capitalized wrappers.
import { native } from './native.js';

/** The errno of the calling thread's last failed call (like C's errno, never reset by success). */
export const errno = native.errno;

/** Sets errno, as `errno = 0` does in C. */
export const set_errno = native.set_errno;

/** The C library's message for an errno value. */
export const strerror = native.strerror;

/** errno names to values on this platform: { EPERM: 1, ENOENT: 2, ... }. */
export const errno_names: Readonly<Record<string, number>> = native.errno_names;

const codes = new Map<number, string>();
for (const [name, value] of Object.entries(errno_names)) {
  // EAGAIN and EWOULDBLOCK (ENOTSUP / EOPNOTSUPP) share a value: the first listed wins.
  if (!codes.has(value)) codes.set(value, name);
}

/** The symbolic name of an errno value: 111 -> 'ECONNREFUSED' on Linux. */
export function errno_code(errnum: number): string {
  return codes.get(errnum) ?? `E${errnum}`;
}

/**
 * An error from a system call: the wrappers (Socket, Accept, ...) throw it
 * where C's CSAPP wrappers call unix_error. Uncaught, it prints and the
 * process exits, as unix_error does.
 */
export class UnixError extends Error {
  /** The errno value (for getaddrinfo, the EAI_* code). */
  readonly errno: number;
  /** The symbolic name: 'ECONNREFUSED', 'EAI_NONAME', ... */
  readonly code: string;
  /** The call that failed: 'connect', 'accept', ... */
  readonly syscall: string;
  /** The reason in words: strerror(errno) ('Connection refused'), gai_strerror for an EAI code. */
  readonly strerror: string;

  constructor(syscall: string, errnum: number, code = errno_code(errnum), text = strerror(errnum)) {
    super(`${syscall}: ${text} (${code})`);
    this.name = 'UnixError';
    this.errno = errnum;
    this.code = code;
    this.syscall = syscall;
    this.strerror = text;
  }
}

/** Throws a UnixError with the calling thread's errno (CSAPP's unix_error). */
export function unix_error(syscall: string): never {
  throw new UnixError(syscall, errno());
}

const encoder = new TextEncoder();

/** Writes "msg: message\n" for the current errno to fd 2, as C's perror does. */
export function perror(msg?: string | null): void {
  const text = strerror(errno());
  const line = msg ? `${msg}: ${text}\n` : `${text}\n`;
  const bytes = encoder.encode(line);
  const saved = errno();
  native.write(2, bytes, bytes.length);
  set_errno(saved); // perror itself leaves errno as it found it
}
