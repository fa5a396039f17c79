/* Request bodies to records: one value per wrapper type, then whole bodies of
 * the 24.200.001 entities with their system members and model-state errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "entity.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"
#include "erpsync/timeutil.h"
#include "input.h"
#include "names.h"
#include "schema.h"
#include "support.h"

static struct sim_schema *schema;
static const struct sim_type *customer, *sales_order;

static int load_endpoint(void **state)
{
    (void)state;
    schema = ut_schema_load("24.200.001");
    if (!schema)
        return -1;
    customer = sim_schema_type(schema, "Customer");
    sales_order = sim_schema_type(schema, "SalesOrder");
    if (!customer || !sales_order)
        return -1;
    return es_tz_set("America/New_York") == 0 ? 0 : -1;
}

static int free_endpoint(void **state)
{
    (void)state;
    sim_schema_free(schema);
    return 0;
}

static uint32_t nm(const char *name)
{
    uint32_t id = sim_name_find(name, strlen(name));
    if (!id)
        fail_msg("name %s is not in the schema", name);
    return id;
}

/* ---- one value ---- */

struct value_case {
    int wt;
    const char *json;
    int ok;
    int t;         /* stored type when ok */
    const char *s; /* SV_STR: text; else NULL */
    int64_t i;     /* numbers */
};

static void converts_values_per_wrapper_type(void **state)
{
    (void)state;
    static const struct value_case cases[] = {
        /* strings, also from numbers */
        {WT_STRING, "\"C000123\"", 1, SV_STR, "C000123", 0},
        {WT_STRING, "\"\"", 1, SV_STR, "", 0},
        {WT_STRING, "\"Zürich\"", 1, SV_STR, "Zürich", 0},
        {WT_STRING, "100", 1, SV_STR, "100", 0},
        {WT_STRING, "12.5", 1, SV_STR, "12.5", 0},
        {WT_STRING, "-0.25", 1, SV_STR, "-0.25", 0},
        {WT_STRING, "123456789012", 1, SV_STR, "123456789012", 0},
        {WT_STRING, "null", 1, SV_NULL, NULL, 0},
        {WT_STRING, "{}", 0, 0, NULL, 0},
        {WT_STRING, "[\"a\"]", 0, 0, NULL, 0},
        /* decimals, from numbers and numeric strings, in millionths */
        {WT_DECIMAL, "12.5", 1, SV_DEC, NULL, 12500000},
        {WT_DECIMAL, "2200", 1, SV_DEC, NULL, 2200000000LL},
        {WT_DECIMAL, "19.99", 1, SV_DEC, NULL, 19990000},
        {WT_DECIMAL, "0.3", 1, SV_DEC, NULL, 300000},
        {WT_DECIMAL, "-0.000001", 1, SV_DEC, NULL, -1},
        {WT_DECIMAL, "1e3", 1, SV_DEC, NULL, 1000000000LL},
        {WT_DECIMAL, "\"12.50\"", 1, SV_DEC, NULL, 12500000},
        {WT_DECIMAL, "\"-3\"", 1, SV_DEC, NULL, -3000000},
        {WT_DECIMAL, "\"+3.\"", 1, SV_DEC, NULL, 3000000},
        {WT_DECIMAL, "\" 7 \"", 1, SV_DEC, NULL, 7000000},
        {WT_DECIMAL, "\".5\"", 1, SV_DEC, NULL, 500000},
        {WT_DECIMAL, "null", 1, SV_NULL, NULL, 0},
        {WT_DECIMAL, "\"abc\"", 0, 0, NULL, 0},
        {WT_DECIMAL, "\"1e3\"", 0, 0, NULL, 0},
        {WT_DECIMAL, "\"1.2.3\"", 0, 0, NULL, 0},
        {WT_DECIMAL, "\"\"", 0, 0, NULL, 0},
        {WT_DECIMAL, "\"-\"", 0, 0, NULL, 0},
        {WT_DECIMAL, "true", 0, 0, NULL, 0},
        {WT_DECIMAL, "1e13", 0, 0, NULL, 0},
        {WT_DOUBLE, "0.5", 1, SV_DEC, NULL, 500000},
        /* booleans */
        {WT_BOOL, "true", 1, SV_TRUE, NULL, 0},
        {WT_BOOL, "false", 1, SV_FALSE, NULL, 0},
        {WT_BOOL, "\"true\"", 1, SV_TRUE, NULL, 0},
        {WT_BOOL, "\"True\"", 1, SV_TRUE, NULL, 0},
        {WT_BOOL, "\"FALSE\"", 1, SV_FALSE, NULL, 0},
        {WT_BOOL, "\"1\"", 1, SV_TRUE, NULL, 0},
        {WT_BOOL, "\"0\"", 1, SV_FALSE, NULL, 0},
        {WT_BOOL, "1", 1, SV_TRUE, NULL, 0},
        {WT_BOOL, "0", 1, SV_FALSE, NULL, 0},
        {WT_BOOL, "\"yes\"", 0, 0, NULL, 0},
        {WT_BOOL, "2", 0, 0, NULL, 0},
        {WT_BOOL, "\"\"", 0, 0, NULL, 0},
        /* integers */
        {WT_INT, "42", 1, SV_INT, NULL, 42},
        {WT_INT, "-7", 1, SV_INT, NULL, -7},
        {WT_INT, "\"42\"", 1, SV_INT, NULL, 42},
        {WT_INT, "4.0", 1, SV_INT, NULL, 4},
        {WT_SHORT, "3", 1, SV_INT, NULL, 3},
        {WT_BYTE, "255", 1, SV_INT, NULL, 255},
        {WT_LONG, "10000000000000", 1, SV_INT, NULL, 10000000000000LL},
        {WT_INT, "4.5", 0, 0, NULL, 0},
        {WT_INT, "\"4.5\"", 0, 0, NULL, 0},
        {WT_INT, "\"x\"", 0, 0, NULL, 0},
        {WT_INT, "true", 0, 0, NULL, 0},
        {WT_INT, "1e300", 0, 0, NULL, 0},
        /* date-times: with an offset, without (the user's zone), a date */
        {WT_DATETIME, "\"2024-05-05T15:16:23.103-04:00\"", 1, SV_DT, NULL, 1714936583103LL},
        {WT_DATETIME, "\"2024-05-05T19:16:23.103Z\"", 1, SV_DT, NULL, 1714936583103LL},
        {WT_DATETIME, "\"2024-01-15T10:00:00\"", 1, SV_DT, NULL, 1705330800000LL},
        {WT_DATETIME, "\"2024-07-15T10:00:00\"", 1, SV_DT, NULL, 1721052000000LL},
        {WT_DATETIME, "\"2024-12-31\"", 1, SV_DT, NULL, 1735621200000LL},
        {WT_DATETIME, "\"yesterday\"", 0, 0, NULL, 0},
        {WT_DATETIME, "\"2024-02-30\"", 0, 0, NULL, 0},
        {WT_DATETIME, "1714936583103", 0, 0, NULL, 0},
        /* guids */
        {WT_GUID, "\"0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e81\"", 1, SV_STR,
         "0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e81", 0},
        {WT_GUID, "\"0B5A9C1E-1111-4A3B-9D7E-2D4B5C6A7E81\"", 1, SV_STR,
         "0B5A9C1E-1111-4A3B-9D7E-2D4B5C6A7E81", 0},
        {WT_GUID, "\"not-a-guid\"", 0, 0, NULL, 0},
        {WT_GUID, "\"0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e8g\"", 0, 0, NULL, 0},
        {WT_GUID, "\"0b5a9c1e11114a3b9d7e2d4b5c6a7e81xxxx\"", 0, 0, NULL, 0},
        {WT_GUID, "123", 0, 0, NULL, 0},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct value_case *c = &cases[i];
        cJSON *j = cJSON_Parse(c->json);
        assert_non_null(j);
        struct sim_val v;
        char msg[256] = "";
        int rc = sim_input_value(&v, &a, c->wt, j, msg, sizeof(msg));
        const char *wt = sim_wt_name(c->wt);
        if (!c->ok) {
            if (rc != ES_EINVAL)
                fail_msg("%s %s: accepted, expected a refusal", wt, c->json);
            if (!strstr(msg, "Error converting value") || !strstr(msg, wt))
                fail_msg("%s %s: message \"%s\"", wt, c->json, msg);
            cJSON_Delete(j);
            continue;
        }
        if (rc != 0)
            fail_msg("%s %s: refused: %s", wt, c->json, msg);
        if (v.t != c->t)
            fail_msg("%s %s: stored type %d, expected %d", wt, c->json, v.t, c->t);
        if (c->t == SV_STR && (v.n != strlen(c->s) || memcmp(v.u.s, c->s, v.n) != 0))
            fail_msg("%s %s: \"%.*s\", expected \"%s\"", wt, c->json, (int)v.n, v.u.s, c->s);
        if ((c->t == SV_INT || c->t == SV_DEC || c->t == SV_DT) && v.u.i != c->i)
            fail_msg("%s %s: %lld, expected %lld", wt, c->json, (long long)v.u.i, (long long)c->i);
        cJSON_Delete(j);
    }
    es_arena_dispose(&a);
}

static void refusals_quote_the_value(void **state)
{
    (void)state;
    static const struct {
        int wt;
        const char *json, *msg;
    } cases[] = {
        {WT_BOOL, "\"abc\"", "Error converting value \"abc\" to type 'BooleanValue'."},
        {WT_DECIMAL, "true", "Error converting value true to type 'DecimalValue'."},
        {WT_INT, "4.5", "Error converting value 4.5 to type 'IntValue'."},
        {WT_DATETIME, "\"later\"", "Error converting value \"later\" to type 'DateTimeValue'."},
        {WT_GUID, "\"x\"", "Error converting value \"x\" to type 'GuidValue'."},
        {WT_STRING, "{\"a\":1}", "Error converting value {\"a\":1} to type 'StringValue'."},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *j = cJSON_Parse(cases[i].json);
        struct sim_val v;
        char msg[256] = "";
        assert_int_equal(sim_input_value(&v, &a, cases[i].wt, j, msg, sizeof(msg)), ES_EINVAL);
        assert_string_equal(msg, cases[i].msg);
        cJSON_Delete(j);
    }
    /* A long value is cut at a character boundary; the message stays whole
     * (found by fuzzing: it was cut inside a character, and so was the
     * type name at its end). */
    char json[700] = "\"";
    size_t jn = 1;
    for (int k = 0; k < 150; k++) /* the euro sign, 3 bytes */
        jn += (size_t)snprintf(json + jn, sizeof(json) - jn, "\xe2\x82\xac");
    snprintf(json + jn, sizeof(json) - jn, "\"");
    for (size_t shift = 0; shift < 3; shift++) {
        cJSON *j = cJSON_Parse(json);
        memmove(j->valuestring, j->valuestring + shift, strlen(j->valuestring + shift) + 1);
        struct sim_val v;
        char msg[256] = "";
        assert_int_equal(sim_input_value(&v, &a, WT_DECIMAL, j, msg, sizeof(msg)), ES_EINVAL);
        const char *tail = " to type 'DecimalValue'.";
        assert_true(strlen(msg) > strlen(tail));
        assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
        /* whole characters: the text before the quote ends with a whole euro */
        const char *q = strstr(msg, tail);
        assert_non_null(q);
        size_t start = strlen("Error converting value \"");
        size_t body = (size_t)(q - msg) - start;
        if (shift == 0)
            assert_int_equal(body % 3, 0);
        cJSON_Delete(j);
    }
    /* A missing value is an empty one. */
    struct sim_val v;
    char msg[8];
    assert_int_equal(sim_input_value(&v, &a, WT_INT, NULL, msg, sizeof(msg)), 0);
    assert_int_equal(v.t, SV_NULL);
    es_arena_dispose(&a);
}

/* A value outside the range of its wrapper type cannot be converted:
 * ShortValue is Int16, ByteValue Byte, IntValue Int32. */
static void integers_must_fit_their_type(void **state)
{
    (void)state;
    static const struct {
        int wt;
        const char *json;
    } cases[] = {
        {WT_SHORT, "70000"}, {WT_SHORT, "-32769"},   {WT_BYTE, "256"},
        {WT_BYTE, "-1"},     {WT_INT, "2147483648"}, {WT_INT, "\"-2147483649\""},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *j = cJSON_Parse(cases[i].json);
        struct sim_val v;
        char msg[256] = "";
        int rc = sim_input_value(&v, &a, cases[i].wt, j, msg, sizeof(msg));
        if (rc != ES_EINVAL)
            fail_msg("%s %s: accepted as %lld", sim_wt_name(cases[i].wt), cases[i].json,
                     (long long)v.u.i);
        cJSON_Delete(j);
    }
    es_arena_dispose(&a);
}

/* LongValue holds 64-bit integers, sent as numbers or as strings. */
static void long_values_as_strings(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int64_t i;
    } cases[] = {
        {"\"10000000000000\"", 10000000000000LL},
        {"\"9007199254740993\"", 9007199254740993LL},
        {"\"-9223372036854775808\"", INT64_MIN},
    };
    struct es_arena a;
    es_arena_init(&a, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *j = cJSON_Parse(cases[i].json);
        struct sim_val v;
        char msg[256] = "";
        if (sim_input_value(&v, &a, WT_LONG, j, msg, sizeof(msg)))
            fail_msg("LongValue %s: %s", cases[i].json, msg);
        assert_int_equal(v.t, SV_INT);
        assert_int_equal(v.u.i, cases[i].i);
        cJSON_Delete(j);
    }
    es_arena_dispose(&a);
}

struct dec_case {
    const char *text;
    int ok;
    int64_t micros;
};

static void parses_decimal_text(void **state)
{
    (void)state;
    static const struct dec_case cases[] = {
        {"12.50", 1, 12500000},
        {"0", 1, 0},
        {"-0.5", 1, -500000},
        {"+3", 1, 3000000},
        {"100.000000", 1, 100000000},
        {"  42  ", 1, 42000000},
        {"9000000000000", 1, 9000000000000LL * 1000000},
        {"", 0, 0},
        {".", 0, 0},
        {"-", 0, 0},
        {"1.2.3", 0, 0},
        {"1e5", 0, 0},
        {"12,5", 0, 0},
        {"- 1", 0, 0},
        {"99999999999999999999", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -77;
        int rc = sim_parse_decimal(&v, cases[i].text, strlen(cases[i].text));
        if (cases[i].ok && (rc != 0 || v != cases[i].micros))
            fail_msg("'%s': rc %d value %lld", cases[i].text, rc, (long long)v);
        if (!cases[i].ok && (rc != ES_EINVAL || v != -77))
            fail_msg("'%s': rc %d value %lld, expected a refusal", cases[i].text, rc, (long long)v);
    }
    /* Only n bytes are read. */
    int64_t v;
    assert_int_equal(sim_parse_decimal(&v, "12.5xyz", 4), 0);
    assert_int_equal(v, 12500000);
}

/* ---- whole bodies ---- */

struct body {
    struct es_arena a;
    struct es_buf ms;
    cJSON *json;
    struct sim_doc *doc;
    int rc;
};

static void convert(struct body *b, const struct sim_type *t, const char *json)
{
    es_arena_init(&b->a, 0);
    es_buf_init(&b->ms, 0);
    b->json = cJSON_Parse(json);
    if (!b->json)
        fail_msg("bad test JSON: %s", json);
    b->doc = NULL;
    b->rc = sim_input_doc(&b->doc, &b->a, t, b->json, &b->ms);
}

static void dispose(struct body *b)
{
    cJSON_Delete(b->json);
    es_buf_dispose(&b->ms);
    es_arena_dispose(&b->a);
}

static void converts_bodies(void **state)
{
    (void)state;
    struct body b;
    convert(&b, customer,
            "{\"id\":\"a0f8594a-7de2-e811-b816-00155d408001\",\"rowNumber\":1,"
            "\"note\":{\"value\":\"Call first\"},"
            "\"CustomerID\":{\"value\":\"C000123\"},"
            "\"customername\":{\"value\":\"Northwind\"},"
            "\"CREDITLIMIT\":{\"value\":\"25000.50\"},"
            "\"IsGuestCustomer\":{\"value\":\"true\"},"
            "\"OrderPriority\":{\"value\":2},"
            "\"Bogus\":{\"value\":1},\"UsrColour\":{\"value\":\"Red\"},"
            "\"custom\":{\"Document\":{}},\"_links\":{\"self\":\"/x\"},"
            "\"ParentRecord\":null,"
            "\"MainContact\":{\"Email\":{\"value\":\"ap@northwind.example\"},"
            "\"Address\":{\"City\":{\"value\":\"Seattle\"}}}}");
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.ms.len, 0);
    struct sim_doc *d = b.doc;
    assert_true(sim_doc_str_eq(d, SIM_N_ID, "a0f8594a-7de2-e811-b816-00155d408001"));
    assert_true(sim_doc_str_eq(d, SIM_N_NOTE, "Call first"));
    assert_true(sim_doc_str_eq(d, nm("CustomerID"), "C000123"));
    assert_true(sim_doc_str_eq(d, nm("CustomerName"), "Northwind"));
    assert_int_equal(sim_doc_get(d, nm("CreditLimit"))->t, SV_DEC);
    assert_int_equal(sim_doc_num(d, nm("CreditLimit"), 0), 25000500000LL);
    assert_int_equal(sim_doc_bool(d, nm("IsGuestCustomer"), -1), 1);
    assert_int_equal(sim_doc_num(d, nm("OrderPriority"), 0), 2);
    /* Unknown fields, system members and nulls leave nothing behind. */
    assert_null(sim_doc_get(d, nm("ParentRecord")));
    assert_int_equal(d->n, 8);
    const struct sim_val *mc = sim_doc_get(d, nm("MainContact"));
    assert_non_null(mc);
    assert_int_equal(mc->t, SV_OBJ);
    assert_true(sim_doc_str_eq(mc->u.obj, nm("Email"), "ap@northwind.example"));
    const struct sim_val *addr = sim_doc_get(mc->u.obj, nm("Address"));
    assert_non_null(addr);
    assert_int_equal(addr->t, SV_OBJ);
    assert_true(sim_doc_str_eq(addr->u.obj, nm("City"), "Seattle"));
    dispose(&b);
    /* A note may be sent bare; a null id is no id. */
    convert(&b, customer, "{\"note\":\"plain\",\"id\":null,\"CustomerID\":{\"value\":\"C1\"}}");
    assert_int_equal(b.rc, 0);
    assert_true(sim_doc_str_eq(b.doc, SIM_N_NOTE, "plain"));
    assert_null(sim_doc_get(b.doc, SIM_N_ID));
    dispose(&b);
    /* The empty body. */
    convert(&b, customer, "{}");
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.doc->n, 0);
    dispose(&b);
}

static void converts_detail_rows(void **state)
{
    (void)state;
    struct body b;
    convert(&b, sales_order,
            "{\"OrderType\":{\"value\":\"SO\"},\"Details\":["
            "{\"id\":\"11111111-2222-3333-4444-555555555551\",\"delete\":true},"
            "{\"InventoryID\":{\"value\":\"AACOMPUT01\"},\"OrderQty\":{\"value\":2},"
            "\"note\":{\"value\":\"gift\"},\"delete\":false},"
            "{}]}");
    assert_int_equal(b.rc, 0);
    const struct sim_val *rows = sim_doc_get(b.doc, nm("Details"));
    assert_non_null(rows);
    assert_int_equal(rows->t, SV_ARR);
    assert_int_equal(rows->n, 3);
    struct sim_doc *r0 = rows->u.arr[0], *r1 = rows->u.arr[1];
    assert_true(sim_doc_str_eq(r0, SIM_N_ID, "11111111-2222-3333-4444-555555555551"));
    assert_int_equal(sim_doc_bool(r0, SIM_N_DELETE, 0), 1);
    assert_int_equal(sim_doc_bool(r1, SIM_N_DELETE, -1), -1);
    assert_true(sim_doc_str_eq(r1, nm("InventoryID"), "AACOMPUT01"));
    assert_int_equal(sim_doc_num(r1, nm("OrderQty"), 0), 2000000);
    assert_true(sim_doc_str_eq(r1, SIM_N_NOTE, "gift"));
    assert_int_equal(rows->u.arr[2]->n, 0);
    dispose(&b);
    /* An empty collection. */
    convert(&b, sales_order, "{\"Details\":[]}");
    assert_int_equal(b.rc, 0);
    assert_int_equal(sim_doc_get(b.doc, nm("Details"))->t, SV_ARR);
    assert_int_equal(sim_doc_get(b.doc, nm("Details"))->n, 0);
    dispose(&b);
}

struct model_case {
    const char *json;
    const char *state; /* model_state, exactly */
};

static void model_errors_name_the_field_path(void **state)
{
    (void)state;
    static const struct model_case cases[] = {
        {"{\"OrderTotal\":{\"value\":true}}",
         "\"entity.OrderTotal\":[\"Error converting value true to type 'DecimalValue'.\"]"},
        {"{\"ordertotal\":{\"value\":\"x\"}}",
         "\"entity.ordertotal\":[\"Error converting value \\\"x\\\" to type 'DecimalValue'.\"]"},
        {"{\"Description\":\"plain\"}",
         "\"entity.Description\":[\"Error converting value to type 'StringValue'.\"]"},
        {"{\"id\":\"123\"}", "\"entity.id\":[\"The id must be a GUID.\"]"},
        {"{\"ShipToAddress\":{\"City\":{\"value\":[1]}}}",
         "\"entity.ShipToAddress.City\":[\"Error converting value [1] to type 'StringValue'.\"]"},
        {"{\"ShipToAddress\":\"x\"}", "\"entity.ShipToAddress\":[\"An object was expected.\"]"},
        {"{\"Details\":{}}", "\"entity.Details\":[\"An array was expected.\"]"},
        {"{\"Details\":[{\"OrderQty\":{\"value\":\"x\"}},5]}",
         "\"entity.Details[0].OrderQty\":[\"Error converting value \\\"x\\\" to type "
         "'DecimalValue'.\"],\"entity.Details[1]\":[\"An object was expected.\"]"},
        {"{\"Hold\":{\"value\":\"maybe\"},\"CustomerID\":{\"value\":\"C1\"},"
         "\"Date\":{\"value\":\"soon\"}}",
         "\"entity.Hold\":[\"Error converting value \\\"maybe\\\" to type 'BooleanValue'.\"],"
         "\"entity.Date\":[\"Error converting value \\\"soon\\\" to type 'DateTimeValue'.\"]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct body b;
        convert(&b, sales_order, cases[i].json);
        if (b.rc != ES_EINVAL)
            fail_msg("%s: rc %d", cases[i].json, b.rc);
        if (strcmp(b.ms.data ? b.ms.data : "", cases[i].state) != 0)
            fail_msg("%s:\n  got  %s\n  want %s", cases[i].json, b.ms.data ? b.ms.data : "",
                     cases[i].state);
        /* The members make a JSON object once braced. */
        struct es_buf obj;
        es_buf_init(&obj, 0);
        es_buf_addf(&obj, "{%s}", b.ms.data);
        cJSON *j = cJSON_Parse(obj.data);
        assert_non_null(j);
        cJSON_Delete(j);
        es_buf_dispose(&obj);
        dispose(&b);
    }
}

static void model_state_appends(void **state)
{
    (void)state;
    /* A caller's model state already holding members gets a comma first. */
    struct es_arena a;
    es_arena_init(&a, 0);
    struct es_buf ms;
    es_buf_init(&ms, 0);
    es_buf_adds(&ms, "\"entity.x\":[\"y\"]");
    cJSON *j = cJSON_Parse("{\"OrderQty\":{\"value\":false}}");
    struct sim_doc *d;
    const struct sim_type *line = sim_schema_type(schema, "SalesOrderDetail");
    assert_non_null(line);
    assert_int_equal(sim_input_doc(&d, &a, line, j, &ms), ES_EINVAL);
    assert_string_equal(ms.data, "\"entity.x\":[\"y\"],\"entity.OrderQty\":[\"Error converting "
                                 "value false to type 'DecimalValue'.\"]");
    cJSON_Delete(j);
    es_buf_dispose(&ms);
    es_arena_dispose(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(converts_values_per_wrapper_type),
        cmocka_unit_test(refusals_quote_the_value),
        cmocka_unit_test(integers_must_fit_their_type),
        cmocka_unit_test(long_values_as_strings),
        cmocka_unit_test(parses_decimal_text),
        cmocka_unit_test(converts_bodies),
        cmocka_unit_test(converts_detail_rows),
        cmocka_unit_test(model_errors_name_the_field_path),
        cmocka_unit_test(model_state_appends),
    };
    return cmocka_run_group_tests(tests, load_endpoint, free_endpoint);
}
