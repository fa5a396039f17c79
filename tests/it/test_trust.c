/* Defects found by testing erpsync from outside (as a new user, and as a
 * hostile or broken ERP would), each a scenario that failed before its fix:
 * a push answer never deletes other rows; calendar dates stay the dates
 * they are; conflicts need a change of synced content on both sides; a key
 * changed in Acumatica moves its row; reconciliation repairs late commits;
 * bad text and keys are refused; the address options hold both ways; a
 * set enabled later gets its table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pull_check.h"

static int sync_run(struct pc_scene *s, const char *a2, const char *a3, struct it_run *out)
{
    const char *args[] = {"sync", "--quiet", a2, a3, NULL};
    it_erpsync(out, s->dir, args, 300);
    return out->status;
}

static void sync_ok(struct pc_scene *s, const char *a2, const char *a3)
{
    struct it_run r;
    if (sync_run(s, a2, a3, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
}

/* A scene on the tiny dataset after its initial load. */
static void start(struct pc_scene *s, const char *const *sim_args, const char *extra)
{
    static const char *const tiny[] = {"--dataset", "tiny", NULL};
    pc_scene_start(s, sim_args ? sim_args : tiny, extra);
    sync_ok(s, "--pull", NULL);
}

/* ---- 1. a push answer cannot delete unrelated rows ---- */

/* An endpoint that answers the PUT of a new customer with another
 * customer's key: the other customer's row and its addresses stay, the
 * pushed row fails with a note naming both keys, and the run says so. */
static void a_push_answer_never_deletes_other_rows(void **state)
{
    (void)state;
    struct pc_scene s;
    start(&s, NULL, NULL);
    const char *victim = "SELECT count(*) FROM customer_addresses WHERE parent_id ="
                         " (SELECT id FROM customers WHERE erp_key = 'C000000002')";
    long addresses = pc_scalar(s.dir, victim);
    assert_true(addresses > 0);
    char before[300];
    snprintf(before, sizeof(before), "synced %s",
             pc_app_text(s.dir, "SELECT name FROM customers WHERE erp_key = 'C000000002'"));
    long row = pc_app_sql(s.dir, "INSERT INTO customers(sync_status, customer_id, name)"
                                 " VALUES('pending', 'WEB0009', 'Web Buyer')");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"replace\",\"method\":\"PUT\",\"path\":\"/Customer\","
               "\"from\":\"\\\"WEB0009\\\"\",\"to\":\"\\\"C000000002\\\"\"}");
    struct it_run r;
    assert_int_equal(sync_run(&s, "--push", NULL, &r), 1);
    it_run_free(&r);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status || ' ' || name FROM customers"
                                            " WHERE erp_key = 'C000000002'"),
                        before);
    assert_int_equal(pc_scalar(s.dir, victim), addresses);
    const char *note = pc_app_text(s.dir, "SELECT sync_status || ': ' || last_error FROM"
                                          " customers WHERE id = %ld", row);
    assert_true(!strncmp(note, "failed: ", 8));
    assert_non_null(strstr(note, "'C000000002'"));
    assert_non_null(strstr(note, "'WEB0009'"));
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_push_answer_never_deletes_other_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
