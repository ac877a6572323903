/*
 * yaml_doc.h: small helpers over libyaml's document API shared by the
 * template loader and the narrative (wording and glossary files). Private to
 * reports/: not part of any public contract.
 */
#ifndef LP_YAML_DOC_H
#define LP_YAML_DOC_H

#include <yaml.h>

#include "lp/lp.h"
#include "lp/template.h" /* lp_template_wording_load, once declared here */

/* Parses the whole file at path into *doc. LP_ERR_CONFIG (or LP_ERR_IO when
 * the file cannot be opened) with "PATH line N: ..." in errmsg. On LP_OK the
 * caller releases doc with yaml_document_delete. An empty file yields a
 * document without a root node. */
lp_status lp_ydoc_load(const char *path, yaml_document_t *doc, char *errmsg);

/* lp_ydoc_load over size bytes at data; path names them in messages. */
lp_status lp_ydoc_load_memory(const char *path, const void *data, size_t size,
                              yaml_document_t *doc, char *errmsg);

/* 1-based line of a node. */
static inline int lp_ynode_line(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

/* Scalar text of a node (borrowed), or NULL when it is not a scalar. */
static inline const char *lp_ynode_str(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
                                                  : NULL;
}

/* Called once per leaf of a nested mapping with its dotted key
 * ("change.up"), its text and its line. A non-LP_OK return stops the walk. */
typedef lp_status (*lp_yflat_fn)(void *ctx, const char *key, const char *text, int line);

/* Walks a mapping of mappings and scalars, joining keys with '.', below
 * prefix (NULL or "" for none). A sequence anywhere is LP_ERR_CONFIG with
 * "PATH line N: ..." in errmsg. */
lp_status lp_ydoc_flatten(yaml_document_t *doc, yaml_node_t *node, const char *prefix,
                          const char *path, lp_yflat_fn fn, void *ctx, char *errmsg);

#endif
