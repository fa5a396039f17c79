/* The write path: PUT upsert, validation, recalculation, delete. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/timeutil.h"
#include "input.h"
#include "names.h"
#include "push.h"
#include "write.h"

uint32_t sim_nm(const char *name)
{
    return sim_name_find(name, strlen(name));
}

int64_t sim_today(struct sim *s)
{
    int64_t now = sim_clock_now(s);
    struct es_civil c;
    es_ms_to_civil(&c, now + (int64_t)es_tz_offset_min(now) * 60000);
    c.hour = c.min = c.sec = c.ms = 0;
    return es_tz_local_to_ms(&c);
}

/* ---- small helpers ---- */

struct ctx {
    struct sim *s;
    struct es_arena *a;
    const struct sim_entity *ent;
    struct sim_write_result *res;
    int inserting;
};

static void field_error(struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void field_error(struct ctx *c, const char *path, const char *fmt, ...)
{
    struct sim_write_result *r = c->res;
    if (r->nerrs == SIM_MAX_FIELD_ERRORS)
        return;
    struct sim_field_error *e = &r->errs[r->nerrs++];
    snprintf(e->path, sizeof(e->path), "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

static void set_text(struct es_arena *a, struct sim_doc *d, const char *field, const char *v)
{
    uint32_t id = sim_nm(field);
    if (id)
        sim_doc_set_str(a, d, id, v);
}

static void set_dec(struct es_arena *a, struct sim_doc *d, const char *field, int64_t v)
{
    uint32_t id = sim_nm(field);
    if (id)
        sim_doc_set_int(a, d, id, SV_DEC, v);
}

static int64_t get_dec(const struct sim_doc *d, const char *field)
{
    const struct sim_val *v = sim_doc_get(d, sim_nm(field));
    if (!v)
        return 0;
    if (v->t == SV_DEC)
        return v->u.i;
    if (v->t == SV_INT)
        return v->u.i * SIM_DEC_SCALE;
    return 0;
}

static int has_value(const struct sim_doc *d, const char *field)
{
    const struct sim_val *v = sim_doc_get(d, sim_nm(field));
    return v && v->t != SV_NULL && !(v->t == SV_STR && v->n == 0);
}

static int64_t mul_dec(int64_t a, int64_t b)
{
    __int128 p = (__int128)a * b;
    return (int64_t)(p / SIM_DEC_SCALE);
}

/* A default in wire form converted by the field's wrapper type. */
static void apply_default(struct ctx *c, struct sim_doc *d, const struct sim_default *def)
{
    uint32_t id = sim_nm(def->field);
    const struct sim_prop *p = id ? sim_type_prop(c->ent->type, id) : NULL;
    if (!p || p->kind != SK_VALUE || sim_doc_get(d, id))
        return;
    struct sim_val *v = sim_doc_set(c->a, d, id);
    int64_t m;
    if (!def->value) {
        v->t = SV_NULL;
    } else if (p->wt == WT_BOOL) {
        v->t = !strcmp(def->value, "true") ? SV_TRUE : SV_FALSE;
    } else if ((p->wt == WT_DECIMAL || p->wt == WT_DOUBLE) &&
               !sim_parse_decimal(&m, def->value, strlen(def->value))) {
        v->t = SV_DEC;
        v->u.i = m;
    } else if (p->wt >= WT_INT && p->wt <= WT_BYTE) {
        v->t = SV_INT;
        v->u.i = strtoll(def->value, NULL, 10);
    } else {
        sim_doc_set_str(c->a, d, id, def->value);
    }
}

/* ---- keys ---- */

static void canon_key(struct ctx *c, struct sim_doc *d, int k)
{
    const struct sim_prop *p = c->ent->keys[k];
    struct sim_val *v = sim_doc_get(d, p->name_id);
    if (!v || v->t != SV_STR)
        return;
    /* Trim blanks the way Acumatica trims key values. */
    while (v->n && v->u.s[v->n - 1] == ' ')
        v->n--;
    const struct sim_dropdown *dd = sim_entity_dropdown(c->ent->def, p->name);
    if (dd) {
        const char *label = sim_dropdown_match(dd, v->u.s, v->n);
        if (label) {
            v->u.s = label;
            v->n = (uint32_t)strlen(label);
        }
        return;
    }
    if (c->ent->def->key_case == SIM_KEY_UPPER) {
        char *u = es_arena_strndup(c->a, v->u.s, v->n);
        for (char *q = u; *q; q++)
            *q = (char)toupper((unsigned char)*q);
        v->u.s = u;
    }
}

/* A key value of the document as a store key (text into the arena). */
static int doc_key(struct ctx *c, const struct sim_doc *d, int k, struct sim_key *out)
{
    memset(out, 0, sizeof(*out));
    const struct sim_prop *p = c->ent->keys[k];
    const struct sim_val *v = sim_doc_get(d, p->name_id);
    if (!v || v->t == SV_NULL)
        return 0;
    if (v->t == SV_INT) {
        out->is_int = 1;
        out->i = v->u.i;
        return 1;
    }
    if (v->t != SV_STR || v->n == 0)
        return 0;
    out->s = v->u.s;
    out->n = v->n;
    return 1;
}

/* ---- finding the record a PUT addresses ---- */

struct found {
    struct es_arena *a;
    struct sim_doc *doc;
    const void *doc_blob; /* the stored bytes the document was decoded from */
    size_t blob_n;
    char id[37];
    int64_t created, modified;
};

static int found_cb(const struct sim_row *row, void *ctx)
{
    struct found *f = ctx;
    void *copy = es_arena_memdup(f->a, row->body, row->body_n);
    f->doc_blob = copy;
    f->blob_n = row->body_n;
    if (sim_doc_decode(f->a, &f->doc, copy, row->body_n))
        return ES_EINVAL;
    snprintf(f->id, sizeof(f->id), "%s", row->id);
    f->created = row->created;
    f->modified = row->modified;
    return 1; /* stop after one */
}

static int find_by_doc_keys(struct ctx *c, const struct sim_doc *d, struct found *f,
                            struct es_err *err)
{
    struct sim_key k[2];
    const struct sim_entity_def *def = c->ent->def;
    for (int i = 0; i < def->nkeys; i++)
        if (!doc_key(c, d, i, &k[i]))
            return 0;
    int rc = sim_store_get_key(c->s->store, def->name, &k[0], def->nkeys > 1 ? &k[1] : NULL,
                               found_cb, f, err);
    return rc < 0 ? rc : rc == 1;
}

int sim_write_load(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                   const char *const *keys, int nkeys, const char *id, struct sim_doc **doc,
                   char id_out[37], int64_t *created, int64_t *modified)
{
    struct found f = {.a = a};
    int rc;
    if (id) {
        rc = sim_store_get_id(s->store, ent->def->name, id, found_cb, &f, NULL);
    } else {
        if (nkeys != ent->def->nkeys)
            return 0;
        struct sim_key k[2];
        for (int i = 0; i < nkeys; i++) {
            memset(&k[i], 0, sizeof(k[i]));
            if (ent->def->int_key) {
                char *end;
                k[i].is_int = 1;
                k[i].i = strtoll(keys[i], &end, 10);
                if (*end || !*keys[i])
                    return 0;
            } else {
                k[i].s = keys[i];
                k[i].n = strlen(keys[i]);
                while (k[i].n && keys[i][k[i].n - 1] == ' ')
                    k[i].n--;
            }
        }
        rc = sim_store_get_key(s->store, ent->def->name, &k[0], nkeys > 1 ? &k[1] : NULL,
                               found_cb, &f, NULL);
    }
    if (rc != 1)
        return rc < 0 ? rc : 0;
    *doc = f.doc;
    if (id_out)
        memcpy(id_out, f.id, 37);
    if (created)
        *created = f.created;
    if (modified)
        *modified = f.modified;
    return 1;
}

static int locate(struct ctx *c, const struct sim_put *req, struct found *f, struct es_err *err)
{
    int rc = find_by_doc_keys(c, req->sent, f, err);
    if (rc)
        return rc;
    const char *id = sim_doc_str(req->sent, SIM_N_ID, NULL);
    if (id) {
        char idz[37];
        snprintf(idz, sizeof(idz), "%.36s", id);
        rc = sim_store_get_id(c->s->store, c->ent->def->name, idz, found_cb, f, err);
        return rc;
    }
    if (req->filter) {
        rc = sim_store_list(c->s->store, c->ent->def->name, req->filter, 1, 0, found_cb, f, err);
        return rc < 0 ? rc : rc == 1;
    }
    return 0;
}

/* ---- merging a body into the stored record ---- */

static int64_t max_line(const struct sim_val *arr)
{
    int64_t m = 0;
    uint32_t ln = sim_nm("LineNbr");
    for (uint32_t i = 0; arr && arr->t == SV_ARR && i < arr->n; i++) {
        int64_t v = sim_doc_num(arr->u.arr[i], ln, 0);
        if (v > m)
            m = v;
    }
    return m;
}

static void merge_doc(struct ctx *c, struct sim_doc *dst, const struct sim_doc *src,
                      const struct sim_type *t, const char *path);

static void merge_detail(struct ctx *c, struct sim_doc *dst, const struct sim_prop *p,
                         const struct sim_val *sv, const char *path)
{
    struct sim_val *dv = sim_doc_get(dst, p->name_id);
    if (!dv || dv->t != SV_ARR) {
        dv = sim_doc_set(c->a, dst, p->name_id);
        dv->t = SV_ARR;
        dv->n = 0;
        dv->u.arr = NULL;
    }
    uint32_t ln = sim_nm("LineNbr");
    int has_line = sim_type_prop(p->type, ln) != NULL;
    for (uint32_t i = 0; i < sv->n; i++) {
        const struct sim_doc *row = sv->u.arr[i];
        char rpath[200];
        snprintf(rpath, sizeof(rpath), "%s%s%s[%u]", path, *path ? "." : "", p->name, i);
        const char *rid = sim_doc_str(row, SIM_N_ID, NULL);
        int64_t rline = has_line ? sim_doc_num(row, ln, 0) : 0;
        int match = -1;
        for (uint32_t k = 0; k < dv->n && match < 0; k++) {
            uint32_t n;
            const char *kid = sim_doc_str(dv->u.arr[k], SIM_N_ID, &n);
            if (rid && kid && n == 36 && strncasecmp(kid, rid, 36) == 0)
                match = (int)k;
            else if (!rid && rline && sim_doc_num(dv->u.arr[k], ln, 0) == rline)
                match = (int)k;
        }
        if (sim_doc_bool(row, SIM_N_DELETE, 0)) {
            if (match < 0) {
                field_error(c, rpath, "The line to delete cannot be found.");
                continue;
            }
            memmove(&dv->u.arr[match], &dv->u.arr[match + 1],
                    (dv->n - (uint32_t)match - 1) * sizeof(dv->u.arr[0]));
            dv->n--;
            continue;
        }
        if (match < 0 && rid) {
            field_error(c, rpath, "No entity satisfies the condition.");
            continue;
        }
        struct sim_doc *target;
        if (match >= 0) {
            target = dv->u.arr[match];
        } else {
            int64_t next = max_line(dv) + 1;
            struct sim_doc **arr = es_arena_alloc(c->a, (dv->n + 1) * sizeof(*arr));
            if (dv->n)
                memcpy(arr, dv->u.arr, dv->n * sizeof(*arr));
            target = sim_doc_new(c->a);
            char g[37];
            sim_guid(g);
            sim_doc_set_str(c->a, target, SIM_N_ID, g);
            if (has_line)
                sim_doc_set_int(c->a, target, ln, SV_INT, next);
            arr[dv->n++] = target;
            dv->u.arr = arr;
        }
        merge_doc(c, target, row, p->type, rpath);
    }
}

static void merge_doc(struct ctx *c, struct sim_doc *dst, const struct sim_doc *src,
                      const struct sim_type *t, const char *path)
{
    for (uint32_t i = 0; i < src->n; i++) {
        const struct sim_field *f = &src->f[i];
        if (f->name == SIM_N_ID || f->name == SIM_N_DELETE)
            continue;
        if (f->name == SIM_N_NOTE) {
            *sim_doc_set(c->a, dst, SIM_N_NOTE) = f->v;
            continue;
        }
        const struct sim_prop *p = sim_type_prop(t, f->name);
        if (!p)
            continue;
        if (p->kind == SK_VALUE) {
            *sim_doc_set(c->a, dst, f->name) = f->v;
        } else if (p->kind == SK_LINKED && f->v.t == SV_OBJ) {
            struct sim_val *dv = sim_doc_get(dst, f->name);
            if (!dv || dv->t != SV_OBJ) {
                dv = sim_doc_set(c->a, dst, f->name);
                dv->t = SV_OBJ;
                dv->u.obj = sim_doc_new(c->a);
                char g[37];
                sim_guid(g);
                sim_doc_set_str(c->a, dv->u.obj, SIM_N_ID, g);
            }
            char sub[200];
            snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", p->name);
            merge_doc(c, dv->u.obj, f->v.u.obj, p->type, sub);
        } else if (p->kind == SK_DETAIL && f->v.t == SV_ARR) {
            merge_detail(c, dst, p, &f->v, path);
        }
    }
}

/* ---- validation ---- */

static const char *const order_types[] = {"SO", "QT", "RM", "RC", "CM", "IN", "TR", NULL};

/* Does the referenced record exist? Canonicalises the stored value. */
static int check_ref(struct ctx *c, const struct sim_ref *ref, struct sim_val *v)
{
    if (!v || v->t != SV_STR || v->n == 0)
        return 1;
    if (!strcmp(ref->target[0], "#ordertype")) {
        for (int i = 0; order_types[i]; i++)
            if (strlen(order_types[i]) == v->n && !strncasecmp(order_types[i], v->u.s, v->n)) {
                v->u.s = order_types[i];
                return 1;
            }
        return 0;
    }
    for (int t = 0; t < 2 && ref->target[t]; t++) {
        struct found f = {.a = c->a};
        struct sim_key k = {.s = v->u.s, .n = v->n};
        while (k.n && k.s[k.n - 1] == ' ')
            k.n--;
        if (sim_store_get_key(c->s->store, ref->target[t], &k, NULL, found_cb, &f, NULL) == 1) {
            const struct sim_entity_def *td = sim_entity_def_find(ref->target[t]);
            uint32_t kn;
            const char *canon = sim_doc_str(f.doc, sim_nm(td->keys[0]), &kn);
            if (canon) {
                v->u.s = es_arena_strndup(c->a, canon, kn);
                v->n = kn;
            }
            return 1;
        }
    }
    return 0;
}

/* Walk the fields the body set (sent) and validate them against the record. */
static void validate_path(struct ctx *c, struct sim_doc *rec, const struct sim_doc *sent,
                          const char *rule_path, const char *err_path, const struct sim_ref *ref,
                          const struct sim_dropdown *dd)
{
    const char *slash = strchr(rule_path, '/');
    if (!slash) {
        uint32_t id = sim_nm(rule_path);
        if (!id || !sim_doc_get(sent, id))
            return;
        struct sim_val *v = sim_doc_get(rec, id);
        char path[200];
        snprintf(path, sizeof(path), "%s%s%s", err_path, *err_path ? "." : "", rule_path);
        if (ref && !check_ref(c, ref, v)) {
            field_error(c, path, "'%s' cannot be found in the system.", ref->display);
        } else if (dd && v && v->t == SV_STR) {
            const char *label = sim_dropdown_match(dd, v->u.s, v->n);
            if (!label)
                field_error(c, path, "The value '%.*s' is not valid for the '%s' field.",
                            (int)(v->n > 60 ? 60 : v->n), v->u.s, rule_path);
            else
                v->u.s = label, v->n = (uint32_t)strlen(label);
        }
        return;
    }
    char head[64];
    snprintf(head, sizeof(head), "%.*s", (int)(slash - rule_path), rule_path);
    uint32_t hid = sim_nm(head);
    const struct sim_val *sv = sim_doc_get(sent, hid);
    struct sim_val *rv = sim_doc_get(rec, hid);
    if (!sv || !rv || sv->t != SV_ARR || rv->t != SV_ARR)
        return;
    /* Rows the body touched: match by id, else by position among new rows. */
    for (uint32_t i = 0; i < sv->n; i++) {
        const struct sim_doc *srow = sv->u.arr[i];
        const char *sid = sim_doc_str(srow, SIM_N_ID, NULL);
        struct sim_doc *rrow = NULL;
        for (uint32_t k = 0; k < rv->n && !rrow; k++) {
            const char *rid = sim_doc_str(rv->u.arr[k], SIM_N_ID, NULL);
            if (sid && rid && !strncasecmp(sid, rid, 36))
                rrow = rv->u.arr[k];
        }
        if (!rrow && !sid) {
            /* New rows were appended in body order after the existing ones. */
            uint32_t newrows = 0;
            for (uint32_t k = 0; k < i; k++)
                newrows += !sim_doc_str(sv->u.arr[k], SIM_N_ID, NULL) &&
                           !sim_doc_bool(sv->u.arr[k], SIM_N_DELETE, 0);
            uint32_t total_new = 0;
            for (uint32_t k = 0; k < sv->n; k++)
                total_new += !sim_doc_str(sv->u.arr[k], SIM_N_ID, NULL) &&
                             !sim_doc_bool(sv->u.arr[k], SIM_N_DELETE, 0);
            if (rv->n >= total_new)
                rrow = rv->u.arr[rv->n - total_new + newrows];
        }
        if (!rrow)
            continue;
        char rpath[200];
        snprintf(rpath, sizeof(rpath), "%s%s%s[%u]", err_path, *err_path ? "." : "", head, i);
        validate_path(c, rrow, srow, slash + 1, rpath, ref, dd);
    }
}

static void validate(struct ctx *c, struct sim_doc *rec, const struct sim_doc *sent)
{
    const struct sim_entity_def *def = c->ent->def;
    for (const struct sim_ref *r = def->refs; r && r->path; r++)
        validate_path(c, rec, sent, r->path, "", r, NULL);
    for (const struct sim_dropdown *d = def->dropdowns; d && d->path; d++)
        validate_path(c, rec, sent, d->path, "", NULL, d);
    for (const struct sim_required *q = def->required; q && q->field; q++) {
        if (def->autonum && !strcmp(q->field, def->autonum))
            continue;
        if (!has_value(rec, q->field))
            field_error(c, q->field, "'%s' cannot be empty.", q->display);
    }
}

/* A change to a locked document (released, closed...) is refused. */
static void check_locked(struct ctx *c, const struct sim_doc *stored, const struct sim_doc *sent)
{
    const char *st = c->ent->def->status;
    uint32_t n;
    const char *status = st ? sim_doc_str(stored, sim_nm(st), &n) : NULL;
    if (!status || !sim_entity_is_locked(c->ent->def, status, n))
        return;
    for (uint32_t i = 0; i < sent->n; i++) {
        const struct sim_field *f = &sent->f[i];
        if (f->name == SIM_N_ID)
            continue;
        const struct sim_prop *p = sim_type_prop(c->ent->type, f->name);
        if (p && p->kind == SK_VALUE && p == c->ent->keys[0])
            continue;
        if (p && p->kind == SK_VALUE && p == c->ent->keys[1])
            continue;
        const struct sim_val *old = sim_doc_get(stored, f->name);
        if (p && p->kind == SK_VALUE && old && old->t == f->v.t &&
            (old->t == SV_STR ? old->n == f->v.n && !memcmp(old->u.s, f->v.u.s, old->n)
                              : old->u.i == f->v.u.i))
            continue;
        field_error(c, p ? p->name : sim_name_str(f->name),
                    "The document has the %.*s status and cannot be changed.", (int)n, status);
        return;
    }
}

/* ---- recalculation: totals, statuses, defaults that depend on others ---- */

static void hold_status(struct es_arena *a, struct sim_doc *d, const char *on, const char *off)
{
    uint32_t st = sim_nm("Status"), hold = sim_nm("Hold");
    if (!sim_doc_get(d, hold))
        return;
    int h = sim_doc_bool(d, hold, 0);
    if (sim_doc_str_eq(d, st, on) || sim_doc_str_eq(d, st, off))
        sim_doc_set_str(a, d, st, h ? on : off);
}

/* Line amounts: ext = qty * price, less discount; returns the sum. */
static int64_t line_totals(struct es_arena *a, struct sim_doc *d, const char *detail,
                           const char *qty, const char *price, const char *ext, const char *amt,
                           int64_t *qty_sum)
{
    const struct sim_val *arr = sim_doc_get(d, sim_nm(detail));
    int64_t sum = 0, qs = 0;
    for (uint32_t i = 0; arr && arr->t == SV_ARR && i < arr->n; i++) {
        struct sim_doc *row = arr->u.arr[i];
        int64_t q = get_dec(row, qty), p = get_dec(row, price);
        int64_t e = mul_dec(q, p);
        int64_t disc = get_dec(row, "DiscountPercent");
        int64_t net = e - mul_dec(e, disc) / 100;
        if (ext)
            set_dec(a, row, ext, e);
        if (amt)
            set_dec(a, row, amt, net);
        sum += amt ? net : e;
        qs += q;
    }
    if (qty_sum)
        *qty_sum = qs;
    return sum;
}

static void date_defaults(struct sim *s, struct es_arena *a, struct sim_doc *d, const char *f)
{
    uint32_t id = sim_nm(f);
    if (id && !has_value(d, f))
        sim_doc_set_int(a, d, id, SV_DT, sim_today(s));
}

static void recalc_sales_order(struct sim *s, struct es_arena *a, struct sim_doc *d)
{
    date_defaults(s, a, d, "Date");
    if (!has_value(d, "RequestedOn"))
        sim_doc_set_int(a, d, sim_nm("RequestedOn"), SV_DT, sim_doc_num(d, sim_nm("Date"), 0));
    const struct sim_val *arr = sim_doc_get(d, sim_nm("Details"));
    int64_t shipped_all = 1, any = 0;
    for (uint32_t i = 0; arr && arr->t == SV_ARR && i < arr->n; i++) {
        struct sim_doc *row = arr->u.arr[i];
        if (!has_value(row, "WarehouseID"))
            set_text(a, row, "WarehouseID", "MAIN");
        if (!has_value(row, "UOM"))
            set_text(a, row, "UOM", "EA");
        int64_t q = get_dec(row, "OrderQty"), sh = get_dec(row, "QtyOnShipments");
        set_dec(a, row, "OpenQty", q > sh ? q - sh : 0);
        any = 1;
        if (sh < q)
            shipped_all = 0;
    }
    int64_t qty;
    int64_t total = line_totals(a, d, "Details", "OrderQty", "UnitPrice", "ExtendedPrice",
                                "Amount", &qty);
    set_dec(a, d, "OrderedQty", qty);
    set_dec(a, d, "OrderTotal", total + get_dec(d, "TaxTotal"));
    hold_status(a, d, "On Hold", "Open");
    (void)shipped_all;
    (void)any;
}

static void recalc_invoice(struct sim *s, struct es_arena *a, struct sim_doc *d, int so)
{
    date_defaults(s, a, d, "Date");
    if (!has_value(d, "DueDate"))
        sim_doc_set_int(a, d, sim_nm("DueDate"), SV_DT,
                        sim_doc_num(d, sim_nm("Date"), 0) + 30LL * 86400000);
    /* SO invoice lines have no ExtendedPrice; AR invoice lines do. */
    int64_t total = line_totals(a, d, "Details", "Qty", "UnitPrice", so ? NULL : "ExtendedPrice",
                                "Amount", NULL);
    uint32_t st = sim_nm("Status");
    int released = sim_doc_str_eq(d, st, "Open") || sim_doc_str_eq(d, st, "Closed") ||
                   sim_doc_str_eq(d, st, "Voided");
    if (!released) {
        set_dec(a, d, "DetailTotal", total);
        set_dec(a, d, "Amount", total + get_dec(d, "TaxTotal"));
        set_dec(a, d, "Balance", total + get_dec(d, "TaxTotal"));
    }
    hold_status(a, d, "On Hold", "Balanced");
}

static void recalc_payment(struct sim *s, struct es_arena *a, struct sim_doc *d)
{
    date_defaults(s, a, d, "ApplicationDate");
    const struct sim_val *arr = sim_doc_get(d, sim_nm("DocumentsToApply"));
    int64_t applied = 0;
    for (uint32_t i = 0; arr && arr->t == SV_ARR && i < arr->n; i++)
        applied += get_dec(arr->u.arr[i], "AmountPaid");
    set_dec(a, d, "AppliedToDocuments", applied);
    int64_t avail = get_dec(d, "PaymentAmount") - applied;
    set_dec(a, d, "AvailableBalance", avail > 0 ? avail : 0);
    hold_status(a, d, "On Hold", "Balanced");
}

static void recalc_purchase_order(struct sim *s, struct es_arena *a, struct sim_doc *d)
{
    date_defaults(s, a, d, "Date");
    int64_t total = line_totals(a, d, "Details", "OrderQty", "UnitCost", "ExtendedCost", NULL,
                                NULL);
    set_dec(a, d, "LineTotal", total);
    set_dec(a, d, "OrderTotal", total + get_dec(d, "TaxTotal"));
    hold_status(a, d, "On Hold", "Open");
}

static void recalc_shipment(struct sim *s, struct es_arena *a, struct sim_doc *d)
{
    date_defaults(s, a, d, "ShipmentDate");
    const struct sim_val *arr = sim_doc_get(d, sim_nm("Details"));
    int64_t q = 0;
    for (uint32_t i = 0; arr && arr->t == SV_ARR && i < arr->n; i++)
        q += get_dec(arr->u.arr[i], "ShippedQty");
    set_dec(a, d, "ShippedQty", q);
    hold_status(a, d, "On Hold", "Open");
}

static void recalc_service_order(struct sim *s, struct es_arena *a, struct sim_doc *d)
{
    date_defaults(s, a, d, "Date");
    int64_t total = line_totals(a, d, "Details", "EstimatedQty", "UnitPrice", "EstimatedAmount",
                                NULL, NULL);
    set_dec(a, d, "ServiceOrderTotal", total);
    set_dec(a, d, "BillableTotal", total);
    hold_status(a, d, "On Hold", "Open");
}

void sim_write_recalc(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                      struct sim_doc *doc)
{
    const char *n = ent->def->name;
    if (!strcmp(n, "SalesOrder"))
        recalc_sales_order(s, a, doc);
    else if (!strcmp(n, "SalesInvoice"))
        recalc_invoice(s, a, doc, 1);
    else if (!strcmp(n, "Invoice"))
        recalc_invoice(s, a, doc, 0);
    else if (!strcmp(n, "Payment"))
        recalc_payment(s, a, doc);
    else if (!strcmp(n, "PurchaseOrder"))
        recalc_purchase_order(s, a, doc);
    else if (!strcmp(n, "Shipment"))
        recalc_shipment(s, a, doc);
    else if (!strcmp(n, "ServiceOrder"))
        recalc_service_order(s, a, doc);
    else if (!strcmp(n, "SalesPriceWorksheet"))
        hold_status(a, doc, "On Hold", "Open");
}

/* ---- numbering ---- */

static int number(struct ctx *c, struct sim_doc *rec, struct es_err *err)
{
    const struct sim_entity_def *def = c->ent->def;
    uint32_t kid = sim_nm(def->autonum);
    if (has_value(rec, def->autonum) || sim_doc_num(rec, kid, 0))
        return 0;
    char seq[96], val[64];
    if (!strcmp(def->name, "Appointment")) {
        /* Appointments are numbered within their service order: 000019-1. */
        uint32_t n;
        const char *so = sim_doc_str(rec, sim_nm("ServiceOrderNbr"), &n);
        if (!so)
            return 0;
        snprintf(seq, sizeof(seq), "Appointment:%.*s", (int)n, so);
        int64_t v = sim_store_next(c->s->store, seq, 1, err);
        if (v < 0)
            return (int)v;
        snprintf(val, sizeof(val), "%.*s-%lld", (int)n, so, (long long)v);
        sim_doc_set_str(c->a, rec, kid, val);
        return 0;
    }
    if (def->nkeys == 2) {
        uint32_t n;
        const char *t = sim_doc_str(rec, c->ent->keys[0]->name_id, &n);
        snprintf(seq, sizeof(seq), "%s:%.*s", def->name, t ? (int)n : 0, t ? t : "");
    } else {
        snprintf(seq, sizeof(seq), "%s", def->name);
    }
    /* Numbers typed in by hand are skipped, as a numbering sequence would
     * fail on them. */
    for (int tries = 0; tries < 100000; tries++) {
        int64_t v = sim_store_next(c->s->store, seq, def->num_start, err);
        if (v < 0)
            return (int)v;
        if (def->int_key) {
            sim_doc_set_int(c->a, rec, kid, SV_INT, v);
        } else {
            snprintf(val, sizeof(val), def->numfmt, (unsigned)v);
            sim_doc_set_str(c->a, rec, kid, val);
        }
        struct found other = {.a = c->a};
        if (find_by_doc_keys(c, rec, &other, NULL) != 1)
            return 0;
    }
    return es_err_set(err, ES_ECONFLICT, "%s: the numbering sequence is exhausted", def->name);
}

/* ---- saving ---- */

/* Does the merged record encode to exactly what is stored? */
static int unchanged(const void *blob, size_t n, const struct sim_doc *rec)
{
    if (!blob)
        return 0;
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_doc_encode(&b, rec);
    int same = b.len == n && !memcmp(b.data, blob, n);
    es_buf_dispose(&b);
    return same;
}

int sim_write_save(struct sim *s, const struct sim_entity *ent, const struct sim_doc *doc,
                   const char *id, int64_t created, int64_t modified, struct es_err *err)
{
    struct ctx c = {.s = s, .ent = ent};
    struct sim_row row = {.ent = ent->def->name, .id = id, .created = created,
                          .modified = modified};
    if (!doc_key(&c, doc, 0, &row.k1))
        return es_err_set(err, ES_EINVAL, "%s: key %s is empty", ent->def->name,
                          ent->def->keys[0]);
    if (ent->def->nkeys > 1 && !doc_key(&c, doc, 1, &row.k2))
        return es_err_set(err, ES_EINVAL, "%s: key %s is empty", ent->def->name,
                          ent->def->keys[1]);
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_doc_encode(&b, doc);
    row.body = b.data;
    row.body_n = b.len;
    int rc = sim_store_put(s->store, &row, err);
    es_buf_dispose(&b);
    return rc;
}

static void fail(struct sim_write_result *res, int status, const char *exc_type,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail(struct sim_write_result *res, int status, const char *exc_type, const char *fmt,
                 ...)
{
    res->status = status;
    res->exc_type = exc_type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof(res->message), fmt, ap);
    va_end(ap);
}

/* A PUT of {} changes nothing, so nothing is saved: the answer is the new
 * record's template with <NEW> for its keys (seen on a live site). */
static void empty_insert(struct ctx *c, struct sim_write_result *res)
{
    struct sim_doc *rec = sim_doc_new(c->a);
    for (const struct sim_default *d = c->ent->def->defaults; d && d->field; d++)
        apply_default(c, rec, d);
    for (int k = 0; k < c->ent->def->nkeys; k++)
        if (c->ent->keys[k]->wt == WT_STRING && !sim_doc_get(rec, c->ent->keys[k]->name_id))
            sim_doc_set_str(c->a, rec, c->ent->keys[k]->name_id, "<NEW>");
    sim_write_recalc(c->s, c->a, c->ent, rec);
    sim_guid(res->id);
    res->created = res->modified = sim_stamp(c->s);
    res->status = 200;
    res->unchanged = 1;
    res->rec = rec;
}

/* The status is the ERP's to set (a disabled field on the form): a value a
 * client sends is ignored, the record keeps or derives its own. */
static void keep_status(struct ctx *c, struct sim_doc *rec, const struct sim_doc *before)
{
    const char *st = c->ent->def->status;
    if (!st || !c->ent->def->status_derived)
        return;
    uint32_t name = sim_nm(st);
    uint32_t n;
    const char *was = before ? sim_doc_str(before, name, &n) : NULL;
    if (was)
        sim_doc_set_strn(c->a, rec, name, was, n);
    else
        sim_doc_del(rec, name);
}

/* A client inserting a document under a number that does not exist: what
 * Acumatica does is unconfirmed (API-NOTES §10.3), so acusim does what
 * --new-number says. Returns 1 when the insert is refused. */
static int new_number_refused(struct ctx *c, struct sim_doc *rec, struct sim_write_result *res)
{
    const struct sim_entity_def *def = c->ent->def;
    if (!def->autonum || !def->status_derived || !has_value(rec, def->autonum))
        return 0;
    if (c->s->cfg.new_number == SIM_NUMBER_RENUMBER) {
        sim_doc_del(rec, sim_nm(def->autonum));
    } else if (c->s->cfg.new_number == SIM_NUMBER_REJECT) {
        uint32_t n;
        const char *nbr = sim_doc_str(rec, sim_nm(def->autonum), &n);
        fail(res, 500, "PX.Data.PXException", "%s '%.*s' cannot be found in the system.",
             def->display, nbr ? (int)n : 0, nbr ? nbr : "");
        return 1;
    }
    return 0;
}

static void put_locked(struct ctx *c, const struct sim_put *req, struct sim_write_result *res,
                       struct sim_doc **before_out)
{
    struct es_err err = {0};
    struct found f = {.a = c->a};
    int found = locate(c, req, &f, &err);
    if (found < 0) {
        fail(res, 500, "PX.Data.PXException", "%s", err.msg);
        return;
    }
    if (!found && sim_doc_str(req->sent, SIM_N_ID, NULL) &&
        !find_by_doc_keys(c, req->sent, &f, NULL) && !req->filter) {
        fail(res, 500, "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
             "No entity satisfies the condition.");
        return;
    }
    if (!found && !req->sent->n && !req->filter && !req->if_none_match) {
        empty_insert(c, res);
        return;
    }
    if ((found && req->if_none_match) || (!found && req->if_match)) {
        fail(res, 412, NULL, found ? "The record already exists." : "The record does not exist.");
        return;
    }
    c->inserting = !found;
    if (found)
        memcpy(res->id, f.id, 37); /* a refused update still names its record */
    struct sim_doc *rec = found ? f.doc : sim_doc_new(c->a);
    *before_out = found ? sim_doc_clone(c->a, f.doc) : NULL;
    if (found)
        check_locked(c, f.doc, req->sent);
    merge_doc(c, rec, req->sent, c->ent->type, "");
    if (!req->trusted)
        keep_status(c, rec, *before_out);
    for (int k = 0; k < c->ent->def->nkeys; k++)
        canon_key(c, rec, k);
    if (!found)
        for (const struct sim_default *d = c->ent->def->defaults; d && d->field; d++)
            apply_default(c, rec, d);
    validate(c, rec, req->sent);
    sim_write_recalc(c->s, c->a, c->ent, rec);
    if (res->nerrs) {
        res->status = 422;
        snprintf(res->message, sizeof(res->message),
                 "%s  '%s' record raised at least one error. Please review the errors.",
                 found ? "Updating" : "Inserting", c->ent->def->display);
        return;
    }
    if (!found && !req->trusted && new_number_refused(c, rec, res))
        return;
    if (!found && c->ent->def->autonum && number(c, rec, &err)) {
        fail(res, 500, "PX.Data.PXException", "%s", err.msg);
        return;
    }
    if (found && unchanged(f.doc_blob, f.blob_n, rec)) {
        /* Nothing differs: Acumatica writes nothing and the timestamp stays. */
        memcpy(res->id, f.id, 37);
        res->created = f.created;
        res->modified = res->before_modified = f.modified;
        res->status = 200;
        res->rec = rec;
        res->unchanged = 1;
        return;
    }
    int64_t stamp = req->stamp ? req->stamp : sim_stamp(c->s);
    if (found) {
        memcpy(res->id, f.id, 37);
        res->created = f.created;
        res->before_modified = f.modified;
    } else {
        sim_guid(res->id);
        res->created = stamp;
        /* A new key that collides with an existing record (another id). */
        struct found other = {.a = c->a};
        if (find_by_doc_keys(c, rec, &other, NULL) == 1) {
            fail(res, 412, NULL, "A record with these keys already exists.");
            return;
        }
    }
    res->modified = stamp;
    if (sim_write_save(c->s, c->ent, rec, res->id, res->created, stamp, &err)) {
        fail(res, err.code == ES_ECONFLICT ? 412 : 500, "PX.Data.PXException", "%s", err.msg);
        return;
    }
    res->status = 200;
    res->inserted = !found;
    res->rec = rec;
}

void sim_write_put(struct sim *s, struct es_arena *a, const struct sim_put *req,
                   struct sim_write_result *res)
{
    memset(res, 0, sizeof(*res));
    struct ctx c = {.s = s, .a = a, .ent = req->ent, .res = res};
    struct es_err err = {0};
    struct sim_doc *before = NULL;
    sim_store_lock(s->store);
    if (sim_store_begin(s->store, &err)) {
        sim_store_unlock(s->store);
        fail(res, 500, "PX.Data.PXException", "%s", err.msg);
        return;
    }
    put_locked(&c, req, res, &before);
    if (res->status == 200 && sim_store_commit(s->store, &err)) {
        sim_store_rollback(s->store);
        fail(res, 500, "PX.Data.PXException", "%s", err.msg);
    } else if (res->status != 200) {
        sim_store_rollback(s->store);
    }
    if (res->status == 200 && !res->unchanged)
        sim_push_changed(s, req->ent->def, before, res->before_modified, res->rec, res->id,
                         res->modified);
    sim_store_unlock(s->store);
    sim_push_end(s, res->status == 200);
}

int sim_write_delete(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                     const char *const *keys, int nkeys, const char *id, char *msg,
                     size_t msgcap)
{
    struct sim_doc *doc;
    char rid[37];
    int64_t created, modified;
    sim_store_lock(s->store);
    int rc = sim_write_load(s, a, ent, keys, nkeys, id, &doc, rid, &created, &modified);
    if (rc != 1) {
        sim_store_unlock(s->store);
        snprintf(msg, msgcap, "No entity satisfies the condition.");
        return 500;
    }
    uint32_t n;
    const char *status = ent->def->status ? sim_doc_str(doc, sim_nm(ent->def->status), &n) : NULL;
    if (status && sim_entity_is_locked(ent->def, status, n)) {
        sim_store_unlock(s->store);
        snprintf(msg, msgcap, "The document has the %.*s status and cannot be deleted.", (int)n,
                 status);
        return 500;
    }
    int gone = sim_store_delete(s->store, rid, NULL) == 1;
    if (gone)
        sim_push_changed(s, ent->def, doc, modified, NULL, rid, sim_stamp(s));
    sim_store_unlock(s->store);
    sim_push_end(s, gone);
    return 204;
}
