/* Deciding a conflict. */
#include <stdio.h>
#include <string.h>

#include "erpsync/conflict.h"
#include "erpsync/timeutil.h"

int es_conflict_exists(const char *status, const char *synced_hash, const char *synced_modified,
                       const struct es_record *rec)
{
    if (!status || strcmp(status, "pending"))
        return 0;
    if (!synced_hash || !*synced_hash) /* content unknown: did its time move? */
        return !synced_modified || !rec->erp_modified || strcmp(synced_modified, rec->erp_modified);
    char hash[24];
    es_map_hash_text(hash, rec->hash);
    return strcmp(synced_hash, hash) != 0;
}

int es_conflict_erp_wins(enum es_primary primary, const struct es_record *rec, int64_t skew_ms,
                         const char *app_modified, char *reason, size_t cap)
{
    if (primary != ES_PRIMARY_NEWEST) {
        int erp = primary == ES_PRIMARY_ERP;
        snprintf(reason, cap, "primary = %s", erp ? "erp" : "app");
        return erp;
    }
    int64_t app_ms = 0;
    struct es_iso t;
    if (app_modified && app_modified[0] &&
        !es_iso_parse(&t, app_modified, strlen(app_modified)))
        app_ms = es_iso_to_ms(&t);
    if (!app_ms || !rec->erp_modified) {
        snprintf(reason, cap, "newest: a change time is missing; Acumatica's stands");
        return 1;
    }
    char ours[40];
    es_time_format_utc(ours, sizeof(ours), rec->modified_ms - skew_ms);
    snprintf(reason, cap,
             "newest: Acumatica changed it at %s (%s on our clock, skew %+lld ms), the "
             "application at %s",
             rec->erp_modified, ours, (long long)skew_ms, app_modified);
    return rec->modified_ms - skew_ms >= app_ms;
}
