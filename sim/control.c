/* The control API. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "control.h"
#include "ctlbody.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "faults.h"
#include "filter.h"
#include "input.h"
#include "limits.h"
#include "mutator.h"
#include "names.h"
#include "push.h"
#include "rest.h"
#include "sim.h"
#include "stats.h"
#include "write.h"

static void ok_json(struct sim_resp *rs, struct es_buf *b)
{
    rs->status = 200;
    rs->ctype = "application/json; charset=utf-8";
    es_buf_add(&rs->body, b->data ? b->data : "{}", b->data ? b->len : 2);
}

static void bad(struct sim_resp *rs, const char *msg)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_adds(&b, "{\"error\":\"");
    es_buf_add_json_escaped(&b, msg, strlen(msg));
    es_buf_adds(&b, "\"}");
    sim_resp_json(rs, 400, b.data);
    es_buf_dispose(&b);
}

static char *body_str(struct sim_req *rq)
{
    return es_arena_strndup(rq->arena, rq->body, rq->body_n);
}

static void stats(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    if (!strcmp(rq->method, "POST") || !strcmp(rq->method, "DELETE")) {
        sim_stats_reset(s->stats);
        rs->status = 204;
        return;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_adds(&b, "{\"requests\":");
    sim_stats_json(s->stats, &b);
    es_buf_adds(&b, ",\"sessions\":");
    sim_auth_json(s, &b);
    es_buf_adds(&b, ",\"limits\":");
    sim_limits_json(s->limits, &b);
    es_buf_adds(&b, ",\"mutator\":");
    sim_mutator_json(s->mutator, &b);
    es_buf_adds(&b, ",\"push\":");
    sim_push_json(s->push, &b);
    es_buf_adds(&b, ",\"records\":{");
    struct es_buf st;
    es_buf_init(&st, 0);
    sim_store_lock(s->store);
    sim_store_stats(s->store, &st, NULL);
    sim_store_unlock(s->store);
    int first = 1;
    for (char *line = st.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *sp = strchr(line, ' ');
        if (sp) {
            *sp = '\0';
            es_buf_addf(&b, "%s\"%s\":%s", first ? "" : ",", line, sp + 1);
            first = 0;
        }
        line = nl ? nl + 1 : NULL;
    }
    es_buf_dispose(&st);
    es_buf_adds(&b, "}}");
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

static void clock_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    if (!strcmp(rq->method, "POST")) {
        cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_n);
        const cJSON *v = cJSON_GetObjectItem(j, "shift_ms");
        const cJSON *to = cJSON_GetObjectItem(j, "set_shift_ms");
        if (!cJSON_IsNumber(v) && !cJSON_IsNumber(to)) {
            cJSON_Delete(j);
            bad(rs, "clock: send {\"shift_ms\": N} (added) or {\"set_shift_ms\": N}");
            return;
        }
        if (cJSON_IsNumber(to))
            sim_clock_shift(s, (int64_t)to->valuedouble - s->clock_shift_ms);
        else
            sim_clock_shift(s, (int64_t)v->valuedouble);
        cJSON_Delete(j);
    }
    int64_t now = sim_clock_now(s);
    char iso[64], utc[40];
    es_time_format(iso, sizeof(iso), now, es_tz_offset_min(now));
    es_time_format_utc(utc, sizeof(utc), now);
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, "{\"now\":\"%s\",\"now_utc\":\"%s\",\"now_ms\":%lld,\"shift_ms\":%lld}", iso,
                utc, (long long)now, (long long)s->clock_shift_ms);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

static void faults_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    struct es_err err = {0};
    if (!strcmp(rq->method, "DELETE")) {
        sim_faults_clear(s->faults);
    } else if (!strcmp(rq->method, "POST") &&
               sim_faults_add_json(s->faults, body_str(rq), &err)) {
        bad(rs, err.msg);
        return;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_faults_json(s->faults, &b);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

/* Change the limits from a POST body: all of it or, on an error, none. */
static int set_limits(struct sim *s, struct sim_req *rq, struct es_err *err)
{
    static const char *const known[] = {"max_concurrent", "per_minute", "max_sessions", "reset",
                                        NULL};
    cJSON *j = sim_ctl_parse("limits", rq->body, rq->body_n, known, err);
    if (!j)
        return ES_EINVAL;
    long c = s->cfg.max_concurrent, p = s->cfg.per_minute, m = s->cfg.max_sessions;
    int reset = 0;
    int rc = sim_ctl_whole(&c, j, "limits", "max_concurrent", 0, SIM_LIMITS_CONCURRENT_MAX, err);
    if (rc >= 0)
        rc = sim_ctl_whole(&p, j, "limits", "per_minute", 0, SIM_LIMITS_PER_MINUTE_MAX, err);
    if (rc >= 0)
        rc = sim_ctl_whole(&m, j, "limits", "max_sessions", 1, SIM_LIMITS_SESSIONS_MAX, err);
    if (rc >= 0)
        rc = sim_ctl_bool(&reset, j, "limits", "reset", err);
    cJSON_Delete(j);
    if (rc < 0)
        return rc;
    s->cfg.max_concurrent = (int)c;
    s->cfg.per_minute = (int)p;
    s->cfg.max_sessions = (int)m;
    sim_limits_set(s->limits, s->cfg.max_concurrent, s->cfg.per_minute);
    if (reset)
        sim_limits_reset_counts(s->limits);
    return 0;
}

static void limits_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    struct es_err err = {0};
    if (!strcmp(rq->method, "POST") && set_limits(s, rq, &err)) {
        bad(rs, err.msg);
        return;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_limits_json(s->limits, &b);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

static void sessions_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    if (!strcmp(rq->method, "DELETE"))
        sim_auth_reset(s);
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_auth_json(s, &b);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

static void mutate_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    struct es_err err = {0};
    if (!strcmp(rq->method, "DELETE"))
        sim_mutator_stop(s->mutator);
    else if (!strcmp(rq->method, "POST") && sim_mutator_start(s->mutator, body_str(rq), &err)) {
        bad(rs, err.msg);
        return;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_mutator_json(s->mutator, &b);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

static void push_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    struct es_err err = {0};
    if (!strcmp(rq->method, "DELETE"))
        sim_push_clear(s->push);
    else if (!strcmp(rq->method, "POST") && sim_push_subscribe(s->push, body_str(rq), &err)) {
        bad(rs, err.msg);
        return;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_push_json(s->push, &b);
    ok_json(rs, &b);
    es_buf_dispose(&b);
}

/* ---- documents by external reference ---- */

struct extref {
    struct es_arena *a;
    uint32_t field;
    cJSON *counts;
    long duplicates, total;
};

static int extref_row(const struct sim_row *row, void *ctx)
{
    struct extref *x = ctx;
    struct sim_val v;
    if (!sim_blob_lookup(&v, row->body, row->body_n, &x->field, 1) || v.t != SV_STR || !v.n)
        return 0;
    char *key = es_arena_strndup(x->a, v.u.s, v.n);
    cJSON *c = cJSON_GetObjectItemCaseSensitive(x->counts, key);
    if (c) {
        cJSON_SetNumberValue(c, c->valuedouble + 1);
        if (c->valuedouble == 2)
            x->duplicates++;
    } else {
        cJSON_AddNumberToObject(x->counts, key, 1);
    }
    x->total++;
    return 0;
}

static void extref_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs, const char *entity)
{
    const struct sim_entity *ent = sim_entity_of(sim_endpoint_newest(s), entity);
    const char *field = sim_req_arg(rq, "field");
    if (!ent) {
        bad(rs, "extref: unknown entity");
        return;
    }
    if (!field)
        field = ent->def->extrefs ? ent->def->extrefs[0] : NULL;
    const struct sim_prop *p = field ? sim_type_prop_ci(ent->type, field, strlen(field)) : NULL;
    if (!p || p->kind != SK_VALUE) {
        bad(rs, "extref: ?field= must name a value field of the entity");
        return;
    }
    struct extref x = {.a = rq->arena, .field = p->name_id, .counts = cJSON_CreateObject()};
    sim_store_lock(s->store);
    sim_store_list(s->store, ent->def->name, NULL, -1, 0, extref_row, &x, NULL);
    sim_store_unlock(s->store);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "entity", ent->def->name);
    cJSON_AddStringToObject(out, "field", p->name);
    cJSON_AddNumberToObject(out, "documents", (double)x.total);
    cJSON_AddNumberToObject(out, "duplicated_references", (double)x.duplicates);
    cJSON_AddItemToObject(out, "counts", x.counts);
    char *text = cJSON_PrintUnformatted(out);
    sim_resp_json(rs, 200, text);
    cJSON_free(text);
    cJSON_Delete(out);
}

/* ---- records ---- */

struct delayed {
    struct sim *s;
    char entity[48];
    char *body;
    int64_t stamp;
    long delay_ms;
};

static void *delayed_commit(void *arg)
{
    struct delayed *d = arg;
    struct timespec ts = {d->delay_ms / 1000, (d->delay_ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
    struct es_arena a;
    es_arena_init(&a, 16 * 1024);
    const struct sim_endpoint *ep = sim_endpoint_newest(d->s);
    const struct sim_entity *ent = sim_entity_of(ep, d->entity);
    cJSON *j = cJSON_Parse(d->body);
    struct es_buf ms;
    es_buf_init(&ms, 0);
    struct sim_put req = {.ep = ep, .ent = ent, .stamp = d->stamp, .trusted = 1};
    if (ent && j && !sim_input_doc(&req.sent, &a, ent->type, j, &ms)) {
        struct sim_write_result res;
        sim_write_put(d->s, &a, &req, &res);
    }
    es_buf_dispose(&ms);
    cJSON_Delete(j);
    es_arena_dispose(&a);
    free(d->body);
    free(d);
    return NULL;
}

/* PUT with ?commit_delay_ms=N: the save takes its timestamp now and becomes
 * visible N ms later, like a long transaction committing late. */
static void late_put(struct sim *s, struct sim_req *rq, struct sim_resp *rs, const char *entity,
                     long delay)
{
    struct delayed *d = es_xcalloc(1, sizeof(*d));
    d->s = s;
    snprintf(d->entity, sizeof(d->entity), "%s", entity);
    d->body = es_xstrndup(rq->body, rq->body_n);
    d->stamp = sim_stamp(s);
    d->delay_ms = delay;
    pthread_t t;
    if (pthread_create(&t, NULL, delayed_commit, d)) {
        free(d->body);
        free(d);
        bad(rs, "records: cannot start the delayed commit");
        return;
    }
    pthread_detach(t);
    char utc[40];
    es_time_format_utc(utc, sizeof(utc), d->stamp);
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, "{\"stamp_utc\":\"%s\",\"stamp_ms\":%lld,\"commit_delay_ms\":%ld}", utc,
                (long long)d->stamp, delay);
    rs->status = 202;
    rs->ctype = "application/json; charset=utf-8";
    es_buf_add(&rs->body, b.data, b.len);
    es_buf_dispose(&b);
}

static void records_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg,
                        int nseg)
{
    const char *delay = sim_req_arg(rq, "commit_delay_ms");
    if (!strcmp(rq->method, "PUT") && delay && nseg == 1) {
        long ms = strtol(delay, NULL, 10);
        if (ms > 0 && ms <= 600000) {
            late_put(s, rq, rs, seg[0], ms);
            return;
        }
    }
    const char *version = sim_req_arg(rq, "version");
    const struct sim_endpoint *ep = version ? sim_endpoint_find(s, version)
                                            : sim_endpoint_newest(s);
    if (!ep) {
        bad(rs, "records: unknown version");
        return;
    }
    rq->trusted = 1;
    sim_rest(s, ep, rq, rs, seg, nseg);
}

/* ---- a mass update: many records saved with one timestamp ---- */

struct touched {
    struct es_arena *a;
    struct touch_row {
        char id[40];
        int64_t created, modified;
        void *body;
        size_t n;
    } * rows;
    size_t n, cap;
};

static int touch_collect(const struct sim_row *row, void *ctx)
{
    struct touched *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->rows = es_xrealloc(t->rows, t->cap * sizeof(*t->rows));
    }
    struct touch_row *r = &t->rows[t->n++];
    snprintf(r->id, sizeof(r->id), "%s", row->id);
    r->created = row->created;
    r->modified = row->modified;
    r->body = es_arena_memdup(t->a, row->body, row->body_n);
    r->n = row->body_n;
    return 0;
}

/* Save every touched record with one stamp (and one field set, if asked). */
static int touch_save(struct sim *s, const struct sim_entity *ent, struct touched *t,
                      uint32_t field, const char *value, int64_t stamp, struct es_err *err)
{
    int rc = sim_store_begin(s->store, err);
    for (size_t i = 0; !rc && i < t->n; i++) {
        struct touch_row *r = &t->rows[i];
        struct sim_doc *before, *after;
        if (sim_doc_decode(t->a, &before, r->body, r->n) ||
            sim_doc_decode(t->a, &after, es_arena_memdup(t->a, r->body, r->n), r->n))
            continue;
        if (field)
            sim_doc_set_str(t->a, after, field, value);
        rc = sim_write_save(s, ent, after, r->id, r->created, stamp, err);
        if (!rc)
            sim_push_changed(s, ent->def, before, r->modified, after, r->id, stamp);
    }
    if (!rc)
        rc = sim_store_commit(s->store, err);
    if (rc)
        sim_store_rollback(s->store);
    sim_push_end(s, rc == 0);
    return rc;
}

/* POST {"entity":"Customer","count":5000,"field":"Terms","value":"30D"}:
 * the first count records (all when 0) in key order are saved at once, as
 * a mass-update screen does, so they share one LastModifiedDateTime. */
static void touch_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_n);
    const struct sim_entity *ent =
        sim_entity_of(sim_endpoint_newest(s), cJSON_GetStringValue(cJSON_GetObjectItem(j, "entity")) ?: "");
    const cJSON *cnt = cJSON_GetObjectItem(j, "count");
    const char *fname = cJSON_GetStringValue(cJSON_GetObjectItem(j, "field"));
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItem(j, "value"));
    const struct sim_prop *fp = ent && fname ? sim_type_prop_ci(ent->type, fname, strlen(fname)) : NULL;
    if (!ent || (fname && (!fp || fp->kind != SK_VALUE || fp->wt != WT_STRING || !value))) {
        cJSON_Delete(j);
        bad(rs, "touch: send {\"entity\": E, \"count\": N, \"field\": F, \"value\": V} "
                "(field: a text field of E; field and value optional)");
        return;
    }
    struct touched t = {.a = rq->arena};
    struct es_err err = {0};
    int64_t limit = cJSON_IsNumber(cnt) && cnt->valuedouble > 0 ? (int64_t)cnt->valuedouble : -1;
    sim_store_lock(s->store);
    int64_t stamp = sim_stamp(s);
    int rc = sim_store_list(s->store, ent->def->name, NULL, limit, 0, touch_collect, &t, &err);
    if (!rc)
        rc = touch_save(s, ent, &t, fp ? fp->name_id : 0, value, stamp, &err);
    sim_store_unlock(s->store);
    char utc[40], body[160];
    es_time_format_utc(utc, sizeof(utc), stamp);
    snprintf(body, sizeof(body), "{\"touched\":%zu,\"stamp_utc\":\"%s\",\"stamp_ms\":%lld}",
             rc ? 0 : t.n, utc, (long long)stamp);
    free(t.rows);
    cJSON_Delete(j);
    if (rc)
        bad(rs, err.msg);
    else
        sim_resp_json(rs, 200, body);
}

static void count_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs, const char *entity)
{
    const struct sim_entity *ent = sim_entity_of(sim_endpoint_newest(s), entity);
    if (!ent) {
        bad(rs, "count: unknown entity");
        return;
    }
    struct sim_sqlq q;
    sim_sqlq_init(&q);
    struct es_err err = {0};
    const char *f = sim_req_arg(rq, "$filter");
    struct sim_fnode *tree;
    if (f && (sim_filter_parse(&tree, rq->arena, f, &err) ||
              sim_filter_sql(&q, rq->arena, ent, tree, &err))) {
        sim_sqlq_dispose(&q);
        bad(rs, err.msg);
        return;
    }
    sim_store_lock(s->store);
    int64_t n = sim_store_count(s->store, ent->def->name, f ? &q : NULL, NULL);
    sim_store_unlock(s->store);
    sim_sqlq_dispose(&q);
    char body[64];
    snprintf(body, sizeof(body), "{\"count\":%lld}", (long long)n);
    sim_resp_json(rs, 200, body);
}

static void generated_api(struct sim *s, struct sim_resp *rs)
{
    sim_store_lock(s->store);
    char *summary = sim_store_meta_get(s->store, "generated_summary");
    sim_store_unlock(s->store);
    sim_resp_json(rs, 200, summary ? summary : "{}");
    free(summary);
}

void sim_control(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int nseg)
{
    const char *what = nseg ? seg[0] : "";
    if (!strcmp(what, "generated"))
        generated_api(s, rs);
    else if (!strcmp(what, "stats"))
        stats(s, rq, rs);
    else if (!strcmp(what, "clock"))
        clock_api(s, rq, rs);
    else if (!strcmp(what, "faults"))
        faults_api(s, rq, rs);
    else if (!strcmp(what, "limits"))
        limits_api(s, rq, rs);
    else if (!strcmp(what, "sessions"))
        sessions_api(s, rq, rs);
    else if (!strcmp(what, "mutate"))
        mutate_api(s, rq, rs);
    else if (!strcmp(what, "push"))
        push_api(s, rq, rs);
    else if (!strcmp(what, "extref") && nseg == 2)
        extref_api(s, rq, rs, seg[1]);
    else if (!strcmp(what, "touch") && !strcmp(rq->method, "POST"))
        touch_api(s, rq, rs);
    else if (!strcmp(what, "count") && nseg == 2)
        count_api(s, rq, rs, seg[1]);
    else if (!strcmp(what, "records") && nseg >= 2)
        records_api(s, rq, rs, seg + 1, nseg - 1);
    else
        sim_resp_json(rs, 404, "{\"error\":\"unknown control path; see docs/acusim.md\"}");
}
