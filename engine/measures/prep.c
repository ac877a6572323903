/*
 * Preparation: as-of, the report period and its window, and the dataset read
 * once into per-row arrays with every join resolved.
 *
 * Joins go through string pools, never through per-row hashing of strings:
 *  - owners and campaigns: one keyspace each, into which the users' and
 *    campaigns' own ids are interned first, so key -> row is an array;
 *  - lead_id of touches, activities and opportunities: lp_table_translate_codes
 *    maps each table's pool codes onto the leads pool once (one look-up per
 *    distinct string), then code -> lead row is an array.
 * Touches are grouped by lead with a counting sort (CSR offsets), and each
 * lead's small group is sorted on its own: O(n) plus the per-group sorts,
 * which scales to millions of rows. Activities are not grouped at all: the
 * SLA needs only each MQL's first activity after hand-off and a count, which
 * one pass folds in.
 *
 * Memory: the working state is kept small (measures_internal.h says how),
 * and the order of the steps keeps the temporaries as long as a string pool
 * (lead_of_code, the by-code maps) from living beside the touch arrays
 * longer than needed: the opportunities' leads are resolved first, and
 * lead_of_code is freed before the touches are grouped.
 */
#include "measures_internal.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALLOC(ptr, count)                                                        \
    do {                                                                         \
        (ptr) = lp_calloc((count) ? (count) : 1, sizeof(*(ptr)));               \
        if (!(ptr)) {                                                            \
            st = LP_ERR_NOMEM;                                                   \
            goto cleanup;                                                        \
        }                                                                        \
    } while (0)

#define CHECK(expr)                                                              \
    do {                                                                         \
        st = (expr);                                                             \
        if (st) goto cleanup;                                                    \
    } while (0)

static const lp_column *col_of(const lp_table *t, const char *name, lp_type type)
{
    if (!t) return NULL;
    const lp_column *c = lp_table_column(t, name);
    return c && c->type == type ? c : NULL;
}

static int64_t instant_at(const lp_column *c, size_t row)
{
    if (!c || row >= c->length || !lp_column_valid(c, row)) return NONE;
    return c->v.i64[row];
}

/* Raises *latest to the latest value of t.name, naming it in *out_what. */
static void take_max(int64_t *latest, const char **out_what, const lp_table *t,
                     const char *what, const char *name)
{
    const lp_column *c = col_of(t, name, LP_TYPE_INSTANT);
    if (!c) return;
    for (size_t i = 0; i < t->nrows; i++) {
        int64_t v = instant_at(c, i);
        if (v != NONE && v > *latest) {
            *latest = v;
            *out_what = what;
        }
    }
}

static bool in_list(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], s) == 0) return true;
    return false;
}

/* ---- As-of and the window ---- */

/* As-of and P. The latest record is the latest of the dates as-of is
 * taken from; future-dated rows never reach here (the loader sets them
 * aside, lp_load_options.now). A --period that ends after it is refused:
 * its end would lie beyond every table's data, so its figures would be
 * zeros that look like a real, empty period. */
static lp_status choose_period(mctx *m, const lp_measures_options *opt)
{
    const lp_dataset *ds = m->ds;
    int64_t latest = NONE;
    const char *latest_what = "";
    take_max(&latest, &latest_what, ds->tables[LP_LEADS], "leads.created_at", "created_at");
    take_max(&latest, &latest_what, ds->tables[LP_LEADS], "leads.mql_at", "mql_at");
    take_max(&latest, &latest_what, ds->tables[LP_LEADS], "leads.sql_at", "sql_at");
    take_max(&latest, &latest_what, ds->tables[LP_TOUCHES], "touches.touched_at", "touched_at");
    take_max(&latest, &latest_what, ds->tables[LP_ACTIVITIES], "activities.at", "at");
    take_max(&latest, &latest_what, ds->tables[LP_OPPORTUNITIES], "opportunities.created_at",
             "created_at");
    if (opt->has_as_of) {
        m->as_of = opt->as_of;
    } else {
        if (latest == NONE) {
            lp_errmsg_set(m->errmsg, "no dated records to take an as-of date from; "
                                     "give --as-of");
            return LP_ERR_INPUT;
        }
        m->as_of = latest;
    }
    lp_window win;
    if (lp_window_compute(&m->set->calendar, m->as_of, opt->period_label, &win) != LP_OK) {
        lp_errmsg_set(m->errmsg,
                      "period \"%s\" is not a period label (2026-W47, 2026-11, "
                      "2026-Q4, FY2027-Q2)", opt->period_label);
        return LP_ERR_USAGE;
    }
    if (opt->period_label && latest != NONE && win.bound[WINDOW] > latest) {
        int64_t y;
        int mo, d;
        lp_civil_from_days(lp_instant_local_date(latest), &y, &mo, &d);
        lp_errmsg_set(m->errmsg,
                      "period %s ends after the latest record in the exports "
                      "(%04lld-%02d-%02d, %s); give a period that ends by then, or "
                      "leave --period out for the last complete one",
                      opt->period_label, (long long)y, mo, d, latest_what);
        return LP_ERR_INPUT;
    }
    m->cal = win.cal;
    m->P = win.period;
    memcpy(m->bound, win.bound, sizeof m->bound);
    memcpy(m->labels, win.labels, sizeof m->labels);
    m->E = win.end;
    return LP_OK;
}

/* ---- Business hours ---- */

static int weekday_of(int64_t day) /* 0 = Monday; 1970-01-01 was a Thursday */
{
    int64_t r = (day + 3) % 7;
    return (int)(r < 0 ? r + 7 : r);
}

static void open_hours(const lp_business_hours *bh, int64_t day, int64_t *open,
                       int64_t *close)
{
    int wd = weekday_of(day);
    int64_t y;
    int mo, d;
    lp_civil_from_days(day, &y, &mo, &d);
    int s = bh->start_minute[wd], e = bh->end_minute[wd];
    *open = lp_local_to_instant(y, mo, d, s / 60, s % 60, 0);
    *close = e >= 1440 ? lp_local_to_instant(y, mo, d, 0, 0, 0) + 86400
                       : lp_local_to_instant(y, mo, d, e / 60, e % 60, 0);
}

static bool calendar_open_some_day(const lp_business_hours *bh)
{
    for (int i = 0; i < 7; i++)
        if (bh->end_minute[i] > bh->start_minute[i]) return true;
    return false;
}

/* Business seconds in [a, b). */
static int64_t business_between(const lp_business_hours *bh, int64_t a, int64_t b)
{
    if (b <= a) return 0;
    int64_t total = 0;
    int64_t last = lp_instant_local_date(b);
    for (int64_t day = lp_instant_local_date(a); day <= last; day++) {
        int wd = weekday_of(day);
        if (bh->end_minute[wd] <= bh->start_minute[wd]) continue;
        int64_t open, close;
        open_hours(bh, day, &open, &close);
        int64_t lo = a > open ? a : open, hi = b < close ? b : close;
        if (hi > lo) total += hi - lo;
    }
    return total;
}

/* The instant at which `secs` business seconds after a have passed. */
static int64_t business_add(const lp_business_hours *bh, int64_t a, int64_t secs)
{
    int64_t day = lp_instant_local_date(a);
    for (int guard = 0; guard < 3660; guard++, day++) {
        int wd = weekday_of(day);
        if (bh->end_minute[wd] <= bh->start_minute[wd]) continue;
        int64_t open, close;
        open_hours(bh, day, &open, &close);
        int64_t start = a > open ? a : open;
        if (start >= close) continue;
        if (close - start >= secs) return start + secs;
        secs -= close - start;
    }
    return a + secs;
}

/* ---- Sorting a lead's touches: touched_at, then touch_id, then export order ---- */

typedef struct touch_order {
    const int64_t *at;
    const lp_column *touch_id;
} touch_order;

static int touch_cmp(const void *pa, const void *pb, void *arg)
{
    const touch_order *o = arg;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    if (o->at[a] != o->at[b]) return o->at[a] < o->at[b] ? -1 : 1;
    if (o->touch_id) {
        const char *sa = lp_column_str(o->touch_id, (size_t)a);
        const char *sb = lp_column_str(o->touch_id, (size_t)b);
        if (sa && sb) {
            int c = strcmp(sa, sb);
            if (c) return c;
        } else if (sa || sb) {
            return sa ? -1 : 1; /* a touch with an id sorts before one without */
        }
    }
    return (a > b) - (a < b);
}

/* ---- Main preparation ---- */

/* Rows are held as int32 (and touch offsets as uint32) throughout. */
static lp_status check_row_limits(mctx *m)
{
    const lp_table *tables[] = {m->leads, m->camps, m->touches, m->opps, m->users};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (tables[i] && tables[i]->nrows > (size_t)INT32_MAX) {
            lp_errmsg_set(m->errmsg, "%s has %zu rows; measures take at most %d per table",
                          tables[i]->name, tables[i]->nrows, INT32_MAX);
            return LP_ERR_LIMIT;
        }
    }
    return LP_OK;
}

static lp_status prep_users(mctx *m)
{
    lp_status st = LP_OK;
    const lp_table *u = m->users;
    m->nu = u ? u->nrows : 0;
    ALLOC(m->u_team, m->nu);
    ALLOC(m->u_partner, m->nu);
    ALLOC(m->u_owner, m->nu);
    if (!u) return LP_OK;
    CHECK(lp_m_keyspace_map_column(&m->owners, col_of(u, "owner_id", LP_TYPE_STRING), m->nu,
                              false, m->u_owner));
    CHECK(lp_m_keyspace_map_column(&m->teams, col_of(u, "team", LP_TYPE_STRING), m->nu, false,
                              m->u_team));
    const lp_column *partner = col_of(u, "is_partner", LP_TYPE_BOOL);
    for (size_t i = 0; i < m->nu; i++)
        m->u_partner[i] = partner && lp_column_valid(partner, i) && partner->v.b[i];
cleanup:
    return st;
}

static lp_status prep_leads(mctx *m)
{
    lp_status st = LP_OK;
    const lp_table *l = m->leads;
    const lp_settings *set = m->set;
    size_t n = m->nl = l ? l->nrows : 0;
    int32_t *camp_key = NULL;
    uint8_t *source_class = NULL;
    int32_t *status_key = NULL;
    ALLOC(m->l_in, n);
    ALLOC(m->l_mql_ord, n);
    ALLOC(m->l_source, n);
    ALLOC(m->l_channel, n);
    ALLOC(m->l_owner, n);
    ALLOC(m->l_camp, n);
    ALLOC(m->l_segment, n);
    ALLOC(m->l_has_opp, n);
    ALLOC(m->l_won, n);
    if (!l) {
        ALLOC(m->mq_at, 1);
        return LP_OK;
    }

    const lp_column *created = col_of(l, "created_at", LP_TYPE_INSTANT);
    const lp_column *mql = col_of(l, "mql_at", LP_TYPE_INSTANT);
    const lp_column *sql = col_of(l, "sql_at", LP_TYPE_INSTANT);
    const lp_column *employees = lp_table_column(l, "employees");
    const lp_column *score = lp_table_column(l, "score");
    const lp_column *status = col_of(l, "status", LP_TYPE_STRING);
    m->has_mql = mql || (set->qualification == LP_QUALIFY_STATUS && status) ||
                 (set->qualification == LP_QUALIFY_SCORE && score);
    m->has_sql = sql != NULL;
    m->c_created = created;
    m->c_sql = sql;
    m->has_owner = col_of(l, "owner_id", LP_TYPE_STRING) != NULL;
    m->has_source = col_of(l, "source", LP_TYPE_STRING) != NULL;
    m->has_employees = employees && employees->type != LP_TYPE_STRING;

    CHECK(lp_m_keyspace_map_column(&m->sources, col_of(l, "source", LP_TYPE_STRING), n, true,
                              m->l_source));
    CHECK(lp_m_keyspace_map_column(&m->owners, col_of(l, "owner_id", LP_TYPE_STRING), n, false,
                              m->l_owner));
    CHECK(lp_m_keyspace_map_column(&m->campaign_keys, col_of(l, "campaign_id", LP_TYPE_STRING), n,
                              false, m->l_camp));
    if (set->qualification == LP_QUALIFY_STATUS && status) {
        keyspace statuses;
        CHECK(lp_m_keyspace_init(&statuses));
        ALLOC(status_key, n);
        st = lp_m_keyspace_map_column(&statuses, status, n, true, status_key);
        if (!st) {
            /* Reuse status_key as "qualifies" per row. */
            int32_t nk = lp_m_keyspace_count(&statuses);
            for (size_t i = 0; i < n; i++) {
                int32_t k = status_key[i];
                status_key[i] = k >= 0 && k < nk &&
                                in_list(set->qualify_statuses, set->n_qualify_statuses,
                                        lp_strpool_get(statuses.keys, k));
            }
        }
        lp_m_keyspace_clear(&statuses);
        if (st) goto cleanup;
    }

    /* Channel class of each distinct source. */
    int32_t nsrc = lp_m_keyspace_count(&m->sources);
    ALLOC(source_class, (size_t)nsrc);
    for (int32_t k = 0; k < nsrc; k++) {
        const char *s = lp_strpool_get(m->sources.keys, k);
        source_class[k] = in_list(set->inbound_sources, set->n_inbound_sources, s)
                              ? CH_INBOUND
                          : in_list(set->partner_sources, set->n_partner_sources, s)
                              ? CH_PARTNER
                              : CH_OUTBOUND;
    }

    size_t nmql = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t c = instant_at(created, i);
        m->l_in[i] = c != NONE && c <= m->as_of;
        int64_t q = instant_at(mql, i);
        if (q == NONE && c != NONE) {
            if (set->qualification == LP_QUALIFY_STATUS && status_key && status_key[i])
                q = c;
            else if (set->qualification == LP_QUALIFY_SCORE && score &&
                     lp_column_number(score, i) >= set->qualify_score)
                q = c;
        }
        bool is_mql = m->l_in[i] && q != NONE && q <= m->as_of;
        m->l_mql_ord[i] = is_mql ? 0 : -1; /* numbered below */
        nmql += is_mql;
        int32_t user = lead_user(m, i);
        bool partner_owner = user >= 0 && m->u_partner[user];
        int32_t sk = m->l_source[i];
        uint8_t cls = sk >= 0 ? source_class[sk] : CH_OUTBOUND;
        m->l_channel[i] = cls == CH_INBOUND ? CH_INBOUND
                          : (cls == CH_PARTNER || partner_owner) ? CH_PARTNER
                                                                 : CH_OUTBOUND;
        double e = m->has_employees ? lp_column_number(employees, i) : NAN;
        m->l_segment[i] = isnan(e) || e < 1 ? -1 : e < 50 ? 0 : e < 200 ? 1 : e < 1000 ? 2 : 3;
    }

    /* Number the MQLs and keep their hand-off instants. A lead counted
     * above took mql_at when set, else (by status or score) created_at. */
    m->nmql = nmql;
    ALLOC(m->mq_at, nmql);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (m->l_mql_ord[i] < 0) continue;
        int64_t q = instant_at(mql, i);
        m->mq_at[k] = q != NONE ? q : instant_at(created, i);
        m->l_mql_ord[i] = (int32_t)k++;
    }
cleanup:
    lp_free(camp_key);
    lp_free(source_class);
    lp_free(status_key);
    return st;
}

/* Row of the leads table for each code of table id's pool (-1 when none).
 * With its lead_id column given, only the codes that column uses are looked
 * up (touch ids, owners and the like share the pool); the others are -1.
 * The loader has most often looked them up already (lp_dataset.lead_codes). */
static lp_status lead_rows_by_code(const mctx *m, lp_table_id id, const lp_column *lead,
                                   const int32_t *lead_of_code, int32_t **out)
{
    const lp_table *from = m->ds->tables[id];
    const int32_t *known = lead ? m->ds->lead_codes[id] : NULL;
    int32_t n = lp_strpool_count(from->pool);
    int32_t *tr = NULL;
    if (known) {
        tr = lp_malloc((size_t)(n ? n : 1) * sizeof *tr);
        if (!tr) return LP_ERR_NOMEM;
        memcpy(tr, known, (size_t)n * sizeof *tr);
    } else {
        lp_status st = lead ? lp_column_translate_codes(lead, m->leads, &tr)
                            : lp_table_translate_codes(from, m->leads, &tr);
        if (st) return st;
    }
    for (int32_t c = 0; c < n; c++) tr[c] = tr[c] >= 0 ? lead_of_code[tr[c]] : -1;
    *out = tr;
    return LP_OK;
}

/* The lead of each opportunity (o_lead): its lead_id, else the lead whose
 * opportunity_id names it (first such lead in export order); -1 when none
 * or when that lead was created after as-of. Run before the touches so that
 * its temporaries, one of them as long as the leads' string pool, are gone
 * before the touch arrays exist. */
static lp_status opportunity_leads(mctx *m, const int32_t *lead_of_code)
{
    lp_status st = LP_OK;
    const lp_table *o = m->opps;
    int32_t *by_code = NULL, *lead_by_opp_code = NULL, *tr = NULL;
    size_t n = m->no = o ? o->nrows : 0;
    ALLOC(m->o_lead, n);
    for (size_t j = 0; j < n; j++) m->o_lead[j] = -1;
    if (!o || !m->leads) return LP_OK;
    const lp_column *lead = col_of(o, "lead_id", LP_TYPE_STRING);
    const lp_column *oid = col_of(o, "opportunity_id", LP_TYPE_STRING);
    const lp_column *lopp = col_of(m->leads, "opportunity_id", LP_TYPE_STRING);
    if (lead) CHECK(lead_rows_by_code(m, LP_OPPORTUNITIES, lead, lead_of_code, &by_code));
    if (lopp && oid) {
        int32_t ncodes = lp_strpool_count(o->pool);
        ALLOC(lead_by_opp_code, (size_t)ncodes);
        for (int32_t c = 0; c < ncodes; c++) lead_by_opp_code[c] = -1;
        CHECK(lp_column_translate_codes(lopp, o, &tr)); /* only opportunity ids */
        for (size_t i = 0; i < m->nl; i++) {
            if (!lp_column_valid(lopp, i)) continue;
            int32_t oc = tr[lopp->v.i32[i]];
            if (oc >= 0 && lead_by_opp_code[oc] < 0) lead_by_opp_code[oc] = (int32_t)i;
        }
    }
    for (size_t j = 0; j < n; j++) {
        int32_t lr = -1;
        if (by_code && lp_column_valid(lead, j)) lr = by_code[lead->v.i32[j]];
        if (lr < 0 && lead_by_opp_code && lp_column_valid(oid, j))
            lr = lead_by_opp_code[oid->v.i32[j]];
        m->o_lead[j] = lr >= 0 && m->l_in[lr] ? lr : -1;
    }
cleanup:
    lp_free(by_code);
    lp_free(lead_by_opp_code);
    lp_free(tr);
    return st;
}

/* Touches, first step: the campaign key of every touch row, the kept bit,
 * and the kept touches counted per lead in t_off[l + 1]. *out_by_code maps
 * the touches pool's codes to lead rows, for touch_groups (NULL when the
 * touches are synthetic or none can be kept). */
static lp_status touch_join(mctx *m, const int32_t *lead_of_code, int32_t **out_by_code)
{
    lp_status st = LP_OK;
    const lp_table *t = m->touches;
    int32_t *by_code = NULL;
    *out_by_code = NULL;
    ALLOC(m->t_off, m->nl + 1);
    if (!m->leads) {
        m->nt = 0;
        ALLOC(m->t_kept, 1);
        ALLOC(m->t_camp, 1);
        return LP_OK;
    }
    if (!t) {
        /* No touches exported: each lead's creating campaign (leads.campaign_id)
         * stands for one touch at its created_at, so attribution still works
         * for exports that carry only the original campaign. */
        m->synthetic_touches = true;
        size_t n = m->nt = m->nl;
        ALLOC(m->t_kept, (n + 7) / 8);
        ALLOC(m->t_camp, n);
        m->t_at = m->c_created ? m->c_created->v.i64 : NULL;
        for (size_t i = 0; i < n; i++) {
            m->t_camp[i] = m->l_camp[i];
            if (!m->l_in[i] || m->l_camp[i] < 0) continue;
            m->t_kept[i >> 3] |= (uint8_t)(1u << (i & 7));
            m->t_off[i + 1]++;
        }
        return LP_OK;
    }
    size_t n = m->nt = t->nrows;
    ALLOC(m->t_kept, (n + 7) / 8);
    ALLOC(m->t_camp, n);
    const lp_column *lead = col_of(t, "lead_id", LP_TYPE_STRING);
    const lp_column *at = col_of(t, "touched_at", LP_TYPE_INSTANT);
    m->t_at = at ? at->v.i64 : NULL;
    CHECK(lp_m_keyspace_map_column(&m->campaign_keys, col_of(t, "campaign_id", LP_TYPE_STRING), n,
                              false, m->t_camp));
    if (!lead || !at) return LP_OK; /* no touch can be kept */
    CHECK(lead_rows_by_code(m, LP_TOUCHES, lead, lead_of_code, &by_code));
    for (size_t i = 0; i < n; i++) {
        int32_t lr = lp_column_valid(lead, i) ? by_code[lead->v.i32[i]] : -1;
        int64_t ta = instant_at(at, i);
        if (lr < 0 || !m->l_in[lr] || m->t_camp[i] < 0 || ta == NONE || ta > m->as_of)
            continue;
        m->t_kept[i >> 3] |= (uint8_t)(1u << (i & 7));
        m->t_off[lr + 1]++;
    }
    *out_by_code = by_code;
    by_code = NULL;
cleanup:
    lp_free(by_code);
    return st;
}

/* Touches, second step: the kept rows grouped by lead in t_rows (CSR), each
 * lead's group sorted. t_off holds the counts from touch_join; it becomes
 * the starts, serves as the fill cursor (which leaves each entry at its
 * group's end) and is shifted back by one, so no cursor array is needed. */
static lp_status touch_groups(mctx *m, const int32_t *by_code)
{
    lp_status st = LP_OK;
    for (size_t l = 0; l < m->nl; l++) m->t_off[l + 1] += m->t_off[l];
    ALLOC(m->t_rows, m->t_off[m->nl]);
    const lp_column *lead =
        m->synthetic_touches ? NULL : col_of(m->touches, "lead_id", LP_TYPE_STRING);
    for (size_t i = 0; i < m->nt; i++) {
        if (!touch_kept(m, i)) continue;
        int32_t lr = m->synthetic_touches ? (int32_t)i : by_code[lead->v.i32[i]];
        m->t_rows[m->t_off[lr]++] = (int32_t)i;
    }
    memmove(m->t_off + 1, m->t_off, m->nl * sizeof(*m->t_off));
    m->t_off[0] = 0;
    if (m->synthetic_touches) return LP_OK; /* one touch per lead */
    touch_order order = {m->t_at, col_of(m->touches, "touch_id", LP_TYPE_STRING)};
    for (size_t l = 0; l < m->nl; l++) {
        size_t cnt = m->t_off[l + 1] - m->t_off[l];
        if (cnt > 1)
            qsort_r(m->t_rows + m->t_off[l], cnt, sizeof(int32_t), touch_cmp, &order);
    }
cleanup:
    return st;
}

static lp_status prep_opportunities(mctx *m)
{
    lp_status st = LP_OK;
    const lp_table *o = m->opps;
    uint8_t *source_class = NULL;
    size_t n = m->no;
    ALLOC(m->o_in, n);
    ALLOC(m->o_created, n);
    ALLOC(m->o_channel, n);
    ALLOC(m->o_amount, n);
    ALLOC(m->o_close, n);
    ALLOC(m->o_close_date, n);
    ALLOC(m->o_closed, n);
    ALLOC(m->o_won, n);
    ALLOC(m->o_source, n);
    ALLOC(m->o_own_camp, n);
    ALLOC(m->o_camp, n);
    ALLOC(m->o_stage, n);
    ALLOC(m->o_team, n);
    ALLOC(m->o_owner, n);
    if (!o) return LP_OK;

    const lp_column *created = col_of(o, "created_at", LP_TYPE_INSTANT);
    const lp_column *amount = lp_table_column(o, "amount");
    const lp_column *close = col_of(o, "close_date", LP_TYPE_DATE);
    const lp_column *is_won = col_of(o, "is_won", LP_TYPE_BOOL);
    const lp_column *is_closed = col_of(o, "is_closed", LP_TYPE_BOOL);
    m->has_amount = amount && amount->type != LP_TYPE_STRING;
    m->has_close = close != NULL;
    m->has_stage_outcome = true;
    CHECK(lp_m_keyspace_map_column(&m->sources, col_of(o, "source", LP_TYPE_STRING), n, true,
                              m->o_source));
    CHECK(lp_m_keyspace_map_column(&m->campaign_keys, col_of(o, "campaign_id", LP_TYPE_STRING), n,
                              false, m->o_own_camp));
    CHECK(lp_m_keyspace_map_column(&m->stages, col_of(o, "stage", LP_TYPE_STRING), n, false,
                              m->o_stage));
    /* o_team holds the owner key for now; resolved to a team below. */
    CHECK(lp_m_keyspace_map_column(&m->owners, col_of(o, "owner_id", LP_TYPE_STRING), n, false,
                              m->o_team));

    int32_t nsrc = lp_m_keyspace_count(&m->sources);
    ALLOC(source_class, (size_t)nsrc);
    for (int32_t k = 0; k < nsrc; k++) {
        const char *s = lp_strpool_get(m->sources.keys, k);
        source_class[k] =
            in_list(m->set->inbound_sources, m->set->n_inbound_sources, s) ? CH_INBOUND
            : in_list(m->set->partner_sources, m->set->n_partner_sources, s) ? CH_PARTNER
                                                                               : CH_OUTBOUND;
    }

    for (size_t j = 0; j < n; j++) {
        int64_t c = instant_at(created, j);
        m->o_created[j] = c;
        m->o_in[j] = c != NONE && c <= m->as_of;
        int32_t lr = m->o_lead[j];
        int32_t sk = m->o_source[j];
        m->o_channel[j] = lr >= 0 ? m->l_channel[lr] : sk >= 0 ? source_class[sk] : CH_OUTBOUND;
        if (lr >= 0 || sk >= 0) m->channel_known = true;
        double a = m->has_amount ? lp_column_number(amount, j) : NAN;
        m->o_amount[j] = isnan(a) ? 0 : a;
        if (close && lp_column_valid(close, j)) {
            m->o_close_date[j] = close->v.i32[j];
            m->o_close[j] = lp_date_to_instant(close->v.i32[j]);
        } else {
            m->o_close_date[j] = INT32_MIN;
            m->o_close[j] = NONE;
        }
        const char *stage = lp_m_keyspace_name(&m->stages, m->o_stage[j]);
        bool stage_won = stage && (!strcasecmp(stage, "won") || !strcasecmp(stage, "closed won") ||
                                   !strcasecmp(stage, "closedwon"));
        bool stage_lost = stage && (!strcasecmp(stage, "lost") || !strcasecmp(stage, "closed lost") ||
                                    !strcasecmp(stage, "closedlost"));
        bool won = is_won && lp_column_valid(is_won, j) ? is_won->v.b[j] : stage_won;
        bool closed = is_closed && lp_column_valid(is_closed, j) ? is_closed->v.b[j]
                                                                 : (won || stage_lost);
        m->o_won[j] = won;
        m->o_closed[j] = closed || won;
        int32_t ok = m->o_team[j];
        m->o_owner[j] = ok;
        int32_t user = ok >= 0 && ok < m->nowner_users ? m->owner_user[ok] : -1;
        m->o_team[j] = user >= 0 ? m->u_team[user] : lr >= 0 ? lead_team(m, (size_t)lr) : -1;
        m->o_camp[j] = m->o_own_camp[j] >= 0 ? m->o_own_camp[j] : lr >= 0 ? m->l_camp[lr] : -1;
        if (lr >= 0 && m->o_in[j]) {
            m->l_has_opp[lr] = 1;
            if (won) m->l_won[lr] = 1;
        }
    }
cleanup:
    lp_free(source_class);
    return st;
}

/* Activities, first step: the activities pool's codes mapped to lead rows
 * (*out_by_code, NULL when there is nothing to fold), and room for the
 * MQLs' first touch and follow-ups. */
static lp_status activity_join(mctx *m, const int32_t *lead_of_code, int32_t **out_by_code)
{
    lp_status st = LP_OK;
    const lp_table *a = m->acts;
    *out_by_code = NULL;
    ALLOC(m->mq_first, m->nmql);
    ALLOC(m->mq_followups, m->nmql);
    for (size_t k = 0; k < m->nmql; k++) m->mq_first[k] = NONE;
    if (!a || !m->leads || !col_of(a, "lead_id", LP_TYPE_STRING) ||
        !col_of(a, "at", LP_TYPE_INSTANT))
        return LP_OK;
    st = lead_rows_by_code(m, LP_ACTIVITIES, col_of(a, "lead_id", LP_TYPE_STRING), lead_of_code,
                           out_by_code);
cleanup:
    return st;
}

/* Activities, second step: first activity at or after hand-off and
 * follow-ups of every MQL lead, in one pass: a lead's first touch is the
 * least of its activity times at or after hand-off, and its follow-ups the
 * count in [hand-off, hand-off + follow-up window), so neither needs the
 * activities grouped or sorted. Activities after as-of are left out. */
static void fold_activities(mctx *m, const int32_t *by_code)
{
    if (!by_code) return;
    const lp_column *lead = col_of(m->acts, "lead_id", LP_TYPE_STRING);
    const lp_column *at = col_of(m->acts, "at", LP_TYPE_INSTANT);
    int64_t followup_span = (int64_t)(m->set->followup_days > 0 ? m->set->followup_days : 7) * 86400;
    for (size_t i = 0; i < m->acts->nrows; i++) {
        if (!lp_column_valid(lead, i) || !lp_column_valid(at, i)) continue;
        int32_t lr = by_code[lead->v.i32[i]];
        if (lr < 0 || m->l_mql_ord[lr] < 0) continue;
        int32_t q = m->l_mql_ord[lr];
        int64_t t = at->v.i64[i], handoff = m->mq_at[q];
        if (t > m->as_of || t < handoff) continue;
        if (m->mq_first[q] == NONE || t < m->mq_first[q]) m->mq_first[q] = t;
        if (t < handoff + followup_span) m->mq_followups[q]++;
    }
}

/* The activities on their own thread (lp_m_prep_run). `joined` is posted once
 * the thread no longer needs lead_of_code. */
#define ACTS_THREAD_MIN_ROWS ((size_t)1 << 16)

typedef struct acts_job {
    mctx *m;
    const int32_t *lead_of_code;
    sem_t joined;
    lp_status st;
} acts_job;

static void *acts_main(void *arg)
{
    acts_job *j = arg;
    int32_t *by_code = NULL;
    j->st = activity_join(j->m, j->lead_of_code, &by_code);
    sem_post(&j->joined);
    if (!j->st) fold_activities(j->m, by_code);
    lp_free(by_code);
    return NULL;
}

/* Deadline and hours of every MQL lead (first touch and follow-ups come
 * from fold_activities). With business hours on, the clock counts only open
 * hours of the calendar (in its own zone, set for the duration of this
 * step). */
static lp_status prep_sla(mctx *m)
{
    lp_status st = LP_OK;
    size_t n = m->nmql;
    ALLOC(m->mq_deadline, n);
    ALLOC(m->mq_hours, n);
    const lp_business_hours *bh = &m->set->business_hours;
    bool business = bh->enabled && calendar_open_some_day(bh);
    char saved_zone[64] = "";
    bool zone_switched = false;
    if (business && bh->time_zone[0] && strcmp(bh->time_zone, lp_tz_name()) != 0) {
        snprintf(saved_zone, sizeof saved_zone, "%s", lp_tz_name());
        if (lp_tz_set(bh->time_zone) == LP_OK) zone_switched = true;
    }
    int64_t threshold = (int64_t)llround(m->set->sla_hours * 3600.0);
    for (size_t q = 0; q < n; q++) {
        int64_t h = m->mq_at[q], first = m->mq_first[q];
        int64_t stop = first != NONE ? first : m->as_of;
        double hours;
        if (business) {
            m->mq_deadline[q] = business_add(bh, h, threshold);
            hours = (double)business_between(bh, h, stop) / 3600.0;
        } else {
            m->mq_deadline[q] = h + threshold;
            hours = (double)(stop - h) / 3600.0;
        }
        m->mq_hours[q] = hours < 0 ? 0 : hours;
    }
    if (zone_switched) lp_tz_set(saved_zone);
cleanup:
    return st;
}

lp_status lp_m_prep_run(mctx *m, const lp_measures_options *opt)
{
    lp_status st = LP_OK;
    int32_t *lead_of_code = NULL, *camp_ids = NULL, *touch_by_code = NULL;
    const lp_dataset *ds = m->ds;
    m->leads = ds->tables[LP_LEADS];
    m->camps = ds->tables[LP_CAMPAIGNS];
    m->touches = ds->tables[LP_TOUCHES];
    m->acts = ds->tables[LP_ACTIVITIES];
    m->opps = ds->tables[LP_OPPORTUNITIES];
    m->users = ds->tables[LP_USERS];
    m->targets = ds->tables[LP_TARGETS];
    CHECK(lp_m_keyspace_init(&m->sources));
    CHECK(lp_m_keyspace_init(&m->teams));
    CHECK(lp_m_keyspace_init(&m->owners));
    CHECK(lp_m_keyspace_init(&m->campaign_keys));
    CHECK(lp_m_keyspace_init(&m->stages));
    CHECK(check_row_limits(m));
    CHECK(choose_period(m, opt));

    /* Campaign ids of the campaigns table come first in the keyspace. */
    size_t ncamp = m->camps ? m->camps->nrows : 0;
    ALLOC(camp_ids, ncamp);
    if (m->camps)
        CHECK(lp_m_keyspace_map_column(&m->campaign_keys, col_of(m->camps, "campaign_id", LP_TYPE_STRING),
                                  ncamp, false, camp_ids));
    m->ncamp_rows = lp_m_keyspace_count(&m->campaign_keys);
    const lp_column *cost = m->camps ? lp_table_column(m->camps, "actual_cost") : NULL;
    m->has_cost = cost && cost->type != LP_TYPE_STRING;

    CHECK(prep_users(m));
    m->nowner_users = lp_m_keyspace_count(&m->owners);
    ALLOC(m->owner_user, (size_t)m->nowner_users);
    for (int32_t k = 0; k < m->nowner_users; k++) m->owner_user[k] = -1;
    for (size_t u = 0; u < m->nu; u++)
        if (m->u_owner[u] >= 0 && m->owner_user[m->u_owner[u]] < 0)
            m->owner_user[m->u_owner[u]] = (int32_t)u;

    CHECK(prep_leads(m));
    if (m->leads) {
        const lp_column *id = col_of(m->leads, "lead_id", LP_TYPE_STRING);
        int32_t ncodes = lp_strpool_count(m->leads->pool);
        ALLOC(lead_of_code, (size_t)ncodes);
        for (int32_t c = 0; c < ncodes; c++) lead_of_code[c] = -1;
        for (size_t i = 0; id && i < m->nl; i++)
            if (lp_column_valid(id, i) && lead_of_code[id->v.i32[i]] < 0)
                lead_of_code[id->v.i32[i]] = (int32_t)i;
    }
    CHECK(opportunity_leads(m, lead_of_code));

    /* The joins to the leads need lead_of_code (as long as the leads'
     * string pool); it is freed before the touches are grouped, where the
     * working set peaks. Activities need only the leads and write only
     * mq_first and mq_followups, which nothing before prep_sla reads: with
     * many rows they are prepared on a second thread beside the touches. */
    acts_job aj = {.m = m, .lead_of_code = lead_of_code, .st = LP_OK};
    pthread_t acts_thread;
    bool acts_threaded = false;
    if (m->acts && m->leads && m->acts->nrows >= ACTS_THREAD_MIN_ROWS &&
        sem_init(&aj.joined, 0, 0) == 0) {
        acts_threaded = pthread_create(&acts_thread, NULL, acts_main, &aj) == 0;
        if (!acts_threaded) sem_destroy(&aj.joined);
    }
    if (!acts_threaded) {
        int32_t *acts_by_code = NULL;
        st = activity_join(m, lead_of_code, &acts_by_code);
        if (!st) fold_activities(m, acts_by_code);
        lp_free(acts_by_code);
    }
    if (!st) st = touch_join(m, lead_of_code, &touch_by_code);
    if (acts_threaded) sem_wait(&aj.joined);
    lp_free(lead_of_code);
    lead_of_code = NULL;
    if (!st) st = touch_groups(m, touch_by_code);
    lp_free(touch_by_code);
    touch_by_code = NULL;
    if (!st) {
        /* A lead's creating campaign: leads.campaign_id, else its earliest touch. */
        for (size_t i = 0; i < m->nl; i++)
            if (m->l_camp[i] < 0 && m->t_off[i + 1] > m->t_off[i])
                m->l_camp[i] = m->t_camp[m->t_rows[m->t_off[i]]];
        st = prep_opportunities(m);
    }
    if (acts_threaded) {
        pthread_join(acts_thread, NULL);
        sem_destroy(&aj.joined);
        if (!st) st = aj.st;
    }
    if (st) goto cleanup;
    CHECK(prep_sla(m));

    int32_t nkeys = lp_m_keyspace_count(&m->campaign_keys);
    ALLOC(m->camp_row, (size_t)nkeys);
    for (int32_t k = 0; k < nkeys; k++) m->camp_row[k] = -1;
    for (size_t r = 0; r < ncamp; r++)
        if (camp_ids[r] >= 0 && m->camp_row[camp_ids[r]] < 0) m->camp_row[camp_ids[r]] = (int32_t)r;
cleanup:
    lp_free(lead_of_code);
    lp_free(touch_by_code);
    lp_free(camp_ids);
    return st;
}

void lp_m_prep_free(mctx *m)
{
    void *arrays[] = {
        m->l_in, m->l_mql_ord, m->l_source, m->l_channel, m->l_owner, m->l_camp, m->l_segment,
        m->l_has_opp, m->l_won, m->mq_at, m->mq_first, m->mq_deadline, m->mq_hours,
        m->mq_followups, m->t_off, m->t_rows, m->t_kept, m->t_camp, m->o_in, m->o_created,
        m->o_lead, m->o_channel, m->o_amount, m->o_close, m->o_close_date, m->o_closed, m->o_won,
        m->o_source, m->o_own_camp, m->o_camp, m->o_stage, m->o_team, m->o_owner, m->u_team,
        m->u_partner,
        m->u_owner, m->owner_user, m->camp_row,
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) lp_free(arrays[i]);
    lp_m_keyspace_clear(&m->sources);
    lp_m_keyspace_clear(&m->teams);
    lp_m_keyspace_clear(&m->owners);
    lp_m_keyspace_clear(&m->campaign_keys);
    lp_m_keyspace_clear(&m->stages);
}
