/*
 * Headline measures 1, 3 and 5 for every window period (volume, inbound
 * pipeline, closed business), the P breakdowns, pipeline and won tables,
 * coverage, targets and the MQL trend. SLA (measure 4) is in sla.c.
 */
#include "measures_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const lp_headline_measures[] = {
    "mql_count", "sql_count", "acceptance_rate", "inbound_pipeline_count",
    "inbound_pipeline_amount", "open_inbound_pipeline_amount", "sla_eligible",
    "sla_within", "sla_compliance", "sla_median_hours", "sla_p90_hours",
    "sla_untouched", "sla_pending", "followup_compliance", "inbound_won_count",
    "inbound_won_amount", "inbound_win_rate", "inbound_avg_deal",
    "inbound_cycle_median_days", "inbound_won_share", "won_count", "won_amount", "win_rate",
    "cycle_median_days", NULL,
};

const char *lp_m_campaign_name(const mctx *m, int32_t key)
{
    if (key < 0) return "(no campaign)";
    int32_t row = m->camp_row ? m->camp_row[key] : -1;
    if (row >= 0 && m->camps) {
        const lp_column *name = lp_table_column(m->camps, "name");
        const char *s = name ? lp_column_str(name, (size_t)row) : NULL;
        if (s && *s) return s;
    }
    return lp_m_keyspace_name(&m->campaign_keys, key);
}

const char *lp_m_campaign_export_name(const mctx *m, int32_t key)
{
    int32_t row = key >= 0 && m->camp_row ? m->camp_row[key] : -1;
    const lp_column *name = row >= 0 && m->camps ? lp_table_column(m->camps, "name") : NULL;
    const char *s = name && name->type == LP_TYPE_STRING ? lp_column_str(name, (size_t)row)
                                                         : NULL;
    return s && *s ? s : NULL;
}

bool lp_m_quota_lookup(const mctx *m, double *out_quota, int64_t *out_start, int64_t *out_end)
{
    const lp_table *t = m->targets;
    if (!t) return false;
    const lp_column *period = lp_table_column(t, "period");
    const lp_column *meas = lp_table_column(t, "measure");
    const lp_column *team = lp_table_column(t, "team");
    const lp_column *value = lp_table_column(t, "value");
    if (!period || !meas || !value) return false;
    int64_t at = m->E - 1;
    /* Company quota: blank-team rows, else the sum of the team rows, of the
     * shortest period holding `at`. */
    int64_t best_span = INT64_MAX, best_start = 0, best_end = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *ms = lp_column_str(meas, i), *pl = lp_column_str(period, i);
        if (!ms || !pl || strcasecmp(ms, "quota") != 0 || isnan(lp_column_number(value, i)))
            continue;
        lp_calendar cal = m->cal;
        int64_t ord;
        if (lp_period_parse(&cal, pl, &ord) != LP_OK) continue;
        int64_t s = lp_period_start(&cal, ord), e = lp_period_end(&cal, ord);
        if (at < s || at >= e || e - s >= best_span) continue;
        best_span = e - s;
        best_start = s;
        best_end = e;
    }
    if (best_span == INT64_MAX) return false;
    double blank = NAN, teams = NAN;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *ms = lp_column_str(meas, i), *pl = lp_column_str(period, i);
        double v = lp_column_number(value, i);
        if (!ms || !pl || strcasecmp(ms, "quota") != 0 || isnan(v)) continue;
        lp_calendar cal = m->cal;
        int64_t ord;
        if (lp_period_parse(&cal, pl, &ord) != LP_OK || lp_period_start(&cal, ord) != best_start ||
            lp_period_end(&cal, ord) != best_end)
            continue;
        const char *tm = team ? lp_column_str(team, i) : NULL;
        if (!tm || !*tm) blank = isnan(blank) ? v : blank + v;
        else teams = isnan(teams) ? v : teams + v;
    }
    *out_quota = isnan(blank) ? teams : blank;
    *out_start = best_start;
    *out_end = best_end;
    return true;
}

/* ---- Breakdowns of volume for P ---- */

typedef struct group_row {
    int32_t key;             /* -1 = none */
    const char *name;
    uint64_t mqls, sqls, accepted;
} group_row;

static int group_cmp(const void *a, const void *b)
{
    const group_row *x = a, *y = b;
    if (x->mqls != y->mqls) return x->mqls > y->mqls ? -1 : 1;
    return strcmp(x->name, y->name);
}

enum { BY_SOURCE, BY_CHANNEL, BY_CAMPAIGN, BY_TEAM, BY_SEGMENT };
static const char *const segment_names[] = {"1-49", "50-199", "200-999", "1000+"};

static const char *group_name(const mctx *m, int by, int32_t key)
{
    switch (by) {
    case BY_SOURCE: return key < 0 ? "(none)" : lp_m_keyspace_name(&m->sources, key);
    case BY_CHANNEL: return lp_m_channel_names[key];
    case BY_CAMPAIGN: return lp_m_campaign_name(m, key);
    case BY_TEAM: return key < 0 ? "(no team)" : lp_m_keyspace_name(&m->teams, key);
    case BY_SEGMENT: return key < 0 ? "(unknown)" : segment_names[key];
    }
    return "";
}

static int32_t lead_key(const mctx *m, int by, size_t i)
{
    switch (by) {
    case BY_SOURCE: return m->l_source[i];
    case BY_CHANNEL: return m->l_channel[i];
    case BY_CAMPAIGN: return m->l_camp[i];
    case BY_TEAM: return lead_team(m, i);
    case BY_SEGMENT: return m->l_segment[i];
    }
    return -1;
}

static lp_status breakdown(mctx *m, int by, const char *table)
{
    tb b;
    lp_m_tb_init(&b, table, "key:S,mqls:I,sqls:I,accepted:I,acceptance_rate:D,low:D,high:D,"
                       "mql_target:D");
    int32_t nkeys = by == BY_SOURCE   ? lp_m_keyspace_count(&m->sources)
                    : by == BY_CHANNEL ? 3
                    : by == BY_CAMPAIGN ? lp_m_keyspace_count(&m->campaign_keys)
                    : by == BY_TEAM    ? lp_m_keyspace_count(&m->teams)
                                       : 4;
    group_row *rows = lp_calloc((size_t)nkeys + 1, sizeof(group_row));
    if (!rows) {
        lp_table_free(b.table);
        return LP_ERR_NOMEM;
    }
    bool data = m->leads && m->has_mql && !(by == BY_SEGMENT && !m->has_employees);
    for (size_t i = 0; data && i < m->nl; i++) {
        bool mql = in_p(m, lead_mql(m, i)), sql = in_p(m, lead_sql(m, i));
        if (!mql && !sql) continue;
        int32_t k = lead_key(m, by, i);
        group_row *g = &rows[k < 0 ? nkeys : k];
        if (mql) {
            g->mqls++;
            if (lead_sql(m, i) != NONE) g->accepted++;
        }
        if (sql) g->sqls++;
    }
    size_t n = 0;
    for (int32_t k = 0; k <= nkeys; k++) {
        int32_t key = k == nkeys ? -1 : k;
        if (!rows[k].mqls && !rows[k].sqls && !(by == BY_CHANNEL && key >= 0)) continue;
        group_row g = rows[k];
        g.key = key;
        g.name = group_name(m, by, key);
        rows[n++] = g;
    }
    if (by != BY_SEGMENT && by != BY_CHANNEL) qsort(rows, n, sizeof(group_row), group_cmp);
    for (size_t r = 0; r < n; r++) {
        group_row *g = &rows[r];
        double est, lo, hi;
        lp_m_wilson3(g->accepted, g->mqls, &est, &lo, &hi);
        if (!m->has_sql) est = lo = hi = NAN;
        lp_m_tb_s(&b, 0, g->name);
        lp_m_tb_i(&b, 1, (int64_t)g->mqls);
        lp_m_tb_i(&b, 2, (int64_t)g->sqls);
        lp_m_tb_i(&b, 3, (int64_t)g->accepted);
        lp_m_tb_d(&b, 4, est);
        lp_m_tb_d(&b, 5, lo);
        lp_m_tb_d(&b, 6, hi);
        lp_m_tb_d(&b, 7, by == BY_TEAM && g->key >= 0 ? lp_m_target_for(m, "mql", PI_P, g->name) : NAN);
    }
    lp_free(rows);
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Keyed sums of opportunities for P ---- */

typedef struct sum_row {
    const char *name;
    int64_t count;
    double amount;
} sum_row;

static int sum_cmp(const void *a, const void *b)
{
    const sum_row *x = a, *y = b;
    if (x->amount != y->amount) return x->amount > y->amount ? -1 : 1;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

enum { OK_STAGE, OK_SOURCE, OK_CAMPAIGN };

/* won = false: inbound opportunities created in P; true: inbound won with
 * close date in P. */
static lp_status opp_sums(mctx *m, int by, bool won, const char *table)
{
    tb b;
    lp_m_tb_init(&b, table, "key:S,count:I,amount:D");
    int32_t nkeys = by == OK_STAGE    ? lp_m_keyspace_count(&m->stages)
                    : by == OK_SOURCE ? lp_m_keyspace_count(&m->sources)
                                      : lp_m_keyspace_count(&m->campaign_keys);
    sum_row *rows = lp_calloc((size_t)nkeys + 1, sizeof(sum_row));
    if (!rows) {
        lp_table_free(b.table);
        return LP_ERR_NOMEM;
    }
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j] || m->o_channel[j] != CH_INBOUND) continue;
        if (won ? !(m->o_won[j] && in_p(m, m->o_close[j])) : !in_p(m, m->o_created[j]))
            continue;
        int32_t k;
        if (by == OK_STAGE) {
            k = m->o_stage[j];
        } else if (by == OK_SOURCE) {
            k = m->o_source[j];
            if (k < 0 && m->o_lead[j] >= 0) k = m->l_source[m->o_lead[j]];
        } else {
            k = m->o_camp[j];
        }
        sum_row *r = &rows[k < 0 ? nkeys : k];
        r->count++;
        r->amount += m->o_amount[j];
        if (!r->name)
            r->name = by == OK_STAGE    ? (k < 0 ? "(none)" : lp_m_keyspace_name(&m->stages, k))
                      : by == OK_SOURCE ? (k < 0 ? "(none)" : lp_m_keyspace_name(&m->sources, k))
                                        : lp_m_campaign_name(m, k);
    }
    size_t n = 0;
    for (int32_t k = 0; k <= nkeys; k++)
        if (rows[k].count) rows[n++] = rows[k];
    qsort(rows, n, sizeof(sum_row), sum_cmp);
    for (size_t r = 0; r < n; r++) {
        lp_m_tb_s(&b, 0, rows[r].name);
        lp_m_tb_i(&b, 1, rows[r].count);
        lp_m_tb_d(&b, 2, m->has_amount ? rows[r].amount : NAN);
    }
    lp_free(rows);
    return lp_m_tb_finish(&b, m->res);
}

/* ---- The headline values ---- */

/* Median sales cycle (days from the local date of created_at to the close
 * date) of the deals won and closed in each window period; inbound deals
 * only when inbound_only. NAN for a period without such a deal. The cycles
 * are grouped by period with a counting sort (CSR), so each median sorts
 * only its own period's values. */
static lp_status cycle_medians(const mctx *m, bool inbound_only, double out[WINDOW])
{
    size_t ncycle[WINDOW + 1] = {0}, fill[WINDOW] = {0};
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j] || !m->o_closed[j] || !m->o_won[j]) continue;
        if (inbound_only && m->o_channel[j] != CH_INBOUND) continue;
        int p = wpos(m, m->o_close[j]);
        if (p >= 0) ncycle[p + 1]++;
    }
    for (int k = 0; k < WINDOW; k++) ncycle[k + 1] += ncycle[k];
    double *cycle = lp_malloc((ncycle[WINDOW] ? ncycle[WINDOW] : 1) * sizeof(double));
    if (!cycle) return LP_ERR_NOMEM;
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j] || !m->o_closed[j] || !m->o_won[j]) continue;
        if (inbound_only && m->o_channel[j] != CH_INBOUND) continue;
        int p = wpos(m, m->o_close[j]);
        if (p < 0) continue;
        cycle[ncycle[p] + fill[p]++] =
            (double)(m->o_close_date[j] - lp_instant_local_date(m->o_created[j]));
    }
    for (int k = 0; k < WINDOW; k++)
        out[k] = lp_m_median_inplace(cycle + ncycle[k], ncycle[k + 1] - ncycle[k]);
    lp_free(cycle);
    return LP_OK;
}

static lp_status headline_values(mctx *m, double *all_won_amount)
{
    uint64_t mqls[WINDOW] = {0}, sqls[WINDOW] = {0}, accepted[WINDOW] = {0};
    uint64_t pipe_n[WINDOW] = {0}, won_n[WINDOW] = {0}, lost_n[WINDOW] = {0};
    uint64_t all_won_n[WINDOW] = {0}, all_lost_n[WINDOW] = {0};
    double pipe_amt[WINDOW] = {0}, won_amt[WINDOW] = {0}, open_amt[WINDOW] = {0};
    double cycle_inbound[WINDOW], cycle_all[WINDOW];
    int64_t ends[WINDOW];
    for (int k = 0; k < WINDOW; k++) {
        ends[k] = m->bound[k + 1] < m->as_of ? m->bound[k + 1] : m->as_of;
        all_won_amount[k] = 0;
    }

    for (size_t i = 0; i < m->nl; i++) {
        int p = wpos(m, lead_mql(m, i));
        if (p >= 0) {
            mqls[p]++;
            if (lead_sql(m, i) != NONE) accepted[p]++;
        }
        p = wpos(m, lead_sql(m, i));
        if (p >= 0) sqls[p]++;
    }

    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j]) continue;
        bool inbound = m->o_channel[j] == CH_INBOUND;
        int p = wpos(m, m->o_created[j]);
        if (p >= 0 && inbound) {
            pipe_n[p]++;
            pipe_amt[p] += m->o_amount[j];
        }
        if (inbound) {
            for (int k = 0; k < WINDOW; k++) {
                bool closed_before = m->o_closed[j] &&
                                     (m->o_close[j] == NONE || m->o_close[j] < ends[k]);
                if (m->o_created[j] < ends[k] && !closed_before) open_amt[k] += m->o_amount[j];
            }
        }
        p = m->o_closed[j] ? wpos(m, m->o_close[j]) : -1;
        if (p < 0) continue;
        if (m->o_won[j]) {
            all_won_amount[p] += m->o_amount[j];
            all_won_n[p]++;
        } else {
            all_lost_n[p]++;
        }
        if (!inbound) continue;
        if (m->o_won[j]) {
            won_n[p]++;
            won_amt[p] += m->o_amount[j];
        } else {
            lost_n[p]++;
        }
    }
    lp_status st = cycle_medians(m, true, cycle_inbound);
    if (!st) st = cycle_medians(m, false, cycle_all);
    if (st) return st;

    for (int k = 0; k < WINDOW; k++) {
        for (int q = 0; q < M_COUNT; q++) m->hlo[q][k] = m->hhi[q][k] = NAN;
        bool leads = m->leads && m->has_mql;
        m->hv[M_MQL_COUNT][k] = leads ? (double)mqls[k] : NAN;
        m->hv[M_SQL_COUNT][k] = m->leads && m->has_sql ? (double)sqls[k] : NAN;
        if (leads && m->has_sql) {
            lp_m_wilson3(accepted[k], mqls[k], &m->hv[M_ACCEPTANCE_RATE][k],
                    &m->hlo[M_ACCEPTANCE_RATE][k], &m->hhi[M_ACCEPTANCE_RATE][k]);
        } else {
            m->hv[M_ACCEPTANCE_RATE][k] = NAN;
        }
        m->hx[M_ACCEPTANCE_RATE][k] = accepted[k];
        m->hn[M_ACCEPTANCE_RATE][k] = mqls[k];

        bool opps = m->opps != NULL, amounts = opps && m->has_amount;
        bool closes = opps && m->has_close;
        m->hv[M_INBOUND_PIPELINE_COUNT][k] = opps ? (double)pipe_n[k] : NAN;
        m->hv[M_INBOUND_PIPELINE_AMOUNT][k] = amounts ? pipe_amt[k] : NAN;
        m->hv[M_OPEN_INBOUND_PIPELINE_AMOUNT][k] = amounts ? open_amt[k] : NAN;
        m->hv[M_INBOUND_WON_COUNT][k] = closes ? (double)won_n[k] : NAN;
        m->hv[M_INBOUND_WON_AMOUNT][k] = closes && amounts ? won_amt[k] : NAN;
        if (closes) {
            lp_m_wilson3(won_n[k], won_n[k] + lost_n[k], &m->hv[M_INBOUND_WIN_RATE][k],
                    &m->hlo[M_INBOUND_WIN_RATE][k], &m->hhi[M_INBOUND_WIN_RATE][k]);
        } else {
            m->hv[M_INBOUND_WIN_RATE][k] = NAN;
        }
        m->hx[M_INBOUND_WIN_RATE][k] = won_n[k];
        m->hn[M_INBOUND_WIN_RATE][k] = won_n[k] + lost_n[k];
        m->hv[M_INBOUND_AVG_DEAL][k] =
            closes && amounts && won_n[k] ? won_amt[k] / (double)won_n[k] : NAN;
        m->hv[M_INBOUND_CYCLE_MEDIAN_DAYS][k] = closes ? cycle_inbound[k] : NAN;
        m->hv[M_INBOUND_WON_SHARE][k] =
            closes && amounts ? ratio(won_amt[k], all_won_amount[k]) : NAN;
        m->all_won_amount[k] = all_won_amount[k];

        /* Measure 5 for every channel (templates/DEFINITIONS.md, amended 2026-12-02): the
         * same figures without the channel filter, so a pack without
         * inbound deals still says what closed. */
        m->hv[M_WON_COUNT][k] = closes ? (double)all_won_n[k] : NAN;
        m->hv[M_WON_AMOUNT][k] = closes && amounts ? all_won_amount[k] : NAN;
        if (closes) {
            lp_m_wilson3(all_won_n[k], all_won_n[k] + all_lost_n[k], &m->hv[M_WIN_RATE][k],
                    &m->hlo[M_WIN_RATE][k], &m->hhi[M_WIN_RATE][k]);
        } else {
            m->hv[M_WIN_RATE][k] = NAN;
        }
        m->hx[M_WIN_RATE][k] = all_won_n[k];
        m->hn[M_WIN_RATE][k] = all_won_n[k] + all_lost_n[k];
        m->hv[M_CYCLE_MEDIAN_DAYS][k] = closes ? cycle_all[k] : NAN;
    }
    return LP_OK;
}

/* ---- Targets, trend and coverage ---- */

static lp_status targets_table(mctx *m, const double *all_won_amount)
{
    lp_status st = LP_OK;
    tb b;
    lp_m_tb_init(&b, "targets", "measure:S,period:S,team:S,target:D,actual:D,attainment:D");
    /* Per team (index nteams = company) and window period. */
    int32_t nteams = lp_m_keyspace_count(&m->teams);
    size_t cells = ((size_t)nteams + 2) * WINDOW;
    double *mql = lp_calloc(cells, sizeof(double)), *sql = lp_calloc(cells, sizeof(double));
    double *pipe = lp_calloc(cells, sizeof(double)), *won = lp_calloc(cells, sizeof(double));
    double *quota = lp_calloc(cells, sizeof(double));
    if (!mql || !sql || !pipe || !won || !quota) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
#define CELL(team, k) ((size_t)((team) < 0 ? nteams + 1 : (team)) * WINDOW + (size_t)(k))
    for (size_t i = 0; i < m->nl; i++) {
        int32_t team = lead_team(m, i);
        int p = wpos(m, lead_mql(m, i));
        if (p >= 0) mql[CELL(team, p)]++;
        p = wpos(m, lead_sql(m, i));
        if (p >= 0) sql[CELL(team, p)]++;
    }
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j]) continue;
        int p = wpos(m, m->o_created[j]);
        if (p >= 0 && m->o_channel[j] == CH_INBOUND) pipe[CELL(m->o_team[j], p)] += m->o_amount[j];
        p = m->o_won[j] && m->o_closed[j] ? wpos(m, m->o_close[j]) : -1;
        if (p < 0) continue;
        if (m->o_channel[j] == CH_INBOUND) won[CELL(m->o_team[j], p)] += m->o_amount[j];
        quota[CELL(m->o_team[j], p)] += m->o_amount[j];
    }
    const lp_table *t = m->targets;
    const lp_column *period = t ? lp_table_column(t, "period") : NULL;
    const lp_column *meas = t ? lp_table_column(t, "measure") : NULL;
    const lp_column *team = t ? lp_table_column(t, "team") : NULL;
    const lp_column *value = t ? lp_table_column(t, "value") : NULL;
    for (size_t i = 0; period && meas && i < t->nrows; i++) {
        const char *pl = lp_column_str(period, i), *ms = lp_column_str(meas, i);
        if (!pl || !ms) continue;
        int k = -1;
        for (int w = 0; w < WINDOW; w++)
            if (strcmp(pl, m->labels[w]) == 0) k = w;
        if (k < 0) continue;
        const char *tm = team ? lp_column_str(team, i) : NULL;
        bool company = !tm || !*tm;
        int32_t tk = -1;
        if (!company) {
            tk = lp_strpool_find(m->teams.keys, tm, strlen(tm));
        }
        double actual = NAN;
        const double *src = !strcasecmp(ms, "mql")        ? mql
                            : !strcasecmp(ms, "sql")      ? sql
                            : !strcasecmp(ms, "pipeline") ? pipe
                            : !strcasecmp(ms, "won")      ? won
                            : !strcasecmp(ms, "quota")    ? quota
                                                          : NULL;
        if (src && company) {
            actual = 0;
            for (int32_t g = 0; g <= nteams; g++) actual += src[CELL(g == nteams ? -1 : g, k)];
            if (!strcasecmp(ms, "quota")) actual = all_won_amount[k];
        } else if (src && tk >= 0) {
            actual = src[CELL(tk, k)];
        } else if (src) {
            actual = 0;
        }
        bool avail = !strcasecmp(ms, "mql")   ? m->has_mql
                     : !strcasecmp(ms, "sql") ? m->has_sql
                                              : m->opps && m->has_amount;
        if (!avail) actual = NAN;
        double target = value ? lp_column_number(value, i) : NAN;
        lp_m_tb_s(&b, 0, ms);
        lp_m_tb_s(&b, 1, pl);
        lp_m_tb_s(&b, 2, company ? NULL : tm);
        lp_m_tb_d(&b, 3, target);
        lp_m_tb_d(&b, 4, actual);
        lp_m_tb_d(&b, 5, ratio(actual, target));
    }
#undef CELL
cleanup:
    lp_free(mql);
    lp_free(sql);
    lp_free(pipe);
    lp_free(won);
    lp_free(quota);
    if (st) {
        lp_table_free(b.table);
        return st;
    }
    return lp_m_tb_finish(&b, m->res);
}

static lp_status trend_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "mql_trend", "period:S,mqls:I,sqls:I,mql_target:D");
    for (int k = 0; k < WINDOW; k++) {
        lp_m_tb_s(&b, 0, m->labels[k]);
        if (isnan(m->hv[M_MQL_COUNT][k])) lp_m_tb_null(&b, 1);
        else lp_m_tb_i(&b, 1, (int64_t)m->hv[M_MQL_COUNT][k]);
        if (isnan(m->hv[M_SQL_COUNT][k])) lp_m_tb_null(&b, 2);
        else lp_m_tb_i(&b, 2, (int64_t)m->hv[M_SQL_COUNT][k]);
        lp_m_tb_d(&b, 3, lp_m_target_for(m, "mql", k, NULL));
    }
    return lp_m_tb_finish(&b, m->res);
}

static lp_status coverage_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "coverage", "open_inbound_pipeline:D,quota:D,won_to_date:D,"
                            "remaining_quota:D,coverage:D");
    double quota = NAN, won = NAN, remaining = NAN, coverage = NAN;
    int64_t start, end;
    double open = m->hv[M_OPEN_INBOUND_PIPELINE_AMOUNT][PI_P];
    if (lp_m_quota_lookup(m, &quota, &start, &end) && m->opps && m->has_amount && m->has_close) {
        won = 0;
        for (size_t j = 0; j < m->no; j++)
            if (m->o_in[j] && m->o_won[j] && m->o_closed[j] && m->o_close[j] != NONE &&
                m->o_close[j] >= start && m->o_close[j] < m->E)
                won += m->o_amount[j];
        remaining = quota - won;
        coverage = remaining > 0 ? ratio(open, remaining) : NAN;
    }
    lp_m_tb_d(&b, 0, open);
    lp_m_tb_d(&b, 1, quota);
    lp_m_tb_d(&b, 2, won);
    lp_m_tb_d(&b, 3, remaining);
    lp_m_tb_d(&b, 4, coverage);
    return lp_m_tb_finish(&b, m->res);
}

lp_status lp_m_headline_run(mctx *m)
{
    double all_won_amount[WINDOW];
    lp_status st = headline_values(m, all_won_amount);
    if (!st && m->opps && !m->channel_known) {
        /* No opportunity can be traced to a lead or carries a source: its
         * channel cannot be known, so the inbound figures do not exist
         * (never 0); closed business from every channel stands. */
        static const int inbound[] = {M_INBOUND_PIPELINE_COUNT, M_INBOUND_PIPELINE_AMOUNT,
                                      M_OPEN_INBOUND_PIPELINE_AMOUNT, M_INBOUND_WON_COUNT,
                                      M_INBOUND_WON_AMOUNT, M_INBOUND_WIN_RATE,
                                      M_INBOUND_AVG_DEAL, M_INBOUND_CYCLE_MEDIAN_DAYS,
                                      M_INBOUND_WON_SHARE};
        for (size_t i = 0; i < sizeof inbound / sizeof inbound[0]; i++)
            for (int k = 0; k < WINDOW; k++) {
                int q = inbound[i];
                m->hv[q][k] = m->hlo[q][k] = m->hhi[q][k] = NAN;
                m->hx[q][k] = m->hn[q][k] = 0;
            }
    }
    if (!st) st = breakdown(m, BY_SOURCE, "volume_by_source");
    if (!st) st = breakdown(m, BY_CHANNEL, "volume_by_channel");
    if (!st) st = breakdown(m, BY_CAMPAIGN, "volume_by_campaign");
    if (!st) st = breakdown(m, BY_TEAM, "volume_by_team");
    if (!st) st = breakdown(m, BY_SEGMENT, "volume_by_segment");
    if (!st) st = opp_sums(m, OK_STAGE, false, "pipeline_by_stage");
    if (!st) st = opp_sums(m, OK_SOURCE, false, "pipeline_by_source");
    if (!st) st = opp_sums(m, OK_CAMPAIGN, false, "pipeline_by_campaign");
    if (!st) st = opp_sums(m, OK_SOURCE, true, "won_by_source");
    if (!st) st = opp_sums(m, OK_CAMPAIGN, true, "won_by_campaign");
    if (!st) st = coverage_table(m);
    if (!st) st = targets_table(m, all_won_amount);
    if (!st) st = trend_table(m);
    return st;
}
