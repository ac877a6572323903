/*
 * The allocation seam. A counter lets tests make the Nth allocation fail;
 * it is atomic so that parallel loaders count correctly.
 */
#include "lp/lp.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

static atomic_long alloc_count;
static atomic_long fail_at; /* allocation number that starts failing; 0 = never */

static bool should_fail(void)
{
    long n = atomic_fetch_add(&alloc_count, 1) + 1;
    long at = atomic_load(&fail_at);
    return at > 0 && n >= at;
}

void lp_alloc_fail_after(long n)
{
    atomic_store(&fail_at, n > 0 ? atomic_load(&alloc_count) + n : 0);
}

long lp_alloc_count(void) { return atomic_load(&alloc_count); }

/* Large buffers (columns, string pools, their indexes, CSV chunks) are
 * written from end to end soon after they are allocated. Asking for
 * transparent huge pages takes one page fault per 2 MiB instead of one per
 * 4 KiB, and a fault is dear on virtual machines that shadow the page
 * tables. Only whole 2 MiB pages inside the buffer are marked; where the
 * system does not do it (THP "never"), nothing changes. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

static void *huge_hint(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p && size >= HUGE_MIN) {
        uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t)p + size) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#else
    (void)size;
#endif
    return p;
}

void *lp_malloc(size_t size)
{
    if (should_fail()) return NULL;
    return huge_hint(malloc(size ? size : 1), size);
}

void *lp_calloc(size_t count, size_t size)
{
    if (should_fail()) return NULL;
    size_t total = count && size && count <= SIZE_MAX / size ? count * size : 0;
    return huge_hint(calloc(count ? count : 1, size ? size : 1), total);
}

void *lp_realloc(void *ptr, size_t size)
{
    if (should_fail()) return NULL;
    return huge_hint(realloc(ptr, size ? size : 1), size);
}

void lp_free(void *ptr) { free(ptr); }

char *lp_strndup(const char *s, size_t len)
{
    char *copy = lp_malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *lp_strdup(const char *s) { return lp_strndup(s, strlen(s)); }

static bool buf_reserve(lp_buf *buf, size_t extra)
{
    if (buf->failed) return false;
    if (buf->len + extra + 1 <= buf->cap) return true;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < buf->len + extra + 1) cap *= 2;
    char *data = lp_realloc(buf->data, cap);
    if (!data) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->cap = cap;
    return true;
}

void lp_buf_append(lp_buf *buf, const char *bytes, size_t len)
{
    if (!buf_reserve(buf, len)) return;
    memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void lp_buf_puts(lp_buf *buf, const char *s) { lp_buf_append(buf, s, strlen(s)); }

void lp_buf_printf(lp_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || !buf_reserve(buf, (size_t)need)) return;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)need;
}

void lp_buf_reset(lp_buf *buf)
{
    lp_free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
    buf->failed = false;
}

void lp_errmsg_set(char *errmsg, const char *fmt, ...)
{
    if (!errmsg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, LP_ERRMSG_SIZE, fmt, ap);
    va_end(ap);
}
