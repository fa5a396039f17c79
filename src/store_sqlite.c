/* The SQLite backend of the store: WAL, prepared statements cached by the
 * address of their SQL text; the run lock is a flock on a file beside the
 * database. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "erpsync/buf.h"
#include "erpsync/mem.h"
#include "store_ops.h"

#define CACHE 256 /* a power of two */

struct cached {
    const char *sql;
    sqlite3_stmt *st;
};

struct db {
    sqlite3 *h;
    struct cached cache[CACHE];
    char *path;  /* the database file */
    int lock_fd; /* the run lock's file while held, else -1 */
};

/* The statement (its start: a long INSERT would leave no room) and
 * SQLite's reason after it. */
static int db_err(struct db *d, struct es_err *err, const char *what)
{
    int n = (int)strlen(what);
    return es_err_set(err, ES_EDB, "sqlite: %.*s%s: %s", n > 160 ? 160 : n, what,
                      n > 160 ? "..." : "", sqlite3_errmsg(d->h));
}

/* A new store holds the ERP's data and the application's: create it for
 * its owner alone, whatever the umask (SQLite makes the WAL and its index
 * with the database's mode). An existing file keeps the mode it has; if
 * the file cannot be made here, sqlite3_open_v2 says why. */
static void create_private(const char *path)
{
    if (!strcmp(path, ":memory:"))
        return;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    fchmod(fd, 0600); /* should it fail, 0600 less the umask is private still */
    close(fd);
}

static int sq_open(void **out, const char *path, struct es_err *err)
{
    create_private(path);
    struct db *d = es_xcalloc(1, sizeof(*d));
    d->path = es_xstrdup(path);
    d->lock_fd = -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
        es_err_set(err, ES_EDB, "sqlite: cannot open %s: %s", path,
                   d->h ? sqlite3_errmsg(d->h) : "out of memory");
        sqlite3_close(d->h);
        free(d->path);
        free(d);
        return ES_EDB;
    }
    sqlite3_busy_timeout(d->h, 10000);
    char *msg = NULL;
    if (sqlite3_exec(d->h,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                     "PRAGMA cache_size=-8192;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        es_err_set(err, ES_EDB, "sqlite: %s: %s", path, msg ? msg : "cannot set up");
        sqlite3_free(msg);
        sqlite3_close(d->h);
        free(d->path);
        free(d);
        return ES_EDB;
    }
    *out = d;
    return 0;
}

static void sq_close(void *vd)
{
    struct db *d = vd;
    if (!d)
        return;
    for (int i = 0; i < CACHE; i++)
        sqlite3_finalize(d->cache[i].st);
    sqlite3_close(d->h);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the lock */
    free(d->path);
    free(d);
}

static int sq_script(void *vd, const char *sql, struct es_err *err)
{
    struct db *d = vd;
    char *msg = NULL;
    if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        es_err_set(err, ES_EDB, "sqlite: %s", msg ? msg : sqlite3_errmsg(d->h));
        sqlite3_free(msg);
        return ES_EDB;
    }
    return 0;
}

static sqlite3_stmt *prepared(struct db *d, const char *sql, int *owned, struct es_err *err)
{
    *owned = 0;
    uintptr_t h = ((uintptr_t)sql >> 4) * 2654435761u;
    for (int i = 0; i < CACHE; i++) {
        struct cached *c = &d->cache[(h + (uintptr_t)i) & (CACHE - 1)];
        if (c->sql == sql)
            return c->st;
        if (c->sql)
            continue;
        if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->st, NULL)) {
            db_err(d, err, sql);
            c->st = NULL;
            return NULL;
        }
        c->sql = sql;
        return c->st;
    }
    /* The cache is full: a statement of its own, finalized by the caller. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL))
        db_err(d, err, sql);
    *owned = 1;
    return st;
}

static int step_all(struct db *d, sqlite3_stmt *st, const char *sql, const char *const *params,
                    int nparams, es_store_row_cb cb, void *ctx, struct es_err *err)
{
    for (int i = 0; i < nparams; i++) {
        if (params[i])
            sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    int rc = 0, step;
    const char *vals[64];
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        if (n > 64)
            n = 64;
        for (int i = 0; i < n; i++)
            vals[i] = (const char *)sqlite3_column_text(st, i);
        if (cb && (rc = cb(ctx, n, vals)))
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_err(d, err, sql);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_run(void *vd, const char *sql, const char *const *params, int nparams,
                  es_store_row_cb cb, void *ctx, struct es_err *err)
{
    struct db *d = vd;
    int owned;
    sqlite3_stmt *st = prepared(d, sql, &owned, err);
    if (!st)
        return ES_EDB;
    int rc = step_all(d, st, sql, params, nparams, cb, ctx, err);
    if (owned)
        sqlite3_finalize(st);
    return rc;
}

static int sq_run_once(void *vd, const char *sql, const char *const *params, int nparams,
                       es_store_row_cb cb, void *ctx, struct es_err *err)
{
    struct db *d = vd;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL))
        return db_err(d, err, sql);
    int rc = step_all(d, st, sql, params, nparams, cb, ctx, err);
    sqlite3_finalize(st);
    return rc;
}

static long sq_changes(void *vd)
{
    return sqlite3_changes(((struct db *)vd)->h);
}

/* Replaced, not kept: a trigger's text changes with erpsync (its own
 * bookkeeping on a pending row, such as the ERP's new time or a key changed
 * in Acumatica, must not stamp the row as the application's change). */
static void sq_triggers(struct es_buf *b, const char *t)
{
    static const char now[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    es_buf_addf(b,
                "DROP TRIGGER IF EXISTS %s_app_insert;"
                "CREATE TRIGGER %s_app_insert AFTER INSERT ON %s"
                " WHEN NEW.sync_status = 'pending' AND NEW.app_modified IS NULL"
                " BEGIN UPDATE %s SET app_modified = %s WHERE id = NEW.id; END;",
                t, t, t, t, now);
    es_buf_addf(b,
                "DROP TRIGGER IF EXISTS %s_app_update;"
                "CREATE TRIGGER %s_app_update AFTER UPDATE ON %s"
                " WHEN NEW.sync_status = 'pending' AND NEW.app_modified IS OLD.app_modified"
                " AND NEW.last_error IS OLD.last_error"
                " AND NEW.next_attempt_ms IS OLD.next_attempt_ms"
                " AND NEW.erp_modified IS OLD.erp_modified AND NEW.erp_key IS OLD.erp_key"
                " BEGIN UPDATE %s SET app_modified = %s WHERE id = NEW.id; END;",
                t, t, t, t, now);
}

/* ---- the run lock ---- */

/* What the lock file says: "<pid> <since>\n"; zeros when it says nothing
 * (its holder is just writing it). */
static void read_holder(int fd, struct es_store_holder *h)
{
    char text[96];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    h->pid = 0;
    h->since[0] = '\0';
    if (n <= 0)
        return;
    text[n] = '\0';
    char *end;
    long pid = strtol(text, &end, 10);
    if (end == text || *end != ' ' || pid <= 0)
        return;
    h->pid = pid;
    snprintf(h->since, sizeof(h->since), "%.*s", (int)strcspn(end + 1, "\n"), end + 1);
}

static int write_holder(int fd, const char *since)
{
    char text[96];
    int n = snprintf(text, sizeof(text), "%ld %s\n", (long)getpid(), since);
    if (n < 0 || n >= (int)sizeof(text) || ftruncate(fd, 0) || pwrite(fd, text, (size_t)n, 0) != n)
        return -1;
    return 0;
}

/* flock on "<database>.lock": the kernel releases it when the process
 * ends, however it ends. An in-memory database is nobody else's. */
static int sq_lock(void *vd, const char *since, struct es_store_holder *holder, struct es_err *err)
{
    struct db *d = vd;
    if (d->lock_fd >= 0 || !strcmp(d->path, ":memory:") || !d->path[0])
        return 0;
    char file[4096];
    if (snprintf(file, sizeof(file), "%s.lock", d->path) >= (int)sizeof(file))
        return es_err_set(err, ES_EIO, "%s: the path is too long for its lock file", d->path);
    int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return es_err_set(err, ES_EIO, "%s: cannot open: %s", file, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        int e = errno;
        read_holder(fd, holder);
        close(fd);
        if (e == EWOULDBLOCK)
            return ES_ECONFLICT; /* the caller names the holder */
        return es_err_set(err, ES_EIO, "%s: cannot lock: %s", file, strerror(e));
    }
    if (write_holder(fd, since)) {
        int e = errno;
        close(fd);
        return es_err_set(err, ES_EIO, "%s: cannot write: %s", file, strerror(e));
    }
    d->lock_fd = fd;
    return 0;
}

const struct es_store_ops es_store_sqlite = {
    .name = "sqlite",
    .pk_decl = "INTEGER PRIMARY KEY",
    .open = sq_open,
    .close = sq_close,
    .script = sq_script,
    .run = sq_run,
    .run_once = sq_run_once,
    .changes = sq_changes,
    .inventory_sql = "SELECT type, tbl_name, name FROM sqlite_master WHERE type IN ('table',"
                     " 'index', 'trigger') UNION ALL SELECT 'column', m.name, p.name FROM"
                     " sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'",
    .schema_changes_sql = "PRAGMA schema_version",
    .begin_write_sql = "BEGIN IMMEDIATE",
    .app_modified_triggers = sq_triggers,
    .lock = sq_lock,
};
