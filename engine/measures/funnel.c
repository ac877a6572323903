/*
 * Funnel (creation cohort of the window), reverse funnel (trailing four
 * quarters), MQL forecast (OLS on the window) and routing (lifetime MQLs by
 * the owner's team, with Beta intervals).
 */
#include "measures_internal.h"

#include <stdlib.h>
#include <string.h>

/* The funnel of the window's creation cohort. The step into won counts an
 * opportunity still open as not (yet) won, so the "won" row also says how
 * many of the cohort's opportunity leads are still open and the win rate
 * of those already closed (templates/DEFINITIONS.md, "Change between periods"): a lead
 * that reached the opportunity step is won when one of its opportunities
 * is won (the step's own rule), else open when one of its opportunities
 * created by as-of is not closed by as-of (not closed, or closed with a
 * close date after as-of), else lost. open + won + lost = the opportunity
 * step's reached. */
static lp_status funnel_table(mctx *m)
{
    static const char *const steps[] = {"lead", "mql", "sql", "opportunity", "won"};
    uint64_t reached[5] = {0}, open = 0;
    bool avail[5] = {m->leads != NULL, m->has_mql, m->has_sql, m->opps != NULL,
                     m->opps != NULL};
    uint8_t *has_open = lp_calloc(m->nl ? m->nl : 1, 1);
    if (!has_open) return LP_ERR_NOMEM;
    for (size_t j = 0; j < m->no; j++) {
        int32_t lr = m->o_lead[j];
        if (lr < 0 || !m->o_in[j]) continue;
        bool closed = m->o_closed[j] && (m->o_close[j] == NONE || m->o_close[j] <= m->as_of);
        if (!closed) has_open[lr] = 1;
    }
    for (size_t i = 0; m->leads && i < m->nl; i++) {
        if (!m->l_in[i] || wpos(m, lead_created(m, i)) < 0) continue;
        reached[0]++;
        if (lead_mql(m, i) == NONE) continue;
        reached[1]++;
        if (lead_sql(m, i) == NONE) continue;
        reached[2]++;
        if (!m->l_has_opp[i]) continue;
        reached[3]++;
        if (m->l_won[i]) reached[4]++;
        else if (has_open[i]) open++;
    }
    lp_free(has_open);
    tb b;
    lp_m_tb_init(&b, "funnel", "step:S,reached:I,rate:D,low:D,high:D,open:I,closed:I,"
                          "closed_win_rate:D,closed_low:D,closed_high:D");
    bool chain = true;
    for (int s = 0; s < 5; s++) {
        chain = chain && avail[s];
        lp_m_tb_s(&b, 0, steps[s]);
        if (!chain) {
            for (int c = 1; c < 10; c++) lp_m_tb_null(&b, c);
            continue;
        }
        lp_m_tb_i(&b, 1, (int64_t)reached[s]);
        double est = NAN, lo = NAN, hi = NAN;
        if (s > 0) lp_m_wilson3(reached[s], reached[s - 1], &est, &lo, &hi);
        lp_m_tb_d(&b, 2, est);
        lp_m_tb_d(&b, 3, lo);
        lp_m_tb_d(&b, 4, hi);
        if (s != 4) {
            for (int c = 5; c < 10; c++) lp_m_tb_null(&b, c);
            continue;
        }
        uint64_t closed = reached[3] - open; /* won + lost */
        lp_m_wilson3(reached[4], closed, &est, &lo, &hi);
        lp_m_tb_i(&b, 5, (int64_t)open);
        lp_m_tb_i(&b, 6, (int64_t)closed);
        lp_m_tb_d(&b, 7, est);
        lp_m_tb_d(&b, 8, lo);
        lp_m_tb_d(&b, 9, hi);
    }
    return lp_m_tb_finish(&b, m->res);
}

/* Trailing four quarters: the twelve months before E (same local clock
 * time one year earlier; 29 February falls back to 28 February). */
static int64_t year_before(int64_t t)
{
    int64_t y;
    int mo, d, hh, mi, ss;
    lp_instant_to_local(t, &y, &mo, &d, &hh, &mi, &ss);
    if (mo == 2 && d == 29) d = 28;
    return lp_local_to_instant(y - 1, mo, d, hh, mi, ss);
}

static lp_status reverse_funnel_table(mctx *m)
{
    int64_t from = year_before(m->E), to = m->E;
    uint64_t leads = 0, leads_won = 0, mqls = 0, mqls_won = 0, opps = 0, opps_won = 0;
    double won_amount = 0;
    uint64_t won_deals = 0;
    for (size_t i = 0; i < m->nl; i++) {
        if (!m->l_in[i]) continue;
        int64_t created = lead_created(m, i), mql = lead_mql(m, i);
        if (created >= from && created < to) {
            leads++;
            leads_won += m->l_won[i];
        }
        if (mql != NONE && mql >= from && mql < to) {
            mqls++;
            mqls_won += m->l_won[i];
        }
    }
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j]) continue;
        if (m->o_created[j] >= from && m->o_created[j] < to) {
            opps++;
            opps_won += m->o_won[j];
        }
        if (m->o_won[j] && m->o_closed[j] && m->o_close[j] != NONE && m->o_close[j] >= from &&
            m->o_close[j] < to) {
            won_deals++;
            won_amount += m->o_amount[j];
        }
    }
    double quota = NAN;
    int64_t qs, qe;
    if (!lp_m_quota_lookup(m, &quota, &qs, &qe)) quota = NAN;
    double avg = m->opps && m->has_amount && m->has_close && won_deals
                     ? won_amount / (double)won_deals
                     : NAN;
    tb b;
    lp_m_tb_init(&b, "reverse_funnel", "stage:S,needed:D,low:D,high:D,quota:D,rate:D,avg_deal:D");
    struct {
        const char *stage;
        uint64_t x, n;
        bool avail;
    } rows[] = {
        {"leads", leads_won, leads, m->leads && m->opps},
        {"mqls", mqls_won, mqls, m->leads && m->has_mql && m->opps},
        {"opportunities", opps_won, opps, m->opps != NULL},
    };
    for (size_t r = 0; r < 3; r++) {
        double rate = NAN, lo = NAN, hi = NAN;
        if (rows[r].avail) lp_m_wilson3(rows[r].x, rows[r].n, &rate, &lo, &hi);
        double needed = ratio(quota, avg * rate);
        /* The higher rate needs the fewer records. */
        double need_low = ratio(quota, avg * hi), need_high = ratio(quota, avg * lo);
        lp_m_tb_s(&b, 0, rows[r].stage);
        lp_m_tb_d(&b, 1, needed);
        lp_m_tb_d(&b, 2, need_low);
        lp_m_tb_d(&b, 3, need_high);
        lp_m_tb_d(&b, 4, quota);
        lp_m_tb_d(&b, 5, rate);
        lp_m_tb_d(&b, 6, avg);
    }
    return lp_m_tb_finish(&b, m->res);
}

static lp_status forecast_table(mctx *m)
{
    tb b;
    lp_m_tb_init(&b, "forecast", "period:S,mql_forecast:D,low:D,high:D");
    double y[WINDOW];
    bool avail = m->leads && m->has_mql;
    for (int k = 0; k < WINDOW; k++) y[k] = m->hv[M_MQL_COUNT][k];
    lp_ols fit = {0};
    if (avail) fit = lp_ols_fit(y, WINDOW);
    for (int h = 1; h <= 4; h++) {
        char label[24];
        lp_period_label(&m->cal, m->P + h, label, sizeof label);
        lp_m_tb_s(&b, 0, label);
        if (avail && fit.defined) {
            lp_interval iv = lp_ols_predict(&fit, y, (double)(WINDOW - 1 + h), 0.80);
            lp_m_tb_d(&b, 1, iv.estimate);
            lp_m_tb_d(&b, 2, iv.defined ? iv.low : NAN);
            lp_m_tb_d(&b, 3, iv.defined ? iv.high : NAN);
        } else {
            lp_m_tb_null(&b, 1);
            lp_m_tb_null(&b, 2);
            lp_m_tb_null(&b, 3);
        }
    }
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Routing ---- */

typedef struct route {
    const char *team;
    uint64_t mqls, won;
    double low, high;
    bool best;
} route;

static void route_interval(route *r)
{
    r->low = lp_beta_quantile(0.05, (double)r->won + 1, (double)(r->mqls - r->won) + 1);
    r->high = lp_beta_quantile(0.95, (double)r->won + 1, (double)(r->mqls - r->won) + 1);
}

/* A team is the best route only when its interval lies wholly above every
 * other team's (and there is another team to compare with). */
static void mark_best(route *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool best = n > 1 && r[i].mqls > 0;
        for (size_t j = 0; j < n && best; j++)
            if (j != i && r[j].mqls > 0 && !(r[i].low > r[j].high)) best = false;
        r[i].best = best;
    }
}

static lp_status routing_tables(mctx *m)
{
    lp_status st = LP_OK;
    int32_t nteams = lp_m_keyspace_count(&m->teams);
    size_t ng = (size_t)nteams + 1;
    route *r = lp_calloc(ng * 6, sizeof(route)); /* [segment+1][team]: 0 = all */
    route *tmp = lp_calloc(ng, sizeof(route));
    tb t, s;
    lp_m_tb_init(&t, "routing", "team:S,mqls:I,won:I,rate:D,low:D,high:D,best_route:B");
    lp_m_tb_init(&s, "routing_by_segment",
            "segment:S,team:S,mqls:I,won:I,rate:D,low:D,high:D,best_route:B");
    if (!r || !tmp) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    bool avail = m->leads && m->has_mql;
    for (size_t i = 0; avail && i < m->nl; i++) {
        if (lead_mql(m, i) == NONE) continue;
        int32_t key = lead_team(m, i);
        size_t team = key >= 0 ? (size_t)key : (size_t)nteams;
        size_t seg = m->l_segment[i] >= 0 ? (size_t)m->l_segment[i] + 1 : 5;
        r[team].mqls++;
        r[team].won += m->l_won[i];
        r[seg * ng + team].mqls++;
        r[seg * ng + team].won += m->l_won[i];
    }
    static const char *const seg_names[] = {"", "1-49", "50-199", "200-999", "1000+",
                                            "(unknown)"};
    for (size_t seg = 0; seg < 6; seg++) {
        size_t n = 0;
        for (size_t g = 0; g < ng; g++) {
            route x = r[seg * ng + g];
            if (!x.mqls) continue;
            x.team = g < (size_t)nteams ? lp_m_keyspace_name(&m->teams, (int32_t)g) : "(no team)";
            route_interval(&x);
            tmp[n++] = x;
        }
        mark_best(tmp, n);
        for (size_t i = 0; i < n; i++) {
            tb *out = seg == 0 ? &t : &s;
            int c = 0;
            if (seg) lp_m_tb_s(out, c++, seg_names[seg]);
            lp_m_tb_s(out, c++, tmp[i].team);
            lp_m_tb_i(out, c++, (int64_t)tmp[i].mqls);
            lp_m_tb_i(out, c++, (int64_t)tmp[i].won);
            lp_m_tb_d(out, c++, (double)tmp[i].won / (double)tmp[i].mqls);
            lp_m_tb_d(out, c++, tmp[i].low);
            lp_m_tb_d(out, c++, tmp[i].high);
            lp_m_tb_b(out, c++, tmp[i].best);
        }
    }
cleanup:
    lp_free(r);
    lp_free(tmp);
    if (st) {
        lp_table_free(t.table);
        lp_table_free(s.table);
        return st;
    }
    st = lp_m_tb_finish(&t, m->res);
    lp_status st2 = lp_m_tb_finish(&s, m->res);
    return st ? st : st2;
}

lp_status lp_m_funnel_run(mctx *m)
{
    lp_status st = funnel_table(m);
    if (!st) st = reverse_funnel_table(m);
    if (!st) st = forecast_table(m);
    if (!st) st = routing_tables(m);
    return st;
}
