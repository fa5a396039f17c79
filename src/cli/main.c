/* erpsync: the command-line program. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "erpsync/err.h"
#include "erpsync/proc.h"
#include "erpsync/sync.h"
#include "erpsync/version.h"

static const char usage[] =
    "Usage: erpsync [-c FILE] <command> [options]\n"
    "\n"
    "erpsync keeps an application database in two-way sync with Acumatica ERP.\n"
    "\n"
    "Commands:\n"
    "  init              write a commented sample configuration (erpsync.ini)\n"
    "  config check      check the configuration; every problem as FILE:LINE\n"
    "  sync              pull what changed in Acumatica, push what the application\n"
    "                    marked pending, once\n"
    "  runs              list the last runs and their counts\n"
    "  status            per record set: watermark, last run, rows by status\n"
    "  export SET KEY... mark application rows to be pushed\n"
    "  failed [SET]      records Acumatica refused, with its reasons, and records\n"
    "                    the pull could not read (--waiting: those still to go,\n"
    "                    and what they wait for)\n"
    "  retry [SET [KEY...]]  mark failed records to be pushed again\n"
    "  conflicts [SET]   decisions taken when both sides changed a record\n"
    "\n"
    "Options:\n"
    "  -c FILE           the configuration (default erpsync.ini)\n"
    "  -h, --help        this help; `erpsync <command> --help` for a command's\n"
    "  -V, --version     the version\n"
    "\n"
    "Exit status (`erpsync sync --help` says more):\n"
    "  0    everything synced\n"
    "  1    some records failed\n"
    "  2    bad usage or configuration\n"
    "  3    Acumatica could not be reached or refused the credentials\n"
    "  4    another run holds the store\n"
    "  5    records were sent without an answer: looked up by the next run\n"
    "  130  stopped by Ctrl-C or SIGTERM\n"
    "\n"
    "A first run, against the bundled simulator:\n"
    "  build/acusim --port 8080 --dataset small &\n"
    "  erpsync init && erpsync config check && erpsync sync\n";

static const struct {
    const char *name;
    int (*fn)(struct cli *, int, char **);
} commands[] = {
    {"init", cmd_init}, {"config", cmd_config}, {"sync", cmd_sync},
    {"runs", cmd_runs}, {"status", cmd_status}, {"export", cmd_export},
    {"failed", cmd_failed}, {"retry", cmd_retry}, {"conflicts", cmd_conflicts},
};

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    /* Before any secret is read: no core dump, no reading by ptrace. */
    struct es_err err = {0};
    if (es_proc_harden(&err))
        fprintf(stderr, "erpsync: warning: %s\n", err.msg);
    struct cli c = {.config_path = "erpsync.ini", .prog = "erpsync"};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return ES_EXIT_OK;
        }
        if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
            printf("erpsync %s\n", es_version());
            return ES_EXIT_OK;
        }
        if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            c.config_path = argv[++i];
            continue;
        }
        fprintf(stderr, "erpsync: unknown option '%s'\n\n%s", argv[i], usage);
        return ES_EXIT_USAGE;
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return ES_EXIT_USAGE;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (!strcmp(argv[i], commands[k].name))
            return commands[k].fn(&c, argc - i, argv + i);
    fprintf(stderr, "erpsync: unknown command '%s'\n\n%s", argv[i], usage);
    return ES_EXIT_USAGE;
}
