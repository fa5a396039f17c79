/* The record-set mappings: every field path they name exists, with a
 * matching value type, in the official OpenAPI of both endpoint versions;
 * and JSON records map to the rows an application would expect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "erpsync/json.h"
#include "erpsync/map.h"
#include "erpsync/timeutil.h"
#include "support.h"

static struct sim_schema *schemas[2];
static const char *const versions[2] = {"23.200.001", "24.200.001"};

static int load(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++)
        if (!(schemas[i] = ut_schema_load(versions[i])))
            return -1;
    return es_tz_set("UTC");
}

static int unload(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++)
        sim_schema_free(schemas[i]);
    return 0;
}

static int type_fits(enum es_ctype t, int wt)
{
    switch (t) {
    case ES_CT_TEXT: return wt == WT_STRING || wt == WT_GUID;
    case ES_CT_DEC: return wt == WT_DECIMAL || wt == WT_DOUBLE;
    case ES_CT_INT: return wt == WT_INT || wt == WT_SHORT || wt == WT_LONG || wt == WT_BYTE;
    case ES_CT_BOOL: return wt == WT_BOOL;
    case ES_CT_TIME:
    case ES_CT_DATE: return wt == WT_DATETIME;
    }
    return 0;
}

/* The property a slash path reaches from t, or NULL (with why). */
static const struct sim_prop *walk(const struct sim_type *t, const char *path, char *why,
                                   size_t cap)
{
    const struct sim_prop *p = NULL;
    for (const char *s = path; t;) {
        size_t n = strcspn(s, "/");
        p = sim_type_prop_ci(t, s, n);
        if (!p || strncmp(p->name, s, n) || p->name[n]) {
            snprintf(why, cap, "no field '%.*s' on %s", (int)n, s, t->name);
            return NULL;
        }
        if (!s[n])
            return p;
        t = p->type;
        s += n + 1;
    }
    snprintf(why, cap, "'%s' goes through a value", path);
    return NULL;
}

static void check_path(int v, const struct sim_type *t, const char *path, int ctype,
                       const char *what)
{
    char why[200], buf[160];
    if (!strncmp(path, "@addr/", 6)) { /* the customer's address: either contact */
        snprintf(buf, sizeof(buf), "MainContact/Address/%s", path + 6);
        check_path(v, t, buf, ctype, what);
        snprintf(buf, sizeof(buf), "ShippingContact/Address/%s", path + 6);
        check_path(v, t, buf, ctype, what);
        return;
    }
    const struct sim_prop *p = walk(t, path, why, sizeof(why));
    if (!p)
        fail_msg("%s %s: %s: %s", versions[v], what, path, why);
    if (p->kind != SK_VALUE || (ctype >= 0 && !type_fits((enum es_ctype)ctype, p->wt)))
        fail_msg("%s %s: %s is %s, not the mapped type", versions[v], what, path,
                 p->kind == SK_VALUE ? sim_wt_name(p->wt) : "an entity");
}

static void check_cols(int v, const struct sim_type *t, const struct es_col *cols,
                       const char *what)
{
    for (const struct es_col *c = cols; c->name; c++)
        if (es_map_col_in(c, versions[v]))
            check_path(v, t, c->path, (int)c->type, what);
}

static void check_mapping(int v, const struct es_mapping *m)
{
    const struct sim_type *t = sim_schema_type(schemas[v], m->entity);
    if (!t)
        fail_msg("%s: no entity %s", versions[v], m->entity);
    const struct sim_type *rec = t;
    if (m->inquiry_array) {
        const struct sim_prop *arr = sim_type_prop_ci(t, m->inquiry_array, strlen(m->inquiry_array));
        assert_non_null(arr);
        assert_int_equal(arr->kind, SK_DETAIL);
        rec = arr->type;
    }
    for (int k = 0; k < m->nkeys; k++)
        check_path(v, rec, m->keys[k], m->int_key ? ES_CT_INT : ES_CT_TEXT, m->table);
    check_path(v, rec, m->modified[v], ES_CT_TIME, m->table);
    if (m->date_field)
        check_path(v, rec, m->date_field, ES_CT_TIME, m->table);
    check_cols(v, rec, m->cols, m->table);
    for (const struct es_detail *d = m->details; d && d->table; d++) {
        if (d->array) {
            const struct sim_prop *arr = sim_type_prop_ci(rec, d->array, strlen(d->array));
            if (!arr || arr->kind != SK_DETAIL)
                fail_msg("%s %s: %s is not a detail collection", versions[v], d->table, d->array);
            check_cols(v, arr->type, d->cols, d->table);
            continue;
        }
        for (const struct es_detail_obj *o = d->objs; o->kind; o++) {
            const struct sim_prop *obj = sim_type_prop_ci(rec, o->path, strlen(o->path));
            if (!obj || obj->kind != SK_LINKED)
                fail_msg("%s %s: %s is not a linked entity", versions[v], d->table, o->path);
            check_cols(v, obj->type, d->cols, d->table);
        }
    }
}

static void every_path_exists_in_both_versions(void **state)
{
    (void)state;
    int checked = 0;
    for (int s = 0; s < ES_NSETS; s++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)s);
        assert_non_null(m);
        assert_string_equal(m->table, es_set_info((enum es_set_id)s)->name);
        for (int v = 0; v < 2; v++)
            check_mapping(v, m);
        checked++;
    }
    assert_int_equal(checked, ES_NSETS);
}

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static const char *col(const struct es_mapping *m, const struct es_record *r, const char *name)
{
    for (size_t i = 0; m->cols[i].name; i++)
        if (!strcmp(m->cols[i].name, name))
            return r->row.vals[i];
    fail_msg("no column %s", name);
    return NULL;
}

static const char customer_json[] =
    "{\"id\":\"a0f8594a-7de2-e811-b816-00155d408001\",\"rowNumber\":1,\"note\":{\"value\":\"\"},"
    "\"CustomerID\":{\"value\":\"  ABARTENDE \"},\"CustomerName\":{\"value\":\"Bar & Co\"},"
    "\"CreditLimit\":{\"value\":\"1500.50\"},\"Status\":{},\"Unknown\":{\"value\":7},"
    "\"LastModifiedDateTime\":{\"value\":\"2024-03-10T01:30:00.107-05:00\"},"
    "\"CreatedDateTime\":{\"value\":\"2023-07-20T13:18:48.143+00:00\"},"
    "\"MainContact\":{\"id\":\"x\",\"Email\":{\"value\":\"ap@bar.example\"},"
    "\"Address\":{\"AddressLine1\":{\"value\":\"Bar & Co Ltd\"},\"AddressLine2\":{\"value\":\"1 Main "
    "St\"},\"City\":{\"value\":\"Kirkland\"}}},"
    "\"ShippingContact\":{\"Address\":{\"AddressLine1\":{\"value\":\"Dock 4\"},\"City\":{\"value\":"
    "\"Redmond\"}}},\"custom\":{},\"_links\":{}}";

static void maps_a_customer(void **state)
{
    (void)state;
    const struct es_mapping *m = es_map_get(ES_SET_CUSTOMERS);
    struct es_config cfg;
    es_config_defaults(&cfg);
    struct es_arena a;
    es_arena_init(&a, 0);
    cJSON *j = parse(customer_json);
    struct es_record r;
    struct es_err err = {0};
    assert_int_equal(es_map_record(&r, &a, m, "24.200.001", &cfg, j, &err), 0);
    assert_string_equal(r.erp_key, "ABARTENDE"); /* keys trimmed */
    assert_string_equal(r.erp_id, "a0f8594a-7de2-e811-b816-00155d408001");
    assert_string_equal(r.erp_modified, "2024-03-10T06:30:00.107Z"); /* UTC */
    assert_string_equal(col(m, &r, "name"), "Bar & Co");
    assert_string_equal(col(m, &r, "credit_limit"), "1500.50"); /* number as text accepted */
    assert_null(col(m, &r, "status"));                          /* {} is NULL */
    assert_string_equal(col(m, &r, "email"), "ap@bar.example");
    assert_string_equal(col(m, &r, "address_line1"), "Bar & Co Ltd");
    assert_string_equal(col(m, &r, "city"), "Kirkland");
    assert_string_equal(col(m, &r, "created_at"), "2023-07-20T13:18:48.143Z");
    /* addresses: main and shipping were sent, billing was not */
    assert_int_equal(r.ndetails, 1);
    assert_int_equal(r.details[0].n, 2);
    uint64_t plain = r.hash;

    /* The options: the ship-to address, without its first line. */
    cfg.customers.use_ship_to_address = 1;
    cfg.customers.skip_first_address_line = 1;
    assert_int_equal(es_map_record(&r, &a, m, "24.200.001", &cfg, j, &err), 0);
    assert_null(col(m, &r, "address_line1")); /* Dock 4 was line 1, line 2 is empty */
    assert_string_equal(col(m, &r, "city"), "Redmond");
    assert_true(r.hash != plain);
    cJSON_Delete(j);
    es_arena_dispose(&a);
    es_config_dispose(&cfg);
}

struct bad_case {
    const char *json, *message;
};

static void bad_values_name_the_record_and_field(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"{\"CustomerName\":{\"value\":\"x\"}}", "Customer record without its key field CustomerID"},
        {"{\"CustomerID\":{}}", "Customer record without its key field CustomerID"},
        {"{\"CustomerID\":{\"value\":\"   \"}}", "Customer record without its key field CustomerID"},
        {"{\"CustomerID\":{\"value\":\"C1\"},\"CreditLimit\":{\"value\":\"lots\"}}",
         "Customer C1: CreditLimit: \"lots\" is not a number"},
        {"{\"CustomerID\":{\"value\":\"C1\"},\"CreatedDateTime\":{\"value\":\"yesterday\"}}",
         "Customer C1: CreatedDateTime: \"yesterday\" is not a date-time"},
        {"[1,2]", "Customer: a record that is not a JSON object"},
        {"{\"CustomerID\":{\"value\":\"C1\\u0000X\"}}",
         "Customer record whose key field CustomerID holds a NUL character (\\u0000): refused,"
         " as the key cut there could be another record's"},
        {"{\"id\":\"x\\\"}\",\"CustomerID\":{\"value\":\"C1\"}}",
         "Customer C1: its id 'x\"}' is not a GUID"},
        {"{\"id\":\"0dad3013-c8a5-41ca-8300-aa8e9795698\",\"CustomerID\":{\"value\":\"C1\"}}",
         "Customer C1: its id '0dad3013-c8a5-41ca-8300-aa8e9795698' is not a GUID"},
    };
    const struct es_mapping *m = es_map_get(ES_SET_CUSTOMERS);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_arena a;
        es_arena_init(&a, 0);
        char text[256]; /* as erpsync reads every answer: NUL escapes defused */
        snprintf(text, sizeof(text), "%s", cases[i].json);
        es_json_defuse_nul(text, strlen(text));
        cJSON *j = parse(text);
        struct es_record r;
        struct es_err err = {0};
        assert_int_equal(es_map_record(&r, &a, m, "24.200.001", NULL, j, &err), ES_EINVAL);
        assert_string_equal(err.msg, cases[i].message);
        cJSON_Delete(j);
        es_arena_dispose(&a);
    }
}

static void maps_an_order_with_lines(void **state)
{
    (void)state;
    const struct es_mapping *m = es_map_get(ES_SET_SALES_ORDERS);
    struct es_arena a;
    es_arena_init(&a, 0);
    cJSON *j = parse("{\"id\":\"0dad3013-c8a5-41ca-8300-aa8e9795698f\",\"OrderType\":{\"value\":\"SO\"},\"OrderNbr\":{\"value\":\"000123\"},"
                     "\"LastModified\":{\"value\":\"2024-11-03T01:30:00-04:00\"},"
                     "\"Hold\":{\"value\":false},\"OrderTotal\":{\"value\":1234.5},"
                     "\"Details\":[{\"LineNbr\":{\"value\":1},\"OrderQty\":{\"value\":3},"
                     "\"InventoryID\":{\"value\":\"AALEGO500\"}},{\"LineNbr\":{\"value\":2}}]}");
    struct es_record r;
    struct es_err err = {0};
    assert_int_equal(es_map_record(&r, &a, m, "24.200.001", NULL, j, &err), 0);
    assert_string_equal(r.erp_key, "SO|000123");
    assert_string_equal(r.erp_modified, "2024-11-03T05:30:00.000Z");
    assert_string_equal(col(m, &r, "hold"), "0");
    assert_string_equal(col(m, &r, "order_total"), "1234.5");
    assert_int_equal(r.details[0].n, 2);
    assert_string_equal(r.details[0].rows[0].vals[0], "1");      /* line_nbr */
    assert_string_equal(r.details[0].rows[0].vals[1], "AALEGO500"); /* inventory_id */
    cJSON_Delete(j);
    es_arena_dispose(&a);
}

static void queries_select_and_expand_what_is_mapped(void **state)
{
    (void)state;
    struct es_buf b;
    es_buf_init(&b, 0);
    es_map_query(&b, es_map_get(ES_SET_SALES_ORDERS), "24.200.001", 1);
    assert_string_equal(b.data, "$select=OrderType%2COrderNbr%2CLastModified"); /* keys, time */
    es_buf_reset(&b);
    es_map_query(&b, es_map_get(ES_SET_CONTACTS), "23.200.001", 0);
    assert_non_null(strstr(b.data, "$select=ContactID%2CLastModifiedDateTime%2CContactID") == NULL
                        ? b.data
                        : NULL);
    assert_non_null(strstr(b.data, "Address%2FCity"));
    assert_non_null(strstr(b.data, "&$expand=Address"));
    es_buf_reset(&b);
    es_map_query(&b, es_map_get(ES_SET_STOCK_ITEMS), "23.200.001", 0);
    assert_non_null(strstr(b.data, "LastModified%2C")); /* 23.200.001 has no LastModifiedDateTime */
    es_buf_reset(&b);
    es_map_query(&b, es_map_get(ES_SET_STOCK_ITEMS), "24.200.001", 0);
    assert_non_null(strstr(b.data, "LastModifiedDateTime"));
    es_buf_dispose(&b);
}

/* How docs/schema.md writes a column's type. */
static const char *doc_type(enum es_ctype t)
{
    switch (t) {
    case ES_CT_TEXT: return "TEXT |";
    case ES_CT_DEC: return "NUMERIC |";
    case ES_CT_INT: return "INTEGER |";
    case ES_CT_BOOL: return "INTEGER (0/1) |";
    case ES_CT_TIME: return "TEXT (instant, UTC ISO 8601) |";
    case ES_CT_DATE: return "TEXT (date, YYYY-MM-DD) |";
    }
    return "?";
}

/* docs/schema.md documents every table and column the mappings create,
 * each with its type (dates and instants told apart). */
static void schema_doc_lists_every_column(void **state)
{
    (void)state;
    FILE *f = fopen(ES_DOCS_DIR "/schema.md", "r");
    assert_non_null(f);
    static char doc[256 * 1024];
    size_t n = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[n] = '\0';
    char want[200];
    for (int s = 0; s < ES_NSETS; s++) {
        const struct es_mapping *m = es_map_get((enum es_set_id)s);
        if (!m)
            continue;
        snprintf(want, sizeof(want), "### %s\n", m->table);
        const char *sec = strstr(doc, want);
        if (!sec)
            fail_msg("docs/schema.md has no section for %s", m->table);
        const char *end = strstr(sec + 4, "\n### ");
        for (const struct es_col *c = m->cols; c->name; c++) {
            snprintf(want, sizeof(want), "| %s | %s", c->name, doc_type(c->type));
            const char *at = strstr(sec, want);
            if (!at || (end && at > end))
                fail_msg("docs/schema.md: no line '%s' for %s", want, m->table);
        }
        for (const struct es_detail *d = m->details; d && d->table; d++) {
            snprintf(want, sizeof(want), "**%s**", d->table);
            const char *at = strstr(sec, want);
            if (!at || (end && at > end))
                fail_msg("docs/schema.md: detail table %s is not documented", d->table);
            for (const struct es_col *c = d->cols; c->name; c++) {
                snprintf(want, sizeof(want), "| %s | %s", c->name, doc_type(c->type));
                if (!strstr(at, want))
                    fail_msg("docs/schema.md: no line '%s' for %s", want, d->table);
            }
        }
    }
}

/* Numbers are written exactly as printf writes them ("%.15g", or "%.0f"
 * for whole ones): stored values and record hashes must not change. */
static void numbers_are_written_as_printf_writes_them(void **state)
{
    (void)state;
    static const double fixed[] = {0,      1,       -1,      12.5,    0.1,    0.3,    1234.56,
                                   1e-4,   9.9e-5,  1e15,    1e15 - 1, 123456789012345.0,
                                   0.1 + 0.2, 2.675, 1.005, -0.0,   100.000001, 7e-4,
                                   9007199254740991.0, 9007199254740993.0, 1e22, 25000};
    uint64_t x = 88172645463325252ull; /* xorshift: reproducible */
    for (int i = 0; i < 200000; i++) {
        double d;
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            d = fixed[i];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int cents = i % 3; /* prices, quantities, anything */
            d = cents == 0   ? (double)(int64_t)(x % 100000000) / 100.0
                : cents == 1 ? (double)(int64_t)(x % 1000000) / (double)(1 + x % 1000)
                             : (double)(x % 1000) * (double)(1 + (x >> 40) % 100000);
            if (x & 1)
                d = -d;
        }
        for (int integral = 0; integral < 2; integral++) {
            if (integral && d != floor(d))
                continue;
            char want[64], got[64];
            snprintf(want, sizeof(want), integral ? "%.0f" : "%.15g", d);
            size_t n = es_map_number_text(got, sizeof(got), d, integral);
            if (strcmp(want, got) || n != strlen(want))
                fail_msg("%.17g (%s): printf %s, ours %s", d, integral ? "%.0f" : "%.15g", want,
                         got);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_path_exists_in_both_versions),
        cmocka_unit_test(maps_a_customer),
        cmocka_unit_test(bad_values_name_the_record_and_field),
        cmocka_unit_test(maps_an_order_with_lines),
        cmocka_unit_test(queries_select_and_expand_what_is_mapped),
        cmocka_unit_test(schema_doc_lists_every_column),
        cmocka_unit_test(numbers_are_written_as_printf_writes_them),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
