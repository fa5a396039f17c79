/* erpsync sync: one run, with progress on a terminal. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "erpsync/acu.h"
#include "erpsync/http.h"
#include "erpsync/sync.h"
#include "erpsync/term.h"
#include "erpsync/timeutil.h"

static const char help[] =
    "Usage: erpsync [-c FILE] sync [--full] [--only SET[,SET...]] [--pull | --push]\n"
    "                               [--wait] [--quiet]\n"
    "\n"
    "Pull what changed in Acumatica since the last run into the store, then\n"
    "push the application's records marked pending, for every record set the\n"
    "configuration enables. The first run of a set is an\n"
    "initial load: all master data, and documents of the last history_years.\n"
    "A run that is stopped (Ctrl-C, SIGTERM, a crash) resumes after its last\n"
    "committed page. Every reconcile_interval (and on --full runs) keys and\n"
    "times are listed: deleted records are marked deleted, and changes that\n"
    "were committed after a run read past them are fetched (repaired).\n"
    "Records that cannot be read are listed in the summary and by\n"
    "`erpsync failed`.\n"
    "\n"
    "One run at a time: a run holds a lock on the store (a file beside an\n"
    "SQLite database, STORE.lock, naming its process). A second run exits 4,\n"
    "naming the holder's pid and since when, or waits for it with --wait. A\n"
    "run that was killed holds nothing; the next run marks it interrupted.\n"
    "\n"
    "Each pushed record is sent once: a send without an answer is looked up\n"
    "in Acumatica before anything is sent again. A record both sides changed\n"
    "is decided by the set's primary (newest, erp or app) and recorded\n"
    "(`erpsync conflicts`); refused records keep Acumatica's reasons\n"
    "(`erpsync failed`, then `erpsync retry`). See docs/push.md.\n"
    "\n"
    "  --full       pull everything again (and reconcile deletions)\n"
    "  --only SETS  just these sets, e.g. --only customers,sales_orders\n"
    "  --pull       pull only;  --push  push only\n"
    "  --wait       wait (saying so) while another run holds the store\n"
    "  --quiet      no progress, only the summary\n"
    "\n"
    "Sets: customers customer_locations contacts stock_items services vendors\n"
    "      price_classes prices projects sales_orders quotes invoices payments\n"
    "      shipments service_orders appointments purchase_orders (push only)\n"
    "\n"
    "Exit status:\n"
    "  0    everything synced\n"
    "  1    some records or sets failed (the summary says which and why;\n"
    "       `erpsync runs` keeps it)\n"
    "  2    bad usage or configuration\n"
    "  3    Acumatica could not be reached or refused the credentials\n"
    "  4    another run holds the store (the message names its pid; --wait)\n"
    "  5    records were sent without an answer (unknown): the next run\n"
    "       looks them up in Acumatica before anything is sent again\n"
    "  130  stopped by Ctrl-C or SIGTERM: the run is recorded as\n"
    "       interrupted and the next one resumes\n"
    "When several apply: 130, then 3, then 1, then 5.\n";

struct progress {
    int tty;
    time_t last;
    struct timespec start;
    char set[32];
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show(void *ctx, const char *set, const char *phase, long done, long estimate)
{
    struct progress *p = ctx;
    if (strcmp(p->set, set)) {
        snprintf(p->set, sizeof(p->set), "%s", set);
        clock_gettime(CLOCK_MONOTONIC, &p->start);
        p->last = time(NULL);
    }
    double secs = since(&p->start);
    double rate = secs > 0.5 ? done / secs : 0;
    if (!strcmp(phase, "done")) { /* a line per set, on a terminal too */
        fprintf(stderr, "%s%-18s %9ld records in %.1f s\n", p->tty ? "\r\033[K" : "erpsync: ", set,
                done, secs);
        p->set[0] = '\0';
        return;
    }
    if (!p->tty) { /* a log line at most every 10 s */
        time_t now = time(NULL);
        if (now - p->last < 10)
            return;
        p->last = now;
        if (rate > 0)
            fprintf(stderr, "erpsync: %s %s: %ld records (%.0f/s)\n", set, phase, done, rate);
        return;
    }
    char bar[32] = "";
    if (estimate > 0 && rate > 0) {
        int filled = (int)(20.0 * done / estimate);
        for (int i = 0; i < 20; i++)
            bar[i] = i < filled ? '=' : ' ';
        bar[20] = '\0';
        double left = (estimate - done) / rate;
        fprintf(stderr, "\r%-18s %-9s %9ld records %8.0f/s [%s] %3d%% %3.0f s left  \033[K", set,
                phase, done, rate, bar, (int)(100.0 * done / estimate), left);
    } else {
        fprintf(stderr, "\r%-18s %-9s %9ld records %8.0f/s\033[K", set, phase, done, rate);
    }
    fflush(stderr);
}

/* Why the run is waiting: always said, --quiet or not (a silent wait
 * looks like a hang). */
static void tell(void *ctx, const char *msg)
{
    struct progress *p = ctx;
    fprintf(stderr, "%serpsync: ", p->tty ? "\r\033[K" : "");
    es_term_fputs(msg, stderr); /* it may quote the ERP or a path */
    fputc('\n', stderr);
    fflush(stderr);
}

static void on_signal(int sig)
{
    (void)sig;
    es_acu_stop();
    /* A second Ctrl-C ends the process at once. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

static int parse_only(const char *list, unsigned *mask)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *s = buf, *next; s && *s; s = next) {
        next = strchr(s, ',');
        if (next)
            *next++ = '\0';
        int set = es_set_find(s);
        if (set < 0 || !es_map_get((enum es_set_id)set)) {
            fprintf(stderr, "erpsync sync: --only: '%s' is not a record set\n", s);
            return -1;
        }
        *mask |= 1u << set;
    }
    return 0;
}

int cmd_sync(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(help, stdout);
        return ES_EXIT_OK;
    }
    struct es_sync_opts o = {0};
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            o.full = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--pull"))
            o.pull_only = 1;
        else if (!strcmp(argv[i], "--push"))
            o.push_only = 1;
        else if (!strcmp(argv[i], "--wait"))
            o.wait = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            if (parse_only(argv[++i], &o.only))
                return ES_EXIT_USAGE;
        } else {
            fprintf(stderr, "erpsync sync: unexpected '%s'\n\n%s", argv[i], help);
            return ES_EXIT_USAGE;
        }
    }
    struct es_config cfg;
    if (cli_load_config(c, &cfg))
        return ES_EXIT_USAGE;
    cli_warn_config(c, &cfg);
    /* Acumatica sends every date-time with the user's offset; a value
     * without one (never seen) is read in the configured zone, else UTC. */
    const char *zone = cfg.acu.timezone && strcmp(cfg.acu.timezone, "detect") ? cfg.acu.timezone
                                                                             : "UTC";
    if (es_tz_set(zone))
        es_tz_set("UTC");
    /* A fixed mmap threshold: glibc's sliding one would keep huge answers
     * (up to max_answer_mb) on the workers' heaps, and the peak would vary.
     * 8 MB keeps a page's answer (about 2 MB) and the page arena on the
     * heap: mapping those anew for every page cost a third more CPU. */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20); /* and freed pages kept for the next page */
    es_http_global_init();
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct progress pr = {.tty = isatty(2)};
    o.notice = tell;
    o.notice_ctx = &pr;
    if (!quiet) {
        o.progress = show;
        o.progress_ctx = &pr;
    }
    struct es_sync_result res;
    int rc = es_sync_run(&cfg, &o, &res);
    if (pr.tty && pr.set[0])
        fputs("\r\033[K", stderr);
    es_sync_print(stdout, &res);
    es_config_dispose(&cfg);
    es_http_global_cleanup();
    return rc;
}
