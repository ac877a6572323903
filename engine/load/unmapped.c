/*
 * Values of mapped value columns that their mapping does not name
 * (load.h, lp_dataset_unmapped), for `leadpack check`.
 *
 * It reads the loaded tables, not the files: a column's strings are pool
 * codes, so each distinct value is judged once and its rows counted by
 * code. A loaded value is the export's own text when the map did not name
 * it (or when the stage keeps its names beside a won/lost/open map), and a
 * map's target when it did; so a value is unmapped when it is neither one
 * of the map's export values nor one of its targets.
 */
#include "lp/load.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp/value.h"

/* Trimmed, case-insensitive equality of a and b (both NUL-terminated). */
static bool same_text(const char *a, const char *b)
{
    const char *as, *bs;
    size_t alen = lp_value_trim(a, strlen(a), &as);
    size_t blen = lp_value_trim(b, strlen(b), &bs);
    return alen == blen && strncasecmp(as, bs, alen) == 0;
}

static bool in_strings(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (same_text(list[i], s)) return true;
    return false;
}

static const lp_value_map *value_map_of(const lp_mapping *m, const char *column)
{
    for (size_t i = 0; m && i < m->nvalues; i++)
        if (!strcmp(m->values[i].column, column)) return &m->values[i];
    return NULL;
}

/* Whether v has a meaning for column `kind` (see lp_unmapped.kind). */
static bool is_mapped(const char *kind, const lp_value_map *vm, const lp_settings *set,
                      const char *v)
{
    if (!strcmp(kind, "channel"))
        return in_strings(set->inbound_sources, set->n_inbound_sources, v) ||
               in_strings(set->partner_sources, set->n_partner_sources, v) ||
               same_text(v, "outbound");
    return in_strings(vm->from, vm->n, v) || in_strings(vm->to, vm->n, v);
}

/* The header a table's column came from (the first file that had it), or
 * the canonical name. */
static const char *source_of(const lp_dataset *ds, lp_table_id id, const char *column)
{
    size_t n;
    const lp_canon_column *canon = lp_canon_columns(id, &n);
    for (size_t k = 0; k < n && k < LP_CANON_MAX_COLUMNS; k++) {
        if (strcmp(canon[k].name, column)) continue;
        for (size_t f = 0; f < ds->nfiles; f++)
            if (ds->files[f].table == id && ds->files[f].sources[k])
                return ds->files[f].sources[k];
    }
    return column;
}

static int value_cmp(const void *pa, const void *pb)
{
    const lp_unmapped_value *a = pa, *b = pb;
    if (a->rows != b->rows) return a->rows > b->rows ? -1 : 1;
    return strcmp(a->value, b->value);
}

/* Counts the unmapped values of one column into *u (u->values stays NULL
 * when there are none). */
static lp_status count_column(const lp_table *t, const lp_column *col, const char *kind,
                              const lp_value_map *vm, const lp_settings *set, lp_unmapped *u)
{
    int32_t ncodes = lp_strpool_count(t->pool);
    size_t *rows = lp_calloc(ncodes ? (size_t)ncodes : 1, sizeof *rows);
    if (!rows) return LP_ERR_NOMEM;
    for (size_t r = 0; r < col->length; r++)
        if (lp_column_valid(col, r)) rows[col->v.i32[r]]++;
    size_t n = 0;
    for (int32_t c = 0; c < ncodes; c++) {
        if (rows[c] && !is_mapped(kind, vm, set, lp_strpool_get(t->pool, c))) n++;
        else rows[c] = 0;
    }
    lp_status st = LP_OK;
    if (n) {
        u->values = lp_calloc(n, sizeof *u->values);
        if (!u->values) st = LP_ERR_NOMEM;
        for (int32_t c = 0; !st && c < ncodes; c++) {
            if (!rows[c]) continue;
            u->values[u->nvalues].value = lp_strpool_get(t->pool, c);
            u->values[u->nvalues++].rows = rows[c];
            u->rows += rows[c];
        }
        if (!st) qsort(u->values, u->nvalues, sizeof *u->values, value_cmp);
    }
    lp_free(rows);
    return st;
}

lp_status lp_dataset_unmapped(const lp_dataset *ds, const lp_mapping *m,
                              const lp_settings *set, lp_unmapped **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    lp_unmapped *list = NULL;
    size_t n = 0;
    lp_status st = LP_OK;
    for (int id = 0; id < LP_TABLE_COUNT && !st; id++) {
        const lp_table *t = ds->tables[id];
        for (size_t c = 0; t && c < t->ncols && !st; c++) {
            const lp_column *col = t->columns[c];
            if (col->type != LP_TYPE_STRING) continue;
            const lp_value_map *vm = value_map_of(m, col->name);
            const char *kind;
            if (!strcmp(col->name, "source")) {
                if (!set) continue;
                kind = "channel";
            } else if (!vm || !vm->n) {
                continue;
            } else if (!strcmp(col->name, "type") && id != LP_ACTIVITIES) {
                /* Value maps are keyed by column name, and only activities'
                 * types have canonical values (call, email, meeting, other):
                 * campaign and opportunity types are free text. */
                continue;
            } else {
                kind = !strcmp(col->name, "stage") ? "stage" : "value";
            }
            lp_unmapped u = {(lp_table_id)id, col->name, source_of(ds, (lp_table_id)id,
                                                                    col->name),
                             kind, 0, NULL, 0};
            if ((st = count_column(t, col, kind, vm, set, &u))) break;
            if (!u.nvalues) continue;
            lp_unmapped *grown = lp_realloc(list, (n + 1) * sizeof *grown);
            if (!grown) {
                lp_free(u.values);
                st = LP_ERR_NOMEM;
                break;
            }
            list = grown;
            list[n++] = u;
        }
    }
    if (st) {
        lp_unmapped_free(list, n);
        return st;
    }
    *out = list;
    *out_n = n;
    return LP_OK;
}

void lp_unmapped_free(lp_unmapped *list, size_t n)
{
    if (!list) return;
    for (size_t i = 0; i < n; i++) lp_free(list[i].values);
    lp_free(list);
}
