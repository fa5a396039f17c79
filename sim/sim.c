/* Start-up and shared services: configuration, endpoints, clock, ids. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "auth.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "faults.h"
#include "gen.h"
#include "limits.h"
#include "mutator.h"
#include "names.h"
#include "push.h"
#include "sim.h"
#include "stats.h"

#ifndef ES_REFERENCE_DIR
#define ES_REFERENCE_DIR "reference/acumatica"
#endif

static const char *const versions[] = {"23.200.001", "24.200.001"};

void sim_config_defaults(struct sim_config *c)
{
    memset(c, 0, sizeof(*c));
    c->bind = "127.0.0.1";
    c->seed = 1;
    c->dataset = "small";
    for (size_t i = 0; i < sizeof(c->counts) / sizeof(c->counts[0]); i++)
        c->counts[i] = -1;
    c->tenant = "Company";
    c->user = "admin";
    c->password = "123";
    c->version = "24.200.001";
    c->timezone = "UTC";
    c->site = "";
    const char *ref = getenv("ACUSIM_REFERENCE");
    c->reference = ref && *ref ? ref : ES_REFERENCE_DIR;
    c->max_sessions = 2;
    c->queue_max = 20;
    c->queue_timeout_ms = 600000;
    c->idle_ms = 600000;
    c->login_limit_status = 429;
    c->oauth_client_id = NULL; /* derived from the tenant */
    c->oauth_client_secret = "acusim-secret";
    c->action_ms = 300;
    c->action_204_location = 1;
    c->token_seconds = 3600;
    c->max_body = 16L * 1024 * 1024;
    c->header_timeout_s = 30;
    c->strict_logout = 1;
}

void sim_guid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

int64_t sim_clock_now(struct sim *s)
{
    pthread_mutex_lock(&s->clock_mu);
    int64_t shift = s->clock_shift_ms;
    pthread_mutex_unlock(&s->clock_mu);
    return es_now_ms() + shift;
}

int64_t sim_stamp(struct sim *s)
{
    int64_t now = sim_clock_now(s);
    /* SQL Server datetime keeps 1/300 s: 0, 3 or 7 ms in the last digit. */
    int64_t ticks = (now * 3 + 5) / 10;
    int64_t stamp = (ticks * 10 + 1) / 3;
    pthread_mutex_lock(&s->clock_mu);
    if (stamp < s->last_stamp && s->last_stamp - stamp < 1000)
        stamp = s->last_stamp; /* never run backwards within a second */
    s->last_stamp = stamp;
    pthread_mutex_unlock(&s->clock_mu);
    return stamp;
}

void sim_clock_shift(struct sim *s, int64_t delta_ms)
{
    pthread_mutex_lock(&s->clock_mu);
    s->clock_shift_ms += delta_ms;
    s->last_stamp = 0;
    pthread_mutex_unlock(&s->clock_mu);
}

const struct sim_endpoint *sim_endpoint_find(const struct sim *s, const char *version)
{
    for (int i = 0; i < s->neps; i++)
        if (!strcmp(s->eps[i].version, version))
            return &s->eps[i];
    return NULL;
}

const struct sim_endpoint *sim_endpoint_newest(const struct sim *s)
{
    return &s->eps[s->neps - 1];
}

const struct sim_entity *sim_entity_of(const struct sim_endpoint *ep, const char *name)
{
    for (size_t i = 0; sim_entity_defs[i]; i++)
        if (!strcasecmp(sim_entity_defs[i]->name, name))
            return ep->ents[i];
    return NULL;
}

static int load_endpoint(struct sim *s, const char *version, struct es_err *err)
{
    struct sim_endpoint *ep = &s->eps[s->neps];
    memset(ep, 0, sizeof(*ep));
    ep->version = version;
    ep->swagger = es_xasprintf("%s/Default_%s.openapi.json", s->cfg.reference, version);
    ep->schema = sim_schema_load(ep->swagger, version, sim_entity_names(), err);
    if (!ep->schema)
        return ES_EINVAL;
    size_t n = 0;
    while (sim_entity_defs[n])
        n++;
    ep->ents = es_xcalloc(n, sizeof(*ep->ents));
    for (size_t i = 0; i < n; i++) {
        ep->ents[i] = sim_entity_bind(sim_entity_defs[i], ep->schema, err);
        if (!ep->ents[i])
            return ES_EINVAL;
    }
    ep->base = es_xasprintf("%s/entity/Default/%s/", s->cfg.site, version);
    s->neps++;
    return 0;
}

int sim_open(struct sim *s, struct es_err *err)
{
    pthread_mutex_init(&s->clock_mu, NULL);
    if (sodium_init() < 0)
        return es_err_set(err, ES_EIO, "libsodium failed to initialise");
    if (es_tz_set(s->cfg.timezone))
        return es_err_set(err, ES_EINVAL, "--timezone: unknown time zone '%s'", s->cfg.timezone);
    int rc = sim_store_open(&s->store, s->cfg.db, err);
    if (rc)
        return rc;
    if ((rc = sim_store_load_names(s->store, err)))
        return rc;
    int newest = !strcmp(s->cfg.version, "24.200.001") ? 1 : 0;
    if (strcmp(s->cfg.version, versions[newest]))
        return es_err_set(err, ES_EINVAL, "--endpoint-version: '%s' is not 23.200.001 or 24.200.001",
                          s->cfg.version);
    for (int i = 0; i <= newest; i++)
        if ((rc = load_endpoint(s, versions[i], err)))
            return rc;
    if ((rc = sim_store_save_names(s->store, err)))
        return rc;
    if (!s->cfg.oauth_client_id) {
        s->owned_client_id = es_xasprintf("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@%s", s->cfg.tenant);
        s->cfg.oauth_client_id = s->owned_client_id;
    }
    s->auth = sim_auth_new(s);
    s->limits = sim_limits_new(s->cfg.max_concurrent, s->cfg.per_minute, s->cfg.queue_max,
                               s->cfg.queue_timeout_ms);
    s->faults = sim_faults_new(s->cfg.seed);
    s->stats = sim_stats_new();
    s->push = sim_push_new(s);
    s->actions = sim_actions_new(s);
    s->mutator = sim_mutator_new(s);
    return sim_gen_ensure(s, err);
}

void sim_close(struct sim *s)
{
    sim_mutator_free(s->mutator);
    sim_actions_free(s->actions);
    sim_push_free(s->push);
    sim_stats_free(s->stats);
    sim_faults_free(s->faults);
    sim_limits_free(s->limits);
    sim_auth_free(s->auth);
    for (int i = 0; i < s->neps; i++) {
        struct sim_endpoint *ep = &s->eps[i];
        for (size_t k = 0; ep->ents && sim_entity_defs[k]; k++)
            sim_entity_free(ep->ents[k]);
        free(ep->ents);
        sim_schema_free(ep->schema);
        free(ep->base);
        free(ep->swagger);
    }
    s->neps = 0;
    sim_store_close(s->store);
    s->store = NULL;
    free(s->owned_client_id);
    s->owned_client_id = NULL;
    pthread_mutex_destroy(&s->clock_mu);
}
