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
#include <pthread.h>
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

#define ARENA_CHUNK_MIN ((size_t)4 << 10)
#define ARENA_CHUNK_MAX ((size_t)64 << 10)

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
        /* Chunks double from 4 KiB to 64 KiB, so that a small table does
         * not take (and free) 64 KiB it never uses. */
        size_t chunk_size = chunk ? chunk->size * 2 : ARENA_CHUNK_MIN;
        if (chunk_size > ARENA_CHUNK_MAX) chunk_size = ARENA_CHUNK_MAX;
        if (chunk_size < size) chunk_size = size;
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
 * Strings live as in Arrow's utf8 layout: one contiguous byte buffer and
 * count + 1 uint32 offsets, string c at bytes + offs[c] with length
 * offs[c + 1] - offs[c] - 1 (each string keeps a NUL after it, so callers
 * get C strings). That is 4 bytes per string beside its text.
 *
 * The hash index is open addressing with linear probing over 8-byte slots:
 * the high 32 bits hold a tag (the top half of the string's 64-bit hash),
 * the low 32 bits code + 1 (0 = empty). The slot index is the tag's low
 * bits, so growing rehashes from the slots alone, and a probe reads the
 * string only when the tag matches. Load stays below 0.7.
 *
 * The index is only needed while strings are added or looked up, and is
 * the largest part of a pool of unique identifiers (about 12 bytes per
 * string), so lp_strpool_drop_index frees it once a table is loaded; the
 * next lookup rebuilds it from the strings. Rebuilding from a const lookup
 * (lp_strpool_find, translating codes) may happen on several threads at
 * once, so it takes the pool's lock and publishes the slots with release
 * order.
 *
 * The hash reads eight bytes at a time (the wyhash construction: 64x64 ->
 * 128-bit multiply, folded), which is several times faster than a byte
 * loop on the short identifiers, e-mails and names of CRM exports. */

struct lp_strpool {
    char *bytes;         /* every string followed by a NUL */
    size_t bytes_cap;    /* bytes allocated */
    uint32_t *offs;      /* cap + 1 offsets; offs[count] = bytes in use */
    int32_t count;       /* codes in use */
    int32_t cap;         /* codes offs has room for */
    uint64_t *slots;     /* tag << 32 | (code + 1), 0 = empty; NULL = dropped */
    size_t nslots;       /* power of two */
    pthread_mutex_t index_lock; /* rebuilding a dropped index */
};

/* The text buffer starts small and doubles: most pools of a small input
 * hold a few hundred bytes. */
#define BYTES_MIN ((size_t)4 << 10)

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

static inline const char *str_at(const lp_strpool *pool, int32_t code)
{
    return pool->bytes + pool->offs[code];
}

static inline uint32_t str_len(const lp_strpool *pool, int32_t code)
{
    return pool->offs[code + 1] - pool->offs[code] - 1;
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

/* Slots for n strings below the load limit. */
static size_t slots_for(size_t n)
{
    size_t nslots = 64;
    while (n * 10 >= nslots * 7) nslots *= 2;
    return nslots;
}

lp_strpool *lp_strpool_new(void)
{
    lp_strpool *pool = lp_calloc(1, sizeof(*pool));
    if (!pool) return NULL;
    pthread_mutex_init(&pool->index_lock, NULL);
    pool->cap = 64;
    pool->offs = lp_malloc(((size_t)pool->cap + 1) * sizeof(uint32_t));
    pool->nslots = 64;
    pool->slots = slots_new(pool->nslots);
    if (!pool->offs || !pool->slots) {
        lp_strpool_free(pool);
        return NULL;
    }
    pool->offs[0] = 0;
    return pool;
}

void lp_strpool_free(lp_strpool *pool)
{
    if (!pool) return;
    lp_free(pool->bytes);
    lp_free(pool->offs);
    lp_free(pool->slots);
    pthread_mutex_destroy(&pool->index_lock);
    lp_free(pool);
}

/* Slots of a size for n strings, filled with codes 0..count-1. */
static uint64_t *index_build(const lp_strpool *pool, size_t n, size_t *out_nslots)
{
    size_t nslots = slots_for(n);
    uint64_t *slots = slots_new(nslots);
    if (!slots) return NULL;
    size_t mask = nslots - 1;
    for (int32_t c = 0; c < pool->count; c++) {
        uint32_t h = (uint32_t)(hash_bytes(str_at(pool, c), str_len(pool, c)) >> 32);
        size_t slot = h & mask;
        while (slots[slot]) slot = (slot + 1) & mask;
        slots[slot] = (uint64_t)h << 32 | (uint32_t)(c + 1);
    }
    *out_nslots = nslots;
    return slots;
}

/* Makes sure the pool has its hash index, rebuilding a dropped one. Safe
 * to call from several threads reading the same pool. */
static lp_status index_ensure(const lp_strpool *cpool)
{
    lp_strpool *pool = (lp_strpool *)cpool;
    if (__atomic_load_n(&pool->slots, __ATOMIC_ACQUIRE)) return LP_OK;
    lp_status st = LP_OK;
    pthread_mutex_lock(&pool->index_lock);
    if (!__atomic_load_n(&pool->slots, __ATOMIC_ACQUIRE)) {
        size_t nslots = 0;
        uint64_t *slots = index_build(pool, (size_t)pool->count, &nslots);
        if (slots) {
            pool->nslots = nslots;
            __atomic_store_n(&pool->slots, slots, __ATOMIC_RELEASE);
        } else {
            st = LP_ERR_NOMEM;
        }
    }
    pthread_mutex_unlock(&pool->index_lock);
    return st;
}

/* Code of s with tag h, or -1 with *out_slot the empty slot that ends its
 * probe sequence. The index must exist. */
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
            if (str_len(pool, code) == len && memcmp(str_at(pool, code), s, len) == 0)
                return code;
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

static lp_status offs_reserve(lp_strpool *pool, size_t n)
{
    if (n > INT32_MAX) return LP_ERR_LIMIT;
    if ((int32_t)n <= pool->cap) return LP_OK;
    size_t cap = (size_t)pool->cap * 2;
    if (cap < n) cap = n;
    if (cap > INT32_MAX) cap = INT32_MAX;
    uint32_t *offs = lp_realloc(pool->offs, (cap + 1) * sizeof(*offs));
    if (!offs) return LP_ERR_NOMEM;
    pool->offs = offs;
    pool->cap = (int32_t)cap;
    return LP_OK;
}

lp_status lp_strpool_reserve(lp_strpool *pool, size_t n)
{
    lp_status st = offs_reserve(pool, n);
    if (st) return st;
    size_t nslots = slots_for(n);
    if (!pool->slots) {
        uint64_t *slots = index_build(pool, n, &nslots);
        if (!slots) return LP_ERR_NOMEM;
        pool->slots = slots;
        pool->nslots = nslots;
        return LP_OK;
    }
    if (nslots > pool->nslots) return pool_resize_slots(pool, nslots);
    return LP_OK;
}

size_t lp_strpool_text_bytes(const lp_strpool *pool) { return pool->offs[pool->count]; }

lp_status lp_strpool_reserve_text(lp_strpool *pool, size_t nbytes)
{
    if (nbytes <= pool->bytes_cap) return LP_OK;
    if (nbytes > (size_t)UINT32_MAX) nbytes = UINT32_MAX;
    char *bytes = lp_realloc(pool->bytes, nbytes);
    if (!bytes) return LP_ERR_NOMEM;
    pool->bytes = bytes;
    pool->bytes_cap = nbytes;
    return LP_OK;
}

/* Appends s and its NUL to the byte buffer (offsets are 32-bit, so a pool
 * holds at most 4 GiB of text). s may point into the buffer itself. */
static lp_status bytes_add(lp_strpool *pool, const char *s, size_t len)
{
    size_t used = pool->offs[pool->count];
    if (len >= UINT32_MAX - used) return LP_ERR_LIMIT;
    size_t need = used + len + 1;
    if (need > pool->bytes_cap) {
        size_t cap = pool->bytes_cap ? pool->bytes_cap * 2 : BYTES_MIN;
        while (cap < need) cap *= 2;
        if (cap > (size_t)UINT32_MAX) cap = UINT32_MAX;
        bool inside = pool->bytes && s >= pool->bytes && s < pool->bytes + used;
        size_t at = inside ? (size_t)(s - pool->bytes) : 0;
        char *bytes = lp_realloc(pool->bytes, cap);
        if (!bytes) return LP_ERR_NOMEM;
        pool->bytes = bytes;
        pool->bytes_cap = cap;
        if (inside) s = bytes + at;
    }
    memcpy(pool->bytes + used, s, len);
    pool->bytes[used + len] = '\0';
    return LP_OK;
}

/* Stores s as the next code, without touching the index. */
static lp_status pool_push(lp_strpool *pool, const char *s, size_t len, int32_t *out_code)
{
    if (pool->count == INT32_MAX) return LP_ERR_LIMIT;
    if (pool->count == pool->cap) {
        lp_status st = offs_reserve(pool, (size_t)pool->count + 1);
        if (st) return st;
    }
    lp_status st = bytes_add(pool, s, len);
    if (st) return st;
    int32_t code = pool->count++;
    pool->offs[code + 1] = pool->offs[code] + (uint32_t)len + 1;
    *out_code = code;
    return LP_OK;
}

/* Adds s (not in the pool; its probe ended at slot) as a new code. */
static lp_status pool_insert(lp_strpool *pool, const char *s, size_t len, uint32_t h, size_t slot,
                             int32_t *out_code)
{
    if ((size_t)(pool->count + 1) * 10 >= pool->nslots * 7) {
        if (pool_resize_slots(pool, pool->nslots * 2) != LP_OK) return LP_ERR_NOMEM;
        int32_t found = pool_lookup(pool, s, len, h, &slot);
        (void)found; /* -1: the string is still new */
    }
    lp_status st = pool_push(pool, s, len, out_code);
    if (st) return st;
    pool->slots[slot] = (uint64_t)h << 32 | (uint32_t)(*out_code + 1);
    return LP_OK;
}

uint64_t lp_strpool_hash(const char *s, size_t len) { return hash_bytes(s, len); }

void lp_strpool_prefetch(const lp_strpool *pool, uint64_t hash)
{
    if (pool->slots) __builtin_prefetch(&pool->slots[(uint32_t)(hash >> 32) & (pool->nslots - 1)]);
}

lp_status lp_strpool_intern_hashed(lp_strpool *pool, const char *s, size_t len, uint64_t hash,
                                   int32_t *out_code)
{
    if (!pool->slots) {
        lp_status st = index_ensure(pool);
        if (st) return st;
    }
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
    return lp_strpool_intern_hashed(pool, s, len, hash_bytes(s, len), out_code);
}

lp_status lp_strpool_append(lp_strpool *pool, const char *s, size_t len, int32_t *out_code)
{
    if (pool->slots) lp_strpool_drop_index(pool);
    return pool_push(pool, s, len, out_code);
}

int32_t lp_strpool_find(const lp_strpool *pool, const char *s, size_t len)
{
    if (index_ensure(pool) != LP_OK) {
        /* No memory for the index: a scan gives the same answer, slowly. */
        for (int32_t c = 0; c < pool->count; c++)
            if (str_len(pool, c) == len && memcmp(str_at(pool, c), s, len) == 0) return c;
        return -1;
    }
    size_t slot = 0;
    return pool_lookup(pool, s, len, hash_tag(s, len), &slot);
}

void lp_strpool_drop_index(lp_strpool *pool)
{
    lp_free(pool->slots);
    pool->slots = NULL;
    pool->nslots = 0;
}

void lp_strpool_compact(lp_strpool *pool)
{
    if (pool->cap > pool->count) {
        uint32_t *offs = lp_realloc(pool->offs, ((size_t)pool->count + 1) * sizeof(*offs));
        if (offs) {
            pool->offs = offs;
            pool->cap = pool->count;
        }
    }
    size_t used = pool->offs[pool->count];
    if (used && pool->bytes_cap > used) {
        char *bytes = lp_realloc(pool->bytes, used);
        if (bytes) {
            pool->bytes = bytes;
            pool->bytes_cap = used;
        }
    }
}

size_t lp_strpool_bytes(const lp_strpool *pool)
{
    return sizeof(*pool) + pool->bytes_cap + ((size_t)pool->cap + 1) * sizeof(*pool->offs) +
           (pool->slots ? pool->nslots * sizeof(*pool->slots) : 0);
}

/* Maps every code of from to its code in pool (adding it when insert, else
 * -1). A batch of strings goes through the misses of a large table in
 * stages: hash all and prefetch their first slots; then, where a first slot
 * holds the same tag, prefetch the code's offset; then the string; then
 * look up. The misses of a batch overlap instead of queueing one by one.
 * Prefetches are hints: lookups and inserts below decide alone. */
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
    lp_status st = index_ensure(pool);
    if (st) return st;
    uint32_t tags[BATCH];
    int32_t cand[BATCH], src[BATCH];
    size_t mask = pool->nslots - 1;
    for (int32_t base = 0; base < n; base += BATCH) {
        int32_t m = n - base < BATCH ? n - base : BATCH;
        for (int32_t i = 0; i < m; i++) src[i] = codes ? codes[base + i] : base + i;
        for (int32_t i = 0; i < m; i++) {
            tags[i] = hash_tag(str_at(from, src[i]), str_len(from, src[i]));
            __builtin_prefetch(&pool->slots[tags[i] & mask]);
        }
        for (int32_t i = 0; i < m; i++) {
            uint64_t e = pool->slots[tags[i] & mask];
            cand[i] = e && (uint32_t)(e >> 32) == tags[i] ? (int32_t)(uint32_t)e - 1 : -1;
            if (cand[i] >= 0) __builtin_prefetch(&pool->offs[cand[i]]);
        }
        for (int32_t i = 0; i < m; i++)
            if (cand[i] >= 0) __builtin_prefetch(str_at(pool, cand[i]));
        for (int32_t i = 0; i < m; i++) {
            const char *s = str_at(from, src[i]);
            size_t len = str_len(from, src[i]), slot = 0;
            int32_t code = pool_lookup(pool, s, len, tags[i], &slot);
            if (code < 0 && insert) {
                st = pool_insert(pool, s, len, tags[i], slot, &code);
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
    return str_at(pool, code);
}

size_t lp_strpool_strlen(const lp_strpool *pool, int32_t code)
{
    if (code < 0 || code >= pool->count) return 0;
    return str_len(pool, code);
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
    lp_status st = pool_map(to->pool, from->pool, false, map); /* fails only rebuilding to's index */
    if (st) {
        lp_free(map);
        return st;
    }
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
    lp_status st = pool_map_codes(to->pool, from, codes, (int32_t)used, false, map);
    lp_free(codes);
    if (st) {
        lp_free(map);
        return st;
    }
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
    if (table->pool) bytes += lp_strpool_bytes(table->pool);
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
    if (table->pool) lp_strpool_compact(table->pool);
}
