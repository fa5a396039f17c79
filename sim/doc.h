/* A record as acusim stores it: a tree of named, typed values. Linked
 * entities are nested documents, detail collections arrays of documents.
 * Field names are interned ids (names.h); values carry their own type, set
 * from the schema when the record was written.
 *
 * Documents live in an arena (erpsync/arena.h): they are built per request
 * and dropped with it. Strings are not NUL-terminated and may point into a
 * decoded blob, which must outlive the document.
 *
 * The packed form (sim_doc_encode/sim_doc_decode) is what the store keeps:
 *   doc   := varint nfields, field*
 *   field := varint name, u8 type, payload
 *   STR: varint len, bytes      INT/DEC/DT: zigzag varint
 *   TRUE/FALSE/NULL: nothing    OBJ: varint len, doc
 *   ARR: varint len, varint count, (varint len, doc)*
 * Lengths make every field skippable without decoding it. */
#ifndef SIM_DOC_H
#define SIM_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"

enum sim_vt {
    SV_NULL = 0, /* present but empty: renders as {} */
    SV_STR,
    SV_TRUE,
    SV_FALSE,
    SV_INT, /* integers of every width */
    SV_DEC, /* decimals, in millionths */
    SV_DT,  /* date-times, milliseconds since the epoch, UTC */
    SV_OBJ,
    SV_ARR,
};

#define SIM_DEC_SCALE 1000000LL

struct sim_doc;

struct sim_val {
    uint8_t t;  /* enum sim_vt */
    uint32_t n; /* string length, or number of array elements */
    union {
        const char *s;
        int64_t i;
        struct sim_doc *obj;
        struct sim_doc **arr;
    } u;
};

struct sim_field {
    uint32_t name;
    struct sim_val v;
};

struct sim_doc {
    struct sim_field *f;
    uint32_t n, cap;
};

struct sim_doc *sim_doc_new(struct es_arena *a);
/* The value of a field, or NULL when the document has no such field. */
struct sim_val *sim_doc_get(const struct sim_doc *d, uint32_t name);
/* The slot for a field, added (as SV_NULL) when missing. */
struct sim_val *sim_doc_set(struct es_arena *a, struct sim_doc *d, uint32_t name);
void sim_doc_del(struct sim_doc *d, uint32_t name);
/* A deep copy into arena a (strings copied too). */
struct sim_doc *sim_doc_clone(struct es_arena *a, const struct sim_doc *d);

/* Convenience setters. Strings are copied into the arena. */
void sim_doc_set_str(struct es_arena *a, struct sim_doc *d, uint32_t name, const char *s);
void sim_doc_set_strn(struct es_arena *a, struct sim_doc *d, uint32_t name, const char *s,
                      size_t n);
void sim_doc_set_int(struct es_arena *a, struct sim_doc *d, uint32_t name, int vt, int64_t v);
void sim_doc_set_bool(struct es_arena *a, struct sim_doc *d, uint32_t name, int v);
/* Append an element to an array field (created when missing). */
struct sim_doc *sim_doc_push(struct es_arena *a, struct sim_doc *d, uint32_t name);

/* Read helpers: NULL / 0 / def when absent or of another type. */
const char *sim_doc_str(const struct sim_doc *d, uint32_t name, uint32_t *len);
int64_t sim_doc_num(const struct sim_doc *d, uint32_t name, int64_t def);
int sim_doc_bool(const struct sim_doc *d, uint32_t name, int def);
/* A string field as a NUL-terminated copy in the arena, or NULL. */
char *sim_doc_strdup(struct es_arena *a, const struct sim_doc *d, uint32_t name);
/* Compare a string field with s, ASCII case-insensitively. */
int sim_doc_str_eq(const struct sim_doc *d, uint32_t name, const char *s);

void sim_doc_encode(struct es_buf *out, const struct sim_doc *d);
/* Decode a packed blob. Strings point into blob. 0, or ES_EINVAL when the
 * blob is malformed (out untouched). */
int sim_doc_decode(struct es_arena *a, struct sim_doc **out, const void *blob, size_t n);

/* Find the value at a path of name ids inside a packed blob without decoding
 * it (linked entities only: arrays end the walk). Fills *out with a value
 * whose strings point into blob. Returns 1 when found, 0 when not. */
int sim_blob_lookup(struct sim_val *out, const void *blob, size_t n, const uint32_t *path,
                    size_t depth);

#endif
