// --trace FILE, for the commands that run the library (run, serve, client,
// demo): SYSCALL_LAB_TRACE for this process and what it starts, set before
// the addon loads, once the file is known to be writable (src/sys/trace.ts
// writes it).
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';

/** Points the trace at FILE (made empty): undefined, or one line saying why it cannot be written. */
export function traceTo(file: string): string | undefined {
  if (file === '') return '--trace needs a FILE';
  const path = resolve(file);
  try {
    closeSync(openSync(path, 'w'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `--trace ${file}: cannot write it (${e.code ?? e.message})`;
  }
  process.env.SYSCALL_LAB_TRACE = path;
  delete process.env.SYSCALL_LAB_TRACE_RUN; // this run starts the file
  return undefined;
}

/** Takes `--trace FILE` or `--trace=FILE` out of args (before the command parses them). */
export function takeTraceOption(args: string[]): { args: string[]; trace?: string } {
  const i = args.findIndex((a) => a === '--trace' || a.startsWith('--trace='));
  if (i < 0) return { args };
  const inline = args[i].startsWith('--trace=');
  const trace = inline ? args[i].slice('--trace='.length) : args[i + 1] ?? '';
  return { args: [...args.slice(0, i), ...args.slice(i + (inline ? 1 : 2))], trace };
}
