/*
 * socketpair_loop.c - per-syscall overhead baseline.
 *
 * usage: socketpair_loop N
 *
 * Creates socketpair(AF_UNIX, SOCK_STREAM) and runs N iterations of
 * write(sv[0], 1 byte) + read(sv[1], 1 byte), checking every result, timed
 * with CLOCK_MONOTONIC.  Prints one JSON line:
 *   {"iterations":N,"seconds":S,"ns_per_iter":X}
 * Exit 0 on success, 1 on a failed call, 64 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"

int main(int argc, char **argv)
{
    int sv[2];
    long long n = loop_count(argc, argv), i;

    if (n < 0)
        return 64;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }

    double t0 = now_s();
    for (i = 0; i < n; i++) {
        char out = (char)('a' + (i % 26)), in = 0;
        ssize_t w = write(sv[0], &out, 1);
        if (w != 1) {
            fprintf(stderr, "write: %s\n", w < 0 ? strerror(errno) : "short");
            return 1;
        }
        ssize_t r = read(sv[1], &in, 1);
        if (r != 1 || in != out) {
            fprintf(stderr, "read: %s\n",
                    r < 0 ? strerror(errno) : r == 0 ? "EOF" : "bad byte");
            return 1;
        }
    }
    double secs = now_s() - t0;

    printf("{\"iterations\":%lld,\"seconds\":%.6f,\"ns_per_iter\":%.1f}\n", n,
           secs, n > 0 ? secs * 1e9 / (double)n : 0.0);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
