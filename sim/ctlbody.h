/* The control API's JSON bodies read strictly: an object with known members
 * only, numbers whole and in range, strings of bounded length. A test that
 * sends nonsense gets 400 with a message naming the field, never a setting
 * it did not mean. Every error reads "<what>: <field> ...". */
#ifndef SIM_CTLBODY_H
#define SIM_CTLBODY_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "erpsync/err.h"

/* Parse body as a JSON object whose members are all named in known
 * (NULL-terminated). Returns it (the caller deletes it), or NULL with err
 * set. */
cJSON *sim_ctl_parse(const char *what, const char *body, size_t n, const char *const *known,
                     struct es_err *err);

/* A whole-number member within [lo, hi]: 1 (read into *out), 0 when absent
 * (*out untouched), or ES_EINVAL. */
int sim_ctl_whole(long *out, const cJSON *obj, const char *what, const char *field, long lo,
                  long hi, struct es_err *err);

/* A true/false member: 1 (read into *out), 0 when absent, or ES_EINVAL. */
int sim_ctl_bool(int *out, const cJSON *obj, const char *what, const char *field,
                 struct es_err *err);

/* A string member of at most maxlen bytes without control characters: 1
 * (*out borrowed from obj), 0 when absent, or ES_EINVAL. */
int sim_ctl_text(const char **out, const cJSON *obj, const char *what, const char *field,
                 size_t maxlen, struct es_err *err);

#endif
