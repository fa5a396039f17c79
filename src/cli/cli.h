/* The erpsync program's commands: one cmd_<verb>.c each. */
#ifndef ERPSYNC_CLI_H
#define ERPSYNC_CLI_H

#include "erpsync/config.h"

struct cli {
    const char *config_path; /* -c FILE, default erpsync.ini */
    const char *prog;
};

/* Each command gets its own argv (argv[0] is the command) and returns the
 * exit status. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_sync(struct cli *c, int argc, char **argv);
int cmd_runs(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_failed(struct cli *c, int argc, char **argv);
int cmd_retry(struct cli *c, int argc, char **argv);
int cmd_conflicts(struct cli *c, int argc, char **argv);

/* Load the config, printing every problem; 0 (dispose it later) or the
 * exit status 2 (nothing to dispose). */
int cli_load_config(struct cli *c, struct es_config *out);
/* Print on stderr what in the config weakens the connection's security
 * (es_config_warnings), each as "FILE: warning: ...". */
void cli_warn_config(struct cli *c, const struct es_config *cfg);
/* Load the config and open its store: 0, or the exit status (2 bad
 * config, 1 the store cannot be opened) with nothing to dispose. */
struct es_store;
int cli_open_store(struct cli *c, struct es_config *cfg, struct es_store **s);
/* Text from outside (a column, an ERP message) made safe to print: "" for
 * SQL NULL, control characters as escapes (erpsync/term.h). The result is
 * borrowed and stays valid until cli_v has been called 16 more times, so
 * one printf can take several. */
const char *cli_v(const char *s);
/* Is argv[i] "-h" or "--help"? */
int cli_wants_help(int argc, char **argv);

#endif
