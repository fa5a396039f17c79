/* Signing in, as Acumatica does it (API-NOTES §3): cookie sessions from
 * /entity/auth/login, OAuth 2.0 tokens from /identity/connect/token
 * (password, authorization_code and refresh_token grants), HTTP Basic for
 * OData. Every open session or OAuth grant holds one of the licence's API
 * user slots until it is closed or reclaimed after the idle timeout. */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include "erpsync/buf.h"
#include "http.h"

struct sim;
struct sim_auth;

struct sim_auth *sim_auth_new(struct sim *s);
void sim_auth_free(struct sim_auth *a);

void sim_auth_login(struct sim *s, struct sim_req *rq, struct sim_resp *rs);
void sim_auth_logout(struct sim *s, struct sim_req *rq, struct sim_resp *rs);
void sim_auth_token(struct sim *s, struct sim_req *rq, struct sim_resp *rs);
void sim_auth_authorize(struct sim *s, struct sim_req *rq, struct sim_resp *rs);
void sim_auth_discovery(struct sim *s, struct sim_req *rq, struct sim_resp *rs);

enum { SIM_AUTH_COOKIE = 1, SIM_AUTH_BEARER = 2, SIM_AUTH_BASIC = 4 };

/* Who is calling: 0 and rq->session set, or a 401 written into rs. */
/* The session the request names (cookie or token) ends on the server, as
 * an application restart or a reclaim ends it: the injected 401. */
void sim_auth_end(struct sim *s, struct sim_req *rq);
int sim_auth_check(struct sim *s, struct sim_req *rq, struct sim_resp *rs, int allowed);
/* Cookies every answer carries (Locale with the user's zone, UserBranch). */
void sim_auth_common_cookies(struct sim *s, struct sim_resp *rs);

int sim_auth_open_sessions(struct sim *s);
void sim_auth_json(struct sim *s, struct es_buf *out);
/* Close every session (control API reset). */
void sim_auth_reset(struct sim *s);

#endif
