/* Signing in: cookie sessions, OAuth 2.0, the API-user limit, idle reclaim,
 * 401 without a session (API-NOTES §3, §4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct it_sim sim;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--dataset", "tiny", NULL};
    it_sim_start(&sim, args);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_sim_stop(&sim);
    return 0;
}

static void reset_sessions(struct it_client *c)
{
    struct it_resp r;
    it_control(c, "DELETE", "sessions", NULL, &r);
    it_resp_free(&r);
}

static void cookie_login_sets_session_cookies(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    reset_sessions(&c);
    struct it_resp r;
    it_req(&c, "POST", "/entity/auth/login",
           "{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Company\"}", NULL, &r);
    assert_int_equal(r.status, 204);
    assert_non_null(strstr(r.headers, "Set-Cookie: .ASPXAUTH="));
    assert_non_null(strstr(r.headers, "Set-Cookie: ASP.NET_SessionId="));
    assert_non_null(strstr(r.headers, "Set-Cookie: Locale="));
    assert_int_equal(r.len, 0);
    it_resp_free(&r);
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_req(&c, "POST", "/entity/auth/logout", NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    assert_non_null(strstr(r.headers, ".ASPXAUTH=; expires=Mon, 11-Oct-1999"));
    it_resp_free(&r);
    /* The cookie is gone: the next call is refused. */
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void company_is_accepted_like_tenant_and_form_bodies_too(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    reset_sessions(&c);
    struct it_resp r;
    it_req(&c, "POST", "/entity/auth/login",
           "{\"name\":\"admin\",\"password\":\"123\",\"company\":\"company\"}", NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    it_logout(&c);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    it_req(&c, "POST", "/entity/auth/login", "name=admin&password=123&tenant=Company", form, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
}

static void wrong_password_and_unknown_tenant_are_500(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    it_req(&c, "POST", "/entity/auth/login", "{\"name\":\"admin\",\"password\":\"wrong\"}", NULL,
           &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(cJSON_GetObjectItem(r.json, "exceptionMessage")->valuestring,
                        "Error: Invalid credentials. Please try again.");
    it_resp_free(&r);
    it_req(&c, "POST", "/entity/auth/login",
           "{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Nope\"}", NULL, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(cJSON_GetObjectItem(r.json, "exceptionType")->valuestring,
                        "PX.Data.PXUndefinedCompanyException");
    it_resp_free(&r);
    it_req(&c, "POST", "/entity/auth/login", "not json", NULL, &r);
    assert_int_equal(r.status, 400);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void no_session_is_401(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    it_get(&c, "Customer", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(cJSON_GetObjectItem(r.json, "message")->valuestring,
                        "Authorization has been denied for this request.");
    it_resp_free(&r);
    snprintf(c.bearer, sizeof(c.bearer), "not-a-token");
    it_get(&c, "Customer", &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void third_session_gets_api_login_limit(void **state)
{
    (void)state;
    struct it_client a, b, x;
    it_client_init(&a, &sim);
    it_client_init(&b, &sim);
    it_client_init(&x, &sim);
    reset_sessions(&a);
    it_login(&a);
    it_login(&b);
    struct it_resp r;
    it_req(&x, "POST", "/entity/auth/login", "{\"name\":\"admin\",\"password\":\"123\"}", NULL, &r);
    assert_int_equal(r.status, 429);
    assert_non_null(strstr(r.body, "API Login Limit"));
    it_resp_free(&r);
    /* Signing in again on a live session reuses its slot. */
    it_login(&a);
    /* Logging out frees a slot. */
    it_logout(&b);
    it_login(&x);
    it_logout(&a);
    it_logout(&x);
    it_client_dispose(&a);
    it_client_dispose(&b);
    it_client_dispose(&x);
}

static void unclosed_sessions_are_reclaimed_after_ten_minutes(void **state)
{
    (void)state;
    struct it_client a, b, x;
    it_client_init(&a, &sim);
    it_client_init(&b, &sim);
    it_client_init(&x, &sim);
    reset_sessions(&a);
    it_login(&a);
    it_login(&b);
    struct it_resp r;
    /* Nine minutes later the slots are still taken. */
    it_control(&x, "POST", "clock", "{\"shift_ms\":540000}", &r);
    it_resp_free(&r);
    it_req(&x, "POST", "/entity/auth/login", "{\"name\":\"admin\",\"password\":\"123\"}", NULL, &r);
    assert_int_equal(r.status, 429);
    it_resp_free(&r);
    /* Past ten minutes of idleness both are reclaimed. */
    it_control(&x, "POST", "clock", "{\"shift_ms\":61000}", &r);
    it_resp_free(&r);
    it_login(&x);
    it_get(&a, "Customer?$top=1", &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_logout(&x);
    it_control(&x, "POST", "clock", "{\"set_shift_ms\":0}", &r);
    it_resp_free(&r);
    it_client_dispose(&a);
    it_client_dispose(&b);
    it_client_dispose(&x);
}

static void logout_without_content_length_is_411(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    /* curl sends no Content-Length on a bodiless POST with a custom method. */
    const char *hdrs[] = {"Content-Length:", NULL};
    it_req(&c, "POST", "/entity/auth/logout", NULL, hdrs, &r);
    assert_int_equal(r.status, 411);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void oauth_password_grant_and_refresh(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    reset_sessions(&c);
    struct it_resp r;
    assert_int_equal(it_oauth(&c, "api", &r), 200);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "expires_in")->valuedouble, 3600);
    assert_string_equal(cJSON_GetObjectItem(r.json, "token_type")->valuestring, "Bearer");
    assert_null(cJSON_GetObjectItem(r.json, "refresh_token")); /* no offline_access */
    it_resp_free(&r);
    it_get(&c, "StockItem?$top=2", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    it_resp_free(&r);
    it_logout(&c); /* with the bearer header */
    c.bearer[0] = '\0';
    assert_int_equal(it_oauth(&c, "api offline_access", &r), 200);
    const cJSON *rt = cJSON_GetObjectItem(r.json, "refresh_token");
    assert_true(cJSON_IsString(rt));
    char body[512], old_access[128];
    snprintf(old_access, sizeof(old_access), "%s", c.bearer);
    snprintf(body, sizeof(body),
             "grant_type=refresh_token&client_id=%s&client_secret=acusim-secret&refresh_token=%s",
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"), rt->valuestring);
    it_resp_free(&r);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 200);
    const char *fresh = cJSON_GetObjectItem(r.json, "access_token")->valuestring;
    assert_string_not_equal(fresh, old_access);
    snprintf(c.bearer, sizeof(c.bearer), "%s", fresh);
    it_resp_free(&r);
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    /* The used refresh token was rotated away. */
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(cJSON_GetObjectItem(r.json, "error")->valuestring, "invalid_grant");
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
}

static void access_tokens_expire_after_an_hour(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    reset_sessions(&c);
    struct it_resp r;
    assert_int_equal(it_oauth(&c, "api offline_access", &r), 200);
    it_resp_free(&r);
    it_control(&c, "POST", "clock", "{\"shift_ms\":3540000}", &r); /* 59 minutes */
    it_resp_free(&r);
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_control(&c, "POST", "clock", "{\"shift_ms\":120000}", &r);
    it_resp_free(&r);
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_control(&c, "POST", "clock", "{\"set_shift_ms\":0}", &r);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void token_request_fails_when_slots_are_full(void **state)
{
    (void)state;
    struct it_client a, b, x;
    it_client_init(&a, &sim);
    it_client_init(&b, &sim);
    it_client_init(&x, &sim);
    reset_sessions(&a);
    it_login(&a);
    struct it_resp r;
    assert_int_equal(it_oauth(&b, "api", &r), 200);
    it_resp_free(&r);
    assert_int_equal(it_oauth(&x, "api", &r), 400);
    assert_non_null(strstr(r.body, "API Login Limit"));
    it_resp_free(&r);
    it_logout(&a);
    it_logout(&b);
    it_client_dispose(&a);
    it_client_dispose(&b);
    it_client_dispose(&x);
}

static void oauth_rejects_bad_clients_and_grants(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct it_resp r;
    it_req(&c, "POST", "/identity/connect/token",
           "grant_type=password&client_id=x%40Company&client_secret=acusim-secret&username=admin"
           "&password=123&scope=api",
           form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(cJSON_GetObjectItem(r.json, "error")->valuestring, "invalid_client");
    it_resp_free(&r);
    char body[400];
    snprintf(body, sizeof(body),
             "grant_type=password&client_id=%s&client_secret=acusim-secret&username=admin"
             "&password=bad&scope=api",
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"));
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(cJSON_GetObjectItem(r.json, "error")->valuestring, "invalid_grant");
    it_resp_free(&r);
    snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s&client_secret=acusim-secret",
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"));
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(cJSON_GetObjectItem(r.json, "error")->valuestring,
                        "unsupported_grant_type");
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void authorization_code_flow(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    reset_sessions(&c);
    struct it_resp r;
    char path[600], loc[600];
    snprintf(path, sizeof(path),
             "/identity/connect/authorize?response_type=code&client_id=%s&redirect_uri=%s"
             "&scope=api%%20offline_access&state=xyz",
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"),
             it_esc("http://localhost/callback"));
    it_req(&c, "GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    assert_non_null(it_header(&r, "Location", loc, sizeof(loc)));
    it_resp_free(&r);
    assert_true(strncmp(loc, "http://localhost/callback?code=", 31) == 0);
    assert_non_null(strstr(loc, "&state=xyz"));
    char code[128];
    snprintf(code, sizeof(code), "%.*s", (int)(strstr(loc, "&state") - (loc + 31)), loc + 31);
    char body[600];
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s"
             "&client_secret=acusim-secret",
             code, it_esc("http://localhost/callback"),
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"));
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(r.json, "refresh_token")));
    snprintf(c.bearer, sizeof(c.bearer), "%s",
             cJSON_GetObjectItem(r.json, "access_token")->valuestring);
    it_resp_free(&r);
    /* A code is good once. */
    it_req(&c, "POST", "/identity/connect/token", body, form, &r);
    assert_int_equal(r.status, 400);
    it_resp_free(&r);
    it_get(&c, "Vendor?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cookie_login_sets_session_cookies),
        cmocka_unit_test(company_is_accepted_like_tenant_and_form_bodies_too),
        cmocka_unit_test(wrong_password_and_unknown_tenant_are_500),
        cmocka_unit_test(no_session_is_401),
        cmocka_unit_test(third_session_gets_api_login_limit),
        cmocka_unit_test(unclosed_sessions_are_reclaimed_after_ten_minutes),
        cmocka_unit_test(logout_without_content_length_is_411),
        cmocka_unit_test(oauth_password_grant_and_refresh),
        cmocka_unit_test(access_tokens_expire_after_an_hour),
        cmocka_unit_test(token_request_fails_when_slots_are_full),
        cmocka_unit_test(oauth_rejects_bad_clients_and_grants),
        cmocka_unit_test(authorization_code_flow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
