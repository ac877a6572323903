/*
 * narrative_internal.h: what the two halves of the narrative share.
 * narrative_clauses.c builds sentences: wording lookup and {placeholder}
 * filling, citations (cite: every number a sentence states is recorded for
 * results/statements.csv), numbers formatted into words, and the clauses
 * every figure's sentence is made of (change, verdict, target).
 * narrative.c decides which sentences each part of the pack says.
 */
#ifndef LP_NARRATIVE_INTERNAL_H
#define LP_NARRATIVE_INTERNAL_H

#include "lp/figures.h"
#include "lp/narrative.h"

#define MAX_CITES 12

typedef struct strlist {
    char **items;
    size_t n, cap;
} strlist;

typedef struct nctx {
    const lp_results *r;
    const lp_template *tpl;  /* may be NULL */
    lp_template *defaults;   /* wording.yaml, the fallback for every key */
    char *errmsg;
    lp_status status;        /* sticky: the first failure */
    const char *currency;
    const char *kind;        /* "week", "month", "quarter", "fiscal-quarter" */
    double sla_hours;
    double sla_target;
    /* Citations: each number a sentence states is formatted through cite(),
     * which records the figure here; push_sentence hands them to the
     * sentence as statements (results/statements.csv). */
    lp_statement pending[MAX_CITES];
    size_t npending;
    const char *section;     /* statements' section while a list is built */
    size_t nsaid;            /* sentences said so far in that section */
    lp_statement *statements;
    size_t nstatements, statements_cap;
} nctx;

void lp_nar_fail(nctx *c, lp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void lp_nar_strlist_push(nctx *c, strlist *list, const char *s);

void lp_nar_strlist_free(strlist *list);

/* Wording for key: the pack's, else the default; missing is a config error. */
const char *lp_nar_text(nctx *c, const char *key);

/* Wording for key when it exists, else NULL (no error). */
const char *lp_nar_text_opt(nctx *c, const char *key);

/* expand with the pairs given inline: say(c, out, key, "value", v, NULL). */
void lp_nar_say(nctx *c, lp_buf *out, const char *key, ...);

void lp_nar_drop_citations(nctx *c);

/* Starts the statements of a section (ids "section.1", "section.2", ...). */
void lp_nar_begin_section(nctx *c, const char *section);

/* Turns buf into a finished sentence (capital first letter, one space
 * between words, final full stop) and pushes it; an empty buf adds nothing. */
void lp_nar_push_sentence(nctx *c, strlist *list, lp_buf *buf);

const lp_table *lp_nar_table_of(nctx *c, const char *name);

/* Finite number at (column, row), false when absent or null. */
bool lp_nar_cell_num(const lp_table *t, const char *column, size_t row, double *out);

const char *lp_nar_cell_str(const lp_table *t, const char *column, size_t row);

/* Value of a catalogue figure for P (false when it does not exist). */
bool lp_nar_headline_value(nctx *c, const char *measure, double *out);

/* "qualified lead" or "qualified leads" for a formatted count. */
const char *lp_nar_unit_for(nctx *c, const char *unit, const char *formatted);

/* format_value, recorded as a citation of figure `figure` by the sentence
 * being built (subject NULL for the whole company, period NULL for P). */
const char *lp_nar_cite(nctx *c, const char *figure, const char *subject, const char *period,
                        lp_unit unit, double v, char *buf, size_t size);

/* cite() for a catalogue figure: its unit comes from the catalogue. */
const char *lp_nar_cite_fig(nctx *c, const char *figure, const char *subject, double v,
                            char *buf, size_t size);

/* The settings' SLA threshold in words, cited as a figure. */
const char *lp_nar_threshold_words(nctx *c, char *buf, size_t size);

/* The change of figure f in words ("up 38 (10%) on last week", "down 6
 * points from 54% last week"), "" when there is no previous value, or "too
 * early to compare" for a maturing rate without a fair comparison. Cites
 * the previous value and the change (the changes table's). Sets *moved when
 * the value changed. */
void lp_nar_change_words(nctx *c, const lp_figure *f, lp_buf *out, bool *moved);

/* ", up 38 (10%) on last week, a real rise" as wording clauses; the verdict
 * is the catalogue's (real, noise, untested, too early). */
void lp_nar_change_clauses(nctx *c, const lp_figure *f, lp_buf *out);

/* Target clause of figure f (the catalogue's one target rule);
 * *out_status receives the KPI status key. */
void lp_nar_target_clause(nctx *c, const lp_figure *f, lp_buf *out, const char **out_status);

/* The sentence "{say}{change}{verdict}{target}" for a headline figure, with
 * say taken from wording key say_key. Value, base, change, verdict and
 * target all come from the figure catalogue. Returns false (and says
 * nothing) when the value does not exist, or a share has no base. */
bool lp_nar_measure_sentence(nctx *c, const char *measure, const char *say_key, lp_buf *out,
                             const char **out_status);

void lp_nar_push_measure(nctx *c, strlist *list, const char *measure);

/* A reason from the switched_off table whose figure mentions word. */
const char *lp_nar_switched_off_reason(nctx *c, const char *word);

/* "there is no figure for this week" with the reason when one is known. */
void lp_nar_push_missing(nctx *c, strlist *list, const char *measure, const char *area);

/* "{title}: no figures this week" for a section, with the reason when known. */
void lp_nar_push_section_missing(nctx *c, strlist *list, const lp_template_section *s,
                                 const char *area);

#endif
