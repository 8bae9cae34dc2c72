// CSAPP's echo client (echoclient.c), in TypeScript: each line typed goes
// to the server, the line that comes back is printed. Ctrl-D (EOF) ends.
//   npm run client                  localhost 8080
//   npm run client -- HOST PORT     another server
import {
  STDIN_FILENO, STDOUT_FILENO, rio_t,
  Open_clientfd, Close, Rio_readinitb, Rio_readlineb, Rio_writen,
} from 'syscall-lab';

const MAXLINE = 8192;

const host = process.argv[2] ?? 'localhost';
const port = process.argv[3] ?? '8080';
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
  if (n === 0) break; // the server closed the connection
  Rio_writen(STDOUT_FILENO, buf, n); // C: Fputs(buf, stdout)
}
Close(clientfd);
