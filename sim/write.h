/* Saving records as Acumatica's screens save them: PUT upsert (find by keys,
 * id or $filter; insert otherwise), If-Match / If-None-Match, numbering,
 * defaults, detail lines matched by id, drop-down, required-field and
 * reference validation, locked documents, totals and statuses recalculated,
 * one timestamp for everything one operation saves. */
#ifndef SIM_WRITE_H
#define SIM_WRITE_H

#include <stdint.h>

#include "doc.h"
#include "filter.h"
#include "sim.h"

#define SIM_MAX_FIELD_ERRORS 32

struct sim_field_error {
    char path[160]; /* "CustomerID", "Details[1].InventoryID" */
    char msg[200];
};

struct sim_put {
    const struct sim_endpoint *ep;
    const struct sim_entity *ent;
    struct sim_doc *sent;
    const struct sim_sqlq *filter; /* $filter locating the record, or NULL */
    int if_match, if_none_match;   /* the * preconditions */
    int64_t stamp;                 /* 0: now */
    int trusted; /* seeding (control API, mutator): the status field is written
                  * as sent; from clients it is read-only and ignored */
};

struct sim_write_result {
    int status; /* 200, 412, 422 or 500 */
    char message[256];
    const char *exc_type;
    struct sim_field_error errs[SIM_MAX_FIELD_ERRORS];
    int nerrs;
    int inserted;
    int unchanged; /* the body changed nothing: nothing was written */
    /* On success, the saved record: */
    struct sim_doc *rec;
    char id[37];
    int64_t created, modified;
    int64_t before_modified; /* of the record as it was, when updated */
};

/* The record of a request body is located, validated and saved. The store is
 * locked inside. Never fails otherwise than through res->status. */
void sim_write_put(struct sim *s, struct es_arena *a, const struct sim_put *req,
                   struct sim_write_result *res);

/* Load a record by keys (key values as text) or by id into the arena.
 * Returns 1 found, 0 not, <0 on a store error. Store must be locked. */
int sim_write_load(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                   const char *const *keys, int nkeys, const char *id, struct sim_doc **doc,
                   char id_out[37], int64_t *created, int64_t *modified);
/* Save a loaded or new record as-is (keys taken from the document). Store
 * must be locked; the caller owns the transaction. */
int sim_write_save(struct sim *s, const struct sim_entity *ent, const struct sim_doc *doc,
                   const char *id, int64_t created, int64_t modified, struct es_err *err);
/* Recalculate totals and statuses of a record (after an action changed it). */
void sim_write_recalc(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                      struct sim_doc *doc);
/* Delete by keys or id: 204, 500 (missing or locked, message filled). */
int sim_write_delete(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                     const char *const *keys, int nkeys, const char *id, char *msg,
                     size_t msgcap);

/* Name id of a field name known to the schemas (0 if unknown). */
uint32_t sim_nm(const char *name);
/* Midnight today in the API user's zone, by the ERP clock. */
int64_t sim_today(struct sim *s);

#endif
