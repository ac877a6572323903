/*
 * table.h: the column store.
 *
 * A column is a type, a length, a null count, a validity bitmap and
 * contiguous values, as in Arrow's C data interface. Strings are dictionary
 * codes (int32) into the owning table's string pool. Instants are int64
 * seconds since 1970-01-01T00:00:00Z; dates are int32 days since 1970-01-01
 * (a civil date, meaning 00:00 in the report time zone).
 *
 * A table owns an arena for its strings and names and the buffers of its
 * columns; lp_table_free releases everything. No row structs, no allocation
 * per cell: appends grow buffers geometrically.
 */
#ifndef LP_TABLE_H
#define LP_TABLE_H

#include "lp/lp.h"

typedef enum lp_type {
    LP_TYPE_INT64,
    LP_TYPE_DOUBLE,
    LP_TYPE_BOOL,     /* stored as uint8_t 0/1 */
    LP_TYPE_DATE,     /* int32 days since 1970-01-01 */
    LP_TYPE_INSTANT,  /* int64 seconds since the epoch, UTC */
    LP_TYPE_STRING    /* int32 code into the table's string pool */
} lp_type;

/* "int64", "double", "bool", "date", "instant", "string". */
const char *lp_type_name(lp_type type);

/* ---- Arena: bump allocation freed all at once. ---- */
typedef struct lp_arena lp_arena;

lp_arena *lp_arena_new(void);
void lp_arena_free(lp_arena *arena);
/* size bytes aligned to 16, or NULL when out of memory. Freed with the arena. */
void *lp_arena_alloc(lp_arena *arena, size_t size);
/* NUL-terminated copy of len bytes of s in the arena, or NULL. */
char *lp_arena_strndup(lp_arena *arena, const char *s, size_t len);

/* ---- String pool: interns byte strings to dense int32 codes 0..n-1. ----
 *
 * Strings are stored once each, in one buffer with 32-bit offsets (Arrow's
 * utf8 layout; at most 4 GiB of text per pool, LP_ERR_LIMIT beyond), and
 * found through a hash index. Pointers from lp_strpool_get stay valid until
 * the next string is added to the same pool. */
typedef struct lp_strpool lp_strpool;

lp_strpool *lp_strpool_new(void);
void lp_strpool_free(lp_strpool *pool);
/* Code of the len bytes at s, adding them when new. */
lp_status lp_strpool_intern(lp_strpool *pool, const char *s, size_t len,
                            int32_t *out_code);
/* Code of s, or -1 when the pool does not hold it. */
int32_t lp_strpool_find(const lp_strpool *pool, const char *s, size_t len);
/* The NUL-terminated string for code (borrowed), or NULL if out of range. */
const char *lp_strpool_get(const lp_strpool *pool, int32_t code);
/* Length in bytes of the string for code. */
size_t lp_strpool_strlen(const lp_strpool *pool, int32_t code);
/* Number of distinct strings held. */
int32_t lp_strpool_count(const lp_strpool *pool);
/* Interning in two steps, so that a caller with several strings at hand
 * can overlap their cache misses: hash every string, prefetch each, then
 * intern each with its hash. lp_strpool_hash is the pool's hash of the len
 * bytes at s; lp_strpool_prefetch only warms the cache (no effect on
 * results); lp_strpool_intern_hashed is lp_strpool_intern given that hash. */
uint64_t lp_strpool_hash(const char *s, size_t len);
void lp_strpool_prefetch(const lp_strpool *pool, uint64_t hash);
lp_status lp_strpool_intern_hashed(lp_strpool *pool, const char *s, size_t len, uint64_t hash,
                                   int32_t *out_code);
/* Makes room for n distinct strings in total without regrowing. */
lp_status lp_strpool_reserve(lp_strpool *pool, size_t n);
/* Bytes of text held: every string's bytes plus its NUL. */
size_t lp_strpool_text_bytes(const lp_strpool *pool);
/* Makes room for nbytes of text in total (strings and their NULs) without
 * regrowing. */
lp_status lp_strpool_reserve_text(lp_strpool *pool, size_t nbytes);
/* Adds s as a new code without looking for it, so the pool may hold equal
 * strings under several codes: for a staging pool that is only read by
 * code and then merged (lp_strpool_merge maps equal strings to one code),
 * such as a loader's chunk of unique identifiers, where looking each one
 * up would find nothing. Frees the pool's hash index; a lookup afterwards
 * finds one of the codes of a string. */
lp_status lp_strpool_append(lp_strpool *pool, const char *s, size_t len, int32_t *out_code);
/* Gives back the spare capacity of a pool that is done growing. */
void lp_strpool_compact(lp_strpool *pool);
/* Frees the hash index (about 12 bytes per string), for a pool whose
 * strings will rarely be looked up again. Lookups and interning still
 * work: the first one rebuilds the index from the strings (lp_strpool_find
 * scans instead when there is no memory for it). Concurrent lookups of one
 * pool from several threads are safe, as before; interning is not. */
void lp_strpool_drop_index(lp_strpool *pool);
/* Bytes the pool holds: strings, offsets and index (as allocated). */
size_t lp_strpool_bytes(const lp_strpool *pool);
/* Interns every string of from into pool, in from's code order (so codes
 * new to pool keep their order of first appearance): out_map[c] = pool's
 * code of from's string c. out_map holds lp_strpool_count(from) values.
 * On failure pool holds a prefix of from's strings and out_map is partial. */
lp_status lp_strpool_merge(lp_strpool *pool, const lp_strpool *from, int32_t *out_map);

/* ---- Columns ---- */
struct lp_table;

typedef struct lp_column {
    const char *name;        /* column name, owned by the table's arena */
    lp_type type;            /* value type */
    size_t length;           /* number of values, nulls included */
    size_t null_count;       /* number of nulls */
    size_t capacity;         /* values allocated */
    uint8_t *validity;       /* bit i (LSB first) set = value i is valid */
    union {
        int64_t *i64;        /* LP_TYPE_INT64 and LP_TYPE_INSTANT */
        double *f64;         /* LP_TYPE_DOUBLE */
        uint8_t *b;          /* LP_TYPE_BOOL */
        int32_t *i32;        /* LP_TYPE_DATE and LP_TYPE_STRING (codes) */
        void *raw;
    } v;
    struct lp_table *table;  /* owning table (its pool holds the strings) */
} lp_column;

static inline bool lp_column_valid(const lp_column *col, size_t row)
{
    return (col->validity[row >> 3] >> (row & 7)) & 1;
}

/* Makes room for at least n values in total. */
lp_status lp_column_reserve(lp_column *col, size_t n);
lp_status lp_column_append_null(lp_column *col);
lp_status lp_column_append_int64(lp_column *col, int64_t value);   /* INT64, INSTANT */
lp_status lp_column_append_double(lp_column *col, double value);
lp_status lp_column_append_bool(lp_column *col, bool value);
lp_status lp_column_append_date(lp_column *col, int32_t days);
lp_status lp_column_append_code(lp_column *col, int32_t code);     /* STRING */
/* Interns len bytes of s in the table's pool and appends the code. */
lp_status lp_column_append_string(lp_column *col, const char *s, size_t len);
/* String value of a STRING column at row (borrowed), NULL when null. */
const char *lp_column_str(const lp_column *col, size_t row);
/* Value as double for numeric kinds (INT64, DOUBLE, BOOL, DATE, INSTANT);
 * NAN when null or a STRING column. */
double lp_column_number(const lp_column *col, size_t row);

/* ---- Tables ---- */
typedef struct lp_table {
    char *name;              /* table name, owned by the arena */
    size_t nrows;            /* rows, set by lp_table_finish */
    size_t ncols;            /* columns */
    size_t cols_cap;         /* columns allocated */
    lp_column **columns;     /* ncols column pointers */
    lp_strpool *pool;        /* strings of every STRING column */
    lp_arena *arena;         /* names and small allocations */
} lp_table;

lp_table *lp_table_new(const char *name);
void lp_table_free(lp_table *table);
/* Adds an empty column; fails with LP_ERR_USAGE if the name exists. The
 * returned column is borrowed from the table. */
lp_status lp_table_add_column(lp_table *table, const char *name, lp_type type,
                              lp_column **out_column);
/* Column by name, or NULL. */
lp_column *lp_table_column(const lp_table *table, const char *name);
/* Sets nrows after appends; LP_ERR_USAGE unless every column has the same
 * length. */
lp_status lp_table_finish(lp_table *table);

/* Gives back the spare capacity of every column and of the string pool
 * (lp_strpool_compact), once no more rows will be appended (appends still
 * work and grow again). Never fails: a buffer that cannot be shrunk
 * stays as it is. */
void lp_table_shrink(lp_table *table);

/* Bytes the table holds in memory: column buffers and validity bitmaps (as
 * allocated), the string pool's strings, code array and hash slots, and the
 * arena. For reporting ("loaded data takes N MB"), not for accounting. */
size_t lp_table_bytes(const lp_table *table);

/* For joins across tables: out_map[code in from's pool] = the code of the
 * same string in to's pool, or -1. Caller frees *out_map with lp_free. */
lp_status lp_table_translate_codes(const lp_table *from, const lp_table *to,
                                   int32_t **out_map);

/* lp_table_translate_codes for the codes col (a STRING column) uses: out_map
 * has one value per code of col's pool, the code of the same string in to's
 * pool, or -1 when to lacks it or col never uses the code. Cheaper when col
 * uses few of its pool's strings. Caller frees *out_map with lp_free. */
lp_status lp_column_translate_codes(const lp_column *col, const lp_table *to, int32_t **out_map);

#endif
