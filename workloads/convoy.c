/* convoy.c: the convoy effect: an I/O-bound probe's wakeups next to CPU-bound hogs. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workload.h"

/* Tasks 0..hogs-1 are hogs: interpreted-style CPU loops that poll the lock every `slice`
 * decrements until the probe is done. Tasks hogs.. are the probe's wakeups: sleep `probe_us`
 * with the lock released, take it back, and report how late that was. The workload runs with
 * hogs + 1 workers, so the probe's wakeups run one after another beside every hog. Under threads
 * and gil=on the hogs share the probe's lock (the convoy: a wakeup waits about one switch
 * interval); under processes each has its own (the control). */
enum { P_HOGS, P_PROBES, P_PROBE_US, P_HOG_SLICE };

static const wl_param convoy_params[] = {
    [P_HOGS] = {.name = "hogs", .type = WL_PARAM_INT, .def = 1, .min = 1, .max = 63,
                .help = "CPU-bound hogs beside the probe"},
    [P_PROBES] = {.name = "probes", .type = WL_PARAM_INT, .def = 40, .min = 1, .max = 100000,
                  .help = "probe wakeups per batch"},
    [P_PROBE_US] = {.name = "probe_us", .type = WL_PARAM_INT, .def = 1000, .min = 1, .max = 1000000,
                    .help = "microseconds each probe sleeps before it needs the lock again"},
    [P_HOG_SLICE] = {.name = "hog_slice", .type = WL_PARAM_INT, .def = 1000, .min = 1, .max = 1000000000,
                     .help = "hog decrements between safe points"},
};

#define CONVOY_HOG_LIMIT_NS (60ull * 1000000000ull) /* a hog never spins longer than this */

/* In MAP_SHARED memory: forked hogs must see the probe finish. */
typedef struct convoy_shared {
    _Atomic uint32_t probes_done;
    uint32_t hogs, probes;
    uint64_t probe_ns, slice;
} convoy_shared;

static uint32_t convoy_workers(const wl_args *a) { return (uint32_t)a->v[P_HOGS] + 1; }
static uint32_t convoy_tasks(const wl_args *a) { return (uint32_t)(a->v[P_HOGS] + a->v[P_PROBES]); }

static int convoy_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    (void)tasks;
    convoy_shared *c = wl_shared_alloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->hogs = (uint32_t)a->v[P_HOGS];
    c->probes = (uint32_t)a->v[P_PROBES];
    c->probe_ns = (uint64_t)a->v[P_PROBE_US] * 1000u;
    c->slice = (uint64_t)a->v[P_HOG_SLICE];
    *shared = c;
    return 0;
}

static void convoy_teardown(void *shared) { wl_shared_free(shared, sizeof(convoy_shared)); }

static void convoy_batch_begin(void *shared, uint32_t tasks)
{
    (void)tasks;
    atomic_store(&((convoy_shared *)shared)->probes_done, 0);
}

static int hog(wl_task *t, const convoy_shared *c)
{
    uint64_t limit = wl_now_ns() + CONVOY_HOG_LIMIT_NS, spins = 0;
    volatile uint64_t n = 0;
    while (atomic_load_explicit(&c->probes_done, memory_order_acquire) < c->probes) {
        for (uint64_t i = 0; i < c->slice; i++)
            n = n + 1;
        wl_poll(t);
        if ((++spins & 1023) == 0 && wl_now_ns() > limit) {
            snprintf(t->out->detail, sizeof t->out->detail, "hog gave up: the probe never finished");
            return -ETIMEDOUT;
        }
    }
    return 0;
}

static int probe(wl_task *t, convoy_shared *c)
{
    struct timespec ts = {(time_t)(c->probe_ns / 1000000000u), (long)(c->probe_ns % 1000000000u)};
    uint64_t t0 = wl_now_ns();
    wl_block_begin(t);
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
        ;
    wl_block_end(t); /* the wait for the lock after the wakeup is the convoy */
    uint64_t late = wl_now_ns() - t0 - c->probe_ns;
    t->out->value_ns = late ? late : 1;
    atomic_fetch_add_explicit(&c->probes_done, 1, memory_order_acq_rel);
    return 0;
}

static int convoy_run(wl_task *t)
{
    convoy_shared *c = (convoy_shared *)t->shared;
    return t->index < c->hogs ? hog(t, c) : probe(t, c);
}

static int convoy_check(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len)
{
    const convoy_shared *c = shared;
    if (index < c->hogs || out->value_ns > 0)
        return 0;
    snprintf(detail, len, "probe %u reported no wakeup", index - c->hogs);
    return -EBADMSG;
}

static const workload convoy_workload = {
    .name = "convoy",
    .description = "probe wakeup delay (lat_* columns, us past probe_us) beside CPU hogs: the GIL convoy",
    .default_tasks = 41,
    .n_params = sizeof convoy_params / sizeof convoy_params[0],
    .params = convoy_params,
    .setup = convoy_setup,
    .teardown = convoy_teardown,
    .run = convoy_run,
    .check = convoy_check,
    .batch_begin = convoy_batch_begin,
    .workers_for = convoy_workers,
    .tasks_for = convoy_tasks,
    .latency = WL_LAT_VALUE,
};
TVP_WORKLOAD(convoy_workload);
