/* Push notifications (API-NOTES §7.1): after a committed change, the
 * inquiry rows it removed and produced are POSTed to the destination with
 * its header; non-2xx answers are retried up to five attempts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct it_sim sim;
static struct it_client cl;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--dataset", "tiny", "--tenant", "MyTenant", NULL};
    it_sim_start(&sim, args);
    it_client_init(&cl, &sim);
    struct it_resp r;
    it_req(&cl, "POST", "/entity/auth/login", "{\"name\":\"admin\",\"password\":\"123\"}", NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_session_stop(&sim, &cl);
    return 0;
}

static void subscribe(struct it_receiver *rcv, const char *query, int retry_ms)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"query\":\"%s\",\"url\":\"http://127.0.0.1:%d/hook\",\"header_name\":\"X-Push-Key\","
             "\"header_value\":\"s3cret\",\"retry_ms\":%d}",
             query, it_receiver_port(rcv), retry_ms);
    struct it_resp r;
    it_control(&cl, "POST", "push", body, &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

static void unsubscribe(void)
{
    struct it_resp r;
    it_control(&cl, "DELETE", "push", NULL, &r);
    it_resp_free(&r);
}

static cJSON *message(struct it_receiver *rcv, int i)
{
    cJSON *j = cJSON_Parse(it_receiver_body(rcv, i));
    assert_non_null(j);
    return j;
}

static void insert_update_delete_notify(void **state)
{
    (void)state;
    struct it_receiver *rcv = it_receiver_start(0, "X-Push-Key");
    subscribe(rcv, "Customers", 100);
    struct it_resp r;
    it_put(&cl, "Customer", "{\"CustomerID\":{\"value\":\"PUSH1\"},\"CustomerName\":{\"value\":\"Pushed\"}}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 1, 5000), 1);
    cJSON *m = message(rcv, 0);
    assert_string_equal(it_receiver_header(rcv, 0), "s3cret");
    assert_string_equal(cJSON_GetObjectItem(m, "Query")->valuestring, "Customers");
    assert_string_equal(cJSON_GetObjectItem(m, "CompanyId")->valuestring, "MyTenant");
    assert_true(cJSON_IsString(cJSON_GetObjectItem(m, "Id")));
    assert_true(cJSON_GetObjectItem(m, "TimeStamp")->valuedouble > 6.3e17); /* .NET ticks */
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(m, "AdditionalInfo")));
    const cJSON *ins = cJSON_GetObjectItem(m, "Inserted");
    assert_int_equal(cJSON_GetArraySize(ins), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "Deleted")), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ins, 0), "CustomerID")->valuestring, "PUSH1");
    cJSON_Delete(m);
    it_put(&cl, "Customer", "{\"CustomerID\":{\"value\":\"PUSH1\"},\"CustomerName\":{\"value\":\"Renamed\"}}", &r);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 2, 5000), 2);
    m = message(rcv, 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Inserted"), 0), "CustomerName")->valuestring,
                        "Renamed");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Deleted"), 0), "CustomerName")->valuestring,
                        "Pushed");
    cJSON_Delete(m);
    /* A save that changes nothing is no save: nothing is sent. */
    it_put(&cl, "Customer", "{\"CustomerID\":{\"value\":\"PUSH1\"},\"CustomerName\":{\"value\":\"Renamed\"}}", &r);
    it_resp_free(&r);
    it_req(&cl, "DELETE", "/entity/Default/24.200.001/Customer/PUSH1", NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 3, 5000), 3);
    m = message(rcv, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "Inserted")), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Deleted"), 0), "CustomerID")->valuestring,
                        "PUSH1");
    cJSON_Delete(m);
    it_sleep_ms(300);
    assert_int_equal(it_receiver_wait(rcv, 4, 0), 3);
    unsubscribe();
    it_receiver_stop(rcv);
}

static long push_stat(const char *key)
{
    struct it_resp r;
    it_control(&cl, "GET", "push", NULL, &r);
    long v = (long)cJSON_GetObjectItem(r.json, key)->valuedouble;
    it_resp_free(&r);
    return v;
}

static void failed_deliveries_are_retried_up_to_five_times(void **state)
{
    (void)state;
    /* Four failures, then success: five attempts, delivered. */
    struct it_receiver *rcv = it_receiver_start(4, NULL);
    subscribe(rcv, "StockItems", 50);
    long sent = push_stat("sent"), failed = push_stat("failed"), attempts = push_stat("attempts");
    struct it_resp r;
    it_put(&cl, "StockItem", "{\"InventoryID\":{\"value\":\"PUSHITEM1\"}}", &r);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 5, 8000), 5);
    it_sleep_ms(300);
    assert_int_equal(it_receiver_wait(rcv, 6, 0), 5);
    assert_int_equal(push_stat("sent"), sent + 1);
    assert_int_equal(push_stat("attempts"), attempts + 5);
    unsubscribe();
    it_receiver_stop(rcv);
    /* Always failing: given up after the fifth attempt. */
    rcv = it_receiver_start(1000, NULL);
    subscribe(rcv, "StockItems", 50);
    it_put(&cl, "StockItem", "{\"InventoryID\":{\"value\":\"PUSHITEM2\"}}", &r);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 5, 8000), 5);
    it_sleep_ms(300);
    assert_int_equal(it_receiver_wait(rcv, 6, 0), 5);
    assert_int_equal(push_stat("failed"), failed + 1);
    unsubscribe();
    it_receiver_stop(rcv);
}

static void line_inquiries_and_actions_notify(void **state)
{
    (void)state;
    struct it_receiver *rcv = it_receiver_start(0, NULL);
    subscribe(rcv, "Invoices", 100);
    struct it_resp r;
    it_get(&cl, "StockItem?$top=1&$select=InventoryID", &r);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"CustomerID\":{\"value\":\"C000000001\"},\"Hold\":{\"value\":false},\"Details\":[{\"InventoryID\":{\"value\":\"%s\"},"
             "\"Qty\":{\"value\":1},\"UnitPrice\":{\"value\":9}}]}",
             it_str(cJSON_GetArrayItem(r.json, 0), "InventoryID"));
    it_resp_free(&r);
    it_put(&cl, "SalesInvoice", body, &r);
    snprintf(body, sizeof(body), "{\"entity\":{\"id\":\"%s\"}}", cJSON_GetObjectItem(r.json, "id")->valuestring);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 1, 5000), 1);
    it_req(&cl, "POST", "/entity/Default/24.200.001/SalesInvoice/ReleaseSalesInvoice", body, NULL, &r);
    assert_int_equal(r.status, 202);
    it_resp_free(&r);
    assert_int_equal(it_receiver_wait(rcv, 2, 5000), 2);
    cJSON *m = message(rcv, 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Inserted"), 0), "Status")->valuestring,
                        "Open");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "Deleted"), 0), "Status")->valuestring,
                        "Balanced");
    cJSON_Delete(m);
    unsubscribe();
    it_receiver_stop(rcv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insert_update_delete_notify),
        cmocka_unit_test(failed_deliveries_are_retried_up_to_five_times),
        cmocka_unit_test(line_inquiries_and_actions_notify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
