/* The configuration: one INI file (parsed with inih), checked strictly.
 * Unknown sections and keys, bad values, duplicates and missing required
 * keys are all errors, each reported as "FILE:LINE: message". Secrets
 * (password, client secret) may come from files and are wiped on dispose.
 * The config owns all its strings. */
#ifndef ERPSYNC_CONFIG_H
#define ERPSYNC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/sets.h"

enum es_auth { ES_AUTH_COOKIE, ES_AUTH_OAUTH };
enum es_customer_type { ES_CUSTOMER_BUSINESS, ES_CUSTOMER_RESIDENTIAL };
/* Which side wins when both changed a record since the last sync. */
enum es_primary { ES_PRIMARY_NEWEST, ES_PRIMARY_ERP, ES_PRIMARY_APP };

struct es_config_acu {
    char *url;          /* site URL, "https://host/AcumaticaERP"; no trailing '/' */
    char *tenant;
    char *endpoint;     /* "Default" */
    char *version;      /* "24.200.001" or "23.200.001" */
    enum es_auth auth;
    char *username;
    char *password;     /* secret: from password or password_file */
    char *client_id;    /* OAuth: "GUID@Tenant" */
    char *client_secret; /* secret: from client_secret or client_secret_file */
    char *timezone;     /* "detect" or an IANA zone name */
    int verify_tls;     /* default 1 */
    char *ca_file;      /* NULL: the system's */
    long timeout_ms;    /* per request, default 60 s */
};

struct es_config_store {
    char *url;          /* "sqlite:PATH" (default "sqlite:erpsync.db") */
};

struct es_config_sync {
    long interval_ms;           /* between runs as a service, default 5 min */
    int page_size;              /* records per request, default 500 */
    int history_years;          /* transactions in the initial load, default 3 */
    int last_modified_since_days; /* 0: no bound; else a run reads at most this far back */
    int full_sync_next_run;     /* pull everything once, then cleared in the store */
    long overlap_ms;            /* re-read window for late commits, default 5 min */
    long reconcile_interval_ms; /* key reconciliation schedule, default 1 day; 0: full syncs only */
};

struct es_config_limits {
    int requests_per_minute; /* 0: no limit */
    int concurrent_requests; /* default 1 */
    int max_sessions;        /* default 1 */
    int retries;             /* per request, default 5 */
    int max_answer_mb;       /* the most Acumatica's answers may hold at once, one answer
                              * or the push workers' together; default 16 */
};

struct es_config_set {
    int enabled;   /* default 1 */
    int direction; /* ES_DIR_*, default the set's fallback */
    enum es_primary primary; /* conflicts: newest (default), erp or app */
};

struct es_config_customers {
    int sync_sub_customers;      /* default 1 */
    int skip_first_address_line; /* default 0 */
    int use_ship_to_address;     /* default 0 */
    enum es_customer_type new_customer_type; /* default business */
};

struct es_config_invoices {
    int use_integration_date; /* default 0 */
    int release;              /* release pushed invoices; default 1 */
};

struct es_config {
    char *path; /* the file read */
    struct es_config_acu acu;
    struct es_config_store store;
    struct es_config_sync sync;
    struct es_config_limits limits;
    struct es_config_set sets[ES_NSETS];
    struct es_config_customers customers;
    struct es_config_invoices invoices;
};

/* Problems found while loading, each "FILE:LINE: message" (LINE is the
 * line of the offending key; for a missing key, the line of its section
 * header, or 1 when the section is missing). */
struct es_config_diags {
    char **msgs;
    size_t n, cap;
};

void es_config_diags_init(struct es_config_diags *d);
void es_config_diags_dispose(struct es_config_diags *d);

/* Every field set to its default (url, tenant, username and the password
 * are then NULL). */
void es_config_defaults(struct es_config *out);

/* Read and check path. Returns 0 with out filled, or ES_EINVAL with every
 * problem in diags (out is then disposed and reset to the defaults), or
 * ES_EIO when the file cannot be read (one diag says why). */
int es_config_load(struct es_config *out, const char *path, struct es_config_diags *diags);

/* Settings of a loaded configuration that weaken the connection's
 * security, one message each appended to out (the caller adds the file's
 * name and prints them): TLS verification off for an https:// site
 * (verify_tls = false), or plain http:// to a host that is not this
 * machine (127.0.0.0/8, ::1, localhost). Not errors, since a test site may
 * need them, but every check and every run should say so. Returns how many
 * were appended. */
size_t es_config_warnings(struct es_config_diags *out, const struct es_config *c);

/* Free everything, wiping the secrets. Accepts NULL. */
void es_config_dispose(struct es_config *c);

/* The commented sample `erpsync init` writes: every key with its default
 * and what it means. It loads without errors once url, tenant, username
 * and password are filled in (they are set to the acusim demo values). */
const char *es_config_sample(void);

/* Parse "90", "90s", "15m", "2h", "1d" into milliseconds. 0 or ES_EINVAL. */
int es_parse_duration(long *out_ms, const char *s);

#endif
