/* UTF-8 aware cutting. */
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

/* The length of the well-formed sequence at s (1 to 4), or 0 when it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * not UTF-8 (RFC 3629). */
static size_t sequence(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!len || c > 0xF4 || left < len)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!is_cont(s[i]))
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

size_t es_utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = sequence(p + i, n - i);
        if (!len)
            return i;
        i += len;
    }
    return n;
}
