/*
 * echo_threads.c - thread-per-connection echo server (CSAPP 3e
 * echoservert.c).
 *
 * For each accepted connection the main thread mallocs an int cell holding
 * connfd and calls pthread_create; the thread detaches itself, copies and
 * frees the cell, echoes, closes connfd.
 *
 * Signals: SIGINT/SIGTERM are blocked in the peer threads (the main thread
 * blocks them around pthread_create, so each new thread inherits the
 * blocked mask).  They are therefore always delivered to the main thread,
 * which is interrupted in accept() and calls exit(0).
 *
 * usage: echo_threads [--host H] [--port N]
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *thread(void *vargp)
{
    int connfd = *((int *)vargp);
    pthread_detach(pthread_self());
    free(vargp);
    echo(connfd);
    close(connfd);
    return NULL;
}

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    sigset_t stopset, oldset;
    int listenfd = server_startup(argc, argv, &o, 0);

    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);

    while (!g_stop) {
        struct sockaddr_storage clientaddr;
        socklen_t clientlen = sizeof clientaddr;
        pthread_t tid;
        int *connfdp = malloc(sizeof(int));
        if (!connfdp) {
            perror("malloc");
            exit(1);
        }
        *connfdp = accept(listenfd, (struct sockaddr *)&clientaddr,
                          &clientlen);
        if (*connfdp < 0) {
            int e = errno;
            free(connfdp);
            if (e == EINTR || e == ECONNABORTED)
                continue;
            errno = e;
            report_accept_error();
            continue;
        }
        pthread_sigmask(SIG_BLOCK, &stopset, &oldset);
        int rc = pthread_create(&tid, NULL, thread, connfdp);
        pthread_sigmask(SIG_SETMASK, &oldset, NULL);
        if (rc != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(rc));
            close(*connfdp);
            free(connfdp);
        }
    }
    exit(0);
}
