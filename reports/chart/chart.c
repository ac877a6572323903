/* Charts drawn with cairo and pango (chart.h). */
#include "lp/chart.h"

#include <cairo-svg.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "lp/fileio.h"
#include "lp/format.h"

#define FONT_FAMILY "DejaVu Sans"
#define TITLE_SIZE 10.0
#define LABEL_SIZE 8.0
#define SMALL_SIZE 7.0
#define PNG_SCALE 1.5      /* PNG user units per pixel: text readable in mail */

typedef struct series {
    char *name;
    double *x;             /* LP_CHART_STEP only */
    double *y;             /* values (NAN = missing) */
    double *low;           /* NULL or per point */
    double *high;
    char **point_labels;   /* NULL or per point */
    size_t n;
} series;

typedef struct reference {
    double value;
    char *label;
    bool on_x;             /* vertical line at an x of a step chart */
} reference;

typedef struct axis {
    lp_unit unit;          /* what the values are (lp/figures.h); written by lp/format.h */
    char currency[8];
    char *caption;
    bool fixed;            /* range given by the caller */
    double lo, hi;         /* range actually drawn */
    double step;           /* tick step (1-2-5 times a power of ten) */
} axis;

struct lp_chart {
    lp_status status;      /* sticky first failure */
    lp_chart_kind kind;
    char *title;
    char **categories;
    size_t ncategories;
    series *series;
    size_t nseries;
    reference *refs;
    size_t nrefs;
    axis value_axis;
    axis x_axis;
    int value_labels;      /* -1 default, 0 off, 1 on */
    double plot[4];        /* x, y, w, h of the last draw, device units */
};

/* The chart lp_chart_new hands out when it cannot allocate: every call on
 * it does nothing and reports LP_ERR_NOMEM. Never written to. */
static lp_chart nil_chart = {.status = LP_ERR_NOMEM};

static void fail(lp_chart *chart, lp_status status)
{
    if (chart != &nil_chart && chart->status == LP_OK) chart->status = status;
}

static bool usable(const lp_chart *chart) { return chart && chart->status == LP_OK; }

/* ---- Building ---------------------------------------------------------- */

lp_status lp_chart_kind_parse(const char *name, lp_chart_kind *out_kind)
{
    static const struct { const char *name; lp_chart_kind kind; } kinds[] = {
        {"bars", LP_CHART_BARS},           {"hbars", LP_CHART_HBARS},
        {"stacked", LP_CHART_STACKED},     {"hstacked", LP_CHART_HSTACKED},
        {"line_band", LP_CHART_LINE_BAND}, {"line", LP_CHART_LINE_BAND},
        {"step", LP_CHART_STEP},           {"funnel", LP_CHART_FUNNEL},
        {"intervals", LP_CHART_INTERVALS},
    };
    if (!name) return LP_ERR_NOTFOUND;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(name, kinds[i].name) == 0) {
            *out_kind = kinds[i].kind;
            return LP_OK;
        }
    return LP_ERR_NOTFOUND;
}

lp_chart *lp_chart_new(lp_chart_kind kind)
{
    lp_chart *chart = lp_calloc(1, sizeof(*chart));
    if (!chart) return &nil_chart;
    chart->kind = kind;
    chart->value_labels = -1;
    chart->value_axis.unit = LP_UNIT_NONE;
    chart->x_axis.unit = LP_UNIT_NONE;
    return chart;
}

static void free_strings(char **strings, size_t n)
{
    if (!strings) return;
    for (size_t i = 0; i < n; i++) lp_free(strings[i]);
    lp_free(strings);
}

void lp_chart_free(lp_chart *chart)
{
    if (!chart || chart == &nil_chart) return;
    lp_free(chart->title);
    free_strings(chart->categories, chart->ncategories);
    for (size_t i = 0; i < chart->nseries; i++) {
        series *s = &chart->series[i];
        lp_free(s->name);
        lp_free(s->x);
        lp_free(s->y);
        lp_free(s->low);
        lp_free(s->high);
        free_strings(s->point_labels, s->n);
    }
    lp_free(chart->series);
    for (size_t i = 0; i < chart->nrefs; i++) lp_free(chart->refs[i].label);
    lp_free(chart->refs);
    lp_free(chart->value_axis.caption);
    lp_free(chart->x_axis.caption);
    lp_free(chart);
}

lp_status lp_chart_status(const lp_chart *chart)
{
    return chart ? chart->status : LP_ERR_USAGE;
}

/* Copy of s, or NULL for NULL; a failed copy makes the chart fail. */
static char *copy_string(lp_chart *chart, const char *s)
{
    if (!s) return NULL;
    char *copy = lp_strdup(s);
    if (!copy) fail(chart, LP_ERR_NOMEM);
    return copy;
}

static char **copy_strings(lp_chart *chart, const char *const *strings, size_t n)
{
    char **copy = lp_calloc(n ? n : 1, sizeof(char *));
    if (!copy) {
        fail(chart, LP_ERR_NOMEM);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        copy[i] = copy_string(chart, strings[i] ? strings[i] : "");
        if (!copy[i]) {
            free_strings(copy, n);
            return NULL;
        }
    }
    return copy;
}

static double *copy_doubles(lp_chart *chart, const double *values, size_t n)
{
    if (!values) return NULL;
    double *copy = lp_malloc((n ? n : 1) * sizeof(double));
    if (!copy) {
        fail(chart, LP_ERR_NOMEM);
        return NULL;
    }
    if (n) memcpy(copy, values, n * sizeof(double));
    return copy;
}

void lp_chart_set_title(lp_chart *chart, const char *title)
{
    if (!usable(chart)) return;
    lp_free(chart->title);
    chart->title = (title && *title) ? copy_string(chart, title) : NULL;
}

void lp_chart_set_categories(lp_chart *chart, const char *const *labels, size_t n)
{
    if (!usable(chart)) return;
    if (!labels && n) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    free_strings(chart->categories, chart->ncategories);
    chart->categories = NULL;
    chart->ncategories = 0;
    char **copy = copy_strings(chart, labels, n);
    if (!copy) return;
    chart->categories = copy;
    chart->ncategories = n;
}

/* Appends a zeroed series, or NULL after recording the failure. */
static series *push_series(lp_chart *chart, const char *name)
{
    series *grown = lp_realloc(chart->series, (chart->nseries + 1) * sizeof(series));
    if (!grown) {
        fail(chart, LP_ERR_NOMEM);
        return NULL;
    }
    chart->series = grown;
    series *s = &grown[chart->nseries];
    memset(s, 0, sizeof(*s));
    s->name = copy_string(chart, name ? name : "");
    chart->nseries++;
    return s;
}

void lp_chart_add_series(lp_chart *chart, const char *name, const double *values,
                         const double *low, const double *high, size_t n)
{
    if (!usable(chart)) return;
    if (!values || n != chart->ncategories || chart->kind == LP_CHART_STEP) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    series *s = push_series(chart, name);
    if (!s) return;
    s->n = n;
    s->y = copy_doubles(chart, values, n);
    if (low && high) {
        s->low = copy_doubles(chart, low, n);
        s->high = copy_doubles(chart, high, n);
    }
}

void lp_chart_add_xy_series(lp_chart *chart, const char *name, const double *x,
                            const double *y, size_t n)
{
    if (!usable(chart)) return;
    if (!x || !y || chart->kind != LP_CHART_STEP) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    series *s = push_series(chart, name);
    if (!s) return;
    s->n = n;
    s->x = copy_doubles(chart, x, n);
    s->y = copy_doubles(chart, y, n);
}

void lp_chart_set_point_labels(lp_chart *chart, const char *const *labels, size_t n)
{
    if (!usable(chart)) return;
    if (chart->nseries == 0 || !labels || chart->series[chart->nseries - 1].n != n) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    series *s = &chart->series[chart->nseries - 1];
    free_strings(s->point_labels, s->n);
    s->point_labels = copy_strings(chart, labels, n);
}

void lp_chart_set_value_labels(lp_chart *chart, bool on)
{
    if (usable(chart)) chart->value_labels = on ? 1 : 0;
}

static void set_axis(lp_chart *chart, axis *ax, lp_unit unit, const char *currency,
                     const char *caption)
{
    ax->unit = unit;
    snprintf(ax->currency, sizeof(ax->currency), "%s", currency ? currency : "USD");
    lp_free(ax->caption);
    ax->caption = (caption && *caption) ? copy_string(chart, caption) : NULL;
}

void lp_chart_set_value_axis(lp_chart *chart, lp_unit unit, const char *currency,
                             const char *caption)
{
    if (usable(chart)) set_axis(chart, &chart->value_axis, unit, currency, caption);
}

void lp_chart_set_x_axis(lp_chart *chart, lp_unit unit, const char *caption)
{
    if (usable(chart)) set_axis(chart, &chart->x_axis, unit, NULL, caption);
}

static void set_range(lp_chart *chart, axis *ax, double lo, double hi)
{
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    ax->fixed = true;
    ax->lo = lo;
    ax->hi = hi;
}

void lp_chart_set_value_range(lp_chart *chart, double lo, double hi)
{
    if (usable(chart)) set_range(chart, &chart->value_axis, lo, hi);
}

void lp_chart_set_x_range(lp_chart *chart, double lo, double hi)
{
    if (usable(chart)) set_range(chart, &chart->x_axis, lo, hi);
}

static void push_reference(lp_chart *chart, double value, const char *label, bool on_x)
{
    if (!usable(chart)) return;
    if (!isfinite(value)) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    reference *grown = lp_realloc(chart->refs, (chart->nrefs + 1) * sizeof(reference));
    if (!grown) {
        fail(chart, LP_ERR_NOMEM);
        return;
    }
    chart->refs = grown;
    grown[chart->nrefs] = (reference){value, NULL, on_x};
    chart->nrefs++;
    grown[chart->nrefs - 1].label = (label && *label) ? copy_string(chart, label) : NULL;
}

void lp_chart_add_reference(lp_chart *chart, double value, const char *label)
{
    push_reference(chart, value, label, false);
}

void lp_chart_add_x_reference(lp_chart *chart, double x, const char *label)
{
    push_reference(chart, x, label, true);
}

/* ---- Palette and styles ------------------------------------------------ */

/* Okabe-Ito, reordered so that series next to each other differ in
 * lightness as well as hue (greys 87, 162, 106, 119, 158, 151, 213, 0). */
static const unsigned char palette[8][3] = {
    {0, 114, 178},   /* blue */
    {230, 159, 0},   /* orange */
    {0, 158, 115},   /* bluish green */
    {213, 94, 0},    /* vermillion */
    {86, 180, 233},  /* sky blue */
    {204, 121, 167}, /* reddish purple */
    {240, 228, 66},  /* yellow */
    {0, 0, 0},       /* black */
};

void lp_chart_series_colour(size_t i, double *out_r, double *out_g, double *out_b)
{
    const unsigned char *c = palette[i % 8];
    *out_r = c[0] / 255.0;
    *out_g = c[1] / 255.0;
    *out_b = c[2] / 255.0;
}

static void set_series_colour(cairo_t *cr, size_t i, double alpha)
{
    double r, g, b;
    lp_chart_series_colour(i, &r, &g, &b);
    cairo_set_source_rgba(cr, r, g, b, alpha);
}

/* Hatching over the current path's area for series i (none for the first),
 * so that bars stay apart in greyscale. Keeps the path. */
static void hatch(cairo_t *cr, size_t i)
{
    int pattern = (int)(i % 6);
    if (pattern == 0) return;
    double x1, y1, x2, y2;
    cairo_save(cr);
    cairo_clip_preserve(cr);
    cairo_clip_extents(cr, &x1, &y1, &x2, &y2);
    cairo_new_path(cr);
    double gap = 4.0, size = (x2 - x1) + (y2 - y1);
    for (double t = -size; t <= size; t += gap) {
        switch (pattern) {
        case 1: /* "/" */
            cairo_move_to(cr, x1 + t, y2);
            cairo_line_to(cr, x1 + t + (y2 - y1), y1);
            break;
        case 2: /* "\" */
            cairo_move_to(cr, x1 + t, y1);
            cairo_line_to(cr, x1 + t + (y2 - y1), y2);
            break;
        case 3: /* horizontal */
            cairo_move_to(cr, x1, y1 + t + size);
            cairo_line_to(cr, x2, y1 + t + size);
            break;
        case 4: /* cross */
            cairo_move_to(cr, x1 + t, y2);
            cairo_line_to(cr, x1 + t + (y2 - y1), y1);
            cairo_move_to(cr, x1 + t, y1);
            cairo_line_to(cr, x1 + t + (y2 - y1), y2);
            break;
        default: /* vertical */
            cairo_move_to(cr, x1 + t + size, y1);
            cairo_line_to(cr, x1 + t + size, y2);
            break;
        }
    }
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Fills the current path with series i's colour and hatching. */
static void fill_series(cairo_t *cr, size_t i)
{
    set_series_colour(cr, i, 1.0);
    cairo_fill_preserve(cr);
    hatch(cr, i);
    cairo_new_path(cr);
}

static void set_series_dash(cairo_t *cr, size_t i)
{
    static const double dash[][4] = {{0}, {6, 3}, {1.5, 2.5}, {6, 2, 1.5, 2}};
    static const int ndash[] = {0, 2, 2, 4};
    int k = (int)(i % 4);
    cairo_set_dash(cr, dash[k], ndash[k], 0);
}

/* Marker shape by series: circle, square, triangle, diamond. */
static void marker(cairo_t *cr, size_t i, double x, double y, double r)
{
    switch (i % 4) {
    case 0:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        break;
    case 1:
        cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
        break;
    case 2:
        cairo_move_to(cr, x, y - r * 1.2);
        cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
        cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
        cairo_close_path(cr);
        break;
    default:
        cairo_move_to(cr, x, y - r * 1.3);
        cairo_line_to(cr, x + r * 1.3, y);
        cairo_line_to(cr, x, y + r * 1.3);
        cairo_line_to(cr, x - r * 1.3, y);
        cairo_close_path(cr);
        break;
    }
}

/* ---- Text -------------------------------------------------------------- */

/* A layout of s at an absolute size (user units); max_width > 0 wraps it
 * at its words (labels are never cut or ellipsised). */
static PangoLayout *make_layout(cairo_t *cr, const char *s, double size, bool bold,
                                double max_width)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string(FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    if (max_width > 0) {
        pango_layout_set_width(layout, (int)(max_width * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD);
    }
    pango_layout_set_text(layout, s, -1);
    return layout;
}

static void text_size_wrapped(cairo_t *cr, const char *s, double size, bool bold,
                              double max_width, double *out_w, double *out_h)
{
    PangoLayout *layout = make_layout(cr, s, size, bold, max_width);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    g_object_unref(layout);
    *out_w = w;
    *out_h = h;
}

/* Widest single word of s: the narrowest a wrapped label can be. */
static double widest_word(cairo_t *cr, const char *s, double size, bool bold)
{
    double widest = 0, w, h;
    char word[128];
    while (*s) {
        while (*s == ' ') s++;
        size_t n = strcspn(s, " ");
        if (n == 0) break;
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, s, n);
        word[n] = '\0';
        text_size_wrapped(cr, word, size, bold, 0, &w, &h);
        widest = fmax(widest, w);
        s += n;
    }
    return widest;
}

static void text_size(cairo_t *cr, const char *s, double size, bool bold,
                      double *out_w, double *out_h)
{
    PangoLayout *layout = make_layout(cr, s, size, bold, 0);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    g_object_unref(layout);
    *out_w = w;
    *out_h = h;
}

enum { LEFT, CENTRE, RIGHT };
enum { TOP, MIDDLE, BOTTOM };

/* Draws s anchored at (x, y): halign LEFT/CENTRE/RIGHT, valign TOP/MIDDLE/
 * BOTTOM. max_width > 0 wraps longer text at its words. Colour is the current
 * one. */
static void text_at(cairo_t *cr, const char *s, double size, bool bold, double x,
                    double y, int halign, int valign, double max_width)
{
    PangoLayout *layout = make_layout(cr, s, size, bold, max_width);
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(layout, &ink, &logical);
    double w = logical.width, h = logical.height;
    double left = halign == LEFT ? x : halign == CENTRE ? x - w / 2 : x - w;
    double top = valign == TOP ? y : valign == MIDDLE ? y - h / 2 : y - h;
    cairo_move_to(cr, left - logical.x, top);
    pango_cairo_show_layout(cr, layout);
    cairo_new_path(cr);
    g_object_unref(layout);
}

/* ---- Numbers ----------------------------------------------------------- */

/* A tick of an axis, step apart from its neighbours (lp_fmt_tick). */
static void fmt_value(const axis *ax, double value, double step, char *buf, size_t size)
{
    lp_fmt_tick(ax->unit, value, step, ax->currency, buf, size);
}

/* 1, 2 or 5 times a power of ten, near range / target. */
static double nice_step(double range, int target)
{
    double raw = range / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return n * mag;
}

/* Chooses the axis range and tick step from the data range [lo, hi]. */
static void fit_axis(axis *ax, double lo, double hi, bool from_zero, int target)
{
    if (ax->fixed) {
        ax->step = nice_step(ax->hi - ax->lo, target);
        return;
    }
    if (!isfinite(lo) || !isfinite(hi)) lo = 0, hi = 1;
    if (from_zero) {
        if (lo > 0) lo = 0;
        if (hi < 0) hi = 0;
    }
    if (hi - lo < 1e-12) hi = lo + (ax->unit == LP_UNIT_SHARE ? 0.1 : 1);
    ax->step = nice_step(hi - lo, target);
    ax->lo = floor(lo / ax->step + 1e-9) * ax->step;
    ax->hi = ceil(hi / ax->step - 1e-9) * ax->step;
    if ((ax->unit == LP_UNIT_NONE || ax->unit == LP_UNIT_COUNT) && ax->step < 1 && hi > 2) {
        /* Whole-number data on a short axis: keep whole ticks. */
        ax->step = 1;
        ax->hi = ceil(hi);
    }
    /* Data near the limits of a double (an amount of 1.7e308 rounds up to
     * an infinite axis end) or a range lost in the magnitude of its values
     * (1e20 .. 1e20 + 1) would give tick loops that never end: fall back to
     * the data's own range, kept finite, in target equal steps. */
    if (!isfinite(ax->lo) || !isfinite(ax->hi) || !(ax->step > 0) || !isfinite(ax->step) ||
        (ax->hi - ax->lo) / ax->step > 100 || ax->lo + ax->step == ax->lo) {
        lo = fmax(lo, -1e300);
        hi = fmin(hi, 1e300);
        double span = fmax(hi - lo, fmax(fabs(lo), fabs(hi)) * 1e-3);
        if (!(span > 0)) span = 1;
        ax->lo = lo;
        ax->hi = lo + span;
        ax->step = span / target;
    }
}

/* ---- Drawing ----------------------------------------------------------- */

typedef struct frame {
    cairo_t *cr;
    double px, py, pw, ph;   /* plot area */
    bool horizontal;         /* categories down the side */
} frame;

static double value_pos(const lp_chart *chart, const frame *f, double v)
{
    const axis *ax = &chart->value_axis;
    double t = (v - ax->lo) / (ax->hi - ax->lo);
    return f->horizontal ? f->px + f->pw * t : f->py + f->ph * (1 - t);
}

static double x_pos(const lp_chart *chart, const frame *f, double x)
{
    const axis *ax = &chart->x_axis;
    return f->px + f->pw * (x - ax->lo) / (ax->hi - ax->lo);
}

/* Start and size of category i's band along the category axis. */
static void band(const lp_chart *chart, const frame *f, size_t i, double *out_start,
                 double *out_size)
{
    size_t n = chart->ncategories ? chart->ncategories : 1;
    double length = f->horizontal ? f->ph : f->pw;
    *out_size = length / (double)n;
    *out_start = (f->horizontal ? f->py : f->px) + (double)i * *out_size;
}

static bool stacked(const lp_chart *chart)
{
    return chart->kind == LP_CHART_STACKED || chart->kind == LP_CHART_HSTACKED;
}

/* Data range over every series (bands and whiskers included). */
static void data_range(const lp_chart *chart, double *out_lo, double *out_hi)
{
    double lo = INFINITY, hi = -INFINITY;
    if (stacked(chart)) {
        for (size_t c = 0; c < chart->ncategories; c++) {
            double sum = 0;
            for (size_t s = 0; s < chart->nseries; s++)
                if (isfinite(chart->series[s].y[c]) && chart->series[s].y[c] > 0)
                    sum += chart->series[s].y[c];
            hi = fmax(hi, sum);
        }
        lo = 0;
    } else {
        for (size_t s = 0; s < chart->nseries; s++) {
            const series *se = &chart->series[s];
            for (size_t i = 0; i < se->n; i++) {
                double vals[3] = {se->y[i], se->low ? se->low[i] : NAN,
                                  se->high ? se->high[i] : NAN};
                for (int k = 0; k < 3; k++)
                    if (isfinite(vals[k])) lo = fmin(lo, vals[k]), hi = fmax(hi, vals[k]);
            }
        }
    }
    for (size_t r = 0; r < chart->nrefs; r++)
        if (!chart->refs[r].on_x)
            lo = fmin(lo, chart->refs[r].value), hi = fmax(hi, chart->refs[r].value);
    *out_lo = lo;
    *out_hi = hi;
}

static void grey(cairo_t *cr, double level) { cairo_set_source_rgb(cr, level, level, level); }

/* Direct label text for point i of series s into buf. */
static void point_label(const lp_chart *chart, const series *s, size_t i, char *buf,
                        size_t size)
{
    if (s->point_labels) {
        snprintf(buf, size, "%s", s->point_labels[i]);
        return;
    }
    lp_fmt_unit(chart->value_axis.unit, s->y[i], chart->value_axis.currency, buf, size);
}

static bool show_value_labels(const lp_chart *chart)
{
    if (chart->value_labels >= 0) return chart->value_labels == 1;
    switch (chart->kind) {
    case LP_CHART_FUNNEL:
    case LP_CHART_INTERVALS:
        return true;
    case LP_CHART_BARS:
    case LP_CHART_HBARS:
        return chart->nseries == 1 && chart->ncategories <= 16;
    default:
        return false;
    }
}

/* Grid lines and tick labels of the value axis. */
static void draw_value_axis(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    const axis *ax = &chart->value_axis;
    char label[64];
    cairo_set_line_width(cr, 0.5);
    for (double v = ceil(ax->lo / ax->step - 1e-9) * ax->step; v <= ax->hi + ax->step * 1e-6;
         v += ax->step) {
        double p = value_pos(chart, f, v);
        grey(cr, fabs(v) < ax->step * 1e-6 ? 0.35 : 0.86);
        if (f->horizontal) {
            cairo_move_to(cr, p, f->py);
            cairo_line_to(cr, p, f->py + f->ph);
        } else {
            cairo_move_to(cr, f->px, p);
            cairo_line_to(cr, f->px + f->pw, p);
        }
        cairo_stroke(cr);
        fmt_value(ax, fabs(v) < ax->step * 1e-6 ? 0 : v, ax->step, label, sizeof(label));
        grey(cr, 0.25);
        if (f->horizontal)
            text_at(cr, label, SMALL_SIZE, false, p, f->py + f->ph + 3, CENTRE, TOP, 0);
        else
            text_at(cr, label, SMALL_SIZE, false, f->px - 4, p, RIGHT, MIDDLE, 0);
    }
}

/* Category labels, thinned so that they never overlap; the last (usually
 * the report period) is always shown. */
static void draw_categories(const lp_chart *chart, const frame *f, double label_room)
{
    cairo_t *cr = f->cr;
    size_t n = chart->ncategories;
    if (n == 0) return;
    double start, size, widest = 0, tallest = 0;
    band(chart, f, 0, &start, &size);
    for (size_t i = 0; i < n; i++) {
        double w, h;
        text_size(cr, chart->categories[i], LABEL_SIZE, false, &w, &h);
        widest = fmax(widest, w);
        if (f->horizontal && label_room > 0)
            text_size_wrapped(cr, chart->categories[i], LABEL_SIZE, false, label_room, &w, &h);
        tallest = fmax(tallest, h);
    }
    double need = f->horizontal ? tallest : fmin(widest, 90) + 6;
    size_t every = (size_t)ceil(need / size);
    if (every < 1) every = 1;
    grey(cr, 0.15);
    for (size_t i = 0; i < n; i++) {
        if ((n - 1 - i) % every != 0) continue;
        band(chart, f, i, &start, &size);
        if (f->horizontal)
            text_at(cr, chart->categories[i], LABEL_SIZE, false, f->px - 5,
                    start + size / 2, RIGHT, MIDDLE, label_room);
        else
            text_at(cr, chart->categories[i], LABEL_SIZE, false, start + size / 2,
                    f->py + f->ph + 3, CENTRE, TOP, size * every - 2);
    }
}

static void draw_bars(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    bool labels = show_value_labels(chart);
    double zero = value_pos(chart, f, fmax(chart->value_axis.lo, fmin(0, chart->value_axis.hi)));
    size_t groups = stacked(chart) || chart->nseries == 0 ? 1 : chart->nseries;
    char text[96];
    for (size_t c = 0; c < chart->ncategories; c++) {
        double start, size, base = 0;
        band(chart, f, c, &start, &size);
        double bar = size * 0.7 / (double)groups;
        for (size_t s = 0; s < chart->nseries; s++) {
            const series *se = &chart->series[s];
            double v = se->y[c];
            if (!isfinite(v)) continue;
            double from = stacked(chart) ? base : 0;
            double to = stacked(chart) ? base + fmax(v, 0) : v;
            if (stacked(chart)) base = to;
            double a = start + size * 0.15 + (stacked(chart) ? 0 : bar * (double)s);
            double p0 = stacked(chart) ? value_pos(chart, f, from) : zero;
            double p1 = value_pos(chart, f, to);
            if (f->horizontal)
                cairo_rectangle(cr, fmin(p0, p1), a, fabs(p1 - p0), bar);
            else
                cairo_rectangle(cr, a, fmin(p0, p1), bar, fabs(p1 - p0));
            fill_series(cr, s);
            if (se->low && se->high && isfinite(se->low[c]) && isfinite(se->high[c])) {
                double l = value_pos(chart, f, se->low[c]), h = value_pos(chart, f, se->high[c]);
                double mid = a + bar / 2, cap = fmin(bar / 4, 4);
                grey(cr, 0.1);
                cairo_set_line_width(cr, 0.9);
                if (f->horizontal) {
                    cairo_move_to(cr, l, mid), cairo_line_to(cr, h, mid);
                    cairo_move_to(cr, l, mid - cap), cairo_line_to(cr, l, mid + cap);
                    cairo_move_to(cr, h, mid - cap), cairo_line_to(cr, h, mid + cap);
                } else {
                    cairo_move_to(cr, mid, l), cairo_line_to(cr, mid, h);
                    cairo_move_to(cr, mid - cap, l), cairo_line_to(cr, mid + cap, l);
                    cairo_move_to(cr, mid - cap, h), cairo_line_to(cr, mid + cap, h);
                }
                cairo_stroke(cr);
            }
            if (labels && !stacked(chart)) {
                point_label(chart, se, c, text, sizeof(text));
                double end = p1;
                if (se->high && isfinite(se->high[c]))
                    end = f->horizontal ? fmax(p1, value_pos(chart, f, se->high[c]))
                                        : fmin(p1, value_pos(chart, f, se->high[c]));
                grey(cr, 0.1);
                if (f->horizontal)
                    text_at(cr, text, SMALL_SIZE, false, end + 3, a + bar / 2, LEFT, MIDDLE, 0);
                else
                    text_at(cr, text, SMALL_SIZE, false, a + bar / 2, end - 2, CENTRE, BOTTOM, 0);
            }
        }
    }
}

static void draw_lines(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    for (size_t s = 0; s < chart->nseries; s++) {
        const series *se = &chart->series[s];
        double start, size;
        /* Band: one polygon per run of points that have low and high. */
        if (se->low && se->high) {
            size_t i = 0;
            while (i < se->n) {
                while (i < se->n && !(isfinite(se->low[i]) && isfinite(se->high[i]))) i++;
                size_t first = i;
                while (i < se->n && isfinite(se->low[i]) && isfinite(se->high[i])) i++;
                if (i == first) continue;
                for (size_t k = first; k < i; k++) {
                    band(chart, f, k, &start, &size);
                    double x = start + size / 2, y = value_pos(chart, f, se->high[k]);
                    if (k == first) cairo_move_to(cr, x, y);
                    else cairo_line_to(cr, x, y);
                }
                for (size_t k = i; k-- > first;) {
                    band(chart, f, k, &start, &size);
                    cairo_line_to(cr, start + size / 2, value_pos(chart, f, se->low[k]));
                }
                cairo_close_path(cr);
                set_series_colour(cr, s, 0.22);
                cairo_fill(cr);
            }
        }
        bool pen_down = false;
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->y[i])) {
                pen_down = false;
                continue;
            }
            band(chart, f, i, &start, &size);
            double x = start + size / 2, y = value_pos(chart, f, se->y[i]);
            if (pen_down) cairo_line_to(cr, x, y);
            else cairo_move_to(cr, x, y);
            pen_down = true;
        }
        set_series_colour(cr, s, 1.0);
        cairo_set_line_width(cr, 1.8);
        set_series_dash(cr, s);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (se->n <= 40) {
            for (size_t i = 0; i < se->n; i++) {
                if (!isfinite(se->y[i])) continue;
                band(chart, f, i, &start, &size);
                marker(cr, s, start + size / 2, value_pos(chart, f, se->y[i]), 2.4);
            }
            set_series_colour(cr, s, 1.0);
            cairo_fill(cr);
        }
    }
}

static void draw_steps(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    for (size_t s = 0; s < chart->nseries; s++) {
        const series *se = &chart->series[s];
        if (se->n == 0) continue;
        double level = 0;
        double x0 = se->x[0] > 0 ? 0 : se->x[0];
        cairo_move_to(cr, x_pos(chart, f, x0), value_pos(chart, f, se->x[0] > 0 ? 0 : se->y[0]));
        if (se->x[0] <= 0) level = se->y[0];
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->x[i]) || !isfinite(se->y[i])) continue;
            double x = x_pos(chart, f, fmin(se->x[i], chart->x_axis.hi));
            cairo_line_to(cr, x, value_pos(chart, f, level));
            level = se->y[i];
            cairo_line_to(cr, x, value_pos(chart, f, level));
        }
        set_series_colour(cr, s, 1.0);
        cairo_set_line_width(cr, 1.8);
        set_series_dash(cr, s);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        /* One marker at the end tells the curves apart in greyscale. */
        size_t last = se->n - 1;
        marker(cr, s, x_pos(chart, f, fmin(se->x[last], chart->x_axis.hi)),
               value_pos(chart, f, se->y[last]), 2.6);
        set_series_colour(cr, s, 1.0);
        cairo_fill(cr);
    }
}

static void draw_x_axis(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    const axis *ax = &chart->x_axis;
    char label[64];
    cairo_set_line_width(cr, 0.5);
    for (double x = ceil(ax->lo / ax->step - 1e-9) * ax->step; x <= ax->hi + ax->step * 1e-6;
         x += ax->step) {
        double p = x_pos(chart, f, x);
        grey(cr, 0.86);
        cairo_move_to(cr, p, f->py);
        cairo_line_to(cr, p, f->py + f->ph);
        cairo_stroke(cr);
        fmt_value(ax, fabs(x) < ax->step * 1e-6 ? 0 : x, ax->step, label, sizeof(label));
        grey(cr, 0.25);
        text_at(cr, label, SMALL_SIZE, false, p, f->py + f->ph + 3, CENTRE, TOP, 0);
    }
}

static void draw_funnel(const lp_chart *chart, const frame *f, double label_room)
{
    cairo_t *cr = f->cr;
    if (chart->nseries == 0) return;
    const series *se = &chart->series[0];
    double widest = 0;
    for (size_t i = 0; i < se->n; i++)
        if (isfinite(se->y[i])) widest = fmax(widest, se->y[i]);
    if (!(widest > 0)) widest = 1;
    char text[96];
    bool labels = show_value_labels(chart);
    double room = f->pw - (labels ? label_room : 0);
    for (size_t i = 0; i < se->n; i++) {
        double start, size;
        band(chart, f, i, &start, &size);
        if (!isfinite(se->y[i])) continue;
        double w = fmax(room * se->y[i] / widest, 1);
        double left = f->px + (room - w) / 2;
        cairo_rectangle(cr, left, start + size * 0.12, w, size * 0.76);
        fill_series(cr, 0);
        if (labels) {
            point_label(chart, se, i, text, sizeof(text));
            grey(cr, 0.1);
            text_at(cr, text, LABEL_SIZE, false, left + w + 4, start + size / 2, LEFT, MIDDLE,
                    label_room + (room - w) / 2 - 4);
        }
    }
}

static void draw_intervals(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    bool labels = show_value_labels(chart);
    char text[96];
    size_t ns = chart->nseries ? chart->nseries : 1;
    for (size_t c = 0; c < chart->ncategories; c++) {
        double start, size;
        band(chart, f, c, &start, &size);
        for (size_t s = 0; s < chart->nseries; s++) {
            const series *se = &chart->series[s];
            double row = start + size * ((double)s + 0.5) / (double)ns;
            double end = -INFINITY;
            if (se->low && se->high && isfinite(se->low[c]) && isfinite(se->high[c])) {
                double l = value_pos(chart, f, se->low[c]), h = value_pos(chart, f, se->high[c]);
                double cap = fmin(size / (double)ns * 0.25, 4);
                set_series_colour(cr, s, 1.0);
                cairo_set_line_width(cr, 1.4);
                cairo_move_to(cr, l, row), cairo_line_to(cr, h, row);
                cairo_move_to(cr, l, row - cap), cairo_line_to(cr, l, row + cap);
                cairo_move_to(cr, h, row - cap), cairo_line_to(cr, h, row + cap);
                cairo_stroke(cr);
                end = fmax(l, h);
            }
            if (!isfinite(se->y[c])) continue;
            double p = value_pos(chart, f, se->y[c]);
            marker(cr, s, p, row, 3.2);
            set_series_colour(cr, s, 1.0);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 0.6);
            cairo_stroke(cr);
            if (labels) {
                point_label(chart, se, c, text, sizeof(text));
                grey(cr, 0.1);
                text_at(cr, text, SMALL_SIZE, false, fmax(end, p + 3) + 4, row, LEFT, MIDDLE, 0);
            }
        }
    }
}

static void draw_references(const lp_chart *chart, const frame *f)
{
    cairo_t *cr = f->cr;
    static const double dash[] = {4, 2.5};
    for (size_t r = 0; r < chart->nrefs; r++) {
        const reference *ref = &chart->refs[r];
        bool vertical_line = ref->on_x || f->horizontal;
        double p = ref->on_x ? x_pos(chart, f, ref->value) : value_pos(chart, f, ref->value);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.1);
        cairo_set_dash(cr, dash, 2, 0);
        if (vertical_line) {
            cairo_move_to(cr, p, f->py);
            cairo_line_to(cr, p, f->py + f->ph);
        } else {
            cairo_move_to(cr, f->px, p);
            cairo_line_to(cr, f->px + f->pw, p);
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (!ref->label) continue;
        double w, h;
        text_size(cr, ref->label, SMALL_SIZE, true, &w, &h);
        double lx, ly;
        if (vertical_line) {
            lx = fmin(p + 2, f->px + f->pw - w);
            ly = f->py - h - 1;
        } else {
            lx = f->px + f->pw - w - 2;
            ly = p - h - 1;
        }
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_rectangle(cr, lx - 1, ly, w + 2, h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, ref->label, SMALL_SIZE, true, lx, ly, LEFT, TOP, 0);
    }
}

/* Legend swatches in rows across the top; returns the height used. When
 * draw is false it only measures. */
static double legend(const lp_chart *chart, cairo_t *cr, double x, double y, double w,
                     bool draw)
{
    bool lines = chart->kind == LP_CHART_LINE_BAND || chart->kind == LP_CHART_STEP ||
                 chart->kind == LP_CHART_INTERVALS;
    double cx = x, cy = y, row_h = 0;
    for (size_t s = 0; s < chart->nseries; s++) {
        double tw, th;
        text_size(cr, chart->series[s].name, LABEL_SIZE, false, &tw, &th);
        double item = 16 + tw + 12;
        if (cx > x && cx + item > x + w) {
            cx = x;
            cy += row_h + 2;
        }
        row_h = fmax(row_h, th);
        if (draw) {
            double my = cy + th / 2;
            if (lines) {
                set_series_colour(cr, s, 1.0);
                cairo_set_line_width(cr, 1.8);
                set_series_dash(cr, s);
                cairo_move_to(cr, cx, my);
                cairo_line_to(cr, cx + 13, my);
                cairo_stroke(cr);
                cairo_set_dash(cr, NULL, 0, 0);
                marker(cr, s, cx + 6.5, my, 2.4);
                cairo_fill(cr);
            } else {
                cairo_rectangle(cr, cx, my - 4.5, 12, 9);
                fill_series(cr, s);
            }
            grey(cr, 0.1);
            text_at(cr, chart->series[s].name, LABEL_SIZE, false, cx + 16, cy, LEFT, TOP, 0);
        }
        cx += item;
    }
    return chart->nseries ? cy - y + row_h + 4 : 0;
}

/* Widest tick label of the value axis. */
static double tick_label_width(const lp_chart *chart, cairo_t *cr, const axis *ax)
{
    char label[64];
    double widest = 0, w, h;
    for (double v = ceil(ax->lo / ax->step - 1e-9) * ax->step; v <= ax->hi + ax->step * 1e-6;
         v += ax->step) {
        fmt_value(ax, fabs(v) < ax->step * 1e-6 ? 0 : v, ax->step, label, sizeof(label));
        text_size(cr, label, SMALL_SIZE, false, &w, &h);
        widest = fmax(widest, w);
    }
    (void)chart;
    return widest;
}

/* Widest direct label of any point, capped at limit. */
static double point_label_width(const lp_chart *chart, cairo_t *cr, double limit)
{
    char text[96];
    double widest = 0, w, h;
    for (size_t s = 0; s < chart->nseries; s++)
        for (size_t i = 0; i < chart->series[s].n; i++) {
            if (!isfinite(chart->series[s].y[i])) continue;
            point_label(chart, &chart->series[s], i, text, sizeof(text));
            text_size(cr, text, chart->kind == LP_CHART_FUNNEL ? LABEL_SIZE : SMALL_SIZE, false,
                      &w, &h);
            widest = fmax(widest, w);
        }
    return fmin(widest + 6, limit);
}

void lp_chart_draw(lp_chart *chart, cairo_t *cr, double x, double y, double w, double h)
{
    if (!usable(chart)) return;
    if (!cr || w <= 0 || h <= 0) {
        fail(chart, LP_ERR_USAGE);
        return;
    }
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);

    double top = y, th, tw;
    if (chart->title) {
        grey(cr, 0);
        text_at(cr, chart->title, TITLE_SIZE, true, x, y, LEFT, TOP, w);
        text_size_wrapped(cr, chart->title, TITLE_SIZE, true, w, &tw, &th);
        top += th + 4;
    }
    bool horizontal = chart->kind == LP_CHART_HBARS || chart->kind == LP_CHART_HSTACKED ||
                      chart->kind == LP_CHART_FUNNEL || chart->kind == LP_CHART_INTERVALS;
    bool has_axis = chart->kind != LP_CHART_FUNNEL;
    if (chart->nseries >= 2 && chart->kind != LP_CHART_FUNNEL)
        top += legend(chart, cr, x, top, w, true);
    double caption_h = 0;
    if (chart->value_axis.caption && has_axis && !horizontal) {
        text_size(cr, chart->value_axis.caption, SMALL_SIZE, false, &tw, &caption_h);
        grey(cr, 0.3);
        text_at(cr, chart->value_axis.caption, SMALL_SIZE, false, x, top, LEFT, TOP, w);
        caption_h += 2;
    }
    top += caption_h;
    /* Room above the plot for reference labels and bar-top value labels. */
    double small_w, small_h;
    text_size(cr, "0", SMALL_SIZE, false, &small_w, &small_h);
    bool ref_above = false;
    for (size_t r = 0; r < chart->nrefs; r++)
        if (chart->refs[r].label && (chart->refs[r].on_x || horizontal)) ref_above = true;
    if (ref_above || (!horizontal && show_value_labels(chart))) top += small_h + 2;
    else if (!horizontal) top += small_h / 2 + 1; /* the top tick label's upper half */

    double lo, hi;
    data_range(chart, &lo, &hi);
    frame f = {.cr = cr, .horizontal = horizontal};
    double left = x, right = x + w, bottom = y + h;
    double category_room = 0;
    if (chart->kind == LP_CHART_STEP) {
        double xlo = 0, xhi = -INFINITY;
        for (size_t s = 0; s < chart->nseries; s++)
            for (size_t i = 0; i < chart->series[s].n; i++)
                if (isfinite(chart->series[s].x[i]))
                    xlo = fmin(xlo, chart->series[s].x[i]), xhi = fmax(xhi, chart->series[s].x[i]);
        for (size_t r = 0; r < chart->nrefs; r++)
            if (chart->refs[r].on_x) xhi = fmax(xhi, chart->refs[r].value);
        fit_axis(&chart->x_axis, xlo, xhi, true, 6);
    }
    /* Bars, funnels and intervals are read by length: their axis starts at
     * zero. A line is read by shape: its axis hugs the data. */
    fit_axis(&chart->value_axis, lo, hi, chart->kind != LP_CHART_LINE_BAND, horizontal ? 5 : 4);

    if (horizontal) {
        double widest = 0, longest_word = 0, lw, lh;
        for (size_t i = 0; i < chart->ncategories; i++) {
            text_size(cr, chart->categories[i], LABEL_SIZE, false, &lw, &lh);
            widest = fmax(widest, lw);
            longest_word = fmax(longest_word, widest_word(cr, chart->categories[i], LABEL_SIZE,
                                                          false));
        }
        /* Labels wrap at their words beyond a third of the width; a word
         * is never cut. */
        category_room = fmax(fmin(widest, w * 0.35), fmin(longest_word + 1, w * 0.5));
        left += category_room + 6;
        if (has_axis) bottom -= small_h + 4;
        if (chart->value_axis.caption && has_axis) {
            text_size(cr, chart->value_axis.caption, SMALL_SIZE, false, &tw, &th);
            bottom -= th + 2;
            grey(cr, 0.3);
            text_at(cr, chart->value_axis.caption, SMALL_SIZE, false, x + w, y + h, RIGHT,
                    BOTTOM, w);
        }
        /* The last tick label is centred on the right end of the axis. */
        char last[64];
        double last_w = 0, last_h;
        if (has_axis) {
            fmt_value(&chart->value_axis, chart->value_axis.hi, chart->value_axis.step, last,
                      sizeof(last));
            text_size(cr, last, SMALL_SIZE, false, &last_w, &last_h);
        }
        double room = last_w / 2 + 2;
        if (show_value_labels(chart) && chart->kind != LP_CHART_FUNNEL)
            room = fmax(room, point_label_width(chart, cr, w * 0.25));
        right -= fmax(room, 4);
    } else {
        left += tick_label_width(chart, cr, &chart->value_axis) + 6;
        /* The last category or x tick label is centred on the right edge
         * region: keep its right half inside. */
        double last_w = 0, last_h;
        if (chart->kind == LP_CHART_STEP) {
            char label[64];
            fmt_value(&chart->x_axis, chart->x_axis.hi, chart->x_axis.step, label, sizeof(label));
            text_size(cr, label, SMALL_SIZE, false, &last_w, &last_h);
            last_w /= 2;
        } else if (chart->ncategories) {
            text_size(cr, chart->categories[chart->ncategories - 1], LABEL_SIZE, false, &last_w,
                      &last_h);
            last_w = last_w / 2 - w / (double)chart->ncategories * 0.4;
        }
        right -= fmax(6, last_w + 2);
        double lw, lh;
        text_size(cr, "Ag", LABEL_SIZE, false, &lw, &lh);
        /* Category labels wrap at their words within the bands they get
         * (draw_categories thins them out the same way): room for the
         * tallest. */
        if (chart->kind != LP_CHART_STEP && chart->ncategories) {
            double widest = 0, cw, ch;
            for (size_t i = 0; i < chart->ncategories; i++) {
                text_size(cr, chart->categories[i], LABEL_SIZE, false, &cw, &ch);
                widest = fmax(widest, cw);
            }
            double band_w = fmax(right - left, 1) / (double)chart->ncategories;
            size_t every = (size_t)ceil((fmin(widest, 90) + 6) / band_w);
            if (every < 1) every = 1;
            for (size_t i = 0; i < chart->ncategories; i++) {
                text_size_wrapped(cr, chart->categories[i], LABEL_SIZE, false,
                                  band_w * (double)every - 2, &cw, &ch);
                lh = fmax(lh, ch);
            }
        }
        bottom -= lh + 4;
        if (chart->kind == LP_CHART_STEP && chart->x_axis.caption) {
            text_size(cr, chart->x_axis.caption, SMALL_SIZE, false, &tw, &th);
            bottom -= th + 2;
            grey(cr, 0.3);
            text_at(cr, chart->x_axis.caption, SMALL_SIZE, false, x + w, y + h, RIGHT, BOTTOM, w);
        }
    }
    f.px = left;
    f.py = top;
    f.pw = fmax(right - left, 1);
    f.ph = fmax(bottom - top, 1);

    double dx = f.px, dy = f.py, dx2 = f.px + f.pw, dy2 = f.py + f.ph;
    cairo_user_to_device(cr, &dx, &dy);
    cairo_user_to_device(cr, &dx2, &dy2);
    chart->plot[0] = dx, chart->plot[1] = dy;
    chart->plot[2] = dx2 - dx, chart->plot[3] = dy2 - dy;

    switch (chart->kind) {
    case LP_CHART_STEP:
        draw_value_axis(chart, &f);
        draw_x_axis(chart, &f);
        draw_steps(chart, &f);
        break;
    case LP_CHART_FUNNEL:
        draw_categories(chart, &f, category_room);
        draw_funnel(chart, &f, point_label_width(chart, cr, w * 0.4));
        break;
    case LP_CHART_LINE_BAND:
        draw_value_axis(chart, &f);
        draw_categories(chart, &f, category_room);
        draw_lines(chart, &f);
        break;
    case LP_CHART_INTERVALS:
        draw_value_axis(chart, &f);
        draw_categories(chart, &f, category_room);
        draw_intervals(chart, &f);
        break;
    default:
        draw_value_axis(chart, &f);
        draw_categories(chart, &f, category_room);
        draw_bars(chart, &f);
        break;
    }
    draw_references(chart, &f);
    cairo_restore(cr);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) fail(chart, LP_ERR_OUTPUT);
}

void lp_chart_plot_area(const lp_chart *chart, double *out_x, double *out_y, double *out_w,
                        double *out_h)
{
    double zero[4] = {0};
    const double *p = chart ? chart->plot : zero;
    if (out_x) *out_x = p[0];
    if (out_y) *out_y = p[1];
    if (out_w) *out_w = p[2];
    if (out_h) *out_h = p[3];
}

/* ---- Files ------------------------------------------------------------- */

lp_status lp_chart_write_png(lp_chart *chart, int width, int height, const char *path)
{
    if (!usable(chart)) return chart ? chart->status : LP_ERR_USAGE;
    if (width <= 0 || height <= 0 || !path) return LP_ERR_USAGE;
    lp_outfile out;
    lp_status st = lp_outfile_prepare(&out, path);
    if (st) return st;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    lp_chart_draw(chart, cr, 4, 4, width / PNG_SCALE - 8, height / PNG_SCALE - 8);
    cairo_destroy(cr);
    st = chart->status;
    if (!st && cairo_surface_write_to_png(surface, out.tmp_path) != CAIRO_STATUS_SUCCESS)
        st = LP_ERR_OUTPUT;
    cairo_surface_destroy(surface);
    if (st) {
        lp_outfile_abort(&out);
        return st;
    }
    return lp_outfile_commit(&out);
}

lp_status lp_chart_write_svg(lp_chart *chart, double width, double height, const char *path)
{
    if (!usable(chart)) return chart ? chart->status : LP_ERR_USAGE;
    if (!(width > 0) || !(height > 0) || !path) return LP_ERR_USAGE;
    lp_outfile out;
    lp_status st = lp_outfile_prepare(&out, path);
    if (st) return st;
    cairo_surface_t *surface = cairo_svg_surface_create(out.tmp_path, width, height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    lp_chart_draw(chart, cr, 4, 4, width - 8, height - 8);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    st = chart->status;
    if (!st && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) st = LP_ERR_OUTPUT;
    cairo_surface_destroy(surface);
    if (st) {
        lp_outfile_abort(&out);
        return st;
    }
    return lp_outfile_commit(&out);
}
