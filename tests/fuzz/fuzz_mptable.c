/*
 * fuzz_mptable.c - the Intel MP tables (arch/x86_64/mptable.c): floating
 * pointer search, default configurations and the PCMP base table, in fake
 * low memory (fuzz_platform.h says how the input is laid out).
 */
#include "fuzz_platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct platform_info info;
    struct platform_diag diag;

    fake_load(data, size);
    int err = mptable_parse(&mapper, &info, &diag);
    check_info(err, &info, &diag);
    if (!err)
        FUZZ_CHECK(info.source == PLATFORM_SOURCE_MPTABLE && info.pcat_compat);
    fake_unload();
    return 0;
}
