/*
 * narrative.c: the result set in plain English (narrative.h): which
 * sentences the first page, "What changed" and each section of a pack say.
 * The sentences are built in narrative_clauses.c (narrative_internal.h):
 * wording, citations and the clauses of change, verdict and target.
 */#include "narrative_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp/yaml.h"
#include "../template/template_internal.h"
#include "lp/figures.h"
#include "lp/time.h"

#define MAX_FINDINGS 5
#define MAX_WAITING 2

/* Wording keys of the attribution models, in lp_attribution order. */
static const char *const attribution_keys[LP_ATTR_COUNT] = {
    "attribution.first_touch", "attribution.last_touch", "attribution.linear",
    "attribution.u_shaped", "attribution.w_shaped"};

static const char *attribution_key(const lp_settings *settings)
{
    int model = settings ? (int)settings->attribution : 0;
    return attribution_keys[model >= 0 && model < LP_ATTR_COUNT ? model : 0];
}

/* ---- Headlines ---- */

static void headline_volume(nctx *c, strlist *out)
{
    lp_buf b = {0};
    if (!lp_nar_measure_sentence(c, "mql_count", "headline.volume", &b, NULL)) {
        lp_nar_push_missing(c, out, "mql_count", "lead");
        return;
    }
    lp_nar_push_sentence(c, out, &b);
    lp_figure f;
    if (lp_figure_get(c->r, "acceptance_rate", &f) != LP_OK || isnan(f.value) ||
        !(f.base > 0))
        return;
    char share[32], until[48];
    lp_nar_cite_fig(c, "acceptance_rate", NULL, f.value, share, sizeof share);
    lp_nar_say(c, &b, "headline.acceptance", "share", share, NULL);
    if (f.provisional && f.matures_at != INT64_MIN) {
        lp_fmt_day_month(f.matures_at, until, sizeof until);
        lp_nar_say(c, &b, "caveat.provisional", "until", until, NULL);
    }
    lp_nar_change_clauses(c, &f, &b);
    lp_nar_push_sentence(c, out, &b);
}

/* Names of the campaigns with a verdict, joined with the list wording. */
static size_t campaign_names(nctx *c, const char *verdict, lp_buf *out)
{
    const lp_table *t = lp_nar_table_of(c, "campaign_tests");
    size_t n = 0, total = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *v = lp_nar_cell_str(t, "verdict", i);
        if (v && strcmp(v, verdict) == 0) total++;
    }
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *v = lp_nar_cell_str(t, "verdict", i);
        if (!v || strcmp(v, verdict) != 0) continue;
        const char *name = lp_nar_cell_str(t, "name", i);
        if (!name) name = lp_nar_cell_str(t, "campaign_id", i);
        if (!name) continue;
        if (n) lp_buf_puts(out, lp_nar_text(c, n + 1 == total ? "list.last" : "list.separator"));
        lp_buf_puts(out, name);
        n++;
    }
    if (out->failed) {
        lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
        return 0;
    }
    return n;
}

static size_t listed_campaigns(nctx *c)
{
    const lp_table *t = lp_nar_table_of(c, "campaigns");
    size_t n = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *id = lp_nar_cell_str(t, "campaign_id", i);
        if (id && strcmp(id, "(no campaign)") != 0) n++;
    }
    return n;
}

/* Campaigns over their lifetime under the configured model: a standing
 * fact, so its sentences say their scope. */
static void headline_campaigns(nctx *c, strlist *out)
{
    size_t listed = listed_campaigns(c);
    if (!listed) {
        const char *reason = lp_nar_switched_off_reason(c, "campaign");
        lp_buf b = {0};
        if (reason) lp_nar_say(c, &b, "headline.campaigns_missing", "reason", reason, NULL);
        else lp_nar_say(c, &b, "headline.campaigns_none_listed", NULL);
        lp_nar_push_sentence(c, out, &b);
        return;
    }
    char n[32];
    lp_nar_cite(c, "campaigns_listed", NULL, NULL, LP_UNIT_COUNT, (double)listed, n, sizeof n);
    const char *model = lp_nar_text(c, attribution_key(c->r->settings));
    lp_buf names = {0}, b = {0};
    size_t better = campaign_names(c, "better", &names);
    if (listed == 1 && !better) {
        lp_nar_drop_citations(c);
        lp_nar_say(c, &b, "headline.campaigns_single", NULL);
    } else if (!lp_nar_table_of(c, "campaign_tests")) {
        lp_nar_say(c, &b, "headline.campaigns_untested", "n", n, "unit", lp_nar_unit_for(c, "campaign", n),
            NULL);
    } else if (better) {
        char count[32];
        if (better > 1) /* one is said as a word */
            lp_nar_cite(c, "campaigns_better", NULL, NULL, LP_UNIT_COUNT, (double)better, count,
                 sizeof count);
        else
            snprintf(count, sizeof count, "1");
        lp_nar_say(c, &b, better == 1 ? "headline.campaigns_better_one" : "headline.campaigns_better",
            "count", count, "n", n, "unit", lp_nar_unit_for(c, "campaign", n), "names", names.data,
            "model", model, NULL);
    } else {
        lp_nar_say(c, &b, "headline.campaigns_no_difference", "n", n, "unit",
            lp_nar_unit_for(c, "campaign", n), "model", model, NULL);
    }
    lp_buf_reset(&names);
    lp_nar_push_sentence(c, out, &b);
    size_t worse = campaign_names(c, "worse", &names);
    if (worse)
        lp_nar_say(c, &b, worse == 1 ? "headline.campaigns_worse_one" : "headline.campaigns_worse",
            "names", names.data, NULL);
    lp_buf_reset(&names);
    lp_nar_push_sentence(c, out, &b);
}

static void headline_amount(nctx *c, strlist *out, const char *amount_measure,
                            const char *count_measure, const char *key, const char *area)
{
    lp_buf b = {0};
    lp_figure f;
    double count;
    if (!lp_nar_headline_value(c, count_measure, &count) ||
        lp_figure_get(c->r, amount_measure, &f) != LP_OK || isnan(f.value)) {
        lp_nar_push_missing(c, out, amount_measure, area);
        return;
    }
    char value[64], count_text[32];
    lp_nar_cite_fig(c, amount_measure, NULL, f.value, value, sizeof value);
    lp_nar_cite_fig(c, count_measure, NULL, count, count_text, sizeof count_text);
    char unit_key[96];
    snprintf(unit_key, sizeof unit_key, "measure.%s.unit", count_measure);
    lp_nar_say(c, &b, key, "value", value, "count", count_text, "unit",
        lp_nar_unit_for(c, lp_nar_text(c, unit_key), count_text), NULL);
    lp_nar_change_clauses(c, &f, &b);
    const char *status;
    lp_nar_target_clause(c, &f, &b, &status);
    lp_nar_push_sentence(c, out, &b);
}

static void headline_sla(nctx *c, strlist *out)
{
    lp_buf b = {0};
    char threshold[48];
    lp_figure f;
    if (lp_figure_get(c->r, "sla_compliance", &f) != LP_OK || isnan(f.value) ||
        !(f.base > 0)) {
        lp_nar_push_missing(c, out, "sla_compliance", "SLA");
    } else {
        char value[32], base[64];
        lp_nar_cite_fig(c, "sla_compliance", NULL, f.value, value, sizeof value);
        lp_nar_cite_fig(c, "sla_eligible", NULL, f.base, base, sizeof base);
        lp_nar_threshold_words(c, threshold, sizeof threshold);
        lp_nar_say(c, &b, "headline.sla", "value", value, "base", base, "unit",
            lp_nar_unit_for(c, "mql", base), "threshold", threshold, NULL);
        lp_nar_change_clauses(c, &f, &b);
        const char *status;
        lp_nar_target_clause(c, &f, &b, &status);
        lp_nar_push_sentence(c, out, &b);
    }
    double pending;
    if (lp_nar_headline_value(c, "sla_pending", &pending) && pending > 0) {
        char n[32];
        lp_nar_cite_fig(c, "sla_pending", NULL, pending, n, sizeof n);
        lp_nar_threshold_words(c, threshold, sizeof threshold);
        lp_nar_say(c, &b, "caveat.pending", "n", n, "unit", lp_nar_unit_for(c, "mql", n), "threshold",
            threshold, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* One headline per measure: its sentences joined into one paragraph. */
static void push_paragraph(nctx *c, strlist *headlines, strlist *sentences)
{
    lp_buf b = {0};
    for (size_t i = 0; i < sentences->n; i++) {
        if (i) lp_buf_puts(&b, " ");
        lp_buf_puts(&b, sentences->items[i]);
    }
    if (b.failed) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    if (b.data) lp_nar_strlist_push(c, headlines, b.data);
    lp_buf_reset(&b);
    lp_nar_strlist_free(sentences);
}

static void section_groups(nctx *c, const char *table, const char *key_column,
                           const char *prefix, const char *group_unit, strlist *out);
static void section_breaches(nctx *c, const lp_template_section *s, strlist *out);
static void partner_acceptance(nctx *c, strlist *out);
static void sla_times(nctx *c, strlist *out);
static void sla_breaches(nctx *c, strlist *out);
static void sla_reached_sentence(nctx *c, strlist *out);

/* The pack's subject (lp_template.subject): "company", "sla" or "partners". */
static const char *subject_of(nctx *c)
{
    return c->tpl && c->tpl->subject ? c->tpl->subject : "company";
}

/* The first page of a response-time pack: compliance against its target,
 * how fast, the teams, the breaches and the follow-up. */
static void build_headlines_sla(nctx *c, strlist *out)
{
    strlist s = {0};
    headline_sla(c, &s);
    push_paragraph(c, out, &s);
    sla_times(c, &s);
    sla_reached_sentence(c, &s);
    push_paragraph(c, out, &s);
    section_groups(c, "sla_by_team", "team", "section.sla_groups", "team", &s);
    push_paragraph(c, out, &s);
    sla_breaches(c, &s);
    lp_nar_push_measure(c, &s, "followup_compliance");
    push_paragraph(c, out, &s);
}

/* The first page of a partner pack: the partners' leads and follow-up, how
 * sales took them, and the partner leads reached late. */
static void build_headlines_partners(nctx *c, strlist *out)
{
    strlist s = {0};
    section_groups(c, "sla_by_partner", "team", "section.partners", "partner", &s);
    push_paragraph(c, out, &s);
    partner_acceptance(c, &s);
    push_paragraph(c, out, &s);
    lp_template_section late = {.id = "breaches", .kind = "breaches",
                                .title = (char *)lp_nar_text(c, "title.breaches"),
                                .table = "partner_breaches"};
    section_breaches(c, &late, &s);
    push_paragraph(c, out, &s);
}

static void build_headlines(nctx *c, strlist *out)
{
    if (strcmp(subject_of(c), "sla") == 0) {
        build_headlines_sla(c, out);
        return;
    }
    if (strcmp(subject_of(c), "partners") == 0) {
        build_headlines_partners(c, out);
        return;
    }
    strlist s = {0};
    headline_volume(c, &s);
    push_paragraph(c, out, &s);
    headline_campaigns(c, &s);
    push_paragraph(c, out, &s);
    headline_amount(c, &s, "inbound_pipeline_amount", "inbound_pipeline_count",
                    "headline.pipeline", "inbound");
    push_paragraph(c, out, &s);
    headline_sla(c, &s);
    push_paragraph(c, out, &s);
    headline_amount(c, &s, "inbound_won_amount", "inbound_won_count", "headline.won",
                    "inbound");
    /* where the inbound figures cannot be known, closed business from every
     * channel is the first page's word on closed business */
    double v;
    if (!lp_nar_headline_value(c, "inbound_won_amount", &v) && lp_nar_headline_value(c, "won_count", &v))
        headline_amount(c, &s, "won_amount", "won_count", "headline.won_all", "inbound");
    push_paragraph(c, out, &s);
}

/* ---- What moved, and who acts ---- */

/* Who acts on a figure: its wording's "who" (marketing or sales), else the
 * default. */
static const char *who_of(nctx *c, const char *measure)
{
    char key[96];
    snprintf(key, sizeof key, "measure.%s.who", measure);
    const char *who = lp_nar_text_opt(c, key);
    return who ? who : lp_nar_text(c, "finding.who_default");
}

/* "Mid-Market: 3 of this week's qualified leads still waiting for a first
 * touch, more than 24 hours after hand-off": the groups (teams; partners in
 * a partner pack) with overdue MQLs of the period, most first, at most
 * MAX_WAITING of them. */
static void waiting_sentences(nctx *c, strlist *out)
{
    bool partners = strcmp(subject_of(c), "partners") == 0;
    /* both tables name their group in the column "team" */
    const lp_table *t = lp_nar_table_of(c, partners ? "sla_by_partner" : "sla_by_team");
    size_t said[MAX_WAITING];
    for (size_t k = 0; t && k < MAX_WAITING && out->n < MAX_FINDINGS; k++) {
        /* the row with the most overdue leads not said yet; ties keep the
         * table's order (by name) */
        size_t best = t->nrows;
        double most = 0, v;
        for (size_t r = 0; r < t->nrows; r++) {
            bool done = false;
            for (size_t j = 0; j < k; j++) done = done || said[j] == r;
            if (done || !lp_nar_cell_num(t, "overdue", r, &v) || !(v > most)) continue;
            best = r;
            most = v;
        }
        const char *name = best < t->nrows ? lp_nar_cell_str(t, "team", best) : NULL;
        if (!name || !*name) break;
        said[k] = best;
        char n[64], threshold[48];
        lp_nar_cite(c, partners ? "partner_sla_overdue" : "team_sla_overdue", name, NULL,
                    LP_UNIT_COUNT, most, n, sizeof n);
        lp_nar_threshold_words(c, threshold, sizeof threshold);
        lp_buf buf = {0};
        lp_nar_say(c, &buf, "finding.waiting", "subject", name, "n", n, "threshold", threshold,
                   NULL);
        lp_nar_push_sentence(c, out, &buf);
    }
}

/* ---- The findings ---- */

static int compare_rank(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* One "What changed" sentence. Only this period's changes are listed: a
 * lifetime fact (a campaign's or a team's standing conversion) is no change
 * of this period and is said on its own page with its scope. */
static void finding_sentence(nctx *c, const lp_table *t, size_t row, strlist *out)
{
    const char *kind = lp_nar_cell_str(t, "kind", row);
    const char *measure = lp_nar_cell_str(t, "measure", row);
    const char *subject = lp_nar_cell_str(t, "subject", row);
    double value = 0, base = 0;
    if (!kind || !lp_nar_cell_num(t, "value", row, &value)) return;
    bool has_base = lp_nar_cell_num(t, "base", row, &base);
    char v[64], b[64], key[96];
    lp_buf buf = {0};
    if (strcmp(kind, "volume_change") == 0 || strcmp(kind, "rate_change") == 0) {
        lp_figure f;
        if (!measure || lp_figure_get(c->r, measure, &f) != LP_OK) return;
        if (f.verdict != LP_VERDICT_REAL) return;
        lp_nar_cite_fig(c, measure, NULL, f.value, v, sizeof v);
        snprintf(key, sizeof key, "measure.%s.noun", measure);
        /* the catalogue's figure is the company's: a finding about a subject
         * of this kind is not worded with the company's numbers */
        if (subject && *subject) {
            lp_nar_drop_citations(c);
            return;
        }
        lp_nar_say(c, &buf, "finding.change", "who", who_of(c, measure), "noun", lp_nar_text(c, key),
                   "subject", "", "value", v, NULL);
        lp_nar_change_clauses(c, &f, &buf);
    } else if (strcmp(kind, "team_slow") == 0) {
        /* value and base are shares reached in time (the team's, everyone
         * else's), never durations. */
        if (!subject || !has_base) return;
        char threshold[48];
        lp_nar_cite(c, "team_sla_compliance", subject, NULL, LP_UNIT_SHARE, value, v, sizeof v);
        lp_nar_cite(c, "sla_compliance_others", subject, NULL, LP_UNIT_SHARE, base, b, sizeof b);
        lp_nar_threshold_words(c, threshold, sizeof threshold);
        lp_nar_say(c, &buf, "finding.team_slow", "subject", subject, "value", v, "base", b,
            "threshold", threshold, NULL);
    } else if (strcmp(kind, "breaches") == 0) {
        lp_nar_cite(c, "breach_count", NULL, NULL, LP_UNIT_COUNT, value, v, sizeof v);
        if (has_base) lp_nar_cite_fig(c, "sla_eligible", NULL, base, b, sizeof b);
        lp_nar_say(c, &buf, has_base ? "finding.breaches" : "finding.breaches_nobase", "who",
                   who_of(c, "sla_compliance"), "n", v, "unit", lp_nar_unit_for(c, "mql", v), "base",
                   has_base ? b : "", NULL);
    } else if (strcmp(kind, "target") == 0) {
        lp_figure f;
        if (!measure || lp_figure_get(c->r, measure, &f) != LP_OK || !(f.target > 0)) return;
        char attainment[32];
        lp_nar_cite_fig(c, measure, NULL, f.value, v, sizeof v);
        lp_nar_cite(c, "target", measure, NULL, f.def->unit, f.target, b, sizeof b);
        lp_nar_cite(c, "target_attainment", measure, NULL, LP_UNIT_SHARE, f.attainment, attainment,
             sizeof attainment);
        snprintf(key, sizeof key, "measure.%s.noun", measure);
        lp_nar_say(c, &buf, f.status == LP_TARGET_ON_TRACK ? "finding.target_met"
                                                   : "finding.target_short",
            "who", who_of(c, measure), "noun", lp_nar_text(c, key), "value", v, "target", b,
            "attainment", attainment, NULL);
    } else {
        return; /* lifetime findings and kinds this version cannot word are left out */
    }
    lp_nar_push_sentence(c, out, &buf);
}

/* What moved, and who acts: first the groups with MQLs waiting past the
 * SLA, then this period's findings, each led by who acts on it. */
static void build_changes(nctx *c, strlist *out)
{
    waiting_sentences(c, out);
    const lp_table *t = lp_nar_table_of(c, "findings");
    if (!t) return;
    double *order = lp_malloc(t->nrows * 2 * sizeof *order);
    if (!order) {
        lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        double rank;
        order[2 * i] = lp_nar_cell_num(t, "rank", i, &rank) ? rank : (double)(t->nrows + i);
        order[2 * i + 1] = (double)i;
    }
    qsort(order, t->nrows, 2 * sizeof *order, compare_rank);
    /* A pack about one subject lists only the changes of that subject:
     * response time for "sla", none of the company's for "partners" (no
     * finding is about partners). */
    const char *subject = subject_of(c);
    for (size_t i = 0; i < t->nrows && out->n < MAX_FINDINGS; i++) {
        size_t row = (size_t)order[2 * i + 1];
        if (strcmp(subject, "partners") == 0) break;
        if (strcmp(subject, "sla") == 0) {
            const char *kind = lp_nar_cell_str(t, "kind", row), *measure = lp_nar_cell_str(t, "measure", row);
            bool about_sla = (kind && (strcmp(kind, "team_slow") == 0 ||
                                       strcmp(kind, "breaches") == 0)) ||
                             (measure && (strncmp(measure, "sla_", 4) == 0 ||
                                          strncmp(measure, "followup_", 9) == 0));
            if (!about_sla) continue;
        }
        finding_sentence(c, t, row, out);
    }
    lp_free(order);
}

/* ---- KPI tiles ---- */

static void build_kpis(nctx *c, lp_narrative *n)
{
    const char *const *ids = lp_figure_kpis();
    size_t count = 0;
    while (ids[count]) count++;
    n->kpis = lp_calloc(count, sizeof *n->kpis);
    if (!n->kpis) {
        lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < count && c->status == LP_OK; i++) {
        const char *measure = ids[i];
        lp_kpi *k = &n->kpis[n->nkpis++];
        char key[96], value[64];
        snprintf(key, sizeof key, "measure.%s.label", measure);
        k->measure = lp_strdup(measure);
        k->label = lp_strdup(lp_nar_text(c, key));
        lp_figure f;
        lp_buf change = {0}, target = {0};
        const char *status = "kpi.no_target";
        if (lp_figure_get(c->r, measure, &f) == LP_OK && !isnan(f.value)) {
            lp_nar_cite_fig(c, measure, NULL, f.value, value, sizeof value);
            bool moved;
            lp_nar_change_words(c, &f, &change, &moved);
            k->real_change = moved && f.verdict == LP_VERDICT_REAL;
            lp_nar_target_clause(c, &f, &target, &status);
        } else {
            snprintf(value, sizeof value, "%s", lp_nar_text(c, "kpi.no_value"));
        }
        lp_nar_drop_citations(c); /* tiles are not sentences */
        k->value = lp_strdup(value);
        k->change = lp_strdup(change.data ? change.data : "");
        k->status = lp_strdup(lp_nar_text(c, status));
        lp_buf_reset(&change);
        lp_buf_reset(&target);
        if (!k->measure || !k->label || !k->value || !k->change || !k->status)
            lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    }
}

/* ---- Sections ---- */

static void section_cover(nctx *c, const lp_narrative *n, strlist *out)
{
    lp_buf b = {0};
    lp_nar_say(c, &b, "section.cover.period", "period", n->period_words, "as_of", n->as_of_words,
        NULL);
    lp_nar_push_sentence(c, out, &b);
    if (c->tpl && c->tpl->audience && *c->tpl->audience) {
        lp_nar_say(c, &b, "section.cover.audience", "audience", c->tpl->audience, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

static void section_headlines(nctx *c, const lp_narrative *n, strlist *out)
{
    size_t nf = 0, tested = 0, real = 0;
    const lp_figure_def *defs = lp_figure_defs(&nf);
    for (size_t i = 0; i < nf; i++) {
        lp_figure f;
        if (lp_figure_get(c->r, defs[i].id, &f) != LP_OK) continue;
        if (f.verdict != LP_VERDICT_REAL && f.verdict != LP_VERDICT_NOISE) continue;
        tested++;
        real += f.verdict == LP_VERDICT_REAL;
    }
    lp_buf b = {0};
    if (tested) {
        char r[32], all[32];
        lp_nar_cite(c, "changes_real", NULL, NULL, LP_UNIT_COUNT, (double)real, r, sizeof r);
        lp_nar_cite(c, "changes_tested", NULL, NULL, LP_UNIT_COUNT, (double)tested, all, sizeof all);
        if (!real) lp_nar_drop_citations(c), lp_nar_cite(c, "changes_tested", NULL, NULL, LP_UNIT_COUNT,
                                            (double)tested, all, sizeof all);
        lp_nar_say(c, &b, real ? "section.headlines.real" : "section.headlines.none_real", "n", r,
            "tested", all, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
    if (n->ncaveats) {
        char k[32];
        lp_nar_cite(c, "figures_switched_off", NULL, NULL, LP_UNIT_COUNT, (double)n->ncaveats, k,
             sizeof k);
        lp_nar_say(c, &b, "section.headlines.caveats", "n", k, "unit", lp_nar_unit_for(c, "figure", k), NULL);
        lp_nar_push_sentence(c, out, &b);
    }
    if (!out->n) {
        lp_nar_say(c, &b, "section.headlines.plain", NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* The key with the most of column in a breakdown table (ties: first). */
static long top_row(nctx *c, const char *table, const char *column, double *out)
{
    const lp_table *t = lp_nar_table_of(c, table);
    long best = -1;
    double v;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *key = lp_nar_cell_str(t, "key", i);
        if (!key) key = lp_nar_cell_str(t, "name", i);
        if (!key || !lp_nar_cell_num(t, column, i, &v) || v <= 0) continue;
        if (best < 0 || v > *out) {
            best = (long)i;
            *out = v;
        }
    }
    return best;
}

/* true when s is the pack's first section of its kind: the overall
 * figures are worded there, and later sections of the kind word only their
 * own table, so that a pack never repeats itself. */
static bool first_of_kind(nctx *c, const lp_template_section *s)
{
    for (size_t i = 0; c->tpl && i < c->tpl->nsections; i++) {
        if (&c->tpl->sections[i] == s) return true;
        if (strcmp(c->tpl->sections[i].kind, s->kind) == 0) return false;
    }
    return true;
}

/* How sales took the leads that came through partners (the partner row of
 * volume_by_channel): "sales accepted 64% of the 22 qualified leads that
 * came through partners". */
static void partner_acceptance(nctx *c, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "volume_by_channel");
    long partner = -1;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *key = lp_nar_cell_str(t, "key", i);
        if (key && strcasecmp(key, "partner") == 0) partner = (long)i;
    }
    double rate, n;
    lp_buf b = {0};
    if (partner >= 0 && lp_nar_cell_num(t, "acceptance_rate", (size_t)partner, &rate) &&
        lp_nar_cell_num(t, "mqls", (size_t)partner, &n) && n > 0) {
        char r[32], base[32];
        lp_nar_cite(c, "volume_acceptance_rate", "partner", NULL, LP_UNIT_SHARE, rate, r, sizeof r);
        lp_nar_cite(c, "volume_mqls", "partner", NULL, LP_UNIT_COUNT, n, base, sizeof base);
        lp_nar_say(c, &b, "section.volume.partner_acceptance", "rate", r, "base", base, "unit",
            lp_nar_unit_for(c, "mql", base), NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* A volume section shows the overall figures (first of its kind), and with
 * a breakdown table (volume_by_channel, ...) that breakdown's largest group
 * and, by channel, how partner leads fare. */
static void section_volume(nctx *c, const lp_template_section *s, strlist *out)
{
    const char *table = s->table ? s->table : "";
    bool breakdown = strncmp(table, "volume_by_", 10) == 0;
    /* a pack about one subject (partners, SLA) leaves the company's totals
     * to the packs about the company */
    if (first_of_kind(c, s) && (strcmp(subject_of(c), "company") == 0 || !breakdown)) {
        lp_nar_push_measure(c, out, "mql_count");
        lp_nar_push_measure(c, out, "acceptance_rate");
    }
    if (!breakdown) {
        if (!out->n) lp_nar_push_section_missing(c, out, s, "lead");
        return;
    }
    double mqls = 0;
    long row = top_row(c, table, "mqls", &mqls);
    lp_buf b = {0};
    if (row >= 0) {
        char v[32], dimension_key[64];
        lp_nar_cite(c, "volume_mqls", lp_nar_cell_str(lp_nar_table_of(c, table), "key", (size_t)row), NULL,
             LP_UNIT_COUNT, mqls, v, sizeof v);
        snprintf(dimension_key, sizeof dimension_key, "dimension.%s", table + 10);
        lp_nar_say(c, &b, "section.volume.top_key", "dimension", lp_nar_text(c, dimension_key), "key",
            lp_nar_cell_str(lp_nar_table_of(c, table), "key", (size_t)row), "value", v, "unit",
            lp_nar_unit_for(c, "mql", v), NULL);
        lp_nar_push_sentence(c, out, &b);
    }
    if (strcmp(table, "volume_by_channel") == 0) partner_acceptance(c, out);
    if (!out->n) lp_nar_push_section_missing(c, out, s, "lead");
}

static void section_campaigns(nctx *c, const lp_template_section *s, strlist *out)
{
    if (s->table && strcmp(s->table, "attribution") == 0) {
        lp_buf b = {0};
        lp_nar_say(c, &b, "section.campaigns.attribution", "model",
            lp_nar_text(c, attribution_key(c->r->settings)), NULL);
        lp_nar_push_sentence(c, out, &b);
        return;
    }
    if (!first_of_kind(c, s) && !(s->table && strcmp(s->table, "campaign_tests") == 0))
        return; /* the default intro */
    headline_campaigns(c, out);
    if (s->table && strcmp(s->table, "campaign_tests") == 0) return;
    double pipeline = 0;
    const lp_table *t = lp_nar_table_of(c, "campaigns");
    long best = -1;
    double v;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *id = lp_nar_cell_str(t, "campaign_id", i);
        if (!id || strcmp(id, "(no campaign)") == 0 || !lp_nar_cell_num(t, "pipeline", i, &v) ||
            v <= 0)
            continue;
        if (best < 0 || v > pipeline) best = (long)i, pipeline = v;
    }
    if (best >= 0) {
        char amount[64];
        const char *name = lp_nar_cell_str(t, "name", (size_t)best);
        lp_nar_cite(c, "campaign_pipeline", name ? name : lp_nar_cell_str(t, "campaign_id", (size_t)best),
             NULL, LP_UNIT_MONEY, pipeline, amount, sizeof amount);
        const char *model_key = attribution_key(c->r->settings);
        lp_buf b = {0};
        lp_nar_say(c, &b, "section.campaigns.top_pipeline", "name",
            name ? name : lp_nar_cell_str(t, "campaign_id", (size_t)best), "amount", amount, "model",
            lp_nar_text(c, model_key), NULL);
        lp_nar_push_sentence(c, out, &b);
    }
    const char *reason = lp_nar_switched_off_reason(c, "cost");
    if (reason) {
        lp_buf b = {0};
        lp_nar_say(c, &b, "section.campaigns.no_cost", "reason", reason, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

static void section_pipeline(nctx *c, strlist *out)
{
    headline_amount(c, out, "inbound_pipeline_amount", "inbound_pipeline_count",
                    "headline.pipeline", "inbound");
    const lp_table *t = lp_nar_table_of(c, "coverage");
    double open, remaining, coverage;
    if (t && lp_nar_cell_num(t, "open_inbound_pipeline", 0, &open) &&
        lp_nar_cell_num(t, "remaining_quota", 0, &remaining) && lp_nar_cell_num(t, "coverage", 0, &coverage) &&
        remaining > 0) {
        char o[64], rq[64], times[32];
        lp_nar_cite(c, "open_inbound_pipeline_amount", NULL, NULL, LP_UNIT_MONEY, open, o, sizeof o);
        lp_nar_cite(c, "remaining_quota", NULL, NULL, LP_UNIT_MONEY, remaining, rq, sizeof rq);
        lp_nar_cite(c, "pipeline_coverage", NULL, NULL, LP_UNIT_RATIO, coverage, times, sizeof times);
        lp_buf b = {0};
        lp_nar_say(c, &b, "section.pipeline.coverage", "open", o, "remaining", rq, "times", times,
            NULL);
        lp_nar_push_sentence(c, out, &b);
    } else {
        lp_nar_push_measure(c, out, "open_inbound_pipeline_amount");
    }
}

/* The response curve in a few numbers (the "All" row of sla_reached):
 * "sales reached 33% of this week's 120 qualified leads within 1 hour, 61%
 * within 4 hours, 84% within 24 hours and 90% within 2 days". */
static void sla_reached_sentence(nctx *c, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "sla_reached");
    long all = -1;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *team = lp_nar_cell_str(t, "team", i);
        if (team && strcmp(team, "All") == 0) all = (long)i;
    }
    static const char *const columns[] = {"within_1h", "within_4h", "within_24h", "within_48h"};
    static const double marks[] = {1, 4, 24, 48};
    double mqls, share[4];
    if (all < 0 || !lp_nar_cell_num(t, "mqls", (size_t)all, &mqls) || !(mqls > 0)) return;
    for (size_t k = 0; k < 4; k++)
        if (!lp_nar_cell_num(t, columns[k], (size_t)all, &share[k])) return;
    char n[32], v[4][32], h[4][48];
    lp_nar_cite(c, "sla_reached_mqls", NULL, NULL, LP_UNIT_COUNT, mqls, n, sizeof n);
    for (size_t k = 0; k < 4; k++) {
        char figure[48];
        snprintf(figure, sizeof figure, "sla_reached_%s", columns[k]);
        lp_nar_cite(c, figure, NULL, NULL, LP_UNIT_SHARE, share[k], v[k], sizeof v[k]);
        lp_nar_cite(c, "sla_reached_mark", NULL, NULL, LP_UNIT_HOURS, marks[k], h[k], sizeof h[k]);
    }
    lp_buf b = {0};
    lp_nar_say(c, &b, "section.sla.reached", "n", n, "unit", lp_nar_unit_for(c, "mql", n), "v1", v[0], "h1",
        h[0], "v2", v[1], "h2", h[1], "v3", v[2], "h3", h[2], "v4", v[3], "h4", h[3], NULL);
    lp_nar_push_sentence(c, out, &b);
}

/* Median and 90th-percentile hours to first touch. */
static void sla_times(nctx *c, strlist *out)
{
    double median, p90;
    lp_buf b = {0};
    if (lp_nar_headline_value(c, "sla_median_hours", &median)) {
        char m[48], p[48];
        lp_nar_cite_fig(c, "sla_median_hours", NULL, median, m, sizeof m);
        if (lp_nar_headline_value(c, "sla_p90_hours", &p90)) {
            lp_nar_cite_fig(c, "sla_p90_hours", NULL, p90, p, sizeof p);
            lp_nar_say(c, &b, "section.sla.times", "median", m, "p90", p, NULL);
        } else {
            lp_nar_say(c, &b, "section.sla.median", "median", m, NULL);
        }
        lp_nar_push_sentence(c, out, &b);
    }
}

/* How many MQLs of P were reached late or not at all. */
static void sla_breaches(nctx *c, strlist *out)
{
    lp_buf b = {0};
    const lp_table *breaches = lp_results_table(c->r, "breaches");
    if (breaches) {
        char n[32];
        lp_nar_cite(c, "breach_count", NULL, NULL, LP_UNIT_COUNT, (double)breaches->nrows, n, sizeof n);
        if (!breaches->nrows) lp_nar_drop_citations(c);
        lp_nar_say(c, &b, breaches->nrows ? "section.sla.breaches" : "section.sla.no_breaches", "n", n,
            "unit", lp_nar_unit_for(c, "mql", n), NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

static void section_sla(nctx *c, strlist *out)
{
    headline_sla(c, out);
    sla_times(c, out);
    sla_breaches(c, out);
}

static void section_won(nctx *c, strlist *out)
{
    headline_amount(c, out, "inbound_won_amount", "inbound_won_count", "headline.won",
                    "inbound");
    lp_nar_push_measure(c, out, "inbound_win_rate");
    lp_nar_push_measure(c, out, "inbound_cycle_median_days");
    /* closed business from every channel, beside the inbound figures */
    double won;
    if (lp_nar_headline_value(c, "won_count", &won)) {
        headline_amount(c, out, "won_amount", "won_count", "headline.won_all", "inbound");
        lp_nar_push_measure(c, out, "win_rate");
    }
}

/* The funnel: the cohort's overall conversion, then where it narrows most.
 * The step into won counts open opportunities as not yet won, so it is
 * said through the closed win rate and the open count, and it is never
 * called the biggest drop while most of its cohort is still open. */
static void section_funnel(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "funnel");
    double first, last, reached;
    if (!t || !lp_nar_cell_num(t, "reached", 0, &first) || !lp_nar_cell_num(t, "reached", t->nrows - 1, &last)) {
        lp_nar_push_section_missing(c, out, s, "funnel");
        return;
    }
    char a[32], z[32];
    lp_nar_cite(c, "funnel_reached", "lead", NULL, LP_UNIT_COUNT, first, a, sizeof a);
    lp_nar_cite(c, "funnel_reached", "won", NULL, LP_UNIT_COUNT, last, z, sizeof z);
    lp_buf b = {0};
    char periods[16];
    lp_nar_cite(c, "window_periods", NULL, NULL, LP_UNIT_COUNT, 13, periods, sizeof periods);
    lp_nar_say(c, &b, "section.funnel.overall", "leads", a, "unit", lp_nar_unit_for(c, "lead", a), "won", z,
        "periods", periods, NULL);
    lp_nar_push_sentence(c, out, &b);
    size_t won_row = t->nrows - 1;
    double open = 0, closed = 0, closed_rate = 0;
    bool has_closed = lp_nar_cell_num(t, "open", won_row, &open) &&
                      lp_nar_cell_num(t, "closed", won_row, &closed);
    bool mostly_open = has_closed && open > closed;
    if (has_closed && open + closed > 0) {
        char o[32], cl[32], r[32], all[32];
        lp_nar_cite(c, "funnel_reached", "opportunity", NULL, LP_UNIT_COUNT, open + closed, all,
             sizeof all);
        lp_nar_cite(c, "funnel_open", NULL, NULL, LP_UNIT_COUNT, open, o, sizeof o);
        if (closed > 0 && lp_nar_cell_num(t, "closed_win_rate", won_row, &closed_rate)) {
            lp_nar_cite(c, "funnel_closed_win_rate", NULL, NULL, LP_UNIT_SHARE, closed_rate, r,
                 sizeof r);
            lp_nar_cite(c, "funnel_closed", NULL, NULL, LP_UNIT_COUNT, closed, cl, sizeof cl);
            lp_nar_say(c, &b, "section.funnel.closed", "opportunities", all, "open", o, "rate", r,
                "closed", cl, NULL);
        } else {
            lp_nar_say(c, &b, "section.funnel.all_open", "opportunities", all, "open", o, NULL);
        }
        lp_nar_push_sentence(c, out, &b);
    }
    /* The step with the lowest conversion from the one before, leaving out
     * the step into won while most of its cohort is still open. */
    long worst = -1;
    double worst_rate = 2, rate;
    for (size_t i = 1; i < t->nrows; i++) {
        if (i == won_row && (mostly_open || !has_closed)) continue;
        if (lp_nar_cell_num(t, "rate", i, &rate) && rate < worst_rate) worst = (long)i, worst_rate = rate;
    }
    if (worst > 0 && lp_nar_cell_num(t, "reached", (size_t)worst - 1, &reached)) {
        char from_key[64], to_key[64], r[32], base[32];
        const char *to = lp_nar_cell_str(t, "step", (size_t)worst);
        const char *from = lp_nar_cell_str(t, "step", (size_t)worst - 1);
        snprintf(from_key, sizeof from_key, "funnel.%s", from);
        snprintf(to_key, sizeof to_key, "funnel.%s", to);
        lp_nar_cite(c, "funnel_rate", to, NULL, LP_UNIT_SHARE, worst_rate, r, sizeof r);
        lp_nar_cite(c, "funnel_reached", from, NULL, LP_UNIT_COUNT, reached, base, sizeof base);
        lp_nar_say(c, &b, "section.funnel.drop", "from", lp_nar_text(c, from_key), "to", lp_nar_text(c, to_key),
            "rate", r, "base", base, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

static void section_routing(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "routing");
    lp_buf b = {0};
    if (!t) {
        lp_nar_push_section_missing(c, out, s, "team");
        return;
    }
    /* The best route: a team whose interval lies wholly above every other's. */
    long best = -1;
    for (size_t i = 0; i < t->nrows && best < 0; i++) {
        double low, high;
        if (!lp_nar_cell_num(t, "low", i, &low)) continue;
        bool above = t->nrows > 1;
        for (size_t j = 0; j < t->nrows && above; j++)
            if (j != i && (!lp_nar_cell_num(t, "high", j, &high) || high >= low)) above = false;
        if (above) best = (long)i;
    }
    if (best >= 0) {
        double rate = 0, won = 0, mqls = 0;
        char r[32], w[32], m[32];
        lp_nar_cell_num(t, "rate", (size_t)best, &rate);
        lp_nar_cell_num(t, "won", (size_t)best, &won);
        lp_nar_cell_num(t, "mqls", (size_t)best, &mqls);
        const char *team = lp_nar_cell_str(t, "team", (size_t)best);
        lp_nar_cite(c, "routing_rate", team, NULL, LP_UNIT_SHARE, rate, r, sizeof r);
        lp_nar_cite(c, "routing_won", team, NULL, LP_UNIT_COUNT, won, w, sizeof w);
        lp_nar_cite(c, "routing_mqls", team, NULL, LP_UNIT_COUNT, mqls, m, sizeof m);
        lp_nar_say(c, &b, "section.routing.best", "team", lp_nar_cell_str(t, "team", (size_t)best), "rate", r,
            "won", w, "mqls", m, NULL);
    } else {
        lp_nar_say(c, &b, "section.routing.no_best", NULL);
    }
    lp_nar_push_sentence(c, out, &b);
    lp_nar_say(c, &b, "section.routing.how", NULL);
    lp_nar_push_sentence(c, out, &b);
}

static void section_forecast(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "forecast");
    double v, low, high;
    lp_buf b = {0};
    if (!t || !lp_nar_cell_num(t, "mql_forecast", 0, &v)) {
        lp_nar_push_section_missing(c, out, s, "forecast");
        return;
    }
    char fv[32], lo[32], hi[32];
    const char *next = lp_nar_cell_str(t, "period", 0);
    lp_nar_cite(c, "forecast_mqls", NULL, next, LP_UNIT_COUNT, v < 0 ? 0 : v, fv, sizeof fv);
    if (lp_nar_cell_num(t, "low", 0, &low) && lp_nar_cell_num(t, "high", 0, &high)) {
        lp_nar_cite(c, "forecast_mqls_low", NULL, next, LP_UNIT_COUNT, low < 0 ? 0 : low, lo, sizeof lo);
        lp_nar_cite(c, "forecast_mqls_high", NULL, next, LP_UNIT_COUNT, high, hi, sizeof hi);
        lp_nar_say(c, &b, "section.forecast.next", "value", fv, "unit", lp_nar_unit_for(c, "mql", fv), "low",
            lo, "high", hi, NULL);
    } else {
        lp_nar_say(c, &b, "section.forecast.next_point", "value", fv, "unit", lp_nar_unit_for(c, "mql", fv),
            NULL);
    }
    lp_nar_push_sentence(c, out, &b);
    char periods[16];
    lp_nar_cite(c, "window_periods", NULL, NULL, LP_UNIT_COUNT, 13, periods, sizeof periods);
    lp_nar_say(c, &b, "section.forecast.how", "periods", periods, NULL);
    lp_nar_push_sentence(c, out, &b);
}

static void section_quality(nctx *c, const lp_narrative *n, strlist *out)
{
    lp_buf b = {0};
    if (n->ncaveats) {
        char k[32];
        lp_nar_cite(c, "figures_switched_off", NULL, NULL, LP_UNIT_COUNT, (double)n->ncaveats, k,
             sizeof k);
        lp_nar_say(c, &b, "section.quality.switched_off", "n", k, "unit", lp_nar_unit_for(c, "figure", k),
            NULL);
    } else {
        lp_nar_say(c, &b, "section.quality.complete", NULL);
    }
    lp_nar_push_sentence(c, out, &b);
    const lp_dataset *ds = c->r->dataset;
    if (ds) {
        lp_nar_say(c, &b, "section.quality.rejects", NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* The breaches of the section's table: every breach (breaches), or the
 * partners' (partner_breaches, worded as partner leads, the longest wait
 * named with its partner). */
static void section_breaches(nctx *c, const lp_template_section *s, strlist *out)
{
    bool partners = s->table && strcmp(s->table, "partner_breaches") == 0;
    const lp_table *t = lp_results_table(c->r, partners ? "partner_breaches" : "breaches");
    lp_buf b = {0};
    if (!t) {
        lp_nar_push_section_missing(c, out, s, "SLA");
        return;
    }
    char n[32], threshold[48];
    const char *figure = partners ? "partner_breach_count" : "breach_count";
    if (t->nrows) lp_nar_cite(c, figure, NULL, NULL, LP_UNIT_COUNT, (double)t->nrows, n, sizeof n);
    else snprintf(n, sizeof n, "0");
    lp_nar_threshold_words(c, threshold, sizeof threshold);
    const char *prefix = partners ? "section.partner_breaches" : "section.breaches";
    char key[96];
    snprintf(key, sizeof key, "%s.%s", prefix, t->nrows ? "count" : "none");
    lp_nar_say(c, &b, key, "n", n, "unit", lp_nar_unit_for(c, partners ? "partner_lead" : "mql", n),
        "threshold", threshold, NULL);
    lp_nar_push_sentence(c, out, &b);
    long worst = -1;
    double most = 0, late;
    for (size_t i = 0; i < t->nrows; i++)
        if (lp_nar_cell_num(t, "hours_late", i, &late) && (worst < 0 || late > most))
            worst = (long)i, most = late;
    if (worst >= 0) {
        char h[48];
        const char *group = lp_nar_cell_str(t, partners ? "partner" : "team", (size_t)worst);
        lp_nar_cite(c, "hours_late", lp_nar_cell_str(t, "lead_id", (size_t)worst), NULL, LP_UNIT_HOURS, most,
             h, sizeof h);
        snprintf(key, sizeof key, "%s.%s", prefix, group && *group ? "worst_team" : "worst");
        lp_nar_say(c, &b, key, "hours", h, "team", group ? group : "", NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* true when row i of an SLA group table may be ranked: enough eligible
 * MQLs (the measures' ranked column, from settings sla_min_leads). A table
 * without the column ranks every row. */
static bool ranked_row(const lp_table *t, size_t i)
{
    const lp_column *col = lp_table_column(t, "ranked");
    return !col || col->type != LP_TYPE_BOOL || !lp_column_valid(col, i) || col->v.b[i];
}

/* Count and best-to-worst compliance of the groups of an SLA table
 * (sla_by_team, sla_by_owner, sla_by_partner); prefix picks the wording
 * ("section.partners" or "section.sla_groups"). Only ranked groups are
 * named best or worst, each with its base; the others are counted in a
 * sentence of their own. */
static void section_groups(nctx *c, const char *table, const char *key_column,
                           const char *prefix, const char *group_unit, strlist *out)
{
    char key[96];
    const lp_table *t = lp_nar_table_of(c, table);
    lp_buf b = {0};
    if (!t) {
        if (out->n) return; /* the overall sentences already speak */
        snprintf(key, sizeof key, "%s.none", prefix);
        lp_nar_say(c, &b, key, NULL);
        lp_nar_push_sentence(c, out, &b);
        return;
    }
    double received = 0, v;
    size_t unranked = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        if (lp_nar_cell_num(t, "eligible", i, &v)) received += v;
        unranked += !ranked_row(t, i);
    }
    char n[32], k[32];
    lp_nar_cite(c, "groups", table, NULL, LP_UNIT_COUNT, (double)t->nrows, k, sizeof k);
    lp_nar_cite(c, "team_sla_eligible", table, NULL, LP_UNIT_COUNT, received, n, sizeof n);
    snprintf(key, sizeof key, "%s.count", prefix);
    lp_nar_say(c, &b, key, "groups", k, "group_unit", lp_nar_unit_for(c, group_unit, k), "n", n, "unit",
        lp_nar_unit_for(c, "mql", n), NULL);
    lp_nar_push_sentence(c, out, &b);
    long best = -1, worst = -1;
    double best_rate = -1, worst_rate = 2;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!ranked_row(t, i) || !lp_nar_cell_num(t, "compliance", i, &v)) continue;
        if (v > best_rate) best = (long)i, best_rate = v;
        if (v < worst_rate) worst = (long)i, worst_rate = v;
    }
    double best_n = 0, worst_n = 0;
    if (best >= 0 && worst >= 0 && best != worst &&
        lp_nar_cell_num(t, "eligible", (size_t)best, &best_n) &&
        lp_nar_cell_num(t, "eligible", (size_t)worst, &worst_n)) {
        char br[32], wr[32], bn[32], wn[32];
        const char *bname = lp_nar_cell_str(t, key_column, (size_t)best);
        const char *wname = lp_nar_cell_str(t, key_column, (size_t)worst);
        lp_nar_cite(c, "team_sla_compliance", bname, NULL, LP_UNIT_SHARE, best_rate, br, sizeof br);
        lp_nar_cite(c, "team_sla_eligible", bname, NULL, LP_UNIT_COUNT, best_n, bn, sizeof bn);
        lp_nar_cite(c, "team_sla_compliance", wname, NULL, LP_UNIT_SHARE, worst_rate, wr, sizeof wr);
        lp_nar_cite(c, "team_sla_eligible", wname, NULL, LP_UNIT_COUNT, worst_n, wn, sizeof wn);
        snprintf(key, sizeof key, "%s.range", prefix);
        lp_nar_say(c, &b, key, "best", bname, "best_rate", br, "best_n", bn, "worst", wname,
            "worst_rate", wr, "worst_n", wn, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
    if (unranked) {
        char u[32], least[32];
        int min = c->r->settings && c->r->settings->sla_min_leads > 0
                      ? c->r->settings->sla_min_leads
                      : 5;
        lp_nar_cite(c, "groups_unranked", table, NULL, LP_UNIT_COUNT, (double)unranked, u, sizeof u);
        lp_nar_cite(c, "sla_min_leads", NULL, NULL, LP_UNIT_COUNT, (double)min, least, sizeof least);
        lp_nar_say(c, &b, unranked == t->nrows ? "section.sla_groups.none_ranked"
                                        : "section.sla_groups.unranked",
            "n", u, "unit", lp_nar_unit_for(c, group_unit, u), "least", least, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

static void section_parameters(nctx *c, strlist *out)
{
    char threshold[48];
    const char *model_key = attribution_key(c->r->settings);
    lp_nar_threshold_words(c, threshold, sizeof threshold);
    lp_buf b = {0};
    lp_nar_say(c, &b, "section.parameters.summary", "threshold", threshold, "model",
        lp_nar_text(c, model_key), NULL);
    lp_nar_push_sentence(c, out, &b);
}

static void build_section(nctx *c, const lp_template_section *s, const lp_narrative *n,
                          strlist *out)
{
    const char *k = s->kind;
    if (strcmp(k, "cover") == 0) section_cover(c, n, out);
    else if (strcmp(k, "headlines") == 0) section_headlines(c, n, out);
    else if (strcmp(k, "volume") == 0) section_volume(c, s, out);
    else if (strcmp(k, "campaigns") == 0) section_campaigns(c, s, out);
    else if (strcmp(k, "pipeline") == 0) section_pipeline(c, out);
    else if (strcmp(k, "sla") == 0) {
        if (first_of_kind(c, s)) section_sla(c, out);
        if (s->table && strcmp(s->table, "sla_reached") == 0)
            sla_reached_sentence(c, out);
        else if (s->table && strcmp(s->table, "sla_by_team") == 0)
            section_groups(c, "sla_by_team", "team", "section.sla_groups", "team", out);
        else if (s->table && strcmp(s->table, "sla_by_owner") == 0) {
            /* Reps by name: the measures give owner_name (the id without a
             * users export). */
            const lp_table *owners = lp_results_table(c->r, "sla_by_owner");
            bool named = owners && lp_table_column(owners, "owner_name");
            section_groups(c, "sla_by_owner", named ? "owner_name" : "owner_id",
                           "section.sla_groups", "rep", out);
        }
    }
    else if (strcmp(k, "won") == 0) section_won(c, out);
    else if (strcmp(k, "funnel") == 0) section_funnel(c, s, out);
    else if (strcmp(k, "routing") == 0) section_routing(c, s, out);
    else if (strcmp(k, "forecast") == 0) section_forecast(c, s, out);
    else if (strcmp(k, "quality") == 0) section_quality(c, n, out);
    else if (strcmp(k, "breaches") == 0) section_breaches(c, s, out);
    else if (strcmp(k, "partners") == 0)
        section_groups(c, "sla_by_partner", "team", "section.partners", "partner", out);
    else if (strcmp(k, "parameters") == 0) section_parameters(c, out);
    if (!out->n && c->status == LP_OK) {
        /* definitions, detail, and any section without figures to word. */
        char key[64];
        snprintf(key, sizeof key, "section.%s.intro", k);
        if (!lp_nar_text_opt(c, key)) snprintf(key, sizeof key, "section.default.intro");
        lp_buf b = {0};
        lp_nar_say(c, &b, key, "title", s->title ? s->title : s->id, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* ---- Glossary and caveats ---- */

static lp_status load_glossary(nctx *c, const char *templates_dir, lp_narrative *n)
{
    lp_buf path = {0};
    lp_buf_printf(&path, "%s/definitions.yaml", templates_dir);
    if (path.failed) return LP_ERR_NOMEM;
    yaml_document_t doc;
    lp_status status = lp_yaml_load(path.data, NULL, &doc, c->errmsg);
    if (status == LP_ERR_IO) status = LP_ERR_CONFIG;
    if (status != LP_OK) goto done;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *terms = NULL;
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
             p++) {
            const char *key = lp_yaml_scalar(yaml_document_get_node(&doc, p->key));
            if (key && strcmp(key, "terms") == 0) terms = yaml_document_get_node(&doc, p->value);
        }
    }
    if (!terms || terms->type != YAML_SEQUENCE_NODE) {
        lp_errmsg_set(c->errmsg, "%s line %d: expected \"terms:\" with a list of terms",
                      path.data, root ? lp_yaml_line(root) : 1);
        status = LP_ERR_CONFIG;
        goto cleanup;
    }
    size_t count = (size_t)(terms->data.sequence.items.top - terms->data.sequence.items.start);
    n->glossary_terms = lp_calloc(count ? count : 1, sizeof *n->glossary_terms);
    n->glossary_texts = lp_calloc(count ? count : 1, sizeof *n->glossary_texts);
    if (!n->glossary_terms || !n->glossary_texts) {
        status = LP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = yaml_document_get_node(&doc, terms->data.sequence.items.start[i]);
        const char *term = NULL, *definition = NULL;
        if (item && item->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
                 p < item->data.mapping.pairs.top; p++) {
                const char *key = lp_yaml_scalar(yaml_document_get_node(&doc, p->key));
                const char *value = lp_yaml_scalar(yaml_document_get_node(&doc, p->value));
                if (key && strcmp(key, "term") == 0) term = value;
                else if (key && strcmp(key, "definition") == 0) definition = value;
            }
        }
        if (!term || !definition || !*term || !*definition) {
            lp_errmsg_set(c->errmsg, "%s line %d: a term needs \"term:\" and \"definition:\"",
                          path.data, lp_yaml_line(item));
            status = LP_ERR_CONFIG;
            goto cleanup;
        }
        n->glossary_terms[i] = lp_strdup(term);
        n->glossary_texts[i] = lp_strdup(definition);
        n->nglossary = i + 1;
        if (!n->glossary_terms[i] || !n->glossary_texts[i]) {
            status = LP_ERR_NOMEM;
            goto cleanup;
        }
    }
cleanup:
    yaml_document_delete(&doc);
done:
    lp_buf_reset(&path);
    return status;
}

static void build_caveats(nctx *c, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "switched_off");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *figure = lp_nar_cell_str(t, "figure", i), *reason = lp_nar_cell_str(t, "reason", i);
        if (!figure || !*figure) continue;
        lp_buf b = {0};
        if (reason && *reason)
            lp_nar_say(c, &b, "caveat.switched_off", "figure", figure, "reason", reason, NULL);
        else
            lp_nar_say(c, &b, "caveat.switched_off_noreason", "figure", figure, NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* What the ledger says was restated since it was published: one sentence
 * per figure, its published and current values cited, its cause as the
 * ledger worked it out. */
static void build_restated(nctx *c, strlist *out)
{
    const lp_table *t = lp_nar_table_of(c, "restatements");
    for (size_t i = 0; t && i < t->nrows && c->status == LP_OK; i++) {
        const char *measure = lp_nar_cell_str(t, "measure", i), *period = lp_nar_cell_str(t, "period", i);
        const char *cause = lp_nar_cell_str(t, "cause", i);
        const lp_figure_def *def = lp_figure_def_find(measure);
        double published, now;
        if (!def || !period || !lp_nar_cell_num(t, "published", i, &published) ||
            !lp_nar_cell_num(t, "now", i, &now))
            continue;
        char then_text[64], now_text[64];
        lp_nar_cite(c, def->id, NULL, period, def->unit, published, then_text, sizeof then_text);
        lp_nar_cite(c, def->id, NULL, period, def->unit, now, now_text, sizeof now_text);
        lp_buf b = {0};
        lp_nar_say(c, &b, "restated.row", "label", def->label, "period", period, "published",
            then_text, "now", now_text, "cause", cause ? cause : "", NULL);
        lp_nar_push_sentence(c, out, &b);
    }
}

/* ---- Period and as-of words ---- */

static char *period_words(nctx *c)
{
    const lp_results *r = c->r;
    int64_t start = lp_period_start(&r->calendar, r->period);
    int64_t y;
    int m, d;
    lp_instant_to_local(start, &y, &m, &d, NULL, NULL, NULL);
    char start_text[48], month_key[32], year[16], quarter_key[32], fy[16] = "";
    lp_fmt_date(start, start_text, sizeof start_text);
    snprintf(month_key, sizeof month_key, "month.%d", m);
    snprintf(year, sizeof year, "%lld", (long long)y);
    const char *q = strchr(r->period_label, 'Q');
    snprintf(quarter_key, sizeof quarter_key, "ordinal.%c", q && q[1] ? q[1] : '1');
    if (strncmp(r->period_label, "FY", 2) == 0)
        snprintf(fy, sizeof fy, "%.*s", (int)strcspn(r->period_label + 2, "-"),
                 r->period_label + 2);
    char key[64];
    snprintf(key, sizeof key, "period.%s.name", c->kind);
    lp_buf b = {0};
    lp_nar_say(c, &b, key, "start", start_text, "month", lp_nar_text(c, month_key), "year", year, "quarter",
        lp_nar_text(c, quarter_key), "fiscal_year", fy, "label", r->period_label, NULL);
    if (b.failed) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    char *words = b.data ? b.data : lp_strdup("");
    if (!words) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    return words;
}

static char *as_of_words(nctx *c)
{
    int64_t y;
    int m, d, hh, mm;
    lp_instant_to_local(c->r->as_of, &y, &m, &d, &hh, &mm, NULL);
    char date[48], time_text[16];
    lp_fmt_date(c->r->as_of, date, sizeof date);
    snprintf(time_text, sizeof time_text, "%02d:%02d", hh, mm);
    lp_buf b = {0};
    lp_nar_say(c, &b, "as_of", "date", date, "time", time_text, "zone", lp_tz_name(), NULL);
    char *words = b.data ? b.data : lp_strdup("");
    if (!words) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    return words;
}

/* What a section's table covers, when that is not the period: said under
 * its heading so a lifetime figure never passes as this period's. */
static char *scope_words(nctx *c, const lp_template_section *s)
{
    lp_buf b = {0};
    char date[48], key[64];
    lp_fmt_date(c->r->as_of, date, sizeof date);
    lp_scope scope = lp_result_scope(s->table);
    if (scope != LP_SCOPE_PERIOD) {
        snprintf(key, sizeof key, "scope.%s", lp_scope_name(scope));
        const char *model = lp_nar_text(c, attribution_key(c->r->settings));
        bool attributed = s->table && (strcmp(s->table, "campaigns") == 0 ||
                                       strcmp(s->table, "campaign_tests") == 0);
        lp_nar_say(c, &b, key, "as_of", date, NULL);
        if (attributed) lp_nar_say(c, &b, "scope.model", "model", model, NULL);
    }
    if (b.failed) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    char *words = b.data ? b.data : lp_strdup("");
    if (!words) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    return words;
}

/* ---- Public ---- */

static void free_statements(lp_statement *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lp_free(st[i].id);
        lp_free(st[i].section);
        lp_free(st[i].text);
        lp_free(st[i].figure);
        lp_free(st[i].subject);
        lp_free(st[i].period);
        lp_free(st[i].unit);
    }
    lp_free(st);
}

static void take_list(strlist *list, char ***out_items, size_t *out_n)
{
    *out_items = list->items;
    *out_n = list->n;
    memset(list, 0, sizeof *list);
}

lp_status lp_narrative_build(const lp_results *results, const lp_template *tpl,
                             const char *templates_dir, lp_narrative **out_narrative,
                             char *errmsg)
{
    if (!results || !templates_dir || !out_narrative) {
        lp_errmsg_set(errmsg, "lp_narrative_build: missing argument");
        return LP_ERR_USAGE;
    }
    nctx c = {.r = results, .tpl = tpl, .errmsg = errmsg};
    const lp_settings *settings = results->settings;
    c.currency = settings && settings->currency[0] ? settings->currency : "USD";
    c.sla_hours = settings && settings->sla_hours > 0 ? settings->sla_hours : 24.0;
    c.sla_target = settings ? settings->sla_target : 0.95;
    c.kind = lp_period_kind_name(results->calendar.kind);
    strlist headlines = {0}, changes = {0}, caveats = {0}, section = {0}, restated = {0};
    lp_narrative *n = lp_calloc(1, sizeof *n);
    lp_status status = n ? lp_template_wording_load(templates_dir, &c.defaults, errmsg)
                         : LP_ERR_NOMEM;
    if (status != LP_OK) goto cleanup;
    status = load_glossary(&c, templates_dir, n);
    if (status != LP_OK) goto cleanup;

    n->title = lp_strdup(tpl && tpl->title ? tpl->title : lp_nar_text(&c, "pack.title"));
    if (!n->title) lp_nar_fail(&c, LP_ERR_NOMEM, "out of memory");
    n->period_words = period_words(&c);
    n->as_of_words = as_of_words(&c);
    lp_nar_begin_section(&c, "caveats");
    build_caveats(&c, &caveats);
    take_list(&caveats, &n->caveats, &n->ncaveats);
    lp_nar_begin_section(&c, "restated");
    build_restated(&c, &restated);
    take_list(&restated, &n->restated, &n->nrestated);
    lp_nar_begin_section(&c, "summary");
    build_headlines(&c, &headlines);
    take_list(&headlines, &n->headlines, &n->nheadlines);
    lp_nar_begin_section(&c, "what_changed");
    build_changes(&c, &changes);
    take_list(&changes, &n->changes, &n->nchanges);
    lp_nar_begin_section(&c, "kpis");
    build_kpis(&c, n);
    if (tpl && tpl->nsections && c.status == LP_OK) {
        n->sections = lp_calloc(tpl->nsections, sizeof *n->sections);
        if (!n->sections) lp_nar_fail(&c, LP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < tpl->nsections && c.status == LP_OK; i++) {
            lp_narrative_section *ns = &n->sections[n->nsections++];
            ns->id = lp_strdup(tpl->sections[i].id);
            if (!ns->id) lp_nar_fail(&c, LP_ERR_NOMEM, "out of memory");
            lp_nar_begin_section(&c, tpl->sections[i].id);
            ns->scope = scope_words(&c, &tpl->sections[i]);
            build_section(&c, &tpl->sections[i], n, &section);
            take_list(&section, &ns->sentences, &ns->nsentences);
        }
    }
    lp_nar_drop_citations(&c);
    status = c.status;
    if (status == LP_OK) {
        n->statements = c.statements;
        n->nstatements = c.nstatements;
        c.statements = NULL;
        c.nstatements = 0;
    }
cleanup:
    lp_nar_drop_citations(&c);
    free_statements(c.statements, c.nstatements);
    if (status == LP_ERR_NOMEM) lp_errmsg_set(errmsg, "out of memory");
    lp_nar_strlist_free(&headlines);
    lp_nar_strlist_free(&changes);
    lp_nar_strlist_free(&caveats);
    lp_nar_strlist_free(&section);
    lp_nar_strlist_free(&restated);
    lp_template_free(c.defaults);
    if (status != LP_OK) {
        lp_narrative_free(n);
        return status;
    }
    *out_narrative = n;
    return LP_OK;
}

static void free_strings(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) lp_free(items[i]);
    lp_free(items);
}

void lp_narrative_free(lp_narrative *n)
{
    if (!n) return;
    lp_free(n->title);
    lp_free(n->period_words);
    lp_free(n->as_of_words);
    free_strings(n->headlines, n->nheadlines);
    free_strings(n->changes, n->nchanges);
    for (size_t i = 0; i < n->nkpis; i++) {
        lp_free(n->kpis[i].measure);
        lp_free(n->kpis[i].label);
        lp_free(n->kpis[i].value);
        lp_free(n->kpis[i].change);
        lp_free(n->kpis[i].status);
    }
    lp_free(n->kpis);
    for (size_t i = 0; i < n->nsections; i++) {
        lp_free(n->sections[i].id);
        lp_free(n->sections[i].scope);
        free_strings(n->sections[i].sentences, n->sections[i].nsentences);
    }
    lp_free(n->sections);
    free_strings(n->glossary_terms, n->nglossary);
    free_strings(n->glossary_texts, n->nglossary);
    free_strings(n->caveats, n->ncaveats);
    free_strings(n->restated, n->nrestated);
    free_statements(n->statements, n->nstatements);
    lp_free(n);
}

const lp_narrative_section *lp_narrative_section_find(const lp_narrative *narrative,
                                                      const char *id)
{
    if (!narrative || !id) return NULL;
    for (size_t i = 0; i < narrative->nsections; i++)
        if (strcmp(narrative->sections[i].id, id) == 0) return &narrative->sections[i];
    return NULL;
}
