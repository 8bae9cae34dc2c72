#!/usr/bin/env python3
"""echo_select.py - I/O-multiplexed (select) echo server (CSAPP 3e
echoservers.c).

A Python port of benchmarks/c/echo_select.c.  A single thread keeps a pool
of connected sockets (init_pool, add_client, check_clients), each with its
own buffered reader, and calls select() on the listening socket plus all
clients.  For every ready client it reads ONE line (readline) and writes it
back.

Faithful to the book, including its weakness: readline blocks until a whole
line (or EOF) arrives, so a client that sends a partial line stalls every
other client.

As in C, a descriptor >= FD_SETSIZE is closed at once with a warning:
select() cannot watch it (Python's select.select raises ValueError for it).
Python has no FD_SETSIZE constant; 1024 is glibc's and macOS's.

usage: python3 echo_select.py [--host H] [--port N]
"""
import select
import sys

from common import (MAXLINE, drain_signal_fd, report_accept_error,
                    server_startup, signal_fd)

FD_SETSIZE = 1024


class Pool:
    """The pool of connected descriptors."""

    def __init__(self, listenfd):
        self.read_set = [listenfd]  # all active sockets
        self.rio = {}               # socket -> its buffered reader
        self.warned = False

    def add_client(self, conn):
        if conn.fileno() >= FD_SETSIZE:
            if not self.warned:
                print(f"add_client: descriptor {conn.fileno()} >= FD_SETSIZE "
                      f"({FD_SETSIZE}); closing it", file=sys.stderr)
                self.warned = True
            conn.close()
            return
        self.rio[conn] = conn.makefile("rb", buffering=MAXLINE)
        self.read_set.append(conn)

    def remove_client(self, conn):
        self.rio.pop(conn).close()
        self.read_set.remove(conn)
        conn.close()

    def check_clients(self, ready_set):
        for conn in ready_set:
            rio = self.rio.get(conn)
            if rio is None:
                continue  # the listening socket
            try:
                line = rio.readline(MAXLINE)
                if line:
                    conn.sendall(line)
                    continue
            except OSError:
                pass  # a read error counts as EOF, as in the C server
            self.remove_client(conn)


def main():
    listenfd, _ = server_startup(sys.argv)
    pool = Pool(listenfd)
    pool.read_set.append(signal_fd())  # the self-pipe (common.py)
    while True:
        # Wait for listening/connected descriptor(s) to become ready
        ready_set, _, _ = select.select(pool.read_set, [], [])
        if signal_fd() in ready_set:
            drain_signal_fd()  # SIGTERM's handler runs here and exits

        # If listening descriptor ready, add new client to pool
        if listenfd in ready_set:
            try:
                conn, _ = listenfd.accept()
                pool.add_client(conn)
            except (ConnectionAbortedError, InterruptedError):
                pass
            except OSError as e:
                report_accept_error(e)

        # Echo a text line from each ready connected descriptor
        pool.check_clients(ready_set)


if __name__ == "__main__":
    main()
