// Starts a server as a child process and waits for its first line,
// `listening on HOST:PORT`: how the demos, the tests and the benchmark runner
// start any server, TypeScript or C. Stops it by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface Launched {
  pid: number;
  host: string;
  port: number;
  child: ChildProcess;
  /** Lines the server printed after the first (kept when keepOutput is set). */
  output: string[];
  /** Sends the signal (SIGTERM) and waits for the exit; SIGKILL after timeoutMs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The package's root folder (where package.json is), from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('syscall-lab: package root not found');
    dir = parent;
  }
  return dir;
}

/** The command that runs the built CLI: [node, dist/src/cli.js]. */
export function cliCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'dist', 'src', 'cli.js')];
}

const LISTENING = /^listening on (.+):(\d+)$/;

/** Starts `command` and resolves when it printed `listening on HOST:PORT` (rejects after timeoutMs). */
export function launch(command: string[], opts: { timeoutMs?: number; keepOutput?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Launched> {
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  const output: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command.join(' ')}: no "listening on" line within ${opts.timeoutMs ?? 10000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 10000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    exited.then(({ code, signal }) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`${command.join(' ')} exited (${code ?? signal}) before listening\n${stderr}`));
      }
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (started) {
        if (opts.keepOutput) output.push(line);
        return;
      }
      const m = LISTENING.exec(line);
      if (!m) {
        output.push(line);
        return;
      }
      started = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        host: m[1],
        port: Number(m[2]),
        child,
        output,
        async stop(signal = 'SIGTERM', timeoutMs = 5000) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          const result = await exited;
          clearTimeout(kill);
          return result;
        },
      });
    });
  });
}
