/* acusim: a faithful simulator of Acumatica's public APIs, for tests, demos
 * and benchmarks. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erpsync/version.h"
#include "gen.h"
#include "http.h"
#include "limits.h"
#include "sim.h"

static const char usage[] =
    "Usage: acusim [options]\n"
    "\n"
    "acusim answers Acumatica's contract-based REST API (Default endpoint), its\n"
    "login and OAuth 2.0 endpoints, OData for generic inquiries and push\n"
    "notifications, with generated data, licence limits and fault injection.\n"
    "When it is ready it prints one line on stdout:\n"
    "  acusim listening on http://127.0.0.1:PORT\n"
    "and it stops on SIGINT or SIGTERM.\n"
    "\n"
    "Server:\n"
    "  --port N                TCP port; 0 picks a free one (default 0)\n"
    "  --bind ADDR             IPv4 address to listen on (default 127.0.0.1)\n"
    "  --site PATH             site path prefix, e.g. /AcumaticaERP (default none)\n"
    "  --max-body BYTES        largest request body accepted; a larger announced\n"
    "                          one is refused (413) before it is read\n"
    "                          (default 16777216)\n"
    "  --header-timeout S      a connection that has not sent a request's headers\n"
    "                          S seconds after opening (or after its last answer),\n"
    "                          or that is silent that long, is closed (default 30)\n"
    "  --control               serve the test control API under /_sim/\n"
    "  --quiet                 no start-up summary on stderr\n"
    "\n"
    "Data:\n"
    "  --db FILE               SQLite file to keep the data in (default: in memory);\n"
    "                          an existing file is reused as it is\n"
    "  --seed S                generator seed (default 1): same seed, same data\n"
    "  --dataset NAME          tiny | small | medium | large | none (default small);\n"
    "                          large has 100,000 customers and 1,000,000 order lines\n"
    "  --customers N, --stock-items N, --services N, --vendors N, --projects N,\n"
    "  --orders N, --lines-per-order N, --quotes N, --purchase-orders N,\n"
    "  --service-orders N, --years N\n"
    "                          override one count of the dataset\n"
    "\n"
    "Site and user:\n"
    "  --tenant NAME           tenant login name (default Company)\n"
    "  --user NAME             API user (default admin)\n"
    "  --password TEXT         its password (default 123)\n"
    "  --endpoint-version V    newest Default endpoint served: 24.200.001 (serves\n"
    "                          23.200.001 too) or 23.200.001 (default 24.200.001)\n"
    "  --timezone ZONE         the API user's time zone, e.g. America/New_York;\n"
    "                          date-times carry its offset (default UTC)\n"
    "  --oauth-client-id ID    connected application, GUID@Tenant (default\n"
    "                          B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@<tenant>)\n"
    "  --oauth-client-secret S its shared secret (default acusim-secret)\n"
    "  --reference DIR         directory with the official OpenAPI files\n"
    "\n"
    "Licence limits (API-NOTES section 4):\n"
    "  --max-sessions N        API sessions at once; more gets \"API Login Limit\"\n"
    "                          (default 2, as on a trial licence)\n"
    "  --max-concurrent N      requests processed at once, the rest queue\n"
    "                          (default 0 = unlimited)\n"
    "  --per-minute N          requests per minute; past half of it each request\n"
    "                          is delayed (default 0 = unlimited)\n"
    "  --queue-max N           waiting requests before new ones get 429 (default 20)\n"
    "  --queue-timeout-ms N    a request waiting longer gets 429 (default 600000)\n"
    "  --session-idle-ms N     unclosed sessions are reclaimed after (default 600000)\n"
    "  --login-limit-status N  status of the \"API Login Limit\" answer: 429 or 500\n"
    "                          (default 429)\n"
    "  --retry-after S         send Retry-After: S with every 429 (default: none)\n"
    "  --token-seconds N       OAuth access tokens live N seconds (default 3600,\n"
    "                          as Acumatica's)\n"
    "\n"
    "Behaviour:\n"
    "  --action-ms N           long-running actions take N ms: 202 + Location, then\n"
    "                          204; 0 answers 204 at once (default 300)\n"
    "  --no-strict-logout      accept a logout without Content-Length (IIS answers 411)\n"
    "  --new-number POLICY     a PUT naming a document number that does not exist:\n"
    "                          keep (insert with it), renumber (insert with the\n"
    "                          next number) or reject (500); unconfirmed on a\n"
    "                          live site (default keep)\n"
    "  --no-action-location    an action done at once answers 204 without the\n"
    "                          record's Location (the OpenAPI makes it optional)\n"
    "\n"
    "  -h, --help              this help\n"
    "  -V, --version           the version\n"
    "\n"
    "Examples:\n"
    "  acusim --port 8080 --dataset tiny\n"
    "  acusim --db big.db --dataset large --timezone America/New_York --control\n";

enum {
    OPT_PORT = 1000, OPT_BIND, OPT_SITE, OPT_MAX_BODY, OPT_HEADER_TIMEOUT, OPT_CONTROL, OPT_QUIET, OPT_DB, OPT_SEED,
    OPT_DATASET, OPT_TENANT, OPT_USER, OPT_PASSWORD, OPT_VERSION_EP, OPT_TZ, OPT_CLIENT_ID,
    OPT_CLIENT_SECRET, OPT_REFERENCE, OPT_MAX_SESSIONS, OPT_MAX_CONCURRENT, OPT_PER_MINUTE,
    OPT_QUEUE_MAX, OPT_QUEUE_TIMEOUT, OPT_IDLE, OPT_LOGIN_STATUS, OPT_RETRY_AFTER, OPT_ACTION_MS,
    OPT_NO_STRICT_LOGOUT,
    OPT_NO_ACTION_LOCATION, OPT_NEW_NUMBER, OPT_TOKEN_SECONDS, OPT_COUNT /* + GEN_* */
};

static const struct option options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"site", required_argument, NULL, OPT_SITE},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT},
    {"control", no_argument, NULL, OPT_CONTROL},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"db", required_argument, NULL, OPT_DB},
    {"seed", required_argument, NULL, OPT_SEED},
    {"dataset", required_argument, NULL, OPT_DATASET},
    {"tenant", required_argument, NULL, OPT_TENANT},
    {"user", required_argument, NULL, OPT_USER},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"endpoint-version", required_argument, NULL, OPT_VERSION_EP},
    {"timezone", required_argument, NULL, OPT_TZ},
    {"oauth-client-id", required_argument, NULL, OPT_CLIENT_ID},
    {"oauth-client-secret", required_argument, NULL, OPT_CLIENT_SECRET},
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
    {"max-concurrent", required_argument, NULL, OPT_MAX_CONCURRENT},
    {"per-minute", required_argument, NULL, OPT_PER_MINUTE},
    {"queue-max", required_argument, NULL, OPT_QUEUE_MAX},
    {"queue-timeout-ms", required_argument, NULL, OPT_QUEUE_TIMEOUT},
    {"session-idle-ms", required_argument, NULL, OPT_IDLE},
    {"login-limit-status", required_argument, NULL, OPT_LOGIN_STATUS},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    {"token-seconds", required_argument, NULL, OPT_TOKEN_SECONDS},
    {"action-ms", required_argument, NULL, OPT_ACTION_MS},
    {"no-strict-logout", no_argument, NULL, OPT_NO_STRICT_LOGOUT},
    {"no-action-location", no_argument, NULL, OPT_NO_ACTION_LOCATION},
    {"new-number", required_argument, NULL, OPT_NEW_NUMBER},
    {"customers", required_argument, NULL, OPT_COUNT + GEN_CUSTOMERS},
    {"stock-items", required_argument, NULL, OPT_COUNT + GEN_STOCK_ITEMS},
    {"services", required_argument, NULL, OPT_COUNT + GEN_SERVICES},
    {"vendors", required_argument, NULL, OPT_COUNT + GEN_VENDORS},
    {"projects", required_argument, NULL, OPT_COUNT + GEN_PROJECTS},
    {"orders", required_argument, NULL, OPT_COUNT + GEN_ORDERS},
    {"lines-per-order", required_argument, NULL, OPT_COUNT + GEN_LINES},
    {"quotes", required_argument, NULL, OPT_COUNT + GEN_QUOTES},
    {"purchase-orders", required_argument, NULL, OPT_COUNT + GEN_PURCHASE_ORDERS},
    {"service-orders", required_argument, NULL, OPT_COUNT + GEN_SERVICE_ORDERS},
    {"years", required_argument, NULL, OPT_COUNT + GEN_YEARS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* A whole non-negative number within [lo, hi], or exit 2 naming the option. */
static long number(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        fprintf(stderr, "acusim: --%s: '%s' is not a number from %ld to %ld\n", opt, v, lo, hi);
        exit(2);
    }
    return n;
}

static const char *opt_name(int code)
{
    for (const struct option *o = options; o->name; o++)
        if (o->val == code)
            return o->name;
    return "?";
}

static void parse(struct sim_config *c, int argc, char **argv)
{
    int code;
    while ((code = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
        const char *n = opt_name(code);
        switch (code) {
        case 'h': fputs(usage, stdout); exit(0);
        case 'V': printf("acusim %s\n", es_version()); exit(0);
        case OPT_PORT: c->port = (int)number(n, optarg, 0, 65535); break;
        case OPT_BIND: c->bind = optarg; break;
        case OPT_SITE:
            if (optarg[0] && (optarg[0] != '/' || optarg[strlen(optarg) - 1] == '/')) {
                fprintf(stderr, "acusim: --site: give a path like /AcumaticaERP\n");
                exit(2);
            }
            c->site = optarg;
            break;
        case OPT_MAX_BODY: c->max_body = number(n, optarg, 1024, 1L << 30); break;
        case OPT_HEADER_TIMEOUT: c->header_timeout_s = number(n, optarg, 1, 3600); break;
        case OPT_CONTROL: c->control = 1; break;
        case OPT_QUIET: c->quiet = 1; break;
        case OPT_DB: c->db = optarg; break;
        case OPT_SEED: c->seed = (uint64_t)number(n, optarg, 0, 0x7fffffffL); break;
        case OPT_DATASET: c->dataset = optarg; break;
        case OPT_TENANT: c->tenant = optarg; break;
        case OPT_USER: c->user = optarg; break;
        case OPT_PASSWORD: c->password = optarg; break;
        case OPT_VERSION_EP: c->version = optarg; break;
        case OPT_TZ: c->timezone = optarg; break;
        case OPT_CLIENT_ID: c->oauth_client_id = optarg; break;
        case OPT_CLIENT_SECRET: c->oauth_client_secret = optarg; break;
        case OPT_REFERENCE: c->reference = optarg; break;
        case OPT_MAX_SESSIONS:
            c->max_sessions = (int)number(n, optarg, 1, SIM_LIMITS_SESSIONS_MAX);
            break;
        case OPT_MAX_CONCURRENT:
            c->max_concurrent = (int)number(n, optarg, 0, SIM_LIMITS_CONCURRENT_MAX);
            break;
        case OPT_PER_MINUTE:
            c->per_minute = (int)number(n, optarg, 0, SIM_LIMITS_PER_MINUTE_MAX);
            break;
        case OPT_QUEUE_MAX: c->queue_max = (int)number(n, optarg, 0, 100000); break;
        case OPT_QUEUE_TIMEOUT: c->queue_timeout_ms = number(n, optarg, 1, 86400000); break;
        case OPT_IDLE: c->idle_ms = number(n, optarg, 1, 86400000); break;
        case OPT_LOGIN_STATUS: c->login_limit_status = (int)number(n, optarg, 400, 599); break;
        case OPT_RETRY_AFTER: c->retry_after = (int)number(n, optarg, 0, 86400); break;
        case OPT_TOKEN_SECONDS: c->token_seconds = number(n, optarg, 1, 86400); break;
        case OPT_ACTION_MS: c->action_ms = number(n, optarg, 0, 3600000); break;
        case OPT_NO_STRICT_LOGOUT: c->strict_logout = 0; break;
        case OPT_NO_ACTION_LOCATION: c->action_204_location = 0; break;
        case OPT_NEW_NUMBER:
            if (!strcmp(optarg, "keep"))
                c->new_number = SIM_NUMBER_KEEP;
            else if (!strcmp(optarg, "renumber"))
                c->new_number = SIM_NUMBER_RENUMBER;
            else if (!strcmp(optarg, "reject"))
                c->new_number = SIM_NUMBER_REJECT;
            else {
                fprintf(stderr, "acusim: --new-number: '%s' is not keep, renumber or reject\n",
                        optarg);
                exit(2);
            }
            break;
        default:
            if (code >= OPT_COUNT && code < OPT_COUNT + GEN_NCOUNTS) {
                c->counts[code - OPT_COUNT] = number(n, optarg, 0, 10000000);
                break;
            }
            fprintf(stderr, "Try 'acusim --help'.\n");
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "acusim: unexpected argument '%s'\nTry 'acusim --help'.\n", argv[optind]);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct sim s;
    memset(&s, 0, sizeof(s));
    sim_config_defaults(&s.cfg);
    parse(&s.cfg, argc, argv);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit it; main waits */
    signal(SIGPIPE, SIG_IGN);
    struct es_err err = {0};
    int port = 0;
    if (sim_open(&s, &err) || sim_http_start(&s, &port, &err)) {
        fprintf(stderr, "acusim: %s\n", err.msg);
        sim_close(&s);
        return 1;
    }
    printf("acusim listening on http://%s:%d\n", s.cfg.bind, port);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    sim_http_stop(&s);
    sim_close(&s);
    return 0;
}
