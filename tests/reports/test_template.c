/* Report packs: the four shipped packs load, and every mistake a user can
 * make in a pack is reported with its file and line. Expected line numbers
 * are counted by hand in the YAML texts below (line 1 = first line). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp/template.h"

#define TEMPLATES_DIR LP_SOURCE_DIR "/templates"

static char tmp_dir[64];

static void make_tmp(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/lp-template-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
}

static void remove_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    cr_expect_eq(system(cmd), 0);
}

/* Writes text to tmp_dir/name and returns the path in path. */
static void write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmp_dir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

TestSuite(template, .init = make_tmp, .fini = remove_tmp);

static const lp_template_section *section(const lp_template *tpl, const char *id)
{
    for (size_t i = 0; i < tpl->nsections; i++)
        if (strcmp(tpl->sections[i].id, id) == 0) return &tpl->sections[i];
    return NULL;
}

Test(template, weekly_leadership_is_complete)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_template *tpl = NULL;
    lp_status st = lp_template_load(TEMPLATES_DIR, "weekly-leadership", &tpl, errmsg);
    cr_assert_eq(st, LP_OK, "%s", errmsg);
    cr_expect_str_eq(tpl->name, "weekly-leadership");
    /* The weekly pack names no period kind: it follows the settings. */
    cr_expect_null(tpl->period);
    static const char *const kinds[] = {"cover", "headlines", "volume", "campaigns",
                                        "pipeline", "sla", "won", "funnel", "routing",
                                        "forecast", "quality", "definitions"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        cr_assert_lt(i, tpl->nsections);
        cr_expect_str_eq(tpl->sections[i].kind, kinds[i]);
    }
    const lp_template_section *h = section(tpl, "headlines");
    cr_assert_not_null(h);
    cr_expect_str_eq(h->title, "This week in plain English");
    const lp_template_section *sla = section(tpl, "sla");
    cr_expect_str_eq(sla->table, "sla_by_team");
    cr_expect_str_eq(sla->chart, "intervals");
    cr_expect_eq(sla->ncolumns, 6);
    cr_expect_str_eq(sla->columns[2], "within");
    cr_expect(section(tpl, "cover")->pdf);
    cr_expect(!section(tpl, "cover")->workbook);
    cr_expect(!section(tpl, "parameters")->pdf);
    /* Default wording is merged in. */
    cr_expect_str_eq(lp_template_text(tpl, "verdict.noise"), "within normal {normal} variation");
    cr_expect_null(lp_template_text(tpl, "no.such.key"));
    lp_template_free(tpl);
}

Test(template, all_four_packs_load)
{
    static const char *const names[] = {"weekly-leadership", "monthly-marketing-review",
                                        "sla-scorecard", "partner-scorecard"};
    /* NULL: the pack follows the settings' period kind. */
    static const char *const periods[] = {NULL, "month", NULL, "month"};
    for (size_t i = 0; i < 4; i++) {
        char errmsg[LP_ERRMSG_SIZE] = "";
        lp_template *tpl = NULL;
        cr_assert_eq(lp_template_load(TEMPLATES_DIR, names[i], &tpl, errmsg), LP_OK, "%s: %s",
                     names[i], errmsg);
        cr_expect_str_eq(tpl->name, names[i]);
        if (periods[i])
            cr_expect_str_eq(tpl->period, periods[i]);
        else
            cr_expect_null(tpl->period);
        cr_expect_gt(tpl->nsections, 3);
        cr_expect(tpl->description && *tpl->description);
        for (size_t s = 0; s < tpl->nsections; s++) cr_expect(tpl->sections[s].title != NULL);
        lp_template_free(tpl);
    }
}

Test(template, pack_wording_overrides_default)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_template *tpl = NULL;
    cr_assert_eq(lp_template_load(TEMPLATES_DIR, "monthly-marketing-review", &tpl, errmsg),
                 LP_OK, "%s", errmsg);
    cr_expect_str_eq(lp_template_text(tpl, "section.cover.audience"),
                     "it is written for {audience}, and looks at campaigns in depth");
    /* A section without a title takes its kind's default title. */
    cr_expect_str_eq(section(tpl, "funnel")->title, "From lead to won deal");
    lp_template_free(tpl);
}

static void collect(void *ctx, const char *name, const char *description)
{
    char *out = ctx;
    strcat(out, name);
    strcat(out, description[0] ? "+" : "-");
    strcat(out, ";");
}

Test(template, list_names_packs_in_order)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    char names[512] = "";
    cr_assert_eq(lp_template_list(TEMPLATES_DIR, collect, names, errmsg), LP_OK, "%s", errmsg);
    cr_expect_str_eq(names, "monthly-marketing-review+;partner-scorecard+;sla-scorecard+;"
                            "weekly-leadership+;");
}

Test(template, result_catalogue)
{
    cr_expect(lp_template_result_known("campaign_tests", NULL));
    cr_expect(lp_template_result_known("sla_by_partner", "followup_compliance"));
    cr_expect(!lp_template_result_known("sla_by_partner", "owner_id"));
    cr_expect(!lp_template_result_known("nope", NULL));
}

Test(template, extends_inherits_and_overrides)
{
    char path[256], errmsg[LP_ERRMSG_SIZE] = "";
    write_file("child.yaml",
               "extends: weekly-leadership\n"
               "title: Board pack\n"
               "wording:\n"
               "  verdict.noise: no more than usual\n",
               path, sizeof path);
    lp_template *tpl = NULL;
    cr_assert_eq(lp_template_load(TEMPLATES_DIR, path, &tpl, errmsg), LP_OK, "%s", errmsg);
    cr_expect_str_eq(tpl->name, "child");
    cr_expect_str_eq(tpl->title, "Board pack");
    cr_expect_str_eq(tpl->audience, "VP Sales, VP Marketing, CEO");
    cr_expect_str_eq(tpl->sections[1].id, "headlines");
    cr_expect_str_eq(lp_template_text(tpl, "verdict.noise"), "no more than usual");
    lp_template_free(tpl);
}

/* Arrays, not pointers: Criterion copies parameters into a new process. */
typedef struct bad_case {
    char yaml[160];
    char expect[96]; /* substring of the message, after "FILE " */
} bad_case;

ParameterizedTestParameters(template, rejects_with_line)
{
    static bad_case cases[] = {
        {"name: x\nfoo: 1\nsections:\n  - {id: a, kind: cover}\n",
         "line 2: unknown key \"foo\""},
        {"name: x\nsections:\n  - id: a\n    kind: coverr\n",
         "line 4: unknown section kind \"coverr\""},
        {"name: x\nsections:\n  - id: a\n    kind: sla\n    table: sla_by_teams\n",
         "line 5: unknown result table \"sla_by_teams\""},
        {"name: x\nsections:\n  - id: a\n    kind: sla\n    table: sla_by_team\n"
         "    columns: [team, within, complaince]\n",
         "line 6: unknown column \"complaince\" in result table \"sla_by_team\""},
        {"name: x\nsections:\n  - id: a\n    kind: cover\n  - id: a\n    kind: sla\n",
         "line 5: duplicate section id \"a\" (first at line 3)"},
        {"name: x\nsections:\n  - id: a\n    kind: cover\n    colour: red\n",
         "line 5: unknown section key \"colour\""},
        {"name: x\nsections:\n  - {id: a, kind: cover}\nwording:\n  change:\n    upp: x\n",
         "line 6: unknown wording key \"change.upp\""},
        {"name: x\nsections:\n  - id: a\n    kind: cover\n    pdf: maybe\n",
         "line 5: pdf must be true or false"},
        {"name: x\nsections:\n  - id: a\n    kind: sla\n    chart: pie\n",
         "line 5: unknown chart kind \"pie\""},
        {"name: x\nperiod: fortnight\nsections:\n  - {id: a, kind: cover}\n",
         "line 2: unknown period \"fortnight\""},
        {"name: x\nsections:\n  - kind: cover\n", "line 3: a section needs an id"},
        /* two campaigns sections without a table of their own: both would
         * chart cost per MQL of the campaigns table */
        {"name: x\nsections:\n  - {id: a, kind: campaigns}\n  - {id: b, kind: campaigns}\n",
         "line 4: section \"b\" would draw the same chart as section \"a\" (line 3)"},
        {"name: x\nsections:\n  - {id: a, kind: sla, table: sla_by_team}\n"
         "  - {id: b, kind: sla, table: sla_by_team, chart: bars}\n",
         "line 4: section \"b\" would draw the same chart as section \"a\" (line 3)"},
        {"name: x\nsubject: sales\nsections:\n  - {id: a, kind: cover}\n",
         "line 2: unknown subject \"sales\""},
        {"name: x\nsections:\n  - id: a\n    kind: cover\n   bad: [\n", "line "},
        {"name: x\nsections: []\n", "line 2: sections must not be empty"},
        {"name: x\nextends: no-such-pack\nsections:\n  - {id: a, kind: cover}\n",
         "line 2: extends a pack that does not exist"},
        {"name: x\nextends: ../base.yaml\n",
         "line 2: extends: a path must stay in the pack's folder"},
        /* a drive letter, refused by the one rule shared with mappings */
        {"name: x\nextends: C:base.yaml\n",
         "line 2: extends: a path must stay in the pack's folder"},
        {"name: x\nextends: \"C:\\\\base.yaml\"\n",
         "line 2: extends: a path must stay in the pack's folder"},
    };
    return cr_make_param_array(bad_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_case *bc, template, rejects_with_line)
{
    char path[256], errmsg[LP_ERRMSG_SIZE] = "";
    write_file("bad.yaml", bc->yaml, path, sizeof path);
    lp_template *tpl = NULL;
    lp_status st = lp_template_load(TEMPLATES_DIR, path, &tpl, errmsg);
    cr_expect_eq(st, LP_ERR_CONFIG, "status %d: %s", st, errmsg);
    cr_expect_null(tpl);
    char want[400];
    snprintf(want, sizeof want, "%s %s", path, bc->expect);
    cr_expect(strstr(errmsg, want) != NULL, "got: %s\nwant: %s", errmsg, want);
}

/* Every shipped pack charts each figure once: no two charts of a pack show
 * the same column of the same table. The monthly review's three campaigns
 * sections chart three tables. */
Test(template, shipped_packs_never_repeat_a_chart)
{
    const char *packs[] = {"weekly-leadership", "monthly-marketing-review", "sla-scorecard",
                           "partner-scorecard"};
    char errmsg[LP_ERRMSG_SIZE] = "";
    for (size_t p = 0; p < sizeof packs / sizeof packs[0]; p++) {
        lp_template *tpl = NULL;
        cr_assert_eq(lp_template_load(TEMPLATES_DIR, packs[p], &tpl, errmsg), LP_OK, "%s",
                     errmsg);
        lp_template_chart seen[64];
        const char *by[64];
        size_t nseen = 0;
        for (size_t i = 0; i < tpl->nsections; i++) {
            lp_template_chart c[LP_TEMPLATE_MAX_CHARTS];
            size_t n = lp_template_section_charts(tpl, i, c);
            for (size_t k = 0; k < n && nseen < 64; k++) {
                for (size_t j = 0; j < nseen; j++)
                    cr_expect(strcmp(seen[j].table, c[k].table) ||
                                  strcmp(seen[j].value, c[k].value),
                              "%s: sections %s and %s both chart %s of %s", packs[p], by[j],
                              tpl->sections[i].id, c[k].value, c[k].table);
                seen[nseen] = c[k];
                by[nseen++] = tpl->sections[i].id;
            }
        }
        if (strcmp(packs[p], "monthly-marketing-review") == 0) {
            const char *ids[] = {"campaigns", "campaign-tests", "attribution"};
            const char *tables[] = {"campaigns", "campaign_tests", "attribution"};
            for (size_t k = 0; k < 3; k++) {
                size_t i = (size_t)(section(tpl, ids[k]) - tpl->sections);
                lp_template_chart c[LP_TEMPLATE_MAX_CHARTS];
                cr_expect_eq(lp_template_section_charts(tpl, i, c), 1, "%s", ids[k]);
                cr_expect_str_eq(c[0].table, tables[k]);
            }
        }
        lp_template_free(tpl);
    }
}

Test(template, extends_cycle_is_reported)
{
    char a[256], b[256], errmsg[LP_ERRMSG_SIZE] = "";
    /* A path in extends is read beside the extending file. */
    write_file("a.yaml", "name: a\nextends: b.yaml\n", a, sizeof a);
    write_file("b.yaml", "name: b\n\nextends: a.yaml\n", b, sizeof b);
    lp_template *tpl = NULL;
    cr_expect_eq(lp_template_load(TEMPLATES_DIR, a, &tpl, errmsg), LP_ERR_CONFIG);
    char want[400];
    snprintf(want, sizeof want, "%s line 3: extends cycle: a -> b -> a", b);
    cr_expect(strstr(errmsg, want) != NULL, "got: %s", errmsg);

    write_file("self.yaml", "name: self\nextends: self\n", a, sizeof a);
    /* By name, "self" resolves in the packs folder, where it does not exist. */
    cr_expect_eq(lp_template_load(TEMPLATES_DIR, a, &tpl, errmsg), LP_ERR_CONFIG);
    write_file("self.yaml", "extends: self.yaml\n", a, sizeof a);
    cr_expect_eq(lp_template_load(TEMPLATES_DIR, a, &tpl, errmsg), LP_ERR_CONFIG);
    cr_expect(strstr(errmsg, "line 1: extends cycle: self -> self") != NULL, "got: %s", errmsg);
}

Test(template, unknown_pack_is_not_found)
{
    char errmsg[LP_ERRMSG_SIZE] = "";
    lp_template *tpl = NULL;
    cr_expect_eq(lp_template_load(TEMPLATES_DIR, "no-such-pack", &tpl, errmsg), LP_ERR_NOTFOUND);
    cr_expect(strstr(errmsg, "no-such-pack") != NULL);
    lp_template_free(NULL);
}

Test(template, every_allocation_failure_is_clean)
{
    /* Walk the allocation seam over a whole load: each failure is NOMEM
     * and nothing crashes (leaks are caught under ASan). */
    long n_ok = 0;
    for (long n = 1; n < 100000; n++) {
        char errmsg[LP_ERRMSG_SIZE] = "";
        lp_template *tpl = NULL;
        lp_alloc_fail_after(n);
        lp_status st = lp_template_load(TEMPLATES_DIR, "sla-scorecard", &tpl, errmsg);
        lp_alloc_fail_after(0);
        if (st == LP_OK) {
            lp_template_free(tpl);
            n_ok = n;
            break;
        }
        cr_assert_eq(st, LP_ERR_NOMEM, "n=%ld: %s", n, errmsg);
    }
    cr_expect_gt(n_ok, 10);
}

/* The period kind is read as settings read it (lp_period_kind_parse) and
 * kept under its own name. */
Test(template, period_kind_read_as_in_settings)
{
    char path[256], errmsg[LP_ERRMSG_SIZE] = "";
    write_file("fq.yaml", "name: fq\nperiod: Fiscal_Quarter\nsections:\n  - {id: a, kind: cover}\n",
               path, sizeof path);
    lp_template *tpl = NULL;
    cr_assert_eq(lp_template_load(TEMPLATES_DIR, path, &tpl, errmsg), LP_OK, "%s", errmsg);
    cr_expect_str_eq(tpl->period, "fiscal-quarter");
    lp_template_free(tpl);
}
