/*
 * time.h: civil dates, the report time zone, and reporting periods.
 *
 * Instants are int64 seconds since 1970-01-01T00:00:00Z. Dates are int32
 * days since 1970-01-01 in the proleptic Gregorian calendar. The report time
 * zone is one per process (IANA name, from the system zone database): set it
 * once with lp_tz_set before loading.
 */
#ifndef LP_TIME_H
#define LP_TIME_H

#include "lp/lp.h"

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31). */
int64_t lp_days_from_civil(int64_t y, int m, int d);
/* Civil date of a day number. */
void lp_civil_from_days(int64_t days, int64_t *out_y, int *out_m, int *out_d);
/* Floor division of an instant into days (UTC). */
int64_t lp_floor_div(int64_t a, int64_t b);
/* true when y-m-d is a real calendar date. */
bool lp_civil_valid(int64_t y, int m, int d);

/* Sets the report time zone ("UTC", "Europe/Berlin"). LP_ERR_CONFIG when the
 * system zone database has no such zone. Not thread-safe: call at start-up. */
lp_status lp_tz_set(const char *iana_name);
/* The name last set ("UTC" by default). */
const char *lp_tz_name(void);
/* The instant of local civil time y-m-d hh:mm:ss in the report time zone.
 * A time skipped by a daylight-saving jump resolves forward. */
int64_t lp_local_to_instant(int64_t y, int m, int d, int hh, int mm, int ss);
/* Local civil time of an instant in the report time zone. out_* may be NULL. */
void lp_instant_to_local(int64_t instant, int64_t *out_y, int *out_m, int *out_d,
                         int *out_hh, int *out_mm, int *out_ss);
/* The local date (days) of an instant in the report time zone. */
int64_t lp_instant_local_date(int64_t instant);
/* Local midnight of a date, as an instant. */
int64_t lp_date_to_instant(int64_t days);
/* Writes YYYY-MM-DDTHH:MM:SSZ (UTC) into buf (at least 21 bytes). */
void lp_instant_format_utc(int64_t instant, char *buf, size_t size);
/* Parses an ISO 8601 instant (--as-of, $LEADPACK_NOW): YYYY-MM-DD or
 * YYYY-MM-DDTHH:MM[:SS] (a space for the T; optional fraction, ignored)
 * with an optional Z/+hh:mm/+hhmm offset. A text without an offset is
 * local time in the zone tz (an IANA name as lp_tz_set takes; NULL = the
 * report time zone set), resolved forward across a daylight-saving gap.
 * The result depends on text and tz only; the report time zone is the
 * same after the call (not thread-safe, like lp_tz_set). LP_ERR_USAGE when
 * text is malformed, LP_ERR_CONFIG when tz is not a known zone. */
lp_status lp_time_parse_instant(const char *text, const char *tz, int64_t *out_instant);
/* lp_time_parse_instant(s, NULL, out_instant): in the report time zone. */
lp_status lp_instant_parse_iso(const char *s, int64_t *out_instant);

/* ---- Reporting periods ---- */
typedef enum lp_period_kind {
    LP_PERIOD_WEEK,            /* ISO week, Monday 00:00, label 2026-W47 */
    LP_PERIOD_MONTH,           /* label 2026-11 */
    LP_PERIOD_QUARTER,         /* calendar quarter, label 2026-Q4 */
    LP_PERIOD_FISCAL_QUARTER   /* label FY2027-Q2; FY named by the year it ends in */
} lp_period_kind;

typedef struct lp_calendar {
    lp_period_kind kind;
    int fiscal_start_month;    /* 1..12, first month of the fiscal year */
} lp_calendar;

/* Ordinal of the period holding an instant (local time). Ordinals are
 * consecutive integers: ordinal + 1 is the next period. */
int64_t lp_period_of(const lp_calendar *cal, int64_t instant);
/* Instant at which a period starts (its local midnight). */
int64_t lp_period_start(const lp_calendar *cal, int64_t ordinal);
/* Instant at which a period ends (= start of the next). */
int64_t lp_period_end(const lp_calendar *cal, int64_t ordinal);
/* Label of a period into buf (at least 16 bytes). */
void lp_period_label(const lp_calendar *cal, int64_t ordinal, char *buf, size_t size);
/* Parses a label; its form decides the kind (2026-W47, 2026-11, 2026-Q4,
 * FY2027-Q2), which is written into cal->kind. LP_ERR_USAGE when malformed. */
lp_status lp_period_parse(lp_calendar *cal, const char *label, int64_t *out_ordinal);
/* English name of a month 1..12 ("November"); "" outside. */
const char *lp_month_name(int month);
/* "23 November 2026": the local date of an instant, in words. */
void lp_instant_date_words(int64_t instant, char *buf, size_t size);
/* The name of a kind: "week", "month", "quarter", "fiscal-quarter". */
const char *lp_period_kind_name(lp_period_kind kind);
/* The kind a name stands for, the one reading of a period kind in settings,
 * templates and on the command line: the names of lp_period_kind_name, with
 * case and '-', '_' or ' ' not told apart ("Fiscal quarter",
 * "fiscal_quarter"). LP_ERR_USAGE for any other text (out_kind untouched). */
lp_status lp_period_kind_parse(const char *name, lp_period_kind *out_kind);
/* "week, month, quarter, fiscal-quarter": the names, for messages. */
#define LP_PERIOD_KIND_NAMES "week, month, quarter, fiscal-quarter"

/* ---- The report window ---- */

/* The window is the report period P and the 12 periods before it. */
#define LP_WINDOW_PERIODS 13
/* The monthly half of the 6-12 trend on page 1: the calendar months ending
 * with the one holding the end of P (kpi_months). */
#define LP_TREND_MONTHS 12

/* The report window, fixed by a calendar, an as-of instant and an optional
 * period label (templates/DEFINITIONS.md, "Periods"). */
typedef struct lp_window {
    lp_calendar cal;      /* the calendar in force: the kind a period label
                             names, else the given one; fiscal_start_month
                             outside 1..12 taken as 1 */
    int64_t as_of;        /* the as-of instant given */
    int64_t period;       /* ordinal of P: the label's period, else the last
                             period that ended by as-of */
    int64_t bound[LP_WINDOW_PERIODS + 1]; /* start of each window period,
                             oldest first; bound[LP_WINDOW_PERIODS] = end of P */
    char labels[LP_WINDOW_PERIODS][24];   /* label of each window period */
    int64_t end;          /* E = min(end of P, as_of) */
    int64_t data_start;   /* the earliest instant a figure reads: the start of
                             the window or of the LP_TREND_MONTHS calendar
                             months ending with the one holding E, whichever
                             is first (a warehouse pushdown copies from it) */
} lp_window;

/* Fixes the report window. period_label may be NULL (then P is the period
 * before the one holding as_of). LP_ERR_USAGE when period_label is not a
 * period label (lp_period_parse); out_window is then unspecified. */
lp_status lp_window_compute(const lp_calendar *cal, int64_t as_of, const char *period_label,
                            lp_window *out_window);

#endif
