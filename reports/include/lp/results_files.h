/*
 * results_files.h: the machine-readable results/ folder (templates/DEFINITIONS.md,
 * "Results files").
 *
 * Every table of a result set becomes DIR/NAME.csv: UTF-8, RFC 4180 (fields
 * with a comma, quote, CR or LF are quoted, quotes doubled, CRLF line ends),
 * a header row of the column names, then one line per row. Values:
 *  - int64: decimal digits, no decimal point;
 *  - double: '.' decimal mark, the shortest form that reads back to the same
 *    double (full precision; an integral value has no decimal point);
 *  - instant: YYYY-MM-DDTHH:MM:SSZ (UTC); date: YYYY-MM-DD;
 *  - bool: true / false;
 *  - null (a value that does not exist): an empty field;
 *  - text that starts with =, +, -, @, tab or CR gets a single quote in
 *    front, so that a spreadsheet never runs it as a formula.
 * Each file is written to a temporary name and renamed into place when
 * complete (fileio.h): a failed run leaves the previous file, never half a
 * file.
 */
#ifndef LP_RESULTS_FILES_H
#define LP_RESULTS_FILES_H

#include <stdio.h>

#include "lp/narrative.h"
#include "lp/results.h"

/* Writes every table of results as dir/NAME.csv, and dir/rejects.csv from
 * results->dataset (file, line, column, value, reason; only the header when
 * there is no dataset or no reject). Creates dir and its parents.
 * LP_ERR_OUTPUT (or LP_ERR_NOMEM) with errmsg (LP_ERRMSG_SIZE bytes) naming
 * the file on failure. */
lp_status lp_results_write_dir(const lp_results *results, const char *dir, char *errmsg);

/* Writes dir/statements.csv (templates/DEFINITIONS.md): one row per figure that a printed
 * sentence of the narrative cites: statement, section, text, figure,
 * subject, period, value, unit. */
lp_status lp_statements_write(const lp_narrative *narrative, const char *dir, char *errmsg);

/* Writes one table in the format above to an open stream. LP_ERR_OUTPUT on a
 * write error. */
lp_status lp_results_write_csv(const lp_table *table, FILE *fp);

/* Writes the rejects of a dataset (ds may be NULL) as CSV to an open stream. */
lp_status lp_results_write_rejects(const lp_dataset *ds, FILE *fp);

/* Formats a double in the shortest form that reads back exactly ('.' as the
 * decimal mark) into buf (at least 32 bytes). */
void lp_results_format_double(double value, char *buf, size_t size);

#endif
