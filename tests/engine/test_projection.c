/*
 * Loading only the columns the measures read (lp_measures_columns,
 * lp_load_options.columns) gives exactly the results of a whole load, on
 * every fixture dialect; the columns left out are recorded and never
 * reported as missing. The expected results are the whole load's: the
 * claim under test is that the projection changes no number.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lp/load.h"
#include "lp/measures.h"

#define PROFILES LP_SOURCE_DIR "/templates/profiles"

static lp_dataset *load(const char *dir, const char *profile, const uint32_t *columns)
{
    char path[256], err[LP_ERRMSG_SIZE] = "";
    snprintf(path, sizeof path, "%s/fixtures/%s", LP_SOURCE_DIR, dir);
    lp_mapping *m = NULL;
    cr_assert_eq(lp_mapping_load(PROFILES, profile, NULL, &m, err), LP_OK, "%s", err);
    lp_settings s;
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    lp_load_options o = {.input_dir = path, .mapping = m, .settings = &s, .threads = 2,
                         .columns = columns};
    lp_dataset *ds = NULL;
    cr_assert_eq(lp_dataset_load(&o, &ds, err), LP_OK, "%s: %s", dir, err);
    lp_mapping_free(m);
    lp_settings_clear(&s);
    return ds;
}

static void text(const lp_column *col, size_t row, char *buf, size_t size)
{
    if (!lp_column_valid(col, row)) snprintf(buf, size, "<null>");
    else if (col->type == LP_TYPE_STRING) snprintf(buf, size, "%s", lp_column_str(col, row));
    else snprintf(buf, size, "%.17g", lp_column_number(col, row));
}

static void expect_same_results(const lp_results *a, const lp_results *b)
{
    cr_assert_eq(a->ntables, b->ntables);
    for (size_t t = 0; t < a->ntables; t++) {
        const lp_table *x = a->tables[t], *y = b->tables[t];
        cr_assert_str_eq(x->name, y->name);
        cr_assert_eq(x->nrows, y->nrows, "%s rows", x->name);
        cr_assert_eq(x->ncols, y->ncols, "%s columns", x->name);
        for (size_t c = 0; c < x->ncols; c++) {
            for (size_t r = 0; r < x->nrows; r++) {
                char u[512], v[512];
                text(x->columns[c], r, u, sizeof u);
                text(y->columns[c], r, v, sizeof v);
                cr_assert_str_eq(u, v, "%s row %zu %s", x->name, r, x->columns[c]->name);
            }
        }
    }
}

typedef struct proj_case {
    char dir[48];
    char profile[24];
} proj_case;

ParameterizedTestParameters(projection, same_results_as_a_whole_load)
{
    static proj_case cases[] = {
        {"sample/salesforce", "salesforce"}, {"sample/hubspot", "hubspot"},
        {"dialects/marketo", "marketo"},     {"dialects/pipedrive", "pipedrive"},
        {"dialects/generic", "generic"},     {"tiny", "generic"},
    };
    return cr_make_param_array(proj_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(proj_case *c, projection, same_results_as_a_whole_load, .timeout = 60)
{
    uint32_t columns[LP_TABLE_COUNT];
    lp_measures_columns(columns);
    lp_dataset *whole = load(c->dir, c->profile, NULL);
    lp_dataset *pack = load(c->dir, c->profile, columns);

    size_t whole_bytes = 0, pack_bytes = 0;
    for (int id = 0; id < LP_TABLE_COUNT; id++) {
        cr_expect_eq(whole->unloaded[id], 0u);
        whole_bytes += lp_table_bytes(whole->tables[id]);
        pack_bytes += lp_table_bytes(pack->tables[id]);
        /* every column left out was in the export and is outside the mask */
        cr_expect_eq(pack->unloaded[id] & columns[id], 0u);
        size_t n;
        const lp_canon_column *canon = lp_canon_columns((lp_table_id)id, &n);
        for (size_t k = 0; k < n; k++)
            if (pack->unloaded[id] >> k & 1) {
                cr_expect_not_null(lp_table_column(whole->tables[id], canon[k].name), "%s.%s",
                                   lp_canon_table_name((lp_table_id)id), canon[k].name);
                cr_expect_null(lp_table_column(pack->tables[id], canon[k].name));
            }
    }
    /* the same rejects; every note of the pack is one of the whole load's
     * (a column left out is not reported missing); the whole load may have
     * more only for values the pack never reads */
    cr_expect_eq(pack->nrejects, whole->nrejects);
    for (size_t i = 0; i < pack->nnotes; i++) {
        bool found = false;
        for (size_t j = 0; j < whole->nnotes && !found; j++)
            found = !strcmp(pack->notes[i].message, whole->notes[j].message);
        cr_expect(found, "note only when columns are left out: %s", pack->notes[i].message);
    }
    for (size_t j = 0; j < whole->nnotes; j++)
        if (strcmp(whole->notes[j].kind, "bad_value") != 0) {
            bool found = false;
            for (size_t i = 0; i < pack->nnotes && !found; i++)
                found = !strcmp(pack->notes[i].message, whole->notes[j].message);
            cr_expect(found, "note lost: %s", whole->notes[j].message);
        }
    if (strcmp(c->dir, "tiny") != 0) cr_expect_lt(pack_bytes, whole_bytes);

    lp_settings s;
    cr_assert_eq(lp_settings_init(&s), LP_OK);
    lp_measures_options mo = {.settings = &s};
    char err[LP_ERRMSG_SIZE] = "";
    lp_results *a = NULL, *b = NULL;
    cr_assert_eq(lp_measures_compute(whole, &mo, &a, err), LP_OK, "%s", err);
    cr_assert_eq(lp_measures_compute(pack, &mo, &b, err), LP_OK, "%s", err);
    expect_same_results(a, b);
    /* The measures reuse the loader's lead-id lookups (lp_dataset.lead_codes);
     * without them they look the ids up themselves, to the same results. */
    if (pack->tables[LP_TOUCHES] && pack->tables[LP_LEADS])
        cr_expect_not_null(pack->lead_codes[LP_TOUCHES]);
    for (int id = 0; id < LP_TABLE_COUNT; id++) {
        lp_free(pack->lead_codes[id]);
        pack->lead_codes[id] = NULL;
    }
    lp_results *own = NULL;
    cr_assert_eq(lp_measures_compute(pack, &mo, &own, err), LP_OK, "%s", err);
    expect_same_results(b, own);
    lp_results_free(own);
    lp_results_free(a);
    lp_results_free(b);
    lp_settings_clear(&s);
    lp_dataset_free(whole);
    lp_dataset_free(pack);
}

/* The sample's Salesforce leads carry Phone and Industry: the pack leaves
 * them out and says so, without a "missing_column" note. */
Test(projection, leaves_out_what_no_figure_reads)
{
    uint32_t columns[LP_TABLE_COUNT];
    lp_measures_columns(columns);
    const lp_canon_column *phone = lp_canon_column_find(LP_LEADS, "phone");
    const lp_canon_column *mql = lp_canon_column_find(LP_LEADS, "mql_at");
    size_t n;
    const lp_canon_column *leads = lp_canon_columns(LP_LEADS, &n);
    cr_expect_eq(columns[LP_LEADS] >> (phone - leads) & 1, 0u);
    cr_expect_eq(columns[LP_LEADS] >> (mql - leads) & 1, 1u);
    lp_dataset *ds = load("sample/salesforce", "salesforce", columns);
    cr_expect_eq(ds->unloaded[LP_LEADS] >> (phone - leads) & 1, 1u);
    cr_expect_null(lp_table_column(ds->tables[LP_LEADS], "phone"));
    cr_expect_not_null(lp_table_column(ds->tables[LP_LEADS], "mql_at"));
    lp_dataset_free(ds);
}
