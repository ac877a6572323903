/*
 * The workbook's cell layer: formats, safe text, Excel dates, and the
 * drill-down formulas with the check that each reproduces the engine's value.
 *
 * Why check: a formula is what an analyst sees after Excel recalculates, the
 * cached value is what a previewer shows. Both must be the engine's figure.
 * The writer never computes a figure to show; it evaluates each candidate
 * formula over the same rows it writes (Excel's matching rules: text equal
 * case-insensitively, blank = null or empty text, TRUE/FALSE match only
 * booleans) and keeps the formula only when it lands on the engine's value.
 */
#include "xlsx_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lp/time.h"

#define CELL_TEXT_MAX 32767u
#define TRUNCATED_MARK " [truncated]"

void lp_xw_fail(xw *w, lp_status status, const char *fmt, ...)
{
    if (w->status != LP_OK) return;
    w->status = status;
    if (!w->errmsg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errmsg, LP_ERRMSG_SIZE, fmt, ap);
    va_end(ap);
}

void lp_xw_check(xw *w, lxw_error err, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col)
{
    if (err == LXW_NO_ERROR) return;
    /* In constant-memory mode a write behind the current row is refused;
     * every sheet writer goes strictly down, so this is a bug, reported. */
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(cell, row, col);
    lp_xw_fail(w, err == LXW_ERROR_MEMORY_MALLOC_FAILED ? LP_ERR_NOMEM : LP_ERR_OUTPUT,
            "workbook sheet %s cell %s: %s", ws ? ws->name : "?", cell,
            lxw_strerror(err));
}

static lxw_format *fmt_new(xw *w, const char *num_format, bool bold)
{
    lxw_format *f = workbook_add_format(w->wb);
    if (!f) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a format");
        return NULL;
    }
    if (num_format) format_set_num_format(f, num_format);
    if (bold) format_set_bold(f);
    return f;
}

void lp_xw_formats_init(xw *w, const char *currency)
{
    xw_formats *f = &w->f;
    f->title = fmt_new(w, NULL, true);
    f->subtitle = fmt_new(w, NULL, false);
    f->h2 = fmt_new(w, NULL, true);
    f->header = fmt_new(w, NULL, true);
    f->bold = fmt_new(w, NULL, true);
    f->text = fmt_new(w, "@", false);
    f->wrap = fmt_new(w, NULL, false);
    f->note = fmt_new(w, NULL, false);
    f->unit[LP_UNIT_NONE] = NULL;
    f->unit_bold[LP_UNIT_NONE] = f->bold;
    for (int u = LP_UNIT_NONE + 1; u < XW_NUNITS; u++) {
        f->unit[u] = fmt_new(w, lp_fmt_excel((lp_unit)u, currency), false);
        f->unit_bold[u] = fmt_new(w, lp_fmt_excel((lp_unit)u, currency), true);
    }
    f->date = fmt_new(w, "yyyy-mm-dd", false);
    f->datetime = fmt_new(w, "yyyy-mm-dd hh:mm", false);
    f->link = fmt_new(w, NULL, false);
    f->bad = fmt_new(w, NULL, false);
    if (w->status) return;
    format_set_font_size(f->title, 16);
    format_set_font_color(f->subtitle, 0x595959);
    format_set_font_size(f->h2, 12);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    format_set_bg_color(f->header, 0xDDEBF7);
    format_set_text_wrap(f->wrap);
    format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_italic(f->note);
    format_set_font_color(f->note, 0x595959);
    format_set_underline(f->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(f->link, LXW_COLOR_BLUE);
    format_set_bg_color(f->bad, 0xFFC7CE);
    format_set_font_color(f->bad, 0x9C0006);
}

void lp_xw_index_free(xw *w)
{
    for (size_t i = 0; i < w->nindex; i++) {
        lp_strpool_free(w->index[i].folded);
        lp_free(w->index[i].fold);
        lp_free(w->index[i].start);
        lp_free(w->index[i].rows);
    }
    w->nindex = 0;
}

/* ---- Cells ---- */

void lp_xw_str(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
            lxw_format *fmt)
{
    if (!s) return;
    lp_xw_str_len(w, ws, row, col, s, strlen(s), fmt);
}

void lp_xw_str_len(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                size_t len, lxw_format *fmt)
{
    if (!s || !len || w->status) return;
    if (len <= CELL_TEXT_MAX) {
        lp_xw_check(w, worksheet_write_string(ws, row, col, s, fmt), ws, row, col);
        return;
    }
    /* Cut at a UTF-8 character boundary so the cell stays valid text. */
    size_t keep = CELL_TEXT_MAX - (sizeof(TRUNCATED_MARK) - 1);
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
    char *cut = lp_malloc(keep + sizeof(TRUNCATED_MARK));
    if (!cut) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory cutting a long text");
        return;
    }
    memcpy(cut, s, keep);
    memcpy(cut + keep, TRUNCATED_MARK, sizeof(TRUNCATED_MARK));
    lp_xw_check(w, worksheet_write_string(ws, row, col, cut, fmt), ws, row, col);
    lp_free(cut);
    w->truncated++;
}

void lp_xw_num(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
            lxw_format *fmt)
{
    if (isnan(v) || isinf(v) || w->status) return;
    lp_xw_check(w, worksheet_write_number(ws, row, col, v, fmt), ws, row, col);
}

double lp_xw_serial(int64_t instant)
{
    int64_t y;
    int m, d, hh, mm, ss;
    lp_instant_to_local(instant, &y, &m, &d, &hh, &mm, &ss);
    /* Excel's day 25569 is 1970-01-01 (1900 system). */
    return (double)(lp_days_from_civil(y, m, d) + 25569) + (hh * 3600 + mm * 60 + ss) / 86400.0;
}

void lp_xw_instant(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t instant)
{
    lp_xw_num(w, ws, row, col, lp_xw_serial(instant), w->f.datetime);
}

void lp_xw_date(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t days)
{
    lp_xw_num(w, ws, row, col, (double)(days + 25569), w->f.date);
}

void lp_xw_link(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *place,
             const char *text)
{
    if (w->status) return;
    lp_buf url = {0};
    lp_buf_printf(&url, "internal:%s", place);
    if (url.failed) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a link");
        return;
    }
    lp_xw_check(w, worksheet_write_url_opt(ws, row, col, url.data, w->f.link, text, NULL),
             ws, row, col);
    lp_buf_reset(&url);
}

lxw_format *lp_xw_unit_format(const xw *w, lp_unit unit, bool bold)
{
    if ((unsigned)unit >= XW_NUNITS) unit = LP_UNIT_NONE;
    return bold ? w->f.unit_bold[unit] : w->f.unit[unit];
}

static lxw_format *column_format(xw *w, const lp_column *c);

lxw_format *lp_xw_column_format(xw *w, const lp_column *c)
{
    size_t slot = ((uintptr_t)c / sizeof(void *)) % XW_FORMAT_CACHE;
    if (w->format_cols[slot] != c) {
        w->format_of[slot] = column_format(w, c);
        w->format_cols[slot] = c;
    }
    return w->format_of[slot];
}

static lxw_format *column_format(xw *w, const lp_column *c)
{
    switch (c->type) {
    case LP_TYPE_INSTANT: return w->f.datetime;
    case LP_TYPE_DATE: return w->f.date;
    case LP_TYPE_BOOL:
    case LP_TYPE_STRING: return NULL;
    case LP_TYPE_INT64:
    case LP_TYPE_DOUBLE: break;
    }
    lp_unit unit = lp_result_unit(c->table ? c->table->name : NULL, c->name);
    /* Integers the catalogue does not list are still whole numbers. */
    if (unit == LP_UNIT_NONE && c->type == LP_TYPE_INT64) unit = LP_UNIT_COUNT;
    return lp_xw_unit_format(w, unit, false);
}

/* A number cell of a column whose format is General: its row may say its
 * unit (headline, changes, targets, findings, figures). */
static void row_number(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       const lp_column *c, size_t r, double v)
{
    lp_unit unit = lp_result_row_unit(c->table, c->name, r);
    lp_xw_num(w, ws, row, col, lp_fmt_excel_value(unit, v), lp_xw_unit_format(w, unit, false));
}

void lp_xw_value(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
              const lp_column *c, size_t r, lxw_format *fmt)
{
    if (!c || r >= c->length || !lp_column_valid(c, r) || w->status) return;
    bool general = !fmt && c->type == LP_TYPE_DOUBLE;
    if (!fmt) fmt = lp_xw_column_format(w, c);
    switch (c->type) {
    case LP_TYPE_STRING: lp_xw_str(w, ws, row, col, lp_column_str(c, r), fmt); break;
    case LP_TYPE_INT64: lp_xw_num(w, ws, row, col, (double)c->v.i64[r], fmt); break;
    case LP_TYPE_DOUBLE:
        if (general && !fmt) row_number(w, ws, row, col, c, r, c->v.f64[r]);
        else lp_xw_num(w, ws, row, col, c->v.f64[r], fmt);
        break;
    case LP_TYPE_BOOL:
        lp_xw_check(w, worksheet_write_boolean(ws, row, col, c->v.b[r], fmt), ws, row, col);
        break;
    case LP_TYPE_DATE: lp_xw_num(w, ws, row, col, (double)(c->v.i32[r] + 25569), fmt); break;
    case LP_TYPE_INSTANT: lp_xw_num(w, ws, row, col, lp_xw_serial(c->v.i64[r]), fmt); break;
    }
}

double lp_xw_num_at(const lp_table *t, const char *column, size_t r)
{
    const lp_column *c = t ? lp_table_column(t, column) : NULL;
    if (!c || r >= c->length) return NAN;
    return lp_column_number(c, r);
}

const char *lp_xw_str_at(const lp_table *t, const char *column, size_t r)
{
    const lp_column *c = t ? lp_table_column(t, column) : NULL;
    if (!c || c->type != LP_TYPE_STRING || r >= c->length) return NULL;
    return lp_column_str(c, r);
}

/* ---- Drill-down formulas ---- */

bool lp_xw_criterion_safe(const char *text)
{
    /* An exact-match criterion must not be read by Excel as an operator,
     * a wildcard, a number, a date or a boolean, and must fold case the same
     * way in every reader (ASCII only). */
    if (!text || !*text) return false;
    size_t len = strlen(text);
    if (len > 255) return false;
    if (!isalpha((unsigned char)text[0]) && text[0] != '(' && text[0] != '_')
        return false;
    for (const char *p = text; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch > 0x7E || strchr("*?~\"/:", ch)) return false;
    }
    if (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0) return false;
    return true;
}

const sheet_plan *lp_xw_detail_plan(const xw *w, const char *detail)
{
    for (size_t i = 0; i < w->nsheets; i++)
        if (w->sheets[i].kind == K_DETAIL && w->sheets[i].part == 1 &&
            strcmp(w->sheets[i].detail->name, detail) == 0)
            return &w->sheets[i];
    return NULL;
}

static int column_position(const lp_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->columns[i]->name, name) == 0) return (int)i;
    return -1;
}

/* 'Sheet'!$C$2:$C$9 for one part of a detail table (data rows start on row
 * 2; an empty part keeps one blank row). */
static void part_range(lp_buf *buf, const sheet_plan *p, int col)
{
    char letters[8];
    lxw_col_to_name(letters, (lxw_col_t)col, 1);
    size_t last = p->nrows ? p->nrows + 1 : 2;
    lp_buf_printf(buf, "'%s'!%s$2:%s$%zu", p->name, letters, letters, last);
}

bool lp_xw_agg_formula(xw *w, const agg *a, lp_buf *buf)
{
    const sheet_plan *first = lp_xw_detail_plan(w, a->detail);
    if (!first) return false;
    const lp_table *t = first->detail;
    int sum_col = -1, crit_col[4];
    if (a->sum_column && (sum_col = column_position(t, a->sum_column)) < 0) return false;
    for (int i = 0; i < a->ncrits; i++) {
        if ((crit_col[i] = column_position(t, a->crits[i].column)) < 0) return false;
        if (a->crits[i].kind == CR_EQ && !lp_xw_criterion_safe(a->crits[i].text)) return false;
    }
    for (int k = 0; k < first->nparts; k++) {
        const sheet_plan *p = first + k;
        if (k) lp_buf_puts(buf, "+");
        if (a->ncrits == 0) {
            lp_buf_puts(buf, sum_col >= 0 ? "SUM(" : "COUNTA(");
            part_range(buf, p, sum_col >= 0 ? sum_col : 0);
        } else {
            if (sum_col >= 0) {
                lp_buf_puts(buf, "SUMIFS(");
                part_range(buf, p, sum_col);
                lp_buf_puts(buf, ",");
            } else {
                lp_buf_puts(buf, "COUNTIFS(");
            }
            for (int i = 0; i < a->ncrits; i++) {
                if (i) lp_buf_puts(buf, ",");
                part_range(buf, p, crit_col[i]);
                switch (a->crits[i].kind) {
                case CR_EQ: lp_buf_printf(buf, ",\"%s\"", a->crits[i].text); break;
                case CR_TRUE: lp_buf_puts(buf, ",TRUE"); break;
                case CR_FALSE: lp_buf_puts(buf, ",FALSE"); break;
                case CR_NONBLANK: lp_buf_puts(buf, ",\"<>\""); break;
                case CR_BLANK: lp_buf_puts(buf, ",\"\""); break;
                case CR_AT_MOST: lp_buf_printf(buf, ",\"<=%.17g\"", a->crits[i].at_most); break;
                }
            }
        }
        lp_buf_puts(buf, ")");
    }
    return !buf->failed;
}

/* Excel's blank: a null, or a text written as nothing (empty). */
static bool cell_blank(const lp_column *c, size_t r)
{
    if (!lp_column_valid(c, r)) return true;
    return c->type == LP_TYPE_STRING && lp_strpool_strlen(c->table->pool, c->v.i32[r]) == 0;
}

static bool crit_match(const lp_column *c, const crit *k, size_t r)
{
    switch (k->kind) {
    case CR_EQ: {
        if (c->type != LP_TYPE_STRING || cell_blank(c, r)) return false;
        return strcasecmp(lp_column_str(c, r), k->text) == 0;
    }
    case CR_TRUE: return c->type == LP_TYPE_BOOL && lp_column_valid(c, r) && c->v.b[r];
    case CR_FALSE: return c->type == LP_TYPE_BOOL && lp_column_valid(c, r) && !c->v.b[r];
    case CR_NONBLANK: return !cell_blank(c, r);
    case CR_BLANK: return cell_blank(c, r);
    case CR_AT_MOST: {
        /* The number the cell holds: instants and dates as written. */
        if (!lp_column_valid(c, r)) return false;
        double v;
        switch (c->type) {
        case LP_TYPE_INSTANT: v = lp_xw_serial(c->v.i64[r]); break;
        case LP_TYPE_DATE: v = (double)(c->v.i32[r] + 25569); break;
        case LP_TYPE_INT64:
        case LP_TYPE_DOUBLE: v = lp_column_number(c, r); break;
        default: return false;
        }
        return v <= k->at_most;
    }
    }
    return false;
}

/* The rows of t whose string column folds to the same lower-case text,
 * built once per (table, column). */
static const key_index *index_get(xw *w, const lp_table *t, const lp_column *c)
{
    for (size_t i = 0; i < w->nindex; i++)
        if (w->index[i].table == t && w->index[i].column == c) return &w->index[i];
    if (w->nindex == XW_MAX_INDEX) return NULL;
    key_index *ix = &w->index[w->nindex];
    memset(ix, 0, sizeof(*ix));
    /* Only the codes the column's rows use are folded: the table's pool
     * also holds every other text column's values. */
    int32_t ncodes = lp_strpool_count(t->pool);
    ix->folded = lp_strpool_new();
    ix->fold = lp_malloc(((size_t)ncodes + 1) * sizeof(int32_t));
    ix->rows = lp_malloc((c->length + 1) * sizeof(size_t));
    char *lower = NULL;
    size_t lower_cap = 0;
    bool ok = ix->folded && ix->fold && ix->rows;
    if (ok) memset(ix->fold, 0xff, ((size_t)ncodes + 1) * sizeof(int32_t));
    for (size_t r = 0; ok && r < c->length; r++) {
        if (!lp_column_valid(c, r)) continue;
        int32_t code = c->v.i32[r];
        if (ix->fold[code] >= 0) continue;
        const char *s = lp_strpool_get(t->pool, code);
        size_t len = lp_strpool_strlen(t->pool, code);
        if (len + 1 > lower_cap) {
            char *grown = lp_realloc(lower, len + 1);
            if (!grown) { ok = false; break; }
            lower = grown;
            lower_cap = len + 1;
        }
        for (size_t j = 0; j < len; j++) lower[j] = (char)tolower((unsigned char)s[j]);
        ok = lp_strpool_intern(ix->folded, lower, len, &ix->fold[code]) == LP_OK;
    }
    lp_free(lower);
    size_t nfolded = ok ? (size_t)lp_strpool_count(ix->folded) : 0;
    if (ok) ok = (ix->start = lp_calloc(nfolded + 2, sizeof(size_t))) != NULL;
    if (ok) {
        /* Counting sort of the rows by folded code. */
        for (size_t r = 0; r < c->length; r++)
            if (lp_column_valid(c, r)) ix->start[ix->fold[c->v.i32[r]] + 1]++;
        for (size_t k = 0; k < nfolded; k++) ix->start[k + 1] += ix->start[k];
        size_t *next = lp_malloc((nfolded + 1) * sizeof(size_t));
        if (!next) {
            ok = false;
        } else {
            memcpy(next, ix->start, (nfolded + 1) * sizeof(size_t));
            for (size_t r = 0; r < c->length; r++)
                if (lp_column_valid(c, r)) ix->rows[next[ix->fold[c->v.i32[r]]]++] = r;
            lp_free(next);
        }
    }
    if (!ok) {
        lp_strpool_free(ix->folded);
        lp_free(ix->fold);
        lp_free(ix->start);
        lp_free(ix->rows);
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory indexing %s.%s", t->name, c->name);
        return NULL;
    }
    ix->table = t;
    ix->column = c;
    w->nindex++;
    return ix;
}

bool lp_xw_agg_eval(xw *w, const agg *a, double *out_value)
{
    const sheet_plan *first = lp_xw_detail_plan(w, a->detail);
    if (!first) return false;
    const lp_table *t = first->detail;
    const lp_column *sum = NULL, *cols[4];
    if (a->sum_column) {
        sum = lp_table_column(t, a->sum_column);
        if (!sum || sum->type == LP_TYPE_STRING) return false;
    }
    for (int i = 0; i < a->ncrits; i++) {
        if (!(cols[i] = lp_table_column(t, a->crits[i].column))) return false;
        if (a->crits[i].kind == CR_EQ && !lp_xw_criterion_safe(a->crits[i].text)) return false;
    }
    /* The rows to look at: the key's group when the first criterion is an
     * equality on a text column, else every row. */
    const size_t *rows = NULL;
    size_t nrows = t->nrows;
    int from = 0;
    if (a->ncrits > 0 && a->crits[0].kind == CR_EQ && cols[0]->type == LP_TYPE_STRING) {
        const key_index *ix = index_get(w, t, cols[0]);
        if (!ix) return false;
        char lower[256];
        size_t len = strlen(a->crits[0].text);
        for (size_t j = 0; j <= len; j++)
            lower[j] = (char)tolower((unsigned char)a->crits[0].text[j]);
        int32_t code = lp_strpool_find(ix->folded, lower, len);
        if (code < 0) {
            nrows = 0;
        } else {
            rows = ix->rows + ix->start[code];
            nrows = ix->start[code + 1] - ix->start[code];
        }
        from = 1;
    }
    double total = 0;
    for (size_t k = 0; k < nrows; k++) {
        size_t r = rows ? rows[k] : k;
        bool match = true;
        for (int i = from; i < a->ncrits && match; i++) match = crit_match(cols[i], &a->crits[i], r);
        if (!match) continue;
        if (sum) {
            if (lp_column_valid(sum, r)) total += lp_column_number(sum, r);
        } else if (a->ncrits > 0 || !cell_blank(t->columns[0], r)) {
            total += 1;
        }
    }
    *out_value = total;
    return true;
}

static bool same_value(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void formula_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                         const char *formula, double cached, lxw_format *fmt)
{
    if (w->status) return;
    lp_xw_check(w, worksheet_write_formula_num(ws, row, col, formula, fmt, cached), ws, row,
             col);
    w->formulas++;
}

void lp_xw_agg_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const agg *a,
                 double v, lxw_format *fmt)
{
    if (isnan(v) || w->status) return;
    double check;
    lp_buf formula = {0};
    lp_buf_puts(&formula, "=");
    if (lp_xw_agg_eval(w, a, &check) && same_value(check, v) && lp_xw_agg_formula(w, a, &formula))
        formula_cell(w, ws, row, col, formula.data, v, fmt);
    else
        lp_xw_num(w, ws, row, col, v, fmt);
    lp_buf_reset(&formula);
}

void lp_xw_ratio_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                   const char *num_expr, double num, const char *den_expr, double den,
                   double v, lxw_format *fmt)
{
    if (isnan(v) || w->status) return;
    if (!isnan(num) && !isnan(den) && den != 0 && same_value(num / den, v)) {
        lp_buf formula = {0};
        lp_buf_printf(&formula, "=%s/%s", num_expr, den_expr);
        if (formula.failed)
            lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a formula");
        else
            formula_cell(w, ws, row, col, formula.data, v, fmt);
        lp_buf_reset(&formula);
    } else {
        lp_xw_num(w, ws, row, col, v, fmt);
    }
}

void lp_xw_diff_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                  const char *a_expr, double a, const char *b_expr, double b, double scale,
                  double v, lxw_format *fmt)
{
    if (isnan(v) || w->status) return;
    if (!isnan(a) && !isnan(b) && same_value((a - b) * scale, v)) {
        char formula[64];
        if (scale == 1.0)
            snprintf(formula, sizeof(formula), "=%s-%s", a_expr, b_expr);
        else
            snprintf(formula, sizeof(formula), "=(%s-%s)*%.15g", a_expr, b_expr, scale);
        formula_cell(w, ws, row, col, formula, v, fmt);
    } else {
        lp_xw_num(w, ws, row, col, v, fmt);
    }
}
