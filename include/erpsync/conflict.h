/* Conflicts: a record both Acumatica and the application changed since
 * the last sync. The pull finds them (a pending row whose ERP record
 * changed), and so does a push run alone (the ERP's record read before an
 * update); both decide by the same rule. */
#ifndef ERPSYNC_CONFLICT_H
#define ERPSYNC_CONFLICT_H

#include <stddef.h>
#include <stdint.h>

#include "erpsync/config.h"
#include "erpsync/map.h"

/* Is there a conflict? Only when both sides changed what is synced: the row
 * is pending (the application's change) and the ERP's record (its content
 * hash) is not the version last synced (synced_hash, as the store keeps
 * it). A change of fields erpsync does not sync, or a mere touch of the
 * record's time, is none. When the synced hash is unknown (NULL or "": a
 * store older than the hash's form), the ERP's time decides: a record
 * modified since synced_modified changed. The pull and a push run alone
 * both ask this. */
int es_conflict_exists(const char *status, const char *synced_hash, const char *synced_modified,
                       const struct es_record *rec);

/* 1 when Acumatica's version wins, 0 when the application's does, by
 * primary: erp, app, or newest (the later change; the ERP's time moved to
 * our clock by skew_ms, how far its clock is ahead of ours). app_modified
 * may be NULL or "". reason says why, with the times compared. */
int es_conflict_erp_wins(enum es_primary primary, const struct es_record *rec, int64_t skew_ms,
                         const char *app_modified, char *reason, size_t cap);

#endif
