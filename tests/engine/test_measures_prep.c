/*
 * Measures preparation (engine/measures/prep.c) on small hand-built
 * datasets: which touches and activities count, the SLA figures folded from
 * activities in any order (on one thread and, with many rows, on two), the
 * stand-in touches when there is no touches export, and the row limit.
 *
 * Settings: ISO weeks, UTC, 24 h SLA, 3 follow-ups in 7 days, first touch.
 * P = 2026-W47 = Mon 16 Nov 00:00 .. Mon 23 Nov 00:00 (2026-01-01 is a
 * Thursday, so day 320 = 16 Nov is a Monday and ISO week 47 starts then);
 * as-of = 2026-11-25T00:00Z. Every expected value is worked out by hand in
 * the comment beside it.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lp/measures.h"
#include "lp/model.h"
#include "lp/time.h"

#define AS_OF "2026-11-25T00:00:00Z"
#define P "2026-W47"

static lp_settings settings(void)
{
    static char *inbound[] = {"web"};
    lp_settings s;
    memset(&s, 0, sizeof s);
    strcpy(s.time_zone, "UTC");
    s.calendar.kind = LP_PERIOD_WEEK;
    s.calendar.fiscal_start_month = 1;
    s.inbound_sources = inbound;
    s.n_inbound_sources = 1;
    s.qualification = LP_QUALIFY_NONE;
    s.sla_hours = 24;
    s.followup_activities = 3;
    s.followup_days = 7;
    s.attribution = LP_ATTR_FIRST_TOUCH;
    strcpy(s.currency, "USD");
    s.sla_target = 0.95;
    return s;
}

static int64_t at(const char *iso)
{
    int64_t t;
    cr_assert_eq(lp_instant_parse_iso(iso, &t), LP_OK, "bad instant %s", iso);
    return t;
}

static void put_str(lp_table *t, const char *col, const char *s)
{
    lp_column *c = lp_table_column(t, col);
    cr_assert(c, "no column %s", col);
    cr_assert_eq(s ? lp_column_append_string(c, s, strlen(s)) : lp_column_append_null(c), LP_OK);
}

static void put_at(lp_table *t, const char *col, const char *iso)
{
    lp_column *c = lp_table_column(t, col);
    cr_assert(c, "no column %s", col);
    cr_assert_eq(iso ? lp_column_append_int64(c, at(iso)) : lp_column_append_null(c), LP_OK);
}

static lp_table *new_table(lp_table_id id)
{
    lp_table *t = NULL;
    cr_assert_eq(lp_canon_table_new(id, &t), LP_OK);
    return t;
}

static void add_column(lp_table *t, const char *name, lp_type type)
{
    if (!lp_table_column(t, name)) cr_assert_eq(lp_table_add_column(t, name, type, NULL), LP_OK);
}

/* A lead: id, created_at, mql_at (NULL = none), campaign_id (NULL = none). */
static void add_lead(lp_table *l, const char *id, const char *created, const char *mql,
                     const char *campaign)
{
    put_str(l, "lead_id", id);
    put_at(l, "created_at", created);
    put_at(l, "mql_at", mql);
    put_str(l, "campaign_id", campaign);
}

static lp_table *leads_table(void)
{
    lp_table *l = new_table(LP_LEADS);
    add_column(l, "mql_at", LP_TYPE_INSTANT);
    add_column(l, "campaign_id", LP_TYPE_STRING);
    return l;
}

static lp_results *run(const lp_dataset *ds)
{
    lp_settings set = settings();
    lp_measures_options opt = {&set, true, at(AS_OF), P, false};
    lp_results *res = NULL;
    char err[LP_ERRMSG_SIZE];
    lp_status st = lp_measures_compute(ds, &opt, &res, err);
    cr_assert_eq(st, LP_OK, "compute: %s", err);
    return res;
}

static const lp_table *table(const lp_results *res, const char *name)
{
    const lp_table *t = lp_results_table(res, name);
    cr_assert(t, "no result table %s", name);
    return t;
}

/* Row whose string column col equals key, -1 when none. */
static long row_of(const lp_table *t, const char *col, const char *key)
{
    const lp_column *c = lp_table_column(t, col);
    cr_assert(c, "%s has no column %s", t->name, col);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *s = lp_column_str(c, r);
        if (s && strcmp(s, key) == 0) return (long)r;
    }
    return -1;
}

static double num(const lp_table *t, long row, const char *col)
{
    cr_assert(row >= 0, "%s: row not found", t->name);
    const lp_column *c = lp_table_column(t, col);
    cr_assert(c, "%s has no column %s", t->name, col);
    return lp_column_number(c, (size_t)row);
}

static bool is_null(const lp_table *t, long row, const char *col)
{
    cr_assert(row >= 0, "%s: row not found", t->name);
    return !lp_column_valid(lp_table_column(t, col), (size_t)row);
}

static double headline(const lp_results *res, const char *measure)
{
    const lp_table *h = table(res, "headline");
    const lp_column *m = lp_table_column(h, "measure"), *p = lp_table_column(h, "period");
    for (size_t r = 0; r < h->nrows; r++)
        if (!strcmp(lp_column_str(m, r), measure) && !strcmp(lp_column_str(p, r), P))
            return lp_column_number(lp_table_column(h, "value"), r);
    cr_assert_fail("no headline %s for %s", measure, P);
    return NAN;
}

#define EXPECT_NEAR(got, expected)                                                         \
    cr_expect(fabs((got) - (expected)) < 1e-9, "%s: expected %.10g, got %.10g", #got,      \
              (double)(expected), (double)(got))

/* ---- SLA from activities in any order ---- */

typedef struct acts_case {
    size_t padding; /* extra activity rows of an unknown lead and of a non-MQL lead */
} acts_case;

ParameterizedTestParameters(measures, prep_sla_from_unsorted_activities)
{
    /* 0: one thread; 70000: past the 65536 rows that move the activities
     * onto a second thread. */
    static acts_case cases[] = {{0}, {70000}};
    return cr_make_param_array(acts_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(acts_case *c, measures, prep_sla_from_unsorted_activities)
{
    /* A: MQL Mon 16 10:00. Activities in export order: 17th 12:00, 16th
     *    09:00 (before hand-off: not a touch), 16th 20:00, 24th 09:00 (past
     *    the follow-up window, which ends 23rd 10:00), 26th 00:00 (after
     *    as-of: left out), 23rd 09:59:59 (inside the window).
     *    First touch 16th 20:00 = 10 h, within 24 h; follow-ups in
     *    [16th 10:00, 23rd 10:00): 20:00, 17th 12:00, 23rd 09:59:59 = 3, met.
     * B: MQL Wed 18 00:00. Activities: 17th 23:59:59 (before), 18th 00:00
     *    (at hand-off, counts). First touch 0 h, within; 1 follow-up, not
     *    met; eligible for follow-up as 18th + 7 d = 25th 00:00 <= as-of.
     * C: MQL Fri 20 06:00. Only activity 25th 00:00:01, after as-of:
     *    untouched; deadline 21st 06:00 passed (not pending): a breach,
     *    hours late = 25th 00:00 - 21st 06:00 = 3 d 18 h = 90 h. Not yet
     *    eligible for follow-up (20th + 7 d = 27th > as-of).
     * D: created 16th, never an MQL: its activities count for nothing.
     * So in P: eligible 3, within 2 (A, B), untouched 1, pending 0;
     * follow-up compliance 1 of 2 (A of A, B) = 0.5. */
    lp_dataset *ds = lp_dataset_new();
    lp_table *l = leads_table();
    add_lead(l, "A", "2026-11-16T10:00:00Z", "2026-11-16T10:00:00Z", NULL);
    add_lead(l, "B", "2026-11-18T00:00:00Z", "2026-11-18T00:00:00Z", NULL);
    add_lead(l, "C", "2026-11-20T06:00:00Z", "2026-11-20T06:00:00Z", NULL);
    add_lead(l, "D", "2026-11-16T00:00:00Z", NULL, NULL);
    cr_assert_eq(lp_table_finish(l), LP_OK);
    lp_table *a = new_table(LP_ACTIVITIES);
    static const char *const rows[][2] = {
        {"A", "2026-11-17T12:00:00Z"}, {"C", "2026-11-25T00:00:01Z"},
        {"A", "2026-11-16T09:00:00Z"}, {"B", "2026-11-18T00:00:00Z"},
        {"A", "2026-11-16T20:00:00Z"}, {"A", "2026-11-24T09:00:00Z"},
        {"B", "2026-11-17T23:59:59Z"}, {"A", "2026-11-26T00:00:00Z"},
        {"A", "2026-11-23T09:59:59Z"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        put_str(a, "lead_id", rows[i][0]);
        put_at(a, "at", rows[i][1]);
    }
    for (size_t i = 0; i < c->padding; i++) {
        put_str(a, "lead_id", i % 2 ? "D" : "nobody");
        put_at(a, "at", "2026-11-16T12:00:00Z");
    }
    cr_assert_eq(lp_table_finish(a), LP_OK);
    ds->tables[LP_LEADS] = l;
    ds->tables[LP_ACTIVITIES] = a;

    lp_results *res = run(ds);
    EXPECT_NEAR(headline(res, "sla_eligible"), 3);
    EXPECT_NEAR(headline(res, "sla_within"), 2);
    EXPECT_NEAR(headline(res, "sla_untouched"), 1);
    EXPECT_NEAR(headline(res, "sla_pending"), 0);
    EXPECT_NEAR(headline(res, "followup_compliance"), 0.5);

    const lp_table *d = table(res, "detail_mqls");
    cr_expect_eq(d->nrows, 3);
    long ra = row_of(d, "lead_id", "A"), rb = row_of(d, "lead_id", "B");
    long rc = row_of(d, "lead_id", "C");
    EXPECT_NEAR(num(d, ra, "first_touch_at"), (double)at("2026-11-16T20:00:00Z"));
    EXPECT_NEAR(num(d, ra, "hours_to_first_touch"), 10);
    EXPECT_NEAR(num(d, ra, "within_sla"), 1);
    EXPECT_NEAR(num(d, rb, "first_touch_at"), (double)at("2026-11-18T00:00:00Z"));
    EXPECT_NEAR(num(d, rb, "hours_to_first_touch"), 0);
    EXPECT_NEAR(num(d, rb, "within_sla"), 1);
    cr_expect(is_null(d, rc, "first_touch_at"));
    cr_expect(is_null(d, rc, "hours_to_first_touch"));
    EXPECT_NEAR(num(d, rc, "within_sla"), 0);
    EXPECT_NEAR(num(d, rc, "pending"), 0);

    const lp_table *b = table(res, "breaches");
    cr_assert_eq(b->nrows, 1);
    EXPECT_NEAR(num(b, row_of(b, "lead_id", "C"), "hours_late"), 90);
    lp_results_free(res);
    lp_dataset_free(ds);
}

/* ---- Which touches count ---- */

Test(measures, prep_touches_left_out)
{
    /* L1 created Mon 16 08:00, MQL Tue 17 08:00, no campaign of its own;
     * L2 created 26th, after as-of. Touches in export order:
     *  t1 L1 c1 16th 09:00          kept
     *  t2 L1 c2 16th 07:00          kept (before creation still counts)
     *  t3 L1 -- 16th 10:00          no campaign: left out
     *  t4 L1 c3 26th 00:00          after as-of: left out
     *  t5 L2 c3 16th 09:00          lead created after as-of: left out
     *  t6 Lx c3 16th 09:00          unknown lead: left out
     *  t7 L1 c1 (no touched_at)     left out
     * L1's touches by time: t2 (c2), t1 (c1): its first touch is c2, which
     * takes its MQL under first touch and becomes its creating campaign.
     * Touches per campaign: c1 1, c2 1, c3 none (so c3 is not listed).
     * detail_touches keeps export order: t1 (c1) then t2 (c2). */
    lp_dataset *ds = lp_dataset_new();
    lp_table *l = leads_table();
    add_lead(l, "L1", "2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", NULL);
    add_lead(l, "L2", "2026-11-26T00:00:00Z", NULL, NULL);
    cr_assert_eq(lp_table_finish(l), LP_OK);
    lp_table *t = new_table(LP_TOUCHES);
    add_column(t, "touch_id", LP_TYPE_STRING);
    static const char *const rows[][4] = {
        {"t1", "L1", "c1", "2026-11-16T09:00:00Z"}, {"t2", "L1", "c2", "2026-11-16T07:00:00Z"},
        {"t3", "L1", NULL, "2026-11-16T10:00:00Z"}, {"t4", "L1", "c3", "2026-11-26T00:00:00Z"},
        {"t5", "L2", "c3", "2026-11-16T09:00:00Z"}, {"t6", "Lx", "c3", "2026-11-16T09:00:00Z"},
        {"t7", "L1", "c1", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        put_str(t, "touch_id", rows[i][0]);
        put_str(t, "lead_id", rows[i][1]);
        put_str(t, "campaign_id", rows[i][2]);
        put_at(t, "touched_at", rows[i][3]);
    }
    cr_assert_eq(lp_table_finish(t), LP_OK);
    ds->tables[LP_LEADS] = l;
    ds->tables[LP_TOUCHES] = t;

    lp_results *res = run(ds);
    const lp_table *c = table(res, "campaigns");
    EXPECT_NEAR(num(c, row_of(c, "campaign_id", "c1"), "touches"), 1);
    EXPECT_NEAR(num(c, row_of(c, "campaign_id", "c2"), "touches"), 1);
    EXPECT_NEAR(num(c, row_of(c, "campaign_id", "c1"), "mqls"), 0);
    EXPECT_NEAR(num(c, row_of(c, "campaign_id", "c2"), "mqls"), 1);
    cr_expect_eq(row_of(c, "campaign_id", "c3"), -1);

    const lp_table *v = table(res, "volume_by_campaign");
    EXPECT_NEAR(num(v, row_of(v, "key", "c2"), "mqls"), 1);

    const lp_table *d = table(res, "detail_touches");
    cr_assert_eq(d->nrows, 2);
    cr_expect_str_eq(lp_column_str(lp_table_column(d, "campaign_id"), 0), "c1");
    cr_expect_str_eq(lp_column_str(lp_table_column(d, "campaign_id"), 1), "c2");
    EXPECT_NEAR(num(d, 1, "touched_at"), (double)at("2026-11-16T07:00:00Z"));
    lp_results_free(res);
    lp_dataset_free(ds);
}

Test(measures, prep_stand_in_touches_without_touches_export)
{
    /* No touches export: each lead's own campaign_id stands for one touch
     * at its created_at.
     *  L1 c1, created 16th, MQL 17th    -> c1: 1 lead, 1 MQL
     *  L2 c2, created 18th, no MQL      -> c2 credited nothing (not checked)
     *  L3 --, created 19th, MQL 19th    -> (no campaign): 1 lead, 1 MQL
     *  L4 c1, created 26th (after as-of) -> not counted
     * Touch counts are null (no touches export) and no touch is listed. */
    lp_dataset *ds = lp_dataset_new();
    lp_table *l = leads_table();
    add_lead(l, "L1", "2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", "c1");
    add_lead(l, "L2", "2026-11-18T08:00:00Z", NULL, "c2");
    add_lead(l, "L3", "2026-11-19T08:00:00Z", "2026-11-19T09:00:00Z", NULL);
    add_lead(l, "L4", "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z", "c1");
    cr_assert_eq(lp_table_finish(l), LP_OK);
    ds->tables[LP_LEADS] = l;

    lp_results *res = run(ds);
    const lp_table *c = table(res, "campaigns");
    long c1 = row_of(c, "campaign_id", "c1");
    long none = row_of(c, "campaign_id", "(no campaign)");
    EXPECT_NEAR(num(c, c1, "leads_created"), 1);
    EXPECT_NEAR(num(c, c1, "mqls"), 1);
    EXPECT_NEAR(num(c, none, "leads_created"), 1);
    EXPECT_NEAR(num(c, none, "mqls"), 1);
    cr_expect(is_null(c, c1, "touches"));
    cr_expect_eq(table(res, "detail_touches")->nrows, 0);
    lp_results_free(res);
    lp_dataset_free(ds);
}

/* ---- Row limit ---- */

Test(measures, prep_more_rows_than_int32_is_a_limit_error)
{
    /* Rows are held as int32 (touch offsets as uint32): a table claiming
     * INT32_MAX + 1 rows is refused before any row is read. */
    lp_dataset *ds = lp_dataset_new();
    lp_table *l = leads_table();
    add_lead(l, "L1", "2026-11-16T08:00:00Z", NULL, NULL);
    cr_assert_eq(lp_table_finish(l), LP_OK);
    lp_table *u = new_table(LP_USERS);
    put_str(u, "owner_id", "u1");
    cr_assert_eq(lp_table_finish(u), LP_OK);
    ds->tables[LP_LEADS] = l;
    ds->tables[LP_USERS] = u;
    size_t real_rows = u->nrows;
    u->nrows = (size_t)INT32_MAX + 1;

    lp_settings set = settings();
    lp_measures_options opt = {&set, true, at(AS_OF), P, false};
    lp_results *res = NULL;
    char err[LP_ERRMSG_SIZE];
    cr_expect_eq(lp_measures_compute(ds, &opt, &res, err), LP_ERR_LIMIT);
    cr_expect_null(res);
    cr_expect(strstr(err, "users") != NULL, "message: %s", err);
    u->nrows = real_rows;
    lp_dataset_free(ds);
}
