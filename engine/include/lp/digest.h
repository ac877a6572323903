/*
 * digest.h: the SHA-256 of input files, worked out beside the run instead
 * of inside the load.
 *
 * Hashing a gigabyte of exports takes most of a core for most of a second.
 * The load keeps both cores busy, while the measures and the report leave
 * one idle much of the time. lp_digest_start hashes the files on a thread
 * of its own at idle priority (SCHED_IDLE where the system has it), so it
 * runs when a core would otherwise wait. lp_digest_wait takes over what is
 * left at the caller's own priority (so a busy machine cannot starve it)
 * and returns the digests.
 *
 * A file is read again from its start, by its path. The digest must be of
 * the bytes that were loaded, so each file is checked to be the same file
 * (device and inode), of the size and modification time it had when it was
 * loaded, before and after it is read; otherwise lp_digest_wait fails and
 * says which file changed.
 *
 * Usage: lp_digest_new(&job), lp_digest_add(job, file) for each file,
 * lp_digest_wait(job, hex, errmsg), lp_digest_free(job). lp_digest_add is
 * not called after lp_digest_wait; lp_digest_wait may be called again (it
 * gives the same answer); one thread at a time.
 */
#ifndef LP_DIGEST_H
#define LP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "lp/lp.h"

/* A file as it was when it was loaded. */
typedef struct lp_digest_file {
    const char *path;      /* copied by lp_digest_add; NULL: skip (hex "") */
    uint64_t size;         /* bytes loaded */
    uint64_t dev, ino;     /* st_dev, st_ino */
    int64_t mtime_ns;      /* st_mtim in nanoseconds */
} lp_digest_file;

typedef struct lp_digest_job lp_digest_job;

/* A job with no file yet; its thread waits for lp_digest_add. Without a
 * thread (none can be started) the work is left to lp_digest_wait. */
lp_status lp_digest_new(lp_digest_job **out_job);

/* Adds a file to hash after those added before (the loader adds each file
 * once it is loaded, so hashing starts while the next ones load). */
lp_status lp_digest_add(lp_digest_job *job, const lp_digest_file *file);

/* Files added so far. */
size_t lp_digest_count(const lp_digest_job *job);

/* Finishes the job: hex[i] (65 bytes) gets the digest of the i-th file
 * added ("" for an entry without a path). On failure errmsg
 * (LP_ERRMSG_SIZE) names the file and what happened: LP_ERR_IO when it
 * cannot be read, LP_ERR_INPUT when it changed since it was loaded. */
lp_status lp_digest_wait(lp_digest_job *job, char (*hex)[65], char *errmsg);

/* Stops the thread (at its next block) and frees the job; NULL is a no-op. */
void lp_digest_free(lp_digest_job *job);

#endif
