#!/usr/bin/env node
// The `syscall-lab` command: run a student's program, make a lab folder,
// serve a course server, run a client, run a lesson demo. Each command
// imports what it needs when it runs (the CLI answers fast: the addon and
// TypeScript load only for the commands that use them).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { wrap } from './lab/wrap.js';

const USAGE = `usage: syscall-lab <command> [options]

commands:
  run FILE.ts [ARG...]                   run your program (node, types removed)
  typecheck [FILE...]                    type-check your program (as tsc does)
  init DIR [--from PATH]                 make a lab folder to start from
  serve <server> [--host H] [--port N]   serve until SIGINT or SIGTERM
  client <client> HOST PORT              run a course client
  demo <demo> [options]                  run a lesson demo
  timeline SCENARIO [--svg FILE]         draw the notes' figures from a real run
  watch PID [--once] [--json]            a live view of a running server (Linux)
  check [options] -- COMMAND...          grade any echo server (docs/GRADING.md)
  list                                   list the servers, clients and demos

Each command takes --help. A server's first line is "listening on HOST:PORT".
run, serve, client and demo take --trace FILE: every call, as strace shows it.`;

/** Names and summaries, the summaries wrapped under themselves to fit 80 columns. */
function table(entries: Record<string, { summary: string; original?: string }>): string {
  const width = Math.max(...Object.keys(entries).map((k) => k.length));
  const indent = width + 4;
  return Object.entries(entries)
    .map(([name, e]) => `  ${name.padEnd(width)}  ${wrap(`${e.summary}${e.original ? ` (${e.original})` : ''}`, 80, ' '.repeat(indent)).join('\n').slice(indent)}`)
    .join('\n');
}


async function list(): Promise<string> {
  const [{ servers }, { clients }, { demos }] = await Promise.all([
    import('./servers/index.js'), import('./clients/index.js'), import('./demos/index.js'),
  ]);
  return `servers:\n${table(servers)}\n\nclients:\n${table(clients)}\n\ndemos:\n${table(demos)}`;
}

/** Thrown by the SIGINT / SIGTERM handler out of whatever call the server is blocked in. */
class Shutdown extends Error {
  constructor(readonly signum: number) {
    super(`signal ${signum}`);
  }
}

async function stopOnSignals(): Promise<void> {
  const { signal, SIGINT, SIGTERM } = await import('./sys/index.js');
  const stop = (signum: number) => {
    throw new Shutdown(signum);
  };
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  // A signal that comes while the event loop idles runs the handler there.
  process.on('uncaughtException', (err) => {
    if (err instanceof Shutdown) process.exit(0);
    void fail(err);
  });
}

async function fail(err: unknown): Promise<never> {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`syscall-lab: ${(err as Error).message}\n(see syscall-lab --help)\n`);
    process.exit(64);
  }
  const { UnixError } = await import('./sys/index.js');
  if (err instanceof UnixError) {
    process.stderr.write(`syscall-lab: ${err.message}\n`);
  } else {
    process.stderr.write(`syscall-lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
}

function usageError(message: string, usage: string): never {
  process.stderr.write(`syscall-lab: ${message}\n\n${usage}\n`);
  process.exit(64); // EX_USAGE
}

async function serve(args: string[]): Promise<number> {
  const { servers } = await import('./servers/index.js');
  const usage = `usage: syscall-lab serve <server> [--host H] [--port N] [--sleep S] [--quiet]

  --host H    address to listen on (default 127.0.0.1; ::1 for IPv6)
  --port N    port (default 0: the kernel chooses; see the first line)
  --sleep S   daytime: seconds to sleep before close; server5: seconds
              before each answer (default 5)
  --quiet     no per-connection / per-line messages (benchmarks)
  --verbose   say what the server does: child pids and reaps, threads, clients
              added and removed with the pool's size, each connection's 4-tuple
  --trace FILE  write every call to FILE, as strace shows it (docs/TRACE.md)
  --no-reap         echo-fork: no SIGCHLD handler (the children stay zombies)
  --forget-close    echo-fork: the parent forgets close(connfd) (no EOF for
                    the client)
  --cold            echo-fork: no warm-up of the echo path in the parent
                    (see echo_warm)
  --root DIR  tiny: the directory to serve (default: the book's demo, with
              home.html, godzilla.gif and cgi-bin/adder)

Prints "listening on HOST:PORT" first, then serves until SIGINT or SIGTERM,
closes its sockets and exits 0.

${'servers:\n' + table(servers)}`;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      sleep: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'no-reap': { type: 'boolean', default: false },
      'forget-close': { type: 'boolean', default: false },
      cold: { type: 'boolean', default: false },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const name = positionals[0];
  if (!name) usageError('serve: which server?', usage);
  const entry = servers[name];
  if (!entry) usageError(`serve: no server named ${JSON.stringify(name)}`, usage);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(`serve: bad port ${values.port}`, usage);
  const sleep = values.sleep === undefined ? undefined : Number(values.sleep);
  if (sleep !== undefined && !(Number.isInteger(sleep) && sleep >= 0)) usageError(`serve: bad --sleep ${values.sleep}`, usage);
  const root = name === 'tiny' ? values.root ?? join((await import('./launch.js')).packageRoot(), 'examples', 'tiny') : values.root;
  if (root !== undefined) {
    const { stat, struct_stat, S_ISDIR, errno, strerror } = await import('./sys/index.js');
    const sbuf = new struct_stat();
    if (stat(root, sbuf) < 0) usageError(`serve: --root ${root}: ${strerror(errno())}`, usage);
    if (!S_ISDIR(sbuf.st_mode)) usageError(`serve: --root ${root}: not a directory`, usage);
  }
  await stopOnSignals();
  try {
    entry.run({ host: values.host!, port, quiet: values.quiet, sleep, noReap: values['no-reap'], forgetClose: values['forget-close'], cold: values.cold, root, verbose: values.verbose });
  } catch (err) {
    if (err instanceof Shutdown) return 0;
    throw err;
  }
  return 0;
}

async function client(args: string[]): Promise<number> {
  const { clients } = await import('./clients/index.js');
  const usage = `usage: syscall-lab client <client> HOST PORT\n\nclients:\n${table(clients)}`;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [name, host, port] = positionals;
  if (!name || !host || !port) usageError('client: need a client, a host and a port', usage);
  const entry = clients[name];
  if (!entry) usageError(`client: no client named ${JSON.stringify(name)}`, usage);
  return entry.run(host, port);
}

async function demo(args: string[]): Promise<number> {
  const { demos } = await import('./demos/index.js');
  const usage = `usage: syscall-lab demo <demo> [options]   (syscall-lab demo <demo> --help)\n\ndemos:\n${table(demos)}`;
  const name = args[0];
  if (!name || name === '--help' || name === '-h') {
    if (!name) usageError('demo: which demo?', usage);
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const entry = demos[name];
  if (!entry) usageError(`demo: no demo named ${JSON.stringify(name)}`, usage);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: syscall-lab demo ${name} ${entry.usage ?? ''}\n\n${entry.summary}\n${entry.help ?? ''}\n`);
    return 0;
  }
  return await entry.run(args.slice(1));
}

/** --trace FILE: taken out of the command's arguments and set up before anything loads the addon. */
async function withTrace(command: string, args: string[]): Promise<string[]> {
  if (!args.some((a) => a === '--trace' || a.startsWith('--trace='))) return args;
  const { takeTraceOption, traceTo } = await import('./lab/trace-option.js');
  const taken = takeTraceOption(args);
  const problem = traceTo(taken.trace!);
  if (problem) {
    process.stderr.write(`syscall-lab ${command}: ${problem}\n`);
    process.exit(73); // EX_CANTCREAT
  }
  return taken.args;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { parseRunArgs, run, RUN_USAGE } = await import('./lab/run.js');
      const opts = parseRunArgs(rest);
      if (opts === 'help') {
        process.stdout.write(`${RUN_USAGE}\n`);
        return 0;
      }
      if (typeof opts === 'string') usageError(opts, RUN_USAGE);
      return run(opts);
    }
    case 'typecheck': return (await import('./lab/typecheck.js')).checkCommand(rest);
    case 'init': return (await import('./lab/init.js')).initCommand(rest);
    case 'serve': return serve(await withTrace('serve', rest));
    case 'client': return client(await withTrace('client', rest));
    case 'demo': return demo(await withTrace('demo', rest));
    case 'timeline': return (await import('./lab/timeline/index.js')).timeline_command(rest);
    case 'watch': return (await import('./lab/watch/index.js')).watch(rest); // lazy: only watch reads /proc
    case 'check': return (await import('./lab/grade/index.js')).check_command(rest);
    case 'list':
      process.stdout.write(`${await list()}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n\n${await list()}\n`);
      return command === undefined ? 64 : 0;
    default:
      usageError(`no command ${JSON.stringify(command)}`, USAGE);
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err) => fail(err),
);
