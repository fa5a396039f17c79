/* The erpsync process's own protection of the secrets it holds: the
 * password, the client secret and the session's tokens live in its memory,
 * and a core dump (or another process of the same user reading its memory
 * through ptrace or /proc/PID/mem) would carry them away. */
#ifndef ERPSYNC_PROC_H
#define ERPSYNC_PROC_H

#include "erpsync/err.h"

/* Make this process non-dumpable (no core file; no ptrace attach or
 * /proc/PID/mem by other processes of the same user) and set its core
 * size limit to 0. Call it first thing in main, before a secret is read.
 * 0, or ES_EIO with the reason in err (the process then runs on). */
int es_proc_harden(struct es_err *err);

#endif
