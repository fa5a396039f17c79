/* The data generator. Records are built as documents and written straight
 * into the store in large transactions (no validation: the data is made
 * consistent by construction). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc.h"
#include "erpsync/mem.h"
#include "erpsync/timeutil.h"
#include "gen.h"
#include "names.h"
#include "sim.h"

static const char *const count_names[GEN_NCOUNTS] = {
    "customers", "stock-items", "services", "vendors", "projects", "orders",
    "lines-per-order", "quotes", "purchase-orders", "service-orders", "years",
};

const char *sim_gen_count_name(int i)
{
    return i >= 0 && i < GEN_NCOUNTS ? count_names[i] : NULL;
}

struct dataset {
    const char *name;
    long counts[GEN_NCOUNTS];
};

static const struct dataset datasets[] = {
    {"tiny", {20, 15, 5, 5, 5, 40, 3, 10, 10, 10, 3}},
    {"small", {500, 200, 20, 40, 30, 2000, 4, 300, 200, 150, 3}},
    {"medium", {10000, 2000, 50, 200, 200, 25000, 4, 2500, 2000, 1500, 3}},
    {"large", {100000, 10000, 100, 1000, 1000, 250000, 4, 20000, 10000, 10000, 3}},
    {"none", {0}},
};

/* ---- generator state ---- */

struct g {
    struct sim *s;
    struct es_arena a;
    struct es_buf buf;
    uint64_t rng;
    long n[GEN_NCOUNTS];
    int64_t now, start, mass1, mass2;
    long written;
    long nlines;
    int64_t ninvoices, npayments, nshipments, ncontacts, nlocations, nappointments, nar;
    uint64_t seqid, seqbase;
    struct es_err *err;
    int failed;
};

static uint64_t rnd(struct g *g)
{
    /* splitmix64 */
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static long rint_(struct g *g, long lo, long hi)
{
    return lo + (long)(rnd(g) % (uint64_t)(hi - lo + 1));
}

static int chance(struct g *g, int percent)
{
    return (long)(rnd(g) % 100) < percent;
}

#define PICK(g, arr) (arr[rnd(g) % (sizeof(arr) / sizeof(arr[0]))])

/* Record ids are sequential, as Acumatica's NoteIDs are (and as an index
 * likes them); the other ids are random. */
static void seq_guid(struct g *g, char out[37])
{
    uint64_t b = rnd(g);
    snprintf(out, 37, "%08llx-%04x-4%03x-%04x-%012llx", (unsigned long long)(++g->seqid),
             (unsigned)(g->seqbase >> 16) & 0xffff, (unsigned)g->seqbase & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffull));
}

static void guid(struct g *g, char out[37])
{
    uint64_t a = rnd(g), b = rnd(g);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffull));
}

/* Name ids, cached by the address of the literal naming them. */
static uint32_t nm(const char *name)
{
    static _Thread_local struct {
        const char *p;
        uint32_t id;
    } cache[2048];
    unsigned h = (unsigned)(((uintptr_t)name >> 3) & 2047);
    if (cache[h].p != name) {
        cache[h].p = name;
        cache[h].id = sim_name_find(name, strlen(name));
    }
    return cache[h].id;
}

static void S(struct g *g, struct sim_doc *d, const char *f, const char *v)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set_str(&g->a, d, id, v);
}

static void I(struct g *g, struct sim_doc *d, const char *f, int64_t v)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set_int(&g->a, d, id, SV_INT, v);
}

static void D(struct g *g, struct sim_doc *d, const char *f, int64_t micros)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set_int(&g->a, d, id, SV_DEC, micros);
}

static void T(struct g *g, struct sim_doc *d, const char *f, int64_t ms)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set_int(&g->a, d, id, SV_DT, ms);
}

static void B(struct g *g, struct sim_doc *d, const char *f, int v)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set_bool(&g->a, d, id, v);
}

static void Z(struct g *g, struct sim_doc *d, const char *f)
{
    uint32_t id = nm(f);
    if (id)
        sim_doc_set(&g->a, d, id)->t = SV_NULL;
}

static struct sim_doc *child(struct g *g, struct sim_doc *d, const char *f)
{
    uint32_t id = nm(f);
    struct sim_val *v = sim_doc_set(&g->a, d, id ? id : 0);
    v->t = SV_OBJ;
    v->u.obj = sim_doc_new(&g->a);
    char gid[37];
    guid(g, gid);
    sim_doc_set_str(&g->a, v->u.obj, SIM_N_ID, gid);
    return v->u.obj;
}

static struct sim_doc *row(struct g *g, struct sim_doc *d, const char *f)
{
    struct sim_doc *r = sim_doc_push(&g->a, d, nm(f));
    char gid[37];
    guid(g, gid);
    sim_doc_set_str(&g->a, r, SIM_N_ID, gid);
    return r;
}

static int64_t money(long cents)
{
    return (int64_t)cents * (SIM_DEC_SCALE / 100);
}

static int64_t qty(long units)
{
    return (int64_t)units * SIM_DEC_SCALE;
}

/* Midnight of the day of t, in the API user's zone. */
static int64_t day_of(int64_t t)
{
    struct es_civil c;
    es_ms_to_civil(&c, t + (int64_t)es_tz_offset_min(t) * 60000);
    c.hour = c.min = c.sec = c.ms = 0;
    return es_tz_local_to_ms(&c);
}

/* Round as SQL Server's datetime does (1/300 s). */
static int64_t sql_ms(int64_t t)
{
    return ((t * 3 + 5) / 10 * 10 + 1) / 3;
}

static int64_t later(struct g *g, int64_t t, long max_hours)
{
    int64_t v = t + (int64_t)rint_(g, 1, max_hours * 3600) * 1000 + rint_(g, 0, 999);
    return sql_ms(v < g->now ? v : g->now - rint_(g, 1000, 60000));
}

/* ---- writing ---- */

static void put(struct g *g, const char *ent, struct sim_doc *d, const char *k1, const char *k2,
                int64_t ik, int64_t created, int64_t modified)
{
    if (g->failed)
        return;
    char id[37];
    seq_guid(g, id);
    struct sim_row r = {.ent = ent, .id = id, .created = created, .modified = modified};
    if (k1) {
        r.k1.s = k1;
        r.k1.n = strlen(k1);
    } else {
        r.k1.is_int = 1;
        r.k1.i = ik;
    }
    if (k2) {
        r.k2.s = k2;
        r.k2.n = strlen(k2);
    }
    es_buf_reset(&g->buf);
    sim_doc_encode(&g->buf, d);
    r.body = g->buf.data;
    r.body_n = g->buf.len;
    if (sim_store_put(g->s->store, &r, g->err))
        g->failed = 1;
    if (++g->written % 20000 == 0) {
        sim_store_commit(g->s->store, NULL);
        sim_store_begin(g->s->store, NULL);
    }
    es_arena_reset(&g->a);
}

static void set_seq(struct g *g, const char *seq, int64_t last)
{
    if (sim_store_seq_set(g->s->store, seq, last, g->err))
        g->failed = 1;
}

/* ---- vocabulary ---- */

static const char *const first_names[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Ana", "Wei", "Mei", "Ahmed", "Fatima", "Olga", "Ivan", "Priya", "Arjun"};
static const char *const last_names[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker"};
static const char *const company_a[] = {
    "Northwind", "Blue Ridge", "Summit", "Pioneer", "Cascade", "Harbor", "Evergreen", "Granite",
    "Silver Lake", "Red Oak", "Prairie", "Coastal", "Metro", "Golden Gate", "Lakeside", "Frontier",
    "Riverside", "Highland", "Sunrise", "Iron Bridge"};
static const char *const company_b[] = {
    "Traders", "Supply", "Foods", "Hardware", "Builders", "Outfitters", "Electric", "Bakery",
    "Coffee Roasters", "Dental", "Logistics", "Motors", "Farms", "Printing", "Catering",
    "Plumbing", "Analytics", "Furniture"};
static const char *const company_c[] = {"Inc.", "LLC", "Co.", "Ltd.", "Group", "& Sons", "Corp."};
struct place {
    const char *city, *state, *zip;
};
static const struct place places[] = {
    {"Seattle", "WA", "98101"}, {"Kirkland", "WA", "98033"},   {"Portland", "OR", "97201"},
    {"Denver", "CO", "80202"},  {"Austin", "TX", "78701"},     {"Chicago", "IL", "60601"},
    {"Boston", "MA", "02108"},  {"New York", "NY", "10001"},   {"Atlanta", "GA", "30303"},
    {"Miami", "FL", "33101"},   {"Phoenix", "AZ", "85001"},    {"Columbus", "OH", "43004"},
    {"Nashville", "TN", "37201"}, {"San Diego", "CA", "92101"}, {"Raleigh", "NC", "27601"}};
static const char *const streets[] = {"Main St", "Oak Ave", "Lake Washington Blvd NE",
                                      "Pine St", "Maple Dr", "Market St", "2nd Ave",
                                      "Industrial Pkwy", "Commerce Way", "Elm St"};
static const char *const products[] = {
    "Espresso Machine", "Coffee Grinder", "Water Filter", "Stand Mixer", "Blender", "Toaster",
    "Kettle", "Burr Set", "Milk Frother", "Tamper", "Cleaning Tablets", "Descaler", "Carafe",
    "Portafilter", "Gasket Kit", "Pump Assembly", "Control Board", "Heating Element",
    "Pressure Gauge", "Drip Tray"};
static const char *const product_codes[] = {"ESP", "GRD", "FLT", "MIX", "BLN", "TST", "KTL",
                                            "BUR", "FRT", "TMP", "CLN", "DSC", "CRF", "PRT",
                                            "GSK", "PMP", "CTL", "HTR", "GAU", "DRP"};
static const char *const services[] = {"Installation", "Repair", "Maintenance Visit",
                                       "Calibration", "Training", "Inspection", "Consulting",
                                       "Cleaning Service", "Emergency Call-out", "Setup"};
static const char *const classes[] = {"DEFAULT", "WHOLESALE", "RETAIL", "INTL"};
static const char *const terms[] = {"30D", "30D", "60D", "COD", "15D"};
static const char *const price_classes[] = {"WHOLESALE", "RETAIL", "VIP", "EDUCATION",
                                            "GOVERNMENT", "PARTNER"};
static const char *const warehouses[] = {"MAIN", "WHOLESALE", "RETAIL"};

/* ---- contacts and addresses ---- */

static void address(struct g *g, struct sim_doc *d, int idx)
{
    const struct place *p = &places[(unsigned)idx % (sizeof(places) / sizeof(places[0]))];
    char line[64];
    snprintf(line, sizeof(line), "%ld %s", rint_(g, 1, 9999), PICK(g, streets));
    S(g, d, "AddressLine1", line);
    if (chance(g, 20)) {
        snprintf(line, sizeof(line), "Suite %ld", rint_(g, 100, 900));
        S(g, d, "AddressLine2", line);
    } else {
        Z(g, d, "AddressLine2");
    }
    S(g, d, "City", p->city);
    S(g, d, "State", p->state);
    S(g, d, "PostalCode", p->zip);
    S(g, d, "Country", "US");
}

static void person(struct g *g, struct sim_doc *d, const char *company, const char *domain,
                   int idx, char *display, size_t cap)
{
    const char *fn = PICK(g, first_names), *ln = PICK(g, last_names);
    char email[128], phone[32];
    snprintf(display, cap, "%s %s", fn, ln);
    snprintf(email, sizeof(email), "%c.%s%d@%s", fn[0] + 32 * (fn[0] < 'a'), ln, idx % 100,
             domain);
    for (char *p = email; *p && *p != '@'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    snprintf(phone, sizeof(phone), "+1 (%03ld) %03ld-%04ld", rint_(g, 201, 989),
             rint_(g, 200, 999), rint_(g, 0, 9999));
    S(g, d, "DisplayName", display);
    S(g, d, "FirstName", fn);
    S(g, d, "LastName", ln);
    if (company)
        S(g, d, "CompanyName", company);
    S(g, d, "Email", email);
    S(g, d, "Phone1", phone);
    S(g, d, "Phone1Type", "Business 1");
    Z(g, d, "Phone2");
    Z(g, d, "Fax");
    S(g, d, "JobTitle", chance(g, 50) ? "Purchasing Manager" : "Accounts Payable");
    Z(g, d, "Attention");
    Z(g, d, "WebSite");
}

static void linked_contact(struct g *g, struct sim_doc *cust, const char *field,
                           const char *company, const char *domain, int idx)
{
    struct sim_doc *c = child(g, cust, field);
    char display[96];
    person(g, c, company, domain, idx, display, sizeof(display));
    S(g, c, "Attention", display);
    address(g, child(g, c, "Address"), idx);
}

/* ---- master data ---- */

static void customer_id(char *out, size_t cap, long i)
{
    snprintf(out, cap, "C%09ld", i + 1);
}

static void company_name(struct g *g, char *out, size_t cap, char *domain, size_t dcap)
{
    const char *a = PICK(g, company_a), *b = PICK(g, company_b);
    snprintf(out, cap, "%s %s %s", a, b, PICK(g, company_c));
    size_t k = 0;
    for (const char *p = a; *p && k + 1 < dcap; p++)
        if (*p != ' ')
            domain[k++] = (char)(*p | 0x20);
    for (const char *p = b; *p && k + 1 < dcap; p++)
        if (*p != ' ')
            domain[k++] = (char)(*p | 0x20);
    snprintf(domain + k, dcap - k, ".example");
}

static int64_t stamp_between(struct g *g, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return sql_ms(lo);
    return sql_ms(lo + (int64_t)(rnd(g) % (uint64_t)(hi - lo)));
}

static void gen_contact(struct g *g, const char *cust, const char *company, const char *domain,
                        int64_t created, int64_t contact_id)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char display[96];
    I(g, d, "ContactID", contact_id);
    person(g, d, company, domain, (int)contact_id, display, sizeof(display));
    S(g, d, "BusinessAccount", cust);
    S(g, d, "Type", "Contact");
    S(g, d, "Status", chance(g, 95) ? "Active" : "Inactive");
    B(g, d, "Active", 1);
    S(g, d, "ContactClass", "DEFAULT");
    S(g, d, "ContactMethod", "Any");
    B(g, d, "DoNotCall", 0);
    B(g, d, "DoNotEmail", chance(g, 10));
    B(g, d, "DoNotFax", 0);
    B(g, d, "DoNotMail", 0);
    B(g, d, "NoMarketing", 0);
    B(g, d, "NoMassMail", 0);
    S(g, d, "FullName", company);
    address(g, child(g, d, "Address"), (int)contact_id);
    put(g, "Contact", d, NULL, NULL, contact_id, created, later(g, created, 24 * 200));
}

static void gen_location(struct g *g, const char *cust, const char *loc, const char *name,
                         int idx, int is_default, int64_t created)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    S(g, d, "Customer", cust);
    S(g, d, "LocationID", loc);
    S(g, d, "LocationName", name);
    B(g, d, "Active", 1);
    S(g, d, "Status", "Active");
    B(g, d, "Default", is_default);
    B(g, d, "AddressOverride", !is_default);
    B(g, d, "ContactOverride", 0);
    S(g, d, "ShipVia", chance(g, 50) ? "UPSGROUND" : "FEDEX2DAY");
    S(g, d, "TaxZone", "AVALARA");
    S(g, d, "Warehouse", PICK(g, warehouses));
    struct sim_doc *c = child(g, d, "LocationContact");
    char display[96];
    person(g, c, name, "example.com", idx, display, sizeof(display));
    address(g, child(g, c, "Address"), idx);
    put(g, "CustomerLocation", d, cust, loc, 0, created, later(g, created, 24 * 90));
}

static void gen_customer(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char id[16], name[128], domain[96];
    customer_id(id, sizeof(id), i);
    company_name(g, name, sizeof(name), domain, sizeof(domain));
    int64_t created = stamp_between(g, g->start - 365LL * 86400000, g->now - 86400000);
    int64_t modified = later(g, created, 24 * 365);
    if (i % 3 == 0 && g->mass1 > created)
        modified = g->mass1; /* the mass update: one timestamp for many */
    S(g, d, "CustomerID", id);
    S(g, d, "CustomerName", name);
    S(g, d, "CustomerClass", PICK(g, classes));
    int st = (int)rint_(g, 0, 99);
    S(g, d, "Status", st < 88 ? "Active" : st < 93 ? "On Hold" : st < 97 ? "Inactive" : "Credit Hold");
    S(g, d, "CurrencyID", "USD");
    S(g, d, "Terms", PICK(g, terms));
    D(g, d, "CreditLimit", money(rint_(g, 0, 50) * 100000));
    I(g, d, "BAccountID", 1000 + i);
    if (chance(g, 50))
        S(g, d, "PriceClassID", PICK(g, price_classes));
    else
        Z(g, d, "PriceClassID");
    if (i > 10 && chance(g, 10)) {
        char parent[16];
        customer_id(parent, sizeof(parent), rint_(g, 0, i - 1));
        S(g, d, "ParentRecord", parent);
    } else {
        Z(g, d, "ParentRecord");
    }
    char email[128];
    snprintf(email, sizeof(email), "ap@%s", domain);
    S(g, d, "Email", email);
    S(g, d, "ShipVia", chance(g, 60) ? "UPSGROUND" : "TRUCK");
    S(g, d, "TaxZone", "AVALARA");
    S(g, d, "StatementType", "Open Item");
    S(g, d, "ShippingRule", "Back Order Allowed");
    S(g, d, "LocationName", "Primary Location");
    S(g, d, "StatementCycleID", "EOM");
    S(g, d, "CustomerCategory", chance(g, 85) ? "Business" : "Individual");
    Z(g, d, "AccountRef");
    static const char *const flags[] = {"AutoApplyPayments", "EnableCurrencyOverride",
                                        "EnableRateOverride", "EnableWriteOffs",
                                        "BillingAddressOverride", "BillingContactOverride",
                                        "ShippingAddressOverride", "ShippingContactOverride",
                                        "IsGuestCustomer", "ResidentialDelivery",
                                        "SaturdayDelivery", "PrintInvoices", "SendInvoicesbyEmail"};
    for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
        B(g, d, flags[k], k == 12);
    I(g, d, "OrderPriority", 0);
    linked_contact(g, d, "MainContact", name, domain, (int)i);
    linked_contact(g, d, "BillingContact", name, domain, (int)i);
    linked_contact(g, d, "ShippingContact", name, domain, (int)i);
    int ncontacts = (int)rint_(g, 1, 3);
    int64_t first = 100000 + g->ncontacts + 1;
    I(g, d, "PrimaryContactID", first);
    for (int k = 0; k < ncontacts; k++) {
        struct sim_doc *r = row(g, d, "Contacts");
        I(g, r, "ContactID", first + k);
        T(g, r, "LastModifiedDateTime", modified);
    }
    put(g, "Customer", d, id, NULL, 0, created, modified);
    for (int k = 0; k < ncontacts; k++)
        gen_contact(g, id, name, domain, created, first + k);
    g->ncontacts += ncontacts;
    gen_location(g, id, "MAIN", "Primary Location", (int)i, 1, created);
    g->nlocations++;
    for (int k = 0, extra = (int)rint_(g, 0, 2); k < extra; k++) {
        char loc[16];
        snprintf(loc, sizeof(loc), "SHIP%02d", k + 1);
        gen_location(g, id, loc, k ? "Warehouse Dock" : "Branch Office", (int)i + k, 0, created);
        g->nlocations++;
    }
}

static void stock_id(char *out, size_t cap, long i)
{
    snprintf(out, cap, "%s%05ld", product_codes[i % 20], i + 1);
}

static long item_price_cents(long i)
{
    return 500 + (i * 7919) % 250000;
}

static void gen_stock_item(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char id[16], desc[96];
    stock_id(id, sizeof(id), i);
    snprintf(desc, sizeof(desc), "%s %s", products[i % 20], i % 3 ? "Pro" : "Standard");
    int64_t created = stamp_between(g, g->start - 400LL * 86400000, g->now - 86400000);
    int64_t modified = later(g, created, 24 * 300);
    if (i % 5 < 2 && g->mass2 > created)
        modified = g->mass2; /* a price update run */
    long price = item_price_cents(i);
    S(g, d, "InventoryID", id);
    S(g, d, "Description", desc);
    S(g, d, "ItemClass", i % 4 ? "EQUIPMENT" : "PARTS");
    S(g, d, "ItemStatus", i % 25 ? "Active" : "Inactive");
    S(g, d, "ItemType", i % 4 ? "Finished Good" : "Component Part");
    S(g, d, "BaseUOM", "EA");
    S(g, d, "SalesUOM", "EA");
    S(g, d, "PurchaseUOM", "EA");
    D(g, d, "DefaultPrice", money(price));
    D(g, d, "MSRP", money(price * 12 / 10));
    D(g, d, "LastCost", money(price * 6 / 10));
    D(g, d, "AverageCost", money(price * 6 / 10));
    S(g, d, "DefaultWarehouseID", "MAIN");
    S(g, d, "TaxCategory", "TAXABLE");
    S(g, d, "ValuationMethod", "Average");
    S(g, d, "PostingClass", "DEFAULT");
    S(g, d, "LotSerialClass", "NOTTRACKED");
    S(g, d, "WeightUOM", "LB");
    D(g, d, "DimensionWeight", qty(rint_(g, 1, 40)));
    B(g, d, "IsAKit", 0);
    Z(g, d, "ImageUrl");
    for (int w = 0; w < 2; w++) {
        struct sim_doc *r = row(g, d, "WarehouseDetails");
        S(g, r, "WarehouseID", warehouses[w]);
        D(g, r, "QtyOnHand", qty(rint_(g, 0, 500)));
        B(g, r, "IsDefault", w == 0);
        S(g, r, "Status", "Active");
    }
    put(g, "StockItem", d, id, NULL, 0, created, modified);
}

static void service_id(char *out, size_t cap, long i)
{
    snprintf(out, cap, "SVC%04ld", i + 1);
}

static void gen_service(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char id[16], desc[96];
    service_id(id, sizeof(id), i);
    snprintf(desc, sizeof(desc), "%s (%s)", services[i % 10], i % 2 ? "on site" : "remote");
    int64_t created = stamp_between(g, g->start - 400LL * 86400000, g->now - 86400000);
    S(g, d, "InventoryID", id);
    S(g, d, "Description", desc);
    S(g, d, "ItemClass", "SERVICES");
    S(g, d, "ItemStatus", "Active");
    S(g, d, "ItemType", i % 3 ? "Service" : "Labor");
    S(g, d, "BaseUnit", "HOUR");
    S(g, d, "SalesUnit", "HOUR");
    S(g, d, "PurchaseUnit", "HOUR");
    D(g, d, "DefaultPrice", money(7500 + (i % 8) * 2500));
    D(g, d, "CurrentCost", money(4000 + (i % 8) * 1000));
    B(g, d, "RequireShipment", 0);
    B(g, d, "RequireReceipt", 0);
    B(g, d, "IsKit", 0);
    S(g, d, "TaxCategory", "SERVICES");
    S(g, d, "PostingClass", "SERVICES");
    put(g, "NonStockItem", d, id, NULL, 0, created, later(g, created, 24 * 300));
}

static void gen_vendor(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char id[16], name[128], domain[96];
    snprintf(id, sizeof(id), "V%09ld", i + 1);
    company_name(g, name, sizeof(name), domain, sizeof(domain));
    int64_t created = stamp_between(g, g->start - 400LL * 86400000, g->now - 86400000);
    S(g, d, "VendorID", id);
    S(g, d, "VendorName", name);
    S(g, d, "LegalName", name);
    S(g, d, "VendorClass", i % 3 ? "DEFAULT" : "SERVICES");
    S(g, d, "Status", i % 17 ? "Active" : "On Hold");
    S(g, d, "Terms", "30D");
    S(g, d, "CurrencyID", "USD");
    S(g, d, "PaymentMethod", "CHECK");
    S(g, d, "CashAccount", "10200");
    linked_contact(g, d, "MainContact", name, domain, (int)i);
    put(g, "Vendor", d, id, NULL, 0, created, later(g, created, 24 * 200));
}

static void gen_price_classes(struct g *g)
{
    for (size_t i = 0; i < sizeof(price_classes) / sizeof(price_classes[0]); i++) {
        struct sim_doc *d = sim_doc_new(&g->a);
        char desc[64];
        snprintf(desc, sizeof(desc), "%c%s customers", price_classes[i][0],
                 price_classes[i] + 1);
        for (char *p = desc + 1; *p && *p != ' '; p++)
            *p = (char)(*p | 0x20);
        S(g, d, "PriceClassID", price_classes[i]);
        S(g, d, "Description", desc);
        int64_t created = g->start - 500LL * 86400000;
        put(g, "CustomerPriceClass", d, price_classes[i], NULL, 0, created, later(g, created, 24));
    }
}

/* Released worksheets carrying the price-class and customer prices. */
static void gen_prices(struct g *g)
{
    long items = g->n[GEN_STOCK_ITEMS];
    long nws = 0, line = 0;
    struct sim_doc *d = NULL;
    int64_t eff = day_of(g->start);
    for (long k = 0; items > 0 && k < items * 3 / 2; k++) {
        if (!d || line == 500) {
            if (d) {
                char nbr[16];
                snprintf(nbr, sizeof(nbr), "%06ld", nws);
                put(g, "SalesPriceWorksheet", d, nbr, NULL, 0, eff, later(g, eff, 24 * 30));
            }
            d = sim_doc_new(&g->a);
            char nbr[16];
            snprintf(nbr, sizeof(nbr), "%06ld", ++nws);
            S(g, d, "ReferenceNbr", nbr);
            S(g, d, "Description", "Price list update");
            S(g, d, "Status", "Released");
            B(g, d, "Hold", 0);
            B(g, d, "OverwriteOverlappingPrices", 1);
            T(g, d, "EffectiveDate", eff);
            line = 0;
        }
        long item = (k * 7) % items;
        char iid[16], code[16];
        stock_id(iid, sizeof(iid), item);
        int by_class = k % 3 != 2 || g->n[GEN_CUSTOMERS] == 0;
        if (by_class)
            snprintf(code, sizeof(code), "%s", price_classes[k % 6]);
        else
            customer_id(code, sizeof(code), (k * 13) % g->n[GEN_CUSTOMERS]);
        struct sim_doc *r = row(g, d, "SalesPrices");
        I(g, r, "LineID", ++line);
        S(g, r, "PriceType", by_class ? "Customer Price Class" : "Customer");
        S(g, r, "PriceCode", code);
        S(g, r, "InventoryID", iid);
        S(g, r, "UOM", "EA");
        D(g, r, "BreakQty", 0);
        D(g, r, "PendingPrice", money(item_price_cents(item) * (85 + k % 10) / 100));
        D(g, r, "SourcePrice", money(item_price_cents(item)));
        S(g, r, "CurrencyID", "USD");
    }
    if (d) {
        char nbr[16];
        snprintf(nbr, sizeof(nbr), "%06ld", nws);
        put(g, "SalesPriceWorksheet", d, nbr, NULL, 0, eff, later(g, eff, 24 * 30));
    }
    set_seq(g, "SalesPriceWorksheet", nws);
}

static void gen_project(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char id[16], cust[16], desc[96];
    snprintf(id, sizeof(id), "PRJ%06ld", i + 1);
    if (g->n[GEN_CUSTOMERS])
        customer_id(cust, sizeof(cust), rint_(g, 0, g->n[GEN_CUSTOMERS] - 1));
    snprintf(desc, sizeof(desc), "%s rollout, phase %ld", PICK(g, company_a), i % 4 + 1);
    int64_t created = stamp_between(g, g->start, g->now - 86400000);
    S(g, d, "ProjectID", id);
    S(g, d, "Description", desc);
    if (g->n[GEN_CUSTOMERS])
        S(g, d, "Customer", cust);
    int age_days = (int)((g->now - created) / 86400000);
    S(g, d, "Status", age_days > 400 ? "Completed" : age_days > 30 ? "Active" : "In Planning");
    B(g, d, "Hold", 0);
    Z(g, d, "ProjectTemplateID");
    char ext[32];
    snprintf(ext, sizeof(ext), "EXT-%05ld", i + 1);
    S(g, d, "ExternalRefNbr", ext);
    D(g, d, "Income", money(rint_(g, 1000, 500000) * 100));
    D(g, d, "Expenses", money(rint_(g, 1000, 300000) * 100));
    D(g, d, "Assets", 0);
    D(g, d, "Liabilities", 0);
    struct sim_doc *p = child(g, d, "ProjectProperties");
    T(g, p, "StartDate", day_of(created));
    T(g, p, "EndDate", day_of(created + 180LL * 86400000));
    S(g, p, "ProjectManager", PICK(g, last_names));
    put(g, "Project", d, id, NULL, 0, created, later(g, created, 24 * 120));
}

/* ---- transactions ---- */

struct line {
    long item;
    int service;
    long qty, price; /* units, cents */
};

static int pick_lines(struct g *g, struct line *out, int max)
{
    long avg = g->n[GEN_LINES] > 0 ? g->n[GEN_LINES] : 1;
    int n = (int)rint_(g, 1, 2 * avg - 1);
    if (n > max)
        n = max;
    for (int k = 0; k < n; k++) {
        out[k].service = g->n[GEN_SERVICES] > 0 && chance(g, 8);
        long pool = out[k].service ? g->n[GEN_SERVICES] : g->n[GEN_STOCK_ITEMS];
        if (pool <= 0) {
            out[k].service = !out[k].service;
            pool = out[k].service ? g->n[GEN_SERVICES] : g->n[GEN_STOCK_ITEMS];
        }
        out[k].item = rint_(g, 0, pool - 1);
        out[k].qty = out[k].service ? rint_(g, 1, 8) : rint_(g, 1, 20);
        out[k].price = out[k].service ? 7500 + (out[k].item % 8) * 2500
                                      : item_price_cents(out[k].item);
    }
    return n;
}

static void item_code(const struct line *l, char *out, size_t cap)
{
    if (l->service)
        service_id(out, cap, l->item);
    else
        stock_id(out, cap, l->item);
}

static long lines_total(const struct line *l, int n)
{
    long t = 0;
    for (int k = 0; k < n; k++)
        t += l[k].qty * l[k].price;
    return t;
}

static void order_lines(struct g *g, struct sim_doc *d, const struct line *l, int n, int shipped,
                        int64_t date)
{
    char iid[16];
    for (int k = 0; k < n; k++) {
        struct sim_doc *r = row(g, d, "Details");
        item_code(&l[k], iid, sizeof(iid));
        I(g, r, "LineNbr", k + 1);
        S(g, r, "InventoryID", iid);
        S(g, r, "LineDescription", l[k].service ? services[l[k].item % 10]
                                                 : products[l[k].item % 20]);
        D(g, r, "OrderQty", qty(l[k].qty));
        D(g, r, "QtyOnShipments", shipped ? qty(l[k].qty) : 0);
        D(g, r, "OpenQty", shipped ? 0 : qty(l[k].qty));
        S(g, r, "UOM", l[k].service ? "HOUR" : "EA");
        D(g, r, "UnitPrice", money(l[k].price));
        D(g, r, "ExtendedPrice", money(l[k].qty * l[k].price));
        D(g, r, "Amount", money(l[k].qty * l[k].price));
        D(g, r, "DiscountPercent", 0);
        D(g, r, "DiscountAmount", 0);
        S(g, r, "WarehouseID", "MAIN");
        S(g, r, "LineType", l[k].service ? "Non-Inventory Goods" : "Goods for Inventory");
        S(g, r, "Operation", "Issue");
        B(g, r, "Completed", shipped);
        T(g, r, "RequestedOn", date);
        T(g, r, "ShipOn", date);
    }
}

static void gen_payment(struct g *g, const char *cust, const char *inv, long cents, int64_t when)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char nbr[16], ref[24];
    snprintf(nbr, sizeof(nbr), "%06lld", (long long)++g->npayments);
    snprintf(ref, sizeof(ref), "CHK%06lld", (long long)g->npayments);
    S(g, d, "Type", "Payment");
    S(g, d, "ReferenceNbr", nbr);
    S(g, d, "CustomerID", cust);
    S(g, d, "CustomerLocationID", "MAIN");
    S(g, d, "PaymentMethod", "CHECK");
    S(g, d, "CashAccount", "10200");
    D(g, d, "PaymentAmount", money(cents));
    S(g, d, "PaymentRef", ref);
    T(g, d, "ApplicationDate", day_of(when));
    S(g, d, "Status", "Closed");
    B(g, d, "Hold", 0);
    S(g, d, "CurrencyID", "USD");
    D(g, d, "AppliedToDocuments", money(cents));
    D(g, d, "AppliedToOrders", 0);
    D(g, d, "AvailableBalance", 0);
    S(g, d, "Description", "Payment received");
    struct sim_doc *r = row(g, d, "DocumentsToApply");
    S(g, r, "DocType", "Invoice");
    S(g, r, "ReferenceNbr", inv);
    D(g, r, "AmountPaid", money(cents));
    D(g, r, "CashDiscountTaken", 0);
    r = row(g, d, "ApplicationHistory");
    S(g, r, "DisplayDocType", "Invoice");
    S(g, r, "DisplayRefNbr", inv);
    D(g, r, "AmountPaid", money(cents));
    put(g, "Payment", d, "Payment", nbr, 0, when, when);
}

/* Shipment, invoice and maybe a payment for a shipped order. */
static void fulfil(struct g *g, struct sim_doc *order, const char *cust, const char *otype,
                   const char *onbr, const struct line *l, int n, int64_t date, int64_t *modified)
{
    char shnbr[16], invnbr[16], iid[16];
    snprintf(shnbr, sizeof(shnbr), "%06lld", (long long)++g->nshipments);
    snprintf(invnbr, sizeof(invnbr), "INV%06lld", (long long)++g->ninvoices);
    int64_t shipped = later(g, date, 24 * 10);
    int64_t invoiced = later(g, shipped, 24 * 3);
    long total = lines_total(l, n);
    int paid = chance(g, 75) && invoiced + 86400000LL * 20 < g->now;
    int64_t paid_at = paid ? later(g, invoiced, 24 * 40) : 0;
    long units = 0;
    for (int k = 0; k < n; k++)
        units += l[k].qty;
    struct sim_doc *ref = row(g, order, "Shipments");
    S(g, ref, "ShipmentNbr", shnbr);
    S(g, ref, "ShipmentType", "Shipment");
    S(g, ref, "Status", "Completed");
    T(g, ref, "ShipmentDate", day_of(shipped));
    D(g, ref, "ShippedQty", qty(units));
    S(g, ref, "InvoiceType", "Invoice");
    S(g, ref, "InvoiceNbr", invnbr);
    /* The order is written by the caller; build shipment and invoice next. */
    struct es_arena keep = g->a;
    es_arena_init(&g->a, 64 * 1024);
    struct sim_doc *sh = sim_doc_new(&g->a);
    S(g, sh, "ShipmentNbr", shnbr);
    S(g, sh, "Type", "Shipment");
    S(g, sh, "Status", "Completed");
    B(g, sh, "Hold", 0);
    S(g, sh, "CustomerID", cust);
    S(g, sh, "LocationID", "MAIN");
    S(g, sh, "WarehouseID", "MAIN");
    T(g, sh, "ShipmentDate", day_of(shipped));
    D(g, sh, "ShippedQty", qty(units));
    D(g, sh, "ShippedWeight", qty(units * 2));
    I(g, sh, "PackageCount", 1);
    S(g, sh, "ShipVia", "UPSGROUND");
    D(g, sh, "FreightPrice", 0);
    for (int k = 0; k < n; k++) {
        struct sim_doc *r = row(g, sh, "Details");
        item_code(&l[k], iid, sizeof(iid));
        I(g, r, "LineNbr", k + 1);
        S(g, r, "OrderType", otype);
        S(g, r, "OrderNbr", onbr);
        I(g, r, "OrderLineNbr", k + 1);
        S(g, r, "InventoryID", iid);
        D(g, r, "ShippedQty", qty(l[k].qty));
        D(g, r, "OrderedQty", qty(l[k].qty));
        S(g, r, "UOM", l[k].service ? "HOUR" : "EA");
        S(g, r, "WarehouseID", "MAIN");
    }
    struct sim_doc *o = row(g, sh, "Orders");
    S(g, o, "OrderType", otype);
    S(g, o, "OrderNbr", onbr);
    S(g, o, "InvoiceType", "Invoice");
    S(g, o, "InvoiceNbr", invnbr);
    D(g, o, "ShippedQty", qty(units));
    struct sim_doc *pk = row(g, sh, "Packages");
    char track[32];
    snprintf(track, sizeof(track), "1Z%04lX%012llX", (long)(rnd(g) & 0xffff),
             (unsigned long long)(rnd(g) & 0xffffffffffffull));
    I(g, pk, "LineNbr", 1);
    S(g, pk, "BoxID", "LARGE");
    S(g, pk, "TrackingNbr", track);
    D(g, pk, "Weight", qty(units * 2));
    B(g, pk, "Confirmed", 1);
    put(g, "Shipment", sh, shnbr, NULL, 0, shipped, invoiced);

    struct sim_doc *inv = sim_doc_new(&g->a);
    S(g, inv, "Type", "Invoice");
    S(g, inv, "ReferenceNbr", invnbr);
    S(g, inv, "CustomerID", cust);
    T(g, inv, "Date", day_of(invoiced));
    T(g, inv, "DueDate", day_of(invoiced) + 30LL * 86400000);
    S(g, inv, "Status", paid ? "Closed" : "Open");
    B(g, inv, "Hold", 0);
    D(g, inv, "Amount", money(total));
    D(g, inv, "Balance", paid ? 0 : money(total));
    D(g, inv, "DetailTotal", money(total));
    D(g, inv, "TaxTotal", 0);
    D(g, inv, "DiscountTotal", 0);
    D(g, inv, "PaymentTotal", paid ? money(total) : 0);
    D(g, inv, "FreightPrice", 0);
    S(g, inv, "Currency", "USD");
    S(g, inv, "Project", "X");
    const char *co = sim_doc_str(order, nm("CustomerOrder"), NULL) ? "from order" : NULL;
    (void)co;
    for (int k = 0; k < n; k++) {
        struct sim_doc *r = row(g, inv, "Details");
        item_code(&l[k], iid, sizeof(iid));
        I(g, r, "LineNbr", k + 1);
        S(g, r, "InventoryID", iid);
        S(g, r, "TransactionDescr", l[k].service ? services[l[k].item % 10]
                                                  : products[l[k].item % 20]);
        D(g, r, "Qty", qty(l[k].qty));
        D(g, r, "UnitPrice", money(l[k].price));
        D(g, r, "Amount", money(l[k].qty * l[k].price));
        S(g, r, "OrderType", otype);
        S(g, r, "OrderNbr", onbr);
        I(g, r, "OrderLineNbr", k + 1);
        S(g, r, "ShipmentNbr", shnbr);
        S(g, r, "UOM", l[k].service ? "HOUR" : "EA");
        S(g, r, "WarehouseID", "MAIN");
    }
    put(g, "SalesInvoice", inv, "Invoice", invnbr, 0, invoiced, paid ? paid_at : invoiced);
    if (paid)
        gen_payment(g, cust, invnbr, total, paid_at);
    es_arena_dispose(&g->a);
    g->a = keep;
    *modified = paid ? paid_at : invoiced;
}

static const char *order_status(struct g *g, int64_t date, int *ship, int quote)
{
    long age = (long)((g->now - date) / 86400000);
    int r = (int)rint_(g, 0, 99);
    *ship = 0;
    if (quote)
        return age > 90 ? (r < 50 ? "Completed" : "Cancelled") : r < 80 ? "Open" : "On Hold";
    if (age > 45) {
        if (r < 5)
            return "Cancelled";
        *ship = 1;
        return "Completed";
    }
    if (age > 10) {
        if (r < 60) {
            *ship = 1;
            return "Completed";
        }
        return r < 75 ? "Back Order" : r < 85 ? "Shipping" : "Open";
    }
    return r < 40 ? "Open" : r < 70 ? "On Hold" : r < 90 ? "Shipping" : "Credit Hold";
}

static void gen_order(struct g *g, long i, int quote)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    const char *otype = quote ? "QT" : "SO";
    char nbr[16], cust[16];
    snprintf(nbr, sizeof(nbr), "%06ld", i + 1);
    customer_id(cust, sizeof(cust), rint_(g, 0, g->n[GEN_CUSTOMERS] - 1));
    int64_t when = stamp_between(g, g->start, g->now - 3600000);
    int64_t date = day_of(when);
    struct line l[64];
    int n = pick_lines(g, l, 64);
    int ship;
    const char *status = order_status(g, when, &ship, quote);
    long total = lines_total(l, n), units = 0;
    for (int k = 0; k < n; k++)
        units += l[k].qty;
    S(g, d, "OrderType", otype);
    S(g, d, "OrderNbr", nbr);
    S(g, d, "CustomerID", cust);
    S(g, d, "LocationID", "MAIN");
    T(g, d, "Date", date);
    T(g, d, "RequestedOn", date + 86400000LL * rint_(g, 0, 14));
    T(g, d, "EffectiveDate", date);
    S(g, d, "Status", status);
    B(g, d, "Hold", !strcmp(status, "On Hold"));
    B(g, d, "Approved", 1);
    B(g, d, "CreditHold", !strcmp(status, "Credit Hold"));
    S(g, d, "CurrencyID", "USD");
    S(g, d, "BaseCurrencyID", "USD");
    D(g, d, "CurrencyRate", qty(1));
    D(g, d, "ReciprocalRate", qty(1));
    D(g, d, "OrderTotal", money(total));
    D(g, d, "OrderedQty", qty(units));
    D(g, d, "TaxTotal", 0);
    D(g, d, "ControlTotal", 0);
    S(g, d, "ShipVia", chance(g, 60) ? "UPSGROUND" : "TRUCK");
    S(g, d, "Project", "X");
    S(g, d, "PaymentMethod", "CHECK");
    if (chance(g, 60)) {
        char po[24];
        snprintf(po, sizeof(po), "%s-%ld", quote ? "RFQ" : "PO", 40000 + i * 3);
        S(g, d, "CustomerOrder", po);
    } else {
        Z(g, d, "CustomerOrder");
    }
    Z(g, d, "ExternalRef");
    S(g, d, "Description", quote ? "Quote requested by phone" : "Web order");
    B(g, d, "BillToAddressOverride", 0);
    B(g, d, "ShipToAddressOverride", 0);
    B(g, d, "BillToContactOverride", 0);
    B(g, d, "ShipToContactOverride", 0);
    order_lines(g, d, l, n, ship, date);
    int64_t modified = later(g, when, 24 * 2);
    if (ship)
        fulfil(g, d, cust, otype, nbr, l, n, when, &modified);
    g->nlines += n;
    put(g, "SalesOrder", d, otype, nbr, 0, when, modified);
}

static void gen_purchase_order(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char nbr[16], vendor[16], ref[24], iid[16];
    snprintf(nbr, sizeof(nbr), "PO%06ld", i + 1);
    snprintf(vendor, sizeof(vendor), "V%09ld", rint_(g, 1, g->n[GEN_VENDORS]));
    snprintf(ref, sizeof(ref), "VR-%06ld", 10000 + i);
    int64_t when = stamp_between(g, g->start, g->now - 3600000);
    long age = (long)((g->now - when) / 86400000);
    S(g, d, "Type", "Normal");
    S(g, d, "OrderNbr", nbr);
    S(g, d, "VendorID", vendor);
    S(g, d, "Location", "MAIN");
    T(g, d, "Date", day_of(when));
    T(g, d, "PromisedOn", day_of(when) + 14LL * 86400000);
    S(g, d, "Status", age > 30 ? "Closed" : age > 5 ? "Open" : "On Hold");
    B(g, d, "Hold", age <= 5);
    S(g, d, "VendorRef", ref);
    S(g, d, "CurrencyID", "USD");
    S(g, d, "Description", "Replenishment");
    S(g, d, "Terms", "30D");
    long total = 0;
    int n = (int)rint_(g, 1, 6);
    for (int k = 0; k < n && g->n[GEN_STOCK_ITEMS] > 0; k++) {
        long item = rint_(g, 0, g->n[GEN_STOCK_ITEMS] - 1), q = rint_(g, 5, 100);
        long cost = item_price_cents(item) * 6 / 10;
        struct sim_doc *r = row(g, d, "Details");
        stock_id(iid, sizeof(iid), item);
        I(g, r, "LineNbr", k + 1);
        S(g, r, "InventoryID", iid);
        S(g, r, "LineDescription", products[item % 20]);
        S(g, r, "LineType", "Goods for Inventory");
        D(g, r, "OrderQty", qty(q));
        D(g, r, "UnitCost", money(cost));
        D(g, r, "ExtendedCost", money(cost * q));
        S(g, r, "UOM", "EA");
        S(g, r, "WarehouseID", "MAIN");
        T(g, r, "Promised", day_of(when) + 14LL * 86400000);
        B(g, r, "Completed", age > 30);
        B(g, r, "Cancelled", 0);
        total += cost * q;
    }
    D(g, d, "LineTotal", money(total));
    D(g, d, "OrderTotal", money(total));
    D(g, d, "TaxTotal", 0);
    put(g, "PurchaseOrder", d, "Normal", nbr, 0, when, later(g, when, 24 * 20));
}

static void gen_ar_invoice(struct g *g, const char *cust, const struct line *l, int n,
                           int64_t when)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char nbr[16], iid[16];
    snprintf(nbr, sizeof(nbr), "AR%06lld", (long long)++g->nar);
    long total = lines_total(l, n);
    int paid = chance(g, 60);
    S(g, d, "Type", "Invoice");
    S(g, d, "ReferenceNbr", nbr);
    S(g, d, "Customer", cust);
    T(g, d, "Date", day_of(when));
    T(g, d, "DueDate", day_of(when) + 30LL * 86400000);
    S(g, d, "Status", paid ? "Closed" : "Open");
    B(g, d, "Hold", 0);
    D(g, d, "Amount", money(total));
    D(g, d, "Balance", paid ? 0 : money(total));
    D(g, d, "TaxTotal", 0);
    S(g, d, "Terms", "30D");
    S(g, d, "Project", "X");
    S(g, d, "Description", "Field service");
    for (int k = 0; k < n; k++) {
        struct sim_doc *r = row(g, d, "Details");
        item_code(&l[k], iid, sizeof(iid));
        I(g, r, "LineNbr", k + 1);
        S(g, r, "InventoryID", iid);
        S(g, r, "TransactionDescription", services[l[k].item % 10]);
        D(g, r, "Qty", qty(l[k].qty));
        D(g, r, "UnitPrice", money(l[k].price));
        D(g, r, "ExtendedPrice", money(l[k].qty * l[k].price));
        D(g, r, "Amount", money(l[k].qty * l[k].price));
        S(g, r, "UOM", "HOUR");
    }
    put(g, "Invoice", d, "Invoice", nbr, 0, when, later(g, when, 24 * 30));
}

static void gen_appointment(struct g *g, const char *so, const char *cust, int k,
                            const char *status, int64_t start, const struct line *l, int n)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char nbr[24], iid[16];
    snprintf(nbr, sizeof(nbr), "%s-%d", so, k);
    S(g, d, "ServiceOrderType", "MRO");
    S(g, d, "AppointmentNbr", nbr);
    S(g, d, "ServiceOrderNbr", so);
    S(g, d, "Customer", cust);
    S(g, d, "Location", "MAIN");
    S(g, d, "Status", status);
    S(g, d, "Description", "On-site visit");
    T(g, d, "ScheduledStartDate", start);
    T(g, d, "ScheduledEndDate", start + 2LL * 3600000);
    B(g, d, "Confirmed", 1);
    B(g, d, "Finished", !strcmp(status, "Completed") || !strcmp(status, "Closed"));
    B(g, d, "Hold", 0);
    D(g, d, "AppointmentTotal", money(lines_total(l, n)));
    for (int i = 0; i < n; i++) {
        struct sim_doc *r = row(g, d, "Details");
        item_code(&l[i], iid, sizeof(iid));
        I(g, r, "LineNbr", i + 1);
        S(g, r, "LineType", "Service");
        S(g, r, "InventoryID", iid);
        D(g, r, "EstimatedQty", qty(l[i].qty));
        D(g, r, "ActualQty", qty(l[i].qty));
        D(g, r, "UnitPrice", money(l[i].price));
        D(g, r, "EstimatedAmount", money(l[i].qty * l[i].price));
    }
    g->nappointments++;
    put(g, "Appointment", d, "MRO", nbr, 0, start - 86400000LL * 3, later(g, start, 24 * 2));
}

static void gen_service_order(struct g *g, long i)
{
    struct sim_doc *d = sim_doc_new(&g->a);
    char nbr[16], cust[16], iid[16], ext[24];
    snprintf(nbr, sizeof(nbr), "%06ld", i + 1);
    customer_id(cust, sizeof(cust), rint_(g, 0, g->n[GEN_CUSTOMERS] - 1));
    snprintf(ext, sizeof(ext), "WO-%06ld", 500 + i);
    int64_t when = stamp_between(g, g->start, g->now - 3600000);
    long age = (long)((g->now - when) / 86400000);
    const char *status = age > 60 ? "Closed" : age > 14 ? "Completed" : "Open";
    struct line l[8];
    int n = (int)rint_(g, 1, 3);
    for (int k = 0; k < n; k++) {
        l[k].service = 1;
        l[k].item = rint_(g, 0, g->n[GEN_SERVICES] - 1);
        l[k].qty = rint_(g, 1, 6);
        l[k].price = 7500 + (l[k].item % 8) * 2500;
    }
    S(g, d, "ServiceOrderType", "MRO");
    S(g, d, "ServiceOrderNbr", nbr);
    S(g, d, "Customer", cust);
    S(g, d, "Location", "MAIN");
    T(g, d, "Date", day_of(when));
    S(g, d, "Status", status);
    S(g, d, "WorkflowStage", status);
    B(g, d, "Hold", 0);
    S(g, d, "Description", services[i % 10]);
    S(g, d, "Priority", i % 5 ? "Medium" : "High");
    S(g, d, "Severity", i % 7 ? "Medium" : "High");
    S(g, d, "ExternalReference", ext);
    S(g, d, "Currency", "USD");
    S(g, d, "BranchLocation", "MAIN");
    D(g, d, "ServiceOrderTotal", money(lines_total(l, n)));
    D(g, d, "BillableTotal", money(lines_total(l, n)));
    D(g, d, "TaxTotal", 0);
    for (int k = 0; k < n; k++) {
        struct sim_doc *r = row(g, d, "Details");
        item_code(&l[k], iid, sizeof(iid));
        I(g, r, "LineNbr", k + 1);
        S(g, r, "LineType", "Service");
        S(g, r, "InventoryID", iid);
        S(g, r, "Description", services[l[k].item % 10]);
        D(g, r, "EstimatedQty", qty(l[k].qty));
        D(g, r, "UnitPrice", money(l[k].price));
        D(g, r, "EstimatedAmount", money(l[k].qty * l[k].price));
        B(g, r, "Billable", 1);
    }
    int nap = (int)rint_(g, 1, 2);
    const char *ast = age > 14 ? "Completed" : age > 2 ? "In Process" : "Not Started";
    for (int k = 1; k <= nap; k++) {
        struct sim_doc *r = row(g, d, "Appointments");
        char an[24];
        snprintf(an, sizeof(an), "%s-%d", nbr, k);
        S(g, r, "AppointmentNbr", an);
        S(g, r, "ServiceOrderType", "MRO");
        S(g, r, "Status", ast);
        T(g, r, "ScheduledStartDate", day_of(when) + 86400000LL * k);
        B(g, r, "Confirmed", 1);
    }
    struct sim_doc *addr = child(g, d, "Address");
    address(g, addr, (int)i);
    put(g, "ServiceOrder", d, "MRO", nbr, 0, when, later(g, when, 24 * 20));
    for (int k = 1; k <= nap; k++)
        gen_appointment(g, nbr, cust, k, ast, day_of(when) + 86400000LL * k + 9 * 3600000LL, l,
                        n);
    char seq[40];
    snprintf(seq, sizeof(seq), "Appointment:%s", nbr);
    set_seq(g, seq, nap);
    if (age > 14)
        gen_ar_invoice(g, cust, l, n, when + 86400000LL * 15);
}

/* ---- driver ---- */

static const struct dataset *find_dataset(const char *name)
{
    for (size_t i = 0; i < sizeof(datasets) / sizeof(datasets[0]); i++)
        if (!strcmp(datasets[i].name, name))
            return &datasets[i];
    return NULL;
}

static void sequences(struct g *g)
{
    set_seq(g, "Customer", g->n[GEN_CUSTOMERS]);
    set_seq(g, "Vendor", g->n[GEN_VENDORS]);
    set_seq(g, "Contact", 100000 + g->ncontacts);
    set_seq(g, "SalesOrder:SO", g->n[GEN_ORDERS]);
    set_seq(g, "SalesOrder:QT", g->n[GEN_QUOTES]);
    set_seq(g, "Shipment", g->nshipments);
    set_seq(g, "SalesInvoice:Invoice", g->ninvoices);
    set_seq(g, "Payment:Payment", g->npayments);
    set_seq(g, "PurchaseOrder:Normal", g->n[GEN_PURCHASE_ORDERS]);
    set_seq(g, "ServiceOrder:MRO", g->n[GEN_SERVICE_ORDERS]);
    set_seq(g, "Invoice:Invoice", g->nar);
}

static void generate(struct g *g)
{
    gen_price_classes(g);
    for (long i = 0; i < g->n[GEN_CUSTOMERS] && !g->failed; i++)
        gen_customer(g, i);
    for (long i = 0; i < g->n[GEN_STOCK_ITEMS] && !g->failed; i++)
        gen_stock_item(g, i);
    for (long i = 0; i < g->n[GEN_SERVICES] && !g->failed; i++)
        gen_service(g, i);
    for (long i = 0; i < g->n[GEN_VENDORS] && !g->failed; i++)
        gen_vendor(g, i);
    for (long i = 0; i < g->n[GEN_PROJECTS] && !g->failed; i++)
        gen_project(g, i);
    gen_prices(g);
    int can_sell = g->n[GEN_CUSTOMERS] > 0 && g->n[GEN_STOCK_ITEMS] + g->n[GEN_SERVICES] > 0;
    for (long i = 0; can_sell && i < g->n[GEN_ORDERS] && !g->failed; i++)
        gen_order(g, i, 0);
    for (long i = 0; can_sell && i < g->n[GEN_QUOTES] && !g->failed; i++)
        gen_order(g, i, 1);
    for (long i = 0; g->n[GEN_VENDORS] > 0 && i < g->n[GEN_PURCHASE_ORDERS] && !g->failed; i++)
        gen_purchase_order(g, i);
    for (long i = 0; g->n[GEN_CUSTOMERS] && g->n[GEN_SERVICES] &&
                     i < g->n[GEN_SERVICE_ORDERS] && !g->failed;
         i++)
        gen_service_order(g, i);
    sequences(g);
}

int sim_gen_ensure(struct sim *s, struct es_err *err)
{
    char *done = sim_store_meta_get(s->store, "generated");
    if (done) {
        free(done);
        return 0;
    }
    const struct dataset *ds = find_dataset(s->cfg.dataset);
    if (!ds)
        return es_err_set(err, ES_EINVAL, "--dataset: '%s' is not tiny, small, medium, large or none",
                          s->cfg.dataset);
    struct g g = {.s = s, .err = err, .rng = s->cfg.seed * 0x2545F4914F6CDD1Dull + 1};
    for (int i = 0; i < GEN_NCOUNTS; i++)
        g.n[i] = s->cfg.counts[i] >= 0 ? s->cfg.counts[i] : ds->counts[i];
    if (g.n[GEN_YEARS] <= 0)
        g.n[GEN_YEARS] = 3;
    es_arena_init(&g.a, 64 * 1024);
    es_buf_init(&g.buf, 0);
    /* Anchored to the start of the (UTC) day, so the same seed gives the same
     * data all day long; the history ends there. */
    g.now = sim_clock_now(s) / 86400000 * 86400000;
    g.start = g.now - g.n[GEN_YEARS] * 365LL * 86400000;
    g.mass1 = sql_ms(day_of(g.now - 20LL * 86400000) + 3 * 3600000LL + 417);
    g.mass2 = sql_ms(day_of(g.now - 5LL * 86400000) + 2 * 3600000LL + 93);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    g.seqbase = rnd(&g);
    g.seqid = (uint64_t)(rnd(&g) & 0xffff) << 12;
    sim_store_lock(s->store);
    int rc = sim_store_bulk_begin(s->store, err);
    if (!rc)
        rc = sim_store_begin(s->store, err);
    if (!rc) {
        generate(&g);
        char meta[96];
        snprintf(meta, sizeof(meta), "%s seed=%llu", ds->name, (unsigned long long)s->cfg.seed);
        char summary[1024];
        snprintf(summary, sizeof(summary),
                 "{\"dataset\":\"%s\",\"seed\":%llu,\"customers\":%ld,\"contacts\":%lld,"
                 "\"locations\":%lld,\"stock_items\":%ld,\"services\":%ld,\"vendors\":%ld,"
                 "\"projects\":%ld,\"sales_orders\":%ld,\"sales_order_lines\":%ld,"
                 "\"quotes\":%ld,\"shipments\":%lld,\"invoices\":%lld,\"payments\":%lld,"
                 "\"purchase_orders\":%ld,\"service_orders\":%ld,\"appointments\":%lld,"
                 "\"records\":%ld}",
                 ds->name, (unsigned long long)s->cfg.seed, g.n[GEN_CUSTOMERS],
                 (long long)g.ncontacts, (long long)g.nlocations, g.n[GEN_STOCK_ITEMS],
                 g.n[GEN_SERVICES], g.n[GEN_VENDORS], g.n[GEN_PROJECTS], g.n[GEN_ORDERS],
                 g.nlines, g.n[GEN_QUOTES], (long long)g.nshipments, (long long)g.ninvoices,
                 (long long)g.npayments, g.n[GEN_PURCHASE_ORDERS], g.n[GEN_SERVICE_ORDERS],
                 (long long)g.nappointments, g.written);
        if (g.failed || sim_store_meta_set(s->store, "generated", meta, err) ||
            sim_store_meta_set(s->store, "generated_summary", summary, err)) {
            sim_store_rollback(s->store);
            rc = ES_EDB;
        } else {
            rc = sim_store_commit(s->store, err);
        }
    }
    if (sim_store_bulk_end(s->store, rc ? NULL : err) && !rc)
        rc = ES_EDB;
    sim_store_unlock(s->store);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && !s->cfg.quiet)
        fprintf(stderr,
                "acusim: generated dataset '%s' (seed %llu): %ld customers, %lld contacts, "
                "%ld stock items, %ld services, %ld vendors, %ld sales orders with %ld lines, "
                "%ld quotes, %lld shipments, %lld invoices, %lld payments, %ld purchase "
                "orders, %ld service orders, %lld appointments; %ld records in %.1f s\n",
                ds->name, (unsigned long long)s->cfg.seed, g.n[GEN_CUSTOMERS],
                (long long)g.ncontacts, g.n[GEN_STOCK_ITEMS], g.n[GEN_SERVICES],
                g.n[GEN_VENDORS], g.n[GEN_ORDERS], g.nlines, g.n[GEN_QUOTES],
                (long long)g.nshipments, (long long)g.ninvoices, (long long)g.npayments,
                g.n[GEN_PURCHASE_ORDERS], g.n[GEN_SERVICE_ORDERS], (long long)g.nappointments,
                g.written,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    es_arena_dispose(&g.a);
    es_buf_dispose(&g.buf);
    return rc;
}
