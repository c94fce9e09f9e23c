/* gil.h: an emulated global interpreter lock, faithful to CPython's, and the hooks workloads call.
 *
 * GIL_ON is CPython 3.2+'s lock (Python/ceval_gil.c): a waiter times out after one switch
 * interval and sets a drop request on the holder; the holder polls it at safe points and drops,
 * and FORCE_SWITCHING makes the dropper wait until another worker has taken the lock before it
 * may take it again. GIL_LEGACY is the pre-3.2 lock: a plain lock that the holder releases and
 * re-acquires back to back every `check_ticks` polls, with no handoff. GIL_OFF is free threading:
 * every hook returns at once.
 *
 * One `gil` is shared by the workers of one interpreter: all threads of a thread pool; each
 * process of a process pool has its own (uncontended, as with multiprocessing). The gil lives in
 * ordinary memory of the process that uses it. Statistics go to per-worker records the caller
 * provides (they may live in shared memory so a parent can read a child's).
 */
#ifndef TVP_GIL_H
#define TVP_GIL_H

#include <stddef.h>
#include <stdint.h>

typedef enum { GIL_OFF = 0, GIL_ON, GIL_LEGACY, GIL_MODE_COUNT } gil_mode;

#define GIL_DEFAULT_SWITCH_US 5000
#define GIL_DEFAULT_CHECK_TICKS 100
#define GIL_HIST_BUCKETS 64 /* log2 buckets of nanoseconds */

/* What one worker did with the lock. Plain counters, written only by that worker. */
typedef struct gil_stats {
    uint64_t acquisitions;  /* takes */
    uint64_t switches;      /* takes that changed the holder (CPython's switch_number) */
    uint64_t drop_requests; /* drop requests this worker set on a holder after a timed-out wait */
    uint64_t forced_drops;  /* drops this worker made because a drop request was pending */
    uint64_t held_ns, waited_ns;
    uint64_t held_hist[GIL_HIST_BUCKETS];   /* hold durations: bucket b counts [2^b, 2^(b+1)) ns */
    uint64_t waited_hist[GIL_HIST_BUCKETS]; /* wait durations in take() */
} gil_stats;

typedef struct gil gil;
/* A worker's handle on a gil (NULL when gil=off: every hook is a no-op). */
typedef struct gil_worker gil_worker;

/* Creates a lock for up to `max_workers` workers. switch_us >= 1 (CPython clamps to 1);
 * check_ticks >= 1. Returns 0 or -errno. */
int gil_create(gil_mode mode, uint32_t switch_us, uint32_t check_ticks, uint32_t max_workers, gil **out);
void gil_destroy(gil *g);

/* The handle of worker `id` (< max_workers), recording into `stats` (zeroed by the caller; may be
 * NULL). NULL for GIL_OFF. Call once per worker, from anywhere. */
gil_worker *gil_worker_attach(gil *g, uint32_t id, gil_stats *stats);

void gil_take(gil_worker *w);        /* blocks until w holds the lock */
void gil_drop(gil_worker *w);        /* w must hold it */
void gil_block_begin(gil_worker *w); /* about to block (sleep, I/O): drop */
void gil_block_end(gil_worker *w);   /* done blocking: take again */
void gil_poll(gil_worker *w);        /* a safe point: on a pending drop request drop, then take */

/* Totals for tests: the number of holder changes so far (switch_number). */
uint64_t gil_switch_number(const gil *g);

const char *gil_mode_name(gil_mode m);
int gil_mode_parse(const char *name, gil_mode *out); /* 0 or -EINVAL */

/* Adds b's counters and histograms into a. */
void gil_stats_add(gil_stats *a, const gil_stats *b);
/* The p-th percentile (0..100) of a histogram, in ns (geometric middle of the bucket); 0 if empty. */
double gil_hist_percentile(const uint64_t *hist, double p);

#endif /* TVP_GIL_H */
