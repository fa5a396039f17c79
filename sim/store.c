/* The SQLite store behind acusim. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "erpsync/buf.h"
#include "erpsync/mem.h"
#include "names.h"
#include "store.h"

/* A client paging with $top/$skip asks for OFFSET n, and SQLite steps over
 * all n rows to find the page: reading a large table page by page costs
 * O(rows^2). A cursor remembers where the last page of a query ended; when
 * the next request asks for exactly the following page and nothing was
 * written since, the page starts after the remembered key instead. The
 * rows are the same ones OFFSET would give. */
#define STORE_CURSORS 8

struct cursor {
    char *shape; /* entity, filter SQL and parameters, serialized */
    size_t shape_n;
    int64_t next; /* the $skip this cursor continues */
    uint64_t gen;
    uint64_t used;
    sqlite3_value *k1, *k2; /* the key of the last row returned */
};

struct sim_store {
    sqlite3 *db;
    pthread_mutex_t mu;
    sqlite3_stmt *get_key, *get_id, *ins, *bulk_ins, *del, *seq_get, *seq_set;
    int bulk;
    uint64_t gen; /* bumped by every write: cursors of an older gen are stale */
    struct cursor cursors[STORE_CURSORS];
    uint64_t tick;
};

#define SECONDARY_INDEXES                                                                  \
    "CREATE UNIQUE INDEX IF NOT EXISTS rec_id ON rec(id);"                                  \
    "CREATE INDEX IF NOT EXISTS rec_mod ON rec(ent, modified);"

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS rec("
    "  rid INTEGER PRIMARY KEY,"
    "  ent TEXT NOT NULL,"
    "  k1 NOT NULL COLLATE NOCASE,"
    "  k2 NOT NULL COLLATE NOCASE DEFAULT '',"
    "  id TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  body BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS rec_key ON rec(ent, k1, k2);"
    SECONDARY_INDEXES
    "CREATE TABLE IF NOT EXISTS names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS seq(name TEXT PRIMARY KEY, val INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);";

#define COLS "ent, id, k1, k2, created, modified, body"

static int db_err(struct sim_store *s, struct es_err *err, const char *what)
{
    return es_err_set(err, ES_EDB, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

/* sim_field(body, name, name...): a value inside the packed record. */
static void fn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    uint32_t path[8];
    if (argc < 2 || argc > 9 || sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_null(ctx);
        return;
    }
    for (int i = 1; i < argc; i++)
        path[i - 1] = (uint32_t)sqlite3_value_int64(argv[i]);
    struct sim_val v;
    const void *blob = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    if (!sim_blob_lookup(&v, blob, (size_t)n, path, (size_t)argc - 1)) {
        sqlite3_result_null(ctx);
        return;
    }
    switch (v.t) {
    case SV_STR: sqlite3_result_text(ctx, v.u.s, (int)v.n, SQLITE_TRANSIENT); break;
    case SV_TRUE: sqlite3_result_int(ctx, 1); break;
    case SV_FALSE: sqlite3_result_int(ctx, 0); break;
    case SV_INT:
    case SV_DEC:
    case SV_DT: sqlite3_result_int64(ctx, v.u.i); break;
    default: sqlite3_result_null(ctx);
    }
}

static int prepare(struct sim_store *s, sqlite3_stmt **st, const char *sql, struct es_err *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return db_err(s, err, "prepare");
    return 0;
}

int sim_store_open(struct sim_store **out, const char *path, struct es_err *err)
{
    struct sim_store *s = es_xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const char *p = path && *path ? path : ":memory:";
    if (sqlite3_open_v2(p, &s->db, flags, NULL) != SQLITE_OK) {
        es_err_set(err, ES_EDB, "store: cannot open %s: %s", p,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sim_store_close(s);
        return ES_EDB;
    }
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_exec(s->db, "PRAGMA cache_size=-262144", NULL, NULL, NULL);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        es_err_set(err, ES_EDB, "store: %s: %s", p, msg ? msg : "schema failed");
        sqlite3_free(msg);
        sim_store_close(s);
        return ES_EDB;
    }
    sqlite3_create_function(s->db, "sim_field", -1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                            fn_field, NULL, NULL);
    int rc = prepare(s, &s->get_key, "SELECT " COLS " FROM rec WHERE ent=?1 AND k1=?2 AND k2=?3",
                     err) ||
             prepare(s, &s->get_id, "SELECT " COLS " FROM rec WHERE id=?1 AND ent=?2", err) ||
             prepare(s, &s->ins,
                     "INSERT INTO rec(ent, id, k1, k2, created, modified, body) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(id) DO UPDATE SET "
                     "k1=excluded.k1, k2=excluded.k2, modified=excluded.modified, "
                     "body=excluded.body",
                     err) ||
             prepare(s, &s->bulk_ins,
                     "INSERT INTO rec(ent, id, k1, k2, created, modified, body) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7)",
                     err) ||
             prepare(s, &s->del, "DELETE FROM rec WHERE id=?1", err) ||
             prepare(s, &s->seq_get, "SELECT val FROM seq WHERE name=?1", err) ||
             prepare(s, &s->seq_set,
                     "INSERT INTO seq(name, val) VALUES(?1, ?2) "
                     "ON CONFLICT(name) DO UPDATE SET val=excluded.val",
                     err);
    if (rc) {
        sim_store_close(s);
        return ES_EDB;
    }
    *out = s;
    return 0;
}

void sim_store_close(struct sim_store *s)
{
    if (!s)
        return;
    sqlite3_stmt *sts[] = {s->get_key, s->get_id, s->ins, s->bulk_ins, s->del, s->seq_get, s->seq_set};
    for (size_t i = 0; i < sizeof(sts) / sizeof(sts[0]); i++)
        sqlite3_finalize(sts[i]);
    for (int i = 0; i < STORE_CURSORS; i++) {
        free(s->cursors[i].shape);
        sqlite3_value_free(s->cursors[i].k1);
        sqlite3_value_free(s->cursors[i].k2);
    }
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void sim_store_lock(struct sim_store *s)
{
    pthread_mutex_lock(&s->mu);
}

void sim_store_unlock(struct sim_store *s)
{
    pthread_mutex_unlock(&s->mu);
}

static int exec(struct sim_store *s, const char *sql, struct es_err *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_err(s, err, sql);
    return 0;
}

int sim_store_begin(struct sim_store *s, struct es_err *err)
{
    return exec(s, "BEGIN IMMEDIATE", err);
}

int sim_store_commit(struct sim_store *s, struct es_err *err)
{
    return exec(s, "COMMIT", err);
}

void sim_store_rollback(struct sim_store *s)
{
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int sim_store_load_names(struct sim_store *s, struct es_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name FROM names ORDER BY id", -1, &st, NULL))
        return db_err(s, err, "names");
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint32_t want = (uint32_t)sqlite3_column_int64(st, 0);
        uint32_t got = sim_name_intern((const char *)sqlite3_column_text(st, 1));
        if (got != want) {
            rc = es_err_set(err, ES_EDB, "store: name dictionary out of order at %u", want);
            break;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int sim_store_save_names(struct sim_store *s, struct es_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO names(id, name) VALUES(?1, ?2)", -1, &st,
                           NULL))
        return db_err(s, err, "names");
    exec(s, "BEGIN", NULL);
    for (uint32_t id = 1; id < sim_name_count(); id++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, sim_name_str(id), -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return exec(s, "COMMIT", err);
}

static void bind_key(sqlite3_stmt *st, int i, const struct sim_key *k)
{
    if (!k)
        sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
    else if (k->is_int)
        sqlite3_bind_int64(st, i, k->i);
    else
        sqlite3_bind_text(st, i, k->s, (int)k->n, SQLITE_STATIC);
}

static void column_key(sqlite3_stmt *st, int col, struct sim_key *k)
{
    memset(k, 0, sizeof(*k));
    if (sqlite3_column_type(st, col) == SQLITE_INTEGER) {
        k->is_int = 1;
        k->i = sqlite3_column_int64(st, col);
        return;
    }
    k->s = (const char *)sqlite3_column_text(st, col);
    k->n = (size_t)sqlite3_column_bytes(st, col);
}

static void column_row(sqlite3_stmt *st, struct sim_row *r)
{
    r->ent = (const char *)sqlite3_column_text(st, 0);
    r->id = (const char *)sqlite3_column_text(st, 1);
    column_key(st, 2, &r->k1);
    column_key(st, 3, &r->k2);
    r->created = sqlite3_column_int64(st, 4);
    r->modified = sqlite3_column_int64(st, 5);
    r->body = sqlite3_column_blob(st, 6);
    r->body_n = (size_t)sqlite3_column_bytes(st, 6);
}

/* Step a statement that yields at most one row into the callback. */
static int one_row(struct sim_store *s, sqlite3_stmt *st, sim_row_cb cb, void *ctx,
                   struct es_err *err)
{
    int rc = sqlite3_step(st), out;
    if (rc == SQLITE_ROW) {
        struct sim_row r;
        column_row(st, &r);
        int cbrc = cb ? cb(&r, ctx) : 0;
        out = cbrc < 0 ? cbrc : 1;
    } else if (rc == SQLITE_DONE) {
        out = 0;
    } else {
        out = db_err(s, err, "read");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

int sim_store_get_key(struct sim_store *s, const char *ent, const struct sim_key *k1,
                      const struct sim_key *k2, sim_row_cb cb, void *ctx, struct es_err *err)
{
    sqlite3_bind_text(s->get_key, 1, ent, -1, SQLITE_STATIC);
    bind_key(s->get_key, 2, k1);
    bind_key(s->get_key, 3, k2);
    return one_row(s, s->get_key, cb, ctx, err);
}

int sim_store_get_id(struct sim_store *s, const char *ent, const char *id, sim_row_cb cb,
                     void *ctx, struct es_err *err)
{
    sqlite3_bind_text(s->get_id, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->get_id, 2, ent, -1, SQLITE_STATIC);
    return one_row(s, s->get_id, cb, ctx, err);
}

static void bind_params(sqlite3_stmt *st, const struct sim_sqlq *q, int first)
{
    for (size_t i = 0; q && i < q->nparams; i++) {
        const struct sim_param *p = &q->params[i];
        int idx = first + (int)i;
        if (p->type == SP_INT)
            sqlite3_bind_int64(st, idx, p->i);
        else if (p->type == SP_TEXT)
            sqlite3_bind_text(st, idx, p->s, (int)p->n, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, idx);
    }
}

/* Append " WHERE ent=?N [AND (where)]": the filter's parameters come first,
 * the entity is parameter N = nparams + 1. */
static size_t add_where(struct es_buf *sql, const struct sim_sqlq *where)
{
    size_t np = where ? where->nparams : 0;
    es_buf_addf(sql, " WHERE ent=?%zu", np + 1);
    if (where && where->sql.len)
        es_buf_addf(sql, " AND %s", where->sql.data);
    return np;
}

static int prepare_sql(struct sim_store *s, sqlite3_stmt **st, const struct es_buf *sql,
                       const char *ent, const struct sim_sqlq *where, struct es_err *err)
{
    if (sqlite3_prepare_v2(s->db, sql->data, (int)sql->len, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_err(s, err, "query");
    }
    bind_params(*st, where, 1);
    sqlite3_bind_text(*st, (int)(where ? where->nparams : 0) + 1, ent, -1, SQLITE_STATIC);
    return 0;
}

static void shape_of(struct es_buf *b, const char *ent, const struct sim_sqlq *where)
{
    es_buf_add(b, ent, strlen(ent) + 1);
    if (!where)
        return;
    es_buf_add(b, where->sql.data ? where->sql.data : "", where->sql.len + 1);
    for (size_t i = 0; i < where->nparams; i++) {
        const struct sim_param *p = &where->params[i];
        es_buf_add(b, &p->type, sizeof(p->type));
        es_buf_add(b, &p->i, sizeof(p->i));
        es_buf_add(b, &p->n, sizeof(p->n));
        if (p->type == SP_TEXT)
            es_buf_add(b, p->s, p->n);
    }
}

static struct cursor *cursor_find(struct sim_store *s, const struct es_buf *shape, int64_t skip)
{
    for (int i = 0; i < STORE_CURSORS; i++) {
        struct cursor *c = &s->cursors[i];
        if (c->shape && c->gen == s->gen && c->next == skip && c->shape_n == shape->len &&
            !memcmp(c->shape, shape->data, shape->len))
            return c;
    }
    return NULL;
}

/* Remember where a full page ended (the least recently used slot goes). */
static void cursor_save(struct sim_store *s, struct cursor *c, struct es_buf *shape, int64_t next,
                        sqlite3_value *k1, sqlite3_value *k2)
{
    if (!c) {
        c = &s->cursors[0];
        for (int i = 1; i < STORE_CURSORS; i++)
            if (s->cursors[i].used < c->used)
                c = &s->cursors[i];
        free(c->shape);
        c->shape = es_buf_steal(shape, &c->shape_n);
    }
    sqlite3_value_free(c->k1);
    sqlite3_value_free(c->k2);
    c->k1 = k1;
    c->k2 = k2;
    c->next = next;
    c->gen = s->gen;
    c->used = ++s->tick;
}

int sim_store_list(struct sim_store *s, const char *ent, const struct sim_sqlq *where,
                   int64_t top, int64_t skip, sim_row_cb cb, void *ctx, struct es_err *err)
{
    struct es_buf shape, sql;
    es_buf_init(&shape, 0);
    es_buf_init(&sql, 0);
    shape_of(&shape, ent, where);
    struct cursor *c = skip > 0 && top > 0 ? cursor_find(s, &shape, skip) : NULL;
    es_buf_adds(&sql, "SELECT " COLS " FROM rec");
    size_t np = add_where(&sql, where);
    if (c)
        es_buf_addf(&sql, " AND (k1, k2) > (?%zu, ?%zu)", np + 4, np + 5);
    es_buf_addf(&sql, " ORDER BY k1, k2 LIMIT ?%zu OFFSET ?%zu", np + 2, np + 3);
    sqlite3_stmt *st = NULL;
    int rc = prepare_sql(s, &st, &sql, ent, where, err);
    es_buf_dispose(&sql);
    if (rc) {
        es_buf_dispose(&shape);
        return rc;
    }
    sqlite3_bind_int64(st, (int)np + 2, top < 0 ? -1 : top);
    sqlite3_bind_int64(st, (int)np + 3, c || skip < 0 ? 0 : skip);
    if (c) {
        sqlite3_bind_value(st, (int)np + 4, c->k1);
        sqlite3_bind_value(st, (int)np + 5, c->k2);
    }
    int64_t n = 0;
    sqlite3_value *k1 = NULL, *k2 = NULL;
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = db_err(s, err, "list");
            break;
        }
        struct sim_row r;
        column_row(st, &r);
        if (++n == top) { /* the last row of a full page */
            k1 = sqlite3_value_dup(sqlite3_column_value(st, 2));
            k2 = sqlite3_value_dup(sqlite3_column_value(st, 3));
        }
        rc = cb(&r, ctx);
        if (rc)
            break;
    }
    sqlite3_finalize(st);
    if (!rc && k1 && k2) {
        cursor_save(s, c, &shape, (skip < 0 ? 0 : skip) + top, k1, k2);
    } else {
        sqlite3_value_free(k1);
        sqlite3_value_free(k2);
    }
    es_buf_dispose(&shape);
    return rc;
}

int64_t sim_store_count(struct sim_store *s, const char *ent, const struct sim_sqlq *where,
                        struct es_err *err)
{
    struct es_buf sql;
    es_buf_init(&sql, 0);
    es_buf_adds(&sql, "SELECT count(*) FROM rec");
    add_where(&sql, where);
    sqlite3_stmt *st = NULL;
    int64_t n = prepare_sql(s, &st, &sql, ent, where, err);
    es_buf_dispose(&sql);
    if (n)
        return n;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        n = db_err(s, err, "count");
    sqlite3_finalize(st);
    return n;
}

int sim_store_put(struct sim_store *s, const struct sim_row *row, struct es_err *err)
{
    s->gen++;
    sqlite3_stmt *st = s->bulk ? s->bulk_ins : s->ins;
    sqlite3_bind_text(st, 1, row->ent, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->id, -1, SQLITE_STATIC);
    bind_key(st, 3, &row->k1);
    bind_key(st, 4, row->k2.s || row->k2.is_int ? &row->k2 : NULL);
    sqlite3_bind_int64(st, 5, row->created);
    sqlite3_bind_int64(st, 6, row->modified);
    sqlite3_bind_blob(st, 7, row->body, (int)row->body_n, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int out = 0;
    if (rc == SQLITE_CONSTRAINT)
        out = es_err_set(err, ES_ECONFLICT, "store: a %s with that key exists", row->ent);
    else if (rc != SQLITE_DONE)
        out = db_err(s, err, "write");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

int sim_store_delete(struct sim_store *s, const char *id, struct es_err *err)
{
    s->gen++;
    sqlite3_bind_text(s->del, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->del);
    sqlite3_reset(s->del);
    if (rc != SQLITE_DONE)
        return db_err(s, err, "delete");
    return sqlite3_changes(s->db) > 0;
}

int64_t sim_store_next(struct sim_store *s, const char *seq, int64_t start, struct es_err *err)
{
    sqlite3_bind_text(s->seq_get, 1, seq, -1, SQLITE_STATIC);
    int64_t v = start;
    if (sqlite3_step(s->seq_get) == SQLITE_ROW)
        v = sqlite3_column_int64(s->seq_get, 0) + 1;
    sqlite3_reset(s->seq_get);
    sqlite3_bind_text(s->seq_set, 1, seq, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->seq_set, 2, v);
    int rc = sqlite3_step(s->seq_set);
    sqlite3_reset(s->seq_set);
    if (rc != SQLITE_DONE)
        return db_err(s, err, "sequence");
    return v;
}

int sim_store_bulk_begin(struct sim_store *s, struct es_err *err)
{
    s->bulk = 1;
    return exec(s, "DROP INDEX IF EXISTS rec_id; DROP INDEX IF EXISTS rec_mod;"
                   "PRAGMA synchronous=OFF", err);
}

int sim_store_bulk_end(struct sim_store *s, struct es_err *err)
{
    s->bulk = 0;
    return exec(s, SECONDARY_INDEXES "PRAGMA synchronous=NORMAL", err);
}

int sim_store_seq_set(struct sim_store *s, const char *seq, int64_t last, struct es_err *err)
{
    sqlite3_bind_text(s->seq_set, 1, seq, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->seq_set, 2, last);
    int rc = sqlite3_step(s->seq_set);
    sqlite3_reset(s->seq_set);
    return rc == SQLITE_DONE ? 0 : db_err(s, err, "sequence");
}

char *sim_store_meta_get(struct sim_store *s, const char *key)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key=?1", -1, &st, NULL))
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = es_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int sim_store_meta_set(struct sim_store *s, const char *key, const char *value,
                       struct es_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                           "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                           -1, &st, NULL))
        return db_err(s, err, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(s, err, "meta");
    sqlite3_finalize(st);
    return rc;
}

int sim_store_stats(struct sim_store *s, struct es_buf *out, struct es_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT ent, count(*) FROM rec GROUP BY ent ORDER BY ent", -1,
                           &st, NULL))
        return db_err(s, err, "stats");
    while (sqlite3_step(st) == SQLITE_ROW)
        es_buf_addf(out, "%s %lld\n", sqlite3_column_text(st, 0),
                    (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    return 0;
}
