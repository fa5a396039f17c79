/* The simulator: configuration, the endpoints it serves, and the shared
 * state every request handler reaches through struct sim. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "entity.h"
#include "erpsync/err.h"
#include "schema.h"
#include "store.h"

struct sim_auth;
struct sim_limits;
struct sim_faults;
struct sim_stats;
struct sim_push;
struct sim_mutator;
struct sim_actions;

struct sim_config {
    const char *bind;        /* "127.0.0.1" */
    int port;                /* 0: pick a free port */
    const char *db;          /* NULL: in memory */
    uint64_t seed;
    const char *dataset;     /* tiny, small, medium, large, none */
    long counts[16];         /* explicit counts (gen.h), -1 = dataset default */
    const char *tenant, *user, *password;
    const char *version;     /* newest endpoint version served */
    const char *timezone;
    const char *site;        /* site path prefix, "" or "/AcumaticaERP" */
    const char *reference;   /* directory with the OpenAPI files */
    int max_sessions;        /* API users (sessions) allowed at once */
    int max_concurrent;      /* requests processed at once, 0 = no limit */
    int per_minute;          /* requests per minute, 0 = no limit */
    int queue_max;           /* waiting requests before declines (20) */
    long queue_timeout_ms;   /* declined after waiting this long (10 min) */
    long idle_ms;            /* unclosed sessions reclaimed after (10 min) */
    long token_seconds;      /* OAuth access-token lifetime (3600, as documented) */
    int login_limit_status;  /* 429 (documented) or 500 */
    const char *oauth_client_id, *oauth_client_secret;
    long action_ms;          /* long-running actions take this long; 0 = 204 at once */
    long max_body;           /* request body cap, bytes */
    long header_timeout_s;   /* a request's headers must arrive within this;
                              * also MHD's idle timeout */
    int control;             /* serve /_sim/ */
    int retry_after;         /* seconds in Retry-After on 429, 0 = no header */
    int strict_logout;       /* 411 on a logout without Content-Length */
    int new_number;          /* a PUT naming a document number that does not
                              * exist: SIM_NUMBER_KEEP inserts it with that
                              * number, _RENUMBER with the next one, _REJECT
                              * refuses it (unconfirmed, API-NOTES §10.3) */
    int action_204_location; /* an action done at once answers 204 with the
                              * record's Location (recorded; the OpenAPI
                              * calls it optional) */
    int quiet;
};

/* One endpoint version (Default/<version>). */
struct sim_endpoint {
    const char *version;
    struct sim_schema *schema;
    struct sim_entity **ents; /* indexed like sim_entity_defs */
    char *base;               /* "<site>/entity/Default/<version>/" */
    char *swagger;            /* path of the OpenAPI file */
};

struct sim {
    struct sim_config cfg;
    struct sim_endpoint eps[2];
    int neps;
    struct sim_store *store;
    pthread_mutex_t clock_mu;
    int64_t clock_shift_ms;
    int64_t last_stamp;
    struct sim_auth *auth;
    struct sim_limits *limits;
    struct sim_faults *faults;
    struct sim_stats *stats;
    struct sim_push *push;
    struct sim_mutator *mutator;
    struct sim_actions *actions;
    void *http; /* the server (http.c) */
    char *owned_client_id; /* the default OAuth client id, when derived */
};

enum { SIM_NUMBER_KEEP, SIM_NUMBER_RENUMBER, SIM_NUMBER_REJECT };

/* Defaults for every option. */
void sim_config_defaults(struct sim_config *c);

/* Load schemas, open the store, generate data when the store is new.
 * On failure fills err and leaves s for sim_close. */
int sim_open(struct sim *s, struct es_err *err);
void sim_close(struct sim *s);

/* The ERP's clock: real time plus the shift set from the control API. */
int64_t sim_clock_now(struct sim *s);
/* A timestamp for a save: the ERP clock rounded as SQL Server's datetime
 * rounds (to 1/300 s), so values end in 0, 3 or 7 ms. */
int64_t sim_stamp(struct sim *s);
void sim_clock_shift(struct sim *s, int64_t delta_ms);

const struct sim_endpoint *sim_endpoint_find(const struct sim *s, const char *version);
/* The bound entity of an endpoint by name (case-insensitive), or NULL. */
const struct sim_entity *sim_entity_of(const struct sim_endpoint *ep, const char *name);
/* The newest endpoint. */
const struct sim_endpoint *sim_endpoint_newest(const struct sim *s);

/* A new random GUID (lower-case, 36 characters + NUL). */
void sim_guid(char out[37]);

#endif
