/*
 * The analyst workbook (xlsx.h): plans the sheets from the template, then
 * writes each sheet top to bottom (constant-memory mode needs strict row
 * order, so every writer below only moves down).
 */
#include "xlsx_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/fileio.h"
#include "lp/settings.h"
#include "lp/time.h"

#define MAX_COLS 64
#define SHEET_BUFFER ((size_t)256 << 10) /* stdio buffer of a constant-memory sheet */

/* ---- Sheet plan ---- */

static const struct {
    const char *kind;      /* template section kind */
    sheet_kind sheet;
    const char *name;      /* sheet name */
} kinds[] = {
    {"cover", K_SUMMARY, "Summary"},       {"headlines", K_SUMMARY, "Summary"},
    {"volume", K_VOLUME, "Volume"},        {"campaigns", K_CAMPAIGNS, "Campaigns"},
    {"pipeline", K_PIPELINE, "Pipeline"},  {"sla", K_SLA, "SLA"},
    {"won", K_WON, "Won"},                 {"breaches", K_BREACHES, "Breaches"},
    {"funnel", K_FUNNEL, "Funnel"},        {"routing", K_ROUTING, "Routing"},
    {"forecast", K_FORECAST, "Forecast"},  {"partners", K_PARTNERS, "Partners"},
    {"detail", K_DETAIL, NULL},            {"quality", K_QUALITY, "Data quality"},
    {"definitions", K_DEFINITIONS, "Definitions"},
    {"parameters", K_PARAMETERS, "Parameters"},
};

/* Detail tables in their default order, with their sheet names. */
static const struct { const char *table, *name; } details[] = {
    {"detail_mqls", "MQLs"},
    {"detail_sqls", "SQLs"},
    {"detail_followups", "Follow-ups"},
    {"detail_inbound_opportunities", "Inbound opportunities"},
    {"detail_open_inbound_pipeline", "Open inbound pipeline"},
    {"detail_inbound_wins", "Inbound wins"},
    {"detail_closed", "Closed deals"},
    {"detail_touches", "Touches"},
    {"detail_mqls_previous", "Previous MQLs"},
    {"detail_sqls_previous", "Previous SQLs"},
    {"detail_followups_previous", "Previous follow-ups"},
    {"detail_inbound_opportunities_previous", "Previous inbound opportunities"},
    {"detail_inbound_wins_previous", "Previous inbound wins"},
    {"detail_closed_previous", "Previous closed deals"},
};
#define NDETAILS (sizeof(details) / sizeof(details[0]))

static const char *kind_name(sheet_kind k)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].sheet == k && kinds[i].name) return kinds[i].name;
    return "Sheet";
}

static bool planned(const xw *w, sheet_kind k)
{
    for (size_t i = 0; i < w->nsheets; i++)
        if (w->sheets[i].kind == k) return true;
    return false;
}

static sheet_plan *plan_add(xw *w, sheet_kind k, const lp_template_section *sec)
{
    if (w->nsheets == XW_MAX_SHEETS) {
        lp_xw_fail(w, LP_ERR_LIMIT, "workbook: more than %d sheets", XW_MAX_SHEETS);
        return NULL;
    }
    sheet_plan *p = &w->sheets[w->nsheets++];
    memset(p, 0, sizeof(*p));
    p->kind = k;
    p->section = sec;
    snprintf(p->name, sizeof(p->name), "%s", kind_name(k));
    return p;
}

/* One sheet per max_rows rows of a detail table: "MQLs", "MQLs (2)", ... */
static void plan_detail(xw *w, size_t d, const lp_template_section *sec)
{
    const lp_table *t = lp_results_table(w->res, details[d].table);
    if (!t || lp_xw_detail_plan(w, details[d].table)) return;
    size_t nparts = t->nrows ? (t->nrows + w->max_rows - 1) / w->max_rows : 1;
    for (size_t k = 0; k < nparts; k++) {
        sheet_plan *p = plan_add(w, K_DETAIL, sec);
        if (!p) return;
        if (k == 0)
            snprintf(p->name, sizeof(p->name), "%s", details[d].name);
        else   /* the part number always fits: the name is cut before it */
            snprintf(p->name, sizeof(p->name), "%.21s (%u)", details[d].name,
                     (unsigned)(k + 1) % 100000u);
        p->detail = t;
        p->first_row = k * w->max_rows;
        p->nrows = t->nrows - p->first_row < w->max_rows ? t->nrows - p->first_row
                                                          : w->max_rows;
        p->part = (int)k + 1;
        p->nparts = (int)nparts;
    }
}

static void plan_sheets(xw *w)
{
    plan_add(w, K_SUMMARY, NULL);
    static const char *const defaults[] = {
        "volume", "campaigns", "pipeline", "sla", "won", "breaches", "funnel",
        "routing", "forecast", "partners", NULL};
    if (w->tpl) {
        for (size_t i = 0; i < w->tpl->nsections; i++) {
            const lp_template_section *sec = &w->tpl->sections[i];
            if (!sec->workbook || !sec->kind) continue;
            for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                if (strcmp(sec->kind, kinds[k].kind) != 0) continue;
                if (kinds[k].sheet == K_DETAIL) {
                    for (size_t d = 0; d < NDETAILS; d++)
                        if (!sec->table || strcmp(sec->table, details[d].table) == 0)
                            plan_detail(w, d, sec);
                } else if (!planned(w, kinds[k].sheet)) {
                    plan_add(w, kinds[k].sheet, sec);
                }
                break;
            }
        }
    } else {
        for (const char *const *k = defaults; *k; k++)
            for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++)
                if (strcmp(*k, kinds[j].kind) == 0) plan_add(w, kinds[j].sheet, NULL);
    }
    /* The drill-down needs the detail sheets, and every pack carries its
     * quality, definitions and parameters. */
    for (size_t d = 0; d < NDETAILS; d++) plan_detail(w, d, NULL);
    if (!planned(w, K_QUALITY)) plan_add(w, K_QUALITY, NULL);
    if (!planned(w, K_DEFINITIONS)) plan_add(w, K_DEFINITIONS, NULL);
    if (!planned(w, K_PARAMETERS)) plan_add(w, K_PARAMETERS, NULL);
}

static const sheet_plan *plan_find(const xw *w, sheet_kind k)
{
    for (size_t i = 0; i < w->nsheets; i++)
        if (w->sheets[i].kind == k) return &w->sheets[i];
    return NULL;
}

/* ---- Sheet helpers ---- */

typedef struct sheet {
    lxw_worksheet *ws;
    double width[MAX_COLS];    /* widest content seen per column, in characters */
} sheet;

static void widen(sheet *s, int col, double chars)
{
    if (col < 0 || col >= MAX_COLS) return;
    if (chars > 60) chars = 60;
    if (chars > s->width[col]) s->width[col] = chars;
}

static void widen_text(sheet *s, int col, const char *text)
{
    if (text) widen(s, col, (double)strlen(text) + 2);
}

static void apply_widths(xw *w, sheet *s)
{
    for (int c = 0; c < MAX_COLS; c++)
        if (s->width[c] > 0)
            lp_xw_check(w, worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, s->width[c],
                                             NULL),
                     s->ws, 0, (lxw_col_t)c);
}

static void cell_name(char *buf, lxw_row_t row, lxw_col_t col)
{
    lxw_rowcol_to_cell(buf, row, col);
}

/* Heading of a sheet (row 0) and its subtitle (row 1). */
static void sheet_heading(xw *w, sheet *s, const sheet_plan *p, const char *fallback)
{
    const char *title = p->section && p->section->title ? p->section->title : fallback;
    lp_xw_str(w, s->ws, 0, 0, title, w->f.title);
    lp_xw_str(w, s->ws, 1, 0, w->res->period_label, w->f.subtitle);
    worksheet_freeze_panes(s->ws, 2, 0);
}

static const char *switched_off_reason(const xw *w, const char *table)
{
    const lp_table *off = lp_results_table(w->res, "switched_off");
    if (!off) return NULL;
    for (size_t r = 0; r < off->nrows; r++) {
        const char *figure = lp_xw_str_at(off, "figure", r);
        if (figure && strcmp(figure, table) == 0) return lp_xw_str_at(off, "reason", r);
    }
    return NULL;
}

/* Headers for people of the canonical column names (lp_xw_header, of
 * table), each unique within the row: a repeated header takes its name in
 * parentheses. labels[c] points into store. */
typedef struct header_set {
    const char *labels[MAX_COLS];
    char store[MAX_COLS][64];
} header_set;

static void header_labels(header_set *h, const char *table, const char *const *names,
                          int ncols)
{
    for (int c = 0; c < ncols && c < MAX_COLS; c++) {
        char word[64];
        const char *label = lp_xw_header(table, names[c], word, sizeof(word));
        bool taken = false;
        for (int k = 0; k < c && !taken; k++) taken = strcmp(h->labels[k], label) == 0;
        if (taken)
            snprintf(h->store[c], sizeof(h->store[c]), "%s (%s)", label, names[c]);
        else
            snprintf(h->store[c], sizeof(h->store[c]), "%s", label);
        h->labels[c] = h->store[c];
    }
}

/* The canonical name of each header cell, in a comment on it, so that
 * analysts and scripts can find a column by the name the results CSV files use. */
static void header_comments(xw *w, sheet *s, lxw_row_t row, const char *const *names,
                            int ncols)
{
    for (int c = 0; c < ncols && !w->status; c++)
        lp_xw_check(w, worksheet_write_comment(s->ws, row, (lxw_col_t)c, names[c]), s->ws, row,
                    (lxw_col_t)c);
}

/* Header cells of canonical names, as bold cells (no Excel table). */
static void header_cells(xw *w, sheet *s, lxw_row_t row, const char *const *names, int ncols,
                         const char *table)
{
    header_set h;
    header_labels(&h, table, names, ncols);
    for (int c = 0; c < ncols; c++) {
        lp_xw_str(w, s->ws, row, (lxw_col_t)c, h.labels[c], w->f.header);
        widen_text(s, c, h.labels[c]);
    }
    header_comments(w, s, row, names, ncols);
}

/* Makes the range header_row..last_row an Excel table (autofilter, banded
 * rows) headed by the canonical names in words (lp_xw_header of base, the
 * result table or the block's name), each name in a comment on its header;
 * in constant-memory mode, where libxlsxwriter has no tables, the headers
 * are written as bold cells. */
static void table_or_header(xw *w, sheet *s, lxw_row_t header_row, lxw_row_t last_row,
                            const char *const *names, int ncols, const char *base)
{
    if (w->status || ncols == 0) return;
    if (w->constant_memory) {
        header_cells(w, s, header_row, names, ncols, base);
        return;
    }
    header_set h;
    header_labels(&h, base, names, ncols);
    for (int c = 0; c < ncols; c++) widen_text(s, c, h.labels[c]);
    lxw_table_column cols[MAX_COLS];
    lxw_table_column *colp[MAX_COLS + 1];
    for (int c = 0; c < ncols; c++) {
        memset(&cols[c], 0, sizeof(cols[c]));
        cols[c].header = (char *)h.labels[c];
        colp[c] = &cols[c];
    }
    colp[ncols] = NULL;
    char name[64];
    snprintf(name, sizeof(name), "T%zu_", ++w->ntables);
    size_t len = strlen(name);
    for (const char *p = base; *p && len < sizeof(name) - 1; p++)
        name[len++] = (isalnum((unsigned char)*p) || *p == '_') ? *p : '_';
    name[len] = '\0';
    lxw_table_options opts = {0};
    opts.name = name;
    opts.columns = colp;
    opts.style_type = LXW_TABLE_STYLE_TYPE_LIGHT;
    opts.style_type_number = 9;
    if (last_row == header_row) last_row++;   /* a table needs one data row */
    lp_xw_check(w, worksheet_add_table(s->ws, header_row, 0, last_row, (lxw_col_t)(ncols - 1),
                                    &opts),
             s->ws, header_row, 0);
    header_comments(w, s, header_row, names, ncols);
}

/* ---- Blocks: a result table with drill-down formulas ---- */

typedef enum rule_kind { R_COUNT, R_SUM, R_RATIO, R_RATIO_PREV } rule_kind;

typedef struct col_rule {
    const char *column;       /* result column this rule writes */
    rule_kind kind;
    const char *detail;       /* R_COUNT, R_SUM: detail table */
    const char *detail_key;   /* R_COUNT, R_SUM: detail column equal to the row's key */
    const char *sum_column;   /* R_SUM: detail column summed */
    crit extra;               /* R_COUNT, R_SUM: one more criterion (column NULL = none) */
    const char *num, *den;    /* R_RATIO: result columns of the same row;
                                 R_RATIO_PREV: num over num of the row above */
} col_rule;

typedef struct block {
    const char *table;        /* result table */
    const char *heading;
    const char *note;         /* said under the heading (figures with no rows), or NULL */
    const char *key;          /* result column matched against detail_key */
    const col_rule *rules;
    size_t nrules;
    /* out: where the data went (for charts) */
    lxw_row_t first_data, last_data;
    size_t nrows;
} block;

static int col_index(const lp_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols && i < MAX_COLS; i++)
        if (strcmp(t->columns[i]->name, name) == 0) return (int)i;
    return -1;
}

static void rule_cell(xw *w, sheet *s, lxw_row_t row, const lp_table *t, size_t r,
                      const block *b, const col_rule *rule, int c)
{
    const lp_column *col = t->columns[c];
    lxw_format *fmt = lp_xw_column_format(w, col);
    double v = lp_column_number(col, r);
    if (rule->kind == R_COUNT || rule->kind == R_SUM) {
        const char *key = b->key ? lp_xw_str_at(t, b->key, r) : NULL;
        agg a = {.detail = rule->detail,
                 .sum_column = rule->kind == R_SUM ? rule->sum_column : NULL};
        if (key) a.crits[a.ncrits++] = (crit){rule->detail_key, CR_EQ, key, 0};
        if (rule->extra.column) a.crits[a.ncrits++] = rule->extra;
        /* A keyed block's row without a key has no rows to count; a block
         * without keys (one row) counts over the whole detail table. */
        if (key || !b->key)
            lp_xw_agg_cell(w, s->ws, row, (lxw_col_t)c, &a, v, fmt);
        else
            lp_xw_num(w, s->ws, row, (lxw_col_t)c, v, fmt);
        return;
    }
    int nc = col_index(t, rule->num);
    int dc = rule->kind == R_RATIO ? col_index(t, rule->den) : nc;
    if (nc < 0 || dc < 0 || (rule->kind == R_RATIO_PREV && r == 0)) {
        lp_xw_num(w, s->ws, row, (lxw_col_t)c, v, fmt);
        return;
    }
    char num[16], den[16];
    cell_name(num, row, (lxw_col_t)nc);
    size_t den_row = rule->kind == R_RATIO_PREV ? r - 1 : r;
    cell_name(den, rule->kind == R_RATIO_PREV ? row - 1 : row, (lxw_col_t)dc);
    lp_xw_ratio_cell(w, s->ws, row, (lxw_col_t)c, num, lp_column_number(t->columns[nc], r), den,
                  lp_column_number(t->columns[dc], den_row), v, fmt);
}

/* Writes heading, header and rows of a result table from *row on; leaves
 * *row two rows below the last. A missing table is said as such. */
static void write_block(xw *w, sheet *s, lxw_row_t *row, block *b)
{
    const lp_table *t = lp_results_table(w->res, b->table);
    lp_xw_str(w, s->ws, (*row)++, 0, b->heading, w->f.h2);
    if (b->note) lp_xw_str(w, s->ws, (*row)++, 0, b->note, w->f.note);
    b->nrows = 0;
    if (!t) {
        const char *why = switched_off_reason(w, b->table);
        lp_xw_str(w, s->ws, (*row)++, 0, why ? why : "Not available in these results.",
               w->f.note);
        (*row)++;
        return;
    }
    int ncols = t->ncols < MAX_COLS ? (int)t->ncols : MAX_COLS;
    /* Sheet column k shows table column order[k]: a name column X_name
     * stands beside its X_id. Blocks with rules keep the table's order
     * (their formulas address columns by table position). */
    int order[MAX_COLS], n = 0;
    bool placed[MAX_COLS] = {false};
    for (int c = 0; c < ncols; c++) {
        if (placed[c]) continue;
        order[n++] = c;
        placed[c] = true;
        const char *name = t->columns[c]->name;
        size_t len = strlen(name);
        if (b->nrules || len < 4 || strcmp(name + len - 3, "_id") != 0) continue;
        for (int d = c + 1; d < ncols; d++) {
            const char *other = t->columns[d]->name;
            if (!placed[d] && strncmp(other, name, len - 2) == 0 &&
                strcmp(other + len - 2, "name") == 0) {
                order[n++] = d;
                placed[d] = true;
                break;
            }
        }
    }
    const char *headers[MAX_COLS];
    for (int k = 0; k < ncols; k++) headers[k] = t->columns[order[k]]->name;
    lxw_row_t header_row = (*row)++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)t->nrows, headers, ncols,
                    b->table);
    b->first_data = *row;
    for (size_t r = 0; r < t->nrows && !w->status; r++, (*row)++) {
        for (int k = 0; k < ncols; k++) {
            int c = order[k];
            const lp_column *col = t->columns[c];
            const col_rule *rule = NULL;
            for (size_t k = 0; k < b->nrules; k++)
                if (strcmp(b->rules[k].column, col->name) == 0) rule = &b->rules[k];
            if (rule && lp_column_valid(col, r))
                rule_cell(w, s, *row, t, r, b, rule, c);
            else
                lp_xw_value(w, s->ws, *row, (lxw_col_t)k, col, r, NULL);
            if (col->type == LP_TYPE_STRING && lp_column_valid(col, r))
                widen_text(s, k, lp_column_str(col, r));
            else
                widen(s, k, col->type == LP_TYPE_INSTANT ? 17 : 12);
        }
    }
    b->nrows = t->nrows;
    b->last_data = t->nrows ? *row - 1 : b->first_data;
    if (!t->nrows) (*row)++;
    (*row)++;
}

#define NRULES(r) (sizeof(r) / sizeof((r)[0]))

/* ---- Summary ---- */

/* Where the workbook breaks a headline figure down comes from the figure
 * catalogue (lp_figure_records_find): the sheet of the measure whose tables
 * break it down, the detail rows behind it (Rows link), and the formula
 * that reproduces it from those rows or from other figures' cells. A figure
 * the catalogue gives no records stays a number with no link. */

/* The sheet that shows a measure's tables: the sheet of the template
 * section kind of that name ("volume" -> Volume). */
static const sheet_plan *topic_sheet(const xw *w, lp_topic topic)
{
    const char *name = lp_topic_name(topic);
    for (size_t k = 0; *name && k < sizeof(kinds) / sizeof(kinds[0]); k++)
        if (strcmp(kinds[k].kind, name) == 0) return plan_find(w, kinds[k].sheet);
    return NULL;
}

/* The count or sum over a figure's records as a workbook aggregate, and
 * the rows in its scope (the base of a share); false when the figure is
 * not a count, sum or share of detail rows (ratio numerators included:
 * with num NULL the numerator is the rows' count). */
static bool records_agg(const lp_figure_records *rec, agg *out, agg *base)
{
    memset(out, 0, sizeof(*out));
    memset(base, 0, sizeof(*base));
    if (!rec || !rec->table || rec->rule == LP_RECORDS_DRAWN ||
        (rec->rule == LP_RECORDS_RATIO && rec->num))
        return false;
    out->detail = base->detail = rec->table;
    out->sum_column = rec->rule == LP_RECORDS_SUM ? rec->sum_column : NULL;
    /* The scope first: an equality on text, which the evaluation indexes. */
    if (rec->scope_column && rec->scope_value) {
        crit scope = {rec->scope_column, CR_EQ, rec->scope_value, 0};
        out->crits[out->ncrits++] = scope;
        base->crits[base->ncrits++] = scope;
    }
    static const crit_kind kind_of[] = {[LP_ROWS_TRUE] = CR_TRUE, [LP_ROWS_FALSE] = CR_FALSE,
                                        [LP_ROWS_SET] = CR_NONBLANK,
                                        [LP_ROWS_BLANK] = CR_BLANK};
    if (rec->test != LP_ROWS_ALL && rec->column)
        out->crits[out->ncrits++] = (crit){rec->column, kind_of[rec->test], NULL, 0};
    return true;
}

/* Row of a measure in the headline table for a period label, or -1. */
static long headline_row(const lp_table *h, const char *measure, const char *period)
{
    for (size_t r = 0; h && r < h->nrows; r++) {
        const char *m = lp_xw_str_at(h, "measure", r), *p = lp_xw_str_at(h, "period", r);
        if (m && p && strcmp(m, measure) == 0 && strcmp(p, period) == 0) return (long)r;
    }
    return -1;
}

static double headline_value(const lp_table *h, const char *measure, const char *period)
{
    long r = headline_row(h, measure, period);
    return r < 0 ? NAN : lp_xw_num_at(h, "value", (size_t)r);
}

/* A target status as readers write it: "on track", "at risk", "off track". */
static void status_words(lp_target_status status, char *buf, size_t size)
{
    snprintf(buf, size, "%s", lp_target_status_name(status));
    for (char *p = buf; *p; p++)
        if (*p == '_') *p = ' ';
}

/* Place of a detail table's rows (first part), "'MQLs'!A1:P13". */
static void detail_place(const sheet_plan *p, char *buf, size_t size)
{
    char last[16];
    size_t ncols = p->detail->ncols ? p->detail->ncols : 1;
    lxw_rowcol_to_cell(last, (lxw_row_t)(p->nrows ? p->nrows : 1), (lxw_col_t)(ncols - 1));
    snprintf(buf, size, "'%s'!A1:%s", p->name, last);
}

#define MAX_MEASURES 64

/* A Summary label that says what the number is: the catalogue's label with
 * its unit ("Qualified leads (MQLs, count)", "Inbound pipeline (USD)"),
 * unless the label already names it ("Reached in time (share)"). */
static void summary_label(const lp_figure_def *def, const char *id, const char *currency,
                          char *buf, size_t size)
{
    const char *label = def ? def->label : id;
    const char *unit = def ? lp_unit_label(def->unit, currency) : "";
    if (def && def->unit == LP_UNIT_COUNT) unit = "count";
    size_t len = strlen(label);
    if (!*unit || strstr(label, unit)) {
        snprintf(buf, size, "%s", label);
    } else if (len > 0 && label[len - 1] == ')') {
        snprintf(buf, size, "%.*s, %s)", (int)(len - 1), label, unit);
    } else {
        snprintf(buf, size, "%s (%s)", label, unit);
    }
}

/* The records of a figure in the previous period's detail table
 * (previous_table, by default TABLE_previous, read by previous_column); a
 * share that keeps maturing is compared as of compared_as_of, so its
 * "happened" test becomes "happened by then", and a row counts, in the
 * share and its base, only when its aged instants are by then. */
static bool previous_agg(const lp_figure_records *rec, int64_t compared_as_of, int64_t as_of,
                         char *table, size_t size, agg *out, agg *base)
{
    if (!records_agg(rec, out, base)) return false;
    if (rec->previous_table)
        snprintf(table, size, "%s", rec->previous_table);
    else
        snprintf(table, size, "%s_previous", rec->table);
    out->detail = base->detail = table;
    bool aged = compared_as_of != as_of && compared_as_of != INT64_MIN;
    double by = aged ? lp_xw_serial(compared_as_of) : 0;
    for (int i = 0; i < out->ncrits; i++) {
        if (rec->previous_column && rec->column && strcmp(out->crits[i].column, rec->column) == 0)
            out->crits[i].column = rec->previous_column;
        if (out->crits[i].kind == CR_NONBLANK && aged) {
            out->crits[i].kind = CR_AT_MOST;
            out->crits[i].at_most = by;
        }
    }
    for (int k = 0; aged && k < 2 && rec->aged[k]; k++) {
        crit at_most = {rec->aged[k], CR_AT_MOST, NULL, by};
        if (out->ncrits < 4) out->crits[out->ncrits++] = at_most;
        if (base->ncrits < 4) base->crits[base->ncrits++] = at_most;
    }
    return true;
}

/* "(formula)" of an aggregate into expr and its value; false when the
 * aggregate cannot be written or evaluated. In parentheses: over several
 * detail sheets a count is a sum. */
static bool agg_expr(xw *w, const agg *a, lp_buf *expr, double *out_value)
{
    lp_buf_puts(expr, "(");
    bool ok = lp_xw_agg_eval(w, a, out_value) && lp_xw_agg_formula(w, a, expr);
    lp_buf_puts(expr, ")");
    return ok && !expr->failed;
}

/* One figure's cell from its records: the count or sum over the rows, the
 * ratio of two figures' cells in the same column, the rows' count over
 * the den figure's cell, or the rows' count over the rows in scope; else
 * the value. Returns true when a formula was written. */
static bool records_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                         const lp_figure_records *rec, bool counted, agg *rows,
                         const agg *base, lxw_row_t num_row, double num, lxw_row_t den_row,
                         double den, bool has_num, bool has_den, double v, lxw_format *fmt)
{
    size_t before = w->formulas;
    char ncell[16], dcell[16];
    bool ratio = rec && rec->rule == LP_RECORDS_RATIO;
    bool share = rec && rec->rule == LP_RECORDS_SHARE;
    if (counted && !ratio && !share) {
        lp_xw_agg_cell(w, ws, row, col, rows, v, fmt);
    } else if (ratio && rec->num && has_num && has_den) {
        cell_name(ncell, num_row, col);
        cell_name(dcell, den_row, col);
        lp_xw_ratio_cell(w, ws, row, col, ncell, num, dcell, den, v, fmt);
    } else if (counted && (share || (ratio && has_den))) {
        lp_buf expr = {0}, den_expr = {0};
        double count, in_scope = den;
        bool ok = agg_expr(w, rows, &expr, &count);
        if (share) {
            ok = ok && agg_expr(w, base, &den_expr, &in_scope);
        } else {
            cell_name(dcell, den_row, col);
            lp_buf_puts(&den_expr, dcell);
            ok = ok && !den_expr.failed;
        }
        if (ok)
            lp_xw_ratio_cell(w, ws, row, col, expr.data, count, den_expr.data, in_scope, v, fmt);
        else
            lp_xw_num(w, ws, row, col, v, fmt);
        lp_buf_reset(&expr);
        lp_buf_reset(&den_expr);
    } else {
        lp_xw_num(w, ws, row, col, v, fmt);
    }
    return w->formulas > before;
}

enum {
    SC_LABEL, SC_FIGURE, SC_VALUE, SC_PREVIOUS, SC_CHANGE, SC_TARGET, SC_STATUS, SC_SHEET,
    SC_ROWS, SC_PREVIOUS_ROWS, SC_NOTE, SC_COUNT
};

static void write_summary(xw *w, const sheet_plan *p, sheet *s)
{
    const lp_results *res = w->res;
    const lp_narrative *nar = w->nar;
    lxw_worksheet *ws = s->ws;
    lxw_row_t row = 0;
    const char *currency = res->settings ? res->settings->currency : "USD";
    const char *title = nar && nar->title ? nar->title
                        : w->tpl && w->tpl->title ? w->tpl->title : "leadpack";
    lp_xw_str(w, ws, row++, 0, title, w->f.title);
    lp_xw_str(w, ws, row++, 0, nar && nar->period_words ? nar->period_words : res->period_label,
           w->f.subtitle);
    char asof[40];
    lp_instant_format_utc(res->as_of, asof, sizeof(asof));
    lp_buf line = {0};
    lp_buf_printf(&line, "As of %s", nar && nar->as_of_words ? nar->as_of_words : asof);
    lp_xw_str(w, ws, row++, 0, line.data, w->f.subtitle);
    lp_buf_reset(&line);
    (void)p;

    /* The headline measures, in the headline table's order, first: the
     * panes freeze on their header row and label column. */
    const lp_table *h = lp_results_table(res, "headline");
    const char *names[MAX_MEASURES];
    size_t nnames = 0;
    for (size_t r = 0; h && r < h->nrows && nnames < MAX_MEASURES; r++) {
        const char *m = lp_xw_str_at(h, "measure", r);
        bool seen = !m;
        for (size_t k = 0; k < nnames && !seen; k++) seen = strcmp(names[k], m) == 0;
        if (!seen) names[nnames++] = m;
    }
    char prev_label[24];
    lp_period_label(&res->calendar, res->period - 1, prev_label, sizeof(prev_label));
    const lp_table *changes = lp_results_table(res, "changes");

    lp_xw_str(w, ws, row++, 0, "Headline measures", w->f.h2);
    static const char *const headers[SC_COUNT] = {
        "measure", "figure", "this_period", "previous_period", "change", "target", "status",
        "sheet", "rows", "previous_rows", "note"};
    lxw_row_t header_row = row++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)nnames, headers, SC_COUNT,
                    "headline_measures");
    worksheet_freeze_panes(ws, header_row + 1, 1);
    lxw_row_t first = row;
    double cur[MAX_MEASURES], prev[MAX_MEASURES];
    lp_figure figs[MAX_MEASURES];
    bool have[MAX_MEASURES];
    for (size_t k = 0; k < nnames; k++) {
        cur[k] = headline_value(h, names[k], res->period_label);
        have[k] = lp_figure_get(res, names[k], &figs[k]) == LP_OK;
        /* The previous value as compared (changes); a figure not compared
         * shows the previous period's headline value. */
        prev[k] = have[k] ? figs[k].previous : NAN;
        if (isnan(prev[k])) prev[k] = headline_value(h, names[k], prev_label);
    }

    for (size_t k = 0; k < nnames && !w->status; k++, row++) {
        const char *m = names[k];
        const lp_figure_def *def = lp_figure_def_find(m);
        long hr = headline_row(h, m, res->period_label);
        lp_unit unit = def ? def->unit
                           : lp_result_row_unit(h, "value", hr >= 0 ? (size_t)hr : 0);
        lxw_format *fmt = lp_xw_unit_format(w, unit, false);
        char label[160];
        summary_label(def, m, currency, label, sizeof(label));
        lp_xw_str(w, ws, row, SC_LABEL, label, NULL);
        widen_text(s, SC_LABEL, label);
        lp_xw_str(w, ws, row, SC_FIGURE, m, NULL);
        widen_text(s, SC_FIGURE, m);

        /* This period and the previous one: live formulas over the detail
         * rows of each period where the figure is a count, sum or ratio of
         * them. */
        const lp_figure_records *rec = lp_figure_records_find(m);
        const char *num = rec && rec->rule == LP_RECORDS_RATIO ? rec->num : NULL;
        const char *den = rec && rec->rule == LP_RECORDS_RATIO ? rec->den : NULL;
        size_t ni = nnames, di = nnames;
        for (size_t j = 0; j < nnames; j++) {
            if (num && strcmp(names[j], num) == 0) ni = j;
            if (den && strcmp(names[j], den) == 0) di = j;
        }
        lxw_row_t nrow = first + (lxw_row_t)(ni < nnames ? ni : 0);
        lxw_row_t drow = first + (lxw_row_t)(di < nnames ? di : 0);
        agg rows, base;
        bool counted = records_agg(rec, &rows, &base);
        bool live = records_cell(w, ws, row, SC_VALUE, rec, counted, &rows, &base, nrow,
                                 ni < nnames ? cur[ni] : NAN, drow, di < nnames ? cur[di] : NAN,
                                 ni < nnames, di < nnames, cur[k], fmt);
        agg prev_rows, prev_base;
        char prev_table[96];
        /* A previous value shown as it stands now (nothing fair to compare
         * at the same age: too early) is the rows as they stand now. */
        bool as_compared = have[k] && !isnan(figs[k].previous);
        int64_t cas = as_compared ? figs[k].compared_as_of : INT64_MIN;
        bool prev_counted = previous_agg(rec, cas, res->as_of, prev_table, sizeof(prev_table),
                                         &prev_rows, &prev_base);
        bool prev_live = false;
        if (!isnan(prev[k]))
            prev_live = records_cell(w, ws, row, SC_PREVIOUS, rec, prev_counted, &prev_rows,
                                     &prev_base, nrow, ni < nnames ? prev[ni] : NAN, drow,
                                     di < nnames ? prev[di] : NAN, ni < nnames, di < nnames,
                                     prev[k], fmt);

        for (size_t r = 0; changes && r < changes->nrows; r++) {
            const char *cm = lp_xw_str_at(changes, "measure", r);
            if (!cm || strcmp(cm, m) != 0) continue;
            /* A change of a share is in points: the cell holds points. */
            lp_unit change_unit = lp_result_row_unit(changes, "change", r);
            double scale = lp_fmt_excel_value(change_unit, 1.0);
            char c_cell[16], p_cell[16];
            cell_name(c_cell, row, SC_VALUE);
            cell_name(p_cell, row, SC_PREVIOUS);
            lp_xw_diff_cell(w, ws, row, SC_CHANGE, c_cell, cur[k], p_cell, prev[k], scale,
                         lp_fmt_excel_value(change_unit, lp_xw_num_at(changes, "change", r)),
                         lp_xw_unit_format(w, change_unit, false));
            break;
        }
        /* Target and status by the catalogue's one target rule. */
        if (have[k]) {
            lp_xw_num(w, ws, row, SC_TARGET, figs[k].target, fmt);
            if (figs[k].status != LP_TARGET_NONE) {
                char words[24];
                status_words(figs[k].status, words, sizeof(words));
                lp_xw_str(w, ws, row, SC_STATUS, words, NULL);
                widen_text(s, SC_STATUS, words);
            }
        }

        const sheet_plan *ms = rec ? topic_sheet(w, rec->breakdown) : NULL;
        if (ms) {
            char place[48];
            snprintf(place, sizeof(place), "'%s'!A1", ms->name);
            lp_xw_link(w, ws, row, SC_SHEET, place, ms->name);
            widen_text(s, SC_SHEET, ms->name);
        }
        const sheet_plan *dp = rec && rec->table ? lp_xw_detail_plan(w, rec->table) : NULL;
        if (dp) {
            char place[64];
            detail_place(dp, place, sizeof(place));
            lp_xw_link(w, ws, row, SC_ROWS, place, dp->name);
            widen_text(s, SC_ROWS, dp->name);
        }
        char prev_detail[96];
        if (rec && rec->previous_table)
            snprintf(prev_detail, sizeof(prev_detail), "%s", rec->previous_table);
        else
            snprintf(prev_detail, sizeof(prev_detail), "%s_previous",
                     rec && rec->table ? rec->table : "");
        const sheet_plan *pp = dp ? lp_xw_detail_plan(w, prev_detail) : NULL;
        if (pp) {
            char place[64];
            detail_place(pp, place, sizeof(place));
            lp_xw_link(w, ws, row, SC_PREVIOUS_ROWS, place, pp->name);
            widen_text(s, SC_PREVIOUS_ROWS, pp->name);
        }
        /* Why a number is a value and not a formula over rows. */
        if (have[k] && !as_compared && figs[k].verdict == LP_VERDICT_TOO_EARLY &&
            !isnan(prev[k])) {
            char when[40];
            lp_instant_format_utc(figs[k].compared_as_of, when, sizeof(when));
            lp_buf_printf(&line, "Too early to compare: the previous period had no %s yet "
                                 "at the same point after its end (%s). Its value as it "
                                 "stands now is shown, from %s.",
                          rec && rec->rule == LP_RECORDS_SHARE ? "rows due" : "records",
                          when, pp ? pp->name : "the exports");
        } else if (!rec || !rec->table) {
            lp_buf_printf(&line, "No record rows in this workbook: leadpack computes it from "
                                 "the exports (Definitions).");
        } else if (rec->rule == LP_RECORDS_DRAWN) {
            lp_buf_printf(&line, "A statistic of the rows on %s, not a count or sum of them: "
                                 "a value, not a formula.", dp ? dp->name : rec->table);
        } else if (!live && !isnan(cur[k])) {
            lp_buf_printf(&line, "This period's value does not follow from the rows shown.");
        } else if (!prev_live && !isnan(prev[k]) && cas != INT64_MIN) {
            char when[40];
            lp_instant_format_utc(cas, when, sizeof(when));
            lp_buf_printf(&line, "Previous value as compared (as of %s): the rows as they "
                                 "stand now do not give it.", when);
        } else if (!prev_live && !isnan(prev[k])) {
            lp_buf_printf(&line, "The previous period's value does not follow from the rows "
                                 "shown.");
        }
        if (line.data && !line.failed) {
            lp_xw_str(w, ws, row, SC_NOTE, line.data, w->f.note);
            widen(s, SC_NOTE, 40);
        }
        lp_buf_reset(&line);
    }
    if (!nnames) row++;
    row++;
    char cas_text[40] = "";
    for (size_t k = 0; k < nnames; k++)
        if (have[k] && figs[k].compared_as_of != res->as_of &&
            figs[k].compared_as_of != INT64_MIN) {
            lp_instant_format_utc(figs[k].compared_as_of, cas_text, sizeof(cas_text));
            break;
        }
    lp_buf_printf(&line, "Previous period: %s. Counts and sums are as they stand now; shares "
                         "that keep maturing are compared at the same point after the period's "
                         "end%s%s%s. Changes of shares are in percentage points.",
                  prev_label, *cas_text ? " (as of " : "", cas_text, *cas_text ? ")" : "");
    lp_xw_str(w, ws, row++, 0, line.data, w->f.note);
    lp_buf_reset(&line);
    row++;

    if (nar && nar->nheadlines) {
        lp_xw_str(w, ws, row++, 0, "Headlines", w->f.h2);
        for (size_t i = 0; i < nar->nheadlines; i++)
            lp_xw_str(w, ws, row++, 0, nar->headlines[i], NULL);
        row++;
    }
    if (nar && nar->nchanges) {
        lp_xw_str(w, ws, row++, 0, "What moved, and who acts", w->f.h2);
        for (size_t i = 0; i < nar->nchanges; i++)
            lp_xw_str(w, ws, row++, 0, nar->changes[i], NULL);
        row++;
    }

    /* Every sheet, linked. */
    lp_xw_str(w, ws, row++, 0, "Sheets", w->f.h2);
    for (size_t i = 1; i < w->nsheets; i++, row++) {
        char place[48];
        snprintf(place, sizeof(place), "'%s'!A1", w->sheets[i].name);
        lp_xw_link(w, ws, row, 0, place, w->sheets[i].name);
        const lp_template_section *sec = w->sheets[i].section;
        if (sec && sec->title && w->sheets[i].kind != K_DETAIL)
            lp_xw_str(w, ws, row, 1, sec->title, NULL);
    }
    row++;

    /* What the reader must know about the workbook itself. */
    lp_xw_str(w, ws, row++, 0, "Notes", w->f.h2);
    for (size_t i = 0; i < w->nsheets; i++) {
        const sheet_plan *d = &w->sheets[i];
        if (d->kind != K_DETAIL || d->part != 1 || d->nparts < 2) continue;
        lp_buf_printf(&line, "%s has %zu rows, more than one sheet holds (%zu): they continue "
                      "on sheets %s to %s.", d->name, d->detail->nrows, w->max_rows,
                      d[1].name, d[d->nparts - 1].name);
        lp_xw_str(w, ws, row++, 0, line.data, w->f.note);
        lp_buf_reset(&line);
    }
    lp_xw_str(w, ws, row++, 0,
           "Counts, sums and shares of the detail sheets' rows are formulas over those rows "
           "or over the counts beside them; medians are values drawn from the rows they "
           "link to.", w->f.note);
    if (w->constant_memory)
        lp_xw_str(w, ws, row++, 0,
               "This workbook is large and was written row by row: its ranges have filters "
               "but are not Excel tables.", w->f.note);
    if (line.failed) lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a note");
    lp_buf_reset(&line);
    s->width[0] = s->width[0] < 34 ? 34 : s->width[0];
    if (s->width[0] > 48) s->width[0] = 48;
    for (int c = SC_VALUE; c <= SC_TARGET; c++) widen(s, c, 14);
    worksheet_set_first_sheet(ws);
    worksheet_activate(ws);
}

/* ---- Measure sheets ---- */

/* Why a lifetime or whole-window table has no record rows: the workbook
 * keeps the records of the report period and the one before only. */
#define ROWS_KEPT                                                                          \
    "The workbook keeps record rows for the report period and the one before only, so "   \
    "that its size does not grow with the exports' history"

/* Sum of a numeric column over a result table's rows (NAN without it). */
static double column_total(const xw *w, const char *table, const char *column)
{
    const lp_table *t = lp_results_table(w->res, table);
    const lp_column *c = t ? lp_table_column(t, column) : NULL;
    if (!c) return NAN;
    double total = NAN;
    for (size_t r = 0; r < t->nrows; r++)
        if (lp_column_valid(c, r)) total = (isnan(total) ? 0 : total) + lp_column_number(c, r);
    return total;
}

/* " (1,234 WHAT)" of a count, or "" for NAN (nothing to say). */
static const char *count_words(double v, const char *what, char *buf, size_t size)
{
    char n[32];
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, size, " (%s %s)", lp_fmt_unit(LP_UNIT_COUNT, v, NULL, n, sizeof(n)), what);
    return buf;
}

static void write_volume(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Qualified lead volume");
    block trend = {.table = "mql_trend", .heading = "MQL trend",
                   .note = "Per period. This period's and the previous period's MQLs and SQLs "
                           "are the rows of the MQLs, SQLs, Previous MQLs and Previous SQLs "
                           "sheets; the workbook keeps record rows for those two periods only, "
                           "so earlier periods' records are in the leads export."};
    write_block(w, s, &row, &trend);
    if (trend.nrows > 0 && !w->status) {
        const lp_table *t = lp_results_table(w->res, "mql_trend");
        lxw_chart *chart = workbook_add_chart(w->wb, LXW_CHART_LINE);
        int pc = col_index(t, "period"), mc = col_index(t, "mqls"), tc = col_index(t, "mql_target");
        if (chart && pc >= 0 && mc >= 0) {
            lxw_chart_series *sr = chart_add_series(chart, NULL, NULL);
            chart_series_set_categories(sr, p->name, trend.first_data, (lxw_col_t)pc,
                                        trend.last_data, (lxw_col_t)pc);
            chart_series_set_values(sr, p->name, trend.first_data, (lxw_col_t)mc,
                                    trend.last_data, (lxw_col_t)mc);
            chart_series_set_name(sr, "MQLs");
            if (tc >= 0) {
                lxw_chart_series *tg = chart_add_series(chart, NULL, NULL);
                chart_series_set_categories(tg, p->name, trend.first_data, (lxw_col_t)pc,
                                            trend.last_data, (lxw_col_t)pc);
                chart_series_set_values(tg, p->name, trend.first_data, (lxw_col_t)tc,
                                        trend.last_data, (lxw_col_t)tc);
                chart_series_set_name(tg, "Target");
                lxw_chart_line dash = {.dash_type = LXW_CHART_LINE_DASH_DASH};
                chart_series_set_line(tg, &dash);
            }
            chart_title_set_name(chart, "MQLs per period against target");
            chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
            lp_xw_check(w, worksheet_insert_chart(s->ws, 3, (lxw_col_t)(t->ncols + 1), chart),
                     s->ws, 3, (lxw_col_t)(t->ncols + 1));
        }
    }
    static const struct { const char *table, *heading, *detail_key; } breakdowns[] = {
        {"volume_by_source", "By source", "source"},
        {"volume_by_channel", "By channel", "channel"},
        {"volume_by_campaign", "By creating campaign", "campaign_id"},
        {"volume_by_team", "By team", "team"},
        {"volume_by_segment", "By segment", "segment"},
    };
    for (size_t i = 0; i < sizeof(breakdowns) / sizeof(breakdowns[0]); i++) {
        col_rule rules[] = {
            {.column = "mqls", .kind = R_COUNT, .detail = "detail_mqls",
             .detail_key = breakdowns[i].detail_key},
            {.column = "sqls", .kind = R_COUNT, .detail = "detail_sqls",
             .detail_key = breakdowns[i].detail_key},
            {.column = "accepted", .kind = R_COUNT, .detail = "detail_mqls",
             .detail_key = breakdowns[i].detail_key, .extra = {"sql_at", CR_NONBLANK, NULL, 0}},
            {.column = "acceptance_rate", .kind = R_RATIO, .num = "accepted", .den = "mqls"},
        };
        block b = {.table = breakdowns[i].table, .heading = breakdowns[i].heading,
                   .key = "key", .rules = rules, .nrules = NRULES(rules)};
        write_block(w, s, &row, &b);
    }
}

/* The five models side by side: one row per campaign, for each figure one
 * column per model. */
static void write_attribution(xw *w, sheet *s, lxw_row_t *row)
{
    static const char *const models[] = {"first_touch", "last_touch", "linear", "u_shaped",
                                         "w_shaped"};
    static const char *const figures[] = {"mqls", "sqls", "opportunities", "pipeline", "won"};
    const lp_table *t = lp_results_table(w->res, "attribution");
    lp_xw_str(w, s->ws, (*row)++, 0, "Attribution: all five models", w->f.h2);
    if (!t) {
        const char *why = switched_off_reason(w, "attribution");
        lp_xw_str(w, s->ws, (*row)++, 0, why ? why : "Not available in these results.", w->f.note);
        (*row)++;
        return;
    }
    /* Distinct campaigns in first-seen order. */
    size_t *first_row = lp_malloc((t->nrows + 1) * sizeof(size_t));
    size_t *campaign_of = lp_malloc((t->nrows + 1) * sizeof(size_t));
    size_t *cell_row = NULL;
    char (*headers)[40] = lp_malloc(27 * sizeof(*headers));
    if (!first_row || !campaign_of || !headers) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for the attribution sheet");
        goto cleanup;
    }
    size_t ncampaigns = 0;
    const lp_column *id = lp_table_column(t, "campaign_id");
    for (size_t r = 0; r < t->nrows; r++) {
        size_t c = 0;
        for (; c < ncampaigns; c++) {
            size_t fr = first_row[c];
            if (id && lp_column_valid(id, r) && lp_column_valid(id, fr) &&
                id->v.i32[r] == id->v.i32[fr])
                break;
            if (id && !lp_column_valid(id, r) && !lp_column_valid(id, fr)) break;
        }
        if (c == ncampaigns) first_row[ncampaigns++] = r;
        campaign_of[r] = c;
    }
    const char *hdr[27];
    snprintf(headers[0], 40, "campaign_id");
    snprintf(headers[1], 40, "name");
    for (size_t f = 0; f < 5; f++)
        for (size_t m = 0; m < 5; m++)
            snprintf(headers[2 + f * 5 + m], 40, "%s %s", figures[f], models[m]);
    for (int c = 0; c < 27; c++) hdr[c] = headers[c];
    lxw_row_t header_row = (*row)++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)ncampaigns, hdr, 27,
                    "attribution");
    /* cell_row[c * 5 + m]: the row of campaign c under model m (first wins). */
    cell_row = lp_malloc((ncampaigns * 5 + 1) * sizeof(size_t));
    if (!cell_row) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for the attribution sheet");
        goto cleanup;
    }
    for (size_t k = 0; k < ncampaigns * 5; k++) cell_row[k] = SIZE_MAX;
    const lp_column *model = lp_table_column(t, "model");
    for (size_t r = 0; model && r < t->nrows; r++) {
        const char *mn = lp_column_str(model, r);
        for (size_t m = 0; mn && m < 5; m++)
            if (strcmp(mn, models[m]) == 0 && cell_row[campaign_of[r] * 5 + m] == SIZE_MAX)
                cell_row[campaign_of[r] * 5 + m] = r;
    }
    for (size_t c = 0; c < ncampaigns && !w->status; c++, (*row)++) {
        lp_xw_value(w, s->ws, *row, 0, id, first_row[c], NULL);
        lp_xw_value(w, s->ws, *row, 1, lp_table_column(t, "name"), first_row[c], NULL);
        widen_text(s, 1, lp_xw_str_at(t, "name", first_row[c]));
        for (size_t f = 0; f < 5; f++)
            for (size_t m = 0; m < 5; m++)
                if (cell_row[c * 5 + m] != SIZE_MAX)
                    lp_xw_value(w, s->ws, *row, (lxw_col_t)(2 + f * 5 + m),
                             lp_table_column(t, figures[f]), cell_row[c * 5 + m], NULL);
    }
    if (!ncampaigns) (*row)++;
    (*row)++;
cleanup:
    lp_free(first_row);
    lp_free(campaign_of);
    lp_free(cell_row);
    lp_free(headers);
}

static void write_campaigns(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Campaign effectiveness");
    col_rule rules[] = {
        {.column = "touches", .kind = R_COUNT, .detail = "detail_touches",
         .detail_key = "campaign_id"},
        {.column = "responders", .kind = R_COUNT, .detail = "detail_touches",
         .detail_key = "campaign_id", .extra = {"responded", CR_TRUE, NULL, 0}},
        {.column = "response_rate", .kind = R_RATIO, .num = "responders", .den = "touches"},
        {.column = "cost_per_lead", .kind = R_RATIO, .num = "cost", .den = "leads_created"},
        {.column = "cost_per_mql", .kind = R_RATIO, .num = "cost", .den = "mqls"},
        {.column = "cost_per_opportunity", .kind = R_RATIO, .num = "cost",
         .den = "opportunities"},
    };
    const char *model = "configured model";
    static const char *const model_names[] = {"first touch", "last touch", "linear",
                                              "U-shaped", "W-shaped"};
    if (w->res->settings && w->res->settings->attribution < LP_ATTR_COUNT)
        model = model_names[w->res->settings->attribution];
    char heading[64];
    snprintf(heading, sizeof(heading), "Campaigns (%s attribution, lifetime)", model);
    char touches[64];
    lp_buf note = {0};
    lp_buf_printf(&note,
                  "Lifetime to as-of%s. Formulas count this period's rows "
                  "on the Touches sheet where they give the figure (a campaign touched in "
                  "this period only). Lifetime touches and responders and the attributed "
                  "(fractional) figures have no record rows here. " ROWS_KEPT ": their records "
                  "are the touches, leads and opportunities exports (Parameters, Input files), "
                  "the figures results/campaigns.csv and results/attribution.csv.",
                  count_words(column_total(w, "campaigns", "touches"), "touches in all",
                              touches, sizeof(touches)));
    if (note.failed) lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a note");
    block b = {.table = "campaigns", .heading = heading, .key = "campaign_id",
               .note = note.data, .rules = rules, .nrules = NRULES(rules)};
    write_block(w, s, &row, &b);
    lp_buf_reset(&note);
    const lp_table *t = lp_results_table(w->res, "campaigns");
    int nc = t ? col_index(t, "name") : -1, cc = t ? col_index(t, "cost_per_mql") : -1;
    if (b.nrows > 0 && nc >= 0 && cc >= 0 && !w->status) {
        lxw_chart *chart = workbook_add_chart(w->wb, LXW_CHART_BAR);
        if (chart) {
            lxw_chart_series *sr = chart_add_series(chart, NULL, NULL);
            chart_series_set_categories(sr, p->name, b.first_data, (lxw_col_t)nc,
                                        b.last_data, (lxw_col_t)nc);
            chart_series_set_values(sr, p->name, b.first_data, (lxw_col_t)cc, b.last_data,
                                    (lxw_col_t)cc);
            chart_series_set_name(sr, "Cost per MQL");
            chart_title_set_name(chart, "Cost per MQL by campaign");
            chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
            chart_axis_set_reverse(chart->y_axis);
            lp_xw_check(w, worksheet_insert_chart(s->ws, row, 0, chart), s->ws, row, 0);
        }
        row += 16;   /* the chart's height, so blocks below stay readable */
    }
    write_attribution(w, s, &row);
    block tests = {.table = "campaign_tests", .heading = "MQL-to-opportunity rate tests"};
    write_block(w, s, &row, &tests);
}

static void write_keyed_amounts(xw *w, sheet *s, lxw_row_t *row, const char *table,
                                const char *heading, const char *detail, const char *key)
{
    col_rule rules[] = {
        {.column = "count", .kind = R_COUNT, .detail = detail, .detail_key = key},
        {.column = "amount", .kind = R_SUM, .detail = detail, .detail_key = key,
         .sum_column = "amount"},
    };
    block b = {.table = table, .heading = heading, .key = "key", .rules = rules,
               .nrules = NRULES(rules)};
    write_block(w, s, row, &b);
}

static void write_pipeline(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Inbound-sourced pipeline");
    const char *d = "detail_inbound_opportunities";
    write_keyed_amounts(w, s, &row, "pipeline_by_stage", "By stage", d, "stage");
    write_keyed_amounts(w, s, &row, "pipeline_by_source", "By source", d, "source");
    write_keyed_amounts(w, s, &row, "pipeline_by_campaign", "By campaign", d, "campaign_id");
    col_rule rules[] = {
        {.column = "open_inbound_pipeline", .kind = R_SUM,
         .detail = "detail_open_inbound_pipeline", .sum_column = "amount",
         .extra = {"open_at_end", CR_TRUE, NULL, 0}},
        {.column = "coverage", .kind = R_RATIO, .num = "open_inbound_pipeline",
         .den = "remaining_quota"}};
    block b = {.table = "coverage", .heading = "Coverage",
               .note = "Open pipeline is the sum of the rows of the Open inbound pipeline "
                       "sheet open at the end of the period. Won to date counts every deal "
                       "won since the quota period began, which has no record rows in this "
                       "workbook (they are in the opportunities export). Coverage is a "
                       "formula over the cells beside it.",
               .rules = rules,
               .nrules = NRULES(rules)};
    write_block(w, s, &row, &b);
}

static void write_won(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Closed business from inbound");
    const char *d = "detail_inbound_wins";
    write_keyed_amounts(w, s, &row, "won_by_source", "By source", d, "source");
    write_keyed_amounts(w, s, &row, "won_by_campaign", "By campaign", d, "campaign_id");
    block rf = {.table = "reverse_funnel", .heading = "What the quota needs"};
    write_block(w, s, &row, &rf);
}

/* SLA by team, each team's owners grouped (outline level 1) under it. */
static void sla_row(xw *w, sheet *s, lxw_row_t row, const lp_table *t, size_t r,
                    const char *detail_key, const char *key, bool total)
{
    static const char *const counts[] = {"eligible", "within", "untouched", "pending"};
    static const int count_col[] = {3, 4, 8, 9};
    static const crit count_crit[] = {{"pending", CR_FALSE, NULL, 0},
                                      {"within_sla", CR_TRUE, NULL, 0},
                                      {"first_touch_at", CR_BLANK, NULL, 0},
                                      {"pending", CR_TRUE, NULL, 0}};
    lxw_format *cf = lp_xw_unit_format(w, lp_result_unit(t->name, "eligible"), total);
    for (int i = 0; i < 4; i++) {
        double v = lp_xw_num_at(t, counts[i], r);
        if (key) {
            agg a = {.detail = "detail_mqls", .ncrits = 2,
                     .crits = {{detail_key, CR_EQ, key, 0}, count_crit[i]}};
            lp_xw_agg_cell(w, s->ws, row, (lxw_col_t)count_col[i], &a, v, cf);
        } else {
            lp_xw_num(w, s->ws, row, (lxw_col_t)count_col[i], v, cf);
        }
    }
    char within[16], eligible[16];
    cell_name(within, row, 4);
    cell_name(eligible, row, 3);
    lp_xw_ratio_cell(w, s->ws, row, 5, within, lp_xw_num_at(t, "within", r), eligible,
                  lp_xw_num_at(t, "eligible", r), lp_xw_num_at(t, "compliance", r),
                  lp_xw_unit_format(w, lp_result_unit(t->name, "compliance"), total));
    lp_xw_num(w, s->ws, row, 6, lp_xw_num_at(t, "median_hours", r),
           lp_xw_unit_format(w, lp_result_unit(t->name, "median_hours"), false));
    lp_xw_num(w, s->ws, row, 7, lp_xw_num_at(t, "p90_hours", r),
           lp_xw_unit_format(w, lp_result_unit(t->name, "p90_hours"), false));
}

static void write_sla(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Speed to lead (SLA)");
    const lp_table *teams = lp_results_table(w->res, "sla_by_team");
    const lp_table *owners = lp_results_table(w->res, "sla_by_owner");
    lp_xw_str(w, s->ws, row++, 0, "By team, with each team's owners", w->f.h2);
    static const char *const headers[] = {"team",       "owner_id",     "owner_name",
                                          "eligible",   "within",       "compliance",
                                          "median_hours", "p90_hours",  "untouched",
                                          "pending"};
    lxw_row_t header_row = row++;
    header_cells(w, s, header_row, headers, 10, "sla_by_owner");
    for (int c = 0; c < 10; c++) widen(s, c, 12);
    lxw_row_t first = row;
    bool *done = owners ? lp_calloc(owners->nrows + 1, sizeof(bool)) : NULL;
    if (owners && !done) {
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for the SLA sheet");
        return;
    }
    lxw_row_col_options grouped = {.level = 1};
    for (size_t tr = 0; teams && tr < teams->nrows && !w->status; tr++) {
        const char *team = lp_xw_str_at(teams, "team", tr);
        lp_xw_str(w, s->ws, row, 0, team, w->f.bold);
        widen_text(s, 0, team);
        sla_row(w, s, row, teams, tr, "team", team, true);
        row++;
        for (size_t r = 0; owners && r < owners->nrows && !w->status; r++) {
            const char *ot = lp_xw_str_at(owners, "team", r);
            if (done[r] || !team || !ot || strcmp(ot, team) != 0) continue;
            done[r] = true;
            lp_xw_check(w, worksheet_set_row_opt(s->ws, row, LXW_DEF_ROW_HEIGHT, NULL, &grouped),
                     s->ws, row, 0);
            const char *owner = lp_xw_str_at(owners, "owner_id", r);
            lp_xw_str(w, s->ws, row, 0, ot, NULL);
            lp_xw_str(w, s->ws, row, 1, owner, NULL);
            widen_text(s, 1, owner);
            lp_xw_str(w, s->ws, row, 2, lp_xw_str_at(owners, "owner_name", r), NULL);
            widen_text(s, 2, lp_xw_str_at(owners, "owner_name", r));
            sla_row(w, s, row, owners, r, "owner_id", owner, false);
            row++;
        }
    }
    /* Owners whose team has no total row (or when there are no team rows). */
    for (size_t r = 0; owners && r < owners->nrows && !w->status; r++) {
        if (done[r]) continue;
        const char *owner = lp_xw_str_at(owners, "owner_id", r);
        lp_xw_str(w, s->ws, row, 0, lp_xw_str_at(owners, "team", r), NULL);
        lp_xw_str(w, s->ws, row, 1, owner, NULL);
        widen_text(s, 1, owner);
        lp_xw_str(w, s->ws, row, 2, lp_xw_str_at(owners, "owner_name", r), NULL);
        widen_text(s, 2, lp_xw_str_at(owners, "owner_name", r));
        sla_row(w, s, row, owners, r, "owner_id", owner, false);
        row++;
    }
    lp_free(done);
    if (row > first && w->res->settings) {
        /* Compliance below target, blank cells left alone. */
        char cond[96];
        char top[16];
        cell_name(top, first, 5);
        snprintf(cond, sizeof(cond), "=AND(ISNUMBER(%s),%s<%.15g)", top, top,
                 w->res->settings->sla_target);
        lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_FORMULA,
                                     .value_string = cond, .format = w->f.bad};
        lp_xw_check(w, worksheet_conditional_format_range(s->ws, first, 5, row - 1, 5, &cf),
                 s->ws, first, 5);
        char target[32], note[96];
        lp_fmt_unit(LP_UNIT_SHARE, w->res->settings->sla_target, NULL, target, sizeof(target));
        snprintf(note, sizeof(note), "Compliance below the %s target is shaded.", target);
        row++;
        lp_xw_str(w, s->ws, row++, 0, note, w->f.note);
    }
    worksheet_outline_settings(s->ws, 1, 0, 0, 0);
    if (!teams && !owners)
        lp_xw_str(w, s->ws, row++, 0, "Not available in these results.", w->f.note);
}

static void write_simple(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    switch (p->kind) {
    case K_BREACHES: {
        sheet_heading(w, s, p, "SLA breaches");
        block b = {.table = "breaches", .heading = "MQLs touched late or not at all"};
        write_block(w, s, &row, &b);
        break;
    }
    case K_ROUTING: {
        sheet_heading(w, s, p, "Routing");
        col_rule rules[] = {{.column = "rate", .kind = R_RATIO, .num = "won", .den = "mqls"}};
        char mqls[64];
        lp_buf note = {0};
        lp_buf_printf(&note,
                      "Lifetime counts: every MQL to date%s, by its owner's team. "
                      ROWS_KEPT ": these MQLs are the leads export's rows qualified by as-of "
                      "(Parameters, Input files), the counts results/routing.csv. The rate is "
                      "a formula over the counts beside it.",
                      count_words(column_total(w, "routing", "mqls"), "MQLs in all", mqls,
                                  sizeof(mqls)));
        if (note.failed) lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a note");
        block b = {.table = "routing", .heading = "Lifetime MQLs won by the owner's team",
                   .note = note.data, .rules = rules, .nrules = NRULES(rules)};
        write_block(w, s, &row, &b);
        lp_buf_reset(&note);
        break;
    }
    case K_FORECAST: {
        sheet_heading(w, s, p, "MQL forecast");
        block b = {.table = "forecast", .heading = "Next periods (80% prediction interval)"};
        write_block(w, s, &row, &b);
        break;
    }
    case K_PARTNERS: {
        sheet_heading(w, s, p, "Partners");
        col_rule rules[] = {
            {.column = "compliance", .kind = R_RATIO, .num = "within", .den = "eligible"},
            {.column = "followup_compliance", .kind = R_RATIO, .num = "followup_met",
             .den = "followup_eligible"}};
        block b = {.table = "sla_by_partner", .heading = "SLA by partner",
                   .rules = rules, .nrules = NRULES(rules)};
        write_block(w, s, &row, &b);
        break;
    }
    case K_FUNNEL: {
        sheet_heading(w, s, p, "Funnel");
        col_rule rules[] = {{.column = "rate", .kind = R_RATIO_PREV, .num = "reached"}};
        const lp_table *ft = lp_results_table(w->res, "funnel");
        char leads[64], first[24];
        lp_period_label(&w->res->calendar, w->res->window_first, first, sizeof(first));
        lp_buf note = {0};
        lp_buf_printf(&note,
                      "Every lead created in the window, %s to %s%s. " ROWS_KEPT
                      ": these leads are the leads export's rows created in the window, with "
                      "their opportunities in the opportunities export (Parameters, Input "
                      "files), the counts results/funnel.csv. Each rate is a formula over the "
                      "counts.",
                      first, w->res->period_label,
                      count_words(ft && ft->nrows ? lp_xw_num_at(ft, "reached", 0) : NAN,
                                  "leads", leads, sizeof(leads)));
        if (note.failed) lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory for a note");
        block b = {.table = "funnel", .heading = "Leads created in the window",
                   .note = note.data, .rules = rules, .nrules = NRULES(rules)};
        write_block(w, s, &row, &b);
        lp_buf_reset(&note);
        const lp_table *t = lp_results_table(w->res, "funnel");
        int sc = t ? col_index(t, "step") : -1, rc = t ? col_index(t, "reached") : -1;
        if (b.nrows > 0 && sc >= 0 && rc >= 0 && !w->status) {
            lxw_chart *chart = workbook_add_chart(w->wb, LXW_CHART_BAR);
            if (chart) {
                lxw_chart_series *sr = chart_add_series(chart, NULL, NULL);
                chart_series_set_categories(sr, p->name, b.first_data, (lxw_col_t)sc,
                                            b.last_data, (lxw_col_t)sc);
                chart_series_set_values(sr, p->name, b.first_data, (lxw_col_t)rc,
                                        b.last_data, (lxw_col_t)rc);
                chart_series_set_name(sr, "Reached");
                chart_title_set_name(chart, "Funnel");
                chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
                chart_axis_set_reverse(chart->y_axis);
                lp_xw_check(w, worksheet_insert_chart(s->ws, 3, (lxw_col_t)(t->ncols + 1), chart),
                         s->ws, 3, (lxw_col_t)(t->ncols + 1));
            }
        }
        block rf = {.table = "reverse_funnel", .heading = "Reverse funnel"};
        write_block(w, s, &row, &rf);
        break;
    }
    default: break;
    }
}

/* ---- Detail sheets ---- */

/* The detail sheets are most of the workbook's cells, so each column's
 * format is resolved once and each cell goes straight to the call lp_xw_value
 * would make for it (same value, same format, same order). */
static void write_detail(xw *w, const sheet_plan *p, sheet *s)
{
    const lp_table *t = p->detail;
    int ncols = t->ncols < MAX_COLS ? (int)t->ncols : MAX_COLS;
    const char *headers[MAX_COLS];
    lxw_format *formats[MAX_COLS];
    for (int c = 0; c < ncols; c++) {
        headers[c] = t->columns[c]->name;
        formats[c] = lp_xw_column_format(w, t->columns[c]);
    }
    table_or_header(w, s, 0, (lxw_row_t)p->nrows, headers, ncols, t->name);
    if (w->constant_memory && ncols > 0)
        lp_xw_check(w, worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(p->nrows ? p->nrows : 1),
                                         (lxw_col_t)(ncols - 1)),
                 s->ws, 0, 0);
    worksheet_freeze_panes(s->ws, 1, 0);
    for (int c = 0; c < ncols; c++) {
        lp_type type = t->columns[c]->type;
        widen(s, c, type == LP_TYPE_INSTANT ? 17 : type == LP_TYPE_DATE ? 11 : 10);
    }
    lxw_worksheet *ws = s->ws;
    for (size_t k = 0; k < p->nrows && !w->status; k++) {
        size_t r = p->first_row + k;
        lxw_row_t row = (lxw_row_t)(k + 1);
        for (int c = 0; c < ncols; c++) {
            const lp_column *col = t->columns[c];
            if (r >= col->length || !lp_column_valid(col, r)) continue;
            lxw_col_t x = (lxw_col_t)c;
            switch (col->type) {
            case LP_TYPE_STRING: {
                const lp_strpool *pool = col->table->pool;
                int32_t code = col->v.i32[r];
                size_t len = lp_strpool_strlen(pool, code);
                lp_xw_str_len(w, ws, row, x, lp_strpool_get(pool, code), len, formats[c]);
                /* Widths from the first rows are enough to read the column. */
                if (k < 1000) widen(s, c, (double)len + 2);
                break;
            }
            case LP_TYPE_INT64: lp_xw_num(w, ws, row, x, (double)col->v.i64[r], formats[c]); break;
            case LP_TYPE_DOUBLE: lp_xw_num(w, ws, row, x, col->v.f64[r], formats[c]); break;
            case LP_TYPE_BOOL:
                lp_xw_check(w, worksheet_write_boolean(ws, row, x, col->v.b[r], formats[c]), ws,
                         row, x);
                break;
            case LP_TYPE_DATE:
                lp_xw_num(w, ws, row, x, (double)(col->v.i32[r] + 25569), formats[c]);
                break;
            case LP_TYPE_INSTANT:
                lp_xw_num(w, ws, row, x, lp_xw_serial(col->v.i64[r]), formats[c]);
                break;
            }
        }
    }
}

/* ---- Data quality, definitions, parameters ---- */

static size_t count_long_texts(const xw *w)
{
    size_t n = 0;
    for (size_t d = 0; d < NDETAILS; d++) {
        const lp_table *t = lp_results_table(w->res, details[d].table);
        for (size_t c = 0; t && c < t->ncols; c++) {
            const lp_column *col = t->columns[c];
            if (col->type != LP_TYPE_STRING) continue;
            for (size_t r = 0; r < col->length; r++)
                if (lp_column_valid(col, r) &&
                    lp_strpool_strlen(t->pool, col->v.i32[r]) > 32767)
                    n++;
        }
    }
    return n;
}

static void write_quality(xw *w, const sheet_plan *p, sheet *s)
{
    const lp_dataset *ds = w->res->dataset;
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Data quality");
    lp_xw_str(w, s->ws, row++, 0, "Rejected rows", w->f.h2);
    static const char *const rh[] = {"file", "line", "column", "value", "reason"};
    size_t nrejects = ds ? ds->nrejects : 0;
    if (nrejects > LP_XLSX_MAX_DETAIL_ROWS - 1000) nrejects = LP_XLSX_MAX_DETAIL_ROWS - 1000;
    lxw_row_t header_row = row++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)nrejects, rh, 5, "rejects");
    for (size_t i = 0; i < nrejects && !w->status; i++, row++) {
        const lp_reject *rj = &ds->rejects[i];
        lp_xw_str(w, s->ws, row, 0, rj->file, NULL);
        lp_xw_num(w, s->ws, row, 1, (double)rj->line, lp_xw_unit_format(w, LP_UNIT_COUNT, false));
        lp_xw_str(w, s->ws, row, 2, rj->column, NULL);
        lp_xw_str(w, s->ws, row, 3, rj->value, NULL);
        lp_xw_str(w, s->ws, row, 4, rj->reason, NULL);
        if (i < 1000) {
            widen_text(s, 0, rj->file);
            widen_text(s, 3, rj->value);
            widen_text(s, 4, rj->reason);
        }
    }
    if (!nrejects) row++;
    if (ds && nrejects < ds->nrejects) {
        char note[128];
        snprintf(note, sizeof(note), "%zu more rejected rows are in the rejects file.",
                 ds->nrejects - nrejects);
        lp_xw_str(w, s->ws, row++, 0, note, w->f.note);
    }
    row++;
    lp_xw_str(w, s->ws, row++, 0, "Notes", w->f.h2);
    static const char *const nh[] = {"table", "kind", "count", "message"};
    size_t nnotes = ds ? ds->nnotes : 0;
    header_row = row++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)nnotes, nh, 4, "notes");
    for (size_t i = 0; i < nnotes && !w->status; i++, row++) {
        const lp_quality_note *n = &ds->notes[i];
        lp_xw_str(w, s->ws, row, 0, n->table, NULL);
        lp_xw_str(w, s->ws, row, 1, n->kind, NULL);
        lp_xw_num(w, s->ws, row, 2, (double)n->count, lp_xw_unit_format(w, LP_UNIT_COUNT, false));
        lp_xw_str(w, s->ws, row, 3, n->message, NULL);
        widen_text(s, 1, n->kind);
        widen_text(s, 3, n->message);
    }
    if (!nnotes) row++;
    row++;
    block off = {.table = "switched_off", .heading = "Figures switched off"};
    if (lp_results_table(w->res, "switched_off")) write_block(w, s, &row, &off);
    bool said = false;
    for (size_t i = 0; w->nar && i < w->nar->ncaveats; i++) {
        if (!said) lp_xw_str(w, s->ws, row++, 0, "Caveats", w->f.h2);
        said = true;
        lp_xw_str(w, s->ws, row++, 0, w->nar->caveats[i], NULL);
    }
    size_t long_texts = count_long_texts(w);
    if (!ds)
        lp_xw_str(w, s->ws, row++, 0, "No load report was given with these results.", w->f.note);
    if (long_texts) {
        char note[160];
        snprintf(note, sizeof(note),
                 "%zu text value%s longer than Excel's 32,767-character cell limit: "
                 "cut, ending in \"[truncated]\".", long_texts,
                 long_texts == 1 ? " was" : "s were");
        lp_xw_str(w, s->ws, row++, 0, note, w->f.note);
    }
    /* What the ledger says changed since it was published (lp/ledger.h);
     * only when something did. */
    const lp_table *restated = lp_results_table(w->res, "restatements");
    if (restated && restated->nrows) {
        row++;
        block b = {.table = "restatements", .heading = "Restated since last published"};
        write_block(w, s, &row, &b);
    }
}

static void write_definitions(xw *w, const sheet_plan *p, sheet *s)
{
    lxw_row_t row = 3;
    sheet_heading(w, s, p, "Definitions");
    static const char *const hd[] = {"term", "definition"};
    size_t n = w->nar ? w->nar->nglossary : 0;
    lxw_row_t header_row = row++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)n, hd, 2, "glossary");
    for (size_t i = 0; i < n && !w->status; i++, row++) {
        lp_xw_str(w, s->ws, row, 0, w->nar->glossary_terms[i], w->f.bold);
        lp_xw_str(w, s->ws, row, 1, w->nar->glossary_texts[i], w->f.wrap);
        widen_text(s, 0, w->nar->glossary_terms[i]);
    }
    s->width[1] = 100;
}

typedef struct param_ctx {
    xw *w;
    sheet *s;
    lxw_row_t row;
} param_ctx;

static void param(param_ctx *pc, const char *key, const char *value)
{
    lp_xw_str(pc->w, pc->s->ws, pc->row, 0, key, NULL);
    lp_xw_str(pc->w, pc->s->ws, pc->row, 1, value, NULL);
    widen_text(pc->s, 0, key);
    widen_text(pc->s, 1, value);
    pc->row++;
}

/* A numeric setting as a number cell (text would read as "number stored as
 * text" in a spreadsheet), in fmt (NULL = General). */
static void param_num(param_ctx *pc, const char *key, double v, lxw_format *fmt)
{
    char buf[40];
    snprintf(buf, sizeof(buf), "%.15g", v);
    lp_xw_str(pc->w, pc->s->ws, pc->row, 0, key, NULL);
    lp_xw_num(pc->w, pc->s->ws, pc->row, 1, v, fmt);
    widen_text(pc->s, 0, key);
    widen_text(pc->s, 1, buf);
    pc->row++;
}

/* One setting from lp_settings_each: a number as a number cell (text
 * would read as "number stored as text"; the SLA target as a share), any
 * other value as text. */
static void setting_param(void *ctx, const char *key, const char *value)
{
    param_ctx *pc = ctx;
    char *end = NULL;
    double v = value && *value ? strtod(value, &end) : NAN;
    if (end && *end == '\0' && isfinite(v)) {
        lp_unit unit = strcmp(key, "sla_target") == 0 ? LP_UNIT_SHARE : LP_UNIT_NONE;
        param_num(pc, key, v, lp_xw_unit_format(pc->w, unit, false));
    } else {
        param(pc, key, value);
    }
}

static void write_parameters(xw *w, const sheet_plan *p, sheet *s)
{
    const lp_results *res = w->res;
    param_ctx pc = {w, s, 3};
    sheet_heading(w, s, p, "Parameters");
    lp_xw_str(w, s->ws, pc.row++, 0, "Run", w->f.h2);
    lp_xw_str(w, s->ws, pc.row, 0, "as_of", NULL);
    lp_xw_instant(w, s->ws, pc.row, 1, res->as_of);
    char utc[40];
    lp_instant_format_utc(res->as_of, utc, sizeof(utc));
    lp_xw_str(w, s->ws, pc.row++, 2, utc, NULL);
    param(&pc, "report_time_zone", lp_tz_name());
    param(&pc, "report_period", res->period_label);
    char label[24];
    lp_period_label(&res->calendar, res->window_first, label, sizeof(label));
    param(&pc, "window_first_period", label);
    if (w->tpl && w->tpl->name) param(&pc, "template", w->tpl->name);
    if (res->dataset && res->dataset->profile) {
        param(&pc, "profile", res->dataset->profile);
        if (res->dataset->profile_reason) param(&pc, "profile_reason", res->dataset->profile_reason);
    }
    param(&pc, "leadpack_version", LP_VERSION);
    pc.row++;
    lp_xw_str(w, s->ws, pc.row++, 0, "Settings", w->f.h2);
    if (!res->settings)
        lp_xw_str(w, s->ws, pc.row++, 0, "No settings were given with these results.", w->f.note);
    else if (lp_settings_each(res->settings, setting_param, &pc) != LP_OK)
        lp_xw_fail(w, LP_ERR_NOMEM, "workbook: out of memory listing the settings");
    pc.row++;
    lp_xw_str(w, s->ws, pc.row++, 0, "Input files", w->f.h2);
    char digest_err[LP_ERRMSG_SIZE];
    lp_status dst = lp_dataset_digests(res->dataset, digest_err);
    if (dst) {
        lp_xw_fail(w, dst, "workbook: %s", digest_err);
        return;
    }
    static const char *const fh[] = {"file", "table", "dialect", "rows_read", "rows_loaded",
                                     "rows_rejected", "sha256"};
    size_t nfiles = res->dataset ? res->dataset->nfiles : 0;
    lxw_row_t header_row = pc.row++;
    table_or_header(w, s, header_row, header_row + (lxw_row_t)nfiles, fh, 7, "input_files");
    for (size_t i = 0; i < nfiles && !w->status; i++, pc.row++) {
        const lp_file_report *f = &res->dataset->files[i];
        lp_xw_str(w, s->ws, pc.row, 0, f->path, NULL);
        lp_xw_str(w, s->ws, pc.row, 1, lp_canon_table_name(f->table), NULL);
        lp_xw_str(w, s->ws, pc.row, 2, f->dialect, NULL);
        lxw_format *whole = lp_xw_unit_format(w, LP_UNIT_COUNT, false);
        lp_xw_num(w, s->ws, pc.row, 3, (double)f->rows_read, whole);
        lp_xw_num(w, s->ws, pc.row, 4, (double)f->rows_loaded, whole);
        lp_xw_num(w, s->ws, pc.row, 5, (double)f->rows_rejected, whole);
        lp_xw_str(w, s->ws, pc.row, 6, f->sha256, NULL);
        widen_text(s, 0, f->path);
        widen_text(s, 2, f->dialect);
        widen(s, 6, 66);
    }
    widen(s, 1, 20);
    widen(s, 2, 22);
}

/* ---- Workbook ---- */

static void write_sheet(xw *w, const sheet_plan *p, lxw_worksheet *ws)
{
    sheet s = {.ws = ws};
    switch (p->kind) {
    case K_SUMMARY: write_summary(w, p, &s); break;
    case K_VOLUME: write_volume(w, p, &s); break;
    case K_CAMPAIGNS: write_campaigns(w, p, &s); break;
    case K_PIPELINE: write_pipeline(w, p, &s); break;
    case K_SLA: write_sla(w, p, &s); break;
    case K_WON: write_won(w, p, &s); break;
    case K_DETAIL: write_detail(w, p, &s); break;
    case K_QUALITY: write_quality(w, p, &s); break;
    case K_DEFINITIONS: write_definitions(w, p, &s); break;
    case K_PARAMETERS: write_parameters(w, p, &s); break;
    default: write_simple(w, p, &s); break;
    }
    apply_widths(w, &s);
}

/* Adds the planned sheets, in plan order. In constant-memory mode each
 * sheet's rows go to a temporary file through stdio, 4 KiB at a time by
 * default; bufs[i] (freed by the caller once the workbook is closed) gives
 * sheet i a large buffer instead, so tens of thousands of writes become
 * hundreds. */
static void add_sheets(xw *w, lxw_worksheet **ws, char **bufs)
{
    for (size_t i = 0; i < w->nsheets && !w->status; i++) {
        if (!(ws[i] = workbook_add_worksheet(w->wb, w->sheets[i].name)))
            lp_xw_fail(w, LP_ERR_OUTPUT, "workbook: cannot add sheet \"%s\"", w->sheets[i].name);
        else if (w->constant_memory && ws[i]->optimize_tmpfile &&
                 (bufs[i] = lp_malloc(SHEET_BUFFER)))
            setvbuf(ws[i]->optimize_tmpfile, bufs[i], _IOFBF, SHEET_BUFFER);
    }
}

/* Fills the sheets in plan order but the Parameters sheet last: its input
 * files' digests may still be worked out beside the rest of the workbook
 * (lp_dataset_digests waits for them there). */
static void fill_sheets(xw *w, lxw_worksheet **ws)
{
    for (int last = 0; last < 2; last++)
        for (size_t i = 0; i < w->nsheets && !w->status; i++)
            if ((w->sheets[i].kind == K_PARAMETERS) == (last == 1))
                write_sheet(w, &w->sheets[i], ws[i]);
}

lp_status lp_xlsx_write(const lp_results *results, const lp_narrative *narrative,
                        const lp_template *tpl, const char *path, char *errmsg)
{
    return lp_xlsx_write_opt(results, narrative, tpl, path, NULL, errmsg);
}

lp_status lp_xlsx_write_opt(const lp_results *results, const lp_narrative *narrative,
                            const lp_template *tpl, const char *path,
                            const lp_xlsx_options *options, char *errmsg)
{
    if (!results || !path) {
        if (errmsg) lp_errmsg_set(errmsg, "workbook: no results or no path");
        return LP_ERR_USAGE;
    }
    xw w = {0};
    w.res = results;
    w.nar = narrative;
    w.tpl = tpl;
    w.errmsg = errmsg;
    w.max_rows = options && options->max_detail_rows ? options->max_detail_rows
                                                     : LP_XLSX_MAX_DETAIL_ROWS;
    if (w.max_rows > LP_XLSX_MAX_DETAIL_ROWS) w.max_rows = LP_XLSX_MAX_DETAIL_ROWS;
    size_t detail_rows = 0;
    for (size_t d = 0; d < NDETAILS; d++) {
        const lp_table *t = lp_results_table(results, details[d].table);
        if (t) detail_rows += t->nrows;
    }
    lp_xlsx_memory memory = options ? options->memory : LP_XLSX_MEMORY_AUTO;
    w.constant_memory = memory == LP_XLSX_MEMORY_CONSTANT ||
                        (memory == LP_XLSX_MEMORY_AUTO &&
                         detail_rows > LP_XLSX_CONSTANT_MEMORY_ROWS);

    lp_outfile out = {0};
    lp_status st = lp_outfile_prepare(&out, path);
    if (st) {
        if (errmsg) lp_errmsg_set(errmsg, "workbook %s: out of memory", path);
        return st;
    }
    lxw_workbook_options wopts = {.constant_memory = w.constant_memory};
    w.wb = workbook_new_opt(out.tmp_path, &wopts);
    if (!w.wb) {
        lp_xw_fail(&w, LP_ERR_NOMEM, "workbook %s: cannot start the workbook", path);
        goto cleanup;
    }
    const char *title = narrative && narrative->title ? narrative->title
                        : tpl && tpl->title ? tpl->title : "leadpack";
    lp_buf subject = {0};
    lp_buf_printf(&subject, "Period %s", results->period_label);
    lxw_doc_properties props = {0};
    props.title = (char *)title;
    props.subject = subject.data ? subject.data : (char *)"";
    props.author = (char *)"leadpack";
    props.created = (time_t)results->as_of;
    lxw_error err = workbook_set_properties(w.wb, &props);
    lp_buf_reset(&subject);
    if (err) lp_xw_fail(&w, LP_ERR_NOMEM, "workbook %s: %s", path, lxw_strerror(err));

    lp_xw_formats_init(&w, results->settings ? results->settings->currency : "USD");
    if (!w.status) plan_sheets(&w);
    lxw_worksheet **ws = w.status ? NULL : lp_calloc(w.nsheets ? w.nsheets : 1, sizeof *ws);
    char **bufs = w.status ? NULL : lp_calloc(w.nsheets ? w.nsheets : 1, sizeof *bufs);
    if (!w.status && (!ws || !bufs))
        lp_xw_fail(&w, LP_ERR_NOMEM, "workbook %s: out of memory", path);
    add_sheets(&w, ws, bufs);
    fill_sheets(&w, ws);
    lp_free(ws);

    err = workbook_close(w.wb); /* closes the sheets' files: their buffers may go */
    w.wb = NULL;
    for (size_t i = 0; bufs && i < w.nsheets; i++) lp_free(bufs[i]);
    lp_free(bufs);
    if (err && !w.status)
        lp_xw_fail(&w, err == LXW_ERROR_MEMORY_MALLOC_FAILED ? LP_ERR_NOMEM : LP_ERR_OUTPUT,
                "workbook %s: %s", path, lxw_strerror(err));
cleanup:
    lp_xw_index_free(&w);
    if (w.status) {
        lp_outfile_abort(&out);
        return w.status;
    }
    st = lp_outfile_commit(&out);
    if (st && errmsg) lp_errmsg_set(errmsg, "workbook %s: cannot be renamed into place", path);
    return st;
}
