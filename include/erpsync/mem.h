/* Allocation that never returns NULL: running out of memory aborts here,
 * in one place, so the rest of the code has no OOM branches. */
#ifndef ERPSYNC_MEM_H
#define ERPSYNC_MEM_H

#include <stddef.h>

void *es_xmalloc(size_t n);
void *es_xcalloc(size_t count, size_t size);
void *es_xrealloc(void *p, size_t n);
char *es_xstrdup(const char *s);
/* The first n bytes of s, which must hold that many (unlike strndup, it
 * does not stop at a NUL), and a NUL. */
char *es_xstrndup(const char *s, size_t n);
/* printf into a new heap string; the caller frees it. */
char *es_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Overwrite n bytes so a secret does not linger, then free. Accepts NULL. */
void es_free_secret(void *p, size_t n);

#endif
