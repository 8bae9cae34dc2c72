#!/usr/bin/env node
// A line-echo server on Node's own net module (libuv's event loop): the
// "Node net" peer in the benchmark, what a Node programmer would write
// without syscall-lab. Each complete line is written back as soon as it has
// arrived; a partial line waits for the rest (and is echoed at end of file,
// as the C servers' rio_readlineb returns a last line without '\n').
//
//   node dist/benchmarks/node-net-echo.js [--host H] [--port N]
//
// Prints `listening on HOST:PORT` first; exits 0 on SIGTERM / SIGINT.
import net from 'node:net';
import { parseArgs } from 'node:util';

const USAGE = `usage: node-net-echo [--host H] [--port N]

  --host H   address to listen on (default 127.0.0.1; ::1 for IPv6)
  --port N   port (default 0: the kernel chooses; see the first line)

A line-echo server on Node's net module. Prints "listening on HOST:PORT",
serves until SIGTERM or SIGINT, then exits 0.`;

function usageError(message: string): never {
  process.stderr.write(`node-net-echo: ${message}\n\n${USAGE}\n`);
  process.exit(64);
}

let values: { host?: string; port?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  usageError((err as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(values.port);
if (!/^\d+$/.test(values.port!) || port > 65535) usageError(`bad port ${values.port}`);

const NL = 0x0a;
const sockets = new Set<net.Socket>();

// allowHalfOpen: at end of file the last partial line is written back before our end().
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  sockets.add(socket);
  let pending: Buffer | null = null; // the start of a line not yet complete

  socket.on('data', (chunk: Buffer) => {
    const last = chunk.lastIndexOf(NL);
    if (last < 0) {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      return;
    }
    // Everything up to the last '\n' is complete lines: write them back in one go.
    const lines = chunk.subarray(0, last + 1);
    socket.write(pending ? Buffer.concat([pending, lines]) : lines);
    pending = last + 1 < chunk.length ? chunk.subarray(last + 1) : null;
  });
  socket.on('end', () => {
    if (pending) socket.write(pending);
    pending = null;
    socket.end();
  });
  // A reset or broken pipe ends this connection, never the server.
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});

server.on('error', (err) => {
  process.stderr.write(`node-net-echo: ${err.message}\n`);
  process.exit(1);
});

server.listen({ host: values.host, port }, () => {
  const addr = server.address() as net.AddressInfo;
  process.stdout.write(`listening on ${addr.address}:${addr.port}\n`);
});

function shutdown(): void {
  server.close();
  for (const s of sockets) s.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
