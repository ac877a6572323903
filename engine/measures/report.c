/*
 * The entry point, lp_measures_compute, and the tables built from the
 * others: headline, changes, findings, switched_off and the detail rows.
 */
#include "measures_internal.h"

#include "lp/figures.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static bool is_rate(int q)
{
    return q == M_ACCEPTANCE_RATE || q == M_SLA_COMPLIANCE || q == M_FOLLOWUP_COMPLIANCE ||
           q == M_INBOUND_WIN_RATE || q == M_WIN_RATE;
}

static bool is_count(int q)
{
    return q == M_MQL_COUNT || q == M_SQL_COUNT || q == M_INBOUND_PIPELINE_COUNT ||
           q == M_SLA_ELIGIBLE || q == M_SLA_WITHIN || q == M_SLA_UNTOUCHED ||
           q == M_SLA_PENDING || q == M_INBOUND_WON_COUNT || q == M_WON_COUNT;
}

/* A rate whose cohort keeps maturing after its period ends: the figure
 * catalogue (lp/figures.h) decides, so the changes table and the figures
 * table cannot disagree on which rates are compared at the same age. */
static bool is_maturing(int q)
{
    const lp_figure_def *def = lp_figure_def_find(lp_headline_measures[q]);
    return def && def->maturing && is_rate(q);
}

/* Whether the data can give rate q at all (a missing table or column
 * switches it off: then there is nothing to compare, which is not the same
 * as "too early"). */
static bool rate_available(const mctx *m, int q)
{
    switch (q) {
    case M_ACCEPTANCE_RATE: return m->leads && m->has_mql && m->has_sql;
    case M_SLA_COMPLIANCE:
    case M_FOLLOWUP_COMPLIANCE: return m->leads && m->has_mql && m->acts;
    case M_INBOUND_WIN_RATE:
    case M_WIN_RATE: return m->opps && m->has_close;
    }
    return false;
}

/* The previous period's cohort of every maturing rate as it stood at
 * compared_as_of = end(P-1) + (as-of - end(P)), the same time after its own
 * end as as-of is after P's (for ISO weeks, as-of minus 7 days). Every
 * instant after that counts as not yet happened: a lead created or handed
 * off later is not in the cohort, an sql_at later is unset, a first touch
 * later has not happened (so the MQL is untouched, and pending while its
 * deadline is after that instant), a follow-up window still open then is
 * not counted, and an opportunity created or closed later is not closed.
 * The headline keeps today's value for P-1 (the trend shows what is known
 * now); only the comparison uses these counts. */
static void age_previous(mctx *m)
{
    int64_t cas = m->bound[PI_P] + (m->as_of - m->bound[WINDOW]);
    int64_t from = m->bound[PI_PREV], to = m->bound[PI_P];
    int fu_need = m->set->followup_activities > 0 ? m->set->followup_activities : 3;
    int64_t fu_span = (int64_t)(m->set->followup_days > 0 ? m->set->followup_days : 7) * 86400;
    m->compared_as_of = cas;
    memset(m->aged_x, 0, sizeof m->aged_x);
    memset(m->aged_n, 0, sizeof m->aged_n);
    for (size_t i = 0; i < m->nl; i++) {
        int32_t q = m->l_mql_ord[i];
        if (q < 0) continue;
        int64_t at = m->mq_at[q], created = lead_created(m, i);
        if (at < from || at >= to || at > cas || created == NONE || created > cas) continue;
        int64_t sql = lead_sql(m, i);
        m->aged_n[M_ACCEPTANCE_RATE]++;
        if (sql != NONE && sql <= cas) m->aged_x[M_ACCEPTANCE_RATE]++;
        int64_t first = m->mq_first[q];
        bool touched = first != NONE && first <= cas;
        if (touched || m->mq_deadline[q] <= cas) { /* not pending at cas: eligible */
            m->aged_n[M_SLA_COMPLIANCE]++;
            if (touched && first <= m->mq_deadline[q]) m->aged_x[M_SLA_COMPLIANCE]++;
        }
        /* Follow-ups counted by prep.c lie in [hand-off, hand-off + span),
         * all at or before cas once the window has closed by then. */
        if (at + fu_span <= cas) {
            m->aged_n[M_FOLLOWUP_COMPLIANCE]++;
            if (m->mq_followups[q] >= fu_need) m->aged_x[M_FOLLOWUP_COMPLIANCE]++;
        }
    }
    for (size_t j = 0; j < m->no; j++) {
        int64_t close = m->o_close[j];
        if (!m->o_in[j] || m->o_created[j] > cas || !m->o_closed[j] || close == NONE ||
            close < from || close >= to || close > cas)
            continue;
        m->aged_n[M_WIN_RATE]++;
        if (m->o_won[j]) m->aged_x[M_WIN_RATE]++;
        if (m->o_channel[j] != CH_INBOUND) continue;
        m->aged_n[M_INBOUND_WIN_RATE]++;
        if (m->o_won[j]) m->aged_x[M_INBOUND_WIN_RATE]++;
    }
}

/* The base of measure q in window period k: the count a rate is a share of
 * (its trials), the population a median is taken over, the amount a share
 * of money is of; NAN for a count or an amount (no base). */
static double base_of(const mctx *m, int q, int k)
{
    if (is_rate(q)) return m->hn[q][k] ? (double)m->hn[q][k] : (isnan(m->hv[q][k]) ? NAN : 0);
    switch (q) {
    case M_SLA_MEDIAN_HOURS:
    case M_SLA_P90_HOURS: return m->hv[M_MQL_COUNT][k];
    case M_INBOUND_PIPELINE_AMOUNT: return m->hv[M_INBOUND_PIPELINE_COUNT][k];
    case M_INBOUND_WON_AMOUNT:
    case M_INBOUND_AVG_DEAL:
    case M_INBOUND_CYCLE_MEDIAN_DAYS: return m->hv[M_INBOUND_WON_COUNT][k];
    case M_INBOUND_WON_SHARE: return isnan(m->hv[q][k]) ? NAN : m->all_won_amount[k];
    case M_WON_AMOUNT:
    case M_CYCLE_MEDIAN_DAYS: return m->hv[M_WON_COUNT][k];
    }
    return NAN;
}

static lp_status headline_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "headline", "measure:S,period:S,value:D,low:D,high:D,provisional:B,unit:S,"
                            "level:D,base:D,matures_at:T");
    const char *currency = m->set->currency[0] ? m->set->currency : "USD";
    for (int q = 0; q < M_COUNT; q++) {
        const lp_figure_def *def = lp_figure_def_find(lp_headline_measures[q]);
        for (int k = 0; k < WINDOW; k++) {
            lp_m_tb_s(&b, 0, lp_headline_measures[q]);
            lp_m_tb_s(&b, 1, m->labels[k]);
            lp_m_tb_d(&b, 2, m->hv[q][k]);
            lp_m_tb_d(&b, 3, is_rate(q) ? m->hlo[q][k] : NAN);
            lp_m_tb_d(&b, 4, is_rate(q) ? m->hhi[q][k] : NAN);
            /* Acceptance keeps growing while MQLs of the period are still
             * being worked: provisional until 30 days after the period. */
            int64_t matures = m->bound[k + 1] + 30 * 86400;
            bool provisional = q == M_ACCEPTANCE_RATE && matures > m->as_of;
            lp_m_tb_b(&b, 5, provisional);
            lp_m_tb_s(&b, 6, def ? lp_unit_label(def->unit, currency) : "");
            lp_m_tb_d(&b, 7, is_rate(q) && !isnan(m->hlo[q][k]) && def ? def->level : NAN);
            lp_m_tb_d(&b, 8, base_of(m, q, k));
            lp_m_tb_t(&b, 9, provisional ? matures : NONE);
        }
    }
    return lp_m_tb_finish(&b, m->res);
}

typedef struct change {
    double current, previous, p_value;
    bool real;
    const char *test;       /* "poisson", "two_proportion", "" when not tested */
    int64_t compared_as_of; /* instant the previous value stands at, NONE when none */
    lp_verdict verdict;
} change;

/* P against the period before. Counts and amounts take P-1 as it stands
 * at as-of; a maturing rate takes P-1 at m->compared_as_of (age_previous),
 * and when P or that aged P-1 has no trials there is no fair comparison
 * yet: too_early, untested. The findings' rate changes read the same
 * comparison. */
static change change_of(const mctx *m, int q)
{
    change c = {m->hv[q][PI_P], m->hv[q][PI_PREV], NAN, false, "", NONE, LP_VERDICT_NONE};
    uint64_t px = m->hx[q][PI_PREV], pn = m->hn[q][PI_PREV];
    if (is_maturing(q)) {
        if (!rate_available(m, q)) return c;
        px = m->aged_x[q];
        pn = m->aged_n[q];
        c.previous = pn ? (double)px / (double)pn : NAN;
        c.compared_as_of = m->compared_as_of;
        if (!m->hn[q][PI_P] || !pn) {
            c.verdict = LP_VERDICT_TOO_EARLY;
            return c;
        }
    }
    if (isnan(c.current) || isnan(c.previous)) return c;
    if (!is_maturing(q)) c.compared_as_of = m->as_of;
    lp_test t = {0};
    if (is_count(q)) {
        t = lp_poisson_test((uint64_t)c.current, (uint64_t)c.previous);
        c.test = "poisson";
    } else if (is_rate(q)) {
        t = lp_two_proportion_test(m->hx[q][PI_P], m->hn[q][PI_P], px, pn);
        c.test = "two_proportion";
    } else {
        c.verdict = LP_VERDICT_UNTESTED;
        return c;
    }
    if (t.defined) {
        c.p_value = t.p_value;
        c.real = t.p_value < 0.05;
        c.verdict = c.real ? LP_VERDICT_REAL : LP_VERDICT_NOISE;
    } else {
        c.test = "";
        c.verdict = LP_VERDICT_UNTESTED;
    }
    return c;
}

static lp_status changes_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "changes", "measure:S,current:D,previous:D,change:D,change_pct:D,p_value:D,"
                           "real:B,test:S,compared_as_of:T,verdict:S");
    for (int q = 0; q < M_COUNT; q++) {
        change c = change_of(m, q);
        double diff = c.current - c.previous;
        lp_m_tb_s(&b, 0, lp_headline_measures[q]);
        lp_m_tb_d(&b, 1, c.current);
        lp_m_tb_d(&b, 2, c.previous);
        lp_m_tb_d(&b, 3, diff);
        lp_m_tb_d(&b, 4, ratio(diff, c.previous));
        lp_m_tb_d(&b, 5, c.p_value);
        lp_m_tb_b(&b, 6, c.real);
        lp_m_tb_s(&b, 7, c.test);
        lp_m_tb_t(&b, 8, c.compared_as_of);
        lp_m_tb_s(&b, 9, lp_verdict_name(c.verdict));
    }
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Findings ---- */

typedef struct finding {
    const char *measure, *kind;
    char subject[128];
    double value, base, change, p_value, effect;
} finding;

/* Tested findings first, strongest evidence (smallest p) first, then the
 * larger effect; untested ones after, by effect size. */
static int finding_cmp(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    bool tx = !isnan(x->p_value), ty = !isnan(y->p_value);
    if (tx != ty) return tx ? -1 : 1;
    if (tx && x->p_value != y->p_value) return x->p_value < y->p_value ? -1 : 1;
    double ex = isnan(x->effect) ? 0 : fabs(x->effect), ey = isnan(y->effect) ? 0 : fabs(y->effect);
    if (ex != ey) return ex > ey ? -1 : 1;
    return strcmp(x->subject, y->subject);
}

typedef struct finding_list {
    finding *items;
    size_t n, cap;
} finding_list;

static finding *finding_add(finding_list *f)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        finding *items = lp_realloc(f->items, cap * sizeof(finding));
        if (!items) return NULL;
        f->items = items;
        f->cap = cap;
    }
    finding *x = &f->items[f->n++];
    memset(x, 0, sizeof(*x));
    x->value = x->base = x->change = x->p_value = x->effect = NAN;
    return x;
}

static double cell(const lp_table *t, const char *col, size_t row)
{
    const lp_column *c = lp_table_column(t, col);
    return c ? lp_column_number(c, row) : NAN;
}

static const char *cell_str(const lp_table *t, const char *col, size_t row)
{
    const lp_column *c = lp_table_column(t, col);
    const char *s = c ? lp_column_str(c, row) : NULL;
    return s ? s : "";
}

static lp_status findings_table(mctx *m)
{
    finding_list f = {0};
    lp_status st = LP_OK;
    finding *x;
#define ADD()                                                                             \
    do {                                                                                  \
        if (!(x = finding_add(&f))) {                                                     \
            st = LP_ERR_NOMEM;                                                            \
            goto cleanup;                                                                 \
        }                                                                                 \
    } while (0)

    for (int q = 0; q < M_COUNT; q++) {
        change c = change_of(m, q);
        if (!c.real) continue;
        ADD();
        x->measure = lp_headline_measures[q];
        x->kind = is_count(q) ? "volume_change" : "rate_change";
        x->value = c.current;
        x->base = c.previous;
        x->change = c.current - c.previous;
        x->p_value = c.p_value;
        x->effect = is_count(q) ? ratio(x->change, c.previous) : x->change;
    }
    const lp_table *tests = lp_results_table(m->res, "campaign_tests");
    for (size_t r = 0; tests && r < tests->nrows; r++) {
        const char *verdict = cell_str(tests, "verdict", r);
        if (!*verdict) continue;
        ADD();
        x->measure = "mql_to_opportunity_rate";
        x->kind = strcmp(verdict, "better") == 0 ? "campaign_better" : "campaign_worse";
        snprintf(x->subject, sizeof x->subject, "%s", cell_str(tests, "name", r));
        x->value = cell(tests, "rate", r);
        x->base = cell(tests, "others_rate", r);
        x->change = x->value - x->base;
        x->p_value = cell(tests, "q_value", r);
        x->effect = x->change;
    }
    const lp_table *teams = lp_results_table(m->res, "sla_by_team");
    uint64_t all_within = 0, all_eligible = 0;
    for (size_t r = 0; teams && r < teams->nrows; r++) {
        all_within += (uint64_t)cell(teams, "within", r);
        all_eligible += (uint64_t)cell(teams, "eligible", r);
    }
    for (size_t r = 0; teams && r < teams->nrows; r++) {
        /* a team with fewer MQLs than sla_min_leads is not ranked, so it is
         * not called slow either */
        if (!(cell(teams, "ranked", r) > 0)) continue;
        uint64_t w = (uint64_t)cell(teams, "within", r), e = (uint64_t)cell(teams, "eligible", r);
        lp_test t = lp_two_proportion_test(w, e, all_within - w, all_eligible - e);
        double rate = ratio((double)w, (double)e);
        double rest = ratio((double)(all_within - w), (double)(all_eligible - e));
        if (!t.defined || t.p_value >= 0.05 || !(rate < rest)) continue;
        ADD();
        x->measure = "sla_compliance";
        x->kind = "team_slow";
        snprintf(x->subject, sizeof x->subject, "%s", cell_str(teams, "team", r));
        x->value = rate;
        x->base = rest;
        x->change = rate - rest;
        x->p_value = t.p_value;
        x->effect = x->change;
    }
    const lp_table *routing = lp_results_table(m->res, "routing");
    for (size_t r = 0; routing && r < routing->nrows; r++) {
        if (!(cell(routing, "best_route", r) > 0)) continue;
        ADD();
        x->measure = "routing_win_rate";
        x->kind = "team_best_route";
        snprintf(x->subject, sizeof x->subject, "%s", cell_str(routing, "team", r));
        x->value = cell(routing, "rate", r);
        x->base = cell(routing, "mqls", r);
        x->effect = x->value;
    }
    if (m->nbreaches) {
        ADD();
        x->measure = "sla_compliance";
        x->kind = "breaches";
        x->value = (double)m->nbreaches;
        x->base = m->hv[M_SLA_ELIGIBLE][PI_P];
        x->effect = ratio(x->value, x->base);
    }
    double target = lp_m_target_for(m, "mql", PI_P, NULL);
    if (!isnan(target) && !isnan(m->hv[M_MQL_COUNT][PI_P])) {
        ADD();
        x->measure = "mql_count";
        x->kind = "target";
        x->value = m->hv[M_MQL_COUNT][PI_P];
        x->base = target;
        x->change = x->value - target;
        x->effect = ratio(x->change, target);
    }
#undef ADD
    if (f.n) qsort(f.items, f.n, sizeof(finding), finding_cmp);
    tb b;
    lp_m_tb_init(&b, "findings", "rank:I,measure:S,kind:S,subject:S,value:D,base:D,change:D,"
                            "p_value:D,effect:D");
    for (size_t i = 0; i < f.n; i++) {
        lp_m_tb_i(&b, 0, (int64_t)i + 1);
        lp_m_tb_s(&b, 1, f.items[i].measure);
        lp_m_tb_s(&b, 2, f.items[i].kind);
        lp_m_tb_s(&b, 3, f.items[i].subject[0] ? f.items[i].subject : NULL);
        lp_m_tb_d(&b, 4, f.items[i].value);
        lp_m_tb_d(&b, 5, f.items[i].base);
        lp_m_tb_d(&b, 6, f.items[i].change);
        lp_m_tb_d(&b, 7, f.items[i].p_value);
        lp_m_tb_d(&b, 8, f.items[i].effect);
    }
    st = lp_m_tb_finish(&b, m->res);
cleanup:
    lp_free(f.items);
    return st;
}

/* ---- Switched-off figures ---- */

static lp_status switched_off_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "switched_off", "figure:S,reason:S");
#define OFF(cond, figure, reason)                                                         \
    do {                                                                                  \
        if (cond) {                                                                       \
            lp_m_tb_s(&b, 0, figure);                                                          \
            lp_m_tb_s(&b, 1, reason);                                                          \
        }                                                                                 \
    } while (0)
    bool leads = m->leads != NULL, opps = m->opps != NULL;
    OFF(!leads, "Qualified lead volume, SLA, funnel, routing and forecast",
        "Lead figures are missing because there is no leads export.");
    OFF(leads && !m->has_mql, "Qualified lead volume, SLA, routing and forecast",
        "MQL figures are missing because the leads export has no mql_at column and no "
        "qualification rule is set.");
    OFF(leads && !m->has_sql, "SQL count and acceptance rate",
        "SQL figures are missing because the leads export has no sql_at column.");
    OFF(leads && !m->has_source, "Channel and source breakdowns",
        "Every lead counts as outbound because the leads export has no source column.");
    OFF(leads && !m->has_owner, "SLA by owner",
        "Owner figures are missing because the leads export has no owner_id column.");
    OFF(leads && !m->has_employees, "Volume by segment",
        "Segment figures are missing because the leads export has no employees column.");
    OFF(!m->acts, "SLA compliance and follow-up",
        "SLA figures are missing because there is no activities export.");
    OFF(!opps, "Inbound pipeline, closed business and coverage",
        "Pipeline and closed-business figures are missing because there is no "
        "opportunities export.");
    OFF(opps && !m->channel_known && m->no > 0, "Inbound pipeline and inbound closed business",
        "Inbound figures are not available because no opportunity can be traced to a lead "
        "or carries a source, so no channel can be known; closed business from every "
        "channel is reported instead.");
    OFF(opps && !m->has_amount, "Pipeline and won amounts",
        "Amounts are missing because the opportunities export has no amount column.");
    OFF(opps && !m->has_close, "Closed business from inbound",
        "Closed-business figures are missing because the opportunities export has no "
        "close_date column.");
    OFF(!m->camps, "Campaign names and cost figures",
        "Campaign names and cost figures are missing because there is no campaigns "
        "export.");
    OFF(m->camps && !m->has_cost, "Campaign cost figures",
        "Cost figures are missing because the campaign export has no cost column.");
    OFF(!m->touches, "Campaign touches and responses",
        "Touch and response counts are missing because there is no touches export; each "
        "lead's creating campaign stands in for its touches.");
    OFF(!m->users, "Teams and partners",
        "Team and partner figures are missing because there is no users export.");
    OFF(!m->targets, "Targets, attainment, coverage and reverse funnel",
        "Target figures are missing because there is no targets export.");
#undef OFF
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Detail rows for the workbook ---- */

/* The users export's name of an owners key, or NULL when it has none. */
static const char *owner_name(const mctx *m, int32_t key)
{
    int32_t u = key >= 0 && key < m->nowner_users ? m->owner_user[key] : -1;
    const lp_column *name = u >= 0 && m->users ? lp_table_column(m->users, "name") : NULL;
    const char *s = name && name->type == LP_TYPE_STRING ? lp_column_str(name, (size_t)u)
                                                         : NULL;
    return s && *s ? s : NULL;
}

/* t lies in window period pos (PI_P: the report period, PI_PREV: the one
 * before it). */
static bool in_pos(const mctx *m, int64_t t, int pos)
{
    return t != NONE && t >= m->bound[pos] && t < m->bound[pos + 1];
}

/* The MQLs of window period pos (PI_P or PI_PREV), as of as-of. */
static lp_status detail_mqls(mctx *m, int pos)
{
    tb b;
    lp_m_tb_init(&b, pos == PI_P ? "detail_mqls" : "detail_mqls_previous",
                 "lead_id:S,created_at:T,mql_at:T,sql_at:T,source:S,channel:S,"
                 "campaign_id:S,campaign_name:S,owner_id:S,owner_name:S,team:S,"
                 "company:S,email:S,segment:S,first_touch_at:T,"
                 "hours_to_first_touch:D,within_sla:B,pending:B");
    static const char *const segs[] = {"1-49", "50-199", "200-999", "1000+"};
    const lp_table *l = m->leads;
    const lp_column *id = l ? lp_table_column(l, "lead_id") : NULL;
    const lp_column *company = l ? lp_table_column(l, "company") : NULL;
    const lp_column *email = l ? lp_table_column(l, "email") : NULL;
    for (size_t i = 0; l && i < m->nl; i++) {
        int32_t q = m->l_mql_ord[i];
        if (q < 0 || !in_pos(m, m->mq_at[q], pos)) continue;
        bool touched = m->mq_first[q] != NONE;
        lp_m_tb_s(&b, 0, lp_column_str(id, i));
        lp_m_tb_t(&b, 1, lead_created(m, i));
        lp_m_tb_t(&b, 2, m->mq_at[q]);
        lp_m_tb_t(&b, 3, lead_sql(m, i));
        lp_m_tb_s(&b, 4, m->l_source[i] >= 0 ? lp_m_keyspace_name(&m->sources, m->l_source[i]) : NULL);
        lp_m_tb_s(&b, 5, lp_m_channel_names[m->l_channel[i]]);
        lp_m_tb_s(&b, 6, m->l_camp[i] >= 0 ? lp_m_keyspace_name(&m->campaign_keys, m->l_camp[i]) : NULL);
        lp_m_tb_s(&b, 7, lp_m_campaign_export_name(m, m->l_camp[i]));
        lp_m_tb_s(&b, 8, m->l_owner[i] >= 0 ? lp_m_keyspace_name(&m->owners, m->l_owner[i]) : NULL);
        lp_m_tb_s(&b, 9, owner_name(m, m->l_owner[i]));
        lp_m_tb_s(&b, 10, lp_m_keyspace_name(&m->teams, lead_team(m, i)));
        lp_m_tb_s(&b, 11, company && company->type == LP_TYPE_STRING ? lp_column_str(company, i) : NULL);
        lp_m_tb_s(&b, 12, email && email->type == LP_TYPE_STRING ? lp_column_str(email, i) : NULL);
        lp_m_tb_s(&b, 13, m->l_segment[i] >= 0 ? segs[m->l_segment[i]] : NULL);
        lp_m_tb_t(&b, 14, m->mq_first[q]);
        if (!m->acts) {
            lp_m_tb_null(&b, 15);
            lp_m_tb_null(&b, 16);
            lp_m_tb_null(&b, 17);
            continue;
        }
        lp_m_tb_d(&b, 15, touched ? m->mq_hours[q] : NAN);
        lp_m_tb_b(&b, 16, touched && m->mq_first[q] <= m->mq_deadline[q]);
        lp_m_tb_b(&b, 17, !touched && m->mq_deadline[q] > m->as_of);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* The inbound opportunities created (wins: won and closed) in window
 * period pos (PI_P or PI_PREV), as of as-of. */
/* The columns every opportunity record table starts with: opportunity_id
 * and lead_id at columns 0 and 1, and created_at, stage, amount and
 * close_date from column col on. */
static void opp_record_cells(mctx *m, tb *b, size_t j, int col)
{
    const lp_column *id = lp_table_column(m->opps, "opportunity_id");
    const lp_column *lead_id = m->leads ? lp_table_column(m->leads, "lead_id") : NULL;
    const lp_column *amount = lp_table_column(m->opps, "amount");
    int32_t lr = m->o_lead[j];
    lp_m_tb_s(b, 0, lp_column_str(id, j));
    lp_m_tb_s(b, 1, lr >= 0 && lead_id ? lp_column_str(lead_id, (size_t)lr) : NULL);
    lp_m_tb_t(b, col, m->o_created[j]);
    lp_m_tb_s(b, col + 1, lp_m_keyspace_name(&m->stages, m->o_stage[j]));
    lp_m_tb_d(b, col + 2, amount && m->has_amount ? lp_column_number(amount, j) : NAN);
    lp_m_tb_t(b, col + 3, m->o_close[j]);
}

static lp_status detail_opps(mctx *m, bool wins, int pos)
{
    static const char *const names[2][2] = {
        {"detail_inbound_opportunities", "detail_inbound_opportunities_previous"},
        {"detail_inbound_wins", "detail_inbound_wins_previous"}};
    tb b;
    lp_m_tb_init(&b, names[wins][pos != PI_P],
            "opportunity_id:S,lead_id:S,created_at:T,stage:S,amount:D,close_date:T,is_won:B,"
            "source:S,campaign_id:S,campaign_name:S,owner_id:S,owner_name:S");
    const lp_table *o = m->opps;
    const lp_column *owner = o ? lp_table_column(o, "owner_id") : NULL;
    for (size_t j = 0; o && j < m->no; j++) {
        if (!m->o_in[j] || m->o_channel[j] != CH_INBOUND) continue;
        if (wins ? !(m->o_won[j] && m->o_closed[j] && in_pos(m, m->o_close[j], pos))
                 : !in_pos(m, m->o_created[j], pos))
            continue;
        int32_t lr = m->o_lead[j], src = m->o_source[j];
        if (src < 0 && lr >= 0) src = m->l_source[lr];
        opp_record_cells(m, &b, j, 2);
        lp_m_tb_b(&b, 6, m->o_won[j]);
        lp_m_tb_s(&b, 7, src >= 0 ? lp_m_keyspace_name(&m->sources, src) : NULL);
        lp_m_tb_s(&b, 8, m->o_camp[j] >= 0 ? lp_m_keyspace_name(&m->campaign_keys, m->o_camp[j]) : NULL);
        lp_m_tb_s(&b, 9, lp_m_campaign_export_name(m, m->o_camp[j]));
        lp_m_tb_s(&b, 10, owner && owner->type == LP_TYPE_STRING ? lp_column_str(owner, j) : NULL);
        lp_m_tb_s(&b, 11, owner_name(m, m->o_owner[j]));
    }
    return lp_m_tb_finish(&b, m->res);
}

/* The lead columns that identify a lead to a reader: its id, its owner by
 * name and team, at columns col, col + 1, col + 2 (owner_id, owner_name,
 * team). */
static void lead_owner_cells(mctx *m, tb *b, int col, size_t i)
{
    lp_m_tb_s(b, col, m->l_owner[i] >= 0 ? lp_m_keyspace_name(&m->owners, m->l_owner[i]) : NULL);
    lp_m_tb_s(b, col + 1, owner_name(m, m->l_owner[i]));
    lp_m_tb_s(b, col + 2, lp_m_keyspace_name(&m->teams, lead_team(m, i)));
}

/* The leads with sql_at in window period pos (PI_P or PI_PREV), as of
 * as-of: the records of sql_count, which are not the MQLs of the period
 * (a lead is often accepted in a later period than it qualified), with the
 * keys of the volume breakdowns. The detail tables are most of the
 * workbook's cells, so each carries the columns its figures and their
 * breakdowns read, and the names beside its ids; the rest of a lead is on
 * the export. */
static lp_status detail_sqls(mctx *m, int pos)
{
    tb b;
    lp_m_tb_init(&b, pos == PI_P ? "detail_sqls" : "detail_sqls_previous",
                 "lead_id:S,mql_at:T,sql_at:T,source:S,channel:S,campaign_id:S,"
                 "campaign_name:S,owner_id:S,owner_name:S,team:S,segment:S");
    static const char *const segs[] = {"1-49", "50-199", "200-999", "1000+"};
    const lp_table *l = m->leads;
    const lp_column *id = l ? lp_table_column(l, "lead_id") : NULL;
    for (size_t i = 0; l && m->has_sql && i < m->nl; i++) {
        int64_t sql = lead_sql(m, i);
        if (!in_pos(m, sql, pos)) continue;
        lp_m_tb_s(&b, 0, lp_column_str(id, i));
        lp_m_tb_t(&b, 1, lead_mql(m, i));
        lp_m_tb_t(&b, 2, sql);
        lp_m_tb_s(&b, 3, m->l_source[i] >= 0 ? lp_m_keyspace_name(&m->sources, m->l_source[i]) : NULL);
        lp_m_tb_s(&b, 4, lp_m_channel_names[m->l_channel[i]]);
        lp_m_tb_s(&b, 5, m->l_camp[i] >= 0 ? lp_m_keyspace_name(&m->campaign_keys, m->l_camp[i]) : NULL);
        lp_m_tb_s(&b, 6, lp_m_campaign_export_name(m, m->l_camp[i]));
        lead_owner_cells(m, &b, 7, i);
        lp_m_tb_s(&b, 10, m->l_segment[i] >= 0 ? segs[m->l_segment[i]] : NULL);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* The MQLs of window period pos whose follow-up window (hand-off plus the
 * follow-up days) has closed by as-of: the base of followup_compliance,
 * with the activities counted in the window and whether they reach the
 * follow-up depth (the lead's owner and team are on its MQLs row). Empty
 * without an activities export (the figure is off). */
static lp_status detail_followups(mctx *m, int pos)
{
    tb b;
    lp_m_tb_init(&b, pos == PI_P ? "detail_followups" : "detail_followups_previous",
                 "lead_id:S,created_at:T,mql_at:T,followup_window_end:T,"
                 "followup_activities:I,followed_up:B");
    int fu_need = m->set->followup_activities > 0 ? m->set->followup_activities : 3;
    int64_t fu_span = (int64_t)(m->set->followup_days > 0 ? m->set->followup_days : 7) * 86400;
    const lp_table *l = m->leads;
    const lp_column *id = l ? lp_table_column(l, "lead_id") : NULL;
    for (size_t i = 0; l && m->acts && i < m->nl; i++) {
        int32_t q = m->l_mql_ord[i];
        if (q < 0 || !in_pos(m, m->mq_at[q], pos) || m->mq_at[q] + fu_span > m->as_of) continue;
        lp_m_tb_s(&b, 0, lp_column_str(id, i));
        lp_m_tb_t(&b, 1, lead_created(m, i));
        lp_m_tb_t(&b, 2, m->mq_at[q]);
        lp_m_tb_t(&b, 3, m->mq_at[q] + fu_span);
        lp_m_tb_i(&b, 4, m->mq_followups[q]);
        lp_m_tb_b(&b, 5, m->mq_followups[q] >= fu_need);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* The opportunity columns shared by the closed and open tables from
 * column col on: owner_id and owner_name. (Their source and campaign
 * break down no figure of theirs; the inbound tables carry them.) */
static void opp_owner_cells(mctx *m, tb *b, int col, size_t j)
{
    const lp_column *owner = lp_table_column(m->opps, "owner_id");
    lp_m_tb_s(b, col, owner && owner->type == LP_TYPE_STRING ? lp_column_str(owner, j) : NULL);
    lp_m_tb_s(b, col + 1, owner_name(m, m->o_owner[j]));
}

/* Every opportunity (every channel) closed, won or lost, with close date
 * in window period pos, as of as-of: the records of won_count, won_amount,
 * win_rate and, through their channel, inbound_win_rate. */
static lp_status detail_closed(mctx *m, int pos)
{
    tb b;
    lp_m_tb_init(&b, pos == PI_P ? "detail_closed" : "detail_closed_previous",
                 "opportunity_id:S,lead_id:S,channel:S,created_at:T,stage:S,amount:D,"
                 "close_date:T,is_won:B,owner_id:S,owner_name:S");
    const lp_table *o = m->opps;
    for (size_t j = 0; o && j < m->no; j++) {
        if (!m->o_in[j] || !m->o_closed[j] || !in_pos(m, m->o_close[j], pos)) continue;
        opp_record_cells(m, &b, j, 3);
        lp_m_tb_s(&b, 2, lp_m_channel_names[m->o_channel[j]]);
        lp_m_tb_b(&b, 7, m->o_won[j]);
        opp_owner_cells(m, &b, 8, j);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* The inbound opportunities open at the end of P or at the end of the
 * period before (each end taken as min(end, as-of), as the headline does),
 * one row each with a flag per end: most of them are open at both, so one
 * table holds both periods' records of open_inbound_pipeline_amount in
 * little more than one period's rows. */
static lp_status detail_open_pipeline(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "detail_open_inbound_pipeline",
                 "opportunity_id:S,lead_id:S,created_at:T,stage:S,amount:D,close_date:T,"
                 "owner_id:S,owner_name:S,open_at_end:B,open_at_previous_end:B");
    int64_t end = m->bound[WINDOW] < m->as_of ? m->bound[WINDOW] : m->as_of;
    int64_t prev_end = m->bound[PI_P] < m->as_of ? m->bound[PI_P] : m->as_of;
    const lp_table *o = m->opps;
    for (size_t j = 0; o && j < m->no; j++) {
        if (!m->o_in[j] || m->o_channel[j] != CH_INBOUND) continue;
        /* Open at e: created before e and not closed before e (a closed
         * opportunity with no close date counts as closed). */
        bool open[2];
        int64_t ends[2] = {end, prev_end};
        for (int k = 0; k < 2; k++)
            open[k] = m->o_created[j] < ends[k] &&
                      !(m->o_closed[j] && (m->o_close[j] == NONE || m->o_close[j] < ends[k]));
        if (!open[0] && !open[1]) continue;
        opp_record_cells(m, &b, j, 2);
        opp_owner_cells(m, &b, 6, j);
        lp_m_tb_b(&b, 8, open[0]);
        lp_m_tb_b(&b, 9, open[1]);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Record keys for the ledger (measures.h, lp_results.record_keys) ---- */

const char *const lp_record_key_figures[] = {"mql_count", "inbound_pipeline", "inbound_won",
                                             NULL};

/* The same selections as lp_m_headline_run makes for mql_count, the inbound
 * pipeline and inbound won counts, over every window period, keyed by the
 * record's id. A figure the headline table leaves null (no mql column, no
 * opportunities, no close dates, channel unknowable) gets no rows, so a key
 * set is never compared where no figure was published. */
static lp_status record_keys_table(mctx *m, lp_table **out_table)
{
    tb b;
    lp_m_tb_init(&b, "record_keys", "figure:S,period:S,key:S,amount:D");
    const lp_column *lead_id = m->leads ? lp_table_column(m->leads, "lead_id") : NULL;
    for (size_t i = 0; lead_id && m->has_mql && i < m->nl; i++) {
        int p = wpos(m, lead_mql(m, i));
        if (p < 0) continue;
        const char *key = lp_column_str(lead_id, i);
        lp_m_tb_s(&b, 0, "mql_count");
        lp_m_tb_s(&b, 1, m->labels[p]);
        lp_m_tb_s(&b, 2, key ? key : "");
        lp_m_tb_d(&b, 3, NAN);
    }
    const lp_column *opp_id = m->opps ? lp_table_column(m->opps, "opportunity_id") : NULL;
    bool inbound_known = m->channel_known;
    for (size_t j = 0; opp_id && inbound_known && j < m->no; j++) {
        if (!m->o_in[j] || m->o_channel[j] != CH_INBOUND) continue;
        const char *key = lp_column_str(opp_id, j);
        int p = wpos(m, m->o_created[j]);
        if (p >= 0) {
            lp_m_tb_s(&b, 0, "inbound_pipeline");
            lp_m_tb_s(&b, 1, m->labels[p]);
            lp_m_tb_s(&b, 2, key ? key : "");
            lp_m_tb_d(&b, 3, m->o_amount[j]);
        }
        p = m->has_close && m->o_closed[j] && m->o_won[j] ? wpos(m, m->o_close[j]) : -1;
        if (p >= 0) {
            lp_m_tb_s(&b, 0, "inbound_won");
            lp_m_tb_s(&b, 1, m->labels[p]);
            lp_m_tb_s(&b, 2, key ? key : "");
            lp_m_tb_d(&b, 3, m->o_amount[j]);
        }
    }
    if (!b.st) b.st = lp_table_finish(b.table);
    if (b.st) {
        lp_table_free(b.table);
        return b.st;
    }
    *out_table = b.table;
    return LP_OK;
}

lp_status lp_m_report_run(mctx *m)
{
    age_previous(m);
    lp_status st = headline_table(m);
    if (!st) st = changes_table(m);
    if (!st) st = findings_table(m);
    if (!st) st = switched_off_table(m);
    if (!st) st = detail_mqls(m, PI_P);
    if (!st) st = detail_opps(m, false, PI_P);
    if (!st) st = detail_opps(m, true, PI_P);
    if (!st) st = detail_mqls(m, PI_PREV);
    if (!st) st = detail_opps(m, false, PI_PREV);
    if (!st) st = detail_opps(m, true, PI_PREV);
    if (!st) st = detail_sqls(m, PI_P);
    if (!st) st = detail_sqls(m, PI_PREV);
    if (!st) st = detail_followups(m, PI_P);
    if (!st) st = detail_followups(m, PI_PREV);
    if (!st) st = detail_closed(m, PI_P);
    if (!st) st = detail_closed(m, PI_PREV);
    if (!st) st = detail_open_pipeline(m);
    return st;
}

/* ---- Entry point ---- */

/* The campaign figures on a second thread, beside the headline, SLA and
 * month figures: they read only what prep built (touch groups, keys,
 * opportunities) and write only their own tables, which go into a result
 * set of their own and join m->res afterwards in the order a serial run
 * gives them. With fewer touches the thread costs more than it saves. */
#define CAMPAIGNS_THREAD_MIN_TOUCHES ((size_t)1 << 16)

typedef struct campaigns_job {
    mctx m;                       /* a copy of the context, with its own res and errmsg */
    char errmsg[LP_ERRMSG_SIZE];
    lp_status st;
} campaigns_job;

static void *campaigns_main(void *arg)
{
    campaigns_job *j = arg;
    j->st = lp_m_campaigns_run(&j->m);
    return NULL;
}

/* Moves every table of from into to, in order; from is left empty. */
static lp_status results_move(lp_results *to, lp_results *from)
{
    lp_status st = LP_OK;
    for (size_t i = 0; i < from->ntables; i++) {
        if (!st) st = lp_results_add(to, from->tables[i]);
        else lp_table_free(from->tables[i]);
    }
    from->ntables = 0;
    return st;
}

/* Every group of measures after prep. Serially the order is headline, SLA,
 * months, campaigns, funnel, report; funnel and report read what the
 * others wrote (hv, nbreaches, campaign_tests), so only the campaigns run
 * beside the first three. */
static lp_status measures_run(mctx *m)
{
    campaigns_job *cj = NULL;
    pthread_t thread;
    bool threaded = false;
    if (m->nt >= CAMPAIGNS_THREAD_MIN_TOUCHES && (cj = lp_calloc(1, sizeof *cj))) {
        cj->m = *m;
        cj->m.errmsg = cj->errmsg;
        cj->m.res = lp_results_new();
        threaded = cj->m.res && pthread_create(&thread, NULL, campaigns_main, cj) == 0;
        if (!threaded) {
            lp_results_free(cj->m.res);
            lp_free(cj);
            cj = NULL;
        }
    }
    lp_status st = lp_m_headline_run(m);
    if (!st) st = lp_m_sla_run(m);
    if (!st) st = lp_m_months_run(m);
    if (threaded) {
        pthread_join(thread, NULL);
        if (!st && cj->st && cj->errmsg[0]) lp_errmsg_set(m->errmsg, "%s", cj->errmsg);
        if (!st) st = cj->st;
        lp_status moved = results_move(m->res, cj->m.res);
        if (!st) st = moved;
        lp_results_free(cj->m.res);
        lp_free(cj);
    } else if (!st) {
        st = lp_m_campaigns_run(m);
    }
    if (!st) st = lp_m_funnel_run(m);
    if (!st) st = lp_m_report_run(m);
    return st;
}

lp_status lp_measures_compute(const lp_dataset *ds, const lp_measures_options *options,
                              lp_results **out_results, char *errmsg)
{
    char scratch[LP_ERRMSG_SIZE];
    if (!errmsg) errmsg = scratch;
    errmsg[0] = '\0';
    if (!ds || !options || !options->settings || !out_results) {
        lp_errmsg_set(errmsg, "measures: dataset, options and settings are required");
        return LP_ERR_USAGE;
    }
    lp_stats_init();
    lp_settings set = *options->settings;
    if ((unsigned)set.attribution >= LP_ATTR_COUNT) set.attribution = LP_ATTR_FIRST_TOUCH;
    mctx *m = lp_calloc(1, sizeof(mctx));
    if (!m) return LP_ERR_NOMEM;
    m->ds = ds;
    m->set = &set;
    m->errmsg = errmsg;
    m->res = lp_results_new();
    lp_status st = m->res ? LP_OK : LP_ERR_NOMEM;
    if (!st) st = lp_m_prep_run(m, options);
    if (!st) st = measures_run(m);
    if (!st) {
        lp_results *res = m->res;
        res->as_of = m->as_of;
        res->calendar = m->cal;
        res->period = m->P;
        res->window_first = m->P - (WINDOW - 1);
        snprintf(res->period_label, sizeof res->period_label, "%s", m->labels[PI_P]);
        res->settings = options->settings;
        res->dataset = ds;
        st = lp_figures_build(res);
    }
    if (!st && options->record_keys) st = record_keys_table(m, &m->res->record_keys);
    if (!st) {
        *out_results = m->res;
        m->res = NULL;
    } else if (!errmsg[0]) {
        lp_errmsg_set(errmsg, "measures: %s", lp_status_str(st));
    }
    lp_results_free(m->res);
    lp_m_prep_free(m);
    lp_free(m);
    return st;
}
