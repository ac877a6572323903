/*
 * gen_write.h: buffered CSV writing for the generator (private). Each file
 * has a 1 MiB buffer filled by hand-rolled formatting and written in large
 * blocks to an atomic output file.
 */
#ifndef LP_GEN_WRITE_H
#define LP_GEN_WRITE_H

#include "lp/fileio.h"
#include "lp/lp.h"

#define WF_BUF (1u << 20)
#define WF_ROW_MAX 16384

typedef struct wfile {
    lp_outfile out;
    char *buf;
    size_t len;
    bool failed;          /* a write failed: commit reports it */
    const char *eol;      /* "\n" or "\r\n" */
    char sep;             /* field separator */
    bool quote_all;       /* every field quoted (report exports) */
    bool first_field;     /* no separator before the next field */
} wfile;

enum { DT_SF, DT_SPACE, DT_ISOZ, DT_US };
enum { D_ISO, D_US };

lp_status lp_gen_wf_open(wfile *f, const char *dir, const char *name, char *errmsg);
/* Commits the file (LP_ERR_OUTPUT with errmsg on failure) or, when the
 * caller's status is already an error, aborts it. */
lp_status lp_gen_wf_close(wfile *f, lp_status st, char *errmsg);
void lp_gen_wf_flush(wfile *f);

void lp_gen_w_text(wfile *f, const char *s);            /* a field, quoted as needed */
void lp_gen_w_textn(wfile *f, const char *s, size_t n);
void lp_gen_w_int(wfile *f, int64_t v);
void lp_gen_w_dt(wfile *f, int64_t instant, int style);  /* 0 instant writes an empty field */
void lp_gen_w_date(wfile *f, int64_t day, int style);
void lp_gen_w_bool(wfile *f, bool v, const char *yes, const char *no);
void lp_gen_w_empty(wfile *f);
void lp_gen_w_end(wfile *f);                             /* ends the row */

#endif
