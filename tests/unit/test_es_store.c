/* erpsync's store on SQLite: migrations, the outcomes of a put, held rows,
 * deletions by reconciliation and their scope, sync state and runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "erpsync/store.h"

static char path[256], url[300];

static int make_path(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/es-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    return 0;
}

static void remove_db(void)
{
    char p[300];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static int cleanup(void **state)
{
    (void)state;
    remove_db();
    return 0;
}

static struct es_store *open_store(void)
{
    struct es_store *s;
    struct es_err err = {0};
    if (es_store_open(&s, url, &err))
        fail_msg("%s", err.msg);
    return s;
}

/* A customer record as the mapping would make it. */
static void customer(struct es_record *r, const char **vals, const char *key, const char *name,
                     uint64_t hash)
{
    const struct es_mapping *m = es_map_get(ES_SET_CUSTOMERS);
    memset(r, 0, sizeof(*r));
    size_t n = 0;
    while (m->cols[n].name)
        n++;
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    vals[0] = key;  /* customer_id */
    vals[1] = name; /* name */
    /* Each key its own id (a record whose id is stored under another key
     * would be a key changed in Acumatica). */
    static char ids[16][40];
    static int next;
    char *id = ids[next++ % 16];
    uint32_t h = 2166136261u;
    for (const char *k = key; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    snprintf(id, sizeof(ids[0]), "0dad3007-c8a5-41ca-a187-%012x", h);
    r->erp_key = (char *)key;
    r->erp_id = id;
    r->erp_modified = "2024-05-05T00:00:00.000Z";
    r->row.vals = vals;
    r->row.n = n;
    r->hash = hash;
}

static long scalar(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The first column of the first row as text (a static buffer). */
static const char *scalar_text(const char *sql)
{
    static char out[256];
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void put(struct es_store *s, struct es_record *r, int likely_new, enum es_outcome want)
{
    enum es_outcome o;
    struct es_err err = {0};
    if (es_store_put(s, es_map_get(ES_SET_CUSTOMERS), r, "2024-05-06T00:00:00.000Z", likely_new,
                     &o, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(o, want);
}

static void migrations_make_every_table_once(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    es_store_close(s);
    s = open_store(); /* again: nothing to do */
    es_store_close(s);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT value FROM es_meta WHERE key = 'schema_version'");
    assert_int_equal(scalar(sql), es_store_schema_version());
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('customers',"
                            " 'customer_addresses', 'sales_order_lines', 'es_runs', 'es_state')"),
                     5);
    /* A version 1 store (before the push) is brought up to date. */
    exec_sql("UPDATE es_meta SET value = '1' WHERE key = 'schema_version';"
             "DROP TRIGGER customers_app_update; ALTER TABLE customers DROP COLUMN next_attempt_ms;"
             "DROP TABLE es_conflicts;");
    s = open_store();
    es_store_close(s);
    assert_int_equal(scalar(sql), es_store_schema_version());
    assert_int_equal(scalar("SELECT count(*) FROM pragma_table_info('customers')"
                            " WHERE name = 'next_attempt_ms'"),
                     1);
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE name IN"
                            " ('customers_app_update', 'es_conflicts')"),
                     2);
    /* A version 2 store held calendar dates as UTC instants: one full pull
     * rewrites them. A store never synced needs none. */
    assert_int_equal(scalar("SELECT count(*) FROM es_settings WHERE key = 'full_sync_next_run'"
                            " AND value = '1'"),
                     0);
    exec_sql("UPDATE es_meta SET value = '2' WHERE key = 'schema_version';"
             "INSERT INTO es_state(set_name, watermark_ms) VALUES('sales_orders', 5)");
    s = open_store();
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM es_settings WHERE key = 'full_sync_next_run'"
                            " AND value = '1'"),
                     1);
    /* Its pending rows' hashes were made over the old date form: unknown
     * now, so the first comparison goes by the ERP's time, not by a hash
     * that would call every edit a conflict. */
    exec_sql("UPDATE es_meta SET value = '2' WHERE key = 'schema_version';"
             "INSERT INTO sales_orders(erp_key, order_type, order_nbr, sync_status, erp_hash,"
             " date) VALUES('SO|000001', 'SO', '000001', 'pending', '00000000deadbeef',"
             " '2026-09-18T22:00:00.000Z'), ('SO|000002', 'SO', '000002', 'synced',"
             " '00000000deadbeef', '2026-09-18T22:00:00.000Z')");
    s = open_store();
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM sales_orders WHERE erp_hash IS NULL"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM sales_orders WHERE erp_key = 'SO|000001' AND"
                            " erp_hash IS NULL"),
                     1);
    /* A newer store than this program: refused, not damaged. */
    exec_sql("UPDATE es_meta SET value = '999' WHERE key = 'schema_version'");
    struct es_store *t;
    struct es_err err = {0};
    assert_int_equal(es_store_open(&t, url, &err), ES_EDB);
    assert_non_null(strstr(err.msg, "schema version 999"));
    remove_db();
}

/* A store that lacks tables or columns the sets need (a set added to
 * erpsync since, or a table dropped by hand) gets them when opened, at the
 * same schema version, and keeps its rows. */
static void opening_creates_missing_tables_and_columns(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    es_store_close(s);
    exec_sql("INSERT INTO customers(erp_key, customer_id, name) VALUES('C1', 'C1', 'Kept');"
             "DROP TABLE appointment_lines; DROP TABLE appointments;"
             "ALTER TABLE customers DROP COLUMN terms;"
             "DROP TRIGGER customers_app_insert;");
    s = open_store();
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('appointments',"
                            " 'appointment_lines', 'appointments_status', 'appointments_app_update',"
                            " 'customers_app_insert')"),
                     5);
    assert_int_equal(scalar("SELECT count(*) FROM pragma_table_info('customers')"
                            " WHERE name = 'terms'"),
                     1);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE name = 'Kept'"), 1);
    remove_db();
}

/* A key changed in Acumatica moves one row, the live one, even when an
 * older store holds a deleted row with the same id; and erpsync's own
 * bookkeeping on a pending row (a new ERP time) leaves the application's
 * change time alone. */
static void a_rekey_moves_one_row_and_keeps_the_app_time(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    const char *vals[64];
    struct es_record r;
    customer(&r, vals, "C1", "One", 1);
    char id[64];
    snprintf(id, sizeof(id), "%s", r.erp_id);
    put(s, &r, 0, ES_CREATED);
    es_store_close(s);
    char sql[300];
    snprintf(sql, sizeof(sql),
             "INSERT INTO customers(erp_key, erp_id, customer_id, sync_status) VALUES('OLD', '%s',"
             " 'OLD', 'deleted')",
             id);
    exec_sql(sql);
    s = open_store();
    customer(&r, vals, "C9", "One", 3);
    r.erp_id = id;
    put(s, &r, 0, ES_REKEYED);
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE erp_key = 'C9' AND"
                            " sync_status = 'synced'"),
                     1);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE erp_key = 'OLD'"), 1);
    exec_sql("UPDATE customers SET name = 'Mine', sync_status = 'pending',"
             " app_modified = '2024-01-01T00:00:00.000Z' WHERE erp_key = 'C9'");
    s = open_store();
    r.erp_modified = "2024-06-01T00:00:00.000Z"; /* touched in Acumatica, same content */
    put(s, &r, 0, ES_UNCHANGED);
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE erp_key = 'C9' AND"
                            " app_modified = '2024-01-01T00:00:00.000Z' AND"
                            " erp_modified = '2024-06-01T00:00:00.000Z'"),
                     1);
    remove_db();
}

/* What an answer may take over: a row of the same ERP record (its id)
 * that holds nothing of the application's; never a row holding another
 * record, or the application's refused or unanswered change. */
static void adopt_takes_over_only_a_plain_copy(void **state)
{
    (void)state;
    static const struct {
        const char *holder_status;
        int same_id, ok;
        const char *sent; /* when the application's row was sent */
    } cases[] = {
        {"synced", 1, 1, "2024-05-01T00:00:00.000Z"},
        {"deleted", 1, 1, "2024-05-01T00:00:00.000Z"},
        {"pending", 1, 0, "2024-05-01T00:00:00.000Z"},
        {"failed", 1, 0, "2024-05-01T00:00:00.000Z"},
        {"unknown", 1, 0, "2024-05-01T00:00:00.000Z"},
        {"synced", 0, 0, "2024-05-01T00:00:00.000Z"},
        /* held before the send (the answer names an old record): stays */
        {"synced", 1, 0, "2024-05-09T00:00:00.000Z"},
    };
    const struct es_mapping *m = es_map_get(ES_SET_CUSTOMERS);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_store *s = open_store();
        const char *vals[64];
        struct es_record r;
        customer(&r, vals, "K1", "Pulled", 1);
        put(s, &r, 0, ES_CREATED);
        es_store_close(s);
        char sql[300];
        snprintf(sql, sizeof(sql),
                 "UPDATE customers SET sync_status = '%s'; INSERT INTO customers(sync_status,"
                 " customer_id, pushed_at) VALUES('unknown', 'K1-app', '%s')",
                 cases[i].holder_status, cases[i].sent);
        exec_sql(sql);
        s = open_store();
        long app = scalar("SELECT id FROM customers WHERE customer_id = 'K1-app'");
        if (!cases[i].same_id)
            r.erp_id = (char *)"0dad3007-c8a5-41ca-a187-000000000001";
        struct es_err err = {0};
        int rc = es_store_adopt(s, m, app, &r, "2024-05-07T00:00:00.000Z", &err);
        es_store_close(s);
        if (cases[i].ok != !rc)
            fail_msg("case %zu (%s holder): rc %d %s", i, cases[i].holder_status, rc, err.msg);
        assert_int_equal(scalar("SELECT count(*) FROM customers"), cases[i].ok ? 1 : 2);
        if (!cases[i].ok)
            assert_non_null(strstr(err.msg, "holds the key 'K1'"));
        remove_db();
    }
    /* An answer whose id another row holds under another key: refused. */
    struct es_store *s = open_store();
    const char *vals[64];
    struct es_record r;
    customer(&r, vals, "K2", "Pulled", 1);
    put(s, &r, 0, ES_CREATED);
    es_store_close(s);
    exec_sql("INSERT INTO customers(sync_status, customer_id) VALUES('unknown', 'K3')");
    s = open_store();
    long app = scalar("SELECT id FROM customers WHERE customer_id = 'K3'");
    customer(&r, vals, "K3", "Answer", 2);
    char other[64];
    snprintf(other, sizeof(other), "%s",
             scalar_text("SELECT erp_id FROM customers WHERE erp_key = 'K2'"));
    r.erp_id = other;
    struct es_err err = {0};
    assert_int_equal(es_store_adopt(s, m, app, &r, "2024-05-07T00:00:00.000Z", &err),
                     ES_ECONFLICT);
    es_store_close(s);
    assert_non_null(strstr(err.msg, "holds the id"));
    remove_db();
}

/* Processes opening a new store at once (two runs started together, a
 * run and `erpsync status`): each opens it, none fails on the other's
 * half-made schema, and it is made once. */
static void stores_opened_at_once_are_made_once(void **state)
{
    (void)state;
    remove_db();
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            struct es_store *s;
            struct es_err err = {0};
            int rc = es_store_open(&s, url, &err);
            if (rc)
                fprintf(stderr, "child %d: %s\n", i, err.msg);
            else
                es_store_close(s);
            _exit(rc ? 1 : 0);
        }
    }
    for (int i = 0; i < 4; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE name = 'customers'"), 1);
    remove_db();
}

static void puts_create_update_or_leave_alone(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    const char *vals[64];
    struct es_record r;
    customer(&r, vals, "C1", "One", 1);
    put(s, &r, 1, ES_CREATED);
    put(s, &r, 1, ES_UNCHANGED); /* likely new, but it is not: still right */
    put(s, &r, 0, ES_UNCHANGED);
    customer(&r, vals, "C1", "One Ltd", 2);
    put(s, &r, 0, ES_UPDATED);
    customer(&r, vals, "C2", "Two", 3);
    put(s, &r, 0, ES_CREATED);
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM customers"), 2);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE name = 'One Ltd'"), 1);
    remove_db();
}

/* A row the application changed and has not pushed is not overwritten. */
static void pending_rows_are_held(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    const char *vals[64];
    struct es_record r;
    customer(&r, vals, "C1", "One", 1);
    put(s, &r, 0, ES_CREATED);
    es_store_close(s);
    exec_sql("UPDATE customers SET name = 'Mine', sync_status = 'pending'");
    s = open_store();
    customer(&r, vals, "C1", "Theirs", 2);
    put(s, &r, 0, ES_HELD);
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE name = 'Mine' AND"
                            " sync_status = 'pending' AND last_error IS NOT NULL"),
                     1);
    remove_db();
}

static void unseen_rows_are_marked_deleted_never_dropped(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    const char *vals[64];
    struct es_record r;
    const char *keys[] = {"C1", "C2", "C3"};
    for (int i = 0; i < 3; i++) {
        customer(&r, vals, keys[i], "x", (uint64_t)i);
        put(s, &r, 0, ES_CREATED);
    }
    es_store_close(s);
    exec_sql("INSERT INTO customers(name, sync_status) VALUES('made by the app', 'pending')");
    s = open_store();
    struct es_err err = {0};
    long n = -1;
    assert_int_equal(es_store_seen_reset(s, &err), 0);
    assert_int_equal(es_store_seen_add(s, "C1", NULL, &err), 0);
    assert_int_equal(es_store_seen_add(s, "C3", NULL, &err), 0);
    assert_int_equal(es_store_mark_unseen_deleted(s, es_map_get(ES_SET_CUSTOMERS), NULL,
                                                  "2024-05-07T00:00:00.000Z", &n, &err),
                     0);
    assert_int_equal(n, 1);
    /* A deleted record that comes back is live again. */
    customer(&r, vals, "C2", "x", 1);
    put(s, &r, 0, ES_UPDATED);
    es_store_close(s);
    assert_int_equal(scalar("SELECT count(*) FROM customers"), 4);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE sync_status = 'deleted'"), 0);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE sync_status = 'pending'"), 1);
    remove_db();
}

static void state_and_runs_round_trip(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    struct es_err err = {0};
    struct es_set_state st = {.watermark_ms = 1714867200000LL, .in_progress = 1,
                              .window_lo_ms = 5, .window_hi_ms = 1714867200000LL,
                              .full = 1, .run_id = 7, .fetched = 1234,
                              .last_full_ms = 42, .last_reconcile_ms = 43};
    snprintf(st.after_key, sizeof(st.after_key), "SO|000123");
    assert_int_equal(es_store_state_put(s, "sales_orders", &st, &err), 0);
    struct es_set_state back;
    assert_int_equal(es_store_state_get(s, "sales_orders", &back, &err), 0);
    assert_memory_equal(&back, &st, sizeof(st));
    assert_int_equal(es_store_state_get(s, "never", &back, &err), 0);
    assert_int_equal(back.watermark_ms, 0);
    int64_t run;
    assert_int_equal(es_store_run_start(s, "initial", "2024-05-05T00:00:00.000Z", &run, &err), 0);
    assert_true(run > 0);
    struct es_counts c = {.fetched = 10, .created = 9, .failed = 1, .requests = 2};
    assert_int_equal(es_store_run_set(s, run, "customers", &c, NULL, &err), 0);
    assert_int_equal(es_store_failure(s, run, "customers", "C9", "CreditLimit: not a number",
                                      "2024-05-05T00:00:01.000Z", &err),
                     0);
    assert_int_equal(es_store_run_end(s, run, "failed", "1 record failed",
                                      "2024-05-05T00:00:02.000Z", 2000, 4, &err),
                     0);
    char v[16];
    assert_int_equal(es_store_setting_set(s, "full_sync_next_run", "1", &err), 0);
    assert_int_equal(es_store_setting_get(s, "full_sync_next_run", v, sizeof(v), &err), 0);
    assert_string_equal(v, "1");
    es_store_close(s);
    assert_int_equal(scalar("SELECT failed FROM es_run_sets WHERE set_name = 'customers'"), 1);
    assert_int_equal(scalar("SELECT requests FROM es_runs"), 4);
    assert_int_equal(scalar("SELECT count(*) FROM es_failures WHERE erp_key = 'C9'"), 1);
    remove_db();
}

static void bad_urls_are_refused(void **state)
{
    (void)state;
    struct es_store *s;
    struct es_err err = {0};
    assert_int_equal(es_store_open(&s, "postgresql://x", &err), ES_EINVAL);
    es_err_clear(&err);
    assert_int_equal(es_store_open(&s, "sqlite:", &err), ES_EINVAL);
    es_err_clear(&err);
    assert_int_equal(es_store_open(&s, "sqlite:/nonexistent-dir/x.db", &err), ES_EDB);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x.db"));
}

static long mark(struct es_store *s, enum es_set_id set, const char *key, int failed_only)
{
    long n = -1;
    struct es_err err = {0};
    if (es_store_mark_pending(s, es_map_get(set), key, failed_only, "2030-01-01T00:00:00.000Z",
                              &n, &err))
        fail_msg("%s", err.msg);
    return n;
}

/* erpsync export and retry: which rows they mark, by which names, and
 * that a row whose push has an unknown outcome is never marked. */
static void export_and_retry_mark_the_right_rows(void **state)
{
    (void)state;
    struct es_store *s = open_store();
    exec_sql("INSERT INTO customers(id, erp_key, customer_id, sync_status, app_modified) VALUES"
             " (1, 'C1', 'C1', 'synced', NULL), (2, 'C2', 'C2', 'failed', '2029-01-01T00:00:00Z'),"
             " (3, NULL, 'C3', 'unknown', NULL), (4, NULL, 'C4', 'failed', NULL),"
             " (5, 'C5', 'C5', 'deleted', NULL);"
             "INSERT INTO sales_orders(id, erp_key, order_type, order_nbr, customer_order,"
             " sync_status) VALUES (7, 'SO|000041', 'SO', '000041', 'WEB-7', 'failed'),"
             " (8, NULL, NULL, NULL, 'WEB-8', 'failed'), (9, NULL, NULL, NULL, 'WEB-9', 'failed');");
    /* export: a synced row by its key, stamped now. */
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "C1", 0), 1);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE id = 1 AND sync_status ="
                            " 'pending' AND app_modified = '2030-01-01T00:00:00.000Z'"),
                     1);
    /* never an unknown or deleted row; an unknown name marks nothing */
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "C3", 0), 0);
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "C5", 0), 0);
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "NOBODY", 0), 0);
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "id:3", 1), 0);
    /* retry of everything failed: its change time kept */
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, NULL, 1), 2);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE sync_status = 'pending' AND"
                            " app_modified = '2029-01-01T00:00:00Z'"),
                     1);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE sync_status = 'pending' AND"
                            " last_error = 'marked to push again (erpsync retry,"
                            " 2030-01-01T00:00:00.000Z)'"),
                     2);
    assert_int_equal(scalar("SELECT count(*) FROM customers WHERE sync_status = 'unknown'"), 1);
    assert_int_equal(mark(s, ES_SET_CUSTOMERS, "", 0), 0); /* an empty name: nothing */
    /* documents: by order number, ERP key, reference, or id:N */
    assert_int_equal(mark(s, ES_SET_SALES_ORDERS, "000041", 1), 1);
    assert_int_equal(mark(s, ES_SET_SALES_ORDERS, "SO|000041", 1), 0); /* pending now */
    assert_int_equal(mark(s, ES_SET_SALES_ORDERS, "WEB-8", 1), 1);
    assert_int_equal(mark(s, ES_SET_SALES_ORDERS, "id:9", 1), 1);
    assert_int_equal(scalar("SELECT count(*) FROM sales_orders WHERE sync_status = 'pending'"),
                     3);
    /* quotes share the entity, not the rows */
    assert_int_equal(mark(s, ES_SET_QUOTES, "WEB-7", 0), 0);
    es_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_make_every_table_once),
        cmocka_unit_test(opening_creates_missing_tables_and_columns),
        cmocka_unit_test(a_rekey_moves_one_row_and_keeps_the_app_time),
        cmocka_unit_test(adopt_takes_over_only_a_plain_copy),
        cmocka_unit_test(stores_opened_at_once_are_made_once),
        cmocka_unit_test(puts_create_update_or_leave_alone),
        cmocka_unit_test(pending_rows_are_held),
        cmocka_unit_test(unseen_rows_are_marked_deleted_never_dropped),
        cmocka_unit_test(state_and_runs_round_trip),
        cmocka_unit_test(bad_urls_are_refused),
        cmocka_unit_test(export_and_retry_mark_the_right_rows),
    };
    return cmocka_run_group_tests(tests, make_path, cleanup);
}
