/*
 * Loading exports into the canonical model (load.h).
 *
 * Per file: the CSV reader delivers the header, then records in chunks
 * (possibly on worker threads). The header callback resolves every
 * canonical column to a source field, a default or nothing (the "plan"),
 * and creates the dataset table's columns. Each chunk types its records into
 * a chunk-local table (own string pool) and a chunk-local reject list; the
 * reader hands chunks back in file order, and merging appends the chunk's
 * columns to the dataset table (string codes translated once per distinct
 * string) and its rejects to the dataset, so rows and rejects stay in line
 * order.
 *
 * A row is typed in two steps: every planned value into a cell array on the
 * stack, then, when nothing required failed, appended to the columns; a
 * rejected row therefore leaves no partial values behind.
 */
#include "lp/load.h"

#include <ctype.h>
#include <fnmatch.h>
#include <glob.h>
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lp/csv.h"
#include "lp/digest.h"
#include "lp/time.h"
#include "lp/value.h"
#include "../csv/csv_stream.h"
#include "load_stream.h"

/* ---- Plans ---- */

typedef enum plan_kind {
    PLAN_SOURCE,         /* from a field of the file */
    PLAN_DEFAULT,        /* a constant from the mapping's defaults */
    PLAN_DERIVED_CLOSED, /* is_closed from the stage */
    PLAN_DERIVED_WON     /* is_won from the stage */
} plan_kind;

typedef struct cell {
    bool valid;
    union {
        int64_t i64;
        double f64;
        int32_t i32;
        bool b;
    } v;
    const char *s;          /* STRING: the text (trimmed) */
    size_t len;
} cell;

typedef struct col_plan {
    const lp_canon_column *canon;
    size_t canon_index;         /* in lp_canon_columns order */
    plan_kind kind;
    size_t field;               /* PLAN_SOURCE: field index */
    const char *source_name;    /* header name, or the canonical name */
    const lp_value_map *vmap;   /* applied before typing, or NULL */
    const char *default_text;   /* PLAN_DEFAULT: the mapping's constant (borrowed) */
    cell default_cell;          /* PLAN_DEFAULT: default_text typed */
    int same_as;                /* PLAN_SOURCE: an earlier plan column that reads the same
                                   field with the same type and value map, whose cell is
                                   copied (a field feeding several canonical columns is
                                   read once per row), or -1 */
    bool future_check;          /* an as-of date: checked against lp_load_options.now */
    lp_column *target;          /* dataset column */
} col_plan;

/* What typing one field gave. */
typedef enum cell_outcome { CELL_OK, CELL_EMPTY, CELL_BAD } cell_outcome;

typedef enum stage_status { STAGE_OPEN, STAGE_WON, STAGE_LOST } stage_status;

typedef struct file_ctx {
    const lp_load_options *opts;
    lp_dataset *ds;
    lp_table_id table_id;
    lp_table *table;
    lp_file_report *report;
    const char *label;          /* file name relative to the input folder */
    char *errmsg;               /* LP_ERRMSG_SIZE */
    bool decimal_comma;
    lp_date_order order;
    /* header */
    char **header;
    size_t *header_len;         /* each name's length as header_find compares it */
    size_t nheader;
    /* plan */
    col_plan cols[LP_CANON_MAX_COLUMNS + 2];
    size_t ncols;
    int stage_col;              /* plan index of stage, or -1 */
    const lp_value_map *stage_map; /* stage -> won/lost/open, or NULL */
    bool derive_stage;
    size_t stage_unmapped;      /* rows whose stage the map does not name */
    size_t future_dated;        /* rows rejected as dated after lp_load_options.now */
    char future_example[24];    /* the first one's date, YYYY-MM-DD */
    size_t no_lead;             /* activities or touches with a blank lead_id */
    /* size of the last merged chunk, so that the next ones start at about
     * their final size (written by chunk_done, read by chunk_new on other
     * threads: atomic) */
    size_t hint_rows;
    size_t hint_strings;
    /* per plan column: its strings are nearly all distinct within a chunk
     * (identifiers, e-mails), so chunks append them unlooked-up and the
     * merge interns each once (chunk_done decides; atomic) */
    bool unique[LP_CANON_MAX_COLUMNS + 2];
    /* per plan column: text bytes of the last merged chunk's appended
     * strings, so that the next staging pools start at about their size */
    size_t hint_text[LP_CANON_MAX_COLUMNS + 2];
    uint64_t file_bytes;        /* size of the file, 0 for a stream (no pre-sizing) */
    bool presized;              /* the table was sized for the whole file (chunk_done) */
} file_ctx;

typedef struct chunk_reject {
    size_t line;
    const char *column;         /* header name (borrowed from the plan) or "" */
    char *value;                /* owned */
    char reason[160];
} chunk_reject;

typedef struct load_chunk {
    file_ctx *fc;
    lp_table *table;            /* chunk-local columns, in plan order */
    lp_column *cols[LP_CANON_MAX_COLUMNS + 2];
    /* per plan column: a staging pool of its strings appended as they come
     * (fc->unique), or NULL when they are interned in table's pool */
    lp_strpool *appended[LP_CANON_MAX_COLUMNS + 2];
    size_t strings[LP_CANON_MAX_COLUMNS + 2];  /* interned values per column */
    size_t fresh[LP_CANON_MAX_COLUMNS + 2];    /* of which new to the chunk */
    chunk_reject *rejects;
    size_t nrejects, rejects_cap;
    size_t rows_read, rows_loaded, rows_rejected;
    size_t nulls[LP_CANON_MAX_COLUMNS];
    size_t bad[LP_CANON_MAX_COLUMNS];
    size_t stage_unmapped;
    size_t future_dated;
    char future_example[24];
    size_t no_lead;
    size_t bytes;               /* bytes of the records seen: fields plus one separator each */
    bool in_footer;
} load_chunk;

/* ---- Small helpers ---- */

static bool eq_trim_nocase(const char *a, size_t alen, const char *b)
{
    const char *as, *bs;
    alen = lp_value_trim(a, alen, &as);
    size_t blen = lp_value_trim(b, strlen(b), &bs);
    return alen == blen && strncasecmp(as, bs, alen) == 0;
}

/* The first header name equal to name, both trimmed, ignoring case
 * (eq_trim_nocase of each name and name; the names' trimmed lengths are
 * known, and their starts need no trimming: on_header). */
static int header_find(const file_ctx *fc, const char *name)
{
    const char *bs;
    size_t blen = lp_value_trim(name, strlen(name), &bs);
    for (size_t i = 0; i < fc->nheader; i++)
        if (fc->header_len[i] == blen && strncasecmp(fc->header[i], bs, blen) == 0)
            return (int)i;
    return -1;
}

/* Target of a value map entry for text, or NULL. */
static const char *vmap_lookup(const lp_value_map *vm, const char *s, size_t len)
{
    for (size_t i = 0; i < vm->n; i++)
        if (eq_trim_nocase(s, len, vm->from[i])) return vm->to[i];
    return NULL;
}

static const lp_value_map *vmap_find(const lp_mapping *m, const char *column)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (strcmp(m->values[i].column, column) == 0) return &m->values[i];
    return NULL;
}

/* The letters and digits of s that name_distance compares (at most 63). */
static size_t name_length(const char *s)
{
    size_t n = 0;
    for (; *s && n < 63; s++)
        if (isalnum((unsigned char)*s)) n++;
    return n;
}

/* Edit distance of the lower-cased letters and digits of a and b. */
static size_t name_distance(const char *a, const char *b)
{
    char x[64], y[64];
    size_t n = 0, m = 0;
    for (; *a && n < 63; a++)
        if (isalnum((unsigned char)*a)) x[n++] = (char)tolower((unsigned char)*a);
    for (; *b && m < 63; b++)
        if (isalnum((unsigned char)*b)) y[m++] = (char)tolower((unsigned char)*b);
    size_t row[64];
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static stage_status stage_by_name(const char *s, size_t len)
{
    char k[32];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof k - 1; i++)
        if (isalnum((unsigned char)s[i])) k[n++] = (char)tolower((unsigned char)s[i]);
    k[n] = '\0';
    if (!strcmp(k, "closedwon") || !strcmp(k, "won")) return STAGE_WON;
    if (!strcmp(k, "closedlost") || !strcmp(k, "lost")) return STAGE_LOST;
    return STAGE_OPEN;
}

static bool stage_target(const char *to, stage_status *out)
{
    if (!strcasecmp(to, "won")) *out = STAGE_WON;
    else if (!strcasecmp(to, "lost")) *out = STAGE_LOST;
    else if (!strcasecmp(to, "open")) *out = STAGE_OPEN;
    else return false;
    return true;
}

/* The status of a stage text: through the stage map when there is one (a
 * stage the map does not name counts in *unmapped, unless it is itself won,
 * lost or open), else by name. A stage column and a default stage both go
 * through here, so a default behaves exactly like a column holding it. */
static stage_status stage_of(const lp_value_map *stage_map, const char *s, size_t len,
                             size_t *unmapped)
{
    stage_status status;
    if (stage_map) {
        const char *to = vmap_lookup(stage_map, s, len);
        if (to && stage_target(to, &status)) return status;
        char word[8];
        if (len < sizeof word) {
            memcpy(word, s, len);
            word[len] = '\0';
            if (stage_target(word, &status)) return status;
        }
        (*unmapped)++;
    }
    return stage_by_name(s, len);
}

/* The canonical columns that as-of is taken from (templates/DEFINITIONS.md "Periods,
 * as-of and what counts"); close dates and campaign dates are not among
 * them, since exports carry future expected close dates. */
static bool is_as_of_column(lp_table_id table, const char *name)
{
    switch (table) {
    case LP_LEADS:
        return !strcmp(name, "created_at") || !strcmp(name, "mql_at") || !strcmp(name, "sql_at");
    case LP_TOUCHES: return !strcmp(name, "touched_at");
    case LP_ACTIVITIES: return !strcmp(name, "at");
    case LP_OPPORTUNITIES: return !strcmp(name, "created_at");
    default: return false;
    }
}

static const char *type_noun(lp_type type)
{
    switch (type) {
    case LP_TYPE_INT64: return "a whole number";
    case LP_TYPE_DOUBLE: return "a number";
    case LP_TYPE_BOOL: return "true or false";
    case LP_TYPE_DATE:
    case LP_TYPE_INSTANT: return "a date";
    case LP_TYPE_STRING: return "text";
    }
    return "a value";
}

/* Types trimmed text s[0..len) (non-empty) into c. */
static bool type_text(const file_ctx *fc, lp_type type, const char *s, size_t len, cell *c)
{
    c->valid = true;
    switch (type) {
    case LP_TYPE_STRING:
        c->s = s;
        c->len = len;
        return true;
    case LP_TYPE_INT64: return lp_value_parse_int64(s, len, fc->decimal_comma, &c->v.i64);
    case LP_TYPE_DOUBLE: return lp_value_parse_number(s, len, fc->decimal_comma, &c->v.f64);
    case LP_TYPE_BOOL: return lp_value_parse_bool(s, len, &c->v.b);
    case LP_TYPE_DATE: return lp_value_parse_date(s, len, fc->order, &c->v.i32);
    case LP_TYPE_INSTANT: return lp_value_parse_instant(s, len, fc->order, &c->v.i64);
    }
    return false;
}

static lp_status append_cell(lp_column *col, const cell *c)
{
    if (!c->valid) return lp_column_append_null(col);
    switch (col->type) {
    case LP_TYPE_INT64:
    case LP_TYPE_INSTANT: return lp_column_append_int64(col, c->v.i64);
    case LP_TYPE_DOUBLE: return lp_column_append_double(col, c->v.f64);
    case LP_TYPE_BOOL: return lp_column_append_bool(col, c->v.b);
    case LP_TYPE_DATE: return lp_column_append_date(col, c->v.i32);
    case LP_TYPE_STRING: return lp_column_append_string(col, c->s, c->len);
    }
    return LP_ERR_USAGE;
}

static size_t type_width(lp_type type)
{
    switch (type) {
    case LP_TYPE_BOOL: return 1;
    case LP_TYPE_DATE:
    case LP_TYPE_STRING: return 4;
    default: return 8;
    }
}

/* Appends every value of src to dst (same type); codes maps src's string
 * codes to dst's for STRING columns. */
static lp_status column_append_all(lp_column *dst, const lp_column *src, const int32_t *codes)
{
    size_t n = src->length, base = dst->length;
    if (!n) return LP_OK;
    lp_status st = lp_column_reserve(dst, base + n);
    if (st) return st;
    size_t w = type_width(dst->type);
    if (codes) {
        for (size_t i = 0; i < n; i++)
            dst->v.i32[base + i] = lp_column_valid(src, i) ? codes[src->v.i32[i]] : 0;
    } else {
        memcpy((char *)dst->v.raw + base * w, src->v.raw, n * w);
    }
    for (size_t i = 0; i < n; i++) {
        size_t row = base + i;
        if (lp_column_valid(src, i)) dst->validity[row >> 3] |= (uint8_t)(1u << (row & 7));
        else dst->validity[row >> 3] &= (uint8_t) ~(1u << (row & 7));
    }
    dst->length += n;
    dst->null_count += src->null_count;
    return LP_OK;
}

/* ---- Header: the plan ---- */

static lp_status missing_required(file_ctx *fc, const lp_canon_column *canon,
                                  const lp_column_map *cm)
{
    /* The first header name closest to the canonical name or a mapped
     * source, when it is within the distance a typo makes. Only names
     * closer than that, or than the best so far, matter: a name whose
     * length (of letters and digits) differs by at least as much is not
     * measured. */
    size_t wanted = strlen(canon->name);
    size_t best = (wanted / 3 > 2 ? wanted / 3 : 2) + 1;
    int best_idx = -1;
    size_t ncand = 1 + (cm ? cm->nsources : 0);
    for (size_t i = 0; i < fc->nheader; i++) {
        size_t hlen = name_length(fc->header[i]);
        for (size_t k = 0; k < ncand; k++) {
            const char *cand = k ? cm->sources[k - 1] : canon->name;
            size_t clen = name_length(cand);
            if ((hlen > clen ? hlen - clen : clen - hlen) >= best) continue;
            size_t d = name_distance(fc->header[i], cand);
            if (d < best) {
                best = d;
                best_idx = (int)i;
            }
        }
    }
    lp_buf msg = {0};
    lp_buf_printf(&msg, "%s: no column for %s.%s", fc->label, lp_canon_table_name(fc->table_id),
                  canon->name);
    if (best_idx >= 0)
        lp_buf_printf(&msg, "; did you mean %s?", fc->header[best_idx]);
    if (cm && cm->nsources) {
        lp_buf_puts(&msg, " (looked for ");
        for (size_t k = 0; k < cm->nsources; k++)
            lp_buf_printf(&msg, "%s%s", k ? ", " : "", cm->sources[k]);
        lp_buf_puts(&msg, ")");
    }
    lp_buf_puts(&msg, ". Found columns: ");
    for (size_t i = 0; i < fc->nheader; i++)
        lp_buf_printf(&msg, "%s%s", i ? ", " : "", fc->header[i]);
    lp_errmsg_set(fc->errmsg, "%s", msg.failed || !msg.data ? "out of memory" : msg.data);
    lp_buf_reset(&msg);
    return LP_ERR_INPUT;
}

static lp_status plan_column(file_ctx *fc, col_plan *cp)
{
    if (!fc->table) {
        lp_status st = lp_canon_table_new(fc->table_id, &fc->table);
        if (st) return st;
        fc->ds->tables[fc->table_id] = fc->table;
    }
    lp_column *col = lp_table_column(fc->table, cp->canon->name);
    if (!col) {
        lp_status st = lp_table_add_column(fc->table, cp->canon->name, cp->canon->type, &col);
        if (st) return st;
        /* rows of earlier files lack this column */
        size_t rows = fc->table->ncols > 1 ? fc->table->columns[0]->length : 0;
        for (size_t i = 0; i < rows; i++)
            if ((st = lp_column_append_null(col))) return st;
    }
    cp->target = col;
    return LP_OK;
}

/* Types a default's constant (through the column's value map, as a field
 * would be) into cp->default_cell. */
static lp_status plan_default(file_ctx *fc, col_plan *cp)
{
    const char *s, *text = cp->default_text;
    const char *to = cp->vmap ? vmap_lookup(cp->vmap, text, strlen(text)) : NULL;
    if (to) text = to;
    size_t len = lp_value_trim(text, strlen(text), &s);
    memset(&cp->default_cell, 0, sizeof cp->default_cell);
    if (len && !type_text(fc, cp->canon->type, s, len, &cp->default_cell)) {
        lp_errmsg_set(fc->errmsg, "%s: the default \"%s\" for %s.%s is not %s", fc->label,
                      cp->default_text, lp_canon_table_name(fc->table_id), cp->canon->name,
                      type_noun(cp->canon->type));
        return LP_ERR_CONFIG;
    }
    cp->default_cell.valid = len > 0;
    cp->default_cell.s = s;
    cp->default_cell.len = len;
    return LP_OK;
}

static lp_status on_header(void *ctx, const lp_csv_record *h, const lp_csv_dialect *dialect)
{
    file_ctx *fc = ctx;
    lp_status st;
    lp_csv_dialect_describe(dialect, fc->errmsg, LP_ERRMSG_SIZE);
    fc->report->dialect = lp_strdup(fc->errmsg);
    fc->errmsg[0] = '\0';
    if (!fc->report->dialect) return LP_ERR_NOMEM;
    fc->header = lp_calloc(h->nfields, sizeof *fc->header);
    fc->header_len = lp_calloc(h->nfields, sizeof *fc->header_len);
    if (!fc->header || !fc->header_len) return LP_ERR_NOMEM;
    for (size_t i = 0; i < h->nfields; i++) {
        const char *s;
        size_t len = lp_value_trim(h->fields[i], h->lens[i], &s);
        if (!(fc->header[i] = lp_strndup(s, len))) return LP_ERR_NOMEM;
        /* Trimmed again, the name keeps its start (it begins with no
         * white space, and cutting it at a NUL does not make a space
         * there); its end may move when a NUL cut it. */
        const char *again;
        fc->header_len[i] = lp_value_trim(fc->header[i], strlen(fc->header[i]), &again);
        fc->nheader++;
    }
    /* a semicolon file without a decimal_comma setting: European Excel */
    if (dialect->delimiter == ';') fc->decimal_comma = true;

    const lp_mapping *m = fc->opts->mapping;
    const lp_table_map *tm = &m->tables[fc->table_id];
    size_t ncanon;
    const lp_canon_column *canon = lp_canon_columns(fc->table_id, &ncanon);
    bool has_closed = false, has_won = false;
    fc->stage_col = -1;
    for (size_t c = 0; c < ncanon && c < LP_CANON_MAX_COLUMNS; c++) {
        const lp_column_map *cm = NULL;
        for (size_t k = 0; k < tm->ncolumns; k++)
            if (tm->columns[k].canonical[0] == canon[c].name[0] &&
                strcmp(tm->columns[k].canonical, canon[c].name) == 0)
                cm = &tm->columns[k];
        int field = -1;
        for (size_t k = 0; cm && k < cm->nsources && field < 0; k++)
            field = header_find(fc, cm->sources[k]);
        if (field < 0) field = header_find(fc, canon[c].name);
        if (!canon[c].required && fc->opts->columns &&
            !(fc->opts->columns[fc->table_id] >> c & 1)) {
            if (field >= 0 || (cm && cm->default_value)) fc->ds->unloaded[fc->table_id] |= 1u << c;
            continue;
        }
        col_plan *cp = &fc->cols[fc->ncols];
        memset(cp, 0, sizeof *cp);
        cp->canon = &canon[c];
        cp->canon_index = c;
        cp->vmap = vmap_find(m, canon[c].name);
        if (field >= 0) {
            cp->kind = PLAN_SOURCE;
            cp->field = (size_t)field;
            cp->source_name = fc->header[field];
        } else if (cm && cm->default_value) {
            cp->kind = PLAN_DEFAULT;
            cp->source_name = canon[c].name;
            cp->default_text = cm->default_value;
            if ((st = plan_default(fc, cp))) return st;
        } else if (canon[c].required) {
            return missing_required(fc, &canon[c], cm);
        } else {
            continue;
        }
        if (!strcmp(canon[c].name, "is_closed")) has_closed = true;
        if (!strcmp(canon[c].name, "is_won")) has_won = true;
        if (!strcmp(canon[c].name, "stage")) fc->stage_col = (int)fc->ncols;
        if ((st = plan_column(fc, cp))) return st;
        fc->ncols++;
    }
    /* Opportunities without is_closed/is_won: derive them from the stage. */
    if (fc->table_id == LP_OPPORTUNITIES && fc->stage_col >= 0 && (!has_closed || !has_won)) {
        fc->derive_stage = true;
        const lp_value_map *sm = vmap_find(m, "stage");
        bool status_map = sm && sm->n > 0;
        for (size_t i = 0; sm && i < sm->n; i++) {
            stage_status s;
            if (!stage_target(sm->to[i], &s)) status_map = false;
        }
        if (status_map) {
            col_plan *stage = &fc->cols[fc->stage_col];
            fc->stage_map = sm;
            stage->vmap = NULL; /* the stage keeps its own name */
            /* and so does a default stage, typed again without the map */
            if (stage->kind == PLAN_DEFAULT && (st = plan_default(fc, stage))) return st;
        }
        for (int k = 0; k < 2; k++) {
            if (k == 0 ? has_closed : has_won) continue;
            col_plan *cp = &fc->cols[fc->ncols];
            memset(cp, 0, sizeof *cp);
            cp->canon = lp_canon_column_find(LP_OPPORTUNITIES, k == 0 ? "is_closed" : "is_won");
            for (size_t c = 0; c < ncanon; c++)
                if (&canon[c] == cp->canon) cp->canon_index = c;
            cp->kind = k == 0 ? PLAN_DERIVED_CLOSED : PLAN_DERIVED_WON;
            cp->source_name = fc->cols[fc->stage_col].source_name;
            if ((st = plan_column(fc, cp))) return st;
            fc->ncols++;
        }
    }
    /* A field that feeds several canonical columns of the same type and
     * value map is typed once per row; the report keeps what fed what. */
    for (size_t j = 0; j < fc->ncols; j++) {
        col_plan *cp = &fc->cols[j];
        cp->same_as = -1;
        cp->future_check = cp->canon->type == LP_TYPE_INSTANT &&
                           is_as_of_column(fc->table_id, cp->canon->name);
        for (size_t i = 0; i < j && cp->kind == PLAN_SOURCE && cp->same_as < 0; i++) {
            const col_plan *earlier = &fc->cols[i];
            if (earlier->kind == PLAN_SOURCE && earlier->field == cp->field &&
                earlier->canon->type == cp->canon->type && earlier->vmap == cp->vmap)
                cp->same_as = (int)i;
        }
        char **slot = cp->kind == PLAN_SOURCE    ? &fc->report->sources[cp->canon_index]
                      : cp->kind == PLAN_DEFAULT ? &fc->report->defaults[cp->canon_index]
                                                 : NULL;
        if (slot && !*slot &&
            !(*slot = lp_strdup(cp->kind == PLAN_SOURCE ? cp->source_name : cp->default_text)))
            return LP_ERR_NOMEM;
    }
    return LP_OK;
}

/* ---- Records ---- */

static lp_status chunk_new(void *ctx, void **out_chunk)
{
    file_ctx *fc = ctx;
    load_chunk *ch = lp_calloc(1, sizeof *ch);
    if (!ch) return LP_ERR_NOMEM;
    ch->fc = fc;
    ch->table = lp_table_new(lp_canon_table_name(fc->table_id));
    if (!ch->table) goto fail;
    size_t rows = __atomic_load_n(&fc->hint_rows, __ATOMIC_RELAXED);
    size_t strings = __atomic_load_n(&fc->hint_strings, __ATOMIC_RELAXED);
    for (size_t j = 0; j < fc->ncols; j++) {
        if (lp_table_add_column(ch->table, fc->cols[j].canon->name, fc->cols[j].canon->type,
                                &ch->cols[j]))
            goto fail;
        if (rows && lp_column_reserve(ch->cols[j], rows + rows / 8)) goto fail;
    }
    if (strings && lp_strpool_reserve(ch->table->pool, strings + strings / 8)) goto fail;
    for (size_t j = 0; j < fc->ncols; j++) {
        if (fc->cols[j].canon->type != LP_TYPE_STRING ||
            !__atomic_load_n(&fc->unique[j], __ATOMIC_RELAXED))
            continue;
        if (!(ch->appended[j] = lp_strpool_new())) goto fail;
        lp_strpool_drop_index(ch->appended[j]);
        size_t text = __atomic_load_n(&fc->hint_text[j], __ATOMIC_RELAXED);
        if (text && lp_strpool_reserve_text(ch->appended[j], text + text / 8)) goto fail;
    }
    *out_chunk = ch;
    return LP_OK;
fail:
    for (size_t j = 0; j < fc->ncols; j++) lp_strpool_free(ch->appended[j]);
    lp_table_free(ch->table);
    lp_free(ch);
    return LP_ERR_NOMEM;
}

static void chunk_free(void *ctx, void *chunk)
{
    (void)ctx;
    load_chunk *ch = chunk;
    if (!ch) return;
    for (size_t i = 0; i < ch->nrejects; i++) lp_free(ch->rejects[i].value);
    lp_free(ch->rejects);
    for (size_t j = 0; j < ch->fc->ncols; j++) lp_strpool_free(ch->appended[j]);
    lp_table_free(ch->table);
    lp_free(ch);
}

static lp_status add_reject(load_chunk *ch, size_t line, const char *column, const char *value,
                            size_t vlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static lp_status add_reject(load_chunk *ch, size_t line, const char *column, const char *value,
                            size_t vlen, const char *fmt, ...)
{
    if (ch->nrejects == ch->rejects_cap) {
        size_t cap = ch->rejects_cap ? ch->rejects_cap * 2 : 16;
        chunk_reject *r = lp_realloc(ch->rejects, cap * sizeof *r);
        if (!r) return LP_ERR_NOMEM;
        ch->rejects = r;
        ch->rejects_cap = cap;
    }
    chunk_reject *r = &ch->rejects[ch->nrejects];
    r->line = line;
    r->column = column;
    r->value = lp_strndup(value, vlen > 200 ? 200 : vlen);
    if (!r->value) return LP_ERR_NOMEM;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    ch->nrejects++;
    ch->rows_rejected++;
    return LP_OK;
}

static bool starts_with_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return n && len >= n && strncasecmp(s, prefix, n) == 0;
}

static lp_status on_record(void *chunk, const lp_csv_record *rec)
{
    load_chunk *ch = chunk;
    file_ctx *fc = ch->fc;
    const lp_mapping *m = fc->opts->mapping;

    for (size_t i = 0; i < rec->nfields; i++) ch->bytes += rec->lens[i] + 1;
    /* blank records and report footers are not data */
    bool blank = true;
    for (size_t i = 0; i < rec->nfields && blank; i++) {
        const char *s;
        if (lp_value_trim(rec->fields[i], rec->lens[i], &s)) blank = false;
    }
    if (blank) return LP_OK;
    const char *first;
    size_t first_len = lp_value_trim(rec->fields[0], rec->lens[0], &first);
    for (size_t k = 0; k < m->nskip_footer; k++) {
        if (starts_with_nocase(first, first_len, m->skip_footer[k])) {
            ch->in_footer = true;
            return LP_OK;
        }
    }
    if (ch->in_footer && rec->nfields == 1) return LP_OK;

    ch->rows_read++;
    if (rec->nfields != fc->nheader) {
        char joined[256];
        size_t o = 0;
        char delim = ',';
        for (size_t i = 0; i < rec->nfields && o < sizeof joined - 1; i++) {
            if (i) joined[o++] = delim;
            size_t n = rec->lens[i];
            if (n > sizeof joined - 1 - o) n = sizeof joined - 1 - o;
            memcpy(joined + o, rec->fields[i], n);
            o += n;
        }
        joined[o] = '\0';
        return add_reject(ch, rec->line, "", joined, o, "expected %zu fields, found %zu",
                          fc->nheader, rec->nfields);
    }

    cell cells[LP_CANON_MAX_COLUMNS + 2];
    cell_outcome outcome[LP_CANON_MAX_COLUMNS + 2];
    stage_status stage = STAGE_OPEN;
    for (size_t j = 0; j < fc->ncols; j++) {
        const col_plan *cp = &fc->cols[j];
        cell *c = &cells[j];
        if (cp->kind == PLAN_DERIVED_CLOSED || cp->kind == PLAN_DERIVED_WON) {
            c->valid = cells[fc->stage_col].valid;
            c->v.b = cp->kind == PLAN_DERIVED_CLOSED ? stage != STAGE_OPEN : stage == STAGE_WON;
            continue;
        }
        if (cp->kind == PLAN_DEFAULT) {
            *c = cp->default_cell;
        } else if (cp->same_as >= 0) {
            *c = cells[cp->same_as];
            outcome[j] = outcome[cp->same_as];
        } else {
            const char *raw = rec->fields[cp->field];
            size_t raw_len = rec->lens[cp->field];
            if (cp->vmap) {
                const char *to = vmap_lookup(cp->vmap, raw, raw_len);
                if (to) {
                    raw = to;
                    raw_len = strlen(to);
                }
            }
            c->len = lp_value_trim(raw, raw_len, &c->s);
            if (!c->len) c->valid = false, outcome[j] = CELL_EMPTY;
            else if (!type_text(fc, cp->canon->type, c->s, c->len, c))
                c->valid = false, outcome[j] = CELL_BAD;
            else outcome[j] = CELL_OK;
        }
        if (cp->kind == PLAN_SOURCE && outcome[j] == CELL_EMPTY) {
            /* An activity or touch with no lead (a Salesforce task whose
             * WhoId is blank belongs to a contact or an account) is not a
             * bad row: it is left out of the measures and counted, as an
             * orphan is (templates/DEFINITIONS.md, mapping rules), not rejected row by row. */
            if (cp->canon->required && strcmp(cp->canon->name, "lead_id") == 0 &&
                (fc->table_id == LP_ACTIVITIES || fc->table_id == LP_TOUCHES)) {
                ch->no_lead++;
                return LP_OK;
            }
            if (cp->canon->required)
                return add_reject(ch, rec->line, cp->source_name, "", 0,
                                  "required value is empty");
            ch->nulls[cp->canon_index]++;
            continue;
        }
        if (cp->kind == PLAN_SOURCE && outcome[j] == CELL_BAD) {
            if (cp->canon->required)
                return add_reject(ch, rec->line, cp->source_name, c->s, c->len,
                                  "\"%.*s\" is not %s", (int)(c->len > 100 ? 100 : c->len),
                                  c->s, type_noun(cp->canon->type));
            ch->bad[cp->canon_index]++;
            continue;
        }
        if ((int)j == fc->stage_col && fc->derive_stage && c->valid)
            stage = stage_of(fc->stage_map, c->s, c->len, &ch->stage_unmapped);
    }
    /* Future-dated: an as-of date after the moment of the run sets the row
     * aside, so that it neither counts nor moves as-of. */
    for (size_t j = 0; j < fc->ncols && fc->opts->has_now; j++) {
        const col_plan *cp = &fc->cols[j];
        if (!cp->future_check || !cells[j].valid || cells[j].v.i64 <= fc->opts->now) continue;
        int64_t y;
        int mo, d;
        lp_civil_from_days(lp_instant_local_date(cells[j].v.i64), &y, &mo, &d);
        char date[24];
        snprintf(date, sizeof date, "%04lld-%02d-%02d", (long long)y, mo, d);
        if (!ch->future_dated++)
            snprintf(ch->future_example, sizeof ch->future_example, "%s", date);
        return add_reject(ch, rec->line, cp->source_name, cells[j].s, cells[j].len,
                          "dated after the run: %s", date);
    }
    /* the stage's nulls were counted above; derived columns count nothing.
     * Strings are hashed and their slots prefetched first, so that the
     * row's pool lookups overlap their cache misses. */
    uint64_t hashes[LP_CANON_MAX_COLUMNS + 2];
    lp_strpool *pool = ch->table->pool;
    for (size_t j = 0; j < fc->ncols; j++) {
        if (ch->cols[j]->type != LP_TYPE_STRING || !cells[j].valid || ch->appended[j]) continue;
        hashes[j] = lp_strpool_hash(cells[j].s, cells[j].len);
        lp_strpool_prefetch(pool, hashes[j]);
    }
    for (size_t j = 0; j < fc->ncols; j++) {
        lp_status st;
        if (ch->cols[j]->type == LP_TYPE_STRING && cells[j].valid) {
            int32_t code;
            if (ch->appended[j]) {
                st = lp_strpool_append(ch->appended[j], cells[j].s, cells[j].len, &code);
            } else {
                int32_t before = lp_strpool_count(pool);
                st = lp_strpool_intern_hashed(pool, cells[j].s, cells[j].len, hashes[j], &code);
                ch->strings[j]++;
                ch->fresh[j] += lp_strpool_count(pool) > before;
            }
            if (!st) st = lp_column_append_code(ch->cols[j], code);
        } else {
            st = append_cell(ch->cols[j], &cells[j]);
        }
        if (st) return st;
    }
    ch->rows_loaded++;
    return LP_OK;
}

/* Sizes the table for the whole file from its first chunk: rows in
 * proportion to the bytes, strings to the strings new to the chunk (the
 * chunk's distinct values overcount a column that repeats across chunks,
 * so the index gets three quarters of that). Growing by doubling instead
 * copies every buffer about once more and rehashes the index at each step.
 * Reservations are only capacity: a failed one is left to later growth. */
static void presize(file_ctx *fc, const load_chunk *ch)
{
    fc->presized = true;
    if (!fc->file_bytes || !ch->bytes || !ch->rows_loaded || fc->file_bytes <= ch->bytes) return;
    double scale = (double)fc->file_bytes / (double)ch->bytes;
    size_t rows = (size_t)((double)ch->rows_loaded * scale * 1.02) + 64;
    for (size_t j = 0; j < fc->ncols; j++) {
        lp_column *col = fc->cols[j].target;
        (void)lp_column_reserve(col, col->length + rows);
    }
    size_t strings = (size_t)lp_strpool_count(ch->table->pool), text = 0;
    for (size_t j = 0; j < fc->ncols; j++)
        if (ch->appended[j]) strings += (size_t)lp_strpool_count(ch->appended[j]);
    if (!strings) return;
    text = lp_strpool_text_bytes(ch->table->pool);
    for (size_t j = 0; j < fc->ncols; j++)
        if (ch->appended[j]) text += lp_strpool_text_bytes(ch->appended[j]);
    lp_strpool *pool = fc->table->pool;
    size_t more = (size_t)((double)strings * scale);
    (void)lp_strpool_reserve(pool, (size_t)lp_strpool_count(pool) + more * 3 / 4);
    (void)lp_strpool_reserve_text(pool, lp_strpool_text_bytes(pool) +
                                               (size_t)((double)text * scale * 1.1));
}

static lp_status chunk_done(void *ctx, void *chunk)
{
    file_ctx *fc = ctx;
    load_chunk *ch = chunk;
    lp_status st = LP_OK;
    int32_t *codes = NULL;
    int32_t ncodes = lp_strpool_count(ch->table->pool);
    if (!fc->presized) presize(fc, ch);
    if (ncodes) {
        codes = lp_malloc((size_t)ncodes * sizeof *codes);
        if (!codes) {
            st = LP_ERR_NOMEM;
            goto cleanup;
        }
        st = lp_strpool_merge(fc->table->pool, ch->table->pool, codes);
        if (st) goto cleanup;
    }
    for (size_t j = 0; j < fc->ncols; j++) {
        int32_t *map = ch->cols[j]->type == LP_TYPE_STRING ? codes : NULL;
        int32_t nappended = ch->appended[j] ? lp_strpool_count(ch->appended[j]) : 0;
        if (nappended) {
            __atomic_store_n(&fc->hint_text[j], lp_strpool_text_bytes(ch->appended[j]),
                             __ATOMIC_RELAXED);
            map = lp_malloc((size_t)nappended * sizeof *map);
            st = map ? lp_strpool_merge(fc->table->pool, ch->appended[j], map) : LP_ERR_NOMEM;
        }
        if (!st) st = column_append_all(fc->cols[j].target, ch->cols[j], map);
        if (nappended) lp_free(map);
        if (st) goto cleanup;
        /* a column whose values were nine in ten new to this chunk is
         * appended unlooked-up in the chunks that start from now on */
        if (ch->strings[j] >= 1024 && ch->fresh[j] * 10 >= ch->strings[j] * 9)
            __atomic_store_n(&fc->unique[j], true, __ATOMIC_RELAXED);
    }
    for (size_t i = 0; i < ch->nrejects; i++) {
        const chunk_reject *r = &ch->rejects[i];
        st = lp_dataset_add_reject(fc->ds, fc->label, r->line, r->column, r->value, r->reason);
        if (st) goto cleanup;
    }
    fc->report->rows_read += ch->rows_read;
    fc->report->rows_loaded += ch->rows_loaded;
    fc->report->rows_rejected += ch->rows_rejected;
    for (size_t k = 0; k < LP_CANON_MAX_COLUMNS; k++) {
        fc->report->null_values[k] += ch->nulls[k];
        fc->report->bad_values[k] += ch->bad[k];
    }
    fc->stage_unmapped += ch->stage_unmapped;
    if (ch->future_dated && !fc->future_dated)
        snprintf(fc->future_example, sizeof fc->future_example, "%s", ch->future_example);
    fc->future_dated += ch->future_dated;
    fc->no_lead += ch->no_lead;
    __atomic_store_n(&fc->hint_rows, ch->rows_loaded, __ATOMIC_RELAXED);
    __atomic_store_n(&fc->hint_strings, (size_t)ncodes, __ATOMIC_RELAXED);
cleanup:
    lp_free(codes);
    chunk_free(ctx, ch);
    return st;
}

/* ---- Files and tables ---- */

/* Pads every column of the table to its longest with nulls. */
static lp_status table_pad(lp_table *t)
{
    size_t rows = 0;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->columns[i]->length > rows) rows = t->columns[i]->length;
    for (size_t i = 0; i < t->ncols; i++)
        while (t->columns[i]->length < rows) {
            lp_status st = lp_column_append_null(t->columns[i]);
            if (st) return st;
        }
    return LP_OK;
}

static lp_status note(lp_dataset *ds, lp_table_id id, const char *kind, size_t count,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static lp_status note(lp_dataset *ds, lp_table_id id, const char *kind, size_t count,
                      const char *fmt, ...)
{
    char msg[LP_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lp_dataset_add_note(ds, lp_canon_table_name(id), kind, count, msg);
}

/* Loads one file (path), or one byte stream when pull is not NULL, or one
 * file in memory when mem is not NULL (path is then the stream's label or
 * the file's name). With out_digest, a regular file is read without its
 * digest and *out_digest says what the digest job needs; out_digest->path
 * stays NULL otherwise. */
static lp_status load_file(const lp_load_options *opts, lp_dataset *ds, lp_table_id id,
                           const char *path, const char *label, bool decimal_comma,
                           lp_date_order order, lp_csv_pull pull, void *pull_ctx,
                           const lp_memfile *mem, lp_digest_file *out_digest, char *errmsg)
{
    file_ctx fc = {0};
    fc.opts = opts;
    fc.ds = ds;
    fc.table_id = id;
    fc.table = ds->tables[id];
    fc.label = label;
    fc.errmsg = errmsg;
    fc.decimal_comma = decimal_comma;
    fc.order = order;
    /* bytes in memory are not looked for on disk */
    struct stat sb;
    bool regular = !pull && !mem && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    if (mem) fc.file_bytes = mem->size;
    else if (regular) fc.file_bytes = (uint64_t)sb.st_size;
    bool defer = out_digest && regular;
    lp_status st = lp_dataset_add_file(ds, path, id, &fc.report);
    if (st) return st;
    const lp_settings *set = opts->settings;
    lp_csv_options copts = {
        .limits = {set ? set->max_field_bytes : 0, set ? set->max_columns : 0,
                   set ? set->max_file_bytes : 0},
        .threads = opts->threads,
        .progress = opts->progress,
        .label = label,
        .no_digest = defer,
    };
    lp_csv_handler h = {&fc, on_header, chunk_new, on_record, chunk_done, chunk_free};
    lp_csv_info info;
    errmsg[0] = '\0';
    st = pull  ? lp_csv_read_stream(pull, pull_ctx, &copts, &h, &info, errmsg)
         : mem ? lp_csv_read_buffer(mem->data, mem->size, &copts, &h, &info, errmsg)
               : lp_csv_read(path, &copts, &h, &info, errmsg);
    if (st == LP_OK && defer)
        *out_digest = (lp_digest_file){fc.report->path, info.file_bytes, (uint64_t)sb.st_dev,
                                       (uint64_t)sb.st_ino,
                                       (int64_t)sb.st_mtim.tv_sec * 1000000000 +
                                           sb.st_mtim.tv_nsec};
    if (st == LP_OK) {
        memcpy(fc.report->sha256, info.sha256, sizeof info.sha256);
        if (ds->tables[id]) st = table_pad(ds->tables[id]);
    }
    if (st == LP_OK) {
        size_t ncanon;
        const lp_canon_column *canon = lp_canon_columns(id, &ncanon);
        for (size_t k = 0; k < ncanon && !st; k++)
            if (fc.report->bad_values[k])
                st = note(ds, id, "bad_value", fc.report->bad_values[k],
                          "%s: %zu value%s of %s.%s could not be read and %s left blank",
                          label, fc.report->bad_values[k], fc.report->bad_values[k] == 1 ? "" : "s",
                          lp_canon_table_name(id), canon[k].name,
                          fc.report->bad_values[k] == 1 ? "was" : "were");
        if (!st && fc.derive_stage && !fc.stage_map)
            st = note(ds, id, "stage_guess", fc.report->rows_loaded,
                      "%s: no is_closed/is_won columns and no stage map; stages named like "
                      "\"Closed Won\" were taken as won, \"Closed Lost\" as lost, all others as open",
                      label);
        if (!st && fc.stage_unmapped)
            st = note(ds, id, "stage_unmapped", fc.stage_unmapped,
                      "%s: %zu opportunit%s a stage the stage map does not name; taken by its name "
                      "(Closed Won, Closed Lost, otherwise open)",
                      label, fc.stage_unmapped, fc.stage_unmapped == 1 ? "y has" : "ies have");
        if (!st && fc.no_lead)
            st = note(ds, id, "no_lead", fc.no_lead,
                      "%s: %zu row%s no lead (a contact's or an account's %s); left out of "
                      "the measures",
                      label, fc.no_lead, fc.no_lead == 1 ? " has" : "s have",
                      id == LP_ACTIVITIES ? "activity" : "campaign membership");
        if (!st && fc.future_dated)
            st = note(ds, id, "future_dated", fc.future_dated,
                      "%s: %zu row%s dated after the run (such as %s); set aside (see "
                      "rejects.csv), so %s not move the as-of date",
                      label, fc.future_dated, fc.future_dated == 1 ? " is" : "s are",
                      fc.future_example, fc.future_dated == 1 ? "it does" : "they do");
    }
    if (st && !errmsg[0])
        lp_errmsg_set(errmsg, "%s: %s", label, lp_status_str(st));
    for (size_t i = 0; i < fc.nheader; i++) lp_free(fc.header[i]);
    lp_free(fc.header);
    lp_free(fc.header_len);
    return st;
}

/* The files of a table: each pattern globbed in input_dir, sorted, each
 * file once. */
static lp_status expand_files(const char *dir, const lp_table_map *tm, char ***out_paths,
                              size_t *out_n)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    lp_status st = LP_OK;
    for (size_t p = 0; p < tm->nfiles && !st; p++) {
        lp_buf pattern = {0};
        lp_buf_printf(&pattern, "%s/%s", dir, tm->files[p]);
        if (pattern.failed) {
            st = LP_ERR_NOMEM;
            break;
        }
        glob_t g;
        int rc = glob(pattern.data, 0, NULL, &g);
        lp_buf_reset(&pattern);
        if (rc == GLOB_NOSPACE) st = LP_ERR_NOMEM;
        if (rc != 0) {
            if (rc != GLOB_NOMATCH) globfree(&g);
            continue;
        }
        for (size_t i = 0; i < g.gl_pathc && !st; i++) {
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++) seen = strcmp(paths[k], g.gl_pathv[i]) == 0;
            if (seen) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                char **grown = lp_realloc(paths, cap * sizeof *paths);
                if (!grown) {
                    st = LP_ERR_NOMEM;
                    break;
                }
                paths = grown;
            }
            if (!(paths[n] = lp_strdup(g.gl_pathv[i]))) st = LP_ERR_NOMEM;
            else n++;
        }
        globfree(&g);
    }
    if (st) {
        for (size_t k = 0; k < n; k++) lp_free(paths[k]);
        lp_free(paths);
        return st;
    }
    *out_paths = paths;
    *out_n = n;
    return LP_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* expand_files over files in memory: each pattern matched against the
 * names as glob does in a folder (sorted, each name once). */
static lp_status match_files(const lp_memfile *files, size_t nfiles, const lp_table_map *tm,
                             char ***out_paths, size_t *out_n)
{
    char **paths = NULL;
    size_t n = 0;
    lp_status st = LP_OK;
    if (nfiles && !(paths = lp_calloc(nfiles, sizeof *paths))) return LP_ERR_NOMEM;
    for (size_t p = 0; p < tm->nfiles && !st; p++) {
        size_t first = n;
        for (size_t i = 0; i < nfiles && !st; i++) {
            if (fnmatch(tm->files[p], files[i].name, FNM_PATHNAME | FNM_PERIOD) != 0) continue;
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++) seen = strcmp(paths[k], files[i].name) == 0;
            if (seen) continue;
            if (!(paths[n] = lp_strdup(files[i].name))) st = LP_ERR_NOMEM;
            else n++;
        }
        /* glob sorts the matches of each pattern */
        if (n - first > 1) qsort(paths + first, n - first, sizeof *paths, compare_names);
    }
    if (st) {
        for (size_t k = 0; k < n; k++) lp_free(paths[k]);
        lp_free(paths);
        return st;
    }
    *out_paths = paths;
    *out_n = n;
    return LP_OK;
}

/* ---- Data-quality notes ---- */

static lp_status note_duplicates(lp_dataset *ds, lp_table_id id, const char *column)
{
    lp_table *t = ds->tables[id];
    lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col) return LP_OK;
    int32_t ncodes = lp_strpool_count(t->pool);
    uint8_t *seen = lp_calloc((size_t)ncodes / 8 + 1, 1);
    if (!seen) return LP_ERR_NOMEM;
    size_t dups = 0;
    int32_t example = -1;
    for (size_t r = 0; r < col->length; r++) {
        if (!lp_column_valid(col, r)) continue;
        int32_t code = col->v.i32[r];
        if (seen[code >> 3] & (1u << (code & 7))) {
            if (!dups) example = code;
            dups++;
        }
        seen[code >> 3] |= (uint8_t)(1u << (code & 7));
    }
    lp_free(seen);
    if (!dups) return LP_OK;
    return note(ds, id, "duplicate_id", dups,
                "%zu %s row%s a %s already seen (for example \"%s\")", dups,
                lp_canon_table_name(id), dups == 1 ? " repeats" : "s repeat", column,
                lp_strpool_get(t->pool, example));
}

/* Rows of table id whose lead_id names no lead (0 without the tables or
 * the column). Reads the dataset's tables and writes only
 * ds->lead_codes[id] (kept for the measures), so it may run on a thread of
 * its own while notes are added. */
static lp_status count_orphans(lp_dataset *ds, lp_table_id id, size_t *out_orphans)
{
    *out_orphans = 0;
    const lp_table *t = ds->tables[id], *leads = ds->tables[LP_LEADS];
    if (!t || !leads) return LP_OK;
    const lp_column *col = lp_table_column(t, "lead_id");
    if (!col) return LP_OK;
    int32_t *map;
    lp_status st = lp_column_translate_codes(col, leads, &map);
    if (st) return st;
    size_t orphans = 0;
    for (size_t r = 0; r < col->length; r++)
        if (lp_column_valid(col, r) && map[col->v.i32[r]] < 0) orphans++;
    lp_free(ds->lead_codes[id]);
    ds->lead_codes[id] = map;
    *out_orphans = orphans;
    return LP_OK;
}

static lp_status note_orphans(lp_dataset *ds, lp_table_id id, size_t orphans)
{
    if (!orphans) return LP_OK;
    return note(ds, id, "orphan", orphans,
                "%zu %s row%s a lead_id that matches no lead; left out of the measures",
                orphans, lp_canon_table_name(id), orphans == 1 ? " names" : "s name");
}

/* count_orphans of touches on a second thread (quality_notes). */
#define ORPHAN_THREAD_MIN_ROWS ((size_t)1 << 16)

typedef struct orphan_job {
    lp_dataset *ds;
    size_t orphans;
    lp_status st;
} orphan_job;

static void *orphan_main(void *arg)
{
    orphan_job *j = arg;
    j->st = count_orphans(j->ds, LP_TOUCHES, &j->orphans);
    return NULL;
}

static lp_status note_date_order(lp_dataset *ds, const char *earlier, const char *later)
{
    lp_table *t = ds->tables[LP_LEADS];
    lp_column *a = t ? lp_table_column(t, earlier) : NULL;
    lp_column *b = t ? lp_table_column(t, later) : NULL;
    if (!a || !b) return LP_OK;
    size_t bad = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (lp_column_valid(a, r) && lp_column_valid(b, r) && b->v.i64[r] < a->v.i64[r]) bad++;
    if (!bad) return LP_OK;
    return note(ds, LP_LEADS, "date_order", bad, "%zu lead%s %s before %s", bad,
                bad == 1 ? " has" : "s have", later, earlier);
}

static lp_status quality_notes(lp_dataset *ds)
{
    /* The touches' orphans are counted on a second thread (large tables
     * only) while the duplicates and the activities' orphans are; the notes
     * are added in the same order either way. */
    orphan_job tj = {ds, 0, LP_OK};
    size_t act_orphans = 0;
    pthread_t orphan_thread;
    bool threaded = ds->tables[LP_TOUCHES] && ds->tables[LP_LEADS] &&
                    ds->tables[LP_TOUCHES]->nrows >= ORPHAN_THREAD_MIN_ROWS &&
                    pthread_create(&orphan_thread, NULL, orphan_main, &tj) == 0;
    lp_status st = note_duplicates(ds, LP_LEADS, "lead_id");
    if (!st) st = note_duplicates(ds, LP_OPPORTUNITIES, "opportunity_id");
    if (!st) st = note_duplicates(ds, LP_CAMPAIGNS, "campaign_id");
    if (threaded) {
        if (!st) st = count_orphans(ds, LP_ACTIVITIES, &act_orphans);
        pthread_join(orphan_thread, NULL);
        if (!st) st = tj.st;
    } else {
        if (!st) st = count_orphans(ds, LP_TOUCHES, &tj.orphans);
        if (!st) st = count_orphans(ds, LP_ACTIVITIES, &act_orphans);
    }
    if (!st) st = note_orphans(ds, LP_TOUCHES, tj.orphans);
    if (!st) st = note_orphans(ds, LP_ACTIVITIES, act_orphans);
    if (st) return st;
    if ((st = note_date_order(ds, "created_at", "mql_at"))) return st;
    if ((st = note_date_order(ds, "mql_at", "sql_at"))) return st;
    for (int id = 0; id < LP_TABLE_COUNT; id++) {
        lp_table *t = ds->tables[id];
        if (!t) continue;
        size_t n;
        const lp_canon_column *canon = lp_canon_columns((lp_table_id)id, &n);
        for (size_t c = 0; c < n; c++) {
            if (canon[c].required || lp_table_column(t, canon[c].name) ||
                ds->unloaded[id] >> c & 1)
                continue;
            st = note(ds, (lp_table_id)id, "missing_column", t->nrows,
                      "The %s export has no %s column; figures that need it are left out",
                      lp_canon_table_name((lp_table_id)id), canon[c].name);
            if (st) return st;
        }
    }
    return LP_OK;
}

/* Trims a loaded table. Only the leads keep their strings' hash index:
 * touches, activities and opportunities are joined to them by lead_id (the
 * orphan notes below, then the measures), while the other tables' strings
 * (unique ids, e-mails) are not looked up again, and their index would be
 * the largest part of their memory. */
static void finish_table(lp_dataset *ds, lp_table_id id)
{
    lp_table *t = ds->tables[id];
    if (!t) return;
    lp_table_shrink(t);
    if (id != LP_LEADS) lp_strpool_drop_index(t->pool);
}

/* ---- Entry point ---- */

/* lp_dataset_load, or lp_dataset_load_memory when mem is not NULL. */
static lp_status load_all(const lp_load_options *options, const lp_memfile *mem, size_t nmem,
                          lp_dataset **out_ds, char *errmsg)
{
    char local_errmsg[LP_ERRMSG_SIZE];
    if (!errmsg) errmsg = local_errmsg;
    errmsg[0] = '\0';
    if (!options || (!options->input_dir && !mem) || !options->mapping) {
        lp_errmsg_set(errmsg, "lp_dataset_load: input_dir and mapping are required");
        return LP_ERR_USAGE;
    }
    const lp_mapping *m = options->mapping;
    const lp_settings *set = options->settings;
    struct stat sb;
    if (!mem && (stat(options->input_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        lp_errmsg_set(errmsg, "input folder %s does not exist or is not a folder",
                      options->input_dir);
        return LP_ERR_INPUT;
    }
    if (set && set->time_zone[0] && strcmp(set->time_zone, lp_tz_name()) != 0 &&
        lp_tz_set(set->time_zone) != LP_OK) {
        lp_errmsg_set(errmsg, "unknown time zone \"%s\"", set->time_zone);
        return LP_ERR_CONFIG;
    }
    lp_date_order order;
    if (set && set->day_first) order = LP_DATE_DMY;
    else if (!lp_date_order_parse(m->date_order, &order)) {
        lp_errmsg_set(errmsg, "date_order \"%s\" is not mdy, dmy or ymd", m->date_order);
        return LP_ERR_CONFIG;
    }
    bool decimal_comma = set && set->decimal_comma;

    lp_dataset *ds = lp_dataset_new();
    if (!ds) return LP_ERR_NOMEM;
    lp_status st = LP_OK;
    /* with defer_digests, each file is hashed beside the load from the
     * moment it is loaded (lp/digest.h) */
    if (options->defer_digests && !mem) st = lp_digest_new(&ds->digests);
    size_t dir_len = mem ? 0 : strlen(options->input_dir);
    for (int id = 0; id < LP_TABLE_COUNT && !st; id++) {
        const lp_table_map *tm = &m->tables[id];
        if (!tm->nfiles) continue;
        char **paths = NULL;
        size_t npaths = 0;
        if ((st = mem ? match_files(mem, nmem, tm, &paths, &npaths)
                      : expand_files(options->input_dir, tm, &paths, &npaths)))
            break;
        if (!npaths) {
            lp_buf names = {0};
            for (size_t k = 0; k < tm->nfiles; k++)
                lp_buf_printf(&names, "%s%s", k ? ", " : "", tm->files[k]);
            st = note(ds, (lp_table_id)id, "missing_file", 0,
                      "No %s export in the input folder (looked for %s)",
                      lp_canon_table_name((lp_table_id)id), names.data ? names.data : "");
            lp_buf_reset(&names);
        }
        for (size_t k = 0; k < npaths && !st; k++) {
            const char *label = paths[k];
            const lp_memfile *file = NULL;
            for (size_t i = 0; mem && i < nmem && !file; i++)
                if (strcmp(mem[i].name, label) == 0) file = &mem[i];
            if (!mem && strncmp(label, options->input_dir, dir_len) == 0 &&
                label[dir_len] == '/')
                label += dir_len + 1;
            /* the digest job gets every file, in the order of ds->files; one
             * read with its digest (not a regular file) has no path there */
            lp_digest_file digest = {0};
            st = load_file(options, ds, (lp_table_id)id, paths[k], label, decimal_comma, order,
                           NULL, NULL, file, ds->digests ? &digest : NULL, errmsg);
            if (!st && ds->digests) st = lp_digest_add(ds->digests, &digest);
        }
        for (size_t k = 0; k < npaths; k++) lp_free(paths[k]);
        lp_free(paths);
        if (!st && ds->tables[id]) st = lp_table_finish(ds->tables[id]);
        if (!st) finish_table(ds, (lp_table_id)id);
    }
    if (!st) st = quality_notes(ds);
#ifdef __GLIBC__
    /* The chunks were freed on the parser threads, into their own malloc
     * arenas, which the rest of the run (on this thread) does not reuse:
     * hand those pages back (about a tenth of the dataset at scale). */
    malloc_trim(0);
#endif
    if (st) {
        if (!errmsg[0]) lp_errmsg_set(errmsg, "loading failed: %s", lp_status_str(st));
        lp_dataset_free(ds);
        return st;
    }
    *out_ds = ds;
    return LP_OK;
}

lp_status lp_dataset_load(const lp_load_options *options, lp_dataset **out_ds, char *errmsg)
{
    return load_all(options, NULL, 0, out_ds, errmsg);
}

lp_status lp_dataset_load_memory(const lp_load_options *options, const lp_memfile *files,
                                 size_t nfiles, lp_dataset **out_ds, char *errmsg)
{
    static const lp_memfile none = {"", "", 0};
    return load_all(options, files ? files : &none, files ? nfiles : 0, out_ds, errmsg);
}

/* ---- Byte streams (load_stream.h) ---- */

/* The time zone, date order and decimal mark of lp_dataset_load. */
static lp_status stream_forms(const lp_load_options *options, lp_date_order *out_order,
                              bool *out_decimal_comma, char *errmsg)
{
    const lp_settings *set = options->settings;
    if (set && set->time_zone[0] && strcmp(set->time_zone, lp_tz_name()) != 0 &&
        lp_tz_set(set->time_zone) != LP_OK) {
        lp_errmsg_set(errmsg, "unknown time zone \"%s\"", set->time_zone);
        return LP_ERR_CONFIG;
    }
    if (set && set->day_first) *out_order = LP_DATE_DMY;
    else if (!lp_date_order_parse(options->mapping->date_order, out_order)) {
        lp_errmsg_set(errmsg, "date_order \"%s\" is not mdy, dmy or ymd",
                      options->mapping->date_order);
        return LP_ERR_CONFIG;
    }
    *out_decimal_comma = set && set->decimal_comma;
    return LP_OK;
}

lp_status lp_load_stream_begin(const lp_load_options *options, lp_dataset **out_ds, char *errmsg)
{
    errmsg[0] = '\0';
    if (!options || !options->mapping) {
        lp_errmsg_set(errmsg, "lp_load_stream_begin: a mapping is required");
        return LP_ERR_USAGE;
    }
    lp_date_order order;
    bool decimal_comma;
    lp_status st = stream_forms(options, &order, &decimal_comma, errmsg);
    if (st) return st;
    lp_dataset *ds = lp_dataset_new();
    if (!ds) return LP_ERR_NOMEM;
    *out_ds = ds;
    return LP_OK;
}

lp_status lp_load_stream_add(const lp_load_options *options, lp_dataset *ds, lp_table_id id,
                             const char *label, lp_csv_pull pull, void *pull_ctx, char *errmsg)
{
    lp_date_order order;
    bool decimal_comma;
    lp_status st = stream_forms(options, &order, &decimal_comma, errmsg);
    if (st) return st;
    st = load_file(options, ds, id, label, label, decimal_comma, order, pull, pull_ctx, NULL, NULL,
                   errmsg);
    if (st && !errmsg[0]) lp_errmsg_set(errmsg, "%s: %s", label, lp_status_str(st));
    return st;
}

lp_status lp_load_stream_missing(lp_dataset *ds, lp_table_id id, const char *message)
{
    return lp_dataset_add_note(ds, lp_canon_table_name(id), "missing_file", 0, message);
}

lp_status lp_load_stream_finish(lp_dataset *ds, char *errmsg)
{
    lp_status st = LP_OK;
    for (int id = 0; id < LP_TABLE_COUNT && !st; id++)
        if (ds->tables[id]) {
            st = lp_table_finish(ds->tables[id]);
            if (!st) finish_table(ds, (lp_table_id)id);
        }
    if (!st) st = quality_notes(ds);
    if (st && !errmsg[0]) lp_errmsg_set(errmsg, "loading failed: %s", lp_status_str(st));
    return st;
}
