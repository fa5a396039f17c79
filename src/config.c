/* The configuration file: read one line at a time (to count lines and refuse
 * long ones), split into sections and keys by inih, every key checked against
 * one table. Problems are collected, not stopped at, so one pass fixes all. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ini.h>
#include <sodium.h>

#include "erpsync/buf.h"
#include "erpsync/config.h"
#include "erpsync/err.h"
#include "erpsync/mem.h"
#include "erpsync/term.h"

#define MAX_LINE 199           /* inih's line buffer (INI_MAX_LINE 200) less its NUL */
#define MAX_FILE (1024 * 1024) /* a config is a few kilobytes: this is the wrong file */
#define MAX_SECRET 4096        /* bytes in a password_file or client_secret_file */
#define MAX_CA_FILE (16 << 20) /* bytes of a ca_file searched for a certificate */
#define MAX_DIAGS 100          /* then one more saying we stopped */
#define NO_MAX LONG_MAX

#define MS_SEC 1000L
#define MS_MIN (60 * MS_SEC)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY (24 * MS_HOUR)

/* Enum fields are written through an int. */
_Static_assert(sizeof(enum es_auth) == sizeof(int), "enum es_auth is an int");
_Static_assert(sizeof(enum es_customer_type) == sizeof(int), "enum es_customer_type is an int");

/* Sections: four fixed ones, then one per record set in es_set_id order. */
enum { SEC_ACU, SEC_STORE, SEC_SYNC, SEC_LIMITS, SEC_SET0, NSEC = SEC_SET0 + ES_NSETS };
enum { IN_NONE = -1, IN_BAD = -2 }; /* before any section; in one that was refused */
#define ANY_SET (-3)                /* a key of every record set section */

static const char *const fixed_sections[SEC_SET0] = {"acumatica", "store", "sync", "limits"};

struct loader;
struct key;
/* A value as next_line found it: plain, plain but cut by an inline comment,
 * quoted (decoded by us, since inih would cut it at " ;" and strip its
 * blanks), or badly quoted. */
enum value_kind { V_PLAIN, V_CUT, V_QUOTED, V_BAD };
typedef void parse_fn(struct loader *ld, const struct key *k, const char *v);

enum { F_SECRET = 1, F_LATER = 2 }; /* wiped on free; checked once auth is known */

struct key {
    int sec; /* SEC_*, or ANY_SET */
    const char *name;
    parse_fn *parse;
    size_t off; /* in struct es_config, or in struct es_config_set for ANY_SET */
    long min, max;
    const char *const *words; /* an enum's words, the index being its value */
    int flags;
};

static parse_fn set_str, set_bool, set_int, set_duration, set_word, set_url, set_endpoint,
    set_version, set_path, set_timezone, set_ca_file, set_store_url, set_direction;

static const char *const auth_words[] = {"cookie", "oauth", NULL};
static const char *const customer_type_words[] = {"business", "residential", NULL};
static const char *const primary_words[] = {"newest", "erp", "app", NULL};

#define CFG(f) offsetof(struct es_config, f)
/* clang-format off */
#define K(sec, name, fn, off) {sec, name, fn, off, 0, 0, NULL, 0}
#define KR(sec, name, fn, off, lo, hi) {sec, name, fn, off, lo, hi, NULL, 0}
#define KF(sec, name, off, flags) {sec, name, set_str, off, 0, 0, NULL, flags}
#define KW(sec, name, off, words) {sec, name, set_word, off, 0, 0, words, 0}
/* clang-format on */
#define CUSTOMERS (SEC_SET0 + ES_SET_CUSTOMERS)
#define INVOICES (SEC_SET0 + ES_SET_INVOICES)

static const struct key keys[] = {
    K(SEC_ACU, "url", set_url, CFG(acu.url)),
    KF(SEC_ACU, "tenant", CFG(acu.tenant), 0),
    K(SEC_ACU, "endpoint", set_endpoint, CFG(acu.endpoint)),
    K(SEC_ACU, "version", set_version, CFG(acu.version)),
    KW(SEC_ACU, "auth", CFG(acu.auth), auth_words),
    KF(SEC_ACU, "username", CFG(acu.username), 0),
    KF(SEC_ACU, "password", CFG(acu.password), F_SECRET | F_LATER),
    K(SEC_ACU, "password_file", set_path, 0),
    KF(SEC_ACU, "client_id", CFG(acu.client_id), F_LATER),
    KF(SEC_ACU, "client_secret", CFG(acu.client_secret), F_SECRET | F_LATER),
    K(SEC_ACU, "client_secret_file", set_path, 0),
    K(SEC_ACU, "timezone", set_timezone, CFG(acu.timezone)),
    K(SEC_ACU, "verify_tls", set_bool, CFG(acu.verify_tls)),
    K(SEC_ACU, "ca_file", set_ca_file, CFG(acu.ca_file)),
    KR(SEC_ACU, "timeout", set_duration, CFG(acu.timeout_ms), MS_SEC, MS_HOUR),
    K(SEC_STORE, "url", set_store_url, CFG(store.url)),
    KR(SEC_SYNC, "interval", set_duration, CFG(sync.interval_ms), MS_SEC, NO_MAX),
    KR(SEC_SYNC, "page_size", set_int, CFG(sync.page_size), 1, 10000),
    KR(SEC_SYNC, "history_years", set_int, CFG(sync.history_years), 0, 50),
    KR(SEC_SYNC, "last_modified_since_days", set_int, CFG(sync.last_modified_since_days), 0, 36500),
    K(SEC_SYNC, "full_sync_next_run", set_bool, CFG(sync.full_sync_next_run)),
    KR(SEC_SYNC, "overlap", set_duration, CFG(sync.overlap_ms), 0, MS_DAY),
    KR(SEC_SYNC, "reconcile_interval", set_duration, CFG(sync.reconcile_interval_ms), 0, NO_MAX),
    KR(SEC_LIMITS, "requests_per_minute", set_int, CFG(limits.requests_per_minute), 0, 1000000),
    KR(SEC_LIMITS, "concurrent_requests", set_int, CFG(limits.concurrent_requests), 1, 64),
    KR(SEC_LIMITS, "max_sessions", set_int, CFG(limits.max_sessions), 1, 100),
    KR(SEC_LIMITS, "retries", set_int, CFG(limits.retries), 0, 20),
    KR(SEC_LIMITS, "max_answer_mb", set_int, CFG(limits.max_answer_mb), 1, 4096),
    K(ANY_SET, "enabled", set_bool, offsetof(struct es_config_set, enabled)),
    K(ANY_SET, "direction", set_direction, offsetof(struct es_config_set, direction)),
    KW(ANY_SET, "primary", offsetof(struct es_config_set, primary), primary_words),
    K(CUSTOMERS, "sync_sub_customers", set_bool, CFG(customers.sync_sub_customers)),
    K(CUSTOMERS, "skip_first_address_line", set_bool, CFG(customers.skip_first_address_line)),
    K(CUSTOMERS, "use_ship_to_address", set_bool, CFG(customers.use_ship_to_address)),
    KW(CUSTOMERS, "new_customer_type", CFG(customers.new_customer_type), customer_type_words),
    K(INVOICES, "use_integration_date", set_bool, CFG(invoices.use_integration_date)),
    K(INVOICES, "release", set_bool, CFG(invoices.release)),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct loader {
    struct es_config *c;
    struct es_config_diags *d;
    const char *path;
    FILE *f;
    int line;      /* the line inih is working on */
    int want_pair; /* that line can only be "key = value" */
    int got_pair;  /* and inih handed it to on_pair */
    int syntax_errors;
    int sec; /* SEC_*, IN_NONE or IN_BAD */
    int read_errno;
    int stop; /* too big, or too many problems */
    size_t bytes;
    size_t ndiags;
    char *password_file, *secret_file; /* paths, read once auth is known */
    mode_t mode;                       /* the file's, for check_private */
    enum value_kind vkind;             /* of the line inih is working on */
    const char *vproblem;              /* V_BAD: what is wrong with the quotes */
    char *quoted;                      /* V_QUOTED: the value, decoded (a secret maybe) */
    int sec_line[NSEC];                /* the first header of each section; 0: absent */
    int seen[NSEC][NKEYS];             /* the line each key was set on; 0: not set */
    char raw[MAX_LINE + 8];            /* room for a BOM, a CR and one byte too many */
    char iobuf[4096];                  /* stdio's buffer, ours so it can be wiped */
};

/* ---- diagnostics ---- */

void es_config_diags_init(struct es_config_diags *d)
{
    d->msgs = NULL;
    d->n = d->cap = 0;
}

void es_config_diags_dispose(struct es_config_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    es_config_diags_init(d);
}

static void diags_add(struct es_config_diags *d, char *msg)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->msgs = es_xrealloc(d->msgs, d->cap * sizeof(*d->msgs));
    }
    d->msgs[d->n++] = msg;
}

/* A message made safe to print: the values it quotes may hold escape
 * sequences (erpsync/term.h). The caller frees it. */
static char *safe_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *safe_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *raw = es_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    va_start(ap, fmt);
    vsnprintf(raw, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    struct es_buf b;
    es_buf_init(&b, 0);
    es_term_escape(&b, raw, strlen(raw));
    free(raw);
    return b.data ? es_buf_steal(&b, NULL) : es_xstrdup("");
}

static void diag(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diag(struct loader *ld, int line, const char *fmt, ...)
{
    if (ld->ndiags > MAX_DIAGS)
        return;
    if (ld->ndiags++ == MAX_DIAGS) {
        diags_add(ld->d, safe_asprintf("%s:%d: too many problems; stopped here", ld->path, line));
        ld->stop = 1;
        return;
    }
    char msg[512]; /* quoted values are at most a line long */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diags_add(ld->d, safe_asprintf("%s:%d: %s", ld->path, line, msg));
}

/* ---- sections and keys ---- */

static const char *section_name(int sec)
{
    return sec < SEC_SET0 ? fixed_sections[sec] : es_set_info(sec - SEC_SET0)->name;
}

static int section_find(const char *name)
{
    for (int i = 0; i < SEC_SET0; i++)
        if (!strcmp(fixed_sections[i], name))
            return i;
    int set = es_set_find(name);
    return set < 0 ? -1 : SEC_SET0 + set;
}

static int key_find(int sec, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        if ((k->sec == sec || (k->sec == ANY_SET && sec >= SEC_SET0)) && !strcmp(k->name, name))
            return (int)i;
    }
    return -1;
}

/* The line an [acumatica] key was set on, 0 when it was not. */
static int acu_line(const struct loader *ld, const char *name)
{
    return ld->seen[SEC_ACU][key_find(SEC_ACU, name)];
}

static int header_line(const struct loader *ld, int sec)
{
    return ld->sec_line[sec] ? ld->sec_line[sec] : 1;
}

static void *field(struct loader *ld, const struct key *k)
{
    char *base = (char *)ld->c;
    if (k->sec == ANY_SET)
        base = (char *)&ld->c->sets[ld->sec - SEC_SET0];
    return base + k->off;
}

static void free_secret(char *s)
{
    if (s)
        es_free_secret(s, strlen(s) + 1);
}

static void replace_str(char **slot, const char *v, int secret)
{
    if (secret)
        free_secret(*slot);
    else
        free(*slot);
    *slot = es_xstrdup(v);
}

/* ---- value parsers ---- */

static int parse_bool(int *out, const char *v)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
            *out = !strcasecmp(v, yes[i]);
            return 0;
        }
    }
    return ES_EINVAL;
}

/* Decimal digits with an optional '-': no spaces, '+', hex or junk. */
static int parse_long(long *out, const char *v)
{
    const char *p = v[0] == '-' ? v + 1 : v;
    if (!isdigit((unsigned char)*p))
        return ES_EINVAL;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end)
        return ES_EINVAL;
    *out = n;
    return 0;
}

int es_parse_duration(long *out_ms, const char *s)
{
    if (!s || !isdigit((unsigned char)*s))
        return ES_EINVAL;
    long n = 0;
    const char *p = s;
    for (; isdigit((unsigned char)*p); p++) {
        int digit = *p - '0';
        if (n > (LONG_MAX - digit) / 10)
            return ES_EINVAL;
        n = n * 10 + digit;
    }
    long unit;
    switch (*p) {
    case '\0': unit = MS_SEC; break;
    case 's': unit = MS_SEC; break;
    case 'm': unit = MS_MIN; break;
    case 'h': unit = MS_HOUR; break;
    case 'd': unit = MS_DAY; break;
    default: return ES_EINVAL;
    }
    if ((*p && p[1]) || n > LONG_MAX / unit)
        return ES_EINVAL;
    *out_ms = n * unit;
    return 0;
}

/* "0", "90s", "5m", "1h", "1d": the largest unit that divides ms. */
static void format_duration(char *out, size_t cap, long ms)
{
    static const struct {
        long ms;
        char unit;
    } units[] = {{MS_DAY, 'd'}, {MS_HOUR, 'h'}, {MS_MIN, 'm'}, {MS_SEC, 's'}};
    if (ms == 0) {
        snprintf(out, cap, "0");
        return;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ms % units[i].ms == 0) {
            snprintf(out, cap, "%ld%c", ms / units[i].ms, units[i].unit);
            return;
        }
    }
    snprintf(out, cap, "%ldms", ms);
}

/* Length of v less its trailing '/'s, or 0 when v is not http(s)://, a host
 * (name, IPv4 or [IPv6]), an optional :port and an optional path. */
static size_t site_url_len(const char *v)
{
    const char *p;
    if (!strncasecmp(v, "http://", 7))
        p = v + 7;
    else if (!strncasecmp(v, "https://", 8))
        p = v + 8;
    else
        return 0;
    const char *host = p;
    if (*p == '[') {
        for (p++; isxdigit((unsigned char)*p) || *p == ':' || *p == '.'; p++)
            ;
        if (*p != ']' || p == host + 1)
            return 0;
        p++;
    } else {
        while (isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_')
            p++;
        if (p == host)
            return 0;
    }
    if (*p == ':') {
        const char *digits = ++p;
        long port = 0;
        while (isdigit((unsigned char)*p) && p - digits < 6)
            port = port * 10 + (*p++ - '0');
        if (p == digits || port < 1 || port > 65535)
            return 0;
    }
    if (*p && *p != '/')
        return 0;
    for (const unsigned char *q = (const unsigned char *)p; *q; q++)
        if (*q <= ' ' || *q >= 0x7f || *q == '?' || *q == '#')
            return 0;
    size_t n = strlen(v);
    while (n > (size_t)(p - v) && v[n - 1] == '/')
        n--;
    return n;
}

/* user:password@ in the authority part: never quoted back. */
static int has_userinfo(const char *v)
{
    const char *p = strstr(v, "://");
    if (!p)
        return 0;
    p += 3;
    size_t authority = strcspn(p, "/");
    return memchr(p, '@', authority) != NULL;
}

static int is_client_id(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < groups[i]; j++)
            if (!isxdigit((unsigned char)*s++))
                return 0;
        if (i < 4 && *s++ != '-')
            return 0;
    }
    return s[0] == '@' && s[1] != '\0';
}

static int zone_exists(const char *zone)
{
    /* As es_tz_set() decides, without changing the process zone. */
    if (!strcmp(zone, "UTC") || !strcmp(zone, "Etc/UTC"))
        return 1;
    if (!*zone || zone[0] == '/' || strstr(zone, ".."))
        return 0;
    char path[512];
    int n = snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
    struct stat st;
    return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void join_words(char *out, size_t cap, const char *const *words)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; words[i] && n < cap; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", words[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

/* ---- files ---- */

enum { NOT_REGULAR = -2, TOO_BIG = -3 };

/* Open path to read without waiting: a FIFO would block until a writer
 * came, a device might never end. An fd with *st filled; -1 with errno
 * when it cannot be opened (EISDIR for a directory); NOT_REGULAR for
 * anything else that is not a regular file. */
static int open_regular(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
        return fd;
    int is_dir = S_ISDIR(st->st_mode), saved = errno;
    close(fd);
    errno = is_dir ? EISDIR : saved;
    return is_dir ? -1 : NOT_REGULAR;
}

/* path as one word for the shell, in out, for a command a message gives. */
static void shell_word(char *out, size_t cap, const char *path)
{
    if (*path && strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "_-./+,:@%") == strlen(path)) {
        snprintf(out, cap, "%s", path);
        return;
    }
    size_t n = 0;
    out[n++] = '\'';
    for (const char *p = path; *p && n + 6 < cap; p++) {
        if (*p == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *p;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
}

/* A file holding a secret must be its owner's alone, as ssh demands of a
 * key and libpq of .pgpass: 0 when it is, else 1 after a diag. */
static int refuse_open_to_others(struct loader *ld, int line, const char *key, const char *path,
                                 mode_t mode)
{
    if (!(mode & (S_IRWXG | S_IRWXO)))
        return 0;
    char word[600];
    shell_word(word, sizeof(word), path);
    diag(ld, line,
         "%s: '%s' is open to group or others (mode %04o), but holds a secret; run "
         "chmod 600 %s",
         key, path, (unsigned)(mode & 07777), word);
    return 1;
}

/* ---- key setters: store the value, or say what was expected ---- */

static void set_str(struct loader *ld, const struct key *k, const char *v)
{
    if (!*v && !(k->flags & F_LATER)) {
        diag(ld, ld->line, "%s is empty", k->name);
        return;
    }
    replace_str(field(ld, k), v, k->flags & F_SECRET);
}

static void set_bool(struct loader *ld, const struct key *k, const char *v)
{
    if (parse_bool(field(ld, k), v))
        diag(ld, ld->line, "%s: '%s' is not a boolean (true/false, yes/no, on/off, 1/0)", k->name,
             v);
}

static void set_int(struct loader *ld, const struct key *k, const char *v)
{
    long n;
    if (parse_long(&n, v) || n < k->min || n > k->max) {
        diag(ld, ld->line, "%s: '%s' is not a number from %ld to %ld", k->name, v, k->min, k->max);
        return;
    }
    *(int *)field(ld, k) = (int)n;
}

static void set_duration(struct loader *ld, const struct key *k, const char *v)
{
    long ms;
    if (!es_parse_duration(&ms, v) && ms >= k->min && ms <= k->max) {
        *(long *)field(ld, k) = ms;
        return;
    }
    char lo[32], hi[32], range[80] = "";
    format_duration(lo, sizeof(lo), k->min);
    format_duration(hi, sizeof(hi), k->max);
    if (k->max != NO_MAX)
        snprintf(range, sizeof(range), " from %s to %s", lo, hi);
    else if (k->min > 0)
        snprintf(range, sizeof(range), " of at least %s", lo);
    diag(ld, ld->line, "%s: '%s' is not a duration%s (like 90s, 15m, 2h, 1d)", k->name, v, range);
}

static void set_word(struct loader *ld, const struct key *k, const char *v)
{
    for (int i = 0; k->words[i]; i++) {
        if (!strcasecmp(v, k->words[i])) {
            *(int *)field(ld, k) = i;
            return;
        }
    }
    char list[128];
    join_words(list, sizeof(list), k->words);
    diag(ld, ld->line, "%s: '%s' is not one of: %s", k->name, v, list);
}

static void set_url(struct loader *ld, const struct key *k, const char *v)
{
    if (has_userinfo(v)) {
        diag(ld, ld->line,
             "%s: credentials in the URL are not supported; use username and password", k->name);
        return;
    }
    size_t n = site_url_len(v);
    if (!n) {
        diag(ld, ld->line,
             "%s: '%s' is not an http:// or https:// URL (like "
             "https://erp.example.com/AcumaticaERP)",
             k->name, v);
        return;
    }
    char **slot = field(ld, k);
    free(*slot);
    *slot = es_xstrndup(v, n);
}

static void set_endpoint(struct loader *ld, const struct key *k, const char *v)
{
    size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
    if (!*v || v[n]) {
        diag(ld, ld->line, "%s: '%s' is not an endpoint name (like Default)", k->name, v);
        return;
    }
    replace_str(field(ld, k), v, 0);
}

static void set_version(struct loader *ld, const struct key *k, const char *v)
{
    static const char *const versions[] = {"24.200.001", "23.200.001", NULL};
    for (int i = 0; versions[i]; i++) {
        if (!strcmp(v, versions[i])) {
            replace_str(field(ld, k), v, 0);
            return;
        }
    }
    char list[64];
    join_words(list, sizeof(list), versions);
    diag(ld, ld->line, "%s: '%s' is not one of: %s", k->name, v, list);
}

/* password_file, client_secret_file: read in finish(), once auth is known. */
static void set_path(struct loader *ld, const struct key *k, const char *v)
{
    char **slot = !strcmp(k->name, "password_file") ? &ld->password_file : &ld->secret_file;
    replace_str(slot, v, 0);
}

static void set_timezone(struct loader *ld, const struct key *k, const char *v)
{
    if (!strcasecmp(v, "detect")) {
        replace_str(field(ld, k), "detect", 0);
        return;
    }
    if (!zone_exists(v)) {
        diag(ld, ld->line,
             "%s: '%s' is not a time zone of this system (expected detect or a name like "
             "America/New_York)",
             k->name, v);
        return;
    }
    replace_str(field(ld, k), v, 0);
}

/* Does the file hold a PEM certificate, as curl's CAINFO wants: 1, 0,
 * TOO_BIG past MAX_CA_FILE bytes (a CA bundle is some hundred kilobytes),
 * or -1 with errno. Read in blocks, the marker looked for across their
 * joins. */
static int has_certificate(int fd)
{
    static const char *const markers[] = {"-----BEGIN CERTIFICATE-----",
                                          "-----BEGIN TRUSTED CERTIFICATE-----"};
    enum { KEEP = 40 }; /* longer than either marker */
    char buf[KEEP + 8192];
    size_t kept = 0, total = 0;
    for (;;) {
        ssize_t r = read(fd, buf + kept, sizeof(buf) - kept);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        size_t n = kept + (size_t)r;
        for (size_t i = 0; i < 2; i++)
            if (memmem(buf, n, markers[i], strlen(markers[i])))
                return 1;
        if ((total += (size_t)r) > MAX_CA_FILE)
            return TOO_BIG;
        kept = n < KEEP ? n : KEEP;
        memmove(buf, buf + n - kept, kept);
    }
}

static void set_ca_file(struct loader *ld, const struct key *k, const char *v)
{
    if (!*v) {
        diag(ld, ld->line, "%s is empty", k->name);
        return;
    }
    struct stat st;
    int fd = open_regular(v, &st);
    if (fd == NOT_REGULAR || (fd < 0 && errno == EISDIR)) {
        diag(ld, ld->line, "%s: '%s' is not a file", k->name, v);
        return;
    }
    if (fd < 0) {
        diag(ld, ld->line, "%s: cannot read '%s': %s", k->name, v, strerror(errno));
        return;
    }
    int pem = has_certificate(fd);
    close(fd);
    if (pem == TOO_BIG)
        diag(ld, ld->line, "%s: '%s' is larger than %d MiB; is it the right file?", k->name, v,
             MAX_CA_FILE >> 20);
    else if (pem < 0)
        diag(ld, ld->line, "%s: cannot read '%s': %s", k->name, v, strerror(errno));
    else if (!pem)
        diag(ld, ld->line, "%s: '%s' is not a PEM file (no -----BEGIN CERTIFICATE----- line)",
             k->name, v);
    else
        replace_str(field(ld, k), v, 0);
}

static void set_store_url(struct loader *ld, const struct key *k, const char *v)
{
    if (!strncmp(v, "sqlite:", 7) && v[7]) {
        replace_str(field(ld, k), v, 0);
        return;
    }
    if (!strncasecmp(v, "postgresql://", 13) || !strncasecmp(v, "postgres://", 11))
        diag(ld, ld->line, "PostgreSQL is not supported yet; use sqlite:PATH");
    else if (!strcmp(v, "sqlite:"))
        diag(ld, ld->line, "%s: 'sqlite:' names no file (expected sqlite:PATH)", k->name);
    else if (strchr(v, '@')) /* it may hold a password */
        diag(ld, ld->line, "%s: not a store URL (expected sqlite:PATH)", k->name);
    else
        diag(ld, ld->line, "%s: '%s' is not a store URL (expected sqlite:PATH)", k->name, v);
}

static void set_direction(struct loader *ld, const struct key *k, const char *v)
{
    const struct es_set_info *set = es_set_info(ld->sec - SEC_SET0);
    int dir = 0;
    for (int d = ES_DIR_PULL; d <= ES_DIR_BOTH; d++)
        if (!strcasecmp(v, es_dir_name(d)))
            dir = d;
    if (!dir) {
        diag(ld, ld->line, "%s: '%s' is not one of: pull, push, both", k->name, v);
        return;
    }
    if ((dir & set->allowed) != dir) {
        diag(ld, ld->line, "%s: '%s' is not possible for [%s], which allows only %s", k->name, v,
             set->name, es_dir_name(set->allowed));
        return;
    }
    *(int *)field(ld, k) = dir;
}

/* ---- reading lines for inih ---- */

/* One raw line (without its '\n') into ld->raw, *len its full length even
 * when longer than ld->raw. 1 at the end of the file or on a read error. */
static int read_raw(struct loader *ld, size_t *len)
{
    size_t n = 0;
    int ch;
    while ((ch = getc(ld->f)) != EOF && ch != '\n') {
        if (n < sizeof(ld->raw))
            ld->raw[n] = (char)ch;
        n++;
        if (++ld->bytes > MAX_FILE) {
            diag(ld, ld->line + 1, "the file is larger than %d bytes; is it the right file?",
                 MAX_FILE);
            ld->stop = 1;
            return 1;
        }
    }
    if (ch == EOF && ferror(ld->f)) {
        ld->read_errno = errno ? errno : EIO;
        return 1;
    }
    ld->bytes++;
    *len = n;
    return ch == EOF && n == 0;
}

/* The text of the line just read, without BOM and CR; NULL (and a diag)
 * when it cannot be given to inih. */
static const char *clean_line(struct loader *ld, size_t *len)
{
    const char *s = ld->raw;
    size_t n = *len;
    if (ld->line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        s += 3;
        n -= 3;
    }
    if (n && n <= MAX_LINE + 1 && s[n - 1] == '\r')
        n--;
    if (n > MAX_LINE) {
        diag(ld, ld->line, "line is longer than %d characters", MAX_LINE);
        return NULL;
    }
    if (memchr(s, '\0', n)) {
        diag(ld, ld->line, "line contains a NUL byte");
        return NULL;
    }
    *len = n;
    return s;
}

/* Like inih: the first of chars (NULL: none) in s, or the ';' of an inline
 * comment (one after a blank), or the end of s, whichever comes first. */
static const char *find_stop(const char *s, const char *chars)
{
    int was_space = 0;
    while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* inih does not tell the handler where sections start, so we follow them
 * here, with the whole name (inih cuts it at 50 bytes). */
static void section_header(struct loader *ld, const char *line)
{
    const char *end = find_stop(line + 1, "]");
    if (*end != ']') {
        diag(ld, ld->line, "'[' without a closing ']'");
        ld->syntax_errors++;
        ld->sec = IN_BAD;
        return;
    }
    const char *name = line + 1;
    while (name < end && isspace((unsigned char)*name))
        name++;
    size_t n = (size_t)(end - name);
    while (n && isspace((unsigned char)name[n - 1]))
        n--;
    char buf[MAX_LINE + 1];
    memcpy(buf, name, n);
    buf[n] = '\0';
    const char *rest = end + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest && *rest != ';')
        diag(ld, ld->line, "unexpected text after [%s]", buf);
    ld->sec = section_find(buf);
    if (ld->sec < 0) {
        diag(ld, ld->line, "unknown section [%s]", buf);
        ld->sec = IN_BAD;
        return;
    }
    if (!ld->sec_line[ld->sec])
        ld->sec_line[ld->sec] = ld->line;
}

/* A refused line that looked like a section header. */
static int starts_section(const char *raw, size_t n)
{
    size_t i = n >= 3 && !memcmp(raw, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && (raw[i] == ' ' || raw[i] == '\t'))
        i++;
    return i < n && raw[i] == '[';
}

/* ---- values: quotes and inline comments ---- */

#define QUOTE_HINT "(inside quotes, write '\"' as \\\")"

/* Decode the quoted value at q (its opening '"') into ld->quoted: \" and
 * \\ are the only escapes, and only blanks or a ';' comment may follow the
 * closing '"'. 0, or 1 with ld->vproblem saying what is wrong (never
 * quoting the value: it may be a secret). */
static int unquote(struct loader *ld, const char *q)
{
    size_t cap = strlen(q); /* the decoded value is shorter */
    char *out = es_xmalloc(cap);
    size_t n = 0;
    const char *p = q + 1, *problem = NULL;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1] != '"' && p[1] != '\\') {
            problem = "inside quotes, '\\' must be followed by '\"' or '\\'";
            break;
        }
        p += *p == '\\';
        out[n++] = *p;
    }
    if (!problem && *p != '"')
        problem = "the quoted value has no closing '\"' " QUOTE_HINT;
    for (p += !problem; !problem && isspace((unsigned char)*p); p++)
        ;
    if (!problem && *p && *p != ';')
        problem = "text after the closing '\"' " QUOTE_HINT;
    out[n] = '\0';
    if (problem) {
        es_free_secret(out, cap);
        ld->vproblem = problem;
        return 1;
    }
    ld->quoted = out;
    return 0;
}

/* The value of a "key = value" line in str, before inih reads it. A quoted
 * value is decoded, and str cut after its '=' (inih then hands on_pair an
 * empty value, and a secret leaves inih's line); a plain one that inih
 * will cut at an inline comment is noted. */
static void read_value(struct loader *ld, char *str)
{
    char *delim = (char *)find_stop(str, "=:");
    if (*delim != '=' && *delim != ':')
        return; /* not a pair: on_pair is not called */
    const char *v = delim + 1;
    while (isspace((unsigned char)*v))
        v++;
    if (*v != '"') {
        if (*find_stop(delim + 1, NULL))
            ld->vkind = V_CUT;
        return;
    }
    ld->vkind = unquote(ld, v) ? V_BAD : V_QUOTED;
    sodium_memzero(delim + 1, strlen(delim + 1));
}

static void forget_value(struct loader *ld)
{
    free_secret(ld->quoted);
    ld->quoted = NULL;
    ld->vkind = V_PLAIN;
    ld->vproblem = NULL;
}

/* The value on_pair parses for key k: inih's, or the one read_value
 * decoded; NULL (after a diag) when it is badly quoted, or a secret that
 * an inline comment cuts (the user meant the ';' more often than not). */
static const char *value_of(struct loader *ld, const struct key *k, const char *inih_value)
{
    switch (ld->vkind) {
    case V_QUOTED:
        return ld->quoted;
    case V_BAD:
        diag(ld, ld->line, "%s: %s", k->name, ld->vproblem);
        return NULL;
    case V_CUT:
        if (!(k->flags & F_SECRET))
            return inih_value;
        diag(ld, ld->line,
             "%s: ' ;' starts a comment and would cut the value: quote it (%s = \"...\", with "
             "\\\" for '\"' and \\\\ for '\\'), or put the comment on a line of its own",
             k->name, k->name);
        return NULL;
    default:
        return inih_value;
    }
}

/* inih's reader: one line at a time, so we know its number. Leading blanks
 * are dropped so that no line is taken as the continuation of a value. */
static char *next_line(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    if (ld->want_pair && !ld->got_pair) {
        diag(ld, ld->line, "expected 'key = value', a [section] or a ';' comment");
        ld->syntax_errors++;
    }
    ld->want_pair = ld->got_pair = 0;
    forget_value(ld);
    size_t len;
    if (ld->stop || read_raw(ld, &len)) {
        sodium_memzero(str, (size_t)num); /* inih's copy of the last line */
        return NULL;
    }
    ld->line++;
    str[0] = '\0';
    const char *s = clean_line(ld, &len);
    if (!s) {
        size_t kept = len < sizeof(ld->raw) ? len : sizeof(ld->raw);
        if (starts_section(ld->raw, kept)) /* its keys are not the last section's */
            ld->sec = IN_BAD;
        return str;
    }
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (len >= (size_t)num) { /* an inih built with a smaller buffer */
        diag(ld, ld->line, "line is longer than %d characters", num - 1);
        return str;
    }
    memcpy(str, s, len);
    str[len] = '\0';
    if (str[0] == '[')
        section_header(ld, str);
    else if (str[0] && str[0] != ';' && str[0] != '#')
        ld->want_pair = 1;
    if (ld->want_pair)
        read_value(ld, str);
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    (void)section; /* ours is ld->sec: inih cuts long names and keeps refused ones */
    ld->got_pair = 1;
    if (ld->sec == IN_NONE) {
        diag(ld, ld->line, "'%s' is set before any [section]", name);
        return 1;
    }
    if (ld->sec == IN_BAD) /* said once at its header */
        return 1;
    int k = key_find(ld->sec, name);
    if (k < 0) {
        diag(ld, ld->line, "unknown key '%s' in [%s]", name, section_name(ld->sec));
        return 1;
    }
    int *seen = &ld->seen[ld->sec][k];
    if (*seen) {
        diag(ld, ld->line, "'%s' is set twice in [%s] (first on line %d)", name,
             section_name(ld->sec), *seen);
        return 1;
    }
    *seen = ld->line;
    const char *v = value_of(ld, &keys[k], value);
    if (v)
        keys[k].parse(ld, &keys[k], v);
    return 1; /* problems are ours to report, not inih's */
}

/* ---- checks across keys ---- */

static char *read_secret(struct loader *ld, int line, const char *key, const char *path)
{
    char buf[MAX_SECRET + 1];
    char *out = NULL;
    size_t n = 0;
    if (!*path) {
        diag(ld, line, "%s is empty", key);
        return NULL;
    }
    struct stat st;
    int fd = open_regular(path, &st);
    if (fd == NOT_REGULAR) {
        diag(ld, line, "%s: '%s' is not a regular file", key, path);
        return NULL;
    }
    if (fd < 0) {
        diag(ld, line, "%s: cannot read '%s': %s", key, path, strerror(errno));
        return NULL;
    }
    if (refuse_open_to_others(ld, line, key, path, st.st_mode)) {
        close(fd);
        return NULL;
    }
    while (n < sizeof(buf)) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            diag(ld, line, "%s: cannot read '%s': %s", key, path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n > MAX_SECRET)
        diag(ld, line, "%s: '%s' is longer than %d bytes", key, path, MAX_SECRET);
    else if (!n)
        diag(ld, line, "%s: '%s' is empty", key, path);
    else if (memchr(buf, '\0', n))
        diag(ld, line, "%s: '%s' contains a NUL byte", key, path);
    else
        out = es_xstrndup(buf, n);
out:
    close(fd);
    sodium_memzero(buf, sizeof(buf));
    return out;
}

/* A secret given inline or in a file: exactly one of the two. */
static void one_secret(struct loader *ld, char **slot, const char *key, const char *file_key,
                       const char *path, const char *when)
{
    int inline_line = acu_line(ld, key), file_line = acu_line(ld, file_key);
    if (inline_line && file_line) {
        int later = inline_line > file_line ? inline_line : file_line;
        diag(ld, later, "set %s or %s, not both", key, file_key);
    } else if (!inline_line && !file_line) {
        diag(ld, header_line(ld, SEC_ACU), "[acumatica] %s or %s is required%s", key, file_key,
             when);
    } else if (file_line) {
        if (path) /* NULL: its value was refused, and said so */
            *slot = read_secret(ld, file_line, file_key, path);
    } else if (*slot && !**slot) { /* NULL: refused, and said so */
        diag(ld, inline_line, "%s is empty", key);
    }
}

/* The config itself, when it holds a secret (said once, at the first). */
static void check_private(struct loader *ld)
{
    const struct es_config_acu *acu = &ld->c->acu;
    const char *const keys_inline[] = {"password", "client_secret"};
    const char *const values[] = {acu->password, acu->client_secret};
    for (int i = 0; i < 2; i++) {
        int line = acu_line(ld, keys_inline[i]);
        if (line && values[i] && *values[i]) {
            refuse_open_to_others(ld, line, keys_inline[i], ld->path, ld->mode);
            return;
        }
    }
}

static void finish(struct loader *ld)
{
    static const char *const required[] = {"url", "tenant", "username"};
    struct es_config_acu *acu = &ld->c->acu;
    check_private(ld);
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!acu_line(ld, required[i]))
            diag(ld, header_line(ld, SEC_ACU), "[acumatica] %s is required", required[i]);
    one_secret(ld, &acu->password, "password", "password_file", ld->password_file, "");
    if (acu->auth != ES_AUTH_OAUTH) { /* allowed, and ignored */
        free(acu->client_id);
        acu->client_id = NULL;
        free_secret(acu->client_secret);
        acu->client_secret = NULL;
        return;
    }
    int id_line = acu_line(ld, "client_id");
    if (!id_line)
        diag(ld, header_line(ld, SEC_ACU), "[acumatica] client_id is required with auth = oauth");
    else if (acu->client_id && !is_client_id(acu->client_id)) /* NULL: refused, and said so */
        diag(ld, id_line, "client_id: '%s' is not GUID@Tenant (like %s@Company)", acu->client_id,
             "6f0a2b1c-3d4e-4f50-8a6b-7c8d9e0f1a2b");
    one_secret(ld, &acu->client_secret, "client_secret", "client_secret_file", ld->secret_file,
               " with auth = oauth");
}

/* ---- the config ---- */

void es_config_defaults(struct es_config *out)
{
    memset(out, 0, sizeof(*out));
    out->acu.endpoint = es_xstrdup("Default");
    out->acu.version = es_xstrdup("24.200.001");
    out->acu.auth = ES_AUTH_COOKIE;
    out->acu.timezone = es_xstrdup("detect");
    out->acu.verify_tls = 1;
    out->acu.timeout_ms = 60 * MS_SEC;
    out->store.url = es_xstrdup("sqlite:erpsync.db");
    out->sync.interval_ms = 5 * MS_MIN;
    out->sync.page_size = 500;
    out->sync.history_years = 3;
    out->sync.last_modified_since_days = 0;
    out->sync.full_sync_next_run = 0;
    out->sync.overlap_ms = 5 * MS_MIN;
    out->sync.reconcile_interval_ms = MS_DAY;
    out->limits.requests_per_minute = 0;
    out->limits.concurrent_requests = 1;
    out->limits.max_sessions = 1;
    out->limits.retries = 5;
    out->limits.max_answer_mb = 16;
    for (int i = 0; i < ES_NSETS; i++) {
        out->sets[i].enabled = 1;
        out->sets[i].direction = es_set_info(i)->fallback;
    }
    out->customers.sync_sub_customers = 1;
    out->customers.new_customer_type = ES_CUSTOMER_BUSINESS;
    out->invoices.release = 1;
}

void es_config_dispose(struct es_config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->acu.url);
    free(c->acu.tenant);
    free(c->acu.endpoint);
    free(c->acu.version);
    free(c->acu.username);
    free_secret(c->acu.password);
    free(c->acu.client_id);
    free_secret(c->acu.client_secret);
    free(c->acu.timezone);
    free(c->acu.ca_file);
    free(c->store.url);
    memset(c, 0, sizeof(*c));
}

static void loader_free(struct loader *ld)
{
    forget_value(ld);
    free(ld->password_file);
    free(ld->secret_file);
    es_free_secret(ld, sizeof(*ld)); /* raw and iobuf held the secrets' lines */
}

int es_config_load(struct es_config *out, const char *path, struct es_config_diags *diags)
{
    es_config_defaults(out);
    out->path = es_xstrdup(path);
    size_t first = diags->n;
    struct stat st;
    int fd = open_regular(path, &st);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        const char *why = fd == NOT_REGULAR ? "not a regular file" : strerror(errno);
        diags_add(diags, safe_asprintf("%s: cannot read: %s", path, why));
        if (fd >= 0)
            close(fd);
        es_config_dispose(out);
        es_config_defaults(out);
        return ES_EIO;
    }
    struct loader *ld = es_xcalloc(1, sizeof(*ld));
    ld->mode = st.st_mode;
    ld->c = out;
    ld->d = diags;
    ld->path = path;
    ld->f = f;
    ld->sec = IN_NONE;
    setvbuf(f, ld->iobuf, _IOFBF, sizeof(ld->iobuf));
    int rc = ini_parse_stream(next_line, ld, on_pair, ld);
    fclose(f);
    int result = 0;
    if (ld->read_errno || rc < 0) {
        while (diags->n > first)
            free(diags->msgs[--diags->n]);
        const char *why = ld->read_errno ? strerror(ld->read_errno) : "the INI parser failed";
        diags_add(diags, safe_asprintf("%s: cannot read: %s", path, why));
        result = ES_EIO;
    } else {
        if (rc > 0 && !ld->syntax_errors)
            diag(ld, rc, "not valid INI");
        if (!ld->stop)
            finish(ld);
        if (diags->n > first)
            result = ES_EINVAL;
    }
    loader_free(ld);
    if (result) {
        es_config_dispose(out);
        es_config_defaults(out);
    }
    return result;
}

/* ---- warnings ---- */

/* The host of a URL that site_url_len accepted, without the brackets of
 * an IPv6 address, into out. */
static void url_host(char *out, size_t cap, const char *url)
{
    const char *p = strstr(url, "://") + 3;
    size_t n = *p == '[' ? strcspn(++p, "]") : strcspn(p, ":/");
    snprintf(out, cap, "%.*s", (int)n, p);
}

/* Is the host this machine: localhost, 127.0.0.0/8, ::1 or ::ffff:127.x? */
static int is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
        return 1;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) != 1)
        return 0;
    return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
}

size_t es_config_warnings(struct es_config_diags *out, const struct es_config *c)
{
    size_t before = out->n;
    const char *url = c->acu.url;
    if (!url)
        return 0;
    int https = !strncasecmp(url, "https://", 8);
    char host[256];
    url_host(host, sizeof(host), url);
    if (https && !c->acu.verify_tls)
        diags_add(out, safe_asprintf("verify_tls = false: the site's certificate is not checked, "
                                     "so anyone on the network path can pose as the site and "
                                     "read the password and the data"));
    if (!https && !is_loopback(host))
        diags_add(out, safe_asprintf("url '%s' is plain http to another machine: the password "
                                     "and the data cross the network unencrypted; use https://",
                                     url));
    return out->n - before;
}

/* ---- the sample ---- */

static const char sample[] =
    "; erpsync configuration. Lines starting with ';' are comments, and so is\n"
    "; the rest of a line after ' ;'. Every key is shown with its default.\n"
    "; Durations are a whole number with s, m, h or d (90s, 15m, 2h, 1d; no unit\n"
    "; means seconds). Booleans are true/false, yes/no, on/off or 1/0. Relative\n"
    "; paths are relative to the working directory. Quote a value to keep a ' ;'\n"
    "; or blanks at its ends: password = \"abc ;def\" (inside the quotes, write\n"
    "; \\\" for a '\"' and \\\\ for a '\\').\n"
    "\n"
    "[acumatica]\n"
    "; The site's URL, with its path when it has one: https://erp.example.com/AcumaticaERP\n"
    "url = http://127.0.0.1:8080\n"
    "; The tenant (company) to sign in to.\n"
    "tenant = Company\n"
    "; The web service endpoint and its version: 24.200.001 or 23.200.001.\n"
    "endpoint = Default\n"
    "version = 24.200.001\n"
    "; How to sign in: cookie (a session per user) or oauth (a connected application).\n"
    "auth = cookie\n"
    "; The ERP user erpsync works as.\n"
    "username = admin\n"
    "; That user's password. While this file holds it, the file must be its\n"
    "; owner's alone (chmod 600), or erpsync refuses it. Prefer password_file\n"
    "; (a file holding only the password, mode 600 too) and delete this line.\n"
    "password = 123\n"
    ";password_file = /etc/erpsync/password\n"
    "; auth = oauth only: the connected application's client ID (GUID@Tenant) and\n"
    "; its secret, in client_secret or (better) in client_secret_file.\n"
    ";client_id = 6f0a2b1c-3d4e-4f50-8a6b-7c8d9e0f1a2b@Company\n"
    ";client_secret =\n"
    ";client_secret_file = /etc/erpsync/client_secret\n"
    "; The time zone of the ERP user's dates: detect (ask the site) or a name\n"
    "; such as America/New_York.\n"
    "timezone = detect\n"
    "; Check the site's TLS certificate (turn off only for a test site: every\n"
    "; run then warns that anyone on the network path can pose as the site).\n"
    "verify_tls = true\n"
    "; Trust the CAs in this PEM file instead of the system's.\n"
    ";ca_file = /etc/erpsync/ca.pem\n"
    "; How long one request may take, 1s to 1h.\n"
    "timeout = 60s\n"
    "\n"
    "[store]\n"
    "; Where the synced records are kept: sqlite:PATH (PostgreSQL is not supported yet).\n"
    "url = sqlite:erpsync.db\n"
    "\n"
    "[sync]\n"
    "; Time between runs when erpsync runs as a service, at least 1s.\n"
    "interval = 5m\n"
    "; Records per request, 1 to 10000.\n"
    "page_size = 500\n"
    "; Years of documents (orders, invoices, payments...) the first load reads, 0 to 50.\n"
    "history_years = 3\n"
    "; Read at most this many days back in a run, 0 to 36500; 0: no bound.\n"
    "last_modified_since_days = 0\n"
    "; Pull everything on the next run, once (then cleared in the store).\n"
    "full_sync_next_run = false\n"
    "; Read again this far before the last run's end, for late commits, 0 to 1d.\n"
    "overlap = 5m\n"
    "; How often to compare keys with the ERP to find deletions; 0: on full syncs only.\n"
    "reconcile_interval = 1d\n"
    "\n"
    "[limits]\n"
    "; Requests per minute the licence allows, 0 to 1000000; 0: no limit.\n"
    "requests_per_minute = 0\n"
    "; Requests in flight at once, 1 to 64: the licence's concurrent-request\n"
    "; limit. The push uses that many workers; the pull sends one at a time.\n"
    "concurrent_requests = 1\n"
    "; API sessions open at once, 1 to 100 (a ceiling: erpsync opens one and\n"
    "; shares it between its workers).\n"
    "max_sessions = 1\n"
    "; Retries of a failed request, 0 to 20.\n"
    "retries = 5\n"
    "; Megabytes Acumatica's answers may hold in memory at once, 1 to 4096:\n"
    "; one answer, or the push workers' answers together. A larger answer\n"
    "; fails with a message naming this key. Pages are kept near 2 MB; the\n"
    "; price inquiry of a very large price list may need more.\n"
    "max_answer_mb = 16\n"
    "\n"
    "; The record sets, one section each: enabled (true/false) and direction:\n"
    "; pull (ERP to application), push (application to ERP) or both, as far as\n"
    "; the set allows. primary decides when both sides changed a record since\n"
    "; the last sync: newest (the later change wins, the ERP's clock skew taken\n"
    "; into account), erp or app. Every decision is kept (erpsync conflicts).\n"
    "\n"
    "[customers]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "; Sync sub-customers (child accounts) too.\n"
    "sync_sub_customers = true\n"
    "; Leave out the first address line.\n"
    "skip_first_address_line = false\n"
    "; Use the ship-to address instead of the bill-to address.\n"
    "use_ship_to_address = false\n"
    "; New customers pushed to the ERP are business or residential.\n"
    "new_customer_type = business\n"
    "\n"
    "[customer_locations]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[contacts]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[stock_items]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[services]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[vendors]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "; pull only\n"
    "[price_classes]\n"
    "enabled = true\n"
    "direction = pull\n"
    "\n"
    "; pull only\n"
    "[prices]\n"
    "enabled = true\n"
    "direction = pull\n"
    "\n"
    "; pull only\n"
    "[projects]\n"
    "enabled = true\n"
    "direction = pull\n"
    "\n"
    "[sales_orders]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[quotes]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "[invoices]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "; Push invoices with their integration date instead of the invoice date.\n"
    "use_integration_date = false\n"
    "; Release the invoices erpsync creates (payments can only be applied to\n"
    "; released invoices); false leaves them as the ERP makes them (on hold or\n"
    "; balanced), for review there.\n"
    "release = true\n"
    "\n"
    "[payments]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "; pull only\n"
    "[shipments]\n"
    "enabled = true\n"
    "direction = pull\n"
    "\n"
    "[service_orders]\n"
    "enabled = true\n"
    "direction = both\n"
    "primary = newest\n"
    "\n"
    "; pull only\n"
    "[appointments]\n"
    "enabled = true\n"
    "direction = pull\n"
    "\n"
    "; push only\n"
    "[purchase_orders]\n"
    "enabled = true\n"
    "direction = push\n";

const char *es_config_sample(void)
{
    return sample;
}
