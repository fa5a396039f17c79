/* The licence's API limits (API-NOTES §4): concurrent requests queue,
 * declines past 20 waiting or a long wait, the per-minute delay. Slow
 * requests are made with the delay fault, which holds a processing slot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct worker {
    struct it_sim *sim;
    pthread_t t;
    long status;
    double seconds;
    long start_delay_ms;
    char retry_after[32];
};

static void control(struct it_sim *s, const char *method, const char *path, const char *body,
                    struct it_resp *r)
{
    struct it_client c;
    it_client_init(&c, s);
    it_control(&c, method, path, body, r);
    it_client_dispose(&c);
}

static long stat_num(struct it_sim *s, const char *key)
{
    struct it_resp r;
    control(s, "GET", "limits", NULL, &r);
    long v = (long)cJSON_GetObjectItem(r.json, key)->valuedouble;
    it_resp_free(&r);
    return v;
}

/* Every worker uses the bearer token of one OAuth grant: one API session. */
static char token[128];

static void *get_with_token(void *arg)
{
    struct worker *w = arg;
    it_sleep_ms(w->start_delay_ms);
    struct it_client c;
    it_client_init(&c, w->sim);
    snprintf(c.bearer, sizeof(c.bearer), "%s", token);
    struct it_resp r;
    it_req(&c, "GET", "/entity/Default/24.200.001/Customer?$top=1", NULL, NULL, &r);
    w->status = r.status;
    w->seconds = r.seconds;
    if (!it_header(&r, "Retry-After", w->retry_after, sizeof(w->retry_after)))
        w->retry_after[0] = '\0';
    it_resp_free(&r);
    it_client_dispose(&c);
    return NULL;
}

static void start_with_token(struct it_sim *s, const char *const *args)
{
    it_sim_start(s, args);
    struct it_client c;
    it_client_init(&c, s);
    struct it_resp r;
    assert_int_equal(it_oauth(&c, "api offline_access", &r), 200);
    snprintf(token, sizeof(token), "%s", c.bearer);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void run(struct worker *w, int n)
{
    for (int i = 0; i < n; i++)
        pthread_create(&w[i].t, NULL, get_with_token, &w[i]);
    for (int i = 0; i < n; i++)
        pthread_join(w[i].t, NULL);
}

static void no_more_than_the_concurrent_limit_run_at_once(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "2", NULL};
    start_with_token(&s, args);
    struct it_resp r;
    control(&s, "POST", "faults",
            "{\"kind\":\"delay\",\"method\":\"GET\",\"path\":\"/Customer\",\"count\":6,\"delay_ms\":300}", &r);
    it_resp_free(&r);
    struct worker w[6];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < 6; i++)
        w[i].sim = &s;
    double t0 = it_now();
    run(w, 6);
    double elapsed = it_now() - t0;
    for (int i = 0; i < 6; i++)
        assert_int_equal(w[i].status, 200);
    assert_int_equal(stat_num(&s, "max_running"), 2);
    assert_true(stat_num(&s, "max_queued") >= 1);
    /* Six 300 ms requests two at a time cannot finish in under 0.9 s. */
    assert_true(elapsed >= 0.85);
    it_sim_stop(&s);
}

static void more_than_queue_max_waiting_are_declined(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "1", "--queue-max", "2",
                          "--retry-after", "5", NULL};
    start_with_token(&s, args);
    struct it_resp r;
    control(&s, "POST", "faults",
            "{\"kind\":\"delay\",\"method\":\"GET\",\"path\":\"/Customer\",\"count\":1,\"delay_ms\":1200}", &r);
    it_resp_free(&r);
    struct worker w[6];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < 6; i++) {
        w[i].sim = &s;
        w[i].start_delay_ms = i == 0 ? 0 : 300; /* the slow one runs first */
    }
    run(w, 6);
    int ok = 0, declined = 0;
    for (int i = 0; i < 6; i++) {
        ok += w[i].status == 200;
        if (w[i].status == 429) {
            declined++;
            assert_string_equal(w[i].retry_after, "5");
        }
    }
    assert_int_equal(w[0].status, 200);
    assert_int_equal(ok, 3);       /* one running, two waited */
    assert_int_equal(declined, 3); /* the rest were declined at once */
    assert_int_equal(stat_num(&s, "declined"), 3);
    it_sim_stop(&s);
}

static void a_request_waiting_too_long_is_declined(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "1", "--queue-timeout-ms", "300", NULL};
    start_with_token(&s, args);
    struct it_resp r;
    control(&s, "POST", "faults",
            "{\"kind\":\"delay\",\"method\":\"GET\",\"path\":\"/Customer\",\"count\":1,\"delay_ms\":1500}", &r);
    it_resp_free(&r);
    struct worker w[2];
    memset(w, 0, sizeof(w));
    w[0].sim = w[1].sim = &s;
    w[1].start_delay_ms = 200;
    run(w, 2);
    assert_int_equal(w[0].status, 200);
    assert_int_equal(w[1].status, 429);
    assert_true(w[1].seconds >= 0.25 && w[1].seconds < 1.4);
    it_sim_stop(&s);
}

static void past_half_the_minute_limit_requests_are_delayed(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", "--per-minute", "600", NULL};
    start_with_token(&s, args);
    struct it_client c;
    it_client_init(&c, &s);
    snprintf(c.bearer, sizeof(c.bearer), "%s", token);
    struct it_resp r;
    double slowest_before = 0;
    for (int i = 0; i < 299; i++) { /* 300 processed reaches half of 600 */
        it_req(&c, "GET", "/entity/Default/24.200.001/CustomerPriceClass?$top=1", NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        if (r.seconds > slowest_before)
            slowest_before = r.seconds;
        it_resp_free(&r);
    }
    assert_int_equal(stat_num(&s, "delayed"), 0);
    /* The token request itself counted as one. Now each waits (60 s - t) / 300. */
    it_req(&c, "GET", "/entity/Default/24.200.001/CustomerPriceClass?$top=1", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_req(&c, "GET", "/entity/Default/24.200.001/CustomerPriceClass?$top=1", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.seconds >= 0.1); /* about 0.19 s */
    it_resp_free(&r);
    assert_true(stat_num(&s, "delayed") >= 1);
    it_client_dispose(&c);
    it_sim_stop(&s);
}

static void declined_answers_are_plain_429(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start_with_token(&s, args);
    struct it_resp r;
    control(&s, "POST", "faults", "{\"kind\":\"status\",\"status\":429,\"path\":\"/Customer\",\"count\":1}", &r);
    it_resp_free(&r);
    struct it_client c;
    it_client_init(&c, &s);
    snprintf(c.bearer, sizeof(c.bearer), "%s", token);
    it_req(&c, "GET", "/entity/Default/24.200.001/Customer?$top=1", NULL, NULL, &r);
    assert_int_equal(r.status, 429);
    assert_null(r.json);
    assert_non_null(strstr(r.body, "The custom error module does not recognize this error."));
    it_resp_free(&r);
    it_req(&c, "GET", "/entity/Default/24.200.001/Customer?$top=1", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_client_dispose(&c);
    it_sim_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_more_than_the_concurrent_limit_run_at_once),
        cmocka_unit_test(more_than_queue_max_waiting_are_declined),
        cmocka_unit_test(a_request_waiting_too_long_is_declined),
        cmocka_unit_test(past_half_the_minute_limit_requests_are_delayed),
        cmocka_unit_test(declined_answers_are_plain_429),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
