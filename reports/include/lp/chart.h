/*
 * chart.h: charts drawn with cairo from plain series data.
 *
 * A chart is built by calls that record what to draw (kind, categories,
 * series, axes, reference lines) and is then drawn into any cairo context:
 * a PDF page, a PNG for an e-mail body, an SVG. The module never computes a
 * figure: it places the values it is given.
 *
 * Status is sticky, as in cairo: building and drawing calls return nothing;
 * the first failure (out of memory, a bad argument, a cairo error) is kept
 * and every later call does nothing. lp_chart_status() and the write calls
 * return that first failure. lp_chart_new never returns NULL: when it runs
 * out of memory it returns a shared chart in the LP_ERR_NOMEM state, which
 * lp_chart_free accepts.
 *
 * Geometry (relied on by tests and by callers that align things with a
 * chart): categories split the plot area into n equal bands, category i's
 * band starting at plot_x + i * plot_w / n (vertical charts) or plot_y +
 * i * plot_h / n (horizontal charts); a value v on an axis from lo to hi
 * sits at fraction (v - lo) / (hi - lo) of the plot area, from the bottom
 * (vertical) or the left (horizontal). A single bar series fills the middle
 * 70% of its band; grouped series share that width equally.
 *
 * Colours: the Okabe-Ito palette, chosen for colour-blind readers, ordered
 * so that neighbouring series also differ in lightness; bar series after the
 * first add hatching, line series add dashes and marker shapes, so that a
 * greyscale print still tells them apart. Text is "DejaVu Sans" through
 * pango (fontconfig), sizes in the context's user units (points in a PDF).
 */
#ifndef LP_CHART_H
#define LP_CHART_H

#include <cairo.h>

#include "lp/figures.h"
#include "lp/lp.h"

typedef enum lp_chart_kind {
    LP_CHART_BARS,       /* vertical bars; several series are grouped */
    LP_CHART_HBARS,      /* horizontal bars; several series are grouped */
    LP_CHART_STACKED,    /* vertical bars, series stacked (values >= 0) */
    LP_CHART_HSTACKED,   /* horizontal bars, series stacked (values >= 0) */
    LP_CHART_LINE_BAND,  /* lines over categories; low/high draw a band */
    LP_CHART_STEP,       /* step curves over a numeric x (Kaplan-Meier) */
    LP_CHART_FUNNEL,     /* centred horizontal bars, widest first */
    LP_CHART_INTERVALS   /* dot at the value, whisker low..high, one row per category */
} lp_chart_kind;

/* Chart kind by the template's name ("bars", "hbars", "stacked", "hstacked",
 * "line_band", "step", "funnel", "intervals"); LP_ERR_NOTFOUND otherwise. */
lp_status lp_chart_kind_parse(const char *name, lp_chart_kind *out_kind);

typedef struct lp_chart lp_chart;

/* A new, empty chart of a kind (see above for out of memory). */
lp_chart *lp_chart_new(lp_chart_kind kind);
void lp_chart_free(lp_chart *chart);
/* The first failure, or LP_OK. */
lp_status lp_chart_status(const lp_chart *chart);

/* Title drawn above the plot (copied); NULL or "" for none. */
void lp_chart_set_title(lp_chart *chart, const char *title);
/* Category labels (copied), one per value of every series; for all kinds
 * but LP_CHART_STEP. Period labels ("2026-W47") and names alike; labels
 * that would overlap are thinned out (every k-th shown). */
void lp_chart_set_categories(lp_chart *chart, const char *const *labels, size_t n);
/* Adds a series of n values, one per category (copied). NAN marks a
 * missing value (no bar, a gap in a line). low and high may be NULL; when
 * given they draw whiskers (bars, intervals) or a band (lines). name
 * (copied) is shown in the legend; the legend appears with two series or
 * more. LP_ERR_USAGE when n differs from the number of categories. */
void lp_chart_add_series(lp_chart *chart, const char *name, const double *values,
                         const double *low, const double *high, size_t n);
/* Adds a step curve of n points (x[i], y[i]) for LP_CHART_STEP, x ascending
 * (copied). The curve starts at (0, 0) when x[0] > 0, holds each y until
 * the next x, and ends at the last point. */
void lp_chart_add_xy_series(lp_chart *chart, const char *name, const double *x,
                            const double *y, size_t n);
/* Direct labels (copied) printed beside the points of the last added
 * series (bar ends, funnel steps, interval dots), instead of the plain
 * formatted value; n must equal that series' length. */
void lp_chart_set_point_labels(lp_chart *chart, const char *const *labels, size_t n);
/* Prints each point's formatted value beside it (default on for a single
 * bar series with at most 16 categories, funnels and intervals). */
void lp_chart_set_value_labels(lp_chart *chart, bool on);

/* The value axis: the unit of its values (lp/figures.h; the catalogue's
 * lp_result_unit of the column charted), the ISO currency ("USD") for
 * LP_UNIT_MONEY, and a caption (copied, may be NULL). Ticks are written by
 * lp_fmt_tick ("$250K", "20%", "12 h", "1,250") and direct labels by
 * lp_fmt_unit, the same text as the narrative's ("$228K", "22%"). Until
 * set, the unit is LP_UNIT_NONE (plain numbers). */
void lp_chart_set_value_axis(lp_chart *chart, lp_unit unit, const char *currency,
                             const char *caption);
/* Fixes the value axis to [lo, hi] instead of choosing it from the data
 * (ticks still come in 1-2-5 steps inside it). LP_ERR_USAGE unless lo < hi. */
void lp_chart_set_value_range(lp_chart *chart, double lo, double hi);
/* The numeric x axis of LP_CHART_STEP: the unit of its values, a caption. */
void lp_chart_set_x_axis(lp_chart *chart, lp_unit unit, const char *caption);
/* Fixes the x axis of LP_CHART_STEP to [lo, hi]. */
void lp_chart_set_x_range(lp_chart *chart, double lo, double hi);
/* A dashed reference line across the plot at a value of the value axis
 * (a target), with a short label (copied, may be NULL). */
void lp_chart_add_reference(lp_chart *chart, double value, const char *label);
/* A dashed reference line at an x of LP_CHART_STEP (a threshold in hours). */
void lp_chart_add_x_reference(lp_chart *chart, double x, const char *label);

/* Draws the chart into the rectangle (x, y, w, h) of cr, in cr's user
 * units, on whatever is already there (callers paint the background).
 * Leaves cr's state as it found it. A cairo error becomes LP_ERR_OUTPUT. */
void lp_chart_draw(lp_chart *chart, cairo_t *cr, double x, double y, double w, double h);
/* The plot area (inside the axes) of the last lp_chart_draw, in cr's user
 * units; all zero before the first draw. out_* may be NULL. */
void lp_chart_plot_area(const lp_chart *chart, double *out_x, double *out_y,
                        double *out_w, double *out_h);

/* Writes the chart as a width x height pixel PNG on white, atomically.
 * Returns the first failure: the chart's own, or LP_ERR_OUTPUT. */
lp_status lp_chart_write_png(lp_chart *chart, int width, int height, const char *path);
/* Writes the chart as an SVG of width x height points, atomically. */
lp_status lp_chart_write_svg(lp_chart *chart, double width, double height,
                             const char *path);

/* The fill colour of series i (0-based) as r, g, b in 0..1. */
void lp_chart_series_colour(size_t i, double *out_r, double *out_g, double *out_b);

/* The e-mail body's chart: qualified leads per period over the window, from
 * the result table mql_trend (period, mqls, mql_target), as a 640 x 280
 * PNG written atomically. LP_ERR_NOTFOUND when the result set has no
 * mql_trend table; errmsg says so. */
struct lp_results;
lp_status lp_chart_write_trend_png(const struct lp_results *results, const char *path,
                                   char *errmsg);

#endif
