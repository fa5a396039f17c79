/* erpsync pull benchmark: the initial load of acusim's large dataset into
 * SQLite, end to end, then an incremental run after 100 changes and a run
 * without changes.
 *
 *   pull_bench ACUSIM ERPSYNC REFERENCE_DIR [dataset]      (default large)
 *
 * For each run it prints wall time, records and records/s, erpsync's CPU
 * time (user+system, from wait4) per 100,000 records, its peak resident
 * memory, acusim's CPU time (from /proc), and the requests made. A
 * customers-only load measures erpsync's CPU per customer record (parse,
 * map, store).
 *
 * With ERPSYNC_BEFORE=/path/to/an/older/erpsync in the environment, every
 * run is made by both programs, the older first, each into a store of its
 * own, against the same acusim: a before/after comparison in one run. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
static struct program programs[2];
static int first_program = 1; /* 0 when there is an older one */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run a program with args in dir; its output goes to dir/run.log. */
static struct bench_result run(const struct program *p, const char *const *args)
{
    return bench_erpsync(p->bin, dir, args);
}

/* Totals of the newest run from the store: records fetched, requests. */
static void last_run(const char *db_name, long *fetched, long *requests)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/%s", dir, db_name);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT sum(fetched) FROM es_run_sets WHERE run_id = r.id),"
                           " r.requests FROM es_runs r ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL))
        bench_die("cannot read the store");
    *fetched = *requests = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *fetched = sqlite3_column_int64(st, 0);
        *requests = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void report(const struct program *p, const char *name, const char *db, struct bench_result r)
{
    long fetched, requests;
    last_run(db, &fetched, &requests);
    double per100k = fetched ? r.cpu * 100000.0 / fetched : 0;
    printf("%s%-40s %8ld records %7.2f s %9.0f rec/s | erpsync CPU %6.2f s (%5.2f s/100k, "
           "%6.0f rec/s per core) peak RSS %5.1f MiB | acusim CPU %6.2f s | %5ld requests "
           "(%.2f per 1000 records)\n",
           p->label, name, fetched, r.wall, fetched / r.wall, r.cpu, per100k,
           r.cpu > 0 ? fetched / r.cpu : 0, r.maxrss_kib / 1024.0, r.sim_cpu, requests,
           fetched ? requests * 1000.0 / fetched : 0);
    fflush(stdout);
}

static void write_config(const char *db)
{
    bench_write_config(dir, db, "[sync]\npage_size = 1000\n");
}

static void change_customers(int n)
{
    char cmd[512];
    for (int i = 1; i <= n; i++) {
        snprintf(cmd, sizeof(cmd),
                 "curl -sS -o /dev/null -X PUT -H 'Content-Type: application/json' "
                 "%s/_sim/records/Customer -d '{\"CustomerID\":{\"value\":\"C%09d\"},"
                 "\"CreditLimit\":{\"value\":%d}}'",
                 bench_sim_base(), i * 37, 1000 + i);
        if (system(cmd))
            bench_die("a change failed");
    }
}

/* One run of every program compared, each on its store (DB.db, or
 * DB-before.db for the older program). */
static void each(const char *name, const char *db_base, const char *const *args)
{
    char db[64];
    for (int i = first_program; i < 2; i++) {
        snprintf(db, sizeof(db), "%s%s.db", db_base, i ? "" : "-before");
        write_config(db);
        report(&programs[i], name, db, run(&programs[i], args));
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: pull_bench ACUSIM ERPSYNC REFERENCE_DIR [dataset]\n");
        return 2;
    }
    const char *before = getenv("ERPSYNC_BEFORE");
    if (before && *before)
        first_program = 0;
    programs[0] = (struct program){"before: ", before};
    programs[1] = (struct program){first_program ? "" : "after:  ", argv[2]};
    snprintf(dir, sizeof(dir), "%s/erpsync-bench-XXXXXX", getenv("TMPDIR") ?: "/tmp");
    if (!mkdtemp(dir))
        bench_die("mkdtemp");
    double t0 = now_s();
    fflush(stdout);
    const char *sim[] = {argv[1],
                         "--quiet",
                         "--control",
                         "--reference",
                         argv[3],
                         "--dataset",
                         argc > 4 ? argv[4] : "large",
                         "--max-sessions",
                         "4",
                         NULL};
    bench_sim_start(sim);
    printf("acusim %s dataset ready in %.1f s\n", argc > 4 ? argv[4] : "large", now_s() - t0);

    const char *only_customers[] = {"sync", "--quiet", "--only", "customers", NULL};
    const char *all[] = {"sync", "--quiet", NULL};
    each("customers only: initial load", "customers", only_customers);
    each("every set: initial load", "erpsync", all);
    change_customers(100);
    each("100 customers changed: incremental", "erpsync", all);
    each("no changes: incremental", "erpsync", all);

    bench_sim_stop();
    printf("(store and logs in %s)\n", dir);
    return 0;
}
