/*
 * Streaming CSV reader (csv.h).
 *
 * The reading thread reads 1 MiB blocks, hashes them (SHA-256 of the raw
 * bytes), decodes them to UTF-8 straight into the current chunk buffer and
 * scans the new bytes for the quote character and LF, remembering the last
 * LF outside quotes (the last record boundary). When the chunk holds about
 * 4 MiB it is cut there: the part before goes to a parser (inline, or a
 * worker thread through a bounded queue), the tail starts the next chunk.
 * The scan also counts every LF, so each chunk knows the physical line of
 * its first record.
 *
 * Inside a chunk, libcsv splits fields. With CSV_REPALL_NL it reports every
 * line end outside a record as an empty record, which is how a parser keeps
 * physical line numbers exact across blank lines: a record starts at the
 * current line, which then advances by one plus the LFs inside its quoted
 * fields; an empty report advances by one unless it is the LF of a CR LF.
 * CR-only files have their CRs turned into LFs while decoding.
 *
 * Order: workers finish chunks in any order; a finished chunk waits in
 * `done` until all chunks before it have been handed to chunk_done, which
 * runs under the pool mutex, so the caller merges one chunk at a time in
 * file order and keeps rows and rejects in line order.
 */
#include "lp/csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/sha256.h"
#include "lp/value.h"
#include "csv_stream.h"

/* Built with LP_CSV_FAST_PATH=0, every line goes through libcsv (to compare
 * the two splitters). */
#ifndef LP_CSV_FAST_PATH
#define LP_CSV_FAST_PATH 1
#endif

#define BLOCK_SIZE ((size_t)1 << 20)
#define CHUNK_SIZE ((size_t)4 << 20)
/* A chunk buffer: a chunk is cut once it holds CHUNK_SIZE bytes, and a
 * block is decoded into it with room for three bytes per byte read. */
#define CHUNK_BUFFER (CHUNK_SIZE + 3 * BLOCK_SIZE + ((size_t)64 << 10))
#define SPARE_BUFFERS 8

const char *lp_csv_encoding_name(lp_csv_encoding encoding)
{
    switch (encoding) {
    case LP_CSV_UTF8: return "UTF-8";
    case LP_CSV_UTF16LE: return "UTF-16LE";
    case LP_CSV_UTF16BE: return "UTF-16BE";
    case LP_CSV_CP1252: return "Windows-1252";
    }
    return "unknown";
}

void lp_csv_dialect_describe(const lp_csv_dialect *dialect, char *buf, size_t size)
{
    const char *delim = dialect->delimiter == ';'    ? "semicolon"
                        : dialect->delimiter == '\t' ? "tab"
                        : dialect->delimiter == '|'  ? "pipe"
                                                     : "comma";
    snprintf(buf, size, "%s, %s%s, %s%s", delim, lp_csv_encoding_name(dialect->encoding),
             dialect->bom ? " with BOM" : "",
             dialect->crlf ? "CRLF" : dialect->cr ? "CR" : "LF",
             dialect->quote == '\'' ? ", single quotes" : "");
}

/* ---- Growable byte buffer for chunks ---- */

typedef struct bytes {
    char *data;
    size_t len;
    size_t cap;
} bytes;

static lp_status bytes_reserve(bytes *b, size_t extra)
{
    if (b->len + extra <= b->cap) return LP_OK;
    size_t cap = b->cap ? b->cap : CHUNK_SIZE + BLOCK_SIZE;
    while (cap < b->len + extra) cap *= 2;
    char *data = lp_realloc(b->data, cap);
    if (!data) return LP_ERR_NOMEM;
    b->data = data;
    b->cap = cap;
    return LP_OK;
}

/* ---- Decoding to UTF-8 ---- */

/* Windows-1252 0x80..0x9F; undefined bytes map to the C1 control of the
 * same number, as Python's and WHATWG's decoders do. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static inline char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* High bit of each byte of w below 0x20 (a control character); the lowest
 * one is exact (a borrow can only mark bytes above a true one). */
static inline uint64_t control_bytes(uint64_t w)
{
    return (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
}

/* High bit of each byte of w that is zero; the lowest one is exact (a borrow
 * can only mark bytes above a true zero). */
static inline uint64_t zero_bytes(uint64_t w)
{
    return (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
}

static inline uint32_t cp1252_to_cp(uint8_t b)
{
    return (b >= 0x80 && b < 0xA0) ? cp1252_high[b - 0x80] : b;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 when invalid, or -1
 * when p[0..n) is a valid but truncated start. */
static int utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t b = p[0];
    int len;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else
        return 0;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n) return -1;
        uint8_t c = p[i];
        if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
    }
    return len;
}

/* Bytes of ASCII at the start of p[0..n), counted eight at a time: a
 * multiple of 8, the bytes after it are the caller's to look at one by one. */
static inline size_t ascii_words(const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL) break;
    }
    return i;
}

/* true when p[0..n) is UTF-8 (a truncated last sequence allowed). */
static bool utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        i += ascii_words(p + i, n - i);
        if (i >= n) break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int len = utf8_seq(p + i, n - i);
        if (len < 0) return true;
        if (len == 0) return false;
        i += (size_t)len;
    }
    return true;
}

/* Decodes in[0..n) to UTF-8 appended to out (room for 3n + 4 bytes must be
 * reserved). Returns the bytes consumed: a truncated sequence at the end is
 * left for the next block unless last. */
static size_t decode(lp_csv_encoding enc, const uint8_t *in, size_t n, bool last, bytes *out)
{
    char *o = out->data + out->len;
    size_t i = 0;
    switch (enc) {
    case LP_CSV_UTF8:
        while (i < n) {
            size_t ascii = ascii_words(in + i, n - i);
            memcpy(o, in + i, ascii);
            o += ascii;
            i += ascii;
            if (i >= n) break;
            if (in[i] < 0x80) {
                *o++ = (char)in[i++];
                continue;
            }
            int len = utf8_seq(in + i, n - i);
            if (len < 0 && !last) break;
            if (len > 0) {
                memcpy(o, in + i, (size_t)len);
                o += len;
                i += (size_t)len;
            } else { /* not UTF-8: read the byte as Windows-1252 */
                o = put_utf8(o, cp1252_to_cp(in[i++]));
            }
        }
        break;
    case LP_CSV_CP1252:
        while (i < n) {
            size_t ascii = ascii_words(in + i, n - i); /* the same in UTF-8 */
            memcpy(o, in + i, ascii);
            o += ascii;
            i += ascii;
            if (i >= n) break;
            o = put_utf8(o, cp1252_to_cp(in[i++]));
        }
        break;
    case LP_CSV_UTF16LE:
    case LP_CSV_UTF16BE: {
        bool le = enc == LP_CSV_UTF16LE;
        while (i + 2 <= n) {
            uint32_t u = le ? (uint32_t)(in[i] | in[i + 1] << 8) : (uint32_t)(in[i] << 8 | in[i + 1]);
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (i + 4 > n) {
                    if (!last) break;
                    o = put_utf8(o, 0xFFFD);
                    i += 2;
                    continue;
                }
                uint32_t u2 = le ? (uint32_t)(in[i + 2] | in[i + 3] << 8)
                                 : (uint32_t)(in[i + 2] << 8 | in[i + 3]);
                if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
                    o = put_utf8(o, 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00));
                    i += 4;
                } else {
                    o = put_utf8(o, 0xFFFD);
                    i += 2;
                }
                continue;
            }
            o = put_utf8(o, (u >= 0xDC00 && u <= 0xDFFF) ? 0xFFFD : u);
            i += 2;
        }
        if (last && i < n) i = n; /* a lone odd byte at the end */
        break;
    }
    }
    out->len = (size_t)(o - out->data);
    return i;
}

/* ---- Chunk parsing with libcsv ---- */

typedef lp_status (*record_fn)(void *target, const lp_csv_record *record);

typedef struct parse_limits {
    size_t max_field_bytes;
    size_t max_columns;
} parse_limits;

typedef struct chunk_parse {
    struct csv_parser csv;
    const char *label;
    parse_limits limits;
    record_fn record;
    void *target;
    size_t line;              /* physical line where the next record starts */
    int prev_term;            /* last line-end character reported */
    bytes fieldbuf;           /* the current record's fields, NUL-separated */
    size_t *offsets;          /* field starts in fieldbuf */
    size_t *lens;
    const char **ptrs;
    size_t nfields;
    size_t fields_cap;
    size_t record_newlines;   /* LFs inside the current record's fields */
    size_t records;           /* records handed to record() */
    bool record_ended;        /* libcsv ended a record at the LF of the line it was given
                               * (so it is between records) */
    lp_status status;         /* first failure; later callbacks do nothing */
    bool callback_failed;     /* the failure came from record() */
    char errmsg[LP_ERRMSG_SIZE];
} chunk_parse;

/* Doubles the field arrays; false (with cp failed) when out of memory. */
static bool fields_grow(chunk_parse *cp)
{
    size_t cap = cp->fields_cap ? cp->fields_cap * 2 : 64;
    size_t *offsets = lp_realloc(cp->offsets, cap * sizeof *offsets);
    if (offsets) cp->offsets = offsets;
    size_t *lens = offsets ? lp_realloc(cp->lens, cap * sizeof *lens) : NULL;
    if (lens) cp->lens = lens;
    const char **ptrs = lens ? lp_realloc(cp->ptrs, cap * sizeof *ptrs) : NULL;
    if (!ptrs) {
        cp->status = LP_ERR_NOMEM;
        lp_errmsg_set(cp->errmsg, "%s: out of memory", cp->label);
        return false;
    }
    cp->ptrs = ptrs;
    cp->fields_cap = cap;
    return true;
}

static void fail_max_columns(chunk_parse *cp)
{
    cp->status = LP_ERR_LIMIT;
    lp_errmsg_set(cp->errmsg, "%s line %zu: more than %zu fields in a record (max_columns)",
                  cp->label, cp->line, cp->limits.max_columns);
}

static void fail_max_field(chunk_parse *cp)
{
    cp->status = LP_ERR_LIMIT;
    lp_errmsg_set(cp->errmsg, "%s line %zu: field %zu is longer than %zu bytes (max_field_bytes)",
                  cp->label, cp->line, cp->nfields + 1, cp->limits.max_field_bytes);
}

static void on_field(void *s, size_t len, void *data)
{
    chunk_parse *cp = data;
    cp->record_ended = false;
    if (cp->status) return;
    if (cp->nfields >= cp->limits.max_columns) {
        fail_max_columns(cp);
        return;
    }
    if (len > cp->limits.max_field_bytes) {
        fail_max_field(cp);
        return;
    }
    if (cp->nfields == cp->fields_cap && !fields_grow(cp)) return;
    if (cp->fieldbuf.len + len + 1 > cp->fieldbuf.cap) {
        size_t cap = cp->fieldbuf.cap ? cp->fieldbuf.cap : 4096;
        while (cap < cp->fieldbuf.len + len + 1) cap *= 2;
        char *d = lp_realloc(cp->fieldbuf.data, cap);
        if (!d) {
            cp->status = LP_ERR_NOMEM;
            lp_errmsg_set(cp->errmsg, "%s: out of memory", cp->label);
            return;
        }
        cp->fieldbuf.data = d;
        cp->fieldbuf.cap = cap;
    }
    char *dst = cp->fieldbuf.data + cp->fieldbuf.len;
    if (len) memcpy(dst, s, len);
    dst[len] = '\0';
    cp->offsets[cp->nfields] = cp->fieldbuf.len;
    cp->lens[cp->nfields] = len;
    cp->nfields++;
    cp->fieldbuf.len += len + 1;
    const char *nl = len ? memchr(s, '\n', len) : NULL;
    while (nl) {
        cp->record_newlines++;
        nl = memchr(nl + 1, '\n', (size_t)((const char *)s + len - (nl + 1)));
    }
}

static void on_record(int c, void *data)
{
    chunk_parse *cp = data;
    cp->record_ended = c == '\n';
    if (cp->nfields == 0) { /* a line end outside any record */
        if (!(c == '\n' && cp->prev_term == '\r')) cp->line++;
        cp->prev_term = c;
        return;
    }
    if (!cp->status) {
        for (size_t i = 0; i < cp->nfields; i++) cp->ptrs[i] = cp->fieldbuf.data + cp->offsets[i];
        lp_csv_record rec = {cp->nfields, cp->ptrs, cp->lens, cp->line};
        lp_status st = cp->record(cp->target, &rec);
        if (st) {
            cp->status = st;
            cp->callback_failed = true;
        }
        cp->records++;
    }
    cp->line += 1 + cp->record_newlines;
    cp->prev_term = c;
    cp->nfields = 0;
    cp->fieldbuf.len = 0;
    cp->record_newlines = 0;
}

static int space_only(unsigned char c) { return c == ' '; }

static void parse_release(chunk_parse *cp)
{
    lp_free(cp->fieldbuf.data);
    lp_free(cp->offsets);
    lp_free(cp->lens);
    lp_free(cp->ptrs);
}

#define FIELD_BLOCK ((size_t)64 << 10)  /* libcsv field buffer growth step */
#define PARSE_SLICE ((size_t)256 << 10) /* bytes given to csv_parse at a time */

/* ---- Fast path: lines without quotes ----
 *
 * Most lines of an export hold no quote character. Such a line is split
 * here, at memory speed, exactly as libcsv would split it: fields end at the
 * delimiter, the line at LF (a CR right before the LF is dropped), spaces
 * and tabs around a field are trimmed (a tab only when it is not the
 * delimiter), and a line that is empty after trimming is a blank line, not
 * a record. The fields stay in the chunk buffer, each NUL-terminated in
 * place. A line holding the quote character or a CR elsewhere goes to
 * libcsv, and so does every line while libcsv is inside a record (a quoted
 * field spanning lines). */

enum { BYTE_PLAIN, BYTE_DELIM, BYTE_LF, BYTE_OTHER };

static inline bool is_trim(char c, char delim) { return (c == ' ' || c == '\t') && c != delim; }

/* The bytes the splitter stops at: the delimiter, LF, CR and the quote,
 * each repeated in the eight bytes of a word. */
typedef struct stop_bytes {
    uint64_t delim, lf, cr, quote;
} stop_bytes;

/* The first byte from s of class other than BYTE_PLAIN, eight bytes at a
 * time while they lie before limit, then byte by byte (a LF stops it before
 * limit). */
static inline char *next_stop(char *s, const char *limit, const stop_bytes *sb, const uint8_t *cls)
{
    while (limit - s >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        uint64_t m = zero_bytes(w ^ sb->delim) | zero_bytes(w ^ sb->lf) |
                     zero_bytes(w ^ sb->cr) | zero_bytes(w ^ sb->quote);
        if (m) return s + (__builtin_ctzll(m) >> 3);
        s += 8;
    }
    while (!cls[(uint8_t)*s]) s++;
    return s;
}

/* Splits the line at p, which ends with a LF before limit. Returns the byte
 * after the line, or NULL when the line needs libcsv (p is left untouched)
 * or a limit failed (cp->status). */
static char *fast_line(chunk_parse *cp, const uint8_t *cls, const stop_bytes *sb, char delim,
                       char *p, const char *limit)
{
    size_t nf = 0;
    char *s = p, *start = p, *next;
    for (;;) {
        s = next_stop(s, limit, sb, cls);
        uint8_t k = cls[(uint8_t)*s];
        char *stop = s;
        if (k == BYTE_OTHER) {
            if (*s != '\r' || s[1] != '\n') return NULL;
            k = BYTE_LF;
            s++;
        }
        /* the field is start..stop, trimmed */
        char *b = start, *e = stop;
        while (b < e && is_trim(*b, delim)) b++;
        while (e > b && is_trim(e[-1], delim)) e--;
        if (nf >= cp->limits.max_columns) {
            cp->nfields = nf;
            fail_max_columns(cp);
            return NULL;
        }
        if ((size_t)(e - b) > cp->limits.max_field_bytes) {
            cp->nfields = nf;
            fail_max_field(cp);
            return NULL;
        }
        if (nf == cp->fields_cap && !fields_grow(cp)) return NULL;
        cp->ptrs[nf] = b;
        cp->lens[nf] = (size_t)(e - b);
        nf++;
        if (k == BYTE_LF) {
            next = s + 1;
            break;
        }
        start = ++s;
    }
    cp->prev_term = '\n';
    if (nf == 1 && cp->lens[0] == 0) { /* a blank line */
        cp->line++;
        return next;
    }
    for (size_t i = 0; i < nf; i++) ((char *)cp->ptrs[i])[cp->lens[i]] = '\0';
    lp_csv_record rec = {nf, cp->ptrs, cp->lens, cp->line};
    lp_status st = cp->record(cp->target, &rec);
    if (st) {
        cp->status = st;
        cp->callback_failed = true;
        return NULL;
    }
    cp->records++;
    cp->line++;
    return next;
}

/* Parses data[0..len), whose first record starts on first_line, calling
 * record(target, ...) for each record; the bytes are modified. With fast,
 * lines without quotes skip libcsv. The result is in cp->status. */
static void parse_chunk(chunk_parse *cp, const lp_csv_dialect *dialect, const char *label,
                        parse_limits limits, char *data, size_t len, size_t first_line,
                        bool fast, record_fn record, void *target)
{
    memset(cp, 0, sizeof *cp);
    cp->label = label;
    cp->limits = limits;
    cp->record = record;
    cp->target = target;
    cp->line = first_line;
    cp->record_ended = true;
    if (csv_init(&cp->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL)) {
        cp->status = LP_ERR_NOMEM;
        lp_errmsg_set(cp->errmsg, "%s: out of memory", label);
        return;
    }
    csv_set_delim(&cp->csv, (unsigned char)dialect->delimiter);
    csv_set_quote(&cp->csv, (unsigned char)dialect->quote);
    /* libcsv's default trims spaces and tabs inline; a callback costs a
     * call per byte, so it is set only when tabs are delimiters */
    if (dialect->delimiter == '\t') csv_set_space_func(&cp->csv, space_only);
    csv_set_realloc_func(&cp->csv, lp_realloc);
    csv_set_free_func(&cp->csv, lp_free);

    /* A line that goes to libcsv (it holds a quote) may carry a field of
     * any length: libcsv grows its field buffer blk_size bytes at a time
     * (128 by default; a 10 MB quoted field cost 80,000 reallocs of up to
     * 10 MB each), and on_field checks max_field_bytes only once the whole
     * field is buffered. So the buffer grows in FIELD_BLOCK steps, and such
     * a line goes to libcsv in slices, after each of which a field past the
     * limit stops the read while it is being buffered. */
    csv_set_blk_size(&cp->csv, FIELD_BLOCK);
    /* a field is never longer than its chunk: a small chunk (a small file)
     * needs no 64 KiB buffer */
    if (len < FIELD_BLOCK) csv_set_blk_size(&cp->csv, len + 1);
    uint8_t cls[256] = {0};
    cls[(uint8_t)dialect->delimiter] = BYTE_DELIM;
    cls['\n'] = BYTE_LF;
    cls['\r'] = BYTE_OTHER;
    cls[(uint8_t)dialect->quote] = BYTE_OTHER;
    const uint64_t ones = 0x0101010101010101ULL;
    stop_bytes sb = {ones * (uint8_t)dialect->delimiter, ones * '\n', ones * '\r',
                     ones * (uint8_t)dialect->quote};
    /* the fast path needs a LF to stop at: it runs up to the last one */
    const char *last_lf = len ? memrchr(data, '\n', len) : NULL;
    char *fast_end = fast && LP_CSV_FAST_PATH && last_lf ? data + (last_lf - data) + 1 : data;
    char *p = data, *end = data + len;
    while (p < end && !cp->status) {
        if (p < fast_end && cp->record_ended) {
            char *next = fast_line(cp, cls, &sb, dialect->delimiter, p, fast_end);
            if (next) {
                p = next;
                continue;
            }
            if (cp->status) break;
        }
        /* one line through libcsv */
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        size_t n = lf ? (size_t)(lf + 1 - p) : (size_t)(end - p);
        cp->record_ended = false;
        size_t done = 0;
        while (done < n && !cp->status) {
            size_t slice = n - done < PARSE_SLICE ? n - done : PARSE_SLICE;
            size_t parsed = csv_parse(&cp->csv, p + done, slice, on_field, on_record, cp);
            done += parsed;
            if (parsed < slice) break;
            size_t buffered = csv_get_buffer_size(&cp->csv);
            if (buffered > FIELD_BLOCK && buffered - FIELD_BLOCK > cp->limits.max_field_bytes + 1)
                fail_max_field(cp);
        }
        if (done < n && !cp->status) {
            int err = csv_error(&cp->csv);
            cp->status = err == CSV_ENOMEM ? LP_ERR_NOMEM : LP_ERR_INPUT;
            if (err == CSV_ENOMEM)
                lp_errmsg_set(cp->errmsg, "%s: out of memory", label);
            else
                lp_errmsg_set(cp->errmsg,
                              "%s line %zu: malformed quoting (a %c inside an unquoted field, or "
                              "text after a closing quote)",
                              label, cp->line, dialect->quote);
        }
        p += n;
    }
    if (!cp->status && csv_fini(&cp->csv, on_field, on_record, cp) && !cp->status) {
        cp->status = LP_ERR_INPUT;
        lp_errmsg_set(cp->errmsg, "%s line %zu: unterminated quoted field (no closing %c)",
                      label, cp->line, dialect->quote);
    }
    csv_free(&cp->csv);
    parse_release(cp);
}

/* ---- Jobs and the worker pool ---- */

typedef struct job {
    char *data;               /* decoded chunk (owned until parsed) */
    size_t len;
    size_t cap;               /* bytes allocated at data */
    size_t first_line;
    size_t index;             /* chunk number, from 0 */
    void *chunk;              /* caller state */
    size_t records;
    lp_status status;
    char errmsg[LP_ERRMSG_SIZE]; /* reader failure message, "" for callback failures */
    struct job *next;
} job;

typedef struct reader reader;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    job *head, *tail;
    size_t queued;
    size_t max_queued;
    bool closed;
    job **done;               /* finished chunks waiting for their turn, by index */
    size_t done_cap;
    size_t next_merge;        /* index of the next chunk for chunk_done */
    bool merging;             /* a thread is inside merge_ready's chunk_done */
    pthread_t *threads;
    int nthreads;
    reader *r;
} pool;

struct reader {
    const char *path;
    const char *label;
    const lp_csv_handler *h;
    parse_limits limits;
    size_t max_file_bytes;
    bool header_only;
    const uint8_t *mem;       /* lp_csv_read_buffer: the bytes instead of a file */
    size_t mem_size;
    size_t mem_off;           /* bytes of mem read so far */
    lp_csv_dialect dialect;
    bool dialect_known;
    lp_sha256 sha;
    bool no_digest;           /* lp_csv_options.no_digest (files only) */
    uint64_t file_bytes;      /* from stat, 0 when unknown */
    uint64_t bytes_read;
    bool progress;
    int last_pct;
    /* current chunk */
    bytes cur;
    size_t scanned;           /* bytes of cur scanned */
    bool in_quote;
    size_t quote_open;        /* offset in cur where the open quote is */
    size_t quote_line;        /* its line */
    size_t newlines;          /* LFs in cur[0..scanned) */
    size_t cut;               /* offset after the last LF outside quotes, 0 = none */
    size_t cut_newlines;      /* LFs in cur[0..cut) */
    size_t first_line;        /* line of cur's first byte */
    bool header_done;
    size_t nchunks;
    size_t records;
    /* failure */
    lp_status status;
    bool callback_failed;
    char errmsg[LP_ERRMSG_SIZE];
    pool *pool;               /* NULL when parsing inline */
    /* byte stream instead of a file (lp_csv_read_stream), or NULL */
    lp_csv_pull pull;
    void *pull_ctx;
    /* Parsed chunks' buffers, kept for the next chunks (under the pool's
     * mutex when there is a pool): fresh memory costs a page fault per
     * page, which is as much as the decoding that fills it. */
    char *spare[SPARE_BUFFERS];
    size_t nspare;
};

/* Takes a chunk buffer: a spare one, or a new one. */
static lp_status buffer_take(reader *r, bytes *out)
{
    char *data = NULL;
    if (r->pool) pthread_mutex_lock(&r->pool->mu);
    if (r->nspare) data = r->spare[--r->nspare];
    if (r->pool) pthread_mutex_unlock(&r->pool->mu);
    if (!data && !(data = lp_malloc(CHUNK_BUFFER))) return LP_ERR_NOMEM;
    *out = (bytes){data, 0, CHUNK_BUFFER};
    return LP_OK;
}

/* Gives a parsed chunk's buffer back (the pool's mutex held, if any). */
static void buffer_give(reader *r, char *data, size_t cap)
{
    if (data && cap == CHUNK_BUFFER && r->nspare < SPARE_BUFFERS) r->spare[r->nspare++] = data;
    else lp_free(data);
}

static void reader_fail(reader *r, lp_status st, bool from_callback, const char *msg)
{
    if (r->status) return;
    r->status = st;
    r->callback_failed = from_callback;
    if (msg && *msg) snprintf(r->errmsg, sizeof r->errmsg, "%s", msg);
}

/* Parses one job: caller state from chunk_new, records through record. */
static void run_job(reader *r, job *j)
{
    j->status = r->h->chunk_new(r->h->ctx, &j->chunk);
    if (j->status) {
        j->chunk = NULL;
        return;
    }
    chunk_parse cp;
    parse_chunk(&cp, &r->dialect, r->label, r->limits, j->data, j->len, j->first_line, true,
                r->h->record, j->chunk);
    j->status = cp.status;
    j->records = cp.records;
    if (cp.status && !cp.callback_failed) snprintf(j->errmsg, sizeof j->errmsg, "%s", cp.errmsg);
}

static void job_free(reader *r, job *j)
{
    if (!j) return;
    if (j->chunk) r->h->chunk_free(r->h->ctx, j->chunk);
    lp_free(j->data);
    lp_free(j);
}

/* With the pool mutex held: hands finished chunks to chunk_done in order.
 * One thread merges at a time (the `merging` flag); the mutex is released
 * around chunk_done so that the queue keeps moving while a chunk merges. */
static void merge_ready(reader *r, pool *p)
{
    if (p->merging) return;
    p->merging = true;
    while (!r->status && p->next_merge < p->done_cap && p->done[p->next_merge]) {
        job *j = p->done[p->next_merge];
        p->done[p->next_merge] = NULL;
        p->next_merge++;
        void *chunk = j->chunk;
        j->chunk = NULL;
        r->records += j->records;
        pthread_mutex_unlock(&p->mu);
        lp_status st = r->h->chunk_done(r->h->ctx, chunk);
        job_free(r, j);
        pthread_mutex_lock(&p->mu);
        if (st) reader_fail(r, st, true, NULL);
    }
    p->merging = false;
}

static void *worker_main(void *arg)
{
    pool *p = arg;
    reader *r = p->r;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->closed) pthread_cond_wait(&p->not_empty, &p->mu);
        job *j = p->head;
        if (!j) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        p->head = j->next;
        if (!p->head) p->tail = NULL;
        p->queued--;
        bool skip = r->status != LP_OK;
        pthread_cond_broadcast(&p->not_full);
        pthread_mutex_unlock(&p->mu);

        if (!skip) run_job(r, j);

        pthread_mutex_lock(&p->mu);
        buffer_give(r, j->data, j->cap);
        j->data = NULL;
        if (skip || j->status) {
            if (!skip) reader_fail(r, j->status, j->errmsg[0] == '\0', j->errmsg);
            job_free(r, j);
        } else {
            if (j->index >= p->done_cap) {
                size_t cap = p->done_cap ? p->done_cap : 64;
                while (cap <= j->index) cap *= 2;
                job **done = lp_realloc(p->done, cap * sizeof *done);
                if (!done) {
                    reader_fail(r, LP_ERR_NOMEM, false, "out of memory");
                    job_free(r, j);
                    j = NULL;
                } else {
                    memset(done + p->done_cap, 0, (cap - p->done_cap) * sizeof *done);
                    p->done = done;
                    p->done_cap = cap;
                }
            }
            if (j) {
                p->done[j->index] = j;
                merge_ready(r, p);
            }
        }
        pthread_cond_broadcast(&p->not_full);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

static lp_status pool_start(reader *r, int nthreads)
{
    pool *p = lp_calloc(1, sizeof *p);
    if (!p) return LP_ERR_NOMEM;
    p->r = r;
    p->max_queued = (size_t)nthreads + 1;
    p->threads = lp_calloc((size_t)nthreads, sizeof *p->threads);
    if (!p->threads) {
        lp_free(p);
        return LP_ERR_NOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->not_empty, NULL);
    pthread_cond_init(&p->not_full, NULL);
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) break;
        p->nthreads++;
    }
    r->pool = p;
    if (p->nthreads == 0) return LP_ERR_NOMEM;
    return LP_OK;
}

/* Closes the queue, joins the workers, frees what is left. */
static void pool_stop(reader *r)
{
    pool *p = r->pool;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    while (p->head) {
        job *j = p->head;
        p->head = j->next;
        job_free(r, j);
    }
    for (size_t i = 0; i < p->done_cap; i++) job_free(r, p->done[i]);
    if (!r->status && p->next_merge != r->nchunks)
        reader_fail(r, LP_ERR_NOMEM, false, "thread start failed");
    lp_free(p->done);
    lp_free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->not_empty);
    pthread_cond_destroy(&p->not_full);
    lp_free(p);
    r->pool = NULL;
}

/* Hands data[0..len) (owned, cap bytes allocated) to a parser. */
static void submit(reader *r, char *data, size_t len, size_t cap, size_t first_line)
{
    job *j = lp_calloc(1, sizeof *j);
    if (!j) {
        lp_free(data);
        reader_fail(r, LP_ERR_NOMEM, false, "out of memory");
        return;
    }
    j->data = data;
    j->len = len;
    j->cap = cap;
    j->first_line = first_line;
    j->index = r->nchunks++;
    pool *p = r->pool;
    if (!p) {
        run_job(r, j);
        buffer_give(r, j->data, j->cap);
        j->data = NULL;
        if (j->status) {
            reader_fail(r, j->status, j->errmsg[0] == '\0', j->errmsg);
            job_free(r, j);
            return;
        }
        r->records += j->records;
        void *chunk = j->chunk;
        j->chunk = NULL;
        lp_status st = r->h->chunk_done(r->h->ctx, chunk);
        if (st) reader_fail(r, st, true, NULL);
        job_free(r, j);
        return;
    }
    pthread_mutex_lock(&p->mu);
    while (p->queued >= p->max_queued && !r->status) pthread_cond_wait(&p->not_full, &p->mu);
    if (r->status) {
        pthread_mutex_unlock(&p->mu);
        job_free(r, j);
        return;
    }
    if (p->tail) p->tail->next = j;
    else p->head = j;
    p->tail = j;
    p->queued++;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
}

static lp_status reader_status(reader *r)
{
    if (!r->pool) return r->status;
    pthread_mutex_lock(&r->pool->mu);
    lp_status st = r->status;
    pthread_mutex_unlock(&r->pool->mu);
    return st;
}

static void reader_fail_locked(reader *r, lp_status st, const char *msg)
{
    if (r->pool) pthread_mutex_lock(&r->pool->mu);
    reader_fail(r, st, false, msg);
    if (r->pool) pthread_mutex_unlock(&r->pool->mu);
}

/* ---- Dialect detection ---- */

/* Reads the raw first block: BOM, encoding, binary content. Returns the
 * BOM length, or -1 (with r failed) for a binary file. */
static int detect_encoding(reader *r, const uint8_t *p, size_t n)
{
    lp_csv_dialect *d = &r->dialect;
    char msg[LP_ERRMSG_SIZE];
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        d->bom = true;
        d->encoding = LP_CSV_UTF8;
        return 3;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        d->bom = true;
        d->encoding = LP_CSV_UTF16LE;
        return 2;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        d->bom = true;
        d->encoding = LP_CSV_UTF16BE;
        return 2;
    }
    const char *kind = NULL;
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) kind = "a zip archive (an .xlsx workbook?)";
    else if (n >= 4 && memcmp(p, "\xD0\xCF\x11\xE0", 4) == 0) kind = "an .xls workbook";
    else if (n >= 5 && memcmp(p, "%PDF-", 5) == 0) kind = "a PDF document";
    if (kind) {
        snprintf(msg, sizeof msg, "%s is not a CSV file: it is %s; export it as CSV", r->label,
                 kind);
        reader_fail(r, LP_ERR_INPUT, false, msg);
        return -1;
    }
    /* One pass over the block: the zeros of its first bytes (UTF-16
     * without BOM has them in every other byte), any NUL, and the control
     * characters; a byte of 0x20 and above needs one test. */
    size_t sample = n < 4096 ? n & ~(size_t)1 : 4096;
    size_t zero_even = 0, zero_odd = 0, zeros = 0, controls = 0;
    for (size_t i = 0; i < n; i++) {
        /* eight bytes of 0x20 and above at a time, then to the first below */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            uint64_t m = control_bytes(w);
            if (m) {
                i += (size_t)__builtin_ctzll(m) >> 3;
                break;
            }
            i += 8;
        }
        if (i >= n) break;
        uint8_t b = p[i];
        if (b >= 0x20) continue;
        if (b == 0) {
            zeros++;
            if (i < sample) *(i & 1 ? &zero_odd : &zero_even) += 1;
        } else if (b != '\t' && b != '\n' && b != '\r' && b != '\f') {
            controls++;
        }
    }
    if (sample >= 4 && zero_even == 0 && zero_odd * 4 >= sample) {
        d->encoding = LP_CSV_UTF16LE;
        return 0;
    }
    if (sample >= 4 && zero_odd == 0 && zero_even * 4 >= sample) {
        d->encoding = LP_CSV_UTF16BE;
        return 0;
    }
    if (zeros) {
        snprintf(msg, sizeof msg, "%s is not a text file (it holds NUL bytes)", r->label);
        reader_fail(r, LP_ERR_INPUT, false, msg);
        return -1;
    }
    if (controls * 100 > n) {
        snprintf(msg, sizeof msg, "%s is not a text file (it holds control characters)", r->label);
        reader_fail(r, LP_ERR_INPUT, false, msg);
        return -1;
    }
    d->encoding = utf8_valid(p, n) ? LP_CSV_UTF8 : LP_CSV_CP1252;
    return 0;
}

/* Ends record number `record` of the delimiter count: its count of each
 * candidate is the header's, or is compared with the header's. */
static void count_record(size_t header[4], size_t counts[4], size_t consistent[4],
                         size_t record)
{
    for (int k = 0; k < 4; k++) {
        if (record == 0) header[k] = counts[k];
        else if (counts[k] == header[k]) consistent[k]++;
        counts[k] = 0;
    }
}

/* Delimiter, quote and line ends from the decoded start of the file. */
static void detect_layout(lp_csv_dialect *d, const char *s, size_t n, bool at_eof)
{
    if (n > 65536) {
        n = 65536;
        at_eof = false;
    }
    /* quote: '"' unless the text has none and fields start with '\'' */
    d->quote = '"';
    if (!memchr(s, '"', n)) {
        size_t single = 0;
        for (const char *q = memchr(s, '\'', n); q; q = memchr(q + 1, '\'', n - (size_t)(q + 1 - s)))
            if (q == s || strchr(",;\t|\n", q[-1])) single++;
        if (single >= 2) d->quote = '\'';
    }
    /* line ends */
    const char *lf = memchr(s, '\n', n);
    d->crlf = lf && lf > s && lf[-1] == '\r';
    d->cr = !lf && memchr(s, '\r', n) != NULL;
    char eol = d->cr ? '\r' : '\n';
    /* delimiter: count each candidate per record outside quotes. A byte's
     * class (0 for most bytes, else a candidate, the quote or the line end)
     * comes from a table, so that most bytes take one test. */
    static const char cands[4] = {',', ';', '\t', '|'};
    enum { CLASS_QUOTE = 5, CLASS_EOL = 6 };
    uint8_t cls[256] = {0};
    for (int k = 0; k < 4; k++) cls[(unsigned char)cands[k]] = (uint8_t)(k + 1);
    cls[(unsigned char)d->quote] = CLASS_QUOTE;
    cls[(unsigned char)eol] = CLASS_EOL;
    size_t header[4] = {0}, counts[4] = {0}, consistent[4] = {0}, records = 0;
    bool in_quote = false;
    size_t i = 0;
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t stops[6] = {ones * (uint8_t)cands[0], ones * (uint8_t)cands[1],
                               ones * (uint8_t)cands[2], ones * (uint8_t)cands[3],
                               ones * (uint8_t)d->quote, ones * (uint8_t)eol};
    for (; i < n && records < 50; i++) {
        /* eight bytes of class 0 at a time, then to the first other one */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t m = zero_bytes(w ^ stops[0]) | zero_bytes(w ^ stops[1]) |
                         zero_bytes(w ^ stops[2]) | zero_bytes(w ^ stops[3]) |
                         zero_bytes(w ^ stops[4]) | zero_bytes(w ^ stops[5]);
            if (m) {
                i += (size_t)__builtin_ctzll(m) >> 3;
                break;
            }
            i += 8;
        }
        if (i >= n) break;
        unsigned k = cls[(unsigned char)s[i]];
        if (!k) continue;
        if (k == CLASS_QUOTE) in_quote = !in_quote;
        if (in_quote || k == CLASS_QUOTE) continue;
        if (k <= 4) {
            counts[k - 1]++;
            continue;
        }
        count_record(header, counts, consistent, records++);
    }
    /* the last line of the input ends the last record without a line end */
    if (at_eof && n && i == n && !in_quote && cls[(unsigned char)s[n - 1]] != CLASS_EOL)
        count_record(header, counts, consistent, records++);
    if (records == 0) /* no complete line: the header alone */
        for (int k = 0; k < 4; k++) header[k] = counts[k];
    int best = 0;
    size_t best_consistent = 0, best_count = 0;
    for (int k = 0; k < 4; k++) {
        if (!header[k]) continue;
        if (consistent[k] > best_consistent ||
            (consistent[k] == best_consistent && header[k] > best_count)) {
            best = k;
            best_consistent = consistent[k];
            best_count = header[k];
        }
    }
    d->delimiter = cands[best];
}

/* ---- The reading loop ---- */

static void show_progress(reader *r, bool final)
{
    if (!r->progress || !r->file_bytes) return;
    int pct = (int)(r->bytes_read * 100 / r->file_bytes);
    if (pct > 100) pct = 100;
    if (pct == r->last_pct && !final) return;
    r->last_pct = pct;
    fprintf(stderr, "\r%s: %3d%%%s", r->label, pct, final ? "\n" : "");
    fflush(stderr);
}

/* Number of LFs in s[0..n), eight bytes at a time: a byte equal to LF
 * becomes zero after the XOR, and the zero-byte test leaves its high bit;
 * the bits are summed in byte lanes, folded before they can overflow. */
static size_t count_lf(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7F, lf = ones * '\n';
    size_t count = 0, i = 0;
    while (i + 8 <= n) {
        uint64_t lanes = 0;
        for (int k = 0; k < 255 && i + 8 <= n; k++, i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t x = w ^ lf;
            lanes += (~(((x & low7) + low7) | x) & (ones << 7)) >> 7;
        }
        uint64_t pairs = (lanes & 0x00FF00FF00FF00FFULL) + ((lanes >> 8) & 0x00FF00FF00FF00FFULL);
        count += (size_t)((pairs * 0x0001000100010001ULL) >> 48);
    }
    for (; i < n; i++) count += s[i] == '\n';
    return count;
}

/* Scans cur[scanned..len) for quotes and LFs, a stretch between quotes at a
 * time: its LFs are counted, and outside quotes the last one is a record
 * boundary. */
static void scan(reader *r)
{
    const char *s = r->cur.data;
    char q = r->dialect.quote;
    size_t i = r->scanned, n = r->cur.len;
    bool in_quote = r->in_quote;
    size_t newlines = r->newlines;
    while (i < n) {
        const char *quote = memchr(s + i, q, n - i);
        size_t stop = quote ? (size_t)(quote - s) : n;
        size_t lfs = count_lf(s + i, stop - i);
        if (lfs) {
            newlines += lfs;
            if (!in_quote) {
                const char *last = memrchr(s + i, '\n', stop - i);
                r->cut = (size_t)(last - s) + 1;
                r->cut_newlines = newlines;
            }
        }
        if (!quote) break;
        in_quote = !in_quote;
        if (in_quote) {
            r->quote_open = stop;
            r->quote_line = r->first_line + newlines;
        }
        i = stop + 1;
    }
    r->in_quote = in_quote;
    r->newlines = newlines;
    r->scanned = n;
}

/* Drops cur[0..cut) after it has been used: the tail moves to a new buffer
 * (or to the front of the same one when keep_buffer). */
static lp_status shift_cur(reader *r, bool keep_buffer, bytes *out_old)
{
    size_t tail = r->cur.len - r->cut;
    if (keep_buffer) {
        memmove(r->cur.data, r->cur.data + r->cut, tail);
    } else {
        bytes next;
        if (buffer_take(r, &next)) return LP_ERR_NOMEM;
        if (bytes_reserve(&next, tail + 3 * BLOCK_SIZE + 16)) {
            lp_free(next.data);
            return LP_ERR_NOMEM;
        }
        memcpy(next.data, r->cur.data + r->cut, tail);
        *out_old = r->cur;
        r->cur = next;
    }
    r->cur.len = tail;
    r->scanned -= r->cut;
    if (r->in_quote) r->quote_open -= r->cut;
    r->first_line += r->cut_newlines;
    r->newlines -= r->cut_newlines;
    r->cut = 0;
    r->cut_newlines = 0;
    return LP_OK;
}

typedef struct header_capture {
    reader *r;
    bool found;
} header_capture;

static lp_status capture_header(void *target, const lp_csv_record *rec)
{
    header_capture *hc = target;
    if (hc->found) return LP_OK;
    hc->found = true;
    return hc->r->h->header(hc->r->h->ctx, rec, &hc->r->dialect);
}

/* Parses cur[0..end) as the header segment (the first record, after any
 * blank lines). Returns true when a header was found. */
static bool take_header(reader *r, size_t end)
{
    header_capture hc = {r, false};
    chunk_parse cp;
    parse_chunk(&cp, &r->dialect, r->label, r->limits, r->cur.data, end, r->first_line, false,
                capture_header, &hc);
    if (cp.status) {
        reader_fail(r, cp.status, cp.callback_failed, cp.errmsg);
        return false;
    }
    return hc.found;
}


/* A size for a message: "640 bytes" below a megabyte (a limit of 200 bytes
 * printed as "0.0 MB" says nothing), else "12.3 MB". */
static void size_text(uint64_t bytes, char *buf, size_t size)
{
    if (bytes < 1000000)
        snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
    else
        snprintf(buf, size, "%.1f MB", (double)bytes / 1e6);
}
/* Header handling and chunk cutting after new bytes were scanned. */
static void process(reader *r, bool at_eof)
{
    while (!r->header_done && !r->status) {
        /* the first record boundary */
        size_t end = 0, lines = 0;
        bool in_quote = false;
        /* from quote to LF with memchr: each toggles in_quote or ends a line */
        const char *d = r->cur.data, *limit = d + r->cur.len;
        const char *q = r->cur.len ? memchr(d, r->dialect.quote, r->cur.len) : NULL;
        const char *lf = r->cur.len ? memchr(d, '\n', r->cur.len) : NULL;
        while (q || lf) {
            if (q && (!lf || q < lf)) {
                in_quote = !in_quote;
                q = memchr(q + 1, r->dialect.quote, (size_t)(limit - q - 1));
                continue;
            }
            lines++;
            if (!in_quote) {
                end = (size_t)(lf - d) + 1;
                break;
            }
            lf = memchr(lf + 1, '\n', (size_t)(limit - lf - 1));
        }
        if (!end) {
            if (!at_eof) return;
            end = r->cur.len;
            if (!end) return;
        }
        bool found = take_header(r, end);
        if (r->status) return;
        r->cut = end;
        r->cut_newlines = lines;
        /* recount what remains: the scan state restarts after the header */
        size_t first = r->first_line;
        shift_cur(r, true, NULL);
        r->first_line = first + lines;
        r->scanned = 0;
        r->newlines = 0;
        r->in_quote = false;
        r->cut = 0;
        if (found) {
            r->header_done = true;
            if (r->header_only) return;
        }
        scan(r);
    }
    if (reader_status(r) || !r->header_done || r->header_only) return;
    if (r->in_quote && r->cur.len - r->quote_open > r->limits.max_field_bytes + 2) {
        char msg[LP_ERRMSG_SIZE];
        snprintf(msg, sizeof msg,
                 "%s line %zu: a quoted field is longer than %zu bytes (max_field_bytes) or "
                 "its closing quote is missing",
                 r->label, r->quote_line, r->limits.max_field_bytes);
        reader_fail_locked(r, LP_ERR_LIMIT, msg);
        return;
    }
    if (r->cur.len - r->cut > (r->limits.max_field_bytes + 1) * r->limits.max_columns) {
        char msg[LP_ERRMSG_SIZE];
        snprintf(msg, sizeof msg, "%s line %zu: a record is longer than max_columns x max_field_bytes",
                 r->label, r->first_line + r->cut_newlines);
        reader_fail_locked(r, LP_ERR_LIMIT, msg);
        return;
    }
    if (r->cur.len >= CHUNK_SIZE && r->cut) {
        size_t len = r->cut, first = r->first_line;
        bytes old = {0};
        if (shift_cur(r, false, &old)) {
            reader_fail_locked(r, LP_ERR_NOMEM, "out of memory");
            return;
        }
        submit(r, old.data, len, old.cap, first);
    }
    if (at_eof && r->cur.len && !reader_status(r)) {
        bytes data = r->cur;
        size_t first = r->first_line;
        r->cur = (bytes){0};
        submit(r, data.data, data.len, data.cap, first);
    }
}

static lp_status read_file(reader *r, int threads)
{
    char msg[LP_ERRMSG_SIZE];
    int fd = r->pull || r->mem ? -1 : open(r->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && !r->pull && !r->mem) {
        snprintf(msg, sizeof msg, "%s: cannot open: %s", r->label, strerror(errno));
        reader_fail(r, errno == ENOENT || errno == EACCES || errno == ENOTDIR ? LP_ERR_INPUT
                                                                                : LP_ERR_IO,
                    false, msg);
        return r->status;
    }
    uint8_t *raw = NULL;
    struct stat stbuf;
    if (fd >= 0 && fstat(fd, &stbuf) == 0) {
        if (S_ISDIR(stbuf.st_mode)) {
            snprintf(msg, sizeof msg, "%s is a folder, not a CSV file", r->label);
            reader_fail(r, LP_ERR_INPUT, false, msg);
            goto cleanup;
        }
        if (S_ISREG(stbuf.st_mode)) r->file_bytes = (uint64_t)stbuf.st_size;
    }
    /* bytes in memory are read in one block of their own size (up to 1 MiB) */
    size_t block = BLOCK_SIZE;
    if (r->mem) {
        r->file_bytes = r->mem_size;
        if (r->mem_size < BLOCK_SIZE) block = r->mem_size;
    }
    if (r->file_bytes > r->max_file_bytes) {
        char size[32], limit[32];
        size_text(r->file_bytes, size, sizeof size);
        size_text(r->max_file_bytes, limit, sizeof limit);
        snprintf(msg, sizeof msg, "%s is %s, above the limit of %s (max_file_bytes)", r->label,
                 size, limit);
        reader_fail(r, LP_ERR_LIMIT, false, msg);
        goto cleanup;
    }
    raw = lp_malloc(block + 8);
    bool small = block < BLOCK_SIZE; /* an input in memory smaller than one block */
    if (raw && small && !r->cur.data) {
        /* a first chunk buffer of the input's size (decoding at most
         * triples it), not a whole chunk buffer */
        r->cur.cap = 3 * block + 16;
        if (!(r->cur.data = lp_malloc(r->cur.cap))) r->cur.cap = 0;
    }
    if (!raw || (small || r->header_only ? bytes_reserve(&r->cur, 3 * block + 16)
                                         : buffer_take(r, &r->cur))) {
        reader_fail(r, LP_ERR_NOMEM, false, "out of memory");
        goto cleanup;
    }
    /* a stream's size is unknown: it gets the pool whenever threads are asked for */
    if (threads > 1 && (r->pull || r->file_bytes > 2 * CHUNK_SIZE) && !r->header_only &&
        pool_start(r, threads) != LP_OK) {
        reader_fail(r, LP_ERR_NOMEM, false, "cannot start parser threads");
        goto cleanup;
    }
    size_t carry = 0;
    bool first = true;
    for (;;) {
        ssize_t got;
        if (r->pull) {
            size_t pulled = 0;
            msg[0] = '\0';
            lp_status pst = r->pull(r->pull_ctx, raw + carry, BLOCK_SIZE, &pulled, msg);
            if (pst) {
                if (!msg[0]) snprintf(msg, sizeof msg, "%s: read failed", r->label);
                reader_fail_locked(r, pst, msg);
                break;
            }
            got = (ssize_t)pulled;
        } else if (r->mem) {
            size_t left = r->mem_size - r->mem_off;
            got = (ssize_t)(left < block ? left : block);
            memcpy(raw + carry, r->mem + r->mem_off, (size_t)got);
            r->mem_off += (size_t)got;
        } else {
            do got = read(fd, raw + carry, BLOCK_SIZE);
            while (got < 0 && errno == EINTR);
        }
        if (got < 0) {
            snprintf(msg, sizeof msg, "%s: read failed: %s", r->label, strerror(errno));
            reader_fail_locked(r, LP_ERR_IO, msg);
            break;
        }
        bool eof = got == 0;
        /* a header-only read reports no digest; a caller may work it out itself */
        if (!r->header_only && !r->no_digest) lp_sha256_update(&r->sha, raw + carry, (size_t)got);
        r->bytes_read += (uint64_t)got;
        if (r->bytes_read > r->max_file_bytes) {
            char limit[32];
            size_text(r->max_file_bytes, limit, sizeof limit);
            snprintf(msg, sizeof msg, "%s is above the limit of %s (max_file_bytes)", r->label,
                     limit);
            reader_fail_locked(r, LP_ERR_LIMIT, msg);
            break;
        }
        size_t n = carry + (size_t)got, start = 0;
        if (first) {
            if (n == 0) {
                snprintf(msg, sizeof msg, "%s is empty", r->label);
                reader_fail(r, LP_ERR_INPUT, false, msg);
                break;
            }
            /* a stream's dialect is known (COPY ... FORMAT csv in UTF-8) */
            int bom = r->pull ? 0 : detect_encoding(r, raw, n);
            if (bom < 0) break;
            start = (size_t)bom;
        }
        if (bytes_reserve(&r->cur, 3 * (n - start) + 16)) {
            reader_fail_locked(r, LP_ERR_NOMEM, "out of memory");
            break;
        }
        size_t before = r->cur.len;
        size_t used = start + decode(r->dialect.encoding, raw + start, n - start, eof, &r->cur);
        if (first) {
            if (!r->pull) detect_layout(&r->dialect, r->cur.data, r->cur.len, eof);
            r->dialect_known = true;
            first = false;
        }
        if (r->dialect.cr)
            for (size_t i = before; i < r->cur.len; i++)
                if (r->cur.data[i] == '\r') r->cur.data[i] = '\n';
        carry = n - used;
        memmove(raw, raw + used, carry);
        scan(r);
        process(r, eof);
        show_progress(r, eof);
        if (eof || reader_status(r) || (r->header_only && r->header_done)) break;
    }
    if (!r->status && !r->header_done) {
        snprintf(msg, sizeof msg, "%s is empty (no header line)", r->label);
        reader_fail_locked(r, LP_ERR_INPUT, msg);
    }
cleanup:
    pool_stop(r);
    while (r->nspare) lp_free(r->spare[--r->nspare]);
    lp_free(raw);
    lp_free(r->cur.data);
    r->cur = (bytes){0};
    if (fd >= 0) close(fd);
    return r->status;
}

static void reader_init(reader *r, const char *path, const lp_csv_limits *limits,
                        const lp_csv_handler *h, const char *label)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->label = label ? label : path;
    r->h = h;
    r->limits.max_field_bytes = limits && limits->max_field_bytes ? limits->max_field_bytes
                                                                  : LP_CSV_DEFAULT_MAX_FIELD_BYTES;
    r->limits.max_columns = limits && limits->max_columns ? limits->max_columns
                                                          : LP_CSV_DEFAULT_MAX_COLUMNS;
    r->max_file_bytes = limits && limits->max_file_bytes ? limits->max_file_bytes
                                                         : LP_CSV_DEFAULT_MAX_FILE_BYTES;
    r->first_line = 1;
    r->last_pct = -1;
    r->dialect.delimiter = ',';
    r->dialect.quote = '"';
    lp_sha256_init(&r->sha);
}

/* Reads what a file or stream reader was set up for, on the configured
 * number of threads, and reports the dialect, size and digest. */
static lp_status run_reader(reader *r, const lp_csv_options *options, lp_csv_info *out_info,
                            char *errmsg)
{
    int threads = options->threads;
    if (threads <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (int)(cores > 16 ? 16 : cores) : 1;
    }
    lp_status st = read_file(r, threads);
    if (st) {
        if (errmsg && !r->callback_failed) snprintf(errmsg, LP_ERRMSG_SIZE, "%s", r->errmsg);
        return st;
    }
    if (out_info) {
        out_info->dialect = r->dialect;
        out_info->file_bytes = r->bytes_read;
        out_info->records = r->records;
        out_info->chunks = r->nchunks;
        if (r->no_digest)
            out_info->sha256[0] = '\0';
        else
            lp_sha256_final_hex(&r->sha, out_info->sha256);
    }
    return LP_OK;
}

lp_status lp_csv_read(const char *path, const lp_csv_options *options,
                      const lp_csv_handler *handler, lp_csv_info *out_info, char *errmsg)
{
    lp_csv_options defaults = {0};
    if (!options) options = &defaults;
    reader r;
    reader_init(&r, path, &options->limits, handler, options->label);
    r.progress = options->progress && isatty(STDERR_FILENO);
    r.no_digest = options->no_digest;
    return run_reader(&r, options, out_info, errmsg);
}

lp_status lp_csv_read_buffer(const void *data, size_t size, const lp_csv_options *options,
                             const lp_csv_handler *handler, lp_csv_info *out_info,
                             char *errmsg)
{
    lp_csv_options defaults = {0};
    if (!options) options = &defaults;
    const char *label = options->label ? options->label : "buffer";
    reader r;
    reader_init(&r, label, &options->limits, handler, label);
    r.mem = data ? data : (const uint8_t *)"";
    r.mem_size = data ? size : 0;
    r.progress = false;
    return run_reader(&r, options, out_info, errmsg);
}

/* ---- Byte streams (csv_stream.h) ---- */

lp_status lp_csv_read_stream(lp_csv_pull pull, void *pull_ctx, const lp_csv_options *options,
                             const lp_csv_handler *handler, lp_csv_info *out_info, char *errmsg)
{
    lp_csv_options defaults = {0};
    if (!options) options = &defaults;
    reader r;
    reader_init(&r, options->label ? options->label : "stream", &options->limits, handler,
                options->label);
    r.pull = pull;
    r.pull_ctx = pull_ctx;
    r.progress = false; /* the size of a stream is unknown */
    return run_reader(&r, options, out_info, errmsg);
}

/* ---- Header only ---- */

static lp_status header_keep(void *ctx, const lp_csv_record *rec, const lp_csv_dialect *dialect)
{
    lp_csv_header *h = ctx;
    h->dialect = *dialect;
    h->names = lp_calloc(rec->nfields, sizeof *h->names);
    if (!h->names) return LP_ERR_NOMEM;
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *start;
        size_t len = 0;

        len = lp_value_trim(rec->fields[i], rec->lens[i], &start);
        h->names[i] = lp_strndup(start, len);
        if (!h->names[i]) return LP_ERR_NOMEM;
        h->nnames++;
    }
    return LP_OK;
}

static lp_status header_no_chunk(void *ctx, void **out_chunk)
{
    (void)ctx;
    *out_chunk = NULL;
    return LP_OK;
}

lp_status lp_csv_read_header(const char *path, const lp_csv_limits *limits,
                             lp_csv_header **out_header, char *errmsg)
{
    lp_csv_header *h = lp_calloc(1, sizeof *h);
    if (!h) return LP_ERR_NOMEM;
    lp_csv_handler handler = {h, header_keep, header_no_chunk, NULL, NULL, NULL};
    reader r;
    reader_init(&r, path, limits, &handler, NULL);
    r.header_only = true;
    lp_status st = read_file(&r, 1);
    if (st) {
        if (errmsg) {
            if (r.callback_failed) snprintf(errmsg, LP_ERRMSG_SIZE, "%s: out of memory", path);
            else snprintf(errmsg, LP_ERRMSG_SIZE, "%s", r.errmsg);
        }
        lp_csv_header_free(h);
        return st;
    }
    *out_header = h;
    return LP_OK;
}

lp_status lp_csv_read_header_buffer(const void *data, size_t size, const char *label,
                                    const lp_csv_limits *limits, lp_csv_header **out_header,
                                    char *errmsg)
{
    lp_csv_header *h = lp_calloc(1, sizeof *h);
    if (!h) return LP_ERR_NOMEM;
    if (!label) label = "buffer";
    lp_csv_handler handler = {h, header_keep, header_no_chunk, NULL, NULL, NULL};
    reader r;
    reader_init(&r, label, limits, &handler, label);
    r.mem = data ? data : (const uint8_t *)"";
    r.mem_size = data ? size : 0;
    r.header_only = true;
    lp_status st = read_file(&r, 1);
    if (st) {
        if (errmsg) {
            if (r.callback_failed) snprintf(errmsg, LP_ERRMSG_SIZE, "%s: out of memory", label);
            else snprintf(errmsg, LP_ERRMSG_SIZE, "%s", r.errmsg);
        }
        lp_csv_header_free(h);
        return st;
    }
    *out_header = h;
    return LP_OK;
}

void lp_csv_header_free(lp_csv_header *header)
{
    if (!header) return;
    for (size_t i = 0; i < header->nnames; i++) lp_free(header->names[i]);
    lp_free(header->names);
    lp_free(header);
}
