/* The narrative: golden sentences over result sets built by hand.
 *
 * Every expected figure is worked out by hand beside it: e.g. 412 against
 * 374 is up 38, and 38 / 374 = 0.1016, "10%"; 412 / 434 = 0.949, "95%".
 * The period is ISO week 2026-W47 (Monday 16 November 2026 to Monday 23
 * November); as-of is 25 November 2026 09:00 UTC, so the acceptance rate is
 * provisional until 23 November + 30 days = 23 December. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lp/narrative.h"
#include "lp/time.h"

#define TEMPLATES_DIR LP_SOURCE_DIR "/templates"

/* ---- Building a result set by hand ---- */

typedef struct builder {
    lp_results *r;
    lp_table *headline, *changes, *targets, *findings, *switched_off;
    lp_settings settings;
} builder;

static lp_table *table(const char *name, const char *const *cols, const lp_type *types, size_t n)
{
    lp_table *t = lp_table_new(name);
    cr_assert_not_null(t);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lp_table_add_column(t, cols[i], types[i], NULL), LP_OK);
    return t;
}

static void put_str(lp_table *t, const char *col, const char *s)
{
    lp_column *c = lp_table_column(t, col);
    cr_assert_not_null(c, "%s", col);
    cr_assert_eq(s ? lp_column_append_string(c, s, strlen(s)) : lp_column_append_null(c), LP_OK);
}

static void put_num(lp_table *t, const char *col, double v)
{
    lp_column *c = lp_table_column(t, col);
    cr_assert_not_null(c, "%s", col);
    lp_status st;
    if (c->type == LP_TYPE_INT64) st = lp_column_append_int64(c, (int64_t)v);
    else if (c->type == LP_TYPE_BOOL) st = lp_column_append_bool(c, v != 0);
    else st = lp_column_append_double(c, v);
    cr_assert_eq(st, LP_OK);
}

static void put_null(lp_table *t, const char *col)
{
    cr_assert_eq(lp_column_append_null(lp_table_column(t, col)), LP_OK);
}

static void builder_init(builder *b, lp_period_kind kind, const char *label, const char *as_of)
{
    memset(b, 0, sizeof *b);
    b->r = lp_results_new();
    cr_assert_not_null(b->r);
    lp_calendar cal = {kind, 1};
    cr_assert_eq(lp_period_parse(&cal, label, &b->r->period), LP_OK);
    b->r->calendar = cal;
    b->r->window_first = b->r->period - 12;
    snprintf(b->r->period_label, sizeof b->r->period_label, "%s", label);
    cr_assert_eq(lp_instant_parse_iso(as_of, &b->r->as_of), LP_OK);
    snprintf(b->settings.currency, sizeof b->settings.currency, "USD");
    b->settings.sla_hours = 24;
    b->settings.sla_target = 0.95;
    b->r->settings = &b->settings;
    static const char *const hc[] = {"measure", "period", "value", "low", "high"};
    static const lp_type ht[] = {LP_TYPE_STRING, LP_TYPE_STRING, LP_TYPE_DOUBLE, LP_TYPE_DOUBLE,
                                 LP_TYPE_DOUBLE};
    b->headline = table("headline", hc, ht, 5);
    static const char *const cc[] = {"measure", "current", "previous", "change", "change_pct",
                                     "p_value", "real", "test"};
    static const lp_type ct[] = {LP_TYPE_STRING, LP_TYPE_DOUBLE, LP_TYPE_DOUBLE, LP_TYPE_DOUBLE,
                                 LP_TYPE_DOUBLE, LP_TYPE_DOUBLE, LP_TYPE_BOOL, LP_TYPE_STRING};
    b->changes = table("changes", cc, ct, 8);
    static const char *const tc[] = {"measure", "period", "team", "target", "actual",
                                     "attainment"};
    static const lp_type tt[] = {LP_TYPE_STRING, LP_TYPE_STRING, LP_TYPE_STRING, LP_TYPE_DOUBLE,
                                 LP_TYPE_DOUBLE, LP_TYPE_DOUBLE};
    b->targets = table("targets", tc, tt, 6);
    static const char *const fc[] = {"rank", "measure", "kind", "subject", "value",
                                     "base", "change", "p_value", "effect"};
    static const lp_type ft[] = {LP_TYPE_INT64,  LP_TYPE_STRING, LP_TYPE_STRING,
                                 LP_TYPE_STRING, LP_TYPE_DOUBLE, LP_TYPE_DOUBLE,
                                 LP_TYPE_DOUBLE, LP_TYPE_DOUBLE, LP_TYPE_DOUBLE};
    b->findings = table("findings", fc, ft, 9);
    static const char *const sc[] = {"figure", "reason"};
    static const lp_type st[] = {LP_TYPE_STRING, LP_TYPE_STRING};
    b->switched_off = table("switched_off", sc, st, 2);
}

/* A headline value for P (and, to show it is ignored, one for the period
 * before with a different value). */
static void hl(builder *b, const char *measure, double value)
{
    char before[24];
    lp_period_label(&b->r->calendar, b->r->period - 1, before, sizeof before);
    put_str(b->headline, "measure", measure);
    put_str(b->headline, "period", before);
    put_num(b->headline, "value", 99999);
    put_null(b->headline, "low");
    put_null(b->headline, "high");
    put_str(b->headline, "measure", measure);
    put_str(b->headline, "period", b->r->period_label);
    put_num(b->headline, "value", value);
    put_null(b->headline, "low");
    put_null(b->headline, "high");
}

static void chg(builder *b, const char *measure, double current, double previous, bool real,
                const char *test)
{
    put_str(b->changes, "measure", measure);
    put_num(b->changes, "current", current);
    put_num(b->changes, "previous", previous);
    put_num(b->changes, "change", current - previous);
    put_null(b->changes, "change_pct");
    put_num(b->changes, "p_value", real ? 0.001 : 0.4);
    put_num(b->changes, "real", real);
    put_str(b->changes, "test", test);
}

static void tgt(builder *b, const char *measure, double target)
{
    put_str(b->targets, "measure", measure);
    put_str(b->targets, "period", b->r->period_label);
    put_null(b->targets, "team");
    put_num(b->targets, "target", target);
    put_null(b->targets, "actual");
    put_null(b->targets, "attainment");
}

static void finding(builder *b, int rank, const char *measure, const char *kind,
                    const char *subject, double value, double base, double p_value)
{
    put_num(b->findings, "rank", rank);
    put_str(b->findings, "measure", measure);
    put_str(b->findings, "kind", kind);
    put_str(b->findings, "subject", subject);
    put_num(b->findings, "value", value);
    put_num(b->findings, "base", base);
    put_num(b->findings, "change", value - base);
    put_num(b->findings, "p_value", p_value);
    put_null(b->findings, "effect");
}

static void off(builder *b, const char *figure, const char *reason)
{
    put_str(b->switched_off, "figure", figure);
    put_str(b->switched_off, "reason", reason);
}

static void add(builder *b, lp_table *t)
{
    cr_assert_eq(lp_table_finish(t), LP_OK, "%s", t->name);
    cr_assert_eq(lp_results_add(b->r, t), LP_OK);
}

static lp_narrative *build(builder *b, const char *pack)
{
    add(b, b->headline);
    add(b, b->changes);
    add(b, b->targets);
    add(b, b->findings);
    add(b, b->switched_off);
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_template *tpl = NULL;
    if (pack) cr_assert_eq(lp_template_load(TEMPLATES_DIR, pack, &tpl, errmsg), LP_OK, "%s", errmsg);
    lp_narrative *n = NULL;
    lp_status st = lp_narrative_build(b->r, tpl, TEMPLATES_DIR, &n, errmsg);
    cr_assert_eq(st, LP_OK, "%s", errmsg);
    lp_template_free(tpl);
    return n;
}

static void done(builder *b, lp_narrative *n)
{
    lp_narrative_free(n);
    lp_results_free(b->r);
}

/* No sentence may be empty or show a hole, a NaN or an infinity. */
static void expect_clean(const char *s)
{
    cr_expect(s && *s, "empty sentence");
    if (!s) return;
    static const char *const bad[] = {"nan", "inf", "n/a", "{", "}", "  ", " ,", " .", "..", NULL};
    for (size_t i = 0; bad[i]; i++)
        cr_expect(strcasestr(s, bad[i]) == NULL || strcmp(bad[i], "inf") == 0,
                  "\"%s\" in: %s", bad[i], s);
    /* "inf" may be inside a word ("information"), so look for it alone. */
    cr_expect(strstr(s, " inf") == NULL && strstr(s, "Inf") == NULL, "inf in: %s", s);
}

static void expect_all_clean(const lp_narrative *n)
{
    expect_clean(n->title);
    expect_clean(n->period_words);
    expect_clean(n->as_of_words);
    for (size_t i = 0; i < n->nheadlines; i++) expect_clean(n->headlines[i]);
    for (size_t i = 0; i < n->nchanges; i++) expect_clean(n->changes[i]);
    for (size_t i = 0; i < n->ncaveats; i++) expect_clean(n->caveats[i]);
    for (size_t i = 0; i < n->nkpis; i++) {
        expect_clean(n->kpis[i].label);
        expect_clean(n->kpis[i].value);
        expect_clean(n->kpis[i].status);
    }
    for (size_t i = 0; i < n->nsections; i++) {
        cr_expect_gt(n->sections[i].nsentences, 0, "section %s has no sentence",
                     n->sections[i].id);
        for (size_t j = 0; j < n->sections[i].nsentences; j++)
            expect_clean(n->sections[i].sentences[j]);
    }
    for (size_t i = 0; i < n->nglossary; i++) {
        expect_clean(n->glossary_terms[i]);
        expect_clean(n->glossary_texts[i]);
    }
}

/* A full week: rise (real), fall (noise), no change, target met and missed. */
static void full_week(builder *b)
{
    builder_init(b, LP_PERIOD_WEEK, "2026-W47", "2026-11-25T09:00:00Z");
    hl(b, "mql_count", 412);
    chg(b, "mql_count", 412, 374, true, "poisson");
    tgt(b, "mql", 434);
    hl(b, "acceptance_rate", 0.6);
    hl(b, "inbound_pipeline_amount", 1200000);
    hl(b, "inbound_pipeline_count", 23);
    chg(b, "inbound_pipeline_amount", 1200000, 1500000, false, "poisson");
    hl(b, "sla_compliance", 0.87);
    hl(b, "sla_eligible", 120);
    chg(b, "sla_compliance", 0.87, 0.82, true, "two_proportion");
    hl(b, "sla_pending", 1);
    hl(b, "sla_median_hours", 5.2);
    hl(b, "sla_p90_hours", 60);
    hl(b, "inbound_won_amount", 450000);
    hl(b, "inbound_won_count", 1);
    chg(b, "inbound_won_amount", 450000, 450000, false, "poisson");
    tgt(b, "won", 400000);
    hl(b, "inbound_win_rate", 0.25);
    hl(b, "inbound_cycle_median_days", 12);
    finding(b, 2, "", "campaign_better", "Spring webinar", 0.3, 0.12, 0.01);
    finding(b, 1, "mql_count", "volume_change", "Webinar", 120, 80, 0.001);
    finding(b, 3, "", "team_slow", "EMEA", 30, 5.2, 0.02);
    off(b, "cost figures", "the campaign export has no cost column");
}

Test(narrative, headline_rise_real_with_target_and_provisional_caveat)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_assert_eq(n->nheadlines, 5);
    /* 412 - 374 = 38; 38 / 374 = 10.2% -> 10%; 412 / 434 = 94.9% -> 95%;
     * 0.6 -> 6 in 10; provisional until 23 November + 30 days. */
    cr_expect_str_eq(n->headlines[0],
                     "Marketing handed sales 412 qualified leads (an MQL, or qualified lead, is "
                     "a lead that marketing judged ready for a sales conversation), up 38 (10%) "
                     "on last week, a real rise; that is 95% of the way to this week's target "
                     "of 434. Sales has accepted 6 in 10 of them so far, a share that stays "
                     "provisional until 23 December while sales works through them.");
    done(&b, n);
}

Test(narrative, headline_fall_within_noise_money)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    /* 1.5M - 1.2M = 300K; 300 / 1500 = 20%; not real by its test. */
    cr_expect_str_eq(n->headlines[2],
                     "$1.2M of new pipeline came from inbound leads (23 opportunities), down "
                     "$300K (20%) on last week, within normal week-to-week variation.");
    done(&b, n);
}

Test(narrative, headline_no_change_target_met_singular)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    /* 450,000 / 400,000 = 112.5% -> 113% (half away from zero). */
    cr_expect_str_eq(n->headlines[4],
                     "Inbound leads brought in $450K of won business (1 deal), the same as last "
                     "week; that is 113% of this week's target of $400K, so the target is met.");
    done(&b, n);
}

Test(narrative, headline_rate_in_points_target_missed_and_pending)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    /* 0.87 - 0.82 = 5 points; target 95% not met; 1 pending lead (singular). */
    cr_expect_str_eq(n->headlines[3],
                     "Sales reached 87% of this week's 120 qualified leads within 24 hours of "
                     "hand-off, up 5 points from 82% last week, a real rise; the target is 95%. "
                     "1 more qualified lead is still within 24 hours of hand-off and is not "
                     "counted yet.");
    done(&b, n);
}

Test(narrative, campaigns_missing_is_said_with_reason)
{
    builder b;
    full_week(&b);
    off(&b, "campaign figures", "there is no campaigns export");
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_expect_str_eq(n->headlines[1], "No campaign figures: there is no campaigns export.");
    cr_assert_eq(n->ncaveats, 2);
    cr_expect_str_eq(n->caveats[0], "No cost figures: the campaign export has no cost column.");
    cr_expect_str_eq(n->caveats[1], "No campaign figures: there is no campaigns export.");
    done(&b, n);
}

Test(narrative, findings_ranked_one_sentence_each)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_assert_eq(n->nchanges, 3);
    /* 120 - 80 = 40; 40 / 80 = 50%. */
    cr_expect_str_eq(n->changes[0],
                     "Qualified leads from Webinar: 120, up 40 (50%) on last week, a real rise.");
    cr_expect_str_eq(n->changes[1],
                     "Spring webinar turned 30% of its qualified leads into opportunities, "
                     "against 12% for the other campaigns.");
    cr_expect_str_eq(n->changes[2], "EMEA took 30 hours to reach half of its qualified leads, "
                                    "against 5 hours for everyone.");
    done(&b, n);
}

Test(narrative, kpi_tiles)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_assert_eq(n->nkpis, 5);
    cr_expect_str_eq(n->kpis[0].measure, "mql_count");
    cr_expect_str_eq(n->kpis[0].label, "Qualified leads");
    cr_expect_str_eq(n->kpis[0].value, "412");
    cr_expect_str_eq(n->kpis[0].change, "up 38 (10%) on last week");
    cr_expect_str_eq(n->kpis[0].status, "below target");
    cr_expect(n->kpis[0].real_change);
    cr_expect_str_eq(n->kpis[2].value, "$1.2M");
    cr_expect(!n->kpis[2].real_change);
    cr_expect_str_eq(n->kpis[3].value, "87%");
    cr_expect_str_eq(n->kpis[3].status, "below target");
    cr_expect_str_eq(n->kpis[4].change, "the same as last week");
    cr_expect_str_eq(n->kpis[4].status, "on target");
    cr_expect_str_eq(n->kpis[1].status, "no target");
    done(&b, n);
}

Test(narrative, zero_base_and_singular)
{
    builder b;
    builder_init(&b, LP_PERIOD_WEEK, "2026-W47", "2027-02-01T00:00:00Z");
    hl(&b, "mql_count", 1);
    chg(&b, "mql_count", 1, 0, false, "poisson");
    lp_narrative *n = build(&b, NULL);
    /* No acceptance rate: no second sentence; as-of is long after P, so
     * nothing would be provisional anyway. */
    cr_expect_str_eq(n->headlines[0],
                     "Marketing handed sales 1 qualified lead (an MQL, or qualified lead, is a "
                     "lead that marketing judged ready for a sales conversation), up from none "
                     "last week, within normal week-to-week variation.");
    cr_expect_str_eq(n->kpis[0].change, "up from none last week");
    done(&b, n);
}

Test(narrative, untested_change_has_no_verdict)
{
    builder b;
    builder_init(&b, LP_PERIOD_WEEK, "2026-W47", "2027-02-01T00:00:00Z");
    hl(&b, "mql_count", 1000);
    /* A huge rise without a test is never called real from its size. */
    chg(&b, "mql_count", 1000, 100, false, "");
    lp_narrative *n = build(&b, NULL);
    cr_expect(strstr(n->headlines[0], "up 900 (900%) on last week.") != NULL, "%s",
              n->headlines[0]);
    cr_expect(strstr(n->headlines[0], "real") == NULL);
    cr_expect(strstr(n->headlines[0], "variation") == NULL);
    done(&b, n);
}

Test(narrative, missing_data_said_as_such)
{
    builder b;
    builder_init(&b, LP_PERIOD_WEEK, "2026-W47", "2026-11-25T09:00:00Z");
    off(&b, "opportunity figures", "there is no opportunities export");
    /* A null value is "does not exist": no sentence may word it. */
    put_str(b.headline, "measure", "sla_median_hours");
    put_str(b.headline, "period", "2026-W47");
    put_null(b.headline, "value");
    put_null(b.headline, "low");
    put_null(b.headline, "high");
    hl(&b, "sla_p90_hours", NAN);
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_assert_eq(n->nheadlines, 5);
    cr_expect_str_eq(n->headlines[0], "There is no figure for qualified leads this week, because "
                                      "the exports hold no data for it.");
    cr_expect_str_eq(n->headlines[2], "There is no figure for new inbound pipeline this week: "
                                      "there is no opportunities export.");
    cr_expect_str_eq(n->kpis[0].value, "no figure");
    cr_expect_str_eq(n->kpis[0].change, "");
    expect_all_clean(n);
    done(&b, n);
}

Test(narrative, month_period_words)
{
    builder b;
    builder_init(&b, LP_PERIOD_MONTH, "2026-11", "2026-12-03T10:30:00Z");
    hl(&b, "mql_count", 1820);
    chg(&b, "mql_count", 1820, 2000, true, "poisson");
    lp_narrative *n = build(&b, "monthly-marketing-review");
    cr_expect_str_eq(n->period_words, "November 2026");
    cr_expect_str_eq(n->as_of_words, "3 December 2026, 10:30 UTC");
    /* 2,000 - 1,820 = 180; 180 / 2,000 = 9%. */
    cr_expect(strstr(n->headlines[0], "1,820 qualified leads") != NULL, "%s", n->headlines[0]);
    cr_expect(strstr(n->headlines[0], "down 180 (9%) on last month, a real fall.") != NULL, "%s",
              n->headlines[0]);
    done(&b, n);
}

Test(narrative, week_period_words)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    cr_expect_str_eq(n->period_words, "the week of 16 November 2026");
    cr_expect_str_eq(n->title, "Weekly leadership pack");
    const lp_narrative_section *cover = lp_narrative_section_find(n, "cover");
    cr_assert_not_null(cover);
    cr_expect_str_eq(cover->sentences[0], "This pack covers the week of 16 November 2026, with "
                                          "figures as of 25 November 2026, 09:00 UTC.");
    const lp_narrative_section *sla = lp_narrative_section_find(n, "sla");
    cr_assert_not_null(sla);
    /* 5.2 hours -> "5 hours"; 60 hours -> 2.5 days -> "3 days". */
    cr_expect_str_eq(sla->sentences[2], "Half of the qualified leads were reached within 5 "
                                        "hours, and 9 in 10 within 3 days.");
    cr_expect_null(lp_narrative_section_find(n, "nope"));
    done(&b, n);
}

/* First page: an acronym appears only with its explanation. */
Test(narrative, first_page_explains_acronyms)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    lp_buf page = {0};
    for (size_t i = 0; i < n->nheadlines; i++) lp_buf_printf(&page, "%s ", n->headlines[i]);
    for (size_t i = 0; i < n->nchanges; i++) lp_buf_printf(&page, "%s ", n->changes[i]);
    for (size_t i = 0; i < n->nkpis; i++)
        lp_buf_printf(&page, "%s %s %s %s ", n->kpis[i].label, n->kpis[i].value,
                      n->kpis[i].change, n->kpis[i].status);
    static const char *const acronyms[] = {"MQL", "SQL", "SLA", NULL};
    for (size_t i = 0; acronyms[i]; i++) {
        const char *first = strstr(page.data, acronyms[i]);
        if (!first) continue;
        cr_expect(strncmp(first, "MQL, or qualified lead, is a lead that marketing judged ready "
                                 "for a sales conversation", 80) == 0,
                  "%s unexplained: %.80s", acronyms[i], first);
    }
    lp_buf_reset(&page);
    expect_all_clean(n);
    done(&b, n);
}

Test(narrative, glossary_from_definitions)
{
    builder b;
    full_week(&b);
    lp_narrative *n = build(&b, NULL);
    cr_assert_gt(n->nglossary, 10);
    bool found = false;
    for (size_t i = 0; i < n->nglossary; i++)
        if (strcmp(n->glossary_terms[i], "Qualified lead (MQL)") == 0)
            found = strstr(n->glossary_texts[i],
                           "A lead that marketing judged ready for a sales conversation") != NULL;
    cr_expect(found);
    done(&b, n);
}

Test(narrative, every_pack_every_section_has_clean_sentences)
{
    static const char *const packs[] = {"weekly-leadership", "monthly-marketing-review",
                                        "sla-scorecard", "partner-scorecard"};
    for (size_t p = 0; p < 4; p++) {
        builder b;
        full_week(&b);
        lp_narrative *n = build(&b, packs[p]);
        cr_expect_gt(n->nsections, 3);
        expect_all_clean(n);
        done(&b, n);
    }
}

Test(narrative, every_allocation_failure_is_clean)
{
    builder b;
    full_week(&b);
    add(&b, b.headline);
    add(&b, b.changes);
    add(&b, b.targets);
    add(&b, b.findings);
    add(&b, b.switched_off);
    char errmsg[LP_ERRMSG_SIZE];
    lp_template *tpl = NULL;
    cr_assert_eq(lp_template_load(TEMPLATES_DIR, "weekly-leadership", &tpl, errmsg), LP_OK);
    bool finished = false;
    for (long k = 1; k < 200000 && !finished; k++) {
        lp_narrative *n = NULL;
        lp_alloc_fail_after(k);
        lp_status st = lp_narrative_build(b.r, tpl, TEMPLATES_DIR, &n, errmsg);
        lp_alloc_fail_after(0);
        if (st == LP_OK) {
            finished = true;
            lp_narrative_free(n);
        } else {
            cr_assert_eq(st, LP_ERR_NOMEM, "k=%ld: %s", k, errmsg);
        }
    }
    cr_expect(finished);
    lp_template_free(tpl);
    lp_results_free(b.r);
}

/* ---- Formatting numbers for people ---- */

typedef struct money_case {
    double value;
    char currency[8];
    char expect[24];
} money_case;

ParameterizedTestParameters(narrative, money)
{
    /* Worked by hand: 12,345 -> 12K; 999,499 -> 999K; 999,500 rounds to
     * 1,000K, so it is written in millions; 1,234,567 -> 1.2M. */
    static money_case cases[] = {
        {0, "USD", "$0"},          {950, "USD", "$950"},        {9950, "USD", "$9,950"},
        {12345, "USD", "$12K"},    {450000, "USD", "$450K"},    {999499, "USD", "$999K"},
        {999500, "USD", "$1M"},    {1234567, "USD", "$1.2M"},   {2000000, "USD", "$2M"},
        {3.4e9, "USD", "$3.4B"},   {-1.2e6, "USD", "-$1.2M"},   {1.2e6, "EUR", "\u20ac1.2M"},
        {5e5, "GBP", "\u00a3500K"}, {950, "CHF", "CHF 950"},   {NAN, "USD", "n/a"},
    };
    return cr_make_param_array(money_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(money_case *mc, narrative, money)
{
    char buf[32];
    cr_expect_str_eq(lp_fmt_money(mc->value, mc->currency, buf, sizeof buf), mc->expect);
}

typedef struct num_case {
    char kind;   /* c count, r rate, h hours, d days */
    double value;
    char expect[24];
} num_case;

ParameterizedTestParameters(narrative, numbers)
{
    static num_case cases[] = {
        {'c', 0, "0"},           {'c', 1234, "1,234"},      {'c', 1234567, "1,234,567"},
        {'c', 12.5, "12.5"},     {'c', 0.96, "1"},          {'c', INFINITY, "n/a"},
        {'r', 0.87, "87%"},      {'r', 0.004, "under 1%"},  {'r', 0.996, "over 99%"},
        {'r', 1, "100%"},        {'r', 0, "0%"},            {'r', 0.125, "13%"},
        {'h', 0.75, "45 minutes"}, {'h', 1, "1 hour"},      {'h', 5.2, "5 hours"},
        {'h', 36, "36 hours"},   {'h', 47.4, "47 hours"},   {'h', 48, "2 days"},
        {'h', 0.001, "under a minute"}, {'d', 1, "1 day"},  {'d', 12.4, "12 days"},
        {'h', NAN, "n/a"},
    };
    return cr_make_param_array(num_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(num_case *nc, narrative, numbers)
{
    char buf[32];
    const char *got = nc->kind == 'c'   ? lp_fmt_count(nc->value, buf, sizeof buf)
                      : nc->kind == 'r' ? lp_fmt_rate(nc->value, buf, sizeof buf)
                      : nc->kind == 'h' ? lp_fmt_hours(nc->value, buf, sizeof buf)
                                        : lp_fmt_days(nc->value, buf, sizeof buf);
    cr_expect_str_eq(got, nc->expect, "%c %g", nc->kind, nc->value);
}

Test(narrative, dates)
{
    char buf[32];
    int64_t monday = lp_days_from_civil(2026, 11, 16) * 86400; /* 2026-11-16 00:00 UTC */
    cr_expect_str_eq(lp_fmt_date(monday, buf, sizeof buf), "16 November 2026");
    cr_expect_str_eq(lp_fmt_day_month(monday, buf, sizeof buf), "16 November");
}

/* ---- Sections over their own tables ---- */

static lp_table *new_table(const char *name, const char *spec)
{
    /* spec: "name:S,name:D,..." (S string, D double, I int64) */
    lp_table *t = lp_table_new(name);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", spec);
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        *colon = '\0';
        lp_type type = colon[1] == 'S' ? LP_TYPE_STRING
                       : colon[1] == 'I' ? LP_TYPE_INT64 : LP_TYPE_DOUBLE;
        cr_assert_eq(lp_table_add_column(t, tok, type, NULL), LP_OK);
    }
    return t;
}

static void row(lp_table *t, ...)
{
    va_list ap;
    va_start(ap, t);
    for (size_t i = 0; i < t->ncols; i++) {
        lp_column *c = t->columns[i];
        if (c->type == LP_TYPE_STRING) put_str(t, c->name, va_arg(ap, const char *));
        else put_num(t, c->name, va_arg(ap, double));
    }
    va_end(ap);
}

static void rich_tables(builder *b)
{
    lp_table *t = new_table("funnel", "step:S,reached:I,rate:D,low:D,high:D");
    row(t, "lead", 1000.0, NAN, NAN, NAN);
    row(t, "mql", 300.0, 0.3, 0.27, 0.33);
    row(t, "sql", 150.0, 0.5, 0.44, 0.56);
    row(t, "opportunity", 60.0, 0.4, 0.32, 0.48);
    row(t, "won", 15.0, 0.25, 0.16, 0.37);
    add(b, t);
    t = new_table("routing", "team:S,mqls:I,won:I,rate:D,low:D,high:D");
    row(t, "NA", 100.0, 20.0, 0.2, 0.15, 0.25);
    row(t, "EMEA", 100.0, 8.0, 0.08, 0.05, 0.12);
    add(b, t);
    t = new_table("forecast", "period:S,mql_forecast:D,low:D,high:D");
    row(t, "2026-W48", 430.0, 380.0, 480.0);
    add(b, t);
    t = new_table("campaigns", "campaign_id:S,name:S,pipeline:D");
    row(t, "C1", "Spring webinar", 900000.0);
    row(t, "C2", "Trade show", 300000.0);
    row(t, "(no campaign)", "(no campaign)", 5000000.0);
    add(b, t);
    t = new_table("campaign_tests", "campaign_id:S,name:S,verdict:S");
    row(t, "C1", "Spring webinar", "better");
    row(t, "C2", "Trade show", "");
    add(b, t);
    t = new_table("coverage", "open_inbound_pipeline:D,quota:D,won_to_date:D,remaining_quota:D,"
                              "coverage:D");
    row(t, 2400000.0, 2000000.0, 400000.0, 1600000.0, 1.5);
    add(b, t);
    t = new_table("breaches", "lead_id:S,team:S,hours_late:D");
    row(t, "L1", "NA", 3.0);
    row(t, "L2", "EMEA", 50.0);
    add(b, t);
    t = new_table("sla_by_team", "team:S,eligible:I,compliance:D,followup_eligible:I");
    row(t, "EMEA", 70.0, 0.8, 60.0);
    row(t, "NA", 50.0, 0.96, 40.0);
    add(b, t);
}

Test(narrative, sections_word_their_tables)
{
    builder b;
    full_week(&b);
    rich_tables(&b);
    lp_narrative *n = build(&b, "weekly-leadership");
    const lp_narrative_section *s;
    s = lp_narrative_section_find(n, "funnel");
    cr_assert_eq(s->nsentences, 2);
    cr_expect_str_eq(s->sentences[0], "Of the 1,000 leads created in the last 13 periods, 15 "
                                      "became won business.");
    /* Lowest step rate: 0.25, opportunity -> won, out of 60. */
    cr_expect_str_eq(s->sentences[1], "The biggest drop is from opportunity to won: 25% of the "
                                      "60 that got that far moved on.");
    s = lp_narrative_section_find(n, "routing");
    /* NA's low 0.15 lies above EMEA's high 0.12. */
    cr_expect_str_eq(s->sentences[0], "NA is the best route: 20% of its qualified leads became "
                                      "won business (20 of 100), clearly above every other team.");
    s = lp_narrative_section_find(n, "forecast");
    cr_expect_str_eq(s->sentences[0], "Next week, the trend points to about 430 qualified "
                                      "leads, most likely between 380 and 480.");
    cr_expect_str_eq(n->headlines[1], "Of 2 campaigns, one turned qualified leads into "
                                      "opportunities at a clearly better rate than the others: "
                                      "Spring webinar.");
    s = lp_narrative_section_find(n, "campaigns");
    cr_expect_str_eq(s->sentences[1], "Spring webinar is credited with the most pipeline, "
                                      "$900K, under the first-touch model.");
    s = lp_narrative_section_find(n, "pipeline");
    cr_expect_str_eq(s->sentences[1], "Open inbound pipeline of $2.4M covers 1.5 times the "
                                      "remaining quota of $1.6M.");
    s = lp_narrative_section_find(n, "sla");
    /* 70 + 50 = 120 handed over; best NA 96%, worst EMEA 80%. */
    cr_expect_str_eq(s->sentences[3], "2 qualified leads were reached late or not at all; the "
                                      "breach list names each one.");
    cr_expect_str_eq(s->sentences[4], "2 teams were handed 120 qualified leads this week.");
    cr_expect_str_eq(s->sentences[5], "NA reached 96% of its qualified leads in time, EMEA only "
                                      "80%.");
    expect_all_clean(n);
    done(&b, n);

    full_week(&b);
    rich_tables(&b);
    n = build(&b, "sla-scorecard");
    s = lp_narrative_section_find(n, "breaches");
    cr_expect_str_eq(s->sentences[0], "2 qualified leads were not reached within 24 hours.");
    /* 50 hours late: 50 / 24 = 2.08 -> "2 days". */
    cr_expect_str_eq(s->sentences[1], "The longest wait was 2 days past the deadline, in EMEA.");
    expect_all_clean(n);
    done(&b, n);
}
