/* Actions and their state changes. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "actions.h"
#include "erpsync/mem.h"
#include "input.h"
#include "names.h"
#include "push.h"
#include "sim.h"
#include "write.h"

/* ---- action context ---- */

struct act {
    struct sim *s;
    struct es_arena *a;
    const struct sim_entity *ent;
    const struct sim_endpoint *ep;
    struct sim_doc *doc;
    char id[37];
    int64_t created, modified, stamp;
    const cJSON *params;
    char msg[256];
};

typedef int (*act_fn)(struct act *c);

static int failf(struct act *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct act *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t N(const char *name)
{
    return sim_nm(name);
}

static int status_is(const struct sim_doc *d, const char *st)
{
    return sim_doc_str_eq(d, N("Status"), st);
}

static void set_status(struct act *c, struct sim_doc *d, const char *st)
{
    sim_doc_set_str(c->a, d, N("Status"), st);
}

static const char *status_of(const struct sim_doc *d, char *buf, size_t cap)
{
    uint32_t n;
    const char *s = sim_doc_str(d, N("Status"), &n);
    snprintf(buf, cap, "%.*s", s ? (int)n : 0, s ? s : "");
    return buf;
}

static int64_t dec(const struct sim_doc *d, const char *f)
{
    const struct sim_val *v = sim_doc_get(d, N(f));
    if (!v)
        return 0;
    return v->t == SV_DEC ? v->u.i : v->t == SV_INT ? v->u.i * SIM_DEC_SCALE : 0;
}

static const char *param_str(struct act *c, const char *name)
{
    const cJSON *p = cJSON_GetObjectItem(c->params, name);
    const cJSON *v = cJSON_IsObject(p) ? cJSON_GetObjectItem(p, "value") : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Save another record changed by the action, with the action's timestamp. */
static int save_other(struct act *c, const struct sim_entity *ent, struct sim_doc *doc,
                      const char *id, int64_t created, const struct sim_doc *before,
                      int64_t before_modified)
{
    struct es_err err = {0};
    sim_write_recalc(c->s, c->a, ent, doc);
    if (sim_write_save(c->s, ent, doc, id, created, c->stamp, &err))
        return failf(c, "%s", err.msg);
    sim_push_changed(c->s, ent->def, before, before_modified, doc, id, c->stamp);
    return 0;
}

static int load_other(struct act *c, const char *entity, const char *k1, const char *k2,
                      struct sim_doc **doc, char id[37], int64_t *created, int64_t *modified)
{
    const struct sim_entity *ent = sim_entity_of(sim_endpoint_newest(c->s), entity);
    const char *keys[2] = {k1, k2};
    return sim_write_load(c->s, c->a, ent, keys, k2 ? 2 : 1, NULL, doc, id, created, modified);
}

/* ---- releases ---- */

static int release_document(struct act *c)
{
    char st[64];
    if (sim_doc_bool(c->doc, N("Hold"), 0) || status_is(c->doc, "On Hold"))
        return failf(c, "The document is on hold and cannot be released.");
    if (!status_is(c->doc, "Balanced"))
        return failf(c, "The document has the %s status and cannot be released.",
                     status_of(c->doc, st, sizeof(st)));
    int64_t amount = dec(c->doc, "Amount");
    sim_doc_set_int(c->a, c->doc, N("Balance"), SV_DEC, amount);
    set_status(c, c->doc, amount > 0 ? "Open" : "Closed");
    return 0;
}

/* Find an invoice a payment applies to: SalesInvoice first, then Invoice. */
static int find_invoice(struct act *c, const char *type, const char *ref, struct sim_doc **doc,
                        char id[37], int64_t *created, int64_t *modified,
                        const struct sim_entity **ent)
{
    static const char *const ents[] = {"SalesInvoice", "Invoice"};
    for (int i = 0; i < 2; i++) {
        if (load_other(c, ents[i], type, ref, doc, id, created, modified) == 1) {
            *ent = sim_entity_of(sim_endpoint_newest(c->s), ents[i]);
            return 1;
        }
    }
    return 0;
}

static const char *doc_type_label(const char *t)
{
    if (!strcasecmp(t, "INV"))
        return "Invoice";
    if (!strcasecmp(t, "DRM"))
        return "Debit Memo";
    if (!strcasecmp(t, "CRM"))
        return "Credit Memo";
    return t;
}

static int release_payment(struct act *c)
{
    char st[64];
    if (sim_doc_bool(c->doc, N("Hold"), 0) || status_is(c->doc, "On Hold"))
        return failf(c, "The document is on hold and cannot be released.");
    if (!status_is(c->doc, "Balanced"))
        return failf(c, "The document has the %s status and cannot be released.",
                     status_of(c->doc, st, sizeof(st)));
    struct sim_val *rows = sim_doc_get(c->doc, N("DocumentsToApply"));
    int64_t applied = 0;
    for (uint32_t i = 0; rows && rows->t == SV_ARR && i < rows->n; i++) {
        struct sim_doc *row = rows->u.arr[i];
        char *type = sim_doc_strdup(c->a, row, N("DocType"));
        char *ref = sim_doc_strdup(c->a, row, N("ReferenceNbr"));
        int64_t paid = dec(row, "AmountPaid");
        struct sim_doc *inv;
        char iid[37];
        int64_t icreated, imodified;
        const struct sim_entity *ient;
        if (!ref || !find_invoice(c, doc_type_label(type ? type : "Invoice"), ref, &inv, iid,
                                  &icreated, &imodified, &ient))
            return failf(c, "The document %s %s to apply cannot be found.", type ? type : "",
                         ref ? ref : "");
        if (!status_is(inv, "Open"))
            return failf(c, "The document %s is not released and cannot be paid.", ref);
        int64_t bal = dec(inv, "Balance");
        if (paid > bal)
            return failf(c, "The amount paid exceeds the balance of %s.", ref);
        struct sim_doc *before = sim_doc_clone(c->a, inv);
        sim_doc_set_int(c->a, inv, N("Balance"), SV_DEC, bal - paid);
        if (bal - paid == 0)
            set_status(c, inv, "Closed");
        if (save_other(c, ient, inv, iid, icreated, before, imodified))
            return -1;
        struct sim_doc *h = sim_doc_push(c->a, c->doc, N("ApplicationHistory"));
        char g[37];
        sim_guid(g);
        sim_doc_set_str(c->a, h, SIM_N_ID, g);
        sim_doc_set_str(c->a, h, N("DisplayDocType"), doc_type_label(type ? type : "Invoice"));
        sim_doc_set_str(c->a, h, N("DisplayRefNbr"), ref);
        sim_doc_set_int(c->a, h, N("AmountPaid"), SV_DEC, paid);
        applied += paid;
    }
    int64_t amount = dec(c->doc, "PaymentAmount");
    set_status(c, c->doc, amount - applied > 0 ? "Open" : "Closed");
    return 0;
}

/* ---- sales orders and shipments ---- */

static int create_shipment(struct act *c)
{
    if (!status_is(c->doc, "Open") && !status_is(c->doc, "Back Order"))
        return failf(c, "The order cannot be shipped in its current status.");
    struct sim *s = c->s;
    const struct sim_entity *shp = sim_entity_of(sim_endpoint_newest(s), "Shipment");
    struct sim_doc *sh = sim_doc_new(c->a);
    struct es_err err = {0};
    int64_t nbr = sim_store_next(s->store, "Shipment", 1, &err);
    if (nbr < 0)
        return failf(c, "%s", err.msg);
    char num[32], gid[37];
    snprintf(num, sizeof(num), "%06lld", (long long)nbr);
    const char *wh = param_str(c, "WarehouseID");
    const char *date = param_str(c, "ShipmentDate");
    struct sim_val dv;
    char m[128];
    cJSON *dj = date ? cJSON_CreateString(date) : NULL;
    int64_t sdate = dj && !sim_input_value(&dv, c->a, WT_DATETIME, dj, m, sizeof(m))
                        ? dv.u.i
                        : sim_today(s);
    cJSON_Delete(dj);
    sim_doc_set_str(c->a, sh, N("ShipmentNbr"), num);
    sim_doc_set_str(c->a, sh, N("Type"), "Shipment");
    sim_doc_set_str(c->a, sh, N("Status"), "Open");
    sim_doc_set_bool(c->a, sh, N("Hold"), 0);
    sim_doc_set_int(c->a, sh, N("ShipmentDate"), SV_DT, sdate);
    sim_doc_set_str(c->a, sh, N("WarehouseID"), wh ? wh : "MAIN");
    char *cust = sim_doc_strdup(c->a, c->doc, N("CustomerID"));
    char *otype = sim_doc_strdup(c->a, c->doc, N("OrderType"));
    char *onbr = sim_doc_strdup(c->a, c->doc, N("OrderNbr"));
    sim_doc_set_str(c->a, sh, N("CustomerID"), cust);
    sim_doc_set_str(c->a, sh, N("LocationID"), "MAIN");
    struct sim_val *lines = sim_doc_get(c->doc, N("Details"));
    int64_t total = 0;
    for (uint32_t i = 0; lines && lines->t == SV_ARR && i < lines->n; i++) {
        struct sim_doc *l = lines->u.arr[i];
        int64_t open = dec(l, "OrderQty") - dec(l, "QtyOnShipments");
        if (open <= 0)
            continue;
        struct sim_doc *r = sim_doc_push(c->a, sh, N("Details"));
        sim_guid(gid);
        sim_doc_set_str(c->a, r, SIM_N_ID, gid);
        sim_doc_set_int(c->a, r, N("LineNbr"), SV_INT, (int64_t)i + 1);
        sim_doc_set_str(c->a, r, N("OrderType"), otype);
        sim_doc_set_str(c->a, r, N("OrderNbr"), onbr);
        sim_doc_set_int(c->a, r, N("OrderLineNbr"), SV_INT, sim_doc_num(l, N("LineNbr"), i + 1));
        sim_doc_set_str(c->a, r, N("InventoryID"), sim_doc_strdup(c->a, l, N("InventoryID")));
        sim_doc_set_int(c->a, r, N("ShippedQty"), SV_DEC, open);
        sim_doc_set_int(c->a, r, N("OrderedQty"), SV_DEC, dec(l, "OrderQty"));
        sim_doc_set_str(c->a, r, N("UOM"), "EA");
        sim_doc_set_str(c->a, r, N("WarehouseID"), wh ? wh : "MAIN");
        sim_doc_set_int(c->a, l, N("QtyOnShipments"), SV_DEC, dec(l, "QtyOnShipments") + open);
        total += open;
    }
    if (!total)
        return failf(c, "The order has no lines left to ship.");
    struct sim_doc *o = sim_doc_push(c->a, sh, N("Orders"));
    sim_guid(gid);
    sim_doc_set_str(c->a, o, SIM_N_ID, gid);
    sim_doc_set_str(c->a, o, N("OrderType"), otype);
    sim_doc_set_str(c->a, o, N("OrderNbr"), onbr);
    sim_doc_set_int(c->a, o, N("ShippedQty"), SV_DEC, total);
    struct sim_doc *ref = sim_doc_push(c->a, c->doc, N("Shipments"));
    sim_guid(gid);
    sim_doc_set_str(c->a, ref, SIM_N_ID, gid);
    sim_doc_set_str(c->a, ref, N("ShipmentNbr"), num);
    sim_doc_set_str(c->a, ref, N("ShipmentType"), "Shipment");
    sim_doc_set_str(c->a, ref, N("Status"), "Open");
    sim_doc_set_int(c->a, ref, N("ShipmentDate"), SV_DT, sdate);
    sim_doc_set_int(c->a, ref, N("ShippedQty"), SV_DEC, total);
    set_status(c, c->doc, "Shipping");
    char sid[37];
    sim_guid(sid);
    return save_other(c, shp, sh, sid, c->stamp, NULL, 0);
}

static int confirm_shipment(struct act *c)
{
    if (!status_is(c->doc, "Open"))
        return failf(c, "Only an open shipment can be confirmed.");
    set_status(c, c->doc, "Confirmed");
    char *nbr = sim_doc_strdup(c->a, c->doc, N("ShipmentNbr"));
    struct sim_val *orders = sim_doc_get(c->doc, N("Orders"));
    const struct sim_entity *so = sim_entity_of(sim_endpoint_newest(c->s), "SalesOrder");
    for (uint32_t i = 0; orders && orders->t == SV_ARR && i < orders->n; i++) {
        char *ot = sim_doc_strdup(c->a, orders->u.arr[i], N("OrderType"));
        char *on = sim_doc_strdup(c->a, orders->u.arr[i], N("OrderNbr"));
        struct sim_doc *order;
        char oid[37];
        int64_t ocreated, omodified;
        if (!ot || !on ||
            load_other(c, "SalesOrder", ot, on, &order, oid, &ocreated, &omodified) != 1)
            continue;
        struct sim_doc *before = sim_doc_clone(c->a, order);
        int done = 1;
        struct sim_val *lines = sim_doc_get(order, N("Details"));
        for (uint32_t k = 0; lines && lines->t == SV_ARR && k < lines->n; k++)
            if (dec(lines->u.arr[k], "QtyOnShipments") < dec(lines->u.arr[k], "OrderQty"))
                done = 0;
        struct sim_val *refs = sim_doc_get(order, N("Shipments"));
        for (uint32_t k = 0; refs && refs->t == SV_ARR && k < refs->n; k++)
            if (nbr && sim_doc_str_eq(refs->u.arr[k], N("ShipmentNbr"), nbr))
                set_status(c, refs->u.arr[k], "Confirmed");
        set_status(c, order, done ? "Completed" : "Back Order");
        if (save_other(c, so, order, oid, ocreated, before, omodified))
            return -1;
    }
    return 0;
}

/* An invoice for a confirmed shipment's lines, at the orders' prices. */
static int prepare_invoice(struct act *c)
{
    if (!status_is(c->doc, "Confirmed"))
        return failf(c, "Only a confirmed shipment can be invoiced.");
    struct sim *s = c->s;
    const struct sim_entity *inv_ent = sim_entity_of(sim_endpoint_newest(s), "SalesInvoice");
    struct es_err err = {0};
    int64_t nbr = sim_store_next(s->store, "SalesInvoice:Invoice", 1, &err);
    if (nbr < 0)
        return failf(c, "%s", err.msg);
    char num[32], gid[37];
    snprintf(num, sizeof(num), "INV%06lld", (long long)nbr);
    struct sim_doc *inv = sim_doc_new(c->a);
    sim_doc_set_str(c->a, inv, N("Type"), "Invoice");
    sim_doc_set_str(c->a, inv, N("ReferenceNbr"), num);
    sim_doc_set_str(c->a, inv, N("CustomerID"), sim_doc_strdup(c->a, c->doc, N("CustomerID")));
    sim_doc_set_str(c->a, inv, N("Status"), "Balanced");
    sim_doc_set_bool(c->a, inv, N("Hold"), 0);
    sim_doc_set_int(c->a, inv, N("Date"), SV_DT, sim_today(s));
    char *snbr = sim_doc_strdup(c->a, c->doc, N("ShipmentNbr"));
    struct sim_val *lines = sim_doc_get(c->doc, N("Details"));
    for (uint32_t i = 0; lines && lines->t == SV_ARR && i < lines->n; i++) {
        struct sim_doc *l = lines->u.arr[i], *orow = NULL;
        char *ot = sim_doc_strdup(c->a, l, N("OrderType")), *on = sim_doc_strdup(c->a, l, N("OrderNbr"));
        int64_t price = 0;
        char oid[37];
        if (ot && on && load_other(c, "SalesOrder", ot, on, &orow, oid, NULL, NULL) == 1) {
            struct sim_val *ol = sim_doc_get(orow, N("Details"));
            int64_t want = sim_doc_num(l, N("OrderLineNbr"), 0);
            for (uint32_t k = 0; ol && ol->t == SV_ARR && k < ol->n; k++)
                if (sim_doc_num(ol->u.arr[k], N("LineNbr"), -1) == want)
                    price = dec(ol->u.arr[k], "UnitPrice");
        }
        struct sim_doc *r = sim_doc_push(c->a, inv, N("Details"));
        sim_guid(gid);
        sim_doc_set_str(c->a, r, SIM_N_ID, gid);
        sim_doc_set_int(c->a, r, N("LineNbr"), SV_INT, (int64_t)i + 1);
        sim_doc_set_str(c->a, r, N("InventoryID"), sim_doc_strdup(c->a, l, N("InventoryID")));
        sim_doc_set_int(c->a, r, N("Qty"), SV_DEC, dec(l, "ShippedQty"));
        sim_doc_set_int(c->a, r, N("UnitPrice"), SV_DEC, price);
        sim_doc_set_str(c->a, r, N("OrderType"), ot);
        sim_doc_set_str(c->a, r, N("OrderNbr"), on);
        sim_doc_set_str(c->a, r, N("ShipmentNbr"), snbr);
    }
    struct sim_val *orders = sim_doc_get(c->doc, N("Orders"));
    for (uint32_t i = 0; orders && orders->t == SV_ARR && i < orders->n; i++) {
        sim_doc_set_str(c->a, orders->u.arr[i], N("InvoiceType"), "Invoice");
        sim_doc_set_str(c->a, orders->u.arr[i], N("InvoiceNbr"), num);
    }
    set_status(c, c->doc, "Invoiced");
    char iid[37];
    sim_guid(iid);
    return save_other(c, inv_ent, inv, iid, c->stamp, NULL, 0);
}

static int cancel_order(struct act *c)
{
    if (status_is(c->doc, "Completed") || status_is(c->doc, "Cancelled") ||
        status_is(c->doc, "Shipping"))
        return failf(c, "The order cannot be cancelled in its current status.");
    set_status(c, c->doc, "Cancelled");
    return 0;
}

static int reopen_order(struct act *c)
{
    if (!status_is(c->doc, "Cancelled") && !status_is(c->doc, "Completed"))
        return failf(c, "Only a completed or cancelled order can be reopened.");
    sim_doc_set_bool(c->a, c->doc, N("Hold"), 0);
    set_status(c, c->doc, "Open");
    return 0;
}

/* ---- changing a record's ID ---- */

/* The new ID of a Change ID action (parameter `param`), trimmed and upper
 * case as keys are kept, into the arena; NULL when missing or blank. */
static char *new_id_param(struct act *c, const char *param)
{
    const char *v = param_str(c, param);
    if (!v)
        return NULL;
    while (*v == ' ')
        v++;
    size_t n = strlen(v);
    while (n && v[n - 1] == ' ')
        n--;
    if (!n)
        return NULL;
    char *u = es_arena_strndup(c->a, v, n);
    for (char *q = u; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    return u;
}

/* ChangeProjectID (PM301000's Change ID): the project's key becomes the new
 * ID; its id (NoteID) stays, and the save stamps it as modified. */
static int change_project_id(struct act *c)
{
    char *to = new_id_param(c, "ProjectID");
    if (!to)
        return failf(c, "'Project ID' cannot be empty.");
    if (strlen(to) > 30)
        return failf(c, "'Project ID' is longer than 30 characters.");
    struct sim_doc *other;
    char oid[37];
    int rc = load_other(c, "Project", to, NULL, &other, oid, NULL, NULL);
    if (rc < 0)
        return failf(c, "Project %s cannot be read.", to);
    if (rc == 1 && strcmp(oid, c->id))
        return failf(c, "The project %s already exists.", to);
    sim_doc_set_str(c->a, c->doc, N("ProjectID"), to);
    return 0;
}

/* ---- simple workflow steps ---- */

struct step {
    const char *entity, *action;
    const char *from[4]; /* allowed current statuses; NULL list: any */
    const char *to;
};

static const struct step steps[] = {
    {"SalesPriceWorksheet", "ReleaseSalesPriceWorksheet", {"Open"}, "Released"},
    {"ServiceOrder", "CompleteOrder", {"Open"}, "Completed"},
    {"ServiceOrder", "CancelOrder", {"Open", "On Hold"}, "Canceled"},
    {"ServiceOrder", "ReopenOrder", {"Completed", "Canceled"}, "Open"},
    {"ServiceOrder", "CloseOrder", {"Completed"}, "Closed"},
    {"Appointment", "StartAppointment", {"Not Started"}, "In Process"},
    {"Appointment", "CompleteAppointment", {"Not Started", "In Process", "Paused"}, "Completed"},
    {"Appointment", "CancelAppointment", {"Not Started", "In Process", "Paused"}, "Canceled"},
    {"Appointment", "CloseAppointment", {"Completed"}, "Closed"},
    {"Project", "ActivateProject", {"In Planning", "On Hold", "Suspended"}, "Active"},
    {"Project", "CompleteProject", {"Active"}, "Completed"},
    {"Project", "HoldProject", {"In Planning", "Active"}, "On Hold"},
    {NULL, NULL, {NULL}, NULL},
};

static int run_step(struct act *c, const struct step *st)
{
    char cur[64];
    int ok = !st->from[0];
    for (int i = 0; i < 4 && st->from[i]; i++)
        ok |= status_is(c->doc, st->from[i]);
    if (!ok)
        return failf(c, "The %s action cannot run on a record with the %s status.", st->action,
                     status_of(c->doc, cur, sizeof(cur)));
    set_status(c, c->doc, st->to);
    return 0;
}

struct named {
    const char *entity, *action;
    act_fn fn;
    int long_running; /* answered 202 + Location; the others 204 at once */
};

static const struct named named[] = {
    {"Payment", "ReleasePayment", release_payment, 1},
    {"Payment", "Release", release_payment, 1},
    {"SalesInvoice", "ReleaseSalesInvoice", release_document, 1},
    {"SalesInvoice", "Release", release_document, 1},
    {"Invoice", "ReleaseInvoice", release_document, 1},
    {"Invoice", "Release", release_document, 1},
    {"SalesOrder", "SalesOrderCreateShipment", create_shipment, 1},
    {"SalesOrder", "CancelSalesOrder", cancel_order, 0},
    {"SalesOrder", "ReopenSalesOrder", reopen_order, 0},
    {"Shipment", "ConfirmShipment", confirm_shipment, 1},
    {"Shipment", "PrepareInvoice", prepare_invoice, 1},
    {"Project", "ChangeProjectID", change_project_id, 0},
    {NULL, NULL, NULL, 0},
};

/* Is the action one the site runs in the background (release, create,
 * confirm: 202 + Location), or one it finishes before answering (204)? */
static int long_running(const char *entity, const char *action)
{
    for (const struct named *n = named; n->entity; n++)
        if (!strcmp(n->entity, entity) && !strcasecmp(n->action, action))
            return n->long_running;
    return !strncasecmp(action, "Release", 7);
}

/* The function and step (if a simple one) of an action, or 0 when unknown. */
static int lookup(const char *entity, const char *action, act_fn *fn, const struct step **st)
{
    for (const struct named *n = named; n->entity; n++)
        if (!strcmp(n->entity, entity) && !strcasecmp(n->action, action)) {
            *fn = n->fn;
            *st = NULL;
            return 1;
        }
    for (const struct step *p = steps; p->entity; p++)
        if (!strcmp(p->entity, entity) && !strcasecmp(p->action, action)) {
            *fn = NULL;
            *st = p;
            return 1;
        }
    return 0;
}

/* ---- running actions ---- */

enum job_state { JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct job {
    struct job *next;
    char guid[37];
    char entity[48], action[64], record_id[37];
    const struct sim_endpoint *ep;
    cJSON *params;
    int64_t due; /* monotonic ms */
    int state;
    char msg[256];
};

struct sim_actions {
    struct sim *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t worker;
    int stop, started;
    struct job *jobs; /* newest first; kept for polling */
    size_t njobs;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run an action on a record by id, in one transaction. 0 or -1 (msg). */
static int execute(struct sim *s, const struct sim_endpoint *ep, const char *entity,
                   const char *action, const char *record_id, const cJSON *params, char *msg,
                   size_t cap)
{
    const struct sim_entity *ent = sim_entity_of(ep, entity);
    act_fn fn;
    const struct step *st;
    if (!ent || !lookup(ent->def->name, action, &fn, &st)) {
        snprintf(msg, cap, "The action is not available.");
        return -1;
    }
    struct es_arena a;
    es_arena_init(&a, 64 * 1024);
    struct act c = {.s = s, .a = &a, .ent = ent, .ep = ep, .params = params};
    struct es_err err = {0};
    int rc = -1;
    sim_store_lock(s->store);
    if (sim_store_begin(s->store, &err)) {
        snprintf(c.msg, sizeof(c.msg), "%s", err.msg);
        goto out;
    }
    if (sim_write_load(s, &a, ent, NULL, 0, record_id, &c.doc, c.id, &c.created, &c.modified) != 1) {
        snprintf(c.msg, sizeof(c.msg), "No entity satisfies the condition.");
        sim_store_rollback(s->store);
        goto out;
    }
    struct sim_doc *before = sim_doc_clone(&a, c.doc);
    c.stamp = sim_stamp(s);
    rc = st ? run_step(&c, st) : fn(&c);
    if (!rc) {
        sim_write_recalc(s, &a, ent, c.doc);
        if (sim_write_save(s, ent, c.doc, c.id, c.created, c.stamp, &err) ||
            sim_store_commit(s->store, &err)) {
            snprintf(c.msg, sizeof(c.msg), "%s", err.msg);
            rc = -1;
        }
    }
    if (rc)
        sim_store_rollback(s->store);
    else
        sim_push_changed(s, ent->def, before, c.modified, c.doc, c.id, c.stamp);
    sim_store_unlock(s->store);
    sim_push_end(s, !rc);
out:
    if (rc && msg)
        snprintf(msg, cap, "%s", c.msg);
    es_arena_dispose(&a);
    return rc;
}

static void *worker(void *arg)
{
    struct sim_actions *A = arg;
    pthread_mutex_lock(&A->mu);
    while (!A->stop) {
        struct job *due = NULL;
        int64_t now = mono_ms(), wait = 1000;
        for (struct job *j = A->jobs; j; j = j->next) {
            if (j->state != JOB_RUNNING)
                continue;
            if (j->due <= now && (!due || j->due < due->due))
                due = j;
            else if (j->due > now && j->due - now < wait)
                wait = j->due - now;
        }
        if (!due) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += (wait % 1000) * 1000000;
            ts.tv_sec += wait / 1000 + ts.tv_nsec / 1000000000;
            ts.tv_nsec %= 1000000000;
            pthread_cond_timedwait(&A->cv, &A->mu, &ts);
            continue;
        }
        pthread_mutex_unlock(&A->mu);
        char msg[256] = "";
        int rc = execute(A->s, due->ep, due->entity, due->action, due->record_id, due->params,
                         msg, sizeof(msg));
        pthread_mutex_lock(&A->mu);
        due->state = rc ? JOB_FAILED : JOB_DONE;
        snprintf(due->msg, sizeof(due->msg), "%s", msg);
    }
    pthread_mutex_unlock(&A->mu);
    return NULL;
}

struct sim_actions *sim_actions_new(struct sim *s)
{
    struct sim_actions *A = es_xcalloc(1, sizeof(*A));
    A->s = s;
    pthread_mutex_init(&A->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&A->cv, &ca);
    pthread_condattr_destroy(&ca);
    A->started = pthread_create(&A->worker, NULL, worker, A) == 0;
    return A;
}

void sim_actions_free(struct sim_actions *A)
{
    if (!A)
        return;
    pthread_mutex_lock(&A->mu);
    A->stop = 1;
    pthread_cond_broadcast(&A->cv);
    pthread_mutex_unlock(&A->mu);
    if (A->started)
        pthread_join(A->worker, NULL);
    for (struct job *j = A->jobs; j;) {
        struct job *next = j->next;
        cJSON_Delete(j->params);
        free(j);
        j = next;
    }
    pthread_cond_destroy(&A->cv);
    pthread_mutex_destroy(&A->mu);
    free(A);
}

static void queue_job(struct sim_actions *A, struct job *j)
{
    pthread_mutex_lock(&A->mu);
    /* Keep the last 10,000 jobs for polling. */
    if (A->njobs >= 10000) {
        struct job **pp = &A->jobs;
        size_t n = 0;
        while (*pp && ++n < 5000)
            pp = &(*pp)->next;
        for (struct job *x = *pp; x;) {
            struct job *next = x->next;
            cJSON_Delete(x->params);
            free(x);
            x = next;
            A->njobs--;
        }
        *pp = NULL;
    }
    j->next = A->jobs;
    A->jobs = j;
    A->njobs++;
    pthread_cond_broadcast(&A->cv);
    pthread_mutex_unlock(&A->mu);
}

/* The record the action's "entity" names, by keys or id. */
static int action_target(struct sim *s, const struct sim_entity *ent, const cJSON *body,
                         struct es_arena *a, char id[37])
{
    const cJSON *e = cJSON_GetObjectItem(body, "entity");
    if (!cJSON_IsObject(e))
        return 0;
    struct es_buf ms;
    es_buf_init(&ms, 0);
    struct sim_doc *d;
    int bad = sim_input_doc(&d, a, ent->type, e, &ms);
    es_buf_dispose(&ms);
    if (bad)
        return 0;
    const char *rid = sim_doc_str(d, SIM_N_ID, NULL);
    char ridz[37] = "";
    if (rid)
        snprintf(ridz, sizeof(ridz), "%.36s", rid);
    const char *keys[2] = {0};
    char kbuf[2][128];
    int nk = 0;
    for (int k = 0; k < ent->def->nkeys; k++) {
        const struct sim_val *v = sim_doc_get(d, ent->keys[k]->name_id);
        if (!v || (v->t != SV_STR && v->t != SV_INT))
            break;
        if (v->t == SV_INT)
            snprintf(kbuf[k], sizeof(kbuf[k]), "%lld", (long long)v->u.i);
        else
            snprintf(kbuf[k], sizeof(kbuf[k]), "%.*s", (int)v->n, v->u.s);
        keys[k] = kbuf[k];
        nk++;
    }
    struct sim_doc *found;
    sim_store_lock(s->store);
    int rc = 0;
    if (nk == ent->def->nkeys)
        rc = sim_write_load(s, a, ent, keys, nk, NULL, &found, id, NULL, NULL);
    if (rc != 1 && ridz[0])
        rc = sim_write_load(s, a, ent, NULL, 0, ridz, &found, id, NULL, NULL);
    sim_store_unlock(s->store);
    return rc == 1;
}

void sim_actions_invoke(struct sim *s, const struct sim_endpoint *ep,
                        const struct sim_entity *ent, const char *action, const cJSON *body,
                        struct sim_req *rq, struct sim_resp *rs)
{
    act_fn fn;
    const struct step *st;
    if (!lookup(ent->def->name, action, &fn, &st)) {
        char msg[256];
        snprintf(msg, sizeof(msg), "No action named '%.64s' is found for the '%s' entity.", action,
                 ent->def->name);
        sim_resp_error(rs, 404, msg, NULL, NULL);
        return;
    }
    char id[37];
    if (!action_target(s, ent, body, rq->arena, id)) {
        sim_resp_error(rs, 500, "An error has occurred.", "No entity satisfies the condition.",
                       "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException");
        return;
    }
    const cJSON *params = cJSON_GetObjectItem(body, "parameters");
    if (s->cfg.action_ms <= 0 || !long_running(ent->def->name, action)) {
        char msg[256];
        if (execute(s, ep, ent->def->name, action, id, params, msg, sizeof(msg)))
            sim_resp_error(rs, 500, "An error has occurred.", msg, "PX.Data.PXException");
        else if ((rs->status = 204) && s->cfg.action_204_location)
            sim_resp_header(rs, "Location", "%s%s/%s", ep->base, ent->def->name, id);
        return;
    }
    struct job *j = es_xcalloc(1, sizeof(*j));
    sim_guid(j->guid);
    snprintf(j->entity, sizeof(j->entity), "%s", ent->def->name);
    snprintf(j->action, sizeof(j->action), "%s", action);
    memcpy(j->record_id, id, 37);
    j->ep = ep;
    j->params = params ? cJSON_Duplicate(params, 1) : NULL;
    j->due = mono_ms() + s->cfg.action_ms;
    j->state = JOB_RUNNING;
    char guid[37];
    memcpy(guid, j->guid, 37);
    queue_job(s->actions, j);
    rs->status = 202;
    sim_resp_header(rs, "Location", "%s%s/%s/status/%s", ep->base, ent->def->name, action, guid);
    sim_resp_header(rs, "Content-Length", "0");
}

void sim_actions_status(struct sim *s, const struct sim_endpoint *ep,
                        const struct sim_entity *ent, const char *action, const char *guid,
                        struct sim_req *rq, struct sim_resp *rs)
{
    (void)rq;
    struct sim_actions *A = s->actions;
    pthread_mutex_lock(&A->mu);
    struct job *j = A->jobs;
    while (j && (strcasecmp(j->guid, guid) || strcasecmp(j->action, action)))
        j = j->next;
    int state = j ? j->state : -1;
    char msg[256] = "", rid[37] = "";
    if (j) {
        memcpy(msg, j->msg, sizeof(msg));
        memcpy(rid, j->record_id, sizeof(rid));
    }
    pthread_mutex_unlock(&A->mu);
    if (state < 0) {
        sim_resp_error(rs, 404, "The operation cannot be found.", NULL, NULL);
    } else if (state == JOB_RUNNING) {
        rs->status = 202;
        sim_resp_header(rs, "Location", "%s%s/%s/status/%s", ep->base, ent->def->name, action,
                        guid);
    } else if (state == JOB_DONE) {
        rs->status = 204;
        sim_resp_header(rs, "Location", "%s%s/%s", ep->base, ent->def->name, rid);
    } else {
        sim_resp_error(rs, 500, "An error has occurred.", msg, "PX.Data.PXException");
    }
}

/* ---- SalesPricesInquiry ---- */

struct inq {
    struct sim *s;
    struct es_arena *a;
    const struct sim_doc *filter;
    struct sim_doc *out;
};

static int filter_match(const struct sim_doc *f, const struct sim_doc *row, const char *field)
{
    uint32_t n, m;
    const char *want = sim_doc_str(f, N(field), &n);
    if (!want || !n)
        return 1;
    if (!strcmp(field, "PriceType") && n == 10 && !strncasecmp(want, "All Prices", 10))
        return 1;
    const char *have = sim_doc_str(row, N(field), &m);
    return have && m == n && !strncasecmp(have, want, n);
}

/* The digits of a worksheet's number ("000123" -> 123). */
static int64_t worksheet_number(const struct sim_row *r)
{
    int64_t n = 0;
    for (size_t i = 0; r->k1.s && i < r->k1.n && n < 100000000000LL; i++)
        if (r->k1.s[i] >= '0' && r->k1.s[i] <= '9')
            n = n * 10 + (r->k1.s[i] - '0');
    return n;
}

static int inquiry_row(const struct sim_row *r, void *vctx)
{
    struct inq *q = vctx;
    struct sim_doc *ws;
    if (sim_doc_decode(q->a, &ws, es_arena_memdup(q->a, r->body, r->body_n), r->body_n))
        return 0;
    if (!status_is(ws, "Released"))
        return 0;
    int64_t eff = sim_doc_num(ws, N("EffectiveDate"), 0);
    int64_t exp = sim_doc_num(ws, N("ExpirationDate"), 0);
    int64_t asof = sim_doc_num(q->filter, N("EffectiveAsOf"), 0);
    if (asof && (eff > asof || (exp && exp < asof)))
        return 0;
    const struct sim_val *rows = sim_doc_get(ws, N("SalesPrices"));
    for (uint32_t i = 0; rows && rows->t == SV_ARR && i < rows->n; i++) {
        const struct sim_doc *p = rows->u.arr[i];
        if (!filter_match(q->filter, p, "PriceType") || !filter_match(q->filter, p, "PriceCode") ||
            !filter_match(q->filter, p, "InventoryID"))
            continue;
        struct sim_doc *d = sim_doc_push(q->a, q->out, N("SalesPriceDetails"));
        /* A price's RecordID and id are its own, stable from one inquiry to
         * the next (ARSalesPrice.RecordID): derived from its worksheet row. */
        int64_t record = worksheet_number(r) * 1000 + i + 1;
        char g[37];
        snprintf(g, sizeof(g), "5a1e5071-ce00-4000-8000-%012llx", (unsigned long long)record);
        sim_doc_set_str(q->a, d, SIM_N_ID, g);
        static const char *const copy[] = {"PriceType", "PriceCode", "InventoryID", "UOM",
                                           "BreakQty", "CurrencyID", "Description", "Tax", NULL};
        for (int k = 0; copy[k]; k++) {
            const struct sim_val *v = sim_doc_get(p, N(copy[k]));
            if (v)
                *sim_doc_set(q->a, d, N(copy[k])) = *v;
        }
        const struct sim_val *price = sim_doc_get(p, N("PendingPrice"));
        if (price)
            *sim_doc_set(q->a, d, N("Price")) = *price;
        sim_doc_set_int(q->a, d, N("RecordID"), SV_INT, record);
        sim_doc_set_bool(q->a, d, N("Promotion"), 0);
        sim_doc_set_int(q->a, d, N("EffectiveDate"), SV_DT, eff);
        if (exp)
            sim_doc_set_int(q->a, d, N("ExpirationDate"), SV_DT, exp);
        sim_doc_set_int(q->a, d, N("CreatedDateTime"), SV_DT, r->created);
        sim_doc_set_int(q->a, d, N("LastModifiedDateTime"), SV_DT, r->modified);
        sim_doc_set_str(q->a, d, N("Warehouse"), NULL);
    }
    return 0;
}

int sim_actions_inquiry(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                        const struct sim_doc *filter, struct sim_doc **out)
{
    (void)ent;
    struct inq q = {.s = s, .a = a, .filter = filter, .out = sim_doc_clone(a, filter)};
    sim_doc_set(a, q.out, N("SalesPriceDetails"))->t = SV_ARR;
    struct es_err err = {0};
    sim_store_lock(s->store);
    int rc = sim_store_list(s->store, "SalesPriceWorksheet", NULL, -1, 0, inquiry_row, &q, &err);
    sim_store_unlock(s->store);
    *out = q.out;
    return rc;
}
