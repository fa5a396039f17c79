/* erpsync pull when things go wrong: 429 storms, 500s and cut connections;
 * a licence of two API users; OAuth; a run stopped by SIGTERM; kill -9 at
 * random points of an initial load. The run completes (or resumes), the
 * store equals acusim, and no session is left open. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "erpsync/timeutil.h"
#include "harness.h"
#include "pull_check.h"





static void scene_faults_spent(struct pc_scene *s)
{
    struct it_resp f;
    it_control(&s->cl, "GET", "faults", NULL, &f);
    const cJSON *x;
    cJSON_ArrayForEach(x, f.json) /* every fault fired */
        assert_int_equal((int)cJSON_GetObjectItem(x, "remaining")->valuedouble, 0);
    it_resp_free(&f);
}

static int sync_status(struct pc_scene *s, const char *only, struct it_run *out)
{
    const char *args[] = {"sync", "--quiet", only ? "--only" : NULL, only, NULL};
    it_erpsync(out, s->dir, args, 300);
    return out->status;
}

/* Storms of 429s, 500s and connections cut mid-body, and a licence of two
 * API users of which another integration holds one: the run completes,
 * everything arrives, and erpsync's session is closed. */
static void storms_and_cuts_with_two_sessions(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", "--max-sessions", "2", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 200\nhistory_years = 0\n[limits]\nretries = 8\n");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":429,\"path\":\"/entity/Default\",\"count\":15,"
               "\"probability\":0.3}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":500,\"path\":\"/entity/Default\",\"count\":8,"
               "\"probability\":0.2}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"cut\",\"path\":\"/entity/Default\",\"count\":5,\"probability\":0.15}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":429,\"path\":\"/entity/auth/login\",\"count\":2}");
    struct it_run r;
    if (sync_status(&s, NULL, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    struct it_resp f;
    it_control(&s.cl, "GET", "faults", NULL, &f);
    const cJSON *x;
    cJSON_ArrayForEach(x, f.json) /* every fault fired */
        assert_int_equal((int)cJSON_GetObjectItem(x, "remaining")->valuedouble, 0);
    it_resp_free(&f);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_SALES_ORDERS);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_INVOICES);
    assert_int_equal(pc_open_sessions(&s), 1); /* the other integration's */
    pc_scene_stop(&s);
}

/* Both API-user slots taken: erpsync says so and exits 3, holding none. */
static void no_free_session_is_reported(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-sessions", "1", NULL};
    pc_scene_start(&s, args, "[limits]\nretries = 1\n");
    struct it_run r;
    assert_int_equal(sync_status(&s, "customers", &r), 3);
    assert_non_null(strstr(r.out, "API Login Limit"));
    it_run_free(&r);
    it_logout(&s.cl);
    assert_int_equal(sync_status(&s, "customers", &r), 0);
    it_run_free(&r);
    it_login(&s.cl);
    assert_int_equal(pc_open_sessions(&s), 1);
    pc_scene_stop(&s);
}

/* OAuth 2.0: a password grant with offline_access; the grant is closed at
 * the end. */
static void oauth_sign_in(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    char extra[512];
    snprintf(extra, sizeof(extra), "[limits]\nretries = 2\n");
    pc_scene_start(&s, args, extra);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, IT_OAUTH, NULL);
    struct it_run r;
    if (sync_status(&s, NULL, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    assert_int_equal(pc_open_sessions(&s), 1);
    pc_scene_stop(&s);
}

/* Slow pages, so a run can be stopped in the middle of a set. */
static void slow_pages(struct pc_scene *s)
{
    pc_control(s, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":25,\"count\":100000}");
}

static int wait_for_progress(const char *dir, long at_least, int ms)
{
    char sql[] = "SELECT fetched FROM es_state WHERE set_name = 'customers' AND in_progress = 1";
    char db[600];
    snprintf(db, sizeof(db), "%s/erpsync.db", dir);
    for (int t = 0; t < ms; t += 20) {
        if (!access(db, R_OK) &&
            pc_scalar(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'es_state'") > 0 &&
            pc_scalar(dir, sql) >= at_least)
            return 1;
        it_sleep_ms(20);
    }
    return 0;
}

/* Tokens that live 30 s: erpsync refreshes them before they expire (a
 * minute ahead), keeping one grant. */
static void oauth_tokens_are_refreshed(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--token-seconds", "30", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, IT_OAUTH, NULL);
    struct it_run r;
    if (sync_status(&s, NULL, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_true(pc_token_requests(&s) > 2); /* the grant, then refreshes */
    struct it_resp x;
    it_control(&s.cl, "GET", "sessions", NULL, &x);
    assert_int_equal((int)cJSON_GetObjectItem(x.json, "logins")->valuedouble, 2); /* ours, erpsync's */
    it_resp_free(&x);
    assert_int_equal(pc_open_sessions(&s), 1);
    pc_scene_stop(&s);
}

/* Retry-After is honoured; a request that outlasts the timeout is sent
 * again. */
static void retry_after_and_timeouts(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--retry-after", "1", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 1s\n",
                        "[limits]\nretries = 4\n");
    pc_control(&s, "POST", "faults", "{\"kind\":\"status\",\"status\":429,\"path\":\"/Customer\",\"count\":2}");
    pc_control(&s, "POST", "faults", "{\"kind\":\"delay\",\"path\":\"/Vendor\",\"delay_ms\":1500,\"count\":1}");
    struct it_run r;
    if (sync_status(&s, "customers,vendors", &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    assert_true(r.seconds >= 2.9); /* two Retry-After: 1, a 1 s timeout */
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 20);
    assert_int_equal(pc_count(s.dir, "vendors", NULL), 5);
    scene_faults_spent(&s);
    pc_scene_stop(&s);
}

/* The session ends on the server mid-run (reclaimed, restarted): the next
 * request gets 401, erpsync signs in again once and goes on. */
static void lost_session_signs_in_again(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "none", "--customers", "2000", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 50\n");
    slow_pages(&s);
    const char *sync[] = {"sync", "--only", "customers", NULL};
    pid_t pid = it_erpsync_bg(s.dir, sync);
    assert_true(wait_for_progress(s.dir, 200, 20000));
    pc_control(&s, "DELETE", "sessions", NULL);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 2000);
    it_login(&s.cl); /* the reset closed the test's session too */
    struct it_resp x;
    it_control(&s.cl, "GET", "sessions", NULL, &x);
    /* Counted since the reset: erpsync's second sign-in and the test's. */
    assert_int_equal((int)cJSON_GetObjectItem(x.json, "logins")->valuedouble, 2);
    it_resp_free(&x);
    assert_int_equal(pc_open_sessions(&s), 1);
    pc_scene_stop(&s);
}

/* SIGTERM: the run stops after the page it is on, signs out, records the
 * run as interrupted; the next run resumes the window. */
static void sigterm_stops_cleanly_and_the_next_run_resumes(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "none", "--customers", "3000", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 50\n");
    slow_pages(&s);
    const char *sync[] = {"sync", "--only", "customers", NULL};
    pid_t pid = it_erpsync_bg(s.dir, sync);
    assert_true(wait_for_progress(s.dir, 500, 20000));
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 130);    /* stopped by a signal */
    assert_int_equal(pc_open_sessions(&s), 1); /* only the test's own */
    long done = pc_count(s.dir, "customers", NULL);
    assert_true(done >= 500 && done < 3000);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs WHERE status = 'interrupted'"), 1);
    pc_control(&s, "DELETE", "faults", NULL);
    struct it_run r;
    assert_int_equal(sync_status(&s, "customers", &r), 0);
    it_run_free(&r);
    assert_int_equal(pc_last_run(s.dir, "customers", "fetched"), 3000 - done);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* kill -9 at random points of an initial load, three times; then a run to
 * the end: nothing missing, nothing twice, and the last run read only what
 * the killed ones had not committed. */
static void kill_9_then_resume(void **state)
{
    (void)state;
    struct pc_scene s;
    /* Killed runs cannot sign out: their sessions stay until reclaimed. */
    const char *args[] = {"--dataset", "none", "--customers", "4000", "--max-sessions", "10", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 50\n");
    slow_pages(&s);
    srand((unsigned)es_now_ms());
    const char *sync[] = {"sync", "--only", "customers", NULL};
    long before = 0;
    for (int k = 0; k < 3; k++) {
        pid_t pid = it_erpsync_bg(s.dir, sync);
        assert_true(wait_for_progress(s.dir, before + 50, 20000));
        it_sleep_ms(rand() % 400);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        long now = pc_count(s.dir, "customers", NULL);
        assert_true(now > before); /* each run went on from the last */
        assert_int_equal(pc_distinct_keys(s.dir, "customers"), now);
        before = now;
    }
    pc_control(&s, "DELETE", "faults", NULL);
    struct it_run r;
    assert_int_equal(sync_status(&s, "customers", &r), 0);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 4000);
    assert_int_equal(pc_distinct_keys(s.dir, "customers"), 4000);
    /* The last run fetched what was left, give or take the page in flight. */
    long fetched = pc_last_run(s.dir, "customers", "fetched");
    assert_true(fetched <= 4000 - before + 50);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(storms_and_cuts_with_two_sessions),
        cmocka_unit_test(no_free_session_is_reported),
        cmocka_unit_test(oauth_sign_in),
        cmocka_unit_test(oauth_tokens_are_refreshed),
        cmocka_unit_test(retry_after_and_timeouts),
        cmocka_unit_test(lost_session_signs_in_again),
        cmocka_unit_test(sigterm_stops_cleanly_and_the_next_run_resumes),
        cmocka_unit_test(kill_9_then_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
