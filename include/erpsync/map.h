/* How each record set maps between Acumatica's JSON and the application's
 * tables: the entity, its key fields, its modified-time field per endpoint
 * version, the columns (snake_case) with the field path each comes from,
 * and its detail tables (lines, addresses, packages...). The mappings are
 * static and borrowed. Field names come from the official OpenAPI files;
 * tests/unit/test_map.c checks every path against both versions.
 *
 * es_map_record() turns one record of a page into a row and its detail
 * rows: robustly (unknown fields ignored, {} is NULL, numbers given as
 * strings accepted, keys trimmed, instants normalised to UTC, calendar
 * dates kept as the ERP's YYYY-MM-DD). */
#ifndef ERPSYNC_MAP_H
#define ERPSYNC_MAP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "erpsync/config.h"
#include "erpsync/err.h"
#include "erpsync/sets.h"

enum es_ctype {
    ES_CT_TEXT,
    ES_CT_DEC,  /* decimal, kept as its exact text ("123.45") */
    ES_CT_INT,
    ES_CT_BOOL, /* 1 or 0 */
    ES_CT_TIME, /* an instant, UTC "2024-05-05T19:16:23.103Z" */
    ES_CT_DATE, /* a calendar date "2024-05-05": the date the ERP wrote, in its
                 * own calendar (document, due and effective dates) */
};

struct es_col {
    const char *name; /* column, snake_case */
    const char *path; /* field path from the record: "MainContact/Address/City" */
    enum es_ctype type;
    const char *since; /* the first endpoint version with the field, or NULL;
                        * on older versions the column stays NULL */
};

/* Rows of a detail table come from an array ("Details") or, for a fixed set
 * of linked entities (a customer's main, billing and shipping addresses),
 * from objects, each row tagged with its kind. */
struct es_detail_obj {
    const char *kind; /* "main" */
    const char *path; /* "MainContact" */
};

struct es_detail {
    const char *table;                /* "sales_order_lines" */
    const char *array;                /* "Details", or NULL */
    const struct es_detail_obj *objs; /* or these, NULL-terminated */
    const struct es_col *cols;        /* NULL-terminated; paths relative to the row */
};

struct es_mapping {
    enum es_set_id set;
    const char *table;
    const char *entity;
    const char *keys[2];          /* key fields, in key order */
    const char *key_cols[2];      /* their columns */
    int nkeys;
    int int_key;                  /* the single key is an integer (ContactID) */
    const char *modified[2];      /* the modified-time field: [0] 23.200.001, [1] 24.200.001 */
    const char *filter;           /* always applied ("OrderType eq 'SO'"), or NULL */
    int key0_fixed;               /* the filter fixes the first key: page by the second */
    const char *date_field;       /* the history window's field (documents), or NULL */
    const char *date_col;
    const struct es_col *cols;    /* NULL-terminated */
    const struct es_detail *details; /* NULL-terminated, or NULL */
    /* Columns holding the application's reference for its documents (the
     * external reference, API-NOTES §8.6), in the order tried; NULL for
     * master data with natural keys. A pulled record whose reference names
     * an application row not yet known to Acumatica is that row. */
    const char *const *extref_cols;
    /* An inquiry read with one PUT (prices): rows come from this array and
     * are the records; the key is a field of the row. */
    const char *inquiry_array;
    /* Its filter bodies, one request each (NULL: one request with {}):
     * one answer holds every matching row, so parts bound its size. */
    const char *const *inquiry_parts;
};

const struct es_mapping *es_map_get(enum es_set_id set);
/* Index of the endpoint version for modified[] (0: 23.200.001, 1: newer). */
int es_map_version_index(const char *version);
/* Does the endpoint version have the column's field? */
int es_map_col_in(const struct es_col *c, const char *version);

/* "$select=...&$expand=..." for the mapping (keys, modified, id and every
 * column and detail column), appended URL-encoded to out. keys_only: just
 * the keys and the modified time (reconciliation). */
void es_map_query(struct es_buf *out, const struct es_mapping *m, const char *version,
                  int keys_only);

/* Columns whose path starts with this are the customer's address, read and
 * written where the [customers] options say (es_map_address_path). */
#define ES_MAP_ADDR "@addr/"
/* The path of an address field ("City") by the [customers] options: the
 * main or the shipping contact (use_ship_to_address), and with
 * skip_first_address_line line 2 in place of line 1 and no line 2 (NULL).
 * The pull reads and the push writes the same place. cfg may be NULL. */
const char *es_map_address_path(char *out, size_t cap, const char *field,
                                const struct es_config *cfg);

/* A value of a row: NULL is SQL NULL. */
struct es_row {
    const char **vals; /* one per column of the table, in es_map order */
    size_t n;
    const char *kind;  /* detail rows from objects: the object's kind, else NULL */
};

struct es_detail_rows {
    const struct es_detail *d;
    struct es_row *rows;
    size_t n;
};

/* One mapped record. The system values come first. */
struct es_record {
    char *erp_key;      /* keys joined by '|' (trimmed) */
    char *key[2];
    char *erp_id;       /* the record's id (GUID) */
    char *erp_modified; /* UTC ISO, NULL when the ERP sent none */
    int64_t modified_ms;
    struct es_row row;  /* the mapping's columns */
    struct es_detail_rows *details; /* one per mapping detail */
    size_t ndetails;
    uint64_t hash;      /* over every value and detail value */
};

/* Is s a GUID ("0dad3013-c8a5-41ca-8300-aa8e9795698f", any case)? A
 * record whose id is not one is refused: ids go into URLs and bodies. */
int es_map_is_guid(const char *s);

/* A number as the store keeps it: what printf's "%.0f" (integral) or
 * "%.15g" writes, done by hand for the common values (a page holds
 * thousands). The length; out needs 40 bytes. */
size_t es_map_number_text(char *out, size_t cap, double d, int integral);

/* A record's hash as the store keeps it (16 hex digits). */
void es_map_hash_text(char out[24], uint64_t h);

/* A plan: the mapping compiled for an endpoint version and the options,
 * built once and applied to every record of a run. The mapping and config
 * must outlive it. */
struct es_map_plan;
int es_map_plan_new(struct es_map_plan **out, const struct es_mapping *m, const char *version,
                    const struct es_config *cfg);
void es_map_plan_free(struct es_map_plan *p);
/* es_map_record with a plan (the fast way). */
int es_map_apply(struct es_record *out, struct es_arena *a, const struct es_map_plan *p,
                 const cJSON *j, struct es_err *err);

/* Map one JSON record. Everything lives in the arena. ES_EINVAL (message
 * names the record and field) when a key is missing or a value cannot be
 * read as its type; the record is then not usable, others are. The
 * customers options (address choice, first line skipped) apply. */
int es_map_record(struct es_record *out, struct es_arena *a, const struct es_mapping *m,
                  const char *version, const struct es_config *cfg, const cJSON *j,
                  struct es_err *err);

/* Normalise an ISO date-time with an offset to UTC text; ES_EINVAL when it
 * cannot be read. out needs 32 bytes. */
int es_map_time(char *out, size_t cap, int64_t *ms, const char *iso);
/* The calendar date of an ISO date or date-time as written (its offset is
 * the ERP's calendar, not converted): "2026-09-19T00:00:00+02:00" is
 * "2026-09-19". ES_EINVAL when it cannot be read. out needs 11 bytes. */
int es_map_date(char *out, size_t cap, const char *iso);

#endif
