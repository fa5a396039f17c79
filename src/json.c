/* cJSON's allocator hooks: the thread's arena when one is set. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/json.h"

static _Thread_local struct es_arena *current;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *hook_malloc(size_t n)
{
    return current ? es_arena_alloc(current, n) : malloc(n);
}

static void hook_free(void *p)
{
    if (!current)
        free(p);
}

static void install(void)
{
    cJSON_Hooks h = {hook_malloc, hook_free};
    cJSON_InitHooks(&h);
}

void es_json_arena_begin(struct es_arena *a)
{
    pthread_once(&hooks_once, install);
    current = a;
}

void es_json_arena_end(void)
{
    current = NULL;
}

/* Is s (4 bytes) "0000"? */
static int zero4(const char *s)
{
    return s[0] == '0' && s[1] == '0' && s[2] == '0' && s[3] == '0';
}

/* Does "\u0000" occur in s[0..n)? Backslashes are rare in an answer, so
 * memchr (vectorised) finds the candidates faster than memmem. */
static int has_nul_escape(const char *s, size_t n)
{
    for (const char *p = s, *end = s + n; (p = memchr(p, '\\', (size_t)(end - p))); p++)
        if (end - p >= 6 && p[1] == 'u' && zero4(p + 2))
            return 1;
    return 0;
}

size_t es_json_defuse_nul(char *s, size_t n)
{
    if (!s || !has_nul_escape(s, n))
        return 0; /* the common case: one scan, nothing to do */
    size_t hits = 0;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            in_string = !in_string;
        } else if (in_string && s[i] == '\\' && i + 1 < n) {
            if (s[i + 1] == 'u' && i + 6 <= n && zero4(s + i + 2)) {
                memcpy(s + i + 2, "FFFF", 4);
                hits++;
            }
            i++; /* the escaped character is never a quote that ends the string */
        }
    }
    return hits;
}
