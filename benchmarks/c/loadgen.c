/*
 * loadgen.c - single-threaded load generator for the echo servers.
 *
 * usage:
 *   loadgen pingpong --host H --port P --conns N (--rounds M | --seconds S)
 *                    --len L
 *                    [--timeout SEC] [--idle K] [--idle-ms MS] [--idle-half]
 *                    [--idle-echo] [--idle-pause] [--settle]
 *   loadgen pingpong --host H --port P --conns N --len L --slices
 *                    [--timeout SEC] [--settle]
 *   loadgen churn    --host H --port P (--total T | --seconds S)
 *                    --concurrency C --len L
 *                    [--timeout SEC] [--idle K] [--idle-ms MS] [--idle-half]
 *   loadgen churn    --host H --port P --concurrency C --len L --slices
 *                    [--timeout SEC]
 *
 * Options also accept the --name=value form.
 *
 * pingpong: N connections are opened at once (non-blocking connect).  Each
 *   sends a line of exactly L bytes (L-1 printable bytes, then '\n'), waits
 *   until L bytes came back, checks they equal what was sent, records the
 *   round-trip time, and repeats M times, then closes.  Connections progress
 *   independently, so an iterative server that serves them one after the
 *   other works: a connection whose request sits unserved just waits.
 *   A connection that fails (refused, reset, EOF before L bytes, content
 *   mismatch) counts one error, is closed and is not replaced.
 *
 * churn: T short connections, at most C at a time: connect, send one line
 *   of L bytes, read L bytes back (checked), close, start the next.  The
 *   latency is from the start of connect() to close().  A failed
 *   connection counts one error and is replaced until T attempts were made.
 *   With --seconds S instead of --total, new connections start for S
 *   seconds, and the run ends when the last one started is done: the same
 *   measuring time for a server of 100 connections/s and one of 20,000.
 *   pingpong takes --seconds S instead of --rounds likewise: each
 *   connection starts round trips for S seconds.
 *
 * idle connections (--idle K): before the measured connections, K extra
 *   connections are opened (and, with --idle-half, send L/2 printable bytes
 *   with no '\n').  The generator waits until they are established, then
 *   starts the measured phase.  They are closed --idle-ms milliseconds after
 *   that (default: at the end of the run) and are not measured.  A failure
 *   to establish one counts as an error.
 *
 * --idle-echo: each idle connection first does one round trip (a line of L
 *   bytes, checked), so it is held only once the server has accepted it and
 *   serves it (forked its child, started its thread, put it in its select
 *   set): what holding K connections costs the server.  The idle
 *   connections are then opened at most IDLE_BATCH at a time, so the listen
 *   backlog never overflows.  Failures count as errors (and idle_errors).
 *
 * --idle-pause: once the idle connections are held, print one JSON line
 *   {"idle":K,"idle_held":H,"idle_errors":E,"idle_seconds":S} on stdout and
 *   wait for a line on stdin before the measured phase (the benchmark
 *   runner measures the server's memory meanwhile).
 *
 * --settle (pingpong): each measured connection first makes one round trip,
 *   untimed, and waits; the measured phase starts once every one has, so
 *   that it counts round trips on open connections only, not the server's
 *   work to take each one on (a fork server's 50 forks were a third of a
 *   2 s window).  Only for a server that serves all its connections at
 *   once: an iterative server never answers the second connection while
 *   the first one waits.  "settle_seconds" in the output is how long it
 *   took.
 *
 * --slices: the windows come from stdin, so that a runner can take turns
 *   between servers, each loadgen measuring its own, in slices short enough
 *   that a slow spell of the machine falls on every server alike.  Once
 *   ready (pingpong: the connections open, and with --settle each one's
 *   first round trip made), loadgen prints {"ready":true} and reads lines:
 *   a number S runs one window of S seconds and prints
 *   {"slice":I,"requests":R,"errors":E,"seconds":T} ("connections" for
 *   churn); "warm S" runs one likewise but counts nothing of it (its line
 *   says "warm":true), for a server idle while others warmed up; "end"
 *   (or EOF) ends the run with the usual result line, over the counted
 *   windows (requests and seconds summed, "slices":N).  Between windows
 *   pingpong's connections stay open and idle: at the end of a window each
 *   one finishes its round trip and waits.  One that the server has not
 *   served (an iterative server serves one at a time) keeps its request
 *   outstanding, and the window ends after 20 ms without a completed round
 *   trip past its time.  A window lasts until its last round trip or
 *   connection, as the whole run does without --slices.
 *
 * --timeout SEC (default 60, fractional allowed) is an overall deadline from
 *   program start; when it passes the run stops and reports what completed
 *   with "timeout":true.
 *
 * RLIMIT_NOFILE: the soft limit is raised to the hard limit; when that is
 *   still short of the connections asked for, loadgen says so and exits 1.
 *
 * Output: one JSON line on stdout at the end (after the --idle-pause line):
 *   {"mode":"pingpong","conns":N,"rounds":M,"len":L,"requests":R,
 *    "errors":E,"seconds":S,"req_per_s":X,"p50_us":..,"p99_us":..,
 *    "max_us":..,"timeout":false}
 *   {"mode":"churn","total":T,"concurrency":C,"len":L,"connections":K,
 *    ("total":null,"for_seconds":S with --seconds)
 *    "errors":E,"seconds":S,"conn_per_s":X,"p50_us":..,"p99_us":..,
 *    "max_us":..,"timeout":false}
 * With --idle K > 0 the line also has "idle":K,"idle_held":H,
 * "idle_errors":E,"idle_seconds":S (the time to establish them).
 * "seconds" is the measured phase (from the first measured connect until
 * the last measured connection finished).  Percentiles are nearest-rank
 * over all samples, in microseconds with one decimal; 0 when there are no
 * samples.  The first few errors are described on stderr.
 *
 * Exit status: 0 all completed without errors, 1 errors, 2 timeout,
 * 64 usage error.
 *
 * Event loop: epoll (edge-triggered, every socket registered once for
 * IN|OUT) on Linux, poll() elsewhere (or when built with
 * -DLOADGEN_FORCE_POLL, to test that path on Linux).  Client sockets are non-blocking with
 * TCP_NODELAY.  RLIMIT_NOFILE soft limit is raised to the hard limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "common.h" /* raise_nofile_limit */

#if defined(__linux__) && !defined(LOADGEN_FORCE_POLL)
#include <sys/epoll.h>
#define USE_EPOLL 1
#else
#include <poll.h>
#define USE_EPOLL 0
#endif

#define EXIT_USAGE 64
#define MAX_LEN (16 * 1024 * 1024)
#define NMSGS 94 /* distinct message patterns */
#define MAX_ERROR_LOGS 10
#define IDLE_BATCH 64 /* --idle-echo: idle connections opening at a time */
#define SPARE_FDS 16  /* stdio, epoll and the like, beside the sockets */

enum mode { MODE_PINGPONG, MODE_CHURN };
enum state { ST_FREE, ST_CONNECTING, ST_ACTIVE, ST_IDLE_ECHO, ST_IDLE_HELD,
             ST_SETTLED };

struct conn {
    int fd;
    uint32_t gen;       /* bumped on every new socket in this slot */
    unsigned char state;
    unsigned char idle; /* an unmeasured idle connection */
    int msg;            /* index of the message pattern of this round */
    long long id;       /* connection number (for patterns / logs) */
    long long rounds_done;
    size_t sent, recvd;
    uint64_t t_conn;  /* connect() start */
    uint64_t t_round; /* round start */
};

/* ---- configuration ---- */
static enum mode mode;
static const char *opt_host, *opt_port;
static long long opt_conns = -1, opt_rounds = -1, opt_total = -1,
                 opt_concurrency = -1, opt_len = -1;
static long long opt_idle = 0, opt_idle_ms = -1;
static int opt_idle_half = 0, opt_idle_echo = 0, opt_idle_pause = 0;
static int opt_settle = 0;
static int opt_slices = 0;
static double opt_timeout = 60.0;
static double opt_seconds = -1; /* start connections (churn) or rounds (pingpong) for this long */
static uint64_t g_until;         /* now_ns() after which none starts (0: no bound) */

/* ---- state ---- */
static struct addrinfo *g_ai;
static struct conn *conns;
static size_t nconns;   /* slots: idle first, then measured */
static size_t nidle;    /* = opt_idle */
static char **msgs;     /* NMSGS patterns of length L */
static char *scratch;   /* read buffer, L bytes */
static size_t L;

static long long g_requests, g_connections, g_errors, g_attempts;
static long long g_active;       /* measured connections not yet finished */
static long long g_idle_pending; /* idle connections still connecting */
static long long g_idle_held, g_idle_errors;
static size_t g_idle_next;       /* next idle slot to open */
static long long g_next_id;
static int g_settling;            /* --settle: the untimed first round trips */
static long long g_settle_pending; /* measured connections not settled yet */
static long long g_parked;         /* --slices: connections waiting for the next window */
static uint64_t g_last_done;       /* --slices: when the last round trip or connection ended */

static uint64_t *samples;
static size_t nsamples, capsamples;

#if USE_EPOLL
static int epfd = -1;
#else
static struct pollfd *pfds;
static size_t *pfd_slot;
#endif

/* ------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: loadgen pingpong --host H --port P --conns N (--rounds M | --seconds S) "
            "--len L\n"
            "                [--timeout SEC] [--idle K] [--idle-ms MS] [--idle-half]\n"
            "                [--idle-echo] [--idle-pause] [--settle]\n"
            "       loadgen pingpong --host H --port P --conns N --len L --slices\n"
            "                [--timeout SEC] [--settle]\n"
            "       loadgen churn --host H --port P (--total T | --seconds S) "
            "--concurrency C --len L\n"
            "                [--timeout SEC] [--idle K] [--idle-ms MS] [--idle-half]\n"
            "       loadgen churn --host H --port P --concurrency C --len L --slices\n"
            "                [--timeout SEC]\n");
}

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "loadgen: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    usage(stderr);
    exit(EXIT_USAGE);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "loadgen: out of memory\n");
        exit(1);
    }
    return p;
}

static void add_sample(uint64_t ns)
{
    if (nsamples == capsamples) {
        size_t nc = capsamples ? capsamples * 2 : 4096;
        uint64_t *p = realloc(samples, nc * sizeof *p);
        if (!p) {
            fprintf(stderr, "loadgen: out of memory (samples)\n");
            exit(1);
        }
        samples = p;
        capsamples = nc;
    }
    samples[nsamples++] = ns;
}

static void log_error(const struct conn *c, const char *what, int err)
{
    if (g_errors <= MAX_ERROR_LOGS)
        fprintf(stderr, "loadgen: %sconnection %lld: %s%s%s\n",
                c->idle ? "idle " : "", c->id, what, err ? ": " : "",
                err ? strerror(err) : "");
    if (g_errors == MAX_ERROR_LOGS)
        fprintf(stderr, "loadgen: (further errors not shown)\n");
}

/* ------------------------------------------------------------------ */
/* connections                                                        */
/* ------------------------------------------------------------------ */

static void start_next_churn(size_t slot);

static void set_nonblock_nodelay(int fd)
{
    int one = 1;
#if !(defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC))
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
    if (g_ai->ai_family == AF_INET || g_ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
}

/* Close the socket of a slot (no accounting). */
static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd); /* removes it from the epoll set too */
    c->fd = -1;
    c->state = ST_FREE;
}

/* Account for a finished (completed or failed) connection. */
static void conn_finished(struct conn *c)
{
    size_t slot = (size_t)(c - conns);
    if (c->idle) {
        if (g_idle_pending > 0 &&
            (c->state == ST_CONNECTING || c->state == ST_IDLE_ECHO))
            g_idle_pending--;
        conn_close(c);
        return;
    }
    if (g_settling && c->state != ST_SETTLED)
        g_settle_pending--;
    conn_close(c);
    g_active--;
    if (mode == MODE_CHURN)
        start_next_churn(slot);
}

static void conn_fail(struct conn *c, const char *what, int err)
{
    g_errors++;
    if (c->idle)
        g_idle_errors++;
    log_error(c, what, err);
    conn_finished(c);
}

/* Start a non-blocking connect in slot c.  Returns 0 on success (state
 * CONNECTING), or -1 with errno set (slot left FREE). */
static int conn_start(struct conn *c, int idle)
{
    int fd, e;

    c->idle = (unsigned char)idle;
    c->id = g_next_id++;
    c->rounds_done = 0;
    c->sent = c->recvd = 0;
    c->t_conn = now_ns();
    c->gen++;

#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    fd = socket(g_ai->ai_family, g_ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                g_ai->ai_protocol);
#else
    fd = socket(g_ai->ai_family, g_ai->ai_socktype, g_ai->ai_protocol);
#endif
    if (fd < 0)
        return -1;
    set_nonblock_nodelay(fd);
    if (connect(fd, g_ai->ai_addr, g_ai->ai_addrlen) < 0 &&
        errno != EINPROGRESS && errno != EINTR) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    /* Registered only after connect(): a fresh unconnected TCP socket
     * reports EPOLLHUP. Connected-or-not, completion is seen as OUT. */
#if USE_EPOLL
    struct epoll_event ev;
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = ((uint64_t)c->gen << 32) | (uint64_t)(c - conns);
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
#endif
    c->fd = fd;
    c->state = ST_CONNECTING;
    return 0;
}

static void start_round(struct conn *c)
{
    c->sent = c->recvd = 0;
    c->msg = (int)((c->id * 31 + c->rounds_done * 7) % NMSGS);
    c->t_round = now_ns();
}

/* Write as much of the current request as possible.
 * Returns 0 if ok (maybe partial), -1 if the connection failed. */
static int do_write(struct conn *c)
{
    const char *m = msgs[c->msg];
    while (c->sent < L) {
        ssize_t n = write(c->fd, m + c->sent, L - c->sent);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            conn_fail(c, "write", errno);
            return -1;
        }
        c->sent += (size_t)n;
    }
    return 0;
}

static void round_done(struct conn *c)
{
    uint64_t t = now_ns();
    c->rounds_done++;
    if (c->idle) { /* --idle-echo: served once, now held */
        c->state = ST_IDLE_HELD;
        g_idle_pending--;
        g_idle_held++;
        return;
    }
    if (mode == MODE_PINGPONG && g_settling) { /* --settle: wait, untimed */
        c->state = ST_SETTLED;
        g_settle_pending--;
        return;
    }
    if (mode == MODE_PINGPONG) {
        add_sample(t - c->t_round);
        g_requests++;
        g_last_done = t;
        if (c->rounds_done < opt_rounds && !(g_until && t >= g_until)) {
            start_round(c);
            (void)do_write(c);
            return;
        }
        if (opt_slices) { /* open and idle until the next window */
            c->state = ST_SETTLED;
            g_parked++;
            return;
        }
        conn_finished(c);
    } else {
        conn_close(c); /* latency includes close() */
        g_last_done = now_ns();
        add_sample(g_last_done - c->t_conn);
        g_connections++;
        conn_finished(c); /* fd already closed; starts the next one */
    }
}

/* Read the response.  Stops at EAGAIN or when the round is complete. */
static void do_read(struct conn *c)
{
    const char *m = msgs[c->msg];
    for (;;) {
        ssize_t n = read(c->fd, scratch, L - c->recvd);
        if (n > 0) {
            if (c->recvd + (size_t)n > c->sent) {
                conn_fail(c, "received more bytes than were sent", 0);
                return;
            }
            if (memcmp(scratch, m + c->recvd, (size_t)n) != 0) {
                conn_fail(c, "echoed data does not match what was sent", 0);
                return;
            }
            c->recvd += (size_t)n;
            if (c->recvd == L) {
                round_done(c);
                return;
            }
            continue;
        }
        if (n == 0) {
            conn_fail(c, "connection closed by server before the full echo",
                      0);
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        conn_fail(c, "read", errno);
        return;
    }
}

static void on_connected(struct conn *c)
{
    if (c->idle) {
        if (opt_idle_half) {
            /* L/2 printable bytes, no '\n' (msgs[0][0..L-1) is printable;
             * for L == 1 send a single printable byte) */
            size_t h = L / 2 ? L / 2 : 1;
            const char *half = L >= 2 ? msgs[0] : "x";
            ssize_t n = write(c->fd, half, h);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                conn_fail(c, "write (idle half line)", errno);
                return;
            }
        }
        if (opt_idle_echo) {
            c->state = ST_IDLE_ECHO;
            start_round(c);
            (void)do_write(c);
            return;
        }
        c->state = ST_IDLE_HELD;
        g_idle_pending--;
        g_idle_held++;
        return;
    }
    c->state = ST_ACTIVE;
    start_round(c);
    (void)do_write(c);
}

static void on_event(struct conn *c, int can_read, int can_write, int bad)
{
    switch (c->state) {
    case ST_CONNECTING: {
        if (bad) { /* error/hangup: find out why */
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
            conn_fail(c, "connect", err ? err : ECONNRESET);
            return;
        }
        if (!can_write) {
            /* readable/hup without error while connecting: make sure */
            struct sockaddr_storage ss;
            socklen_t sl = sizeof ss;
            if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) < 0) {
                if (errno == ENOTCONN)
                    return; /* still connecting */
                conn_fail(c, "connect", errno);
                return;
            }
        }
        on_connected(c);
        return;
    }
    case ST_ACTIVE:
    case ST_IDLE_ECHO: {
        unsigned char st = c->state;
        if (can_write && c->sent < L) {
            if (do_write(c) < 0)
                return;
        }
        if (can_read && c->state == st)
            do_read(c);
        return;
    }
    default:
        return; /* idle-held or stale */
    }
}

static void start_next_churn(size_t slot)
{
    struct conn *c = &conns[slot];
    while (g_attempts < opt_total) {
        if (g_until && now_ns() >= g_until)
            return;
        g_attempts++;
        if (conn_start(c, 0) == 0) {
            g_active++;
            return;
        }
        g_errors++;
        log_error(c, "connect", errno);
    }
}

/* Open idle connections: all at once, or with --idle-echo at most
 * IDLE_BATCH in progress at a time. */
static void start_idle_more(void)
{
    long long batch = opt_idle_echo ? IDLE_BATCH : (long long)nidle;
    while (g_idle_next < nidle && g_idle_pending < batch) {
        struct conn *c = &conns[g_idle_next++];
        if (conn_start(c, 1) == 0) {
            g_idle_pending++;
        } else {
            g_errors++;
            g_idle_errors++;
            log_error(c, "connect", errno);
        }
    }
}

/* Is the soft RLIMIT_NOFILE (raised to the hard limit) enough for n
 * sockets?  If not, say so and exit 1. */
static void check_nofile(size_t n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= (rlim_t)n + SPARE_FDS)
        return;
    fprintf(stderr,
            "loadgen: %zu connections need about %zu descriptors, but "
            "RLIMIT_NOFILE is %llu (hard limit %llu): raise the hard limit "
            "(ulimit -Hn, limits.conf)\n",
            n, n + SPARE_FDS, (unsigned long long)rl.rlim_cur,
            (unsigned long long)rl.rlim_max);
    exit(1);
}

/* ------------------------------------------------------------------ */
/* event loop                                                         */
/* ------------------------------------------------------------------ */

/* Wait up to timeout_ms for events and dispatch them. */
static void poll_once(int timeout_ms)
{
#if USE_EPOLL
    struct epoll_event evs[512];
    int i, n = epoll_wait(epfd, evs, 512, timeout_ms);
    if (n < 0) {
        if (errno == EINTR)
            return;
        perror("loadgen: epoll_wait");
        exit(1);
    }
    for (i = 0; i < n; i++) {
        size_t slot = (size_t)(evs[i].data.u64 & 0xffffffffu);
        uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
        struct conn *c = &conns[slot];
        uint32_t e = evs[i].events;
        if (c->gen != gen || c->fd < 0)
            continue; /* stale */
        int bad = (e & (EPOLLERR | EPOLLHUP)) != 0;
        on_event(c, bad || (e & (EPOLLIN | EPOLLRDHUP)),
                 bad || (e & EPOLLOUT), bad);
    }
#else
    size_t i, n = 0;
    for (i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        short ev;
        if (c->state == ST_CONNECTING)
            ev = POLLOUT;
        else if (c->state == ST_ACTIVE || c->state == ST_IDLE_ECHO)
            ev = (short)(POLLIN | (c->sent < L ? POLLOUT : 0));
        else
            continue;
        pfds[n].fd = c->fd;
        pfds[n].events = ev;
        pfds[n].revents = 0;
        pfd_slot[n] = i;
        n++;
    }
    int rc = poll(pfds, (nfds_t)n, timeout_ms);
    if (rc < 0) {
        if (errno == EINTR)
            return;
        perror("loadgen: poll");
        exit(1);
    }
    for (i = 0; i < n && rc > 0; i++) {
        short re = pfds[i].revents;
        struct conn *c = &conns[pfd_slot[i]];
        if (!re)
            continue;
        rc--;
        if (c->fd != pfds[i].fd)
            continue; /* slot was reused during this pass */
        int bad = (re & (POLLERR | POLLHUP | POLLNVAL)) != 0;
        on_event(c, bad || (re & POLLIN), bad || (re & POLLOUT), bad);
    }
#endif
}

static int ms_until(uint64_t t, uint64_t now)
{
    if (t <= now)
        return 0;
    uint64_t ms = (t - now + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* ------------------------------------------------------------------ */
/* arguments                                                          */
/* ------------------------------------------------------------------ */

static long long parse_ll(const char *name, const char *v, long long min,
                          long long max)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end != '\0' || x < min || x > max)
        usage_error("bad value for %s: '%s'", name, v);
    return x;
}

/* A positive number of seconds, at most max. */
static double parse_secs(const char *name, const char *v, double max)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end != '\0' || !(x > 0) || x > max)
        usage_error("bad value for %s: '%s'", name, v);
    return x;
}

static void parse_args(int argc, char **argv)
{
    int i;
    if (argc < 2)
        usage_error("missing mode");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        exit(0);
    }
    if (strcmp(argv[1], "pingpong") == 0)
        mode = MODE_PINGPONG;
    else if (strcmp(argv[1], "churn") == 0)
        mode = MODE_CHURN;
    else
        usage_error("unknown mode '%s'", argv[1]);

    for (i = 2; i < argc; i++) {
        char name[32];
        const char *a = argv[i], *val = NULL, *eq;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0)
            usage_error("unexpected argument '%s'", a);
        eq = strchr(a, '=');
        if (eq) {
            size_t nl = (size_t)(eq - a);
            if (nl >= sizeof name)
                usage_error("unknown option '%s'", a);
            memcpy(name, a, nl);
            name[nl] = '\0';
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof name)
                usage_error("unknown option '%s'", a);
            strcpy(name, a);
        }

        if (strcmp(name, "--idle-half") == 0 ||
            strcmp(name, "--idle-echo") == 0 ||
            strcmp(name, "--idle-pause") == 0 ||
            strcmp(name, "--settle") == 0 ||
            strcmp(name, "--slices") == 0) {
            if (val)
                usage_error("%s takes no value", name);
            if (strcmp(name, "--idle-half") == 0)
                opt_idle_half = 1;
            else if (strcmp(name, "--idle-echo") == 0)
                opt_idle_echo = 1;
            else if (strcmp(name, "--settle") == 0)
                opt_settle = 1;
            else if (strcmp(name, "--slices") == 0)
                opt_slices = 1;
            else
                opt_idle_pause = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc)
                usage_error("%s needs a value", name);
            val = argv[++i];
        }

        if (strcmp(name, "--host") == 0) {
            if (!*val)
                usage_error("empty --host");
            opt_host = val;
        } else if (strcmp(name, "--port") == 0) {
            parse_ll(name, val, 1, 65535);
            opt_port = val;
        } else if (strcmp(name, "--len") == 0) {
            opt_len = parse_ll(name, val, 1, MAX_LEN);
        } else if (strcmp(name, "--timeout") == 0) {
            opt_timeout = parse_secs(name, val, 1e7);
        } else if (strcmp(name, "--idle") == 0) {
            opt_idle = parse_ll(name, val, 0, 1000000);
        } else if (strcmp(name, "--idle-ms") == 0) {
            opt_idle_ms = parse_ll(name, val, 0, 1000000000LL);
        } else if (mode == MODE_PINGPONG && strcmp(name, "--conns") == 0) {
            opt_conns = parse_ll(name, val, 1, 1000000);
        } else if (mode == MODE_PINGPONG && strcmp(name, "--rounds") == 0) {
            opt_rounds = parse_ll(name, val, 1, 1000000000000LL);
        } else if (mode == MODE_CHURN && strcmp(name, "--total") == 0) {
            opt_total = parse_ll(name, val, 1, 1000000000000LL);
        } else if (strcmp(name, "--seconds") == 0) {
            opt_seconds = parse_secs(name, val, 1e6);
        } else if (mode == MODE_CHURN &&
                   strcmp(name, "--concurrency") == 0) {
            opt_concurrency = parse_ll(name, val, 1, 1000000);
        } else {
            usage_error("unknown option '%s' for mode %s", name, argv[1]);
        }
    }

    if (!opt_host)
        usage_error("--host is required");
    if (!opt_port)
        usage_error("--port is required");
    if (opt_len < 0)
        usage_error("--len is required");
    if (opt_slices) {
        if (opt_rounds >= 0 || opt_total >= 0 || opt_seconds > 0)
            usage_error("--slices takes its windows from stdin: no --rounds, "
                        "--seconds or --total");
        if (opt_idle > 0 || opt_idle_ms >= 0 || opt_idle_pause)
            usage_error("--slices does not hold idle connections");
        if (mode == MODE_PINGPONG)
            opt_rounds = 1000000000000LL; /* bounded by each window */
        else
            opt_total = 1000000000000LL;
    }
    if (mode == MODE_PINGPONG && opt_rounds >= 0 && opt_seconds > 0)
        usage_error("pingpong takes --rounds or --seconds, not both");
    if (mode == MODE_PINGPONG && opt_seconds > 0)
        opt_rounds = 1000000000000LL; /* bounded by the time instead */
    if (mode == MODE_PINGPONG && (opt_conns < 0 || opt_rounds < 0))
        usage_error("pingpong needs --conns and --rounds (or --seconds)");
    if (mode == MODE_CHURN && opt_total >= 0 && opt_seconds > 0)
        usage_error("churn takes --total or --seconds, not both");
    if (mode == MODE_CHURN && opt_seconds > 0)
        opt_total = 1000000000000LL; /* bounded by the time instead */
    if (mode == MODE_CHURN && (opt_total < 0 || opt_concurrency < 0))
        usage_error("churn needs --total (or --seconds) and --concurrency");
    if (opt_settle && mode != MODE_PINGPONG)
        usage_error("--settle is for pingpong");
    if (opt_idle_echo && opt_idle_half)
        usage_error("--idle-echo and --idle-half exclude each other");
}

/* ------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(double p)
{
    if (nsamples == 0)
        return 0.0;
    size_t rank = (size_t)((p / 100.0) * (double)nsamples + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > nsamples)
        rank = nsamples;
    return (double)samples[rank - 1] / 1000.0;
}

static double g_settle_seconds;

/* --settle: wait until every measured connection made its first round trip
 * (or failed), then start the measured phase: its clock, its window, and
 * the next round trip of each.  Returns 1 on the overall deadline. */
static int settle(uint64_t deadline, uint64_t *t_measure,
                  uint64_t *idle_close_at)
{
    uint64_t t0 = now_ns();
    size_t i;
    while (g_settle_pending > 0) {
        uint64_t now = now_ns();
        if (now >= deadline)
            return 1;
        poll_once(ms_until(deadline, now));
    }
    g_settling = 0;
    *t_measure = now_ns();
    g_settle_seconds = (double)(*t_measure - t0) / 1e9;
    if (opt_slices) { /* the windows start them */
        for (i = nidle; i < nconns; i++)
            if (conns[i].state == ST_SETTLED)
                g_parked++;
        return 0;
    }
    if (opt_seconds > 0)
        g_until = *t_measure + (uint64_t)(opt_seconds * 1e9);
    if (opt_idle_ms >= 0)
        *idle_close_at = *t_measure + (uint64_t)opt_idle_ms * 1000000ull;
    for (i = nidle; i < nconns; i++) {
        struct conn *c = &conns[i];
        if (c->state != ST_SETTLED)
            continue;
        c->rounds_done = 0;
        c->state = ST_ACTIVE;
        start_round(c);
        (void)do_write(c);
    }
    return 0;
}

/* --slices: how long a window waits, past its time, for a round trip that
 * is not coming (a connection the server has not served yet). */
#define QUIET_NS 20000000ull

/* --slices: the windows from stdin, one after the other (see the top).
 * Adds each one's time to *secs.  Returns 1 on the overall deadline. */
static int run_slices(uint64_t deadline, double *secs, int *nslices)
{
    char line[64];
    int opened = mode == MODE_CHURN || opt_settle;
    printf("{\"ready\":true}\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        char *end;
        size_t i;
        double s;
        int warm = strncmp(line, "warm ", 5) == 0;
        if (strncmp(line, "end", 3) == 0)
            break;
        s = strtod(warm ? line + 5 : line, &end);
        if (end == line || !(s > 0 && s <= 1e6)) {
            line[strcspn(line, "\n")] = '\0';
            fprintf(stderr, "loadgen: --slices: not a window in seconds: '%s'\n", line);
            exit(EXIT_USAGE);
        }
        long long done0 = mode == MODE_PINGPONG ? g_requests : g_connections;
        long long err0 = g_errors;
        size_t samples0 = nsamples;
        uint64_t t0 = now_ns(), t1;
        g_until = t0 + (uint64_t)(s * 1e9);
        g_last_done = 0;
        for (i = nidle; i < nconns; i++) {
            struct conn *c = &conns[i];
            if (mode == MODE_CHURN) {
                start_next_churn(i);
            } else if (!opened) { /* the first window opens them */
                if (conn_start(c, 0) == 0) {
                    g_active++;
                } else {
                    g_errors++;
                    log_error(c, "connect", errno);
                }
            } else if (c->state == ST_SETTLED) {
                c->state = ST_ACTIVE;
                g_parked--;
                start_round(c);
                (void)do_write(c);
            }
        }
        opened = 1;
        for (;;) {
            uint64_t now = now_ns(), wake = deadline;
            if (now >= deadline)
                return 1;
            if (g_active - g_parked <= 0)
                break; /* every connection parked (pingpong) or done (churn) */
            if (mode == MODE_PINGPONG && now >= g_until) {
                uint64_t last = g_last_done > g_until ? g_last_done : g_until;
                if (now - last >= QUIET_NS)
                    break; /* the rest wait for the server, not for us */
                if (last + QUIET_NS < wake)
                    wake = last + QUIET_NS;
            }
            poll_once(ms_until(wake, now));
        }
        t1 = g_last_done > t0 ? g_last_done : now_ns();
        long long done = (mode == MODE_PINGPONG ? g_requests : g_connections) - done0;
        if (warm) { /* forget it, errors aside: they happened */
            nsamples = samples0;
            if (mode == MODE_PINGPONG)
                g_requests = done0;
            else
                g_connections = done0;
        } else {
            *secs += (double)(t1 - t0) / 1e9;
            (*nslices)++;
        }
        printf("{\"slice\":%d,%s\"%s\":%lld,\"errors\":%lld,\"seconds\":%.6f}\n",
               *nslices, warm ? "\"warm\":true," : "",
               mode == MODE_PINGPONG ? "requests" : "connections", done,
               g_errors - err0, (double)(t1 - t0) / 1e9);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct addrinfo hints;
    size_t i, nmeasured;
    int rc, timed_out = 0;
    uint64_t t_begin = now_ns(), deadline, t_measure = 0, t_end,
             idle_close_at = UINT64_MAX;

    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile_limit();

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if ((rc = getaddrinfo(opt_host, opt_port, &hints, &g_ai)) != 0) {
        fprintf(stderr, "loadgen: getaddrinfo(%s, %s): %s\n", opt_host,
                opt_port, gai_strerror(rc));
        return 1;
    }

    deadline = t_begin + (uint64_t)(opt_timeout * 1e9);

    /* message patterns: msgs[k][i] = printable char (33..126) rotating
     * with k, last byte '\n' */
    L = (size_t)opt_len;
    msgs = xmalloc(NMSGS * sizeof *msgs);
    for (i = 0; i < NMSGS; i++) {
        size_t j;
        msgs[i] = xmalloc(L);
        for (j = 0; j + 1 < L; j++)
            msgs[i][j] = (char)(33 + (i + j) % 94);
        msgs[i][L - 1] = '\n';
    }
    scratch = xmalloc(L);

    nidle = (size_t)opt_idle;
    nmeasured = (size_t)(mode == MODE_PINGPONG ? opt_conns
                         : (opt_concurrency < opt_total ? opt_concurrency
                                                        : opt_total));
    nconns = nidle + nmeasured;
    check_nofile(nconns);
    conns = xmalloc(nconns * sizeof *conns);
    memset(conns, 0, nconns * sizeof *conns);
    for (i = 0; i < nconns; i++)
        conns[i].fd = -1;
    if (mode == MODE_PINGPONG)
        capsamples = opt_seconds > 0 ? (size_t)1 << 16 /* grows */
                     : (size_t)(opt_conns * opt_rounds < (1 << 24)
                                    ? opt_conns * opt_rounds
                                    : (1 << 24));
    else
        capsamples = (size_t)(opt_total < (1 << 16) ? opt_total : (1 << 16)); /* grows */
    samples = xmalloc(capsamples * sizeof *samples);

#if USE_EPOLL
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("loadgen: epoll_create1");
        return 1;
    }
#else
    pfds = xmalloc(nconns * sizeof *pfds);
    pfd_slot = xmalloc(nconns * sizeof *pfd_slot);
#endif

    /* ---- phase 1: idle connections ---- */
    uint64_t t_idle = now_ns();
    start_idle_more();
    while (g_idle_pending > 0 || g_idle_next < nidle) {
        uint64_t now = now_ns();
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        poll_once(ms_until(deadline, now));
        start_idle_more();
    }
    double idle_secs = (double)(now_ns() - t_idle) / 1e9;
    char idle_json[160] = "";
    char settle_json[80] = "";
    if (nidle > 0)
        snprintf(idle_json, sizeof idle_json,
                 ",\"idle\":%zu,\"idle_held\":%lld,\"idle_errors\":%lld,"
                 "\"idle_seconds\":%.6f",
                 nidle, g_idle_held, g_idle_errors, idle_secs);
    if (opt_idle_pause && !timed_out) {
        char line[64];
        printf("{%s}\n", idle_json[0] ? idle_json + 1 : "\"idle\":0");
        fflush(stdout);
        (void)!fgets(line, sizeof line, stdin); /* EOF also goes on */
    }

    /* ---- phase 2: measured connections ---- */
    t_measure = now_ns();
    if (opt_seconds > 0)
        g_until = t_measure + (uint64_t)(opt_seconds * 1e9);
    if (opt_idle_ms >= 0)
        idle_close_at = t_measure + (uint64_t)opt_idle_ms * 1000000ull;

    if (!timed_out) {
        if (mode == MODE_PINGPONG) {
            g_settling = opt_settle;
            for (i = nidle; i < nconns && (!opt_slices || opt_settle); i++) {
                struct conn *c = &conns[i];
                if (conn_start(c, 0) == 0) {
                    g_active++;
                    g_settle_pending++;
                } else {
                    g_errors++;
                    log_error(c, "connect", errno);
                }
            }
            if (g_settling)
                timed_out = settle(deadline, &t_measure, &idle_close_at);
        } else if (!opt_slices) {
            for (i = nidle; i < nconns; i++)
                start_next_churn(i);
        }
    }

    double slice_secs = 0;
    int nslices = 0;
    if (opt_slices && !timed_out)
        timed_out = run_slices(deadline, &slice_secs, &nslices);

    int idle_closed = 0;
    while (!opt_slices && !timed_out && g_active > 0) {
        uint64_t now = now_ns();
        if (!idle_closed && now >= idle_close_at) {
            for (i = 0; i < nidle; i++)
                if (conns[i].fd >= 0)
                    conn_close(&conns[i]);
            idle_closed = 1;
        }
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        uint64_t wake = deadline;
        if (!idle_closed && idle_close_at < wake)
            wake = idle_close_at;
        poll_once(ms_until(wake, now));
    }
    t_end = now_ns();
    if (opt_settle)
        snprintf(settle_json, sizeof settle_json, ",\"settle_seconds\":%.6f",
                 g_settle_seconds);
    if (opt_slices) /* beside settle's, in the same buffer */
        snprintf(settle_json + strlen(settle_json),
                 sizeof settle_json - strlen(settle_json), ",\"slices\":%d",
                 nslices);

    /* close everything that is left */
    for (i = 0; i < nconns; i++)
        if (conns[i].fd >= 0)
            conn_close(&conns[i]);

    if (g_errors > MAX_ERROR_LOGS)
        fprintf(stderr, "loadgen: %lld errors in total\n", g_errors);

    qsort(samples, nsamples, sizeof *samples, cmp_u64);
    double secs = opt_slices ? slice_secs : (double)(t_end - t_measure) / 1e9;
    double p50 = pct_us(50), p99 = pct_us(99), pmax = pct_us(100);

    if (mode == MODE_PINGPONG) {
        char rounds_json[64];
        if (opt_seconds > 0)
            snprintf(rounds_json, sizeof rounds_json,
                     "null,\"for_seconds\":%g", opt_seconds);
        else if (opt_slices)
            snprintf(rounds_json, sizeof rounds_json, "null");
        else
            snprintf(rounds_json, sizeof rounds_json, "%lld", opt_rounds);
        printf("{\"mode\":\"pingpong\",\"conns\":%lld,\"rounds\":%s,"
               "\"len\":%lld,\"requests\":%lld,\"errors\":%lld,"
               "\"seconds\":%.6f,\"req_per_s\":%.1f,\"p50_us\":%.1f,"
               "\"p99_us\":%.1f,\"max_us\":%.1f,\"timeout\":%s%s%s}\n",
               opt_conns, rounds_json, opt_len, g_requests, g_errors, secs,
               secs > 0 ? (double)g_requests / secs : 0.0, p50, p99, pmax,
               timed_out ? "true" : "false", idle_json, settle_json);
    } else {
        char total_json[64];
        if (opt_seconds > 0)
            snprintf(total_json, sizeof total_json,
                     "null,\"for_seconds\":%g", opt_seconds);
        else if (opt_slices)
            snprintf(total_json, sizeof total_json, "null");
        else
            snprintf(total_json, sizeof total_json, "%lld", opt_total);
        printf("{\"mode\":\"churn\",\"total\":%s,\"concurrency\":%lld,"
               "\"len\":%lld,\"connections\":%lld,\"errors\":%lld,"
               "\"seconds\":%.6f,\"conn_per_s\":%.1f,\"p50_us\":%.1f,"
               "\"p99_us\":%.1f,\"max_us\":%.1f,\"timeout\":%s%s%s}\n",
               total_json, opt_concurrency, opt_len, g_connections, g_errors,
               secs, secs > 0 ? (double)g_connections / secs : 0.0, p50,
               p99, pmax, timed_out ? "true" : "false", idle_json, settle_json);
    }
    fflush(stdout);
    freeaddrinfo(g_ai);
    if (timed_out)
        return 2;
    return g_errors ? 1 : 0;
}
