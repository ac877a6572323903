/*
 * One end-to-end `leadpack run` on the Salesforce sample under valgrind's
 * memcheck (--error-exitcode=1 --leak-check=full): no invalid read or
 * write, no use of uninitialised memory, no leak. tests/valgrind.supp
 * suppresses only the caches of fontconfig, pango and cairo. Skipped when
 * valgrind is not installed, and in sanitizer builds (make asan), whose
 * binary valgrind cannot run. About 20 s.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

#define VALGRIND "/usr/bin/valgrind"

Test(hardening, valgrind_end_to_end_run)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("sanitizer build: valgrind cannot run an ASan binary");
#endif
    if (access(VALGRIND, X_OK) != 0) cr_skip_test("valgrind is not installed");
    char *tmp = make_temp_dir();
    cr_assert_not_null(tmp);
    char out[512], log[512], log_opt[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/valgrind.log", tmp);
    snprintf(log_opt, sizeof log_opt, "--log-file=%s", log);
    const char *argv[] = {VALGRIND, "--error-exitcode=1", "--leak-check=full",
                          "--suppressions=" LP_SOURCE_DIR "/tests/valgrind.supp", log_opt,
                          leadpack_bin(), "run",
                          "--input", LP_SOURCE_DIR "/fixtures/sample/salesforce",
                          "--profile", "salesforce", "--out", out, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    char *report = read_file(log, NULL);
    cr_expect_eq(r.exit_code, 0, "valgrind exit %d\n%s\n%s", r.exit_code, r.err,
                 report ? report : "(no log)");
    cr_expect(report && strstr(report, "ERROR SUMMARY: 0 errors"), "%s",
              report ? report : "(no log)");
    free(report);
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}
