/* Typed values from field text. Expected instants and day numbers were
 * computed with Python's datetime (e.g. datetime(2026,11,20,14,3,11,
 * tzinfo=timezone.utc).timestamp() = 1795183391; (date(2026,11,20) -
 * date(1970,1,1)).days = 20777); Excel serials with
 * date(1899,12,30) + timedelta(serial). Numbers by hand. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <string.h>

#include "lp/time.h"
#include "lp/value.h"

typedef struct instant_case {
    char text[48];  /* inline: parameters are copied into the test process */
    lp_date_order order;
    bool ok;
    int64_t instant;
} instant_case;

ParameterizedTestParameters(value, instants)
{
    static instant_case cases[] = {
        {"2026-11-20T14:03:11.000+0000", LP_DATE_MDY, true, 1795183391},
        {"2026-11-20T14:03:11Z", LP_DATE_MDY, true, 1795183391},
        {"2026-11-20T14:03:11.123456Z", LP_DATE_MDY, true, 1795183391},
        {"2026-11-20T14:03:11+01:00", LP_DATE_MDY, true, 1795179791},
        {"2026-11-20T14:03:11+0100", LP_DATE_MDY, true, 1795179791},
        {"2026-11-20T14:03:11+01", LP_DATE_MDY, true, 1795179791},
        {"2026-11-20T14:03:11-05:30", LP_DATE_MDY, true, 1795203191},
        {"2026-11-20 14:03:11 UTC", LP_DATE_MDY, true, 1795183391},
        {"2026-11-20 14:03", LP_DATE_MDY, true, 1795183380},
        {"2026-11-20 14:03:11", LP_DATE_MDY, true, 1795183391},
        {"  2026-11-20 14:03:11  ", LP_DATE_MDY, true, 1795183391},
        {"11/20/2026 2:03:11 PM", LP_DATE_MDY, true, 1795183391},
        {"11/20/2026 2:03 pm", LP_DATE_MDY, true, 1795183380},
        {"11/20/2026 12:15 AM", LP_DATE_MDY, true, 1795133700},
        {"11/20/2026 14:03:11", LP_DATE_MDY, true, 1795183391},
        {"11/20/26 2:03:11 PM", LP_DATE_MDY, true, 1795183391},
        {"20/11/2026", LP_DATE_DMY, true, 1795132800},
        {"20/11/2026 14:03:11", LP_DATE_DMY, true, 1795183391},
        {"20.11.2026 14:03:11", LP_DATE_MDY, true, 1795183391},
        {"2026-11-20", LP_DATE_MDY, true, 1795132800},
        {"2026/11/20", LP_DATE_YMD, true, 1795132800},
        {"20261120", LP_DATE_MDY, true, 1795132800},
        {"46346.75", LP_DATE_MDY, true, 1795197600},   /* 2026-11-20 18:00 */
        {"46346", LP_DATE_MDY, true, 1795132800},
        {"1795183391", LP_DATE_MDY, true, 1795183391}, /* Unix seconds */
        {"1795183391999", LP_DATE_MDY, true, 1795183391}, /* Unix ms */
        /* errors */
        {"2026-02-30", LP_DATE_MDY, false, 0},
        {"2026-13-01", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11+25:00", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11+01:60", LP_DATE_MDY, false, 0},
        {"2026-11-20T24:00:00", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:60", LP_DATE_MDY, false, 0},
        {"11/20/2026 13:00 PM", LP_DATE_MDY, false, 0},
        {"20/11/2026", LP_DATE_MDY, false, 0},
        {"31/02/2026", LP_DATE_DMY, false, 0},
        {"2026-11-20 garbage", LP_DATE_MDY, false, 0},
        /* the YYYY-MM-DDTHH:MM:SSZ shortcut checks what the general reader checks;
         * 1709200800 from Python's datetime(2024, 2, 29, 10, tzinfo=utc).timestamp() */
        {"2024-02-29T10:00:00Z", LP_DATE_MDY, true, 1709200800},
        {"2026-02-29T10:00:00Z", LP_DATE_MDY, false, 0},
        {"2026-11-20T24:00:00Z", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:60Z", LP_DATE_MDY, false, 0},
        {"2026-11-2OT14:03:11Z", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11z", LP_DATE_MDY, true, 1795183391},
        /* the shortcut's fraction and four-digit offset forms; 1795203191 and
         * 1795179791 as above (-05:30 and +01:00) */
        {"2026-11-20T14:03:11.999-0530", LP_DATE_MDY, true, 1795203191},
        {"2026-11-20T14:03:11.5+0100", LP_DATE_MDY, true, 1795179791},
        {"2024-02-29T10:00:00.000+0000", LP_DATE_MDY, true, 1709200800},
        {"2026-02-29T10:00:00.000+0000", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11.+0000", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11.000+1500", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11.000+0160", LP_DATE_MDY, false, 0},
        {"2026-11-20T14:03:11.000+000", LP_DATE_MDY, false, 0},
        {"2026-11-20T24:03:11.000+0000", LP_DATE_MDY, false, 0},
        {"yesterday", LP_DATE_MDY, false, 0},
        {"", LP_DATE_MDY, false, 0},
        {"60", LP_DATE_MDY, false, 0}, /* Excel's phantom 1900-02-29 */
    };
    return cr_make_param_array(instant_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(instant_case *c, value, instants)
{
    int64_t got = -1;
    bool ok = lp_value_parse_instant(c->text, strlen(c->text), c->order, &got);
    cr_expect_eq(ok, c->ok, "%s: ok=%d", c->text, ok);
    if (c->ok) cr_expect_eq(got, c->instant, "%s: %lld", c->text, (long long)got);
}

typedef struct date_case {
    char text[48];  /* inline: parameters are copied into the test process */
    lp_date_order order;
    bool ok;
    int32_t days;
} date_case;

ParameterizedTestParameters(value, dates)
{
    static date_case cases[] = {
        {"2026-11-20", LP_DATE_MDY, true, 20777},
        {"11/20/2026", LP_DATE_MDY, true, 20777},
        {"20/11/2026", LP_DATE_DMY, true, 20777},
        {"2/29/2024", LP_DATE_MDY, true, 19782},
        {"2024-02-29", LP_DATE_MDY, true, 19782}, /* the YYYY-MM-DD shortcut */
        {"2026-02-29", LP_DATE_MDY, false, 0},
        {"2026-1x-01", LP_DATE_MDY, false, 0},
        {"12/31/99", LP_DATE_MDY, true, 10956},
        {"46346", LP_DATE_MDY, true, 20777},
        {"46346.5", LP_DATE_MDY, true, 20777},
        {"1", LP_DATE_MDY, true, -25567},  /* Excel serial 1 = 1900-01-01 */
        {"59", LP_DATE_MDY, true, -25509}, /* 1900-02-28 */
        {"61", LP_DATE_MDY, true, -25508}, /* 1900-03-01 */
        {"2026-11-20T23:30:00", LP_DATE_MDY, true, 20777},
        {"2026-11-20T23:30:00Z", LP_DATE_MDY, true, 20777}, /* UTC report zone */
        {"2026-02-30", LP_DATE_MDY, false, 0},
        {"2/29/2026", LP_DATE_MDY, false, 0},
        {"31/02/2026", LP_DATE_DMY, false, 0},
        {"13/01/2026", LP_DATE_MDY, false, 0},
        {"3000000", LP_DATE_MDY, false, 0},
        {"abc", LP_DATE_MDY, false, 0},
    };
    return cr_make_param_array(date_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(date_case *c, value, dates)
{
    int32_t got = -1;
    bool ok = lp_value_parse_date(c->text, strlen(c->text), c->order, &got);
    cr_expect_eq(ok, c->ok, "%s: ok=%d", c->text, ok);
    if (c->ok) cr_expect_eq(got, c->days, "%s: %d", c->text, got);
}

typedef struct number_case {
    char text[48];  /* inline: parameters are copied into the test process */
    bool decimal_comma;
    bool ok;
    double value;
} number_case;

ParameterizedTestParameters(value, numbers)
{
    static number_case cases[] = {
        {"1234", false, true, 1234},
        {"-17", false, true, -17},
        {"1234.5", false, true, 1234.5},
        {"0.1", false, true, 0.1},
        {".5", false, true, 0.5},
        {"$1,234.50", false, true, 1234.5},
        {"-$1,234.50", false, true, -1234.5},
        {"$-1,234.50", false, true, -1234.5},
        {"(1,234)", false, true, -1234},
        {"($1,234.56)", false, true, -1234.56},
        {"1.234,50 EUR", true, true, 1234.5},
        {"1.234,50 EUR", false, true, 1234.5}, /* both separators: last is decimal */
        {"EUR 1.234,50", true, true, 1234.5},
        {"\xE2\x82\xAC" "1.234,50", true, true, 1234.5},
        {"1 234,50", true, true, 1234.5},
        {"1\xC2\xA0" "234,50 \xE2\x82\xAC", true, true, 1234.5},
        {"1'234.50", false, true, 1234.5},
        {"USD 7", false, true, 7},
        {"12.5 USD", false, true, 12.5},
        {"\xC2\xA3" "99.99", false, true, 99.99},
        {"1,234,567.89", false, true, 1234567.89},
        {"1.234.567", false, true, 1234567},
        {"1,5", false, true, 1.5},     /* cannot be grouping: decimal */
        {"0,125", false, true, 0.125},
        {"1234,5", false, true, 1234.5},
        {"1.5", true, true, 1.5},      /* decimal_comma, '.' not grouping */
        {"1.234", true, true, 1234},   /* decimal_comma, grouping */
        {"1,234", false, true, 1234},
        {"1.5e3", false, true, 1500},
        {"2E-2", false, true, 0.02},
        {"1,5e3", true, true, 1500},
        {"1234-", false, true, -1234},
        {"12345678901234567890", false, true, 12345678901234567890.0},
        {"", false, false, 0},
        {"-", false, false, 0},
        {"$", false, false, 0},
        {"abc", false, false, 0},
        {"1,23,4", false, false, 0},
        {"12..5", false, false, 0},
        {"1.2.3,4", false, false, 0},
        {"1e", false, false, 0},
        {"--5", false, false, 0},
        {"5 apples", false, false, 0},
    };
    return cr_make_param_array(number_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(number_case *c, value, numbers)
{
    double got = NAN;
    bool ok = lp_value_parse_number(c->text, strlen(c->text), c->decimal_comma, &got);
    cr_expect_eq(ok, c->ok, "%s: ok=%d", c->text, ok);
    if (c->ok) cr_expect_float_eq(got, c->value, 1e-9 * fmax(1, fabs(c->value)), "%s: %.17g", c->text, got);
}

Test(value, numbers_exact_like_strtod)
{
    /* The fast path must give the same double as strtod. */
    static const char *texts[] = {"0.1", "0.3", "123456.789", "999999999999999.99", "3.14159265358979",
                                  "1e23", "0.000001", "72057594037927.93"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        double got;
        cr_assert(lp_value_parse_number(texts[i], strlen(texts[i]), false, &got));
        cr_expect(got == strtod(texts[i], NULL), "%s", texts[i]);
    }
}

Test(value, int64)
{
    int64_t v;
    cr_expect(lp_value_parse_int64("42", 2, false, &v) && v == 42);
    cr_expect(lp_value_parse_int64("-42", 3, false, &v) && v == -42);
    cr_expect(lp_value_parse_int64("1,200", 5, false, &v) && v == 1200);
    cr_expect(lp_value_parse_int64("1.200", 5, true, &v) && v == 1200);
    cr_expect(lp_value_parse_int64("1.2e3", 5, false, &v) && v == 1200);
    cr_expect(lp_value_parse_int64(" 7 ", 3, false, &v) && v == 7);
    cr_expect(lp_value_parse_int64("12.0", 4, false, &v) && v == 12);
    cr_expect(lp_value_parse_int64("123456789012345678", 18, false, &v) &&
              v == 123456789012345678LL);
    cr_expect(!lp_value_parse_int64("12.5", 4, false, &v));
    cr_expect(!lp_value_parse_int64("ten", 3, false, &v));
    cr_expect(!lp_value_parse_int64("", 0, false, &v));
    /* not NUL-terminated: only len bytes are read */
    cr_expect(lp_value_parse_int64("123999", 3, false, &v) && v == 123);
}

Test(value, bools)
{
    static const char *yes[] = {"true", "TRUE", "True", "t", "yes", "Y", "1", " y "};
    static const char *no[] = {"false", "FALSE", "f", "No", "n", "0"};
    bool b;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_expect(lp_value_parse_bool(yes[i], strlen(yes[i]), &b) && b, "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect(lp_value_parse_bool(no[i], strlen(no[i]), &b) && !b, "%s", no[i]);
    cr_expect(!lp_value_parse_bool("maybe", 5, &b));
    cr_expect(!lp_value_parse_bool("", 0, &b));
    cr_expect(!lp_value_parse_bool("2", 1, &b));
}

Test(value, local_time_uses_report_zone)
{
    /* datetime(2026,7,1,12,0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp() */
    cr_assert_eq(lp_tz_set("Europe/Berlin"), LP_OK);
    int64_t got;
    cr_expect(lp_value_parse_instant("2026-07-01 12:00", 16, LP_DATE_MDY, &got));
    cr_expect_eq(got, 1782900000);
    /* an explicit offset ignores the zone */
    cr_expect(lp_value_parse_instant("2026-11-20T14:03:11Z", 20, LP_DATE_MDY, &got));
    cr_expect_eq(got, 1795183391);
    /* the date of an instant with an offset is the local date: 23:30Z is
     * 00:30 on the 21st in Berlin (UTC+1 in November) */
    int32_t days;
    cr_expect(lp_value_parse_date("2026-11-20T23:30:00Z", 20, LP_DATE_MDY, &days));
    cr_expect_eq(days, 20778);
    lp_tz_set("UTC");
}

Test(value, date_order_names)
{
    lp_date_order o;
    cr_expect(lp_date_order_parse("dmy", &o) && o == LP_DATE_DMY);
    cr_expect(lp_date_order_parse("YMD", &o) && o == LP_DATE_YMD);
    cr_expect(lp_date_order_parse("", &o) && o == LP_DATE_MDY);
    cr_expect(!lp_date_order_parse("dym", &o));
}
