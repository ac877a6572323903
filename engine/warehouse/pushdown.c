/*
 * Warehouse pushdown (warehouse.h, db_mode: pushdown): the window fixed on
 * the server, the activities and touches restrictions that keep rows no
 * figure reads on the server, the touches counted there per campaign, and
 * the server's per-period GROUP BY figures reconciled against the copied
 * rows.
 */
#include "warehouse_internal.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lp/time.h"
#include "lp/value.h"
#include "../load/load_stream.h"

static void required_present_as(wh *w, const struct stream_plan *p, const char *alias,
                                lp_buf *sql);
static void required_present(wh *w, const struct stream_plan *p, lp_buf *sql);
static bool required_typed(const struct stream_plan *p);
static void put_blank(wh *w, lp_buf *sql, const struct stream_plan *p, const char *alias,
                      const char *col);

/* ---- Pushdown: the activities restriction ---- */

static bool has_value_map(const lp_mapping *m, const char *column)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (!strcmp(m->values[i].column, column) && m->values[i].n) return true;
    return false;
}

/* The only leads plan, or NULL with the reason. */
static const stream_plan *single_plan(const wh *w, lp_table_id id, const char **why)
{
    const stream_plan *found = NULL;
    for (size_t i = 0; i < w->nplans; i++) {
        if (w->plans[i].id != id) continue;
        if (found) {
            *why = "more than one table feeds it";
            return NULL;
        }
        found = &w->plans[i];
    }
    if (!found) *why = "no table feeds it";
    return found;
}

/* The column of a canonical column when it is a server date or timestamp
 * column without a value map; NULL otherwise. */
static const char *time_col(const stream_plan *p, const lp_mapping *m, const char *canon)
{
    int c = lp_wh_canon_index(p->id, canon);
    if (c < 0 || p->pick[c] < 0 || has_value_map(m, canon)) return NULL;
    return lp_wh_is_time_type(p->cols[p->pick[c]].type) ? p->cols[p->pick[c]].name : NULL;
}

static const char *plain_col(const stream_plan *p, const lp_mapping *m, const char *canon)
{
    int c = lp_wh_canon_index(p->id, canon);
    if (c < 0 || p->pick[c] < 0 || has_value_map(m, canon)) return NULL;
    return p->cols[p->pick[c]].name;
}

/* A lead or campaign id as the loader keys it: its text trimmed of the
 * loader's white space (lp_value_trim: space, tab, CR, LF, no-break
 * space). */
static void put_key(wh *w, lp_buf *sql, const char *alias, const char *col)
{
    lp_buf_printf(sql, "btrim(CAST(%s", alias);
    lp_wh_put_ident(w, sql, col);
    lp_buf_puts(sql, " AS text), ' ' || chr(9) || chr(10) || chr(13) || chr(160))");
}

/* The server type of a column of plan p (by name). */
static const char *col_type(const stream_plan *p, const char *col)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (!strcmp(p->cols[i].name, col)) return p->cols[i].type;
    return "text";
}

/* x IS NULL OR key(x) = '' (the loader's null; only text can be blank). */
static void put_blank(wh *w, lp_buf *sql, const stream_plan *p, const char *alias,
                      const char *col)
{
    lp_buf_printf(sql, "(%s", alias);
    lp_wh_put_ident(w, sql, col);
    lp_buf_puts(sql, " IS NULL");
    if (lp_wh_is_text_type(col_type(p, col))) {
        lp_buf_puts(sql, " OR ");
        put_key(w, sql, alias, col);
        lp_buf_puts(sql, " = ''");
    }
    lp_buf_puts(sql, ")");
}

/* The instant of a session setting (set by pushdown_window), as a scalar
 * subquery: the server evaluates it once (an InitPlan), not per row. */
static void put_setting(lp_buf *sql, const char *name)
{
    lp_buf_printf(sql,
                  "(SELECT to_timestamp(CAST(current_setting('leadpack.%s') AS double precision)))",
                  name);
}

/* The end of as-of's second (as-of + 1 s), as put_setting. The loader reads
 * instants to the second, so for a whole second S
 *     date_trunc('second', t) <= S  <=>  t < S + 1 s
 *     date_trunc('second', t) >= S  <=>  t >= S
 * and the restrictions compare the columns themselves: no date_trunc per
 * row (time zone offsets are whole seconds, so this holds for date and
 * timestamp without time zone columns, cast in the session's zone, too). */
static void put_as_of_end(lp_buf *sql)
{
    lp_buf_puts(sql, "(SELECT to_timestamp(CAST(current_setting('leadpack.as_of') AS double "
                     "precision) + 1))");
}

/* date_trunc('second', f(col)) with f an aggregate ("min", "max") or "". */
static void put_second_of(wh *w, lp_buf *sql, const char *f, const char *alias, const char *col)
{
    lp_buf_printf(sql, "date_trunc('second', %s(%s", f, alias);
    lp_wh_put_ident(w, sql, col);
    lp_buf_puts(sql, "))");
}

static bool is_timestamp_type(const char *t)
{
    return !strcmp(t, "timestamp with time zone") || !strcmp(t, "timestamp without time zone");
}

/* The column of canon when it is a real column (no value map) or absent:
 * *out_col NULL when absent. false when it has a value map. */
static bool optional_plain(const stream_plan *p, const lp_mapping *m, const char *canon,
                           const char **out_col)
{
    int c = lp_wh_canon_index(p->id, canon);
    *out_col = c >= 0 && p->pick[c] >= 0 ? p->cols[p->pick[c]].name : NULL;
    return !has_value_map(m, canon);
}

/* Appends the WHERE clause of the activities restriction to sql, or
 * explains in *why why it cannot apply. */
static bool restrict_activities(wh *w, const stream_plan *a, lp_buf *sql, const char **why)
{
    const lp_settings *set = w->opts->settings;
    if (set && set->qualification != LP_QUALIFY_NONE) {
        *why = "the qualification setting derives mql_at from status or score";
        return false;
    }
    const stream_plan *l = single_plan(w, LP_LEADS, why);
    if (!l) return false;
    const char *l_id = plain_col(l, w->mapping, "lead_id");
    const char *l_mql = time_col(l, w->mapping, "mql_at");
    const char *a_lead = plain_col(a, w->mapping, "lead_id");
    const char *a_at = time_col(a, w->mapping, "at");
    if (!l_id || !a_lead) {
        *why = "lead_id is not a plain column of both tables";
        return false;
    }
    if (!l_mql || !a_at) {
        *why = "mql_at and at are not both date or timestamp columns";
        return false;
    }
    /* A LEFT JOIN on the leads' hand-offs per (trimmed) id, so the server
     * plans a hash join (an EXISTS inside an OR becomes a subplan per row);
     * min() and max() over duplicate ids keep every row any of them needs.
     * With a window only ids with a hand-off in or after it join (HAVING):
     * a smaller hash table and no test per activity. */
    lp_buf_puts(sql, " LEFT JOIN (SELECT ");
    put_key(w, sql, "", l_id);
    lp_buf_puts(sql, " AS lead_key, ");
    put_second_of(w, sql, "min", "", l_mql);
    lp_buf_puts(sql, " AS first_mql FROM ");
    lp_wh_put_table(w, sql, l);
    lp_buf_puts(sql, " WHERE ");
    lp_wh_put_ident(w, sql, l_mql);
    lp_buf_puts(sql, " IS NOT NULL GROUP BY 1");
    if (w->window) {
        /* second(max(mql_at)) >= W <=> max(mql_at) >= W (W a whole second) */
        lp_buf_puts(sql, " HAVING max(");
        lp_wh_put_ident(w, sql, l_mql);
        lp_buf_puts(sql, ") >= ");
        put_setting(sql, "window_start");
    }
    lp_buf_puts(sql, ") l ON l.lead_key = ");
    put_key(w, sql, "a.", a_lead);
    /* The row that may be the data's as-of: with a window, as-of is known
     * (no second scan of activities for their max). */
    if (!w->window) {
        lp_buf_puts(sql, " CROSS JOIN (SELECT max(");
        lp_wh_put_ident(w, sql, a_at);
        lp_buf_puts(sql, ") AS latest FROM ");
        lp_wh_put_table(w, sql, a);
        lp_buf_puts(sql, ") m");
    }
    /* The white-space test of lead_id (a btrim) comes last: the server
     * evaluates an OR in order, so it runs only on rows nothing else
     * keeps. */
    lp_buf_puts(sql, " WHERE a.");
    lp_wh_put_ident(w, sql, a_at);
    lp_buf_puts(sql, " IS NULL");
    if (!w->window) {
        lp_buf_puts(sql, " OR a.");
        lp_wh_put_ident(w, sql, a_at);
        lp_buf_puts(sql, " = m.latest");
    } else if (!w->as_of_given) {
        /* second(at) = as-of */
        lp_buf_puts(sql, " OR (a.");
        lp_wh_put_ident(w, sql, a_at);
        lp_buf_puts(sql, " >= ");
        put_setting(sql, "as_of");
        lp_buf_puts(sql, " AND a.");
        lp_wh_put_ident(w, sql, a_at);
        lp_buf_puts(sql, " < ");
        put_as_of_end(sql);
        lp_buf_puts(sql, ")");
    }
    /* second(at) >= first_mql (a whole second) */
    lp_buf_puts(sql, " OR (a.");
    lp_wh_put_ident(w, sql, a_at);
    lp_buf_puts(sql, " >= l.first_mql");
    if (w->window) {
        /* The measures leave out activities after as-of. */
        lp_buf_puts(sql, " AND a.");
        lp_wh_put_ident(w, sql, a_at);
        lp_buf_puts(sql, " < ");
        put_as_of_end(sql);
    }
    lp_buf_puts(sql, ") OR ");
    put_blank(w, sql, a, "a.", a_lead);
    return true;
}

/* ---- Pushdown: the window ---- */

/* max(second(col)) of the loaded rows of every plan of table id, as an
 * instant, into *latest (NONE-like INT64_MIN when none). false (with
 * *why) when a column the measures take the as-of from is not typed.
 * Once *latest is known only rows with a column after it are read
 * (WHERE col > $1, the cheap test first): a row at or before it cannot
 * raise it, and the white-space tests of required columns then run on a
 * few rows instead of the whole table. */
static lp_status server_latest(wh *w, lp_table_id id, const char *const *cols, int ncols,
                               int64_t *latest, const char **why)
{
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *p = &w->plans[i];
        if (p->id != id) continue;
        if (!required_typed(p)) {
            *why = "a required column is text";
            return LP_OK;
        }
        lp_buf sql = {0};
        int nsel = 0;
        lp_buf_puts(&sql, "SELECT ");
        for (int k = 0; k < ncols; k++) {
            int c = lp_wh_canon_index(id, cols[k]);
            if (c < 0 || p->pick[c] < 0) continue; /* absent: the measures skip it too */
            const char *col = time_col(p, w->mapping, cols[k]);
            if (!col) {
                *why = "a column as-of is taken from is not a date or timestamp";
                lp_buf_reset(&sql);
                return LP_OK;
            }
            lp_buf_puts(&sql, nsel ? ", " : "");
            lp_buf_puts(&sql, "to_char(date_trunc('second', max(");
            lp_wh_put_ident(w, &sql, col);
            lp_buf_puts(&sql, ")), 'YYYY-MM-DD HH24:MI:SS')");
            nsel++;
        }
        if (!nsel) {
            lp_buf_reset(&sql);
            continue;
        }
        lp_buf_puts(&sql, " FROM ");
        lp_wh_put_table(w, &sql, p);
        lp_buf_puts(&sql, " WHERE true");
        bool after = *latest != INT64_MIN;
        for (int k = 0, n = 0; k < ncols && after; k++) {
            int c = lp_wh_canon_index(id, cols[k]);
            if (c < 0 || p->pick[c] < 0) continue;
            lp_buf_puts(&sql, n++ ? " OR " : " AND (");
            lp_wh_put_ident(w, &sql, p->cols[p->pick[c]].name);
            lp_buf_puts(&sql, " > (SELECT to_timestamp(CAST($1 AS double precision)))");
            if (n == nsel) lp_buf_puts(&sql, ")");
        }
        required_present(w, p, &sql);
        if (sql.failed) {
            lp_buf_reset(&sql);
            return LP_ERR_NOMEM;
        }
        char since[32];
        snprintf(since, sizeof since, "%lld", (long long)*latest);
        const char *params[1] = {since};
        PGresult *res = lp_wh_query(w, sql.data, after ? 1 : 0, after ? params : NULL);
        lp_buf_reset(&sql);
        if (!res) return LP_ERR_DATABASE;
        for (int k = 0; k < PQnfields(res) && PQntuples(res) == 1; k++) {
            if (PQgetisnull(res, 0, k)) continue;
            const char *v = PQgetvalue(res, 0, k);
            int64_t t;
            if (!lp_value_parse_instant(v, strlen(v), LP_DATE_YMD, &t)) {
                PQclear(res);
                lp_errmsg_set(w->errmsg, "%s: the server sent the instant \"%s\"", w->shown, v);
                return LP_ERR_DATABASE;
            }
            if (t > *latest) *latest = t;
        }
        PQclear(res);
    }
    return LP_OK;
}

/* Hands as-of and W to the session of conn (read by put_setting). */
static lp_status set_window(wh *w, PGconn *conn)
{
    char a[32], s[32];
    snprintf(a, sizeof a, "%lld", (long long)w->as_of);
    snprintf(s, sizeof s, "%lld", (long long)w->window_start);
    const char *params[2] = {a, s};
    PGresult *res = lp_wh_query_on(w, conn,
                                   "SELECT set_config('leadpack.as_of', $1, false), "
                                   "set_config('leadpack.window_start', $2, false)",
                                   2, params);
    if (!res) return LP_ERR_DATABASE;
    PQclear(res);
    return LP_OK;
}

/* Fixes as-of and W as lp_measures_compute will (warehouse.h) and hands
 * them to the session; leaves w->window false (and logs why) when it
 * cannot. */
lp_status lp_wh_pushdown_window(wh *w)
{
    const lp_warehouse_options *o = w->opts;
    const lp_settings *set = o->settings;
    const char *why = NULL;
    int64_t as_of = INT64_MIN;
    if (o->has_as_of) {
        as_of = o->as_of;
        w->as_of_given = true;
    } else {
        static const char *const lead_cols[] = {"created_at", "mql_at", "sql_at"};
        static const char *const touch_cols[] = {"touched_at"};
        static const char *const act_cols[] = {"at"};
        static const char *const opp_cols[] = {"created_at"};
        /* The small tables first: their latest instant bounds the scans of
         * the large ones. */
        lp_status st = server_latest(w, LP_OPPORTUNITIES, opp_cols, 1, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_LEADS, lead_cols, 3, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_TOUCHES, touch_cols, 1, &as_of, &why);
        if (!st && !why) st = server_latest(w, LP_ACTIVITIES, act_cols, 1, &as_of, &why);
        if (st) return st;
        if (!why && as_of == INT64_MIN) why = "the data has no dated rows";
        if (!why && o->has_now && as_of > o->now)
            why = "a row is dated after the run and is set aside on copy";
    }
    lp_calendar cal = set ? set->calendar : (lp_calendar){LP_PERIOD_WEEK, 1};
    lp_window win;
    if (!why && lp_window_compute(&cal, as_of, o->period_label, &win) != LP_OK)
        why = "the period label does not parse";
    if (why) {
        lp_wh_log(w, "pushdown: no window (as-of: %s); touches are copied whole and activities "
                  "restricted without it", why);
        w->touches_why = "no window is known";
        return LP_OK;
    }
    w->as_of = as_of;
    w->window_start = win.data_start < as_of ? win.data_start : as_of;
    lp_status st = set_window(w, w->conn);
    if (st) return st;
    w->window = true;
    char when[40], from[40];
    lp_instant_format_utc(w->as_of, when, sizeof when);
    lp_instant_format_utc(w->window_start, from, sizeof from);
    lp_wh_log(w, "pushdown: as-of %s (%s), period %s, window from %s", when,
              w->as_of_given ? "given" : "latest on the server",
              win.labels[LP_WINDOW_PERIODS - 1], from);
    return LP_OK;
}

/* ---- Pushdown: the touches restriction ---- */

typedef struct touch_plan {
    const stream_plan *l;                  /* the leads plan */
    const char *l_id, *l_created, *l_mql, *l_sql, *l_opp, *l_camp;
    const char *t_lead, *t_camp, *t_at, *t_resp;
} touch_plan;

/* Whether restriction 2 applies to touches plan p (*why otherwise). */
static bool touches_check(wh *w, const stream_plan *p, touch_plan *tp, const char **why)
{
    const lp_mapping *m = w->mapping;
    const lp_settings *set = w->opts->settings;
    memset(tp, 0, sizeof *tp);
    if (w->touches_why) {
        *why = w->touches_why;
        return false;
    }
    if (set && set->qualification != LP_QUALIFY_NONE) {
        *why = "the qualification setting derives mql_at from status or score";
        return false;
    }
    const stream_plan *l = tp->l = single_plan(w, LP_LEADS, why);
    if (!l) return false;
    tp->l_id = plain_col(l, m, "lead_id");
    tp->l_created = plain_col(l, m, "created_at");
    tp->l_camp = plain_col(l, m, "campaign_id");
    tp->t_lead = plain_col(p, m, "lead_id");
    tp->t_camp = plain_col(p, m, "campaign_id");
    tp->t_at = plain_col(p, m, "touched_at");
    if (!tp->l_id || !tp->l_created || !tp->t_lead || !tp->t_camp || !tp->t_at) {
        *why = "lead_id, created_at, campaign_id or touched_at is not a real column";
        return false;
    }
    if (!tp->l_camp) {
        *why = "leads have no campaign_id column, so every lead's earliest touch is its "
               "creating campaign";
        return false;
    }
    int lc = lp_wh_canon_index(LP_LEADS, "created_at");
    int tc = lp_wh_canon_index(LP_TOUCHES, "touched_at");
    if (!is_timestamp_type(l->cols[l->pick[lc]].type) ||
        !is_timestamp_type(p->cols[p->pick[tc]].type)) {
        *why = "leads created_at and touched_at are not both timestamp columns";
        return false;
    }
    if (!optional_plain(l, m, "mql_at", &tp->l_mql) || !optional_plain(l, m, "sql_at", &tp->l_sql) ||
        !optional_plain(l, m, "opportunity_id", &tp->l_opp) ||
        !optional_plain(p, m, "responded", &tp->t_resp)) {
        *why = "a value map applies to mql_at, sql_at, opportunity_id or responded";
        return false;
    }
    int rc = lp_wh_canon_index(LP_TOUCHES, "responded");
    if (tp->t_resp && strcmp(p->cols[p->pick[rc]].type, "boolean") != 0) {
        *why = "responded is not a boolean column";
        return false;
    }
    bool camps = false;
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *q = &w->plans[i];
        if (q->id == LP_OPPORTUNITIES && !optional_plain(q, m, "lead_id", &(const char *){0})) {
            *why = "a value map applies to opportunities lead_id";
            return false;
        }
        if (q->id != LP_CAMPAIGNS) continue;
        camps = true;
        if (!plain_col(q, m, "campaign_id")) {
            *why = "campaigns campaign_id is not a real column";
            return false;
        }
    }
    if (!camps) {
        *why = "there is no campaigns table to key the server's counts by";
        return false;
    }
    return true;
}

/* The lead keys whose touches may stay on the server, for "key IN (...)":
 * keys of exactly one leads row (required values present) with no event
 * and a campaign_id, which no opportunities row names. One GROUP BY over
 * the leads' rows and the opportunities' lead ids (UNION ALL; n counts
 * only the leads' rows), so each key is trimmed once and no join feeds the
 * aggregate. counted: also created by as-of (min(created_at) < as-of +
 * 1 s), the measures' rule for lifetime touches. */
static void put_plain_leads(wh *w, const touch_plan *tp, bool counted, lp_buf *sql)
{
    const lp_mapping *m = w->mapping;
    lp_buf_puts(sql, "SELECT u.lead_key FROM (SELECT ");
    put_key(w, sql, "l.", tp->l_id);
    lp_buf_puts(sql, " AS lead_key, 1 AS is_lead, CASE WHEN ");
    bool any = false;
    const char *event[3] = {tp->l_mql, tp->l_sql, tp->l_opp};
    for (int e = 0; e < 3; e++) {
        if (!event[e]) continue;
        lp_buf_puts(sql, any ? " OR NOT " : "NOT ");
        put_blank(w, sql, tp->l, "l.", event[e]);
        any = true;
    }
    lp_buf_puts(sql, any ? " OR " : "");
    put_blank(w, sql, tp->l, "l.", tp->l_camp);
    lp_buf_puts(sql, " THEN 1 ELSE 0 END AS need, l.");
    lp_wh_put_ident(w, sql, tp->l_created);
    lp_buf_puts(sql, " AS created FROM ");
    lp_wh_put_table(w, sql, tp->l);
    lp_buf_puts(sql, " l WHERE true");
    required_present_as(w, tp->l, "l.", sql);
    /* A lead an opportunities row names by lead_id. */
    for (size_t i = 0; i < w->nplans; i++) {
        const char *col = NULL;
        if (w->plans[i].id != LP_OPPORTUNITIES) continue;
        optional_plain(&w->plans[i], m, "lead_id", &col);
        if (!col) continue;
        lp_buf_puts(sql, " UNION ALL SELECT ");
        put_key(w, sql, "o.", col);
        lp_buf_puts(sql, ", 0, 1, NULL FROM ");
        lp_wh_put_table(w, sql, &w->plans[i]);
        lp_buf_puts(sql, " o WHERE o.");
        lp_wh_put_ident(w, sql, col);
        lp_buf_puts(sql, " IS NOT NULL");
    }
    lp_buf_puts(sql, ") u GROUP BY u.lead_key HAVING sum(u.is_lead) = 1 AND max(u.need) = 0");
    if (counted) {
        lp_buf_puts(sql, " AND min(u.created) < ");
        put_as_of_end(sql);
    }
}

/* The keys of every loaded lead (required values present). */
static void put_lead_keys(wh *w, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_puts(sql, "SELECT ");
    put_key(w, sql, "l.", tp->l_id);
    lp_buf_puts(sql, " FROM ");
    lp_wh_put_table(w, sql, tp->l);
    lp_buf_puts(sql, " l WHERE true");
    required_present_as(w, tp->l, "l.", sql);
}

/* The campaigns' ids (required values present). */
static void put_campaign_keys(wh *w, lp_buf *sql)
{
    size_t k = 0;
    for (size_t i = 0; i < w->nplans; i++) {
        const stream_plan *q = &w->plans[i];
        if (q->id != LP_CAMPAIGNS) continue;
        lp_buf_puts(sql, k++ ? " UNION ALL SELECT " : "SELECT ");
        put_key(w, sql, "", plain_col(q, w->mapping, "campaign_id"));
        lp_buf_puts(sql, " FROM ");
        lp_wh_put_table(w, sql, q);
        lp_buf_puts(sql, " WHERE true");
        required_present(w, q, sql);
    }
}

/* D of restriction 2, "the touch stays on the server", for a touches row
 * a: touched_at < W AND key(lead_id) IN (plain leads) AND key(campaign_id)
 * IN (campaign ids). NULL counts as false (the caller wraps it in
 * coalesce). The touches' required values (lead_id, campaign_id,
 * touched_at) are present when it holds: the keys match only non-blank
 * keys and a NULL touched_at makes the comparison NULL. The cheap time
 * test comes first: the server evaluates an AND in order, so touches of
 * the window skip the two keys (uncorrelated IN lists, planned as hashed
 * subplans, or semi-joins where the IN is a top-level condition). */
static void put_touch_drop(wh *w, const touch_plan *tp, bool counted, lp_buf *sql)
{
    lp_buf_puts(sql, "(a.");
    lp_wh_put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " < ");
    put_setting(sql, "window_start");
    lp_buf_puts(sql, " AND ");
    put_key(w, sql, "a.", tp->t_lead);
    lp_buf_puts(sql, " IN (");
    put_plain_leads(w, tp, counted, sql);
    lp_buf_puts(sql, ") AND ");
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, " IN (");
    put_campaign_keys(w, sql);
    lp_buf_puts(sql, "))");
}

/* A touch after as-of that nothing reads: not an orphan (the data-quality
 * note counts those), not a reject (as in D), of a campaigns row's id
 * (keyspace order); the measures leave out every touch after as-of:
 * second(touched_at) > as-of <=> touched_at >= as-of + 1 s. When as-of is
 * the data's, no loaded touch is after it and the IN lists are never
 * evaluated (a hashed subplan is built on first use). */
static void put_touch_late(wh *w, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_puts(sql, "(a.");
    lp_wh_put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " >= ");
    put_as_of_end(sql);
    lp_buf_puts(sql, " AND ");
    put_key(w, sql, "a.", tp->t_lead);
    lp_buf_puts(sql, " IN (");
    put_lead_keys(w, tp, sql);
    lp_buf_puts(sql, ") AND ");
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, " IN (");
    put_campaign_keys(w, sql);
    lp_buf_puts(sql, "))");
}

/* The server's per-campaign counts of the touches of plan p (index pi)
 * it keeps: rows (pi, campaign key, touches, responders), appended to sql
 * (a UNION ALL over the touches plans). */
static void put_touch_count(wh *w, size_t pi, const touch_plan *tp, lp_buf *sql)
{
    lp_buf_printf(sql, "%sSELECT %zu, ", sql->len ? " UNION ALL " : "", pi);
    put_key(w, sql, "a.", tp->t_camp);
    lp_buf_puts(sql, ", count(*), ");
    if (tp->t_resp) {
        lp_buf_puts(sql, "sum(CASE WHEN a.");
        lp_wh_put_ident(w, sql, tp->t_resp);
        lp_buf_puts(sql, " THEN 1 ELSE 0 END)");
    } else {
        lp_buf_puts(sql, "0");
    }
    lp_buf_puts(sql, " FROM ");
    lp_wh_put_table(w, sql, &w->plans[pi]);
    /* D, its lead created by as-of, touched by as-of: second(x) <= as-of
     * <=> x < as-of + 1 s. */
    lp_buf_puts(sql, " a WHERE ");
    put_touch_drop(w, tp, true, sql);
    lp_buf_puts(sql, " AND a.");
    lp_wh_put_ident(w, sql, tp->t_at);
    lp_buf_puts(sql, " < ");
    put_as_of_end(sql);
    lp_buf_puts(sql, " GROUP BY 2");
}

/* Builds the count statement of every touches plan restriction 2 applies
 * to and sends it on a second connection, so that the server counts while
 * this connection copies the tables (libpq runs one statement at a time
 * per connection, and a COPY cannot be pipelined). Without a second
 * connection (a connection limit, say) the count runs on the first one
 * after the first touches copy. */
lp_status lp_wh_touch_counts_start(wh *w, const char *conninfo)
{
    for (size_t i = 0; i < w->nplans; i++) {
        touch_plan tp;
        const char *why;
        if (w->plans[i].id == LP_TOUCHES && touches_check(w, &w->plans[i], &tp, &why))
            put_touch_count(w, i, &tp, &w->count_sql);
    }
    if (w->count_sql.failed) return LP_ERR_NOMEM;
    if (!w->count_sql.len) return LP_OK;
    char saved[LP_ERRMSG_SIZE];
    snprintf(saved, sizeof saved, "%s", w->errmsg);
    lp_status st = lp_wh_open_conn(w, conninfo, &w->conn2);
    if (!st) st = set_window(w, w->conn2);
    if (!st && !PQsendQueryParams(w->conn2, w->count_sql.data, 0, NULL, NULL, NULL, NULL, 0)) {
        lp_wh_one_line(PQerrorMessage(w->conn2), w->errmsg, LP_ERRMSG_SIZE);
        st = LP_ERR_DATABASE;
    }
    if (st == LP_ERR_NOMEM) return st;
    if (st) {
        lp_wh_log(w, "pushdown: no second connection for the touches count (%s); it runs after "
                  "the touches copy", w->errmsg);
        snprintf(w->errmsg, LP_ERRMSG_SIZE, "%s", saved);
        PQfinish(w->conn2);
        w->conn2 = NULL;
        return LP_OK;
    }
    w->counts_sent = true;
    return LP_OK;
}

/* The result of the count statement into w->counts (once). */
lp_status lp_wh_touch_counts_collect(wh *w)
{
    if (w->counts_done) return LP_OK;
    w->counts_done = true;
    PGresult *res = NULL;
    if (w->counts_sent) {
        PGresult *r;
        while ((r = PQgetResult(w->conn2))) {
            if (!res) res = r;
            else PQclear(r);
        }
        if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
            char reason[LP_ERRMSG_SIZE];
            lp_wh_one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(w->conn2), reason,
                           sizeof reason);
            lp_errmsg_set(w->errmsg, "%s: query failed: %s", w->shown, reason);
            PQclear(res);
            return LP_ERR_DATABASE;
        }
    } else {
        res = lp_wh_query(w, w->count_sql.data, 0, NULL);
        if (!res) return LP_ERR_DATABASE;
    }
    lp_status st = LP_OK;
    for (int i = 0; i < PQntuples(res) && !st; i++) {
        size_t pi = (size_t)strtoull(PQgetvalue(res, i, 0), NULL, 10);
        const char *key = PQgetvalue(res, i, 1);
        int64_t n = strtoll(PQgetvalue(res, i, 2), NULL, 10);
        int64_t r = PQgetisnull(res, i, 3) ? 0 : strtoll(PQgetvalue(res, i, 3), NULL, 10);
        w->touches_counted += n;
        if (pi < MAX_STREAMS) w->plan_counted[pi] += n;
        size_t j = 0;
        while (j < w->ncounts && strcmp(w->counts[j].key, key) != 0) j++;
        if (j == w->ncounts) {
            if (w->ncounts == w->counts_cap) {
                size_t cap = w->counts_cap ? w->counts_cap * 2 : 64;
                touch_count *v = lp_realloc(w->counts, cap * sizeof *v);
                if (!v) {
                    st = LP_ERR_NOMEM;
                    break;
                }
                w->counts = v;
                w->counts_cap = cap;
            }
            w->counts[j] = (touch_count){lp_strdup(key), 0, 0};
            if (!w->counts[j].key) {
                st = LP_ERR_NOMEM;
                break;
            }
            w->ncounts++;
        }
        w->counts[j].touches += n;
        w->counts[j].responders += r;
    }
    PQclear(res);
    return st;
}

static int count_cmp(const void *a, const void *b)
{
    return strcmp(((const touch_count *)a)->key, ((const touch_count *)b)->key);
}

/* Adds the server's counts to the campaigns table (LP_PUSHDOWN_TOUCHES,
 * LP_PUSHDOWN_RESPONDERS), on the first row of each campaign id. */
lp_status lp_wh_campaign_counts_add(wh *w, lp_dataset *ds)
{
    lp_table *t = ds->tables[LP_CAMPAIGNS];
    const lp_column *id = t ? lp_table_column(t, "campaign_id") : NULL;
    if (!id || id->type != LP_TYPE_STRING) {
        if (w->ncounts) {
            lp_errmsg_set(w->errmsg, "%s: the campaigns table did not load its ids", w->shown);
            return LP_ERR_DATABASE;
        }
        return LP_OK;
    }
    qsort(w->counts, w->ncounts, sizeof *w->counts, count_cmp);
    uint8_t *seen = lp_calloc((size_t)lp_strpool_count(t->pool) + 1, 1);
    lp_column *tc = NULL, *rc = NULL;
    lp_status st = seen ? LP_OK : LP_ERR_NOMEM;
    if (!st) st = lp_table_add_column(t, LP_PUSHDOWN_TOUCHES, LP_TYPE_INT64, &tc);
    if (!st) st = lp_table_add_column(t, LP_PUSHDOWN_RESPONDERS, LP_TYPE_INT64, &rc);
    int64_t placed = 0;
    for (size_t r = 0; r < t->nrows && !st; r++) {
        const touch_count *hit = NULL;
        if (lp_column_valid(id, r) && !seen[id->v.i32[r]]) {
            seen[id->v.i32[r]] = 1;
            touch_count probe = {(char *)lp_column_str(id, r), 0, 0};
            hit = bsearch(&probe, w->counts, w->ncounts, sizeof *w->counts, count_cmp);
        }
        st = lp_column_append_int64(tc, hit ? hit->touches : 0);
        if (!st) st = lp_column_append_int64(rc, hit ? hit->responders : 0);
        if (hit) placed += hit->touches;
    }
    lp_free(seen);
    if (!st) st = lp_table_finish(t);
    if (!st && placed != w->touches_counted) {
        lp_errmsg_set(w->errmsg, "%s: %lld touches counted on the server match no campaign "
                      "loaded", w->shown, (long long)(w->touches_counted - placed));
        st = LP_ERR_DATABASE;
    }
    return st;
}

/* ---- Pushdown: the restricted copies ---- */

bool lp_wh_restrict_copy(wh *w, const stream_plan *p, lp_buf *sql)
{
    const char *why = NULL;
    bool restricted = false;
    touch_plan tp;
    if (p->id == LP_ACTIVITIES) {
        restricted = restrict_activities(w, p, sql, &why);
    } else if (p->id == LP_TOUCHES) {
        restricted = touches_check(w, p, &tp, &why);
        if (restricted) {
            w->touches_restricted = true;
            lp_buf_puts(sql, " WHERE NOT coalesce(");
            put_touch_drop(w, &tp, false, sql);
            lp_buf_puts(sql, ", false) AND NOT coalesce(");
            put_touch_late(w, &tp, sql);
            lp_buf_puts(sql, ", false)");
        }
    } else {
        return false;
    }
    if (!restricted) lp_wh_log(w, "pushdown: %s copied whole: %s", p->label, why);
    return restricted;
}

/* ---- Pushdown: GROUP BY on the server, reconciled ---- */

typedef struct period_sum {
    int64_t ordinal;
    int64_t count;
    double amount;
} period_sum;

typedef struct period_sums {
    period_sum *v;
    size_t n, cap;
} period_sums;

static lp_status sums_add(period_sums *s, int64_t ordinal, int64_t count, double amount)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].ordinal == ordinal) {
            s->v[i].count += count;
            s->v[i].amount += amount;
            return LP_OK;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        period_sum *v = lp_realloc(s->v, cap * sizeof *v);
        if (!v) return LP_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (period_sum){ordinal, count, amount};
    return LP_OK;
}

static int by_ordinal(const void *a, const void *b)
{
    int64_t x = ((const period_sum *)a)->ordinal, y = ((const period_sum *)b)->ordinal;
    return (x > y) - (x < y);
}

/* Server side: rows of (YYYY-MM-DD of the bucket start, count[, sum]). */
static lp_status server_sums(wh *w, const lp_calendar *cal, const char *sql, period_sums *out)
{
    const char *params[1] = {cal->kind == LP_PERIOD_WEEK ? "week" : "month"};
    PGresult *res = lp_wh_query(w, sql, 1, params);
    if (!res) return LP_ERR_DATABASE;
    lp_status st = LP_OK;
    for (int i = 0; i < PQntuples(res) && !st; i++) {
        int32_t days;
        const char *day = PQgetvalue(res, i, 0);
        if (!lp_value_parse_date(day, strlen(day), LP_DATE_YMD, &days)) {
            lp_errmsg_set(w->errmsg, "%s: the server sent the period \"%s\"", w->shown, day);
            st = LP_ERR_DATABASE;
            break;
        }
        int64_t ordinal = lp_period_of(cal, lp_date_to_instant(days));
        double amount = PQnfields(res) > 2 && !PQgetisnull(res, i, 2)
                            ? strtod(PQgetvalue(res, i, 2), NULL) : 0;
        st = sums_add(out, ordinal, strtoll(PQgetvalue(res, i, 1), NULL, 10), amount);
    }
    PQclear(res);
    return st;
}

/* Compares server and loaded sums; logs each difference. Returns the
 * number of differences. */
static size_t reconcile(const wh *w, const lp_calendar *cal, const char *figure,
                        period_sums *server, period_sums *loaded, bool amounts)
{
    qsort(server->v, server->n, sizeof *server->v, by_ordinal);
    qsort(loaded->v, loaded->n, sizeof *loaded->v, by_ordinal);
    size_t i = 0, j = 0, diffs = 0;
    while (i < server->n || j < loaded->n) {
        period_sum zero = {0, 0, 0}, s, l;
        if (j >= loaded->n || (i < server->n && server->v[i].ordinal < loaded->v[j].ordinal)) {
            s = server->v[i++];
            l = zero;
            l.ordinal = s.ordinal;
        } else if (i >= server->n || loaded->v[j].ordinal < server->v[i].ordinal) {
            l = loaded->v[j++];
            s = zero;
            s.ordinal = l.ordinal;
        } else {
            s = server->v[i++];
            l = loaded->v[j++];
        }
        double scale = fabs(s.amount) > 1 ? fabs(s.amount) : 1;
        bool amount_diff = amounts && fabs(s.amount - l.amount) > 1e-9 * scale;
        if (s.count != l.count || amount_diff) {
            char label[24];
            lp_period_label(cal, s.ordinal, label, sizeof label);
            lp_wh_log(w, "pushdown: %s in %s differs: %lld (amount %.2f) on the server, %lld "
                      "(amount %.2f) in the copied rows",
                      figure, label, (long long)s.count, s.amount, (long long)l.count, l.amount);
            diffs++;
        }
    }
    return diffs;
}

/* Loaded side: count (and amount) per period of an instant or date column,
 * for rows where filter (a BOOL column) is true when given. */
static lp_status loaded_sums(const lp_table *t, const lp_calendar *cal, const char *column,
                             const char *filter, const char *amount, period_sums *out)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    const lp_column *flt = t && filter ? lp_table_column(t, filter) : NULL;
    const lp_column *amt = t && amount ? lp_table_column(t, amount) : NULL;
    if (!col) return LP_OK;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!lp_column_valid(col, r)) continue;
        if (filter && (!flt || !lp_column_valid(flt, r) || !flt->v.b[r])) continue;
        int64_t instant = col->type == LP_TYPE_DATE ? lp_date_to_instant(col->v.i32[r])
                                                    : col->v.i64[r];
        double a = amt && lp_column_valid(amt, r) ? amt->v.f64[r] : 0;
        lp_status st = sums_add(out, lp_period_of(cal, instant), 1, a);
        if (st) return st;
    }
    return LP_OK;
}

/* "AND col IS NOT NULL AND btrim(CAST(col AS text)) <> ''" for every
 * required canonical column of the plan: the rows the loader would load. */
static void required_present_as(wh *w, const stream_plan *p, const char *alias, lp_buf *sql)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        if (!canon[c].required || p->pick[c] < 0) continue;
        const char *name = p->cols[p->pick[c]].name;
        lp_buf_puts(sql, " AND NOT ");
        put_blank(w, sql, p, alias, name);
    }
}

static void required_present(wh *w, const stream_plan *p, lp_buf *sql)
{
    required_present_as(w, p, "", sql);
}

/* Every required column is a date/timestamp when of a time canonical type,
 * so that the loader rejects nothing the server counts. */
static bool required_typed(const stream_plan *p)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(p->id, &ncanon);
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        if (!canon[c].required) continue;
        if (p->pick[c] < 0) return false;
        if ((canon[c].type == LP_TYPE_INSTANT || canon[c].type == LP_TYPE_DATE) &&
            !lp_wh_is_time_type(p->cols[p->pick[c]].type))
            return false;
    }
    return true;
}

lp_status lp_wh_pushdown_figures(wh *w, const lp_dataset *ds)
{
    const lp_settings *set = w->opts->settings;
    lp_calendar cal = set ? set->calendar : (lp_calendar){LP_PERIOD_WEEK, 1};
    lp_status st = LP_OK;
    size_t figures = 0, diffs = 0, periods = 0;
    const char *why = NULL;
    double t0 = lp_wh_now_seconds();

    /* MQL and SQL counts by period. */
    const stream_plan *l = single_plan(w, LP_LEADS, &why);
    if (l && !required_typed(l)) {
        l = NULL;
        why = "a required column is text";
    }
    static const char *const lead_figures[2][2] = {{"mql_count", "mql_at"},
                                                   {"sql_count", "sql_at"}};
    for (int f = 0; f < 2 && !st; f++) {
        const char *col = l ? time_col(l, w->mapping, lead_figures[f][1]) : NULL;
        if (!col) {
            lp_wh_log(w, "pushdown: %s stays row-level (%s)", lead_figures[f][0],
                      l ? "its column is not a date or timestamp" : why);
            continue;
        }
        lp_buf sql = {0};
        lp_buf_puts(&sql, "SELECT to_char(date_trunc($1, ");
        lp_wh_put_ident(w, &sql, col);
        lp_buf_puts(&sql, "), 'YYYY-MM-DD'), count(*) FROM ");
        lp_wh_put_table(w, &sql, l);
        lp_buf_puts(&sql, " WHERE ");
        lp_wh_put_ident(w, &sql, col);
        lp_buf_puts(&sql, " IS NOT NULL");
        required_present(w, l, &sql);
        lp_buf_puts(&sql, " GROUP BY 1");
        period_sums server = {0}, loaded = {0};
        st = sql.failed ? LP_ERR_NOMEM : server_sums(w, &cal, sql.data, &server);
        lp_buf_reset(&sql);
        if (!st)
            st = loaded_sums(ds->tables[LP_LEADS], &cal, lead_figures[f][1], NULL, NULL,
                             &loaded);
        if (!st) {
            diffs += reconcile(w, &cal, lead_figures[f][0], &server, &loaded, false);
            figures++;
            periods += server.n;
        }
        lp_free(server.v);
        lp_free(loaded.v);
    }

    /* Won count and amount by period of close_date. */
    const stream_plan *o = st ? NULL : single_plan(w, LP_OPPORTUNITIES, &why);
    if (o && !required_typed(o)) {
        o = NULL;
        why = "a required column is text";
    }
    const char *close = o ? time_col(o, w->mapping, "close_date") : NULL;
    const char *won = o ? plain_col(o, w->mapping, "is_won") : NULL;
    int wc = o ? lp_wh_canon_index(LP_OPPORTUNITIES, "is_won") : -1;
    if (won && strcmp(o->cols[o->pick[wc]].type, "boolean") != 0) won = NULL;
    const char *amount = o ? plain_col(o, w->mapping, "amount") : NULL;
    int ac = o ? lp_wh_canon_index(LP_OPPORTUNITIES, "amount") : -1;
    if (amount && !lp_wh_is_number_type(o->cols[o->pick[ac]].type)) amount = NULL;
    if (!st && o && close && won && (amount || ac < 0 || o->pick[ac] < 0)) {
        lp_buf sql = {0};
        lp_buf_puts(&sql, "SELECT to_char(date_trunc($1, ");
        lp_wh_put_ident(w, &sql, close);
        lp_buf_puts(&sql, "), 'YYYY-MM-DD'), count(*), ");
        if (amount) {
            lp_buf_puts(&sql, "sum(");
            lp_wh_put_ident(w, &sql, amount);
            lp_buf_puts(&sql, ")");
        } else {
            lp_buf_puts(&sql, "0");
        }
        lp_buf_puts(&sql, " FROM ");
        lp_wh_put_table(w, &sql, o);
        lp_buf_puts(&sql, " WHERE ");
        lp_wh_put_ident(w, &sql, won);
        lp_buf_puts(&sql, " AND ");
        lp_wh_put_ident(w, &sql, close);
        lp_buf_puts(&sql, " IS NOT NULL");
        required_present(w, o, &sql);
        lp_buf_puts(&sql, " GROUP BY 1");
        period_sums server = {0}, loaded = {0};
        st = sql.failed ? LP_ERR_NOMEM : server_sums(w, &cal, sql.data, &server);
        lp_buf_reset(&sql);
        if (!st)
            st = loaded_sums(ds->tables[LP_OPPORTUNITIES], &cal, "close_date", "is_won",
                             "amount", &loaded);
        if (!st) {
            diffs += reconcile(w, &cal, "won_count/won_amount", &server, &loaded, true);
            figures += 2;
            periods += server.n;
        }
        lp_free(server.v);
        lp_free(loaded.v);
    } else if (!st) {
        lp_wh_log(w, "pushdown: won by period stays row-level (%s)",
                  !o ? why : "close_date, is_won or amount is not a typed column");
    }
    if (st) return st;
    if (figures)
        lp_wh_log(w, "pushdown: %zu server GROUP BY figure%s over %zu period rows, %.2f s: %s",
                  figures, figures == 1 ? "" : "s", periods, lp_wh_now_seconds() - t0,
                  diffs ? "differences logged above; results come from the copied rows"
                     : "agree with the copied rows");
    return LP_OK;
}

