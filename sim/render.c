/* Records to contract-API JSON. This is the simulator's hot path: pages of
 * 1,000 records are rendered straight into one buffer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "names.h"
#include "render.h"

#define MAX_DEPTH 8

/* Per-thread lookup tables, one per nesting depth: name id -> field index+1.
 * Connection threads come and go: a key destructor frees them. */
struct slots {
    uint32_t *tab[MAX_DEPTH];
    uint32_t n[MAX_DEPTH];
};

static pthread_key_t slots_key;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_free(void *p)
{
    struct slots *sl = p;
    for (int i = 0; i < MAX_DEPTH; i++)
        free(sl->tab[i]);
    free(sl);
}

static void slots_init(void)
{
    pthread_key_create(&slots_key, slots_free);
}

static struct slots *thread_slots(void)
{
    pthread_once(&slots_once, slots_init);
    struct slots *sl = pthread_getspecific(slots_key);
    if (!sl) {
        sl = es_xcalloc(1, sizeof(*sl));
        pthread_setspecific(slots_key, sl);
    }
    return sl;
}

static uint32_t *slot_table(struct slots *sl, int depth)
{
    uint32_t need = sim_name_count();
    if (sl->n[depth] < need) {
        free(sl->tab[depth]);
        sl->tab[depth] = es_xcalloc(need, sizeof(uint32_t));
        sl->n[depth] = need;
    }
    return sl->tab[depth];
}

static void fill_slots(uint32_t *tab, uint32_t n, const struct sim_doc *d)
{
    for (uint32_t i = 0; d && i < d->n; i++)
        if (d->f[i].name < n)
            tab[d->f[i].name] = i + 1;
}

static void clear_slots(uint32_t *tab, uint32_t n, const struct sim_doc *d)
{
    for (uint32_t i = 0; d && i < d->n; i++)
        if (d->f[i].name < n)
            tab[d->f[i].name] = 0;
}

#define PUT_LIT(b, s) es_buf_add((b), (s), sizeof(s) - 1)

int sim_offset_at(int64_t utc_ms)
{
    /* Offsets change at most on quarter hours: cache by 15-minute bucket. */
    static _Thread_local int64_t keys[64];
    static _Thread_local int vals[64];
    static _Thread_local int used[64];
    int64_t bucket = utc_ms >= 0 ? utc_ms / 900000 : (utc_ms - 899999) / 900000;
    unsigned h = (unsigned)(bucket & 63);
    if (used[h] && keys[h] == bucket)
        return vals[h];
    int off = es_tz_offset_min(bucket * 900000);
    keys[h] = bucket;
    vals[h] = off;
    used[h] = 1;
    return off;
}

static char *put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
    return o + 2;
}

void sim_put_datetime(struct es_buf *b, int64_t utc_ms, int with_offset)
{
    int off = sim_offset_at(utc_ms);
    struct es_civil c;
    es_ms_to_civil(&c, utc_ms + (int64_t)off * 60000);
    if (es_buf_reserve(b, 40))
        return;
    char *o = b->data + b->len;
    o = put2(o, c.year / 100);
    o = put2(o, c.year % 100);
    *o++ = '-';
    o = put2(o, c.mon);
    *o++ = '-';
    o = put2(o, c.day);
    *o++ = 'T';
    o = put2(o, c.hour);
    *o++ = ':';
    o = put2(o, c.min);
    *o++ = ':';
    o = put2(o, c.sec);
    if (c.ms) {
        *o++ = '.';
        *o++ = (char)('0' + c.ms / 100);
        if (c.ms % 100) {
            *o++ = (char)('0' + c.ms / 10 % 10);
            if (c.ms % 10)
                *o++ = (char)('0' + c.ms % 10);
        }
    }
    if (with_offset) {
        int a = off < 0 ? -off : off;
        *o++ = off < 0 ? '-' : '+';
        o = put2(o, a / 60);
        *o++ = ':';
        o = put2(o, a % 60);
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

static char *put_u64(char *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *o++ = tmp[--n];
    return o;
}

static void put_int(struct es_buf *b, int64_t v)
{
    if (es_buf_reserve(b, 24))
        return;
    char *o = b->data + b->len;
    if (v < 0) {
        *o++ = '-';
        o = put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        o = put_u64(o, (uint64_t)v);
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void sim_put_decimal(struct es_buf *b, int64_t micros)
{
    if (es_buf_reserve(b, 32))
        return;
    char *o = b->data + b->len;
    uint64_t u = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
    if (micros < 0)
        *o++ = '-';
    o = put_u64(o, u / SIM_DEC_SCALE);
    unsigned frac = (unsigned)(u % SIM_DEC_SCALE);
    if (frac) {
        char f[7];
        for (int i = 5; i >= 0; i--) {
            f[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int n = 6;
        while (f[n - 1] == '0')
            n--;
        *o++ = '.';
        memcpy(o, f, (size_t)n);
        o += n;
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

static void put_string(struct es_buf *b, const char *s, size_t n)
{
    es_buf_add(b, "\"", 1);
    es_buf_add_json_escaped(b, s, n);
    es_buf_add(b, "\"", 1);
}

/* {"value":...} or {} by the property's wrapper type. */
static void put_value(struct es_buf *b, const struct sim_prop *p, const struct sim_val *v)
{
    if (!v || v->t == SV_NULL || v->t == SV_OBJ || v->t == SV_ARR) {
        PUT_LIT(b, "{}");
        return;
    }
    PUT_LIT(b, "{\"value\":");
    switch (p->wt) {
    case WT_STRING:
    case WT_GUID:
        if (v->t == SV_STR)
            put_string(b, v->u.s, v->n);
        else if (v->t == SV_INT) {
            es_buf_add(b, "\"", 1);
            put_int(b, v->u.i);
            es_buf_add(b, "\"", 1);
        } else
            PUT_LIT(b, "\"\"");
        break;
    case WT_BOOL: es_buf_adds(b, v->t == SV_TRUE ? "true" : "false"); break;
    case WT_INT:
    case WT_SHORT:
    case WT_LONG:
    case WT_BYTE: put_int(b, v->t == SV_DEC ? v->u.i / SIM_DEC_SCALE : v->u.i); break;
    case WT_DECIMAL:
    case WT_DOUBLE:
        if (v->t == SV_DEC)
            sim_put_decimal(b, v->u.i);
        else
            put_int(b, v->u.i);
        break;
    case WT_DATETIME:
        es_buf_add(b, "\"", 1);
        sim_put_datetime(b, v->u.i, 1);
        es_buf_add(b, "\"", 1);
        break;
    }
    es_buf_add(b, "}", 1);
}

struct level {
    const struct sim_render *r;
    const struct sim_type *t;
    const struct sim_doc *d;
    const struct sim_sel *sel;   /* NULL: show every value field */
    const struct sim_doc *sent;
    const struct sim_meta *meta; /* top level only */
    int depth;
    const uint8_t *mapped; /* a linked entity of a shared type: its mapped fields */
    const char *synth_id;  /* id of a linked entity the record has no data for */
};

static void render_object(const struct level *lv, uint32_t row, const char *view);

static void put_id(struct es_buf *b, const struct sim_doc *d)
{
    uint32_t n;
    const char *id = sim_doc_str(d, SIM_N_ID, &n);
    if (id) {
        PUT_LIT(b, "\"id\":");
        put_string(b, id, n);
        es_buf_add(b, ",", 1);
    }
}

/* A sent-but-not-expanded entity: id, rowNumber, note, its sent linked
 * entities as null, custom (as Acumatica echoes them). */
static void render_stub(struct es_buf *b, const struct sim_type *t, const struct sim_doc *stored,
                        const struct sim_doc *sent, uint32_t row)
{
    es_buf_add(b, "{", 1);
    put_id(b, stored ? stored : sent);
    PUT_LIT(b, "\"rowNumber\":");
    put_int(b, row);
    PUT_LIT(b, ",\"note\":null,");
    for (size_t i = 0; sent && i < t->nprops; i++) {
        const struct sim_prop *p = &t->props[i];
        if (p->kind == SK_LINKED && sim_doc_get(sent, p->name_id)) {
            es_buf_add(b, p->key, p->key_len);
            PUT_LIT(b, "null,");
        }
    }
    PUT_LIT(b, "\"custom\":{}}");
}

static void render_detail(const struct level *lv, const struct sim_prop *p,
                          const struct sim_val *v, const struct sim_sel *kid,
                          const struct sim_val *sent_v, int shown)
{
    struct es_buf *b = lv->r->out;
    const char *view = lv->depth == 0 ? sim_entity_view(lv->r->ent->def, p->name) : NULL;
    es_buf_add(b, "[", 1);
    uint32_t n = v && v->t == SV_ARR ? v->n : 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            es_buf_add(b, ",", 1);
        const struct sim_doc *row = v->u.arr[i];
        if (!shown) {
            render_stub(b, p->type, row, NULL, i + 1);
            continue;
        }
        struct level sub = {lv->r, p->type, row, kid, NULL, NULL, lv->depth + 1, NULL, NULL};
        /* Sent rows are matched to stored ones by position after a PUT. */
        if (sent_v && sent_v->t == SV_ARR && i < sent_v->n)
            sub.sent = sent_v->u.arr[i];
        render_object(&sub, i + 1, view);
    }
    es_buf_add(b, "]", 1);
}

/* Which fields of p's type a linked entity maps (NULL: all), cached per
 * property since types and properties never change after start-up. */
static const uint8_t *linked_mask(const struct sim_prop *p)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        const struct sim_prop *p;
        uint8_t *mask;
    } cache[64];
    static int n;
    const char *const *names = sim_linked_fields(p->name, p->type->name);
    if (!names)
        return NULL;
    pthread_mutex_lock(&mu);
    uint8_t *mask = NULL;
    for (int i = 0; i < n && !mask; i++)
        if (cache[i].p == p)
            mask = cache[i].mask;
    if (!mask && n < 64) {
        mask = es_xcalloc(p->type->nprops ? p->type->nprops : 1, 1);
        for (size_t k = 0; k < p->type->nprops; k++)
            for (size_t j = 0; names[j]; j++)
                if (!strcmp(names[j], p->type->props[k].name))
                    mask[k] = 1;
        cache[n].p = p;
        cache[n].mask = mask;
        n++;
    }
    pthread_mutex_unlock(&mu);
    return mask;
}

static void derived_id(const struct level *lv, const struct sim_prop *p, char out[40])
{
    uint32_t n = 0;
    const char *parent = lv->meta ? lv->meta->id : sim_doc_str(lv->d, SIM_N_ID, &n);
    if (parent && !n)
        n = (uint32_t)strlen(parent);
    if (!parent)
        parent = lv->synth_id ? lv->synth_id : "", n = (uint32_t)strlen(parent);
    uint64_t h1 = 1469598103934665603ull, h2 = 1099511628211ull;
    for (uint32_t i = 0; i < n; i++) {
        h1 = (h1 ^ (unsigned char)parent[i]) * 1099511628211ull;
        h2 = (h2 ^ (unsigned char)parent[i]) * 14695981039346656037ull;
    }
    for (const char *c = p->name; *c; c++) {
        h1 = (h1 ^ (unsigned char)*c) * 1099511628211ull;
        h2 = (h2 ^ (unsigned char)*c) * 14695981039346656037ull;
    }
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(h1 >> 32),
             (unsigned)(h1 >> 16) & 0xffff, (unsigned)h1 & 0xfff,
             (unsigned)((h2 >> 48) & 0x3fff) | 0x8000, (unsigned long long)(h2 & 0xffffffffffffull));
}

static void render_prop(const struct level *lv, const struct sim_prop *p,
                        const struct sim_val *v, int *first)
{
    struct es_buf *b = lv->r->out;
    const struct sim_val *sent_v = lv->sent ? sim_doc_get(lv->sent, p->name_id) : NULL;
    if (p->kind == SK_VALUE) {
        int named = lv->sel && !lv->sel->all && sim_sel_has_field(lv->sel, p->name_id);
        if (lv->sel && !lv->sel->all && !named && !sent_v)
            return;
        /* Linked entities of a shared type map only some of its fields (a
         * customer's MainContact is a Contact with a dozen). */
        if (lv->mapped && !lv->mapped[p - lv->t->props] && !named && !sent_v)
            return;
        if (!*first)
            es_buf_add(b, ",", 1);
        *first = 0;
        if (!v || v->t == SV_NULL) {
            es_buf_add(b, p->key, p->key_len + 2); /* "Name":{} */
            return;
        }
        es_buf_add(b, p->key, p->key_len);
        put_value(b, p, v);
        return;
    }
    const struct sim_sel *kid = lv->sel ? sim_sel_kid(lv->sel, p) : NULL;
    int shown = kid && sim_sel_kid_shown(lv->sel, kid);
    if (!shown && !sent_v)
        return;
    if (!*first)
        es_buf_add(b, ",", 1);
    *first = 0;
    es_buf_add(b, p->key, p->key_len);
    if (p->kind == SK_DETAIL) {
        render_detail(lv, p, v, kid, sent_v, shown);
        return;
    }
    const struct sim_doc *sub_d = v && v->t == SV_OBJ ? v->u.obj : NULL;
    if (!shown) {
        render_stub(b, p->type, sub_d, sent_v && sent_v->t == SV_OBJ ? sent_v->u.obj : NULL, 1);
        return;
    }
    struct level sub = {lv->r, p->type, sub_d, kid,
                        sent_v && sent_v->t == SV_OBJ ? sent_v->u.obj : NULL, NULL, lv->depth + 1,
                        linked_mask(p), NULL};
    /* A linked entity the record has no data for is still answered, empty,
     * with an id that is stable for the record. */
    struct sim_doc empty = {0};
    char synth[40];
    if (!sub_d) {
        derived_id(lv, p, synth);
        sub.d = &empty;
        sub.synth_id = synth;
    }
    render_object(&sub, 1, NULL);
}

/* The value of property i at this level, with the record's system values
 * (timestamps, NoteID) standing in for the roles the entity assigns. */
static const struct sim_val *prop_value(const struct level *lv, size_t i, const uint32_t *tab,
                                        uint32_t tabn, struct sim_val *tmp)
{
    const struct sim_prop *p = &lv->t->props[i];
    if (lv->meta && lv->r->ent->role[i] != ROLE_NONE) {
        switch (lv->r->ent->role[i]) {
        case ROLE_MODIFIED: tmp->t = SV_DT; tmp->u.i = lv->meta->modified; return tmp;
        case ROLE_CREATED: tmp->t = SV_DT; tmp->u.i = lv->meta->created; return tmp;
        case ROLE_NOTEID:
            tmp->t = SV_STR;
            tmp->u.s = lv->meta->id;
            tmp->n = (uint32_t)strlen(lv->meta->id);
            return tmp;
        default: break;
        }
    }
    uint32_t k = p->name_id < tabn ? tab[p->name_id] : 0;
    return k ? &lv->d->f[k - 1].v : NULL;
}

static void render_links(const struct level *lv, const char *view, const char *id)
{
    struct es_buf *b = lv->r->out;
    const struct sim_entity_def *def = lv->r->ent->def;
    size_t bl = strlen(lv->r->base), il = strlen(id);
    if (lv->meta) {
        PUT_LIT(b, ",\"_links\":{\"self\":\"");
        es_buf_add(b, lv->r->base, bl);
        es_buf_adds(b, def->name);
        es_buf_add(b, "/", 1);
        es_buf_add(b, id, il);
        PUT_LIT(b, "\",\"files:put\":\"");
        view = def->view;
    } else if (view) {
        PUT_LIT(b, ",\"_links\":{\"files:put\":\"");
    } else {
        return;
    }
    es_buf_add(b, lv->r->base, bl);
    PUT_LIT(b, "files/");
    es_buf_adds(b, def->graph);
    es_buf_add(b, "/", 1);
    es_buf_adds(b, view);
    es_buf_add(b, "/", 1);
    es_buf_add(b, id, il);
    PUT_LIT(b, "/{filename}\"}");
}

static void render_object(const struct level *lv, uint32_t row, const char *view)
{
    struct es_buf *b = lv->r->out;
    if (lv->depth >= MAX_DEPTH) {
        PUT_LIT(b, "null");
        return;
    }
    struct slots *sl = thread_slots();
    uint32_t *tab = slot_table(sl, lv->depth);
    uint32_t tabn = sl->n[lv->depth];
    fill_slots(tab, tabn, lv->d);
    es_buf_add(b, "{", 1);
    const char *id = lv->meta ? lv->meta->id : lv->synth_id;
    if (id) {
        PUT_LIT(b, "\"id\":");
        put_string(b, id, strlen(id));
        es_buf_add(b, ",", 1);
    } else {
        put_id(b, lv->d);
    }
    PUT_LIT(b, "\"rowNumber\":");
    put_int(b, row);
    PUT_LIT(b, ",");
    uint32_t nl;
    const char *note = sim_doc_str(lv->d, SIM_N_NOTE, &nl);
    if (lv->meta || view) {
        PUT_LIT(b, "\"note\":{\"value\":");
        put_string(b, note ? note : "", note ? nl : 0);
        PUT_LIT(b, "},");
    } else {
        PUT_LIT(b, "\"note\":null,");
    }
    int first = 1;
    struct sim_val tmp;
    for (size_t i = 0; i < lv->t->nprops; i++)
        render_prop(lv, &lv->t->props[i], prop_value(lv, i, tab, tabn, &tmp), &first);
    if (!first)
        es_buf_add(b, ",", 1);
    PUT_LIT(b, "\"custom\":{}");
    uint32_t idn;
    const char *rid = id ? id : sim_doc_str(lv->d, SIM_N_ID, &idn);
    if (rid && (lv->meta || view)) {
        char idbuf[64];
        if (!id) {
            size_t k = idn < sizeof(idbuf) - 1 ? idn : sizeof(idbuf) - 1;
            memcpy(idbuf, rid, k);
            idbuf[k] = '\0';
            rid = idbuf;
        }
        render_links(lv, view, rid);
    }
    if (lv->sel && lv->sel->files)
        PUT_LIT(b, ",\"files\":[]");
    es_buf_add(b, "}", 1);
    clear_slots(tab, tabn, lv->d);
}

void sim_render_record(const struct sim_render *r, const struct sim_doc *d,
                       const struct sim_meta *m, const struct sim_sel *sel,
                       const struct sim_doc *sent, uint32_t row)
{
    struct level lv = {r, r->ent->type, d, sel, sent, m, 0, NULL, NULL};
    render_object(&lv, row, NULL);
}
