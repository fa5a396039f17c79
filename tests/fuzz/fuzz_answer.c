/* libFuzzer target for what erpsync reads from Acumatica. The input is an
 * answer body, used as the client uses it:
 *   - parsed by cJSON into an arena (as a page is), then mapped by every
 *     record set's compiled plan on both endpoint versions: an array
 *     element by element (a page), an object as one record (the answer to
 *     a PUT, a record read by key);
 *   - turned into the note of a refusal (a 422's field errors with their
 *     paths).
 * Beyond the sanitizers, the target aborts when a promise breaks: a record
 * mapped without its ERP key, a failure without a message, a note longer
 * than its buffer or not saying the status. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "erpsync/arena.h"
#include "erpsync/config.h"
#include "erpsync/json.h"
#include "erpsync/map.h"
#include "erpsync/push.h"
#include "fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const versions[] = {"23.200.001", "24.200.001"};

static struct {
    struct es_config cfg;
    struct es_map_plan *plans[ES_NSETS][2];
    struct es_arena arena;
} g;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    es_config_defaults(&g.cfg);
    es_arena_init(&g.arena, 0);
    for (int s = 0; s < ES_NSETS; s++)
        for (int v = 0; v < 2; v++)
            if (es_map_get((enum es_set_id)s) &&
                es_map_plan_new(&g.plans[s][v], es_map_get((enum es_set_id)s), versions[v],
                                &g.cfg))
                fuzz_fail("no plan for set %d on %s", s, versions[v]);
    return 0;
}

static void map_one(const struct es_map_plan *p, const cJSON *j)
{
    struct es_record rec;
    struct es_err err = {0};
    if (!es_map_apply(&rec, &g.arena, p, j, &err)) {
        if (!rec.erp_key || !rec.erp_key[0])
            fuzz_fail("a record mapped without its key");
    } else if (!err.msg[0]) {
        fuzz_fail("a mapping failed without a message");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_arena_reset(&g.arena);
    es_json_arena_begin(&g.arena);
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    for (int s = 0; j && s < ES_NSETS; s++)
        for (int v = 0; v < 2; v++) {
            if (!g.plans[s][v])
                continue;
            if (cJSON_IsArray(j)) {
                const cJSON *it;
                cJSON_ArrayForEach(it, j) map_one(g.plans[s][v], it);
            } else if (cJSON_IsObject(j)) {
                map_one(g.plans[s][v], j);
            }
        }
    es_json_arena_end();

    char note[512];
    memset(note, 'x', sizeof(note));
    es_push_refusal_note(422, (const char *)data, size, "no answer", note, sizeof(note) - 8);
    if (memchr(note, '\0', sizeof(note) - 8) == NULL)
        fuzz_fail("a note not ended within its buffer");
    if (strncmp(note, "HTTP 422: ", 10))
        fuzz_fail("a note without the status: %.40s", note);
    for (size_t i = sizeof(note) - 8; i < sizeof(note); i++)
        if (note[i] != 'x')
            fuzz_fail("a note written past its buffer");
    return 0;
}
