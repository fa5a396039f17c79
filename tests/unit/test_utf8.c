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

/* Well-formed UTF-8 (RFC 3629) and where the first bad sequence starts. */
static void valid_accepts_utf8_only(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long bad_at; /* -1: valid */
    } cases[] = {
        {"", -1},
        {"plain ascii", -1},
        /* a é b € c 😀 */
        {"a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80", -1},
        {"\xed\x9f\xbf", -1}, /* U+D7FF, just below the surrogates */
        {"\xee\x80\x80", -1}, /* U+E000, just above */
        {"\xf4\x8f\xbf\xbf", -1}, /* U+10FFFF, the last code point */
        {"\xef\xbb\xbf{}", -1}, /* a byte-order mark is a character */
        {"Caf\xc3\x28", 3}, /* lead byte, then no continuation */
        {"ab\xc3", 2}, /* cut at the end */
        {"ab\xe2\x82", 2},
        {"\x80", 0}, /* a lone continuation byte */
        {"ok\xbf", 2},
        {"\xc0\xaf", 0}, /* overlong '/' */
        {"\xc1\xbf", 0}, /* overlong */
        {"\xe0\x80\xaf", 0}, /* overlong in three bytes */
        {"\xf0\x80\x80\xaf", 0}, /* overlong in four */
        {"x\xed\xa0\x80", 1}, /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 0}, /* U+DFFF */
        {"\xf4\x90\x80\x80", 0}, /* U+110000 */
        {"\xf5\x80\x80\x80", 0}, /* no such lead byte */
        {"\xff", 0},
        {"latin-1 \xe9t\xe9", 8},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t at = 999;
        int ok = es_utf8_valid(cases[i].s, strlen(cases[i].s), &at);
        if (ok != (cases[i].bad_at < 0) || (!ok && (long)at != cases[i].bad_at))
            fail_msg("case %zu: valid %d at %zu, want bad_at %ld", i, ok, at, cases[i].bad_at);
    }
    /* NUL bytes are characters too; bad_at may be NULL. */
    assert_int_equal(es_utf8_valid("a\0b", 3, NULL), 1);
    assert_int_equal(es_utf8_valid("a\0\xc3", 3, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_backs_off_to_a_boundary),
        cmocka_unit_test(trim_drops_an_incomplete_tail),
        cmocka_unit_test(error_messages_end_on_a_character),
        cmocka_unit_test(valid_accepts_utf8_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
