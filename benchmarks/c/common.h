/*
 * common.h - shared helpers for the C reference echo servers.
 *
 * Contents:
 *   - Robust I/O (RIO) in the style of CSAPP 3e: rio_writen, rio_readinitb,
 *     rio_readlineb, rio_readnb.  One deliberate difference from the book:
 *     when a read()/write() is interrupted by a signal (EINTR) and a stop
 *     signal (SIGINT/SIGTERM) has been received, the RIO call returns -1
 *     instead of restarting, so that a server blocked on a client can notice
 *     the stop request.
 *   - open_listenfd(host, port): getaddrinfo with AI_PASSIVE|AI_NUMERICSERV,
 *     SO_REUSEADDR, listen backlog LISTENQ (1024).
 *   - print_listening(fd): prints "listening on HOST:PORT" (numeric, IPv6
 *     without brackets) as the first stdout line and flushes.
 *   - Stop-signal handling: install_server_signals() installs SIGINT/SIGTERM
 *     handlers WITHOUT SA_RESTART that set g_stop, and ignores SIGPIPE.
 *     As a safety net the handler also arms alarm(STOP_GRACE_SECS); the
 *     SIGALRM handler calls _exit(0).  So a server that does not notice the
 *     flag (e.g. the signal landed just before a blocking call) still exits 0
 *     within that grace period.
 *   - Command-line parsing shared by all servers:
 *     [--host H] [--port N] (and --threads N where allowed).
 */
#ifndef SYSCALL_LAB_BENCH_COMMON_H
#define SYSCALL_LAB_BENCH_COMMON_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#define MAXLINE 8192     /* max text line length (CSAPP) */
#define LISTENQ 1024     /* listen() backlog */
#define RIO_BUFSIZE 8192 /* RIO internal buffer */
#define STOP_GRACE_SECS 2

/* Persistent state for the buffered RIO reader. */
typedef struct {
    int rio_fd;                /* descriptor for this internal buffer */
    ssize_t rio_cnt;           /* unread bytes in internal buffer */
    char *rio_bufptr;          /* next unread byte in internal buffer */
    char rio_buf[RIO_BUFSIZE]; /* internal buffer */
} rio_t;

ssize_t rio_writen(int fd, const void *usrbuf, size_t n);
void rio_readinitb(rio_t *rp, int fd);
ssize_t rio_readlineb(rio_t *rp, void *usrbuf, size_t maxlen);
ssize_t rio_readnb(rio_t *rp, void *usrbuf, size_t n);

/* Set by the SIGINT/SIGTERM handler. */
extern volatile sig_atomic_t g_stop;

/* SIGINT/SIGTERM -> set g_stop (no SA_RESTART); SIGPIPE ignored. */
void install_server_signals(void);

/* Raise RLIMIT_NOFILE soft limit to the hard limit (best effort). */
void raise_nofile_limit(void);

/* Returns a listening socket or -1 (message printed to stderr). */
int open_listenfd(const char *host, const char *port);

/* Prints "listening on HOST:PORT\n" to stdout and flushes. 0 or -1. */
int print_listening(int listenfd);

struct server_opts {
    const char *host; /* default "127.0.0.1" */
    const char *port; /* default "0" */
    int threads;      /* only meaningful when allow_threads; default given */
};

/*
 * Parses [--host H] [--port N] [--threads N] (also --opt=value).
 * --threads is only accepted when allow_threads is nonzero.  On a usage
 * error prints a usage line to stderr and exits 64.  --help prints usage to
 * stdout and exits 0.
 */
void parse_server_args(int argc, char **argv, struct server_opts *o,
                       int allow_threads);

/* Does the common start-up: parse args, signals, rlimit, listen, print.
 * Returns the listening fd (exits 1 on failure). */
int server_startup(int argc, char **argv, struct server_opts *o,
                   int allow_threads);

/* perror("accept") for the first few failures only (EMFILE etc. would
 * otherwise flood stderr while the accept loop retries). */
void report_accept_error(void);

/* CSAPP echo(): read lines with rio_readlineb, write each back with
 * rio_writen, until EOF (or an error / stop request). */
void echo(int connfd);

#endif
