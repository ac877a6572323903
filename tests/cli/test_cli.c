/* The leadpack command: options, help, exit codes (documented in README). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

Test(cli, version_and_help)
{
    const char *version[] = {leadpack_bin(), "--version", NULL};
    run_result r = run_program(version, NULL);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "leadpack 0.1.0") != NULL, "got: %s", r.out);
    run_result_free(&r);

    const char *help[] = {leadpack_bin(), "--help", NULL};
    r = run_program(help, NULL);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "run") && strstr(r.out, "check") && strstr(r.out, "mail"));
    run_result_free(&r);

    const char *help_run[] = {leadpack_bin(), "help", "run", NULL};
    r = run_program(help_run, NULL);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "--period") && strstr(r.out, "--as-of"), "got: %s", r.out);
    run_result_free(&r);
}

Test(cli, usage_errors_exit_1)
{
    const char *cases[][4] = {
        {"frobnicate", NULL, NULL, NULL},
        {"run", "--bogus", NULL, NULL},
        {"run", "--period", "2026-W99", NULL},
        {"run", "--as-of", "yesterday", NULL},
        {"fixtures", "--dialect", "salesforce", NULL},
        {"help", "nosuchcommand", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[6] = {leadpack_bin()};
        for (int j = 0; j < 4 && cases[i][j]; j++) argv[j + 1] = cases[i][j];
        run_result r = run_program(argv, NULL);
        cr_expect_eq(r.exit_code, 1, "case %zu (%s %s): exit %d, stderr %s", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", r.exit_code, r.err);
        cr_expect(strncmp(r.err, "leadpack: error: ", 17) == 0, "case %zu: %s", i, r.err);
        /* One line each. */
        cr_expect(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "case %zu: %s", i, r.err);
        run_result_free(&r);
    }
}

Test(cli, missing_input_exits_2_naming_it)
{
    const char *argv[] = {leadpack_bin(), "run", "--input", "/nonexistent/exports", "--quiet",
                          NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2);
    cr_expect(strstr(r.err, "/nonexistent/exports") != NULL, "got: %s", r.err);
    run_result_free(&r);
}

/* --timings writes one row per phase, then one per renderer: the PDF and
 * the workbook run in parallel inside render, so neither takes longer than
 * render itself. The log names the columns the pack left out. */
Test(cli, timings_file_has_phases_and_renderers)
{
    char *dir = make_temp_dir();
    char out[512], timings[512];
    snprintf(out, sizeof out, "%s/pack", dir);
    snprintf(timings, sizeof timings, "%s/timings.csv", dir);
    const char *argv[] = {leadpack_bin(), "run", "--out", out, "--timings", timings, NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "no figure reads left out") != NULL, "log: %s", r.err);
    size_t size;
    char *text = read_file(timings, &size);
    cr_assert_not_null(text);
    cr_expect(strncmp(text, "phase,wall_s,cpu_s,peak_rss_mb\n", 31) == 0, "%s", text);
    static const char *const names[] = {"load", "measures", "narrative", "render",
                                        "render.pdf", "render.workbook"};
    double wall[6] = {0};
    for (size_t i = 0; i < 6; i++) {
        char key[32];
        snprintf(key, sizeof key, "\n%s,", names[i]);
        const char *row = strstr(text, key);
        cr_assert_not_null(row, "no %s row in %s", names[i], text);
        double cpu, rss;
        cr_expect_eq(sscanf(row + strlen(key), "%lf,%lf,%lf", &wall[i], &cpu, &rss), 3);
        cr_expect(wall[i] >= 0 && cpu >= 0 && rss > 0, "%s: %s", names[i], row);
    }
    cr_expect_leq(wall[4], wall[3] + 1e-3);
    cr_expect_leq(wall[5], wall[3] + 1e-3);
    free(text);
    run_result_free(&r);
    free(dir);
}
