// `syscall-lab run FILE [ARG...]`: runs a student's TypeScript (or
// JavaScript) program as `node FILE ARG...` would, with the types removed.
// The CLI execs node in its own place (execv), so the program keeps the pid,
// the stdio, the signals and the exit status it would have under `node`:
// a fork server run this way is the same process tree as under `node`.
// Types are removed by Node itself where it can (22.6 and later), else by
// the hooks in strip-hooks.ts (Node 20): both only strip, so a program that
// runs on one major runs on all. Nothing is downloaded at run time.
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';

export const RUN_USAGE = `usage: syscall-lab run [--check] [--stack] [--trace FILE] PROGRAM [ARG...]

Runs FILE (.ts, .mts, .js, .mjs) with node, its types removed, as
\`node FILE ARG...\` would: same pid, stdin, stdout, signals and exit status.
Stack traces name the lines of the .ts file.

  --check   type-check first (as \`syscall-lab typecheck\`); do not run on errors
  --stack   an uncaught UnixError prints its stack too
  --trace FILE
            write every call to FILE, as strace would show it, for this
            process, its children and its threads (docs/TRACE.md)

Options come before PROGRAM; everything after it goes to the program.`;

/** Node's own type stripping: on by default (22.18+, 23.6+), behind a flag (22.6+), or absent. */
export function nodeStrips(version = process.versions.node, features: object = process.features): 'default' | 'flag' | 'no' {
  if ((features as { typescript?: unknown }).typescript) return 'default'; // 22.10+ says so
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 6) ? 'flag' : 'no';
}

/** The node flags that let this Node run a .ts program. */
export function nodeFlags(): string[] {
  const flags = ['--enable-source-maps'];
  switch (nodeStrips()) {
    case 'default': break;
    case 'flag': flags.push('--experimental-strip-types'); break;
    case 'no': flags.push('--import', new URL('./strip-register.js', import.meta.url).href); break;
  }
  return flags;
}

export interface RunOptions { check: boolean; stack: boolean; trace?: string; file: string; args: string[] }

/** Options up to the first argument that is not one; the file; the program's arguments. */
export function parseRunArgs(argv: string[]): RunOptions | 'help' | string {
  const opts: { check: boolean; stack: boolean; trace?: string } = { check: false, stack: false };
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    const arg = argv[i++];
    if (arg === '--') break; // the file may start with '-'
    else if (arg === '--check') opts.check = true;
    else if (arg === '--stack') opts.stack = true;
    else if (arg === '--trace') {
      if (i >= argv.length) return 'run: --trace needs a FILE';
      opts.trace = argv[i++];
    } else if (arg.startsWith('--trace=')) opts.trace = arg.slice('--trace='.length);
    else if (arg === '-h' || arg === '--help') return 'help';
    else return `run: unknown option ${arg}`;
  }
  if (i >= argv.length) return 'run: which program? (a .ts or .js file)';
  return { ...opts, file: argv[i], args: argv.slice(i + 1) };
}

/** Becomes `node FLAGS FILE ARGS`; returns only if exec failed. */
export async function run(opts: RunOptions): Promise<number> {
  const file = resolve(opts.file);
  if (!existsSync(file)) {
    process.stderr.write(`syscall-lab run: ${opts.file}: no such file\n`);
    return 66; // EX_NOINPUT
  }
  if (opts.check) {
    const { check } = await import('./typecheck.js');
    if (check([file], process.stderr) !== 0) {
      process.stderr.write('syscall-lab run: type errors: not run\n');
      return 1;
    }
  }
  // For the library: it runs under `syscall-lab run` (and prints stacks or not).
  process.env.SYSCALL_LAB_RUN = '1';
  if (opts.stack) process.env.SYSCALL_LAB_STACK = '1';
  else delete process.env.SYSCALL_LAB_STACK;
  const argv = [process.execPath, ...nodeFlags(), file, ...opts.args];
  if (opts.trace !== undefined) {
    const { traceTo } = await import('./trace-option.js');
    const problem = traceTo(opts.trace);
    if (problem) {
      process.stderr.write(`syscall-lab run: ${problem}\n`);
      return 73; // EX_CANTCREAT
    }
  }
  let sys;
  try {
    sys = await Promise.all([import('../sys/exec.js'), import('../sys/errno.js')]);
  } catch (err) {
    // The program could not load the library either: say what to do.
    process.stderr.write(`syscall-lab run: the native addon does not load in node ${process.version}: ` +
      `${(err as Error).message.split('\n')[0]}\n(built for another Node? npm rebuild syscall-lab)\n`);
    return 1;
  }
  const [{ execv }, { errno, strerror }] = sys;
  execv(process.execPath, argv);
  process.stderr.write(`syscall-lab run: execv ${process.execPath}: ${strerror(errno())}\n`);
  return 126;
}
