/*
 * leadpack check: what a user runs first on a new export. Reports per file
 * the dialect, rows read, loaded and rejected, the first rejects, nulls per
 * column of each canonical table, and the data-quality findings.
 */
#include <getopt.h>
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

static void print_json(const lp_dataset *ds, FILE *out)
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
    fputs("]}\n", out);
}

static void print_text(const lp_dataset *ds, FILE *out)
{
    fprintf(out, "Profile: %s%s%s%s\n", ds->profile ? ds->profile : "(given)",
            ds->profile_reason ? " (" : "", ds->profile_reason ? ds->profile_reason : "",
            ds->profile_reason ? ")" : "");
    for (size_t i = 0; i < ds->nfiles; i++) {
        const lp_file_report *f = &ds->files[i];
        fprintf(out, "\n%s -> %s (%s)\n  rows read %zu, loaded %zu, rejected %zu\n", f->path,
                lp_canon_table_name(f->table), f->dialect ? f->dialect : "", f->rows_read,
                f->rows_loaded, f->rows_rejected);
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
    if (ds->nnotes) fputs("\nData quality:\n", out);
    for (size_t i = 0; i < ds->nnotes; i++)
        fprintf(out, "  - %s\n", ds->notes[i].message);
}

enum { OPT_INPUT = 256, OPT_SOURCE, OPT_PROFILE, OPT_MAPPING, OPT_SETTINGS, OPT_JSON, OPT_QUIET };

int cmd_check(int argc, char **argv)
{
    cli_input in = {0};
    bool json = false;
    static const struct option long_options[] = {
        {"input", required_argument, NULL, OPT_INPUT},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"mapping", required_argument, NULL, OPT_MAPPING},
        {"settings", required_argument, NULL, OPT_SETTINGS},
        {"json", no_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_INPUT: in.input_dir = optarg; break;
        case OPT_SOURCE: in.source = optarg; break;
        case OPT_PROFILE: in.profile = optarg; break;
        case OPT_MAPPING: in.mapping_path = optarg; break;
        case OPT_SETTINGS: in.settings_path = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_QUIET: in.quiet = true; break;
        default:
            cli_error("check: unknown or incomplete option \"%s\"; see leadpack help check",
                      argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("check: unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    cli_log_set_quiet(in.quiet || json);
    cli_loaded loaded;
    int exit_code = cli_load(&in, &loaded);
    if (exit_code == EXIT_DONE) {
        if (json)
            print_json(loaded.dataset, stdout);
        else
            print_text(loaded.dataset, stdout);
    }
    cli_loaded_clear(&loaded);
    return exit_code;
}
