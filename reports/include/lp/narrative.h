/*
 * narrative.h: the result set in plain English. Renderers print these
 * sentences; they never word a figure themselves.
 */
#ifndef LP_NARRATIVE_H
#define LP_NARRATIVE_H

#include "lp/format.h"
#include "lp/results.h"
#include "lp/template.h"

typedef struct lp_kpi {
    char *measure;      /* headline measure name */
    char *label;        /* "Qualified leads" */
    char *value;        /* formatted value, "412" or "87%" */
    char *change;       /* "up 38 (10%) on last week" or "" */
    char *status;       /* "on target", "below target", "no target" */
    bool real_change;   /* the change passed its test */
} lp_kpi;

typedef struct lp_narrative_section {
    char *id;           /* template section id */
    char **sentences;   /* two or three sentences for the section */
    size_t nsentences;
    char *scope;        /* what the section's table covers when it is not the
                           period ("Lifetime to 23 November 2026, first-touch
                           attribution"), or "" */
} lp_narrative_section;

/* One figure cited by one printed sentence (results/statements.csv). A
 * sentence that states several figures gives several rows with the same id
 * and text. */
typedef struct lp_statement {
    char *id;           /* "headlines.3": section and the sentence's number in it */
    char *section;      /* "headlines", "changes", or a template section id */
    char *text;         /* the sentence exactly as printed */
    char *figure;       /* catalogue id (lp/figures.h) */
    char *subject;      /* team, campaign, step, ... ; "" for the whole company */
    char *period;       /* the period the value is of ("2026-W47") */
    double value;       /* full precision, in the unit below */
    char *unit;         /* lp_unit_label: "count", "share", "hours", "USD", ... */
} lp_statement;

typedef struct lp_narrative {
    char *title;                 /* pack title */
    char *period_words;          /* "the week of 16 November 2026" */
    char *as_of_words;           /* "25 November 2026, 09:00 UTC" */
    char **headlines;            /* one sentence per headline measure */
    size_t nheadlines;
    char **changes;              /* "What changed this week", ranked */
    size_t nchanges;
    lp_kpi *kpis;                /* tiles for the first page */
    size_t nkpis;
    lp_narrative_section *sections;
    size_t nsections;
    char **glossary_terms;       /* from the definitions page */
    char **glossary_texts;
    size_t nglossary;
    char **caveats;              /* missing data said as such */
    size_t ncaveats;
    char **restated;             /* "Qualified leads (MQLs), 2026-W45: 6 then, 8 now;
                                    5 qualified leads ... arrived after ..." per row
                                    of the restatements table (lp/ledger.h) */
    size_t nrestated;
    lp_statement *statements;    /* every figure each sentence above states */
    size_t nstatements;
} lp_narrative;

/* Builds every sentence from the results and the template's wording.
 * templates_dir holds definitions.yaml (the glossary source). */
lp_status lp_narrative_build(const lp_results *results, const lp_template *tpl,
                             const char *templates_dir, lp_narrative **out_narrative,
                             char *errmsg);
void lp_narrative_free(lp_narrative *narrative);
/* The sentences of a section by template id, or NULL. */
const lp_narrative_section *lp_narrative_section_find(const lp_narrative *narrative,
                                                      const char *id);

/* Numbers are written by lp/format.h (lp_fmt_count, lp_fmt_money, lp_fmt_rate,
 * lp_fmt_hours, lp_fmt_days, lp_fmt_date, lp_fmt_day_month, lp_fmt_unit,
 * ...), included above for the narrative's callers. */

#endif
