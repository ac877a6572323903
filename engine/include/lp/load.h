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
 *    export's own names; "stage_unmapped" note for names the map lacks),
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
 *  - Notes (lp_quality_note.kind): missing_file, bad_value, stage_guess,
 *    stage_unmapped, duplicate_id (leads.lead_id, opportunities.
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
} lp_load_options;

/* Loads every table the mapping names from input_dir. On LP_OK *out_ds holds
 * the canonical tables, per-file reports (rows read = loaded + rejected),
 * rejects and data-quality notes; the caller frees it with lp_dataset_free.
 * On failure errmsg (LP_ERRMSG_SIZE bytes) says which file, line, column and
 * value, e.g. `Lead.csv line 1043, column CreatedDate: "31/02/2026" is not a
 * date`. */
lp_status lp_dataset_load(const lp_load_options *options, lp_dataset **out_ds,
                          char *errmsg);

#endif
