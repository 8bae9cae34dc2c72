#!/usr/bin/env node
// The `syscall-lab` command: serve a course server, run a client, run a lesson demo.
import { parseArgs } from 'node:util';
import { servers } from './servers/index.js';
import { clients } from './clients/index.js';
import { demos } from './demos/index.js';
import { signal, SIGINT, SIGTERM, UnixError } from './sys/index.js';

const USAGE = `usage: syscall-lab <command> [options]

commands:
  serve <server> [--host H] [--port N]   run a course server until SIGINT / SIGTERM
  client <client> HOST PORT              run a course client
  demo <demo> [options]                  run a lesson demo
  check [options] -- COMMAND...          grade any echo server (docs/GRADING.md)
  list                                   list the servers, clients and demos

Each command takes --help. The first line a server prints is "listening on HOST:PORT".`;

function table(entries: Record<string, { summary: string; original?: string }>): string {
  const width = Math.max(...Object.keys(entries).map((k) => k.length));
  return Object.entries(entries)
    .map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}${e.original ? ` (${e.original})` : ''}`)
    .join('\n');
}

function list(): string {
  return `servers:\n${table(servers)}\n\nclients:\n${table(clients)}\n\ndemos:\n${table(demos)}`;
}

/** Thrown by the SIGINT / SIGTERM handler out of whatever call the server is blocked in. */
class Shutdown extends Error {
  constructor(readonly signum: number) {
    super(`signal ${signum}`);
  }
}

function stopOnSignals(): void {
  const stop = (signum: number) => {
    throw new Shutdown(signum);
  };
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  // A signal that comes while the event loop idles runs the handler there.
  process.on('uncaughtException', (err) => {
    if (err instanceof Shutdown) process.exit(0);
    fail(err);
  });
}

function fail(err: unknown): never {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`syscall-lab: ${(err as Error).message}\n(see syscall-lab --help)\n`);
    process.exit(64);
  }
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

function serve(args: string[]): number {
  const usage = `usage: syscall-lab serve <server> [--host H] [--port N] [--sleep S] [--quiet]

  --host H    address to listen on (default 127.0.0.1; ::1 for IPv6)
  --port N    port (default 0: the kernel chooses; see the first line)
  --sleep S   daytime: seconds to sleep before close; server5: seconds before each answer (default 5)
  --quiet     no per-connection / per-line messages (benchmarks)
  --no-reap         echo-fork: no SIGCHLD handler (the children stay zombies)
  --forget-close    echo-fork: the parent forgets close(connfd) (no EOF for the client)
  --cold            echo-fork: no warm-up of the echo path in the parent (see echo_warm)

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
      'no-reap': { type: 'boolean', default: false },
      'forget-close': { type: 'boolean', default: false },
      cold: { type: 'boolean', default: false },
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
  stopOnSignals();
  try {
    entry.run({ host: values.host!, port, quiet: values.quiet, sleep, noReap: values['no-reap'], forgetClose: values['forget-close'], cold: values.cold });
  } catch (err) {
    if (err instanceof Shutdown) return 0;
    throw err;
  }
  return 0;
}

function client(args: string[]): number {
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': return serve(rest);
    case 'client': return client(rest);
    case 'demo': return demo(rest);
    case 'check': return (await import('./lab/grade/index.js')).check_command(rest);
    case 'list':
      process.stdout.write(`${list()}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n\n${list()}\n`);
      return command === undefined ? 64 : 0;
    default:
      usageError(`no command ${JSON.stringify(command)}`, USAGE);
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err) => fail(err),
);
