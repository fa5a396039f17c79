/* The record sets' mappings, and JSON record -> row. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/http.h"
#include "erpsync/map.h"
#include "erpsync/timeutil.h"

#define T ES_CT_TEXT
#define D ES_CT_DEC
#define I ES_CT_INT
#define B ES_CT_BOOL
#define TM ES_CT_TIME
#define END {NULL, NULL, 0, NULL}
#define V24 "24.200.001"
#define LM {"LastModifiedDateTime", "LastModifiedDateTime"}

/* "@addr/<Field>": the customer's address, from the main or the shipping
 * contact as [customers] use_ship_to_address says, its first line dropped
 * when skip_first_address_line is set. */
#define ADDR "@addr/"

static const struct es_col address_cols[] = {
    {"email", "Email", T, NULL},
    {"phone", "Phone1", T, NULL},
    {"address_line1", "Address/AddressLine1", T, NULL},
    {"address_line2", "Address/AddressLine2", T, NULL},
    {"city", "Address/City", T, NULL},
    {"state", "Address/State", T, NULL},
    {"postal_code", "Address/PostalCode", T, NULL},
    {"country", "Address/Country", T, NULL},
    END,
};

static const struct es_detail_obj customer_contacts[] = {
    {"main", "MainContact"}, {"billing", "BillingContact"}, {"shipping", "ShippingContact"},
    {NULL, NULL}};

static const struct es_detail customer_details[] = {
    {"customer_addresses", NULL, customer_contacts, address_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col customer_cols[] = {
    {"customer_id", "CustomerID", T, NULL},
    {"name", "CustomerName", T, NULL},
    {"status", "Status", T, NULL},
    {"customer_class", "CustomerClass", T, NULL},
    {"parent_customer_id", "ParentRecord", T, NULL},
    {"price_class_id", "PriceClassID", T, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"credit_limit", "CreditLimit", D, NULL},
    {"terms", "Terms", T, NULL},
    {"email", "MainContact/Email", T, NULL},
    {"phone", "MainContact/Phone1", T, NULL},
    {"address_line1", ADDR "AddressLine1", T, NULL},
    {"address_line2", ADDR "AddressLine2", T, NULL},
    {"city", ADDR "City", T, NULL},
    {"state", ADDR "State", T, NULL},
    {"postal_code", ADDR "PostalCode", T, NULL},
    {"country", ADDR "Country", T, NULL},
    {"created_at", "CreatedDateTime", TM, NULL},
    END,
};

static const struct es_col contact_cols[] = {
    {"contact_id", "ContactID", I, NULL},
    {"display_name", "DisplayName", T, NULL},
    {"first_name", "FirstName", T, NULL},
    {"last_name", "LastName", T, NULL},
    {"email", "Email", T, NULL},
    {"phone", "Phone1", T, NULL},
    {"job_title", "JobTitle", T, NULL},
    {"company_name", "CompanyName", T, NULL},
    {"business_account", "BusinessAccount", T, NULL},
    {"type", "Type", T, NULL},
    {"active", "Active", B, NULL},
    {"address_line1", "Address/AddressLine1", T, NULL},
    {"address_line2", "Address/AddressLine2", T, NULL},
    {"city", "Address/City", T, NULL},
    {"state", "Address/State", T, NULL},
    {"postal_code", "Address/PostalCode", T, NULL},
    {"country", "Address/Country", T, NULL},
    END,
};

static const struct es_col location_cols[] = {
    {"customer_id", "Customer", T, NULL},
    {"location_id", "LocationID", T, NULL},
    {"location_name", "LocationName", T, NULL},
    {"active", "Active", B, NULL},
    {"is_default", "Default", B, NULL},
    {"email", "LocationContact/Email", T, NULL},
    {"phone", "LocationContact/Phone1", T, NULL},
    {"address_line1", "LocationContact/Address/AddressLine1", T, NULL},
    {"address_line2", "LocationContact/Address/AddressLine2", T, NULL},
    {"city", "LocationContact/Address/City", T, NULL},
    {"state", "LocationContact/Address/State", T, NULL},
    {"postal_code", "LocationContact/Address/PostalCode", T, NULL},
    {"country", "LocationContact/Address/Country", T, NULL},
    {"ship_via", "ShipVia", T, NULL},
    {"price_class", "PriceClass", T, NULL},
    {"tax_zone", "TaxZone", T, NULL},
    END,
};

static const struct es_col warehouse_cols[] = {
    {"warehouse_id", "WarehouseID", T, NULL},
    {"qty_on_hand", "QtyOnHand", D, NULL},
    {"is_default", "IsDefault", B, NULL},
    END,
};

static const struct es_detail stock_item_details[] = {
    {"stock_item_warehouses", "WarehouseDetails", NULL, warehouse_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col stock_item_cols[] = {
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "Description", T, NULL},
    {"item_status", "ItemStatus", T, NULL},
    {"item_class", "ItemClass", T, NULL},
    {"item_type", "ItemType", T, NULL},
    {"base_uom", "BaseUOM", T, NULL},
    {"sales_uom", "SalesUOM", T, NULL},
    {"default_price", "DefaultPrice", D, NULL},
    {"msrp", "MSRP", D, NULL},
    {"default_warehouse_id", "DefaultWarehouseID", T, NULL},
    {"weight", "DimensionWeight", D, NULL},
    END,
};

static const struct es_col service_cols[] = {
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "Description", T, NULL},
    {"item_status", "ItemStatus", T, NULL},
    {"item_class", "ItemClass", T, NULL},
    {"item_type", "ItemType", T, NULL},
    {"base_unit", "BaseUnit", T, NULL},
    {"default_price", "DefaultPrice", D, NULL},
    {"tax_category", "TaxCategory", T, NULL},
    END,
};

static const struct es_col vendor_cols[] = {
    {"vendor_id", "VendorID", T, NULL},
    {"name", "VendorName", T, NULL},
    {"status", "Status", T, NULL},
    {"vendor_class", "VendorClass", T, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"terms", "Terms", T, NULL},
    {"email", "MainContact/Email", T, NULL},
    {"phone", "MainContact/Phone1", T, NULL},
    {"address_line1", "MainContact/Address/AddressLine1", T, NULL},
    {"address_line2", "MainContact/Address/AddressLine2", T, NULL},
    {"city", "MainContact/Address/City", T, NULL},
    {"state", "MainContact/Address/State", T, NULL},
    {"postal_code", "MainContact/Address/PostalCode", T, NULL},
    {"country", "MainContact/Address/Country", T, NULL},
    END,
};

static const struct es_col price_class_cols[] = {
    {"price_class_id", "PriceClassID", T, NULL},
    {"description", "Description", T, NULL},
    END,
};

static const struct es_col price_cols[] = {
    {"record_id", "RecordID", I, NULL},
    {"price_type", "PriceType", T, NULL},
    {"price_code", "PriceCode", T, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "Description", T, NULL},
    {"uom", "UOM", T, NULL},
    {"break_qty", "BreakQty", D, NULL},
    {"price", "Price", D, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"warehouse", "Warehouse", T, NULL},
    {"promotion", "Promotion", B, NULL},
    {"effective_date", "EffectiveDate", TM, NULL},
    {"expiration_date", "ExpirationDate", TM, NULL},
    END,
};

static const struct es_col project_cols[] = {
    {"project_id", "ProjectID", T, NULL},
    {"description", "Description", T, NULL},
    {"customer_id", "Customer", T, NULL},
    {"status", "Status", T, NULL},
    {"hold", "Hold", B, NULL},
    {"external_ref", "ExternalRefNbr", T, NULL},
    {"income", "Income", D, NULL},
    {"expenses", "Expenses", D, NULL},
    END,
};

static const struct es_col order_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "LineDescription", T, NULL},
    {"warehouse_id", "WarehouseID", T, NULL},
    {"uom", "UOM", T, NULL},
    {"order_qty", "OrderQty", D, NULL},
    {"open_qty", "OpenQty", D, NULL},
    {"unit_price", "UnitPrice", D, NULL},
    {"discount_amount", "DiscountAmount", D, NULL},
    {"amount", "Amount", D, NULL},
    END,
};

static const struct es_col order_cols[] = {
    {"order_type", "OrderType", T, NULL},
    {"order_nbr", "OrderNbr", T, NULL},
    {"customer_id", "CustomerID", T, NULL},
    {"location_id", "LocationID", T, NULL},
    {"status", "Status", T, NULL},
    {"date", "Date", TM, NULL},
    {"requested_on", "RequestedOn", TM, NULL},
    {"customer_order", "CustomerOrder", T, NULL},
    {"external_ref", "ExternalRef", T, NULL},
    {"description", "Description", T, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"ordered_qty", "OrderedQty", D, NULL},
    {"tax_total", "TaxTotal", D, NULL},
    {"order_total", "OrderTotal", D, NULL},
    {"hold", "Hold", B, NULL},
    {"ship_via", "ShipVia", T, NULL},
    END,
};

static const struct es_detail order_details[] = {
    {"sales_order_lines", "Details", NULL, order_line_cols}, {NULL, NULL, NULL, NULL}};
static const struct es_detail quote_details[] = {
    {"quote_lines", "Details", NULL, order_line_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col invoice_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "TransactionDescr", T, NULL},
    {"uom", "UOM", T, NULL},
    {"qty", "Qty", D, NULL},
    {"unit_price", "UnitPrice", D, NULL},
    {"amount", "Amount", D, NULL},
    {"order_type", "OrderType", T, NULL},
    {"order_nbr", "OrderNbr", T, NULL},
    {"shipment_nbr", "ShipmentNbr", T, NULL},
    END,
};

static const struct es_detail invoice_details[] = {
    {"invoice_lines", "Details", NULL, invoice_line_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col invoice_cols[] = {
    {"type", "Type", T, NULL},
    {"reference_nbr", "ReferenceNbr", T, NULL},
    {"customer_id", "CustomerID", T, NULL},
    {"status", "Status", T, NULL},
    {"date", "Date", TM, NULL},
    {"due_date", "DueDate", TM, NULL},
    {"customer_order", "CustomerOrder", T, NULL},
    {"external_ref", "ExternalRef", T, V24},
    {"description", "Description", T, NULL},
    {"currency_id", "Currency", T, NULL},
    {"amount", "Amount", D, NULL},
    {"balance", "Balance", D, NULL},
    {"tax_total", "TaxTotal", D, NULL},
    {"hold", "Hold", B, NULL},
    END,
};

static const struct es_col payment_app_cols[] = {
    {"doc_type", "DocType", T, NULL},
    {"reference_nbr", "ReferenceNbr", T, NULL},
    {"amount_paid", "AmountPaid", D, NULL},
    END,
};

static const struct es_detail payment_details[] = {
    {"payment_applications", "DocumentsToApply", NULL, payment_app_cols},
    {NULL, NULL, NULL, NULL}};

static const struct es_col payment_cols[] = {
    {"type", "Type", T, NULL},
    {"reference_nbr", "ReferenceNbr", T, NULL},
    {"customer_id", "CustomerID", T, NULL},
    {"status", "Status", T, NULL},
    {"application_date", "ApplicationDate", TM, NULL},
    {"payment_method", "PaymentMethod", T, NULL},
    {"payment_ref", "PaymentRef", T, NULL},
    {"payment_amount", "PaymentAmount", D, NULL},
    {"available_balance", "AvailableBalance", D, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"description", "Description", T, NULL},
    {"external_ref", "ExternalRef", T, NULL},
    {"hold", "Hold", B, NULL},
    END,
};

static const struct es_col shipment_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"order_type", "OrderType", T, NULL},
    {"order_nbr", "OrderNbr", T, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"shipped_qty", "ShippedQty", D, NULL},
    {"uom", "UOM", T, NULL},
    END,
};

static const struct es_col package_cols[] = {
    {"box_id", "BoxID", T, NULL},
    {"tracking_nbr", "TrackingNbr", T, NULL},
    {"weight", "Weight", D, NULL},
    END,
};

static const struct es_detail shipment_details[] = {
    {"shipment_lines", "Details", NULL, shipment_line_cols},
    {"shipment_packages", "Packages", NULL, package_cols},
    {NULL, NULL, NULL, NULL}};

static const struct es_col shipment_cols[] = {
    {"shipment_nbr", "ShipmentNbr", T, NULL},
    {"type", "Type", T, NULL},
    {"status", "Status", T, NULL},
    {"customer_id", "CustomerID", T, NULL},
    {"shipment_date", "ShipmentDate", TM, NULL},
    {"warehouse_id", "WarehouseID", T, NULL},
    {"ship_via", "ShipVia", T, NULL},
    {"shipped_qty", "ShippedQty", D, NULL},
    {"package_count", "PackageCount", I, NULL},
    END,
};

static const struct es_col service_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"line_type", "LineType", T, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "Description", T, NULL},
    {"estimated_qty", "EstimatedQty", D, NULL},
    {"unit_price", "UnitPrice", D, NULL},
    {"amount", "EstimatedAmount", D, NULL},
    END,
};

static const struct es_detail service_order_details[] = {
    {"service_order_lines", "Details", NULL, service_line_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col service_order_cols[] = {
    {"service_order_type", "ServiceOrderType", T, NULL},
    {"service_order_nbr", "ServiceOrderNbr", T, NULL},
    {"customer_id", "Customer", T, NULL},
    {"location_id", "Location", T, NULL},
    {"status", "Status", T, NULL},
    {"date", "Date", TM, NULL},
    {"description", "Description", T, NULL},
    {"customer_order", "CustomerOrder", T, NULL},
    {"external_reference", "ExternalReference", T, NULL},
    {"priority", "Priority", T, NULL},
    {"severity", "Severity", T, NULL},
    {"total", "ServiceOrderTotal", D, NULL},
    {"hold", "Hold", B, NULL},
    END,
};

static const struct es_col appointment_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"line_type", "LineType", T, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "Description", T, NULL},
    {"estimated_qty", "EstimatedQty", D, NULL},
    {"actual_qty", "ActualQty", D, NULL},
    END,
};

static const struct es_detail appointment_details[] = {
    {"appointment_lines", "Details", NULL, appointment_line_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col appointment_cols[] = {
    {"service_order_type", "ServiceOrderType", T, NULL},
    {"appointment_nbr", "AppointmentNbr", T, NULL},
    {"service_order_nbr", "ServiceOrderNbr", T, NULL},
    {"customer_id", "Customer", T, NULL},
    {"status", "Status", T, NULL},
    {"scheduled_start", "ScheduledStartDate", TM, NULL},
    {"scheduled_end", "ScheduledEndDate", TM, NULL},
    {"description", "Description", T, NULL},
    {"confirmed", "Confirmed", B, NULL},
    {"finished", "Finished", B, NULL},
    {"total", "AppointmentTotal", D, NULL},
    END,
};

#define KEY1(k, c) .keys = {k, NULL}, .key_cols = {c, NULL}, .nkeys = 1
#define KEY2(k1, c1, k2, c2) .keys = {k1, k2}, .key_cols = {c1, c2}, .nkeys = 2

static const struct es_mapping maps[] = {
    {.set = ES_SET_CUSTOMERS, .table = "customers", .entity = "Customer",
     KEY1("CustomerID", "customer_id"), .modified = LM, .cols = customer_cols,
     .details = customer_details},
    {.set = ES_SET_CUSTOMER_LOCATIONS, .table = "customer_locations", .entity = "CustomerLocation",
     KEY2("Customer", "customer_id", "LocationID", "location_id"), .modified = LM,
     .cols = location_cols},
    {.set = ES_SET_CONTACTS, .table = "contacts", .entity = "Contact",
     KEY1("ContactID", "contact_id"), .int_key = 1, .modified = LM, .cols = contact_cols},
    {.set = ES_SET_STOCK_ITEMS, .table = "stock_items", .entity = "StockItem",
     KEY1("InventoryID", "inventory_id"), .modified = {"LastModified", "LastModifiedDateTime"},
     .cols = stock_item_cols, .details = stock_item_details},
    {.set = ES_SET_SERVICES, .table = "services", .entity = "NonStockItem",
     KEY1("InventoryID", "inventory_id"), .modified = LM, .cols = service_cols},
    {.set = ES_SET_VENDORS, .table = "vendors", .entity = "Vendor", KEY1("VendorID", "vendor_id"),
     .modified = LM, .cols = vendor_cols},
    {.set = ES_SET_PRICE_CLASSES, .table = "price_classes", .entity = "CustomerPriceClass",
     KEY1("PriceClassID", "price_class_id"), .modified = LM, .cols = price_class_cols},
    {.set = ES_SET_PRICES, .table = "prices", .entity = "SalesPricesInquiry",
     KEY1("RecordID", "record_id"), .int_key = 1, .modified = LM, .cols = price_cols,
     .inquiry_array = "SalesPriceDetails"},
    {.set = ES_SET_PROJECTS, .table = "projects", .entity = "Project",
     KEY1("ProjectID", "project_id"), .modified = LM, .cols = project_cols},
    {.set = ES_SET_SALES_ORDERS, .table = "sales_orders", .entity = "SalesOrder",
     KEY2("OrderType", "order_type", "OrderNbr", "order_nbr"),
     .modified = {"LastModified", "LastModified"}, .filter = "OrderType eq 'SO'",
     .date_field = "Date", .date_col = "date", .cols = order_cols, .details = order_details},
    {.set = ES_SET_QUOTES, .table = "quotes", .entity = "SalesOrder",
     KEY2("OrderType", "order_type", "OrderNbr", "order_nbr"),
     .modified = {"LastModified", "LastModified"}, .filter = "OrderType eq 'QT'",
     .date_field = "Date", .date_col = "date", .cols = order_cols, .details = quote_details},
    {.set = ES_SET_INVOICES, .table = "invoices", .entity = "SalesInvoice",
     KEY2("Type", "type", "ReferenceNbr", "reference_nbr"), .modified = LM,
     .date_field = "Date", .date_col = "date", .cols = invoice_cols, .details = invoice_details},
    {.set = ES_SET_PAYMENTS, .table = "payments", .entity = "Payment",
     KEY2("Type", "type", "ReferenceNbr", "reference_nbr"), .modified = LM,
     .date_field = "ApplicationDate", .date_col = "application_date", .cols = payment_cols,
     .details = payment_details},
    {.set = ES_SET_SHIPMENTS, .table = "shipments", .entity = "Shipment",
     KEY1("ShipmentNbr", "shipment_nbr"), .modified = LM, .date_field = "ShipmentDate",
     .date_col = "shipment_date", .cols = shipment_cols, .details = shipment_details},
    {.set = ES_SET_SERVICE_ORDERS, .table = "service_orders", .entity = "ServiceOrder",
     KEY2("ServiceOrderType", "service_order_type", "ServiceOrderNbr", "service_order_nbr"),
     .modified = LM, .date_field = "Date", .date_col = "date", .cols = service_order_cols,
     .details = service_order_details},
    {.set = ES_SET_APPOINTMENTS, .table = "appointments", .entity = "Appointment",
     KEY2("ServiceOrderType", "service_order_type", "AppointmentNbr", "appointment_nbr"),
     .modified = LM, .date_field = "ScheduledStartDate", .date_col = "scheduled_start",
     .cols = appointment_cols, .details = appointment_details},
};

const struct es_mapping *es_map_get(enum es_set_id set)
{
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
        if (maps[i].set == set)
            return &maps[i];
    return NULL;
}

int es_map_version_index(const char *version)
{
    return strcmp(version, "24") < 0 ? 0 : 1;
}

int es_map_col_in(const struct es_col *c, const char *version)
{
    return !c->since || strcmp(version, c->since) >= 0;
}

/* ---- $select and $expand ---- */

struct names {
    struct es_buf *b;
    int first;
};

static void add_name(struct names *n, const char *prefix, const char *path, size_t len)
{
    /* Skip duplicates: the lists are short, a substring search will do. */
    char item[160];
    int k = snprintf(item, sizeof(item), "%s%.*s", prefix, (int)len, path);
    if (k <= 0 || (size_t)k >= sizeof(item))
        return;
    const char *d = n->b->data;
    for (const char *p = d; p && (p = strstr(p, item)); p++)
        if ((p == d || p[-1] == ',' || p[-1] == '=') && (p[k] == ',' || p[k] == '\0'))
            return;
    if (!n->first)
        es_buf_add(n->b, ",", 1);
    n->first = 0;
    es_buf_add(n->b, item, (size_t)k);
}

/* The linked entities a path goes through: "A/B/C" expands A and A/B. */
static void add_expands(struct names *n, const char *prefix, const char *path)
{
    for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
        add_name(n, prefix, path, (size_t)(s - path));
}

static void list_cols(struct names *sel, struct names *exp, const char *prefix,
                      const struct es_col *cols, const char *version)
{
    char buf[160];
    for (const struct es_col *c = cols; c && c->name; c++) {
        if (!es_map_col_in(c, version))
            continue;
        if (!strncmp(c->path, ADDR, strlen(ADDR))) {
            static const char *const from[] = {"MainContact/Address/", "ShippingContact/Address/"};
            for (int i = 0; i < 2; i++) {
                snprintf(buf, sizeof(buf), "%s%s", from[i], c->path + strlen(ADDR));
                add_name(sel, prefix, buf, strlen(buf));
                add_expands(exp, prefix, buf);
            }
            continue;
        }
        add_name(sel, prefix, c->path, strlen(c->path));
        add_expands(exp, prefix, c->path);
    }
}

static void list_details(struct names *sel, struct names *exp, const struct es_mapping *m,
                         const char *version)
{
    char prefix[96];
    for (const struct es_detail *d = m->details; d && d->table; d++) {
        if (d->array) {
            add_name(exp, "", d->array, strlen(d->array));
            snprintf(prefix, sizeof(prefix), "%s/", d->array);
            list_cols(sel, exp, prefix, d->cols, version);
            continue;
        }
        for (const struct es_detail_obj *o = d->objs; o->kind; o++) {
            add_name(exp, "", o->path, strlen(o->path));
            snprintf(prefix, sizeof(prefix), "%s/", o->path);
            list_cols(sel, exp, prefix, d->cols, version);
        }
    }
}

void es_map_query(struct es_buf *out, const struct es_mapping *m, const char *version,
                  int keys_only)
{
    struct es_buf sel, exp;
    es_buf_init(&sel, 0);
    es_buf_init(&exp, 0);
    struct names s = {&sel, 1}, e = {&exp, 1};
    /* An inquiry's records are the rows of one of its arrays. */
    char prefix[96] = "";
    if (m->inquiry_array) {
        add_name(&e, "", m->inquiry_array, strlen(m->inquiry_array));
        snprintf(prefix, sizeof(prefix), "%s/", m->inquiry_array);
    }
    for (int k = 0; k < m->nkeys; k++)
        add_name(&s, prefix, m->keys[k], strlen(m->keys[k]));
    if (!keys_only) {
        const char *mod = m->modified[es_map_version_index(version)];
        add_name(&s, prefix, mod, strlen(mod));
        list_cols(&s, &e, prefix, m->cols, version);
        list_details(&s, &e, m, version);
    }
    es_buf_adds(out, "$select=");
    es_http_escape(out, sel.data ? sel.data : "");
    if (exp.len) {
        es_buf_adds(out, "&$expand=");
        es_http_escape(out, exp.data);
    }
    es_buf_dispose(&sel);
    es_buf_dispose(&exp);
}

/* ---- JSON record -> row ---- */

/* The wrapped value at path ("A/B/Field"): NULL when absent or empty. */
static const cJSON *value_at(const cJSON *j, const char *path)
{
    char seg[96];
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        j = cJSON_GetObjectItemCaseSensitive(j, seg);
        if (!cJSON_IsObject(j))
            return NULL;
        if (!p[n])
            break;
        p += n + 1;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "value");
    return v && !cJSON_IsNull(v) ? v : NULL;
}

static const char *trimmed(struct es_arena *a, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return es_arena_strndup(a, s, n);
}

/* A number sent as text: "12", "-3.50", "1e3" (what JSON allows). */
static int numeric_text(const char *s, int integral)
{
    char *end;
    errno = 0;
    if (integral) {
        (void)strtoll(s, &end, 10);
    } else {
        double d = strtod(s, &end);
        if (!isfinite(d))
            return 0;
    }
    return end != s && !*end && errno == 0;
}

static const char *number_text(struct es_arena *a, double d, int integral)
{
    char buf[40];
    if (integral)
        snprintf(buf, sizeof(buf), "%.0f", d);
    else
        snprintf(buf, sizeof(buf), "%.15g", d);
    return es_arena_strdup(a, buf);
}

/* One value as text for its column type. *bad set when it cannot be. */
static const char *convert(struct es_arena *a, const cJSON *v, enum es_ctype t, int *bad)
{
    if (!v)
        return NULL;
    if (cJSON_IsString(v) && t != ES_CT_TEXT && !*v->valuestring)
        return NULL; /* "" for a number or a date: empty */
    switch (t) {
    case ES_CT_TEXT:
        if (cJSON_IsString(v))
            return es_arena_strdup(a, v->valuestring);
        if (cJSON_IsNumber(v))
            return number_text(a, v->valuedouble, v->valuedouble == floor(v->valuedouble));
        if (cJSON_IsBool(v))
            return cJSON_IsTrue(v) ? "true" : "false";
        break;
    case ES_CT_DEC:
    case ES_CT_INT:
        if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
            (t == ES_CT_DEC || v->valuedouble == floor(v->valuedouble)))
            return number_text(a, v->valuedouble, t == ES_CT_INT);
        if (cJSON_IsString(v) && numeric_text(trimmed(a, v->valuestring), t == ES_CT_INT))
            return trimmed(a, v->valuestring);
        break;
    case ES_CT_BOOL:
        if (cJSON_IsBool(v))
            return cJSON_IsTrue(v) ? "1" : "0";
        if (cJSON_IsString(v) && (!strcasecmp(v->valuestring, "true") || !strcmp(v->valuestring, "1")))
            return "1";
        if (cJSON_IsString(v) && (!strcasecmp(v->valuestring, "false") || !strcmp(v->valuestring, "0")))
            return "0";
        break;
    case ES_CT_TIME: {
        char out[40];
        int64_t ms;
        if (cJSON_IsString(v) && !es_map_time(out, sizeof(out), &ms, v->valuestring))
            return es_arena_strdup(a, out);
        break;
    }
    }
    *bad = 1;
    return NULL;
}

int es_map_time(char *out, size_t cap, int64_t *ms, const char *iso)
{
    struct es_iso t;
    if (es_iso_parse(&t, iso, strlen(iso)))
        return ES_EINVAL;
    *ms = es_iso_to_ms(&t);
    es_time_format_utc(out, cap, *ms);
    return 0;
}

/* The customer's address field, by the [customers] options. */
static const cJSON *address_value(const cJSON *j, const char *field,
                                  const struct es_config *cfg)
{
    const char *from = cfg && cfg->customers.use_ship_to_address ? "ShippingContact/Address/"
                                                                  : "MainContact/Address/";
    if (cfg && cfg->customers.skip_first_address_line) {
        if (!strcmp(field, "AddressLine1"))
            field = "AddressLine2";
        else if (!strcmp(field, "AddressLine2"))
            return NULL;
    }
    char path[128];
    snprintf(path, sizeof(path), "%s%s", from, field);
    return value_at(j, path);
}

static uint64_t hash_add(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xff) * 1099511628211ull; /* NULL differs from "" */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xfe) * 1099511628211ull;
}

struct ctx {
    struct es_arena *a;
    const struct es_mapping *m;
    const char *version;
    const struct es_config *cfg;
    const char *what; /* "Customer ABC" for messages */
    uint64_t hash;
    struct es_err *err;
};

static int map_cols(struct ctx *c, struct es_row *row, const cJSON *j, const struct es_col *cols)
{
    size_t n = 0;
    while (cols[n].name)
        n++;
    row->n = n;
    row->kind = NULL;
    row->vals = es_arena_alloc(c->a, (n ? n : 1) * sizeof(*row->vals));
    for (size_t i = 0; i < n; i++) {
        const struct es_col *col = &cols[i];
        if (!es_map_col_in(col, c->version)) {
            row->vals[i] = NULL;
            c->hash = hash_add(c->hash, NULL);
            continue;
        }
        const cJSON *v = strncmp(col->path, ADDR, strlen(ADDR))
                             ? value_at(j, col->path)
                             : address_value(j, col->path + strlen(ADDR), c->cfg);
        int bad = 0;
        row->vals[i] = convert(c->a, v, col->type, &bad);
        if (bad) {
            char *text = cJSON_PrintUnformatted(v);
            es_err_set(c->err, ES_EINVAL, "%s: %s: %.80s is not a %s", c->what, col->path,
                       text ? text : "?",
                       col->type == ES_CT_TIME ? "date-time"
                       : col->type == ES_CT_BOOL ? "Boolean"
                                                 : "number");
            cJSON_free(text);
            return ES_EINVAL;
        }
        c->hash = hash_add(c->hash, row->vals[i]);
    }
    return 0;
}

static int map_detail(struct ctx *c, struct es_detail_rows *out, const cJSON *j,
                      const struct es_detail *d)
{
    out->d = d;
    const cJSON *arr = d->array ? cJSON_GetObjectItemCaseSensitive(j, d->array) : NULL;
    size_t n = 0;
    if (d->array)
        n = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
    else
        while (d->objs[n].kind)
            n++;
    out->n = 0;
    out->rows = es_arena_alloc(c->a, (n ? n : 1) * sizeof(*out->rows));
    const cJSON *item = cJSON_IsArray(arr) ? arr->child : NULL;
    for (size_t i = 0; i < n; i++) {
        const cJSON *src = d->array ? item : cJSON_GetObjectItemCaseSensitive(j, d->objs[i].path);
        if (d->array)
            item = item->next;
        if (!cJSON_IsObject(src))
            continue; /* an address the ERP did not send */
        if (map_cols(c, &out->rows[out->n], src, d->cols))
            return ES_EINVAL;
        out->rows[out->n].kind = d->array ? NULL : d->objs[i].kind;
        c->hash = hash_add(c->hash, d->array ? "|row" : d->objs[i].kind);
        out->n++;
    }
    return 0;
}

static int map_keys(struct ctx *c, struct es_record *out, const cJSON *j)
{
    struct es_buf key;
    es_buf_init(&key, 0);
    for (int k = 0; k < c->m->nkeys; k++) {
        int bad = 0;
        const cJSON *v = value_at(j, c->m->keys[k]);
        const char *s = convert(c->a, v, c->m->int_key ? ES_CT_INT : ES_CT_TEXT, &bad);
        s = s ? trimmed(c->a, s) : NULL;
        if (!s || !*s) {
            es_buf_dispose(&key);
            return es_err_set(c->err, ES_EINVAL, "%s record without its key field %s",
                              c->m->entity, c->m->keys[k]);
        }
        out->key[k] = (char *)s;
        if (k)
            es_buf_add(&key, "|", 1);
        es_buf_adds(&key, s);
    }
    out->erp_key = es_arena_strdup(c->a, key.data);
    es_buf_dispose(&key);
    return 0;
}

int es_map_record(struct es_record *out, struct es_arena *a, const struct es_mapping *m,
                  const char *version, const struct es_config *cfg, const cJSON *j,
                  struct es_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(j))
        return es_err_set(err, ES_EINVAL, "%s: a record that is not a JSON object", m->entity);
    struct ctx c = {a, m, version, cfg, m->entity, 1469598103934665603ull, err};
    if (map_keys(&c, out, j))
        return ES_EINVAL;
    char what[200];
    snprintf(what, sizeof(what), "%s %s", m->entity, out->erp_key);
    c.what = what;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "id"));
    out->erp_id = id ? es_arena_strdup(a, id) : NULL;
    const cJSON *mod = value_at(j, m->modified[es_map_version_index(version)]);
    char utc[40];
    if (cJSON_IsString(mod) && !es_map_time(utc, sizeof(utc), &out->modified_ms, mod->valuestring))
        out->erp_modified = es_arena_strdup(a, utc);
    if (map_cols(&c, &out->row, j, m->cols))
        return ES_EINVAL;
    size_t nd = 0;
    while (m->details && m->details[nd].table)
        nd++;
    out->ndetails = nd;
    out->details = es_arena_alloc(a, (nd ? nd : 1) * sizeof(*out->details));
    for (size_t i = 0; i < nd; i++)
        if (map_detail(&c, &out->details[i], j, &m->details[i]))
            return ES_EINVAL;
    out->hash = c.hash;
    return 0;
}
