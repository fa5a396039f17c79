/* NUL escapes in ERP answers: every "\u0000" inside a string becomes
 * "\uFFFF" (so cJSON cannot cut a value there), and nothing else moves: a
 * literal backslash followed by "u0000" is text, not an escape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "erpsync/json.h"

static void nul_escapes_are_defused_and_nothing_else(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        size_t hits;
    } cases[] = {
        {"{\"k\":\"C1\"}", "{\"k\":\"C1\"}", 0},
        {"{\"k\":\"C1\\u0000X\"}", "{\"k\":\"C1\\uFFFFX\"}", 1},
        {"[\"\\u0000\",\"a\\u0000b\\u0000\"]", "[\"\\uFFFF\",\"a\\uFFFFb\\uFFFF\"]", 3},
        {"{\"k\":\"C1\\\\u0000\"}", "{\"k\":\"C1\\\\u0000\"}", 0}, /* an escaped backslash */
        {"{\"k\":\"\\\"\\u0000\"}", "{\"k\":\"\\\"\\uFFFF\"}", 1}, /* after an escaped quote */
        {"{\"k\":\"\\u00001\"}", "{\"k\":\"\\uFFFF1\"}", 1},
        {"{\"k\":\"\\u0001\"}", "{\"k\":\"\\u0001\"}", 0},
        {"{\"k\":\"\\u000", "{\"k\":\"\\u000", 0}, /* cut short */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        assert_int_equal(es_json_defuse_nul(buf, strlen(buf)), cases[i].hits);
        assert_string_equal(buf, cases[i].out);
    }
    assert_int_equal(es_json_defuse_nul(NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nul_escapes_are_defused_and_nothing_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
