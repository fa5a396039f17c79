/* The request-header deadline: a list of open connections and a thread that
 * shuts down the sockets of those waiting too long for headers. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "erpsync/mem.h"
#include "watch.h"

struct sim_watch_conn {
    struct sim_watch_conn *prev, *next;
    int fd;
    int64_t since_ms; /* monotonic start of the wait for headers; 0: not waiting */
};

struct sim_watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int stop;
    long timeout_ms;
    struct sim_watch_conn *head;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shut down the sockets past their deadline (each once). Lock held. */
static void expire(struct sim_watch *w, int64_t now)
{
    for (struct sim_watch_conn *c = w->head; c; c = c->next) {
        if (c->since_ms && now - c->since_ms >= w->timeout_ms) {
            shutdown(c->fd, SHUT_RDWR);
            c->since_ms = 0;
        }
    }
}

/* Checks four times per timeout (at least every second, at most every
 * 50 ms), so a connection goes within 1.25 timeouts. */
static void *watch_main(void *arg)
{
    struct sim_watch *w = arg;
    long step = w->timeout_ms / 4;
    step = step < 50 ? 50 : step > 1000 ? 1000 : step;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        expire(w, mono_ms());
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += (step % 1000) * 1000000;
        ts.tv_sec += step / 1000 + ts.tv_nsec / 1000000000;
        ts.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct sim_watch *sim_watch_new(long timeout_ms)
{
    struct sim_watch *w = es_xcalloc(1, sizeof(*w));
    w->timeout_ms = timeout_ms;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, watch_main, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

void sim_watch_free(struct sim_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (struct sim_watch_conn *c = w->head; c;) {
        struct sim_watch_conn *next = c->next;
        free(c);
        c = next;
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

struct sim_watch_conn *sim_watch_open(struct sim_watch *w, int fd)
{
    struct sim_watch_conn *c = es_xcalloc(1, sizeof(*c));
    c->fd = fd;
    c->since_ms = mono_ms();
    pthread_mutex_lock(&w->mu);
    c->next = w->head;
    if (w->head)
        w->head->prev = c;
    w->head = c;
    pthread_mutex_unlock(&w->mu);
    return c;
}

static void set_since(struct sim_watch *w, struct sim_watch_conn *c, int64_t since)
{
    pthread_mutex_lock(&w->mu);
    c->since_ms = since;
    pthread_mutex_unlock(&w->mu);
}

void sim_watch_busy(struct sim_watch *w, struct sim_watch_conn *c)
{
    set_since(w, c, 0);
}

void sim_watch_idle(struct sim_watch *w, struct sim_watch_conn *c)
{
    set_since(w, c, mono_ms());
}

void sim_watch_close(struct sim_watch *w, struct sim_watch_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&w->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->mu);
    free(c);
}
