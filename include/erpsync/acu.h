/* The Acumatica client: signs in (cookie session or OAuth 2.0 password
 * grant with offline_access, refreshed before expiry), keeps one session
 * and signs out on close; paces requests within the licence's requests per
 * minute; retries what may be retried (429, transport failures, 502-504,
 * 500s that are not Acumatica business errors) with exponential backoff,
 * jitter and Retry-After; signs in again once on a 401. Tracks the ERP's
 * clock from the Date headers it sends. A client is used by one thread;
 * its forks (one per further thread) share its session, pacing, clock and
 * counts. */
#ifndef ERPSYNC_ACU_H
#define ERPSYNC_ACU_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "erpsync/config.h"
#include "erpsync/err.h"
#include "erpsync/http.h"

struct es_acu;

struct es_acu_stats {
    long requests;  /* HTTP requests sent, sign-in and sign-out included */
    long retries;   /* of those, repeats after a retryable failure */
    long signins;   /* sessions opened (a token refresh is not one) */
    long refreshes; /* OAuth token refreshes */
    long declined;  /* 429 answers */
    long session_waits;   /* sign-ins retried because every API-user slot was taken */
    long session_wait_ms; /* time spent waiting for one */
};

/* A line for the user about a wait (for a free API session). Called on
 * the thread that waits. */
typedef void (*es_acu_notice_fn)(void *ctx, const char *msg);
/* Say waits through fn (NULL: nothing said). For the client and its forks. */
void es_acu_on_notice(struct es_acu *a, es_acu_notice_fn fn, void *ctx);

enum {
    ES_ACU_IDEMPOTENT = 1, /* safe to send again after any failure (GET, action status) */
    ES_ACU_FRESH = 2,      /* a new connection: never re-sent by libcurl */
};

/* Set up from the config (nothing is sent yet). The config must outlive
 * the client. */
int es_acu_new(struct es_acu **out, const struct es_config *cfg, struct es_err *err);
/* Another client on the same session, for another thread: its own
 * connection; sign-in, tokens, cookies, pacing, clock and counts shared.
 * Free forks before their parent's last use ends; the parent signs out. */
int es_acu_fork(struct es_acu *parent, struct es_acu **out, struct es_err *err);
/* Sign out when signed in (the first client, not a fork), then free.
 * Accepts NULL. */
void es_acu_free(struct es_acu *a);

/* Open the session. ES_EAUTH: credentials or tenant refused; ES_ELIMIT:
 * no free API-user slot after the retries (each wait is told through the
 * notice function); ES_ENET/ES_ETIMEOUT: the site could not be reached. */
int es_acu_signin(struct es_acu *a, struct es_err *err);
/* Close the session (best effort; the client is signed out afterwards in
 * any case). */
int es_acu_signout(struct es_acu *a, struct es_err *err);
int es_acu_signed_in(const struct es_acu *a);

/* A request to the endpoint: path is relative to
 * "<url>/entity/<endpoint>/<version>/" ("Customer?$top=10"), already
 * URL-encoded. Signs in first when needed. Returns 0 when the answer is
 * 2xx; ES_EREMOTE when the ERP answered with another status (out holds
 * it; the message quotes the ERP's exceptionMessage); ES_ELIMIT when 429s
 * outlasted the retries; ES_ENET/ES_ETIMEOUT when the transport failed
 * after the retries; ES_EAUTH when a new sign-in was refused; ES_ECONFLICT
 * when stopped by es_acu_stop(). */
int es_acu_call(struct es_acu *a, struct es_http_resp *out, const char *method, const char *path,
                const char *body, int flags, struct es_err *err);

/* The same with extra request headers (NULL-terminated "Name: value",
 * e.g. "If-None-Match: *"). A path starting with '/' is taken from the
 * site's origin (a Location the ERP gave). */
int es_acu_call_h(struct es_acu *a, struct es_http_resp *out, const char *method, const char *path,
                  const char *body, int flags, const char *const *headers, struct es_err *err);

/* Run an action on a record ({"entity": entity_json}) and wait until it is
 * done, polling the Location of a 202. 0, or ES_EREMOTE with the ERP's
 * reason when the action failed. */
int es_acu_action(struct es_acu *a, const char *entity, const char *action,
                  const char *entity_json, struct es_err *err);

/* The ERP's clock now (UTC ms), from the Date headers of its answers: never
 * behind the ERP's own clock, at most a second ahead. */
int64_t es_acu_erp_now(const struct es_acu *a);
/* The session's counts (the client's and its forks'). */
const struct es_acu_stats *es_acu_stats(const struct es_acu *a);
/* Requests this client (not its forks) has sent. */
long es_acu_sent(const struct es_acu *a);
/* How far the ERP's clock is ahead of ours (ms; negative: behind). */
int64_t es_acu_clock_skew(const struct es_acu *a);
/* The endpoint version in use ("24.200.001"). */
const char *es_acu_version(const struct es_acu *a);

/* GET path and parse its JSON answer into *json (the caller frees it with
 * cJSON_Delete; inside es_json_arena_begin it lives in the arena). An answer
 * that is not JSON is asked again, as a cut one is, up to the retries, then
 * ES_EREMOTE says so; it is never taken for an empty answer. out keeps the
 * last HTTP answer (its status and body for the caller to read). */
int es_acu_get_json(struct es_acu *a, struct es_http_resp *out, const char *path, cJSON **json,
                    struct es_err *err);

/* Sleep ms unless a stop is asked: 0, or -1 when stopped. */
int es_acu_wait(long ms);

/* Ask every client to stop (from a signal handler: async-signal safe).
 * Backoff sleeps end early and requests in flight are aborted within about
 * a second (ES_ECONFLICT: a push whose answer was not awaited stays
 * unknown); the sign-out still goes. */
void es_acu_stop(void);
int es_acu_stopping(void);

#endif
