/* Generated data: the same seed gives the same data; the data looks like a
 * company's (sub-customers, contacts, locations, prices, orders over three
 * years with shipments, invoices and payments, shared mass-update stamps). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static char *dump(struct it_sim *s, const char *path)
{
    struct it_client c;
    it_client_init(&c, s);
    struct it_resp r;
    it_control(&c, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    char *body = r.body;
    r.body = NULL;
    it_resp_free(&r);
    it_client_dispose(&c);
    return body;
}

static void same_seed_same_data(void **state)
{
    (void)state;
    struct it_sim a, b, c;
    const char *seed7[] = {"--dataset", "tiny", "--seed", "7", NULL};
    const char *seed8[] = {"--dataset", "tiny", "--seed", "8", NULL};
    it_sim_start(&a, seed7);
    it_sim_start(&b, seed7);
    it_sim_start(&c, seed8);
    static const char *const paths[] = {
        "records/Customer?$expand=MainContact,MainContact/Address,Contacts",
        "records/SalesOrder?$expand=Details,Shipments",
        "records/Payment/Payment/000001?$expand=DocumentsToApply",
        "records/SalesPriceWorksheet?$expand=SalesPrices",
        "records/Appointment?$expand=Details",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char *x = dump(&a, paths[i]), *y = dump(&b, paths[i]), *z = dump(&c, paths[i]);
        assert_true(strlen(x) > 100);
        assert_string_equal(x, y);
        assert_true(strcmp(x, z) != 0);
        free(x);
        free(y);
        free(z);
    }
    it_sim_stop(&a);
    it_sim_stop(&b);
    it_sim_stop(&c);
}

static int count(struct it_sim *s, const char *entity, const char *filter)
{
    char path[1024];
    snprintf(path, sizeof(path), "count/%s%s%s", entity, filter ? "?$filter=" : "",
             filter ? it_esc(filter) : "");
    char *body = dump(s, path);
    cJSON *j = cJSON_Parse(body);
    int n = (int)cJSON_GetObjectItem(j, "count")->valuedouble;
    cJSON_Delete(j);
    free(body);
    return n;
}

static void looks_like_a_company(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "small", NULL};
    it_sim_start(&s, args);
    assert_int_equal(count(&s, "Customer", NULL), 500);
    assert_true(count(&s, "Customer", "ParentRecord ne null") > 20);
    assert_true(count(&s, "Contact", NULL) >= 500);
    assert_true(count(&s, "CustomerLocation", NULL) > 500);
    assert_int_equal(count(&s, "StockItem", NULL), 200);
    assert_true(count(&s, "NonStockItem", NULL) > 0);
    assert_true(count(&s, "Vendor", NULL) > 0);
    assert_true(count(&s, "CustomerPriceClass", NULL) > 0);
    assert_true(count(&s, "SalesPriceWorksheet", NULL) > 0);
    assert_true(count(&s, "Project", NULL) > 0);
    assert_int_equal(count(&s, "SalesOrder", "OrderType eq 'SO'"), 2000);
    assert_int_equal(count(&s, "SalesOrder", "OrderType eq 'QT'"), 300);
    assert_true(count(&s, "Shipment", NULL) > 1000);
    assert_true(count(&s, "SalesInvoice", NULL) > 1000);
    assert_true(count(&s, "Payment", NULL) > 500);
    assert_true(count(&s, "Invoice", NULL) > 0);
    assert_true(count(&s, "PurchaseOrder", NULL) > 0);
    assert_true(count(&s, "ServiceOrder", NULL) > 0);
    assert_true(count(&s, "Appointment", NULL) >= count(&s, "ServiceOrder", NULL));
    /* Orders spread over three years. */
    char *body = dump(&s, "clock");
    cJSON *clk = cJSON_Parse(body);
    long long now = (long long)cJSON_GetObjectItem(clk, "now_ms")->valuedouble;
    cJSON_Delete(clk);
    free(body);
    char f[256];
    for (int year = 0; year < 3; year++) {
        /* Each of the last three years holds a fair share of the orders. */
        long long a = now - (long long)(year + 1) * 365 * 86400000LL, b = now - (long long)year * 365 * 86400000LL;
        struct it_client c;
        it_client_init(&c, &s);
        struct it_resp r;
        char path[512];
        time_t ta = (time_t)(a / 1000), tb = (time_t)(b / 1000);
        char da[32], db[32];
        strftime(da, sizeof(da), "%Y-%m-%dT%H:%M:%SZ", gmtime(&ta));
        strftime(db, sizeof(db), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tb));
        snprintf(f, sizeof(f), "OrderType eq 'SO' and Date ge datetimeoffset'%s' and Date lt datetimeoffset'%s'", da, db);
        snprintf(path, sizeof(path), "count/SalesOrder?$filter=%s", it_esc(f));
        it_control(&c, "GET", path, NULL, &r);
        int n = (int)cJSON_GetObjectItem(r.json, "count")->valuedouble;
        it_resp_free(&r);
        it_client_dispose(&c);
        assert_true(n > 450 && n < 900);
    }
    it_sim_stop(&s);
}

static void explicit_counts_override_the_dataset(void **state)
{
    (void)state;
    struct it_sim s;
    const char *args[] = {"--dataset", "tiny", "--customers", "37", "--orders", "5", "--quotes", "0", NULL};
    it_sim_start(&s, args);
    assert_int_equal(count(&s, "Customer", NULL), 37);
    assert_int_equal(count(&s, "SalesOrder", NULL), 5);
    it_sim_stop(&s);
    const char *none[] = {"--dataset", "none", NULL};
    it_sim_start(&s, none);
    assert_int_equal(count(&s, "Customer", NULL), 0);
    it_sim_stop(&s);
}

static void a_database_file_is_reused(void **state)
{
    (void)state;
    char path[] = "/tmp/acusim-it-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    remove(path);
    struct it_sim s;
    const char *first[] = {"--dataset", "tiny", "--db", path, NULL};
    it_sim_start(&s, first);
    struct it_client c;
    it_client_init(&c, &s);
    struct it_resp r;
    it_control(&c, "PUT", "records/Customer", "{\"CustomerID\":{\"value\":\"KEPT\"},\"CustomerName\":{\"value\":\"Kept\"}}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_client_dispose(&c);
    it_sim_stop(&s);
    /* Restarted on the same file (with another dataset asked for): the data stays. */
    const char *second[] = {"--dataset", "small", "--db", path, NULL};
    it_sim_start(&s, second);
    assert_int_equal(count(&s, "Customer", NULL), 21);
    it_sim_stop(&s);
    char aux[64];
    remove(path);
    snprintf(aux, sizeof(aux), "%s-wal", path);
    remove(aux);
    snprintf(aux, sizeof(aux), "%s-shm", path);
    remove(aux);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_data),
        cmocka_unit_test(looks_like_a_company),
        cmocka_unit_test(explicit_counts_override_the_dataset),
        cmocka_unit_test(a_database_file_is_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
