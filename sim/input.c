/* Wrapped JSON to records. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/err.h"
#include "erpsync/timeutil.h"
#include "erpsync/utf8.h"
#include "input.h"
#include "names.h"

#define MAX_INPUT_DEPTH 8

int sim_parse_decimal(int64_t *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    while (n > i && isspace((unsigned char)s[n - 1]))
        n--;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t whole = 0, frac = 0;
    int fd = 0, digits = 0, dot = 0;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (!isdigit((unsigned char)s[i]))
            return ES_EINVAL;
        digits++;
        if (!dot) {
            if (whole > (INT64_MAX / SIM_DEC_SCALE - 10) / 10)
                return ES_EINVAL;
            whole = whole * 10 + (s[i] - '0');
        } else if (fd < 6) {
            frac = frac * 10 + (s[i] - '0');
            fd++;
        }
    }
    if (!digits)
        return ES_EINVAL;
    while (fd++ < 6)
        frac *= 10;
    *out = (whole * SIM_DEC_SCALE + frac) * (neg ? -1 : 1);
    return 0;
}

static int number_to_decimal(int64_t *out, double d)
{
    if (!isfinite(d) || fabs(d) > 9.0e12)
        return ES_EINVAL;
    *out = (int64_t)llround(d * (double)SIM_DEC_SCALE);
    return 0;
}

static int bool_from(const cJSON *v, int *out)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return 0;
    }
    if (cJSON_IsString(v)) {
        if (!strcasecmp(v->valuestring, "true") || !strcmp(v->valuestring, "1")) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(v->valuestring, "false") || !strcmp(v->valuestring, "0")) {
            *out = 0;
            return 0;
        }
    }
    if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) {
        *out = v->valuedouble == 1;
        return 0;
    }
    return ES_EINVAL;
}

/* An integer as a JSON number or a string ("10000000000000": 64-bit values
 * travel as strings because JSON numbers lose precision past 2^53). */
static int int_parse(const cJSON *v, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9.2e18)
            return ES_EINVAL;
        *out = (int64_t)d;
        return 0;
    }
    if (!cJSON_IsString(v))
        return ES_EINVAL;
    const char *s = v->valuestring;
    char *end;
    errno = 0;
    long long ll = strtoll(s, &end, 10);
    if (end != s && *end == '\0' && errno == 0 && !isspace((unsigned char)*s)) {
        *out = ll;
        return 0;
    }
    int64_t m; /* "12.0" and "1e3" still name whole numbers */
    if (sim_parse_decimal(&m, s, strlen(s)) || m % SIM_DEC_SCALE)
        return ES_EINVAL;
    *out = m / SIM_DEC_SCALE;
    return 0;
}

/* ...that also fits the wrapper type: ShortValue, ByteValue, IntValue. */
static int int_from(const cJSON *v, int wt, int64_t *out)
{
    if (int_parse(v, out))
        return ES_EINVAL;
    switch (wt) {
    case WT_SHORT: return *out < INT16_MIN || *out > INT16_MAX ? ES_EINVAL : 0;
    case WT_BYTE: return *out < 0 || *out > UINT8_MAX ? ES_EINVAL : 0;
    case WT_INT: return *out < INT32_MIN || *out > INT32_MAX ? ES_EINVAL : 0;
    default: return 0;
    }
}

static int text_from(struct sim_val *out, struct es_arena *a, const cJSON *v)
{
    char tmp[64];
    const char *s;
    if (cJSON_IsString(v)) {
        s = v->valuestring;
    } else if (cJSON_IsNumber(v)) {
        snprintf(tmp, sizeof(tmp), "%.15g", v->valuedouble);
        s = tmp;
    } else if (cJSON_IsBool(v)) {
        s = cJSON_IsTrue(v) ? "True" : "False";
    } else {
        return ES_EINVAL;
    }
    size_t n = strlen(s);
    out->t = SV_STR;
    out->n = (uint32_t)n;
    out->u.s = es_arena_strndup(a, s, n);
    return 0;
}

static int is_guid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int sim_input_value(struct sim_val *out, struct es_arena *a, int wt, const cJSON *v, char *msg,
                    size_t msgcap)
{
    memset(out, 0, sizeof(*out));
    if (!v || cJSON_IsNull(v)) {
        out->t = SV_NULL;
        return 0;
    }
    int b;
    int64_t i;
    switch (wt) {
    case WT_STRING:
        if (text_from(out, a, v) == 0)
            return 0;
        break;
    case WT_GUID:
        if (cJSON_IsString(v) && is_guid(v->valuestring))
            return text_from(out, a, v);
        break;
    case WT_BOOL:
        if (bool_from(v, &b) == 0) {
            out->t = b ? SV_TRUE : SV_FALSE;
            return 0;
        }
        break;
    case WT_INT:
    case WT_SHORT:
    case WT_LONG:
    case WT_BYTE:
        if (int_from(v, wt, &i) == 0) {
            out->t = SV_INT;
            out->u.i = i;
            return 0;
        }
        break;
    case WT_DECIMAL:
    case WT_DOUBLE:
        if ((cJSON_IsNumber(v) && number_to_decimal(&i, v->valuedouble) == 0) ||
            (cJSON_IsString(v) && sim_parse_decimal(&i, v->valuestring,
                                                    strlen(v->valuestring)) == 0)) {
            out->t = SV_DEC;
            out->u.i = i;
            return 0;
        }
        break;
    case WT_DATETIME:
        if (cJSON_IsString(v)) {
            struct es_iso t;
            if (es_iso_parse(&t, v->valuestring, strlen(v->valuestring)) == 0) {
                out->t = SV_DT;
                out->u.i = es_iso_to_ms(&t);
                return 0;
            }
        }
        break;
    }
    char *text = cJSON_PrintUnformatted(v);
    const char *shown = text ? text : "?";
    /* The value is cut, at a character boundary, so the message stays whole. */
    size_t room = msgcap > 64 ? msgcap - 64 : 0;
    snprintf(msg, msgcap, "Error converting value %.*s to type '%s'.",
             (int)es_utf8_fit(shown, strlen(shown), room), shown, sim_wt_name(wt));
    cJSON_free(text);
    return ES_EINVAL;
}

static void model_error(struct es_buf *ms, const char *path, const char *msg)
{
    if (ms->len)
        es_buf_add(ms, ",", 1);
    es_buf_adds(ms, "\"entity.");
    es_buf_add_json_escaped(ms, path, strlen(path));
    es_buf_adds(ms, "\":[\"");
    es_buf_add_json_escaped(ms, msg, strlen(msg));
    es_buf_adds(ms, "\"]");
}

static int convert(struct sim_doc **out, struct es_arena *a, const struct sim_type *t,
                   const cJSON *obj, struct es_buf *ms, const char *path, int depth);

static int convert_member(struct sim_doc *d, struct es_arena *a, const struct sim_type *t,
                          const cJSON *m, struct es_buf *ms, const char *path, int depth)
{
    char sub[512], msg[256];
    const char *key = m->string;
    snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
    if (!strcmp(key, "id")) {
        if (cJSON_IsString(m) && is_guid(m->valuestring))
            sim_doc_set_str(a, d, SIM_N_ID, m->valuestring);
        else if (!cJSON_IsNull(m))
            return model_error(ms, sub, "The id must be a GUID."), ES_EINVAL;
        return 0;
    }
    if (!strcmp(key, "delete")) {
        if (cJSON_IsTrue(m))
            sim_doc_set_bool(a, d, SIM_N_DELETE, 1);
        return 0;
    }
    if (!strcmp(key, "note")) {
        const cJSON *v = cJSON_IsObject(m) ? cJSON_GetObjectItemCaseSensitive(m, "value") : m;
        if (cJSON_IsString(v))
            sim_doc_set_str(a, d, SIM_N_NOTE, v->valuestring);
        return 0;
    }
    const struct sim_prop *p = sim_type_prop_ci(t, key, strlen(key));
    if (!p)
        return 0; /* not a field of the contract: ignored */
    if (p->kind == SK_VALUE) {
        if (cJSON_IsNull(m))
            return 0;
        if (!cJSON_IsObject(m)) {
            snprintf(msg, sizeof(msg), "Error converting value to type '%s'.",
                     sim_wt_name(p->wt));
            model_error(ms, sub, msg);
            return ES_EINVAL;
        }
        struct sim_val v;
        if (sim_input_value(&v, a, p->wt, cJSON_GetObjectItemCaseSensitive(m, "value"), msg,
                            sizeof(msg))) {
            model_error(ms, sub, msg);
            return ES_EINVAL;
        }
        *sim_doc_set(a, d, p->name_id) = v;
        return 0;
    }
    if (cJSON_IsNull(m))
        return 0;
    if (p->kind == SK_LINKED) {
        struct sim_doc *child;
        if (!cJSON_IsObject(m)) {
            model_error(ms, sub, "An object was expected.");
            return ES_EINVAL;
        }
        if (convert(&child, a, p->type, m, ms, sub, depth + 1))
            return ES_EINVAL;
        struct sim_val *v = sim_doc_set(a, d, p->name_id);
        v->t = SV_OBJ;
        v->u.obj = child;
        return 0;
    }
    if (!cJSON_IsArray(m)) {
        model_error(ms, sub, "An array was expected.");
        return ES_EINVAL;
    }
    struct sim_val *v = sim_doc_set(a, d, p->name_id);
    v->t = SV_ARR;
    v->n = 0;
    int n = cJSON_GetArraySize(m);
    v->u.arr = es_arena_alloc(a, (size_t)(n ? n : 1) * sizeof(*v->u.arr));
    const cJSON *e;
    int idx = 0, rc = 0;
    cJSON_ArrayForEach(e, m)
    {
        char rowpath[560];
        snprintf(rowpath, sizeof(rowpath), "%s[%d]", sub, idx++);
        if (!cJSON_IsObject(e)) {
            model_error(ms, rowpath, "An object was expected.");
            rc = ES_EINVAL;
            continue;
        }
        if (convert(&v->u.arr[v->n], a, p->type, e, ms, rowpath, depth + 1))
            rc = ES_EINVAL;
        else
            v->n++;
    }
    return rc;
}

static int convert(struct sim_doc **out, struct es_arena *a, const struct sim_type *t,
                   const cJSON *obj, struct es_buf *ms, const char *path, int depth)
{
    if (depth > MAX_INPUT_DEPTH) {
        model_error(ms, path, "The record is nested too deeply.");
        return ES_EINVAL;
    }
    struct sim_doc *d = sim_doc_new(a);
    int rc = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        if (m->string && convert_member(d, a, t, m, ms, path, depth))
            rc = ES_EINVAL;
    }
    *out = d;
    return rc;
}

int sim_input_doc(struct sim_doc **out, struct es_arena *a, const struct sim_type *t,
                  const cJSON *obj, struct es_buf *model_state)
{
    return convert(out, a, t, obj, model_state, "", 0);
}
