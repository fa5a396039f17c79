/* Push notifications: after every committed change, the rows of each
 * subscribed inquiry that the change removed (Deleted) and produced
 * (Inserted) are POSTed as JSON to the subscription's destination, with its
 * optional header, retried up to five times on a non-2xx answer. */
#ifndef SIM_PUSH_H
#define SIM_PUSH_H

#include <stdint.h>

#include "doc.h"
#include "entity.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"

struct sim;
struct sim_push;

struct sim_push *sim_push_new(struct sim *s);
void sim_push_free(struct sim_push *p);
/* Subscribe from JSON: {"query":"Customers","url":"http://...",
 *  "header_name":"X-Key","header_value":"secret","retry_ms":1000}. Every
 * field is checked (a known GI, an http(s) URL, a header name token, values
 * without control characters, retry_ms from 0 to 3600000, no unknown
 * members): ES_EINVAL with a message naming the field, nothing subscribed. */
int sim_push_subscribe(struct sim_push *p, const char *json, struct es_err *err);
void sim_push_clear(struct sim_push *p);
/* Status: subscriptions, sent, failed, pending. */
void sim_push_json(struct sim_push *p, struct es_buf *out);
/* A record of entity def changed: before NULL = inserted, after NULL =
 * deleted. The change is held per thread until sim_push_end says whether its
 * transaction committed; only committed changes are sent. Never blocks on
 * the network. */
void sim_push_changed(struct sim *s, const struct sim_entity_def *def, const struct sim_doc *before,
                      int64_t before_modified, const struct sim_doc *after, const char *id,
                      int64_t stamp);

void sim_push_end(struct sim *s, int committed);

#endif
