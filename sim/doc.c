/* Records: the value tree and its packed binary form. */
#include <string.h>
#include <strings.h>

#include "doc.h"
#include "erpsync/err.h"

struct sim_doc *sim_doc_new(struct es_arena *a)
{
    return es_arena_calloc(a, sizeof(struct sim_doc));
}

struct sim_val *sim_doc_get(const struct sim_doc *d, uint32_t name)
{
    if (!d)
        return NULL;
    for (uint32_t i = 0; i < d->n; i++)
        if (d->f[i].name == name)
            return &d->f[i].v;
    return NULL;
}

struct sim_val *sim_doc_set(struct es_arena *a, struct sim_doc *d, uint32_t name)
{
    struct sim_val *v = sim_doc_get(d, name);
    if (v)
        return v;
    if (d->n == d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 8;
        struct sim_field *f = es_arena_alloc(a, cap * sizeof(*f));
        if (d->n)
            memcpy(f, d->f, d->n * sizeof(*f));
        d->f = f;
        d->cap = cap;
    }
    struct sim_field *f = &d->f[d->n++];
    memset(f, 0, sizeof(*f));
    f->name = name;
    return &f->v;
}

void sim_doc_del(struct sim_doc *d, uint32_t name)
{
    for (uint32_t i = 0; i < d->n; i++) {
        if (d->f[i].name == name) {
            memmove(&d->f[i], &d->f[i + 1], (d->n - i - 1) * sizeof(d->f[0]));
            d->n--;
            return;
        }
    }
}

static void clone_val(struct es_arena *a, struct sim_val *dst, const struct sim_val *src)
{
    *dst = *src;
    switch (src->t) {
    case SV_STR: dst->u.s = es_arena_memdup(a, src->u.s, src->n); break;
    case SV_OBJ: dst->u.obj = sim_doc_clone(a, src->u.obj); break;
    case SV_ARR:
        dst->u.arr = es_arena_alloc(a, (src->n ? src->n : 1) * sizeof(*dst->u.arr));
        for (uint32_t i = 0; i < src->n; i++)
            dst->u.arr[i] = sim_doc_clone(a, src->u.arr[i]);
        break;
    default: break;
    }
}

struct sim_doc *sim_doc_clone(struct es_arena *a, const struct sim_doc *d)
{
    struct sim_doc *c = sim_doc_new(a);
    if (!d || !d->n)
        return c;
    c->cap = d->n;
    c->n = d->n;
    c->f = es_arena_alloc(a, d->n * sizeof(*c->f));
    for (uint32_t i = 0; i < d->n; i++) {
        c->f[i].name = d->f[i].name;
        clone_val(a, &c->f[i].v, &d->f[i].v);
    }
    return c;
}

void sim_doc_set_strn(struct es_arena *a, struct sim_doc *d, uint32_t name, const char *s,
                      size_t n)
{
    struct sim_val *v = sim_doc_set(a, d, name);
    v->t = SV_STR;
    v->n = (uint32_t)n;
    v->u.s = es_arena_memdup(a, s, n);
}

void sim_doc_set_str(struct es_arena *a, struct sim_doc *d, uint32_t name, const char *s)
{
    if (!s) {
        sim_doc_set(a, d, name)->t = SV_NULL;
        return;
    }
    sim_doc_set_strn(a, d, name, s, strlen(s));
}

void sim_doc_set_int(struct es_arena *a, struct sim_doc *d, uint32_t name, int vt, int64_t v)
{
    struct sim_val *s = sim_doc_set(a, d, name);
    s->t = (uint8_t)vt;
    s->n = 0;
    s->u.i = v;
}

void sim_doc_set_bool(struct es_arena *a, struct sim_doc *d, uint32_t name, int v)
{
    struct sim_val *s = sim_doc_set(a, d, name);
    s->t = v ? SV_TRUE : SV_FALSE;
    s->n = 0;
}

struct sim_doc *sim_doc_push(struct es_arena *a, struct sim_doc *d, uint32_t name)
{
    struct sim_val *v = sim_doc_set(a, d, name);
    if (v->t != SV_ARR) {
        v->t = SV_ARR;
        v->n = 0;
        v->u.arr = NULL;
    }
    struct sim_doc **arr = es_arena_alloc(a, (v->n + 1) * sizeof(*arr));
    if (v->n)
        memcpy(arr, v->u.arr, v->n * sizeof(*arr));
    arr[v->n] = sim_doc_new(a);
    v->u.arr = arr;
    return arr[v->n++];
}

const char *sim_doc_str(const struct sim_doc *d, uint32_t name, uint32_t *len)
{
    const struct sim_val *v = sim_doc_get(d, name);
    if (!v || v->t != SV_STR)
        return NULL;
    if (len)
        *len = v->n;
    return v->u.s;
}

int64_t sim_doc_num(const struct sim_doc *d, uint32_t name, int64_t def)
{
    const struct sim_val *v = sim_doc_get(d, name);
    if (!v || (v->t != SV_INT && v->t != SV_DEC && v->t != SV_DT))
        return def;
    return v->u.i;
}

int sim_doc_bool(const struct sim_doc *d, uint32_t name, int def)
{
    const struct sim_val *v = sim_doc_get(d, name);
    if (!v || (v->t != SV_TRUE && v->t != SV_FALSE))
        return def;
    return v->t == SV_TRUE;
}

char *sim_doc_strdup(struct es_arena *a, const struct sim_doc *d, uint32_t name)
{
    uint32_t n;
    const char *s = sim_doc_str(d, name, &n);
    return s ? es_arena_strndup(a, s, n) : NULL;
}

int sim_doc_str_eq(const struct sim_doc *d, uint32_t name, const char *s)
{
    uint32_t n;
    const char *v = sim_doc_str(d, name, &n);
    return v && strlen(s) == n && strncasecmp(v, s, n) == 0;
}

/* ---- packed form ---- */

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void put_varint(struct es_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (unsigned char)v;
    es_buf_add(b, tmp, n);
}

static size_t doc_size(const struct sim_doc *d);

static size_t arr_body_size(const struct sim_val *v)
{
    size_t n = varint_size(v->n);
    for (uint32_t i = 0; i < v->n; i++) {
        size_t e = doc_size(v->u.arr[i]);
        n += varint_size(e) + e;
    }
    return n;
}

static size_t val_size(const struct sim_val *v)
{
    switch (v->t) {
    case SV_STR: return varint_size(v->n) + v->n;
    case SV_INT:
    case SV_DEC:
    case SV_DT: return varint_size(zigzag(v->u.i));
    case SV_OBJ: {
        size_t e = doc_size(v->u.obj);
        return varint_size(e) + e;
    }
    case SV_ARR: {
        size_t e = arr_body_size(v);
        return varint_size(e) + e;
    }
    default: return 0;
    }
}

static size_t doc_size(const struct sim_doc *d)
{
    size_t n = varint_size(d ? d->n : 0);
    for (uint32_t i = 0; d && i < d->n; i++)
        n += varint_size(d->f[i].name) + 1 + val_size(&d->f[i].v);
    return n;
}

static void encode_doc(struct es_buf *out, const struct sim_doc *d);

static void encode_val(struct es_buf *out, const struct sim_val *v)
{
    unsigned char t = v->t;
    es_buf_add(out, &t, 1);
    switch (v->t) {
    case SV_STR:
        put_varint(out, v->n);
        es_buf_add(out, v->u.s, v->n);
        break;
    case SV_INT:
    case SV_DEC:
    case SV_DT: put_varint(out, zigzag(v->u.i)); break;
    case SV_OBJ:
        put_varint(out, doc_size(v->u.obj));
        encode_doc(out, v->u.obj);
        break;
    case SV_ARR:
        put_varint(out, arr_body_size(v));
        put_varint(out, v->n);
        for (uint32_t i = 0; i < v->n; i++) {
            put_varint(out, doc_size(v->u.arr[i]));
            encode_doc(out, v->u.arr[i]);
        }
        break;
    default: break;
    }
}

static void encode_doc(struct es_buf *out, const struct sim_doc *d)
{
    put_varint(out, d ? d->n : 0);
    for (uint32_t i = 0; d && i < d->n; i++) {
        put_varint(out, d->f[i].name);
        encode_val(out, &d->f[i].v);
    }
}

void sim_doc_encode(struct es_buf *out, const struct sim_doc *d)
{
    es_buf_reserve(out, doc_size(d));
    encode_doc(out, d);
}

struct reader {
    const unsigned char *p, *end;
};

static int get_varint(struct reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int get_len(struct reader *r, uint64_t *out)
{
    if (get_varint(r, out) || *out > (uint64_t)(r->end - r->p))
        return -1;
    return 0;
}

static int decode_doc(struct es_arena *a, struct sim_doc **out, struct reader *r, int depth);

static int decode_val(struct es_arena *a, struct sim_val *v, struct reader *r, int depth)
{
    uint64_t x, len;
    if (r->p >= r->end)
        return -1;
    v->t = *r->p++;
    v->n = 0;
    switch (v->t) {
    case SV_NULL:
    case SV_TRUE:
    case SV_FALSE: return 0;
    case SV_STR:
        if (get_len(r, &len))
            return -1;
        v->n = (uint32_t)len;
        v->u.s = (const char *)r->p;
        r->p += len;
        return 0;
    case SV_INT:
    case SV_DEC:
    case SV_DT:
        if (get_varint(r, &x))
            return -1;
        v->u.i = unzigzag(x);
        return 0;
    case SV_OBJ: {
        if (get_len(r, &len))
            return -1;
        struct reader sub = {r->p, r->p + len};
        r->p += len;
        return decode_doc(a, &v->u.obj, &sub, depth + 1);
    }
    case SV_ARR: {
        uint64_t count;
        if (get_len(r, &len))
            return -1;
        struct reader sub = {r->p, r->p + len};
        r->p += len;
        if (get_varint(&sub, &count) || count > len)
            return -1;
        v->n = (uint32_t)count;
        v->u.arr = es_arena_alloc(a, (count ? count : 1) * sizeof(*v->u.arr));
        for (uint64_t i = 0; i < count; i++) {
            uint64_t elen;
            if (get_len(&sub, &elen))
                return -1;
            struct reader el = {sub.p, sub.p + elen};
            sub.p += elen;
            if (decode_doc(a, &v->u.arr[i], &el, depth + 1))
                return -1;
        }
        return 0;
    }
    default: return -1;
    }
}

static int decode_doc(struct es_arena *a, struct sim_doc **out, struct reader *r, int depth)
{
    uint64_t n;
    if (depth > 16 || get_varint(r, &n) || n > (uint64_t)(r->end - r->p))
        return -1;
    struct sim_doc *d = sim_doc_new(a);
    d->n = d->cap = (uint32_t)n;
    d->f = es_arena_alloc(a, (n ? n : 1) * sizeof(*d->f));
    for (uint64_t i = 0; i < n; i++) {
        uint64_t name;
        if (get_varint(r, &name) || name > UINT32_MAX)
            return -1;
        d->f[i].name = (uint32_t)name;
        if (decode_val(a, &d->f[i].v, r, depth))
            return -1;
    }
    *out = d;
    return 0;
}

int sim_doc_decode(struct es_arena *a, struct sim_doc **out, const void *blob, size_t n)
{
    struct reader r = {blob, (const unsigned char *)blob + n};
    struct sim_doc *d;
    if (decode_doc(a, &d, &r, 0))
        return ES_EINVAL;
    *out = d;
    return 0;
}

/* Skip one encoded value (type byte already consumed). */
static int skip_val(struct reader *r, unsigned char t)
{
    uint64_t x;
    switch (t) {
    case SV_NULL:
    case SV_TRUE:
    case SV_FALSE: return 0;
    case SV_INT:
    case SV_DEC:
    case SV_DT: return get_varint(r, &x);
    case SV_STR:
    case SV_OBJ:
    case SV_ARR:
        if (get_len(r, &x))
            return -1;
        r->p += x;
        return 0;
    default: return -1;
    }
}

int sim_blob_lookup(struct sim_val *out, const void *blob, size_t n, const uint32_t *path,
                    size_t depth)
{
    struct reader r = {blob, (const unsigned char *)blob + n};
    for (size_t level = 0; level < depth; level++) {
        uint64_t count, name, len;
        int found = 0;
        if (get_varint(&r, &count))
            return 0;
        for (uint64_t i = 0; i < count && !found; i++) {
            if (get_varint(&r, &name) || r.p >= r.end)
                return 0;
            unsigned char t = *r.p++;
            if (name != path[level]) {
                if (skip_val(&r, t))
                    return 0;
                continue;
            }
            found = 1;
            if (level + 1 == depth) {
                r.p--;
                struct es_arena none = {0};
                /* Scalars decode without allocating; objects are not values. */
                if (t == SV_OBJ || t == SV_ARR)
                    return 0;
                return decode_val(&none, out, &r, 0) == 0;
            }
            if (t != SV_OBJ || get_len(&r, &len))
                return 0;
            r.end = r.p + len;
        }
        if (!found)
            return 0;
    }
    return 0;
}
