/* erpsync pull against acusim: the behaviours that must hold (DESIGN.md,
 * "No lost change"): records sharing one timestamp, changes while pages
 * are read, a late commit, a time zone with DST; and what a user sees:
 * counts, exit statuses, the requests a run costs. Each scenario runs the
 * real erpsync program on its own acusim and store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pty.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/timeutil.h"
#include "harness.h"
#include "pull_check.h"




/* Run `erpsync sync ARGS...` and check its exit status. */
static void sync_expect(struct pc_scene *s, int status, const char *a1, const char *a2)
{
    const char *args[] = {"sync", "--quiet", a1, a2, NULL};
    struct it_run r;
    it_erpsync(&r, s->dir, args, 300);
    if (r.status != status)
        fail_msg("erpsync sync: exit %d, expected %d:\n%s", r.status, status, r.out);
    it_run_free(&r);
}


static void put_customer(struct pc_scene *s, const char *id, const char *name)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"CustomerID\":{\"value\":\"%s\"},\"CustomerName\":{\"value\":\"%s\"}}", id, name);
    struct it_resp r;
    it_put(&s->cl, "Customer", body, &r);
    if (r.status != 200)
        fail_msg("PUT Customer %s: %ld %s", id, r.status, r.body);
    it_resp_free(&r);
}

/* 5,000 customers saved by one mass update share one timestamp; read in
 * pages of 100, every one arrives, and only once. */
static void records_sharing_one_timestamp_arrive_once(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "none", "--customers", "5000", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 100\n");
    pc_control(&s, "POST", "touch", "{\"entity\":\"Customer\",\"field\":\"Terms\",\"value\":\"MASS\"}");
    sync_expect(&s, 0, "--only", "customers");
    assert_int_equal(pc_count(s.dir, "customers", NULL), 5000);
    assert_int_equal(pc_distinct_keys(s.dir, "customers"), 5000);
    assert_int_equal(pc_last_run(s.dir, "customers", "fetched"), 5000);
    assert_int_equal(pc_last_run(s.dir, "customers", "created"), 5000);
    assert_int_equal(pc_last_run(s.dir, "customers", "requests"), 51); /* 50 full pages + 1 */
    /* Another mass update: the next run updates all 5,000, once each. */
    pc_control(&s, "POST", "touch", "{\"entity\":\"Customer\",\"field\":\"Terms\",\"value\":\"NET30\"}");
    sync_expect(&s, 0, "--only", "customers");
    assert_int_equal(pc_last_run(s.dir, "customers", "updated"), 5000);
    assert_int_equal(pc_last_run(s.dir, "customers", "created"), 0);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* Inserts, updates and deletes at a high rate while pages are read: after
 * one more run the store equals acusim, field by field. */
static void changes_while_reading_then_store_equals_erp(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 20\nreconcile_interval = 1s\n");
    /* Slow pages, so that the ERP changes under the reader. */
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":15,\"count\":1000}");
    pc_control(&s, "POST", "mutate",
               "{\"rate\":400,\"insert\":30,\"update\":50,\"delete\":20,\"entities\":[\"Customer\"]}");
    sync_expect(&s, 0, "--only", "customers");
    pc_control(&s, "DELETE", "mutate", NULL);
    pc_control(&s, "DELETE", "faults", NULL);
    /* Whatever the mutator managed on a busy machine, three customers the
     * store holds are deleted now: the next run must find them. */
    int deleted = 0;
    for (int i = 1; i <= 500 && deleted < 3; i++) {
        char sql[160], path[64];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM customers WHERE customer_id ="
                                   " 'C%09d' AND sync_status = 'synced'", i);
        if (pc_scalar(s.dir, sql) != 1)
            continue;
        snprintf(path, sizeof(path), "records/Customer/C%09d", i);
        struct it_resp r;
        it_control(&s.cl, "DELETE", path, NULL, &r);
        deleted += r.status / 100 == 2;
        it_resp_free(&r);
    }
    assert_int_equal(deleted, 3);
    it_sleep_ms(1100); /* the reconcile interval */
    sync_expect(&s, 0, "--only", "customers");
    assert_true(pc_last_run(s.dir, "customers", "deleted") >= 3);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* A save that took its timestamp before a run's window closed but became
 * visible after the run read the window is found by the next run (the
 * overlap). */
static void late_commit_inside_the_overlap_is_not_lost(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, "[sync]\noverlap = 1m\n");
    sync_expect(&s, 0, "--only", "customers");
    pc_control(&s, "PUT", "records/Customer?commit_delay_ms=4000",
               "{\"CustomerID\":{\"value\":\"LATE01\"},\"CustomerName\":{\"value\":\"Late\"}}");
    it_sleep_ms(2100); /* the window's upper bound is now past the save's stamp */
    sync_expect(&s, 0, "--only", "customers");
    assert_int_equal(pc_count(s.dir, "customers", NULL), 20); /* not visible yet */
    it_sleep_ms(2100); /* committed now */
    sync_expect(&s, 0, "--only", "customers");
    assert_int_equal(pc_count(s.dir, "customers", NULL), 21);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* The API user's zone is America/New_York and the ERP's clock crosses the
 * end of daylight saving time (2026-11-01 06:00 UTC) between and during
 * runs: every record arrives, its time normalised to UTC. */
static void dst_change_in_a_non_utc_zone(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "none", "--timezone", "America/New_York", NULL};
    pc_scene_start(&s, args, "[sync]\noverlap = 0\npage_size = 7\n");
    /* ERP clock: 2026-11-01T05:40Z = 01:40 EDT. */
    char body[96];
    int64_t target = 1793511600000LL; /* 2026-11-01T05:40:00Z */
    snprintf(body, sizeof(body), "{\"set_shift_ms\":%lld}", (long long)(target - es_now_ms()));
    pc_control(&s, "POST", "clock", body);
    char id[32];
    for (int i = 0; i < 15; i++) {
        snprintf(id, sizeof(id), "EDT%03d", i);
        put_customer(&s, id, "before the change");
    }
    sync_expect(&s, 0, "--only", "customers");
    /* 30 minutes on: 06:10Z = 01:10 EST, an hour of wall time repeated. The
     * test's own session idled out meanwhile (ERP time): sign in again. */
    pc_control(&s, "POST", "clock", "{\"shift_ms\":1800000}");
    it_login(&s.cl);
    for (int i = 0; i < 15; i++) {
        snprintf(id, sizeof(id), "EST%03d", i);
        put_customer(&s, id, "after the change");
    }
    put_customer(&s, "EDT003", "changed after the change");
    sync_expect(&s, 0, "--only", "customers");
    assert_int_equal(pc_count(s.dir, "customers", NULL), 30);
    assert_int_equal(pc_last_run(s.dir, "customers", "created"), 15);
    assert_int_equal(pc_last_run(s.dir, "customers", "updated"), 1);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* Every set of DESIGN.md arrives; a second run without changes costs one
 * request per set (plus sign-in and sign-out). */
static void every_set_loads_and_a_quiet_run_costs_a_request_per_set(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", NULL};
    pc_scene_start(&s, args, "[sync]\nhistory_years = 0\n"); /* every document, to compare */
    sync_expect(&s, 0, NULL, NULL);
    static const enum es_set_id sets[] = {
        ES_SET_CUSTOMERS, ES_SET_CUSTOMER_LOCATIONS, ES_SET_CONTACTS,   ES_SET_STOCK_ITEMS,
        ES_SET_SERVICES,  ES_SET_VENDORS,            ES_SET_PRICE_CLASSES, ES_SET_PRICES,
        ES_SET_PROJECTS,  ES_SET_SALES_ORDERS,       ES_SET_QUOTES,     ES_SET_INVOICES,
        ES_SET_PAYMENTS,  ES_SET_SHIPMENTS,          ES_SET_SERVICE_ORDERS, ES_SET_APPOINTMENTS};
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        const char *name = es_set_info(sets[i])->name;
        if (pc_count(s.dir, name, NULL) <= 0)
            fail_msg("%s: nothing was loaded", name);
        if (sets[i] != ES_SET_PRICES) /* an inquiry: every row, not a history window */
            pc_store_equals_erp(&s.cl, s.dir, sets[i]);
    }
    const char *args2[] = {"sync", NULL};
    struct it_run run;
    it_erpsync(&run, s.dir, args2, 120);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.out, "(incremental): ok"));
    assert_non_null(strstr(run.out, " 18 requests")); /* 16 sets, sign-in, sign-out */
    it_run_free(&run);
    pc_scene_stop(&s);
}

/* The initial load takes the documents of the last history_years only
 * (their date), all master data; later changes to older documents still
 * arrive. */
static void history_window_bounds_the_initial_load(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", NULL};
    pc_scene_start(&s, args, "[sync]\nhistory_years = 1\n");
    sync_expect(&s, 0, "--only", "customers,sales_orders");
    long loaded = pc_count(s.dir, "sales_orders", NULL);
    struct it_resp r;
    it_control(&s.cl, "GET", "count/SalesOrder?$filter=OrderType%20eq%20'SO'", NULL, &r);
    long all = (long)cJSON_GetObjectItem(r.json, "count")->valuedouble;
    it_resp_free(&r);
    assert_true(loaded > 0 && loaded < all);
    char cutoff[40], sql[160];
    es_time_format_utc(cutoff, sizeof(cutoff), es_now_ms() - 366LL * 86400000);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM sales_orders WHERE date < '%s'", cutoff);
    assert_int_equal(pc_scalar(s.dir, sql), 0);
    assert_int_equal(pc_count(s.dir, "customers", NULL), 500); /* master data: all */
    pc_scene_stop(&s);
}

/* Prices: a released worksheet brings its prices in the next run; a run
 * with no worksheet changed asks one question and leaves them. */
static void released_prices_arrive(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", "--action-ms", "0", NULL};
    pc_scene_start(&s, args, NULL);
    sync_expect(&s, 0, "--only", "prices");
    long before = pc_count(s.dir, "prices", NULL);
    assert_true(before > 0);
    sync_expect(&s, 0, "--only", "prices");
    assert_int_equal(pc_last_run(s.dir, "prices", "fetched"), 0);
    assert_int_equal(pc_last_run(s.dir, "prices", "requests"), 1);
    struct it_resp r;
    it_get(&s.cl, "StockItem?$top=1&$select=InventoryID", &r);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"Hold\":{\"value\":false},\"SalesPrices\":[{\"PriceType\":{\"value\":\"Base\"},"
             "\"InventoryID\":{\"value\":\"%s\"},\"UOM\":{\"value\":\"EA\"},"
             "\"PendingPrice\":{\"value\":12.5}}]}",
             it_str(cJSON_GetArrayItem(r.json, 0), "InventoryID"));
    it_resp_free(&r);
    it_put(&s.cl, "SalesPriceWorksheet", body, &r);
    assert_int_equal(r.status, 200);
    char action[256];
    snprintf(action, sizeof(action), "{\"entity\":{\"ReferenceNbr\":{\"value\":\"%s\"}}}",
             it_str(r.json, "ReferenceNbr"));
    it_resp_free(&r);
    it_req(&s.cl, "POST", "/entity/Default/24.200.001/SalesPriceWorksheet/ReleaseSalesPriceWorksheet",
           action, NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
    sync_expect(&s, 0, "--only", "prices");
    assert_int_equal(pc_last_run(s.dir, "prices", "created"), 1);
    assert_int_equal(pc_count(s.dir, "prices", NULL), before + 1);
    pc_scene_stop(&s);
}

/* full_sync_next_run: the next run is full (deletions found), once; an
 * edit of the file asks again. */
static void full_sync_next_run_happens_once(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, "[sync]\nfull_sync_next_run = true\n");
    struct it_run r;
    const char *a[] = {"sync", "--only", "customers", NULL};
    it_erpsync(&r, s.dir, a, 60);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "(full): ok"));
    it_run_free(&r);
    struct it_resp d;
    it_req(&s.cl, "DELETE", "/entity/Default/24.200.001/Customer/C000000002", NULL, NULL, &d);
    assert_int_equal(d.status, 204);
    it_resp_free(&d);
    it_erpsync(&r, s.dir, a, 60);
    assert_non_null(strstr(r.out, "(incremental): ok"));
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", "deleted"), 0); /* not seen yet */
    it_sleep_ms(1100); /* a new modification time for the file */
    it_write_config(s.ini, sizeof(s.ini), s.dir, &s.sim, "[sync]\nfull_sync_next_run = true\n");
    it_erpsync(&r, s.dir, a, 60);
    assert_non_null(strstr(r.out, "(full): ok"));
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "customers", "deleted"), 1);
    pc_scene_stop(&s);
}

/* last_modified_since_days bounds what a run reads; requests are paced to
 * requests_per_minute. */
static void since_days_and_pacing(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "small", NULL};
    pc_scene_start(&s, args, "[sync]\nlast_modified_since_days = 30\npage_size = 50\n"
                          "[limits]\nrequests_per_minute = 240\n");
    struct it_resp r;
    char filter[128], path[256];
    char since[40];
    es_time_format_utc(since, sizeof(since), es_now_ms() - 30LL * 86400000 + 60000);
    snprintf(filter, sizeof(filter), "LastModifiedDateTime ge datetimeoffset'%s'", since);
    snprintf(path, sizeof(path), "count/Customer?$filter=%s", it_esc(filter));
    it_control(&s.cl, "GET", path, NULL, &r);
    long recent = (long)cJSON_GetObjectItem(r.json, "count")->valuedouble;
    it_resp_free(&r);
    assert_true(recent > 0 && recent < 500);
    struct it_run run;
    const char *a[] = {"sync", "--only", "customers", NULL};
    it_erpsync(&run, s.dir, a, 120);
    assert_int_equal(run.status, 0);
    long got = pc_count(s.dir, "customers", NULL);
    assert_true(got >= recent && got <= recent + 5); /* a minute of slack at the bound */
    /* 240 a minute: at least 250 ms between the requests' starts. */
    long requests = pc_last_run(s.dir, "customers", "requests");
    assert_true(requests >= 2);
    assert_true(run.seconds >= 0.25 * (double)requests - 0.05);
    it_run_free(&run);
    pc_scene_stop(&s);
}

/* On a terminal: a progress line with records/s, and with the share done
 * and the time left when the total can be told (a full run of a set the
 * store already holds); a line per set when it is done. */
static void progress_on_a_terminal(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "medium", NULL};
    pc_scene_start(&s, args, "[sync]\npage_size = 500\n");
    sync_expect(&s, 0, "--only", "customers");
    struct it_resp r;
    it_control(&s.cl, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":120,\"count\":1000}",
               &r);
    it_resp_free(&r);
    char cfg[600];
    snprintf(cfg, sizeof(cfg), "%s/erpsync.ini", s.dir);
    int fd;
    pid_t pid = forkpty(&fd, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(ERPSYNC_BIN, ERPSYNC_BIN, "-c", cfg, "sync", "--full", "--only", "customers",
              (char *)NULL);
        _exit(127);
    }
    char out[65536];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof(out) - 1 && (k = read(fd, out + n, sizeof(out) - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    int st;
    waitpid(pid, &st, 0);
    close(fd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (!strstr(out, "records") || !strstr(out, "/s") || !strstr(out, "% ") ||
        !strstr(out, "s left") || !strstr(out, "\r"))
        fail_msg("no progress line in:\n%s", out);
    assert_non_null(strstr(out, "customers              10000 records in"));
    pc_scene_stop(&s);
}

/* The 23.200.001 endpoint: StockItem's modified field is LastModified
 * there, SalesInvoice has no ExternalRef; every set still loads. */
static void endpoint_23_200_001(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "version = 23.200.001\n",
                        "[sync]\nhistory_years = 0\n");
    sync_expect(&s, 0, NULL, NULL);
    assert_int_equal(pc_count(s.dir, "stock_items", NULL), 15);
    assert_true(pc_count(s.dir, "invoices", NULL) > 0);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM invoices WHERE external_ref IS NOT NULL"), 0);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM stock_items WHERE erp_modified IS NULL"), 0);
    pc_store_equals_erp(&s.cl, s.dir, ES_SET_CUSTOMERS);
    pc_scene_stop(&s);
}

/* Exit statuses a script can act on. */
static void exit_statuses(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, "[limits]\nretries = 1\n");
    /* A page broken past the retries: the set fails (1), the others sync;
     * the next run is clean (0). */
    pc_control(&s, "POST", "faults", "{\"kind\":\"malformed\",\"path\":\"/Vendor\",\"count\":2}");
    const char *a[] = {"sync", NULL};
    struct it_run r;
    it_erpsync(&r, s.dir, a, 120);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "vendors"));
    assert_non_null(strstr(r.out, "not valid JSON"));
    it_run_free(&r);
    sync_expect(&s, 0, NULL, NULL);
    /* Refused credentials: 3. */
    it_write_config(s.ini, sizeof(s.ini), s.dir, &s.sim, NULL);
    FILE *f = fopen(s.ini, "w");
    fprintf(f, "[acumatica]\nurl = %s\ntenant = Company\nusername = admin\npassword = nope\n"
               "[store]\nurl = sqlite:%s/erpsync.db\n", s.sim.base, s.dir);
    fclose(f);
    it_erpsync(&r, s.dir, a, 120);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "Invalid credentials"));
    it_run_free(&r);
    /* Nobody listening: 3, after the retries. */
    f = fopen(s.ini, "w");
    fprintf(f, "[acumatica]\nurl = http://127.0.0.1:9\ntenant = Company\nusername = admin\n"
               "password = 123\n[store]\nurl = sqlite:%s/erpsync.db\n[limits]\nretries = 1\n",
            s.dir);
    fclose(f);
    it_erpsync(&r, s.dir, a, 120);
    assert_int_equal(r.status, 3);
    it_run_free(&r);
    /* A bad configuration: 2, with the line. */
    f = fopen(s.ini, "w");
    fprintf(f, "[acumatica]\nurl = %s\ntenant = Company\nusername = admin\npassword = 123\n"
               "[sync]\npage_size = lots\n",
            s.sim.base);
    fclose(f);
    it_erpsync(&r, s.dir, a, 120);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.out, "erpsync.ini:7: page_size"));
    it_run_free(&r);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_sharing_one_timestamp_arrive_once),
        cmocka_unit_test(changes_while_reading_then_store_equals_erp),
        cmocka_unit_test(late_commit_inside_the_overlap_is_not_lost),
        cmocka_unit_test(dst_change_in_a_non_utc_zone),
        cmocka_unit_test(every_set_loads_and_a_quiet_run_costs_a_request_per_set),
        cmocka_unit_test(history_window_bounds_the_initial_load),
        cmocka_unit_test(released_prices_arrive),
        cmocka_unit_test(full_sync_next_run_happens_once),
        cmocka_unit_test(since_days_and_pacing),
        cmocka_unit_test(progress_on_a_terminal),
        cmocka_unit_test(endpoint_23_200_001),
        cmocka_unit_test(exit_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
