/* Instants as milliseconds since the Unix epoch (UTC), ISO 8601 parsing and
 * formatting with explicit offsets, and the process time zone (TZ).
 * All functions are thread-safe once es_tz_set() has run. */
#ifndef ERPSYNC_TIMEUTIL_H
#define ERPSYNC_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

struct es_civil {
    int year, mon, day; /* mon 1..12, day 1..31 */
    int hour, min, sec, ms;
};

struct es_iso {
    struct es_civil c;
    int has_time;   /* a 'T' part was present */
    int has_offset; /* 'Z' or ±hh:mm was present */
    int offset_min; /* east of UTC, valid when has_offset */
};

/* Set the process time zone (an IANA name such as "America/New_York", or
 * "UTC"). ES_EINVAL when the zone is unknown to the system's tz database. */
int es_tz_set(const char *zone);

/* Current wall-clock time. */
int64_t es_now_ms(void);

/* Proleptic Gregorian conversions, no time zone involved. */
int64_t es_civil_to_ms(const struct es_civil *c);
void es_ms_to_civil(struct es_civil *out, int64_t ms);

/* Offset east of UTC, in minutes, of the process zone at that instant. */
int es_tz_offset_min(int64_t utc_ms);
/* Local civil time of the process zone to an instant. In a DST gap the time
 * is moved forward; in an overlap the earlier instant is chosen. */
int64_t es_tz_local_to_ms(const struct es_civil *local);

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.f+]]" with optional "Z" or
 * "±HH[:]MM". Returns 0 or ES_EINVAL; out is untouched on failure. */
int es_iso_parse(struct es_iso *out, const char *s, size_t n);
/* The instant: uses the offset when present, else the process zone. */
int64_t es_iso_to_ms(const struct es_iso *t);

/* "2024-05-05T15:16:23.103-04:00": fraction trimmed of trailing zeros and
 * omitted when zero (as .NET prints DateTimeOffset). offset_min east of UTC.
 * Returns the length written (always < cap when cap >= 32). */
size_t es_time_format(char *out, size_t cap, int64_t utc_ms, int offset_min);
/* Same, always UTC with a 'Z' and three fraction digits. */
size_t es_time_format_utc(char *out, size_t cap, int64_t utc_ms);
/* The calendar date "YYYY-MM-DD" of an instant in the process zone,
 * years_back years earlier (29 February becomes 28 in a common year). */
size_t es_date_local(char *out, size_t cap, int64_t utc_ms, int years_back);
/* HTTP date "Sun, 06 Nov 1994 08:49:37 GMT". */
size_t es_time_format_http(char *out, size_t cap, int64_t utc_ms);
/* Parse an HTTP date (RFC 1123 form). 0 or ES_EINVAL. */
int es_time_parse_http(int64_t *out_ms, const char *s);

#endif
