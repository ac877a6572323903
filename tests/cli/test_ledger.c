/*
 * The ledger of published figures (lp/ledger.h) through `leadpack run` and
 * `leadpack history`: restatements and their causes, worked out by hand on
 * fixtures/ledger (week45: the data as the week 45 pack saw it; week46: a
 * week later, with late, deleted and edited records), on SQLite and on a
 * real PostgreSQL (the server test_warehouse.c starts for this executable);
 * two runs at once on one ledger; files that are not a ledger; a write that
 * fails.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

#define WEEK45 LP_SOURCE_DIR "/fixtures/ledger/week45"
#define WEEK46 LP_SOURCE_DIR "/fixtures/ledger/week46"
#define SAMPLE LP_SOURCE_DIR "/fixtures/sample/salesforce"

/* Worked by hand from fixtures/ledger (ISO weeks: W45 = 2 to 9 November
 * 2026, W46 = 9 to 16 November). The week 45 pack (as of 9 November 12:00)
 * counted the MQLs L01-L06 in W45 (6) and L07 in W44; inbound pipeline
 * created in W45: O1 $40,000 and O2 $10,000 (2, $50,000); won in W45: O1
 * (1, $40,000). A week later L03 is gone, L04 and L05 have mql_at in W46,
 * L08-L12 (mql_at in W45) were added and O1 is $55,000. So W45 now has 8
 * MQLs (L01, L02, L06, L08-L12): 5 arrived, 1 deleted, 2 moved to W46;
 * pipeline $65,000 and won $55,000 (counts unchanged); the average inbound
 * deal and the every-channel won amount follow O1 ($40,000 -> $55,000): the
 * average deal keeps no records of its own, so it gives the cause of the
 * deals won behind it; the every-channel amount keeps none and is recomputed.
 * No other figure of W34-W45 changed (no activities, no sql_at: the SLA
 * and acceptance figures are not available in either pack), and W46 was
 * never published before. */
static const char expected_restatements[] =
    "measure,subject,period,published,now,change,published_as_of,cause\r\n"
    "mql_count,all,2026-W45,6,8,2,2026-11-09T12:00:00Z,5 qualified leads dated in week 45 "
    "arrived after the week 45 pack; 1 was deleted; 2 moved to week 46 (date edited)\r\n"
    "inbound_pipeline_amount,all,2026-W45,50000,65000,15000,2026-11-09T12:00:00Z,"
    "\"an opportunity's amount changed from $40,000 to $55,000\"\r\n"
    "inbound_won_amount,all,2026-W45,40000,55000,15000,2026-11-09T12:00:00Z,"
    "\"an opportunity's amount changed from $40,000 to $55,000\"\r\n"
    "inbound_avg_deal,all,2026-W45,40000,55000,15000,2026-11-09T12:00:00Z,"
    "\"an opportunity's amount changed from $40,000 to $55,000\"\r\n"
    "won_amount,all,2026-W45,40000,55000,15000,2026-11-09T12:00:00Z,"
    "recomputed from the current exports (no record keys are kept for this figure)\r\n";

static run_result run_week(const char *input, const char *period, const char *as_of,
                           const char *out, const char *history)
{
    const char *argv[] = {leadpack_bin(), "run", "--input", input, "--profile", "generic",
                          "--period", period, "--as-of", as_of, "--out", out, "--quiet",
                          history ? "--history" : NULL, history, NULL};
    return run_program(argv, NULL);
}

static char *file_text(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n = 0;
    return read_file(path, &n);
}

/* Both weeks into out with the ledger at history (NULL: the default). */
static void publish_two_weeks(const char *out, const char *history)
{
    run_result r = run_week(WEEK45, "2026-W45", "2026-11-09T12:00:00Z", out, history);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char *first = file_text(out, "results/restatements.csv");
    cr_assert(first != NULL);
    cr_expect_str_eq(first, "measure,subject,period,published,now,change,published_as_of,"
                            "cause\r\n", "nothing was published before the first pack");
    free(first);
    r = run_week(WEEK46, "2026-W46", "2026-11-16T12:00:00Z", out, history);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char *csv = file_text(out, "results/restatements.csv");
    cr_assert(csv != NULL);
    cr_expect_str_eq(csv, expected_restatements);
    free(csv);
}

static void expect_history(const char *history)
{
    const char *argv[] = {leadpack_bin(), "history", "--history", history, "--measure",
                          "mql_count", "--period", "2026-W45", "--json", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    /* Two runs published W45's MQLs: 6 on 9 November (6 keys), 8 a week later. */
    cr_expect(strstr(r.out, "\"as_of\": \"2026-11-09T12:00:00Z\", \"template\": "
                            "\"weekly-leadership\", \"pack_period\": \"2026-W45\", \"measure\": "
                            "\"mql_count\", \"subject\": \"all\", \"period\": \"2026-W45\", "
                            "\"value\": 6, \"unit\": \"count\", \"keys\": 6}") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "\"pack_period\": \"2026-W46\", \"measure\": \"mql_count\", "
                            "\"subject\": \"all\", \"period\": \"2026-W45\", \"value\": 8, "
                            "\"unit\": \"count\", \"keys\": 8}") != NULL, "%s", r.out);
    run_result_free(&r);
}

static long long sqlite_count(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK, "%s",
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
    long long n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

Test(ledger, restatements_and_causes_on_sqlite, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char out[512], history[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    publish_two_weeks(out, NULL);
    snprintf(history, sizeof history, "%s/history.sqlite", out);
    expect_history(history);
    /* The workbook's Data quality sheet lists them, read back with openpyxl. */
    char xlsx[600];
    snprintf(xlsx, sizeof xlsx, "%s/leadpack-2026-W46.xlsx", out);
    const char *py[] = {"/usr/bin/python3", "-c",
                        "import sys, openpyxl\n"
                        "ws = openpyxl.load_workbook(sys.argv[1])['Data quality']\n"
                        "for row in ws.iter_rows(values_only=True):\n"
                        "    print('|'.join('' if v is None else str(v) for v in row).rstrip('|'))\n",
                        xlsx, NULL};
    run_result x = run_program(py, NULL);
    cr_assert_eq(x.exit_code, 0, "%s", x.err);
    cr_expect(strstr(x.out, "Restated since last published\n") != NULL, "%s", x.out);
    cr_expect(strstr(x.out, "mql_count|all|2026-W45|6|8|2|2026-11-09 12:00:00|5 qualified leads "
                            "dated in week 45 arrived after the week 45 pack; 1 was deleted; "
                            "2 moved to week 46 (date edited)") != NULL, "%s", x.out);
    cr_expect(strstr(x.out, "inbound_pipeline_amount|all|2026-W45|50000|65000|15000|"
                            "2026-11-09 12:00:00|an opportunity's amount changed from $40,000 "
                            "to $55,000") != NULL, "%s", x.out);
    run_result_free(&x);
    /* The PDF's About the data section says the same, each cause whole. */
    char pdf[600];
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W46.pdf", out);
    const char *text[] = {"/usr/bin/pdftotext", pdf, "-", NULL};
    x = run_program(text, NULL);
    cr_assert_eq(x.exit_code, 0, "%s", x.err);
    for (char *p = x.out; *p; p++)
        if (*p == '\n') *p = ' ';
    cr_expect(strstr(x.out, "Restated since last published") != NULL, "%s", x.out);
    /* the narrative's sentence (results/statements.csv cites 6 and 8) */
    cr_expect(strstr(x.out, "Qualified leads (MQLs), 2026-W45: 6 then, 8 now; 5 qualified "
                            "leads dated in week 45 arrived after the week 45 pack; 1 was "
                            "deleted; 2 moved to week 46 (date edited).") != NULL, "%s", x.out);
    run_result_free(&x);
    /* Every restated sentence states the figures it cites, in their units. */
    const char *check[] = {"/usr/bin/python3", LP_SOURCE_DIR "/tests/cli/statements_check.py", out,
                           LP_SOURCE_DIR "/templates/packs/weekly-leadership.yaml", pdf, NULL};
    x = run_program(check, NULL);
    cr_expect_eq(x.exit_code, 0, "%s", x.err);
    run_result_free(&x);
    /* Key sets are stored once: 13 periods x 3 figures per run, and the
     * second run adds only the sets that differ (mql W45, W46; pipeline and
     * won W45 (amount), W46 (empty set = W44's empty set, already stored)). */
    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM runs"), 2);
    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM keysets"),
                 sqlite_count(history, "SELECT count(DISTINCT keyset) FROM figures"));
    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM run_inputs"), 4);
    free(tmp);
}

Test(ledger, no_history_keeps_no_ledger, .timeout = 60)
{
    char *tmp = make_temp_dir();
    char out[512];
    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *argv[] = {leadpack_bin(), "run", "--input", WEEK45, "--profile", "generic",
                          "--period", "2026-W45", "--as-of", "2026-11-09T12:00:00Z", "--out",
                          out, "--quiet", "--no-history", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    cr_expect_null(file_text(out, "history.sqlite"));
    cr_expect_null(file_text(out, "results/restatements.csv"));
    free(tmp);
}

/* The server test_warehouse.c started for this executable. */
static const char *pg_port(void)
{
    const char *state = getenv("LP_TEST_PG");
    if (!state || !strcmp(state, "skip"))
        cr_skip_test("PostgreSQL server binaries are missing (apt-get install postgresql)");
    if (!strcmp(state, "failed"))
        cr_assert_fail("the PostgreSQL server did not start; see %s/log", getenv("LP_TEST_PG_DIR"));
    return state;
}

Test(ledger, restatements_and_causes_on_postgresql, .timeout = 120)
{
    const char *port = pg_port();
    setenv("PGPASSWORD", "lp-secret", 1);
    char *tmp = make_temp_dir();
    char out[512], url[256];
    snprintf(out, sizeof out, "%s/pack", tmp);
    snprintf(url, sizeof url, "postgresql://lp@127.0.0.1:%s/leadpack?schema=ledger_%d", port,
             (int)getpid());
    publish_two_weeks(out, url);
    expect_history(url);
    cr_expect_null(file_text(out, "history.sqlite"), "the PostgreSQL ledger replaces the file");
    /* A password in the URL is refused. */
    char bad[300];
    snprintf(bad, sizeof bad, "postgresql://lp:lp-secret@127.0.0.1:%s/leadpack", port);
    run_result r = run_week(WEEK45, "2026-W45", "2026-11-09T12:00:00Z", out, bad);
    cr_expect_eq(r.exit_code, 1, "%s", r.err);
    cr_expect(strstr(r.err, "leave the password out") != NULL, "%s", r.err);
    run_result_free(&r);
    free(tmp);
}

/* Starts leadpack run on the sample into out with the given ledger,
 * without waiting. */
static pid_t start_run(const char *out, const char *history)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(leadpack_bin(), leadpack_bin(), "run", "--out", out, "--history", history,
              "--quiet", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Test(ledger, two_runs_at_once_both_recorded, .timeout = 180)
{
    char *tmp = make_temp_dir();
    char history[512], out_a[512], out_b[512];
    snprintf(history, sizeof history, "%s/shared.sqlite", tmp);
    snprintf(out_a, sizeof out_a, "%s/a", tmp);
    snprintf(out_b, sizeof out_b, "%s/b", tmp);
    /* Twice: first on a ledger that does not exist yet (both create it),
     * then on the ledger they made. */
    for (int round = 1; round <= 2; round++) {
        pid_t a = start_run(out_a, history), b = start_run(out_b, history);
        cr_assert_eq(wait_exit(a), 0);
        cr_assert_eq(wait_exit(b), 0);
        cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM runs"), 2 * round);
        cr_expect_eq(sqlite_count(history, "SELECT count(DISTINCT run_id) FROM figures"),
                     2 * round);
        /* every run recorded all of its figures: 24 measures x 13 periods */
        cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM figures"), 2 * round * 24 * 13);
        cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM schema_version"), 1);
    }
    free(tmp);
}

/* Runs the sample with the ledger at path; expects exit 2 with `words` in
 * the message and the file byte for byte as it was. */
static void expect_refused(const char *tmp, const char *path, const char *words)
{
    size_t n_before = 0, n_after = 0;
    char *before = read_file(path, &n_before);
    char out[512];
    snprintf(out, sizeof out, "%s/refused", tmp);
    const char *argv[] = {leadpack_bin(), "run", "--out", out, "--history", path, "--quiet",
                          NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2, "%s", r.err);
    cr_expect(strstr(r.err, words) != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "leaves it as it is") != NULL, "%s", r.err);
    run_result_free(&r);
    char pdf[600];
    snprintf(pdf, sizeof pdf, "%s/leadpack-2026-W47.pdf", out);
    cr_expect_null(read_file(pdf, &n_after), "a refused ledger stops the run before the pack");
    char *after = read_file(path, &n_after);
    cr_assert(before && after);
    cr_expect(n_before == n_after && memcmp(before, after, n_before) == 0,
              "the file is never overwritten");
    free(before);
    free(after);
}

Test(ledger, corrupt_ledger_refused, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char out[512], history[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *argv[] = {leadpack_bin(), "run", "--out", out, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    snprintf(history, sizeof history, "%s/history.sqlite", out);
    /* Every page after the first (the schema) overwritten. */
    size_t n = 0;
    char *bytes = read_file(history, &n);
    cr_assert(bytes && n > 8192);
    memset(bytes + 4096, 0x55, n - 4096);
    FILE *fp = fopen(history, "wb");
    fwrite(bytes, 1, n, fp);
    fclose(fp);
    free(bytes);
    expect_refused(tmp, history, "is a corrupt ledger");
    free(tmp);
}

Test(ledger, foreign_files_refused, .timeout = 60)
{
    char *tmp = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/customers.sqlite", tmp);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE customers (id INTEGER, name TEXT);"
                                  "INSERT INTO customers VALUES (1, 'Acme')", NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    expect_refused(tmp, path, "is not a leadpack ledger (it holds other tables");

    snprintf(path, sizeof path, "%s/notes.txt", tmp);
    FILE *fp = fopen(path, "w");
    fputs("not a database, just some notes that are long enough to look like a header\n", fp);
    fclose(fp);
    expect_refused(tmp, path, "is not a leadpack ledger (file is not a database)");

    const char *argv[] = {leadpack_bin(), "history", "--history", path, NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2, "%s", r.err);
    run_result_free(&r);
    free(tmp);
}

/* A write that fails: another connection holds the ledger's write lock for
 * longer than the run waits (LEADPACK_LEDGER_BUSY_MS). The pack is written,
 * the run says it was not recorded and exits 3, and the ledger holds only
 * the run before. (As root, a read-only file or folder would not stop the
 * write, so the lock is what fails it here.) */
Test(ledger, failed_write_leaves_ledger_unchanged, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char out[512], history[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *argv[] = {leadpack_bin(), "run", "--out", out, "--quiet", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    snprintf(history, sizeof history, "%s/history.sqlite", out);
    long long figures = sqlite_count(history, "SELECT count(*) FROM figures");

    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(history, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    setenv("LEADPACK_LEDGER_BUSY_MS", "300", 1);
    r = run_program(argv, NULL);
    unsetenv("LEADPACK_LEDGER_BUSY_MS");
    cr_expect_eq(r.exit_code, 3, "%s", r.err);
    cr_expect(strstr(r.err, "was written but not recorded, and the ledger is as it was") != NULL,
              "%s", r.err);
    run_result_free(&r);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);

    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM runs"), 1);
    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM figures"), figures);
    cr_expect_eq(sqlite_count(history, "SELECT count(*) FROM run_inputs WHERE run_id > 1"), 0);
    free(tmp);
}

/* A maturing rate published while its leads were still being worked is
 * restated with that cause, not as records that arrived late. By hand:
 * W46 = 9 to 16 November 2026. L1-L4 are MQLs of W46; the W46 pack (as of
 * 16 November 12:00) sees L1 accepted (sql_at 12 November): 1 of 4 = 0.25.
 * A week later L2 and L3 were accepted (17 and 18 November): 3 of 4 =
 * 0.75, change 0.5. Acceptance matures 30 days after its period: W46 is
 * final on 16 December 2026 (templates/DEFINITIONS.md). The MQL count (4)
 * and W46's SQL count (1: L2 and L3 count in W47) are unchanged; L5 and L6
 * only carry each pack's data up to its period's end. */
static void write_leads(const char *dir, const char *rows)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/leads.csv", dir);
    FILE *fp = fopen(path, "w");
    cr_assert(fp != NULL);
    fputs("lead_id,created_at,source,mql_at,sql_at\n", fp);
    fputs(rows, fp);
    cr_assert_eq(fclose(fp), 0);
}

Test(ledger, maturing_rate_restated_as_maturing, .timeout = 120)
{
    char *tmp = make_temp_dir();
    char w46[600], w47[600], out[600], history[700];
    snprintf(w46, sizeof w46, "%s/w46", tmp);
    snprintf(w47, sizeof w47, "%s/w47", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(history, sizeof history, "%s/history.sqlite", tmp);
    cr_assert_eq(mkdir(w46, 0755), 0);
    cr_assert_eq(mkdir(w47, 0755), 0);
    const char *common = "L1,2026-11-09T09:00:00Z,web,2026-11-10T10:00:00Z,2026-11-12T10:00:00Z\n"
                         "L4,2026-11-12T09:00:00Z,web,2026-11-13T10:00:00Z,\n";
    char rows[1024];
    snprintf(rows, sizeof rows, "%s"
             "L2,2026-11-10T09:00:00Z,web,2026-11-11T10:00:00Z,\n"
             "L3,2026-11-11T09:00:00Z,web,2026-11-12T10:00:00Z,\n"
             "L5,2026-11-16T09:00:00Z,web,,\n", common);
    write_leads(w46, rows);
    snprintf(rows, sizeof rows, "%s"
             "L2,2026-11-10T09:00:00Z,web,2026-11-11T10:00:00Z,2026-11-17T10:00:00Z\n"
             "L3,2026-11-11T09:00:00Z,web,2026-11-12T10:00:00Z,2026-11-18T10:00:00Z\n"
             "L5,2026-11-16T09:00:00Z,web,,\n"
             "L6,2026-11-23T09:00:00Z,web,,\n", common);
    write_leads(w47, rows);
    run_result r = run_week(w46, "2026-W46", "2026-11-16T12:00:00Z", out, history);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    r = run_week(w47, "2026-W47", "2026-11-23T12:00:00Z", out, history);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    char *csv = file_text(out, "results/restatements.csv");
    cr_assert(csv != NULL);
    cr_expect_str_eq(csv, "measure,subject,period,published,now,change,published_as_of,cause\r\n"
                          "acceptance_rate,all,2026-W46,0.25,0.75,0.5,2026-11-16T12:00:00Z,"
                          "\"a maturing rate, published on 16 November 2026 while the leads or "
                          "deals it counts were still being worked (final on 16 December "
                          "2026)\"\r\n");
    free(csv);
    free(tmp);
}
