/* A bump allocator: many small allocations, freed all at once.
 * Used for per-request and per-page work, where everything allocated has the
 * same lifetime. Memory returned is 16-byte aligned and owned by the arena. */
#ifndef ERPSYNC_ARENA_H
#define ERPSYNC_ARENA_H

#include <stddef.h>

struct es_arena_chunk;

struct es_arena {
    struct es_arena_chunk *head; /* chunk being filled */
    size_t chunk_size;
    size_t used_total; /* bytes handed out since the last reset */
};

void es_arena_init(struct es_arena *a, size_t chunk_size);
/* Free every chunk. Accepts NULL. */
void es_arena_dispose(struct es_arena *a);
/* Forget every allocation but keep the first chunk for reuse. */
void es_arena_reset(struct es_arena *a);
void *es_arena_alloc(struct es_arena *a, size_t n);
void *es_arena_calloc(struct es_arena *a, size_t n);
char *es_arena_strndup(struct es_arena *a, const char *s, size_t n);
char *es_arena_strdup(struct es_arena *a, const char *s);
void *es_arena_memdup(struct es_arena *a, const void *p, size_t n);

#endif
