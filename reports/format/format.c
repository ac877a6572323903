/*
 * format.c: numbers for people (format.h), for every renderer. These are
 * units, not wording: the sentences around them come from
 * templates/wording.yaml. One currency table, one rounding rule per unit.
 */
#include "lp/format.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lp/time.h"

/* The one currency table: ISO code, the symbol written before an amount in
 * text, and the same symbol as an Excel number format. Codes not listed are
 * written as "CODE 950" and "\"CODE \"#,##0". */
static const struct {
    const char *code, *symbol, *excel;
} currencies[] = {
    {"USD", "$", "\"$\"#,##0"},
    {"EUR", "\u20ac", "\"\u20ac\"#,##0"},
    {"GBP", "\u00a3", "\"\u00a3\"#,##0"},
    {"JPY", "\u00a5", "\"\u00a5\"#,##0"},
    {"AUD", "A$", "\"A$\"#,##0"},
    {"CAD", "CA$", "\"CA$\"#,##0"},
    {"NZD", "NZ$", "\"NZ$\"#,##0"},
    {"INR", "\u20b9", "\"\u20b9\"#,##0"},
};
#define NCURRENCIES (sizeof currencies / sizeof currencies[0])

static char *not_available(char *buf, size_t size)
{
    snprintf(buf, size, "n/a");
    return buf;
}

/* The currency's code, upper-cased, letters and digits only (at most 7), so
 * that no setting can put quotes into an Excel format; "USD" when empty. */
static void currency_code(const char *currency, char *code, size_t size)
{
    size_t n = 0;
    for (const char *p = currency ? currency : ""; *p && n + 1 < size && n < 7; p++)
        if (isalnum((unsigned char)*p)) code[n++] = (char)toupper((unsigned char)*p);
    code[n] = '\0';
    if (n == 0) snprintf(code, size, "USD");
}

/* What is written before an amount: "$", or "CHF " for a code not listed. */
static void currency_prefix(const char *currency, char *prefix, size_t size)
{
    char code[8];
    currency_code(currency, code, sizeof code);
    for (size_t i = 0; i < NCURRENCIES; i++)
        if (strcmp(currencies[i].code, code) == 0) {
            snprintf(prefix, size, "%s", currencies[i].symbol);
            return;
        }
    snprintf(prefix, size, "%s ", code);
}

/* |value| with `decimals` decimals and thousands separators, with a "-" in
 * front when negative and not written as zero (no "-0"). */
static void grouped(double value, int decimals, char *buf, size_t size)
{
    char digits[96];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(value));
    bool zero = strspn(digits, "0.") == strlen(digits);
    const char *dot = strchr(digits, '.');
    size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
    char out[160];
    size_t o = 0;
    if (value < 0 && !zero) out[o++] = '-';
    for (size_t i = 0; i < int_len && o + 2 < sizeof out; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, sizeof out - o, "%s", dot ? dot : "");
    snprintf(buf, size, "%s", out);
}

/* Writes a non-negative whole number with thousands separators. */
static void group_digits(double whole, char *buf, size_t size)
{
    grouped(fabs(whole), 0, buf, size);
}

/* One decimal, without a trailing ".0". */
static void one_decimal(double v, char *buf, size_t size)
{
    double tenths = round(v * 10.0);
    if (fmod(tenths, 10.0) == 0.0) grouped(tenths / 10.0, 0, buf, size);
    else grouped(tenths / 10.0, 1, buf, size);
}

/* A number of no known unit: whole when whole, else up to two decimals. */
static char *plain_number(double value, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    double hundredths = round(value * 100.0);
    int decimals = fmod(hundredths, 100.0) == 0.0 ? 0 : fmod(hundredths, 10.0) == 0.0 ? 1 : 2;
    grouped(value, decimals, buf, size);
    return buf;
}

char *lp_fmt_count(double value, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    double a = fabs(value);
    char grouped_digits[64];
    double whole = round(a);
    bool fraction = fabs(a - whole) >= 0.05;
    if (fraction) {
        double tenths = round(a * 10.0);
        whole = floor(tenths / 10.0);
        group_digits(whole, grouped_digits, sizeof grouped_digits);
        int tenth = (int)(tenths - whole * 10.0);
        snprintf(buf, size, "%s%s.%d", value < 0 ? "-" : "", grouped_digits, tenth);
        return buf;
    }
    group_digits(whole, grouped_digits, sizeof grouped_digits);
    snprintf(buf, size, "%s%s", value < 0 && whole > 0 ? "-" : "", grouped_digits);
    return buf;
}

/* A count rounded to a whole number (half away from zero). */
static char *whole_count(double value, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    grouped(round(value), 0, buf, size);
    return buf;
}

char *lp_fmt_money(double value, const char *currency, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    char prefix[16], number[64];
    currency_prefix(currency, prefix, sizeof prefix);
    double a = fabs(value);
    const char *suffix = "";
    if (round(a) < 10000.0) {
        group_digits(round(a), number, sizeof number);
    } else if (round(a / 1000.0) < 1000.0) {
        snprintf(number, sizeof number, "%.0f", round(a / 1000.0));
        suffix = "K";
    } else if (round(a / 1e5) < 10000.0) {
        one_decimal(a / 1e6, number, sizeof number);
        suffix = "M";
    } else {
        one_decimal(a / 1e9, number, sizeof number);
        suffix = "B";
    }
    bool negative = value < 0 && strcmp(number, "0") != 0;
    snprintf(buf, size, "%s%s%s%s", negative ? "-" : "", prefix, number, suffix);
    return buf;
}

/* Money in whole units, in full: "$480,510", "-$1,200", "CHF 950". */
static char *money_cell(double value, const char *currency, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    char prefix[16], number[64];
    currency_prefix(currency, prefix, sizeof prefix);
    group_digits(round(fabs(value)), number, sizeof number);
    bool negative = value < 0 && strcmp(number, "0") != 0;
    snprintf(buf, size, "%s%s%s", negative ? "-" : "", prefix, number);
    return buf;
}

/* A share as a whole percent; the edges say "under 1%" / "over 99%" in
 * words, or "<1%" / ">99%" in a cell, so that 0.3% never reads as none and
 * 99.6% never as all. */
static char *share_text(double rate, bool cell, char *buf, size_t size)
{
    if (!isfinite(rate)) return not_available(buf, size);
    if (rate > 0 && rate < 0.005) {
        snprintf(buf, size, "%s", cell ? "<1%" : "under 1%");
    } else if (rate >= 0.995 && rate < 1.0) {
        snprintf(buf, size, "%s", cell ? ">99%" : "over 99%");
    } else {
        char number[64];
        grouped(round(rate * 100.0), 0, number, sizeof number);
        snprintf(buf, size, "%s%%", number);
    }
    return buf;
}

char *lp_fmt_rate(double rate, char *buf, size_t size)
{
    return share_text(rate, false, buf, size);
}

/* A difference of two shares in whole percentage points: "6 points",
 * "-1 point", "under 1 point" (the sentence says which way). */
static char *points_text(double diff, char *buf, size_t size)
{
    if (!isfinite(diff)) return not_available(buf, size);
    double points = fabs(diff) * 100.0, whole = round(points);
    if (points > 0 && whole < 1.0) {
        snprintf(buf, size, "under 1 point");
        return buf;
    }
    char number[64];
    group_digits(whole, number, sizeof number);
    snprintf(buf, size, "%s%s point%s", diff < 0 && whole > 0 ? "-" : "", number,
             whole == 1.0 ? "" : "s");
    return buf;
}

char *lp_fmt_hours(double hours, char *buf, size_t size)
{
    if (!isfinite(hours)) return not_available(buf, size);
    const char *sign = hours < 0 ? "-" : "";
    double a = fabs(hours);
    double minutes = round(a * 60.0);
    if (minutes < 1.0) snprintf(buf, size, "under a minute");
    else if (minutes < 60.0)
        snprintf(buf, size, "%s%.0f minute%s", sign, minutes, minutes == 1.0 ? "" : "s");
    else if (round(a) < 48.0)
        snprintf(buf, size, "%s%.0f hour%s", sign, round(a), round(a) == 1.0 ? "" : "s");
    else
        return lp_fmt_days(hours / 24.0, buf, size);
    return buf;
}

char *lp_fmt_days(double days, char *buf, size_t size)
{
    if (!isfinite(days)) return not_available(buf, size);
    double whole = round(fabs(days));
    char number[64];
    group_digits(whole, number, sizeof number);
    snprintf(buf, size, "%s%s day%s", days < 0 && whole > 0 ? "-" : "", number,
             whole == 1.0 ? "" : "s");
    return buf;
}

static char *ratio_text(double ratio, char *buf, size_t size)
{
    if (!isfinite(ratio)) return not_available(buf, size);
    char number[64];
    grouped(round(ratio * 10.0) / 10.0, 1, number, sizeof number);
    snprintf(buf, size, "%sx", number);
    return buf;
}

/* A p-value to 3 decimals; below 0.0005 it would read 0.000, which no test
 * gives: "<0.001". */
static char *pvalue_text(double p, char *buf, size_t size)
{
    if (!isfinite(p)) return not_available(buf, size);
    if (p > 0 && p < 0.0005) snprintf(buf, size, "<0.001");
    else snprintf(buf, size, "%.3f", p);
    return buf;
}

/* One decimal with separators, keeping ".0" so a column lines up. */
static char *one_decimal_cell(double value, const char *suffix, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    char number[64];
    grouped(value, 1, number, sizeof number);
    snprintf(buf, size, "%s%s", number, suffix);
    return buf;
}

char *lp_fmt_unit(lp_unit unit, double value, const char *currency, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    switch (unit) {
    case LP_UNIT_COUNT: return whole_count(value, buf, size);
    case LP_UNIT_MONEY: return lp_fmt_money(value, currency, buf, size);
    case LP_UNIT_SHARE: return share_text(value, false, buf, size);
    case LP_UNIT_POINTS: return points_text(value, buf, size);
    case LP_UNIT_HOURS: return lp_fmt_hours(value, buf, size);
    case LP_UNIT_DAYS: return lp_fmt_days(value, buf, size);
    case LP_UNIT_RATIO: return ratio_text(value, buf, size);
    case LP_UNIT_PVALUE: return pvalue_text(value, buf, size);
    case LP_UNIT_NONE: break;
    }
    return plain_number(value, buf, size);
}

char *lp_fmt_cell(lp_unit unit, double value, const char *currency, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    switch (unit) {
    case LP_UNIT_COUNT: return whole_count(value, buf, size);
    case LP_UNIT_MONEY: return money_cell(value, currency, buf, size);
    case LP_UNIT_SHARE: return share_text(value, true, buf, size);
    case LP_UNIT_POINTS:
        return one_decimal_cell(isfinite(value) ? value * 100.0 : value, " pts", buf, size);
    case LP_UNIT_HOURS:
    case LP_UNIT_DAYS: return one_decimal_cell(value, "", buf, size);
    case LP_UNIT_RATIO: return ratio_text(value, buf, size);
    case LP_UNIT_PVALUE: return pvalue_text(value, buf, size);
    case LP_UNIT_NONE: break;
    }
    return plain_number(value, buf, size);
}

char *lp_fmt_interval(lp_unit unit, double low, double high, double level,
                      const char *currency, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    if (!isfinite(low) || !isfinite(high)) {
        snprintf(buf, size, "no interval");
        return buf;
    }
    char lo[64], hi[64], lev[48] = "";
    lp_fmt_unit(unit, low, currency, lo, sizeof lo);
    lp_fmt_unit(unit, high, currency, hi, sizeof hi);
    if (level > 0 && level < 1) {
        char number[32];
        one_decimal(level * 100.0, number, sizeof number);
        snprintf(lev, sizeof lev, "%s%% ", number);
    }
    snprintf(buf, size, "%sinterval %s to %s", lev, lo, hi);
    return buf;
}

/* Decimals that tell apart values `step` apart (0..3). */
static int decimals_for(double step)
{
    if (!(step > 0) || step >= 1) return 0;
    int d = (int)ceil(-log10(step) - 1e-9);
    return d > 3 ? 3 : d;
}

char *lp_fmt_tick(lp_unit unit, double value, double step, const char *currency, char *buf,
                  size_t size)
{
    if (!buf || size == 0) return buf;
    if (!isfinite(value)) return not_available(buf, size);
    if (!(step > 0) || !isfinite(step)) return lp_fmt_unit(unit, value, currency, buf, size);
    char number[96];
    switch (unit) {
    case LP_UNIT_SHARE:
    case LP_UNIT_POINTS:
        grouped(value * 100.0, decimals_for(step * 100.0), number, sizeof number);
        snprintf(buf, size, "%s%s", number, unit == LP_UNIT_SHARE ? "%" : " pts");
        return buf;
    case LP_UNIT_HOURS:
    case LP_UNIT_DAYS:
        grouped(value, decimals_for(step), number, sizeof number);
        snprintf(buf, size, "%s %s", number, unit == LP_UNIT_HOURS ? "h" : "d");
        return buf;
    case LP_UNIT_RATIO:
        grouped(value, decimals_for(step), number, sizeof number);
        snprintf(buf, size, "%sx", number);
        return buf;
    case LP_UNIT_PVALUE: {
        int d = decimals_for(step);
        grouped(value, d > 3 ? d : 3, buf, size);
        return buf;
    }
    case LP_UNIT_MONEY: {
        /* The compact style's scales (whole units below 10,000, then K, M,
         * B), each tick at the scale of its own size or the step. */
        double big = value == 0 ? 0 : fmax(fabs(value), step), scale = 1;
        const char *suffix = "";
        if (big >= 1e9) scale = 1e9, suffix = "B";
        else if (big >= 1e6) scale = 1e6, suffix = "M";
        else if (big >= 1e4) scale = 1e3, suffix = "K";
        char prefix[16];
        currency_prefix(currency, prefix, sizeof prefix);
        grouped(value / scale, decimals_for(step / scale), number, sizeof number);
        bool negative = number[0] == '-';
        snprintf(buf, size, "%s%s%s%s", negative ? "-" : "", prefix, number + negative, suffix);
        return buf;
    }
    case LP_UNIT_COUNT:
    case LP_UNIT_NONE: break;
    }
    grouped(value, decimals_for(step), buf, size);
    return buf;
}

const char *lp_fmt_excel(lp_unit unit, const char *currency)
{
    switch (unit) {
    case LP_UNIT_COUNT: return "#,##0";
    case LP_UNIT_SHARE: return "0%";
    case LP_UNIT_POINTS: return "+0\" pts\";-0\" pts\";0\" pts\"";
    case LP_UNIT_HOURS: return "0.0";
    case LP_UNIT_DAYS: return "0.0";
    case LP_UNIT_RATIO: return "0.0\"x\"";
    case LP_UNIT_PVALUE: return "0.000";
    case LP_UNIT_MONEY: {
        char code[8];
        currency_code(currency, code, sizeof code);
        for (size_t i = 0; i < NCURRENCIES; i++)
            if (strcmp(currencies[i].code, code) == 0) return currencies[i].excel;
        static _Thread_local char other[32];
        snprintf(other, sizeof other, "\"%s \"#,##0", code);
        return other;
    }
    case LP_UNIT_NONE: break;
    }
    return NULL;
}

double lp_fmt_excel_value(lp_unit unit, double value)
{
    return unit == LP_UNIT_POINTS ? value * 100.0 : value;
}

char *lp_fmt_date(int64_t instant, char *buf, size_t size)
{
    int64_t y;
    int m, d;
    lp_instant_to_local(instant, &y, &m, &d, NULL, NULL, NULL);
    snprintf(buf, size, "%d %s %lld", d, lp_month_name(m), (long long)y);
    return buf;
}

char *lp_fmt_day_month(int64_t instant, char *buf, size_t size)
{
    int64_t y;
    int m, d;
    lp_instant_to_local(instant, &y, &m, &d, NULL, NULL, NULL);
    snprintf(buf, size, "%d %s", d, lp_month_name(m));
    return buf;
}
