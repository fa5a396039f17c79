/* $select / $expand parsing. */
#include <string.h>

#include "names.h"
#include "sel.h"

static struct sim_sel *sel_new(struct es_arena *a, int all)
{
    struct sim_sel *s = es_arena_calloc(a, sizeof(*s));
    s->all = all;
    return s;
}

static struct sim_sel *kid_get(struct sim_sel *s, struct es_arena *a, const struct sim_prop *p,
                               int create)
{
    for (size_t i = 0; i < s->nkids; i++)
        if (s->kids[i].prop == p)
            return s->kids[i].sel;
    if (!create)
        return NULL;
    if (s->nkids == s->capkids) {
        size_t cap = s->capkids ? s->capkids * 2 : 4;
        struct sim_sel_kid *k = es_arena_alloc(a, cap * sizeof(*k));
        if (s->nkids)
            memcpy(k, s->kids, s->nkids * sizeof(*k));
        s->kids = k;
        s->capkids = cap;
    }
    struct sim_sel *kid = sel_new(a, 1);
    s->kids[s->nkids].prop = p;
    s->kids[s->nkids].sel = kid;
    s->nkids++;
    return kid;
}

void sim_sel_add_field(struct sim_sel *s, struct es_arena *a, uint32_t name)
{
    if (sim_sel_has_field(s, name))
        return;
    if (s->nfields == s->capfields) {
        size_t cap = s->capfields ? s->capfields * 2 : 8;
        uint32_t *f = es_arena_alloc(a, cap * sizeof(*f));
        if (s->nfields)
            memcpy(f, s->fields, s->nfields * sizeof(*f));
        s->fields = f;
        s->capfields = cap;
    }
    s->fields[s->nfields++] = name;
}

int sim_sel_has_field(const struct sim_sel *s, uint32_t name)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i] == name)
            return 1;
    return 0;
}

const struct sim_sel *sim_sel_kid(const struct sim_sel *s, const struct sim_prop *p)
{
    for (size_t i = 0; s && i < s->nkids; i++)
        if (s->kids[i].prop == p)
            return s->kids[i].sel;
    return NULL;
}

int sim_sel_kid_shown(const struct sim_sel *parent, const struct sim_sel *kid)
{
    return kid && (!parent->touched || kid->touched);
}

/* Split "A/B/C" in place into segments; returns the count. */
static size_t split(char *path, char **seg, size_t max)
{
    size_t n = 0;
    char *p = path;
    while (n < max) {
        while (*p == ' ')
            p++;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        char *end = slash ? slash : p + strlen(p);
        while (end > p && end[-1] == ' ')
            end--;
        if (!slash) {
            *end = '\0';
            break;
        }
        *end = '\0';
        p = slash + 1;
    }
    return n;
}

static int expand_path(struct sim_sel *root, struct es_arena *a, const struct sim_type *t,
                       char *path, struct es_err *err)
{
    char *seg[8];
    size_t n = split(path, seg, 8);
    if (n == 1 && !seg[0][0])
        return 0;
    struct sim_sel *s = root;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(seg[i], "files") == 0 && i + 1 == n) {
            s->files = 1;
            return 0;
        }
        const struct sim_prop *p = sim_type_prop_ci(t, seg[i], strlen(seg[i]));
        if (!p || p->kind == SK_VALUE)
            return es_err_set(err, ES_EINVAL, "$expand: '%s' is not a linked or detail entity of %s",
                              seg[i], t->name);
        s = kid_get(s, a, p, 1);
        t = p->type;
    }
    return 0;
}

static int select_path(struct sim_sel *root, struct es_arena *a, const struct sim_type *t,
                       char *path, struct es_err *err)
{
    char *seg[8];
    size_t n = split(path, seg, 8);
    if (n == 0 || !seg[0][0])
        return 0;
    if (strncmp(seg[0], "custom.", 7) == 0 || strcmp(seg[0], "custom") == 0 ||
        strcmp(seg[0], "files") == 0)
        return 0;
    struct sim_sel *s = root;
    for (size_t i = 0; i < n; i++) {
        const struct sim_prop *p = sim_type_prop_ci(t, seg[i], strlen(seg[i]));
        if (!p)
            return es_err_set(err, ES_EINVAL, "$select: '%s' is not a field of %s", seg[i],
                              t->name);
        s->touched = 1;
        if (p->kind == SK_VALUE) {
            if (i + 1 != n)
                return es_err_set(err, ES_EINVAL, "$select: '%s' of %s has no fields", seg[i],
                                  t->name);
            s->all = 0;
            sim_sel_add_field(s, a, p->name_id);
            return 0;
        }
        struct sim_sel *kid = kid_get(s, a, p, 0);
        if (!kid)
            return 0; /* not expanded: the path shows nothing */
        if (i + 1 == n) {
            kid->touched = 1; /* the whole entity: all its fields */
            return 0;
        }
        s = kid;
        t = p->type;
    }
    return 0;
}

static int each_path(struct sim_sel *root, struct es_arena *a, const struct sim_type *t,
                     const char *list, int is_select, struct es_err *err)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *item = es_arena_strndup(a, p, n);
        int rc = is_select ? select_path(root, a, t, item, err) : expand_path(root, a, t, item, err);
        if (rc)
            return rc;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* A level whose fields were narrowed keeps `all` only if no field was named. */
static void settle(struct sim_sel *s)
{
    for (size_t i = 0; i < s->nkids; i++) {
        struct sim_sel *k = s->kids[i].sel;
        if (k->nfields)
            k->all = 0;
        settle(k);
    }
}

int sim_sel_parse(struct sim_sel **out, struct es_arena *a, const struct sim_type *t,
                  const char *select, const char *expand, struct es_err *err)
{
    int has_select = select && *select;
    struct sim_sel *root = sel_new(a, !has_select);
    if (expand && *expand && each_path(root, a, t, expand, 0, err))
        return ES_EINVAL;
    if (has_select) {
        root->touched = 1;
        if (each_path(root, a, t, select, 1, err))
            return ES_EINVAL;
        /* A $select naming only nested fields leaves the top level whole. */
        root->all = root->nfields == 0;
    }
    settle(root);
    *out = root;
    return 0;
}
