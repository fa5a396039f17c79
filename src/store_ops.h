/* The store's backend interface (private to the core): a backend runs SQL
 * written with ?1..?N placeholders and text parameters. store.c holds all
 * the logic; store_sqlite.c (and PostgreSQL next) implement this. */
#ifndef ERPSYNC_STORE_OPS_H
#define ERPSYNC_STORE_OPS_H

#include "erpsync/buf.h"
#include "erpsync/err.h"
#include "erpsync/store.h"

struct es_store_ops {
    const char *name;
    /* The column declaration of a table's surrogate key. */
    const char *pk_decl;
    int (*open)(void **db, const char *target, struct es_err *err);
    void (*close)(void *db);
    /* A script of statements without parameters (DDL). */
    int (*script)(void *db, const char *sql, struct es_err *err);
    /* One statement; params are text (NULL: SQL NULL). Rows go to cb when
     * given. sql must stay valid while the store is open: backends cache
     * the prepared statement by its address. */
    int (*run)(void *db, const char *sql, const char *const *params, int nparams,
               es_store_row_cb cb, void *ctx, struct es_err *err);
    /* The same for SQL that may not outlive the call: nothing is cached. */
    int (*run_once)(void *db, const char *sql, const char *const *params, int nparams,
                    es_store_row_cb cb, void *ctx, struct es_err *err);
    /* A query listing what the store holds, rows of (type, table, name):
     * ('table', T, T), ('column', T, C), ('index', T, I), ('trigger', T, G). */
    const char *inventory_sql;
    /* Begins a transaction that writes, taking the write lock at once. */
    const char *begin_write_sql;
    /* A query answering one value that changes whenever the schema does
     * (any DDL, by erpsync or by hand). */
    const char *schema_changes_sql;
    /* Append the DDL that makes (or replaces) the triggers that stamp
     * app_modified (UTC ISO) on a row the application marks pending
     * (insert, or an update that is not erpsync's own bookkeeping). */
    void (*app_modified_triggers)(struct es_buf *out, const char *table);
    /* Rows changed by the last run(). */
    long (*changes)(void *db);
    /* The run lock, taken without waiting and held until close (or the
     * process's end, however it ends). 0 with since_utc and this process's
     * id recorded for others to read; ES_ECONFLICT with holder filled when
     * another process holds it; ES_EIO when it cannot be taken. */
    int (*lock)(void *db, const char *since_utc, struct es_store_holder *holder,
                struct es_err *err);
};

extern const struct es_store_ops es_store_sqlite;

#endif
