/* erpsync init, erpsync config check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "erpsync/store.h"
#include "erpsync/sync.h"

int cli_load_config(struct cli *c, struct es_config *out)
{
    struct es_config_diags d;
    es_config_diags_init(&d);
    int rc = es_config_load(out, c->config_path, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s\n", cli_v(d.msgs[i]));
    if (rc && !d.n)
        fprintf(stderr, "%s: cannot be loaded\n", c->config_path);
    es_config_diags_dispose(&d);
    if (rc)
        es_config_dispose(out); /* the defaults a failed load leaves */
    return rc ? ES_EXIT_USAGE : 0;
}

void cli_warn_config(struct cli *c, const struct es_config *cfg)
{
    struct es_config_diags w;
    es_config_diags_init(&w);
    es_config_warnings(&w, cfg);
    for (size_t i = 0; i < w.n; i++)
        fprintf(stderr, "%s: warning: %s\n", cli_v(c->config_path), cli_v(w.msgs[i]));
    es_config_diags_dispose(&w);
}

int cli_open_store(struct cli *c, struct es_config *cfg, struct es_store **s)
{
    if (cli_load_config(c, cfg))
        return ES_EXIT_USAGE;
    struct es_err err = {0};
    if (es_store_open(s, cfg->store.url, &err)) {
        fprintf(stderr, "erpsync: %s\n", cli_v(err.msg));
        es_config_dispose(cfg);
        return ES_EXIT_FAILED;
    }
    return 0;
}

static const char init_help[] =
    "Usage: erpsync [-c FILE] init [--force]\n"
    "\n"
    "Write a commented sample configuration to FILE (default erpsync.ini):\n"
    "every setting with its default and what it does, set up for the bundled\n"
    "simulator (acusim on http://127.0.0.1:8080). Refuses to replace an\n"
    "existing file unless --force is given.\n";

int cmd_init(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(init_help, stdout);
        return ES_EXIT_OK;
    }
    int force = argc > 1 && !strcmp(argv[1], "--force");
    if (argc > (force ? 2 : 1)) {
        fprintf(stderr, "erpsync init: unexpected '%s'\n\n%s", argv[force ? 2 : 1], init_help);
        return ES_EXIT_USAGE;
    }
    int fd = open(c->config_path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), 0600);
    if (fd < 0) {
        fprintf(stderr, "erpsync init: %s: %s%s\n", c->config_path, strerror(errno),
                errno == EEXIST ? " (use --force to replace it)" : "");
        return ES_EXIT_USAGE;
    }
    const char *text = es_config_sample();
    size_t n = strlen(text);
    /* --force keeps a replaced file's mode: make it private first. */
    int ok = fchmod(fd, 0600) == 0 && write(fd, text, n) == (ssize_t)n;
    ok = !close(fd) && ok;
    if (!ok) {
        fprintf(stderr, "erpsync init: %s: cannot write: %s\n", c->config_path, strerror(errno));
        return ES_EXIT_USAGE;
    }
    printf("wrote %s (mode 0600: it holds a password); edit it, then run "
           "`erpsync -c %s config check`\n",
           c->config_path, c->config_path);
    return ES_EXIT_OK;
}

static const char config_help[] =
    "Usage: erpsync [-c FILE] config check\n"
    "\n"
    "Check FILE (default erpsync.ini): unknown sections and keys, bad values,\n"
    "duplicates, missing required keys, and a secret in a file that group or\n"
    "others can read (chmod 600 it) are reported one per line as\n"
    "FILE:LINE: message. Exit status 0 when the file is good, 2 otherwise.\n"
    "Settings that weaken the connection (verify_tls = false, plain http://\n"
    "to another machine) are allowed, and warned of here and at every sync.\n"
    "See docs/config.md.\n";

int cmd_config(struct cli *c, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(config_help, stdout);
        return ES_EXIT_OK;
    }
    if (argc != 2 || strcmp(argv[1], "check")) {
        fprintf(stderr, "erpsync config: expected 'check'\n\n%s", config_help);
        return ES_EXIT_USAGE;
    }
    struct es_config cfg;
    int rc = cli_load_config(c, &cfg);
    if (rc)
        return rc;
    cli_warn_config(c, &cfg);
    {
        int n = 0;
        for (int i = 0; i < ES_NSETS; i++)
            n += cfg.sets[i].enabled;
        printf("%s: OK (Acumatica %s, tenant %s, endpoint %s/%s, %s sign-in; store %s; %d record "
               "sets enabled)\n",
               cli_v(c->config_path), cli_v(cfg.acu.url), cli_v(cfg.acu.tenant), cfg.acu.endpoint,
               cfg.acu.version, cfg.acu.auth == ES_AUTH_OAUTH ? "OAuth" : "cookie",
               cli_v(cfg.store.url), n);
    }
    es_config_dispose(&cfg);
    return rc;
}
