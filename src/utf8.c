/* UTF-8 aware cutting, and validation. */
#include <string.h>

#include "erpsync/utf8.h"

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t es_utf8_fit(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t i = max; /* s[i] is the first byte left out */
    for (int k = 0; k < 3 && i > 0 && is_cont((unsigned char)s[i]); k++)
        i--;
    return is_cont((unsigned char)s[i]) ? max : i; /* not UTF-8: cut as asked */
}

void es_utf8_trim(char *s)
{
    size_t n = strlen(s), j = n;
    for (int k = 0; k < 3 && j > 0 && is_cont((unsigned char)s[j - 1]); k++)
        j--;
    if (j == 0)
        return;
    unsigned char lead = (unsigned char)s[j - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (want > 1 && n - (j - 1) < want)
        s[j - 1] = '\0';
}

/* The length of the well-formed sequence at p (left bytes remain), or 0.
 * The second byte's range excludes overlong forms, surrogates and code
 * points past U+10FFFF (RFC 3629, section 4). */
static size_t sequence_len(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t len = 0;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    if (!len || left < len)
        return 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (!is_cont(p[i]))
            return 0;
    return len;
}

int es_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = sequence_len(p + i, n - i);
        if (!len) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += len;
    }
    return 1;
}
