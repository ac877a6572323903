/* The one reading of YAML files (lp/yaml.h). */
#include "lp/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Parses what parser is set up to read into *doc. A syntax error names the
 * problem's line; when libyaml puts the problem on the first line but knows
 * a later context (an unclosed bracket), the context's line is the one to
 * look at. */
static lp_status parse(yaml_parser_t *parser, const char *shown, yaml_document_t *doc,
                       char *errmsg)
{
    if (yaml_parser_load(parser, doc)) return LP_OK;
    if (parser->error == YAML_MEMORY_ERROR) {
        lp_errmsg_set(errmsg, "%s: out of memory", shown);
        return LP_ERR_NOMEM;
    }
    size_t line = parser->problem_mark.line + 1;
    if (parser->context_mark.line && parser->problem_mark.line == 0)
        line = parser->context_mark.line + 1;
    lp_errmsg_set(errmsg, "%s line %zu: %s%s%s", shown, line,
                  parser->problem ? parser->problem : "malformed YAML",
                  parser->context ? " " : "", parser->context ? parser->context : "");
    return LP_ERR_CONFIG;
}

lp_status lp_yaml_load(const char *path, const char *shown, yaml_document_t *doc,
                       char *errmsg)
{
    if (!shown) shown = path;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lp_errmsg_set(errmsg, "%s: cannot open: %s", path, strerror(errno));
        return LP_ERR_IO;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        lp_errmsg_set(errmsg, "%s: out of memory", shown);
        return LP_ERR_NOMEM;
    }
    yaml_parser_set_input_file(&parser, fp);
    lp_status st = parse(&parser, shown, doc, errmsg);
    yaml_parser_delete(&parser);
    fclose(fp);
    return st;
}

lp_status lp_yaml_load_memory(const lp_memfile *file, const char *shown, yaml_document_t *doc,
                              char *errmsg)
{
    if (!shown) shown = file->name;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        lp_errmsg_set(errmsg, "%s: out of memory", shown);
        return LP_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, file->data ? file->data : (const void *)"",
                                 file->data ? file->size : 0);
    lp_status st = parse(&parser, shown, doc, errmsg);
    yaml_parser_delete(&parser);
    return st;
}

/* The root of an opened file is a mapping or absent. */
static lp_status opened(lp_yaml *yaml, lp_status st, char *errmsg)
{
    if (st) return st;
    yaml->loaded = true;
    yaml_node_t *root = yaml_document_get_root_node(&yaml->doc);
    if (root && root->type != YAML_MAPPING_NODE && !lp_yaml_is_null(root)) {
        st = lp_yaml_error(yaml, root, errmsg, "expected a mapping of keys to values");
        lp_yaml_close(yaml);
    }
    return st;
}

static void set_name(lp_yaml *yaml, const char *path)
{
    const char *slash = strrchr(path, '/');
    snprintf(yaml->name, sizeof yaml->name, "%s", slash ? slash + 1 : path);
}

lp_status lp_yaml_open(lp_yaml *yaml, const char *path, char *errmsg)
{
    memset(yaml, 0, sizeof *yaml);
    set_name(yaml, path);
    return opened(yaml, lp_yaml_load(path, yaml->name, &yaml->doc, errmsg), errmsg);
}

lp_status lp_yaml_open_memory(lp_yaml *yaml, const lp_memfile *file, char *errmsg)
{
    memset(yaml, 0, sizeof *yaml);
    set_name(yaml, file->name);
    return opened(yaml, lp_yaml_load_memory(file, yaml->name, &yaml->doc, errmsg), errmsg);
}

void lp_yaml_close(lp_yaml *yaml)
{
    if (yaml->loaded) yaml_document_delete(&yaml->doc);
    yaml->loaded = false;
}

yaml_node_t *lp_yaml_root(lp_yaml *yaml)
{
    yaml_node_t *root = yaml_document_get_root_node(&yaml->doc);
    return root && root->type == YAML_MAPPING_NODE ? root : NULL;
}

yaml_node_t *lp_yaml_node(lp_yaml *yaml, int id)
{
    return yaml_document_get_node(&yaml->doc, id);
}

int lp_yaml_line(const yaml_node_t *node) { return node ? (int)node->start_mark.line + 1 : 0; }

const char *lp_yaml_scalar(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

bool lp_yaml_is_null(const yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE) return false;
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *s = (const char *)node->data.scalar.value;
    return !*s || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

lp_status lp_yaml_error(const lp_yaml *yaml, const yaml_node_t *node, char *errmsg,
                        const char *fmt, ...)
{
    if (!errmsg) return LP_ERR_CONFIG;
    char msg[LP_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lp_errmsg_set(errmsg, "%s line %d: %s", yaml->name, lp_yaml_line(node), msg);
    return LP_ERR_CONFIG;
}

/* Levenshtein distance, case-insensitive; words longer than 63 bytes are
 * never close. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return (size_t)-1;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *lp_yaml_closest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    size_t len = strlen(word);
    size_t allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return best && best_d <= allowed ? best : NULL;
}

const char *lp_yaml_suggest(const char *word, const char *const *candidates, size_t n,
                            char *buf, size_t size)
{
    const char *best = lp_yaml_closest(word, candidates, n);
    if (!best) return "";
    snprintf(buf, size, " (did you mean \"%s\"?)", best);
    return buf;
}

static lp_status flatten(yaml_document_t *doc, yaml_node_t *node, lp_buf *key,
                         const char *path, lp_yaml_leaf_fn fn, void *ctx, char *errmsg)
{
    if (node->type == YAML_SCALAR_NODE) {
        if (key->failed) return LP_ERR_NOMEM;
        return fn(ctx, key->data ? key->data : "", lp_yaml_scalar(node), lp_yaml_line(node));
    }
    if (node->type != YAML_MAPPING_NODE) {
        lp_errmsg_set(errmsg, "%s line %d: \"%s\" must be text or a mapping, not a list",
                      path, lp_yaml_line(node), key->data ? key->data : "");
        return LP_ERR_CONFIG;
    }
    size_t base_len = key->len;
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(doc, pair->value);
        const char *name = lp_yaml_scalar(k);
        if (!name || !v) {
            lp_errmsg_set(errmsg, "%s line %d: a key must be plain text", path,
                          lp_yaml_line(k));
            return LP_ERR_CONFIG;
        }
        if (base_len) lp_buf_puts(key, ".");
        lp_buf_puts(key, name);
        lp_status status = flatten(doc, v, key, path, fn, ctx, errmsg);
        if (status != LP_OK) return status;
        key->len = base_len;
        if (key->data) key->data[base_len] = '\0';
    }
    return LP_OK;
}

lp_status lp_yaml_flatten(yaml_document_t *doc, yaml_node_t *node, const char *prefix,
                          const char *path, lp_yaml_leaf_fn fn, void *ctx, char *errmsg)
{
    lp_buf key = {0};
    if (prefix && *prefix) lp_buf_puts(&key, prefix);
    lp_status status = key.failed ? LP_ERR_NOMEM
                                  : flatten(doc, node, &key, path, fn, ctx, errmsg);
    if (status == LP_ERR_NOMEM) lp_errmsg_set(errmsg, "%s: out of memory", path);
    lp_buf_reset(&key);
    return status;
}
