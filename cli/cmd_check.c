/*
 * leadpack check: what a user runs first on a new export. Reports per file
 * the dialect, rows read, loaded and rejected, which header fed which
 * canonical columns (one header may feed several), the first rejects, nulls
 * per column of each canonical table, the values of mapped value columns
 * that the mapping does not name, and the data-quality findings.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define FIRST_REJECTS 10

/* Rejects name their file relative to the input folder; reports carry the
 * path as opened. */
static bool same_file(const char *report_path, const char *reject_file)
{
    size_t n = strlen(report_path), m = strlen(reject_file);
    if (strcmp(report_path, reject_file) == 0) return true;
    return n > m && report_path[n - m - 1] == '/' && strcmp(report_path + n - m, reject_file) == 0;
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* n with thousands separators: 1,099. */
static const char *grouped(size_t n, char buf[32])
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Calls emit once per source header (or default) of a file, with the
 * canonical columns it fed in lp_canon_columns order; a header feeding
 * several columns (fan-out) is one call. */
typedef void (*fed_fn)(void *ctx, bool is_default, const char *from, const char **canonical,
                       size_t n);

static void each_fed(const lp_file_report *f, fed_fn emit, void *ctx)
{
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(f->table, &ncanon);
    if (ncanon > LP_CANON_MAX_COLUMNS) ncanon = LP_CANON_MAX_COLUMNS;
    bool done[LP_CANON_MAX_COLUMNS] = {false};
    for (int pass = 0; pass < 2; pass++) {
        char *const *from = pass ? f->defaults : f->sources;
        for (size_t k = 0; k < ncanon; k++) {
            if (!from[k] || (!pass && done[k])) continue;
            const char *names[LP_CANON_MAX_COLUMNS];
            size_t n = 0;
            for (size_t j = k; j < ncanon; j++) {
                if (!from[j] || strcmp(from[j], from[k]) || (!pass && done[j])) continue;
                if (pass && j != k) continue; /* defaults: one line each */
                names[n++] = canon[j].name;
                done[j] = true;
            }
            emit(ctx, pass == 1, from[k], names, n);
        }
    }
}

typedef struct fed_text {
    FILE *out;
    size_t col;     /* characters on the current line */
    bool any;
} fed_text;

static void fed_text_emit(void *ctx, bool is_default, const char *from, const char **canonical,
                          size_t n)
{
    fed_text *t = ctx;
    char item[512];
    int len;
    if (is_default)
        len = snprintf(item, sizeof item, "%s = \"%s\" (default)", canonical[0], from);
    else {
        len = snprintf(item, sizeof item, "%s ->", from);
        for (size_t i = 0; i < n && len < (int)sizeof item; i++)
            len += snprintf(item + len, sizeof item - (size_t)len, "%s %s", i ? "," : "",
                            canonical[i]);
    }
    if (len >= (int)sizeof item) len = (int)sizeof item - 1;
    if (!t->any) {
        fputs("  columns: ", t->out);
        t->col = 11;
    } else if (t->col + 2 + (size_t)len > 100) {
        fputs(";\n    ", t->out);
        t->col = 4;
    } else {
        fputs("; ", t->out);
        t->col += 2;
    }
    fputs(item, t->out);
    t->col += (size_t)len;
    t->any = true;
}

typedef struct fed_json {
    FILE *out;
    bool any;
} fed_json;

static void json_string(FILE *out, const char *s);

static void fed_json_emit(void *ctx, bool is_default, const char *from, const char **canonical,
                          size_t n)
{
    fed_json *j = ctx;
    fputs(j->any ? ",{" : "{", j->out);
    fputs(is_default ? "\"default\":" : "\"source\":", j->out);
    json_string(j->out, from);
    fputs(",\"canonical\":[", j->out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", j->out);
        json_string(j->out, canonical[i]);
    }
    fputs("]}", j->out);
    j->any = true;
}

/* What the unmapped values of a kind (lp_unmapped.kind) are, and what
 * becomes of them, after "have" / "has". */
static const char *unmapped_outcome(const char *kind)
{
    if (!strcmp(kind, "channel"))
        return "no channel; counted as outbound (or partner, for a partner user's lead)";
    if (!strcmp(kind, "stage"))
        return "no place in the stage map; taken by name (Closed Won as won, Closed Lost "
               "as lost, any other as open)";
    return "no entry in the value map; kept as exported";
}

#define UNMAPPED_SHOWN 6

static void print_unmapped_text(const lp_unmapped *u, size_t n, FILE *out)
{
    if (n) fputs("\nUnmapped values:\n", out);
    for (size_t i = 0; i < n; i++) {
        char num[32];
        fprintf(out, "  %s (%s.%s): ", u[i].source_name, lp_canon_table_name(u[i].table),
                u[i].column);
        size_t shown = u[i].nvalues < UNMAPPED_SHOWN ? u[i].nvalues : UNMAPPED_SHOWN;
        size_t rest_rows = u[i].rows;
        for (size_t v = 0; v < shown; v++) {
            const lp_unmapped_value *val = &u[i].values[v];
            fprintf(out, "%s%s%s '%s'", v ? ", " : "", grouped(val->rows, num),
                    v ? "" : val->rows == 1 ? " row" : " rows", val->value);
            rest_rows -= val->rows;
        }
        if (u[i].nvalues > shown)
            fprintf(out, " and %zu more value%s (%s rows)", u[i].nvalues - shown,
                    u[i].nvalues - shown == 1 ? "" : "s", grouped(rest_rows, num));
        fprintf(out, " %s %s\n", u[i].rows == 1 ? "has" : "have", unmapped_outcome(u[i].kind));
    }
}

static void print_unmapped_json(const lp_unmapped *u, size_t n, FILE *out)
{
    fputs(",\"unmapped\":[", out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{\"table\":" : "{\"table\":", out);
        json_string(out, lp_canon_table_name(u[i].table));
        fputs(",\"column\":", out);
        json_string(out, u[i].column);
        fputs(",\"source\":", out);
        json_string(out, u[i].source_name);
        fputs(",\"kind\":", out);
        json_string(out, u[i].kind);
        fprintf(out, ",\"rows\":%zu,\"values\":[", u[i].rows);
        for (size_t v = 0; v < u[i].nvalues; v++) {
            fputs(v ? ",{\"value\":" : "{\"value\":", out);
            json_string(out, u[i].values[v].value);
            fprintf(out, ",\"rows\":%zu}", u[i].values[v].rows);
        }
        fputs("]}", out);
    }
    fputc(']', out);
}

static void print_json(const lp_dataset *ds, const lp_unmapped *unmapped, size_t nunmapped,
                       FILE *out)
{
    fputs("{\"profile\":", out);
    json_string(out, ds->profile);
    fputs(",\"files\":[", out);
    for (size_t i = 0; i < ds->nfiles; i++) {
        const lp_file_report *f = &ds->files[i];
        fprintf(out, "%s{\"file\":", i ? "," : "");
        json_string(out, f->path);
        fputs(",\"table\":", out);
        json_string(out, lp_canon_table_name(f->table));
        fputs(",\"dialect\":", out);
        json_string(out, f->dialect);
        fprintf(out, ",\"rows_read\":%zu,\"rows_loaded\":%zu,\"rows_rejected\":%zu,"
                     "\"sha256\":\"%s\",\"rejects\":[",
                f->rows_read, f->rows_loaded, f->rows_rejected, f->sha256);
        bool first = true;
        for (size_t r = 0; r < ds->nrejects; r++) {
            const lp_reject *rej = &ds->rejects[r];
            if (!same_file(f->path, rej->file)) continue;
            fprintf(out, "%s{\"line\":%zu,\"column\":", first ? "" : ",", rej->line);
            json_string(out, rej->column);
            fputs(",\"value\":", out);
            json_string(out, rej->value);
            fputs(",\"reason\":", out);
            json_string(out, rej->reason);
            fputc('}', out);
            first = false;
        }
        fputs("],\"columns\":[", out);
        fed_json fj = {out, false};
        each_fed(f, fed_json_emit, &fj);
        fputs("]}", out);
    }
    fputs("],\"tables\":[", out);
    bool first_table = true;
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        const lp_table *table = ds->tables[t];
        if (!table) continue;
        fprintf(out, "%s{\"table\":", first_table ? "" : ",");
        json_string(out, table->name);
        fprintf(out, ",\"rows\":%zu,\"nulls\":{", table->nrows);
        for (size_t c = 0; c < table->ncols; c++) {
            fputs(c ? "," : "", out);
            json_string(out, table->columns[c]->name);
            fprintf(out, ":%zu", table->columns[c]->null_count);
        }
        fputs("}}", out);
        first_table = false;
    }
    fputs("],\"findings\":[", out);
    for (size_t i = 0; i < ds->nnotes; i++) {
        fputs(i ? ",{\"table\":" : "{\"table\":", out);
        json_string(out, ds->notes[i].table);
        fputs(",\"kind\":", out);
        json_string(out, ds->notes[i].kind);
        fprintf(out, ",\"count\":%zu,\"message\":", ds->notes[i].count);
        json_string(out, ds->notes[i].message);
        fputc('}', out);
    }
    fputc(']', out);
    print_unmapped_json(unmapped, nunmapped, out);
    fputs("}\n", out);
}

static void print_text(const lp_dataset *ds, const lp_unmapped *unmapped, size_t nunmapped,
                       FILE *out)
{
    fprintf(out, "Profile: %s%s%s%s\n", ds->profile ? ds->profile : "(given)",
            ds->profile_reason ? " (" : "", ds->profile_reason ? ds->profile_reason : "",
            ds->profile_reason ? ")" : "");
    for (size_t i = 0; i < ds->nfiles; i++) {
        const lp_file_report *f = &ds->files[i];
        fprintf(out, "\n%s -> %s (%s)\n  rows read %zu, loaded %zu, rejected %zu\n", f->path,
                lp_canon_table_name(f->table), f->dialect ? f->dialect : "", f->rows_read,
                f->rows_loaded, f->rows_rejected);
        fed_text ft = {out, 0, false};
        each_fed(f, fed_text_emit, &ft);
        if (ft.any) fputc('\n', out);
        size_t shown = 0;
        for (size_t r = 0; r < ds->nrejects && shown < FIRST_REJECTS; r++) {
            const lp_reject *rej = &ds->rejects[r];
            if (!same_file(f->path, rej->file)) continue;
            fprintf(out, "  line %zu%s%s: %s (value \"%s\")\n", rej->line,
                    rej->column[0] ? ", column " : "", rej->column, rej->reason, rej->value);
            shown++;
        }
        if (f->rows_rejected > shown)
            fprintf(out, "  ... and %zu more in rejects.csv\n", f->rows_rejected - shown);
    }
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        const lp_table *table = ds->tables[t];
        if (!table) continue;
        fprintf(out, "\nTable %s: %zu rows; empty values:", table->name, table->nrows);
        bool any = false;
        for (size_t c = 0; c < table->ncols; c++) {
            if (!table->columns[c]->null_count) continue;
            fprintf(out, "%s %s %zu", any ? "," : "", table->columns[c]->name,
                    table->columns[c]->null_count);
            any = true;
        }
        fputs(any ? "\n" : " none\n", out);
    }
    print_unmapped_text(unmapped, nunmapped, out);
    if (ds->nnotes) fputs("\nData quality:\n", out);
    for (size_t i = 0; i < ds->nnotes; i++)
        fprintf(out, "  - %s\n", ds->notes[i].message);
}

int cmd_check(int argc, char **argv)
{
    cli_input in = {0};
    bool json = false;
    const cli_option check_options[] = {
        {"input", &in.input_dir, NULL},
        {"source", &in.source, NULL},
        {"profile", &in.profile, NULL},
        {"mapping", &in.mapping_path, NULL},
        {"settings", &in.settings_path, NULL},
        {"json", NULL, &json},
        {"quiet", NULL, &in.quiet},
    };
    int code = cli_options_parse("check", argc, argv, check_options,
                                 sizeof check_options / sizeof *check_options);
    if (code) return code;
    cli_log_set_quiet(in.quiet || json);
    cli_loaded loaded;
    int exit_code = cli_load(&in, &loaded);
    lp_unmapped *unmapped = NULL;
    size_t nunmapped = 0;
    if (exit_code == EXIT_DONE) {
        lp_status st = lp_dataset_unmapped(loaded.dataset, loaded.mapping, &loaded.settings,
                                           &unmapped, &nunmapped);
        if (st) {
            cli_error("check: %s", lp_status_str(st));
            exit_code = lp_status_exit_code(st);
        }
    }
    if (exit_code == EXIT_DONE) {
        if (json)
            print_json(loaded.dataset, unmapped, nunmapped, stdout);
        else
            print_text(loaded.dataset, unmapped, nunmapped, stdout);
    }
    lp_unmapped_free(unmapped, nunmapped);
    cli_loaded_clear(&loaded);
    return exit_code;
}
