/*
 * yaml.h: the one reading of YAML files, over libyaml's document API, for
 * every YAML reader of leadpack: settings and mappings in the engine,
 * templates, wording and the glossary in reports. Plumbing for those
 * readers, not a contract for other callers. A file is loaded whole as a
 * libyaml document; callers walk its nodes and report errors with the
 * node's line.
 */
#ifndef LP_YAML_H
#define LP_YAML_H

#include <yaml.h>

#include "lp/lp.h"

/* Parses the whole file at path into *doc. LP_ERR_CONFIG for a syntax
 * error, LP_ERR_IO when the file cannot be opened, LP_ERR_NOMEM; errmsg
 * then reads "SHOWN line N: ..." (shown: how messages name the file; NULL =
 * path). On LP_OK the caller releases doc with yaml_document_delete. An
 * empty file yields a document without a root node. */
lp_status lp_yaml_load(const char *path, const char *shown, yaml_document_t *doc,
                       char *errmsg);
/* lp_yaml_load over a file in memory (shown NULL: file->name). */
lp_status lp_yaml_load_memory(const lp_memfile *file, const char *shown, yaml_document_t *doc,
                              char *errmsg);

/* A loaded file whose root is a mapping (the settings and mapping readers). */
typedef struct lp_yaml {
    yaml_document_t doc;   /* the parsed document */
    bool loaded;           /* doc must be deleted */
    char name[256];        /* file name as shown in messages (basename) */
} lp_yaml;

/* lp_yaml_load of path, messages naming the file by its base name. The
 * document's root is a mapping or absent (empty file); anything else is
 * LP_ERR_CONFIG. */
lp_status lp_yaml_open(lp_yaml *yaml, const char *path, char *errmsg);
/* lp_yaml_open over a file in memory (file->name as the file name). */
lp_status lp_yaml_open_memory(lp_yaml *yaml, const lp_memfile *file, char *errmsg);
void lp_yaml_close(lp_yaml *yaml);
/* Root mapping node, or NULL for an empty document. */
yaml_node_t *lp_yaml_root(lp_yaml *yaml);
yaml_node_t *lp_yaml_node(lp_yaml *yaml, int id);
/* 1-based line of a node. */
int lp_yaml_line(const yaml_node_t *node);
/* Scalar text of a node, or NULL when it is not a scalar. */
const char *lp_yaml_scalar(const yaml_node_t *node);
/* true for an empty plain scalar, "~" or "null". */
bool lp_yaml_is_null(const yaml_node_t *node);
/* Writes "FILE line N: message" into errmsg and returns LP_ERR_CONFIG. */
lp_status lp_yaml_error(const lp_yaml *yaml, const yaml_node_t *node, char *errmsg,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The candidate closest to word by edit distance (case-insensitive), or NULL
 * when none is close enough to be a likely typo. */
const char *lp_yaml_closest(const char *word, const char *const *candidates, size_t n);
/* " (did you mean \"X\"?)" for the closest candidate, or "" (static buffer
 * per call site is the caller's: written into buf of size bytes). */
const char *lp_yaml_suggest(const char *word, const char *const *candidates, size_t n,
                            char *buf, size_t size);

/* Called once per leaf of a nested mapping with its dotted key
 * ("change.up"), its text and its line. A non-LP_OK return stops the walk. */
typedef lp_status (*lp_yaml_leaf_fn)(void *ctx, const char *key, const char *text, int line);

/* Walks a mapping of mappings and scalars, joining keys with '.', below
 * prefix (NULL or "" for none). A sequence anywhere is LP_ERR_CONFIG with
 * "PATH line N: ..." in errmsg (path as given). */
lp_status lp_yaml_flatten(yaml_document_t *doc, yaml_node_t *node, const char *prefix,
                          const char *path, lp_yaml_leaf_fn fn, void *ctx, char *errmsg);

#endif
