/* $filter: the OData 3 URI filter grammar of the contract API (CV4).
 *   comparisons eq ne gt ge lt le; and, or, not; parentheses;
 *   substringof('x',F), startswith(F,'x'), endswith(F,'x');
 *   literals 'text' (with '' for a quote), integers, decimals (optional M),
 *   true, false, null, datetimeoffset'...', datetime'...', date'...',
 *   guid'...'; field paths with '/' for linked entities.
 * sim_filter_parse builds a tree; sim_filter_sql turns it into an SQL
 * condition over the store's columns, with every literal bound as a
 * parameter. Both put their nodes in the caller's arena. */
#ifndef SIM_FILTER_H
#define SIM_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "entity.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"

enum sim_fop {
    F_EQ, F_NE, F_GT, F_GE, F_LT, F_LE, /* comparisons: keep this order */
    F_AND, F_OR, F_NOT,
    F_FIELD, F_LIT, F_CALL,
};

enum sim_lit { LIT_STR, LIT_INT, LIT_DEC, LIT_BOOL, LIT_NULL, LIT_DT, LIT_GUID };

struct sim_fnode {
    int op;
    int pos; /* offset in the filter text, for messages */
    struct sim_fnode *l, *r;
    /* F_FIELD */
    char **path;
    int npath;
    /* F_LIT */
    int lit;
    const char *s;
    size_t n;
    int64_t i; /* LIT_INT value, LIT_DEC millionths, LIT_BOOL 0/1, LIT_DT ms UTC */
    /* F_CALL */
    const char *fn;
    struct sim_fnode **args;
    int nargs;
};

/* Parse filter text (already URL-decoded). ES_EINVAL with a message that
 * gives the position on a syntax error. */
int sim_filter_parse(struct sim_fnode **out, struct es_arena *a, const char *text,
                     struct es_err *err);

enum sim_param_type { SP_INT, SP_TEXT, SP_NULL };

struct sim_param {
    int type;
    int64_t i;
    const char *s;
    size_t n;
};

struct sim_sqlq {
    struct es_buf sql;
    struct sim_param *params;
    size_t nparams, capparams;
    uint32_t *fields; /* top-level value fields the filter names */
    size_t nfields, capfields;
};

void sim_sqlq_init(struct sim_sqlq *q);
void sim_sqlq_dispose(struct sim_sqlq *q);
void sim_sqlq_add_param(struct sim_sqlq *q, struct es_arena *a, int type, int64_t i,
                        const char *s, size_t n);

/* Append the condition for tree n to q->sql (parameters numbered from the
 * current count + 1, written as ?NNN). Unknown fields, detail paths and type
 * mismatches give ES_EINVAL with a message. */
int sim_filter_sql(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                   const struct sim_fnode *n, struct es_err *err);

/* Evaluation over plain values, for generic inquiries. lookup fills the value
 * and wrapper type of a column, or returns non-zero when there is none. */
struct sim_val;
typedef int (*sim_filter_lookup)(void *ctx, const char *name, struct sim_val *out, int *wt);
/* Check names and shapes once: 0 or ES_EINVAL with a message. */
int sim_filter_check(const struct sim_fnode *n, sim_filter_lookup lk, void *ctx,
                     struct es_err *err);
/* 1 when the row matches (a comparison with an empty value is false). */
int sim_filter_eval(const struct sim_fnode *n, sim_filter_lookup lk, void *ctx);

#endif
