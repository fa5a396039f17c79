/* Rendering records as the contract API shows them: every value wrapped as
 * {"value": ...} (or {} when empty), system members id, rowNumber, note,
 * custom and _links, date-times in the API user's zone with its offset,
 * decimals as JSON numbers, fields in Acumatica's order. */
#ifndef SIM_RENDER_H
#define SIM_RENDER_H

#include <stdint.h>

#include "doc.h"
#include "entity.h"
#include "erpsync/buf.h"
#include "sel.h"

struct sim_meta {
    const char *id; /* the record's NoteID */
    int64_t created, modified;
};

struct sim_render {
    struct es_buf *out;
    const struct sim_entity *ent;
    const char *base; /* site path + "/entity/Default/<version>/" for _links */
};

/* Append one top-level record. sel says what to show (sel.h); sent, when not
 * NULL, is the body of a PUT: its fields are echoed too, and linked or detail
 * entities it carried but that are not expanded appear as stubs. */
void sim_render_record(const struct sim_render *r, const struct sim_doc *d,
                       const struct sim_meta *m, const struct sim_sel *sel,
                       const struct sim_doc *sent, uint32_t row);

/* Value formatting, shared with OData and push notifications. */
void sim_put_decimal(struct es_buf *b, int64_t micros);
void sim_put_datetime(struct es_buf *b, int64_t utc_ms, int with_offset);
/* The user's offset from UTC at an instant, minutes (cached per thread). */
int sim_offset_at(int64_t utc_ms);

#endif
