/*
 * leadpack history: what the ledger says was published, and when
 * (lp/ledger.h). One line per published figure, oldest run first; --json
 * prints one JSON array of objects instead.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lp/ledger.h"
#include "lp/results_files.h"

typedef struct history_out {
    bool json;
    size_t n;
} history_out;

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p < 0x20) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

static bool print_entry(void *ctx, const lp_ledger_entry *e)
{
    history_out *out = ctx;
    char value[40] = "";
    if (!isnan(e->value)) lp_results_format_double(e->value, value, sizeof value);
    if (out->json) {
        printf("%s\n  {\"run\": %lld, \"published_at\": ", out->n ? "," : "",
               (long long)e->run_id);
        json_string(e->published_at);
        printf(", \"as_of\": ");
        json_string(e->as_of);
        printf(", \"template\": ");
        json_string(e->template_name);
        printf(", \"pack_period\": ");
        json_string(e->report_period);
        printf(", \"measure\": ");
        json_string(e->figure);
        printf(", \"subject\": ");
        json_string(e->subject);
        printf(", \"period\": ");
        json_string(e->period);
        printf(", \"value\": %s, \"unit\": ", value[0] ? value : "null");
        json_string(e->unit);
        if (e->keys >= 0) printf(", \"keys\": %lld}", (long long)e->keys);
        else printf(", \"keys\": null}");
    } else {
        if (!out->n)
            printf("%-4s  %-20s  %-20s  %-10s  %-30s  %-10s  %14s  %-7s  %s\n", "run",
                   "published_at", "as_of", "pack", "measure", "period", "value", "unit",
                   "keys");
        char keys[24] = "";
        if (e->keys >= 0) snprintf(keys, sizeof keys, "%lld", (long long)e->keys);
        printf("%-4lld  %-20s  %-20s  %-10s  %-30s  %-10s  %14s  %-7s  %s\n",
               (long long)e->run_id, e->published_at, e->as_of, e->report_period, e->figure,
               e->period, value[0] ? value : "-", e->unit, keys);
    }
    out->n++;
    return true;
}

int cmd_history(int argc, char **argv)
{
    const char *history = NULL, *out_dir = "out", *measure = NULL, *period = NULL;
    bool json = false;
    const cli_option history_options[] = {
        {"history", &history, NULL}, {"out", &out_dir, NULL}, {"measure", &measure, NULL},
        {"period", &period, NULL},   {"json", NULL, &json},
    };
    int code = cli_options_parse("history", argc, argv, history_options,
                                 sizeof history_options / sizeof *history_options);
    if (code) return code;
    char default_history[PATH_MAX];
    if (!history) {
        if (!cli_path(default_history, sizeof default_history, "%s/history.sqlite", out_dir)) {
            cli_error("%s: path too long", out_dir);
            return EXIT_USAGE;
        }
        history = default_history;
    }
    /* Listing never creates a ledger. */
    struct stat info;
    if (strncmp(history, "postgres", 8) != 0 && stat(history, &info) != 0) {
        cli_error("%s: no ledger there (leadpack run records one; give --history)", history);
        return EXIT_BAD_INPUT;
    }
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_ledger *ledger = NULL;
    lp_status st = lp_ledger_open(history, &ledger, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code(st);
    }
    history_out out = {.json = json};
    if (json) fputs("[", stdout);
    st = lp_ledger_history(ledger, measure, period, print_entry, &out, errmsg);
    if (json) fputs(out.n ? "\n]\n" : "]\n", stdout);
    lp_ledger_free(ledger);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        return lp_status_exit_code(st);
    }
    return EXIT_DONE;
}
