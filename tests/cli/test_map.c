/*
 * leadpack map: the drafted mapping passes `check` on every dialect's
 * fixtures and on the public fixtures, reproduces each profile's results
 * exactly on the profile's own fixtures, refuses an ambiguous required
 * column, and its header fingerprints make run and check warn about drift.
 * Key figures of the public fixtures are checked against values worked out
 * from the raw files (fixtures/public/, see fixtures/README.md).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "cannot write %s", path);
    fputs(text, fp);
    fclose(fp);
}

/* Drafts a mapping for dir (with extra arguments) into path; returns the
 * draft's text (caller frees). */
static char *draft(const char *dir, const char *profile, const char *path)
{
    const char *argv[] = {leadpack_bin(), "map", "--input", dir, "--quiet",
                          profile ? "--profile" : NULL, profile, NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "map %s: exit %d: %s", dir, r.exit_code, r.err);
    write_text(path, r.out);
    char *text = strdup(r.out);
    run_result_free(&r);
    return text;
}

static run_result check_with(const char *dir, const char *mapping)
{
    const char *argv[] = {leadpack_bin(), "check", "--input", dir, "--mapping", mapping,
                          "--quiet", NULL};
    return run_program(argv, NULL);
}

/* ---- every dialect: check passes, and the draft gives the profile's results ---- */

/* Parameters are copied into each test's process: inline text, no pointers. */
typedef struct dialect_case {
    char name[24];
} dialect_case;

ParameterizedTestParameters(map, dialect_round_trip)
{
    static dialect_case dialects[] = {{"salesforce"}, {"hubspot"}, {"marketo"}, {"pipedrive"},
                                      {"generic"}};
    return cr_make_param_array(dialect_case, dialects, sizeof dialects / sizeof dialects[0]);
}

ParameterizedTest(dialect_case *c, map, dialect_round_trip, .timeout = 300)
{
    const char *const name = c->name;
    const char *const *dialect = &name;
    char *tmp = make_temp_dir();
    char in[512], yaml[512], out_profile[512], out_draft[512];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(yaml, sizeof yaml, "%s/draft.yaml", tmp);
    snprintf(out_profile, sizeof out_profile, "%s/profile", tmp);
    snprintf(out_draft, sizeof out_draft, "%s/draft", tmp);
    const char *gen[] = {leadpack_bin(), "fixtures", "--dialect", *dialect, "--scale", "0.05",
                         "--seed", "42", "--out", in, "--quiet", NULL};
    run_result r = run_program(gen, NULL);
    cr_assert_eq(r.exit_code, 0, "fixtures %s: exit %d: %s", *dialect, r.exit_code, r.err);
    run_result_free(&r);

    char *text = draft(in, NULL, yaml);
    cr_expect(strstr(text, "headers:") != NULL, "no fingerprints in the draft");
    cr_expect(strstr(text, ": AMBIGUOUS") == NULL, "%s: ambiguous column in\n%s", *dialect, text);
    free(text);

    r = check_with(in, yaml);
    cr_expect_eq(r.exit_code, 0, "%s: check with the draft: %s", *dialect, r.err);
    cr_expect(strstr(r.err, "warning") == NULL, "%s: %s", *dialect, r.err);
    run_result_free(&r);

    const char *run_profile[] = {leadpack_bin(), "run", "--input", in, "--out", out_profile,
                                 "--quiet", NULL};
    const char *run_draft[] = {leadpack_bin(), "run", "--input", in, "--mapping", yaml,
                               "--out", out_draft, "--quiet", NULL};
    r = run_program(run_profile, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    r = run_program(run_draft, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);

    /* every results file the profile's run wrote, byte for byte */
    char results[600];
    snprintf(results, sizeof results, "%s/results", out_profile);
    DIR *d = opendir(results);
    cr_assert_not_null(d);
    size_t compared = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char a[1200], b[1200];
        snprintf(a, sizeof a, "%s/results/%s", out_profile, e->d_name);
        snprintf(b, sizeof b, "%s/results/%s", out_draft, e->d_name);
        size_t na = 0, nb = 0;
        char *da = read_file(a, &na), *db = read_file(b, &nb);
        cr_expect_not_null(db, "%s: the draft's run lacks %s", *dialect, e->d_name);
        if (da && db)
            cr_expect(na == nb && memcmp(da, db, na) == 0, "%s: results/%s differs", *dialect,
                      e->d_name);
        free(da);
        free(db);
        compared++;
    }
    closedir(d);
    cr_expect_geq(compared, 10, "%s: only %zu results files", *dialect, compared);
    free(tmp);
}

/* ---- public fixtures ---- */

static const char *const public_sets[] = {"pardot-opportunities", "salesforce-fivetran"};

Test(map, public_fixtures_draft_and_reviewed_mapping_pass_check)
{
    char *tmp = make_temp_dir();
    for (size_t i = 0; i < sizeof public_sets / sizeof public_sets[0]; i++) {
        char dir[512], yaml[512], reviewed[600];
        snprintf(dir, sizeof dir, "%s/fixtures/public/%s", LP_SOURCE_DIR, public_sets[i]);
        snprintf(yaml, sizeof yaml, "%s/%s.yaml", tmp, public_sets[i]);
        snprintf(reviewed, sizeof reviewed, "%s/mapping.yaml", dir);
        free(draft(dir, NULL, yaml));
        run_result r = check_with(dir, yaml);
        cr_expect_eq(r.exit_code, 0, "%s: check with the draft: %s", public_sets[i], r.err);
        run_result_free(&r);
        /* a profile given for the wrong CRM: its names are absent, the rest
         * (and tables it has no names for) are drafted as without one */
        free(draft(dir, "hubspot", yaml));
        r = check_with(dir, yaml);
        cr_expect_eq(r.exit_code, 0, "%s: check with a --profile hubspot draft: %s",
                     public_sets[i], r.err);
        run_result_free(&r);
        r = check_with(dir, reviewed);
        cr_expect_eq(r.exit_code, 0, "%s: check with mapping.yaml: %s", public_sets[i], r.err);
        cr_expect(strstr(r.err, "warning") == NULL, "%s: %s", public_sets[i], r.err);
        run_result_free(&r);
    }
    free(tmp);
}

/* A field of headline.csv for a measure and period (column 2 = value,
 * 3 = low, 4 = high), or NAN when the row is missing or the field empty. */
static double headline(const char *out, const char *measure, const char *period, int field)
{
    char path[600], key[96];
    snprintf(path, sizeof path, "%s/results/headline.csv", out);
    snprintf(key, sizeof key, "\n%s,%s,", measure, period);
    char *csv = read_file(path, NULL);
    cr_assert_not_null(csv, "no %s", path);
    const char *p = strstr(csv, key);
    double value = NAN;
    if (p) {
        /* measure,period,value,low,high,provisional,unit,level,base,matures_at */
        p++;
        for (int f = 0; f < field && p; f++) {
            p = strchr(p, ',');
            if (p) p++;
        }
        if (p && *p != ',' && *p != '\n') value = strtod(p, NULL);
    }
    free(csv);
    return value;
}

static void run_public(const char *set, const char *out, const char *const *extra)
{
    char dir[512], mapping[600];
    snprintf(dir, sizeof dir, "%s/fixtures/public/%s", LP_SOURCE_DIR, set);
    snprintf(mapping, sizeof mapping, "%s/mapping.yaml", dir);
    const char *argv[16] = {leadpack_bin(), "run", "--input", dir, "--mapping", mapping,
                            "--out", out, "--quiet"};
    size_t n = 9;
    for (size_t i = 0; extra[i] && n < 15; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s: %s", set, r.err);
    run_result_free(&r);
}

/* Pardot opportunities (40 rows). Won deals and amount closed in a month,
 * worked out from the raw file with
 *   awk -F, 'NR>1 && $8=="Won" {m=substr($4,1,7); s[m]+=$11; n[m]++}
 *            END {for (m in s) print m, n[m], s[m]}' pardot_opportunity_data.csv
 * (status is column 8, closed_at 4, value 11; every closed_at is at 21:00
 * UTC, so its UTC date is the report's): 2019-03: 5 deals, 15750 + 51915 +
 * 8500.8 + 16000 + 11200 = 103365.8; 2018-09: 4 deals, 50000 + 11000 +
 * 33600 + 14250 = 108850; 2018-05: none. No Lost row closes in either
 * month, so both win rates are 1. */
Test(map, public_pardot_won_by_month, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *extra[] = {"--period", "2019-03", NULL};
    run_public("pardot-opportunities", out, extra);
    cr_expect_float_eq(headline(out, "won_count", "2019-03", 2), 5, 1e-9);
    cr_expect_float_eq(headline(out, "won_amount", "2019-03", 2), 103365.8, 1e-6);
    cr_expect_float_eq(headline(out, "won_count", "2018-09", 2), 4, 1e-9);
    cr_expect_float_eq(headline(out, "won_amount", "2018-09", 2), 108850.0, 1e-6);
    cr_expect_float_eq(headline(out, "win_rate", "2018-09", 2), 1, 1e-9);
    cr_expect_float_eq(headline(out, "won_count", "2018-05", 2), 0, 1e-9);
    free(tmp);
}

/* Fivetran-synced Salesforce opportunities (10 rows), by ISO week of
 * close_date, from the raw file with
 *   awk -F, 'NR>1 && $18=="true" {print $5, $21}' sf_opportunity_data.csv
 * (is_closed is column 18, close_date 5, is_won 21): week 2018-W50 (10-16
 * December) holds 13 December three times, won once (the row "lu test 3")
 * and lost twice, so 1 won deal (its amount is blank: 0) and a win rate of
 * 1/3 with the Wilson interval (z = 1.959964) 0.0614919 .. 0.7923404, worked
 * out with python: c = (p + z^2/2n) / (1 + z^2/n), h = z sqrt(p(1-p)/n +
 * z^2/4n^2) / (1 + z^2/n). 2018-W49 holds 7 December, won. 2018-W44 holds
 * 31 October, lost. The 24,120,000 deal closes on 19 December (2018-W51),
 * after the last complete week (the latest created_date is 19 December). */
Test(map, public_salesforce_fivetran_won_by_week, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *extra[] = {"--period", "2018-W50", NULL};
    run_public("salesforce-fivetran", out, extra);
    cr_expect_float_eq(headline(out, "won_count", "2018-W50", 2), 1, 1e-9);
    cr_expect_float_eq(headline(out, "won_amount", "2018-W50", 2), 0, 1e-9);
    cr_expect_float_eq(headline(out, "win_rate", "2018-W50", 2), 1.0 / 3.0, 1e-9);
    cr_expect_float_eq(headline(out, "win_rate", "2018-W50", 3), 0.0614919, 1e-6);
    cr_expect_float_eq(headline(out, "win_rate", "2018-W50", 4), 0.7923404, 1e-6);
    cr_expect_float_eq(headline(out, "won_count", "2018-W49", 2), 1, 1e-9);
    cr_expect_float_eq(headline(out, "win_rate", "2018-W44", 2), 0, 1e-9);
    cr_expect(isnan(headline(out, "won_count", "2018-W51", 2)), "W51 is after the pack's week");
    free(tmp);
}

/* ---- refusing to guess, and drift ---- */

/* Without a profile, Salesforce's Event.csv has two instants named like an
 * activity's time (ActivityDateTime, CreatedDate): the draft names both and
 * maps neither, so check fails on activities.at. */
Test(map, ambiguous_required_column_is_left_unmapped)
{
    char *tmp = make_temp_dir();
    char dir[512], yaml[512];
    snprintf(dir, sizeof dir, "%s/fixtures/sample/salesforce", LP_SOURCE_DIR);
    snprintf(yaml, sizeof yaml, "%s/draft.yaml", tmp);
    char *text = draft(dir, "none", yaml);
    const char *line = strstr(text, "# at (required): AMBIGUOUS");
    cr_expect_not_null(line, "draft:\n%s", text);
    if (line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *one = strndup(line, len);
        cr_expect(strstr(one, "ActivityDateTime") && strstr(one, "CreatedDate"), "%s", one);
        free(one);
    }
    free(text);
    run_result r = check_with(dir, yaml);
    cr_expect_eq(r.exit_code, 2, "check should fail: %s", r.err);
    cr_expect(strstr(r.err, "activities.at") != NULL, "%s", r.err);
    run_result_free(&r);
    free(tmp);
}

Test(map, renamed_column_is_named_by_check_and_run, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char dir[512], csv[600], mapping[600], out[600];
    snprintf(dir, sizeof dir, "%s/in", tmp);
    snprintf(csv, sizeof csv, "%s/pardot_opportunity_data.csv", dir);
    snprintf(mapping, sizeof mapping, "%s/fixtures/public/pardot-opportunities/mapping.yaml",
             LP_SOURCE_DIR);
    snprintf(out, sizeof out, "%s/out", tmp);
    char src[600];
    snprintf(src, sizeof src, "%s/fixtures/public/pardot-opportunities/pardot_opportunity_data.csv",
             LP_SOURCE_DIR);
    char *text = read_file(src, NULL);
    cr_assert_not_null(text);
    char *hit = strstr(text, ",value,");
    cr_assert_not_null(hit);
    /* the export now calls the amount "amount_usd" */
    size_t head = (size_t)(hit - text);
    char *renamed = malloc(strlen(text) + 16);
    memcpy(renamed, text, head);
    strcpy(renamed + head, ",amount_usd,");
    strcat(renamed, hit + strlen(",value,"));
    cr_assert_eq(mkdir(dir, 0755), 0);
    write_text(csv, renamed);
    free(text);
    free(renamed);

    run_result r = check_with(dir, mapping);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "warning: pardot_opportunity_data.csv") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "gone (renamed or dropped?): value") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "new: amount_usd") != NULL, "%s", r.err);
    cr_expect(strstr(r.out, "amount_usd") != NULL, "data quality: %s", r.out);
    run_result_free(&r);

    const char *run[] = {leadpack_bin(), "run", "--input", dir, "--mapping", mapping, "--out",
                         out, "--period", "2019-03", "--quiet", NULL};
    r = run_program(run, NULL);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "gone (renamed or dropped?): value") != NULL, "%s", r.err);
    run_result_free(&r);
    free(tmp);
}

Test(map, usage)
{
    const char *no_input[] = {leadpack_bin(), "map", NULL};
    run_result r = run_program(no_input, NULL);
    cr_expect_eq(r.exit_code, 1);
    cr_expect(strstr(r.err, "--input") != NULL, "%s", r.err);
    run_result_free(&r);
    const char *help[] = {leadpack_bin(), "help", "map", NULL};
    r = run_program(help, NULL);
    cr_expect_eq(r.exit_code, 0);
    cr_expect(strstr(r.out, "--profile") && strstr(r.out, "AMBIGUOUS"), "%s", r.out);
    run_result_free(&r);
    const char *missing[] = {leadpack_bin(), "map", "--input", "/nonexistent/exports", NULL};
    r = run_program(missing, NULL);
    cr_expect_eq(r.exit_code, 2);
    run_result_free(&r);
}
