/* acusim's records in SQLite: one row per top-level record with its key
 * values, NoteID, created and modified times as columns (indexed) and the
 * record itself as a packed document (doc.h). Also the name dictionary,
 * numbering sequences and settings.
 *
 * One connection, guarded by one mutex: callers bracket every use with
 * sim_store_lock/unlock. Row data handed to callbacks is valid only during
 * the callback. */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/err.h"
#include "filter.h"

struct sim_store;

/* A key value: integer keys (Contact) compare and sort as numbers. */
struct sim_key {
    int is_int;
    int64_t i;
    const char *s;
    size_t n;
};

struct sim_row {
    const char *ent;
    const char *id;
    struct sim_key k1, k2;
    int64_t created, modified;
    const void *body;
    size_t body_n;
};

typedef int (*sim_row_cb)(const struct sim_row *row, void *ctx);

/* Open or create. path NULL or "" means a private in-memory database. */
int sim_store_open(struct sim_store **out, const char *path, struct es_err *err);
void sim_store_close(struct sim_store *s);
void sim_store_lock(struct sim_store *s);
void sim_store_unlock(struct sim_store *s);

int sim_store_begin(struct sim_store *s, struct es_err *err);
int sim_store_commit(struct sim_store *s, struct es_err *err);
void sim_store_rollback(struct sim_store *s);

/* Load the persisted name dictionary (must run before schemas are loaded),
 * and save names interned since. */
int sim_store_load_names(struct sim_store *s, struct es_err *err);
int sim_store_save_names(struct sim_store *s, struct es_err *err);

/* One record by key or by id. The callback runs once when found.
 * Returns 1 found, 0 not found, <0 error. */
int sim_store_get_key(struct sim_store *s, const char *ent, const struct sim_key *k1,
                      const struct sim_key *k2, sim_row_cb cb, void *ctx, struct es_err *err);
int sim_store_get_id(struct sim_store *s, const char *ent, const char *id, sim_row_cb cb,
                     void *ctx, struct es_err *err);

/* Records of an entity in key order; where (may be NULL) is an SQL condition
 * with its parameters (filter.h). top < 0 means no limit. The callback's
 * non-zero return stops the walk and is returned. */
int sim_store_list(struct sim_store *s, const char *ent, const struct sim_sqlq *where,
                   int64_t top, int64_t skip, sim_row_cb cb, void *ctx, struct es_err *err);
/* Count records of an entity (all when where is NULL). */
int64_t sim_store_count(struct sim_store *s, const char *ent, const struct sim_sqlq *where,
                        struct es_err *err);

/* Insert or replace by id. ES_ECONFLICT when the key is taken by another id. */
int sim_store_put(struct sim_store *s, const struct sim_row *row, struct es_err *err);
/* Delete by id: 1 deleted, 0 not found, <0 error. */
int sim_store_delete(struct sim_store *s, const char *id, struct es_err *err);

/* Next number of a named sequence, starting at start. */
int64_t sim_store_next(struct sim_store *s, const char *seq, int64_t start, struct es_err *err);

/* Set a sequence's last number (the next sim_store_next returns last + 1). */
int sim_store_seq_set(struct sim_store *s, const char *seq, int64_t last, struct es_err *err);

/* Bulk loading: drop the secondary indexes (they are rebuilt by sorting at
 * the end, much faster than millions of scattered inserts) and relax syncs. */
int sim_store_bulk_begin(struct sim_store *s, struct es_err *err);
int sim_store_bulk_end(struct sim_store *s, struct es_err *err);

/* Settings: a copy of the value (caller frees) or NULL. */
char *sim_store_meta_get(struct sim_store *s, const char *key);
int sim_store_meta_set(struct sim_store *s, const char *key, const char *value,
                       struct es_err *err);

/* Number of records per entity, as "name count" lines appended to out. */
struct es_buf;
int sim_store_stats(struct sim_store *s, struct es_buf *out, struct es_err *err);

#endif
