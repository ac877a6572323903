/*
 * Allocation failure across the whole pipeline: settings, mapping (generic
 * profile), load of fixtures/tiny, measures, template, narrative, PDF,
 * workbook and results files, called as the leadpack command calls them
 * (one thread, so that the Nth allocation is the same from run to run).
 *
 * For N = 1, 2, ... the Nth allocation through the seam (lp_alloc_fail_after)
 * and every later one fails, until a run succeeds. Every failed run must
 * return a clean status (out of memory, or the output error a renderer
 * reports for it), not crash, and leave the output folder exactly as the
 * reference run left it: no temporary file, no half-written file (each
 * file of the reference pack is byte-identical afterwards; the pack is
 * reproducible, so a complete rewrite is identical too). Leaks are found by
 * running this suite under make asan (LeakSanitizer).
 *
 * Cost: a run makes about 4,500 allocations (printed with --verbose); the
 * early ones (settings, mapping, load, measures) fail fast, the late ones
 * (narrative and renderers) cost a whole run each. Every N up to FULL_WALK
 * is run, then every STRIDE-th N, then the last few N up to the first
 * success: about 4 s here. The full walk (FULL_WALK above the count) took
 * 66 s and was clean; set it so to walk every N after changing a renderer.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/load.h"
#include "lp/mapping.h"
#include "lp/measures.h"
#include "lp/narrative.h"
#include "lp/pdf.h"
#include "lp/results_files.h"
#include "lp/settings.h"
#include "lp/stats.h"
#include "lp/template.h"
#include "lp/xlsx.h"
#include "runner.h"

#define TEMPLATES LP_SOURCE_DIR "/templates"
#define FULL_WALK 3000   /* every N up to here */
#define STRIDE 31        /* then every 31st (a prime: no lock-step with loops) */

/* One whole run into out_dir; returns the first failure. */
static lp_status pipeline(const char *out_dir, char *errmsg)
{
    lp_settings settings;
    bool settings_ready = false;
    lp_mapping *mapping = NULL;
    lp_dataset *ds = NULL;
    lp_results *results = NULL;
    lp_template *tpl = NULL;
    lp_narrative *narrative = NULL;
    char path[1024];

    lp_status st = lp_settings_init(&settings);
    if (st) goto cleanup;
    settings_ready = true;
    st = lp_mapping_load(TEMPLATES "/profiles", "generic", NULL, &mapping, errmsg);
    if (st) goto cleanup;
    lp_load_options load = {.input_dir = LP_SOURCE_DIR "/fixtures/tiny", .mapping = mapping,
                            .settings = &settings, .threads = 1};
    st = lp_dataset_load(&load, &ds, errmsg);
    if (st) goto cleanup;
    lp_measures_options options = {.settings = &settings};
    st = lp_measures_compute(ds, &options, &results, errmsg);
    if (st) goto cleanup;
    st = lp_template_load(TEMPLATES, "weekly-leadership", &tpl, errmsg);
    if (st) goto cleanup;
    st = lp_narrative_build(results, tpl, TEMPLATES, &narrative, errmsg);
    if (st) goto cleanup;
    snprintf(path, sizeof path, "%s/pack.pdf", out_dir);
    st = lp_pdf_write(results, narrative, tpl, path, errmsg);
    if (st) goto cleanup;
    snprintf(path, sizeof path, "%s/pack.xlsx", out_dir);
    st = lp_xlsx_write(results, narrative, tpl, path, errmsg);
    if (st) goto cleanup;
    snprintf(path, sizeof path, "%s/results", out_dir);
    st = lp_results_write_dir(results, path, errmsg);

cleanup:
    lp_narrative_free(narrative);
    lp_template_free(tpl);
    lp_results_free(results);
    lp_dataset_free(ds);
    lp_mapping_free(mapping);
    if (settings_ready) lp_settings_clear(&settings);
    return st;
}

typedef struct saved_file {
    char path[1400];
    char *bytes;
    size_t size;
} saved_file;

/* Reads every file of dir and dir/results. */
static size_t snapshot(const char *out_dir, saved_file *files, size_t max)
{
    size_t n = 0;
    const char *subdirs[] = {"", "/results"};
    for (int s = 0; s < 2; s++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s%s", out_dir, subdirs[s]);
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
                !strcmp(e->d_name, "results"))
                continue;
            cr_assert_lt(n, max);
            snprintf(files[n].path, sizeof files[n].path, "%s/%s", dir, e->d_name);
            files[n].bytes = read_file(files[n].path, &files[n].size);
            cr_assert_not_null(files[n].bytes, "%s", files[n].path);
            n++;
        }
        closedir(d);
    }
    return n;
}

static void expect_unchanged(const saved_file *ref, size_t nref, const char *out_dir, long n)
{
    saved_file now[128];
    size_t count = snapshot(out_dir, now, 128);
    cr_expect_eq(count, nref, "N=%ld: %zu files in the output, the reference had %zu", n, count,
                 nref);
    for (size_t i = 0; i < count; i++) {
        cr_expect(strstr(now[i].path, ".tmp") == NULL, "N=%ld: temporary file left: %s", n,
                  now[i].path);
        for (size_t k = 0; k < nref; k++) {
            if (strcmp(ref[k].path, now[i].path) != 0) continue;
            cr_expect(ref[k].size == now[i].size &&
                          memcmp(ref[k].bytes, now[i].bytes, ref[k].size) == 0,
                      "N=%ld: %s changed", n, now[i].path);
        }
        free(now[i].bytes);
    }
}

Test(hardening, allocation_failure_walk)
{
    lp_stats_init();
    char *out_dir = make_temp_dir();
    cr_assert_not_null(out_dir);
    char errmsg[LP_ERRMSG_SIZE] = "";

    /* The reference run, and how many allocations a whole run makes. */
    long before = lp_alloc_count();
    cr_assert_eq(pipeline(out_dir, errmsg), LP_OK, "%s", errmsg);
    long per_run = lp_alloc_count() - before;
    cr_log_info("one run makes %ld allocations through the seam", per_run);
    saved_file ref[128];
    size_t nref = snapshot(out_dir, ref, 128);
    cr_assert_gt(nref, 10);

    long runs = 0;
    bool succeeded = false;
    for (long n = 1; !succeeded && n <= 2 * per_run + 100;) {
        errmsg[0] = '\0';
        lp_alloc_fail_after(n);
        lp_status st = pipeline(out_dir, errmsg);
        lp_alloc_fail_after(0);
        runs++;
        if (st == LP_OK) {
            succeeded = true;
            cr_expect_geq(n, per_run, "a run succeeded with allocation %ld failing", n);
        } else {
            cr_expect(st == LP_ERR_NOMEM || st == LP_ERR_OUTPUT,
                      "N=%ld: status %s (%s), expected out of memory", n, lp_status_str(st),
                      errmsg);
            if (n >= per_run) cr_log_info("N=%ld: %s: %s", n, lp_status_str(st), errmsg);
        }
        expect_unchanged(ref, nref, out_dir, n);
        if (n < FULL_WALK || n >= per_run)
            n++;
        else if (n + STRIDE >= per_run)
            n = per_run; /* the last allocation, then the first success */
        else
            n += STRIDE;
    }
    cr_log_info("%ld failing runs walked", runs);
    cr_expect(succeeded, "no run succeeded");
    for (size_t i = 0; i < nref; i++) free(ref[i].bytes);
    const char *rm[] = {"/bin/rm", "-rf", out_dir, NULL};
    run_result gone = run_program(rm, NULL);
    run_result_free(&gone);
    free(out_dir);
}
