/* erpsync export, failed, retry, conflicts: the push's records, by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "erpsync/push.h"
#include "erpsync/store.h"
#include "erpsync/sync.h"
#include "erpsync/timeutil.h"

static const char export_help[] =
    "Usage: erpsync [-c FILE] export SET KEY...\n"
    "\n"
    "Mark application rows to be pushed to Acumatica by the next sync: their\n"
    "sync_status becomes 'pending' and app_modified now. The same as the\n"
    "application's own\n"
    "  UPDATE sales_orders SET sync_status = 'pending' WHERE ...\n"
    "A KEY is the row's ERP key as `erpsync failed` shows it (SO|000041), its\n"
    "key or order number (C000000001, 000041), its external reference\n"
    "(customer_order), or id:N for the row id. A row whose last push has an\n"
    "unknown outcome is not marked: the next sync looks it up in Acumatica\n"
    "first.\n"
    "\n"
    "Sets pushed: customers customer_locations contacts stock_items services\n"
    "  vendors sales_orders quotes invoices payments service_orders\n"
    "  purchase_orders\n";

static const char failed_help[] =
    "Usage: erpsync [-c FILE] failed [SET] [--waiting]\n"
    "\n"
    "List the application's records Acumatica refused, per set: the row id,\n"
    "its key or reference, the attempts, and Acumatica's reason with the\n"
    "field it belongs to. They stay failed until marked again: fix the row\n"
    "(or the data in Acumatica), then `erpsync retry`.\n"
    "Then the records the pull could not read (a value that is not its type,\n"
    "a key missing or unsafe), with the reason and when: they are kept out of\n"
    "the store until a later read succeeds (their next change, or the next\n"
    "reconciliation).\n"
    "\n"
    "  --waiting   list instead the records still to go that say why they\n"
    "              wait: a record they depend on that is not in Acumatica\n"
    "              yet, or trouble that is retried later (state pending), or\n"
    "              a send without an answer, looked up first (state unknown)\n";

static const char retry_help[] =
    "Usage: erpsync [-c FILE] retry [SET [KEY...]]\n"
    "\n"
    "Mark failed records to be pushed again by the next sync: every failed\n"
    "record, those of SET, or the given keys of SET (keys as for `erpsync\n"
    "export`). Their change time is kept, so conflicts are decided as before.\n";

static const char conflicts_help[] =
    "Usage: erpsync [-c FILE] conflicts [SET] [--limit N] [--versions]\n"
    "\n"
    "List the last N decisions (default 20), newest first, taken when both\n"
    "Acumatica and the application changed a record since the last sync:\n"
    "which side won, the times compared and why ([SET] primary = newest, erp\n"
    "or app). --versions also prints both versions of the record as they\n"
    "were, as JSON.\n";

/* The set named, pushed by this configuration; -1 with a message. */
static int push_set(const struct es_config *cfg, const char *cmd, const char *name)
{
    int set = es_set_find(name);
    if (set < 0 || !es_push_supported((enum es_set_id)set)) {
        fprintf(stderr, "erpsync %s: '%s' is not a set erpsync pushes (see --help)\n", cmd, name);
        return -1;
    }
    if (!cfg->sets[set].enabled || !(cfg->sets[set].direction & ES_DIR_PUSH)) {
        fprintf(stderr,
                "erpsync %s: %s is not pushed by %s: set enabled = true and direction = push"
                " or both in [%s]\n",
                cmd, name, "this configuration", name);
        return -1;
    }
    return set;
}

static void now_text(char *out, size_t cap)
{
    es_time_format_utc(out, cap, es_now_ms());
}

/* Mark the keys of a set (or, retrying, every failed row when none). */
static int mark_keys(struct es_store *s, int set, const char *cmd, int failed_only, int nkeys,
                     char **keys)
{
    const struct es_mapping *m = es_map_get((enum es_set_id)set);
    char now[40];
    now_text(now, sizeof(now));
    struct es_err err = {0};
    int missing = 0;
    long total = 0;
    for (int i = 0; i < (nkeys ? nkeys : 1); i++) {
        long n = 0;
        if (es_store_mark_pending(s, m, nkeys ? keys[i] : NULL, failed_only, now, &n, &err)) {
            fprintf(stderr, "erpsync %s: %s\n", cmd, cli_v(err.msg));
            return ES_EXIT_FAILED;
        }
        if (nkeys && !n) {
            fprintf(stderr, "erpsync %s: %s: no %s row matches '%s'%s\n", cmd, m->table,
                    failed_only ? "failed" : "synced, failed or pending", keys[i],
                    failed_only ? ""
                                : " (a row sent without an answer is looked up by the next"
                                  " sync first)");
            missing = 1;
        }
        total += n;
    }
    if (total)
        printf("%s: %ld marked pending; `erpsync sync --push` sends them\n", m->table, total);
    return missing ? ES_EXIT_FAILED : ES_EXIT_OK;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(export_help, stdout);
        return ES_EXIT_OK;
    }
    if (argc < 3) {
        fprintf(stderr, "erpsync export: a set and at least one key\n\n%s", export_help);
        return ES_EXIT_USAGE;
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    int set = push_set(&cfg, "export", argv[1]);
    rc = set < 0 ? ES_EXIT_USAGE : mark_keys(s, set, "export", 0, argc - 2, argv + 2);
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}

int cmd_retry(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(retry_help, stdout);
        return ES_EXIT_OK;
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    if (argc >= 2) {
        int set = push_set(&cfg, "retry", argv[1]);
        rc = set < 0 ? ES_EXIT_USAGE : mark_keys(s, set, "retry", 1, argc - 2, argv + 2);
    } else {
        for (int i = 0; i < ES_NSETS && !rc; i++)
            if (es_push_supported((enum es_set_id)i) && cfg.sets[i].enabled &&
                (cfg.sets[i].direction & ES_DIR_PUSH))
                rc = mark_keys(s, i, "retry", 1, 0, NULL);
    }
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}

/* ---- failed ---- */

struct failed_ctx {
    const char *table;
    long n;
};

static int print_failed(void *ctx, int n, const char *const *r)
{
    struct failed_ctx *f = ctx;
    if (n < 5)
        return 0;
    if (!f->n++)
        printf("%s\n", f->table);
    printf("  id:%-8s %-24s %3s attempt%s  %s\n", cli_v(r[0]), cli_v(r[1]), cli_v(r[2]),
           r[2] && !strcmp(r[2], "1") ? " " : "s", cli_v(r[3]));
    if (r[4])
        printf("  %-11s %s\n", "", cli_v(r[4]));
    return 0;
}

/* What names a row to a user: its ERP key, else its reference or key. */
static void name_expr(char *out, size_t cap, const struct es_mapping *m)
{
    size_t k = (size_t)snprintf(out, cap, "COALESCE(erp_key");
    for (const char *const *c = m->extref_cols; c && *c && k < cap; c++)
        k += (size_t)snprintf(out + k, cap - k, ", %s", *c);
    if (k < cap)
        snprintf(out + k, cap - k, ", %s, '')", m->key_cols[m->key0_fixed ? 1 : 0]);
}

/* What a row's note says in each listing: for waiting rows their state
 * too, and for a send without an answer (no note) what happens next. */
static const char note_failed[] = "last_error";
static const char note_waiting[] =
    "sync_status || ': ' || COALESCE(last_error, 'sent without an answer; looked up in"
    " Acumatica before anything is sent again')";

static int list_rows(struct es_store *s, int set, int waiting, long *shown, struct es_err *err)
{
    const struct es_mapping *m = es_map_get((enum es_set_id)set);
    char name[300], sql[900];
    name_expr(name, sizeof(name), m);
    snprintf(sql, sizeof(sql),
             "SELECT id, %s, attempts, %s, CASE WHEN pushed_at IS NOT NULL THEN"
             " 'last sent ' || pushed_at END FROM %s WHERE %s ORDER BY id",
             name, waiting ? note_waiting : note_failed, m->table,
             waiting ? "sync_status = 'unknown' OR (sync_status = 'pending' AND"
                       " last_error IS NOT NULL)"
                     : "sync_status = 'failed'");
    struct failed_ctx f = {m->table, 0};
    int rc = es_store_query(s, sql, NULL, 0, print_failed, &f, err);
    *shown += f.n;
    return rc;
}

/* ---- records the pull could not read ---- */

static int print_unread(void *ctx, int n, const char *const *r)
{
    struct failed_ctx *f = ctx;
    if (n < 3)
        return 0;
    if (!f->n++)
        printf("%s: records the pull could not read (kept out; the next change or\n"
               "reconciliation reads them again)\n",
               f->table);
    printf("  %-24s %s  %s\n", cli_v(r[0]), cli_v(r[2]), cli_v(r[1]));
    return 0;
}

/* The pull's failures not overcome since: no row of that key was written
 * after them (a failure without a key: only the latest run's). */
static int list_unread(struct es_store *s, int set, long *shown, struct es_err *err)
{
    const struct es_mapping *m = es_map_get((enum es_set_id)set);
    char sql[700];
    snprintf(sql, sizeof(sql),
             "SELECT f.erp_key, f.message, max(f.at) FROM es_failures f WHERE f.set_name = ?1"
             " AND (f.erp_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s t WHERE"
             " t.erp_key = f.erp_key AND t.synced_at > f.at) OR f.erp_key IS NULL AND"
             " f.run_id = (SELECT max(run_id) FROM es_failures WHERE set_name = ?1))"
             " GROUP BY f.erp_key, CASE WHEN f.erp_key IS NULL THEN f.id END ORDER BY f.erp_key",
             m->table);
    const char *p[] = {m->table};
    struct failed_ctx f = {m->table, 0};
    int rc = es_store_query(s, sql, p, 1, print_unread, &f, err);
    *shown += f.n;
    return rc;
}

int cmd_failed(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(failed_help, stdout);
        return ES_EXIT_OK;
    }
    int waiting = 0;
    const char *set_name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--waiting"))
            waiting = 1;
        else if (argv[i][0] != '-' && !set_name)
            set_name = argv[i];
        else {
            fprintf(stderr, "erpsync failed: unexpected '%s'\n\n%s", argv[i], failed_help);
            return ES_EXIT_USAGE;
        }
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    struct es_err err = {0};
    long shown = 0;
    int only = set_name ? es_set_find(set_name) : -1;
    if (set_name && only < 0)
        fprintf(stderr, "erpsync failed: '%s' is not a record set (see erpsync sync --help)\n",
                set_name);
    if (set_name && only < 0)
        rc = ES_EXIT_USAGE;
    for (int i = 0; i < ES_NSETS && !rc; i++) {
        const struct es_config_set *cs = &cfg.sets[i];
        if ((only >= 0 && i != only) || !cs->enabled)
            continue;
        if ((es_push_supported((enum es_set_id)i) && (cs->direction & ES_DIR_PUSH) &&
             list_rows(s, i, waiting, &shown, &err)) ||
            (!waiting && (cs->direction & ES_DIR_PULL) && list_unread(s, i, &shown, &err))) {
            fprintf(stderr, "erpsync failed: %s\n", cli_v(err.msg));
            rc = ES_EXIT_FAILED;
        }
    }
    if (!rc && !shown)
        printf(waiting ? "no records waiting\n" : "no failed records\n");
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}

/* ---- conflicts ---- */

static int print_conflict(void *ctx, int n, const char *const *r)
{
    long *shown = ctx;
    if (n < 10)
        return 0;
    ++*shown;
    printf("%s  %-18s %-20s row id:%-6s %s wins\n    %s\n", cli_v(r[0]), cli_v(r[1]), cli_v(r[2]), cli_v(r[3]),
           !strcmp(cli_v(r[4]), "erp") ? "Acumatica" : "the application", cli_v(r[5]));
    if (r[8])
        printf("    Acumatica's:   %s\n    application's: %s\n", cli_v(r[8]), cli_v(r[9]));
    return 0;
}

int cmd_conflicts(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(conflicts_help, stdout);
        return ES_EXIT_OK;
    }
    const char *set = NULL;
    long limit = 20;
    int versions = 0;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "--versions"))
            versions = 1;
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc &&
                 (limit = strtol(argv[++i], &end, 10)) >= 1 && !*end)
            continue;
        else if (argv[i][0] != '-' && !set && es_set_find(argv[i]) >= 0)
            set = argv[i];
        else {
            fprintf(stderr, "erpsync conflicts: unexpected '%s'\n\n%s", argv[i], conflicts_help);
            return ES_EXIT_USAGE;
        }
    }
    struct es_config cfg;
    struct es_store *s;
    int rc = cli_open_store(c, &cfg, &s);
    if (rc)
        return rc;
    char sql[400], lim[24];
    snprintf(sql, sizeof(sql),
             "SELECT at, set_name, erp_key, row_id, winner, reason, erp_time, app_time, %s"
             " FROM es_conflicts WHERE ?1 = '' OR set_name = ?1 ORDER BY id DESC LIMIT ?2",
             versions ? "erp_version, app_version" : "NULL, NULL");
    snprintf(lim, sizeof(lim), "%ld", limit);
    const char *p[] = {set ? set : "", lim};
    long shown = 0;
    struct es_err err = {0};
    if (es_store_query(s, sql, p, 2, print_conflict, &shown, &err)) {
        fprintf(stderr, "erpsync conflicts: %s\n", cli_v(err.msg));
        rc = ES_EXIT_FAILED;
    } else if (!shown) {
        printf("no conflicts recorded\n");
    }
    es_store_close(s);
    es_config_dispose(&cfg);
    return rc;
}
