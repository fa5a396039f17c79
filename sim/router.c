/* Routing and the cross-cutting steps of every request. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "control.h"
#include "faults.h"
#include "limits.h"
#include "odata.h"
#include "rest.h"
#include "router.h"
#include "sim.h"
#include "stats.h"

#define MAX_SEGS 12

static int split_path(char *path, char **seg)
{
    int n = 0;
    for (char *p = path; *p && n < MAX_SEGS;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void not_found(struct sim_req *rq, struct sim_resp *rs)
{
    char msg[600];
    snprintf(msg, sizeof(msg), "No HTTP resource was found that matches the request URI '%.500s'.",
             rq->path);
    sim_resp_error(rs, 404, msg, NULL, NULL);
}

/* The licence's queue and rate around an API request. */
static int admit(struct sim *s, struct sim_resp *rs)
{
    long delayed;
    if (sim_limits_enter(s->limits, &delayed)) {
        rs->status = 429;
        rs->ctype = "text/plain; charset=utf-8";
        es_buf_reset(&rs->body);
        es_buf_adds(&rs->body, "The custom error module does not recognize this error.");
        if (s->cfg.retry_after)
            sim_resp_header(rs, "Retry-After", "%d", s->cfg.retry_after);
        sim_stats_event(s->stats, "declined", 1);
        return -1;
    }
    if (delayed)
        sim_stats_event(s->stats, "delayed", 1);
    return 0;
}

/* Leave the licence queue; an injected delay is spent before, inside the
 * processing slot, as a slow request holds one. */
static void release(struct sim *s, struct sim_req *rq)
{
    if (rq->delay_ms > 0) {
        sleep_ms(rq->delay_ms);
        rq->delay_ms = 0;
    }
    sim_limits_leave(s->limits);
}

static void entity_api(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int n)
{
    /* seg[0] == "entity" */
    if (n == 1) {
        if (strcmp(rq->method, "GET"))
            return not_found(rq, rs);
        sim_rest_discovery(s, rq, rs);
        return;
    }
    if (!strcasecmp(seg[1], "auth") && n == 3 && !strcmp(rq->method, "POST")) {
        if (!strcasecmp(seg[2], "login")) {
            rq->entity = "auth/login";
            if (admit(s, rs))
                return;
            sim_auth_login(s, rq, rs);
            release(s, rq);
            return;
        }
        if (!strcasecmp(seg[2], "logout")) {
            rq->entity = "auth/logout";
            sim_auth_logout(s, rq, rs); /* logout skips the queue */
            return;
        }
    }
    if (n < 3 || strcasecmp(seg[1], "Default"))
        return not_found(rq, rs);
    const struct sim_endpoint *ep = sim_endpoint_find(s, seg[2]);
    if (!ep)
        return not_found(rq, rs);
    if (n == 4 && !strcasecmp(seg[3], "swagger.json") && !strcmp(rq->method, "GET")) {
        sim_rest_swagger(s, ep, rs);
        return;
    }
    if (n < 4)
        return not_found(rq, rs);
    if (sim_auth_check(s, rq, rs, SIM_AUTH_COOKIE | SIM_AUTH_BEARER))
        return;
    if (admit(s, rs))
        return;
    sim_auth_common_cookies(s, rs);
    sim_rest(s, ep, rq, rs, seg + 3, n - 3);
    release(s, rq);
}

static void identity(struct sim *s, struct sim_req *rq, struct sim_resp *rs, char **seg, int n)
{
    if (n == 3 && !strcasecmp(seg[1], "connect") && !strcasecmp(seg[2], "token"))
        sim_auth_token(s, rq, rs);
    else if (n == 3 && !strcasecmp(seg[1], "connect") && !strcasecmp(seg[2], "authorize"))
        sim_auth_authorize(s, rq, rs);
    else if (n >= 2 && !strcasecmp(seg[1], ".well-known"))
        sim_auth_discovery(s, rq, rs);
    else
        not_found(rq, rs);
}

/* Fault injection before handling; returns 1 when the request is answered. */
static int fault_before(struct sim *s, struct sim_req *rq, struct sim_resp *rs,
                        struct sim_fault *f)
{
    switch (f->kind) {
    case FK_STATUS:
        if (f->status == 429) {
            rs->status = 429;
            rs->ctype = "text/plain; charset=utf-8";
            es_buf_adds(&rs->body, "The custom error module does not recognize this error.");
            if (s->cfg.retry_after)
                sim_resp_header(rs, "Retry-After", "%d", s->cfg.retry_after);
        } else if (f->status == 401) { /* Acumatica's 401: the session is gone */
            sim_auth_end(s, rq);
            sim_resp_error(rs, 401, "Authorization has been denied for this request.", NULL,
                           NULL);
        } else {
            sim_resp_error(rs, f->status, "An error has occurred.",
                           "The server failed to process the request (injected fault).",
                           "System.Exception");
        }
        return 1;
    case FK_RESET: rs->drop = 1; return 1;
    case FK_DELAY: rq->delay_ms = f->delay_ms; return 0;
    default: return 0;
    }
}

/* Every f->from of the answer body becomes f->to. */
static void replace_in_body(struct sim_resp *rs, const struct sim_fault *f)
{
    struct es_buf out;
    es_buf_init(&out, 0);
    size_t n = strlen(f->from);
    const char *p = rs->body.data ? rs->body.data : "", *end = p + rs->body.len;
    for (const char *hit; (hit = memmem(p, (size_t)(end - p), f->from, n)); p = hit + n) {
        es_buf_add(&out, p, (size_t)(hit - p));
        es_buf_adds(&out, f->to);
    }
    es_buf_add(&out, p, (size_t)(end - p));
    es_buf_dispose(&rs->body);
    rs->body = out;
}

static void fault_after(struct sim_resp *rs, const struct sim_fault *f)
{
    if (f->kind == FK_REPLACE)
        replace_in_body(rs, f);
    else if (f->kind == FK_CUT)
        rs->cut = 1;
    else if (f->kind == FK_MALFORMED)
        rs->malformed = 1;
    else if (f->kind == FK_DROP)
        rs->drop = 1;
    else if (f->kind == FK_ENDLESS)
        rs->endless = 1;
}

void sim_route(struct sim *s, struct sim_req *rq, struct sim_resp *rs)
{
    char *seg[MAX_SEGS];
    char *path = es_arena_strdup(rq->arena, rq->path);
    int n = split_path(path, seg);
    if (n >= 1 && !strcmp(seg[0], "_sim")) {
        if (s->cfg.control)
            sim_control(s, rq, rs, seg + 1, n - 1);
        else
            not_found(rq, rs);
        return;
    }
    struct sim_fault f;
    int faulted = sim_faults_take(s->faults, rq->method, rq->path, &f);
    if (faulted) {
        sim_stats_event(s->stats, "faults", 1);
        if (fault_before(s, rq, rs, &f))
            goto count;
    }
    if (n >= 1 && !strcasecmp(seg[0], "entity"))
        entity_api(s, rq, rs, seg, n);
    else if (n >= 1 && !strcasecmp(seg[0], "identity"))
        identity(s, rq, rs, seg, n);
    else if (n >= 1 && (!strcasecmp(seg[0], "odata") || !strcasecmp(seg[0], "t")))
        sim_odata(s, rq, rs, seg, n);
    else
        not_found(rq, rs);
    if (rq->delay_ms > 0) /* not spent inside a licence slot */
        sleep_ms(rq->delay_ms);
    if (faulted)
        fault_after(rs, &f);
count:
    sim_stats_count(s->stats, rq->method, rq->entity ? rq->entity : rq->path, rs->status);
}
