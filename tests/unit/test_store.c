/* The store's paged lists: a page asked with $skip is the same whether the
 * store continues from where the previous page ended (its cursor) or counts
 * rows from the start, including after writes between pages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/arena.h"
#include "filter.h"
#include "store.h"

static struct sim_store *st;

struct page {
    char keys[64][16];
    int n;
};

static int collect(const struct sim_row *r, void *ctx)
{
    struct page *p = ctx;
    if (p->n < 64)
        snprintf(p->keys[p->n++], sizeof(p->keys[0]), "%.*s", (int)r->k1.n, r->k1.s);
    return 0;
}

static void put(const char *ent, const char *key, int64_t modified)
{
    char id[37];
    /* A fake but unique NoteID: the key padded. */
    snprintf(id, sizeof(id), "%-8.8s-0000-0000-0000-%012lld", key, (long long)modified);
    for (char *p = id; *p; p++)
        if (*p == ' ')
            *p = '0';
    struct sim_row r = {.ent = ent, .id = id, .k1 = {.s = key, .n = strlen(key)},
                        .created = modified, .modified = modified, .body = "", .body_n = 0};
    struct es_err err = {0};
    assert_int_equal(sim_store_put(st, &r, &err), 0);
}

static void list(const char *ent, const struct sim_sqlq *q, int top, int skip, struct page *p)
{
    struct es_err err = {0};
    p->n = 0;
    assert_int_equal(sim_store_list(st, ent, q, top, skip, collect, p, &err), 0);
}

static int setup(void **state)
{
    (void)state;
    struct es_err err = {0};
    assert_int_equal(sim_store_open(&st, NULL, &err), 0);
    char key[16];
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "K%03d", i * 2); /* K000, K002, ... K098 */
        put("Customer", key, 1000 + i);
    }
    put("Vendor", "K001", 5);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_store_close(st);
    return 0;
}

/* Reading page after page gives every row once, in key order. */
static void pages_cover_the_table(void **state)
{
    (void)state;
    struct page p;
    int seen = 0;
    for (int skip = 0;; skip += 7) {
        list("Customer", NULL, 7, skip, &p);
        for (int i = 0; i < p.n; i++) {
            char want[16];
            snprintf(want, sizeof(want), "K%03d", (seen + i) * 2);
            assert_string_equal(p.keys[i], want);
        }
        seen += p.n;
        if (p.n < 7)
            break;
    }
    assert_int_equal(seen, 50);
}

/* A row inserted before the point reached shifts later pages by one, as
 * OFFSET does; the remembered position must not hide it. */
static void a_write_between_pages_counts_like_offset(void **state)
{
    (void)state;
    struct page p;
    list("Customer", NULL, 10, 0, &p);
    assert_string_equal(p.keys[9], "K018");
    put("Customer", "K003", 2000); /* sorts into the first page */
    list("Customer", NULL, 10, 10, &p);
    assert_string_equal(p.keys[0], "K018"); /* the 11th row is now K018 */
    list("Customer", NULL, 10, 20, &p);
    assert_string_equal(p.keys[0], "K038");
}

/* Another filter, another skip, another entity: no cursor is borrowed. */
static void cursors_belong_to_their_query(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    struct sim_sqlq q;
    sim_sqlq_init(&q);
    es_buf_adds(&q.sql, "(modified >= ");
    sim_sqlq_add_param(&q, &a, SP_INT, 1040, NULL, 0);
    es_buf_adds(&q.sql, ")");
    struct page p;
    list("Customer", NULL, 5, 0, &p); /* leaves a cursor at skip 5 */
    list("Customer", &q, 5, 5, &p);   /* same skip, other filter */
    /* modified >= 1040: K003 (2000), K080..K098; rows 5-9 are K088-K096. */
    assert_int_equal(p.n, 5);
    assert_string_equal(p.keys[0], "K088");
    list("Vendor", NULL, 5, 5, &p);
    assert_int_equal(p.n, 0);
    list("Customer", NULL, 5, 7, &p); /* not the page after: counted */
    assert_string_equal(p.keys[0], "K012");
    sim_sqlq_dispose(&q);
    es_arena_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_cover_the_table),
        cmocka_unit_test(a_write_between_pages_counts_like_offset),
        cmocka_unit_test(cursors_belong_to_their_query),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
