/* Licence limits: a FIFO of waiting requests and a per-minute window. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "erpsync/mem.h"
#include "limits.h"

struct waiter {
    struct waiter *next;
};

struct sim_limits {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int max_concurrent, per_minute, queue_max;
    long queue_timeout_ms;
    int running, queued;
    struct waiter *head, *tail;
    int64_t window_start; /* monotonic ms */
    int window_count;
    long admitted, declined, delayed, max_running, max_queued;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sim_limits *sim_limits_new(int max_concurrent, int per_minute, int queue_max,
                                  long queue_timeout_ms)
{
    struct sim_limits *l = es_xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    l->max_concurrent = max_concurrent;
    l->per_minute = per_minute;
    l->queue_max = queue_max;
    l->queue_timeout_ms = queue_timeout_ms;
    return l;
}

void sim_limits_free(struct sim_limits *l)
{
    if (!l)
        return;
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void sim_limits_reset_counts(struct sim_limits *l)
{
    pthread_mutex_lock(&l->mu);
    l->admitted = l->declined = l->delayed = 0;
    l->max_running = l->running;
    l->max_queued = l->queued;
    pthread_mutex_unlock(&l->mu);
}

void sim_limits_set(struct sim_limits *l, int max_concurrent, int per_minute)
{
    pthread_mutex_lock(&l->mu);
    l->max_concurrent = max_concurrent;
    l->per_minute = per_minute;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

long sim_limits_delay_ms(int per_minute, int processed, int64_t window_start_ms, int64_t now_ms)
{
    if (per_minute <= 0 || processed * 2 < per_minute)
        return 0;
    int64_t left = window_start_ms + 60000 - now_ms;
    if (left <= 0)
        return 0;
    int remaining = per_minute - processed;
    if (remaining <= 0)
        return (long)left; /* the minute is used up: wait for the next one */
    return (long)(left / remaining);
}

static void unlink_waiter(struct sim_limits *l, struct waiter *w)
{
    struct waiter **pp = &l->head, *prev = NULL;
    while (*pp && *pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = w->next;
    if (l->tail == w)
        l->tail = prev;
}

static int wait_turn(struct sim_limits *l, struct waiter *w)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += l->queue_timeout_ms / 1000;
    deadline.tv_nsec += (l->queue_timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    while (!(l->head == w && (l->max_concurrent <= 0 || l->running < l->max_concurrent))) {
        if (pthread_cond_timedwait(&l->cv, &l->mu, &deadline) == ETIMEDOUT) {
            unlink_waiter(l, w);
            l->queued--;
            pthread_cond_broadcast(&l->cv);
            return -1;
        }
    }
    l->head = w->next;
    if (!l->head)
        l->tail = NULL;
    l->queued--;
    pthread_cond_broadcast(&l->cv);
    return 0;
}

int sim_limits_enter(struct sim_limits *l, long *delayed_ms)
{
    *delayed_ms = 0;
    pthread_mutex_lock(&l->mu);
    if (l->max_concurrent > 0 && (l->running >= l->max_concurrent || l->head)) {
        if (l->queued >= l->queue_max) {
            l->declined++;
            pthread_mutex_unlock(&l->mu);
            return -1;
        }
        struct waiter w = {0};
        if (l->tail)
            l->tail->next = &w;
        else
            l->head = &w;
        l->tail = &w;
        l->queued++;
        if (l->queued > l->max_queued)
            l->max_queued = l->queued;
        if (wait_turn(l, &w)) {
            l->declined++;
            pthread_mutex_unlock(&l->mu);
            return -1;
        }
    }
    l->running++;
    if (l->running > l->max_running)
        l->max_running = l->running;
    l->admitted++;
    int64_t now = mono_ms();
    if (now - l->window_start >= 60000 || !l->window_start) {
        l->window_start = now;
        l->window_count = 0;
    }
    long delay = sim_limits_delay_ms(l->per_minute, l->window_count, l->window_start, now);
    l->window_count++;
    if (delay)
        l->delayed++;
    pthread_mutex_unlock(&l->mu);
    if (delay) {
        struct timespec ts = {delay / 1000, (delay % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    *delayed_ms = delay;
    return 0;
}

void sim_limits_leave(struct sim_limits *l)
{
    pthread_mutex_lock(&l->mu);
    l->running--;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void sim_limits_json(struct sim_limits *l, struct es_buf *out)
{
    pthread_mutex_lock(&l->mu);
    es_buf_addf(out,
                "{\"max_concurrent\":%d,\"per_minute\":%d,\"running\":%d,\"queued\":%d,"
                "\"admitted\":%ld,\"declined\":%ld,\"delayed\":%ld,\"max_running\":%ld,"
                "\"max_queued\":%ld}",
                l->max_concurrent, l->per_minute, l->running, l->queued, l->admitted,
                l->declined, l->delayed, l->max_running, l->max_queued);
    pthread_mutex_unlock(&l->mu);
}
