/*
 * Civil dates, the report time zone and reporting periods (time.h).
 *
 * Civil-date arithmetic follows Howard Hinnant's days_from_civil algorithms,
 * exact over the whole int64 range that matters here. The time zone is the
 * process's TZ, read through the C library from the system zone database;
 * UTC takes a pure-arithmetic fast path.
 */
#define _POSIX_C_SOURCE 200809L
#include "lp/time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char tz_name[128] = "UTC";
static bool tz_is_utc = true;

int64_t lp_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b) { return a - lp_floor_div(a, b) * b; }

int64_t lp_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = lp_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lp_civil_from_days(int64_t z, int64_t *out_y, int *out_m, int *out_d)
{
    z += 719468;
    int64_t era = lp_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (out_y) *out_y = y + (m <= 2);
    if (out_m) *out_m = m;
    if (out_d) *out_d = d;
}

bool lp_civil_valid(int64_t y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
    return d <= max;
}

static bool zone_is_utc(const char *name)
{
    return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
           strcmp(name, "GMT") == 0 || strcmp(name, "Z") == 0;
}

lp_status lp_tz_set(const char *iana_name)
{
    if (!iana_name || !*iana_name || strlen(iana_name) >= sizeof(tz_name) ||
        strstr(iana_name, ".."))
        return LP_ERR_CONFIG;
    bool utc = zone_is_utc(iana_name);
    if (!utc) {
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", iana_name);
        if (access(path, R_OK) != 0) return LP_ERR_CONFIG;
    }
    snprintf(tz_name, sizeof tz_name, "%s", iana_name);
    tz_is_utc = utc;
    setenv("TZ", utc ? "UTC" : iana_name, 1);
    tzset();
    return LP_OK;
}

const char *lp_tz_name(void) { return tz_name; }

int64_t lp_local_to_instant(int64_t y, int m, int d, int hh, int mm, int ss)
{
    int64_t days = lp_days_from_civil(y, m, d);
    int64_t naive = days * 86400 + hh * 3600 + mm * 60 + ss;
    if (tz_is_utc) return naive;
    /* The offset at the naive instant, then corrected once at the result:
     * exact except within a transition, where it resolves forward. */
    struct tm tm;
    time_t t = (time_t)naive;
    localtime_r(&t, &tm);
    int64_t guess = naive - tm.tm_gmtoff;
    t = (time_t)guess;
    localtime_r(&t, &tm);
    return naive - tm.tm_gmtoff;
}

void lp_instant_to_local(int64_t instant, int64_t *out_y, int *out_m, int *out_d,
                         int *out_hh, int *out_mm, int *out_ss)
{
    int64_t local = instant;
    if (!tz_is_utc) {
        struct tm tm;
        time_t t = (time_t)instant;
        localtime_r(&t, &tm);
        local += tm.tm_gmtoff;
    }
    int64_t days = lp_floor_div(local, 86400);
    int64_t secs = local - days * 86400;
    lp_civil_from_days(days, out_y, out_m, out_d);
    if (out_hh) *out_hh = (int)(secs / 3600);
    if (out_mm) *out_mm = (int)(secs / 60 % 60);
    if (out_ss) *out_ss = (int)(secs % 60);
}

int64_t lp_instant_local_date(int64_t instant)
{
    if (tz_is_utc) return lp_floor_div(instant, 86400);
    int64_t y;
    int m, d;
    lp_instant_to_local(instant, &y, &m, &d, NULL, NULL, NULL);
    return lp_days_from_civil(y, m, d);
}

int64_t lp_date_to_instant(int64_t days)
{
    if (tz_is_utc) return days * 86400;
    int64_t y;
    int m, d;
    lp_civil_from_days(days, &y, &m, &d);
    return lp_local_to_instant(y, m, d, 0, 0, 0);
}

void lp_instant_format_utc(int64_t instant, char *buf, size_t size)
{
    int64_t days = lp_floor_div(instant, 86400);
    int64_t secs = instant - days * 86400;
    int64_t y;
    int m, d;
    lp_civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* The fields of an ISO 8601 date or time; has_offset when it names its
 * offset (seconds east of UTC). */
typedef struct iso_fields {
    int y, m, d, hh, mm, ss;
    bool has_offset;
    int offset;
} iso_fields;

static lp_status iso_read(const char *s, iso_fields *out)
{
    const char *p = s;
    int y, m, d, hh = 0, mm = 0, ss = 0;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &m) ||
        *p++ != '-' || !read_digits(&p, 2, &d) || !lp_civil_valid(y, m, d))
        return LP_ERR_USAGE;
    bool has_offset = false;
    int offset = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!read_digits(&p, 2, &hh) || *p++ != ':' || !read_digits(&p, 2, &mm))
            return LP_ERR_USAGE;
        if (*p == ':') {
            p++;
            if (!read_digits(&p, 2, &ss)) return LP_ERR_USAGE;
            if (*p == '.' || *p == ',') {
                p++;
                while (isdigit((unsigned char)*p)) p++;
            }
        }
        if (hh > 23 || mm > 59 || ss > 60) return LP_ERR_USAGE;
        if (*p == 'Z') {
            p++;
            has_offset = true;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (!read_digits(&p, 2, &oh)) return LP_ERR_USAGE;
            if (*p == ':') p++;
            if (*p && !read_digits(&p, 2, &om)) return LP_ERR_USAGE;
            if (oh > 18 || om > 59) return LP_ERR_USAGE;
            offset = sign * (oh * 3600 + om * 60);
            has_offset = true;
        }
    }
    if (*p) return LP_ERR_USAGE;
    *out = (iso_fields){y, m, d, hh, mm, ss, has_offset, offset};
    return LP_OK;
}

/* The result depends on the text and tz alone: an offset or a UTC zone
 * takes pure arithmetic; a local time in another zone than the one set is
 * resolved by setting tz for the conversion and the report zone back
 * after it (the C library reads zones only through TZ). */
lp_status lp_time_parse_instant(const char *text, const char *tz, int64_t *out_instant)
{
    iso_fields f;
    if (!text || iso_read(text, &f) != LP_OK) return LP_ERR_USAGE;
    int64_t naive = lp_days_from_civil(f.y, f.m, f.d) * 86400 + f.hh * 3600 + f.mm * 60 + f.ss;
    if (f.has_offset) {
        *out_instant = naive - f.offset;
        return LP_OK;
    }
    if (!tz || strcmp(tz, tz_name) == 0) {
        *out_instant = lp_local_to_instant(f.y, f.m, f.d, f.hh, f.mm, f.ss);
        return LP_OK;
    }
    if (zone_is_utc(tz)) {
        *out_instant = naive;
        return LP_OK;
    }
    char report_zone[sizeof tz_name];
    snprintf(report_zone, sizeof report_zone, "%s", tz_name);
    if (lp_tz_set(tz) != LP_OK) return LP_ERR_CONFIG;
    *out_instant = lp_local_to_instant(f.y, f.m, f.d, f.hh, f.mm, f.ss);
    lp_tz_set(report_zone);
    return LP_OK;
}

lp_status lp_instant_parse_iso(const char *s, int64_t *out_instant)
{
    return lp_time_parse_instant(s, NULL, out_instant);
}

/* ---- Periods ---- */

/* Week ordinal w starts on day 7w - 3 (1969-12-29 was a Monday). */
static int64_t month_index_fiscal(const lp_calendar *cal, int64_t y, int m)
{
    return y * 12 + (m - 1) - (cal->fiscal_start_month - 1);
}

int64_t lp_period_of(const lp_calendar *cal, int64_t instant)
{
    int64_t days = lp_instant_local_date(instant);
    int64_t y;
    int m;
    switch (cal->kind) {
    case LP_PERIOD_WEEK: return lp_floor_div(days + 3, 7);
    case LP_PERIOD_MONTH:
        lp_civil_from_days(days, &y, &m, NULL);
        return y * 12 + m - 1;
    case LP_PERIOD_QUARTER:
        lp_civil_from_days(days, &y, &m, NULL);
        return y * 4 + (m - 1) / 3;
    case LP_PERIOD_FISCAL_QUARTER:
        lp_civil_from_days(days, &y, &m, NULL);
        return lp_floor_div(month_index_fiscal(cal, y, m), 3);
    }
    return 0;
}

static int64_t month_start_days(int64_t month_ordinal)
{
    return lp_days_from_civil(lp_floor_div(month_ordinal, 12),
                              (int)floor_mod(month_ordinal, 12) + 1, 1);
}

int64_t lp_period_start(const lp_calendar *cal, int64_t ordinal)
{
    switch (cal->kind) {
    case LP_PERIOD_WEEK: return lp_date_to_instant(ordinal * 7 - 3);
    case LP_PERIOD_MONTH: return lp_date_to_instant(month_start_days(ordinal));
    case LP_PERIOD_QUARTER: return lp_date_to_instant(month_start_days(ordinal * 3));
    case LP_PERIOD_FISCAL_QUARTER:
        return lp_date_to_instant(
            month_start_days(ordinal * 3 + cal->fiscal_start_month - 1));
    }
    return 0;
}

int64_t lp_period_end(const lp_calendar *cal, int64_t ordinal)
{
    return lp_period_start(cal, ordinal + 1);
}

void lp_period_label(const lp_calendar *cal, int64_t ordinal, char *buf, size_t size)
{
    switch (cal->kind) {
    case LP_PERIOD_WEEK: {
        int64_t thursday = ordinal * 7, y;
        lp_civil_from_days(thursday, &y, NULL, NULL);
        int64_t week = (thursday - lp_days_from_civil(y, 1, 1)) / 7 + 1;
        snprintf(buf, size, "%04lld-W%02lld", (long long)y, (long long)week);
        return;
    }
    case LP_PERIOD_MONTH:
        snprintf(buf, size, "%04lld-%02d", (long long)lp_floor_div(ordinal, 12),
                 (int)floor_mod(ordinal, 12) + 1);
        return;
    case LP_PERIOD_QUARTER:
        snprintf(buf, size, "%04lld-Q%d", (long long)lp_floor_div(ordinal, 4),
                 (int)floor_mod(ordinal, 4) + 1);
        return;
    case LP_PERIOD_FISCAL_QUARTER: {
        int64_t start_year = lp_floor_div(ordinal, 4);
        int64_t fy = start_year + (cal->fiscal_start_month == 1 ? 0 : 1);
        snprintf(buf, size, "FY%04lld-Q%d", (long long)fy, (int)floor_mod(ordinal, 4) + 1);
        return;
    }
    }
}

lp_status lp_period_parse(lp_calendar *cal, const char *label, int64_t *out_ordinal)
{
    int y, n;
    char tail;
    if (sscanf(label, "FY%4d-Q%1d%c", &y, &n, &tail) == 2 && n >= 1 && n <= 4 &&
        strlen(label) == 9) {
        if (cal->fiscal_start_month < 1 || cal->fiscal_start_month > 12)
            cal->fiscal_start_month = 1;
        int64_t start_year = y - (cal->fiscal_start_month == 1 ? 0 : 1);
        cal->kind = LP_PERIOD_FISCAL_QUARTER;
        *out_ordinal = start_year * 4 + n - 1;
        return LP_OK;
    }
    if (strlen(label) < 7 || !isdigit((unsigned char)label[0])) return LP_ERR_USAGE;
    if (sscanf(label, "%4d-W%2d%c", &y, &n, &tail) == 2 && strlen(label) == 8) {
        /* Week 1 holds 4 January; its Monday is the start of ISO year y. */
        int64_t jan4 = lp_days_from_civil(y, 1, 4);
        int64_t week1 = lp_floor_div(jan4 + 3, 7);
        int64_t ordinal = week1 + n - 1;
        char check[48];
        lp_calendar week = {LP_PERIOD_WEEK, cal->fiscal_start_month};
        lp_period_label(&week, ordinal, check, sizeof check);
        if (n < 1 || strcmp(check, label) != 0) return LP_ERR_USAGE;
        cal->kind = LP_PERIOD_WEEK;
        *out_ordinal = ordinal;
        return LP_OK;
    }
    if (sscanf(label, "%4d-Q%1d%c", &y, &n, &tail) == 2 && strlen(label) == 7 && n >= 1 &&
        n <= 4) {
        cal->kind = LP_PERIOD_QUARTER;
        *out_ordinal = (int64_t)y * 4 + n - 1;
        return LP_OK;
    }
    if (sscanf(label, "%4d-%2d%c", &y, &n, &tail) == 2 && strlen(label) == 7 && n >= 1 &&
        n <= 12 && isdigit((unsigned char)label[5])) {
        cal->kind = LP_PERIOD_MONTH;
        *out_ordinal = (int64_t)y * 12 + n - 1;
        return LP_OK;
    }
    return LP_ERR_USAGE;
}

const char *lp_period_kind_name(lp_period_kind kind)
{
    switch (kind) {
    case LP_PERIOD_WEEK: return "week";
    case LP_PERIOD_MONTH: return "month";
    case LP_PERIOD_QUARTER: return "quarter";
    case LP_PERIOD_FISCAL_QUARTER: return "fiscal-quarter";
    }
    return "week";
}

/* One character of a kind name as compared: lower case, and '-', '_' and
 * ' ' all as '-'. */
static int kind_char(char c)
{
    if (c == '_' || c == ' ') return '-';
    return tolower((unsigned char)c);
}

lp_status lp_period_kind_parse(const char *name, lp_period_kind *out_kind)
{
    static const lp_period_kind kinds[] = {LP_PERIOD_WEEK, LP_PERIOD_MONTH, LP_PERIOD_QUARTER,
                                           LP_PERIOD_FISCAL_QUARTER};
    if (!name) return LP_ERR_USAGE;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const char *want = lp_period_kind_name(kinds[k]), *got = name;
        while (*want && kind_char(*got) == *want) want++, got++;
        if (!*want && !*got) {
            *out_kind = kinds[k];
            return LP_OK;
        }
    }
    return LP_ERR_USAGE;
}

/* The one place the window is fixed: the measures (lp_measures_compute)
 * compute over it and a warehouse load restricts the rows it copies to it
 * (lp_warehouse_load's pushdown), so both must agree on it exactly. */
lp_status lp_window_compute(const lp_calendar *cal, int64_t as_of, const char *period_label,
                            lp_window *out_window)
{
    lp_window *w = out_window;
    w->cal = *cal;
    if (w->cal.fiscal_start_month < 1 || w->cal.fiscal_start_month > 12)
        w->cal.fiscal_start_month = 1;
    w->as_of = as_of;
    if (period_label) {
        lp_status st = lp_period_parse(&w->cal, period_label, &w->period);
        if (st) return st;
    } else {
        w->period = lp_period_of(&w->cal, as_of) - 1;
    }
    for (int k = 0; k < LP_WINDOW_PERIODS; k++) {
        int64_t ordinal = w->period - (LP_WINDOW_PERIODS - 1) + k;
        w->bound[k] = lp_period_start(&w->cal, ordinal);
        /* A label is at most 9 characters for years 0..9999; the wide
         * buffer only quiets the compiler's bound for any int64 year. */
        char label[64];
        lp_period_label(&w->cal, ordinal, label, sizeof label);
        snprintf(w->labels[k], sizeof w->labels[k], "%.23s", label);
    }
    w->bound[LP_WINDOW_PERIODS] = lp_period_end(&w->cal, w->period);
    w->end = w->bound[LP_WINDOW_PERIODS] < as_of ? w->bound[LP_WINDOW_PERIODS] : as_of;
    lp_calendar months = {LP_PERIOD_MONTH, w->cal.fiscal_start_month};
    int64_t first_month = lp_period_of(&months, w->end - 1) - (LP_TREND_MONTHS - 1);
    int64_t month_start = lp_period_start(&months, first_month);
    w->data_start = month_start < w->bound[0] ? month_start : w->bound[0];
    return LP_OK;
}

const char *lp_month_name(int month)
{
    static const char *const names[12] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};
    return month >= 1 && month <= 12 ? names[month - 1] : "";
}

void lp_instant_date_words(int64_t instant, char *buf, size_t size)
{
    int64_t y;
    int m, d, hh, mm, ss;
    lp_instant_to_local(instant, &y, &m, &d, &hh, &mm, &ss);
    snprintf(buf, size, "%d %s %lld", d, lp_month_name(m), (long long)y);
}
