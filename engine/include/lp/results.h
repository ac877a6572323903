/*
 * results.h: the one result set a run produces.
 *
 * The measures fill it; every renderer (results files, narrative, workbook,
 * PDF, mail) only reads it, so no two outputs can disagree. A result set is a
 * list of named tables (lp_table, the column store) plus the run's context.
 * In result tables a null value means "does not exist" (a rate over zero, a
 * quantile not reached) and is written as an empty field.
 *
 * The result tables and their columns are listed once, in the result
 * catalogue (lp_result_tables, lp/figures.h); measures.h says what their
 * rows mean.
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
