/* Fault injection for tests: rules that make the next N matching requests
 * fail in a chosen way. A rule matches on method and a path substring and
 * fires with a probability (1 by default) while it has count left
 * (count < 0: no limit). */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdint.h>

#include "erpsync/buf.h"
#include "erpsync/err.h"

enum sim_fault_kind {
    FK_STATUS,    /* answer with `status` (500, 429, 503...) before doing anything */
    FK_DELAY,     /* wait delay_ms, then handle normally */
    FK_CUT,       /* handle, then send half the body and close the connection */
    FK_MALFORMED, /* handle, then send a body that is not valid JSON */
    FK_DROP,      /* handle (a PUT commits), then close without any answer */
    FK_RESET,     /* close the connection without handling the request */
    FK_REPLACE,   /* handle, then replace every `from` in the answer body with `to`:
                   * a broken or hostile endpoint (another record's key, a bad id) */
    FK_ENDLESS,   /* handle (a PUT commits), then answer with a JSON list that never
                   * ends, until the client gives up */
};

struct sim_fault {
    int kind;
    char method[8]; /* "" matches every method */
    char path[128]; /* substring of the path, "" matches every path */
    long remaining;
    double probability;
    int status;
    long delay_ms;
    char from[256], to[256]; /* FK_REPLACE */
};

struct sim_faults;

struct sim_faults *sim_faults_new(uint64_t seed);
void sim_faults_free(struct sim_faults *f);
/* Add a rule from its JSON form:
 *   {"kind":"status|delay|cut|malformed|drop|reset|replace|endless",
 *    "method":"PUT",
 *    "path":"/SalesOrder", "count":5, "probability":0.5, "status":500,
 *    "delay_ms":2000}; kind "replace" takes "from" and "to" (text of the
 *    answer body, as sent: JSON escapes included). */
int sim_faults_add_json(struct sim_faults *f, const char *json, struct es_err *err);
void sim_faults_clear(struct sim_faults *f);
/* The fault that applies to this request, if any (1), consuming one count. */
int sim_faults_take(struct sim_faults *f, const char *method, const char *path,
                    struct sim_fault *out);
void sim_faults_json(struct sim_faults *f, struct es_buf *out);

#endif
