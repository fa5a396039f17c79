/* The push (erpsync sync --push) against acusim: application rows marked
 * pending reach Acumatica once, with their reference; refusals keep
 * Acumatica's reasons; dependencies wait; ambiguous outcomes are looked up
 * before anything is sent again (drop-after-commit, 500s, timeouts, kill
 * -9); conflicts are decided and recorded; the licence's concurrency is
 * used and never exceeded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "erpsync/timeutil.h"
#include "pull_check.h"

static int run_erpsync(struct pc_scene *s, struct it_run *r, const char *a1, const char *a2,
                       const char *a3)
{
    const char *args[] = {a1, a2, a3, NULL};
    it_erpsync(r, s->dir, args, 300);
    return r->status;
}

/* `erpsync sync --quiet` plus arguments; its output is kept in out. */
static int sync_run(struct pc_scene *s, const char *a2, const char *a3, struct it_run *out)
{
    const char *args[] = {"sync", "--quiet", a2, a3, NULL};
    it_erpsync(out, s->dir, args, 300);
    return out->status;
}

static void sync_ok(struct pc_scene *s, const char *a2, const char *a3)
{
    struct it_run r;
    if (sync_run(s, a2, a3, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
}

/* How many documents of the entity carry each application reference
 * starting with prefix: asserts every one is there exactly once, and
 * returns how many there are. */
static long refs_exactly_once(struct pc_scene *s, const char *entity, const char *field,
                              const char *prefix)
{
    char path[256];
    snprintf(path, sizeof(path), "extref/%s?field=%s", entity, field);
    struct it_resp r;
    it_control(&s->cl, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    long n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(r.json, "counts"))
    {
        if (strncmp(c->string, prefix, strlen(prefix)))
            continue;
        if (c->valuedouble != 1)
            fail_msg("%s %s = %s: %g documents", entity, field, c->string, c->valuedouble);
        n++;
    }
    it_resp_free(&r);
    return n;
}

static void start(struct pc_scene *s, const char *const *sim_args, const char *extra)
{
    pc_scene_start(s, sim_args, extra);
    sync_ok(s, "--pull", NULL); /* the initial load: what the application starts from */
}

/* ---- scenarios ---- */

/* A customer and orders created in the application reach Acumatica with
 * their lines; keys, ids and times come back; a refusal keeps Acumatica's
 * reason with its field path, stays failed until retried, and a second
 * run sends nothing again. */
static void customer_and_orders_are_pushed(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, NULL);
    const char *item = "BLN00005";
    long cust = pc_app_sql(s.dir,
                        "INSERT INTO customers(sync_status, customer_id, name, customer_class,"
                        " email, city, country) VALUES('pending', 'WEB0001', 'Web Buyer',"
                        " 'DEFAULT', 'buyer@example.com', 'Boston', 'US')");
    long good = pc_app_order(s.dir, "sales_orders", "WEB0001", item, 3);
    long bad = pc_app_order(s.dir, "sales_orders", "C000000002", "NO-SUCH-ITEM", 1);
    long quote = pc_app_order(s.dir, "quotes", "C000000003", item, 5);
    long typo = pc_app_order(s.dir, "sales_orders", "C000000004", item, 1);
    /* A new customer whose key Acumatica has already: If-None-Match refuses. */
    long dup = pc_app_sql(s.dir, "INSERT INTO customers(sync_status, customer_id, name)"
                              " VALUES('pending', 'C000000002', 'Same key')");
    pc_app_sql(s.dir, "UPDATE sales_order_lines SET order_qty = 'lots' WHERE parent_id = %ld", typo);
    struct it_run r;
    assert_int_equal(sync_run(&s, "--push", NULL, &r), 1); /* one record failed */
    assert_non_null(strstr(r.out, "some records"));
    it_run_free(&r);

    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status || erp_key FROM customers WHERE"
                                        " id = %ld", cust),
                        "syncedWEB0001");
    assert_true(strlen(pc_app_text(s.dir, "SELECT erp_id FROM customers WHERE id = %ld", cust)) > 30);
    assert_true(*pc_app_text(s.dir, "SELECT erp_modified FROM customers WHERE id = %ld", cust));
    cJSON *c = pc_erp_get(&s, "Customer/WEB0001");
    assert_string_equal(it_str(c, "CustomerName"), "Web Buyer");
    cJSON_Delete(c);

    char key[64];
    snprintf(key, sizeof(key), "%s",
             pc_app_text(s.dir, "SELECT erp_key FROM sales_orders WHERE id = %ld AND"
                             " sync_status = 'synced'", good));
    assert_true(!strncmp(key, "SO|", 3));
    cJSON *o = pc_erp_get(&s, "SalesOrder/SO/%s?$expand=Details", key + 3);
    char ref[32];
    snprintf(ref, sizeof(ref), "ES-SO-%ld", good);
    assert_string_equal(it_str(o, "CustomerOrder"), ref);
    assert_string_equal(it_str(o, "CustomerID"), "WEB0001");
    const cJSON *lines = cJSON_GetObjectItem(o, "Details");
    assert_int_equal(cJSON_GetArraySize(lines), 1);
    assert_string_equal(it_str(cJSON_GetArrayItem(lines, 0), "InventoryID"), item);
    assert_true(it_num(cJSON_GetArrayItem(lines, 0), "OrderQty") == 3);
    cJSON_Delete(o);
    assert_string_equal(pc_app_text(s.dir, "SELECT customer_order FROM sales_orders WHERE id = %ld",
                                 good),
                        ref);
    assert_string_equal(pc_app_text(s.dir, "SELECT order_type FROM quotes WHERE id = %ld", quote),
                        "QT");
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM quotes WHERE id = %ld", quote),
                        "synced");

    /* The refusal: Acumatica's words, the field path, one attempt. */
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status || ' ' || attempts FROM sales_orders"
                                        " WHERE id = %ld", bad),
                        "failed 1");
    const char *note = pc_app_text(s.dir, "SELECT last_error FROM sales_orders WHERE id = %ld", bad);
    assert_non_null(strstr(note, "Details[0].InventoryID"));
    assert_non_null(strstr(note, "cannot be found"));
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status || ' ' || last_error FROM customers"
                                        " WHERE id = %ld", dup),
                        "failed HTTP 412: The record already exists. (sent as new"
                        " (If-None-Match: *), but Acumatica has a record with this key"
                        " already)");
    c = pc_erp_get(&s, "Customer/C000000002");
    assert_string_not_equal(it_str(c, "CustomerName"), "Same key"); /* not overwritten */
    cJSON_Delete(c);
    /* A value erpsync cannot send: refused before anything goes out. */
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status || ' ' || last_error FROM"
                                        " sales_orders WHERE id = %ld", typo),
                        "failed not sent: sales_order_lines line 1: order_qty = 'lots' is not a"
                        " number");
    assert_int_equal(run_erpsync(&s, &r, "failed", NULL, NULL), 0);
    assert_non_null(strstr(r.out, "Details[0].InventoryID"));
    assert_non_null(strstr(r.out, "order_qty = 'lots'"));
    it_run_free(&r);

    /* Failed stays failed: a run sends nothing, creates nothing twice. */
    sync_ok(&s, "--push", NULL);
    assert_int_equal(pc_last_run(s.dir, "sales_orders", "requests"), 0);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 1);

    /* The application fixes the line; retry marks it again. */
    pc_app_sql(s.dir, "UPDATE sales_order_lines SET inventory_id = '%s' WHERE parent_id = %ld", item,
            bad);
    char idkey[32];
    snprintf(idkey, sizeof(idkey), "id:%ld", bad);
    assert_int_equal(run_erpsync(&s, &r, "retry", "sales_orders", idkey), 0);
    it_run_free(&r);
    sync_ok(&s, "--push", NULL);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld",
                                 bad),
                        "synced");
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 2);
    assert_int_equal(run_erpsync(&s, &r, "failed", NULL, NULL), 0);
    assert_null(strstr(r.out, "InventoryID"));
    assert_non_null(strstr(r.out, "order_qty = 'lots'"));
    it_run_free(&r);
    pc_scene_stop(&s);
}

/* Records wait for what they depend on: an order whose customer Acumatica
 * refused waits with a note naming it; a new item and the order using it
 * go in one run, the item first; a payment applied to an application
 * invoice goes after the invoice and is released. */
static void dependencies_wait_and_payments_are_released(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--action-ms", "200", NULL};
    start(&s, args, NULL);
    long cust = pc_app_sql(s.dir, "INSERT INTO customers(sync_status, customer_id, name)"
                               " VALUES('pending', 'WEB0002', '')");
    long waiting = pc_app_order(s.dir, "sales_orders", "WEB0002", "BLN00005", 1);
    long item = pc_app_sql(s.dir, "INSERT INTO stock_items(sync_status, inventory_id, description,"
                               " item_class, base_uom, default_price) VALUES('pending', 'NEWITEM1',"
                               " 'New item', 'STOCKITEM', 'EA', 9.5)");
    long uses = pc_app_order(s.dir, "sales_orders", "C000000001", "NEWITEM1", 2);
    long inv = pc_app_sql(s.dir, "INSERT INTO invoices(sync_status, customer_id, description)"
                              " VALUES('pending', 'C000000001', 'web invoice')");
    pc_app_sql(s.dir, "INSERT INTO invoice_lines(parent_id, inventory_id, qty, unit_price)"
                   " VALUES(%ld, 'BLN00005', 2, 50)",
            inv);
    long pay = pc_app_sql(s.dir, "INSERT INTO payments(sync_status, customer_id, payment_method,"
                              " payment_amount, description) VALUES('pending', 'C000000001',"
                              " 'CHECK', 100, 'web payment')");
    pc_app_sql(s.dir, "INSERT INTO payment_applications(parent_id, invoice_row_id, amount_paid)"
                   " VALUES(%ld, %ld, 100)",
            pay, inv);
    struct it_run r;
    assert_int_equal(sync_run(&s, "--push", NULL, &r), 1);
    it_run_free(&r);

    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM customers WHERE id = %ld", cust),
                        "failed");
    assert_non_null(strstr(pc_app_text(s.dir, "SELECT last_error FROM customers WHERE id = %ld",
                                    cust),
                           "cannot be empty"));
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld",
                                 waiting),
                        "pending");
    assert_non_null(strstr(pc_app_text(s.dir, "SELECT last_error FROM sales_orders WHERE id = %ld",
                                    waiting),
                           "waits for customers 'WEB0002' (failed"));
    assert_int_equal(pc_last_run(s.dir, "sales_orders", "waiting"), 1);
    assert_int_equal(run_erpsync(&s, &r, "failed", "--waiting", NULL), 0);
    assert_non_null(strstr(r.out, "pending: waits for customers 'WEB0002' (failed"));
    it_run_free(&r);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM stock_items WHERE id = %ld", item),
                        "synced");
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld", uses),
                        "synced");

    /* The invoice, then the payment applied to it, released. */
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM invoices WHERE id = %ld", inv),
                        "synced");
    char inv_key[64];
    snprintf(inv_key, sizeof(inv_key), "%s",
             pc_app_text(s.dir, "SELECT reference_nbr FROM invoices WHERE id = %ld", inv));
    assert_true(inv_key[0]);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM payments WHERE id = %ld", pay),
                        "synced");
    char pay_ref[64];
    snprintf(pay_ref, sizeof(pay_ref), "%s",
             pc_app_text(s.dir, "SELECT reference_nbr FROM payments WHERE id = %ld", pay));
    cJSON *p = pc_erp_get(&s, "Payment/Payment/%s?$expand=DocumentsToApply", pay_ref);
    assert_string_equal(it_str(p, "Status"), "Closed"); /* released, wholly applied */
    const cJSON *app = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "DocumentsToApply"), 0);
    assert_non_null(app);
    assert_string_equal(it_str(app, "ReferenceNbr"), inv_key);
    cJSON_Delete(p);
    assert_string_equal(pc_app_text(s.dir, "SELECT status FROM payments WHERE id = %ld", pay),
                        "Closed");
    cJSON *in = pc_erp_get(&s, "SalesInvoice/Invoice/%s", inv_key);
    assert_true(it_num(in, "Balance") == 0); /* released, then paid */
    cJSON_Delete(in);

    /* The customer fixed and marked again: it goes, then its order. */
    pc_app_sql(s.dir, "UPDATE customers SET name = 'Fixed Name', sync_status = 'pending' WHERE"
                   " id = %ld",
            cust);
    sync_ok(&s, "--push", NULL);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld",
                                 waiting),
                        "synced");
    pc_scene_stop(&s);
}

/* A thousand orders pushed while acusim commits some PUTs and then drops
 * the connection, answers 500 to others, resets or declines (429) others
 * and holds others past the client's timeout: every order exists in
 * Acumatica exactly once, and every row ends synced. */
static void thousand_pushes_under_faults_exactly_once(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "4", NULL};
    start(&s, args, NULL);
    /* Four workers, ten retries, and a timeout of 2 s: the delayed PUTs
     * below commit after erpsync gave up on them. */
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 2s\n",
                        "[limits]\nconcurrent_requests = 4\nretries = 10\n");
    sqlite3 *db = pc_app_db(s.dir);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; i < 1000; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO sales_orders(sync_status, customer_id, description)"
                 " VALUES('pending', 'C00000000%d', 'order %d');"
                 "INSERT INTO sales_order_lines(parent_id, inventory_id, order_qty)"
                 " VALUES(last_insert_rowid(), 'BLN00005', %d);",
                 1 + i % 9, i, 1 + i % 5);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"drop\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"count\":100000,"
               "\"probability\":0.12}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":500,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000,\"probability\":0.08}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"reset\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"count\":100000,"
               "\"probability\":0.04}");
    pc_control(&s, "POST", "faults", /* declined, not processed: sent again */
               "{\"kind\":\"status\",\"status\":429,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000,\"probability\":0.02}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"delay_ms\":2500,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":40}");
    struct it_run r;
    int rc = sync_run(&s, "--push", NULL, &r);
    if (rc)
        fail_msg("exit %d:\n%s", rc, r.out);
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "sales_orders", "unknown"), 0);
    assert_int_equal(pc_count(s.dir, "sales_orders", "pending"), 0);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM sales_orders WHERE sync_status ="
                                      " 'synced' AND customer_order LIKE 'ES-SO-%'"),
                     1000);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 1000);
    /* The faults did happen: lost answers were looked up, 500s resent. */
    assert_true(pc_last_run(s.dir, "sales_orders", "requests") > 1150);
    /* Each row holds the number of its own order. */
    assert_int_equal(pc_scalar(s.dir, "SELECT count(DISTINCT erp_key) FROM sales_orders WHERE"
                                      " customer_order LIKE 'ES-SO-%'"),
                     1000);
    pc_scene_stop(&s);
}

/* Trouble that outlasts the retries is not a failure: the row keeps its
 * unknown state with a note and a time before which it is not sent again;
 * then it is looked up, sent, and in Acumatica once. */
static void trouble_waits_and_is_not_a_failure(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, NULL);
    it_write_config(s.ini, sizeof(s.ini), s.dir, &s.sim, "[limits]\nretries = 1\n");
    long id = pc_app_order(s.dir, "sales_orders", "C000000003", "BLN00005", 2);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":503,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":2}");
    struct it_run r; /* not a failure, but not done either: exit 5 */
    assert_int_equal(sync_run(&s, "--push", NULL, &r), 5);
    assert_non_null(strstr(r.out, "1 record sent without an answer"));
    it_run_free(&r);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld", id),
                        "unknown");
    assert_non_null(strstr(pc_app_text(s.dir, "SELECT last_error FROM sales_orders WHERE id = %ld",
                                    id),
                           "looked up in Acumatica before any resend"));
    assert_int_equal(pc_last_run(s.dir, "sales_orders", "waiting"), 1);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM sales_orders WHERE next_attempt_ms >"
                                      " 0"),
                     1);
    /* Not due yet: the next run leaves it alone (and says it waits). */
    assert_int_equal(sync_run(&s, "--push", NULL, &r), 5);
    it_run_free(&r);
    assert_int_equal(pc_last_run(s.dir, "sales_orders", "requests"), 0);
    /* Its time come (the test moves it rather than wait 30 s): looked up,
     * not there, sent once. */
    pc_app_sql(s.dir, "UPDATE sales_orders SET next_attempt_ms = 1 WHERE id = %ld", id);
    sync_ok(&s, "--push", NULL);
    assert_string_equal(pc_app_text(s.dir, "SELECT sync_status FROM sales_orders WHERE id = %ld", id),
                        "synced");
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 1);
    pc_scene_stop(&s);
}

/* kill -9 at random points of a push run, three times, with answers
 * dropped after commits; then a run to the end: every order once. */
static void kill_9_during_push_then_restart(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-sessions", "10", NULL};
    start(&s, args, NULL);
    for (int i = 0; i < 300; i++)
        pc_app_order(s.dir, "sales_orders", "C000000004", "BLN00005", 1 + i % 3);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"delay_ms\":15,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000}");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"drop\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"count\":100000,"
               "\"probability\":0.1}");
    srand((unsigned)es_now_ms());
    const char *push[] = {"sync", "--push", "--quiet", NULL};
    long before = 0;
    for (int k = 0; k < 3; k++) {
        pid_t pid = it_erpsync_bg(s.dir, push);
        for (int t = 0; t < 400 && pc_count(s.dir, "sales_orders", "synced") < before + 20; t++)
            it_sleep_ms(50);
        it_sleep_ms(rand() % 300);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        long now = pc_count(s.dir, "sales_orders", "synced");
        assert_true(now > before);
        before = now;
    }
    pc_control(&s, "DELETE", "faults", NULL);
    sync_ok(&s, "--push", NULL);
    assert_int_equal(pc_scalar(s.dir, "SELECT count(*) FROM sales_orders WHERE customer_order"
                                      " LIKE 'ES-SO-%' AND sync_status = 'synced'"),
                     300);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 300);
    pc_scene_stop(&s);
}

/* Four workers against a licence of four concurrent requests: all four
 * are used, none waits in acusim's queue, nothing is declined. */
static void concurrency_is_used_and_never_exceeded(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--max-concurrent", "4", NULL};
    start(&s, args, "[limits]\nconcurrent_requests = 4\n");
    for (int i = 0; i < 120; i++)
        pc_app_order(s.dir, "sales_orders", "C000000005", "BLN00005", 1);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"delay_ms\":40,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000}");
    pc_control(&s, "POST", "limits", "{\"reset\":true}"); /* counters from here */
    sync_ok(&s, "--push", NULL);
    struct it_resp r;
    it_control(&s.cl, "GET", "limits", NULL, &r);
    assert_int_equal((long)cJSON_GetObjectItem(r.json, "max_running")->valuedouble, 4);
    assert_int_equal((long)cJSON_GetObjectItem(r.json, "max_queued")->valuedouble, 0);
    assert_int_equal((long)cJSON_GetObjectItem(r.json, "declined")->valuedouble, 0);
    it_resp_free(&r);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 120);
    pc_scene_stop(&s);
}


/* One new row of every other set the push serves, in one run: each is in
 * Acumatica with its values and reference, and synced. (A contact, whose
 * key is a number Acumatica gives, once crashed the body building.) */
static void every_set_is_pushed(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, NULL);
    pc_app_sql(s.dir, "INSERT INTO customers(sync_status, customer_id, name) VALUES('pending',"
                   " 'WEB0100', 'Every Set Co');"
                   "INSERT INTO customer_locations(sync_status, customer_id, location_id,"
                   " location_name, city) VALUES('pending', 'WEB0100', 'SHIP2', 'Loading dock',"
                   " 'Denver');"
                   "INSERT INTO contacts(sync_status, first_name, last_name, email,"
                   " business_account) VALUES('pending', 'Ada', 'Lovelace', 'ada@example.com',"
                   " 'WEB0100');"
                   "INSERT INTO services(sync_status, inventory_id, description, base_unit,"
                   " default_price) VALUES('pending', 'SVCNEW1', 'Install', 'HOUR', 80);"
                   "INSERT INTO vendors(sync_status, vendor_id, name) VALUES('pending', 'VNEW01',"
                   " 'New Vendor');"
                   "INSERT INTO service_orders(sync_status, customer_id, description)"
                   " VALUES('pending', 'WEB0100', 'fix the oven');"
                   "INSERT INTO service_order_lines(parent_id, line_type, inventory_id,"
                   " estimated_qty) VALUES(last_insert_rowid(), 'Service', 'SVCNEW1', 2);"
                   "INSERT INTO purchase_orders(sync_status, vendor_id, description)"
                   " VALUES('pending', 'VNEW01', 'restock');"
                   "INSERT INTO purchase_order_lines(parent_id, inventory_id, order_qty, unit_cost)"
                   " VALUES(last_insert_rowid(), 'BLN00005', 5, 3);");
    sync_ok(&s, "--push", NULL);
    const char *tables[] = {"customers", "customer_locations", "contacts", "services", "vendors",
                            "service_orders", "purchase_orders"};
    for (int i = 0; i < 7; i++)
        if (pc_count(s.dir, tables[i], "synced") != pc_count(s.dir, tables[i], NULL))
            fail_msg("%s: not every row synced", tables[i]);
    cJSON *j = pc_erp_get(&s, "CustomerLocation/WEB0100/SHIP2");
    assert_string_equal(it_str(j, "LocationName"), "Loading dock");
    cJSON_Delete(j);
    j = pc_erp_get(&s, "Contact/%s", pc_app_text(s.dir, "SELECT erp_key FROM contacts WHERE"
                                                   " email = 'ada@example.com'"));
    assert_string_equal(it_str(j, "LastName"), "Lovelace");
    assert_true(!strncmp(it_str(j, "ExtRefNbr"), "ES-CT-", 6));
    cJSON_Delete(j);
    j = pc_erp_get(&s, "NonStockItem/SVCNEW1");
    assert_string_equal(it_str(j, "Description"), "Install");
    cJSON_Delete(j);
    j = pc_erp_get(&s, "Vendor/VNEW01");
    assert_string_equal(it_str(j, "VendorName"), "New Vendor");
    cJSON_Delete(j);
    char key[64];
    snprintf(key, sizeof(key), "%s",
             pc_app_text(s.dir, "SELECT service_order_nbr FROM service_orders WHERE description ="
                             " 'fix the oven'"));
    j = pc_erp_get(&s, "ServiceOrder/MRO/%s", key);
    assert_true(!strncmp(it_str(j, "ExternalReference"), "ES-WO-", 6));
    cJSON_Delete(j);
    snprintf(key, sizeof(key), "%s",
             pc_app_text(s.dir, "SELECT order_nbr FROM purchase_orders WHERE description ="
                             " 'restock'"));
    j = pc_erp_get(&s, "PurchaseOrder/Normal/%s?$expand=Details", key);
    assert_true(!strncmp(it_str(j, "VendorRef"), "ES-PO-", 6));
    assert_true(it_num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Details"), 0), "OrderQty") == 5);
    cJSON_Delete(j);
    pc_scene_stop(&s);
}

/* OAuth with tokens due for refresh every second, four workers on one
 * grant: one of them refreshes the token while the others have requests in
 * flight (acusim drops the old token at once; a request sent with it gets
 * a 401 and goes again with the new one), and every order goes once, on
 * one grant that is closed at the end. */
static void oauth_workers_share_one_grant(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", "--token-seconds", "61", "--max-concurrent", "4",
                          NULL};
    start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, IT_OAUTH,
                        "[limits]\nconcurrent_requests = 4\n");
    for (int i = 0; i < 160; i++)
        pc_app_order(s.dir, "sales_orders", "C000000006", "BLN00005", 1);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"delay_ms\":40,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":100000}");
    long tokens = pc_token_requests(&s);
    sync_ok(&s, "--push", NULL);
    assert_true(pc_token_requests(&s) - tokens >= 2); /* the grant, then a refresh or more */
    assert_int_equal(pc_count(s.dir, "sales_orders", "pending") +
                         pc_count(s.dir, "sales_orders", "unknown"),
                     0);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 160);
    assert_int_equal(pc_open_sessions(&s), 1); /* the test's own: erpsync signed out */
    pc_scene_stop(&s);
}

/* Acumatica refusing the session even after a new sign-in (401) is not the
 * records' fault: the set stops, nothing is marked failed, and the next run
 * pushes them (each once). */
static void a_refused_session_stops_without_failing_records(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, NULL);
    for (int i = 0; i < 3; i++)
        pc_app_order(s.dir, "sales_orders", "C000000002", "BLN00005", 1);
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"status\",\"status\":401,\"method\":\"PUT\",\"path\":\"SalesOrder\","
               "\"count\":2}");
    struct it_run r;
    assert_int_not_equal(sync_run(&s, "--push", NULL, &r), 0);
    assert_non_null(strstr(r.out, "401"));
    it_run_free(&r);
    assert_int_equal(pc_count(s.dir, "sales_orders", "failed"), 0);
    pc_control(&s, "DELETE", "faults", NULL);
    sync_ok(&s, "--push", NULL);
    assert_int_equal(refs_exactly_once(&s, "SalesOrder", "CustomerOrder", "ES-SO-"), 3);
    pc_scene_stop(&s);
}

/* ---- conflicts ---- */

static void erp_edit_customer(struct pc_scene *s, const char *id, const char *name)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"CustomerID\":{\"value\":\"%s\"},\"CustomerName\":{\"value\":"
                                 "\"%s\"}}",
             id, name);
    pc_control(s, "PUT", "records/Customer", body);
}

static void app_edit_customer(struct pc_scene *s, const char *id, const char *name)
{
    pc_app_sql(s->dir, "UPDATE customers SET name = '%s', sync_status = 'pending' WHERE"
                    " customer_id = '%s'",
            name, id);
}

/* The decision recorded for the customer: "winner|reason|erp_version|app_version". */
static const char *decision(struct pc_scene *s, const char *id)
{
    return pc_app_text(s->dir, "SELECT winner || '|' || reason || '|' || erp_version || '|' ||"
                            " app_version FROM es_conflicts WHERE erp_key = '%s'",
                    id);
}

static void customer_name_is(struct pc_scene *s, const char *id, const char *name)
{
    assert_string_equal(pc_app_text(s->dir, "SELECT name || '/' || sync_status FROM customers WHERE"
                                         " customer_id = '%s'", id),
                        name);
    cJSON *c = pc_erp_get(s, "Customer/%s", id);
    char want[128];
    snprintf(want, sizeof(want), "%s", name);
    *strchr(want, '/') = '\0';
    assert_string_equal(it_str(c, "CustomerName"), want);
    cJSON_Delete(c);
}

/* Both sides edit two customers, one in each order, 1.5 s apart, with the
 * ERP's clock shift_ms off ours: the later edit wins each time, the
 * decision is recorded with both versions, and both sides end equal. */
static void newest_wins_with_skew(long shift_ms)
{
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    char clock[64];
    snprintf(clock, sizeof(clock), "{\"set_shift_ms\":%ld}", shift_ms);
    pc_control(&s, "POST", "clock", clock);
    it_login(&s.cl); /* an hour on, the test's own session was reclaimed */
    sync_ok(&s, "--pull", NULL);
    app_edit_customer(&s, "C000000001", "App first");
    erp_edit_customer(&s, "C000000002", "ERP first");
    it_sleep_ms(1500);
    erp_edit_customer(&s, "C000000001", "ERP later");
    app_edit_customer(&s, "C000000002", "App later");
    struct it_run r;
    if (sync_run(&s, NULL, NULL, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    assert_non_null(strstr(r.out, "2 conflicts: Acumatica's version won 1, the application's 1"));
    it_run_free(&r);

    const char *d1 = decision(&s, "C000000001");
    assert_true(!strncmp(d1, "erp|newest: Acumatica changed it at", 35));
    assert_non_null(strstr(d1, "\"name\":\"ERP later\""));
    assert_non_null(strstr(d1, "\"name\":\"App first\""));
    customer_name_is(&s, "C000000001", "ERP later/synced");
    const char *d2 = decision(&s, "C000000002");
    assert_true(!strncmp(d2, "app|newest:", 11));
    assert_non_null(strstr(d2, "\"name\":\"ERP first\""));
    customer_name_is(&s, "C000000002", "App later/synced"); /* pushed after the pull */

    assert_int_equal(run_erpsync(&s, &r, "conflicts", NULL, NULL), 0);
    assert_non_null(strstr(r.out, "C000000001"));
    assert_non_null(strstr(r.out, "Acumatica wins"));
    assert_non_null(strstr(r.out, "the application wins"));
    it_run_free(&r);
    pc_scene_stop(&s);
}

/* `erpsync sync --push` alone (no pull first) finds conflicts too: before
 * an update it reads Acumatica's record; changed since the last sync, the
 * later change wins as in a full run. */
static void push_alone_finds_conflicts(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, NULL);
    app_edit_customer(&s, "C000000008", "App older");
    erp_edit_customer(&s, "C000000009", "ERP older");
    it_sleep_ms(1500);
    erp_edit_customer(&s, "C000000008", "ERP newer");
    app_edit_customer(&s, "C000000009", "App newer");
    app_edit_customer(&s, "C000000010", "App alone"); /* no conflict: just pushed */
    struct it_run r;
    if (sync_run(&s, "--push", NULL, &r))
        fail_msg("exit %d:\n%s", r.status, r.out);
    assert_non_null(strstr(r.out, "2 conflicts: Acumatica's version won 1, the application's 1"));
    it_run_free(&r);
    assert_true(!strncmp(decision(&s, "C000000008"), "erp|newest:", 11));
    customer_name_is(&s, "C000000008", "ERP newer/synced");
    assert_true(!strncmp(decision(&s, "C000000009"), "app|newest:", 11));
    customer_name_is(&s, "C000000009", "App newer/synced");
    assert_string_equal(decision(&s, "C000000010"), "");
    customer_name_is(&s, "C000000010", "App alone/synced");
    pc_scene_stop(&s);
}

static void conflicts_newest_wins_erp_clock_ahead(void **state)
{
    (void)state;
    newest_wins_with_skew(3600 * 1000L);
}

static void conflicts_newest_wins_erp_clock_behind(void **state)
{
    (void)state;
    newest_wins_with_skew(-3600 * 1000L);
}

/* primary = app and primary = erp decide whatever the times say. */
static void conflicts_primary_overrides(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, "[customers]\nprimary = app\n[stock_items]\nprimary = erp\n");
    app_edit_customer(&s, "C000000003", "App older");
    it_sleep_ms(1100);
    erp_edit_customer(&s, "C000000003", "ERP newer");
    pc_control(&s, "PUT", "records/StockItem",
               "{\"InventoryID\":{\"value\":\"BLN00005\"},\"Description\":{\"value\":\"ERP older\"}}");
    it_sleep_ms(1100);
    pc_app_sql(s.dir, "UPDATE stock_items SET description = 'App newer', sync_status = 'pending'"
                   " WHERE inventory_id = 'BLN00005'");
    sync_ok(&s, NULL, NULL);
    assert_true(!strncmp(decision(&s, "C000000003"), "app|primary = app", 17));
    customer_name_is(&s, "C000000003", "App older/synced");
    assert_true(!strncmp(decision(&s, "BLN00005"), "erp|primary = erp", 17));
    assert_string_equal(pc_app_text(s.dir, "SELECT description || '/' || sync_status FROM stock_items"
                                        " WHERE inventory_id = 'BLN00005'"),
                        "ERP older/synced");
    pc_scene_stop(&s);
}

/* new_customer_type = residential; use_integration_date; export marks a
 * row from the command line. */
static void options_and_export(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    start(&s, args, "[customers]\nnew_customer_type = residential\n"
                    "[invoices]\nuse_integration_date = true\nrelease = false\n");
    pc_app_sql(s.dir, "INSERT INTO customers(sync_status, customer_id, name) VALUES('pending',"
                   " 'HOME0001', 'A Household')");
    long inv = pc_app_sql(s.dir, "INSERT INTO invoices(sync_status, customer_id, date, description)"
                              " VALUES('pending', 'C000000001', '2020-01-15', 'dated invoice')");
    pc_app_sql(s.dir, "INSERT INTO invoice_lines(parent_id, inventory_id, qty, unit_price)"
                   " VALUES(%ld, 'BLN00005', 1, 10)",
            inv);
    sync_ok(&s, "--push", NULL);
    cJSON *c = pc_erp_get(&s, "Customer/HOME0001?$select=ResidentialDelivery");
    assert_true(cJSON_IsTrue(it_val(c, "ResidentialDelivery")));
    cJSON_Delete(c);
    char ref[64];
    snprintf(ref, sizeof(ref), "%s",
             pc_app_text(s.dir, "SELECT reference_nbr FROM invoices WHERE id = %ld", inv));
    cJSON *in = pc_erp_get(&s, "SalesInvoice/Invoice/%s", ref);
    char today[40];
    es_time_format_utc(today, sizeof(today), es_now_ms());
    assert_true(!strncmp(it_str(in, "Date"), today, 10)); /* not 2020-01-15 */
    assert_string_not_equal(it_str(in, "Status"), "Open"); /* release = false */
    cJSON_Delete(in);

    /* erpsync export: a synced customer changed by hand goes again. */
    pc_app_sql(s.dir, "UPDATE customers SET name = 'Renamed' WHERE customer_id = 'HOME0001'");
    struct it_run r;
    assert_int_equal(run_erpsync(&s, &r, "export", "customers", "HOME0001"), 0);
    it_run_free(&r);
    assert_int_equal(run_erpsync(&s, &r, "export", "customers", "NOBODY"), 1);
    assert_non_null(strstr(r.out, "row matches 'NOBODY'"));
    it_run_free(&r);
    sync_ok(&s, "--push", NULL);
    customer_name_is(&s, "HOME0001", "Renamed/synced");
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(customer_and_orders_are_pushed),
        cmocka_unit_test(dependencies_wait_and_payments_are_released),
        cmocka_unit_test(every_set_is_pushed),
        cmocka_unit_test(a_refused_session_stops_without_failing_records),
        cmocka_unit_test(thousand_pushes_under_faults_exactly_once),
        cmocka_unit_test(trouble_waits_and_is_not_a_failure),
        cmocka_unit_test(kill_9_during_push_then_restart),
        cmocka_unit_test(concurrency_is_used_and_never_exceeded),
        cmocka_unit_test(oauth_workers_share_one_grant),
        cmocka_unit_test(conflicts_newest_wins_erp_clock_ahead),
        cmocka_unit_test(conflicts_newest_wins_erp_clock_behind),
        cmocka_unit_test(conflicts_primary_overrides),
        cmocka_unit_test(push_alone_finds_conflicts),
        cmocka_unit_test(options_and_export),
    };
    if (getenv("IT_FILTER")) /* e.g. IT_FILTER='conflicts*' runs those alone */
        cmocka_set_test_filter(getenv("IT_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
