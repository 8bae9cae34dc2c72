/*
 * echo_iterative.c - iterative echo server (CSAPP 3e echoserveri.c).
 *
 * Accepts one connection at a time, echoes lines until the client closes,
 * closes, accepts the next.  Other clients wait in the listen backlog.
 *
 * usage: echo_iterative [--host H] [--port N]
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    int listenfd = server_startup(argc, argv, &o, 0);

    while (!g_stop) {
        struct sockaddr_storage clientaddr;
        socklen_t clientlen = sizeof clientaddr;
        int connfd = accept(listenfd, (struct sockaddr *)&clientaddr,
                            &clientlen);
        if (connfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue; /* loop condition checks g_stop */
            report_accept_error();
            continue;
        }
        echo(connfd);
        close(connfd);
    }
    close(listenfd);
    return 0;
}
