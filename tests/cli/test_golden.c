/*
 * Page 1 of every shipped pack against a golden image: each template of
 * templates/packs renders from the checked-in sample at a fixed as-of
 * (Monday 2026-11-23 09:00 UTC), and tests/cli/golden_check.py compares its
 * page 1 at 40 dpi with tests/cli/golden/NAME.png within a tolerance (mean
 * absolute difference and share of changed pixels; the script says why
 * each limit is what it is). A pack without a golden image fails, so a new
 * pack gets one. When a change to page 1 is intended, refresh the images
 * with tests/cli/golden/refresh.sh (or `make golden`), look at them, and
 * commit them with the change.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#define PYTHON "/usr/bin/python3"
#define AS_OF "2026-11-23T09:00:00Z"

Test(golden, page_one_of_every_pack, .timeout = 600)
{
    DIR *dir = opendir(LP_SOURCE_DIR "/templates/packs");
    cr_assert_not_null(dir);
    size_t packs = 0;
    char *tmp = make_temp_dir();
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0) continue;
        char name[256], out[1024], pdf[1400], golden[1024];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
        snprintf(out, sizeof out, "%s/%s", tmp, name);
        const char *run[] = {leadpack_bin(), "run", "--template", name, "--as-of", AS_OF,
                             "--out", out, "--quiet", NULL};
        run_result r = run_program(run, NULL);
        cr_expect_eq(r.exit_code, 0, "%s: exit %d: %s%s", name, r.exit_code, r.out, r.err);
        run_result_free(&r);
        /* the one PDF of the run: leadpack-PERIOD.pdf */
        DIR *od = opendir(out);
        cr_assert_not_null(od, "%s: no output folder", name);
        pdf[0] = '\0';
        for (struct dirent *o; (o = readdir(od)) != NULL;)
            if (strlen(o->d_name) > 4 && strcmp(o->d_name + strlen(o->d_name) - 4, ".pdf") == 0)
                snprintf(pdf, sizeof pdf, "%s/%s", out, o->d_name);
        closedir(od);
        cr_assert(pdf[0], "%s: no PDF", name);
        snprintf(golden, sizeof golden, LP_SOURCE_DIR "/tests/cli/golden/%s.png", name);
        const char *check[] = {PYTHON, LP_SOURCE_DIR "/tests/cli/golden_check.py", "--pdf", pdf,
                               "--golden", golden, NULL};
        r = run_program(check, NULL);
        cr_expect_eq(r.exit_code, 0,
                     "%s: page 1 differs from %s: %s%s (if intended, run "
                     "tests/cli/golden/refresh.sh and look at the images)",
                     name, golden, r.out, r.err);
        run_result_free(&r);
        packs++;
    }
    closedir(dir);
    cr_expect_geq(packs, 4, "%zu packs", packs);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}
