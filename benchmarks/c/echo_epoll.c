/*
 * echo_epoll.c - level-triggered epoll echo server (Linux only).
 *
 * Not a CSAPP program: the "what select should have been" reference.  All
 * sockets are non-blocking; each client has a buffer.  While the buffer is
 * empty the client is watched for EPOLLIN; data read is written back
 * immediately, and if the socket cannot take all of it the rest stays in
 * the buffer and the client is watched for EPOLLOUT instead (no reading)
 * until the buffer drains.  So no client can block the server.
 *
 * It echoes bytes as they arrive rather than line by line; for a client the
 * byte stream it gets back is the same.
 *
 * usage: echo_epoll [--host H] [--port N]
 */
#define _GNU_SOURCE /* accept4 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENT_BUFSIZE 16384
#define MAXEVENTS 256

struct client {
    int fd;
    int watching_out; /* 1: EPOLLOUT (draining), 0: EPOLLIN */
    size_t start, end;
    char buf[CLIENT_BUFSIZE];
};

static int epfd;

static void client_close(struct client *c)
{
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

static int client_watch(struct client *c, int out)
{
    struct epoll_event ev;
    if (c->watching_out == out)
        return 0;
    ev.events = out ? EPOLLOUT : EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        return -1;
    c->watching_out = out;
    return 0;
}

/* Write out buffered data.  Returns 0 if ok (maybe partial), -1 to close. */
static int client_flush(struct client *c)
{
    while (c->start < c->end) {
        ssize_t n = write(c->fd, c->buf + c->start, c->end - c->start);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return client_watch(c, 1);
            return -1;
        }
        c->start += (size_t)n;
    }
    c->start = c->end = 0;
    return client_watch(c, 0);
}

static void client_event(struct client *c, uint32_t events)
{
    if (c->watching_out) {
        if (client_flush(c) < 0)
            client_close(c);
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n = read(c->fd, c->buf, sizeof c->buf);
        if (n == 0) {
            client_close(c);
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            client_close(c);
            return;
        }
        c->start = 0;
        c->end = (size_t)n;
        if (client_flush(c) < 0)
            client_close(c);
    }
}

static void accept_all(int listenfd)
{
    for (;;) {
        int connfd = accept4(listenfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (connfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                report_accept_error(); /* e.g. EMFILE: retried next wait */
            return;
        }
        struct client *c = malloc(sizeof *c);
        if (!c) {
            close(connfd);
            continue;
        }
        c->fd = connfd;
        c->watching_out = 0;
        c->start = c->end = 0;
        struct epoll_event ev;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, connfd, &ev) < 0) {
            perror("epoll_ctl");
            client_close(c);
        }
    }
}

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    struct epoll_event ev, events[MAXEVENTS];
    int listenfd = server_startup(argc, argv, &o, 0);

    int fl = fcntl(listenfd, F_GETFL);
    if (fl < 0 || fcntl(listenfd, F_SETFL, fl | O_NONBLOCK) < 0) {
        perror("fcntl");
        return 1;
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("epoll_create1");
        return 1;
    }
    ev.events = EPOLLIN;
    ev.data.ptr = NULL; /* NULL marks the listening socket */
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listenfd, &ev) < 0) {
        perror("epoll_ctl");
        return 1;
    }

    while (!g_stop) {
        int i, n = epoll_wait(epfd, events, MAXEVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                accept_all(listenfd);
            else
                client_event(events[i].data.ptr, events[i].events);
        }
    }
    return 0;
}
