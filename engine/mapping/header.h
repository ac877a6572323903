/*
 * header.h: private, minimal reader of a CSV file's header line, for
 * profile detection only (the full reader is lp/load.h). Handles a UTF-8
 * BOM, quoted names (with "" escapes and line breaks inside quotes) and a
 * comma, semicolon or tab delimiter, whichever occurs most outside quotes in
 * the first line.
 */
#ifndef LP_MAPPING_HEADER_H
#define LP_MAPPING_HEADER_H

#include "lp/lp.h"

/* Reads the header names of the CSV at path: *out_names is an owned array
 * of *out_n owned strings (trimmed), released with lp_detect_header_free.
 * LP_ERR_IO when the file cannot be read, LP_ERR_INPUT when it is empty. */
lp_status lp_detect_header_read(const char *path, char ***out_names, size_t *out_n);
void lp_detect_header_free(char **names, size_t n);

#endif
