/* $filter parsing and compilation to SQL. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/timeutil.h"
#include "erpsync/utf8.h"
#include "doc.h"
#include "filter.h"
#include "names.h"

#define MAX_FILTER_DEPTH 64

enum tok {
    T_END, T_LPAREN, T_RPAREN, T_COMMA, T_SLASH, T_STR, T_NUM, T_IDENT, T_TYPED, T_BAD,
};

struct parser {
    struct es_arena *a;
    const char *text;
    size_t pos, len;
    int depth;
    struct es_err *err;
    /* current token */
    int tok;
    size_t tpos;
    const char *ts; /* token text (T_IDENT, T_NUM) or decoded literal (T_STR, T_TYPED) */
    size_t tn;
    const char *tprefix; /* T_TYPED: "datetimeoffset" etc. */
    size_t tprefix_n;
};

/* The filter quoted in a message: at most 160 bytes, whole characters. */
#define QUOTED(p) (int)es_utf8_fit((p)->text, (p)->len, 160), (p)->text

static int syntax(struct parser *p, size_t pos)
{
    return es_err_set(p->err, ES_EINVAL, "Syntax error at position %zu in '%.*s'.", pos,
                      QUOTED(p));
}

static int is_ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '.';
}

/* A quoted literal starting at p->pos (the quote); '' is a quote inside. */
static int lex_quoted(struct parser *p)
{
    size_t i = p->pos + 1;
    char *out = es_arena_alloc(p->a, p->len - p->pos + 1);
    size_t n = 0;
    for (;;) {
        if (i >= p->len)
            return es_err_set(p->err, ES_EINVAL,
                              "There is an unterminated literal at position %zu in '%.*s'.",
                              p->pos, QUOTED(p));
        if (p->text[i] == '\'') {
            if (i + 1 < p->len && p->text[i + 1] == '\'') {
                out[n++] = '\'';
                i += 2;
                continue;
            }
            break;
        }
        out[n++] = p->text[i++];
    }
    out[n] = '\0';
    p->ts = out;
    p->tn = n;
    p->pos = i + 1;
    return 0;
}

static int next(struct parser *p)
{
    while (p->pos < p->len && isspace((unsigned char)p->text[p->pos]))
        p->pos++;
    p->tpos = p->pos;
    if (p->pos >= p->len) {
        p->tok = T_END;
        return 0;
    }
    char c = p->text[p->pos];
    switch (c) {
    case '(': p->tok = T_LPAREN; p->pos++; return 0;
    case ')': p->tok = T_RPAREN; p->pos++; return 0;
    case ',': p->tok = T_COMMA; p->pos++; return 0;
    case '/': p->tok = T_SLASH; p->pos++; return 0;
    case '\'': p->tok = T_STR; return lex_quoted(p);
    default: break;
    }
    if (p->pos + 10 <= p->len && isdigit((unsigned char)c) && p->text[p->pos + 4] == '-' &&
        p->text[p->pos + 7] == '-') {
        /* OData 4 writes date-time literals bare: 2022-07-13T00:00:00Z. */
        size_t s = p->pos;
        while (p->pos < p->len && strchr("0123456789-:.TtZz+", p->text[p->pos]))
            p->pos++;
        p->tok = T_TYPED;
        p->tprefix = "datetimeoffset";
        p->tprefix_n = 14;
        p->ts = p->text + s;
        p->tn = p->pos - s;
        return 0;
    }
    if (isdigit((unsigned char)c) || (c == '-' && p->pos + 1 < p->len &&
                                      isdigit((unsigned char)p->text[p->pos + 1]))) {
        size_t s = p->pos++;
        while (p->pos < p->len && (isdigit((unsigned char)p->text[p->pos]) ||
                                   p->text[p->pos] == '.'))
            p->pos++;
        if (p->pos < p->len && strchr("mMdDfFlL", p->text[p->pos]))
            p->pos++;
        p->tok = T_NUM;
        p->ts = p->text + s;
        p->tn = p->pos - s;
        return 0;
    }
    if (isalpha((unsigned char)c) || c == '_' || c == '$') {
        size_t s = p->pos++;
        while (p->pos < p->len && is_ident_char((unsigned char)p->text[p->pos]))
            p->pos++;
        if (p->pos < p->len && p->text[p->pos] == '\'') {
            p->tok = T_TYPED;
            p->tprefix = p->text + s;
            p->tprefix_n = p->pos - s;
            return lex_quoted(p);
        }
        p->tok = T_IDENT;
        p->ts = p->text + s;
        p->tn = p->pos - s;
        return 0;
    }
    p->tok = T_BAD;
    return syntax(p, p->pos);
}

static int tok_is(const struct parser *p, const char *word)
{
    return p->tok == T_IDENT && strlen(word) == p->tn && strncasecmp(p->ts, word, p->tn) == 0;
}

static struct sim_fnode *node(struct parser *p, int op, size_t pos)
{
    struct sim_fnode *n = es_arena_calloc(p->a, sizeof(*n));
    n->op = op;
    n->pos = (int)pos;
    return n;
}

static int parse_or(struct parser *p, struct sim_fnode **out);

static int parse_number(struct parser *p, struct sim_fnode *n)
{
    const char *s = p->ts;
    size_t len = p->tn;
    if (len && strchr("mMdDfFlL", s[len - 1]))
        len--;
    int neg = s[0] == '-';
    size_t i = neg ? 1 : 0, dot = 0;
    int64_t whole = 0, frac = 0;
    int fd = 0;
    for (; i < len; i++) {
        if (s[i] == '.') {
            if (dot)
                return syntax(p, p->tpos);
            dot = i;
            continue;
        }
        if (!dot) {
            if (whole > (INT64_MAX - 9) / 10)
                return syntax(p, p->tpos);
            whole = whole * 10 + (s[i] - '0');
        } else if (fd < 6) {
            frac = frac * 10 + (s[i] - '0');
            fd++;
        }
    }
    if (dot && dot + 1 == len)
        return syntax(p, p->tpos);
    n->op = F_LIT;
    if (!dot && len == p->tn) {
        n->lit = LIT_INT;
        n->i = neg ? -whole : whole;
        return 0;
    }
    while (fd++ < 6)
        frac *= 10;
    if (whole > INT64_MAX / SIM_DEC_SCALE - 1)
        return syntax(p, p->tpos);
    n->lit = LIT_DEC;
    n->i = (whole * SIM_DEC_SCALE + frac) * (neg ? -1 : 1);
    return 0;
}

static int parse_typed(struct parser *p, struct sim_fnode *n)
{
    n->op = F_LIT;
    const char *pre = p->tprefix;
    size_t pn = p->tprefix_n;
    if ((pn == 14 && strncasecmp(pre, "datetimeoffset", 14) == 0) ||
        (pn == 8 && strncasecmp(pre, "datetime", 8) == 0) ||
        (pn == 4 && strncasecmp(pre, "date", 4) == 0)) {
        struct es_iso t;
        if (es_iso_parse(&t, p->ts, p->tn))
            return es_err_set(p->err, ES_EINVAL,
                              "Unrecognized '%.*s' literal '%.*s' at position %zu in '%.*s'.",
                              (int)pn, pre, (int)p->tn, p->ts, p->tpos, QUOTED(p));
        n->lit = LIT_DT;
        n->i = es_iso_to_ms(&t); /* no offset: the API user's zone */
        return 0;
    }
    if (pn == 4 && strncasecmp(pre, "guid", 4) == 0) {
        n->lit = LIT_GUID;
        n->s = p->ts;
        n->n = p->tn;
        return 0;
    }
    return syntax(p, p->tpos);
}

static int parse_call(struct parser *p, struct sim_fnode *n)
{
    n->op = F_CALL;
    n->fn = es_arena_strndup(p->a, p->ts, p->tn);
    struct sim_fnode *args[4];
    int nargs = 0;
    /* Calls nest like parentheses: f(g(h(...))) counts toward the cap. */
    if (++p->depth > MAX_FILTER_DEPTH)
        return es_err_set(p->err, ES_EINVAL, "The $filter is nested too deeply.");
    if (next(p))
        return -1;
    if (next(p))
        return -1;
    if (p->tok != T_RPAREN) {
        for (;;) {
            if (nargs == 4)
                return syntax(p, p->tpos);
            /* cf.X(f='View.Field') carries a named argument. */
            if (p->tok == T_IDENT && p->pos < p->len && p->text[p->pos] == '=') {
                p->pos++;
                if (next(p))
                    return -1;
            }
            if (parse_or(p, &args[nargs++]))
                return -1;
            if (p->tok == T_RPAREN)
                break;
            if (p->tok != T_COMMA)
                return syntax(p, p->tpos);
            if (next(p))
                return -1;
        }
    }
    p->depth--;
    n->nargs = nargs;
    n->args = es_arena_alloc(p->a, (size_t)(nargs ? nargs : 1) * sizeof(*n->args));
    memcpy(n->args, args, (size_t)nargs * sizeof(*args));
    return next(p);
}

static int parse_path(struct parser *p, struct sim_fnode *n)
{
    char *seg[8];
    int ns = 0;
    n->op = F_FIELD;
    for (;;) {
        if (p->tok != T_IDENT || ns == 8)
            return syntax(p, p->tpos);
        seg[ns++] = es_arena_strndup(p->a, p->ts, p->tn);
        if (next(p))
            return -1;
        if (p->tok != T_SLASH)
            break;
        if (next(p))
            return -1;
    }
    n->npath = ns;
    n->path = es_arena_alloc(p->a, (size_t)ns * sizeof(*n->path));
    memcpy(n->path, seg, (size_t)ns * sizeof(*seg));
    return 0;
}

static int parse_primary(struct parser *p, struct sim_fnode **out)
{
    struct sim_fnode *n = node(p, F_LIT, p->tpos);
    *out = n;
    switch (p->tok) {
    case T_LPAREN:
        if (++p->depth > MAX_FILTER_DEPTH)
            return es_err_set(p->err, ES_EINVAL, "The $filter is nested too deeply.");
        if (next(p) || parse_or(p, out))
            return -1;
        p->depth--;
        if (p->tok != T_RPAREN)
            return syntax(p, p->tpos);
        return next(p);
    case T_STR:
        n->lit = LIT_STR;
        n->s = p->ts;
        n->n = p->tn;
        return next(p);
    case T_NUM:
        if (parse_number(p, n))
            return -1;
        return next(p);
    case T_TYPED:
        if (parse_typed(p, n))
            return -1;
        return next(p);
    case T_IDENT:
        if (tok_is(p, "true") || tok_is(p, "false")) {
            n->lit = LIT_BOOL;
            n->i = tok_is(p, "true");
            return next(p);
        }
        if (tok_is(p, "null")) {
            n->lit = LIT_NULL;
            return next(p);
        }
        if (p->pos < p->len && p->text[p->pos] == '(')
            return parse_call(p, n);
        return parse_path(p, n);
    default: return syntax(p, p->tpos);
    }
}

static int comparison_op(const struct parser *p)
{
    static const char *const ops[] = {"eq", "ne", "gt", "ge", "lt", "le"};
    for (int i = 0; i < 6; i++)
        if (tok_is(p, ops[i]))
            return F_EQ + i;
    return -1;
}

static int parse_cmp(struct parser *p, struct sim_fnode **out)
{
    if (parse_primary(p, out))
        return -1;
    int op = comparison_op(p);
    if (op < 0)
        return 0;
    struct sim_fnode *n = node(p, op, p->tpos);
    n->l = *out;
    if (next(p) || parse_primary(p, &n->r))
        return -1;
    *out = n;
    return 0;
}

static int parse_unary(struct parser *p, struct sim_fnode **out)
{
    if (tok_is(p, "not")) {
        if (++p->depth > MAX_FILTER_DEPTH)
            return es_err_set(p->err, ES_EINVAL, "The $filter is nested too deeply.");
        struct sim_fnode *n = node(p, F_NOT, p->tpos);
        if (next(p) || parse_unary(p, &n->l))
            return -1;
        p->depth--;
        *out = n;
        return 0;
    }
    return parse_cmp(p, out);
}

static int parse_and(struct parser *p, struct sim_fnode **out)
{
    if (parse_unary(p, out))
        return -1;
    while (tok_is(p, "and")) {
        struct sim_fnode *n = node(p, F_AND, p->tpos);
        n->l = *out;
        if (next(p) || parse_unary(p, &n->r))
            return -1;
        *out = n;
    }
    return 0;
}

static int parse_or(struct parser *p, struct sim_fnode **out)
{
    if (parse_and(p, out))
        return -1;
    while (tok_is(p, "or")) {
        struct sim_fnode *n = node(p, F_OR, p->tpos);
        n->l = *out;
        if (next(p) || parse_and(p, &n->r))
            return -1;
        *out = n;
    }
    return 0;
}

int sim_filter_parse(struct sim_fnode **out, struct es_arena *a, const char *text,
                     struct es_err *err)
{
    struct parser p = {.a = a, .text = text, .len = strlen(text), .err = err};
    struct sim_fnode *n = NULL;
    if (next(&p) || parse_or(&p, &n))
        return ES_EINVAL;
    if (p.tok != T_END)
        return syntax(&p, p.tpos);
    *out = n;
    return 0;
}

/* ---- compilation to SQL ---- */

void sim_sqlq_init(struct sim_sqlq *q)
{
    memset(q, 0, sizeof(*q));
    es_buf_init(&q->sql, 0);
}

void sim_sqlq_dispose(struct sim_sqlq *q)
{
    es_buf_dispose(&q->sql);
}

void sim_sqlq_add_param(struct sim_sqlq *q, struct es_arena *a, int type, int64_t i,
                        const char *s, size_t n)
{
    if (q->nparams == q->capparams) {
        size_t cap = q->capparams ? q->capparams * 2 : 8;
        struct sim_param *p = es_arena_alloc(a, cap * sizeof(*p));
        if (q->nparams)
            memcpy(p, q->params, q->nparams * sizeof(*p));
        q->params = p;
        q->capparams = cap;
    }
    q->params[q->nparams++] = (struct sim_param){type, i, s, n};
    es_buf_addf(&q->sql, "?%zu", q->nparams);
}

static void note_field(struct sim_sqlq *q, struct es_arena *a, uint32_t name)
{
    for (size_t i = 0; i < q->nfields; i++)
        if (q->fields[i] == name)
            return;
    if (q->nfields == q->capfields) {
        size_t cap = q->capfields ? q->capfields * 2 : 8;
        uint32_t *f = es_arena_alloc(a, cap * sizeof(*f));
        if (q->nfields)
            memcpy(f, q->fields, q->nfields * sizeof(*f));
        q->fields = f;
        q->capfields = cap;
    }
    q->fields[q->nfields++] = name;
}

struct fref {
    int wt;
    char expr[160]; /* SQL expression of the field */
};

static int resolve_field(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                         const struct sim_fnode *n, struct fref *out, struct es_err *err)
{
    const struct sim_type *t = e->type;
    uint32_t ids[8];
    const struct sim_prop *p = NULL;
    for (int i = 0; i < n->npath; i++) {
        p = sim_type_prop_ci(t, n->path[i], strlen(n->path[i]));
        if (!p)
            return es_err_set(err, ES_EINVAL, "Could not find a property named '%s' on type '%s'.",
                              n->path[i], t->name);
        if (p->kind == SK_DETAIL)
            return es_err_set(err, ES_EINVAL,
                              "Filtering by the fields of the detail entity '%s' is not supported.",
                              p->name);
        ids[i] = p->name_id;
        if (p->kind == SK_LINKED) {
            if (i + 1 == n->npath)
                return es_err_set(err, ES_EINVAL, "'%s' is an entity, not a field, of type '%s'.",
                                  p->name, t->name);
            t = p->type;
        } else if (i + 1 != n->npath) {
            return es_err_set(err, ES_EINVAL, "'%s' of type '%s' has no property '%s'.", p->name,
                              t->name, n->path[i + 1]);
        }
    }
    out->wt = p->wt;
    if (n->npath == 1) {
        note_field(q, a, p->name_id);
        size_t idx = (size_t)(p - e->type->props);
        const char *col = NULL;
        if (p == e->keys[0])
            col = "k1";
        else if (p == e->keys[1])
            col = "k2";
        else if (e->role[idx] == ROLE_MODIFIED)
            col = "modified";
        else if (e->role[idx] == ROLE_CREATED)
            col = "created";
        else if (e->role[idx] == ROLE_NOTEID)
            col = "id";
        if (col) {
            snprintf(out->expr, sizeof(out->expr), "%s", col);
            return 0;
        }
    }
    size_t len = (size_t)snprintf(out->expr, sizeof(out->expr), "sim_field(body");
    for (int i = 0; i < n->npath; i++)
        len += (size_t)snprintf(out->expr + len, sizeof(out->expr) - len, ",%u", ids[i]);
    snprintf(out->expr + len, sizeof(out->expr) - len, ")");
    return 0;
}

static int is_text_wt(int wt)
{
    return wt == WT_STRING || wt == WT_GUID;
}

static const char *const wt_edm[] = {
    [WT_STRING] = "Edm.String", [WT_BOOL] = "Edm.Boolean",   [WT_INT] = "Edm.Int32",
    [WT_SHORT] = "Edm.Int16",   [WT_LONG] = "Edm.Int64",     [WT_BYTE] = "Edm.Byte",
    [WT_DECIMAL] = "Edm.Decimal", [WT_DOUBLE] = "Edm.Double", [WT_DATETIME] = "Edm.DateTimeOffset",
    [WT_GUID] = "Edm.Guid",
};

/* The Edm type of a field's wrapper type, for messages ("null" if unknown). */
static const char *field_edm(int wt)
{
    if (wt < 0 || (size_t)wt >= sizeof(wt_edm) / sizeof(wt_edm[0]) || !wt_edm[wt])
        return "null";
    return wt_edm[wt];
}

static const char *lit_edm(int lit)
{
    switch (lit) {
    case LIT_STR: return "Edm.String";
    case LIT_INT: return "Edm.Int32";
    case LIT_DEC: return "Edm.Decimal";
    case LIT_BOOL: return "Edm.Boolean";
    case LIT_DT: return "Edm.DateTimeOffset";
    case LIT_GUID: return "Edm.Guid";
    default: return "null";
    }
}

static int mismatch(const struct sim_fnode *lit, int wt, struct es_err *err)
{
    return es_err_set(err, ES_EINVAL,
                      "A binary operator with incompatible types was detected. Found operand "
                      "types '%s' and '%s' at position %d.",
                      field_edm(wt), lit_edm(lit->lit), lit->pos);
}

/* Bind a literal as the parameter a field of wrapper type wt compares with. */
static int bind_literal(struct sim_sqlq *q, struct es_arena *a, int wt,
                        const struct sim_fnode *lit, struct es_err *err)
{
    char tmp[40];
    switch (wt) {
    case WT_STRING:
    case WT_GUID:
        if (lit->lit == LIT_STR || lit->lit == LIT_GUID) {
            sim_sqlq_add_param(q, a, SP_TEXT, 0, lit->s, lit->n);
            return 0;
        }
        if (lit->lit == LIT_INT) {
            int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)lit->i);
            sim_sqlq_add_param(q, a, SP_TEXT, 0, es_arena_strndup(a, tmp, (size_t)n),
                               (size_t)n);
            return 0;
        }
        return mismatch(lit, wt, err);
    case WT_BOOL:
        if (lit->lit != LIT_BOOL)
            return mismatch(lit, wt, err);
        sim_sqlq_add_param(q, a, SP_INT, lit->i, NULL, 0);
        return 0;
    case WT_INT:
    case WT_SHORT:
    case WT_LONG:
    case WT_BYTE:
        if (lit->lit == LIT_INT) {
            sim_sqlq_add_param(q, a, SP_INT, lit->i, NULL, 0);
            return 0;
        }
        if (lit->lit == LIT_DEC && lit->i % SIM_DEC_SCALE == 0) {
            sim_sqlq_add_param(q, a, SP_INT, lit->i / SIM_DEC_SCALE, NULL, 0);
            return 0;
        }
        return mismatch(lit, wt, err);
    case WT_DECIMAL:
    case WT_DOUBLE:
        if (lit->lit == LIT_INT) {
            if (lit->i > INT64_MAX / SIM_DEC_SCALE || lit->i < INT64_MIN / SIM_DEC_SCALE)
                return mismatch(lit, wt, err);
            sim_sqlq_add_param(q, a, SP_INT, lit->i * SIM_DEC_SCALE, NULL, 0);
            return 0;
        }
        if (lit->lit == LIT_DEC) {
            sim_sqlq_add_param(q, a, SP_INT, lit->i, NULL, 0);
            return 0;
        }
        return mismatch(lit, wt, err);
    case WT_DATETIME:
        if (lit->lit == LIT_DT) {
            sim_sqlq_add_param(q, a, SP_INT, lit->i, NULL, 0);
            return 0;
        }
        if (lit->lit == LIT_STR) {
            struct es_iso t;
            if (es_iso_parse(&t, lit->s, lit->n) == 0) {
                sim_sqlq_add_param(q, a, SP_INT, es_iso_to_ms(&t), NULL, 0);
                return 0;
            }
        }
        return mismatch(lit, wt, err);
    }
    return mismatch(lit, wt, err);
}

static const char *const sql_ops[] = {"=", "<>", ">", ">=", "<", "<="};

static int mirror(int op)
{
    switch (op) {
    case F_GT: return F_LT;
    case F_GE: return F_LE;
    case F_LT: return F_GT;
    case F_LE: return F_GE;
    default: return op;
    }
}

/* LIKE pattern for a string function, with % and _ escaped. */
static int like_call(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                     const struct sim_fnode *n, struct es_err *err)
{
    const struct sim_fnode *field, *lit;
    const char *fn = n->fn;
    int pre = 0, post = 0;
    if (n->nargs != 2)
        return es_err_set(err, ES_EINVAL, "Function '%s' takes 2 arguments at position %d.", fn,
                          n->pos);
    if (strcasecmp(fn, "substringof") == 0) {
        lit = n->args[0], field = n->args[1], pre = post = 1;
    } else if (strcasecmp(fn, "startswith") == 0) {
        field = n->args[0], lit = n->args[1], post = 1;
    } else {
        field = n->args[0], lit = n->args[1], pre = 1;
    }
    if (field->op != F_FIELD || lit->op != F_LIT || lit->lit != LIT_STR)
        return es_err_set(err, ES_EINVAL,
                          "Function '%s' needs a field and a string literal at position %d.", fn,
                          n->pos);
    struct fref f;
    if (resolve_field(q, a, e, field, &f, err))
        return ES_EINVAL;
    if (!is_text_wt(f.wt))
        return mismatch(lit, f.wt, err);
    char *pat = es_arena_alloc(a, lit->n * 2 + 3);
    size_t k = 0;
    if (pre)
        pat[k++] = '%';
    for (size_t i = 0; i < lit->n; i++) {
        if (lit->s[i] == '%' || lit->s[i] == '_' || lit->s[i] == '\\')
            pat[k++] = '\\';
        pat[k++] = lit->s[i];
    }
    if (post)
        pat[k++] = '%';
    es_buf_addf(&q->sql, "(%s LIKE ", f.expr);
    sim_sqlq_add_param(q, a, SP_TEXT, 0, pat, k);
    es_buf_adds(&q->sql, " ESCAPE '\\')");
    return 0;
}

static int compile_call(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                        const struct sim_fnode *n, struct es_err *err)
{
    if (strcasecmp(n->fn, "substringof") == 0 || strcasecmp(n->fn, "startswith") == 0 ||
        strcasecmp(n->fn, "endswith") == 0)
        return like_call(q, a, e, n, err);
    if (strncasecmp(n->fn, "cf.", 3) == 0)
        return es_err_set(err, ES_EINVAL, "The custom field in '%s' at position %d is not defined.",
                          n->fn, n->pos);
    return es_err_set(err, ES_EINVAL, "Unknown function '%s' at position %d.", n->fn, n->pos);
}

static int compile_cmp(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                       const struct sim_fnode *n, struct es_err *err)
{
    const struct sim_fnode *l = n->l, *r = n->r;
    int op = n->op;
    if (l->op == F_LIT && r->op != F_LIT) {
        const struct sim_fnode *t = l;
        l = r, r = t, op = mirror(op);
    }
    /* f(x) eq true / eq false */
    if (l->op == F_CALL && r->op == F_LIT && r->lit == LIT_BOOL && (op == F_EQ || op == F_NE)) {
        int negate = (op == F_NE) != (r->i == 0);
        es_buf_adds(&q->sql, negate ? "(NOT " : "(");
        if (compile_call(q, a, e, l, err))
            return ES_EINVAL;
        es_buf_adds(&q->sql, ")");
        return 0;
    }
    /* cf.X(...) eq 'v' names a custom field: its own error if unknown. */
    if (l->op == F_CALL && strncasecmp(l->fn, "cf.", 3) == 0)
        return compile_call(q, a, e, l, err);
    if (l->op != F_FIELD)
        return es_err_set(err, ES_EINVAL,
                          "A comparison needs a field on one side at position %d.", n->pos);
    struct fref f;
    if (resolve_field(q, a, e, l, &f, err))
        return ES_EINVAL;
    const char *coll = is_text_wt(f.wt) ? " COLLATE NOCASE" : "";
    if (r->op == F_LIT && r->lit == LIT_NULL) {
        if (op != F_EQ && op != F_NE)
            return es_err_set(err, ES_EINVAL, "Only eq and ne compare with null, at position %d.",
                              n->pos);
        es_buf_addf(&q->sql, "(%s IS %sNULL)", f.expr, op == F_EQ ? "" : "NOT ");
        return 0;
    }
    if (r->op == F_FIELD) {
        struct fref g;
        if (resolve_field(q, a, e, r, &g, err))
            return ES_EINVAL;
        es_buf_addf(&q->sql, "(%s%s %s %s)", f.expr, coll, sql_ops[op], g.expr);
        return 0;
    }
    if (r->op != F_LIT)
        return es_err_set(err, ES_EINVAL, "Unsupported comparison operand at position %d.", r->pos);
    /* "modified before X" alone matches most of a table: reading the
     * modified-time index for it, then sorting by key, costs far more than
     * reading by key (a client's window "lt now", paged by key). The unary
     * plus keeps SQLite from using that index for an upper bound. */
    int upper = (op == F_LT || op == F_LE) && !strcmp(f.expr, "modified");
    es_buf_addf(&q->sql, "(%s%s%s %s ", upper ? "+" : "", f.expr, coll, sql_ops[op]);
    if (bind_literal(q, a, f.wt, r, err))
        return ES_EINVAL;
    es_buf_adds(&q->sql, ")");
    return 0;
}

/* SQLite's parser overflows at about 45 nested parentheses, so the SQL is
 * kept flat: a chain of ands or ors is one group, double negations cancel,
 * and what still nests deeper than this is refused. */
#define MAX_SQL_DEPTH 24
#define MAX_CHAIN_TERMS 500 /* SQLite's expression depth limit is 1000 */

static int compile_at(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                      const struct sim_fnode *n, int depth, struct es_err *err);

/* a or b or c: "(a OR b OR c)", the terms in their written order. */
static int compile_chain(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                         const struct sim_fnode *n, int depth, struct es_err *err)
{
    const struct sim_fnode *stack[MAX_CHAIN_TERMS + 1];
    int sp = 0, terms = 0;
    stack[sp++] = n;
    es_buf_adds(&q->sql, "(");
    while (sp) {
        const struct sim_fnode *x = stack[--sp];
        if (x->op == n->op) {
            if (sp + 2 > MAX_CHAIN_TERMS)
                break;
            stack[sp++] = x->r;
            stack[sp++] = x->l;
            continue;
        }
        if (terms++)
            es_buf_adds(&q->sql, n->op == F_AND ? " AND " : " OR ");
        if (compile_at(q, a, e, x, depth + 1, err))
            return ES_EINVAL;
    }
    if (sp)
        return es_err_set(err, ES_EINVAL, "The $filter has more than %d conditions.",
                          MAX_CHAIN_TERMS);
    es_buf_adds(&q->sql, ")");
    return 0;
}

/* Is n "field op literal" on key k of the entity? */
static int key_cmp_node(const struct sim_entity *e, const struct sim_fnode *n, int op, int k)
{
    if (n->op != op || n->l->op != F_FIELD || n->l->npath != 1 || n->r->op != F_LIT ||
        n->r->lit != LIT_STR || !e->keys[k] || e->keys[k]->wt != WT_STRING)
        return 0;
    const struct sim_prop *p =
        sim_type_prop_ci(e->type, n->l->path[0], strlen(n->l->path[0]));
    return p == e->keys[k];
}

/* "K1 gt 'a' or (K1 eq 'a' and K2 gt 'b')" is how a client pages by key
 * (keyset paging). SQLite cannot use the key index for that OR and sorts
 * everything after the position for every page; the row value
 * "(k1, k2) > (a, b)" means the same and reads from the index. */
static int keyset_rewrite(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                          const struct sim_fnode *n, struct es_err *err)
{
    if (n->op != F_OR || !key_cmp_node(e, n->l, F_GT, 0) || n->r->op != F_AND)
        return 0;
    const struct sim_fnode *eq = n->r->l, *gt = n->r->r;
    if (!key_cmp_node(e, eq, F_EQ, 0) || !key_cmp_node(e, gt, F_GT, 1) ||
        eq->r->n != n->l->r->n || memcmp(eq->r->s, n->l->r->s, eq->r->n))
        return 0;
    es_buf_adds(&q->sql, "((k1, k2) > (");
    if (bind_literal(q, a, WT_STRING, n->l->r, err))
        return -1;
    es_buf_adds(&q->sql, ", ");
    if (bind_literal(q, a, WT_STRING, gt->r, err))
        return -1;
    es_buf_adds(&q->sql, "))");
    return 1;
}

static int compile_at(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                      const struct sim_fnode *n, int depth, struct es_err *err)
{
    int ks = keyset_rewrite(q, a, e, n, err);
    if (ks)
        return ks < 0 ? ES_EINVAL : 0;
    if (depth > MAX_SQL_DEPTH)
        return es_err_set(err, ES_EINVAL, "The $filter is nested too deeply.");
    switch (n->op) {
    case F_AND:
    case F_OR: return compile_chain(q, a, e, n, depth, err);
    case F_NOT: {
        int negate = 0;
        while (n->op == F_NOT)
            negate = !negate, n = n->l;
        if (!negate)
            return compile_at(q, a, e, n, depth, err);
        es_buf_adds(&q->sql, "(NOT ");
        if (compile_at(q, a, e, n, depth + 1, err))
            return ES_EINVAL;
        es_buf_adds(&q->sql, ")");
        return 0;
    }
    case F_CALL: return compile_call(q, a, e, n, err);
    case F_FIELD: {
        struct fref f;
        if (resolve_field(q, a, e, n, &f, err))
            return ES_EINVAL;
        if (f.wt != WT_BOOL)
            return es_err_set(err, ES_EINVAL,
                              "The field at position %d is not a Boolean condition.", n->pos);
        es_buf_addf(&q->sql, "(%s = 1)", f.expr);
        return 0;
    }
    case F_LIT:
        if (n->lit == LIT_BOOL) {
            es_buf_adds(&q->sql, n->i ? "(1)" : "(0)");
            return 0;
        }
        return es_err_set(err, ES_EINVAL, "A literal is not a condition, at position %d.", n->pos);
    default: return compile_cmp(q, a, e, n, err);
    }
}

int sim_filter_sql(struct sim_sqlq *q, struct es_arena *a, const struct sim_entity *e,
                   const struct sim_fnode *n, struct es_err *err)
{
    return compile_at(q, a, e, n, 0, err);
}

/* ---- evaluation over plain values (generic inquiries) ---- */

/* An integer as a decimal's micro-units, saturated: a literal past what a
 * decimal holds still compares as larger (or smaller) than any. */
static int64_t scaled(int64_t i)
{
    int64_t out;
    if (__builtin_mul_overflow(i, (int64_t)SIM_DEC_SCALE, &out))
        return i < 0 ? INT64_MIN : INT64_MAX;
    return out;
}

static int cmp_values(const struct sim_val *v, int wt, const struct sim_fnode *lit, int *out)
{
    if (lit->lit == LIT_NULL || v->t == SV_NULL)
        return -1;
    if (wt == WT_STRING || wt == WT_GUID) {
        if (v->t != SV_STR || (lit->lit != LIT_STR && lit->lit != LIT_GUID))
            return -1;
        size_t n = v->n < lit->n ? v->n : lit->n;
        int c = strncasecmp(v->u.s, lit->s, n);
        *out = c ? c : (v->n > lit->n) - (v->n < lit->n);
        return 0;
    }
    int64_t a, b;
    if (wt == WT_BOOL) {
        if (lit->lit != LIT_BOOL)
            return -1;
        a = v->t == SV_TRUE, b = lit->i;
    } else if (wt == WT_DATETIME) {
        if (lit->lit != LIT_DT || v->t != SV_DT)
            return -1;
        a = v->u.i, b = lit->i;
    } else {
        a = v->t == SV_DEC ? v->u.i : scaled(v->u.i);
        if (lit->lit == LIT_INT)
            b = scaled(lit->i);
        else if (lit->lit == LIT_DEC)
            b = lit->i;
        else
            return -1;
    }
    *out = (a > b) - (a < b);
    return 0;
}

static int like_value(const struct sim_val *v, const struct sim_fnode *n)
{
    const struct sim_fnode *lit = !strcasecmp(n->fn, "substringof") ? n->args[0] : n->args[1];
    if (v->t != SV_STR || lit->op != F_LIT || lit->lit != LIT_STR)
        return 0;
    if (lit->n > v->n)
        return 0;
    if (!strcasecmp(n->fn, "startswith"))
        return !strncasecmp(v->u.s, lit->s, lit->n);
    if (!strcasecmp(n->fn, "endswith"))
        return !strncasecmp(v->u.s + v->n - lit->n, lit->s, lit->n);
    for (size_t i = 0; i + lit->n <= v->n; i++)
        if (!strncasecmp(v->u.s + i, lit->s, lit->n))
            return 1;
    return 0;
}

static int call_field(const struct sim_fnode *n, const struct sim_fnode **field)
{
    if (n->nargs != 2)
        return -1;
    if (!strcasecmp(n->fn, "substringof"))
        *field = n->args[1];
    else if (!strcasecmp(n->fn, "startswith") || !strcasecmp(n->fn, "endswith"))
        *field = n->args[0];
    else
        return -1;
    return (*field)->op == F_FIELD && (*field)->npath == 1 ? 0 : -1;
}

int sim_filter_check(const struct sim_fnode *n, sim_filter_lookup lk, void *ctx,
                     struct es_err *err)
{
    struct sim_val v;
    int wt;
    const struct sim_fnode *f;
    switch (n->op) {
    case F_AND:
    case F_OR:
        return sim_filter_check(n->l, lk, ctx, err) || sim_filter_check(n->r, lk, ctx, err)
                   ? ES_EINVAL
                   : 0;
    case F_NOT: return sim_filter_check(n->l, lk, ctx, err);
    case F_CALL:
        if (call_field(n, &f) || lk(ctx, f->path[0], &v, &wt))
            return es_err_set(err, ES_EINVAL, "Unsupported function or column in '%s' at %d.",
                              n->fn, n->pos);
        return 0;
    case F_FIELD:
    case F_LIT: return es_err_set(err, ES_EINVAL, "A condition is expected at %d.", n->pos);
    default: {
        /* The value side is the literal; either side may hold it. */
        const struct sim_fnode *l = n->l->op == F_LIT ? n->r : n->l;
        const struct sim_fnode *r = l == n->l ? n->r : n->l;
        if (l->op == F_CALL && r->op == F_LIT && r->lit == LIT_BOOL &&
            (n->op == F_EQ || n->op == F_NE))
            return sim_filter_check(l, lk, ctx, err);
        if (l->op != F_FIELD || r->op != F_LIT)
            return es_err_set(err, ES_EINVAL, "A comparison of a column with a value is "
                                              "expected at %d.",
                              n->pos);
        if (l->npath != 1 || lk(ctx, l->path[0], &v, &wt))
            return es_err_set(err, ES_EINVAL, "Could not find a property named '%s'.",
                              l->path[0]);
        return 0;
    }
    }
}

int sim_filter_eval(const struct sim_fnode *n, sim_filter_lookup lk, void *ctx)
{
    struct sim_val v;
    int wt, c;
    const struct sim_fnode *f;
    switch (n->op) {
    case F_AND: return sim_filter_eval(n->l, lk, ctx) && sim_filter_eval(n->r, lk, ctx);
    case F_OR: return sim_filter_eval(n->l, lk, ctx) || sim_filter_eval(n->r, lk, ctx);
    case F_NOT: return !sim_filter_eval(n->l, lk, ctx);
    case F_CALL:
        if (call_field(n, &f) || lk(ctx, f->path[0], &v, &wt))
            return 0;
        return like_value(&v, n);
    default: {
        int op = n->op;
        const struct sim_fnode *l = n->l, *r = n->r;
        if (l->op == F_LIT) {
            const struct sim_fnode *t = l;
            l = r, r = t, op = mirror(op);
        }
        if (l->op == F_CALL)
            return (sim_filter_eval(l, lk, ctx) == (int)r->i) == (op == F_EQ);
        if (l->op != F_FIELD || lk(ctx, l->path[0], &v, &wt))
            return 0;
        if (r->lit == LIT_NULL)
            return (v.t == SV_NULL) == (op == F_EQ);
        if (cmp_values(&v, wt, r, &c))
            return 0;
        switch (op) {
        case F_EQ: return c == 0;
        case F_NE: return c != 0;
        case F_GT: return c > 0;
        case F_GE: return c >= 0;
        case F_LT: return c < 0;
        default: return c <= 0;
        }
    }
    }
}
