/* The process that holds secrets leaves no core dump and cannot be read by
 * its user's other processes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "erpsync/err.h"
#include "erpsync/proc.h"

static void harden_stops_core_dumps(void **state)
{
    (void)state;
    struct rlimit before;
    assert_int_equal(getrlimit(RLIMIT_CORE, &before), 0);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1); /* a fresh process is */
    struct es_err err = {0};
    assert_int_equal(es_proc_harden(&err), 0);
    assert_string_equal(err.msg, "");
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    struct rlimit after;
    assert_int_equal(getrlimit(RLIMIT_CORE, &after), 0);
    assert_int_equal(after.rlim_cur, 0);
    assert_int_equal(after.rlim_max, 0); /* cannot be raised again */
    /* Idempotent. */
    assert_int_equal(es_proc_harden(&err), 0);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(harden_stops_core_dumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
