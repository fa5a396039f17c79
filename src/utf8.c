/* UTF-8 aware cutting, and validation. */
#include <stdint.h>
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

size_t es_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *p = (const unsigned char *)s;
    if (!n)
        return 0;
    size_t len = p[0] < 0x80                    ? 1
                 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
                 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    uint32_t c = len == 1 ? p[0] : p[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if (!is_cont(p[i]))
            return 0;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    /* overlong forms, surrogates and code points past U+10FFFF (RFC 3629) */
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    if (cp)
        *cp = c;
    return len;
}

int es_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = es_utf8_decode((const char *)p + i, n - i, NULL);
        if (!len) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += len;
    }
    return 1;
}
