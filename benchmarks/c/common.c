/*
 * common.c - shared helpers for the C reference echo servers.
 * See common.h for what is here and how it differs from CSAPP 3e.
 */
#include "common.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

volatile sig_atomic_t g_stop = 0;

/* ------------------------------------------------------------------ */
/* Signals                                                            */
/* ------------------------------------------------------------------ */

static void stop_handler(int sig)
{
    (void)sig;
    g_stop = 1;
    /* Safety net: if the main loop does not notice the flag in time
     * (signal arrived just before a blocking call), SIGALRM ends us. */
    alarm(STOP_GRACE_SECS);
}

static void grace_expired(int sig)
{
    (void)sig;
    _exit(0);
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    if (sigaction(sig, &sa, NULL) < 0) {
        perror("sigaction");
        exit(1);
    }
}

void install_server_signals(void)
{
    /* No SA_RESTART: blocking accept/select/read return -1/EINTR. */
    set_handler(SIGINT, stop_handler, 0);
    set_handler(SIGTERM, stop_handler, 0);
    set_handler(SIGALRM, grace_expired, 0);
    set_handler(SIGPIPE, SIG_IGN, 0);
}

void raise_nofile_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
#ifdef __APPLE__
    /* macOS refuses RLIM_INFINITY / values above OPEN_MAX for the soft
     * limit. */
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 10240)
        rl.rlim_cur = 10240;
#endif
    (void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* ------------------------------------------------------------------ */
/* RIO                                                                */
/* ------------------------------------------------------------------ */

/* Write n bytes; returns n or -1. */
ssize_t rio_writen(int fd, const void *usrbuf, size_t n)
{
    size_t nleft = n;
    const char *bufp = usrbuf;

    while (nleft > 0) {
        ssize_t nwritten = write(fd, bufp, nleft);
        if (nwritten <= 0) {
            if (nwritten < 0 && errno == EINTR && !g_stop)
                continue; /* interrupted by e.g. SIGCHLD: restart */
            return -1;
        }
        nleft -= (size_t)nwritten;
        bufp += nwritten;
    }
    return (ssize_t)n;
}

/* Refill the internal buffer if empty, then copy up to n bytes. */
static ssize_t rio_read(rio_t *rp, char *usrbuf, size_t n)
{
    while (rp->rio_cnt <= 0) {
        rp->rio_cnt = read(rp->rio_fd, rp->rio_buf, sizeof rp->rio_buf);
        if (rp->rio_cnt < 0) {
            if (errno == EINTR && !g_stop)
                continue;
            return -1;
        }
        if (rp->rio_cnt == 0)
            return 0; /* EOF */
        rp->rio_bufptr = rp->rio_buf;
    }

    size_t cnt = n;
    if ((size_t)rp->rio_cnt < n)
        cnt = (size_t)rp->rio_cnt;
    memcpy(usrbuf, rp->rio_bufptr, cnt);
    rp->rio_bufptr += cnt;
    rp->rio_cnt -= (ssize_t)cnt;
    return (ssize_t)cnt;
}

void rio_readinitb(rio_t *rp, int fd)
{
    rp->rio_fd = fd;
    rp->rio_cnt = 0;
    rp->rio_bufptr = rp->rio_buf;
}

/* Read a text line (at most maxlen-1 bytes), NUL-terminate it.
 * Returns bytes read (excluding NUL), 0 on EOF with no data, -1 on error. */
ssize_t rio_readlineb(rio_t *rp, void *usrbuf, size_t maxlen)
{
    size_t n;
    char c, *bufp = usrbuf;

    for (n = 1; n < maxlen; n++) {
        ssize_t rc = rio_read(rp, &c, 1);
        if (rc == 1) {
            *bufp++ = c;
            if (c == '\n') {
                n++;
                break;
            }
        } else if (rc == 0) {
            if (n == 1)
                return 0; /* EOF, nothing read */
            break;        /* EOF, some data read */
        } else {
            return -1;
        }
    }
    *bufp = '\0';
    return (ssize_t)(n - 1);
}

ssize_t rio_readnb(rio_t *rp, void *usrbuf, size_t n)
{
    size_t nleft = n;
    char *bufp = usrbuf;

    while (nleft > 0) {
        ssize_t nread = rio_read(rp, bufp, nleft);
        if (nread < 0)
            return -1;
        if (nread == 0)
            break;
        nleft -= (size_t)nread;
        bufp += nread;
    }
    return (ssize_t)(n - nleft);
}

/* ------------------------------------------------------------------ */
/* Sockets                                                            */
/* ------------------------------------------------------------------ */

int open_listenfd(const char *host, const char *port)
{
    struct addrinfo hints, *listp, *p;
    int listenfd = -1, optval = 1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    /* (No AI_ADDRCONFIG: it would hide ::1 on hosts with only loopback
     * IPv6.) */
    if ((rc = getaddrinfo(host, port, &hints, &listp)) != 0) {
        fprintf(stderr, "getaddrinfo(%s, %s): %s\n", host ? host : "*", port,
                gai_strerror(rc));
        return -1;
    }

    for (p = listp; p; p = p->ai_next) {
        listenfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (listenfd < 0)
            continue;
        setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &optval, sizeof optval);
        if (bind(listenfd, p->ai_addr, p->ai_addrlen) == 0 &&
            listen(listenfd, LISTENQ) == 0)
            break; /* success */
        close(listenfd);
        listenfd = -1;
    }
    if (listenfd < 0)
        fprintf(stderr, "open_listenfd(%s, %s): %s\n", host ? host : "*",
                port, strerror(errno));
    freeaddrinfo(listp);
    return listenfd;
}

int print_listening(int listenfd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char hbuf[NI_MAXHOST], sbuf[NI_MAXSERV];
    int rc;

    if (getsockname(listenfd, (struct sockaddr *)&ss, &len) < 0) {
        perror("getsockname");
        return -1;
    }
    rc = getnameinfo((struct sockaddr *)&ss, len, hbuf, sizeof hbuf, sbuf,
                     sizeof sbuf, NI_NUMERICHOST | NI_NUMERICSERV);
    if (rc != 0) {
        fprintf(stderr, "getnameinfo: %s\n", gai_strerror(rc));
        return -1;
    }
    printf("listening on %s:%s\n", hbuf, sbuf);
    fflush(stdout);
    return 0;
}

void report_accept_error(void)
{
    static int count = 0;
    if (count < 10)
        perror("accept");
    if (++count == 10)
        fprintf(stderr, "(further accept errors not shown)\n");
}

/* ------------------------------------------------------------------ */
/* Arguments / start-up                                               */
/* ------------------------------------------------------------------ */

static void server_usage(FILE *f, const char *prog, int allow_threads)
{
    fprintf(f, "usage: %s [--host H] [--port N]%s\n", prog,
            allow_threads ? " [--threads N]" : "");
}

static int parse_nonneg_int(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

void parse_server_args(int argc, char **argv, struct server_opts *o,
                       int allow_threads)
{
    const char *prog = argc > 0 ? argv[0] : "server";
    int i;

    if (!o->host)
        o->host = "127.0.0.1";
    if (!o->port)
        o->port = "0";

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        const char *eq;
        char name[32];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            server_usage(stdout, prog, allow_threads);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0)
            goto bad;
        eq = strchr(a, '=');
        if (eq) {
            size_t nl = (size_t)(eq - a);
            if (nl >= sizeof name)
                goto bad;
            memcpy(name, a, nl);
            name[nl] = '\0';
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof name)
                goto bad;
            strcpy(name, a);
            if (i + 1 >= argc)
                goto bad;
            val = argv[++i];
        }

        if (strcmp(name, "--host") == 0) {
            if (*val == '\0')
                goto bad;
            o->host = val;
        } else if (strcmp(name, "--port") == 0) {
            long v;
            if (parse_nonneg_int(val, 65535, &v) < 0)
                goto bad;
            o->port = val;
        } else if (allow_threads && strcmp(name, "--threads") == 0) {
            long v;
            if (parse_nonneg_int(val, 100000, &v) < 0 || v < 1)
                goto bad;
            o->threads = (int)v;
        } else {
            goto bad;
        }
    }
    return;

bad:
    server_usage(stderr, prog, allow_threads);
    exit(64);
}

int server_startup(int argc, char **argv, struct server_opts *o,
                   int allow_threads)
{
    int listenfd;

    parse_server_args(argc, argv, o, allow_threads);
    install_server_signals();
    raise_nofile_limit();
    listenfd = open_listenfd(o->host, o->port);
    if (listenfd < 0)
        exit(1);
    if (print_listening(listenfd) < 0)
        exit(1);
    return listenfd;
}

/* ------------------------------------------------------------------ */
/* echo (CSAPP echo.c, minus the per-line printf)                     */
/* ------------------------------------------------------------------ */

/* Also stops when a stop signal was received (a busy client never makes
 * read() fail with EINTR, so the flag is checked once per line). */

void echo(int connfd)
{
    ssize_t n;
    char buf[MAXLINE];
    rio_t rio;

    rio_readinitb(&rio, connfd);
    while (!g_stop && (n = rio_readlineb(&rio, buf, MAXLINE)) > 0) {
        if (rio_writen(connfd, buf, (size_t)n) < 0)
            break; /* peer went away (EPIPE/ECONNRESET) or stop requested */
    }
}
