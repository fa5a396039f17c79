/* Escaping text for a terminal (see term.h): one pass that decodes UTF-8
 * strictly and writes each character either as it is or as an escape. */
#include <stdint.h>
#include <string.h>

#include "erpsync/err.h"
#include "erpsync/term.h"
#include "erpsync/utf8.h"

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
        size_t len = es_utf8_decode(s + i, n - i, &c);
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
