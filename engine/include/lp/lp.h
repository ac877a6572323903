/*
 * lp.h: the conventions every leadpack part follows.
 *
 * Status: every function that can fail returns an lp_status; results go out
 * through trailing out_* parameters, written only on LP_OK.
 *
 * Ownership: arguments and the results of getters are borrowed; they stay
 * valid as long as the object they came from. Only functions named
 * lp_<obj>_new, lp_<obj>_create and lp_<obj>_load hand ownership to the
 * caller, who releases it with the matching lp_<obj>_free. Every
 * lp_<obj>_free(NULL) does nothing. Exceptions say so where declared.
 *
 * Memory: all heap memory goes through lp_malloc/lp_calloc/lp_realloc/
 * lp_free, the seam that lets tests fail the Nth allocation.
 */
#ifndef LP_LP_H
#define LP_LP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define LP_VERSION "0.1.0"

typedef enum lp_status {
    LP_OK = 0,
    LP_ERR_NOMEM,     /* an allocation failed */
    LP_ERR_IO,        /* a file could not be opened, read or written */
    LP_ERR_USAGE,     /* the caller passed an invalid argument or option */
    LP_ERR_INPUT,     /* an input file or value cannot be used (bad data) */
    LP_ERR_CONFIG,    /* a settings, mapping, profile or template file is wrong */
    LP_ERR_NOTFOUND,  /* a named table, column, file or key does not exist */
    LP_ERR_LIMIT,     /* a configured limit (size, fields, columns) was exceeded */
    LP_ERR_MATH,      /* a statistic is undefined for its input (n = 0, ...) */
    LP_ERR_OUTPUT,    /* an output file could not be produced */
    LP_ERR_DELIVERY,  /* mail delivery failed */
    LP_ERR_DATABASE   /* a database source failed (connect, query, type) */
} lp_status;

/* A static, human-readable name for a status ("out of memory"). Never NULL. */
const char *lp_status_str(lp_status status);

/* Process exit code for a status: 0 done, 1 usage, 2 bad input,
 * 3 output could not be written, 4 delivery failed. The one place the
 * leadpack command turns a status into its exit status. */
int lp_status_exit_code(lp_status status);
/* Exit code of a step whose every failure is blamed on one thing the user
 * gave (a template, a mapping, a mail's recipients): blamed_exit_code
 * (1 usage or 2 bad input) for any failure but LP_ERR_NOMEM, which keeps
 * lp_status_exit_code's 3; 0 for LP_OK. */
int lp_status_exit_code_blaming(lp_status status, int blamed_exit_code);

/* The allocation seam. Same contracts as the C library functions. */
void *lp_malloc(size_t size);
void *lp_calloc(size_t count, size_t size);
void *lp_realloc(void *ptr, size_t size);
void lp_free(void *ptr);
/* Copy of s (NUL-terminated) or NULL when out of memory. Caller frees. */
char *lp_strdup(const char *s);
/* Copy of the first len bytes of s, NUL-terminated. Caller frees. */
char *lp_strndup(const char *s, size_t len);

/* Tests only: make the nth allocation from now on fail (1 = the next one),
 * and every one after it; n <= 0 turns failures off. */
void lp_alloc_fail_after(long n);
/* Tests only: number of allocations made through the seam since start-up. */
long lp_alloc_count(void);

/* Growable buffer of bytes for building strings and messages. */
typedef struct lp_buf {
    char *data;      /* NUL-terminated contents, or NULL when empty */
    size_t len;      /* bytes used, not counting the NUL */
    size_t cap;      /* bytes allocated */
    bool failed;     /* sticky: an append ran out of memory */
} lp_buf;

void lp_buf_append(lp_buf *buf, const char *bytes, size_t len);
void lp_buf_puts(lp_buf *buf, const char *s);
void lp_buf_printf(lp_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Releases the contents; the buf may be reused. */
void lp_buf_reset(lp_buf *buf);

/* A file given as bytes in memory, for the loaders that read from memory
 * instead of a folder (lp_csv_read_buffer, lp_dataset_load_memory,
 * lp_settings_load_memory, lp_mapping_load_memory, lp_template_load_memory).
 * name stands for the file's name in messages and lookups; data (size bytes)
 * is borrowed for the call. */
typedef struct lp_memfile {
    const char *name;
    const void *data;
    size_t size;
} lp_memfile;

/* Copies printf output into a fixed error buffer of errmsg_size bytes. */
#define LP_ERRMSG_SIZE 512
void lp_errmsg_set(char *errmsg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
