/* OData over the predefined inquiries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "filter.h"
#include "gi.h"
#include "odata.h"
#include "render.h"
#include "sim.h"
#include "write.h"

#define MAX_ROWS 2000000

struct orow {
    struct sim_val *v;
};

struct collect {
    const struct sim_gi *gi;
    struct es_arena *a;
    const struct sim_fnode *filter;
    struct orow *rows;
    size_t n, cap;
    int too_many;
};

struct lookctx {
    const struct sim_gi *gi;
    const struct sim_val *vals;
};

static int lookup(void *ctx, const char *name, struct sim_val *out, int *wt)
{
    struct lookctx *l = ctx;
    int i = sim_gi_col(l->gi, name, strlen(name));
    if (i < 0)
        return -1;
    if (l->vals)
        *out = l->vals[i];
    *wt = l->gi->cols[i].wt;
    return 0;
}

static void keep_row(struct collect *c, const struct sim_doc *d, const struct sim_doc *line,
                     int64_t created, int64_t modified)
{
    struct sim_val *v = es_arena_alloc(c->a, (size_t)c->gi->ncols * sizeof(*v));
    sim_gi_row(c->gi, d, line, created, modified, v);
    struct lookctx l = {c->gi, v};
    if (c->filter && !sim_filter_eval(c->filter, lookup, &l))
        return;
    if (c->n == MAX_ROWS) {
        c->too_many = 1;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->rows = es_xrealloc(c->rows, c->cap * sizeof(*c->rows));
    }
    c->rows[c->n++].v = v;
}

static int collect_cb(const struct sim_row *row, void *ctx)
{
    struct collect *c = ctx;
    struct sim_doc *d;
    void *copy = es_arena_memdup(c->a, row->body, row->body_n);
    if (sim_doc_decode(c->a, &d, copy, row->body_n))
        return 0;
    if (!c->gi->detail) {
        keep_row(c, d, NULL, row->created, row->modified);
        return c->too_many;
    }
    const struct sim_val *lines = sim_doc_get(d, sim_nm(c->gi->detail));
    for (uint32_t i = 0; lines && lines->t == SV_ARR && i < lines->n; i++)
        keep_row(c, d, lines->u.arr[i], row->created, row->modified);
    return c->too_many;
}

/* $orderby: "Col [asc|desc], ..." */
struct order {
    int col[8], desc[8], n;
};

static int cmp_val(const struct sim_val *a, const struct sim_val *b)
{
    if (a->t == SV_NULL || b->t == SV_NULL)
        return (a->t != SV_NULL) - (b->t != SV_NULL);
    if (a->t == SV_STR && b->t == SV_STR) {
        size_t n = a->n < b->n ? a->n : b->n;
        int c = strncasecmp(a->u.s, b->u.s, n);
        return c ? c : (a->n > b->n) - (a->n < b->n);
    }
    int64_t x = a->t == SV_TRUE ? 1 : a->t == SV_FALSE ? 0 : a->u.i;
    int64_t y = b->t == SV_TRUE ? 1 : b->t == SV_FALSE ? 0 : b->u.i;
    return (x > y) - (x < y);
}

static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
    const struct orow *a = pa, *b = pb;
    const struct order *o = ctx;
    for (int i = 0; i < o->n; i++) {
        int c = cmp_val(&a->v[o->col[i]], &b->v[o->col[i]]);
        if (c)
            return o->desc[i] ? -c : c;
    }
    return 0;
}

static int parse_orderby(const struct sim_gi *gi, const char *text, struct order *o,
                         struct es_err *err)
{
    o->n = 0;
    const char *p = text;
    while (p && *p && o->n < 8) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != ',')
            e++;
        int col = sim_gi_col(gi, p, (size_t)(e - p));
        if (col < 0)
            return es_err_set(err, ES_EINVAL, "Could not find a property named '%.*s' on type "
                                              "'%s'.",
                              (int)(e - p), p, gi->name);
        while (*e == ' ')
            e++;
        int desc = 0;
        if (!strncasecmp(e, "desc", 4)) {
            desc = 1;
            e += 4;
        } else if (!strncasecmp(e, "asc", 3)) {
            e += 3;
        }
        o->col[o->n] = col;
        o->desc[o->n++] = desc;
        while (*e == ' ')
            e++;
        if (*e && *e != ',')
            return es_err_set(err, ES_EINVAL, "Syntax error in $orderby at '%s'.", e);
        p = *e ? e + 1 : NULL;
    }
    return 0;
}

static void odata_error(struct sim_resp *rs, int v4, int status, const char *msg)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    if (v4)
        es_buf_adds(&b, "{\"error\":{\"code\":\"\",\"message\":\"");
    else
        es_buf_adds(&b, "{\"odata.error\":{\"code\":\"\",\"message\":{\"lang\":\"en-US\","
                        "\"value\":\"");
    es_buf_add_json_escaped(&b, msg, strlen(msg));
    es_buf_adds(&b, v4 ? "\"}}" : "\"}}}");
    sim_resp_json(rs, status, b.data);
    es_buf_dispose(&b);
}

static void put_plain(struct es_buf *b, const struct sim_val *v, int wt, int v4)
{
    switch (v->t) {
    case SV_STR:
        es_buf_add(b, "\"", 1);
        es_buf_add_json_escaped(b, v->u.s, v->n);
        es_buf_add(b, "\"", 1);
        return;
    case SV_TRUE: es_buf_adds(b, "true"); return;
    case SV_FALSE: es_buf_adds(b, "false"); return;
    case SV_DT:
        es_buf_add(b, "\"", 1);
        if (v4) {
            char t[40];
            es_time_format_utc(t, sizeof(t), v->u.i);
            es_buf_adds(b, t);
        } else {
            sim_put_datetime(b, v->u.i, 0);
        }
        es_buf_add(b, "\"", 1);
        return;
    case SV_DEC:
    case SV_INT:
        if (wt == WT_DECIMAL && !v4) {
            /* Legacy GI OData shows decimals as strings with six places. */
            int64_t m = v->t == SV_DEC ? v->u.i : v->u.i * SIM_DEC_SCALE;
            es_buf_addf(b, "\"%s%lld.%06lld\"", m < 0 ? "-" : "",
                        (long long)(m < 0 ? -m : m) / SIM_DEC_SCALE,
                        (long long)(m < 0 ? -m : m) % SIM_DEC_SCALE);
        } else if (v->t == SV_DEC) {
            sim_put_decimal(b, v->u.i);
        } else {
            es_buf_addf(b, "%lld", (long long)v->u.i);
        }
        return;
    default: es_buf_adds(b, "null");
    }
}

static const char *edm(int wt, int v4)
{
    switch (wt) {
    case WT_BOOL: return "Edm.Boolean";
    case WT_INT: return "Edm.Int32";
    case WT_DECIMAL: return "Edm.Decimal";
    case WT_DATETIME: return v4 ? "Edm.DateTimeOffset" : "Edm.DateTime";
    default: return "Edm.String";
    }
}

static void metadata(struct sim_resp *rs, int v4)
{
    struct es_buf *b = &rs->body;
    es_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    if (v4)
        es_buf_adds(b, "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/"
                       "ns/edmx\"><edmx:DataServices><Schema Namespace=\"PX.Data\" xmlns=\""
                       "http://docs.oasis-open.org/odata/ns/edm\">");
    else
        es_buf_adds(b, "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/"
                       "2007/06/edmx\"><edmx:DataServices m:DataServiceVersion=\"3.0\" "
                       "m:MaxDataServiceVersion=\"3.0\" xmlns:m=\"http://schemas.microsoft.com/"
                       "ado/2007/08/dataservices/metadata\"><Schema Namespace=\"PX.Data\" "
                       "xmlns=\"http://schemas.microsoft.com/ado/2009/11/edm\">");
    for (int i = 0; i < sim_ngis; i++) {
        const struct sim_gi *gi = &sim_gis[i];
        es_buf_addf(b, "<EntityType Name=\"%s\"><Key><PropertyRef Name=\"%s\" /></Key>", gi->name,
                    gi->cols[0].name);
        for (int k = 0; k < gi->ncols; k++)
            es_buf_addf(b, "<Property Name=\"%s\" Type=\"%s\" />", gi->cols[k].name,
                        edm(gi->cols[k].wt, v4));
        es_buf_adds(b, "</EntityType>");
    }
    es_buf_addf(b, "<EntityContainer Name=\"Default\"%s>",
                v4 ? "" : " m:IsDefaultEntityContainer=\"true\"");
    for (int i = 0; i < sim_ngis; i++)
        es_buf_addf(b, "<EntitySet Name=\"%s\" EntityType=\"PX.Data.%s\" />", sim_gis[i].name,
                    sim_gis[i].name);
    es_buf_adds(b, "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
    rs->status = 200;
    rs->ctype = "application/xml; charset=utf-8";
}

static void service_doc(struct sim_resp *rs, const char *base, int v4)
{
    struct es_buf *b = &rs->body;
    es_buf_addf(b, "{\"%s\":\"%s$metadata\",\"value\":[", v4 ? "@odata.context" : "odata.metadata",
                base);
    for (int i = 0; i < sim_ngis; i++)
        es_buf_addf(b, "%s{\"name\":\"%s\",%s\"url\":\"%s\"}", i ? "," : "", sim_gis[i].name,
                    v4 ? "\"kind\":\"EntitySet\"," : "", sim_gis[i].name);
    es_buf_adds(b, "]}");
    rs->status = 200;
    rs->ctype = v4 ? "application/json; odata.metadata=minimal" : "application/json";
}

static int selected(const char *select, const char *col)
{
    if (!select || !*select)
        return 1;
    size_t n = strlen(col);
    for (const char *p = select; p && *p;) {
        while (*p == ' ')
            p++;
        if (!strncasecmp(p, col, n) && (p[n] == ',' || p[n] == ' ' || !p[n]))
            return 1;
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return 0;
}

static void entries_json(struct sim_resp *rs, const struct collect *c, const char *select,
                         size_t from, size_t to, const char *context, int v4)
{
    struct es_buf *b = &rs->body;
    es_buf_addf(b, "{\"%s\":\"%s\",\"value\":[", v4 ? "@odata.context" : "odata.metadata",
                context);
    for (size_t r = from; r < to; r++) {
        es_buf_adds(b, r > from ? ",{" : "{");
        int first = 1;
        for (int k = 0; k < c->gi->ncols; k++) {
            if (!selected(select, c->gi->cols[k].name))
                continue;
            es_buf_addf(b, "%s\"%s\":", first ? "" : ",", c->gi->cols[k].name);
            put_plain(b, &c->rows[r].v[k], c->gi->cols[k].wt, v4);
            first = 0;
        }
        es_buf_adds(b, "}");
    }
    es_buf_adds(b, "]}");
    rs->status = 200;
    rs->ctype = v4 ? "application/json; odata.metadata=minimal; odata.streaming=true"
                   : "application/json";
}

static void entries_atom(struct sim_resp *rs, const struct collect *c, const char *select,
                         size_t from, size_t to, const char *base)
{
    struct es_buf *b = &rs->body;
    es_buf_addf(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xml:base=\"%s\" "
                   "xmlns=\"http://www.w3.org/2005/Atom\" xmlns:d=\"http://schemas.microsoft.com/"
                   "ado/2007/08/dataservices\" xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/"
                   "dataservices/metadata\"><title type=\"text\">%s</title>",
                base, c->gi->name);
    for (size_t r = from; r < to; r++) {
        es_buf_adds(b, "<entry><content type=\"application/xml\"><m:properties>");
        for (int k = 0; k < c->gi->ncols; k++) {
            if (!selected(select, c->gi->cols[k].name))
                continue;
            struct es_buf v;
            es_buf_init(&v, 0);
            put_plain(&v, &c->rows[r].v[k], c->gi->cols[k].wt, 0);
            const char *text = v.data ? v.data : "null";
            if (!strcmp(text, "null")) {
                es_buf_addf(b, "<d:%s m:null=\"true\" />", c->gi->cols[k].name);
            } else {
                size_t n = strlen(text);
                if (text[0] == '"')
                    text++, n -= 2;
                es_buf_addf(b, "<d:%s>%.*s</d:%s>", c->gi->cols[k].name, (int)n, text,
                            c->gi->cols[k].name);
            }
            es_buf_dispose(&v);
        }
        es_buf_adds(b, "</m:properties></content></entry>");
    }
    es_buf_adds(b, "</feed>");
    rs->status = 200;
    rs->ctype = "application/atom+xml;type=feed;charset=utf-8";
}

static int64_t uint_arg(struct sim_req *rq, const char *name, int *bad)
{
    const char *v = sim_req_arg(rq, name);
    if (!v)
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < 0)
        *bad = 1;
    return n;
}

static void query(struct sim *s, struct sim_req *rq, struct sim_resp *rs,
                  const struct sim_gi *gi, const char *base, int v4)
{
    struct es_err err = {0};
    struct sim_fnode *filter = NULL;
    const char *f = sim_req_arg(rq, "$filter");
    struct lookctx l = {gi, NULL};
    if (f && *f &&
        (sim_filter_parse(&filter, rq->arena, f, &err) || sim_filter_check(filter, lookup, &l, &err))) {
        odata_error(rs, v4, 400, err.msg);
        return;
    }
    struct order ord = {.n = 0};
    const char *ob = sim_req_arg(rq, "$orderby");
    if (ob && parse_orderby(gi, ob, &ord, &err)) {
        odata_error(rs, v4, 400, err.msg);
        return;
    }
    int bad = 0;
    int64_t top = uint_arg(rq, "$top", &bad), skip = uint_arg(rq, "$skip", &bad);
    if (bad) {
        odata_error(rs, v4, 400, "$top and $skip must be non-negative integers.");
        return;
    }
    if (sim_req_arg(rq, "$expand")) {
        odata_error(rs, v4, 400, "The query parameter '$expand' is not supported.");
        return;
    }
    struct collect c = {.gi = gi, .a = rq->arena, .filter = filter};
    sim_store_lock(s->store);
    sim_store_list(s->store, gi->entity, NULL, -1, 0, collect_cb, &c, &err);
    sim_store_unlock(s->store);
    if (c.too_many) {
        free(c.rows);
        odata_error(rs, v4, 500, "The inquiry returns too many rows; use $filter or $top.");
        return;
    }
    if (ord.n)
        qsort_r(c.rows, c.n, sizeof(*c.rows), cmp_rows, &ord);
    size_t from = skip > 0 ? (size_t)skip : 0;
    if (from > c.n)
        from = c.n;
    size_t to = top >= 0 && from + (size_t)top < c.n ? from + (size_t)top : c.n;
    const char *fmt = sim_req_arg(rq, "$format");
    const char *accept = sim_req_header(rq, "Accept");
    int json = v4 || (fmt && !strcasecmp(fmt, "json")) || (accept && strstr(accept, "json"));
    char context[512];
    snprintf(context, sizeof(context), "%s$metadata#%s", base, gi->name);
    if (json)
        entries_json(rs, &c, sim_req_arg(rq, "$select"), from, to, context, v4);
    else
        entries_atom(rs, &c, sim_req_arg(rq, "$select"), from, to, base);
    if (v4)
        sim_resp_header(rs, "OData-Version", "4.0");
    else
        sim_resp_header(rs, "DataServiceVersion", "3.0");
    free(c.rows);
}

void sim_odata(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int nseg)
{
    int v4 = !strcasecmp(seg[0], "t");
    const char *host = sim_req_header(rq, "Host");
    char base[512];
    const char *rest = NULL;
    if (v4) {
        /* /t/<tenant>/api/odata/gi[/<inquiry>] */
        if (nseg < 5 || strcasecmp(seg[1], s->cfg.tenant) || strcasecmp(seg[2], "api") ||
            strcasecmp(seg[3], "odata") || strcasecmp(seg[4], "gi") || nseg > 6) {
            odata_error(rs, 1, 404, "The resource is not found.");
            return;
        }
        snprintf(base, sizeof(base), "http://%s%s/t/%s/api/odata/gi/", host ? host : "localhost",
                 s->cfg.site, s->cfg.tenant);
        rest = nseg == 6 ? seg[5] : NULL;
    } else {
        /* /odata/<tenant>/<inquiry>, or /odata/<inquiry> on a one-tenant site */
        int tenant = nseg >= 2 && !strcasecmp(seg[1], s->cfg.tenant);
        snprintf(base, sizeof(base), "http://%s%s/odata/%s%s", host ? host : "localhost",
                 s->cfg.site, tenant ? s->cfg.tenant : "", tenant ? "/" : "");
        rest = nseg > 1 + tenant ? seg[1 + tenant] : NULL;
        if (nseg > 2 + tenant) {
            odata_error(rs, 0, 404, "The resource is not found.");
            return;
        }
    }
    rq->entity = rest ? rest : "odata";
    if (strcmp(rq->method, "GET")) {
        odata_error(rs, v4, 405, "OData is read-only.");
        return;
    }
    if (sim_auth_check(s, rq, rs, SIM_AUTH_BASIC | SIM_AUTH_BEARER | SIM_AUTH_COOKIE))
        return;
    sim_auth_common_cookies(s, rs);
    if (!rest) {
        service_doc(rs, base, v4);
        return;
    }
    if (!strcmp(rest, "$metadata")) {
        metadata(rs, v4);
        return;
    }
    const struct sim_gi *gi = sim_gi_find(rest);
    if (!gi) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Resource not found for the segment '%.100s'.", rest);
        odata_error(rs, v4, 404, msg);
        return;
    }
    query(s, rq, rs, gi, base, v4);
}
