/*
 * narrative_clauses.c: sentence building for the narrative
 * (narrative_internal.h). Every word comes from the template's wording
 * (templates/wording.yaml, overridable per pack); this file fills its
 * {placeholders} with formatted numbers, and keeps the rules that keep the
 * words honest:
 *  - a change is called real or "within normal variation" only from the
 *    changes table's test, never from the size of the percentage;
 *  - a percentage is never printed without its base (the count it is a
 *    share of, or the previous value it changed from);
 *  - a value that does not exist (null, NaN) produces no sentence rather
 *    than a sentence with a hole; a missing figure is said as such;
 *  - a change from zero is "up from none", never an infinite percentage.
 * Errors are sticky in the builder (like cairo's status): helpers return
 * nothing and the first failure is reported at the end.
 */
#include "narrative_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp/yaml.h"
#include "lp/time.h"

#define MAX_ARGS 16

/* ---- Builder state ---- */


void lp_nar_fail(nctx *c, lp_status status, const char *fmt, ...)
{
    if (c->status != LP_OK) return;
    c->status = status;
    if (c->errmsg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->errmsg, LP_ERRMSG_SIZE, fmt, ap);
        va_end(ap);
    }
}

void lp_nar_strlist_push(nctx *c, strlist *list, const char *s)
{
    if (c->status != LP_OK || !s || !*s) return;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        char **items = lp_realloc(list->items, cap * sizeof *items);
        if (!items) {
            lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
            return;
        }
        list->items = items;
        list->cap = cap;
    }
    char *copy = lp_strdup(s);
    if (!copy) {
        lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    list->items[list->n++] = copy;
}

void lp_nar_strlist_free(strlist *list)
{
    for (size_t i = 0; i < list->n; i++) lp_free(list->items[i]);
    lp_free(list->items);
    memset(list, 0, sizeof *list);
}

const char *lp_nar_text(nctx *c, const char *key)
{
    const char *t = lp_template_text(c->tpl, key);
    if (!t) t = lp_template_text(c->defaults, key);
    if (!t) {
        lp_nar_fail(c, LP_ERR_CONFIG, "wording key \"%s\" is missing from wording.yaml", key);
        return "";
    }
    return t;
}

const char *lp_nar_text_opt(nctx *c, const char *key)
{
    const char *t = lp_template_text(c->tpl, key);
    return t ? t : lp_template_text(c->defaults, key);
}

/* Expands wording key into out: {name} takes the value of the pair of that
 * name in args (name, value, ..., NULL); a name not given falls back to the
 * period's wording ("period.week.NAME": {this}, {last}, {this_s},
 * {normal}); "{{" is a literal brace. An unknown placeholder is a config
 * error, so a typo in a pack never prints a hole. */
static void lp_nar_expand(nctx *c, lp_buf *out, const char *key, const char *const *args)
{
    const char *t = lp_nar_text(c, key);
    while (*t && c->status == LP_OK) {
        if (t[0] == '{' && t[1] == '{') {
            lp_buf_puts(out, "{");
            t += 2;
            continue;
        }
        if (*t != '{') {
            const char *next = strchr(t, '{');
            size_t len = next ? (size_t)(next - t) : strlen(t);
            lp_buf_append(out, t, len);
            t += len;
            continue;
        }
        const char *end = strchr(t, '}');
        if (!end) {
            lp_nar_fail(c, LP_ERR_CONFIG, "wording key \"%s\": unclosed {", key);
            return;
        }
        char name[64];
        size_t len = (size_t)(end - t - 1);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
                 t + 1);
        const char *value = NULL;
        for (size_t i = 0; args && args[i]; i += 2)
            if (strcmp(args[i], name) == 0) value = args[i + 1];
        if (!value) {
            char period_key[96];
            snprintf(period_key, sizeof period_key, "period.%s.%s", c->kind, name);
            value = lp_nar_text_opt(c, period_key);
        }
        if (!value) {
            lp_nar_fail(c, LP_ERR_CONFIG, "wording key \"%s\": unknown placeholder {%s}", key, name);
            return;
        }
        lp_buf_puts(out, value);
        t = end + 1;
    }
    if (out->failed) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
}

void lp_nar_say(nctx *c, lp_buf *out, const char *key, ...)
{
    const char *args[2 * MAX_ARGS + 1];
    size_t n = 0;
    va_list ap;
    va_start(ap, key);
    const char *name;
    while ((name = va_arg(ap, const char *)) && n + 2 < 2 * MAX_ARGS) {
        args[n++] = name;
        args[n++] = va_arg(ap, const char *);
    }
    va_end(ap);
    args[n] = NULL;
    /* Agreement with a count: a key with an {n} of "1" uses KEY_one when
     * the wording has one ("1 qualified lead is ..."). */
    for (size_t i = 0; i < n; i += 2) {
        if (strcmp(args[i], "n") != 0 || strcmp(args[i + 1], "1") != 0) continue;
        char one_key[128];
        snprintf(one_key, sizeof one_key, "%s_one", key);
        if (lp_nar_text_opt(c, one_key)) {
            lp_nar_expand(c, out, one_key, args);
            return;
        }
    }
    lp_nar_expand(c, out, key, args);
}

void lp_nar_drop_citations(nctx *c)
{
    for (size_t i = 0; i < c->npending; i++) {
        lp_free(c->pending[i].figure);
        lp_free(c->pending[i].subject);
        lp_free(c->pending[i].period);
        lp_free(c->pending[i].unit);
    }
    c->npending = 0;
}

static bool lp_nar_is_month_word(const char *p, size_t len)
{
    for (int m = 1; m <= 12; m++)
        if (strlen(lp_month_name(m)) == len && strncmp(lp_month_name(m), p, len) == 0)
            return true;
    return false;
}

/* True when a sentence states a number: a run of digits that is not part
 * of a date ("16 November 2026"), a period or campaign label ("2026-W47",
 * "2026-06 Webinar") or a time of day. */
static bool lp_nar_states_number(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p)) continue;
        const char *start = p;
        while (isdigit((unsigned char)*p) || ((*p == ',' || *p == '.') && isdigit((unsigned char)p[1])))
            p++;
        char before = start > s ? start[-1] : ' ', after = *p;
        bool label = before == '-' || after == '-' || before == ':' || after == ':' ||
                     isalpha((unsigned char)before) || (isalpha((unsigned char)after) &&
                                                       after != 'K' && after != 'M' && after != 'B');
        const char *next = p;
        while (*next == ' ') next++;
        size_t nlen = 0;
        while (isalpha((unsigned char)next[nlen])) nlen++;
        const char *prev = start;
        while (prev > s && prev[-1] == ' ') prev--;
        size_t plen = 0;
        while (prev - (ptrdiff_t)plen > s && isalpha((unsigned char)prev[-(ptrdiff_t)plen - 1])) plen++;
        bool date = lp_nar_is_month_word(next, nlen) || (plen && lp_nar_is_month_word(prev - plen, plen));
        if (!label && !date) return true;
        if (!*p) break;
    }
    return false;
}

/* The pending citations become statements of the sentence `said`. A
 * sentence that states a number without citing a figure becomes one
 * statement with an empty figure, so the defect shows in statements.csv
 * (and fails its check) instead of passing unseen. */
static void lp_nar_attach_citations(nctx *c, const char *said)
{
    if (c->status != LP_OK) return;
    if (!c->npending && lp_nar_states_number(said) && c->npending < MAX_CITES) {
        lp_statement *st = &c->pending[c->npending++];
        memset(st, 0, sizeof *st);
        st->figure = lp_strdup("");
        st->subject = lp_strdup("");
        st->period = lp_strdup(c->r->period_label);
        st->unit = lp_strdup("");
        st->value = NAN;
    }
    if (!c->npending) return;
    char id[96];
    snprintf(id, sizeof id, "%s.%zu", c->section ? c->section : "pack", c->nsaid);
    for (size_t i = 0; i < c->npending && c->status == LP_OK; i++) {
        if (c->nstatements == c->statements_cap) {
            size_t cap = c->statements_cap ? c->statements_cap * 2 : 64;
            lp_statement *grown = lp_realloc(c->statements, cap * sizeof *grown);
            if (!grown) {
                lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
                return;
            }
            c->statements = grown;
            c->statements_cap = cap;
        }
        lp_statement *st = &c->statements[c->nstatements];
        *st = c->pending[i];
        st->id = lp_strdup(id);
        st->section = lp_strdup(c->section ? c->section : "pack");
        st->text = lp_strdup(said);
        c->pending[i].figure = c->pending[i].subject = c->pending[i].period = NULL;
        c->pending[i].unit = NULL;
        c->nstatements++;
        if (!st->id || !st->section || !st->text) lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    }
}

void lp_nar_begin_section(nctx *c, const char *section)
{
    lp_nar_drop_citations(c);
    c->section = section;
    c->nsaid = 0;
}

void lp_nar_push_sentence(nctx *c, strlist *list, lp_buf *buf)
{
    if (c->status != LP_OK || !buf->data) {
        lp_buf_reset(buf);
        return;
    }
    char *s = buf->data;
    size_t w = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == ' ' && (w == 0 || s[w - 1] == ' ')) continue;
        s[w++] = s[i];
    }
    while (w && (s[w - 1] == ' ')) w--;
    s[w] = '\0';
    if (w) {
        s[0] = (char)toupper((unsigned char)s[0]);
        buf->len = w;
        if (!strchr(".!?", s[w - 1])) lp_buf_puts(buf, ".");
        lp_nar_strlist_push(c, list, buf->data);
        c->nsaid++;
        lp_nar_attach_citations(c, buf->data);
    }
    lp_nar_drop_citations(c);
    lp_buf_reset(buf);
}

/* ---- Reading the result set ---- */

const lp_table *lp_nar_table_of(nctx *c, const char *name)
{
    const lp_table *t = lp_results_table(c->r, name);
    return t && t->nrows ? t : NULL;
}

bool lp_nar_cell_num(const lp_table *t, const char *column, size_t row, double *out)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col || row >= col->length || !lp_column_valid(col, row)) return false;
    double v = lp_column_number(col, row);
    if (!isfinite(v)) return false;
    *out = v;
    return true;
}

const char *lp_nar_cell_str(const lp_table *t, const char *column, size_t row)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col || col->type != LP_TYPE_STRING || row >= col->length ||
        !lp_column_valid(col, row))
        return NULL;
    return lp_column_str(col, row);
}

bool lp_nar_headline_value(nctx *c, const char *measure, double *out)
{
    lp_figure f;
    if (lp_figure_get(c->r, measure, &f) != LP_OK || !isfinite(f.value)) return false;
    *out = f.value;
    return true;
}

const char *lp_nar_unit_for(nctx *c, const char *unit, const char *formatted)
{
    char key[96];
    snprintf(key, sizeof key, "unit.%s.%s", unit, strcmp(formatted, "1") == 0 ? "one" : "other");
    return lp_nar_text(c, key);
}

/* v in the unit a person reads: counts whole, shares whole percents,
 * points the whole number of percentage points (the wording says "points"),
 * ratios to one decimal, the rest through the one formatter. */
static const char *lp_nar_format_value(nctx *c, lp_unit unit, double v, char *buf, size_t size)
{
    switch (unit) {
    case LP_UNIT_POINTS: {
        double points = round(fabs(v) * 100.0);
        snprintf(buf, size, "%.0f", points < 1 && v != 0 ? 1.0 : points);
        break;
    }
    case LP_UNIT_RATIO: {
        double tenths = round(v * 10.0);
        snprintf(buf, size, fmod(tenths, 10.0) == 0 ? "%.0f" : "%.1f", tenths / 10.0);
        break;
    }
    default: lp_fmt_unit(unit, v, c->currency, buf, size); break;
    }
    return buf;
}

const char *lp_nar_cite(nctx *c, const char *figure, const char *subject, const char *period,
                        lp_unit unit, double v, char *buf, size_t size)
{
    lp_nar_format_value(c, unit, v, buf, size);
    if (c->npending < MAX_CITES && isfinite(v)) {
        lp_statement *st = &c->pending[c->npending++];
        memset(st, 0, sizeof *st);
        st->figure = lp_strdup(figure);
        st->subject = lp_strdup(subject ? subject : "");
        st->period = lp_strdup(period ? period : c->r->period_label);
        st->unit = lp_strdup(lp_unit_label(unit, c->currency));
        st->value = v;
        if (!st->figure || !st->subject || !st->period || !st->unit)
            lp_nar_fail(c, LP_ERR_NOMEM, "out of memory");
    }
    return buf;
}

const char *lp_nar_cite_fig(nctx *c, const char *figure, const char *subject, double v,
                            char *buf, size_t size)
{
    const lp_figure_def *def = lp_figure_def_find(figure);
    return lp_nar_cite(c, figure, subject, NULL, def ? def->unit : LP_UNIT_COUNT, v, buf, size);
}

/* Label of the period before P ("2026-W46"). */
static void lp_nar_previous_label(nctx *c, char *buf, size_t size)
{
    lp_period_label(&c->r->calendar, c->r->period - 1, buf, size);
}

const char *lp_nar_threshold_words(nctx *c, char *buf, size_t size)
{
    return lp_nar_cite(c, "sla_threshold_hours", NULL, NULL, LP_UNIT_HOURS, c->sla_hours, buf, size);
}

/* ---- Clauses: change, verdict, target ---- */

void lp_nar_change_words(nctx *c, const lp_figure *f, lp_buf *out, bool *moved)
{
    *moved = false;
    if (f->verdict == LP_VERDICT_TOO_EARLY) {
        lp_nar_say(c, out, "change.too_early", NULL);
        return;
    }
    if (isnan(f->previous) || isnan(f->value)) return;
    const char *id = f->def->id;
    lp_unit unit = f->def->unit;
    char now[64] = "", before[64] = "", delta[64] = "", pct[32] = "", prev_label[24];
    lp_nar_previous_label(c, prev_label, sizeof prev_label);
    /* formatted without citing, to tell "the same" from a change */
    lp_nar_format_value(c, unit, f->value, now, sizeof now);
    lp_nar_format_value(c, unit, f->previous, before, sizeof before);
    if (strcmp(now, before) == 0) {
        lp_nar_say(c, out, "change.same", NULL);
        return;
    }
    *moved = true;
    double d = isfinite(f->change) ? f->change : 0;
    bool up = d > 0;
    if (f->previous == 0 && unit != LP_UNIT_SHARE && unit != LP_UNIT_HOURS &&
        unit != LP_UNIT_DAYS) {
        lp_nar_say(c, out, "change.up_from_none", "delta", now, NULL);
        return;
    }
    lp_nar_cite(c, id, NULL, prev_label, unit, f->previous, before, sizeof before);
    if (unit == LP_UNIT_SHARE) {
        /* a maturing rate is compared with the previous period as it stood
         * the same time after its end, and says so */
        bool aged = f->compared_as_of != INT64_MIN && f->compared_as_of != c->r->as_of;
        lp_nar_cite(c, "change", id, NULL, LP_UNIT_POINTS, d, delta, sizeof delta);
        lp_nar_say(c, out,
            aged ? (up ? "change.rate_up_same_age" : "change.rate_down_same_age")
                 : (up ? "change.rate_up" : "change.rate_down"),
            "points", delta, "point_unit", lp_nar_unit_for(c, "point", delta), "previous", before,
            NULL);
        return;
    }
    if (unit == LP_UNIT_HOURS || unit == LP_UNIT_DAYS) {
        lp_nar_say(c, out, up ? "change.duration_up" : "change.duration_down", "previous", before,
            NULL);
        return;
    }
    lp_nar_cite(c, "change", id, NULL, unit, fabs(d), delta, sizeof delta);
    lp_nar_cite(c, "change_pct", id, NULL, LP_UNIT_SHARE, fabs(f->change_pct), pct, sizeof pct);
    lp_nar_say(c, out, up ? "change.up" : "change.down", "delta", delta, "pct", pct, "previous",
        before, NULL);
}

void lp_nar_change_clauses(nctx *c, const lp_figure *f, lp_buf *out)
{
    lp_buf words = {0};
    bool moved = false;
    lp_nar_change_words(c, f, &words, &moved);
    if (words.data) lp_nar_say(c, out, "clause.change", "change", words.data, NULL);
    lp_buf_reset(&words);
    if (!moved) return;
    lp_buf verdict = {0};
    if (f->verdict == LP_VERDICT_REAL)
        lp_nar_say(c, &verdict, f->value > f->previous ? "verdict.real_up" : "verdict.real_down",
            NULL);
    else if (f->verdict == LP_VERDICT_NOISE)
        lp_nar_say(c, &verdict, "verdict.noise", NULL);
    else if (f->verdict == LP_VERDICT_UNTESTED)
        lp_nar_say(c, &verdict, "verdict.untested", NULL);
    if (verdict.data) lp_nar_say(c, out, "clause.verdict", "verdict", verdict.data, NULL);
    lp_buf_reset(&verdict);
}

/* KPI status key of a figure's target status. */
static const char *lp_nar_status_key(lp_target_status status)
{
    switch (status) {
    case LP_TARGET_ON_TRACK: return "kpi.on_track";
    case LP_TARGET_AT_RISK: return "kpi.at_risk";
    case LP_TARGET_OFF_TRACK: return "kpi.off_track";
    default: return "kpi.no_target";
    }
}

void lp_nar_target_clause(nctx *c, const lp_figure *f, lp_buf *out, const char **out_status)
{
    *out_status = lp_nar_status_key(f->status);
    if (!(f->target > 0) || isnan(f->value)) return;
    char target_text[64], attainment[32];
    const char *id = f->def->id;
    lp_nar_cite(c, "target", id, NULL, f->def->unit, f->target, target_text, sizeof target_text);
    bool met = f->status == LP_TARGET_ON_TRACK;
    lp_buf words = {0};
    if (f->def->unit == LP_UNIT_SHARE) {
        lp_nar_say(c, &words, met ? "target.rate_met" : "target.rate_short", "target", target_text,
            NULL);
    } else {
        lp_nar_cite(c, "target_attainment", id, NULL, LP_UNIT_SHARE, f->attainment, attainment,
             sizeof attainment);
        lp_nar_say(c, &words, met ? "target.met" : "target.short", "target", target_text,
            "attainment", attainment, NULL);
    }
    if (words.data) lp_nar_say(c, out, "clause.target", "target", words.data, NULL);
    lp_buf_reset(&words);
}

/* ---- Sentences about one measure ---- */

bool lp_nar_measure_sentence(nctx *c, const char *measure, const char *say_key, lp_buf *out,
                             const char **out_status)
{
    lp_figure f;
    if (out_status) *out_status = "kpi.no_target";
    if (lp_figure_get(c->r, measure, &f) != LP_OK || isnan(f.value)) return false;
    bool share = f.def->unit == LP_UNIT_SHARE;
    if (share && !(f.base > 0)) return false;
    /* a sentence that names its base says nothing rather than leave a hole */
    if (f.def->base && !isfinite(f.base)) return false;
    char value[64], base[64] = "";
    lp_nar_cite_fig(c, measure, NULL, f.value, value, sizeof value);
    if (f.def->base && isfinite(f.base)) lp_nar_cite_fig(c, f.def->base, NULL, f.base, base, sizeof base);
    /* Counts: the unit goes with the value; the others: with the base. */
    char unit_key[96];
    snprintf(unit_key, sizeof unit_key, "measure.%s.unit", measure);
    const char *noun = lp_nar_text_opt(c, unit_key);
    const char *unit = "";
    if (noun && f.def->unit == LP_UNIT_COUNT) unit = lp_nar_unit_for(c, noun, value);
    else if (noun && *base) unit = lp_nar_unit_for(c, noun, base);
    lp_nar_say(c, out, say_key, "value", value, "unit", unit, "base", base, NULL);
    lp_nar_change_clauses(c, &f, out);
    const char *status;
    lp_nar_target_clause(c, &f, out, &status);
    if (out_status) *out_status = status;
    return true;
}

void lp_nar_push_measure(nctx *c, strlist *list, const char *measure)
{
    char key[96];
    snprintf(key, sizeof key, "measure.%s.say", measure);
    lp_buf b = {0};
    if (lp_nar_measure_sentence(c, measure, key, &b, NULL)) lp_nar_push_sentence(c, list, &b);
    lp_buf_reset(&b);
}

const char *lp_nar_switched_off_reason(nctx *c, const char *word)
{
    const lp_table *t = lp_nar_table_of(c, "switched_off");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *figure = lp_nar_cell_str(t, "figure", i);
        if (figure && strcasestr(figure, word)) return lp_nar_cell_str(t, "reason", i);
    }
    return NULL;
}

void lp_nar_push_missing(nctx *c, strlist *list, const char *measure, const char *area)
{
    char key[96];
    snprintf(key, sizeof key, "measure.%s.noun", measure);
    const char *noun = lp_nar_text(c, key);
    const char *reason = lp_nar_switched_off_reason(c, area);
    lp_buf b = {0};
    if (reason) lp_nar_say(c, &b, "missing.because", "noun", noun, "reason", reason, NULL);
    else lp_nar_say(c, &b, "missing.no_data", "noun", noun, NULL);
    lp_nar_push_sentence(c, list, &b);
}

void lp_nar_push_section_missing(nctx *c, strlist *list, const lp_template_section *s,
                                 const char *area)
{
    const char *reason = lp_nar_switched_off_reason(c, area);
    lp_buf b = {0};
    if (reason) lp_nar_say(c, &b, "missing.section_because", "title", s->title, "reason", reason, NULL);
    else lp_nar_say(c, &b, "missing.section", "title", s->title, NULL);
    lp_nar_push_sentence(c, list, &b);
}

