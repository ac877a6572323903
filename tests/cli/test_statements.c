/*
 * Every printed sentence states the figures it cites, in their units
 * (results/statements.csv), and the PDF prints each sentence: every shipped
 * template, on the built-in sample (fixed as-of) and on generated fixtures
 * of every dialect (scale 0.05). The values are checked by
 * tests/cli/statements_check.py, which works out each value's printed form
 * from its full-precision value without leadpack's formatter, and reads the
 * PDF with pdftotext.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#define PYTHON "/usr/bin/python3"

/* Inline strings: Criterion hands parameters to the test's process by
 * copying them, so they hold no pointers. */
typedef struct pack_case {
    char dialect[16];       /* "" = the built-in sample */
    char template_name[32];
} pack_case;

ParameterizedTestParameters(statements, every_sentence_states_its_figures)
{
    static const char *const dialects[] = {"", "salesforce", "hubspot", "marketo", "pipedrive",
                                           "generic"};
    /* every pack shipped in templates/packs */
    static char templates[16][sizeof(((pack_case *)0)->template_name)];
    size_t ntemplates = 0;
    DIR *dir = opendir(LP_SOURCE_DIR "/templates/packs");
    struct dirent *e;
    while (dir && (e = readdir(dir)) && ntemplates < 16) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len - 5 < sizeof templates[0] && strcmp(e->d_name + len - 5, ".yaml") == 0) {
            memcpy(templates[ntemplates], e->d_name, len - 5);
            templates[ntemplates++][len - 5] = '\0';
        }
    }
    if (dir) closedir(dir);
    static pack_case cases[6 * 16];
    size_t n = 0;
    for (size_t d = 0; d < 6; d++)
        for (size_t t = 0; t < ntemplates; t++, n++) {
            snprintf(cases[n].dialect, sizeof cases[n].dialect, "%s", dialects[d]);
            memcpy(cases[n].template_name, templates[t], sizeof cases[n].template_name);
        }
    return cr_make_param_array(pack_case, cases, n);
}

static void remove_dir(const char *dir)
{
    const char *argv[] = {"/bin/rm", "-rf", dir, NULL};
    run_result r = run_program(argv, NULL);
    run_result_free(&r);
}

ParameterizedTest(pack_case *pc, statements, every_sentence_states_its_figures)
{
    char *tmp = make_temp_dir();
    cr_assert(tmp);
    char input[512], out[512], tpl[512];
    snprintf(input, sizeof input, "%s/input", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(tpl, sizeof tpl, "%s/templates/packs/%s.yaml", LP_SOURCE_DIR, pc->template_name);
    if (*pc->dialect) {
        const char *gen[] = {leadpack_bin(), "fixtures", "--dialect", pc->dialect, "--scale",
                             "0.05", "--out", input, NULL};
        run_result g = run_program(gen, NULL);
        cr_assert_eq(g.exit_code, 0, "fixtures %s: %s", pc->dialect, g.err);
        run_result_free(&g);
        const char *run[] = {leadpack_bin(), "run", "--input", input, "--template",
                             pc->template_name, "--out", out, "--quiet", NULL};
        run_result r = run_program(run, NULL);
        cr_assert_eq(r.exit_code, 0, "run %s %s: %s", pc->dialect, pc->template_name, r.err);
        run_result_free(&r);
    } else {
        const char *run[] = {leadpack_bin(), "run", "--template", pc->template_name, "--as-of",
                             "2026-11-23T09:00:00Z", "--out", out, "--quiet", NULL};
        run_result r = run_program(run, NULL);
        cr_assert_eq(r.exit_code, 0, "run sample %s: %s", pc->template_name, r.err);
        run_result_free(&r);
    }
    const char *check[] = {PYTHON, LP_SOURCE_DIR "/tests/cli/statements_check.py", out, tpl,
                           NULL};
    run_result c = run_program(check, NULL);
    cr_expect_eq(c.exit_code, 0, "%s %s: %s", *pc->dialect ? pc->dialect : "sample",
                 pc->template_name, c.err);
    cr_expect(strstr(c.out, "citations in"), "the check ran: %s", c.out);
    run_result_free(&c);
    remove_dir(tmp);
    free(tmp);
}
