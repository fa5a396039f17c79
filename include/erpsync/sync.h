/* One sync run: opens the store and takes its run lock (one run at a time;
 * runs that a kill left `running` are marked interrupted), opens a
 * session, pulls every enabled set (master data first), pushes, records
 * the run and its per-set counts, signs out whatever happens, and says
 * how it went. */
#ifndef ERPSYNC_SYNC_H
#define ERPSYNC_SYNC_H

#include <stdint.h>
#include <stdio.h>

#include "erpsync/config.h"
#include "erpsync/pull.h"
#include "erpsync/store.h"

/* The exit statuses of `erpsync sync`, each explained in `erpsync --help`,
 * `erpsync sync --help` and the README. When several apply: a stop, then
 * 3, then 1, then 5. */
enum {
    ES_EXIT_OK = 0,         /* everything synced */
    ES_EXIT_FAILED = 1,     /* some records or sets failed (see the summary) */
    ES_EXIT_USAGE = 2,      /* bad command line or configuration */
    ES_EXIT_REMOTE = 3,     /* Acumatica could not be reached or refused the credentials */
    ES_EXIT_LOCKED = 4,     /* another run holds the store (the message names it) */
    ES_EXIT_UNANSWERED = 5, /* records sent without an answer (unknown): looked up next run */
    ES_EXIT_STOPPED = 130,  /* stopped by Ctrl-C or SIGTERM: the run is interrupted */
};

struct es_sync_opts {
    int full;             /* pull everything (--full) */
    unsigned only;        /* bit per set (--only); 0: every enabled set */
    int pull_only;        /* --pull: no push */
    int push_only;        /* --push: no pull */
    int wait;             /* --wait: wait for another run holding the store */
    es_progress_fn progress;
    void *progress_ctx;
    /* A line for the user while the run waits (for the store's lock, for
     * a free API session); may be NULL. */
    es_acu_notice_fn notice;
    void *notice_ctx;
};

struct es_sync_result {
    int64_t run_id;
    const char *status; /* "ok", "failed", "error", "interrupted", "unanswered",
                         * "locked" (no run began) */
    int exit_code;
    char message[ES_ERR_MSG + 128]; /* why, when not ok; then the config's warnings */
    int ran[ES_NSETS];
    struct es_counts sets[ES_NSETS];
    char errors[ES_NSETS][ES_ERR_MSG];
    long requests;      /* every request of the run, sign-in and sign-out included */
    long duration_ms;
    int full;
    const char *mode;   /* "initial", "incremental" or "full" */
    /* Records the pull could not read in this run (es_failures): the first
     * few as "set: key: reason", and how many in all. */
    char failures[8][600];
    int nfailures;
    long failures_total;
    long killed_runs;   /* earlier runs found `running`, marked interrupted */
    long unanswered;    /* rows of the pushed sets left unknown at the end */
    long session_wait_ms; /* waited for a free API session (the licence's slots) */
};

/* Run once. Returns the exit code (also in res). */
int es_sync_run(const struct es_config *cfg, const struct es_sync_opts *o,
                struct es_sync_result *res);

/* The summary a user reads at the end of a run. */
void es_sync_print(FILE *out, const struct es_sync_result *res);

#endif
