/*
 * lp_ledger_differs: "differs beyond rounding" by unit (lp/ledger.h). The
 * thresholds are half of what the pack shows: whole counts and amounts,
 * whole percents of shares, tenths of hours and days.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lp/figures.h"
#include "lp/ledger.h"

Test(ledger, differs_beyond_rounding_by_unit)
{
    cr_expect(!lp_ledger_differs(LP_UNIT_COUNT, 6, 6));
    cr_expect(lp_ledger_differs(LP_UNIT_COUNT, 6, 7));
    cr_expect(!lp_ledger_differs(LP_UNIT_MONEY, 40000, 40000.2));
    cr_expect(lp_ledger_differs(LP_UNIT_MONEY, 40000, 55000));
    /* 41.2% and 41.4% both show as 41%; 41.2% and 42.0% do not */
    cr_expect(!lp_ledger_differs(LP_UNIT_SHARE, 0.412, 0.414));
    cr_expect(lp_ledger_differs(LP_UNIT_SHARE, 0.412, 0.420));
    cr_expect(!lp_ledger_differs(LP_UNIT_HOURS, 3.51, 3.54));
    cr_expect(lp_ledger_differs(LP_UNIT_HOURS, 3.5, 3.7));
    /* a value that appeared or vanished differs; two missing values do not */
    cr_expect(lp_ledger_differs(LP_UNIT_COUNT, NAN, 3));
    cr_expect(lp_ledger_differs(LP_UNIT_COUNT, 3, NAN));
    cr_expect(!lp_ledger_differs(LP_UNIT_COUNT, NAN, NAN));
}

Test(ledger, open_refuses_a_password_in_the_url)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_ledger *ledger = NULL;
    cr_expect_eq(lp_ledger_open("postgresql://lp:secret@127.0.0.1:1/db", &ledger, errmsg),
                 LP_ERR_USAGE);
    cr_expect_null(ledger);
    cr_expect(strstr(errmsg, "leave the password out") != NULL, "%s", errmsg);
    cr_expect_eq(lp_ledger_open("postgresql://lp@127.0.0.1:1/db?password=x", &ledger, errmsg),
                 LP_ERR_USAGE);
}
