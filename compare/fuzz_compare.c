/* fuzz_compare.c: libFuzzer harness for tvp-compare's readers (CSV through libcsv, JSON through jansson). */
#include "cmp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cmp_options o;
    cmp_options_default(&o);
    cmp_set s;
    cmp_set_init(&s);
    cmp_error err = {{0}};
    if (cmp_read_buffer("fuzz", (const char *)data, size, &o.metric, &s, &err) == 0) {
        cmp_report r;
        if (cmp_compare(&s, &s, &o, &r) == 0)
            cmp_report_free(&r);
    }
    cmp_set_free(&s);
    return 0;
}
