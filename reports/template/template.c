/*
 * template.c: loading and validating report packs (template.h).
 *
 * A pack is read with libyaml's document API so that every node keeps its
 * line, and every mistake a user can make in a pack is reported as
 * "FILE line N: ...". Loading starts from the default wording
 * (templates_dir/wording.yaml), then applies the pack's `extends:` chain from
 * the root down, then the pack itself: later files replace scalar fields and
 * the section list, and override wording key by key.
 */
#include "lp/template.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp/fileio.h"
#include "lp/figures.h"
#include "lp/time.h"
#include "lp/yaml.h"
#include "template_internal.h"

static const char *const section_kinds[] = {
    "cover", "headlines", "volume",      "campaigns", "pipeline", "sla",
    "won",   "funnel",    "routing",     "forecast",  "quality",  "definitions",
    "breaches", "partners", "parameters", "detail",   NULL};

static const char *const chart_kinds[] = {"bars",      "line_band", "step",    "funnel",
                                          "intervals", "hbars",     "stacked", NULL};


static const char *const subjects[] = {"company", "sla", "partners", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

static void join_list(const char *const *list, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (; *list && used < size; list++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", *list);
}

bool lp_template_result_known(const char *table, const char *column)
{
    return lp_result_has_column(table, column);
}

/* ---- Template memory ---- */

static void section_clear(lp_template_section *s)
{
    lp_free(s->id);
    lp_free(s->kind);
    lp_free(s->title);
    lp_free(s->chart);
    lp_free(s->table);
    for (size_t i = 0; i < s->ncolumns; i++) lp_free(s->columns[i]);
    lp_free(s->columns);
    memset(s, 0, sizeof *s);
}

static void sections_free(lp_template_section *sections, size_t n)
{
    for (size_t i = 0; i < n; i++) section_clear(&sections[i]);
    lp_free(sections);
}

/* Whether wording entry i of tpl is its own allocation (key or value)
 * rather than borrowed from tpl->text_base (lp_template_load_memory). */
static bool text_owned(const lp_template *tpl, size_t i, bool value)
{
    const lp_template *base = tpl->text_base;
    if (!base || i >= base->ntexts) return true;
    return value && tpl->text_values[i] != base->text_values[i];
}

void lp_template_free(lp_template *tpl)
{
    if (!tpl) return;
    lp_free(tpl->name);
    lp_free(tpl->title);
    lp_free(tpl->audience);
    lp_free(tpl->description);
    lp_free(tpl->period);
    lp_free(tpl->subject);
    sections_free(tpl->sections, tpl->nsections);
    for (size_t i = 0; i < tpl->ntexts; i++) {
        if (text_owned(tpl, i, false)) lp_free(tpl->text_keys[i]);
        if (text_owned(tpl, i, true)) lp_free(tpl->text_values[i]);
    }
    lp_free(tpl->text_keys);
    lp_free(tpl->text_values);
    lp_free(tpl);
}

const char *lp_template_text(const lp_template *tpl, const char *key)
{
    if (!tpl || !key) return NULL;
    for (size_t i = 0; i < tpl->ntexts; i++)
        if (strcmp(tpl->text_keys[i], key) == 0) return tpl->text_values[i];
    return NULL;
}

/* Replaces *field with a copy of value. */
static lp_status set_str(char **field, const char *value)
{
    char *copy = lp_strdup(value);
    if (!copy) return LP_ERR_NOMEM;
    lp_free(*field);
    *field = copy;
    return LP_OK;
}

/* Sets wording key to value, replacing an existing value. The arrays grow
 * in powers of two (the struct has no capacity field). */
static lp_status set_text(lp_template *tpl, const char *key, const char *value)
{
    for (size_t i = 0; i < tpl->ntexts; i++) {
        if (strcmp(tpl->text_keys[i], key) != 0) continue;
        char *copy = lp_strdup(value);
        if (!copy) return LP_ERR_NOMEM;
        if (text_owned(tpl, i, true)) lp_free(tpl->text_values[i]);
        tpl->text_values[i] = copy;
        return LP_OK;
    }
    size_t n = tpl->ntexts;
    if (n == 0 || (n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 64;
        char **keys = lp_realloc(tpl->text_keys, cap * sizeof *keys);
        if (!keys) return LP_ERR_NOMEM;
        tpl->text_keys = keys;
        char **values = lp_realloc(tpl->text_values, cap * sizeof *values);
        if (!values) return LP_ERR_NOMEM;
        tpl->text_values = values;
    }
    char *k = lp_strdup(key), *v = lp_strdup(value);
    if (!k || !v) {
        lp_free(k);
        lp_free(v);
        return LP_ERR_NOMEM;
    }
    tpl->text_keys[n] = k;
    tpl->text_values[n] = v;
    tpl->ntexts = n + 1;
    return LP_OK;
}

/* ---- Loading ---- */

#define MAX_EXTENDS_DEPTH 16

typedef struct loader {
    const char *templates_dir;
    char *errmsg;
    char *chain[MAX_EXTENDS_DEPTH]; /* real paths of the files being applied */
    size_t depth;
    bool wording_known;             /* defaults loaded: wording keys are checked */
    const lp_memfile *packs;        /* lp_template_load_memory: the packs folder */
    size_t npacks;
} loader;

static bool is_path(const char *name_or_path)
{
    size_t n = strlen(name_or_path);
    return strchr(name_or_path, '/') || (n > 5 && strcmp(name_or_path + n - 5, ".yaml") == 0);
}

/* Path of a pack by name or path (caller frees), NULL when out of memory. */
static char *pack_path(const char *templates_dir, const char *name_or_path)
{
    lp_buf path = {0};
    if (is_path(name_or_path))
        lp_buf_puts(&path, name_or_path);
    else if (!templates_dir) /* packs in memory are named as in the packs folder */
        lp_buf_printf(&path, "%s.yaml", name_or_path);
    else
        lp_buf_printf(&path, "%s/packs/%s.yaml", templates_dir, name_or_path);
    if (path.failed) {
        lp_buf_reset(&path);
        return NULL;
    }
    return path.data;
}

/* File name without folder and .yaml: the pack's default name. */
static char *path_stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) n -= 5;
    return lp_strndup(base, n);
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "True", "TRUE", "Yes", NULL};
    static const char *const no[] = {"false", "no", "off", "False", "FALSE", "No", NULL};
    if (in_list(yes, s)) *out = true;
    else if (in_list(no, s)) *out = false;
    else return false;
    return true;
}

typedef struct wording_ctx {
    lp_template *tpl;
    loader *L;
    const char *path;
    bool check;
} wording_ctx;

static lp_status wording_entry(void *ctx, const char *key, const char *text, int line)
{
    wording_ctx *w = ctx;
    if (w->check && !lp_template_text(w->tpl, key)) {
        lp_errmsg_set(w->L->errmsg, "%s line %d: unknown wording key \"%s\"", w->path, line,
                      key);
        return LP_ERR_CONFIG;
    }
    lp_status status = set_text(w->tpl, key, text);
    if (status == LP_ERR_NOMEM) lp_errmsg_set(w->L->errmsg, "%s: out of memory", w->path);
    return status;
}

static lp_status config_error(loader *L, const char *path, const yaml_node_t *node,
                              const char *what, const char *detail)
{
    lp_errmsg_set(L->errmsg, "%s line %d: %s%s", path, lp_yaml_line(node), what,
                  detail ? detail : "");
    return LP_ERR_CONFIG;
}

static lp_status nomem(loader *L)
{
    lp_errmsg_set(L->errmsg, "out of memory");
    return LP_ERR_NOMEM;
}

/* Parses one section mapping into *s (zeroed by the caller). */
static lp_status parse_section(loader *L, const char *path, yaml_document_t *doc,
                               yaml_node_t *item, lp_template_section *s)
{
    char detail[400];
    if (item->type != YAML_MAPPING_NODE)
        return config_error(L, path, item, "a section must be a mapping (id:, kind:, ...)",
                            NULL);
    s->pdf = true;
    s->workbook = true;
    yaml_node_t *columns_node = NULL;
    for (yaml_node_pair_t *pair = item->data.mapping.pairs.start;
         pair < item->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(doc, pair->value);
        const char *key = lp_yaml_scalar(k);
        const char *text = lp_yaml_scalar(v);
        if (!key) return config_error(L, path, k, "a key must be plain text", NULL);
        if (strcmp(key, "columns") == 0) {
            if (!v || v->type != YAML_SEQUENCE_NODE)
                return config_error(L, path, v, "columns must be a list of column names", NULL);
            columns_node = v;
            continue;
        }
        static const char *const known[] = {"id",    "kind",     "title",    "chart",
                                            "table", "pdf",      "workbook", NULL};
        if (!in_list(known, key)) {
            snprintf(detail, sizeof detail,
                     "\"%s\" (a section takes id, kind, title, chart, table, columns, pdf, "
                     "workbook)",
                     key);
            return config_error(L, path, k, "unknown section key ", detail);
        }
        if (!text) {
            snprintf(detail, sizeof detail, "\"%s\" must be text", key);
            return config_error(L, path, v, detail, NULL);
        }
        char **field = NULL;
        if (strcmp(key, "pdf") == 0 || strcmp(key, "workbook") == 0) {
            bool *flag = key[0] == 'p' ? &s->pdf : &s->workbook;
            if (!parse_bool(text, flag)) {
                snprintf(detail, sizeof detail, "%s must be true or false, not \"%s\"", key,
                         text);
                return config_error(L, path, v, detail, NULL);
            }
            continue;
        }
        if (strcmp(key, "kind") == 0) {
            if (!in_list(section_kinds, text)) {
                char kinds[300];
                join_list(section_kinds, kinds, sizeof kinds);
                snprintf(detail, sizeof detail, "\"%s\" (kinds: %s)", text, kinds);
                return config_error(L, path, v, "unknown section kind ", detail);
            }
            field = &s->kind;
        } else if (strcmp(key, "chart") == 0) {
            if (!in_list(chart_kinds, text)) {
                char kinds[200];
                join_list(chart_kinds, kinds, sizeof kinds);
                snprintf(detail, sizeof detail, "\"%s\" (charts: %s)", text, kinds);
                return config_error(L, path, v, "unknown chart kind ", detail);
            }
            field = &s->chart;
        } else if (strcmp(key, "table") == 0) {
            if (!lp_template_result_known(text, NULL)) {
                snprintf(detail, sizeof detail, "\"%s\" (see the catalogue in measures.h)",
                         text);
                return config_error(L, path, v, "unknown result table ", detail);
            }
            field = &s->table;
        } else if (strcmp(key, "id") == 0) {
            if (!*text) return config_error(L, path, v, "a section id must not be empty", NULL);
            field = &s->id;
        } else {
            field = &s->title;
        }
        if (set_str(field, text) != LP_OK) return nomem(L);
    }
    if (!s->id) return config_error(L, path, item, "a section needs an id", NULL);
    if (!s->kind) {
        snprintf(detail, sizeof detail, "section \"%s\" needs a kind", s->id);
        return config_error(L, path, item, detail, NULL);
    }
    if (columns_node) {
        if (!s->table) {
            snprintf(detail, sizeof detail, "section \"%s\" lists columns but names no table",
                     s->id);
            return config_error(L, path, columns_node, detail, NULL);
        }
        size_t n = (size_t)(columns_node->data.sequence.items.top -
                            columns_node->data.sequence.items.start);
        s->columns = lp_calloc(n ? n : 1, sizeof *s->columns);
        if (!s->columns) return nomem(L);
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *c =
                yaml_document_get_node(doc, columns_node->data.sequence.items.start[i]);
            const char *name = lp_yaml_scalar(c);
            if (!name) return config_error(L, path, c, "a column must be a name", NULL);
            if (!lp_template_result_known(s->table, name)) {
                snprintf(detail, sizeof detail, "\"%s\" in result table \"%s\"", name,
                         s->table);
                return config_error(L, path, c, "unknown column ", detail);
            }
            s->columns[i] = lp_strdup(name);
            if (!s->columns[i]) return nomem(L);
            s->ncolumns = i + 1;
        }
    }
    return LP_OK;
}

/* ---- The charts a section draws ---- */

static bool table_is(const lp_template_section *s, const char *name)
{
    return s->table && strcmp(s->table, name) == 0;
}

static bool table_starts(const lp_template_section *s, const char *prefix)
{
    return s->table && strncmp(s->table, prefix, strlen(prefix)) == 0;
}

/* The first numeric column of a catalogue table, or NULL. */
static const char *first_number(const char *table)
{
    size_t n = 0;
    const lp_result_table_def *defs = lp_result_tables(&n);
    for (size_t t = 0; t < n; t++) {
        if (strcmp(defs[t].name, table) != 0) continue;
        for (size_t c = 0; c < defs[t].ncolumns; c++)
            if (defs[t].columns[c].type == LP_TYPE_DOUBLE ||
                defs[t].columns[c].type == LP_TYPE_INT64)
                return defs[t].columns[c].name;
    }
    return NULL;
}

/* The chart a section draws of its own table (its kind decides when it
 * names none); false for a section without one. */
static bool primary_chart(const lp_template_section *s, lp_template_chart *out)
{
    const char *k = s->kind;
    out->table = out->value = NULL;
    if (!s->pdf) return false;
    if (strcmp(k, "volume") == 0) {
        bool by = table_starts(s, "volume_by_");
        out->table = by ? s->table : "mql_trend";
        out->value = by && s->chart && strcmp(s->chart, "intervals") == 0 ? "acceptance_rate"
                                                                            : "mqls";
    } else if (strcmp(k, "pipeline") == 0) {
        out->table = table_starts(s, "pipeline_by_") ? s->table : "pipeline_by_stage";
        out->value = "amount";
    } else if (strcmp(k, "won") == 0) {
        out->table = table_starts(s, "won_by_") ? s->table : "won_by_source";
        out->value = "amount";
    } else if (strcmp(k, "campaigns") == 0) {
        if (table_is(s, "attribution")) out->table = "attribution", out->value = "mqls";
        else if (table_is(s, "campaign_tests")) out->table = "campaign_tests", out->value = "rate";
        else out->table = "campaigns", out->value = "cost_per_mql";
    } else if (strcmp(k, "sla") == 0) {
        if (table_is(s, "sla_curve") || table_is(s, "sla_reached"))
            out->table = "sla_curve", out->value = "touched_share";
        else if (table_is(s, "sla_by_owner")) out->table = "sla_by_owner", out->value = "compliance";
        else out->table = "sla_by_team", out->value = "compliance";
    } else if (strcmp(k, "funnel") == 0) {
        out->table = "funnel", out->value = "reached";
    } else if (strcmp(k, "routing") == 0) {
        out->table = "routing", out->value = "rate";
    } else if (strcmp(k, "partners") == 0) {
        out->table = "sla_by_partner", out->value = "compliance";
    } else if (strcmp(k, "forecast") == 0) {
        out->table = "forecast", out->value = "mql_forecast";
    } else if (strcmp(k, "cover") == 0 || strcmp(k, "headlines") == 0 ||
               strcmp(k, "quality") == 0 || strcmp(k, "definitions") == 0 ||
               strcmp(k, "parameters") == 0 || strcmp(k, "detail") == 0) {
        return false;
    } else if (s->chart && s->table && strcmp(s->chart, "step") != 0) {
        out->table = s->table; /* any other kind: its own table, first figure */
        out->value = first_number(s->table);
    }
    return out->table && out->value;
}

/* true when a section of tpl other than i draws (table, value) of its own. */
static bool charted_elsewhere(const lp_template *tpl, size_t i, const char *table,
                              const char *value)
{
    for (size_t j = 0; j < tpl->nsections; j++) {
        lp_template_chart c;
        if (j != i && primary_chart(&tpl->sections[j], &c) && strcmp(c.table, table) == 0 &&
            strcmp(c.value, value) == 0)
            return true;
    }
    return false;
}

size_t lp_template_section_charts(const lp_template *tpl, size_t i,
                                  lp_template_chart out[LP_TEMPLATE_MAX_CHARTS])
{
    if (!tpl || i >= tpl->nsections) return 0;
    const lp_template_section *s = &tpl->sections[i];
    if (!primary_chart(s, &out[0])) return 0;
    size_t n = 1;
    if (strcmp(s->kind, "campaigns") == 0 && strcmp(out[0].table, "campaigns") == 0 &&
        !charted_elsewhere(tpl, i, "attribution", "mqls"))
        out[n].table = "attribution", out[n++].value = "mqls";
    else if (strcmp(s->kind, "sla") == 0 && strcmp(out[0].table, "sla_by_team") == 0 &&
             !charted_elsewhere(tpl, i, "sla_curve", "touched_share"))
        out[n].table = "sla_curve", out[n++].value = "touched_share";
    return n;
}

/* The first two sections of tpl that would draw the same chart: false when
 * every chart of the pack is its own. */
static bool repeated_chart(const lp_template *tpl, size_t *out_first, size_t *out_second,
                           lp_template_chart *out_chart)
{
    for (size_t i = 0; i < tpl->nsections; i++) {
        lp_template_chart a[LP_TEMPLATE_MAX_CHARTS];
        size_t na = lp_template_section_charts(tpl, i, a);
        for (size_t j = 0; j <= i; j++) {
            lp_template_chart b[LP_TEMPLATE_MAX_CHARTS];
            size_t nb = lp_template_section_charts(tpl, j, b);
            for (size_t x = 0; x < na; x++)
                for (size_t y = 0; y < nb; y++) {
                    if (i == j && y >= x) continue;
                    if (strcmp(a[x].table, b[y].table) || strcmp(a[x].value, b[y].value))
                        continue;
                    *out_first = j;
                    *out_second = i;
                    *out_chart = a[x];
                    return true;
                }
        }
    }
    return false;
}

/* Parses a sections list and replaces tpl's sections with it. */
static lp_status parse_sections(loader *L, const char *path, yaml_document_t *doc,
                                yaml_node_t *list, lp_template *tpl)
{
    if (list->type != YAML_SEQUENCE_NODE)
        return config_error(L, path, list, "sections must be a list", NULL);
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n == 0) return config_error(L, path, list, "sections must not be empty", NULL);
    lp_template_section *sections = lp_calloc(n, sizeof *sections);
    int *lines = lp_calloc(n, sizeof *lines);
    lp_status status = LP_OK;
    if (!sections || !lines) {
        status = nomem(L);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(doc, list->data.sequence.items.start[i]);
        lines[i] = lp_yaml_line(item);
        status = parse_section(L, path, doc, item, &sections[i]);
        if (status != LP_OK) {
            n = i + 1; /* only these hold allocations */
            goto cleanup;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(sections[j].id, sections[i].id) != 0) continue;
            lp_errmsg_set(L->errmsg, "%s line %d: duplicate section id \"%s\" (first at line %d)",
                          path, lines[i], sections[i].id, lines[j]);
            status = LP_ERR_CONFIG;
            n = i + 1;
            goto cleanup;
        }
    }
    /* No pack shows a chart twice: two sections that would draw the same
     * column of the same table are an error, not a repeated page. */
    lp_template view = {.sections = sections, .nsections = n};
    size_t first, second;
    lp_template_chart chart;
    if (repeated_chart(&view, &first, &second, &chart)) {
        lp_errmsg_set(L->errmsg,
                      "%s line %d: section \"%s\" would draw the same chart as section \"%s\" "
                      "(line %d): %s of %s; give it a table of its own",
                      path, lines[second], sections[second].id, sections[first].id,
                      lines[first], chart.value, chart.table);
        status = LP_ERR_CONFIG;
        goto cleanup;
    }
    sections_free(tpl->sections, tpl->nsections);
    tpl->sections = sections;
    tpl->nsections = n;
    sections = NULL;
cleanup:
    if (sections) sections_free(sections, n);
    lp_free(lines);
    return status;
}

static lp_status apply_file(loader *L, const char *path, const yaml_node_t *from_node,
                            const char *from_path, lp_template *tpl);

/* Applies the pack named by `extends:` (node) of the file at path. */
static lp_status apply_extends(loader *L, const char *path, yaml_node_t *node,
                               lp_template *tpl)
{
    const char *base = lp_yaml_scalar(node);
    if (!base || !*base)
        return config_error(L, path, node, "extends must name a pack", NULL);
    char *base_path;
    if (is_path(base)) {
        /* A path in a template stays in that template's folder: it is read
         * relative to the extending file, never absolute, never through
         * "..", so a pack cannot pull in any other file of the machine. */
        if (!lp_path_inside(base))
            return config_error(L, path, node, "extends: a path must stay in the pack's "
                                "folder (no absolute path, no ..)", NULL);
        const char *slash = strrchr(path, '/');
        lp_buf joined = {0};
        if (slash)
            lp_buf_printf(&joined, "%.*s/%s", (int)(slash - path), path, base);
        else
            lp_buf_puts(&joined, base);
        if (joined.failed) {
            lp_buf_reset(&joined);
            return nomem(L);
        }
        base_path = joined.data;
    } else {
        base_path = pack_path(L->templates_dir, base);
    }
    if (!base_path) return nomem(L);
    lp_status status = apply_file(L, base_path, node, path, tpl);
    lp_free(base_path);
    return status;
}

/* Applies one pack file over tpl (its extends chain first). from_node and
 * from_path locate the `extends:` that named it (NULL for the top file). */
/* The pack of L->packs at path (relative to the packs folder, "./" parts
 * and repeated slashes ignored); writes its normalised name to real
 * (PATH_MAX bytes). NULL when there is none. */
static const lp_memfile *find_pack(const loader *L, const char *path, char *real)
{
    size_t n = 0;
    for (const char *p = path; *p && n < PATH_MAX - 1;) {
        if (*p == '/') {
            p++;
        } else if (p[0] == '.' && (p[1] == '/' || !p[1])) {
            p++;
        } else {
            if (n) real[n++] = '/';
            while (*p && *p != '/' && n < PATH_MAX - 1) real[n++] = *p++;
        }
    }
    real[n] = '\0';
    for (size_t i = 0; i < L->npacks; i++)
        if (!strcmp(L->packs[i].name, real)) return &L->packs[i];
    return NULL;
}

static lp_status apply_file(loader *L, const char *path, const yaml_node_t *from_node,
                            const char *from_path, lp_template *tpl)
{
    char real[PATH_MAX];
    char detail[LP_ERRMSG_SIZE];
    const lp_memfile *mem = NULL;
    if (L->packs ? !(mem = find_pack(L, path, real)) : !realpath(path, real)) {
        if (from_node) {
            snprintf(detail, sizeof detail, "extends a pack that does not exist: %s", path);
            return config_error(L, from_path, from_node, detail, NULL);
        }
        lp_errmsg_set(L->errmsg, "no template %s: %s", path, strerror(L->packs ? ENOENT : errno));
        return LP_ERR_NOTFOUND;
    }
    for (size_t i = 0; i < L->depth; i++) {
        if (strcmp(L->chain[i], real) != 0) continue;
        size_t used = (size_t)snprintf(detail, sizeof detail, "extends cycle: ");
        for (size_t j = i; j < L->depth && used < sizeof detail; j++) {
            char *stem = path_stem(L->chain[j]);
            used += (size_t)snprintf(detail + used, sizeof detail - used, "%s -> ",
                                     stem ? stem : "?");
            lp_free(stem);
        }
        char *stem = path_stem(real);
        if (used < sizeof detail)
            snprintf(detail + used, sizeof detail - used, "%s", stem ? stem : "?");
        lp_free(stem);
        return config_error(L, from_path, from_node, detail, NULL);
    }
    if (L->depth == MAX_EXTENDS_DEPTH)
        return config_error(L, from_path, from_node, "extends chain is too deep", NULL);
    L->chain[L->depth] = lp_strdup(real);
    if (!L->chain[L->depth]) return nomem(L);
    L->depth++;

    yaml_document_t doc;
    lp_status status = mem ? lp_yaml_load_memory(mem, path, &doc, L->errmsg)
                           : lp_yaml_load(path, NULL, &doc, L->errmsg);
    if (status != LP_OK) goto pop;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        lp_errmsg_set(L->errmsg, "%s line %d: a template must be a mapping (name:, sections:, ...)",
                      path, root ? lp_yaml_line(root) : 1);
        status = LP_ERR_CONFIG;
        goto cleanup;
    }
    /* The base first, so that this file's keys override it. */
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        const char *key = lp_yaml_scalar(yaml_document_get_node(&doc, pair->key));
        if (key && strcmp(key, "extends") == 0) {
            status = apply_extends(L, path, yaml_document_get_node(&doc, pair->value), tpl);
            if (status != LP_OK) goto cleanup;
        }
    }
    bool named = false;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(&doc, pair->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) {
            status = config_error(L, path, k, "a key must be plain text", NULL);
            goto cleanup;
        }
        if (strcmp(key, "extends") == 0) continue;
        if (strcmp(key, "sections") == 0) {
            status = parse_sections(L, path, &doc, v, tpl);
            if (status != LP_OK) goto cleanup;
            continue;
        }
        if (strcmp(key, "wording") == 0) {
            if (v->type != YAML_MAPPING_NODE) {
                status = config_error(L, path, v, "wording must be a mapping of keys to text",
                                      NULL);
                goto cleanup;
            }
            wording_ctx w = {tpl, L, path, L->wording_known};
            status = lp_yaml_flatten(&doc, v, NULL, path, wording_entry, &w, L->errmsg);
            if (status != LP_OK) goto cleanup;
            continue;
        }
        char **field = NULL;
        if (strcmp(key, "name") == 0) field = &tpl->name, named = true;
        else if (strcmp(key, "title") == 0) field = &tpl->title;
        else if (strcmp(key, "audience") == 0) field = &tpl->audience;
        else if (strcmp(key, "description") == 0) field = &tpl->description;
        else if (strcmp(key, "period") == 0) field = &tpl->period;
        else if (strcmp(key, "subject") == 0) field = &tpl->subject;
        if (!field) {
            snprintf(detail, sizeof detail,
                     "\"%s\" (a template takes name, title, audience, description, period, "
                     "subject, extends, sections, wording)",
                     key);
            status = config_error(L, path, k, "unknown key ", detail);
            goto cleanup;
        }
        const char *text = lp_yaml_scalar(v);
        if (!text) {
            snprintf(detail, sizeof detail, "\"%s\" must be text", key);
            status = config_error(L, path, v, detail, NULL);
            goto cleanup;
        }
        if (field == &tpl->period) {
            /* Kept under its own name, which the command line reads back. */
            lp_period_kind kind;
            if (lp_period_kind_parse(text, &kind) != LP_OK) {
                snprintf(detail, sizeof detail, "unknown period \"%s\" (%s)", text,
                         LP_PERIOD_KIND_NAMES);
                status = config_error(L, path, v, detail, NULL);
                goto cleanup;
            }
            text = lp_period_kind_name(kind);
        }
        if (field == &tpl->subject && !in_list(subjects, text)) {
            snprintf(detail, sizeof detail, "unknown subject \"%s\" (company, sla, partners)",
                     text);
            status = config_error(L, path, v, detail, NULL);
            goto cleanup;
        }
        if (set_str(field, text) != LP_OK) {
            status = nomem(L);
            goto cleanup;
        }
    }
    if (!named) {
        char *stem = path_stem(path);
        if (!stem) {
            status = nomem(L);
            goto cleanup;
        }
        lp_free(tpl->name);
        tpl->name = stem;
    }
cleanup:
    yaml_document_delete(&doc);
pop:
    L->depth--;
    lp_free(L->chain[L->depth]);
    L->chain[L->depth] = NULL;
    return status;
}

/* Reads templates_dir/wording.yaml: every key a pack may override. */
static lp_status load_default_wording(loader *L, lp_template *tpl)
{
    lp_buf path = {0};
    lp_buf_printf(&path, "%s/wording.yaml", L->templates_dir);
    if (path.failed) return nomem(L);
    yaml_document_t doc;
    lp_status status = lp_yaml_load(path.data, NULL, &doc, L->errmsg);
    if (status == LP_ERR_IO) status = LP_ERR_CONFIG;
    if (status != LP_OK) goto done;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        lp_errmsg_set(L->errmsg, "%s line 1: wording must be a mapping of keys to text",
                      path.data);
        status = LP_ERR_CONFIG;
    } else {
        wording_ctx w = {tpl, L, path.data, false};
        status = lp_yaml_flatten(&doc, root, NULL, path.data, wording_entry, &w, L->errmsg);
    }
    yaml_document_delete(&doc);
done:
    lp_buf_reset(&path);
    return status;
}

/* Starts tpl (without wording yet) from the default wording already
 * loaded, whose keys are distinct; the arrays get set_text's capacity (a
 * power of two, at least 64). The keys and texts are borrowed from wording
 * (tpl->text_base), not copied: a pack replaces only a few texts, and
 * copying the ~370 pairs was most of the cost of loading a small pack. */
static lp_status copy_wording(loader *L, lp_template *tpl, const lp_template *wording)
{
    size_t n = wording->ntexts, cap = 64;
    while (cap < n) cap *= 2;
    if (!(tpl->text_keys = lp_malloc(cap * sizeof *tpl->text_keys)) ||
        !(tpl->text_values = lp_malloc(cap * sizeof *tpl->text_values)))
        return nomem(L);
    if (n) {
        memcpy(tpl->text_keys, wording->text_keys, n * sizeof *tpl->text_keys);
        memcpy(tpl->text_values, wording->text_values, n * sizeof *tpl->text_values);
    }
    tpl->text_base = wording;
    tpl->ntexts = n;
    return LP_OK;
}

/* lp_template_load, or lp_template_load_memory when L->packs is set (the
 * default wording then comes from wording). */
static lp_status template_load(loader *L, const lp_template *wording, const char *name_or_path,
                               lp_template **out_template, char *errmsg)
{
    const char *templates_dir = L->templates_dir;
    lp_status status;
    char *path = NULL;
    lp_template *tpl = lp_calloc(1, sizeof *tpl);
    if (!tpl) return nomem(L);
    status = wording ? copy_wording(L, tpl, wording) : load_default_wording(L, tpl);
    if (status != LP_OK) goto cleanup;
    L->wording_known = true;
    path = pack_path(templates_dir, name_or_path);
    if (!path) {
        status = nomem(L);
        goto cleanup;
    }
    status = apply_file(L, path, NULL, NULL, tpl);
    if (status != LP_OK) goto cleanup;
    if (!tpl->sections) {
        lp_errmsg_set(errmsg, "%s line 1: a template needs sections", path);
        status = LP_ERR_CONFIG;
        goto cleanup;
    }
    /* A section without a title takes its kind's default title. */
    for (size_t i = 0; i < tpl->nsections; i++) {
        lp_template_section *s = &tpl->sections[i];
        if (s->title) continue;
        char key[64];
        snprintf(key, sizeof key, "title.%s", s->kind);
        const char *title = lp_template_text(tpl, key);
        if (set_str(&s->title, title ? title : s->id) != LP_OK) {
            status = nomem(L);
            goto cleanup;
        }
    }
    if (!tpl->title && set_str(&tpl->title, tpl->name) != LP_OK) {
        status = nomem(L);
        goto cleanup;
    }
    *out_template = tpl;
    tpl = NULL;
cleanup:
    lp_free(path);
    lp_template_free(tpl);
    return status;
}

lp_status lp_template_load(const char *templates_dir, const char *name_or_path,
                           lp_template **out_template, char *errmsg)
{
    if (!templates_dir || !name_or_path || !out_template) {
        lp_errmsg_set(errmsg, "lp_template_load: missing argument");
        return LP_ERR_USAGE;
    }
    loader L = {.templates_dir = templates_dir, .errmsg = errmsg};
    return template_load(&L, NULL, name_or_path, out_template, errmsg);
}

lp_status lp_template_load_memory(const lp_template *wording, const lp_memfile *packs,
                                  size_t npacks, const char *name_or_path,
                                  lp_template **out_template, char *errmsg)
{
    if (!wording || !name_or_path || !out_template) {
        lp_errmsg_set(errmsg, "lp_template_load_memory: missing argument");
        return LP_ERR_USAGE;
    }
    static const lp_memfile none = {"", "", 0};
    loader L = {.errmsg = errmsg, .packs = npacks ? packs : &none, .npacks = npacks};
    return template_load(&L, wording, name_or_path, out_template, errmsg);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

lp_status lp_template_list(const char *templates_dir,
                           void (*emit)(void *ctx, const char *name, const char *description),
                           void *ctx, char *errmsg)
{
    lp_buf dir_path = {0};
    lp_buf_printf(&dir_path, "%s/packs", templates_dir);
    if (dir_path.failed) {
        lp_errmsg_set(errmsg, "out of memory");
        return LP_ERR_NOMEM;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    lp_status status = LP_OK;
    DIR *dir = opendir(dir_path.data);
    if (!dir) {
        lp_errmsg_set(errmsg, "%s: cannot read: %s", dir_path.data, strerror(errno));
        status = LP_ERR_IO;
        goto cleanup;
    }
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        size_t len = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || len <= 5 ||
            strcmp(entry->d_name + len - 5, ".yaml") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char **grown = lp_realloc(names, cap * sizeof *grown);
            if (!grown) {
                status = LP_ERR_NOMEM;
                break;
            }
            names = grown;
        }
        names[n] = lp_strndup(entry->d_name, len - 5);
        if (!names[n]) {
            status = LP_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(dir);
    if (status != LP_OK) {
        lp_errmsg_set(errmsg, "out of memory");
        goto cleanup;
    }
    if (n) qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        lp_template *tpl = NULL;
        status = lp_template_load(templates_dir, names[i], &tpl, errmsg);
        if (status != LP_OK) goto cleanup;
        if (emit) emit(ctx, names[i], tpl->description ? tpl->description : "");
        lp_template_free(tpl);
    }
cleanup:
    for (size_t i = 0; i < n; i++) lp_free(names[i]);
    lp_free(names);
    lp_buf_reset(&dir_path);
    return status;
}

lp_status lp_template_wording_load(const char *templates_dir, lp_template **out,
                                   char *errmsg)
{
    loader L = {.templates_dir = templates_dir, .errmsg = errmsg};
    lp_template *tpl = lp_calloc(1, sizeof *tpl);
    if (!tpl) return nomem(&L);
    lp_status status = load_default_wording(&L, tpl);
    if (status != LP_OK) {
        lp_template_free(tpl);
        return status;
    }
    *out = tpl;
    return LP_OK;
}
