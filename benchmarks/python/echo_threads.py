#!/usr/bin/env python3
"""echo_threads.py - thread-per-connection echo server (CSAPP 3e echoservert.c).

A Python port of benchmarks/c/echo_threads.c: for each accepted connection
the main thread starts a thread that echoes and closes the connection.  The
threads are daemon threads, nobody joins them (the C threads detach).
Signal handlers run in the main thread only (Python's rule, as the C server
arranges by blocking them in the peer threads).  The kernel may deliver
SIGTERM to a peer thread, which interrupts nothing in the main thread: the
self-pipe it waits on with the listening socket (common.py) wakes it.

usage: python3 echo_threads.py [--host H] [--port N]
"""
import sys
import threading

from common import echo, accept, server_startup


def thread(conn):
    echo(conn)
    conn.close()


def main():
    listenfd, _ = server_startup(sys.argv)
    while True:
        conn = accept(listenfd)
        try:
            threading.Thread(target=thread, args=(conn,), daemon=True).start()
        except RuntimeError as e:  # can't start new thread
            print(f"pthread_create: {e}", file=sys.stderr)
            conn.close()


if __name__ == "__main__":
    main()
