/* The entity definitions. Keys, screens and labels follow API-NOTES §2;
 * numbering formats follow the recorded demo data. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "entity.h"
#include "erpsync/err.h"
#include "erpsync/mem.h"
#include "names.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const item_status[] = {"Active",   "No Sales",           "No Purchases",
                                          "No Request", "Inactive", "Marked for Deletion", NULL};

#define ITEM_REF {"Details/InventoryID", "Inventory ID", {"StockItem", "NonStockItem"}}

static const struct sim_entity_def customer = {
    .name = "Customer", .graph = "PX.Objects.AR.CustomerMaint", .view = "BAccount",
    .keys = {"CustomerID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER,
    .autonum = "CustomerID", .numfmt = "C%09u", .num_start = 1,
    .status = "Status", .display = "Customer",
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("Active", "On Hold", "Credit Hold", "Inactive", "One-Time")},
        {"StatementType", L("Open Item", "Balance Brought Forward")},
        {"ShippingRule", L("Cancel Remainder", "Back Order Allowed", "Ship Complete")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){
        {"ParentRecord", "Parent Account", {"Customer"}},
        {"PriceClassID", "Price Class", {"CustomerPriceClass"}},
        {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"CustomerName", "Account Name"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Status", "Active"}, {"CustomerClass", "DEFAULT"}, {"CurrencyID", "USD"},
        {"Terms", "30D"}, {"StatementType", "Open Item"}, {"ShippingRule", "Back Order Allowed"},
        {"LocationName", "Primary Location"}, {"CreditLimit", "0"}, {"OrderPriority", "0"},
        {"AutoApplyPayments", "false"}, {"EnableCurrencyOverride", "false"},
        {"EnableRateOverride", "false"}, {"EnableWriteOffs", "false"},
        {"BillingAddressOverride", "false"}, {"BillingContactOverride", "false"},
        {"ShippingAddressOverride", "false"}, {"ShippingContactOverride", "false"},
        {"IsGuestCustomer", "false"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Attributes", "Answers"}, {NULL, NULL}},
};

static const struct sim_entity_def contact = {
    .name = "Contact", .graph = "PX.Objects.CR.ContactMaint", .view = "Contact",
    .keys = {"ContactID"}, .nkeys = 1, .int_key = 1,
    .autonum = "ContactID", .num_start = 100000, .status = "Status", .display = "Contact",
    .extrefs = L("ExtRefNbr"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("Active", "Inactive")},
        {"Type", L("Contact", "Lead", "Employee", "Sales Representative")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){
        {"BusinessAccount", "Business Account", {"Customer", "Vendor"}}, {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"LastName", "Last Name"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Active", "true"}, {"Status", "Active"}, {"Type", "Contact"},
        {"ContactClass", "DEFAULT"}, {"ContactMethod", "Any"}, {"DoNotCall", "false"},
        {"DoNotEmail", "false"}, {"DoNotFax", "false"}, {"DoNotMail", "false"},
        {"NoMarketing", "false"}, {"NoMassMail", "false"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Attributes", "Answers"}, {NULL, NULL}},
};

static const struct sim_entity_def customer_location = {
    .name = "CustomerLocation", .graph = "PX.Objects.AR.CustomerLocationMaint",
    .view = "Location", .keys = {"Customer", "LocationID"}, .nkeys = 2,
    .key_case = SIM_KEY_UPPER, .status = "Status", .display = "Location",
    .extrefs = L("ExtRefNbr"),
    .dropdowns = (const struct sim_dropdown[]){{"Status", L("Active", "Inactive")}, {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"Customer", "Customer", {"Customer"}},
                                     {"PriceClass", "Price Class", {"CustomerPriceClass"}},
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"Customer", "Customer"},
                                              {"LocationID", "Location ID"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Active", "true"}, {"Status", "Active"}, {"Default", "false"},
        {"AddressOverride", "false"}, {"ContactOverride", "false"}, {NULL, NULL}},
};

static const struct sim_entity_def stock_item = {
    .name = "StockItem", .graph = "PX.Objects.IN.InventoryItemMaint", .view = "Item",
    .keys = {"InventoryID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER, .status = "ItemStatus",
    .display = "Stock Item",
    .dropdowns = (const struct sim_dropdown[]){
        {"ItemStatus", item_status},
        {"ItemType", L("Finished Good", "Component Part", "Subassembly")},
        {"ValuationMethod", L("Standard", "Average", "FIFO", "Specific")},
        {NULL, NULL}},
    .required = (const struct sim_required[]){{"InventoryID", "Inventory ID"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"ItemStatus", "Active"}, {"ItemType", "Finished Good"}, {"ItemClass", "STOCKITEM"},
        {"BaseUOM", "EA"}, {"SalesUOM", "EA"}, {"PurchaseUOM", "EA"},
        {"ValuationMethod", "Average"}, {"DefaultPrice", "0"}, {"MSRP", "0"},
        {"IsAKit", "false"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Attributes", "Answers"}, {NULL, NULL}},
};

static const struct sim_entity_def non_stock_item = {
    .name = "NonStockItem", .graph = "PX.Objects.IN.NonStockItemMaint", .view = "Item",
    .keys = {"InventoryID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER, .status = "ItemStatus",
    .display = "Non-Stock Item",
    .dropdowns = (const struct sim_dropdown[]){
        {"ItemStatus", item_status},
        {"ItemType", L("Non-Stock Item", "Labor", "Service", "Charge", "Expense")},
        {NULL, NULL}},
    .required = (const struct sim_required[]){{"InventoryID", "Inventory ID"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"ItemStatus", "Active"}, {"ItemType", "Service"}, {"ItemClass", "SERVICES"},
        {"BaseUnit", "HOUR"}, {"SalesUnit", "HOUR"}, {"PurchaseUnit", "HOUR"},
        {"DefaultPrice", "0"}, {"RequireShipment", "false"}, {"RequireReceipt", "false"},
        {"IsKit", "false"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Attributes", "Answers"}, {NULL, NULL}},
};

static const struct sim_entity_def vendor = {
    .name = "Vendor", .graph = "PX.Objects.AP.VendorMaint", .view = "BAccount",
    .keys = {"VendorID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER,
    .autonum = "VendorID", .numfmt = "V%09u", .num_start = 1, .status = "Status",
    .display = "Vendor",
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("Active", "On Hold", "Hold Payments", "Inactive", "One-Time")},
        {NULL, NULL}},
    .required = (const struct sim_required[]){{"VendorName", "Account Name"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Status", "Active"}, {"VendorClass", "DEFAULT"}, {"CurrencyID", "USD"},
        {"Terms", "30D"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Attributes", "Answers"}, {NULL, NULL}},
};

static const struct sim_entity_def project = {
    .name = "Project", .graph = "PX.Objects.PM.ProjectEntry", .view = "Project",
    .keys = {"ProjectID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER, .status = "Status",
    .display = "Project", .extrefs = L("ExternalRefNbr"),
    .locked = L("Completed", "Canceled"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("In Planning", "Active", "Completed", "Suspended", "Canceled",
                     "On Hold", "Pending Approval")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"Customer", "Customer", {"Customer"}}, {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"ProjectID", "Project ID"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Status", "In Planning"}, {"Hold", "false"}, {"ProjectTemplateID", NULL},
        {NULL, NULL}},
};

static const struct sim_entity_def sales_order = {
    .name = "SalesOrder", .graph = "PX.Objects.SO.SOOrderEntry", .view = "Document",
    .keys = {"OrderType", "OrderNbr"}, .nkeys = 2, .key_case = SIM_KEY_UPPER,
    .autonum = "OrderNbr", .numfmt = "%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Sales Order", .extrefs = L("CustomerOrder", "ExternalRef"),
    .locked = L("Completed", "Cancelled"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("On Hold", "Pending Approval", "Open", "Back Order", "Shipping",
                     "Completed", "Cancelled", "Credit Hold", "Pending Processing",
                     "Awaiting Payment", "Rejected")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){
        {"OrderType", "Order Type", {"#ordertype"}},
        {"CustomerID", "Customer", {"Customer"}}, ITEM_REF, {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"CustomerID", "Customer"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"OrderType", "SO"}, {"Status", "On Hold"}, {"Hold", "true"}, {"Approved", "true"},
        {"CreditHold", "false"}, {"CurrencyID", "USD"}, {"BaseCurrencyID", "USD"},
        {"LocationID", "MAIN"}, {"OrderTotal", "0"}, {"OrderedQty", "0"}, {"TaxTotal", "0"},
        {"ControlTotal", "0"}, {"CurrencyRate", "1"}, {"ReciprocalRate", "1"},
        {"Project", "X"}, {"BillToAddressOverride", "false"}, {"BillToContactOverride", "false"},
        {"ShipToAddressOverride", "false"}, {"ShipToContactOverride", "false"},
        {"IsTaxValid", "false"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "Transactions"}, {"Payments", "Adjustments"},
                                       {NULL, NULL}},
};

static const struct sim_entity_def sales_invoice = {
    .name = "SalesInvoice", .graph = "PX.Objects.SO.SOInvoiceEntry", .view = "Document",
    .keys = {"Type", "ReferenceNbr"}, .nkeys = 2, .key_case = SIM_KEY_UPPER,
    .autonum = "ReferenceNbr", .numfmt = "INV%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Invoice", .extrefs = L("CustomerOrder", "ExternalRef"),
    .locked = L("Open", "Closed", "Voided"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Type", L("Invoice", "Debit Memo", "Credit Memo", "Cash Sale", "Cash Return")},
        {"Status", L("On Hold", "Balanced", "Open", "Closed", "Voided", "Credit Hold",
                     "Pending Print", "Pending Email")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"CustomerID", "Customer", {"Customer"}}, ITEM_REF,
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"CustomerID", "Customer"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Type", "Invoice"}, {"Status", "On Hold"}, {"Hold", "true"}, {"Currency", "USD"},
        {"Amount", "0"}, {"Balance", "0"}, {"TaxTotal", "0"}, {"DetailTotal", "0"},
        {"DiscountTotal", "0"}, {"PaymentTotal", "0"}, {"FreightPrice", "0"},
        {"CashDiscount", "0"}, {"CreditHold", "false"}, {"Project", "X"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "Transactions"},
                                       {"ApplicationsInvoice", "Adjustments"},
                                       {"ApplicationsCreditMemo", "Adjustments"}, {NULL, NULL}},
};

static const struct sim_entity_def invoice = {
    .name = "Invoice", .graph = "PX.Objects.AR.ARInvoiceEntry", .view = "Document",
    .keys = {"Type", "ReferenceNbr"}, .nkeys = 2, .key_case = SIM_KEY_UPPER,
    .autonum = "ReferenceNbr", .numfmt = "AR%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Invoice", .extrefs = L("CustomerOrder"),
    .locked = L("Open", "Closed", "Voided"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Type", L("Invoice", "Debit Memo", "Credit Memo", "Overdue Charge")},
        {"Status", L("On Hold", "Balanced", "Open", "Closed", "Voided", "Credit Hold",
                     "Pending Print", "Pending Email")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"Customer", "Customer", {"Customer"}}, ITEM_REF,
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"Customer", "Customer"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Type", "Invoice"}, {"Status", "On Hold"}, {"Hold", "true"}, {"Amount", "0"},
        {"Balance", "0"}, {"TaxTotal", "0"}, {"Project", "X"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "Transactions"}, {NULL, NULL}},
};

static const struct sim_entity_def payment = {
    .name = "Payment", .graph = "PX.Objects.AR.ARPaymentEntry", .view = "Document",
    .keys = {"Type", "ReferenceNbr"}, .nkeys = 2, .key_case = SIM_KEY_UPPER,
    .autonum = "ReferenceNbr", .numfmt = "%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Payment", .extrefs = L("ExternalRef", "PaymentRef"),
    .locked = L("Closed", "Voided"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Type", L("Payment", "Prepayment", "Credit Memo", "Refund", "Voided Payment")},
        {"Status", L("On Hold", "Balanced", "Open", "Closed", "Voided", "Reserved",
                     "Pending Processing")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"CustomerID", "Customer", {"Customer"}},
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"CustomerID", "Customer"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Type", "Payment"}, {"Status", "On Hold"}, {"Hold", "true"}, {"CurrencyID", "USD"},
        {"PaymentMethod", "CHECK"}, {"CashAccount", "10200"}, {"AppliedToDocuments", "0"},
        {"AppliedToOrders", "0"}, {"AvailableBalance", "0"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"DocumentsToApply", "Adjustments"},
                                       {"OrdersToApply", "SOAdjustments"}, {NULL, NULL}},
    .list_fail = L("ApplicationHistory"),
};

static const struct sim_entity_def purchase_order = {
    .name = "PurchaseOrder", .graph = "PX.Objects.PO.POOrderEntry", .view = "Document",
    .keys = {"Type", "OrderNbr"}, .nkeys = 2, .key_case = SIM_KEY_UPPER,
    .autonum = "OrderNbr", .numfmt = "PO%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Purchase Order", .extrefs = L("VendorRef"),
    .locked = L("Closed", "Cancelled", "Completed"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Type", L("Normal", "Drop-Ship", "Blanket", "Standard", "Project Drop-Ship")},
        {"Status", L("On Hold", "Pending Approval", "Open", "Pending Printing",
                     "Pending Email", "Closed", "Cancelled", "Completed", "Rejected")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"VendorID", "Vendor", {"Vendor"}}, ITEM_REF,
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"VendorID", "Vendor"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Type", "Normal"}, {"Status", "On Hold"}, {"Hold", "true"}, {"CurrencyID", "USD"},
        {"Location", "MAIN"}, {"OrderTotal", "0"}, {"LineTotal", "0"}, {"TaxTotal", "0"},
        {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "Transactions"}, {NULL, NULL}},
};

static const struct sim_entity_def shipment = {
    .name = "Shipment", .graph = "PX.Objects.SO.SOShipmentEntry", .view = "Document",
    .keys = {"ShipmentNbr"}, .nkeys = 1, .key_case = SIM_KEY_UPPER,
    .autonum = "ShipmentNbr", .numfmt = "%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Shipment", .locked = L("Confirmed", "Completed", "Invoiced"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Type", L("Shipment", "Receipt", "Transfer")},
        {"Status", L("On Hold", "Open", "Confirmed", "Completed", "Invoiced", "Receipted")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"CustomerID", "Customer", {"Customer"}},
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"CustomerID", "Customer"},
                                              {"WarehouseID", "Warehouse ID"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"Type", "Shipment"}, {"Status", "Open"}, {"Hold", "false"}, {"ShippedQty", "0"},
        {"ShippedWeight", "0"}, {"PackageCount", "0"}, {"FreightPrice", "0"},
        {"LocationID", "MAIN"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "Transactions"}, {"Packages", "Packages"},
                                       {NULL, NULL}},
};

static const struct sim_entity_def service_order = {
    .name = "ServiceOrder", .graph = "PX.Objects.FS.ServiceOrderEntry",
    .view = "ServiceOrderRecords", .keys = {"ServiceOrderType", "ServiceOrderNbr"}, .nkeys = 2,
    .key_case = SIM_KEY_UPPER, .autonum = "ServiceOrderNbr", .numfmt = "%06u", .num_start = 1,
    .status = "Status", .status_derived = 1, .display = "Service Order",
    .extrefs = L("ExternalReference", "CustomerOrder"),
    .locked = L("Completed", "Closed", "Canceled"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("Open", "On Hold", "Awaiting", "Completed", "Closed", "Canceled")},
        {"Priority", L("Low", "Medium", "High")},
        {"Severity", L("Low", "Medium", "High")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"Customer", "Customer", {"Customer"}}, ITEM_REF,
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"Customer", "Customer"}, {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"ServiceOrderType", "MRO"}, {"Status", "Open"}, {"Hold", "false"},
        {"Priority", "Medium"}, {"Severity", "Medium"}, {"Currency", "USD"},
        {"ServiceOrderTotal", "0"}, {"BillableTotal", "0"}, {"TaxTotal", "0"},
        {"BranchLocation", "MAIN"}, {"Location", "MAIN"}, {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "ServiceOrderDetails"}, {NULL, NULL}},
};

static const struct sim_entity_def appointment = {
    .name = "Appointment", .graph = "PX.Objects.FS.AppointmentEntry",
    .view = "AppointmentRecords", .keys = {"ServiceOrderType", "AppointmentNbr"}, .nkeys = 2,
    .key_case = SIM_KEY_UPPER, .autonum = "AppointmentNbr", .status = "Status", .status_derived = 1,
    .display = "Appointment", .locked = L("Completed", "Closed", "Canceled"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("Not Started", "In Process", "Paused", "Completed", "Closed", "Canceled",
                     "On Hold")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"Customer", "Customer", {"Customer"}}, ITEM_REF,
                                     {NULL, NULL, {NULL}}},
    .required = (const struct sim_required[]){{"ServiceOrderNbr", "Service Order Nbr."},
                                              {NULL, NULL}},
    .defaults = (const struct sim_default[]){
        {"ServiceOrderType", "MRO"}, {"Status", "Not Started"}, {"Hold", "false"},
        {"Confirmed", "false"}, {"Finished", "false"}, {"AppointmentTotal", "0"},
        {NULL, NULL}},
    .views = (const struct sim_view[]){{"Details", "AppointmentDetails"}, {NULL, NULL}},
};

static const struct sim_entity_def customer_price_class = {
    .name = "CustomerPriceClass", .graph = "PX.Objects.AR.ARPriceClassMaint",
    .view = "Records", .keys = {"PriceClassID"}, .nkeys = 1, .key_case = SIM_KEY_UPPER,
    .display = "Customer Price Class",
    .required = (const struct sim_required[]){{"PriceClassID", "Price Class ID"}, {NULL, NULL}},
};

static const struct sim_entity_def sales_price_worksheet = {
    .name = "SalesPriceWorksheet", .graph = "PX.Objects.AR.ARPriceWorksheetMaint",
    .view = "Document", .keys = {"ReferenceNbr"}, .nkeys = 1, .key_case = SIM_KEY_UPPER,
    .autonum = "ReferenceNbr", .numfmt = "%06u", .num_start = 1, .status = "Status", .status_derived = 1,
    .display = "Sales Price Worksheet", .locked = L("Released"),
    .dropdowns = (const struct sim_dropdown[]){
        {"Status", L("On Hold", "Open", "Released")},
        {"SalesPrices/PriceType", L("Base", "Customer", "Customer Price Class")},
        {NULL, NULL}},
    .refs = (const struct sim_ref[]){{"SalesPrices/InventoryID", "Inventory ID",
                                      {"StockItem", "NonStockItem"}},
                                     {NULL, NULL, {NULL}}},
    .defaults = (const struct sim_default[]){
        {"Status", "On Hold"}, {"Hold", "true"}, {"OverwriteOverlappingPrices", "true"},
        {NULL, NULL}},
    .views = (const struct sim_view[]){{"SalesPrices", "Details"}, {NULL, NULL}},
};

static const struct sim_entity_def sales_prices_inquiry = {
    .name = "SalesPricesInquiry", .graph = "PX.Objects.AR.ARSalesPriceMaint", .view = "Filter",
    .inquiry = 1, .display = "Sales Prices",
    .dropdowns = (const struct sim_dropdown[]){
        {"PriceType", L("All Prices", "Base", "Customer", "Customer Price Class")},
        {NULL, NULL}},
};

const struct sim_entity_def *const sim_entity_defs[] = {
    &customer, &contact, &customer_location, &stock_item, &non_stock_item, &vendor,
    &project, &sales_order, &sales_invoice, &invoice, &payment, &purchase_order,
    &shipment, &service_order, &appointment, &customer_price_class,
    &sales_price_worksheet, &sales_prices_inquiry, NULL,
};

const char *const *sim_entity_names(void)
{
    static const char *names[sizeof(sim_entity_defs) / sizeof(sim_entity_defs[0])];
    for (size_t i = 0; sim_entity_defs[i]; i++)
        names[i] = sim_entity_defs[i]->name;
    return names;
}

const struct sim_entity_def *sim_entity_def_find(const char *name)
{
    for (size_t i = 0; sim_entity_defs[i]; i++)
        if (strcasecmp(sim_entity_defs[i]->name, name) == 0)
            return sim_entity_defs[i];
    return NULL;
}

static const char *const modified_names[] = {"LastModifiedDateTime", "LastModified",
                                             "LastModifiedDate", NULL};
static const char *const created_names[] = {"CreatedDateTime", "CreatedDate", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

struct sim_entity *sim_entity_bind(const struct sim_entity_def *def,
                                   const struct sim_schema *schema, struct es_err *err)
{
    const struct sim_type *t = sim_schema_type(schema, def->name);
    if (!t) {
        es_err_set(err, ES_ENOTFOUND, "endpoint %s has no entity %s", sim_schema_version(schema),
                   def->name);
        return NULL;
    }
    struct sim_entity *e = es_xcalloc(1, sizeof(*e));
    e->def = def;
    e->type = t;
    for (int k = 0; k < def->nkeys; k++) {
        e->keys[k] = sim_type_prop(t, sim_name_find(def->keys[k], strlen(def->keys[k])));
        if (!e->keys[k] || e->keys[k]->kind != SK_VALUE) {
            es_err_set(err, ES_EINVAL, "%s: key field %s missing", def->name, def->keys[k]);
            sim_entity_free(e);
            return NULL;
        }
    }
    e->role = es_xcalloc(t->nprops ? t->nprops : 1, 1);
    for (size_t i = 0; i < t->nprops; i++) {
        const struct sim_prop *p = &t->props[i];
        if (p->kind != SK_VALUE)
            continue;
        if (p->wt == WT_DATETIME && in_list(modified_names, p->name)) {
            e->role[i] = ROLE_MODIFIED;
            e->has_modified = 1;
        } else if (p->wt == WT_DATETIME && in_list(created_names, p->name)) {
            e->role[i] = ROLE_CREATED;
        } else if (p->wt == WT_GUID && strcmp(p->name, "NoteID") == 0) {
            e->role[i] = ROLE_NOTEID;
        }
    }
    return e;
}

void sim_entity_free(struct sim_entity *e)
{
    if (!e)
        return;
    free(e->role);
    free(e);
}

const struct sim_dropdown *sim_entity_dropdown(const struct sim_entity_def *def,
                                               const char *path)
{
    for (const struct sim_dropdown *d = def->dropdowns; d && d->path; d++)
        if (strcmp(d->path, path) == 0)
            return d;
    return NULL;
}

const char *sim_dropdown_match(const struct sim_dropdown *dd, const char *label, size_t n)
{
    for (size_t i = 0; dd->labels[i]; i++)
        if (strlen(dd->labels[i]) == n && strncasecmp(dd->labels[i], label, n) == 0)
            return dd->labels[i];
    return NULL;
}

const char *sim_entity_view(const struct sim_entity_def *def, const char *detail)
{
    for (const struct sim_view *v = def->views; v && v->detail; v++)
        if (strcmp(v->detail, detail) == 0)
            return v->view;
    return NULL;
}

int sim_entity_is_locked(const struct sim_entity_def *def, const char *status, size_t n)
{
    for (size_t i = 0; def->locked && def->locked[i]; i++)
        if (strlen(def->locked[i]) == n && strncasecmp(def->locked[i], status, n) == 0)
            return 1;
    return 0;
}

/* As seen in answers of live sites (reference/acumatica/recorded). */
static const char *const main_contact[] = {
    "Address", "Attention", "CompanyName", "ContactID", "DisplayName", "Email", "Fax",
    "FirstName", "FullName", "JobTitle", "LastName", "MiddleName", "Phone1", "Phone1Type",
    "Phone2", "Phone2Type", "Title", "WebSite", NULL};
static const char *const other_contact[] = {
    "Address", "Attention", "ContactID", "DisplayName", "Email", "Fax", "FirstName", "JobTitle",
    "LastName", "MiddleName", "Phone1", "Phone1Type", "Phone2", "Phone2Type", "Title",
    "WebSite", NULL};

const char *const *sim_linked_fields(const char *prop, const char *type)
{
    if (strcmp(type, "Contact"))
        return NULL;
    return strcmp(prop, "MainContact") ? other_contact : main_contact;
}
