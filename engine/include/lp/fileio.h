/*
 * fileio.h: output files that are complete or absent.
 *
 * Every output is written to a temporary name in the same folder and renamed
 * over the final name only when complete, so a failed run leaves the
 * previous file untouched and never a half-written one.
 */
#ifndef LP_FILEIO_H
#define LP_FILEIO_H

#include <stdbool.h>
#include <stdio.h>

#include "lp/lp.h"

typedef struct lp_outfile {
    char *path;      /* final path (owned) */
    char *tmp_path;  /* temporary path in the same folder (owned) */
    FILE *fp;        /* open for writing when opened with lp_outfile_open */
    char *buf;       /* fp's stdio buffer (owned), or NULL for stdio's own */
} lp_outfile;

/* Chooses a temporary name beside path ("DIR/.NAME.tmp-PID-N") without
 * opening it, for libraries that write by file name (libxlsxwriter, cairo).
 * LP_ERR_NOMEM on allocation failure. */
lp_status lp_outfile_prepare(lp_outfile *out, const char *path);
/* lp_outfile_prepare, then opens the temporary file for writing ("wb").
 * LP_ERR_OUTPUT when it cannot be created. */
lp_status lp_outfile_open(lp_outfile *out, const char *path);
/* Flushes, closes (if open) and renames the temporary file over path.
 * LP_ERR_OUTPUT on any write, close or rename failure (the temporary file is
 * removed). Releases out's strings either way. */
lp_status lp_outfile_commit(lp_outfile *out);
/* Closes and removes the temporary file; releases out's strings. Safe on a
 * zeroed or already committed lp_outfile. */
void lp_outfile_abort(lp_outfile *out);
/* Creates a folder and its parents (mode 0755); LP_ERR_OUTPUT on failure. */
lp_status lp_mkdir_p(const char *path);

/* Whether relative, a path read from a mapping or a template, stays inside
 * the folder it is read from. Refused (false): the empty path, an absolute
 * path ("/x", "\\x"), a home path ("~x"), a drive letter ("C:x", "C:\\x"),
 * and any ".." component, with '/' and '\\' both taken as separators
 * ("a/../b", "a\\..\\b"). Other names, including ones that merely contain
 * dots ("..a", "a.."), are accepted. Looks at the text only: symbolic links
 * are not followed. (Examples in C string notation.) */
bool lp_path_inside(const char *relative);

#endif
