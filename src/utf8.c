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
