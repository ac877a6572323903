/*
 * load_stream.h: loading the canonical model from byte streams instead of
 * files (engine-internal; engine/warehouse feeds it COPY output).
 *
 * A stream goes through exactly what a file goes through in lp_dataset_load
 * (load.h): the header plan (mapped columns, defaults, stage derivation),
 * value maps, value parsing, rejects with the stream's line numbers (the
 * header is line 1), the per-stream lp_file_report (path = the label, rows
 * read = loaded + rejected) and, at the end, the same data-quality notes.
 * Only the CSV dialect differs: a stream is COPY's CSV (csv_stream.h).
 *
 * Order of calls: lp_load_stream_begin, then lp_load_stream_add once per
 * stream (the streams of one canonical table one after the other, as the
 * files of a table are), lp_load_stream_missing for tables with no stream,
 * then lp_load_stream_finish. The caller owns the dataset from begin on and
 * frees it with lp_dataset_free, also after a failure.
 */
#ifndef LP_LOAD_STREAM_H
#define LP_LOAD_STREAM_H

#include "lp/load.h"
#include "../csv/csv_stream.h"

/* Checks the settings as lp_dataset_load does (time zone, set with lp_tz_set
 * when it differs; date order) and hands over an empty dataset.
 * options->input_dir is not used. errmsg: LP_ERRMSG_SIZE bytes. */
lp_status lp_load_stream_begin(const lp_load_options *options, lp_dataset **out_ds,
                               char *errmsg);
/* Loads one stream into table id; label (e.g. "crm.lead") names it in the
 * file report, rejects and messages. */
lp_status lp_load_stream_add(const lp_load_options *options, lp_dataset *ds, lp_table_id id,
                             const char *label, lp_csv_pull pull, void *pull_ctx,
                             char *errmsg);
/* Adds the "missing_file" note of a canonical table that has no source. */
lp_status lp_load_stream_missing(lp_dataset *ds, lp_table_id id, const char *message);
/* Finishes the tables (equal column lengths) and adds the quality notes. */
lp_status lp_load_stream_finish(lp_dataset *ds, char *errmsg);

#endif
