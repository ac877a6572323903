/*
 * template.h: report packs. A template (templates/packs/NAME.yaml) lists the
 * sections of a pack in order, what each shows, and the pack's wording. Both
 * renderers (workbook and PDF) read the same template; a section may be
 * marked PDF-only or workbook-only.
 *
 * Section kinds: "cover", "headlines", "volume", "campaigns", "pipeline",
 * "sla", "won", "funnel", "routing", "forecast", "quality", "definitions",
 * "breaches", "partners", "parameters", "detail".
 */
#ifndef LP_TEMPLATE_H
#define LP_TEMPLATE_H

#include "lp/lp.h"

typedef struct lp_template_section {
    char *id;          /* unique within the pack, e.g. "sla" */
    char *kind;        /* one of the kinds above */
    char *title;       /* heading shown to readers */
    char *chart;       /* chart kind ("bars", "line_band", "step", "funnel",
                          "intervals", "hbars", "stacked") or NULL */
    char *table;       /* result table it shows, or NULL */
    char **columns;    /* result columns shown in its compact table */
    size_t ncolumns;
    bool pdf;          /* rendered in the PDF */
    bool workbook;     /* rendered in the workbook */
} lp_template_section;

typedef struct lp_template {
    char *name;        /* "weekly-leadership" */
    char *title;       /* "Weekly leadership pack" */
    char *audience;    /* "VP Sales, VP Marketing, CEO" */
    char *description; /* one line for `leadpack templates` */
    lp_template_section *sections;
    size_t nsections;
    char **text_keys;  /* wording: key -> text with {placeholders} */
    char **text_values;
    size_t ntexts;
    char *period;      /* added: period kind the pack is written for, under
                          its name (lp_period_kind_name: "week", "month",
                          "quarter", "fiscal-quarter"), or NULL when the
                          settings decide */
    char *subject;     /* what the first page's summary speaks of: "company"
                          (NULL, the default: every headline figure), "sla"
                          (speed of response) or "partners" */
    const struct lp_template *text_base; /* internal: the default wording
                          lp_template_load_memory started from; the first
                          text_base->ntexts keys, and the texts still equal
                          to text_base's, are its strings (borrowed) */
} lp_template;

/* A chart a section draws in the PDF: the result table and the column it
 * plots (borrowed static strings). */
typedef struct lp_template_chart {
    const char *table;
    const char *value;
} lp_template_chart;

#define LP_TEMPLATE_MAX_CHARTS 2

/* The charts section i of tpl draws in the PDF, in order, into out; returns
 * how many (0 for a section with no chart or not in the PDF). The chart
 * follows the section's kind and table: a volume section over
 * volume_by_source charts MQLs by source, one over mql_trend (or no table)
 * MQLs per period; a campaigns section charts cost per MQL (campaigns),
 * credit per model (attribution) or the opportunity rate (campaign_tests);
 * an sla section the response curve (sla_curve, sla_reached), compliance
 * by team (sla_by_team) or by rep (sla_by_owner). A campaigns section over
 * campaigns also charts attribution, and an sla section over sla_by_team
 * the response curve, when no other section of the pack does. The loader
 * refuses a pack in which two sections draw the same chart. */
size_t lp_template_section_charts(const lp_template *tpl, size_t i,
                                  lp_template_chart out[LP_TEMPLATE_MAX_CHARTS]);

/* Loads a template by name from templates_dir/packs/NAME.yaml, or from a
 * path when name_or_path contains '/' or ends in .yaml. Wording missing from
 * the template comes from templates_dir/wording.yaml. Validation errors are
 * LP_ERR_CONFIG with "FILE line N: ..." in errmsg. */
lp_status lp_template_load(const char *templates_dir, const char *name_or_path,
                           lp_template **out_template, char *errmsg);
/* A template holding only the default wording of templates_dir/wording.yaml
 * (no sections), for a narrative built without a pack and for
 * lp_template_load_memory. Released with lp_template_free. */
lp_status lp_template_wording_load(const char *templates_dir, lp_template **out,
                                   char *errmsg);
/* lp_template_load over packs in memory: packs[0..npacks) stand for the
 * packs folder (named as in it: "NAME.yaml", or "team/NAME.yaml" for a pack
 * in a subfolder), name_or_path picks one of them by pack name or file
 * name, an `extends:` names another of them, and the default wording is
 * wording (from lp_template_wording_load) instead of wording.yaml. The
 * template borrows wording's keys and the texts it does not replace
 * instead of copying them: wording must outlive it. Cycles are found by
 * file name. Reads no file. */
lp_status lp_template_load_memory(const lp_template *wording, const lp_memfile *packs,
                                  size_t npacks, const char *name_or_path,
                                  lp_template **out_template, char *errmsg);
void lp_template_free(lp_template *tpl);
/* Wording for key (borrowed), or NULL. */
const char *lp_template_text(const lp_template *tpl, const char *key);

/*
 * Template file format (templates/README.md is the user's guide):
 *   top-level keys: name, title, audience, description, period, subject,
 *   extends, sections, wording. `extends: OTHER` starts from pack OTHER (its sections,
 *   wording and fields); keys given here replace the inherited ones, except
 *   wording, which is merged key by key. Cycles are LP_ERR_CONFIG.
 *   section keys: id, kind, title, chart, table, columns, pdf, workbook
 *   (pdf and workbook default to true). table must name a result table of
 *   measures.h and columns must be columns of that table.
 *   wording: nested keys of templates/wording.yaml ("change: {up: ...}" or
 *   "change.up: ..."); a key that wording.yaml does not define is an error.
 */

/* Calls emit once per pack in templates_dir/packs (NAME.yaml, sorted by
 * name) with the pack's name and its one-line description (borrowed for the
 * call; "" when the pack has none). Each pack is loaded and validated, so a
 * broken pack is LP_ERR_CONFIG with "FILE line N: ..." in errmsg; LP_ERR_IO
 * when the folder cannot be read. */
lp_status lp_template_list(const char *templates_dir,
                           void (*emit)(void *ctx, const char *name,
                                        const char *description),
                           void *ctx, char *errmsg);

/* true when table is a result table of the engine's result catalogue
 * (lp_result_has_column, lp/figures.h); with column non-NULL, when that
 * table has that column. */
bool lp_template_result_known(const char *table, const char *column);

#endif
