/* Generated data: a realistic, deterministic (by seed) company — customers
 * with sub-customers, contacts and locations; stock items with warehouse
 * quantities; services; vendors; price classes and prices; projects; sales
 * orders and quotes over several years with shipments, invoices and payments
 * applied to them; purchase orders; service orders with appointments. Many
 * records share one modification time, as a mass update leaves them. */
#ifndef SIM_GEN_H
#define SIM_GEN_H

#include "erpsync/err.h"

struct sim;

/* Indexes into sim_config.counts; -1 there means "from the dataset". */
enum sim_gen_count {
    GEN_CUSTOMERS,
    GEN_STOCK_ITEMS,
    GEN_SERVICES,
    GEN_VENDORS,
    GEN_PROJECTS,
    GEN_ORDERS,
    GEN_LINES,        /* average lines per order */
    GEN_QUOTES,
    GEN_PURCHASE_ORDERS,
    GEN_SERVICE_ORDERS,
    GEN_YEARS,        /* history spread */
    GEN_NCOUNTS
};

/* The name of a count as a command-line option ("customers"). */
const char *sim_gen_count_name(int i);

/* Generate the dataset when the store holds none yet (and the dataset is
 * not "none"). Prints a one-line summary to stderr unless quiet. */
int sim_gen_ensure(struct sim *s, struct es_err *err);

#endif
