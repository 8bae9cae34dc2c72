// Demo: TIME_WAIT after an active close keeps the port: binding it again
// fails with EADDRINUSE, unless SO_REUSEADDR. The server here closes first,
// as a server that drops its clients does. On Linux both the old socket and
// the new one need SO_REUSEADDR (open_listenfd sets it, which is why a CSAPP
// server restarts at once); the demo shows both cases.
import { socket, bind, close, setsockopt, read, errno, errno_code, strerror, sockaddr_of, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR } from '../sys/index.js';
import { Socket, Connect, Accept, Close, Setsockopt, printf } from '../csapp/index.js';
import { listen_loopback, print_table, LOOPBACK } from './common.js';

export interface RebindResult {
  /** errno of bind without SO_REUSEADDR (EADDRINUSE), 0 if it worked. */
  without: number;
  /** errno of bind with SO_REUSEADDR, 0 if it worked. */
  with: number;
}

function try_bind(port: number, reuse: boolean): number {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  if (reuse) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  const rc = bind(fd, sockaddr_of(LOOPBACK, port));
  const err = rc === 0 ? 0 : errno();
  printf(`  bind(${LOOPBACK}:${port}) ${reuse ? 'with' : 'without'} SO_REUSEADDR: ` +
    (rc === 0 ? '0, bound\n' : `-1, errno = ${err} ${errno_code(err)} (${strerror(err)})\n`));
  close(fd);
  return err;
}

// A server on a new port serves one client and closes first; returns the port.
function active_close(reuseListener: boolean): number {
  const { fd: listenfd, port } = listen_loopback(5, (fd) => { if (reuseListener) Setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1); });
  const clientfd = Socket(AF_INET, SOCK_STREAM, 0);
  Connect(clientfd, sockaddr_of(LOOPBACK, port));
  const connfd = Accept(listenfd, null, null);
  Close(connfd); // the server's active close
  read(clientfd, new Uint8Array(1), 1); // the client sees EOF...
  Close(clientfd); // ...and closes: its FIN, the server's last ACK
  Close(listenfd); // the server is gone; its connection is not
  return port;
}

export function time_wait_demo(): { reused: RebindResult; notReused: RebindResult } {
  printf('A server with SO_REUSEADDR on its listening socket (as open_listenfd does) closes a connection first, then exits:\n');
  let port = active_close(true);
  print_table(port);
  const reused = { without: try_bind(port, false), with: try_bind(port, true) };

  printf('\nThe same server without SO_REUSEADDR:\n');
  port = active_close(false);
  print_table(port);
  const notReused = { without: try_bind(port, false), with: try_bind(port, true) };
  printf('\nThe port stays taken while TIME_WAIT lasts (60 s on Linux); a server restarted at once needs SO_REUSEADDR.\n');
  return { reused, notReused };
}
