/* Reading records: lists, $filter, $select, $expand, $top/$skip, records by
 * key or id, the timestamp fields per entity and version, time zones, and
 * the answers Acumatica gives to requests it cannot serve (API-NOTES §1.3,
 * §1.4, §1.9, §5). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

static struct it_sim sim;
static struct it_client cl;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--dataset", "tiny", "--timezone", "America/New_York", NULL};
    it_session_start(&sim, &cl, args);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_session_stop(&sim, &cl);
    return 0;
}

static void get_ok(const char *path, struct it_resp *r)
{
    it_get(&cl, path, r);
    if (r->status != 200)
        fail_msg("GET %s: HTTP %ld: %.300s", path, r->status, r->body);
}

static void list_shape_is_acumaticas(void **state)
{
    (void)state;
    struct it_resp r;
    get_ok("Customer?$top=3", &r);
    assert_true(cJSON_IsArray(r.json));
    assert_int_equal(cJSON_GetArraySize(r.json), 3);
    char ct[128];
    assert_string_equal(it_header(&r, "Content-Type", ct, sizeof(ct)),
                        "application/json; charset=utf-8");
    int row = 1;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.json)
    {
        assert_int_equal((int)cJSON_GetObjectItem(rec, "rowNumber")->valuedouble, row++);
        assert_true(cJSON_IsString(cJSON_GetObjectItem(rec, "id")));
        assert_true(cJSON_IsObject(cJSON_GetObjectItem(rec, "note")));
        assert_true(cJSON_IsObject(cJSON_GetObjectItem(rec, "custom")));
        const cJSON *links = cJSON_GetObjectItem(rec, "_links");
        char self[160];
        snprintf(self, sizeof(self), "/entity/Default/24.200.001/Customer/%s",
                 cJSON_GetObjectItem(rec, "id")->valuestring);
        assert_string_equal(cJSON_GetObjectItem(links, "self")->valuestring, self);
        /* Scalars only by default: no linked or detail entity. */
        assert_null(cJSON_GetObjectItem(rec, "MainContact"));
        assert_null(cJSON_GetObjectItem(rec, "Contacts"));
        /* Empty fields are {} and values are wrapped. */
        const cJSON *acct = cJSON_GetObjectItem(rec, "AccountRef");
        assert_true(cJSON_IsObject(acct) && acct->child == NULL);
        assert_non_null(it_str(rec, "CustomerID"));
        /* Fields come in Acumatica's order (case-insensitive alphabetical). */
        const cJSON *prev = NULL;
        for (const cJSON *m = rec->child; m; m = m->next) {
            if (!strcmp(m->string, "custom"))
                break;
            if (prev && strcmp(prev->string, "note") && strcmp(prev->string, "rowNumber") &&
                strcmp(prev->string, "id"))
                assert_true(strcasecmp(prev->string, m->string) <= 0);
            prev = m;
        }
    }
    it_resp_free(&r);
}

static void keys_order_top_and_skip(void **state)
{
    (void)state;
    struct it_resp all, p1, p2;
    get_ok("Customer?$select=CustomerID", &all);
    get_ok("Customer?$select=CustomerID&$top=5", &p1);
    get_ok("Customer?$select=CustomerID&$top=5&$skip=5", &p2);
    int n = cJSON_GetArraySize(all.json);
    assert_int_equal(n, 20);
    for (int i = 1; i < n; i++)
        assert_true(strcmp(it_str(cJSON_GetArrayItem(all.json, i - 1), "CustomerID"),
                           it_str(cJSON_GetArrayItem(all.json, i), "CustomerID")) < 0);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(it_str(cJSON_GetArrayItem(p1.json, i), "CustomerID"),
                            it_str(cJSON_GetArrayItem(all.json, i), "CustomerID"));
        assert_string_equal(it_str(cJSON_GetArrayItem(p2.json, i), "CustomerID"),
                            it_str(cJSON_GetArrayItem(all.json, i + 5), "CustomerID"));
    }
    /* Row numbers restart on every page. */
    assert_int_equal((int)cJSON_GetObjectItem(cJSON_GetArrayItem(p2.json, 0), "rowNumber")->valuedouble, 1);
    it_resp_free(&all);
    it_resp_free(&p1);
    it_resp_free(&p2);
    struct it_resp past;
    get_ok("Customer?$skip=1000", &past);
    assert_int_equal(cJSON_GetArraySize(past.json), 0);
    it_resp_free(&past);
}

static void select_and_expand(void **state)
{
    (void)state;
    struct it_resp r;
    char path[512];
    snprintf(path, sizeof(path), "Customer?$top=2&$select=%s&$expand=%s",
             it_esc("CustomerID,CustomerName,MainContact/Email,MainContact/Address/City"),
             it_esc("MainContact,MainContact/Address"));
    get_ok(path, &r);
    const cJSON *rec = cJSON_GetArrayItem(r.json, 0);
    assert_non_null(it_str(rec, "CustomerName"));
    assert_null(cJSON_GetObjectItem(rec, "Status"));
    const cJSON *mc = cJSON_GetObjectItem(rec, "MainContact");
    assert_non_null(it_str(mc, "Email"));
    assert_null(cJSON_GetObjectItem(mc, "Phone1"));
    assert_non_null(it_str(cJSON_GetObjectItem(mc, "Address"), "City"));
    assert_true(cJSON_IsString(cJSON_GetObjectItem(mc, "id")));
    it_resp_free(&r);
    /* Without $select an expanded entity shows its fields. */
    get_ok("SalesOrder?$top=1&$expand=Details", &r);
    rec = cJSON_GetArrayItem(r.json, 0);
    const cJSON *line = cJSON_GetArrayItem(cJSON_GetObjectItem(rec, "Details"), 0);
    assert_non_null(it_str(line, "InventoryID"));
    assert_true(it_num(line, "OrderQty") > 0);
    assert_int_equal((int)cJSON_GetObjectItem(line, "rowNumber")->valuedouble, 1);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(line, "_links"), "files:put"));
    it_resp_free(&r);
    /* A nested path whose entity is not expanded shows nothing. */
    snprintf(path, sizeof(path), "Customer?$top=1&$select=%s", it_esc("CustomerID,MainContact/Email"));
    get_ok(path, &r);
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(r.json, 0), "MainContact"));
    it_resp_free(&r);
}

static void filter_fields_are_returned_with_select(void **state)
{
    (void)state;
    struct it_resp r;
    char path[512];
    snprintf(path, sizeof(path), "SalesOrder?$select=OrderNbr&$filter=%s",
             it_esc("OrderType eq 'SO' and CustomerID eq 'C000000001'"));
    get_ok(path, &r);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.json)
    {
        assert_string_equal(it_str(rec, "CustomerID"), "C000000001");
        assert_string_equal(it_str(rec, "OrderType"), "SO");
        assert_null(cJSON_GetObjectItem(rec, "Status"));
    }
    it_resp_free(&r);
}

/* Count records a filter returns. */
static int count(const char *entity, const char *filter)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s?$select=%s&$filter=%s", entity,
             strcmp(entity, "SalesOrder") ? "Status" : "OrderNbr", it_esc(filter));
    struct it_resp r;
    get_ok(path, &r);
    int n = cJSON_GetArraySize(r.json);
    it_resp_free(&r);
    return n;
}

static void filter_grammar(void **state)
{
    (void)state;
    int all = count("Customer", "CustomerID ne ''");
    assert_int_equal(all, 20);
    int active = count("Customer", "Status eq 'Active'");
    int others = count("Customer", "Status ne 'Active'");
    assert_true(active > 0);
    assert_int_equal(active + others, all);
    assert_int_equal(count("Customer", "not (Status eq 'Active')"), others);
    assert_int_equal(count("Customer", "Status eq 'Active' or Status ne 'Active'"), all);
    assert_int_equal(count("Customer", "(Status eq 'Active') and (CustomerID eq 'C000000001' or CustomerID eq 'C000000002')"),
                     count("Customer", "Status eq 'Active' and CustomerID le 'C000000002'"));
    /* Case-insensitive, as SQL Server compares. */
    assert_int_equal(count("Customer", "CustomerID eq 'c000000003'"), 1);
    assert_int_equal(count("Customer", "startswith(CustomerID,'C00000001')"), 10);
    assert_int_equal(count("Customer", "endswith(CustomerID,'20')"), 1);
    assert_int_equal(count("Customer", "substringof('000000', CustomerID)"), 20);
    assert_int_equal(count("Customer", "substringof('000000', CustomerID) eq false"), 0);
    assert_int_equal(count("Customer", "CreditLimit ge 0"), all);
    assert_int_equal(count("Customer", "CreditLimit gt 0M and CreditLimit lt 1000000.5"),
                     count("Customer", "CreditLimit gt 0"));
    /* Linked-entity path. */
    assert_true(count("Customer", "substringof('@', MainContact/Email)") == all);
    assert_int_equal(count("Contact", "ContactID ge 100001 and ContactID le 100003"), 3);
    assert_int_equal(count("Customer", "ParentRecord eq null") + count("Customer", "ParentRecord ne null"), all);
}

static void date_literals_with_and_without_offsets(void **state)
{
    (void)state;
    /* The same instant written three ways selects the same records. */
    int a = count("Customer", "LastModifiedDateTime gt datetimeoffset'2026-01-01T05:00:00Z'");
    int b = count("Customer", "LastModifiedDateTime gt datetimeoffset'2026-01-01T00:00:00-05:00'");
    int c = count("Customer", "LastModifiedDateTime gt datetimeoffset'2026-01-01T00:00:00'");
    int d = count("Customer", "LastModifiedDateTime gt datetime'2026-01-01T00:00:00.000'");
    int e = count("Customer", "LastModifiedDateTime gt datetimeoffset'2026-01-01'");
    assert_int_equal(a, b);
    assert_int_equal(a, c); /* no offset: the API user's zone (New York) */
    assert_int_equal(a, d);
    assert_int_equal(a, e);
    assert_int_equal(count("Customer", "LastModifiedDateTime ge datetimeoffset'1990-01-01T00:00:00Z'"), 20);
    assert_int_equal(count("Customer", "LastModifiedDateTime gt datetimeoffset'2990-01-01T00:00:00Z'"), 0);
    assert_int_equal(count("SalesOrder", "LastModified ge datetimeoffset'1990-01-01T00:00:00+00:00'"),
                     50);
    /* An unencoded + in a query string is a space: the offset is lost and the
     * literal is refused, as on IIS (API-NOTES 8.1). */
    struct it_resp r;
    it_get(&cl, "Customer?$filter=LastModifiedDateTime%20gt%20datetimeoffset'2026-01-01T00:00:00+03:00'", &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "Unrecognized"));
    it_resp_free(&r);
}

static void mass_update_shares_one_timestamp(void **state)
{
    (void)state;
    struct it_resp r;
    get_ok("Customer?$select=LastModifiedDateTime", &r);
    int best = 0;
    const cJSON *x, *y;
    cJSON_ArrayForEach(x, r.json)
    {
        int same = 0;
        cJSON_ArrayForEach(y, r.json) same += !strcmp(it_str(x, "LastModifiedDateTime"),
                                                      it_str(y, "LastModifiedDateTime"));
        if (same > best)
            best = same;
    }
    assert_true(best >= 5);
    it_resp_free(&r);
}

static void datetimes_carry_the_users_offset(void **state)
{
    (void)state;
    struct it_resp r;
    get_ok("SalesOrder?$select=Date,LastModified,CreatedDate", &r);
    int winter = 0, summer = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, r.json)
    {
        const char *d = it_str(rec, "LastModified");
        size_t n = strlen(d);
        assert_true(n > 6);
        winter += !strcmp(d + n - 6, "-05:00");
        summer += !strcmp(d + n - 6, "-04:00");
        const char *date = it_str(rec, "Date");
        assert_non_null(strstr(date, "T00:00:00-0")); /* dates are local midnights */
    }
    assert_true(winter > 0 && summer > 0);
    assert_int_equal(winter + summer, cJSON_GetArraySize(r.json));
    it_resp_free(&r);
}

static void timestamp_field_names_per_entity_and_version(void **state)
{
    (void)state;
    struct it_resp r;
    get_ok("SalesOrder?$top=1", &r);
    const cJSON *rec = cJSON_GetArrayItem(r.json, 0);
    assert_non_null(it_str(rec, "LastModified"));
    assert_null(cJSON_GetObjectItem(rec, "LastModifiedDateTime"));
    it_resp_free(&r);
    get_ok("StockItem?$top=1", &r);
    rec = cJSON_GetArrayItem(r.json, 0);
    assert_string_equal(it_str(rec, "LastModified"), it_str(rec, "LastModifiedDateTime"));
    it_resp_free(&r);
    it_req(&cl, "GET", "/entity/Default/23.200.001/StockItem?$top=1", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    rec = cJSON_GetArrayItem(r.json, 0);
    assert_non_null(it_str(rec, "LastModified"));
    assert_null(cJSON_GetObjectItem(rec, "LastModifiedDateTime"));
    assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "_links"), "self")->valuestring,
                           "/23.200.001/"));
    it_resp_free(&r);
    get_ok("SalesInvoice?$top=1", &r);
    assert_non_null(it_str(cJSON_GetArrayItem(r.json, 0), "LastModifiedDateTime"));
    it_resp_free(&r);
    get_ok("ServiceOrder?$top=1", &r);
    assert_non_null(it_str(cJSON_GetArrayItem(r.json, 0), "LastModifiedDateTime"));
    it_resp_free(&r);
    /* 23.200.001 has no ExtRefNbr on Contact; filtering on it is an error there. */
    it_req(&cl, "GET", "/entity/Default/23.200.001/Contact?$filter=ExtRefNbr%20eq%20'x'", NULL,
           NULL, &r);
    assert_int_equal(r.status, 500);
    it_resp_free(&r);
}

static void by_key_by_bar_and_by_id(void **state)
{
    (void)state;
    struct it_resp a, b, c;
    get_ok("SalesOrder/SO/000002?$expand=Details", &a);
    get_ok("SalesOrder/SO|000002", &b);
    char path[128];
    snprintf(path, sizeof(path), "SalesOrder/%s", cJSON_GetObjectItem(a.json, "id")->valuestring);
    get_ok(path, &c);
    assert_string_equal(it_str(a.json, "OrderNbr"), "000002");
    assert_string_equal(it_str(b.json, "OrderNbr"), "000002");
    assert_string_equal(it_str(c.json, "OrderNbr"), "000002");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(a.json, "Details")));
    assert_null(cJSON_GetObjectItem(b.json, "Details"));
    it_resp_free(&a);
    it_resp_free(&b);
    it_resp_free(&c);
    get_ok("Contact/100001", &a);
    assert_int_equal((int)it_num(a.json, "ContactID"), 100001);
    it_resp_free(&a);
    get_ok("CustomerLocation/C000000001/MAIN", &a);
    assert_string_equal(it_str(a.json, "LocationID"), "MAIN");
    it_resp_free(&a);
}

static void missing_record_is_500_no_entity(void **state)
{
    (void)state;
    static const char *const paths[] = {"SalesOrder/SO/999999", "Customer/NOSUCH",
                                        "Customer/8f0c93fe-906d-ee11-83a8-586c254ce85b",
                                        "Contact/abc", "SalesOrder/SO"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct it_resp r;
        it_get(&cl, paths[i], &r);
        assert_int_equal(r.status, 500);
        assert_string_equal(cJSON_GetObjectItem(r.json, "exceptionType")->valuestring,
                            "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException");
        assert_string_equal(cJSON_GetObjectItem(r.json, "exceptionMessage")->valuestring,
                            "No entity satisfies the condition.");
        it_resp_free(&r);
    }
}

static void payment_history_cannot_be_read_in_lists(void **state)
{
    (void)state;
    struct it_resp r;
    it_get(&cl, "Payment?$expand=ApplicationHistory", &r);
    assert_int_equal(r.status, 500);
    assert_true(strncmp(cJSON_GetObjectItem(r.json, "exceptionMessage")->valuestring,
                        "Optimization cannot be performed.", 33) == 0);
    assert_string_equal(cJSON_GetObjectItem(r.json, "exceptionType")->valuestring,
                        "PX.Api.ContractBased.OptimizedExport.CannotOptimizeException");
    it_resp_free(&r);
    get_ok("Payment/Payment/000001?$expand=ApplicationHistory", &r);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "ApplicationHistory")) >= 1);
    it_resp_free(&r);
}

static void bad_requests_get_acumaticas_answers(void **state)
{
    (void)state;
    struct {
        const char *method, *path;
        long status;
        const char *text;
    } cases[] = {
        {"GET", "/entity/Default/24.200.001/Customer?$filter=Status%20eq", 500, "Syntax error"},
        {"GET", "/entity/Default/24.200.001/Customer?$filter=Colour%20eq%20'x'", 500,
         "Could not find a property named 'Colour'"},
        {"GET", "/entity/Default/24.200.001/SalesOrder?$filter=Details/InventoryID%20eq%20'x'",
         500, "detail entity"},
        {"GET", "/entity/Default/24.200.001/Customer?$filter=CreditLimit%20eq%20'abc'", 500,
         "incompatible types"},
        {"GET", "/entity/Default/24.200.001/Customer?$select=Colour", 500, "Colour"},
        {"GET", "/entity/Default/24.200.001/Customer?$expand=Colour", 500, "Colour"},
        {"GET", "/entity/Default/24.200.001/Customer?$top=abc", 400, "The request is invalid."},
        {"GET", "/entity/Default/24.200.001/Customer?$skip=-1", 400, "The request is invalid."},
        {"GET", "/entity/Default/24.200.001/Spaceship", 404, "No HTTP resource"},
        {"GET", "/entity/Default/9.9.9/Customer", 404, "No HTTP resource"},
        {"POST", "/entity/Default/24.200.001/Customer", 405, "does not support http method"},
        {"PATCH", "/entity/Default/24.200.001/Customer", 405, "does not support http method"},
        {"GET", "/nowhere", 404, "No HTTP resource"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct it_resp r;
        it_req(&cl, cases[i].method, cases[i].path, NULL, NULL, &r);
        if (r.status != cases[i].status || !strstr(r.body, cases[i].text))
            fail_msg("%s %s: HTTP %ld %s", cases[i].method, cases[i].path, r.status, r.body);
        it_resp_free(&r);
    }
    assert_true(it_sim_alive(&sim));
}

/* The prices inquiry (a PUT with a filter body): every released price, each
 * with the same RecordID and id from one inquiry to the next. */
static void price_inquiry_rows_keep_their_identity(void **state)
{
    (void)state;
    struct it_resp a, b;
    const char *path = "SalesPricesInquiry?$expand=SalesPriceDetails";
    it_put(&cl, path, "{}", &a);
    it_put(&cl, path, "{}", &b);
    assert_int_equal(a.status, 200);
    const cJSON *ra = cJSON_GetObjectItem(a.json, "SalesPriceDetails");
    const cJSON *rb = cJSON_GetObjectItem(b.json, "SalesPriceDetails");
    assert_true(cJSON_GetArraySize(ra) > 0);
    assert_int_equal(cJSON_GetArraySize(ra), cJSON_GetArraySize(rb));
    for (int i = 0; i < cJSON_GetArraySize(ra); i++) {
        const cJSON *x = cJSON_GetArrayItem(ra, i), *y = cJSON_GetArrayItem(rb, i);
        assert_true(it_num(x, "RecordID") == it_num(y, "RecordID"));
        assert_string_equal(cJSON_GetObjectItem(x, "id")->valuestring,
                            cJSON_GetObjectItem(y, "id")->valuestring);
        if (i)
            assert_true(it_num(x, "RecordID") != it_num(cJSON_GetArrayItem(ra, i - 1), "RecordID"));
    }
    it_resp_free(&a);
    it_resp_free(&b);
}

static void discovery_and_swagger(void **state)
{
    (void)state;
    struct it_resp r;
    it_req(&cl, "GET", "/entity", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "version"), "acumaticaBuildVersion"));
    const cJSON *eps = cJSON_GetObjectItem(r.json, "endpoints");
    assert_int_equal(cJSON_GetArraySize(eps), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(eps, 1), "version")->valuestring, "24.200.001");
    it_resp_free(&r);
    it_req(&cl, "GET", "/entity/Default/23.200.001/swagger.json", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(cJSON_GetObjectItem(r.json, "swagger")->valuestring, "2.0");
    it_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_shape_is_acumaticas),
        cmocka_unit_test(keys_order_top_and_skip),
        cmocka_unit_test(select_and_expand),
        cmocka_unit_test(filter_fields_are_returned_with_select),
        cmocka_unit_test(filter_grammar),
        cmocka_unit_test(date_literals_with_and_without_offsets),
        cmocka_unit_test(mass_update_shares_one_timestamp),
        cmocka_unit_test(datetimes_carry_the_users_offset),
        cmocka_unit_test(timestamp_field_names_per_entity_and_version),
        cmocka_unit_test(by_key_by_bar_and_by_id),
        cmocka_unit_test(missing_record_is_500_no_entity),
        cmocka_unit_test(payment_history_cannot_be_read_in_lists),
        cmocka_unit_test(bad_requests_get_acumaticas_answers),
        cmocka_unit_test(discovery_and_swagger),
        cmocka_unit_test(price_inquiry_rows_keep_their_identity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
