/* An HTTP client connection: one libcurl easy handle, so the connection is
 * kept alive between requests, with an in-memory cookie jar, a body size
 * cap (and a budget the answers of a share's handles draw from together)
 * and a per-request timeout. HTTP statuses are data: a 500 is a
 * successful call; transport failures are errors (ES_ENET, ES_ETIMEOUT,
 * ES_ETOOBIG). One handle per thread. */
#ifndef ERPSYNC_HTTP_H
#define ERPSYNC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/buf.h"
#include "erpsync/err.h"

struct es_http;
/* What handles of one session share: the cookie jar (and DNS cache),
 * locked, so handles on different threads use one signed-in session. */
struct es_http_share;
int es_http_share_new(struct es_http_share **out, struct es_err *err);
/* The most the answers of the share's handles may hold at once, together
 * (bytes; 0: no such bound). An answer that would pass it fails with
 * ES_ETOOBIG; its bytes count until the answer is reset or disposed. */
void es_http_share_budget(struct es_http_share *s, size_t bytes);
/* After every handle using it is freed. */
void es_http_share_free(struct es_http_share *s);

struct es_http_opts {
    long timeout_ms;    /* whole request; 0: 60 s */
    long connect_ms;    /* connection set-up; 0: 10 s */
    int verify_tls;     /* verify the peer and host (keep 1) */
    const char *ca_file; /* NULL: the system's */
    size_t max_body;    /* largest answer accepted; 0: 256 MiB */
    const char *cap_name;        /* the setting of max_body and the share's budget, for
                                  * messages ("[limits] max_answer_mb"); NULL: none */
    struct es_http_share *share; /* NULL: cookies of its own */
    /* Asked about once a second during a transfer: non-zero aborts it
     * (ES_ECONFLICT), so a stop does not wait for a slow answer. NULL: never. */
    int (*stopping)(void);
};

enum {
    ES_HTTP_FRESH = 1,   /* a new connection: libcurl never re-sends it */
    ES_HTTP_CLOSING = 2, /* the session's last request (sign-out): not aborted by
                          * a stop, and given at most ES_HTTP_CLOSING_MS */
};
#define ES_HTTP_CLOSING_MS 5000

struct es_http_resp {
    long status;
    struct es_buf body;
    char content_type[96];
    char location[512];
    long retry_after_s; /* Retry-After in seconds, -1 when absent */
    int64_t date_ms;    /* the server's Date header, 0 when absent */
    double seconds;     /* total time of the transfer */
    struct es_http_share *held_in; /* the budget this answer's bytes count against */
    size_t held;
};

/* The process-wide libcurl set-up; call once before any thread starts. */
void es_http_global_init(void);
void es_http_global_cleanup(void);

int es_http_new(struct es_http **out, const struct es_http_opts *opts, struct es_err *err);
void es_http_free(struct es_http *h);

void es_http_resp_init(struct es_http_resp *r);
/* Frees the body and gives its bytes back to the share's budget: before
 * the handle's share is freed. */
void es_http_resp_dispose(struct es_http_resp *r);

/* One request. headers: NULL-terminated "Name: value" strings, or NULL.
 * body may be NULL (no body). flags: ES_HTTP_FRESH opens a new connection
 * for this request (a request that must not be sent twice: libcurl
 * re-sends a request silently when a reused connection turns out dead);
 * ES_HTTP_CLOSING. out is reset first. Returns 0 when an HTTP answer
 * arrived, whatever its status; ES_ECONFLICT when opts.stopping aborted
 * it (it may have reached the server: its outcome is unknown). */
int es_http_request(struct es_http *h, struct es_http_resp *out, const char *method,
                    const char *url, const char *const *headers, const char *body, size_t body_n,
                    int flags, struct es_err *err);

/* Percent-encode s for a URL query value into out (appended). */
void es_http_escape(struct es_buf *out, const char *s);

/* Forget every cookie. */
void es_http_clear_cookies(struct es_http *h);

#endif
