/* A run's life as a user sees it: one run at a time on a store (a second
 * is refused, naming the holder, or waits with --wait); runs killed with
 * kill -9 are marked interrupted by the next; Ctrl-C and SIGTERM stop
 * within a second, even in the middle of a long request; the exit status
 * says how the run ended; waits for a free API session are told. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "pull_check.h"

/* Customers served slowly: a run of the customers set takes seconds. */
static void slow_scene(struct pc_scene *s, int customers, int delay_ms)
{
    char n[16];
    snprintf(n, sizeof(n), "%d", customers);
    const char *args[] = {"--dataset", "none", "--customers", n, "--max-sessions", "10", NULL};
    pc_scene_start(s, args, "[sync]\npage_size = 50\n");
    char fault[160];
    snprintf(fault, sizeof(fault),
             "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":%d,\"count\":100000}",
             delay_ms);
    pc_control(s, "POST", "faults", fault);
}

/* Wait until the background run has recorded itself in es_runs. */
static void wait_for_run(const char *dir, long runs)
{
    char db[600];
    snprintf(db, sizeof(db), "%s/erpsync.db", dir);
    for (int t = 0; t < 20000; t += 20) {
        if (!access(db, R_OK) &&
            pc_scalar(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'es_runs'") > 0 &&
            pc_scalar(dir, "SELECT count(*) FROM es_runs") >= runs &&
            pc_scalar(dir, "SELECT count(*) FROM es_state WHERE fetched > 0") > 0)
            return;
        it_sleep_ms(20);
    }
    fail_msg("the run did not start");
}

static int exit_of(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static long logins(struct pc_scene *s)
{
    struct it_resp x;
    it_control(&s->cl, "GET", "sessions", NULL, &x);
    long n = (long)cJSON_GetObjectItem(x.json, "logins")->valuedouble;
    it_resp_free(&x);
    return n;
}

/* Wait until acusim has taken every count of its faults: the faulted
 * request is in flight. */
static void wait_for_faults_taken(struct pc_scene *s)
{
    for (int t = 0; t < 20000; t += 20) {
        struct it_resp f;
        it_control(&s->cl, "GET", "faults", NULL, &f);
        long left = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, f.json)
        {
            left += (long)cJSON_GetObjectItem(x, "remaining")->valuedouble;
        }
        it_resp_free(&f);
        if (!left)
            return;
        it_sleep_ms(20);
    }
    fail_msg("the faulted request was not sent");
}

/* SIGTERM now; returns the seconds until the process ended, and its exit
 * status in status. */
static double stop_and_time(pid_t pid, int *status)
{
    double t0 = it_now();
    kill(pid, SIGTERM);
    *status = exit_of(pid);
    return it_now() - t0;
}

/* Documents of the entity whose field is value (acusim's count). */
static long documents_with(struct pc_scene *s, const char *entity, const char *field,
                           const char *value)
{
    char path[256];
    snprintf(path, sizeof(path), "extref/%s?field=%s", entity, field);
    struct it_resp r;
    it_control(&s->cl, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    const cJSON *c = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "counts"), value);
    long n = c ? (long)c->valuedouble : 0;
    it_resp_free(&r);
    return n;
}

/* Two runs at once on one store: the second is refused with its own exit
 * status and a message naming the holder's pid; with --wait it says it
 * waits and runs once the first has ended. Acumatica sees two runs one
 * after the other, never at once. */
static void one_run_at_a_time(void **state)
{
    (void)state;
    struct pc_scene s;
    slow_scene(&s, 600, 300);
    const char *sync[] = {"sync", "--quiet", "--only", "customers", NULL};
    pid_t first = it_erpsync_bg(s.dir, sync);
    wait_for_run(s.dir, 1);
    struct it_run r;
    it_erpsync(&r, s.dir, sync, 60);
    if (r.status != 4)
        fail_msg("exit %d, not 4:\n%s", r.status, r.out);
    char pid[32];
    snprintf(pid, sizeof(pid), "pid %d", (int)first);
    if (!strstr(r.out, "another run") || !strstr(r.out, pid) || !strstr(r.out, "since"))
        fail_msg("the refusal does not name the holder (%s):\n%s", pid, r.out);
    it_run_free(&r);
    assert_int_equal(logins(&s), 2); /* the test's and the first run's: the refused sent none */
    const char *wait[] = {"sync", "--quiet", "--wait", "--only", "customers", NULL};
    it_erpsync(&r, s.dir, wait, 120);
    if (r.status != 0 || !strstr(r.out, "waiting for") || !strstr(r.out, pid))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_int_equal(exit_of(first), 0);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs WHERE status = 'ok'"), 2);
    /* The waiting run began after the first had ended. */
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs a, es_runs b WHERE a.id = 1"
                                      " AND b.id = 2 AND b.started_at >= a.ended_at"),
                     1);
    assert_int_equal(logins(&s), 3);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 600);
    pc_scene_stop(&s);
}

/* A run killed with kill -9 holds nothing: the next run starts at once,
 * and marks the killed one interrupted; `erpsync runs` says so. */
static void a_killed_run_is_marked_interrupted(void **state)
{
    (void)state;
    struct pc_scene s;
    slow_scene(&s, 600, 200);
    const char *sync[] = {"sync", "--quiet", "--only", "customers", NULL};
    pid_t pid = it_erpsync_bg(s.dir, sync);
    wait_for_run(s.dir, 1);
    kill(pid, SIGKILL);
    assert_int_equal(exit_of(pid), 128 + SIGKILL);
    struct it_run r;
    const char *runs[] = {"runs", NULL};
    it_erpsync(&r, s.dir, runs, 30);
    assert_non_null(strstr(r.out, "running")); /* nobody has looked yet */
    it_run_free(&r);
    pc_control(&s, "DELETE", "faults", NULL);
    it_erpsync(&r, s.dir, sync, 120);
    if (r.status != 0 || !strstr(r.out, "1 earlier run ended without finishing"))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs WHERE status = 'running'"), 0);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs WHERE id = 1 AND status ="
                                      " 'interrupted' AND message LIKE '%killed?%'"),
                     1);
    it_erpsync(&r, s.dir, runs, 30);
    char *first = strstr(r.out, "run 1 ");
    if (!first || !strstr(first, "interrupted") || !strstr(first, "killed?"))
        fail_msg("`erpsync runs` does not show run 1 interrupted:\n%s", r.out);
    it_run_free(&r);
    pc_scene_stop(&s);
}

/* SIGTERM while a page request waits for an answer that takes 20 s, with
 * timeout = 1h: erpsync stops within a second or two, signs out, and
 * records the run interrupted. */
static void sigterm_does_not_wait_for_the_request_in_flight(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 1h\n", NULL);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":20000,\"count\":1}");
    const char *sync[] = {"sync", "--quiet", "--only", "customers", NULL};
    pid_t pid = it_erpsync_bg(s.dir, sync);
    wait_for_faults_taken(&s);
    it_sleep_ms(300);
    int status;
    double took = stop_and_time(pid, &status);
    if (took > 2.0)
        fail_msg("erpsync took %.1f s to stop", took);
    assert_int_equal(status, 130); /* stopped by a signal */
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM es_runs WHERE status = 'interrupted'"),
                     1);
    assert_int_equal(pc_open_sessions(&s), 1); /* the test's own: erpsync signed out */
    pc_scene_stop(&s);
}

/* The same during a push: the order's PUT is aborted mid-flight (acusim
 * committed it; the answer never came). The row stays unknown, nothing is
 * marked failed; the next run looks it up and adopts it: one order. */
static void a_push_stopped_mid_request_stays_exactly_once(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 1h\n", NULL);
    const char *pull[] = {"sync", "--quiet", "--pull", NULL};
    struct it_run r;
    it_erpsync(&r, s.dir, pull, 120);
    assert_int_equal(r.status, 0);
    it_run_free(&r);
    long id = pc_app_order(s.dir, "sales_orders", "C000000002", "BLN00005", 1);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"delay_ms\":20000,"
               "\"count\":1}");
    const char *push[] = {"sync", "--quiet", "--push", NULL};
    pid_t pid = it_erpsync_bg(s.dir, push);
    wait_for_faults_taken(&s);
    it_sleep_ms(300);
    int status;
    double took = stop_and_time(pid, &status);
    if (took > 2.0)
        fail_msg("erpsync took %.1f s to stop", took);
    assert_int_equal(status, 130);
    assert_int_equal(pc_count(s.dir, "sales_orders", "unknown"), 1);
    assert_int_equal(pc_count(s.dir, "sales_orders", "failed"), 0);
    assert_int_equal(pc_open_sessions(&s), 1);
    char ref[32];
    snprintf(ref, sizeof(ref), "ES-SO-%ld", id);
    assert_int_equal(documents_with(&s, "SalesOrder", "CustomerOrder", ref), 1);
    it_erpsync(&r, s.dir, push, 120);
    if (r.status != 0)
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "sales_orders", "synced"),
                     pc_count(s.dir, "sales_orders", NULL));
    assert_int_equal(documents_with(&s, "SalesOrder", "CustomerOrder", ref), 1);
    pc_scene_stop(&s);
}

/* A push whose answer never came leaves its row unknown: the run exits 5,
 * and its summary says how many and that they are looked up; the next
 * run, which finds the order in Acumatica, exits 0. */
static void unanswered_pushes_give_their_own_exit_status(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, "[limits]\nretries = 0\n");
    const char *pull[] = {"sync", "--quiet", "--pull", NULL};
    struct it_run r;
    it_erpsync(&r, s.dir, pull, 120);
    assert_int_equal(r.status, 0);
    it_run_free(&r);
    long id = pc_app_order(s.dir, "sales_orders", "C000000002", "BLN00005", 1);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"drop\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"count\":1}");
    const char *push[] = {"sync", "--quiet", "--push", NULL};
    it_erpsync(&r, s.dir, push, 120);
    if (r.status != 5 || !strstr(r.out, "1 record sent without an answer") ||
        !strstr(r.out, "looked up"))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "sales_orders", "unknown"), 1);
    pc_app_sql(s.dir, "UPDATE sales_orders SET next_attempt_ms = 1"); /* due now */
    it_erpsync(&r, s.dir, push, 120);
    if (r.status != 0)
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    char ref[32];
    snprintf(ref, sizeof(ref), "ES-SO-%ld", id);
    assert_int_equal(documents_with(&s, "SalesOrder", "CustomerOrder", ref), 1);
    pc_scene_stop(&s);
}

/* text with every run of spaces and newlines made one space (a phrase of
 * a help text may wrap), into out. */
static void flatten(const char *text, char *out, size_t cap)
{
    size_t j = 0;
    for (const char *p = text; *p && j + 1 < cap; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c != ' ' || !j || out[j - 1] != ' ')
            out[j++] = c;
    }
    out[j] = '\0';
}

/* Every exit status is explained in `erpsync --help`, `erpsync sync
 * --help` and the README. */
static void every_exit_status_is_documented(void **state)
{
    (void)state;
    static const char *const statuses[] = {"0 everything synced",
                                           "1 some records",
                                           "2 bad usage",
                                           "3 Acumatica could not be reached",
                                           "4 another run holds the store",
                                           "5 records were sent without an answer",
                                           "130 stopped by Ctrl-C or SIGTERM"};
    const char *top[] = {"--help", NULL}, *sync[] = {"sync", "--help", NULL};
    static char texts[3][1 << 16];
    struct it_run r;
    it_erpsync(&r, "/", top, 30);
    flatten(r.out, texts[0], sizeof(texts[0]));
    it_run_free(&r);
    it_erpsync(&r, "/", sync, 30);
    flatten(r.out, texts[1], sizeof(texts[1]));
    it_run_free(&r);
    char path[600], raw[1 << 16];
    snprintf(path, sizeof(path), "%s/README.md", ES_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    raw[fread(raw, 1, sizeof(raw) - 1, f)] = '\0';
    fclose(f);
    flatten(raw, texts[2], sizeof(texts[2]));
    static const char *const where[] = {"erpsync --help", "erpsync sync --help", "README.md"};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        for (int k = 0; k < 3; k++)
            if (!strstr(texts[k], statuses[i]))
                fail_msg("%s does not say '%s'", where[k], statuses[i]);
}

/* The file's text (static buffer), "" when it cannot be read. */
static const char *file_text(const char *dir, const char *name)
{
    static char text[1 << 16];
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
        fclose(f);
    }
    return text;
}

/* Every API-user slot taken (the licence allows one, another client holds
 * it): erpsync says on the terminal that it waits for a free session, and
 * once one is free it runs, its summary saying how long it waited. */
static void waiting_for_a_free_session_is_told(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-sessions", "1", NULL};
    pc_scene_start(&s, args, "[limits]\nretries = 8\n");
    const char *sync[] = {"sync", "--only", "customers", NULL};
    pid_t pid = it_erpsync_bg(s.dir, sync);
    int told = 0;
    for (int t = 0; t < 15000 && !told; t += 50) {
        told = strstr(file_text(s.dir, "bg.log"), "waiting for a free API session") != NULL;
        it_sleep_ms(50);
    }
    if (!told)
        fail_msg("nothing said while waiting:\n%s", file_text(s.dir, "bg.log"));
    it_logout(&s.cl); /* the slot is free */
    assert_int_equal(exit_of(pid), 0);
    const char *out = file_text(s.dir, "bg.log");
    if (!strstr(out, "API Login Limit") || !strstr(out, "for a free API session"))
        fail_msg("%s", out);
    const char *summary = strstr(out, "Run 1 ");
    if (!summary || !strstr(summary, "Waited") || !strstr(summary, "for a free API session"))
        fail_msg("the summary does not say it waited:\n%s", out);
    it_login(&s.cl);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_run_at_a_time),
        cmocka_unit_test(a_killed_run_is_marked_interrupted),
        cmocka_unit_test(sigterm_does_not_wait_for_the_request_in_flight),
        cmocka_unit_test(a_push_stopped_mid_request_stays_exactly_once),
        cmocka_unit_test(unanswered_pushes_give_their_own_exit_status),
        cmocka_unit_test(every_exit_status_is_documented),
        cmocka_unit_test(waiting_for_a_free_session_is_told),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
