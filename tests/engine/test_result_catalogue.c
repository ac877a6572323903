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
#include <math.h>
#include <string.h>
#include <strings.h>

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
            if (!number)
                cr_expect_eq(col->unit, LP_UNIT_NONE, "%s.%s", tables[t].name, col->name);
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

/* Every table, column and figure the records name exists, and the rule's
 * fields are the ones it reads. */
Test(figure_records, name_what_exists)
{
    size_t n = 0;
    const lp_figure_records *recs = lp_figure_records_all(&n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const lp_figure_records *r = &recs[i];
        cr_expect_not_null(lp_figure_def_find(r->figure), "%s", r->figure);
        cr_expect_eq(lp_figure_records_find(r->figure), r, "%s listed twice", r->figure);
        /* Every headline figure has a detail table; only the every-channel
         * ones have no breakdown (won_by_* are inbound). */
        cr_expect_not_null(r->table, "%s has no records", r->figure);
        if (r->breakdown == LP_TOPIC_NONE)
            cr_expect(strncmp(r->figure, "inbound", 7) != 0 && r->table &&
                          strcmp(r->table, "detail_closed") == 0,
                      "%s has no breakdown", r->figure);
        if (!r->table) continue;
        cr_expect(lp_result_has_column(r->table, NULL), "%s: %s", r->figure, r->table);
        cr_expect_eq(r->test == LP_ROWS_ALL, r->column == NULL, "%s", r->figure);
        char prev[64];
        snprintf(prev, sizeof prev, "%s_previous", r->table);
        const char *pt = r->previous_table ? r->previous_table : prev;
        cr_expect(lp_result_has_column(pt, NULL), "%s: %s", r->figure, pt);
        const char *pc = r->previous_column ? r->previous_column : r->column;
        cr_expect(!r->previous_column || r->column, "%s", r->figure);
        if (r->column) {
            const lp_result_column_def *c = lp_result_column_find(r->table, r->column);
            const lp_result_column_def *d = lp_result_column_find(pt, pc);
            cr_expect_not_null(c, "%s: %s.%s", r->figure, r->table, r->column);
            cr_expect_not_null(d, "%s: %s.%s", r->figure, pt, pc);
            if (c && d && (r->test == LP_ROWS_TRUE || r->test == LP_ROWS_FALSE))
                cr_expect(c->type == LP_TYPE_BOOL && d->type == LP_TYPE_BOOL, "%s: %s",
                          r->figure, r->column);
        }
        cr_expect_eq(r->scope_column == NULL, r->scope_value == NULL, "%s", r->figure);
        if (r->scope_column) {
            const lp_result_column_def *c = lp_result_column_find(r->table, r->scope_column);
            cr_expect(c && c->type == LP_TYPE_STRING, "%s: %s", r->figure, r->scope_column);
            cr_expect(lp_result_has_column(pt, r->scope_column), "%s", r->figure);
        }
        for (int k = 0; k < 2 && r->aged[k]; k++) {
            cr_expect_eq(r->rule, LP_RECORDS_SHARE, "%s: aged columns on a share only",
                         r->figure);
            const lp_result_column_def *c = lp_result_column_find(pt, r->aged[k]);
            cr_expect(c && c->type == LP_TYPE_INSTANT, "%s: %s.%s", r->figure, pt, r->aged[k]);
        }
        /* A row holds at most four criteria: scope, test and two aged. */
        cr_expect_eq(r->rule == LP_RECORDS_SUM, r->sum_column != NULL, "%s", r->figure);
        if (r->sum_column)
            cr_expect(lp_result_has_column(r->table, r->sum_column), "%s", r->figure);
        if (r->rule == LP_RECORDS_RATIO)
            cr_expect_not_null(lp_figure_def_find(r->den), "%s", r->figure);
        else
            cr_expect(!r->num && !r->den, "%s", r->figure);
        if (r->num) cr_expect_not_null(lp_figure_def_find(r->num), "%s", r->figure);
    }
    for (const char *const *m = lp_headline_measures; *m; m++)
        cr_expect_not_null(lp_figure_records_find(*m), "%s has no records entry", *m);
    cr_expect_null(lp_figure_records_find(NULL));
}

/* Whether row of t passes test on column (LP_ROWS_ALL: every row). */
static bool passes(const lp_table *t, const char *column, lp_record_test test, size_t row)
{
    if (test == LP_ROWS_ALL) return true;
    const lp_column *c = lp_table_column(t, column);
    cr_assert_not_null(c, "%s.%s", t->name, column);
    bool valid = lp_column_valid(c, row);
    switch (test) {
    case LP_ROWS_SET: return valid;
    case LP_ROWS_BLANK: return !valid;
    case LP_ROWS_TRUE: return valid && c->v.b[row];
    case LP_ROWS_FALSE: return valid && !c->v.b[row];
    case LP_ROWS_ALL: break;
    }
    return true;
}

/* Whether row of t is in the figure's scope (its scope column equal to
 * the scope value, compared ignoring case). */
static bool in_scope(const lp_table *t, const lp_figure_records *r, size_t row)
{
    if (!r->scope_column) return true;
    const lp_column *c = lp_table_column(t, r->scope_column);
    cr_assert_not_null(c, "%s.%s", t->name, r->scope_column);
    const char *s = lp_column_valid(c, row) ? lp_column_str(c, row) : NULL;
    return s && strcasecmp(s, r->scope_value) == 0;
}

static bool row_selected(const lp_table *t, const lp_figure_records *r, size_t row)
{
    return in_scope(t, r, row) && passes(t, r->column, r->test, row);
}

/* On the sample, each figure that is a count, sum, share or ratio of its
 * records is that count, sum, share or ratio of the detail rows the
 * catalogue names: the detail rows are the records behind the published
 * number. The expected side is computed here from the detail rows,
 * independently of the measures' own arithmetic. */
Test(figure_records, reproduce_the_figures_on_the_sample, .timeout = 60)
{
    lp_dataset *ds = NULL;
    lp_settings settings;
    lp_results *res = compute("sample/salesforce", "salesforce", &ds, &settings);
    size_t n = 0, checked = 0;
    const lp_figure_records *recs = lp_figure_records_all(&n);
    for (size_t i = 0; i < n; i++) {
        const lp_figure_records *r = &recs[i];
        if (!r->table || r->rule == LP_RECORDS_DRAWN) continue;
        lp_figure fig;
        cr_assert_eq(lp_figure_get(res, r->figure, &fig), LP_OK, "%s", r->figure);
        const lp_table *t = lp_results_table(res, r->table);
        cr_assert_not_null(t, "%s", r->table);
        double count = 0, sum = 0, scope = 0;
        const lp_column *sc = r->sum_column ? lp_table_column(t, r->sum_column) : NULL;
        for (size_t row = 0; row < t->nrows; row++) {
            scope += in_scope(t, r, row);
            if (!row_selected(t, r, row)) continue;
            count++;
            if (sc && lp_column_valid(sc, row)) sum += lp_column_number(sc, row);
        }
        double expected = count;
        if (r->rule == LP_RECORDS_SUM) expected = sum;
        if (r->rule == LP_RECORDS_SHARE) expected = count / scope;
        if (r->rule == LP_RECORDS_RATIO) {
            lp_figure num, den;
            cr_assert_eq(lp_figure_get(res, r->den, &den), LP_OK, "%s", r->den);
            double numerator = count;
            if (r->num) {
                cr_assert_eq(lp_figure_get(res, r->num, &num), LP_OK, "%s", r->num);
                numerator = num.value;
            }
            expected = numerator / den.value;
        }
        cr_expect_float_eq(fig.value, expected, 1e-9 * (1 + expected),
                           "%s: %.17g, rows give %.17g", r->figure, fig.value, expected);
        checked++;
    }
    cr_expect_geq(checked, 17);
    lp_results_free(res);
    lp_dataset_free(ds);
    lp_settings_clear(&settings);
}

/* The loaded export's value of text column `want` on the row whose `key`
 * column equals id (first match), or NULL. */
static const char *export_lookup(const lp_table *t, const char *key, const char *id,
                                 const char *want)
{
    const lp_column *k = t ? lp_table_column(t, key) : NULL;
    const lp_column *w = t ? lp_table_column(t, want) : NULL;
    for (size_t r = 0; k && w && id && r < t->nrows; r++) {
        const char *s = lp_column_valid(k, r) ? lp_column_str(k, r) : NULL;
        if (s && strcmp(s, id) == 0) return lp_column_valid(w, r) ? lp_column_str(w, r) : NULL;
    }
    return NULL;
}

/* Every detail table carries the name beside each id: the campaigns and
 * users exports' name of that id, looked up here in the loaded exports. */
Test(detail_tables, carry_names_beside_ids, .timeout = 60)
{
    lp_dataset *ds = NULL;
    lp_settings settings;
    lp_results *res = compute("sample/salesforce", "salesforce", &ds, &settings);
    static const char *const tables[] = {
        "detail_mqls", "detail_inbound_opportunities", "detail_inbound_wins", "detail_touches",
        "detail_mqls_previous", "detail_inbound_opportunities_previous",
        "detail_inbound_wins_previous", "detail_sqls", "detail_sqls_previous",
        "detail_followups", "detail_followups_previous", "detail_closed",
        "detail_closed_previous", "detail_open_inbound_pipeline"};
    size_t campaigns = 0, owners = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        const lp_table *t = lp_results_table(res, tables[i]);
        cr_assert_not_null(t, "%s", tables[i]);
        const lp_column *cid = lp_table_column(t, "campaign_id");
        const lp_column *cname = lp_table_column(t, "campaign_name");
        const lp_column *oid = lp_table_column(t, "owner_id");
        const lp_column *oname = lp_table_column(t, "owner_name");
        /* The follow-up rows name neither (the lead's MQLs row does); the
         * closed and open opportunities name their owner, not campaign. */
        bool followups = strncmp(tables[i], "detail_followups", 16) == 0;
        bool has_campaign = !followups && strncmp(tables[i], "detail_closed", 13) != 0 &&
                            strcmp(tables[i], "detail_open_inbound_pipeline") != 0;
        cr_assert(!has_campaign || (cid && cname), "%s: campaign_id and campaign_name",
                  tables[i]);
        for (size_t r = 0; has_campaign && r < t->nrows; r++) {
            const char *id = lp_column_valid(cid, r) ? lp_column_str(cid, r) : NULL;
            const char *want = export_lookup(ds->tables[LP_CAMPAIGNS], "campaign_id", id, "name");
            const char *got = lp_column_valid(cname, r) ? lp_column_str(cname, r) : NULL;
            cr_expect_str_eq(got ? got : "", want ? want : "", "%s row %zu campaign %s",
                             tables[i], r, id ? id : "");
            if (want) campaigns++;
        }
        if (strcmp(tables[i], "detail_touches") == 0 || followups) continue;
        cr_assert(oid && oname, "%s: owner_id and owner_name", tables[i]);
        for (size_t r = 0; r < t->nrows; r++) {
            const char *id = lp_column_valid(oid, r) ? lp_column_str(oid, r) : NULL;
            const char *want = export_lookup(ds->tables[LP_USERS], "owner_id", id, "name");
            const char *got = lp_column_valid(oname, r) ? lp_column_str(oname, r) : NULL;
            cr_expect_str_eq(got ? got : "", want ? want : "", "%s row %zu owner %s",
                             tables[i], r, id ? id : "");
            if (want) owners++;
        }
    }
    cr_expect_gt(campaigns, 10);
    cr_expect_gt(owners, 10);
    lp_results_free(res);
    lp_dataset_free(ds);
    lp_settings_clear(&settings);
}

/* The previous period's detail rows are the records behind the previous
 * period's counts and sums in the headline table, and behind the maturing
 * shares as compared (changes.csv's previous value): the previous rows
 * whose aged instants are at or before compared_as_of. */
Test(detail_tables, previous_rows_reproduce_the_previous_period, .timeout = 60)
{
    lp_dataset *ds = NULL;
    lp_settings settings;
    lp_results *res = compute("sample/salesforce", "salesforce", &ds, &settings);
    char prev[24];
    lp_period_label(&res->calendar, res->period - 1, prev, sizeof prev);
    const lp_table *h = lp_results_table(res, "headline");
    size_t n = 0, checked = 0, shares = 0;
    const lp_figure_records *recs = lp_figure_records_all(&n);
    for (size_t i = 0; i < n; i++) {
        const lp_figure_records *r = &recs[i];
        if (!r->table || (r->rule != LP_RECORDS_COUNT && r->rule != LP_RECORDS_SUM &&
                          r->rule != LP_RECORDS_SHARE))
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s_previous", r->table);
        const lp_table *t = lp_results_table(res, r->previous_table ? r->previous_table : name);
        cr_assert_not_null(t, "%s", name);
        const char *column = r->previous_column ? r->previous_column : r->column;
        lp_figure fig;
        cr_assert_eq(lp_figure_get(res, r->figure, &fig), LP_OK, "%s", r->figure);
        double count = 0, sum = 0, scope = 0;
        const lp_column *sc = r->sum_column ? lp_table_column(t, r->sum_column) : NULL;
        for (size_t row = 0; row < t->nrows; row++) {
            bool aged_in = in_scope(t, r, row);
            for (int k = 0; k < 2 && r->aged[k]; k++) {
                const lp_column *a = lp_table_column(t, r->aged[k]);
                aged_in = aged_in && lp_column_valid(a, row) &&
                          a->v.i64[row] <= fig.compared_as_of;
            }
            if (!aged_in) continue;
            scope++;
            if (!passes(t, column, r->test, row)) continue;
            count++;
            if (sc && lp_column_valid(sc, row)) sum += lp_column_number(sc, row);
        }
        double expected = r->rule == LP_RECORDS_SUM ? sum : count, published = -1;
        if (r->rule == LP_RECORDS_SHARE) {
            /* as compared: the figure's previous value at compared_as_of */
            expected = count / scope;
            published = fig.previous;
            shares++;
        }
        for (size_t row = 0; r->rule != LP_RECORDS_SHARE && row < h->nrows; row++) {
            const lp_column *m = lp_table_column(h, "measure"), *p = lp_table_column(h, "period");
            if (strcmp(lp_column_str(m, row), r->figure) == 0 &&
                strcmp(lp_column_str(p, row), prev) == 0)
                published = lp_column_number(lp_table_column(h, "value"), row);
        }
        if (r->rule == LP_RECORDS_SHARE && isnan(published)) {
            cr_expect_eq(scope, 0, "%s: no previous value, %g rows", r->figure, scope);
            continue;
        }
        cr_expect_float_eq(published, expected, 1e-9 * (1 + expected), "%s %s: %.17g, rows %.17g",
                           r->figure, prev, published, expected);
        checked++;
    }
    cr_expect_geq(checked, 12);
    cr_expect_eq(shares, 3);
    lp_results_free(res);
    lp_dataset_free(ds);
    lp_settings_clear(&settings);
}
