/* cJSON's allocator hooks: the thread's arena when one is set. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>

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
