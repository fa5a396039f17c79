/* Integration-test harness: start a real acusim on a free loopback port,
 * talk to it over HTTP with libcurl (one client = one cookie jar and
 * connection), read JSON answers. Every scenario in tests/it uses it. */
#ifndef IT_HARNESS_H
#define IT_HARNESS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <sys/types.h>

struct it_sim {
    pid_t pid;
    int port;
    char base[64];     /* "http://127.0.0.1:PORT" */
    char endpoint[96]; /* base + "/entity/Default/24.200.001" */
};

/* Start acusim with --port 0 --control --quiet and the given extra
 * arguments (NULL-terminated). Fails the test when it does not start. */
void it_sim_start(struct it_sim *s, const char *const *args);
/* Stop it with SIGTERM and wait; fails the test if it crashed. */
void it_sim_stop(struct it_sim *s);
/* Is the process still running (not crashed)? */
int it_sim_alive(struct it_sim *s);

struct it_client {
    void *curl;
    char bearer[128];
    struct it_sim *sim;
    /* Use a new connection for the next request only. libcurl silently
     * re-sends a request whose reused connection died before any answer, so
     * a test that wants to see a dropped answer must not reuse one. */
    int fresh;
};

struct it_resp {
    long status;
    char *body;
    size_t len;
    char *headers; /* raw response headers, "Name: value\r\n"... */
    cJSON *json;   /* parsed body, or NULL */
    int curl_code; /* CURLE_* of the transfer */
    double seconds;
};

void it_client_init(struct it_client *c, struct it_sim *s);
void it_client_dispose(struct it_client *c);

/* A request. path is appended to the server base unless it starts with
 * "http"; hdrs is a NULL-terminated list of "Name: value" or NULL. Strings
 * in path are sent as given (encode them with it_esc). */
void it_req(struct it_client *c, const char *method, const char *path, const char *body,
            const char *const *hdrs, struct it_resp *out);
void it_resp_free(struct it_resp *r);
/* First header of that name (case-insensitive), copied into buf, or NULL. */
const char *it_header(const struct it_resp *r, const char *name, char *buf, size_t cap);
/* Count of headers with that name. */
int it_header_count(const struct it_resp *r, const char *name);

/* Percent-encode a query value (static rotating buffers, fine for tests). */
const char *it_esc(const char *s);

/* Cookie sign-in as admin/123 into tenant Company: asserts 204. */
void it_login(struct it_client *c);
void it_logout(struct it_client *c);
/* The usual fixture: start acusim with args, a client, signed in; and its
 * end: signed out, disposed, stopped. */
void it_session_start(struct it_sim *s, struct it_client *c, const char *const *args);
void it_session_stop(struct it_sim *s, struct it_client *c);
/* OAuth password grant; stores the bearer token in the client. Returns the
 * HTTP status. */
long it_oauth(struct it_client *c, const char *scope, struct it_resp *out);

/* REST helpers on the 24.200.001 endpoint: GET/PUT a path under it. */
void it_get(struct it_client *c, const char *entity_path, struct it_resp *out);
void it_put(struct it_client *c, const char *entity_path, const char *body, struct it_resp *out);
/* The control API (no sign-in needed). */
void it_control(struct it_client *c, const char *method, const char *path, const char *body,
                struct it_resp *out);

/* A wrapped field's value: obj["Name"]["value"], or NULL. */
const cJSON *it_val(const cJSON *obj, const char *name);
const char *it_str(const cJSON *obj, const char *name);
double it_num(const cJSON *obj, const char *name);

/* A small HTTP receiver (for push notifications): records every POST body
 * and the value of header `hdr` (may be NULL). The first `fail_first`
 * requests are answered 500. */
struct it_receiver;
struct it_receiver *it_receiver_start(int fail_first, const char *hdr);
int it_receiver_port(struct it_receiver *r);
/* Wait up to ms for n requests to have arrived; returns how many did. */
int it_receiver_wait(struct it_receiver *r, int n, int ms);
/* Body and the value of header `hdr` of request i (borrowed). */
const char *it_receiver_body(struct it_receiver *r, int i);
const char *it_receiver_header(struct it_receiver *r, int i);
void it_receiver_stop(struct it_receiver *r);

/* ---- running erpsync ---- */

/* A scratch directory (removed by it_workdir_remove). */
void it_workdir(char *out, size_t cap);
void it_workdir_remove(const char *dir);

/* Write DIR/erpsync.ini for acusim s with the store DIR/erpsync.db, then
 * append extra (more sections; may be NULL). Returns the path in out. */
void it_write_config(char *out, size_t cap, const char *dir, const struct it_sim *s,
                     const char *extra);

/* The same with more lines for [acumatica] (IT_OAUTH, "timeout = 2s\n"). */
void it_write_config_acu(char *out, size_t cap, const char *dir, const struct it_sim *s,
                         const char *acu_extra, const char *extra);
/* acusim's connected application, for auth = oauth. */
#define IT_OAUTH                                                                                  \
    "auth = oauth\nclient_id = B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company\n"                   \
    "client_secret = acusim-secret\n"

struct it_run {
    int status;  /* exit status, or 128+signal */
    char *out;   /* stdout and stderr, interleaved */
    double seconds;
};

/* Run erpsync with these arguments (NULL-terminated, without the program
 * name) in dir; fails the test after timeout_s. */
void it_erpsync(struct it_run *r, const char *dir, const char *const *args, int timeout_s);
void it_run_free(struct it_run *r);
/* Start it in the background (output to DIR/bg.log); returns the pid. */
pid_t it_erpsync_bg(const char *dir, const char *const *args);

void it_sleep_ms(long ms);
double it_now(void);

#endif
