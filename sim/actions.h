/* Contract actions (API-NOTES §1.6): POST /<Entity>/<Action> with
 * {"entity": {keys or id}, "parameters": {...}}. With a non-zero action time
 * the answer is 202 and a Location to poll (202 while running, 204 when done,
 * 500 with the reason when it failed); with zero the action runs at once and
 * the answer is 204. The state changes are those of the screens: releasing
 * payments and invoices, creating and confirming shipments, cancelling and
 * reopening orders, releasing price worksheets, service workflow steps. */
#ifndef SIM_ACTIONS_H
#define SIM_ACTIONS_H

#include <cjson/cJSON.h>

#include "doc.h"
#include "http.h"

struct sim;
struct sim_endpoint;
struct sim_entity;
struct sim_actions;

struct sim_actions *sim_actions_new(struct sim *s);
void sim_actions_free(struct sim_actions *a);

void sim_actions_invoke(struct sim *s, const struct sim_endpoint *ep,
                        const struct sim_entity *ent, const char *action, const cJSON *body,
                        struct sim_req *rq, struct sim_resp *rs);
void sim_actions_status(struct sim *s, const struct sim_endpoint *ep,
                        const struct sim_entity *ent, const char *action, const char *guid,
                        struct sim_req *rq, struct sim_resp *rs);

/* SalesPricesInquiry: the effective prices matching the filter fields, as a
 * document with SalesPriceDetails rows. 0 or <0. */
int sim_actions_inquiry(struct sim *s, struct es_arena *a, const struct sim_entity *ent,
                        const struct sim_doc *filter, struct sim_doc **out);

#endif
