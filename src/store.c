/* The store: schema and migrations, synced records, sync state, runs. The
 * SQL lives here, written once for every backend. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/buf.h"
#include "erpsync/conflict.h"
#include "erpsync/mem.h"
#include "store_ops.h"

#define SCHEMA_VERSION 3

/* The statements of one record-set table, built once (their addresses key
 * the backend's statement cache). */
/* Detail rows go in by up to DETAIL_BATCH per statement. */
#define DETAIL_BATCH 8

struct detail_sql {
    char *del, *rows;
    char *ins[DETAIL_BATCH]; /* ins[k]: k + 1 rows */
    int ncols;
};

struct table_sql {
    const struct es_mapping *m;
    char *sel, *ins, *ins_new, *upd, *adopt, *hold, *touch, *rekey, *mark, *mark_dated;
    char *push_rows, *push_mark, *push_mark_ref[4], *holder, *id_holder, *drop_dup;
    char *match[4]; /* match[k]: by extref_cols[k] */
    int ncols;
    struct detail_sql details[4];
};

struct es_store {
    const struct es_store_ops *ops;
    void *db;
    struct table_sql tables[ES_NSETS];
};

int es_store_schema_version(void)
{
    return SCHEMA_VERSION;
}

/* ---- DDL ---- */

static const char system_ddl[] =
    "CREATE TABLE IF NOT EXISTS es_meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS es_settings(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS es_state(set_name TEXT PRIMARY KEY, watermark_ms INTEGER,"
    " in_progress INTEGER, window_lo_ms INTEGER, window_hi_ms INTEGER, after_key TEXT,"
    " full_pull INTEGER, run_id INTEGER, fetched INTEGER, last_full_ms INTEGER,"
    " last_reconcile_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS es_runs(id %s, mode TEXT NOT NULL, status TEXT NOT NULL,"
    " started_at TEXT NOT NULL, ended_at TEXT, duration_ms INTEGER, requests INTEGER,"
    " message TEXT);"
    "CREATE TABLE IF NOT EXISTS es_run_sets(run_id INTEGER NOT NULL, set_name TEXT NOT NULL,"
    " fetched INTEGER, created INTEGER, updated INTEGER, unchanged INTEGER, deleted INTEGER,"
    " failed INTEGER, held INTEGER, requests INTEGER, error TEXT,"
    " PRIMARY KEY(run_id, set_name));"
    "CREATE TABLE IF NOT EXISTS es_failures(id %s, run_id INTEGER, set_name TEXT NOT NULL,"
    " erp_key TEXT, message TEXT NOT NULL, at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS es_failures_run ON es_failures(run_id);";

static const char *sql_type(enum es_ctype t)
{
    switch (t) {
    case ES_CT_DEC: return "NUMERIC";
    case ES_CT_INT:
    case ES_CT_BOOL: return "INTEGER";
    default: return "TEXT";
    }
}

static void add_cols_ddl(struct es_buf *b, const struct es_col *cols)
{
    for (const struct es_col *c = cols; c->name; c++)
        es_buf_addf(b, ", %s %s", c->name, sql_type(c->type));
}

static void table_ddl(struct es_buf *b, const struct es_store_ops *ops, const struct es_mapping *m)
{
    es_buf_addf(b,
                "CREATE TABLE IF NOT EXISTS %s(id %s, erp_key TEXT UNIQUE, erp_id TEXT,"
                " erp_modified TEXT, app_modified TEXT,"
                " sync_status TEXT NOT NULL DEFAULT 'synced', last_error TEXT,"
                " attempts INTEGER NOT NULL DEFAULT 0, erp_hash TEXT, synced_at TEXT,"
                " deleted_at TEXT, next_attempt_ms INTEGER, pushed_at TEXT",
                m->table, ops->pk_decl);
    add_cols_ddl(b, m->cols);
    es_buf_adds(b, ");");
    es_buf_addf(b, "CREATE INDEX IF NOT EXISTS %s_status ON %s(sync_status);", m->table, m->table);
    es_buf_addf(b, "CREATE INDEX IF NOT EXISTS %s_erp_id ON %s(erp_id);", m->table, m->table);
    for (const struct es_detail *d = m->details; d && d->table; d++) {
        es_buf_addf(b,
                    "CREATE TABLE IF NOT EXISTS %s(id %s, parent_id INTEGER NOT NULL"
                    " REFERENCES %s(id) ON DELETE CASCADE, kind TEXT, row_nbr INTEGER",
                    d->table, ops->pk_decl, m->table);
        add_cols_ddl(b, d->cols);
        es_buf_adds(b, ");");
        es_buf_addf(b, "CREATE INDEX IF NOT EXISTS %s_parent ON %s(parent_id);", d->table,
                    d->table);
    }
}

/* ---- the statements of a table ---- */

static int ncols(const struct es_col *cols)
{
    int n = 0;
    while (cols[n].name)
        n++;
    return n;
}

/* INSERT of rows rows at once: VALUES(?1..?n), (?n+1..?2n), ... */
static char *build_insert_rows(const char *table, const char *fixed, int nfixed,
                               const struct es_col *cols, const char *tail, int rows)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, "INSERT INTO %s(%s", table, fixed);
    for (const struct es_col *c = cols; c->name; c++)
        es_buf_addf(&b, ", %s", c->name);
    es_buf_adds(&b, ") VALUES");
    int n = nfixed + ncols(cols);
    for (int r = 0; r < rows; r++) {
        es_buf_adds(&b, r ? ", (" : "(");
        for (int i = 1; i <= n; i++)
            es_buf_addf(&b, "%s?%d", i > 1 ? ", " : "", r * n + i);
        es_buf_adds(&b, ")");
    }
    es_buf_adds(&b, tail);
    return es_buf_steal(&b, NULL);
}

static char *build_insert(const char *table, const char *fixed, int nfixed,
                          const struct es_col *cols, const char *tail)
{
    return build_insert_rows(table, fixed, nfixed, cols, tail, 1);
}

static void list_cols(struct es_buf *b, const struct es_col *cols)
{
    for (const struct es_col *c = cols; c->name; c++)
        es_buf_addf(b, ", %s", c->name);
}

/* Rows to push: marked pending, or sent with no answer; their retry time
 * come; oldest first, after a row id, a batch at a time. */
static char *select_push_rows(const struct es_mapping *m)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_adds(&b, "SELECT id, erp_key, sync_status, attempts, app_modified, erp_modified,"
                    " erp_hash, pushed_at IS NOT NULL");
    list_cols(&b, m->cols);
    es_buf_addf(&b,
                " FROM %s WHERE sync_status IN ('pending', 'unknown') AND (next_attempt_ms IS NULL"
                " OR next_attempt_ms <= ?1) AND id > ?2 ORDER BY id LIMIT ?3",
                m->table);
    return es_buf_steal(&b, NULL);
}

static char *select_detail_rows(const struct es_detail *d)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_adds(&b, "SELECT kind, row_nbr");
    list_cols(&b, d->cols);
    es_buf_addf(&b, " FROM %s WHERE parent_id = ?1 ORDER BY row_nbr, id", d->table);
    return es_buf_steal(&b, NULL);
}

/* The ERP's version of a row (by id). adopt: the row is the application's
 * own, now known to Acumatica: its key is set too, and the push is done. */
static char *build_update(const struct es_mapping *m, int adopt)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b,
                "UPDATE %s SET erp_id = ?2, erp_modified = ?3, erp_hash = ?4, synced_at = ?5,"
                " sync_status = 'synced', last_error = NULL, deleted_at = NULL, attempts = 0",
                m->table);
    int i = 6;
    for (const struct es_col *c = m->cols; c->name; c++)
        es_buf_addf(&b, ", %s = ?%d", c->name, i++);
    if (adopt)
        es_buf_addf(&b, ", erp_key = ?%d, next_attempt_ms = NULL, pushed_at = ?5", i);
    es_buf_adds(&b, " WHERE id = ?1");
    return es_buf_steal(&b, NULL);
}

static char *build_push_mark(const char *table, const char *set_col);

static void build_table(struct table_sql *t, const struct es_mapping *m)
{
    t->m = m;
    t->ncols = ncols(m->cols);
    t->sel = es_xasprintf("SELECT id, erp_hash, sync_status, app_modified, erp_modified FROM %s WHERE"
                          " erp_key = ?1",
                          m->table);
    t->ins = build_insert(m->table, "erp_key, erp_id, erp_modified, erp_hash, synced_at", 5,
                          m->cols, " RETURNING id");
    t->ins_new = build_insert(m->table, "erp_key, erp_id, erp_modified, erp_hash, synced_at", 5,
                              m->cols, " ON CONFLICT(erp_key) DO NOTHING RETURNING id");
    t->upd = build_update(m, 0);
    t->adopt = build_update(m, 1);
    t->hold = es_xasprintf("UPDATE %s SET last_error = ?2 WHERE id = ?1", m->table);
    /* One row moves: the live one before a deleted one (an older store may
     * hold both for one id), the newest first. */
    t->rekey = es_xasprintf("UPDATE %s SET erp_key = ?1 WHERE id = (SELECT id FROM %s WHERE"
                            " erp_id = ?2 AND erp_key IS NOT NULL AND erp_key <> ?1 ORDER BY"
                            " sync_status = 'deleted', id DESC LIMIT 1) RETURNING id",
                            m->table, m->table);
    t->touch = es_xasprintf("UPDATE %s SET erp_modified = ?2, erp_id = coalesce(?3, erp_id)"
                            " WHERE id = ?1",
                            m->table);
    t->push_rows = select_push_rows(m);
    t->push_mark = build_push_mark(m->table, NULL);
    for (int k = 0; m->extref_cols && m->extref_cols[k] && k < 4; k++)
        t->push_mark_ref[k] = build_push_mark(m->table, m->extref_cols[k]);
    /* after: the holder was written since the pushed row was sent (pulled
     * meanwhile), not a record the store held before. */
    t->holder = es_xasprintf("SELECT id, erp_id, sync_status, synced_at >= coalesce((SELECT"
                             " pushed_at FROM %s WHERE id = ?2), '') FROM %s WHERE erp_key = ?1"
                             " AND id <> ?2",
                             m->table, m->table);
    t->id_holder = es_xasprintf("SELECT id, erp_key, sync_status FROM %s WHERE erp_id = ?1 AND"
                                " id <> ?2 AND erp_key IS NOT NULL AND erp_key <> ?3 LIMIT 1",
                                m->table);
    t->drop_dup = es_xasprintf("DELETE FROM %s WHERE id = ?1", m->table);
    for (int k = 0; m->extref_cols && m->extref_cols[k] && k < 4; k++)
        t->match[k] = es_xasprintf("SELECT id FROM %s WHERE erp_key IS NULL AND %s = ?1 LIMIT 1",
                                   m->table, m->extref_cols[k]);
    const char *unseen = "UPDATE %s SET sync_status = 'deleted', deleted_at = ?1"
                         " WHERE erp_key IS NOT NULL AND sync_status NOT IN ('deleted', 'pending')"
                         " AND erp_key NOT IN (SELECT k FROM es_seen)";
    t->mark = es_xasprintf(unseen, m->table);
    if (m->date_col) {
        char *base = es_xasprintf(unseen, m->table);
        t->mark_dated = es_xasprintf("%s AND %s >= ?2", base, m->date_col);
        free(base);
    }
    int k = 0;
    for (const struct es_detail *d = m->details; d && d->table && k < 4; d++, k++) {
        t->details[k].del = es_xasprintf("DELETE FROM %s WHERE parent_id = ?1", d->table);
        t->details[k].rows = select_detail_rows(d);
        for (int rows = 1; rows <= DETAIL_BATCH; rows++)
            t->details[k].ins[rows - 1] =
                build_insert_rows(d->table, "parent_id, kind, row_nbr", 3, d->cols, "", rows);
        t->details[k].ncols = ncols(d->cols);
    }
}

static void free_table(struct table_sql *t)
{
    free(t->sel);
    free(t->ins);
    free(t->ins_new);
    free(t->upd);
    free(t->adopt);
    free(t->hold);
    free(t->touch);
    free(t->rekey);
    free(t->push_rows);
    free(t->push_mark);
    for (int k = 0; k < 4; k++)
        free(t->push_mark_ref[k]);
    free(t->holder);
    free(t->id_holder);
    free(t->drop_dup);
    for (int k = 0; k < 4; k++)
        free(t->match[k]);
    free(t->mark);
    free(t->mark_dated);
    for (int k = 0; k < 4; k++) {
        free(t->details[k].del);
        free(t->details[k].rows);
        for (int rows = 0; rows < DETAIL_BATCH; rows++)
            free(t->details[k].ins[rows]);
    }
}

static struct table_sql *table_of(struct es_store *s, const struct es_mapping *m)
{
    return &s->tables[m->set];
}

/* ---- opening and migrating ---- */

static int run(struct es_store *s, const char *sql, const char *const *p, int n,
               struct es_err *err)
{
    return s->ops->run(s->db, sql, p, n, NULL, NULL, err);
}

static int first_value(void *ctx, int n, const char *const *vals)
{
    char **out = ctx;
    if (n > 0 && vals[0] && !*out)
        *out = es_xstrdup(vals[0]);
    return 0;
}

static int schema_version(struct es_store *s, int *out, struct es_err *err)
{
    static const char sql[] = "SELECT value FROM es_meta WHERE key = 'schema_version'";
    char *v = NULL;
    int rc = s->ops->run(s->db, sql, NULL, 0, first_value, &v, err);
    *out = v ? (int)strtol(v, NULL, 10) : 0;
    free(v);
    return rc;
}

/* Version 1: the system tables (the record sets' tables are made by
 * ensure_tables on every open). */
static int migrate_1(struct es_store *s, struct es_err *err)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, system_ddl, s->ops->pk_decl, s->ops->pk_decl);
    int rc = s->ops->script(s->db, b.data, err);
    es_buf_dispose(&b);
    return rc;
}

/* ---- version 2: the push ---- */

static const char push_ddl[] =
    "CREATE TABLE IF NOT EXISTS es_conflicts(id %s, run_id INTEGER, set_name TEXT NOT NULL,"
    " erp_key TEXT, row_id INTEGER, winner TEXT NOT NULL, reason TEXT NOT NULL,"
    " erp_time TEXT, app_time TEXT, erp_version TEXT, app_version TEXT, at TEXT NOT NULL);";

/* What the store holds: "type\ttable\tname" for every table, column,
 * index and trigger (one query), sorted for bsearch. */
struct inventory {
    char **items;
    size_t n, cap;
};

static int inventory_add(void *ctx, int n, const char *const *v)
{
    struct inventory *inv = ctx;
    if (n < 3 || !v[0] || !v[1] || !v[2])
        return 0;
    if (inv->n == inv->cap) {
        inv->cap = inv->cap ? inv->cap * 2 : 256;
        inv->items = es_xrealloc(inv->items, inv->cap * sizeof(*inv->items));
    }
    inv->items[inv->n++] = es_xasprintf("%s\t%s\t%s", v[0], v[1], v[2]);
    return 0;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void inventory_free(struct inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++)
        free(inv->items[i]);
    free(inv->items);
}

/* Read what the store holds (one query), sorted. */
static int inventory_load(struct es_store *s, struct inventory *inv, struct es_err *err)
{
    int rc = s->ops->run_once(s->db, s->ops->inventory_sql, NULL, 0, inventory_add, inv, err);
    if (inv->n)
        qsort(inv->items, inv->n, sizeof(*inv->items), by_text);
    return rc;
}

static int inventory_has(const struct inventory *inv, const char *type, const char *table,
                         const char *name)
{
    char *want = es_xasprintf("%s\t%s\t%s", type, table, name ? name : table);
    int has = bsearch(&want, inv->items, inv->n, sizeof(*inv->items), by_text) != NULL;
    free(want);
    return has;
}

/* A table and its indexes as table_ddl makes them, all there? */
static int table_complete(const struct inventory *inv, const struct es_mapping *m)
{
    char name[160];
    static const char *const indexes[] = {"%s_status", "%s_erp_id"};
    if (!inventory_has(inv, "table", m->table, NULL))
        return 0;
    for (size_t k = 0; k < sizeof(indexes) / sizeof(indexes[0]); k++) {
        snprintf(name, sizeof(name), indexes[k], m->table);
        if (!inventory_has(inv, "index", m->table, name))
            return 0;
    }
    for (const struct es_detail *d = m->details; d && d->table; d++) {
        snprintf(name, sizeof(name), "%s_parent", d->table);
        if (!inventory_has(inv, "table", d->table, NULL) ||
            !inventory_has(inv, "index", d->table, name))
            return 0;
    }
    return 1;
}

/* ALTER TABLE ... ADD COLUMN for the listed columns the table lacks. */
static void missing_cols(struct es_buf *b, const struct inventory *inv, const char *table,
                         const struct es_col *cols, const char *const *extra)
{
    for (const struct es_col *c = cols; c && c->name; c++)
        if (!inventory_has(inv, "column", table, c->name))
            es_buf_addf(b, "ALTER TABLE %s ADD COLUMN %s %s;", table, c->name, sql_type(c->type));
    for (int i = 0; extra && extra[i]; i += 2)
        if (!inventory_has(inv, "column", table, extra[i]))
            es_buf_addf(b, "ALTER TABLE %s ADD COLUMN %s %s;", table, extra[i], extra[i + 1]);
}

/* ALTER TABLE ... ADD COLUMN for each column of the lists the table lacks. */
static int add_missing(struct es_store *s, const char *table, const struct es_col *cols,
                       const char *const *extra, struct es_err *err)
{
    struct inventory inv = {NULL, 0, 0};
    int rc = inventory_load(s, &inv, err);
    struct es_buf b;
    es_buf_init(&b, 0);
    if (!rc)
        missing_cols(&b, &inv, table, cols, extra);
    if (!rc && b.len)
        rc = s->ops->script(s->db, b.data, err);
    inventory_free(&inv);
    es_buf_dispose(&b);
    return rc;
}

/* On every record-set table besides its columns, new in version 2 (a
 * table made since has them from the start): when a transient failure
 * lets a push be tried again, and when it was last sent. */
static const char *const push_columns[] = {"next_attempt_ms", "INTEGER", "pushed_at", "TEXT", NULL};
static const char *const run_set_columns[] = {"pushed", "INTEGER", "push_failed", "INTEGER",
                                              "waiting", "INTEGER", "conflicts", "INTEGER",
                                              NULL};

static int migrate_2(struct es_store *s, struct es_err *err)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, push_ddl, s->ops->pk_decl);
    int rc = s->ops->script(s->db, b.data, err);
    if (!rc)
        rc = add_missing(s, "es_run_sets", NULL, run_set_columns, err);
    es_buf_dispose(&b);
    return rc;
}

/* Version 3: calendar dates are stored as the ERP's YYYY-MM-DD, no longer
 * as UTC instants. A store that has synced asks for one full pull, which
 * rewrites them (the record hashes differ). */
static const char *const state_columns_3[] = {"last_repaired", "INTEGER", NULL};
static const char *const run_set_columns_3[] = {"repaired", "INTEGER", "rekeyed", "INTEGER",
                                                NULL};

static int migrate_3(struct es_store *s, struct es_err *err)
{
    int rc = add_missing(s, "es_state", NULL, state_columns_3, err);
    if (!rc)
        rc = add_missing(s, "es_run_sets", NULL, run_set_columns_3, err);
    if (rc)
        return rc;
    /* Pending rows: their hash was made over the old form, so it says
     * nothing now; the ERP's time decides their first comparison. */
    struct es_buf b;
    es_buf_init(&b, 0);
    for (int i = 0; i < ES_NSETS; i++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)i);
        if (m && m->date_col)
            es_buf_addf(&b, "UPDATE %s SET erp_hash = NULL WHERE sync_status IN ('pending',"
                            " 'unknown');",
                        m->table);
    }
    rc = b.len ? s->ops->script(s->db, b.data, err) : 0;
    es_buf_dispose(&b);
    if (rc)
        return rc;
    static const char sql[] =
        "INSERT INTO es_settings(key, value) SELECT 'full_sync_next_run', '1'"
        " WHERE EXISTS (SELECT 1 FROM es_state WHERE watermark_ms > 0)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    return s->ops->script(s->db, sql, err);
}

static int (*const migrations[])(struct es_store *, struct es_err *) = {migrate_1, migrate_2,
                                                                         migrate_3};


/* The DDL a record set's tables need, from what the store holds. */
static void set_ddl(struct es_buf *b, struct es_store *s, const struct inventory *inv,
                    const struct es_mapping *m)
{
    if (!table_complete(inv, m)) /* CREATE ... IF NOT EXISTS: only what lacks is made */
        table_ddl(b, s->ops, m);
    if (inventory_has(inv, "table", m->table, NULL))
        missing_cols(b, inv, m->table, m->cols, push_columns);
    for (const struct es_detail *d = m->details; d && d->table; d++)
        if (inventory_has(inv, "table", d->table, NULL))
            missing_cols(b, inv, d->table, d->cols, NULL);
    s->ops->app_modified_triggers(b, m->table); /* made anew: their text may have changed */
}

/* What the sets' tables should be, as a stamp: a hash of their DDL, and
 * the backend's count of schema changes (any DDL, by hand too, moves it). */
static int layout_stamp(struct es_store *s, char *out, size_t cap, struct es_err *err)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    for (int i = 0; i < ES_NSETS; i++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)i);
        if (m) {
            table_ddl(&b, s->ops, m);
            s->ops->app_modified_triggers(&b, m->table);
        }
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.data[i]) * 1099511628211ull;
    es_buf_dispose(&b);
    char *changes = NULL;
    int rc = s->ops->run(s->db, s->ops->schema_changes_sql, NULL, 0, first_value, &changes, err);
    snprintf(out, cap, "%016llx/%s", (unsigned long long)h, changes ? changes : "");
    free(changes);
    return rc;
}

static int meta_get(struct es_store *s, const char *key, char **out, struct es_err *err)
{
    static const char sql[] = "SELECT value FROM es_meta WHERE key = ?1";
    const char *p[] = {key};
    *out = NULL;
    return s->ops->run(s->db, sql, p, 1, first_value, out, err);
}

static int meta_set(struct es_store *s, const char *key, const char *value, struct es_err *err)
{
    static const char sql[] = "INSERT INTO es_meta(key, value) VALUES(?1, ?2)"
                              " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    const char *p[] = {key, value};
    return run(s, sql, p, 2, err);
}

/* Every table, column, index and trigger the record sets need, made when
 * missing (a set added since the store was made, a table dropped by hand),
 * whatever the schema version says; rows are never touched. When the
 * layout stamp is the one the last open left, nothing changed: no query.
 * Otherwise one query tells what is there and only what lacks is made. */
static int make_missing(struct es_store *s, struct es_err *err);
static int begin_write(struct es_store *s, struct es_err *err);

static int ensure_tables(struct es_store *s, int *changed, struct es_err *err)
{
    char want[96], *had = NULL;
    int rc = layout_stamp(s, want, sizeof(want), err);
    if (!rc)
        rc = meta_get(s, "layout", &had, err);
    int same = had && !strcmp(had, want);
    free(had);
    *changed = !rc && !same;
    return rc || same ? rc : make_missing(s, err);
}

/* The stamp of the layout as the open leaves it (after every change). */
static int stamp_layout(struct es_store *s, struct es_err *err)
{
    char now[96];
    int rc = layout_stamp(s, now, sizeof(now), err);
    return rc ? rc : meta_set(s, "layout", now, err);
}

/* Make what the sets need and the store lacks: what it holds is read in
 * the write transaction, so two processes do not both make it. */
static int make_missing(struct es_store *s, struct es_err *err)
{
    int rc = begin_write(s, err);
    if (rc)
        return rc;
    struct inventory inv = {NULL, 0, 0};
    rc = inventory_load(s, &inv, err);
    struct es_buf b;
    es_buf_init(&b, 0);
    for (int i = 0; !rc && i < ES_NSETS; i++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)i);
        if (m)
            set_ddl(&b, s, &inv, m);
    }
    inventory_free(&inv);
    if (!rc && b.len)
        rc = s->ops->script(s->db, b.data, err);
    es_buf_dispose(&b);
    if (rc) {
        es_store_rollback(s);
        return rc;
    }
    return es_store_commit(s, err);
}

/* A write transaction begun at once: a second erpsync opening the store
 * at the same moment waits here, then finds the work done. */
static int begin_write(struct es_store *s, struct es_err *err)
{
    return s->ops->script(s->db, s->ops->begin_write_sql, err);
}

/* The migrations from the version the store has (read in the transaction:
 * another process may have run them meanwhile). */
static int run_migrations(struct es_store *s, struct es_err *err)
{
    int have = 0, rc = begin_write(s, err);
    if (rc || (rc = schema_version(s, &have, err)))
        return rc ? rc : (es_store_rollback(s), rc);
    for (int v = have; v < SCHEMA_VERSION && !rc; v++)
        rc = migrations[v](s, err);
    char num[16];
    snprintf(num, sizeof(num), "%d", SCHEMA_VERSION);
    if (!rc && have < SCHEMA_VERSION)
        rc = meta_set(s, "schema_version", num, err);
    if (rc) {
        es_store_rollback(s);
        return rc;
    }
    return es_store_commit(s, err);
}

/* A store newer than this program is refused untouched; then the sets'
 * tables are made where missing (the migrations' data changes need them),
 * then the migrations run. */
static int migrate(struct es_store *s, struct es_err *err)
{
    int rc = s->ops->script(s->db, "CREATE TABLE IF NOT EXISTS es_meta(key TEXT PRIMARY KEY,"
                                   " value TEXT)",
                            err);
    int have = 0;
    if (rc || (rc = schema_version(s, &have, err)))
        return rc;
    if (have > SCHEMA_VERSION)
        return es_err_set(err, ES_EDB,
                          "the store has schema version %d; this erpsync knows up to %d (upgrade "
                          "erpsync)",
                          have, SCHEMA_VERSION);
    int changed = 0;
    if (!(rc = ensure_tables(s, &changed, err)) && have < SCHEMA_VERSION) {
        rc = run_migrations(s, err);
        changed = 1;
    }
    return rc || !changed ? rc : stamp_layout(s, err);
}

int es_store_open(struct es_store **out, const char *url, struct es_err *err)
{
    if (strncmp(url, "sqlite:", 7) || !url[7])
        return es_err_set(err, ES_EINVAL, "store: '%s' is not sqlite:PATH", url);
    struct es_store *s = es_xcalloc(1, sizeof(*s));
    s->ops = &es_store_sqlite;
    int rc = s->ops->open(&s->db, url + 7, err);
    if (rc) {
        free(s);
        return rc;
    }
    for (int i = 0; i < ES_NSETS; i++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)i);
        if (m)
            build_table(&s->tables[i], m);
    }
    static const char seen[] =
        "CREATE TEMP TABLE IF NOT EXISTS es_seen(k TEXT PRIMARY KEY, m TEXT)";
    if ((rc = migrate(s, err)) || (rc = s->ops->script(s->db, seen, err))) {
        es_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void es_store_close(struct es_store *s)
{
    if (!s)
        return;
    s->ops->close(s->db);
    for (int i = 0; i < ES_NSETS; i++)
        free_table(&s->tables[i]);
    free(s);
}

int es_store_begin(struct es_store *s, struct es_err *err)
{
    return s->ops->script(s->db, "BEGIN", err);
}

int es_store_commit(struct es_store *s, struct es_err *err)
{
    return s->ops->script(s->db, "COMMIT", err);
}

void es_store_rollback(struct es_store *s)
{
    s->ops->script(s->db, "ROLLBACK", NULL);
}

int es_store_query(struct es_store *s, const char *sql, const char *const *params, int nparams,
                   es_store_row_cb cb, void *ctx, struct es_err *err)
{
    return s->ops->run_once(s->db, sql, params, nparams, cb, ctx, err);
}

/* ---- synced records ---- */

struct existing {
    int found;
    char id[24];
    char hash[24];
    char status[16];
    char app_modified[40];
    char erp_modified[40];
};

static int read_existing(void *ctx, int n, const char *const *v)
{
    struct existing *e = ctx;
    e->found = 1;
    snprintf(e->id, sizeof(e->id), "%s", n > 0 && v[0] ? v[0] : "");
    snprintf(e->hash, sizeof(e->hash), "%s", n > 1 && v[1] ? v[1] : "");
    snprintf(e->status, sizeof(e->status), "%s", n > 2 && v[2] ? v[2] : "");
    snprintf(e->app_modified, sizeof(e->app_modified), "%s", n > 3 && v[3] ? v[3] : "");
    snprintf(e->erp_modified, sizeof(e->erp_modified), "%s", n > 4 && v[4] ? v[4] : "");
    return 0;
}

/* A small count as text, without printf (one per detail row). */
static void count_text(char out[16], size_t v)
{
    char tmp[16];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 15);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* Up to DETAIL_BATCH rows of a detail table in one statement. */
static int insert_rows(struct es_store *s, const struct detail_sql *d,
                       const struct es_detail_rows *dr, size_t from, size_t n, const char *parent,
                       struct es_err *err)
{
    const char *p[DETAIL_BATCH * (3 + 64)];
    char nbr[DETAIL_BATCH][16];
    int w = 3 + d->ncols, k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct es_row *row = &dr->rows[from + i];
        count_text(nbr[i], from + i + 1);
        p[k++] = parent;
        p[k++] = row->kind;
        p[k++] = nbr[i];
        for (int c = 0; c < d->ncols && c < 64; c++)
            p[k++] = row->vals[c];
    }
    return run(s, d->ins[n - 1], p, (int)n * w, err);
}

static int put_details(struct es_store *s, struct table_sql *t, const struct es_record *r,
                       const char *parent, int replace, struct es_err *err)
{
    for (size_t k = 0; k < r->ndetails && k < 4; k++) {
        const struct detail_sql *d = &t->details[k];
        const char *del[] = {parent};
        int rc = replace ? run(s, d->del, del, 1, err) : 0;
        size_t total = r->details[k].n;
        for (size_t i = 0; !rc && i < total; i += DETAIL_BATCH)
            rc = insert_rows(s, d, &r->details[k], i,
                             total - i < DETAIL_BATCH ? total - i : DETAIL_BATCH, parent, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int first_id(void *ctx, int n, const char *const *v)
{
    char *out = ctx;
    snprintf(out, 24, "%s", n > 0 && v[0] ? v[0] : "");
    return 0;
}

/* Insert; with try, only when the key is new (*inserted says). */
static int insert_record(struct es_store *s, struct table_sql *t, const struct es_record *r,
                         const char *hash, const char *now, int try, int *inserted,
                         struct es_err *err)
{
    const char *p[5 + 128];
    p[0] = r->erp_key, p[1] = r->erp_id, p[2] = r->erp_modified, p[3] = hash, p[4] = now;
    for (int c = 0; c < t->ncols && c < 128; c++)
        p[5 + c] = r->row.vals[c];
    char id[24] = "";
    int rc = s->ops->run(s->db, try ? t->ins_new : t->ins, p, 5 + t->ncols, first_id, id, err);
    *inserted = !rc && id[0];
    return rc || !*inserted ? rc : put_details(s, t, r, id, 0, err);
}

static int update_record(struct es_store *s, struct table_sql *t, const struct es_record *r,
                         const char *id, const char *hash, const char *now, int adopt,
                         struct es_err *err)
{
    const char *p[6 + 128];
    p[0] = id, p[1] = r->erp_id, p[2] = r->erp_modified, p[3] = hash, p[4] = now;
    int n = 5;
    for (int c = 0; c < t->ncols && c < 128; c++)
        p[n++] = r->row.vals[c];
    if (adopt)
        p[n++] = r->erp_key;
    int rc = run(s, adopt ? t->adopt : t->upd, p, n, err);
    return rc ? rc : put_details(s, t, r, id, 1, err);
}

/* The ERP's time of a record whose synced content is unchanged: kept, so
 * the row always has the time of the version last read. */
static int touch_record(struct es_store *s, struct table_sql *t, const char *id,
                        const char *stored, const struct es_record *r, struct es_err *err)
{
    if (!r->erp_modified || !strcmp(stored, r->erp_modified))
        return 0;
    const char *p[] = {id, r->erp_modified, r->erp_id};
    return run(s, t->touch, p, 3, err);
}

int es_store_touch(struct es_store *s, const struct es_mapping *m, int64_t id,
                   const struct es_record *r, struct es_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    return touch_record(s, table_of(s, m), ids, "", r, err);
}

static int col_index(const struct es_mapping *m, const char *name)
{
    for (int i = 0; m->cols[i].name; i++)
        if (!strcmp(m->cols[i].name, name))
            return i;
    return -1;
}

/* A record new to the store may be one the application created and pushed
 * without learning the outcome: its external reference names the row.
 * Returns 1 with the row id in id, 0 when none, <0 on error. */
static int match_app_row(struct es_store *s, struct table_sql *t, const struct es_record *r,
                         char id[24])
{
    const struct es_mapping *m = t->m;
    for (int k = 0; m->extref_cols && m->extref_cols[k] && k < 4; k++) {
        int c = col_index(m, m->extref_cols[k]);
        const char *ref = c >= 0 ? r->row.vals[c] : NULL;
        if (!ref || !*ref)
            continue;
        const char *p[] = {ref};
        id[0] = '\0';
        int rc = s->ops->run(s->db, t->match[k], p, 1, first_id, id, NULL);
        if (rc)
            return ES_EDB;
        if (id[0])
            return 1;
    }
    return 0;
}

static int rekey(struct es_store *s, struct table_sql *t, const struct es_record *r,
                 struct existing *e, struct es_err *err);
static int put_found(struct es_store *s, struct table_sql *t, const struct es_record *r,
                     const struct existing *ex, const char *hash, const char *now_utc,
                     enum es_outcome *out, struct es_held *held, struct es_err *err);

int es_store_put(struct es_store *s, const struct es_mapping *m, const struct es_record *r,
                 const char *now_utc, int likely_new, enum es_outcome *out, struct es_held *held,
                 struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    char hash[24];
    es_map_hash_text(hash, r->hash);
    int inserted = 0, rc;
    *out = ES_CREATED;
    if (likely_new && ((rc = insert_record(s, t, r, hash, now_utc, 1, &inserted, err)) || inserted))
        return rc;
    struct existing e = {0};
    const char *key[] = {r->erp_key};
    if ((rc = s->ops->run(s->db, t->sel, key, 1, read_existing, &e, err)))
        return rc;
    if (!e.found && (rc = match_app_row(s, t, r, e.id)))
        return rc < 0 ? rc : update_record(s, t, r, e.id, hash, now_utc, 1, err);
    int moved = !e.found ? rekey(s, t, r, &e, err) : 0;
    if (moved < 0)
        return moved;
    if (!e.found)
        return insert_record(s, t, r, hash, now_utc, 0, &inserted, err);
    rc = put_found(s, t, r, &e, hash, now_utc, out, held, err);
    if (!rc && moved && *out != ES_HELD)
        *out = ES_REKEYED;
    return rc;
}

/* A record whose key is not stored but whose id is: its key was changed
 * in Acumatica (a Change ID action). That row takes the new key (and is
 * then compared as usual). 1 when moved (e found), 0 when not, <0. */
static int rekey(struct es_store *s, struct table_sql *t, const struct es_record *r,
                 struct existing *e, struct es_err *err)
{
    if (!r->erp_id || t->m->inquiry_array) /* an inquiry row's id lasts a session */
        return 0;
    char id[24] = "";
    const char *p[] = {r->erp_key, r->erp_id};
    int rc = s->ops->run(s->db, t->rekey, p, 2, first_id, id, err);
    if (rc || !id[0])
        return rc;
    const char *key[] = {r->erp_key};
    rc = s->ops->run(s->db, t->sel, key, 1, read_existing, e, err);
    return rc ? rc : 1;
}

/* The stored row of the record's key: left, updated, or held for the
 * caller when the application changed it too. */
static int put_found(struct es_store *s, struct table_sql *t, const struct es_record *r,
                     const struct existing *ex, const char *hash, const char *now_utc,
                     enum es_outcome *out, struct es_held *held, struct es_err *err)
{
    int mine = !strcmp(ex->status, "pending") || !strcmp(ex->status, "unknown");
    if ((!strcmp(ex->hash, hash) && strcmp(ex->status, "deleted")) ||
        (mine && !strcmp(ex->status, "pending") &&
         !es_conflict_exists(ex->status, ex->hash, ex->erp_modified, r))) {
        /* nothing synced changed (a pending row is never overwritten): its
         * time is kept */
        *out = ES_UNCHANGED;
        return touch_record(s, t, ex->id, ex->erp_modified, r, err);
    }
    if (mine) {
        /* The application changed this row too: the caller decides. */
        *out = ES_HELD;
        /* unknown: the push looks the record up and adopts it; no decision */
        if (held && !strcmp(ex->status, "pending")) {
            memcpy(held->id, ex->id, sizeof(held->id));
            memcpy(held->app_modified, ex->app_modified, sizeof(held->app_modified));
            return 0;
        }
        const char *p[] = {ex->id, "changed in Acumatica too: held until this row is pushed"};
        return run(s, t->hold, p, 2, err);
    }
    *out = ES_UPDATED;
    return update_record(s, t, r, ex->id, hash, now_utc, 0, err);
}

int es_store_seen_reset(struct es_store *s, struct es_err *err)
{
    static const char sql[] = "DELETE FROM es_seen";
    return run(s, sql, NULL, 0, err);
}

int es_store_seen_add(struct es_store *s, const char *erp_key, const char *erp_modified,
                      struct es_err *err)
{
    static const char sql[] = "INSERT INTO es_seen(k, m) VALUES(?1, ?2) ON CONFLICT(k) DO NOTHING";
    const char *p[] = {erp_key, erp_modified};
    return run(s, sql, p, 2, err);
}

struct key_list {
    struct es_arena *a;
    char **keys;
    int n, cap;
};

static int collect_key(void *ctx, int n, const char *const *v)
{
    struct key_list *l = ctx;
    if (n < 1 || !v[0])
        return 0;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **keys = es_arena_alloc(l->a, (size_t)cap * sizeof(*keys));
        if (l->n)
            memcpy(keys, l->keys, (size_t)l->n * sizeof(*keys));
        l->keys = keys, l->cap = cap;
    }
    l->keys[l->n++] = es_arena_strdup(l->a, v[0]);
    return 0;
}

int es_store_seen_stale(struct es_store *s, const struct es_mapping *m, const char *before_utc,
                        struct es_arena *a, char ***out, int *n, struct es_err *err)
{
    char *sql = es_xasprintf("SELECT k FROM es_seen WHERE m IS NOT NULL AND m < ?1 AND NOT EXISTS"
                             " (SELECT 1 FROM %s WHERE erp_key = k AND erp_modified = m AND"
                             " sync_status <> 'deleted') ORDER BY k",
                             m->table);
    struct key_list l = {a, NULL, 0, 0};
    const char *p[] = {before_utc};
    int rc = s->ops->run_once(s->db, sql, p, 1, collect_key, &l, err);
    free(sql);
    *out = l.keys;
    *n = rc ? 0 : l.n;
    return rc;
}

int es_store_mark_unseen_deleted(struct es_store *s, const struct es_mapping *m,
                                 const char *date_from, const char *now_utc, long *count,
                                 struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    const char *p[] = {now_utc, date_from};
    int dated = date_from && t->mark_dated;
    int rc = run(s, dated ? t->mark_dated : t->mark, p, dated ? 2 : 1, err);
    *count = rc ? 0 : s->ops->changes(s->db);
    return rc;
}

int es_store_estimate(struct es_store *s, const char *table, long *out)
{
    /* Row ids only grow: the largest is a count to within the rows deleted,
     * found in the key's index at once (count(*) reads every row). */
    char *sql = es_xasprintf("SELECT max(id) FROM %s", table);
    char *v = NULL;
    int rc = s->ops->run_once(s->db, sql, NULL, 0, first_value, &v, NULL);
    *out = v ? strtol(v, NULL, 10) : 0;
    free(v);
    free(sql);
    return rc;
}

int es_store_count(struct es_store *s, const char *table, const char *status, long *out,
                   struct es_err *err)
{
    char *sql = es_xasprintf("SELECT count(*) FROM %s%s", table,
                             status ? " WHERE sync_status = ?1" : "");
    char *v = NULL;
    const char *p[] = {status};
    /* The text is freed after: a statement of its own, not cached. */
    int rc = s->ops->run_once(s->db, sql, p, status ? 1 : 0, first_value, &v, err);
    *out = v ? strtol(v, NULL, 10) : 0;
    free(v);
    free(sql);
    return rc;
}

/* ---- per-set sync state ---- */

static int64_t num64(const char *v)
{
    return v ? strtoll(v, NULL, 10) : 0;
}

static int read_state(void *ctx, int n, const char *const *v)
{
    struct es_set_state *st = ctx;
    if (n < 10)
        return 0;
    st->watermark_ms = num64(v[0]);
    st->in_progress = (int)num64(v[1]);
    st->window_lo_ms = num64(v[2]);
    st->window_hi_ms = num64(v[3]);
    snprintf(st->after_key, sizeof(st->after_key), "%s", v[4] ? v[4] : "");
    st->full = (int)num64(v[5]);
    st->run_id = num64(v[6]);
    st->fetched = (long)num64(v[7]);
    st->last_full_ms = num64(v[8]);
    st->last_reconcile_ms = num64(v[9]);
    st->last_repaired = n > 10 ? (long)num64(v[10]) : 0;
    return 0;
}

int es_store_state_get(struct es_store *s, const char *set, struct es_set_state *out,
                       struct es_err *err)
{
    static const char sql[] =
        "SELECT watermark_ms, in_progress, window_lo_ms, window_hi_ms, after_key, full_pull,"
        " run_id, fetched, last_full_ms, last_reconcile_ms, last_repaired FROM es_state"
        " WHERE set_name = ?1";
    memset(out, 0, sizeof(*out));
    const char *p[] = {set};
    return s->ops->run(s->db, sql, p, 1, read_state, out, err);
}

int es_store_state_put(struct es_store *s, const char *set, const struct es_set_state *st,
                       struct es_err *err)
{
    static const char sql[] =
        "INSERT INTO es_state(set_name, watermark_ms, in_progress, window_lo_ms, window_hi_ms,"
        " after_key, full_pull, run_id, fetched, last_full_ms, last_reconcile_ms, last_repaired)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(set_name) DO UPDATE"
        " SET watermark_ms = excluded.watermark_ms, in_progress = excluded.in_progress,"
        " window_lo_ms = excluded.window_lo_ms, window_hi_ms = excluded.window_hi_ms,"
        " after_key = excluded.after_key, full_pull = excluded.full_pull,"
        " run_id = excluded.run_id, fetched = excluded.fetched,"
        " last_full_ms = excluded.last_full_ms, last_reconcile_ms = excluded.last_reconcile_ms,"
        " last_repaired = excluded.last_repaired";
    char n[11][24];
    int64_t v[11] = {st->watermark_ms, st->in_progress, st->window_lo_ms, st->window_hi_ms, 0,
                     st->full, st->run_id, st->fetched, st->last_full_ms,
                     st->last_reconcile_ms, st->last_repaired};
    for (int i = 0; i < 11; i++)
        snprintf(n[i], sizeof(n[i]), "%" PRId64, v[i]);
    const char *p[] = {set,  n[0], n[1], n[2], n[3], st->after_key[0] ? st->after_key : NULL,
                       n[5], n[6], n[7], n[8], n[9], n[10]};
    return run(s, sql, p, 12, err);
}

/* ---- runs ---- */

static int read_id(void *ctx, int n, const char *const *v)
{
    *(int64_t *)ctx = n > 0 ? num64(v[0]) : 0;
    return 0;
}

int es_store_run_start(struct es_store *s, const char *mode, const char *now_utc, int64_t *id,
                       struct es_err *err)
{
    static const char sql[] = "INSERT INTO es_runs(mode, status, started_at) VALUES(?1, 'running',"
                              " ?2) RETURNING id";
    const char *p[] = {mode, now_utc};
    *id = 0;
    return s->ops->run(s->db, sql, p, 2, read_id, id, err);
}

int es_store_run_set(struct es_store *s, int64_t run_id, const char *set, const struct es_counts *c,
                     const char *error, struct es_err *err)
{
    static const char sql[] =
        "INSERT INTO es_run_sets(run_id, set_name, fetched, created, updated, unchanged, deleted,"
        " failed, held, requests, pushed, push_failed, waiting, conflicts, repaired, rekeyed,"
        " error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
        " ?17)"
        " ON CONFLICT(run_id, set_name) DO UPDATE SET fetched = excluded.fetched,"
        " created = excluded.created, updated = excluded.updated,"
        " unchanged = excluded.unchanged, deleted = excluded.deleted, failed = excluded.failed,"
        " held = excluded.held, requests = excluded.requests, pushed = excluded.pushed,"
        " push_failed = excluded.push_failed, waiting = excluded.waiting,"
        " conflicts = excluded.conflicts, repaired = excluded.repaired,"
        " rekeyed = excluded.rekeyed, error = excluded.error";
    char n[15][24];
    long v[15] = {0,          c->fetched, c->created,     c->updated, c->unchanged,
                  c->deleted, c->failed,  c->held,        c->requests, c->pushed,
                  c->push_failed, c->waiting, c->conflicts, c->repaired, c->rekeyed};
    snprintf(n[0], sizeof(n[0]), "%" PRId64, run_id);
    for (int i = 1; i < 15; i++)
        snprintf(n[i], sizeof(n[i]), "%ld", v[i]);
    const char *p[] = {n[0], set,   n[1],  n[2],  n[3],  n[4],  n[5], n[6], n[7],
                       n[8], n[9], n[10], n[11], n[12], n[13], n[14], error};
    return run(s, sql, p, 17, err);
}

int es_store_run_end(struct es_store *s, int64_t run_id, const char *status, const char *message,
                     const char *now_utc, long duration_ms, long requests, struct es_err *err)
{
    static const char sql[] = "UPDATE es_runs SET status = ?2, message = ?3, ended_at = ?4,"
                              " duration_ms = ?5, requests = ?6 WHERE id = ?1";
    char id[24], dur[24], req[24];
    snprintf(id, sizeof(id), "%" PRId64, run_id);
    snprintf(dur, sizeof(dur), "%ld", duration_ms);
    snprintf(req, sizeof(req), "%ld", requests);
    const char *p[] = {id, status, message, now_utc, dur, req};
    return run(s, sql, p, 6, err);
}

int es_store_failure(struct es_store *s, int64_t run_id, const char *set, const char *erp_key,
                     const char *message, const char *now_utc, struct es_err *err)
{
    static const char sql[] = "INSERT INTO es_failures(run_id, set_name, erp_key, message, at)"
                              " VALUES(?1, ?2, ?3, ?4, ?5)";
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, run_id);
    const char *p[] = {id, set, erp_key, message, now_utc};
    return run(s, sql, p, 5, err);
}

int es_store_lock(struct es_store *s, const char *since_utc, struct es_store_holder *holder,
                  struct es_err *err)
{
    struct es_store_holder h = {0};
    int rc = s->ops->lock(s->db, since_utc, &h, err);
    if (holder)
        *holder = h;
    if (rc != ES_ECONFLICT)
        return rc;
    if (!h.pid)
        return es_err_set(err, rc, "another run holds the store (it is just starting)");
    return es_err_set(err, rc, "another run holds the store: pid %ld, since %s", h.pid,
                      h.since[0] ? h.since : "a moment ago");
}

int es_store_runs_interrupted(struct es_store *s, long *n, struct es_err *err)
{
    static const char sql[] = "UPDATE es_runs SET status = 'interrupted', message = ?1"
                              " WHERE status = 'running'";
    const char *p[] = {"the process ended without finishing (killed?)"};
    int rc = run(s, sql, p, 1, err);
    *n = rc ? 0 : s->ops->changes(s->db);
    return rc;
}

/* ---- settings ---- */

int es_store_setting_get(struct es_store *s, const char *key, char *out, size_t cap,
                         struct es_err *err)
{
    static const char sql[] = "SELECT value FROM es_settings WHERE key = ?1";
    char *v = NULL;
    const char *p[] = {key};
    int rc = s->ops->run(s->db, sql, p, 1, first_value, &v, err);
    snprintf(out, cap, "%s", v ? v : "");
    free(v);
    return rc;
}

int es_store_setting_set(struct es_store *s, const char *key, const char *value,
                         struct es_err *err)
{
    static const char sql[] = "INSERT INTO es_settings(key, value) VALUES(?1, ?2)"
                              " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    const char *p[] = {key, value};
    return run(s, sql, p, 2, err);
}

/* ---- the push ---- */

struct push_rows_ctx {
    struct es_arena *a;
    struct es_push_row *rows;
    int n, cap, ncols;
};

static char *dup_or_null(struct es_arena *a, const char *v)
{
    return v ? es_arena_strdup(a, v) : NULL;
}

static int read_push_row(void *ctx, int n, const char *const *v)
{
    struct push_rows_ctx *c = ctx;
    if (c->n == c->cap || n < 8 + c->ncols)
        return 0;
    struct es_push_row *r = &c->rows[c->n++];
    r->id = num64(v[0]);
    r->erp_key = dup_or_null(c->a, v[1]);
    r->status = dup_or_null(c->a, v[2]);
    r->attempts = (long)num64(v[3]);
    r->app_modified = dup_or_null(c->a, v[4]);
    r->erp_modified = dup_or_null(c->a, v[5]);
    r->erp_hash = dup_or_null(c->a, v[6]);
    r->sent = v[7] && !strcmp(v[7], "1");
    r->vals = es_arena_alloc(c->a, (size_t)(c->ncols ? c->ncols : 1) * sizeof(*r->vals));
    for (int i = 0; i < c->ncols; i++)
        r->vals[i] = dup_or_null(c->a, v[8 + i]);
    return 0;
}

int es_store_push_rows(struct es_store *s, const struct es_mapping *m, int64_t now_ms,
                       int64_t after_id, int limit, struct es_arena *a, struct es_push_row **out,
                       int *n, struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    char now[24], after[24], lim[16];
    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    snprintf(after, sizeof(after), "%" PRId64, after_id);
    snprintf(lim, sizeof(lim), "%d", limit);
    struct push_rows_ctx c = {a, es_arena_alloc(a, (size_t)limit * sizeof(*c.rows)), 0, limit,
                              t->ncols};
    const char *p[] = {now, after, lim};
    int rc = s->ops->run(s->db, t->push_rows, p, 3, read_push_row, &c, err);
    *out = c.rows;
    *n = rc ? 0 : c.n;
    return rc;
}

struct detail_ctx {
    struct es_arena *a;
    struct es_row *rows;
    int n, cap, ncols;
};

static int read_detail_row(void *ctx, int n, const char *const *v)
{
    struct detail_ctx *c = ctx;
    if (n < 2 + c->ncols)
        return 0;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        struct es_row *rows = es_arena_alloc(c->a, (size_t)cap * sizeof(*rows));
        if (c->n)
            memcpy(rows, c->rows, (size_t)c->n * sizeof(*rows));
        c->rows = rows, c->cap = cap;
    }
    struct es_row *r = &c->rows[c->n++];
    r->kind = dup_or_null(c->a, v[0]);
    r->n = (size_t)c->ncols;
    r->vals = es_arena_alloc(c->a, (size_t)(c->ncols ? c->ncols : 1) * sizeof(*r->vals));
    for (int i = 0; i < c->ncols; i++)
        r->vals[i] = dup_or_null(c->a, v[2 + i]);
    return 0;
}

int es_store_detail_rows(struct es_store *s, const struct es_mapping *m, int detail, int64_t parent,
                         struct es_arena *a, struct es_row **out, int *n, struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, parent);
    struct detail_ctx c = {a, NULL, 0, 0, t->details[detail].ncols};
    const char *p[] = {id};
    int rc = s->ops->run(s->db, t->details[detail].rows, p, 1, read_detail_row, &c, err);
    *out = c.rows;
    *n = rc ? 0 : c.n;
    return rc;
}

/* A row's push state, and one more column (an external reference) or
 * none: the statement of a table (cached by the backend). */
static char *build_push_mark(const char *table, const char *set_col)
{
    return es_xasprintf("UPDATE %s SET sync_status = ?2, last_error = ?3, attempts = ?4,"
                        " next_attempt_ms = ?5, pushed_at = ?6%s%s%s WHERE id = ?1",
                        table, set_col ? ", " : "", set_col ? set_col : "",
                        set_col ? " = ?7" : "");
}

int es_store_push_mark(struct es_store *s, const struct es_mapping *m, int64_t id,
                       const char *status, const char *note, long attempts,
                       int64_t next_attempt_ms, const char *set_col, const char *set_value,
                       const char *now_utc, struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    const char *sql = t->push_mark;
    for (int k = 0; set_col && k < 4 && m->extref_cols && m->extref_cols[k]; k++)
        if (!strcmp(m->extref_cols[k], set_col))
            sql = t->push_mark_ref[k];
    char *own = set_col && sql == t->push_mark ? build_push_mark(m->table, set_col) : NULL;
    char ids[24], att[24], next[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    snprintf(att, sizeof(att), "%ld", attempts);
    snprintf(next, sizeof(next), "%" PRId64, next_attempt_ms);
    const char *p[] = {ids, status, note, att, next_attempt_ms ? next : NULL, now_utc, set_value};
    int rc = own ? s->ops->run_once(s->db, own, p, 7, NULL, NULL, err)
                 : s->ops->run(s->db, sql, p, set_col ? 7 : 6, NULL, NULL, err);
    free(own);
    return rc;
}

static int count_row(void *ctx, int n, const char *const *v)
{
    (void)n;
    (void)v;
    ++*(long *)ctx;
    return 0;
}

/* "col = ?1 OR ..." for every column a user may name a row by. */
static void key_match(struct es_buf *b, const struct es_mapping *m)
{
    es_buf_adds(b, "(erp_key = ?1");
    int k = m->key0_fixed ? 1 : 0;
    if (m->nkeys == 1 || m->key0_fixed)
        es_buf_addf(b, " OR %s = ?1", m->key_cols[k]);
    for (const char *const *c = m->extref_cols; c && *c; c++)
        es_buf_addf(b, " OR %s = ?1", *c);
    es_buf_adds(b, " OR CAST(id AS TEXT) = ?2)");
}

int es_store_mark_pending(struct es_store *s, const struct es_mapping *m, const char *key,
                          int failed_only, const char *now_utc, long *changed,
                          struct es_err *err)
{
    *changed = 0;
    if (key && !*key)
        return 0; /* an empty name names nothing */
    /* A retry keeps the row's change time and says so in last_error (the
     * note also keeps the app_modified trigger, which stamps a row the
     * application marks, from firing). */
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_addf(&b, "UPDATE %s SET sync_status = 'pending', next_attempt_ms = NULL, %s WHERE %s",
                m->table,
                failed_only ? "last_error = 'marked to push again (erpsync retry, ' || ?3 || ')'"
                            : "last_error = NULL, app_modified = ?3",
                failed_only ? "sync_status = 'failed'"
                            : "sync_status IN ('synced', 'failed', 'pending')");
    es_buf_adds(&b, " AND (?1 = '' OR ");
    key_match(&b, m);
    es_buf_adds(&b, ") RETURNING id");
    char idv[260] = "";
    if (key && !strncmp(key, "id:", 3))
        snprintf(idv, sizeof(idv), "%s", key + 3);
    const char *p[] = {key ? key : "", idv, now_utc};
    long n = 0;
    int rc = s->ops->run_once(s->db, b.data, p, 3, count_row, &n, err);
    es_buf_dispose(&b);
    *changed = n;
    return rc;
}

/* Another row holding the ERP key an answer names (found: 0 when none). */
struct holder {
    int found, after;
    char id[24], erp_id[64], key[512], status[16];
};

/* A row holding the answer's key: id, erp_id, status, written after the send. */
static int read_holder(void *ctx, int n, const char *const *v)
{
    struct holder *h = ctx;
    h->found = 1;
    snprintf(h->id, sizeof(h->id), "%s", n > 0 && v[0] ? v[0] : "");
    snprintf(h->erp_id, sizeof(h->erp_id), "%s", n > 1 && v[1] ? v[1] : "");
    snprintf(h->status, sizeof(h->status), "%s", n > 2 && v[2] ? v[2] : "");
    h->after = n > 3 && v[3] && !strcmp(v[3], "1");
    return 0;
}

/* A row holding the answer's id under another key: id, key, status. */
static int read_id_holder(void *ctx, int n, const char *const *v)
{
    struct holder *h = ctx;
    h->found = 1;
    snprintf(h->id, sizeof(h->id), "%s", n > 0 && v[0] ? v[0] : "");
    snprintf(h->key, sizeof(h->key), "%s", n > 1 && v[1] ? v[1] : "");
    snprintf(h->status, sizeof(h->status), "%s", n > 2 && v[2] ? v[2] : "");
    return 0;
}

/* Does a row of the store other than the pushed one hold what the answer
 * names? ES_ECONFLICT saying which, or 0 (h says whether a plain copy of
 * the same record, which may give way, holds the key). */
static int answer_holder(struct es_store *s, struct table_sql *t, const char *ids,
                         const struct es_record *r, struct holder *h, struct es_err *err)
{
    const char *p[] = {r->erp_key, ids};
    int rc = s->ops->run(s->db, t->holder, p, 2, read_holder, h, err);
    if (rc)
        return rc;
    /* Only a plain copy gives way: the same ERP record (its id), pulled
     * since the row was sent, holding nothing of the application's. */
    int plain = (!strcmp(h->status, "synced") || !strcmp(h->status, "deleted")) && h->after;
    if (h->found && (!r->erp_id || strcmp(h->erp_id, r->erp_id) || !plain))
        return es_err_set(err, ES_ECONFLICT,
                          "%s row %s holds the key '%s' for %s (id %s, %s%s), and the answer's"
                          " record has id %s",
                          t->m->table, h->id, r->erp_key,
                          strcmp(h->erp_id, r->erp_id ? r->erp_id : "") ? "another record"
                                                                        : "the same record",
                          h->erp_id[0] ? h->erp_id : "none", h->status,
                          h->after ? "" : ", held before the row was sent",
                          r->erp_id ? r->erp_id : "none");
    struct holder o = {0};
    const char *q[] = {r->erp_id, ids, r->erp_key};
    if (r->erp_id && (rc = s->ops->run(s->db, t->id_holder, q, 3, read_id_holder, &o, err)))
        return rc;
    if (o.found)
        return es_err_set(err, ES_ECONFLICT,
                          "%s row %s holds the id %s under the key '%s', and the answer names "
                          "it '%s'",
                          t->m->table, o.id, r->erp_id, o.key, r->erp_key);
    return 0;
}

int es_store_adopt_check(struct es_store *s, const struct es_mapping *m, int64_t id,
                         const struct es_record *r, struct es_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    struct holder h = {0};
    return answer_holder(s, table_of(s, m), ids, r, &h, err);
}

int es_store_adopt(struct es_store *s, const struct es_mapping *m, int64_t id,
                   const struct es_record *r, const char *now_utc, struct es_err *err)
{
    struct table_sql *t = table_of(s, m);
    char ids[24], hash[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    es_map_hash_text(hash, r->hash);
    struct holder h = {0};
    int rc = answer_holder(s, t, ids, r, &h, err);
    const char *d[] = {h.id};
    if (!rc && h.found)
        rc = run(s, t->drop_dup, d, 1, err);
    return rc ? rc : update_record(s, t, r, ids, hash, now_utc, 1, err);
}

static int read_found(void *ctx, int n, const char *const *v)
{
    struct es_store_found *f = ctx;
    f->found = 1;
    snprintf(f->status, sizeof(f->status), "%s", n > 0 && v[0] ? v[0] : "");
    snprintf(f->erp_key, sizeof(f->erp_key), "%s", n > 1 && v[1] ? v[1] : "");
    snprintf(f->note, sizeof(f->note), "%s", n > 2 && v[2] ? v[2] : "");
    snprintf(f->id, sizeof(f->id), "%s", n > 3 && v[3] ? v[3] : "");
    return 0;
}

int es_store_find(struct es_store *s, const char *table, const char *col, const char *value,
                  struct es_store_found *out, struct es_err *err)
{
    memset(out, 0, sizeof(*out));
    char *sql = es_xasprintf("SELECT sync_status, erp_key, last_error, id FROM %s WHERE %s = ?1"
                             " AND sync_status <> 'deleted' ORDER BY id LIMIT 1",
                             table, col);
    const char *p[] = {value};
    int rc = s->ops->run_once(s->db, sql, p, 1, read_found, out, err);
    free(sql);
    return rc;
}

/* The states a row may have, sorted (the ranges between them are searched
 * for others). */
static const char *const states[] = {"deleted", "failed", "pending", "synced", "unknown"};
#define NSTATES (sizeof(states) / sizeof(states[0]))

struct odd_ctx {
    char *values[10]; /* the first distinct ones */
    long counts[10];
    int distinct;
    long n;
};

static int odd_status(void *ctx, int n, const char *const *v)
{
    struct odd_ctx *o = ctx;
    const char *st = n > 0 && v[0] ? v[0] : "NULL";
    o->n++;
    for (int i = 0; i < o->distinct; i++)
        if (!strcmp(o->values[i], st))
            return o->counts[i]++, 0;
    if (o->distinct < 10) {
        o->values[o->distinct] = es_xstrndup(st, strnlen(st, 40)); /* a long one cut */
        o->counts[o->distinct++] = 1;
    }
    return 0;
}

int es_store_odd_statuses(struct es_store *s, const struct es_mapping *m, char *out, size_t cap,
                          long *n, struct es_err *err)
{
    /* The ranges between the states, OR'd: SQLite searches the status
     * index for each, so a run pays a few lookups, not a scan. */
    struct es_buf q, b;
    es_buf_init(&q, 0);
    es_buf_init(&b, 0);
    es_buf_addf(&q, "SELECT sync_status FROM %s WHERE sync_status < '%s'", m->table, states[0]);
    for (size_t i = 1; i < NSTATES; i++)
        es_buf_addf(&q, " OR (sync_status > '%s' AND sync_status < '%s')", states[i - 1],
                    states[i]);
    es_buf_addf(&q, " OR sync_status > '%s'", states[NSTATES - 1]);
    struct odd_ctx o = {.distinct = 0};
    int rc = s->ops->run_once(s->db, q.data, NULL, 0, odd_status, &o, err);
    for (int i = 0; i < o.distinct; i++) {
        es_buf_addf(&b, "%s'%s' %ld", i ? ", " : "", o.values[i], o.counts[i]);
        free(o.values[i]);
    }
    snprintf(out, cap, "%s", b.data ? b.data : "");
    *n = rc ? 0 : o.n;
    es_buf_dispose(&q);
    es_buf_dispose(&b);
    return rc;
}

int es_store_app_rows(struct es_store *s, const char *table, long *out, struct es_err *err)
{
    char *sql = es_xasprintf("SELECT count(*) FROM %s WHERE erp_key IS NULL", table);
    char *v = NULL;
    int rc = s->ops->run_once(s->db, sql, NULL, 0, first_value, &v, err);
    *out = v ? strtol(v, NULL, 10) : 0;
    free(v);
    free(sql);
    return rc;
}

/* ---- conflicts ---- */

static void version_json(struct es_buf *out, const struct es_col *cols, const char *const *vals)
{
    es_buf_add(out, "{", 1);
    for (int i = 0; cols[i].name; i++) {
        es_buf_addf(out, "%s\"%s\":", i ? "," : "", cols[i].name);
        if (!vals[i]) {
            es_buf_adds(out, "null");
            continue;
        }
        es_buf_add(out, "\"", 1);
        es_buf_add_json_escaped(out, vals[i], strlen(vals[i]));
        es_buf_add(out, "\"", 1);
    }
    es_buf_add(out, "}", 1);
}

struct row_json {
    const struct es_mapping *m;
    struct es_buf *out;
};

static int read_row_json(void *ctx, int n, const char *const *v)
{
    struct row_json *r = ctx;
    if (n >= ncols(r->m->cols))
        version_json(r->out, r->m->cols, v);
    return 0;
}

int es_store_resolve(struct es_store *s, const struct es_mapping *m, const struct es_held *held,
                     const struct es_record *r, int erp_wins, const char *reason,
                     const char *erp_time, int64_t run_id, const char *now_utc,
                     struct es_err *err)
{
    struct es_buf sel, app, erp;
    es_buf_init(&sel, 0);
    es_buf_init(&app, 0);
    es_buf_init(&erp, 0);
    es_buf_adds(&sel, "SELECT ");
    for (int i = 0; m->cols[i].name; i++)
        es_buf_addf(&sel, "%s%s", i ? ", " : "", m->cols[i].name);
    es_buf_addf(&sel, " FROM %s WHERE id = ?1", m->table);
    const char *p[] = {held->id};
    struct row_json rj = {m, &app};
    int rc = s->ops->run_once(s->db, sel.data, p, 1, read_row_json, &rj, err);
    version_json(&erp, m->cols, r->row.vals);
    static const char ins[] =
        "INSERT INTO es_conflicts(run_id, set_name, erp_key, row_id, winner, reason, erp_time,"
        " app_time, erp_version, app_version, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11)";
    char run_s[24];
    snprintf(run_s, sizeof(run_s), "%" PRId64, run_id);
    const char *q[] = {run_s, m->table, r->erp_key, held->id, erp_wins ? "erp" : "app", reason,
                       erp_time, held->app_modified[0] ? held->app_modified : NULL,
                       erp.data, app.data, now_utc};
    if (!rc)
        rc = run(s, ins, q, 11, err);
    char hash[24];
    es_map_hash_text(hash, r->hash);
    struct table_sql *t = table_of(s, m);
    if (!rc && erp_wins)
        rc = update_record(s, t, r, held->id, hash, now_utc, 0, err);
    else if (!rc) {
        char note[300];
        snprintf(note, sizeof(note), "changed in Acumatica too; kept (%s), to be pushed", reason);
        const char *h[] = {held->id, note};
        rc = run(s, t->hold, h, 2, err);
    }
    es_buf_dispose(&sel);
    es_buf_dispose(&app);
    es_buf_dispose(&erp);
    return rc;
}
