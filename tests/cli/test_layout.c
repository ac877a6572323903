/*
 * Layout of every shipped pack on real-sized data: each template of
 * templates/packs renders on the checked-in sample and on generated exports
 * (`leadpack fixtures`, seed 42) of every dialect at scale 0.05 (50,000
 * leads) and at scale 0.5 (500,000 leads), and
 * tests/cli/layout_check.py reads each PDF back with pdftotext:
 *   - no "..." (U+2026) anywhere: nothing was cut short to fit;
 *   - no word box narrower than its glyphs need, off the page, or
 *     overlapping its neighbour (pdftotext -bbox): nothing clipped;
 *   - no page with fewer than 25 words besides its footer;
 *   - page 1 states the period's qualified-lead count (results/figures.csv)
 *     and its dates (worked out by the script with Python's calendar).
 * The as-of is a Monday, 2026-11-23 09:00 UTC: weekly packs report
 * 2026-W47 (16-22 November), monthly ones October 2026.
 *
 * Each dialect and scale is generated once into the build folder
 * (BUILD/layout-fixtures/DIALECT-SCALE, under a lock so that parallel
 * cases wait for one generator) and reused by every template; it is made
 * again only when the leadpack binary changes (its size and time are kept
 * beside the data). Measured on 2 cores: the 52 cases (four packs on the
 * sample and on six dialects at two scales) took 179 s of CPU (user + sys)
 * with only salesforce-report's fixtures to make, while other jobs ran;
 * scale 0.5 costs about 6.5 s of CPU per case and about 380 MB of disk per
 * dialect.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"

#define PYTHON "/usr/bin/python3"
#define AS_OF "2026-11-23T09:00:00Z"
#define FIXTURES LP_BUILD_DIR "/layout-fixtures"

typedef struct layout_case {
    char template[40];
    char dialect[24]; /* "" for the checked-in sample */
    char scale[8];
} layout_case;

static const char *const templates[] = {"weekly-leadership", "monthly-marketing-review",
                                        "sla-scorecard", "partner-scorecard"};
static const char *const dialects[] = {"salesforce", "salesforce-report", "hubspot",
                                       "marketo", "pipedrive", "generic"};
/* The dialects also run at scale 0.5. */
static const char *const large_dialects[] = {"salesforce", "salesforce-report", "hubspot",
                                             "marketo", "pipedrive", "generic"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

ParameterizedTestParameters(layout, every_page_reads_whole)
{
    static layout_case cases[COUNT(templates) * (1 + COUNT(dialects) + COUNT(large_dialects))];
    size_t n = 0;
    for (size_t t = 0; t < COUNT(templates); t++) {
        snprintf(cases[n].template, sizeof cases[n].template, "%s", templates[t]);
        n++;
        for (size_t d = 0; d < COUNT(dialects); d++, n++) {
            snprintf(cases[n].template, sizeof cases[n].template, "%s", templates[t]);
            snprintf(cases[n].dialect, sizeof cases[n].dialect, "%s", dialects[d]);
            snprintf(cases[n].scale, sizeof cases[n].scale, "0.05");
        }
        for (size_t d = 0; d < COUNT(large_dialects); d++, n++) {
            snprintf(cases[n].template, sizeof cases[n].template, "%s", templates[t]);
            snprintf(cases[n].dialect, sizeof cases[n].dialect, "%s", large_dialects[d]);
            snprintf(cases[n].scale, sizeof cases[n].scale, "0.5");
        }
    }
    return cr_make_param_array(layout_case, cases, n);
}

static void run_ok(const char *const *argv, const char *what)
{
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s: exit %d: %s%s", what, r.exit_code, r.out, r.err);
    run_result_free(&r);
}

/* The generated exports of dialect at scale, in dir: made once per build
 * of leadpack (see the top of the file). */
static void fixtures_once(const char *dialect, const char *scale, char *dir, size_t size)
{
    snprintf(dir, size, FIXTURES "/%s-%s", dialect, scale);
    mkdir(FIXTURES, 0777);
    char lock[600], stamp_path[600], stamp[96], have[96] = "";
    snprintf(lock, sizeof lock, "%s.lock", dir);
    snprintf(stamp_path, sizeof stamp_path, "%s.made-by", dir);
    int fd = open(lock, O_CREAT | O_RDWR, 0666);
    cr_assert(fd >= 0, "cannot open %s", lock);
    cr_assert_eq(flock(fd, LOCK_EX), 0);
    struct stat st;
    cr_assert_eq(stat(leadpack_bin(), &st), 0);
    snprintf(stamp, sizeof stamp, "%lld %lld.%09ld\n", (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    FILE *f = fopen(stamp_path, "r");
    if (f) {
        if (!fgets(have, sizeof have, f)) have[0] = '\0';
        fclose(f);
    }
    if (strcmp(have, stamp) != 0) {
        unlink(stamp_path);
        const char *rm[] = {"/bin/rm", "-rf", dir, NULL};
        run_ok(rm, "rm");
        const char *gen[] = {leadpack_bin(), "fixtures", "--dialect", dialect, "--scale", scale,
                             "--seed", "42", "--out", dir, NULL};
        run_ok(gen, "leadpack fixtures");
        f = fopen(stamp_path, "w");
        cr_assert_not_null(f);
        fputs(stamp, f);
        fclose(f);
    }
    flock(fd, LOCK_UN);
    close(fd);
}

ParameterizedTest(layout_case *c, layout, every_page_reads_whole, .timeout = 600)
{
    char *tmp = make_temp_dir();
    char input[512], out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    if (c->dialect[0]) {
        fixtures_once(c->dialect, c->scale, input, sizeof input);
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
    cr_expect_eq(r.exit_code, 0, "%s on %s %s: %s%s", c->template,
                 c->dialect[0] ? c->dialect : "the sample", c->scale, r.out, r.err);
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}
