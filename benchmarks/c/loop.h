/*
 * loop.h - what the two timed loops (fork_loop, socketpair_loop) share:
 * their one argument, the iteration count, and their clocks.  Header-only,
 * so that each stays a standalone program without common.o.
 */
#ifndef LOOP_H
#define LOOP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* argv[1] as a count >= 0; -1 after printing the usage (exit with 64). */
static inline long long loop_count(int argc, char **argv)
{
    long long n;
    char *end;

    if (argc == 2) {
        errno = 0;
        n = strtoll(argv[1], &end, 10);
        if (!errno && end != argv[1] && *end == '\0' && n >= 0)
            return n;
    }
    fprintf(stderr, "usage: %s N\n", argv[0]);
    return -1;
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system time of this process and of its reaped children. */
static inline double cpu_s(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec)
        + (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

#endif
