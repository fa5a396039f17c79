/* The application database: one table per record set (columns from the
 * mapping, snake_case) with detail tables, and on every synced row the ERP
 * key, the ERP id (the External ID), the ERP and app modified times, the
 * sync status, the last error and the attempts. Also erpsync's own tables
 * (es_*): per-set sync state (watermark, resumable window), run history,
 * failures, settings, schema version. See docs/schema.md.
 *
 * The SQL is written once; a backend (store_sqlite.c; PostgreSQL next)
 * runs it behind struct es_store_ops. Not thread-safe: one store per
 * thread. Strings passed in are copied or used during the call only. */
#ifndef ERPSYNC_STORE_H
#define ERPSYNC_STORE_H

#include <stdint.h>

#include "erpsync/arena.h"
#include "erpsync/err.h"
#include "erpsync/map.h"

struct es_store;

/* Open "sqlite:PATH" and bring its schema up to date (migrations run in a
 * transaction; a newer schema than this program knows is refused). */
int es_store_open(struct es_store **out, const char *url, struct es_err *err);
void es_store_close(struct es_store *s);
/* The schema version this program writes. */
int es_store_schema_version(void);

int es_store_begin(struct es_store *s, struct es_err *err);
int es_store_commit(struct es_store *s, struct es_err *err);
void es_store_rollback(struct es_store *s);

/* ---- synced records ---- */

enum es_outcome {
    ES_CREATED,
    ES_UPDATED,
    ES_UNCHANGED,
    ES_HELD, /* the application changed the row and has not pushed it: kept, noted */
    ES_REKEYED, /* the row of its id had another key (changed in Acumatica): moved, updated */
};

/* A record the application changed too (pending, or pushed without an
 * answer): the caller decides (es_store_resolve). */
struct es_held {
    char id[24];
    char app_modified[40]; /* "" when unknown */
};

/* Insert or update one record and replace its detail rows. now_utc is the
 * run's time (ISO UTC) for synced_at. likely_new: the caller expects an
 * insert (an initial load): it is tried first, saving a lookup. When the
 * row is the application's changed one, nothing is written: ES_HELD, and
 * held (when given) says which row; without held the row gets a note. */
int es_store_put(struct es_store *s, const struct es_mapping *m, const struct es_record *r,
                 const char *now_utc, int likely_new, enum es_outcome *out, struct es_held *held,
                 struct es_err *err);

/* The ERP's record r was read and its synced content is the row's: its
 * modified time (and id) are recorded, nothing else. */
int es_store_touch(struct es_store *s, const struct es_mapping *m, int64_t id,
                   const struct es_record *r, struct es_err *err);

/* A conflict decided: recorded in es_conflicts with both versions, the
 * times compared and the reason; when the ERP wins its record replaces the
 * row (synced), when the application wins the row stays to be pushed. */
int es_store_resolve(struct es_store *s, const struct es_mapping *m, const struct es_held *held,
                     const struct es_record *r, int erp_wins, const char *reason,
                     const char *erp_time, int64_t run_id, const char *now_utc,
                     struct es_err *err);

/* Reconciliation: the keys the ERP listed are collected with their
 * modified times (erp_modified may be NULL), then every row of the set
 * not among them (and, for documents, dated on or after date_from, a date
 * "YYYY-MM-DD", when given) is marked deleted. */
int es_store_seen_reset(struct es_store *s, struct es_err *err);
int es_store_seen_add(struct es_store *s, const char *erp_key, const char *erp_modified,
                      struct es_err *err);
/* The keys listed with a modified time before before_utc that no live row
 * holds with that time: records the windows missed (late commits) or that
 * changed since. In the arena, key order. */
int es_store_seen_stale(struct es_store *s, const struct es_mapping *m, const char *before_utc,
                        struct es_arena *a, char ***out, int *n, struct es_err *err);
int es_store_mark_unseen_deleted(struct es_store *s, const struct es_mapping *m,
                                 const char *date_from, const char *now_utc, long *count,
                                 struct es_err *err);

/* About how many rows a table has (for progress): cheap, not exact. */
int es_store_estimate(struct es_store *s, const char *table, long *out);
/* Rows of a table, and of those, how many have a status. */
int es_store_count(struct es_store *s, const char *table, const char *status, long *out,
                   struct es_err *err);

/* ---- the push ---- */

/* A row to push. Strings live in the arena given. */
struct es_push_row {
    int64_t id;
    char *erp_key;      /* NULL: not in Acumatica yet */
    char *status;       /* "pending", or "unknown" (sent, no answer) */
    long attempts;
    char *app_modified;
    char *erp_modified; /* the ERP's time of the version last read */
    char *erp_hash;     /* the content hash of the version last synced */
    int sent;           /* sent before (it may be in Acumatica even when it failed) */
    const char **vals;  /* the mapping's columns */
};

/* Up to limit rows to push (pending or unknown, retry time come) with an id
 * after after_id, in id order. */
int es_store_push_rows(struct es_store *s, const struct es_mapping *m, int64_t now_ms,
                       int64_t after_id, int limit, struct es_arena *a, struct es_push_row **out,
                       int *n, struct es_err *err);
/* The rows of detail table number detail of a record, in order. */
int es_store_detail_rows(struct es_store *s, const struct es_mapping *m, int detail, int64_t parent,
                         struct es_arena *a, struct es_row **out, int *n, struct es_err *err);
/* A row's push state: status, note (NULL clears it), attempts, next retry
 * (0: none), and one more column to set (the external reference), or
 * set_col NULL. */
int es_store_push_mark(struct es_store *s, const struct es_mapping *m, int64_t id,
                       const char *status, const char *note, long attempts,
                       int64_t next_attempt_ms, const char *set_col, const char *set_value,
                       const char *now_utc, struct es_err *err);
/* Mark rows to be pushed again. key names one row: its ERP key
 * ("SO|000041"), its key or order number, its external reference, or
 * "id:N"; NULL (failed_only only) every failed row; "" nothing.
 * failed_only: just failed rows, their change time kept and a note saying
 * they were marked again (erpsync retry); else synced, failed or pending
 * rows, changed now (erpsync export). A row whose push has an unknown
 * outcome is never marked: it is looked up first. changed: rows. */
int es_store_mark_pending(struct es_store *s, const struct es_mapping *m, const char *key,
                          int failed_only, const char *now_utc, long *changed,
                          struct es_err *err);
/* The application's row id is the ERP's record r: its key, id, values and
 * details are written, status synced. Another row holding r's key gives
 * way only when it is a plain copy of the same ERP record (the same id,
 * synced or deleted: pulled meanwhile); a row holding the key for another
 * record or the application's change, or r's id under another key, makes
 * it ES_ECONFLICT saying which row, and nothing is written (a broken or
 * hostile answer never deletes or overwrites rows). es_store_adopt_check
 * asks the same without writing. */
int es_store_adopt_check(struct es_store *s, const struct es_mapping *m, int64_t id,
                         const struct es_record *r, struct es_err *err);
int es_store_adopt(struct es_store *s, const struct es_mapping *m, int64_t id,
                   const struct es_record *r, const char *now_utc, struct es_err *err);

struct es_store_found {
    int found;
    char status[16], erp_key[256], id[24];
    char note[ES_ERR_MSG + 128]; /* a push's note holds an error message and more */
};
/* The first live row of table whose col equals value. */
int es_store_find(struct es_store *s, const char *table, const char *col, const char *value,
                  struct es_store_found *out, struct es_err *err);
/* Rows whose sync_status is none of erpsync's states (the application
 * wrote 'PENDING', 'todo'): how many, and "'PENDING' 2, 'todo' 1" (the first
 * ten distinct) in out. Such rows are never pushed; callers report them. */
int es_store_odd_statuses(struct es_store *s, const struct es_mapping *m, char *out, size_t cap,
                          long *n, struct es_err *err);
/* Rows the application created that Acumatica does not know yet. */
int es_store_app_rows(struct es_store *s, const char *table, long *out, struct es_err *err);

/* ---- per-set sync state ---- */

struct es_set_state {
    int64_t watermark_ms;    /* everything modified before this is in; 0: never synced */
    int in_progress;         /* a window is being read (resume it) */
    int64_t window_lo_ms;    /* 0: no lower bound (a full pull) */
    int64_t window_hi_ms;
    char after_key[256];     /* keyset position: the last key committed */
    int full;                /* the window is a full pull */
    int64_t run_id;          /* the run that opened the window */
    long fetched;            /* records fetched in the window so far */
    int64_t last_full_ms;    /* end of the last complete full pull */
    int64_t last_reconcile_ms;
    long last_repaired;      /* records the last reconciliation fetched again */
};

/* Missing state reads as all zeros. */
int es_store_state_get(struct es_store *s, const char *set, struct es_set_state *out,
                       struct es_err *err);
int es_store_state_put(struct es_store *s, const char *set, const struct es_set_state *st,
                       struct es_err *err);

/* ---- runs ---- */

struct es_counts {
    long fetched, created, updated, unchanged, deleted, failed, held, requests;
    long pushed;      /* application records now in Acumatica */
    long push_failed; /* refused by Acumatica (the row says why) */
    long waiting;     /* pushes waiting: a dependency, or a retry after trouble */
    long conflicts;   /* both sides changed: decided, and recorded */
    long erp_won;     /* of them, decided for Acumatica's version */
    long repaired;    /* found changed by reconciliation (late commits), fetched again */
    long rekeyed;     /* of the updated, records whose key was changed in Acumatica */
};

int es_store_run_start(struct es_store *s, const char *mode, const char *now_utc, int64_t *id,
                       struct es_err *err);
int es_store_run_set(struct es_store *s, int64_t run, const char *set, const struct es_counts *c,
                     const char *error, struct es_err *err);
/* status: "ok", "failed" (some records failed), "error", "interrupted". */
int es_store_run_end(struct es_store *s, int64_t run, const char *status, const char *message,
                     const char *now_utc, long duration_ms, long requests, struct es_err *err);
/* A record that could not be synced, with the reason. */
int es_store_failure(struct es_store *s, int64_t run, const char *set, const char *erp_key,
                     const char *message, const char *now_utc, struct es_err *err);

/* The run lock: one run at a time on a store. Taken without waiting and
 * held until es_store_close; a process that dies (kill -9) holds nothing.
 * 0, or ES_ECONFLICT when another run holds it (holder says which process
 * and since when; the message names them), or ES_EIO. */
struct es_store_holder {
    long pid;       /* 0: not known (it has just taken the lock) */
    char since[40]; /* ISO UTC, "" when not known */
};
int es_store_lock(struct es_store *s, const char *since_utc, struct es_store_holder *holder,
                  struct es_err *err);
/* Runs still recorded as running, now that this one holds the lock, ended
 * without finishing (killed): marked interrupted with a note. n: how many. */
int es_store_runs_interrupted(struct es_store *s, long *n, struct es_err *err);

/* ---- settings (kept in the store so the admin page can change them) ---- */

/* out empty when unset. */
int es_store_setting_get(struct es_store *s, const char *key, char *out, size_t cap,
                         struct es_err *err);
int es_store_setting_set(struct es_store *s, const char *key, const char *value,
                         struct es_err *err);

/* ---- reading back, for the CLI ---- */

/* Calls cb for every row of a query over erpsync's tables; vals are the
 * columns as text (NULL for SQL NULL), valid during the call. params may
 * be NULL. */
typedef int (*es_store_row_cb)(void *ctx, int ncols, const char *const *vals);
int es_store_query(struct es_store *s, const char *sql, const char *const *params, int nparams,
                   es_store_row_cb cb, void *ctx, struct es_err *err);

#endif
