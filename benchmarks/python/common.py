"""common.py - what every Python echo server shares (the C servers' common.c).

A Python programmer's port of benchmarks/c/common.c, standard library only:
  - parse_server_args: [--host H] [--port N] (and --threads N where allowed);
    a usage error exits 64, --help prints the usage and exits 0.
  - open_listenfd(host, port): getaddrinfo with AI_PASSIVE, SO_REUSEADDR,
    listen backlog LISTENQ (1024), as CSAPP's open_listenfd.
  - print_listening(sock): "listening on HOST:PORT" as the first stdout line
    (numeric, IPv6 without brackets), flushed: what the harness waits for.
  - install_server_signals(): SIGINT/SIGTERM end the server with exit 0
    (the handler, in the main thread, flushes and calls os._exit: no
    interpreter teardown to wait for); SIGPIPE stays ignored, as Python sets
    it (a write to a closed peer raises BrokenPipeError instead).
  - signal_fd(), drain_signal_fd(): the self-pipe trick (below), for the
    servers that wait in select or epoll: they watch signal_fd() too.
  - raise_nofile_limit(): RLIMIT_NOFILE soft limit up to the hard limit.
  - echo(conn): CSAPP's echo(): read a line with a buffered reader (the RIO
    of Python: socket.makefile), write it back, until end of file.
"""
import os
import resource
import select
import signal
import socket
import sys

MAXLINE = 8192  # max text line length (CSAPP)
LISTENQ = 1024  # listen() backlog


def usage(prog, allow_threads, f):
    print(f"usage: {prog} [--host H] [--port N]"
          f"{' [--threads N]' if allow_threads else ''}", file=f)


def parse_server_args(argv, allow_threads=False, threads=None):
    """Returns (host, port, threads); exits 64 on a usage error."""
    prog = os.path.basename(argv[0]) if argv else "server"
    host, port = "127.0.0.1", "0"
    args = list(argv[1:])
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--help", "-h"):
            usage(prog, allow_threads, sys.stdout)
            sys.exit(0)
        if "=" in a:
            name, val = a.split("=", 1)
        else:
            name = a
            i += 1
            val = args[i] if i < len(args) else None
        i += 1
        ok = val is not None
        if ok and name == "--host" and val:
            host = val
        elif ok and name == "--port" and val.isdigit() and int(val) <= 65535:
            port = val
        elif (ok and allow_threads and name == "--threads" and val.isdigit()
              and 1 <= int(val) <= 100000):
            threads = int(val)
        else:
            usage(prog, allow_threads, sys.stderr)
            sys.exit(64)
    return host, port, threads


# Python runs a signal's handler between bytecodes, not in the signal: the
# C-level handler only marks it.  A signal that lands after Python looked
# for marked signals and before it enters accept(), select() or poll()
# interrupts nothing, and the handler waits for the next signal or client.
# (In echo_fork.py a SIGTERM that lands while the SIGCHLD handler runs is
# lost that way: 3 stops in 100 hung.)  The C servers cover the same race
# with alarm(); here the self-pipe trick closes it: signal.set_wakeup_fd
# makes the C-level handler write a byte to a pipe, every wait watches the
# pipe's read end, and it is readable however late the wait began.
_wakeup_r = -1


def signal_fd():
    """The read end of the self-pipe: readable once a signal arrived."""
    return _wakeup_r


def drain_signal_fd():
    """Empties the self-pipe; the signal's handler runs at the next bytecode."""
    try:
        while os.read(_wakeup_r, 512):
            pass
    except BlockingIOError:
        pass


def close_signal_fd():
    """In a child of fork: the self-pipe is the parent's business."""
    global _wakeup_r
    w = signal.set_wakeup_fd(-1)
    if w >= 0:
        os.close(w)
    if _wakeup_r >= 0:
        os.close(_wakeup_r)
    _wakeup_r = -1


def _stop(signum, frame):
    # Runs in the main thread between bytecodes (a blocking call there
    # returns EINTR, or the self-pipe wakes it). It ends the process at
    # once, as C's exit() does with its threads: sys.exit's interpreter
    # teardown took over 3 s beside 10,000 threads that were ending.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def install_server_signals():
    global _wakeup_r
    _wakeup_r, w = os.pipe()  # close-on-exec, as Python makes every fd
    os.set_blocking(_wakeup_r, False)
    os.set_blocking(w, False)  # a full pipe drops the byte, never blocks
    signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def raise_nofile_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == hard:
        return
    if sys.platform == "darwin" and (hard == resource.RLIM_INFINITY
                                     or hard > 10240):
        hard = 10240  # macOS refuses more than OPEN_MAX for the soft limit
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass


def open_listenfd(host, port):
    """A listening socket on host:port, or exits 1 with the reason."""
    err = None
    for family, type_, proto, _, addr in socket.getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE | socket.AI_NUMERICSERV):
        try:
            s = socket.socket(family, type_, proto)
        except OSError as e:
            err = e
            continue
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(addr)
            s.listen(LISTENQ)
            return s
        except OSError as e:
            err = e
            s.close()
    print(f"open_listenfd({host}, {port}): {err}", file=sys.stderr)
    sys.exit(1)


def print_listening(sock):
    host, port = sock.getsockname()[:2]
    print(f"listening on {host}:{port}", flush=True)


def server_startup(argv, allow_threads=False, threads=None):
    """Parse the arguments, install the signals, listen, print the line.
    Returns (listening socket, threads)."""
    host, port, threads = parse_server_args(argv, allow_threads, threads)
    install_server_signals()
    raise_nofile_limit()
    listenfd = open_listenfd(host, port)
    print_listening(listenfd)
    return listenfd, threads


_accept_errors = 0


def report_accept_error(e):
    """Prints the first few accept errors only (EMFILE would flood)."""
    global _accept_errors
    if _accept_errors < 10:
        print(f"accept: {e}", file=sys.stderr)
    _accept_errors += 1
    if _accept_errors == 10:
        print("(further accept errors not shown)", file=sys.stderr)


_accept_poll = None


def accept(listenfd):
    """The next connection, as the C servers' accept loop gets it: an aborted
    or interrupted accept is tried again, another error said (the first few)
    and tried again.  It waits in poll() on the listening socket and the
    self-pipe, so a signal that came just before the wait still ends it."""
    global _accept_poll
    if _accept_poll is None:
        _accept_poll = select.poll()
        _accept_poll.register(listenfd, select.POLLIN)
        if _wakeup_r >= 0:
            _accept_poll.register(_wakeup_r, select.POLLIN)
    while True:
        ready = [fd for fd, _ in _accept_poll.poll()]
        if _wakeup_r in ready:
            drain_signal_fd()  # SIGTERM's handler runs here and exits
        if listenfd.fileno() not in ready:
            continue
        try:
            conn, _ = listenfd.accept()
            return conn
        except (ConnectionAbortedError, InterruptedError):
            continue
        except OSError as e:
            report_accept_error(e)


def echo(conn):
    """Read lines with a buffered reader, write each back, until EOF."""
    rio = conn.makefile("rb", buffering=MAXLINE)
    try:
        while True:
            line = rio.readline(MAXLINE)
            if not line:
                break
            conn.sendall(line)
    except OSError:
        pass  # peer went away (ECONNRESET, EPIPE)
    finally:
        rio.close()
