/* Records: the value tree, its packed form (exact bytes, round trips), path
 * lookups inside packed blobs, and blobs that are cut short or corrupted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"

/* Name ids of one, two and three varint bytes. */
enum { N_A = 5, N_B = 6, N_C = 7, N_D = 8, N_E = 9, N_WIDE = 300, N_WIDER = 70000 };

static int doc_equal(const struct sim_doc *x, const struct sim_doc *y);

static int val_equal(const struct sim_val *x, const struct sim_val *y)
{
    if (x->t != y->t)
        return 0;
    switch (x->t) {
    case SV_STR:
        return x->n == y->n && memcmp(x->u.s, y->u.s, x->n) == 0;
    case SV_INT:
    case SV_DEC:
    case SV_DT:
        return x->u.i == y->u.i;
    case SV_OBJ:
        return doc_equal(x->u.obj, y->u.obj);
    case SV_ARR:
        if (x->n != y->n)
            return 0;
        for (uint32_t i = 0; i < x->n; i++)
            if (!doc_equal(x->u.arr[i], y->u.arr[i]))
                return 0;
        return 1;
    default:
        return 1;
    }
}

static int doc_equal(const struct sim_doc *x, const struct sim_doc *y)
{
    if (x->n != y->n)
        return 0;
    for (uint32_t i = 0; i < x->n; i++)
        if (x->f[i].name != y->f[i].name || !val_equal(&x->f[i].v, &y->f[i].v))
            return 0;
    return 1;
}

/* A record with every value type, nested objects and arrays. */
static struct sim_doc *sample(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    sim_doc_set_str(a, d, N_A, "C000123");
    sim_doc_set_strn(a, d, N_B, "", 0);
    sim_doc_set_strn(a, d, N_C, "nul\0inside", 10);
    sim_doc_set_str(a, d, N_D, "Zürich — 東京");
    sim_doc_set_bool(a, d, N_E, 1);
    sim_doc_set_bool(a, d, 10, 0);
    sim_doc_set_str(a, d, 11, NULL); /* present but empty */
    sim_doc_set_int(a, d, 12, SV_INT, 0);
    sim_doc_set_int(a, d, 13, SV_INT, -1);
    sim_doc_set_int(a, d, 14, SV_INT, INT64_MIN);
    sim_doc_set_int(a, d, 15, SV_INT, INT64_MAX);
    sim_doc_set_int(a, d, 16, SV_DEC, 2200 * SIM_DEC_SCALE + 500000);
    sim_doc_set_int(a, d, 17, SV_DEC, -1);
    sim_doc_set_int(a, d, 18, SV_DT, 1714936583103LL);
    sim_doc_set_int(a, d, 19, SV_DT, -86400000LL * 365);
    sim_doc_set_int(a, d, N_WIDE, SV_INT, 1LL << 40);
    /* Linked: MainContact { Email, Address { City } } */
    struct sim_val *v = sim_doc_set(a, d, N_WIDER);
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(a);
    sim_doc_set_str(a, v->u.obj, N_A, "ap@northwind.example");
    struct sim_val *addr = sim_doc_set(a, v->u.obj, N_B);
    addr->t = SV_OBJ;
    addr->u.obj = sim_doc_new(a);
    sim_doc_set_str(a, addr->u.obj, N_C, "Seattle");
    sim_doc_set_int(a, addr->u.obj, N_D, SV_DEC, 12500000);
    /* An empty linked entity. */
    v = sim_doc_set(a, d, 20);
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(a);
    /* Detail rows, one of them empty, one with its own detail. */
    struct sim_doc *row = sim_doc_push(a, d, 21);
    sim_doc_set_str(a, row, N_A, "LINE1");
    sim_doc_set_int(a, row, N_B, SV_DEC, 3 * SIM_DEC_SCALE);
    sim_doc_push(a, d, 21);
    row = sim_doc_push(a, d, 21);
    struct sim_doc *sub = sim_doc_push(a, row, N_C);
    sim_doc_set_bool(a, sub, N_D, 0);
    /* An empty detail collection. */
    v = sim_doc_set(a, d, 22);
    v->t = SV_ARR;
    v->n = 0;
    v->u.arr = NULL;
    return d;
}

static void encodes_the_documented_layout(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    struct {
        const char *what;
        const unsigned char *bytes;
        size_t n;
    } cases[5];
    /* STR: varint len, bytes */
    struct sim_doc *d1 = sim_doc_new(&a);
    sim_doc_set_str(&a, d1, N_A, "ab");
    static const unsigned char b1[] = {0x01, 0x05, SV_STR, 0x02, 'a', 'b'};
    /* zigzag varint; names of two bytes */
    struct sim_doc *d2 = sim_doc_new(&a);
    sim_doc_set_int(&a, d2, N_WIDE, SV_INT, -1);
    sim_doc_set_int(&a, d2, N_A, SV_DEC, 64);
    static const unsigned char b2[] = {0x02, 0xac, 0x02, SV_INT, 0x01, 0x05, SV_DEC, 0x80, 0x01};
    /* OBJ: varint len, doc */
    struct sim_doc *d3 = sim_doc_new(&a);
    struct sim_val *v = sim_doc_set(&a, d3, N_C);
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(&a);
    sim_doc_set_bool(&a, v->u.obj, N_D, 1);
    static const unsigned char b3[] = {0x01, 0x07, SV_OBJ, 0x03, 0x01, 0x08, SV_TRUE};
    /* ARR: varint len, varint count, (varint len, doc)* */
    struct sim_doc *d4 = sim_doc_new(&a);
    sim_doc_push(&a, d4, N_E);
    struct sim_doc *row = sim_doc_push(&a, d4, N_E);
    sim_doc_set(&a, row, 10)->t = SV_NULL;
    static const unsigned char b4[] = {0x01, 0x09, SV_ARR, 0x07, 0x02,   0x01,
                                       0x00, 0x03, 0x01,   0x0a, SV_NULL};
    static const unsigned char b5[] = {0x00};
    cases[0].what = "string", cases[0].bytes = b1, cases[0].n = sizeof(b1);
    cases[1].what = "numbers", cases[1].bytes = b2, cases[1].n = sizeof(b2);
    cases[2].what = "object", cases[2].bytes = b3, cases[2].n = sizeof(b3);
    cases[3].what = "array", cases[3].bytes = b4, cases[3].n = sizeof(b4);
    cases[4].what = "empty", cases[4].bytes = b5, cases[4].n = sizeof(b5);
    struct sim_doc *docs[] = {d1, d2, d3, d4, sim_doc_new(&a)};
    for (size_t i = 0; i < 5; i++) {
        es_buf_reset(&b);
        sim_doc_encode(&b, docs[i]);
        if (b.len != cases[i].n || memcmp(b.data, cases[i].bytes, b.len) != 0)
            fail_msg("%s: encoded %zu bytes, expected %zu", cases[i].what, b.len, cases[i].n);
    }
    /* A NULL document is the empty one. */
    es_buf_reset(&b);
    sim_doc_encode(&b, NULL);
    assert_int_equal(b.len, 1);
    assert_int_equal(b.data[0], 0);
    es_buf_dispose(&b);
    es_arena_dispose(&a);
}

static void round_trips(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct sim_doc *d = sample(&a);
    struct es_buf b;
    es_buf_init(&b, 0);
    /* Appending keeps what the buffer held. */
    es_buf_adds(&b, "hdr");
    sim_doc_encode(&b, d);
    assert_memory_equal(b.data, "hdr", 3);
    struct sim_doc *back = NULL;
    assert_int_equal(sim_doc_decode(&a, &back, b.data + 3, b.len - 3), 0);
    assert_non_null(back);
    assert_true(doc_equal(d, back));
    /* Decoded strings point into the blob. */
    uint32_t n;
    const char *s = sim_doc_str(back, N_A, &n);
    assert_true(s >= b.data && s < b.data + b.len);
    assert_int_equal(n, 7);
    /* Encoding the decoded document gives the same bytes. */
    struct es_buf again;
    es_buf_init(&again, 0);
    sim_doc_encode(&again, back);
    assert_int_equal(again.len, b.len - 3);
    assert_memory_equal(again.data, b.data + 3, again.len);
    /* The empty document. */
    struct sim_doc *empty = NULL;
    es_buf_reset(&again);
    sim_doc_encode(&again, sim_doc_new(&a));
    assert_int_equal(sim_doc_decode(&a, &empty, again.data, again.len), 0);
    assert_non_null(empty);
    assert_int_equal(empty->n, 0);
    es_buf_dispose(&again);
    es_buf_dispose(&b);
    es_arena_dispose(&a);
}

static void accessors(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct sim_doc *d = sample(&a);
    uint32_t n = 0;
    assert_memory_equal(sim_doc_str(d, N_A, &n), "C000123", 7);
    assert_int_equal(n, 7);
    assert_null(sim_doc_str(d, 12, &n)); /* an int */
    assert_null(sim_doc_str(d, 999, &n));
    assert_int_equal(sim_doc_num(d, 16, -7), 2200500000LL);
    assert_int_equal(sim_doc_num(d, 18, -7), 1714936583103LL);
    assert_int_equal(sim_doc_num(d, N_A, -7), -7);
    assert_int_equal(sim_doc_bool(d, N_E, -1), 1);
    assert_int_equal(sim_doc_bool(d, 10, -1), 0);
    assert_int_equal(sim_doc_bool(d, 11, -1), -1);
    assert_string_equal(sim_doc_strdup(&a, d, N_A), "C000123");
    assert_null(sim_doc_strdup(&a, d, 11));
    assert_true(sim_doc_str_eq(d, N_A, "c000123"));
    assert_false(sim_doc_str_eq(d, N_A, "C00012"));
    assert_false(sim_doc_str_eq(d, N_A, "C0001234"));
    /* set returns the existing slot; del removes and keeps the order. */
    uint32_t before = d->n;
    assert_ptr_equal(sim_doc_set(&a, d, N_B), sim_doc_get(d, N_B));
    assert_int_equal(d->n, before);
    sim_doc_del(d, N_B);
    assert_null(sim_doc_get(d, N_B));
    assert_int_equal(d->n, before - 1);
    assert_int_equal(d->f[1].name, N_C);
    sim_doc_del(d, 4242); /* absent: nothing happens */
    assert_int_equal(d->n, before - 1);
    assert_null(sim_doc_get(NULL, N_A));
    /* A clone is deep: changing the copy leaves the original alone. */
    struct sim_doc *c = sim_doc_clone(&a, d);
    assert_true(doc_equal(d, c));
    struct sim_doc *crow = sim_doc_get(c, 21)->u.arr[0];
    sim_doc_set_str(&a, crow, N_A, "CHANGED");
    ((char *)sim_doc_get(sim_doc_get(c, N_WIDER)->u.obj, N_A)->u.s)[0] = 'X';
    assert_true(sim_doc_str_eq(sim_doc_get(d, 21)->u.arr[0], N_A, "LINE1"));
    assert_memory_equal(sim_doc_get(sim_doc_get(d, N_WIDER)->u.obj, N_A)->u.s, "ap@", 3);
    assert_int_equal(sim_doc_clone(&a, NULL)->n, 0);
    /* push turns a scalar into an array. */
    sim_doc_push(&a, d, N_A);
    assert_int_equal(sim_doc_get(d, N_A)->t, SV_ARR);
    assert_int_equal(sim_doc_get(d, N_A)->n, 1);
    es_arena_dispose(&a);
}

struct lookup_case {
    const char *what;
    uint32_t path[3];
    size_t depth;
    int found;
    int t;
    const char *s; /* SV_STR */
    int64_t i;     /* numbers */
};

static void looks_up_paths_in_blobs(void **state)
{
    (void)state;
    static const struct lookup_case cases[] = {
        {"top-level string", {N_A}, 1, 1, SV_STR, "C000123", 0},
        {"empty string", {N_B}, 1, 1, SV_STR, "", 0},
        {"true", {N_E}, 1, 1, SV_TRUE, NULL, 0},
        {"false", {10}, 1, 1, SV_FALSE, NULL, 0},
        {"null", {11}, 1, 1, SV_NULL, NULL, 0},
        {"min int", {14}, 1, 1, SV_INT, NULL, INT64_MIN},
        {"max int", {15}, 1, 1, SV_INT, NULL, INT64_MAX},
        {"decimal", {16}, 1, 1, SV_DEC, NULL, 2200500000LL},
        {"date-time before 1970", {19}, 1, 1, SV_DT, NULL, -86400000LL * 365},
        {"wide name", {N_WIDE}, 1, 1, SV_INT, NULL, 1LL << 40},
        {"linked field", {N_WIDER, N_A}, 2, 1, SV_STR, "ap@northwind.example", 0},
        {"linked of linked", {N_WIDER, N_B, N_C}, 3, 1, SV_STR, "Seattle", 0},
        {"decimal two down", {N_WIDER, N_B, N_D}, 3, 1, SV_DEC, NULL, 12500000},
        {"absent", {4242}, 1, 0, 0, NULL, 0},
        {"absent inside linked", {N_WIDER, 4242}, 2, 0, 0, NULL, 0},
        {"field of an empty linked", {20, N_A}, 2, 0, 0, NULL, 0},
        {"an object is not a value", {N_WIDER}, 1, 0, 0, NULL, 0},
        {"an array is not a value", {21}, 1, 0, 0, NULL, 0},
        {"arrays end the walk", {21, N_A}, 2, 0, 0, NULL, 0},
        {"through a string", {N_A, N_B}, 2, 0, 0, NULL, 0},
        {"no path", {0}, 0, 0, 0, NULL, 0},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_doc_encode(&b, sample(&a));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct lookup_case *c = &cases[i];
        struct sim_val v;
        memset(&v, 0xa5, sizeof(v));
        int found = sim_blob_lookup(&v, b.data, b.len, c->path, c->depth);
        if (found != c->found)
            fail_msg("%s: found %d", c->what, found);
        if (!found)
            continue;
        if (v.t != c->t)
            fail_msg("%s: type %d, expected %d", c->what, v.t, c->t);
        if (c->t == SV_STR) {
            assert_int_equal(v.n, strlen(c->s));
            assert_memory_equal(v.u.s, c->s, v.n);
            assert_true(v.u.s >= b.data && v.u.s + v.n <= b.data + b.len);
        } else if (c->t == SV_INT || c->t == SV_DEC || c->t == SV_DT) {
            assert_int_equal(v.u.i, c->i);
        }
    }
    es_buf_dispose(&b);
    es_arena_dispose(&a);
}

/* Every prefix of a real blob is malformed: decoding says so and leaves out
 * alone; lookups find nothing they should not. */
static void truncated_blobs_are_refused(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_doc_encode(&b, sample(&a));
    static const uint32_t deep[] = {N_WIDER, N_B, N_C};
    for (size_t len = 0; len < b.len; len++) {
        /* A copy of exactly len bytes, so reading past it is caught by ASan. */
        unsigned char *cut = malloc(len ? len : 1);
        memcpy(cut, b.data, len);
        struct sim_doc *sentinel = (struct sim_doc *)&a, *out = sentinel;
        int rc = sim_doc_decode(&a, &out, cut, len);
        if (rc != ES_EINVAL)
            fail_msg("prefix of %zu bytes of %zu: rc %d", len, b.len, rc);
        assert_ptr_equal(out, sentinel);
        struct sim_val v;
        if (sim_blob_lookup(&v, cut, len, deep, 3)) {
            /* Found only when the whole value lies inside the prefix. */
            assert_int_equal(v.t, SV_STR);
            assert_int_equal(v.n, 7);
            assert_memory_equal(v.u.s, "Seattle", 7);
        }
        free(cut);
    }
    es_buf_dispose(&b);
    es_arena_dispose(&a);
}

static uint64_t next_random(uint64_t *s)
{
    /* xorshift64*: deterministic, so a failure can be replayed. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void corrupted_blobs_do_not_crash(void **state)
{
    (void)state;
    struct es_arena keep, a;
    es_arena_init(&keep, 0);
    es_arena_init(&a, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_doc_encode(&b, sample(&keep));
    unsigned char *blob = malloc(b.len);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int refused = 0, accepted = 0;
    static const uint32_t paths[][3] = {{N_A}, {N_WIDER, N_A}, {N_WIDER, N_B, N_C}, {21}};
    for (int round = 0; round < 20000; round++) {
        memcpy(blob, b.data, b.len);
        int flips = 1 + (int)(next_random(&seed) % 3);
        for (int f = 0; f < flips; f++) {
            uint64_t r = next_random(&seed);
            blob[(r >> 3) % b.len] ^= (unsigned char)(1u << (r & 7));
        }
        struct sim_doc *out = NULL;
        int rc = sim_doc_decode(&a, &out, blob, b.len);
        if (rc == 0) {
            accepted++;
            assert_non_null(out);
            /* Whatever was accepted encodes again without trouble. */
            struct es_buf re;
            es_buf_init(&re, 0);
            sim_doc_encode(&re, out);
            es_buf_dispose(&re);
        } else {
            assert_int_equal(rc, ES_EINVAL);
            assert_null(out);
            refused++;
        }
        for (size_t p = 0; p < 4; p++) {
            struct sim_val v;
            sim_blob_lookup(&v, blob, b.len, paths[p], p == 0 || p == 3 ? 1 : p + 1);
        }
        es_arena_reset(&a);
    }
    /* Both outcomes happen: flipped string bytes still decode. */
    assert_true(refused > 0);
    assert_true(accepted > 0);
    /* Random bytes of every small length. */
    for (size_t len = 1; len < 64; len++) {
        for (int k = 0; k < 200; k++) {
            unsigned char *junk = malloc(len);
            for (size_t i = 0; i < len; i++)
                junk[i] = (unsigned char)next_random(&seed);
            struct sim_doc *out = NULL;
            int rc = sim_doc_decode(&a, &out, junk, len);
            assert_true(rc == 0 || rc == ES_EINVAL);
            struct sim_val v;
            sim_blob_lookup(&v, junk, len, paths[2], 3);
            free(junk);
            es_arena_reset(&a);
        }
    }
    free(blob);
    es_buf_dispose(&b);
    es_arena_dispose(&a);
    es_arena_dispose(&keep);
}

struct bad_blob {
    const char *what;
    unsigned char bytes[16];
    size_t n;
};

static void malformed_headers_are_refused(void **state)
{
    (void)state;
    static const struct bad_blob cases[] = {
        {"empty", {0}, 0},
        {"more fields than bytes", {0xff, 0xff, 0xff, 0xff, 0x0f, 0x05, SV_TRUE}, 7},
        {"field without a type", {0x01, 0x05}, 2},
        {"unknown type", {0x01, 0x05, 0x09}, 3},
        {"type 255", {0x01, 0x05, 0xff}, 3},
        {"string longer than the blob", {0x01, 0x05, SV_STR, 0x05, 'a', 'b'}, 6},
        {"huge string length",
         {0x01, 0x05, SV_STR, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
         12},
        {"unterminated varint", {0x01, 0x05, SV_INT, 0x80, 0x80, 0x80}, 6},
        {"varint over ten bytes",
         {0x01, 0x05, SV_INT, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
         14},
        {"name past 32 bits", {0x01, 0x80, 0x80, 0x80, 0x80, 0x10, SV_TRUE}, 7},
        {"object longer than the blob", {0x01, 0x05, SV_OBJ, 0x09, 0x00}, 5},
        {"object with a bad body", {0x01, 0x05, SV_OBJ, 0x02, 0x01, 0x06}, 6},
        {"array count over its length", {0x01, 0x05, SV_ARR, 0x01, 0x05}, 5},
        {"array element past the array", {0x01, 0x05, SV_ARR, 0x02, 0x01, 0x05, 0, 0, 0}, 9},
        {"array missing elements", {0x01, 0x05, SV_ARR, 0x03, 0x02, 0x01, 0x00}, 7},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sim_doc *out = NULL;
        unsigned char *copy = malloc(cases[i].n ? cases[i].n : 1);
        memcpy(copy, cases[i].bytes, cases[i].n);
        int rc = sim_doc_decode(&a, &out, copy, cases[i].n);
        if (rc != ES_EINVAL)
            fail_msg("%s: rc %d", cases[i].what, rc);
        assert_null(out);
        free(copy);
    }
    es_arena_dispose(&a);
}

static struct sim_doc *nest(struct es_arena *a, int levels)
{
    struct sim_doc *root = sim_doc_new(a), *d = root;
    for (int i = 0; i < levels; i++) {
        struct sim_val *v = sim_doc_set(a, d, N_A);
        v->t = SV_OBJ;
        v->u.obj = sim_doc_new(a);
        d = v->u.obj;
    }
    sim_doc_set_str(a, d, N_B, "leaf");
    return root;
}

static void nesting_depth(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct es_buf b;
    es_buf_init(&b, 0);
    /* Records nest far less than 16 levels (the API caps input at 8). */
    sim_doc_encode(&b, nest(&a, 16));
    struct sim_doc *out = NULL;
    assert_int_equal(sim_doc_decode(&a, &out, b.data, b.len), 0);
    assert_true(doc_equal(nest(&a, 16), out));
    /* A hostile blob nested thousands deep is refused, not recursed into. */
    es_buf_reset(&b);
    sim_doc_encode(&b, nest(&a, 5000));
    out = NULL;
    assert_int_equal(sim_doc_decode(&a, &out, b.data, b.len), ES_EINVAL);
    assert_null(out);
    es_buf_dispose(&b);
    es_arena_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_the_documented_layout),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(accessors),
        cmocka_unit_test(looks_up_paths_in_blobs),
        cmocka_unit_test(truncated_blobs_are_refused),
        cmocka_unit_test(corrupted_blobs_do_not_crash),
        cmocka_unit_test(malformed_headers_are_refused),
        cmocka_unit_test(nesting_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
