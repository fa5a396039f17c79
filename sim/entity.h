/* What acusim knows about each entity beyond its shape: keys, numbering,
 * drop-down labels, required fields, references to other records, external
 * reference fields, which statuses lock a document, and the screen names
 * used in _links. One compact definition per entity (entity.c); the shape
 * itself comes from the endpoint's OpenAPI (schema.h).
 *
 * A definition bound to one endpoint version is a struct sim_entity. */
#ifndef SIM_ENTITY_H
#define SIM_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

/* A drop-down field and its display labels (CV4 shows labels). */
struct sim_dropdown {
    const char *path; /* "Status" or "Details/LineType" */
    const char *const *labels;
};

/* A field that must name an existing record of one of up to two entities. */
struct sim_ref {
    const char *path;        /* "CustomerID", "Details/InventoryID" */
    const char *display;     /* "Customer", "Inventory ID" (for messages) */
    const char *target[2];   /* entity names */
};

/* A value a new record gets when the body does not set it. */
struct sim_default {
    const char *field;
    const char *value; /* in the field's wire form: "USD", "true", "0" */
};

/* Required field and its display name. */
struct sim_required {
    const char *field;
    const char *display;
};

/* Detail collection -> graph view name, for the detail rows' files:put link. */
struct sim_view {
    const char *detail;
    const char *view;
};

enum sim_key_case { SIM_KEY_ASIS, SIM_KEY_UPPER };

struct sim_entity_def {
    const char *name;
    const char *graph, *view; /* for _links["files:put"] */
    const char *keys[2];
    int nkeys;
    int int_key;              /* the (single) key is an integer (Contact) */
    enum sim_key_case key_case;
    const char *autonum;      /* key field numbered when missing, or NULL */
    const char *numfmt;       /* printf format for the number, "%06u" */
    unsigned num_start;       /* first number of every sequence */
    int inquiry;              /* read with PUT, nothing stored */
    const char *status;       /* status field, or NULL */
    int status_derived; /* a document: the ERP sets the status, clients cannot */
    const char *const *locked;/* statuses in which the record can't change */
    const char *const *extrefs; /* external-reference fields */
    const struct sim_dropdown *dropdowns;
    const struct sim_ref *refs;
    const struct sim_required *required;
    const struct sim_default *defaults;
    const struct sim_view *views;
    const char *const *list_fail; /* details that fail "Optimization" in lists */
    const char *display;       /* DAC display name for 422 summaries */
};

/* The role a top-level value property plays, set when binding. */
enum sim_role { ROLE_NONE, ROLE_MODIFIED, ROLE_CREATED, ROLE_NOTEID };

struct sim_entity {
    const struct sim_entity_def *def;
    const struct sim_type *type;
    const struct sim_prop *keys[2];
    uint8_t *role; /* per property of type: enum sim_role */
    int has_modified;
};

/* Every definition, NULL-terminated; the order is fixed. */
extern const struct sim_entity_def *const sim_entity_defs[];
/* NULL-terminated list of the entity names (schema roots). */
const char *const *sim_entity_names(void);
const struct sim_entity_def *sim_entity_def_find(const char *name);

/* Bind a definition to a loaded schema. NULL (with err) when the schema
 * lacks the entity or one of its keys. */
struct sim_entity *sim_entity_bind(const struct sim_entity_def *def,
                                   const struct sim_schema *schema, struct es_err *err);
void sim_entity_free(struct sim_entity *e);

/* Look up a drop-down by path; NULL when the field is free text. */
const struct sim_dropdown *sim_entity_dropdown(const struct sim_entity_def *def,
                                               const char *path);
/* Is label one of the drop-down's labels (case-insensitive)? Returns the
 * canonical label or NULL. */
const char *sim_dropdown_match(const struct sim_dropdown *dd, const char *label, size_t n);
/* The view name of a detail collection, or NULL (rows get no files link). */
const char *sim_entity_view(const struct sim_entity_def *def, const char *detail);
int sim_entity_is_locked(const struct sim_entity_def *def, const char *status, size_t n);
/* The fields a linked entity maps when its type is a shared one (a
 * customer's MainContact is a Contact with a dozen fields mapped), NULL-
 * terminated, or NULL when every field of the type is mapped. */
const char *const *sim_linked_fields(const char *prop, const char *type);

#endif
