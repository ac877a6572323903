/*
 * results.h: the one result set a run produces.
 *
 * The measures fill it; every renderer (results files, narrative, workbook,
 * PDF, mail) only reads it, so no two outputs can disagree. A result set is a
 * list of named tables (lp_table, the column store) plus the run's context.
 * In result tables a null value means "does not exist" (a rate over zero, a
 * quantile not reached) and is written as an empty field.
 *
 * Result tables and their columns (name: columns). The first seven are the
 * results files of METRICS.md, written verbatim as results/NAME.csv; the
 * rest are extra tables that renderers and results/ may also use.
 *
 *  headline:      measure S, period S, value D, low D, high D
 *                 (every measure of METRICS.md x the 13 periods of the window,
 *                  periods oldest first)
 *  campaigns:     campaign_id S, name S, touches I, responders I, response_rate D,
 *                 leads_created I, mqls D, sqls D, opportunities D, pipeline D,
 *                 won D, cost D, cost_per_lead D, cost_per_mql D,
 *                 cost_per_opportunity D, return D          (configured model)
 *  sla_by_owner:  owner_id S, team S, eligible I, within I, compliance D,
 *                 median_hours D, p90_hours D, untouched I, pending I
 *  breaches:      lead_id S, owner_id S, team S, mql_at T, first_touch_at T,
 *                 hours_late D
 *  funnel:        step S, reached I, rate D, low D, high D
 *  routing:       team S, mqls I, won I, rate D, low D, high D
 *  forecast:      period S, mql_forecast D, low D, high D
 *
 *  Types: S string, I int64, D double, T instant. Further tables (added by the
 *  measures, documented in measures.h): breakdowns, attribution by model,
 *  SLA by team and partner, Kaplan-Meier curves, changes, findings, detail
 *  rows for the workbook.
 */
#ifndef LP_RESULTS_H
#define LP_RESULTS_H

#include "lp/model.h"
#include "lp/settings.h"

typedef struct lp_results {
    lp_table **tables;        /* owned, in insertion order */
    size_t ntables;
    size_t tables_cap;
    int64_t as_of;            /* instant the figures are true at */
    lp_calendar calendar;     /* period kind of P */
    int64_t period;           /* ordinal of P */
    int64_t window_first;     /* ordinal of the first of the 13 window periods */
    char period_label[24];    /* e.g. "2026-W47" */
    const lp_settings *settings;  /* borrowed: the settings the run used */
    const lp_dataset *dataset;    /* borrowed: loaded data (for detail sheets and quality) */
    lp_table *record_keys;        /* owned, or NULL: the keys behind the count figures
                                     (lp_measures_options.record_keys, lp/measures.h) */
} lp_results;

lp_results *lp_results_new(void);
/* Frees the result tables and record_keys (not the borrowed settings and
 * dataset). */
void lp_results_free(lp_results *results);
/* Adds a table; the result set takes ownership, also on failure.
 * LP_ERR_USAGE when a table of that name exists. */
lp_status lp_results_add(lp_results *results, lp_table *table);
/* Table by name (borrowed), or NULL. */
lp_table *lp_results_table(const lp_results *results, const char *name);

#endif
