/* gil.c: an emulated global interpreter lock faithful to CPython's (gil=on, legacy, off), and its hooks. */
/*
 * GIL_ON follows CPython 3.2+ (Python/ceval_gil.c, 3.13 layout). The lock is a flag `locked`
 * guarded by `mutex` and signalled through `cond`. A worker that finds it taken waits on `cond`
 * for one switch interval at a time; when a wait times out while the lock is still held and no
 * switch happened meanwhile (switch_number unchanged), the waiter sets a drop request on the
 * holder, a bit in the holder's own poll word (3.13's eval breaker). The holder sees the bit at its
 * next safe point (gil_poll: one relaxed load when nothing is pending), drops and takes again.
 * FORCE_SWITCHING: a dropper with a request pending waits on `switch_cond` until another worker
 * has taken the lock (last_holder changed), so it cannot win the lock straight back.
 * switch_number counts takes by a worker other than the last holder.
 *
 * GIL_LEGACY is CPython <= 3.1: a plain mutex, released and re-acquired back to back every
 * `check_ticks` polls with no handoff, so on a multicore machine the releaser usually wins again.
 * Those periodic releases are counted as forced drops. GIL_OFF is free threading: no handles,
 * and every hook given NULL returns at once.
 *
 * Statistics go to the worker's own gil_stats (written only by that worker); a NULL record
 * disables counting and the clock reads that feed it.
 */
#include "gil.h"
#include "metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_DROP_REQUEST 1u /* GIL_ON: a waiter asks this worker to drop */
#define POLL_LEGACY 2u       /* GIL_LEGACY: always take the slow path to count ticks */
#define NO_HOLDER UINT32_MAX
#define CACHE_LINE 64

struct gil_worker {
    /* The poll word: read by its worker at every safe point, set by waiters. Own cache line. */
    _Alignas(CACHE_LINE) _Atomic unsigned poll_word;
    gil *g;
    uint32_t id;
    uint32_t ticks; /* GIL_LEGACY: polls since the last periodic release */
    gil_stats *stats;
    uint64_t hold_start_ns;
};

struct gil {
    gil_mode mode;
    uint32_t interval_us;
    uint32_t check_ticks;
    uint32_t max_workers;
    /* GIL_ON: `locked` guarded by mutex/cond; GIL_LEGACY: mutex is the lock itself. */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int locked;
    pthread_mutex_t switch_mutex; /* FORCE_SWITCHING */
    pthread_cond_t switch_cond;
    _Atomic uint32_t last_holder; /* worker id, NO_HOLDER before the first take */
    _Atomic uint64_t switch_number;
    gil_worker *workers;
};

static const char *const gil_names[GIL_MODE_COUNT] = {"off", "on", "legacy"};

const char *gil_mode_name(gil_mode m) { return (unsigned)m < GIL_MODE_COUNT ? gil_names[m] : "?"; }

int gil_mode_parse(const char *name, gil_mode *out)
{
    if (!name || !out)
        return -EINVAL;
    for (int i = 0; i < GIL_MODE_COUNT; i++)
        if (strcmp(name, gil_names[i]) == 0) {
            *out = (gil_mode)i;
            return 0;
        }
    return -EINVAL;
}

/* The harness's one clock (metrics_now_ns: CLOCK_MONOTONIC). */
static uint64_t now_ns(void) { return (uint64_t)metrics_now_ns(); }

static unsigned hist_bucket(uint64_t ns) { return ns ? 63u - (unsigned)__builtin_clzll(ns) : 0u; }

static int init_cond_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc)
        return -rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (!rc)
        rc = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return -rc;
}

int gil_create(gil_mode mode, uint32_t switch_us, uint32_t check_ticks, uint32_t max_workers, gil **out)
{
    if (!out || (unsigned)mode >= GIL_MODE_COUNT || switch_us == 0 || check_ticks == 0 || max_workers == 0)
        return -EINVAL;
    *out = NULL;
    gil *g = calloc(1, sizeof *g);
    if (!g)
        return -ENOMEM;
    size_t wbytes = (size_t)max_workers * sizeof(gil_worker); /* a multiple of CACHE_LINE */
    g->workers = aligned_alloc(CACHE_LINE, wbytes);
    if (!g->workers) {
        free(g);
        return -ENOMEM;
    }
    memset(g->workers, 0, wbytes);
    g->mode = mode;
    g->interval_us = switch_us;
    g->check_ticks = check_ticks;
    g->max_workers = max_workers;
    atomic_init(&g->last_holder, NO_HOLDER);
    atomic_init(&g->switch_number, 0);
    for (uint32_t i = 0; i < max_workers; i++) {
        gil_worker *w = &g->workers[i];
        atomic_init(&w->poll_word, mode == GIL_LEGACY ? POLL_LEGACY : 0u);
        w->g = g;
        w->id = i;
    }

    int rc = -pthread_mutex_init(&g->mutex, NULL);
    if (rc)
        goto fail_mutex;
    if ((rc = init_cond_monotonic(&g->cond)))
        goto fail_cond;
    if ((rc = -pthread_mutex_init(&g->switch_mutex, NULL)))
        goto fail_switch_mutex;
    if ((rc = init_cond_monotonic(&g->switch_cond)))
        goto fail_switch_cond;
    *out = g;
    return 0;

fail_switch_cond:
    pthread_mutex_destroy(&g->switch_mutex);
fail_switch_mutex:
    pthread_cond_destroy(&g->cond);
fail_cond:
    pthread_mutex_destroy(&g->mutex);
fail_mutex:
    free(g->workers);
    free(g);
    return rc;
}

void gil_destroy(gil *g)
{
    if (!g)
        return;
    pthread_cond_destroy(&g->switch_cond);
    pthread_mutex_destroy(&g->switch_mutex);
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->mutex);
    free(g->workers);
    free(g);
}

gil_worker *gil_worker_attach(gil *g, uint32_t id, gil_stats *stats)
{
    if (!g || g->mode == GIL_OFF || id >= g->max_workers)
        return NULL;
    gil_worker *w = &g->workers[id];
    w->stats = stats;
    w->ticks = 0;
    return w;
}

uint64_t gil_switch_number(const gil *g)
{
    return g ? atomic_load_explicit(&g->switch_number, memory_order_relaxed) : 0;
}

/* ---- statistics ---- */

static uint64_t take_begin(const gil_worker *w) { return w->stats ? now_ns() : 0; }

static void take_end(gil_worker *w, uint64_t t0, bool switched, uint64_t requests)
{
    gil_stats *s = w->stats;
    if (!s)
        return;
    uint64_t t1 = now_ns();
    uint64_t waited = t1 - t0;
    s->acquisitions++;
    s->switches += switched;
    s->drop_requests += requests;
    s->waited_ns += waited;
    s->waited_hist[hist_bucket(waited)]++;
    w->hold_start_ns = t1;
}

static void record_hold(gil_worker *w)
{
    gil_stats *s = w->stats;
    if (!s)
        return;
    uint64_t held = now_ns() - w->hold_start_ns;
    s->held_ns += held;
    s->held_hist[hist_bucket(held)]++;
}

/* Holder change bookkeeping, with the lock held (and switch_mutex for GIL_ON). */
static bool note_holder(gil *g, uint32_t id)
{
    if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == id)
        return false;
    atomic_store_explicit(&g->last_holder, id, memory_order_relaxed);
    atomic_store_explicit(&g->switch_number,
                          atomic_load_explicit(&g->switch_number, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    return true;
}

/* ---- GIL_ON: CPython 3.2+ ---- */

static void deadline_after_us(struct timespec *ts, uint32_t us)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    uint64_t ns = (uint64_t)ts->tv_nsec + (uint64_t)us * 1000u;
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

static void on_take(gil_worker *w)
{
    gil *g = w->g;
    uint64_t t0 = take_begin(w);
    uint64_t requests = 0;

    pthread_mutex_lock(&g->mutex);
    while (g->locked) {
        uint64_t saved = atomic_load_explicit(&g->switch_number, memory_order_relaxed);
        struct timespec deadline;
        deadline_after_us(&deadline, g->interval_us); /* the timer restarts on every pass */
        int rc = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (rc == ETIMEDOUT && g->locked &&
            atomic_load_explicit(&g->switch_number, memory_order_relaxed) == saved) {
            uint32_t holder = atomic_load_explicit(&g->last_holder, memory_order_relaxed);
            if (holder < g->max_workers) {
                atomic_fetch_or_explicit(&g->workers[holder].poll_word, POLL_DROP_REQUEST,
                                         memory_order_relaxed);
                requests++;
            }
        }
    }

    pthread_mutex_lock(&g->switch_mutex);
    g->locked = 1;
    bool switched = note_holder(g, w->id);
    pthread_cond_signal(&g->switch_cond);
    pthread_mutex_unlock(&g->switch_mutex);

    if (atomic_load_explicit(&w->poll_word, memory_order_relaxed) & POLL_DROP_REQUEST)
        atomic_fetch_and_explicit(&w->poll_word, ~POLL_DROP_REQUEST, memory_order_relaxed);
    pthread_mutex_unlock(&g->mutex);

    take_end(w, t0, switched, requests);
}

static void on_drop(gil_worker *w)
{
    gil *g = w->g;
    record_hold(w);
    atomic_store_explicit(&g->last_holder, w->id, memory_order_relaxed);
    pthread_mutex_lock(&g->mutex);
    g->locked = 0;
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->mutex);

    /* FORCE_SWITCHING: after a requested drop, let another worker take it before we may. */
    if (atomic_load_explicit(&w->poll_word, memory_order_relaxed) & POLL_DROP_REQUEST) {
        pthread_mutex_lock(&g->switch_mutex);
        if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == w->id) {
            atomic_fetch_and_explicit(&w->poll_word, ~POLL_DROP_REQUEST, memory_order_relaxed);
            /* CPython waits once; looping on the predicate (guarded by switch_mutex) also
             * absorbs spurious wakeups. The requester is blocked in take, so someone will come. */
            while (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == w->id)
                pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        }
        pthread_mutex_unlock(&g->switch_mutex);
    }
}

/* ---- GIL_LEGACY: CPython <= 3.1 ---- */

static void legacy_take(gil_worker *w)
{
    gil *g = w->g;
    uint64_t t0 = take_begin(w);
    pthread_mutex_lock(&g->mutex);
    bool switched = note_holder(g, w->id);
    take_end(w, t0, switched, 0);
}

static void legacy_drop(gil_worker *w)
{
    record_hold(w);
    pthread_mutex_unlock(&w->g->mutex);
}

/* ---- hooks ---- */

void gil_take(gil_worker *w)
{
    if (!w)
        return;
    if (w->g->mode == GIL_LEGACY)
        legacy_take(w);
    else
        on_take(w);
}

void gil_drop(gil_worker *w)
{
    if (!w)
        return;
    if (w->g->mode == GIL_LEGACY)
        legacy_drop(w);
    else
        on_drop(w);
}

void gil_block_begin(gil_worker *w) { gil_drop(w); }
void gil_block_end(gil_worker *w) { gil_take(w); }

static void __attribute__((noinline)) poll_slow(gil_worker *w, unsigned word)
{
    if (word & POLL_LEGACY) {
        if (++w->ticks < w->g->check_ticks)
            return;
        w->ticks = 0;
    }
    if (w->stats)
        w->stats->forced_drops++;
    gil_drop(w);
    gil_take(w);
}

void gil_poll(gil_worker *w)
{
    if (!w)
        return;
    unsigned word = atomic_load_explicit(&w->poll_word, memory_order_relaxed);
    if (__builtin_expect(word != 0, 0))
        poll_slow(w, word);
}

/* ---- histograms ---- */

void gil_stats_add(gil_stats *a, const gil_stats *b)
{
    a->acquisitions += b->acquisitions;
    a->switches += b->switches;
    a->drop_requests += b->drop_requests;
    a->forced_drops += b->forced_drops;
    a->held_ns += b->held_ns;
    a->waited_ns += b->waited_ns;
    for (int i = 0; i < GIL_HIST_BUCKETS; i++) {
        a->held_hist[i] += b->held_hist[i];
        a->waited_hist[i] += b->waited_hist[i];
    }
}

double gil_hist_percentile(const uint64_t *hist, double p)
{
    uint64_t total = 0;
    for (int i = 0; i < GIL_HIST_BUCKETS; i++)
        total += hist[i];
    if (total == 0)
        return 0.0;
    if (!(p > 0.0)) /* also NaN */
        p = 0.0;
    if (p > 100.0)
        p = 100.0;
    /* The smallest rank (1-based) whose share of the samples reaches p. */
    double want = p / 100.0 * (double)total;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    int b = GIL_HIST_BUCKETS - 1;
    for (int i = 0; i < GIL_HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen >= rank) {
            b = i;
            break;
        }
    }
    return (double)(UINT64_C(1) << b) * 1.4142135623730951; /* sqrt(2^b * 2^(b+1)) */
}
