/*
 * The results/ folder (results_files.h): every result table as RFC 4180 CSV.
 * This module only lays out what the result set holds; it computes nothing.
 */
#include "lp/results_files.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp/fileio.h"
#include "lp/time.h"

void lp_results_format_double(double value, char *buf, size_t size)
{
    if (value == 0) { /* also -0 */
        snprintf(buf, size, "0");
        return;
    }
    /* The fewest significant digits that read back to the same double
     * (the C locale is in effect, so the decimal mark is '.'), then laid out
     * as Python's repr does: plain notation for decimal exponents -4..15
     * (6500, 0.0001, 123456789.125), scientific outside (1e+21, 5e-324). */
    char sci[40];
    /* Every decimal of at most DBL_DIG (15) significant digits reads back to
     * a double that prints as that decimal again with 15 digits. So when 15
     * digits read back to value, the fewest that do are those 15 without
     * their trailing zeros (dropped below); otherwise 16 or 17 are needed.
     * Subnormals carry fewer digits and are searched from one up. */
    int prec = fabs(value) >= DBL_MIN ? DBL_DIG : 1;
    for (; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, value);
        if (strtod(sci, NULL) == value) break;
    }
    if (prec > 17) prec = 17;
    snprintf(sci, sizeof sci, "%.*e", prec - 1, value);
    /* sci is [-]D[.DDD]e(+|-)XX: collect digits and exponent. */
    const char *p = sci;
    bool negative = *p == '-';
    if (negative) p++;
    char digits[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    int exp10 = atoi(p + 1);
    char small[64];
    int len = 0;
    if (negative) small[len++] = '-';
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) small[len++] = i < nd ? digits[i] : '0';
            if (nd > exp10 + 1) {
                small[len++] = '.';
                for (int i = exp10 + 1; i < nd; i++) small[len++] = digits[i];
            }
        } else {
            small[len++] = '0';
            small[len++] = '.';
            for (int i = 0; i < -exp10 - 1; i++) small[len++] = '0';
            for (int i = 0; i < nd; i++) small[len++] = digits[i];
        }
        small[len] = '\0';
    } else {
        small[len++] = digits[0];
        if (nd > 1) {
            small[len++] = '.';
            for (int i = 1; i < nd; i++) small[len++] = digits[i];
        }
        snprintf(small + len, sizeof small - (size_t)len, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    }
    snprintf(buf, size, "%s", small);
}

/* Writes s as one CSV field, quoting when needed and defusing formulas.
 * Runs without a quote go out in one fwrite: per-byte stdio calls were most
 * of the time spent writing the record files. */
static void put_text(FILE *fp, const char *s)
{
    bool inject = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                  s[0] == '\r';
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote) fputc('"', fp);
    if (inject) fputc('\'', fp);
    for (const char *p = s; *p;) {
        size_t run = strcspn(p, "\"");
        fwrite(p, 1, run, fp);
        p += run;
        if (*p == '"') {
            fputs("\"\"", fp);
            p++;
        }
    }
    if (quote) fputc('"', fp);
}

static void put_value(FILE *fp, const lp_column *col, size_t row)
{
    if (row >= col->length || !lp_column_valid(col, row)) return;
    char buf[48];
    switch (col->type) {
    case LP_TYPE_INT64:
        fprintf(fp, "%lld", (long long)col->v.i64[row]);
        return;
    case LP_TYPE_DOUBLE:
        if (!isfinite(col->v.f64[row])) return;
        lp_results_format_double(col->v.f64[row], buf, sizeof buf);
        fputs(buf, fp);
        return;
    case LP_TYPE_BOOL:
        fputs(col->v.b[row] ? "true" : "false", fp);
        return;
    case LP_TYPE_INSTANT:
        lp_instant_format_utc(col->v.i64[row], buf, sizeof buf);
        fputs(buf, fp);
        return;
    case LP_TYPE_DATE: {
        int64_t y;
        int m, d;
        lp_civil_from_days(col->v.i32[row], &y, &m, &d);
        fprintf(fp, "%04lld-%02d-%02d", (long long)y, m, d);
        return;
    }
    case LP_TYPE_STRING:
        put_text(fp, lp_column_str(col, row));
        return;
    }
}

lp_status lp_results_write_csv(const lp_table *table, FILE *fp)
{
    for (size_t c = 0; c < table->ncols; c++) {
        if (c) fputc(',', fp);
        put_text(fp, table->columns[c]->name);
    }
    fputs("\r\n", fp);
    for (size_t r = 0; r < table->nrows; r++) {
        for (size_t c = 0; c < table->ncols; c++) {
            if (c) fputc(',', fp);
            put_value(fp, table->columns[c], r);
        }
        fputs("\r\n", fp);
    }
    return ferror(fp) ? LP_ERR_OUTPUT : LP_OK;
}

lp_status lp_results_write_rejects(const lp_dataset *ds, FILE *fp)
{
    fputs("file,line,column,value,reason\r\n", fp);
    for (size_t i = 0; ds && i < ds->nrejects; i++) {
        const lp_reject *r = &ds->rejects[i];
        put_text(fp, r->file ? r->file : "");
        fprintf(fp, ",%zu,", r->line);
        put_text(fp, r->column ? r->column : "");
        fputc(',', fp);
        put_text(fp, r->value ? r->value : "");
        fputc(',', fp);
        put_text(fp, r->reason ? r->reason : "");
        fputs("\r\n", fp);
    }
    return ferror(fp) ? LP_ERR_OUTPUT : LP_OK;
}

/* Writes one file atomically through `write` (table or rejects). */
static lp_status write_file(const char *dir, const char *name, const lp_table *table,
                            const lp_dataset *ds, char *errmsg)
{
    lp_buf path = {0};
    lp_buf_printf(&path, "%s/%s.csv", dir, name);
    if (path.failed || !path.data) {
        lp_buf_reset(&path);
        lp_errmsg_set(errmsg, "%s/%s.csv: out of memory", dir, name);
        return LP_ERR_NOMEM;
    }
    lp_outfile out;
    lp_status st = lp_outfile_open(&out, path.data);
    if (st) {
        lp_errmsg_set(errmsg, "%s: cannot be created", path.data);
        lp_buf_reset(&path);
        return st;
    }
    st = table ? lp_results_write_csv(table, out.fp) : lp_results_write_rejects(ds, out.fp);
    if (st) {
        lp_outfile_abort(&out);
    } else {
        st = lp_outfile_commit(&out);
    }
    if (st) lp_errmsg_set(errmsg, "%s: cannot be written", path.data);
    lp_buf_reset(&path);
    return st;
}

lp_status lp_results_write_dir(const lp_results *results, const char *dir, char *errmsg)
{
    char scratch[LP_ERRMSG_SIZE];
    if (!errmsg) errmsg = scratch;
    if (!results || !dir || !*dir) {
        lp_errmsg_set(errmsg, "results: a result set and a folder are required");
        return LP_ERR_USAGE;
    }
    lp_status st = lp_mkdir_p(dir);
    if (st) {
        lp_errmsg_set(errmsg, "%s: the results folder cannot be created", dir);
        return st;
    }
    for (size_t i = 0; i < results->ntables; i++) {
        const lp_table *t = results->tables[i];
        /* Table names are fixed identifiers; refuse anything path-like. */
        if (!t->name[0] || strchr(t->name, '/') || t->name[0] == '.') {
            lp_errmsg_set(errmsg, "results: table name \"%s\" cannot be a file name", t->name);
            return LP_ERR_USAGE;
        }
        st = write_file(dir, t->name, t, NULL, errmsg);
        if (st) return st;
    }
    return write_file(dir, "rejects", NULL, results->dataset, errmsg);
}

/* statements.csv: the narrative's citations as a table, so it is written
 * by the same writer as every other results file. */
lp_status lp_statements_write(const lp_narrative *narrative, const char *dir, char *errmsg)
{
    char scratch[LP_ERRMSG_SIZE];
    if (!errmsg) errmsg = scratch;
    if (!narrative || !dir) return LP_ERR_USAGE;
    lp_table *t = lp_table_new("statements");
    if (!t) return LP_ERR_NOMEM;
    static const char *const names[] = {"statement", "section", "text",  "figure",
                                        "subject",   "period",  "value", "unit"};
    lp_column *c[8];
    lp_status st = LP_OK;
    for (size_t i = 0; i < 8 && !st; i++)
        st = lp_table_add_column(t, names[i], i == 6 ? LP_TYPE_DOUBLE : LP_TYPE_STRING, &c[i]);
    for (size_t r = 0; r < narrative->nstatements && !st; r++) {
        const lp_statement *s = &narrative->statements[r];
        const char *text[8] = {s->id, s->section, s->text, s->figure, s->subject, s->period,
                               NULL, s->unit};
        for (size_t i = 0; i < 8 && !st; i++) {
            if (i == 6)
                st = isfinite(s->value) ? lp_column_append_double(c[i], s->value)
                                        : lp_column_append_null(c[i]);
            else st = lp_column_append_string(c[i], text[i] ? text[i] : "",
                                              strlen(text[i] ? text[i] : ""));
        }
    }
    if (!st) st = lp_table_finish(t);
    if (!st) st = write_file(dir, "statements", t, NULL, errmsg);
    else lp_errmsg_set(errmsg, "%s/statements.csv: %s", dir, lp_status_str(st));
    lp_table_free(t);
    return st;
}
