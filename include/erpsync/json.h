/* cJSON allocating from an arena: a page of records is parsed, mapped and
 * dropped at once by resetting the arena, instead of one malloc and one
 * free per JSON node (LIMITS.md: nearly twice as fast). Between begin and
 * end on a thread, every cJSON allocation of that thread comes from the
 * arena and cJSON_Delete does nothing; never free a tree made inside after
 * end, nor one made outside before end. */
#ifndef ERPSYNC_JSON_H
#define ERPSYNC_JSON_H

#include <stddef.h>

#include "erpsync/arena.h"

void es_json_arena_begin(struct es_arena *a);
void es_json_arena_end(void);

/* cJSON keeps strings NUL-terminated, so a "\u0000" escape would cut a
 * value there (two keys could become one). Every such escape inside a
 * string of the JSON text s[0..n) is rewritten in place to "\uFFFF", a
 * noncharacter no business data holds: mapping refuses a key holding it
 * (ES_JSON_NUL) and other text keeps it visibly. Returns how many. */
size_t es_json_defuse_nul(char *s, size_t n);
/* U+FFFF in UTF-8: what a defused NUL became. */
#define ES_JSON_NUL "\xEF\xBF\xBF"

#endif
