/* HTTP requests and responses as the handlers see them, and the
 * libmicrohttpd server that carries them (one thread per connection, so a
 * handler may block while the licence queue holds its request). */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stddef.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/err.h"

struct sim;
struct sim_session;

struct sim_arg {
    char *name;
    char *value;
};

struct sim_req {
    const char *method;
    char *path; /* percent-decoded, without the site prefix or query */
    char *query; /* raw query string, or "" */
    struct sim_arg *args;
    size_t nargs;
    const char *body;
    size_t body_n;
    void *conn; /* struct MHD_Connection, or NULL (unit tests) */
    struct sim_arg *headers; /* request headers when conn is NULL */
    size_t nheaders;
    struct es_arena *arena;
    struct sim_session *session;
    const char *entity; /* for statistics, set by the handler */
    long delay_ms;      /* an injected slowness, spent while being processed */
    int trusted;        /* a control-API write: may set what clients cannot */
};

#define SIM_MAX_HEADERS 24

struct sim_resp {
    int status;
    struct es_buf body;
    const char *ctype;
    char *hname[SIM_MAX_HEADERS];
    char *hvalue[SIM_MAX_HEADERS];
    int nhdr;
    int drop;      /* close the connection without an answer */
    int cut;       /* send half the body, then close */
    int malformed; /* break the JSON body */
    int endless;   /* instead of the body, a JSON list that never ends */
};

/* A query argument by name (case-insensitive, as ASP.NET reads them). */
const char *sim_req_arg(const struct sim_req *r, const char *name);
const char *sim_req_header(const struct sim_req *r, const char *name);
/* A cookie's value from the Cookie header, copied into the request arena. */
char *sim_req_cookie(const struct sim_req *r, const char *name);

void sim_resp_init(struct sim_resp *r);
void sim_resp_dispose(struct sim_resp *r);
void sim_resp_header(struct sim_resp *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ASP.NET Web API's HttpError body: message, exceptionMessage,
 * exceptionType, stackTrace (the last three omitted when NULL). */
void sim_resp_error(struct sim_resp *r, int status, const char *message, const char *exc_message,
                    const char *exc_type);
/* Set a JSON body (copied) with status. */
void sim_resp_json(struct sim_resp *r, int status, const char *json);

/* Start serving. Fills *port_out with the bound port. */
int sim_http_start(struct sim *s, int *port_out, struct es_err *err);
void sim_http_stop(struct sim *s);

/* Decode %XX (and '+' as space when plus_space) in place; returns length. */
size_t sim_url_decode(char *s, int plus_space);

#endif
