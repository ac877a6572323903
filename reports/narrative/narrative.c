/*
 * narrative.c: the result set in plain English (narrative.h).
 *
 * Every word comes from the template's wording (templates/wording.yaml,
 * overridable per pack): this file decides which sentence applies and fills
 * its {placeholders} with formatted numbers. The rules that keep the words
 * honest live here:
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
#include "lp/narrative.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../template/yaml_doc.h"
#include "lp/time.h"

#define MAX_ARGS 16
#define MAX_FINDINGS 5
#define PROVISIONAL_DAYS 30

/* ---- How each headline measure is formatted (units, not wording). ---- */

typedef enum fmt_kind { F_COUNT, F_MONEY, F_RATE, F_HOURS, F_DAYS } fmt_kind;

typedef struct measure_info {
    const char *measure;
    fmt_kind fmt;
    const char *target_alias; /* measure name in the targets table, or NULL */
    const char *unit;         /* wording unit (unit.NAME.one/other) of the value
                                 for counts, of the base for the others */
} measure_info;

static const measure_info measure_infos[] = {
    {"mql_count", F_COUNT, "mql", "mql"},
    {"sql_count", F_COUNT, "sql", "sql"},
    {"acceptance_rate", F_RATE, NULL, "mql"},
    {"inbound_pipeline_count", F_COUNT, NULL, "opportunity"},
    {"inbound_pipeline_amount", F_MONEY, "pipeline", "opportunity"},
    {"open_inbound_pipeline_amount", F_MONEY, NULL, "opportunity"},
    {"sla_eligible", F_COUNT, NULL, "mql"},
    {"sla_within", F_COUNT, NULL, "mql"},
    {"sla_compliance", F_RATE, NULL, "mql"},
    {"sla_median_hours", F_HOURS, NULL, "mql"},
    {"sla_p90_hours", F_HOURS, NULL, "mql"},
    {"sla_untouched", F_COUNT, NULL, "mql"},
    {"sla_pending", F_COUNT, NULL, "mql"},
    {"followup_compliance", F_RATE, NULL, "mql"},
    {"inbound_won_count", F_COUNT, NULL, "deal"},
    {"inbound_won_amount", F_MONEY, "won", "deal"},
    {"inbound_win_rate", F_RATE, NULL, "deal"},
    {"inbound_avg_deal", F_MONEY, NULL, "deal"},
    {"inbound_cycle_median_days", F_DAYS, NULL, "deal"},
    {"inbound_won_share", F_RATE, NULL, "deal"},
};

/* The first-page tiles, in order. */
static const char *const kpi_measures[] = {"mql_count", "acceptance_rate",
                                           "inbound_pipeline_amount", "sla_compliance",
                                           "inbound_won_amount", NULL};

/* Wording keys of the attribution models, in lp_attribution order. */
static const char *const attribution_keys[LP_ATTR_COUNT] = {
    "attribution.first_touch", "attribution.last_touch", "attribution.linear",
    "attribution.u_shaped", "attribution.w_shaped"};

static const char *attribution_key(const lp_settings *settings)
{
    int model = settings ? (int)settings->attribution : 0;
    return attribution_keys[model >= 0 && model < LP_ATTR_COUNT ? model : 0];
}

static const measure_info *measure_find(const char *measure)
{
    for (size_t i = 0; i < sizeof measure_infos / sizeof measure_infos[0]; i++)
        if (measure && strcmp(measure_infos[i].measure, measure) == 0) return &measure_infos[i];
    return NULL;
}

/* ---- Builder state ---- */

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
} nctx;

static void fail(nctx *c, lp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(nctx *c, lp_status status, const char *fmt, ...)
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

static void strlist_push(nctx *c, strlist *list, const char *s)
{
    if (c->status != LP_OK || !s || !*s) return;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        char **items = lp_realloc(list->items, cap * sizeof *items);
        if (!items) {
            fail(c, LP_ERR_NOMEM, "out of memory");
            return;
        }
        list->items = items;
        list->cap = cap;
    }
    char *copy = lp_strdup(s);
    if (!copy) {
        fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    list->items[list->n++] = copy;
}

static void strlist_free(strlist *list)
{
    for (size_t i = 0; i < list->n; i++) lp_free(list->items[i]);
    lp_free(list->items);
    memset(list, 0, sizeof *list);
}

/* Wording for key: the pack's, else the default; missing is a config error. */
static const char *text(nctx *c, const char *key)
{
    const char *t = lp_template_text(c->tpl, key);
    if (!t) t = lp_template_text(c->defaults, key);
    if (!t) {
        fail(c, LP_ERR_CONFIG, "wording key \"%s\" is missing from wording.yaml", key);
        return "";
    }
    return t;
}

/* Wording for key when it exists, else NULL (no error). */
static const char *text_opt(nctx *c, const char *key)
{
    const char *t = lp_template_text(c->tpl, key);
    return t ? t : lp_template_text(c->defaults, key);
}

/* Expands wording key into out: {name} takes the value of the pair of that
 * name in args (name, value, ..., NULL); a name not given falls back to the
 * period's wording ("period.week.NAME": {this}, {last}, {this_s},
 * {normal}); "{{" is a literal brace. An unknown placeholder is a config
 * error, so a typo in a pack never prints a hole. */
static void expand(nctx *c, lp_buf *out, const char *key, const char *const *args)
{
    const char *t = text(c, key);
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
            fail(c, LP_ERR_CONFIG, "wording key \"%s\": unclosed {", key);
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
            value = text_opt(c, period_key);
        }
        if (!value) {
            fail(c, LP_ERR_CONFIG, "wording key \"%s\": unknown placeholder {%s}", key, name);
            return;
        }
        lp_buf_puts(out, value);
        t = end + 1;
    }
    if (out->failed) fail(c, LP_ERR_NOMEM, "out of memory");
}

/* expand with the pairs given inline: say(c, out, key, "value", v, NULL). */
static void say(nctx *c, lp_buf *out, const char *key, ...)
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
        if (text_opt(c, one_key)) {
            expand(c, out, one_key, args);
            return;
        }
    }
    expand(c, out, key, args);
}

/* Turns buf into a finished sentence (capital first letter, one space
 * between words, final full stop) and pushes it; an empty buf adds nothing. */
static void push_sentence(nctx *c, strlist *list, lp_buf *buf)
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
        strlist_push(c, list, buf->data);
    }
    lp_buf_reset(buf);
}

/* ---- Reading the result set ---- */

static const lp_table *table_of(nctx *c, const char *name)
{
    const lp_table *t = lp_results_table(c->r, name);
    return t && t->nrows ? t : NULL;
}

/* Finite number at (column, row), false when absent or null. */
static bool cell_num(const lp_table *t, const char *column, size_t row, double *out)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col || row >= col->length || !lp_column_valid(col, row)) return false;
    double v = lp_column_number(col, row);
    if (!isfinite(v)) return false;
    *out = v;
    return true;
}

static const char *cell_str(const lp_table *t, const char *column, size_t row)
{
    const lp_column *col = t ? lp_table_column(t, column) : NULL;
    if (!col || col->type != LP_TYPE_STRING || row >= col->length ||
        !lp_column_valid(col, row))
        return NULL;
    return lp_column_str(col, row);
}

/* Row of a table whose key column equals key, or -1. */
static long find_row(const lp_table *t, const char *column, const char *key)
{
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *s = cell_str(t, column, i);
        if (s && strcmp(s, key) == 0) return (long)i;
    }
    return -1;
}

/* Value of a headline measure for P. */
static bool headline_value(nctx *c, const char *measure, double *out)
{
    const lp_table *t = table_of(c, "headline");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *m = cell_str(t, "measure", i), *p = cell_str(t, "period", i);
        if (m && p && strcmp(m, measure) == 0 && strcmp(p, c->r->period_label) == 0)
            return cell_num(t, "value", i, out);
    }
    /* A result set without a headline row for P may still carry the change. */
    const lp_table *ch = table_of(c, "changes");
    long row = find_row(ch, "measure", measure);
    return row >= 0 && cell_num(ch, "current", (size_t)row, out);
}

typedef struct change_info {
    bool has;        /* a previous value exists */
    double current;
    double previous;
    bool tested;     /* the change has a test */
    bool real;       /* and it passed */
} change_info;

static change_info change_of(nctx *c, const char *measure)
{
    change_info ci = {0};
    const lp_table *t = table_of(c, "changes");
    long row = find_row(t, "measure", measure);
    if (row < 0) return ci;
    if (!cell_num(t, "current", (size_t)row, &ci.current) &&
        !headline_value(c, measure, &ci.current))
        return ci;
    if (!cell_num(t, "previous", (size_t)row, &ci.previous)) return ci;
    ci.has = true;
    const char *test = cell_str(t, "test", (size_t)row);
    double real = 0;
    ci.tested = test && *test && cell_num(t, "real", (size_t)row, &real);
    ci.real = ci.tested && real != 0;
    return ci;
}

static void fmt_value(nctx *c, fmt_kind fmt, double v, char *buf, size_t size)
{
    switch (fmt) {
    case F_COUNT: lp_fmt_count(v, buf, size); break;
    case F_MONEY: lp_fmt_money(v, c->currency, buf, size); break;
    case F_RATE: lp_fmt_rate(v, buf, size); break;
    case F_HOURS: lp_fmt_hours(v, buf, size); break;
    case F_DAYS: lp_fmt_days(v, buf, size); break;
    }
}

/* "qualified lead" or "qualified leads" for a formatted count. */
static const char *unit_for(nctx *c, const char *unit, const char *formatted)
{
    char key[96];
    snprintf(key, sizeof key, "unit.%s.%s", unit, strcmp(formatted, "1") == 0 ? "one" : "other");
    return text(c, key);
}

/* ---- Clauses: change, verdict, target ---- */

/* The change of a measure in words ("up 38 (10%) on last week"), or "" when
 * there is no previous value. Sets *moved when the value changed. */
static void change_words(nctx *c, fmt_kind fmt, const change_info *ci, lp_buf *out,
                         bool *moved)
{
    *moved = false;
    if (!ci->has) return;
    char now[64] = "", before[64] = "", delta[64] = "", pct[32] = "";
    fmt_value(c, fmt, ci->current, now, sizeof now);
    fmt_value(c, fmt, ci->previous, before, sizeof before);
    double d = ci->current - ci->previous;
    if (strcmp(now, before) == 0) {
        say(c, out, "change.same", NULL);
        return;
    }
    *moved = true;
    bool up = d > 0;
    if (fmt == F_RATE) {
        double points = round(fabs(d) * 100.0);
        if (points < 1) points = 1; /* the whole percentages differ */
        snprintf(delta, sizeof delta, "%.0f", points);
        say(c, out, up ? "change.rate_up" : "change.rate_down", "points", delta, "point_unit",
            unit_for(c, "point", delta), "previous", before, NULL);
        return;
    }
    if (fmt == F_HOURS || fmt == F_DAYS) {
        say(c, out, up ? "change.duration_up" : "change.duration_down", "previous", before,
            NULL);
        return;
    }
    if (ci->previous == 0) {
        say(c, out, "change.up_from_none", "delta", now, NULL);
        return;
    }
    fmt_value(c, fmt, fabs(d), delta, sizeof delta);
    lp_fmt_rate(fabs(d) / fabs(ci->previous), pct, sizeof pct);
    say(c, out, up ? "change.up" : "change.down", "delta", delta, "pct", pct, "previous",
        before, NULL);
}

/* ", up 38 (10%) on last week, a real rise" as wording clauses. */
static void change_clauses(nctx *c, fmt_kind fmt, const change_info *ci, lp_buf *out)
{
    lp_buf words = {0};
    bool moved = false;
    change_words(c, fmt, ci, &words, &moved);
    if (words.data) say(c, out, "clause.change", "change", words.data, NULL);
    lp_buf_reset(&words);
    if (!moved || !ci->tested) return;
    lp_buf verdict = {0};
    if (ci->real)
        say(c, &verdict, ci->current > ci->previous ? "verdict.real_up" : "verdict.real_down",
            NULL);
    else
        say(c, &verdict, "verdict.noise", NULL);
    if (verdict.data) say(c, out, "clause.verdict", "verdict", verdict.data, NULL);
    lp_buf_reset(&verdict);
}

/* The overall target of a measure for P, from the targets table. */
static bool target_of(nctx *c, const char *measure, double *out_target)
{
    const measure_info *info = measure_find(measure);
    const lp_table *t = table_of(c, "targets");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *m = cell_str(t, "measure", i), *p = cell_str(t, "period", i);
        const char *team = cell_str(t, "team", i);
        if (!m || !p || strcmp(p, c->r->period_label) != 0) continue;
        if (strcmp(m, measure) != 0 && !(info && info->target_alias &&
                                         strcmp(m, info->target_alias) == 0))
            continue;
        if (team && *team && strcasecmp(team, "all") != 0) continue;
        double target;
        if (cell_num(t, "target", i, &target) && target > 0) {
            *out_target = target;
            return true;
        }
    }
    return false;
}

/* Target clause for a measure with value v; *out_status receives the KPI
 * status key ("kpi.on_target", ...). */
static void target_clause(nctx *c, const char *measure, fmt_kind fmt, double v, lp_buf *out,
                          const char **out_status)
{
    char target_text[64], attainment[32];
    double target;
    *out_status = "kpi.no_target";
    if (strcmp(measure, "sla_compliance") == 0) {
        if (!(c->sla_target > 0)) return;
        lp_fmt_rate(c->sla_target, target_text, sizeof target_text);
        bool met = v >= c->sla_target;
        *out_status = met ? "kpi.on_target" : "kpi.below_target";
        lp_buf words = {0};
        say(c, &words, met ? "target.rate_met" : "target.rate_short", "target", target_text,
            NULL);
        if (words.data) say(c, out, "clause.target", "target", words.data, NULL);
        lp_buf_reset(&words);
        return;
    }
    if (!target_of(c, measure, &target)) return;
    fmt_value(c, fmt, target, target_text, sizeof target_text);
    lp_fmt_rate(v / target, attainment, sizeof attainment);
    bool met = v >= target;
    *out_status = met ? "kpi.on_target" : "kpi.below_target";
    lp_buf words = {0};
    say(c, &words, met ? "target.met" : "target.short", "target", target_text, "attainment",
        attainment, NULL);
    if (words.data) say(c, out, "clause.target", "target", words.data, NULL);
    lp_buf_reset(&words);
}

/* ---- Bases: what a rate is a share of, said as a number ---- */

static bool sum_column(nctx *c, const char *table, const char *column, double *out)
{
    const lp_table *t = table_of(c, table);
    double sum = 0, v;
    bool any = false;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *team = cell_str(t, "team", i);
        if (team && strcmp(team, "All") == 0) continue;
        if (cell_num(t, column, i, &v)) sum += v, any = true;
    }
    *out = sum;
    return any;
}

static bool base_of(nctx *c, const char *measure, double *out)
{
    double v, rate;
    if (strcmp(measure, "acceptance_rate") == 0 || strcmp(measure, "sla_median_hours") == 0 ||
        strcmp(measure, "sla_p90_hours") == 0)
        return headline_value(c, "mql_count", out);
    if (strcmp(measure, "sla_compliance") == 0) return headline_value(c, "sla_eligible", out);
    if (strcmp(measure, "followup_compliance") == 0)
        return sum_column(c, "sla_by_team", "followup_eligible", out);
    if (strcmp(measure, "inbound_win_rate") == 0) {
        if (!headline_value(c, "inbound_won_count", &v) ||
            !headline_value(c, measure, &rate) || rate <= 0)
            return false;
        *out = round(v / rate);
        return true;
    }
    if (strcmp(measure, "inbound_won_share") == 0) {
        if (!headline_value(c, "inbound_won_amount", &v) ||
            !headline_value(c, measure, &rate) || rate <= 0)
            return false;
        *out = v / rate;
        return true;
    }
    if (strcmp(measure, "inbound_avg_deal") == 0 ||
        strcmp(measure, "inbound_cycle_median_days") == 0)
        return headline_value(c, "inbound_won_count", out);
    return false;
}

/* The base formatted ("120" or "$2.1M"), "" when none. */
static void base_words(nctx *c, const char *measure, char *buf, size_t size)
{
    double base = 0;
    buf[0] = '\0';
    if (!base_of(c, measure, &base)) return;
    fmt_value(c, strcmp(measure, "inbound_won_share") == 0 ? F_MONEY : F_COUNT, base, buf,
              size);
}

/* ---- Sentences about one measure ---- */

/* The sentence "{say}{change}{verdict}{target}" for a headline measure,
 * with say taken from wording key say_key. Returns false (and says nothing)
 * when the value does not exist, or a rate has no base. */
static bool measure_sentence(nctx *c, const char *measure, const char *say_key, lp_buf *out,
                             const char **out_status)
{
    const measure_info *info = measure_find(measure);
    double v;
    const char *status = "kpi.no_target";
    if (out_status) *out_status = status;
    if (!info || !headline_value(c, measure, &v)) return false;
    char value[64], base[64];
    fmt_value(c, info->fmt, v, value, sizeof value);
    base_words(c, measure, base, sizeof base);
    if (info->fmt == F_RATE && !*base) return false;
    /* Counts: the unit goes with the value; the others: with the base. */
    const char *unit = "";
    if (info->fmt == F_COUNT) unit = unit_for(c, info->unit, value);
    else if (*base) unit = unit_for(c, info->unit, base);
    say(c, out, say_key, "value", value, "unit", unit, "base", base, NULL);
    change_info ci = change_of(c, measure);
    change_clauses(c, info->fmt, &ci, out);
    target_clause(c, measure, info->fmt, v, out, &status);
    if (out_status) *out_status = status;
    return true;
}

static void push_measure(nctx *c, strlist *list, const char *measure)
{
    char key[96];
    snprintf(key, sizeof key, "measure.%s.say", measure);
    lp_buf b = {0};
    if (measure_sentence(c, measure, key, &b, NULL)) push_sentence(c, list, &b);
    lp_buf_reset(&b);
}

/* A reason from the switched_off table whose figure mentions word. */
static const char *switched_off_reason(nctx *c, const char *word)
{
    const lp_table *t = table_of(c, "switched_off");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *figure = cell_str(t, "figure", i);
        if (figure && strcasestr(figure, word)) return cell_str(t, "reason", i);
    }
    return NULL;
}

/* "there is no figure for this week" with the reason when one is known. */
static void push_missing(nctx *c, strlist *list, const char *measure, const char *area)
{
    char key[96];
    snprintf(key, sizeof key, "measure.%s.noun", measure);
    const char *noun = text(c, key);
    const char *reason = switched_off_reason(c, area);
    lp_buf b = {0};
    if (reason) say(c, &b, "missing.because", "noun", noun, "reason", reason, NULL);
    else say(c, &b, "missing.no_data", "noun", noun, NULL);
    push_sentence(c, list, &b);
}

/* "{title}: no figures this week" for a section, with the reason when known. */
static void push_section_missing(nctx *c, strlist *list, const lp_template_section *s,
                                 const char *area)
{
    const char *reason = switched_off_reason(c, area);
    lp_buf b = {0};
    if (reason) say(c, &b, "missing.section_because", "title", s->title, "reason", reason, NULL);
    else say(c, &b, "missing.section", "title", s->title, NULL);
    push_sentence(c, list, &b);
}

/* ---- Headlines ---- */

static bool acceptance_provisional(nctx *c, int64_t *out_until)
{
    int64_t end = lp_period_end(&c->r->calendar, c->r->period);
    *out_until = end + (int64_t)PROVISIONAL_DAYS * 86400;
    return c->r->as_of < *out_until;
}

/* "3 in 10" when the rate is a whole tenth, else "31%". */
static void in_ten(double rate, char *buf, size_t size)
{
    double tenths = rate * 10.0;
    if (rate > 0.05 && rate < 0.95 && fabs(tenths - round(tenths)) < 0.005)
        snprintf(buf, size, "%.0f in 10", round(tenths));
    else
        lp_fmt_rate(rate, buf, size);
}

static void headline_volume(nctx *c, strlist *out)
{
    lp_buf b = {0};
    if (!measure_sentence(c, "mql_count", "headline.volume", &b, NULL)) {
        push_missing(c, out, "mql_count", "lead");
        return;
    }
    push_sentence(c, out, &b);
    double rate, mqls;
    if (!headline_value(c, "acceptance_rate", &rate) || !headline_value(c, "mql_count", &mqls) ||
        mqls <= 0)
        return;
    char share[32], until[48];
    in_ten(rate, share, sizeof share);
    say(c, &b, "headline.acceptance", "share", share, NULL);
    int64_t until_at;
    if (acceptance_provisional(c, &until_at)) {
        lp_fmt_day_month(until_at, until, sizeof until);
        say(c, &b, "caveat.provisional", "until", until, NULL);
    }
    push_sentence(c, out, &b);
}

/* Names of the campaigns with a verdict, joined with the list wording. */
static size_t campaign_names(nctx *c, const char *verdict, lp_buf *out)
{
    const lp_table *t = table_of(c, "campaign_tests");
    size_t n = 0, total = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *v = cell_str(t, "verdict", i);
        if (v && strcmp(v, verdict) == 0) total++;
    }
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *v = cell_str(t, "verdict", i);
        if (!v || strcmp(v, verdict) != 0) continue;
        const char *name = cell_str(t, "name", i);
        if (!name) name = cell_str(t, "campaign_id", i);
        if (!name) continue;
        if (n) lp_buf_puts(out, text(c, n + 1 == total ? "list.last" : "list.separator"));
        lp_buf_puts(out, name);
        n++;
    }
    return n;
}

static size_t listed_campaigns(nctx *c)
{
    const lp_table *t = table_of(c, "campaigns");
    size_t n = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *id = cell_str(t, "campaign_id", i);
        if (id && strcmp(id, "(no campaign)") != 0) n++;
    }
    return n;
}

static void headline_campaigns(nctx *c, strlist *out)
{
    size_t listed = listed_campaigns(c);
    if (!listed) {
        const char *reason = switched_off_reason(c, "campaign");
        lp_buf b = {0};
        if (reason) say(c, &b, "headline.campaigns_missing", "reason", reason, NULL);
        else say(c, &b, "headline.campaigns_none_listed", NULL);
        push_sentence(c, out, &b);
        return;
    }
    char n[32];
    lp_fmt_count((double)listed, n, sizeof n);
    lp_buf names = {0}, b = {0};
    size_t better = campaign_names(c, "better", &names);
    if (listed == 1 && !better) {
        say(c, &b, "headline.campaigns_single", NULL);
    } else if (!table_of(c, "campaign_tests")) {
        say(c, &b, "headline.campaigns_untested", "n", n, "unit", unit_for(c, "campaign", n),
            NULL);
    } else if (better) {
        char count[32];
        lp_fmt_count((double)better, count, sizeof count);
        say(c, &b, better == 1 ? "headline.campaigns_better_one" : "headline.campaigns_better",
            "count", count, "n", n, "unit", unit_for(c, "campaign", n), "names", names.data,
            NULL);
    } else {
        say(c, &b, "headline.campaigns_no_difference", "n", n, "unit",
            unit_for(c, "campaign", n), NULL);
    }
    lp_buf_reset(&names);
    push_sentence(c, out, &b);
    size_t worse = campaign_names(c, "worse", &names);
    if (worse)
        say(c, &b, worse == 1 ? "headline.campaigns_worse_one" : "headline.campaigns_worse",
            "names", names.data, NULL);
    lp_buf_reset(&names);
    push_sentence(c, out, &b);
}

static void headline_amount(nctx *c, strlist *out, const char *amount_measure,
                            const char *count_measure, const char *key, const char *area)
{
    lp_buf b = {0};
    double count;
    char count_text[32] = "";
    if (!headline_value(c, count_measure, &count)) {
        push_missing(c, out, amount_measure, area);
        return;
    }
    lp_fmt_count(count, count_text, sizeof count_text);
    /* The count sits in the main clause, so the say key carries it. */
    const measure_info *info = measure_find(amount_measure);
    double v;
    if (!headline_value(c, amount_measure, &v)) {
        push_missing(c, out, amount_measure, area);
        return;
    }
    char value[64];
    fmt_value(c, info->fmt, v, value, sizeof value);
    say(c, &b, key, "value", value, "count", count_text, "unit",
        unit_for(c, measure_find(count_measure)->unit, count_text), NULL);
    change_info ci = change_of(c, amount_measure);
    change_clauses(c, info->fmt, &ci, &b);
    const char *status;
    target_clause(c, amount_measure, info->fmt, v, &b, &status);
    push_sentence(c, out, &b);
}

static void headline_sla(nctx *c, strlist *out)
{
    lp_buf b = {0};
    char threshold[48];
    lp_fmt_hours(c->sla_hours, threshold, sizeof threshold);
    double v;
    char value[32], base[64];
    if (!headline_value(c, "sla_compliance", &v) ||
        (base_words(c, "sla_compliance", base, sizeof base), !*base)) {
        push_missing(c, out, "sla_compliance", "activit");
    } else {
        lp_fmt_rate(v, value, sizeof value);
        say(c, &b, "headline.sla", "value", value, "base", base, "unit",
            unit_for(c, "mql", base), "threshold", threshold, NULL);
        change_info ci = change_of(c, "sla_compliance");
        change_clauses(c, F_RATE, &ci, &b);
        const char *status;
        target_clause(c, "sla_compliance", F_RATE, v, &b, &status);
        push_sentence(c, out, &b);
    }
    double pending;
    if (headline_value(c, "sla_pending", &pending) && pending > 0) {
        char n[32];
        lp_fmt_count(pending, n, sizeof n);
        say(c, &b, "caveat.pending", "n", n, "unit", unit_for(c, "mql", n), "threshold",
            threshold, NULL);
        push_sentence(c, out, &b);
    }
}

/* One headline per measure: its sentences joined into one paragraph. */
static void push_paragraph(nctx *c, strlist *headlines, strlist *sentences)
{
    lp_buf b = {0};
    for (size_t i = 0; i < sentences->n; i++) {
        if (i) lp_buf_puts(&b, " ");
        lp_buf_puts(&b, sentences->items[i]);
    }
    if (b.failed) fail(c, LP_ERR_NOMEM, "out of memory");
    if (b.data) strlist_push(c, headlines, b.data);
    lp_buf_reset(&b);
    strlist_free(sentences);
}

static void build_headlines(nctx *c, strlist *out)
{
    strlist s = {0};
    headline_volume(c, &s);
    push_paragraph(c, out, &s);
    headline_campaigns(c, &s);
    push_paragraph(c, out, &s);
    headline_amount(c, &s, "inbound_pipeline_amount", "inbound_pipeline_count",
                    "headline.pipeline", "opportunit");
    push_paragraph(c, out, &s);
    headline_sla(c, &s);
    push_paragraph(c, out, &s);
    headline_amount(c, &s, "inbound_won_amount", "inbound_won_count", "headline.won",
                    "opportunit");
    push_paragraph(c, out, &s);
}

/* ---- What changed: the findings ---- */

static int compare_rank(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static void finding_sentence(nctx *c, const lp_table *t, size_t row, strlist *out)
{
    const char *kind = cell_str(t, "kind", row);
    const char *measure = cell_str(t, "measure", row);
    const char *subject = cell_str(t, "subject", row);
    double value = 0, base = 0, p_value = 1;
    if (!kind || !cell_num(t, "value", row, &value)) return;
    bool has_base = cell_num(t, "base", row, &base);
    const measure_info *info = measure_find(measure);
    char v[64], b[64], key[96];
    lp_buf buf = {0};
    if (strcmp(kind, "volume_change") == 0 || strcmp(kind, "rate_change") == 0) {
        if (!info || !has_base) return;
        change_info ci = {.has = true, .current = value, .previous = base};
        ci.tested = cell_num(t, "p_value", row, &p_value);
        ci.real = ci.tested && p_value < 0.05;
        fmt_value(c, info->fmt, value, v, sizeof v);
        snprintf(key, sizeof key, "measure.%s.noun", measure);
        lp_buf about = {0};
        if (subject && *subject) say(c, &about, "finding.subject", "subject", subject, NULL);
        say(c, &buf, "finding.change", "noun", text(c, key), "subject",
            about.data ? about.data : "", "value", v, NULL);
        lp_buf_reset(&about);
        change_clauses(c, info->fmt, &ci, &buf);
    } else if (strcmp(kind, "campaign_better") == 0 || strcmp(kind, "campaign_worse") == 0 ||
               strcmp(kind, "team_best_route") == 0) {
        if (!subject || !has_base) return;
        lp_fmt_rate(value, v, sizeof v);
        lp_fmt_rate(base, b, sizeof b);
        snprintf(key, sizeof key, "finding.%s", kind);
        say(c, &buf, key, "subject", subject, "value", v, "base", b, NULL);
    } else if (strcmp(kind, "team_slow") == 0) {
        if (!subject || !has_base) return;
        lp_fmt_hours(value, v, sizeof v);
        lp_fmt_hours(base, b, sizeof b);
        say(c, &buf, "finding.team_slow", "subject", subject, "value", v, "base", b, NULL);
    } else if (strcmp(kind, "breaches") == 0) {
        lp_fmt_count(value, v, sizeof v);
        if (has_base) lp_fmt_count(base, b, sizeof b);
        say(c, &buf, has_base ? "finding.breaches" : "finding.breaches_nobase", "n", v,
            "unit", unit_for(c, "mql", v), "base", has_base ? b : "", NULL);
    } else if (strcmp(kind, "target") == 0) {
        if (!info || !has_base || base <= 0) return;
        char attainment[32];
        fmt_value(c, info->fmt, value, v, sizeof v);
        fmt_value(c, info->fmt, base, b, sizeof b);
        lp_fmt_rate(value / base, attainment, sizeof attainment);
        snprintf(key, sizeof key, "measure.%s.noun", measure);
        say(c, &buf, value >= base ? "finding.target_met" : "finding.target_short", "noun",
            text(c, key), "value", v, "target", b, "attainment", attainment, NULL);
    } else {
        return; /* a kind this version cannot word is left out, never half-said */
    }
    push_sentence(c, out, &buf);
}

static void build_changes(nctx *c, strlist *out)
{
    const lp_table *t = table_of(c, "findings");
    if (!t) return;
    double *order = lp_malloc(t->nrows * 2 * sizeof *order);
    if (!order) {
        fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        double rank;
        order[2 * i] = cell_num(t, "rank", i, &rank) ? rank : (double)(t->nrows + i);
        order[2 * i + 1] = (double)i;
    }
    qsort(order, t->nrows, 2 * sizeof *order, compare_rank);
    for (size_t i = 0; i < t->nrows && out->n < MAX_FINDINGS; i++)
        finding_sentence(c, t, (size_t)order[2 * i + 1], out);
    lp_free(order);
}

/* ---- KPI tiles ---- */

static void build_kpis(nctx *c, lp_narrative *n)
{
    size_t count = 0;
    while (kpi_measures[count]) count++;
    n->kpis = lp_calloc(count, sizeof *n->kpis);
    if (!n->kpis) {
        fail(c, LP_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < count && c->status == LP_OK; i++) {
        const char *measure = kpi_measures[i];
        const measure_info *info = measure_find(measure);
        lp_kpi *k = &n->kpis[n->nkpis++];
        char key[96], value[64];
        snprintf(key, sizeof key, "measure.%s.label", measure);
        k->measure = lp_strdup(measure);
        k->label = lp_strdup(text(c, key));
        double v;
        lp_buf change = {0}, target = {0};
        const char *status = "kpi.no_target";
        if (headline_value(c, measure, &v)) {
            fmt_value(c, info->fmt, v, value, sizeof value);
            change_info ci = change_of(c, measure);
            bool moved;
            change_words(c, info->fmt, &ci, &change, &moved);
            k->real_change = moved && ci.tested && ci.real;
            target_clause(c, measure, info->fmt, v, &target, &status);
        } else {
            snprintf(value, sizeof value, "%s", text(c, "kpi.no_value"));
        }
        k->value = lp_strdup(value);
        k->change = lp_strdup(change.data ? change.data : "");
        k->status = lp_strdup(text(c, status));
        lp_buf_reset(&change);
        lp_buf_reset(&target);
        if (!k->measure || !k->label || !k->value || !k->change || !k->status)
            fail(c, LP_ERR_NOMEM, "out of memory");
    }
}

/* ---- Sections ---- */

static void section_cover(nctx *c, const lp_narrative *n, strlist *out)
{
    lp_buf b = {0};
    say(c, &b, "section.cover.period", "period", n->period_words, "as_of", n->as_of_words,
        NULL);
    push_sentence(c, out, &b);
    if (c->tpl && c->tpl->audience && *c->tpl->audience) {
        say(c, &b, "section.cover.audience", "audience", c->tpl->audience, NULL);
        push_sentence(c, out, &b);
    }
}

static void section_headlines(nctx *c, const lp_narrative *n, strlist *out)
{
    const lp_table *t = table_of(c, "changes");
    size_t tested = 0, real = 0;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *m = cell_str(t, "measure", i);
        change_info ci = change_of(c, m ? m : "");
        if (!ci.tested) continue;
        tested++;
        real += ci.real;
    }
    lp_buf b = {0};
    if (tested) {
        char r[32], all[32];
        lp_fmt_count((double)real, r, sizeof r);
        lp_fmt_count((double)tested, all, sizeof all);
        say(c, &b, real ? "section.headlines.real" : "section.headlines.none_real", "n", r,
            "tested", all, NULL);
        push_sentence(c, out, &b);
    }
    if (n->ncaveats) {
        char k[32];
        lp_fmt_count((double)n->ncaveats, k, sizeof k);
        say(c, &b, "section.headlines.caveats", "n", k, "unit", unit_for(c, "figure", k), NULL);
        push_sentence(c, out, &b);
    }
    if (!out->n) {
        say(c, &b, "section.headlines.plain", NULL);
        push_sentence(c, out, &b);
    }
}

/* The key with the most of column in a breakdown table (ties: first). */
static long top_row(nctx *c, const char *table, const char *column, double *out)
{
    const lp_table *t = table_of(c, table);
    long best = -1;
    double v;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *key = cell_str(t, "key", i);
        if (!key) key = cell_str(t, "name", i);
        if (!key || !cell_num(t, column, i, &v) || v <= 0) continue;
        if (best < 0 || v > *out) {
            best = (long)i;
            *out = v;
        }
    }
    return best;
}

/* true when s is the pack's first section of its kind: the overall
 * figures are worded there, and later sections of the kind word only their
 * own table, so that a pack never repeats itself. */
static bool first_of_kind(nctx *c, const lp_template_section *s)
{
    for (size_t i = 0; c->tpl && i < c->tpl->nsections; i++) {
        if (&c->tpl->sections[i] == s) return true;
        if (strcmp(c->tpl->sections[i].kind, s->kind) == 0) return false;
    }
    return true;
}

/* A volume section shows the overall figures (first of its kind), and with
 * a breakdown table (volume_by_channel, ...) that breakdown's largest group
 * and, by channel, how partner leads fare. */
static void section_volume(nctx *c, const lp_template_section *s, strlist *out)
{
    const char *table = s->table ? s->table : "";
    bool breakdown = strncmp(table, "volume_by_", 10) == 0;
    if (first_of_kind(c, s)) {
        push_measure(c, out, "mql_count");
        push_measure(c, out, "acceptance_rate");
    }
    if (!breakdown) {
        if (!out->n) push_section_missing(c, out, s, "lead");
        return;
    }
    double mqls = 0;
    long row = top_row(c, table, "mqls", &mqls);
    lp_buf b = {0};
    if (row >= 0) {
        char v[32], dimension_key[64];
        lp_fmt_count(mqls, v, sizeof v);
        snprintf(dimension_key, sizeof dimension_key, "dimension.%s", table + 10);
        say(c, &b, "section.volume.top_key", "dimension", text(c, dimension_key), "key",
            cell_str(table_of(c, table), "key", (size_t)row), "value", v, "unit",
            unit_for(c, "mql", v), NULL);
        push_sentence(c, out, &b);
    }
    const lp_table *t = table_of(c, table);
    long partner = -1;
    for (size_t i = 0; t && i < t->nrows && strcmp(table, "volume_by_channel") == 0; i++) {
        const char *key = cell_str(t, "key", i);
        if (key && strcasecmp(key, "partner") == 0) partner = (long)i;
    }
    double rate, n;
    if (partner >= 0 && cell_num(t, "acceptance_rate", (size_t)partner, &rate) &&
        cell_num(t, "mqls", (size_t)partner, &n) && n > 0) {
        char r[32], base[32];
        lp_fmt_rate(rate, r, sizeof r);
        lp_fmt_count(n, base, sizeof base);
        say(c, &b, "section.volume.partner_acceptance", "rate", r, "base", base, "unit",
            unit_for(c, "mql", base), NULL);
        push_sentence(c, out, &b);
    }
    if (!out->n) push_section_missing(c, out, s, "lead");
}

static void section_campaigns(nctx *c, const lp_template_section *s, strlist *out)
{
    if (s->table && strcmp(s->table, "attribution") == 0) {
        lp_buf b = {0};
        say(c, &b, "section.campaigns.attribution", "model",
            text(c, attribution_key(c->r->settings)), NULL);
        push_sentence(c, out, &b);
        return;
    }
    if (!first_of_kind(c, s) && !(s->table && strcmp(s->table, "campaign_tests") == 0))
        return; /* the default intro */
    headline_campaigns(c, out);
    if (s->table && strcmp(s->table, "campaign_tests") == 0) return;
    double pipeline = 0;
    const lp_table *t = table_of(c, "campaigns");
    long best = -1;
    double v;
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *id = cell_str(t, "campaign_id", i);
        if (!id || strcmp(id, "(no campaign)") == 0 || !cell_num(t, "pipeline", i, &v) ||
            v <= 0)
            continue;
        if (best < 0 || v > pipeline) best = (long)i, pipeline = v;
    }
    if (best >= 0) {
        char amount[64];
        lp_fmt_money(pipeline, c->currency, amount, sizeof amount);
        const char *name = cell_str(t, "name", (size_t)best);
        const char *model_key = attribution_key(c->r->settings);
        lp_buf b = {0};
        say(c, &b, "section.campaigns.top_pipeline", "name",
            name ? name : cell_str(t, "campaign_id", (size_t)best), "amount", amount, "model",
            text(c, model_key), NULL);
        push_sentence(c, out, &b);
    }
    const char *reason = switched_off_reason(c, "cost");
    if (reason) {
        lp_buf b = {0};
        say(c, &b, "section.campaigns.no_cost", "reason", reason, NULL);
        push_sentence(c, out, &b);
    }
}

static void section_pipeline(nctx *c, strlist *out)
{
    headline_amount(c, out, "inbound_pipeline_amount", "inbound_pipeline_count",
                    "headline.pipeline", "opportunit");
    const lp_table *t = table_of(c, "coverage");
    double open, remaining, coverage;
    if (t && cell_num(t, "open_inbound_pipeline", 0, &open) &&
        cell_num(t, "remaining_quota", 0, &remaining) && cell_num(t, "coverage", 0, &coverage) &&
        remaining > 0) {
        char o[64], rq[64], times[32];
        lp_fmt_money(open, c->currency, o, sizeof o);
        lp_fmt_money(remaining, c->currency, rq, sizeof rq);
        double tenths = round(coverage * 10.0);
        snprintf(times, sizeof times, fmod(tenths, 10.0) == 0 ? "%.0f" : "%.1f", tenths / 10.0);
        lp_buf b = {0};
        say(c, &b, "section.pipeline.coverage", "open", o, "remaining", rq, "times", times,
            NULL);
        push_sentence(c, out, &b);
    } else {
        push_measure(c, out, "open_inbound_pipeline_amount");
    }
}

static void section_sla(nctx *c, strlist *out)
{
    headline_sla(c, out);
    double median, p90;
    lp_buf b = {0};
    if (headline_value(c, "sla_median_hours", &median)) {
        char m[48], p[48];
        lp_fmt_hours(median, m, sizeof m);
        if (headline_value(c, "sla_p90_hours", &p90)) {
            lp_fmt_hours(p90, p, sizeof p);
            say(c, &b, "section.sla.times", "median", m, "p90", p, NULL);
        } else {
            say(c, &b, "section.sla.median", "median", m, NULL);
        }
        push_sentence(c, out, &b);
    }
    const lp_table *breaches = lp_results_table(c->r, "breaches");
    if (breaches) {
        char n[32];
        lp_fmt_count((double)breaches->nrows, n, sizeof n);
        say(c, &b, breaches->nrows ? "section.sla.breaches" : "section.sla.no_breaches", "n", n,
            "unit", unit_for(c, "mql", n), NULL);
        push_sentence(c, out, &b);
    }
}

static void section_won(nctx *c, strlist *out)
{
    headline_amount(c, out, "inbound_won_amount", "inbound_won_count", "headline.won",
                    "opportunit");
    push_measure(c, out, "inbound_win_rate");
    push_measure(c, out, "inbound_cycle_median_days");
}

static void section_funnel(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = table_of(c, "funnel");
    double first, last, reached;
    if (!t || !cell_num(t, "reached", 0, &first) || !cell_num(t, "reached", t->nrows - 1, &last)) {
        push_section_missing(c, out, s, "funnel");
        return;
    }
    char a[32], z[32];
    lp_fmt_count(first, a, sizeof a);
    lp_fmt_count(last, z, sizeof z);
    lp_buf b = {0};
    say(c, &b, "section.funnel.overall", "leads", a, "unit", unit_for(c, "lead", a), "won", z,
        NULL);
    push_sentence(c, out, &b);
    /* The step with the lowest conversion from the one before. */
    long worst = -1;
    double worst_rate = 2, rate;
    for (size_t i = 1; i < t->nrows; i++)
        if (cell_num(t, "rate", i, &rate) && rate < worst_rate) worst = (long)i, worst_rate = rate;
    if (worst > 0 && cell_num(t, "reached", (size_t)worst - 1, &reached)) {
        char from_key[64], to_key[64], r[32], base[32];
        snprintf(from_key, sizeof from_key, "funnel.%s", cell_str(t, "step", (size_t)worst - 1));
        snprintf(to_key, sizeof to_key, "funnel.%s", cell_str(t, "step", (size_t)worst));
        lp_fmt_rate(worst_rate, r, sizeof r);
        lp_fmt_count(reached, base, sizeof base);
        say(c, &b, "section.funnel.drop", "from", text(c, from_key), "to", text(c, to_key),
            "rate", r, "base", base, NULL);
        push_sentence(c, out, &b);
    }
}

static void section_routing(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = table_of(c, "routing");
    lp_buf b = {0};
    if (!t) {
        push_section_missing(c, out, s, "team");
        return;
    }
    /* The best route: a team whose interval lies wholly above every other's. */
    long best = -1;
    for (size_t i = 0; i < t->nrows && best < 0; i++) {
        double low, high;
        if (!cell_num(t, "low", i, &low)) continue;
        bool above = t->nrows > 1;
        for (size_t j = 0; j < t->nrows && above; j++)
            if (j != i && (!cell_num(t, "high", j, &high) || high >= low)) above = false;
        if (above) best = (long)i;
    }
    if (best >= 0) {
        double rate = 0, won = 0, mqls = 0;
        char r[32], w[32], m[32];
        cell_num(t, "rate", (size_t)best, &rate);
        cell_num(t, "won", (size_t)best, &won);
        cell_num(t, "mqls", (size_t)best, &mqls);
        lp_fmt_rate(rate, r, sizeof r);
        lp_fmt_count(won, w, sizeof w);
        lp_fmt_count(mqls, m, sizeof m);
        say(c, &b, "section.routing.best", "team", cell_str(t, "team", (size_t)best), "rate", r,
            "won", w, "mqls", m, NULL);
    } else {
        say(c, &b, "section.routing.no_best", NULL);
    }
    push_sentence(c, out, &b);
    say(c, &b, "section.routing.how", NULL);
    push_sentence(c, out, &b);
}

static void section_forecast(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = table_of(c, "forecast");
    double v, low, high;
    lp_buf b = {0};
    if (!t || !cell_num(t, "mql_forecast", 0, &v)) {
        push_section_missing(c, out, s, "forecast");
        return;
    }
    char fv[32], lo[32], hi[32];
    lp_fmt_count(v < 0 ? 0 : v, fv, sizeof fv);
    if (cell_num(t, "low", 0, &low) && cell_num(t, "high", 0, &high)) {
        lp_fmt_count(low < 0 ? 0 : low, lo, sizeof lo);
        lp_fmt_count(high, hi, sizeof hi);
        say(c, &b, "section.forecast.next", "value", fv, "unit", unit_for(c, "mql", fv), "low",
            lo, "high", hi, NULL);
    } else {
        say(c, &b, "section.forecast.next_point", "value", fv, "unit", unit_for(c, "mql", fv),
            NULL);
    }
    push_sentence(c, out, &b);
    say(c, &b, "section.forecast.how", NULL);
    push_sentence(c, out, &b);
}

static void section_quality(nctx *c, const lp_narrative *n, strlist *out)
{
    lp_buf b = {0};
    if (n->ncaveats) {
        char k[32];
        lp_fmt_count((double)n->ncaveats, k, sizeof k);
        say(c, &b, "section.quality.switched_off", "n", k, "unit", unit_for(c, "figure", k),
            NULL);
    } else {
        say(c, &b, "section.quality.complete", NULL);
    }
    push_sentence(c, out, &b);
    const lp_dataset *ds = c->r->dataset;
    if (ds) {
        say(c, &b, "section.quality.rejects", NULL);
        push_sentence(c, out, &b);
    }
}

static void section_breaches(nctx *c, const lp_template_section *s, strlist *out)
{
    const lp_table *t = lp_results_table(c->r, "breaches");
    lp_buf b = {0};
    if (!t) {
        push_section_missing(c, out, s, "activit");
        return;
    }
    char n[32], threshold[48];
    lp_fmt_count((double)t->nrows, n, sizeof n);
    lp_fmt_hours(c->sla_hours, threshold, sizeof threshold);
    say(c, &b, t->nrows ? "section.breaches.count" : "section.breaches.none", "n", n, "unit",
        unit_for(c, "mql", n), "threshold", threshold, NULL);
    push_sentence(c, out, &b);
    long worst = -1;
    double most = 0, late;
    for (size_t i = 0; i < t->nrows; i++)
        if (cell_num(t, "hours_late", i, &late) && (worst < 0 || late > most))
            worst = (long)i, most = late;
    if (worst >= 0) {
        char h[48];
        const char *team = cell_str(t, "team", (size_t)worst);
        lp_fmt_hours(most, h, sizeof h);
        say(c, &b, team && *team ? "section.breaches.worst_team" : "section.breaches.worst",
            "hours", h, "team", team ? team : "", NULL);
        push_sentence(c, out, &b);
    }
}

/* Count and best-to-worst compliance of the groups of an SLA table
 * (sla_by_team, sla_by_owner, sla_by_partner); prefix picks the wording
 * ("section.partners" or "section.sla_groups"). */
static void section_groups(nctx *c, const char *table, const char *key_column,
                           const char *prefix, const char *group_unit, strlist *out)
{
    char key[96];
    const lp_table *t = table_of(c, table);
    lp_buf b = {0};
    if (!t) {
        if (out->n) return; /* the overall sentences already speak */
        snprintf(key, sizeof key, "%s.none", prefix);
        say(c, &b, key, NULL);
        push_sentence(c, out, &b);
        return;
    }
    double received = 0, v;
    for (size_t i = 0; i < t->nrows; i++)
        if (cell_num(t, "eligible", i, &v)) received += v;
    char n[32], k[32];
    lp_fmt_count((double)t->nrows, k, sizeof k);
    lp_fmt_count(received, n, sizeof n);
    snprintf(key, sizeof key, "%s.count", prefix);
    say(c, &b, key, "groups", k, "group_unit", unit_for(c, group_unit, k), "n", n, "unit",
        unit_for(c, "mql", n), NULL);
    push_sentence(c, out, &b);
    long best = -1, worst = -1;
    double best_rate = -1, worst_rate = 2;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!cell_num(t, "compliance", i, &v)) continue;
        if (v > best_rate) best = (long)i, best_rate = v;
        if (v < worst_rate) worst = (long)i, worst_rate = v;
    }
    if (best >= 0 && worst >= 0 && best != worst) {
        char br[32], wr[32];
        lp_fmt_rate(best_rate, br, sizeof br);
        lp_fmt_rate(worst_rate, wr, sizeof wr);
        snprintf(key, sizeof key, "%s.range", prefix);
        say(c, &b, key, "best", cell_str(t, key_column, (size_t)best), "best_rate", br, "worst",
            cell_str(t, key_column, (size_t)worst), "worst_rate", wr, NULL);
        push_sentence(c, out, &b);
    }
}

static void section_parameters(nctx *c, strlist *out)
{
    char threshold[48];
    const char *model_key = attribution_key(c->r->settings);
    lp_fmt_hours(c->sla_hours, threshold, sizeof threshold);
    lp_buf b = {0};
    say(c, &b, "section.parameters.summary", "threshold", threshold, "model",
        text(c, model_key), NULL);
    push_sentence(c, out, &b);
}

static void build_section(nctx *c, const lp_template_section *s, const lp_narrative *n,
                          strlist *out)
{
    const char *k = s->kind;
    if (strcmp(k, "cover") == 0) section_cover(c, n, out);
    else if (strcmp(k, "headlines") == 0) section_headlines(c, n, out);
    else if (strcmp(k, "volume") == 0) section_volume(c, s, out);
    else if (strcmp(k, "campaigns") == 0) section_campaigns(c, s, out);
    else if (strcmp(k, "pipeline") == 0) section_pipeline(c, out);
    else if (strcmp(k, "sla") == 0) {
        if (first_of_kind(c, s)) section_sla(c, out);
        if (s->table && strcmp(s->table, "sla_by_team") == 0)
            section_groups(c, "sla_by_team", "team", "section.sla_groups", "team", out);
        else if (s->table && strcmp(s->table, "sla_by_owner") == 0) {
            /* Reps by name: the measures give owner_name (the id without a
             * users export). */
            const lp_table *owners = lp_results_table(c->r, "sla_by_owner");
            bool named = owners && lp_table_column(owners, "owner_name");
            section_groups(c, "sla_by_owner", named ? "owner_name" : "owner_id",
                           "section.sla_groups", "rep", out);
        }
    }
    else if (strcmp(k, "won") == 0) section_won(c, out);
    else if (strcmp(k, "funnel") == 0) section_funnel(c, s, out);
    else if (strcmp(k, "routing") == 0) section_routing(c, s, out);
    else if (strcmp(k, "forecast") == 0) section_forecast(c, s, out);
    else if (strcmp(k, "quality") == 0) section_quality(c, n, out);
    else if (strcmp(k, "breaches") == 0) section_breaches(c, s, out);
    else if (strcmp(k, "partners") == 0)
        section_groups(c, "sla_by_partner", "team", "section.partners", "partner", out);
    else if (strcmp(k, "parameters") == 0) section_parameters(c, out);
    if (!out->n && c->status == LP_OK) {
        /* definitions, detail, and any section without figures to word. */
        char key[64];
        snprintf(key, sizeof key, "section.%s.intro", k);
        if (!text_opt(c, key)) snprintf(key, sizeof key, "section.default.intro");
        lp_buf b = {0};
        say(c, &b, key, "title", s->title ? s->title : s->id, NULL);
        push_sentence(c, out, &b);
    }
}

/* ---- Glossary and caveats ---- */

static lp_status load_glossary(nctx *c, const char *templates_dir, lp_narrative *n)
{
    lp_buf path = {0};
    lp_buf_printf(&path, "%s/definitions.yaml", templates_dir);
    if (path.failed) return LP_ERR_NOMEM;
    yaml_document_t doc;
    lp_status status = lp_ydoc_load(path.data, &doc, c->errmsg);
    if (status == LP_ERR_IO) status = LP_ERR_CONFIG;
    if (status != LP_OK) goto done;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *terms = NULL;
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
             p++) {
            const char *key = lp_ynode_str(yaml_document_get_node(&doc, p->key));
            if (key && strcmp(key, "terms") == 0) terms = yaml_document_get_node(&doc, p->value);
        }
    }
    if (!terms || terms->type != YAML_SEQUENCE_NODE) {
        lp_errmsg_set(c->errmsg, "%s line %d: expected \"terms:\" with a list of terms",
                      path.data, root ? lp_ynode_line(root) : 1);
        status = LP_ERR_CONFIG;
        goto cleanup;
    }
    size_t count = (size_t)(terms->data.sequence.items.top - terms->data.sequence.items.start);
    n->glossary_terms = lp_calloc(count ? count : 1, sizeof *n->glossary_terms);
    n->glossary_texts = lp_calloc(count ? count : 1, sizeof *n->glossary_texts);
    if (!n->glossary_terms || !n->glossary_texts) {
        status = LP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = yaml_document_get_node(&doc, terms->data.sequence.items.start[i]);
        const char *term = NULL, *definition = NULL;
        if (item && item->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
                 p < item->data.mapping.pairs.top; p++) {
                const char *key = lp_ynode_str(yaml_document_get_node(&doc, p->key));
                const char *value = lp_ynode_str(yaml_document_get_node(&doc, p->value));
                if (key && strcmp(key, "term") == 0) term = value;
                else if (key && strcmp(key, "definition") == 0) definition = value;
            }
        }
        if (!term || !definition || !*term || !*definition) {
            lp_errmsg_set(c->errmsg, "%s line %d: a term needs \"term:\" and \"definition:\"",
                          path.data, lp_ynode_line(item));
            status = LP_ERR_CONFIG;
            goto cleanup;
        }
        n->glossary_terms[i] = lp_strdup(term);
        n->glossary_texts[i] = lp_strdup(definition);
        n->nglossary = i + 1;
        if (!n->glossary_terms[i] || !n->glossary_texts[i]) {
            status = LP_ERR_NOMEM;
            goto cleanup;
        }
    }
cleanup:
    yaml_document_delete(&doc);
done:
    lp_buf_reset(&path);
    return status;
}

static void build_caveats(nctx *c, strlist *out)
{
    const lp_table *t = table_of(c, "switched_off");
    for (size_t i = 0; t && i < t->nrows; i++) {
        const char *figure = cell_str(t, "figure", i), *reason = cell_str(t, "reason", i);
        if (!figure || !*figure) continue;
        lp_buf b = {0};
        if (reason && *reason)
            say(c, &b, "caveat.switched_off", "figure", figure, "reason", reason, NULL);
        else
            say(c, &b, "caveat.switched_off_noreason", "figure", figure, NULL);
        push_sentence(c, out, &b);
    }
}

/* ---- Period and as-of words ---- */

static char *period_words(nctx *c)
{
    const lp_results *r = c->r;
    int64_t start = lp_period_start(&r->calendar, r->period);
    int64_t y;
    int m, d;
    lp_instant_to_local(start, &y, &m, &d, NULL, NULL, NULL);
    char start_text[48], month_key[32], year[16], quarter_key[32], fy[16] = "";
    lp_fmt_date(start, start_text, sizeof start_text);
    snprintf(month_key, sizeof month_key, "month.%d", m);
    snprintf(year, sizeof year, "%lld", (long long)y);
    const char *q = strchr(r->period_label, 'Q');
    snprintf(quarter_key, sizeof quarter_key, "ordinal.%c", q && q[1] ? q[1] : '1');
    if (strncmp(r->period_label, "FY", 2) == 0)
        snprintf(fy, sizeof fy, "%.*s", (int)strcspn(r->period_label + 2, "-"),
                 r->period_label + 2);
    char key[64];
    snprintf(key, sizeof key, "period.%s.name", c->kind);
    lp_buf b = {0};
    say(c, &b, key, "start", start_text, "month", text(c, month_key), "year", year, "quarter",
        text(c, quarter_key), "fiscal_year", fy, "label", r->period_label, NULL);
    if (b.failed) fail(c, LP_ERR_NOMEM, "out of memory");
    char *words = b.data ? b.data : lp_strdup("");
    if (!words) fail(c, LP_ERR_NOMEM, "out of memory");
    return words;
}

static char *as_of_words(nctx *c)
{
    int64_t y;
    int m, d, hh, mm;
    lp_instant_to_local(c->r->as_of, &y, &m, &d, &hh, &mm, NULL);
    char date[48], time_text[16];
    lp_fmt_date(c->r->as_of, date, sizeof date);
    snprintf(time_text, sizeof time_text, "%02d:%02d", hh, mm);
    lp_buf b = {0};
    say(c, &b, "as_of", "date", date, "time", time_text, "zone", lp_tz_name(), NULL);
    char *words = b.data ? b.data : lp_strdup("");
    if (!words) fail(c, LP_ERR_NOMEM, "out of memory");
    return words;
}

/* ---- Public ---- */

static void take_list(strlist *list, char ***out_items, size_t *out_n)
{
    *out_items = list->items;
    *out_n = list->n;
    memset(list, 0, sizeof *list);
}

lp_status lp_narrative_build(const lp_results *results, const lp_template *tpl,
                             const char *templates_dir, lp_narrative **out_narrative,
                             char *errmsg)
{
    if (!results || !templates_dir || !out_narrative) {
        lp_errmsg_set(errmsg, "lp_narrative_build: missing argument");
        return LP_ERR_USAGE;
    }
    nctx c = {.r = results, .tpl = tpl, .errmsg = errmsg};
    const lp_settings *settings = results->settings;
    c.currency = settings && settings->currency[0] ? settings->currency : "USD";
    c.sla_hours = settings && settings->sla_hours > 0 ? settings->sla_hours : 24.0;
    c.sla_target = settings ? settings->sla_target : 0.95;
    c.kind = lp_period_kind_name(results->calendar.kind);
    strlist headlines = {0}, changes = {0}, caveats = {0}, section = {0};
    lp_narrative *n = lp_calloc(1, sizeof *n);
    lp_status status = n ? lp_template_wording_load(templates_dir, &c.defaults, errmsg)
                         : LP_ERR_NOMEM;
    if (status != LP_OK) goto cleanup;
    status = load_glossary(&c, templates_dir, n);
    if (status != LP_OK) goto cleanup;

    n->title = lp_strdup(tpl && tpl->title ? tpl->title : text(&c, "pack.title"));
    if (!n->title) fail(&c, LP_ERR_NOMEM, "out of memory");
    n->period_words = period_words(&c);
    n->as_of_words = as_of_words(&c);
    build_caveats(&c, &caveats);
    take_list(&caveats, &n->caveats, &n->ncaveats);
    build_headlines(&c, &headlines);
    take_list(&headlines, &n->headlines, &n->nheadlines);
    build_changes(&c, &changes);
    take_list(&changes, &n->changes, &n->nchanges);
    build_kpis(&c, n);
    if (tpl && tpl->nsections && c.status == LP_OK) {
        n->sections = lp_calloc(tpl->nsections, sizeof *n->sections);
        if (!n->sections) fail(&c, LP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < tpl->nsections && c.status == LP_OK; i++) {
            lp_narrative_section *ns = &n->sections[n->nsections++];
            ns->id = lp_strdup(tpl->sections[i].id);
            if (!ns->id) fail(&c, LP_ERR_NOMEM, "out of memory");
            build_section(&c, &tpl->sections[i], n, &section);
            take_list(&section, &ns->sentences, &ns->nsentences);
        }
    }
    status = c.status;
cleanup:
    if (status == LP_ERR_NOMEM) lp_errmsg_set(errmsg, "out of memory");
    strlist_free(&headlines);
    strlist_free(&changes);
    strlist_free(&caveats);
    strlist_free(&section);
    lp_template_free(c.defaults);
    if (status != LP_OK) {
        lp_narrative_free(n);
        return status;
    }
    *out_narrative = n;
    return LP_OK;
}

static void free_strings(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) lp_free(items[i]);
    lp_free(items);
}

void lp_narrative_free(lp_narrative *n)
{
    if (!n) return;
    lp_free(n->title);
    lp_free(n->period_words);
    lp_free(n->as_of_words);
    free_strings(n->headlines, n->nheadlines);
    free_strings(n->changes, n->nchanges);
    for (size_t i = 0; i < n->nkpis; i++) {
        lp_free(n->kpis[i].measure);
        lp_free(n->kpis[i].label);
        lp_free(n->kpis[i].value);
        lp_free(n->kpis[i].change);
        lp_free(n->kpis[i].status);
    }
    lp_free(n->kpis);
    for (size_t i = 0; i < n->nsections; i++) {
        lp_free(n->sections[i].id);
        free_strings(n->sections[i].sentences, n->sections[i].nsentences);
    }
    lp_free(n->sections);
    free_strings(n->glossary_terms, n->nglossary);
    free_strings(n->glossary_texts, n->nglossary);
    free_strings(n->caveats, n->ncaveats);
    lp_free(n);
}

const lp_narrative_section *lp_narrative_section_find(const lp_narrative *narrative,
                                                      const char *id)
{
    if (!narrative || !id) return NULL;
    for (size_t i = 0; i < narrative->nsections; i++)
        if (strcmp(narrative->sections[i].id, id) == 0) return &narrative->sections[i];
    return NULL;
}
