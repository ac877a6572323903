/*
 * SHA-256 (sha256.h). The portable block function follows FIPS 180-4
 * section 6.2.2 literally. The x86-64 one uses the SHA-NI instructions
 * (sha256rnds2 does two rounds, sha256msg1/msg2 extend the message
 * schedule), laid out as in Intel's white paper "Intel SHA Extensions"
 * (2013); it is chosen once at run time through CPUID leaf 7 (EBX bit 29).
 */
#include "lp/sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_portable(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    while (nblocks--) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)data[4 * i] << 24 | (uint32_t)data[4 * i + 1] << 16 |
                   (uint32_t)data[4 * i + 2] << 8 | data[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) +
                          K[i] + w[i];
            uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
        data += 64;
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* The rounds of a block unrolled: their indexes are constants then, and no
 * loop test is left (an instrumented build calls a hook for each). */
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#else
#define UNROLL
#endif

__attribute__((target("sha,sse4.1"))) static void blocks_shani(uint32_t state[8],
                                                              const uint8_t *data,
                                                              size_t nblocks)
{
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    /* state as ABEF / CDGH, the layout sha256rnds2 works on */
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);   /* DCBA */
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]); /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                          /* CDAB */
    state1 = _mm_shuffle_epi32(state1, 0x1B);                    /* EFGH */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);            /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                 /* CDGH */

    while (nblocks--) {
        __m128i abef_save = state0, cdgh_save = state1;
        __m128i msg[4];
        UNROLL
        for (int i = 0; i < 4; i++)
            msg[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byteswap);
        UNROLL
        for (int r = 0; r < 16; r++) {
            __m128i m = msg[r & 3];
            __m128i k = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * r]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, k);
            k = _mm_shuffle_epi32(k, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, k);
            if (r < 12) {
                /* msg[r+4] = W[4(r+4)..] from the four previous quads */
                __m128i next = _mm_sha256msg1_epu32(msg[r & 3], msg[(r + 1) & 3]);
                next = _mm_add_epi32(next, _mm_alignr_epi8(msg[(r + 3) & 3], msg[(r + 2) & 3], 4));
                msg[r & 3] = _mm_sha256msg2_epu32(next, msg[(r + 3) & 3]);
            }
        }
        state0 = _mm_add_epi32(state0, abef_save);
        state1 = _mm_add_epi32(state1, cdgh_save);
        data += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);                      /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);                   /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);                /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);                   /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

static bool cpu_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    if (!(b & (1u << 29))) return false;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    return (c & (1u << 19)) && (c & (1u << 9)); /* SSE4.1, SSSE3 */
}

static void blocks(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    static int use_sha = -1; /* benign race: every thread computes the same */
    if (use_sha < 0) use_sha = cpu_has_sha();
    if (use_sha)
        blocks_shani(state, data, nblocks);
    else
        blocks_portable(state, data, nblocks);
}
#else
static void blocks(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    blocks_portable(state, data, nblocks);
}
#endif

void lp_sha256_init(lp_sha256 *ctx)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->state, iv, sizeof iv);
    ctx->total_bytes = 0;
    ctx->block_len = 0;
}

void lp_sha256_update(lp_sha256 *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    ctx->total_bytes += len;
    if (ctx->block_len) {
        size_t take = 64 - ctx->block_len < len ? 64 - ctx->block_len : len;
        memcpy(ctx->block + ctx->block_len, p, take);
        ctx->block_len += take;
        p += take;
        len -= take;
        if (ctx->block_len < 64) return;
        blocks(ctx->state, ctx->block, 1);
        ctx->block_len = 0;
    }
    if (len >= 64) {
        blocks(ctx->state, p, len / 64);
        p += len / 64 * 64;
        len %= 64;
    }
    memcpy(ctx->block, p, len);
    ctx->block_len = len;
}

void lp_sha256_final(lp_sha256 *ctx, uint8_t out_digest[32])
{
    uint64_t bits = ctx->total_bytes * 8;
    ctx->block[ctx->block_len++] = 0x80;
    if (ctx->block_len > 56) {
        memset(ctx->block + ctx->block_len, 0, 64 - ctx->block_len);
        blocks(ctx->state, ctx->block, 1);
        ctx->block_len = 0;
    }
    memset(ctx->block + ctx->block_len, 0, 56 - ctx->block_len);
    for (int i = 0; i < 8; i++) ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    blocks(ctx->state, ctx->block, 1);
    for (int i = 0; i < 8; i++) {
        out_digest[4 * i] = (uint8_t)(ctx->state[i] >> 24);
        out_digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
        out_digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
        out_digest[4 * i + 3] = (uint8_t)ctx->state[i];
    }
}

void lp_sha256_final_hex(lp_sha256 *ctx, char out_hex[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[32];
    lp_sha256_final(ctx, digest);
    for (int i = 0; i < 32; i++) {
        out_hex[2 * i] = hex[digest[i] >> 4];
        out_hex[2 * i + 1] = hex[digest[i] & 15];
    }
    out_hex[64] = '\0';
}
