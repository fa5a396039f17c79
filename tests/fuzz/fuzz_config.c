/* libFuzzer target for the configuration parser (config.h). The input is
 * the bytes of an erpsync.ini: written to a private temporary file, loaded
 * with es_config_load, its warnings asked for, disposed.
 * Beyond the sanitizers, the target aborts when a promise breaks: a return
 * other than 0, ES_EINVAL or ES_EIO; a failure without a message or a
 * success with one; a message that does not begin with the file's name, or
 * that holds a control byte (they are printed on terminals); a successful
 * load without the required keys, or a failed one that leaves anything but
 * the defaults. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "erpsync/config.h"
#include "erpsync/err.h"
#include "fuzz_env.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256]; /* the input's file, rewritten for each input */

static void remove_input_file(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/erpsync-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path); /* 0600: a config holding a password must be */
    if (fd < 0)
        fuzz_fail("cannot create %s: %s", path, strerror(errno));
    close(fd);
    atexit(remove_input_file);
    return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        fuzz_fail("cannot open %s: %s", path, strerror(errno));
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            fuzz_fail("cannot write %s: %s", path, strerror(errno));
        off += (size_t)w;
    }
    close(fd);
}

/* Every message names the file first and is safe to print. */
static void check_messages(const struct es_config_diags *d, size_t from, const char *what)
{
    size_t n = strlen(path);
    for (size_t i = from; i < d->n; i++) {
        const char *m = d->msgs[i];
        if (!m || strncmp(m, path, n) || m[n] != ':')
            fuzz_fail("%s: a message without the file's name first: %s", what, m ? m : "(null)");
        for (const unsigned char *p = (const unsigned char *)m; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                fuzz_fail("%s: a control byte 0x%02x in: %s", what, *p, m);
    }
}

/* What a failed load leaves: the defaults, nothing of the input. */
static void check_defaults(const struct es_config *c)
{
    struct es_config def;
    es_config_defaults(&def);
    if (c->path || c->acu.url || c->acu.tenant || c->acu.username || c->acu.password ||
        c->acu.client_id || c->acu.client_secret || c->acu.ca_file ||
        strcmp(c->store.url, def.store.url) || c->sync.page_size != def.sync.page_size ||
        c->acu.timeout_ms != def.acu.timeout_ms)
        fuzz_fail("a failed load left values that are not the defaults");
    es_config_dispose(&def);
}

/* A loaded config has what the engine relies on. */
static void check_loaded(const struct es_config *c)
{
    const struct es_config_acu *a = &c->acu;
    if (!c->path || !a->url || !a->tenant || !a->username || !a->password || !*a->password)
        fuzz_fail("a config loaded without url, tenant, username or password");
    if (strncasecmp(a->url, "http://", 7) && strncasecmp(a->url, "https://", 8))
        fuzz_fail("a loaded url that is not http(s): %s", a->url);
    if (a->auth == ES_AUTH_OAUTH && (!a->client_id || !a->client_secret || !*a->client_secret))
        fuzz_fail("an OAuth config loaded without its client id and secret");
    if (a->auth != ES_AUTH_OAUTH && (a->client_id || a->client_secret))
        fuzz_fail("a cookie config kept OAuth keys");
    if (c->sync.page_size < 1 || c->sync.page_size > 10000 || a->timeout_ms < 1000)
        fuzz_fail("a value out of its range was loaded");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    struct es_config c;
    struct es_config_diags d;
    es_config_diags_init(&d);
    int rc = es_config_load(&c, path, &d);
    if (rc != 0 && rc != ES_EINVAL && rc != ES_EIO)
        fuzz_fail("es_config_load returned %d", rc);
    if (rc && !d.n)
        fuzz_fail("es_config_load failed (%d) without a message", rc);
    if (!rc && d.n)
        fuzz_fail("es_config_load succeeded with a message: %s", d.msgs[0]);
    check_messages(&d, 0, "es_config_load");
    if (rc) {
        check_defaults(&c);
    } else {
        check_loaded(&c);
        size_t before = d.n;
        size_t n = es_config_warnings(&d, &c);
        if (n != d.n - before || n > 2)
            fuzz_fail("es_config_warnings said %zu, added %zu", n, d.n - before);
        for (size_t i = before; i < d.n; i++)
            for (const unsigned char *p = (const unsigned char *)d.msgs[i]; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                    fuzz_fail("a control byte in a warning: %s", d.msgs[i]);
    }
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    return 0;
}
