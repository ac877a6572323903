/*
 * yaml_util.h: private helpers shared by the settings and mapping readers
 * (not part of the public API). A YAML file is loaded whole as a libyaml
 * document; callers walk its nodes and report errors with the node's line.
 */
#ifndef LP_YAML_UTIL_H
#define LP_YAML_UTIL_H

#include <yaml.h>

#include "lp/lp.h"

typedef struct lp_yaml {
    yaml_document_t doc;   /* the parsed document */
    bool loaded;           /* doc must be deleted */
    char name[256];        /* file name as shown in messages (basename) */
} lp_yaml;

/* Reads and parses path. A syntax error or unreadable file is LP_ERR_CONFIG
 * (LP_ERR_IO when it cannot be opened) with "FILE line N: ..." in errmsg.
 * The document's root is a mapping or absent (empty file); anything else is
 * an error. */
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

#endif
