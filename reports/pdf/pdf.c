/*
 * The leadership pack as a PDF (pdf.h).
 *
 * The document is laid out twice with the same code: a first pass into a
 * PDF surface whose bytes are thrown away counts the pages and records the
 * page each section starts on (for "Page N of M" and the cover's contents),
 * and a second pass writes the file. Layout is a cursor (d->y) moving down
 * the page; anything that does not fit below it starts a new page.
 */
#include "lp/pdf.h"

#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "lp/chart.h"
#include "lp/figures.h"
#include "lp/fileio.h"
#include "lp/format.h"
#include "lp/time.h"

#define FONT_FAMILY "DejaVu Sans"
#define MARGIN 48.0          /* points on every side */
#define FOOTER_GAP 26.0      /* space kept for the footer above the bottom margin */
#define TITLE_SIZE 17.0
#define H2_SIZE 11.0
#define BODY_SIZE 9.5
#define TABLE_SIZE 8.0
#define FOOTER_SIZE 7.5
#define ROW_HEIGHT 13.5
#define CELL_PAD 4.0
#define GAP 10.0             /* between blocks */
#define CHART_HEIGHT 210.0
#define TABLE_ROWS 13        /* rows of a compact table: a whole window */

typedef struct doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    double page_w, page_h;
    double bottom;              /* lowest y content may reach */
    double y;                   /* layout cursor */
    int page;                   /* current page, 1-based; 0 before the first */
    int total_pages;            /* from the first pass; 0 while counting */
    int *section_pages;         /* start page per template section (0: not shown) */
    const char *section_title;  /* heading repeated on continued pages */
    const lp_results *results;
    const lp_narrative *narrative;
    const lp_template *tpl;
    const char *currency;
    char footer[320];
    lp_status status;           /* first failure */
} doc;

static double content_width(const doc *d) { return d->page_w - 2 * MARGIN; }

static void grey(cairo_t *cr, double level) { cairo_set_source_rgb(cr, level, level, level); }

static void fail(doc *d, lp_status status)
{
    if (d->status == LP_OK) d->status = status;
}

/* ---- Text -------------------------------------------------------------- */

/* A word-wrapped layout of text, width in points (<= 0: one line). With
 * ellipsize, text longer than width ends in "..." on one line. */
static PangoLayout *layout_new(doc *d, const char *text, double size, bool bold,
                               double width, bool ellipsize)
{
    PangoLayout *layout = pango_cairo_create_layout(d->cr);
    PangoFontDescription *font = pango_font_description_from_string(FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    if (width > 0) {
        pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
        if (ellipsize) pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        else pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_text(layout, text ? text : "", -1);
    return layout;
}

static double layout_height(PangoLayout *layout)
{
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    return h;
}

static double text_width(doc *d, const char *text, double size, bool bold)
{
    PangoLayout *layout = layout_new(d, text, size, bold, 0, false);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    g_object_unref(layout);
    return w;
}

/* Draws a layout with its top-left corner at (x, y). */
static void show_at(doc *d, PangoLayout *layout, double x, double y)
{
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_layout(d->cr, layout);
    cairo_new_path(d->cr);
}

/* One line of text at (x, y); align 0 left, 1 centre, 2 right of x. */
static void line_at(doc *d, const char *text, double size, bool bold, double x, double y,
                    int align, double max_width)
{
    PangoLayout *layout = layout_new(d, text, size, bold, max_width, max_width > 0);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    double left = align == 0 ? x : align == 1 ? x - w / 2.0 : x - w;
    show_at(d, layout, left, y);
    g_object_unref(layout);
}

/* ---- Pages ------------------------------------------------------------- */

static void draw_footer(doc *d)
{
    cairo_t *cr = d->cr;
    double y = d->page_h - MARGIN + 6;
    grey(cr, 0.6);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN, y - 4);
    cairo_line_to(cr, d->page_w - MARGIN, y - 4);
    cairo_stroke(cr);
    char number[48];
    if (d->total_pages > 0)
        snprintf(number, sizeof(number), "Page %d of %d", d->page, d->total_pages);
    else
        snprintf(number, sizeof(number), "Page %d", d->page);
    grey(cr, 0.3);
    double number_w = text_width(d, number, FOOTER_SIZE, false);
    line_at(d, d->footer, FOOTER_SIZE, false, MARGIN, y, 0, content_width(d) - number_w - 12);
    line_at(d, number, FOOTER_SIZE, false, d->page_w - MARGIN, y, 2, 0);
}

/* Ends the current page (footer) and starts the next. */
static void page_break(doc *d)
{
    if (d->page > 0) {
        draw_footer(d);
        cairo_show_page(d->cr);
    }
    d->page++;
    d->y = MARGIN;
}

/* Makes sure height points fit below the cursor, continuing the section on
 * a new page (with a "(continued)" heading) when they do not. */
static bool ensure_room(doc *d, double height)
{
    if (d->y + height <= d->bottom) return false;
    page_break(d);
    if (d->section_title) {
        char heading[256];
        snprintf(heading, sizeof(heading), "%s (continued)", d->section_title);
        grey(d->cr, 0.35);
        PangoLayout *layout = layout_new(d, heading, H2_SIZE, true, content_width(d), true);
        show_at(d, layout, MARGIN, d->y);
        d->y += layout_height(layout) + GAP;
        g_object_unref(layout);
    }
    return true;
}

/* A wrapped paragraph at the cursor, indented by indent points. */
static void paragraph(doc *d, const char *text, double size, bool bold, double indent,
                      double level)
{
    if (!text || !*text) return;
    PangoLayout *layout = layout_new(d, text, size, bold, content_width(d) - indent, false);
    double h = layout_height(layout);
    ensure_room(d, h);
    grey(d->cr, level);
    show_at(d, layout, MARGIN + indent, d->y);
    d->y += h + size * 0.45;
    g_object_unref(layout);
}

static void bullet(doc *d, const char *text)
{
    if (!text || !*text) return;
    PangoLayout *layout = layout_new(d, text, BODY_SIZE, false, content_width(d) - 14, false);
    double h = layout_height(layout);
    ensure_room(d, h);
    grey(d->cr, 0);
    line_at(d, "\u2022", BODY_SIZE, true, MARGIN + 2, d->y, 0, 0);
    show_at(d, layout, MARGIN + 14, d->y);
    d->y += h + 4;
    g_object_unref(layout);
}

static void subheading(doc *d, const char *text)
{
    PangoLayout *layout = layout_new(d, text, H2_SIZE, true, content_width(d), true);
    double h = layout_height(layout);
    /* Keep a heading with at least a few lines of what follows it. */
    ensure_room(d, h + 4 * ROW_HEIGHT);
    grey(d->cr, 0);
    show_at(d, layout, MARGIN, d->y);
    d->y += h + 4;
    g_object_unref(layout);
}

/* Starts template section i on a new page, with its bookmark and heading. */
static void section_begin(doc *d, size_t i, const char *title, bool heading)
{
    page_break(d);
    d->section_pages[i] = d->page;
    d->section_title = heading ? title : NULL;
    char link[32];
    snprintf(link, sizeof(link), "page=%d", d->page);
    cairo_pdf_surface_add_outline(d->surface, CAIRO_PDF_OUTLINE_ROOT, title, link, 0);
    if (!heading) return;
    PangoLayout *layout = layout_new(d, title, TITLE_SIZE, true, content_width(d), false);
    grey(d->cr, 0);
    show_at(d, layout, MARGIN, d->y);
    d->y += layout_height(layout) + 3;
    g_object_unref(layout);
    cairo_set_line_width(d->cr, 1.2);
    cairo_move_to(d->cr, MARGIN, d->y);
    cairo_line_to(d->cr, d->page_w - MARGIN, d->y);
    cairo_stroke(d->cr);
    d->y += GAP;
}

/* ---- Result tables ----------------------------------------------------- */

/* A cell as readers see it. Numbers take their unit from the figure
 * catalogue (the column's, or for tables whose rows differ, the row's) and
 * are written by lp_fmt_cell; a figure id in a text column is written as
 * the figure's label. */
static void format_cell(const doc *d, const lp_table *t, const lp_column *col, size_t row,
                        char *buf, size_t size)
{
    if (!lp_column_valid(col, row)) {
        snprintf(buf, size, "\u2013");
        return;
    }
    switch (col->type) {
    case LP_TYPE_STRING: {
        const char *text = lp_column_str(col, row);
        const lp_figure_def *def = NULL;
        if (strcmp(col->name, "measure") == 0 || strcmp(col->name, "figure") == 0)
            def = lp_figure_def_find(text);
        snprintf(buf, size, "%s", def ? def->label : text ? text : "");
        return;
    }
    case LP_TYPE_BOOL:
        snprintf(buf, size, "%s", col->v.b[row] ? "yes" : "no");
        return;
    case LP_TYPE_INSTANT:
    case LP_TYPE_DATE: {
        int64_t y;
        int m, day, hh, mm;
        int64_t instant = col->type == LP_TYPE_DATE ? lp_date_to_instant(col->v.i32[row])
                                                    : col->v.i64[row];
        lp_instant_to_local(instant, &y, &m, &day, &hh, &mm, NULL);
        if (col->type == LP_TYPE_DATE)
            snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, day);
        else
            snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d", (long long)y, m, day, hh, mm);
        return;
    }
    case LP_TYPE_INT64:
    case LP_TYPE_DOUBLE:
        break;
    }
    lp_fmt_cell(lp_result_row_unit(t, col->name, row), lp_column_number(col, row), d->currency,
                buf, size);
}

/* Column heading for readers. */
static void column_heading(const lp_table *t, const char *name, char *buf, size_t size)
{
    static const char *const names[][2] = {
        {"owner_id", "Owner"}, {"owner_name", "Owner"}, {"team", "Team"}, {"lead_id", "Lead"},
        {"mql_at", "Handed off"}, {"first_touch_at", "First touch"},
        {"hours_late", "Hours late"}, {"campaign_id", "Campaign ID"}, {"name", "Campaign"},
        {"touches", "Touches"}, {"responders", "Responders"},
        {"response_rate", "Response rate"}, {"leads_created", "Leads created"},
        {"mqls", "MQLs"}, {"sqls", "SQLs"}, {"opportunities", "Opportunities"},
        {"pipeline", "Pipeline"}, {"won", "Won"}, {"cost", "Cost"},
        {"cost_per_lead", "Cost per lead"}, {"cost_per_mql", "Cost per MQL"},
        {"cost_per_opportunity", "Cost per opp."}, {"return", "Return"},
        {"eligible", "Eligible"}, {"within", "Within SLA"}, {"compliance", "Compliance"},
        {"median_hours", "Median hours"}, {"p90_hours", "90th pct. hours"},
        {"untouched", "Untouched"}, {"pending", "Pending"}, {"step", "Step"},
        {"reached", "Reached"}, {"rate", "Rate"}, {"low", "Low"}, {"high", "High"},
        {"period", "Period"}, {"mql_forecast", "MQL forecast"}, {"accepted", "Accepted"},
        {"mql_target", "MQL target"},
        {"count", "Count"}, {"amount", "Amount"}, {"figure", "Figure"},
        {"published", "Was"}, {"now", "Now"}, {"cause", "Why"},
        {"reason", "Reason"}, {"followup_compliance", "Follow-up"},
        {"followup_eligible", "Follow-up eligible"}, {"followup_met", "Follow-up met"},
        {"model", "Model"}, {"measure", "Measure"}, {"value", "Value"},
    };
    if (strcmp(name, "key") == 0 && t->name) {
        const char *by = strstr(t->name, "_by_");
        if (by) {
            snprintf(buf, size, "%s", by + 4);
            buf[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 32 : buf[0]);
            return;
        }
    }
    if (strcmp(name, "team") == 0 && t->name && strcmp(t->name, "sla_by_partner") == 0) {
        snprintf(buf, size, "Partner");
        return;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i][0], name) == 0) {
            snprintf(buf, size, "%s", names[i][1]);
            return;
        }
    snprintf(buf, size, "%s", name);
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 32);
}

/* A grid of text cells, filled by a callback, so that result tables and the
 * loader's reports share one layout. */
typedef struct grid {
    size_t nrows, ncols;
    void (*cell)(const doc *d, const void *ctx, size_t row, size_t col, char *buf, size_t size);
    void (*heading)(const void *ctx, size_t col, char *buf, size_t size);
    bool (*right_aligned)(const void *ctx, size_t col);
    const void *ctx;
} grid;

/* The header row: headings wrap onto as many lines as their column needs
 * (a column is at least as wide as its longest word), so none is cut. */
static void draw_grid_header(doc *d, const grid *g, const double *widths)
{
    cairo_t *cr = d->cr;
    double total = 0, height = ROW_HEIGHT + 2;
    char text[128];
    for (size_t c = 0; c < g->ncols; c++) {
        total += widths[c];
        g->heading(g->ctx, c, text, sizeof(text));
        PangoLayout *layout = layout_new(d, text, TABLE_SIZE, true, widths[c] - 2 * CELL_PAD, false);
        height = fmax(height, layout_height(layout) + 4);
        g_object_unref(layout);
    }
    ensure_room(d, height + ROW_HEIGHT);
    grey(cr, 0.86);
    cairo_rectangle(cr, MARGIN, d->y, total, height);
    cairo_fill(cr);
    grey(cr, 0);
    double x = MARGIN;
    for (size_t c = 0; c < g->ncols; c++) {
        g->heading(g->ctx, c, text, sizeof(text));
        PangoLayout *layout = layout_new(d, text, TABLE_SIZE, true, widths[c] - 2 * CELL_PAD, false);
        if (g->right_aligned(g->ctx, c)) pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
        show_at(d, layout, x + CELL_PAD, d->y + 2);
        g_object_unref(layout);
        x += widths[c];
    }
    d->y += height;
}

/* Width of the longest word of a heading, the narrowest its column may be. */
static double longest_word_width(doc *d, const char *text)
{
    double widest = 0;
    char word[128];
    while (*text) {
        size_t n = strcspn(text, " ");
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, text, n);
        word[n] = '\0';
        widest = fmax(widest, text_width(d, word, TABLE_SIZE, true));
        text += n;
        while (*text == ' ') text++;
    }
    return widest;
}

/* Lays a grid out at the cursor; rows that do not fit continue on the next
 * page under a repeated header. Column widths follow the widest text (the
 * first 500 rows), shrunk in proportion when the total is too wide; cells
 * that still do not fit end in "...". */
static void draw_grid(doc *d, const grid *g)
{
    if (g->ncols == 0) return;
    double *widths = lp_calloc(g->ncols, sizeof(double));
    if (!widths) {
        fail(d, LP_ERR_NOMEM);
        return;
    }
    char text[256];
    size_t sample = g->nrows < 500 ? g->nrows : 500;
    double total = 0, total_wrapped = 0;
    double *wrapped = lp_calloc(g->ncols, sizeof(double));
    if (!wrapped) {
        lp_free(widths);
        fail(d, LP_ERR_NOMEM);
        return;
    }
    for (size_t c = 0; c < g->ncols; c++) {
        double cells = 0;
        for (size_t r = 0; r < sample; r++) {
            g->cell(d, g->ctx, r, c, text, sizeof(text));
            cells = fmax(cells, text_width(d, text, TABLE_SIZE, false));
        }
        g->heading(g->ctx, c, text, sizeof(text));
        /* A heading on one line when the table fits; else wrapped at its
         * words before anything is shrunk. */
        widths[c] = fmin(fmax(cells, text_width(d, text, TABLE_SIZE, true)), 220) + 2 * CELL_PAD;
        wrapped[c] = fmin(fmax(cells, longest_word_width(d, text)), 220) + 2 * CELL_PAD;
        total += widths[c];
        total_wrapped += wrapped[c];
    }
    if (total > content_width(d)) {
        memcpy(widths, wrapped, g->ncols * sizeof(double));
        total = total_wrapped;
    }
    lp_free(wrapped);
    if (total > content_width(d))
        for (size_t c = 0; c < g->ncols; c++) widths[c] *= content_width(d) / total;
    total = fmin(total, content_width(d));

    ensure_room(d, 2 * (ROW_HEIGHT + 2));
    draw_grid_header(d, g, widths);
    cairo_t *cr = d->cr;
    for (size_t r = 0; r < g->nrows; r++) {
        if (ensure_room(d, ROW_HEIGHT)) draw_grid_header(d, g, widths);
        if (r % 2 == 1) {
            grey(cr, 0.955);
            cairo_rectangle(cr, MARGIN, d->y, total, ROW_HEIGHT);
            cairo_fill(cr);
        }
        double x = MARGIN;
        grey(cr, 0.05);
        for (size_t c = 0; c < g->ncols; c++) {
            g->cell(d, g->ctx, r, c, text, sizeof(text));
            bool right = g->right_aligned(g->ctx, c);
            line_at(d, text, TABLE_SIZE, false,
                    right ? x + widths[c] - CELL_PAD : x + CELL_PAD, d->y + 1.5,
                    right ? 2 : 0, widths[c] - 2 * CELL_PAD);
            x += widths[c];
        }
        d->y += ROW_HEIGHT;
    }
    grey(cr, 0.5);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, MARGIN + total, d->y);
    cairo_stroke(cr);
    d->y += GAP;
    lp_free(widths);
}

/* A result table's columns, in a row order. */
typedef struct table_view {
    const lp_table *table;
    const lp_column **cols;
    size_t ncols;
    const size_t *order;    /* row indices, or NULL for 0..nrows-1 */
} table_view;

static void view_cell(const doc *d, const void *ctx, size_t row, size_t col, char *buf,
                      size_t size)
{
    const table_view *v = ctx;
    format_cell(d, v->table, v->cols[col], v->order ? v->order[row] : row, buf, size);
}

static void view_heading(const void *ctx, size_t col, char *buf, size_t size)
{
    const table_view *v = ctx;
    column_heading(v->table, v->cols[col]->name, buf, size);
}

static bool view_right(const void *ctx, size_t col)
{
    const table_view *v = ctx;
    return v->cols[col]->type != LP_TYPE_STRING;
}

/* Draws rows of a result table (order, or the first nrows) with the named
 * columns (names that the table lacks are skipped; NULL names: all). */
static void draw_result_table(doc *d, const lp_table *t, char *const *names, size_t nnames,
                              const size_t *order, size_t nrows)
{
    if (!t || t->nrows == 0) return;
    size_t want = names ? nnames : t->ncols;
    const lp_column **cols = lp_calloc(want ? want : 1, sizeof(*cols));
    if (!cols) {
        fail(d, LP_ERR_NOMEM);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < want; i++) {
        const lp_column *col = names ? lp_table_column(t, names[i]) : t->columns[i];
        if (col) cols[n++] = col;
    }
    table_view view = {t, cols, n, order};
    grid g = {nrows < t->nrows ? nrows : t->nrows, n, view_cell, view_heading, view_right, &view};
    draw_grid(d, &g);
    lp_free(cols);
    if (g.nrows < t->nrows) {
        /* Never a silent cut: say how much the workbook holds beyond it. */
        char note[160];
        snprintf(note, sizeof note, "The first %zu of %zu rows; the workbook lists them all.",
                 g.nrows, t->nrows);
        paragraph(d, note, 8, false, 0, 0.35);
    }
}

static const lp_table *result(const doc *d, const char *name)
{
    return name ? lp_results_table(d->results, name) : NULL;
}

/* ---- Charts from result tables ---------------------------------------- */

/* Draws a finished chart at the cursor, height points tall. */
static void place_chart(doc *d, lp_chart *chart, double height)
{
    ensure_room(d, height);
    lp_chart_draw(chart, d->cr, MARGIN, d->y, content_width(d), height);
    lp_status st = lp_chart_status(chart);
    if (st) fail(d, st);
    d->y += height + GAP;
    lp_chart_free(chart);
}

/* Labels and values of up to max rows of a table: key column (strings),
 * value column and, when named, low and high. Arrays are lp_malloc'ed into
 * the out_* pointers (freed with free_columns). Returns the row count, 0
 * when the table or a column is missing. */
typedef struct picked {
    const char **labels;
    double *values, *low, *high;
    size_t n;
} picked;

static void picked_free(picked *p)
{
    lp_free(p->labels);
    lp_free(p->values);
    lp_free(p->low);
    lp_free(p->high);
    memset(p, 0, sizeof(*p));
}

static bool pick(doc *d, const lp_table *t, const char *key, const char *value,
                 const char *low, const char *high, size_t max, picked *out)
{
    memset(out, 0, sizeof(*out));
    if (!t || t->nrows == 0) return false;
    const lp_column *kc = lp_table_column(t, key), *vc = lp_table_column(t, value);
    const lp_column *lc = low ? lp_table_column(t, low) : NULL;
    const lp_column *hc = high ? lp_table_column(t, high) : NULL;
    if (!kc || !vc || kc->type != LP_TYPE_STRING) return false;
    size_t n = t->nrows < max ? t->nrows : max;
    out->labels = lp_calloc(n, sizeof(char *));
    out->values = lp_calloc(n, sizeof(double));
    if (lc && hc) {
        out->low = lp_calloc(n, sizeof(double));
        out->high = lp_calloc(n, sizeof(double));
    }
    if (!out->labels || !out->values || (lc && hc && (!out->low || !out->high))) {
        picked_free(out);
        fail(d, LP_ERR_NOMEM);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = lp_column_str(kc, i);
        out->labels[i] = s ? s : "";
        out->values[i] = lp_column_number(vc, i);
        if (out->low) {
            out->low[i] = lp_column_number(lc, i);
            out->high[i] = lp_column_number(hc, i);
        }
    }
    out->n = n;
    return true;
}

/* A one-series chart of a table: key against value (with interval). */
static void table_chart(doc *d, lp_chart_kind kind, const char *title, const lp_table *t,
                        const char *key, const char *value, const char *low,
                        const char *high, size_t max, double height, double reference,
                        const char *reference_label)
{
    picked p;
    /* A table of categories cannot be a step curve over hours. */
    if (kind == LP_CHART_STEP) kind = LP_CHART_HBARS;
    if (!pick(d, t, key, value, low, high, max, &p)) return;
    lp_chart *chart = lp_chart_new(kind);
    lp_chart_set_title(chart, title);
    lp_chart_set_categories(chart, p.labels, p.n);
    char heading[64];
    column_heading(t, value, heading, sizeof(heading));
    lp_chart_add_series(chart, heading, p.values, p.low, p.high, p.n);
    lp_chart_set_value_axis(chart, lp_result_row_unit(t, value, 0), d->currency, NULL);
    if (isfinite(reference)) lp_chart_add_reference(chart, reference, reference_label);
    /* Rows of a horizontal chart need about 18 points each. */
    if (kind == LP_CHART_HBARS || kind == LP_CHART_INTERVALS || kind == LP_CHART_FUNNEL)
        height = fmin(height, 40 + 22 * (double)p.n);
    picked_free(&p);
    place_chart(d, chart, height);
}

/* A result's code word as readers see it in a chart ("first_touch" ->
 * "First touch", "mql" -> "MQLs"), into buf. */
static const char *display_name(const char *code, char *buf, size_t size)
{
    static const char *const names[][2] = {
        {"lead", "Leads"}, {"mql", "MQLs"}, {"sql", "SQLs"},
        {"opportunity", "Opportunities"}, {"won", "Won"}, {"u_shaped", "U-shaped"},
        {"w_shaped", "W-shaped"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(code, names[i][0]) == 0) {
            snprintf(buf, size, "%s", names[i][1]);
            return buf;
        }
    snprintf(buf, size, "%s", code);
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 32);
    return buf;
}

/* ---- Narrative --------------------------------------------------------- */

static const lp_narrative_section *sentences_of(const doc *d, const char *id)
{
    if (!id) return NULL;
    for (size_t i = 0; i < d->narrative->nsections; i++)
        if (d->narrative->sections[i].id && strcmp(d->narrative->sections[i].id, id) == 0)
            return &d->narrative->sections[i];
    return NULL;
}

static void section_sentences(doc *d, const lp_template_section *sec)
{
    const lp_narrative_section *ns = sentences_of(d, sec->id);
    if (!ns || ns->nsentences == 0) return;
    lp_buf text = {0};
    for (size_t i = 0; i < ns->nsentences; i++) {
        if (i) lp_buf_puts(&text, " ");
        lp_buf_puts(&text, ns->sentences[i]);
    }
    if (text.failed) fail(d, LP_ERR_NOMEM);
    else paragraph(d, text.data, BODY_SIZE, false, 0, 0.05);
    lp_buf_reset(&text);
    d->y += 4;
}

/* ---- Sections ---------------------------------------------------------- */

static const char *pack_title(const doc *d)
{
    if (d->narrative->title && *d->narrative->title) return d->narrative->title;
    return d->tpl->title ? d->tpl->title : "Leadership pack";
}

static void render_cover(doc *d)
{
    cairo_t *cr = d->cr;
    double w = content_width(d);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, MARGIN, MARGIN + 80, 60, 6);
    cairo_fill(cr);
    d->y = MARGIN + 100;
    paragraph(d, pack_title(d), 28, true, 0, 0);
    d->y += 6;
    if (d->narrative->period_words) {
        char line[256];
        snprintf(line, sizeof(line), "For %s", d->narrative->period_words);
        paragraph(d, line, 14, false, 0, 0.1);
    } else {
        paragraph(d, d->results->period_label, 14, false, 0, 0.1);
    }
    if (d->narrative->as_of_words) {
        char line[256];
        snprintf(line, sizeof(line), "Figures as of %s", d->narrative->as_of_words);
        paragraph(d, line, 11, false, 0, 0.25);
    }
    if (d->tpl->audience && *d->tpl->audience) {
        char line[300];
        snprintf(line, sizeof(line), "Prepared for %s", d->tpl->audience);
        paragraph(d, line, 11, false, 0, 0.25);
    }
    /* A pack without a headlines page gives its headline sentences (those
     * that the mail body carries) on the cover, so the PDF says what the
     * message announces. */
    bool headlines_page = false;
    for (size_t i = 0; i < d->tpl->nsections; i++)
        if (d->tpl->sections[i].pdf && strcmp(d->tpl->sections[i].kind, "headlines") == 0)
            headlines_page = true;
    if (!headlines_page && d->narrative->nheadlines > 0) {
        d->y += 24;
        subheading(d, "In brief");
        for (size_t i = 0; i < d->narrative->nheadlines; i++)
            bullet(d, d->narrative->headlines[i]);
        /* and what changed, as the workbook's Summary says it */
        if (d->narrative->nchanges > 0) {
            d->y += 8;
            subheading(d, "What changed");
            for (size_t i = 0; i < d->narrative->nchanges; i++)
                bullet(d, d->narrative->changes[i]);
        }
        d->y += 16;
    } else {
        d->y += 40;
    }
    subheading(d, "Contents");
    for (size_t i = 0; i < d->tpl->nsections; i++) {
        const lp_template_section *sec = &d->tpl->sections[i];
        if (!sec->pdf || strcmp(sec->kind, "cover") == 0) continue;
        char number[16] = "";
        if (d->section_pages[i] > 0) snprintf(number, sizeof(number), "%d", d->section_pages[i]);
        ensure_room(d, 16);
        grey(cr, 0.1);
        line_at(d, sec->title ? sec->title : sec->id, 10, false, MARGIN, d->y, 0, w - 40);
        line_at(d, number, 10, false, MARGIN + w, d->y, 2, 0);
        d->y += 16;
    }
}

/* One tile of the first page: label, value, change, status. */
static void kpi_tile(doc *d, const lp_kpi *kpi, double x, double y, double w, double h)
{
    cairo_t *cr = d->cr;
    grey(cr, 0.55);
    cairo_set_line_width(cr, 0.7);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
    bool below = kpi->status && (strstr(kpi->status, "off") || strstr(kpi->status, "risk"));
    /* A solid bar for a miss, an outline for the rest: readable in grey. */
    cairo_rectangle(cr, x, y, 4, h);
    if (below) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_fill(cr);
    } else {
        grey(cr, 0.75);
        cairo_fill(cr);
    }
    double tx = x + 10, tw = w - 16, ty = y + 6;
    grey(cr, 0.3);
    line_at(d, kpi->label ? kpi->label : kpi->measure, 8, false, tx, ty, 0, tw);
    ty += 12;
    grey(cr, 0);
    line_at(d, kpi->value ? kpi->value : "\u2013", 18, true, tx, ty, 0, tw);
    ty += 24;
    if (kpi->change && *kpi->change) {
        PangoLayout *layout = layout_new(d, kpi->change, 7.5, kpi->real_change, tw, false);
        pango_layout_set_height(layout, -2); /* at most two lines */
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
        grey(cr, 0.15);
        show_at(d, layout, tx, ty);
        ty += layout_height(layout) + 1;
        g_object_unref(layout);
    }
    if (kpi->status && *kpi->status) {
        grey(cr, 0);
        line_at(d, kpi->status, 7.5, true, tx, fmin(ty, y + h - 12), 0, tw);
    }
}

static void render_headlines(doc *d, const lp_template_section *sec)
{
    const lp_narrative *n = d->narrative;
    for (size_t i = 0; i < n->nheadlines; i++) bullet(d, n->headlines[i]);
    d->y += 6;
    size_t per_row = 3;
    double gap = 8, w = (content_width(d) - gap * (double)(per_row - 1)) / (double)per_row;
    double h = 78;
    for (size_t i = 0; i < n->nkpis; i += per_row) {
        ensure_room(d, h);
        for (size_t k = 0; k < per_row && i + k < n->nkpis; k++)
            kpi_tile(d, &n->kpis[i + k], MARGIN + (double)k * (w + gap), d->y, w, h);
        d->y += h + gap;
    }
    if (n->nchanges > 0) {
        d->y += 4;
        subheading(d, "What changed");
        for (size_t i = 0; i < n->nchanges; i++) bullet(d, n->changes[i]);
    }
    d->y += 4;
    section_sentences(d, sec);
}

/* The section's chart kind from the template, or a default. */
static lp_chart_kind chart_kind(const lp_template_section *sec, lp_chart_kind fallback)
{
    lp_chart_kind kind;
    return lp_chart_kind_parse(sec->chart, &kind) == LP_OK ? kind : fallback;
}

/* The section's compact table: its own table and columns, or a default. */
static void compact_table(doc *d, const lp_template_section *sec, const char *fallback,
                          size_t max_rows)
{
    const lp_table *t = result(d, sec->table ? sec->table : fallback);
    if (!t) return;
    draw_result_table(d, t, sec->ncolumns ? sec->columns : NULL, sec->ncolumns, NULL, max_rows);
}

static void render_volume(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_table *trend = result(d, "mql_trend");
    picked mqls, sqls;
    if (pick(d, trend, "period", "mqls", NULL, NULL, 64, &mqls)) {
        if (pick(d, trend, "period", "sqls", NULL, NULL, 64, &sqls)) {
            lp_chart *chart = lp_chart_new(chart_kind(sec, LP_CHART_BARS));
            lp_chart_set_title(chart, "Qualified leads per period");
            lp_chart_set_categories(chart, mqls.labels, mqls.n);
            lp_chart_add_series(chart, "MQLs", mqls.values, NULL, NULL, mqls.n);
            lp_chart_add_series(chart, "SQLs", sqls.values, NULL, NULL, sqls.n);
            lp_chart_set_value_axis(chart, lp_result_unit("mql_trend", "mqls"), d->currency,
                                    NULL);
            const lp_column *target = lp_table_column(trend, "mql_target");
            if (target && trend->nrows > 0 && lp_column_valid(target, trend->nrows - 1))
                lp_chart_add_reference(chart, lp_column_number(target, trend->nrows - 1),
                                       "MQL target");
            place_chart(d, chart, CHART_HEIGHT);
            picked_free(&sqls);
        }
        picked_free(&mqls);
    }
    compact_table(d, sec, "volume_by_source", TABLE_ROWS);
}

static void render_breakdown(doc *d, const lp_template_section *sec, const char *chart_table,
                             const char *title, const char *fallback_table)
{
    section_sentences(d, sec);
    table_chart(d, chart_kind(sec, LP_CHART_HBARS), title, result(d, chart_table), "key",
                "amount", NULL, NULL, TABLE_ROWS, CHART_HEIGHT, NAN, NULL);
    compact_table(d, sec, fallback_table, TABLE_ROWS);
}

static void render_campaigns(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_table *campaigns = result(d, "campaigns");
    table_chart(d, chart_kind(sec, LP_CHART_HBARS), "Cost per MQL by campaign", campaigns,
                "name", "cost_per_mql", NULL, NULL, 10, 200, NAN, NULL);
    /* Attribution: MQLs credited to each campaign under every model, side
     * by side. Rows come campaign by campaign, models in a fixed order. */
    const lp_table *attr = result(d, "attribution");
    const lp_column *name = attr ? lp_table_column(attr, "name") : NULL;
    const lp_column *model = attr ? lp_table_column(attr, "model") : NULL;
    const lp_column *mqls = attr ? lp_table_column(attr, "mqls") : NULL;
    if (name && model && mqls && attr->nrows > 0) {
        enum { MAX_CAMPAIGNS = 8, MAX_MODELS = 5 };
        const char *labels[MAX_CAMPAIGNS], *models[MAX_MODELS];
        double values[MAX_MODELS][MAX_CAMPAIGNS];
        size_t nc = 0, nm = 0;
        for (size_t m = 0; m < MAX_MODELS; m++)
            for (size_t c = 0; c < MAX_CAMPAIGNS; c++) values[m][c] = NAN;
        for (size_t r = 0; r < attr->nrows; r++) {
            const char *cn = lp_column_str(name, r), *mn = lp_column_str(model, r);
            if (!cn || !mn) continue;
            size_t c = 0, m = 0;
            while (c < nc && strcmp(labels[c], cn) != 0) c++;
            if (c == nc) {
                if (nc == MAX_CAMPAIGNS) continue;
                labels[nc++] = cn;
            }
            while (m < nm && strcmp(models[m], mn) != 0) m++;
            if (m == nm) {
                if (nm == MAX_MODELS) continue;
                models[nm++] = mn;
            }
            values[m][c] = lp_column_number(mqls, r);
        }
        lp_chart *chart = lp_chart_new(LP_CHART_HBARS);
        lp_chart_set_title(chart, "MQLs credited under each attribution model");
        lp_chart_set_value_axis(chart, lp_result_unit("attribution", "mqls"), d->currency, NULL);
        lp_chart_set_categories(chart, labels, nc);
        for (size_t m = 0; m < nm; m++) {
            char label[64];
            lp_chart_add_series(chart, display_name(models[m], label, sizeof(label)), values[m],
                                NULL, NULL, nc);
        }
        place_chart(d, chart, fmin(CHART_HEIGHT + 40, 70 + (double)(nc * nm) * 11));
    }
    compact_table(d, sec, "campaigns", TABLE_ROWS);
}

/* Indices of the rows of t with the largest values of column, largest
 * first (at most max). Ordering is layout, not a figure. */
static size_t *largest_rows(doc *d, const lp_table *t, const char *column, size_t max,
                            size_t *out_n)
{
    *out_n = 0;
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col || t->nrows == 0) return NULL;
    size_t n = t->nrows < max ? t->nrows : max;
    size_t *order = lp_calloc(n, sizeof(size_t));
    if (!order) {
        fail(d, LP_ERR_NOMEM);
        return NULL;
    }
    size_t have = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        double v = lp_column_number(col, r);
        if (!isfinite(v)) v = -INFINITY;
        size_t at = have;
        while (at > 0) {
            double u = lp_column_number(col, order[at - 1]);
            if (!isfinite(u)) u = -INFINITY;
            if (u >= v) break;
            at--;
        }
        if (at >= n) continue;
        if (have < n) have++;
        memmove(order + at + 1, order + at, (have - at - 1) * sizeof(size_t));
        order[at] = r;
    }
    *out_n = have;
    return order;
}

static void render_sla(doc *d, const lp_template_section *sec)
{
    const lp_settings *settings = d->results->settings;
    section_sentences(d, sec);
    const lp_table *curve = result(d, "sla_curve");
    const lp_column *team = curve ? lp_table_column(curve, "team") : NULL;
    const lp_column *hours = curve ? lp_table_column(curve, "hours") : NULL;
    const lp_column *share = curve ? lp_table_column(curve, "touched_share") : NULL;
    if (team && hours && share && curve->nrows > 0) {
        lp_chart *chart = lp_chart_new(LP_CHART_STEP);
        lp_chart_set_title(chart, "Time to first touch (Kaplan-Meier)");
        double *x = lp_calloc(curve->nrows, sizeof(double));
        double *y = lp_calloc(curve->nrows, sizeof(double));
        if (!x || !y) fail(d, LP_ERR_NOMEM);
        /* One curve per run of rows of the same team, at most six. */
        size_t start = 0, curves = 0;
        while (x && y && start < curve->nrows && curves < 6) {
            int32_t code = team->v.i32[start];
            size_t end = start;
            while (end < curve->nrows && team->v.i32[end] == code) {
                x[end - start] = lp_column_number(hours, end);
                y[end - start] = lp_column_number(share, end);
                end++;
            }
            const char *label = lp_column_str(team, start);
            lp_chart_add_xy_series(chart, label ? label : "", x, y, end - start);
            curves++;
            start = end;
        }
        lp_free(x);
        lp_free(y);
        lp_chart_set_value_axis(chart, lp_result_unit("sla_curve", "touched_share"), NULL,
                                "Share of MQLs touched");
        lp_chart_set_value_range(chart, 0, 1);
        lp_chart_set_x_axis(chart, lp_result_unit("sla_curve", "hours"), "Hours after hand-off");
        if (settings && settings->sla_hours > 0) {
            char hours[48], label[64];
            lp_fmt_unit(LP_UNIT_HOURS, settings->sla_hours, NULL, hours, sizeof(hours));
            snprintf(label, sizeof(label), "SLA %s", hours);
            lp_chart_add_x_reference(chart, settings->sla_hours, label);
        }
        place_chart(d, chart, 200);
    }
    char target_label[64] = "Target";
    double target = NAN;
    if (settings && settings->sla_target > 0) {
        char share[32];
        target = settings->sla_target;
        lp_fmt_unit(LP_UNIT_SHARE, target, NULL, share, sizeof(share));
        snprintf(target_label, sizeof(target_label), "Target %s", share);
    }
    /* The section's chart kind may name the curve above (step); the
     * per-team comparison needs a categorical kind. */
    lp_chart_kind team_kind = chart_kind(sec, LP_CHART_INTERVALS);
    if (team_kind == LP_CHART_STEP || team_kind == LP_CHART_LINE_BAND ||
        team_kind == LP_CHART_FUNNEL)
        team_kind = LP_CHART_INTERVALS;
    table_chart(d, team_kind, "Compliance by team, with 95% intervals",
                result(d, "sla_by_team"), "team", "compliance", "low", "high", 10, 170, target,
                target_label);
    const lp_table *breaches = result(d, "breaches");
    size_t n;
    size_t *order = largest_rows(d, breaches, "hours_late", 8, &n);
    if (order && n > 0) {
        subheading(d, "Worst breaches");
        /* Owners by name (the measures fall back to the id). */
        bool named = lp_table_column(breaches, "owner_name") != NULL;
        char *cols[] = {named ? "owner_name" : "owner_id", "team", "lead_id", "mql_at",
                        "hours_late"};
        draw_result_table(d, breaches, cols, 5, order, n);
    }
    lp_free(order);
    if (sec->table && strcmp(sec->table, "breaches") != 0) compact_table(d, sec, NULL, 40);
}

static void render_funnel(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_table *t = result(d, "funnel");
    picked p;
    if (pick(d, t, "step", "reached", NULL, NULL, 16, &p)) {
        const lp_column *rate = lp_table_column(t, "rate");
        char **labels = lp_calloc(p.n, sizeof(char *));
        char *storage = lp_calloc(p.n, 96);
        if (!labels || !storage) fail(d, LP_ERR_NOMEM);
        for (size_t i = 0; labels && storage && i < p.n; i++) {
            labels[i] = storage + i * 96;
            char count[32], pct[32];
            format_cell(d, t, lp_table_column(t, "reached"), i, count, sizeof(count));
            if (rate && lp_column_valid(rate, i)) {
                format_cell(d, t, rate, i, pct, sizeof(pct));
                snprintf(labels[i], 96, "%s (%s of the step before)", count, pct);
            } else {
                snprintf(labels[i], 96, "%s", count);
            }
        }
        lp_chart *chart = lp_chart_new(chart_kind(sec, LP_CHART_FUNNEL));
        lp_chart_set_title(chart, "From lead to won");
        char names[16][32];
        for (size_t i = 0; i < p.n; i++)
            p.labels[i] = display_name(p.labels[i], names[i], sizeof(names[i]));
        lp_chart_set_categories(chart, p.labels, p.n);
        lp_chart_add_series(chart, "Reached", p.values, NULL, NULL, p.n);
        lp_chart_set_value_axis(chart, lp_result_unit("funnel", "reached"), d->currency, NULL);
        if (labels && storage) lp_chart_set_point_labels(chart, (const char *const *)labels, p.n);
        lp_free(labels);
        lp_free(storage);
        place_chart(d, chart, fmin(CHART_HEIGHT, 40 + 30 * (double)p.n));
        picked_free(&p);
    }
    compact_table(d, sec, "funnel", TABLE_ROWS);
}

static void render_intervals(doc *d, const lp_template_section *sec, const char *table,
                             const char *key, const char *value, const char *title)
{
    section_sentences(d, sec);
    table_chart(d, chart_kind(sec, LP_CHART_INTERVALS), title, result(d, table), key, value,
                "low", "high", 16, 260, NAN, NULL);
    compact_table(d, sec, table, 30);
}

static void render_forecast(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    picked hist, fc;
    bool have_hist = pick(d, result(d, "mql_trend"), "period", "mqls", NULL, NULL, 64, &hist);
    bool have_fc = pick(d, result(d, "forecast"), "period", "mql_forecast", "low", "high", 16, &fc);
    if (have_hist || have_fc) {
        size_t n = hist.n + fc.n;
        const char **labels = lp_calloc(n, sizeof(char *));
        double *h = lp_calloc(n, sizeof(double)), *f = lp_calloc(n, sizeof(double));
        double *lo = lp_calloc(n, sizeof(double)), *hi = lp_calloc(n, sizeof(double));
        if (!labels || !h || !f || !lo || !hi) {
            fail(d, LP_ERR_NOMEM);
        } else {
            for (size_t i = 0; i < n; i++) {
                bool past = i < hist.n;
                labels[i] = past ? hist.labels[i] : fc.labels[i - hist.n];
                h[i] = past ? hist.values[i] : NAN;
                f[i] = past ? NAN : fc.values[i - hist.n];
                lo[i] = past || !fc.low ? NAN : fc.low[i - hist.n];
                hi[i] = past || !fc.high ? NAN : fc.high[i - hist.n];
            }
            lp_chart *chart = lp_chart_new(chart_kind(sec, LP_CHART_LINE_BAND));
            lp_chart_set_title(chart, "Qualified leads: history and forecast (80% band)");
            lp_chart_set_categories(chart, labels, n);
            if (have_hist) lp_chart_add_series(chart, "MQLs", h, NULL, NULL, n);
            if (have_fc) lp_chart_add_series(chart, "Forecast", f, lo, hi, n);
            lp_chart_set_value_axis(chart, lp_result_unit("forecast", "mql_forecast"),
                                    d->currency, NULL);
            place_chart(d, chart, CHART_HEIGHT + 20);
        }
        lp_free(labels);
        lp_free(h);
        lp_free(f);
        lp_free(lo);
        lp_free(hi);
    }
    if (have_hist) picked_free(&hist);
    if (have_fc) picked_free(&fc);
    compact_table(d, sec, "forecast", TABLE_ROWS);
}

/* The loader's per-file report as a grid. */
static void files_cell(const doc *d, const void *ctx, size_t row, size_t col, char *buf,
                       size_t size)
{
    const lp_dataset *ds = ctx;
    const lp_file_report *f = &ds->files[row];
    (void)d;
    switch (col) {
    case 0: {
        const char *slash = f->path ? strrchr(f->path, '/') : NULL;
        snprintf(buf, size, "%s", slash ? slash + 1 : f->path ? f->path : "");
        return;
    }
    case 1: lp_fmt_cell(LP_UNIT_COUNT, (double)f->rows_read, NULL, buf, size); return;
    case 2: lp_fmt_cell(LP_UNIT_COUNT, (double)f->rows_loaded, NULL, buf, size); return;
    default: lp_fmt_cell(LP_UNIT_COUNT, (double)f->rows_rejected, NULL, buf, size); return;
    }
}

static void files_heading(const void *ctx, size_t col, char *buf, size_t size)
{
    static const char *const names[] = {"File", "Rows read", "Loaded", "Rejected"};
    (void)ctx;
    snprintf(buf, size, "%s", names[col]);
}

static bool files_right(const void *ctx, size_t col)
{
    (void)ctx;
    return col > 0;
}

static void rejects_cell(const doc *d, const void *ctx, size_t row, size_t col, char *buf,
                         size_t size)
{
    const lp_dataset *ds = ctx;
    const lp_reject *r = &ds->rejects[row];
    (void)d;
    switch (col) {
    case 0: {
        const char *slash = r->file ? strrchr(r->file, '/') : NULL;
        snprintf(buf, size, "%s", slash ? slash + 1 : r->file ? r->file : "");
        return;
    }
    case 1: snprintf(buf, size, "%zu", r->line); return;
    case 2: snprintf(buf, size, "%s", r->column ? r->column : ""); return;
    default: snprintf(buf, size, "%s", r->reason ? r->reason : ""); return;
    }
}

static void rejects_heading(const void *ctx, size_t col, char *buf, size_t size)
{
    static const char *const names[] = {"File", "Line", "Column", "Why"};
    (void)ctx;
    snprintf(buf, size, "%s", names[col]);
}

static bool rejects_right(const void *ctx, size_t col)
{
    (void)ctx;
    return col == 1;
}

static void render_quality(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_dataset *ds = d->results->dataset;
    if (ds && ds->nfiles > 0) {
        subheading(d, "Files read");
        grid g = {ds->nfiles, 4, files_cell, files_heading, files_right, ds};
        draw_grid(d, &g);
    }
    if (ds && ds->nrejects > 0) {
        char line[128];
        size_t shown = ds->nrejects < 15 ? ds->nrejects : 15;
        snprintf(line, sizeof(line), "Rejected rows (%zu; the first %zu below, all in the workbook)",
                 ds->nrejects, shown);
        subheading(d, line);
        grid g = {shown, 4, rejects_cell, rejects_heading, rejects_right, ds};
        draw_grid(d, &g);
    }
    if (ds && ds->nnotes > 0) {
        subheading(d, "Notes");
        for (size_t i = 0; i < ds->nnotes; i++) bullet(d, ds->notes[i].message);
        d->y += 4;
    }
    const lp_table *off = result(d, "switched_off");
    if (off && off->nrows > 0) {
        subheading(d, "Figures left out");
        draw_result_table(d, off, NULL, 0, NULL, off->nrows);
    }
    /* What the ledger says changed since it was published (lp/ledger.h),
     * only when something did; the workbook's Data quality sheet has every
     * column. */
    const lp_table *restated = result(d, "restatements");
    if (restated && restated->nrows > 0) {
        subheading(d, "Restated since last published");
        /* One bullet per figure, so that the cause is never cut:
         * "Qualified leads (MQLs), 2026-W45: 6 then, 8 now \u2014 5 qualified ..." */
        static const char *const parts[] = {"measure", "period", "published", "now", "cause"};
        const lp_column *cols[5];
        for (size_t i = 0; i < 5; i++) cols[i] = lp_table_column(restated, parts[i]);
        size_t shown = restated->nrows < 20 ? restated->nrows : 20;
        for (size_t r = 0; r < shown && cols[0] && cols[1] && cols[2] && cols[3] && cols[4]; r++) {
            char text[5][512];
            for (size_t i = 0; i < 5; i++)
                format_cell(d, restated, cols[i], r, text[i], sizeof text[i]);
            char line[2600];
            snprintf(line, sizeof line, "%s, %s: %s then, %s now \u2014 %s.", text[0], text[1],
                     text[2], text[3], text[4]);
            bullet(d, line);
        }
        if (shown < restated->nrows) {
            char note[160];
            snprintf(note, sizeof note, "The first %zu of %zu; the workbook lists them all.",
                     shown, restated->nrows);
            paragraph(d, note, 8, false, 0, 0.35);
        }
        d->y += 4;
    }
    if (d->narrative->ncaveats > 0) {
        subheading(d, "Caveats");
        for (size_t i = 0; i < d->narrative->ncaveats; i++) bullet(d, d->narrative->caveats[i]);
    }
}

static void render_definitions(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_narrative *n = d->narrative;
    for (size_t i = 0; i < n->nglossary; i++) {
        PangoLayout *term = layout_new(d, n->glossary_terms[i], BODY_SIZE, true,
                                       content_width(d), false);
        PangoLayout *text = layout_new(d, n->glossary_texts[i], BODY_SIZE, false,
                                       content_width(d) - 12, false);
        double th = layout_height(term), xh = layout_height(text);
        ensure_room(d, th + xh + 2);
        grey(d->cr, 0);
        show_at(d, term, MARGIN, d->y);
        grey(d->cr, 0.15);
        show_at(d, text, MARGIN + 12, d->y + th + 1);
        d->y += th + xh + 8;
        g_object_unref(term);
        g_object_unref(text);
    }
}

/* Any other kind: sentences, then a chart and a table from the section's
 * own fields when it names a table. */
static void render_generic(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    const lp_table *t = result(d, sec->table);
    if (!t) return;
    lp_chart_kind kind;
    if (lp_chart_kind_parse(sec->chart, &kind) == LP_OK && kind != LP_CHART_STEP) {
        const lp_column *key = NULL, *value = NULL;
        for (size_t c = 0; c < t->ncols; c++) {
            const lp_column *col = t->columns[c];
            if (!key && col->type == LP_TYPE_STRING) key = col;
            else if (!value && (col->type == LP_TYPE_DOUBLE || col->type == LP_TYPE_INT64))
                value = col;
        }
        if (key && value)
            table_chart(d, kind, sec->title, t, key->name, value->name, NULL, NULL, 16,
                        CHART_HEIGHT, NAN, NULL);
    }
    draw_result_table(d, t, sec->ncolumns ? sec->columns : NULL, sec->ncolumns, NULL,
                      strcmp(sec->kind, "breaches") == 0 ? t->nrows : 40);
}

static void render_section(doc *d, size_t i)
{
    const lp_template_section *sec = &d->tpl->sections[i];
    const char *kind = sec->kind ? sec->kind : "";
    const char *title = sec->title && *sec->title ? sec->title : sec->id ? sec->id : kind;
    bool cover = strcmp(kind, "cover") == 0;
    section_begin(d, i, cover ? pack_title(d) : title, !cover);
    const lp_narrative_section *ns = sentences_of(d, sec->id);
    if (!cover && ns && ns->scope && *ns->scope) {
        /* the table's scope, so a lifetime figure never reads as this period's */
        paragraph(d, ns->scope, 8.5, true, 0, 0.35);
        d->y += 2;
    }
    if (cover) render_cover(d);
    else if (strcmp(kind, "headlines") == 0) render_headlines(d, sec);
    else if (strcmp(kind, "volume") == 0) render_volume(d, sec);
    else if (strcmp(kind, "pipeline") == 0)
        render_breakdown(d, sec, "pipeline_by_stage", "Inbound pipeline created, by stage",
                         "pipeline_by_source");
    else if (strcmp(kind, "won") == 0)
        render_breakdown(d, sec, "won_by_source", "Inbound business won, by source",
                         "won_by_campaign");
    else if (strcmp(kind, "campaigns") == 0) render_campaigns(d, sec);
    else if (strcmp(kind, "sla") == 0) render_sla(d, sec);
    else if (strcmp(kind, "funnel") == 0) render_funnel(d, sec);
    else if (strcmp(kind, "routing") == 0)
        render_intervals(d, sec, "routing", "team", "rate",
                         "Share of MQLs won, by team (90% intervals)");
    else if (strcmp(kind, "partners") == 0)
        render_intervals(d, sec, "sla_by_partner", "team", "compliance",
                         "SLA compliance by partner, with 95% intervals");
    else if (strcmp(kind, "forecast") == 0) render_forecast(d, sec);
    else if (strcmp(kind, "quality") == 0) render_quality(d, sec);
    else if (strcmp(kind, "definitions") == 0) render_definitions(d, sec);
    else render_generic(d, sec);
}

/* ---- Document ---------------------------------------------------------- */

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure, (void)data, (void)length;
    return CAIRO_STATUS_SUCCESS;
}

static void set_metadata(doc *d)
{
    char date[32], subject[300];
    lp_instant_format_utc(d->results->as_of, date, sizeof(date));
    snprintf(subject, sizeof(subject), "Leadership pack for %s",
             d->narrative->period_words ? d->narrative->period_words : d->results->period_label);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, pack_title(d));
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_AUTHOR, "leadpack");
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "leadpack " LP_VERSION);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
}

/* Lays out every PDF section onto d->surface; returns the page count. */
static int layout_document(doc *d)
{
    d->cr = cairo_create(d->surface);
    d->page = 0;
    d->bottom = d->page_h - MARGIN - FOOTER_GAP;
    bool any = false;
    for (size_t i = 0; i < d->tpl->nsections && d->status == LP_OK; i++) {
        if (!d->tpl->sections[i].pdf) continue;
        render_section(d, i);
        any = true;
    }
    if (!any) page_break(d); /* a PDF has at least one page */
    draw_footer(d);
    cairo_show_page(d->cr);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) fail(d, LP_ERR_OUTPUT);
    cairo_destroy(d->cr);
    d->cr = NULL;
    return d->page;
}

lp_status lp_pdf_write(const lp_results *results, const lp_narrative *narrative,
                       const lp_template *tpl, const char *path, char *errmsg)
{
    if (!results || !narrative || !tpl || !path) {
        if (errmsg) lp_errmsg_set(errmsg, "pdf: missing results, narrative, template or path");
        return LP_ERR_USAGE;
    }
    if (errmsg) errmsg[0] = '\0';
    doc d = {.results = results, .narrative = narrative, .tpl = tpl};
    const lp_settings *settings = results->settings;
    bool letter = settings && strcmp(settings->paper, "Letter") == 0;
    d.page_w = letter ? 612.0 : 595.2756;
    d.page_h = letter ? 792.0 : 841.8898;
    d.currency = settings && settings->currency[0] ? settings->currency : "USD";
    snprintf(d.footer, sizeof(d.footer), "%s \u00b7 %s \u00b7 as of %s", pack_title(&d),
             narrative->period_words ? narrative->period_words : results->period_label,
             narrative->as_of_words ? narrative->as_of_words : "");
    lp_outfile out = {0};
    lp_status st = LP_OK;
    d.section_pages = lp_calloc(tpl->nsections ? tpl->nsections : 1, sizeof(int));
    if (!d.section_pages) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }

    /* Pass 1: count pages and find where each section starts. */
    d.surface = cairo_pdf_surface_create_for_stream(discard, NULL, d.page_w, d.page_h);
    int pages = layout_document(&d);
    cairo_surface_finish(d.surface);
    cairo_surface_destroy(d.surface);
    d.surface = NULL;
    if (d.status) {
        st = d.status;
        goto cleanup;
    }

    /* Pass 2: the file, with "Page N of M" and the contents' page numbers. */
    st = lp_outfile_prepare(&out, path);
    if (st) goto cleanup;
    d.total_pages = pages;
    d.surface = cairo_pdf_surface_create(out.tmp_path, d.page_w, d.page_h);
    set_metadata(&d);
    layout_document(&d);
    cairo_surface_finish(d.surface);
    if (!d.status && cairo_surface_status(d.surface) != CAIRO_STATUS_SUCCESS) {
        fail(&d, LP_ERR_OUTPUT);
        if (errmsg)
            lp_errmsg_set(errmsg, "%s: %s", path,
                          cairo_status_to_string(cairo_surface_status(d.surface)));
    }
    cairo_surface_destroy(d.surface);
    d.surface = NULL;
    st = d.status;
    if (st) {
        lp_outfile_abort(&out);
        goto cleanup;
    }
    st = lp_outfile_commit(&out);
    if (st && errmsg) lp_errmsg_set(errmsg, "%s: could not be written", path);

cleanup:
    if (st && errmsg && !errmsg[0]) lp_errmsg_set(errmsg, "%s: %s", path, lp_status_str(st));
    lp_free(d.section_pages);
    return st;
}
