/* One-time set-up of the fuzz targets (fuzz_env.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/err.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "fuzz_env.h"
#include "names.h"

#ifndef ES_REFERENCE_DIR
#define ES_REFERENCE_DIR "reference/acumatica"
#endif

/* Literals without an offset are read in the process zone: one with DST
 * sends them through the gap and overlap handling of es_tz_local_to_ms. */
#define FUZZ_TZ "America/New_York"

#define MAX_BOUND 16

static struct sim_schema *schema;
static struct {
    const char *name;
    struct sim_entity *ent;
} bound[MAX_BOUND];
static int nbound;

_Noreturn void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

void fuzz_env_init(void)
{
    if (schema)
        return;
    struct es_err err = {0};
    if (es_tz_set(FUZZ_TZ))
        fuzz_fail("time zone %s is not installed", FUZZ_TZ);
    const char *dir = env_or("ACUSIM_REFERENCE", ES_REFERENCE_DIR);
    const char *version = env_or("ACUSIM_FUZZ_ENDPOINT", "24.200.001");
    char *path = es_xasprintf("%s/Default_%s.openapi.json", dir, version);
    schema = sim_schema_load(path, version, sim_entity_names(), &err);
    if (!schema)
        fuzz_fail("%s: %s", path, err.msg);
    free(path);
}

const struct sim_entity *fuzz_entity(const char *name)
{
    for (int i = 0; i < nbound; i++)
        if (!strcmp(bound[i].name, name))
            return bound[i].ent;
    const struct sim_entity_def *def = sim_entity_def_find(name);
    if (!def || nbound == MAX_BOUND)
        fuzz_fail("no entity definition %s (or too many bound)", name);
    struct es_err err = {0};
    struct sim_entity *e = sim_entity_bind(def, schema, &err);
    if (!e)
        fuzz_fail("binding %s: %s", name, err.msg);
    bound[nbound].name = name;
    bound[nbound++].ent = e;
    return e;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if malformed. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0; /* a continuation byte, an overlong lead, or past U+10FFFF */
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* The second byte's range rules out overlongs, surrogates, > U+10FFFF. */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

int fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char(p + i, n - i);
        if (!len)
            return 0;
        i += len;
    }
    return 1;
}

uint32_t fuzz_name(const char *name)
{
    uint32_t id = sim_name_find(name, strlen(name));
    if (!id)
        fuzz_fail("the schema has no field named %s", name);
    return id;
}
