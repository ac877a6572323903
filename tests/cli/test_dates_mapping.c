/*
 * End to end: future-dated records, a --period after the data, a default
 * stage, one source column feeding several canonical columns, and the
 * unmapped values `check` lists.
 *
 * Hand-worked expectations:
 *  - The sample (fixtures/sample/salesforce): its latest as-of date is Lead
 *    CreatedDate 2026-11-23T09:00Z (a Monday), so P = 2026-W47 (16 to 23
 *    Nov). Lead.csv has 37 MQL_Date__c values in [2026-11-16, 2026-11-23)
 *    (counted with Python's csv module), so mql_count for W47 is 37.
 *    Lead.csv holds a header and 4000 rows, so appended rows are lines
 *    4002 and 4003.
 *  - The closed-deals export below: with as-of 2026-11-25, P = 2026-W47.
 *    D1 (17 Nov, 1000) and D2 (18 Nov, 2500) close in W47, D3 (10 Nov, 700)
 *    in W46; all are won and from Web, an inbound source, and have no lead,
 *    so they take the channel of their own source: inbound_won_count 2 and
 *    inbound_won_amount 3500 for W47, 1 and 700 for W46.
 *  - The funnel export: origin holds unknown x3, display x2, other x1, Web,
 *    Partner; Web is inbound, Partner a partner source, so 6 rows in 3
 *    values have no channel.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"

static char *tmp;

static void setup(void)
{
    tmp = make_temp_dir();
    unsetenv("LEADPACK_NOW");
}

static void teardown(void)
{
    unsetenv("LEADPACK_NOW");
    if (!tmp) return;
    const char *argv[] = {"/bin/rm", "-rf", tmp, NULL};
    run_result r = run_program(argv, NULL);
    run_result_free(&r);
    free(tmp);
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static void append_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static char *results_file(const char *out, const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/results/%s", out, name);
    char *text = read_file(path, NULL);
    cr_assert_not_null(text, "no %s", path);
    return text;
}

/* A copy of the sample with a lead created 2099-01-01 (MQL 2099-01-02) and
 * one created 9999-12-31 appended. */
static void sample_with_future_leads(char *dir, size_t size)
{
    snprintf(dir, size, "%s/exports", tmp);
    const char *cp[] = {"/bin/cp", "-r", LP_SOURCE_DIR "/fixtures/sample/salesforce", dir, NULL};
    run_result r = run_program(cp, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char lead[700];
    snprintf(lead, sizeof lead, "%s/Lead.csv", dir);
    append_file(lead,
                "00QFUTURE000000AAA,Ada,Future,Velos Health,ada@velos.example,,Education,40,"
                "Australia,Web,Open,0058d000000000BAAQ,2099-01-01T09:00:00.000+0000,"
                "2099-01-02T09:00:00.000+0000,,false,,\n"
                "00QFUTURE999900AAA,Max,Year,Velos Health,max@velos.example,,Education,40,"
                "Australia,Web,Open,0058d000000000BAAQ,9999-12-31T00:00:00.000+0000,,,false,,\n");
}

Test(dates, future_dated_leads_leave_the_pack_as_it_was, .init = setup, .fini = teardown)
{
    char input[600], out[600], plain[600];
    sample_with_future_leads(input, sizeof input);
    snprintf(out, sizeof out, "%s/pack", tmp);
    snprintf(plain, sizeof plain, "%s/plain", tmp);
    setenv("LEADPACK_NOW", "2026-12-02T12:00:00Z", 1);
    const char *run[] = {leadpack_bin(), "run", "--input", input, "--out", out, "--quiet", NULL};
    run_result r = run_program(run, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *sample[] = {leadpack_bin(), "run", "--out", plain, "--quiet", NULL};
    r = run_program(sample, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);

    char pdf[700];
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W47.pdf", out);
    struct stat st;
    cr_expect_eq(stat(pdf, &st), 0, "no %s: the period moved", pdf);
    char *headline = results_file(out, "headline.csv");
    cr_expect(strstr(headline, "\nmql_count,2026-W47,37,") != NULL, "%s", headline);
    char *plain_headline = results_file(plain, "headline.csv");
    cr_expect_str_eq(headline, plain_headline);
    char *rejects = results_file(out, "rejects.csv");
    cr_expect(strstr(rejects, "Lead.csv,4002,CreatedDate,2099-01-01T09:00:00.000+0000,"
                              "dated after the run: 2099-01-01\r\n") != NULL, "%s", rejects);
    cr_expect(strstr(rejects, "Lead.csv,4003,CreatedDate,9999-12-31T00:00:00.000+0000,"
                              "dated after the run: 9999-12-31\r\n") != NULL, "%s", rejects);
    free(headline);
    free(plain_headline);
    free(rejects);

    /* check says so on its data quality list. */
    const char *check[] = {leadpack_bin(), "check", "--input", input, "--quiet", NULL};
    r = run_program(check, NULL);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "Lead.csv: 2 rows are dated after the run (such as 2099-01-01)"),
              "%s", r.out);
    run_result_free(&r);
}

/* With --as-of the clock plays no part: nothing is future-dated, and two
 * runs at different moments give byte-identical results. */
Test(dates, as_of_given_ignores_the_clock, .init = setup, .fini = teardown)
{
    char input[600], out1[600], out2[600];
    sample_with_future_leads(input, sizeof input);
    snprintf(out1, sizeof out1, "%s/one", tmp);
    snprintf(out2, sizeof out2, "%s/two", tmp);
    const char *now[] = {"2026-12-02T12:00:00Z", "2027-06-01T00:00:00Z"};
    const char *outs[] = {out1, out2};
    for (int i = 0; i < 2; i++) {
        setenv("LEADPACK_NOW", now[i], 1);
        const char *argv[] = {leadpack_bin(), "run", "--input", input, "--as-of",
                              "2026-11-23T09:00:00Z", "--out", outs[i], "--quiet", NULL};
        run_result r = run_program(argv, NULL);
        cr_assert_eq(r.exit_code, 0, "%s", r.err);
        run_result_free(&r);
    }
    const char *files[] = {"headline.csv", "rejects.csv", "campaigns.csv", "funnel.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *a = results_file(out1, files[i]), *b = results_file(out2, files[i]);
        cr_expect_str_eq(a, b, "%s differs", files[i]);
        free(a);
        free(b);
    }
    char *rejects = results_file(out1, "rejects.csv");
    cr_expect_str_eq(rejects, "file,line,column,value,reason\r\n"); /* RFC 4180 line ends */
    free(rejects);
}

Test(dates, period_after_the_latest_record_exits_2, .init = setup, .fini = teardown)
{
    char out[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *argv[] = {leadpack_bin(), "run", "--period", "2030-W01", "--out", out,
                          "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2, "%s", r.err);
    cr_expect(strstr(r.err, "period 2030-W01 ends after the latest record in the exports "
                            "(2026-11-23, leads.created_at)") != NULL, "%s", r.err);
    run_result_free(&r);
    /* W48 ends on 30 Nov, after the latest record too; W47 ends on 23 Nov
     * 00:00, before it, and runs. */
    const char *w48[] = {leadpack_bin(), "run", "--period", "2026-W48", "--out", out,
                         "--quiet", NULL};
    r = run_program(w48, NULL);
    cr_expect_eq(r.exit_code, 2, "%s", r.err);
    run_result_free(&r);
    const char *w47[] = {leadpack_bin(), "run", "--period", "2026-W47", "--out", out,
                         "--quiet", NULL};
    r = run_program(w47, NULL);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
}

/* A closed-deals export with one date for created_at and close_date, its
 * stage from the mapping's default (Won) or from a column holding Won: the
 * same won deals either way. */
Test(mapping, default_stage_counts_as_a_column_of_it, .init = setup, .fini = teardown)
{
    char with_default[600], with_column[600];
    snprintf(with_default, sizeof with_default, "%s/default", tmp);
    snprintf(with_column, sizeof with_column, "%s/column", tmp);
    cr_assert_eq(mkdir(with_default, 0700), 0);
    cr_assert_eq(mkdir(with_column, 0700), 0);
    put_file(with_default, "opportunities.csv",
             "Deal,Closed,Amount,Source\n"
             "D1,2026-11-17,1000,Web\n"
             "D2,2026-11-18,2500,Web\n"
             "D3,2026-11-10,700,Web\n");
    put_file(with_column, "opportunities.csv",
             "Deal,Closed,Amount,Source,Stage\n"
             "D1,2026-11-17,1000,Web,Won\n"
             "D2,2026-11-18,2500,Web,Won\n"
             "D3,2026-11-10,700,Web,Won\n");
    char mapping[600];
    snprintf(mapping, sizeof mapping, "%s/deals.yaml", tmp);
    put_file(tmp, "deals.yaml",
             "profile: generic\n"
             "columns:\n"
             "  opportunities:\n"
             "    opportunity_id: Deal\n"
             "    created_at: Closed\n"
             "    close_date: Closed\n"
             "    amount: Amount\n"
             "    source: Source\n"
             "    stage: Stage\n"
             "defaults:\n"
             "  opportunities:\n"
             "    stage: Won\n");
    const char *inputs[] = {with_default, with_column};
    char *headlines[2];
    for (int i = 0; i < 2; i++) {
        char out[700];
        snprintf(out, sizeof out, "%s/pack", inputs[i]);
        const char *argv[] = {leadpack_bin(), "run", "--input", inputs[i], "--mapping", mapping,
                              "--as-of", "2026-11-25T00:00:00Z", "--out", out, "--quiet", NULL};
        run_result r = run_program(argv, NULL);
        cr_assert_eq(r.exit_code, 0, "%s: %s", inputs[i], r.err);
        run_result_free(&r);
        headlines[i] = results_file(out, "headline.csv");
        cr_expect(strstr(headlines[i], "\ninbound_won_count,2026-W47,2,"), "%s", headlines[i]);
        cr_expect(strstr(headlines[i], "\ninbound_won_amount,2026-W47,3500,"), "%s",
                  headlines[i]);
        cr_expect(strstr(headlines[i], "\ninbound_won_count,2026-W46,1,"), "%s", headlines[i]);
        cr_expect(strstr(headlines[i], "\ninbound_won_amount,2026-W46,700,"), "%s",
                  headlines[i]);
    }
    cr_expect_str_eq(headlines[0], headlines[1]);
    free(headlines[0]);
    free(headlines[1]);
}

static const char funnel_csv[] =
    "Email,FirstContact,origin\n"
    "a@x.com,2026-11-16 09:00,unknown\n"
    "b@x.com,2026-11-17 09:00,unknown\n"
    "c@x.com,2026-11-17 10:00,display\n"
    "d@x.com,2026-11-18 09:00,unknown\n"
    "e@x.com,2026-11-18 10:00,Web\n"
    "f@x.com,2026-11-19 09:00,display\n"
    "g@x.com,2026-11-19 10:00,other\n"
    "h@x.com,2026-11-20 09:00,Partner\n"
    "i@x.com,2026-11-20 10:00,\n";

static const char funnel_yaml[] =
    "profile: generic\n"
    "columns:\n"
    "  leads:\n"
    "    lead_id: Email\n"
    "    created_at: FirstContact\n"
    "    mql_at: FirstContact\n"
    "    source: origin\n";

/* check shows the fan-out and lists the values of origin that have no
 * channel, with their counts, most first; --json carries both. A funnel
 * export's leads are all MQLs, so the 9 leads count 9 MQLs in W47. */
Test(mapping, check_shows_fan_out_and_unmapped_values, .init = setup, .fini = teardown)
{
    char input[600], mapping[600], out[600];
    snprintf(input, sizeof input, "%s/funnel", tmp);
    cr_assert_eq(mkdir(input, 0700), 0);
    put_file(input, "leads.csv", funnel_csv);
    put_file(tmp, "funnel.yaml", funnel_yaml);
    snprintf(mapping, sizeof mapping, "%s/funnel.yaml", tmp);
    const char *check[] = {leadpack_bin(), "check", "--input", input, "--mapping", mapping,
                           "--quiet", NULL};
    run_result r = run_program(check, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "FirstContact -> created_at, mql_at") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "origin (leads.source): 3 rows 'unknown', 2 'display', 1 'other' "
                            "have no channel") != NULL, "%s", r.out);
    run_result_free(&r);

    const char *json[] = {leadpack_bin(), "check", "--input", input, "--mapping", mapping,
                          "--json", NULL};
    r = run_program(json, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "{\"source\":\"FirstContact\",\"canonical\":[\"created_at\","
                            "\"mql_at\"]}") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "\"unmapped\":[{\"table\":\"leads\",\"column\":\"source\","
                            "\"source\":\"origin\",\"kind\":\"channel\",\"rows\":6,"
                            "\"values\":[{\"value\":\"unknown\",\"rows\":3},"
                            "{\"value\":\"display\",\"rows\":2},"
                            "{\"value\":\"other\",\"rows\":1}]}]") != NULL, "%s", r.out);
    run_result_free(&r);

    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *run[] = {leadpack_bin(), "run", "--input", input, "--mapping", mapping,
                         "--as-of", "2026-11-25T00:00:00Z", "--out", out, "--quiet", NULL};
    r = run_program(run, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char *headline = results_file(out, "headline.csv");
    cr_expect(strstr(headline, "\nmql_count,2026-W47,9,") != NULL, "%s", headline);
    free(headline);
}
