/* The control API for tests, served under /_sim/ only with --control:
 * change, insert and delete records as an Acumatica user would; mutate
 * continuously; inject faults; shift the ERP clock; change licence limits;
 * read counters, sessions and records; count documents by external
 * reference; subscribe push notifications. See docs/acusim.md. */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include "http.h"

struct sim;

void sim_control(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int nseg);

#endif
