/* Unit-test support: loading the reference schema. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "names.h"
#include "support.h"

struct sim_schema *ut_schema_load(const char *version)
{
    const char *dir = getenv("ACUSIM_REFERENCE");
    char path[1024];
    snprintf(path, sizeof(path), "%s/Default_%s.openapi.json", dir && *dir ? dir : ES_REFERENCE_DIR,
             version);
    struct es_err err = {0};
    struct sim_schema *s = sim_schema_load(path, version, sim_entity_names(), &err);
    if (!s)
        print_error("%s\n", err.msg);
    return s;
}

struct sim_entity *ut_bind(const struct sim_schema *schema, const char *name)
{
    struct es_err err = {0};
    struct sim_entity *e = sim_entity_bind(sim_entity_def_find(name), schema, &err);
    if (!e)
        print_error("%s: %s\n", name, err.msg);
    return e;
}
