// The echo server by processes (CSAPP's echoserverp): fork right after
// accept. The child closes its copy of the listening socket, echoes, closes
// the connection and exits; the parent closes its copy of connfd (after the
// fork both processes hold it: refcnt 2) and reaps its children from a
// SIGCHLD handler, with waitpid(-1, WNOHANG) in a loop because signals do not
// queue: one SIGCHLD may stand for several dead children.
//
// Two lesson variants: without the handler, the dead children stay zombies
// (<defunct>); if the parent forgets close(connfd), the client never sees
// EOF, since the connection stays open in the parent.
//
// Changed from the book: accept out of fds sheds the new connection rather
// than exiting (see fd-reserve.ts); a client that resets ends its child's
// echo with a message, not an error exit (see echo.ts).
import { cell, sizeof, sockaddr_storage, close, waitpid, exit, fork_warmup, SIGCHLD, WNOHANG } from '../sys/index.js';
import { Open_listenfd, Close, Fork, Signal, Sio_puts, printf } from '../csapp/index.js';
import { type ServerOptions, announce, client_name } from './common.js';
import { echo, echo_warm } from './echo.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

function sigchld_handler(_sig: number): void {
  while (waitpid(-1, null, WNOHANG) > 0);
}

// --verbose: the same loop, saying each pid it reaps (sio: one write each, as a C handler must).
function sigchld_handler_verbose(_sig: number): void {
  let pid: number;
  while ((pid = waitpid(-1, null, WNOHANG)) > 0) Sio_puts(`reaped child ${pid}\n`);
}

export function echoserverp(opts: ServerOptions): void {
  if (!opts.noReap) Signal(SIGCHLD, opts.verbose ? sigchld_handler_verbose : sigchld_handler);
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  let connfd = -1;
  if (!opts.cold) echo_warm(); // Node-specific: the children inherit the echo path compiled (see echo_warm)
  fork_warmup(); // Node-specific: a compact heap, less for every fork to copy and every child to tear down
  fd_reserve_init();
  announce(listenfd);
  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      connfd = Accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) continue; // shed (out of fds) or aborted
      if (!opts.quiet) {
        const [host, port] = client_name(clientaddr, clientlen.value);
        printf(`Connected to (${host}, ${port})\n`);
      }
      const pid = Fork();
      if (pid === 0) {
        Close(listenfd); // the child closes its listening socket
        echo(connfd, opts.quiet); // the child serves the client
        Close(connfd); // the child closes its connection with the client
        exit(0); // the child exits
      }
      if (opts.verbose) printf(`child ${pid} serves fd ${connfd}\n`);
      if (!opts.forgetClose) Close(connfd); // the parent closes its copy (important!)
      connfd = -1;
    }
  } finally {
    // Reached when SIGINT / SIGTERM (from the CLI) throws out of accept.
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}
