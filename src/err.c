/* The error record: first message wins. */
#include <stdarg.h>
#include <stdio.h>

#include "erpsync/err.h"
#include "erpsync/utf8.h"

void es_err_clear(struct es_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int es_err_set(struct es_err *err, int code, const char *fmt, ...)
{
    if (!err || err->msg[0])
        return code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(err->msg))
        es_utf8_trim(err->msg);
    err->code = code;
    return code;
}

const char *es_err_name(int code)
{
    switch (code) {
    case ES_OK: return "OK";
    case ES_EINVAL: return "EINVAL";
    case ES_ENOTFOUND: return "ENOTFOUND";
    case ES_ENET: return "ENET";
    case ES_ETIMEOUT: return "ETIMEOUT";
    case ES_EREMOTE: return "EREMOTE";
    case ES_EDB: return "EDB";
    case ES_ETOOBIG: return "ETOOBIG";
    case ES_ECONFLICT: return "ECONFLICT";
    case ES_EAUTH: return "EAUTH";
    case ES_ELIMIT: return "ELIMIT";
    case ES_EIO: return "EIO";
    default: return "EUNKNOWN";
    }
}
