/* The licence's API limits (API-NOTES §4): at most N requests processed at
 * once, the rest wait in a queue; more than `queue_max` waiting, or waiting
 * longer than the timeout, is declined (HTTP 429). Once the requests of the
 * current minute reach half the per-minute limit, each new one is delayed
 * by (seconds left in the minute) / (limit - requests in the minute). */
#ifndef SIM_LIMITS_H
#define SIM_LIMITS_H

#include <stdint.h>

#include "erpsync/buf.h"

struct sim_limits;

/* The largest values of the limits, for the options and the control API. */
#define SIM_LIMITS_CONCURRENT_MAX 100000
#define SIM_LIMITS_PER_MINUTE_MAX 100000000
#define SIM_LIMITS_SESSIONS_MAX 100000

struct sim_limits *sim_limits_new(int max_concurrent, int per_minute, int queue_max,
                                  long queue_timeout_ms);
void sim_limits_free(struct sim_limits *l);
/* Wait for a processing slot. 0: admitted (call sim_limits_leave when done);
 * -1: declined. *delayed_ms gets the per-minute delay applied. */
int sim_limits_enter(struct sim_limits *l, long *delayed_ms);
void sim_limits_leave(struct sim_limits *l);
/* Change the limits while running (control API). */
/* Counters from now on: admitted, declined, delayed zeroed; the peaks
 * start from what runs and waits now. */
void sim_limits_reset_counts(struct sim_limits *l);
void sim_limits_set(struct sim_limits *l, int max_concurrent, int per_minute);
/* Pure function behind the delay, for tests: ms to wait given the window. */
long sim_limits_delay_ms(int per_minute, int processed, int64_t window_start_ms, int64_t now_ms);
void sim_limits_json(struct sim_limits *l, struct es_buf *out);

#endif
