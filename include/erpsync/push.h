/* Pushing the application's records to Acumatica, exactly once.
 *
 * A row marked `pending` is sent with a PUT. Before it is sent its state
 * becomes `unknown` (committed), with its external reference set
 * (documents: CustomerOrder, ExternalRef, VendorRef, ExternalReference,
 * ExtRefNbr; master data: its natural key, sent with If-None-Match: * to
 * create and If-Match: * to update). An answer makes it `synced` (the ERP's
 * key, id, values and times written back) or `failed` (Acumatica's own
 * messages, with the field paths). No answer — a timeout, a reset, a 5xx
 * after sending, a crash — leaves it `unknown`: before anything is sent
 * again, the reference is looked up in Acumatica and the record adopted
 * if it is there. Rows wait (a note says for what) while a record they
 * depend on is not in Acumatica yet. See docs/push.md. */
#ifndef ERPSYNC_PUSH_H
#define ERPSYNC_PUSH_H

#include "erpsync/acu.h"
#include "erpsync/pull.h"
#include "erpsync/store.h"

struct es_push {
    const struct es_config *cfg;
    struct es_acu *acu;
    struct es_store *store;
    int64_t run_id;
    char now_utc[40];
    es_progress_fn progress;
    void *progress_ctx;
    unsigned pulled; /* bit per set pulled in this run: its conflicts are decided */
};

/* The note of a refusal (HTTP status and body of Acumatica's answer): the
 * summary and every field's error with its path ("Details[0].InventoryID:
 * ..."), else the exception message, else fallback. Cut to cap. */
void es_push_refusal_note(long status, const char *body, size_t n, const char *fallback,
                          char *note, size_t cap);

/* Does erpsync push this set? */
int es_push_supported(enum es_set_id set);

/* Push the set's pending rows. Record outcomes are added to c (pushed,
 * push_failed, waiting, requests); an error is returned only when the set could not
 * go on (the ERP unreachable or refusing the session, the store failing,
 * a stop requested: ES_ECONFLICT). */
int es_push_set(struct es_push *p, enum es_set_id set, struct es_counts *c, struct es_err *err);

#endif
