/*
 * leadpack run: load, measure, render. The PDF and the workbook are drawn in
 * parallel from the same result set; every output file is written under a
 * temporary name and renamed when complete, so a failed run leaves the
 * previous pack as it was.
 */
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "lp/fileio.h"
#include "lp/ledger.h"
#include "lp/measures.h"
#include "lp/narrative.h"
#include "lp/pdf.h"
#include "lp/results_files.h"
#include "lp/template.h"
#include "lp/time.h"
#include "lp/xlsx.h"
#include "mail_opts.h"

typedef struct render_job {
    const lp_results *results;
    const lp_narrative *narrative;
    const lp_template *tpl;
    char path[PATH_MAX];
    char errmsg[LP_ERRMSG_SIZE];
    lp_status status;
    double seconds;              /* wall seconds of the renderer */
    double cpu;                  /* its thread's CPU seconds */
    const char *results_dir;     /* the PDF thread then writes the results CSV files here */
    lp_status results_status;
    char results_errmsg[LP_ERRMSG_SIZE];
} render_job;

/* The PDF takes a fraction of the workbook's time, so its thread also writes
 * the results folder, which then overlaps the workbook too. */
static void *render_pdf(void *arg)
{
    render_job *job = arg;
    double t0 = cli_now(), c0 = cli_thread_cpu();
    job->status = lp_pdf_write(job->results, job->narrative, job->tpl, job->path, job->errmsg);
    job->seconds = cli_now() - t0;
    job->cpu = cli_thread_cpu() - c0;
    if (job->results_dir)
        job->results_status = lp_results_write_dir(job->results, job->results_dir,
                                                   job->results_errmsg);
    if (job->results_dir && !job->results_status)
        job->results_status = lp_statements_write(job->narrative, job->results_dir,
                                                  job->results_errmsg);
    return NULL;
}

static void *render_xlsx(void *arg)
{
    render_job *job = arg;
    double t0 = cli_now(), c0 = cli_thread_cpu();
    job->status = lp_xlsx_write(job->results, job->narrative, job->tpl, job->path, job->errmsg);
    job->seconds = cli_now() - t0;
    job->cpu = cli_thread_cpu() - c0;
    return NULL;
}

/* Removes a staging folder and everything in it (no shell). */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* Moves every file of the staging folder (and of its results/ and message/
 * folders) to the same place under out_dir; each move is a rename within one
 * file system, so each file appears whole. */
static lp_status publish(const char *stage, const char *out_dir)
{
    static const char *const subdirs[] = {"", "/results", "/message"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char from_dir[PATH_MAX + 16], to_dir[PATH_MAX + 16];
        if (!cli_path(from_dir, sizeof from_dir, "%s%s", stage, subdirs[i]) ||
            !cli_path(to_dir, sizeof to_dir, "%s%s", out_dir, subdirs[i]) ||
            lp_mkdir_p(to_dir) != LP_OK)
            return LP_ERR_OUTPUT;
        DIR *dir = opendir(from_dir);
        if (!dir) return LP_ERR_OUTPUT;
        struct dirent *entry;
        lp_status st = LP_OK;
        while (st == LP_OK && (entry = readdir(dir))) {
            char from[PATH_MAX * 2], to[PATH_MAX * 2];
            struct stat info;
            if (!cli_path(from, sizeof from, "%s/%s", from_dir, entry->d_name) ||
                !cli_path(to, sizeof to, "%s/%s", to_dir, entry->d_name)) {
                st = LP_ERR_OUTPUT;
                break;
            }
            if (lstat(from, &info) != 0 || !S_ISREG(info.st_mode)) continue;
            if (rename(from, to) != 0)
                st = LP_ERR_OUTPUT;
        }
        closedir(dir);
        if (st) return st;
    }
    return LP_OK;
}

/* A PostgreSQL ledger, or a file that exists (whatever it holds). */
static bool ledger_exists(const char *target)
{
    struct stat info;
    return !strncasecmp(target, "postgresql://", 13) || !strncasecmp(target, "postgres://", 11) ||
           stat(target, &info) == 0;
}

static int open_ledger(const char *target, lp_ledger **out_ledger)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_status st = lp_ledger_open(target, out_ledger, errmsg);
    if (st) cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
    return lp_status_exit_code(st);
}

int cmd_run(int argc, char **argv)
{
    cli_input in = {0};
    const char *template_name = "weekly-leadership";
    const char *period_label = NULL, *as_of_text = NULL, *out_dir = "out";
    const char *timings_path = NULL;
    const char *history = NULL;
    char default_history[PATH_MAX];
    bool no_history = false;
    bool mail = false;
    cli_mail_opts mail_opts;
    cli_mail_opts_init(&mail_opts);

    const cli_option run_options[] = {
        {"input", &in.input_dir, NULL},
        {"source", &in.source, NULL},
        {"profile", &in.profile, NULL},
        {"mapping", &in.mapping_path, NULL},
        {"settings", &in.settings_path, NULL},
        {"template", &template_name, NULL},
        {"period", &period_label, NULL},
        {"as-of", &as_of_text, NULL},
        {"out", &out_dir, NULL},
        {"mail", NULL, &mail},
        {"quiet", NULL, &in.quiet},
        {"timings", &timings_path, NULL},
        {"history", &history, NULL},
        {"no-history", NULL, &no_history},
        CLI_MAIL_OPTIONS(&mail_opts),
    };
    int code = cli_options_parse("run", argc, argv, run_options,
                                 sizeof run_options / sizeof *run_options);
    if (code) return code;
    if (in.input_dir && in.source) {
        cli_error("run: give --input or --source, not both");
        return EXIT_USAGE;
    }
    if (history && no_history) {
        cli_error("run: give --history or --no-history, not both");
        return EXIT_USAGE;
    }
    cli_log_set_quiet(in.quiet);

    int exit_code = EXIT_DONE;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cli_loaded loaded = {0};
    lp_results *results = NULL;
    lp_template *tpl = NULL;
    lp_narrative *narrative = NULL;
    lp_ledger *ledger = NULL;
    lp_status st;
    const char *staged = NULL;

    lp_measures_options options = {.period_label = period_label};

    /* Option values are checked before any file is read: here the form of
     * --as-of only; cli_load reads the instant in the settings' time zone. */
    int64_t as_of_form;
    if (as_of_text && lp_time_parse_instant(as_of_text, "UTC", &as_of_form) != LP_OK) {
        cli_error("run: --as-of \"%s\" is not an ISO 8601 date or time", as_of_text);
        return EXIT_USAGE;
    }
    if (period_label) {
        lp_calendar probe = {LP_PERIOD_WEEK, 1};
        int64_t ordinal;
        if (lp_period_parse(&probe, period_label, &ordinal) != LP_OK) {
            cli_error("run: --period \"%s\" is not a period like 2026-W47, 2026-11, "
                      "2026-Q4 or FY2027-Q2", period_label);
            return EXIT_USAGE;
        }
    }

    /* The template first: a broken one stops the run before any data is read. */
    st = lp_template_load(cli_templates_dir(), template_name, &tpl, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = lp_status_exit_code_blaming(st, EXIT_BAD_INPUT);
        goto cleanup;
    }

    /* The ledger next, before any data is read: a file that is not a
     * leadpack ledger (or is corrupt) stops the run untouched. A ledger
     * that does not exist yet is created only once the measures succeeded
     * (after them, below), so a run that fails on its input leaves none.
     * Default: the output folder's history.sqlite. */
    if (!no_history && !history) {
        if (!cli_path(default_history, sizeof default_history, "%s/history.sqlite", out_dir)) {
            cli_error("%s: path too long", out_dir);
            exit_code = EXIT_USAGE;
            goto cleanup;
        }
        history = default_history;
    }
    if (!no_history && ledger_exists(history)) {
        exit_code = open_ledger(history, &ledger);
        if (exit_code) goto cleanup;
    }
    options.record_keys = !no_history;

    /* The pack loads only the columns its figures read (`check` reads all). */
    uint32_t columns[LP_TABLE_COUNT];
    lp_measures_columns(columns);
    in.columns = columns;
    /* the input digests are worked out while the measures and the report
     * leave a core idle (lp/digest.h); the workbook and the ledger wait */
    in.defer_digests = true;
    in.as_of_text = as_of_text;
    in.period_label = period_label;
    in.period_kind = period_label ? NULL : tpl->period;
    exit_code = cli_load(&in, &loaded);
    if (exit_code) goto cleanup;
    options.settings = &loaded.settings;
    options.has_as_of = loaded.has_as_of;
    options.as_of = loaded.as_of;
    cli_phase_clock clock = cli_phase_begin();
    st = lp_measures_compute(loaded.dataset, &options, &results, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = lp_status_exit_code(st);
        goto cleanup;
    }
    cli_log("measures %.2f s: period %s", cli_phase_end("measures", clock),
            results->period_label);

    if (!no_history && !ledger) {
        if (history == default_history && lp_mkdir_p(out_dir) != LP_OK) {
            cli_error("%s: cannot create the output folder", out_dir);
            exit_code = EXIT_OUTPUT;
            goto cleanup;
        }
        exit_code = open_ledger(history, &ledger);
        if (exit_code) goto cleanup;
    }
    if (ledger) {
        clock = cli_phase_begin();
        lp_table *restated = NULL;
        st = lp_ledger_restatements(ledger, results, &restated, errmsg);
        size_t nrestated = restated ? restated->nrows : 0;
        if (!st) st = lp_results_add(results, restated);
        if (st) {
            cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
            exit_code = lp_status_exit_code(st);
            goto cleanup;
        }
        cli_log("ledger %.2f s: %zu figure%s restated since last published (%s)",
                cli_phase_end("ledger.read", clock), nrestated, nrestated == 1 ? "" : "s",
                lp_ledger_describe(ledger));
    }

    clock = cli_phase_begin();
    st = lp_narrative_build(results, tpl, cli_templates_dir(), &narrative, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = lp_status_exit_code_blaming(st, EXIT_BAD_INPUT);
        goto cleanup;
    }
    cli_log("narrative %.2f s: template %s", cli_phase_end("narrative", clock), tpl->name);

    /* Everything is written into a staging folder inside the output folder
     * and moved into place only when every file is complete. */
    char stage[PATH_MAX], results_dir[PATH_MAX + 16];
    if (!cli_path(stage, sizeof stage, "%s/.leadpack-stage-%ld", out_dir, (long)getpid()) ||
        !cli_path(results_dir, sizeof results_dir, "%s/results", stage) ||
        lp_mkdir_p(results_dir) != LP_OK) {
        cli_error("%s: cannot create the output folder", out_dir);
        exit_code = EXIT_OUTPUT;
        goto cleanup;
    }
    staged = stage;

    clock = cli_phase_begin();
    render_job pdf = {.results = results, .narrative = narrative, .tpl = tpl};
    render_job xlsx = pdf;
    cli_path(pdf.path, sizeof pdf.path, "%s/leadpack-%s.pdf", stage, results->period_label);
    cli_path(xlsx.path, sizeof xlsx.path, "%s/leadpack-%s.xlsx", stage, results->period_label);
    pdf.results_dir = results_dir;
    pthread_t pdf_thread;
    bool threaded = pthread_create(&pdf_thread, NULL, render_pdf, &pdf) == 0;
    if (!threaded) render_pdf(&pdf);
    render_xlsx(&xlsx);
    if (threaded) pthread_join(pdf_thread, NULL);
    /* An input that changed while the pack was being built fails the run
     * before anything is published (the workbook stopped on it too). */
    st = lp_dataset_digests(results->dataset, errmsg);
    if (st) {
        cli_error("%s", errmsg);
        exit_code = lp_status_exit_code(st);
        goto cleanup;
    }
    st = pdf.results_status;
    if (st) {
        cli_error("%s", pdf.results_errmsg[0] ? pdf.results_errmsg : lp_status_str(st));
        exit_code = EXIT_OUTPUT;
    }
    if (pdf.status) {
        cli_error("%s", pdf.errmsg[0] ? pdf.errmsg : lp_status_str(pdf.status));
        exit_code = EXIT_OUTPUT;
    }
    if (xlsx.status) {
        cli_error("%s", xlsx.errmsg[0] ? xlsx.errmsg : lp_status_str(xlsx.status));
        exit_code = EXIT_OUTPUT;
    }
    if (exit_code) goto cleanup;
    exit_code = cli_mail_bundle_write(results, narrative, tpl, stage);
    if (exit_code) goto cleanup;
    cli_log("render %.2f s: pdf %.2f s, workbook %.2f s (in parallel)",
            cli_phase_end("render", clock), pdf.seconds, xlsx.seconds);
    cli_phase_record("render.pdf", pdf.seconds, pdf.cpu);
    cli_phase_record("render.workbook", xlsx.seconds, xlsx.cpu);

    if (publish(stage, out_dir) != LP_OK) {
        cli_error("%s: cannot move the finished pack into place", out_dir);
        exit_code = EXIT_OUTPUT;
        goto cleanup;
    }
    char final_pdf[PATH_MAX], final_xlsx[PATH_MAX];
    cli_path(final_pdf, sizeof final_pdf, "%s/leadpack-%s.pdf", out_dir, results->period_label);
    cli_path(final_xlsx, sizeof final_xlsx, "%s/leadpack-%s.xlsx", out_dir,
             results->period_label);
    cli_log("wrote %s, %s and %s/results/", final_pdf, final_xlsx, out_dir);

    /* Recorded only now that the pack is in place, in one transaction. */
    if (ledger) {
        clock = cli_phase_begin();
        lp_ledger_run run = {.published_at = (int64_t)time(NULL), .template_name = tpl->name};
        int64_t run_id = 0;
        st = lp_ledger_record(ledger, results, &run, &run_id, errmsg);
        if (st) {
            cli_error("%s; the pack in %s was written but not recorded, and the ledger is as "
                      "it was", errmsg[0] ? errmsg : lp_status_str(st), out_dir);
            exit_code = lp_status_exit_code(st);
            goto cleanup;
        }
        cli_log("ledger %.2f s: recorded run %lld in %s", cli_phase_end("ledger.record", clock),
                (long long)run_id, lp_ledger_describe(ledger));
    }

    if (mail) {
        clock = cli_phase_begin();
        exit_code = cli_mail_send_bundle(&mail_opts, &loaded.settings, out_dir, final_pdf,
                                         final_xlsx);
        if (!exit_code) cli_log("mail %.2f s", cli_phase_end("mail", clock));
    }
    if (timings_path && cli_timings_write(timings_path) != LP_OK)
        cli_error("%s: cannot write the timings", timings_path);

cleanup:
    if (staged) remove_tree(staged);
    lp_narrative_free(narrative);
    lp_ledger_free(ledger);
    lp_template_free(tpl);
    lp_results_free(results);
    cli_loaded_clear(&loaded);
    return exit_code;
}
