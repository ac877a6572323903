/*
 * figures.h: the figure catalogue, the one place that says what a published
 * number means.
 *
 * A figure is a number the pack states: the MQL count of P, a team's median
 * hours to first touch, a campaign's lifetime MQLs. Its meaning is decided
 * here, once, in the engine: its unit, its scope, its base (the count a
 * share is of), its interval and the interval's level, its target (resolved
 * by one rule, templates/DEFINITIONS.md "Targets"), and its comparison with
 * the previous period (previous value, compared as of when, test, p-value
 * and verdict). Renderers (narrative, PDF, charts, workbook, mail, results
 * files) read these and derive nothing.
 *
 * Four parts:
 *  - the result catalogue: every result table, every column of it in
 *    order, its type and unit (lp_result_tables, lp_result_unit): how a
 *    cell is formatted is a property of the column, never guessed from its
 *    name in a renderer, and a template names only what is listed;
 *  - figure definitions (lp_figure_def), static, one per figure id;
 *  - the records behind each headline figure (lp_figure_records): which
 *    detail rows it counts or adds up, so that renderers and ledgers reach
 *    them without a list of figure names of their own;
 *  - the "figures" result table, built by lp_measures_compute for P: one row
 *    per headline figure with everything above resolved (lp_figure_get
 *    reads a row back as an lp_figure).
 */
#ifndef LP_FIGURES_H
#define LP_FIGURES_H

#include "lp/results.h"

/* What a number counts or measures. */
typedef enum lp_unit {
    LP_UNIT_NONE = 0, /* not a number (text, id, instant, yes/no): shown by type */
    LP_UNIT_COUNT,    /* things: leads, deals (attribution credits may be fractional) */
    LP_UNIT_MONEY,    /* an amount in the settings' currency */
    LP_UNIT_SHARE,    /* a proportion in 0..1, shown as a whole percent */
    LP_UNIT_POINTS,   /* a difference of two shares, in 0..1 units, shown in
                         percentage points ("down 6 points") */
    LP_UNIT_HOURS,    /* a duration in hours */
    LP_UNIT_DAYS,     /* a duration in days */
    LP_UNIT_RATIO,    /* a plain multiple: pipeline coverage, "1.4x" */
    LP_UNIT_PVALUE    /* a probability of a test, 0..1, shown to 3 decimals */
} lp_unit;

/* The unit's name as written in results files: "count", "money", "share",
 * "points", "hours", "days", "ratio", "p_value"; "" for none. */
const char *lp_unit_name(lp_unit unit);

/* The unit written in a results file's `unit` column: lp_unit_name, except
 * money, which is the ISO currency code ("USD"). currency may be NULL
 * ("USD"). */
const char *lp_unit_label(lp_unit unit, const char *currency);

/* ---- The result catalogue ---- */

/* One column of a result table. */
typedef struct lp_result_column_def {
    const char *name;   /* column name, as in results/TABLE.csv's header */
    lp_type type;       /* LP_TYPE_STRING, _INT64, _DOUBLE, _BOOL or _INSTANT */
    lp_unit unit;       /* LP_UNIT_NONE for text, ids, instants and flags, for a
                           number whose unit is its row's (unit_by_row), and for
                           a plain number (findings' effect) */
    bool unit_by_row;   /* the unit differs row by row: the row's figure's
                           (lp_result_row_unit) */
} lp_result_column_def;

/* One result table: its name and its columns in order. */
typedef struct lp_result_table_def {
    const char *name;                      /* table name, results/NAME.csv */
    const lp_result_column_def *columns;   /* in table order */
    size_t ncolumns;
} lp_result_table_def;

/* The result catalogue: every table lp_measures_compute can produce, in the
 * order it adds them to the result set, each with every column it has, in
 * order, with type and unit. This is the one list of result tables and
 * columns; measures.h says what the rows mean. A run adds every table
 * listed, in this order, each with exactly the columns listed, and nothing
 * else (tests/engine/test_result_catalogue.c holds the measures to this on
 * the sample and the tiny fixture).
 * Tables that reports/ writes itself (results/statements.csv,
 * results/rejects.csv) are not result tables and are not listed.
 * *out_n receives the count; the array is static. */
const lp_result_table_def *lp_result_tables(size_t *out_n);

/* The catalogue's table of that name, or NULL (also for NULL). */
const lp_result_table_def *lp_result_table_find(const char *table);

/* The catalogue's column of that table and name, or NULL. */
const lp_result_column_def *lp_result_column_find(const char *table, const char *column);

/* true when the catalogue lists the table and, unless column is NULL, the
 * column in it: what a template may name in `table:` and `columns:`. */
bool lp_result_has_column(const char *table, const char *column);

/* Unit of a result table's column (lp_result_column_find's unit). For a
 * column whose unit differs row by row (headline, changes, findings,
 * figures, targets: unit_by_row), lp_result_row_unit says. LP_UNIT_NONE for
 * text, ids, instants and flags, and for a table or column the catalogue
 * does not know. */
lp_unit lp_result_unit(const char *table, const char *column);

/* Unit of row `row` of a result table: the column's unit, or for a
 * unit_by_row column the unit of the figure the row is about (its `unit`
 * column, else its `measure` or `figure` column's definition). A table
 * outside the catalogue (results/statements.csv) is read the same way in
 * its value, low, high, previous, current, change, target, actual and base
 * columns (and restatements' published and now). low, high, previous,
 * change, target, actual, published and now take the value's unit; a change of a share is LP_UNIT_POINTS. */
lp_unit lp_result_row_unit(const lp_table *table, const char *column, size_t row);

/* ---- Definitions ---- */

/* Over what time a figure counts. */
typedef enum lp_scope {
    LP_SCOPE_PERIOD = 0,  /* events in P ("this week") */
    LP_SCOPE_AT_END,      /* standing at min(end of P, as-of) (open pipeline) */
    LP_SCOPE_LIFETIME,    /* every record up to as-of (campaign totals, routing) */
    LP_SCOPE_TRAILING,    /* the four quarters before as-of (reverse funnel) */
    LP_SCOPE_WINDOW,      /* P and the 12 periods before it (funnel cohort, trend) */
    LP_SCOPE_MONTHS       /* the 12 calendar months ending with the one holding the end of P */
} lp_scope;

/* "period", "at_end", "lifetime", "trailing_4_quarters", "window". */
const char *lp_scope_name(lp_scope scope);

/* Scope of a result table's rows: campaigns, attribution, campaign_tests,
 * routing and routing_by_segment are lifetime; funnel and mql_trend the
 * window; reverse_funnel the trailing four quarters; coverage at the end
 * of P; every other table (and NULL) the period P. */
lp_scope lp_result_scope(const char *table);

/* What the comparison with the previous period concluded. */
typedef enum lp_verdict {
    LP_VERDICT_NONE = 0,  /* no previous value, or the figure is not compared */
    LP_VERDICT_UNTESTED,  /* compared, but no test applies (money, durations) */
    LP_VERDICT_REAL,      /* the test passed at 5% */
    LP_VERDICT_NOISE,     /* tested, within normal variation */
    LP_VERDICT_TOO_EARLY  /* a maturing rate with no fair comparison yet */
} lp_verdict;

/* "", "untested", "real", "noise", "too_early". */
const char *lp_verdict_name(lp_verdict verdict);

typedef struct lp_figure_def {
    const char *id;             /* stable id, e.g. "mql_count" (a headline measure) */
    const char *label;          /* short label for people, "Qualified leads (MQLs)" */
    lp_unit unit;
    lp_scope scope;
    const char *base;           /* id of the figure that is its base (a share's
                                   denominator, a median's population), or NULL */
    double level;               /* interval level (0.95), 0 when no interval */
    const char *target_measure; /* measure name in the targets export ("mql"),
                                   or NULL when targets never apply */
    bool maturing;              /* a rate whose cohort keeps maturing after P:
                                   compared at the same age (templates/DEFINITIONS.md) */
    bool higher_is_better;      /* for target status and the direction words */
} lp_figure_def;

/* Definition of a figure id, or NULL. */
const lp_figure_def *lp_figure_def_find(const char *id);
/* Every definition, in catalogue order; *out_n receives the count. */
const lp_figure_def *lp_figure_defs(size_t *out_n);

/* The figures of the first page's tiles, in order (NULL-terminated). */
const char *const *lp_figure_kpis(void);

/* ---- The records behind a figure ---- */

/* The measures of templates/DEFINITIONS.md (1 to 5), by the name their
 * template sections carry. */
typedef enum lp_topic {
    LP_TOPIC_NONE = 0,
    LP_TOPIC_VOLUME,     /* 1. Qualified lead volume */
    LP_TOPIC_CAMPAIGNS,  /* 2. Campaign effectiveness */
    LP_TOPIC_PIPELINE,   /* 3. Inbound-sourced pipeline */
    LP_TOPIC_SLA,        /* 4. Response to qualified leads */
    LP_TOPIC_WON         /* 5. Closed business from inbound */
} lp_topic;

/* "", "volume", "campaigns", "pipeline", "sla", "won". */
const char *lp_topic_name(lp_topic topic);

/* Which rows of a detail table are a figure's records. */
typedef enum lp_record_test {
    LP_ROWS_ALL = 0,  /* every row */
    LP_ROWS_TRUE,     /* the flag column is true */
    LP_ROWS_FALSE,    /* the flag column is false */
    LP_ROWS_SET,      /* the column is not null (an instant that happened) */
    LP_ROWS_BLANK     /* the column is null */
} lp_record_test;

/* How a figure's value for P follows from its records. */
typedef enum lp_records_rule {
    LP_RECORDS_DRAWN = 0, /* drawn from them by a statistic no count or sum gives
                             (a Kaplan-Meier median, a share of a subset no
                             column marks): the records are shown, not added */
    LP_RECORDS_COUNT,     /* the number of records */
    LP_RECORDS_SUM,       /* the sum of sum_column over the records */
    LP_RECORDS_RATIO,     /* a numerator over den's value; the numerator is
                             num's value, or with num NULL the number of
                             records */
    LP_RECORDS_SHARE      /* the number of records over the number of rows
                             in scope (the whole table, or the rows whose
                             scope_column is scope_value): a share whose base
                             no headline figure counts */
} lp_records_rule;

/* Where the records behind a headline figure are, and how the figure
 * follows from them: the workbook writes a figure as a formula over its
 * records, and a ledger of record keys per count reads the same. table
 * holds P's records; the previous period's are in previous_table (by
 * default TABLE_previous), read by previous_column where one table holds
 * both periods. A maturing share's previous value is compared as it stood
 * at compared_as_of (lp_figure): then only the previous rows whose aged
 * instants are all at or before that moment count, in the numerator and
 * the base alike. */
typedef struct lp_figure_records {
    const char *figure;       /* figure id (lp_figure_def_find) */
    lp_topic breakdown;       /* the measure whose result tables break the figure
                                 down by key (volume_by_*, pipeline_by_*,
                                 sla_by_*, won_by_*); LP_TOPIC_NONE: none does */
    const char *table;        /* detail result table holding its records
                                 (detail_mqls, detail_sqls, detail_followups,
                                 detail_inbound_opportunities,
                                 detail_open_inbound_pipeline,
                                 detail_inbound_wins, detail_closed), or NULL
                                 when no detail table holds them (rule then
                                 LP_RECORDS_DRAWN, column NULL) */
    const char *column;       /* the column test reads; NULL for LP_ROWS_ALL */
    lp_record_test test;      /* which rows of table are its records (of a ratio:
                                 the numerator's) */
    lp_records_rule rule;
    const char *sum_column;   /* LP_RECORDS_SUM: the column of table added */
    const char *num, *den;    /* LP_RECORDS_RATIO: figure ids of the numerator
                                 (NULL: the records' count) and the denominator */
    const char *scope_column; /* with scope_value, the only rows of table the
                                 figure is about (text equal, case-insensitively:
                                 channel "inbound"); NULL: every row. Of a
                                 LP_RECORDS_SHARE, its base */
    const char *scope_value;
    const char *previous_table;  /* the previous period's records; NULL: table
                                    with "_previous" appended */
    const char *previous_column; /* the column test reads in previous_table;
                                    NULL: column */
    const char *aged[2];      /* a maturing LP_RECORDS_SHARE: instant columns
                                 that must be at or before compared_as_of for a
                                 previous row to count (NULL: unused) */
} lp_figure_records;

/* The records behind a figure, or NULL when the figure has none. Static. */
const lp_figure_records *lp_figure_records_find(const char *figure);

/* Every entry, in headline order; *out_n receives the count. Static. */
const lp_figure_records *lp_figure_records_all(size_t *out_n);

/* ---- Resolved figures for P (the "figures" result table) ---- */

/* Target status of a figure with a target ("on_track", "at_risk",
 * "off_track"; templates/DEFINITIONS.md "Targets"). */
typedef enum lp_target_status {
    LP_TARGET_NONE = 0,   /* no target applies */
    LP_TARGET_ON_TRACK,   /* attainment >= 100% */
    LP_TARGET_AT_RISK,    /* 90% <= attainment < 100% */
    LP_TARGET_OFF_TRACK   /* attainment < 90% */
} lp_target_status;

/* "", "on_track", "at_risk", "off_track". */
const char *lp_target_status_name(lp_target_status status);

/* Status of value against target for a figure (the rule of
 * templates/DEFINITIONS.md "Targets"): attainment value / target (target /
 * value when lower is better); LP_TARGET_NONE when target is not positive
 * or value is NAN. */
lp_target_status lp_figure_target_status(const lp_figure_def *def, double value, double target);

/* A figure as published for P. Doubles are NAN when they do not exist;
 * instants are INT64_MIN when they do not exist. Strings are borrowed from
 * the result set. */
typedef struct lp_figure {
    const lp_figure_def *def;
    const char *period;         /* label of P */
    double value;
    double low, high;           /* interval at def->level */
    double base;                /* size of the base (def->base's value) */
    double target;              /* resolved target, NAN when none */
    double attainment;          /* value / target */
    lp_target_status status;
    double previous;            /* the previous period's value, as compared */
    double change;              /* value - previous (in the value's unit; points
                                   for a share), from the changes table */
    double change_pct;          /* change / previous, a share; NAN from zero */
    int64_t compared_as_of;     /* the instant the previous value is taken at */
    const char *test;           /* "poisson", "two_proportion", "" */
    double p_value;
    lp_verdict verdict;
    bool provisional;           /* still maturing */
    int64_t matures_at;         /* when it stops being provisional */
} lp_figure;

/* The figure id for P from the results' "figures" table. LP_ERR_NOTFOUND
 * when the id is unknown or the results have no row for it. */
lp_status lp_figure_get(const lp_results *results, const char *id, lp_figure *out_figure);

/* Builds the "figures" result table (columns in measures.h) from the
 * headline, changes and targets tables and the settings; called by
 * lp_measures_compute after those tables exist. */
lp_status lp_figures_build(lp_results *results);

#endif
