/*
 * Arena, string pool, columns and tables (table.h).
 *
 * The string pool stores each distinct string once, packed with its length,
 * and keeps an open-addressing hash table of tagged codes (see below), so
 * interning is one hash and usually one cache line of slots plus one
 * comparison.
 */
#include "lp/table.h"

#include <math.h>
#include <string.h>

/* ---- Arena ---- */

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char bytes[];
} arena_chunk;

struct lp_arena {
    arena_chunk *head;
};

lp_arena *lp_arena_new(void) { return lp_calloc(1, sizeof(lp_arena)); }

void lp_arena_free(lp_arena *arena)
{
    if (!arena) return;
    arena_chunk *chunk = arena->head;
    while (chunk) {
        arena_chunk *next = chunk->next;
        lp_free(chunk);
        chunk = next;
    }
    lp_free(arena);
}

void *lp_arena_alloc(lp_arena *arena, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk *chunk = arena->head;
    if (!chunk || chunk->size - chunk->used < size) {
        size_t chunk_size = size > 65536 ? size : 65536;
        chunk = lp_malloc(sizeof(arena_chunk) + chunk_size);
        if (!chunk) return NULL;
        chunk->size = chunk_size;
        chunk->used = 0;
        chunk->next = arena->head;
        arena->head = chunk;
    }
    void *p = chunk->bytes + chunk->used;
    chunk->used += size;
    return p;
}

char *lp_arena_strndup(lp_arena *arena, const char *s, size_t len)
{
    char *copy = lp_arena_alloc(arena, len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

/* ---- String pool ----
 *
 * Strings live packed in a heap of blocks, each as [uint32 length][bytes]
 * [NUL]; strs[code] points at the bytes, so a string and its length share a
 * cache line. The hash table is open addressing with linear probing over
 * 8-byte slots: the high 32 bits hold a tag (the top half of the string's
 * 64-bit hash), the low 32 bits code + 1 (0 = empty). The slot index is the
 * tag's low bits, so growing rehashes from the slots alone, and a probe
 * reads the string only when the tag matches. Load stays below 0.7.
 *
 * The hash reads eight bytes at a time (the wyhash construction: 64x64 ->
 * 128-bit multiply, folded), which is several times faster than a byte
 * loop on the short identifiers, e-mails and names of CRM exports. */

typedef struct heap_block {
    struct heap_block *next;
    size_t used;
    size_t size;
    char bytes[];
} heap_block;

struct lp_strpool {
    heap_block *heap;    /* string blocks, newest first */
    const char **strs;   /* code -> string bytes (length in the 4 bytes before) */
    int32_t count;       /* codes in use */
    int32_t cap;         /* strs allocated */
    uint64_t *slots;     /* tag << 32 | (code + 1), 0 = empty */
    size_t nslots;       /* power of two */
};

#define HEAP_BLOCK_MIN ((size_t)64 << 10)
#define HEAP_BLOCK_MAX ((size_t)4 << 20)

static inline uint64_t read64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t read32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define HASH_P0 0xa0761d6478bd642fULL
#define HASH_P1 0xe7037ed1a0b428dbULL
#define HASH_P2 0x8ebc6af09c88c6e3ULL

static inline uint64_t hash_bytes(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    uint64_t seed = HASH_P0, a, b;
    if (len <= 16) {
        if (len >= 4) {
            size_t mid = (len >> 3) << 2;
            a = read32(p) << 32 | read32(p + mid);
            b = read32(p + len - 4) << 32 | read32(p + len - 4 - mid);
        } else if (len > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        while (i > 16) {
            seed = mum(read64(p) ^ HASH_P1, read64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = read64(p + i - 16);
        b = read64(p + i - 8);
    }
    return mum(HASH_P1 ^ len, mum(a ^ HASH_P1, b ^ seed ^ HASH_P2));
}

static inline uint32_t hash_tag(const char *s, size_t len)
{
    return (uint32_t)(hash_bytes(s, len) >> 32);
}

static inline uint32_t str_len(const char *str)
{
    uint32_t len;
    memcpy(&len, str - 4, 4);
    return len;
}

/* Zeroed slots. Written with memset rather than taken from calloc: fresh
 * calloc pages are the shared zero page until written, so the probes that
 * read before they write would take a second, copy-on-write fault for each
 * page, with a TLB shootdown across threads. */
static uint64_t *slots_new(size_t nslots)
{
    uint64_t *slots = lp_malloc(nslots * sizeof(uint64_t));
    if (slots) memset(slots, 0, nslots * sizeof(uint64_t));
    return slots;
}

lp_strpool *lp_strpool_new(void)
{
    lp_strpool *pool = lp_calloc(1, sizeof(*pool));
    if (!pool) return NULL;
    pool->nslots = 64;
    pool->slots = slots_new(pool->nslots);
    if (!pool->slots) {
        lp_strpool_free(pool);
        return NULL;
    }
    return pool;
}

void lp_strpool_free(lp_strpool *pool)
{
    if (!pool) return;
    heap_block *b = pool->heap;
    while (b) {
        heap_block *next = b->next;
        lp_free(b);
        b = next;
    }
    lp_free(pool->strs);
    lp_free(pool->slots);
    lp_free(pool);
}

/* Code of s with tag h, or -1 with *out_slot the empty slot that ends its
 * probe sequence. */
static inline int32_t pool_lookup(const lp_strpool *pool, const char *s, size_t len, uint32_t h,
                                  size_t *out_slot)
{
    size_t mask = pool->nslots - 1;
    size_t slot = h & mask;
    for (;;) {
        uint64_t e = pool->slots[slot];
        if (!e) {
            *out_slot = slot;
            return -1;
        }
        if ((uint32_t)(e >> 32) == h) {
            int32_t code = (int32_t)(uint32_t)e - 1;
            const char *str = pool->strs[code];
            if (str_len(str) == len && memcmp(str, s, len) == 0) return code;
        }
        slot = (slot + 1) & mask;
    }
}

static lp_status pool_resize_slots(lp_strpool *pool, size_t nslots)
{
    uint64_t *slots = slots_new(nslots);
    if (!slots) return LP_ERR_NOMEM;
    size_t mask = nslots - 1;
    for (size_t i = 0; i < pool->nslots; i++) {
        uint64_t e = pool->slots[i];
        if (!e) continue;
        size_t slot = (e >> 32) & mask;
        while (slots[slot]) slot = (slot + 1) & mask;
        slots[slot] = e;
    }
    lp_free(pool->slots);
    pool->slots = slots;
    pool->nslots = nslots;
    return LP_OK;
}

/* Slots for n strings below the load limit. */
static size_t slots_for(size_t n)
{
    size_t nslots = 64;
    while (n * 10 >= nslots * 7) nslots *= 2;
    return nslots;
}

lp_status lp_strpool_reserve(lp_strpool *pool, size_t n)
{
    if (n > INT32_MAX) return LP_ERR_LIMIT;
    if ((int32_t)n > pool->cap) {
        size_t cap = (size_t)pool->cap * 2;
        if (cap < n) cap = n;
        if (cap > INT32_MAX) cap = INT32_MAX;
        const char **strs = lp_realloc(pool->strs, cap * sizeof(*strs));
        if (!strs) return LP_ERR_NOMEM;
        pool->strs = strs;
        pool->cap = (int32_t)cap;
    }
    size_t nslots = slots_for(n);
    if (nslots > pool->nslots) return pool_resize_slots(pool, nslots);
    return LP_OK;
}

/* Copies s into the heap as [length][bytes][NUL]; returns the bytes. */
static char *heap_add(lp_strpool *pool, const char *s, size_t len)
{
    size_t need = len + 5;
    heap_block *b = pool->heap;
    if (!b || b->size - b->used < need) {
        size_t size = b ? b->size * 2 : HEAP_BLOCK_MIN;
        if (size > HEAP_BLOCK_MAX) size = HEAP_BLOCK_MAX;
        if (size < need) size = need;
        heap_block *nb = lp_malloc(sizeof(*nb) + size);
        if (!nb) return NULL;
        nb->size = size;
        nb->used = 0;
        if (b && b->size - b->used >= 64 && size == need) {
            /* a long string gets its own block; keep filling the current one */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            pool->heap = nb;
        }
        b = nb;
    }
    char *p = b->bytes + b->used;
    uint32_t len32 = (uint32_t)len;
    memcpy(p, &len32, 4);
    memcpy(p + 4, s, len);
    p[4 + len] = '\0';
    b->used += need;
    return p + 4;
}

/* Adds s (not in the pool; its probe ended at slot) as a new code. */
static lp_status pool_insert(lp_strpool *pool, const char *s, size_t len, uint32_t h, size_t slot,
                             int32_t *out_code)
{
    if (pool->count == INT32_MAX) return LP_ERR_LIMIT;
    if (len > UINT32_MAX - 8) return LP_ERR_LIMIT;
    if (pool->count == pool->cap) {
        int32_t cap = pool->cap ? (pool->cap > INT32_MAX / 2 ? INT32_MAX : pool->cap * 2) : 64;
        const char **strs = lp_realloc(pool->strs, (size_t)cap * sizeof(*strs));
        if (!strs) return LP_ERR_NOMEM;
        pool->strs = strs;
        pool->cap = cap;
    }
    if ((size_t)(pool->count + 1) * 10 >= pool->nslots * 7) {
        if (pool_resize_slots(pool, pool->nslots * 2) != LP_OK) return LP_ERR_NOMEM;
        int32_t found = pool_lookup(pool, s, len, h, &slot);
        (void)found; /* -1: the string is still new */
    }
    char *copy = heap_add(pool, s, len);
    if (!copy) return LP_ERR_NOMEM;
    int32_t code = pool->count++;
    pool->strs[code] = copy;
    pool->slots[slot] = (uint64_t)h << 32 | (uint32_t)(code + 1);
    *out_code = code;
    return LP_OK;
}

uint64_t lp_strpool_hash(const char *s, size_t len) { return hash_bytes(s, len); }

void lp_strpool_prefetch(const lp_strpool *pool, uint64_t hash)
{
    __builtin_prefetch(&pool->slots[(uint32_t)(hash >> 32) & (pool->nslots - 1)]);
}

lp_status lp_strpool_intern_hashed(lp_strpool *pool, const char *s, size_t len, uint64_t hash,
                                   int32_t *out_code)
{
    uint32_t h = (uint32_t)(hash >> 32);
    size_t slot = 0;
    int32_t code = pool_lookup(pool, s, len, h, &slot);
    if (code >= 0) {
        *out_code = code;
        return LP_OK;
    }
    return pool_insert(pool, s, len, h, slot, out_code);
}

lp_status lp_strpool_intern(lp_strpool *pool, const char *s, size_t len, int32_t *out_code)
{
    uint32_t h = hash_tag(s, len);
    size_t slot = 0;
    int32_t code = pool_lookup(pool, s, len, h, &slot);
    if (code >= 0) {
        *out_code = code;
        return LP_OK;
    }
    return pool_insert(pool, s, len, h, slot, out_code);
}

int32_t lp_strpool_find(const lp_strpool *pool, const char *s, size_t len)
{
    size_t slot = 0;
    return pool_lookup(pool, s, len, hash_tag(s, len), &slot);
}

/* Maps every code of from to its code in pool (adding it when insert, else
 * -1). A batch of strings goes through the misses of a large table in
 * stages: hash all and prefetch their first slots; then, where a first slot
 * holds the same tag, prefetch the code's string pointer; then the string;
 * then look up. The misses of a batch overlap instead of queueing one by
 * one. Prefetches are hints: lookups and inserts below decide alone. */
#define BATCH 16

static lp_status pool_map_codes(lp_strpool *pool, const lp_strpool *from, const int32_t *codes,
                                int32_t n, bool insert, int32_t *out_map);

static lp_status pool_map(lp_strpool *pool, const lp_strpool *from, bool insert, int32_t *out_map)
{
    return pool_map_codes(pool, from, NULL, from->count, insert, out_map);
}

/* pool_map for the n codes listed in codes (NULL: codes 0..n-1); out_map is
 * indexed by from's codes. */
static lp_status pool_map_codes(lp_strpool *pool, const lp_strpool *from, const int32_t *codes,
                                int32_t n, bool insert, int32_t *out_map)
{
    uint32_t tags[BATCH];
    int32_t cand[BATCH], src[BATCH];
    size_t mask = pool->nslots - 1;
    for (int32_t base = 0; base < n; base += BATCH) {
        int32_t m = n - base < BATCH ? n - base : BATCH;
        for (int32_t i = 0; i < m; i++) src[i] = codes ? codes[base + i] : base + i;
        for (int32_t i = 0; i < m; i++) {
            const char *s = from->strs[src[i]];
            tags[i] = hash_tag(s, str_len(s));
            __builtin_prefetch(&pool->slots[tags[i] & mask]);
        }
        for (int32_t i = 0; i < m; i++) {
            uint64_t e = pool->slots[tags[i] & mask];
            cand[i] = e && (uint32_t)(e >> 32) == tags[i] ? (int32_t)(uint32_t)e - 1 : -1;
            if (cand[i] >= 0) __builtin_prefetch(&pool->strs[cand[i]]);
        }
        for (int32_t i = 0; i < m; i++)
            if (cand[i] >= 0) __builtin_prefetch(pool->strs[cand[i]] - 4);
        for (int32_t i = 0; i < m; i++) {
            const char *s = from->strs[src[i]];
            size_t len = str_len(s), slot = 0;
            int32_t code = pool_lookup(pool, s, len, tags[i], &slot);
            if (code < 0 && insert) {
                lp_status st = pool_insert(pool, s, len, tags[i], slot, &code);
                if (st) return st;
                mask = pool->nslots - 1;
            }
            out_map[src[i]] = code;
        }
    }
    return LP_OK;
}

lp_status lp_strpool_merge(lp_strpool *pool, const lp_strpool *from, int32_t *out_map)
{
    lp_status st = lp_strpool_reserve(pool, (size_t)pool->count + (size_t)from->count);
    if (st) return st;
    return pool_map(pool, from, true, out_map);
}

const char *lp_strpool_get(const lp_strpool *pool, int32_t code)
{
    if (code < 0 || code >= pool->count) return NULL;
    return pool->strs[code];
}

size_t lp_strpool_strlen(const lp_strpool *pool, int32_t code)
{
    if (code < 0 || code >= pool->count) return 0;
    return str_len(pool->strs[code]);
}

int32_t lp_strpool_count(const lp_strpool *pool) { return pool->count; }

/* ---- Columns ---- */

const char *lp_type_name(lp_type type)
{
    switch (type) {
    case LP_TYPE_INT64: return "int64";
    case LP_TYPE_DOUBLE: return "double";
    case LP_TYPE_BOOL: return "bool";
    case LP_TYPE_DATE: return "date";
    case LP_TYPE_INSTANT: return "instant";
    case LP_TYPE_STRING: return "string";
    }
    return "unknown";
}

static size_t type_width(lp_type type)
{
    switch (type) {
    case LP_TYPE_INT64:
    case LP_TYPE_INSTANT: return sizeof(int64_t);
    case LP_TYPE_DOUBLE: return sizeof(double);
    case LP_TYPE_BOOL: return 1;
    case LP_TYPE_DATE:
    case LP_TYPE_STRING: return sizeof(int32_t);
    }
    return 8;
}

lp_status lp_column_reserve(lp_column *col, size_t n)
{
    if (n <= col->capacity) return LP_OK;
    size_t cap = col->capacity ? col->capacity : 256;
    while (cap < n) cap *= 2;
    void *values = lp_realloc(col->v.raw, cap * type_width(col->type));
    if (!values) return LP_ERR_NOMEM;
    col->v.raw = values;
    uint8_t *validity = lp_realloc(col->validity, (cap + 7) / 8);
    if (!validity) return LP_ERR_NOMEM;
    memset(validity + (col->capacity + 7) / 8, 0, (cap + 7) / 8 - (col->capacity + 7) / 8);
    col->validity = validity;
    col->capacity = cap;
    return LP_OK;
}

static inline lp_status column_slot(lp_column *col, size_t *out_row, bool valid)
{
    if (col->length == col->capacity) {
        lp_status st = lp_column_reserve(col, col->length + 1);
        if (st) return st;
    }
    size_t row = col->length++;
    if (valid)
        col->validity[row >> 3] |= (uint8_t)(1u << (row & 7));
    else {
        col->validity[row >> 3] &= (uint8_t)~(1u << (row & 7));
        col->null_count++;
    }
    *out_row = row;
    return LP_OK;
}

lp_status lp_column_append_null(lp_column *col)
{
    size_t row;
    lp_status st = column_slot(col, &row, false);
    if (st) return st;
    memset((char *)col->v.raw + row * type_width(col->type), 0, type_width(col->type));
    return LP_OK;
}

lp_status lp_column_append_int64(lp_column *col, int64_t value)
{
    size_t row;
    lp_status st = column_slot(col, &row, true);
    if (!st) col->v.i64[row] = value;
    return st;
}

lp_status lp_column_append_double(lp_column *col, double value)
{
    size_t row;
    lp_status st = column_slot(col, &row, true);
    if (!st) col->v.f64[row] = value;
    return st;
}

lp_status lp_column_append_bool(lp_column *col, bool value)
{
    size_t row;
    lp_status st = column_slot(col, &row, true);
    if (!st) col->v.b[row] = value ? 1 : 0;
    return st;
}

lp_status lp_column_append_date(lp_column *col, int32_t days)
{
    size_t row;
    lp_status st = column_slot(col, &row, true);
    if (!st) col->v.i32[row] = days;
    return st;
}

lp_status lp_column_append_code(lp_column *col, int32_t code)
{
    size_t row;
    lp_status st = column_slot(col, &row, true);
    if (!st) col->v.i32[row] = code;
    return st;
}

lp_status lp_column_append_string(lp_column *col, const char *s, size_t len)
{
    int32_t code;
    lp_status st = lp_strpool_intern(col->table->pool, s, len, &code);
    if (st) return st;
    return lp_column_append_code(col, code);
}

const char *lp_column_str(const lp_column *col, size_t row)
{
    if (col->type != LP_TYPE_STRING || row >= col->length || !lp_column_valid(col, row))
        return NULL;
    return lp_strpool_get(col->table->pool, col->v.i32[row]);
}

double lp_column_number(const lp_column *col, size_t row)
{
    if (row >= col->length || !lp_column_valid(col, row)) return NAN;
    switch (col->type) {
    case LP_TYPE_INT64:
    case LP_TYPE_INSTANT: return (double)col->v.i64[row];
    case LP_TYPE_DOUBLE: return col->v.f64[row];
    case LP_TYPE_BOOL: return col->v.b[row];
    case LP_TYPE_DATE: return col->v.i32[row];
    case LP_TYPE_STRING: return NAN;
    }
    return NAN;
}

/* ---- Tables ---- */

lp_table *lp_table_new(const char *name)
{
    lp_table *table = lp_calloc(1, sizeof(*table));
    if (!table) return NULL;
    table->arena = lp_arena_new();
    table->pool = lp_strpool_new();
    if (!table->arena || !table->pool ||
        !(table->name = lp_arena_strndup(table->arena, name, strlen(name)))) {
        lp_table_free(table);
        return NULL;
    }
    return table;
}

void lp_table_free(lp_table *table)
{
    if (!table) return;
    for (size_t i = 0; i < table->ncols; i++) {
        lp_free(table->columns[i]->v.raw);
        lp_free(table->columns[i]->validity);
    }
    lp_free(table->columns);
    lp_strpool_free(table->pool);
    lp_arena_free(table->arena);
    lp_free(table);
}

lp_status lp_table_add_column(lp_table *table, const char *name, lp_type type,
                              lp_column **out_column)
{
    if (lp_table_column(table, name)) return LP_ERR_USAGE;
    if (table->ncols == table->cols_cap) {
        size_t cap = table->cols_cap ? table->cols_cap * 2 : 16;
        lp_column **cols = lp_realloc(table->columns, cap * sizeof(*cols));
        if (!cols) return LP_ERR_NOMEM;
        table->columns = cols;
        table->cols_cap = cap;
    }
    lp_column *col = lp_arena_alloc(table->arena, sizeof(*col));
    if (!col) return LP_ERR_NOMEM;
    memset(col, 0, sizeof(*col));
    col->name = lp_arena_strndup(table->arena, name, strlen(name));
    if (!col->name) return LP_ERR_NOMEM;
    col->type = type;
    col->table = table;
    table->columns[table->ncols++] = col;
    if (out_column) *out_column = col;
    return LP_OK;
}

lp_column *lp_table_column(const lp_table *table, const char *name)
{
    for (size_t i = 0; i < table->ncols; i++)
        if (strcmp(table->columns[i]->name, name) == 0) return table->columns[i];
    return NULL;
}

lp_status lp_table_finish(lp_table *table)
{
    size_t n = table->ncols ? table->columns[0]->length : 0;
    for (size_t i = 1; i < table->ncols; i++)
        if (table->columns[i]->length != n) return LP_ERR_USAGE;
    table->nrows = n;
    return LP_OK;
}

lp_status lp_table_translate_codes(const lp_table *from, const lp_table *to,
                                   int32_t **out_map)
{
    int32_t n = lp_strpool_count(from->pool);
    int32_t *map = lp_malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!map) return LP_ERR_NOMEM;
    pool_map(to->pool, from->pool, false, map); /* cannot fail without insert */
    *out_map = map;
    return LP_OK;
}

lp_status lp_column_translate_codes(const lp_column *col, const lp_table *to, int32_t **out_map)
{
    if (col->type != LP_TYPE_STRING) return LP_ERR_USAGE;
    const lp_strpool *from = col->table->pool;
    int32_t n = from->count;
    int32_t *map = lp_malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!map) return LP_ERR_NOMEM;
    for (int32_t c = 0; c < n; c++) map[c] = -1;
    /* the codes col uses, each once, in order of first use */
    size_t used = 0;
    for (size_t r = 0; r < col->length; r++) {
        if (!lp_column_valid(col, r)) continue;
        int32_t code = col->v.i32[r];
        if (map[code] == -1) {
            map[code] = -2;
            used++;
        }
    }
    int32_t *codes = lp_malloc((used ? used : 1) * sizeof(int32_t));
    if (!codes) {
        lp_free(map);
        return LP_ERR_NOMEM;
    }
    size_t k = 0;
    for (int32_t c = 0; c < n; c++)
        if (map[c] == -2) codes[k++] = c;
    pool_map_codes(to->pool, from, codes, (int32_t)used, false, map); /* cannot fail */
    lp_free(codes);
    *out_map = map;
    return LP_OK;
}

size_t lp_table_bytes(const lp_table *table)
{
    if (!table) return 0;
    size_t bytes = sizeof(*table) + table->cols_cap * sizeof(lp_column *);
    for (size_t i = 0; i < table->ncols; i++) {
        const lp_column *col = table->columns[i];
        bytes += col->capacity * type_width(col->type) + (col->capacity + 7) / 8;
    }
    const lp_strpool *pool = table->pool;
    if (pool) {
        bytes += sizeof(*pool) + (size_t)pool->cap * sizeof(*pool->strs) +
                 pool->nslots * sizeof(*pool->slots);
        for (const heap_block *b = pool->heap; b; b = b->next)
            bytes += sizeof(*b) + b->size;
    }
    for (const arena_chunk *c = table->arena ? table->arena->head : NULL; c; c = c->next)
        bytes += sizeof(*c) + c->size;
    return bytes;
}

void lp_table_shrink(lp_table *table)
{
    if (!table) return;
    for (size_t i = 0; i < table->ncols; i++) {
        lp_column *col = table->columns[i];
        if (col->capacity <= col->length || col->length == 0) continue;
        void *values = lp_realloc(col->v.raw, col->length * type_width(col->type));
        if (!values) continue;
        col->v.raw = values;
        uint8_t *validity = lp_realloc(col->validity, (col->length + 7) / 8);
        if (validity) {
            col->validity = validity;
            col->capacity = col->length;
        } else {
            /* The values shrank but the bitmap did not: capacity is what
             * both can hold. */
            col->capacity = col->length;
        }
    }
    lp_strpool *pool = table->pool;
    if (pool && pool->count > 0 && pool->cap > pool->count) {
        const char **strs = lp_realloc(pool->strs, (size_t)pool->count * sizeof(*strs));
        if (strs) {
            pool->strs = strs;
            pool->cap = pool->count;
        }
    }
}
