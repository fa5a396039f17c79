/* The contract-based REST API. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "erpsync/mem.h"
#include "erpsync/utf8.h"
#include "filter.h"
#include "input.h"
#include "names.h"
#include "render.h"
#include "rest.h"
#include "sel.h"
#include "sim.h"
#include "write.h"

#define JSON_CT "application/json; charset=utf-8"

static void bad_request(struct sim_resp *rs, const char *key, const char *msg)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    es_buf_adds(&b, "{\"message\":\"The request is invalid.\",\"modelState\":{\"");
    es_buf_add_json_escaped(&b, key, strlen(key));
    es_buf_adds(&b, "\":[\"");
    es_buf_add_json_escaped(&b, msg, strlen(msg));
    es_buf_adds(&b, "\"]}}");
    sim_resp_json(rs, 400, b.data);
    es_buf_dispose(&b);
}

static void no_entity(struct sim_resp *rs)
{
    sim_resp_error(rs, 500, "An error has occurred.", "No entity satisfies the condition.",
                   "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException");
}

static void not_found_route(struct sim_req *rq, struct sim_resp *rs)
{
    char msg[600];
    snprintf(msg, sizeof(msg), "No HTTP resource was found that matches the request URI '%.500s'.",
             rq->path);
    sim_resp_error(rs, 404, msg, NULL, NULL);
}

static void query_error(struct sim_resp *rs, const char *msg)
{
    sim_resp_error(rs, 500, "An error has occurred.", msg, "PX.Api.ContractBased.ODataException");
}

/* $top / $skip: non-negative integers. */
static int int_arg(struct sim_req *rq, struct sim_resp *rs, const char *name, int64_t *out)
{
    const char *v = sim_req_arg(rq, name);
    *out = -1;
    if (!v)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < 0 || n > 2147483647LL) {
        char msg[160];
        snprintf(msg, sizeof(msg), "The value '%.60s' is not valid for Nullable`1.", v);
        bad_request(rs, name, msg);
        return -1;
    }
    *out = n;
    return 0;
}

/* ---- listing ---- */

struct list_ctx {
    struct sim_render r;
    const struct sim_sel *sel;
    struct es_arena rowmem;
    uint32_t row;
    int failed;
};

static int list_row(const struct sim_row *row, void *vctx)
{
    struct list_ctx *c = vctx;
    struct sim_doc *d;
    es_arena_reset(&c->rowmem);
    if (sim_doc_decode(&c->rowmem, &d, row->body, row->body_n)) {
        c->failed = 1;
        return 0; /* a damaged record is skipped, not fatal */
    }
    struct sim_meta m = {row->id, row->created, row->modified};
    if (c->row)
        es_buf_add(c->r.out, ",", 1);
    sim_render_record(&c->r, d, &m, c->sel, NULL, ++c->row);
    return 0;
}

/* The list GET fails the way Acumatica's optimised export fails when a
 * detail that cannot be read in bulk is expanded (Payment.ApplicationHistory). */
static int cannot_optimize(const struct sim_entity *ent, const struct sim_sel *sel,
                           struct sim_resp *rs)
{
    for (size_t i = 0; ent->def->list_fail && ent->def->list_fail[i]; i++) {
        const char *d = ent->def->list_fail[i];
        for (size_t k = 0; k < sel->nkids; k++) {
            const struct sim_sel_kid *kid = &sel->kids[k];
            if (strcmp(kid->prop->name, d) || !sim_sel_kid_shown(sel, kid->sel))
                continue;
            struct es_buf m;
            es_buf_init(&m, 0);
            es_buf_adds(&m, "Optimization cannot be performed.The following fields cause the error:\r\n");
            const struct sim_type *t = kid->prop->type;
            for (size_t f = 0; f < t->nprops; f++) {
                const struct sim_prop *p = &t->props[f];
                if (p->kind == SK_VALUE &&
                    (kid->sel->all || sim_sel_has_field(kid->sel, p->name_id)))
                    es_buf_addf(&m, "%s.%s: View ARPost has BQL delegate\r\n", d, p->name);
            }
            sim_resp_error(rs, 500, "An error has occurred.", m.data,
                           "PX.Api.ContractBased.OptimizedExport.CannotOptimizeException");
            es_buf_dispose(&m);
            return 1;
        }
    }
    return 0;
}

static int parse_sel(struct sim_req *rq, struct sim_resp *rs, const struct sim_entity *ent,
                     struct sim_sel **sel)
{
    struct es_err err = {0};
    if (sim_sel_parse(sel, rq->arena, ent->type, sim_req_arg(rq, "$select"),
                      sim_req_arg(rq, "$expand"), &err)) {
        query_error(rs, err.msg);
        return -1;
    }
    /* The key fields come back whatever $select says (seen on live sites). */
    if (!(*sel)->all)
        for (int k = 0; k < ent->def->nkeys; k++)
            sim_sel_add_field(*sel, rq->arena, ent->keys[k]->name_id);
    return 0;
}

/* Parse and compile $filter into q (initialised by the caller). */
static int parse_filter(struct sim_req *rq, struct sim_resp *rs, const struct sim_entity *ent,
                        struct sim_sqlq *q, int *has)
{
    const char *f = sim_req_arg(rq, "$filter");
    *has = f && *f;
    if (!*has)
        return 0;
    struct es_err err = {0};
    struct sim_fnode *tree;
    if (sim_filter_parse(&tree, rq->arena, f, &err) ||
        sim_filter_sql(q, rq->arena, ent, tree, &err)) {
        query_error(rs, err.msg);
        return -1;
    }
    return 0;
}

static void list(struct sim *s, const struct sim_endpoint *ep, const struct sim_entity *ent,
                 struct sim_req *rq, struct sim_resp *rs)
{
    int64_t top, skip;
    if (int_arg(rq, rs, "$top", &top) || int_arg(rq, rs, "$skip", &skip))
        return;
    struct sim_sel *sel;
    struct sim_sqlq q;
    sim_sqlq_init(&q);
    int has_filter;
    if (parse_sel(rq, rs, ent, &sel) || parse_filter(rq, rs, ent, &q, &has_filter))
        goto out;
    if (cannot_optimize(ent, sel, rs))
        goto out;
    /* Fields the filter names are returned too (seen on live sites). */
    if (!sel->all)
        for (size_t i = 0; i < q.nfields; i++)
            sim_sel_add_field(sel, rq->arena, q.fields[i]);
    struct list_ctx c = {.r = {&rs->body, ent, ep->base}, .sel = sel};
    es_arena_init(&c.rowmem, 64 * 1024);
    es_buf_reserve(&rs->body, 64 * 1024);
    es_buf_add(&rs->body, "[", 1);
    struct es_err err = {0};
    sim_store_lock(s->store);
    int rc = sim_store_list(s->store, ent->def->name, has_filter ? &q : NULL, top, skip, list_row,
                            &c, &err);
    sim_store_unlock(s->store);
    es_arena_dispose(&c.rowmem);
    if (rc) {
        sim_resp_error(rs, 500, "An error has occurred.", err.msg, "PX.Data.PXException");
        goto out;
    }
    es_buf_add(&rs->body, "]", 1);
    rs->status = 200;
    rs->ctype = JSON_CT;
out:
    sim_sqlq_dispose(&q);
}

/* ---- one record ---- */

static int looks_like_guid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
                                                      : !isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Key values from path segments: "SO/000123" or "SO|000123". */
static int split_keys(struct sim_req *rq, char **seg, int nseg, const char **keys)
{
    if (nseg == 1 && strchr(seg[0], '|')) {
        char *copy = es_arena_strdup(rq->arena, seg[0]);
        int n = 0;
        for (char *p = copy; p && n < 2;) {
            char *bar = strchr(p, '|');
            if (bar)
                *bar = '\0';
            keys[n++] = p;
            p = bar ? bar + 1 : NULL;
        }
        return n;
    }
    for (int i = 0; i < nseg && i < 2; i++)
        keys[i] = seg[i];
    return nseg > 2 ? 3 : nseg;
}

struct one {
    struct sim_doc *doc;
    char id[37];
    int64_t created, modified;
};

static int load_one(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                    struct sim_req *rq, char **seg, int nseg, struct one *o)
{
    int rc = 0;
    sim_store_lock(s->store);
    if (nseg == 1 && looks_like_guid(seg[0]))
        rc = sim_write_load(s, a, ent, NULL, 0, seg[0], &o->doc, o->id, &o->created,
                            &o->modified);
    if (rc != 1) {
        const char *keys[2] = {0};
        int nk = split_keys(rq, seg, nseg, keys);
        rc = sim_write_load(s, a, ent, keys, nk, NULL, &o->doc, o->id, &o->created, &o->modified);
    }
    sim_store_unlock(s->store);
    return rc;
}

static void get_one(struct sim *s, const struct sim_endpoint *ep, const struct sim_entity *ent,
                    struct sim_req *rq, struct sim_resp *rs, char **seg, int nseg)
{
    struct sim_sel *sel;
    if (parse_sel(rq, rs, ent, &sel))
        return;
    struct one o;
    if (load_one(s, rq->arena, ent, rq, seg, nseg, &o) != 1) {
        no_entity(rs);
        return;
    }
    struct sim_render r = {&rs->body, ent, ep->base};
    struct sim_meta m = {o.id, o.created, o.modified};
    sim_render_record(&r, o.doc, &m, sel, NULL, 1);
    rs->status = 200;
    rs->ctype = JSON_CT;
}

int sim_rest_render_by_id(struct sim *s, const struct sim_endpoint *ep, const char *entity,
                          const char *id, const char *select, const char *expand,
                          struct es_arena *a, struct es_buf *out)
{
    const struct sim_entity *ent = sim_entity_of(ep, entity);
    struct sim_sel *sel;
    if (!ent || sim_sel_parse(&sel, a, ent->type, select, expand, NULL))
        return 500;
    struct one o;
    sim_store_lock(s->store);
    int rc = sim_write_load(s, a, ent, NULL, 0, id, &o.doc, o.id, &o.created, &o.modified);
    sim_store_unlock(s->store);
    if (rc != 1)
        return 500;
    struct sim_render r = {out, ent, ep->base};
    struct sim_meta m = {o.id, o.created, o.modified};
    sim_render_record(&r, o.doc, &m, sel, NULL, 1);
    return 200;
}

/* ---- PUT ---- */

static int atoi_safe(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

/* Walk "Details[1].InventoryID" inside a JSON object, creating what is missing. */
static cJSON *json_path(cJSON *root, const char *path)
{
    char buf[200];
    snprintf(buf, sizeof(buf), "%s", path);
    cJSON *cur = root;
    for (char *p = buf; p && *p && cur;) {
        char *dot = strchr(p, '.');
        if (dot)
            *dot = '\0';
        char *br = strchr(p, '[');
        int idx = -1;
        if (br) {
            idx = atoi_safe(br + 1);
            *br = '\0';
        }
        cJSON *next = cJSON_GetObjectItem(cur, p);
        if (!next) {
            next = idx >= 0 ? cJSON_CreateArray() : cJSON_CreateObject();
            cJSON_AddItemToObject(cur, p, next);
        }
        if (idx >= 0)
            next = cJSON_GetArrayItem(next, idx);
        cur = next;
        p = dot ? dot + 1 : NULL;
    }
    return cJSON_IsObject(cur) ? cur : NULL;
}

static void add_links(cJSON *o, const struct sim_endpoint *ep, const struct sim_entity *ent,
                      const char *id)
{
    cJSON *links = cJSON_AddObjectToObject(o, "_links");
    char buf[512];
    snprintf(buf, sizeof(buf), "%s%s/%s", ep->base, ent->def->name, id);
    cJSON_AddStringToObject(links, "self", buf);
    snprintf(buf, sizeof(buf), "%sfiles/%s/%s/%s/{filename}", ep->base, ent->def->graph,
             ent->def->view, id);
    cJSON_AddStringToObject(links, "files:put", buf);
}

/* The 422 body: the record as sent, with an error on every failing field and
 * a summary on the record (API-NOTES §5.3). */
static void unprocessable(struct sim_resp *rs, const struct sim_endpoint *ep,
                          const struct sim_entity *ent, const cJSON *body,
                          const struct sim_write_result *res, int inserting)
{
    cJSON *fields = cJSON_Duplicate(body, 1);
    for (int i = 0; i < res->nerrs; i++) {
        cJSON *w = json_path(fields, res->errs[i].path);
        if (!w)
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(w, "error");
        cJSON_AddStringToObject(w, "error", res->errs[i].msg);
    }
    const char *autonum = ent->def->autonum;
    if (inserting && autonum) {
        cJSON_DeleteItemFromObject(fields, autonum);
        cJSON *w = cJSON_AddObjectToObject(fields, autonum);
        cJSON_AddStringToObject(w, "value", "<NEW>");
    }
    char id[37];
    if (res->id[0])
        memcpy(id, res->id, 37);
    else
        sim_guid(id);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "id", id);
    cJSON_AddNumberToObject(out, "rowNumber", 1);
    cJSON_AddStringToObject(out, "error", res->message);
    cJSON *note = cJSON_AddObjectToObject(out, "note");
    cJSON_AddStringToObject(note, "value", "");
    for (cJSON *m = fields->child; m;) {
        cJSON *next = m->next;
        if (m->string && strcmp(m->string, "id") && strcmp(m->string, "rowNumber") &&
            strcmp(m->string, "note") && strcmp(m->string, "custom") &&
            strcmp(m->string, "_links") && strcmp(m->string, "error"))
            cJSON_AddItemToObject(out, m->string, cJSON_DetachItemViaPointer(fields, m));
        m = next;
    }
    cJSON_AddObjectToObject(out, "custom");
    add_links(out, ep, ent, id);
    char *text = cJSON_PrintUnformatted(out);
    sim_resp_json(rs, 422, text);
    cJSON_free(text);
    cJSON_Delete(out);
    cJSON_Delete(fields);
}

/* JSON is UTF-8 text (RFC 8259), and cJSON passes any bytes inside
 * strings: a body that is not UTF-8 is malformed, refused as a body that
 * does not parse is (400, modelState under key). 0, or -1 answered. */
static int utf8_body(struct sim_req *rq, struct sim_resp *rs, const char *key)
{
    size_t at;
    if (es_utf8_valid(rq->body, rq->body_n, &at))
        return 0;
    char msg[160];
    unsigned char b = (unsigned char)rq->body[at];
    snprintf(msg, sizeof(msg),
             "The request body is not valid UTF-8 JSON: the byte 0x%02X at position %zu is not "
             "part of a UTF-8 character.",
             b, at);
    bad_request(rs, key, msg);
    return -1;
}

static cJSON *parse_body(struct sim_req *rq, struct sim_resp *rs)
{
    size_t i = 0;
    while (i < rq->body_n && isspace((unsigned char)rq->body[i]))
        i++;
    if (i == rq->body_n) {
        bad_request(rs, "", "The request body should not be empty.");
        return NULL;
    }
    if (utf8_body(rq, rs, "entity"))
        return NULL;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(rq->body, rq->body_n, &end, 0);
    if (!j) {
        char msg[160];
        snprintf(msg, sizeof(msg), "Unexpected character encountered while parsing value at "
                                   "position %ld.",
                 end ? (long)(end - rq->body) : 0L);
        bad_request(rs, "entity", msg);
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        bad_request(rs, "entity", "An object was expected as the request body.");
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static void inquiry(struct sim *s, const struct sim_endpoint *ep, const struct sim_entity *ent,
                    struct sim_req *rq, struct sim_resp *rs, cJSON *body)
{
    struct es_buf ms;
    es_buf_init(&ms, 0);
    struct sim_doc *filter;
    if (sim_input_doc(&filter, rq->arena, ent->type, body, &ms)) {
        struct es_buf b;
        es_buf_init(&b, 0);
        es_buf_addf(&b, "{\"message\":\"The request is invalid.\",\"modelState\":{%s}}", ms.data);
        sim_resp_json(rs, 400, b.data);
        es_buf_dispose(&b);
        es_buf_dispose(&ms);
        return;
    }
    es_buf_dispose(&ms);
    struct sim_sel *sel;
    if (parse_sel(rq, rs, ent, &sel))
        return;
    struct sim_doc *result;
    if (sim_actions_inquiry(s, rq->arena, ent, filter, &result)) {
        sim_resp_error(rs, 500, "An error has occurred.", "The inquiry failed.",
                       "PX.Data.PXException");
        return;
    }
    char id[37];
    sim_guid(id);
    struct sim_render r = {&rs->body, ent, ep->base};
    struct sim_meta m = {id, 0, 0};
    sim_render_record(&r, result, &m, sel, filter, 1);
    rs->status = 200;
    rs->ctype = JSON_CT;
}

static void put(struct sim *s, const struct sim_endpoint *ep, const struct sim_entity *ent,
                struct sim_req *rq, struct sim_resp *rs)
{
    cJSON *body = parse_body(rq, rs);
    if (!body)
        return;
    if (ent->def->inquiry) {
        inquiry(s, ep, ent, rq, rs, body);
        cJSON_Delete(body);
        return;
    }
    struct es_buf ms;
    es_buf_init(&ms, 0);
    struct sim_put req = {.ep = ep, .ent = ent, .trusted = rq->trusted};
    struct sim_sel *sel;
    struct sim_sqlq q;
    sim_sqlq_init(&q);
    int has_filter;
    if (sim_input_doc(&req.sent, rq->arena, ent->type, body, &ms)) {
        struct es_buf b;
        es_buf_init(&b, 0);
        es_buf_addf(&b, "{\"message\":\"The request is invalid.\",\"modelState\":{%s}}", ms.data);
        sim_resp_json(rs, 400, b.data);
        es_buf_dispose(&b);
        goto out;
    }
    if (parse_sel(rq, rs, ent, &sel) || parse_filter(rq, rs, ent, &q, &has_filter))
        goto out;
    req.filter = has_filter ? &q : NULL;
    const char *im = sim_req_header(rq, "If-Match"), *inm = sim_req_header(rq, "If-None-Match");
    req.if_match = im && !strcmp(im, "*");
    req.if_none_match = inm && !strcmp(inm, "*");
    struct sim_write_result res;
    sim_write_put(s, rq->arena, &req, &res);
    if (res.status == 422) {
        unprocessable(rs, ep, ent, body, &res, !res.id[0]);
    } else if (res.status == 412) {
        sim_resp_error(rs, 412, "The precondition is not met.", res.message,
                       "PX.Api.ContractBased.PreconditionFailedException");
    } else if (res.status != 200) {
        sim_resp_error(rs, res.status, "An error has occurred.", res.message,
                       res.exc_type ? res.exc_type : "PX.Data.PXException");
    } else {
        struct sim_render r = {&rs->body, ent, ep->base};
        struct sim_meta m = {res.id, res.created, res.modified};
        sim_render_record(&r, res.rec, &m, sel, req.sent, 1);
        rs->status = 200;
        rs->ctype = JSON_CT;
    }
out:
    es_buf_dispose(&ms);
    sim_sqlq_dispose(&q);
    cJSON_Delete(body);
}

/* ---- DELETE ---- */

static void del(struct sim *s, const struct sim_entity *ent, struct sim_req *rq,
                struct sim_resp *rs, char **seg, int nseg)
{
    char msg[256];
    const char *keys[2] = {0};
    int status;
    if (nseg == 1 && looks_like_guid(seg[0])) {
        status = sim_write_delete(s, rq->arena, ent, NULL, 0, seg[0], msg, sizeof(msg));
        if (status == 204) {
            rs->status = 204;
            return;
        }
    }
    int nk = split_keys(rq, seg, nseg, keys);
    status = sim_write_delete(s, rq->arena, ent, keys, nk, NULL, msg, sizeof(msg));
    if (status == 204) {
        rs->status = 204;
        return;
    }
    if (strstr(msg, "No entity"))
        no_entity(rs);
    else
        sim_resp_error(rs, 500, "An error has occurred.", msg, "PX.Data.PXException");
}

/* ---- discovery and swagger ---- */

void sim_rest_discovery(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    const char *host = sim_req_header(rq, "Host");
    const char *build = strncmp(sim_endpoint_newest(s)->version, "24", 2) ? "23.210.0018"
                                                                          : "24.210.0012";
    struct es_buf *b = &rs->body;
    es_buf_addf(b, "{\"version\":{\"acumaticaBuildVersion\":\"%s\",\"databaseVersion\":\"%s\"},"
                   "\"endpoints\":[",
                build, build);
    for (int i = 0; i < s->neps; i++)
        es_buf_addf(b, "%s{\"name\":\"Default\",\"version\":\"%s\",\"href\":\"http://%s%s\"}",
                    i ? "," : "", s->eps[i].version, host ? host : "localhost", s->eps[i].base);
    es_buf_adds(b, "]}");
    rs->status = 200;
    rs->ctype = JSON_CT;
}

void sim_rest_swagger(struct sim *s, const struct sim_endpoint *ep, struct sim_resp *rs)
{
    (void)s;
    FILE *f = fopen(ep->swagger, "rb");
    if (!f) {
        sim_resp_error(rs, 500, "An error has occurred.", "The endpoint description is missing.",
                       NULL);
        return;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        es_buf_add(&rs->body, chunk, n);
    fclose(f);
    rs->status = 200;
    rs->ctype = JSON_CT;
}

static void ad_hoc_schema(const struct sim_endpoint *ep, const struct sim_entity *ent,
                          struct sim_req *rq, struct sim_resp *rs)
{
    struct sim_sel *sel;
    sim_sel_parse(&sel, rq->arena, ent->type, NULL, NULL, NULL);
    char id[37];
    sim_guid(id);
    struct sim_render r = {&rs->body, ent, ep->base};
    struct sim_meta m = {id, 0, 0};
    struct sim_doc *empty = sim_doc_new(rq->arena);
    sim_render_record(&r, empty, &m, sel, NULL, 1);
    rs->status = 200;
    rs->ctype = JSON_CT;
}

/* ---- dispatch ---- */

static void method_not_allowed(struct sim_req *rq, struct sim_resp *rs)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "The requested resource does not support http method '%.16s'.",
             rq->method);
    sim_resp_error(rs, 405, msg, NULL, NULL);
}

void sim_rest(struct sim *s, const struct sim_endpoint *ep, struct sim_req *rq,
              struct sim_resp *rs, char **seg, int nseg)
{
    const struct sim_entity *ent = sim_entity_of(ep, seg[0]);
    if (!ent) {
        not_found_route(rq, rs);
        return;
    }
    rq->entity = ent->def->name;
    const char *m = rq->method;
    if (!strcmp(m, "GET")) {
        if (nseg == 1)
            list(s, ep, ent, rq, rs);
        else if (nseg == 2 && !strcmp(seg[1], "$adHocSchema"))
            ad_hoc_schema(ep, ent, rq, rs);
        else if (nseg == 4 && !strcasecmp(seg[2], "status"))
            sim_actions_status(s, ep, ent, seg[1], seg[3], rq, rs);
        else
            get_one(s, ep, ent, rq, rs, seg + 1, nseg - 1);
    } else if (!strcmp(m, "PUT")) {
        if (nseg == 1)
            put(s, ep, ent, rq, rs);
        else
            method_not_allowed(rq, rs);
    } else if (!strcmp(m, "DELETE")) {
        if (nseg >= 2)
            del(s, ent, rq, rs, seg + 1, nseg - 1);
        else
            method_not_allowed(rq, rs);
    } else if (!strcmp(m, "POST")) {
        if (nseg == 2) {
            if (utf8_body(rq, rs, "action"))
                return;
            cJSON *body = rq->body_n ? cJSON_ParseWithLength(rq->body, rq->body_n) : NULL;
            if (rq->body_n && !body) {
                bad_request(rs, "action", "The request body is not valid JSON.");
                return;
            }
            sim_actions_invoke(s, ep, ent, seg[1], body, rq, rs);
            cJSON_Delete(body);
        } else {
            method_not_allowed(rq, rs);
        }
    } else {
        method_not_allowed(rq, rs);
    }
}
