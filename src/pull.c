/* Pull: windows of last-modified time, keyset pages, reconciliation. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/conflict.h"
#include "erpsync/json.h"
#include "erpsync/map.h"
#include "erpsync/pull.h"
#include "erpsync/timeutil.h"

/* A page's answer should stay under this many bytes, so memory is bounded
 * whatever the records weigh (a sales order with its lines is ~8 KB, a
 * customer ~2 KB): the page size shrinks for heavy records. */
#define PAGE_BYTES 2000000L
#define MIN_TOP 10

/* The ERP's clock is known to the second (its Date header): windows always
 * overlap by at least this much, whatever the configured overlap. */
#define MIN_OVERLAP_MS 2000
#define DAY_MS 86400000LL

struct set_run {
    struct es_pull *p;
    const struct es_mapping *m;
    const char *name;
    struct es_set_state st;
    struct es_counts *c;
    long estimate;
    char cutoff[16];   /* documents dated before this day are out of history ("": none) */
    int first_load;    /* the set had never been synced */
    int likely_new;    /* so records are inserted without looking first */
    struct es_map_plan *plan;
    int top;           /* records asked for this page */
    int next_top;      /* and for the next (adapted to their size) */
};

/* ---- filters ---- */

static void add_cond(struct es_buf *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_cond(struct es_buf *f, const char *fmt, ...)
{
    char tmp[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (f->len)
        es_buf_adds(f, " and ");
    es_buf_adds(f, tmp);
}

static void time_literal(char *out, size_t cap, int64_t ms)
{
    char iso[40];
    es_time_format_utc(iso, sizeof(iso), ms);
    snprintf(out, cap, "datetimeoffset'%s'", iso);
}

/* A key value (n bytes of v) as an OData literal: 'text' with quotes
 * doubled, or a number. */
static void key_literal(struct es_buf *out, const char *v, size_t n, int is_int)
{
    if (is_int) {
        es_buf_add(out, v, n);
        return;
    }
    es_buf_add(out, "'", 1);
    for (const char *s = v; s < v + n; s++) {
        es_buf_add(out, s, 1);
        if (*s == '\'')
            es_buf_add(out, "'", 1);
    }
    es_buf_add(out, "'", 1);
}

/* An ERP key's parts: the first's length, and the second (after '|') or
 * NULL for a one-part key. */
static const char *key_parts(const struct es_mapping *m, const char *key, size_t *first)
{
    const char *bar = m->nkeys == 2 ? strchr(key, '|') : NULL;
    *first = bar ? (size_t)(bar - key) : strlen(key);
    return bar ? bar + 1 : NULL;
}

/* After the last key read: "K gt 'a'", or for two keys
 * "(K1 gt 'a' or (K1 eq 'a' and K2 gt 'b'))". */
static void keyset_cond(struct es_buf *f, const struct es_mapping *m, const char *after)
{
    size_t n1;
    const char *k2 = key_parts(m, after, &n1);
    if (f->len)
        es_buf_adds(f, " and ");
    if (k2 && m->key0_fixed) { /* one order type: "OrderNbr gt 'b'" is the same */
        es_buf_addf(f, "%s gt ", m->keys[1]);
        key_literal(f, k2, strlen(k2), 0);
        return;
    }
    if (!k2) {
        es_buf_addf(f, "%s gt ", m->keys[0]);
        key_literal(f, after, n1, m->int_key);
        return;
    }
    es_buf_addf(f, "(%s gt ", m->keys[0]);
    key_literal(f, after, n1, 0);
    es_buf_addf(f, " or (%s eq ", m->keys[0]);
    key_literal(f, after, n1, 0);
    es_buf_addf(f, " and %s gt ", m->keys[1]);
    key_literal(f, k2, strlen(k2), 0);
    es_buf_adds(f, "))");
}

/* The conditions every read of the set has: its fixed filter, the options,
 * and for documents of a full pull the history window. */
static void scope_conds(struct es_buf *f, const struct set_run *r, int full)
{
    if (r->m->filter)
        add_cond(f, "%s", r->m->filter);
    if (r->m->set == ES_SET_CUSTOMERS && !r->p->cfg->customers.sync_sub_customers)
        add_cond(f, "ParentRecord eq null");
    if (full && r->cutoff[0]) /* no offset: midnight of that day in the ERP's calendar */
        add_cond(f, "%s ge datetimeoffset'%sT00:00:00'", r->m->date_field, r->cutoff);
}

static void window_conds(struct es_buf *f, const struct set_run *r)
{
    char lit[64];
    const char *mod = r->m->modified[es_map_version_index(es_acu_version(r->p->acu))];
    if (r->st.window_lo_ms > 0) {
        time_literal(lit, sizeof(lit), r->st.window_lo_ms);
        add_cond(f, "%s ge %s", mod, lit);
    }
    time_literal(lit, sizeof(lit), r->st.window_hi_ms);
    add_cond(f, "%s lt %s", mod, lit);
}

/* "<Entity>?$filter=...&$select=...&$expand=...&$top=N" */
static void page_path(struct es_buf *out, const struct set_run *r, const char *after,
                      int keys_only)
{
    struct es_buf f;
    es_buf_init(&f, 0);
    scope_conds(&f, r, keys_only ? 1 : r->st.full);
    if (!keys_only)
        window_conds(&f, r);
    if (after && *after)
        keyset_cond(&f, r->m, after);
    es_buf_addf(out, "%s?$filter=", r->m->entity);
    es_http_escape(out, f.data ? f.data : "");
    es_buf_add(out, "&", 1);
    es_map_query(out, r->m, es_acu_version(r->p->acu), keys_only);
    es_buf_addf(out, "&$top=%d", r->top);
    es_buf_dispose(&f);
}

/* ---- key order ---- */

static int alnum_only(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '|'))
            return 0;
    return 1;
}

/* Is key b after key a in the ERP's order? Only keys of letters and digits
 * are judged (every SQL collation orders those alike); others pass. */
static int after(const struct es_mapping *m, const char *a, const char *b)
{
    if (!*a)
        return 1;
    if (m->int_key)
        return strtoll(b, NULL, 10) > strtoll(a, NULL, 10);
    if (!alnum_only(a) || !alnum_only(b))
        return 1;
    return strcasecmp(b, a) > 0;
}

/* ---- one page ---- */

/* The next page's size from this one's bytes per record. */
static void adapt_top(struct set_run *r, size_t bytes, int n)
{
    if (n <= 0 || !bytes)
        return;
    long fit = PAGE_BYTES / (long)(bytes / (size_t)n + 1);
    int max = r->p->cfg->sync.page_size;
    r->next_top = fit < MIN_TOP ? MIN_TOP : fit > max ? max : (int)fit;
}

/* GET a list: the parsed JSON array in out (the caller frees it), its
 * size in bytes in bytes (may be NULL). */
static int fetch_list(struct set_run *r, const char *path, cJSON **out, size_t *bytes,
                      struct es_err *err)
{
    struct es_http_resp resp;
    es_http_resp_init(&resp);
    long before = es_acu_stats(r->p->acu)->requests;
    int rc = es_acu_get_json(r->p->acu, &resp, path, out, err);
    r->c->requests += es_acu_stats(r->p->acu)->requests - before;
    if (!rc) {
        if (bytes)
            *bytes = resp.body.len;
        if (!cJSON_IsArray(*out)) {
            cJSON_Delete(*out);
            *out = NULL;
            rc = es_err_set(err, ES_EREMOTE, "GET %s: the answer is not a JSON list (%zu bytes)",
                            r->m->entity, resp.body.len);
        }
    }
    es_http_resp_dispose(&resp);
    return rc;
}

static int fetch_page(struct set_run *r, const char *after_key, int keys_only, cJSON **out,
                      struct es_err *err)
{
    struct es_buf path;
    es_buf_init(&path, 0);
    page_path(&path, r, after_key, keys_only);
    size_t bytes = 0;
    int rc = fetch_list(r, path.data, out, &bytes, err);
    if (!rc)
        adapt_top(r, bytes, cJSON_GetArraySize(*out));
    es_buf_dispose(&path);
    return rc;
}

static void count(struct es_counts *c, enum es_outcome o)
{
    switch (o) {
    case ES_CREATED: c->created++; break;
    case ES_UPDATED: c->updated++; break;
    case ES_UNCHANGED: c->unchanged++; break;
    case ES_HELD: c->held++; break;
    case ES_REKEYED: c->updated++, c->rekeyed++; break;
    }
}

/* Both sides changed the record since the last sync: primary says who
 * wins, or (newest) the later change, the ERP's time moved to our clock by
 * the skew its Date headers show. The decision is kept with both versions. */
static int decide(struct set_run *r, const struct es_record *rec, const struct es_held *h,
                  struct es_err *err)
{
    char reason[300];
    int erp_wins = es_conflict_erp_wins(r->p->cfg->sets[r->m->set].primary, rec,
                                        es_acu_clock_skew(r->p->acu), h->app_modified, reason,
                                        sizeof(reason));
    r->c->conflicts++;
    erp_wins ? (r->c->updated++, r->c->erp_won++) : r->c->held++;
    return es_store_resolve(r->p->store, r->m, h, rec, erp_wins, reason, rec->erp_modified,
                            r->p->run_id, r->p->now_utc, err);
}

/* Store one mapped record: written, left (unchanged), or decided as a
 * conflict when the application changed it too. */
static int store_record(struct set_run *r, const struct es_record *rec, enum es_outcome *o,
                        struct es_err *err)
{
    const struct es_pull *p = r->p;
    struct es_held held;
    int rc = es_store_put(p->store, r->m, rec, p->now_utc, r->likely_new, o, &held, err);
    if (!rc && *o == ES_HELD)
        return decide(r, rec, &held, err);
    if (!rc)
        count(r->c, *o);
    return rc;
}

/* Map one record; one that cannot be mapped is a failure kept in
 * es_failures (returns 1), it does not stop the page. */
static int map_record(struct set_run *r, struct es_arena *a, const cJSON *j, struct es_record *rec,
                      struct es_err *err)
{
    struct es_err e = {0};
    const struct es_pull *p = r->p;
    r->c->fetched++;
    if (!es_map_apply(rec, a, r->plan, j, &e))
        return 0;
    r->c->failed++;
    int rc = es_store_failure(p->store, p->run_id, r->name, rec->erp_key, e.msg, p->now_utc, err);
    return rc ? rc : 1;
}

/* Map and store one record of a page, in key order. */
static int put_record(struct set_run *r, struct es_arena *a, const cJSON *j, char *last,
                      size_t cap, struct es_err *err)
{
    struct es_record rec;
    int rc = map_record(r, a, j, &rec, err);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!after(r->m, last, rec.erp_key))
        return es_err_set(err, ES_EREMOTE,
                          "GET %s: the ERP sent key '%s' after '%s'; reading in pages needs "
                          "the records in key order",
                          r->m->entity, rec.erp_key, last);
    snprintf(last, cap, "%s", rec.erp_key);
    enum es_outcome o;
    return store_record(r, &rec, &o, err);
}

/* End the transaction the work of a page began: with the set's state
 * when the work went well (rc 0), rolled back otherwise. */
static int save_state(struct set_run *r, int rc, struct es_err *err)
{
    if (!rc)
        rc = es_store_state_put(r->p->store, r->name, &r->st, err);
    if (!rc)
        rc = es_store_commit(r->p->store, err);
    if (rc)
        es_store_rollback(r->p->store);
    return rc;
}

/* Store a page and the window's new position in one transaction. */
static int commit_page(struct set_run *r, struct es_arena *a, const cJSON *items,
                       struct es_err *err)
{
    int rc = es_store_begin(r->p->store, err);
    char last[sizeof(r->st.after_key)];
    snprintf(last, sizeof(last), "%s", r->st.after_key);
    const cJSON *j;
    cJSON_ArrayForEach(j, items)
    {
        if (rc)
            break;
        rc = put_record(r, a, j, last, sizeof(last), err);
    }
    if (!rc) {
        snprintf(r->st.after_key, sizeof(r->st.after_key), "%s", last);
        r->st.fetched += cJSON_GetArraySize(items);
    }
    return save_state(r, rc, err);
}

/* ---- the window ---- */

static void report(struct set_run *r, const char *phase, long done)
{
    /* A full pull reads about as many records as the table holds. */
    long estimate = r->st.full && r->estimate > done ? r->estimate : 0;
    if (r->p->progress)
        r->p->progress(r->p->progress_ctx, r->name, phase, done, estimate);
}

/* Open a new window, unless one is being read (a resumed run). */
static int open_window(struct set_run *r, struct es_err *err)
{
    struct es_set_state *st = &r->st;
    if (st->in_progress)
        return 0;
    const struct es_config_sync *cs = &r->p->cfg->sync;
    int64_t now = es_acu_erp_now(r->p->acu);
    st->full = r->p->full || st->watermark_ms == 0;
    int64_t overlap = cs->overlap_ms > MIN_OVERLAP_MS ? cs->overlap_ms : MIN_OVERLAP_MS;
    st->window_hi_ms = now;
    st->window_lo_ms = st->full ? 0 : st->watermark_ms - overlap;
    if (cs->last_modified_since_days > 0) {
        int64_t bound = now - cs->last_modified_since_days * DAY_MS;
        if (st->window_lo_ms < bound)
            st->window_lo_ms = bound;
    }
    st->in_progress = 1;
    st->after_key[0] = '\0';
    st->run_id = r->p->run_id;
    st->fetched = 0;
    return es_store_state_put(r->p->store, r->name, st, err);
}

static int close_window(struct set_run *r, struct es_err *err)
{
    struct es_set_state *st = &r->st;
    st->watermark_ms = st->window_hi_ms;
    if (st->full)
        st->last_full_ms = st->window_hi_ms;
    st->in_progress = 0;
    st->after_key[0] = '\0';
    return es_store_state_put(r->p->store, r->name, st, err);
}

static int stopped(struct es_err *err, const char *set)
{
    return es_err_set(err, ES_ECONFLICT, "%s: stopped; the next run resumes where this one ended",
                      set);
}

/* A page's JSON and its mapped records live in one arena, reset after the
 * page: memory stays bounded by the page size. */
static int read_page(struct set_run *r, struct es_arena *page, int *n, struct es_err *err)
{
    cJSON *items = NULL;
    es_json_arena_begin(page);
    int rc = fetch_page(r, r->st.after_key, 0, &items, err);
    if (!rc) {
        *n = cJSON_GetArraySize(items);
        rc = commit_page(r, page, items, err);
    }
    es_json_arena_end();
    es_arena_reset(page);
    return rc;
}

static int read_window(struct set_run *r, struct es_err *err)
{
    struct es_arena page;
    es_arena_init(&page, 1u << 20);
    int rc = open_window(r, err);
    while (!rc) {
        if (es_acu_stopping()) {
            rc = stopped(err, r->name);
            break;
        }
        int n = 0, asked = r->top;
        if ((rc = read_page(r, &page, &n, err)))
            break;
        r->top = r->next_top;
        report(r, "pull", r->st.fetched);
        if (n < asked) {
            rc = close_window(r, err);
            break;
        }
    }
    es_arena_dispose(&page);
    return rc;
}

/* ---- deletions ---- */

static int mark_deleted(struct set_run *r, struct es_err *err);

static int reconcile_due(struct set_run *r)
{
    if (r->first_load) { /* the store had nothing that could have been deleted */
        r->st.last_reconcile_ms = r->st.window_hi_ms;
        return 0;
    }
    if (r->st.full)
        return 1;
    long every = r->p->cfg->sync.reconcile_interval_ms;
    return every > 0 && es_acu_erp_now(r->p->acu) - r->st.last_reconcile_ms >= every;
}

/* The records a reconciliation found changed outside the windows read
 * are fetched again by key, this many per request. */
#define REPAIR_BATCH 20

/* "K eq 'a'", or "(K1 eq 'a' and K2 eq 'b')" for a two-part key. */
static void key_cond(struct es_buf *f, const struct es_mapping *m, const char *key)
{
    size_t n1;
    const char *k2 = key_parts(m, key, &n1);
    es_buf_addf(f, "%s%s eq ", k2 ? "(" : "", m->keys[0]);
    key_literal(f, key, n1, k2 ? 0 : m->int_key);
    if (!k2)
        return;
    es_buf_addf(f, " and %s eq ", m->keys[1]);
    key_literal(f, k2, strlen(k2), 0);
    es_buf_adds(f, ")");
}

/* "<Entity>?$filter=(<key> or <key>...)&$select=...&$expand=..." */
static void keys_path(struct es_buf *out, const struct set_run *r, char **keys, int n)
{
    struct es_buf f;
    es_buf_init(&f, 0);
    if (r->m->filter)
        es_buf_addf(&f, "%s and ", r->m->filter);
    es_buf_adds(&f, "(");
    for (int i = 0; i < n; i++) {
        if (i)
            es_buf_adds(&f, " or ");
        key_cond(&f, r->m, keys[i]);
    }
    es_buf_adds(&f, ")");
    es_buf_addf(out, "%s?$filter=", r->m->entity);
    es_http_escape(out, f.data);
    es_buf_add(out, "&", 1);
    es_map_query(out, r->m, es_acu_version(r->p->acu), 0);
    es_buf_dispose(&f);
}

/* A record fetched again: counted as repaired when its synced content
 * changed (or it was missing), not when only its time did. */
static int repair_record(struct set_run *r, struct es_arena *a, const cJSON *j, struct es_err *err)
{
    struct es_record rec;
    enum es_outcome o = ES_UNCHANGED;
    int rc = map_record(r, a, j, &rec, err);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!(rc = store_record(r, &rec, &o, err)) && o != ES_UNCHANGED)
        r->c->repaired++;
    return rc;
}

/* One batch of keys fetched and stored in one transaction. */
static int repair_batch(struct set_run *r, struct es_arena *page, char **keys, int n,
                        struct es_err *err)
{
    struct es_buf path;
    es_buf_init(&path, 0);
    keys_path(&path, r, keys, n);
    cJSON *items = NULL;
    es_json_arena_begin(page);
    int rc = fetch_list(r, path.data, &items, NULL, err);
    if (!rc && !(rc = es_store_begin(r->p->store, err))) {
        const cJSON *j;
        cJSON_ArrayForEach(j, items)
        {
            if ((rc = repair_record(r, page, j, err)))
                break;
        }
        rc = rc ? (es_store_rollback(r->p->store), rc) : es_store_commit(r->p->store, err);
    }
    es_json_arena_end();
    es_arena_reset(page);
    es_buf_dispose(&path);
    return rc;
}

static int repair(struct set_run *r, char **keys, int n, struct es_err *err)
{
    struct es_arena page;
    es_arena_init(&page, 1u << 20);
    int rc = 0;
    for (int i = 0; !rc && i < n; i += REPAIR_BATCH) {
        if (es_acu_stopping())
            rc = stopped(err, r->name);
        else
            rc = repair_batch(r, &page, keys + i, n - i < REPAIR_BATCH ? n - i : REPAIR_BATCH,
                              err);
    }
    es_arena_dispose(&page);
    return rc;
}

/* List every key with its modified time (keyset pages) into es_seen. */
static int list_keys(struct set_run *r, struct es_err *err)
{
    struct es_store *s = r->p->store;
    int rc = es_store_seen_reset(s, err);
    char last[256] = "";
    long listed = 0;
    while (!rc) {
        if (es_acu_stopping()) {
            rc = stopped(err, r->name);
            break;
        }
        cJSON *items = NULL;
        if ((rc = fetch_page(r, last, 1, &items, err)))
            break;
        struct es_arena a;
        es_arena_init(&a, 16 * 1024);
        const cJSON *j;
        cJSON_ArrayForEach(j, items)
        {
            struct es_record rec;
            if (rc || es_map_apply(&rec, &a, r->plan, j, NULL))
                continue; /* a listed record without a key cannot be matched */
            rc = es_store_seen_add(s, rec.erp_key, rec.erp_modified, err);
            snprintf(last, sizeof(last), "%s", rec.erp_key);
            listed++;
        }
        int n = cJSON_GetArraySize(items), asked = r->top;
        cJSON_Delete(items);
        es_arena_dispose(&a);
        r->top = r->next_top;
        report(r, "reconcile", listed);
        if (n < asked)
            break;
    }
    return rc;
}

/* List every key and its time; mark the rows not listed deleted; fetch
 * again the records whose time is not the stored one though it is before
 * the windows' end: changes committed after a window passed them (late
 * commits), which no window would read. */
static int reconcile(struct set_run *r, struct es_err *err)
{
    struct es_store *s = r->p->store;
    int64_t started = es_acu_erp_now(r->p->acu);
    struct es_arena keys;
    es_arena_init(&keys, 64 * 1024);
    char **stale = NULL, end[40];
    int nstale = 0;
    es_time_format_utc(end, sizeof(end), r->st.watermark_ms);
    int rc = es_store_begin(s, err);
    if (!rc && !(rc = list_keys(r, err)))
        rc = es_store_seen_stale(s, r->m, end, &keys, &stale, &nstale, err);
    rc = rc ? (es_store_rollback(s), rc) : mark_deleted(r, err);
    long before = r->c->repaired;
    if (!rc)
        rc = repair(r, stale, nstale, err);
    es_arena_dispose(&keys);
    if (rc)
        return rc;
    r->st.last_reconcile_ms = started;
    r->st.last_repaired = r->c->repaired - before;
    return es_store_state_put(s, r->name, &r->st, err);
}

static int mark_deleted(struct set_run *r, struct es_err *err)
{
    long n = 0;
    int rc = es_store_mark_unseen_deleted(r->p->store, r->m, r->cutoff[0] ? r->cutoff : NULL,
                                          r->p->now_utc, &n, err);
    r->c->deleted += n;
    return save_state(r, rc, err);
}

/* ---- an inquiry (prices): one PUT answers every row ---- */

static int put_rows(struct set_run *r, struct es_arena *a, const cJSON *rows, struct es_err *err)
{
    const struct es_pull *p = r->p;
    const cJSON *j;
    int rc = 0;
    cJSON_ArrayForEach(j, rows)
    {
        struct es_record rec;
        struct es_err e = {0};
        enum es_outcome o;
        r->c->fetched++;
        if (es_map_apply(&rec, a, r->plan, j, &e)) {
            r->c->failed++;
            rc = es_store_failure(p->store, p->run_id, r->name, rec.erp_key, e.msg, p->now_utc,
                                  err);
        } else if (!(rc = es_store_seen_add(p->store, rec.erp_key, NULL, err)) &&
                   !(rc = es_store_put(p->store, r->m, &rec, p->now_utc, 0, &o, NULL, err))) {
            count(r->c, o);
        }
        if (rc)
            break;
    }
    report(r, "pull", r->c->fetched);
    return rc;
}

/* Every row of the inquiry, compared with the store; rows gone are marked
 * deleted. */
/* One part of the inquiry (its filter body), parsed in the page arena and
 * stored; the rows' keys are collected for the deletions. */
static int inquiry_part(struct set_run *r, struct es_arena *page, const char *body,
                        struct es_err *err)
{
    struct es_buf path;
    es_buf_init(&path, 0);
    es_buf_addf(&path, "%s?", r->m->entity);
    es_map_query(&path, r->m, es_acu_version(r->p->acu), 0);
    struct es_http_resp resp;
    es_http_resp_init(&resp);
    es_json_arena_begin(page);
    long before = es_acu_stats(r->p->acu)->requests;
    int rc = es_acu_call(r->p->acu, &resp, "PUT", path.data, body, ES_ACU_IDEMPOTENT, err);
    r->c->requests += es_acu_stats(r->p->acu)->requests - before;
    cJSON *j = rc ? NULL : cJSON_ParseWithLength(resp.body.data, resp.body.len);
    es_http_resp_dispose(&resp);
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, r->m->inquiry_array);
    if (!rc && !cJSON_IsArray(rows))
        rc = es_err_set(err, ES_EREMOTE, "PUT %s: the answer has no %s list", r->m->entity,
                        r->m->inquiry_array);
    if (!rc)
        rc = put_rows(r, page, rows, err);
    es_json_arena_end();
    es_arena_reset(page);
    es_buf_dispose(&path);
    return rc;
}

/* Every row of the inquiry, in parts (one answer per part bounds memory),
 * compared with the store; rows gone are marked deleted. */
static int read_inquiry(struct set_run *r, struct es_err *err)
{
    struct es_arena page;
    es_arena_init(&page, 1u << 20);
    int64_t started = es_acu_erp_now(r->p->acu);
    int rc = es_store_begin(r->p->store, err);
    if (!rc)
        rc = es_store_seen_reset(r->p->store, err);
    static const char *const whole[] = {"{}", NULL};
    const char *const *parts = r->m->inquiry_parts ? r->m->inquiry_parts : whole;
    for (int i = 0; !rc && parts[i]; i++)
        rc = inquiry_part(r, &page, parts[i], err);
    es_arena_dispose(&page);
    if (rc) {
        es_store_rollback(r->p->store);
        return rc;
    }
    r->st.window_hi_ms = started;
    r->st.watermark_ms = started;
    r->st.last_full_ms = started;
    r->st.last_reconcile_ms = started;
    return mark_deleted(r, err);
}

/* Prices change when a price worksheet is released: one cheap question
 * ("any worksheet changed since the last run?") saves the whole inquiry. */
static int worksheets_changed(struct set_run *r, int *changed, struct es_err *err)
{
    int64_t overlap = r->p->cfg->sync.overlap_ms > MIN_OVERLAP_MS ? r->p->cfg->sync.overlap_ms
                                                                   : MIN_OVERLAP_MS;
    char lit[64], filter[160];
    time_literal(lit, sizeof(lit), r->st.watermark_ms - overlap);
    snprintf(filter, sizeof(filter), "LastModifiedDateTime ge %s", lit);
    struct es_buf path;
    es_buf_init(&path, 0);
    es_buf_adds(&path, "SalesPriceWorksheet?$select=ReferenceNbr&$top=1&$filter=");
    es_http_escape(&path, filter);
    struct es_http_resp resp;
    es_http_resp_init(&resp);
    long before = es_acu_stats(r->p->acu)->requests;
    int rc = es_acu_call(r->p->acu, &resp, "GET", path.data, NULL, ES_ACU_IDEMPOTENT, err);
    r->c->requests += es_acu_stats(r->p->acu)->requests - before;
    cJSON *j = rc ? NULL : cJSON_ParseWithLength(resp.body.data, resp.body.len);
    *changed = !cJSON_IsArray(j) || cJSON_GetArraySize(j) > 0;
    cJSON_Delete(j);
    es_http_resp_dispose(&resp);
    es_buf_dispose(&path);
    return rc;
}

static int pull_inquiry(struct set_run *r, struct es_err *err)
{
    int64_t asked = es_acu_erp_now(r->p->acu);
    int changed = 1;
    long every = r->p->cfg->sync.reconcile_interval_ms;
    int due = r->p->full || !r->st.watermark_ms ||
              (every > 0 && asked - r->st.last_reconcile_ms >= every);
    int rc = due ? 0 : worksheets_changed(r, &changed, err);
    if (rc)
        return rc;
    if (!changed) { /* nothing released since: the prices stand */
        r->st.watermark_ms = asked;
        return es_store_state_put(r->p->store, r->name, &r->st, err);
    }
    return read_inquiry(r, err);
}

/* ---- a set ---- */

int es_pull_set(struct es_pull *p, enum es_set_id set, struct es_counts *c, struct es_err *err)
{
    memset(c, 0, sizeof(*c));
    struct set_run r = {.p = p, .m = es_map_get(set), .name = es_set_info(set)->name, .c = c};
    if (!r.m)
        return es_err_set(err, ES_EINVAL, "%s: erpsync does not pull this set", r.name);
    int rc = es_acu_signed_in(p->acu) ? 0 : es_acu_signin(p->acu, err);
    if (rc || (rc = es_store_state_get(p->store, r.name, &r.st, err)))
        return rc;
    if (r.m->date_field && p->cfg->sync.history_years > 0)
        es_date_local(r.cutoff, sizeof(r.cutoff), es_acu_erp_now(p->acu),
                      p->cfg->sync.history_years);
    es_store_estimate(p->store, r.m->table, &r.estimate); /* a full pull's progress */
    es_map_plan_new(&r.plan, r.m, es_acu_version(p->acu), p->cfg);
    /* Records with lines start small; the size adapts after a page. */
    int ps = p->cfg->sync.page_size;
    r.top = r.next_top = r.m->details && r.m->details[0].array && ps > 100 ? 100 : ps;
    if (r.m->inquiry_array) {
        rc = pull_inquiry(&r, err);
    } else {
        long app_rows = 0;
        es_store_app_rows(p->store, r.m->table, &app_rows, NULL);
        /* A first load inserts without looking, unless application rows may
         * be among the records (pushed before the first pull). */
        r.first_load = r.st.watermark_ms == 0;
        r.likely_new = r.first_load && app_rows == 0;
        rc = read_window(&r, err);
        if (!rc && reconcile_due(&r))
            rc = reconcile(&r, err);
        else if (!rc && r.first_load)
            rc = es_store_state_put(p->store, r.name, &r.st, err);
    }
    es_map_plan_free(r.plan);
    if (!rc && p->progress)
        p->progress(p->progress_ctx, r.name, "done", c->fetched, 0);
    return rc;
}
