/* Request routing: auth endpoints, the REST API, OData, the control API;
 * licence limits, fault injection and request statistics around them. */
#ifndef SIM_ROUTER_H
#define SIM_ROUTER_H

#include "http.h"

struct sim;

void sim_route(struct sim *s, struct sim_req *rq, struct sim_resp *rs);

#endif
