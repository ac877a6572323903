/*
 * Acceptance of the shipped packs: each template of templates/packs renders
 * from the built-in sample (no --input: fixtures/sample/salesforce) at a
 * fixed as-of, and independent tools read what it wrote:
 *   PDF       qpdf --check, pdffonts, pdftotext, pdfinfo, qpdf --json
 *             (tests/cli/pdf_check.py);
 *   workbook  openpyxl and one LibreOffice headless conversion
 *             (tests/cli/workbook_check.py).
 *
 * Periods worked out by hand from --as-of 2026-11-23T09:00:00Z, a Monday
 * (`date -u -d 2026-11-23 +%A` says Monday, `date -u -d 2026-11-23 +%G-W%V`
 * says 2026-W48): the last complete ISO week is 2026-W47 (16-22 November),
 * the one before it 2026-W46; the last complete month is October, 2026-10.
 *
 * The page rule checked for every PDF: one bookmark per template section
 * with pdf = true, in template order, titled with the section's title (the
 * cover's with the pack title); each starts a new page, the first on page 1;
 * every other page continues the section before it under a "TITLE
 * (continued)" heading; so Pages = PDF sections + continuation pages.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp/template.h"
#include "runner.h"

#define PYTHON "/usr/bin/python3"
#define AS_OF "2026-11-23T09:00:00Z"
#define TEMPLATES LP_SOURCE_DIR "/templates"

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
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* The first line of path, without its newline, into buf. */
static bool first_line(const char *path, char *buf, size_t size)
{
    char *text = read_file(path, NULL);
    if (!text) return false;
    snprintf(buf, size, "%s", text);
    buf[strcspn(buf, "\r\n")] = '\0';
    free(text);
    return true;
}

/* leadpack run on the sample into out; template may be NULL (the default). */
static void run_pack(const char *template, const char *out)
{
    const char *with[] = {leadpack_bin(), "run", "--template", template, "--as-of", AS_OF,
                          "--out", out, "--quiet", NULL};
    const char *without[] = {leadpack_bin(), "run", "--as-of", AS_OF, "--out", out,
                             "--quiet", NULL};
    run_result r = run_program(template ? with : without, NULL);
    cr_assert_eq(r.exit_code, 0, "leadpack run %s: exit %d, stderr: %s",
                 template ? template : "(default)", r.exit_code, r.err);
    cr_expect_str_eq(r.err, "", "--quiet still wrote: %s", r.err);
    run_result_free(&r);
}

Test(packs, templates_lists_the_four_shipped_packs)
{
    const char *argv[] = {leadpack_bin(), "templates", NULL};
    run_result r = run_program(argv, NULL);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    /* Sorted by name, one a line, name first. */
    const char *want[] = {"monthly-marketing-review", "partner-scorecard", "sla-scorecard",
                          "weekly-leadership"};
    const char *line = r.out;
    for (size_t i = 0; i < 4; i++) {
        cr_assert(line && *line, "only %zu packs listed: %s", i, r.out);
        size_t n = strlen(want[i]);
        cr_expect(strncmp(line, want[i], n) == 0 && (line[n] == ' ' || line[n] == '\t'),
                  "line %zu is not %s: %.80s", i + 1, want[i], line);
        line = strchr(line, '\n');
        if (line) line++;
    }
    cr_expect(!line || !*line, "more than four packs: %s", r.out);
    run_result_free(&r);
}

/* An installed binary (a copy outside the build folder, with
 * PREFIX/share/leadpack beside PREFIX/bin) reads its share folder, and one
 * without a share folder never falls back on the source tree it was built
 * from: only a binary running from its build folder reads templates/. */
static char *install_copy(bool with_share)
{
    char *prefix = make_temp_dir();
    char bin[512], share[512], cmd[2048];
    snprintf(bin, sizeof bin, "%s/bin", prefix);
    snprintf(share, sizeof share, "%s/share/leadpack", prefix);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/leadpack'", bin, leadpack_bin(), bin);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    if (with_share) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -R '%s' '%s/templates'", share,
                 TEMPLATES, share);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        char marker[600];
        snprintf(marker, sizeof marker, "%s/templates/packs/installed-marker.yaml", share);
        FILE *f = fopen(marker, "w");
        cr_assert_not_null(f, "%s", marker);
        fputs("name: installed-marker\ndescription: read from share/leadpack\n"
              "extends: weekly-leadership\n", f);
        fclose(f);
    }
    return prefix;
}

static void remove_tree(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0, "%s", cmd);
    free(dir);
}

Test(packs, installed_binary_reads_its_share_folder)
{
    char *prefix = install_copy(true);
    char bin[600];
    snprintf(bin, sizeof bin, "%s/bin/leadpack", prefix);
    const char *argv[] = {bin, "templates", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "installed-marker") != NULL, "marker pack not listed: %s", r.out);
    run_result_free(&r);
    remove_tree(prefix);
}

Test(packs, installed_binary_never_reads_the_source_tree)
{
    char *prefix = install_copy(false);
    char bin[600];
    snprintf(bin, sizeof bin, "%s/bin/leadpack", prefix);
    /* Without a share folder it reads the configured install prefix
     * (LP_DATA_DIR), never the source tree; when that prefix holds packs on
     * this machine the two cannot be told apart by the listing. */
    struct stat st;
    if (stat(LP_DATA_DIR "/templates", &st) == 0) {
        remove_tree(prefix);
        cr_skip_test("%s/templates exists on this machine", LP_DATA_DIR);
    }
    const char *argv[] = {bin, "templates", NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 2, "listed packs from somewhere: %s", r.out);
    cr_expect(strstr(r.err, LP_SOURCE_DIR) == NULL, "read the source tree: %s", r.err);
    run_result_free(&r);
    remove_tree(prefix);
}

typedef struct pack_case {
    char name[40];
    char period[16];
} pack_case;

ParameterizedTestParameters(packs, pdf_reads_back)
{
    static pack_case cases[] = {
        {"weekly-leadership", "2026-W47"},
        {"monthly-marketing-review", "2026-10"},
        {"sla-scorecard", "2026-W47"},
        {"partner-scorecard", "2026-10"},
    };
    return cr_make_param_array(pack_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(pack_case *pc, packs, pdf_reads_back, .init = setup, .fini = teardown)
{
    char out[512], pdf[600], xlsx[600], path[600], line[512];
    snprintf(out, sizeof out, "%s/%s", tmp, pc->name);
    run_pack(pc->name, out);

    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_template *tpl = NULL;
    cr_assert_eq(lp_template_load(TEMPLATES, pc->name, &tpl, errmsg), LP_OK, "%s", errmsg);

    /* The files carry the period; the bundle names the pack and period. */
    snprintf(pdf, sizeof pdf, "%s/leadpack-%s.pdf", out, pc->period);
    snprintf(xlsx, sizeof xlsx, "%s/leadpack-%s.xlsx", out, pc->period);
    cr_expect(exists(pdf), "missing %s", pdf);
    cr_expect(exists(xlsx), "missing %s", xlsx);
    snprintf(path, sizeof path, "%s/message/period.txt", out);
    cr_expect(first_line(path, line, sizeof line) && strcmp(line, pc->period) == 0,
              "period.txt: %s", line);
    char subject[300];
    snprintf(subject, sizeof subject, "%s, %s", tpl->title, pc->period);
    snprintf(path, sizeof path, "%s/message/subject.txt", out);
    cr_expect(first_line(path, line, sizeof line) && strcmp(line, subject) == 0,
              "subject.txt is \"%s\", want \"%s\"", line, subject);

    /* The bookmarks the template implies, for pdf_check.py. */
    char headlines[600];
    snprintf(headlines, sizeof headlines, "%s/message/headlines.txt", out);
    const char *argv[64] = {PYTHON, LP_SOURCE_DIR "/tests/cli/pdf_check.py", "--pdf", pdf,
                            "--headlines", headlines};
    size_t argc = 6, npdf = 0;
    for (size_t i = 0; i < tpl->nsections && argc + 3 < 64; i++) {
        const lp_template_section *sec = &tpl->sections[i];
        if (!sec->pdf) continue;
        argv[argc++] = "--section";
        argv[argc++] = strcmp(sec->kind, "cover") == 0 ? tpl->title : sec->title;
        npdf++;
    }
    argv[argc] = NULL;
    cr_expect_gt(npdf, 1, "%s has no PDF sections", pc->name);
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "%s: %s%s", pc->name, r.out, r.err);
    run_result_free(&r);
    lp_template_free(tpl);
}

Test(packs, default_workbook_reads_back_and_recalculates, .init = setup, .fini = teardown)
{
    char out[512], xlsx[600], headline[600], work[600];
    snprintf(out, sizeof out, "%s/pack", tmp);
    run_pack(NULL, out);
    /* The default pack is weekly-leadership: a week, so 2026-W47. */
    snprintf(xlsx, sizeof xlsx, "%s/leadpack-2026-W47.xlsx", out);
    cr_assert(exists(xlsx), "missing %s", xlsx);
    snprintf(headline, sizeof headline, "%s/results/headline.csv", out);
    snprintf(work, sizeof work, "%s/libreoffice", tmp);
    const char *argv[] = {PYTHON, LP_SOURCE_DIR "/tests/cli/workbook_check.py", "pack",
                          "--xlsx", xlsx, "--headline", headline, "--period", "2026-W47",
                          "--previous", "2026-W46", "--work", work, NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    run_result_free(&r);
}

Test(packs, export_text_that_reads_as_a_formula_stays_text, .init = setup, .fini = teardown)
{
    /* Three MQLs of 2026-W47 in the sample (rows of its MQLs sheet) get a
     * company that a spreadsheet would take for a formula. */
    char input[512], out[512], xlsx[600];
    snprintf(input, sizeof input, "%s/salesforce", tmp);
    const char *cp[] = {"/bin/cp", "-r", LP_SOURCE_DIR "/fixtures/sample/salesforce", input,
                        NULL};
    run_result r = run_program(cp, NULL);
    cr_assert_eq(r.exit_code, 0, "cp: %s", r.err);
    run_result_free(&r);
    const char *plant =
        "import csv, sys\n"
        "path = sys.argv[1] + '/Lead.csv'\n"
        "names = {'00Q8d00000000zSEAQ': '=HYPERLINK(\"http://example.com\",\"x\")',\n"
        "         '00Q8d000000010aEAA': '@SUM(1,2)',\n"
        "         '00Q8d000000010qEAA': '+1+1'}\n"
        "with open(path, newline='') as f:\n"
        "    rows = list(csv.reader(f))\n"
        "company = rows[0].index('Company')\n"
        "hits = 0\n"
        "for row in rows[1:]:\n"
        "    if row[0] in names:\n"
        "        row[company] = names[row[0]]\n"
        "        hits += 1\n"
        "assert hits == 3, hits\n"
        "with open(path, 'w', newline='') as f:\n"
        "    csv.writer(f, lineterminator='\\n').writerows(rows)\n";
    const char *py[] = {PYTHON, "-c", plant, input, NULL};
    r = run_program(py, NULL);
    cr_assert_eq(r.exit_code, 0, "planting: %s%s", r.out, r.err);
    run_result_free(&r);

    snprintf(out, sizeof out, "%s/pack", tmp);
    const char *run[] = {leadpack_bin(), "run", "--input", input, "--profile", "salesforce",
                         "--as-of", AS_OF, "--out", out, "--quiet", NULL};
    r = run_program(run, NULL);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    run_result_free(&r);
    snprintf(xlsx, sizeof xlsx, "%s/leadpack-2026-W47.xlsx", out);
    const char *check[] = {PYTHON, LP_SOURCE_DIR "/tests/cli/workbook_check.py", "text",
                           "--xlsx", xlsx, "--sheet", "MQLs",
                           "--text", "=HYPERLINK(\"http://example.com\",\"x\")",
                           "--text", "@SUM(1,2)", "--text", "+1+1", NULL};
    r = run_program(check, NULL);
    cr_expect_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    run_result_free(&r);
}

/* A team is called slow only when it is ranked (at least sla_min_leads
 * eligible MQLs): in the sample's week 47 Mid-Market has 4 eligible MQLs,
 * 1 reached in time (25%, against 78% for the others, p = 0.025), so it
 * is too few to rank and must not be called slow. Python's csv module
 * reads both files; every team_slow subject must be ranked. */
Test(packs, only_ranked_teams_are_called_slow, .init = setup, .fini = teardown)
{
    char out[512];
    snprintf(out, sizeof out, "%s/pack", tmp);
    run_pack(NULL, out);
    const char *script =
        "import csv, sys\n"
        "res = sys.argv[1] + '/results/'\n"
        "teams = {r['team']: r for r in csv.DictReader(open(res + 'sla_by_team.csv'))}\n"
        "mm = teams['Mid-Market']\n"
        "assert (mm['eligible'], mm['within'], mm['ranked']) == ('4', '1', 'false'), mm\n"
        "for f in csv.DictReader(open(res + 'findings.csv')):\n"
        "    if f['kind'] == 'team_slow':\n"
        "        assert teams[f['subject']]['ranked'] == 'true', f\n"
        "        assert int(teams[f['subject']]['eligible']) >= 5, f\n";
    const char *argv[] = {PYTHON, "-c", script, out, NULL};
    run_result r = run_program(argv, NULL);
    cr_expect_eq(r.exit_code, 0, "%s%s", r.out, r.err);
    run_result_free(&r);
}
