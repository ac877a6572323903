/*
 * table_layout.h: the decisions behind every table of the PDF, apart from
 * drawing them. The module is arithmetic on measured widths and heights
 * (points): the PDF measures text with pango and draws, this module decides
 * column widths, type size, compact money, how a table too wide for the
 * page is split into parts, and which rows go on which page. Tested with
 * hand-worked numbers in tests/reports/test_table_layout.c.
 *
 * The rules, in the order they give:
 *  1. Each column as wide as its widest cell or heading on one line, when
 *     the table fits the width available.
 *  2. Otherwise headings and text columns (names) wrap at their words,
 *     never inside one: each column starts at its widest word and the room
 *     left goes to the columns that wrap, in proportion to what they lack.
 *     Numbers never wrap.
 *  3. Then money is written compact ("$228K" for "$228,360"), then the type
 *     gets smaller, a half point at a time (LP_TABLE_SIZES).
 *  4. A table that does not fit even so is split into parts, each with the
 *     leading key columns (the row's name) repeated and as many of the
 *     other columns, in order, as fit at the smallest type; each part is
 *     then fitted by rules 1-3 on its own.
 *  5. Only a single column wider than the page at the smallest type (not
 *     reachable with the cap of LP_TABLE_CELL_MAX) lets words break between
 *     characters; nothing is ever cut or ellipsised.
 * Rows (lp_table_paginate): a short table stays whole on one page; a long
 * one repeats its header on each page and no page holds a single row of it.
 */
#ifndef LP_TABLE_LAYOUT_H
#define LP_TABLE_LAYOUT_H

#include "lp/lp.h"

#define LP_TABLE_CELL_PAD 4.0    /* points of padding on each side of a cell's text */
#define LP_TABLE_CELL_MAX 240.0  /* widest a column's text gets, points; longer wraps */
#define LP_TABLE_MIN_ROWS 2      /* fewest rows of a table on any page it uses */

/* Type sizes tried, largest first, points. */
extern const double lp_table_sizes[];
extern const size_t lp_table_nsizes;

/* Measures column col of a table at type size `size` (points), with money
 * written compact when compact: out_natural is the widest cell or heading
 * on one line, out_narrowest its widest word (for a number column, its
 * natural width: numbers do not wrap). Points, padding excluded. */
typedef void (*lp_table_measure_fn)(void *ctx, size_t col, double size, bool compact,
                                    double *out_natural, double *out_narrowest);

/* One part of a table: the columns it shows and how. */
typedef struct lp_table_part {
    size_t ncols;      /* columns of this part */
    size_t *cols;      /* their indices in the table: the key columns, then the rest */
    double *widths;    /* per column of the part, points, padding included */
    double total;      /* sum of widths, points */
    double size;       /* type size of body and header, points */
    bool compact;      /* money written compact */
    bool char_wrap;    /* last resort: words may break between characters */
} lp_table_part;

/* How a table's columns are set: one part when it fits the width, else
 * several (rule 4). */
typedef struct lp_table_plan {
    lp_table_part *parts;
    size_t nparts;
} lp_table_plan;

/* Plans the columns of a table of ncols columns, the first nkeys of which
 * are repeated in every part (0: none), into width points. measure is
 * called for columns and sizes as the rules need. Fills *out (free with
 * lp_table_plan_free). LP_ERR_USAGE for ncols 0, nkeys >= ncols or a
 * width <= 0; LP_ERR_NOMEM. */
lp_status lp_table_plan_columns(size_t ncols, size_t nkeys, double width,
                                lp_table_measure_fn measure, void *ctx,
                                lp_table_plan *out);
/* Frees what a plan holds; a zeroed plan is fine. */
void lp_table_plan_free(lp_table_plan *plan);

/* Puts the rows of a table on pages. heights: nrows row heights; header:
 * the header row's height; first_room: the height left below the cursor on
 * the current page; page_room: the height a new page offers (below any
 * continued heading); all points. Writes into out_page[r] the page of row
 * r counted from the current page (0: this page, 1: the next, ...), and
 * returns the page the header first goes on (0 or 1; the header is drawn
 * again on every later page that holds rows). Rules:
 *  - the whole table fits on this page: it goes here;
 *  - a short table (at most a third of page_room) that does not fit here
 *    goes whole to the next page;
 *  - otherwise rows fill pages in order, with the header on each, except
 *    that no page holds fewer than LP_TABLE_MIN_ROWS rows of the table
 *    (when it has that many): the table starts on the next page rather than
 *    with one row here, and a last page of one row takes a row from the
 *    page before.
 * A row taller than a page still goes on a page of its own. */
size_t lp_table_paginate(const double *heights, size_t nrows, double header,
                         double first_room, double page_room, size_t *out_page);

#endif
