/* libFuzzer target for request bodies and stored records. The input is used
 * twice:
 *   - as a request body: parsed by cJSON as rest.c does, converted by
 *     sim_input_doc for real entity types, and the document then packed,
 *     unpacked, looked up in its packed form (sim_blob_lookup, as sim_field
 *     does in SQL) and packed again after damage;
 *   - as a stored blob, which may be damaged on disk: sim_doc_decode and
 *     sim_blob_lookup straight on the bytes.
 * Beyond the sanitizers, the target aborts when a promise breaks: a model
 * error without a message, or whose modelState is not valid JSON (or not
 * UTF-8 when the body was); a packed document that does not unpack to
 * itself; a truncated blob that decodes; a lookup that disagrees with the
 * decoded document. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <string.h>

#include "doc.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "fuzz_env.h"
#include "input.h"
#include "names.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* SalesOrder: details with their own arrays, linked contact and address.
 * Customer: linked entities nested two deep (MainContact/Address). */
static const char *const entity_names[] = {"SalesOrder", "Customer"};
#define NENTS (sizeof(entity_names) / sizeof(entity_names[0]))

/* sim_field passes at most 8 names to sim_blob_lookup. */
#define MAX_LOOKUP_DEPTH 8

static struct {
    const struct sim_type *types[NENTS];
    struct es_arena arena;
} g;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_env_init();
    es_arena_init(&g.arena, 0);
    for (size_t i = 0; i < NENTS; i++)
        g.types[i] = fuzz_entity(entity_names[i])->type;
    return 0;
}

/* ---- comparing documents ---- */

static int same_doc(const struct sim_doc *a, const struct sim_doc *b);

static int same_val(const struct sim_val *a, const struct sim_val *b)
{
    if (a->t != b->t)
        return 0;
    switch (a->t) {
    case SV_STR: return a->n == b->n && (!a->n || !memcmp(a->u.s, b->u.s, a->n));
    case SV_INT:
    case SV_DEC:
    case SV_DT: return a->u.i == b->u.i;
    case SV_OBJ: return same_doc(a->u.obj, b->u.obj);
    case SV_ARR:
        if (a->n != b->n)
            return 0;
        for (uint32_t i = 0; i < a->n; i++)
            if (!same_doc(a->u.arr[i], b->u.arr[i]))
                return 0;
        return 1;
    default: return 1;
    }
}

/* A NULL document packs as an empty one. */
static int same_doc(const struct sim_doc *a, const struct sim_doc *b)
{
    uint32_t na = a ? a->n : 0, nb = b ? b->n : 0;
    if (na != nb)
        return 0;
    for (uint32_t i = 0; i < na; i++)
        if (a->f[i].name != b->f[i].name || !same_val(&a->f[i].v, &b->f[i].v))
            return 0;
    return 1;
}

/* ---- packed form ---- */

/* Every field reachable through linked documents must be found by
 * sim_blob_lookup with the value the decoder gives (the first field of that
 * name, as both scan in order); objects and arrays are not values; a name
 * the document lacks is not found. */
static void check_lookups(const struct sim_doc *d, const void *blob, size_t n, uint32_t *path,
                          size_t depth)
{
    struct sim_val got;
    path[depth] = UINT32_MAX;
    if (!sim_doc_get(d, UINT32_MAX) && sim_blob_lookup(&got, blob, n, path, depth + 1))
        fuzz_fail("sim_blob_lookup found a name that is not in the document");
    for (uint32_t i = 0; d && i < d->n; i++) {
        const struct sim_val *want = sim_doc_get(d, d->f[i].name);
        if (want != &d->f[i].v)
            continue; /* a repeated name: only the first counts */
        path[depth] = d->f[i].name;
        int found = sim_blob_lookup(&got, blob, n, path, depth + 1);
        if (want->t == SV_OBJ || want->t == SV_ARR) {
            if (found)
                fuzz_fail("sim_blob_lookup gave a value for an object or array");
            if (want->t == SV_OBJ && depth + 2 <= MAX_LOOKUP_DEPTH)
                check_lookups(want->u.obj, blob, n, path, depth + 1);
            continue;
        }
        if (!found || !same_val(&got, want))
            fuzz_fail("sim_blob_lookup at depth %zu disagrees with the decoder (found %d, type "
                      "%d, want type %d)",
                      depth + 1, found, found ? got.t : -1, want->t);
    }
}

/* Pack d, unpack it, pack that again: same tree, same bytes, and lookups in
 * the packed form agree. Returns the first packing in out (caller disposes). */
static void check_packing(struct es_buf *out, const struct sim_doc *d)
{
    struct sim_doc *back = NULL;
    struct es_buf again;
    es_buf_init(out, 0);
    es_buf_init(&again, 0);
    sim_doc_encode(out, d);
    if (sim_doc_decode(&g.arena, &back, out->data, out->len))
        fuzz_fail("a freshly packed document (%zu bytes) does not unpack", out->len);
    if (!same_doc(d, back))
        fuzz_fail("unpack(pack(doc)) differs from doc");
    sim_doc_encode(&again, back);
    if (again.len != out->len || memcmp(again.data, out->data, out->len))
        fuzz_fail("pack(unpack(pack(doc))) differs from pack(doc)");
    uint32_t path[MAX_LOOKUP_DEPTH];
    check_lookups(back, out->data, out->len, path, 0);
    es_buf_dispose(&again);
}

/* Bytes as read from the store, possibly damaged: decoding either fails or
 * gives a document that packs and unpacks to itself, a clone of which is
 * equal to it, and lookups on the raw bytes agree with it. Lookups of paths
 * taken from the bytes run whether or not they decode, as sim_field does. */
static void check_stored(const uint8_t *blob, size_t n)
{
    /* An exact-size copy, so that ASan flags any read past the end. */
    uint8_t *copy = es_arena_memdup(&g.arena, blob, n);
    uint32_t path[MAX_LOOKUP_DEPTH];
    struct sim_val v;
    for (size_t depth = 1; depth <= 4; depth++) {
        path[depth - 1] = depth < n ? copy[depth] & 0x7f : SIM_N_ID;
        sim_blob_lookup(&v, copy, n, path, depth);
    }
    struct sim_doc *d = NULL;
    if (sim_doc_decode(&g.arena, &d, copy, n))
        return;
    if (!same_doc(d, sim_doc_clone(&g.arena, d)))
        fuzz_fail("sim_doc_clone differs from its source");
    check_lookups(d, copy, n, path, 0);
    struct es_buf packed;
    check_packing(&packed, d);
    es_buf_dispose(&packed);
}

/* A strict prefix of a packed document is malformed and must not decode;
 * a flipped byte may or may not, but must not do harm. */
static void check_damage(const struct es_buf *packed, size_t seed)
{
    struct sim_doc *d;
    size_t cuts[2] = {packed->len - 1, packed->len / 2};
    for (int i = 0; i < 2; i++) {
        void *copy = es_arena_memdup(&g.arena, packed->data, cuts[i]);
        if (sim_doc_decode(&g.arena, &d, copy, cuts[i]) == 0)
            fuzz_fail("a packed document cut to %zu of %zu bytes still decodes", cuts[i],
                      packed->len);
    }
    uint8_t *flipped = es_arena_memdup(&g.arena, packed->data, packed->len);
    flipped[seed % packed->len] ^= (uint8_t)(1u << (seed % 7));
    check_stored(flipped, packed->len);
}

/* ---- request bodies ---- */

/* modelState is sent as {"message":...,"modelState":{<ms>}}: what
 * sim_input_doc appended must make a JSON object of arrays of strings, and
 * be UTF-8 when the body was. */
static void check_model_state(const struct es_buf *ms, int body_utf8)
{
    if (body_utf8 && !fuzz_utf8_valid(ms->data, ms->len))
        fuzz_fail("modelState for a UTF-8 body is not UTF-8: %s", ms->data);
    struct es_buf obj;
    es_buf_init(&obj, 0);
    es_buf_addf(&obj, "{%s}", ms->data);
    cJSON *j = cJSON_Parse(obj.data);
    if (!cJSON_IsObject(j) || !j->child)
        fuzz_fail("modelState is not a JSON object with members: %s", obj.data);
    const cJSON *m;
    cJSON_ArrayForEach(m, j)
    {
        if (!cJSON_IsArray(m) || !cJSON_IsString(m->child))
            fuzz_fail("modelState member '%s' is not an array of messages", m->string);
    }
    cJSON_Delete(j);
    es_buf_dispose(&obj);
}

static void check_body(const struct sim_type *t, const cJSON *body, int body_utf8, size_t seed)
{
    struct es_buf ms;
    struct sim_doc *d = NULL;
    es_buf_init(&ms, 0);
    if (sim_input_doc(&d, &g.arena, t, body, &ms)) {
        if (!ms.len)
            fuzz_fail("sim_input_doc failed for %s without a model error", t->name);
        check_model_state(&ms, body_utf8);
    } else {
        if (ms.len)
            fuzz_fail("sim_input_doc succeeded for %s with model errors: %s", t->name, ms.data);
        struct es_buf packed;
        check_packing(&packed, d);
        check_damage(&packed, seed);
        es_buf_dispose(&packed);
    }
    es_buf_dispose(&ms);
}

/* Where check_damage flips a bit: varies with the content, not just the size. */
static size_t input_hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_stored(data, size);
    /* As rest.c parses a body: by length, no NUL needed. Non-object roots
     * are refused there, but control.c converts whatever parsed. */
    const char *end = NULL;
    cJSON *body = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
    if (body) {
        int utf8 = fuzz_utf8_valid((const char *)data, size);
        for (size_t i = 0; i < NENTS; i++)
            check_body(g.types[i], body, utf8, input_hash(data, size));
        cJSON_Delete(body);
    }
    es_arena_reset(&g.arena);
    return 0;
}
