/* erpsync push benchmark: sales orders (one line each) created in the
 * application and pushed to acusim limited to 1, 4 and 8 concurrent
 * requests, each PUT held LATENCY ms by a delay fault.
 *
 *   push_bench ACUSIM ERPSYNC REFERENCE_DIR [latency_ms]     (default 100)
 *
 * With a limit of N and a latency of L, the licence allows at most N / L
 * documents per second; erpsync (concurrent_requests = N) should reach at
 * least 90 % of it. Per case it prints documents/s, that share, erpsync's
 * CPU time and peak memory, and what acusim saw: the most requests
 * running at once, the most queued (above 0: the limit was exceeded) and
 * the 429s.
 *
 * With ERPSYNC_BEFORE=/path/to/an/older/erpsync in the environment, every
 * case is pushed by both programs, the older first, each into a store of
 * its own, against the same acusim: a before/after comparison in one run. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_sim.h"

static char dir[256];

/* The programs compared: an older one (ERPSYNC_BEFORE) and this one. */
struct program {
    const char *label, *bin;
};

struct sink {
    char buf[8192];
    size_t n;
};

static size_t keep(char *d, size_t s, size_t n, void *ud)
{
    struct sink *k = ud;
    size_t len = s * n;
    size_t room = sizeof(k->buf) - 1 - k->n;
    memcpy(k->buf + k->n, d, len < room ? len : room);
    k->n += len < room ? len : room;
    k->buf[k->n] = '\0';
    return len;
}

/* A control-API call; the answer's body in out. */
static void control(const char *method, const char *path, const char *body, struct sink *out)
{
    char url[512];
    snprintf(url, sizeof(url), "%s/_sim/%s", bench_sim_base(), path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    struct sink ignore = {.n = 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : &ignore);
    long status = 0;
    if (curl_easy_perform(c) != CURLE_OK ||
        (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status / 100 != 2))
        bench_die(path);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static long json_number(const char *json, const char *name)
{
    cJSON *j = cJSON_Parse(json);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    long n = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
    cJSON_Delete(j);
    return n;
}

static void write_config(const char *db, int workers)
{
    char limits[64];
    snprintf(limits, sizeof(limits), "[limits]\nconcurrent_requests = %d\n", workers);
    bench_write_config(dir, db, limits);
}

/* n orders of the application, pending, in the store db. */
static void add_orders(const char *db_name, int n)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/%s", dir, db_name);
    sqlite3 *db;
    if (sqlite3_open(path, &db))
        bench_die("cannot open the store");
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; i < n; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO sales_orders(sync_status, customer_id, description) VALUES("
                 "'pending', 'C%09d', 'bench %d'); INSERT INTO sales_order_lines(parent_id,"
                 " inventory_id, order_qty, unit_price) VALUES(last_insert_rowid(), 'BLN00005',"
                 " %d, 10)",
                 1 + i % 20, i, 1 + i % 4);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL))
            bench_die(sqlite3_errmsg(db));
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
}

static long synced(const char *db_name)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/%s", dir, db_name);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sales_orders WHERE sync_status = 'synced'"
                           " AND customer_order LIKE 'ES-SO-%'",
                           -1, &st, NULL))
        bench_die("cannot read the store");
    long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void one_case(const struct program *p, int limit, int latency_ms)
{
    char db[64], body[128];
    snprintf(db, sizeof(db), "push-%d%s.db", limit, p->label[0] == 'b' ? "-before" : "");
    write_config(db, limit);
    const char *create[] = {"sync", "--quiet", "--push", "--only", "sales_orders", NULL};
    bench_erpsync(p->bin, dir, create);   /* the store, empty */
    int docs = limit * 5000 / latency_ms; /* about 5 s at the limit */
    add_orders(db, docs);
    snprintf(body, sizeof(body), "{\"max_concurrent\":%d,\"reset\":true}", limit);
    control("POST", "limits", body, NULL);
    struct bench_result r = bench_erpsync(p->bin, dir, create);
    struct sink lim = {.n = 0};
    control("GET", "limits", NULL, &lim);
    long done = synced(db);
    if (done != docs)
        bench_die("not every order was pushed (see run.log)");
    double allowed = limit * 1000.0 / latency_ms, rate = docs / r.wall;
    printf("%slimit %d, %3d ms: %5d orders %6.2f s %7.1f orders/s = %5.1f %% of %5.1f allowed |"
           " erpsync CPU %5.2f s (%4.0f us/order) peak RSS %5.1f MiB | acusim CPU %4.0f"
           " us/order, at most %ld running, %ld queued, %ld declined\n",
           p->label, limit, latency_ms, docs, r.wall, rate, 100.0 * rate / allowed, allowed, r.cpu,
           r.cpu * 1e6 / docs, r.maxrss_kib / 1024.0, r.sim_cpu * 1e6 / docs,
           json_number(lim.buf, "max_running"), json_number(lim.buf, "max_queued"),
           json_number(lim.buf, "declined"));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: push_bench ACUSIM ERPSYNC REFERENCE_DIR [latency_ms]\n");
        return 2;
    }
    const char *before = getenv("ERPSYNC_BEFORE");
    int first = before && *before ? 0 : 1;
    const struct program programs[2] = {{"before: ", before}, {first ? "" : "after:  ", argv[2]}};
    int latency = argc > 4 ? atoi(argv[4]) : 100;
    if (latency < 1)
        bench_die("latency_ms must be a positive number");
    snprintf(dir, sizeof(dir), "%s/erpsync-push-bench-XXXXXX", getenv("TMPDIR") ?: "/tmp");
    if (!mkdtemp(dir))
        bench_die("mkdtemp");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *sim[] = {argv[1], "--quiet",     "--control", "--reference", argv[3], "--dataset",
                         "tiny",  "--customers", "20",        "--queue-max", "1000",  NULL};
    bench_sim_start(sim);
    char fault[256];
    snprintf(fault, sizeof(fault),
             "{\"kind\":\"delay\",\"method\":\"PUT\",\"path\":\"SalesOrder\",\"count\":1000000,"
             "\"delay_ms\":%d}",
             latency);
    control("POST", "faults", fault, NULL);
    int limits[] = {1, 4, 8};
    for (int i = 0; i < 3; i++)
        for (int k = first; k < 2; k++)
            one_case(&programs[k], limits[i], latency);
    bench_sim_stop();
    curl_global_cleanup();
    printf("(stores and logs in %s)\n", dir);
    return 0;
}
