/*
 * echo_select.c - I/O-multiplexed (select) echo server (CSAPP 3e
 * echoservers.c).
 *
 * A single thread keeps a pool of connected descriptors (init_pool,
 * add_client, check_clients), each with its own rio_t, and calls select()
 * on the listening socket plus all clients.  For every ready client it
 * reads ONE line with rio_readlineb and writes it back with rio_writen.
 *
 * Faithful to the book, including its weakness: rio_readlineb blocks until
 * a whole line (or EOF) arrives, so a client that sends a partial line
 * stalls every other client.  Also as in the book, maxi/maxfd never shrink.
 *
 * Deviations: no per-line printf; a client descriptor >= FD_SETSIZE (or a
 * full pool) is closed immediately with a warning on stderr instead of
 * app_error() terminating the server (select cannot watch such a
 * descriptor); a read error (e.g. ECONNRESET) is treated like EOF instead
 * of terminating the server.
 *
 * usage: echo_select [--host H] [--port N]
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {             /* represents a pool of connected descriptors */
    int maxfd;               /* largest descriptor in read_set */
    fd_set read_set;         /* set of all active descriptors */
    fd_set ready_set;        /* subset of descriptors ready for reading */
    int nready;              /* number of ready descriptors from select */
    int maxi;                /* high water index into client array */
    int clientfd[FD_SETSIZE];    /* set of active descriptors */
    rio_t clientrio[FD_SETSIZE]; /* set of active read buffers */
} pool;

static pool client_pool; /* static: FD_SETSIZE rio_t buffers are large */
static long long byte_cnt = 0; /* counts total bytes received by server */

static void init_pool(int listenfd, pool *p)
{
    int i;
    p->maxi = -1;
    for (i = 0; i < FD_SETSIZE; i++)
        p->clientfd[i] = -1;

    p->maxfd = listenfd;
    FD_ZERO(&p->read_set);
    FD_SET(listenfd, &p->read_set);
}

static void add_client(int connfd, pool *p)
{
    int i;
    static int warned = 0;

    p->nready--;
    if (connfd >= FD_SETSIZE) {
        if (!warned++)
            fprintf(stderr, "add_client: descriptor %d >= FD_SETSIZE (%d); "
                            "closing it\n", connfd, FD_SETSIZE);
        close(connfd);
        return;
    }
    for (i = 0; i < FD_SETSIZE; i++) { /* find an available slot */
        if (p->clientfd[i] < 0) {
            p->clientfd[i] = connfd;
            rio_readinitb(&p->clientrio[i], connfd);
            FD_SET(connfd, &p->read_set);
            if (connfd > p->maxfd)
                p->maxfd = connfd;
            if (i > p->maxi)
                p->maxi = i;
            break;
        }
    }
    if (i == FD_SETSIZE) { /* couldn't find an empty slot */
        if (!warned++)
            fprintf(stderr, "add_client: too many clients; closing fd %d\n",
                    connfd);
        close(connfd);
    }
}

static void check_clients(pool *p)
{
    int i, connfd;
    ssize_t n;
    char buf[MAXLINE];
    rio_t *rio;

    for (i = 0; (i <= p->maxi) && (p->nready > 0); i++) {
        connfd = p->clientfd[i];
        rio = &p->clientrio[i];

        /* If the descriptor is ready, echo a text line from it */
        if ((connfd > 0) && (FD_ISSET(connfd, &p->ready_set))) {
            p->nready--;
            if ((n = rio_readlineb(rio, buf, MAXLINE)) > 0) {
                byte_cnt += n;
                (void)rio_writen(connfd, buf, (size_t)n);
                /* a write error shows up as EOF/error on the next read */
            } else { /* EOF (or error): remove descriptor from pool */
                close(connfd);
                FD_CLR(connfd, &p->read_set);
                p->clientfd[i] = -1;
            }
            if (g_stop)
                return;
        }
    }
}

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    int listenfd = server_startup(argc, argv, &o, 0);
    pool *pl = &client_pool;

    init_pool(listenfd, pl);

    while (!g_stop) {
        /* Wait for listening/connected descriptor(s) to become ready */
        pl->ready_set = pl->read_set;
        pl->nready = select(pl->maxfd + 1, &pl->ready_set, NULL, NULL, NULL);
        if (pl->nready < 0) {
            if (errno == EINTR)
                continue; /* loop condition checks g_stop */
            perror("select");
            exit(1);
        }

        /* If listening descriptor ready, add new client to pool */
        if (FD_ISSET(listenfd, &pl->ready_set)) {
            struct sockaddr_storage clientaddr;
            socklen_t clientlen = sizeof clientaddr;
            int connfd = accept(listenfd, (struct sockaddr *)&clientaddr,
                                &clientlen);
            if (connfd >= 0)
                add_client(connfd, pl);
            else if (errno == EINTR)
                continue;
            else {
                report_accept_error();
                pl->nready--;
            }
        }

        /* Echo a text line from each ready connected descriptor */
        check_clients(pl);
    }
    return 0;
}
