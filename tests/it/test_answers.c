/* What erpsync says and does when Acumatica's answers are slow or huge: a
 * message names the path (without its long query) and ends with the
 * reason; an answer over the cap fails cleanly, naming the setting, and
 * memory stays bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "harness.h"
#include "pull_check.h"

/* The line of out that starts with prefix (copied into line), or NULL. */
static const char *line_with(const char *out, const char *prefix, char *line, size_t cap)
{
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, prefix, strlen(prefix)))
            continue;
        size_t n = strcspn(p, "\n");
        snprintf(line, cap, "%.*s", (int)n, p);
        return line;
    }
    return NULL;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* A page request with its long $select times out: the summary names the
 * request without its query and ends with the reason. */
static void a_timeout_message_keeps_its_reason(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 1s\n",
                        "[limits]\nretries = 0\n");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":3000,\"count\":1}");
    struct it_run r;
    const char *sync[] = {"sync", "--quiet", "--only", "customers", NULL};
    it_erpsync(&r, s.dir, sync, 60);
    assert_int_not_equal(r.status, 0);
    char line[2048];
    if (!line_with(r.out, "! ", line, sizeof(line)))
        fail_msg("no error line in:\n%s", r.out);
    if (!ends_with(line, "no answer within 1000 ms") || strstr(line, "$select"))
        fail_msg("the error line does not end with the reason:\n%s", line);
    assert_non_null(strstr(line, "GET "));
    assert_non_null(strstr(line, "/Customer"));
    it_run_free(&r);
    pc_scene_stop(&s);
}

/* An answer that never ends (acusim's endless fault) on the customers'
 * page: the set fails with a message naming the cap and the setting that
 * sets it, and the run goes on with the other sets; the next run, without
 * the fault, reads the customers. */
static void an_answer_over_the_cap_names_the_setting(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, "[limits]\nretries = 0\nmax_answer_mb = 2\n");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"endless\",\"method\":\"GET\",\"path\":\"/Customer\",\"count\":1}");
    struct it_run r;
    const char *sync[] = {"sync", "--quiet", "--only", "customers,vendors,stock_items", NULL};
    it_erpsync(&r, s.dir, sync, 120);
    assert_int_equal(r.status, 1);
    char line[2048];
    if (!line_with(r.out, "! ", line, sizeof(line)) || !strstr(line, "/Customer") ||
        !ends_with(line, "(2 MB: [limits] max_answer_mb)"))
        fail_msg("no error line naming the setting in:\n%s", r.out);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 0);
    assert_int_equal(pc_count(s.dir, "vendors", NULL), 5); /* the run went on */
    assert_true(pc_count(s.dir, "stock_items", NULL) > 0);
    it_erpsync(&r, s.dir, sync, 120);
    if (r.status != 0)
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 20);
    pc_scene_stop(&s);
}

/* Four push workers whose every PUT is answered without end (acusim
 * commits the order, then streams), with the default max_answer_mb:
 * erpsync's peak memory (its max RSS, from wait4) stays under the 64 MB
 * budget, each answer fails at the cap, the rows stay unknown until
 * looked up, and every order is in Acumatica once. */
static void four_workers_against_endless_answers_stay_bounded(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "4", NULL};
    pc_scene_start(&s, args, "[limits]\nconcurrent_requests = 4\n"); /* max_answer_mb: default */
    const char *pull[] = {"sync", "--quiet", "--pull", NULL};
    struct it_run r;
    it_erpsync(&r, s.dir, pull, 120);
    assert_int_equal(r.status, 0);
    it_run_free(&r);
    for (int i = 0; i < 8; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO sales_orders(sync_status, customer_id, description) VALUES("
                 "'pending', 'C000000003', 'order %d');"
                 "INSERT INTO sales_order_lines(parent_id, inventory_id, order_qty, unit_price)"
                 " VALUES(last_insert_rowid(), 'BLN00005', 1, 12.5)",
                 i);
        pc_app_sql(s.dir, "%s", sql);
    }
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"endless\",\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000}");
    const char *push[] = {"sync", "--push", NULL};
    pid_t pid = it_erpsync_bg(s.dir, push);
    int st;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    assert_true(WIFEXITED(st));
    long peak_mb = ru.ru_maxrss / 1024;
    print_message("erpsync's peak memory: %ld MB (max RSS)\n", peak_mb);
    /* Under a sanitizer, its shadow memory is not erpsync's. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    if (peak_mb >= 64)
        fail_msg("erpsync's peak memory was %ld MB", peak_mb);
#endif
    char log[600];
    snprintf(log, sizeof(log), "%s/bg.log", s.dir);
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    static char out[1 << 16];
    out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
    fclose(f);
    if (WEXITSTATUS(st) != 0) /* each looked up, found, adopted */
        fail_msg("exit %d:\n%s", WEXITSTATUS(st), out);
    assert_int_equal(pc_count(s.dir, "sales_orders", "synced"),
                     pc_count(s.dir, "sales_orders", NULL));
    struct it_resp x;
    it_control(&s.cl, "GET", "extref/SalesOrder?field=CustomerOrder", NULL, &x);
    assert_int_equal((long)cJSON_GetObjectItem(x.json, "duplicated_references")->valuedouble, 0);
    it_resp_free(&x);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_timeout_message_keeps_its_reason),
        cmocka_unit_test(an_answer_over_the_cap_names_the_setting),
        cmocka_unit_test(four_workers_against_endless_answers_stay_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
