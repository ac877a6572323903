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
} lp_template;

/* Loads a template by name from templates_dir/packs/NAME.yaml, or from a
 * path when name_or_path contains '/' or ends in .yaml. Wording missing from
 * the template comes from templates_dir/wording.yaml. Validation errors are
 * LP_ERR_CONFIG with "FILE line N: ..." in errmsg. */
lp_status lp_template_load(const char *templates_dir, const char *name_or_path,
                           lp_template **out_template, char *errmsg);
void lp_template_free(lp_template *tpl);
/* Wording for key (borrowed), or NULL. */
const char *lp_template_text(const lp_template *tpl, const char *key);

#endif
