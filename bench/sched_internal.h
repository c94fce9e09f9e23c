/* sched_internal.h: what the sched_*.c files share and nothing else sees (not part of the API). */
#ifndef TVP_SCHED_INTERNAL_H
#define TVP_SCHED_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "sched_bench.h"

#define SCHED_N(a) (sizeof(a) / sizeof((a)[0]))

/* A measurement's timeout when the configuration gives none: per op for spawns, the base of the
 * whole call's for the two-sided ones. */
#define SCHED_DEFAULT_TIMEOUT_MS 10000u

/* Empties *r for a measurement call, keeping the caller's lat_ns; no CPU known (-1). */
void sched_result_reset(sched_result *r);

/* "<who> was killed by signal 9 (Killed)" or "<who> exited with status 3", from a wait status. */
void sched_describe_status(char *buf, size_t len, const char *who, int status);

/* Creates a thread with every signal blocked in it (signals stay with the caller's threads).
 * 0 or -errno. */
int sched_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

#endif /* TVP_SCHED_INTERNAL_H */
