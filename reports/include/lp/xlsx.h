/*
 * xlsx.h: the analyst workbook (libxlsxwriter).
 *
 * The workbook lays out one result set; it never computes a figure. Every
 * count or sum on the Summary and measure sheets that can be traced to the
 * detail sheets is a live formula (COUNTA, SUM, COUNTIFS, SUMIFS over the
 * detail rows) whose cached result is the engine's value, and every rate
 * beside such counts is a formula over them. A formula is written only when
 * the writer has checked that it reproduces the engine's value over the rows
 * it writes (same matching rules as Excel: case-insensitive, blank is
 * empty); otherwise the engine's value is written as a plain number, so a
 * recalculating reader can never see a figure the pack does not show.
 *
 * Sheets, in template order (lp_template sections with workbook set):
 *   Summary        title, the headline measures first (panes frozen on
 *                  their header row and label column; each label unique
 *                  with its unit: this period, the previous period as
 *                  compared, change (a share's in points), target, status,
 *                  links to the measure sheet and to the rows of each
 *                  period, and a note where a figure is not a formula over
 *                  rows: a statistic, or no rows in the workbook), then the
 *                  headline sentences, links to every sheet, notes
 *   Volume         MQL trend with target (line chart), breakdowns
 *   Campaigns      configured model with cost per MQL (bar chart), all five
 *                  attribution models side by side, campaign tests
 *   Pipeline       inbound pipeline by stage, source, campaign; coverage
 *   SLA            by team, each team's owners grouped under it; compliance
 *                  below settings->sla_target highlighted
 *   Won            inbound wins by source and campaign
 *   Breaches, Funnel (bar chart), Routing, Forecast, Partners
 *   MQLs, Inbound opportunities, Inbound wins, Touches   (detail rows; a
 *                  table over max_detail_rows continues on "MQLs (2)", ...)
 *   Previous MQLs, Previous inbound opportunities, Previous inbound wins
 *                  (the previous period's detail rows, behind the Summary's
 *                  previous-period counts and sums)
 *   Data quality   rejects, notes, switched-off figures, caveats
 *   Definitions    glossary
 *   Parameters     settings, as-of, period, input files with SHA-256
 * Summary is always first. Detail sheets, Data quality, Definitions and
 * Parameters that the template does not place come after its sections.
 *
 * Headers are words ("MQL at", "Reached in time (leads)"); each header
 * cell carries the canonical column name (mql_at, within: the name in
 * results/ CSV files) in a comment. Every sheet freezes its headers.
 *
 * Text from exports is always written as text (never as a formula); a text
 * over Excel's 32,767-character cell limit is cut and ends in
 * " [truncated]", and Data quality says how many were. Instants are Excel
 * date-times in the report time zone (lp_tz_set).
 *
 * Memory and time: in the default mode every table is an Excel table
 * (autofilter, banded rows). Above LP_XLSX_CONSTANT_MEMORY_ROWS detail rows
 * the workbook is written in libxlsxwriter's constant-memory mode, which
 * applies to the whole workbook and forbids Excel tables: every sheet is
 * then written strictly row by row, text is stored in its cell rather than
 * in the shared-string table, and detail sheets get a plain autofilter
 * instead. The cells (values, formats, formulas, comments, frozen panes)
 * are the same in both modes; the Summary says when there are no tables.
 *
 * Reproducible: the document's created date is the as-of instant, so the
 * same inputs give a byte-identical file.
 */
#ifndef LP_XLSX_H
#define LP_XLSX_H

#include "lp/narrative.h"
#include "lp/results.h"
#include "lp/template.h"

/* Excel's rows per sheet less the header row. */
#define LP_XLSX_MAX_DETAIL_ROWS 1048575u
/* Detail rows (all detail tables together) above which AUTO mode switches
 * to constant memory. Tables mode holds every cell in memory and looks
 * each text up in the shared-string tree; at 100,000 detail rows (a
 * million leads) it costs a third more CPU time than constant memory, on
 * the render's longest path. */
#define LP_XLSX_CONSTANT_MEMORY_ROWS 50000u

typedef enum lp_xlsx_memory {
    LP_XLSX_MEMORY_AUTO,      /* tables below LP_XLSX_CONSTANT_MEMORY_ROWS, else constant */
    LP_XLSX_MEMORY_TABLES,    /* always Excel tables (whole workbook held in memory) */
    LP_XLSX_MEMORY_CONSTANT   /* always constant memory (no Excel tables) */
} lp_xlsx_memory;

typedef struct lp_xlsx_options {
    size_t max_detail_rows;   /* data rows per detail sheet; 0 = LP_XLSX_MAX_DETAIL_ROWS */
    lp_xlsx_memory memory;    /* see above */
} lp_xlsx_options;

/* Writes the workbook for results to path, atomically (a temporary file
 * beside path, renamed over it only when complete). narrative and tpl may be
 * NULL (no sentences; default sheet order). results->settings and
 * results->dataset may be NULL (Parameters and Data quality say so).
 * Returns LP_ERR_OUTPUT when the file cannot be written, LP_ERR_NOMEM on
 * allocation failure; errmsg (LP_ERRMSG_SIZE bytes) says what failed. */
lp_status lp_xlsx_write(const lp_results *results, const lp_narrative *narrative,
                        const lp_template *tpl, const char *path, char *errmsg);

/* lp_xlsx_write with options (options NULL = defaults). */
lp_status lp_xlsx_write_opt(const lp_results *results, const lp_narrative *narrative,
                            const lp_template *tpl, const char *path,
                            const lp_xlsx_options *options, char *errmsg);

#endif
