/* OData for generic inquiries (API-NOTES §6): the legacy v3 interface at
 * /odata/<tenant>/<inquiry> and the 2024 R2 v4 interface at
 * /t/<tenant>/api/odata/gi/<inquiry>, with $filter, $select, $top, $skip,
 * $orderby, service documents and $metadata; HTTP Basic, bearer tokens or
 * a cookie session; plain (unwrapped) values. */
#ifndef SIM_ODATA_H
#define SIM_ODATA_H

#include "http.h"

struct sim;

void sim_odata(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int nseg);

#endif
