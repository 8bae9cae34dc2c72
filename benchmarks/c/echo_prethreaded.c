/*
 * echo_prethreaded.c - prethreaded echo server (CSAPP 3e echoservert_pre.c
 * with sbuf.c).
 *
 * The main thread accepts connections and inserts the fds into a bounded
 * buffer (sbuf) of SBUFSIZE slots; NTHREADS worker threads (default 4,
 * --threads N) remove fds and echo until the client closes.  The sbuf is
 * the book's producer/consumer buffer: a binary semaphore "mutex" plus the
 * counting semaphores "slots" and "items".
 *
 * Semaphores: on Linux (and everything but macOS) these are POSIX unnamed
 * semaphores (sem_init/sem_wait/sem_post), as in the book.  macOS does not
 * implement unnamed POSIX semaphores (sem_init fails with ENOSYS), so under
 * __APPLE__ an equivalent counting semaphore built from a pthread mutex and
 * condition variable is used instead (also selectable elsewhere with
 * -DSBUF_CONDVAR_SEM, to test it).
 *
 * Signals: workers are created with SIGINT/SIGTERM blocked, so stop signals
 * are delivered to the main thread; it is interrupted in accept() (or in
 * P(&slots) when the buffer is full) and calls exit(0).
 *
 * usage: echo_prethreaded [--host H] [--port N] [--threads N]
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

#define NTHREADS 4
#define SBUFSIZE 16

/* ---------------- counting semaphore ---------------- */
#if defined(__APPLE__) || defined(SBUF_CONDVAR_SEM)
typedef struct {
    pthread_mutex_t m;
    pthread_cond_t c;
    unsigned value;
} csem_t;

static void csem_init(csem_t *s, unsigned value)
{
    pthread_mutex_init(&s->m, NULL);
    pthread_cond_init(&s->c, NULL);
    s->value = value;
}

static void P(csem_t *s)
{
    pthread_mutex_lock(&s->m);
    while (s->value == 0)
        pthread_cond_wait(&s->c, &s->m);
    s->value--;
    pthread_mutex_unlock(&s->m);
    /* (Not interruptible by signals; the main thread is only blocked here
     * when all SBUFSIZE slots are full, and the stop handler's alarm()
     * safety net still ends the process.) */
}

static void V(csem_t *s)
{
    pthread_mutex_lock(&s->m);
    s->value++;
    pthread_cond_signal(&s->c);
    pthread_mutex_unlock(&s->m);
}
#else
#include <semaphore.h>
typedef sem_t csem_t;

static void csem_init(csem_t *s, unsigned value)
{
    if (sem_init(s, 0, value) < 0) {
        perror("sem_init");
        exit(1);
    }
}

static void P(csem_t *s)
{
    while (sem_wait(s) < 0) {
        if (errno != EINTR) {
            perror("sem_wait");
            exit(1);
        }
        if (g_stop)
            exit(0); /* stop requested while waiting for a free slot */
    }
}

static void V(csem_t *s)
{
    if (sem_post(s) < 0) {
        perror("sem_post");
        exit(1);
    }
}
#endif

/* ---------------- sbuf ---------------- */
typedef struct {
    int *buf;     /* buffer array */
    int n;        /* maximum number of slots */
    int front;    /* buf[(front+1)%n] is first item */
    int rear;     /* buf[rear%n] is last item */
    csem_t mutex; /* protects accesses to buf */
    csem_t slots; /* counts available slots */
    csem_t items; /* counts available items */
} sbuf_t;

static void sbuf_init(sbuf_t *sp, int n)
{
    sp->buf = calloc((size_t)n, sizeof(int));
    if (!sp->buf) {
        perror("calloc");
        exit(1);
    }
    sp->n = n;
    sp->front = sp->rear = 0;
    csem_init(&sp->mutex, 1);
    csem_init(&sp->slots, (unsigned)n);
    csem_init(&sp->items, 0);
}

static void sbuf_insert(sbuf_t *sp, int item)
{
    P(&sp->slots);
    P(&sp->mutex);
    sp->buf[(++sp->rear) % (sp->n)] = item;
    V(&sp->mutex);
    V(&sp->items);
}

static int sbuf_remove(sbuf_t *sp)
{
    int item;
    P(&sp->items);
    P(&sp->mutex);
    item = sp->buf[(++sp->front) % (sp->n)];
    V(&sp->mutex);
    V(&sp->slots);
    return item;
}

/* ---------------- server ---------------- */
static sbuf_t sbuf;

static void *thread(void *vargp)
{
    (void)vargp;
    pthread_detach(pthread_self());
    for (;;) {
        int connfd = sbuf_remove(&sbuf);
        echo(connfd);
        close(connfd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct server_opts o = {0};
    sigset_t stopset, oldset;
    int i, listenfd;

    o.threads = NTHREADS;
    listenfd = server_startup(argc, argv, &o, 1);

    sbuf_init(&sbuf, SBUFSIZE);

    sigemptyset(&stopset);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopset, &oldset);
    for (i = 0; i < o.threads; i++) {
        pthread_t tid;
        int rc = pthread_create(&tid, NULL, thread, NULL);
        if (rc != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(rc));
            exit(1);
        }
    }
    pthread_sigmask(SIG_SETMASK, &oldset, NULL);

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
        sbuf_insert(&sbuf, connfd);
    }
    exit(0);
}
