/* gil.h: emulated global interpreter lock; the hooks workloads call around waits and at safe points. */
#ifndef TVP_GIL_H
#define TVP_GIL_H

#include <stdint.h>

typedef enum { GIL_OFF = 0, GIL_ON, GIL_LEGACY, GIL_MODE_COUNT } gil_mode;

/* A worker's handle on the lock its executor shares (NULL when gil=off: every hook is a no-op). */
typedef struct gil_worker gil_worker;

void gil_block_begin(gil_worker *w); /* about to block: release the lock */
void gil_block_end(gil_worker *w);   /* done blocking: take the lock again */
void gil_poll(gil_worker *w);        /* a safe point: yield if a drop was requested */

const char *gil_mode_name(gil_mode m);
int gil_mode_parse(const char *name, gil_mode *out); /* 0 or -EINVAL */

#endif /* TVP_GIL_H */
