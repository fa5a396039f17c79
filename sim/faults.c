/* Fault rules. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/mem.h"
#include "faults.h"

struct sim_faults {
    pthread_mutex_t mu;
    struct sim_fault *r;
    size_t n, cap;
    uint64_t rng;
};

static const char *const kinds[] = {"status", "delay", "cut",     "malformed",
                                    "drop",   "reset", "replace", "endless"};

struct sim_faults *sim_faults_new(uint64_t seed)
{
    struct sim_faults *f = es_xcalloc(1, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
    return f;
}

void sim_faults_free(struct sim_faults *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->mu);
    free(f->r);
    free(f);
}

static double rnd(struct sim_faults *f)
{
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return (double)(f->rng >> 11) / (double)(1ull << 53);
}

static void copy_str(char *dst, size_t cap, const cJSON *j)
{
    dst[0] = '\0';
    if (!cJSON_IsString(j))
        return;
    size_t n = strlen(j->valuestring);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, j->valuestring, n);
    dst[n] = '\0';
}

int sim_faults_add_json(struct sim_faults *f, const char *json, struct es_err *err)
{
    cJSON *j = cJSON_Parse(json);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return es_err_set(err, ES_EINVAL, "fault: body must be a JSON object");
    }
    struct sim_fault r = {.kind = -1, .remaining = 1, .probability = 1.0, .status = 500};
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    for (int i = 0; cJSON_IsString(kind) && i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++)
        if (!strcmp(kind->valuestring, kinds[i]))
            r.kind = i;
    copy_str(r.method, sizeof(r.method), cJSON_GetObjectItemCaseSensitive(j, "method"));
    copy_str(r.path, sizeof(r.path), cJSON_GetObjectItemCaseSensitive(j, "path"));
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "count")))
        r.remaining = (long)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "probability")))
        r.probability = v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "status")))
        r.status = (int)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "delay_ms")))
        r.delay_ms = (long)v->valuedouble;
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(j, "from");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(j, "to");
    int texts_ok = cJSON_IsString(from) && from->valuestring[0] &&
                   strlen(from->valuestring) < sizeof(r.from) && cJSON_IsString(to) &&
                   strlen(to->valuestring) < sizeof(r.to);
    copy_str(r.from, sizeof(r.from), from);
    copy_str(r.to, sizeof(r.to), to);
    cJSON_Delete(j);
    if (r.kind < 0)
        return es_err_set(err, ES_EINVAL, "fault: \"kind\" must be status, delay, cut, malformed,"
                                          " drop, reset, replace or endless");
    if (r.kind == FK_REPLACE && !texts_ok)
        return es_err_set(err, ES_EINVAL, "fault: replace needs \"from\" (not empty) and \"to\","
                                          " each under 256 bytes");
    if (r.status < 100 || r.status > 599 || r.probability < 0 || r.probability > 1 ||
        r.delay_ms < 0)
        return es_err_set(err, ES_EINVAL, "fault: status, probability or delay_ms out of range");
    pthread_mutex_lock(&f->mu);
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->r = es_xrealloc(f->r, f->cap * sizeof(*f->r));
    }
    f->r[f->n++] = r;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

void sim_faults_clear(struct sim_faults *f)
{
    pthread_mutex_lock(&f->mu);
    f->n = 0;
    pthread_mutex_unlock(&f->mu);
}

int sim_faults_take(struct sim_faults *f, const char *method, const char *path,
                    struct sim_fault *out)
{
    int hit = 0;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n && !hit; i++) {
        struct sim_fault *r = &f->r[i];
        if (r->remaining == 0 || (r->method[0] && strcasecmp(r->method, method)) ||
            (r->path[0] && !strstr(path, r->path)))
            continue;
        if (r->probability < 1.0 && rnd(f) >= r->probability)
            continue;
        if (r->remaining > 0)
            r->remaining--;
        *out = *r;
        hit = 1;
    }
    pthread_mutex_unlock(&f->mu);
    return hit;
}

void sim_faults_json(struct sim_faults *f, struct es_buf *out)
{
    pthread_mutex_lock(&f->mu);
    es_buf_adds(out, "[");
    for (size_t i = 0; i < f->n; i++) {
        struct sim_fault *r = &f->r[i];
        es_buf_addf(out, "%s{\"kind\":\"%s\",\"method\":\"%s\",\"path\":\"", i ? "," : "",
                    kinds[r->kind], r->method);
        es_buf_add_json_escaped(out, r->path, strlen(r->path));
        es_buf_addf(out, "\",\"remaining\":%ld,\"probability\":%g,\"status\":%d,\"delay_ms\":%ld}",
                    r->remaining, r->probability, r->status, r->delay_ms);
    }
    es_buf_adds(out, "]");
    pthread_mutex_unlock(&f->mu);
}
