/* The formatting module (lp/format.h): every unit in both styles, worked
 * out by hand beside each case, and the Excel number format of each unit.
 *
 * Hand working, for the less obvious ones:
 *  - 228,360 money compact: 228,360 / 1,000 = 228.36, rounds to 228: "$228K";
 *  - 1,558,060: / 1e6 = 1.558, one decimal 1.6: "$1.6M";
 *  - 999,500: / 1,000 = 999.5 rounds to 1,000K, so millions: 1.0 -> "$1M";
 *  - 0.5 hours = 30 minutes; 35.7 hours rounds to 36 hours (< 48);
 *    72 hours = 3 days; 47.6 hours rounds to 48, so days: 1.98 -> "2 days";
 *  - share 0.216 = 21.6% -> "22%"; 0.125 -> 12.5 rounds half away -> "13%";
 *  - points -0.319 = -31.9 points -> "-32 points"; cell one decimal
 *    "-31.9 pts"; 0.004 = 0.4 points, under 1 -> "under 1 point";
 *  - count 37.5 rounds half away from zero -> "38"; -2.5 -> "-3".
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <string.h>

#include "lp/format.h"

typedef struct unit_case {
    char style;          /* 'u' lp_fmt_unit, 'c' lp_fmt_cell, 't' lp_fmt_tick */
    lp_unit unit;
    double value;
    double step;         /* 't' only */
    char currency[8];
    char expect[32];
} unit_case;

ParameterizedTestParameters(format, units)
{
    static unit_case cases[] = {
        /* counts: never a decimal */
        {'u', LP_UNIT_COUNT, 37.5, 0, "", "38"},
        {'u', LP_UNIT_COUNT, 178, 0, "", "178"},
        {'u', LP_UNIT_COUNT, 1234567, 0, "", "1,234,567"},
        {'u', LP_UNIT_COUNT, -2.5, 0, "", "-3"},
        {'u', LP_UNIT_COUNT, -0.2, 0, "", "0"},
        {'c', LP_UNIT_COUNT, 178.0, 0, "", "178"},
        {'c', LP_UNIT_COUNT, 2.4, 0, "", "2"},
        {'u', LP_UNIT_COUNT, NAN, 0, "", "n/a"},
        /* money, compact: the same everywhere */
        {'u', LP_UNIT_MONEY, 228360, 0, "USD", "$228K"},
        {'u', LP_UNIT_MONEY, 1558060, 0, "USD", "$1.6M"},
        {'u', LP_UNIT_MONEY, 2300000, 0, "USD", "$2.3M"},
        {'u', LP_UNIT_MONEY, 9950, 0, "USD", "$9,950"},
        {'u', LP_UNIT_MONEY, 999500, 0, "USD", "$1M"},
        {'u', LP_UNIT_MONEY, 0, 0, "", "$0"},
        {'u', LP_UNIT_MONEY, -1.2e6, 0, "USD", "-$1.2M"},
        {'u', LP_UNIT_MONEY, 1.2e6, 0, "EUR", "\u20ac1.2M"},
        {'u', LP_UNIT_MONEY, 5e5, 0, "GBP", "\u00a3500K"},
        {'u', LP_UNIT_MONEY, 12345678, 0, "JPY", "\u00a512.3M"},
        {'u', LP_UNIT_MONEY, 950, 0, "CHF", "CHF 950"},
        {'u', LP_UNIT_MONEY, 45000, 0, "chf", "CHF 45K"},
        /* money, cells: whole units in full, never cents */
        {'c', LP_UNIT_MONEY, 480510, 0, "USD", "$480,510"},
        {'c', LP_UNIT_MONEY, 0, 0, "USD", "$0"},
        {'c', LP_UNIT_MONEY, 0.004, 0, "USD", "$0"},
        {'c', LP_UNIT_MONEY, 666.6667, 0, "USD", "$667"},
        {'c', LP_UNIT_MONEY, -1200, 0, "USD", "-$1,200"},
        {'c', LP_UNIT_MONEY, 1500, 0, "EUR", "\u20ac1,500"},
        {'c', LP_UNIT_MONEY, 1500, 0, "GBP", "\u00a31,500"},
        {'c', LP_UNIT_MONEY, 150000, 0, "JPY", "\u00a5150,000"},
        {'c', LP_UNIT_MONEY, 25000.5, 0, "CHF", "CHF 25,001"},
        /* shares: whole percents */
        {'u', LP_UNIT_SHARE, 0.216, 0, "", "22%"},
        {'u', LP_UNIT_SHARE, 0.125, 0, "", "13%"},
        {'u', LP_UNIT_SHARE, 0.004, 0, "", "under 1%"},
        {'u', LP_UNIT_SHARE, 0.996, 0, "", "over 99%"},
        {'u', LP_UNIT_SHARE, 1, 0, "", "100%"},
        {'u', LP_UNIT_SHARE, 39, 0, "", "3,900%"},
        {'u', LP_UNIT_SHARE, -0.5, 0, "", "-50%"},
        {'c', LP_UNIT_SHARE, 0.3333, 0, "", "33%"},
        {'c', LP_UNIT_SHARE, 0.004, 0, "", "<1%"},
        {'c', LP_UNIT_SHARE, 0.996, 0, "", ">99%"},
        {'c', LP_UNIT_SHARE, 0, 0, "", "0%"},
        /* points: a difference of shares */
        {'u', LP_UNIT_POINTS, -0.319, 0, "", "-32 points"},
        {'u', LP_UNIT_POINTS, 0.06, 0, "", "6 points"},
        {'u', LP_UNIT_POINTS, 0.01, 0, "", "1 point"},
        {'u', LP_UNIT_POINTS, 0.004, 0, "", "under 1 point"},
        {'u', LP_UNIT_POINTS, 0, 0, "", "0 points"},
        {'c', LP_UNIT_POINTS, -0.319, 0, "", "-31.9 pts"},
        {'c', LP_UNIT_POINTS, -0.16666666666666669, 0, "", "-16.7 pts"},
        /* hours: the unit a person uses */
        {'u', LP_UNIT_HOURS, 0.5, 0, "", "30 minutes"},
        {'u', LP_UNIT_HOURS, 1.0 / 60, 0, "", "1 minute"},
        {'u', LP_UNIT_HOURS, 35.7, 0, "", "36 hours"},
        {'u', LP_UNIT_HOURS, 1, 0, "", "1 hour"},
        {'u', LP_UNIT_HOURS, 72, 0, "", "3 days"},
        {'u', LP_UNIT_HOURS, 47.6, 0, "", "2 days"},
        {'c', LP_UNIT_HOURS, 35.7, 0, "", "35.7"},
        {'c', LP_UNIT_HOURS, 25, 0, "", "25.0"},
        {'c', LP_UNIT_HOURS, 1234.56, 0, "", "1,234.6"},
        /* days */
        {'u', LP_UNIT_DAYS, 3, 0, "", "3 days"},
        {'u', LP_UNIT_DAYS, 1, 0, "", "1 day"},
        {'u', LP_UNIT_DAYS, 50.5, 0, "", "51 days"},
        {'c', LP_UNIT_DAYS, 50.5, 0, "", "50.5"},
        /* ratio and p-value */
        {'u', LP_UNIT_RATIO, 1.4, 0, "", "1.4x"},
        {'u', LP_UNIT_RATIO, 1.5, 0, "", "1.5x"},
        {'c', LP_UNIT_RATIO, 2, 0, "", "2.0x"},
        {'u', LP_UNIT_PVALUE, 0.0456, 0, "", "0.046"},
        {'u', LP_UNIT_PVALUE, 0.75, 0, "", "0.750"},
        {'u', LP_UNIT_PVALUE, 0.0001, 0, "", "<0.001"},
        {'c', LP_UNIT_PVALUE, 0.6, 0, "", "0.600"},
        /* no unit: plain */
        {'u', LP_UNIT_NONE, 2.5, 0, "", "2.5"},
        {'c', LP_UNIT_NONE, 1234, 0, "", "1,234"},
        /* axis ticks: the compact style with the step's decimals */
        {'t', LP_UNIT_MONEY, 250000, 50000, "USD", "$250K"},
        {'t', LP_UNIT_MONEY, 1200000, 200000, "USD", "$1.2M"},
        {'t', LP_UNIT_MONEY, 1050000, 50000, "USD", "$1.05M"},
        {'t', LP_UNIT_MONEY, 5000, 1000, "USD", "$5,000"},
        {'t', LP_UNIT_MONEY, 0, 50000, "EUR", "\u20ac0"},
        {'t', LP_UNIT_SHARE, 0.2, 0.1, "", "20%"},
        {'t', LP_UNIT_SHARE, 0.025, 0.005, "", "2.5%"},
        {'t', LP_UNIT_HOURS, 12, 6, "", "12 h"},
        {'t', LP_UNIT_COUNT, 1250, 250, "", "1,250"},
        {'t', LP_UNIT_COUNT, 2.5, 0.5, "", "2.5"},
    };
    return cr_make_param_array(unit_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(unit_case *uc, format, units)
{
    char buf[64];
    const char *got = uc->style == 'u'
                          ? lp_fmt_unit(uc->unit, uc->value, uc->currency, buf, sizeof buf)
                      : uc->style == 'c'
                          ? lp_fmt_cell(uc->unit, uc->value, uc->currency, buf, sizeof buf)
                          : lp_fmt_tick(uc->unit, uc->value, uc->step, uc->currency, buf,
                                        sizeof buf);
    cr_expect_str_eq(got, uc->expect, "style %c unit %s value %g", uc->style,
                     lp_unit_name(uc->unit), uc->value);
}

Test(format, intervals)
{
    char buf[96];
    /* 0.56 and 0.84 are 56% and 84%; level 0.95 is 95%. */
    cr_expect_str_eq(lp_fmt_interval(LP_UNIT_SHARE, 0.56, 0.84, 0.95, NULL, buf, sizeof buf),
                     "95% interval 56% to 84%");
    /* The forecast's 80% band of MQL counts, 2.4 and 6.6 rounded whole. */
    cr_expect_str_eq(lp_fmt_interval(LP_UNIT_COUNT, 2.4, 6.6, 0.8, NULL, buf, sizeof buf),
                     "80% interval 2 to 7");
    cr_expect_str_eq(lp_fmt_interval(LP_UNIT_MONEY, 150000, 2.3e6, 0, "USD", buf, sizeof buf),
                     "interval $150K to $2.3M");
    cr_expect_str_eq(lp_fmt_interval(LP_UNIT_SHARE, NAN, 0.5, 0.95, NULL, buf, sizeof buf),
                     "no interval");
}

Test(format, small_buffers_stay_terminated)
{
    char buf[4];
    lp_fmt_unit(LP_UNIT_MONEY, 1558060, "USD", buf, sizeof buf);
    cr_expect_eq(strlen(buf), 3);
    lp_fmt_cell(LP_UNIT_MONEY, 480510, "USD", buf, sizeof buf);
    cr_expect_eq(strlen(buf), 3);
}

typedef struct excel_case {
    lp_unit unit;
    char currency[8];
    char expect[40];
} excel_case;

ParameterizedTestParameters(format, excel)
{
    static excel_case cases[] = {
        {LP_UNIT_COUNT, "", "#,##0"},
        {LP_UNIT_SHARE, "", "0%"},
        {LP_UNIT_POINTS, "", "+0\" pts\";-0\" pts\";0\" pts\""},
        {LP_UNIT_HOURS, "", "0.0"},
        {LP_UNIT_DAYS, "", "0.0"},
        {LP_UNIT_RATIO, "", "0.0\"x\""},
        {LP_UNIT_PVALUE, "", "0.000"},
        {LP_UNIT_MONEY, "USD", "\"$\"#,##0"},
        {LP_UNIT_MONEY, "", "\"$\"#,##0"},
        {LP_UNIT_MONEY, "EUR", "\"\u20ac\"#,##0"},
        {LP_UNIT_MONEY, "GBP", "\"\u00a3\"#,##0"},
        {LP_UNIT_MONEY, "JPY", "\"\u00a5\"#,##0"},
        {LP_UNIT_MONEY, "CHF", "\"CHF \"#,##0"},
        /* a quote in the setting cannot break out of the format's text */
        {LP_UNIT_MONEY, "C\"HF", "\"CHF \"#,##0"},
    };
    return cr_make_param_array(excel_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(excel_case *ec, format, excel)
{
    const char *got = lp_fmt_excel(ec->unit, ec->currency);
    cr_assert_not_null(got, "unit %s", lp_unit_name(ec->unit));
    cr_expect_str_eq(got, ec->expect, "unit %s", lp_unit_name(ec->unit));
}

Test(format, excel_none_and_points_value)
{
    cr_expect_null(lp_fmt_excel(LP_UNIT_NONE, NULL));
    /* A points cell holds points: 0.44 - 0.50 = -0.06 -> -6. */
    cr_expect_float_eq(lp_fmt_excel_value(LP_UNIT_POINTS, 0.44 - 0.50), -6.0, 1e-9);
    cr_expect_float_eq(lp_fmt_excel_value(LP_UNIT_SHARE, 0.44), 0.44, 1e-12);
    cr_expect_float_eq(lp_fmt_excel_value(LP_UNIT_COUNT, 37), 37.0, 1e-12);
}
