#!/usr/bin/env python3
"""echo_prethreaded.py - prethreaded echo server (CSAPP 3e echoservert_pre.c
with sbuf.c).

A Python port of benchmarks/c/echo_prethreaded.c: the main thread accepts
connections and inserts them into a bounded buffer (sbuf) of SBUFSIZE
slots; NTHREADS worker threads (default 4, --threads N, as in C) remove
them and echo until the client closes.  The sbuf is the book's
producer/consumer buffer: a binary semaphore "mutex" plus the counting
semaphores "slots" and "items" (threading.Semaphore: P is acquire, V is
release).

usage: python3 echo_prethreaded.py [--host H] [--port N] [--threads N]
"""
import sys
import threading

from common import echo, accept, server_startup

NTHREADS = 4
SBUFSIZE = 16


class Sbuf:
    def __init__(self, n):
        self.buf = [None] * n      # buffer array
        self.n = n                 # maximum number of slots
        self.front = 0             # buf[(front+1)%n] is first item
        self.rear = 0              # buf[rear%n] is last item
        self.mutex = threading.Semaphore(1)  # protects accesses to buf
        self.slots = threading.Semaphore(n)  # counts available slots
        self.items = threading.Semaphore(0)  # counts available items

    def insert(self, item):
        self.slots.acquire()
        self.mutex.acquire()
        self.rear += 1
        self.buf[self.rear % self.n] = item
        self.mutex.release()
        self.items.release()

    def remove(self):
        self.items.acquire()
        self.mutex.acquire()
        self.front += 1
        item = self.buf[self.front % self.n]
        self.buf[self.front % self.n] = None
        self.mutex.release()
        self.slots.release()
        return item


sbuf = Sbuf(SBUFSIZE)


def thread():
    while True:
        conn = sbuf.remove()
        echo(conn)
        conn.close()


def main():
    listenfd, threads = server_startup(sys.argv, allow_threads=True,
                                       threads=NTHREADS)
    for _ in range(threads):
        threading.Thread(target=thread, daemon=True).start()
    while True:
        conn = accept(listenfd)
        sbuf.insert(conn)


if __name__ == "__main__":
    main()
