/* One sync run: store, session, the sets in order, the run's record. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "erpsync/acu.h"
#include "erpsync/push.h"
#include "erpsync/sync.h"
#include "erpsync/term.h"
#include "erpsync/timeutil.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct es_sync_result *res, int code, const char *status, const char *msg)
{
    res->exit_code = code;
    res->status = status;
    snprintf(res->message, sizeof(res->message), "%s", msg);
    return code;
}

/* The exit code of an error that stopped the run or a set. */
static int exit_of(int rc)
{
    switch (rc) {
    case ES_EAUTH:
    case ES_ENET:
    case ES_ETIMEOUT:
    case ES_ELIMIT: return ES_EXIT_REMOTE;
    default: return ES_EXIT_FAILED;
    }
}

static void notice(const struct es_sync_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void notice(const struct es_sync_opts *o, const char *fmt, ...)
{
    if (!o->notice)
        return;
    char msg[ES_ERR_MSG + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o->notice(o->notice_ctx, msg);
}

/* The store's run lock, waited for with --wait; then the runs a kill left
 * `running` are known to be dead. Returns 0 or the exit code. */
static int take_lock(const struct es_config *cfg, struct es_store *s, const struct es_sync_opts *o,
                     struct es_sync_result *res)
{
    char now[40];
    es_time_format_utc(now, sizeof(now), es_now_ms());
    struct es_err err = {0};
    for (int told = 0;; told = 1) {
        es_err_clear(&err);
        int rc = es_store_lock(s, now, NULL, &err);
        if (rc == ES_ECONFLICT && o->wait) {
            if (!told)
                notice(o, "%s: %s; waiting for it to end", cfg->store.url, err.msg);
            if (!es_acu_wait(250))
                continue;
            return fail(res, ES_EXIT_STOPPED, "interrupted", "stopped while waiting for the store");
        }
        if (rc == ES_ECONFLICT) {
            char msg[ES_ERR_MSG + 64];
            snprintf(msg, sizeof(msg), "%s: %s (`erpsync sync --wait` waits for it)",
                     cfg->store.url, err.msg);
            return fail(res, ES_EXIT_LOCKED, "locked", msg);
        }
        if (rc)
            return fail(res, ES_EXIT_FAILED, "error", err.msg);
        break;
    }
    if (es_store_runs_interrupted(s, &res->killed_runs, &err))
        return fail(res, ES_EXIT_FAILED, "error", err.msg);
    return 0;
}

/* full_sync_next_run is honoured once per edit of the config file: the
 * store remembers the file's modification time it consumed. The store's
 * own full_sync_next_run setting (the admin page, the CLI) also asks. */
static int full_asked(const struct es_config *cfg, struct es_store *s, char *stamp, size_t cap)
{
    char seen[64] = "", flag[16] = "";
    struct stat sb;
    snprintf(stamp, cap, "%lld", cfg->path && !stat(cfg->path, &sb) ? (long long)sb.st_mtime : 0LL);
    es_store_setting_get(s, "full_sync_next_run", flag, sizeof(flag), NULL);
    es_store_setting_get(s, "full_sync_config_consumed", seen, sizeof(seen), NULL);
    return !strcmp(flag, "1") || (cfg->sync.full_sync_next_run && strcmp(seen, stamp));
}

static void full_done(struct es_store *s, const char *stamp)
{
    es_store_setting_set(s, "full_sync_next_run", "0", NULL);
    es_store_setting_set(s, "full_sync_config_consumed", stamp, NULL);
}

static int any_row(void *ctx, int n, const char *const *v)
{
    (void)n, (void)v;
    *(int *)ctx = 1;
    return 0;
}

/* No set has ever been synced: this run is the initial load. */
static int first_run(struct es_store *s)
{
    static const char sql[] = "SELECT 1 FROM es_state WHERE watermark_ms > 0 LIMIT 1";
    int seen = 0;
    es_store_query(s, sql, NULL, 0, any_row, &seen, NULL);
    return !seen;
}

/* Master data first, so documents find their customers and items. */
static int wanted(const struct es_config *cfg, const struct es_sync_opts *o, int set)
{
    if (!(es_set_info((enum es_set_id)set)->allowed & ES_DIR_PULL))
        return 0;
    if (o->only)
        return (o->only >> set) & 1;
    return cfg->sets[set].enabled && (cfg->sets[set].direction & ES_DIR_PULL) &&
           es_map_get((enum es_set_id)set);
}

static int pull_sets(struct es_pull *p, const struct es_sync_opts *o, struct es_sync_result *res)
{
    int worst = ES_EXIT_OK;
    for (int i = 0; i < ES_NSETS; i++) {
        if (!wanted(p->cfg, o, i))
            continue;
        struct es_err err = {0};
        res->ran[i] = 1;
        int rc = es_pull_set(p, (enum es_set_id)i, &res->sets[i], &err);
        if (rc)
            snprintf(res->errors[i], sizeof(res->errors[i]), "%s", err.msg);
        es_store_run_set(p->store, p->run_id, es_set_info((enum es_set_id)i)->name, &res->sets[i],
                         rc ? err.msg : NULL, NULL);
        if (res->sets[i].failed && worst < ES_EXIT_FAILED)
            worst = ES_EXIT_FAILED;
        if (!rc)
            continue;
        if (rc == ES_ECONFLICT) /* stopped: the rest waits for the next run */
            return fail(res, ES_EXIT_FAILED, "interrupted", err.msg);
        if (exit_of(rc) == ES_EXIT_REMOTE)
            return fail(res, ES_EXIT_REMOTE, "error", err.msg);
        worst = ES_EXIT_FAILED;
    }
    if (worst != ES_EXIT_OK)
        return fail(res, worst, "failed", "some records or sets did not sync; see the summary");
    return fail(res, ES_EXIT_OK, "ok", "");
}

static int push_wanted(const struct es_config *cfg, const struct es_sync_opts *o, int set)
{
    if (!es_push_supported((enum es_set_id)set) || o->pull_only)
        return 0;
    if (o->only)
        return (o->only >> set) & 1;
    return cfg->sets[set].enabled && (cfg->sets[set].direction & ES_DIR_PUSH);
}

/* Rows the application marked with a state erpsync does not know would
 * never go out: an error of the set, so the run says so. */
static int odd_statuses(struct es_store *s, enum es_set_id set, struct es_err *err)
{
    const struct es_mapping *m = es_map_get(set);
    char which[10 * 48]; /* ten states of up to 40 bytes, quoted, with counts */
    long n = 0;
    int rc = es_store_odd_statuses(s, m, which, sizeof(which), &n, err);
    if (rc || !n)
        return rc;
    return es_err_set(err, ES_EINVAL,
                      "%s: %ld row%s %s a sync_status erpsync does not know (%s): left alone;"
                      " pending marks a row to push (docs/schema.md)",
                      m->table, n, n == 1 ? "" : "s", n == 1 ? "has" : "have", which);
}

/* After the pull (the ERP's changes, conflicts decided), the application's
 * records go out, master data first. */
static int push_sets(struct es_pull *pl, const struct es_sync_opts *o, struct es_sync_result *res)
{
    struct es_push p = {.cfg = pl->cfg, .acu = pl->acu, .store = pl->store, .run_id = pl->run_id,
                        .progress = o->progress, .progress_ctx = o->progress_ctx};
    memcpy(p.now_utc, pl->now_utc, sizeof(p.now_utc));
    for (int i = 0; i < ES_NSETS && !o->push_only; i++)
        if (res->ran[i] && !res->errors[i][0])
            p.pulled |= 1u << i;
    int worst = res->exit_code;
    for (int i = 0; i < ES_NSETS; i++) {
        if (!push_wanted(pl->cfg, o, i))
            continue;
        struct es_err err = {0};
        res->ran[i] = 1;
        int rc = es_push_set(&p, (enum es_set_id)i, &res->sets[i], &err);
        if (!rc)
            rc = odd_statuses(pl->store, (enum es_set_id)i, &err);
        if (rc)
            snprintf(res->errors[i], sizeof(res->errors[i]), "%s", err.msg);
        es_store_run_set(pl->store, pl->run_id, es_set_info((enum es_set_id)i)->name,
                         &res->sets[i], rc ? err.msg : NULL, NULL);
        if (res->sets[i].push_failed && worst < ES_EXIT_FAILED)
            worst = ES_EXIT_FAILED;
        if (rc == ES_ECONFLICT)
            return fail(res, ES_EXIT_FAILED, "interrupted", err.msg);
        if (rc && exit_of(rc) == ES_EXIT_REMOTE)
            return fail(res, ES_EXIT_REMOTE, "error", err.msg);
        if (rc)
            worst = ES_EXIT_FAILED;
    }
    if (worst != ES_EXIT_OK && res->exit_code == ES_EXIT_OK)
        return fail(res, worst, "failed", "some records or sets did not sync; see the summary");
    return res->exit_code;
}

static int read_failure(void *ctx, int n, const char *const *v)
{
    struct es_sync_result *res = ctx;
    res->failures_total++;
    if (n >= 3 && res->nfailures < (int)(sizeof(res->failures) / sizeof(res->failures[0])))
        snprintf(res->failures[res->nfailures++], sizeof(res->failures[0]), "%s %s: %s",
                 v[0] ? v[0] : "", v[1] ? v[1] : "-", v[2] ? v[2] : "");
    return 0;
}

/* The records this run could not read, for the summary. */
static void collect_failures(struct es_store *s, struct es_sync_result *res)
{
    static const char sql[] = "SELECT set_name, erp_key, message FROM es_failures WHERE"
                              " run_id = ?1 ORDER BY id";
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)res->run_id);
    const char *p[] = {id};
    es_store_query(s, sql, p, 1, read_failure, res, NULL);
}

/* What weakens the connection's security is said in every run's record. */
static void add_warnings(const struct es_config *cfg, struct es_sync_result *res)
{
    struct es_config_diags w;
    es_config_diags_init(&w);
    es_config_warnings(&w, cfg);
    for (size_t i = 0; i < w.n; i++) {
        size_t n = strlen(res->message);
        snprintf(res->message + n, sizeof(res->message) - n, "%swarning: %s", n ? "; " : "",
                 w.msgs[i]);
    }
    es_config_diags_dispose(&w);
}

static void unanswered_line(char *out, size_t cap, long n)
{
    snprintf(out, cap,
             "%ld record%s sent without an answer (unknown): %s looked up in Acumatica before "
             "anything is sent again, by the next run",
             n, n == 1 ? "" : "s", n == 1 ? "it is" : "each is");
}

/* Rows of the sets pushed in this run whose outcome is still unknown. */
static long count_unanswered(const struct es_config *cfg, struct es_store *s,
                             const struct es_sync_opts *o, const struct es_sync_result *res)
{
    long total = 0;
    for (int i = 0; i < ES_NSETS; i++) {
        long n = 0;
        if (res->ran[i] && push_wanted(cfg, o, i) &&
            !es_store_count(s, es_map_get((enum es_set_id)i)->table, "unknown", &n, NULL))
            total += n;
    }
    return total;
}

/* How the run ended, decided last: a stop asked outranks the rest; rows
 * sent without an answer make the status only when nothing worse did. */
static void conclude(const struct es_config *cfg, struct es_store *s, const struct es_sync_opts *o,
                     struct es_sync_result *res)
{
    if (res->run_id)
        res->unanswered = count_unanswered(cfg, s, o, res);
    if (es_acu_stopping() && res->exit_code != ES_EXIT_OK) {
        fail(res, ES_EXIT_STOPPED, "interrupted",
             "stopped by Ctrl-C or SIGTERM; the next run resumes where this one ended");
    } else if (res->unanswered && res->exit_code == ES_EXIT_OK) {
        char msg[160];
        unanswered_line(msg, sizeof(msg), res->unanswered);
        fail(res, ES_EXIT_UNANSWERED, "unanswered", msg);
    }
}

static void finish(struct es_store *s, struct es_acu *a, struct es_sync_result *res,
                   int64_t started)
{
    if (s && res->run_id)
        collect_failures(s, res);
    if (a) {
        es_acu_signout(a, NULL);
        res->requests = es_acu_stats(a)->requests;
        res->session_wait_ms = es_acu_stats(a)->session_wait_ms;
    }
    res->duration_ms = (long)(mono_ms() - started);
    char now[40];
    es_time_format_utc(now, sizeof(now), es_now_ms());
    if (s && res->run_id)
        es_store_run_end(s, res->run_id, res->status, res->message[0] ? res->message : NULL, now,
                         res->duration_ms, res->requests, NULL);
}

/* Sign in, then the pull and the push. */
static void signed_in_run(struct es_pull *p, const struct es_sync_opts *o,
                          struct es_sync_result *res, const char *stamp)
{
    struct es_err err = {0};
    if (es_acu_signin(p->acu, &err)) {
        fail(res, exit_of(err.code), "error", err.msg);
        return;
    }
    if (!o->push_only)
        pull_sets(p, o, res);
    else
        fail(res, ES_EXIT_OK, "ok", "");
    if (res->exit_code == ES_EXIT_OK || !strcmp(res->status, "failed"))
        push_sets(p, o, res);
    if (p->full && res->exit_code == ES_EXIT_OK)
        full_done(p->store, stamp);
}

int es_sync_run(const struct es_config *cfg, const struct es_sync_opts *o,
                struct es_sync_result *res)
{
    memset(res, 0, sizeof(*res));
    struct es_err err = {0};
    struct es_store *s = NULL;
    struct es_acu *a = NULL;
    char stamp[32];
    struct es_pull p = {.cfg = cfg, .progress = o->progress, .progress_ctx = o->progress_ctx};
    if (es_store_open(&s, cfg->store.url, &err))
        return fail(res, ES_EXIT_FAILED, "error", err.msg);
    if (take_lock(cfg, s, o, res)) {
        es_store_close(s);
        return res->exit_code;
    }
    int64_t started = mono_ms(); /* the run begins once the store is its own */
    es_time_format_utc(p.now_utc, sizeof(p.now_utc), es_now_ms());
    p.full = res->full = o->full || full_asked(cfg, s, stamp, sizeof(stamp));
    res->mode = p.full ? "full" : first_run(s) ? "initial" : "incremental";
    if (es_store_run_start(s, res->mode, p.now_utc, &res->run_id, &err) ||
        es_acu_new(&a, cfg, &err)) {
        fail(res, ES_EXIT_FAILED, "error", err.msg);
    } else {
        p.acu = a, p.store = s, p.run_id = res->run_id;
        es_acu_on_notice(a, o->notice, o->notice_ctx);
        signed_in_run(&p, o, res, stamp);
    }
    conclude(cfg, s, o, res);
    add_warnings(cfg, res);
    finish(s, a, res, started);
    es_acu_free(a);
    es_store_close(s);
    return res->exit_code;
}

static void add(struct es_counts *t, const struct es_counts *c)
{
    t->fetched += c->fetched, t->created += c->created, t->updated += c->updated;
    t->unchanged += c->unchanged, t->deleted += c->deleted, t->failed += c->failed;
    t->held += c->held, t->requests += c->requests, t->pushed += c->pushed;
    t->push_failed += c->push_failed, t->waiting += c->waiting, t->conflicts += c->conflicts;
    t->erp_won += c->erp_won, t->repaired += c->repaired, t->rekeyed += c->rekeyed;
}

static void print_line(FILE *out, const char *name, const struct es_counts *c)
{
    fprintf(out, "%-20s %9ld %8ld %8ld %9ld %8ld %7ld | %7ld %7ld %7ld %9ld | %8ld\n", name,
            c->fetched, c->created, c->updated, c->unchanged, c->deleted, c->failed, c->pushed,
            c->push_failed, c->waiting, c->conflicts, c->requests);
}

/* prefix, then text from outside made safe for a terminal, then a newline. */
static void safe_line(FILE *out, const char *prefix, const char *text)
{
    fputs(prefix, out);
    es_term_fputs(text, out);
    fputc('\n', out);
}

/* A line per set with something to say, and the total (into t). */
static void print_table(FILE *out, const struct es_sync_result *res, struct es_counts *t)
{
    fprintf(out, "%-20s %9s %8s %8s %9s %8s %7s | %7s %7s %7s %9s | %8s\n", "", "fetched",
            "created", "updated", "unchanged", "deleted", "failed", "pushed", "failed", "waiting",
            "conflicts", "requests");
    for (int i = 0; i < ES_NSETS; i++) {
        const struct es_counts *c = &res->sets[i];
        if (!res->ran[i] || (!c->requests && !c->fetched && !c->pushed && !c->push_failed &&
                             !c->waiting && !c->conflicts && !c->failed && !res->errors[i][0]))
            continue; /* nothing to say: nothing sent, nothing waiting */
        print_line(out, es_set_info((enum es_set_id)i)->name, &res->sets[i]);
        if (res->errors[i][0])
            safe_line(out, "  ! ", res->errors[i]);
        add(t, &res->sets[i]);
    }
    print_line(out, "total", t);
}

/* What the counts do not say: conflicts, records not read, keys moved,
 * repairs, waits, rows left unknown, and the run's message. */
static void print_notes(FILE *out, const struct es_sync_result *res, const struct es_counts *t)
{
    if (t->conflicts)
        fprintf(out,
                "%ld conflict%s: Acumatica's version won %ld, the application's %ld;"
                " `erpsync conflicts` shows each with the reason\n",
                t->conflicts, t->conflicts == 1 ? "" : "s", t->erp_won, t->conflicts - t->erp_won);
    if (res->nfailures)
        fputs("Records that could not be read (kept out; the next change or reconciliation"
              " reads them again):\n",
              out);
    for (int i = 0; i < res->nfailures; i++) /* the ERP's values: escaped */
        safe_line(out, "  ", res->failures[i]);
    if (res->failures_total > res->nfailures)
        fprintf(out, "  ... and %ld more: `erpsync failed` lists them\n",
                res->failures_total - res->nfailures);
    if (t->rekeyed)
        fprintf(out, "%ld record%s whose key was changed in Acumatica moved to %s new key\n",
                t->rekeyed, t->rekeyed == 1 ? "" : "s", t->rekeyed == 1 ? "its" : "their");
    if (t->repaired)
        fprintf(out,
                "%ld record%s repaired by reconciliation: changed in Acumatica, but committed"
                " after the windows that should have read them\n",
                t->repaired, t->repaired == 1 ? "" : "s");
    if (res->session_wait_ms)
        fprintf(out,
                "Waited %.1f s for a free API session: every API-user slot of the licence was"
                " taken (API Login Limit)\n",
                res->session_wait_ms / 1000.0);
    if (res->unanswered && res->exit_code != ES_EXIT_UNANSWERED) {
        char line[160];
        unanswered_line(line, sizeof(line), res->unanswered);
        fprintf(out, "%s\n", line);
    }
    if (res->message[0])
        safe_line(out, "", res->message);
}

void es_sync_print(FILE *out, const struct es_sync_result *res)
{
    if (!res->run_id) { /* no run began: just why */
        safe_line(out, "erpsync: ", res->message);
        return;
    }
    if (res->killed_runs)
        fprintf(out, "%ld earlier run%s ended without finishing (killed?): marked interrupted\n",
                res->killed_runs, res->killed_runs == 1 ? "" : "s");
    fprintf(out, "Run %lld (%s): %s in %.1f s, %ld requests\n", (long long)res->run_id,
            res->mode ? res->mode : "-", res->status, res->duration_ms / 1000.0, res->requests);
    struct es_counts t = {0};
    print_table(out, res, &t);
    print_notes(out, res, &t);
}
