/*
 * fork_loop.c - the least a process per connection costs.
 *
 * usage: fork_loop N
 *
 * N times in a row: fork(); the child calls _exit(0) at once; the parent
 * waits for it with waitpid and checks that it exited with 0.  So each
 * iteration is a fork, a child's exit (its address space torn down) and a
 * reap, with no connection: what echo_fork pays per client before it serves
 * a byte.  Timed with CLOCK_MONOTONIC; the CPU time is getrusage's, the
 * process's own and its reaped children's.  Prints one JSON line:
 *   {"iterations":N,"seconds":S,"ns_per_iter":X,"cpu_ns_per_iter":C}
 * Exit 0 on success, 1 on a failed call, 64 on a usage error.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"

int main(int argc, char **argv)
{
    long long n = loop_count(argc, argv), i;

    if (n < 0)
        return 64;

    double c0 = cpu_s();
    double t0 = now_s();
    for (i = 0; i < n; i++) {
        int status;
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child %d: status 0x%x\n", (int)pid, status);
            return 1;
        }
    }
    double seconds = now_s() - t0;
    double cpu = cpu_s() - c0;

    printf("{\"iterations\":%lld,\"seconds\":%.6f,\"ns_per_iter\":%.1f,\"cpu_ns_per_iter\":%.1f}\n",
           n, seconds, n > 0 ? seconds * 1e9 / (double)n : 0.0, n > 0 ? cpu * 1e9 / (double)n : 0.0);
    return 0;
}
