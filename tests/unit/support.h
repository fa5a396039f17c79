/* What several unit tests need: the official OpenAPI of an endpoint version
 * loaded from $ACUSIM_REFERENCE (ctest sets it), entities bound to it. Both
 * print why they failed and return NULL, for a group setup to return -1. */
#ifndef UT_SUPPORT_H
#define UT_SUPPORT_H

#include "entity.h"
#include "schema.h"

struct sim_schema *ut_schema_load(const char *version);
struct sim_entity *ut_bind(const struct sim_schema *schema, const char *name);

#endif
