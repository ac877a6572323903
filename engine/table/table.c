/*
 * Arena, string pool, columns and tables (table.h).
 *
 * The string pool stores each distinct string once in arena chunks and keeps
 * an open-addressing hash table of codes (linear probing, load <= 1/2), so
 * interning is one hash and usually one comparison.
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

/* ---- String pool ---- */

struct lp_strpool {
    lp_arena *arena;     /* string bytes */
    const char **strs;   /* code -> string */
    uint32_t *lens;      /* code -> length */
    int32_t count;       /* codes in use */
    int32_t cap;         /* strs/lens allocated */
    int32_t *slots;      /* hash slots holding code, or -1 */
    uint32_t *hashes;    /* code -> hash, to rehash without rereading */
    size_t nslots;       /* power of two */
};

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

lp_strpool *lp_strpool_new(void)
{
    lp_strpool *pool = lp_calloc(1, sizeof(*pool));
    if (!pool) return NULL;
    pool->arena = lp_arena_new();
    pool->nslots = 64;
    pool->slots = lp_malloc(pool->nslots * sizeof(int32_t));
    if (!pool->arena || !pool->slots) {
        lp_strpool_free(pool);
        return NULL;
    }
    memset(pool->slots, 0xff, pool->nslots * sizeof(int32_t));
    return pool;
}

void lp_strpool_free(lp_strpool *pool)
{
    if (!pool) return;
    lp_arena_free(pool->arena);
    lp_free(pool->strs);
    lp_free(pool->lens);
    lp_free(pool->slots);
    lp_free(pool->hashes);
    lp_free(pool);
}

static int32_t pool_lookup(const lp_strpool *pool, const char *s, size_t len,
                           uint32_t h, size_t *out_slot)
{
    size_t mask = pool->nslots - 1;
    size_t slot = h & mask;
    for (;;) {
        int32_t code = pool->slots[slot];
        if (code < 0) {
            *out_slot = slot;
            return -1;
        }
        if (pool->hashes[code] == h && pool->lens[code] == len &&
            memcmp(pool->strs[code], s, len) == 0)
            return code;
        slot = (slot + 1) & mask;
    }
}

static lp_status pool_grow_slots(lp_strpool *pool)
{
    size_t nslots = pool->nslots * 2;
    int32_t *slots = lp_malloc(nslots * sizeof(int32_t));
    if (!slots) return LP_ERR_NOMEM;
    memset(slots, 0xff, nslots * sizeof(int32_t));
    for (int32_t code = 0; code < pool->count; code++) {
        size_t slot = pool->hashes[code] & (nslots - 1);
        while (slots[slot] >= 0) slot = (slot + 1) & (nslots - 1);
        slots[slot] = code;
    }
    lp_free(pool->slots);
    pool->slots = slots;
    pool->nslots = nslots;
    return LP_OK;
}

lp_status lp_strpool_intern(lp_strpool *pool, const char *s, size_t len,
                            int32_t *out_code)
{
    uint32_t h = hash_bytes(s, len);
    size_t slot = 0;
    int32_t code = pool->count ? pool_lookup(pool, s, len, h, &slot) : -1;
    if (code >= 0) {
        *out_code = code;
        return LP_OK;
    }
    if (pool->count == INT32_MAX) return LP_ERR_LIMIT;
    if (pool->count == pool->cap) {
        int32_t cap = pool->cap ? pool->cap * 2 : 64;
        const char **strs = lp_realloc(pool->strs, (size_t)cap * sizeof(*strs));
        if (!strs) return LP_ERR_NOMEM;
        pool->strs = strs;
        uint32_t *lens = lp_realloc(pool->lens, (size_t)cap * sizeof(*lens));
        if (!lens) return LP_ERR_NOMEM;
        pool->lens = lens;
        uint32_t *hashes = lp_realloc(pool->hashes, (size_t)cap * sizeof(*hashes));
        if (!hashes) return LP_ERR_NOMEM;
        pool->hashes = hashes;
        pool->cap = cap;
    }
    if ((size_t)(pool->count + 1) * 2 > pool->nslots) {
        if (pool_grow_slots(pool) != LP_OK) return LP_ERR_NOMEM;
    }
    if (len > UINT32_MAX) return LP_ERR_LIMIT;
    char *copy = lp_arena_strndup(pool->arena, s, len);
    if (!copy) return LP_ERR_NOMEM;
    code = pool->count++;
    pool->strs[code] = copy;
    pool->lens[code] = (uint32_t)len;
    pool->hashes[code] = h;
    pool_lookup(pool, s, len, h, &slot); /* finds the empty slot (code not linked yet) */
    pool->slots[slot] = code;
    *out_code = code;
    return LP_OK;
}

int32_t lp_strpool_find(const lp_strpool *pool, const char *s, size_t len)
{
    if (!pool->count) return -1;
    size_t slot;
    return pool_lookup(pool, s, len, hash_bytes(s, len), &slot);
}

const char *lp_strpool_get(const lp_strpool *pool, int32_t code)
{
    if (code < 0 || code >= pool->count) return NULL;
    return pool->strs[code];
}

size_t lp_strpool_strlen(const lp_strpool *pool, int32_t code)
{
    if (code < 0 || code >= pool->count) return 0;
    return pool->lens[code];
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
    for (int32_t code = 0; code < n; code++)
        map[code] = lp_strpool_find(to->pool, lp_strpool_get(from->pool, code),
                                    lp_strpool_strlen(from->pool, code));
    *out_map = map;
    return LP_OK;
}
