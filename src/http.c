/* HTTP client connection over libcurl. */
#include <curl/curl.h>
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/http.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"

struct es_http {
    CURL *curl;
    struct es_http_opts opts;
    char errbuf[CURL_ERROR_SIZE];
};

/* Cookies shared by the handles of one session (libcurl's share interface,
 * locked for the threads). */
struct es_http_share {
    CURLSH *sh;
    pthread_mutex_t mu;
    pthread_mutex_t budget_mu;
    size_t budget; /* the most the handles' answers may hold at once; 0: no bound */
    size_t held;   /* what they hold */
};

static void share_lock(CURL *c, curl_lock_data d, curl_lock_access a, void *ud)
{
    (void)c, (void)d, (void)a;
    pthread_mutex_lock(&((struct es_http_share *)ud)->mu);
}

static void share_unlock(CURL *c, curl_lock_data d, void *ud)
{
    (void)c, (void)d;
    pthread_mutex_unlock(&((struct es_http_share *)ud)->mu);
}

int es_http_share_new(struct es_http_share **out, struct es_err *err)
{
    struct es_http_share *s = es_xcalloc(1, sizeof(*s));
    s->sh = curl_share_init();
    if (!s->sh) {
        free(s);
        return es_err_set(err, ES_ENET, "http: cannot create a libcurl share");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->budget_mu, NULL);
    curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
    curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    *out = s;
    return 0;
}

void es_http_share_free(struct es_http_share *s)
{
    if (!s)
        return;
    curl_share_cleanup(s->sh);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->budget_mu);
    free(s);
}

void es_http_share_budget(struct es_http_share *s, size_t bytes)
{
    pthread_mutex_lock(&s->budget_mu);
    s->budget = bytes;
    pthread_mutex_unlock(&s->budget_mu);
}

/* Count n more bytes of r against the share's budget: 0, or -1 when the
 * answers together would pass it. */
static int take_budget(struct es_http_share *s, struct es_http_resp *r, size_t n)
{
    if (!s)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&s->budget_mu);
    if (s->budget && n > s->budget - s->held) {
        rc = -1;
    } else {
        s->held += n;
        r->held += n;
        r->held_in = s;
    }
    pthread_mutex_unlock(&s->budget_mu);
    return rc;
}

static void give_back(struct es_http_resp *r)
{
    struct es_http_share *s = r->held_in;
    if (!s || !r->held)
        return;
    pthread_mutex_lock(&s->budget_mu);
    s->held -= r->held;
    pthread_mutex_unlock(&s->budget_mu);
    r->held = 0;
}

void es_http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void es_http_global_cleanup(void)
{
    curl_global_cleanup();
}

int es_http_new(struct es_http **out, const struct es_http_opts *opts, struct es_err *err)
{
    struct es_http *h = es_xcalloc(1, sizeof(*h));
    if (opts)
        h->opts = *opts;
    else
        h->opts.verify_tls = 1;
    if (!h->opts.timeout_ms)
        h->opts.timeout_ms = 60000;
    if (!h->opts.connect_ms)
        h->opts.connect_ms = 10000;
    if (!h->opts.max_body)
        h->opts.max_body = 256u << 20;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return es_err_set(err, ES_ENET, "http: cannot create a libcurl handle");
    }
    CURL *c = h->curl;
    if (h->opts.share)
        curl_easy_setopt(c, CURLOPT_SHARE, h->opts.share->sh);
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, ""); /* the in-memory cookie engine */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->opts.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->opts.verify_tls ? 2L : 0L);
    if (h->opts.ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->opts.ca_file);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->opts.timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "erpsync/" ES_VERSION);
    *out = h;
    return 0;
}

void es_http_free(struct es_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

void es_http_resp_init(struct es_http_resp *r)
{
    memset(r, 0, sizeof(*r));
    es_buf_init(&r->body, 0);
    r->retry_after_s = -1;
}

void es_http_resp_dispose(struct es_http_resp *r)
{
    if (!r)
        return;
    give_back(r);
    es_buf_dispose(&r->body);
}

struct sink {
    struct es_http_resp *r;
    struct es_http_share *share; /* whose budget the answer draws from, or NULL */
    int too_big;
    int over_budget;
    int (*stopping)(void); /* NULL: this request is not aborted */
    int stopped;
};

/* libcurl's progress callback, also called about once a second while
 * nothing arrives: a stop aborts the transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    struct sink *s = ud;
    if (s->stopping && s->stopping())
        s->stopped = 1;
    return s->stopped;
}

/* The cap first (one answer), then the budget (every answer at once); a
 * 0 return stops the transfer. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    struct es_buf *b = &s->r->body;
    if (b->max && n > b->max - b->len) {
        s->too_big = 1;
        return 0;
    }
    if (take_budget(s->share, s->r, n)) {
        s->over_budget = 1;
        return 0;
    }
    if (es_buf_add(b, data, n)) {
        s->too_big = 1;
        return 0; /* stops the transfer */
    }
    return n;
}

static void copy_value(char *out, size_t cap, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    snprintf(out, cap, "%.*s", (int)n, v);
}

static int header_is(const char *line, size_t n, const char *name, const char **value)
{
    size_t k = strlen(name);
    if (n <= k || line[k] != ':' || strncasecmp(line, name, k))
        return 0;
    *value = line + k + 1;
    return 1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    const char *v;
    char tmp[128];
    if (header_is(line, n, "Content-Type", &v)) {
        copy_value(s->r->content_type, sizeof(s->r->content_type), v, n - (size_t)(v - line));
    } else if (header_is(line, n, "Location", &v)) {
        copy_value(s->r->location, sizeof(s->r->location), v, n - (size_t)(v - line));
    } else if (header_is(line, n, "Retry-After", &v)) {
        copy_value(tmp, sizeof(tmp), v, n - (size_t)(v - line));
        char *end;
        long secs = strtol(tmp, &end, 10);
        int64_t when;
        if (end != tmp && !*end && secs >= 0)
            s->r->retry_after_s = secs;
        else if (!es_time_parse_http(&when, tmp))
            s->r->retry_after_s = when > es_now_ms() ? (long)((when - es_now_ms()) / 1000) : 0;
    } else if (header_is(line, n, "Date", &v)) {
        copy_value(tmp, sizeof(tmp), v, n - (size_t)(v - line));
        int64_t when;
        if (!es_time_parse_http(&when, tmp))
            s->r->date_ms = when;
    }
    return n;
}

static void reset_resp(struct es_http_resp *r, size_t max)
{
    give_back(r);
    es_buf_reset(&r->body);
    r->body.max = max;
    r->status = 0;
    r->content_type[0] = r->location[0] = '\0';
    r->retry_after_s = -1;
    r->date_ms = 0;
    r->seconds = 0;
}

/* The cap as a user sets it: "the cap (32 MB: [limits] max_answer_mb)",
 * or in bytes when no setting names it. */
static void cap_text(char *out, size_t cap, const struct es_http *h)
{
    size_t max = h->opts.max_body;
    if (h->opts.cap_name && !(max & ((1u << 20) - 1)))
        snprintf(out, cap, "the cap (%zu MB: %s)", max >> 20, h->opts.cap_name);
    else
        snprintf(out, cap, "%zu bytes", max);
}

/* A transport failure: the method and URL without its query (a $select of
 * every field would leave no room for the reason), then the reason. */
static int transport_error(struct es_http *h, CURLcode rc, const char *method, const char *url,
                           struct sink *s, struct es_err *err)
{
    const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
    int n = (int)strcspn(url, "?");
    if (s->stopped)
        return es_err_set(err, ES_ECONFLICT, "%s %.*s: stopped without waiting for the answer",
                          method, n, url);
    char cap[160];
    cap_text(cap, sizeof(cap), h);
    if (s->too_big)
        return es_err_set(err, ES_ETOOBIG, "%s %.*s: the answer is larger than %s", method, n, url,
                          cap);
    if (s->over_budget)
        return es_err_set(err, ES_ETOOBIG,
                          "%s %.*s: the answers in flight together are larger than %s", method, n,
                          url, cap);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return es_err_set(err, ES_ETIMEOUT, "%s %.*s: no answer within %ld ms", method, n, url,
                          h->opts.timeout_ms);
    return es_err_set(err, ES_ENET, "%s %.*s: %s", method, n, url, why);
}

int es_http_request(struct es_http *h, struct es_http_resp *out, const char *method,
                    const char *url, const char *const *headers, const char *body, size_t body_n,
                    int flags, struct es_err *err)
{
    CURL *c = h->curl;
    int closing = flags & ES_HTTP_CLOSING;
    struct sink s = {
        .r = out, .share = h->opts.share, .stopping = closing ? NULL : h->opts.stopping};
    long timeout = h->opts.timeout_ms;
    if (closing && timeout > ES_HTTP_CLOSING_MS)
        timeout = ES_HTTP_CLOSING_MS;
    reset_resp(out, h->opts.max_body);
    h->errbuf[0] = '\0';
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_n);
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, flags & ES_HTTP_FRESH ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, s.stopping ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    for (struct curl_slist *l = hl; l; l = l->next) /* an Authorization: Bearer */
        sodium_memzero(l->data, strlen(l->data));
    curl_slist_free_all(hl);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &out->seconds);
    if (rc != CURLE_OK)
        return transport_error(h, rc, method, url, &s, err);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    return 0;
}

void es_http_escape(struct es_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            es_buf_add(out, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            es_buf_add(out, e, 3);
        }
    }
}

void es_http_clear_cookies(struct es_http *h)
{
    curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "ALL");
}
