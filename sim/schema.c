/* Reading entity shapes from the official OpenAPI files. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/mem.h"
#include "names.h"
#include "schema.h"

struct sim_schema {
    char *version;
    struct sim_type **types;
    size_t ntypes;
};

static const char *const wt_names[] = {
    [WT_STRING] = "StringValue",     [WT_BOOL] = "BooleanValue", [WT_INT] = "IntValue",
    [WT_SHORT] = "ShortValue",       [WT_LONG] = "LongValue",    [WT_BYTE] = "ByteValue",
    [WT_DECIMAL] = "DecimalValue",   [WT_DOUBLE] = "DoubleValue", [WT_DATETIME] = "DateTimeValue",
    [WT_GUID] = "GuidValue",
};

const char *sim_wt_name(enum sim_wt wt)
{
    return wt_names[wt];
}

static int wt_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(wt_names) / sizeof(wt_names[0]); i++)
        if (strcmp(wt_names[i], name) == 0)
            return (int)i;
    return -1;
}

static char *read_file(const char *path, struct es_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        es_err_set(err, ES_EIO, "%s: cannot open", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > 64L * 1024 * 1024) {
        fclose(f);
        es_err_set(err, ES_ETOOBIG, "%s: unreadable or larger than 64 MB", path);
        return NULL;
    }
    char *p = es_xmalloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    fclose(f);
    p[got] = '\0';
    return p;
}

static const char *ref_name(const cJSON *ref)
{
    if (!cJSON_IsString(ref))
        return NULL;
    const char *slash = strrchr(ref->valuestring, '/');
    return slash ? slash + 1 : ref->valuestring;
}

struct loader {
    struct sim_schema *s;
    const cJSON *defs; /* definitions / components.schemas */
    struct es_err *err;
};

static struct sim_type *type_get(struct loader *l, const char *name);

static int prop_cmp(const void *a, const void *b)
{
    const struct sim_prop *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->name, y->name);
}

/* One property of a type: a $ref to a *Value wrapper or to an entity type, or
 * an array of entity types. */
static int load_prop(struct loader *l, struct sim_prop *p, const cJSON *j)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(j, "$ref");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
    if (items)
        ref = cJSON_GetObjectItemCaseSensitive(items, "$ref");
    const char *target = ref_name(ref);
    if (!target)
        return es_err_set(l->err, ES_EINVAL, "property %s has no $ref", p->name);
    int wt = wt_from_name(target);
    if (wt >= 0 && !items) {
        p->kind = SK_VALUE;
        p->wt = (uint8_t)wt;
        return 0;
    }
    p->kind = items ? SK_DETAIL : SK_LINKED;
    p->type = type_get(l, target);
    return p->type ? 0 : l->err->code;
}

static const cJSON *type_properties(const cJSON *def)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(def, "allOf");
    const cJSON *part;
    cJSON_ArrayForEach(part, all)
    {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(part, "properties");
        if (props)
            return props;
    }
    return cJSON_GetObjectItemCaseSensitive(def, "properties");
}

static struct sim_type *type_find(const struct sim_schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntypes; i++)
        if (strcmp(s->types[i]->name, name) == 0)
            return s->types[i];
    return NULL;
}

static struct sim_type *type_get(struct loader *l, const char *name)
{
    struct sim_type *t = type_find(l->s, name);
    if (t)
        return t;
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(l->defs, name);
    const cJSON *props = type_properties(def);
    if (!def || !props) {
        es_err_set(l->err, ES_EINVAL, "type %s not defined", name);
        return NULL;
    }
    t = es_xcalloc(1, sizeof(*t));
    t->name = es_xstrdup(name);
    /* Registered before its properties so recursive types terminate. */
    l->s->types = es_xrealloc(l->s->types, (l->s->ntypes + 1) * sizeof(*l->s->types));
    l->s->types[l->s->ntypes++] = t;
    t->nprops = (size_t)cJSON_GetArraySize(props);
    t->props = es_xcalloc(t->nprops, sizeof(*t->props));
    size_t i = 0;
    const cJSON *pj;
    cJSON_ArrayForEach(pj, props)
    {
        struct sim_prop *p = &t->props[i++];
        p->name = es_xstrdup(pj->string);
        p->name_id = sim_name_intern(p->name);
        char *key = es_xasprintf("\"%s\":{}", p->name);
        p->key = key;
        p->key_len = strlen(key) - 2;
        if (load_prop(l, p, pj))
            return NULL;
    }
    qsort(t->props, t->nprops, sizeof(*t->props), prop_cmp);
    return t;
}

/* Index every type's properties by name id, once all names are interned. */
static void index_types(struct sim_schema *s)
{
    uint32_t n = sim_name_count();
    for (size_t i = 0; i < s->ntypes; i++) {
        struct sim_type *t = s->types[i];
        t->by_name = es_xcalloc(n, sizeof(*t->by_name));
        t->by_name_n = n;
        for (size_t k = 0; k < t->nprops; k++)
            t->by_name[t->props[k].name_id] = (uint32_t)k + 1;
    }
}

struct sim_schema *sim_schema_load(const char *path, const char *version,
                                   const char *const *roots, struct es_err *err)
{
    char *text = read_file(path, err);
    if (!text)
        return NULL;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    if (!doc) {
        es_err_set(err, ES_EINVAL, "%s: not valid JSON", path);
        return NULL;
    }
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(doc, "definitions");
    if (!defs)
        defs = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas");
    struct sim_schema *s = es_xcalloc(1, sizeof(*s));
    s->version = es_xstrdup(version);
    struct loader l = {s, defs, err};
    int ok = defs != NULL;
    if (!ok)
        es_err_set(err, ES_EINVAL, "%s: no definitions or components/schemas", path);
    for (size_t i = 0; ok && roots[i]; i++)
        ok = type_get(&l, roots[i]) != NULL;
    cJSON_Delete(doc);
    if (!ok) {
        sim_schema_free(s);
        return NULL;
    }
    index_types(s);
    return s;
}

void sim_schema_free(struct sim_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntypes; i++) {
        struct sim_type *t = s->types[i];
        for (size_t k = 0; k < t->nprops; k++) {
            free((char *)t->props[k].name);
            free((char *)t->props[k].key);
        }
        free(t->props);
        free(t->by_name);
        free((char *)t->name);
        free(t);
    }
    free(s->types);
    free(s->version);
    free(s);
}

const char *sim_schema_version(const struct sim_schema *s)
{
    return s->version;
}

const struct sim_type *sim_schema_type(const struct sim_schema *s, const char *name)
{
    return type_find(s, name);
}

const struct sim_prop *sim_type_prop(const struct sim_type *t, uint32_t name_id)
{
    if (name_id >= t->by_name_n || !t->by_name[name_id])
        return NULL;
    return &t->props[t->by_name[name_id] - 1];
}

const struct sim_prop *sim_type_prop_ci(const struct sim_type *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->nprops; i++) {
        const char *n = t->props[i].name;
        if (strncasecmp(n, name, len) == 0 && n[len] == '\0')
            return &t->props[i];
    }
    return NULL;
}
