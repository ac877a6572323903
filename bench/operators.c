/*
 * operators.c: filter, group-by, join, sort and period bucketing over
 * columns (contracts in operators.h).
 *
 * Hash tables here are open-addressing with linear probing, sized up front
 * to a power of two at least twice the number of rows they may hold, so
 * they never grow and the load factor stays at or below one half. Keys are
 * widened to int64 and mixed with the splitmix64 finaliser.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "operators.h"

#define NO_GROUP UINT32_MAX

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* Smallest power of two >= 2 n, at least 16. */
static size_t table_capacity(size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    return cap;
}

/* Key column types: anything stored as an integer. */
static bool key_type_ok(lp_type type)
{
    return type == LP_TYPE_STRING || type == LP_TYPE_DATE || type == LP_TYPE_INT64 ||
           type == LP_TYPE_INSTANT || type == LP_TYPE_BOOL;
}

/* Integer value of a key column at row (the column must be valid there). */
static inline int64_t key_value(const lp_column *col, size_t row)
{
    switch (col->type) {
    case LP_TYPE_STRING:
    case LP_TYPE_DATE: return col->v.i32[row];
    case LP_TYPE_BOOL: return col->v.b[row];
    default: return col->v.i64[row];
    }
}

/* ------------------------------------------------------------ selections */

lp_status lp_selection_new(size_t capacity, lp_selection **out_sel)
{
    if (capacity >= UINT32_MAX) return LP_ERR_LIMIT;
    lp_selection *sel = lp_calloc(1, sizeof *sel);
    if (!sel) return LP_ERR_NOMEM;
    sel->rows = lp_malloc((capacity ? capacity : 1) * sizeof(lp_row));
    if (!sel->rows) {
        lp_free(sel);
        return LP_ERR_NOMEM;
    }
    sel->cap = capacity;
    *out_sel = sel;
    return LP_OK;
}

lp_status lp_selection_new_all(size_t nrows, lp_selection **out_sel)
{
    lp_selection *sel;
    lp_status st = lp_selection_new(nrows, &sel);
    if (st) return st;
    for (size_t i = 0; i < nrows; i++) sel->rows[i] = (lp_row)i;
    sel->n = nrows;
    *out_sel = sel;
    return LP_OK;
}

lp_status lp_selection_copy(const lp_selection *sel, lp_selection **out_copy)
{
    lp_selection *copy;
    lp_status st = lp_selection_new(sel->n, &copy);
    if (st) return st;
    memcpy(copy->rows, sel->rows, sel->n * sizeof(lp_row));
    copy->n = sel->n;
    *out_copy = copy;
    return LP_OK;
}

void lp_selection_free(lp_selection *sel)
{
    if (!sel) return;
    lp_free(sel->rows);
    lp_free(sel);
}

/* Merge of two ascending lists, dropping duplicates. */
lp_status lp_selection_union(const lp_selection *a, const lp_selection *b,
                             lp_selection **out_sel)
{
    lp_selection *sel;
    lp_status st = lp_selection_new(a->n + b->n, &sel);
    if (st) return st;
    size_t i = 0, j = 0, k = 0;
    while (i < a->n || j < b->n) {
        lp_row next;
        if (j >= b->n || (i < a->n && a->rows[i] < b->rows[j])) next = a->rows[i++];
        else if (i >= a->n || b->rows[j] < a->rows[i]) next = b->rows[j++];
        else { next = a->rows[i++]; j++; }
        sel->rows[k++] = next;
    }
    sel->n = k;
    *out_sel = sel;
    return LP_OK;
}

/* --------------------------------------------------------------- filters */

/* Every filter is one pass that compacts sel->rows in place. The macro
 * keeps the loop (and its bounds check) in one place. */
#define FILTER_LOOP(col, sel, keep_expr)                                   \
    do {                                                                   \
        size_t kept_ = 0;                                                  \
        for (size_t i_ = 0; i_ < (sel)->n; i_++)                           \
            if ((sel)->rows[i_] >= (col)->length) return LP_ERR_USAGE;     \
        for (size_t i_ = 0; i_ < (sel)->n; i_++) {                         \
            size_t row = (sel)->rows[i_];                                  \
            if (keep_expr) (sel)->rows[kept_++] = (lp_row)row;             \
        }                                                                  \
        (sel)->n = kept_;                                                  \
    } while (0)

lp_status lp_filter_instant_range(const lp_column *col, int64_t lo, int64_t hi,
                                  lp_selection *sel)
{
    if (col->type == LP_TYPE_DATE) {
        FILTER_LOOP(col, sel, lp_column_valid(col, row) && col->v.i32[row] >= lo &&
                                  col->v.i32[row] < hi);
        return LP_OK;
    }
    if (col->type != LP_TYPE_INSTANT && col->type != LP_TYPE_INT64) return LP_ERR_USAGE;
    FILTER_LOOP(col, sel, lp_column_valid(col, row) && col->v.i64[row] >= lo &&
                              col->v.i64[row] < hi);
    return LP_OK;
}

lp_status lp_filter_double_range(const lp_column *col, double lo, double hi,
                                 lp_selection *sel)
{
    if (col->type != LP_TYPE_DOUBLE) return LP_ERR_USAGE;
    FILTER_LOOP(col, sel, lp_column_valid(col, row) && col->v.f64[row] >= lo &&
                              col->v.f64[row] < hi);
    return LP_OK;
}

lp_status lp_filter_not_null(const lp_column *col, lp_selection *sel)
{
    FILTER_LOOP(col, sel, lp_column_valid(col, row));
    return LP_OK;
}

lp_status lp_filter_null(const lp_column *col, lp_selection *sel)
{
    FILTER_LOOP(col, sel, !lp_column_valid(col, row));
    return LP_OK;
}

lp_status lp_filter_codes(const lp_column *col, const int32_t *codes, size_t ncodes,
                          lp_selection *sel)
{
    if (col->type != LP_TYPE_STRING) return LP_ERR_USAGE;
    int32_t max_code = -1;
    for (size_t i = 0; i < ncodes; i++)
        if (codes[i] > max_code) max_code = codes[i];
    /* A byte per code up to the largest wanted one: O(1) membership. */
    uint8_t *wanted = lp_calloc((size_t)max_code + 2, 1);
    if (!wanted) return LP_ERR_NOMEM;
    for (size_t i = 0; i < ncodes; i++)
        if (codes[i] >= 0) wanted[codes[i]] = 1;
    size_t kept = 0;
    lp_status st = LP_OK;
    for (size_t i = 0; i < sel->n; i++)
        if (sel->rows[i] >= col->length) { st = LP_ERR_USAGE; goto cleanup; }
    for (size_t i = 0; i < sel->n; i++) {
        size_t row = sel->rows[i];
        int32_t code = col->v.i32[row];
        if (lp_column_valid(col, row) && code >= 0 && code <= max_code && wanted[code])
            sel->rows[kept++] = (lp_row)row;
    }
    sel->n = kept;
cleanup:
    lp_free(wanted);
    return st;
}

lp_status lp_filter_bool(const lp_column *col, bool value, lp_selection *sel)
{
    if (col->type != LP_TYPE_BOOL) return LP_ERR_USAGE;
    FILTER_LOOP(col, sel, lp_column_valid(col, row) && (col->v.b[row] != 0) == value);
    return LP_OK;
}

lp_status lp_filter_fn(lp_selection *sel, bool (*keep)(void *ctx, size_t row), void *ctx)
{
    size_t kept = 0;
    for (size_t i = 0; i < sel->n; i++)
        if (keep(ctx, sel->rows[i])) sel->rows[kept++] = sel->rows[i];
    sel->n = kept;
    return LP_OK;
}

/* -------------------------------------------------------------- group-by */

void lp_groups_free(lp_groups *groups)
{
    if (!groups) return;
    lp_free(groups->key1);
    lp_free(groups->key2);
    lp_free(groups->key1_null);
    lp_free(groups->key2_null);
    lp_free(groups->offsets);
    lp_free(groups->rows);
    lp_free(groups->group_of);
    lp_free(groups);
}

static uint64_t group_hash(int64_t k1, bool null1, int64_t k2, bool null2)
{
    uint64_t h = mix64((uint64_t)k1 ^ (null1 ? 0x9e3779b97f4a7c15ULL : 0));
    return mix64(h ^ (uint64_t)k2 ^ (null2 ? 0xc2b2ae3d27d4eb4fULL : 0x165667b19e3779f9ULL));
}

/* Two passes over the selection: the first assigns each row its group
 * through the hash table (slots hold group numbers) and counts group
 * sizes; the second scatters rows into their group's range, which keeps
 * them ascending within each group. */
lp_status lp_groups_new(const lp_column *key1, const lp_column *key2,
                        const lp_selection *sel, lp_groups **out_groups)
{
    if (!key_type_ok(key1->type)) return LP_ERR_USAGE;
    if (key2 && (!key_type_ok(key2->type) || key2->length != key1->length)) return LP_ERR_USAGE;
    size_t nrows = key1->length;
    if (nrows >= UINT32_MAX) return LP_ERR_LIMIT;
    size_t nsel = sel ? sel->n : nrows;
    for (size_t i = 0; sel && i < nsel; i++)
        if (sel->rows[i] >= nrows) return LP_ERR_USAGE;

    lp_status st = LP_OK;
    size_t cap = table_capacity(nsel), alloc = nsel ? nsel : 1;
    uint32_t *slots = NULL;
    size_t *cursor = NULL;
    lp_groups *g = lp_calloc(1, sizeof *g);
    if (!g) return LP_ERR_NOMEM;
    g->nrows = nrows;
    slots = lp_malloc(cap * sizeof(uint32_t));
    g->key1 = lp_malloc(alloc * sizeof(int64_t));
    g->key1_null = lp_malloc(alloc);
    if (key2) {
        g->key2 = lp_malloc(alloc * sizeof(int64_t));
        g->key2_null = lp_malloc(alloc);
    }
    g->offsets = lp_calloc(alloc + 1, sizeof(size_t));
    g->rows = lp_malloc(alloc * sizeof(lp_row));
    g->group_of = lp_malloc((nrows ? nrows : 1) * sizeof(uint32_t));
    if (!slots || !g->key1 || !g->key1_null || (key2 && (!g->key2 || !g->key2_null)) ||
        !g->offsets || !g->rows || !g->group_of) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    memset(slots, 0xff, cap * sizeof(uint32_t));
    memset(g->group_of, 0xff, (nrows ? nrows : 1) * sizeof(uint32_t));

    /* offsets[g + 1] counts group g's rows during the first pass. */
    for (size_t i = 0; i < nsel; i++) {
        size_t row = sel ? sel->rows[i] : i;
        bool null1 = !lp_column_valid(key1, row);
        int64_t k1 = null1 ? 0 : key_value(key1, row);
        bool null2 = key2 ? !lp_column_valid(key2, row) : false;
        int64_t k2 = key2 && !null2 ? key_value(key2, row) : 0;
        size_t slot = group_hash(k1, null1, k2, null2) & (cap - 1);
        uint32_t grp;
        for (;;) {
            grp = slots[slot];
            if (grp == NO_GROUP) {
                grp = (uint32_t)g->ngroups++;
                slots[slot] = grp;
                g->key1[grp] = k1;
                g->key1_null[grp] = null1;
                if (key2) {
                    g->key2[grp] = k2;
                    g->key2_null[grp] = null2;
                }
                break;
            }
            if (g->key1[grp] == k1 && g->key1_null[grp] == null1 &&
                (!key2 || (g->key2[grp] == k2 && g->key2_null[grp] == null2)))
                break;
            slot = (slot + 1) & (cap - 1);
        }
        g->group_of[row] = grp;
        g->offsets[grp + 1]++;
    }
    for (size_t k = 0; k < g->ngroups; k++) g->offsets[k + 1] += g->offsets[k];
    cursor = lp_malloc((g->ngroups ? g->ngroups : 1) * sizeof(size_t));
    if (!cursor) { st = LP_ERR_NOMEM; goto cleanup; }
    memcpy(cursor, g->offsets, g->ngroups * sizeof(size_t));
    for (size_t i = 0; i < nsel; i++) {
        size_t row = sel ? sel->rows[i] : i;
        g->rows[cursor[g->group_of[row]]++] = (lp_row)row;
    }
cleanup:
    lp_free(slots);
    lp_free(cursor);
    if (st) {
        lp_groups_free(g);
        return st;
    }
    *out_groups = g;
    return LP_OK;
}

long lp_groups_find(const lp_groups *groups, int64_t key1, int64_t key2)
{
    for (size_t g = 0; g < groups->ngroups; g++) {
        if (groups->key1_null[g] || groups->key1[g] != key1) continue;
        if (groups->key2 && (groups->key2_null[g] || groups->key2[g] != key2)) continue;
        return (long)g;
    }
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Value of a numeric column as a double (the column is valid at row). */
static inline double number_at(const lp_column *col, size_t row)
{
    switch (col->type) {
    case LP_TYPE_DOUBLE: return col->v.f64[row];
    case LP_TYPE_BOOL: return col->v.b[row];
    case LP_TYPE_DATE:
    case LP_TYPE_STRING: return col->v.i32[row];
    default: return (double)col->v.i64[row];
    }
}

/* Valid at row, and not a NaN double (a NaN counts as null here). */
static inline bool value_present(const lp_column *col, size_t row)
{
    return lp_column_valid(col, row) && !(col->type == LP_TYPE_DOUBLE && isnan(col->v.f64[row]));
}

lp_status lp_groups_aggregate(const lp_groups *groups, const lp_column *values,
                              lp_agg agg, double q, double *out_values,
                              uint8_t *out_defined)
{
    if (agg == LP_AGG_COUNT) {
        for (size_t g = 0; g < groups->ngroups; g++) {
            out_values[g] = (double)lp_groups_size(groups, g);
            if (out_defined) out_defined[g] = 1;
        }
        return LP_OK;
    }
    if (!values || values->length != groups->nrows) return LP_ERR_USAGE;
    bool strings_ok = agg == LP_AGG_COUNT_VALID || agg == LP_AGG_COUNT_DISTINCT;
    if (values->type == LP_TYPE_STRING && !strings_ok) return LP_ERR_USAGE;
    if (agg == LP_AGG_QUANTILE && !(q >= 0.0 && q <= 1.0)) return LP_ERR_USAGE;
    if (agg > LP_AGG_QUANTILE) return LP_ERR_USAGE;

    bool needs_scratch = agg == LP_AGG_COUNT_DISTINCT || agg == LP_AGG_MEDIAN ||
                         agg == LP_AGG_QUANTILE;
    void *scratch = NULL;
    if (needs_scratch) {
        size_t largest = 1;
        for (size_t g = 0; g < groups->ngroups; g++)
            if (lp_groups_size(groups, g) > largest) largest = lp_groups_size(groups, g);
        scratch = lp_malloc(largest * 8);   /* doubles or int64s */
        if (!scratch) return LP_ERR_NOMEM;
    }
    /* Distinct integers are counted exactly as int64; doubles as doubles. */
    bool as_int = values->type != LP_TYPE_DOUBLE;

    for (size_t g = 0; g < groups->ngroups; g++) {
        const lp_row *rows = groups->rows + groups->offsets[g];
        size_t size = lp_groups_size(groups, g), valid = 0;
        double result = 0.0;
        if (!needs_scratch) {
            double sum = 0.0, lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < size; i++) {
                if (!value_present(values, rows[i])) continue;
                valid++;
                if (agg == LP_AGG_COUNT_VALID) continue;
                double v = number_at(values, rows[i]);
                sum += v;
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
            switch (agg) {
            case LP_AGG_COUNT_VALID: result = (double)valid; break;
            case LP_AGG_SUM: result = sum; break;
            case LP_AGG_MIN: result = valid ? lo : 0.0; break;
            case LP_AGG_MAX: result = valid ? hi : 0.0; break;
            default: result = valid ? sum / (double)valid : 0.0; break;
            }
            bool defined = valid > 0 || agg == LP_AGG_COUNT_VALID || agg == LP_AGG_SUM;
            out_values[g] = result;
            if (out_defined) out_defined[g] = defined;
            continue;
        }
        double *dbuf = scratch;
        int64_t *ibuf = scratch;
        for (size_t i = 0; i < size; i++) {
            if (!value_present(values, rows[i])) continue;
            if (agg == LP_AGG_COUNT_DISTINCT && as_int)
                ibuf[valid++] = key_value(values, rows[i]);
            else
                dbuf[valid++] = number_at(values, rows[i]);
        }
        if (agg == LP_AGG_COUNT_DISTINCT) {
            size_t distinct = 0;
            if (as_int) {
                qsort(ibuf, valid, sizeof(int64_t), cmp_int64);
                for (size_t i = 0; i < valid; i++)
                    if (i == 0 || ibuf[i] != ibuf[i - 1]) distinct++;
            } else {
                qsort(dbuf, valid, sizeof(double), cmp_double);
                for (size_t i = 0; i < valid; i++)
                    if (i == 0 || dbuf[i] != dbuf[i - 1]) distinct++;
            }
            out_values[g] = (double)distinct;
            if (out_defined) out_defined[g] = 1;
            continue;
        }
        if (valid > 0) {
            qsort(dbuf, valid, sizeof(double), cmp_double);
            result = gsl_stats_quantile_from_sorted_data(dbuf, 1, valid,
                                                         agg == LP_AGG_MEDIAN ? 0.5 : q);
        }
        out_values[g] = result;
        if (out_defined) out_defined[g] = valid > 0;
    }
    lp_free(scratch);
    return LP_OK;
}

/* ------------------------------------------------------------------ join */

struct lp_join_index {
    lp_type type;              /* build key type */
    const lp_table *table;     /* build key's table (for string translation) */
    size_t cap;                /* slots, a power of two */
    int64_t *slot_key;         /* key of each used slot */
    uint32_t *slot_head;       /* first entry of the slot's chain, or NONE */
    lp_row *entry_row;         /* build row of each entry */
    uint32_t *entry_next;      /* next entry with the same key, or NONE */
};

void lp_join_index_free(lp_join_index *index)
{
    if (!index) return;
    lp_free(index->slot_key);
    lp_free(index->slot_head);
    lp_free(index->entry_row);
    lp_free(index->entry_next);
    lp_free(index);
}

/* Rows are inserted from last to first and pushed on the front of their
 * key's chain, so every chain lists its build rows in ascending order. */
lp_status lp_join_index_new(const lp_column *build_key, const lp_selection *build_sel,
                            lp_join_index **out_index)
{
    if (!key_type_ok(build_key->type)) return LP_ERR_USAGE;
    if (build_key->length >= UINT32_MAX) return LP_ERR_LIMIT;
    size_t nsel = build_sel ? build_sel->n : build_key->length;
    for (size_t i = 0; build_sel && i < nsel; i++)
        if (build_sel->rows[i] >= build_key->length) return LP_ERR_USAGE;
    lp_join_index *idx = lp_calloc(1, sizeof *idx);
    if (!idx) return LP_ERR_NOMEM;
    idx->type = build_key->type;
    idx->table = build_key->table;
    idx->cap = table_capacity(nsel);
    size_t alloc = nsel ? nsel : 1;
    idx->slot_key = lp_malloc(idx->cap * sizeof(int64_t));
    idx->slot_head = lp_malloc(idx->cap * sizeof(uint32_t));
    idx->entry_row = lp_malloc(alloc * sizeof(lp_row));
    idx->entry_next = lp_malloc(alloc * sizeof(uint32_t));
    if (!idx->slot_key || !idx->slot_head || !idx->entry_row || !idx->entry_next) {
        lp_join_index_free(idx);
        return LP_ERR_NOMEM;
    }
    memset(idx->slot_head, 0xff, idx->cap * sizeof(uint32_t));
    uint32_t nentries = 0;
    for (size_t i = nsel; i-- > 0;) {
        size_t row = build_sel ? build_sel->rows[i] : i;
        if (!lp_column_valid(build_key, row)) continue;
        int64_t key = key_value(build_key, row);
        size_t slot = mix64((uint64_t)key) & (idx->cap - 1);
        while (idx->slot_head[slot] != LP_ROW_NONE && idx->slot_key[slot] != key)
            slot = (slot + 1) & (idx->cap - 1);
        idx->slot_key[slot] = key;
        idx->entry_row[nentries] = (lp_row)row;
        idx->entry_next[nentries] = idx->slot_head[slot];
        idx->slot_head[slot] = nentries++;
    }
    *out_index = idx;
    return LP_OK;
}

/* First entry for a key, or LP_ROW_NONE. */
static uint32_t index_find(const lp_join_index *idx, int64_t key)
{
    size_t slot = mix64((uint64_t)key) & (idx->cap - 1);
    while (idx->slot_head[slot] != LP_ROW_NONE) {
        if (idx->slot_key[slot] == key) return idx->slot_head[slot];
        slot = (slot + 1) & (idx->cap - 1);
    }
    return LP_ROW_NONE;
}

/* Checks the probe key against the index and, for strings of another
 * table, builds the code translation (*out_map, NULL when not needed). */
static lp_status probe_prepare(const lp_join_index *idx, const lp_column *probe_key,
                               const lp_selection *probe_sel, int32_t **out_map)
{
    *out_map = NULL;
    if (!key_type_ok(probe_key->type)) return LP_ERR_USAGE;
    if ((probe_key->type == LP_TYPE_STRING) != (idx->type == LP_TYPE_STRING)) return LP_ERR_USAGE;
    for (size_t i = 0; probe_sel && i < probe_sel->n; i++)
        if (probe_sel->rows[i] >= probe_key->length) return LP_ERR_USAGE;
    if (probe_key->type == LP_TYPE_STRING && probe_key->table != idx->table) {
        if (!probe_key->table || !idx->table) return LP_ERR_USAGE;
        return lp_table_translate_codes(probe_key->table, idx->table, out_map);
    }
    return LP_OK;
}

/* First entry matching the probe row, or LP_ROW_NONE. */
static uint32_t probe_entry(const lp_join_index *idx, const lp_column *probe_key,
                            const int32_t *map, size_t row)
{
    if (!lp_column_valid(probe_key, row)) return LP_ROW_NONE;
    int64_t key = key_value(probe_key, row);
    if (map) {
        key = map[key];
        if (key < 0) return LP_ROW_NONE;
    }
    return index_find(idx, key);
}

lp_status lp_join_lookup(const lp_join_index *index, const lp_column *probe_key,
                         const lp_selection *probe_sel, lp_row *out_build_rows)
{
    int32_t *map;
    lp_status st = probe_prepare(index, probe_key, probe_sel, &map);
    if (st) return st;
    size_t nprobe = probe_sel ? probe_sel->n : probe_key->length;
    for (size_t i = 0; i < nprobe; i++) {
        uint32_t e = probe_entry(index, probe_key, map, probe_sel ? probe_sel->rows[i] : i);
        out_build_rows[i] = e == LP_ROW_NONE ? LP_ROW_NONE : index->entry_row[e];
    }
    lp_free(map);
    return LP_OK;
}

void lp_join_free(lp_join *join)
{
    if (!join) return;
    lp_free(join->offsets);
    lp_free(join->probe_rows);
    lp_free(join->build_rows);
    lp_free(join);
}

/* Two passes: count each probe row's matches (sizing the pair arrays
 * exactly), then write the pairs. */
lp_status lp_join_new(const lp_join_index *index, const lp_column *probe_key,
                      const lp_selection *probe_sel, lp_join **out_join)
{
    int32_t *map;
    lp_status st = probe_prepare(index, probe_key, probe_sel, &map);
    if (st) return st;
    size_t nprobe = probe_sel ? probe_sel->n : probe_key->length;
    lp_join *join = lp_calloc(1, sizeof *join);
    if (!join) { st = LP_ERR_NOMEM; goto cleanup; }
    join->nprobe = nprobe;
    join->offsets = lp_calloc(nprobe + 1, sizeof(size_t));
    if (!join->offsets) { st = LP_ERR_NOMEM; goto cleanup; }
    for (size_t i = 0; i < nprobe; i++) {
        size_t count = 0;
        for (uint32_t e = probe_entry(index, probe_key, map, probe_sel ? probe_sel->rows[i] : i);
             e != LP_ROW_NONE; e = index->entry_next[e])
            count++;
        join->offsets[i + 1] = join->offsets[i] + count;
    }
    join->npairs = join->offsets[nprobe];
    size_t alloc = join->npairs ? join->npairs : 1;
    join->probe_rows = lp_malloc(alloc * sizeof(lp_row));
    join->build_rows = lp_malloc(alloc * sizeof(lp_row));
    if (!join->probe_rows || !join->build_rows) { st = LP_ERR_NOMEM; goto cleanup; }
    for (size_t i = 0; i < nprobe; i++) {
        size_t row = probe_sel ? probe_sel->rows[i] : i, k = join->offsets[i];
        for (uint32_t e = probe_entry(index, probe_key, map, row); e != LP_ROW_NONE;
             e = index->entry_next[e]) {
            join->probe_rows[k] = (lp_row)row;
            join->build_rows[k++] = index->entry_row[e];
        }
    }
cleanup:
    lp_free(map);
    if (st) {
        lp_join_free(join);
        return st;
    }
    *out_join = join;
    return LP_OK;
}

/* ------------------------------------------------------------------ sort */

typedef struct sort_ctx {
    const lp_sort_key *keys;
    size_t nkeys;
    int32_t **ranks;           /* per key: rank of each string code, or NULL */
} sort_ctx;

static int cmp_codes_by_string(const void *a, const void *b, void *arg)
{
    const lp_strpool *pool = arg;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    size_t lx = lp_strpool_strlen(pool, x), ly = lp_strpool_strlen(pool, y);
    int c = memcmp(lp_strpool_get(pool, x), lp_strpool_get(pool, y), lx < ly ? lx : ly);
    if (c) return c;
    return (lx > ly) - (lx < ly);
}

/* rank[code] = position of the code's string in byte order, so that string
 * comparisons during the sort are integer comparisons. */
static lp_status string_ranks(const lp_strpool *pool, int32_t **out_ranks)
{
    int32_t n = lp_strpool_count(pool);
    int32_t *order = lp_malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    int32_t *rank = lp_malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!order || !rank) {
        lp_free(order);
        lp_free(rank);
        return LP_ERR_NOMEM;
    }
    for (int32_t i = 0; i < n; i++) order[i] = i;
    qsort_r(order, (size_t)n, sizeof(int32_t), cmp_codes_by_string, (void *)pool);
    for (int32_t i = 0; i < n; i++) rank[order[i]] = i;
    lp_free(order);
    *out_ranks = rank;
    return LP_OK;
}

/* Keys in order; nulls (and NaN) last whatever the direction; finally the
 * row number, which makes qsort stable because the input is ascending. */
static int cmp_rows(const void *a, const void *b, void *arg)
{
    const sort_ctx *ctx = arg;
    lp_row ra = *(const lp_row *)a, rb = *(const lp_row *)b;
    for (size_t k = 0; k < ctx->nkeys; k++) {
        const lp_column *col = ctx->keys[k].column;
        bool va = value_present(col, ra), vb = value_present(col, rb);
        if (!va || !vb) {
            if (va != vb) return va ? -1 : 1;
            continue;
        }
        int c;
        if (col->type == LP_TYPE_DOUBLE) {
            double x = col->v.f64[ra], y = col->v.f64[rb];
            c = (x > y) - (x < y);
        } else if (col->type == LP_TYPE_STRING) {
            int32_t x = ctx->ranks[k][col->v.i32[ra]], y = ctx->ranks[k][col->v.i32[rb]];
            c = (x > y) - (x < y);
        } else {
            int64_t x = key_value(col, ra), y = key_value(col, rb);
            c = (x > y) - (x < y);
        }
        if (c) return ctx->keys[k].descending ? -c : c;
    }
    return (ra > rb) - (ra < rb);
}

lp_status lp_sort(const lp_sort_key *keys, size_t nkeys, const lp_selection *sel,
                  lp_row *out_rows)
{
    if (nkeys == 0 && !sel) return LP_ERR_USAGE;
    size_t nrows = nkeys ? keys[0].column->length : 0;
    for (size_t k = 0; k < nkeys; k++)
        if (keys[k].column->length != nrows) return LP_ERR_USAGE;
    if (nrows >= UINT32_MAX) return LP_ERR_LIMIT;
    size_t n = sel ? sel->n : nrows;
    for (size_t i = 0; i < n; i++) {
        out_rows[i] = sel ? sel->rows[i] : (lp_row)i;
        if (nkeys && out_rows[i] >= nrows) return LP_ERR_USAGE;
    }
    if (nkeys == 0 || n < 2) return LP_OK;
    lp_status st = LP_OK;
    sort_ctx ctx = {keys, nkeys, lp_calloc(nkeys, sizeof(int32_t *))};
    if (!ctx.ranks) return LP_ERR_NOMEM;
    for (size_t k = 0; k < nkeys; k++) {
        if (keys[k].column->type != LP_TYPE_STRING) continue;
        if (!keys[k].column->table) { st = LP_ERR_USAGE; goto cleanup; }
        st = string_ranks(keys[k].column->table->pool, &ctx.ranks[k]);
        if (st) goto cleanup;
    }
    qsort_r(out_rows, n, sizeof(lp_row), cmp_rows, &ctx);
cleanup:
    for (size_t k = 0; k < nkeys; k++) lp_free(ctx.ranks[k]);
    lp_free(ctx.ranks);
    return st;
}

/* ------------------------------------------------------------- bucketing */

/* Consecutive values usually fall in the same period, so the bounds of the
 * last period found are kept and lp_period_of runs only on a change. */
lp_status lp_period_bucket(const lp_calendar *cal, const lp_column *col,
                           int64_t *out_ordinals)
{
    if (col->type != LP_TYPE_INSTANT && col->type != LP_TYPE_DATE) return LP_ERR_USAGE;
    int64_t start = 1, end = 0, ordinal = 0;   /* empty range: nothing cached */
    for (size_t row = 0; row < col->length; row++) {
        if (!lp_column_valid(col, row)) {
            out_ordinals[row] = LP_PERIOD_NONE;
            continue;
        }
        int64_t instant = col->type == LP_TYPE_DATE ? lp_date_to_instant(col->v.i32[row])
                                                    : col->v.i64[row];
        if (instant < start || instant >= end) {
            ordinal = lp_period_of(cal, instant);
            start = lp_period_start(cal, ordinal);
            end = lp_period_end(cal, ordinal);
        }
        out_ordinals[row] = ordinal;
    }
    return LP_OK;
}

lp_status lp_period_bucket_column(const lp_calendar *cal, const lp_column *col,
                                  lp_column *out)
{
    if (out->type != LP_TYPE_INT64 || out->length != 0) return LP_ERR_USAGE;
    if (col->type != LP_TYPE_INSTANT && col->type != LP_TYPE_DATE) return LP_ERR_USAGE;
    lp_status st = lp_column_reserve(out, col->length);
    if (st) return st;
    int64_t *ordinals = lp_malloc((col->length ? col->length : 1) * sizeof(int64_t));
    if (!ordinals) return LP_ERR_NOMEM;
    st = lp_period_bucket(cal, col, ordinals);
    for (size_t row = 0; st == LP_OK && row < col->length; row++)
        st = ordinals[row] == LP_PERIOD_NONE ? lp_column_append_null(out)
                                             : lp_column_append_int64(out, ordinals[row]);
    lp_free(ordinals);
    return st;
}
