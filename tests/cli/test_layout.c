/*
 * Layout of every shipped pack on real-sized data: each template of
 * templates/packs renders on the checked-in sample and on generated
 * exports of two dialects at scale 0.05 (50,000 leads; `leadpack fixtures`),
 * and tests/cli/layout_check.py reads the PDF back with pdftotext:
 *   - no "..." (U+2026) anywhere: nothing was cut short to fit;
 *   - no page with fewer than 25 words besides its footer;
 *   - page 1 states the period's qualified-lead count (results/figures.csv)
 *     and its dates (worked out by the script with Python's calendar).
 * The as-of is a Monday, 2026-11-23 09:00 UTC: weekly packs report
 * 2026-W47 (16-22 November), monthly ones October 2026.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#define PYTHON "/usr/bin/python3"
#define AS_OF "2026-11-23T09:00:00Z"

typedef struct layout_case {
    char template[40];
    char dialect[24]; /* "" for the checked-in sample */
} layout_case;

ParameterizedTestParameters(layout, every_page_reads_whole)
{
    static layout_case cases[] = {
        {"weekly-leadership", ""},         {"monthly-marketing-review", ""},
        {"sla-scorecard", ""},             {"partner-scorecard", ""},
        {"weekly-leadership", "generic"},  {"monthly-marketing-review", "generic"},
        {"sla-scorecard", "generic"},      {"partner-scorecard", "generic"},
        {"weekly-leadership", "marketo"},  {"monthly-marketing-review", "marketo"},
        {"sla-scorecard", "marketo"},      {"partner-scorecard", "marketo"},
    };
    return cr_make_param_array(layout_case, cases, sizeof cases / sizeof cases[0]);
}

static void run_ok(const char *const *argv, const char *what)
{
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s: exit %d: %s%s", what, r.exit_code, r.out, r.err);
    run_result_free(&r);
}

ParameterizedTest(layout_case *c, layout, every_page_reads_whole, .timeout = 240)
{
    char *tmp = make_temp_dir();
    char input[512], out[512];
    snprintf(input, sizeof input, "%s/input", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    if (c->dialect[0]) {
        const char *gen[] = {leadpack_bin(), "fixtures", "--dialect", c->dialect, "--scale",
                             "0.05", "--seed", "42", "--out", input, NULL};
        run_ok(gen, "leadpack fixtures");
        const char *run[] = {leadpack_bin(), "run", "--input", input, "--profile", c->dialect,
                             "--template", c->template, "--as-of", AS_OF, "--out", out,
                             "--quiet", NULL};
        run_ok(run, "leadpack run");
    } else {
        const char *run[] = {leadpack_bin(), "run", "--template", c->template, "--as-of", AS_OF,
                             "--out", out, "--quiet", NULL};
        run_ok(run, "leadpack run");
    }
    const char *check[] = {PYTHON, LP_SOURCE_DIR "/tests/cli/layout_check.py", "--out", out,
                           NULL};
    run_result r = run_program(check, NULL);
    cr_expect_eq(r.exit_code, 0, "%s on %s: %s%s", c->template,
                 c->dialect[0] ? c->dialect : "the sample", r.out, r.err);
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}
