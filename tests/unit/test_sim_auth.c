/* Signing in (API-NOTES §3), without HTTP: requests are built in memory and
 * handed to the auth module of an acusim with no data. The integration test
 * (tests/it/test_auth.c) covers the same over loopback with libcurl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "erpsync/arena.h"
#include "sim.h"

static struct sim sim;

struct call {
    struct es_arena arena;
    struct sim_arg headers[4];
    struct sim_req rq;
    struct sim_resp rs;
    char cookie[256];
};

static void call_init(struct call *c, const char *method, const char *body, const char *cookie)
{
    memset(c, 0, sizeof(*c));
    es_arena_init(&c->arena, 0);
    c->rq.method = method;
    c->rq.path = (char *)"";
    c->rq.query = (char *)"";
    c->rq.body = body ? body : "";
    c->rq.body_n = body ? strlen(body) : 0;
    c->rq.arena = &c->arena;
    c->rq.headers = c->headers;
    size_t n = 0;
    if (body)
        c->headers[n++] = (struct sim_arg){(char *)"Content-Length", (char *)"1"};
    if (cookie) {
        snprintf(c->cookie, sizeof(c->cookie), "%s", cookie);
        c->headers[n++] = (struct sim_arg){(char *)"Cookie", c->cookie};
    }
    c->rq.nheaders = n;
    sim_resp_init(&c->rs);
}

static void call_done(struct call *c)
{
    sim_resp_dispose(&c->rs);
    es_arena_dispose(&c->arena);
}

/* The value of a cookie the answer sets, "" when it sets none. */
static const char *set_cookie(const struct sim_resp *rs, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    out[0] = '\0';
    for (int i = 0; i < rs->nhdr; i++)
        if (!strcasecmp(rs->hname[i], "Set-Cookie") && !strncmp(rs->hvalue[i], name, n) &&
            rs->hvalue[i][n] == '=') {
            snprintf(out, cap, "%.*s", (int)strcspn(rs->hvalue[i] + n + 1, ";"), rs->hvalue[i] + n + 1);
            break;
        }
    return out;
}

#define CREDS "{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Company\"}"

/* Signs in and returns the session cookie header ("" when refused). */
static int login(char *cookie, size_t cap)
{
    struct call c;
    call_init(&c, "POST", CREDS, NULL);
    sim_auth_login(&sim, &c.rq, &c.rs);
    char v[128];
    snprintf(cookie, cap, ".ASPXAUTH=%s", set_cookie(&c.rs, ".ASPXAUTH", v, sizeof(v)));
    int status = c.rs.status;
    call_done(&c);
    return status;
}

static int check(const char *cookie)
{
    struct call c;
    call_init(&c, "GET", NULL, cookie);
    int rc = sim_auth_check(&sim, &c.rq, &c.rs, SIM_AUTH_COOKIE | SIM_AUTH_BEARER);
    int status = rc ? c.rs.status : 200;
    call_done(&c);
    return status;
}

static void logout(const char *cookie)
{
    struct call c;
    call_init(&c, "POST", "", cookie);
    c.headers[0] = (struct sim_arg){(char *)"Content-Length", (char *)"0"};
    c.headers[1] = (struct sim_arg){(char *)"Cookie", c.cookie};
    c.rq.nheaders = 2;
    sim_auth_logout(&sim, &c.rq, &c.rs);
    assert_int_equal(c.rs.status, 204);
    call_done(&c);
}

static int setup(void **state)
{
    (void)state;
    sim_config_defaults(&sim.cfg);
    sim.cfg.dataset = "none";
    sim.cfg.quiet = 1;
    struct es_err err = {0};
    if (sim_open(&sim, &err))
        fail_msg("acusim: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_close(&sim);
    return 0;
}

static void login_sets_session_cookies(void **state)
{
    (void)state;
    struct call c;
    call_init(&c, "POST", CREDS, NULL);
    sim_auth_login(&sim, &c.rq, &c.rs);
    assert_int_equal(c.rs.status, 204);
    char v[128];
    assert_int_equal(strlen(set_cookie(&c.rs, ".ASPXAUTH", v, sizeof(v))), 40);
    assert_true(strlen(set_cookie(&c.rs, "ASP.NET_SessionId", v, sizeof(v))) > 0);
    assert_string_equal(set_cookie(&c.rs, "CompanyID", v, sizeof(v)), "Company");
    char cookie[128];
    snprintf(cookie, sizeof(cookie), ".ASPXAUTH=%s", set_cookie(&c.rs, ".ASPXAUTH", v, sizeof(v)));
    call_done(&c);
    assert_int_equal(check(cookie), 200);
    logout(cookie);
    assert_int_equal(check(cookie), 401);
}

static void bad_credentials_and_tenants(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int status;
        const char *says;
    } cases[] = {
        {"{\"name\":\"admin\",\"password\":\"nope\",\"tenant\":\"Company\"}", 500, "Invalid credentials"},
        {"{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Elsewhere\"}", 500,
         "A proper company ID cannot be determined"},
        {"{\"name\":\"admin\",\"password\":\"123\",\"company\":\"Company\"}", 204, NULL},
        {"not json", 400, "credentials"},
        {"", 400, "credentials"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct call c;
        call_init(&c, "POST", cases[i].body, NULL);
        if (!cases[i].body[0])
            c.rq.body_n = 0;
        sim_auth_login(&sim, &c.rq, &c.rs);
        if (c.rs.status != cases[i].status)
            fail_msg("%s: HTTP %d, want %d", cases[i].body, c.rs.status, cases[i].status);
        if (cases[i].says && !strstr(c.rs.body.data ? c.rs.body.data : "", cases[i].says))
            fail_msg("%s: '%s' lacks '%s'", cases[i].body, c.rs.body.data, cases[i].says);
        if (c.rs.status == 204) {
            char v[128], cookie[128];
            snprintf(cookie, sizeof(cookie), ".ASPXAUTH=%s", set_cookie(&c.rs, ".ASPXAUTH", v, sizeof(v)));
            logout(cookie);
        }
        call_done(&c);
    }
    assert_int_equal(check(NULL), 401);
    assert_int_equal(check(".ASPXAUTH=0000000000000000000000000000000000000000"), 401);
}

/* Two API users at once (the trial licence); the third gets "API Login
 * Limit"; an unclosed session is reclaimed after 10 idle minutes. */
static void session_limit_and_idle_reclaim(void **state)
{
    (void)state;
    char a[128], b[128], c[128];
    assert_int_equal(login(a, sizeof(a)), 204);
    assert_int_equal(login(b, sizeof(b)), 204);
    struct call x;
    call_init(&x, "POST", CREDS, NULL);
    sim_auth_login(&sim, &x.rq, &x.rs);
    assert_int_equal(x.rs.status, 429);
    assert_non_null(strstr(x.rs.body.data, "API Login Limit"));
    call_done(&x);
    assert_int_equal(sim_auth_open_sessions(&sim), 2);
    sim_clock_shift(&sim, 9 * 60 * 1000);
    assert_int_equal(check(a), 200); /* a is used: its idle time restarts */
    sim_clock_shift(&sim, 2 * 60 * 1000);
    /* b idled 11 minutes and was reclaimed; a idled 2. */
    assert_int_equal(login(c, sizeof(c)), 204);
    assert_int_equal(check(b), 401);
    assert_int_equal(check(a), 200);
    logout(a);
    logout(c);
    assert_int_equal(sim_auth_open_sessions(&sim), 0);
}

static void token(const char *form, struct call *c)
{
    call_init(c, "POST", form, NULL);
    sim_auth_token(&sim, &c->rq, &c->rs);
}

static void oauth_password_and_refresh_grants(void **state)
{
    (void)state;
    char form[512];
    snprintf(form, sizeof(form),
             "grant_type=password&client_id=%s&client_secret=%s&username=admin&password=123"
             "&scope=api+offline_access",
             sim.cfg.oauth_client_id, sim.cfg.oauth_client_secret);
    struct call c;
    token(form, &c);
    assert_int_equal(c.rs.status, 200);
    cJSON *j = cJSON_Parse(c.rs.body.data);
    assert_int_equal((int)cJSON_GetObjectItem(j, "expires_in")->valuedouble, 3600);
    assert_string_equal(cJSON_GetObjectItem(j, "token_type")->valuestring, "Bearer");
    const char *refresh = cJSON_GetStringValue(cJSON_GetObjectItem(j, "refresh_token"));
    assert_non_null(refresh);
    snprintf(form, sizeof(form), "grant_type=refresh_token&client_id=%s&client_secret=%s&refresh_token=%s",
             sim.cfg.oauth_client_id, sim.cfg.oauth_client_secret, refresh);
    cJSON_Delete(j);
    call_done(&c);
    token(form, &c);
    assert_int_equal(c.rs.status, 200);
    call_done(&c);
    /* The refresh token was used: it cannot be used again. */
    token(form, &c);
    assert_int_equal(c.rs.status, 400);
    assert_non_null(strstr(c.rs.body.data, "invalid_grant"));
    call_done(&c);

    /* Without offline_access there is no refresh token. */
    snprintf(form, sizeof(form),
             "grant_type=password&client_id=%s&client_secret=%s&username=admin&password=123&scope=api",
             sim.cfg.oauth_client_id, sim.cfg.oauth_client_secret);
    token(form, &c);
    assert_int_equal(c.rs.status, 200);
    j = cJSON_Parse(c.rs.body.data);
    assert_null(cJSON_GetObjectItem(j, "refresh_token"));
    cJSON_Delete(j);
    call_done(&c);
    sim_auth_reset(&sim);
}

static void oauth_refusals(void **state)
{
    (void)state;
    char form[512];
    static const struct {
        const char *fmt;
        const char *error;
    } cases[] = {
        {"grant_type=password&client_id=%s&client_secret=wrong&username=admin&password=123", "invalid_client"},
        {"grant_type=password&client_id=%s&client_secret=%s&username=admin&password=bad", "invalid_grant"},
        {"grant_type=password&client_id=%s&client_secret=%s&username=admin&password=123&scope=openid",
         "invalid_scope"},
        {"grant_type=magic&client_id=%s&client_secret=%s", "unsupported_grant_type"},
        {"grant_type=authorization_code&client_id=%s&client_secret=%s&code=forged&redirect_uri=x",
         "invalid_grant"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(form, sizeof(form), cases[i].fmt, sim.cfg.oauth_client_id, sim.cfg.oauth_client_secret);
        struct call c;
        token(form, &c);
        if (c.rs.status != 400 || !strstr(c.rs.body.data, cases[i].error))
            fail_msg("%s: HTTP %d %s, want 400 %s", form, c.rs.status, c.rs.body.data, cases[i].error);
        call_done(&c);
    }
    /* A client id of another tenant says so. */
    snprintf(form, sizeof(form), "grant_type=password&client_id=%.36s@Other&client_secret=%s",
             sim.cfg.oauth_client_id, sim.cfg.oauth_client_secret);
    struct call c;
    token(form, &c);
    assert_int_equal(c.rs.status, 400);
    assert_non_null(strstr(c.rs.body.data, "Unknown tenant"));
    call_done(&c);
    assert_int_equal(sim_auth_open_sessions(&sim), 0);
}

/* IIS answers a logout without Content-Length with 411, and the session
 * stays open. */
static void logout_needs_a_length(void **state)
{
    (void)state;
    char cookie[128];
    assert_int_equal(login(cookie, sizeof(cookie)), 204);
    struct call c;
    call_init(&c, "POST", NULL, cookie);
    sim_auth_logout(&sim, &c.rq, &c.rs);
    assert_int_equal(c.rs.status, 411);
    call_done(&c);
    assert_int_equal(check(cookie), 200);
    logout(cookie);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_sets_session_cookies),
        cmocka_unit_test(bad_credentials_and_tenants),
        cmocka_unit_test(session_limit_and_idle_reclaim),
        cmocka_unit_test(oauth_password_and_refresh_grants),
        cmocka_unit_test(oauth_refusals),
        cmocka_unit_test(logout_needs_a_length),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
