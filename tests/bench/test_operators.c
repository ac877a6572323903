/*
 * Operators: filters, group-by, join, sort, period bucketing. Every
 * expected result is worked out by hand from the small tables below.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "operators.h"

/* leads:
 *  row source   owner  created  amount  won
 *   0  web      10     100      5.0     true
 *   1  event    20     200      3.0     false
 *   2  (null)   10     (null)   (null)  (null)
 *   3  web      10     300      7.0     true
 *   4  partner  20     150      1.0     false
 *   5  web      (null) 250      5.0     true
 */
typedef struct fixture {
    lp_table *t;
    lp_column *source, *owner, *created, *amount, *won;
} fixture;

static fixture leads(void)
{
    fixture f;
    f.t = lp_table_new("leads");
    lp_table_add_column(f.t, "source", LP_TYPE_STRING, &f.source);
    lp_table_add_column(f.t, "owner", LP_TYPE_INT64, &f.owner);
    lp_table_add_column(f.t, "created", LP_TYPE_INSTANT, &f.created);
    lp_table_add_column(f.t, "amount", LP_TYPE_DOUBLE, &f.amount);
    lp_table_add_column(f.t, "won", LP_TYPE_BOOL, &f.won);
    const char *src[] = {"web", "event", NULL, "web", "partner", "web"};
    int64_t owner[] = {10, 20, 10, 10, 20, -1};
    int64_t created[] = {100, 200, -1, 300, 150, 250};
    double amount[] = {5, 3, NAN, 7, 1, 5};
    int won[] = {1, 0, -1, 1, 0, 1};
    for (int i = 0; i < 6; i++) {
        if (src[i]) lp_column_append_string(f.source, src[i], strlen(src[i]));
        else lp_column_append_null(f.source);
        if (owner[i] >= 0) lp_column_append_int64(f.owner, owner[i]);
        else lp_column_append_null(f.owner);
        if (created[i] >= 0) lp_column_append_int64(f.created, created[i]);
        else lp_column_append_null(f.created);
        if (!isnan(amount[i])) lp_column_append_double(f.amount, amount[i]);
        else lp_column_append_null(f.amount);
        if (won[i] >= 0) lp_column_append_bool(f.won, won[i]);
        else lp_column_append_null(f.won);
    }
    cr_assert_eq(lp_table_finish(f.t), LP_OK);
    return f;
}

static int32_t code(const fixture *f, const char *s)
{
    return lp_strpool_find(f->t->pool, s, strlen(s));
}

static void expect_rows(const lp_row *rows, size_t n, const lp_row *want, size_t nwant)
{
    cr_assert_eq(n, nwant, "got %zu rows, expected %zu", n, nwant);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(rows[i], want[i], "position %zu: row %u, expected %u", i, rows[i], want[i]);
}

/* ---------------------------------------------------------------- filters */

Test(operators, filters_and_combinations)
{
    fixture f = leads();
    lp_selection *sel;
    cr_assert_eq(lp_selection_new_all(f.t->nrows, &sel), LP_OK);
    /* created in [150, 300): rows 1 (200), 4 (150), 5 (250); 3 (300) is the
     * excluded upper bound, 2 is null. */
    cr_assert_eq(lp_filter_instant_range(f.created, 150, 300, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){1, 4, 5}, 3);
    /* ... and source in {web, partner, (absent "chat" = -1)}: rows 4, 5. */
    int32_t codes[] = {code(&f, "web"), code(&f, "partner"), code(&f, "chat")};
    cr_assert_eq(lp_filter_codes(f.source, codes, 3, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){4, 5}, 2);
    /* ... and won: row 5. */
    cr_assert_eq(lp_filter_bool(f.won, true, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){5}, 1);
    lp_selection_free(sel);

    lp_selection_new_all(f.t->nrows, &sel);
    cr_assert_eq(lp_filter_not_null(f.source, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){0, 1, 3, 4, 5}, 5);
    lp_selection_free(sel);

    lp_selection_new_all(f.t->nrows, &sel);
    cr_assert_eq(lp_filter_null(f.created, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){2}, 1);
    lp_selection_free(sel);

    /* amount in [3, 6): rows 0 (5), 1 (3), 5 (5). */
    lp_selection_new_all(f.t->nrows, &sel);
    cr_assert_eq(lp_filter_double_range(f.amount, 3, 6, sel), LP_OK);
    expect_rows(sel->rows, sel->n, (lp_row[]){0, 1, 5}, 3);
    /* Wrong types are refused. */
    cr_expect_eq(lp_filter_codes(f.owner, codes, 1, sel), LP_ERR_USAGE);
    cr_expect_eq(lp_filter_instant_range(f.amount, 0, 1, sel), LP_ERR_USAGE);
    /* No codes keep nothing. */
    cr_assert_eq(lp_filter_codes(f.source, codes, 0, sel), LP_OK);
    cr_expect_eq(sel->n, 0);
    lp_selection_free(sel);
    lp_table_free(f.t);
}

static bool even_row(void *ctx, size_t row)
{
    (void)ctx;
    return row % 2 == 0;
}

Test(operators, union_fn_and_empty)
{
    lp_selection *a, *b, *u;
    lp_selection_new(4, &a);
    lp_selection_new(4, &b);
    a->rows[0] = 1; a->rows[1] = 4; a->rows[2] = 5; a->n = 3;
    b->rows[0] = 0; b->rows[1] = 4; b->n = 2;
    cr_assert_eq(lp_selection_union(a, b, &u), LP_OK);
    expect_rows(u->rows, u->n, (lp_row[]){0, 1, 4, 5}, 4);
    cr_assert_eq(lp_filter_fn(u, even_row, NULL), LP_OK);
    expect_rows(u->rows, u->n, (lp_row[]){0, 4}, 2);
    lp_selection_free(a);
    lp_selection_free(b);
    lp_selection_free(u);

    /* An empty table: every filter leaves an empty selection. */
    lp_table *t = lp_table_new("empty");
    lp_column *c;
    lp_table_add_column(t, "at", LP_TYPE_INSTANT, &c);
    lp_table_finish(t);
    lp_selection *sel;
    cr_assert_eq(lp_selection_new_all(0, &sel), LP_OK);
    cr_expect_eq(lp_filter_instant_range(c, 0, 10, sel), LP_OK);
    cr_expect_eq(lp_filter_not_null(c, sel), LP_OK);
    cr_expect_eq(sel->n, 0);
    lp_selection_free(sel);
    lp_table_free(t);
}

/* --------------------------------------------------------------- group-by */

/* By source over every row: groups in order of first appearance:
 * web (rows 0, 3, 5), event (1), null (2), partner (4). Amounts: web 5, 7,
 * 5; event 3; null group: null amount; partner 1. */
Test(operators, group_by_one_key)
{
    fixture f = leads();
    lp_groups *g;
    cr_assert_eq(lp_groups_new(f.source, NULL, NULL, &g), LP_OK);
    cr_assert_eq(g->ngroups, 4);
    cr_expect_eq(g->key1[0], code(&f, "web"));
    cr_expect_eq(g->key1[1], code(&f, "event"));
    cr_expect(g->key1_null[2]);
    cr_expect_eq(g->key1[3], code(&f, "partner"));
    expect_rows(g->rows + g->offsets[0], lp_groups_size(g, 0), (lp_row[]){0, 3, 5}, 3);
    cr_expect_eq(g->group_of[4], 3);
    cr_expect_eq(lp_groups_find(g, code(&f, "partner"), 0), 3);
    cr_expect_eq(lp_groups_find(g, 12345, 0), -1);

    double v[4];
    uint8_t def[4];
    struct { lp_agg agg; double q; double want[4]; uint8_t defined[4]; } cases[] = {
        {LP_AGG_COUNT, 0, {3, 1, 1, 1}, {1, 1, 1, 1}},
        {LP_AGG_COUNT_VALID, 0, {3, 1, 0, 1}, {1, 1, 1, 1}},
        {LP_AGG_SUM, 0, {17, 3, 0, 1}, {1, 1, 1, 1}},
        {LP_AGG_MIN, 0, {5, 3, 0, 1}, {1, 1, 0, 1}},
        {LP_AGG_MAX, 0, {7, 3, 0, 1}, {1, 1, 0, 1}},
        {LP_AGG_MEAN, 0, {17.0 / 3.0, 3, 0, 1}, {1, 1, 0, 1}},
        {LP_AGG_COUNT_DISTINCT, 0, {2, 1, 0, 1}, {1, 1, 1, 1}},
        {LP_AGG_MEDIAN, 0, {5, 3, 0, 1}, {1, 1, 0, 1}},
        /* web sorted 5, 5, 7: position (3-1)*0.9 = 1.8 -> 5 + 0.8*2 = 6.6 */
        {LP_AGG_QUANTILE, 0.9, {6.6, 3, 0, 1}, {1, 1, 0, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cr_assert_eq(lp_groups_aggregate(g, f.amount, cases[k].agg, cases[k].q, v, def), LP_OK);
        for (int i = 0; i < 4; i++) {
            cr_expect(fabs(v[i] - cases[k].want[i]) < 1e-12, "agg %d group %d: %g, expected %g",
                      cases[k].agg, i, v[i], cases[k].want[i]);
            cr_expect_eq(def[i], cases[k].defined[i], "agg %d group %d defined", cases[k].agg, i);
            cr_expect_not(isnan(v[i]));
        }
    }
    /* Distinct owners per source: web {10, 10, null} -> 1; event {20} -> 1;
     * null {10} -> 1; partner {20} -> 1. Valid owners: web 2. */
    cr_assert_eq(lp_groups_aggregate(g, f.owner, LP_AGG_COUNT_DISTINCT, 0, v, NULL), LP_OK);
    cr_expect(v[0] == 1 && v[1] == 1 && v[2] == 1 && v[3] == 1);
    cr_assert_eq(lp_groups_aggregate(g, f.owner, LP_AGG_COUNT_VALID, 0, v, NULL), LP_OK);
    cr_expect_eq(v[0], 2);
    /* Sums over strings make no sense. */
    cr_expect_eq(lp_groups_aggregate(g, f.source, LP_AGG_SUM, 0, v, NULL), LP_ERR_USAGE);
    lp_groups_free(g);
    lp_table_free(f.t);
}

/* (owner, source): (10,web) rows 0, 3; (20,event) 1; (10,null) 2;
 * (20,partner) 4; (null,web) 5 -> 5 groups. With a selection of rows
 * {0, 3, 4}: (10,web) {0, 3}, (20,partner) {4}. */
Test(operators, group_by_two_keys_and_selection)
{
    fixture f = leads();
    lp_groups *g;
    cr_assert_eq(lp_groups_new(f.owner, f.source, NULL, &g), LP_OK);
    cr_assert_eq(g->ngroups, 5);
    long web10 = lp_groups_find(g, 10, code(&f, "web"));
    cr_assert_eq(web10, 0);
    expect_rows(g->rows + g->offsets[0], lp_groups_size(g, 0), (lp_row[]){0, 3}, 2);
    cr_expect(g->key2_null[2] && g->key1[2] == 10);
    cr_expect(g->key1_null[4] && g->key2[4] == code(&f, "web"));
    lp_groups_free(g);

    lp_selection *sel;
    lp_selection_new(3, &sel);
    sel->rows[0] = 0; sel->rows[1] = 3; sel->rows[2] = 4; sel->n = 3;
    cr_assert_eq(lp_groups_new(f.owner, f.source, sel, &g), LP_OK);
    cr_assert_eq(g->ngroups, 2);
    cr_expect_eq(lp_groups_size(g, 0), 2);
    cr_expect_eq(lp_groups_size(g, 1), 1);
    cr_expect_eq(g->group_of[1], UINT32_MAX); /* not selected */
    double sums[2];
    cr_assert_eq(lp_groups_aggregate(g, f.amount, LP_AGG_SUM, 0, sums, NULL), LP_OK);
    cr_expect(sums[0] == 12 && sums[1] == 1);
    lp_groups_free(g);

    /* Empty selection: no groups. */
    sel->n = 0;
    cr_assert_eq(lp_groups_new(f.source, NULL, sel, &g), LP_OK);
    cr_expect_eq(g->ngroups, 0);
    cr_expect_eq(lp_groups_aggregate(g, f.amount, LP_AGG_MEDIAN, 0, sums, NULL), LP_OK);
    lp_groups_free(g);
    lp_selection_free(sel);
    lp_table_free(f.t);
}

/* One group: every row has won = true in rows {0, 3, 5}; amounts 5, 7, 5:
 * median 5, mean 17/3, quantile 0.25 at position 0.5 -> 5. */
Test(operators, single_group)
{
    fixture f = leads();
    lp_selection *sel;
    lp_selection_new_all(f.t->nrows, &sel);
    lp_filter_bool(f.won, true, sel);
    lp_groups *g;
    cr_assert_eq(lp_groups_new(f.won, NULL, sel, &g), LP_OK);
    cr_assert_eq(g->ngroups, 1);
    cr_expect_eq(g->key1[0], 1);
    double v;
    lp_groups_aggregate(g, f.amount, LP_AGG_MEDIAN, 0, &v, NULL);
    cr_expect(fabs(v - 5) < 1e-12);
    lp_groups_aggregate(g, f.amount, LP_AGG_MEAN, 0, &v, NULL);
    cr_expect(fabs(v - 17.0 / 3.0) < 1e-12);
    lp_groups_aggregate(g, f.amount, LP_AGG_QUANTILE, 0.25, &v, NULL);
    cr_expect(fabs(v - 5) < 1e-12);
    lp_groups_free(g);
    lp_selection_free(sel);
    lp_table_free(f.t);
}

/* ------------------------------------------------------------------- join */

/* Probe: opportunities.lead_source = web, partner, chat, null (another
 * table, so its codes differ and are translated). Build: leads.source.
 * web -> build rows 0, 3, 5; partner -> 4; chat and null -> nothing. */
Test(operators, join_strings_across_tables)
{
    fixture f = leads();
    lp_table *opp = lp_table_new("opportunities");
    lp_column *ls;
    lp_table_add_column(opp, "lead_source", LP_TYPE_STRING, &ls);
    lp_column_append_string(ls, "chat", 4); /* code 0 here, unknown in leads */
    lp_column_append_string(ls, "web", 3);
    lp_column_append_string(ls, "partner", 7);
    lp_column_append_null(ls);
    lp_table_finish(opp);

    lp_join_index *idx;
    cr_assert_eq(lp_join_index_new(f.source, NULL, &idx), LP_OK);
    lp_row one[4];
    cr_assert_eq(lp_join_lookup(idx, ls, NULL, one), LP_OK);
    expect_rows(one, 4, (lp_row[]){LP_ROW_NONE, 0, 4, LP_ROW_NONE}, 4);

    lp_join *j;
    cr_assert_eq(lp_join_new(idx, ls, NULL, &j), LP_OK);
    cr_assert_eq(j->nprobe, 4);
    cr_assert_eq(j->npairs, 4);
    size_t want_offsets[] = {0, 0, 3, 4, 4};
    for (int i = 0; i < 5; i++) cr_expect_eq(j->offsets[i], want_offsets[i]);
    expect_rows(j->build_rows, j->npairs, (lp_row[]){0, 3, 5, 4}, 4);
    expect_rows(j->probe_rows, j->npairs, (lp_row[]){1, 1, 1, 2}, 4);
    lp_join_free(j);

    /* A probe selection of row 1 only. */
    lp_selection *sel;
    lp_selection_new(1, &sel);
    sel->rows[0] = 1; sel->n = 1;
    cr_assert_eq(lp_join_new(idx, ls, sel, &j), LP_OK);
    cr_expect_eq(j->npairs, 3);
    lp_join_free(j);
    lp_selection_free(sel);
    /* Types must agree. */
    cr_expect_eq(lp_join_lookup(idx, f.owner, NULL, one), LP_ERR_USAGE);
    lp_join_index_free(idx);
    lp_table_free(opp);
    lp_table_free(f.t);
}

/* Build: leads.owner restricted to rows {0,1,2,3,4} (row 5's owner is null
 * anyway). Probe users.owner_id = 20, 10, 30: 20 -> {1, 4}, 10 -> {0, 2, 3},
 * 30 -> {}. */
Test(operators, join_int64_one_to_many)
{
    fixture f = leads();
    lp_table *users = lp_table_new("users");
    lp_column *id;
    lp_table_add_column(users, "owner_id", LP_TYPE_INT64, &id);
    lp_column_append_int64(id, 20);
    lp_column_append_int64(id, 10);
    lp_column_append_int64(id, 30);
    lp_table_finish(users);
    lp_selection *build;
    lp_selection_new_all(5, &build);
    lp_join_index *idx;
    cr_assert_eq(lp_join_index_new(f.owner, build, &idx), LP_OK);
    lp_join *j;
    cr_assert_eq(lp_join_new(idx, id, NULL, &j), LP_OK);
    cr_assert_eq(j->npairs, 5);
    size_t want_offsets[] = {0, 2, 5, 5};
    for (int i = 0; i < 4; i++) cr_expect_eq(j->offsets[i], want_offsets[i]);
    expect_rows(j->build_rows, 5, (lp_row[]){1, 4, 0, 2, 3}, 5);
    lp_join_free(j);
    lp_join_index_free(idx);
    lp_selection_free(build);

    /* Empty build side: nothing matches. */
    lp_selection *none;
    lp_selection_new(0, &none);
    cr_assert_eq(lp_join_index_new(f.owner, none, &idx), LP_OK);
    cr_assert_eq(lp_join_new(idx, id, NULL, &j), LP_OK);
    cr_expect_eq(j->npairs, 0);
    lp_join_free(j);
    lp_join_index_free(idx);
    lp_selection_free(none);
    lp_table_free(users);
    lp_table_free(f.t);
}

/* ------------------------------------------------------------------- sort */

/* source ascending (event < partner < web by bytes, though the codes are
 * web 0, event 1, partner 2), then amount descending; ties keep input
 * order; the null source last: event 1, partner 4, web 3 (7), 0 (5),
 * 5 (5), null 2. Source descending: web 3, 0, 5, partner 4, event 1, and
 * the null still last. created ascending: 0 (100), 4 (150), 1 (200),
 * 5 (250), 3 (300), 2 (null). */
Test(operators, sort_multi_key_stable_nulls_last)
{
    fixture f = leads();
    lp_row out[6];
    lp_sort_key k1[] = {{f.source, false}, {f.amount, true}};
    cr_assert_eq(lp_sort(k1, 2, NULL, out), LP_OK);
    expect_rows(out, 6, (lp_row[]){1, 4, 3, 0, 5, 2}, 6);
    lp_sort_key k2[] = {{f.source, true}, {f.amount, true}};
    cr_assert_eq(lp_sort(k2, 2, NULL, out), LP_OK);
    expect_rows(out, 6, (lp_row[]){3, 0, 5, 4, 1, 2}, 6);
    lp_sort_key k3[] = {{f.created, false}};
    cr_assert_eq(lp_sort(k3, 1, NULL, out), LP_OK);
    expect_rows(out, 6, (lp_row[]){0, 4, 1, 5, 3, 2}, 6);
    /* Only equal keys: input order. amount ascending over rows {0, 5}. */
    lp_selection *sel;
    lp_selection_new(2, &sel);
    sel->rows[0] = 0; sel->rows[1] = 5; sel->n = 2;
    lp_sort_key k4[] = {{f.amount, false}};
    cr_assert_eq(lp_sort(k4, 1, sel, out), LP_OK);
    expect_rows(out, 2, (lp_row[]){0, 5}, 2);
    sel->n = 0;
    cr_assert_eq(lp_sort(k4, 1, sel, out), LP_OK);
    lp_selection_free(sel);
    lp_table_free(f.t);
}

/* -------------------------------------------------------------- bucketing */

/* ISO weeks in UTC: 2026-01-01 is a Thursday, so week 1 runs Mon 2025-12-29
 * to Sun 2026-01-04 and Mon 2026-01-05 starts 2026-W02. Instants:
 * 2026-01-05 00:00:00 (W02), 2026-01-11 23:59:59 (W02), 2026-01-12 00:00
 * (W03), null, 2026-01-04 23:59:59 (W01). */
Test(operators, period_bucketing)
{
    cr_assert_eq(lp_tz_set("UTC"), LP_OK);
    lp_calendar cal = {LP_PERIOD_WEEK, 1};
    lp_table *t = lp_table_new("x");
    lp_column *at, *day, *ord;
    lp_table_add_column(t, "at", LP_TYPE_INSTANT, &at);
    lp_table_add_column(t, "day", LP_TYPE_DATE, &day);
    int64_t d5 = lp_days_from_civil(2026, 1, 5);
    lp_column_append_int64(at, d5 * 86400);
    lp_column_append_int64(at, (d5 + 7) * 86400 - 1);
    lp_column_append_int64(at, (d5 + 7) * 86400);
    lp_column_append_null(at);
    lp_column_append_int64(at, d5 * 86400 - 1);
    lp_column_append_date(day, (int32_t)d5);
    lp_column_append_date(day, (int32_t)d5 + 6);
    lp_column_append_date(day, (int32_t)d5 + 7);
    lp_column_append_null(day);
    lp_column_append_date(day, (int32_t)d5 - 1);
    lp_table_finish(t);

    const char *want[] = {"2026-W02", "2026-W02", "2026-W03", NULL, "2026-W01"};
    int64_t o[5];
    char label[32];
    for (int pass = 0; pass < 2; pass++) {
        cr_assert_eq(lp_period_bucket(&cal, pass ? day : at, o), LP_OK);
        for (int i = 0; i < 5; i++) {
            if (!want[i]) {
                cr_expect_eq(o[i], LP_PERIOD_NONE);
                continue;
            }
            lp_period_label(&cal, o[i], label, sizeof label);
            cr_expect_str_eq(label, want[i], "pass %d row %d", pass, i);
        }
        cr_expect_eq(o[2], o[0] + 1);
        cr_expect_eq(o[4], o[0] - 1);
    }

    lp_table_add_column(t, "week", LP_TYPE_INT64, &ord);
    cr_assert_eq(lp_period_bucket_column(&cal, at, ord), LP_OK);
    cr_assert_eq(ord->length, 5);
    cr_expect_eq(ord->null_count, 1);
    cr_expect_not(lp_column_valid(ord, 3));
    cr_expect_eq(ord->v.i64[2], o[2]);
    cr_expect_eq(lp_table_finish(t), LP_OK);
    /* Then group by week: W02 has rows 0, 1. */
    lp_groups *g;
    cr_assert_eq(lp_groups_new(ord, NULL, NULL, &g), LP_OK);
    cr_expect_eq(g->ngroups, 4); /* W02, W03, null, W01 */
    cr_expect_eq(lp_groups_size(g, 0), 2);
    lp_groups_free(g);
    /* Wrong column type. */
    cr_expect_eq(lp_period_bucket(&cal, ord, o), LP_ERR_USAGE);
    lp_table_free(t);
}
