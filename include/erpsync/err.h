/* Error codes and the caller-owned error record every fallible call fills.
 * The first message recorded wins, so the root cause survives propagation. */
#ifndef ERPSYNC_ERR_H
#define ERPSYNC_ERR_H

enum {
    ES_OK = 0,
    ES_EINVAL = -1,    /* bad input: config, request, record */
    ES_ENOTFOUND = -2, /* no such thing */
    ES_ENET = -3,      /* network failure */
    ES_ETIMEOUT = -4,  /* deadline passed */
    ES_EREMOTE = -5,   /* the other side answered with an error */
    ES_EDB = -6,       /* database failure */
    ES_ETOOBIG = -7,   /* a size limit was hit */
    ES_ECONFLICT = -8, /* state conflict (exists, changed, locked) */
    ES_EAUTH = -9,     /* credentials refused */
    ES_ELIMIT = -10,   /* a licence or rate limit refused the work */
    ES_EIO = -11,      /* file or OS failure */
};

/* Room for a path and the reason after it: a message is cut (at a UTF-8
 * boundary) only past this, so the reason at its end survives. */
#define ES_ERR_MSG 1024

struct es_err {
    int code;
    char msg[ES_ERR_MSG];
};

/* Reset to "no error". Accepts NULL. */
void es_err_clear(struct es_err *err);

/* Record code and a printf-style message unless a message is already there.
 * Returns code, so callers can write `return es_err_set(err, ES_EINVAL, ...)`.
 * Accepts err == NULL (the code is still returned). */
int es_err_set(struct es_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Short name of a code ("EINVAL"), never NULL. */
const char *es_err_name(int code);

#endif
