/* Process hardening (see proc.h). */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "erpsync/proc.h"

int es_proc_harden(struct es_err *err)
{
    /* The limit first: should prctl fail, at least no core file is written. */
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none))
        return es_err_set(err, ES_EIO, "cannot set the core size limit to 0: %s", strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
        return es_err_set(err, ES_EIO, "cannot make the process non-dumpable: %s", strerror(errno));
    return 0;
}
