/* Civil dates and periods. Expected values worked out from a calendar:
 * 2026-11-16 is a Monday and starts ISO week 2026-W47; 2021-01-03 (Sunday)
 * belongs to 2020-W53; 2026-01-01 is a Thursday, in 2026-W01. */
#include <criterion/criterion.h>

#include "lp/time.h"

Test(time, days_from_civil_round_trip)
{
    cr_expect_eq(lp_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(lp_days_from_civil(2000, 3, 1), 11017); /* date -d 2000-03-01 +%s / 86400 */
    cr_expect_eq(lp_days_from_civil(1969, 12, 31), -1);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        int m, dd;
        lp_civil_from_days(d, &y, &m, &dd);
        cr_assert_eq(lp_days_from_civil(y, m, dd), d);
    }
    cr_expect(!lp_civil_valid(2026, 2, 30));
    cr_expect(lp_civil_valid(2024, 2, 29));
    cr_expect(!lp_civil_valid(1900, 2, 29));
}

Test(time, iso_week_labels_and_bounds)
{
    lp_calendar cal = {LP_PERIOD_WEEK, 1};
    char label[24];
    int64_t monday = lp_days_from_civil(2026, 11, 16) * 86400;
    int64_t w = lp_period_of(&cal, monday);
    lp_period_label(&cal, w, label, sizeof label);
    cr_expect_str_eq(label, "2026-W47");
    cr_expect_eq(lp_period_start(&cal, w), monday);
    cr_expect_eq(lp_period_end(&cal, w), monday + 7 * 86400);
    cr_expect_eq(lp_period_of(&cal, monday - 1), w - 1); /* Sunday 23:59:59 */
    lp_period_label(&cal, lp_period_of(&cal, lp_days_from_civil(2021, 1, 3) * 86400),
                    label, sizeof label);
    cr_expect_str_eq(label, "2020-W53");
    lp_period_label(&cal, lp_period_of(&cal, lp_days_from_civil(2026, 1, 1) * 86400),
                    label, sizeof label);
    cr_expect_str_eq(label, "2026-W01");
    int64_t parsed;
    cr_assert_eq(lp_period_parse(&cal, "2026-W47", &parsed), LP_OK);
    cr_expect_eq(parsed, w);
    cr_expect_eq(lp_period_parse(&cal, "2026-W54", &parsed), LP_ERR_USAGE);
}

Test(time, months_quarters_fiscal)
{
    lp_calendar cal = {LP_PERIOD_MONTH, 1};
    char label[24];
    int64_t t = lp_days_from_civil(2026, 11, 25) * 86400 + 3600;
    lp_period_label(&cal, lp_period_of(&cal, t), label, sizeof label);
    cr_expect_str_eq(label, "2026-11");
    cal.kind = LP_PERIOD_QUARTER;
    lp_period_label(&cal, lp_period_of(&cal, t), label, sizeof label);
    cr_expect_str_eq(label, "2026-Q4");
    /* Fiscal year starting in February: FY2027 runs Feb 2026 - Jan 2027, so
     * November 2026 is its third quarter (Aug-Oct is Q3? no: Feb-Apr Q1,
     * May-Jul Q2, Aug-Oct Q3, Nov-Jan Q4). */
    cal.kind = LP_PERIOD_FISCAL_QUARTER;
    cal.fiscal_start_month = 2;
    int64_t q = lp_period_of(&cal, t);
    lp_period_label(&cal, q, label, sizeof label);
    cr_expect_str_eq(label, "FY2027-Q4");
    cr_expect_eq(lp_period_start(&cal, q), lp_days_from_civil(2026, 11, 1) * 86400);
    cr_expect_eq(lp_period_end(&cal, q), lp_days_from_civil(2027, 2, 1) * 86400);
    int64_t parsed;
    cr_assert_eq(lp_period_parse(&cal, "FY2027-Q4", &parsed), LP_OK);
    cr_expect_eq(parsed, q);
}

Test(time, iso_instants_and_zones)
{
    int64_t t;
    cr_assert_eq(lp_instant_parse_iso("2026-11-20T14:03:11+01:00", &t), LP_OK);
    cr_expect_eq(t, lp_days_from_civil(2026, 11, 20) * 86400 + 13 * 3600 + 3 * 60 + 11);
    cr_expect_eq(lp_instant_parse_iso("2026-02-30", &t), LP_ERR_USAGE);
    char buf[32];
    lp_instant_format_utc(t, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-11-20T13:03:11Z");
    /* Europe/Berlin is UTC+1 in November (CET): local midnight is 23:00Z. */
    cr_assert_eq(lp_tz_set("Europe/Berlin"), LP_OK);
    cr_assert_eq(lp_instant_parse_iso("2026-11-20", &t), LP_OK);
    cr_expect_eq(t, lp_days_from_civil(2026, 11, 19) * 86400 + 23 * 3600);
    cr_expect_eq(lp_tz_set("Mars/Olympus"), LP_ERR_CONFIG);
    lp_tz_set("UTC");
}

/* The report window, worked by hand from a calendar (UTC):
 * as-of Wednesday 2026-11-18 12:00. Monthly, P is the month before
 * November: 2026-10; the window is 2025-10 .. 2026-10 and ends
 * 2026-11-01, before as-of, so E = the end of P. */
Test(time, window_monthly_default_period)
{
    lp_calendar cal = {LP_PERIOD_MONTH, 1};
    int64_t as_of = lp_days_from_civil(2026, 11, 18) * 86400 + 12 * 3600;
    lp_window w;
    cr_assert_eq(lp_window_compute(&cal, as_of, NULL, &w), LP_OK);
    cr_expect_eq(w.cal.kind, LP_PERIOD_MONTH);
    cr_expect_eq(w.as_of, as_of);
    cr_expect_str_eq(w.labels[LP_WINDOW_PERIODS - 1], "2026-10");
    cr_expect_str_eq(w.labels[0], "2025-10");
    cr_expect_str_eq(w.labels[1], "2025-11");
    cr_expect_eq(w.bound[0], lp_days_from_civil(2025, 10, 1) * 86400);
    cr_expect_eq(w.bound[12], lp_days_from_civil(2026, 10, 1) * 86400);
    cr_expect_eq(w.bound[13], lp_days_from_civil(2026, 11, 1) * 86400);
    cr_expect_eq(w.end, w.bound[13]);
}

/* A label names P and its kind: 2026-W47 runs Monday 16 to Sunday
 * 22 November 2026 (ISO: 2026-01-01 is a Thursday, so week 1 starts
 * Monday 2025-12-29 and week 47 starts 46 weeks later, 2026-11-16). The
 * window starts 12 weeks earlier, Monday 2026-08-24 (2026-W35). P ends
 * 2026-11-23, after as-of (18 November), so E = as-of. */
Test(time, window_from_label)
{
    lp_calendar cal = {LP_PERIOD_MONTH, 0}; /* fiscal month 0: taken as 1 */
    int64_t as_of = lp_days_from_civil(2026, 11, 18) * 86400 + 12 * 3600;
    lp_window w;
    cr_assert_eq(lp_window_compute(&cal, as_of, "2026-W47", &w), LP_OK);
    cr_expect_eq(w.cal.kind, LP_PERIOD_WEEK);
    cr_expect_eq(w.cal.fiscal_start_month, 1);
    cr_expect_str_eq(w.labels[12], "2026-W47");
    cr_expect_str_eq(w.labels[0], "2026-W35");
    cr_expect_eq(w.bound[12], lp_days_from_civil(2026, 11, 16) * 86400);
    cr_expect_eq(w.bound[0], lp_days_from_civil(2026, 8, 24) * 86400);
    cr_expect_eq(w.bound[13], lp_days_from_civil(2026, 11, 23) * 86400);
    cr_expect_eq(w.end, as_of);
    cr_expect_eq(lp_window_compute(&cal, as_of, "2026-W54", &w), LP_ERR_USAGE);
}

/* Fiscal quarters with the year starting in April: as-of 2026-05-10 is in
 * FY2027-Q1 (April-June 2026), so P = FY2026-Q4 (January-March 2026) and
 * the window's first period is 12 quarters earlier, FY2023-Q4
 * (January-March 2023). In Europe/Berlin the bounds are local midnights
 * (CET, UTC+1, on 1 January 2023 and 1 April 2026 is CEST, UTC+2). */
Test(time, window_fiscal_in_zone)
{
    cr_assert_eq(lp_tz_set("Europe/Berlin"), LP_OK);
    lp_calendar cal = {LP_PERIOD_FISCAL_QUARTER, 4};
    int64_t as_of = lp_days_from_civil(2026, 5, 10) * 86400;
    lp_window w;
    lp_status st = lp_window_compute(&cal, as_of, NULL, &w);
    lp_tz_set("UTC");
    cr_assert_eq(st, LP_OK);
    cr_expect_str_eq(w.labels[12], "FY2026-Q4");
    cr_expect_str_eq(w.labels[0], "FY2023-Q4");
    cr_expect_eq(w.bound[0], lp_days_from_civil(2023, 1, 1) * 86400 - 3600);
    cr_expect_eq(w.bound[13], lp_days_from_civil(2026, 4, 1) * 86400 - 7200);
    cr_expect_eq(w.end, w.bound[13]);
}

/* Period kind names: the four names of lp_period_kind_name, read back with
 * case and the separators '-', '_', ' ' not told apart; nothing else. */
Test(time, period_kind_names)
{
    static const struct {
        const char *name;
        int kind; /* -1: refused */
    } cases[] = {
        {"week", LP_PERIOD_WEEK},       {"Month", LP_PERIOD_MONTH},
        {"QUARTER", LP_PERIOD_QUARTER}, {"fiscal-quarter", LP_PERIOD_FISCAL_QUARTER},
        {"fiscal_quarter", LP_PERIOD_FISCAL_QUARTER},
        {"Fiscal Quarter", LP_PERIOD_FISCAL_QUARTER},
        {"fortnight", -1}, {"", -1}, {"weeks", -1}, {"wee", -1}, {"fiscal", -1},
        {"fiscal--quarter", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lp_period_kind kind = (lp_period_kind)99;
        lp_status st = lp_period_kind_parse(cases[i].name, &kind);
        if (cases[i].kind < 0) {
            cr_expect_eq(st, LP_ERR_USAGE, "%s", cases[i].name);
            cr_expect_eq((int)kind, 99, "%s", cases[i].name);
        } else {
            cr_expect_eq(st, LP_OK, "%s", cases[i].name);
            cr_expect_eq((int)kind, cases[i].kind, "%s", cases[i].name);
            cr_expect_str_eq(lp_period_kind_name(kind), lp_period_kind_name(cases[i].kind));
        }
    }
    cr_expect_eq(lp_period_kind_parse(NULL, &(lp_period_kind){LP_PERIOD_WEEK}), LP_ERR_USAGE);
}

/* One text, two zones, worked by hand: 2026-03-29 is the day clocks go
 * forward in Europe/Berlin (02:00 CET -> 03:00 CEST) and 2026-03-08 in
 * America/New_York (02:00 EST -> 03:00 EDT). 2026-03-29 12:00 local is
 * 10:00Z in Berlin (UTC+2) and 16:00Z in New York (EDT, UTC-4, since
 * 8 March). The zone is the argument's, whatever the report zone set,
 * and the report zone is unchanged after the call. */
Test(time, parse_instant_in_given_zone)
{
    int64_t noon_utc = lp_days_from_civil(2026, 3, 29) * 86400 + 12 * 3600, t = 0;
    cr_assert_eq(lp_tz_set("Europe/Berlin"), LP_OK);
    cr_assert_eq(lp_time_parse_instant("2026-03-29T12:00", "America/New_York", &t), LP_OK);
    cr_expect_eq(t, noon_utc + 4 * 3600);
    cr_expect_str_eq(lp_tz_name(), "Europe/Berlin");
    cr_assert_eq(lp_time_parse_instant("2026-03-29T12:00", "Europe/Berlin", &t), LP_OK);
    cr_expect_eq(t, noon_utc - 2 * 3600);
    cr_assert_eq(lp_time_parse_instant("2026-03-29T12:00", "UTC", &t), LP_OK);
    cr_expect_eq(t, noon_utc);
    /* NULL: the report zone (Berlin); the local date then is that day. */
    cr_assert_eq(lp_time_parse_instant("2026-03-29T12:00", NULL, &t), LP_OK);
    cr_expect_eq(t, noon_utc - 2 * 3600);
    cr_expect_eq(lp_instant_local_date(t), lp_days_from_civil(2026, 3, 29));

    cr_assert_eq(lp_tz_set("UTC"), LP_OK);
    /* A date alone is local midnight: 2026-03-29 00:00 is still CET in
     * Berlin (23:00Z the day before) and EDT in New York (04:00Z). */
    int64_t midnight_utc = lp_days_from_civil(2026, 3, 29) * 86400;
    cr_assert_eq(lp_time_parse_instant("2026-03-29", "Europe/Berlin", &t), LP_OK);
    cr_expect_eq(t, midnight_utc - 3600);
    cr_assert_eq(lp_time_parse_instant("2026-03-29", "America/New_York", &t), LP_OK);
    cr_expect_eq(t, midnight_utc + 4 * 3600);
    /* 02:30 does not exist in Berlin that day: resolved forward, to 03:30
     * CEST = 01:30Z. */
    cr_assert_eq(lp_time_parse_instant("2026-03-29T02:30", "Europe/Berlin", &t), LP_OK);
    cr_expect_eq(t, midnight_utc + 3600 + 1800);
    /* An offset wins over any zone. */
    cr_assert_eq(lp_time_parse_instant("2026-03-29T12:00+05:30", "Europe/Berlin", &t), LP_OK);
    cr_expect_eq(t, noon_utc - 5 * 3600 - 1800);
    cr_expect_str_eq(lp_tz_name(), "UTC");
    cr_expect_eq(lp_time_parse_instant("2026-03-29", "Mars/Olympus", &t), LP_ERR_CONFIG);
    cr_expect_eq(lp_time_parse_instant("2026-03-29T25:00", "UTC", &t), LP_ERR_USAGE);
    cr_expect_str_eq(lp_tz_name(), "UTC");
}
