/* The record sets erpsync keeps in sync (DESIGN.md): their names (the INI
 * section and the store table), the Acumatica entity behind each, and the
 * directions each may take. The table is static; everything is borrowed. */
#ifndef ERPSYNC_SETS_H
#define ERPSYNC_SETS_H

enum es_set_id {
    ES_SET_CUSTOMERS,
    ES_SET_CUSTOMER_LOCATIONS,
    ES_SET_CONTACTS,
    ES_SET_STOCK_ITEMS,
    ES_SET_SERVICES,
    ES_SET_VENDORS,
    ES_SET_PRICE_CLASSES,
    ES_SET_PRICES,
    ES_SET_PROJECTS,
    ES_SET_SALES_ORDERS,
    ES_SET_QUOTES,
    ES_SET_INVOICES,
    ES_SET_PAYMENTS,
    ES_SET_SHIPMENTS,
    ES_SET_SERVICE_ORDERS,
    ES_SET_APPOINTMENTS,
    ES_SET_PURCHASE_ORDERS,
    ES_NSETS
};

/* Directions, as bits: what a set may do, and what the config asks. */
enum { ES_DIR_PULL = 1, ES_DIR_PUSH = 2, ES_DIR_BOTH = 3 };

struct es_set_info {
    const char *name;   /* "customers": INI section and table name */
    const char *entity; /* "Customer": the Default endpoint entity */
    int allowed;        /* ES_DIR_* bits this set supports */
    int fallback;       /* the direction when the config does not say */
    int transaction;    /* a document: the history window applies */
};

const struct es_set_info *es_set_info(enum es_set_id id);
/* The set of that name (case-sensitive), or -1. */
int es_set_find(const char *name);
/* "pull", "push", "both". */
const char *es_dir_name(int dir);

#endif
