/* yaml_doc.c: libyaml document helpers (see yaml_doc.h). */
#include "yaml_doc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Parses what parser is set up to read into *doc (lp_ydoc_load). */
static lp_status load_document(yaml_parser_t *parser, const char *path, yaml_document_t *doc,
                               char *errmsg)
{
    if (yaml_parser_load(parser, doc)) return LP_OK;
    if (parser->error == YAML_MEMORY_ERROR) {
        lp_errmsg_set(errmsg, "%s: out of memory", path);
        return LP_ERR_NOMEM;
    }
    lp_errmsg_set(errmsg, "%s line %d: %s%s%s", path, (int)parser->problem_mark.line + 1,
                  parser->problem ? parser->problem : "malformed YAML",
                  parser->context ? " " : "", parser->context ? parser->context : "");
    return LP_ERR_CONFIG;
}

lp_status lp_ydoc_load(const char *path, yaml_document_t *doc, char *errmsg)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lp_errmsg_set(errmsg, "%s: cannot open: %s", path, strerror(errno));
        return LP_ERR_IO;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        lp_errmsg_set(errmsg, "%s: out of memory", path);
        return LP_ERR_NOMEM;
    }
    yaml_parser_set_input_file(&parser, fp);
    lp_status status = load_document(&parser, path, doc, errmsg);
    yaml_parser_delete(&parser);
    fclose(fp);
    return status;
}

lp_status lp_ydoc_load_memory(const char *path, const void *data, size_t size,
                              yaml_document_t *doc, char *errmsg)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        lp_errmsg_set(errmsg, "%s: out of memory", path);
        return LP_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, data ? data : (const void *)"", data ? size : 0);
    lp_status status = load_document(&parser, path, doc, errmsg);
    yaml_parser_delete(&parser);
    return status;
}

static lp_status flatten(yaml_document_t *doc, yaml_node_t *node, lp_buf *key,
                         const char *path, lp_yflat_fn fn, void *ctx, char *errmsg)
{
    if (node->type == YAML_SCALAR_NODE) {
        if (key->failed) return LP_ERR_NOMEM;
        return fn(ctx, key->data ? key->data : "", lp_ynode_str(node), lp_ynode_line(node));
    }
    if (node->type != YAML_MAPPING_NODE) {
        lp_errmsg_set(errmsg, "%s line %d: \"%s\" must be text or a mapping, not a list",
                      path, lp_ynode_line(node), key->data ? key->data : "");
        return LP_ERR_CONFIG;
    }
    size_t base_len = key->len;
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(doc, pair->value);
        const char *name = lp_ynode_str(k);
        if (!name || !v) {
            lp_errmsg_set(errmsg, "%s line %d: a key must be plain text", path,
                          lp_ynode_line(k));
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

lp_status lp_ydoc_flatten(yaml_document_t *doc, yaml_node_t *node, const char *prefix,
                          const char *path, lp_yflat_fn fn, void *ctx, char *errmsg)
{
    lp_buf key = {0};
    if (prefix && *prefix) lp_buf_puts(&key, prefix);
    lp_status status = key.failed ? LP_ERR_NOMEM
                                  : flatten(doc, node, &key, path, fn, ctx, errmsg);
    if (status == LP_ERR_NOMEM) lp_errmsg_set(errmsg, "%s: out of memory", path);
    lp_buf_reset(&key);
    return status;
}
