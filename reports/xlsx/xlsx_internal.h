/*
 * xlsx_internal.h: shared between the workbook's cell layer (cells.c) and
 * its sheets (xlsx.c). Not installed; not part of the public API.
 */
#ifndef LP_XLSX_INTERNAL_H
#define LP_XLSX_INTERNAL_H

#include <xlsxwriter.h>

#include "lp/figures.h"
#include "lp/format.h"
#include "lp/xlsx.h"

#define XW_MAX_SHEETS 64
#define XW_MAX_INDEX 16
#define XW_FORMAT_CACHE 64

/* What a sheet shows. */
typedef enum sheet_kind {
    K_SUMMARY,
    K_VOLUME,
    K_CAMPAIGNS,
    K_PIPELINE,
    K_SLA,
    K_WON,
    K_BREACHES,
    K_FUNNEL,
    K_ROUTING,
    K_FORECAST,
    K_PARTNERS,
    K_DETAIL,
    K_QUALITY,
    K_DEFINITIONS,
    K_PARAMETERS,
    K_COUNT
} sheet_kind;

/* One planned sheet. Detail tables over the row limit get one plan per part. */
typedef struct sheet_plan {
    char name[32];                       /* sheet name (<= 31 bytes, safe characters) */
    sheet_kind kind;
    const lp_template_section *section;  /* placing section, or NULL */
    const lp_table *detail;              /* K_DETAIL: the table */
    size_t first_row;                    /* K_DETAIL: first table row on this part */
    size_t nrows;                        /* K_DETAIL: table rows on this part */
    int part;                            /* K_DETAIL: 1-based part number */
    int nparts;                          /* K_DETAIL: parts of the table */
} sheet_plan;

/* Rows of a detail table grouped by case-folded value of one string column,
 * so that COUNTIFS(column, key) can be checked in time proportional to the
 * matching rows. */
typedef struct key_index {
    const lp_table *table;
    const lp_column *column;
    lp_strpool *folded;      /* lower-cased distinct values */
    int32_t *fold;           /* table pool code -> folded code, or -1 (codes the column never holds) */
    size_t *start;           /* folded code -> first slot in rows (nfolded + 1) */
    size_t *rows;            /* row numbers grouped by folded code (null rows left out) */
} key_index;

#define XW_NUNITS (LP_UNIT_PVALUE + 1)

/* Number formats. Numbers take the format of their unit (lp/figures.h),
 * lp_fmt_excel's; LP_UNIT_NONE is General (NULL, or bold). */
typedef struct xw_formats {
    lxw_format *title, *subtitle, *h2, *header, *bold, *text, *wrap, *note;
    lxw_format *unit[XW_NUNITS];       /* by lp_unit */
    lxw_format *unit_bold[XW_NUNITS];  /* by lp_unit, bold (totals) */
    lxw_format *date, *datetime, *link, *bad;
} xw_formats;

/* The writer: a sticky status as in cairo; the first failure wins. */
typedef struct xw {
    lxw_workbook *wb;
    const lp_results *res;
    const lp_narrative *nar;
    const lp_template *tpl;
    size_t max_rows;               /* data rows per detail sheet */
    bool constant_memory;          /* no Excel tables, strictly row order */
    xw_formats f;
    sheet_plan sheets[XW_MAX_SHEETS];
    size_t nsheets;
    key_index index[XW_MAX_INDEX];
    size_t nindex;
    size_t ntables;                /* Excel tables made (for unique names) */
    size_t truncated;              /* text cells cut at the cell limit */
    size_t formulas;               /* formulas written */
    /* lp_xw_column_format's answers by column (direct-mapped on the column's
     * address): it looks the unit up in the catalogue, and is asked once per
     * result cell. */
    const lp_column *format_cols[XW_FORMAT_CACHE];
    lxw_format *format_of[XW_FORMAT_CACHE];
    lp_status status;              /* first failure */
    char *errmsg;
} xw;

/* ---- headers.c: column headers for people ---- */

/* The header people read for column of table (table may be NULL): a
 * listed word ("Reached in time (leads)" for within) or the name in words
 * ("MQL at" for mql_at). Returns a static string or buf (size bytes). */
const char *lp_xw_header(const char *table, const char *column, char *buf, size_t size);

/* ---- cells.c: formats, cells, formulas ---- */

void lp_xw_fail(xw *w, lp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a libxlsxwriter error for the cell at row, col of sheet. */
void lp_xw_check(xw *w, lxw_error err, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col);
void lp_xw_formats_init(xw *w, const char *currency);
void lp_xw_index_free(xw *w);

/* Text always as text, truncated to the cell limit. NULL or "" writes nothing. */
void lp_xw_str(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
            lxw_format *fmt);
/* lp_xw_str of the len bytes at s (NUL-terminated), for callers that know the length. */
void lp_xw_str_len(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                size_t len, lxw_format *fmt);
void lp_xw_num(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
            lxw_format *fmt);
/* An instant as an Excel date-time in the report time zone. */
void lp_xw_instant(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t instant);
/* A date (days since 1970-01-01) as an Excel date. */
void lp_xw_date(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t days);
/* Link to a place in the workbook, "'Sheet'!A1" or "'Sheet'!A2:F9". */
void lp_xw_link(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *place,
             const char *text);
/* Any cell of a result or detail column at row, in the format of its unit
 * (the catalogue's, lp_result_row_unit; fmt overrides when not NULL). A
 * points cell holds points (lp_fmt_excel_value). Nulls write nothing. */
void lp_xw_value(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
              const lp_column *c, size_t r, lxw_format *fmt);
/* Format for a column: its unit's in the catalogue (lp_result_unit of its
 * table and name); whole numbers for other integer columns, dates and
 * date-times by type; NULL (General) otherwise. */
lxw_format *lp_xw_column_format(xw *w, const lp_column *c);
/* Format of a unit, bold or not. */
lxw_format *lp_xw_unit_format(const xw *w, lp_unit unit, bool bold);
/* Excel serial of an instant in the report time zone. */
double lp_xw_serial(int64_t instant);

/* Criteria of a drill-down formula over a detail table. */
typedef enum crit_kind { CR_EQ, CR_TRUE, CR_FALSE, CR_NONBLANK, CR_BLANK, CR_AT_MOST } crit_kind;
typedef struct crit {
    const char *column;      /* detail column */
    crit_kind kind;
    const char *text;        /* CR_EQ: the value matched (case-insensitive) */
    double at_most;          /* CR_AT_MOST: numbers (instants as Excel serials) <= this */
} crit;

/* An aggregate over a detail table: COUNT of rows (sum_column NULL) or SUM
 * of sum_column, over rows matching every criterion. */
typedef struct agg {
    const char *detail;      /* detail table name */
    const char *sum_column;  /* NULL: count rows */
    crit crits[4];
    int ncrits;
} agg;

/* true when text can stand as an exact COUNTIFS criterion. */
bool lp_xw_criterion_safe(const char *text);
/* Formula text (no leading '=') of an aggregate into buf; false when the
 * detail table is not written or a criterion is unsafe. */
bool lp_xw_agg_formula(xw *w, const agg *a, lp_buf *buf);
/* The aggregate's value over the detail table's rows; false when it cannot
 * be evaluated (no table, missing column, unsafe criterion). */
bool lp_xw_agg_eval(xw *w, const agg *a, double *out_value);
/* Writes the engine's value v (NAN = nothing) as the formula of a when that
 * formula reproduces v, else as a number. */
void lp_xw_agg_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const agg *a,
                 double v, lxw_format *fmt);
/* Writes v as the formula num_expr/den_expr when num/den reproduces v
 * (num_expr, den_expr are formula texts, e.g. cell names), else as a number. */
void lp_xw_ratio_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                   const char *num_expr, double num, const char *den_expr, double den,
                   double v, lxw_format *fmt);
/* Writes v as formula (a - b) * scale when that reproduces it (scale 1:
 * a - b; 100: a change of shares in points), else as a number. */
void lp_xw_diff_cell(xw *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                  const char *a_expr, double a, const char *b_expr, double b, double scale,
                  double v, lxw_format *fmt);
/* The plan of the first part of a detail table, or NULL. */
const sheet_plan *lp_xw_detail_plan(const xw *w, const char *detail);
/* Number of values as a double (NAN when null / absent). */
double lp_xw_num_at(const lp_table *t, const char *column, size_t r);
const char *lp_xw_str_at(const lp_table *t, const char *column, size_t r);

#endif
