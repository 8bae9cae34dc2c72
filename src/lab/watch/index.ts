// `syscall-lab watch PID`: a live view of a running server from /proc.
// Redraws a few times a second until ^C; --once prints one frame; --json
// prints each frame as one JSON object on a line, for tools.
import { parseArgs } from 'node:util';
import { ProcError } from '../procfs.js';
import { snapshot } from './snapshot.js';
import { render } from './render.js';

export const WATCH_USAGE = `usage: syscall-lab watch PID [--once] [--json] [--interval MS]

A live view of a running server (Linux, from /proc): its process tree with
each child's state (zombies marked), its threads, its fds (listening sockets
with their accept queue and backlog, connected sockets with peer and TCP
state, pipes, files) and the TIME_WAIT count on the ports it listens on.

  --once          print one frame and exit
  --json          one JSON object per frame, a line each
  --interval MS   time between frames (default 250)`;

const CLEAR = '\x1b[H\x1b[2J';

/** Returns the exit status; errors about the pid are one line on stderr. */
export async function watch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      interval: { type: 'string', default: '250' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${WATCH_USAGE}\n`);
    return 0;
  }
  const say = (line: string, status: number) => {
    process.stderr.write(`syscall-lab: watch: ${line}\n`);
    return status;
  };
  if (positionals.length !== 1) return say(`need one PID\n\n${WATCH_USAGE}`, 64);
  const pid = Number(positionals[0]);
  if (!/^\d+$/.test(positionals[0]) || !Number.isSafeInteger(pid) || pid < 1) return say(`bad PID ${JSON.stringify(positionals[0])}: a process id is a positive integer`, 64);
  const interval = Number(values.interval);
  if (!Number.isInteger(interval) || interval < 50 || interval > 60_000) return say(`bad --interval ${values.interval}: an integer in [50, 60000] ms`, 64);
  if (process.platform !== 'linux') {
    return say(`needs Linux's /proc (this is ${process.platform}); try lsof -p ${pid}`, 1);
  }

  const frame = () => {
    const f = snapshot(pid);
    process.stdout.write(values.json ? `${JSON.stringify(f)}\n` : `${values.once ? '' : CLEAR}${render(f)}\n`);
  };
  if (values.once) {
    try {
      frame();
    } catch (err) {
      if (err instanceof ProcError) return say(err.message, 1);
      throw err;
    }
    return 0;
  }

  // The handlers first: a ^C during the first frame ends the loop, not the process.
  return await new Promise<number>((resolve, reject) => {
    let stopped = false, frames = 0;
    const stop = (status: number) => {
      stopped = true;
      clearInterval(timer);
      resolve(status);
    };
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    const tick = () => {
      if (stopped) return;
      try {
        frame();
        frames++;
      } catch (err) {
        if (!(err instanceof ProcError)) {
          stopped = true;
          clearInterval(timer);
          return reject(err);
        }
        const gone = frames > 0 && /^no process/.test(err.message) ? ' (it has exited)' : '';
        process.stderr.write(`syscall-lab: watch: ${err.message}${gone}\n`);
        stop(1);
      }
    };
    const timer = setInterval(tick, interval);
    tick();
  });
}
