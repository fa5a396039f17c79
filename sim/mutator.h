/* Continuous changes made the way Acumatica users make them (through the
 * same save path as PUT), at a set rate: inserts, updates and deletes of
 * customers, contacts, stock items and sales orders. Used to test paging
 * while records change. */
#ifndef SIM_MUTATOR_H
#define SIM_MUTATOR_H

#include "erpsync/buf.h"
#include "erpsync/err.h"

struct sim;
struct sim_mutator;

struct sim_mutator *sim_mutator_new(struct sim *s);
void sim_mutator_free(struct sim_mutator *m);
/* Start from JSON: {"rate": ops per second, "duration_ms": N (0: until
 * stopped), "count": N (0: no limit), "entities": ["Customer", ...],
 * "insert": %, "update": %, "delete": %}. Replaces a running mutation. */
int sim_mutator_start(struct sim_mutator *m, const char *json, struct es_err *err);
void sim_mutator_stop(struct sim_mutator *m);
void sim_mutator_json(struct sim_mutator *m, struct es_buf *out);

#endif
