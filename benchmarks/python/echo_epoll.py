#!/usr/bin/env python3
"""echo_epoll.py - level-triggered epoll echo server (Linux only).

A Python port of benchmarks/c/echo_epoll.c, on select.epoll.  All sockets
are non-blocking; each client has a buffer.  While the buffer is empty the
client is watched for EPOLLIN; data read is written back at once, and if
the socket cannot take all of it the rest stays in the buffer and the
client is watched for EPOLLOUT instead (no reading) until the buffer
drains.  So no client can block the server.

Like the C server it echoes bytes as they arrive rather than line by line;
for a client the byte stream it gets back is the same.

usage: python3 echo_epoll.py [--host H] [--port N]
"""
import select
import sys

from common import (drain_signal_fd, report_accept_error, server_startup,
                    signal_fd)

CLIENT_BUFSIZE = 16384
MAXEVENTS = 256


class Client:
    def __init__(self, conn):
        self.conn = conn
        self.watching_out = False  # True: EPOLLOUT (draining), False: EPOLLIN
        self.buf = b""             # what is left to write back


def main():
    if not hasattr(select, "epoll"):
        print("echo_epoll.py: epoll is Linux only", file=sys.stderr)
        sys.exit(1)
    listenfd, _ = server_startup(sys.argv)
    listenfd.setblocking(False)
    ep = select.epoll()
    ep.register(listenfd.fileno(), select.EPOLLIN)
    ep.register(signal_fd(), select.EPOLLIN)  # the self-pipe (common.py)
    clients = {}  # fd -> Client

    def client_close(c):
        fd = c.conn.fileno()
        ep.unregister(fd)
        del clients[fd]
        c.conn.close()

    def client_watch(c, out):
        if c.watching_out != out:
            ep.modify(c.conn.fileno(), select.EPOLLOUT if out else select.EPOLLIN)
            c.watching_out = out

    def client_flush(c):
        """Write out buffered data; False means close the client."""
        try:
            while c.buf:
                n = c.conn.send(c.buf)
                c.buf = c.buf[n:]
        except BlockingIOError:
            client_watch(c, True)
            return True
        except OSError:
            return False
        client_watch(c, False)
        return True

    def client_event(c, events):
        if c.watching_out:
            if not client_flush(c):
                client_close(c)
            return
        if events & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR):
            try:
                data = c.conn.recv(CLIENT_BUFSIZE)
            except BlockingIOError:
                return
            except OSError:
                client_close(c)
                return
            if not data:
                client_close(c)
                return
            c.buf = data
            if not client_flush(c):
                client_close(c)

    def accept_all():
        while True:
            try:
                conn, _ = listenfd.accept()
            except BlockingIOError:
                return
            except (ConnectionAbortedError, InterruptedError):
                continue
            except OSError as e:
                report_accept_error(e)  # e.g. EMFILE: retried next wait
                return
            conn.setblocking(False)
            c = Client(conn)
            clients[conn.fileno()] = c
            ep.register(conn.fileno(), select.EPOLLIN)

    lfd = listenfd.fileno()
    while True:
        for fd, events in ep.poll(-1, MAXEVENTS):
            if fd == lfd:
                accept_all()
            elif fd == signal_fd():
                drain_signal_fd()  # SIGTERM's handler runs here and exits
            else:
                c = clients.get(fd)
                if c is not None:
                    client_event(c, events)


if __name__ == "__main__":
    main()
