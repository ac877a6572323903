/*
 * The result catalogue (lp_result_tables, lp/figures.h) is the one list of
 * result tables and columns: renderers format by it and templates are
 * checked against it. These tests compute the measures on checked-in
 * fixtures and hold the catalogue to what the measures produce, table by
 * table and column by column, in order and by type, both ways, so that a
 * column added to a measure and not to the catalogue (or the reverse)
 * fails here. The records behind each headline figure
 * (lp_figure_records_find) are held to the catalogue too: every table and
 * column they name exists.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "lp/figures.h"
#include "lp/load.h"
#include "lp/measures.h"

#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static lp_results *compute(const char *dir, const char *profile, lp_dataset **out_ds,
                           lp_settings *settings)
{
    char path[256], err[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/fixtures/%s", LP_SOURCE_DIR, dir);
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, profile, NULL, &m, err), LP_OK, "%s", err);
    cr_assert_eq(lp_settings_init(settings), LP_OK);
    lp_load_options o = {.input_dir = path, .mapping = m, .settings = settings, .threads = 1};
    cr_assert_eq(lp_dataset_load(&o, out_ds, err), LP_OK, "%s: %s", dir, err);
    lp_mapping_free(m);
    lp_measures_options mo = {.settings = settings};
    lp_results *res = NULL;
    cr_assert_eq(lp_measures_compute(*out_ds, &mo, &res, err), LP_OK, "%s", err);
    return res;
}

typedef struct fixture_case {
    char dir[48];
    char profile[24];
} fixture_case;

ParameterizedTestParameters(result_catalogue, lists_exactly_what_the_measures_produce)
{
    static fixture_case cases[] = {
        {"sample/salesforce", "salesforce"},
        {"tiny", "generic"},
    };
    return cr_make_param_array(fixture_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(fixture_case *c, result_catalogue, lists_exactly_what_the_measures_produce,
                  .timeout = 60)
{
    lp_dataset *ds = NULL;
    lp_settings settings;
    lp_results *res = compute(c->dir, c->profile, &ds, &settings);

    size_t ntables = 0;
    const lp_result_table_def *tables = lp_result_tables(&ntables);
    cr_expect_eq(res->ntables, ntables, "%s: %zu tables produced, %zu in the catalogue",
                 c->dir, res->ntables, ntables);
    size_t n = res->ntables < ntables ? res->ntables : ntables;
    for (size_t t = 0; t < n; t++) {
        const lp_table *made = res->tables[t];
        const lp_result_table_def *def = &tables[t];
        cr_assert_str_eq(made->name, def->name, "table %zu: produced %s, catalogue %s", t,
                         made->name, def->name);
        cr_expect_eq(made->ncols, def->ncolumns, "%s: %zu columns produced, %zu listed",
                     made->name, made->ncols, def->ncolumns);
        size_t ncols = made->ncols < def->ncolumns ? made->ncols : def->ncolumns;
        for (size_t k = 0; k < ncols; k++) {
            const lp_column *col = made->columns[k];
            cr_expect_str_eq(col->name, def->columns[k].name, "%s column %zu", made->name, k);
            cr_expect_eq(col->type, def->columns[k].type, "%s.%s type", made->name,
                         col->name);
        }
        for (size_t k = made->ncols; k < def->ncolumns; k++)
            cr_expect_fail("%s.%s is listed and not produced", def->name,
                           def->columns[k].name);
        for (size_t k = def->ncolumns; k < made->ncols; k++)
            cr_expect_fail("%s.%s is produced and not listed", made->name,
                           made->columns[k]->name);
    }
    for (size_t t = n; t < res->ntables; t++)
        cr_expect_fail("table %s is produced and not listed", res->tables[t]->name);
    for (size_t t = n; t < ntables; t++)
        cr_expect_fail("table %s is listed and not produced", tables[t].name);

    lp_results_free(res);
    lp_dataset_free(ds);
    lp_settings_clear(&settings);
}

/* The catalogue's own rules: names unique, units only on numbers, a row's
 * unit only on doubles. */
Test(result_catalogue, columns_are_well_formed)
{
    size_t ntables = 0;
    const lp_result_table_def *tables = lp_result_tables(&ntables);
    cr_assert_gt(ntables, 0);
    for (size_t t = 0; t < ntables; t++) {
        cr_expect_eq(lp_result_table_find(tables[t].name), &tables[t], "%s listed twice",
                     tables[t].name);
        cr_expect(lp_result_has_column(tables[t].name, NULL));
        for (size_t k = 0; k < tables[t].ncolumns; k++) {
            const lp_result_column_def *col = &tables[t].columns[k];
            cr_expect_eq(lp_result_column_find(tables[t].name, col->name), col,
                         "%s.%s listed twice", tables[t].name, col->name);
            bool number = col->type == LP_TYPE_INT64 || col->type == LP_TYPE_DOUBLE;
            if (!number) cr_expect_eq(col->unit, LP_UNIT_NONE, "%s.%s", tables[t].name, col->name);
            if (col->unit_by_row)
                cr_expect(col->type == LP_TYPE_DOUBLE && col->unit == LP_UNIT_NONE, "%s.%s",
                          tables[t].name, col->name);
            cr_expect_eq(lp_result_unit(tables[t].name, col->name), col->unit);
        }
    }
    cr_expect(!lp_result_has_column("nope", NULL));
    cr_expect(!lp_result_has_column("sla_by_partner", "owner_id"));
    cr_expect(lp_result_has_column("headline", "matures_at"));
    cr_expect_eq(lp_result_unit("funnel", "closed_win_rate"), LP_UNIT_SHARE);
    cr_expect_eq(lp_result_unit("breaches", "owner_name"), LP_UNIT_NONE);
}
