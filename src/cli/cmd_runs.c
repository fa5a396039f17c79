/* erpsync runs, erpsync status: reading the store's records of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "erpsync/store.h"
#include "erpsync/sync.h"
#include "erpsync/timeutil.h"

static const char runs_help[] =
    "Usage: erpsync [-c FILE] runs [--limit N]\n"
    "\n"
    "List the last N runs (default 10), newest first: when, how long, what\n"
    "kind, how it ended and why, the requests used, and per record set the\n"
    "counts fetched, created, updated, unchanged, deleted and failed, and when\n"
    "it pushed: pushed, refused by Acumatica, waiting, and conflicts.\n";

static const char status_help[] =
    "Usage: erpsync [-c FILE] status\n"
    "\n"
    "Per record set: the watermark (everything the ERP changed before it is\n"
    "in the store), whether a window is being read (a run to resume), the\n"
    "last full pull and reconciliation (with the records it repaired: changed\n"
    "in Acumatica but committed after the windows read past them), and the\n"
    "rows by sync status (pending:\n"
    "to push, unknown: sent without an answer, looked up before any resend,\n"
    "failed: refused by Acumatica, see `erpsync failed`).\n";

static int print_set_line(void *ctx, int n, const char *const *r)
{
    (void)ctx;
    if (n < 13)
        return 0;
    printf("    %-20s %8s fetched %7s created %7s updated %8s unchanged %6s deleted %6s failed",
           cli_v(r[0]), cli_v(r[1]), cli_v(r[2]), cli_v(r[3]), cli_v(r[4]), cli_v(r[5]), cli_v(r[6]));
    int pushed = 0;
    for (int i = 9; i < 13; i++)
        pushed |= r[i] && strcmp(r[i], "0");
    if (pushed)
        printf(" | %s pushed %s refused %s waiting %s conflicts", cli_v(r[9]), cli_v(r[10]), cli_v(r[11]),
               cli_v(r[12]));
    printf("%s%s\n", r[8] ? "  ! " : "", cli_v(r[8]));
    return 0;
}

struct runs_ctx {
    struct es_store *s;
    int shown;
};

static int print_run(void *ctx, int n, const char *const *r)
{
    struct runs_ctx *rc = ctx;
    if (n < 8)
        return 0;
    double secs = r[4] ? strtod(r[4], NULL) / 1000.0 : 0;
    printf("run %s  %s  %-11s %-11s %6.1f s  %s requests%s%s\n", cli_v(r[0]), cli_v(r[1]), cli_v(r[2]),
           cli_v(r[3]), secs, r[5] ? cli_v(r[5]) : "-", r[6] ? "  " : "", cli_v(r[6]));
    static const char sets[] = "SELECT set_name, fetched, created, updated, unchanged, deleted,"
                               " failed, held, error, pushed, push_failed, waiting, conflicts"
                               " FROM es_run_sets WHERE run_id = ?1 ORDER BY rowid";
    const char *p[] = {r[0]};
    es_store_query(rc->s, sets, p, 1, print_set_line, NULL, NULL);
    rc->shown++;
    return 0;
}

int cmd_runs(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(runs_help, stdout);
        return ES_EXIT_OK;
    }
    long limit = 10;
    if (argc == 3 && !strcmp(argv[1], "--limit")) {
        char *end;
        limit = strtol(argv[2], &end, 10);
        if (*end || limit < 1 || limit > 100000) {
            fprintf(stderr, "erpsync runs: --limit needs a number from 1 to 100000\n");
            return ES_EXIT_USAGE;
        }
    } else if (argc != 1) {
        fprintf(stderr, "erpsync runs: unexpected '%s'\n\n%s", argv[1], runs_help);
        return ES_EXIT_USAGE;
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    static const char sql[] = "SELECT id, started_at, mode, status, duration_ms, requests,"
                              " message, ended_at FROM es_runs ORDER BY id DESC LIMIT ?1";
    char lim[24];
    snprintf(lim, sizeof(lim), "%ld", limit);
    const char *p[] = {lim};
    struct runs_ctx ctx = {s, 0};
    struct es_err err = {0};
    if (es_store_query(s, sql, p, 1, print_run, &ctx, &err)) {
        fprintf(stderr, "erpsync runs: %s\n", cli_v(err.msg));
        rc = ES_EXIT_FAILED;
    } else if (!ctx.shown) {
        printf("no runs yet: `erpsync sync` makes the first\n");
    }
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}

static void when(char *out, size_t cap, int64_t t)
{
    if (t > 0)
        es_time_format_utc(out, cap, t);
    else
        snprintf(out, cap, "never");
}

static int count_line(void *ctx, int n, const char *const *r)
{
    (void)ctx;
    if (n >= 2)
        printf(" %s %s", cli_v(r[1]), cli_v(r[0]));
    return 0;
}

static void print_status(struct es_store *s, int set, int pulled)
{
    const struct es_mapping *m = es_map_get((enum es_set_id)set);
    if (!pulled)
        printf("%-20s pushed only\n", m->table);
    struct es_set_state st;
    es_store_state_get(s, m->table, &st, NULL);
    char wm[40], full[40], rec[80];
    when(wm, sizeof(wm), st.watermark_ms);
    when(full, sizeof(full), st.last_full_ms);
    when(rec, sizeof(rec), st.last_reconcile_ms);
    if (st.last_reconcile_ms > 0) { /* late commits it found and fetched again */
        size_t n = strlen(rec);
        snprintf(rec + n, sizeof(rec) - n, " (repaired %ld)", st.last_repaired);
    }
    if (pulled)
        printf("%-20s watermark %-24s full %-24s reconciled %-37s%s\n", m->table, wm, full, rec,
               st.in_progress ? "  (a window to resume)" : "");
    long total = 0;
    es_store_count(s, m->table, NULL, &total, NULL);
    printf("%-20s %ld rows:", "", total);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT sync_status, count(*) FROM %s GROUP BY sync_status ORDER BY 1",
             m->table);
    es_store_query(s, sql, NULL, 0, count_line, NULL, NULL);
    printf("\n");
}

int cmd_status(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(status_help, stdout);
        return ES_EXIT_OK;
    }
    if (argc != 1) {
        fprintf(stderr, "erpsync status: unexpected '%s'\n\n%s", argv[1], status_help);
        return ES_EXIT_USAGE;
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    for (int i = 0; i < ES_NSETS; i++)
        if (es_map_get((enum es_set_id)i) && cfg.sets[i].enabled)
            print_status(s, i, cfg.sets[i].direction & ES_DIR_PULL);
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}
