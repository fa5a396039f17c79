/* The large dataset: at least 100,000 customers and 1,000,000 sales-order
 * lines (how long it takes is measured by bench/, not asserted here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static void large_dataset_has_the_promised_size(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "large", NULL};
    it_sim_start(&s, args);
    struct it_client c;
    it_client_init(&c, &s);
    struct it_resp r;
    it_control(&c, "GET", "generated", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_GetObjectItem(r.json, "customers")->valuedouble >= 100000);
    assert_true(cJSON_GetObjectItem(r.json, "sales_order_lines")->valuedouble >= 1000000);
    it_resp_free(&r);
    it_control(&c, "GET", "count/Customer", NULL, &r);
    assert_true(cJSON_GetObjectItem(r.json, "count")->valuedouble >= 100000);
    it_resp_free(&r);
    /* And it serves: a keyset page of 1,000 customers deep in the table. */
    it_login(&c);
    it_get(&c, "Customer?$top=1000&$filter=CustomerID%20gt%20'C000090000'&$select=CustomerID", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 1000);
    assert_string_equal(it_str(cJSON_GetArrayItem(r.json, 0), "CustomerID"), "C000090001");
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
    it_sim_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_dataset_has_the_promised_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
