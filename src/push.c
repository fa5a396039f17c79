/* Push: application rows to Acumatica, exactly once. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/conflict.h"
#include "erpsync/http.h"
#include "erpsync/map.h"
#include "erpsync/mem.h"
#include "erpsync/push.h"
#include "erpsync/timeutil.h"
#include "erpsync/utf8.h"

#define BATCH 64
#define RETRY_BASE_MS 30000LL /* a push that met trouble waits, doubling */
#define RETRY_CAP_MS 3600000LL

/* ---- what each set sends ---- */

/* A column naming a record of another set, which must be in Acumatica
 * first: a customer before its orders, an item before the lines using it. */
struct dep {
    const char *col;
    enum es_set_id sets[2];
    int nsets;
    const char *target_col;
};

struct push_def {
    enum es_set_id set;
    const char *tag;               /* the reference erpsync makes: ES-<tag>-<row id> */
    const char *key0;              /* a document's first key when the row has none */
    const char *const *cols;       /* the columns sent */
    const char *const *line_cols;  /* the first detail's columns, sent when created */
    const struct dep *deps;        /* of the header */
    const struct dep *line_deps;   /* of the lines */
    const char *release;           /* the action that follows a create */
    int natural;                   /* master data: the key comes from the row */
};

#define ADDRESS "address_line1", "address_line2", "city", "state", "postal_code", "country"
#define NO_DEPS ((const struct dep[]){{NULL, {0}, 0, NULL}})
#define ON_CUSTOMER ((const struct dep[]){{"customer_id", {ES_SET_CUSTOMERS}, 1, "customer_id"}, \
                                          {NULL, {0}, 0, NULL}})
#define ON_ITEM ((const struct dep[]){{"inventory_id", {ES_SET_STOCK_ITEMS, ES_SET_SERVICES}, 2, \
                                       "inventory_id"},                                        \
                                      {NULL, {0}, 0, NULL}})
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct push_def defs[] = {
    {ES_SET_CUSTOMERS, "CU", NULL,
     L("customer_id", "name", "customer_class", "parent_customer_id", "price_class_id",
       "currency_id", "credit_limit", "terms", "email", "phone", ADDRESS),
     NULL, NO_DEPS, NO_DEPS, NULL, 1},
    {ES_SET_CUSTOMER_LOCATIONS, "CL", NULL,
     L("customer_id", "location_id", "location_name", "active", "email", "phone", ADDRESS,
       "ship_via", "price_class", "tax_zone"),
     NULL, ON_CUSTOMER, NO_DEPS, NULL, 1},
    {ES_SET_CONTACTS, "CT", NULL,
     L("first_name", "last_name", "email", "phone", "job_title", "company_name",
       "business_account", "ext_ref_nbr", ADDRESS),
     NULL, ((const struct dep[]){{"business_account", {ES_SET_CUSTOMERS}, 1, "customer_id"},
                                 {NULL, {0}, 0, NULL}}),
     NO_DEPS, NULL, 0},
    {ES_SET_STOCK_ITEMS, "SI", NULL,
     L("inventory_id", "description", "item_class", "base_uom", "sales_uom", "default_price",
       "msrp", "default_warehouse_id", "weight"),
     NULL, NO_DEPS, NO_DEPS, NULL, 1},
    {ES_SET_SERVICES, "NS", NULL,
     L("inventory_id", "description", "item_class", "base_unit", "default_price", "tax_category"),
     NULL, NO_DEPS, NO_DEPS, NULL, 1},
    {ES_SET_VENDORS, "VE", NULL,
     L("vendor_id", "name", "vendor_class", "currency_id", "terms", "email", "phone", ADDRESS),
     NULL, NO_DEPS, NO_DEPS, NULL, 1},
    {ES_SET_SALES_ORDERS, "SO", "SO",
     L("customer_id", "location_id", "date", "requested_on", "customer_order", "description",
       "ship_via", "hold"),
     L("inventory_id", "description", "warehouse_id", "uom", "order_qty", "unit_price",
       "discount_amount"),
     ON_CUSTOMER, ON_ITEM, NULL, 0},
    {ES_SET_QUOTES, "QT", "QT",
     L("customer_id", "location_id", "date", "requested_on", "customer_order", "description",
       "ship_via", "hold"),
     L("inventory_id", "description", "warehouse_id", "uom", "order_qty", "unit_price",
       "discount_amount"),
     ON_CUSTOMER, ON_ITEM, NULL, 0},
    {ES_SET_INVOICES, "IN", "Invoice",
     L("customer_id", "date", "due_date", "customer_order", "external_ref", "description", "hold"),
     L("inventory_id", "description", "uom", "qty", "unit_price"), ON_CUSTOMER, ON_ITEM,
     "ReleaseSalesInvoice", 0},
    {ES_SET_PAYMENTS, "PM", "Payment",
     L("customer_id", "application_date", "payment_method", "payment_ref", "payment_amount",
       "currency_id", "description", "external_ref"),
     L("doc_type", "reference_nbr", "amount_paid"), ON_CUSTOMER, NO_DEPS, "ReleasePayment", 0},
    {ES_SET_SERVICE_ORDERS, "WO", "MRO",
     L("customer_id", "location_id", "date", "description", "customer_order", "external_reference",
       "priority", "severity"),
     L("line_type", "inventory_id", "description", "estimated_qty", "unit_price"), ON_CUSTOMER,
     ON_ITEM, NULL, 0},
    {ES_SET_PURCHASE_ORDERS, "PO", "Normal",
     L("vendor_id", "location", "date", "promised_on", "vendor_ref", "description", "hold"),
     L("inventory_id", "description", "warehouse_id", "uom", "order_qty", "unit_cost"),
     ((const struct dep[]){{"vendor_id", {ES_SET_VENDORS}, 1, "vendor_id"}, {NULL, {0}, 0, NULL}}),
     ON_ITEM, NULL, 0},
};

static const struct push_def *def_of(enum es_set_id set)
{
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (defs[i].set == set)
            return &defs[i];
    return NULL;
}

int es_push_supported(enum es_set_id set)
{
    return def_of(set) != NULL;
}

/* ---- one set's push ---- */

struct set_push {
    struct es_push *p;
    struct es_acu *acu;     /* this worker's client */
    pthread_mutex_t *store_mu; /* several workers: the store is theirs in turn */
    const struct push_def *def;
    const struct es_mapping *m;
    const char *name, *version;
    struct es_map_plan *plan;
    struct es_counts *c;
    struct es_arena a; /* per row */
};

static void store_lock(struct set_push *sp)
{
    if (sp->store_mu)
        pthread_mutex_lock(sp->store_mu);
}

static void store_unlock(struct set_push *sp)
{
    if (sp->store_mu)
        pthread_mutex_unlock(sp->store_mu);
}

/* es_store_find, with the store to itself. */
static int find(struct set_push *sp, const char *table, const char *col, const char *value,
                struct es_store_found *f)
{
    store_lock(sp);
    int rc = es_store_find(sp->p->store, table, col, value, f, NULL);
    store_unlock(sp);
    return rc;
}

static int col_index(const struct es_col *cols, const char *name)
{
    for (int i = 0; cols[i].name; i++)
        if (!strcmp(cols[i].name, name))
            return i;
    return -1;
}

static int sends(const char *const *list, const char *name)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* The reference column in use on this endpoint version, or -1. */
static int extref_index(const struct set_push *sp)
{
    for (int k = 0; sp->m->extref_cols && sp->m->extref_cols[k]; k++) {
        int i = col_index(sp->m->cols, sp->m->extref_cols[k]);
        if (i >= 0 && es_map_col_in(&sp->m->cols[i], sp->version) &&
            sends(sp->def->cols, sp->m->extref_cols[k]))
            return i;
    }
    return -1;
}

/* ---- the JSON sent ---- */

/* obj[path] as a wrapped value, making the linked objects on the way. */
static void put_path(cJSON *obj, const char *path, cJSON *value)
{
    char seg[96];
    for (const char *p = path;;) {
        size_t n = strcspn(p, "/");
        snprintf(seg, sizeof(seg), "%.*s", (int)n, p);
        if (!p[n]) {
            cJSON *w = cJSON_CreateObject();
            cJSON_AddItemToObject(w, "value", value);
            cJSON_DeleteItemFromObjectCaseSensitive(obj, seg);
            cJSON_AddItemToObject(obj, seg, w);
            return;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, seg);
        if (!cJSON_IsObject(next))
            next = cJSON_AddObjectToObject(obj, seg);
        obj = next;
        p += n + 1;
    }
}

/* A column's value as JSON, or NULL with what is wrong with it: the
 * application's row is checked here, not by Acumatica's guess at it. */
static cJSON *json_value(const char *v, enum es_ctype t, const char **why)
{
    char *end = NULL;
    double d;
    switch (t) {
    case ES_CT_DEC:
    case ES_CT_INT:
        d = strtod(v, &end);
        while (end && (*end == ' ' || *end == '\t'))
            end++;
        if (end == v || *end || !isfinite(d)) {
            *why = "is not a number";
            return NULL;
        }
        if (t == ES_CT_INT && (fabs(d) > 9007199254740992.0 || d != floor(d))) {
            *why = "is not a whole number";
            return NULL;
        }
        return cJSON_CreateNumber(d);
    case ES_CT_BOOL:
        if (!strcmp(v, "1") || !strcasecmp(v, "true"))
            return cJSON_CreateBool(1);
        if (!strcmp(v, "0") || !strcasecmp(v, "false"))
            return cJSON_CreateBool(0);
        *why = "is not true or false (1 or 0)";
        return NULL;
    case ES_CT_TIME: {
        struct es_iso iso;
        if (es_iso_parse(&iso, v, strlen(v))) {
            *why = "is not a date-time (ISO 8601, like 2026-09-19T14:30:00Z)";
            return NULL;
        }
        return cJSON_CreateString(v);
    }
    case ES_CT_DATE: { /* a calendar date; an instant: its day in the ERP's calendar */
        char date[16];
        struct es_iso iso;
        if (es_iso_parse(&iso, v, strlen(v))) {
            *why = "is not a date (YYYY-MM-DD)";
            return NULL;
        }
        if (iso.has_time && iso.has_offset)
            es_date_local(date, sizeof(date), es_iso_to_ms(&iso), 0);
        else
            es_map_date(date, sizeof(date), v);
        return cJSON_CreateString(date);
    }
    default: return cJSON_CreateString(v);
    }
}

/* The columns of a row the set sends, by their field paths; NULLs are not
 * sent. A value that cannot be sent: 1, with a note naming it (what says
 * whose row it is). */
static int put_cols(cJSON *obj, const struct es_col *cols, const char *const *vals,
                    const struct set_push *sp, const char *const *send, const char *what,
                    char *note, size_t cap)
{
    char path[160];
    for (int i = 0; cols[i].name; i++) {
        if (!vals[i] || !sends(send, cols[i].name) || !es_map_col_in(&cols[i], sp->version))
            continue;
        const char *p = cols[i].path, *why = NULL;
        size_t addr = strlen(ES_MAP_ADDR);
        if (!strncmp(p, ES_MAP_ADDR, addr) && /* where the pull reads it, or not at all */
            !(p = es_map_address_path(path, sizeof(path), p + addr, sp->p->cfg)))
            continue;
        size_t len = strlen(vals[i]), good = 0;
        if (!es_utf8_valid(vals[i], len, &good)) { /* it would make the JSON invalid */
            snprintf(note, cap, "not sent: %s%s is not valid UTF-8 (byte %zu of %zu)", what,
                     cols[i].name, good + 1, len);
            return 1;
        }
        cJSON *v = json_value(vals[i], cols[i].type, &why);
        if (!v) {
            snprintf(note, cap, "not sent: %s%s = '%.60s' %s", what, cols[i].name, vals[i], why);
            return 1;
        }
        put_path(obj, p, v);
    }
    return 0;
}

static void put_text(cJSON *obj, const char *field, const char *v)
{
    put_path(obj, field, cJSON_CreateString(v));
}

/* A document's reference: the row's, or one erpsync makes from its id. */
static const char *reference(struct set_push *sp, const struct es_push_row *row, int ix)
{
    if (row->vals[ix] && *row->vals[ix])
        return row->vals[ix];
    char ref[48];
    snprintf(ref, sizeof(ref), "ES-%s-%" PRId64, sp->def->tag, row->id);
    return es_arena_strdup(&sp->a, ref);
}

/* ---- dependencies ---- */

/* The record a dependency names is not in Acumatica yet: note why. */
static int dep_waits(struct set_push *sp, const struct dep *d, const char *value, char *note,
                     size_t cap)
{
    for (int k = 0; k < d->nsets; k++) {
        const char *table = es_set_info(d->sets[k])->name;
        struct es_store_found f;
        if (find(sp, table, d->target_col, value, &f) || !f.found ||
            f.erp_key[0])
            continue;
        snprintf(note, cap, "waits for %s '%s' (%s%s%s)", table, value, f.status,
                 f.note[0] ? ": " : "", f.note);
        return 1;
    }
    return 0;
}

static int row_waits(struct set_push *sp, const struct dep *deps, const struct es_col *cols,
                     const char *const *vals, char *note, size_t cap)
{
    for (const struct dep *d = deps; d && d->col; d++) {
        int i = col_index(cols, d->col);
        if (i >= 0 && vals[i] && dep_waits(sp, d, vals[i], note, cap))
            return 1;
    }
    return 0;
}

/* A payment applied to an invoice the application created: the invoice's
 * reference number, once Acumatica has it. Returns 1 when it must wait. */
static int applied_invoice(struct set_push *sp, struct es_row *line, const struct es_col *cols,
                           char *note, size_t cap)
{
    int link = col_index(cols, "invoice_row_id");
    if (link < 0 || !line->vals[link])
        return 0;
    struct es_store_found f;
    if (find(sp, "invoices", "id", line->vals[link], &f) || !f.found) {
        snprintf(note, cap, "applied to invoice row %s, which does not exist", line->vals[link]);
        return 1;
    }
    const char *bar = strchr(f.erp_key, '|');
    if (!bar) {
        snprintf(note, cap, "waits for invoices row %s (%s%s%s)", line->vals[link], f.status,
                 f.note[0] ? ": " : "", f.note);
        return 1;
    }
    line->vals[col_index(cols, "doc_type")] = es_arena_strndup(&sp->a, f.erp_key,
                                                                (size_t)(bar - f.erp_key));
    line->vals[col_index(cols, "reference_nbr")] = es_arena_strdup(&sp->a, bar + 1);
    return 0;
}

struct lines {
    struct es_row *rows;
    int n;
};

static int load_lines(struct set_push *sp, const struct es_push_row *row, struct lines *out,
                      char *note, size_t cap, struct es_err *err)
{
    out->n = 0;
    if (!sp->def->line_cols || !sp->m->details || !sp->m->details[0].array)
        return 0;
    store_lock(sp);
    int rc = es_store_detail_rows(sp->p->store, sp->m, 0, row->id, &sp->a, &out->rows, &out->n,
                                  err);
    store_unlock(sp);
    const struct es_col *cols = sp->m->details[0].cols;
    for (int i = 0; !rc && i < out->n; i++) {
        if (applied_invoice(sp, &out->rows[i], cols, note, cap) ||
            row_waits(sp, sp->def->line_deps, cols, out->rows[i].vals, note, cap))
            return 1;
    }
    return rc;
}

/* ---- the body ---- */

/* A key value: a number for an integer key (ContactID), else text. */
static void put_key(cJSON *body, const struct es_mapping *m, int k, const char *v)
{
    put_path(body, m->keys[k], m->int_key ? cJSON_CreateNumber(strtod(v, NULL))
                                          : cJSON_CreateString(v));
}

/* The key values of a row: its ERP key's parts ("SO|000041") when it has
 * one, else its key columns (NULL where empty); how many. buf holds the
 * parts. */
static int key_values(const struct set_push *sp, const struct es_push_row *row, char buf[256],
                      const char *out[2])
{
    const struct es_mapping *m = sp->m;
    out[0] = out[1] = NULL;
    if (row->erp_key) {
        snprintf(buf, 256, "%s", row->erp_key);
        out[0] = buf;
        char *bar = m->nkeys == 2 ? strchr(buf, '|') : NULL;
        if (bar) {
            *bar = '\0';
            out[1] = bar + 1;
        }
        return bar ? 2 : 1;
    }
    for (int k = 0; k < m->nkeys; k++) {
        int i = col_index(m->cols, m->key_cols[k]);
        out[k] = i >= 0 && row->vals[i] && *row->vals[i] ? row->vals[i] : NULL;
    }
    return m->nkeys;
}

/* The keys: an existing record's (from its ERP key); for a new one, the
 * row's natural key, or a document's type (Acumatica numbers it). */
static int put_keys(struct set_push *sp, cJSON *body, const struct es_push_row *row,
                    char *note, size_t cap)
{
    const struct es_mapping *m = sp->m;
    char buf[256];
    const char *v[2];
    int n = key_values(sp, row, buf, v);
    if (!row->erp_key && !sp->def->natural) { /* a document: its type; the number (or
                                               * the contact's id) is Acumatica's */
        const char *type = v[0] ? v[0] : sp->def->key0;
        if (m->nkeys == 2 && type)
            put_key(body, m, 0, type);
        return 0;
    }
    for (int k = 0; k < n; k++) {
        if (!v[k]) {
            snprintf(note, cap, "%s is required to create the record in Acumatica",
                     m->key_cols[k]);
            return 1;
        }
        size_t bad = 0;
        if (!es_utf8_valid(v[k], strlen(v[k]), &bad)) {
            snprintf(note, cap, "not sent: %s is not valid UTF-8 (byte %zu of %zu)",
                     m->key_cols[k], bad + 1, strlen(v[k]));
            return 1;
        }
        put_key(body, m, k, v[k]);
    }
    return 0;
}

static int put_lines(struct set_push *sp, cJSON *body, const struct lines *lines, char *note,
                     size_t cap)
{
    const struct es_detail *d = &sp->m->details[0];
    cJSON *arr = cJSON_AddArrayToObject(body, d->array);
    for (int i = 0; i < lines->n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        char what[96];
        snprintf(what, sizeof(what), "%s line %d: ", d->table, i + 1);
        if (put_cols(o, d->cols, lines->rows[i].vals, sp, sp->def->line_cols, what, note, cap))
            return 1;
    }
    return 0;
}

/* The action that follows a create, or NULL. */
static const char *release_action(const struct set_push *sp)
{
    if (sp->def->set == ES_SET_INVOICES && !sp->p->cfg->invoices.release)
        return NULL;
    return sp->def->release;
}

/* What the options and the set add. */
static void put_extras(struct set_push *sp, cJSON *body, int create)
{
    const struct es_config *cfg = sp->p->cfg;
    if (sp->def->set == ES_SET_CUSTOMERS && create &&
        cfg->customers.new_customer_type == ES_CUSTOMER_RESIDENTIAL)
        put_path(body, "ResidentialDelivery", cJSON_CreateBool(1));
    if (sp->def->set == ES_SET_CUSTOMERS && cfg->customers.use_ship_to_address) {
        /* Acumatica keeps a shipping contact written without these as the
         * main one (API-NOTES §2.2). */
        put_path(body, "ShippingContactOverride", cJSON_CreateBool(1));
        put_path(body, "ShippingAddressOverride", cJSON_CreateBool(1));
    }
    if (sp->def->set == ES_SET_INVOICES && cfg->invoices.use_integration_date) {
        char today[16]; /* a calendar date: today in the ERP's calendar */
        es_date_local(today, sizeof(today), es_acu_erp_now(sp->acu), 0);
        put_text(body, "Date", today);
    }
    if (release_action(sp)) /* released right after: not on hold */
        put_path(body, "Hold", cJSON_CreateBool(0));
}

/* The body, or NULL with a note when the row cannot be sent as it is. */
static cJSON *body_of(struct set_push *sp, const struct es_push_row *row, const struct lines *lines,
                      int ref_ix, const char *ref, char *note, size_t cap)
{
    cJSON *body = cJSON_CreateObject();
    if (put_keys(sp, body, row, note, cap)) {
        cJSON_Delete(body);
        return NULL;
    }
    if (put_cols(body, sp->m->cols, row->vals, sp, sp->def->cols, "", note, cap) ||
        (!row->erp_key && lines->n && put_lines(sp, body, lines, note, cap))) {
        cJSON_Delete(body);
        return NULL;
    }
    if (ref_ix >= 0)
        put_text(body, sp->m->cols[ref_ix].path, ref);
    put_extras(sp, body, !row->erp_key);
    return body;
}

/* ---- what Acumatica said ---- */

/* Every "error" of a 422 body with the field path it belongs to:
 * "Details[1].InventoryID: 'Inventory ID' cannot be found in the system." */
static void collect_errors(struct es_buf *out, const cJSON *j, const char *path)
{
    char sub[256], row[300];
    for (const cJSON *m = j ? j->child : NULL; m; m = m->next) {
        if (!m->string)
            continue;
        if (!strcmp(m->string, "error") && cJSON_IsString(m)) {
            if (path[0]) /* a field's; the record's own is the summary */
                es_buf_addf(out, "%s%s: %s", out->len ? "; " : "", path, m->valuestring);
            continue;
        }
        snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", m->string);
        if (cJSON_IsObject(m))
            collect_errors(out, m, sub);
        if (!cJSON_IsArray(m))
            continue;
        int i = 0;
        for (const cJSON *it = m->child; it; it = it->next, i++) {
            snprintf(row, sizeof(row), "%s[%d]", sub, i);
            collect_errors(out, it, row);
        }
    }
}

/* The note of a refusal: the summary and every field's error, or the
 * ERP's message. */
void es_push_refusal_note(long status, const char *body, size_t n, const char *fallback,
                          char *note, size_t cap)
{
    cJSON *j = n ? cJSON_ParseWithLength(body, n) : NULL;
    struct es_buf b;
    es_buf_init(&b, 0);
    collect_errors(&b, j, "");
    const char *summary = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "exceptionMessage"));
    if (!msg)
        msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
    if (b.len)
        snprintf(note, cap, "HTTP %ld: %s%s%s", status, summary ? summary : "",
                 summary ? " " : "", b.data);
    else
        snprintf(note, cap, "HTTP %ld: %s", status, msg ? msg : fallback);
    es_buf_dispose(&b);
    cJSON_Delete(j);
}

/* A business error of Acumatica's (PX.*), which will not pass by itself. */
static int business_error(const struct es_http_resp *r)
{
    cJSON *j = r->body.len ? cJSON_ParseWithLength(r->body.data, r->body.len) : NULL;
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "exceptionType"));
    int px = t && !strncmp(t, "PX.", 3);
    cJSON_Delete(j);
    return px;
}

enum verdict {
    V_DONE,    /* in Acumatica: adopt */
    V_REFUSED, /* failed: Acumatica said why */
    V_UNKNOWN, /* maybe committed, maybe not: look before sending again */
    V_AGAIN,   /* not processed (declined): send again later */
    V_STOP,    /* the set cannot go on */
};

static enum verdict judge(int rc, const struct es_http_resp *r)
{
    if (!rc)
        return V_DONE;
    if (rc == ES_ELIMIT)
        return V_AGAIN;
    if (rc == ES_ENET || rc == ES_ETIMEOUT || rc == ES_ETOOBIG) /* sent: no answer read */
        return V_UNKNOWN;
    if (rc != ES_EREMOTE || r->status == 401) /* a session refused after a new sign-in */
        return V_STOP;
    if (r->status >= 400 && r->status < 500)
        return V_REFUSED;
    return r->status == 500 && business_error(r) ? V_REFUSED : V_UNKNOWN;
}

/* ---- talking to Acumatica ---- */

static long count_requests(struct set_push *sp, long before)
{
    long now = es_acu_sent(sp->acu);
    sp->c->requests += now - before;
    return now;
}

/* "<Entity>?$select=...&$expand=..." of everything mapped. */
static void entity_query(struct set_push *sp, struct es_buf *path, const char *suffix)
{
    es_buf_addf(path, "%s%s?", sp->m->entity, suffix ? suffix : "");
    es_map_query(path, sp->m, sp->version, 0);
}

static int send_body(struct set_push *sp, const cJSON *body, int create,
                     struct es_http_resp *resp, struct es_err *err)
{
    struct es_buf path;
    es_buf_init(&path, 0);
    entity_query(sp, &path, NULL);
    char *text = cJSON_PrintUnformatted(body);
    const char *create_only[] = {"If-None-Match: *", NULL};
    const char *update_only[] = {"If-Match: *", NULL};
    const char *const *hdrs = !create ? update_only : sp->def->natural ? create_only : NULL;
    long before = es_acu_sent(sp->acu);
    /* Never sent twice by the transport: a fresh connection, no retries
     * but for declines (429), which Acumatica did not process. */
    int rc = es_acu_call_h(sp->acu, resp, "PUT", path.data, text, ES_ACU_FRESH, hdrs, err);
    count_requests(sp, before);
    cJSON_free(text);
    es_buf_dispose(&path);
    return rc;
}

/* The record Acumatica answered with, mapped. */
static int answer_record(struct set_push *sp, const char *json, size_t n, struct es_record *rec,
                         struct es_err *err)
{
    cJSON *j = cJSON_ParseWithLength(json, n);
    const cJSON *one = cJSON_IsArray(j) ? j->child : j;
    int rc = one ? es_map_apply(rec, &sp->a, sp->plan, one, err)
                 : es_err_set(err, ES_EREMOTE, "%s: the answer is not a record", sp->m->entity);
    cJSON_Delete(j); /* the record's strings are in the arena */
    return rc;
}

/* The status column of a mapped record, or "". */
static const char *record_status(struct set_push *sp, const struct es_record *rec)
{
    int i = col_index(sp->m->cols, "status");
    return i >= 0 && rec->row.vals[i] ? rec->row.vals[i] : "";
}

/* After a create: the release the set needs (a payment), unless done. */
/* Does the created record still need the set's release action? */
static int release_due(struct set_push *sp, const struct es_record *rec)
{
    const char *st = record_status(sp, rec);
    return release_action(sp) && strcmp(st, "Open") && strcmp(st, "Closed") &&
           strcmp(st, "Released") && rec->erp_id;
}

static int release(struct set_push *sp, struct es_record *rec, char *note, size_t cap,
                   struct es_err *err)
{
    const char *action = release_action(sp);
    if (!release_due(sp, rec))
        return 0;
    char ent[80];
    snprintf(ent, sizeof(ent), "{\"id\":\"%s\"}", rec->erp_id);
    struct es_err e = {0};
    long before = es_acu_sent(sp->acu);
    int rc = es_acu_action(sp->acu, sp->m->entity, action, ent, &e);
    count_requests(sp, before);
    if (rc == ES_EREMOTE) {
        snprintf(note, cap, "in Acumatica as %s, but %s failed: %s", rec->erp_key,
                 action, e.msg);
        return 1;
    }
    if (rc)
        return es_err_set(err, rc, "%s", e.msg);
    /* Read it back: its status and balances changed. */
    struct es_buf path;
    es_buf_init(&path, 0);
    entity_query(sp, &path, NULL);
    struct es_http_resp r;
    es_http_resp_init(&r);
    char by_id[600];
    snprintf(by_id, sizeof(by_id), "%s/%s%s", sp->m->entity, rec->erp_id, strchr(path.data, '?'));
    before = es_acu_sent(sp->acu);
    rc = es_acu_call(sp->acu, &r, "GET", by_id, NULL, ES_ACU_IDEMPOTENT, err);
    count_requests(sp, before);
    if (!rc)
        rc = answer_record(sp, r.body.data, r.body.len, rec, err);
    es_http_resp_dispose(&r);
    es_buf_dispose(&path);
    return rc;
}

/* "Customer/C00012", "SalesOrder/SO/000041": the record's path by its key
 * (its ERP key, else its key columns), each part URL-encoded. */
static void key_path(struct es_buf *out, struct set_push *sp, const struct es_push_row *row)
{
    char buf[256];
    const char *v[2];
    int n = key_values(sp, row, buf, v);
    es_buf_adds(out, sp->m->entity);
    for (int k = 0; k < n; k++) {
        es_buf_add(out, "/", 1);
        es_http_escape(out, v[k] ? v[k] : "");
    }
}

/* GET path (a record or a list of one): 1 with the record mapped into rec,
 * 0 when there is none, <0 an error. */
static int get_record(struct set_push *sp, const char *path, struct es_record *rec,
                      struct es_err *err)
{
    struct es_http_resp r;
    es_http_resp_init(&r);
    long before = es_acu_sent(sp->acu);
    struct es_err e = {0};
    cJSON *j = NULL;
    int rc = es_acu_get_json(sp->acu, &r, path, &j, &e);
    count_requests(sp, before);
    int found = 0;
    if (!rc) {
        /* Only an empty list says "not there": anything else that is no
         * record could hide one, and sending again could make it twice. */
        const cJSON *one = cJSON_IsArray(j) ? j->child : j;
        found = cJSON_IsObject(one);
        if (found && (rc = es_map_apply(rec, &sp->a, sp->plan, one, err)))
            found = rc;
        else if (!found && !(cJSON_IsArray(j) && !j->child))
            found = es_err_set(err, ES_EREMOTE, "GET %s: the answer is neither a record nor an"
                                                " empty list",
                               sp->m->entity);
        cJSON_Delete(j);
    } else if (rc == ES_EREMOTE && r.status == 500 && strstr(r.body.data ? r.body.data : "",
                                                             "NoEntitySatisfiesTheCondition")) {
        found = 0; /* by key: not there */
    } else {
        found = es_err_set(err, rc, "%s", e.msg);
    }
    es_http_resp_dispose(&r);
    return found;
}

/* The record a push whose answer was lost may have made: by its natural
 * key, or by the document's reference. 1 found (rec), 0 not, <0 error. */
static int look_up(struct set_push *sp, const struct es_push_row *row, int ref_ix, const char *ref,
                   struct es_record *rec, struct es_err *err)
{
    struct es_buf path, f;
    es_buf_init(&path, 0);
    es_buf_init(&f, 0);
    if (sp->def->natural) {
        key_path(&path, sp, row);
        es_buf_add(&path, "?", 1);
        es_map_query(&path, sp->m, sp->version, 0);
    } else {
        if (sp->m->filter)
            es_buf_addf(&f, "%s and ", sp->m->filter);
        es_buf_addf(&f, "%s eq '", sp->m->cols[ref_ix].path);
        for (const char *c = ref; *c; c++) { /* quotes doubled, as OData wants */
            es_buf_add(&f, c, 1);
            if (*c == '\'')
                es_buf_add(&f, "'", 1);
        }
        es_buf_add(&f, "'", 1);
        entity_query(sp, &path, NULL);
        es_buf_adds(&path, "&$top=1&$filter=");
        es_http_escape(&path, f.data);
    }
    int found = get_record(sp, path.data, rec, err);
    es_buf_dispose(&path);
    es_buf_dispose(&f);
    return found;
}

/* A push run alone (the set not pulled in this run) finds conflicts
 * itself: before an update it reads the ERP's record, and when that is no
 * longer the version last synced, both sides changed it. Decided and
 * recorded as the pull does; when Acumatica wins its version is taken and
 * nothing is sent (*done). */
static int check_conflict(struct set_push *sp, struct es_push_row *row, int *done,
                          struct es_err *err)
{
    *done = 0;
    enum es_set_id set = sp->def->set;
    if (!row->erp_key || strcmp(row->status, "pending") || ((sp->p->pulled >> set) & 1) ||
        !(es_set_info(set)->allowed & ES_DIR_PULL))
        return 0;
    struct es_buf path;
    es_buf_init(&path, 0);
    key_path(&path, sp, row);
    es_buf_add(&path, "?", 1);
    es_map_query(&path, sp->m, sp->version, 0);
    struct es_record rec;
    int rc = get_record(sp, path.data, &rec, err);
    es_buf_dispose(&path);
    if (rc <= 0)
        return rc; /* gone (the update will say so) */
    if (!es_conflict_exists(row->status, row->erp_hash, row->erp_modified, &rec)) {
        store_lock(sp); /* nothing synced changed there: its time is kept */
        rc = es_store_touch(sp->p->store, sp->m, row->id, &rec, err);
        store_unlock(sp);
        return rc;
    }
    char reason[300];
    int erp_wins = es_conflict_erp_wins(sp->p->cfg->sets[set].primary, &rec,
                                        es_acu_clock_skew(sp->acu), row->app_modified, reason,
                                        sizeof(reason));
    struct es_held h;
    snprintf(h.id, sizeof(h.id), "%" PRId64, row->id);
    snprintf(h.app_modified, sizeof(h.app_modified), "%s",
             row->app_modified ? row->app_modified : "");
    store_lock(sp);
    rc = es_store_resolve(sp->p->store, sp->m, &h, &rec, erp_wins, reason, rec.erp_modified,
                          sp->p->run_id, sp->p->now_utc, err);
    store_unlock(sp);
    sp->c->conflicts++;
    if (erp_wins) {
        sp->c->erp_won++;
        *done = 1;
    }
    return rc;
}

/* ---- one row ---- */

static int mark(struct set_push *sp, const struct es_push_row *row, const char *status,
                const char *note, int64_t next, const char *col, const char *value,
                struct es_err *err)
{
    store_lock(sp);
    int rc = es_store_push_mark(sp->p->store, sp->m, row->id, status, note, row->attempts, next,
                                col, value, sp->p->now_utc, err);
    store_unlock(sp);
    return rc;
}

/* The row as the user knows it: its key columns' values ("WEB0009",
 * "SO/000041"), else "row N". */
static const char *row_name(const struct set_push *sp, const struct es_push_row *row, char *out,
                            size_t cap)
{
    char buf[256];
    const char *v[2];
    int n = key_values(sp, row, buf, v);
    if (n == 2 && v[0] && v[1])
        snprintf(out, cap, "'%s/%s'", v[0], v[1]);
    else if (v[n - 1])
        snprintf(out, cap, "'%s'", v[n - 1]);
    else
        snprintf(out, cap, "row %" PRId64, row->id);
    return out;
}

/* An answer naming a record that another row of the store holds: nothing
 * is deleted or overwritten; the pushed row fails and says why. */
static int answer_taken(struct set_push *sp, const struct es_push_row *row,
                        const struct es_record *rec, const char *why, char *note, size_t cap,
                        struct es_err *err)
{
    char name[300];
    snprintf(note, cap,
             "Acumatica answered the push of %s with the record '%s', which is not this row's: "
             "%s; nothing in the store was changed (look at both records in Acumatica)",
             row_name(sp, row, name, sizeof(name)), rec->erp_key, why);
    return es_store_push_mark(sp->p->store, sp->m, row->id, "failed", note, row->attempts, 0,
                              NULL, NULL, sp->p->now_utc, err);
}

/* The row is the ERP's record: written back, synced. */
static int adopt(struct set_push *sp, const struct es_push_row *row, struct es_record *rec,
                 struct es_err *err)
{
    char note[2 * ES_ERR_MSG] = "";
    struct es_store *s = sp->p->store;
    struct es_err taken = {0};
    int rc = 0;
    if (release_due(sp, rec)) { /* the answer must be this row's before an action on it */
        store_lock(sp);
        rc = es_store_adopt_check(s, sp->m, row->id, rec, &taken);
        if (rc == ES_ECONFLICT && !(rc = answer_taken(sp, row, rec, taken.msg, note,
                                                      sizeof(note), err)))
            sp->c->push_failed++;
        else if (rc && rc != ES_ECONFLICT)
            es_err_set(err, rc, "%s", taken.msg);
        store_unlock(sp);
        if (rc || note[0] || (rc = release(sp, rec, note, sizeof(note), err)) < 0)
            return rc;
    }
    store_lock(sp);
    if (!(rc = es_store_begin(s, err))) {
        rc = es_store_adopt(s, sp->m, row->id, rec, sp->p->now_utc, &taken);
        if (rc == ES_ECONFLICT) /* the answer names a record another row holds */
            rc = answer_taken(sp, row, rec, taken.msg, note, sizeof(note), err);
        else if (rc)
            es_err_set(err, rc, "%s", taken.msg);
        else if (note[0]) /* in Acumatica, but its release failed: say so */
            rc = es_store_push_mark(s, sp->m, row->id, "failed", note, row->attempts, 0, NULL,
                                    NULL, sp->p->now_utc, err);
        if (!rc)
            rc = es_store_commit(s, err);
        if (rc)
            es_store_rollback(s);
    }
    store_unlock(sp);
    if (rc)
        return rc;
    note[0] ? sp->c->push_failed++ : sp->c->pushed++;
    return 0;
}

static int64_t retry_at(const struct es_push_row *row)
{
    int64_t d = RETRY_BASE_MS;
    for (long i = 1; i < row->attempts && d < RETRY_CAP_MS; i++)
        d *= 2;
    return es_now_ms() + (d < RETRY_CAP_MS ? d : RETRY_CAP_MS);
}

/* Trouble that may pass: a decline (not processed, pending again) or no
 * answer (unknown: looked up before any resend). Retried a few times now,
 * then left for a later run. Returns 1 to try again now. */
static int trouble(struct set_push *sp, struct es_push_row *row, enum verdict v, int attempt,
                   const char *why, struct es_err *err)
{
    row->status = v == V_AGAIN ? "pending" : "unknown";
    if (attempt < sp->p->cfg->limits.retries) {
        int64_t wait = 500LL << (attempt < 6 ? attempt : 6);
        if (es_acu_wait((long)wait))
            return es_err_set(err, ES_ECONFLICT, "%s: stopped", sp->name);
        return 1;
    }
    char note[ES_ERR_MSG + 128];
    snprintf(note, sizeof(note), "%s; %s", why,
             v == V_AGAIN ? "sent again later"
                          : "the outcome is unknown: looked up in Acumatica before any resend");
    sp->c->waiting++;
    int rc = mark(sp, row, row->status, note, retry_at(row), NULL, NULL, err);
    return rc ? rc : 0;
}

/* Before anything is sent again after a lost answer: is it there? */
static int check_unknown(struct set_push *sp, struct es_push_row *row, int ref_ix, const char *ref,
                         int *done, struct es_err *err)
{
    *done = 0;
    /* Sent without an answer, or sent before and marked again (a failure
     * after Acumatica took it, a bad answer): it may be there already. */
    int maybe_there = !strcmp(row->status, "unknown") || row->sent;
    if (!maybe_there || row->erp_key || (ref_ix < 0 && !sp->def->natural))
        return 0;
    struct es_record rec;
    int found = look_up(sp, row, ref_ix, ref, &rec, err);
    if (found <= 0)
        return found;
    if (sp->def->natural) { /* there: our values go as an update */
        row->erp_key = rec.erp_key;
        return 0;
    }
    *done = 1;
    return adopt(sp, row, &rec, err);
}

static int send_once(struct set_push *sp, struct es_push_row *row, const struct lines *lines,
                     int ref_ix, const char *ref, enum verdict *v, char *why, size_t cap,
                     struct es_err *err)
{
    char note[2048] = "";
    cJSON *body = body_of(sp, row, lines, ref_ix, ref, note, sizeof(note));
    if (!body) {
        *v = V_REFUSED;
        row->attempts++;
        sp->c->push_failed++;
        return mark(sp, row, "failed", note, 0, NULL, NULL, err);
    }
    row->attempts++;
    int rc = mark(sp, row, "unknown", NULL, 0, ref_ix >= 0 ? sp->m->cols[ref_ix].name : NULL,
                  ref, err); /* committed before a byte is sent */
    row->sent = 1;
    struct es_http_resp resp;
    es_http_resp_init(&resp);
    struct es_err e = {0};
    if (!rc) {
        *v = judge(send_body(sp, body, !row->erp_key, &resp, &e), &resp);
        snprintf(why, cap, "%s", e.msg);
    }
    cJSON_Delete(body);
    struct es_record rec;
    if (!rc && *v == V_DONE && !(rc = answer_record(sp, resp.body.data, resp.body.len, &rec, err)))
        rc = adopt(sp, row, &rec, err);
    if (!rc && *v == V_REFUSED) {
        es_push_refusal_note(resp.status, resp.body.data, resp.body.len, e.msg, note,
                             sizeof(note));
        if (resp.status == 412) { /* what the precondition was */
            size_t n = strlen(note);
            snprintf(note + n, sizeof(note) - n, " (%s)",
                     !row->erp_key ? "sent as new (If-None-Match: *), but Acumatica has a record"
                                     " with this key already"
                                   : "sent as an update (If-Match: *), but Acumatica has no"
                                     " record with this key");
        }
        sp->c->push_failed++;
        rc = mark(sp, row, "failed", note, 0, NULL, NULL, err);
    }
    if (!rc && *v == V_STOP)
        rc = es_err_set(err, e.code ? e.code : ES_EREMOTE, "%s", e.msg);
    es_http_resp_dispose(&resp);
    return rc;
}

static int push_row(struct set_push *sp, struct es_push_row *row, struct es_err *err)
{
    es_arena_reset(&sp->a);
    char note[ES_ERR_MSG + 256] = ""; /* may quote another row's note */
    struct lines lines = {NULL, 0};
    int w = row_waits(sp, sp->def->deps, sp->m->cols, row->vals, note, sizeof(note));
    if (!w)
        w = load_lines(sp, row, &lines, note, sizeof(note), err);
    if (w < 0)
        return w;
    if (w) { /* not sent: it stays as it is, saying what it waits for */
        sp->c->waiting++;
        return mark(sp, row, row->status, note, 0, NULL, NULL, err);
    }
    int done = 0, rc = check_conflict(sp, row, &done, err);
    if (rc || done)
        return rc;
    int ref_ix = sp->def->natural ? -1 : extref_index(sp);
    const char *ref = ref_ix >= 0 ? reference(sp, row, ref_ix) : NULL;
    for (int attempt = 0;; attempt++) {
        if ((rc = check_unknown(sp, row, ref_ix, ref, &done, err)) || done)
            return rc;
        enum verdict v = V_STOP;
        char why[ES_ERR_MSG] = "";
        if ((rc = send_once(sp, row, &lines, ref_ix, ref, &v, why, sizeof(why), err)))
            return rc;
        if (v != V_AGAIN && v != V_UNKNOWN)
            return 0;
        if ((rc = trouble(sp, row, v, attempt, why, err)) <= 0)
            return rc;
    }
}

/* ---- a set ---- */

/* The rows of a batch, shared by the workers: each takes the next. */
struct queue {
    pthread_mutex_t mu;
    pthread_mutex_t store_mu;
    struct es_push_row *rows;
    int n, next;
    long done;
    int rc;
    struct es_err err;
};

struct worker {
    struct set_push sp;
    struct es_counts c;
    struct queue *q;
    pthread_t thread;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct queue *q = w->q;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        int i = q->rc ? q->n : q->next++;
        pthread_mutex_unlock(&q->mu);
        if (i >= q->n)
            break;
        struct es_err e = {0};
        int rc = es_acu_stopping() ? es_err_set(&e, ES_ECONFLICT, "%s: stopped", w->sp.name)
                                   : push_row(&w->sp, &q->rows[i], &e);
        pthread_mutex_lock(&q->mu);
        if (rc && !q->rc) {
            q->rc = rc;
            q->err = e;
        }
        long done = ++q->done;
        pthread_mutex_unlock(&q->mu);
        struct es_push *p = w->sp.p;
        if (p->progress) {
            store_lock(&w->sp); /* the callback is not the workers' */
            p->progress(p->progress_ctx, w->sp.name, "push", done, 0);
            store_unlock(&w->sp);
        }
    }
    return NULL;
}

/* One batch: the first worker on this thread, the others on their own. */
static void run_batch(struct worker *ws, int nw)
{
    int started = 1;
    for (int i = 1; i < nw; i++, started++)
        if (pthread_create(&ws[i].thread, NULL, work, &ws[i]))
            break; /* fewer threads: the work still gets done */
    work(&ws[0]);
    for (int i = 1; i < started; i++)
        pthread_join(ws[i].thread, NULL);
}

/* Workers: as many as concurrent_requests allows (each with a client of
 * the one session), never more than the rows justify. */
static int workers_new(struct es_push *p, enum es_set_id set, struct queue *q,
                       struct worker **out, int *nw, struct es_err *err)
{
    int n = p->cfg->limits.concurrent_requests > 0 ? p->cfg->limits.concurrent_requests : 1;
    struct worker *ws = es_xcalloc((size_t)n, sizeof(*ws));
    int rc = 0, made = 0;
    for (; made < n && !rc; made++) {
        struct set_push *sp = &ws[made].sp;
        *sp = (struct set_push){.p = p, .def = def_of(set), .m = es_map_get(set),
                                .name = es_set_info(set)->name, .version = es_acu_version(p->acu),
                                .c = &ws[made].c, .acu = p->acu,
                                .store_mu = n > 1 ? &q->store_mu : NULL};
        ws[made].q = q;
        if (made && (rc = es_acu_fork(p->acu, &sp->acu, err)))
            break;
        es_map_plan_new(&sp->plan, sp->m, sp->version, p->cfg);
        es_arena_init(&sp->a, 64 * 1024);
    }
    *out = ws;
    *nw = made;
    return rc;
}

static void workers_free(struct worker *ws, int nw, struct es_counts *c)
{
    for (int i = 0; i < nw; i++) {
        struct es_counts *w = &ws[i].c;
        c->pushed += w->pushed, c->push_failed += w->push_failed, c->waiting += w->waiting;
        c->conflicts += w->conflicts, c->erp_won += w->erp_won;
        c->requests += w->requests;
        if (i)
            es_acu_free(ws[i].sp.acu);
        es_arena_dispose(&ws[i].sp.a);
        es_map_plan_free(ws[i].sp.plan);
    }
    free(ws);
}

int es_push_set(struct es_push *p, enum es_set_id set, struct es_counts *c, struct es_err *err)
{
    if (!def_of(set) || !es_map_get(set))
        return es_err_set(err, ES_EINVAL, "%s: erpsync does not push this set",
                          es_set_info(set)->name);
    struct queue q = {.mu = PTHREAD_MUTEX_INITIALIZER, .store_mu = PTHREAD_MUTEX_INITIALIZER};
    struct worker *ws;
    int nw;
    int rc = workers_new(p, set, &q, &ws, &nw, err);
    struct es_arena batch;
    es_arena_init(&batch, 64 * 1024);
    int64_t after = 0, now = es_now_ms();
    while (!rc) {
        es_arena_reset(&batch);
        q.n = q.next = 0;
        if ((rc = es_store_push_rows(p->store, ws[0].sp.m, now, after, BATCH * nw, &batch, &q.rows,
                                     &q.n, err)) ||
            !q.n)
            break;
        after = q.rows[q.n - 1].id;
        run_batch(ws, nw);
        if ((rc = q.rc))
            es_err_set(err, q.rc, "%s", q.err.msg);
    }
    es_arena_dispose(&batch);
    workers_free(ws, nw, c);
    return rc;
}
