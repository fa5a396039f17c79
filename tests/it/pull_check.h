/* What the pull scenarios check in the store erpsync wrote: rows, keys, and
 * every mapped field against what acusim holds. */
#ifndef IT_PULL_CHECK_H
#define IT_PULL_CHECK_H

#include "erpsync/sets.h"
#include "harness.h"

/* A scenario: its own acusim, a client signed in to it (checks and
 * changes through the API), and a work directory with erpsync.ini. */
struct pc_scene {
    struct it_sim sim;
    struct it_client cl;
    char dir[256], ini[600];
};

void pc_scene_start(struct pc_scene *s, const char *const *sim_args, const char *ini_extra);
void pc_scene_stop(struct pc_scene *s);
/* A control-API call that must succeed. */
void pc_control(struct pc_scene *s, const char *method, const char *path, const char *body);

/* Rows of a table (by sync status when given). */
long pc_count(const char *dir, const char *table, const char *status);
/* The first column of the first row of a query on the store. */
long pc_scalar(const char *dir, const char *sql);
/* The application's side, plain SQL on the store: run SQL (printf-style)
 * and return the last inserted row id; or the first column of the first
 * row as text (a static buffer; "" for none). */
struct sqlite3 *pc_app_db(const char *dir); /* read-write, busy timeout set */
long pc_app_sql(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *pc_app_text(const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new order of the application (table sales_orders or quotes), pending,
 * with one line of qty item at 12.5; its row id. */
long pc_app_order(const char *dir, const char *table, const char *customer, const char *item,
                  int qty);
/* The record acusim holds at this path under the 24.200.001 endpoint
 * (parsed; free with cJSON_Delete); fails the test unless it is a 200. */
cJSON *pc_erp_get(struct pc_scene *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Distinct ERP keys of a table. */
long pc_distinct_keys(const char *dir, const char *table);
/* A value of a run's per-set line (column of es_run_sets) for the newest run. */
long pc_last_run(const char *dir, const char *set, const char *column);
/* Every record acusim holds for the set, read through its API and mapped
 * as erpsync maps it, equals the store's rows not marked deleted: the same
 * keys, ids, modified times, every column and every detail row. Fails the
 * test with the first difference. */
void pc_store_equals_erp(struct it_client *c, const char *dir, enum es_set_id set);

/* Sessions open in acusim now (the test's own client included). */
int pc_open_sessions(struct pc_scene *s);
/* Requests to the OAuth token endpoint so far. */
long pc_token_requests(struct pc_scene *s);

#endif
