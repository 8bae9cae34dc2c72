// A scripted client for the timeline's scenarios, run as a process of its
// own (traced like the server): wait for its moment, connect, send lines,
// read the echoes, go to lunch, close. It says "step N" on stdout after each step, so that the
// scenario can start the next client at the right moment.
//
//   node client.js --name "client 1" --port P --steps "connect;send hello;recv;sleep 1000;close"
import { parseArgs } from 'node:util';
import { readSync } from 'node:fs';
import { socket, connect, getsockname, write, read, close, usleep, sockaddr_of, sockaddr_storage, AF_INET, SOCK_STREAM } from '../../sys/index.js';

const { values } = parseArgs({ options: { name: { type: 'string' }, port: { type: 'string' }, steps: { type: 'string' } } });
const port = Number(values.port);
let fd = -1;
const buf = new Uint8Array(256);
for (const [k, step] of (values.steps ?? '').split(';').entries()) {
  const [verb, ...rest] = step.split(' ');
  const arg = rest.join(' ');
  if (verb === 'wait') {
    // The scenario's go (a line on stdin), read by Node, not traced: the
    // clients start together and wait here for their moment.
    const one = Buffer.alloc(1);
    while (readSync(0, one, 0, 1, null) === 1 && one[0] !== 10);
  } else if (verb === 'connect') {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, sockaddr_of('127.0.0.1', port)) < 0) process.exit(1);
    getsockname(fd, new sockaddr_storage()); // its port: what the server's accept sees
  } else if (verb === 'send') {
    write(fd, new TextEncoder().encode(`${arg}\n`));
  } else if (verb === 'recv') {
    let got = 0;
    while (!buf.subarray(0, got).includes(10)) { // up to the echoed newline
      const n = read(fd, buf.subarray(got), buf.length - got);
      if (n <= 0) process.exit(1);
      got += n;
    }
  } else if (verb === 'sleep') {
    usleep(Number(arg) * 1000); // out to lunch
  } else if (verb === 'close') {
    close(fd);
  }
  process.stdout.write(`step ${k + 1}\n`);
}
