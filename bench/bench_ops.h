/* bench_ops.h: operator timings of make bench (bench/ops.c). */
#ifndef LP_BENCH_OPS_H
#define LP_BENCH_OPS_H

#include <stddef.h>

/* Loads each scale's generated data (generic dialect) in this process and
 * prints the wall time of each operator of operators.h over it. */
void bench_operators(const char *source_dir, const char *const *data_dirs,
                     const char *const *scales, size_t nscales);

#endif
