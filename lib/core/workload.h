/* workload.h: the interface every workload implements, and the hooks it may block through.
 *
 * It lives in lib/ with the registry (workload.c): the harness that runs workloads (queue, pool)
 * and the workloads themselves (one file each in workloads/) both build on it, and lib/ never
 * includes from workloads/.
 *
 * A workload is one file in workloads/ that defines a `const struct workload` and registers it
 * with TVP_WORKLOAD(). It never knows which executor runs it: it gets a task index and a worker
 * index, computes, and reports through `struct wl_out`. It may block only between
 * wl_block_begin() and wl_block_end() (so a global-lock emulation can release around the wait),
 * and long CPU work calls wl_poll() at safe points (where an emulated interpreter would check
 * for a drop request).
 *
 * Lifecycle, per benchmark configuration:
 *   setup()        in the harness, before any worker exists (allocate and fill shared inputs,
 *                  compute expected answers); never timed
 *   worker_init()  in each worker (thread or process), once per worker lifetime; never timed
 *   run()          once per task, in a worker; timed
 *   check()        in the harness after a batch, per task: is this result right?; never timed
 *   worker_fini(), teardown()
 * Every hook but run() may be NULL.
 */
#ifndef TVP_WORKLOAD_H
#define TVP_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "gil.h"

#define WL_MAX_PARAMS 8
#define WL_MAX_WORKLOADS 64 /* registered workloads (tvp-bench refuses to start beyond) */
#define WL_MAX_EXTRAS 16    /* result columns of one workload (extra_names) */
#define WL_MAX_RESULTS (WL_MAX_WORKLOADS * WL_MAX_EXTRAS)
#define WL_DIGEST_MAX 64
#define WL_DETAIL_MAX 96

typedef enum { WL_PARAM_INT = 0, WL_PARAM_ENUM } wl_param_type;

/* A workload parameter; its name is both the CSV column and the flag (--tvp_<name>). The same
 * name in two workloads (e.g. `bytes`) is one column and one flag. */
typedef struct wl_param {
    const char *name;
    wl_param_type type;
    const char *help;
    int64_t def, min, max;         /* WL_PARAM_INT: default and inclusive range */
    const char *const *choices;    /* WL_PARAM_ENUM: NULL-terminated names; default is choices[def] */
} wl_param;

/* Values of a workload's parameters for one configuration, in the order of its params[]. */
typedef struct wl_args {
    int64_t v[WL_MAX_PARAMS]; /* WL_PARAM_INT: the value; WL_PARAM_ENUM: index into choices */
} wl_args;

/* What a task reports. Zeroed by the harness before run(). */
typedef struct wl_out {
    uint64_t value_ns;               /* a measured duration (sleep, round trip), 0 if none */
    uint32_t digest_len;             /* bytes of digest used, 0 if none */
    uint8_t digest[WL_DIGEST_MAX];
    char detail[WL_DETAIL_MAX];      /* reason when run() fails */
} wl_out;

typedef struct wl_task {
    uint32_t index;      /* task index within the batch, 0..tasks-1 */
    uint32_t worker;     /* worker index, 0..workers-1 */
    const void *shared;  /* what setup() returned */
    void *wstate;        /* what worker_init() returned */
    gil_worker *gil;     /* global-lock emulation hooks; see wl_block_begin() */
    wl_out *out;
} wl_task;

typedef struct workload {
    const char *name;        /* [a-z0-9_]+, first field of benchmark names */
    const char *description; /* one line, for --help */
    uint32_t default_tasks;  /* tasks per batch unless --tvp_tasks says otherwise */
    size_t n_params;
    const wl_param *params;

    int (*setup)(const wl_args *args, uint32_t tasks, void **shared);  /* 0 or -errno */
    void (*teardown)(void *shared);
    int (*worker_init)(const void *shared, uint32_t worker, void **wstate);
    void (*worker_fini)(void *wstate);
    int (*run)(wl_task *t);  /* 0 ok, -errno failed (with out->detail set) */
    /* 0 when task `index`'s result is right; else -EBADMSG with `detail` filled. */
    int (*check)(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len);
    /* Before every batch, in the harness, untimed (e.g. reset flags in shared memory). */
    void (*batch_begin)(void *shared, uint32_t tasks);
    /* Before a run's batches (one repetition), in the harness, untimed. */
    void (*run_begin)(void *shared);
    /* Extra result columns (NULL-terminated names) and, after a run, their values (NaN: none). */
    const char *const *extra_names;
    void (*extra_values)(void *shared, double *values);
    /* Workloads whose tasks cooperate (e.g. convoy: K hogs and a probe) fix their own worker and
     * task counts; NULL uses the matrix's worker list and default_tasks / --tvp_tasks. A fixed
     * count above 1 has no serial configuration. */
    uint32_t (*workers_for)(const wl_args *args);
    uint32_t (*tasks_for)(const wl_args *args);
    /* WL_LAT_VALUE: the lat_* columns are the distribution of out->value_ns over the tasks that
     * set it (e.g. a probe's wakeup delay), instead of task service times. */
    enum { WL_LAT_SERVICE = 0, WL_LAT_VALUE } latency;
} workload;

/* Registration: a pointer in the `tvp_workloads` linker section; the registry collects them. */
#define TVP_WORKLOAD(w)                                                                        \
    static const workload *const tvp_wl_ptr_##w                                                \
        __attribute__((used, section("tvp_workloads"), aligned(sizeof(void *)))) = &(w)

/* All registered workloads, sorted by name. */
size_t workload_count(void);
const workload *workload_at(size_t i);
const workload *workload_find(const char *name);
/* Whether the registry is within the limits above, with unique names: 0, or -E2BIG / -EINVAL
 * with `err` naming the workload and the limit. tvp-bench checks it before anything else. */
int workload_registry_check(char *err, size_t len);
/* Every registered workload's result columns (extra_names, e.g. net's server_late_*), in
 * registry order; a name two workloads declare appears once. `out` holds WL_MAX_RESULTS names (the
 * registry check keeps them within it). Returns how many. */
size_t workload_result_names(const char **out);
/* Index of a parameter of `w` by name, or -1. */
int workload_param_index(const workload *w, const char *name);

/* The harness's clock (CLOCK_MONOTONIC, the one every batch is timed with), for workloads that
 * measure a duration themselves (sleep's overshoot, convoy's probe, net's budget). */
uint64_t wl_now_ns(void);
/* Zeroed MAP_SHARED memory for state every worker must see change, forked ones included (the
 * executor decides who is forked; a workload only asks for shared state). NULL when out of memory;
 * freed with wl_shared_free(p, the same len). */
void *wl_shared_alloc(size_t len);
void wl_shared_free(void *p, size_t len);

/* Blocking and polling hooks: thin inline calls into the executor's lock (a no-op with gil=off). */
static inline void wl_block_begin(wl_task *t) { gil_block_begin(t->gil); }
static inline void wl_block_end(wl_task *t) { gil_block_end(t->gil); }
static inline void wl_poll(wl_task *t) { gil_poll(t->gil); }

#endif /* TVP_WORKLOAD_H */
