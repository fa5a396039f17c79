/* libmicrohttpd glue: raw URI capture, bodies with a size cap (a body
 * announced over it is refused before it is read), a deadline for request
 * headers, responses (including the broken ones fault injection asks for). */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "http.h"
#include "router.h"
#include "sim.h"
#include "watch.h"

/* The server: the MHD daemon and the header deadline of its connections. */
struct http_server {
    struct MHD_Daemon *daemon;
    struct sim_watch *watch;
};

/* Per-request state, created by the URI log callback before MHD parses. */
struct conn_req {
    char *uri;
    int started;
    int too_big;
    struct es_buf body;
};

size_t sim_url_decode(char *s, int plus_space)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+' && plus_space) {
            *o++ = ' ';
        } else if (*p == '%' && p[1] && p[2] && strchr("0123456789abcdefABCDEF", p[1]) &&
                   strchr("0123456789abcdefABCDEF", p[2])) {
            char hex[3] = {p[1], p[2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return (size_t)(o - s);
}

const char *sim_req_arg(const struct sim_req *r, const char *name)
{
    for (size_t i = 0; i < r->nargs; i++)
        if (strcasecmp(r->args[i].name, name) == 0)
            return r->args[i].value;
    return NULL;
}

const char *sim_req_header(const struct sim_req *r, const char *name)
{
    if (!r->conn) {
        for (size_t i = 0; i < r->nheaders; i++)
            if (strcasecmp(r->headers[i].name, name) == 0)
                return r->headers[i].value;
        return NULL;
    }
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

char *sim_req_cookie(const struct sim_req *r, const char *name)
{
    const char *h = sim_req_header(r, "Cookie");
    size_t nl = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        const char *eq = strchr(h, '=');
        const char *semi = strchr(h, ';');
        if (!eq || (semi && semi < eq))
            break;
        const char *end = semi ? semi : h + strlen(h);
        if ((size_t)(eq - h) == nl && strncmp(h, name, nl) == 0)
            return es_arena_strndup(r->arena, eq + 1, (size_t)(end - eq - 1));
        h = end;
    }
    return NULL;
}

void sim_resp_init(struct sim_resp *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    es_buf_init(&r->body, 0);
}

void sim_resp_dispose(struct sim_resp *r)
{
    es_buf_dispose(&r->body);
    for (int i = 0; i < r->nhdr; i++) {
        free(r->hname[i]);
        free(r->hvalue[i]);
    }
    r->nhdr = 0;
}

void sim_resp_header(struct sim_resp *r, const char *name, const char *fmt, ...)
{
    if (r->nhdr == SIM_MAX_HEADERS)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    if (!v)
        return;
    r->hname[r->nhdr] = es_xstrdup(name);
    r->hvalue[r->nhdr] = v;
    r->nhdr++;
}

static void json_str(struct es_buf *b, const char *s)
{
    es_buf_add(b, "\"", 1);
    es_buf_add_json_escaped(b, s, strlen(s));
    es_buf_add(b, "\"", 1);
}

void sim_resp_error(struct sim_resp *r, int status, const char *message, const char *exc_message,
                    const char *exc_type)
{
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    es_buf_reset(&r->body);
    es_buf_adds(&r->body, "{\"message\":");
    json_str(&r->body, message);
    if (exc_message) {
        es_buf_adds(&r->body, ",\"exceptionMessage\":");
        json_str(&r->body, exc_message);
    }
    if (exc_type) {
        es_buf_adds(&r->body, ",\"exceptionType\":");
        json_str(&r->body, exc_type);
        es_buf_adds(&r->body, ",\"stackTrace\":");
        json_str(&r->body, "   at PX.Api.ContractBased.WebApi.Controllers (acusim)\r\n");
    }
    es_buf_adds(&r->body, "}");
}

void sim_resp_json(struct sim_resp *r, int status, const char *json)
{
    r->status = status;
    r->ctype = "application/json; charset=utf-8";
    es_buf_reset(&r->body);
    es_buf_adds(&r->body, json);
}

/* ---- request parsing ---- */

static void parse_query(struct sim_req *rq, char *q)
{
    size_t cap = 1;
    for (char *p = q; *p; p++)
        cap += *p == '&';
    rq->args = es_arena_alloc(rq->arena, cap * sizeof(*rq->args));
    rq->nargs = 0;
    char *p = q;
    while (*p) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        if (*p) {
            char *eq = strchr(p, '=');
            if (eq)
                *eq = '\0';
            sim_url_decode(p, 1);
            char *v = eq ? eq + 1 : p + strlen(p);
            sim_url_decode(v, 1);
            rq->args[rq->nargs++] = (struct sim_arg){p, v};
        }
        if (!amp)
            break;
        p = amp + 1;
    }
}

static void parse_uri(struct sim *s, struct sim_req *rq, const char *uri)
{
    char *copy = es_arena_strdup(rq->arena, uri);
    char *q = strchr(copy, '?');
    if (q) {
        *q++ = '\0';
        rq->query = es_arena_strdup(rq->arena, q);
        parse_query(rq, q);
    } else {
        rq->query = "";
    }
    sim_url_decode(copy, 0);
    size_t sl = strlen(s->cfg.site);
    if (sl && strncasecmp(copy, s->cfg.site, sl) == 0 && (copy[sl] == '/' || !copy[sl]))
        copy += sl;
    rq->path = *copy ? copy : "/";
}

/* ---- responses ---- */

struct cut_ctx {
    char *data;
    size_t len, sent_limit;
};

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct cut_ctx *c = cls;
    if (pos >= c->sent_limit)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->sent_limit - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, c->data + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    struct cut_ctx *c = cls;
    free(c->data);
    free(c);
}

/* The endless answer: "[" then the same record again and again, as fast
 * as the client reads, until it closes the connection. */
static ssize_t endless_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    static const char rec[] =
        "{\"CustomerID\":{\"value\":\"ENDLESS\"},\"Description\":{\"value\":\"an answer "
        "that never ends, as a broken or hostile endpoint may send\"}},";
    size_t n = 0;
    if (pos == 0 && max)
        buf[n++] = '[';
    uint64_t at = pos ? pos - 1 : 0;
    while (n < max)
        buf[n++] = rec[at++ % (sizeof(rec) - 1)];
    return (ssize_t)n;
}

static struct MHD_Response *build_response(struct sim *s, struct sim_resp *rs)
{
    if (rs->malformed && rs->body.len > 2) {
        /* Keep the start, break the end: a truncated document plus junk. */
        rs->body.len = rs->body.len / 2;
        es_buf_adds(&rs->body, "<!-- truncated -->");
    }
    size_t len;
    char *data = es_buf_steal(&rs->body, &len);
    struct MHD_Response *resp;
    if (rs->endless) {
        free(data);
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, endless_reader, NULL,
                                                 NULL);
    } else if (rs->cut && len > 1) {
        struct cut_ctx *c = es_xcalloc(1, sizeof(*c));
        c->data = data;
        c->len = len;
        c->sent_limit = len / 2;
        resp = MHD_create_response_from_callback(len, 4096, cut_reader, c, cut_free);
    } else {
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    }
    if (!resp)
        return NULL;
    if (rs->ctype)
        MHD_add_response_header(resp, "Content-Type", rs->ctype);
    MHD_add_response_header(resp, "Cache-Control", "private");
    char date[64];
    es_time_format_http(date, sizeof(date), sim_clock_now(s));
    MHD_add_response_header(resp, "Date", date);
    for (int i = 0; i < rs->nhdr; i++)
        MHD_add_response_header(resp, rs->hname[i], rs->hvalue[i]);
    return resp;
}

/* ---- MHD callbacks ---- */

static struct sim_watch *watch_of(struct sim *s)
{
    return ((struct http_server *)s->http)->watch;
}

/* The deadline entry of a connection (NULL once it is closing). */
static struct sim_watch_conn *watched(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

static void notify_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    struct sim_watch *w = watch_of(cls);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = i ? sim_watch_open(w, i->connect_fd) : NULL;
    } else {
        sim_watch_close(w, *socket_context);
        *socket_context = NULL;
    }
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    struct conn_req *cr = es_xcalloc(1, sizeof(*cr));
    cr->uri = es_xstrdup(uri);
    return cr;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    struct sim_watch_conn *wc = watched(con);
    if (wc) /* keep-alive: the next request's headers are due */
        sim_watch_idle(watch_of(cls), wc);
    struct conn_req *cr = *con_cls;
    if (!cr)
        return;
    free(cr->uri);
    es_buf_dispose(&cr->body);
    free(cr);
    *con_cls = NULL;
}

static enum MHD_Result queue(struct sim *s, struct MHD_Connection *con, struct sim_resp *rs)
{
    if (rs->drop)
        return MHD_NO;
    struct MHD_Response *resp = build_response(s, rs);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)rs->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The answer to a body over --max-body. */
static void too_large(struct sim *s, struct sim_resp *rs)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "The request body is larger than %ld bytes.", s->cfg.max_body);
    sim_resp_error(rs, 413, "The request is too large.", msg, NULL);
    sim_resp_header(rs, "Connection", "close");
}

/* Does the request announce a body over --max-body? (A Content-Length
 * that is not a number is MHD's to refuse.) */
static int announced_too_large(struct sim *s, struct MHD_Connection *con)
{
    const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
    if (!cl || *cl < '0' || *cl > '9')
        return 0;
    unsigned long long n = 0;
    for (; *cl >= '0' && *cl <= '9'; cl++) {
        if (n > (unsigned long long)s->cfg.max_body)
            return 1;
        n = n * 10 + (unsigned)(*cl - '0');
    }
    return n > (unsigned long long)s->cfg.max_body;
}

/* Answer at once, before any (more) of the body is read: MHD sends the
 * answer and closes the connection, reading no further. */
static enum MHD_Result refuse_body(struct sim *s, struct MHD_Connection *con)
{
    struct sim_resp rs;
    sim_resp_init(&rs);
    too_large(s, &rs);
    struct MHD_Response *resp = build_response(s, &rs);
    enum MHD_Result ok = resp ? MHD_queue_response(con, 413, resp) : MHD_NO;
    if (resp)
        MHD_destroy_response(resp);
    sim_resp_dispose(&rs);
    return ok;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *con, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)version;
    struct sim *s = cls;
    struct conn_req *cr = *con_cls;
    if (!cr->started) {
        /* Answering on the first call makes MHD close the connection
         * without reading the body: only for a body refused unread. */
        cr->started = 1;
        struct sim_watch_conn *wc = watched(con);
        if (wc)
            sim_watch_busy(watch_of(s), wc);
        if (announced_too_large(s, con))
            return refuse_body(s, con);
        es_buf_init(&cr->body, (size_t)s->cfg.max_body);
        return MHD_YES;
    }
    if (*upload_size) {
        /* A chunked body that outgrows the cap is read to its end and
         * dropped (MHD cannot answer in the middle of a body), then 413. */
        if (!cr->too_big && es_buf_add(&cr->body, upload, *upload_size))
            cr->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    struct es_arena arena;
    es_arena_init(&arena, 64 * 1024);
    struct sim_req rq = {.method = method, .conn = con, .arena = &arena};
    rq.body = cr->body.data ? cr->body.data : "";
    rq.body_n = cr->body.len;
    parse_uri(s, &rq, cr->uri);
    struct sim_resp rs;
    sim_resp_init(&rs);
    if (cr->too_big) {
        too_large(s, &rs);
    } else {
        sim_route(s, &rq, &rs);
    }
    enum MHD_Result ok = queue(s, con, &rs);
    sim_resp_dispose(&rs);
    es_arena_dispose(&arena);
    return ok;
}

int sim_http_start(struct sim *s, int *port_out, struct es_err *err)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)s->cfg.port);
    if (inet_pton(AF_INET, s->cfg.bind, &addr.sin_addr) != 1)
        return es_err_set(err, ES_EINVAL, "--bind: '%s' is not an IPv4 address", s->cfg.bind);
    struct http_server *srv = es_xcalloc(1, sizeof(*srv));
    srv->watch = sim_watch_new(s->cfg.header_timeout_s * 1000);
    if (!srv->watch) {
        free(srv);
        return es_err_set(err, ES_EIO, "cannot start the header-timeout thread");
    }
    s->http = srv;
    /* MHD's own timeout closes connections silent that long at any stage
     * (an idle keep-alive, a stalled body); the watch bounds the headers. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, s, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)s->cfg.header_timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)256, MHD_OPTION_END);
    if (!srv->daemon) {
        sim_http_stop(s);
        return es_err_set(err, ES_EIO, "cannot listen on %s:%d (in use?)", s->cfg.bind,
                          s->cfg.port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = info ? info->port : s->cfg.port;
    return 0;
}

void sim_http_stop(struct sim *s)
{
    struct http_server *srv = s->http;
    if (!srv)
        return;
    if (srv->daemon) /* closes the connections, which leave the watch */
        MHD_stop_daemon(srv->daemon);
    sim_watch_free(srv->watch);
    free(srv);
    s->http = NULL;
}
