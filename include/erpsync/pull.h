/* Pulling one record set from Acumatica into the store.
 *
 * A run reads a window of last-modified time [lo, hi): hi is the ERP's
 * clock now (less a margin), lo the previous window's hi less the overlap
 * (late commits), or nothing for a full pull. Inside the window pages are
 * read in key order with keyset paging (`Key gt 'last'`), so records that
 * change, appear or vanish while pages are read cannot shift the pages;
 * what changes during the run falls into the next window. Each page is
 * committed with the window's position, so a killed run resumes after its
 * last committed page. Deletions are found by listing keys (full pulls and
 * on the reconcile schedule). See docs/pull.md. */
#ifndef ERPSYNC_PULL_H
#define ERPSYNC_PULL_H

#include <stdint.h>

#include "erpsync/acu.h"
#include "erpsync/config.h"
#include "erpsync/store.h"

/* Progress of long work: phase is "pull" or "reconcile"; estimate is the
 * expected total (0 when unknown). */
typedef void (*es_progress_fn)(void *ctx, const char *set, const char *phase, long done,
                               long estimate);

struct es_pull {
    const struct es_config *cfg;
    struct es_acu *acu;
    struct es_store *store;
    int64_t run_id;
    char now_utc[40]; /* the run's start, for synced_at */
    int full;         /* pull everything this run (--full, full_sync_next_run) */
    es_progress_fn progress;
    void *progress_ctx;
};

/* Pull one set. Record-level problems are counted (c->failed) and kept in
 * es_failures; an error is returned only when the set could not go on
 * (the ERP unreachable or refusing, the store failing, a stop requested:
 * ES_ECONFLICT). Counts are filled in either case. */
int es_pull_set(struct es_pull *p, enum es_set_id set, struct es_counts *c, struct es_err *err);

#endif
