/*
 * Exports that are not a full CRM: an opportunities-only export (templates/DEFINITIONS.md,
 * measure 5 amended) reports closed business from every channel, and the
 * inbound figures, whose channel cannot be known, are not available rather
 * than zero.
 *
 * Input: the sample's Opportunity.csv without its LeadSource column (so no
 * opportunity has a lead or a source), written by Python's csv module.
 * Expected values worked out from that file with Python's csv module:
 *   won in 2026-W45 (CloseDate 2026-11-02..08, IsWon true): 3 deals,
 *   amount 111,380; closed lost in that week (IsClosed true, IsWon false): 4;
 *   win rate 3 / 7 = 0.428571...
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#define PYTHON "/usr/bin/python3"

static const char *strip_source =
    "import csv, sys\n"
    "src, dst = sys.argv[1], sys.argv[2]\n"
    "rows = list(csv.reader(open(src, newline='')))\n"
    "drop = rows[0].index('LeadSource')\n"
    "w = csv.writer(open(dst, 'w', newline=''), lineterminator='\\n')\n"
    "for r in rows: w.writerow(r[:drop] + r[drop + 1:])\n";

/* The value of column `column` in the row of figures.csv for `figure`. */
static char *figure_field(const char *csv_text, const char *figure, int column, char *buf,
                          size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s,", figure);
    const char *line = strstr(csv_text, key);
    buf[0] = '\0';
    if (!line) return buf;
    line++;
    for (int i = 0; i < column && line; i++) {
        line = strchr(line, ',');
        if (line) line++;
    }
    if (!line) return buf;
    size_t n = strcspn(line, ",\n");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), line);
    return buf;
}

Test(exports, opportunities_only_reports_every_channel_and_no_inbound_zeros)
{
    char *tmp = make_temp_dir();
    cr_assert(tmp);
    char input[512], out[512], file[600], figures[600];
    snprintf(input, sizeof input, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *mk[] = {"/bin/mkdir", "-p", input, NULL};
    run_result r = run_program(mk, NULL);
    run_result_free(&r);
    snprintf(file, sizeof file, "%s/Opportunity.csv", input);
    const char *py[] = {PYTHON, "-c", strip_source,
                        LP_SOURCE_DIR "/fixtures/sample/salesforce/Opportunity.csv", file, NULL};
    r = run_program(py, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *run[] = {leadpack_bin(), "run", "--input", input, "--profile", "salesforce",
                         "--period", "2026-W45", "--as-of", "2026-11-23T00:00:00Z", "--out",
                         out, "--quiet", NULL};
    r = run_program(run, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);

    snprintf(figures, sizeof figures, "%s/results/figures.csv", out);
    char *text = read_file(figures, NULL);
    cr_assert_not_null(text);
    char v[64];
    /* columns: figure,label,unit,scope,period,value,... -> value is column 5 */
    cr_expect_str_eq(figure_field(text, "won_count", 5, v, sizeof v), "3");
    cr_expect_str_eq(figure_field(text, "won_amount", 5, v, sizeof v), "111380");
    double rate = atof(figure_field(text, "win_rate", 5, v, sizeof v));
    cr_expect(rate > 3.0 / 7 - 1e-12 && rate < 3.0 / 7 + 1e-12, "win_rate %s", v);
    /* not available, never zero */
    cr_expect_str_eq(figure_field(text, "inbound_won_count", 5, v, sizeof v), "");
    cr_expect_str_eq(figure_field(text, "inbound_won_amount", 5, v, sizeof v), "");
    cr_expect_str_eq(figure_field(text, "inbound_pipeline_amount", 5, v, sizeof v), "");
    free(text);

    snprintf(figures, sizeof figures, "%s/results/statements.csv", out);
    text = read_file(figures, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "From every channel, sales won $111K of business (3 deals)"),
              "the first page states closed business from every channel:\n%s", text);
    cr_expect(!strstr(text, "$0 of new pipeline came from inbound"), "%s", text);
    free(text);
    snprintf(figures, sizeof figures, "%s/results/switched_off.csv", out);
    text = read_file(figures, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "Inbound figures are not available"), "%s", text);
    free(text);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}

/* Tasks with a blank WhoId belong to a contact or an account, not a lead:
 * they are counted in data quality and left out of the measures, never
 * rejected row by row. Input: the sample plus three copies of its first
 * tasks with WhoId blanked (Python's csv module); the pack's figures are
 * the sample's own, rejects.csv holds no row, and check says "3 rows have
 * no lead". */
static const char *blank_whoid =
    "import csv, shutil, sys\n"
    "src, dst = sys.argv[1], sys.argv[2]\n"
    "shutil.copytree(src, dst)\n"
    "rows = list(csv.reader(open(dst + '/Task.csv', newline='')))\n"
    "who = rows[0].index('WhoId')\n"
    "extra = []\n"
    "for i in range(3):\n"
    "    r = list(rows[1 + i]); r[who] = ''; r[0] = r[0][:-3] + 'ZZ' + str(i); extra.append(r)\n"
    "csv.writer(open(dst + '/Task.csv', 'a', newline=''), lineterminator='\\n').writerows(extra)\n";

Test(exports, tasks_of_no_lead_are_counted_not_rejected)
{
    char *tmp = make_temp_dir();
    cr_assert(tmp);
    char input[512], out[512], plain[512], path[600];
    snprintf(input, sizeof input, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(plain, sizeof plain, "%s/plain", tmp);
    const char *py[] = {PYTHON, "-c", blank_whoid, LP_SOURCE_DIR "/fixtures/sample/salesforce",
                        input, NULL};
    run_result r = run_program(py, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *run[] = {leadpack_bin(), "run", "--input", input, "--as-of",
                         "2026-11-23T09:00:00Z", "--out", out, "--quiet", NULL};
    r = run_program(run, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *run_plain[] = {leadpack_bin(), "run", "--as-of", "2026-11-23T09:00:00Z", "--out",
                               plain, "--quiet", NULL};
    r = run_program(run_plain, NULL);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    snprintf(path, sizeof path, "%s/results/rejects.csv", out);
    char *rejects = read_file(path, NULL);
    cr_assert_not_null(rejects);
    cr_expect_str_eq(rejects, "file,line,column,value,reason\r\n", "%s", rejects);
    free(rejects);
    snprintf(path, sizeof path, "%s/results/headline.csv", out);
    char *with = read_file(path, NULL);
    snprintf(path, sizeof path, "%s/results/headline.csv", plain);
    char *without = read_file(path, NULL);
    cr_assert(with && without);
    cr_expect_str_eq(with, without, "the tasks of no lead change no figure");
    free(with);
    free(without);
    const char *check[] = {leadpack_bin(), "check", "--input", input, NULL};
    r = run_program(check, NULL);
    cr_expect(strstr(r.out, "Task.csv: 3 rows have no lead") ||
                  strstr(r.err, "Task.csv: 3 rows have no lead"),
              "%s%s", r.out, r.err);
    run_result_free(&r);
    const char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
    r = run_program(rm, NULL);
    run_result_free(&r);
    free(tmp);
}
