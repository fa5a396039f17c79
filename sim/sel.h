/* $select and $expand, parsed against an entity's type into a tree that says,
 * per level, which value fields to show and which linked or detail entities
 * to expand. Contract version 4 rules:
 *  - no $select: every value field of the top level and of every expanded
 *    entity is shown;
 *  - with $select: only the fields named (slash paths for nested ones), and
 *    at a level where $select names no value field, all of them; an
 *    expanded entity is shown only if a path selects it or something in it,
 *    and then with all its fields when no path names a field inside it;
 *  - a nested path only shows when its entity is also in $expand.
 * The tree lives in the arena it was parsed into. */
#ifndef SIM_SEL_H
#define SIM_SEL_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/arena.h"
#include "erpsync/err.h"
#include "schema.h"

struct sim_sel;

struct sim_sel_kid {
    const struct sim_prop *prop;
    struct sim_sel *sel;
};

struct sim_sel {
    int all;     /* show every value field */
    int touched; /* a $select path reached this level */
    uint32_t *fields;
    size_t nfields, capfields;
    struct sim_sel_kid *kids;
    size_t nkids, capkids;
    int files;   /* $expand=files at this level */
};

/* Parse. select/expand may be NULL. On an unknown or misplaced name returns
 * ES_EINVAL with a message naming it. */
int sim_sel_parse(struct sim_sel **out, struct es_arena *a, const struct sim_type *t,
                  const char *select, const char *expand, struct es_err *err);
/* Add a top-level value field (e.g. one named in $filter) to the selection. */
void sim_sel_add_field(struct sim_sel *s, struct es_arena *a, uint32_t name);
int sim_sel_has_field(const struct sim_sel *s, uint32_t name);
/* The expanded child for a property, or NULL. */
const struct sim_sel *sim_sel_kid(const struct sim_sel *s, const struct sim_prop *p);
/* Is this expanded child to be shown? (see rules above) */
int sim_sel_kid_shown(const struct sim_sel *parent, const struct sim_sel *kid);

#endif
