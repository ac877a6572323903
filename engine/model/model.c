/* The canonical model's schema and the dataset container (model.h). */
#include "lp/model.h"

#include <string.h>

#include "lp/digest.h"

static const lp_canon_column leads_cols[] = {
    {"lead_id", LP_TYPE_STRING, true},      {"created_at", LP_TYPE_INSTANT, true},
    {"source", LP_TYPE_STRING, false},      {"campaign_id", LP_TYPE_STRING, false},
    {"owner_id", LP_TYPE_STRING, false},    {"company", LP_TYPE_STRING, false},
    {"industry", LP_TYPE_STRING, false},    {"employees", LP_TYPE_INT64, false},
    {"country", LP_TYPE_STRING, false},     {"phone", LP_TYPE_STRING, false},
    {"email", LP_TYPE_STRING, false},       {"score", LP_TYPE_DOUBLE, false},
    {"status", LP_TYPE_STRING, false},      {"mql_at", LP_TYPE_INSTANT, false},
    {"sql_at", LP_TYPE_INSTANT, false},     {"disqualified_at", LP_TYPE_INSTANT, false},
    {"converted_at", LP_TYPE_INSTANT, false}, {"opportunity_id", LP_TYPE_STRING, false},
};
static const lp_canon_column campaigns_cols[] = {
    {"campaign_id", LP_TYPE_STRING, true}, {"name", LP_TYPE_STRING, true},
    {"type", LP_TYPE_STRING, false},       {"start_date", LP_TYPE_DATE, false},
    {"end_date", LP_TYPE_DATE, false},     {"actual_cost", LP_TYPE_DOUBLE, false},
    {"budgeted_cost", LP_TYPE_DOUBLE, false},
};
static const lp_canon_column touches_cols[] = {
    {"touch_id", LP_TYPE_STRING, false},   {"lead_id", LP_TYPE_STRING, true},
    {"campaign_id", LP_TYPE_STRING, true}, {"touched_at", LP_TYPE_INSTANT, true},
    {"responded", LP_TYPE_BOOL, false},
};
static const lp_canon_column activities_cols[] = {
    {"lead_id", LP_TYPE_STRING, true},   {"at", LP_TYPE_INSTANT, true},
    {"owner_id", LP_TYPE_STRING, false}, {"type", LP_TYPE_STRING, false},
};
static const lp_canon_column opportunities_cols[] = {
    {"opportunity_id", LP_TYPE_STRING, true}, {"created_at", LP_TYPE_INSTANT, true},
    {"stage", LP_TYPE_STRING, true},          {"amount", LP_TYPE_DOUBLE, false},
    {"close_date", LP_TYPE_DATE, false},      {"is_closed", LP_TYPE_BOOL, false},
    {"is_won", LP_TYPE_BOOL, false},          {"source", LP_TYPE_STRING, false},
    {"campaign_id", LP_TYPE_STRING, false},   {"lead_id", LP_TYPE_STRING, false},
    {"owner_id", LP_TYPE_STRING, false},      {"type", LP_TYPE_STRING, false},
};
static const lp_canon_column users_cols[] = {
    {"owner_id", LP_TYPE_STRING, true}, {"name", LP_TYPE_STRING, false},
    {"team", LP_TYPE_STRING, false},    {"is_partner", LP_TYPE_BOOL, false},
};
static const lp_canon_column targets_cols[] = {
    {"period", LP_TYPE_STRING, true}, {"measure", LP_TYPE_STRING, true},
    {"team", LP_TYPE_STRING, false},  {"value", LP_TYPE_DOUBLE, false},
};

static const struct {
    const char *name;
    const lp_canon_column *cols;
    size_t n;
} schema[LP_TABLE_COUNT] = {
#define ENTRY(name, cols) {name, cols, sizeof(cols) / sizeof(cols[0])}
    ENTRY("leads", leads_cols),
    ENTRY("campaigns", campaigns_cols),
    ENTRY("touches", touches_cols),
    ENTRY("activities", activities_cols),
    ENTRY("opportunities", opportunities_cols),
    ENTRY("users", users_cols),
    ENTRY("targets", targets_cols),
#undef ENTRY
};

const char *lp_canon_table_name(lp_table_id id)
{
    return (unsigned)id < LP_TABLE_COUNT ? schema[id].name : "unknown";
}

int lp_canon_table_id(const char *name)
{
    for (int i = 0; i < LP_TABLE_COUNT; i++)
        if (strcmp(schema[i].name, name) == 0) return i;
    return -1;
}

const lp_canon_column *lp_canon_columns(lp_table_id id, size_t *out_n)
{
    *out_n = schema[id].n;
    return schema[id].cols;
}

const lp_canon_column *lp_canon_column_find(lp_table_id id, const char *name)
{
    for (size_t i = 0; i < schema[id].n; i++)
        if (strcmp(schema[id].cols[i].name, name) == 0) return &schema[id].cols[i];
    return NULL;
}

lp_status lp_canon_table_new(lp_table_id id, lp_table **out_table)
{
    lp_table *table = lp_table_new(schema[id].name);
    if (!table) return LP_ERR_NOMEM;
    for (size_t i = 0; i < schema[id].n; i++) {
        if (!schema[id].cols[i].required) continue;
        lp_status st = lp_table_add_column(table, schema[id].cols[i].name,
                                           schema[id].cols[i].type, NULL);
        if (st) {
            lp_table_free(table);
            return st;
        }
    }
    *out_table = table;
    return LP_OK;
}

lp_dataset *lp_dataset_new(void) { return lp_calloc(1, sizeof(lp_dataset)); }

lp_status lp_dataset_digests(const lp_dataset *ds, char *errmsg)
{
    if (!ds || !ds->digests) return LP_OK;
    size_t n = lp_digest_count(ds->digests); /* one per file, in order */
    char(*hex)[65] = lp_malloc((n ? n : 1) * sizeof *hex);
    if (!hex) return LP_ERR_NOMEM;
    lp_status st = lp_digest_wait(ds->digests, hex, errmsg);
    for (size_t i = 0; !st && i < n && i < ds->nfiles; i++)
        if (hex[i][0]) memcpy(ds->files[i].sha256, hex[i], sizeof hex[i]);
    lp_free(hex);
    return st;
}

void lp_dataset_free(lp_dataset *ds)
{
    if (!ds) return;
    lp_digest_free(ds->digests);
    for (int i = 0; i < LP_TABLE_COUNT; i++) {
        lp_table_free(ds->tables[i]);
        lp_free(ds->lead_codes[i]);
    }
    for (size_t i = 0; i < ds->nfiles; i++) {
        lp_free(ds->files[i].path);
        lp_free(ds->files[i].dialect);
        for (size_t k = 0; k < LP_CANON_MAX_COLUMNS; k++) {
            lp_free(ds->files[i].sources[k]);
            lp_free(ds->files[i].defaults[k]);
        }
    }
    lp_free(ds->files);
    for (size_t i = 0; i < ds->nrejects; i++) {
        lp_free(ds->rejects[i].file); /* and its other texts (lp_dataset_add_reject) */
    }
    lp_free(ds->rejects);
    for (size_t i = 0; i < ds->nnotes; i++) {
        lp_free(ds->notes[i].table); /* and its kind and message (lp_dataset_add_note) */
    }
    lp_free(ds->notes);
    lp_free(ds->profile);
    lp_free(ds->profile_reason);
    lp_free(ds);
}

/* Grows an array by one element; capacity doubles on powers of two. */
static void *grow(void *array, size_t count, size_t size)
{
    if (count && (count & (count - 1))) return array;
    return lp_realloc(array, (count ? count * 2 : 4) * size);
}

lp_status lp_dataset_add_reject(lp_dataset *ds, const char *file, size_t line,
                                const char *column, const char *value,
                                const char *reason)
{
    lp_reject *rejects = grow(ds->rejects, ds->nrejects, sizeof(lp_reject));
    if (!rejects) return LP_ERR_NOMEM;
    ds->rejects = rejects;
    if (!column) column = "";
    if (!value) value = "";
    size_t vlen = strlen(value);
    if (vlen > 200) vlen = 200;
    /* the four texts in one block, which file owns (lp_dataset_free) */
    size_t flen = strlen(file), clen = strlen(column), rlen = strlen(reason);
    char *block = lp_malloc(flen + clen + vlen + rlen + 4);
    if (!block) return LP_ERR_NOMEM;
    lp_reject r = {block, line, block + flen + 1, block + flen + clen + 2,
                   block + flen + clen + vlen + 3};
    memcpy(r.file, file, flen + 1);
    memcpy(r.column, column, clen + 1);
    memcpy(r.value, value, vlen);
    r.value[vlen] = '\0';
    memcpy(r.reason, reason, rlen + 1);
    ds->rejects[ds->nrejects++] = r;
    return LP_OK;
}

lp_status lp_dataset_add_note(lp_dataset *ds, const char *table, const char *kind,
                              size_t count, const char *message)
{
    lp_quality_note *notes = grow(ds->notes, ds->nnotes, sizeof(lp_quality_note));
    if (!notes) return LP_ERR_NOMEM;
    ds->notes = notes;
    /* the three texts in one block, which table owns (lp_dataset_free) */
    size_t tlen = strlen(table), klen = strlen(kind), mlen = strlen(message);
    char *block = lp_malloc(tlen + klen + mlen + 3);
    if (!block) return LP_ERR_NOMEM;
    lp_quality_note n = {block, block + tlen + 1, count, block + tlen + klen + 2};
    memcpy(n.table, table, tlen + 1);
    memcpy(n.kind, kind, klen + 1);
    memcpy(n.message, message, mlen + 1);
    ds->notes[ds->nnotes++] = n;
    return LP_OK;
}

lp_status lp_dataset_add_file(lp_dataset *ds, const char *path, lp_table_id table,
                              lp_file_report **out_report)
{
    lp_file_report *files = grow(ds->files, ds->nfiles, sizeof(lp_file_report));
    if (!files) return LP_ERR_NOMEM;
    ds->files = files;
    lp_file_report *r = &ds->files[ds->nfiles];
    memset(r, 0, sizeof(*r));
    r->path = lp_strdup(path);
    if (!r->path) return LP_ERR_NOMEM;
    r->table = table;
    ds->nfiles++;
    *out_report = r;
    return LP_OK;
}
