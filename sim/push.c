/* Push notifications: pending changes per thread, a queue, one delivery
 * thread posting with libcurl. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ctlbody.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "gi.h"
#include "push.h"
#include "render.h"
#include "sim.h"
#include "write.h"

#define MAX_SUBS 16
#define MAX_ATTEMPTS 5
#define MAX_QUEUE 100000

struct sub {
    const struct sim_gi *gi;
    char url[512];
    char hname[128], hvalue[512];
    long retry_ms;
};

struct msg {
    struct msg *next;
    int sub;
    char *body;
    int attempts;
    int64_t due; /* monotonic ms */
};

struct sim_push {
    struct sim *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int started, stop;
    struct sub subs[MAX_SUBS];
    int nsubs;
    struct msg *head, *tail;
    long queued, sent, failed, attempts, dropped;
};

/* Changes of the current transaction, per thread. */
struct pending {
    struct pending *next;
    int sub;
    char *body;
};
static _Thread_local struct pending *pending;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static int deliver(struct sim_push *p, const struct msg *m)
{
    pthread_mutex_lock(&p->mu);
    struct sub sb = p->subs[m->sub];
    pthread_mutex_unlock(&p->mu);
    CURL *c = curl_easy_init();
    if (!c)
        return 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char extra[700];
    if (sb.hname[0]) {
        snprintf(extra, sizeof(extra), "%s: %s", sb.hname, sb.hvalue);
        h = curl_slist_append(h, extra);
    }
    curl_easy_setopt(c, CURLOPT_URL, sb.url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status >= 200 && status < 300;
}

static void *run(void *arg)
{
    struct sim_push *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        int64_t now = mono_ms();
        struct msg **pp = &p->head, *m = NULL, *prev = NULL;
        for (; *pp; prev = *pp, pp = &(*pp)->next)
            if ((*pp)->due <= now) {
                m = *pp;
                *pp = m->next;
                if (p->tail == m)
                    p->tail = prev;
                break;
            }
        if (!m) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50 * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&p->cv, &p->mu, &ts);
            continue;
        }
        p->queued--;
        pthread_mutex_unlock(&p->mu);
        int ok = deliver(p, m);
        pthread_mutex_lock(&p->mu);
        p->attempts++;
        m->attempts++;
        if (ok || m->attempts >= MAX_ATTEMPTS) {
            ok ? p->sent++ : p->failed++;
            free(m->body);
            free(m);
            continue;
        }
        /* Retry later: order is not preserved, as on a real site. */
        m->due = mono_ms() + p->subs[m->sub].retry_ms;
        m->next = NULL;
        if (p->tail)
            p->tail->next = m;
        else
            p->head = m;
        p->tail = m;
        p->queued++;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct sim_push *sim_push_new(struct sim *s)
{
    struct sim_push *p = es_xcalloc(1, sizeof(*p));
    p->s = s;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    p->started = pthread_create(&p->thread, NULL, run, p) == 0;
    return p;
}

void sim_push_free(struct sim_push *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->started)
        pthread_join(p->thread, NULL);
    for (struct msg *m = p->head; m;) {
        struct msg *next = m->next;
        free(m->body);
        free(m);
        m = next;
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Is url an http:// or https:// address with a host? */
static int web_url(const char *url)
{
    size_t skip = !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
    return skip && url[skip] && url[skip] != '/' && !strchr(url, ' ');
}

/* Is name an HTTP header name (RFC 9110 token)? */
static int header_token(const char *name)
{
    if (!*name)
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *c)))
            return 0;
    return 1;
}

/* The subscription a POST body asks for, every field checked. */
static int read_sub(struct sub *sb, const char *json, struct es_err *err)
{
    static const char *const known[] = {"query",        "url",      "header_name",
                                        "header_value", "retry_ms", NULL};
    cJSON *j = sim_ctl_parse("push", json, strlen(json), known, err);
    if (!j)
        return ES_EINVAL;
    const char *q = NULL, *url = NULL, *hn = NULL, *hv = NULL;
    int rc = sim_ctl_text(&q, j, "push", "query", 64, err);
    if (rc >= 0 && !(q && (sb->gi = sim_gi_find(q))))
        rc = es_err_set(err, ES_EINVAL,
                        "push: query must be one of Customers, StockItems, SalesOrderLines, "
                        "Invoices");
    if (rc >= 0)
        rc = sim_ctl_text(&url, j, "push", "url", sizeof(sb->url) - 1, err);
    if (rc >= 0 && !(url && web_url(url)))
        rc = es_err_set(err, ES_EINVAL, "push: url must be an http:// or https:// address");
    if (rc >= 0)
        rc = sim_ctl_text(&hn, j, "push", "header_name", sizeof(sb->hname) - 1, err);
    if (rc >= 0 && hn && !header_token(hn))
        rc = es_err_set(err, ES_EINVAL, "push: header_name is not an HTTP header name");
    if (rc >= 0)
        rc = sim_ctl_text(&hv, j, "push", "header_value", sizeof(sb->hvalue) - 1, err);
    if (rc >= 0 && hv && !hn)
        rc = es_err_set(err, ES_EINVAL, "push: header_value needs a header_name");
    if (rc >= 0)
        rc = sim_ctl_whole(&sb->retry_ms, j, "push", "retry_ms", 0, 3600000, err);
    if (rc >= 0) {
        snprintf(sb->url, sizeof(sb->url), "%s", url);
        snprintf(sb->hname, sizeof(sb->hname), "%s", hn ? hn : "");
        snprintf(sb->hvalue, sizeof(sb->hvalue), "%s", hv ? hv : "");
    }
    cJSON_Delete(j);
    return rc < 0 ? rc : 0;
}

int sim_push_subscribe(struct sim_push *p, const char *json, struct es_err *err)
{
    struct sub sb = {.retry_ms = 1000};
    if (read_sub(&sb, json, err))
        return ES_EINVAL;
    pthread_mutex_lock(&p->mu);
    int full = p->nsubs == MAX_SUBS;
    if (!full)
        p->subs[p->nsubs++] = sb;
    pthread_mutex_unlock(&p->mu);
    return full ? es_err_set(err, ES_ELIMIT, "push: at most %d subscriptions", MAX_SUBS) : 0;
}

void sim_push_clear(struct sim_push *p)
{
    pthread_mutex_lock(&p->mu);
    p->nsubs = 0;
    for (struct msg *m = p->head; m;) {
        struct msg *next = m->next;
        free(m->body);
        free(m);
        m = next;
    }
    p->head = p->tail = NULL;
    p->queued = 0;
    pthread_mutex_unlock(&p->mu);
}

void sim_push_json(struct sim_push *p, struct es_buf *out)
{
    pthread_mutex_lock(&p->mu);
    es_buf_addf(out, "{\"subscriptions\":%d,\"queued\":%ld,\"sent\":%ld,\"failed\":%ld,"
                     "\"attempts\":%ld,\"dropped\":%ld}",
                p->nsubs, p->queued, p->sent, p->failed, p->attempts, p->dropped);
    pthread_mutex_unlock(&p->mu);
}

/* ---- building payloads ---- */

static void put_value(struct es_buf *b, const struct sim_val *v, int wt)
{
    switch (v->t) {
    case SV_STR:
        es_buf_add(b, "\"", 1);
        es_buf_add_json_escaped(b, v->u.s, v->n);
        es_buf_add(b, "\"", 1);
        return;
    case SV_TRUE: es_buf_adds(b, "true"); return;
    case SV_FALSE: es_buf_adds(b, "false"); return;
    case SV_DT:
        /* Local time without an offset, as push payloads carry it. */
        es_buf_add(b, "\"", 1);
        sim_put_datetime(b, v->u.i, 0);
        es_buf_add(b, "\"", 1);
        return;
    case SV_DEC: sim_put_decimal(b, v->u.i); return;
    case SV_INT:
        if (wt == WT_DECIMAL)
            sim_put_decimal(b, v->u.i * SIM_DEC_SCALE);
        else
            es_buf_addf(b, "%lld", (long long)v->u.i);
        return;
    default: es_buf_adds(b, "null");
    }
}

static void put_row(struct es_buf *b, const struct sim_gi *gi, const struct sim_val *vals)
{
    es_buf_add(b, "{", 1);
    for (int i = 0; i < gi->ncols; i++) {
        es_buf_addf(b, "%s\"%s\":", i ? "," : "", gi->cols[i].name);
        put_value(b, &vals[i], gi->cols[i].wt);
    }
    es_buf_add(b, "}", 1);
}

/* Rows of a record (one per detail line for line inquiries). */
static int rows(const struct sim_gi *gi, const struct sim_doc *d, int64_t modified,
                struct es_buf *b)
{
    struct sim_val vals[32];
    int n = 0;
    if (!d)
        return 0;
    if (!gi->detail) {
        sim_gi_row(gi, d, NULL, modified, modified, vals);
        put_row(b, gi, vals);
        return 1;
    }
    const struct sim_val *lines = sim_doc_get(d, sim_nm(gi->detail));
    for (uint32_t i = 0; lines && lines->t == SV_ARR && i < lines->n; i++) {
        if (n++)
            es_buf_add(b, ",", 1);
        sim_gi_row(gi, d, lines->u.arr[i], modified, modified, vals);
        put_row(b, gi, vals);
    }
    return n;
}

static char *payload(struct sim *s, const struct sim_gi *gi, const struct sim_doc *before,
                     int64_t before_modified, const struct sim_doc *after, int64_t stamp)
{
    struct es_buf ins, del;
    es_buf_init(&ins, 0);
    es_buf_init(&del, 0);
    rows(gi, after, stamp, &ins);
    rows(gi, before, before_modified ? before_modified : stamp, &del);
    /* Nothing the inquiry shows changed: no notification. */
    if (ins.len == del.len && (!ins.len || !memcmp(ins.data, del.data, ins.len))) {
        es_buf_dispose(&ins);
        es_buf_dispose(&del);
        return NULL;
    }
    char id[37];
    sim_guid(id);
    int64_t ticks = (stamp + 62135596800000LL) * 10000;
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, "{\"Inserted\":[%s],\"Deleted\":[%s],\"Query\":\"%s\",\"CompanyId\":\"",
                ins.data ? ins.data : "", del.data ? del.data : "", gi->name);
    es_buf_add_json_escaped(&b, s->cfg.tenant, strlen(s->cfg.tenant));
    es_buf_addf(&b, "\",\"Id\":\"%s\",\"TimeStamp\":%lld,\"AdditionalInfo\":{}}", id,
                (long long)ticks);
    es_buf_dispose(&ins);
    es_buf_dispose(&del);
    return es_buf_steal(&b, NULL);
}

void sim_push_changed(struct sim *s, const struct sim_entity_def *def, const struct sim_doc *before,
                      int64_t before_modified, const struct sim_doc *after, const char *id,
                      int64_t stamp)
{
    (void)id;
    struct sim_push *p = s->push;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    int nsubs = p->nsubs;
    struct sub subs[MAX_SUBS];
    memcpy(subs, p->subs, sizeof(subs));
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < nsubs; i++) {
        if (strcmp(subs[i].gi->entity, def->name))
            continue;
        char *body = payload(s, subs[i].gi, before, before_modified, after, stamp);
        if (!body)
            continue;
        struct pending *x = es_xcalloc(1, sizeof(*x));
        x->sub = i;
        x->body = body;
        x->next = pending;
        pending = x;
    }
}

void sim_push_end(struct sim *s, int committed)
{
    struct sim_push *p = s->push;
    struct pending *list = pending, *rev = NULL;
    pending = NULL;
    while (list) { /* restore the order the changes happened in */
        struct pending *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    for (struct pending *x = rev; x;) {
        struct pending *next = x->next;
        if (committed && p) {
            struct msg *m = es_xcalloc(1, sizeof(*m));
            m->sub = x->sub;
            m->body = x->body;
            m->due = mono_ms();
            pthread_mutex_lock(&p->mu);
            if (p->queued >= MAX_QUEUE || x->sub >= p->nsubs) {
                p->dropped++;
                free(m->body);
                free(m);
            } else {
                if (p->tail)
                    p->tail->next = m;
                else
                    p->head = m;
                p->tail = m;
                p->queued++;
                pthread_cond_broadcast(&p->cv);
            }
            pthread_mutex_unlock(&p->mu);
        } else {
            free(x->body);
        }
        free(x);
        x = next;
    }
}
