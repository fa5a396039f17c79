/* Text from outside made safe for a terminal: every byte or character that
 * a terminal could act on shows as text, everything else is kept as is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "erpsync/buf.h"
#include "erpsync/err.h"
#include "erpsync/term.h"

struct term_case {
    const char *in;
    size_t n; /* 0: strlen(in) */
    const char *want;
};

#define RAW(s) s, sizeof(s) - 1

static const struct term_case cases[] = {
    /* plain text, and UTF-8 of every length, untouched */
    {"", 0, ""},
    {"Customer 'ABC' cannot be found.", 0, "Customer 'ABC' cannot be found."},
    {"C:\\path\\x1b stays", 0, "C:\\path\\x1b stays"}, /* a backslash is text */
    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd", 0,
     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd"},
    /* C0 controls: ESC sequences that clear and retitle, BEL, the rest */
    {"\x1b[2J\x1b[H", 0, "\\x1b[2J\\x1b[H"},
    {"\x1b]0;pwned\x07", 0, "\\x1b]0;pwned\\x07"},
    {"a\nb\rc\td", 0, "a\\nb\\rc\\td"},
    {"\x01\x08\x0b\x0c\x1f", 0, "\\x01\\x08\\x0b\\x0c\\x1f"},
    {RAW("nul\0inside"), "nul\\x00inside"},
    /* DEL */
    {"a\x7f"
     "b",
     0, "a\\x7fb"},
    /* C1 controls, as UTF-8 (U+0080..U+009F) and as raw bytes */
    {"\xc2\x9b"
     "31m red",
     0, "\\u009b31m red"},
    {"\xc2\x80\xc2\x9f\xc2\xa0", 0, "\\u0080\\u009f\xc2\xa0"}, /* U+00A0 is text */
    {"\x9b"
     "2J",
     0, "\\x9b2J"},
    /* bidirectional overrides that would reorder what is shown */
    {"abc\xe2\x80\xae"
     "def\xe2\x81\xa9",
     0, "abc\\u202edef\\u2069"},
    /* bytes that are not UTF-8: stray continuations, cut sequences,
     * overlongs, surrogates, past U+10FFFF */
    {"\x80\xbf", 0, "\\x80\\xbf"},
    {"\xe2\x82", 0, "\\xe2\\x82"},
    {"\xe2\x82z", 0, "\\xe2\\x82z"},
    {"\xc0\xaf\xe0\x80\xaf", 0, "\\xc0\\xaf\\xe0\\x80\\xaf"},
    {"\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},
    {"\xf4\x90\x80\x80\xff", 0, "\\xf4\\x90\\x80\\x80\\xff"},
    /* an overlong ESC is not an ESC either */
    {"\xc0\x9b", 0, "\\xc0\\x9b"},
};

static void controls_show_as_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct term_case *t = &cases[i];
        struct es_buf b;
        es_buf_init(&b, 0);
        size_t n = t->n ? t->n : strlen(t->in);
        print_message("case %zu\n", i);
        assert_int_equal(es_term_escape(&b, t->in, n), 0);
        assert_string_equal(b.data ? b.data : "", t->want);
        es_buf_dispose(&b);
    }
}

/* What comes out never holds a byte a terminal acts on, whatever goes in. */
static void no_control_byte_survives(void **state)
{
    (void)state;
    unsigned char all[256 * 3];
    for (int i = 0; i < 256; i++) {
        all[i * 3] = (unsigned char)i;
        all[i * 3 + 1] = (unsigned char)(0xc2); /* C2 xx: U+0080.. when xx is 80..BF */
        all[i * 3 + 2] = (unsigned char)i;
    }
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_int_equal(es_term_escape(&b, (const char *)all, sizeof(all)), 0);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        assert_false(c < 0x20 || c == 0x7f);
        if (c == 0xc2 && i + 1 < b.len)
            assert_false((unsigned char)b.data[i + 1] < 0xa0);
    }
    es_buf_dispose(&b);
}

/* A capped buffer: ES_ETOOBIG, and what was added is a whole escape. */
static void a_cap_is_an_error_not_a_cut_escape(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 6);
    assert_int_equal(es_term_escape(&b, "ab\x1b\x1b", 4), ES_ETOOBIG);
    assert_string_equal(b.data, "ab\\x1b");
    es_buf_dispose(&b);
}

/* es_term_fputs writes the same text to a stream. */
static void fputs_escapes(void **state)
{
    (void)state;
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    es_term_fputs("run \x1b[2Jfailed\n", f);
    es_term_fputs(NULL, f); /* nothing */
    assert_int_equal(fclose(f), 0);
    assert_string_equal(out, "run \\x1b[2Jfailed\\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(controls_show_as_text),
        cmocka_unit_test(no_control_byte_survives),
        cmocka_unit_test(a_cap_is_an_error_not_a_cut_escape),
        cmocka_unit_test(fputs_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
