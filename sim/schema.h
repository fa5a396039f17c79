/* The shape of every entity, read from Acumatica's official OpenAPI file of
 * an endpoint version (Swagger 2.0 for 23.200.001, OpenAPI 3.0 for
 * 24.200.001). A type is a list of properties in the order Acumatica renders
 * them (case-insensitive alphabetical); a property is a wrapped value, a
 * linked entity (object) or a detail collection (array).
 * Everything here is immutable after sim_schema_load and freely shared. */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/err.h"

enum sim_kind { SK_VALUE, SK_LINKED, SK_DETAIL };

/* Value wrapper types of the contract (StringValue, BooleanValue...). */
enum sim_wt {
    WT_STRING,
    WT_BOOL,
    WT_INT,
    WT_SHORT,
    WT_LONG,
    WT_BYTE,
    WT_DECIMAL,
    WT_DOUBLE,
    WT_DATETIME,
    WT_GUID,
};

struct sim_type;

struct sim_prop {
    const char *name;
    uint32_t name_id;
    uint8_t kind; /* enum sim_kind */
    uint8_t wt;   /* enum sim_wt, for SK_VALUE */
    struct sim_type *type; /* for SK_LINKED and SK_DETAIL */
    const char *key;       /* "\"Name\":{}" ready to copy into output; the */
    size_t key_len;        /* first key_len bytes are "\"Name\":" alone */
};

struct sim_type {
    const char *name;
    struct sim_prop *props;
    size_t nprops;
    uint32_t *by_name; /* name id -> prop index + 1, sized sim_name_count() */
    uint32_t by_name_n;
};

struct sim_schema;

/* Load an OpenAPI/Swagger file. The entities reachable from `roots` (NULL-
 * terminated list of top-level entity names) are resolved; others are
 * ignored. On failure returns NULL and fills err. */
struct sim_schema *sim_schema_load(const char *path, const char *version,
                                   const char *const *roots, struct es_err *err);
void sim_schema_free(struct sim_schema *s);

const char *sim_schema_version(const struct sim_schema *s);
/* The type of that name, or NULL. */
const struct sim_type *sim_schema_type(const struct sim_schema *s, const char *name);
/* Property by name id, or NULL. O(1). */
const struct sim_prop *sim_type_prop(const struct sim_type *t, uint32_t name_id);
/* Property by name, case-insensitive as Acumatica matches names, or NULL. */
const struct sim_prop *sim_type_prop_ci(const struct sim_type *t, const char *name, size_t len);
/* The wrapper type's name ("StringValue"). */
const char *sim_wt_name(enum sim_wt wt);

#endif
