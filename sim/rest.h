/* The contract-based REST API under /entity/Default/<version>/: lists with
 * $filter/$select/$expand/$top/$skip, records by key or id, PUT upserts,
 * DELETE, actions and their status URLs, inquiries read with PUT, and
 * swagger.json. */
#ifndef SIM_REST_H
#define SIM_REST_H

#include "http.h"

struct sim;
struct sim_endpoint;

/* seg: the path segments after /entity/Default/<version>/ (at least one). */
void sim_rest(struct sim *s, const struct sim_endpoint *ep, struct sim_req *rq,
              struct sim_resp *rs, char **seg, int nseg);
/* GET /entity: the build and the endpoints. */
void sim_rest_discovery(struct sim *s, struct sim_req *rq, struct sim_resp *rs);
/* GET .../swagger.json: the official OpenAPI file. */
void sim_rest_swagger(struct sim *s, const struct sim_endpoint *ep, struct sim_resp *rs);

/* Shared by the control API: render one record found by id as the REST API
 * shows it, with select/expand. Returns 200 or 500. */
int sim_rest_render_by_id(struct sim *s, const struct sim_endpoint *ep, const char *entity,
                          const char *id, const char *select, const char *expand,
                          struct es_arena *a, struct es_buf *out);

#endif
