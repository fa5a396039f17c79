/* Time: ISO 8601 parsing, formatting with offsets, DST in named zones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "erpsync/err.h"
#include "erpsync/timeutil.h"

struct parse_case {
    const char *in;
    int ok;
    long long utc_ms; /* when the text carries its offset */
};

static void parses_with_offsets(void **state)
{
    (void)state;
    static const struct parse_case cases[] = {
        {"2024-05-05T15:16:23.103-04:00", 1, 1714936583103LL},
        {"2024-05-05T19:16:23.103Z", 1, 1714936583103LL},
        {"2024-05-05T19:16:23.1034567+00:00", 1, 1714936583103LL},
        {"2024-07-15T10:31:28.402+03:00", 1, 1721028688402LL},
        {"2024-07-15T10:31:28+0300", 1, 1721028688000LL},
        {"2020-02-29T00:00:00Z", 1, 1582934400000LL},
        {"2021-02-29T00:00:00Z", 0, 0},
        {"2024-13-01", 0, 0},
        {"2024-05-05T25:00:00Z", 0, 0},
        {"2024-05-05T10:00:00+99:00", 0, 0},
        {"2024-05-05T10:00:00.", 0, 0},
        {"garbage", 0, 0},
        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_iso t;
        int rc = es_iso_parse(&t, cases[i].in, strlen(cases[i].in));
        if (!cases[i].ok) {
            assert_int_equal(rc, ES_EINVAL);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_true(t.has_offset);
        assert_int_equal(es_iso_to_ms(&t), cases[i].utc_ms);
    }
}

static void offsetless_values_use_the_zone(void **state)
{
    (void)state;
    assert_int_equal(es_tz_set("America/New_York"), 0);
    struct es_iso t;
    /* Winter: UTC-5. */
    assert_int_equal(es_iso_parse(&t, "2024-01-15T10:00:00", 19), 0);
    assert_false(t.has_offset);
    assert_int_equal(es_iso_to_ms(&t), 1705330800000LL);
    /* Summer: UTC-4. */
    assert_int_equal(es_iso_parse(&t, "2024-07-15T10:00:00", 19), 0);
    assert_int_equal(es_iso_to_ms(&t), 1721052000000LL);
    /* A date alone is local midnight. */
    assert_int_equal(es_iso_parse(&t, "2024-12-31", 10), 0);
    assert_int_equal(es_iso_to_ms(&t), 1735621200000LL);
}

static void dst_gap_and_overlap(void **state)
{
    (void)state;
    assert_int_equal(es_tz_set("America/New_York"), 0);
    /* 2024-03-10 02:30 does not exist: moved forward to 03:30 EDT. */
    struct es_civil gap = {2024, 3, 10, 2, 30, 0, 0};
    assert_int_equal(es_tz_local_to_ms(&gap), 1710055800000LL);
    /* 2024-11-03 01:30 happens twice: the earlier (EDT) is taken. */
    struct es_civil overlap = {2024, 11, 3, 1, 30, 0, 0};
    assert_int_equal(es_tz_local_to_ms(&overlap), 1730611800000LL);
    assert_int_equal(es_tz_offset_min(1730611800000LL), -240);
    assert_int_equal(es_tz_offset_min(1730611800000LL + 3600000), -300);
}

static void formats_like_dotnet(void **state)
{
    (void)state;
    char buf[64];
    es_time_format(buf, sizeof(buf), 1714936583103LL, -240);
    assert_string_equal(buf, "2024-05-05T15:16:23.103-04:00");
    es_time_format(buf, sizeof(buf), 1714936583100LL, 180);
    assert_string_equal(buf, "2024-05-05T22:16:23.1+03:00");
    es_time_format(buf, sizeof(buf), 1714936583050LL, 0);
    assert_string_equal(buf, "2024-05-05T19:16:23.05+00:00");
    es_time_format(buf, sizeof(buf), 1714936583120LL, 0);
    assert_string_equal(buf, "2024-05-05T19:16:23.12+00:00");
    es_time_format(buf, sizeof(buf), 1714936583001LL, 0);
    assert_string_equal(buf, "2024-05-05T19:16:23.001+00:00");
    es_time_format(buf, sizeof(buf), 1714936583000LL, 0);
    assert_string_equal(buf, "2024-05-05T19:16:23+00:00");
    es_time_format(buf, sizeof(buf), 1714936583000LL, 330);
    assert_string_equal(buf, "2024-05-06T00:46:23+05:30");
    es_time_format_utc(buf, sizeof(buf), 1714936583103LL);
    assert_string_equal(buf, "2024-05-05T19:16:23.103Z");
    es_time_format_http(buf, sizeof(buf), 784111777000LL);
    assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
    int64_t ms;
    assert_int_equal(es_time_parse_http(&ms, "Sun, 06 Nov 1994 08:49:37 GMT"), 0);
    assert_int_equal(ms, 784111777000LL);
    assert_int_equal(es_time_parse_http(&ms, "yesterday"), ES_EINVAL);
}

static void civil_round_trip(void **state)
{
    (void)state;
    for (int64_t ms = -86400000LL * 800; ms < 86400000LL * 40000; ms += 86400000LL * 37 + 12345) {
        struct es_civil c;
        es_ms_to_civil(&c, ms);
        assert_int_equal(es_civil_to_ms(&c), ms);
    }
}

static void unknown_zone_is_refused(void **state)
{
    (void)state;
    assert_int_equal(es_tz_set("Mars/Olympus_Mons"), ES_EINVAL);
    assert_int_equal(es_tz_set("../etc/passwd"), ES_EINVAL);
    assert_int_equal(es_tz_set("UTC"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_with_offsets),
        cmocka_unit_test(offsetless_values_use_the_zone),
        cmocka_unit_test(dst_gap_and_overlap),
        cmocka_unit_test(formats_like_dotnet),
        cmocka_unit_test(civil_round_trip),
        cmocka_unit_test(unknown_zone_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
