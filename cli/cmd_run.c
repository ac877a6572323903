/*
 * leadpack run: load, measure, render. The PDF and the workbook are drawn in
 * parallel from the same result set; every output file is written under a
 * temporary name and renamed when complete, so a failed run leaves the
 * previous pack as it was.
 */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lp/fileio.h"
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
    double seconds;
} render_job;

static void *render_pdf(void *arg)
{
    render_job *job = arg;
    double t0 = cli_now();
    job->status = lp_pdf_write(job->results, job->narrative, job->tpl, job->path, job->errmsg);
    job->seconds = cli_now() - t0;
    return NULL;
}

static void *render_xlsx(void *arg)
{
    render_job *job = arg;
    double t0 = cli_now();
    job->status = lp_xlsx_write(job->results, job->narrative, job->tpl, job->path, job->errmsg);
    job->seconds = cli_now() - t0;
    return NULL;
}

enum { OPT_INPUT = 256, OPT_SOURCE, OPT_PROFILE, OPT_MAPPING, OPT_SETTINGS, OPT_TEMPLATE,
       OPT_PERIOD, OPT_AS_OF, OPT_OUT, OPT_MAIL, OPT_QUIET, OPT_TIMINGS };

int cmd_run(int argc, char **argv)
{
    cli_input in = {0};
    const char *template_name = "weekly-leadership";
    const char *period_label = NULL, *as_of_text = NULL, *out_dir = "out";
    const char *timings_path = NULL;
    bool mail = false;
    cli_mail_opts mail_opts;
    cli_mail_opts_init(&mail_opts);

    static const struct option long_options[] = {
        {"input", required_argument, NULL, OPT_INPUT},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"mapping", required_argument, NULL, OPT_MAPPING},
        {"settings", required_argument, NULL, OPT_SETTINGS},
        {"template", required_argument, NULL, OPT_TEMPLATE},
        {"period", required_argument, NULL, OPT_PERIOD},
        {"as-of", required_argument, NULL, OPT_AS_OF},
        {"out", required_argument, NULL, OPT_OUT},
        {"mail", no_argument, NULL, OPT_MAIL},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"timings", required_argument, NULL, OPT_TIMINGS},
        CLI_MAIL_LONG_OPTIONS,
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
        case OPT_TEMPLATE: template_name = optarg; break;
        case OPT_PERIOD: period_label = optarg; break;
        case OPT_AS_OF: as_of_text = optarg; break;
        case OPT_OUT: out_dir = optarg; break;
        case OPT_MAIL: mail = true; break;
        case OPT_QUIET: in.quiet = true; break;
        case OPT_TIMINGS: timings_path = optarg; break;
        default:
            if (cli_mail_opts_parse(&mail_opts, c, optarg)) break;
            cli_error("run: unknown or incomplete option \"%s\"; see leadpack help run",
                      argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("run: unexpected argument \"%s\"; see leadpack help run", argv[optind]);
        return EXIT_USAGE;
    }
    if (in.input_dir && in.source) {
        cli_error("run: give --input or --source, not both");
        return EXIT_USAGE;
    }
    cli_log_set_quiet(in.quiet);

    int exit_code = EXIT_DONE;
    char errmsg[LP_ERRMSG_SIZE] = "";
    cli_loaded loaded = {0};
    lp_results *results = NULL;
    lp_template *tpl = NULL;
    lp_narrative *narrative = NULL;
    lp_status st;

    lp_measures_options options = {.period_label = period_label};
    if (as_of_text) {
        /* Parsed after the settings set the time zone (inside cli_load). */
        options.has_as_of = true;
    }

    /* Option values are checked before any file is read. The as-of is read
     * again once the settings have set the report time zone. */
    if (as_of_text && lp_instant_parse_iso(as_of_text, &options.as_of) != LP_OK) {
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

    exit_code = cli_load(&in, &loaded);
    if (exit_code) goto cleanup;
    options.settings = &loaded.settings;
    if (as_of_text) lp_instant_parse_iso(as_of_text, &options.as_of);

    cli_phase_clock clock = cli_phase_begin();
    st = lp_measures_compute(loaded.dataset, &options, &results, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = cli_exit_code(st);
        goto cleanup;
    }
    cli_log("measures %.2f s: period %s", cli_phase_end("measures", clock),
            results->period_label);

    clock = cli_phase_begin();
    st = lp_template_load(cli_templates_dir(), template_name, &tpl, errmsg);
    if (st == LP_OK)
        st = lp_narrative_build(results, tpl, cli_templates_dir(), &narrative, errmsg);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
        exit_code = st == LP_ERR_NOMEM ? EXIT_OUTPUT : EXIT_BAD_INPUT;
        goto cleanup;
    }
    cli_log("narrative %.2f s: template %s", cli_phase_end("narrative", clock), tpl->name);

    char results_dir[PATH_MAX];
    cli_path(results_dir, sizeof results_dir, "%s/results", out_dir);
    if (lp_mkdir_p(results_dir) != LP_OK) {
        cli_error("%s: cannot create the output folder", results_dir);
        exit_code = EXIT_OUTPUT;
        goto cleanup;
    }

    clock = cli_phase_begin();
    render_job pdf = {.results = results, .narrative = narrative, .tpl = tpl};
    render_job xlsx = pdf;
    cli_path(pdf.path, sizeof pdf.path, "%s/leadpack-%s.pdf", out_dir, results->period_label);
    cli_path(xlsx.path, sizeof xlsx.path, "%s/leadpack-%s.xlsx", out_dir, results->period_label);
    pthread_t pdf_thread;
    bool threaded = pthread_create(&pdf_thread, NULL, render_pdf, &pdf) == 0;
    if (!threaded) render_pdf(&pdf);
    render_xlsx(&xlsx);
    st = lp_results_write_dir(results, results_dir, errmsg);
    if (threaded) pthread_join(pdf_thread, NULL);
    if (st) {
        cli_error("%s", errmsg[0] ? errmsg : lp_status_str(st));
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
    cli_log("render %.2f s: pdf %.2f s, workbook %.2f s (in parallel)",
            cli_phase_end("render", clock), pdf.seconds, xlsx.seconds);
    cli_log("wrote %s, %s and %s/", pdf.path, xlsx.path, results_dir);

    exit_code = cli_mail_bundle_write(results, narrative, tpl, out_dir);
    if (exit_code) goto cleanup;
    if (mail) {
        clock = cli_phase_begin();
        exit_code = cli_mail_send_bundle(&mail_opts, &loaded.settings, out_dir, pdf.path,
                                         xlsx.path);
        if (!exit_code) cli_log("mail %.2f s", cli_phase_end("mail", clock));
    }
    if (timings_path && cli_timings_write(timings_path) != LP_OK)
        cli_error("%s: cannot write the timings", timings_path);

cleanup:
    lp_narrative_free(narrative);
    lp_template_free(tpl);
    lp_results_free(results);
    cli_loaded_clear(&loaded);
    return exit_code;
}
