#!/usr/bin/env python3
"""echo_fork.py - process-per-connection echo server (CSAPP 3e echoserverp.c).

A Python port of benchmarks/c/echo_fork.c.  The parent accepts, forks,
closes its copy of the connection.  The child closes the listening socket,
echoes, closes and exits.  Zombies are reaped by a SIGCHLD handler that
loops on waitpid(-1, WNOHANG); the parent's wait for the next connection
goes on after it runs, as SA_RESTART makes accept() do in C.

As in C, on Linux a child asks for SIGTERM when its parent dies
(prctl PR_SET_PDEATHSIG, through ctypes), so stopping the server by its pid
also ends the children still serving an idle client.

usage: python3 echo_fork.py [--host H] [--port N]
"""
import os
import signal
import sys

from common import echo, accept, close_signal_fd, server_startup

PR_SET_PDEATHSIG = 1


def sigchld_handler(signum, frame):
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass  # no children left


def load_prctl():
    """libc's prctl on Linux (through ctypes, loaded once in the parent:
    importing ctypes in every child would cost more than the fork), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(prctl, parent):
    if prctl is None:
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)  # parent already gone


def main():
    listenfd, _ = server_startup(sys.argv)
    parent = os.getpid()
    prctl = load_prctl()
    signal.signal(signal.SIGCHLD, sigchld_handler)
    while True:
        conn = accept(listenfd)
        try:
            pid = os.fork()
        except OSError as e:
            print(f"fork: {e}", file=sys.stderr)
            conn.close()
            continue
        if pid == 0:  # child
            try:
                die_with_parent(prctl, parent)
                close_signal_fd()
                listenfd.close()
                echo(conn)
                conn.close()
            finally:
                os._exit(0)
        conn.close()  # parent


if __name__ == "__main__":
    main()
