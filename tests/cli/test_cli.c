/* The leadpack command: options, help, exit codes (documented in README). */
#include <criterion/criterion.h>
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
