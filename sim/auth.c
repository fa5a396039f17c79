/* Sessions and tokens. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "erpsync/utf8.h"
#include "sim.h"

enum { KIND_COOKIE, KIND_OAUTH };

struct sim_session {
    int kind;
    int open;
    char auth[48];     /* .ASPXAUTH value */
    char sid[32];      /* ASP.NET_SessionId */
    char access[48];   /* OAuth access token */
    char refresh[48];  /* OAuth refresh token, "" without offline_access */
    int64_t token_expires;
    int64_t last_used; /* ERP clock */
    int64_t opened;
    char user[64];
};

struct code {
    char code[48];
    char redirect[256];
    char scope[128];
    int64_t expires;
};

struct sim_auth {
    pthread_mutex_t mu;
    struct sim_session *ss;
    size_t n, cap;
    struct code codes[16];
    int ncodes;
    long logins, refused;
};

struct sim_auth *sim_auth_new(struct sim *s)
{
    (void)s;
    if (sodium_init() < 0)
        abort();
    struct sim_auth *a = es_xcalloc(1, sizeof(*a));
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void sim_auth_free(struct sim_auth *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->mu);
    free(a->ss);
    free(a);
}

static void random_token(char *out, size_t cap, size_t bytes)
{
    unsigned char raw[32];
    if (bytes > sizeof(raw))
        bytes = sizeof(raw);
    randombytes_buf(raw, bytes);
    sodium_bin2base64(out, cap, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void random_hex(char *out, size_t cap, size_t bytes)
{
    unsigned char raw[32];
    if (bytes > sizeof(raw))
        bytes = sizeof(raw);
    randombytes_buf(raw, bytes);
    sodium_bin2hex(out, cap, raw, bytes);
}

/* Close sessions idle past the reclaim time and grants whose token expired
 * without a way to refresh. Caller holds the lock. */
static void reclaim(struct sim *s, struct sim_auth *a, int64_t now)
{
    for (size_t i = 0; i < a->n; i++) {
        struct sim_session *x = &a->ss[i];
        if (!x->open)
            continue;
        if (now - x->last_used >= s->cfg.idle_ms)
            x->open = 0;
        else if (x->kind == KIND_OAUTH && !x->refresh[0] && now >= x->token_expires)
            x->open = 0;
    }
}

static int count_open(struct sim_auth *a)
{
    int n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += a->ss[i].open;
    return n;
}

static struct sim_session *slot(struct sim_auth *a)
{
    for (size_t i = 0; i < a->n; i++)
        if (!a->ss[i].open)
            return memset(&a->ss[i], 0, sizeof(a->ss[i]));
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->ss = es_xrealloc(a->ss, a->cap * sizeof(*a->ss));
    }
    return memset(&a->ss[a->n++], 0, sizeof(a->ss[0]));
}

void sim_auth_common_cookies(struct sim *s, struct sim_resp *rs)
{
    int off = es_tz_offset_min(sim_clock_now(s));
    int a = off < 0 ? -off : off;
    char zone[16];
    if (off == 0)
        snprintf(zone, sizeof(zone), "GMTE0000U");
    else
        snprintf(zone, sizeof(zone), "GMT%c%02d%02dA", off < 0 ? 'M' : 'P', a / 60, a % 60);
    sim_resp_header(rs, "Set-Cookie", "Locale=Culture=en-US&TimeZone=%s; path=/", zone);
    sim_resp_header(rs, "Set-Cookie", "UserBranch=1; path=/");
}

static void login_limit(struct sim *s, struct sim_resp *rs)
{
    sim_resp_error(rs, s->cfg.login_limit_status, "An error has occurred.", "API Login Limit",
                   "PX.Data.PXException");
}

/* name/password/tenant from a JSON or form body. */
struct creds {
    char name[128], password[128], tenant[128];
    int has_tenant;
};

static void copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int parse_creds(struct sim_req *rq, struct creds *c)
{
    memset(c, 0, sizeof(*c));
    const char *ct = sim_req_header(rq, "Content-Type");
    if (ct && strstr(ct, "x-www-form-urlencoded")) {
        char *body = es_arena_strndup(rq->arena, rq->body, rq->body_n);
        for (char *p = body; p && *p;) {
            char *amp = strchr(p, '&');
            if (amp)
                *amp = '\0';
            char *eq = strchr(p, '=');
            if (eq) {
                *eq = '\0';
                sim_url_decode(p, 1);
                sim_url_decode(eq + 1, 1);
                if (!strcasecmp(p, "name"))
                    copy_field(c->name, sizeof(c->name), eq + 1);
                else if (!strcasecmp(p, "password"))
                    copy_field(c->password, sizeof(c->password), eq + 1);
                else if (!strcasecmp(p, "tenant") || !strcasecmp(p, "company")) {
                    copy_field(c->tenant, sizeof(c->tenant), eq + 1);
                    c->has_tenant = 1;
                }
            }
            p = amp ? amp + 1 : NULL;
        }
        return 0;
    }
    if (!es_utf8_valid(rq->body, rq->body_n, NULL))
        return -1; /* JSON is UTF-8 */
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_n);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return -1;
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, j)
    {
        if (!cJSON_IsString(v) || !v->string)
            continue;
        if (!strcasecmp(v->string, "name"))
            copy_field(c->name, sizeof(c->name), v->valuestring);
        else if (!strcasecmp(v->string, "password"))
            copy_field(c->password, sizeof(c->password), v->valuestring);
        else if (!strcasecmp(v->string, "tenant") || !strcasecmp(v->string, "company")) {
            copy_field(c->tenant, sizeof(c->tenant), v->valuestring);
            c->has_tenant = c->tenant[0] != 0;
        }
    }
    cJSON_Delete(j);
    return 0;
}

static int creds_ok(struct sim *s, const char *name, const char *password)
{
    return !strcasecmp(name, s->cfg.user) && !strcmp(password, s->cfg.password);
}

static struct sim_session *find_cookie(struct sim_auth *a, const char *auth)
{
    for (size_t i = 0; auth && i < a->n; i++)
        if (a->ss[i].open && a->ss[i].kind == KIND_COOKIE && !strcmp(a->ss[i].auth, auth))
            return &a->ss[i];
    return NULL;
}

/* The grant an access token belongs to, open or reclaimed. */
static struct sim_session *find_access(struct sim_auth *a, const char *tok)
{
    for (size_t i = 0; tok && i < a->n; i++)
        if (a->ss[i].kind == KIND_OAUTH && a->ss[i].access[0] && !strcmp(a->ss[i].access, tok))
            return &a->ss[i];
    return NULL;
}

/* Acumatica's request-tracing cookies, set on sign-in and sign-out answers. */
static void request_cookies(struct sim_resp *rs, const char *what)
{
    char reqid[40];
    random_hex(reqid, sizeof(reqid), 16);
    sim_resp_header(rs, "Set-Cookie", "requestid=%s; path=/", reqid);
    sim_resp_header(rs, "Set-Cookie", "requeststat=+st:0+sc:~/%s; path=/", what);
}

void sim_auth_login(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    struct creds c;
    if (rq->body_n == 0 || parse_creds(rq, &c)) {
        rs->status = 400;
        sim_resp_json(rs, 400,
                      "{\"message\":\"The request is invalid.\",\"modelState\":{\"credentials\":"
                      "[\"The credentials are missing or not valid JSON.\"]}}");
        return;
    }
    sim_auth_common_cookies(s, rs);
    request_cookies(rs, "entity/auth/login");
    if (c.has_tenant && strcasecmp(c.tenant, s->cfg.tenant)) {
        sim_resp_error(rs, 500, "An error has occurred.",
                       "A proper company ID cannot be determined for the request.",
                       "PX.Data.PXUndefinedCompanyException");
        return;
    }
    if (!creds_ok(s, c.name, c.password)) {
        sim_resp_error(rs, 500, "An error has occurred.",
                       "Error: Invalid credentials. Please try again.", "PX.Data.PXException");
        return;
    }
    struct sim_auth *a = s->auth;
    int64_t now = sim_clock_now(s);
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, now);
    /* Signing in again with a live session cookie re-authenticates it. */
    struct sim_session *x = find_cookie(a, sim_req_cookie(rq, ".ASPXAUTH"));
    if (!x && count_open(a) >= s->cfg.max_sessions) {
        a->refused++;
        pthread_mutex_unlock(&a->mu);
        login_limit(s, rs);
        return;
    }
    if (!x) {
        x = slot(a);
        x->kind = KIND_COOKIE;
        x->open = 1;
        x->opened = now;
        random_hex(x->auth, sizeof(x->auth), 20);
        random_token(x->sid, sizeof(x->sid), 18);
    }
    x->last_used = now;
    copy_field(x->user, sizeof(x->user), c.name);
    a->logins++;
    char auth[48], sid[32];
    memcpy(auth, x->auth, sizeof(auth));
    memcpy(sid, x->sid, sizeof(sid));
    pthread_mutex_unlock(&a->mu);
    rs->status = 204;
    sim_resp_header(rs, "Set-Cookie", ".ASPXAUTH=%s; path=/; HttpOnly", auth);
    sim_resp_header(rs, "Set-Cookie", "ASP.NET_SessionId=%s; path=/; HttpOnly; SameSite=Lax", sid);
    char exp[64];
    es_time_format_http(exp, sizeof(exp), now + 3LL * 86400000);
    sim_resp_header(rs, "Set-Cookie", "CompanyID=%s; expires=%s; path=/", s->cfg.tenant, exp);
}

static const char *bearer(struct sim_req *rq)
{
    const char *h = sim_req_header(rq, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7))
        return h + 7;
    return NULL;
}

void sim_auth_logout(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    if (s->cfg.strict_logout && !sim_req_header(rq, "Content-Length") &&
        !sim_req_header(rq, "Transfer-Encoding")) {
        rs->status = 411;
        rs->ctype = "text/html; charset=us-ascii";
        es_buf_adds(&rs->body, "<h2>Length Required</h2>");
        return;
    }
    struct sim_auth *a = s->auth;
    pthread_mutex_lock(&a->mu);
    struct sim_session *x = find_cookie(a, sim_req_cookie(rq, ".ASPXAUTH"));
    if (!x)
        x = find_access(a, bearer(rq));
    if (x) {
        x->open = 0;
        x->access[0] = '\0'; /* signed out: the token is dead too */
        x->refresh[0] = '\0';
    }
    pthread_mutex_unlock(&a->mu);
    sim_auth_common_cookies(s, rs);
    char past[64];
    es_time_format_http(past, sizeof(past), sim_clock_now(s) - 365LL * 86400000);
    rs->status = 204;
    sim_resp_header(rs, "Set-Cookie", ".ASPXAUTH=; expires=Mon, 11-Oct-1999 20:00:00 GMT; "
                                      "path=/; HttpOnly");
    sim_resp_header(rs, "Set-Cookie", "ASP.NET_SessionId=; expires=%s; path=/", past);
    request_cookies(rs, "entity/auth/logout");
}

static int basic_ok(struct sim *s, struct sim_req *rq)
{
    const char *h = sim_req_header(rq, "Authorization");
    if (!h || strncasecmp(h, "Basic ", 6))
        return 0;
    unsigned char dec[256];
    size_t n = 0;
    if (sodium_base642bin(dec, sizeof(dec) - 1, h + 6, strlen(h + 6), " ", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL))
        return 0;
    dec[n] = '\0';
    char *colon = strchr((char *)dec, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    /* "user@Tenant" is the legacy form of the user name. */
    char *at = strchr((char *)dec, '@');
    if (at) {
        *at = '\0';
        if (strcasecmp(at + 1, s->cfg.tenant))
            return 0;
    }
    return creds_ok(s, (char *)dec, colon + 1);
}

void sim_auth_end(struct sim *s, struct sim_req *rq)
{
    struct sim_auth *a = s->auth;
    pthread_mutex_lock(&a->mu);
    struct sim_session *x = find_cookie(a, sim_req_cookie(rq, ".ASPXAUTH"));
    if (!x)
        x = find_access(a, bearer(rq));
    if (x) {
        x->open = 0;
        x->access[0] = '\0'; /* its token is dead; a refresh token may open another */
    }
    pthread_mutex_unlock(&a->mu);
}

int sim_auth_check(struct sim *s, struct sim_req *rq, struct sim_resp *rs, int allowed)
{
    struct sim_auth *a = s->auth;
    int64_t now = sim_clock_now(s);
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, now);
    struct sim_session *x = NULL;
    const char *tok = bearer(rq);
    int limited = 0;
    if ((allowed & SIM_AUTH_BEARER) && tok) {
        x = find_access(a, tok);
        if (x && now >= x->token_expires)
            x = NULL;
        /* A valid token whose session was reclaimed opens a new one. */
        if (x && !x->open) {
            if (count_open(a) >= s->cfg.max_sessions) {
                limited = 1;
                x = NULL;
            } else {
                x->open = 1;
            }
        }
    } else if (allowed & SIM_AUTH_COOKIE) {
        x = find_cookie(a, sim_req_cookie(rq, ".ASPXAUTH"));
    }
    if (x)
        x->last_used = now;
    rq->session = x;
    pthread_mutex_unlock(&a->mu);
    if (x)
        return 0;
    if (limited) {
        login_limit(s, rs);
        return -1;
    }
    if ((allowed & SIM_AUTH_BASIC) && basic_ok(s, rq))
        return 0;
    sim_resp_error(rs, 401, "Authorization has been denied for this request.", NULL, NULL);
    if (allowed & SIM_AUTH_BASIC)
        sim_resp_header(rs, "WWW-Authenticate", "Basic realm=\"%s\"", s->cfg.tenant);
    return -1;
}

/* ---- OAuth 2.0 ---- */

static void oauth_error(struct sim_resp *rs, int status, const char *error, const char *desc)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"error\":\"%s\",\"error_description\":\"%s\"}", error, desc);
    sim_resp_json(rs, status, body);
    sim_resp_header(rs, "Cache-Control", "no-store");
}

struct form {
    char grant[32], client_id[128], secret[128], user[128], password[128], scope[256];
    char refresh[64], code[64], redirect[256];
};

static void parse_form(struct sim_req *rq, struct form *f)
{
    memset(f, 0, sizeof(*f));
    char *body = es_arena_strndup(rq->arena, rq->body, rq->body_n);
    for (char *p = body; p && *p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq) {
            *eq = '\0';
            sim_url_decode(p, 1);
            char *v = eq + 1;
            sim_url_decode(v, 1);
            struct {
                const char *k;
                char *dst;
                size_t cap;
            } map[] = {{"grant_type", f->grant, sizeof(f->grant)},
                       {"client_id", f->client_id, sizeof(f->client_id)},
                       {"client_secret", f->secret, sizeof(f->secret)},
                       {"username", f->user, sizeof(f->user)},
                       {"password", f->password, sizeof(f->password)},
                       {"scope", f->scope, sizeof(f->scope)},
                       {"refresh_token", f->refresh, sizeof(f->refresh)},
                       {"code", f->code, sizeof(f->code)},
                       {"redirect_uri", f->redirect, sizeof(f->redirect)}};
            for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (!strcmp(p, map[i].k))
                    copy_field(map[i].dst, map[i].cap, v);
        }
        p = amp ? amp + 1 : NULL;
    }
}

static int has_scope(const char *scopes, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = scopes; (p = strstr(p, want)); p += n)
        if ((p == scopes || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

static void client_basic(struct sim_req *rq, struct form *f)
{
    const char *h = sim_req_header(rq, "Authorization");
    if (!h || strncasecmp(h, "Basic ", 6) || f->client_id[0])
        return;
    unsigned char dec[300];
    size_t n = 0;
    if (sodium_base642bin(dec, sizeof(dec) - 1, h + 6, strlen(h + 6), " ", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL))
        return;
    dec[n] = '\0';
    char *colon = strchr((char *)dec, ':');
    if (!colon)
        return;
    *colon = '\0';
    sim_url_decode((char *)dec, 1);
    sim_url_decode(colon + 1, 1);
    copy_field(f->client_id, sizeof(f->client_id), (char *)dec);
    copy_field(f->secret, sizeof(f->secret), colon + 1);
}

static void issue(struct sim *s, struct sim_resp *rs, struct sim_session *x, const char *scope)
{
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "{\"access_token\":\"%s\",\"expires_in\":%ld,\"token_type\":\"Bearer\"",
                     x->access, s->cfg.token_seconds);
    if (x->refresh[0])
        n += snprintf(body + n, sizeof(body) - (size_t)n, ",\"refresh_token\":\"%s\"", x->refresh);
    snprintf(body + n, sizeof(body) - (size_t)n, ",\"scope\":\"%s\"}", scope);
    sim_resp_json(rs, 200, body);
    sim_resp_header(rs, "Cache-Control", "no-cache, no-store");
    sim_resp_header(rs, "Pragma", "no-cache");
    sim_auth_common_cookies(s, rs);
    request_cookies(rs, "identity/connect/token");
}

/* A new grant (session) for password and authorization_code grants. */
static void new_grant(struct sim *s, struct sim_resp *rs, const char *user, const char *scope)
{
    struct sim_auth *a = s->auth;
    int64_t now = sim_clock_now(s);
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, now);
    if (count_open(a) >= s->cfg.max_sessions) {
        a->refused++;
        pthread_mutex_unlock(&a->mu);
        oauth_error(rs, 400, "invalid_grant", "API Login Limit");
        return;
    }
    struct sim_session *x = slot(a);
    x->kind = KIND_OAUTH;
    x->open = 1;
    x->opened = x->last_used = now;
    x->token_expires = now + s->cfg.token_seconds * 1000LL;
    random_token(x->access, sizeof(x->access), 32);
    if (has_scope(scope, "offline_access"))
        random_token(x->refresh, sizeof(x->refresh), 32);
    copy_field(x->user, sizeof(x->user), user);
    a->logins++;
    struct sim_session copy = *x;
    pthread_mutex_unlock(&a->mu);
    issue(s, rs, &copy, scope);
}

static void refresh_grant(struct sim *s, struct sim_resp *rs, const struct form *f)
{
    struct sim_auth *a = s->auth;
    int64_t now = sim_clock_now(s);
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, now);
    struct sim_session *x = NULL;
    for (size_t i = 0; f->refresh[0] && i < a->n && !x; i++)
        if (a->ss[i].kind == KIND_OAUTH && !strcmp(a->ss[i].refresh, f->refresh))
            x = &a->ss[i];
    if (!x) {
        pthread_mutex_unlock(&a->mu);
        oauth_error(rs, 400, "invalid_grant", "The refresh token is invalid or expired.");
        return;
    }
    if (!x->open) {
        /* The session was reclaimed: refreshing opens it again, if a slot is free. */
        if (count_open(a) >= s->cfg.max_sessions) {
            pthread_mutex_unlock(&a->mu);
            oauth_error(rs, 400, "invalid_grant", "API Login Limit");
            return;
        }
        x->open = 1;
    }
    x->last_used = now;
    x->token_expires = now + s->cfg.token_seconds * 1000LL;
    random_token(x->access, sizeof(x->access), 32);
    random_token(x->refresh, sizeof(x->refresh), 32); /* rotate; keep the newest */
    struct sim_session copy = *x;
    pthread_mutex_unlock(&a->mu);
    issue(s, rs, &copy, "api offline_access");
}

static int take_code(struct sim *s, const char *code, const char *redirect, char *scope,
                     size_t cap)
{
    struct sim_auth *a = s->auth;
    int ok = 0;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->ncodes; i++) {
        struct code *c = &a->codes[i];
        if (!strcmp(c->code, code) && !strcmp(c->redirect, redirect) &&
            sim_clock_now(s) < c->expires) {
            copy_field(scope, cap, c->scope);
            a->codes[i] = a->codes[--a->ncodes];
            ok = 1;
            break;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return ok;
}

void sim_auth_token(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    if (strcmp(rq->method, "POST")) {
        oauth_error(rs, 405, "invalid_request", "Use POST.");
        return;
    }
    struct form f;
    parse_form(rq, &f);
    client_basic(rq, &f);
    const char *at = strchr(f.client_id, '@');
    if (strcasecmp(f.client_id, s->cfg.oauth_client_id) || strcmp(f.secret, s->cfg.oauth_client_secret)) {
        oauth_error(rs, 400, "invalid_client",
                    at && strcasecmp(at + 1, s->cfg.tenant) ? "Unknown tenant." : "Unknown client.");
        return;
    }
    if (!f.scope[0])
        copy_field(f.scope, sizeof(f.scope), "api");
    if (!strcmp(f.grant, "password")) {
        if (!has_scope(f.scope, "api")) {
            oauth_error(rs, 400, "invalid_scope", "The api scope is required.");
            return;
        }
        if (!creds_ok(s, f.user, f.password)) {
            oauth_error(rs, 400, "invalid_grant", "invalid_username_or_password");
            return;
        }
        new_grant(s, rs, f.user, f.scope);
    } else if (!strcmp(f.grant, "refresh_token")) {
        refresh_grant(s, rs, &f);
    } else if (!strcmp(f.grant, "authorization_code")) {
        char scope[128];
        if (!take_code(s, f.code, f.redirect, scope, sizeof(scope))) {
            oauth_error(rs, 400, "invalid_grant", "The authorization code is invalid.");
            return;
        }
        new_grant(s, rs, s->cfg.user, scope);
    } else {
        oauth_error(rs, 400, "unsupported_grant_type", "The grant type is not supported.");
    }
}

/* The sign-in page is skipped: the configured user consents at once. */
void sim_auth_authorize(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    const char *type = sim_req_arg(rq, "response_type");
    const char *client = sim_req_arg(rq, "client_id");
    const char *redirect = sim_req_arg(rq, "redirect_uri");
    const char *scope = sim_req_arg(rq, "scope");
    const char *state = sim_req_arg(rq, "state");
    if (!client || strcasecmp(client, s->cfg.oauth_client_id) || !redirect || !*redirect) {
        oauth_error(rs, 400, "invalid_client", "Unknown client or redirect_uri.");
        return;
    }
    if (!type || strcmp(type, "code")) {
        oauth_error(rs, 400, "unsupported_response_type", "Only response_type=code is supported.");
        return;
    }
    struct sim_auth *a = s->auth;
    struct code c = {0};
    random_token(c.code, sizeof(c.code), 24);
    copy_field(c.redirect, sizeof(c.redirect), redirect);
    copy_field(c.scope, sizeof(c.scope), scope ? scope : "api");
    c.expires = sim_clock_now(s) + 300000;
    pthread_mutex_lock(&a->mu);
    if (a->ncodes == (int)(sizeof(a->codes) / sizeof(a->codes[0])))
        a->ncodes--;
    a->codes[a->ncodes++] = c;
    pthread_mutex_unlock(&a->mu);
    rs->status = 302;
    sim_resp_header(rs, "Location", "%s%scode=%s%s%s", redirect, strchr(redirect, '?') ? "&" : "?",
                    c.code, state ? "&state=" : "", state ? state : "");
}

void sim_auth_discovery(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    (void)rq;
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"issuer\":\"%s/identity\",\"authorization_endpoint\":\"%s/identity/connect/"
             "authorize\",\"token_endpoint\":\"%s/identity/connect/token\","
             "\"userinfo_endpoint\":\"%s/identity/connect/userinfo\","
             "\"scopes_supported\":[\"api\",\"offline_access\",\"api:concurrent_access\","
             "\"openid\",\"profile\",\"email\"],\"grant_types_supported\":[\"authorization_code\","
             "\"password\",\"refresh_token\"],\"response_types_supported\":[\"code\"]}",
             s->cfg.site, s->cfg.site, s->cfg.site, s->cfg.site);
    sim_resp_json(rs, 200, body);
}

int sim_auth_open_sessions(struct sim *s)
{
    struct sim_auth *a = s->auth;
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, sim_clock_now(s));
    int n = count_open(a);
    pthread_mutex_unlock(&a->mu);
    return n;
}

void sim_auth_json(struct sim *s, struct es_buf *out)
{
    struct sim_auth *a = s->auth;
    int64_t now = sim_clock_now(s);
    pthread_mutex_lock(&a->mu);
    reclaim(s, a, now);
    es_buf_addf(out, "{\"open\":%d,\"max\":%d,\"logins\":%ld,\"refused\":%ld,\"sessions\":[",
                count_open(a), s->cfg.max_sessions, a->logins, a->refused);
    int first = 1;
    for (size_t i = 0; i < a->n; i++) {
        struct sim_session *x = &a->ss[i];
        if (!x->open)
            continue;
        es_buf_addf(out, "%s{\"kind\":\"%s\",\"user\":\"%s\",\"idle_ms\":%lld,\"refreshable\":%s}",
                    first ? "" : ",", x->kind == KIND_COOKIE ? "cookie" : "oauth", x->user,
                    (long long)(now - x->last_used), x->refresh[0] ? "true" : "false");
        first = 0;
    }
    es_buf_adds(out, "]}");
    pthread_mutex_unlock(&a->mu);
}

void sim_auth_reset(struct sim *s)
{
    struct sim_auth *a = s->auth;
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < a->n; i++)
        a->ss[i].open = 0;
    a->logins = a->refused = 0;
    pthread_mutex_unlock(&a->mu);
}
