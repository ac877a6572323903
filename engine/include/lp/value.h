/*
 * value.h: reading one typed value out of the text of a CSV field.
 *
 * Every parser takes the bytes s[0..len) (need not be NUL-terminated),
 * ignores leading and trailing white space (space, tab, CR, LF, UTF-8
 * no-break space), never allocates, and returns true with the value in
 * *out_* or false (leaving *out_* unchanged) when the text is not a value of
 * that kind. Empty text is false for every kind; the loader treats it as a
 * null before calling these. All are thread-safe (lp_tz_set must not run at
 * the same time).
 */
#ifndef LP_VALUE_H
#define LP_VALUE_H

#include "lp/lp.h"

/* Order of the parts of a slashed or dashed date with a short first part
 * (11/20/2026). A four-digit first part is always year-month-day, and a
 * dotted date (20.11.2026) is always day-month-year. */
typedef enum lp_date_order {
    LP_DATE_MDY,   /* 11/20/2026, the default (US exports) */
    LP_DATE_DMY,   /* 20/11/2026 */
    LP_DATE_YMD    /* 2026/11/20; short-first dates fall back to month-first */
} lp_date_order;

/* "mdy", "dmy" or "ymd" (case-insensitive) to an order; an empty or NULL
 * string is LP_DATE_MDY. false for anything else. */
bool lp_date_order_parse(const char *text, lp_date_order *out_order);

/* The bounds of s[0..len) without surrounding white space: returns the
 * trimmed length and writes its first byte to *out_start. */
size_t lp_value_trim(const char *s, size_t len, const char **out_start);

/* true/false, t/f, yes/no, y/n, 1/0, case-insensitive. */
bool lp_value_parse_bool(const char *s, size_t len, bool *out_value);

/* A decimal number as exports write money and counts:
 *  - sign "-" or "+", or accounting parentheses "(1,234)" for negative;
 *  - a currency symbol ($ EUR-sign GBP-sign YEN-sign INR-sign) or a
 *    three-letter upper-case code (USD, EUR) before or after, with or without
 *    a space: "$1,234.50", "1.234,50 EUR", "-$5", "USD 7";
 *  - digit grouping with the other separator, a space, a no-break space or
 *    an apostrophe: groups after the first must have exactly three digits;
 *  - scientific notation "1.5e3".
 * The decimal separator is "," when decimal_comma, else ".". A text holding
 * both "." and "," takes the last one as decimal separator whatever the
 * setting ("1,234.50" is 1234.5 even with decimal_comma). A single separator
 * of the other kind that cannot be digit grouping ("1234.5" with
 * decimal_comma, "0,5" without) is taken as the decimal separator.
 * Plain integers and decimals up to 18 significant digits are converted
 * exactly without strtod. */
bool lp_value_parse_number(const char *s, size_t len, bool decimal_comma, double *out_value);

/* A whole number: plain digits with an optional sign (fast path), or any
 * text lp_value_parse_number reads whose value is integral and fits in
 * int64 ("1,200", "1.2e3"). "12.5" is false. */
bool lp_value_parse_int64(const char *s, size_t len, bool decimal_comma, int64_t *out_value);

/* A civil date as int32 days since 1970-01-01. Forms:
 *  - 2026-11-20, 2026/11/20, 2026.11.20 (year first, always);
 *  - 11/20/2026, 11-20-2026 (order decides: mdy or dmy), 20.11.2026 (dmy);
 *    a two-digit year yy is 20yy when yy < 70, else 19yy;
 *  - 20261120 (eight digits, year 1900..2199);
 *  - an Excel serial day number (46345, or 46345.5 whose fraction is the
 *    time of day and is dropped here), serial 1 = 1900-01-01, keeping
 *    Excel's phantom 1900-02-29 as serial 60 (an error here);
 *  - any instant form of lp_value_parse_instant: without an offset its
 *    civil date is kept; with an offset, the date in the report time zone.
 * Impossible dates (2026-02-30, month 13) are false. */
bool lp_value_parse_date(const char *s, size_t len, lp_date_order order, int32_t *out_days);

/* An instant as int64 seconds since the epoch (UTC). Forms: any date form
 * above (meaning 00:00 local), followed by 'T' or spaces and a time
 *   h:mm, hh:mm:ss, hh:mm:ss.fff (fraction truncated), with optional
 *   " AM"/" PM" (then hour 1..12),
 * and an optional offset: Z, UTC, GMT, +hh:mm, +hhmm, +hh (|hh| <= 14,
 * mm <= 59). Without an offset the time is local to the report time zone
 * (lp_local_to_instant). A plain 10-digit integer is Unix seconds and a
 * 13-digit one Unix milliseconds; an Excel serial with a fraction gives the
 * local time of day (46345.5 is 12:00). Hours above 23, minutes or seconds
 * above 59 and impossible offsets (+25:00) are false. */
bool lp_value_parse_instant(const char *s, size_t len, lp_date_order order, int64_t *out_instant);

#endif
