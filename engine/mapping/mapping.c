/*
 * Dialect mappings (mapping.h): a profile YAML file overlaid by an optional
 * user mapping file of the same form, checked against the canonical model,
 * and profile detection from the header lines of the input files.
 *
 * Overlay rules: a user file replaces what it names and keeps the rest.
 * files.TABLE replaces that table's file list; columns.TABLE.COLUMN replaces
 * that column's sources (null removes the mapping); values.COLUMN adds or
 * replaces single entries; defaults.TABLE.COLUMN replaces one constant;
 * detect, skip_footer and date_order replace the profile's.
 *
 * Every check runs after each file is applied, so an error points at the
 * line of the file that caused it.
 *
 * One source header may feed several canonical columns of a table (a
 * funnel export's first-contact date is both created_at and mql_at; users
 * keyed by name give owner_id and name from one column): nothing here
 * refuses it, and the loader reads the field once per row for all of them.
 */
#include "lp/mapping.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lp/yaml.h"
#include "header.h"
#include "lp/fileio.h"
#include "fingerprint.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const top_keys[] = {
    "profile", "description", "detect", "files", "tables", "columns", "values", "defaults",
    "skip_footer", "date_order", "headers",
};

/* The state of applying one file. */
typedef struct loader {
    lp_mapping *mapping;   /* being built */
    lp_yaml *yaml;         /* the file being applied */
    char *errmsg;          /* LP_ERRMSG_SIZE */
} loader;

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) lp_free(v[i]);
    lp_free(v);
}

static lp_status strv_push(char ***v, size_t *n, const char *s)
{
    char **grown = lp_realloc(*v, (*n + 1) * sizeof **v);
    if (!grown) return LP_ERR_NOMEM;
    *v = grown;
    if (!(grown[*n] = lp_strdup(s))) return LP_ERR_NOMEM;
    (*n)++;
    return LP_OK;
}

void lp_mapping_free(lp_mapping *mapping)
{
    if (!mapping) return;
    lp_free(mapping->profile);
    strv_free(mapping->detect, mapping->ndetect);
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        lp_table_map *tm = &mapping->tables[t];
        strv_free(tm->files, tm->nfiles);
        for (size_t c = 0; c < tm->ncolumns; c++) {
            lp_free(tm->columns[c].canonical);
            strv_free(tm->columns[c].sources, tm->columns[c].nsources);
            lp_free(tm->columns[c].default_value);
        }
        lp_free(tm->columns);
    }
    for (size_t i = 0; i < mapping->nvalues; i++) {
        lp_free(mapping->values[i].column);
        strv_free(mapping->values[i].from, mapping->values[i].n);
        strv_free(mapping->values[i].to, mapping->values[i].n);
    }
    lp_free(mapping->values);
    strv_free(mapping->skip_footer, mapping->nskip_footer);
    lp_header_prints_free(mapping->header_prints, mapping->nheader_prints);
    lp_free(mapping);
}

/* Reads a scalar or a sequence of scalars into a fresh string array. */
static lp_status read_strings(loader *ld, yaml_node_t *node, const char *what, char ***out,
                              size_t *out_n)
{
    char **v = NULL;
    size_t n = 0;
    lp_status st = LP_OK;
    if (node->type == YAML_SCALAR_NODE && !lp_yaml_is_null(node)) {
        st = strv_push(&v, &n, lp_yaml_scalar(node));
    } else if (node->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             !st && it < node->data.sequence.items.top; it++) {
            yaml_node_t *item = lp_yaml_node(ld->yaml, *it);
            const char *s = lp_yaml_scalar(item);
            if (!s || lp_yaml_is_null(item))
                st = lp_yaml_error(ld->yaml, item, ld->errmsg, "%s: each item must be text",
                                   what);
            else
                st = strv_push(&v, &n, s);
        }
    } else if (!lp_yaml_is_null(node)) {
        st = lp_yaml_error(ld->yaml, node, ld->errmsg,
                           "%s: expected text or a list such as [A, B]", what);
    }
    if (st) {
        strv_free(v, n);
        return st;
    }
    *out = v;
    *out_n = n;
    return LP_OK;
}

static lp_status want_mapping(loader *ld, yaml_node_t *node, const char *what)
{
    if (node->type == YAML_MAPPING_NODE) return LP_OK;
    return lp_yaml_error(ld->yaml, node, ld->errmsg, "%s: expected %s", what,
                         "a mapping of names to values (key: value lines)");
}

static const char *const table_names[LP_TABLE_COUNT] = {
    "leads", "campaigns", "touches", "activities", "opportunities", "users", "targets",
};

static lp_status table_of(loader *ld, yaml_node_t *key_node, const char *section, int *out)
{
    const char *key = lp_yaml_scalar(key_node);
    int id = key ? lp_canon_table_id(key) : -1;
    if (id >= 0) return *out = id, LP_OK;
    char hint[96];
    return lp_yaml_error(ld->yaml, key_node, ld->errmsg, "%s: unknown table \"%s\"%s", section,
                         key ? key : "", key ? lp_yaml_suggest(key, table_names,
                                                               LP_TABLE_COUNT, hint,
                                                               sizeof hint) : "");
}

static lp_status column_of(loader *ld, yaml_node_t *key_node, int table, const char **out)
{
    const char *key = lp_yaml_scalar(key_node);
    if (key && lp_canon_column_find((lp_table_id)table, key)) return *out = key, LP_OK;
    size_t n;
    const lp_canon_column *cols = lp_canon_columns((lp_table_id)table, &n);
    const char *names[32];
    for (size_t i = 0; i < n && i < 32; i++) names[i] = cols[i].name;
    char hint[96];
    return lp_yaml_error(ld->yaml, key_node, ld->errmsg,
                         "unknown column \"%s\" in table %s%s", key ? key : "",
                         table_names[table],
                         key ? lp_yaml_suggest(key, names, n < 32 ? n : 32, hint, sizeof hint)
                             : "");
}

/* The column map of a canonical column, created empty when absent; its
 * index goes to *out_index. */
static lp_status column_map(loader *ld, int table, const char *canonical, size_t *out_index)
{
    lp_table_map *tm = &ld->mapping->tables[table];
    for (size_t i = 0; i < tm->ncolumns; i++)
        if (!strcmp(tm->columns[i].canonical, canonical)) return *out_index = i, LP_OK;
    lp_column_map *grown = lp_realloc(tm->columns, (tm->ncolumns + 1) * sizeof *grown);
    if (!grown) return LP_ERR_NOMEM;
    tm->columns = grown;
    lp_column_map *cm = &grown[tm->ncolumns];
    memset(cm, 0, sizeof *cm);
    if (!(cm->canonical = lp_strdup(canonical))) return LP_ERR_NOMEM;
    *out_index = tm->ncolumns++;
    return LP_OK;
}

static lp_status apply_files(loader *ld, yaml_node_t *node)
{
    lp_status st = want_mapping(ld, node, "files");
    if (st) return st;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(ld->yaml, p->key), *v = lp_yaml_node(ld->yaml, p->value);
        int table = 0;
        if ((st = table_of(ld, k, "files", &table))) return st;
        char what[64];
        snprintf(what, sizeof what, "files.%s", table_names[table]);
        char **files = NULL;
        size_t n = 0;
        if ((st = read_strings(ld, v, what, &files, &n))) return st;
        for (size_t i = 0; i < n; i++) {
            if (!lp_path_inside(files[i])) {
                st = lp_yaml_error(ld->yaml, v, ld->errmsg,
                                   "%s: \"%s\" must be a file name inside the input folder "
                                   "(no absolute path, no ..)", what, files[i]);
                strv_free(files, n);
                return st;
            }
        }
        lp_table_map *tm = &ld->mapping->tables[table];
        strv_free(tm->files, tm->nfiles);
        tm->files = files;
        tm->nfiles = n;
    }
    return LP_OK;
}

/* tables: the database source's form of files: (engine/warehouse). The
 * names are tables or views ("lead" or "crm.lead") and are kept in the
 * table maps' files lists; a mapping that names tables is a database mapping,
 * so the profile's file lists are dropped as a whole (a canonical table the
 * mapping does not name has no source). */
static lp_status apply_tables(loader *ld, yaml_node_t *node)
{
    lp_status st = want_mapping(ld, node, "tables");
    if (st) return st;
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        lp_table_map *tm = &ld->mapping->tables[t];
        strv_free(tm->files, tm->nfiles);
        tm->files = NULL;
        tm->nfiles = 0;
    }
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(ld->yaml, p->key), *v = lp_yaml_node(ld->yaml, p->value);
        int table = 0;
        if ((st = table_of(ld, k, "tables", &table))) return st;
        char what[64];
        snprintf(what, sizeof what, "tables.%s", table_names[table]);
        char **names = NULL;
        size_t n = 0;
        if ((st = read_strings(ld, v, what, &names, &n))) return st;
        for (size_t i = 0; i < n; i++) {
            /* the loader globs the names in an input folder when the
             * mapping is used on one: none may lead out of it */
            if (!names[i][0] || strlen(names[i]) > 127 || !lp_path_inside(names[i])) {
                st = lp_yaml_error(ld->yaml, v, ld->errmsg,
                                   "%s: \"%s\" is not a table name", what, names[i]);
                strv_free(names, n);
                return st;
            }
        }
        lp_table_map *tm = &ld->mapping->tables[table];
        strv_free(tm->files, tm->nfiles);
        tm->files = names;
        tm->nfiles = n;
    }
    return LP_OK;
}

static lp_status apply_columns(loader *ld, yaml_node_t *node, bool defaults)
{
    const char *section = defaults ? "defaults" : "columns";
    lp_status st = want_mapping(ld, node, section);
    if (st) return st;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(ld->yaml, p->key), *v = lp_yaml_node(ld->yaml, p->value);
        int table = 0;
        if ((st = table_of(ld, k, section, &table))) return st;
        char what[96];
        snprintf(what, sizeof what, "%s.%s", section, table_names[table]);
        if ((st = want_mapping(ld, v, what))) return st;
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            yaml_node_t *ck = lp_yaml_node(ld->yaml, q->key);
            yaml_node_t *cv = lp_yaml_node(ld->yaml, q->value);
            const char *canonical = NULL;
            if ((st = column_of(ld, ck, table, &canonical))) return st;
            snprintf(what, sizeof what, "%s.%s.%s", section, table_names[table], canonical);
            size_t idx;
            if ((st = column_map(ld, table, canonical, &idx))) return st;
            lp_column_map *cm = &ld->mapping->tables[table].columns[idx];
            if (defaults) {
                const char *s = lp_yaml_scalar(cv);
                if (!s)
                    return lp_yaml_error(ld->yaml, cv, ld->errmsg, "%s: expected one value",
                                         what);
                char *copy = lp_yaml_is_null(cv) ? NULL : lp_strdup(s);
                if (!copy && !lp_yaml_is_null(cv)) return LP_ERR_NOMEM;
                lp_free(cm->default_value);
                cm->default_value = copy;
            } else {
                char **sources;
                size_t n;
                if ((st = read_strings(ld, cv, what, &sources, &n))) return st;
                strv_free(cm->sources, cm->nsources);
                cm->sources = sources;
                cm->nsources = n;
            }
        }
    }
    return LP_OK;
}

/* A canonical column name of any table. */
static bool canonical_anywhere(const char *name)
{
    for (int t = 0; t < LP_TABLE_COUNT; t++)
        if (lp_canon_column_find((lp_table_id)t, name)) return true;
    return false;
}

static bool same_value(const char *a, const char *b)
{
    while (isspace((unsigned char)*a)) a++;
    while (isspace((unsigned char)*b)) b++;
    size_t la = strlen(a), lb = strlen(b);
    while (la && isspace((unsigned char)a[la - 1])) la--;
    while (lb && isspace((unsigned char)b[lb - 1])) lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

static lp_status apply_values(loader *ld, yaml_node_t *node)
{
    lp_status st = want_mapping(ld, node, "values");
    if (st) return st;
    lp_mapping *m = ld->mapping;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(ld->yaml, p->key), *v = lp_yaml_node(ld->yaml, p->value);
        const char *column = lp_yaml_scalar(k);
        if (!column || !canonical_anywhere(column)) {
            const char *names[] = {"source", "stage", "type", "status", "is_won", "is_closed",
                                   "is_partner", "responded", "team", "industry", "country"};
            char hint[96];
            return lp_yaml_error(ld->yaml, k, ld->errmsg, "values: unknown column \"%s\"%s",
                                 column ? column : "",
                                 column ? lp_yaml_suggest(column, names, COUNT(names), hint,
                                                          sizeof hint) : "");
        }
        char what[96];
        snprintf(what, sizeof what, "values.%s", column);
        if ((st = want_mapping(ld, v, what))) return st;
        size_t vi = m->nvalues;
        for (size_t i = 0; i < m->nvalues; i++)
            if (!strcmp(m->values[i].column, column)) vi = i;
        if (vi == m->nvalues) {
            lp_value_map *grown = lp_realloc(m->values, (m->nvalues + 1) * sizeof *grown);
            if (!grown) return LP_ERR_NOMEM;
            m->values = grown;
            memset(&grown[vi], 0, sizeof grown[vi]);
            if (!(grown[vi].column = lp_strdup(column))) return LP_ERR_NOMEM;
            m->nvalues++;
        }
        lp_value_map *vm = &m->values[vi];
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
             q++) {
            yaml_node_t *fk = lp_yaml_node(ld->yaml, q->key);
            yaml_node_t *tv = lp_yaml_node(ld->yaml, q->value);
            const char *from = lp_yaml_scalar(fk), *to = lp_yaml_scalar(tv);
            if (!from || !to)
                return lp_yaml_error(ld->yaml, from ? tv : fk, ld->errmsg,
                                     "%s: each entry maps one export value to one value", what);
            size_t at = vm->n;
            for (size_t i = 0; i < vm->n; i++)
                if (same_value(vm->from[i], from)) at = i;
            if (at < vm->n) {
                char *copy = lp_strdup(to);
                if (!copy) return LP_ERR_NOMEM;
                lp_free(vm->to[at]);
                vm->to[at] = copy;
            } else {
                size_t nf = vm->n, nt = vm->n;
                if ((st = strv_push(&vm->from, &nf, from))) return st;
                if ((st = strv_push(&vm->to, &nt, to))) {
                    lp_free(vm->from[nf - 1]);
                    return st;
                }
                vm->n++;
            }
        }
    }
    return LP_OK;
}

/* Applies one parsed file. profile_key receives the node of its
 * `profile:` key (NULL when absent). */
static lp_status apply_file(loader *ld, yaml_node_t **profile_key)
{
    lp_status st = LP_OK;
    lp_mapping *m = ld->mapping;
    *profile_key = NULL;
    yaml_node_t *root = lp_yaml_root(ld->yaml);
    if (!root) return LP_OK;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = lp_yaml_node(ld->yaml, p->key), *v = lp_yaml_node(ld->yaml, p->value);
        const char *key = lp_yaml_scalar(k);
        if (!key) return lp_yaml_error(ld->yaml, k, ld->errmsg, "keys must be text");
        if (!strcmp(key, "profile")) {
            if (!lp_yaml_scalar(v) || lp_yaml_is_null(v))
                return lp_yaml_error(ld->yaml, v, ld->errmsg, "profile: expected a name");
            *profile_key = v;
        } else if (!strcmp(key, "description")) {
            if (!lp_yaml_scalar(v))
                return lp_yaml_error(ld->yaml, v, ld->errmsg, "description: expected text");
        } else if (!strcmp(key, "detect")) {
            char **detect;
            size_t n;
            if ((st = read_strings(ld, v, "detect", &detect, &n))) return st;
            strv_free(m->detect, m->ndetect);
            m->detect = detect;
            m->ndetect = n;
        } else if (!strcmp(key, "skip_footer")) {
            char **lines;
            size_t n;
            if ((st = read_strings(ld, v, "skip_footer", &lines, &n))) return st;
            strv_free(m->skip_footer, m->nskip_footer);
            m->skip_footer = lines;
            m->nskip_footer = n;
        } else if (!strcmp(key, "date_order")) {
            const char *s = lp_yaml_scalar(v);
            if (!s || (strcmp(s, "mdy") && strcmp(s, "dmy") && strcmp(s, "ymd")))
                return lp_yaml_error(ld->yaml, v, ld->errmsg,
                                     "date_order: \"%s\" is not one of mdy, dmy, ymd",
                                     s ? s : "");
            snprintf(m->date_order, sizeof m->date_order, "%s", s);
        } else if (!strcmp(key, "files")) {
            st = apply_files(ld, v);
        } else if (!strcmp(key, "tables")) {
            st = apply_tables(ld, v);
        } else if (!strcmp(key, "columns")) {
            st = apply_columns(ld, v, false);
        } else if (!strcmp(key, "defaults")) {
            st = apply_columns(ld, v, true);
        } else if (!strcmp(key, "values")) {
            st = apply_values(ld, v);
        } else if (!strcmp(key, "headers")) {
            st = lp_header_prints_read(ld->yaml, v, &m->header_prints, &m->nheader_prints,
                                       ld->errmsg);
        } else {
            char hint[96];
            return lp_yaml_error(ld->yaml, k, ld->errmsg, "unknown key \"%s\"%s", key,
                                 lp_yaml_suggest(key, top_keys, COUNT(top_keys), hint,
                                                 sizeof hint));
        }
        if (st) return st;
    }
    return LP_OK;
}

static bool profile_name_ok(const char *name)
{
    if (!*name || strlen(name) > 64) return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return false;
    return true;
}

/* Removes column maps left with neither a source nor a default (a user
 * file that set a column to null). */
static void drop_empty_columns(lp_mapping *m)
{
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        lp_table_map *tm = &m->tables[t];
        size_t kept = 0;
        for (size_t c = 0; c < tm->ncolumns; c++) {
            lp_column_map *cm = &tm->columns[c];
            if (!cm->nsources && !cm->default_value) {
                lp_free(cm->canonical);
                strv_free(cm->sources, cm->nsources);
                continue;
            }
            tm->columns[kept++] = *cm;
        }
        tm->ncolumns = kept;
    }
}

/* A profile applied once (lp_mapping_prepare): the state of a mapping after
 * its profile file and before any user file, and the bytes it was read
 * from. */
struct lp_mapping_prepared {
    char *file;            /* NAME.yaml */
    void *data;            /* a copy of the profile file's bytes */
    size_t size;
    lp_mapping *applied;   /* profile applied, empty columns not yet dropped */
};

static lp_status strv_copy(char *const *src, size_t n, char ***out)
{
    *out = NULL;
    if (!n) return LP_OK;
    char **v = lp_calloc(n, sizeof *v);
    if (!v) return LP_ERR_NOMEM;
    *out = v;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = lp_strdup(src[i]))) return LP_ERR_NOMEM;
    return LP_OK;
}

/* Sets every field of dst (zeroed, owned by the caller, who frees it on
 * failure) to a deep copy of src's; counts are copied as each array is
 * made, so that lp_mapping_free releases a partial copy. */
static lp_status mapping_copy(lp_mapping *dst, const lp_mapping *src)
{
    if (src->profile && !(dst->profile = lp_strdup(src->profile))) return LP_ERR_NOMEM;
    memcpy(dst->date_order, src->date_order, sizeof dst->date_order);
    if (strv_copy(src->detect, src->ndetect, &dst->detect)) return LP_ERR_NOMEM;
    dst->ndetect = src->ndetect;
    if (strv_copy(src->skip_footer, src->nskip_footer, &dst->skip_footer)) return LP_ERR_NOMEM;
    dst->nskip_footer = src->nskip_footer;
    for (int t = 0; t < LP_TABLE_COUNT; t++) {
        const lp_table_map *s = &src->tables[t];
        lp_table_map *d = &dst->tables[t];
        if (strv_copy(s->files, s->nfiles, &d->files)) return LP_ERR_NOMEM;
        d->nfiles = s->nfiles;
        if (!s->ncolumns) continue;
        if (!(d->columns = lp_calloc(s->ncolumns, sizeof *d->columns))) return LP_ERR_NOMEM;
        for (size_t c = 0; c < s->ncolumns; c++) {
            const lp_column_map *sc = &s->columns[c];
            lp_column_map *dc = &d->columns[d->ncolumns++];
            if (!(dc->canonical = lp_strdup(sc->canonical))) return LP_ERR_NOMEM;
            if (strv_copy(sc->sources, sc->nsources, &dc->sources)) return LP_ERR_NOMEM;
            dc->nsources = sc->nsources;
            if (sc->default_value && !(dc->default_value = lp_strdup(sc->default_value)))
                return LP_ERR_NOMEM;
        }
    }
    if (src->nvalues) {
        if (!(dst->values = lp_calloc(src->nvalues, sizeof *dst->values))) return LP_ERR_NOMEM;
        for (size_t i = 0; i < src->nvalues; i++) {
            const lp_value_map *s = &src->values[i];
            lp_value_map *d = &dst->values[dst->nvalues++];
            if (!(d->column = lp_strdup(s->column))) return LP_ERR_NOMEM;
            /* from and to always have n entries (lp_mapping_free frees n of each) */
            if (s->n && (!(d->from = lp_calloc(s->n, sizeof *d->from)) ||
                         !(d->to = lp_calloc(s->n, sizeof *d->to))))
                return d->n = 0, LP_ERR_NOMEM;
            d->n = s->n;
            for (size_t k = 0; k < s->n; k++)
                if (!(d->from[k] = lp_strdup(s->from[k])) || !(d->to[k] = lp_strdup(s->to[k])))
                    return LP_ERR_NOMEM;
        }
    }
    if (src->nheader_prints) {
        dst->header_prints = lp_calloc(src->nheader_prints, sizeof *dst->header_prints);
        if (!dst->header_prints) return LP_ERR_NOMEM;
        for (size_t i = 0; i < src->nheader_prints; i++) {
            const lp_header_print *s = &src->header_prints[i];
            lp_header_print *d = &dst->header_prints[dst->nheader_prints++];
            if ((s->file && !(d->file = lp_strdup(s->file))) ||
                (s->sha256 && !(d->sha256 = lp_strdup(s->sha256))))
                return LP_ERR_NOMEM;
            if (strv_copy(s->columns, s->ncolumns, &d->columns)) return LP_ERR_NOMEM;
            d->ncolumns = s->ncolumns;
        }
    }
    return LP_OK;
}

/* Applies the profile file opened in prof, read as NAME: the mapping then
 * carries the profile's name. */
static lp_status apply_profile(loader *ld, lp_yaml *prof, const char *name)
{
    ld->yaml = prof;
    yaml_node_t *ignored;
    lp_status st = apply_file(ld, &ignored);
    if (!st && !(ld->mapping->profile = lp_strdup(name))) st = LP_ERR_NOMEM;
    return st;
}

/* A new mapping before any file: every field empty, dates month first. */
static lp_mapping *mapping_new(void)
{
    lp_mapping *m = lp_calloc(1, sizeof *m);
    if (m) snprintf(m->date_order, sizeof m->date_order, "mdy");
    return m;
}

/* lp_mapping_load, or lp_mapping_load_memory when profiles is not NULL
 * (profiles_dir and user_path are then not used). With prepared, a profile
 * file of profiles that has prepared's name and bytes is not read again:
 * the mapping starts as a copy of prepared's, which is what reading it
 * gives (lp_mapping_prepare). */
static lp_status mapping_load(const char *profiles_dir, const lp_memfile *profiles,
                              size_t nprofiles, const lp_mapping_prepared *prepared,
                              const char *profile_name, const char *user_path,
                              const lp_memfile *user_mem, lp_mapping **out_mapping,
                              char *errmsg)
{
    lp_status st = LP_OK;
    lp_yaml user = {0}, prof = {0};
    loader ld = {.errmsg = errmsg};
    yaml_node_t *user_profile = NULL;
    char *path = NULL;
    const char *name = profile_name;
    bool has_user = profiles ? user_mem != NULL : user_path != NULL;
    if (!profile_name && !has_user) {
        lp_errmsg_set(errmsg, "no profile and no mapping file given");
        return LP_ERR_USAGE;
    }
    ld.mapping = mapping_new();
    if (!ld.mapping) return LP_ERR_NOMEM;
    if (has_user) {
        if ((st = profiles ? lp_yaml_open_memory(&user, user_mem, errmsg)
                           : lp_yaml_open(&user, user_path, errmsg)))
            goto cleanup;
        yaml_node_t *root = lp_yaml_root(&user);
        for (yaml_node_pair_t *p = root ? root->data.mapping.pairs.start : NULL;
             root && p < root->data.mapping.pairs.top; p++) {
            const char *key = lp_yaml_scalar(lp_yaml_node(&user, p->key));
            if (key && !strcmp(key, "profile")) user_profile = lp_yaml_node(&user, p->value);
        }
        const char *user_name = lp_yaml_scalar(user_profile);
        if (user_profile && (!user_name || lp_yaml_is_null(user_profile))) {
            st = lp_yaml_error(&user, user_profile, errmsg, "profile: expected a name");
            goto cleanup;
        }
        if (user_name && name && strcmp(user_name, name)) {
            st = lp_yaml_error(&user, user_profile, errmsg,
                               "profile \"%s\" differs from the profile chosen (\"%s\")",
                               user_name, name);
            goto cleanup;
        }
        if (user_name) name = user_name;
    }
    if (name) {
        if (!profile_name_ok(name)) {
            if (user_profile)
                st = lp_yaml_error(&user, user_profile, errmsg,
                                   "profile \"%s\" is not a profile name", name);
            else
                lp_errmsg_set(errmsg, "\"%s\" is not a profile name", name), st = LP_ERR_CONFIG;
            goto cleanup;
        }
        lp_buf b = {0};
        if (profiles) lp_buf_printf(&b, "%s.yaml", name);
        else lp_buf_printf(&b, "%s/%s.yaml", profiles_dir, name);
        if (b.failed) {
            lp_buf_reset(&b);
            st = LP_ERR_NOMEM;
            goto cleanup;
        }
        path = b.data;
        if (profiles) {
            const lp_memfile *found = NULL;
            for (size_t i = 0; i < nprofiles && !found; i++)
                if (!strcmp(profiles[i].name, path)) found = &profiles[i];
            if (found && prepared && !strcmp(prepared->file, path) &&
                found->size == prepared->size &&
                (!found->size || !memcmp(found->data, prepared->data, found->size))) {
                /* the same file, read before: its mapping is copied */
                if ((st = mapping_copy(ld.mapping, prepared->applied))) goto cleanup;
                goto profile_done;
            }
            st = found ? lp_yaml_open_memory(&prof, found, errmsg) : LP_ERR_IO;
        } else {
            st = lp_yaml_open(&prof, path, errmsg);
        }
        if (st == LP_ERR_IO) {
            if (user_profile)
                lp_yaml_error(&user, user_profile, errmsg, "unknown profile \"%s\" (no %s)",
                              name, path);
            else
                lp_errmsg_set(errmsg, "unknown profile \"%s\" (no %s)", name, path);
            st = LP_ERR_CONFIG;
        }
        if (st) goto cleanup;
        if ((st = apply_profile(&ld, &prof, name))) goto cleanup;
    }
profile_done:
    if (has_user) {
        ld.yaml = &user;
        yaml_node_t *ignored;
        if ((st = apply_file(&ld, &ignored))) goto cleanup;
        if (!ld.mapping->profile && !(ld.mapping->profile = lp_strdup("custom"))) {
            st = LP_ERR_NOMEM;
            goto cleanup;
        }
    }
    drop_empty_columns(ld.mapping);
    *out_mapping = ld.mapping;
    ld.mapping = NULL;
cleanup:
    lp_mapping_free(ld.mapping);
    lp_yaml_close(&user);
    lp_yaml_close(&prof);
    lp_free(path);
    return st;
}

lp_status lp_mapping_load(const char *profiles_dir, const char *profile_name,
                          const char *user_path, lp_mapping **out_mapping, char *errmsg)
{
    return mapping_load(profiles_dir, NULL, 0, NULL, profile_name, user_path, NULL,
                        out_mapping, errmsg);
}

lp_status lp_mapping_load_memory(const lp_memfile *profiles, size_t nprofiles,
                                 const char *profile_name, const lp_memfile *user,
                                 lp_mapping **out_mapping, char *errmsg)
{
    static const lp_memfile none = {"", "", 0};
    return mapping_load(NULL, nprofiles ? profiles : &none, nprofiles, NULL, profile_name, NULL,
                        user, out_mapping, errmsg);
}

lp_status lp_mapping_prepare(const lp_memfile *profile, const char *name,
                             lp_mapping_prepared **out, char *errmsg)
{
    lp_status st = LP_OK;
    lp_yaml prof = {0};
    loader ld = {.errmsg = errmsg};
    lp_mapping_prepared *p = lp_calloc(1, sizeof *p);
    if (!p) return LP_ERR_NOMEM;
    lp_buf file = {0};
    lp_buf_printf(&file, "%s.yaml", name);
    p->file = file.data;
    if (file.failed || !(p->data = lp_malloc(profile->size)) ||
        !(p->applied = ld.mapping = mapping_new())) {
        st = LP_ERR_NOMEM;
        goto done;
    }
    if (profile->size) memcpy(p->data, profile->data, profile->size);
    p->size = profile->size;
    if (!profile_name_ok(name) || strcmp(profile->name, p->file)) {
        lp_errmsg_set(errmsg, "%s: not the file of a profile named \"%s\"", profile->name, name);
        st = LP_ERR_USAGE;
        goto done;
    }
    if ((st = lp_yaml_open_memory(&prof, profile, errmsg))) goto done;
    st = apply_profile(&ld, &prof, name);
done:
    lp_yaml_close(&prof);
    if (st) {
        lp_mapping_prepared_free(p);
        return st;
    }
    *out = p;
    return LP_OK;
}

void lp_mapping_prepared_free(lp_mapping_prepared *prepared)
{
    if (!prepared) return;
    lp_free(prepared->file);
    lp_free(prepared->data);
    lp_mapping_free(prepared->applied);
    lp_free(prepared);
}

lp_status lp_mapping_load_prepared(const lp_mapping_prepared *prepared,
                                   const lp_memfile *profiles, size_t nprofiles,
                                   const char *profile_name, const lp_memfile *user,
                                   lp_mapping **out_mapping, char *errmsg)
{
    static const lp_memfile none = {"", "", 0};
    return mapping_load(NULL, nprofiles ? profiles : &none, nprofiles, prepared, profile_name,
                        NULL, user, out_mapping, errmsg);
}

/* ---- detection ---- */

static int yaml_filter(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return e->d_name[0] != '.' && len > 5 && !strcmp(e->d_name + len - 5, ".yaml");
}

static int csv_filter(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 5) return 0;
    const char *ext = e->d_name + len - 4;
    return !strcasecmp(ext, ".csv") || !strcasecmp(ext, ".tsv") || !strcasecmp(ext, ".txt");
}

typedef struct input_file {
    const char *name;     /* borrowed from the dirent */
    char **headers;
    size_t nheaders;
} input_file;

static bool has_header(const input_file *f, const char *name)
{
    for (size_t i = 0; i < f->nheaders; i++)
        if (!strcasecmp(f->headers[i], name)) return true;
    return false;
}

/* How many input files a profile's file patterns name. */
static size_t files_named(const lp_mapping *m, const input_file *files, size_t nfiles)
{
    size_t count = 0;
    for (size_t f = 0; f < nfiles; f++) {
        bool named = false;
        for (int t = 0; t < LP_TABLE_COUNT && !named; t++)
            for (size_t i = 0; i < m->tables[t].nfiles && !named; i++)
                named = fnmatch(m->tables[t].files[i], files[f].name, FNM_CASEFOLD) == 0;
        count += named;
    }
    return count;
}

lp_status lp_mapping_detect(const char *profiles_dir, const char *input_dir, char **out_profile,
                            char *reason, size_t reason_size)
{
    lp_status st = LP_OK;
    struct dirent **profiles = NULL, **inputs = NULL;
    int nprofiles = scandir(profiles_dir, &profiles, yaml_filter, alphasort);
    int ninputs = -1;
    input_file *files = NULL;
    char best_name[80] = "";
    double best_score = 0;
    size_t best_matched = 0, best_named = 0;
    lp_buf why = {0};
    if (reason && reason_size) reason[0] = '\0';
    if (nprofiles < 0) {
        if (reason) snprintf(reason, reason_size, "%s: cannot read the profiles folder",
                             profiles_dir);
        return LP_ERR_IO;
    }
    ninputs = scandir(input_dir, &inputs, csv_filter, alphasort);
    if (ninputs < 0) {
        if (reason) snprintf(reason, reason_size, "%s: cannot read the input folder", input_dir);
        st = LP_ERR_IO;
        goto cleanup;
    }
    files = lp_calloc((size_t)ninputs + 1, sizeof *files);
    if (!files) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    for (int i = 0; i < ninputs; i++) {
        files[i].name = inputs[i]->d_name;
        lp_buf p = {0};
        lp_buf_printf(&p, "%s/%s", input_dir, inputs[i]->d_name);
        if (p.failed) {
            lp_buf_reset(&p);
            st = LP_ERR_NOMEM;
            goto cleanup;
        }
        lp_status hs = lp_detect_header_read(p.data, &files[i].headers, &files[i].nheaders);
        lp_buf_reset(&p);
        if (hs == LP_ERR_NOMEM) {
            st = hs;
            goto cleanup;
        }
    }
    for (int p = 0; p < nprofiles; p++) {
        char name[80];
        size_t len = strlen(profiles[p]->d_name) - 5;
        if (len >= sizeof name) continue;
        memcpy(name, profiles[p]->d_name, len);
        name[len] = '\0';
        lp_mapping *m = NULL;
        char err[LP_ERRMSG_SIZE];
        lp_status ls = lp_mapping_load(profiles_dir, name, NULL, &m, err);
        if (ls == LP_ERR_NOMEM) {
            st = ls;
            goto cleanup;
        }
        if (ls || !m->ndetect) {
            lp_mapping_free(m);
            continue;
        }
        for (int f = 0; f < ninputs; f++) {
            size_t matched = 0;
            for (size_t d = 0; d < m->ndetect; d++) matched += has_header(&files[f], m->detect[d]);
            double score = (double)matched / (double)m->ndetect;
            size_t named = files_named(m, files, (size_t)ninputs);
            bool better = score > best_score + 1e-9 ||
                          (score > best_score - 1e-9 &&
                           (matched > best_matched ||
                            (matched == best_matched && named > best_named)));
            if (matched >= 2 && score >= 0.6 && better) {
                best_score = score;
                best_matched = matched;
                best_named = named;
                snprintf(best_name, sizeof best_name, "%s", name);
                lp_buf_reset(&why);
                lp_buf_printf(&why, "%s: %s has", name, files[f].name);
                size_t shown = 0;
                for (size_t d = 0; d < m->ndetect; d++)
                    if (has_header(&files[f], m->detect[d]))
                        lp_buf_printf(&why, "%s %s", shown++ ? "," : "", m->detect[d]);
            }
        }
        lp_mapping_free(m);
    }
    if (!best_name[0]) {
        if (reason)
            snprintf(reason, reason_size,
                     "no profile matches the headers of the %d CSV file(s) in %s", ninputs,
                     input_dir);
        st = LP_ERR_INPUT;
        goto cleanup;
    }
    if (why.failed || !(*out_profile = lp_strdup(best_name))) {
        st = LP_ERR_NOMEM;
        goto cleanup;
    }
    if (reason) snprintf(reason, reason_size, "%s", why.data);
cleanup:
    lp_buf_reset(&why);
    for (int i = 0; files && i < ninputs; i++) lp_detect_header_free(files[i].headers, files[i].nheaders);
    lp_free(files);
    for (int i = 0; i < nprofiles; i++) free(profiles[i]);
    free(profiles);
    for (int i = 0; i < ninputs; i++) free(inputs[i]);
    free(inputs);
    return st;
}
