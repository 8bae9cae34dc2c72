// Beginning Linux Programming's client3: connect, send one character ('A'),
// read the server's answer (the next character) and print it.
//
//   char from server = B
import { socket, connect, read, write, close, perror, sockaddr_of, sa_family, SOCK_STREAM } from '../sys/index.js';
import { printf, eprintf } from '../csapp/index.js';

export function client3(host: string, port: string, char = 'A'): number {
  const ch = new Uint8Array([char.charCodeAt(0) & 0xff]);

  // Create a socket for the client and name it as agreed with the server.
  const address = sockaddr_of(host, Number(port));
  const sockfd = socket(sa_family(address), SOCK_STREAM, 0);

  // Connect our socket to the server's socket.
  const result = connect(sockfd, address);
  if (result === -1) {
    perror('oops: client3');
    close(sockfd);
    return 1;
  }

  // We can now read/write via sockfd.
  write(sockfd, ch, 1);
  const n = read(sockfd, ch, 1);
  if (n !== 1) { // not in the book, which prints whatever is in ch
    if (n < 0) perror('client3: read');
    else eprintf('client3: the server closed without answering\n');
    close(sockfd);
    return 1;
  }
  printf(`char from server = ${String.fromCharCode(ch[0])}\n`);
  close(sockfd);
  return 0;
}
