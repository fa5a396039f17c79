/* cJSON allocating from an arena: a page of records is parsed, mapped and
 * dropped at once by resetting the arena, instead of one malloc and one
 * free per JSON node (LIMITS.md: nearly twice as fast). Between begin and
 * end on a thread, every cJSON allocation of that thread comes from the
 * arena and cJSON_Delete does nothing; never free a tree made inside after
 * end, nor one made outside before end. */
#ifndef ERPSYNC_JSON_H
#define ERPSYNC_JSON_H

#include "erpsync/arena.h"

void es_json_arena_begin(struct es_arena *a);
void es_json_arena_end(void);

#endif
