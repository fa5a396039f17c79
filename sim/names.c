/* The field-name dictionary: open-addressing hash from name to id. */
#include <stdlib.h>
#include <string.h>

#include "erpsync/mem.h"
#include "names.h"

static char **names;      /* id -> name */
static uint32_t nnames;   /* ids in use, including 0 */
static uint32_t *slots;   /* hash slot -> id */
static uint32_t nslots;

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void rehash(void)
{
    uint32_t n = nslots ? nslots * 2 : 1024;
    uint32_t *s = es_xcalloc(n, sizeof(*s));
    for (uint32_t id = 1; id < nnames; id++) {
        uint32_t i = hash(names[id], strlen(names[id])) & (n - 1);
        while (s[i])
            i = (i + 1) & (n - 1);
        s[i] = id;
    }
    free(slots);
    slots = s;
    nslots = n;
}

static void seed(void)
{
    static const char *const sys[] = {"id", "note", "delete"};
    nnames = 1;
    names = es_xcalloc(1, sizeof(*names));
    for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
        sim_name_intern(sys[i]);
}

uint32_t sim_name_find(const char *name, size_t len)
{
    if (!nslots)
        return 0;
    uint32_t i = hash(name, len) & (nslots - 1);
    while (slots[i]) {
        const char *s = names[slots[i]];
        if (strncmp(s, name, len) == 0 && s[len] == '\0')
            return slots[i];
        i = (i + 1) & (nslots - 1);
    }
    return 0;
}

uint32_t sim_name_intern(const char *name)
{
    if (!names)
        seed();
    size_t len = strlen(name);
    uint32_t id = sim_name_find(name, len);
    if (id)
        return id;
    if ((nnames + 1) * 2 > nslots)
        rehash();
    names = es_xrealloc(names, (nnames + 1) * sizeof(*names));
    id = nnames++;
    names[id] = es_xstrndup(name, len);
    uint32_t i = hash(name, len) & (nslots - 1);
    while (slots[i])
        i = (i + 1) & (nslots - 1);
    slots[i] = id;
    return id;
}

const char *sim_name_str(uint32_t id)
{
    return id && id < nnames ? names[id] : NULL;
}

uint32_t sim_name_count(void)
{
    if (!names)
        seed();
    return nnames;
}

void sim_names_reset(void)
{
    for (uint32_t i = 1; i < nnames; i++)
        free(names[i]);
    free(names);
    free(slots);
    names = NULL;
    slots = NULL;
    nnames = nslots = 0;
}
