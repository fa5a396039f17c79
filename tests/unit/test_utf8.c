/* Cutting text at character boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "erpsync/err.h"
#include "erpsync/utf8.h"

static void fit_backs_off_to_a_boundary(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80"; /* a é b € c 😀 */
    size_t n = strlen(s); /* 1+2+1+3+1+4 = 12 */
    assert_int_equal(es_utf8_fit(s, n, 100), n);
    assert_int_equal(es_utf8_fit(s, n, 0), 0);
    assert_int_equal(es_utf8_fit(s, n, 1), 1);
    assert_int_equal(es_utf8_fit(s, n, 2), 1);  /* inside é */
    assert_int_equal(es_utf8_fit(s, n, 3), 3);
    assert_int_equal(es_utf8_fit(s, n, 5), 4);  /* inside € */
    assert_int_equal(es_utf8_fit(s, n, 6), 4);
    assert_int_equal(es_utf8_fit(s, n, 7), 7);
    assert_int_equal(es_utf8_fit(s, n, 11), 8); /* inside 😀 */
    /* Bytes that are not UTF-8 are cut where asked. */
    assert_int_equal(es_utf8_fit("\x80\x80\x80\x80\x80", 5, 4), 4);
}

static void trim_drops_an_incomplete_tail(void **state)
{
    (void)state;
    char a[] = "ab\xe2\x82"; /* € without its last byte */
    es_utf8_trim(a);
    assert_string_equal(a, "ab");
    char b[] = "ab\xe2\x82\xac";
    es_utf8_trim(b);
    assert_string_equal(b, "ab\xe2\x82\xac");
    char c[] = "ab\xf0";
    es_utf8_trim(c);
    assert_string_equal(c, "ab");
    char d[] = "";
    es_utf8_trim(d);
    assert_string_equal(d, "");
}

/* A message that does not fit the error record ends on a whole character. */
static void error_messages_end_on_a_character(void **state)
{
    (void)state;
    char text[ES_ERR_MSG + 200] = "x";
    size_t n0 = 1;
    for (size_t i = 0; i < ES_ERR_MSG / 2 + 10; i++)
        n0 += (size_t)snprintf(text + n0, sizeof(text) - n0, "\xc3\xa9");
    struct es_err err = {0};
    es_err_set(&err, ES_EINVAL, "%s", text);
    size_t n = strlen(err.msg);
    assert_true(n >= sizeof(err.msg) - 2);
    assert_int_equal((n - 1) % 2, 0); /* "x" then whole é's */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_backs_off_to_a_boundary),
        cmocka_unit_test(trim_drops_an_incomplete_tail),
        cmocka_unit_test(error_messages_end_on_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
