/* Checks of the store against acusim, for the pull scenarios. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/config.h"
#include "erpsync/map.h"
#include "pull_check.h"

static sqlite3 *open_db(const char *dir)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/erpsync.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s", path);
    sqlite3_busy_timeout(db, 10000); /* erpsync may be writing */
    return db;
}

static long one_number(const char *dir, const char *sql, const char *param)
{
    sqlite3 *db = open_db(dir);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

long pc_count(const char *dir, const char *table, const char *status)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s%s", table,
             status ? " WHERE sync_status = ?1" : "");
    return one_number(dir, sql, status);
}

long pc_scalar(const char *dir, const char *sql)
{
    return one_number(dir, sql, NULL);
}

long pc_distinct_keys(const char *dir, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(DISTINCT erp_key) FROM %s", table);
    return one_number(dir, sql, NULL);
}

long pc_last_run(const char *dir, const char *set, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM es_run_sets WHERE set_name = ?1 ORDER BY run_id DESC LIMIT 1", column);
    return one_number(dir, sql, set);
}

/* ---- the application's side: plain SQL on the store ---- */

sqlite3 *pc_app_db(const char *dir)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/erpsync.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        fail_msg("cannot open %s", path);
    sqlite3_busy_timeout(db, 10000);
    return db;
}

long pc_app_sql(const char *dir, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *db = pc_app_db(dir);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    long id = (long)sqlite3_last_insert_rowid(db);
    sqlite3_close(db);
    return id;
}

const char *pc_app_text(const char *dir, const char *fmt, ...)
{
    static char out[4096];
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *db = pc_app_db(dir);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

long pc_app_order(const char *dir, const char *table, const char *customer, const char *item,
                  int qty)
{
    long id = pc_app_sql(dir,
                         "INSERT INTO %s(sync_status, customer_id, description) VALUES('pending',"
                         " '%s', 'web order')",
                         table, customer);
    pc_app_sql(dir,
               "INSERT INTO %s(parent_id, inventory_id, order_qty, unit_price) VALUES(%ld, '%s',"
               " %d, 12.5)",
               !strcmp(table, "quotes") ? "quote_lines" : "sales_order_lines", id, item, qty);
    return id;
}

cJSON *pc_erp_get(struct pc_scene *s, const char *fmt, ...)
{
    char path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    struct it_resp r;
    it_get(&s->cl, path, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    cJSON *j = r.json;
    r.json = NULL;
    it_resp_free(&r);
    return j;
}

/* ---- the ERP's side: every record, through the API, mapped ---- */

static cJSON *erp_records(struct it_client *c, const struct es_mapping *m)
{
    cJSON *all = cJSON_CreateArray();
    struct es_buf q;
    es_buf_init(&q, 0);
    es_map_query(&q, m, "24.200.001", 0);
    for (int skip = 0;; skip += 1000) {
        char path[4096];
        snprintf(path, sizeof(path), "%s?%s%s%s&$top=1000&$skip=%d", m->entity, q.data,
                 m->filter ? "&$filter=" : "", m->filter ? it_esc(m->filter) : "", skip);
        struct it_resp r;
        it_get(c, path, &r);
        if (r.status != 200)
            fail_msg("GET %s: %ld %.300s", path, r.status, r.body);
        int n = cJSON_GetArraySize(r.json);
        while (cJSON_GetArraySize(r.json))
            cJSON_AddItemToArray(all, cJSON_DetachItemFromArray(r.json, 0));
        it_resp_free(&r);
        if (n < 1000)
            break;
    }
    es_buf_dispose(&q);
    return all;
}

/* Two values of a column alike: numbers compared as numbers (the store
 * keeps decimals as numbers, "1500.50" reads back as "1500.5"). */
static int same(const char *a, const char *b, enum es_ctype t)
{
    if (!a || !b)
        return !a && !b;
    if (t == ES_CT_DEC || t == ES_CT_INT)
        return fabs(strtod(a, NULL) - strtod(b, NULL)) < 1e-9;
    return !strcmp(a, b);
}

static void compare_cols(sqlite3_stmt *st, int first, const struct es_col *cols,
                         const struct es_row *row, const char *what)
{
    for (size_t i = 0; cols[i].name; i++) {
        const char *have = (const char *)sqlite3_column_text(st, first + (int)i);
        if (!same(have, row->vals[i], cols[i].type))
            fail_msg("%s: %s is '%s' in the store, '%s' in the ERP", what, cols[i].name,
                     have ? have : "NULL", row->vals[i] ? row->vals[i] : "NULL");
    }
}

static void select_cols(struct es_buf *b, const struct es_col *cols)
{
    for (size_t i = 0; cols[i].name; i++)
        es_buf_addf(b, ", %s", cols[i].name);
}

static void compare_details(sqlite3 *db, const struct es_record *r, const char *parent_id)
{
    for (size_t k = 0; k < r->ndetails; k++) {
        const struct es_detail *d = r->details[k].d;
        struct es_buf sql;
        es_buf_init(&sql, 0);
        es_buf_adds(&sql, "SELECT kind");
        select_cols(&sql, d->cols);
        es_buf_addf(&sql, " FROM %s WHERE parent_id = ?1 ORDER BY row_nbr", d->table);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, parent_id, -1, SQLITE_TRANSIENT);
        size_t n = 0;
        char what[300];
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (n >= r->details[k].n)
                fail_msg("%s %s: more %s rows in the store than in the ERP", d->table, r->erp_key,
                         d->table);
            snprintf(what, sizeof(what), "%s %s row %zu", d->table, r->erp_key, n + 1);
            compare_cols(st, 1, d->cols, &r->details[k].rows[n], what);
            n++;
        }
        if (n != r->details[k].n)
            fail_msg("%s %s: %zu rows in the store, %zu in the ERP", d->table, r->erp_key, n,
                     r->details[k].n);
        sqlite3_finalize(st);
        es_buf_dispose(&sql);
    }
}

void pc_store_equals_erp(struct it_client *c, const char *dir, enum es_set_id set)
{
    const struct es_mapping *m = es_map_get(set);
    struct es_config cfg;
    es_config_defaults(&cfg);
    cJSON *all = erp_records(c, m);
    sqlite3 *db = open_db(dir);
    struct es_buf sql;
    es_buf_init(&sql, 0);
    es_buf_adds(&sql, "SELECT id, erp_id, erp_modified");
    select_cols(&sql, m->cols);
    es_buf_addf(&sql, " FROM %s WHERE erp_key = ?1 AND sync_status <> 'deleted'", m->table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL), SQLITE_OK);
    struct es_arena a;
    es_arena_init(&a, 0);
    const cJSON *j;
    long n = 0;
    cJSON_ArrayForEach(j, all)
    {
        struct es_record r;
        struct es_err err = {0};
        if (es_map_record(&r, &a, m, "24.200.001", &cfg, j, &err))
            fail_msg("%s", err.msg);
        sqlite3_bind_text(st, 1, r.erp_key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW)
            fail_msg("%s %s is in the ERP, not in the store", m->table, r.erp_key);
        char what[200];
        snprintf(what, sizeof(what), "%s %s", m->table, r.erp_key);
        if (!same((const char *)sqlite3_column_text(st, 1), r.erp_id, ES_CT_TEXT) ||
            !same((const char *)sqlite3_column_text(st, 2), r.erp_modified, ES_CT_TEXT))
            fail_msg("%s: id or modified time differ (store %s %s, ERP %s %s)", what,
                     sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), r.erp_id,
                     r.erp_modified);
        compare_cols(st, 3, m->cols, &r.row, what);
        char parent[24];
        snprintf(parent, sizeof(parent), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_reset(st);
        compare_details(db, &r, parent);
        n++;
    }
    sqlite3_finalize(st);
    char count_sql[200];
    snprintf(count_sql, sizeof(count_sql), "SELECT count(*) FROM %s WHERE sync_status <> 'deleted'",
             m->table);
    long rows = one_number(dir, count_sql, NULL);
    if (rows != n)
        fail_msg("%s: %ld live rows in the store, %ld records in the ERP", m->table, rows, n);
    es_arena_dispose(&a);
    es_buf_dispose(&sql);
    sqlite3_close(db);
    cJSON_Delete(all);
    es_config_dispose(&cfg);
}

void pc_scene_start(struct pc_scene *s, const char *const *sim_args, const char *ini_extra)
{
    it_session_start(&s->sim, &s->cl, sim_args);
    it_workdir(s->dir, sizeof(s->dir));
    it_write_config(s->ini, sizeof(s->ini), s->dir, &s->sim, ini_extra);
}

void pc_scene_stop(struct pc_scene *s)
{
    it_session_stop(&s->sim, &s->cl);
    it_workdir_remove(s->dir);
}

void pc_control(struct pc_scene *s, const char *method, const char *path, const char *body)
{
    struct it_resp r;
    it_control(&s->cl, method, path, body, &r);
    if (r.status / 100 != 2)
        fail_msg("%s /_sim/%s: %ld %s", method, path, r.status, r.body);
    it_resp_free(&r);
}

int pc_open_sessions(struct pc_scene *s)
{
    struct it_resp r;
    it_control(&s->cl, "GET", "sessions", NULL, &r);
    int n = (int)cJSON_GetObjectItem(r.json, "open")->valuedouble;
    it_resp_free(&r);
    return n;
}

long pc_token_requests(struct pc_scene *s)
{
    struct it_resp r;
    it_control(&s->cl, "GET", "stats", NULL, &r);
    long n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "requests"), "requests"))
    {
        const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(x, "entity"));
        if (e && strstr(e, "connect/token"))
            n += (long)cJSON_GetObjectItem(x, "count")->valuedouble;
    }
    it_resp_free(&r);
    return n;
}
