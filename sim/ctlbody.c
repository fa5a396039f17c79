/* Strict readers for the control API's JSON bodies. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctlbody.h"
#include "erpsync/utf8.h"

static int is_known(const char *name, const char *const *known)
{
    for (int i = 0; known[i]; i++)
        if (!strcmp(name, known[i]))
            return 1;
    return 0;
}

/* "a, b, c" of the known names, into buf. */
static const char *known_list(char *buf, size_t cap, const char *const *known)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; known[i] && len < cap; i++) {
        int n = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", known[i]);
        len += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

cJSON *sim_ctl_parse(const char *what, const char *body, size_t n, const char *const *known,
                     struct es_err *err)
{
    if (!es_utf8_valid(body ? body : "", n, NULL)) {
        es_err_set(err, ES_EINVAL, "%s: the body is not valid UTF-8", what);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(body ? body : "", n);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        es_err_set(err, ES_EINVAL, "%s: the body must be a JSON object", what);
        return NULL;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, j)
    {
        if (!is_known(m->string, known)) {
            char list[160];
            es_err_set(err, ES_EINVAL, "%s: unknown field '%.60s' (known: %s)", what, m->string,
                       known_list(list, sizeof(list), known));
            cJSON_Delete(j);
            return NULL;
        }
    }
    return j;
}

int sim_ctl_whole(long *out, const cJSON *obj, const char *what, const char *field, long lo,
                  long hi, struct es_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!v)
        return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
        return es_err_set(err, ES_EINVAL, "%s: %s must be a whole number from %ld to %ld", what,
                          field, lo, hi);
    *out = (long)d;
    return 1;
}

int sim_ctl_bool(int *out, const cJSON *obj, const char *what, const char *field,
                 struct es_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return es_err_set(err, ES_EINVAL, "%s: %s must be true or false", what, field);
    *out = cJSON_IsTrue(v);
    return 1;
}

int sim_ctl_text(const char **out, const cJSON *obj, const char *what, const char *field,
                 size_t maxlen, struct es_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return es_err_set(err, ES_EINVAL, "%s: %s must be a string", what, field);
    size_t n = strlen(v->valuestring);
    if (n > maxlen)
        return es_err_set(err, ES_EINVAL, "%s: %s is longer than %zu bytes", what, field, maxlen);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v->valuestring[i] < 0x20 || v->valuestring[i] == 0x7f)
            return es_err_set(err, ES_EINVAL, "%s: %s holds a control character", what, field);
    *out = v->valuestring;
    return 1;
}
