/*
 * format.c: numbers for people (narrative.h). These are units, not wording:
 * the sentences around them come from templates/wording.yaml.
 */
#include "lp/narrative.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lp/time.h"

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};

static char *not_available(char *buf, size_t size)
{
    snprintf(buf, size, "n/a");
    return buf;
}

/* Writes a non-negative whole number with thousands separators. */
static void group_digits(double whole, char *buf, size_t size)
{
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", whole);
    size_t n = strlen(digits), used = 0;
    for (size_t i = 0; i < n && used + 2 < size; i++) {
        buf[used++] = digits[i];
        size_t left = n - i - 1;
        if (left && left % 3 == 0) buf[used++] = ',';
    }
    buf[used < size ? used : size - 1] = '\0';
}

char *lp_fmt_count(double value, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    double a = fabs(value);
    char grouped[64];
    double whole = round(a);
    bool fraction = fabs(a - whole) >= 0.05;
    if (fraction) {
        double tenths = round(a * 10.0);
        whole = floor(tenths / 10.0);
        group_digits(whole, grouped, sizeof grouped);
        int tenth = (int)(tenths - whole * 10.0);
        snprintf(buf, size, "%s%s.%d", value < 0 ? "-" : "", grouped, tenth);
        return buf;
    }
    group_digits(whole, grouped, sizeof grouped);
    snprintf(buf, size, "%s%s", value < 0 && whole > 0 ? "-" : "", grouped);
    return buf;
}

static void currency_affixes(const char *currency, char *prefix, size_t size)
{
    static const struct { const char *code, *symbol; } symbols[] = {
        {"USD", "$"}, {"EUR", "\u20ac"}, {"GBP", "\u00a3"}, {"JPY", "\u00a5"},
        {"AUD", "A$"}, {"CAD", "CA$"}, {"NZD", "NZ$"}, {"INR", "\u20b9"}};
    if (!currency || !*currency) currency = "USD";
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (strcmp(symbols[i].code, currency) == 0) {
            snprintf(prefix, size, "%s", symbols[i].symbol);
            return;
        }
    }
    snprintf(prefix, size, "%s ", currency);
}

/* One decimal, without a trailing ".0". */
static void one_decimal(double v, char *buf, size_t size)
{
    double tenths = round(v * 10.0);
    if (fmod(tenths, 10.0) == 0.0) snprintf(buf, size, "%.0f", tenths / 10.0);
    else snprintf(buf, size, "%.1f", tenths / 10.0);
}

char *lp_fmt_money(double value, const char *currency, char *buf, size_t size)
{
    if (!isfinite(value)) return not_available(buf, size);
    char prefix[16], number[64];
    currency_affixes(currency, prefix, sizeof prefix);
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
        char billions[48];
        one_decimal(a / 1e9, billions, sizeof billions);
        snprintf(number, sizeof number, "%s", billions);
        suffix = "B";
    }
    bool negative = value < 0 && strcmp(number, "0") != 0;
    snprintf(buf, size, "%s%s%s%s", negative ? "-" : "", prefix, number, suffix);
    return buf;
}

char *lp_fmt_rate(double rate, char *buf, size_t size)
{
    if (!isfinite(rate)) return not_available(buf, size);
    if (rate > 0 && rate < 0.005) snprintf(buf, size, "under 1%%");
    else if (rate >= 0.995 && rate < 1.0) snprintf(buf, size, "over 99%%");
    else {
        double percent = round(rate * 100.0);
        snprintf(buf, size, "%.0f%%", percent == 0.0 ? 0.0 : percent);
    }
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
    char grouped[64];
    group_digits(whole, grouped, sizeof grouped);
    snprintf(buf, size, "%s%s day%s", days < 0 && whole > 0 ? "-" : "", grouped,
             whole == 1.0 ? "" : "s");
    return buf;
}

char *lp_fmt_date(int64_t instant, char *buf, size_t size)
{
    int64_t y;
    int m, d;
    lp_instant_to_local(instant, &y, &m, &d, NULL, NULL, NULL);
    snprintf(buf, size, "%d %s %lld", d, month_names[m - 1], (long long)y);
    return buf;
}

char *lp_fmt_day_month(int64_t instant, char *buf, size_t size)
{
    int64_t y;
    int m, d;
    lp_instant_to_local(instant, &y, &m, &d, NULL, NULL, NULL);
    snprintf(buf, size, "%d %s", d, month_names[m - 1]);
    return buf;
}
