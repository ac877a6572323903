/* Column store: strings, nulls, growth, translation between pools. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lp/table.h"

Test(table, strings_intern_to_dense_codes)
{
    lp_table *t = lp_table_new("leads");
    lp_column *c;
    cr_assert_eq(lp_table_add_column(t, "source", LP_TYPE_STRING, &c), LP_OK);
    const char *values[] = {"web", "event", "web", "partner", "event"};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(lp_column_append_string(c, values[i], strlen(values[i])), LP_OK);
    cr_assert_eq(lp_column_append_null(c), LP_OK);
    cr_assert_eq(lp_table_finish(t), LP_OK);
    cr_expect_eq(t->nrows, 6);
    cr_expect_eq(c->null_count, 1);
    cr_expect_eq(lp_strpool_count(t->pool), 3); /* web, event, partner */
    cr_expect_eq(c->v.i32[0], c->v.i32[2]);
    cr_expect_str_eq(lp_column_str(c, 3), "partner");
    cr_expect_null(lp_column_str(c, 5));
    cr_expect_eq(lp_strpool_find(t->pool, "event", 5), c->v.i32[1]);
    cr_expect_eq(lp_strpool_find(t->pool, "chat", 4), -1);
    lp_table_free(t);
}

Test(table, growth_keeps_values_and_validity)
{
    lp_table *t = lp_table_new("x");
    lp_column *c;
    lp_table_add_column(t, "n", LP_TYPE_INT64, &c);
    for (int64_t i = 0; i < 100000; i++) {
        if (i % 7 == 0)
            cr_assert_eq(lp_column_append_null(c), LP_OK);
        else
            cr_assert_eq(lp_column_append_int64(c, i * 3), LP_OK);
    }
    /* 100000 / 7 rounded up: rows 0, 7, ..., 99995 are null. */
    cr_expect_eq(c->null_count, 14286);
    cr_expect(!lp_column_valid(c, 99995));
    cr_expect(lp_column_valid(c, 99996));
    cr_expect_eq(c->v.i64[99996], 299988);
    cr_expect(isnan(lp_column_number(c, 7)));
    lp_table_free(t);
}

Test(table, finish_rejects_ragged_columns)
{
    lp_table *t = lp_table_new("x");
    lp_column *a, *b;
    lp_table_add_column(t, "a", LP_TYPE_DOUBLE, &a);
    lp_table_add_column(t, "b", LP_TYPE_BOOL, &b);
    lp_column_append_double(a, 1.5);
    cr_expect_eq(lp_table_finish(t), LP_ERR_USAGE);
    lp_column_append_bool(b, true);
    cr_expect_eq(lp_table_finish(t), LP_OK);
    cr_expect_eq(lp_table_add_column(t, "a", LP_TYPE_INT64, NULL), LP_ERR_USAGE);
    lp_table_free(t);
}

Test(table, translate_codes_between_tables)
{
    lp_table *leads = lp_table_new("leads"), *touches = lp_table_new("touches");
    lp_column *l, *k;
    lp_table_add_column(leads, "lead_id", LP_TYPE_STRING, &l);
    lp_table_add_column(touches, "lead_id", LP_TYPE_STRING, &k);
    lp_column_append_string(l, "L1", 2);
    lp_column_append_string(l, "L2", 2);
    lp_column_append_string(k, "L2", 2);
    lp_column_append_string(k, "L9", 2);
    int32_t *map;
    cr_assert_eq(lp_table_translate_codes(touches, leads, &map), LP_OK);
    cr_expect_eq(map[k->v.i32[0]], l->v.i32[1]);
    cr_expect_eq(map[k->v.i32[1]], -1);
    lp_free(map);
    lp_table_free(leads);
    lp_table_free(touches);
}

Test(table, allocation_failure_is_reported)
{
    lp_table *t = lp_table_new("x");
    lp_column *c;
    lp_table_add_column(t, "s", LP_TYPE_STRING, &c);
    lp_alloc_fail_after(1);
    lp_status st = LP_OK;
    for (int i = 0; i < 1000 && st == LP_OK; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "k%d", i);
        st = lp_column_append_string(c, key, (size_t)n);
    }
    lp_alloc_fail_after(0);
    cr_expect_eq(st, LP_ERR_NOMEM);
    lp_table_free(t);
}

/* Only the codes the column uses are looked up: the touch ids share the
 * pool but are not in lead_id, so they map to -1 like a missing lead. */
Test(table, translate_column_codes)
{
    lp_table *leads = lp_table_new("leads"), *touches = lp_table_new("touches");
    lp_column *l, *tid, *k;
    lp_table_add_column(leads, "lead_id", LP_TYPE_STRING, &l);
    lp_table_add_column(touches, "touch_id", LP_TYPE_STRING, &tid);
    lp_table_add_column(touches, "lead_id", LP_TYPE_STRING, &k);
    lp_column_append_string(l, "L1", 2);
    lp_column_append_string(l, "L2", 2);
    lp_column_append_string(tid, "L1", 2); /* a touch id that reads like a lead id */
    lp_column_append_string(k, "L2", 2);
    lp_column_append_string(tid, "T2", 2);
    lp_column_append_string(k, "L9", 2);
    lp_column_append_null(tid);
    lp_column_append_null(k);
    int32_t *map;
    cr_assert_eq(lp_column_translate_codes(k, leads, &map), LP_OK);
    cr_expect_eq(lp_strpool_count(touches->pool), 4); /* L1, L2, T2, L9 */
    cr_expect_eq(map[k->v.i32[0]], l->v.i32[1]);   /* L2 */
    cr_expect_eq(map[k->v.i32[1]], -1);            /* L9: no such lead */
    cr_expect_eq(map[tid->v.i32[0]], -1);          /* L1 is in leads, but lead_id never uses it */
    cr_expect_eq(map[tid->v.i32[1]], -1);          /* T2 */
    lp_free(map);
    cr_expect_eq(lp_column_translate_codes(l, touches, &map), LP_OK);
    cr_expect_eq(map[l->v.i32[0]], tid->v.i32[0]); /* L1 */
    cr_expect_eq(map[l->v.i32[1]], k->v.i32[0]);   /* L2 */
    lp_free(map);
    lp_column *n;
    lp_table_add_column(leads, "n", LP_TYPE_INT64, &n);
    cr_expect_eq(lp_column_translate_codes(n, touches, &map), LP_ERR_USAGE);
    lp_table_free(leads);
    lp_table_free(touches);
}

/* A compacted pool without its index (buffers trimmed, index dropped) keeps every code and
 * string, finds and interns as before, and holds fewer bytes. */
Test(table, compacted_pool_keeps_codes_and_lookups)
{
    lp_strpool *pool = lp_strpool_new();
    cr_assert_not_null(pool);
    char s[32];
    for (int i = 0; i < 5000; i++) {
        int32_t code;
        int len = snprintf(s, sizeof s, "L%07d", i);
        cr_assert_eq(lp_strpool_intern(pool, s, (size_t)len, &code), LP_OK);
        cr_assert_eq(code, i);
    }
    size_t before = lp_strpool_bytes(pool);
    lp_strpool_compact(pool);
    lp_strpool_drop_index(pool);
    /* 5000 strings of 8 bytes + NUL and 5001 offsets; the index is gone */
    cr_expect_lt(lp_strpool_bytes(pool), before);
    cr_expect_leq(lp_strpool_bytes(pool), 5000 * 9 + 5001 * 4 + 256);
    cr_expect_eq(lp_strpool_count(pool), 5000);
    cr_expect_str_eq(lp_strpool_get(pool, 1234), "L0001234");
    cr_expect_eq(lp_strpool_strlen(pool, 4999), 8);
    cr_expect_eq(lp_strpool_find(pool, "L0004321", 8), 4321);
    cr_expect_eq(lp_strpool_find(pool, "L0005000", 8), -1);
    int32_t code;
    cr_assert_eq(lp_strpool_intern(pool, "L0000007", 8, &code), LP_OK);
    cr_expect_eq(code, 7);
    cr_assert_eq(lp_strpool_intern(pool, "new", 3, &code), LP_OK);
    cr_expect_eq(code, 5000);
    cr_expect_str_eq(lp_strpool_get(pool, 5000), "new");
    lp_strpool_free(pool);
}

/* Text reserved ahead holds the strings without regrowing: the bytes
 * allocated stay as reserved. 1000 strings "L0000000".."L0000999" of 8
 * bytes and a NUL each are 9000 bytes of text. */
Test(table, reserved_text_holds_the_strings)
{
    lp_strpool *pool = lp_strpool_new();
    cr_assert_not_null(pool);
    cr_expect_eq(lp_strpool_text_bytes(pool), 0);
    cr_assert_eq(lp_strpool_reserve(pool, 1000), LP_OK);
    cr_assert_eq(lp_strpool_reserve_text(pool, 9000), LP_OK);
    size_t reserved = lp_strpool_bytes(pool);
    char s[32];
    for (int i = 0; i < 1000; i++) {
        int32_t code;
        int len = snprintf(s, sizeof s, "L%07d", i);
        cr_assert_eq(lp_strpool_intern(pool, s, (size_t)len, &code), LP_OK);
        cr_assert_eq(code, i);
    }
    cr_expect_eq(lp_strpool_text_bytes(pool), 9000);
    cr_expect_eq(lp_strpool_bytes(pool), reserved);
    cr_expect_str_eq(lp_strpool_get(pool, 999), "L0000999");
    /* a smaller reservation changes nothing */
    cr_assert_eq(lp_strpool_reserve_text(pool, 10), LP_OK);
    cr_expect_eq(lp_strpool_find(pool, "L0000500", 8), 500);
    lp_strpool_free(pool);
}

/* Interning part of a string the pool already holds: the buffer may move
 * while the new string is copied from it. */
Test(table, intern_from_the_pools_own_bytes)
{
    lp_strpool *pool = lp_strpool_new();
    cr_assert_not_null(pool);
    int32_t code;
    char big[70000];
    memset(big, 'x', sizeof big);
    memcpy(big, "head", 4);
    cr_assert_eq(lp_strpool_intern(pool, big, sizeof big, &code), LP_OK);
    const char *held = lp_strpool_get(pool, code);
    /* 70000 bytes fill the first buffer: the next string makes it grow */
    cr_assert_eq(lp_strpool_intern(pool, held, 4, &code), LP_OK);
    cr_expect_eq(code, 1);
    cr_expect_str_eq(lp_strpool_get(pool, 1), "head");
    cr_expect_eq(lp_strpool_strlen(pool, 0), sizeof big);
    lp_strpool_free(pool);
}

/* Lookups from two threads into one compacted pool rebuild its index once
 * and both see every string. */
typedef struct find_job {
    const lp_strpool *pool;
    int misses;
} find_job;

static void *find_all(void *arg)
{
    find_job *job = arg;
    char s[32];
    for (int i = 0; i < 20000; i++) {
        int len = snprintf(s, sizeof s, "id-%d", i);
        if (lp_strpool_find(job->pool, s, (size_t)len) != i) job->misses++;
    }
    return NULL;
}

Test(table, concurrent_lookups_after_compaction)
{
    lp_strpool *pool = lp_strpool_new();
    cr_assert_not_null(pool);
    char s[32];
    for (int i = 0; i < 20000; i++) {
        int32_t code;
        int len = snprintf(s, sizeof s, "id-%d", i);
        cr_assert_eq(lp_strpool_intern(pool, s, (size_t)len, &code), LP_OK);
    }
    lp_strpool_compact(pool);
    lp_strpool_drop_index(pool);
    find_job a = {pool, 0}, b = {pool, 0};
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&ta, NULL, find_all, &a), 0);
    cr_assert_eq(pthread_create(&tb, NULL, find_all, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_expect_eq(a.misses, 0);
    cr_expect_eq(b.misses, 0);
    lp_strpool_free(pool);
}
