/* Schema conformance: every record acusim answers on both Default endpoint
 * versions, read and written, is checked member by member against the
 * official OpenAPI file of that version (reference/acumatica, API-NOTES §1.3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "erpsync/buf.h"
#include "erpsync/mem.h"
#include "harness.h"

/* The zone acusim is started in; every date-time must carry its offset. */
#define ZONE "America/New_York"
#define PATH_CAP 512
#define TOP "50"

/* ---- the OpenAPI files ---- */

struct api {
    const char *version;
    cJSON *doc;
    const cJSON *schemas; /* components.schemas (OpenAPI 3) or definitions (Swagger 2) */
    const char *prefix;   /* how a $ref into them starts */
};

enum { V23, V24 }; /* indexes into apis[] */
static struct api apis[] = {[V23] = {.version = "23.200.001"}, [V24] = {.version = "24.200.001"}};
#define NAPIS (sizeof(apis) / sizeof(apis[0]))

static void reference_path(char *out, size_t cap, const struct api *a)
{
    snprintf(out, cap, "%s/reference/acumatica/Default_%s.openapi.json", ES_SOURCE_DIR, a->version);
}

/* The whole file (caller frees); fails the test when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    struct es_buf b;
    es_buf_init(&b, 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        es_buf_add(&b, chunk, n);
    fclose(f);
    return es_buf_steal(&b, len);
}

static void api_load(struct api *a)
{
    char path[512];
    size_t len;
    reference_path(path, sizeof(path), a);
    char *text = slurp(path, &len);
    a->doc = cJSON_ParseWithLength(text, len);
    free(text);
    if (!a->doc)
        fail_msg("%s: not JSON", path);
    const cJSON *components = cJSON_GetObjectItemCaseSensitive(a->doc, "components");
    a->schemas = cJSON_GetObjectItemCaseSensitive(components, "schemas");
    a->prefix = "#/components/schemas/";
    if (!a->schemas) {
        a->schemas = cJSON_GetObjectItemCaseSensitive(a->doc, "definitions");
        a->prefix = "#/definitions/";
    }
    if (!cJSON_IsObject(a->schemas))
        fail_msg("%s: no components.schemas and no definitions", path);
}

/* The schema s stands for, following $refs; *name (may be NULL) gets the
 * name of the last schema a $ref led to, NULL for an inline one. */
static const cJSON *deref(const struct api *a, const cJSON *s, const char **name)
{
    size_t n = strlen(a->prefix);
    if (name)
        *name = NULL;
    for (int hops = 0; hops < 16; hops++) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
        if (!cJSON_IsString(ref))
            return s;
        if (strncmp(ref->valuestring, a->prefix, n))
            fail_msg("%s: unsupported $ref '%s'", a->version, ref->valuestring);
        s = cJSON_GetObjectItemCaseSensitive(a->schemas, ref->valuestring + n);
        if (!s)
            fail_msg("%s: dangling $ref '%s'", a->version, ref->valuestring);
        if (name)
            *name = ref->valuestring + n;
    }
    fail_msg("%s: $ref loop", a->version);
    return NULL;
}

/* A keyword of s or, through allOf, of one of its parts (the first found). */
static const cJSON *keyword(const struct api *a, const cJSON *s, const char *key)
{
    s = deref(a, s, NULL);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key), *part;
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
    {
        if (v)
            break;
        v = keyword(a, part, key);
    }
    return v;
}

/* The schema of property `name` of s, looking through allOf, or NULL. */
static const cJSON *property(const struct api *a, const cJSON *s, const char *name)
{
    s = deref(a, s, NULL);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties"), *part;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, name);
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
    {
        if (p)
            break;
        p = property(a, part, name);
    }
    return p;
}

/* Is s built on the schema called base (allOf: [{$ref: base}, ...])? */
static int extends(const struct api *a, const cJSON *s, const char *base)
{
    const cJSON *part;
    s = deref(a, s, NULL);
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
    {
        const char *name;
        deref(a, part, &name);
        if ((name && !strcmp(name, base)) || extends(a, part, base))
            return 1;
    }
    return 0;
}

static int is_entity(const struct api *a, const cJSON *s)
{
    return extends(a, s, "Entity");
}

static int is_array(const struct api *a, const cJSON *s)
{
    const char *type = cJSON_GetStringValue(keyword(a, s, "type"));
    return type && !strcmp(type, "array");
}

/* Append every property of s that $expand can name (linked entities and
 * detail collections), except `skip`, comma-separated. */
static void add_expandable(const struct api *a, const cJSON *s, const char *skip, struct es_buf *b)
{
    const cJSON *p, *part;
    s = deref(a, s, NULL);
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "properties"))
    {
        if (!is_array(a, p) && !is_entity(a, p))
            continue;
        if (skip && !strcmp(p->string, skip))
            continue;
        es_buf_addf(b, "%s%s", b->len ? "," : "", p->string);
    }
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
        add_expandable(a, part, skip, b);
}

/* The $expand value naming all of an entity's linked and detail properties
 * but `skip` (caller frees). */
static char *expansion(const struct api *a, const char *entity, const char *skip)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(a->schemas, entity);
    if (!s)
        fail_msg("%s: no schema for entity %s", a->version, entity);
    struct es_buf b;
    es_buf_init(&b, 0);
    add_expandable(a, s, skip, &b);
    return es_buf_steal(&b, NULL);
}

/* ---- what a check found ---- */

struct finding {
    char *what;    /* request, path with indexes as [*], problem */
    char *example; /* the first concrete path and the value there */
    int count;
};

struct report {
    const struct api *api;
    const char *entity;
    const char *req; /* the request being checked, e.g. "GET list" */
    struct finding *f;
    size_t n, cap;
};

static void report_init(struct report *r, const struct api *a, const char *entity)
{
    memset(r, 0, sizeof(*r));
    r->api = a;
    r->entity = entity;
}

/* path with every array index replaced by *, so one defect repeated over
 * many records is reported once. */
static void generalize(char *out, size_t cap, const char *path)
{
    size_t j = 0;
    for (const char *p = path; *p && j + 2 < cap; p++) {
        out[j++] = *p;
        if (*p == '[' && isdigit((unsigned char)p[1])) {
            out[j++] = '*';
            while (isdigit((unsigned char)p[1]))
                p++;
        }
    }
    out[j] = '\0';
}

static void flag(struct report *r, const char *path, const cJSON *got, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void flag(struct report *r, const char *path, const cJSON *got, const char *fmt, ...)
{
    char msg[256], pattern[PATH_CAP], key[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    generalize(pattern, sizeof(pattern), path);
    snprintf(key, sizeof(key), "%s: %s: %s", r->req, pattern, msg);
    for (size_t i = 0; i < r->n; i++) {
        if (!strcmp(r->f[i].what, key)) {
            r->f[i].count++;
            return;
        }
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->f = es_xrealloc(r->f, r->cap * sizeof(*r->f));
    }
    char *value = got ? cJSON_PrintUnformatted(got) : NULL;
    r->f[r->n++] = (struct finding){
        es_xstrdup(key), es_xasprintf("%s = %.120s", path, value ? value : "(absent)"), 1};
    free(value);
}

static void report_clear(struct report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->f[i].what);
        free(r->f[i].example);
    }
    free(r->f);
    r->f = NULL;
    r->n = r->cap = 0;
}

/* Print every finding and fail the test if there was one. */
static void report_end(struct report *r)
{
    int total = 0;
    for (size_t i = 0; i < r->n; i++) {
        fprintf(stderr, "SCHEMA %s %s %s (%d time%s; first: %s)\n", r->api->version, r->entity,
                r->f[i].what, r->f[i].count, r->f[i].count == 1 ? "" : "s", r->f[i].example);
        total += r->f[i].count;
    }
    size_t n = r->n;
    report_clear(r);
    if (n)
        fail_msg("%s %s: %zu distinct schema violations, %d in all", r->api->version, r->entity, n,
                 total);
}

/* ---- scalar formats ---- */

static const char *json_type(const cJSON *j)
{
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsArray(j))
        return "an array";
    return cJSON_IsObject(j) ? "an object" : "invalid";
}

static int is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return s[36] == '\0';
}

static int is_uri(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 0;
    return 1;
}

/* Exactly n decimal digits at *p (advanced past them), or -1. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "Z" or "+hh:mm"/"-hh:mm" at p, the whole rest of the string: minutes east of UTC. */
static int parse_offset(const char *p, int *minutes)
{
    if (*p == 'Z') {
        *minutes = 0;
        return p[1] ? -1 : 0;
    }
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p++ == '-' ? -1 : 1;
    int h = digits(&p, 2);
    if (h < 0 || h > 14 || *p++ != ':')
        return -1;
    int m = digits(&p, 2);
    if (m < 0 || m > 59 || *p)
        return -1;
    *minutes = sign * (h * 60 + m);
    return 0;
}

/* ISO 8601 "YYYY-MM-DDThh:mm[:ss[.f+]]" plus an offset: the UTC instant and
 * the offset in minutes. -1 when s is anything else. */
static int parse_datetime(const char *s, time_t *utc, int *offset)
{
    const char *p = s;
    struct tm tm = {0};
    int y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return -1;
    int mo = digits(&p, 2);
    if (mo < 1 || mo > 12 || *p++ != '-')
        return -1;
    int d = digits(&p, 2);
    if (d < 1 || d > days_in_month(y, mo) || *p++ != 'T')
        return -1;
    int h = digits(&p, 2);
    if (h < 0 || h > 23 || *p++ != ':')
        return -1;
    int mi = digits(&p, 2), sec = 0;
    if (mi < 0 || mi > 59)
        return -1;
    if (*p == ':') {
        p++;
        if ((sec = digits(&p, 2)) < 0 || sec > 59)
            return -1;
        if (*p == '.' && !isdigit((unsigned char)*++p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (parse_offset(p, offset))
        return -1;
    tm = (struct tm){.tm_year = y - 1900,
                     .tm_mon = mo - 1,
                     .tm_mday = d,
                     .tm_hour = h,
                     .tm_min = mi,
                     .tm_sec = sec};
    *utc = timegm(&tm) - (time_t)*offset * 60;
    return 0;
}

static const char *offset_text(char *buf, size_t cap, int minutes)
{
    int m = minutes < 0 ? -minutes : minutes;
    snprintf(buf, cap, "%c%02d:%02d", minutes < 0 ? '-' : '+', m / 60, m % 60);
    return buf;
}

/* ---- the validator ---- */

static void check_value(struct report *r, const cJSON *j, const cJSON *schema, const char *path,
                        int null_ok);

static void check_datetime(struct report *r, const cJSON *j, const char *path)
{
    time_t utc;
    int off;
    if (parse_datetime(j->valuestring, &utc, &off)) {
        flag(r, path, j, "is not an ISO 8601 date-time with an offset");
        return;
    }
    struct tm local; /* the process runs in ZONE, see setup() */
    localtime_r(&utc, &local);
    int want = (int)(local.tm_gmtoff / 60);
    char a[8], b[8];
    if (off != want)
        flag(r, path, j, "carries offset %s; %s is at %s then", offset_text(a, sizeof(a), off),
             ZONE, offset_text(b, sizeof(b), want));
}

static void check_integer(struct report *r, const cJSON *j, const char *format, const char *path)
{
    double v = j->valuedouble;
    if (v < -9.2e18 || v > 9.2e18 || (double)(long long)v != v)
        flag(r, path, j, "is not a whole number; integer expected");
    else if (format && !strcmp(format, "int32") && (v < -2147483648.0 || v > 2147483647.0))
        flag(r, path, j, "is out of the int32 range");
}

static void check_string(struct report *r, const cJSON *j, const char *format, const char *path)
{
    if (!format)
        return;
    if (!strcmp(format, "uuid") && !is_uuid(j->valuestring))
        flag(r, path, j, "is not a UUID");
    else if (!strcmp(format, "date-time"))
        check_datetime(r, j, path);
    else if (!strcmp(format, "uri") && !is_uri(j->valuestring))
        flag(r, path, j, "is not a URI");
}

/* Is j of the JSON Schema scalar type (unknown types accept anything)? */
static int has_type(const cJSON *j, const char *type)
{
    if (!strcmp(type, "string"))
        return cJSON_IsString(j);
    if (!strcmp(type, "boolean"))
        return cJSON_IsBool(j);
    if (!strcmp(type, "integer") || !strcmp(type, "number"))
        return cJSON_IsNumber(j);
    return 1;
}

static void check_scalar(struct report *r, const cJSON *j, const cJSON *s, const char *type,
                         const char *path)
{
    const char *format = cJSON_GetStringValue(keyword(r->api, s, "format"));
    if (!has_type(j, type)) {
        flag(r, path, j, "is %s; %s%s%s%s expected", json_type(j), type, format ? " (" : "",
             format ? format : "", format ? ")" : "");
        return;
    }
    if (!strcmp(type, "string"))
        check_string(r, j, format, path);
    else if (!strcmp(type, "integer"))
        check_integer(r, j, format, path);
}

static void check_array(struct report *r, const cJSON *j, const cJSON *s, const char *path)
{
    if (!cJSON_IsArray(j)) {
        flag(r, path, j, "is %s; an array expected", json_type(j));
        return;
    }
    const cJSON *items = keyword(r->api, s, "items"), *el;
    int i = 0;
    cJSON_ArrayForEach(el, j)
    {
        char sub[PATH_CAP];
        snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
        if (items)
            check_value(r, el, items, sub, 0);
    }
}

/* _links: an object of strings (self, files:put). */
static void check_links(struct report *r, const cJSON *j, const char *path)
{
    if (!cJSON_IsObject(j)) {
        flag(r, path, j, "is %s; an object of strings expected", json_type(j));
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, j)
    {
        char sub[PATH_CAP];
        snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
        if (!cJSON_IsString(m))
            flag(r, sub, m, "is %s; a string expected", json_type(m));
    }
}

static int appears_before(const cJSON *obj, const cJSON *m)
{
    for (const cJSON *o = obj->child; o && o != m; o = o->next)
        if (!strcmp(o->string, m->string))
            return 1;
    return 0;
}

static void check_member(struct report *r, const cJSON *m, const cJSON *s, const char *name,
                         const char *path, int entity)
{
    const struct api *a = r->api;
    const cJSON *p = property(a, s, m->string);
    if (p) {
        /* A linked entity may be null, and so may a record's note. */
        int null_ok = is_entity(a, p) || (entity && !strcmp(m->string, "note"));
        check_value(r, m, p, path, null_ok);
        return;
    }
    const cJSON *more = keyword(a, s, "additionalProperties");
    if (cJSON_IsObject(more))
        check_value(r, m, more, path, 0);
    else if (!cJSON_IsTrue(more))
        flag(r, path, m, "is not a member of %s", name ? name : "this object");
}

static void check_required(struct report *r, const cJSON *j, const cJSON *s, const char *path)
{
    const cJSON *req, *part;
    s = deref(r->api, s, NULL);
    cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(s, "required"))
    {
        if (cJSON_IsString(req) && !cJSON_GetObjectItemCaseSensitive(j, req->valuestring))
            flag(r, path, NULL, "lacks the required member '%s'", req->valuestring);
    }
    cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
        check_required(r, j, part, path);
}

/* An object of schema s. An entity also has the _links system member. */
static void check_object(struct report *r, const cJSON *j, const cJSON *s, const char *name,
                         const char *path, int entity)
{
    if (!cJSON_IsObject(j)) {
        flag(r, path, j, "is %s; %s%s expected", json_type(j), name ? name : "an object",
             name ? " object" : "");
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, j)
    {
        char sub[PATH_CAP];
        snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
        if (appears_before(j, m))
            flag(r, sub, m, "appears twice in the object");
        else if (entity && !strcmp(m->string, "_links"))
            check_links(r, m, sub);
        else
            check_member(r, m, s, name, sub, entity);
    }
    check_required(r, j, s, path);
}

/* The concrete schema a discriminator names (CustomField -> CustomStringField),
 * s itself when j does not say, NULL (flagged) when it names an unknown one. */
static const cJSON *subtype(struct report *r, const cJSON *j, const cJSON *s, const cJSON *disc,
                            const char *path, const char **name)
{
    const char *prop =
        cJSON_IsString(disc)
            ? disc->valuestring
            : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(disc, "propertyName"));
    const char *tag = cJSON_IsObject(j) && prop
                          ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, prop))
                          : NULL;
    if (!tag)
        return s;
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(r->api->schemas, tag);
    if (!sub || !extends(r->api, sub, *name ? *name : "")) {
        flag(r, path, j, "names %s '%s', which is not a kind of %s", prop, tag,
             *name ? *name : "this object");
        return NULL;
    }
    *name = tag;
    return sub;
}

/* j against schema: $ref and allOf resolved, entities checked as records. */
static void check_value(struct report *r, const cJSON *j, const cJSON *schema, const char *path,
                        int null_ok)
{
    const struct api *a = r->api;
    const char *name;
    const cJSON *s = deref(a, schema, &name);
    if (cJSON_IsNull(j)) {
        const char *type = cJSON_GetStringValue(keyword(a, s, "type"));
        if (!null_ok && !cJSON_IsTrue(keyword(a, s, "nullable")) &&
            !cJSON_IsTrue(keyword(a, s, "x-nullable")))
            flag(r, path, j, "is null; %s expected", name ? name : type ? type : "a value");
        return;
    }
    if (is_entity(a, s)) {
        check_object(r, j, s, name, path, 1);
        return;
    }
    const cJSON *disc = keyword(a, s, "discriminator");
    if (disc && !(s = subtype(r, j, s, disc, path, &name)))
        return;
    const char *type = cJSON_GetStringValue(keyword(a, s, "type"));
    if (!type)
        return; /* any value */
    if (!strcmp(type, "object"))
        check_object(r, j, s, name, path, 0);
    else if (!strcmp(type, "array"))
        check_array(r, j, s, path);
    else
        check_scalar(r, j, s, type, path);
}

/* One record of the report's entity, at path ("$" or "$[3]"). */
static void check_record(struct report *r, const cJSON *rec, const char *path)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r->api->schemas, r->entity);
    if (!s)
        fail_msg("%s: no schema for entity %s", r->api->version, r->entity);
    check_object(r, rec, s, r->entity, path, 1);
}

static void echo_member(struct report *r, const cJSON *sent, const cJSON *got, const char *path,
                        int depth);

/* What was sent must come back: values equal, detail lines all there. */
static void check_echo(struct report *r, const cJSON *sent, const cJSON *got, const char *path,
                       int depth)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, sent)
    {
        char sub[PATH_CAP];
        snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
        echo_member(r, m, cJSON_GetObjectItemCaseSensitive(got, m->string), sub, depth);
    }
}

static void echo_member(struct report *r, const cJSON *sent, const cJSON *got, const char *path,
                        int depth)
{
    if (cJSON_IsArray(sent)) {
        int n = cJSON_GetArraySize(sent), i = 0;
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) < n) {
            flag(r, path, got, "does not hold the %d lines sent", n);
            return;
        }
        const cJSON *el;
        cJSON_ArrayForEach(el, sent)
        {
            char sub[PATH_CAP];
            snprintf(sub, sizeof(sub), "%s[%d]", path, i);
            echo_member(r, el, cJSON_GetArrayItem(got, i++), sub, depth + 1);
        }
    } else if (cJSON_IsObject(sent)) {
        /* Linked entities below the top level are not expanded: no echo. */
        if (cJSON_IsObject(got))
            check_echo(r, sent, got, path, depth + 1);
        else if (depth == 0)
            flag(r, path, got, "is not the object sent");
    } else if (!cJSON_Compare(sent, got, 1)) {
        char *text = cJSON_PrintUnformatted(sent);
        flag(r, path, got, "does not echo the %s sent", text);
        free(text);
    }
}

/* ---- the entities ---- */

struct entity_case {
    const char *name;
    const char *change;   /* string field an update changes; NULL: not written */
    const char *editable; /* $filter for a record that may be changed; NULL: any */
    /* A new record, written with ' for ", @CUSTOMER@ @ITEM@ @VENDOR@ @SOTYPE@
     * @SONBR@ (from the data) and @TAG@ (per version) filled in. */
    const char *seed;
    const char *inquiry;    /* read with PUT and this body instead of GET */
    const char *rows;       /* the inquiry's result detail: must not be empty */
    const char *list_fails; /* detail a list cannot expand ("Optimization...") */
    const char *keys[2];    /* key fields, to read by key instead */
};

static const struct entity_case entities[] = {
    {"Customer", .change = "CustomerName",
     .seed = "{'CustomerName':{'value':'Schema Check @TAG@'},"
             "'MainContact':{'Email':{'value':'schema@example.com'},"
             "'Address':{'City':{'value':'Boston'},'Country':{'value':'US'}}}}"},
    {"Contact", .change = "JobTitle",
     .seed = "{'FirstName':{'value':'Ada'},'LastName':{'value':'Schema @TAG@'}}"},
    {"CustomerLocation", .change = "LocationName",
     .seed = "{'Customer':{'value':'@CUSTOMER@'},'LocationID':{'value':'SCH@TAG@'},"
             "'LocationName':{'value':'Schema check'}}"},
    {"StockItem", .change = "Description",
     .seed = "{'InventoryID':{'value':'SCHEMA@TAG@'},'Description':{'value':'Schema check'},"
             "'DefaultPrice':{'value':12.5}}"},
    {"NonStockItem", .change = "Description",
     .seed = "{'InventoryID':{'value':'SCHSVC@TAG@'},'Description':{'value':'Schema check'}}"},
    {"Vendor", .change = "VendorName", .seed = "{'VendorName':{'value':'Schema Check @TAG@'}}"},
    {"Project", .change = "Description", .editable = "Status eq 'Active'",
     .seed = "{'ProjectID':{'value':'SCH@TAG@'},'Customer':{'value':'@CUSTOMER@'},"
             "'Description':{'value':'Schema check'}}"},
    {"SalesOrder", .change = "Description", .editable = "Status eq 'Open'",
     .seed = "{'OrderType':{'value':'SO'},'CustomerID':{'value':'@CUSTOMER@'},"
             "'Description':{'value':'Schema check'},'Details':["
             "{'InventoryID':{'value':'@ITEM@'},'OrderQty':{'value':2}},"
             "{'InventoryID':{'value':'@ITEM@'},'OrderQty':{'value':1}}]}"},
    {"SalesInvoice", .change = "Description", .editable = "Status eq 'On Hold'",
     .seed = "{'CustomerID':{'value':'@CUSTOMER@'},'Description':{'value':'Schema check'}}"},
    {"Invoice", .change = "Description", .editable = "Status eq 'On Hold'",
     .seed = "{'Customer':{'value':'@CUSTOMER@'},'Description':{'value':'Schema check'}}"},
    {"Payment", .change = "Description", .editable = "Status eq 'On Hold'",
     .seed = "{'CustomerID':{'value':'@CUSTOMER@'},'PaymentAmount':{'value':10},"
             "'Description':{'value':'Schema check'}}",
     .list_fails = "ApplicationHistory", .keys = {"Type", "ReferenceNbr"}},
    {"PurchaseOrder", .change = "Description", .editable = "Status eq 'On Hold'",
     .seed = "{'VendorID':{'value':'@VENDOR@'},'Description':{'value':'Schema check'}}"},
    {"Shipment", .change = "Description", .editable = "Status eq 'Open'",
     .seed = "{'CustomerID':{'value':'@CUSTOMER@'},'WarehouseID':{'value':'MAIN'},"
             "'Description':{'value':'Schema check'}}"},
    {"ServiceOrder", .change = "Description", .editable = "Status eq 'Open'",
     .seed = "{'Customer':{'value':'@CUSTOMER@'},'Description':{'value':'Schema check'}}"},
    {"Appointment", .change = "Description", .editable = "Status eq 'Not Started'",
     .seed = "{'ServiceOrderType':{'value':'@SOTYPE@'},'ServiceOrderNbr':{'value':'@SONBR@'},"
             "'Description':{'value':'Schema check'}}"},
    {"CustomerPriceClass", .change = "Description",
     .seed = "{'PriceClassID':{'value':'SCH@TAG@'},'Description':{'value':'Schema check'}}"},
    {"SalesPriceWorksheet", .change = "Description", .editable = "Status eq 'On Hold'",
     .seed = "{'Description':{'value':'Schema check'}}"},
    {"SalesPricesInquiry", .inquiry = "{'PriceType':{'value':'Customer Price Class'}}",
     .rows = "SalesPriceDetails"},
};
#define NENTITIES (sizeof(entities) / sizeof(entities[0]))

/* ---- talking to acusim ---- */

static struct it_sim sim;
static struct it_client cli;
static struct {
    char customer[64], item[64], vendor[64], sotype[16], sonbr[32];
} data;

/* A request under /entity/Default/<version>/. */
static void call(const struct api *a, const char *method, const char *rest, const char *body,
                 const char *const *hdrs, struct it_resp *out)
{
    char path[8192];
    snprintf(path, sizeof(path), "/entity/Default/%s/%s", a->version, rest);
    it_req(&cli, method, path, body, hdrs, out);
}

static void want_status(const struct it_resp *resp, long status, const struct api *a,
                        const char *entity, const char *what)
{
    if (resp->status != status)
        fail_msg("%s %s %s: HTTP %ld, expected %ld: %.600s", a->version, entity, what, resp->status,
                 status, resp->body ? resp->body : "");
}

static void check_list(struct report *r, const cJSON *list)
{
    const cJSON *rec;
    int i = 0;
    cJSON_ArrayForEach(rec, list)
    {
        char path[32];
        snprintf(path, sizeof(path), "$[%d]", i++);
        check_record(r, rec, path);
    }
}

/* A seed body as JSON: apostrophes made quotes, placeholders filled in
 * (caller frees). */
static char *fill(const char *tmpl, const struct api *a)
{
    char tag[8];
    snprintf(tag, sizeof(tag), "%.2s", a->version);
    const char *vars[][2] = {{"@CUSTOMER@", data.customer}, {"@ITEM@", data.item},
                             {"@VENDOR@", data.vendor},     {"@SOTYPE@", data.sotype},
                             {"@SONBR@", data.sonbr},       {"@TAG@", tag}};
    size_t nvars = sizeof(vars) / sizeof(vars[0]);
    struct es_buf b;
    es_buf_init(&b, 0);
    for (const char *p = tmpl; *p;) {
        size_t i = 0;
        while (i < nvars && strncmp(p, vars[i][0], strlen(vars[i][0])))
            i++;
        if (i < nvars) {
            es_buf_adds(&b, vars[i][1]);
            p += strlen(vars[i][0]);
        } else {
            es_buf_add(&b, *p == '\'' ? "\"" : p, 1);
            p++;
        }
    }
    return es_buf_steal(&b, NULL);
}

/* The first record's value of `field` on the newest endpoint. */
static void first_value(const char *entity, const char *filter, const char *field, char *out,
                        size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s?$top=1&$select=%s%s%s", entity, field,
             filter ? "&$filter=" : "", filter ? it_esc(filter) : "");
    struct it_resp resp;
    it_get(&cli, path, &resp);
    const char *v = it_str(cJSON_GetArrayItem(resp.json, 0), field);
    if (resp.status != 200 || !v)
        fail_msg("no %s.%s in the tiny dataset (HTTP %ld)", entity, field, resp.status);
    snprintf(out, cap, "%s", v);
    it_resp_free(&resp);
}

/* ---- reading ---- */

static void read_list(const struct api *a, const struct entity_case *e, struct report *r)
{
    char *expand = expansion(a, e->name, NULL);
    char path[8192];
    snprintf(path, sizeof(path), "%s?$top=" TOP "&$expand=%s", e->name, expand);
    free(expand);
    struct it_resp resp;
    call(a, "GET", path, NULL, NULL, &resp);
    want_status(&resp, 200, a, e->name, "GET list");
    if (!cJSON_IsArray(resp.json) || cJSON_GetArraySize(resp.json) == 0)
        fail_msg("%s %s GET list: no records to check: %.200s", a->version, e->name, resp.body);
    r->req = "GET list";
    check_list(r, resp.json);
    it_resp_free(&resp);
}

static void read_by_key(const struct api *a, const struct entity_case *e, const cJSON *rec,
                        const char *expand, struct report *r)
{
    const char *k0 = it_str(rec, e->keys[0]), *k1 = it_str(rec, e->keys[1]);
    if (!k0 || !k1)
        fail_msg("%s %s: a record without %s and %s", a->version, e->name, e->keys[0], e->keys[1]);
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s/%s?$expand=%s", e->name, it_esc(k0), it_esc(k1), expand);
    struct it_resp resp;
    call(a, "GET", path, NULL, NULL, &resp);
    want_status(&resp, 200, a, e->name, "GET by key");
    r->req = "GET by key";
    check_record(r, resp.json, "$");
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(resp.json, e->list_fails);
    if (!cJSON_IsArray(detail))
        flag(r, "$", NULL, "lacks the expanded detail %s", e->list_fails);
    it_resp_free(&resp);
}

/* Payment: expanding ApplicationHistory fails in a list, as on Acumatica;
 * the list is read without it and each record by key with everything. */
static void read_keys_only(const struct api *a, const struct entity_case *e, struct report *r)
{
    char *all = expansion(a, e->name, NULL), *bulk = expansion(a, e->name, e->list_fails);
    char path[8192];
    struct it_resp resp;
    snprintf(path, sizeof(path), "%s?$top=" TOP "&$expand=%s", e->name, all);
    call(a, "GET", path, NULL, NULL, &resp);
    want_status(&resp, 500, a, e->name, "GET list expanding everything");
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(resp.json, "exceptionMessage"));
    if (!msg || strncmp(msg, "Optimization cannot be performed", 32))
        fail_msg("%s %s: list failed without 'Optimization cannot be performed': %.300s",
                 a->version, e->name, resp.body);
    it_resp_free(&resp);
    snprintf(path, sizeof(path), "%s?$top=5&$expand=%s", e->name, bulk);
    call(a, "GET", path, NULL, NULL, &resp);
    want_status(&resp, 200, a, e->name, "GET list");
    if (cJSON_GetArraySize(resp.json) == 0)
        fail_msg("%s %s GET list: no records to check", a->version, e->name);
    r->req = "GET list";
    check_list(r, resp.json);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, resp.json) read_by_key(a, e, rec, all, r);
    it_resp_free(&resp);
    free(all);
    free(bulk);
}

static void read_inquiry(const struct api *a, const struct entity_case *e, struct report *r)
{
    char *expand = expansion(a, e->name, NULL), *body = fill(e->inquiry, a);
    char path[8192];
    snprintf(path, sizeof(path), "%s?$expand=%s", e->name, expand);
    struct it_resp resp;
    call(a, "PUT", path, body, NULL, &resp);
    free(expand);
    free(body);
    want_status(&resp, 200, a, e->name, "PUT inquiry");
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp.json, e->rows)) == 0)
        fail_msg("%s %s: the inquiry returned no %s", a->version, e->name, e->rows);
    r->req = "PUT inquiry";
    check_record(r, resp.json, "$");
    it_resp_free(&resp);
}

/* ---- writing ---- */

/* PUT body to the entity with everything expanded; check the 200 answer
 * and that it echoes what was sent. */
static void put_and_check(const struct api *a, const struct entity_case *e, const char *body,
                          const char *hdr, struct report *r)
{
    char *expand = expansion(a, e->name, NULL);
    char path[8192];
    snprintf(path, sizeof(path), "%s?$expand=%s", e->name, expand);
    free(expand);
    const char *hdrs[] = {hdr, NULL};
    struct it_resp resp;
    call(a, "PUT", path, body, hdrs, &resp);
    want_status(&resp, 200, a, e->name, r->req);
    check_record(r, resp.json, "$");
    cJSON *sent = cJSON_Parse(body);
    assert_non_null(sent);
    check_echo(r, sent, resp.json, "$", 0);
    cJSON_Delete(sent);
    it_resp_free(&resp);
}

/* The id of a record the update may change. */
static void pick_record(const struct api *a, const struct entity_case *e, char *id, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s?$top=1%s%s", e->name, e->editable ? "&$filter=" : "",
             e->editable ? it_esc(e->editable) : "");
    struct it_resp resp;
    call(a, "GET", path, NULL, NULL, &resp);
    want_status(&resp, 200, a, e->name, "GET a record to update");
    const char *v =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(resp.json, 0), "id"));
    if (!v)
        fail_msg("%s %s: no record (%s) to update", a->version, e->name,
                 e->editable ? e->editable : "any");
    snprintf(id, cap, "%s", v);
    it_resp_free(&resp);
}

/* ---- the tests ---- */

struct test_case {
    const struct api *api;
    const struct entity_case *e;
    char name[96];
};

static void swagger_is_the_official_file(void **state)
{
    const struct test_case *t = *state;
    char path[512];
    size_t len;
    reference_path(path, sizeof(path), t->api);
    char *want = slurp(path, &len);
    struct it_resp resp;
    call(t->api, "GET", "swagger.json", NULL, NULL, &resp);
    assert_int_equal(resp.status, 200);
    size_t i = 0;
    while (i < len && i < resp.len && want[i] == resp.body[i])
        i++;
    if (i < len || resp.len != len)
        fail_msg("%s swagger.json: %zu bytes, the official file %zu; first difference at %zu",
                 t->api->version, resp.len, len, i);
    it_resp_free(&resp);
    free(want);
}

static void read_conforms(void **state)
{
    const struct test_case *t = *state;
    struct report r;
    report_init(&r, t->api, t->e->name);
    if (t->e->inquiry)
        read_inquiry(t->api, t->e, &r);
    else if (t->e->list_fails)
        read_keys_only(t->api, t->e, &r);
    else
        read_list(t->api, t->e, &r);
    report_end(&r);
}

static void write_conforms(void **state)
{
    const struct test_case *t = *state;
    const struct api *a = t->api;
    struct report r;
    report_init(&r, a, t->e->name);
    char *seed = fill(t->e->seed, a);
    r.req = "PUT insert";
    put_and_check(a, t->e, seed, "If-None-Match: *", &r);
    free(seed);
    char id[64], body[512];
    pick_record(a, t->e, id, sizeof(id));
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"%s\":{\"value\":\"Schema check %s\"}}", id,
             t->e->change, a->version);
    r.req = "PUT update";
    put_and_check(a, t->e, body, "If-Match: *", &r);
    report_end(&r);
}

/* The validator itself: each bad record below must be flagged with the
 * given problem, and the good one not at all, so a silent pass of the
 * tests above means acusim conforms, not that nothing was checked. */
struct bad_record {
    int api; /* V23 or V24 */
    const char *entity;
    const char *json; /* ' for " */
    const char *problem;
};

static const struct bad_record bad_records[] = {
    {V24, "Customer", "{'id':'12345'}", "is not a UUID"},
    {V24, "Customer", "{'rowNumber':'1'}", "is a string; integer (int64) expected"},
    {V24, "Customer", "{'Bogus':{}}", "is not a member of Customer"},
    {V24, "Customer", "{'delete':true}", "is not a member of Customer"},
    {V24, "Customer", "{'CustomerName':{'value':5}}", "is a number; string expected"},
    {V24, "Customer", "{'CustomerName':{'value':null}}", "is null; string expected"},
    {V24, "Customer", "{'CustomerName':{'value':'x','text':'x'}}",
     "is not a member of StringValue"},
    {V24, "Customer", "{'CustomerName':null}", "is null; StringValue expected"},
    {V24, "Customer", "{'CustomerName':'x'}", "is a string; StringValue object expected"},
    {V24, "Customer", "{'CustomerName':{},'CustomerName':{}}", "appears twice"},
    {V24, "Customer", "{'CustomerName':{'error':1}}", "is a number; string expected"},
    {V24, "Customer", "{'CreditLimit':{'value':'12.5'}}", "is a string; number (double) expected"},
    {V24, "Customer", "{'OrderPriority':{'value':1.5}}", "is not a whole number"},
    {V24, "Customer", "{'BAccountID':{'value':3000000000}}", "out of the int32 range"},
    {V24, "Customer", "{'AutoApplyPayments':{'value':'true'}}", "is a string; boolean expected"},
    {V24, "Customer", "{'NoteID':{'value':'zz'}}", "is not a UUID"},
    {V24, "Customer", "{'LastModifiedDateTime':{'value':'2024-05-05T15:16:23.103'}}",
     "is not an ISO 8601 date-time with an offset"},
    {V24, "Customer", "{'LastModifiedDateTime':{'value':'2023-02-29T10:00:00-05:00'}}",
     "is not an ISO 8601 date-time with an offset"},
    {V24, "Customer", "{'LastModifiedDateTime':{'value':'2024-07-05T15:16:23+00:00'}}",
     "carries offset +00:00; America/New_York is at -04:00 then"},
    {V24, "Customer", "{'LastModifiedDateTime':{'value':'2024-01-05T15:16:23Z'}}",
     "carries offset +00:00; America/New_York is at -05:00 then"},
    {V24, "Customer", "{'CreatedDateTime':{'value':'2024-01-05T00:00:00-04:00'}}",
     "carries offset -04:00; America/New_York is at -05:00 then"},
    {V24, "Customer", "{'note':'text'}", "is a string; StringValue object expected"},
    {V24, "Customer", "{'error':5}", "is a number; string expected"},
    {V24, "Customer", "{'_links':{'self':1}}", "is a number; a string expected"},
    {V24, "Customer", "{'_links':[]}", "is an array; an object of strings expected"},
    {V24, "Customer", "{'MainContact':[]}", "is an array; Contact object expected"},
    {V24, "Customer", "{'MainContact':{'Nope':{}}}", "is not a member of Contact"},
    {V24, "Customer", "{'MainContact':{'Address':{'City':{'value':1}}}}", "string expected"},
    {V24, "Customer", "{'Contacts':{}}", "is an object; an array expected"},
    {V24, "Customer", "{'Contacts':[null]}", "is null; CustomerContact expected"},
    {V24, "Customer", "{'custom':{'Document':{'X':{'type':'NoSuchField','value':1}}}}",
     "not a kind of CustomField"},
    {V24, "Customer", "{'custom':{'Document':{'X':{'type':'CustomStringField','value':1}}}}",
     "is a number; string expected"},
    {V24, "Customer", "{'custom':{'Document':{'X':{}}}}", "lacks the required member 'type'"},
    {V24, "Customer", "{'files':[{'id':'x'}]}", "is not a UUID"},
    {V23, "Customer", "{'files':[{'comment':'c'}]}", "is not a member of FileLink"},
    {V24, "SalesOrder", "{'Details':[{'OrderQty':{'value':'2'}}]}", "number (double) expected"},
    {V23, "SalesInvoice", "{'BillToAddress':null}", "is not a member of SalesInvoice"},
};

static void validator_flags_bad_records(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_records) / sizeof(bad_records[0]); i++) {
        const struct bad_record *b = &bad_records[i];
        char *text = fill(b->json, &apis[b->api]);
        cJSON *j = cJSON_Parse(text);
        assert_non_null(j);
        struct report r;
        report_init(&r, &apis[b->api], b->entity);
        r.req = "self-test";
        check_record(&r, j, "$");
        if (r.n != 1 || !strstr(r.f[0].what, b->problem))
            fail_msg("%s %s: expected one finding '%s', got %zu%s%s", apis[b->api].version, text,
                     b->problem, r.n, r.n ? ": " : "", r.n ? r.f[0].what : "");
        report_clear(&r);
        cJSON_Delete(j);
        free(text);
    }
}

static void validator_passes_a_good_record(void **state)
{
    (void)state;
    char *text =
        fill("{'id':'0dad300d-c8a5-41ca-88cd-74f1376d4a49','rowNumber':1,'note':null,'error':'e',"
             "'CustomerName':{},'CustomerID':{'value':'C01','error':'bad'},"
             "'CreditLimit':{'value':25000.5},'OrderPriority':{'value':3},"
             "'AutoApplyPayments':{'value':false},"
             "'LastModifiedDateTime':{'value':'2024-05-05T15:16:23.103-04:00'},"
             "'CreatedDateTime':{'value':'2024-01-05T00:00:00-05:00'},'MainContact':null,"
             "'BillingContact':{'note':{'value':''},'Email':{'value':'a@b'},'Address':null,"
             "'custom':{}},'Contacts':[],"
             "'custom':{'Document':{'X':{'type':'CustomStringField','value':'v'}}},"
             "'files':[{'id':'0dad300d-c8a5-41ca-88cd-74f1376d4a49','filename':'a.jpg',"
             "'href':'/entity/files/0dad300d-c8a5-41ca-88cd-74f1376d4a49','comment':null}],"
             "'_links':{'self':'/x','files:put':'/y/{filename}'}}",
             &apis[V24]);
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    struct report r;
    report_init(&r, &apis[V24], "Customer");
    r.req = "self-test";
    check_record(&r, j, "$");
    report_end(&r);
    cJSON_Delete(j);
    free(text);
}

/* The offset a known summer instant has, to be sure the zone data is there. */
static void assert_zone_known(void)
{
    time_t july = 1719835200; /* 2024-07-01T12:00:00Z */
    struct tm local;
    localtime_r(&july, &local);
    if (local.tm_gmtoff != -4 * 3600)
        fail_msg("no time zone data for %s (offset %ld)", ZONE, (long)local.tm_gmtoff);
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < NAPIS; i++)
        api_load(&apis[i]);
    /* acusim must take its zone from --timezone, not from the environment. */
    setenv("TZ", "UTC", 1);
    const char *args[] = {"--dataset", "tiny", "--timezone", ZONE, NULL};
    it_sim_start(&sim, args);
    setenv("TZ", ZONE, 1);
    tzset();
    assert_zone_known();
    it_client_init(&cli, &sim);
    it_login(&cli);
    first_value("Customer", "Status eq 'Active'", "CustomerID", data.customer,
                sizeof(data.customer));
    first_value("StockItem", "ItemStatus eq 'Active'", "InventoryID", data.item, sizeof(data.item));
    first_value("Vendor", "Status eq 'Active'", "VendorID", data.vendor, sizeof(data.vendor));
    first_value("ServiceOrder", NULL, "ServiceOrderType", data.sotype, sizeof(data.sotype));
    first_value("ServiceOrder", NULL, "ServiceOrderNbr", data.sonbr, sizeof(data.sonbr));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_logout(&cli);
    it_client_dispose(&cli);
    it_sim_stop(&sim);
    for (size_t i = 0; i < NAPIS; i++)
        cJSON_Delete(apis[i].doc);
    return 0;
}

#define NTESTS (2 + NAPIS * (1 + 2 * NENTITIES))
static struct test_case cases[NTESTS];
static struct CMUnitTest tests[NTESTS];

static void add_test(size_t *n, const struct api *a, const struct entity_case *e, const char *what,
                     CMUnitTestFunction fn)
{
    struct test_case *t = &cases[*n];
    t->api = a;
    t->e = e;
    snprintf(t->name, sizeof(t->name), "%s %s%s%s", a->version, what, e ? " " : "",
             e ? e->name : "");
    tests[*n] = (struct CMUnitTest){t->name, fn, NULL, NULL, t};
    (*n)++;
}

int main(void)
{
    size_t n = 2;
    tests[0] = (struct CMUnitTest)cmocka_unit_test(validator_flags_bad_records);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(validator_passes_a_good_record);
    for (size_t v = 0; v < NAPIS; v++) {
        add_test(&n, &apis[v], NULL, "swagger.json", swagger_is_the_official_file);
        for (size_t i = 0; i < NENTITIES; i++)
            add_test(&n, &apis[v], &entities[i], "read", read_conforms);
        for (size_t i = 0; i < NENTITIES; i++)
            if (entities[i].change)
                add_test(&n, &apis[v], &entities[i], "write", write_conforms);
    }
    return _cmocka_run_group_tests("test_schema", tests, n, setup, teardown);
}
