/*
 * End to end: the binary on the hand-worked fixture (fixtures/tiny) and on
 * the built-in sample. Expected counts for fixtures/tiny were counted by hand
 * from fixtures/tiny/leads.csv, P = 2026-W47 (Mon 16 Nov 00:00Z to Mon 23 Nov
 * 00:00Z):
 *   mql_at in W47: L1 16 Nov, L2 17 Nov, L3 18 Nov, L4 19 Nov, L5 20 Nov,
 *                  L6 22 Nov 18:00, L7 22 Nov 23:00             -> 7
 *   mql_at in W46: L8 10 Nov, L9 12 Nov                          -> 2
 *   sql_at in W47: L1 17 Nov, L4 20 Nov                          -> 2
 *   sql_at in W46: L9 13 Nov                                     -> 1
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"

static char *tmp;

static void setup(void) { tmp = make_temp_dir(); }

static void teardown(void)
{
    if (!tmp) return;
    const char *argv[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result r = run_program(argv, NULL);
    run_result_free(&r);
    free(tmp);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static run_result run_tiny(const char *out)
{
    const char *argv[] = {leadpack_bin(), "run", "--input", LP_SOURCE_DIR "/fixtures/tiny",
                          "--profile", "generic", "--as-of", "2026-11-23T12:00:00Z",
                          "--out", out, NULL};
    return run_program(argv, NULL);
}

Test(e2e, tiny_pack_has_the_hand_counted_figures, .init = setup, .fini = teardown)
{
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    run_result r = run_tiny(out);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    /* A log line per phase. */
    for (const char *phase = "load\0measures\0narrative\0render\0"; *phase;
         phase += strlen(phase) + 1) {
        char want[32];
        snprintf(want, sizeof want, "leadpack: %s ", phase);
        cr_expect(strstr(r.err, want) != NULL, "no %s log line in: %s", phase, r.err);
    }
    run_result_free(&r);

    snprintf(path, sizeof path, "%s/results/headline.csv", out);
    char *csv = read_file(path, NULL);
    cr_assert_not_null(csv, "no headline.csv");
    cr_expect(strncmp(csv, "measure,period,value,low,high", 29) == 0);
    cr_expect(strstr(csv, "\nmql_count,2026-W47,7,,,") != NULL);
    cr_expect(strstr(csv, "\nmql_count,2026-W46,2,,,") != NULL);
    cr_expect(strstr(csv, "\nsql_count,2026-W47,2,,,") != NULL);
    cr_expect(strstr(csv, "\nsql_count,2026-W46,1,,,") != NULL);
    /* 24 measures x 13 periods + header: measure 5 for every channel
     * (won_count, won_amount, win_rate, cycle_median_days; templates/DEFINITIONS.md,
     * amended 2026-12-02) follows the 20 earlier measures. */
    size_t lines = 0;
    for (const char *p = csv; *p; p++) lines += *p == '\n';
    cr_expect_eq(lines, 24 * 13 + 1);
    free(csv);

    const char *results[] = {"headline", "campaigns", "sla_by_owner", "breaches",
                             "funnel", "routing", "forecast"};
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        snprintf(path, sizeof path, "%s/results/%s.csv", out, results[i]);
        cr_expect(exists(path), "missing %s", path);
    }

    /* The PDF parses and says the headline in words. */
    snprintf(path, sizeof path, "%s/leadpack-2026-W47.pdf", out);
    const char *qpdf[] = {"/usr/bin/qpdf", "--check", path, NULL};
    r = run_program(qpdf, NULL);
    cr_expect_eq(r.exit_code, 0, "qpdf: %s%s", r.out, r.err);
    run_result_free(&r);
    const char *totext[] = {"/usr/bin/pdftotext", path, "-", NULL};
    r = run_program(totext, NULL);
    cr_expect(strstr(r.out, "7 qualified leads") != NULL, "PDF text: %.400s", r.out);
    run_result_free(&r);

    /* The workbook reads back with openpyxl and its Summary cell for the
     * MQL count caches 7. The figures below are formulas over their record
     * rows, counted by hand from fixtures/tiny with as-of 23 Nov 12:00:
     *   sql_count: L1, L4 in W47; L9 in W46 (SQLs sheets)        -> 2, 1
     *   open inbound pipeline at 23 Nov 00:00: O1 10000 (O2, O3, O6
     *     closed before); at 16 Nov 00:00: O3 8000 (closed 17 Nov) -> 10000, 8000
     *   follow-up: of W47's MQLs only L1's 7-day window (to 23 Nov 10:00)
     *     closed by as-of, with 3 activities in it                -> 1/1;
     *     W46 at the same age (16 Nov 12:00) had no closed window: too
     *     early, so W46 as it stands: L8, L9 with 1 activity each -> 0/2
     *   closed in W47: O2 won 5000, O3 won 8000, O6 lost (inbound), O5
     *     lost, O7 won 4000 (partner)                -> won 3, 17000, 3/5;
     *     inbound 2/3; inbound share 13000/17000; nothing closed in W46. */
    snprintf(path, sizeof path, "%s/leadpack-2026-W47.xlsx", out);
    const char *script =
        "import sys, openpyxl\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "assert wb.sheetnames[0] == 'Summary', wb.sheetnames\n"
        "ws = openpyxl.load_workbook(sys.argv[1], data_only=True)['Summary']\n"
        "rows = [r for r in ws.iter_rows(values_only=True) if r[1] == 'mql_count']\n"
        "assert rows and rows[0][2] == 7 and rows[0][3] == 2, rows\n"
        "fs = {r[1].value: r for r in wb['Summary'].iter_rows() if r[1].value}\n"
        "vs = {r[1]: r for r in ws.iter_rows(values_only=True) if r[1]}\n"
        "want = {'sql_count': (2, 1), 'open_inbound_pipeline_amount': (10000, 8000),\n"
        "        'followup_compliance': (1, 0), 'won_count': (3, 0),\n"
        "        'won_amount': (17000, 0), 'win_rate': (0.6, None),\n"
        "        'inbound_win_rate': (2 / 3, None), 'inbound_won_share': (13000 / 17000, None)}\n"
        "for name, (now, before) in want.items():\n"
        "    got = vs[name][2:4]\n"
        "    assert abs(got[0] - now) < 1e-12, (name, got)\n"
        "    assert (got[1] is None) if before is None else abs(got[1] - before) < 1e-12, (name, got)\n"
        "    assert fs[name][2].data_type == 'f', (name, fs[name][2].value)\n"
        "    if before is not None:\n"
        "        assert fs[name][3].data_type == 'f', (name, fs[name][3].value)\n"
        "print('ok')\n";
    const char *py[] = {"/usr/bin/python3", "-c", script, path, NULL};
    r = run_program(py, NULL);
    cr_expect_eq(r.exit_code, 0, "openpyxl: %s%s", r.out, r.err);
    run_result_free(&r);
}

Test(e2e, default_run_uses_the_sample_from_any_folder, .init = setup, .fini = teardown)
{
    const char *argv[] = {leadpack_bin(), "run", "--quiet", NULL};
    run_result r = run_program(argv, tmp);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    cr_expect_str_eq(r.err, "", "--quiet still logged: %s", r.err);
    run_result_free(&r);
    char path[600];
    /* The sample's as-of is 2026-11-23T09:00:00Z (fixtures/README.md): the
     * last complete ISO week before it is 2026-W47. */
    snprintf(path, sizeof path, "%s/out/leadpack-2026-W47.pdf", tmp);
    cr_expect(exists(path), "missing %s", path);
    snprintf(path, sizeof path, "%s/out/leadpack-2026-W47.xlsx", tmp);
    cr_expect(exists(path), "missing %s", path);
    snprintf(path, sizeof path, "%s/out/results/headline.csv", tmp);
    cr_expect(exists(path), "missing %s", path);
}

Test(e2e, failed_run_leaves_the_previous_pack, .init = setup, .fini = teardown)
{
    char out[512], pdf[600], settings[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    run_result r = run_tiny(out);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    run_result_free(&r);
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W47.pdf", out);
    size_t before_size = 0, after_size = 0;
    char *before = read_file(pdf, &before_size);

    snprintf(settings, sizeof settings, "%s/bad.yaml", tmp);
    FILE *fp = fopen(settings, "w");
    fputs("time_zone: UTC\nsla_hours: -3\n", fp);
    fclose(fp);
    const char *argv[] = {leadpack_bin(), "run", "--input", LP_SOURCE_DIR "/fixtures/tiny",
                          "--profile", "generic", "--settings", settings, "--out", out,
                          "--quiet", NULL};
    r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2, "stderr: %s", r.err);
    cr_expect(strstr(r.err, "bad.yaml") != NULL, "error does not name the file: %s", r.err);
    run_result_free(&r);
    char *after = read_file(pdf, &after_size);
    cr_expect(before && after && before_size == after_size &&
              memcmp(before, after, before_size) == 0, "the previous PDF changed");
    free(before);
    free(after);
}

Test(e2e, check_lists_planted_bad_rows_with_lines, .init = setup, .fini = teardown)
{
    /* fixtures/quirks/export/Lead.csv plants, by hand: line 5 a CreatedDate
     * of 31/02/2026, line 6 ten fields for eight, line 10 an empty Id, and
     * lines 12-13 a report footer (not skipped by the data-export profile). */
    const char *argv[] = {leadpack_bin(), "check", "--input",
                          LP_SOURCE_DIR "/fixtures/quirks/export", "--profile", "salesforce",
                          "--json", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    char json[600];
    snprintf(json, sizeof json, "%s/check.json", tmp);
    FILE *fp = fopen(json, "w");
    fputs(r.out, fp);
    fclose(fp);
    run_result_free(&r);
    const char *script =
        "import json, sys\n"
        "d = json.load(open(sys.argv[1]))\n"
        "for f in d['files']:\n"
        "    assert f['rows_read'] == f['rows_loaded'] + f['rows_rejected'], f\n"
        "    assert len(f['rejects']) == f['rows_rejected'], f\n"
        "lead = [f for f in d['files'] if f['file'].endswith('/Lead.csv')][0]\n"
        "assert [x['line'] for x in lead['rejects']] == [5, 6, 10, 12, 13], lead['rejects']\n"
        "assert lead['rejects'][0]['value'] == '31/02/2026'\n"
        "assert lead['rejects'][0]['column'] == 'CreatedDate'\n"
        "assert 'expected 8 fields, found 10' in lead['rejects'][1]['reason']\n";
    const char *py[] = {"/usr/bin/python3", "-c", script, json, NULL};
    r = run_program(py, NULL);
    cr_expect_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    run_result_free(&r);
}

Test(e2e, salesforce_and_hubspot_forms_agree, .init = setup, .fini = teardown)
{
    /* fixtures/sample/{salesforce,hubspot} hold the same 4,000 leads in two
     * dialects (fixtures/README.md). HubSpot has no campaign-membership
     * export and keys owners by full name, so campaign and per-owner files
     * differ by design, and so do stage names; every file below depends only
     * on what both carry. */
    char sf[512], hs[512];
    snprintf(sf, sizeof sf, "%s/sf", tmp);
    snprintf(hs, sizeof hs, "%s/hs", tmp);
    const char *run_sf[] = {leadpack_bin(), "run", "--input",
                            LP_SOURCE_DIR "/fixtures/sample/salesforce", "--out", sf,
                            "--quiet", NULL};
    const char *run_hs[] = {leadpack_bin(), "run", "--input",
                            LP_SOURCE_DIR "/fixtures/sample/hubspot", "--out", hs,
                            "--quiet", NULL};
    run_result r = run_program(run_sf, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    r = run_program(run_hs, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *files[] = {"headline", "funnel", "routing", "forecast", "sla_by_team",
                           "mql_trend", "changes", "volume_by_source"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/results/%s.csv", sf, files[i]);
        snprintf(b, sizeof b, "%s/results/%s.csv", hs, files[i]);
        size_t na = 0, nb = 0;
        char *da = read_file(a, &na), *db = read_file(b, &nb);
        cr_expect(da && db && na == nb && memcmp(da, db, na) == 0, "%s.csv differs", files[i]);
        free(da);
        free(db);
    }
}
