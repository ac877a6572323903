/*
 * Table layout (table_layout.h): widths, type size, compact money, parts
 * and pages of a table, from measurements the caller makes. No drawing and
 * no fonts here, so every decision can be checked with numbers worked out
 * by hand.
 */
#include "lp/table_layout.h"

#include <math.h>
#include <string.h>

const double lp_table_sizes[] = {8.0, 7.5, 7.0, 6.5};
const size_t lp_table_nsizes = sizeof lp_table_sizes / sizeof lp_table_sizes[0];

/* A column's measured width as laid out: capped, then padded (the extra
 * point keeps a right-aligned number off the next column's text). */
static double padded(double text_width)
{
    return fmin(text_width, LP_TABLE_CELL_MAX) + 2 * LP_TABLE_CELL_PAD + 1;
}

/* Measures the part's columns at (size, compact) into natural and
 * narrowest (padded); returns their sums through out_nat and out_min. */
static void measure_part(const lp_table_part *part, double size, bool compact,
                         lp_table_measure_fn measure, void *ctx, double *natural,
                         double *narrowest, double *out_nat, double *out_min)
{
    double nat_sum = 0, min_sum = 0;
    for (size_t i = 0; i < part->ncols; i++) {
        double nat = 0, min = 0;
        measure(ctx, part->cols[i], size, compact, &nat, &min);
        narrowest[i] = padded(min);
        natural[i] = fmax(padded(nat), narrowest[i]);
        nat_sum += natural[i];
        min_sum += narrowest[i];
    }
    *out_nat = nat_sum;
    *out_min = min_sum;
}

/* Fits a part's columns into width by rules 1-3; true when they fit. When
 * nothing fits, the part is left at the smallest size, compact, with the
 * narrowest widths shrunk in proportion and char_wrap set (rule 5). */
static bool fit_part(lp_table_part *part, double width, lp_table_measure_fn measure,
                     void *ctx, double *natural, double *narrowest)
{
    double nat = 0, min = 0;
    for (size_t attempt = 0; attempt < 2 * lp_table_nsizes; attempt++) {
        part->size = lp_table_sizes[attempt / 2];
        part->compact = attempt % 2 == 1;
        measure_part(part, part->size, part->compact, measure, ctx, natural, narrowest, &nat,
                     &min);
        if (nat <= width) {
            memcpy(part->widths, natural, part->ncols * sizeof(double));
            part->total = nat;
            return true;
        }
        if (min <= width) {
            /* From the narrowest, the room left goes to the columns that
             * wrap, in proportion to what each lacks of its natural width. */
            double lack = nat - min, spare = width - min;
            part->total = 0;
            for (size_t i = 0; i < part->ncols; i++) {
                double want = natural[i] - narrowest[i];
                part->widths[i] = narrowest[i] + (lack > 0 ? want * spare / lack : 0);
                part->total += part->widths[i];
            }
            return true;
        }
    }
    part->total = 0;
    for (size_t i = 0; i < part->ncols; i++) {
        part->widths[i] = narrowest[i] * width / min;
        part->total += part->widths[i];
    }
    part->char_wrap = true;
    return false;
}

void lp_table_plan_free(lp_table_plan *plan)
{
    if (!plan) return;
    for (size_t p = 0; p < plan->nparts; p++) {
        lp_free(plan->parts[p].cols);
        lp_free(plan->parts[p].widths);
    }
    lp_free(plan->parts);
    memset(plan, 0, sizeof *plan);
}

/* Adds a part of n columns (the keys, then cols[from..to)) to the plan. */
static lp_status add_part(lp_table_plan *plan, size_t nkeys, size_t from, size_t to)
{
    lp_table_part *part = &plan->parts[plan->nparts];
    memset(part, 0, sizeof *part);
    part->ncols = nkeys + (to - from);
    part->cols = lp_calloc(part->ncols, sizeof(size_t));
    part->widths = lp_calloc(part->ncols, sizeof(double));
    plan->nparts++;
    if (!part->cols || !part->widths) return LP_ERR_NOMEM;
    for (size_t i = 0; i < nkeys; i++) part->cols[i] = i;
    for (size_t c = from; c < to; c++) part->cols[nkeys + c - from] = c;
    return LP_OK;
}

lp_status lp_table_plan_columns(size_t ncols, size_t nkeys, double width,
                                lp_table_measure_fn measure, void *ctx,
                                lp_table_plan *out)
{
    memset(out, 0, sizeof *out);
    if (ncols == 0 || nkeys >= ncols || !(width > 0) || !measure) return LP_ERR_USAGE;
    lp_status status = LP_OK;
    double *natural = lp_calloc(ncols, sizeof(double));
    double *narrowest = lp_calloc(ncols, sizeof(double));
    /* At most one part per non-key column. */
    out->parts = lp_calloc(ncols - nkeys, sizeof(lp_table_part));
    if (!natural || !narrowest || !out->parts) {
        status = LP_ERR_NOMEM;
        goto cleanup;
    }
    status = add_part(out, 0, 0, ncols);
    if (status) goto cleanup;
    if (fit_part(&out->parts[0], width, measure, ctx, natural, narrowest) || ncols - nkeys < 2)
        goto cleanup;

    /* Rule 4: split. narrowest now holds every column at the smallest
     * size, compact (the last attempt of fit_part): columns join a part
     * while the part's narrowest widths fit. */
    double keys = 0;
    for (size_t c = 0; c < nkeys; c++) keys += narrowest[c];
    lp_table_plan_free(out);
    out->parts = lp_calloc(ncols - nkeys, sizeof(lp_table_part));
    if (!out->parts) {
        status = LP_ERR_NOMEM;
        goto cleanup;
    }
    double *wide = lp_calloc(ncols, sizeof(double));
    if (!wide) {
        status = LP_ERR_NOMEM;
        goto cleanup;
    }
    memcpy(wide, narrowest, ncols * sizeof(double));
    size_t from = nkeys;
    double used = keys;
    for (size_t c = nkeys; c <= ncols && status == LP_OK; c++) {
        if (c == ncols || (c > from && used + wide[c] > width)) {
            status = add_part(out, nkeys, from, c);
            if (status == LP_OK)
                fit_part(&out->parts[out->nparts - 1], width, measure, ctx, natural,
                         narrowest);
            from = c;
            used = keys;
        }
        if (c < ncols) used += wide[c];
    }
    lp_free(wide);
cleanup:
    if (status) lp_table_plan_free(out);
    lp_free(natural);
    lp_free(narrowest);
    return status;
}

size_t lp_table_paginate(const double *heights, size_t nrows, double header,
                         double first_room, double page_room, size_t *out_page)
{
    double whole = header;
    for (size_t r = 0; r < nrows; r++) whole += heights[r];
    if (whole <= first_room) {
        for (size_t r = 0; r < nrows; r++) out_page[r] = 0;
        return 0;
    }
    if (whole <= page_room / 3 || nrows == 0) {
        for (size_t r = 0; r < nrows; r++) out_page[r] = 1;
        return 1;
    }
    /* Start here only with the header and the first rows a page needs. */
    size_t min_rows = nrows < LP_TABLE_MIN_ROWS ? nrows : LP_TABLE_MIN_ROWS;
    double start = header;
    for (size_t r = 0; r < min_rows; r++) start += heights[r];
    size_t page = start <= first_room ? 0 : 1;
    size_t first = page;
    double room = (page == 0 ? first_room : page_room) - header;
    size_t on_page = 0;
    for (size_t r = 0; r < nrows; r++) {
        if (on_page > 0 && heights[r] > room) {
            page++;
            room = page_room - header;
            on_page = 0;
        }
        out_page[r] = page;
        room -= heights[r];
        on_page++;
    }
    /* A last page of fewer rows than a page needs takes rows from the page
     * before, as long as that page keeps enough and they fit. */
    if (page > first && first == 0 && nrows < 2 * LP_TABLE_MIN_ROWS) {
        /* Too few rows to share between pages: all go on the next one. */
        for (size_t r = 0; r < nrows; r++) out_page[r] = 1;
        return 1;
    }
    if (page > first) {
        size_t last_count = 0, prev_count = 0;
        for (size_t r = 0; r < nrows; r++) {
            last_count += out_page[r] == page;
            prev_count += out_page[r] == page - 1;
        }
        size_t r = nrows - last_count;
        double last_height = 0;
        for (size_t k = r; k < nrows; k++) last_height += heights[k];
        while (last_count < LP_TABLE_MIN_ROWS && prev_count > LP_TABLE_MIN_ROWS &&
               last_height + heights[r - 1] <= page_room - header) {
            last_height += heights[--r];
            out_page[r] = page;
            last_count++;
            prev_count--;
        }
    }
    return first;
}
