/*
 * csv.h: streaming CSV reader over libcsv.
 *
 * A file is read in blocks of 1 MiB and never held whole. The dialect is
 * detected from the first block:
 *   - encoding: UTF-8 (with or without BOM), UTF-16LE/BE (with BOM, or
 *     without when every other byte is zero), Windows-1252 (when the first
 *     block is not valid UTF-8); everything is converted to UTF-8. A later
 *     byte that is not valid UTF-8 in a UTF-8 file is read as Windows-1252.
 *   - delimiter: comma, semicolon, tab or pipe (the one that splits the
 *     first lines into the same number of fields); quote: '"' or '\'';
 *   - line ends: LF, CRLF or CR alone.
 * Records reach the caller as fields (pointer + length, UTF-8, each also
 * NUL-terminated) with the 1-based physical line where the record starts.
 * libcsv runs with CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL: a quote
 * in the wrong place or an unterminated quote is an error, not a guess.
 * Blank lines are not records. Unquoted fields lose surrounding spaces.
 *
 * Parallel reading: files larger than a few chunks are cut at record
 * boundaries by a quote-aware scan of the decoded stream (chunks of about
 * 4 MiB) and the chunks are parsed by worker threads, each with its own
 * libcsv parser and its own caller state ("chunk"); chunks are then handed
 * back to the caller in file order, one at a time.
 *
 * Unusable files are LP_ERR_INPUT with a message naming the file: missing,
 * a folder, empty, binary (NUL bytes or control characters in the first
 * block, or a known binary signature such as an .xlsx workbook), malformed
 * quoting (with the line). Limits are LP_ERR_LIMIT naming the limit.
 */
#ifndef LP_CSV_H
#define LP_CSV_H

#include "lp/lp.h"

typedef enum lp_csv_encoding {
    LP_CSV_UTF8,
    LP_CSV_UTF16LE,
    LP_CSV_UTF16BE,
    LP_CSV_CP1252     /* Windows-1252 */
} lp_csv_encoding;

/* "UTF-8", "UTF-16LE", "UTF-16BE", "Windows-1252". */
const char *lp_csv_encoding_name(lp_csv_encoding encoding);

typedef struct lp_csv_dialect {
    char delimiter;            /* ',', ';', '\t' or '|' */
    char quote;                /* '"' or '\'' */
    lp_csv_encoding encoding;  /* of the file; records are always UTF-8 */
    bool bom;                  /* the file starts with a byte-order mark */
    bool crlf;                 /* lines end in CR LF */
    bool cr;                   /* lines end in CR alone (old Mac) */
} lp_csv_dialect;

/* Writes a short description, e.g. "semicolon, UTF-16LE with BOM, CRLF",
 * into buf (64 bytes are always enough). */
void lp_csv_dialect_describe(const lp_csv_dialect *dialect, char *buf, size_t size);

/* Limits; 0 means the default. */
typedef struct lp_csv_limits {
    size_t max_field_bytes;    /* one field, bytes of UTF-8; default 1 MiB */
    size_t max_columns;        /* fields in a record; default 2,000 */
    size_t max_file_bytes;     /* file size; default 8 GiB */
} lp_csv_limits;

#define LP_CSV_DEFAULT_MAX_FIELD_BYTES ((size_t)1 << 20)
#define LP_CSV_DEFAULT_MAX_COLUMNS ((size_t)2000)
#define LP_CSV_DEFAULT_MAX_FILE_BYTES ((size_t)8 << 30)

/* One record. Borrowed: valid only during the callback that receives it. */
typedef struct lp_csv_record {
    size_t nfields;              /* at least 1 */
    const char *const *fields;   /* nfields UTF-8 strings, NUL-terminated */
    const size_t *lens;          /* their lengths in bytes */
    size_t line;                 /* 1-based physical line where the record starts */
} lp_csv_record;

/* What the caller does with the records. Records are parsed in chunks: each
 * chunk gets its own caller state from chunk_new, receives its records in
 * order through record (called from a worker thread: touch only the chunk),
 * and is handed back through chunk_done in file order, never two at a time
 * (there the caller merges the chunk into shared state). chunk_done takes
 * ownership of the chunk whatever it returns; chunk_free releases a chunk
 * that will never reach chunk_done (the read failed). A callback that
 * returns a status other than LP_OK stops the read, which returns that
 * status and leaves errmsg alone (the caller keeps its own message). */
typedef struct lp_csv_handler {
    void *ctx;                                          /* passed to header, chunk_* */
    lp_status (*header)(void *ctx, const lp_csv_record *header,
                        const lp_csv_dialect *dialect);  /* once, before any chunk */
    lp_status (*chunk_new)(void *ctx, void **out_chunk); /* may run on any thread */
    lp_status (*record)(void *chunk, const lp_csv_record *record);
    lp_status (*chunk_done)(void *ctx, void *chunk);
    void (*chunk_free)(void *ctx, void *chunk);
} lp_csv_handler;

typedef struct lp_csv_options {
    lp_csv_limits limits;
    int threads;               /* parser threads; 0 = number of cores, 1 = inline */
    bool progress;             /* percentage on stderr, only if stderr is a terminal */
    const char *label;         /* name in messages and progress (default: path) */
    bool no_digest;            /* leave lp_csv_info.sha256 empty: the caller works the
                                  digest out itself (lp/digest.h) */
} lp_csv_options;

/* What a completed read saw. */
typedef struct lp_csv_info {
    lp_csv_dialect dialect;
    uint64_t file_bytes;       /* bytes read from the file */
    size_t records;            /* data records (header excluded) */
    size_t chunks;             /* chunks parsed */
    char sha256[65];           /* hex SHA-256 of the file's bytes ("" with no_digest) */
} lp_csv_info;

/* Reads the file at path: the first record goes to handler->header, every
 * later one to handler->record. options may be NULL (defaults). On LP_OK
 * *out_info (may be NULL) is filled. On a reader failure errmsg
 * (LP_ERRMSG_SIZE bytes, may be NULL) reads e.g. "Lead.csv line 12:
 * unterminated quoted field" or "Lead.csv is not a text file (it holds NUL
 * bytes)". A file with a header and no data is LP_OK with 0 records. */
lp_status lp_csv_read(const char *path, const lp_csv_options *options,
                      const lp_csv_handler *handler, lp_csv_info *out_info, char *errmsg);

/* lp_csv_read over size bytes at data (borrowed for the call) instead of a
 * file: the same dialect detection, parsing, chunks, limits, line numbers,
 * SHA-256 and messages as a file holding those bytes. options->label names
 * it in messages (default "buffer"). Small inputs get buffers of their own
 * size, not the 1 MiB blocks of a file, so that many small reads are cheap
 * (the fuzz targets of tests/fuzz). */
lp_status lp_csv_read_buffer(const void *data, size_t size, const lp_csv_options *options,
                             const lp_csv_handler *handler, lp_csv_info *out_info,
                             char *errmsg);

/* The header of a CSV file, for profile detection. */
typedef struct lp_csv_header {
    char **names;              /* nnames names, trimmed of white space, UTF-8 */
    size_t nnames;
    lp_csv_dialect dialect;
} lp_csv_header;

/* Reads only as far as the first record. limits may be NULL (defaults).
 * Ownership exception: the caller owns *out_header and releases it with
 * lp_csv_header_free (names and strings included). Errors as lp_csv_read. */
lp_status lp_csv_read_header(const char *path, const lp_csv_limits *limits,
                             lp_csv_header **out_header, char *errmsg);
/* lp_csv_read_header over size bytes at data; label names them in messages
 * (default "buffer"). */
lp_status lp_csv_read_header_buffer(const void *data, size_t size, const char *label,
                                    const lp_csv_limits *limits, lp_csv_header **out_header,
                                    char *errmsg);
void lp_csv_header_free(lp_csv_header *header);

#endif
