/*
 * pdf.h: the leadership pack as a PDF, laid out with cairo and pango.
 *
 * The PDF only lays out what it is given: figures come from the result set's
 * tables, wording from the narrative, and the order and content of pages from
 * the template. It never computes a figure.
 *
 * Pages: every template section with pdf = true starts a new page, in
 * template order; a section whose tables do not fit continues on further
 * pages, repeating the table's header row. What each section kind shows:
 *  cover        the status page (page 1), one page, the same layout every
 *               period: pack title, the period with its dates ("Week 47,
 *               16-22 November 2026"), as-of and audience; one row per
 *               first-page figure (narrative kpis, lp_figure_kpis): label
 *               and value, a bullet graph against the catalogue's target,
 *               the target status as a word on an Okabe-Ito colour, a
 *               sparkline of the last six periods (headline table), the
 *               change and its verdict; then the headline sentences and
 *               "What moved, and who acts", set as large as fits (9.5 to 7.5 points)
 *  headlines    after a cover: the section's sentences, what changed beyond
 *               the status page, the changes table; without a cover it also
 *               gives the headline sentences and the figure rows
 *  volume       MQLs and SQLs per window period (mql_trend), table
 *  pipeline     inbound pipeline by stage (pipeline_by_stage), table
 *  won          inbound won amount by source (won_by_source), table
 *  campaigns    cost per MQL by campaign, attribution models side by side,
 *               the campaigns table
 *  sla          Kaplan-Meier time to first touch per team (sla_curve) with
 *               the SLA threshold, compliance by team with intervals against
 *               the target (sla_by_team), the worst breaches (breaches,
 *               longest first)
 *  breaches     every breach
 *  funnel       funnel of the cohort (funnel)
 *  routing      win rate per team with intervals (routing)
 *  partners     SLA compliance per partner with intervals (sla_by_partner)
 *  forecast     MQL history (mql_trend) and forecast with its band (forecast)
 *  quality      files read, rejects, data-quality notes, switched-off
 *               figures, caveats
 *  definitions  the glossary
 *  other kinds  the section's sentences, chart and table from its fields
 * Each page carries a footer with the pack title, period and as-of, and
 * "Page N of M". Missing tables are left out (the narrative's caveats say
 * so); a section is never an error because its data is absent; an empty
 * table keeps its header and says it is empty, and a chart with nothing to
 * draw is one line instead.
 *
 * Tables (every one, through one layout, lp/table_layout.h): column widths
 * from their text; headings and names wrap at word boundaries before
 * numbers shrink; numbers right-aligned; money compact in narrow tables; a
 * table too wide for the page set in parts, each repeating its first (name)
 * column; a short table kept on one page, a long one with its header
 * repeated and never a lone row on a page. No text in the PDF or its charts
 * is ellipsised or cut. Every word around the figures (headings, notes,
 * chart titles, column headings) is the template's wording under `pdf:`
 * (templates/wording.yaml).
 *
 * The document has a bookmark per section, metadata (title, subject = the
 * period, author "leadpack", creation date = as-of; language "en") so that
 * the same input
 * gives the same bytes, A4 or US Letter from settings->paper (A4 when
 * results->settings is NULL), text in "DejaVu Sans" (embedded subsets), and
 * reads in black and white (hatching, markers, dashes; no meaning in colour
 * alone).
 */
#ifndef LP_PDF_H
#define LP_PDF_H

#include "lp/narrative.h"
#include "lp/results.h"
#include "lp/template.h"

/* Writes the pack to path atomically (a temporary name in the same folder,
 * renamed over path when complete; on failure path is left as it was).
 * All inputs are borrowed. LP_ERR_USAGE for a NULL argument, LP_ERR_NOMEM,
 * LP_ERR_OUTPUT when the file cannot be written (errmsg, LP_ERRMSG_SIZE
 * bytes, says which and why). */
lp_status lp_pdf_write(const lp_results *results, const lp_narrative *narrative,
                       const lp_template *tpl, const char *path, char *errmsg);

#endif
