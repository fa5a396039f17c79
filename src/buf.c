/* Growable, capped byte buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "erpsync/buf.h"
#include "erpsync/err.h"
#include "erpsync/mem.h"

void es_buf_init(struct es_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void es_buf_dispose(struct es_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void es_buf_reset(struct es_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int es_buf_reserve_slow(struct es_buf *b, size_t n)
{
    if (b->max && (n > b->max || b->len > b->max - n))
        return ES_ETOOBIG;
    if (n >= SIZE_MAX / 2 - b->len) /* no cap: still refuse what cannot exist */
        return ES_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = es_xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int es_buf_add_slow(struct es_buf *b, const void *p, size_t n)
{
    int rc = es_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int es_buf_adds(struct es_buf *b, const char *s)
{
    return es_buf_add(b, s, strlen(s));
}

int es_buf_addf(struct es_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return ES_EINVAL;
    if ((size_t)n < sizeof(small))
        return es_buf_add(b, small, (size_t)n);
    int rc = es_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

static int needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

int es_buf_add_json_escaped(struct es_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    while (run < n && !needs_escape((unsigned char)s[run]))
        run++;
    if (run == n) /* the common case: nothing to escape */
        return es_buf_add(b, s, n);
    /* Reserve exactly what the escaped text takes, so a string that fits
     * under the cap is never refused for its worst case. */
    size_t out = run;
    for (size_t i = run; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c))
            out += 1;
        else if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' ||
                 c == '\f')
            out += 2;
        else
            out += 6;
    }
    int rc = es_buf_reserve(b, out);
    if (rc)
        return rc;
    char *o = b->data + b->len;
    memcpy(o, s, run);
    o += run;
    for (size_t i = run; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c)) {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

char *es_buf_steal(struct es_buf *b, size_t *len_out)
{
    char *p = b->data;
    if (len_out)
        *len_out = b->len;
    if (!p)
        p = es_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
