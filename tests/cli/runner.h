/* Test-side helpers: run a program without a shell and capture its output. */
#ifndef LP_TEST_RUNNER_H
#define LP_TEST_RUNNER_H

#include <stddef.h>

typedef struct run_result {
    int exit_code;      /* exit status, or 128 + signal */
    char *out;          /* captured stdout (malloc'd, NUL-terminated) */
    char *err;          /* captured stderr */
} run_result;

/* Runs argv[0] (a path) with argv in cwd (NULL = current), waits, captures
 * both streams. */
run_result run_program(const char *const *argv, const char *cwd);
void run_result_free(run_result *r);
/* Path of the leadpack binary in the build tree. */
const char *leadpack_bin(void);
/* A fresh temporary folder (malloc'd path). */
char *make_temp_dir(void);
/* Whole file into a malloc'd buffer, or NULL; size in *out_size. */
char *read_file(const char *path, size_t *out_size);

#endif
