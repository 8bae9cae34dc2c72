// The exec family: the process becomes another program, same pid, same fds
// (but the close-on-exec ones), same ignored signals and mask; caught
// signals go back to their default action. Each returns only if it failed:
// -1 with errno (ENOENT, EACCES, ENOEXEC, E2BIG...), the process as it was.
// A Node process differs from a C program in what it would pass on (its
// stdio close-on-exec and maybe non-blocking, SIGPIPE ignored): the addon
// puts those back as C has them, for the new program (native/exec.cc).
import { native } from './native.js';

/** The addon's exec(kind, ...): which C call. */
const Kind = { execve: 0, execvp: 1, execvpe: 2 } as const;

const readonly = (): never => {
  throw new TypeError('environ is read-only: change the environment through process.env (setenv, unsetenv)');
};

/**
 * environ: the process's environment as C's `char **environ`, "NAME=value"
 * strings, read afresh at every use. On the main thread process.env is that
 * environment: a variable set there is in environ, and in what execv and
 * execvp pass on. `execve(path, argv, environ)` passes it as it is.
 */
export const environ: readonly string[] = new Proxy<string[]>([], {
  get(_target, key) {
    // A frozen copy: its methods read it, and the ones that would change it throw.
    const list: readonly string[] = Object.freeze(native.environ_list());
    const v = Reflect.get(list, key, list);
    return typeof v === 'function' ? v.bind(list) : v;
  },
  has: (_target, key) => Reflect.has(native.environ_list(), key),
  ownKeys: () => Reflect.ownKeys(native.environ_list()),
  getOwnPropertyDescriptor(_target, key) {
    const d = Reflect.getOwnPropertyDescriptor(native.environ_list(), key);
    // The proxy's own target has only a length: an element must say it can
    // change (it does), or the proxy would break the language's invariants.
    if (d !== undefined && key !== 'length') d.configurable = true;
    return d;
  },
  set: readonly,
  defineProperty: readonly,
  deleteProperty: readonly,
});

/** envp as the addon takes it: undefined for the process's own environ; C's NULL is an empty one (Linux). */
function env_arg(fn: string, envp: readonly string[] | null): readonly string[] | undefined {
  if (envp === environ) return undefined;
  if (envp === null) return [];
  if (!Array.isArray(envp)) throw new TypeError(`${fn}: envp must be an array of strings, environ or null`);
  return envp;
}

/**
 * execve(pathname, argv, envp): runs the program at pathname (no PATH
 * search), with argv (argv[0] is its name, by convention) and envp
 * ("NAME=value" strings; environ for this process's; null for none).
 */
export function execve(pathname: string, argv: readonly string[], envp: readonly string[] | null): number {
  return native.exec(Kind.execve, pathname, argv, env_arg('execve', envp));
}

/** execv(pathname, argv): execve with this process's environ. */
export function execv(pathname: string, argv: readonly string[]): number {
  return native.exec(Kind.execve, pathname, argv, undefined);
}

/**
 * execvp(file, argv): as execv, but a file without a slash is looked for
 * along PATH, and a file that is not a binary nor has `#!` runs under
 * /bin/sh, as the C library does.
 */
export function execvp(file: string, argv: readonly string[]): number {
  return native.exec(Kind.execvp, file, argv, undefined);
}

/** execvpe(file, argv, envp): execvp with envp (GNU; PATH is still this process's, as glibc's). */
export function execvpe(file: string, argv: readonly string[], envp: readonly string[] | null): number {
  return native.exec(Kind.execvpe, file, argv, env_arg('execvpe', envp));
}

type ListArg = string | null;

/** The arguments of an execl-style call up to C's terminating NULL (which may be left out), and what follows it. */
function arg_list(fn: string, args: readonly unknown[]): { argv: string[]; rest: readonly unknown[] } {
  const end = args.indexOf(null);
  const argv = end === -1 ? args : args.slice(0, end);
  argv.forEach((a, i) => {
    if (typeof a !== 'string') throw new TypeError(`${fn}: argument ${i + 1} after the path must be a string or the closing null, got ${typeof a}`);
  });
  return { argv: argv as string[], rest: end === -1 ? [] : args.slice(end + 1) };
}

/** execl(pathname, arg0, arg1, ..., null): execv with the arguments listed. */
export function execl(pathname: string, ...args: ListArg[]): number {
  return execv(pathname, arg_list('execl', args).argv);
}

/** execlp(file, arg0, arg1, ..., null): execvp with the arguments listed. */
export function execlp(file: string, ...args: ListArg[]): number {
  return execvp(file, arg_list('execlp', args).argv);
}

/** execle(pathname, arg0, arg1, ..., null, envp): execve with the arguments listed; envp comes after the null, as in C. */
export function execle(pathname: string, ...args: (ListArg | readonly string[])[]): number {
  const { argv, rest } = arg_list('execle', args);
  if (rest.length !== 1) throw new TypeError('execle: the arguments end with null, then envp (an array of strings, environ or null)');
  return execve(pathname, argv, rest[0] as readonly string[] | null);
}

/**
 * system(command): runs `/bin/sh -c command` and waits for it. Returns its
 * wait status (WIFEXITED, WEXITSTATUS...), an exit status of 127 if the
 * shell could not run, or -1 with errno (EAGAIN, ECHILD); system(null) is 1
 * if there is a shell. Meanwhile the caller ignores SIGINT and SIGQUIT and
 * blocks SIGCHLD, as C's; the shell gets its stdio as exec gives it.
 */
export const system = native.system;
