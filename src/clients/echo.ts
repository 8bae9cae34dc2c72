// The echo client (CSAPP's echoclient): each line read from stdin goes to the
// server; the line that comes back goes to stdout. EOF on stdin closes.
import { STDIN_FILENO, STDOUT_FILENO } from '../sys/index.js';
import { Open_clientfd, Close, rio_t, Rio_readinitb, Rio_readlineb, Rio_writen, eprintf } from '../csapp/index.js';

const MAXLINE = 8192;

export function echo_client(host: string, port: string): number {
  const buf = new Uint8Array(MAXLINE);
  const rio = new rio_t();
  const stdin = new rio_t();
  let n: number;

  const clientfd = Open_clientfd(host, port);
  Rio_readinitb(rio, clientfd);
  Rio_readinitb(stdin, STDIN_FILENO);

  while ((n = Rio_readlineb(stdin, buf, MAXLINE)) !== 0) { // C: Fgets(buf, MAXLINE, stdin)
    Rio_writen(clientfd, buf, n);
    n = Rio_readlineb(rio, buf, MAXLINE);
    if (n === 0) { // the server closed before answering
      eprintf('echo client: server closed the connection\n');
      Close(clientfd);
      return 1;
    }
    Rio_writen(STDOUT_FILENO, buf, n); // C: Fputs(buf, stdout)
  }
  Close(clientfd);
  return 0;
}
