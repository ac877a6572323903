/*
 * measures_internal.h: the shared working state of lp_measures_compute.
 *
 * The dataset is read once into per-row arrays (prep.c): every key column is
 * turned into a dense integer (a "keyspace" code, or a row of another table)
 * through the string pools, so joins cost one array lookup per row and no
 * hashing per row. Each group of measures (headline.c, campaigns.c, sla.c,
 * funnel.c, report.c) then reads those arrays and appends result tables.
 *
 * Memory: the arrays sit beside the loaded dataset, so they hold only what
 * the tables do not already say. Instants the tables hold as they are
 * (leads.created_at, sql_at, touches.touched_at) are read from the columns
 * through the inline accessors below, which apply the as-of rule; per-lead
 * arrays are 1 or 4 bytes wide; the MQL instant and SLA figures live in
 * per-MQL arrays (mq_*, indexed by l_mql_ord); touches carry a kept bit, a
 * campaign key and a 32-bit CSR. At 1M leads and 3.1M touches that is about
 * 80 MB instead of 200.
 *
 * Conventions inside engine/measures:
 *  - NONE (INT64_MIN) is an instant that does not exist (unset, or after
 *    as-of, which counts as unset);
 *  - NAN is a double that does not exist; the table builder writes it as null;
 *  - -1 is a key or row that does not exist.
 */
#ifndef LP_MEASURES_INTERNAL_H
#define LP_MEASURES_INTERNAL_H

#include <math.h>
#include <stdio.h>

#include "lp/measures.h"
#include "lp/stats.h"
#include "lp/time.h"

#define NONE INT64_MIN
#define WINDOW LP_WINDOW_PERIODS /* P and the 12 periods before it (lp_window) */
#define PI_P (WINDOW - 1)     /* window position of P */
#define PI_PREV (WINDOW - 2)  /* window position of the period before P */

enum { CH_INBOUND, CH_PARTNER, CH_OUTBOUND };
extern const char *const lp_m_channel_names[3];

/* Headline measures, in templates/DEFINITIONS.md order (index into lp_headline_measures). */
enum {
    M_MQL_COUNT, M_SQL_COUNT, M_ACCEPTANCE_RATE, M_INBOUND_PIPELINE_COUNT,
    M_INBOUND_PIPELINE_AMOUNT, M_OPEN_INBOUND_PIPELINE_AMOUNT, M_SLA_ELIGIBLE,
    M_SLA_WITHIN, M_SLA_COMPLIANCE, M_SLA_MEDIAN_HOURS, M_SLA_P90_HOURS,
    M_SLA_UNTOUCHED, M_SLA_PENDING, M_FOLLOWUP_COMPLIANCE, M_INBOUND_WON_COUNT,
    M_INBOUND_WON_AMOUNT, M_INBOUND_WIN_RATE, M_INBOUND_AVG_DEAL,
    M_INBOUND_CYCLE_MEDIAN_DAYS, M_INBOUND_WON_SHARE, M_WON_COUNT, M_WON_AMOUNT,
    M_WIN_RATE, M_CYCLE_MEDIAN_DAYS, M_COUNT
};

/* A set of distinct keys (sources, teams, owners, campaigns, stages): key
 * codes are dense from 0. `keys` holds the compared form (for sources:
 * trimmed and lower-case), `disp` the form shown (the first spelling seen). */
typedef struct keyspace {
    lp_strpool *keys;
    lp_strpool *disp;
    int32_t *disp_of;   /* key code -> code in disp */
    int32_t cap;        /* disp_of allocated */
} keyspace;

lp_status lp_m_keyspace_init(keyspace *ks);
void lp_m_keyspace_clear(keyspace *ks);
/* Code of (trimmed, optionally lower-cased) s; -1 in *out_key when blank. */
lp_status lp_m_keyspace_intern(keyspace *ks, const char *s, bool fold_case, int32_t *out_key);
/* Display name of a key (borrowed). */
const char *lp_m_keyspace_name(const keyspace *ks, int32_t key);
int32_t lp_m_keyspace_count(const keyspace *ks);
/* Key of every row of a STRING column (-1 for null or blank), computed once
 * per distinct string. col may be NULL (every row -1). out has nrows values. */
lp_status lp_m_keyspace_map_column(keyspace *ks, const lp_column *col, size_t nrows,
                              bool fold_case, int32_t *out);

/* A result table under construction, with a sticky status so appends need
 * no check each. Column spec: "name:T,name:T" with T in S I D T B. */
#define TB_MAXCOLS 24
typedef struct tb {
    lp_table *table;
    lp_column *cols[TB_MAXCOLS];
    int ncols;
    lp_status st;
} tb;

void lp_m_tb_init(tb *b, const char *name, const char *spec);
void lp_m_tb_s(tb *b, int col, const char *s);       /* NULL = null */
void lp_m_tb_i(tb *b, int col, int64_t v);
void lp_m_tb_d(tb *b, int col, double v);             /* NAN = null */
void lp_m_tb_t(tb *b, int col, int64_t instant);      /* NONE = null */
void lp_m_tb_b(tb *b, int col, bool v);
void lp_m_tb_null(tb *b, int col);
/* Finishes the table and hands it to the result set; returns the sticky
 * status. Frees the table on failure. */
lp_status lp_m_tb_finish(tb *b, lp_results *res);

/* Everything the measures share. */
typedef struct mctx {
    const lp_dataset *ds;
    const lp_settings *set;
    lp_results *res;
    char *errmsg;

    lp_calendar cal;
    int64_t as_of;
    int64_t P;                    /* ordinal of the report period */
    int64_t bound[WINDOW + 1];    /* start of each window period; [WINDOW] = end of P */
    char labels[WINDOW][24];      /* window period labels */
    int64_t E;                    /* min(end of P, as-of) */

    const lp_table *leads, *camps, *touches, *acts, *opps, *users, *targets;

    /* What the data has (drives switched_off). */
    bool has_mql, has_sql, has_owner, has_source, has_employees, has_cost;
    bool has_amount, has_close, has_stage_outcome;
    bool channel_known;  /* some opportunity has a lead or a source, so its channel
                            can be known; else the inbound figures are not available */

    /* Leads (row i of the leads table). created_at and sql_at are not
     * copied: lead_created and lead_sql read them from the table's columns
     * and apply the as-of rule on the way. */
    size_t nl;
    const lp_column *c_created;  /* leads.created_at, NULL when absent */
    const lp_column *c_sql;      /* leads.sql_at, NULL when absent */
    uint8_t *l_in;          /* created at or before as-of */
    int32_t *l_mql_ord;     /* MQL ordinal (index into mq_*), -1 when not an MQL by as-of */
    int32_t *l_source;      /* sources key */
    uint8_t *l_channel;
    int32_t *l_owner;       /* owners key (lead_user and lead_team follow from it) */
    int32_t *l_camp;        /* creating campaign key */
    int8_t *l_segment;      /* 0..3 employee band, -1 unknown */
    uint8_t *l_has_opp;     /* one of its opportunities was created by as-of */
    uint8_t *l_won;         /* one of its opportunities (by as-of) is won */

    /* MQL leads, numbered 0..nmql-1 in lead order (l_mql_ord): a third of
     * the leads or fewer, so their instants and SLA figures live here
     * rather than in per-lead arrays. Activities are not kept: prep.c
     * folds them into mq_first and mq_followups in one pass. */
    size_t nmql;
    int64_t *mq_at;         /* hand-off (mql_at, or created_at by status/score), <= as-of */
    int64_t *mq_first;      /* first activity at or after hand-off, NONE */
    int64_t *mq_deadline;   /* hand-off plus the threshold (business clock if set) */
    double *mq_hours;       /* hours to first touch, or to as-of when untouched */
    int32_t *mq_followups;  /* activities in the follow-up window */

    /* Touches grouped by lead, sorted by touched_at, touch_id, export order.
     * A touch is kept when its lead exists and was created by as-of, it
     * names a campaign and touched_at is set and not after as-of; t_rows
     * lists exactly the kept touches. Offsets are 32-bit: rows are int32,
     * so no table may hold more than INT32_MAX rows (LP_ERR_LIMIT). */
    size_t nt;
    uint32_t *t_off;        /* nl + 1 offsets into t_rows */
    int32_t *t_rows;        /* kept touch rows */
    uint8_t *t_kept;        /* bit per touch row (LSB first): kept */
    const int64_t *t_at;    /* per touch row: touched_at, read from the column
                             * (meaningful for kept rows only; see touch_at) */
    int32_t *t_camp;        /* per touch row: campaigns key */
    bool synthetic_touches; /* no touches table: one touch per lead from leads.campaign_id,
                             * at its created_at (t_at then reads leads.created_at) */

    /* Opportunities (row j). */
    size_t no;
    uint8_t *o_in;          /* created at or before as-of */
    int64_t *o_created;
    int32_t *o_lead;
    uint8_t *o_channel;
    double *o_amount;       /* blank = 0 */
    int64_t *o_close;       /* instant of the close date's local midnight, NONE */
    int32_t *o_close_date;  /* days, INT32_MIN when blank */
    uint8_t *o_closed, *o_won;
    int32_t *o_source;      /* sources key of its own source */
    int32_t *o_own_camp;    /* campaigns key of its own campaign_id */
    int32_t *o_camp;        /* own campaign, else its lead's creating campaign */
    int32_t *o_stage;       /* stages key */
    int32_t *o_team;        /* teams key of its owner (else its lead's team) */
    int32_t *o_owner;       /* owners key of its own owner_id, -1 when blank */

    /* Users. */
    size_t nu;
    int32_t *u_team;
    uint8_t *u_partner;
    int32_t *u_owner;       /* owners key of the user's owner_id */
    int32_t *owner_user;    /* owners key -> users row (first user with that owner_id), -1 */
    int32_t nowner_users;   /* keys 0..nowner_users-1 may have a users row */

    keyspace sources, teams, owners, campaign_keys, stages;
    int32_t ncamp_rows;     /* keys 0..ncamp_rows-1 may be campaigns rows */
    int32_t *camp_row;      /* campaigns key -> campaigns row, -1 (after prep) */

    /* Headline values per measure and window position (NAN = none). */
    double hv[M_COUNT][WINDOW], hlo[M_COUNT][WINDOW], hhi[M_COUNT][WINDOW];
    uint64_t hx[M_COUNT][WINDOW], hn[M_COUNT][WINDOW]; /* rates: successes, trials */
    double all_won_amount[WINDOW]; /* won amount of every channel closed in each
                                      period (the base of inbound_won_share) */

    /* The previous period's maturing rates as they stood the same time
     * after its own end (templates/DEFINITIONS.md "Compare like with like"): the cohort
     * of P-1 evaluated at compared_as_of = end(P-1) + (as-of - end(P)).
     * Filled by report.c for the measures whose definition is maturing;
     * the changes table compares P with these, never with hx/hn of P-1. */
    int64_t compared_as_of;
    uint64_t aged_x[M_COUNT], aged_n[M_COUNT]; /* successes, trials at compared_as_of */

    /* Campaign figures of the configured model, for findings. */
    size_t nbreaches;
} mctx;

/* Window position (0..12) of an instant, or -1 outside the window. */
static inline int wpos(const mctx *m, int64_t t)
{
    if (t == NONE || t < m->bound[0] || t >= m->bound[WINDOW]) return -1;
    int lo = 0, hi = WINDOW - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (t >= m->bound[mid]) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

static inline bool in_p(const mctx *m, int64_t t)
{
    return t != NONE && t >= m->bound[PI_P] && t < m->bound[WINDOW];
}

/* Value of an INSTANT column at row, NONE when null (or col is NULL). */
static inline int64_t col_instant(const lp_column *col, size_t row)
{
    return col && row < col->length && lp_column_valid(col, row) ? col->v.i64[row] : NONE;
}

/* created_at of lead i as exported (NONE when null; may be after as-of). */
static inline int64_t lead_created(const mctx *m, size_t i)
{
    return col_instant(m->c_created, i);
}

/* Hand-off instant of lead i, NONE when it is not an MQL by as-of. */
static inline int64_t lead_mql(const mctx *m, size_t i)
{
    int32_t q = m->l_mql_ord[i];
    return q >= 0 ? m->mq_at[q] : NONE;
}

/* sql_at of lead i, NONE when unset, after as-of or the lead is not in. */
static inline int64_t lead_sql(const mctx *m, size_t i)
{
    int64_t s = m->l_in[i] ? col_instant(m->c_sql, i) : NONE;
    return s <= m->as_of ? s : NONE;
}

/* Users row of lead i's owner, -1 when the users export lacks it. */
static inline int32_t lead_user(const mctx *m, size_t i)
{
    int32_t k = m->l_owner[i];
    return k >= 0 && k < m->nowner_users ? m->owner_user[k] : -1;
}

/* Teams key of lead i: its owner's team, -1 when none. */
static inline int32_t lead_team(const mctx *m, size_t i)
{
    int32_t u = lead_user(m, i);
    return u >= 0 ? m->u_team[u] : -1;
}

/* SLA outcome of MQL ordinal q at as-of (templates/DEFINITIONS.md, measure 4):
 * reached within the SLA, or still pending (untouched, deadline not yet
 * passed: not eligible). sla.c and months.c count with it. */
static inline bool mql_within_sla(const mctx *m, int32_t q)
{
    return m->mq_first[q] != NONE && m->mq_first[q] <= m->mq_deadline[q];
}

static inline bool mql_sla_pending(const mctx *m, int32_t q)
{
    return m->mq_first[q] == NONE && m->mq_deadline[q] > m->as_of;
}

static inline bool touch_kept(const mctx *m, size_t t)
{
    return (m->t_kept[t >> 3] >> (t & 7)) & 1;
}

/* touched_at of touch row t, NONE when the touch is left out. */
static inline int64_t touch_at(const mctx *m, size_t t)
{
    return touch_kept(m, t) ? m->t_at[t] : NONE;
}

static inline double ratio(double num, double den)
{
    return den != 0 && !isnan(num) && !isnan(den) ? num / den : NAN;
}

/* Wilson interval at 95%: writes estimate/low/high, NAN when n = 0. */
void lp_m_wilson3(uint64_t x, uint64_t n, double *est, double *low, double *high);

/* Sorts n doubles ascending. */
void lp_m_sort_f64(double *v, size_t n);
/* Sample median of n doubles (sorted in place); NAN when n = 0. */
double lp_m_median_inplace(double *v, size_t n);

/* Phases. Each returns a status and writes errmsg on failure. */
lp_status lp_m_prep_run(mctx *m, const lp_measures_options *opt);
void lp_m_prep_free(mctx *m);
lp_status lp_m_headline_run(mctx *m);
lp_status lp_m_campaigns_run(mctx *m);
lp_status lp_m_sla_run(mctx *m);
lp_status lp_m_funnel_run(mctx *m);
lp_status lp_m_report_run(mctx *m);
lp_status lp_m_months_run(mctx *m);

/* Kaplan-Meier median and p90 (hours) of n subjects; NAN when not reached.
 * Appends curve points to curve (may be NULL) under `team`. out_reached[k]
 * is the estimated share touched within marks[k] hours, 1 - S(marks[k])
 * (NAN when n is 0). */
lp_status lp_m_km_summary(const double *hours, const bool *event, size_t n, double *median,
                     double *p90, tb *curve, const char *team, const double *marks,
                     size_t nmarks, double *out_reached);

/* The company quota target whose period (any kind of label) contains the
 * last instant before E, the shortest such period; false when none. */
bool lp_m_quota_lookup(const mctx *m, double *out_quota, int64_t *out_start, int64_t *out_end);

/* Display name of a campaigns key: the campaign's name, else its id. */
const char *lp_m_campaign_name(const mctx *m, int32_t key);
/* The campaigns export's name of a campaign key, or NULL when the key is -1, has no
 * campaigns row or the row no name (lp_m_campaign_name falls back to the id). */
const char *lp_m_campaign_export_name(const mctx *m, int32_t key);

/* Target value of measure for a window position and team (NULL = company:
 * the blank-team row, else the sum of team rows); NAN when none. */
double lp_m_target_for(const mctx *m, const char *measure, int pos, const char *team);

#endif
