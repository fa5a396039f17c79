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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_run_at_a_time),
        cmocka_unit_test(a_killed_run_is_marked_interrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
