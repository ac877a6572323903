/*
 * The ledger of published figures (lp/ledger.h): schema, recording a run,
 * restatements and their causes, history. The stores (SQLite, PostgreSQL)
 * only run SQL (ledger_internal.h); everything here is the same for both.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ledger_internal.h"
#include "lp/figures.h"
#include "lp/measures.h"
#include "lp/sha256.h"
#include "lp/time.h"

#define WINDOW 13
#define NKINDS 3   /* lp_record_key_figures: mql_count, inbound_pipeline, inbound_won */
#define MAX_AMOUNTS_NAMED 3

/* ---- Schema ---- */

static const char *const ledger_tables[] = {"ledger_meta", "schema_version", "runs",
                                            "run_inputs", "keysets", "figures"};

/* Statements that bring schema version v-1 to v (migrations[v - 1]); "%s"
 * in a statement is the store's run_id column. A new version appends an
 * entry; the ones before it never change. */
static const char *const migration_1[] = {
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
    "applied_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (%s, published_at TEXT NOT NULL, as_of TEXT NOT NULL, "
    "report_period TEXT NOT NULL, template TEXT NOT NULL, figures INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS run_inputs (run_id BIGINT NOT NULL REFERENCES runs (run_id), "
    "path TEXT NOT NULL, sha256 TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keysets (hash TEXT PRIMARY KEY, figure TEXT NOT NULL, "
    "n INTEGER NOT NULL, keys TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS figures (run_id BIGINT NOT NULL REFERENCES runs (run_id), "
    "figure TEXT NOT NULL, subject TEXT NOT NULL, period TEXT NOT NULL, "
    "value DOUBLE PRECISION, unit TEXT NOT NULL, keyset TEXT REFERENCES keysets (hash), "
    "PRIMARY KEY (run_id, figure, subject, period))",
    "CREATE INDEX IF NOT EXISTS figures_by_period ON figures (period, figure, subject, run_id)",
    "INSERT INTO ledger_meta (key, value) VALUES ('application', 'leadpack')",
    NULL,
};
static const char *const *const migrations[LP_LEDGER_SCHEMA_VERSION] = {migration_1};

typedef struct table_scan {
    bool found[sizeof ledger_tables / sizeof ledger_tables[0]];
    size_t total;
} table_scan;

static bool scan_table(void *ctx, int ncols, const char *const *values)
{
    table_scan *s = ctx;
    if (ncols < 1 || !values[0]) return true;
    s->total++;
    for (size_t i = 0; i < sizeof ledger_tables / sizeof ledger_tables[0]; i++)
        if (!strcmp(values[0], ledger_tables[i])) s->found[i] = true;
    return true;
}

static bool read_text(void *ctx, int ncols, const char *const *values)
{
    char *out = ctx;
    snprintf(out, 64, "%s", ncols > 0 && values[0] ? values[0] : "");
    return false;
}

static void now_text(char *buf, size_t size)
{
    lp_instant_format_utc((int64_t)time(NULL), buf, size);
}

/* Reads the schema version (0 when the ledger has no tables yet) and refuses
 * what is not a leadpack ledger. */
static lp_status schema_version(lp_ledger *l, int *out_version)
{
    table_scan scan = {0};
    lp_status st = l->store->tables(l, scan_table, &scan);
    if (st) return st;
    bool ours = false;
    for (size_t i = 1; i < sizeof ledger_tables / sizeof ledger_tables[0]; i++)
        ours = ours || scan.found[i];
    if (!scan.found[0]) {
        bool sqlite = !strcmp(l->store->name, "sqlite");
        if (ours || (sqlite && scan.total > 0)) {
            lp_errmsg_set(l->errmsg, "%s is not a leadpack ledger (it holds other tables and "
                          "no ledger_meta); leadpack leaves it as it is", l->shown);
            return LP_ERR_INPUT;
        }
        *out_version = 0;
        return LP_OK;
    }
    char app[64] = "";
    st = l->store->exec(l, "SELECT value FROM ledger_meta WHERE key = 'application'", 0, NULL,
                        read_text, app);
    if (st) return st;
    if (strcmp(app, "leadpack") != 0) {
        lp_errmsg_set(l->errmsg, "%s is not a leadpack ledger (ledger_meta names \"%s\"); "
                      "leadpack leaves it as it is", l->shown, app);
        return LP_ERR_INPUT;
    }
    char version[64] = "";
    if (scan.found[1])
        st = l->store->exec(l, "SELECT max(version) FROM schema_version", 0, NULL, read_text,
                            version);
    if (st) return st;
    *out_version = atoi(version);
    if (*out_version > LP_LEDGER_SCHEMA_VERSION) {
        lp_errmsg_set(l->errmsg, "%s is a ledger of schema version %d; this leadpack knows "
                      "version %d and up to it only (upgrade leadpack)", l->shown,
                      *out_version, LP_LEDGER_SCHEMA_VERSION);
        return LP_ERR_INPUT;
    }
    return LP_OK;
}

/* Brings the schema to LP_LEDGER_SCHEMA_VERSION in one write transaction;
 * the version is read again under the write lock, so of two runs that open
 * a new ledger at once one creates it and the other finds it made. */
static lp_status migrate(lp_ledger *l)
{
    lp_status st = l->store->begin_write(l);
    if (st) return st;
    int version = 0;
    st = schema_version(l, &version);
    for (int v = version + 1; !st && v <= LP_LEDGER_SCHEMA_VERSION; v++) {
        for (const char *const *sql = migrations[v - 1]; !st && *sql; sql++) {
            char text[1024];
            snprintf(text, sizeof text, *sql, l->store->run_id_ddl);
            st = l->store->exec(l, text, 0, NULL, NULL, NULL);
        }
        if (!st) {
            char number[16], at[32];
            snprintf(number, sizeof number, "%d", v);
            now_text(at, sizeof at);
            const char *params[2] = {number, at};
            st = l->store->exec(l, "INSERT INTO schema_version (version, applied_at) "
                                   "VALUES (?, ?)", 2, params, NULL, NULL);
        }
    }
    if (!st) st = l->store->commit(l);
    if (st) l->store->rollback(l);
    return st;
}

lp_status lp_ledger_open(const char *target, lp_ledger **out_ledger, char *errmsg)
{
    if (!target || !target[0] || !out_ledger) {
        if (errmsg) lp_errmsg_set(errmsg, "ledger: no target given");
        return LP_ERR_USAGE;
    }
    lp_ledger *l = lp_calloc(1, sizeof *l);
    if (!l) return LP_ERR_NOMEM;
    l->errmsg = errmsg ? errmsg : l->scratch;
    l->errmsg[0] = '\0';
    bool pg = !strncasecmp(target, "postgresql://", 13) || !strncasecmp(target, "postgres://", 11);
    lp_status st = pg ? lp_ledger_pg_open(l, target) : lp_ledger_sqlite_open(l, target);
    int version = 0;
    if (!st && !pg) {
        bool empty = false;
        st = lp_ledger_sqlite_check(l, &empty);
        if (!st && empty) st = lp_ledger_sqlite_wal(l);
    }
    if (!st) st = schema_version(l, &version);
    if (!st && version < LP_LEDGER_SCHEMA_VERSION) st = migrate(l);
    if (st) {
        lp_ledger_free(l);
        return st;
    }
    l->errmsg = l->scratch;
    *out_ledger = l;
    return LP_OK;
}

void lp_ledger_free(lp_ledger *ledger)
{
    if (!ledger) return;
    if (ledger->db) ledger->store->close(ledger);
    lp_free(ledger);
}

const char *lp_ledger_backend(const lp_ledger *ledger) { return ledger->store->name; }

const char *lp_ledger_describe(const lp_ledger *ledger) { return ledger->shown; }

bool lp_ledger_differs(int unit, double published, double now)
{
    if (isnan(published) || isnan(now)) return isnan(published) != isnan(now);
    double half;
    switch ((lp_unit)unit) {
    case LP_UNIT_SHARE:
    case LP_UNIT_POINTS: half = 0.005; break;
    case LP_UNIT_HOURS:
    case LP_UNIT_DAYS:
    case LP_UNIT_RATIO: half = 0.05; break;
    case LP_UNIT_PVALUE: half = 0.0005; break;
    default: half = 0.5; break;
    }
    return fabs(now - published) >= half - 1e-9;
}

/* ---- Key sets ---- */

/* A set of record keys, sorted in byte order, with their amounts (NAN for
 * leads). `text` is the stored form. */
typedef struct keyset {
    char *text;            /* "key\tamount\n"..., owned */
    size_t n;
    char **keys;           /* into a parsed copy of text */
    double *amounts;
    char *parsed;          /* owned copy of text, cut into keys */
    char hash[65];
    bool present;          /* the figure was published with keys */
} keyset;

static void keyset_clear(keyset *k)
{
    lp_free(k->text);
    lp_free(k->keys);
    lp_free(k->amounts);
    lp_free(k->parsed);
    memset(k, 0, sizeof *k);
}

/* Parses k->text into keys and amounts. */
static lp_status keyset_parse(keyset *k)
{
    size_t len = k->text ? strlen(k->text) : 0, n = 0;
    for (size_t i = 0; i < len; i++) n += k->text[i] == '\n';
    k->parsed = lp_malloc(len + 1);
    k->keys = lp_malloc((n ? n : 1) * sizeof *k->keys);
    k->amounts = lp_malloc((n ? n : 1) * sizeof *k->amounts);
    if (!k->parsed || !k->keys || !k->amounts) return LP_ERR_NOMEM;
    memcpy(k->parsed, k->text ? k->text : "", len + 1);
    k->n = 0;
    for (char *line = k->parsed; *line;) {
        char *end = strchr(line, '\n');
        if (!end) break;
        *end = '\0';
        char *tab = strchr(line, '\t');
        if (tab) *tab = '\0';
        k->keys[k->n] = line;
        k->amounts[k->n] = tab && tab[1] ? strtod(tab + 1, NULL) : NAN;
        k->n++;
        line = end + 1;
    }
    k->present = true;
    return LP_OK;
}

/* Index of key in k, or -1. */
static long keyset_find(const keyset *k, const char *key)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(k->keys[mid], key);
        if (c == 0) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

typedef struct key_row {
    const char *key;
    double amount;
} key_row;

static int key_row_cmp(const void *a, const void *b)
{
    return strcmp(((const key_row *)a)->key, ((const key_row *)b)->key);
}

/* The current key sets (kind x window position) from results->record_keys. */
static lp_status current_keysets(const lp_results *res, char labels[WINDOW][24],
                                 keyset cur[NKINDS][WINDOW])
{
    const lp_table *t = res->record_keys;
    if (!t) return LP_OK;
    const lp_column *fig = lp_table_column(t, "figure"), *per = lp_table_column(t, "period");
    const lp_column *key = lp_table_column(t, "key"), *amt = lp_table_column(t, "amount");
    if (!fig || !per || !key || !amt) return LP_ERR_USAGE;
    key_row *rows = lp_malloc((t->nrows ? t->nrows : 1) * sizeof *rows);
    int *slot = lp_malloc((t->nrows ? t->nrows : 1) * sizeof *slot);
    if (!rows || !slot) {
        lp_free(rows);
        lp_free(slot);
        return LP_ERR_NOMEM;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        slot[r] = -1;
        const char *f = lp_column_str(fig, r), *p = lp_column_str(per, r);
        for (int kind = 0; kind < NKINDS && f && p; kind++) {
            if (strcmp(f, lp_record_key_figures[kind]) != 0) continue;
            for (int w = 0; w < WINDOW; w++)
                if (!strcmp(p, labels[w])) slot[r] = kind * WINDOW + w;
        }
    }
    lp_status st = LP_OK;
    for (int s = 0; !st && s < NKINDS * WINDOW; s++) {
        size_t n = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            if (slot[r] != s) continue;
            const char *k = lp_column_str(key, r);
            rows[n].key = k ? k : "";
            rows[n].amount = lp_column_number(amt, r);
            n++;
        }
        qsort(rows, n, sizeof *rows, key_row_cmp);
        lp_buf text = {0};
        lp_buf_puts(&text, "");
        for (size_t i = 0; i < n; i++) {
            if (isnan(rows[i].amount)) lp_buf_printf(&text, "%s\t\n", rows[i].key);
            else lp_buf_printf(&text, "%s\t%.17g\n", rows[i].key, rows[i].amount);
        }
        if (text.failed) {
            lp_buf_reset(&text);
            st = LP_ERR_NOMEM;
            break;
        }
        keyset *k = &cur[s / WINDOW][s % WINDOW];
        k->text = text.data;
        lp_sha256 sha;
        lp_sha256_init(&sha);
        lp_sha256_update(&sha, lp_record_key_figures[s / WINDOW],
                         strlen(lp_record_key_figures[s / WINDOW]));
        lp_sha256_update(&sha, "\n", 1);
        lp_sha256_update(&sha, text.data, text.len);
        lp_sha256_final_hex(&sha, k->hash);
        st = keyset_parse(k);
    }
    lp_free(rows);
    lp_free(slot);
    return st;
}

/* The record-key kind behind a headline measure, or -1. */
static int measure_kind(const char *measure)
{
    if (!strcmp(measure, "mql_count")) return 0;
    if (!strcmp(measure, "inbound_pipeline_count") || !strcmp(measure, "inbound_pipeline_amount"))
        return 1;
    if (!strcmp(measure, "inbound_won_count") || !strcmp(measure, "inbound_won_amount"))
        return 2;
    return -1;
}

static bool measure_has_amount(const char *measure)
{
    return strstr(measure, "_amount") != NULL;
}

static void window_labels(const lp_results *res, char labels[WINDOW][24])
{
    for (int w = 0; w < WINDOW; w++)
        lp_period_label(&res->calendar, res->window_first + w, labels[w], 24);
}

/* ---- Recording ---- */

typedef struct headline_cols {
    const lp_table *t;
    const lp_column *measure, *period, *value, *unit, *matures_at;
} headline_cols;

static lp_status headline_of(const lp_results *res, headline_cols *h, char *errmsg)
{
    h->t = lp_results_table(res, "headline");
    if (h->t) {
        h->measure = lp_table_column(h->t, "measure");
        h->period = lp_table_column(h->t, "period");
        h->value = lp_table_column(h->t, "value");
        h->unit = lp_table_column(h->t, "unit");
        h->matures_at = lp_table_column(h->t, "matures_at");
    }
    if (!h->t || !h->measure || !h->period || !h->value) {
        lp_errmsg_set(errmsg, "ledger: the results have no headline table");
        return LP_ERR_USAGE;
    }
    return LP_OK;
}

static bool read_id(void *ctx, int ncols, const char *const *values)
{
    if (ncols > 0 && values[0]) *(int64_t *)ctx = strtoll(values[0], NULL, 10);
    return false;
}

static int window_pos(char labels[WINDOW][24], const char *period)
{
    for (int w = 0; period && w < WINDOW; w++)
        if (!strcmp(labels[w], period)) return w;
    return -1;
}

lp_status lp_ledger_record(lp_ledger *l, const lp_results *res, const lp_ledger_run *run,
                           int64_t *out_run_id, char *errmsg)
{
    l->errmsg = errmsg ? errmsg : l->scratch;
    l->errmsg[0] = '\0';
    lp_status st = lp_dataset_digests(res->dataset, l->errmsg);
    if (st) return st;
    headline_cols h;
    st = headline_of(res, &h, l->errmsg);
    if (st) return st;
    char labels[WINDOW][24];
    window_labels(res, labels);
    keyset cur[NKINDS][WINDOW];
    memset(cur, 0, sizeof cur);
    st = current_keysets(res, labels, cur);

    char published[32], as_of[32], nfig[32], run_text[32];
    lp_instant_format_utc(run->published_at, published, sizeof published);
    lp_instant_format_utc(res->as_of, as_of, sizeof as_of);
    snprintf(nfig, sizeof nfig, "%zu", h.t->nrows);
    int64_t run_id = -1;
    bool began = false;
    if (!st) {
        st = l->store->begin_write(l);
        began = !st;
    }
    if (!st) {
        const char *params[5] = {published, as_of, res->period_label,
                                 run->template_name ? run->template_name : "", nfig};
        st = l->store->exec(l, "INSERT INTO runs (published_at, as_of, report_period, template, "
                               "figures) VALUES (?, ?, ?, ?, ?) RETURNING run_id",
                            5, params, read_id, &run_id);
        if (!st && run_id < 0) {
            lp_errmsg_set(l->errmsg, "%s: the ledger gave no run id", l->shown);
            st = LP_ERR_DATABASE;
        }
        snprintf(run_text, sizeof run_text, "%lld", (long long)run_id);
    }
    const lp_dataset *ds = res->dataset;
    for (size_t i = 0; !st && ds && i < ds->nfiles; i++) {
        const char *params[3] = {run_text, ds->files[i].path ? ds->files[i].path : "",
                                 ds->files[i].sha256};
        st = l->store->exec(l, "INSERT INTO run_inputs (run_id, path, sha256) VALUES (?, ?, ?)",
                            3, params, NULL, NULL);
    }
    for (int s = 0; !st && res->record_keys && s < NKINDS * WINDOW; s++) {
        keyset *k = &cur[s / WINDOW][s % WINDOW];
        char n[32];
        snprintf(n, sizeof n, "%zu", k->n);
        const char *params[4] = {k->hash, lp_record_key_figures[s / WINDOW], n,
                                 k->text ? k->text : ""};
        st = l->store->exec(l, "INSERT INTO keysets (hash, figure, n, keys) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (hash) DO NOTHING", 4, params, NULL, NULL);
    }
    for (size_t r = 0; !st && r < h.t->nrows; r++) {
        const char *measure = lp_column_str(h.measure, r);
        const char *period = lp_column_str(h.period, r);
        if (!measure || !period) continue;
        double v = lp_column_number(h.value, r);
        char value[40];
        snprintf(value, sizeof value, "%.17g", v);
        const lp_figure_def *def = lp_figure_def_find(measure);
        const char *unit = h.unit ? lp_column_str(h.unit, r) : NULL;
        if (!unit) unit = def ? lp_unit_name(def->unit) : "";
        int kind = measure_kind(measure), w = window_pos(labels, period);
        const char *hash = kind >= 0 && w >= 0 && res->record_keys && !isnan(v)
                               ? cur[kind][w].hash : NULL;
        const char *params[7] = {run_text, measure, "all", period, isnan(v) ? NULL : value,
                                 unit, hash};
        st = l->store->exec(l, "INSERT INTO figures (run_id, figure, subject, period, value, "
                               "unit, keyset) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            7, params, NULL, NULL);
    }
    if (!st) st = l->store->commit(l);
    if (st && began) l->store->rollback(l);
    for (int kind = 0; kind < NKINDS; kind++)
        for (int w = 0; w < WINDOW; w++) keyset_clear(&cur[kind][w]);
    if (!st && out_run_id) *out_run_id = run_id;
    if (st && !l->errmsg[0]) lp_errmsg_set(l->errmsg, "%s: %s", l->shown, lp_status_str(st));
    return st;
}

/* ---- Restatements ---- */

/* The latest publication of one headline measure and window period. */
typedef struct published_fig {
    bool found;
    double value;
    char keyset[65];       /* "" when none */
    char as_of[32];
    char report_period[24];
} published_fig;

typedef struct pub_scan {
    char (*labels)[24];
    published_fig *figs;   /* [measure index][window position] */
    size_t nmeasures;
} pub_scan;

static size_t measure_count(void)
{
    size_t n = 0;
    while (lp_headline_measures[n]) n++;
    return n;
}

static int measure_index(const char *measure)
{
    for (int i = 0; measure && lp_headline_measures[i]; i++)
        if (!strcmp(lp_headline_measures[i], measure)) return i;
    return -1;
}

/* Rows come oldest run first: each overwrites the one before. */
static bool scan_published(void *ctx, int ncols, const char *const *values)
{
    pub_scan *s = ctx;
    if (ncols < 6) return true;
    int m = measure_index(values[0]), w = window_pos(s->labels, values[1]);
    if (m < 0 || w < 0) return true;
    published_fig *f = &s->figs[(size_t)m * WINDOW + (size_t)w];
    f->found = true;
    f->value = values[2] ? strtod(values[2], NULL) : NAN;
    snprintf(f->keyset, sizeof f->keyset, "%s", values[3] ? values[3] : "");
    snprintf(f->as_of, sizeof f->as_of, "%s", values[4] ? values[4] : "");
    snprintf(f->report_period, sizeof f->report_period, "%s", values[5] ? values[5] : "");
    return true;
}

static bool read_keys(void *ctx, int ncols, const char *const *values)
{
    keyset *k = ctx;
    if (ncols > 0 && values[0]) k->text = lp_strdup(values[0]);
    return false;
}

/* A stored key set by hash (empty and not present when hash is ""). */
static lp_status load_keyset(lp_ledger *l, const char *hash, keyset *out)
{
    memset(out, 0, sizeof *out);
    if (!hash[0]) return LP_OK;
    const char *params[1] = {hash};
    lp_status st = l->store->exec(l, "SELECT keys FROM keysets WHERE hash = ?", 1, params,
                                  read_keys, out);
    if (st || !out->text) return st;
    snprintf(out->hash, sizeof out->hash, "%s", hash);
    return keyset_parse(out);
}

/* "week 45" for an ISO week label, else the label. */
static void period_words(const char *label, char *buf, size_t size)
{
    const char *w = strstr(label, "-W");
    if (w && strlen(label) == 8) snprintf(buf, size, "week %d", atoi(w + 2));
    else snprintf(buf, size, "%s", label);
}

static void money_words(double amount, const char *currency, char *buf, size_t size)
{
    const char *symbol = !strcmp(currency, "USD") ? "$" : !strcmp(currency, "EUR") ? "\xe2\x82\xac"
                       : !strcmp(currency, "GBP") ? "\xc2\xa3" : NULL;
    char digits[64], grouped[100];
    bool whole = fabs(amount - round(amount)) < 0.005;
    snprintf(digits, sizeof digits, whole ? "%.0f" : "%.2f", fabs(amount));
    size_t int_len = strcspn(digits, "."), o = 0;
    for (size_t i = 0; digits[i]; i++) {
        if (i < int_len && i > 0 && (int_len - i) % 3 == 0) grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    if (symbol) snprintf(buf, size, "%s%s%s", amount < 0 ? "-" : "", symbol, grouped);
    else snprintf(buf, size, "%s%s %s", amount < 0 ? "-" : "", currency, grouped);
}

static const char *kind_noun(int kind, size_t n)
{
    static const char *const nouns[NKINDS][2] = {
        {"qualified lead", "qualified leads"},
        {"inbound opportunity", "inbound opportunities"},
        {"inbound won deal", "inbound won deals"}};
    return nouns[kind][n == 1 ? 0 : 1];
}

/* Whether a key is in the export: the leads' lead_id or the
 * opportunities' opportunity_id, through a bitmap of the codes that
 * column uses (built once per kind). */
typedef struct export_ids {
    const lp_column *col;
    uint8_t *used;          /* bit per code of col's pool */
    bool ready;
} export_ids;

static bool export_has(export_ids *e, const lp_results *res, int kind, const char *key)
{
    if (!e->ready) {
        e->ready = true;
        const lp_dataset *ds = res->dataset;
        const lp_table *t = ds ? ds->tables[kind == 0 ? LP_LEADS : LP_OPPORTUNITIES] : NULL;
        e->col = t ? lp_table_column(t, kind == 0 ? "lead_id" : "opportunity_id") : NULL;
        if (e->col && e->col->type == LP_TYPE_STRING) {
            int32_t ncodes = lp_strpool_count(t->pool);
            e->used = lp_calloc((size_t)ncodes / 8 + 1, 1);
            for (size_t r = 0; e->used && r < e->col->length; r++) {
                if (!lp_column_valid(e->col, r)) continue;
                int32_t c = e->col->v.i32[r];
                if (c >= 0 && c < ncodes) e->used[c >> 3] |= (uint8_t)(1u << (c & 7));
            }
        }
    }
    if (!e->col || !e->used) return true; /* cannot tell: never call it deleted */
    int32_t code = lp_strpool_find(e->col->table->pool, key, strlen(key));
    return code >= 0 && ((e->used[code >> 3] >> (code & 7)) & 1);
}

typedef struct cause_ctx {
    lp_ledger *ledger;
    const lp_results *res;
    char (*labels)[24];
    keyset (*cur)[WINDOW];
    keyset prev_other[NKINDS][WINDOW];  /* latest published key sets, loaded on demand */
    bool prev_loaded[NKINDS];
    published_fig *figs;
    export_ids ids[NKINDS];
} cause_ctx;

static const char *const count_measure[NKINDS] = {"mql_count", "inbound_pipeline_count",
                                                  "inbound_won_count"};
/* The money figure of each kind's records (MQLs carry none: their count). */
static const char *const amount_measure[NKINDS] = {"mql_count", "inbound_pipeline_amount",
                                                   "inbound_won_amount"};

static lp_status load_prev_other(cause_ctx *c, int kind)
{
    if (c->prev_loaded[kind]) return LP_OK;
    c->prev_loaded[kind] = true;
    int m = measure_index(count_measure[kind]);
    for (int w = 0; m >= 0 && w < WINDOW; w++) {
        lp_status st = load_keyset(c->ledger, c->figs[(size_t)m * WINDOW + w].keyset,
                                   &c->prev_other[kind][w]);
        if (st) return st;
    }
    return LP_OK;
}

/* Appends ", " or "; " style clause to buf: the first clause names the
 * records, later ones only count them. */
static void clause(lp_buf *buf, int kind, size_t n, const char *fmt_tail, const char *arg)
{
    if (buf->len) lp_buf_puts(buf, "; ");
    if (!buf->len) lp_buf_printf(buf, "%zu %s ", n, kind_noun(kind, n));
    else lp_buf_printf(buf, "%zu ", n);
    lp_buf_printf(buf, fmt_tail, arg);
}

static lp_status work_out_cause(cause_ctx *c, const char *measure, int w,
                                const published_fig *pub, lp_buf *out)
{
    int kind = measure_kind(measure);
    if (kind < 0 || !pub->keyset[0] || !c->res->record_keys) {
        lp_buf_puts(out, "recomputed from the current exports (no record keys are kept for "
                         "this figure)");
        return LP_OK;
    }
    keyset before;
    lp_status st = load_keyset(c->ledger, pub->keyset, &before);
    if (!st) st = load_prev_other(c, kind);
    if (st || !before.present) {
        keyset_clear(&before);
        if (!st) lp_buf_puts(out, "recomputed from the current exports (the earlier key set "
                                  "is missing from the ledger)");
        return st;
    }
    const keyset *now = &c->cur[kind][w];
    size_t arrived = 0, deleted = 0, gone = 0;
    size_t moved_from[WINDOW] = {0}, moved_to[WINDOW] = {0};
    for (size_t i = 0; i < now->n; i++) {
        if (keyset_find(&before, now->keys[i]) >= 0) continue;
        int from = -1;
        for (int v = 0; v < WINDOW && from < 0; v++)
            if (v != w && keyset_find(&c->prev_other[kind][v], now->keys[i]) >= 0) from = v;
        if (from >= 0) moved_from[from]++;
        else arrived++;
    }
    for (size_t i = 0; i < before.n; i++) {
        if (keyset_find(now, before.keys[i]) >= 0) continue;
        int to = -1;
        for (int v = 0; v < WINDOW && to < 0; v++)
            if (v != w && keyset_find(&c->cur[kind][v], before.keys[i]) >= 0) to = v;
        if (to >= 0) moved_to[to]++;
        else if (!export_has(&c->ids[kind], c->res, kind, before.keys[i])) deleted++;
        else gone++;
    }
    char here[32], pack[32], there[32];
    period_words(c->labels[w], here, sizeof here);
    period_words(pub->report_period, pack, sizeof pack);
    if (arrived) {
        lp_buf_printf(out, "%zu %s dated in %s arrived after the %s pack", arrived,
                      kind_noun(kind, arrived), here, pack);
    }
    for (int v = 0; v < WINDOW; v++) {
        if (!moved_from[v]) continue;
        period_words(c->labels[v], there, sizeof there);
        clause(out, kind, moved_from[v], "moved from %s (date edited)", there);
    }
    if (deleted) clause(out, kind, deleted, deleted == 1 ? "was deleted%s" : "were deleted%s", "");
    if (gone)
        clause(out, kind, gone, gone == 1 ? "no longer counts%s" : "no longer count%s", "");
    for (int v = 0; v < WINDOW; v++) {
        if (!moved_to[v]) continue;
        period_words(c->labels[v], there, sizeof there);
        clause(out, kind, moved_to[v], "moved to %s (date edited)", there);
    }
    if (kind > 0 && measure_has_amount(measure)) {
        size_t changed = 0;
        const char *currency = c->res->settings ? c->res->settings->currency : "USD";
        for (size_t i = 0; i < now->n; i++) {
            long j = keyset_find(&before, now->keys[i]);
            if (j < 0) continue;
            double a = before.amounts[j], b = now->amounts[i];
            if (isnan(a) || isnan(b) || fabs(a - b) < 0.005) continue;
            if (++changed > MAX_AMOUNTS_NAMED) continue;
            char from[160], to[160];
            money_words(a, currency, from, sizeof from);
            money_words(b, currency, to, sizeof to);
            if (out->len) lp_buf_puts(out, "; ");
            lp_buf_printf(out, "an opportunity's amount changed from %s to %s", from, to);
        }
        if (changed > MAX_AMOUNTS_NAMED)
            lp_buf_printf(out, "; and %zu more amounts changed", changed - MAX_AMOUNTS_NAMED);
    }
    if (!out->len)
        lp_buf_puts(out, "recomputed from the current exports (the records behind it are the "
                         "same)");
    keyset_clear(&before);
    return out->failed ? LP_ERR_NOMEM : LP_OK;
}

lp_status lp_ledger_restatements(lp_ledger *l, const lp_results *res, lp_table **out_table,
                                 char *errmsg)
{
    l->errmsg = errmsg ? errmsg : l->scratch;
    l->errmsg[0] = '\0';
    headline_cols h;
    lp_status st = headline_of(res, &h, l->errmsg);
    if (st) return st;
    char labels[WINDOW][24];
    window_labels(res, labels);
    size_t nm = measure_count();
    cause_ctx c = {.ledger = l, .res = res, .labels = labels};
    keyset cur[NKINDS][WINDOW];
    memset(cur, 0, sizeof cur);
    c.cur = cur;
    c.figs = lp_calloc(nm * WINDOW, sizeof *c.figs);
    lp_table *t = lp_table_new("restatements");
    if (!c.figs || !t) st = LP_ERR_NOMEM;
    if (!st) st = current_keysets(res, labels, cur);

    /* Every earlier publication of the window's periods, oldest run first. */
    if (!st) {
        pub_scan scan = {.labels = labels, .figs = c.figs, .nmeasures = nm};
        const char *params[WINDOW];
        lp_buf sql = {0};
        lp_buf_puts(&sql, "SELECT f.figure, f.period, f.value, f.keyset, r.as_of, "
                          "r.report_period FROM figures f JOIN runs r ON r.run_id = f.run_id "
                          "WHERE f.subject = 'all' AND f.period IN (");
        for (int w = 0; w < WINDOW; w++) {
            lp_buf_puts(&sql, w ? ", ?" : "?");
            params[w] = labels[w];
        }
        lp_buf_puts(&sql, ") ORDER BY f.run_id");
        st = sql.failed ? LP_ERR_NOMEM
                        : l->store->exec(l, sql.data, WINDOW, params, scan_published, &scan);
        lp_buf_reset(&sql);
    }

    static const struct {
        const char *name;
        lp_type type;
    } cols[] = {{"measure", LP_TYPE_STRING}, {"subject", LP_TYPE_STRING},
                {"period", LP_TYPE_STRING},  {"published", LP_TYPE_DOUBLE},
                {"now", LP_TYPE_DOUBLE},     {"change", LP_TYPE_DOUBLE},
                {"published_as_of", LP_TYPE_INSTANT}, {"cause", LP_TYPE_STRING}};
    lp_column *col[8] = {0};
    for (size_t i = 0; !st && i < 8; i++) st = lp_table_add_column(t, cols[i].name, cols[i].type,
                                                                    &col[i]);
    for (size_t r = 0; !st && r < h.t->nrows; r++) {
        const char *measure = lp_column_str(h.measure, r);
        const char *period = lp_column_str(h.period, r);
        int m = measure_index(measure), w = window_pos(labels, period);
        if (m < 0 || w < 0) continue;
        const published_fig *pub = &c.figs[(size_t)m * WINDOW + w];
        if (!pub->found) continue;
        double now = lp_column_number(h.value, r);
        const lp_figure_def *def = lp_figure_def_find(measure);
        if (!lp_ledger_differs(def ? (int)def->unit : LP_UNIT_COUNT, pub->value, now)) continue;
        lp_buf cause = {0};
        int64_t as_of = 0;
        bool has_as_of = pub->as_of[0] && lp_instant_parse_iso(pub->as_of, &as_of) == LP_OK;
        if (def && def->maturing && has_as_of && as_of < res->as_of) {
            /* A rate whose cohort keeps maturing after its period (templates/
             * DEFINITIONS.md, "Compare like with like"): its change since is
             * the cohort maturing, not a record that arrived late. */
            char published[48];
            lp_instant_date_words(as_of, published, sizeof published);
            lp_buf_printf(&cause, "a maturing rate, published on %s while the leads or "
                                  "deals it counts were still being worked", published);
            if (h.matures_at && lp_column_valid(h.matures_at, r)) {
                char when[48];
                lp_instant_date_words(h.matures_at->v.i64[r], when, sizeof when);
                lp_buf_printf(&cause, " (final on %s)", when);
            }
            st = cause.failed ? LP_ERR_NOMEM : LP_OK;
        } else if (measure_kind(measure) < 0 && def && def->base &&
                   measure_kind(def->base) >= 0 && measure_index(def->base) >= 0) {
            /* A figure with no records of its own that is worked out from
             * ones that have (the average deal from the deals won): the
             * cause of its records'. */
            const char *from = def->unit == LP_UNIT_MONEY ? amount_measure[measure_kind(def->base)]
                                                          : def->base;
            int fm = measure_index(from);
            st = work_out_cause(&c, from, w, &c.figs[(size_t)fm * WINDOW + w], &cause);
        } else {
            st = work_out_cause(&c, measure, w, pub, &cause);
        }
        if (!st) st = lp_column_append_string(col[0], measure, strlen(measure));
        if (!st) st = lp_column_append_string(col[1], "all", 3);
        if (!st) st = lp_column_append_string(col[2], period, strlen(period));
        if (!st) st = isnan(pub->value) ? lp_column_append_null(col[3])
                                        : lp_column_append_double(col[3], pub->value);
        if (!st) st = isnan(now) ? lp_column_append_null(col[4])
                                 : lp_column_append_double(col[4], now);
        if (!st) st = isnan(now) || isnan(pub->value)
                          ? lp_column_append_null(col[5])
                          : lp_column_append_double(col[5], now - pub->value);
        if (!st) st = has_as_of ? lp_column_append_int64(col[6], as_of)
                                : lp_column_append_null(col[6]);
        if (!st) st = lp_column_append_string(col[7], cause.data ? cause.data : "", cause.len);
        lp_buf_reset(&cause);
    }
    if (!st) st = lp_table_finish(t);
    for (int kind = 0; kind < NKINDS; kind++) {
        lp_free(c.ids[kind].used);
        for (int w = 0; w < WINDOW; w++) {
            keyset_clear(&cur[kind][w]);
            keyset_clear(&c.prev_other[kind][w]);
        }
    }
    lp_free(c.figs);
    if (st) {
        lp_table_free(t);
        if (!l->errmsg[0]) lp_errmsg_set(l->errmsg, "%s: %s", l->shown, lp_status_str(st));
        return st;
    }
    *out_table = t;
    return LP_OK;
}

/* ---- History ---- */

typedef struct history_ctx {
    bool (*fn)(void *ctx, const lp_ledger_entry *entry);
    void *ctx;
} history_ctx;

static bool history_row(void *ctx, int ncols, const char *const *v)
{
    history_ctx *h = ctx;
    if (ncols < 11) return false;
    lp_ledger_entry e = {
        .run_id = v[0] ? strtoll(v[0], NULL, 10) : 0,
        .published_at = v[1] ? v[1] : "",
        .as_of = v[2] ? v[2] : "",
        .template_name = v[3] ? v[3] : "",
        .report_period = v[4] ? v[4] : "",
        .figure = v[5] ? v[5] : "",
        .subject = v[6] ? v[6] : "",
        .period = v[7] ? v[7] : "",
        .value = v[8] ? strtod(v[8], NULL) : NAN,
        .unit = v[9] ? v[9] : "",
        .keys = v[10] ? strtoll(v[10], NULL, 10) : -1,
    };
    return h->fn(h->ctx, &e);
}

lp_status lp_ledger_history(lp_ledger *l, const char *measure, const char *period,
                            bool (*fn)(void *ctx, const lp_ledger_entry *entry), void *ctx,
                            char *errmsg)
{
    l->errmsg = errmsg ? errmsg : l->scratch;
    l->errmsg[0] = '\0';
    const char *params[2];
    int n = 0;
    lp_buf sql = {0};
    lp_buf_puts(&sql, "SELECT r.run_id, r.published_at, r.as_of, r.template, r.report_period, "
                      "f.figure, f.subject, f.period, f.value, f.unit, k.n "
                      "FROM figures f JOIN runs r ON r.run_id = f.run_id "
                      "LEFT JOIN keysets k ON k.hash = f.keyset WHERE 1 = 1");
    if (measure) {
        lp_buf_puts(&sql, " AND f.figure = ?");
        params[n++] = measure;
    }
    if (period) {
        lp_buf_puts(&sql, " AND f.period = ?");
        params[n++] = period;
    }
    lp_buf_puts(&sql, " ORDER BY r.run_id, f.figure, f.period");
    history_ctx h = {fn, ctx};
    lp_status st = sql.failed ? LP_ERR_NOMEM
                              : l->store->exec(l, sql.data, n, params, history_row, &h);
    lp_buf_reset(&sql);
    return st;
}
