// echo (CSAPP's echo.c): reads lines and writes them back until EOF. Shared
// by every echo server. As in C, an I/O error on the connection is a
// UnixError from the wrappers.
import { rio_t, Rio_readinitb, Rio_readlineb, Rio_writen, printf } from '../csapp/index.js';
import { MAXLINE } from './common.js';

export function echo(connfd: number, quiet = false): void {
  const buf = new Uint8Array(MAXLINE);
  const rio = new rio_t();
  let n: number;

  Rio_readinitb(rio, connfd);
  while ((n = Rio_readlineb(rio, buf, MAXLINE)) !== 0) {
    if (!quiet) printf(`server received ${n} bytes\n`);
    Rio_writen(connfd, buf, n);
  }
}
