/* gil.c: emulated global interpreter lock (CPython-faithful); hooks are no-ops for gil=off. */
#include "gil.h"

#include <errno.h>
#include <string.h>

static const char *const gil_names[GIL_MODE_COUNT] = {"off", "on", "legacy"};

const char *gil_mode_name(gil_mode m) { return (unsigned)m < GIL_MODE_COUNT ? gil_names[m] : "?"; }

int gil_mode_parse(const char *name, gil_mode *out)
{
    for (int i = 0; i < GIL_MODE_COUNT; i++)
        if (strcmp(name, gil_names[i]) == 0) {
            *out = (gil_mode)i;
            return 0;
        }
    return -EINVAL;
}

void gil_block_begin(gil_worker *w) { (void)w; }
void gil_block_end(gil_worker *w) { (void)w; }
void gil_poll(gil_worker *w) { (void)w; }
