// Tiny (CSAPP 11.6, tiny.c): a small iterative HTTP/1.0 web server. GET
// only. A URI without "cgi-bin" is a static file under the root, sent with
// its Content-type and Content-length, the body straight from an mmap of
// the file; a URI with "cgi-bin" runs that program (/cgi-bin/adder?15000&213)
// in a child: fork, QUERY_STRING in its environment, its stdout dup2-ed onto
// the connection, execve; the parent waits for it. 404 for a file that is not
// there, 403 for one that is not a regular file or lacks its owner's read
// (static) or execute (CGI) bit, 501 for any other method. Tiny serves the
// directory it runs in, as the book's does; --root DIR is `cd DIR` first.
//
// Changed from the book, so that one client cannot end or hang the server
// for all (the book's Rio_ wrappers would exit on a reset):
// - an I/O error on one connection (ECONNRESET, EPIPE) ends that connection
//   only, with a message; accept out of fds sheds the new connection (see
//   fd-reserve.ts);
// - a client that closes in the middle of its headers ends read_requesthdrs
//   (the book's loop would spin forever at EOF); a bare "\n" ends them too;
// - a request line without a URI gets 400; a URI with a ".." segment, which
//   would climb out of the root, gets 403;
// - serve_static opens and maps the file before it sends the headers, so
//   that a failure is still an error answer; an empty file is sent without
//   mmap (C's mmap of 0 bytes fails with EINVAL: the book's Tiny exits);
// - a CGI child whose execve fails exits; it never returns into the loop;
// - the connection ends with a lingering close (see there), so that a 501
//   to a request with a body reaches the client rather than a reset.
import {
  type Cell, cell, sizeof, sockaddr_storage, struct_stat, stat, open, mmap, close, read, shutdown, setsockopt,
  setenv, environ, exit, errno, strerror, UnixError, S_ISREG, S_IRUSR, S_IXUSR, O_RDONLY, PROT_READ, MAP_PRIVATE,
  MAP_FAILED, STDOUT_FILENO, SHUT_WR, SOL_SOCKET, SO_RCVTIMEO,
} from '../sys/index.js';
import {
  Open_listenfd, Close, Munmap, Fork, Dup2, Execve, Wait, rio_t, Rio_readinitb, Rio_readlineb, Rio_writen,
  sscanf, sprintf, snprintf, strlen, strcmp, strcasecmp, printf, eprintf, unix_error_message, MAXLINE, MAXBUF,
} from '../csapp/index.js';
import { type ServerOptions, announce, client_name } from './common.js';
import { fd_reserve_init, Accept_reserve } from './fd-reserve.js';

let verbose = true;

export function tiny(opts: ServerOptions): void {
  verbose = !opts.quiet;
  // C: chdir(root). (No chdir in the addon: Node's process.chdir is chdir(2).)
  if (opts.root !== undefined) process.chdir(opts.root);
  const listenfd = Open_listenfd(opts.port, opts.host);
  const clientaddr = new sockaddr_storage();
  let connfd = -1;
  fd_reserve_init();
  announce(listenfd);
  try {
    for (;;) {
      const clientlen = cell(sizeof.sockaddr_storage);
      connfd = Accept_reserve(listenfd, clientaddr, clientlen);
      if (connfd < 0) continue; // shed (out of fds) or aborted
      if (verbose) {
        const [hostname, port] = client_name(clientaddr, clientlen.value);
        printf('Accepted connection from (%s, %s)\n', hostname, port);
      }
      try {
        doit(connfd);
        lingering_close(connfd);
      } catch (err) {
        // This client's connection failed (reset, gone): it alone ends.
        if (!(err instanceof UnixError)) throw err;
        eprintf('tiny: fd %d: %s\n', connfd, unix_error_message(err));
        close(connfd); // unchecked: lingering_close's Close may have failed after closing it
      }
      connfd = -1;
    }
  } finally {
    // Reached when SIGINT / SIGTERM (from the CLI) throws out of accept.
    if (connfd >= 0) close(connfd);
    close(listenfd);
  }
}

/**
 * lingering_close: ends the answer with a FIN, then reads what the client
 * still sends (a body Tiny did not read, after a 501) until it closes, for 2
 * seconds at most, and only then closes. The book's plain Close, with unread
 * bytes in the socket, sends a reset instead of a FIN, and the client reading
 * the answer gets ECONNRESET, not the 501 (RFC 9112, 9.6).
 */
function lingering_close(fd: number): void {
  const buf = new Uint8Array(MAXBUF);
  const deadline = performance.now() + 2000;
  if (shutdown(fd, SHUT_WR) === 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, { tv_sec: 0, tv_usec: 500_000 });
    while (read(fd, buf, MAXBUF) > 0 && performance.now() < deadline); // until EOF, an error or the time
  }
  Close(fd);
}

/** doit: handles one HTTP request/response transaction. */
function doit(fd: number): void {
  const sbuf = new struct_stat();
  const buf = new Uint8Array(MAXLINE);
  const method = cell(''), uri = cell(''), version = cell('');
  const filename = cell(''), cgiargs = cell('');
  const rio = new rio_t();

  // Read request line and headers
  Rio_readinitb(rio, fd);
  if (!Rio_readlineb(rio, buf, MAXLINE)) return;
  if (verbose) printf('%s', buf);
  const fields = sscanf(buf, '%s %s %s', method, uri, version);
  if (strcasecmp(method.value, 'GET')) {
    clienterror(fd, method.value, '501', 'Not Implemented', 'Tiny does not implement this method');
    return;
  }
  read_requesthdrs(rio);
  if (fields < 2) {
    clienterror(fd, method.value, '400', 'Bad Request', 'Tiny found no URI in the request line');
    return;
  }

  // Parse URI from GET request
  const is_static = parse_uri(uri.value, filename, cgiargs);
  if (filename.value.split('/').includes('..')) {
    clienterror(fd, filename.value, '403', 'Forbidden', 'Tiny serves nothing above its root');
    return;
  }
  if (stat(filename.value, sbuf) < 0) {
    clienterror(fd, filename.value, '404', 'Not found', "Tiny couldn't find this file");
    return;
  }

  if (is_static) { // Serve static content
    if (!S_ISREG(sbuf.st_mode) || !(S_IRUSR & sbuf.st_mode)) {
      clienterror(fd, filename.value, '403', 'Forbidden', "Tiny couldn't read the file");
      return;
    }
    serve_static(fd, filename.value, sbuf.st_size);
  } else { // Serve dynamic content
    if (!S_ISREG(sbuf.st_mode) || !(S_IXUSR & sbuf.st_mode)) {
      clienterror(fd, filename.value, '403', 'Forbidden', "Tiny couldn't run the CGI program");
      return;
    }
    serve_dynamic(fd, filename.value, cgiargs.value);
  }
}

/** read_requesthdrs: reads (and prints) the request headers, up to the empty line. */
function read_requesthdrs(rp: rio_t): void {
  const buf = new Uint8Array(MAXLINE);

  let n = Rio_readlineb(rp, buf, MAXLINE);
  if (verbose) printf('%s', buf);
  while (n > 0 && strcmp(buf, '\r\n') && strcmp(buf, '\n')) {
    n = Rio_readlineb(rp, buf, MAXLINE);
    if (verbose && n > 0) printf('%s', buf);
  }
}

/**
 * parse_uri: the URI as a file name under the root and CGI arguments;
 * 1 for static content, 0 for dynamic. (C: char *filename, char *cgiargs.)
 */
function parse_uri(uri: string, filename: Cell<string>, cgiargs: Cell<string>): number {
  if (!uri.includes('cgi-bin')) { // Static content (C: !strstr(uri, "cgi-bin"))
    cgiargs.value = '';
    filename.value = '.' + uri;
    if (uri.endsWith('/')) filename.value += 'home.html';
    return 1;
  }
  // Dynamic content
  const ptr = uri.indexOf('?'); // C: ptr = index(uri, '?')
  if (ptr >= 0) {
    cgiargs.value = uri.slice(ptr + 1);
    uri = uri.slice(0, ptr); // C: *ptr = '\0'
  } else {
    cgiargs.value = '';
  }
  filename.value = '.' + uri;
  return 0;
}

/** serve_static: sends a file back to the client, from a mapping of it. */
function serve_static(fd: number, filename: string, filesize: number): void {
  const buf = new Uint8Array(MAXBUF);

  // Open and map the file first (the book does it after the headers).
  const srcfd = open(filename, O_RDONLY, 0);
  if (srcfd < 0) {
    clienterror(fd, filename, '403', 'Forbidden', `Tiny couldn't open the file (${strerror(errno())})`);
    return;
  }
  const srcp = filesize > 0 ? mmap(null, filesize, PROT_READ, MAP_PRIVATE, srcfd, 0) : new Uint8Array(0);
  const map_errno = errno();
  Close(srcfd); // the mapping stays when the fd goes
  if (srcp === MAP_FAILED) {
    clienterror(fd, filename, '500', 'Internal Server Error', `Tiny couldn't map the file (${strerror(map_errno)})`);
    return;
  }

  try {
    // Send response headers to client. (C's sprintf(buf, "%s...", buf)
    // reads and writes buf at once, undefined behaviour that glibc forgives;
    // here the text is made before buf is written.)
    const filetype = get_filetype(filename);
    sprintf(buf, 'HTTP/1.0 200 OK\r\n');
    sprintf(buf, '%sServer: Tiny Web Server\r\n', buf);
    sprintf(buf, '%sConnection: close\r\n', buf);
    sprintf(buf, '%sContent-length: %d\r\n', buf, filesize);
    sprintf(buf, '%sContent-type: %s\r\n\r\n', buf, filetype);
    Rio_writen(fd, buf, strlen(buf));
    if (verbose) {
      printf('Response headers:\n');
      printf('%s', buf);
    }

    // Send response body to client
    Rio_writen(fd, srcp, filesize);
  } finally {
    if (filesize > 0) Munmap(srcp, filesize);
  }
}

/** get_filetype: the Content-type, from the file name. */
function get_filetype(filename: string): string {
  if (filename.includes('.html')) return 'text/html';
  else if (filename.includes('.gif')) return 'image/gif';
  else if (filename.includes('.png')) return 'image/png';
  else if (filename.includes('.jpg')) return 'image/jpeg';
  else return 'text/plain';
}

/** serve_dynamic: runs a CGI program on behalf of the client. */
function serve_dynamic(fd: number, filename: string, cgiargs: string): void {
  const buf = new Uint8Array(MAXLINE);
  const emptylist: string[] = []; // C: char *emptylist[] = { NULL }

  // Return first part of HTTP response
  sprintf(buf, 'HTTP/1.0 200 OK\r\n');
  Rio_writen(fd, buf, strlen(buf));
  sprintf(buf, 'Server: Tiny Web Server\r\n');
  Rio_writen(fd, buf, strlen(buf));

  if (Fork() === 0) { // Child
    try {
      // Real server would set all CGI vars here
      setenv('QUERY_STRING', cgiargs, 1);
      Dup2(fd, STDOUT_FILENO); // Redirect stdout to client
      Execve(filename, emptylist, environ); // Run CGI program
    } catch (err) {
      eprintf('%s\n', err instanceof UnixError ? unix_error_message(err) : String(err));
    }
    exit(1); // execve failed: the child must not go on as a second server
  }
  Wait(null); // Parent waits for and reaps child
}

/** clienterror: returns an error message to the client. */
function clienterror(fd: number, cause: string, errnum: string, shortmsg: string, longmsg: string): void {
  const buf = new Uint8Array(MAXLINE);

  // Print the HTTP response headers
  sprintf(buf, 'HTTP/1.0 %s %s\r\n', errnum, shortmsg);
  Rio_writen(fd, buf, strlen(buf));
  sprintf(buf, 'Content-type: text/html\r\n\r\n');
  Rio_writen(fd, buf, strlen(buf));

  // Print the HTTP response body
  sprintf(buf, '<html><title>Tiny Error</title>');
  Rio_writen(fd, buf, strlen(buf));
  sprintf(buf, '<body bgcolor="ffffff">\r\n');
  Rio_writen(fd, buf, strlen(buf));
  sprintf(buf, '%s: %s\r\n', errnum, shortmsg);
  Rio_writen(fd, buf, strlen(buf));
  snprintf(buf, MAXLINE, '<p>%s: %s\r\n', longmsg, cause); // cause is the client's: it may not fit (C: a buffer overflow)
  Rio_writen(fd, buf, strlen(buf));
  sprintf(buf, '<hr><em>The Tiny Web server</em>\r\n');
  Rio_writen(fd, buf, strlen(buf));
}
