/* A growable byte buffer with a size cap (curl's dynbuf idea): everything
 * that comes from outside is collected into one of these, and the cap turns
 * an oversized input into ES_ETOOBIG instead of unbounded memory.
 * The buffer owns its bytes; data is always NUL-terminated after len. */
#ifndef ERPSYNC_BUF_H
#define ERPSYNC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct es_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* largest len allowed; 0 means no cap */
};

void es_buf_init(struct es_buf *b, size_t max);
void es_buf_dispose(struct es_buf *b);
/* Forget the contents, keep the allocation. */
void es_buf_reset(struct es_buf *b);
/* Make room for n more bytes. ES_ETOOBIG when the cap would be passed. */
int es_buf_reserve_slow(struct es_buf *b, size_t n);
int es_buf_add_slow(struct es_buf *b, const void *p, size_t n);

static inline int es_buf_reserve(struct es_buf *b, size_t n)
{
    /* Written so that no sum can wrap: len < cap and len <= max hold. */
    if (n < b->cap - b->len && (!b->max || n <= b->max - b->len))
        return 0;
    return es_buf_reserve_slow(b, n);
}

static inline int es_buf_add(struct es_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && (!b->max || n <= b->max - b->len)) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return es_buf_add_slow(b, p, n);
}
int es_buf_adds(struct es_buf *b, const char *s);
int es_buf_addf(struct es_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as the inside of a JSON string literal (no quotes added). */
int es_buf_add_json_escaped(struct es_buf *b, const char *s, size_t n);
/* Hand the bytes to the caller (who frees them); the buffer is left empty. */
char *es_buf_steal(struct es_buf *b, size_t *len_out);

/* Fast append for hot paths where the caller reserved space first. */
static inline void es_buf_put(struct es_buf *b, const void *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

#endif
