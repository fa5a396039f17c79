/* OData for generic inquiries (API-NOTES §6): v3 at /odata/<tenant>/<GI>,
 * v4 at /t/<tenant>/api/odata/gi/<GI>; query options; Basic and bearer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct it_sim sim;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--dataset", "tiny", NULL};
    it_sim_start(&sim, args);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_sim_stop(&sim);
    return 0;
}

static double strtod_amount(const cJSON *row)
{
    const cJSON *a = cJSON_GetObjectItem(row, "Amount");
    return cJSON_IsString(a) ? strtod(a->valuestring, NULL) : -1;
}

/* admin:123 */
static const char *const basic[] = {"Authorization: Basic YWRtaW46MTIz", NULL};

static void v3_service_document_metadata_and_rows(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    it_req(&c, "GET", "/odata/Company", NULL, basic, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "value")), 4);
    it_resp_free(&r);
    it_req(&c, "GET", "/odata/Company/$metadata", NULL, basic, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<EntitySet Name=\"SalesOrderLines\""));
    assert_non_null(strstr(r.body, "m:DataServiceVersion=\"3.0\""));
    it_resp_free(&r);
    it_req(&c, "GET", "/odata/Company/Customers?$format=json&$top=3", NULL, basic, &r);
    assert_int_equal(r.status, 200);
    char h[128];
    assert_string_equal(it_header(&r, "Content-Type", h, sizeof(h)), "application/json");
    assert_string_equal(it_header(&r, "DataServiceVersion", h, sizeof(h)), "3.0");
    assert_non_null(strstr(cJSON_GetObjectItem(r.json, "odata.metadata")->valuestring,
                           "/odata/Company/$metadata#Customers"));
    const cJSON *rows = cJSON_GetObjectItem(r.json, "value");
    assert_int_equal(cJSON_GetArraySize(rows), 3);
    const cJSON *row = cJSON_GetArrayItem(rows, 0);
    /* Plain values: no wrappers; legacy decimals as strings; dates without offset. */
    assert_true(cJSON_IsString(cJSON_GetObjectItem(row, "CustomerID")));
    assert_true(cJSON_IsString(cJSON_GetObjectItem(row, "CreditLimit")));
    assert_non_null(strstr(cJSON_GetObjectItem(row, "CreditLimit")->valuestring, ".000000"));
    const char *mod = cJSON_GetObjectItem(row, "LastModifiedDateTime")->valuestring;
    assert_null(strchr(mod + 10, '+'));
    assert_null(strchr(mod + 10, 'Z'));
    it_resp_free(&r);
    /* Without JSON asked for, v3 answers Atom. */
    const char *hdr_xml[] = {"Authorization: Basic YWRtaW46MTIz", "Accept: application/atom+xml", NULL};
    it_req(&c, "GET", "/odata/Company/Customers?$top=1", NULL, hdr_xml, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<m:properties><d:CustomerID>"));
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void query_options(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    char path[512];
    snprintf(path, sizeof(path), "/odata/Company/SalesOrderLines?$format=json&$filter=%s&$orderby=%s&$select=%s",
             it_esc("OrderType eq 'SO' and OrderQty ge 5"), it_esc("Amount desc,OrderNbr"),
             it_esc("OrderNbr,LineNbr,OrderQty,Amount"));
    it_req(&c, "GET", path, NULL, basic, &r);
    assert_int_equal(r.status, 200);
    const cJSON *rows = cJSON_GetObjectItem(r.json, "value");
    int n = cJSON_GetArraySize(rows);
    assert_true(n > 3);
    double prev = 1e18;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        double amt = strtod_amount(row);
        assert_true(amt <= prev);
        prev = amt;
        assert_null(cJSON_GetObjectItem(row, "InventoryID"));
        assert_non_null(cJSON_GetObjectItem(row, "LineNbr"));
    }
    it_resp_free(&r);
    snprintf(path, sizeof(path), "/odata/Company/SalesOrderLines?$format=json&$filter=%s&$orderby=%s&$top=2&$skip=1",
             it_esc("OrderType eq 'SO' and OrderQty ge 5"), it_esc("Amount desc,OrderNbr"));
    it_req(&c, "GET", path, NULL, basic, &r);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "value")), 2);
    it_resp_free(&r);
    it_req(&c, "GET", "/odata/Company/Customers?$format=json&$filter=Nope%20eq%201", NULL, basic, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(cJSON_GetObjectItem(r.json, "odata.error"));
    it_resp_free(&r);
    it_req(&c, "GET", "/odata/Company/NoSuchInquiry?$format=json", NULL, basic, &r);
    assert_int_equal(r.status, 404);
    it_resp_free(&r);
    it_client_dispose(&c);
}

static void v4_with_bearer(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    assert_int_equal(it_oauth(&c, "api", &r), 200);
    it_resp_free(&r);
    char path[512];
    snprintf(path, sizeof(path), "/t/Company/api/odata/gi/Invoices?$filter=%s&$top=5",
             it_esc("Date ge 2020-01-01T00:00:00Z and Amount gt 0"));
    it_req(&c, "GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    char h[128];
    assert_string_equal(it_header(&r, "OData-Version", h, sizeof(h)), "4.0");
    assert_non_null(strstr(cJSON_GetObjectItem(r.json, "@odata.context")->valuestring,
                           "/t/Company/api/odata/gi/$metadata#Invoices"));
    const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "value"), 0);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(row, "Amount")));
    it_resp_free(&r);
    it_req(&c, "GET", "/t/Company/api/odata/gi", NULL, NULL, &r);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "value"), 0), "kind")->valuestring,
                        "EntitySet");
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
}

static void credentials_are_required(void **state)
{
    (void)state;
    struct it_client c;
    it_client_init(&c, &sim);
    struct it_resp r;
    it_req(&c, "GET", "/odata/Company/Customers", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    char h[128];
    assert_non_null(it_header(&r, "WWW-Authenticate", h, sizeof(h)));
    it_resp_free(&r);
    const char *wrong[] = {"Authorization: Basic YWRtaW46d3Jvbmc=", NULL}; /* admin:wrong */
    it_req(&c, "GET", "/odata/Company/Customers", NULL, wrong, &r);
    assert_int_equal(r.status, 401);
    it_resp_free(&r);
    it_req(&c, "GET", "/t/Other/api/odata/gi/Customers", NULL, basic, &r);
    assert_int_equal(r.status, 404);
    it_resp_free(&r);
    it_req(&c, "PUT", "/odata/Company/Customers", "{}", basic, &r);
    assert_int_equal(r.status, 405);
    it_resp_free(&r);
    it_client_dispose(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v3_service_document_metadata_and_rows),
        cmocka_unit_test(query_options),
        cmocka_unit_test(v4_with_bearer),
        cmocka_unit_test(credentials_are_required),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
