/* Escaping text for a terminal (see term.h): one pass that decodes UTF-8
 * strictly and writes each character either as it is or as an escape. */
#include <stdint.h>
#include <string.h>

#include "erpsync/err.h"
#include "erpsync/term.h"

/* The length (1-4) of the well-formed UTF-8 sequence at s[0..n), with its
 * code point in *cp; 0 when s does not start one (a stray continuation, a
 * cut sequence, an overlong form, a surrogate, past U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    uint32_t c = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Code points a terminal acts on or that change how the line reads: C0,
 * DEL, C1, and the bidirectional embeddings, overrides and isolates. */
static int is_control(uint32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

static int add_escape(struct es_buf *out, uint32_t c, int is_byte)
{
    char e[8];
    if (c == '\n' || c == '\r' || c == '\t') {
        e[0] = '\\';
        e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        return es_buf_add(out, e, 2);
    }
    int k = is_byte || c < 0x80 ? snprintf(e, sizeof(e), "\\x%02x", (unsigned)c)
                                : snprintf(e, sizeof(e), "\\u%04x", (unsigned)c);
    return es_buf_add(out, e, (size_t)k);
}

int es_term_escape(struct es_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t c = 0;
        size_t len = utf8_decode(p + i, n - i, &c);
        int rc;
        if (!len) /* not UTF-8: the byte alone */
            rc = add_escape(out, p[i++], 1);
        else if (is_control(c))
            rc = add_escape(out, c, 0), i += len;
        else
            rc = es_buf_add(out, p + i, len), i += len;
        if (rc)
            return rc;
    }
    return 0;
}

void es_term_fputs(const char *s, FILE *f)
{
    if (!s)
        return;
    struct es_buf b;
    es_buf_init(&b, 0);
    es_term_escape(&b, s, strlen(s));
    if (b.len)
        fwrite(b.data, 1, b.len, f);
    es_buf_dispose(&b);
}
