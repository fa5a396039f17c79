/* Generic inquiries: the predefined result sets served over OData and used
 * by push notifications. A row is a list of plain values taken from a record
 * (or, for line inquiries, from a record and one of its detail rows). */
#ifndef SIM_GI_H
#define SIM_GI_H

#include <stdint.h>

#include "doc.h"
#include "schema.h"

struct sim_gi_col {
    const char *name; /* result column, as OData and push payloads name it */
    const char *path; /* "CustomerID", "MainContact/Email", "@LineNbr" (detail
                         row field), "#modified", "#created" */
    int wt;           /* enum sim_wt of the column */
};

struct sim_gi {
    const char *name;   /* "Customers" */
    const char *entity; /* top-level entity read */
    const char *detail; /* detail collection giving one row per line, or NULL */
    const struct sim_gi_col *cols;
    int ncols;
};

extern const struct sim_gi sim_gis[];
extern const int sim_ngis;

const struct sim_gi *sim_gi_find(const char *name);

/* The values of one row: out[i] for column i (SV_NULL when empty). Strings
 * point into rec/line. line is the detail row for line inquiries. */
void sim_gi_row(const struct sim_gi *gi, const struct sim_doc *rec, const struct sim_doc *line,
                int64_t created, int64_t modified, struct sim_val *out);

/* Column index by name (case-insensitive), or -1. */
int sim_gi_col(const struct sim_gi *gi, const char *name, size_t len);

#endif
