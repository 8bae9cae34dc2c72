// Stevens' str_cli with select (UNP 6.7, figure 6.13, tcpcliselect02): one
// select over stdin and the socket, so the client hears from the server while
// it waits for input. A server that ends (its FIN, or its reset) is noticed at
// once, even with stdin still open and nothing typed: "str_cli: server
// terminated prematurely" and exit status 1, as err_quit. EOF on stdin sends
// the client's FIN with shutdown(SHUT_WR), not close: the replies still on
// their way are read, and the server's FIN that follows them ends the client
// normally. Reads are whole buffers, not lines (a line-at-a-time fgets beside
// select would hide data in stdio's buffer, where select cannot see it).
import { fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, STDIN_FILENO, STDOUT_FILENO, SHUT_WR } from '../sys/index.js';
import { Open_clientfd, Close, Select, Read, Rio_writen, Shutdown, eprintf, MAXLINE } from '../csapp/index.js';

/** str_cli(fp, sockfd): copies stdin to the socket and the socket to stdout; the exit status. */
export function str_cli(fp: number, sockfd: number): number {
  const rset = new fd_set();
  const buf = new Uint8Array(MAXLINE);
  let stdineof = 0;
  let n: number;

  FD_ZERO(rset);
  for (;;) {
    if (stdineof === 0) FD_SET(fp, rset);
    FD_SET(sockfd, rset);
    const maxfdp1 = Math.max(fp, sockfd) + 1;
    Select(maxfdp1, rset, null, null, null);

    if (FD_ISSET(sockfd, rset)) { // socket is readable
      if ((n = Read(sockfd, buf, MAXLINE)) === 0) {
        if (stdineof === 1) return 0; // normal termination
        eprintf('str_cli: server terminated prematurely\n'); // err_quit
        return 1;
      }
      Rio_writen(STDOUT_FILENO, buf, n); // C: Write(fileno(stdout), buf, n)
    }

    if (FD_ISSET(fp, rset)) { // input is readable
      if ((n = Read(fp, buf, MAXLINE)) === 0) {
        stdineof = 1;
        Shutdown(sockfd, SHUT_WR); // send FIN
        FD_CLR(fp, rset);
        continue;
      }
      Rio_writen(sockfd, buf, n); // C: Writen(sockfd, buf, n)
    }
  }
}

/** tcpcli: connects and runs str_cli over stdin. */
export function echo_select_client(host: string, port: string): number {
  const sockfd = Open_clientfd(host, port);
  try {
    return str_cli(STDIN_FILENO, sockfd);
  } finally {
    Close(sockfd);
  }
}
