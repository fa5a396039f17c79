/* The Acumatica client: sessions, pacing, retries. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "erpsync/acu.h"
#include "erpsync/json.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"

#define REFRESH_MARGIN_MS 60000 /* refresh a token this long before it expires */
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 30000

/* One session, shared by a client and its forks (one per thread): the
 * fields under mu; signing in, refreshing and signing out also hold
 * auth_mu, so one thread does it while the others wait or go on. */
struct acu_shared {
    pthread_mutex_t mu, auth_mu;
    struct es_http_share *share; /* the session's cookies */
    int refs;
    int signed_in;
    unsigned gen;           /* sessions opened and tokens refreshed: a 401 to an
                             * older one is stale */
    char *access_token;     /* OAuth */
    char *refresh_token;    /* OAuth */
    int64_t token_expires;  /* local ms */
    int64_t clock_offset;   /* ERP minus local, ms */
    int64_t next_slot;      /* pacing: the earliest start of the next request */
    struct es_acu_stats stats;
    es_acu_notice_fn notice; /* says a wait, or NULL */
    void *notice_ctx;
};

struct es_acu {
    const struct es_config *cfg;
    struct es_http *http;   /* this thread's connection */
    char base[640];         /* <url>/entity/<endpoint>/<version>/ */
    struct acu_shared *sh;
    int owner;              /* signs out when freed */
    long sent;              /* requests this client sent */
};

#define LOCK(a) pthread_mutex_lock(&(a)->sh->mu)
#define UNLOCK(a) pthread_mutex_unlock(&(a)->sh->mu)

static volatile sig_atomic_t stop_flag;

void es_acu_stop(void)
{
    stop_flag = 1;
}

int es_acu_stopping(void)
{
    return stop_flag != 0;
}

/* ---- time and waiting ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep, in slices, unless a stop is asked. Returns -1 when stopped. */
static int wait_ms(int64_t ms)
{
    int64_t end = mono_ms() + ms;
    while (!stop_flag) {
        int64_t left = end - mono_ms();
        if (left <= 0)
            return 0;
        if (left > 100)
            left = 100;
        struct timespec ts = {0, (long)left * 1000000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* Keep within requests per minute: starts at least 60000/rpm ms apart. */
static int pace(struct es_acu *a)
{
    int rpm = a->cfg->limits.requests_per_minute;
    if (rpm <= 0)
        return 0;
    int64_t now = mono_ms();
    LOCK(a);
    int64_t start = a->sh->next_slot > now ? a->sh->next_slot : now;
    a->sh->next_slot = start + (60000 + rpm - 1) / rpm;
    UNLOCK(a);
    return start > now ? wait_ms(start - now) : 0;
}

static int64_t backoff_ms(int attempt, long retry_after_s)
{
    int64_t d = BACKOFF_BASE_MS;
    for (int i = 0; i < attempt && d < BACKOFF_CAP_MS; i++)
        d *= 2;
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    d = d / 2 + (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1)); /* jitter */
    if (retry_after_s >= 0 && retry_after_s * 1000 > d)
        d = retry_after_s * 1000;
    return d;
}

/* ---- set-up ---- */

/* limits.max_answer_mb in bytes: one answer's cap, and the session's
 * budget for every answer at once (0: the HTTP layer's own cap). */
static size_t answer_cap(const struct es_config *cfg)
{
    return cfg->limits.max_answer_mb > 0 ? (size_t)cfg->limits.max_answer_mb << 20 : 0;
}

static int client_new(struct es_acu **out, const struct es_config *cfg, struct acu_shared *sh,
                      struct es_err *err)
{
    struct es_acu *a = es_xcalloc(1, sizeof(*a));
    a->cfg = cfg;
    a->sh = sh;
    struct es_http_opts o = {.timeout_ms = cfg->acu.timeout_ms,
                             .max_body = answer_cap(cfg),
                             .cap_name = "[limits] max_answer_mb",
                             .verify_tls = cfg->acu.verify_tls,
                             .ca_file = cfg->acu.ca_file,
                             .share = sh->share,
                             .stopping = es_acu_stopping};
    int rc = es_http_new(&a->http, &o, err);
    if (rc) {
        free(a);
        return rc;
    }
    snprintf(a->base, sizeof(a->base), "%s/entity/%s/%s/", cfg->acu.url, cfg->acu.endpoint,
             cfg->acu.version);
    *out = a;
    return 0;
}

int es_acu_new(struct es_acu **out, const struct es_config *cfg, struct es_err *err)
{
    if (sodium_init() < 0)
        return es_err_set(err, ES_EINVAL, "libsodium cannot start");
    struct acu_shared *sh = es_xcalloc(1, sizeof(*sh));
    int rc = es_http_share_new(&sh->share, err);
    if (rc) {
        free(sh);
        return rc;
    }
    es_http_share_budget(sh->share, answer_cap(cfg));
    pthread_mutex_init(&sh->mu, NULL);
    pthread_mutex_init(&sh->auth_mu, NULL);
    sh->refs = 1;
    struct es_acu *a = NULL;
    if ((rc = client_new(&a, cfg, sh, err))) {
        es_http_share_free(sh->share);
        free(sh);
        return rc;
    }
    a->owner = 1;
    *out = a;
    return 0;
}

int es_acu_fork(struct es_acu *parent, struct es_acu **out, struct es_err *err)
{
    int rc = client_new(out, parent->cfg, parent->sh, err);
    if (!rc) {
        LOCK(parent);
        parent->sh->refs++;
        UNLOCK(parent);
    }
    return rc;
}

static void forget_tokens(struct acu_shared *sh)
{
    if (sh->access_token)
        es_free_secret(sh->access_token, strlen(sh->access_token));
    if (sh->refresh_token)
        es_free_secret(sh->refresh_token, strlen(sh->refresh_token));
    sh->access_token = sh->refresh_token = NULL;
}

void es_acu_free(struct es_acu *a)
{
    if (!a)
        return;
    if (a->owner && es_acu_signed_in(a))
        es_acu_signout(a, NULL);
    es_http_free(a->http);
    struct acu_shared *sh = a->sh;
    LOCK(a);
    int last = --sh->refs == 0;
    UNLOCK(a);
    free(a);
    if (!last)
        return;
    forget_tokens(sh);
    es_http_share_free(sh->share);
    pthread_mutex_destroy(&sh->mu);
    pthread_mutex_destroy(&sh->auth_mu);
    free(sh);
}

static int64_t clock_offset(const struct es_acu *a)
{
    LOCK(a);
    int64_t o = a->sh->clock_offset;
    UNLOCK(a);
    return o;
}

int64_t es_acu_erp_now(const struct es_acu *a)
{
    return es_now_ms() + clock_offset(a);
}

int64_t es_acu_clock_skew(const struct es_acu *a)
{
    return clock_offset(a) - 500; /* the middle of the Date header's second */
}

const struct es_acu_stats *es_acu_stats(const struct es_acu *a)
{
    return &a->sh->stats;
}

long es_acu_sent(const struct es_acu *a)
{
    return a->sent;
}

void es_acu_on_notice(struct es_acu *a, es_acu_notice_fn fn, void *ctx)
{
    LOCK(a);
    a->sh->notice = fn;
    a->sh->notice_ctx = ctx;
    UNLOCK(a);
}

const char *es_acu_version(const struct es_acu *a)
{
    return a->cfg->acu.version;
}

int es_acu_signed_in(const struct es_acu *a)
{
    LOCK(a);
    int s = a->sh->signed_in;
    UNLOCK(a);
    return s;
}

/* ---- one HTTP exchange ---- */

static int send_once(struct es_acu *a, struct es_http_resp *out, const char *method,
                     const char *url, const char *const *hdrs, const char *body, int fresh,
                     struct es_err *err)
{
    if (pace(a))
        return es_err_set(err, ES_ECONFLICT, "%s %.*s: stopped", method, (int)strcspn(url, "?"),
                          url);
    LOCK(a);
    a->sh->stats.requests++;
    UNLOCK(a);
    a->sent++;
    int rc = es_http_request(a->http, out, method, url, hdrs, body, body ? strlen(body) : 0,
                             fresh ? ES_HTTP_FRESH : 0, err);
    LOCK(a);
    /* Date has whole seconds: the ERP's clock is at most 999 ms past it.
     * Erring late is safe (the next window overlaps); early would not be. */
    if (!rc && out->date_ms)
        a->sh->clock_offset = out->date_ms + 999 - es_now_ms();
    if (!rc && out->status == 429)
        a->sh->stats.declined++;
    UNLOCK(a);
    return rc;
}

/* The ERP's own words from an HttpError body, or "". */
static void erp_message(const struct es_http_resp *r, char *out, size_t cap, char *type,
                        size_t tcap)
{
    out[0] = '\0';
    if (type)
        type[0] = '\0';
    cJSON *j = r->body.len ? cJSON_ParseWithLength(r->body.data, r->body.len) : NULL;
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "exceptionMessage"));
    if (!m)
        m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "message"));
    if (!m)
        m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error_description"));
    if (!m)
        m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error"));
    if (m)
        snprintf(out, cap, "%s", m);
    else if (r->body.len && !j) /* plain text, e.g. IIS's 429 page */
        snprintf(out, cap, "%.200s", r->body.data);
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "exceptionType"));
    if (type && t)
        snprintf(type, tcap, "%s", t);
    cJSON_Delete(j);
}

static int says_login_limit(const struct es_http_resp *r)
{
    return r->body.data && strstr(r->body.data, "API Login Limit");
}

/* May this answer be asked again? */
static int retryable_status(const struct es_http_resp *r, int idempotent)
{
    if (r->status == 429)
        return 1; /* declined: not processed */
    if (!idempotent)
        return 0;
    if (r->status == 502 || r->status == 503 || r->status == 504)
        return 1;
    if (r->status == 500) {
        char msg[16], type[128];
        erp_message(r, msg, sizeof(msg), type, sizeof(type));
        /* PX.* exceptions are Acumatica's business errors: they repeat. */
        return strncmp(type, "PX.", 3) != 0;
    }
    return 0;
}

/* Send with retries. Returns 0 with the final answer in out (any status),
 * or a transport/stop error once the retries are spent. */
static int send_retrying(struct es_acu *a, struct es_http_resp *out, const char *method,
                         const char *url, const char *const *hdrs, const char *body, int flags,
                         struct es_err *err)
{
    int idem = flags & ES_ACU_IDEMPOTENT;
    for (int attempt = 0;; attempt++) {
        struct es_err e = {0};
        int rc = send_once(a, out, method, url, hdrs, body, flags & ES_ACU_FRESH, &e);
        int again = rc ? idem && rc != ES_ECONFLICT && rc != ES_ETOOBIG
                       : retryable_status(out, idem);
        if (!again || attempt >= a->cfg->limits.retries) {
            if (rc)
                es_err_set(err, rc, "%s", e.msg);
            return rc;
        }
        LOCK(a);
        a->sh->stats.retries++;
        UNLOCK(a);
        if (wait_ms(backoff_ms(attempt, rc ? -1 : out->retry_after_s)))
            return es_err_set(err, ES_ECONFLICT, "%s %.*s: stopped", method, (int)strcspn(url, "?"),
                              url);
    }
}

/* ---- signing in and out ---- */

/* A buffer that will hold a secret, sized up front (at most 6 bytes out
 * per byte in, JSON's worst) so that no reallocation leaves a copy behind;
 * wipe_secret_buf wipes it whole. */
static void secret_buf(struct es_buf *b, size_t in)
{
    es_buf_init(b, 0);
    es_buf_reserve(b, 6 * in + 256);
}

static void wipe_secret_buf(struct es_buf *b)
{
    if (b->data)
        sodium_memzero(b->data, b->cap);
    es_buf_dispose(b);
}

static void json_field(struct es_buf *b, const char *key, const char *v)
{
    es_buf_addf(b, "%s\"%s\":\"", b->len > 1 ? "," : "", key);
    es_buf_add_json_escaped(b, v, strlen(v));
    es_buf_add(b, "\"", 1);
}

static int cookie_signin(struct es_acu *a, struct es_http_resp *r, struct es_err *err)
{
    const struct es_config_acu *c = &a->cfg->acu;
    const char *pw = c->password ? c->password : "";
    /* Built here, not by cJSON: its nodes and print buffer would keep
     * copies of the password in freed memory. */
    struct es_buf body;
    secret_buf(&body, strlen(c->username) + strlen(pw) + strlen(c->tenant));
    es_buf_add(&body, "{", 1);
    json_field(&body, "name", c->username);
    json_field(&body, "password", pw);
    json_field(&body, "tenant", c->tenant);
    es_buf_add(&body, "}", 1);
    char url[700];
    snprintf(url, sizeof(url), "%s/entity/auth/login", c->url);
    const char *hdrs[] = {"Content-Type: application/json", "Accept: application/json", NULL};
    es_http_clear_cookies(a->http);
    int rc = send_once(a, r, "POST", url, hdrs, body.data, 0, err);
    wipe_secret_buf(&body);
    return rc;
}

static void form_add(struct es_buf *b, const char *k, const char *v)
{
    if (b->len)
        es_buf_add(b, "&", 1);
    es_buf_adds(b, k);
    es_buf_add(b, "=", 1);
    es_http_escape(b, v ? v : "");
}

/* POST the token endpoint with a password or a refresh_token grant. */
static int token_request(struct es_acu *a, struct es_http_resp *r, int refresh,
                         struct es_err *err)
{
    const struct es_config_acu *c = &a->cfg->acu;
    struct es_buf f;
    secret_buf(&f, strlen(c->client_id ? c->client_id : "") +
                       strlen(c->client_secret ? c->client_secret : "") +
                       strlen(c->username) + strlen(c->password ? c->password : "") +
                       strlen(refresh && a->sh->refresh_token ? a->sh->refresh_token : ""));
    form_add(&f, "grant_type", refresh ? "refresh_token" : "password");
    form_add(&f, "client_id", c->client_id);
    form_add(&f, "client_secret", c->client_secret);
    if (refresh) {
        form_add(&f, "refresh_token", a->sh->refresh_token); /* auth_mu is held */
    } else {
        form_add(&f, "username", c->username);
        form_add(&f, "password", c->password);
        form_add(&f, "scope", "api offline_access");
    }
    char url[700];
    snprintf(url, sizeof(url), "%s/identity/connect/token", c->url);
    const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded",
                          "Accept: application/json", NULL};
    int rc = send_once(a, r, "POST", url, hdrs, f.data, 0, err);
    wipe_secret_buf(&f);
    return rc;
}

static int take_tokens(struct es_acu *a, const struct es_http_resp *r, struct es_err *err)
{
    cJSON *j = cJSON_ParseWithLength(r->body.data, r->body.len);
    const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(j, "access_token"));
    const char *rt = cJSON_GetStringValue(cJSON_GetObjectItem(j, "refresh_token"));
    const cJSON *exp = cJSON_GetObjectItem(j, "expires_in");
    int rc = 0;
    if (!at) {
        rc = es_err_set(err, ES_EREMOTE, "sign-in: the token answer has no access_token");
    } else {
        long secs = cJSON_IsNumber(exp) && exp->valuedouble > 0 ? (long)exp->valuedouble : 3600;
        LOCK(a);
        forget_tokens(a->sh);
        a->sh->access_token = es_xstrdup(at);
        a->sh->refresh_token = rt ? es_xstrdup(rt) : NULL;
        a->sh->token_expires = mono_ms() + secs * 1000L;
        UNLOCK(a);
    }
    if (j && at)
        sodium_memzero((void *)at, strlen(at));
    if (j && rt)
        sodium_memzero((void *)rt, strlen(rt));
    cJSON_Delete(j);
    return rc;
}

/* Why a sign-in was refused, as an error code and message: a full licence
 * and transient failures may pass, refused credentials will not. */
static int signin_refused(struct es_acu *a, const struct es_http_resp *r, struct es_err *err)
{
    char msg[300], type[128];
    erp_message(r, msg, sizeof(msg), type, sizeof(type));
    const char *url = a->cfg->acu.url;
    if (says_login_limit(r))
        return es_err_set(err, ES_ELIMIT,
                          "sign-in to %s: API Login Limit: every API-user slot of the licence is "
                          "taken (unclosed sessions are freed 10 minutes after their last use)",
                          url);
    if (r->status == 429)
        return es_err_set(err, ES_ELIMIT, "sign-in to %s: HTTP 429: %s", url, msg);
    int refused = (r->status >= 400 && r->status < 500) ||
                  (r->status == 500 && !strncmp(type, "PX.", 3));
    if (!refused)
        return es_err_set(err, ES_EREMOTE, "sign-in to %s: HTTP %ld: %s", url, r->status,
                          msg[0] ? msg : "no message");
    return es_err_set(err, ES_EAUTH, "sign-in to %s as '%s' in tenant '%s': HTTP %ld: %s", url,
                      a->cfg->acu.username, a->cfg->acu.tenant, r->status,
                      msg[0] ? msg : "refused");
}

static int signin_once(struct es_acu *a, struct es_http_resp *r, int refresh, struct es_err *err)
{
    int oauth = a->cfg->acu.auth == ES_AUTH_OAUTH;
    int rc = oauth ? token_request(a, r, refresh, err) : cookie_signin(a, r, err);
    if (rc)
        return rc;
    if (r->status / 100 != 2)
        return signin_refused(a, r, err);
    return oauth ? take_tokens(a, r, err) : 0;
}

/* Every API-user slot is taken: the wait that follows is said, and
 * counted. auth_mu is held (the notice is not called concurrently). */
static void tell_session_wait(struct es_acu *a, int attempt, int64_t ms)
{
    LOCK(a);
    a->sh->stats.session_waits++;
    a->sh->stats.session_wait_ms += ms;
    es_acu_notice_fn fn = a->sh->notice;
    void *ctx = a->sh->notice_ctx;
    UNLOCK(a);
    if (!fn)
        return;
    char msg[300];
    snprintf(msg, sizeof(msg),
             "waiting for a free API session: every API-user slot of the licence is taken "
             "(API Login Limit); try %d of %d in %.0f s",
             attempt + 2, a->cfg->limits.retries + 1, (double)ms / 1000.0);
    fn(ctx, msg);
}

/* auth_mu is held. */
static int signin_locked(struct es_acu *a, struct es_err *err)
{
    struct es_http_resp r;
    es_http_resp_init(&r);
    int rc;
    for (int attempt = 0;; attempt++) {
        struct es_err e = {0};
        rc = signin_once(a, &r, 0, &e);
        int again = rc == ES_ELIMIT || rc == ES_ENET || rc == ES_ETIMEOUT || rc == ES_EREMOTE;
        if (!rc || !again || attempt >= a->cfg->limits.retries) {
            if (rc)
                es_err_set(err, rc, "%s", e.msg);
            break;
        }
        LOCK(a);
        a->sh->stats.retries++;
        UNLOCK(a);
        int64_t ms = backoff_ms(attempt + 2, r.retry_after_s);
        if (says_login_limit(&r))
            tell_session_wait(a, attempt, ms);
        if (wait_ms(ms)) {
            rc = es_err_set(err, ES_ECONFLICT, "sign-in: stopped");
            break;
        }
    }
    if (!rc) {
        LOCK(a);
        a->sh->signed_in = 1;
        a->sh->gen++;
        a->sh->stats.signins++;
        UNLOCK(a);
    }
    wipe_secret_buf(&r.body); /* the token answer */
    es_http_resp_dispose(&r);
    return rc;
}

int es_acu_signin(struct es_acu *a, struct es_err *err)
{
    pthread_mutex_lock(&a->sh->auth_mu);
    int rc = signin_locked(a, err);
    pthread_mutex_unlock(&a->sh->auth_mu);
    return rc;
}

/* Signed in, by this thread or another one meanwhile. */
static int ensure_session(struct es_acu *a, struct es_err *err)
{
    pthread_mutex_lock(&a->sh->auth_mu);
    int rc = es_acu_signed_in(a) ? 0 : signin_locked(a, err);
    pthread_mutex_unlock(&a->sh->auth_mu);
    return rc;
}

/* The session that gen named ended on the server (a 401): forgotten,
 * unless another thread has opened a new one already. */
static void session_lost(struct es_acu *a, unsigned gen)
{
    pthread_mutex_lock(&a->sh->auth_mu);
    LOCK(a);
    if (a->sh->gen == gen) {
        a->sh->signed_in = 0;
        forget_tokens(a->sh);
    }
    UNLOCK(a);
    pthread_mutex_unlock(&a->sh->auth_mu);
}

/* "Authorization: Bearer ..." into auth, or 0 without a token. */
static int bearer(struct es_acu *a, char *auth, size_t cap)
{
    LOCK(a);
    int has = a->sh->access_token != NULL;
    if (has)
        snprintf(auth, cap, "Authorization: Bearer %s", a->sh->access_token);
    UNLOCK(a);
    return has;
}

static int signout_locked(struct es_acu *a, struct es_err *err);

int es_acu_signout(struct es_acu *a, struct es_err *err)
{
    pthread_mutex_lock(&a->sh->auth_mu);
    int rc = signout_locked(a, err);
    pthread_mutex_unlock(&a->sh->auth_mu);
    return rc;
}

static int signout_locked(struct es_acu *a, struct es_err *err)
{
    if (!es_acu_signed_in(a))
        return 0;
    char url[700], auth[1200];
    snprintf(url, sizeof(url), "%s/entity/auth/logout", a->cfg->acu.url);
    const char *hdrs[3] = {"Accept: application/json", NULL, NULL};
    if (bearer(a, auth, sizeof(auth)))
        hdrs[1] = auth;
    struct es_http_resp r;
    es_http_resp_init(&r);
    /* An empty body: libcurl sends Content-Length: 0, which IIS requires. */
    LOCK(a);
    a->sh->stats.requests++;
    UNLOCK(a);
    /* Also after a stop, briefly: the licence slot is freed now, not in
     * 10 minutes. */
    int rc = es_http_request(a->http, &r, "POST", url, hdrs, "", 0, ES_HTTP_CLOSING, err);
    if (!rc && r.status / 100 != 2)
        rc = es_err_set(err, ES_EREMOTE, "sign-out: HTTP %ld", r.status);
    sodium_memzero(auth, sizeof(auth));
    es_http_resp_dispose(&r);
    LOCK(a);
    a->sh->signed_in = 0;
    forget_tokens(a->sh);
    UNLOCK(a);
    es_http_clear_cookies(a->http);
    return rc;
}

/* OAuth: a token about to expire is refreshed (or a new grant taken). */
static int token_due(struct es_acu *a)
{
    LOCK(a);
    int due = a->sh->access_token && mono_ms() >= a->sh->token_expires - REFRESH_MARGIN_MS;
    UNLOCK(a);
    return due;
}

static int refresh_locked(struct es_acu *a, struct es_err *err)
{
    if (!token_due(a)) /* another thread did it */
        return 0;
    struct es_http_resp r;
    es_http_resp_init(&r);
    int rc = a->sh->refresh_token ? signin_once(a, &r, 1, err) : ES_EAUTH;
    wipe_secret_buf(&r.body); /* the token answer */
    es_http_resp_dispose(&r);
    LOCK(a);
    if (!rc) {
        a->sh->stats.refreshes++;
        a->sh->gen++; /* a 401 to the old token is not the session's end */
    } else { /* the grant is gone: start a new one */
        a->sh->signed_in = 0;
        forget_tokens(a->sh);
    }
    UNLOCK(a);
    return rc ? signin_locked(a, err) : 0;
}

static int keep_token_fresh(struct es_acu *a, struct es_err *err)
{
    if (!token_due(a))
        return 0;
    pthread_mutex_lock(&a->sh->auth_mu);
    int rc = refresh_locked(a, err);
    pthread_mutex_unlock(&a->sh->auth_mu);
    return rc;
}

/* ---- requests to the endpoint ---- */

static int call_failed(const char *method, const char *path, const struct es_http_resp *r,
                       struct es_err *err)
{
    char msg[300];
    erp_message(r, msg, sizeof(msg), NULL, 0);
    int n = (int)strcspn(path, "?"); /* the query ($select...) would hide the message */
    if (r->status == 429)
        return es_err_set(err, ES_ELIMIT, "%s %.*s: HTTP 429 (the licence's request limits) "
                                          "after every retry: %s",
                          method, n, path, msg);
    return es_err_set(err, ES_EREMOTE, "%s %.*s: HTTP %ld: %s", method, n, path, r->status,
                      msg[0] ? msg : "no message");
}

/* "https://host:port" of the site URL. */
static void origin(char *out, size_t cap, const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    size_t n = (size_t)(host - url) + strcspn(host, "/");
    snprintf(out, cap, "%.*s", (int)n, url);
}

int es_acu_call(struct es_acu *a, struct es_http_resp *out, const char *method, const char *path,
                const char *body, int flags, struct es_err *err)
{
    return es_acu_call_h(a, out, method, path, body, flags, NULL, err);
}

int es_acu_call_h(struct es_acu *a, struct es_http_resp *out, const char *method, const char *path,
                  const char *body, int flags, const char *const *headers, struct es_err *err)
{
    char url[4096], auth[1200], site[512];
    if (path[0] == '/') {
        origin(site, sizeof(site), a->cfg->acu.url);
        snprintf(url, sizeof(url), "%s%s", site, path);
    } else {
        snprintf(url, sizeof(url), "%s%s", a->base, path);
    }
    int rc = 0;
    for (int relogin = 0; relogin < 2; relogin++) {
        if ((rc = ensure_session(a, err)) || (rc = keep_token_fresh(a, err)))
            return rc;
        LOCK(a);
        unsigned gen = a->sh->gen;
        UNLOCK(a);
        const char *hdrs[12] = {"Accept: application/json", "Content-Type: application/json"};
        int nh = 2;
        if (bearer(a, auth, sizeof(auth)))
            hdrs[nh++] = auth;
        for (int i = 0; headers && headers[i] && nh < 11; i++)
            hdrs[nh++] = headers[i];
        hdrs[nh] = NULL;
        rc = send_retrying(a, out, method, url, hdrs, body, flags, err);
        sodium_memzero(auth, sizeof(auth));
        if (rc)
            return rc;
        if (out->status != 401)
            break;
        session_lost(a, gen); /* the session ended on the server: sign in again, once */
    }
    es_json_defuse_nul(out->body.data, out->body.len); /* no value cut at a NUL */
    if (out->status / 100 == 2)
        return 0;
    return call_failed(method, path, out, err);
}

/* ---- actions ---- */

int es_acu_action(struct es_acu *a, const char *entity, const char *action,
                  const char *entity_json, struct es_err *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", entity, action);
    struct es_buf body;
    es_buf_init(&body, 0);
    es_buf_addf(&body, "{\"entity\":%s}", entity_json);
    struct es_http_resp r;
    es_http_resp_init(&r);
    /* An action sent twice may run twice: a fresh connection, no retry. */
    int rc = es_acu_call(a, &r, "POST", path, body.data, ES_ACU_FRESH, err);
    char location[512];
    for (int polls = 0; !rc && r.status == 202 && polls < 600; polls++) {
        snprintf(location, sizeof(location), "%s", r.location);
        if (!location[0] || wait_ms(polls < 10 ? 100 : 1000)) {
            rc = es_err_set(err, ES_EREMOTE, "%s %s: no status to poll, or stopped", entity, action);
            break;
        }
        rc = es_acu_call(a, &r, "GET", location, NULL, ES_ACU_IDEMPOTENT, err);
    }
    if (!rc && r.status == 202)
        rc = es_err_set(err, ES_ETIMEOUT, "%s %s: still running after 10 minutes", entity, action);
    es_http_resp_dispose(&r);
    es_buf_dispose(&body);
    return rc;
}

int es_acu_wait(long ms)
{
    return wait_ms(ms);
}

int es_acu_get_json(struct es_acu *a, struct es_http_resp *out, const char *path, cJSON **json,
                    struct es_err *err)
{
    *json = NULL;
    for (int attempt = 0;; attempt++) {
        int rc = es_acu_call(a, out, "GET", path, NULL, ES_ACU_IDEMPOTENT, err);
        if (rc)
            return rc;
        if ((*json = cJSON_ParseWithLength(out->body.data, out->body.len)))
            return 0;
        /* A broken body (a proxy's page, a cut the length hid) is asked
         * again like a cut answer; never taken for an empty one. */
        if (attempt >= a->cfg->limits.retries)
            return es_err_set(err, ES_EREMOTE,
                              "GET %.*s: the answer is not valid JSON (%zu bytes), %d times",
                              (int)strcspn(path, "?"), path, out->body.len, attempt + 1);
        LOCK(a);
        a->sh->stats.retries++;
        UNLOCK(a);
        if (wait_ms(backoff_ms(attempt, -1)))
            return es_err_set(err, ES_ECONFLICT, "GET %.*s: stopped", (int)strcspn(path, "?"),
                              path);
    }
}
