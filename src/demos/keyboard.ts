// The select keyboard program (Beginning Linux Programming's select.c, the
// lesson's "./select"): select on fd 0 with a 2.5 s timeout. Nothing typed:
// "timeout". Something typed: "read N from keyboard: TEXT". ^D (end of file:
// select says readable, ioctl(FIONREAD) says 0 bytes): "keyboard done".
// Works on a terminal (a line at a time, as the terminal delivers it) and on
// a pipe.
import { cell, read, select, ioctl, perror, FIONREAD, FD_SETSIZE, STDIN_FILENO, STDOUT_FILENO, fd_set, FD_ZERO, FD_SET, FD_ISSET, FD_COPY } from '../sys/index.js';
import { printf, Rio_writen } from '../csapp/index.js';

export function keyboard_demo(timeout_ms = 2500): number {
  const buffer = new Uint8Array(128);
  const inputs = new fd_set(), testfds = new fd_set();
  const timeout = { tv_sec: 0, tv_usec: 0 };
  const nread = cell(0);

  FD_ZERO(inputs);
  FD_SET(STDIN_FILENO, inputs);

  // Wait for input on stdin for a maximum of 2.5 seconds.
  for (;;) {
    FD_COPY(inputs, testfds); // testfds = inputs
    timeout.tv_sec = Math.floor(timeout_ms / 1000);
    timeout.tv_usec = (timeout_ms % 1000) * 1000;

    const result = select(FD_SETSIZE, testfds, null, null, timeout);

    // After this time, we test result. If there has been no input, the program loops again.
    // If there has been an error, the program exits.
    switch (result) {
      case 0:
        printf('timeout\n');
        break;
      case -1:
        perror('select');
        return 1;
      // If, during the wait, we have some action on the file descriptor, we read the input
      // on stdin and echo it whenever an <end of line> character is received, until ^D.
      default:
        if (FD_ISSET(STDIN_FILENO, testfds)) {
          ioctl(STDIN_FILENO, FIONREAD, nread);
          if (nread.value === 0) {
            printf('keyboard done\n');
            return 0;
          }
          // The book reads nread bytes into its 128-byte buffer; here never more than it holds.
          const n = read(STDIN_FILENO, buffer, Math.min(nread.value, buffer.length - 1));
          if (n < 0) {
            perror('read');
            return 1;
          }
          printf(`read ${n} from keyboard: `);
          Rio_writen(STDOUT_FILENO, buffer, n);
        }
        break;
    }
  }
}
