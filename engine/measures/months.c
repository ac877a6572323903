/*
 * The first-page figures by calendar month, for the twelve months that end
 * with the month holding the end of P: the "12" half of the 6-12 trend on
 * page 1 (the "6" half is the last six window periods of headline). Each
 * month counts the same events as the headline figure of a period does
 * (headline.c, sla.c), up to min(month end, end of P): the last month is
 * month to date when P ends inside it.
 */
#include "measures_internal.h"

#include <stdio.h>

#define MONTHS LP_TREND_MONTHS

enum { K_MQL, K_ACCEPTANCE, K_PIPELINE, K_SLA, K_WON, K_COUNT };

/* In step with lp_figure_kpis (engine/figures/figures.c). */
static const char *const kpi_measure[K_COUNT] = {"mql_count", "acceptance_rate",
                                                 "inbound_pipeline_amount", "sla_compliance",
                                                 "inbound_won_amount"};

typedef struct months {
    lp_calendar cal;
    int64_t first;                /* ordinal of the first month */
    int64_t start, end;           /* first month's start; end of the span counted */
} months;

/* Month position (0..11) of an instant, or -1 outside the span counted. */
static int mpos(const months *mo, int64_t t)
{
    if (t == NONE || t < mo->start || t >= mo->end) return -1;
    return (int)(lp_period_of(&mo->cal, t) - mo->first);
}

lp_status lp_m_months_run(mctx *m)
{
    months mo = {.cal = m->cal};
    mo.cal.kind = LP_PERIOD_MONTH;
    int64_t last = lp_period_of(&mo.cal, m->E - 1);
    mo.first = last - (MONTHS - 1);
    mo.start = lp_period_start(&mo.cal, mo.first);
    mo.end = m->E;

    uint64_t mqls[MONTHS] = {0}, accepted[MONTHS] = {0}, eligible[MONTHS] = {0},
             within[MONTHS] = {0};
    double pipe[MONTHS] = {0}, won[MONTHS] = {0};
    bool leads = m->leads && m->has_mql, sla = leads && m->acts;
    for (size_t i = 0; leads && i < m->nl; i++) {
        int p = mpos(&mo, lead_mql(m, i));
        if (p < 0) continue;
        int32_t q = m->l_mql_ord[i];
        mqls[p]++;
        accepted[p] += lead_sql(m, i) != NONE;
        eligible[p] += !mql_sla_pending(m, q);
        within[p] += mql_within_sla(m, q);
    }
    bool inbound = m->opps && m->channel_known, amounts = inbound && m->has_amount;
    for (size_t j = 0; amounts && j < m->no; j++) {
        if (!m->o_in[j] || m->o_channel[j] != CH_INBOUND) continue;
        int p = mpos(&mo, m->o_created[j]);
        if (p >= 0) pipe[p] += m->o_amount[j];
        p = m->o_closed[j] && m->o_won[j] ? mpos(&mo, m->o_close[j]) : -1;
        if (p >= 0) won[p] += m->o_amount[j];
    }

    tb b;
    lp_m_tb_init(&b, "kpi_months", "measure:S,month:S,value:D,through:T");
    for (int k = 0; k < K_COUNT; k++) {
        for (int p = 0; p < MONTHS; p++) {
            double v = NAN;
            switch (k) {
            case K_MQL: v = leads ? (double)mqls[p] : NAN; break;
            case K_ACCEPTANCE:
                v = leads && m->has_sql && mqls[p] ? (double)accepted[p] / (double)mqls[p] : NAN;
                break;
            case K_PIPELINE: v = amounts ? pipe[p] : NAN; break;
            case K_SLA: v = sla && eligible[p] ? (double)within[p] / (double)eligible[p] : NAN; break;
            case K_WON: v = amounts && m->has_close ? won[p] : NAN; break;
            }
            char label[24];
            lp_period_label(&mo.cal, mo.first + p, label, sizeof label);
            int64_t end = lp_period_end(&mo.cal, mo.first + p);
            lp_m_tb_s(&b, 0, kpi_measure[k]);
            lp_m_tb_s(&b, 1, label);
            lp_m_tb_d(&b, 2, v);
            lp_m_tb_t(&b, 3, end < mo.end ? end : mo.end);
        }
    }
    return lp_m_tb_finish(&b, m->res);
}
