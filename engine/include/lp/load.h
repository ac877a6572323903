/*
 * load.h: reading exports into the canonical model.
 *
 * Each file is streamed in blocks through libcsv straight into column
 * builders; it is never held whole as rows. The dialect (delimiter, quote,
 * BOM, line ends, encoding UTF-8 / UTF-16 / Windows-1252) is detected from
 * the first block. Bad rows become rejects in the dataset; a file that cannot
 * be used at all stops the load with LP_ERR_INPUT and a message naming the
 * file and what is wrong.
 */
/*
 * How lp_dataset_load reads a mapping (engine/load/):
 *  - Files: each pattern of a table is globbed in input_dir (sorted); the
 *    files of one table are concatenated in that order. A table none of
 *    whose patterns match is absent (NULL) with a "missing_file" note.
 *  - Columns: a canonical column takes the first of its mapped source
 *    headers present in the file (trimmed, case-insensitive), else a header
 *    named like the canonical column, else the mapping's default_value,
 *    else it is absent. A missing required column stops the load with
 *    LP_ERR_INPUT: "Lead.csv: no column for leads.created_at; did you mean
 *    Create_Date? ... Found columns: ...". Later files of a table may carry
 *    other optional columns: values missing on either side are null.
 *  - Values: value maps (lp_mapping.values) replace a value before it is
 *    typed, comparing trimmed and case-insensitively. Text is trimmed; an
 *    empty value is null. Types follow lp_canon_columns and lp/value.h;
 *    date order: settings->day_first gives dmy, else mapping->date_order.
 *    Decimal comma: settings->decimal_comma, or any semicolon-separated file.
 *  - Stage: when an opportunities file has no is_closed and/or is_won
 *    column, they are derived from the stage: through the "stage" value map
 *    when all its targets are won/lost/open (the stage column then keeps the
 *    export's own names; "stage_unmapped" note for names the map lacks,
 *    other than won, lost and open themselves),
 *    else by name (Closed Won / Won -> won, Closed Lost / Lost -> lost,
 *    anything else open) with a "stage_guess" note.
 *  - Rows: a record whose fields are all empty is skipped; a record whose
 *    first field starts with a skip_footer prefix is skipped, and so is
 *    every one-field record after it. Neither counts as read. A read row is
 *    either loaded or rejected (one reject per row): wrong field count
 *    ("expected 9 fields, found 11"), an empty required value ("required
 *    value is empty"), or an unreadable required value ("\"31/02/2026\" is
 *    not a date"). An unreadable optional value is loaded as null and
 *    counted in lp_file_report.bad_values (and a "bad_value" note).
 *  - Fan-out: one header may feed several canonical columns (a funnel
 *    export's first-contact date as created_at and mql_at); the field is
 *    typed once per row for the columns of one type and value map.
 *    lp_file_report.sources and .defaults say what fed each column.
 *  - Defaults: a default goes through the column's value map and, for the
 *    stage, the same won/lost/open derivation as a column holding it.
 *  - Notes (lp_quality_note.kind): missing_file, bad_value, stage_guess,
 *    stage_unmapped, future_dated, duplicate_id (leads.lead_id, opportunities.
 *    opportunity_id, campaigns.campaign_id), orphan (touches and activities
 *    whose lead_id matches no lead), date_order (mql_at before created_at,
 *    sql_at before mql_at), missing_column (one per absent optional column).
 *  - Time zone: settings->time_zone is set with lp_tz_set before reading
 *    when it differs from the current one (not while other threads run).
 *  - Limits: settings->max_field_bytes, max_columns, max_file_bytes (0 =
 *    defaults of lp/csv.h) give LP_ERR_LIMIT.
 * settings may be NULL (defaults, zone unchanged).
 */
#ifndef LP_LOAD_H
#define LP_LOAD_H

#include "lp/mapping.h"
#include "lp/settings.h"

typedef struct lp_load_options {
    const char *input_dir;        /* folder holding the exports */
    const lp_mapping *mapping;    /* which files and columns (borrowed) */
    const lp_settings *settings;  /* time zone, number and date forms, limits */
    bool progress;                /* draw progress on stderr (terminal only) */
    int threads;                  /* parser threads; 0 = number of cores */
    /* Columns to load, one mask per canonical table (bit k = column k of
     * lp_canon_columns), or NULL for every column. A column outside its
     * mask is neither typed nor stored (its values are not checked, so they
     * cause no rejects, nulls or "bad_value" notes); the export's field
     * counts are still checked and required columns are always loaded.
     * lp_dataset.unloaded records the columns left out. `leadpack run`
     * passes lp_measures_columns; `leadpack check` loads everything. */
    const uint32_t *columns;
    /* Future-dated records (templates/DEFINITIONS.md "Periods, as-of and what counts").
     * When has_now, a row whose as-of date (leads created_at, mql_at,
     * sql_at; touches touched_at; activities at; opportunities created_at)
     * is after `now` (UTC seconds) is rejected with the reason "dated after
     * the run: 2099-01-01" (the date in the report time zone) and counted in
     * a "future_dated" note, so it neither counts nor moves as-of. The
     * engine never reads the clock: `leadpack run` and `check` set now from
     * the real clock, or from the environment variable LEADPACK_NOW (an ISO
     * 8601 instant, for tests) when it is set, and leave has_now false when
     * --as-of is given, so that the same input and as-of give the same
     * output whenever it runs. */
    bool has_now;
    int64_t now;
    /* Work the files' SHA-256 out beside the run instead of during the load
     * (lp/digest.h): lp_dataset_load leaves lp_file_report.sha256 empty until
     * lp_dataset_digests. `leadpack run` sets it; the in-memory loader
     * ignores it. */
    bool defer_digests;
} lp_load_options;

/* Loads every table the mapping names from input_dir. On LP_OK *out_ds holds
 * the canonical tables, per-file reports (rows read = loaded + rejected),
 * rejects and data-quality notes; the caller frees it with lp_dataset_free.
 * On failure errmsg (LP_ERRMSG_SIZE bytes) says which file, line, column and
 * value, e.g. `Lead.csv line 1043, column CreatedDate: "31/02/2026" is not a
 * date`. */
lp_status lp_dataset_load(const lp_load_options *options, lp_dataset **out_ds,
                          char *errmsg);

/* lp_dataset_load over exports in memory instead of a folder: files[0..n)
 * stand for an input folder holding exactly those files (names without a
 * folder, distinct). Each pattern of the mapping is matched against the
 * names as glob(3) would match them in the folder (sorted; a leading dot is
 * matched only by a dot), and each file is read with lp_csv_read_buffer;
 * everything else, messages and labels included, is lp_dataset_load's.
 * options->input_dir is not used. Reads no file. */
lp_status lp_dataset_load_memory(const lp_load_options *options, const lp_memfile *files,
                                 size_t nfiles, lp_dataset **out_ds, char *errmsg);

/* One value of a mapped value column that its mapping does not name. */
typedef struct lp_unmapped_value {
    const char *value;          /* as loaded (borrowed from the dataset's table) */
    size_t rows;                /* rows holding it */
} lp_unmapped_value;

/* The unmapped values of one column of one table. */
typedef struct lp_unmapped {
    lp_table_id table;
    const char *column;         /* canonical column: "source", "stage", "type", ... */
    const char *source_name;    /* the export header it came from (the first file's), or
                                   the canonical name (borrowed from the dataset) */
    const char *kind;           /* what the values lack: "channel" (source: neither an
                                   inbound nor a partner source, nor "outbound"; such a
                                   lead is outbound unless its owner is a partner),
                                   "stage" (not in the stage map: the stage is then taken
                                   by its name), "value" (not in the column's value map:
                                   kept as exported) */
    size_t rows;                /* rows with an unmapped value (blank values excluded) */
    lp_unmapped_value *values;  /* owned: most rows first, then by value */
    size_t nvalues;
} lp_unmapped;

/* Lists, per text column that has a meaning through a mapping (source and
 * its channel, whenever settings is not NULL; stage and any other column
 * with a value map in mapping, activities.type but not the free-text types
 * of campaigns and opportunities), the loaded values the mapping does not
 * name, with their row counts. A value counts as named when it is one of
 * the map's export values or one of its targets. Columns without such
 * values are left out. *out (caller frees with lp_unmapped_free) borrows
 * ds, which must outlive it. */
lp_status lp_dataset_unmapped(const lp_dataset *ds, const lp_mapping *mapping,
                              const lp_settings *settings, lp_unmapped **out,
                              size_t *out_n);
void lp_unmapped_free(lp_unmapped *list, size_t n);

#endif
