/* Bump allocator in a list of chunks.
 *
 * Built with ES_ARENA_PER_ALLOC (the sanitizer and fuzz builds), every
 * allocation is its own heap block instead, listed by a chunk of its own:
 * in a 64 KB chunk a write past one object lands in the next and
 * AddressSanitizer cannot see it; in its own block it sees it to the byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/arena.h"
#include "erpsync/mem.h"

struct es_arena_chunk {
    struct es_arena_chunk *next;
    void *block; /* ES_ARENA_PER_ALLOC: the allocation this chunk lists */
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

static struct es_arena_chunk *chunk_new(size_t size)
{
    struct es_arena_chunk *c = es_xmalloc(sizeof(*c) + size);
    c->next = NULL;
    c->block = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void es_arena_init(struct es_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used_total = 0;
}

void es_arena_dispose(struct es_arena *a)
{
    if (!a)
        return;
    struct es_arena_chunk *c = a->head;
    while (c) {
        struct es_arena_chunk *next = c->next;
        free(c->block);
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void es_arena_reset(struct es_arena *a)
{
#ifdef ES_ARENA_PER_ALLOC
    es_arena_dispose(a);
#else
    if (!a->head)
        return;
    /* Keep the largest chunk (the last one allocated is usually largest). */
    struct es_arena_chunk *keep = a->head, *c = a->head->next;
    keep->next = NULL;
    while (c) {
        struct es_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    keep->used = 0;
    a->head = keep;
    a->used_total = 0;
#endif
}

void *es_arena_alloc(struct es_arena *a, size_t n)
{
#ifdef ES_ARENA_PER_ALLOC
    struct es_arena_chunk *own = chunk_new(0);
    if (posix_memalign(&own->block, 16, n ? n : 1)) /* n is not rounded up */
        abort();
    own->next = a->head;
    a->head = own;
    a->used_total += (n + 15) & ~(size_t)15;
    return own->block;
#else
    n = (n + 15) & ~(size_t)15;
    struct es_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->chunk_size;
        while (size < n)
            size *= 2;
        c = chunk_new(size);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->used_total += n;
    return p;
#endif
}

void *es_arena_calloc(struct es_arena *a, size_t n)
{
    void *p = es_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *es_arena_strndup(struct es_arena *a, const char *s, size_t n)
{
    char *p = es_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *es_arena_strdup(struct es_arena *a, const char *s)
{
    return es_arena_strndup(a, s, strlen(s));
}

void *es_arena_memdup(struct es_arena *a, const void *p, size_t n)
{
    void *q = es_arena_alloc(a, n);
    if (n)
        memcpy(q, p, n);
    return q;
}
