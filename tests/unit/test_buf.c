/* The core's small pieces: capped buffers and JSON escaping, the arena, and
 * the first-message-wins error record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"

/* ---- es_buf ---- */

static void grows_and_stays_terminated(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 0);
    assert_null(b.data);
    assert_int_equal(es_buf_add(&b, "", 0), 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(es_buf_add(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data + 9990, "0123456789", 10);
    assert_int_equal(es_buf_addf(&b, "|%d|%s|", 42, "x"), 0);
    assert_string_equal(b.data + 10000, "|42|x|");
    /* addf past its small stack buffer */
    char big[600];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    size_t before = b.len;
    assert_int_equal(es_buf_addf(&b, "<%s>", big), 0);
    assert_int_equal(b.len, before + 601);
    assert_int_equal(b.data[before], '<');
    assert_int_equal(b.data[b.len - 1], '>');
    assert_int_equal(b.data[b.len], '\0');
    /* reset keeps the allocation */
    char *data = b.data;
    size_t cap = b.cap;
    es_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    /* steal hands the bytes over and empties the buffer */
    es_buf_adds(&b, "mine");
    size_t n = 0;
    char *p = es_buf_steal(&b, &n);
    assert_string_equal(p, "mine");
    assert_int_equal(n, 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    p = es_buf_steal(&b, NULL); /* nothing held: an empty string */
    assert_string_equal(p, "");
    free(p);
    es_buf_dispose(&b);
    es_buf_dispose(&b);
    es_buf_dispose(NULL);
}

static void caps_refuse_without_writing(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 10);
    assert_int_equal(es_buf_add(&b, "12345678", 8), 0);
    assert_int_equal(es_buf_add(&b, "abc", 3), ES_ETOOBIG);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(es_buf_adds(&b, "abc"), ES_ETOOBIG);
    assert_int_equal(es_buf_addf(&b, "%s", "abc"), ES_ETOOBIG);
    assert_int_equal(es_buf_reserve(&b, 3), ES_ETOOBIG);
    assert_string_equal(b.data, "12345678");
    /* Up to the cap exactly is fine. */
    assert_int_equal(es_buf_add(&b, "9A", 2), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "123456789A");
    assert_int_equal(es_buf_add(&b, "", 0), 0);
    assert_int_equal(es_buf_add(&b, "B", 1), ES_ETOOBIG);
    assert_int_equal(b.len, 10);
    /* A long formatted string past the cap, nothing half-written. */
    es_buf_reset(&b);
    char big[300];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(es_buf_addf(&b, "%s", big), ES_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    /* Escaping that would pass the cap writes nothing. */
    assert_int_equal(es_buf_add(&b, "1234567", 7), 0);
    assert_int_equal(es_buf_add_json_escaped(&b, "ab\"c", 4), ES_ETOOBIG);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "1234567");
    assert_int_equal(es_buf_add_json_escaped(&b, "abcd", 4), ES_ETOOBIG);
    assert_int_equal(b.len, 7);
    es_buf_dispose(&b);
    /* A cap larger than any growth step. */
    es_buf_init(&b, 100000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(es_buf_add(&b, "0123456789", 10), 0);
    assert_int_equal(es_buf_add(&b, "x", 1), ES_ETOOBIG);
    assert_int_equal(b.len, 100000);
    es_buf_dispose(&b);
}

/* A request for more than the address space must not wrap round the cap
 * check (len + n overflowing to a small number). */
static void huge_requests_do_not_wrap(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 10);
    assert_int_equal(es_buf_add(&b, "1234567", 7), 0);
    assert_int_equal(es_buf_reserve_slow(&b, SIZE_MAX - 2), ES_ETOOBIG);
    assert_int_equal(es_buf_reserve(&b, SIZE_MAX - 2), ES_ETOOBIG);
    assert_int_equal(b.len, 7);
    es_buf_dispose(&b);
}

/* The cap is on what is written, not on the worst case of escaping. */
static void escaping_fills_up_to_the_cap(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 16);
    /* 4 bytes in, 5 out: fits easily in 16. */
    assert_int_equal(es_buf_add_json_escaped(&b, "a\"bc", 4), 0);
    assert_string_equal(b.data, "a\\\"bc");
    /* 10 bytes in, 11 out: exactly 16. */
    assert_int_equal(es_buf_add_json_escaped(&b, "012345678\n", 10), 0);
    assert_int_equal(b.len, 16);
    assert_string_equal(b.data, "a\\\"bc012345678\\n");
    /* One more escaped byte (2 out) no longer fits; nothing is written. */
    assert_int_equal(es_buf_add_json_escaped(&b, "\t", 1), ES_ETOOBIG);
    assert_int_equal(b.len, 16);
    es_buf_dispose(&b);
}

struct esc_case {
    const char *in;
    size_t n;
    const char *out;
};

static void escapes_json(void **state)
{
    (void)state;
    static const struct esc_case cases[] = {
        {"plain", 5, "plain"},
        {"", 0, ""},
        {"\"", 1, "\\\""},
        {"\\", 1, "\\\\"},
        {"a\"b\\c", 5, "a\\\"b\\\\c"},
        {"\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f"},
        {"\0", 1, "\\u0000"},
        {"x\x01y", 3, "x\\u0001y"},
        {"\x1f", 1, "\\u001f"},
        {"\x7f", 1, "\x7f"},
        {"/", 1, "/"},
        {"Zürich — 東京 🙂", sizeof("Zürich — 東京 🙂") - 1,
         "Zürich — 東京 🙂"},
        {"\xff\xfe", 2, "\xff\xfe"},
        {"tail\"", 5, "tail\\\""},
    };
    struct es_buf b;
    es_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_buf_reset(&b);
        es_buf_add(&b, "[", 1);
        assert_int_equal(es_buf_add_json_escaped(&b, cases[i].in, cases[i].n), 0);
        es_buf_add(&b, "]", 1);
        size_t want = strlen(cases[i].out);
        if (b.len != want + 2 || memcmp(b.data + 1, cases[i].out, want) != 0)
            fail_msg("case %zu: \"%s\", expected \"%s\"", i, b.data, cases[i].out);
        assert_int_equal(b.data[b.len], '\0');
    }
    /* Every control character. */
    static const char *const named[32] = {
        [8] = "\\b", [9] = "\\t", [10] = "\\n", [12] = "\\f", [13] = "\\r"};
    for (int c = 0; c < 32; c++) {
        char in = (char)c;
        char want[8];
        if (named[c])
            snprintf(want, sizeof(want), "%s", named[c]);
        else
            snprintf(want, sizeof(want), "\\u%04x", c);
        es_buf_reset(&b);
        assert_int_equal(es_buf_add_json_escaped(&b, &in, 1), 0);
        if (strcmp(b.data, want) != 0)
            fail_msg("control 0x%02x: \"%s\", expected \"%s\"", c, b.data, want);
    }
    /* Every other byte passes through as it is. */
    for (int c = 32; c < 256; c++) {
        if (c == '"' || c == '\\')
            continue;
        char in = (char)c;
        es_buf_reset(&b);
        assert_int_equal(es_buf_add_json_escaped(&b, &in, 1), 0);
        assert_int_equal(b.len, 1);
        assert_int_equal((unsigned char)b.data[0], c);
    }
    /* A long string with escapes scattered through it. */
    es_buf_reset(&b);
    char long_in[5000];
    for (size_t i = 0; i < sizeof(long_in); i++)
        long_in[i] = i % 100 == 0 ? '\n' : 'a';
    assert_int_equal(es_buf_add_json_escaped(&b, long_in, sizeof(long_in)), 0);
    assert_int_equal(b.len, sizeof(long_in) + 50);
    es_buf_dispose(&b);
}

/* ---- es_arena ---- */

static void arena_aligns_and_separates(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 256);
    unsigned char *prev = NULL;
    size_t prev_n = 0;
    for (size_t n = 0; n < 300; n++) {
        unsigned char *p = es_arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)(n & 0xff), n);
        if (prev && prev_n)
            assert_int_equal(prev[prev_n - 1],
                             (unsigned char)(prev_n & 0xff)); /* not overwritten */
        prev = p;
        prev_n = n;
    }
    /* Larger than a chunk. */
    unsigned char *big = es_arena_alloc(&a, 10000);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 7, 10000);
    char *s = es_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(es_arena_strdup(&a, "x"), "x");
    unsigned char *z = es_arena_calloc(&a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    assert_memory_equal(es_arena_memdup(&a, "abc", 3), "abc", 3);
    assert_non_null(es_arena_memdup(&a, NULL, 0));
    assert_int_equal(big[9999], 7);
    es_arena_dispose(&a);
    es_arena_dispose(&a);
    es_arena_dispose(NULL);
}

static void arena_reset_reuses_memory(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 1024);
    void *first = es_arena_alloc(&a, 100);
    for (int i = 0; i < 100; i++)
        es_arena_alloc(&a, 100); /* several chunks */
    assert_true(a.used_total >= 101 * 100);
    es_arena_reset(&a);
    assert_int_equal(a.used_total, 0);
    void *again = es_arena_alloc(&a, 16);
    assert_int_equal((uintptr_t)again % 16, 0);
    assert_int_equal(a.used_total, 16);
    /* One chunk kept, allocations restart at its beginning (the checking
     * builds give every allocation its own block instead). */
    es_arena_reset(&a);
    void *same = es_arena_alloc(&a, 16);
#ifndef ES_ARENA_PER_ALLOC
    assert_ptr_equal(same, again);
#endif
    (void)same;
    (void)first;
    es_arena_dispose(&a);
    /* Reset of an unused arena is harmless; the default chunk size is used. */
    es_arena_init(&a, 0);
    es_arena_reset(&a);
    assert_true(a.chunk_size > 0);
    assert_non_null(es_arena_alloc(&a, 1));
    es_arena_dispose(&a);
}

/* ---- es_err ---- */

static void first_message_wins(void **state)
{
    (void)state;
    struct es_err err = {0};
    assert_int_equal(es_err_set(&err, ES_EINVAL, "erpsync.ini:%d: unknown key '%s'", 12, "colour"),
                     ES_EINVAL);
    assert_int_equal(err.code, ES_EINVAL);
    assert_string_equal(err.msg, "erpsync.ini:12: unknown key 'colour'");
    /* Propagation keeps the root cause; the call still returns its code. */
    assert_int_equal(es_err_set(&err, ES_EDB, "store failed"), ES_EDB);
    assert_int_equal(err.code, ES_EINVAL);
    assert_string_equal(err.msg, "erpsync.ini:12: unknown key 'colour'");
    es_err_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    assert_int_equal(es_err_set(&err, ES_ETOOBIG, "second"), ES_ETOOBIG);
    assert_string_equal(err.msg, "second");
    assert_int_equal(err.code, ES_ETOOBIG);
    /* No record: the code comes back all the same. */
    assert_int_equal(es_err_set(NULL, ES_ENET, "lost"), ES_ENET);
    es_err_clear(NULL);
    /* Long messages are cut, still terminated. */
    es_err_clear(&err);
    char long_msg[ES_ERR_MSG + 500];
    memset(long_msg, 'm', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    es_err_set(&err, ES_EIO, "%s", long_msg);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    assert_int_equal(err.code, ES_EIO);
}

static void error_names(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
    } cases[] = {
        {ES_OK, "OK"},       {ES_EINVAL, "EINVAL"},     {ES_ENOTFOUND, "ENOTFOUND"},
        {ES_ENET, "ENET"},   {ES_ETIMEOUT, "ETIMEOUT"}, {ES_EREMOTE, "EREMOTE"},
        {ES_EDB, "EDB"},     {ES_ETOOBIG, "ETOOBIG"},   {ES_ECONFLICT, "ECONFLICT"},
        {ES_EAUTH, "EAUTH"}, {ES_ELIMIT, "ELIMIT"},     {ES_EIO, "EIO"},
        {-999, "EUNKNOWN"},  {5, "EUNKNOWN"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(es_err_name(cases[i].code), cases[i].name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_and_stays_terminated),
        cmocka_unit_test(caps_refuse_without_writing),
        cmocka_unit_test(huge_requests_do_not_wrap),
        cmocka_unit_test(escaping_fills_up_to_the_cap),
        cmocka_unit_test(escapes_json),
        cmocka_unit_test(arena_aligns_and_separates),
        cmocka_unit_test(arena_reset_reuses_memory),
        cmocka_unit_test(first_message_wins),
        cmocka_unit_test(error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
