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
 *  cover        pack title, period in words, as-of, audience, contents;
 *               the headline sentences too when no PDF section is of kind
 *               headlines (the mail body carries them)
 *  headlines    headline sentences, KPI tiles (value, change, status against
 *               target), "What changed", the section's sentences
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
 * so); a section is never an error because its data is absent.
 *
 * The document has a bookmark per section, metadata (title, subject = the
 * period, author "leadpack", creation date = as-of) so that the same input
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
