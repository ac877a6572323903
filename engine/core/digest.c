/*
 * The SHA-256 of input files beside the run (lp/digest.h).
 *
 * One thread at idle priority hashes the files in the order they are
 * added, a block at a time, and looks at `hurry` between blocks.
 * lp_digest_wait sets it, joins the thread and carries on from where each
 * file was left: the hash state and the open file are kept in the file's
 * item, so no byte is hashed twice. After the join only the waiting thread
 * touches the items.
 */
#include "lp/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp/sha256.h"

#define BLOCK ((size_t)1 << 20)

typedef struct item {
    lp_digest_file file;   /* path owned */
    int fd;                /* open while hashing; -1 before and after */
    uint64_t done;         /* bytes hashed */
    lp_sha256 sha;
    bool finished;
    lp_status status;
    char errmsg[LP_ERRMSG_SIZE];
    char hex[65];
} item;

struct lp_digest_job {
    item **items;          /* each item apart, so that growing items moves none */
    size_t n, cap;
    size_t next;           /* the next item for the thread (under lock) */
    uint8_t *buf;          /* one block: the thread's, then after the join the waiter's */
    pthread_mutex_t lock;  /* items, n, next */
    pthread_cond_t added;
    pthread_t thread;
    bool threaded;
    bool joined;
    atomic_bool hurry;     /* the waiter wants the thread gone */
};

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* How the file as it is now differs from the file as it was loaded, or
 * NULL when it does not. */
static const char *change_of(const item *it, const struct stat *st)
{
    if ((uint64_t)st->st_dev != it->file.dev || (uint64_t)st->st_ino != it->file.ino)
        return "another file has taken its name";
    if ((uint64_t)st->st_size != it->file.size || mtime_ns(st) != it->file.mtime_ns)
        return "its size or modification time changed";
    return NULL;
}

static void fail(item *it, lp_status st, const char *fmt, const char *detail)
{
    it->status = st;
    snprintf(it->errmsg, sizeof it->errmsg, fmt, it->file.path, detail);
    it->finished = true;
    if (it->fd >= 0) close(it->fd);
    it->fd = -1;
}

static const char CHANGED[] =
    "%s changed while leadpack was building the pack (%s); run again once the export is "
    "complete";

/* Fails it unless its open file is still the file that was loaded. */
static bool still_as_loaded(item *it)
{
    struct stat st;
    const char *change = fstat(it->fd, &st) != 0 ? "it cannot be examined" : change_of(it, &st);
    if (change) fail(it, LP_ERR_INPUT, CHANGED, change);
    return !change;
}

/* Hashes the rest of it through buf; with hurry, stops at a block boundary
 * once *hurry is set. */
static void hash_item(item *it, uint8_t *buf, atomic_bool *hurry)
{
    if (it->finished) return;
    if (it->fd < 0) {
        do it->fd = open(it->file.path, O_RDONLY | O_CLOEXEC);
        while (it->fd < 0 && errno == EINTR);
        if (it->fd < 0) {
            fail(it, LP_ERR_IO, "%s: cannot be read again for its digest: %s", strerror(errno));
            return;
        }
        if (!still_as_loaded(it)) return;
        lp_sha256_init(&it->sha);
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(it->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    while (it->done < it->file.size) {
        if (hurry && atomic_load_explicit(hurry, memory_order_relaxed)) return;
        uint64_t left = it->file.size - it->done;
        size_t want = left < BLOCK ? (size_t)left : BLOCK;
        ssize_t got = pread(it->fd, buf, want, (off_t)it->done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            fail(it, LP_ERR_IO, "%s: cannot be read again for its digest: %s", strerror(errno));
            return;
        }
        if (got == 0) {
            fail(it, LP_ERR_INPUT, CHANGED, "it is shorter than when it was loaded");
            return;
        }
        lp_sha256_update(&it->sha, buf, (size_t)got);
        it->done += (uint64_t)got;
    }
    if (!still_as_loaded(it)) return;
    lp_sha256_final_hex(&it->sha, it->hex);
    close(it->fd);
    it->fd = -1;
    it->finished = true;
}

static void *digest_main(void *arg)
{
    lp_digest_job *job = arg;
#ifdef SCHED_IDLE
    struct sched_param param = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &param); /* else: normal priority */
#endif
    for (;;) {
        pthread_mutex_lock(&job->lock);
        while (job->next == job->n && !atomic_load(&job->hurry))
            pthread_cond_wait(&job->added, &job->lock);
        item *it = atomic_load(&job->hurry) ? NULL : job->items[job->next++];
        pthread_mutex_unlock(&job->lock);
        if (!it) return NULL;
        hash_item(it, job->buf, &job->hurry);
    }
}

static void stop_thread(lp_digest_job *job)
{
    if (job->threaded && !job->joined) {
        pthread_mutex_lock(&job->lock);
        atomic_store(&job->hurry, true);
        pthread_cond_broadcast(&job->added);
        pthread_mutex_unlock(&job->lock);
        pthread_join(job->thread, NULL);
    }
    job->joined = true;
}

lp_status lp_digest_new(lp_digest_job **out_job)
{
    *out_job = NULL;
    lp_digest_job *job = lp_calloc(1, sizeof *job);
    if (!job) return LP_ERR_NOMEM;
    job->buf = lp_malloc(BLOCK);
    if (!job->buf) {
        lp_free(job);
        return LP_ERR_NOMEM;
    }
    pthread_mutex_init(&job->lock, NULL);
    pthread_cond_init(&job->added, NULL);
    atomic_init(&job->hurry, false);
    job->threaded = pthread_create(&job->thread, NULL, digest_main, job) == 0;
    *out_job = job;
    return LP_OK;
}

lp_status lp_digest_add(lp_digest_job *job, const lp_digest_file *file)
{
    item *it = lp_calloc(1, sizeof *it);
    if (!it) return LP_ERR_NOMEM;
    it->file = *file;
    it->fd = -1;
    it->finished = !file->path;
    it->file.path = file->path ? lp_strdup(file->path) : NULL;
    if (file->path && !it->file.path) {
        lp_free(it);
        return LP_ERR_NOMEM;
    }
    pthread_mutex_lock(&job->lock);
    lp_status st = LP_OK;
    if (job->n == job->cap) {
        size_t cap = job->cap ? 2 * job->cap : 16;
        item **items = lp_realloc(job->items, cap * sizeof *items);
        if (items) {
            job->items = items;
            job->cap = cap;
        } else {
            st = LP_ERR_NOMEM;
        }
    }
    if (!st) {
        job->items[job->n++] = it;
        pthread_cond_signal(&job->added);
    }
    pthread_mutex_unlock(&job->lock);
    if (st) {
        lp_free((char *)it->file.path);
        lp_free(it);
    }
    return st;
}

lp_status lp_digest_wait(lp_digest_job *job, char (*hex)[65], char *errmsg)
{
    stop_thread(job);
    for (size_t i = 0; i < job->n; i++) {
        item *it = job->items[i];
        hash_item(it, job->buf, NULL);
        if (it->status) {
            lp_errmsg_set(errmsg, "%s", it->errmsg);
            return it->status;
        }
        memcpy(hex[i], it->hex, sizeof it->hex);
    }
    return LP_OK;
}

size_t lp_digest_count(const lp_digest_job *job) { return job->n; }

void lp_digest_free(lp_digest_job *job)
{
    if (!job) return;
    stop_thread(job);
    for (size_t i = 0; i < job->n; i++) {
        if (job->items[i]->fd >= 0) close(job->items[i]->fd);
        lp_free((char *)job->items[i]->file.path);
        lp_free(job->items[i]);
    }
    lp_free(job->items);
    lp_free(job->buf);
    pthread_mutex_destroy(&job->lock);
    pthread_cond_destroy(&job->added);
    lp_free(job);
}
