/* Request counters by method, entity and status, for the control API. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "erpsync/buf.h"

struct sim_stats;

struct sim_stats *sim_stats_new(void);
void sim_stats_free(struct sim_stats *st);
void sim_stats_count(struct sim_stats *st, const char *method, const char *entity, int status);
/* Named event counters: "delayed", "declined", "faults", "push_sent"... */
void sim_stats_event(struct sim_stats *st, const char *name, long n);
void sim_stats_reset(struct sim_stats *st);
/* {"requests":[{"method":..,"entity":..,"status":..,"count":..}],"events":{..},
 *  "total":N} */
void sim_stats_json(struct sim_stats *st, struct es_buf *out);

#endif
