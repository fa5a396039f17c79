/* libFuzzer target for $filter (filter.h). The input is filter text as the
 * REST and OData handlers receive it (URL-decoded). It is parsed; a tree is
 * compiled to SQL for a few bound entities, and that SQL is run by a real
 * in-memory store over sample records (one with a damaged body, which
 * sim_field must survive); then it is checked and evaluated against every
 * generic inquiry's columns, as the OData handler does.
 * Beyond the sanitizers, the target aborts when a promise breaks: an error
 * without a message (or, for UTF-8 text, a message that is not UTF-8: it
 * goes into a JSON response), SQL that SQLite refuses, placeholders out of
 * step with the bound parameters, an evaluation that is not 0 or 1. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "doc.h"
#include "erpsync/arena.h"
#include "erpsync/buf.h"
#include "filter.h"
#include "fuzz_env.h"
#include "gi.h"
#include "names.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entities the SQL compiler is tried on: two string keys, a detail
 * collection and linked entities (SalesOrder); a one-key master record with
 * nested linked entities (Customer); an integer key (Contact). */
static const char *const entity_names[] = {"SalesOrder", "Customer", "Contact"};
#define NENTS (sizeof(entity_names) / sizeof(entity_names[0]))

/* Rows the evaluator sees per inquiry: ordinary values, all empty, and the
 * extremes the input layer accepts (input.c). */
enum { ROW_TYPICAL, ROW_EMPTY, ROW_EXTREME, NROWS };
#define MAX_GIS 8
#define MAX_GI_COLS 16

static struct {
    const struct sim_entity *ents[NENTS];
    struct sim_store *store;
    int stored[NENTS]; /* records of each entity in the store */
    struct sim_val rows[MAX_GIS][NROWS][MAX_GI_COLS];
    struct es_arena arena;
} g;

/* ---- sample records ---- */

static void set_str(struct es_arena *a, struct sim_doc *d, const char *field, const char *s)
{
    sim_doc_set_str(a, d, fuzz_name(field), s);
}

static void set_num(struct es_arena *a, struct sim_doc *d, const char *field, int vt, int64_t v)
{
    sim_doc_set_int(a, d, fuzz_name(field), vt, v);
}

static struct sim_doc *set_obj(struct es_arena *a, struct sim_doc *d, const char *field)
{
    struct sim_val *v = sim_doc_set(a, d, fuzz_name(field));
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(a);
    return v->u.obj;
}

static struct sim_doc *sales_order(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    set_str(a, d, "OrderType", "SO");
    set_str(a, d, "OrderNbr", "000123");
    set_str(a, d, "CustomerID", "ABCSTUDIOS");
    set_str(a, d, "Description", "Rush: 50% off_ 'quoted' \\ back");
    set_str(a, d, "Status", "Open");
    sim_doc_set_bool(a, d, fuzz_name("Hold"), 0);
    set_num(a, d, "OrderTotal", SV_DEC, 1234500000);
    set_num(a, d, "Date", SV_DT, 1700000000000);
    set_num(a, d, "LastModified", SV_DT, 1700000100000);
    set_str(a, set_obj(a, d, "ShipToContact"), "Email", "orders@abc.example");
    set_str(a, set_obj(a, d, "ShipToAddress"), "City", "New York");
    struct sim_doc *line = sim_doc_push(a, d, fuzz_name("Details"));
    set_str(a, line, "InventoryID", "AALEGO500");
    set_num(a, line, "LineNbr", SV_INT, 1);
    set_num(a, line, "OrderQty", SV_DEC, 2000000);
    return d;
}

static struct sim_doc *customer(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    set_str(a, d, "CustomerID", "ABCSTUDIOS");
    set_str(a, d, "CustomerName", "ABC Studios");
    set_str(a, d, "Status", "Active");
    set_num(a, d, "CreditLimit", SV_DEC, 0);
    set_num(a, d, "BAccountID", SV_INT, 7001);
    struct sim_doc *c = set_obj(a, d, "MainContact");
    set_str(a, c, "Email", "info@abc.example");
    set_str(a, set_obj(a, c, "Address"), "City", "New York");
    return d;
}

static struct sim_doc *contact(struct es_arena *a)
{
    struct sim_doc *d = sim_doc_new(a);
    set_num(a, d, "ContactID", SV_INT, 100001);
    set_str(a, d, "LastName", "O'Brien");
    set_str(a, d, "Email", "ob@abc.example");
    sim_doc_set_bool(a, d, fuzz_name("Active"), 1);
    set_str(a, set_obj(a, d, "Address"), "City", "Boston");
    return d;
}

static struct sim_key key_str(const char *s)
{
    return (struct sim_key){.s = s, .n = strlen(s)};
}

/* Store the record, and a copy cut in half under another key and id. */
static void put_pair(int ent, struct sim_doc *d, struct sim_key k1, struct sim_key k2,
                     struct sim_key k1_damaged)
{
    static const char *const ids[][2] = {
        {"5f1c2a3b-0000-4000-8000-000000000001", "5f1c2a3b-0000-4000-8000-000000000002"},
        {"5f1c2a3b-0000-4000-8000-000000000003", "5f1c2a3b-0000-4000-8000-000000000004"},
        {"5f1c2a3b-0000-4000-8000-000000000005", "5f1c2a3b-0000-4000-8000-000000000006"},
    };
    struct es_buf blob;
    struct es_err err = {0};
    es_buf_init(&blob, 0);
    sim_doc_encode(&blob, d);
    struct sim_row row = {.ent = entity_names[ent], .id = ids[ent][0], .k1 = k1, .k2 = k2,
                          .created = 1690000000000, .modified = 1700000100000,
                          .body = blob.data, .body_n = blob.len};
    if (sim_store_put(g.store, &row, &err))
        fuzz_fail("storing a sample %s: %s", row.ent, err.msg);
    row.id = ids[ent][1];
    row.k1 = k1_damaged;
    row.body_n = blob.len / 2;
    if (sim_store_put(g.store, &row, &err))
        fuzz_fail("storing a damaged %s: %s", row.ent, err.msg);
    g.stored[ent] = 2;
    es_buf_dispose(&blob);
}

static void fill_store(void)
{
    struct es_err err = {0};
    if (sim_store_open(&g.store, NULL, &err))
        fuzz_fail("opening an in-memory store: %s", err.msg);
    put_pair(0, sales_order(&g.arena), key_str("SO"), key_str("000123"), key_str("SX"));
    put_pair(1, customer(&g.arena), key_str("ABCSTUDIOS"), (struct sim_key){0}, key_str("DAMAGED"));
    put_pair(2, contact(&g.arena), (struct sim_key){.is_int = 1, .i = 100001}, (struct sim_key){0},
             (struct sim_key){.is_int = 1, .i = 100002});
    es_arena_reset(&g.arena);
}

/* ---- inquiry rows ---- */

/* The most negative integer the input layer (input.c) lets each wrapper
 * type hold; LongValue takes the full 64 bits, written as a string. */
static int64_t extreme_int(int wt)
{
    switch (wt) {
    case WT_SHORT: return INT16_MIN;
    case WT_BYTE: return UINT8_MAX;
    case WT_INT: return INT32_MIN;
    default: return INT64_MIN;
    }
}

static void sample_value(struct sim_val *v, int wt, int row)
{
    memset(v, 0, sizeof(*v));
    if (row == ROW_EMPTY)
        return; /* SV_NULL */
    int ext = row == ROW_EXTREME;
    switch (wt) {
    case WT_STRING:
    case WT_GUID:
        v->t = SV_STR;
        v->u.s = ext ? "" : "ABC Studios";
        v->n = (uint32_t)strlen(v->u.s);
        break;
    case WT_BOOL: v->t = ext ? SV_FALSE : SV_TRUE; break;
    case WT_DECIMAL:
    case WT_DOUBLE:
        /* sim_parse_decimal's largest magnitude. */
        v->t = SV_DEC;
        v->u.i = ext ? -9223372036849999999LL : 1234500000;
        break;
    case WT_DATETIME:
        v->t = SV_DT;
        v->u.i = ext ? 253402300799999LL : 1700000000000LL; /* 9999-12-31T23:59:59.999Z */
        break;
    default:
        v->t = SV_INT;
        v->u.i = ext ? extreme_int(wt) : 3;
        break;
    }
}

static void fill_rows(void)
{
    if (sim_ngis > MAX_GIS)
        fuzz_fail("more generic inquiries (%d) than rows kept", sim_ngis);
    for (int i = 0; i < sim_ngis; i++) {
        if (sim_gis[i].ncols > MAX_GI_COLS)
            fuzz_fail("inquiry %s has more than %d columns", sim_gis[i].name, MAX_GI_COLS);
        for (int r = 0; r < NROWS; r++)
            for (int c = 0; c < sim_gis[i].ncols; c++)
                sample_value(&g.rows[i][r][c], sim_gis[i].cols[c].wt, r);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_env_init();
    es_arena_init(&g.arena, 0);
    for (size_t i = 0; i < NENTS; i++)
        g.ents[i] = fuzz_entity(entity_names[i]);
    fill_store();
    fill_rows();
    return 0;
}

/* ---- one input ---- */

/* Whether the current input is well-formed UTF-8: only then must the
 * messages quoting it be (they end up in JSON responses). */
static int input_utf8;

static void expect_message(const struct es_err *err, int rc, const char *what)
{
    if (rc != ES_EINVAL || !err->msg[0])
        fuzz_fail("%s failed with %d and message '%s' (want ES_EINVAL and a message)", what, rc,
                  err->msg);
    if (input_utf8 && !fuzz_utf8_valid(err->msg, strlen(err->msg)))
        fuzz_fail("%s: the message for a UTF-8 filter is not UTF-8: %s", what, err->msg);
}

/* The compiler numbers parameters as it appends them: ?1, ?2... in text
 * order, one per parameter, and nothing else may look like a placeholder
 * (filter text is never copied into the SQL). */
static void check_placeholders(const struct sim_sqlq *q)
{
    const char *s = q->sql.data;
    size_t want = 1;
    for (size_t i = 0; i < q->sql.len; i++) {
        if (s[i] == '\'') {
            while (++i < q->sql.len && s[i] != '\'')
                ;
            continue;
        }
        if (s[i] != '?')
            continue;
        size_t n = 0;
        while (i + 1 < q->sql.len && isdigit((unsigned char)s[i + 1]))
            n = n * 10 + (size_t)(s[++i] - '0');
        if (n != want++)
            fuzz_fail("placeholder ?%zu where ?%zu was due in: %s", n, want - 1, s);
    }
    if (want - 1 != q->nparams)
        fuzz_fail("%zu placeholders for %zu parameters in: %s", want - 1, q->nparams, s);
}

static void compile_and_run(int ent, const struct sim_fnode *tree)
{
    struct sim_sqlq q;
    struct es_err err = {0};
    sim_sqlq_init(&q);
    int rc = sim_filter_sql(&q, &g.arena, g.ents[ent], tree, &err);
    if (rc) {
        expect_message(&err, rc, "sim_filter_sql");
    } else {
        if (!q.sql.len)
            fuzz_fail("sim_filter_sql succeeded with no SQL");
        check_placeholders(&q);
        int64_t n = sim_store_count(g.store, entity_names[ent], &q, &err);
        if (n < 0 || n > g.stored[ent])
            fuzz_fail("%s: the store refused the compiled filter (%lld): %s\nSQL: %s",
                      entity_names[ent], (long long)n, err.msg, q.sql.data);
    }
    sim_sqlq_dispose(&q);
}

struct row_ctx {
    const struct sim_gi *gi;
    const struct sim_val *vals; /* NULL while checking */
};

/* As the OData handler looks up a column (odata.c). */
static int lookup(void *ctx, const char *name, struct sim_val *out, int *wt)
{
    const struct row_ctx *r = ctx;
    int i = sim_gi_col(r->gi, name, strlen(name));
    if (i < 0)
        return -1;
    if (r->vals)
        *out = r->vals[i];
    *wt = r->gi->cols[i].wt;
    return 0;
}

static void check_and_eval(int gi, const struct sim_fnode *tree)
{
    struct row_ctx ctx = {&sim_gis[gi], NULL};
    struct es_err err = {0};
    int rc = sim_filter_check(tree, lookup, &ctx, &err);
    if (rc) {
        expect_message(&err, rc, "sim_filter_check");
        return;
    }
    /* Only a tree that passed the check is evaluated, as in odata.c. */
    for (int r = 0; r < NROWS; r++) {
        ctx.vals = g.rows[gi][r];
        int m = sim_filter_eval(tree, lookup, &ctx);
        if (m != 0 && m != 1)
            fuzz_fail("sim_filter_eval returned %d on inquiry %s", m, sim_gis[gi].name);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A NUL-terminated copy: a %00 in the query string ends the text there,
     * and the copy's exact size lets ASan catch reads past the end. */
    const char *text = es_arena_strndup(&g.arena, (const char *)data, size);
    input_utf8 = fuzz_utf8_valid(text, strlen(text));
    struct sim_fnode *tree = NULL;
    struct es_err err = {0};
    int rc = sim_filter_parse(&tree, &g.arena, text, &err);
    if (rc) {
        expect_message(&err, rc, "sim_filter_parse");
    } else {
        if (!tree)
            fuzz_fail("sim_filter_parse succeeded without a tree");
        for (size_t i = 0; i < NENTS; i++)
            compile_and_run((int)i, tree);
        for (int i = 0; i < sim_ngis; i++)
            check_and_eval(i, tree);
    }
    es_arena_reset(&g.arena);
    return 0;
}
