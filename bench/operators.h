/*
 * operators.h: columnar operators over lp_column (lp/table.h): filter,
 * group-by, join, sort and period bucketing.
 *
 * Not part of the engine: the measures run their own loops over columns.
 * These operators live in bench/ as the library lp_operators, which lp_bench
 * links to time them over each scale's data (bench/ops.c) and which
 * tests/bench tests.
 *
 * Every operator works on row indices. A selection is an ascending list of
 * row numbers of one table; filters narrow it in place, so predicates
 * combine by successive filtering:
 *
 *     lp_selection *sel;
 *     lp_selection_new_all(leads->nrows, &sel);
 *     lp_filter_instant_range(mql_at, p_start, p_end, sel);   // in P
 *     lp_filter_codes(source, inbound_codes, n_inbound, sel); // and inbound
 *     lp_groups *g;
 *     lp_groups_new(owner_id, NULL, sel, &g);                 // by owner
 *     lp_groups_aggregate(g, hours, LP_AGG_MEDIAN, 0, medians, defined);
 *
 * Row numbers are uint32_t (lp_row): a table of more than UINT32_MAX - 1
 * rows is refused with LP_ERR_LIMIT. Nulls never pass a value predicate,
 * never match in a join, form their own group in a group-by and sort last.
 *
 * No operator allocates per row: buffers are sized up front from the input
 * length. Every operator fails only with LP_ERR_NOMEM (allocation),
 * LP_ERR_USAGE (wrong column type, mismatched lengths) or LP_ERR_LIMIT, and
 * leaves its out_* parameters untouched on failure. Inputs are never
 * changed, except the selection a filter narrows.
 */
#ifndef LP_BENCH_OPERATORS_H
#define LP_BENCH_OPERATORS_H

#include "lp/table.h"
#include "lp/time.h"

/* A row number of a table. */
typedef uint32_t lp_row;
/* "No row": an unmatched probe row in lp_join_lookup. */
#define LP_ROW_NONE UINT32_MAX

/* ---- Selections ---- */

/* An ascending, duplicate-free list of row numbers (owned by the struct). */
typedef struct lp_selection {
    lp_row *rows;     /* n row numbers, ascending */
    size_t n;         /* rows selected */
    size_t cap;       /* rows allocated (>= n) */
} lp_selection;

/* Selection of every row 0..nrows-1. LP_ERR_LIMIT when nrows >= UINT32_MAX. */
lp_status lp_selection_new_all(size_t nrows, lp_selection **out_sel);
/* Empty selection with room for `capacity` rows. */
lp_status lp_selection_new(size_t capacity, lp_selection **out_sel);
/* Independent copy of sel. */
lp_status lp_selection_copy(const lp_selection *sel, lp_selection **out_copy);
void lp_selection_free(lp_selection *sel);
/* Rows in a or in b (both ascending), as a new selection: an "or" of two
 * filter chains started from the same rows. */
lp_status lp_selection_union(const lp_selection *a, const lp_selection *b,
                             lp_selection **out_sel);

/* ---- Filters: each keeps the rows of sel that satisfy the predicate, in
 * place (order kept). A column shorter than a selected row is LP_ERR_USAGE.
 * Nulls are dropped by every filter except lp_filter_null. ---- */

/* Keeps rows whose value v satisfies lo <= v < hi. Column types INSTANT and
 * INT64 (seconds or any int64) and DATE (days; compared as int64). */
lp_status lp_filter_instant_range(const lp_column *col, int64_t lo, int64_t hi,
                                  lp_selection *sel);
/* Keeps rows of a DOUBLE column with lo <= v < hi (NaN values dropped). */
lp_status lp_filter_double_range(const lp_column *col, double lo, double hi,
                                 lp_selection *sel);
/* Keeps rows where col is not null (any type). */
lp_status lp_filter_not_null(const lp_column *col, lp_selection *sel);
/* Keeps rows where col is null (any type). */
lp_status lp_filter_null(const lp_column *col, lp_selection *sel);
/* Keeps rows of a STRING column whose code is one of codes[0..ncodes-1]
 * (codes of the column's own table pool; negative codes are ignored, so the
 * -1 of lp_strpool_find for an absent string is harmless). ncodes = 0 keeps
 * nothing. */
lp_status lp_filter_codes(const lp_column *col, const int32_t *codes, size_t ncodes,
                          lp_selection *sel);
/* Keeps rows of a BOOL column equal to value. */
lp_status lp_filter_bool(const lp_column *col, bool value, lp_selection *sel);
/* Keeps rows for which keep(ctx, row) returns true: any other predicate. */
lp_status lp_filter_fn(lp_selection *sel, bool (*keep)(void *ctx, size_t row), void *ctx);

/* ---- Hash group-by ---- */

/* Groups of rows sharing the value of one or two key columns. Key column
 * types: STRING (codes), DATE, INT64, INSTANT, BOOL; values are widened to
 * int64 in key1/key2. A null key is a group of its own (key_null flag).
 * Groups are numbered in order of first appearance in the selection; the
 * rows of group g are rows[offsets[g] .. offsets[g + 1]), ascending. */
typedef struct lp_groups {
    size_t ngroups;       /* number of groups */
    int64_t *key1;        /* first key of each group (code, days, int) */
    int64_t *key2;        /* second key of each group, NULL with one key */
    uint8_t *key1_null;   /* 1 when the group's key1 is null */
    uint8_t *key2_null;   /* 1 when the group's key2 is null; NULL with one key */
    size_t *offsets;      /* ngroups + 1 offsets into rows */
    lp_row *rows;         /* the selected rows, grouped */
    uint32_t *group_of;   /* group of each row of the table, UINT32_MAX when
                             the row is not in the selection (table length) */
    size_t nrows;         /* rows of the table (length of group_of) */
} lp_groups;

/* Groups the rows of sel (NULL = every row of key1) by key1, or by the pair
 * (key1, key2) when key2 is not NULL (same length as key1). The hash table
 * is sized from the selection up front. Caller frees with lp_groups_free. */
lp_status lp_groups_new(const lp_column *key1, const lp_column *key2,
                        const lp_selection *sel, lp_groups **out_groups);
void lp_groups_free(lp_groups *groups);
/* Rows in group g (offsets[g + 1] - offsets[g]). */
static inline size_t lp_groups_size(const lp_groups *groups, size_t g)
{
    return groups->offsets[g + 1] - groups->offsets[g];
}
/* Group holding the given key(s), or -1. key2 is ignored with one key.
 * Null keys cannot be looked up here (use key1_null). Linear in the number
 * of groups: for a lookup per row, use group_of instead. */
long lp_groups_find(const lp_groups *groups, int64_t key1, int64_t key2);

typedef enum lp_agg {
    LP_AGG_COUNT,          /* rows in the group, nulls of `values` included
                              (values may be NULL) */
    LP_AGG_COUNT_VALID,    /* rows whose value is not null */
    LP_AGG_SUM,            /* sum of valid values; 0 for none (defined) */
    LP_AGG_MIN,            /* smallest valid value */
    LP_AGG_MAX,            /* largest valid value */
    LP_AGG_MEAN,           /* mean of valid values */
    LP_AGG_COUNT_DISTINCT, /* distinct valid values (codes for STRING) */
    LP_AGG_MEDIAN,         /* ordinary sample median: mean of the two middle
                              values for an even count */
    LP_AGG_QUANTILE        /* q-quantile, linear interpolation between order
                              statistics (R type 7, gsl_stats_quantile_from_
                              sorted_data): x[(n-1)q] */
} lp_agg;

/* One aggregate of `values` per group into out_values[0..ngroups-1].
 * values: any numeric type (INT64, DOUBLE, BOOL, DATE, INSTANT, taken as
 * double) or, for COUNT, COUNT_VALID and COUNT_DISTINCT only, STRING; same
 * length as the key columns. q in [0, 1] for LP_AGG_QUANTILE, ignored
 * otherwise. out_defined (may be NULL) gets 1 per group with a value and 0
 * for MIN/MAX/MEAN/MEDIAN/QUANTILE over a group without valid values, whose
 * out_values entry is then 0 (never NaN). Scratch memory: one buffer of the
 * largest group's size. */
lp_status lp_groups_aggregate(const lp_groups *groups, const lp_column *values,
                              lp_agg agg, double q, double *out_values,
                              uint8_t *out_defined);

/* ---- Hash join ---- */

/* A hash index over the valid key values of a build table's rows. Key column
 * types as for group-by; STRING keys are matched by string value, also
 * across tables (the index translates codes itself). */
typedef struct lp_join_index lp_join_index;

/* Indexes the rows of build_sel (NULL = every row) of build_key. Nulls are
 * not indexed. Caller frees with lp_join_index_free. */
lp_status lp_join_index_new(const lp_column *build_key, const lp_selection *build_sel,
                            lp_join_index **out_index);
void lp_join_index_free(lp_join_index *index);

/* One-to-one lookup: for the i-th probe row (of probe_sel, or row i when
 * probe_sel is NULL) writes the smallest build row whose key equals it, or
 * LP_ROW_NONE (null probe key, no match), into out_build_rows[i]. The caller
 * sizes out_build_rows (probe_sel->n, or probe_key->length). */
lp_status lp_join_lookup(const lp_join_index *index, const lp_column *probe_key,
                         const lp_selection *probe_sel, lp_row *out_build_rows);

/* One-to-many result: for probe position i, its matching build rows are
 * build_rows[offsets[i] .. offsets[i + 1]) (ascending); probe_rows holds the
 * probe row of every pair, so (probe_rows[k], build_rows[k]) are the joined
 * pairs in probe order. */
typedef struct lp_join {
    size_t nprobe;        /* probe positions (length of offsets - 1) */
    size_t npairs;        /* matched pairs */
    size_t *offsets;      /* nprobe + 1 offsets into the pair arrays */
    lp_row *probe_rows;   /* npairs probe rows */
    lp_row *build_rows;   /* npairs build rows */
} lp_join;

/* One-to-many join of the probe rows (probe_sel, NULL = every row) against
 * the index (inner join: unmatched probe rows have an empty range). Caller
 * frees with lp_join_free. */
lp_status lp_join_new(const lp_join_index *index, const lp_column *probe_key,
                      const lp_selection *probe_sel, lp_join **out_join);
void lp_join_free(lp_join *join);

/* ---- Sort ---- */

typedef struct lp_sort_key {
    const lp_column *column;  /* any type; STRING sorts by bytes (strcmp) */
    bool descending;          /* false = ascending */
} lp_sort_key;

/* Stable multi-key sort of the rows of sel (NULL = every row of the first
 * key's column): writes the sorted row numbers into out_rows (caller sized:
 * sel->n or the column length). Earlier keys take precedence; nulls sort
 * last whatever the direction; ties keep their input order. DOUBLE NaN
 * sorts as null. nkeys = 0 copies sel unchanged (sel is then required:
 * LP_ERR_USAGE without it). */
lp_status lp_sort(const lp_sort_key *keys, size_t nkeys, const lp_selection *sel,
                  lp_row *out_rows);

/* ---- Period bucketing ---- */

/* Marks a null instant in an ordinal array. */
#define LP_PERIOD_NONE INT64_MIN

/* Period ordinal (lp_period_of, report time zone) of every value of an
 * INSTANT column (or a DATE column, taken at local midnight) into
 * out_ordinals[0..col->length-1]; LP_PERIOD_NONE for nulls. */
lp_status lp_period_bucket(const lp_calendar *cal, const lp_column *col,
                           int64_t *out_ordinals);
/* The same into an INT64 column `out` (empty, e.g. just added with
 * lp_table_add_column), with nulls kept as nulls: ready for lp_groups_new
 * and the filters. */
lp_status lp_period_bucket_column(const lp_calendar *cal, const lp_column *col,
                                  lp_column *out);

#endif
