#!/usr/bin/env python3
"""fork_loop.py - the least a process per connection costs, in Python.

A port of benchmarks/c/fork_loop.c: N times in a row, os.fork(); the child
calls os._exit(0) at once; the parent waits for it with os.waitpid and
checks that it exited with 0.  What echo_fork.py pays per client before it
serves a byte, so it bounds its churn, as the C and TypeScript loops bound
theirs.  Timed with time.monotonic(); the CPU time is getrusage's, the
process's own and its reaped children's.  Prints one JSON line:
  {"iterations":N,"seconds":S,"ns_per_iter":X,"cpu_ns_per_iter":C}
Exit 0 on success, 1 on a failed call, 64 on a usage error.

usage: python3 fork_loop.py N
"""
import json
import os
import resource
import sys
import time


def cpu_seconds():
    """This process's CPU time and its reaped children's."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: fork_loop.py N", file=sys.stderr)
        return 64
    n = int(argv[1])
    c0 = cpu_seconds()
    t0 = time.monotonic()
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        got, status = os.waitpid(pid, 0)
        if got != pid or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            print(f"child {pid}: status {status:#x}", file=sys.stderr)
            return 1
    seconds = time.monotonic() - t0
    cpu = cpu_seconds() - c0
    per = (lambda s: round(s * 1e9 / n, 1)) if n > 0 else (lambda s: 0.0)
    print(json.dumps({"iterations": n, "seconds": round(seconds, 6),
                      "ns_per_iter": per(seconds), "cpu_ns_per_iter": per(cpu)},
                     separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
