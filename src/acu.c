/* The Acumatica client: sessions, pacing, retries. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "erpsync/acu.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"

#define REFRESH_MARGIN_MS 60000 /* refresh a token this long before it expires */
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 30000

struct es_acu {
    const struct es_config *cfg;
    struct es_http *http;
    char base[640];         /* <url>/entity/<endpoint>/<version>/ */
    int signed_in;
    char *access_token;     /* OAuth */
    char *refresh_token;    /* OAuth */
    int64_t token_expires;  /* local ms */
    int64_t clock_offset;   /* ERP minus local, ms */
    int64_t next_slot;      /* pacing: the earliest start of the next request */
    struct es_acu_stats stats;
};

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
    int64_t start = a->next_slot > now ? a->next_slot : now;
    a->next_slot = start + (60000 + rpm - 1) / rpm;
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

int es_acu_new(struct es_acu **out, const struct es_config *cfg, struct es_err *err)
{
    if (sodium_init() < 0)
        return es_err_set(err, ES_EINVAL, "libsodium cannot start");
    struct es_acu *a = es_xcalloc(1, sizeof(*a));
    a->cfg = cfg;
    struct es_http_opts o = {.timeout_ms = cfg->acu.timeout_ms,
                             .verify_tls = cfg->acu.verify_tls,
                             .ca_file = cfg->acu.ca_file};
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

static void forget_tokens(struct es_acu *a)
{
    if (a->access_token)
        es_free_secret(a->access_token, strlen(a->access_token));
    if (a->refresh_token)
        es_free_secret(a->refresh_token, strlen(a->refresh_token));
    a->access_token = a->refresh_token = NULL;
}

void es_acu_free(struct es_acu *a)
{
    if (!a)
        return;
    if (a->signed_in)
        es_acu_signout(a, NULL);
    forget_tokens(a);
    es_http_free(a->http);
    free(a);
}

int64_t es_acu_erp_now(const struct es_acu *a)
{
    return es_now_ms() + a->clock_offset;
}

int64_t es_acu_clock_skew(const struct es_acu *a)
{
    return a->clock_offset - 500; /* the middle of the Date header's second */
}

const struct es_acu_stats *es_acu_stats(const struct es_acu *a)
{
    return &a->stats;
}

const char *es_acu_version(const struct es_acu *a)
{
    return a->cfg->acu.version;
}

int es_acu_signed_in(const struct es_acu *a)
{
    return a->signed_in;
}

/* ---- one HTTP exchange ---- */

static int send_once(struct es_acu *a, struct es_http_resp *out, const char *method,
                     const char *url, const char *const *hdrs, const char *body, int fresh,
                     struct es_err *err)
{
    if (pace(a))
        return es_err_set(err, ES_ECONFLICT, "%s %s: stopped", method, url);
    a->stats.requests++;
    int rc = es_http_request(a->http, out, method, url, hdrs, body, body ? strlen(body) : 0,
                             fresh, err);
    /* Date has whole seconds: the ERP's clock is at most 999 ms past it.
     * Erring late is safe (the next window overlaps); early would not be. */
    if (!rc && out->date_ms)
        a->clock_offset = out->date_ms + 999 - es_now_ms();
    if (!rc && out->status == 429)
        a->stats.declined++;
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
        a->stats.retries++;
        if (wait_ms(backoff_ms(attempt, rc ? -1 : out->retry_after_s)))
            return es_err_set(err, ES_ECONFLICT, "%s %s: stopped", method, url);
    }
}

/* ---- signing in and out ---- */

static int cookie_signin(struct es_acu *a, struct es_http_resp *r, struct es_err *err)
{
    const struct es_config_acu *c = &a->cfg->acu;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", c->username);
    cJSON_AddStringToObject(j, "password", c->password ? c->password : "");
    cJSON_AddStringToObject(j, "tenant", c->tenant);
    char *body = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    char url[700];
    snprintf(url, sizeof(url), "%s/entity/auth/login", c->url);
    const char *hdrs[] = {"Content-Type: application/json", "Accept: application/json", NULL};
    es_http_clear_cookies(a->http);
    int rc = send_once(a, r, "POST", url, hdrs, body, 0, err);
    /* cJSON's memory (a page's arena while one is read): its own free. */
    sodium_memzero(body, strlen(body));
    cJSON_free(body);
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
    es_buf_init(&f, 0);
    form_add(&f, "grant_type", refresh ? "refresh_token" : "password");
    form_add(&f, "client_id", c->client_id);
    form_add(&f, "client_secret", c->client_secret);
    if (refresh) {
        form_add(&f, "refresh_token", a->refresh_token);
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
    sodium_memzero(f.data, f.len);
    es_buf_dispose(&f);
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
        forget_tokens(a);
        a->access_token = es_xstrdup(at);
        a->refresh_token = rt ? es_xstrdup(rt) : NULL;
        long secs = cJSON_IsNumber(exp) && exp->valuedouble > 0 ? (long)exp->valuedouble : 3600;
        a->token_expires = mono_ms() + secs * 1000L;
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

int es_acu_signin(struct es_acu *a, struct es_err *err)
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
        a->stats.retries++;
        if (wait_ms(backoff_ms(attempt + 2, r.retry_after_s))) {
            rc = es_err_set(err, ES_ECONFLICT, "sign-in: stopped");
            break;
        }
    }
    if (!rc) {
        a->signed_in = 1;
        a->stats.signins++;
    }
    es_http_resp_dispose(&r);
    return rc;
}

int es_acu_signout(struct es_acu *a, struct es_err *err)
{
    if (!a->signed_in)
        return 0;
    char url[700], auth[1200];
    snprintf(url, sizeof(url), "%s/entity/auth/logout", a->cfg->acu.url);
    const char *hdrs[3] = {"Accept: application/json", NULL, NULL};
    if (a->access_token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a->access_token);
        hdrs[1] = auth;
    }
    struct es_http_resp r;
    es_http_resp_init(&r);
    /* An empty body: libcurl sends Content-Length: 0, which IIS requires. */
    a->stats.requests++;
    int rc = es_http_request(a->http, &r, "POST", url, hdrs, "", 0, 0, err);
    if (!rc && r.status / 100 != 2)
        rc = es_err_set(err, ES_EREMOTE, "sign-out: HTTP %ld", r.status);
    sodium_memzero(auth, sizeof(auth));
    es_http_resp_dispose(&r);
    a->signed_in = 0;
    forget_tokens(a);
    es_http_clear_cookies(a->http);
    return rc;
}

/* OAuth: a token about to expire is refreshed (or a new grant taken). */
static int keep_token_fresh(struct es_acu *a, struct es_err *err)
{
    if (!a->access_token || mono_ms() < a->token_expires - REFRESH_MARGIN_MS)
        return 0;
    struct es_http_resp r;
    es_http_resp_init(&r);
    int rc = a->refresh_token ? signin_once(a, &r, 1, err) : ES_EAUTH;
    es_http_resp_dispose(&r);
    if (!rc) {
        a->stats.refreshes++;
        return 0;
    }
    a->signed_in = 0; /* the grant is gone: start a new one */
    forget_tokens(a);
    return es_acu_signin(a, err);
}

/* ---- requests to the endpoint ---- */

static int call_failed(const char *method, const char *path, const struct es_http_resp *r,
                       struct es_err *err)
{
    char msg[300];
    erp_message(r, msg, sizeof(msg), NULL, 0);
    if (r->status == 429)
        return es_err_set(err, ES_ELIMIT, "%s %s: HTTP 429 (the licence's request limits) after "
                                          "every retry: %s",
                          method, path, msg);
    return es_err_set(err, ES_EREMOTE, "%s %s: HTTP %ld: %s", method, path, r->status,
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
        if (!a->signed_in && (rc = es_acu_signin(a, err)))
            return rc;
        if ((rc = keep_token_fresh(a, err)))
            return rc;
        const char *hdrs[12] = {"Accept: application/json", "Content-Type: application/json"};
        int nh = 2;
        if (a->access_token) {
            snprintf(auth, sizeof(auth), "Authorization: Bearer %s", a->access_token);
            hdrs[nh++] = auth;
        }
        for (int i = 0; headers && headers[i] && nh < 11; i++)
            hdrs[nh++] = headers[i];
        hdrs[nh] = NULL;
        rc = send_retrying(a, out, method, url, hdrs, body, flags, err);
        sodium_memzero(auth, sizeof(auth));
        if (rc)
            return rc;
        if (out->status != 401)
            break;
        a->signed_in = 0; /* the session ended on the server: sign in again, once */
        forget_tokens(a);
    }
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
