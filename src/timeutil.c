/* Time: epoch milliseconds, ISO 8601 and HTTP dates, the process zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "erpsync/err.h"
#include "erpsync/timeutil.h"

int es_tz_set(const char *zone)
{
    if (!zone || !*zone)
        return ES_EINVAL;
    if (strcmp(zone, "UTC") != 0 && strcmp(zone, "Etc/UTC") != 0) {
        /* glibc silently treats an unknown zone as UTC; refuse it instead. */
        if (strstr(zone, "..") || zone[0] == '/')
            return ES_EINVAL;
        char path[512];
        snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            return ES_EINVAL;
    }
    setenv("TZ", zone, 1);
    tzset();
    return 0;
}

int64_t es_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t es_civil_to_ms(const struct es_civil *c)
{
    int64_t days = days_from_civil(c->year, c->mon, c->day);
    return ((days * 24 + c->hour) * 60 + c->min) * 60000 + (int64_t)c->sec * 1000 + c->ms;
}

void es_ms_to_civil(struct es_civil *out, int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    civil_from_days(days, &out->year, &out->mon, &out->day);
    out->hour = (int)(rem / 3600000);
    out->min = (int)(rem / 60000 % 60);
    out->sec = (int)(rem / 1000 % 60);
    out->ms = (int)(rem % 1000);
}

int es_tz_offset_min(int64_t utc_ms)
{
    time_t t = (time_t)(utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return (int)(tm.tm_gmtoff / 60);
}

int64_t es_tz_local_to_ms(const struct es_civil *local)
{
    /* The wall time read as UTC, minus an offset in force around it. The
     * offsets a day before and after bracket any single transition: both
     * valid means an overlap (take the earlier instant), neither valid means
     * a gap (use the offset before the jump, which moves the time forward). */
    int64_t wall = es_civil_to_ms(local);
    int before = es_tz_offset_min(wall - 86400000), after = es_tz_offset_min(wall + 86400000);
    int64_t t1 = wall - (int64_t)before * 60000, t2 = wall - (int64_t)after * 60000;
    int ok1 = es_tz_offset_min(t1) == before, ok2 = es_tz_offset_min(t2) == after;
    if (ok1 && ok2)
        return t1 < t2 ? t1 : t2;
    if (ok2)
        return t2;
    return t1;
}

static int digits(const char *s, size_t n, size_t at, int count, int *out)
{
    if (at + (size_t)count > n)
        return -1;
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = s[at + (size_t)i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_offset(struct es_iso *t, const char *s, size_t n, size_t i)
{
    if (i == n)
        return 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
        t->has_offset = 1;
        t->offset_min = 0;
        return 0;
    }
    if (s[i] != '+' && s[i] != '-')
        return -1;
    int sign = s[i] == '-' ? -1 : 1, hh, mm = 0;
    if (digits(s, n, i + 1, 2, &hh))
        return -1;
    size_t j = i + 3;
    if (j < n && s[j] == ':')
        j++;
    if (j < n) {
        if (digits(s, n, j, 2, &mm))
            return -1;
        j += 2;
    }
    if (j != n || hh > 14 || mm > 59)
        return -1;
    t->has_offset = 1;
    t->offset_min = sign * (hh * 60 + mm);
    return 0;
}

static int parse_time(struct es_iso *t, const char *s, size_t n, size_t i)
{
    struct es_civil *c = &t->c;
    if (digits(s, n, i, 2, &c->hour) || i + 2 >= n || s[i + 2] != ':' ||
        digits(s, n, i + 3, 2, &c->min))
        return -1;
    i += 5;
    if (i < n && s[i] == ':') {
        if (digits(s, n, i + 1, 2, &c->sec))
            return -1;
        i += 3;
        if (i < n && s[i] == '.') {
            i++;
            int nd = 0, ms = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd < 3)
                    ms = ms * 10 + (s[i] - '0');
                nd++;
                i++;
            }
            if (nd == 0)
                return -1;
            for (int k = nd; k < 3; k++)
                ms *= 10;
            c->ms = ms;
        }
    }
    if (c->hour > 23 || c->min > 59 || c->sec > 59)
        return -1;
    t->has_time = 1;
    return parse_offset(t, s, n, i);
}

int es_iso_parse(struct es_iso *out, const char *s, size_t n)
{
    struct es_iso t;
    memset(&t, 0, sizeof(t));
    if (digits(s, n, 0, 4, &t.c.year) || n < 10 || s[4] != '-' || s[7] != '-' ||
        digits(s, n, 5, 2, &t.c.mon) || digits(s, n, 8, 2, &t.c.day))
        return ES_EINVAL;
    if (t.c.mon < 1 || t.c.mon > 12 || t.c.day < 1 ||
        t.c.day > days_in_month(t.c.year, t.c.mon) || t.c.year < 1)
        return ES_EINVAL;
    int rc = 0;
    if (n > 10) {
        if (s[10] == 'T' || s[10] == 't' || s[10] == ' ')
            rc = parse_time(&t, s, n, 11);
        else
            rc = parse_offset(&t, s, n, 10);
    }
    if (rc)
        return ES_EINVAL;
    *out = t;
    return 0;
}

int64_t es_iso_to_ms(const struct es_iso *t)
{
    if (t->has_offset)
        return es_civil_to_ms(&t->c) - (int64_t)t->offset_min * 60000;
    return es_tz_local_to_ms(&t->c);
}

size_t es_time_format(char *out, size_t cap, int64_t utc_ms, int offset_min)
{
    struct es_civil c;
    es_ms_to_civil(&c, utc_ms + (int64_t)offset_min * 60000);
    char frac[8] = "";
    if (c.ms > 0 && c.ms < 1000) { /* ".5", ".05", ".123": no trailing zeros */
        int ms = c.ms, digits = 3;
        while (ms % 10 == 0) {
            ms /= 10;
            digits--;
        }
        snprintf(frac, sizeof(frac), ".%0*d", digits, ms);
    }
    int a = offset_min < 0 ? -offset_min : offset_min;
    int n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d", c.year, c.mon, c.day,
                     c.hour, c.min, c.sec, frac, offset_min < 0 ? '-' : '+', a / 60, a % 60);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

static char *put_digits(char *o, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    return o + width;
}

size_t es_time_format_utc(char *out, size_t cap, int64_t utc_ms)
{
    struct es_civil c;
    es_ms_to_civil(&c, utc_ms);
    if (c.year < 0 || c.year > 9999 || cap < 25) { /* rare: the general way */
        int n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.mon, c.day,
                         c.hour, c.min, c.sec, c.ms);
        return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
    }
    /* Written by hand: a pull formats one per record and field. */
    char *o = put_digits(out, c.year, 4);
    *o++ = '-';
    o = put_digits(o, c.mon, 2);
    *o++ = '-';
    o = put_digits(o, c.day, 2);
    *o++ = 'T';
    o = put_digits(o, c.hour, 2);
    *o++ = ':';
    o = put_digits(o, c.min, 2);
    *o++ = ':';
    o = put_digits(o, c.sec, 2);
    *o++ = '.';
    o = put_digits(o, c.ms, 3);
    *o++ = 'Z';
    *o = '\0';
    return (size_t)(o - out);
}

static const char *const wdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t es_time_format_http(char *out, size_t cap, int64_t utc_ms)
{
    struct es_civil c;
    es_ms_to_civil(&c, utc_ms);
    int64_t days = es_civil_to_ms(&(struct es_civil){c.year, c.mon, c.day, 0, 0, 0, 0}) / 86400000;
    int wd = (int)(((days % 7) + 7) % 7);
    int n = snprintf(out, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[wd], c.day,
                     months[c.mon - 1], c.year, c.hour, c.min, c.sec);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

int es_time_parse_http(int64_t *out_ms, const char *s)
{
    char wd[4], mon[4];
    struct es_civil c = {0};
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &c.day, mon, &c.year, &c.hour, &c.min,
               &c.sec) != 7)
        return ES_EINVAL;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, months[i]) == 0)
            c.mon = i + 1;
    if (!c.mon || c.day < 1 || c.day > days_in_month(c.year, c.mon) || c.hour > 23 ||
        c.min > 59 || c.sec > 60)
        return ES_EINVAL;
    *out_ms = es_civil_to_ms(&c);
    return 0;
}

size_t es_date_local(char *out, size_t cap, int64_t utc_ms, int years_back)
{
    struct es_civil c;
    es_ms_to_civil(&c, utc_ms + (int64_t)es_tz_offset_min(utc_ms) * 60000);
    c.year -= years_back;
    if (c.mon == 2 && c.day == 29 && c.day > days_in_month(c.year, 2))
        c.day = 28;
    int n = snprintf(out, cap, "%04d-%02d-%02d", c.year, c.mon, c.day);
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
