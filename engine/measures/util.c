/* Shared helpers of the measures: keyspaces, the result-table builder,
 * intervals, sorting, Kaplan-Meier summaries and target look-up. */
#include "measures_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const lp_m_channel_names[3] = {"inbound", "partner", "outbound"};

/* ---- Keyspaces ---- */

lp_status lp_m_keyspace_init(keyspace *ks)
{
    memset(ks, 0, sizeof(*ks));
    ks->keys = lp_strpool_new();
    ks->disp = lp_strpool_new();
    if (!ks->keys || !ks->disp) {
        lp_m_keyspace_clear(ks);
        return LP_ERR_NOMEM;
    }
    return LP_OK;
}

void lp_m_keyspace_clear(keyspace *ks)
{
    lp_strpool_free(ks->keys);
    lp_strpool_free(ks->disp);
    lp_free(ks->disp_of);
    memset(ks, 0, sizeof(*ks));
}

lp_status lp_m_keyspace_intern(keyspace *ks, const char *s, bool fold_case, int32_t *out_key)
{
    while (*s && isspace((unsigned char)*s)) s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (!len) {
        *out_key = -1;
        return LP_OK;
    }
    char small[256];
    char *folded = NULL;
    const char *key = s;
    if (fold_case) {
        folded = len < sizeof small ? small : lp_malloc(len + 1);
        if (!folded) return LP_ERR_NOMEM;
        for (size_t i = 0; i < len; i++) folded[i] = (char)tolower((unsigned char)s[i]);
        key = folded;
    }
    int32_t before = lp_strpool_count(ks->keys), code;
    lp_status st = lp_strpool_intern(ks->keys, key, len, &code);
    if (folded && folded != small) lp_free(folded);
    if (st) return st;
    if (code == before) {
        if (code >= ks->cap) {
            int32_t cap = ks->cap ? ks->cap * 2 : 64;
            int32_t *disp_of = lp_realloc(ks->disp_of, (size_t)cap * sizeof(int32_t));
            if (!disp_of) return LP_ERR_NOMEM;
            ks->disp_of = disp_of;
            ks->cap = cap;
        }
        st = lp_strpool_intern(ks->disp, s, len, &ks->disp_of[code]);
        if (st) return st;
    }
    *out_key = code;
    return LP_OK;
}

const char *lp_m_keyspace_name(const keyspace *ks, int32_t key)
{
    if (key < 0 || key >= lp_strpool_count(ks->keys)) return NULL;
    return lp_strpool_get(ks->disp, ks->disp_of[key]);
}

int32_t lp_m_keyspace_count(const keyspace *ks) { return lp_strpool_count(ks->keys); }

lp_status lp_m_keyspace_map_column(keyspace *ks, const lp_column *col, size_t nrows,
                              bool fold_case, int32_t *out)
{
    if (!col || col->type != LP_TYPE_STRING) {
        for (size_t i = 0; i < nrows; i++) out[i] = -1;
        return LP_OK;
    }
    const lp_strpool *pool = col->table->pool;
    int32_t ncodes = lp_strpool_count(pool);
    int32_t *cache = lp_malloc((size_t)(ncodes ? ncodes : 1) * sizeof(int32_t));
    if (!cache) return LP_ERR_NOMEM;
    for (int32_t c = 0; c < ncodes; c++) cache[c] = -2;
    lp_status st = LP_OK;
    for (size_t i = 0; i < nrows; i++) {
        if (i >= col->length || !lp_column_valid(col, i)) {
            out[i] = -1;
            continue;
        }
        int32_t code = col->v.i32[i];
        if (cache[code] == -2) {
            st = lp_m_keyspace_intern(ks, lp_strpool_get(pool, code), fold_case, &cache[code]);
            if (st) break;
        }
        out[i] = cache[code];
    }
    lp_free(cache);
    return st;
}

/* ---- Result-table builder ---- */

void lp_m_tb_init(tb *b, const char *name, const char *spec)
{
    memset(b, 0, sizeof(*b));
    b->table = lp_table_new(name);
    if (!b->table) {
        b->st = LP_ERR_NOMEM;
        return;
    }
    const char *p = spec;
    while (*p && !b->st) {
        const char *colon = strchr(p, ':');
        if (!colon || b->ncols == TB_MAXCOLS) {
            b->st = LP_ERR_USAGE;
            break;
        }
        char cname[64];
        size_t len = (size_t)(colon - p);
        if (len >= sizeof cname) len = sizeof cname - 1;
        memcpy(cname, p, len);
        cname[len] = '\0';
        lp_type type;
        switch (colon[1]) {
        case 'S': type = LP_TYPE_STRING; break;
        case 'I': type = LP_TYPE_INT64; break;
        case 'D': type = LP_TYPE_DOUBLE; break;
        case 'T': type = LP_TYPE_INSTANT; break;
        case 'B': type = LP_TYPE_BOOL; break;
        default: b->st = LP_ERR_USAGE; return;
        }
        b->st = lp_table_add_column(b->table, cname, type, &b->cols[b->ncols]);
        b->ncols++;
        p = colon + 2;
        if (*p == ',') p++;
    }
}

void lp_m_tb_s(tb *b, int col, const char *s)
{
    if (b->st) return;
    b->st = s ? lp_column_append_string(b->cols[col], s, strlen(s))
              : lp_column_append_null(b->cols[col]);
}

void lp_m_tb_i(tb *b, int col, int64_t v)
{
    if (!b->st) b->st = lp_column_append_int64(b->cols[col], v);
}

void lp_m_tb_d(tb *b, int col, double v)
{
    if (b->st) return;
    b->st = isfinite(v) ? lp_column_append_double(b->cols[col], v)
                        : lp_column_append_null(b->cols[col]);
}

void lp_m_tb_t(tb *b, int col, int64_t instant)
{
    if (b->st) return;
    b->st = instant == NONE ? lp_column_append_null(b->cols[col])
                            : lp_column_append_int64(b->cols[col], instant);
}

void lp_m_tb_b(tb *b, int col, bool v)
{
    if (!b->st) b->st = lp_column_append_bool(b->cols[col], v);
}

void lp_m_tb_null(tb *b, int col)
{
    if (!b->st) b->st = lp_column_append_null(b->cols[col]);
}

lp_status lp_m_tb_finish(tb *b, lp_results *res)
{
    if (!b->st) b->st = lp_table_finish(b->table);
    if (b->st) {
        lp_table_free(b->table);
        b->table = NULL;
        return b->st;
    }
    lp_status st = lp_results_add(res, b->table);
    b->table = NULL;
    return st;
}

/* ---- Statistics helpers ---- */

void lp_m_wilson3(uint64_t x, uint64_t n, double *est, double *low, double *high)
{
    if (n == 0) {
        *est = *low = *high = NAN;
        return;
    }
    lp_interval iv = lp_wilson(x, n, 0.95);
    *est = (double)x / (double)n;
    *low = iv.defined ? iv.low : NAN;
    *high = iv.defined ? iv.high : NAN;
}

static int cmp_f64(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void lp_m_sort_f64(double *v, size_t n) { qsort(v, n, sizeof(double), cmp_f64); }

double lp_m_median_inplace(double *v, size_t n)
{
    if (!n) return NAN;
    lp_m_sort_f64(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

lp_status lp_m_km_summary(const double *hours, const bool *event, size_t n, double *median,
                     double *p90, tb *curve, const char *team, const double *marks,
                     size_t nmarks, double *out_reached)
{
    *median = *p90 = NAN;
    for (size_t k = 0; k < nmarks; k++) out_reached[k] = NAN;
    if (!n) return LP_OK;
    lp_km *km = NULL;
    lp_status st = lp_km_new(hours, event, n, &km);
    if (st) return st;
    double q;
    if (lp_km_quantile(km, 0.5, &q) == LP_OK) *median = q;
    if (lp_km_quantile(km, 0.9, &q) == LP_OK) *p90 = q;
    /* 1 - S(t) at each mark: S just after the last event time at or
     * before the mark, 1 before the first. */
    for (size_t k = 0; k < nmarks; k++) {
        double survival = 1.0;
        for (size_t i = 0; i < km->n && km->times[i] <= marks[k]; i++) survival = km->survival[i];
        out_reached[k] = 1.0 - survival;
    }
    if (curve) {
        for (size_t i = 0; i < km->n; i++) {
            lp_m_tb_s(curve, 0, team);
            lp_m_tb_d(curve, 1, km->times[i]);
            lp_m_tb_d(curve, 2, 1.0 - km->survival[i]);
        }
    }
    lp_km_free(km);
    return LP_OK;
}

/* ---- Targets ---- */

double lp_m_target_for(const mctx *m, const char *measure, int pos, const char *team)
{
    const lp_table *t = m->targets;
    if (!t) return NAN;
    const lp_column *period = lp_table_column(t, "period");
    const lp_column *meas = lp_table_column(t, "measure");
    const lp_column *tteam = lp_table_column(t, "team");
    const lp_column *value = lp_table_column(t, "value");
    if (!period || !meas || !value) return NAN;
    double blank = NAN, teams = NAN;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *pl = lp_column_str(period, i), *ms = lp_column_str(meas, i);
        if (!pl || !ms || strcasecmp(ms, measure) != 0 || strcmp(pl, m->labels[pos]) != 0)
            continue;
        double v = lp_column_number(value, i);
        if (isnan(v)) continue;
        const char *tm = tteam ? lp_column_str(tteam, i) : NULL;
        bool is_blank = !tm || !*tm;
        if (team) {
            if (!is_blank && strcasecmp(tm, team) == 0) return v;
        } else if (is_blank) {
            blank = isnan(blank) ? v : blank + v;
        } else {
            teams = isnan(teams) ? v : teams + v;
        }
    }
    if (team) return NAN;
    return isnan(blank) ? teams : blank;
}
