/*
 * Headline measure 4, SLA compliance: per window period for the headline,
 * and for P by owner, team and partner, with Kaplan-Meier curves and the
 * breaches list. prep.c has already found each MQL's first touch, deadline,
 * hours and follow-up count.
 */
#include "measures_internal.h"

#include <stdlib.h>
#include <string.h>

/* The marks of the response summary (sla_reached): share touched within
 * 1, 4, 24 and 48 hours of hand-off. */
static const double reached_marks[] = {1, 4, 24, 48};
enum { NMARKS = sizeof reached_marks / sizeof reached_marks[0] };

typedef struct sla_stats {
    uint64_t mqls, eligible, within, untouched, pending, overdue, fu_eligible, fu_met;
    double median, p90;
    double reached[NMARKS];   /* 1 - S(mark), Kaplan-Meier */
} sla_stats;

typedef struct sla_work {
    double *hours;
    bool *event;
} sla_work;

/* Figures of one group of MQL leads (rows idx[0..n)). */
static lp_status sla_group(const mctx *m, const int32_t *idx, size_t n, sla_work *w,
                           sla_stats *out, tb *curve, const char *curve_team)
{
    memset(out, 0, sizeof(*out));
    int fu_need = m->set->followup_activities > 0 ? m->set->followup_activities : 3;
    int64_t fu_span = (int64_t)(m->set->followup_days > 0 ? m->set->followup_days : 7) * 86400;
    for (size_t r = 0; r < n; r++) {
        int32_t q = m->l_mql_ord[idx[r]];
        bool touched = m->mq_first[q] != NONE;
        out->mqls++;
        out->untouched += !touched;
        out->pending += mql_sla_pending(m, q);
        out->overdue += !touched && !mql_sla_pending(m, q);
        out->within += mql_within_sla(m, q);
        if (m->mq_at[q] + fu_span <= m->as_of) {
            out->fu_eligible++;
            if (m->mq_followups[q] >= fu_need) out->fu_met++;
        }
        w->hours[r] = m->mq_hours[q];
        w->event[r] = touched;
    }
    out->eligible = out->mqls - out->pending;
    return lp_m_km_summary(w->hours, w->event, n, &out->median, &out->p90, curve, curve_team,
                           reached_marks, NMARKS, out->reached);
}

/* One row of sla_reached: the response curve of a group in a few numbers. */
static void reached_row(tb *b, const char *team, const sla_stats *s)
{
    lp_m_tb_s(b, 0, team);
    lp_m_tb_i(b, 1, (int64_t)s->mqls);
    for (int k = 0; k < NMARKS; k++) lp_m_tb_d(b, 2 + k, s->reached[k]);
    lp_m_tb_d(b, 2 + NMARKS, s->median);
    lp_m_tb_d(b, 3 + NMARKS, s->p90);
}

#define REACHED_SPEC                                                                       \
    "team:S,mqls:I,within_1h:D,within_4h:D,within_24h:D,within_48h:D,median_hours:D,"      \
    "p90_hours:D"

typedef struct key_sort {
    const mctx *m;
    bool by_team;             /* teams key, else owners key */
    bool by_partner;          /* partner users; other partner leads share one key */
    const keyspace *ks;
} key_sort;

/* The key of a partner lead whose owner is not a partner user (a partner
 * source handed to an internal rep): one group, named PARTNER_INTERNAL. */
#define KEY_PARTNER_INTERNAL INT32_MAX
#define PARTNER_INTERNAL "(partner source, internal owner)"

static int32_t group_key(const key_sort *k, int32_t lead)
{
    if (k->by_team) return lead_team(k->m, (size_t)lead);
    if (k->by_partner) {
        int32_t u = lead_user(k->m, (size_t)lead);
        if (u < 0 || !k->m->u_partner[u]) return KEY_PARTNER_INTERNAL;
    }
    return k->m->l_owner[lead];
}

/* The group's name for ordering: the keyspace's, or the internal-owner
 * group's. */
static const char *key_name(const key_sort *k, int32_t key)
{
    return key == KEY_PARTNER_INTERNAL ? PARTNER_INTERNAL : lp_m_keyspace_name(k->ks, key);
}

/* A lead of a partner: owned by a partner user, or of the partner channel
 * (a partner source). */
static bool partner_lead(const mctx *m, int32_t lead)
{
    int32_t u = lead_user(m, (size_t)lead);
    return (u >= 0 && m->u_partner[u]) || m->l_channel[lead] == CH_PARTNER;
}

static int by_key_name(const void *pa, const void *pb, void *arg)
{
    const key_sort *k = arg;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int32_t ka = group_key(k, a), kb = group_key(k, b);
    if (ka != kb) {
        if (ka < 0 || kb < 0) return ka < 0 ? 1 : -1; /* none last */
        if (ka == KEY_PARTNER_INTERNAL || kb == KEY_PARTNER_INTERNAL)
            return ka == KEY_PARTNER_INTERNAL ? 1 : -1; /* after the partners */
        int c = strcmp(key_name(k, ka), key_name(k, kb));
        if (c) return c;
        return ka < kb ? -1 : 1;
    }
    return (a > b) - (a < b);
}

static int by_mql_at(const void *pa, const void *pb, void *arg)
{
    const mctx *m = arg;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int64_t at_a = lead_mql(m, (size_t)a), at_b = lead_mql(m, (size_t)b);
    if (at_a != at_b) return at_a < at_b ? -1 : 1;
    return (a > b) - (a < b);
}

enum { G_OWNER, G_TEAM, G_PARTNER };

/* The users export's name of a lead's owner, or NULL when there is none. */
static const char *owner_name(const mctx *m, int32_t lead)
{
    const lp_column *uname = m->users ? lp_table_column(m->users, "name") : NULL;
    int32_t u = lead_user(m, lead);
    const char *name = uname && u >= 0 ? lp_column_str(uname, (size_t)u) : NULL;
    return name && *name ? name : NULL;
}

/* Ranked: enough eligible MQLs (settings sla_min_leads) for the group's
 * compliance to be compared with others'. */
static bool rankable(const mctx *m, uint64_t eligible)
{
    int least = m->set->sla_min_leads > 0 ? m->set->sla_min_leads : 5;
    return eligible >= (uint64_t)least;
}

/* One table of P's SLA grouped by owner, team or partner. idx holds P's MQL
 * leads and is reordered. A partner is a partner user; partner leads owned
 * by internal reps form one more row (PARTNER_INTERNAL). With by team,
 * reached gets one row per team. */
static lp_status sla_grouped(mctx *m, int kind, int32_t *idx, size_t n, sla_work *w,
                             tb *curve, tb *reached)
{
    tb b;
    if (kind == G_OWNER)
        lp_m_tb_init(&b, "sla_by_owner", "owner_id:S,team:S,eligible:I,within:I,compliance:D,"
                                    "median_hours:D,p90_hours:D,untouched:I,pending:I,"
                                    "owner_name:S,low:D,high:D,ranked:B");
    else
        lp_m_tb_init(&b, kind == G_TEAM ? "sla_by_team" : "sla_by_partner",
                "team:S,eligible:I,within:I,compliance:D,low:D,high:D,median_hours:D,"
                "p90_hours:D,untouched:I,pending:I,overdue:I,followup_eligible:I,"
                "followup_met:I,followup_compliance:D,ranked:B");
    size_t count = n;
    if (kind == G_PARTNER) {
        count = 0;
        for (size_t r = 0; r < n; r++) {
            if (partner_lead(m, idx[r])) {
                int32_t t = idx[count];
                idx[count++] = idx[r];
                idx[r] = t;
            }
        }
    }
    key_sort ks = {m, kind == G_TEAM, kind == G_PARTNER, kind == G_TEAM ? &m->teams : &m->owners};
    qsort_r(idx, count, sizeof(int32_t), by_key_name, &ks);
    lp_status st = LP_OK;
    for (size_t r = 0; r < count && !st;) {
        size_t e = r;
        int32_t key = group_key(&ks, idx[r]);
        while (e < count && group_key(&ks, idx[e]) == key) e++;
        int32_t lead = idx[r];
        const char *name;
        if (kind == G_TEAM) {
            name = key >= 0 ? lp_m_keyspace_name(&m->teams, key) : "(no team)";
        } else if (kind == G_PARTNER) {
            name = key == KEY_PARTNER_INTERNAL ? PARTNER_INTERNAL : owner_name(m, lead);
            if (!name) name = lp_m_keyspace_name(&m->owners, key);
        } else {
            name = key >= 0 ? lp_m_keyspace_name(&m->owners, key) : "(no owner)";
        }
        sla_stats s;
        st = sla_group(m, idx + r, e - r, w, &s, kind == G_TEAM ? curve : NULL, name);
        if (kind == G_TEAM && reached) reached_row(reached, name, &s);
        double comp, lo, hi, fu, fulo, fuhi;
        lp_m_wilson3(s.within, s.eligible, &comp, &lo, &hi);
        lp_m_wilson3(s.fu_met, s.fu_eligible, &fu, &fulo, &fuhi);
        if (kind == G_OWNER) {
            int32_t team = lead_team(m, lead);
            lp_m_tb_s(&b, 0, name);
            lp_m_tb_s(&b, 1, team >= 0 ? lp_m_keyspace_name(&m->teams, team) : NULL);
            lp_m_tb_i(&b, 2, (int64_t)s.eligible);
            lp_m_tb_i(&b, 3, (int64_t)s.within);
            lp_m_tb_d(&b, 4, comp);
            lp_m_tb_d(&b, 5, s.median);
            lp_m_tb_d(&b, 6, s.p90);
            lp_m_tb_i(&b, 7, (int64_t)s.untouched);
            lp_m_tb_i(&b, 8, (int64_t)s.pending);
            const char *display = key >= 0 ? owner_name(m, lead) : NULL;
            lp_m_tb_s(&b, 9, display ? display : name);
            lp_m_tb_d(&b, 10, lo);
            lp_m_tb_d(&b, 11, hi);
            lp_m_tb_b(&b, 12, rankable(m, s.eligible));
        } else {
            lp_m_tb_s(&b, 0, name);
            lp_m_tb_i(&b, 1, (int64_t)s.eligible);
            lp_m_tb_i(&b, 2, (int64_t)s.within);
            lp_m_tb_d(&b, 3, comp);
            lp_m_tb_d(&b, 4, lo);
            lp_m_tb_d(&b, 5, hi);
            lp_m_tb_d(&b, 6, s.median);
            lp_m_tb_d(&b, 7, s.p90);
            lp_m_tb_i(&b, 8, (int64_t)s.untouched);
            lp_m_tb_i(&b, 9, (int64_t)s.pending);
            lp_m_tb_i(&b, 10, (int64_t)s.overdue);
            lp_m_tb_i(&b, 11, (int64_t)s.fu_eligible);
            lp_m_tb_i(&b, 12, (int64_t)s.fu_met);
            lp_m_tb_d(&b, 13, fu);
            lp_m_tb_b(&b, 14, rankable(m, s.eligible));
        }
        r = e;
    }
    if (st) {
        lp_table_free(b.table);
        return st;
    }
    return lp_m_tb_finish(&b, m->res);
}

#define BREACHES_SPEC                                                                      \
    "lead_id:S,owner_id:S,team:S,mql_at:T,first_touch_at:T,hours_late:D,owner_name:S"
#define PARTNER_BREACHES_SPEC                                                              \
    "lead_id:S,partner:S,owner_name:S,team:S,mql_at:T,first_touch_at:T,hours_late:D"

/* The MQLs of P reached late or not at all, oldest first: every one into
 * "breaches" (partners false), or those of partners into
 * "partner_breaches" with the partner's name (partners true). */
static lp_status breaches_table(mctx *m, int32_t *idx, size_t n, bool partners)
{
    tb b;
    if (partners) lp_m_tb_init(&b, "partner_breaches", PARTNER_BREACHES_SPEC);
    else lp_m_tb_init(&b, "breaches", BREACHES_SPEC);
    qsort_r(idx, n, sizeof(int32_t), by_mql_at, m);
    const lp_column *lead_id = lp_table_column(m->leads, "lead_id");
    if (!partners) m->nbreaches = 0;
    for (size_t r = 0; r < n; r++) {
        int32_t i = idx[r], q = m->l_mql_ord[i];
        if (partners && !partner_lead(m, i)) continue;
        int64_t first = m->mq_first[q], deadline = m->mq_deadline[q];
        bool late = first != NONE ? first > deadline : deadline <= m->as_of;
        if (!late) continue;
        int64_t stop = first != NONE ? first : m->as_of;
        const char *owner = m->l_owner[i] >= 0 ? lp_m_keyspace_name(&m->owners, m->l_owner[i])
                                               : NULL;
        const char *display = m->l_owner[i] >= 0 ? owner_name(m, i) : NULL;
        if (!display) display = owner;
        const char *team = lp_m_keyspace_name(&m->teams, lead_team(m, i));
        double hours_late = (double)(stop - deadline) / 3600.0;
        if (partners) {
            int32_t u = lead_user(m, (size_t)i);
            bool by_partner = u >= 0 && m->u_partner[u];
            lp_m_tb_s(&b, 0, lp_column_str(lead_id, (size_t)i));
            lp_m_tb_s(&b, 1, by_partner ? display : PARTNER_INTERNAL);
            lp_m_tb_s(&b, 2, display);
            lp_m_tb_s(&b, 3, team);
            lp_m_tb_t(&b, 4, m->mq_at[q]);
            lp_m_tb_t(&b, 5, first);
            lp_m_tb_d(&b, 6, hours_late);
            continue;
        }
        m->nbreaches++;
        lp_m_tb_s(&b, 0, lp_column_str(lead_id, (size_t)i));
        lp_m_tb_s(&b, 1, owner);
        lp_m_tb_s(&b, 2, team);
        lp_m_tb_t(&b, 3, m->mq_at[q]);
        lp_m_tb_t(&b, 4, first);
        lp_m_tb_d(&b, 5, hours_late);
        lp_m_tb_s(&b, 6, display);
    }
    return lp_m_tb_finish(&b, m->res);
}

lp_status lp_m_sla_run(mctx *m)
{
    lp_status st = LP_OK;
    bool avail = m->leads && m->has_mql && m->acts;
    size_t off[WINDOW + 1] = {0}, fill[WINDOW] = {0};
    int32_t *idx = NULL;
    sla_work w = {0};
    tb curve, reached;
    lp_m_tb_init(&curve, "sla_curve", "team:S,hours:D,touched_share:D");
    lp_m_tb_init(&reached, "sla_reached", REACHED_SPEC);

    for (size_t i = 0; avail && i < m->nl; i++) {
        int p = wpos(m, lead_mql(m, i));
        if (p >= 0) off[p + 1]++;
    }
    for (int k = 0; k < WINDOW; k++) off[k + 1] += off[k];
    size_t total = off[WINDOW];
    idx = lp_malloc((total ? total : 1) * sizeof(int32_t));
    w.hours = lp_malloc((total ? total : 1) * sizeof(double));
    w.event = lp_malloc((total ? total : 1) * sizeof(bool));
    if (!idx || !w.hours || !w.event) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; avail && i < m->nl; i++) {
        int p = wpos(m, lead_mql(m, i));
        if (p >= 0) idx[off[p] + fill[p]++] = (int32_t)i;
    }

    for (int k = 0; k < WINDOW; k++) {
        static const int ids[] = {M_SLA_ELIGIBLE,   M_SLA_WITHIN,   M_SLA_COMPLIANCE,
                                  M_SLA_MEDIAN_HOURS, M_SLA_P90_HOURS, M_SLA_UNTOUCHED,
                                  M_SLA_PENDING,    M_FOLLOWUP_COMPLIANCE};
        if (!avail) {
            for (size_t q = 0; q < sizeof ids / sizeof ids[0]; q++)
                m->hv[ids[q]][k] = m->hlo[ids[q]][k] = m->hhi[ids[q]][k] = NAN;
            continue;
        }
        sla_stats s;
        st = sla_group(m, idx + off[k], off[k + 1] - off[k], &w, &s,
                       k == PI_P ? &curve : NULL, "All");
        if (st) goto cleanup;
        if (k == PI_P) reached_row(&reached, "All", &s);
        m->hv[M_SLA_ELIGIBLE][k] = (double)s.eligible;
        m->hv[M_SLA_WITHIN][k] = (double)s.within;
        lp_m_wilson3(s.within, s.eligible, &m->hv[M_SLA_COMPLIANCE][k], &m->hlo[M_SLA_COMPLIANCE][k],
                &m->hhi[M_SLA_COMPLIANCE][k]);
        m->hx[M_SLA_COMPLIANCE][k] = s.within;
        m->hn[M_SLA_COMPLIANCE][k] = s.eligible;
        m->hv[M_SLA_MEDIAN_HOURS][k] = s.median;
        m->hv[M_SLA_P90_HOURS][k] = s.p90;
        m->hv[M_SLA_UNTOUCHED][k] = (double)s.untouched;
        m->hv[M_SLA_PENDING][k] = (double)s.pending;
        lp_m_wilson3(s.fu_met, s.fu_eligible, &m->hv[M_FOLLOWUP_COMPLIANCE][k],
                &m->hlo[M_FOLLOWUP_COMPLIANCE][k], &m->hhi[M_FOLLOWUP_COMPLIANCE][k]);
        m->hx[M_FOLLOWUP_COMPLIANCE][k] = s.fu_met;
        m->hn[M_FOLLOWUP_COMPLIANCE][k] = s.fu_eligible;
    }

    int32_t *pidx = idx + off[PI_P];
    size_t pn = off[WINDOW] - off[PI_P];
    st = sla_grouped(m, G_OWNER, pidx, pn, &w, NULL, NULL);
    if (!st) st = sla_grouped(m, G_TEAM, pidx, pn, &w, &curve, &reached);
    if (!st) st = sla_grouped(m, G_PARTNER, pidx, pn, &w, NULL, NULL);
    if (!st && m->leads) {
        st = breaches_table(m, pidx, pn, false);
        if (!st) st = breaches_table(m, pidx, pn, true);
    } else if (!st) {
        tb b;
        lp_m_tb_init(&b, "breaches", BREACHES_SPEC);
        st = lp_m_tb_finish(&b, m->res);
        lp_m_tb_init(&b, "partner_breaches", PARTNER_BREACHES_SPEC);
        if (!st) st = lp_m_tb_finish(&b, m->res);
    }
cleanup:
    if (!st) st = lp_m_tb_finish(&curve, m->res);
    else lp_table_free(curve.table);
    if (!st) st = lp_m_tb_finish(&reached, m->res);
    else lp_table_free(reached.table);
    lp_free(idx);
    lp_free(w.hours);
    lp_free(w.event);
    return st;
}
