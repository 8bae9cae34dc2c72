// CSAPP's iterative echo server (echoserveri.c), in TypeScript.
//   npm start            serves on port 8080 (npm start -- PORT for another)
//   npm run client       talks to it: type lines, get them back
// One client at a time: accept, echo its lines until it closes, next.
import {
  cell, sizeof, sockaddr_storage, rio_t, printf,
  Open_listenfd, Accept, Close, Getnameinfo,
  Rio_readinitb, Rio_readlineb, Rio_writen,
} from 'syscall-lab';

const MAXLINE = 8192;

function echo(connfd: number): void {
  const buf = new Uint8Array(MAXLINE);
  const rio = new rio_t();
  let n: number;
  Rio_readinitb(rio, connfd);
  while ((n = Rio_readlineb(rio, buf, MAXLINE)) !== 0) {
    printf(`server received ${n} bytes\n`);
    Rio_writen(connfd, buf, n);
  }
}

const port = process.argv[2] ?? '8080'; // argv[2]: the first argument
const listenfd = Open_listenfd(port);
printf(`echo server listening on port ${port}\n`);
for (;;) {
  const clientaddr = new sockaddr_storage();
  const clientlen = cell(sizeof.sockaddr_storage);
  const connfd = Accept(listenfd, clientaddr, clientlen);
  const host = cell(''), service = cell('');
  Getnameinfo(clientaddr, clientlen.value, host, MAXLINE, service, MAXLINE, 0);
  printf(`Connected to (${host.value}, ${service.value})\n`);
  echo(connfd);
  Close(connfd);
}
