/* Request bodies to records: the wrapped JSON of the contract API
 * ({"Field": {"value": ...}}) converted by the entity's schema. Unknown
 * fields are ignored, as Acumatica ignores them; values of the wrong type
 * that cannot be converted are model errors (HTTP 400). */
#ifndef SIM_INPUT_H
#define SIM_INPUT_H

#include <cjson/cJSON.h>

#include "doc.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "schema.h"

/* Convert obj (a JSON object) of type t into a new document. On a model
 * error returns ES_EINVAL and appends {"<path>":["<message>"]} members (no
 * braces) to model_state. */
int sim_input_doc(struct sim_doc **out, struct es_arena *a, const struct sim_type *t,
                  const cJSON *obj, struct es_buf *model_state);

/* Convert one JSON value to a stored value of wrapper type wt. 0 or
 * ES_EINVAL (msg filled). */
int sim_input_value(struct sim_val *out, struct es_arena *a, int wt, const cJSON *v, char *msg,
                    size_t msgcap);

/* Parse a decimal in text ("12.50") into millionths. 0 or ES_EINVAL. */
int sim_parse_decimal(int64_t *out, const char *s, size_t n);

#endif
