/*
 * figures.c: the figure catalogue (figures.h).
 *
 * Tables written once: the result catalogue (every result table and
 * column with its type and unit), the definition of every figure, the
 * records behind each headline figure, and the rule that resolves a figure
 * for P (value, base, interval, target and status, comparison and verdict)
 * into the "figures" result table.
 */
#include "lp/figures.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lp/time.h"

/* ---- Units ---- */

static const char *const unit_names[] = {"",      "count", "money",  "share",  "points",
                                         "hours", "days",  "ratio", "p_value"};

const char *lp_unit_name(lp_unit unit)
{
    return (unsigned)unit < sizeof unit_names / sizeof unit_names[0] ? unit_names[unit] : "";
}

const char *lp_unit_label(lp_unit unit, const char *currency)
{
    if (unit == LP_UNIT_MONEY) return currency && *currency ? currency : "USD";
    return lp_unit_name(unit);
}

static lp_unit unit_from_label(const char *label)
{
    if (!label || !*label) return LP_UNIT_NONE;
    for (size_t u = 1; u < sizeof unit_names / sizeof unit_names[0]; u++)
        if (strcmp(label, unit_names[u]) == 0) return (lp_unit)u;
    /* an ISO currency code: three capital letters */
    if (strlen(label) == 3 && label[0] >= 'A' && label[0] <= 'Z') return LP_UNIT_MONEY;
    return LP_UNIT_NONE;
}

/* The result catalogue: every table lp_measures_compute produces, in the
 * order it adds them, and every column of each, in order, with its type
 * and unit. tests/engine/test_result_catalogue.c computes the measures on
 * the sample and fails on any table or column that is here and not
 * produced, or produced and not here, or in another order or of another
 * type: the catalogue cannot drift from the measures. */
#define COL(name, type, unit) {name, LP_TYPE_##type, LP_UNIT_##unit, false}
/* A number whose unit is its row's figure's (lp_result_row_unit). */
#define BY_ROW(name) {name, LP_TYPE_DOUBLE, LP_UNIT_NONE, true}
#define TEXT(name) COL(name, STRING, NONE)
#define INSTANT(name) COL(name, INSTANT, NONE)
#define FLAG(name) COL(name, BOOL, NONE)

#define VOLUME_COLUMNS                                                                   \
    TEXT("key"), COL("mqls", INT64, COUNT), COL("sqls", INT64, COUNT),                   \
        COL("accepted", INT64, COUNT), COL("acceptance_rate", DOUBLE, SHARE),            \
        COL("low", DOUBLE, SHARE), COL("high", DOUBLE, SHARE),                           \
        COL("mql_target", DOUBLE, COUNT)
#define AMOUNT_COLUMNS TEXT("key"), COL("count", INT64, COUNT), COL("amount", DOUBLE, MONEY)
#define SLA_GROUP_COLUMNS                                                                \
    TEXT("team"), COL("eligible", INT64, COUNT), COL("within", INT64, COUNT),            \
        COL("compliance", DOUBLE, SHARE), COL("low", DOUBLE, SHARE),                     \
        COL("high", DOUBLE, SHARE), COL("median_hours", DOUBLE, HOURS),                  \
        COL("p90_hours", DOUBLE, HOURS), COL("untouched", INT64, COUNT),                 \
        COL("pending", INT64, COUNT), COL("overdue", INT64, COUNT),                      \
        COL("followup_eligible", INT64, COUNT), COL("followup_met", INT64, COUNT),       \
        COL("followup_compliance", DOUBLE, SHARE), FLAG("ranked")
#define OPPORTUNITY_DETAIL_COLUMNS                                                       \
    TEXT("opportunity_id"), TEXT("lead_id"), INSTANT("created_at"), TEXT("stage"),       \
        COL("amount", DOUBLE, MONEY), INSTANT("close_date"), FLAG("is_won"),             \
        TEXT("source"), TEXT("campaign_id"), TEXT("campaign_name"), TEXT("owner_id"),    \
        TEXT("owner_name")

static const lp_result_column_def volume_columns[] = {VOLUME_COLUMNS};
static const lp_result_column_def amount_columns[] = {AMOUNT_COLUMNS};
static const lp_result_column_def sla_group_columns[] = {SLA_GROUP_COLUMNS};
static const lp_result_column_def opportunity_detail_columns[] = {OPPORTUNITY_DETAIL_COLUMNS};
static const lp_result_column_def coverage_columns[] = {
    COL("open_inbound_pipeline", DOUBLE, MONEY), COL("quota", DOUBLE, MONEY),
    COL("won_to_date", DOUBLE, MONEY), COL("remaining_quota", DOUBLE, MONEY),
    COL("coverage", DOUBLE, RATIO)};
static const lp_result_column_def targets_columns[] = {
    TEXT("measure"), TEXT("period"), TEXT("team"), BY_ROW("target"), BY_ROW("actual"),
    COL("attainment", DOUBLE, SHARE)};
static const lp_result_column_def mql_trend_columns[] = {
    TEXT("period"), COL("mqls", INT64, COUNT), COL("sqls", INT64, COUNT),
    COL("mql_target", DOUBLE, COUNT)};
static const lp_result_column_def kpi_months_columns[] = {
    TEXT("measure"), TEXT("month"), BY_ROW("value"), INSTANT("through")};
static const lp_result_column_def sla_by_owner_columns[] = {
    TEXT("owner_id"), TEXT("team"), COL("eligible", INT64, COUNT), COL("within", INT64, COUNT),
    COL("compliance", DOUBLE, SHARE), COL("median_hours", DOUBLE, HOURS),
    COL("p90_hours", DOUBLE, HOURS), COL("untouched", INT64, COUNT),
    COL("pending", INT64, COUNT), TEXT("owner_name"), COL("low", DOUBLE, SHARE),
    COL("high", DOUBLE, SHARE), FLAG("ranked")};
static const lp_result_column_def breaches_columns[] = {
    TEXT("lead_id"), TEXT("owner_id"), TEXT("team"), INSTANT("mql_at"),
    INSTANT("first_touch_at"), COL("hours_late", DOUBLE, HOURS), TEXT("owner_name")};
static const lp_result_column_def partner_breaches_columns[] = {
    TEXT("lead_id"), TEXT("partner"), TEXT("owner_name"), TEXT("team"), INSTANT("mql_at"),
    INSTANT("first_touch_at"), COL("hours_late", DOUBLE, HOURS)};
static const lp_result_column_def sla_curve_columns[] = {
    TEXT("team"), COL("hours", DOUBLE, HOURS), COL("touched_share", DOUBLE, SHARE)};
static const lp_result_column_def sla_reached_columns[] = {
    TEXT("team"), COL("mqls", INT64, COUNT), COL("within_1h", DOUBLE, SHARE),
    COL("within_4h", DOUBLE, SHARE), COL("within_24h", DOUBLE, SHARE),
    COL("within_48h", DOUBLE, SHARE), COL("median_hours", DOUBLE, HOURS),
    COL("p90_hours", DOUBLE, HOURS)};
static const lp_result_column_def campaigns_columns[] = {
    TEXT("campaign_id"), TEXT("name"), COL("touches", INT64, COUNT),
    COL("responders", INT64, COUNT), COL("response_rate", DOUBLE, SHARE),
    COL("leads_created", INT64, COUNT), COL("mqls", DOUBLE, COUNT), COL("sqls", DOUBLE, COUNT),
    COL("opportunities", DOUBLE, COUNT), COL("pipeline", DOUBLE, MONEY),
    COL("won", DOUBLE, MONEY), COL("cost", DOUBLE, MONEY), COL("cost_per_lead", DOUBLE, MONEY),
    COL("cost_per_mql", DOUBLE, MONEY), COL("cost_per_opportunity", DOUBLE, MONEY),
    COL("return", DOUBLE, SHARE), TEXT("scope"), TEXT("model")};
static const lp_result_column_def attribution_columns[] = {
    TEXT("campaign_id"), TEXT("name"), TEXT("model"), COL("mqls", DOUBLE, COUNT),
    COL("sqls", DOUBLE, COUNT), COL("opportunities", DOUBLE, COUNT),
    COL("pipeline", DOUBLE, MONEY), COL("won", DOUBLE, MONEY)};
static const lp_result_column_def detail_touches_columns[] = {
    TEXT("lead_id"), TEXT("campaign_id"), TEXT("campaign_name"), INSTANT("touched_at"),
    FLAG("responded")};
static const lp_result_column_def campaign_tests_columns[] = {
    TEXT("campaign_id"), TEXT("name"), COL("mqls", INT64, COUNT),
    COL("opportunities", INT64, COUNT), COL("rate", DOUBLE, SHARE),
    COL("others_rate", DOUBLE, SHARE), COL("p_value", DOUBLE, PVALUE),
    COL("q_value", DOUBLE, PVALUE), TEXT("verdict")};
static const lp_result_column_def funnel_columns[] = {
    TEXT("step"), COL("reached", INT64, COUNT), COL("rate", DOUBLE, SHARE),
    COL("low", DOUBLE, SHARE), COL("high", DOUBLE, SHARE), COL("open", INT64, COUNT),
    COL("closed", INT64, COUNT), COL("closed_win_rate", DOUBLE, SHARE),
    COL("closed_low", DOUBLE, SHARE), COL("closed_high", DOUBLE, SHARE)};
static const lp_result_column_def reverse_funnel_columns[] = {
    TEXT("stage"), COL("needed", DOUBLE, COUNT), COL("low", DOUBLE, COUNT),
    COL("high", DOUBLE, COUNT), COL("quota", DOUBLE, MONEY), COL("rate", DOUBLE, SHARE),
    COL("avg_deal", DOUBLE, MONEY)};
static const lp_result_column_def forecast_columns[] = {
    TEXT("period"), COL("mql_forecast", DOUBLE, COUNT), COL("low", DOUBLE, COUNT),
    COL("high", DOUBLE, COUNT)};
static const lp_result_column_def routing_columns[] = {
    TEXT("team"), COL("mqls", INT64, COUNT), COL("won", INT64, COUNT),
    COL("rate", DOUBLE, SHARE), COL("low", DOUBLE, SHARE), COL("high", DOUBLE, SHARE),
    FLAG("best_route")};
static const lp_result_column_def routing_by_segment_columns[] = {
    TEXT("segment"), TEXT("team"), COL("mqls", INT64, COUNT), COL("won", INT64, COUNT),
    COL("rate", DOUBLE, SHARE), COL("low", DOUBLE, SHARE), COL("high", DOUBLE, SHARE),
    FLAG("best_route")};
static const lp_result_column_def headline_columns[] = {
    TEXT("measure"), TEXT("period"), BY_ROW("value"), BY_ROW("low"), BY_ROW("high"),
    FLAG("provisional"), TEXT("unit"), COL("level", DOUBLE, SHARE), BY_ROW("base"),
    INSTANT("matures_at")};
static const lp_result_column_def changes_columns[] = {
    TEXT("measure"), BY_ROW("current"), BY_ROW("previous"), BY_ROW("change"),
    COL("change_pct", DOUBLE, SHARE), COL("p_value", DOUBLE, PVALUE), FLAG("real"),
    TEXT("test"), INSTANT("compared_as_of"), TEXT("verdict")};
/* effect: a size of effect whose scale depends on the finding's kind, a
 * plain number. */
static const lp_result_column_def findings_columns[] = {
    COL("rank", INT64, COUNT), TEXT("measure"), TEXT("kind"), TEXT("subject"),
    BY_ROW("value"), BY_ROW("base"), BY_ROW("change"), COL("p_value", DOUBLE, PVALUE),
    COL("effect", DOUBLE, NONE)};
static const lp_result_column_def switched_off_columns[] = {TEXT("figure"), TEXT("reason")};
static const lp_result_column_def detail_mqls_columns[] = {
    TEXT("lead_id"), INSTANT("created_at"), INSTANT("mql_at"), INSTANT("sql_at"),
    TEXT("source"), TEXT("channel"), TEXT("campaign_id"), TEXT("campaign_name"),
    TEXT("owner_id"), TEXT("owner_name"), TEXT("team"), TEXT("company"), TEXT("email"),
    TEXT("segment"), INSTANT("first_touch_at"),
    COL("hours_to_first_touch", DOUBLE, HOURS), FLAG("within_sla"), FLAG("pending")};
static const lp_result_column_def detail_sqls_columns[] = {
    TEXT("lead_id"), INSTANT("mql_at"), INSTANT("sql_at"), TEXT("source"), TEXT("channel"),
    TEXT("campaign_id"), TEXT("campaign_name"), TEXT("owner_id"), TEXT("owner_name"),
    TEXT("team"), TEXT("segment")};
static const lp_result_column_def detail_followups_columns[] = {
    TEXT("lead_id"), INSTANT("created_at"), INSTANT("mql_at"), INSTANT("followup_window_end"),
    COL("followup_activities", INT64, COUNT), FLAG("followed_up")};
static const lp_result_column_def detail_closed_columns[] = {
    TEXT("opportunity_id"), TEXT("lead_id"), TEXT("channel"), INSTANT("created_at"),
    TEXT("stage"), COL("amount", DOUBLE, MONEY), INSTANT("close_date"), FLAG("is_won"),
    TEXT("owner_id"), TEXT("owner_name")};
static const lp_result_column_def detail_open_pipeline_columns[] = {
    TEXT("opportunity_id"), TEXT("lead_id"), INSTANT("created_at"), TEXT("stage"),
    COL("amount", DOUBLE, MONEY), INSTANT("close_date"), TEXT("owner_id"), TEXT("owner_name"),
    FLAG("open_at_end"), FLAG("open_at_previous_end")};
static const lp_result_column_def figures_columns[] = {
    TEXT("figure"), TEXT("label"), TEXT("unit"), TEXT("scope"), TEXT("period"),
    BY_ROW("value"), BY_ROW("low"), BY_ROW("high"), COL("level", DOUBLE, SHARE),
    TEXT("base_figure"), BY_ROW("base"), BY_ROW("target"), COL("attainment", DOUBLE, SHARE),
    TEXT("status"), BY_ROW("previous"), INSTANT("compared_as_of"), TEXT("test"),
    COL("p_value", DOUBLE, PVALUE), TEXT("verdict"), FLAG("provisional"),
    INSTANT("matures_at"), BY_ROW("change"), COL("change_pct", DOUBLE, SHARE)};

#define TABLE(name, columns) {name, columns, sizeof columns / sizeof columns[0]}
static const lp_result_table_def result_tables[] = {
    TABLE("volume_by_source", volume_columns),
    TABLE("volume_by_channel", volume_columns),
    TABLE("volume_by_campaign", volume_columns),
    TABLE("volume_by_team", volume_columns),
    TABLE("volume_by_segment", volume_columns),
    TABLE("pipeline_by_stage", amount_columns),
    TABLE("pipeline_by_source", amount_columns),
    TABLE("pipeline_by_campaign", amount_columns),
    TABLE("won_by_source", amount_columns),
    TABLE("won_by_campaign", amount_columns),
    TABLE("coverage", coverage_columns),
    TABLE("targets", targets_columns),
    TABLE("mql_trend", mql_trend_columns),
    TABLE("sla_by_owner", sla_by_owner_columns),
    TABLE("sla_by_team", sla_group_columns),
    TABLE("sla_by_partner", sla_group_columns),
    TABLE("breaches", breaches_columns),
    TABLE("partner_breaches", partner_breaches_columns),
    TABLE("sla_curve", sla_curve_columns),
    TABLE("sla_reached", sla_reached_columns),
    TABLE("kpi_months", kpi_months_columns),
    TABLE("campaigns", campaigns_columns),
    TABLE("attribution", attribution_columns),
    TABLE("detail_touches", detail_touches_columns),
    TABLE("campaign_tests", campaign_tests_columns),
    TABLE("funnel", funnel_columns),
    TABLE("reverse_funnel", reverse_funnel_columns),
    TABLE("forecast", forecast_columns),
    TABLE("routing", routing_columns),
    TABLE("routing_by_segment", routing_by_segment_columns),
    TABLE("headline", headline_columns),
    TABLE("changes", changes_columns),
    TABLE("findings", findings_columns),
    TABLE("switched_off", switched_off_columns),
    TABLE("detail_mqls", detail_mqls_columns),
    TABLE("detail_inbound_opportunities", opportunity_detail_columns),
    TABLE("detail_inbound_wins", opportunity_detail_columns),
    TABLE("detail_mqls_previous", detail_mqls_columns),
    TABLE("detail_inbound_opportunities_previous", opportunity_detail_columns),
    TABLE("detail_inbound_wins_previous", opportunity_detail_columns),
    TABLE("detail_sqls", detail_sqls_columns),
    TABLE("detail_sqls_previous", detail_sqls_columns),
    TABLE("detail_followups", detail_followups_columns),
    TABLE("detail_followups_previous", detail_followups_columns),
    TABLE("detail_closed", detail_closed_columns),
    TABLE("detail_closed_previous", detail_closed_columns),
    TABLE("detail_open_inbound_pipeline", detail_open_pipeline_columns),
    TABLE("figures", figures_columns),
};
#undef TABLE
#undef COL
#undef BY_ROW
#undef TEXT
#undef INSTANT
#undef FLAG
#undef VOLUME_COLUMNS
#undef AMOUNT_COLUMNS
#undef SLA_GROUP_COLUMNS
#undef OPPORTUNITY_DETAIL_COLUMNS

const lp_result_table_def *lp_result_tables(size_t *out_n)
{
    if (out_n) *out_n = sizeof result_tables / sizeof result_tables[0];
    return result_tables;
}

const lp_result_table_def *lp_result_table_find(const char *table)
{
    for (size_t i = 0; table && i < sizeof result_tables / sizeof result_tables[0]; i++)
        if (strcmp(result_tables[i].name, table) == 0) return &result_tables[i];
    return NULL;
}

const lp_result_column_def *lp_result_column_find(const char *table, const char *column)
{
    const lp_result_table_def *t = lp_result_table_find(table);
    for (size_t i = 0; t && column && i < t->ncolumns; i++)
        if (strcmp(t->columns[i].name, column) == 0) return &t->columns[i];
    return NULL;
}

bool lp_result_has_column(const char *table, const char *column)
{
    if (!column) return lp_result_table_find(table) != NULL;
    return lp_result_column_find(table, column) != NULL;
}

lp_unit lp_result_unit(const char *table, const char *column)
{
    const lp_result_column_def *c = lp_result_column_find(table, column);
    return c ? c->unit : LP_UNIT_NONE;
}

static const char *row_str(const lp_table *t, const char *column, size_t row)
{
    const lp_column *c = lp_table_column(t, column);
    if (!c || c->type != LP_TYPE_STRING || row >= c->length || !lp_column_valid(c, row))
        return NULL;
    return lp_column_str(c, row);
}

lp_unit lp_result_row_unit(const lp_table *table, const char *column, size_t row)
{
    if (!table || !column) return LP_UNIT_NONE;
    const lp_result_column_def *col = lp_result_column_find(table->name, column);
    bool by_row = col ? col->unit_by_row : false;
    if (!col) {
        /* A table outside the catalogue (the statements file reports/
         * writes) that says its rows' units: its value-like columns. */
        static const char *const value_like[] = {"value", "low", "high", "previous", "current",
                                                 "change", "target", "actual", "base", "published",
                                                 "now", NULL};
        for (size_t i = 0; value_like[i]; i++)
            if (strcmp(column, value_like[i]) == 0) by_row = true;
    }
    if (!by_row) return col ? col->unit : LP_UNIT_NONE;
    lp_unit unit = unit_from_label(row_str(table, "unit", row));
    if (unit == LP_UNIT_NONE) {
        const char *id = row_str(table, "figure", row);
        if (!id) id = row_str(table, "measure", row);
        const lp_figure_def *def = lp_figure_def_find(id);
        if (!def && id) {
            /* targets name measures as the targets export does ("mql") */
            size_t n = 0;
            const lp_figure_def *defs = lp_figure_defs(&n);
            for (size_t i = 0; i < n && !def; i++)
                if (defs[i].target_measure && strcasecmp(defs[i].target_measure, id) == 0)
                    def = &defs[i];
        }
        if (def) unit = def->unit;
    }
    if (strcmp(column, "base") == 0) {
        const lp_figure_def *def = lp_figure_def_find(row_str(table, "figure", row));
        if (!def) def = lp_figure_def_find(row_str(table, "measure", row));
        const lp_figure_def *base = def ? lp_figure_def_find(def->base) : NULL;
        return base ? base->unit : LP_UNIT_COUNT;
    }
    if (unit == LP_UNIT_SHARE && strcmp(column, "change") == 0) return LP_UNIT_POINTS;
    return unit;
}

/* ---- Definitions ---- */

static const char *const scope_names[] = {"period", "at_end", "lifetime",
                                          "trailing_4_quarters", "window", "months"};

const char *lp_scope_name(lp_scope scope)
{
    return (unsigned)scope < sizeof scope_names / sizeof scope_names[0] ? scope_names[scope]
                                                                        : "";
}

static const char *const verdict_names[] = {"", "untested", "real", "noise", "too_early"};

const char *lp_verdict_name(lp_verdict verdict)
{
    return (unsigned)verdict < sizeof verdict_names / sizeof verdict_names[0]
               ? verdict_names[verdict]
               : "";
}

static lp_verdict verdict_from_name(const char *name)
{
    for (size_t v = 1; name && v < sizeof verdict_names / sizeof verdict_names[0]; v++)
        if (strcmp(name, verdict_names[v]) == 0) return (lp_verdict)v;
    return LP_VERDICT_NONE;
}

static const char *const status_names[] = {"", "on_track", "at_risk", "off_track"};

const char *lp_target_status_name(lp_target_status status)
{
    return (unsigned)status < sizeof status_names / sizeof status_names[0]
               ? status_names[status]
               : "";
}

static lp_target_status status_from_name(const char *name)
{
    for (size_t v = 1; name && v < sizeof status_names / sizeof status_names[0]; v++)
        if (strcmp(name, status_names[v]) == 0) return (lp_target_status)v;
    return LP_TARGET_NONE;
}

#define P LP_SCOPE_PERIOD
/* id, label, unit, scope, base, level, target measure, maturing, higher is better */
static const lp_figure_def defs[] = {
    {"mql_count", "Qualified leads (MQLs)", LP_UNIT_COUNT, P, NULL, 0, "mql", false, true},
    {"sql_count", "Sales-accepted leads (SQLs)", LP_UNIT_COUNT, P, NULL, 0, "sql", false, true},
    {"acceptance_rate", "Accepted by sales", LP_UNIT_SHARE, P, "mql_count", 0.95, NULL, true,
     true},
    {"inbound_pipeline_count", "Inbound opportunities", LP_UNIT_COUNT, P, NULL, 0, NULL, false,
     true},
    {"inbound_pipeline_amount", "Inbound pipeline", LP_UNIT_MONEY, P, "inbound_pipeline_count",
     0, "pipeline", false, true},
    {"open_inbound_pipeline_amount", "Open inbound pipeline", LP_UNIT_MONEY, LP_SCOPE_AT_END,
     NULL, 0, NULL, false, true},
    {"sla_eligible", "MQLs due a first touch", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"sla_within", "MQLs reached in time", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"sla_compliance", "Reached in time (share)", LP_UNIT_SHARE, P, "sla_eligible", 0.95,
     "sla", true, true},
    {"sla_median_hours", "Median time to first touch", LP_UNIT_HOURS, P, "mql_count", 0,
     NULL, false, false},
    {"sla_p90_hours", "90th percentile time to first touch", LP_UNIT_HOURS, P, "mql_count", 0,
     NULL, false, false},
    {"sla_untouched", "MQLs not yet touched", LP_UNIT_COUNT, P, NULL, 0, NULL, false, false},
    {"sla_pending", "MQLs still inside the SLA", LP_UNIT_COUNT, P, NULL, 0, NULL, false, false},
    {"followup_compliance", "Followed up 3 times in 7 days", LP_UNIT_SHARE, P,
     "followup_eligible", 0.95, NULL, true, true},
    {"followup_eligible", "MQLs whose 7-day follow-up window has closed", LP_UNIT_COUNT, P,
     NULL, 0, NULL, false, true},
    {"inbound_won_count", "Inbound deals won", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"inbound_won_amount", "Inbound closed business", LP_UNIT_MONEY, P, "inbound_won_count", 0,
     "won", false, true},
    {"inbound_win_rate", "Inbound win rate", LP_UNIT_SHARE, P, "inbound_closed_count", 0.95,
     NULL, true, true},
    {"inbound_closed_count", "Inbound deals closed (won or lost)", LP_UNIT_COUNT, P, NULL, 0,
     NULL, false, true},
    {"inbound_avg_deal", "Average inbound deal", LP_UNIT_MONEY, P, "inbound_won_count", 0, NULL,
     false, true},
    {"inbound_cycle_median_days", "Median inbound sales cycle", LP_UNIT_DAYS, P,
     "inbound_won_count", 0, NULL, false, false},
    {"inbound_won_share", "Inbound share of closed business", LP_UNIT_SHARE, P, "won_amount", 0,
     NULL, false, true},
    {"won_count", "Deals won (every channel)", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"won_amount", "Closed business (every channel)", LP_UNIT_MONEY, P, "won_count", 0, NULL,
     false, true},
    {"win_rate", "Win rate (every channel)", LP_UNIT_SHARE, P, "closed_count", 0.95, NULL, true,
     true},
    {"closed_count", "Deals closed (won or lost, every channel)", LP_UNIT_COUNT, P, NULL, 0,
     NULL, false, true},
    {"cycle_median_days", "Median sales cycle (every channel)", LP_UNIT_DAYS, P, "won_count", 0,
     NULL, false, false},
    {"funnel_closed_win_rate", "Closed win rate of the funnel cohort", LP_UNIT_SHARE,
     LP_SCOPE_WINDOW, "funnel_closed", 0.95, NULL, false, true},
    {"funnel_closed", "Funnel opportunities closed (won or lost)", LP_UNIT_COUNT,
     LP_SCOPE_WINDOW, NULL, 0, NULL, false, true},
    {"funnel_open", "Funnel opportunities still open", LP_UNIT_COUNT, LP_SCOPE_WINDOW, NULL, 0,
     NULL, false, true},
    {"funnel_rate", "Funnel step conversion", LP_UNIT_SHARE, LP_SCOPE_WINDOW, NULL, 0.95, NULL,
     false, true},
    {"funnel_reached", "Funnel step reached", LP_UNIT_COUNT, LP_SCOPE_WINDOW, NULL, 0, NULL,
     false, true},
    {"campaign_mqls", "Campaign MQLs (lifetime, credited)", LP_UNIT_COUNT, LP_SCOPE_LIFETIME,
     NULL, 0, NULL, false, true},
    {"campaign_mql_to_opportunity", "Campaign MQL-to-opportunity rate (lifetime)",
     LP_UNIT_SHARE, LP_SCOPE_LIFETIME, "campaign_mqls", 0, NULL, false, true},
    {"campaign_others_rate", "MQL-to-opportunity rate of all other campaigns (lifetime)",
     LP_UNIT_SHARE, LP_SCOPE_LIFETIME, NULL, 0, NULL, false, true},
    {"campaign_pipeline", "Campaign pipeline (lifetime, credited)", LP_UNIT_MONEY,
     LP_SCOPE_LIFETIME, NULL, 0, NULL, false, true},
    {"campaign_won", "Campaign closed business (lifetime, credited)", LP_UNIT_MONEY,
     LP_SCOPE_LIFETIME, NULL, 0, NULL, false, true},
    {"campaign_cost_per_mql", "Campaign cost per MQL (lifetime)", LP_UNIT_MONEY,
     LP_SCOPE_LIFETIME, NULL, 0, NULL, false, false},
    {"campaign_return", "Campaign return (lifetime)", LP_UNIT_SHARE, LP_SCOPE_LIFETIME, NULL, 0,
     NULL, false, true},
    {"volume_mqls", "MQLs of a group", LP_UNIT_COUNT, P, NULL, 0, "mql", false, true},
    {"volume_acceptance_rate", "Accepted by sales, of a group", LP_UNIT_SHARE, P, "volume_mqls",
     0.95, NULL, true, true},
    {"team_sla_compliance", "Reached in time, of a team", LP_UNIT_SHARE, P, "team_sla_eligible",
     0.95, "sla", true, true},
    {"team_sla_eligible", "MQLs due a first touch, of a team", LP_UNIT_COUNT, P, NULL, 0, NULL,
     false, true},
    {"team_median_hours", "Median time to first touch, of a team", LP_UNIT_HOURS, P, NULL, 0,
     NULL, false, false},
    {"breach_count", "MQLs reached late or not at all", LP_UNIT_COUNT, P, NULL, 0, NULL, false,
     false},
    {"team_sla_overdue", "MQLs waiting past the SLA for a first touch, of a team", LP_UNIT_COUNT,
     P, NULL, 0, NULL, false, false},
    {"partner_sla_overdue", "MQLs waiting past the SLA for a first touch, of a partner",
     LP_UNIT_COUNT, P, NULL, 0, NULL, false, false},
    {"routing_rate", "MQL-to-won rate of a team (lifetime)", LP_UNIT_SHARE, LP_SCOPE_LIFETIME,
     "routing_mqls", 0.90, NULL, false, true},
    {"routing_mqls", "MQLs of a team (lifetime)", LP_UNIT_COUNT, LP_SCOPE_LIFETIME, NULL, 0,
     NULL, false, true},
    {"forecast_mqls", "Forecast MQLs", LP_UNIT_COUNT, P, NULL, 0.80, NULL, false, true},
    {"reverse_funnel_needed", "Needed to reach quota", LP_UNIT_COUNT, LP_SCOPE_TRAILING, NULL,
     0.95, NULL, false, true},
    {"quota", "Quota", LP_UNIT_MONEY, P, NULL, 0, NULL, false, true},
    {"pipeline_coverage", "Open inbound pipeline over remaining quota", LP_UNIT_RATIO,
     LP_SCOPE_AT_END, NULL, 0, NULL, false, true},
    {"target", "Target", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"target_attainment", "Share of target reached", LP_UNIT_SHARE, P, NULL, 0, NULL, false,
     true},
    {"change", "Change on the previous period", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"change_pct", "Change on the previous period, as a share of it", LP_UNIT_SHARE, P, NULL, 0,
     NULL, false, true},
    {"rejected_rows", "Rows that could not be read", LP_UNIT_COUNT, LP_SCOPE_LIFETIME, NULL, 0,
     NULL, false, false},
    {"sla_threshold_hours", "SLA response threshold (setting)", LP_UNIT_HOURS, P, NULL, 0,
     NULL, false, false},
    {"sla_compliance_others", "Reached in time, of the other teams", LP_UNIT_SHARE, P, NULL,
     0.95, NULL, true, true},
    {"campaigns_listed", "Campaigns listed (lifetime)", LP_UNIT_COUNT, LP_SCOPE_LIFETIME, NULL,
     0, NULL, false, true},
    {"campaigns_better", "Campaigns clearly better (lifetime)", LP_UNIT_COUNT,
     LP_SCOPE_LIFETIME, NULL, 0, NULL, false, true},
    {"changes_real", "Changes called real", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"changes_tested", "Changes tested", LP_UNIT_COUNT, P, NULL, 0, NULL, false, true},
    {"figures_switched_off", "Figures the exports cannot support", LP_UNIT_COUNT, P, NULL, 0,
     NULL, false, false},
    {"remaining_quota", "Quota still to win", LP_UNIT_MONEY, LP_SCOPE_AT_END, NULL, 0, NULL,
     false, false},
    {"routing_won", "Won MQLs of a team (lifetime)", LP_UNIT_COUNT, LP_SCOPE_LIFETIME, NULL, 0,
     NULL, false, true},
    {"forecast_mqls_low", "Forecast MQLs, low end of the 80% interval", LP_UNIT_COUNT, P, NULL,
     0.80, NULL, false, true},
    {"forecast_mqls_high", "Forecast MQLs, high end of the 80% interval", LP_UNIT_COUNT, P,
     NULL, 0.80, NULL, false, true},
    {"hours_late", "Hours past the SLA deadline", LP_UNIT_HOURS, P, NULL, 0, NULL, false,
     false},
    {"window_periods", "Periods in the window (P and the 12 before it)", LP_UNIT_COUNT,
     LP_SCOPE_WINDOW, NULL, 0, NULL, false, true},
    {"groups", "Groups (teams, reps or partners) handed MQLs", LP_UNIT_COUNT, P, NULL, 0, NULL,
     false, true},
};

/* The first-page figures, in order: the five headline measures. */
static const char *const kpi_ids[] = {"mql_count", "acceptance_rate", "inbound_pipeline_amount",
                                      "sla_compliance", "inbound_won_amount", NULL};

const char *const *lp_figure_kpis(void) { return kpi_ids; }
#undef P

const lp_figure_def *lp_figure_def_find(const char *id)
{
    for (size_t i = 0; id && i < sizeof defs / sizeof defs[0]; i++)
        if (strcmp(defs[i].id, id) == 0) return &defs[i];
    return NULL;
}

const lp_figure_def *lp_figure_defs(size_t *out_n)
{
    if (out_n) *out_n = sizeof defs / sizeof defs[0];
    return defs;
}

/* ---- The records behind a figure ---- */

static const char *const topic_names[] = {"", "volume", "campaigns", "pipeline", "sla", "won"};

const char *lp_topic_name(lp_topic topic)
{
    return (unsigned)topic < sizeof topic_names / sizeof topic_names[0] ? topic_names[topic]
                                                                        : "";
}

/* The records behind each headline figure (templates/DEFINITIONS.md says
 * what each counts; the detail tables' rows are in measures.h). Every
 * figure has rows: a count, a sum or a share of them, or a statistic drawn
 * from them (a Kaplan-Meier median, a median cycle). The every-channel
 * figures have no breakdown table (won_by_* are inbound only). */
#define MQLS "detail_mqls"
#define OPPS "detail_inbound_opportunities"
#define WINS "detail_inbound_wins"
#define CLOSED "detail_closed"
#define REC(id, topic, tbl) .figure = id, .breakdown = LP_TOPIC_##topic, .table = tbl
static const lp_figure_records records[] = {
    {REC("mql_count", VOLUME, MQLS), .rule = LP_RECORDS_COUNT},
    {REC("sql_count", VOLUME, "detail_sqls"), .rule = LP_RECORDS_COUNT},
    {REC("acceptance_rate", VOLUME, MQLS), .column = "sql_at", .test = LP_ROWS_SET,
     .rule = LP_RECORDS_RATIO, .den = "mql_count"},
    {REC("inbound_pipeline_count", PIPELINE, OPPS), .rule = LP_RECORDS_COUNT},
    {REC("inbound_pipeline_amount", PIPELINE, OPPS), .rule = LP_RECORDS_SUM,
     .sum_column = "amount"},
    /* One table for both ends: a flag per end. */
    {REC("open_inbound_pipeline_amount", PIPELINE, "detail_open_inbound_pipeline"),
     .column = "open_at_end", .test = LP_ROWS_TRUE, .rule = LP_RECORDS_SUM,
     .sum_column = "amount", .previous_table = "detail_open_inbound_pipeline",
     .previous_column = "open_at_previous_end"},
    {REC("sla_eligible", SLA, MQLS), .column = "pending", .test = LP_ROWS_FALSE,
     .rule = LP_RECORDS_COUNT},
    {REC("sla_within", SLA, MQLS), .column = "within_sla", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_COUNT},
    {REC("sla_compliance", SLA, MQLS), .column = "within_sla", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_RATIO, .num = "sla_within", .den = "sla_eligible"},
    /* Kaplan-Meier over every MQL of P, untouched ones up to as-of */
    {REC("sla_median_hours", SLA, MQLS), .rule = LP_RECORDS_DRAWN},
    {REC("sla_p90_hours", SLA, MQLS), .rule = LP_RECORDS_DRAWN},
    {REC("sla_untouched", SLA, MQLS), .column = "first_touch_at", .test = LP_ROWS_BLANK,
     .rule = LP_RECORDS_COUNT},
    {REC("sla_pending", SLA, MQLS), .column = "pending", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_COUNT},
    /* The rows are the MQLs whose follow-up window has closed by as-of; as
     * compared, by compared_as_of (and created by then). */
    {REC("followup_compliance", SLA, "detail_followups"), .column = "followed_up",
     .test = LP_ROWS_TRUE, .rule = LP_RECORDS_SHARE,
     .aged = {"followup_window_end", "created_at"}},
    {REC("inbound_won_count", WON, WINS), .rule = LP_RECORDS_COUNT},
    {REC("inbound_won_amount", WON, WINS), .rule = LP_RECORDS_SUM, .sum_column = "amount"},
    /* Of the inbound deals closed in P; as compared, created and closed by
     * then. */
    {REC("inbound_win_rate", WON, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_SHARE, .scope_column = "channel", .scope_value = "inbound",
     .aged = {"created_at", "close_date"}},
    {REC("inbound_avg_deal", WON, WINS), .rule = LP_RECORDS_RATIO, .num = "inbound_won_amount",
     .den = "inbound_won_count"},
    {REC("inbound_cycle_median_days", WON, WINS), .rule = LP_RECORDS_DRAWN},
    {REC("inbound_won_share", WON, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_RATIO, .num = "inbound_won_amount", .den = "won_amount"},
    {REC("won_count", NONE, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_COUNT},
    {REC("won_amount", NONE, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_SUM, .sum_column = "amount"},
    {REC("win_rate", NONE, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_SHARE, .aged = {"created_at", "close_date"}},
    {REC("cycle_median_days", NONE, CLOSED), .column = "is_won", .test = LP_ROWS_TRUE,
     .rule = LP_RECORDS_DRAWN},
};
#undef REC
#undef MQLS
#undef OPPS
#undef WINS
#undef CLOSED

const lp_figure_records *lp_figure_records_find(const char *figure)
{
    for (size_t i = 0; figure && i < sizeof records / sizeof records[0]; i++)
        if (strcmp(records[i].figure, figure) == 0) return &records[i];
    return NULL;
}

const lp_figure_records *lp_figure_records_all(size_t *out_n)
{
    if (out_n) *out_n = sizeof records / sizeof records[0];
    return records;
}

/* ---- Resolving a figure for P ---- */

static bool row_num(const lp_table *t, const char *column, size_t row, double *out)
{
    const lp_column *c = t ? lp_table_column(t, column) : NULL;
    if (!c || row >= c->length || !lp_column_valid(c, row)) return false;
    double v = lp_column_number(c, row);
    if (!isfinite(v)) return false;
    *out = v;
    return true;
}

static int64_t row_instant(const lp_table *t, const char *column, size_t row)
{
    const lp_column *c = t ? lp_table_column(t, column) : NULL;
    if (!c || c->type != LP_TYPE_INSTANT || row >= c->length || !lp_column_valid(c, row))
        return INT64_MIN;
    return c->v.i64[row];
}

static long find_measure_row(const lp_table *t, const char *column, const char *id,
                             const char *period)
{
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *m = row_str(t, column, i);
        if (!m || strcmp(m, id) != 0) continue;
        if (period) {
            const char *p = row_str(t, "period", i);
            if (!p || strcmp(p, period) != 0) continue;
        }
        return (long)i;
    }
    return -1;
}

/* The target rule (templates/DEFINITIONS.md, "Targets"), the only one: a
 * figure's target for P is the targets export's company row for P (team
 * blank or "all"; several are added up), or else the sum of its team rows
 * for P. SLA compliance takes the settings' sla_target instead. */
static double resolve_target(const lp_results *r, const lp_figure_def *def)
{
    if (!def->target_measure) return NAN;
    if (strcmp(def->target_measure, "sla") == 0) {
        double t = r->settings ? r->settings->sla_target : NAN;
        return t > 0 ? t : NAN;
    }
    const lp_table *t = lp_results_table(r, "targets");
    double company = NAN, teams = NAN, v;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *m = row_str(t, "measure", i), *p = row_str(t, "period", i);
        if (!m || !p || strcasecmp(m, def->target_measure) != 0 ||
            strcmp(p, r->period_label) != 0 || !row_num(t, "target", i, &v))
            continue;
        const char *team = row_str(t, "team", i);
        if (!team || !*team || strcasecmp(team, "all") == 0)
            company = isnan(company) ? v : company + v;
        else
            teams = isnan(teams) ? v : teams + v;
    }
    return isnan(company) ? teams : company;
}

lp_target_status lp_figure_target_status(const lp_figure_def *def, double value, double target)
{
    if (!def || isnan(value) || !(target > 0)) return LP_TARGET_NONE;
    double attainment = def->higher_is_better ? value / target : target / value;
    if (attainment >= 1.0) return LP_TARGET_ON_TRACK;
    if (attainment >= 0.9) return LP_TARGET_AT_RISK;
    return LP_TARGET_OFF_TRACK;
}

lp_status lp_figures_build(lp_results *r)
{
    if (!r) return LP_ERR_USAGE;
    const lp_table *head = lp_results_table(r, "headline");
    const lp_table *chg = lp_results_table(r, "changes");
    const char *currency = r->settings && r->settings->currency[0] ? r->settings->currency
                                                                   : "USD";
    lp_table *t = lp_table_new("figures");
    if (!t) return LP_ERR_NOMEM;
    static const struct {
        const char *name;
        lp_type type;
    } cols[] = {
        {"figure", LP_TYPE_STRING},     {"label", LP_TYPE_STRING},
        {"unit", LP_TYPE_STRING},       {"scope", LP_TYPE_STRING},
        {"period", LP_TYPE_STRING},     {"value", LP_TYPE_DOUBLE},
        {"low", LP_TYPE_DOUBLE},        {"high", LP_TYPE_DOUBLE},
        {"level", LP_TYPE_DOUBLE},      {"base_figure", LP_TYPE_STRING},
        {"base", LP_TYPE_DOUBLE},       {"target", LP_TYPE_DOUBLE},
        {"attainment", LP_TYPE_DOUBLE}, {"status", LP_TYPE_STRING},
        {"previous", LP_TYPE_DOUBLE},   {"compared_as_of", LP_TYPE_INSTANT},
        {"test", LP_TYPE_STRING},       {"p_value", LP_TYPE_DOUBLE},
        {"verdict", LP_TYPE_STRING},    {"provisional", LP_TYPE_BOOL},
        {"matures_at", LP_TYPE_INSTANT}, {"change", LP_TYPE_DOUBLE},
        {"change_pct", LP_TYPE_DOUBLE},
    };
    enum { NCOLS = sizeof cols / sizeof cols[0] };
    lp_column *c[NCOLS];
    lp_status st = LP_OK;
    for (size_t i = 0; i < NCOLS && !st; i++)
        st = lp_table_add_column(t, cols[i].name, cols[i].type, &c[i]);

#define PUT_S(i, s) (st = st ? st : ((s) ? lp_column_append_string(c[i], (s), strlen(s)) \
                                         : lp_column_append_null(c[i])))
#define PUT_D(i, v) (st = st ? st : (isfinite(v) ? lp_column_append_double(c[i], (v)) \
                                                 : lp_column_append_null(c[i])))
#define PUT_T(i, v) (st = st ? st : ((v) != INT64_MIN ? lp_column_append_int64(c[i], (v)) \
                                                      : lp_column_append_null(c[i])))
    for (size_t d = 0; d < sizeof defs / sizeof defs[0] && !st; d++) {
        const lp_figure_def *def = &defs[d];
        long hr = find_measure_row(head, "measure", def->id, r->period_label);
        if (hr < 0) continue; /* only figures with a value for P */
        size_t h = (size_t)hr;
        double value = NAN, low = NAN, high = NAN, level = NAN, base = NAN;
        row_num(head, "value", h, &value);
        row_num(head, "low", h, &low);
        row_num(head, "high", h, &high);
        row_num(head, "level", h, &level);
        row_num(head, "base", h, &base);
        double prov = 0;
        row_num(head, "provisional", h, &prov);
        double target = resolve_target(r, def);
        double attainment = target > 0 && isfinite(value) ? value / target : NAN;
        lp_target_status status = lp_figure_target_status(def, value, target);

        double previous = NAN, p_value = NAN, change = NAN, change_pct = NAN;
        int64_t compared = INT64_MIN;
        const char *test = "", *verdict = "";
        long cr = find_measure_row(chg, "measure", def->id, NULL);
        if (cr >= 0) {
            row_num(chg, "previous", (size_t)cr, &previous);
            row_num(chg, "p_value", (size_t)cr, &p_value);
            row_num(chg, "change", (size_t)cr, &change);
            row_num(chg, "change_pct", (size_t)cr, &change_pct);
            compared = row_instant(chg, "compared_as_of", (size_t)cr);
            const char *s = row_str(chg, "test", (size_t)cr);
            if (s) test = s;
            s = row_str(chg, "verdict", (size_t)cr);
            if (s) verdict = s;
        }
        PUT_S(0, def->id);
        PUT_S(1, def->label);
        PUT_S(2, lp_unit_label(def->unit, currency));
        PUT_S(3, lp_scope_name(def->scope));
        PUT_S(4, r->period_label);
        PUT_D(5, value);
        PUT_D(6, low);
        PUT_D(7, high);
        PUT_D(8, level);
        PUT_S(9, def->base);
        PUT_D(10, base);
        PUT_D(11, target);
        PUT_D(12, attainment);
        PUT_S(13, lp_target_status_name(status));
        PUT_D(14, previous);
        PUT_T(15, compared);
        PUT_S(16, test);
        PUT_D(17, p_value);
        PUT_S(18, verdict);
        if (!st) st = lp_column_append_bool(c[19], prov != 0);
        PUT_T(20, prov != 0 ? row_instant(head, "matures_at", h) : INT64_MIN);
        PUT_D(21, change);
        PUT_D(22, change_pct);
    }
#undef PUT_S
#undef PUT_D
#undef PUT_T
    if (!st) st = lp_table_finish(t);
    if (st) {
        lp_table_free(t);
        return st;
    }
    return lp_results_add(r, t);
}

lp_status lp_figure_get(const lp_results *results, const char *id, lp_figure *out)
{
    const lp_figure_def *def = lp_figure_def_find(id);
    const lp_table *t = results ? lp_results_table(results, "figures") : NULL;
    long row = def ? find_measure_row(t, "figure", id, NULL) : -1;
    if (row < 0 || !out) return LP_ERR_NOTFOUND;
    size_t i = (size_t)row;
    lp_figure f;
    memset(&f, 0, sizeof f);
    f.def = def;
    f.period = row_str(t, "period", i);
    f.value = f.low = f.high = f.base = f.target = f.attainment = f.previous = f.p_value = NAN;
    f.change = f.change_pct = NAN;
    row_num(t, "change", i, &f.change);
    row_num(t, "change_pct", i, &f.change_pct);
    row_num(t, "value", i, &f.value);
    row_num(t, "low", i, &f.low);
    row_num(t, "high", i, &f.high);
    row_num(t, "base", i, &f.base);
    row_num(t, "target", i, &f.target);
    row_num(t, "attainment", i, &f.attainment);
    row_num(t, "previous", i, &f.previous);
    row_num(t, "p_value", i, &f.p_value);
    f.status = status_from_name(row_str(t, "status", i));
    f.compared_as_of = row_instant(t, "compared_as_of", i);
    f.test = row_str(t, "test", i);
    if (!f.test) f.test = "";
    f.verdict = verdict_from_name(row_str(t, "verdict", i));
    double prov = 0;
    row_num(t, "provisional", i, &prov);
    f.provisional = prov != 0;
    f.matures_at = row_instant(t, "matures_at", i);
    *out = f;
    return LP_OK;
}

lp_scope lp_result_scope(const char *table)
{
    static const struct {
        const char *table;
        lp_scope scope;
    } scopes[] = {
        {"campaigns", LP_SCOPE_LIFETIME},       {"attribution", LP_SCOPE_LIFETIME},
        {"campaign_tests", LP_SCOPE_LIFETIME},  {"routing", LP_SCOPE_LIFETIME},
        {"routing_by_segment", LP_SCOPE_LIFETIME}, {"funnel", LP_SCOPE_WINDOW},
        {"mql_trend", LP_SCOPE_WINDOW},         {"reverse_funnel", LP_SCOPE_TRAILING},
        {"kpi_months", LP_SCOPE_MONTHS},
        {"coverage", LP_SCOPE_AT_END},
    };
    for (size_t i = 0; table && i < sizeof scopes / sizeof scopes[0]; i++)
        if (strcmp(scopes[i].table, table) == 0) return scopes[i].scope;
    return LP_SCOPE_PERIOD;
}
