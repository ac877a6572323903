/*
 * Headline measure 2, campaign effectiveness: multi-touch attribution under
 * all five models at once, lifetime to as-of, the listing rule, cost ratios
 * and the MQL-to-opportunity test of each listed campaign.
 *
 * Each event (an MQL at mql_at, an SQL at sql_at, an opportunity at
 * created_at) looks at its lead's touches at or before the event, already
 * sorted by touched_at, touch_id, export order (prep.c). Shares are computed
 * per position; the event's value (1, or the amount) is split so that the
 * last credited position takes the remainder, which makes one event's
 * credits sum to exactly its value.
 */
#include "measures_internal.h"

#include "lp/figures.h"

#include <stdlib.h>
#include <string.h>

enum { K_MQL, K_SQL, K_OPP, K_PIPE, K_WON, K_COUNT };
static const char *const model_names[LP_ATTR_COUNT] = {
    "first_touch", "last_touch", "linear", "u_shaped", "w_shaped",
};

/* Shares of each of n touches (n >= 1) under a model. mql_pos is the
 * position of the latest touch at or before mql_at, or -1 (then the W
 * model's middle share goes to the last touch). */
static void model_shares(int model, size_t n, long mql_pos, double *s)
{
    for (size_t i = 0; i < n; i++) s[i] = 0;
    if (n == 1) {
        s[0] = 1;
        return;
    }
    switch (model) {
    case LP_ATTR_FIRST_TOUCH: s[0] = 1; return;
    case LP_ATTR_LAST_TOUCH: s[n - 1] = 1; return;
    case LP_ATTR_LINEAR:
        for (size_t i = 0; i < n; i++) s[i] = 1.0 / (double)n;
        return;
    case LP_ATTR_U_SHAPED:
        if (n == 2) {
            s[0] = s[1] = 0.5;
            return;
        }
        s[0] = s[n - 1] = 0.4;
        for (size_t i = 1; i + 1 < n; i++) s[i] = 0.2 / (double)(n - 2);
        return;
    case LP_ATTR_W_SHAPED: {
        size_t q = mql_pos >= 0 ? (size_t)mql_pos : n - 1;
        s[0] += 0.3;
        s[q] += 0.3;
        s[n - 1] += 0.3;
        size_t rest = 0;
        for (size_t i = 0; i < n; i++)
            if (i != 0 && i != q && i != n - 1) rest++;
        if (rest) {
            for (size_t i = 0; i < n; i++)
                if (i != 0 && i != q && i != n - 1) s[i] = 0.1 / (double)rest;
        } else {
            size_t named = 1 + (q != 0 && q != n - 1) + (n - 1 != 0);
            double each = 0.1 / (double)named;
            s[0] += each;
            if (q != 0 && q != n - 1) s[q] += each;
            s[n - 1] += each;
        }
        return;
    }
    }
}

typedef struct attr_state {
    mctx *m;
    size_t ncamp;            /* keys; index ncamp = (no campaign) */
    double *acc;             /* [model][kind][ncamp + 1] */
    uint8_t *listed;         /* [ncamp + 1] */
    double *shares;          /* scratch, max touches per lead */
    int32_t *camp_of;        /* scratch: campaign per position */
} attr_state;

#define ACC(a, model, kind, camp)                                                          \
    (a)->acc[((size_t)(model) * K_COUNT + (kind)) * ((a)->ncamp + 1) + (size_t)(camp)]

/* Credits one event of `value` to the campaigns camp_of[0..n) (n = 0: no
 * campaign). kinds: the accumulators to add to, each with its value. */
static void credit_event(attr_state *a, size_t n, long mql_pos, const int *kinds,
                         const double *values, int nkinds, bool in_window)
{
    int configured = (int)a->m->set->attribution;
    for (int model = 0; model < LP_ATTR_COUNT; model++) {
        if (n == 0) {
            for (int k = 0; k < nkinds; k++) ACC(a, model, kinds[k], a->ncamp) += values[k];
            if (in_window && model == configured) a->listed[a->ncamp] = 1;
            continue;
        }
        model_shares(model, n, mql_pos, a->shares);
        size_t last = n;
        for (size_t i = n; i-- > 0;)
            if (a->shares[i] > 0) {
                last = i;
                break;
            }
        for (int k = 0; k < nkinds; k++) {
            double given = 0;
            for (size_t i = 0; i < n; i++) {
                if (a->shares[i] <= 0) continue;
                double c = i == last ? values[k] - given : values[k] * a->shares[i];
                given += c;
                ACC(a, model, kinds[k], a->camp_of[i]) += c;
            }
        }
        if (in_window && model == configured)
            for (size_t i = 0; i < n; i++)
                if (a->shares[i] > 0) a->listed[a->camp_of[i]] = 1;
    }
}

/* Touches of lead l at or before t: fills camp_of and returns the count;
 * *mql_pos receives the position of the latest touch at or before mql_at. */
static size_t touches_before(attr_state *a, int32_t l, int64_t t, long *mql_pos)
{
    const mctx *m = a->m;
    const int32_t *rows = m->t_rows + m->t_off[l];
    size_t cnt = m->t_off[l + 1] - m->t_off[l], n = 0;
    while (n < cnt && m->t_at[rows[n]] <= t) {
        a->camp_of[n] = m->t_camp[rows[n]];
        n++;
    }
    long q = -1;
    int64_t mql = lead_mql(m, l);
    for (size_t i = 0; mql != NONE && i < n && m->t_at[rows[i]] <= mql; i++) q = (long)i;
    *mql_pos = q;
    return n;
}

static void attribute_all(attr_state *a)
{
    mctx *m = a->m;
    for (size_t l = 0; l < m->nl; l++) {
        long q;
        int64_t mql = lead_mql(m, l), sql = lead_sql(m, l);
        if (mql != NONE) {
            size_t n = touches_before(a, (int32_t)l, mql, &q);
            int kinds[] = {K_MQL};
            double values[] = {1};
            credit_event(a, n, q, kinds, values, 1, wpos(m, mql) >= 0);
        }
        if (sql != NONE) {
            size_t n = touches_before(a, (int32_t)l, sql, &q);
            int kinds[] = {K_SQL};
            double values[] = {1};
            credit_event(a, n, q, kinds, values, 1, wpos(m, sql) >= 0);
        }
    }
    for (size_t j = 0; j < m->no; j++) {
        if (!m->o_in[j]) continue;
        int kinds[] = {K_OPP, K_PIPE, K_WON};
        double values[] = {1, m->o_amount[j], m->o_won[j] ? m->o_amount[j] : 0};
        bool in_window = wpos(m, m->o_created[j]) >= 0;
        size_t n = 0;
        long q = -1;
        if (m->o_lead[j] >= 0) {
            n = touches_before(a, m->o_lead[j], m->o_created[j], &q);
        } else if (m->o_own_camp[j] >= 0) {
            a->camp_of[0] = m->o_own_camp[j];
            n = 1;
        }
        credit_event(a, n, q, kinds, values, 3, in_window);
    }
}

/* ---- The MQL-to-opportunity test ---- */

static lp_status campaign_tests(mctx *m, const uint8_t *listed, size_t ncamp)
{
    lp_status st = LP_OK;
    tb b;
    lp_m_tb_init(&b, "campaign_tests", "campaign_id:S,name:S,mqls:I,opportunities:I,rate:D,"
                                  "others_rate:D,p_value:D,q_value:D,verdict:S");
    uint64_t *mq = lp_calloc(ncamp + 1, sizeof(uint64_t));
    uint64_t *op = lp_calloc(ncamp + 1, sizeof(uint64_t));
    double *p = lp_calloc(ncamp + 1, sizeof(double));
    double *q = lp_calloc(ncamp + 1, sizeof(double));
    int32_t *which = lp_calloc(ncamp + 1, sizeof(int32_t));
    if (!mq || !op || !p || !q || !which) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    uint64_t all_mq = 0, all_op = 0;
    for (size_t l = 0; l < m->nl; l++) {
        if (lead_mql(m, l) == NONE || m->l_camp[l] < 0) continue;
        mq[m->l_camp[l]]++;
        all_mq++;
        if (m->l_has_opp[l]) {
            op[m->l_camp[l]]++;
            all_op++;
        }
    }
    size_t ntests = 0;
    for (size_t c = 0; c < ncamp; c++) {
        if (!listed[c]) continue;
        lp_test t = lp_two_proportion_test(op[c], mq[c], all_op - op[c], all_mq - mq[c]);
        if (!t.defined) continue;
        which[ntests] = (int32_t)c;
        p[ntests++] = t.p_value;
    }
    if (ntests) st = lp_benjamini_hochberg(p, ntests, q);
    if (st) goto cleanup;
    size_t next = 0;
    for (size_t c = 0; c < ncamp && m->has_mql; c++) {
        if (!listed[c]) continue;
        double pv = NAN, qv = NAN;
        if (next < ntests && which[next] == (int32_t)c) {
            pv = p[next];
            qv = q[next];
            next++;
        }
        double rate = ratio((double)op[c], (double)mq[c]);
        double others = ratio((double)(all_op - op[c]), (double)(all_mq - mq[c]));
        const char *verdict = "";
        if (!isnan(qv) && qv <= 0.10) verdict = rate > others ? "better" : "worse";
        lp_m_tb_s(&b, 0, lp_m_keyspace_name(&m->campaign_keys, (int32_t)c));
        lp_m_tb_s(&b, 1, lp_m_campaign_name(m, (int32_t)c));
        lp_m_tb_i(&b, 2, (int64_t)mq[c]);
        lp_m_tb_i(&b, 3, (int64_t)op[c]);
        lp_m_tb_d(&b, 4, rate);
        lp_m_tb_d(&b, 5, others);
        lp_m_tb_d(&b, 6, pv);
        lp_m_tb_d(&b, 7, qv);
        lp_m_tb_s(&b, 8, verdict);
    }
cleanup:
    lp_free(mq);
    lp_free(op);
    lp_free(p);
    lp_free(q);
    lp_free(which);
    if (st) {
        lp_table_free(b.table);
        return st;
    }
    return lp_m_tb_finish(&b, m->res);
}

/* ---- Tables ---- */

static lp_status campaign_tables(attr_state *a)
{
    mctx *m = a->m;
    lp_status st = LP_OK;
    size_t nc = a->ncamp;
    int64_t *touches = lp_calloc(nc + 1, sizeof(int64_t));
    int64_t *responders = lp_calloc(nc + 1, sizeof(int64_t));
    int64_t *created = lp_calloc(nc + 1, sizeof(int64_t));
    tb c, at, dt;
    lp_m_tb_init(&c, "campaigns", "campaign_id:S,name:S,touches:I,responders:I,response_rate:D,"
                             "leads_created:I,mqls:D,sqls:D,opportunities:D,pipeline:D,won:D,"
                             "cost:D,cost_per_lead:D,cost_per_mql:D,cost_per_opportunity:D,"
                             "return:D,scope:S,model:S");
    lp_m_tb_init(&at, "attribution", "campaign_id:S,name:S,model:S,mqls:D,sqls:D,opportunities:D,"
                                "pipeline:D,won:D");
    lp_m_tb_init(&dt, "detail_touches",
                 "lead_id:S,campaign_id:S,campaign_name:S,touched_at:T,responded:B");
    if (!touches || !responders || !created) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    const lp_column *responded =
        m->touches && !m->synthetic_touches ? lp_table_column(m->touches, "responded") : NULL;
    if (responded && responded->type != LP_TYPE_BOOL) responded = NULL;
    for (size_t t = 0; !m->synthetic_touches && t < m->nt; t++) {
        int64_t at = touch_at(m, t);
        if (at == NONE) continue;
        touches[m->t_camp[t]]++;
        if (responded && lp_column_valid(responded, t) && responded->v.b[t])
            responders[m->t_camp[t]]++;
        if (wpos(m, at) >= 0) a->listed[m->t_camp[t]] = 1;
    }
    /* Touches a warehouse source counted on the server instead of copying
     * them (pushdown, lp/warehouse.h): lifetime counts per campaigns row. */
    const lp_column *pt = m->camps ? lp_table_column(m->camps, LP_PUSHDOWN_TOUCHES) : NULL;
    const lp_column *pr = m->camps ? lp_table_column(m->camps, LP_PUSHDOWN_RESPONDERS) : NULL;
    for (int32_t k = 0; pt && pr && !m->synthetic_touches && k < m->ncamp_rows; k++) {
        if (m->camp_row[k] < 0) continue;
        touches[k] += pt->v.i64[m->camp_row[k]];
        if (responded) responders[k] += pr->v.i64[m->camp_row[k]];
    }
    for (size_t l = 0; l < m->nl; l++)
        if (m->l_in[l]) created[m->l_camp[l] >= 0 ? (size_t)m->l_camp[l] : nc]++;
    a->listed[nc] = 1;

    const lp_column *cost_col = m->has_cost ? lp_table_column(m->camps, "actual_cost") : NULL;
    int model = (int)m->set->attribution;
    bool lead_data = m->leads != NULL;
    bool opp_data = m->opps != NULL;
    bool amounts = opp_data && m->has_amount;
    for (size_t k = 0; k <= nc; k++) {
        if (!a->listed[k]) continue;
        bool none = k == nc;
        int32_t key = none ? -1 : (int32_t)k;
        const char *id = none ? "(no campaign)" : lp_m_keyspace_name(&m->campaign_keys, key);
        const char *name = lp_m_campaign_name(m, key);
        int32_t row = none ? -1 : m->camp_row[k];
        double cost = cost_col && row >= 0 ? lp_column_number(cost_col, (size_t)row) : NAN;
        double mqls = lead_data && m->has_mql ? ACC(a, model, K_MQL, k) : NAN;
        double sqls = lead_data && m->has_sql ? ACC(a, model, K_SQL, k) : NAN;
        double opps = opp_data ? ACC(a, model, K_OPP, k) : NAN;
        double pipe = amounts ? ACC(a, model, K_PIPE, k) : NAN;
        double won = amounts ? ACC(a, model, K_WON, k) : NAN;
        bool have_touches = m->touches && !m->synthetic_touches;
        lp_m_tb_s(&c, 0, id);
        lp_m_tb_s(&c, 1, name);
        if (have_touches) {
            lp_m_tb_i(&c, 2, touches[k]);
            lp_m_tb_i(&c, 3, responders[k]);
        } else {
            lp_m_tb_null(&c, 2);
            lp_m_tb_null(&c, 3);
        }
        lp_m_tb_d(&c, 4, have_touches && responded ? ratio((double)responders[k], (double)touches[k])
                                              : NAN);
        if (lead_data) lp_m_tb_i(&c, 5, created[k]);
        else lp_m_tb_null(&c, 5);
        lp_m_tb_d(&c, 6, mqls);
        lp_m_tb_d(&c, 7, sqls);
        lp_m_tb_d(&c, 8, opps);
        lp_m_tb_d(&c, 9, pipe);
        lp_m_tb_d(&c, 10, won);
        lp_m_tb_d(&c, 11, cost);
        lp_m_tb_d(&c, 12, lead_data ? ratio(cost, (double)created[k]) : NAN);
        lp_m_tb_d(&c, 13, ratio(cost, mqls));
        lp_m_tb_d(&c, 14, ratio(cost, opps));
        lp_m_tb_d(&c, 15, ratio(won - cost, cost));
        /* Every figure of the row counts from the first record to as-of
         * under the configured model: say so beside the numbers, so no
         * renderer reads them as this period's. */
        lp_m_tb_s(&c, 16, lp_scope_name(LP_SCOPE_LIFETIME));
        lp_m_tb_s(&c, 17, lp_attribution_name(m->set->attribution));
        for (int md = 0; md < LP_ATTR_COUNT; md++) {
            lp_m_tb_s(&at, 0, id);
            lp_m_tb_s(&at, 1, name);
            lp_m_tb_s(&at, 2, model_names[md]);
            lp_m_tb_d(&at, 3, lead_data && m->has_mql ? ACC(a, md, K_MQL, k) : NAN);
            lp_m_tb_d(&at, 4, lead_data && m->has_sql ? ACC(a, md, K_SQL, k) : NAN);
            lp_m_tb_d(&at, 5, opp_data ? ACC(a, md, K_OPP, k) : NAN);
            lp_m_tb_d(&at, 6, amounts ? ACC(a, md, K_PIPE, k) : NAN);
            lp_m_tb_d(&at, 7, amounts ? ACC(a, md, K_WON, k) : NAN);
        }
    }

    if (m->touches && !m->synthetic_touches) {
        const lp_column *lead_id = lp_table_column(m->touches, "lead_id");
        for (size_t t = 0; t < m->nt; t++) {
            /* The detail sheet holds the report period's touches: a
             * lifetime of memberships (millions of rows at scale) would
             * make the workbook slow to write and to open. */
            int64_t at = touch_at(m, t);
            if (at == NONE || !a->listed[m->t_camp[t]] || !in_p(m, at)) continue;
            lp_m_tb_s(&dt, 0, lp_column_str(lead_id, t));
            lp_m_tb_s(&dt, 1, lp_m_keyspace_name(&m->campaign_keys, m->t_camp[t]));
            lp_m_tb_s(&dt, 2, lp_m_campaign_export_name(m, m->t_camp[t]));
            lp_m_tb_t(&dt, 3, at);
            if (responded && lp_column_valid(responded, t)) lp_m_tb_b(&dt, 4, responded->v.b[t]);
            else lp_m_tb_null(&dt, 4);
        }
    }
cleanup:
    lp_free(touches);
    lp_free(responders);
    lp_free(created);
    if (st) {
        lp_table_free(c.table);
        lp_table_free(at.table);
        lp_table_free(dt.table);
        return st;
    }
    st = lp_m_tb_finish(&c, m->res);
    lp_status st2 = lp_m_tb_finish(&at, m->res);
    lp_status st3 = lp_m_tb_finish(&dt, m->res);
    return st ? st : st2 ? st2 : st3;
}

lp_status lp_m_campaigns_run(mctx *m)
{
    lp_status st = LP_OK;
    attr_state a = {.m = m, .ncamp = (size_t)lp_m_keyspace_count(&m->campaign_keys)};
    size_t maxg = 1;
    for (size_t l = 0; l < m->nl; l++)
        if (m->t_off[l + 1] - m->t_off[l] > maxg) maxg = m->t_off[l + 1] - m->t_off[l];
    a.acc = lp_calloc((size_t)LP_ATTR_COUNT * K_COUNT * (a.ncamp + 1), sizeof(double));
    a.listed = lp_calloc(a.ncamp + 1, 1);
    a.shares = lp_malloc(maxg * sizeof(double));
    a.camp_of = lp_malloc(maxg * sizeof(int32_t));
    if (!a.acc || !a.listed || !a.shares || !a.camp_of) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    attribute_all(&a);
    st = campaign_tables(&a);
    if (!st) st = campaign_tests(m, a.listed, a.ncamp);
cleanup:
    lp_free(a.acc);
    lp_free(a.listed);
    lp_free(a.shares);
    lp_free(a.camp_of);
    return st;
}
