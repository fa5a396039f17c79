/* The predefined generic inquiries. */
#include <string.h>
#include <strings.h>

#include "gi.h"
#include "names.h"

#define COLS(...) (const struct sim_gi_col[]){__VA_ARGS__}, \
    (int)(sizeof((const struct sim_gi_col[]){__VA_ARGS__}) / sizeof(struct sim_gi_col))

const struct sim_gi sim_gis[] = {
    {"Customers", "Customer", NULL,
     COLS({"CustomerID", "CustomerID", WT_STRING}, {"CustomerName", "CustomerName", WT_STRING},
          {"CustomerClass", "CustomerClass", WT_STRING}, {"Status", "Status", WT_STRING},
          {"PriceClassID", "PriceClassID", WT_STRING},
          {"ParentAccount", "ParentRecord", WT_STRING},
          {"Email", "MainContact/Email", WT_STRING},
          {"Phone1", "MainContact/Phone1", WT_STRING},
          {"City", "MainContact/Address/City", WT_STRING},
          {"State", "MainContact/Address/State", WT_STRING},
          {"CreditLimit", "CreditLimit", WT_DECIMAL},
          {"LastModifiedDateTime", "#modified", WT_DATETIME})},
    {"StockItems", "StockItem", NULL,
     COLS({"InventoryID", "InventoryID", WT_STRING}, {"Description", "Description", WT_STRING},
          {"ItemStatus", "ItemStatus", WT_STRING}, {"ItemClass", "ItemClass", WT_STRING},
          {"BaseUnit", "BaseUOM", WT_STRING}, {"DefaultPrice", "DefaultPrice", WT_DECIMAL},
          {"LastModifiedOn", "#modified", WT_DATETIME})},
    {"SalesOrderLines", "SalesOrder", "Details",
     COLS({"OrderType", "OrderType", WT_STRING}, {"OrderNbr", "OrderNbr", WT_STRING},
          {"CustomerID", "CustomerID", WT_STRING}, {"Date", "Date", WT_DATETIME},
          {"Status", "Status", WT_STRING}, {"LineNbr", "@LineNbr", WT_INT},
          {"InventoryID", "@InventoryID", WT_STRING}, {"OrderQty", "@OrderQty", WT_DECIMAL},
          {"UnitPrice", "@UnitPrice", WT_DECIMAL}, {"Amount", "@Amount", WT_DECIMAL},
          {"LastModified", "#modified", WT_DATETIME})},
    {"Invoices", "SalesInvoice", NULL,
     COLS({"Type", "Type", WT_STRING}, {"ReferenceNbr", "ReferenceNbr", WT_STRING},
          {"CustomerID", "CustomerID", WT_STRING}, {"Date", "Date", WT_DATETIME},
          {"DueDate", "DueDate", WT_DATETIME}, {"Status", "Status", WT_STRING},
          {"Amount", "Amount", WT_DECIMAL}, {"Balance", "Balance", WT_DECIMAL},
          {"LastModifiedDateTime", "#modified", WT_DATETIME})},
};

const int sim_ngis = (int)(sizeof(sim_gis) / sizeof(sim_gis[0]));

const struct sim_gi *sim_gi_find(const char *name)
{
    for (int i = 0; i < sim_ngis; i++)
        if (!strcasecmp(sim_gis[i].name, name))
            return &sim_gis[i];
    return NULL;
}

int sim_gi_col(const struct sim_gi *gi, const char *name, size_t len)
{
    for (int i = 0; i < gi->ncols; i++)
        if (strlen(gi->cols[i].name) == len && !strncasecmp(gi->cols[i].name, name, len))
            return i;
    return -1;
}

/* Follow "A/B/C" through linked documents. */
static const struct sim_val *walk(const struct sim_doc *d, const char *path)
{
    const struct sim_val *v = NULL;
    while (d) {
        const char *slash = strchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : strlen(path);
        v = sim_doc_get(d, sim_name_find(path, n));
        if (!slash || !v || v->t != SV_OBJ)
            return slash ? NULL : v;
        d = v->u.obj;
        path = slash + 1;
    }
    return NULL;
}

void sim_gi_row(const struct sim_gi *gi, const struct sim_doc *rec, const struct sim_doc *line,
                int64_t created, int64_t modified, struct sim_val *out)
{
    for (int i = 0; i < gi->ncols; i++) {
        const char *p = gi->cols[i].path;
        struct sim_val *o = &out[i];
        memset(o, 0, sizeof(*o));
        if (!strcmp(p, "#modified") || !strcmp(p, "#created")) {
            o->t = SV_DT;
            o->u.i = p[1] == 'm' ? modified : created;
            continue;
        }
        const struct sim_val *v = p[0] == '@' ? walk(line, p + 1) : walk(rec, p);
        if (v && v->t != SV_OBJ && v->t != SV_ARR)
            *o = *v;
    }
}
