/* Interned field names: every field name the simulator knows gets a small
 * integer id, so records store ids instead of strings and lookups are array
 * indexing. Interning happens at start-up; afterwards lookups are lock-free
 * reads of an immutable table. */
#ifndef SIM_NAMES_H
#define SIM_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Id of name (case-sensitive), adding it if new. Not thread-safe: call only
 * while starting up. Ids start at 1; 0 means "no name". */
uint32_t sim_name_intern(const char *name);
/* Id of name, or 0 when it was never interned. Thread-safe. */
uint32_t sim_name_find(const char *name, size_t len);
/* Name of an id (borrowed, immutable), NULL if out of range. */
const char *sim_name_str(uint32_t id);
/* One past the highest id in use. */
uint32_t sim_name_count(void);
/* Drop every name (tests). */
void sim_names_reset(void);

/* Well-known system member names, interned first so their ids are fixed. */
enum {
    SIM_N_ID = 1, /* "id" */
    SIM_N_NOTE,   /* "note" */
    SIM_N_DELETE, /* "delete" */
    SIM_N_FIRST_FIELD
};

#endif
