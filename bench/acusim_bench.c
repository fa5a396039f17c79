/* acusim serving benchmark: how fast the simulator answers the requests a
 * sync engine makes, so that erpsync's own benchmarks can show they measure
 * erpsync and not acusim.
 *
 *   acusim_bench ACUSIM_BINARY REFERENCE_DIR [dataset]      (default large)
 *
 * Starts acusim on loopback with a generated dataset, signs in with one
 * libcurl handle (keep-alive, as erpsync does) and runs each scenario:
 * full reads in pages, a delta read, single-record reads and creates. For
 * each it prints wall time, records or requests per second, MB/s, and the
 * CPU time of acusim (from /proc) and of this client (getrusage) per record.
 * The last line gives acusim's peak resident memory. */
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_sim.h"

struct body {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *ud)
{
    struct body *b = ud;
    size_t n = sz * nm;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static CURL *h;
static struct body resp;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request; returns the HTTP status. The body is in resp. */
static long req(const char *method, const char *path, const char *body)
{
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", bench_sim_base(), path);
    resp.n = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    else
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        bench_die(curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static long sim_peak_kib(void)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)bench_sim_pid());
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmHWM:", 6))
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

struct mark {
    double wall, sim, self;
};

static struct mark mark(void)
{
    struct mark m = {now(), bench_sim_cpu(), self_cpu()};
    return m;
}

/* Counts the records of a JSON array answer: each top-level object. */
static long count_records(void)
{
    long n = 0;
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < resp.n; i++) {
        char c = resp.p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (c == '{' && depth == 1)
                n++;
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return n;
}

static void report(const char *name, struct mark a, long units, const char *unit, double bytes)
{
    struct mark b = mark();
    double wall = b.wall - a.wall, sim = b.sim - a.sim, self = b.self - a.self;
    printf("%-44s %8ld %-8s %7.2f s %10.0f %s/s %7.1f MB/s  acusim %6.1f us/%s  client %5.1f "
           "us/%s  cores %.2f\n",
           name, units, unit, wall, (double)units / wall, unit, bytes / wall / 1e6,
           sim * 1e6 / (double)units, unit, self * 1e6 / (double)units, unit, (sim + self) / wall);
    fflush(stdout);
}

/* Reads an entity in pages of top with $skip until a short page. */
static void paged(const char *name, const char *entity, const char *query, int top)
{
    char path[1024];
    long records = 0;
    double bytes = 0;
    struct mark a = mark();
    for (int skip = 0;; skip += top) {
        snprintf(path, sizeof(path), "/entity/Default/24.200.001/%s?$top=%d&$skip=%d%s%s", entity, top,
                 skip, query[0] ? "&" : "", query);
        if (req("GET", path, NULL) != 200)
            bench_die(resp.p ? resp.p : "a page failed");
        long n = count_records();
        records += n;
        bytes += (double)resp.n;
        if (n < top)
            break;
    }
    report(name, a, records, "record", bytes);
}

int main(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: acusim_bench ACUSIM_BINARY REFERENCE_DIR [dataset]\n");
        return 2;
    }
    const char *dataset = argc > 3 ? argv[3] : "large";
    char db[] = "/tmp/acusim-bench-XXXXXX";
    int dbfd = mkstemp(db);
    if (dbfd < 0)
        bench_die("cannot create a scratch database");
    close(dbfd);
    double t0 = now();
    const char *sim[] = {argv[1], "--quiet", "--reference", argv[2], "--dataset", dataset, "--db",
                         db, "--max-sessions", "4", NULL};
    bench_sim_start(sim);
    printf("acusim %s dataset generated and serving in %.1f s (%s)\n", dataset, now() - t0,
           bench_sim_base());

    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
    if (req("POST", "/entity/auth/login", "{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Company\"}") !=
        204)
        bench_die("sign-in failed");

    /* Warm the page cache and SQLite's cache once, as a second sync would. */
    paged("warm-up: Customer, all fields", "Customer", "", 1000);
    paged("Customer, all fields, pages of 1000", "Customer", "", 1000);
    paged("Customer + MainContact/Address expanded", "Customer",
          "$expand=MainContact,MainContact/Address", 1000);
    paged("StockItem, all fields, pages of 1000", "StockItem", "", 1000);
    paged("SalesOrder + Details, pages of 1000", "SalesOrder", "$expand=Details", 1000);
    char delta[256], since[32];
    time_t t = time(NULL) - 10 * 86400;
    strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(delta, sizeof(delta),
             "$filter=LastModified%%20gt%%20datetimeoffset'%s'"
             "&$select=OrderType,OrderNbr,Status,LastModified",
             since);
    paged("SalesOrder delta (changed in the last 10 days)", "SalesOrder", delta, 1000);

    char path[256];
    struct mark a = mark();
    int n = 2000;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/entity/Default/24.200.001/Customer/C%09d", i % 500 + 1);
        if (req("GET", path, NULL) != 200)
            bench_die("a single read failed");
    }
    report("GET one Customer by key", a, n, "request", 0);

    a = mark();
    char body[512];
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof(body),
                 "{\"CustomerID\":{\"value\":\"BENCH%05d\"},\"CustomerName\":{\"value\":\"Bench %d\"},"
                 "\"MainContact\":{\"Email\":{\"value\":\"b%d@example.com\"}}}",
                 i, i, i);
        if (req("PUT", "/entity/Default/24.200.001/Customer?$select=CustomerID", body) != 200)
            bench_die(resp.p ? resp.p : "a create failed");
    }
    report("PUT a new Customer", a, n, "request", 0);

    req("POST", "/entity/auth/logout", "");
    printf("acusim peak resident memory: %.1f MiB\n", (double)sim_peak_kib() / 1024.0);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    free(resp.p);
    bench_sim_stop();
    unlink(db);
    return 0;
}
