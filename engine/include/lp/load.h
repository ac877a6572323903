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
