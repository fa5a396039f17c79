/* The conflict rule: primary = erp and app decide whatever the times say;
 * newest compares the ERP's time, moved to our clock by the skew, with the
 * application's; a missing time leaves Acumatica's version. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "erpsync/conflict.h"
#include "erpsync/timeutil.h"

/* An ERP record last changed at iso (UTC). */
static struct es_record at(const char *iso)
{
    struct es_record r;
    memset(&r, 0, sizeof(r));
    struct es_iso t;
    assert_int_equal(es_iso_parse(&t, iso, strlen(iso)), 0);
    r.erp_modified = (char *)iso;
    r.modified_ms = es_iso_to_ms(&t);
    return r;
}

static void primary_decides_whatever_the_times(void **state)
{
    (void)state;
    char why[300];
    struct es_record r = at("2026-01-01T10:00:00.000Z");
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_ERP, &r, 0, "2026-01-01T11:00:00.000Z", why,
                                          sizeof(why)),
                     1);
    assert_string_equal(why, "primary = erp");
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_APP, &r, 0, "2026-01-01T09:00:00.000Z", why,
                                          sizeof(why)),
                     0);
    assert_string_equal(why, "primary = app");
}

static void newest_wins_on_our_clock(void **state)
{
    (void)state;
    char why[300];
    struct es_record r = at("2026-01-01T10:00:00.000Z");
    /* Plain: the later change. */
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, "2026-01-01T09:59:59.000Z",
                                          why, sizeof(why)),
                     1);
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, "2026-01-01T10:00:01.000Z",
                                          why, sizeof(why)),
                     0);
    /* The ERP's clock an hour ahead: its 10:00 is our 09:00, older than
     * the application's 09:30. */
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 3600000,
                                          "2026-01-01T09:30:00.000Z", why, sizeof(why)),
                     0);
    assert_non_null(strstr(why, "2026-01-01T09:00:00.000Z on our clock"));
    assert_non_null(strstr(why, "skew +3600000 ms"));
    assert_non_null(strstr(why, "the application at 2026-01-01T09:30:00.000Z"));
    /* An hour behind: its 10:00 is our 11:00, newer than 10:30. */
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, -3600000,
                                          "2026-01-01T10:30:00.000Z", why, sizeof(why)),
                     1);
    /* Times with offsets are compared as instants. */
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, "2026-01-01T05:30:00-05:00",
                                          why, sizeof(why)),
                     0);
}

static void a_missing_time_leaves_acumatica_s_version(void **state)
{
    (void)state;
    char why[300];
    struct es_record r = at("2026-01-01T10:00:00.000Z");
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, NULL, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "missing"));
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, "yesterday", why,
                                          sizeof(why)),
                     1);
    r.erp_modified = NULL;
    assert_int_equal(es_conflict_erp_wins(ES_PRIMARY_NEWEST, &r, 0, "2026-01-01T11:00:00.000Z",
                                          why, sizeof(why)),
                     1);
    /* A short buffer is cut, never overrun. */
    struct es_record q = at("2026-01-01T10:00:00.000Z");
    char tiny[8];
    es_conflict_erp_wins(ES_PRIMARY_NEWEST, &q, 0, "2026-01-01T09:00:00.000Z", tiny,
                         sizeof(tiny));
    assert_int_equal(strlen(tiny), 7);
}

/* Only both sides changing what is synced is a conflict: a pending row
 * whose ERP content differs from the version last synced. */
static void a_conflict_needs_both_sides_changed(void **state)
{
    (void)state;
    struct es_record r = at("2026-01-01T10:00:00.000Z");
    r.hash = 0x1234abcdULL;
    char same[24];
    es_map_hash_text(same, r.hash);
    static const struct {
        const char *status;
        int same_content;
        int conflict;
    } cases[] = {
        {"pending", 0, 1}, {"pending", 1, 0}, {"synced", 0, 0},
        {"failed", 0, 0},  {"unknown", 0, 0}, {NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h = cases[i].same_content ? same : "00000000deadbeef";
        assert_int_equal(es_conflict_exists(cases[i].status, h, r.erp_modified, &r),
                         cases[i].conflict);
    }
    /* The synced content unknown (a store from before the hash changed its
     * meaning): the ERP's time decides whether it changed. */
    assert_int_equal(es_conflict_exists("pending", NULL, "2026-01-01T10:00:00.000Z", &r), 0);
    assert_int_equal(es_conflict_exists("pending", "", "2026-01-01T09:00:00.000Z", &r), 1);
    assert_int_equal(es_conflict_exists("pending", NULL, NULL, &r), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(primary_decides_whatever_the_times),
        cmocka_unit_test(newest_wins_on_our_clock),
        cmocka_unit_test(a_missing_time_leaves_acumatica_s_version),
        cmocka_unit_test(a_conflict_needs_both_sides_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
