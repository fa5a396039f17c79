/* The configuration: INI text to the problems a user sees (exact messages,
 * with file and line) and to the values the engine gets; the sample; secrets
 * read from files and kept out of messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "erpsync/buf.h"
#include "erpsync/config.h"
#include "erpsync/err.h"
#include "erpsync/map.h"
#include "erpsync/mem.h"
#include "erpsync/push.h"
#include "erpsync/sets.h"

/* A valid [acumatica] on lines 1-5: what a case adds starts on line 6. */
#define ACU_OK                                                                                     \
    "[acumatica]\n"                                                                                \
    "url = http://127.0.0.1:8080\n"                                                                \
    "tenant = Company\n"                                                                           \
    "username = admin\n"                                                                           \
    "password = 123\n"

/* [acumatica] with every required key but one, for cases that set it. */
#define ACU_BUT_URL "[acumatica]\ntenant = C\nusername = u\npassword = p\n"
#define ACU_BUT_TENANT "[acumatica]\nurl = http://erp\nusername = u\npassword = p\n"
#define ACU_BUT_PASSWORD "[acumatica]\nurl = http://erp\ntenant = C\nusername = u\n"

/* How a quoted value is written, and a secret cut by an inline comment. */
#define QUOTE_HINT "(inside quotes, write '\"' as \\\")"
#define CUT_HINT(key)                                                                              \
    "' ;' starts a comment and would cut the value: quote it (" key " = \"...\", with \\\" "      \
    "for '\"' and \\\\ for '\\'), or put the comment on a line of its own"

#define GUID "6f0a2b1c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
#define DURATION_HINT " (like 90s, 15m, 2h, 1d)"

/* ---- helpers ---- */

/* A new temporary file holding n bytes of text; the caller removes and frees
 * the returned path. */
static char *write_temp(const char *text, size_t n)
{
    const char *dir = getenv("TMPDIR");
    char *path = es_xasprintf("%s/erpsync-config-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        assert_true(w > 0);
        off += (size_t)w;
    }
    close(fd);
    return path;
}

static void remove_temp(char *path)
{
    remove(path);
    free(path);
}

/* Load text (n bytes) from a temporary file; *path_out gets its path when
 * asked for (the caller then removes it), else it is removed here. */
static int load_bytes(struct es_config *c, struct es_config_diags *d, const char *text, size_t n,
                      char **path_out)
{
    char *path = write_temp(text, n);
    es_config_diags_init(d);
    int rc = es_config_load(c, path, d);
    if (path_out)
        *path_out = path;
    else
        remove_temp(path);
    return rc;
}

static void print_diags(const struct es_config_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        print_message("  got: %s\n", d->msgs[i]);
}

/* The diags are exactly want[] ("LINE: message", NULL-terminated), each
 * prefixed with "PATH:". */
static void assert_diags(const struct es_config_diags *d, const char *path, const char *const *want)
{
    size_t n = 0;
    while (want[n])
        n++;
    if (d->n != n)
        print_diags(d);
    assert_int_equal(d->n, n);
    for (size_t i = 0; i < n; i++) {
        char *full = es_xasprintf("%s:%s", path, want[i]);
        if (strcmp(d->msgs[i], full))
            print_diags(d);
        assert_string_equal(d->msgs[i], full);
        free(full);
    }
}

/* Everything a failed load must leave: the defaults. */
static void assert_defaults(const struct es_config *c)
{
    assert_null(c->path);
    assert_null(c->acu.url);
    assert_null(c->acu.tenant);
    assert_null(c->acu.username);
    assert_null(c->acu.password);
    assert_null(c->acu.client_id);
    assert_null(c->acu.client_secret);
    assert_null(c->acu.ca_file);
    assert_string_equal(c->acu.endpoint, "Default");
    assert_string_equal(c->acu.version, "24.200.001");
    assert_int_equal(c->acu.auth, ES_AUTH_COOKIE);
    assert_string_equal(c->acu.timezone, "detect");
    assert_int_equal(c->acu.verify_tls, 1);
    assert_int_equal(c->acu.timeout_ms, 60000);
    assert_string_equal(c->store.url, "sqlite:erpsync.db");
    assert_int_equal(c->sync.interval_ms, 300000);
    assert_int_equal(c->sync.page_size, 500);
    assert_int_equal(c->sync.history_years, 3);
    assert_int_equal(c->sync.last_modified_since_days, 0);
    assert_int_equal(c->sync.full_sync_next_run, 0);
    assert_int_equal(c->sync.overlap_ms, 300000);
    assert_int_equal(c->sync.reconcile_interval_ms, 86400000);
    assert_int_equal(c->limits.requests_per_minute, 0);
    assert_int_equal(c->limits.concurrent_requests, 1);
    assert_int_equal(c->limits.max_sessions, 1);
    assert_int_equal(c->limits.retries, 5);
    for (int i = 0; i < ES_NSETS; i++) {
        assert_int_equal(c->sets[i].enabled, 1);
        assert_int_equal(c->sets[i].direction, es_set_info(i)->fallback);
    }
    assert_int_equal(c->customers.sync_sub_customers, 1);
    assert_int_equal(c->customers.skip_first_address_line, 0);
    assert_int_equal(c->customers.use_ship_to_address, 0);
    assert_int_equal(c->customers.new_customer_type, ES_CUSTOMER_BUSINESS);
    assert_int_equal(c->invoices.use_integration_date, 0);
    assert_int_equal(c->invoices.release, 1);
}

/* ---- INI text to diags ---- */

struct diag_case {
    const char *ini;
    const char *diags[8]; /* "LINE: message" */
};

static const struct diag_case diag_cases[] = {
    /* sections and keys */
    {ACU_OK "[colour]\nred = 1\n", {"6: unknown section [colour]"}},
    {ACU_OK "[Sync]\n", {"6: unknown section [Sync]"}},
    {ACU_OK "[]\n", {"6: unknown section []"}},
    {ACU_OK "[sync]\ncolour = red\n", {"7: unknown key 'colour' in [sync]"}},
    {ACU_OK "[customers]\nprimary = oldest\n",
     {"7: primary: 'oldest' is not one of: newest, erp, app"}},
    {ACU_OK "[shipments]\nuse_integration_date = true\n",
     {"7: unknown key 'use_integration_date' in [shipments]"}},
    {ACU_OK "[sync]\npage_size = 10\npage_size = 20\n",
     {"8: 'page_size' is set twice in [sync] (first on line 7)"}},
    {ACU_OK "[sync]\npage_size = 10\n[limits]\n[sync]\npage_size = 20\n",
     {"10: 'page_size' is set twice in [sync] (first on line 7)"}},
    {"page_size = 10\n" ACU_OK, {"1: 'page_size' is set before any [section]"}},
    /* syntax */
    {ACU_OK "[sync\npage_size = 7\n", {"6: '[' without a closing ']'"}},
    {ACU_OK "[sync ; comment]\n", {"6: '[' without a closing ']'"}},
    {ACU_OK "[sync] page_size = 7\n", {"6: unexpected text after [sync]"}},
    {ACU_OK "[sync] ; a comment\n[ limits ]\nretries = 2\n", {NULL}},
    {ACU_OK "just some words\n", {"6: expected 'key = value', a [section] or a ';' comment"}},
    {ACU_OK "[sync]\npage_size ; = 7\nwords\n[limits]\n",
     {"7: expected 'key = value', a [section] or a ';' comment",
      "8: expected 'key = value', a [section] or a ';' comment"}},
    /* values are quoted with their control characters escaped */
    {ACU_OK "[sync]\npage_size = \x1b[2J\x1b]0;t\x07\n",
     {"7: page_size: '\\x1b[2J\\x1b]0;t\\x07' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\n\x1b[31mred = 1\n", {"7: unknown key '\\x1b[31mred' in [sync]"}},
    {ACU_OK "[\x9b" "2J]\n", {"6: unknown section [\\x9b2J]"}},
    /* integers */
    {ACU_OK "[sync]\npage_size = 0\n", {"7: page_size: '0' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 10001\n",
     {"7: page_size: '10001' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 12x\n", {"7: page_size: '12x' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size =\n", {"7: page_size: '' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 0x10\n", {"7: page_size: '0x10' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = +5\n", {"7: page_size: '+5' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 1.5\n", {"7: page_size: '1.5' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 5 0\n", {"7: page_size: '5 0' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 99999999999999999999\n",
     {"7: page_size: '99999999999999999999' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\npage_size = 4294967796\n", /* 500 once cut to 32 bits */
     {"7: page_size: '4294967796' is not a number from 1 to 10000"}},
    {ACU_OK "[sync]\nhistory_years = 51\nlast_modified_since_days = 36501\n",
     {"7: history_years: '51' is not a number from 0 to 50",
      "8: last_modified_since_days: '36501' is not a number from 0 to 36500"}},
    {ACU_OK "[sync]\nhistory_years = -1\n",
     {"7: history_years: '-1' is not a number from 0 to 50"}},
    {ACU_OK "[limits]\nrequests_per_minute = -1\nrequests_per_minute = 1000001\n",
     {"7: requests_per_minute: '-1' is not a number from 0 to 1000000",
      "8: 'requests_per_minute' is set twice in [limits] (first on line 7)"}},
    {ACU_OK "[limits]\nrequests_per_minute = 1000001\nconcurrent_requests = 0\n"
            "max_sessions = 101\nretries = 21\n",
     {"7: requests_per_minute: '1000001' is not a number from 0 to 1000000",
      "8: concurrent_requests: '0' is not a number from 1 to 64",
      "9: max_sessions: '101' is not a number from 1 to 100",
      "10: retries: '21' is not a number from 0 to 20"}},
    {ACU_OK "[limits]\nconcurrent_requests = 65\nmax_sessions = 0\nretries = -1\n",
     {"7: concurrent_requests: '65' is not a number from 1 to 64",
      "8: max_sessions: '0' is not a number from 1 to 100",
      "9: retries: '-1' is not a number from 0 to 20"}},
    /* booleans */
    {ACU_OK "verify_tls = maybe\n",
     {"6: verify_tls: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"}},
    {ACU_OK "[sync]\nfull_sync_next_run = 2\n",
     {"7: full_sync_next_run: '2' is not a boolean (true/false, yes/no, on/off, 1/0)"}},
    {ACU_OK "[quotes]\nenabled = y\n",
     {"7: enabled: 'y' is not a boolean (true/false, yes/no, on/off, 1/0)"}},
    {ACU_OK "[customers]\nsync_sub_customers =\n",
     {"7: sync_sub_customers: '' is not a boolean (true/false, yes/no, on/off, 1/0)"}},
    /* durations */
    {ACU_OK "timeout = 0\n", {"6: timeout: '0' is not a duration from 1s to 1h" DURATION_HINT}},
    {ACU_OK "timeout = 61m\n", {"6: timeout: '61m' is not a duration from 1s to 1h" DURATION_HINT}},
    {ACU_OK "timeout = 3601\n",
     {"6: timeout: '3601' is not a duration from 1s to 1h" DURATION_HINT}},
    {ACU_OK "[sync]\ninterval = 0\n",
     {"7: interval: '0' is not a duration of at least 1s" DURATION_HINT}},
    {ACU_OK "[sync]\noverlap = 25h\n",
     {"7: overlap: '25h' is not a duration from 0 to 1d" DURATION_HINT}},
    {ACU_OK "[sync]\nreconcile_interval = -1d\n",
     {"7: reconcile_interval: '-1d' is not a duration" DURATION_HINT}},
    {ACU_OK "[sync]\ninterval = 1.5h\ninterval = 5\n",
     {"7: interval: '1.5h' is not a duration of at least 1s" DURATION_HINT,
      "8: 'interval' is set twice in [sync] (first on line 7)"}},
    {ACU_OK "[sync]\ninterval =\noverlap = 5 m\nreconcile_interval = 5ms\n",
     {"7: interval: '' is not a duration of at least 1s" DURATION_HINT,
      "8: overlap: '5 m' is not a duration from 0 to 1d" DURATION_HINT,
      "9: reconcile_interval: '5ms' is not a duration" DURATION_HINT}},
    {ACU_OK "[sync]\ninterval = 5M\nreconcile_interval = 99999999999999999999d\n",
     {"7: interval: '5M' is not a duration of at least 1s" DURATION_HINT,
      "8: reconcile_interval: '99999999999999999999d' is not a duration" DURATION_HINT}},
    /* [acumatica] values */
    {"[acumatica]\nurl = ftp://erp\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'ftp://erp' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://\nurl = x\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'http://' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)",
      "3: 'url' is set twice in [acumatica] (first on line 2)"}},
    {"[acumatica]\nurl = https:///AcumaticaERP\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'https:///AcumaticaERP' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://erp:0\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'http://erp:0' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://erp:65536/x\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'http://erp:65536/x' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://erp/a b\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'http://erp/a b' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://erp/?x=1\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'http://erp/?x=1' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = erp.example.com\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: 'erp.example.com' is not an http:// or https:// URL (like "
      "https://erp.example.com/AcumaticaERP)"}},
    {"[acumatica]\nurl = http://admin:hunter2@erp/\ntenant = C\nusername = u\npassword = p\n",
     {"2: url: credentials in the URL are not supported; use username and password"}},
    {ACU_OK "version = 25.100.001\n",
     {"6: version: '25.100.001' is not one of: 24.200.001, 23.200.001"}},
    {ACU_OK "endpoint = Default/../x\n",
     {"6: endpoint: 'Default/../x' is not an endpoint name (like Default)"}},
    {ACU_OK "endpoint =\n", {"6: endpoint: '' is not an endpoint name (like Default)"}},
    {ACU_OK "auth = basic\n", {"6: auth: 'basic' is not one of: cookie, oauth"}},
    {ACU_OK "timezone = Mars/Olympus_Mons\n",
     {"6: timezone: 'Mars/Olympus_Mons' is not a time zone of this system (expected detect or a "
      "name like America/New_York)"}},
    {ACU_OK "timezone = ../../etc/passwd\ntimezone = x\n",
     {"6: timezone: '../../etc/passwd' is not a time zone of this system (expected detect or a "
      "name like America/New_York)",
      "7: 'timezone' is set twice in [acumatica] (first on line 6)"}},
    {ACU_OK "timezone = America\n",
     {"6: timezone: 'America' is not a time zone of this system (expected detect or a "
      "name like America/New_York)"}},
    {ACU_OK "ca_file = /nonexistent/ca.pem\n",
     {"6: ca_file: cannot read '/nonexistent/ca.pem': No such file or directory"}},
    {ACU_OK "ca_file = /\n", {"6: ca_file: '/' is not a file"}},
    {ACU_OK "ca_file =\n", {"6: ca_file is empty"}},
    /* required keys and secrets */
    {"[sync]\n",
     {"1: [acumatica] url is required", "1: [acumatica] tenant is required",
      "1: [acumatica] username is required",
      "1: [acumatica] password or password_file is required"}},
    {"", /* an empty file */
     {"1: [acumatica] url is required", "1: [acumatica] tenant is required",
      "1: [acumatica] username is required",
      "1: [acumatica] password or password_file is required"}},
    {"; comment\n[sync]\n\n[acumatica]\ntenant = C\nusername = u\npassword = p\n",
     {"4: [acumatica] url is required"}},
    {"[acumatica]\nurl = http://erp\ntenant =\nusername =\npassword =\n",
     {"3: tenant is empty", "4: username is empty", "5: password is empty"}},
    {"[acumatica]\nurl = http://erp\ntenant = C\nusername = u\n",
     {"1: [acumatica] password or password_file is required"}},
    {ACU_OK "password_file = /nonexistent/pw\n", {"6: set password or password_file, not both"}},
    {"[acumatica]\npassword_file = /nonexistent/pw\nurl = http://erp\ntenant = C\nusername = u\n"
     "password = 123\n",
     {"6: set password or password_file, not both"}},
    {"[acumatica]\nurl = http://erp\ntenant = C\nusername = u\npassword_file = /nonexistent/pw\n",
     {"5: password_file: cannot read '/nonexistent/pw': No such file or directory"}},
    {"[acumatica]\nurl = http://erp\ntenant = C\nusername = u\npassword_file =\n",
     {"5: password_file is empty"}},
    {"[acumatica]\nurl = http://erp\ntenant = C\nusername = u\npassword_file = /\n",
     {"5: password_file: cannot read '/': Is a directory"}},
    /* a secret cut by an inline comment is refused, saying how to quote it */
    {ACU_BUT_PASSWORD "password = abc ;def\n", {"5: password: " CUT_HINT("password")}},
    {ACU_BUT_PASSWORD "password = p;w ; the password\n", {"5: password: " CUT_HINT("password")}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret = s\t;t\n",
     {"8: client_secret: " CUT_HINT("client_secret")}},
    /* quoting mistakes; a secret is never quoted back */
    {ACU_BUT_PASSWORD "password = \"abc ;def\n",
     {"5: password: the quoted value has no closing '\"' " QUOTE_HINT}},
    {ACU_BUT_PASSWORD "password = \"abc\"def\n",
     {"5: password: text after the closing '\"' " QUOTE_HINT}},
    {ACU_BUT_PASSWORD "password = \"a\\qb\"\n",
     {"5: password: inside quotes, '\\' must be followed by '\"' or '\\'"}},
    {ACU_BUT_PASSWORD "password = \"\"\n", {"5: password is empty"}},
    {ACU_OK "[sync]\npage_size = \"12\n",
     {"7: page_size: the quoted value has no closing '\"' " QUOTE_HINT}},
    {ACU_OK "[sync]\npage_size = \"x\"\n", {"7: page_size: 'x' is not a number from 1 to 10000"}},
    /* a refused value leaves its key unset, not half set (found by fuzz_config) */
    {ACU_OK "auth = oauth\nclient_id = \"" GUID "@C\nclient_secret = s\n",
     {"7: client_id: the quoted value has no closing '\"' " QUOTE_HINT}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret = \"s\\t\"\n",
     {"8: client_secret: inside quotes, '\\' must be followed by '\"' or '\\'"}},
    {ACU_BUT_PASSWORD "password_file = \"/etc/erpsync/pw\n",
     {"5: password_file: the quoted value has no closing '\"' " QUOTE_HINT}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret_file = \"x\"y\n",
     {"8: client_secret_file: text after the closing '\"' " QUOTE_HINT}},
    /* OAuth */
    {ACU_OK "auth = oauth\n",
     {"1: [acumatica] client_id is required with auth = oauth",
      "1: [acumatica] client_secret or client_secret_file is required with auth = oauth"}},
    {ACU_OK "auth = oauth\nclient_id = abc@Company\nclient_secret = s\n",
     {"7: client_id: 'abc@Company' is not GUID@Tenant (like " GUID "@Company)"}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "@\nclient_secret = s\n",
     {"7: client_id: '" GUID "@' is not GUID@Tenant (like " GUID "@Company)"}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "\nclient_secret = s\n",
     {"7: client_id: '" GUID "' is not GUID@Tenant (like " GUID "@Company)"}},
    {ACU_OK "auth = oauth\nclient_id =\nclient_secret =\n",
     {"7: client_id: '' is not GUID@Tenant (like " GUID "@Company)", "8: client_secret is empty"}},
    {ACU_OK "client_secret = s\nauth = oauth\nclient_id = " GUID "@C\n"
            "client_secret_file = /nonexistent/cs\n",
     {"9: set client_secret or client_secret_file, not both"}},
    {ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret_file = /nonexistent/cs\n",
     {"8: client_secret_file: cannot read '/nonexistent/cs': No such file or directory"}},
    /* with cookie auth the OAuth keys are allowed and ignored, even wrong */
    {ACU_OK "client_id = nonsense\nclient_secret =\nclient_secret_file = /nonexistent/cs\n",
     {NULL}},
    /* [store] */
    {ACU_OK "[store]\nurl = postgresql://erp:hunter2@db/erpsync\n",
     {"7: PostgreSQL is not supported yet; use sqlite:PATH"}},
    {ACU_OK "[store]\nurl = postgres://db/erpsync\n",
     {"7: PostgreSQL is not supported yet; use sqlite:PATH"}},
    {ACU_OK "[store]\nurl = mysql://db/erpsync\n",
     {"7: url: 'mysql://db/erpsync' is not a store URL (expected sqlite:PATH)"}},
    {ACU_OK "[store]\nurl = mysql://erp:hunter2@db/erpsync\n",
     {"7: url: not a store URL (expected sqlite:PATH)"}},
    {ACU_OK "[store]\nurl = erpsync.db\n",
     {"7: url: 'erpsync.db' is not a store URL (expected sqlite:PATH)"}},
    {ACU_OK "[store]\nurl = sqlite:\n", {"7: url: 'sqlite:' names no file (expected sqlite:PATH)"}},
    /* record sets */
    {ACU_OK "[shipments]\ndirection = push\n",
     {"7: direction: 'push' is not possible for [shipments], which allows only pull"}},
    {ACU_OK "[prices]\ndirection = both\n",
     {"7: direction: 'both' is not possible for [prices], which allows only pull"}},
    {ACU_OK "[appointments]\ndirection = both\n",
     {"7: direction: 'both' is not possible for [appointments], which allows only pull"}},
    {ACU_OK "[purchase_orders]\ndirection = pull\n",
     {"7: direction: 'pull' is not possible for [purchase_orders], which allows only push"}},
    {ACU_OK "[customers]\ndirection = sideways\n",
     {"7: direction: 'sideways' is not one of: pull, push, both"}},
    {ACU_OK "[customers]\nnew_customer_type = government\n",
     {"7: new_customer_type: 'government' is not one of: business, residential"}},
    {ACU_OK "[invoices]\nuse_integration_date = sometimes\n",
     {"7: use_integration_date: 'sometimes' is not a boolean (true/false, yes/no, on/off, 1/0)"}},
    /* keys of a refused section are not reported one by one */
    {ACU_OK "[colour]\npage_size = 0\n[sync\npage_size = 0\n[sync]\npage_size = 0\n",
     {"6: unknown section [colour]", "8: '[' without a closing ']'",
      "11: page_size: '0' is not a number from 1 to 10000"}},
};

static void problems_are_reported_by_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
        const struct diag_case *t = &diag_cases[i];
        struct es_config c;
        struct es_config_diags d;
        char *path;
        int rc = load_bytes(&c, &d, t->ini, strlen(t->ini), &path);
        print_message("case %zu\n", i);
        assert_diags(&d, path, t->diags);
        assert_int_equal(rc, t->diags[0] ? ES_EINVAL : 0);
        if (rc)
            assert_defaults(&c);
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
    }
}

/* Many problems at once: every one is reported, in file order, then those
 * found once the whole file is read. */
static void every_problem_is_collected(void **state)
{
    (void)state;
    static const char ini[] = "[acumatica]\n"              /* 1 */
                              "url = gopher://erp\n"       /* 2 */
                              "tenant = Company\n"         /* 3 */
                              "auth = oauth\n"             /* 4 */
                              "colour = blue\n"            /* 5 */
                              "\n"                         /* 6 */
                              "[sync]\n"                   /* 7 */
                              "page_size = 0\n"            /* 8 */
                              "page_size = 5\n"            /* 9 */
                              "interval = soon\n"          /* 10 */
                              "this line is not INI\n"     /* 11 */
                              "[colour]\n"                 /* 12 */
                              "hue = 3\n"                  /* 13 */
                              "[limits\n"                  /* 14 */
                              "[shipments]\n"              /* 15 */
                              "direction = both\n"         /* 16 */
                              "also not INI\n"             /* 17 */
                              "[store]\n"                  /* 18 */
                              "url = postgresql://db/x\n"; /* 19 */
    static const char *const want[] = {
        "2: url: 'gopher://erp' is not an http:// or https:// URL (like "
        "https://erp.example.com/AcumaticaERP)",
        "5: unknown key 'colour' in [acumatica]",
        "8: page_size: '0' is not a number from 1 to 10000",
        "9: 'page_size' is set twice in [sync] (first on line 8)",
        "10: interval: 'soon' is not a duration of at least 1s" DURATION_HINT,
        "11: expected 'key = value', a [section] or a ';' comment",
        "12: unknown section [colour]",
        "14: '[' without a closing ']'",
        "16: direction: 'both' is not possible for [shipments], which allows only pull",
        "17: expected 'key = value', a [section] or a ';' comment",
        "19: PostgreSQL is not supported yet; use sqlite:PATH",
        "1: [acumatica] username is required",
        "1: [acumatica] password or password_file is required",
        "1: [acumatica] client_id is required with auth = oauth",
        "1: [acumatica] client_secret or client_secret_file is required with auth = oauth",
        NULL,
    };
    struct es_config c;
    struct es_config_diags d;
    char *path;
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    assert_diags(&d, path, want);
    assert_defaults(&c);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
}

/* ---- INI text to values ---- */

enum vtype { V_INT, V_LONG, V_STR, V_NULL };

struct value_case {
    const char *ini;
    enum vtype type;
    size_t off; /* in struct es_config */
    long n;
    const char *s;
};

#define CFG(f) offsetof(struct es_config, f)
#define SET(id, f)                                                                                 \
    (offsetof(struct es_config, sets) + (id) * sizeof(struct es_config_set) +                      \
     offsetof(struct es_config_set, f))
/* clang-format off */
#define VI(ini, f, n) {ini, V_INT, CFG(f), n, NULL}
#define VL(ini, f, n) {ini, V_LONG, CFG(f), n, NULL}
#define VS(ini, f, s) {ini, V_STR, CFG(f), 0, s}
#define VSET(ini, id, f, n) {ini, V_INT, SET(id, f), n, NULL}
/* clang-format on */

static const struct value_case value_cases[] = {
    /* conflicts: which side wins */
    VI(ACU_OK "[customers]\nprimary = erp\n", sets[ES_SET_CUSTOMERS].primary, ES_PRIMARY_ERP),
    VI(ACU_OK "[stock_items]\nprimary = APP\n", sets[ES_SET_STOCK_ITEMS].primary, ES_PRIMARY_APP),
    VI(ACU_OK, sets[ES_SET_VENDORS].primary, ES_PRIMARY_NEWEST),
    /* what ACU_OK gives */
    VS(ACU_OK, acu.url, "http://127.0.0.1:8080"),
    VS(ACU_OK, acu.tenant, "Company"),
    VS(ACU_OK, acu.username, "admin"),
    VS(ACU_OK, acu.password, "123"),
    /* URLs: trailing '/' stripped, paths and ports kept */
    VS(ACU_BUT_URL "url = https://erp.example.com/AcumaticaERP/\n", acu.url,
       "https://erp.example.com/AcumaticaERP"),
    VS(ACU_BUT_URL "url = https://erp.example.com/\n", acu.url, "https://erp.example.com"),
    VS(ACU_BUT_URL "url = http://10.0.0.5:8080//\n", acu.url, "http://10.0.0.5:8080"),
    VS(ACU_BUT_URL "url = HTTPS://[::1]:443/erp/Site-1\n", acu.url, "HTTPS://[::1]:443/erp/Site-1"),
    VS(ACU_BUT_URL "url = http://erp_1.local/a@b\n", acu.url, "http://erp_1.local/a@b"),
    /* strings, comments and spaces */
    VS(ACU_BUT_TENANT "tenant = My Company  ; the tenant\n", acu.tenant, "My Company"),
    VS(ACU_BUT_PASSWORD "password = p;w\n", acu.password, "p;w"), /* no space before ';' */
    /* quoted values keep what inih would cut or strip */
    VS(ACU_BUT_PASSWORD "password = \"abc ;def\"\n", acu.password, "abc ;def"),
    VS(ACU_BUT_PASSWORD "password = \"p;w\" ; a comment after the quotes\n", acu.password, "p;w"),
    VS(ACU_BUT_PASSWORD "password = \"  spaced \\\"q\\\" \\\\ \"\n", acu.password,
       "  spaced \"q\" \\ "),
    VS(ACU_BUT_PASSWORD "password:\"#1;2=3\"\n", acu.password, "#1;2=3"),
    VS(ACU_BUT_TENANT "tenant = \"My ; Company\"\n", acu.tenant, "My ; Company"),
    VS(ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret = \"s ;t\"\n",
       acu.client_secret, "s ;t"),
    VI(ACU_OK "[sync]\npage_size = \"42\"\n", sync.page_size, 42),
    VS(ACU_BUT_PASSWORD "password:  colon\n", acu.password, "colon"),
    VS(ACU_OK "endpoint = MyEndpoint_2.0\n", acu.endpoint, "MyEndpoint_2.0"),
    VS(ACU_OK "version = 23.200.001\n", acu.version, "23.200.001"),
    VS(ACU_OK "timezone = America/New_York\n", acu.timezone, "America/New_York"),
    VS(ACU_OK "timezone = UTC\n", acu.timezone, "UTC"),
    VS(ACU_OK "timezone = Detect\n", acu.timezone, "detect"),
    /* enums and booleans */
    VI(ACU_OK "auth = cookie\n", acu.auth, ES_AUTH_COOKIE),
    VI(ACU_OK "auth = OAuth\nclient_id = " GUID "@Company\nclient_secret = s\n", acu.auth,
       ES_AUTH_OAUTH),
    VS(ACU_OK "auth = oauth\nclient_id = " GUID "@Company\nclient_secret = s\n", acu.client_id,
       GUID "@Company"),
    VS(ACU_OK "client_secret = s3\nclient_id = " GUID "@Company\nauth = oauth\n", acu.client_secret,
       "s3"),
    /* with cookie auth the OAuth keys are dropped */
    {ACU_OK "client_id = " GUID "@Company\nclient_secret = s\n", V_NULL, CFG(acu.client_id), 0,
     NULL},
    {ACU_OK "client_id = " GUID "@Company\nclient_secret = s\n", V_NULL, CFG(acu.client_secret), 0,
     NULL},
    VI(ACU_OK "verify_tls = false\n", acu.verify_tls, 0),
    VI(ACU_OK "verify_tls = NO\n", acu.verify_tls, 0),
    VI(ACU_OK "verify_tls = off\n", acu.verify_tls, 0),
    VI(ACU_OK "verify_tls = 0\n", acu.verify_tls, 0),
    VI(ACU_OK "[sync]\nfull_sync_next_run = TRUE\n", sync.full_sync_next_run, 1),
    VI(ACU_OK "[sync]\nfull_sync_next_run = Yes\n", sync.full_sync_next_run, 1),
    VI(ACU_OK "[sync]\nfull_sync_next_run = on\n", sync.full_sync_next_run, 1),
    VI(ACU_OK "[sync]\nfull_sync_next_run = 1\n", sync.full_sync_next_run, 1),
    /* durations */
    VL(ACU_OK "timeout = 1\n", acu.timeout_ms, 1000),
    VL(ACU_OK "timeout = 1h\n", acu.timeout_ms, 3600000),
    VL(ACU_OK "timeout = 3600s\n", acu.timeout_ms, 3600000),
    VL(ACU_OK "timeout = 90\n", acu.timeout_ms, 90000),
    VL(ACU_OK "[sync]\ninterval = 1s\n", sync.interval_ms, 1000),
    VL(ACU_OK "[sync]\ninterval = 2d\n", sync.interval_ms, 172800000),
    VL(ACU_OK "[sync]\noverlap = 0\n", sync.overlap_ms, 0),
    VL(ACU_OK "[sync]\noverlap = 1d\n", sync.overlap_ms, 86400000),
    VL(ACU_OK "[sync]\noverlap = 24h\n", sync.overlap_ms, 86400000),
    VL(ACU_OK "[sync]\nreconcile_interval = 0\n", sync.reconcile_interval_ms, 0),
    VL(ACU_OK "[sync]\nreconcile_interval = 7d\n", sync.reconcile_interval_ms, 604800000),
    /* integers at their bounds */
    VI(ACU_OK "[sync]\npage_size = 1\n", sync.page_size, 1),
    VI(ACU_OK "[sync]\npage_size = 10000\n", sync.page_size, 10000),
    VI(ACU_OK "[sync]\npage_size = 0042\n", sync.page_size, 42),
    VI(ACU_OK "[sync]\nhistory_years = 0\n", sync.history_years, 0),
    VI(ACU_OK "[sync]\nhistory_years = 50\n", sync.history_years, 50),
    VI(ACU_OK "[sync]\nlast_modified_since_days = 36500\n", sync.last_modified_since_days, 36500),
    VI(ACU_OK "[limits]\nrequests_per_minute = 1000000\n", limits.requests_per_minute, 1000000),
    VI(ACU_OK "[limits]\nconcurrent_requests = 64\n", limits.concurrent_requests, 64),
    VI(ACU_OK "[limits]\nmax_sessions = 100\n", limits.max_sessions, 100),
    VI(ACU_OK "[limits]\nretries = 0\n", limits.retries, 0),
    VI(ACU_OK "[limits]\nretries = 20\n", limits.retries, 20),
    /* [store] */
    VS(ACU_OK "[store]\nurl = sqlite:/var/lib/erpsync/erpsync.db\n", store.url,
       "sqlite:/var/lib/erpsync/erpsync.db"),
    /* record sets */
    VSET(ACU_OK "[customers]\nenabled = no\n", ES_SET_CUSTOMERS, enabled, 0),
    VSET(ACU_OK "[customers]\ndirection = PULL\n", ES_SET_CUSTOMERS, direction, ES_DIR_PULL),
    VSET(ACU_OK "[sales_orders]\ndirection = push\n", ES_SET_SALES_ORDERS, direction, ES_DIR_PUSH),
    VSET(ACU_OK "[shipments]\ndirection = pull\n", ES_SET_SHIPMENTS, direction, ES_DIR_PULL),
    VSET(ACU_OK "[purchase_orders]\ndirection = push\n", ES_SET_PURCHASE_ORDERS, direction,
         ES_DIR_PUSH),
    VSET(ACU_OK "[purchase_orders]\nenabled = false\n", ES_SET_PURCHASE_ORDERS, enabled, 0),
    VSET(ACU_OK "[appointments]\n", ES_SET_APPOINTMENTS, direction, ES_DIR_PULL),
    VSET(ACU_OK, ES_SET_PRICES, direction, ES_DIR_PULL),
    VSET(ACU_OK, ES_SET_PURCHASE_ORDERS, direction, ES_DIR_PUSH),
    VI(ACU_OK "[customers]\nsync_sub_customers = false\n", customers.sync_sub_customers, 0),
    VI(ACU_OK "[customers]\nskip_first_address_line = true\n", customers.skip_first_address_line,
       1),
    VI(ACU_OK "[customers]\nuse_ship_to_address = yes\n", customers.use_ship_to_address, 1),
    VI(ACU_OK "[customers]\nnew_customer_type = Residential\n", customers.new_customer_type,
       ES_CUSTOMER_RESIDENTIAL),
    VI(ACU_OK "[invoices]\nuse_integration_date = 1\n", invoices.use_integration_date, 1),
    /* layout: indented keys are keys (not a continuation of the last value),
     * sections can be reopened, '#' comments, the [acumatica] last */
    VI(ACU_OK "[sync]\n  page_size = 7\n\thistory_years = 9\n", sync.page_size, 7),
    VI(ACU_OK "[sync]\n  page_size = 7\n\thistory_years = 9\n", sync.history_years, 9),
    VI(ACU_OK "[sync]\npage_size = 7\n[limits]\n[sync]\nhistory_years = 9\n", sync.history_years,
       9),
    VI("# hash\n[sync]\n; semicolon\npage_size = 8 ; eight\n" ACU_OK, sync.page_size, 8),
};

static void values_reach_the_config(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
        const struct value_case *t = &value_cases[i];
        struct es_config c;
        struct es_config_diags d;
        print_message("case %zu\n", i);
        char *path;
        int rc = load_bytes(&c, &d, t->ini, strlen(t->ini), &path);
        if (d.n)
            print_diags(&d);
        assert_int_equal(rc, 0);
        assert_int_equal(d.n, 0);
        assert_string_equal(c.path, path);
        const char *p = (const char *)&c + t->off;
        switch (t->type) {
        case V_INT:
            assert_int_equal(*(const int *)p, t->n);
            break;
        case V_LONG:
            assert_int_equal(*(const long *)p, t->n);
            break;
        case V_STR:
            assert_string_equal(*(char *const *)p, t->s);
            break;
        case V_NULL:
            assert_null(*(char *const *)p);
            break;
        }
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
    }
}

static void ca_file_is_kept(void **state)
{
    (void)state;
    char *ca = write_temp("-----BEGIN CERTIFICATE-----\n", 28);
    char *ini = es_xasprintf(ACU_OK "ca_file = %s\n", ca);
    struct es_config c;
    struct es_config_diags d;
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), NULL), 0);
    assert_string_equal(c.acu.ca_file, ca);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    free(ini);
    remove_temp(ca);
}

struct duration_case {
    const char *in;
    int rc;
    long ms;
};

static void durations_parse_strictly(void **state)
{
    (void)state;
    static const struct duration_case cases[] = {
        {"0", 0, 0},
        {"90", 0, 90000},
        {"90s", 0, 90000},
        {"15m", 0, 900000},
        {"2h", 0, 7200000},
        {"1d", 0, 86400000},
        {"0d", 0, 0},
        {"007s", 0, 7000},
        {"", ES_EINVAL, 0},
        {"s", ES_EINVAL, 0},
        {"-1", ES_EINVAL, 0},
        {"+1", ES_EINVAL, 0},
        {" 1", ES_EINVAL, 0},
        {"1 ", ES_EINVAL, 0},
        {"1.5h", ES_EINVAL, 0},
        {"1ms", ES_EINVAL, 0},
        {"1ss", ES_EINVAL, 0},
        {"1w", ES_EINVAL, 0},
        {"1H", ES_EINVAL, 0},
        {"1e3", ES_EINVAL, 0},
        {"0x10", ES_EINVAL, 0},
        {"99999999999999999999", ES_EINVAL, 0},
        {"9223372036854775807", ES_EINVAL, 0}, /* seconds: too many ms */
        {"9223372036854775d", ES_EINVAL, 0},
        {"9223372036854775", 0, 9223372036854775000L},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long ms = -42;
        int rc = es_parse_duration(&ms, cases[i].in);
        print_message("'%s'\n", cases[i].in);
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(ms, rc ? -42 : cases[i].ms); /* untouched on failure */
    }
    long ms = -42;
    assert_int_equal(es_parse_duration(&ms, NULL), ES_EINVAL);
    assert_int_equal(ms, -42);
}

/* ---- files and lines ---- */

struct secret_file_case {
    const char *content;
    size_t len;
    const char *want;      /* NULL: a problem, want_diag */
    const char *want_diag; /* after "LINE: password_file: 'PATH'" */
};

static void password_file_is_read_and_trimmed(void **state)
{
    (void)state;
    static const struct secret_file_case cases[] = {
        {"pw", 2, "pw", NULL},
        {"pw\n", 3, "pw", NULL},
        {"pw\r\n\n\n", 6, "pw", NULL},
        {"  p w  \n", 8, "  p w  ", NULL}, /* only newlines are trimmed */
        {"line1\nline2\n", 12, "line1\nline2", NULL},
        {"", 0, NULL, " is empty"},
        {"\n\r\n", 3, NULL, " is empty"},
        {"p\0w\n", 4, NULL, " contains a NUL byte"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct secret_file_case *t = &cases[i];
        char *pw = write_temp(t->content, t->len);
        char *ini = es_xasprintf("[acumatica]\nurl = http://erp\ntenant = C\nusername = u\n"
                                 "password_file = %s ; read at load time\n",
                                 pw);
        struct es_config c;
        struct es_config_diags d;
        char *path;
        int rc = load_bytes(&c, &d, ini, strlen(ini), &path);
        print_message("case %zu\n", i);
        if (t->want) {
            assert_int_equal(rc, 0);
            assert_string_equal(c.acu.password, t->want);
        } else {
            char *msg = es_xasprintf("5: password_file: '%s'%s", pw, t->want_diag);
            const char *want[] = {msg, NULL};
            assert_int_equal(rc, ES_EINVAL);
            assert_diags(&d, path, want);
            assert_null(c.acu.password);
            free(msg);
        }
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
        remove_temp(pw);
        free(ini);
    }
}

static void oversized_password_file_is_refused(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'x', sizeof(big));
    char *pw = write_temp(big, sizeof(big));
    char *ini = es_xasprintf(ACU_OK "[acumatica]\npassword_file = %s\n", pw);
    struct es_config c;
    struct es_config_diags d;
    char *path;
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    char *both = es_xasprintf("7: set password or password_file, not both");
    const char *want[] = {both, NULL};
    assert_diags(&d, path, want);
    free(both);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    free(ini);
    /* Alone, it is read and refused for its size. */
    ini = es_xasprintf("[acumatica]\nurl = http://erp\ntenant = C\nusername = u\n"
                       "password_file = %s\n",
                       pw);
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    char *msg = es_xasprintf("5: password_file: '%s' is longer than 4096 bytes", pw);
    want[0] = msg;
    assert_diags(&d, path, want);
    free(msg);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    free(ini);
    remove_temp(pw);
}

static void client_secret_file_is_read_for_oauth(void **state)
{
    (void)state;
    char *cs = write_temp("client-secret\n", 14);
    char *ini = es_xasprintf(ACU_OK "auth = oauth\nclient_id = %s@Company\n"
                                    "client_secret_file = %s\n",
                             GUID, cs);
    struct es_config c;
    struct es_config_diags d;
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), NULL), 0);
    assert_int_equal(c.acu.auth, ES_AUTH_OAUTH);
    assert_string_equal(c.acu.client_id, GUID "@Company");
    assert_string_equal(c.acu.client_secret, "client-secret");
    assert_string_equal(c.acu.password, "123");
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    free(ini);
    remove_temp(cs);
}

struct lines_case {
    const char *bytes;
    size_t len;
    const char *diags[4];
};

#define BYTES(s) s, sizeof(s) - 1

static void lines_are_counted_as_the_user_sees_them(void **state)
{
    (void)state;
    static const struct lines_case cases[] = {
        /* CRLF */
        {BYTES("[acumatica]\r\nurl = http://erp/\r\ntenant = C\r\nusername = u\r\npassword = p\r\n"
               "[sync]\r\npage_size = 0\r\n"),
         {"7: page_size: '0' is not a number from 1 to 10000"}},
        /* a BOM, then an error on line 1 */
        {BYTES("\xEF\xBB\xBF[colour]\n" ACU_OK), {"1: unknown section [colour]"}},
        /* a BOM before a good first line, CRLF, no final newline */
        {BYTES("\xEF\xBB\xBF[acumatica]\r\nurl = http://erp\r\ntenant = C\r\nusername = u\r\n"
               "password = p\r\nbogus = 1"),
         {"6: unknown key 'bogus' in [acumatica]"}},
        /* comments and blank lines count */
        {BYTES("; one\n# two\n\n   \n" ACU_OK "; ten\n[sync]\n;\n#\npage_size = x\n"),
         {"14: page_size: 'x' is not a number from 1 to 10000"}},
        /* a NUL byte */
        {BYTES(ACU_OK "[sync]\npage\0_size = 1\n"), {"7: line contains a NUL byte"}},
        /* a CR alone is not a line end */
        {BYTES(ACU_OK "[sync]\rpage_size = 1\n"), {"6: unexpected text after [sync]"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct es_config c;
        struct es_config_diags d;
        char *path;
        print_message("case %zu\n", i);
        int rc = load_bytes(&c, &d, cases[i].bytes, cases[i].len, &path);
        assert_int_equal(rc, cases[i].diags[0] ? ES_EINVAL : 0);
        assert_diags(&d, path, cases[i].diags);
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
    }
}

/* A line of exactly n bytes (without its end) on line 7. */
static char *with_long_line(size_t n, const char *start, const char *eol)
{
    char *fill = es_xmalloc(n + 1);
    size_t k = strlen(start);
    memcpy(fill, start, k);
    memset(fill + k, 'x', n - k);
    fill[n] = '\0';
    char *ini = es_xasprintf(ACU_OK "[sync]\n%s%spage_size = 0%s", fill, eol, eol);
    free(fill);
    return ini;
}

static void long_lines_are_refused_not_cut(void **state)
{
    (void)state;
    struct es_config c;
    struct es_config_diags d;
    char *path;
    static const char *const eols[] = {"\n", "\r\n"};
    for (size_t e = 0; e < 2; e++) {
        /* 199 bytes is fine, comment or value; line counting goes on */
        char *ini = with_long_line(199, "; ", eols[e]);
        assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
        const char *after[] = {"8: page_size: '0' is not a number from 1 to 10000", NULL};
        assert_diags(&d, path, after);
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
        free(ini);
        /* 200 bytes is refused, and the lines after it still count */
        ini = with_long_line(200, "; ", eols[e]);
        assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
        const char *refused[] = {"7: line is longer than 199 characters",
                                 "8: page_size: '0' is not a number from 1 to 10000", NULL};
        assert_diags(&d, path, refused);
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        remove_temp(path);
        free(ini);
    }
    /* A 199-byte value is whole; a 5000-byte one is refused, not cut to 199. */
    char *ini = with_long_line(199, "history_years=", "\n");
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    assert_int_equal(d.n, 2);
    assert_true(strstr(d.msgs[0], ":7: history_years: 'xxx") != NULL);
    assert_int_equal(strlen(strstr(d.msgs[0], "'xxx")),
                     185 + 2 + strlen(" is not a number from 0 to 50"));
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    free(ini);
    ini = with_long_line(5000, "tenant=", "\n");
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    const char *refused[] = {"7: line is longer than 199 characters",
                             "8: page_size: '0' is not a number from 1 to 10000", NULL};
    assert_diags(&d, path, refused);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    free(ini);
    /* A refused section header: its keys are not taken for the last section's. */
    ini = with_long_line(200, "[", "\n");
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), &path), ES_EINVAL);
    const char *header[] = {"7: line is longer than 199 characters", NULL};
    assert_diags(&d, path, header);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    free(ini);
}

static void floods_are_cut_short(void **state)
{
    (void)state;
    struct es_config c;
    struct es_config_diags d;
    char *path;
    /* 150 bad lines: 100 problems, then one saying it stopped. */
    char garbage[150 * 8];
    for (int i = 0; i < 150; i++)
        memcpy(garbage + i * 8, "garbage\n", 8);
    assert_int_equal(load_bytes(&c, &d, garbage, sizeof(garbage), &path), ES_EINVAL);
    assert_int_equal(d.n, 101);
    char *last = es_xasprintf("%s:101: too many problems; stopped here", path);
    assert_string_equal(d.msgs[100], last);
    free(last);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
    /* More than 1 MiB: not a config file. */
    size_t n = 1024 * 1024 + 100;
    char *big = es_xmalloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = i % 100 == 99 ? '\n' : ';';
    assert_int_equal(load_bytes(&c, &d, big, n, &path), ES_EINVAL);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.msgs[0], ": the file is larger than 1048576 bytes; is it the right "
                                      "file?"));
    free(big);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
}

static void unreadable_files_are_eio(void **state)
{
    (void)state;
    struct es_config c;
    struct es_config_diags d;
    es_config_diags_init(&d);
    assert_int_equal(es_config_load(&c, "/nonexistent/erpsync.ini", &d), ES_EIO);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.msgs[0],
                        "/nonexistent/erpsync.ini: cannot read: No such file or directory");
    assert_defaults(&c);
    es_config_dispose(&c);
    /* A directory opens but cannot be read. Diags accumulate across loads. */
    assert_int_equal(es_config_load(&c, "/", &d), ES_EIO);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.msgs[1], "/: cannot read: Is a directory");
    assert_defaults(&c);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
}

/* ---- files holding secrets ---- */

/* "%s" in fmt, each replaced by s (a test's expected message naming a
 * path it learns late). The caller frees the result. */
static char *with_path(const char *fmt, const char *s)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 's')
            es_buf_adds(&b, s), p++;
        else
            es_buf_add(&b, p, 1);
    }
    return es_buf_steal(&b, NULL);
}

/* Load ini from a file of the given mode: no diag when want is NULL, else
 * exactly want ("LINE: message", any "%s" standing for the config's path). */
static void assert_load_with_mode(const char *ini, mode_t mode, const char *want)
{
    char *path = write_temp(ini, strlen(ini));
    assert_int_equal(chmod(path, mode), 0);
    struct es_config c;
    struct es_config_diags d;
    es_config_diags_init(&d);
    int rc = es_config_load(&c, path, &d);
    print_message("mode %04o: %s\n", (unsigned)mode, ini);
    if (!want) {
        if (d.n)
            print_diags(&d);
        assert_int_equal(d.n, 0);
        assert_int_equal(rc, 0);
    } else {
        char *msg = with_path(want, path);
        const char *wants[] = {msg, NULL};
        assert_diags(&d, path, wants);
        assert_int_equal(rc, ES_EINVAL);
        free(msg);
    }
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
}

#define OPEN_TO_OTHERS "is open to group or others (mode %04o), but holds a secret; run chmod 600"

/* A file that holds a secret must be its owner's alone, as ssh and libpq
 * demand: the config when it holds a password or client secret, and a
 * password_file or client_secret_file. The message says how to fix it. */
static void secrets_must_be_private(void **state)
{
    (void)state;
    static const mode_t open_modes[] = {0644, 0640, 0604, 0660, 0620, 0602, 0666};
    static const mode_t private_modes[] = {0600, 0400, 0700};
    char *pw = write_temp("pw\n", 3), *cs = write_temp("cs\n", 3);
    const char *inline_ini = ACU_OK;
    char *file_ini = es_xasprintf(ACU_BUT_PASSWORD "password_file = %s\n", pw);
    char *oauth_ini = es_xasprintf(ACU_BUT_PASSWORD "password_file = %s\nauth = oauth\n"
                                                    "client_id = " GUID "@C\nclient_secret = s\n",
                                   pw);
    char *cs_file_ini = es_xasprintf(ACU_OK "auth = oauth\nclient_id = " GUID "@C\n"
                                            "client_secret_file = %s\n",
                                     cs);
    /* the client secret is in the file even when cookie auth ignores it */
    char *ignored_ini =
        es_xasprintf(ACU_BUT_PASSWORD "password_file = %s\nclient_secret = s\n", pw);
    for (size_t i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
        unsigned m = (unsigned)open_modes[i];
        char *want = es_xasprintf("5: password: '%%s' " OPEN_TO_OTHERS " %%s", m);
        assert_load_with_mode(inline_ini, m, want);
        free(want);
        want = es_xasprintf("8: client_secret: '%%s' " OPEN_TO_OTHERS " %%s", m);
        assert_load_with_mode(oauth_ini, m, want);
        free(want);
        want = es_xasprintf("6: client_secret: '%%s' " OPEN_TO_OTHERS " %%s", m);
        assert_load_with_mode(ignored_ini, m, want);
        free(want);
        /* the config holds no secret: its mode is its owner's business */
        assert_load_with_mode(file_ini, m, NULL);
        /* the secret's own file must be private */
        assert_int_equal(chmod(pw, m), 0);
        want = es_xasprintf("5: password_file: '%s' " OPEN_TO_OTHERS " %s", pw, m, pw);
        assert_load_with_mode(file_ini, 0600, want);
        free(want);
        assert_int_equal(chmod(pw, 0600), 0);
        assert_int_equal(chmod(cs, m), 0);
        want = es_xasprintf("8: client_secret_file: '%s' " OPEN_TO_OTHERS " %s", cs, m, cs);
        assert_load_with_mode(cs_file_ini, 0600, want);
        free(want);
        assert_int_equal(chmod(cs, 0600), 0);
    }
    for (size_t i = 0; i < sizeof(private_modes) / sizeof(private_modes[0]); i++) {
        mode_t m = private_modes[i];
        assert_load_with_mode(inline_ini, m, NULL);
        assert_load_with_mode(oauth_ini, m, NULL);
        assert_int_equal(chmod(pw, m), 0);
        assert_int_equal(chmod(cs, m), 0);
        assert_load_with_mode(file_ini, 0600, NULL);
        assert_load_with_mode(cs_file_ini, 0600, NULL);
        assert_int_equal(chmod(pw, 0600), 0);
        assert_int_equal(chmod(cs, 0600), 0);
    }
    /* An empty password holds nothing: only that is said. */
    assert_load_with_mode(ACU_BUT_PASSWORD "password =\n", 0644, "5: password is empty");
    free(file_ini);
    free(oauth_ini);
    free(cs_file_ini);
    free(ignored_ini);
    remove_temp(pw);
    remove_temp(cs);
}

/* A FIFO (or a device) where a file is expected is refused at once: opening
 * or reading it would wait for a writer that never comes. */
static void fifos_are_refused_at_once(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    char *dir = es_xasprintf("%s/erpsync-fifo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    char *fifo = es_xasprintf("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20); /* a hang ends the test, failed */
    static const char *const inis[] = {
        ACU_BUT_PASSWORD "password_file = %s\n",
        ACU_OK "auth = oauth\nclient_id = " GUID "@C\nclient_secret_file = %s\n",
        ACU_OK "ca_file = %s\n",
    };
    static const char *const wants[] = {
        "5: password_file: '%s' is not a regular file",
        "8: client_secret_file: '%s' is not a regular file",
        "6: ca_file: '%s' is not a file",
    };
    for (size_t i = 0; i < sizeof(inis) / sizeof(inis[0]); i++) {
        char *ini = with_path(inis[i], fifo), *want = with_path(wants[i], fifo);
        assert_load_with_mode(ini, 0600, want);
        free(ini);
        free(want);
    }
    assert_load_with_mode(ACU_BUT_PASSWORD "password_file = /dev/null\n", 0600,
                          "5: password_file: '/dev/null' is not a regular file");
    /* The config itself. */
    struct es_config c;
    struct es_config_diags d;
    es_config_diags_init(&d);
    assert_int_equal(es_config_load(&c, fifo, &d), ES_EIO);
    assert_int_equal(d.n, 1);
    char *msg = with_path("%s: cannot read: not a regular file", fifo);
    assert_string_equal(d.msgs[0], msg);
    free(msg);
    assert_defaults(&c);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    alarm(0);
    unlink(fifo);
    rmdir(dir);
    free(fifo);
    free(dir);
}

/* ---- warnings ---- */

#define W_TLS                                                                                      \
    "verify_tls = false: the site's certificate is not checked, so anyone on the network path "   \
    "can pose as the site and read the password and the data"
#define W_HTTP(url)                                                                                \
    "url '" url "' is plain http to another machine: the password and the data cross the "       \
    "network unencrypted; use https://"

struct warn_case {
    const char *acu; /* [acumatica] lines after tenant, username and password */
    const char *want[3];
};

static const struct warn_case warn_cases[] = {
    /* this machine: nothing crosses the network */
    {"url = http://127.0.0.1:8080\n", {NULL}},
    {"url = http://127.1.2.3\n", {NULL}},
    {"url = http://127.255.255.255/x\n", {NULL}},
    {"url = http://localhost:8080/AcumaticaERP\n", {NULL}},
    {"url = HTTP://LocalHost\n", {NULL}},
    {"url = http://localhost./x\n", {NULL}},
    {"url = http://[::1]:8080\n", {NULL}},
    {"url = http://[0:0:0:0:0:0:0:1]\n", {NULL}},
    {"url = http://[::ffff:127.0.0.1]/\n", {NULL}},
    /* https, checked */
    {"url = https://erp.example.com/AcumaticaERP\n", {NULL}},
    {"url = https://erp.example.com\nverify_tls = true\n", {NULL}},
    /* plain http elsewhere */
    {"url = http://erp.example.com/AcumaticaERP\n",
     {W_HTTP("http://erp.example.com/AcumaticaERP")}},
    {"url = http://10.0.0.5:8080\n", {W_HTTP("http://10.0.0.5:8080")}},
    {"url = http://128.0.0.1\n", {W_HTTP("http://128.0.0.1")}},
    {"url = http://0.0.0.0\n", {W_HTTP("http://0.0.0.0")}},
    {"url = http://127.0.0.1.example.com\n", {W_HTTP("http://127.0.0.1.example.com")}},
    {"url = http://localhost.example.com\n", {W_HTTP("http://localhost.example.com")}},
    {"url = http://mylocalhost\n", {W_HTTP("http://mylocalhost")}},
    {"url = http://[::2]\n", {W_HTTP("http://[::2]")}},
    {"url = http://[::ffff:10.0.0.1]\n", {W_HTTP("http://[::ffff:10.0.0.1]")}},
    /* TLS without its check; over plain http there is no TLS to check */
    {"url = https://erp.example.com\nverify_tls = false\n", {W_TLS}},
    {"url = https://127.0.0.1\nverify_tls = no\n", {W_TLS}},
    {"url = http://127.0.0.1\nverify_tls = false\n", {NULL}},
    {"url = http://erp\nverify_tls = false\n", {W_HTTP("http://erp")}},
};

static void weak_security_is_warned(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(warn_cases) / sizeof(warn_cases[0]); i++) {
        const struct warn_case *t = &warn_cases[i];
        char *ini = es_xasprintf("[acumatica]\ntenant = C\nusername = u\npassword = p\n%s", t->acu);
        struct es_config c;
        struct es_config_diags d, w;
        print_message("case %zu: %s", i, t->acu);
        assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), NULL), 0);
        es_config_diags_init(&w);
        size_t n = 0;
        while (t->want[n])
            n++;
        assert_int_equal(es_config_warnings(&w, &c), n);
        assert_int_equal(w.n, n);
        for (size_t j = 0; j < n; j++)
            assert_string_equal(w.msgs[j], t->want[j]);
        es_config_diags_dispose(&w);
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        free(ini);
    }
}

/* A ca_file that is not PEM is a configuration error, not a failure to
 * reach the site at run time. */
static void ca_file_must_be_pem(void **state)
{
    (void)state;
    static const struct {
        const char *content;
        size_t len;
        int ok;
    } cases[] = {
        {BYTES("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 1},
        {BYTES("# a bundle with a header\n\n-----BEGIN CERTIFICATE-----\nMIIB\n"), 1},
        {BYTES("-----BEGIN TRUSTED CERTIFICATE-----\nMIIB\n"), 1},
        {BYTES(""), 0},
        {BYTES("not a certificate\n"), 0},
        {BYTES("\x30\x82\x03\x0b\x30\x82\x01\xf3\xa0\x03"), 0}, /* DER */
        {BYTES("-----BEGIN PRIVATE KEY-----\nMIIE\n"), 0},
    };
    /* Past 16 MiB it is not searched: the wrong file, most likely. */
    size_t big = (16u << 20) + 100;
    char *bytes = es_xmalloc(big + 28);
    memset(bytes, '#', big);
    memcpy(bytes + big, "-----BEGIN CERTIFICATE-----\n", 28);
    char *huge = write_temp(bytes, big + 28);
    free(bytes);
    char *huge_ini = es_xasprintf(ACU_OK "ca_file = %s\n", huge);
    char *huge_want =
        es_xasprintf("6: ca_file: '%s' is larger than 16 MiB; is it the right file?", huge);
    assert_load_with_mode(huge_ini, 0600, huge_want);
    free(huge_want);
    free(huge_ini);
    remove_temp(huge);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *ca = write_temp(cases[i].content, cases[i].len);
        char *ini = es_xasprintf(ACU_OK "ca_file = %s\n", ca);
        print_message("case %zu\n", i);
        if (cases[i].ok) {
            assert_load_with_mode(ini, 0600, NULL);
        } else {
            char *want = es_xasprintf("6: ca_file: '%s' is not a PEM file (no -----BEGIN "
                                      "CERTIFICATE----- line)",
                                      ca);
            assert_load_with_mode(ini, 0600, want);
            free(want);
        }
        free(ini);
        remove_temp(ca);
    }
}

/* ---- secrets never appear in messages ---- */

static void secrets_stay_out_of_messages(void **state)
{
    (void)state;
    char *pwfile = write_temp("SECRET-in-file\n", 15);
    char *inis[] = {
        es_xasprintf(ACU_OK "password = SECRET-1\n"),
        es_xasprintf(ACU_OK "password_file = %s\n", pwfile),
        es_xasprintf("[acumatica]\nurl = http://erp\ntenant = C\nusername = u\n"
                     "password = SECRET-1\npassword_file = %s\n",
                     pwfile),
        es_xasprintf(ACU_OK "auth = oauth\nclient_id = bad\nclient_secret = SECRET-2\n"
                            "client_secret = SECRET-3\nclient_secret_file = %s\n",
                     pwfile),
        es_xasprintf("[sync]\npassword = SECRET-1\nclient_secret = SECRET-2\n[SECRET-4\n"
                     "SECRET-5\n[colour]\npassword = SECRET-6\n"),
        es_xasprintf("password = SECRET-1\n[acumatica]\nurl = https://u:SECRET-7@erp/\n"),
        es_xasprintf(ACU_OK "[store]\nurl = postgresql://u:SECRET-8@db/x\n"
                            "url = mysql://u:SECRET-9@db/x\n"),
        es_xasprintf(ACU_OK "[store]\nurl = mysql://u:SECRET-9@db/x\n"),
    };
    for (size_t i = 0; i < sizeof(inis) / sizeof(inis[0]); i++) {
        struct es_config c;
        struct es_config_diags d;
        print_message("case %zu\n", i);
        assert_int_equal(load_bytes(&c, &d, inis[i], strlen(inis[i]), NULL), ES_EINVAL);
        assert_true(d.n > 0);
        for (size_t j = 0; j < d.n; j++) {
            if (strstr(d.msgs[j], "SECRET"))
                print_message("leak: %s\n", d.msgs[j]);
            assert_null(strstr(d.msgs[j], "SECRET"));
        }
        es_config_dispose(&c);
        es_config_diags_dispose(&d);
        free(inis[i]);
    }
    remove_temp(pwfile);
}

/* ---- the sample ---- */

static void sample_loads_with_the_defaults(void **state)
{
    (void)state;
    const char *sample = es_config_sample();
    struct es_config c;
    struct es_config_diags d;
    char *path;
    int rc = load_bytes(&c, &d, sample, strlen(sample), &path);
    if (d.n)
        print_diags(&d);
    assert_int_equal(rc, 0);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.path, path);
    assert_string_equal(c.acu.url, "http://127.0.0.1:8080");
    assert_string_equal(c.acu.tenant, "Company");
    assert_string_equal(c.acu.username, "admin");
    assert_string_equal(c.acu.password, "123");
    /* Everything else is the default: the sample says what the code does. */
    free(c.acu.url);
    free(c.acu.tenant);
    free(c.acu.username);
    es_free_secret(c.acu.password, strlen(c.acu.password));
    free(c.path);
    c.acu.url = c.acu.tenant = c.acu.username = c.acu.password = c.path = NULL;
    assert_defaults(&c);
    es_config_dispose(&c);
    es_config_diags_dispose(&d);
    remove_temp(path);
}

static void sample_shows_every_key_and_set(void **state)
{
    (void)state;
    static const char *const keys[] = {"url",
                                       "tenant",
                                       "endpoint",
                                       "version",
                                       "auth",
                                       "username",
                                       "password",
                                       ";password_file",
                                       ";client_id",
                                       ";client_secret",
                                       ";client_secret_file",
                                       "timezone",
                                       "verify_tls",
                                       ";ca_file",
                                       "timeout",
                                       "interval",
                                       "page_size",
                                       "history_years",
                                       "last_modified_since_days",
                                       "full_sync_next_run",
                                       "overlap",
                                       "reconcile_interval",
                                       "requests_per_minute",
                                       "concurrent_requests",
                                       "max_sessions",
                                       "retries",
                                       "enabled",
                                       "direction",
                                       "sync_sub_customers",
                                       "skip_first_address_line",
                                       "use_ship_to_address",
                                       "new_customer_type",
                                       "use_integration_date",
                                       "[acumatica]",
                                       "[store]",
                                       "[sync]",
                                       "[limits]"};
    const char *sample = es_config_sample();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char *line = es_xasprintf("\n%s%s", keys[i], keys[i][0] == '[' ? "\n" : " =");
        if (!strstr(sample, line))
            fail_msg("not in the sample: %s", line);
        free(line);
    }
    for (int i = 0; i < ES_NSETS; i++) {
        char *line = es_xasprintf("\n[%s]\nenabled = true\ndirection = %s\n", es_set_info(i)->name,
                                  es_dir_name(es_set_info(i)->fallback));
        if (!strstr(sample, line))
            fail_msg("not in the sample: %s", line);
        free(line);
    }
    /* Every line fits in 100 columns, the last one ends. */
    size_t len = 0;
    for (const char *p = sample; *p; p++) {
        len = *p == '\n' ? 0 : len + 1;
        assert_true(len <= 100);
    }
    assert_int_equal(sample[strlen(sample) - 1], '\n');
}

/* ---- ownership ---- */

/* A set allows pushing exactly when erpsync can push it, and pulling only
 * when it has a mapping: the config accepts no direction it cannot do. */
static void directions_allowed_are_directions_done(void **state)
{
    (void)state;
    for (int i = 0; i < ES_NSETS; i++) {
        const struct es_set_info *set = es_set_info((enum es_set_id)i);
        if (!!(set->allowed & ES_DIR_PUSH) != es_push_supported((enum es_set_id)i))
            fail_msg("[%s] allows %s, and erpsync %s push it", set->name,
                     es_dir_name(set->allowed), es_push_supported((enum es_set_id)i) ? "does"
                                                                                      : "cannot");
        if ((set->allowed & ES_DIR_PULL) && !es_map_get((enum es_set_id)i))
            fail_msg("[%s] allows pull without a mapping", set->name);
        assert_int_equal(set->fallback & ~set->allowed, 0);
    }
}

static void dispose_frees_everything(void **state)
{
    (void)state;
    /* Every string field set (ASan reports a leak or a double free). */
    char *cs = write_temp("cs\n", 3);
    char *ca = write_temp("-----BEGIN CERTIFICATE-----\n", 28);
    char *ini = es_xasprintf(ACU_OK "endpoint = E\nversion = 23.200.001\ntimezone = UTC\n"
                                    "auth = oauth\nclient_id = %s@C\nclient_secret_file = %s\n"
                                    "ca_file = %s\n[store]\nurl = sqlite:x.db\n",
                             GUID, cs, ca);
    struct es_config c;
    struct es_config_diags d;
    assert_int_equal(load_bytes(&c, &d, ini, strlen(ini), NULL), 0);
    assert_non_null(c.acu.client_secret);
    assert_non_null(c.acu.ca_file);
    es_config_dispose(&c);
    /* Disposed: all cleared, and disposing again is harmless. */
    assert_null(c.acu.password);
    assert_null(c.acu.client_secret);
    assert_null(c.acu.url);
    assert_null(c.store.url);
    assert_null(c.path);
    es_config_dispose(&c);
    es_config_dispose(NULL);
    es_config_diags_dispose(&d);
    es_config_diags_dispose(&d);
    es_config_diags_dispose(NULL);
    /* The defaults alone own strings too. */
    es_config_defaults(&c);
    es_config_dispose(&c);
    free(ini);
    remove_temp(cs);
    remove_temp(ca);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(problems_are_reported_by_line),
        cmocka_unit_test(every_problem_is_collected),
        cmocka_unit_test(values_reach_the_config),
        cmocka_unit_test(ca_file_is_kept),
        cmocka_unit_test(durations_parse_strictly),
        cmocka_unit_test(password_file_is_read_and_trimmed),
        cmocka_unit_test(oversized_password_file_is_refused),
        cmocka_unit_test(client_secret_file_is_read_for_oauth),
        cmocka_unit_test(lines_are_counted_as_the_user_sees_them),
        cmocka_unit_test(long_lines_are_refused_not_cut),
        cmocka_unit_test(floods_are_cut_short),
        cmocka_unit_test(unreadable_files_are_eio),
        cmocka_unit_test(secrets_must_be_private),
        cmocka_unit_test(fifos_are_refused_at_once),
        cmocka_unit_test(weak_security_is_warned),
        cmocka_unit_test(ca_file_must_be_pem),
        cmocka_unit_test(secrets_stay_out_of_messages),
        cmocka_unit_test(sample_loads_with_the_defaults),
        cmocka_unit_test(sample_shows_every_key_and_set),
        cmocka_unit_test(directions_allowed_are_directions_done),
        cmocka_unit_test(dispose_frees_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
