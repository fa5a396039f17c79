/* $select/$expand parsing against the 24.200.001 entities, and records
 * rendered as the contract API shows them. */
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
#include "names.h"
#include "render.h"
#include "schema.h"
#include "support.h"
#include "sel.h"

#define BASE "/AcumaticaERP/entity/Default/24.200.001/"
#define NOTE_ID "a0f8594a-7de2-e811-b816-00155d408001"

static struct sim_schema *schema;
static struct sim_entity *customer, *sales_order, *stock_item;

static int load_endpoint(void **state)
{
    (void)state;
    schema = ut_schema_load("24.200.001");
    if (!schema)
        return -1;
    customer = ut_bind(schema, "Customer");
    sales_order = ut_bind(schema, "SalesOrder");
    stock_item = ut_bind(schema, "StockItem");
    if (!customer || !sales_order || !stock_item)
        return -1;
    /* The API user's zone: EST in winter, EDT in summer. */
    return es_tz_set("America/New_York") == 0 ? 0 : -1;
}

static int free_endpoint(void **state)
{
    (void)state;
    sim_entity_free(customer);
    sim_entity_free(sales_order);
    sim_entity_free(stock_item);
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

/* ---- $select / $expand ---- */

static struct sim_sel *parse_ok(struct es_arena *a, const struct sim_type *t, const char *select,
                                const char *expand)
{
    struct es_err err = {0};
    struct sim_sel *s = NULL;
    if (sim_sel_parse(&s, a, t, select, expand, &err))
        fail_msg("$select=%s $expand=%s: %s", select ? select : "", expand ? expand : "", err.msg);
    return s;
}

static const struct sim_sel *kid(const struct sim_sel *s, const struct sim_type *t,
                                 const char *name)
{
    return sim_sel_kid(s, sim_type_prop_ci(t, name, strlen(name)));
}

static void no_options_show_every_field_and_nothing_nested(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    const struct sim_type *t = customer->type;
    struct sim_sel *s = parse_ok(&a, t, NULL, NULL);
    assert_true(s->all);
    assert_false(s->touched);
    assert_int_equal(s->nkids, 0);
    assert_false(s->files);
    s = parse_ok(&a, t, "", "");
    assert_true(s->all);
    assert_int_equal(s->nkids, 0);
    es_arena_dispose(&a);
}

static void expand_builds_nested_levels(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    const struct sim_type *t = customer->type;
    const struct sim_type *contact = sim_schema_type(schema, "Contact");
    struct sim_sel *s = parse_ok(&a, t, NULL, "MainContact,MainContact/Address,Contacts,files");
    assert_true(s->all);
    assert_true(s->files);
    assert_int_equal(s->nkids, 2);
    const struct sim_sel *mc = kid(s, t, "MainContact");
    assert_non_null(mc);
    assert_true(mc->all);
    assert_true(sim_sel_kid_shown(s, mc));
    const struct sim_sel *addr = kid(mc, contact, "Address");
    assert_non_null(addr);
    assert_true(sim_sel_kid_shown(mc, addr));
    assert_non_null(kid(s, t, "Contacts"));
    assert_null(kid(s, t, "BillingContact"));
    /* A nested path alone expands its parents; names are case-insensitive;
     * files of a detail. */
    s = parse_ok(&a, sales_order->type, NULL, "details/files, shiptoaddress");
    const struct sim_sel *det = kid(s, sales_order->type, "Details");
    assert_non_null(det);
    assert_true(det->files);
    assert_false(s->files);
    assert_non_null(kid(s, sales_order->type, "ShipToAddress"));
    s = parse_ok(&a, t, NULL, "MainContact/Address");
    assert_non_null(kid(kid(s, t, "MainContact"), contact, "Address"));
    es_arena_dispose(&a);
}

struct sel_error_case {
    const char *select, *expand;
    const char *msg;
};

static void unknown_names_are_errors(void **state)
{
    (void)state;
    static const struct sel_error_case cases[] = {
        {NULL, "Bogus", "$expand: 'Bogus' is not a linked or detail entity of Customer"},
        {NULL, "CustomerName",
         "$expand: 'CustomerName' is not a linked or detail entity of Customer"},
        {NULL, "MainContact/Bogus", "$expand: 'Bogus' is not a linked or detail entity of Contact"},
        {NULL, "MainContact/Email", "$expand: 'Email' is not a linked or detail entity of Contact"},
        {NULL, "MainContact,Bogus", "'Bogus'"},
        {"Bogus", NULL, "$select: 'Bogus' is not a field of Customer"},
        {"CustomerID,Bogus", NULL, "$select: 'Bogus' is not a field of Customer"},
        {"CustomerID/Foo", NULL, "$select: 'CustomerID' of Customer has no fields"},
        {"MainContact/Bogus", "MainContact", "$select: 'Bogus' is not a field of Contact"},
        {"MainContact/Address/Town", "MainContact/Address",
         "$select: 'Town' is not a field of Address"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_arena a;
        es_arena_init(&a, 0);
        struct es_err err = {0};
        struct sim_sel *s = NULL;
        int rc = sim_sel_parse(&s, &a, customer->type, cases[i].select, cases[i].expand, &err);
        if (rc != ES_EINVAL || !strstr(err.msg, cases[i].msg))
            fail_msg("$select=%s $expand=%s: rc %d, \"%s\", expected \"%s\"",
                     cases[i].select ? cases[i].select : "", cases[i].expand ? cases[i].expand : "",
                     rc, err.msg, cases[i].msg);
        assert_null(s);
        es_arena_dispose(&a);
    }
}

static void select_narrows_each_level(void **state)
{
    (void)state;
    struct es_arena a;
    es_arena_init(&a, 0);
    const struct sim_type *t = customer->type;
    const struct sim_type *contact = sim_schema_type(schema, "Contact");
    /* Top level: only the fields named, whatever their case and spacing. */
    struct sim_sel *s = parse_ok(&a, t, "customerid, CustomerName ,custom,files", NULL);
    assert_false(s->all);
    assert_true(s->touched);
    assert_int_equal(s->nfields, 2);
    assert_true(sim_sel_has_field(s, nm("CustomerID")));
    assert_true(sim_sel_has_field(s, nm("CustomerName")));
    assert_false(sim_sel_has_field(s, nm("CreditLimit")));
    sim_sel_add_field(s, &a, nm("CreditLimit"));
    sim_sel_add_field(s, &a, nm("CreditLimit"));
    assert_int_equal(s->nfields, 3);
    assert_true(sim_sel_has_field(s, nm("CreditLimit")));
    /* Expanded but not selected: not shown. */
    s = parse_ok(&a, t, "CustomerID", "MainContact");
    assert_false(sim_sel_kid_shown(s, kid(s, t, "MainContact")));
    /* Selected as a whole: every field of it. */
    s = parse_ok(&a, t, "CustomerID,MainContact", "MainContact");
    const struct sim_sel *mc = kid(s, t, "MainContact");
    assert_true(sim_sel_kid_shown(s, mc));
    assert_true(mc->all);
    /* A field inside: only that field there; a level where no value field
     * is named stays whole. */
    s = parse_ok(&a, t, "MainContact/Email", "MainContact,MainContact/Address");
    assert_true(s->all);
    assert_true(s->touched);
    assert_int_equal(s->nfields, 0);
    mc = kid(s, t, "MainContact");
    assert_true(sim_sel_kid_shown(s, mc));
    assert_false(mc->all);
    assert_int_equal(mc->nfields, 1);
    assert_true(sim_sel_has_field(mc, nm("Email")));
    assert_false(sim_sel_kid_shown(mc, kid(mc, contact, "Address")));
    s = parse_ok(&a, t, "CustomerID,MainContact/Email", "MainContact");
    assert_false(s->all);
    assert_int_equal(s->nfields, 1);
    assert_true(sim_sel_kid_shown(s, kid(s, t, "MainContact")));
    /* Two levels down. */
    s = parse_ok(&a, t, "MainContact/Address/City", "MainContact/Address");
    mc = kid(s, t, "MainContact");
    const struct sim_sel *addr = kid(mc, contact, "Address");
    assert_true(sim_sel_kid_shown(s, mc));
    assert_true(sim_sel_kid_shown(mc, addr));
    assert_false(addr->all);
    assert_true(sim_sel_has_field(addr, nm("City")));
    /* A nested path whose entity is not expanded shows nothing. */
    s = parse_ok(&a, t, "CustomerID,MainContact/Email", NULL);
    assert_int_equal(s->nkids, 0);
    assert_int_equal(s->nfields, 1);
    es_arena_dispose(&a);
}

/* ---- rendering ---- */

struct out {
    struct es_arena a;
    struct es_buf b;
};

static const struct sim_meta meta = {NOTE_ID, 1721053800000LL, 1705332600120LL};

static const char *render(struct out *o, const struct sim_entity *e, const struct sim_doc *d,
                          const char *select, const char *expand, uint32_t row)
{
    struct sim_sel *s = parse_ok(&o->a, e->type, select, expand);
    struct sim_render r = {&o->b, e, BASE};
    es_buf_reset(&o->b);
    sim_render_record(&r, d, &meta, s, NULL, row);
    /* Whatever else is checked, the output is JSON. */
    cJSON *j = cJSON_Parse(o->b.data);
    if (!j)
        fail_msg("not JSON: %s", o->b.data);
    cJSON_Delete(j);
    return o->b.data;
}

static void expect(const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("\n  got  %s\n  want %s", got, want);
}

static void wraps_values_in_acumatica_order(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct es_arena *a = &o.a;
    struct sim_doc *d = sim_doc_new(a);
    sim_doc_set_str(a, d, nm("CustomerID"), "C000123");
    sim_doc_set_str(a, d, nm("CustomerName"), "Northwind Traders");
    sim_doc_set_int(a, d, nm("CreditLimit"), SV_DEC, 25000 * SIM_DEC_SCALE);
    sim_doc_set_str(a, d, nm("ParentRecord"), NULL);
    sim_doc_set_bool(a, d, nm("IsGuestCustomer"), 0);
    sim_doc_set_bool(a, d, nm("AutoApplyPayments"), 1);
    sim_doc_set_int(a, d, nm("OrderPriority"), SV_INT, 3);
    sim_doc_set_int(a, d, nm("BAccountID"), SV_INT, -42);
    /* The record's system values win over stale copies in the body. */
    sim_doc_set_int(a, d, nm("LastModifiedDateTime"), SV_DT, 0);
    sim_doc_set_str(a, d, nm("NoteID"), "00000000-0000-0000-0000-000000000000");
    sim_doc_set_str(a, d, SIM_N_NOTE, "Call first");
    const char *got = render(&o, customer, d,
                             "ParentRecord,OrderPriority,NoteID,LastModifiedDateTime,"
                             "IsGuestCustomer,Email,CustomerName,CustomerID,CreditLimit,"
                             "CreatedDateTime,BAccountID,AutoApplyPayments",
                             NULL, 1);
    expect(got, "{\"id\":\"" NOTE_ID "\",\"rowNumber\":1,\"note\":{\"value\":\"Call first\"},"
                "\"AutoApplyPayments\":{\"value\":true},"
                "\"BAccountID\":{\"value\":-42},"
                "\"CreatedDateTime\":{\"value\":\"2024-07-15T10:30:00-04:00\"},"
                "\"CreditLimit\":{\"value\":25000},"
                "\"CustomerID\":{\"value\":\"C000123\"},"
                "\"CustomerName\":{\"value\":\"Northwind Traders\"},"
                "\"Email\":{},"
                "\"IsGuestCustomer\":{\"value\":false},"
                "\"LastModifiedDateTime\":{\"value\":\"2024-01-15T10:30:00.12-05:00\"},"
                "\"NoteID\":{\"value\":\"" NOTE_ID "\"},"
                "\"OrderPriority\":{\"value\":3},"
                "\"ParentRecord\":{},"
                "\"custom\":{},"
                "\"_links\":{\"self\":\"" BASE "Customer/" NOTE_ID "\","
                "\"files:put\":\"" BASE "files/PX.Objects.AR.CustomerMaint/BAccount/" NOTE_ID
                "/{filename}\"}}");
    /* rowNumber is the caller's; with no note the note is empty. */
    sim_doc_del(d, SIM_N_NOTE);
    got = render(&o, customer, d, "CustomerID", NULL, 7);
    expect(got, "{\"id\":\"" NOTE_ID "\",\"rowNumber\":7,\"note\":{\"value\":\"\"},"
                "\"CustomerID\":{\"value\":\"C000123\"},\"custom\":{},"
                "\"_links\":{\"self\":\"" BASE "Customer/" NOTE_ID "\","
                "\"files:put\":\"" BASE "files/PX.Objects.AR.CustomerMaint/BAccount/" NOTE_ID
                "/{filename}\"}}");
    /* $expand=files lists attachments. */
    got = render(&o, customer, d, "CustomerID", "files", 1);
    assert_non_null(strstr(got, "{filename}\"},\"files\":[]}"));
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

static void order_is_case_insensitive(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct es_arena *a = &o.a;
    struct sim_doc *d = sim_doc_new(a);
    sim_doc_set_str(a, d, nm("OrderType"), "SO");
    sim_doc_set_str(a, d, nm("OrderNbr"), "000001");
    sim_doc_set_int(a, d, nm("OrderedQty"), SV_DEC, 2 * SIM_DEC_SCALE);
    sim_doc_set_int(a, d, nm("OrderTotal"), SV_DEC, 2200 * SIM_DEC_SCALE);
    const char *got =
        render(&o, sales_order, d, "OrderType,OrderTotal,OrderNbr,OrderedQty", NULL, 1);
    const char *qty = strstr(got, "\"OrderedQty\"");
    const char *nbr = strstr(got, "\"OrderNbr\"");
    const char *total = strstr(got, "\"OrderTotal\"");
    const char *type = strstr(got, "\"OrderType\"");
    assert_non_null(qty);
    assert_non_null(nbr);
    assert_non_null(total);
    assert_non_null(type);
    assert_true(qty < nbr && nbr < total && total < type);
    assert_non_null(strstr(got, "\"OrderTotal\":{\"value\":2200}"));
    assert_non_null(
        strstr(got, "\"files:put\":\"" BASE "files/PX.Objects.SO.SOOrderEntry/Document/"));
    /* Upper-case runs sort as letters too: Markup, MinCost, MSRP. */
    d = sim_doc_new(a);
    sim_doc_set_int(a, d, nm("MSRP"), SV_DEC, 1);
    sim_doc_set_int(a, d, nm("Markup"), SV_DEC, 2);
    sim_doc_set_int(a, d, nm("MinCost"), SV_DEC, 3);
    got = render(&o, stock_item, d, "MSRP,MinCost,Markup", NULL, 1);
    assert_non_null(strstr(got, "\"Markup\":{\"value\":0.000002},\"MinCost\":{\"value\":0.000003},"
                                "\"MSRP\":{\"value\":0.000001}"));
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

struct dec_case {
    int64_t micros;
    const char *text;
};

static void formats_decimals(void **state)
{
    (void)state;
    static const struct dec_case cases[] = {
        {0, "0"},
        {2200 * SIM_DEC_SCALE, "2200"},
        {12500000, "12.5"},
        {1, "0.000001"},
        {10, "0.00001"},
        {123456789, "123.456789"},
        {100 * SIM_DEC_SCALE, "100"},
        {-12500000, "-12.5"},
        {-1, "-0.000001"},
        {-500000, "-0.5"},
        {INT64_MAX, "9223372036854.775807"},
        {INT64_MIN, "-9223372036854.775808"},
    };
    struct es_buf b;
    es_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_buf_reset(&b);
        es_buf_adds(&b, "x=");
        sim_put_decimal(&b, cases[i].micros);
        if (strcmp(b.data + 2, cases[i].text) != 0)
            fail_msg("%lld millionths: \"%s\", expected \"%s\"", (long long)cases[i].micros,
                     b.data + 2, cases[i].text);
    }
    es_buf_dispose(&b);
}

struct dt_case {
    int64_t ms;
    int with_offset;
    const char *text;
};

static void formats_datetimes_in_the_users_zone(void **state)
{
    (void)state;
    static const struct dt_case cases[] = {
        {1705332600120LL, 1, "2024-01-15T10:30:00.12-05:00"}, /* winter: EST */
        {1721053800000LL, 1, "2024-07-15T10:30:00-04:00"},    /* summer: EDT */
        {1714936583103LL, 1, "2024-05-05T15:16:23.103-04:00"},
        {1714936583100LL, 1, "2024-05-05T15:16:23.1-04:00"},
        {1714936583005LL, 1, "2024-05-05T15:16:23.005-04:00"},
        {1714936583050LL, 1, "2024-05-05T15:16:23.05-04:00"},
        {1714936583103LL, 0, "2024-05-05T15:16:23.103"},
        {0, 1, "1969-12-31T19:00:00-05:00"},
        /* Either side of the November 2024 fall-back (06:00 UTC). */
        {1730613599999LL, 1, "2024-11-03T01:59:59.999-04:00"},
        {1730613600000LL, 1, "2024-11-03T01:00:00-05:00"},
        /* Either side of the March 2024 spring-forward (07:00 UTC). */
        {1710053999000LL, 1, "2024-03-10T01:59:59-05:00"},
        {1710054000000LL, 1, "2024-03-10T03:00:00-04:00"},
    };
    struct es_buf b;
    es_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        es_buf_reset(&b);
        sim_put_datetime(&b, cases[i].ms, cases[i].with_offset);
        if (strcmp(b.data, cases[i].text) != 0)
            fail_msg("%lld: \"%s\", expected \"%s\"", (long long)cases[i].ms, b.data,
                     cases[i].text);
        assert_int_equal(b.len, strlen(cases[i].text));
    }
    assert_int_equal(sim_offset_at(1705332600120LL), -300);
    assert_int_equal(sim_offset_at(1721053800000LL), -240);
    es_buf_dispose(&b);
}

static void escapes_strings(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct sim_doc *d = sim_doc_new(&o.a);
    static const char name[] = "Tab\there \"q\" back\\slash\n\x01 Zürich/東京";
    sim_doc_set_strn(&o.a, d, nm("CustomerName"), name, sizeof(name) - 1);
    const char *got = render(&o, customer, d, "CustomerName", NULL, 1);
    assert_non_null(strstr(got, "\"CustomerName\":{\"value\":\"Tab\\there \\\"q\\\" "
                                "back\\\\slash\\n\\u0001 Zürich/東京\"}"));
    /* The parsed value is the original string. */
    cJSON *j = cJSON_Parse(got);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "CustomerName"), "value");
    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, name);
    cJSON_Delete(j);
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

static struct sim_doc *with_main_contact(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    sim_doc_set_str(a, d, nm("CustomerID"), "C000123");
    struct sim_val *v = sim_doc_set(a, d, nm("MainContact"));
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(a);
    struct sim_doc *mc = v->u.obj;
    sim_doc_set_str(a, mc, SIM_N_ID, "0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e81");
    sim_doc_set_str(a, mc, nm("Phone1"), "555-0100");
    sim_doc_set_str(a, mc, nm("Email"), "ap@northwind.example");
    v = sim_doc_set(a, mc, nm("Address"));
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(a);
    sim_doc_set_str(a, v->u.obj, nm("City"), "Seattle");
    sim_doc_set_str(a, v->u.obj, nm("Country"), "US");
    return d;
}

static void linked_entities_show_their_fields(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct sim_doc *d = with_main_contact(&o.a);
    /* The whole linked entity: a customer's MainContact shows the fields it
     * maps of the Contact type, {} when empty, sorted; no links. */
    const char *got = render(&o, customer, d, "CustomerID,MainContact", "MainContact", 1);
    const char *mc = strstr(got, "\"CustomerID\":{\"value\":\"C000123\"},\"MainContact\":{"
                                 "\"id\":\"0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e81\","
                                 "\"rowNumber\":1,\"note\":null,");
    assert_non_null(mc);
    const char *email = strstr(mc, "\"Email\":{\"value\":\"ap@northwind.example\"},");
    const char *fax = strstr(mc, "\"Fax\":{},");
    const char *phone = strstr(mc, "\"Phone1\":{\"value\":\"555-0100\"},");
    assert_non_null(email);
    assert_non_null(fax);
    assert_non_null(phone);
    assert_true(email < fax && fax < phone);
    assert_non_null(strstr(mc, "\"DisplayName\":{},"));
    /* Fields of Contact a MainContact does not map are not shown. */
    assert_null(strstr(got, "\"DoNotCall\""));
    assert_null(strstr(got, "\"Activities\""));
    /* Not expanded inside it: no Address. */
    assert_null(strstr(got, "\"Address\""));
    assert_null(strstr(got, "Seattle"));
    /* One field named inside, one named but empty, and a nested entity. */
    got = render(&o, customer, d, "MainContact/Email,MainContact/Fax,MainContact/Address/City",
                 "MainContact,MainContact/Address", 1);
    assert_non_null(strstr(got, "\"MainContact\":{"
                                "\"id\":\"0b5a9c1e-1111-4a3b-9d7e-2d4b5c6a7e81\",\"rowNumber\":1,"
                                "\"note\":null,\"Address\":{\"rowNumber\":1,\"note\":null,"
                                "\"City\":{\"value\":\"Seattle\"},\"custom\":{}},"
                                "\"Email\":{\"value\":\"ap@northwind.example\"},\"Fax\":{},"
                                "\"custom\":{}},"));
    /* No value field named at the top: the top level is whole. */
    assert_non_null(strstr(got, "\"CustomerID\":{\"value\":\"C000123\"}"));
    assert_null(strstr(got, "Phone1"));
    assert_null(strstr(got, "Country"));
    /* Not expanded: not there, even with every top-level field. */
    got = render(&o, customer, d, NULL, NULL, 1);
    assert_null(strstr(got, "MainContact"));
    assert_non_null(strstr(got, "\"AccountRef\":{},"));
    assert_non_null(strstr(got, "\"CustomerID\":{\"value\":\"C000123\"}"));
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

/* A linked entity the record holds nothing for is still answered, empty,
 * with an id that stays the same for the record. */
static void empty_linked_entities_get_a_stable_id(void **state)
{
    (void)state;
    enum {
        BC_ID = sizeof("\"BillingContact\":{\"id\":\"") - 1,
        SC_ID = sizeof("\"ShippingContact\":{\"id\":\"") - 1
    };
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct sim_doc *d = sim_doc_new(&o.a);
    sim_doc_set_str(&o.a, d, nm("CustomerID"), "C000124");
    const char *got = render(&o, customer, d, "CustomerID,BillingContact", "BillingContact", 1);
    const char *bc = strstr(got, "\"BillingContact\":{\"id\":\"");
    assert_non_null(bc);
    char id[37];
    memcpy(id, bc + BC_ID, 36);
    id[36] = '\0';
    assert_int_equal(bc[BC_ID + 36], '"');
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(id[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", id[i]));
    }
    assert_non_null(strstr(bc, "\"rowNumber\":1,\"note\":null,"));
    assert_non_null(strstr(bc, "\"Email\":{},"));
    /* The same record renders the same id; another linked entity another. */
    got = render(&o, customer, d, "CustomerID,BillingContact,ShippingContact",
                 "BillingContact,ShippingContact", 1);
    bc = strstr(got, "\"BillingContact\":{\"id\":\"");
    assert_non_null(bc);
    assert_memory_equal(bc + BC_ID, id, 36);
    const char *sc = strstr(got, "\"ShippingContact\":{\"id\":\"");
    assert_non_null(sc);
    assert_memory_not_equal(sc + SC_ID, id, 36);
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

static struct sim_doc *order_with_lines(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    sim_doc_set_str(a, d, nm("OrderType"), "SO");
    sim_doc_set_str(a, d, nm("OrderNbr"), "000042");
    static const char *const ids[] = {"11111111-2222-3333-4444-555555555551",
                                      "11111111-2222-3333-4444-555555555552"};
    for (int i = 0; i < 2; i++) {
        struct sim_doc *row = sim_doc_push(a, d, nm("Details"));
        sim_doc_set_str(a, row, SIM_N_ID, ids[i]);
        sim_doc_set_str(a, row, nm("InventoryID"), i ? "CONSULT" : "AACOMPUT01");
        sim_doc_set_int(a, row, nm("OrderQty"), SV_DEC, (i + 1) * 2500000LL);
        sim_doc_set_str(a, row, nm("LineDescription"), "x");
    }
    return d;
}

static void detail_rows_have_their_own_members(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct sim_doc *d = order_with_lines(&o.a);
    const char *got =
        render(&o, sales_order, d, "OrderType,OrderNbr,Details/InventoryID,Details/OrderQty",
               "Details", 1);
    expect(got,
           "{\"id\":\"" NOTE_ID "\",\"rowNumber\":1,\"note\":{\"value\":\"\"},"
           "\"Details\":["
           "{\"id\":\"11111111-2222-3333-4444-555555555551\",\"rowNumber\":1,"
           "\"note\":{\"value\":\"\"},\"InventoryID\":{\"value\":\"AACOMPUT01\"},"
           "\"OrderQty\":{\"value\":2.5},\"custom\":{},\"_links\":{\"files:put\":\"" BASE
           "files/PX.Objects.SO.SOOrderEntry/Transactions/11111111-2222-3333-4444-555555555551/"
           "{filename}\"}},"
           "{\"id\":\"11111111-2222-3333-4444-555555555552\",\"rowNumber\":2,"
           "\"note\":{\"value\":\"\"},\"InventoryID\":{\"value\":\"CONSULT\"},"
           "\"OrderQty\":{\"value\":5},\"custom\":{},\"_links\":{\"files:put\":\"" BASE
           "files/PX.Objects.SO.SOOrderEntry/Transactions/11111111-2222-3333-4444-555555555552/"
           "{filename}\"}}],"
           "\"OrderNbr\":{\"value\":\"000042\"},\"OrderType\":{\"value\":\"SO\"},\"custom\":{},"
           "\"_links\":{\"self\":\"" BASE "SalesOrder/" NOTE_ID "\",\"files:put\":\"" BASE
           "files/PX.Objects.SO.SOOrderEntry/Document/" NOTE_ID "/{filename}\"}}");
    /* Every field of the rows without $select; files of the rows. */
    got = render(&o, sales_order, d, NULL, "Details/files", 1);
    assert_non_null(strstr(got, "\"LineDescription\":{\"value\":\"x\"}"));
    assert_non_null(strstr(got, "\"UnitPrice\":{}"));
    assert_non_null(strstr(got, "/{filename}\"},\"files\":[]},{\"id\":"));
    /* Not expanded: no rows. */
    got = render(&o, sales_order, d, NULL, NULL, 1);
    assert_null(strstr(got, "Details"));
    /* An empty collection renders as []. */
    struct sim_doc *none = sim_doc_new(&o.a);
    sim_doc_set_str(&o.a, none, nm("OrderNbr"), "000043");
    got = render(&o, sales_order, none, "OrderNbr,Details", "Details", 1);
    assert_non_null(strstr(got, "\"Details\":[],\"OrderNbr\""));
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

static void rows_without_a_view_get_no_files_link(void **state)
{
    (void)state;
    struct out o;
    es_arena_init(&o.a, 0);
    es_buf_init(&o.b, 0);
    struct es_arena *a = &o.a;
    struct sim_doc *d = sim_doc_new(a);
    struct sim_doc *row = sim_doc_push(a, d, nm("Contacts"));
    sim_doc_set_str(a, row, SIM_N_ID, "22222222-2222-3333-4444-555555555551");
    sim_doc_set_int(a, row, nm("ContactID"), SV_INT, 100073);
    row = sim_doc_push(a, d, nm("Attributes"));
    sim_doc_set_str(a, row, SIM_N_ID, "33333333-2222-3333-4444-555555555551");
    sim_doc_set_str(a, row, nm("AttributeID"), "COLOR");
    const char *got = render(&o, customer, d, "Contacts/ContactID,Attributes/AttributeID",
                             "Contacts,Attributes", 1);
    /* Attributes map the Answers view; Contacts map none. */
    assert_non_null(strstr(got, "\"Attributes\":[{\"id\":\"33333333-2222-3333-4444-555555555551\","
                                "\"rowNumber\":1,"));
    assert_non_null(strstr(got, "files/PX.Objects.AR.CustomerMaint/Answers/"
                                "33333333-2222-3333-4444-555555555551/{filename}"));
    const char *contacts =
        strstr(got, "\"Contacts\":[{\"id\":\"22222222-2222-3333-4444-555555555551\","
                    "\"rowNumber\":1,");
    assert_non_null(contacts);
    const char *end = strstr(contacts, "]");
    assert_non_null(end);
    assert_non_null(strstr(contacts, "\"ContactID\":{\"value\":100073},\"custom\":{}}]"));
    const char *link = strstr(contacts, "_links");
    assert_true(link == NULL || link > end);
    es_buf_dispose(&o.b);
    es_arena_dispose(&o.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_options_show_every_field_and_nothing_nested),
        cmocka_unit_test(expand_builds_nested_levels),
        cmocka_unit_test(unknown_names_are_errors),
        cmocka_unit_test(select_narrows_each_level),
        cmocka_unit_test(wraps_values_in_acumatica_order),
        cmocka_unit_test(order_is_case_insensitive),
        cmocka_unit_test(formats_decimals),
        cmocka_unit_test(formats_datetimes_in_the_users_zone),
        cmocka_unit_test(escapes_strings),
        cmocka_unit_test(linked_entities_show_their_fields),
        cmocka_unit_test(empty_linked_entities_get_a_stable_id),
        cmocka_unit_test(detail_rows_have_their_own_members),
        cmocka_unit_test(rows_without_a_view_get_no_files_link),
    };
    return cmocka_run_group_tests(tests, load_endpoint, free_endpoint);
}
