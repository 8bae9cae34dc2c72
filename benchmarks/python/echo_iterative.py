#!/usr/bin/env python3
"""echo_iterative.py - iterative echo server (CSAPP 3e echoserveri.c).

A Python port of benchmarks/c/echo_iterative.c: accepts one connection at a
time, echoes lines until the client closes, closes, accepts the next.
Other clients wait in the listen backlog.

usage: python3 echo_iterative.py [--host H] [--port N]
"""
import sys

from common import echo, accept, server_startup


def main():
    listenfd, _ = server_startup(sys.argv)
    while True:
        conn = accept(listenfd)
        echo(conn)
        conn.close()


if __name__ == "__main__":
    main()
