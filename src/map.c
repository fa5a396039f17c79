/* The record sets' mappings, and JSON record -> row. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/http.h"
#include "erpsync/json.h"
#include "erpsync/map.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"

#define T ES_CT_TEXT
#define D ES_CT_DEC
#define I ES_CT_INT
#define B ES_CT_BOOL
#define TM ES_CT_TIME
#define DT ES_CT_DATE
#define END {NULL, NULL, 0, NULL}
#define V24 "24.200.001"
#define LM {"LastModifiedDateTime", "LastModifiedDateTime"}

/* "@addr/<Field>": the customer's address, from the main or the shipping
 * contact as [customers] use_ship_to_address says, its first line dropped
 * when skip_first_address_line is set. */
#define ADDR ES_MAP_ADDR

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
    {"ext_ref_nbr", "ExtRefNbr", T, V24},
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
    {"effective_date", "EffectiveDate", DT, NULL},
    {"expiration_date", "ExpirationDate", DT, NULL},
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
    {"date", "Date", DT, NULL},
    {"requested_on", "RequestedOn", DT, NULL},
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
    {"date", "Date", DT, NULL},
    {"due_date", "DueDate", DT, NULL},
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
    /* The application's own link to an invoice row it created and erpsync
     * has not pushed yet (no reference number); not an Acumatica field. */
    {"invoice_row_id", NULL, I, NULL},
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
    {"application_date", "ApplicationDate", DT, NULL},
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
    {"shipment_date", "ShipmentDate", DT, NULL},
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
    {"date", "Date", DT, NULL},
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

/* Prices by type: three smaller answers instead of one with every price. */
static const char *const price_parts[] = {
    "{\"PriceType\":{\"value\":\"Base\"}}",
    "{\"PriceType\":{\"value\":\"Customer\"}}",
    "{\"PriceType\":{\"value\":\"Customer Price Class\"}}",
    NULL,
};

static const struct es_col po_line_cols[] = {
    {"line_nbr", "LineNbr", I, NULL},
    {"inventory_id", "InventoryID", T, NULL},
    {"description", "LineDescription", T, NULL},
    {"warehouse_id", "WarehouseID", T, NULL},
    {"uom", "UOM", T, NULL},
    {"order_qty", "OrderQty", D, NULL},
    {"unit_cost", "UnitCost", D, NULL},
    {"extended_cost", "ExtendedCost", D, NULL},
    END,
};

static const struct es_detail po_details[] = {
    {"purchase_order_lines", "Details", NULL, po_line_cols}, {NULL, NULL, NULL, NULL}};

static const struct es_col po_cols[] = {
    {"type", "Type", T, NULL},
    {"order_nbr", "OrderNbr", T, NULL},
    {"vendor_id", "VendorID", T, NULL},
    {"location", "Location", T, NULL},
    {"status", "Status", T, NULL},
    {"date", "Date", DT, NULL},
    {"promised_on", "PromisedOn", DT, NULL},
    {"vendor_ref", "VendorRef", T, NULL},
    {"description", "Description", T, NULL},
    {"currency_id", "CurrencyID", T, NULL},
    {"order_total", "OrderTotal", D, NULL},
    {"hold", "Hold", B, NULL},
    END,
};

static const char *const ref_customer_order[] = {"customer_order", NULL};
static const char *const ref_invoice[] = {"external_ref", "customer_order", NULL};
static const char *const ref_external_ref[] = {"external_ref", NULL};
static const char *const ref_service_order[] = {"external_reference", NULL};
static const char *const ref_vendor_ref[] = {"vendor_ref", NULL};
static const char *const ref_contact[] = {"ext_ref_nbr", NULL};

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
     KEY1("ContactID", "contact_id"), .int_key = 1, .modified = LM, .cols = contact_cols,
     .extref_cols = ref_contact},
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
     .inquiry_array = "SalesPriceDetails", .inquiry_parts = price_parts},
    {.set = ES_SET_PROJECTS, .table = "projects", .entity = "Project",
     KEY1("ProjectID", "project_id"), .modified = LM, .cols = project_cols},
    {.set = ES_SET_SALES_ORDERS, .table = "sales_orders", .entity = "SalesOrder",
     KEY2("OrderType", "order_type", "OrderNbr", "order_nbr"),
     .modified = {"LastModified", "LastModified"}, .filter = "OrderType eq 'SO'", .key0_fixed = 1,
     .date_field = "Date", .date_col = "date", .cols = order_cols, .details = order_details,
     .extref_cols = ref_customer_order},
    {.set = ES_SET_QUOTES, .table = "quotes", .entity = "SalesOrder",
     KEY2("OrderType", "order_type", "OrderNbr", "order_nbr"),
     .modified = {"LastModified", "LastModified"}, .filter = "OrderType eq 'QT'", .key0_fixed = 1,
     .date_field = "Date", .date_col = "date", .cols = order_cols, .details = quote_details,
     .extref_cols = ref_customer_order},
    {.set = ES_SET_INVOICES, .table = "invoices", .entity = "SalesInvoice",
     KEY2("Type", "type", "ReferenceNbr", "reference_nbr"), .modified = LM,
     .date_field = "Date", .date_col = "date", .cols = invoice_cols, .details = invoice_details,
     .extref_cols = ref_invoice},
    {.set = ES_SET_PAYMENTS, .table = "payments", .entity = "Payment",
     KEY2("Type", "type", "ReferenceNbr", "reference_nbr"), .modified = LM,
     .date_field = "ApplicationDate", .date_col = "application_date", .cols = payment_cols,
     .details = payment_details, .extref_cols = ref_external_ref},
    {.set = ES_SET_SHIPMENTS, .table = "shipments", .entity = "Shipment",
     KEY1("ShipmentNbr", "shipment_nbr"), .modified = LM, .date_field = "ShipmentDate",
     .date_col = "shipment_date", .cols = shipment_cols, .details = shipment_details},
    {.set = ES_SET_SERVICE_ORDERS, .table = "service_orders", .entity = "ServiceOrder",
     KEY2("ServiceOrderType", "service_order_type", "ServiceOrderNbr", "service_order_nbr"),
     .modified = LM, .date_field = "Date", .date_col = "date", .cols = service_order_cols,
     .details = service_order_details, .extref_cols = ref_service_order},
    {.set = ES_SET_APPOINTMENTS, .table = "appointments", .entity = "Appointment",
     KEY2("ServiceOrderType", "service_order_type", "AppointmentNbr", "appointment_nbr"),
     .modified = LM, .date_field = "ScheduledStartDate", .date_col = "scheduled_start",
     .cols = appointment_cols, .details = appointment_details},
    {.set = ES_SET_PURCHASE_ORDERS, .table = "purchase_orders", .entity = "PurchaseOrder",
     KEY2("Type", "type", "OrderNbr", "order_nbr"), .modified = LM, .date_field = "Date",
     .date_col = "date", .cols = po_cols, .details = po_details, .extref_cols = ref_vendor_ref},
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
    return c->path && (!c->since || strcmp(version, c->since) >= 0);
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
    const char *mod = m->modified[es_map_version_index(version)];
    add_name(&s, prefix, mod, strlen(mod));
    if (!keys_only) {
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

/* ---- JSON record -> row ----
 * A plan, built once per set and run, turns the field paths into a tree; a
 * record is resolved by walking its members once, not by searching for
 * each column (a list answer holds thousands of records). */

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

/* The decimal digits of m (m < 2^53) into out, the last `decimals` of
 * them after a point, trailing zeros of the fraction dropped; the length. */
static size_t fixed_text(char *out, int neg, uint64_t m, int decimals)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + m % 10);
    while ((m /= 10) || n <= decimals);
    int drop = 0; /* fraction digits that are trailing zeros */
    while (drop < decimals && tmp[drop] == '0')
        drop++;
    size_t len = 0;
    if (neg)
        out[len++] = '-';
    for (int i = n - 1; i >= drop; i--) {
        if (i == decimals - 1)
            out[len++] = '.';
        out[len++] = tmp[i];
    }
    out[len] = '\0';
    return len;
}

/* How many digits m has. */
static int digits(uint64_t m)
{
    int n = 1;
    while (m >= 10)
        m /= 10, n++;
    return n;
}

size_t es_map_number_text(char *out, size_t cap, double d, int integral)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double ad = fabs(d);
    /* Most values are whole or have a few decimals: written by hand when
     * that is exactly what printf writes. A decimal of at most 15
     * significant digits that converts back to d is what %.15g prints
     * (DBL_DIG), and m / 10^k is correctly rounded, as strtod is. */
    if (cap >= 24 && isfinite(d) && !(d == 0 && signbit(d)) &&
        (d == 0 || (integral ? ad < 9007199254740992.0 : ad >= 1e-4 && ad < 1e15))) {
        for (int k = 0; k < (integral ? 1 : 7); k++) {
            double m = nearbyint(ad * p10[k]);
            if (m >= 9007199254740992.0)
                break;
            if (m / p10[k] == ad && (integral || digits((uint64_t)m) <= 15))
                return fixed_text(out, d < 0, (uint64_t)m, k);
        }
    }
    int n = snprintf(out, cap, integral ? "%.0f" : "%.15g", d);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static const char *number_text(struct es_arena *a, double d, int integral)
{
    char buf[40];
    size_t n = es_map_number_text(buf, sizeof(buf), d, integral);
    return es_arena_strndup(a, buf, n);
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
    case ES_CT_DATE: {
        char out[16];
        if (cJSON_IsString(v) && !es_map_date(out, sizeof(out), v->valuestring))
            return es_arena_strdup(a, out);
        break;
    }
    }
    *bad = 1;
    return NULL;
}

/* n as width zero-padded digits (n >= 0, hot: no printf). */
static char *put_digits(char *p, int n, int width)
{
    for (int i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

int es_map_date(char *out, size_t cap, const char *iso)
{
    struct es_iso t;
    if (cap < 11 || es_iso_parse(&t, iso, strlen(iso)) || t.c.year > 9999)
        return ES_EINVAL;
    char *p = put_digits(out, t.c.year, 4);
    *p++ = '-';
    p = put_digits(p, t.c.mon, 2);
    *p++ = '-';
    p = put_digits(p, t.c.day, 2);
    *p = '\0';
    return 0;
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

int es_map_is_guid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return 0;
    }
    return s[36] == '\0';
}

void es_map_hash_text(char out[24], uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, h >>= 4)
        out[i] = hex[h & 15];
    out[16] = '\0';
}

static uint64_t hash_add(uint64_t h, const char *s)
{
    if (!s)
        return (h ^ 0xff) * 1099511628211ull; /* NULL differs from "" */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xfe) * 1099511628211ull;
}


/* A node of the path tree: a field name at one level. */
struct node {
    const char *name;
    uint32_t hash;
    int slot;       /* where the resolved member goes, or -1 */
    int child;      /* first child node, or -1 */
    int sibling;    /* next node of the same parent, or -1 */
};

/* Columns read from slots: -1 when the field is not there (version, option). */
struct colplan {
    int slot;
    enum es_ctype type;
    const char *path; /* for messages */
};

struct tree {
    struct node *nodes;
    int n, cap, nslots;
};

struct rowplan {
    struct tree t;
    struct colplan *cols;
    int ncols;
};

struct detailplan {
    const struct es_detail *d;
    int array_slot;        /* an array detail: the array's slot in the root */
    struct rowplan row;    /* its rows' plan */
    int nobjs;
    int *obj_slots;        /* an objects detail: each object's slot in the root */
    struct colplan *obj_cols; /* nobjs * ncols, in the root tree */
};

struct es_map_plan {
    const struct es_mapping *m;
    struct rowplan root;
    int key_slots[2];
    int mod_slot, id_slot;
    struct detailplan *details;
    int ndetails;
    int inquiry; /* records are rows of the inquiry array: paths are row-relative */
};

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int tree_node(struct tree *t, const char *name, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->nodes = es_xrealloc(t->nodes, (size_t)t->cap * sizeof(*t->nodes));
    }
    struct node *nd = &t->nodes[t->n];
    nd->name = es_xstrndup(name, len);
    nd->hash = name_hash(nd->name);
    nd->slot = nd->child = nd->sibling = -1;
    return t->n++;
}

/* The child of parent (-1: the root level) named so, made when missing. */
static int tree_child(struct tree *t, int parent, const char *name, size_t len)
{
    int *link = parent < 0 ? NULL : &t->nodes[parent].child;
    int first = parent < 0 ? (t->n ? 0 : -1) : *link;
    int last = -1;
    for (int k = first; k >= 0; last = k, k = t->nodes[k].sibling)
        if (strlen(t->nodes[k].name) == len && !strncmp(t->nodes[k].name, name, len))
            return k;
    int k = tree_node(t, name, len);
    if (last >= 0)
        t->nodes[last].sibling = k;
    else if (parent >= 0)
        t->nodes[parent].child = k;
    return k;
}

/* The slot of a field path ("A/B/Field"). */
static int tree_path(struct tree *t, const char *path)
{
    int node = -1;
    for (const char *p = path;;) {
        size_t n = strcspn(p, "/");
        node = tree_child(t, node, p, n);
        if (!p[n])
            break;
        p += n + 1;
    }
    if (t->nodes[node].slot < 0)
        t->nodes[node].slot = t->nslots++;
    return t->nodes[node].slot;
}

static void tree_free(struct tree *t)
{
    for (int i = 0; i < t->n; i++)
        free((void *)t->nodes[i].name);
    free(t->nodes);
}

/* Put every member of obj the tree asks for into slots. */
static void resolve(const struct tree *t, int first, const cJSON *obj, const cJSON **slots)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string)
            continue;
        uint32_t h = name_hash(c->string);
        for (int k = first; k >= 0; k = t->nodes[k].sibling) {
            const struct node *nd = &t->nodes[k];
            if (nd->hash != h || strcmp(nd->name, c->string))
                continue;
            if (nd->slot >= 0)
                slots[nd->slot] = c;
            if (nd->child >= 0 && cJSON_IsObject(c))
                resolve(t, nd->child, c, slots);
            break;
        }
    }
}

const char *es_map_address_path(char *out, size_t cap, const char *field,
                                const struct es_config *cfg)
{
    const char *from = cfg && cfg->customers.use_ship_to_address ? "ShippingContact" : "MainContact";
    if (cfg && cfg->customers.skip_first_address_line) {
        if (!strcmp(field, "AddressLine1"))
            field = "AddressLine2";
        else if (!strcmp(field, "AddressLine2"))
            return NULL;
    }
    snprintf(out, cap, "%s/Address/%s", from, field);
    return out;
}

static void plan_cols(struct rowplan *rp, struct tree *t, struct colplan *out,
                      const struct es_col *cols, const char *prefix, const char *version,
                      const struct es_config *cfg)
{
    char path[256], addr[160];
    for (int i = 0; cols[i].name; i++) {
        const char *p = cols[i].path;
        out[i].type = cols[i].type;
        out[i].path = p;
        if (p && !strncmp(p, ADDR, strlen(ADDR)))
            p = es_map_address_path(addr, sizeof(addr), p + strlen(ADDR), cfg);
        if (!p || !es_map_col_in(&cols[i], version)) {
            out[i].slot = -1;
            continue;
        }
        snprintf(path, sizeof(path), "%s%s", prefix, p);
        out[i].slot = tree_path(t, path);
    }
    (void)rp;
}

static int count_cols(const struct es_col *cols)
{
    int n = 0;
    while (cols[n].name)
        n++;
    return n;
}

static void plan_detail(struct es_map_plan *p, struct detailplan *dp, const struct es_detail *d,
                        const char *version, const struct es_config *cfg)
{
    int nc = count_cols(d->cols);
    dp->d = d;
    if (d->array) {
        dp->array_slot = tree_path(&p->root.t, d->array);
        dp->row.ncols = nc;
        dp->row.cols = es_xcalloc((size_t)(nc ? nc : 1), sizeof(*dp->row.cols));
        plan_cols(&dp->row, &dp->row.t, dp->row.cols, d->cols, "", version, cfg);
        return;
    }
    while (d->objs[dp->nobjs].kind)
        dp->nobjs++;
    dp->obj_slots = es_xcalloc((size_t)dp->nobjs, sizeof(*dp->obj_slots));
    dp->obj_cols = es_xcalloc((size_t)(dp->nobjs * (nc ? nc : 1)), sizeof(*dp->obj_cols));
    char prefix[96];
    for (int o = 0; o < dp->nobjs; o++) {
        dp->obj_slots[o] = tree_path(&p->root.t, d->objs[o].path);
        snprintf(prefix, sizeof(prefix), "%s/", d->objs[o].path);
        plan_cols(&p->root, &p->root.t, dp->obj_cols + o * nc, d->cols, prefix, version, cfg);
    }
}

int es_map_plan_new(struct es_map_plan **out, const struct es_mapping *m, const char *version,
                    const struct es_config *cfg)
{
    struct es_map_plan *p = es_xcalloc(1, sizeof(*p));
    p->m = m;
    struct tree *t = &p->root.t;
    for (int k = 0; k < m->nkeys; k++)
        p->key_slots[k] = tree_path(t, m->keys[k]);
    p->mod_slot = tree_path(t, m->modified[es_map_version_index(version)]);
    p->id_slot = tree_path(t, "id");
    p->root.ncols = count_cols(m->cols);
    p->root.cols = es_xcalloc((size_t)(p->root.ncols ? p->root.ncols : 1), sizeof(*p->root.cols));
    plan_cols(&p->root, t, p->root.cols, m->cols, "", version, cfg);
    while (m->details && m->details[p->ndetails].table)
        p->ndetails++;
    p->details = es_xcalloc((size_t)(p->ndetails ? p->ndetails : 1), sizeof(*p->details));
    for (int i = 0; i < p->ndetails; i++)
        plan_detail(p, &p->details[i], &m->details[i], version, cfg);
    *out = p;
    return 0;
}

void es_map_plan_free(struct es_map_plan *p)
{
    if (!p)
        return;
    tree_free(&p->root.t);
    free(p->root.cols);
    for (int i = 0; i < p->ndetails; i++) {
        tree_free(&p->details[i].row.t);
        free(p->details[i].row.cols);
        free(p->details[i].obj_slots);
        free(p->details[i].obj_cols);
    }
    free(p->details);
    free(p);
}

/* ---- applying a plan ---- */

/* The value of a wrapped field member ({"value": x}); NULL when empty. */
static const cJSON *wrapped(const cJSON *member)
{
    if (!cJSON_IsObject(member))
        return NULL;
    const cJSON *v = member->child;
    while (v && (!v->string || strcmp(v->string, "value")))
        v = v->next;
    return v && !cJSON_IsNull(v) ? v : NULL;
}

struct ctx {
    struct es_arena *a;
    const char *entity, *key; /* for messages: "Customer ABC" (key NULL before known) */
    uint64_t hash;
    struct es_err *err;
};

static int bad_value(struct ctx *c, const cJSON *v, const struct colplan *cp)
{
    char *text = cJSON_PrintUnformatted(v);
    es_err_set(c->err, ES_EINVAL, "%s%s%s: %s: %.80s is not a %s", c->entity, c->key ? " " : "",
               c->key ? c->key : "", cp->path,
               text ? text : "?",
               cp->type == ES_CT_TIME   ? "date-time"
               : cp->type == ES_CT_DATE ? "date"
               : cp->type == ES_CT_BOOL ? "Boolean"
                                        : "number");
    cJSON_free(text);
    return ES_EINVAL;
}

static int fill_row(struct ctx *c, struct es_row *row, const struct colplan *cols, int n,
                    const cJSON *const *slots)
{
    row->n = (size_t)n;
    row->kind = NULL;
    row->vals = es_arena_alloc(c->a, (size_t)(n ? n : 1) * sizeof(*row->vals));
    for (int i = 0; i < n; i++) {
        const cJSON *v = cols[i].slot >= 0 ? wrapped(slots[cols[i].slot]) : NULL;
        int bad = 0;
        row->vals[i] = convert(c->a, v, cols[i].type, &bad);
        if (bad)
            return bad_value(c, v, &cols[i]);
        c->hash = hash_add(c->hash, row->vals[i]);
    }
    return 0;
}

static const cJSON **new_slots(struct es_arena *a, int n)
{
    return es_arena_calloc(a, (size_t)(n ? n : 1) * sizeof(const cJSON *));
}

static int apply_array(struct ctx *c, struct es_detail_rows *out, const struct detailplan *dp,
                       const cJSON *arr)
{
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    out->rows = es_arena_alloc(c->a, (size_t)(n ? n : 1) * sizeof(*out->rows));
    const cJSON **slots = new_slots(c->a, dp->row.t.nslots);
    for (const cJSON *it = n ? arr->child : NULL; it; it = it->next) {
        if (!cJSON_IsObject(it))
            continue;
        memset(slots, 0, (size_t)(dp->row.t.nslots ? dp->row.t.nslots : 1) * sizeof(*slots));
        resolve(&dp->row.t, dp->row.t.n ? 0 : -1, it, slots);
        if (fill_row(c, &out->rows[out->n], dp->row.cols, dp->row.ncols, slots))
            return ES_EINVAL;
        c->hash = hash_add(c->hash, "|row");
        out->n++;
    }
    return 0;
}

static int apply_objs(struct ctx *c, struct es_detail_rows *out, const struct detailplan *dp,
                      const cJSON *const *slots)
{
    int nc = count_cols(dp->d->cols);
    out->rows = es_arena_alloc(c->a, (size_t)dp->nobjs * sizeof(*out->rows));
    for (int o = 0; o < dp->nobjs; o++) {
        if (!cJSON_IsObject(slots[dp->obj_slots[o]]))
            continue; /* an address the ERP did not send */
        if (fill_row(c, &out->rows[out->n], dp->obj_cols + o * nc, nc, slots))
            return ES_EINVAL;
        out->rows[out->n].kind = dp->d->objs[o].kind;
        c->hash = hash_add(c->hash, dp->d->objs[o].kind);
        out->n++;
    }
    return 0;
}

static int apply_keys(struct ctx *c, const struct es_map_plan *p, struct es_record *out,
                      const cJSON *const *slots)
{
    const struct es_mapping *m = p->m;
    char key[512];
    size_t len = 0;
    for (int k = 0; k < m->nkeys; k++) {
        int bad = 0;
        const char *s = convert(c->a, wrapped(slots[p->key_slots[k]]),
                                m->int_key ? ES_CT_INT : ES_CT_TEXT, &bad);
        s = s ? trimmed(c->a, s) : NULL;
        if (!s || !*s)
            return es_err_set(c->err, ES_EINVAL, "%s record without its key field %s",
                              m->entity, m->keys[k]);
        if (strstr(s, ES_JSON_NUL)) /* cut there, it could name another record */
            return es_err_set(c->err, ES_EINVAL,
                              "%s record whose key field %s holds a NUL character (\\u0000): "
                              "refused, as the key cut there could be another record's",
                              m->entity, m->keys[k]);
        out->key[k] = (char *)s;
        size_t n = strlen(s);
        if (len + n + 2 > sizeof(key))
            return es_err_set(c->err, ES_EINVAL, "%s record with a key over %zu bytes", m->entity,
                              sizeof(key) - 2);
        if (k)
            key[len++] = '|';
        memcpy(key + len, s, n);
        len += n;
    }
    out->erp_key = es_arena_strndup(c->a, key, len);
    return 0;
}

int es_map_apply(struct es_record *out, struct es_arena *a, const struct es_map_plan *p,
                 const cJSON *j, struct es_err *err)
{
    memset(out, 0, sizeof(*out));
    const struct es_mapping *m = p->m;
    if (!cJSON_IsObject(j))
        return es_err_set(err, ES_EINVAL, "%s: a record that is not a JSON object", m->entity);
    const cJSON **slots = new_slots(a, p->root.t.nslots);
    resolve(&p->root.t, p->root.t.n ? 0 : -1, j, slots);
    struct ctx c = {a, m->entity, NULL, 1469598103934665603ull, err};
    if (apply_keys(&c, p, out, slots))
        return ES_EINVAL;
    c.key = out->erp_key;
    const cJSON *id = slots[p->id_slot];
    out->erp_id = cJSON_IsString(id) ? es_arena_strdup(a, id->valuestring) : NULL;
    if (out->erp_id && !es_map_is_guid(out->erp_id)) /* it goes into URLs and bodies */
        return es_err_set(err, ES_EINVAL, "%s %s: its id '%.60s' is not a GUID", m->entity,
                          out->erp_key, out->erp_id);
    const cJSON *mod = wrapped(slots[p->mod_slot]);
    char utc[40];
    if (cJSON_IsString(mod) && !es_map_time(utc, sizeof(utc), &out->modified_ms, mod->valuestring))
        out->erp_modified = es_arena_strdup(a, utc);
    if (fill_row(&c, &out->row, p->root.cols, p->root.ncols, slots))
        return ES_EINVAL;
    out->ndetails = (size_t)p->ndetails;
    out->details = es_arena_calloc(a, (size_t)(p->ndetails ? p->ndetails : 1) * sizeof(*out->details));
    for (int i = 0; i < p->ndetails; i++) {
        const struct detailplan *dp = &p->details[i];
        out->details[i].d = dp->d;
        int rc = dp->d->array ? apply_array(&c, &out->details[i], dp, slots[dp->array_slot])
                              : apply_objs(&c, &out->details[i], dp, slots);
        if (rc)
            return rc;
    }
    out->hash = c.hash;
    return 0;
}

int es_map_record(struct es_record *out, struct es_arena *a, const struct es_mapping *m,
                  const char *version, const struct es_config *cfg, const cJSON *j,
                  struct es_err *err)
{
    struct es_map_plan *p;
    es_map_plan_new(&p, m, version, cfg);
    int rc = es_map_apply(out, a, p, j, err);
    es_map_plan_free(p);
    return rc;
}
