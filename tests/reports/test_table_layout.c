/* The table layout (lp/table_layout.h): column widths, wrapping, compact
 * money, type size, parts of a table too wide for the page, and rows per
 * page, on measurements made up here so that every expected number can be
 * worked out by hand (the working is beside each case).
 *
 * The fake measurer: a column's text is `natural` points wide on one line
 * at 8 points and its widest word `narrowest` points (a number column has
 * one word: narrowest = natural); a money column is `compact` points wide
 * when written compact. Widths scale with the type size (size / 8). The
 * layout pads each column by 2 x 4 points plus 1 (table_layout.c), so a
 * column's laid-out width is min(text, 240) + 9.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lp/table_layout.h"

typedef struct fake_col {
    double natural, narrowest; /* at 8 points */
    double compact;            /* natural when money is compact; 0: not money */
} fake_col;

static void fake_measure(void *ctx, size_t col, double size, bool compact, double *out_natural,
                         double *out_narrowest)
{
    const fake_col *c = (const fake_col *)ctx + col;
    double scale = size / 8.0;
    double natural = compact && c->compact > 0 ? c->compact : c->natural;
    *out_natural = natural * scale;
    *out_narrowest = fmin(c->narrowest, natural) * scale;
}

static lp_table_plan plan_of(fake_col *cols, size_t n, size_t nkeys, double width)
{
    lp_table_plan plan;
    lp_status st = lp_table_plan_columns(n, nkeys, width, fake_measure, cols, &plan);
    cr_assert_eq(st, LP_OK, "plan: %s", lp_status_str(st));
    return plan;
}

#define EXPECT_NEAR(a, b) cr_expect(fabs((a) - (b)) < 1e-9, "%s = %.6f, expected %.6f", #a, (double)(a), (double)(b))

Test(table_layout, natural_widths_when_the_table_fits)
{
    /* 50 + 9, 40 + 9, 30 + 9 = 147 <= 499: every column on one line, 8 pt. */
    fake_col cols[] = {{50, 20, 0}, {40, 40, 0}, {30, 30, 0}};
    lp_table_plan plan = plan_of(cols, 3, 1, 499);
    cr_assert_eq(plan.nparts, 1);
    lp_table_part *p = &plan.parts[0];
    cr_assert_eq(p->ncols, 3);
    EXPECT_NEAR(p->size, 8.0);
    cr_expect(!p->compact && !p->char_wrap);
    EXPECT_NEAR(p->widths[0], 59);
    EXPECT_NEAR(p->widths[1], 49);
    EXPECT_NEAR(p->widths[2], 39);
    EXPECT_NEAR(p->total, 147);
    lp_table_plan_free(&plan);
}

Test(table_layout, names_wrap_before_numbers_shrink)
{
    /* A 300-point name (capped at 240: 249 wide) and two 80-point numbers
     * (89 each) in 300 points: natural 427 does not fit; narrowest
     * 69 + 89 + 89 = 247 does. Only the name lacks width (249 - 69 = 180),
     * so it takes all 300 - 247 = 53 points left: 69 + 53 = 122. The
     * numbers keep their natural 89 and the type stays at 8 points. */
    fake_col cols[] = {{300, 60, 0}, {80, 80, 0}, {80, 80, 0}};
    lp_table_plan plan = plan_of(cols, 3, 1, 300);
    cr_assert_eq(plan.nparts, 1);
    lp_table_part *p = &plan.parts[0];
    EXPECT_NEAR(p->size, 8.0);
    cr_expect(!p->compact);
    EXPECT_NEAR(p->widths[0], 122);
    EXPECT_NEAR(p->widths[1], 89);
    EXPECT_NEAR(p->widths[2], 89);
    EXPECT_NEAR(p->total, 300);
    lp_table_plan_free(&plan);
}

Test(table_layout, wrapping_shares_the_room_in_proportion_to_what_is_lacking)
{
    /* Two names: 200 (209, narrowest 59) and 100 (109, narrowest 39), in
     * 200 points. Natural 318, narrowest 98: lacking 150 and 70 (220), with
     * 102 to share: 59 + 150 x 102 / 220 = 128.545..., 39 + 70 x 102 / 220
     * = 71.454...; together 200. */
    fake_col cols[] = {{200, 50, 0}, {100, 30, 0}};
    lp_table_plan plan = plan_of(cols, 2, 0, 200);
    lp_table_part *p = &plan.parts[0];
    EXPECT_NEAR(p->widths[0], 59 + 150.0 * 102 / 220);
    EXPECT_NEAR(p->widths[1], 39 + 70.0 * 102 / 220);
    EXPECT_NEAR(p->total, 200);
    lp_table_plan_free(&plan);
}

Test(table_layout, money_goes_compact_before_the_type_shrinks)
{
    /* A one-word name of 100 (109) and money of 120 (129), compact 40
     * (49), in 200 points: 238 does not fit and nothing wraps; compact
     * money gives 109 + 49 = 158 at 8 points. */
    fake_col cols[] = {{100, 100, 0}, {120, 120, 40}};
    lp_table_plan plan = plan_of(cols, 2, 1, 200);
    lp_table_part *p = &plan.parts[0];
    EXPECT_NEAR(p->size, 8.0);
    cr_expect(p->compact);
    EXPECT_NEAR(p->widths[0], 109);
    EXPECT_NEAR(p->widths[1], 49);
    lp_table_plan_free(&plan);
}

Test(table_layout, type_shrinks_half_a_point_at_a_time)
{
    /* Two 100-point columns that cannot wrap, in 200 points: at 8 points
     * 2 x 109 = 218; at 7.5 2 x (93.75 + 9) = 205.5; at 7 2 x (87.5 + 9) =
     * 193 fits, before compact money is tried at that size. */
    fake_col cols[] = {{100, 100, 0}, {100, 100, 0}};
    lp_table_plan plan = plan_of(cols, 2, 1, 200);
    lp_table_part *p = &plan.parts[0];
    EXPECT_NEAR(p->size, 7.0);
    cr_expect(!p->compact);
    EXPECT_NEAR(p->widths[0], 96.5);
    EXPECT_NEAR(p->total, 193);
    lp_table_plan_free(&plan);
}

Test(table_layout, a_table_too_wide_is_split_with_its_key_repeated)
{
    /* A 100-point name and four 150-point numbers in 400 points. At the
     * smallest type (6.5: x 0.8125) the name is 81.25 + 9 = 90.25 and each
     * number 121.875 + 9 = 130.875: all five need 613.75. Parts fill at
     * that size: 90.25 + 2 x 130.875 = 352 fits, a third number (482.875)
     * does not, so the parts are {name, 1, 2} and {name, 3, 4}. Each is
     * then fitted alone: at 8 points 109 + 2 x 159 = 427, at 7.5
     * 102.75 + 2 x 149.625 = 402, at 7 96.5 + 2 x 140.25 = 377 fits. */
    fake_col cols[] = {{100, 100, 0}, {150, 150, 0}, {150, 150, 0}, {150, 150, 0}, {150, 150, 0}};
    lp_table_plan plan = plan_of(cols, 5, 1, 400);
    cr_assert_eq(plan.nparts, 2);
    size_t want[2][3] = {{0, 1, 2}, {0, 3, 4}};
    for (size_t k = 0; k < 2; k++) {
        lp_table_part *p = &plan.parts[k];
        cr_assert_eq(p->ncols, 3, "part %zu", k);
        for (size_t i = 0; i < 3; i++) cr_expect_eq(p->cols[i], want[k][i], "part %zu col %zu", k, i);
        EXPECT_NEAR(p->size, 7.0);
        EXPECT_NEAR(p->widths[0], 96.5);
        EXPECT_NEAR(p->widths[1], 140.25);
        EXPECT_NEAR(p->total, 377);
        cr_expect(!p->char_wrap);
    }
    lp_table_plan_free(&plan);
}

Test(table_layout, a_split_without_key_columns)
{
    /* Three 200-point numbers in 300 points, no key: at 6.5 each is
     * 162.5 + 9 = 171.5, two need 343, so one column a part; each alone
     * fits at 8 points (209). */
    fake_col cols[] = {{200, 200, 0}, {200, 200, 0}, {200, 200, 0}};
    lp_table_plan plan = plan_of(cols, 3, 0, 300);
    cr_assert_eq(plan.nparts, 3);
    for (size_t k = 0; k < 3; k++) {
        cr_expect_eq(plan.parts[k].ncols, 1);
        cr_expect_eq(plan.parts[k].cols[0], k);
        EXPECT_NEAR(plan.parts[k].size, 8.0);
        EXPECT_NEAR(plan.parts[k].widths[0], 209);
    }
    lp_table_plan_free(&plan);
}

Test(table_layout, bad_arguments)
{
    fake_col cols[] = {{10, 10, 0}};
    lp_table_plan plan;
    cr_expect_eq(lp_table_plan_columns(0, 0, 100, fake_measure, cols, &plan), LP_ERR_USAGE);
    cr_expect_eq(lp_table_plan_columns(1, 1, 100, fake_measure, cols, &plan), LP_ERR_USAGE);
    cr_expect_eq(lp_table_plan_columns(1, 0, 0, fake_measure, cols, &plan), LP_ERR_USAGE);
    lp_table_plan_free(&plan);
    lp_table_plan_free(NULL);
}

Test(table_layout, out_of_memory)
{
    fake_col cols[] = {{100, 100, 0}, {150, 150, 0}, {150, 150, 0}, {150, 150, 0}};
    for (long k = 1; k < 20; k++) {
        lp_alloc_fail_after(k);
        lp_table_plan plan;
        lp_status st = lp_table_plan_columns(4, 1, 400, fake_measure, cols, &plan);
        lp_alloc_fail_after(0);
        cr_expect(st == LP_OK || st == LP_ERR_NOMEM, "allocation %ld: %d", k, st);
        if (st == LP_OK) cr_expect_gt(plan.nparts, 0);
        else cr_expect_eq(plan.nparts, 0);
        lp_table_plan_free(&plan);
    }
}

/* ---- Pages ---------------------------------------------------------- */

static void rows_of(double *heights, size_t n, double h)
{
    for (size_t i = 0; i < n; i++) heights[i] = h;
}

Test(table_layout, a_table_that_fits_stays_here)
{
    /* 12 + 3 x 10 = 42 <= 100. */
    double h[3];
    size_t page[3];
    rows_of(h, 3, 10);
    cr_expect_eq(lp_table_paginate(h, 3, 12, 100, 700, page), 0);
    for (size_t r = 0; r < 3; r++) cr_expect_eq(page[r], 0);
}

Test(table_layout, a_short_table_moves_whole)
{
    /* 12 + 5 x 10 = 62 does not fit in 30, and is under a third of 700
     * (233.3): all of it on the next page. */
    double h[5];
    size_t page[5];
    rows_of(h, 5, 10);
    cr_expect_eq(lp_table_paginate(h, 5, 12, 30, 700, page), 1);
    for (size_t r = 0; r < 5; r++) cr_expect_eq(page[r], 1);
}

Test(table_layout, a_long_table_continues_with_its_header)
{
    /* 30 rows of 10 and a 12 header (312, over 600 / 3). Here 100 - 12 =
     * 88 holds 8 rows (80; a ninth makes 90); the next page (588) takes
     * the other 22 (220). */
    double h[30];
    size_t page[30];
    rows_of(h, 30, 10);
    cr_expect_eq(lp_table_paginate(h, 30, 12, 100, 600, page), 0);
    for (size_t r = 0; r < 30; r++) cr_expect_eq(page[r], r < 8 ? 0u : 1u, "row %zu", r);
}

Test(table_layout, no_table_starts_with_one_row)
{
    /* Header and one row fit in 25 (22), two rows do not (32): the table
     * starts on the next page, where all 30 rows fit (312 <= 600). */
    double h[30];
    size_t page[30];
    rows_of(h, 30, 10);
    cr_expect_eq(lp_table_paginate(h, 30, 12, 25, 600, page), 1);
    for (size_t r = 0; r < 30; r++) cr_expect_eq(page[r], 1u, "row %zu", r);
}

Test(table_layout, no_page_ends_a_table_with_one_row)
{
    /* Pages of 112 hold the header and 10 rows of 10. 21 rows fill pages
     * 0 (rows 0-9) and 1 (10-19), leaving row 20 alone on page 2: row 19
     * moves to it, so page 1 holds 10-18 and page 2 holds 19-20. */
    double h[21];
    size_t page[21];
    rows_of(h, 21, 10);
    cr_expect_eq(lp_table_paginate(h, 21, 12, 112, 112, page), 0);
    for (size_t r = 0; r < 21; r++) {
        size_t want = r <= 9 ? 0 : r <= 18 ? 1 : 2;
        cr_expect_eq(page[r], want, "row %zu on page %zu, expected %zu", r, page[r], want);
    }
}

Test(table_layout, too_few_rows_to_share_go_together)
{
    /* 3 rows of 10: here (35) holds the header and two (32), not three;
     * 42 is over a third of 60, so it is not "short", but 3 rows cannot
     * be shared without a lone row: all go on the next page. */
    double h[3];
    size_t page[3];
    rows_of(h, 3, 10);
    cr_expect_eq(lp_table_paginate(h, 3, 12, 35, 60, page), 1);
    for (size_t r = 0; r < 3; r++) cr_expect_eq(page[r], 1u, "row %zu", r);
}

Test(table_layout, a_row_taller_than_a_page_gets_one_of_its_own)
{
    /* Rows 10, 10, 500, 10, 10, header 12, pages of 200: here (100) takes
     * the header and rows 0-1 (32; room 88 - 20 = 68 left); row 2 does not
     * fit 68 and goes to page 1 alone (room 188), rows 3-4 to page 2. */
    double h[] = {10, 10, 500, 10, 10};
    size_t page[5];
    cr_expect_eq(lp_table_paginate(h, 5, 12, 100, 200, page), 0);
    size_t want[] = {0, 0, 1, 2, 2};
    for (size_t r = 0; r < 5; r++) cr_expect_eq(page[r], want[r], "row %zu", r);
}

Test(table_layout, an_empty_table_puts_its_header_where_it_fits)
{
    size_t page[1];
    cr_expect_eq(lp_table_paginate(NULL, 0, 12, 100, 600, page), 0);
    cr_expect_eq(lp_table_paginate(NULL, 0, 12, 5, 600, page), 1);
}
