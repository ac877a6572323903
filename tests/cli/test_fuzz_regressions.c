/*
 * Replays the fuzz targets (tests/fuzz/targets.c, built here without
 * libFuzzer) on every saved input: tests/fuzz/regressions/TARGET/ holds the
 * inputs that once crashed, hung or leaked (each named after what it broke),
 * tests/fuzz/seeds/TARGET/ the hand-written seeds. A target aborts when an
 * invariant breaks, which Criterion reports as a crash; run under make asan,
 * memory errors and leaks fail too.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fuzz/targets.c"
#include "runner.h"

/* Parameters cross into the test's own process (Criterion may start it
 * afresh, with other addresses), so they carry a name, not a function. */
typedef struct fuzz_target {
    char name[16];
} fuzz_target;

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

static fuzz_fn target_fn(const char *name)
{
    if (!strcmp(name, "csv")) return lp_fuzz_csv;
    if (!strcmp(name, "value")) return lp_fuzz_value;
    if (!strcmp(name, "mapping")) return lp_fuzz_mapping;
    if (!strcmp(name, "settings")) return lp_fuzz_settings;
    if (!strcmp(name, "template")) return lp_fuzz_template;
    return NULL;
}

ParameterizedTestParameters(hardening, fuzz_regressions)
{
    static fuzz_target targets[] = {{"csv"}, {"value"}, {"mapping"}, {"settings"}, {"template"}};
    return cr_make_param_array(fuzz_target, targets, sizeof targets / sizeof targets[0]);
}

/* Runs the target on every file of dir; returns how many. */
static size_t replay_dir(const fuzz_target *t, fuzz_fn run, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        size_t size = 0;
        char *data = read_file(path, &size);
        cr_assert_not_null(data, "%s", path);
        cr_log_info("%s: %s", t->name, e->d_name);
        run((const uint8_t *)data, size);
        free(data);
        n++;
    }
    closedir(d);
    return n;
}

ParameterizedTest(fuzz_target *t, hardening, fuzz_regressions)
{
    fuzz_fn run = target_fn(t->name);
    cr_assert_not_null(run);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions/%s", LP_SOURCE_DIR, t->name);
    size_t n = replay_dir(t, run, dir);
    snprintf(dir, sizeof dir, "%s/tests/fuzz/seeds/%s", LP_SOURCE_DIR, t->name);
    n += replay_dir(t, run, dir);
    /* The empty input, which every target must take. */
    run((const uint8_t *)"", 0);
    lp_fuzz_cleanup();
    cr_log_info("%s: %zu inputs replayed", t->name, n);
}
