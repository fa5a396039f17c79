/* Request counters. A small list is plenty: a few dozen distinct keys. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/mem.h"
#include "stats.h"

struct counter {
    char method[8];
    char entity[48];
    int status;
    long count;
};

struct event {
    char name[32];
    long count;
};

struct sim_stats {
    pthread_mutex_t mu;
    struct counter *c;
    size_t n, cap;
    struct event ev[32];
    size_t nev;
    long total;
};

struct sim_stats *sim_stats_new(void)
{
    struct sim_stats *st = es_xcalloc(1, sizeof(*st));
    pthread_mutex_init(&st->mu, NULL);
    return st;
}

void sim_stats_free(struct sim_stats *st)
{
    if (!st)
        return;
    pthread_mutex_destroy(&st->mu);
    free(st->c);
    free(st);
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void sim_stats_count(struct sim_stats *st, const char *method, const char *entity, int status)
{
    char m[8], e[48];
    copy(m, sizeof(m), method);
    copy(e, sizeof(e), entity ? entity : "");
    pthread_mutex_lock(&st->mu);
    st->total++;
    for (size_t i = 0; i < st->n; i++) {
        struct counter *c = &st->c[i];
        if (c->status == status && !strcmp(c->method, m) && !strcmp(c->entity, e)) {
            c->count++;
            pthread_mutex_unlock(&st->mu);
            return;
        }
    }
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->c = es_xrealloc(st->c, st->cap * sizeof(*st->c));
    }
    struct counter *c = &st->c[st->n++];
    memcpy(c->method, m, sizeof(m));
    memcpy(c->entity, e, sizeof(e));
    c->status = status;
    c->count = 1;
    pthread_mutex_unlock(&st->mu);
}

void sim_stats_event(struct sim_stats *st, const char *name, long n)
{
    pthread_mutex_lock(&st->mu);
    size_t i;
    for (i = 0; i < st->nev; i++)
        if (!strcmp(st->ev[i].name, name))
            break;
    if (i == st->nev && st->nev < sizeof(st->ev) / sizeof(st->ev[0])) {
        copy(st->ev[i].name, sizeof(st->ev[i].name), name);
        st->ev[i].count = 0;
        st->nev++;
    }
    if (i < st->nev)
        st->ev[i].count += n;
    pthread_mutex_unlock(&st->mu);
}

void sim_stats_reset(struct sim_stats *st)
{
    pthread_mutex_lock(&st->mu);
    st->n = 0;
    st->nev = 0;
    st->total = 0;
    pthread_mutex_unlock(&st->mu);
}

void sim_stats_json(struct sim_stats *st, struct es_buf *out)
{
    pthread_mutex_lock(&st->mu);
    es_buf_adds(out, "{\"requests\":[");
    for (size_t i = 0; i < st->n; i++) {
        struct counter *c = &st->c[i];
        es_buf_addf(out, "%s{\"method\":\"%s\",\"entity\":\"", i ? "," : "", c->method);
        es_buf_add_json_escaped(out, c->entity, strlen(c->entity));
        es_buf_addf(out, "\",\"status\":%d,\"count\":%ld}", c->status, c->count);
    }
    es_buf_adds(out, "],\"events\":{");
    for (size_t i = 0; i < st->nev; i++)
        es_buf_addf(out, "%s\"%s\":%ld", i ? "," : "", st->ev[i].name, st->ev[i].count);
    es_buf_addf(out, "},\"total\":%ld}", st->total);
    pthread_mutex_unlock(&st->mu);
}
