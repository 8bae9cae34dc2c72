// The daytime client (Stevens' daytimetcpcli): connect, copy what the server
// sends to stdout until EOF.
import { STDOUT_FILENO } from '../sys/index.js';
import { Open_clientfd, Read, Rio_writen, Close } from '../csapp/index.js';

export function daytime_client(host: string, port: string): number {
  const clientfd = Open_clientfd(host, port);
  const recvline = new Uint8Array(4096);
  let n: number;
  while ((n = Read(clientfd, recvline, recvline.length)) > 0) {
    Rio_writen(STDOUT_FILENO, recvline, n);
  }
  Close(clientfd);
  return 0;
}
