/*
 * The leadership pack as a PDF (pdf.h).
 *
 * The document is laid out twice with the same code: a first pass into a
 * PDF surface whose bytes are thrown away counts the pages and records the
 * page each section starts on (for "Page N of M"),
 * and a second pass writes the file. Layout is a cursor (d->y) moving down
 * the page; anything that does not fit below it starts a new page.
 */
#include "lp/pdf.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdarg.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/chart.h"
#include "lp/figures.h"
#include "lp/fileio.h"
#include "lp/format.h"
#include "lp/table_layout.h"
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
    bool cover_section;         /* the template has a cover: page 1 is the status */
    bool headlines_section;     /* a headlines section follows the cover */
    size_t changes_shown;       /* "what changed" sentences the status page holds */
    bool compact_money;         /* format_cell writes money compact ("$228K") */
    lp_status status;           /* first failure */
} doc;

static double content_width(const doc *d) { return d->page_w - 2 * MARGIN; }

static void grey(cairo_t *cr, double level) { cairo_set_source_rgb(cr, level, level, level); }

static void fail(doc *d, lp_status status)
{
    if (d->status == LP_OK) d->status = status;
}

/* ---- Wording ----------------------------------------------------------- */

/* Reader-facing words of the PDF by key ("pdf.table.empty"), from the
 * template's wording (templates/wording.yaml under `pdf:`, which a pack may
 * override). A key the wording lacks is shown as the key itself, so that a
 * missing word is visible, never silently English from here. */
static const char *words(const doc *d, const char *key)
{
    const char *text = lp_template_text(d->tpl, key);
    return text ? text : key;
}

/* words(key) with each {name} replaced by its value, into buf: the
 * arguments after size are name, value pairs ended by NULL. A placeholder
 * without a pair is kept as written. */
static const char *words_fill(const doc *d, const char *key, char *buf, size_t size, ...)
{
    const char *pattern = words(d, key);
    size_t n = 0;
    if (size == 0) return buf;
    while (*pattern && n + 1 < size) {
        const char *close = *pattern == '{' ? strchr(pattern, '}') : NULL;
        const char *value = NULL;
        if (close) {
            va_list ap;
            va_start(ap, size);
            for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
                const char *v = va_arg(ap, const char *);
                if (strlen(name) == (size_t)(close - pattern - 1) &&
                    strncmp(name, pattern + 1, (size_t)(close - pattern - 1)) == 0) {
                    value = v ? v : "";
                    break;
                }
            }
            va_end(ap);
        }
        if (value) {
            while (*value && n + 1 < size) buf[n++] = *value++;
            pattern = close + 1;
        } else {
            buf[n++] = *pattern++;
        }
    }
    buf[n] = '\0';
    return buf;
}

/* ---- Text -------------------------------------------------------------- */

/* A word-wrapped layout of text, width in points (<= 0: one line). Nothing
 * is ever ellipsised: with one_line (a label meant to fit), text longer
 * than width still wraps at its words rather than being cut. */
static PangoLayout *layout_new(doc *d, const char *text, double size, bool bold,
                               double width, bool one_line)
{
    PangoLayout *layout = pango_cairo_create_layout(d->cr);
    PangoFontDescription *font = pango_font_description_from_string(FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    if (width > 0) {
        pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(layout, one_line ? PANGO_WRAP_WORD : PANGO_WRAP_WORD_CHAR);
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
    char number[96], page[16], pages[16];
    snprintf(page, sizeof page, "%d", d->page);
    snprintf(pages, sizeof pages, "%d", d->total_pages);
    /* while counting pages the total is not known yet */
    words_fill(d, d->total_pages > 0 ? "pdf.page.number" : "pdf.page.number_counting", number,
               sizeof number, "page", page, "pages", pages, NULL);
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
        words_fill(d, "pdf.page.continued", heading, sizeof heading, "title", d->section_title,
                   NULL);
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
        if (strcmp(col->name, "model") == 0 && text) { /* an attribution model's code */
            char key[96];
            snprintf(key, sizeof key, "pdf.name.%s", text);
            const char *name = lp_template_text(d->tpl, key);
            if (name) text = name;
        }
        snprintf(buf, size, "%s", def ? def->label : text ? text : "");
        return;
    }
    case LP_TYPE_BOOL:
        snprintf(buf, size, "%s", words(d, col->v.b[row] ? "pdf.table.yes" : "pdf.table.no"));
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
    lp_unit unit = lp_result_row_unit(t, col->name, row);
    if (d->compact_money && unit == LP_UNIT_MONEY)
        lp_fmt_unit(unit, lp_column_number(col, row), d->currency, buf, size);
    else
        lp_fmt_cell(unit, lp_column_number(col, row), d->currency, buf, size);
}

/* Column heading for readers: pdf.column.NAME of the wording; a "key"
 * column is named by its table ("source" of volume_by_source); a name the
 * wording lacks is shown with its underscores as spaces. */
static void column_heading(const doc *d, const lp_table *t, const char *name, char *buf,
                           size_t size)
{
    char key[96];
    if (strcmp(name, "key") == 0 && t->name && strstr(t->name, "_by_")) {
        snprintf(key, sizeof key, "pdf.column.by_%s", strstr(t->name, "_by_") + 4);
    } else if (strcmp(name, "team") == 0 && t->name && strcmp(t->name, "sla_by_partner") == 0) {
        snprintf(key, sizeof key, "pdf.column.partner");
    } else {
        snprintf(key, sizeof key, "pdf.column.%s", name);
    }
    const char *text = lp_template_text(d->tpl, key);
    if (text) {
        snprintf(buf, size, "%s", text);
        return;
    }
    snprintf(buf, size, "%s", strcmp(name, "key") == 0 && t->name && strstr(t->name, "_by_")
                                  ? strstr(t->name, "_by_") + 4
                                  : name);
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 32);
}

/* A grid of text cells, filled by a callback, so that result tables and the
 * loader's reports share one layout. */
typedef struct grid {
    size_t nrows, ncols;
    void (*cell)(const doc *d, const void *ctx, size_t row, size_t col, char *buf, size_t size);
    void (*heading)(const doc *d, const void *ctx, size_t col, char *buf, size_t size);
    bool (*right_aligned)(const void *ctx, size_t col);
    const void *ctx;
} grid;

/* ---- Tables ------------------------------------------------------------
 *
 * Every PDF table goes through draw_grid: it measures the cells' text with
 * pango and leaves every decision (widths, wrapping, compact money, type
 * size, parts of a table too wide for the page, rows per page and the
 * orphan rule) to the table layout (lp/table_layout.h), then draws. */

/* What the layout's measure callback needs. */
typedef struct grid_measure_ctx {
    doc *d;
    const grid *g;
} grid_measure_ctx;

/* Widest word of text at a size (bold for headings). */
static double widest_word(doc *d, const char *text, double size, bool bold)
{
    double widest = 0;
    char word[256];
    while (*text) {
        while (*text == ' ') text++;
        size_t n = strcspn(text, " ");
        if (n == 0) break;
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, text, n);
        word[n] = '\0';
        widest = fmax(widest, text_width(d, word, size, bold));
        text += n;
    }
    return widest;
}

/* The text of a cell as laid out: compact money when the part asks. */
static void grid_cell(doc *d, const grid *g, bool compact, size_t r, size_t c, char *buf,
                      size_t size)
{
    d->compact_money = compact;
    g->cell(d, g->ctx, r, c, buf, size);
    d->compact_money = false;
}

/* lp_table_measure_fn over a grid: the widest cell (of the first 500 rows)
 * and heading on one line, and the widest word; numbers do not wrap. */
static void grid_measure(void *ctx, size_t c, double size, bool compact, double *out_natural,
                         double *out_narrowest)
{
    grid_measure_ctx *m = ctx;
    const grid *g = m->g;
    char text[256];
    size_t sample = g->nrows < 500 ? g->nrows : 500;
    bool number = g->right_aligned(g->ctx, c);
    double nat = 0, min = 0;
    for (size_t r = 0; r < sample; r++) {
        grid_cell(m->d, g, compact, r, c, text, sizeof text);
        double w = text_width(m->d, text, size, false);
        nat = fmax(nat, w);
        min = fmax(min, number ? w : widest_word(m->d, text, size, false));
    }
    g->heading(m->d, g->ctx, c, text, sizeof text);
    *out_natural = fmax(nat, text_width(m->d, text, size, true));
    *out_narrowest = fmax(min, widest_word(m->d, text, size, true));
}

/* A cell's layout, wrapped at its column's width (column i of the part). */
static PangoLayout *grid_text(doc *d, const lp_table_part *part, const char *text, size_t i,
                              bool bold, bool right)
{
    PangoLayout *layout = layout_new(d, text, part->size, bold,
                                     part->widths[i] - 2 * LP_TABLE_CELL_PAD, false);
    pango_layout_set_wrap(layout, part->char_wrap ? PANGO_WRAP_WORD_CHAR : PANGO_WRAP_WORD);
    if (right) pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    return layout;
}

static double grid_header_height(doc *d, const grid *g, const lp_table_part *part)
{
    char text[256];
    double height = ROW_HEIGHT + 2;
    for (size_t i = 0; i < part->ncols; i++) {
        g->heading(d, g->ctx, part->cols[i], text, sizeof text);
        PangoLayout *layout = grid_text(d, part, text, i, true, false);
        height = fmax(height, layout_height(layout) + 4);
        g_object_unref(layout);
    }
    return height;
}

static double grid_row_height(doc *d, const grid *g, const lp_table_part *part, size_t r)
{
    char text[256];
    double height = ROW_HEIGHT;
    for (size_t i = 0; i < part->ncols; i++) {
        size_t c = part->cols[i];
        if (g->right_aligned(g->ctx, c)) continue; /* numbers are one line */
        grid_cell(d, g, part->compact, r, c, text, sizeof text);
        PangoLayout *layout = grid_text(d, part, text, i, false, false);
        height = fmax(height, layout_height(layout) + 3);
        g_object_unref(layout);
    }
    return height;
}

static void draw_grid_header(doc *d, const grid *g, const lp_table_part *part, double height)
{
    cairo_t *cr = d->cr;
    char text[256];
    grey(cr, 0.86);
    cairo_rectangle(cr, MARGIN, d->y, part->total, height);
    cairo_fill(cr);
    grey(cr, 0);
    double x = MARGIN;
    for (size_t i = 0; i < part->ncols; i++) {
        size_t c = part->cols[i];
        g->heading(d, g->ctx, c, text, sizeof text);
        PangoLayout *layout = grid_text(d, part, text, i, true, g->right_aligned(g->ctx, c));
        show_at(d, layout, x + LP_TABLE_CELL_PAD, d->y + 2);
        g_object_unref(layout);
        x += part->widths[i];
    }
    d->y += height;
}

/* Height the continued heading takes at the top of a new page. */
static double continued_height(doc *d)
{
    if (!d->section_title) return 0;
    char heading[256];
    words_fill(d, "pdf.page.continued", heading, sizeof heading, "title", d->section_title, NULL);
    PangoLayout *layout = layout_new(d, heading, H2_SIZE, true, content_width(d), true);
    double h = layout_height(layout) + GAP;
    g_object_unref(layout);
    return h;
}

/* Draws one part of a grid at the cursor, rows paged by the layout. */
static void draw_grid_part(doc *d, const grid *g, const lp_table_part *part, double *heights,
                           size_t *pages)
{
    for (size_t r = 0; r < g->nrows; r++) heights[r] = grid_row_height(d, g, part, r);
    double header = grid_header_height(d, g, part);
    double page_room = d->bottom - MARGIN - continued_height(d);
    size_t page = lp_table_paginate(heights, g->nrows, header, d->bottom - d->y, page_room,
                                    pages);
    if (page > 0) ensure_room(d, INFINITY);
    draw_grid_header(d, g, part, header);
    cairo_t *cr = d->cr;
    char text[256];
    for (size_t r = 0; r < g->nrows; r++) {
        if (pages[r] > page) {
            page = pages[r];
            ensure_room(d, INFINITY);
            draw_grid_header(d, g, part, header);
        }
        if (r % 2 == 1) {
            grey(cr, 0.955);
            cairo_rectangle(cr, MARGIN, d->y, part->total, heights[r]);
            cairo_fill(cr);
        }
        double x = MARGIN;
        grey(cr, 0.05);
        for (size_t i = 0; i < part->ncols; i++) {
            size_t c = part->cols[i];
            grid_cell(d, g, part->compact, r, c, text, sizeof text);
            PangoLayout *layout = grid_text(d, part, text, i, false, g->right_aligned(g->ctx, c));
            show_at(d, layout, x + LP_TABLE_CELL_PAD, d->y + 1.5);
            g_object_unref(layout);
            x += part->widths[i];
        }
        d->y += heights[r];
    }
    grey(cr, 0.5);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, MARGIN + part->total, d->y);
    cairo_stroke(cr);
    d->y += GAP;
}

/* Lays a grid out at the cursor (see "Tables" above). A table too wide for
 * the page comes in parts, each repeating the leading text column and
 * introduced by a line saying it continues the table. */
static void draw_grid(doc *d, const grid *g)
{
    if (g->ncols == 0) return;
    lp_table_plan plan = {0};
    double *heights = lp_calloc(g->nrows ? g->nrows : 1, sizeof(double));
    size_t *pages = lp_calloc(g->nrows ? g->nrows : 1, sizeof(size_t));
    grid_measure_ctx m = {d, g};
    /* The leading text columns (at most two: an id and its name) name the
     * row, so each part of a split table repeats them. */
    size_t nkeys = 0;
    while (nkeys < 2 && nkeys + 1 < g->ncols && !g->right_aligned(g->ctx, nkeys)) nkeys++;
    lp_status st = heights && pages ? lp_table_plan_columns(g->ncols, nkeys, content_width(d),
                                                            grid_measure, &m, &plan)
                                    : LP_ERR_NOMEM;
    if (st) {
        fail(d, st);
        goto cleanup;
    }
    for (size_t p = 0; p < plan.nparts; p++) {
        if (p > 0) paragraph(d, words(d, "pdf.table.more_columns"), 8, false, 0, 0.35);
        draw_grid_part(d, g, &plan.parts[p], heights, pages);
    }
cleanup:
    lp_table_plan_free(&plan);
    lp_free(heights);
    lp_free(pages);
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

static void view_heading(const doc *d, const void *ctx, size_t col, char *buf, size_t size)
{
    const table_view *v = ctx;
    column_heading(d, v->table, v->cols[col]->name, buf, size);
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
    if (!t) return;
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
    if (t->nrows == 0) {
        /* An empty table keeps its columns, so the page says what it would
         * list, and says that nothing is in it. */
        d->y -= GAP - 3;
        paragraph(d, words(d, "pdf.table.empty"), 8, false, 0, 0.35);
        return;
    }
    if (g.nrows < t->nrows) {
        /* Never a silent cut: say how much the workbook holds beyond it. */
        char note[240], shown[32], total[32];
        lp_fmt_count((double)g.nrows, shown, sizeof shown);
        lp_fmt_count((double)t->nrows, total, sizeof total);
        words_fill(d, "pdf.table.first_rows", note, sizeof note, "shown", shown, "total", total,
                   NULL);
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

/* In place of a chart with nothing to draw: one line saying so. */
static void no_chart(doc *d, const char *title)
{
    char line[256];
    words_fill(d, "pdf.chart.none", line, sizeof line, "title",
               title ? title : words(d, "pdf.chart.untitled"), NULL);
    paragraph(d, line, 8.5, false, 0, 0.35);
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
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = lp_column_str(kc, i);
        out->labels[i] = s ? s : "";
        out->values[i] = lp_column_number(vc, i);
        finite += isfinite(out->values[i]);
        if (out->low) {
            out->low[i] = lp_column_number(lc, i);
            out->high[i] = lp_column_number(hc, i);
        }
    }
    out->n = n;
    if (finite == 0) { /* nothing to draw: no chart */
        picked_free(out);
        return false;
    }
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
    if (!pick(d, t, key, value, low, high, max, &p)) {
        no_chart(d, title);
        return;
    }
    lp_chart *chart = lp_chart_new(kind);
    lp_chart_set_title(chart, title);
    lp_chart_set_categories(chart, p.labels, p.n);
    char heading[64];
    column_heading(d, t, value, heading, sizeof(heading));
    lp_chart_add_series(chart, heading, p.values, p.low, p.high, p.n);
    lp_chart_set_value_axis(chart, lp_result_row_unit(t, value, 0), d->currency, NULL);
    if (isfinite(reference)) lp_chart_add_reference(chart, reference, reference_label);
    /* Rows of a horizontal chart need about 18 points each. */
    if (kind == LP_CHART_HBARS || kind == LP_CHART_INTERVALS || kind == LP_CHART_FUNNEL)
        height = fmin(height, 40 + 22 * (double)p.n);
    picked_free(&p);
    place_chart(d, chart, height);
}

/* A result's code word as readers see it in a chart (pdf.name.CODE of the
 * wording: "mql" -> "MQLs"), into buf; a code the wording lacks is shown
 * with its underscores as spaces ("first_touch" -> "First touch"). */
static const char *display_name(const doc *d, const char *code, char *buf, size_t size)
{
    char key[96];
    snprintf(key, sizeof key, "pdf.name.%s", code);
    const char *text = lp_template_text(d->tpl, key);
    snprintf(buf, size, "%s", text ? text : code);
    if (text) return buf;
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
    return d->tpl->title ? d->tpl->title : words(d, "pack.title");
}

/* ---- The status page (page 1) ----------------------------------------- */

/* Okabe-Ito colours of a target status (colour-blind safe); near-black text
 * on each of them passes WCAG AA (contrast 5.4:1 on vermillion, the least). */
static void status_colour(lp_target_status status, double rgb[3])
{
    static const double colours[][3] = {
        {0xBB / 255.0, 0xBB / 255.0, 0xBB / 255.0}, /* no target: grey */
        {0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0}, /* on track: bluish green */
        {0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0}, /* at risk: orange */
        {0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0}, /* off track: vermillion */
    };
    int i = status >= LP_TARGET_NONE && status <= LP_TARGET_OFF_TRACK ? (int)status : 0;
    memcpy(rgb, colours[i], sizeof colours[i]);
}

/* The period named with its dates, as a heading: "Week 47, 16–22 November
 * 2026", "October 2026 (1–31 October)", else "LABEL (16 November 2026 –
 * 15 February 2027)". Dates are the calendar's, not figures. */
static void period_heading(const doc *d, char *buf, size_t size)
{
    const lp_results *r = d->results;
    int64_t start = lp_period_start(&r->calendar, r->period);
    int64_t last = lp_period_end(&r->calendar, r->period) - 1;
    int64_t y0, y1;
    int m0, d0, m1, d1;
    lp_instant_to_local(start, &y0, &m0, &d0, NULL, NULL, NULL);
    lp_instant_to_local(last, &y1, &m1, &d1, NULL, NULL, NULL);
    char month0[32], month1[32], year0[24], year1[24], day0[16], day1[16], week[16];
    snprintf(month0, sizeof month0, "month.%d", (m0 - 1) % 12 + 1);
    snprintf(month1, sizeof month1, "month.%d", (m1 - 1) % 12 + 1);
    snprintf(year0, sizeof year0, "%lld", (long long)y0);
    snprintf(year1, sizeof year1, "%lld", (long long)y1);
    snprintf(day0, sizeof day0, "%d", d0);
    snprintf(day1, sizeof day1, "%d", d1);
    const char *w = strstr(r->period_label, "-W");
    snprintf(week, sizeof week, "%d", w ? atoi(w + 2) : 0);
    const char *key = "pdf.cover.period_other";
    if (r->calendar.kind == LP_PERIOD_WEEK && w)
        key = y0 != y1   ? "pdf.cover.week_across_years"
              : m0 != m1 ? "pdf.cover.week_across_months"
                         : "pdf.cover.week";
    else if (r->calendar.kind == LP_PERIOD_MONTH)
        key = "pdf.cover.month";
    words_fill(d, key, buf, size, "week", week, "label", r->period_label, "start_day", day0,
               "start_month", words(d, month0), "start_year", year0, "end_day", day1,
               "end_month", words(d, month1), "end_year", year1, NULL);
}

/* Up to max values of a headline measure for the last periods of the
 * window up to P, oldest first, from the headline table (NAN where a
 * period has no value). Returns how many. */
static size_t trend_values(const doc *d, const char *measure, double *out, size_t max)
{
    const lp_table *t = result(d, "headline");
    const lp_column *mc = t ? lp_table_column(t, "measure") : NULL;
    const lp_column *pc = t ? lp_table_column(t, "period") : NULL;
    const lp_column *vc = t ? lp_table_column(t, "value") : NULL;
    if (!mc || !pc || !vc || !measure) return 0;
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *m = lp_column_str(mc, i), *p = lp_column_str(pc, i);
        if (!m || !p || strcmp(m, measure) != 0) continue;
        if (strlen(p) == strlen(d->results->period_label) &&
            strcmp(p, d->results->period_label) > 0)
            continue;
        if (n == max) {
            memmove(out, out + 1, (max - 1) * sizeof *out);
            n--;
        }
        out[n++] = lp_column_valid(vc, i) ? lp_column_number(vc, i) : NAN;
    }
    return n;
}

/* The twelve monthly values of a first-page figure, oldest first, from
 * kpi_months (NAN where a month has none). Returns how many. */
static size_t month_values(const doc *d, const char *measure, double *out, size_t max)
{
    const lp_table *t = result(d, "kpi_months");
    const lp_column *mc = t ? lp_table_column(t, "measure") : NULL;
    const lp_column *vc = t ? lp_table_column(t, "value") : NULL;
    if (!mc || !vc || !measure) return 0;
    size_t n = 0;
    for (size_t i = 0; i < t->nrows && n < max; i++) {
        const char *m = lp_column_str(mc, i);
        if (m && strcmp(m, measure) == 0)
            out[n++] = lp_column_valid(vc, i) ? lp_column_number(vc, i) : NAN;
    }
    return n;
}

/* The range of the finite values, widened when flat; false when fewer than
 * two values are finite. */
static bool value_range(const double *values, size_t n, double *lo, double *hi)
{
    size_t finite = 0;
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) finite++, *lo = fmin(*lo, values[i]), *hi = fmax(*hi, values[i]);
    if (finite < 2) return false;
    if (*hi - *lo < 1e-12) *lo -= 1, *hi += 1;
    return true;
}

/* A sparkline of values in (x, y, w, h) on the value range [lo, hi]: a
 * thin line, the last point a dot. */
static void sparkline(doc *d, const double *values, size_t n, double lo, double hi, double x,
                      double y, double w, double h)
{
    cairo_t *cr = d->cr;
    if (n < 2) return;
    grey(cr, 0.2);
    cairo_set_line_width(cr, 1.1);
    bool pen = false;
    double px = x, py = y;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) {
            pen = false;
            continue;
        }
        px = x + w * (double)i / (double)(n - 1);
        py = y + h - h * (values[i] - lo) / (hi - lo);
        if (pen) cairo_line_to(cr, px, py);
        else cairo_move_to(cr, px, py);
        pen = true;
    }
    cairo_stroke(cr);
    if (isfinite(values[n - 1])) {
        cairo_arc(cr, px, py, 1.8, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

/* The 6-12 trend of a first-page figure in (x, y, w, h): the last six
 * periods, then the last twelve months, on one baseline with a thin rule
 * between them (templates/DEFINITIONS.md, "The trend on page 1"). Shares
 * share one scale (a month's share reads against a week's); counts and
 * money are scaled per half, since a month holds about four weeks. A
 * monthly pack's periods are the months: it draws the twelve alone.
 * Returns false when there is nothing to draw. */
static bool six_twelve(doc *d, const lp_figure *f, double x, double y, double w, double h)
{
    double periods[6], months[12], plo, phi, mlo, mhi;
    bool monthly = d->results->calendar.kind == LP_PERIOD_MONTH;
    size_t np = monthly ? 0 : trend_values(d, f->def->id, periods, 6);
    size_t nm = month_values(d, f->def->id, months, 12);
    bool have_p = value_range(periods, np, &plo, &phi);
    bool have_m = value_range(months, nm, &mlo, &mhi);
    if (!have_p && !have_m) return false;
    if (f->def->unit == LP_UNIT_SHARE && have_p && have_m) {
        plo = mlo = fmin(plo, mlo);
        phi = mhi = fmax(phi, mhi);
    }
    double split = have_p && have_m ? 0.36 : have_p ? 1.0 : 0.0, gap = have_p && have_m ? 6 : 0;
    double pw = (w - gap) * split, mw = w - gap - pw;
    if (have_p) sparkline(d, periods, np, plo, phi, x, y, pw, h);
    if (have_p && have_m) {
        grey(d->cr, 0.7);
        cairo_set_line_width(d->cr, 0.6);
        cairo_move_to(d->cr, x + pw + gap / 2, y - 1);
        cairo_line_to(d->cr, x + pw + gap / 2, y + h + 1);
        cairo_stroke(d->cr);
    }
    if (have_m) sparkline(d, months, nm, mlo, mhi, x + pw + gap, y, mw, h);
    return true;
}

/* A bullet graph (Few) in (x, y, w, h): qualitative ranges of the target
 * (below 90%, 90-100%, above: the status bands of the target rule) in
 * greys, the measure as a dark bar, the target as a tick. */
static void bullet_graph(doc *d, const lp_figure *f, double x, double y, double w, double h)
{
    cairo_t *cr = d->cr;
    double scale = fmax(f->target * 1.25, isfinite(f->value) ? f->value * 1.05 : 0);
    if (!(scale > 0)) return;
    double bands[][2] = {{0, 0.9 * f->target}, {0.9 * f->target, f->target},
                         {f->target, scale}};
    const double shades[] = {0.72, 0.83, 0.93};
    if (!f->def->higher_is_better) { /* lower is better: the good band is below */
        bands[0][0] = 0, bands[0][1] = f->target;
        bands[1][0] = f->target, bands[1][1] = fmin(f->target / 0.9, scale);
        bands[2][0] = fmin(f->target / 0.9, scale), bands[2][1] = scale;
    }
    for (size_t i = 0; i < 3; i++) {
        double s = f->def->higher_is_better ? shades[i] : shades[2 - i];
        grey(cr, s);
        cairo_rectangle(cr, x + w * bands[i][0] / scale, y,
                        w * (bands[i][1] - bands[i][0]) / scale, h);
        cairo_fill(cr);
    }
    if (isfinite(f->value) && f->value > 0) {
        grey(cr, 0.12);
        cairo_rectangle(cr, x, y + h * 0.33, w * fmin(f->value, scale) / scale, h * 0.34);
        cairo_fill(cr);
    }
    double tx = x + w * f->target / scale;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, tx, y - 2);
    cairo_line_to(cr, tx, y + h + 2);
    cairo_stroke(cr);
}

/* A word on a coloured pill at (x, y); returns its width. */
static double status_pill(doc *d, const char *word, lp_target_status status, double x,
                          double y)
{
    double rgb[3];
    status_colour(status, rgb);
    PangoLayout *layout = layout_new(d, word, 7.5, true, 0, false);
    int w, h;
    pango_layout_get_pixel_size(layout, &w, &h);
    cairo_set_source_rgb(d->cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle(d->cr, x, y, w + 8, h + 2);
    cairo_fill(d->cr);
    grey(d->cr, 0);
    show_at(d, layout, x + 4, y + 1);
    g_object_unref(layout);
    return w + 8;
}

/* The verdict of a change as a short label (the sentence itself is the
 * narrative's). */
static const char *verdict_label(const doc *d, lp_verdict verdict)
{
    switch (verdict) {
    case LP_VERDICT_REAL: return words(d, "pdf.verdict.real");
    case LP_VERDICT_NOISE: return words(d, "pdf.verdict.noise");
    case LP_VERDICT_UNTESTED: return words(d, "pdf.verdict.untested");
    case LP_VERDICT_TOO_EARLY: return words(d, "pdf.verdict.too_early");
    default: return "";
    }
}

#define STATUS_ROW 60.0 /* height of one figure's row on the status page */

/* One figure's row of the status page: label and value; bullet graph,
 * target and status; the 6-12 trend; change and its
 * verdict. Everything shown is the catalogue's or the narrative's. */
static void status_row(doc *d, const lp_kpi *kpi, double y)
{
    cairo_t *cr = d->cr;
    double x = MARGIN, w = content_width(d), h = STATUS_ROW - 6;
    lp_figure f;
    bool have = kpi->measure && lp_figure_get(d->results, kpi->measure, &f) == LP_OK;
    /* A bullet graph needs both the figure and its target. */
    bool target = have && f.target > 0 && isfinite(f.target) && isfinite(f.value);
    lp_target_status status = target ? f.status : LP_TARGET_NONE;
    double rgb[3];
    status_colour(status, rgb);
    grey(cr, 0.975);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle(cr, x, y, 5, h);
    cairo_fill(cr);

    /* Label and value. */
    double ax = x + 12, aw = 122;
    PangoLayout *label = layout_new(d, kpi->label ? kpi->label : kpi->measure, 8, false, aw, false);
    pango_layout_set_wrap(label, PANGO_WRAP_WORD);
    grey(cr, 0.25);
    show_at(d, label, ax, y + 5);
    double lh = layout_height(label);
    g_object_unref(label);
    PangoLayout *value = layout_new(d, kpi->value ? kpi->value : "\u2013", 16, true, aw, false);
    pango_layout_set_wrap(value, PANGO_WRAP_WORD);
    grey(cr, 0);
    show_at(d, value, ax, fmin(y + 7 + lh, y + h - layout_height(value) - 2));
    g_object_unref(value);

    /* Bullet graph, target and status. */
    double bx = x + 142, bw = 150;
    char status_word[64];
    snprintf(status_word, sizeof status_word, "%s", kpi->status ? kpi->status : "");
    if (status_word[0] >= 'a' && status_word[0] <= 'z') status_word[0] = (char)(status_word[0] - 32);
    if (target) {
        bullet_graph(d, &f, bx, y + 9, bw, 13);
        char amount[48], line[96];
        lp_fmt_unit(f.def->unit, f.target, d->currency, amount, sizeof amount);
        words_fill(d, "pdf.cover.target", line, sizeof line, "target", amount, NULL);
        double pw = status_pill(d, status_word, status, bx, y + 30);
        grey(cr, 0.15);
        line_at(d, line, 7.5, false, bx + pw + 6, y + 31, 0, 0);
    } else {
        status_pill(d, status_word[0] ? status_word : words(d, "pdf.cover.no_target"), LP_TARGET_NONE, bx, y + 30);
    }

    /* The 6-12 trend: the last six periods, then the last twelve months. */
    double sx = x + 300, sw = 76;
    if (have && six_twelve(d, &f, sx, y + 8, sw, 20)) {
        lp_period_kind kind = d->results->calendar.kind;
        const char *caption = words(d, kind == LP_PERIOD_WEEK    ? "pdf.cover.trend_weeks"
                                       : kind == LP_PERIOD_MONTH ? "pdf.cover.trend_months"
                                                                 : "pdf.cover.trend_periods");
        grey(cr, 0.35);
        line_at(d, caption, 6.5, false, sx, y + 32, 0, 0);
    }

    /* The change, then its verdict. */
    double cx = x + 382, cw = w - 382 - 6;
    double cy = y + 5;
    if (kpi->change && *kpi->change) {
        PangoLayout *change = layout_new(d, kpi->change, 7.5, false, cw, false);
        pango_layout_set_wrap(change, PANGO_WRAP_WORD);
        grey(cr, 0.1);
        show_at(d, change, cx, cy);
        cy += layout_height(change) + 2;
        g_object_unref(change);
    }
    const char *verdict = have ? verdict_label(d, f.verdict) : "";
    if (have && f.verdict == LP_VERDICT_TOO_EARLY && kpi->change && *kpi->change) verdict = "";
    if (*verdict) {
        grey(cr, 0);
        line_at(d, verdict, 7.5, f.verdict == LP_VERDICT_REAL, cx, fmin(cy, y + h - 11), 0, 0);
    }
}

/* Height of a list of bullets at a size, wrapped to the content width. */
static double bullets_height(doc *d, char *const *items, size_t n, double size)
{
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        PangoLayout *layout = layout_new(d, items[i], size, false, content_width(d) - 14, false);
        total += layout_height(layout) + 3;
        g_object_unref(layout);
    }
    return total;
}

static void bullet_sized(doc *d, const char *text, double size)
{
    PangoLayout *layout = layout_new(d, text, size, false, content_width(d) - 14, false);
    double h = layout_height(layout);
    ensure_room(d, h);
    grey(d->cr, 0);
    line_at(d, "\u2022", size, true, MARGIN + 2, d->y, 0, 0);
    show_at(d, layout, MARGIN + 14, d->y);
    d->y += h + 3;
    g_object_unref(layout);
}

/* The first page: the status of the period. The same layout every week:
 * title and period with its dates, one row per headline figure, then the
 * headline sentences and what changed, in the largest size (9.5 down to
 * 7.5 points) at which they fit the page. What changed beyond the page is
 * listed on the headlines section's page (d->changes_shown says how many
 * were shown here). */
static void render_cover(doc *d)
{
    cairo_t *cr = d->cr;
    const lp_narrative *n = d->narrative;
    double w = content_width(d);
    grey(cr, 0);
    PangoLayout *title = layout_new(d, pack_title(d), 18, true, w, false);
    show_at(d, title, MARGIN, d->y);
    d->y += layout_height(title) + 1;
    g_object_unref(title);
    char period[160];
    period_heading(d, period, sizeof period);
    paragraph(d, period, 13, false, 0, 0.05);
    char line[400];
    if (n->as_of_words && *n->as_of_words && d->tpl->audience && *d->tpl->audience)
        words_fill(d, "pdf.cover.as_of_for", line, sizeof line, "as_of", n->as_of_words,
                   "audience", d->tpl->audience, NULL);
    else if (n->as_of_words && *n->as_of_words)
        words_fill(d, "pdf.cover.as_of", line, sizeof line, "as_of", n->as_of_words, NULL);
    else
        line[0] = '\0';
    paragraph(d, line, 8, false, 0, 0.3);
    grey(cr, 0);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, MARGIN + w, d->y);
    cairo_stroke(cr);
    d->y += 8;

    /* the tiles are the company's in every pack: a pack about one subject
     * says so above them */
    if (d->tpl->subject && strcmp(d->tpl->subject, "company") != 0) {
        char key[64];
        snprintf(key, sizeof key, "pdf.cover.tiles_%s", d->tpl->subject);
        const char *note = lp_template_text(d->tpl, key);
        if (note) paragraph(d, note, 8, false, 0, 0.3);
    }
    for (size_t i = 0; i < n->nkpis; i++) {
        status_row(d, &n->kpis[i], d->y);
        d->y += STATUS_ROW;
    }
    d->y += 4;

    /* Headlines and changes at the largest size that fits the page. */
    double heads = 2 * (H2_SIZE + 8);
    double room = d->bottom - d->y - heads;
    double size = BODY_SIZE;
    while (size > 7.5 && bullets_height(d, n->headlines, n->nheadlines, size) +
                                 bullets_height(d, n->changes, n->nchanges, size) > room)
        size -= 0.5;
    if (n->nheadlines > 0) {
        subheading(d, words(d, "pdf.cover.in_brief"));
        for (size_t i = 0; i < n->nheadlines; i++) bullet_sized(d, n->headlines[i], size);
    }
    d->changes_shown = 0;
    if (n->nchanges > 0) {
        double left = d->bottom - d->y - (H2_SIZE + 8);
        size_t fit = 0;
        double used = 0;
        while (fit < n->nchanges) {
            double h = bullets_height(d, &n->changes[fit], 1, size);
            if (used + h > left) break;
            used += h;
            fit++;
        }
        /* When a headlines section follows, what does not fit is listed
         * there; otherwise this page continues. */
        if (!d->headlines_section) fit = n->nchanges;
        if (fit > 0) {
            d->y += 4;
            subheading(d, words(d, "pdf.cover.what_changed"));
            for (size_t i = 0; i < fit; i++) bullet_sized(d, n->changes[i], size);
        }
        d->changes_shown = fit;
    }
}

/* The headlines section. After a status page (the cover) it gives the
 * section's sentences, the changes table and what changed beyond what the
 * status page held; without a cover it is the status itself. */
static void render_headlines(doc *d, const lp_template_section *sec)
{
    const lp_narrative *n = d->narrative;
    if (!d->cover_section) {
        for (size_t i = 0; i < n->nheadlines; i++) bullet(d, n->headlines[i]);
        d->y += 6;
        for (size_t i = 0; i < n->nkpis; i++) {
            ensure_room(d, STATUS_ROW);
            status_row(d, &n->kpis[i], d->y);
            d->y += STATUS_ROW;
        }
    }
    section_sentences(d, sec);
    size_t from = d->cover_section ? d->changes_shown : 0;
    if (from < n->nchanges) {
        d->y += 4;
        subheading(d, words(d, from > 0 ? "pdf.cover.what_else_changed" : "pdf.cover.what_changed"));
        for (size_t i = from; i < n->nchanges; i++) bullet(d, n->changes[i]);
        d->y += 4;
    }
    const lp_table *t = result(d, sec->table ? sec->table : "changes");
    if (t && t->nrows > 0) {
        subheading(d, words(d, "pdf.headlines.changes_table"));
        draw_result_table(d, t, sec->ncolumns ? sec->columns : NULL, sec->ncolumns, NULL,
                          t->nrows);
    }
}

/* The section's chart kind from the template, or a default. */
static lp_chart_kind chart_kind(const lp_template_section *sec, lp_chart_kind fallback)
{
    lp_chart_kind kind;
    return lp_chart_kind_parse(sec->chart, &kind) == LP_OK ? kind : fallback;
}

/* The charts the section draws (lp_template_section_charts: each of a
 * pack's charts is drawn once); returns how many. */
static size_t section_charts(doc *d, const lp_template_section *sec,
                             lp_template_chart out[LP_TEMPLATE_MAX_CHARTS])
{
    return lp_template_section_charts(d->tpl, (size_t)(sec - d->tpl->sections), out);
}

/* The group a breakdown table is by, in words: "pdf.chart.by.source" for
 * "volume_by_source" (the suffix itself when the wording has no entry). */
static const char *by_words(const doc *d, const char *table)
{
    const char *by = table ? strstr(table, "_by_") : NULL;
    if (!by) return "";
    char key[96];
    snprintf(key, sizeof key, "pdf.chart.by.%s", by + 4);
    const char *text = lp_template_text(d->tpl, key);
    return text ? text : by + 4;
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
    lp_template_chart ch[LP_TEMPLATE_MAX_CHARTS];
    if (section_charts(d, sec, ch) && strcmp(ch[0].table, "mql_trend") != 0) {
        /* a breakdown: its own groups, MQLs or the share accepted */
        bool rate = strcmp(ch[0].value, "acceptance_rate") == 0;
        char title[128];
        words_fill(d, rate ? "pdf.chart.acceptance_by" : "pdf.chart.volume_by", title,
                   sizeof title, "by", by_words(d, ch[0].table), NULL);
        table_chart(d, chart_kind(sec, LP_CHART_HBARS), title, result(d, ch[0].table), "key",
                    ch[0].value, rate ? "low" : NULL, rate ? "high" : NULL, TABLE_ROWS,
                    CHART_HEIGHT, NAN, NULL);
        compact_table(d, sec, "volume_by_source", TABLE_ROWS);
        return;
    }
    const lp_table *trend = result(d, "mql_trend");
    picked mqls, sqls;
    if (pick(d, trend, "period", "mqls", NULL, NULL, 64, &mqls)) {
        if (pick(d, trend, "period", "sqls", NULL, NULL, 64, &sqls)) {
            lp_chart *chart = lp_chart_new(chart_kind(sec, LP_CHART_BARS));
            lp_chart_set_title(chart, words(d, "pdf.chart.volume"));
            lp_chart_set_categories(chart, mqls.labels, mqls.n);
            lp_chart_add_series(chart, words(d, "pdf.chart.mqls"), mqls.values, NULL, NULL, mqls.n);
            lp_chart_add_series(chart, words(d, "pdf.chart.sqls"), sqls.values, NULL, NULL, sqls.n);
            lp_chart_set_value_axis(chart, lp_result_unit("mql_trend", "mqls"), d->currency,
                                    NULL);
            const lp_column *target = lp_table_column(trend, "mql_target");
            if (target && trend->nrows > 0 && lp_column_valid(target, trend->nrows - 1))
                lp_chart_add_reference(chart, lp_column_number(target, trend->nrows - 1),
                                       words(d, "pdf.chart.mql_target"));
            place_chart(d, chart, CHART_HEIGHT);
            picked_free(&sqls);
        }
        picked_free(&mqls);
    } else {
        no_chart(d, words(d, "pdf.chart.volume"));
    }
    compact_table(d, sec, "volume_by_source", TABLE_ROWS);
}

static void render_breakdown(doc *d, const lp_template_section *sec, const char *what,
                             const char *fallback_table)
{
    section_sentences(d, sec);
    lp_template_chart ch[LP_TEMPLATE_MAX_CHARTS];
    if (section_charts(d, sec, ch)) {
        char title[128];
        words_fill(d, "pdf.chart.amount_by", title, sizeof title, "what", what, "by",
                   by_words(d, ch[0].table), NULL);
        table_chart(d, chart_kind(sec, LP_CHART_HBARS), title, result(d, ch[0].table), "key",
                    ch[0].value, NULL, NULL, TABLE_ROWS, CHART_HEIGHT, NAN, NULL);
    }
    compact_table(d, sec, fallback_table, TABLE_ROWS);
}

/* Attribution: MQLs credited to each campaign under every model, side by
 * side. Rows come campaign by campaign, models in a fixed order. */
static void attribution_chart(doc *d)
{
    const lp_table *attr = result(d, "attribution");
    const lp_column *name = attr ? lp_table_column(attr, "name") : NULL;
    const lp_column *model = attr ? lp_table_column(attr, "model") : NULL;
    const lp_column *mqls = attr ? lp_table_column(attr, "mqls") : NULL;
    bool credited = false; /* a chart needs at least one value to draw */
    for (size_t r = 0; mqls && r < attr->nrows && !credited; r++)
        credited = lp_column_valid(mqls, r) && isfinite(lp_column_number(mqls, r));
    if (name && model && credited) {
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
        lp_chart_set_title(chart, words(d, "pdf.chart.attribution"));
        lp_chart_set_value_axis(chart, lp_result_unit("attribution", "mqls"), d->currency, NULL);
        lp_chart_set_categories(chart, labels, nc);
        for (size_t m = 0; m < nm; m++) {
            char label[64];
            lp_chart_add_series(chart, display_name(d, models[m], label, sizeof(label)), values[m],
                                NULL, NULL, nc);
        }
        place_chart(d, chart, fmin(CHART_HEIGHT + 40, 70 + (double)(nc * nm) * 11));
    } else if (attr) {
        no_chart(d, words(d, "pdf.chart.attribution"));
    }
}

/* Each chart of the section's own: cost per MQL (campaigns), credit per
 * model (attribution), or the share of MQLs that became opportunities
 * (campaign_tests). */
static void render_campaigns(doc *d, const lp_template_section *sec)
{
    section_sentences(d, sec);
    lp_template_chart ch[LP_TEMPLATE_MAX_CHARTS];
    size_t n = section_charts(d, sec, ch);
    for (size_t k = 0; k < n; k++) {
        if (strcmp(ch[k].table, "attribution") == 0)
            attribution_chart(d);
        else if (strcmp(ch[k].table, "campaign_tests") == 0)
            table_chart(d, chart_kind(sec, LP_CHART_HBARS),
                        "Share of MQLs that became opportunities, by campaign",
                        result(d, "campaign_tests"), "name", "rate", NULL, NULL, 10, 200, NAN,
                        NULL);
        else
            table_chart(d, chart_kind(sec, LP_CHART_HBARS), "Cost per MQL by campaign",
                        result(d, "campaigns"), "name", "cost_per_mql", NULL, NULL, 10, 200,
                        NAN, NULL);
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

/* The response curve (Kaplan-Meier), one line per team, at most six. */
static void sla_curve_chart(doc *d)
{
    const lp_settings *settings = d->results->settings;
    const lp_table *curve = result(d, "sla_curve");
    const lp_column *team = curve ? lp_table_column(curve, "team") : NULL;
    const lp_column *hours = curve ? lp_table_column(curve, "hours") : NULL;
    const lp_column *share = curve ? lp_table_column(curve, "touched_share") : NULL;
    if (team && hours && share && curve->nrows > 0) {
        lp_chart *chart = lp_chart_new(LP_CHART_STEP);
        lp_chart_set_title(chart, words(d, "pdf.chart.sla_curve"));
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
                                words(d, "pdf.chart.sla_curve_share"));
        lp_chart_set_value_range(chart, 0, 1);
        lp_chart_set_x_axis(chart, lp_result_unit("sla_curve", "hours"), words(d, "pdf.chart.sla_curve_hours"));
        if (settings && settings->sla_hours > 0) {
            char hours[48], label[96];
            lp_fmt_unit(LP_UNIT_HOURS, settings->sla_hours, NULL, hours, sizeof(hours));
            words_fill(d, "pdf.chart.sla_threshold", label, sizeof label, "hours", hours, NULL);
            lp_chart_add_x_reference(chart, settings->sla_hours, label);
        }
        place_chart(d, chart, 200);
    } else if (curve) {
        no_chart(d, words(d, "pdf.chart.sla_curve"));
    }
}

/* true when the pack shows the breaches in a section of their own. */
static bool pack_lists_breaches(const doc *d)
{
    for (size_t i = 0; i < d->tpl->nsections; i++) {
        const lp_template_section *s = &d->tpl->sections[i];
        if (s->pdf && strcmp(s->kind, "breaches") == 0) return true;
    }
    return false;
}

/* true when sec is the pack's first sla section. */
static bool first_sla(const doc *d, const lp_template_section *sec)
{
    for (size_t i = 0; i < d->tpl->nsections; i++)
        if (strcmp(d->tpl->sections[i].kind, "sla") == 0) return &d->tpl->sections[i] == sec;
    return false;
}

/* Each chart of the section's own (the curve, compliance by team or by rep,
 * with their 95% intervals and the target); the worst breaches on the first
 * sla section of a pack that does not list them on a page of their own. */
static void render_sla(doc *d, const lp_template_section *sec)
{
    const lp_settings *settings = d->results->settings;
    section_sentences(d, sec);
    char target_label[96];
    snprintf(target_label, sizeof target_label, "%s", words(d, "pdf.chart.target"));
    double target = NAN;
    if (settings && settings->sla_target > 0) {
        char share[32];
        target = settings->sla_target;
        lp_fmt_unit(LP_UNIT_SHARE, target, NULL, share, sizeof(share));
        words_fill(d, "pdf.chart.target_at", target_label, sizeof target_label, "target", share,
                   NULL);
    }
    /* The section's chart kind may name the curve (step); a comparison of
     * groups needs a categorical kind. */
    lp_chart_kind group_kind = chart_kind(sec, LP_CHART_INTERVALS);
    if (group_kind == LP_CHART_STEP || group_kind == LP_CHART_LINE_BAND ||
        group_kind == LP_CHART_FUNNEL)
        group_kind = LP_CHART_INTERVALS;
    lp_template_chart ch[LP_TEMPLATE_MAX_CHARTS];
    size_t nch = section_charts(d, sec, ch);
    /* the curve after the comparison it explains, as the pack always had it */
    for (size_t k = nch; k-- > 0;) {
        if (strcmp(ch[k].table, "sla_curve") == 0) {
            sla_curve_chart(d);
        } else if (strcmp(ch[k].table, "sla_by_owner") == 0) {
            const lp_table *owners = result(d, "sla_by_owner");
            bool named = owners && lp_table_column(owners, "owner_name");
            table_chart(d, group_kind, words(d, "pdf.chart.sla_by_owner"), owners,
                        named ? "owner_name" : "owner_id", "compliance", "low", "high", 16,
                        300, target, target_label);
        } else {
            table_chart(d, group_kind, words(d, "pdf.chart.sla_by_team"),
                        result(d, "sla_by_team"), "team", "compliance", "low", "high", 10, 170,
                        target, target_label);
        }
    }
    const lp_table *breaches =
        first_sla(d, sec) && !pack_lists_breaches(d) ? result(d, "breaches") : NULL;
    size_t n;
    size_t *order = largest_rows(d, breaches, "hours_late", 8, &n);
    if (order && n > 0) {
        subheading(d, words(d, "pdf.sla.worst_breaches"));
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
                words_fill(d, "pdf.chart.funnel_point", labels[i], 96, "count", count, "rate",
                           pct, NULL);
            } else {
                snprintf(labels[i], 96, "%s", count);
            }
        }
        lp_chart *chart = lp_chart_new(chart_kind(sec, LP_CHART_FUNNEL));
        lp_chart_set_title(chart, words(d, "pdf.chart.funnel"));
        char names[16][32];
        for (size_t i = 0; i < p.n; i++)
            p.labels[i] = display_name(d, p.labels[i], names[i], sizeof(names[i]));
        lp_chart_set_categories(chart, p.labels, p.n);
        lp_chart_add_series(chart, words(d, "pdf.chart.reached"), p.values, NULL, NULL, p.n);
        lp_chart_set_value_axis(chart, lp_result_unit("funnel", "reached"), d->currency, NULL);
        if (labels && storage) lp_chart_set_point_labels(chart, (const char *const *)labels, p.n);
        lp_free(labels);
        lp_free(storage);
        place_chart(d, chart, fmin(CHART_HEIGHT, 40 + 30 * (double)p.n));
        picked_free(&p);
    } else {
        no_chart(d, words(d, "pdf.chart.funnel"));
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
            lp_chart_set_title(chart, words(d, "pdf.chart.forecast"));
            lp_chart_set_categories(chart, labels, n);
            if (have_hist) lp_chart_add_series(chart, words(d, "pdf.chart.mqls"), h, NULL, NULL, n);
            if (have_fc) lp_chart_add_series(chart, words(d, "pdf.chart.forecast_series"), f, lo, hi, n);
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
    if (!have_hist && !have_fc) no_chart(d, words(d, "pdf.chart.forecast"));
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

static void files_heading(const doc *d, const void *ctx, size_t col, char *buf, size_t size)
{
    static const char *const keys[] = {"pdf.quality.file", "pdf.quality.rows_read",
                                       "pdf.quality.loaded", "pdf.quality.rejected"};
    (void)ctx;
    snprintf(buf, size, "%s", words(d, keys[col]));
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

static void rejects_heading(const doc *d, const void *ctx, size_t col, char *buf, size_t size)
{
    static const char *const keys[] = {"pdf.quality.file", "pdf.quality.line",
                                       "pdf.quality.column", "pdf.quality.why"};
    (void)ctx;
    snprintf(buf, size, "%s", words(d, keys[col]));
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
        subheading(d, words(d, "pdf.quality.files"));
        grid g = {ds->nfiles, 4, files_cell, files_heading, files_right, ds};
        draw_grid(d, &g);
    }
    if (ds && ds->nrejects > 0) {
        char line[240], total[32], first[32];
        size_t shown = ds->nrejects < 15 ? ds->nrejects : 15;
        lp_fmt_count((double)ds->nrejects, total, sizeof total);
        lp_fmt_count((double)shown, first, sizeof first);
        words_fill(d, "pdf.quality.rejects", line, sizeof line, "total", total, "shown", first,
                   NULL);
        subheading(d, line);
        grid g = {shown, 4, rejects_cell, rejects_heading, rejects_right, ds};
        draw_grid(d, &g);
    }
    if (ds && ds->nnotes > 0) {
        subheading(d, words(d, "pdf.quality.notes"));
        for (size_t i = 0; i < ds->nnotes; i++) bullet(d, ds->notes[i].message);
        d->y += 4;
    }
    const lp_table *off = result(d, "switched_off");
    if (off && off->nrows > 0) {
        subheading(d, words(d, "pdf.quality.switched_off"));
        draw_result_table(d, off, NULL, 0, NULL, off->nrows);
    }
    /* What the ledger says changed since it was published (lp/ledger.h),
     * only when something did; the workbook's Data quality sheet has every
     * column. */
    const lp_narrative *nar = d->narrative;
    if (nar->nrestated > 0) {
        subheading(d, words(d, "pdf.quality.restated"));
        /* one bullet per figure, so that the cause is never cut */
        size_t shown = nar->nrestated < 20 ? nar->nrestated : 20;
        for (size_t r = 0; r < shown; r++) bullet(d, nar->restated[r]);
        if (shown < nar->nrestated) {
            char note[240], first[32], total[32];
            lp_fmt_count((double)shown, first, sizeof first);
            lp_fmt_count((double)nar->nrestated, total, sizeof total);
            words_fill(d, "pdf.quality.restated_first", note, sizeof note, "shown", first,
                       "total", total, NULL);
            paragraph(d, note, 8, false, 0, 0.35);
        }
        d->y += 4;
    }
    if (d->narrative->ncaveats > 0) {
        subheading(d, words(d, "pdf.quality.caveats"));
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
        render_breakdown(d, sec, words(d, "pdf.chart.pipeline"), "pipeline_by_source");
    else if (strcmp(kind, "won") == 0)
        render_breakdown(d, sec, words(d, "pdf.chart.won"), "won_by_campaign");
    else if (strcmp(kind, "campaigns") == 0) render_campaigns(d, sec);
    else if (strcmp(kind, "sla") == 0) render_sla(d, sec);
    else if (strcmp(kind, "funnel") == 0) render_funnel(d, sec);
    else if (strcmp(kind, "routing") == 0)
        render_intervals(d, sec, "routing", "team", "rate",
                         words(d, "pdf.chart.routing"));
    else if (strcmp(kind, "partners") == 0)
        render_intervals(d, sec, "sla_by_partner", "team", "compliance",
                         words(d, "pdf.chart.partners"));
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
    words_fill(d, "pdf.page.subject", subject, sizeof subject, "period",
               d->narrative->period_words ? d->narrative->period_words
                                          : d->results->period_label,
               NULL);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, pack_title(d));
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_AUTHOR, "leadpack");
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "leadpack " LP_VERSION);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
}

/* ---- Document language ------------------------------------------------ */

/* Finds needle in the n bytes at hay; the last occurrence when last. */
static const char *find_bytes(const char *hay, size_t n, const char *needle, bool last)
{
    size_t k = strlen(needle);
    const char *found = NULL;
    for (size_t i = 0; k <= n && i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) {
            found = hay + i;
            if (!last) break;
        }
    return found;
}

/* Sets the document's natural language (/Lang in the catalogue, which
 * screen readers use to pick a voice): cairo 1.16 has no call for it, so
 * the file cairo finished gets a PDF incremental update (ISO 32000-1,
 * 7.5.6) that rewrites the catalogue with /Lang added and chains to
 * cairo's cross-reference table with /Prev. Deterministic: the same input
 * gives the same bytes. LP_ERR_OUTPUT when the file is not the shape cairo
 * writes (classic xref table, trailer with /Size, /Root and /Info). */
static lp_status set_language(const char *path, const char *lang)
{
    lp_status st = LP_ERR_OUTPUT;
    char *pdf = NULL;
    size_t n = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp || fseek(fp, 0, SEEK_END) != 0) goto cleanup;
    long length = ftell(fp);
    if (length <= 0 || fseek(fp, 0, SEEK_SET) != 0) goto cleanup;
    pdf = lp_malloc((size_t)length);
    if (!pdf) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    n = fread(pdf, 1, (size_t)length, fp);
    fclose(fp);
    fp = NULL;
    if (n != (size_t)length) goto cleanup;
    const char *trailer = find_bytes(pdf, n, "trailer", true);
    const char *startxref = find_bytes(pdf, n, "startxref", true);
    if (!trailer || !startxref || startxref < trailer) goto cleanup;
    const char *size_at = find_bytes(trailer, (size_t)(startxref - trailer), "/Size ", false);
    const char *root_at = find_bytes(trailer, (size_t)(startxref - trailer), "/Root ", false);
    const char *info_at = find_bytes(trailer, (size_t)(startxref - trailer), "/Info ", false);
    if (!size_at || !root_at) goto cleanup;
    long size = strtol(size_at + 6, NULL, 10), root = strtol(root_at + 6, NULL, 10);
    long info = info_at ? strtol(info_at + 6, NULL, 10) : -1;
    long prev = strtol(startxref + 9, NULL, 10);
    char head[32];
    snprintf(head, sizeof head, "\n%ld 0 obj", root);
    const char *obj = find_bytes(pdf, n, head, false);
    const char *end = obj ? find_bytes(obj, n - (size_t)(obj - pdf), "endobj", false) : NULL;
    const char *open = obj && end ? find_bytes(obj, (size_t)(end - obj), "<<", false) : NULL;
    const char *close = open ? find_bytes(open, (size_t)(end - open), ">>", true) : NULL;
    if (!close || size <= root || prev <= 0) goto cleanup;
    fp = fopen(path, "ab");
    if (!fp) goto cleanup;
    long at = (long)n + 1; /* after the newline written first */
    fprintf(fp, "\n%ld 0 obj\n%.*s   /Lang (%s)\n>>\nendobj\n", root, (int)(close - open), open,
            lang);
    long xref = ftell(fp);
    fprintf(fp, "xref\n0 1\n0000000000 65535 f \n%ld 1\n%010ld 00000 n \n", root, at);
    fprintf(fp, "trailer\n<< /Size %ld\n   /Root %ld 0 R\n", size, root);
    if (info >= 0) fprintf(fp, "   /Info %ld 0 R\n", info);
    fprintf(fp, "   /Prev %ld\n>>\nstartxref\n%ld\n%%%%EOF\n", prev, xref);
    st = ferror(fp) ? LP_ERR_OUTPUT : LP_OK;
cleanup:
    if (fp && fclose(fp) != 0) st = LP_ERR_OUTPUT;
    lp_free(pdf);
    return st;
}

/* Lays out every PDF section onto d->surface; returns the page count. */
static int layout_document(doc *d)
{
    d->cr = cairo_create(d->surface);
    d->page = 0;
    d->bottom = d->page_h - MARGIN - FOOTER_GAP;
    d->cover_section = d->headlines_section = false;
    for (size_t i = 0; i < d->tpl->nsections; i++) {
        const lp_template_section *sec = &d->tpl->sections[i];
        if (!sec->pdf || !sec->kind) continue;
        if (strcmp(sec->kind, "cover") == 0) d->cover_section = true;
        else if (strcmp(sec->kind, "headlines") == 0 && d->cover_section)
            d->headlines_section = true;
    }
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
    words_fill(&d, "pdf.page.footer", d.footer, sizeof d.footer, "title", pack_title(&d),
               "period", narrative->period_words ? narrative->period_words : results->period_label,
               "as_of", narrative->as_of_words ? narrative->as_of_words : "", NULL);
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

    /* Pass 2: the file, with "Page N of M". */
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
    if (!d.status) {
        /* The pack is written in English. */
        lp_status lang = set_language(out.tmp_path, "en");
        if (lang) {
            fail(&d, lang);
            if (errmsg) lp_errmsg_set(errmsg, "%s: could not set the document language", path);
        }
    }
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
