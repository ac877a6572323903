/*
 * format.h: how every number a pack shows is written, for every renderer
 * (narrative sentences, PDF tables and charts, workbook number formats,
 * mail). What a number is (its unit) comes from the figure catalogue
 * (lp/figures.h: lp_result_unit, lp_result_row_unit, lp_figure_def_find);
 * this module only writes it. No renderer formats a number itself.
 *
 * Conventions shared by every lp_fmt_* that writes text:
 *  - each writes into buf (size bytes, always NUL-terminated when size > 0)
 *    and returns buf;
 *  - a value that is NaN or infinite is written "n/a";
 *  - negative values carry a leading "-" ("-$1.2M", "-6 points"); words
 *    for direction ("down 6 points") belong to the sentence, which passes
 *    the magnitude;
 *  - money is in the settings' currency, an ISO code (NULL or "" is USD),
 *    through one currency table: USD "$", EUR the euro sign, GBP the pound
 *    sign, JPY the yen sign, AUD "A$", CAD "CA$", NZD "NZ$", INR the rupee
 *    sign, any other code written before the number with a space
 *    ("CHF 950");
 *  - thousands are grouped with ",", the decimal mark is ".".
 *
 * Two styles:
 *  - lp_fmt_unit, for sentences, KPI tiles, chart labels and compact cells:
 *    counts whole ("38"), money compact ("$9,950" below 10,000, then
 *    "$228K", "$2.3M", "$3.4B"), shares whole percents ("22%", "under 1%",
 *    "over 99%"), points whole ("6 points"), hours in the unit a person
 *    uses ("30 minutes" under an hour, "36 hours" under 48, then "3 days"),
 *    days ("3 days"), ratios "1.4x", p-values to 3 decimals ("0.046",
 *    "<0.001");
 *  - lp_fmt_cell, for full table cells: counts whole ("1,234"), money in
 *    whole units ("$480,510"), shares whole percents ("22%", "<1%", ">99%"),
 *    points to one decimal ("-6.4 pts"), hours and days to one decimal
 *    ("35.7"; the column heading names the unit), ratios "1.4x", p-values
 *    to 3 decimals.
 */
#ifndef LP_FORMAT_H
#define LP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "lp/figures.h"

/* ---- By unit ---- */

/* value in unit, compact, for a sentence or a tile (see above). Values of
 * LP_UNIT_NONE are written as plain numbers: whole when whole, else up to
 * two decimals ("2.5"). currency applies to LP_UNIT_MONEY only. */
char *lp_fmt_unit(lp_unit unit, double value, const char *currency, char *buf, size_t size);

/* value in unit, in full, for a table cell (see above). */
char *lp_fmt_cell(lp_unit unit, double value, const char *currency, char *buf, size_t size);

/* An interval in words: "95% interval 56% to 84%" (level 0.95, shares).
 * low and high are written with lp_fmt_unit; a level that is not in (0, 1)
 * leaves the level out ("interval 56% to 84%"); a low or high that is NaN
 * gives "no interval". */
char *lp_fmt_interval(lp_unit unit, double low, double high, double level,
                      const char *currency, char *buf, size_t size);

/* A value axis tick: lp_fmt_unit's style, with as many decimals as ticks
 * step apart need ("$1.05M", "2.5%", "12 h" for hours, counts "1,250").
 * step is the distance between ticks (> 0; otherwise as lp_fmt_unit). */
char *lp_fmt_tick(lp_unit unit, double value, double step, const char *currency, char *buf,
                  size_t size);

/* ---- Workbooks ---- */

/* The Excel number format for cells of unit: counts "#,##0", money the
 * currency symbol and "#,##0" ("\"$\"#,##0", "\"CHF \"#,##0"), shares "0%",
 * points "+0\" pts\";-0\" pts\";0\" pts\"", hours "0.0", days "0.0",
 * ratios "0.0\"x\"", p-values "0.000"; NULL for LP_UNIT_NONE (Excel's
 * General). The text is static, except for a currency outside the table,
 * whose format is kept in a per-thread buffer valid until this thread's
 * next call. */
const char *lp_fmt_excel(lp_unit unit, const char *currency);

/* The number a workbook cell of unit holds: value itself, except points,
 * which a number format cannot scale without a percent sign: a points cell
 * holds value x 100 (a change from 0.50 to 0.44 is -6, shown "-6 pts"). */
double lp_fmt_excel_value(lp_unit unit, double value);

/* ---- By kind (the narrative's own calls; lp_fmt_unit uses them) ---- */

/* "1,234"; a count holding a fraction of at least 0.05 (attribution
 * credits) keeps one decimal ("12.5"). lp_fmt_unit rounds counts whole. */
char *lp_fmt_count(double value, char *buf, size_t size);
/* Compact money: "$9,950", "$450K", "$1.2M", "$3.4B". */
char *lp_fmt_money(double value, const char *currency, char *buf, size_t size);
/* A share in 0..1 as a whole percent: "87%", "under 1%", "over 99%". */
char *lp_fmt_rate(double rate, char *buf, size_t size);
/* Hours as a person says them: "45 minutes", "1 hour", "36 hours", "2 days";
 * "under a minute" below half a minute. */
char *lp_fmt_hours(double hours, char *buf, size_t size);
/* Whole days: "1 day", "12 days". */
char *lp_fmt_days(double days, char *buf, size_t size);
/* An instant's date in the report time zone: "16 November 2026". */
char *lp_fmt_date(int64_t instant, char *buf, size_t size);
/* "16 November". */
char *lp_fmt_day_month(int64_t instant, char *buf, size_t size);

#endif
