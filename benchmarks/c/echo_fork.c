/*
 * echo_fork.c - process-per-connection echo server (CSAPP 3e echoserverp.c).
 *
 * The parent accepts, forks, closes its copy of connfd.  The child closes
 * listenfd, echoes, closes connfd and exits 0.  Zombies are reaped by a
 * SIGCHLD handler that loops on waitpid(-1, 0, WNOHANG); it is installed
 * with SA_RESTART like CSAPP's Signal() wrapper, so accept() is restarted
 * after SIGCHLD.  SIGINT/SIGTERM are installed without SA_RESTART (common.c)
 * and interrupt accept() so the parent can exit 0.
 *
 * Additions over the book (hygiene only): children inherit the stop
 * handler, and on Linux they ask for SIGTERM when the parent dies
 * (prctl PR_SET_PDEATHSIG), so stopping the server by its pid also ends
 * children still serving an idle client.  No per-line printf.
 *
 * usage: echo_fork [--host H] [--port N]
 */
#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static void sigchld_handler(int sig)
{
    int olderrno = errno;
    (void)sig;
    while (waitpid(-1, 0, WNOHANG) > 0)
        ;
    errno = olderrno;
}

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    struct sigaction sa;
    int listenfd = server_startup(argc, argv, &o, 0);
    pid_t parent = getpid();

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigchld_handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGCHLD);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGCHLD, &sa, NULL) < 0) {
        perror("sigaction");
        return 1;
    }

    while (!g_stop) {
        struct sockaddr_storage clientaddr;
        socklen_t clientlen = sizeof clientaddr;
        int connfd = accept(listenfd, (struct sockaddr *)&clientaddr,
                            &clientlen);
        if (connfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            report_accept_error();
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) { /* child */
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(0); /* parent already gone */
#endif
            close(listenfd);
            echo(connfd);
            close(connfd);
            exit(0);
        }
        if (pid < 0)
            perror("fork");
        close(connfd); /* parent */
    }
    (void)parent;
    close(listenfd);
    return 0;
}
