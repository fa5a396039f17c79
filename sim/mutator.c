/* The mutator thread. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "erpsync/mem.h"
#include "mutator.h"
#include "names.h"
#include "sim.h"
#include "write.h"

#define MAX_ENTS 8

struct sim_mutator {
    struct sim *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int running, stop;
    double rate;
    long duration_ms, count;
    int pct_insert, pct_update;
    const struct sim_entity *ents[MAX_ENTS];
    int nents;
    long inserted, updated, deleted, failed;
    uint64_t rng;
};

static uint64_t rnd(struct sim_mutator *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sim_mutator *sim_mutator_new(struct sim *s)
{
    struct sim_mutator *m = es_xcalloc(1, sizeof(*m));
    m->s = s;
    m->rng = s->cfg.seed * 2654435761u + 7;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    return m;
}

void sim_mutator_free(struct sim_mutator *m)
{
    if (!m)
        return;
    sim_mutator_stop(m);
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* A random existing record's id, or 0. */
struct pick {
    char id[37];
};

static int pick_cb(const struct sim_row *row, void *ctx)
{
    struct pick *p = ctx;
    snprintf(p->id, sizeof(p->id), "%s", row->id);
    return 1;
}

static int pick_random(struct sim_mutator *m, const struct sim_entity *ent, char id[37])
{
    struct sim *s = m->s;
    struct pick p = {{0}};
    sim_store_lock(s->store);
    int64_t n = sim_store_count(s->store, ent->def->name, NULL, NULL);
    if (n > 0)
        sim_store_list(s->store, ent->def->name, NULL, 1, (int64_t)(rnd(m) % (uint64_t)n),
                       pick_cb, &p, NULL);
    sim_store_unlock(s->store);
    memcpy(id, p.id, 37);
    return p.id[0] != 0;
}

static void set(struct es_arena *a, struct sim_doc *d, const char *f, const char *v)
{
    uint32_t id = sim_nm(f);
    if (id)
        sim_doc_set_str(a, d, id, v);
}

/* A body for an insert, as a user would type it. */
static struct sim_doc *new_record(struct sim_mutator *m, struct es_arena *a,
                                  const struct sim_entity *ent)
{
    struct sim_doc *d = sim_doc_new(a);
    char buf[96];
    unsigned r = (unsigned)(rnd(m) % 1000000);
    const char *n = ent->def->name;
    if (!strcmp(n, "Customer")) {
        snprintf(buf, sizeof(buf), "Mutated Customer %u", r);
        set(a, d, "CustomerName", buf);
    } else if (!strcmp(n, "Contact")) {
        set(a, d, "FirstName", "Pat");
        snprintf(buf, sizeof(buf), "Mutant%u", r);
        set(a, d, "LastName", buf);
    } else if (!strcmp(n, "StockItem") || !strcmp(n, "NonStockItem")) {
        snprintf(buf, sizeof(buf), "MUT%06u%03u", r, (unsigned)(rnd(m) % 1000));
        set(a, d, "InventoryID", buf);
        set(a, d, "Description", "Item added while syncing");
    } else if (!strcmp(n, "Vendor")) {
        snprintf(buf, sizeof(buf), "Mutated Vendor %u", r);
        set(a, d, "VendorName", buf);
    } else {
        return NULL;
    }
    return d;
}

static const char *text_field(const struct sim_entity *ent)
{
    const char *n = ent->def->name;
    if (!strcmp(n, "Customer"))
        return "CustomerName";
    if (!strcmp(n, "Contact"))
        return "JobTitle";
    if (!strcmp(n, "Vendor"))
        return "VendorName";
    return "Description";
}

static void one_change(struct sim_mutator *m)
{
    struct sim *s = m->s;
    const struct sim_entity *ent = m->ents[rnd(m) % (uint64_t)m->nents];
    struct es_arena a;
    es_arena_init(&a, 16 * 1024);
    int op = (int)(rnd(m) % 100);
    char id[37], msg[256];
    struct sim_write_result res;
    if (op < m->pct_insert) {
        struct sim_doc *d = new_record(m, &a, ent);
        if (d) {
            struct sim_put req = {.ep = sim_endpoint_newest(s), .ent = ent, .sent = d, .trusted = 1};
            sim_write_put(s, &a, &req, &res);
            res.status == 200 ? m->inserted++ : m->failed++;
        }
    } else if (op < m->pct_insert + m->pct_update) {
        if (pick_random(m, ent, id)) {
            struct sim_doc *d = sim_doc_new(&a);
            char text[96];
            snprintf(text, sizeof(text), "Changed %u", (unsigned)(rnd(m) % 1000000));
            sim_doc_set_str(&a, d, SIM_N_ID, id);
            set(&a, d, text_field(ent), text);
            struct sim_put req = {.ep = sim_endpoint_newest(s), .ent = ent, .sent = d, .trusted = 1};
            sim_write_put(s, &a, &req, &res);
            res.status == 200 ? m->updated++ : m->failed++;
        }
    } else if (pick_random(m, ent, id)) {
        int st = sim_write_delete(s, &a, ent, NULL, 0, id, msg, sizeof(msg));
        st == 204 ? m->deleted++ : m->failed++;
    }
    es_arena_dispose(&a);
}

static void *run(void *arg)
{
    struct sim_mutator *m = arg;
    int64_t start = mono_ms();
    long done = 0;
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        if (m->duration_ms && mono_ms() - start >= m->duration_ms)
            break;
        if (m->count && done >= m->count)
            break;
        pthread_mutex_unlock(&m->mu);
        one_change(m);
        done++;
        pthread_mutex_lock(&m->mu);
        int64_t due = start + (int64_t)((double)done * 1000.0 / m->rate);
        int64_t wait = due - mono_ms();
        if (wait > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += wait / 1000;
            ts.tv_nsec += (wait % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&m->cv, &m->mu, &ts);
        }
    }
    m->running = 0;
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

void sim_mutator_stop(struct sim_mutator *m)
{
    pthread_mutex_lock(&m->mu);
    int was = m->running || m->stop == 0;
    m->stop = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (was && m->thread) {
        pthread_join(m->thread, NULL);
        m->thread = 0;
    }
}

int sim_mutator_start(struct sim_mutator *m, const char *json, struct es_err *err)
{
    cJSON *j = cJSON_Parse(json);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return es_err_set(err, ES_EINVAL, "mutate: body must be a JSON object");
    }
    sim_mutator_stop(m);
    const cJSON *v;
    double rate = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "rate")) ? v->valuedouble : 10;
    int ins = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "insert")) ? (int)v->valuedouble : 30;
    int upd = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "update")) ? (int)v->valuedouble : 50;
    int del = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "delete")) ? (int)v->valuedouble : 20;
    long dur = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "duration_ms")) ? (long)v->valuedouble : 0;
    long count = cJSON_IsNumber(v = cJSON_GetObjectItem(j, "count")) ? (long)v->valuedouble : 0;
    const struct sim_endpoint *ep = sim_endpoint_newest(m->s);
    m->nents = 0;
    const cJSON *list = cJSON_GetObjectItem(j, "entities");
    cJSON_ArrayForEach(v, list)
    {
        const struct sim_entity *e = cJSON_IsString(v) ? sim_entity_of(ep, v->valuestring) : NULL;
        if (!e) {
            cJSON_Delete(j);
            return es_err_set(err, ES_EINVAL, "mutate: unknown entity in \"entities\"");
        }
        if (m->nents < MAX_ENTS)
            m->ents[m->nents++] = e;
    }
    cJSON_Delete(j);
    if (!m->nents) {
        m->ents[m->nents++] = sim_entity_of(ep, "Customer");
        m->ents[m->nents++] = sim_entity_of(ep, "StockItem");
    }
    if (rate <= 0 || rate > 100000 || ins < 0 || upd < 0 || del < 0 || ins + upd + del != 100)
        return es_err_set(err, ES_EINVAL,
                          "mutate: rate must be in (0, 100000] and insert+update+delete = 100");
    pthread_mutex_lock(&m->mu);
    m->rate = rate;
    m->pct_insert = ins;
    m->pct_update = upd;
    m->duration_ms = dur;
    m->count = count;
    m->stop = 0;
    m->running = 1;
    m->inserted = m->updated = m->deleted = m->failed = 0;
    pthread_mutex_unlock(&m->mu);
    if (pthread_create(&m->thread, NULL, run, m)) {
        m->running = 0;
        return es_err_set(err, ES_EIO, "mutate: cannot start a thread");
    }
    return 0;
}

void sim_mutator_json(struct sim_mutator *m, struct es_buf *out)
{
    pthread_mutex_lock(&m->mu);
    es_buf_addf(out,
                "{\"running\":%s,\"rate\":%g,\"inserted\":%ld,\"updated\":%ld,\"deleted\":%ld,"
                "\"failed\":%ld}",
                m->running ? "true" : "false", m->rate, m->inserted, m->updated, m->deleted,
                m->failed);
    pthread_mutex_unlock(&m->mu);
}
