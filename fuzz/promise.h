/* promise.h: PROMISE(cond), the fuzz targets' check: a broken promise is named and aborts, in every build (not assert). */
#ifndef TVP_FUZZ_PROMISE_H
#define TVP_FUZZ_PROMISE_H

#include <stdio.h>
#include <stdlib.h>

/* The including target defines FUZZ_TARGET, its name, first: "fuzz_delay_proto: broken promise: ..." */
#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET (the fuzz target's name) before including promise.h"
#endif
/* Where the message goes: stderr unless the target defines FUZZ_ERR (a FILE * expression). */
#ifndef FUZZ_ERR
#define FUZZ_ERR stderr
#endif

#define PROMISE(cond)                                                                                          \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            fprintf(FUZZ_ERR, "%s: broken promise: %s (%s:%d)\n", FUZZ_TARGET, #cond, __FILE__, __LINE__);     \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

#endif /* TVP_FUZZ_PROMISE_H */
