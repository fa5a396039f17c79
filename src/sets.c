/* The record sets and their entities. */
#include <string.h>

#include "erpsync/sets.h"

static const struct es_set_info sets[ES_NSETS] = {
    [ES_SET_CUSTOMERS] = {"customers", "Customer", ES_DIR_BOTH, ES_DIR_BOTH, 0},
    [ES_SET_CUSTOMER_LOCATIONS] = {"customer_locations", "CustomerLocation", ES_DIR_BOTH,
                                   ES_DIR_BOTH, 0},
    [ES_SET_CONTACTS] = {"contacts", "Contact", ES_DIR_BOTH, ES_DIR_BOTH, 0},
    [ES_SET_STOCK_ITEMS] = {"stock_items", "StockItem", ES_DIR_BOTH, ES_DIR_BOTH, 0},
    [ES_SET_SERVICES] = {"services", "NonStockItem", ES_DIR_BOTH, ES_DIR_BOTH, 0},
    [ES_SET_VENDORS] = {"vendors", "Vendor", ES_DIR_BOTH, ES_DIR_BOTH, 0},
    [ES_SET_PRICE_CLASSES] = {"price_classes", "CustomerPriceClass", ES_DIR_PULL, ES_DIR_PULL, 0},
    [ES_SET_PRICES] = {"prices", "SalesPricesInquiry", ES_DIR_PULL, ES_DIR_PULL, 0},
    [ES_SET_PROJECTS] = {"projects", "Project", ES_DIR_PULL, ES_DIR_PULL, 0},
    [ES_SET_SALES_ORDERS] = {"sales_orders", "SalesOrder", ES_DIR_BOTH, ES_DIR_BOTH, 1},
    [ES_SET_QUOTES] = {"quotes", "SalesOrder", ES_DIR_BOTH, ES_DIR_BOTH, 1},
    [ES_SET_INVOICES] = {"invoices", "SalesInvoice", ES_DIR_BOTH, ES_DIR_BOTH, 1},
    [ES_SET_PAYMENTS] = {"payments", "Payment", ES_DIR_BOTH, ES_DIR_BOTH, 1},
    [ES_SET_SHIPMENTS] = {"shipments", "Shipment", ES_DIR_PULL, ES_DIR_PULL, 1},
    [ES_SET_SERVICE_ORDERS] = {"service_orders", "ServiceOrder", ES_DIR_BOTH, ES_DIR_BOTH, 1},
    [ES_SET_APPOINTMENTS] = {"appointments", "Appointment", ES_DIR_PULL, ES_DIR_PULL, 1},
    [ES_SET_PURCHASE_ORDERS] = {"purchase_orders", "PurchaseOrder", ES_DIR_PUSH, ES_DIR_PUSH, 1},
};

const struct es_set_info *es_set_info(enum es_set_id id)
{
    return id >= 0 && id < ES_NSETS ? &sets[id] : NULL;
}

int es_set_find(const char *name)
{
    for (int i = 0; i < ES_NSETS; i++)
        if (!strcmp(sets[i].name, name))
            return i;
    return -1;
}

const char *es_dir_name(int dir)
{
    switch (dir) {
    case ES_DIR_PULL: return "pull";
    case ES_DIR_PUSH: return "push";
    case ES_DIR_BOTH: return "both";
    default: return "none";
    }
}
