/*
 * fingerprint.h: private to engine/mapping: the headers: key of a mapping
 * file (lp_header_print, lp/draft.h), read by mapping.c.
 */
#ifndef LP_MAPPING_FINGERPRINT_H
#define LP_MAPPING_FINGERPRINT_H

#include "lp/mapping.h"
#include "lp/yaml.h"

/* Reads a headers: node (file name -> {sha256, columns}) and replaces
 * *prints (the previous list is released). Errors are LP_ERR_CONFIG with
 * "FILE line N: headers...: ..." in errmsg. */
lp_status lp_header_prints_read(lp_yaml *yaml, yaml_node_t *node, lp_header_print **prints,
                                size_t *nprints, char *errmsg);
void lp_header_prints_free(lp_header_print *prints, size_t n);

#endif
