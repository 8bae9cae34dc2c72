// Beginning Linux Programming's server5: one process serves many clients
// with select. Each client sends a character; the server sleeps (5 s in the
// book: time to see the clients queue up), answers with the next character,
// and removes the client when ioctl(FIONREAD) finds nothing to read on a
// readable fd (end of file). It watches all FD_SETSIZE fds, as the book does.
// Out of fds (EMFILE), accept sheds the waiting connection with a reserve fd
// (see fd-reserve.ts), where the book's perror in a loop would print a line
// a turn, as fast as select returns.
//
//   server waiting
//   adding client on fd 4
//   serving client on fd 4
//   removing client on fd 4
import {
  cell, sizeof, sockaddr_of, sockaddr_storage, sa_family, errno, EMFILE, ENFILE, read, write, close, select, ioctl, perror, FIONREAD,
  SOCK_STREAM, FD_SETSIZE, fd_set, FD_ZERO, FD_SET, FD_CLR, FD_ISSET, FD_COPY, unix_error,
} from '../sys/index.js';
import { Socket, Bind, Listen, Sleep, printf, eprintf } from '../csapp/index.js';
import { type ServerOptions, announce } from './common.js';
import { fd_reserve_init, accept_reserve } from './fd-reserve.js';

export function server5(opts: ServerOptions): void {
  const seconds = opts.sleep ?? 5; // the book's sleep(5) before each answer; --sleep S changes it
  const server_address = sockaddr_of(opts.host, opts.port);
  const server_sockfd = Socket(sa_family(server_address), SOCK_STREAM, 0);
  const readfds = new fd_set(), testfds = new fd_set();
  const ch = new Uint8Array(1);
  const nread = cell(0);
  try {
    Bind(server_sockfd, server_address);
    // Create a connection queue and initialize readfds to handle input from server_sockfd.
    Listen(server_sockfd, 5);
    fd_reserve_init();
    announce(server_sockfd);
    FD_ZERO(readfds);
    FD_SET(server_sockfd, readfds);

    // Now wait for clients and requests. No timeout: select waits as long as it takes.
    for (;;) {
      FD_COPY(readfds, testfds); // testfds = readfds
      printf('server waiting\n');
      const result = select(FD_SETSIZE, testfds, null, null, null);
      if (result < 1) {
        perror('server5');
        unix_error('select');
      }
      // Once we know we've got activity, we find which descriptor it's on by checking each in turn.
      for (let fd = 0; fd < FD_SETSIZE; fd++) {
        if (!FD_ISSET(fd, testfds)) continue;
        if (fd === server_sockfd) {
          // Activity on server_sockfd: a request for a new connection; add client_sockfd to the set.
          const client_address = new sockaddr_storage();
          const client_len = cell(sizeof.sockaddr_storage);
          const client_sockfd = accept_reserve(server_sockfd, client_address, client_len);
          if (client_sockfd < 0) {
            if (errno() !== EMFILE && errno() !== ENFILE) perror('accept'); // those were said once
          } else if (client_sockfd >= FD_SETSIZE) { // the book's FD_SET would write past readfds
            eprintf(`server5: fd ${client_sockfd} >= FD_SETSIZE (${FD_SETSIZE}): closed\n`);
            close(client_sockfd);
          } else {
            FD_SET(client_sockfd, readfds);
            printf(`adding client on fd ${client_sockfd}\n`);
          }
        } else {
          // Client activity: read a character, or, if nothing is there, the client has gone.
          ioctl(fd, FIONREAD, nread);
          if (nread.value === 0) {
            close(fd);
            FD_CLR(fd, readfds);
            printf(`removing client on fd ${fd}\n`);
          } else {
            read(fd, ch, 1);
            if (seconds > 0) Sleep(seconds);
            printf(`serving client on fd ${fd}\n`);
            ch[0]++;
            write(fd, ch, 1);
          }
        }
      }
    }
  } finally {
    // Reached when a signal handler (SIGINT / SIGTERM in the CLI) throws.
    for (let fd = 0; fd < FD_SETSIZE; fd++) if (FD_ISSET(fd, readfds) && fd !== server_sockfd) close(fd);
    close(server_sockfd);
  }
}
