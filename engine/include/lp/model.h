/*
 * model.h: the canonical model of templates/DEFINITIONS.md, and the dataset that holds it.
 *
 * Every export dialect is mapped onto these seven tables before any measure
 * runs. A table of the dataset is NULL when the export has none. Inside a
 * present table every required column exists; an optional column is absent
 * (lp_table_column returns NULL) when the export lacks it, which switches off
 * only the figures that need it.
 *
 * Canonical column names and types (required in capitals in the comments):
 * see lp_canon_columns. Keys (lead_id, campaign_id, owner_id,
 * opportunity_id, touch_id) are STRING columns; instants are INSTANT; dates
 * (campaign start/end, close_date) are DATE; money is DOUBLE.
 */
#ifndef LP_MODEL_H
#define LP_MODEL_H

#include "lp/table.h"

typedef enum lp_table_id {
    LP_LEADS,
    LP_CAMPAIGNS,
    LP_TOUCHES,
    LP_ACTIVITIES,
    LP_OPPORTUNITIES,
    LP_USERS,
    LP_TARGETS,
    LP_TABLE_COUNT
} lp_table_id;

typedef struct lp_canon_column {
    const char *name;   /* canonical column name, e.g. "mql_at" */
    lp_type type;       /* its type */
    bool required;      /* bold in templates/DEFINITIONS.md */
} lp_canon_column;

/* "leads", "campaigns", ... */
const char *lp_canon_table_name(lp_table_id id);
/* Table id for a name, or -1. */
int lp_canon_table_id(const char *name);
/* The canonical columns of a table (static, n written to *out_n). */
const lp_canon_column *lp_canon_columns(lp_table_id id, size_t *out_n);
/* The canonical column of a table by name, or NULL. */
const lp_canon_column *lp_canon_column_find(lp_table_id id, const char *name);

/* Upper bound on the canonical columns of any table (leads has 18). */
#define LP_CANON_MAX_COLUMNS 24 /* at most 32: column masks are uint32_t */

/* What the loader did with one input file. */
typedef struct lp_file_report {
    char *path;             /* file as given (owned) */
    lp_table_id table;      /* canonical table it fed */
    char *dialect;          /* e.g. "comma, UTF-8, CRLF" (owned) */
    size_t rows_read;       /* data rows seen (footer lines skipped not counted) */
    size_t rows_loaded;     /* rows appended to the table */
    size_t rows_rejected;   /* rows written to rejects */
    char sha256[65];        /* hex digest of the file's bytes; "" until
                               lp_dataset_digests when the load deferred it */
    /* Per canonical column of the table, in lp_canon_columns order (the
     * loader fills them; zero for columns the file lacks): */
    size_t null_values[LP_CANON_MAX_COLUMNS]; /* loaded rows with the value empty (null) */
    size_t bad_values[LP_CANON_MAX_COLUMNS];  /* loaded rows whose optional value could not be
                                                 read and was loaded as null (not counted in
                                                 null_values); see the "bad_value" notes */
    char *sources[LP_CANON_MAX_COLUMNS];  /* header that fed the column, or NULL (owned); one
                                             header may feed several columns (fan-out) */
    char *defaults[LP_CANON_MAX_COLUMNS]; /* the mapping's constant where the file had no
                                             column and a default was used, or NULL (owned) */
} lp_file_report;

/* One rejected row (or null-ed optional value, when nulled is true). */
typedef struct lp_reject {
    char *file;             /* owned, with the three texts below in one block */
    size_t line;            /* 1-based physical line where the record starts */
    char *column;           /* source column name, or "" for the whole row */
    char *value;            /* offending value, truncated to 200 bytes */
    char *reason;           /* e.g. "expected 9 fields, found 11" */
} lp_reject;

/* A data-quality finding from loading and mapping: duplicate ids, orphans,
 * dates out of order, a switched-off figure. */
typedef struct lp_quality_note {
    char *table;            /* canonical table name (owned, with kind and message
                             * in one block) */
    char *kind;             /* "duplicate_id", "orphan", "date_order", "missing_column", ... */
    size_t count;           /* rows affected */
    char *message;          /* plain-English sentence */
} lp_quality_note;

typedef struct lp_dataset {
    lp_table *tables[LP_TABLE_COUNT];    /* owned; NULL when absent */
    lp_file_report *files;               /* owned array */
    size_t nfiles;
    lp_reject *rejects;                  /* owned array, in file then line order */
    size_t nrejects;
    lp_quality_note *notes;              /* owned array */
    size_t nnotes;
    char *profile;                       /* profile used (owned), e.g. "salesforce" */
    char *profile_reason;                /* why it was chosen (owned) */
    /* Per table, the canonical columns (bit k = column k) an export has
     * that were not loaded (lp_load_options.columns). */
    uint32_t unloaded[LP_TABLE_COUNT];
    /* Per table with a lead_id column (touches, activities), as the loader's
     * data-quality pass worked it out to count orphans: for each code of
     * the table's string pool, the code of the same string in the leads
     * table's pool when the table's lead_id column uses it and a lead has
     * that id, else -1 (lp_column_translate_codes of the lead_id column).
     * Owned; NULL when not worked out. The measures read it instead of
     * looking every lead id up again; whoever changes either table after
     * loading frees it and sets it to NULL. */
    int32_t *lead_codes[LP_TABLE_COUNT];
    /* The digests of files[0..nfiles) being worked out beside the load and
     * the run (lp_load_options.defer_digests; lp/digest.h), or NULL. Owned. */
    struct lp_digest_job *digests;
} lp_dataset;

/* Columns (INT64) a source that counts touches itself adds to the
 * campaigns table (the warehouse's pushdown, warehouse.h): touches and
 * responders it counted per campaign without copying them. The campaigns
 * measure adds them to its lifetime counts; they are 0 on every row but the
 * first of a campaign id. */
#define LP_PUSHDOWN_TOUCHES "pushdown_touches"
#define LP_PUSHDOWN_RESPONDERS "pushdown_responders"

lp_dataset *lp_dataset_new(void);
void lp_dataset_free(lp_dataset *ds);
/* Fills every file's sha256 when the load deferred the digests (a no-op
 * otherwise, and when called again). Call it before reading sha256; one
 * thread at a time. On failure errmsg names the file that changed since it
 * was loaded (LP_ERR_INPUT) or could not be read again (LP_ERR_IO). */
lp_status lp_dataset_digests(const lp_dataset *ds, char *errmsg);
/* Appends copies of the strings. */
lp_status lp_dataset_add_reject(lp_dataset *ds, const char *file, size_t line,
                                const char *column, const char *value,
                                const char *reason);
lp_status lp_dataset_add_note(lp_dataset *ds, const char *table, const char *kind,
                              size_t count, const char *message);
/* Appends a zeroed file report and returns it (borrowed) in *out_report. */
lp_status lp_dataset_add_file(lp_dataset *ds, const char *path, lp_table_id table,
                              lp_file_report **out_report);
/* A new empty canonical table holding its required columns; the loader adds
 * the optional columns that the export carries. */
lp_status lp_canon_table_new(lp_table_id id, lp_table **out_table);

#endif
