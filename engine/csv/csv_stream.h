/*
 * csv_stream.h: the CSV reader over a byte stream instead of a file
 * (engine-internal; used by engine/load for database sources).
 *
 * The stream is CSV as PostgreSQL's COPY ... TO STDOUT (FORMAT csv, HEADER)
 * writes it with client_encoding UTF8: comma, '"' quotes, LF line ends,
 * UTF-8. Its dialect is therefore taken as known, not detected. Everything
 * else is lp_csv_read: the same parser, chunking, worker threads, limits,
 * line numbers (the header is line 1) and SHA-256 (of the stream's bytes).
 */
#ifndef LP_CSV_STREAM_H
#define LP_CSV_STREAM_H

#include "lp/csv.h"

/* Fills buf with up to size bytes of the stream and writes the count to
 * *out_got; 0 bytes means the end of the stream. A failure returns its
 * status with a message in errmsg (LP_ERRMSG_SIZE bytes). Called from the
 * reading thread only. */
typedef lp_status (*lp_csv_pull)(void *ctx, void *buf, size_t size, size_t *out_got,
                                 char *errmsg);

/* lp_csv_read over pull(pull_ctx, ...). options->label names the stream in
 * messages (default "stream"); progress is never drawn. */
lp_status lp_csv_read_stream(lp_csv_pull pull, void *pull_ctx, const lp_csv_options *options,
                             const lp_csv_handler *handler, lp_csv_info *out_info,
                             char *errmsg);

#endif
