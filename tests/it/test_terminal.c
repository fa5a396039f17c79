/* Text from outside reaches the terminal as text: Acumatica's refusal of a
 * pushed record quotes a value carrying escape sequences (clear the screen,
 * retitle the window), and no erpsync command prints them raw. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "pull_check.h"

/* erpsync ARGS... in the scene; the output must hold no ESC, BEL or CSI
 * byte, whatever the exit status (returned). */
static int run_clean(struct pc_scene *s, struct it_run *r, const char *a1, const char *a2,
                     const char *a3)
{
    const char *args[] = {a1, a2, a3, NULL};
    it_erpsync(r, s->dir, args, 300);
    if (strpbrk(r->out, "\x1b\x07\x9b"))
        fail_msg("erpsync %s printed a raw control byte:\n%s", a1, r->out);
    return r->status;
}

static void refusal_with_escapes_prints_as_text(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *sim_args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, sim_args, NULL);
    struct it_run r;
    assert_int_equal(run_clean(&s, &r, "sync", "--pull", "--quiet"), 0);
    it_run_free(&r);
    /* A priority Acumatica refuses, quoted back in its message. */
    pc_app_sql(s.dir, "INSERT INTO service_orders(sync_status, customer_id, description, priority)"
                   " VALUES('pending', 'C000000002', 'fix', 'x' || char(27) || ']0;pwned'"
                   " || char(7) || char(27) || '[2J' || char(27) || '[31m')");
    assert_int_equal(run_clean(&s, &r, "sync", "--push", "--quiet"), 1);
    it_run_free(&r);
    /* The note keeps Acumatica's words as they came, ESC and all. */
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM service_orders WHERE"
                                      " sync_status = 'failed' AND instr(last_error, char(27))"),
                     1);

    assert_int_equal(run_clean(&s, &r, "failed", NULL, NULL), 0);
    assert_non_null(strstr(r.out, "'Priority' field"));
    assert_non_null(strstr(r.out, "x\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m"));
    it_run_free(&r);
    assert_int_equal(run_clean(&s, &r, "failed", "service_orders", NULL), 0);
    assert_non_null(strstr(r.out, "\\x1b[2J"));
    it_run_free(&r);
    assert_int_equal(run_clean(&s, &r, "runs", NULL, NULL), 0);
    it_run_free(&r);
    assert_int_equal(run_clean(&s, &r, "status", NULL, NULL), 0);
    it_run_free(&r);
    assert_int_equal(run_clean(&s, &r, "conflicts", "--versions", NULL), 0);
    it_run_free(&r);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refusal_with_escapes_prints_as_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
