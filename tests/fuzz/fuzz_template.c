/* libFuzzer entry for lp_fuzz_template (targets.h); built by make fuzz. */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return lp_fuzz_template(data, size);
}
