/* The configuration as a user meets it through erpsync: init writes a file
 * only its owner can read, a file holding a secret that others can read is
 * refused with the command that fixes it, a FIFO for a password_file is
 * refused at once, and a quoted password with " ;" in it signs in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static int run(struct it_run *r, const char *dir, const char *a1, const char *a2, const char *a3)
{
    const char *args[] = {a1, a2, a3, NULL};
    it_erpsync(r, dir, args, 60);
    return r->status;
}

/* Write DIR/erpsync.ini with this text and mode. */
static void write_ini(const char *dir, const char *text, mode_t mode)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/erpsync.ini", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void init_writes_a_private_config(void **state)
{
    (void)state;
    char dir[256], ini[600];
    it_workdir(dir, sizeof(dir));
    snprintf(ini, sizeof(ini), "%s/erpsync.ini", dir);
    struct it_run r;
    assert_int_equal(run(&r, dir, "init", NULL, NULL), 0);
    it_run_free(&r);
    assert_int_equal(mode_of(ini), 0600);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 0);
    it_run_free(&r);
    /* Opened to the group: refused, with the file, its mode and the fix. */
    assert_int_equal(chmod(ini, 0640), 0);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 2);
    char *want = NULL;
    assert_true(asprintf(&want,
                         "%s:24: password: '%s' is open to group or others (mode 0640), but holds"
                         " a secret; run chmod 600 %s\n",
                         ini, ini, ini) > 0);
    assert_string_equal(r.out, want);
    free(want);
    it_run_free(&r);
    /* init --force over it makes it private again. */
    assert_int_equal(chmod(ini, 0666), 0);
    assert_int_equal(run(&r, dir, "init", "--force", NULL), 0);
    it_run_free(&r);
    assert_int_equal(mode_of(ini), 0600);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 0);
    it_run_free(&r);
    it_workdir_remove(dir);
}

static void a_fifo_password_file_is_refused_at_once(void **state)
{
    (void)state;
    char dir[256], fifo[600], text[1024];
    it_workdir(dir, sizeof(dir));
    snprintf(fifo, sizeof(fifo), "%s/password", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(text, sizeof(text),
             "[acumatica]\nurl = http://127.0.0.1:9\ntenant = C\nusername = u\n"
             "password_file = %s\n",
             fifo);
    write_ini(dir, text, 0644); /* no secret in it: its mode is free */
    struct it_run r;
    assert_int_equal(run(&r, dir, "config", "check", NULL), 2);
    assert_non_null(strstr(r.out, ":5: password_file: '"));
    assert_non_null(strstr(r.out, "/password' is not a regular file"));
    assert_true(r.seconds < 5);
    it_run_free(&r);
    it_workdir_remove(dir);
}

/* acusim's password has " ;" in it: quoted, it signs in; unquoted, the
 * configuration is refused before anything is sent, saying to quote it. */
static void a_quoted_password_keeps_its_semicolon(void **state)
{
    (void)state;
    struct it_sim sim;
    const char *args[] = {"--dataset", "tiny", "--password", "se cret ;x\\\"", NULL};
    it_sim_start(&sim, args);
    char dir[256], text[1024];
    it_workdir(dir, sizeof(dir));
    static const char fmt[] = "[acumatica]\nurl = %s\ntenant = Company\nusername = admin\n"
                              "password = %s\n[store]\nurl = sqlite:%s/erpsync.db\n";
    snprintf(text, sizeof(text), fmt, sim.base, "\"se cret ;x\\\\\\\"\"", dir);
    write_ini(dir, text, 0600);
    struct it_run r;
    const char *sync_customers[] = {"sync", "--quiet", "--only", "customers", NULL};
    it_erpsync(&r, dir, sync_customers, 60);
    if (r.status)
        fail_msg("exit %d:\n%s", r.status, r.out);
    it_run_free(&r);
    snprintf(text, sizeof(text), fmt, sim.base, "se cret ;x\\\"", dir);
    write_ini(dir, text, 0600);
    assert_int_equal(run(&r, dir, "sync", "--quiet", NULL), 2);
    assert_non_null(strstr(r.out, ":5: password: ' ;' starts a comment and would cut the value:"
                                  " quote it (password = \"...\""));
    assert_null(strstr(r.out, "se cret"));
    it_run_free(&r);
    it_workdir_remove(dir);
    it_sim_stop(&sim);
}

/* Count of needle in hay. */
static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

#define W_TLS "verify_tls = false: the site's certificate is not checked"

/* config check says what weakens the connection, and still passes; a
 * ca_file that is not PEM fails it. */
static void config_check_warns_of_weak_security(void **state)
{
    (void)state;
    char dir[256], text[1024], ca[600];
    it_workdir(dir, sizeof(dir));
    static const char acu[] = "[acumatica]\ntenant = C\nusername = u\npassword = p\n";
    snprintf(text, sizeof(text), "%surl = http://erp.example.com/AcumaticaERP\n", acu);
    write_ini(dir, text, 0600);
    struct it_run r;
    assert_int_equal(run(&r, dir, "config", "check", NULL), 0);
    assert_non_null(strstr(r.out, "/erpsync.ini: warning: url 'http://erp.example.com/AcumaticaERP'"
                                  " is plain http to another machine: the password and the data"
                                  " cross the network unencrypted; use https://\n"));
    assert_non_null(strstr(r.out, ": OK ("));
    it_run_free(&r);
    snprintf(text, sizeof(text), "%surl = https://erp.example.com\nverify_tls = off\n", acu);
    write_ini(dir, text, 0600);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 0);
    assert_int_equal(occurrences(r.out, "/erpsync.ini: warning: " W_TLS), 1);
    it_run_free(&r);
    snprintf(text, sizeof(text), "%surl = http://localhost:8080\n", acu);
    write_ini(dir, text, 0600);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 0);
    assert_null(strstr(r.out, "warning"));
    it_run_free(&r);
    /* A ca_file that is not PEM: exit 2 at once, not "unreachable" later. */
    snprintf(ca, sizeof(ca), "%s/password", dir); /* a name it_workdir_remove removes */
    FILE *f = fopen(ca, "w");
    assert_non_null(f);
    fputs("0\x82\x03\x0b not PEM", f);
    assert_int_equal(fclose(f), 0);
    snprintf(text, sizeof(text), "%surl = https://erp.example.com\nca_file = %s\n", acu, ca);
    write_ini(dir, text, 0600);
    assert_int_equal(run(&r, dir, "config", "check", NULL), 2);
    char want[1400];
    snprintf(want, sizeof(want),
             "%s/erpsync.ini:6: ca_file: '%s' is not a PEM file (no -----BEGIN CERTIFICATE-----"
             " line)\n",
             dir, ca);
    assert_string_equal(r.out, want);
    it_run_free(&r);
    it_workdir_remove(dir);
}

/* Every run says it too: on stderr as it starts, in its summary, and in
 * its record (`erpsync runs`). */
static void every_run_warns_when_tls_is_not_checked(void **state)
{
    (void)state;
    struct it_sim sim;
    const char *args[] = {"--dataset", "tiny", NULL};
    it_sim_start(&sim, args);
    char dir[256], text[1024];
    it_workdir(dir, sizeof(dir));
    /* acusim speaks plain http: the TLS handshake fails, quickly. */
    snprintf(text, sizeof(text),
             "[acumatica]\nurl = https://127.0.0.1:%d\ntenant = Company\nusername = admin\n"
             "password = 123\nverify_tls = false\n[store]\nurl = sqlite:%s/erpsync.db\n"
             "[limits]\nretries = 0\n",
             sim.port, dir);
    write_ini(dir, text, 0600);
    struct it_run r;
    assert_int_equal(run(&r, dir, "sync", "--quiet", NULL), 3);
    assert_int_equal(occurrences(r.out, "/erpsync.ini: warning: " W_TLS), 1);
    assert_int_equal(occurrences(r.out, W_TLS), 2); /* and in the summary */
    it_run_free(&r);
    assert_int_equal(run(&r, dir, "runs", NULL, NULL), 0);
    assert_int_equal(occurrences(r.out, "warning: " W_TLS), 1);
    it_run_free(&r);
    it_workdir_remove(dir);
    it_sim_stop(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_writes_a_private_config),
        cmocka_unit_test(a_fifo_password_file_is_refused_at_once),
        cmocka_unit_test(a_quoted_password_keeps_its_semicolon),
        cmocka_unit_test(config_check_warns_of_weak_security),
        cmocka_unit_test(every_run_warns_when_tls_is_not_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
