/*
 * sha256.h: SHA-256 (FIPS 180-4) of a byte stream, for the digest of every
 * input file in the load report.
 *
 * Usage: lp_sha256_init, any number of lp_sha256_update calls, then
 * lp_sha256_final_hex (or lp_sha256_final). The context is plain data on the
 * caller's stack: no allocation, no free. On x86-64 processors with the SHA
 * extensions the block function uses them (about 1.5 GB/s); elsewhere a
 * portable C version runs (about 200 MB/s).
 */
#ifndef LP_SHA256_H
#define LP_SHA256_H

#include "lp/lp.h"

typedef struct lp_sha256 {
    uint32_t state[8];       /* running hash */
    uint64_t total_bytes;    /* bytes hashed so far */
    uint8_t block[64];       /* pending partial block */
    size_t block_len;        /* bytes used in block */
} lp_sha256;

void lp_sha256_init(lp_sha256 *ctx);
/* Hashes len bytes of data (len may be 0). */
void lp_sha256_update(lp_sha256 *ctx, const void *data, size_t len);
/* Writes the 32-byte digest into out_digest; ctx must be re-initialised
 * before reuse. */
void lp_sha256_final(lp_sha256 *ctx, uint8_t out_digest[32]);
/* Writes the digest as 64 lower-case hex digits and a NUL into out_hex. */
void lp_sha256_final_hex(lp_sha256 *ctx, char out_hex[65]);

#endif
