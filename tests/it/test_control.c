/* The control API tests use: fault injection, the ERP clock, changes made
 * as a user, late commits, continuous mutation, counters, documents by
 * external reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct it_sim sim;
static struct it_client cl;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--dataset", "tiny", NULL};
    it_session_start(&sim, &cl, args);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_session_stop(&sim, &cl);
    return 0;
}

static void fault(const char *json)
{
    struct it_resp r;
    it_control(&cl, "POST", "faults", json, &r);
    if (r.status != 200)
        fail_msg("fault %s: %ld %s", json, r.status, r.body);
    it_resp_free(&r);
}

static void status_faults_fire_count_times(void **state)
{
    (void)state;
    fault("{\"kind\":\"status\",\"status\":500,\"method\":\"GET\",\"path\":\"/Vendor\",\"count\":2}");
    struct it_resp r;
    for (int i = 0; i < 3; i++) {
        it_get(&cl, "Vendor?$top=1", &r);
        assert_int_equal(r.status, i < 2 ? 500 : 200);
        it_resp_free(&r);
    }
    /* Other paths are untouched. */
    fault("{\"kind\":\"status\",\"status\":503,\"path\":\"/Vendor\",\"count\":1}");
    it_get(&cl, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_control(&cl, "DELETE", "faults", NULL, &r);
    it_resp_free(&r);
    it_control(&cl, "POST", "faults", "{\"kind\":\"explode\"}", &r);
    assert_int_equal(r.status, 400);
    it_resp_free(&r);
}

static void cut_and_malformed_bodies(void **state)
{
    (void)state;
    fault("{\"kind\":\"cut\",\"path\":\"/Customer\",\"count\":1}");
    struct it_resp r;
    it_get(&cl, "Customer", &r);
    assert_true(r.curl_code == CURLE_PARTIAL_FILE || r.curl_code == CURLE_RECV_ERROR);
    assert_null(r.json);
    it_resp_free(&r);
    fault("{\"kind\":\"malformed\",\"path\":\"/Customer\",\"count\":1}");
    it_get(&cl, "Customer", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.curl_code, CURLE_OK);
    assert_null(r.json); /* complete transfer, broken JSON */
    it_resp_free(&r);
    fault("{\"kind\":\"reset\",\"path\":\"/Customer\",\"count\":1}");
    cl.fresh = 1;
    it_get(&cl, "Customer", &r);
    assert_int_not_equal(r.curl_code, CURLE_OK);
    it_resp_free(&r);
    it_get(&cl, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

static int duplicated(void)
{
    struct it_resp r;
    it_control(&cl, "GET", "extref/SalesOrder?field=CustomerOrder", NULL, &r);
    int n = (int)cJSON_GetObjectItem(r.json, "duplicated_references")->valuedouble;
    it_resp_free(&r);
    return n;
}

static void drop_after_commit_keeps_the_record(void **state)
{
    (void)state;
    int dups = duplicated();
    fault("{\"kind\":\"drop\",\"method\":\"PUT\",\"path\":\"/SalesOrder\",\"count\":1}");
    struct it_resp r;
    cl.fresh = 1;
    it_put(&cl, "SalesOrder", "{\"CustomerID\":{\"value\":\"C000000007\"},\"CustomerOrder\":{\"value\":\"LOST-RESPONSE-1\"}}", &r);
    assert_int_not_equal(r.curl_code, CURLE_OK); /* no answer at all */
    it_resp_free(&r);
    it_control(&cl, "GET", "extref/SalesOrder?field=CustomerOrder", NULL, &r);
    assert_int_equal(r.status, 200);
    const cJSON *counts = cJSON_GetObjectItem(r.json, "counts");
    assert_int_equal((int)cJSON_GetObjectItem(counts, "LOST-RESPONSE-1")->valuedouble, 1);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "duplicated_references")->valuedouble, dups);
    it_resp_free(&r);
    /* A client retrying blindly makes a duplicate, which the counter shows. */
    it_put(&cl, "SalesOrder", "{\"CustomerID\":{\"value\":\"C000000007\"},\"CustomerOrder\":{\"value\":\"LOST-RESPONSE-1\"}}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_control(&cl, "GET", "extref/SalesOrder?field=CustomerOrder", NULL, &r);
    assert_int_equal((int)cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "counts"), "LOST-RESPONSE-1")->valuedouble, 2);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "duplicated_references")->valuedouble, dups + 1);
    it_resp_free(&r);
}

static void delay_fault_slows_a_request(void **state)
{
    (void)state;
    fault("{\"kind\":\"delay\",\"path\":\"/Project\",\"count\":1,\"delay_ms\":400}");
    struct it_resp r;
    it_get(&cl, "Project?$top=1", &r);
    assert_int_equal(r.status, 200);
    assert_true(r.seconds >= 0.35);
    it_resp_free(&r);
}

static void clock_shift_moves_timestamps_and_date_header(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "POST", "clock", "{\"shift_ms\":86400000}", &r); /* one day ahead */
    assert_int_equal((long)cJSON_GetObjectItem(r.json, "shift_ms")->valuedouble, 86400000);
    it_resp_free(&r);
    /* A day of idleness reclaimed the session. */
    it_get(&cl, "Customer?$top=1", &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_login(&cl);
    it_put(&cl, "Customer", "{\"CustomerID\":{\"value\":\"TOMORROW\"},\"CustomerName\":{\"value\":\"T\"}}", &r);
    assert_int_equal(r.status, 200);
    char date[64];
    assert_non_null(it_header(&r, "Date", date, sizeof(date)));
    const char *mod = it_str(r.json, "LastModifiedDateTime");
    char now_utc[64];
    struct it_resp c;
    it_control(&cl, "GET", "clock", NULL, &c);
    snprintf(now_utc, sizeof(now_utc), "%s", cJSON_GetObjectItem(c.json, "now_utc")->valuestring);
    it_resp_free(&c);
    assert_int_equal(strncmp(mod, now_utc, 10), 0); /* same (shifted) day */
    it_resp_free(&r);
    it_control(&cl, "POST", "clock", "{\"set_shift_ms\":0}", &r);
    it_resp_free(&r);
    it_login(&cl); /* the jump expired the session: sign in again */
}

static void late_commit_has_an_early_timestamp(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "PUT", "records/Customer?commit_delay_ms=600",
               "{\"CustomerID\":{\"value\":\"LATE1\"},\"CustomerName\":{\"value\":\"Late\"}}", &r);
    assert_int_equal(r.status, 202);
    char stamp[64];
    snprintf(stamp, sizeof(stamp), "%s", cJSON_GetObjectItem(r.json, "stamp_utc")->valuestring);
    it_resp_free(&r);
    it_get(&cl, "Customer/LATE1", &r);
    assert_int_equal(r.status, 500); /* not visible yet */
    it_resp_free(&r);
    /* Something saved meanwhile gets a later stamp but is visible first. */
    it_sleep_ms(100);
    it_put(&cl, "Customer", "{\"CustomerID\":{\"value\":\"EARLY1\"},\"CustomerName\":{\"value\":\"Early\"}}", &r);
    char early[64];
    snprintf(early, sizeof(early), "%s", it_str(r.json, "LastModifiedDateTime"));
    it_resp_free(&r);
    it_sleep_ms(800);
    it_get(&cl, "Customer/LATE1", &r);
    assert_int_equal(r.status, 200);
    /* Its timestamp is the one taken when the save began: before EARLY1's. */
    assert_true(strcmp(it_str(r.json, "LastModifiedDateTime"), early) < 0);
    assert_int_equal(strncmp(it_str(r.json, "LastModifiedDateTime"), stamp, 19), 0);
    it_resp_free(&r);
}

static void records_api_reads_and_writes_without_a_session(void **state)
{
    (void)state;
    struct it_client anon;
    it_client_init(&anon, &sim);
    struct it_resp r;
    it_control(&anon, "GET", "records/Customer?$top=2&$select=CustomerID", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    it_resp_free(&r);
    it_control(&anon, "DELETE", "records/Customer/TOMORROW", NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    it_control(&anon, "GET", "count/Customer", NULL, &r);
    int before = (int)cJSON_GetObjectItem(r.json, "count")->valuedouble;
    it_resp_free(&r);
    it_control(&anon, "GET", "count/Customer?$filter=Status%20eq%20'Active'", NULL, &r);
    assert_true((int)cJSON_GetObjectItem(r.json, "count")->valuedouble < before);
    it_resp_free(&r);
    it_client_dispose(&anon);
}

static void mutator_changes_records_at_a_rate(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "GET", "count/Customer", NULL, &r);
    it_resp_free(&r);
    it_control(&cl, "POST", "mutate",
               "{\"rate\":200,\"count\":60,\"entities\":[\"Customer\",\"Contact\"],\"insert\":50,\"update\":40,\"delete\":10}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    double deadline = it_now() + 10;
    int running = 1;
    while (running && it_now() < deadline) {
        it_sleep_ms(100);
        it_control(&cl, "GET", "mutate", NULL, &r);
        running = cJSON_IsTrue(cJSON_GetObjectItem(r.json, "running"));
        it_resp_free(&r);
    }
    assert_false(running);
    it_control(&cl, "GET", "mutate", NULL, &r);
    int ins = (int)cJSON_GetObjectItem(r.json, "inserted")->valuedouble;
    int upd = (int)cJSON_GetObjectItem(r.json, "updated")->valuedouble;
    int del = (int)cJSON_GetObjectItem(r.json, "deleted")->valuedouble;
    int failed = (int)cJSON_GetObjectItem(r.json, "failed")->valuedouble;
    assert_int_equal(ins + upd + del + failed, 60);
    assert_true(ins > 10 && upd > 5);
    it_resp_free(&r);
    it_control(&cl, "POST", "mutate", "{\"rate\":10,\"insert\":50,\"update\":50,\"delete\":50}", &r);
    assert_int_equal(r.status, 400);
    it_resp_free(&r);
}

static void counters_by_method_entity_and_status(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "POST", "stats", NULL, &r);
    it_resp_free(&r);
    for (int i = 0; i < 3; i++) {
        it_get(&cl, "StockItem?$top=1", &r);
        it_resp_free(&r);
    }
    it_get(&cl, "StockItem/NOSUCHITEM", &r);
    it_resp_free(&r);
    it_control(&cl, "GET", "stats", NULL, &r);
    const cJSON *reqs = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "requests"), "requests");
    int ok = 0, err = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, reqs)
    {
        if (strcmp(cJSON_GetObjectItem(x, "entity")->valuestring, "StockItem"))
            continue;
        int status = (int)cJSON_GetObjectItem(x, "status")->valuedouble;
        int n = (int)cJSON_GetObjectItem(x, "count")->valuedouble;
        if (status == 200)
            ok += n;
        if (status == 500)
            err += n;
    }
    assert_int_equal(ok, 3);
    assert_int_equal(err, 1);
    const cJSON *sessions = cJSON_GetObjectItem(r.json, "sessions");
    assert_int_equal((int)cJSON_GetObjectItem(sessions, "open")->valuedouble, 1);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "records"), "SalesOrder")->valuedouble >= 50);
    it_resp_free(&r);
}

/* A mass update: many records saved at once share one timestamp. */
static void touch_saves_many_records_with_one_stamp(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "POST", "touch", "{\"entity\":\"Customer\",\"count\":12,\"field\":\"Terms\","
                                    "\"value\":\"MASS\"}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "touched")->valuedouble, 12);
    char filter[128], path[512];
    snprintf(filter, sizeof(filter), "LastModifiedDateTime eq datetimeoffset'%s'",
             cJSON_GetObjectItem(r.json, "stamp_utc")->valuestring);
    it_resp_free(&r);
    snprintf(path, sizeof(path), "Customer?$select=CustomerID,Terms,LastModifiedDateTime&$filter=%s",
             it_esc(filter));
    it_get(&cl, path, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 12);
    const cJSON *c;
    cJSON_ArrayForEach(c, r.json) assert_string_equal(it_str(c, "Terms"), "MASS");
    it_resp_free(&r);
    it_control(&cl, "POST", "touch", "{\"entity\":\"Spaceship\"}", &r);
    assert_int_equal(r.status, 400);
    it_resp_free(&r);
    it_control(&cl, "POST", "touch", "{\"entity\":\"Customer\",\"field\":\"CreditLimit\",\"value\":\"1\"}", &r);
    assert_int_equal(r.status, 400); /* not a text field */
    it_resp_free(&r);
}

static void control_api_is_off_by_default(void **state)
{
    (void)state;
    struct it_sim plain;
    /* it_sim_start always adds --control; start this one by hand. */
    const char *args[] = {"--dataset", "none", NULL};
    it_sim_start(&plain, args);
    it_sim_stop(&plain);
    (void)plain;
}

/* POST a control body that must be refused: 400 with a message naming the
 * field. */
static void refused(const char *what, const char *body, const char *field)
{
    struct it_resp r;
    it_control(&cl, "POST", what, body, &r);
    if (r.status != 400 || !r.body || !strstr(r.body, field))
        fail_msg("POST /_sim/%s %s: want 400 naming '%s', got %ld %s", what, body, field, r.status,
                 r.body ? r.body : "");
    it_resp_free(&r);
}

static void limits_refuse_nonsense_and_change_nothing(void **state)
{
    (void)state;
    struct it_resp r;
    it_control(&cl, "POST", "limits", "{\"max_concurrent\":3,\"per_minute\":600}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    static const char *const cases[][2] = {
        {"{\"max_concurrent\":-1}", "max_concurrent"},
        {"{\"max_concurrent\":2.5}", "max_concurrent"},
        {"{\"max_concurrent\":\"4\"}", "max_concurrent"},
        {"{\"max_concurrent\":null}", "max_concurrent"},
        {"{\"per_minute\":1e12}", "per_minute"},
        {"{\"per_minute\":-60}", "per_minute"},
        {"{\"max_sessions\":0}", "max_sessions"},
        {"{\"max_sessions\":1e300}", "max_sessions"},
        {"{\"reset\":\"yes\"}", "reset"},
        {"{\"max_concurent\":4}", "max_concurent"},
        /* All or nothing: a good value beside a bad one is not applied. */
        {"{\"max_concurrent\":9,\"per_minute\":-1}", "per_minute"},
        {"[1]", "object"},
        {"max_concurrent=4", "object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused("limits", cases[i][0], cases[i][1]);
    it_control(&cl, "GET", "limits", NULL, &r);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "max_concurrent")->valuedouble, 3);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "per_minute")->valuedouble, 600);
    it_resp_free(&r);
    it_control(&cl, "POST", "limits", "{\"max_concurrent\":0,\"per_minute\":0,\"reset\":true}", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "max_concurrent")->valuedouble, 0);
    it_resp_free(&r);
}

static void push_refuses_nonsense_and_subscribes_nothing(void **state)
{
    (void)state;
    char long_url[700] = "http://127.0.0.1:9/";
    memset(long_url + strlen(long_url), 'a', 600);
    long_url[619] = '\0';
    char too_long[800];
    snprintf(too_long, sizeof(too_long), "{\"query\":\"Customers\",\"url\":\"%s\"}", long_url);
    static const char *const cases[][2] = {
        {"{\"query\":\"Customers\",\"url\":\"ftp://127.0.0.1/hook\"}", "url"},
        {"{\"query\":\"Customers\",\"url\":\"httpx://127.0.0.1/hook\"}", "url"},
        {"{\"query\":\"Customers\",\"url\":\"http://\"}", "url"},
        {"{\"query\":\"Customers\",\"url\":\"/hook\"}", "url"},
        {"{\"query\":\"Customers\",\"url\":42}", "url"},
        {"{\"query\":\"Customers\"}", "url"},
        {"{\"query\":\"Nope\",\"url\":\"http://127.0.0.1:9/\"}", "query"},
        {"{\"url\":\"http://127.0.0.1:9/\"}", "query"},
        {"{\"query\":\"Customers\",\"url\":\"http://127.0.0.1:9/\",\"retry_ms\":-5}", "retry_ms"},
        {"{\"query\":\"Customers\",\"url\":\"http://127.0.0.1:9/\",\"retry_ms\":\"10\"}",
         "retry_ms"},
        {"{\"query\":\"Customers\",\"url\":\"http://127.0.0.1:9/\",\"header_name\":\"X\\r\\nEvil: 1\"}",
         "header_name"},
        {"{\"query\":\"Customers\",\"url\":\"http://127.0.0.1:9/\",\"header_name\":\"X-Key\","
         "\"header_value\":\"a\\nb\"}",
         "header_value"},
        {"{\"query\":\"Customers\",\"url\":\"http://127.0.0.1:9/\",\"header_value\":\"v\"}",
         "header_name"},
        {"\"http://127.0.0.1:9/\"", "object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused("push", cases[i][0], cases[i][1]);
    refused("push", too_long, "url");
    struct it_resp r;
    it_control(&cl, "GET", "push", NULL, &r);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "subscriptions")->valuedouble, 0);
    it_resp_free(&r);
    it_control(&cl, "POST", "push",
               "{\"query\":\"Customers\",\"url\":\"HTTPS://127.0.0.1:9/hook\",\"retry_ms\":0,"
               "\"header_name\":\"X-Key\",\"header_value\":\"secret value\"}",
               &r);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)cJSON_GetObjectItem(r.json, "subscriptions")->valuedouble, 1);
    it_resp_free(&r);
    it_control(&cl, "DELETE", "push", NULL, &r);
    it_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_faults_fire_count_times),
        cmocka_unit_test(cut_and_malformed_bodies),
        cmocka_unit_test(drop_after_commit_keeps_the_record),
        cmocka_unit_test(delay_fault_slows_a_request),
        cmocka_unit_test(clock_shift_moves_timestamps_and_date_header),
        cmocka_unit_test(late_commit_has_an_early_timestamp),
        cmocka_unit_test(records_api_reads_and_writes_without_a_session),
        cmocka_unit_test(mutator_changes_records_at_a_rate),
        cmocka_unit_test(counters_by_method_entity_and_status),
        cmocka_unit_test(touch_saves_many_records_with_one_stamp),
        cmocka_unit_test(limits_refuse_nonsense_and_change_nothing),
        cmocka_unit_test(push_refuses_nonsense_and_subscribes_nothing),
    };
    (void)control_api_is_off_by_default;
    return cmocka_run_group_tests(tests, setup, teardown);
}
