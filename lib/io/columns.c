/* columns.c: every fixed column of tvp's CSV, defined once, and the main CSV's layout. */
#include "columns.h"

#include <errno.h>
#include <string.h>

#define W COL_FILL_WORKLOAD
#define S COL_FILL_SCHED
#define A COL_FILL_ALL
#define LOW COL_LOWER_BETTER
#define HIGH COL_HIGHER_BETTER
#define NEU COL_NEUTRAL

static const col_def fixed[] = {
    /* The contract (README "Columns"), in this order. */
    {"run_id", COL_TEXT, "", NEU, COL_ID, A, true, false, "the run: <UTC stamp>-<host>"},
    {"benchmark", COL_TEXT, "", NEU, COL_ID, A, true, false, "the configuration's name, its identity"},
    {"workload", COL_TEXT, "", NEU, COL_ID, A, true, false, "what a task does (sched_* for microbenchmarks)"},
    {"executor", COL_TEXT, "", NEU, COL_ID, A, true, false, "serial, threads or processes"},
    {"spawn", COL_TEXT, "", NEU, COL_ID, A, true, false, "pool or per-task"},
    {"gil", COL_TEXT, "", NEU, COL_ID, A, true, false, "the emulated lock: off, on or legacy"},
    {"switch_us", COL_INT, "us", NEU, COL_ID, W, true, false, "gil=on: the switch interval"},
    {"workers", COL_INT, "count", NEU, COL_ID, A, true, false, "workers of the executor"},
    {"pin", COL_TEXT, "", NEU, COL_ID, A, true, false, "placement policy: none, compact, scatter, core"},
    {"tasks", COL_INT, "count", NEU, COL_ID, A, true, false, "tasks per batch"},
    {"repetition", COL_INT, "", NEU, COL_REP, A, true, false, "0, 1, ...: the repetition, in run order"},
    {"status", COL_TEXT, "", NEU, COL_STATUS, A, true, false, "ok, failed or interrupted"},
    {"wall_s", COL_REAL, "s", LOW, COL_MEASURE, A, true, true, "wall time of one batch"},
    {"tasks_per_s", COL_REAL, "1/s", HIGH, COL_MEASURE, A, true, true, "tasks per second"},
    {"speedup", COL_REAL, "ratio", HIGH, COL_MEASURE, W, true, true, "serial median wall time over this one"},
    {"efficiency", COL_REAL, "ratio", HIGH, COL_MEASURE, W, true, true, "speedup / min(workers, tasks)"},
    {"cpu_s", COL_REAL, "s", LOW, COL_MEASURE, A, true, true, "CPU seconds of the workers per batch"},
    {"cpu_util", COL_REAL, "CPUs", NEU, COL_MEASURE, A, true, true, "cpu_s / wall_s"},
    {"ctx_vol", COL_REAL, "count", LOW, COL_MEASURE, A, true, true, "voluntary context switches per batch"},
    {"ctx_invol", COL_REAL, "count", LOW, COL_MEASURE, A, true, true, "involuntary context switches per batch"},
    {"lat_p50_us", COL_REAL, "us", LOW, COL_MEASURE, A, true, true, "task service time, median"},
    {"lat_p99_us", COL_REAL, "us", LOW, COL_MEASURE, A, true, true, "task service time, 99th percentile"},
    {"rss_kib", COL_REAL, "KiB", LOW, COL_MEASURE, W, true, true, "PSS of the harness and its live workers"},
    /* The scheduler microbenchmarks' parameters. */
    {"heap_kib", COL_INT, "KiB", NEU, COL_PARAM, S, false, false, "spawn: memory touched before forking"},
    {"method", COL_TEXT, "", NEU, COL_PARAM, S, false, false, "spawn: pthread, fork, vfork, posix_spawn"},
    {"channel", COL_TEXT, "", NEU, COL_PARAM, S, false, false, "ping-pong: pipe, futex, eventfd, condvar"},
    {"cpus", COL_TEXT, "", NEU, COL_PARAM, S, false, false, "placement of the two sides: none, same, different"},
    {"batch", COL_INT, "count", NEU, COL_PARAM, S, false, false, "dispatch: tasks per push (noop's tasks per batch)"},
    /* Further measures and properties. */
    {"lat_p90_us", COL_REAL, "us", LOW, COL_MEASURE, A, false, true, "task service time, 90th percentile"},
    {"cpus_used", COL_INT, "count", NEU, COL_MEASURE, A, false, true, "distinct CPUs the tasks ran on"},
    {"oversubscribed", COL_TEXT, "", NEU, COL_PARAM, A, false, false, "yes when a pin policy had to wrap"},
    {"respawns", COL_REAL, "count", LOW, COL_MEASURE, W, false, true, "process workers replaced"},
    {"iterations", COL_INT, "count", NEU, COL_MEASURE, A, false, true, "batches measured"},
    {"check_ticks", COL_INT, "count", NEU, COL_PARAM, W, false, false, "gil=legacy: polls between releases"},
    {"gil_acquisitions", COL_REAL, "count", NEU, COL_MEASURE, W, false, true, "lock acquisitions per batch"},
    {"gil_switches", COL_REAL, "count", NEU, COL_MEASURE, W, false, true, "lock handoffs per batch"},
    {"gil_drop_requests", COL_REAL, "count", NEU, COL_MEASURE, W, false, true, "drop requests per batch"},
    {"gil_forced_drops", COL_REAL, "count", NEU, COL_MEASURE, W, false, true, "forced switches per batch"},
    {"gil_held_s", COL_REAL, "s", NEU, COL_MEASURE, W, false, true, "seconds the lock was held per batch"},
    {"gil_waited_s", COL_REAL, "s", LOW, COL_MEASURE, W, false, true, "seconds waited for the lock per batch"},
    {"gil_held_p50_us", COL_REAL, "us", NEU, COL_MEASURE, W, false, true, "lock hold time, median"},
    {"gil_held_p99_us", COL_REAL, "us", NEU, COL_MEASURE, W, false, true, "lock hold time, 99th percentile"},
    {"gil_wait_p50_us", COL_REAL, "us", LOW, COL_MEASURE, W, false, true, "lock wait time, median"},
    {"gil_wait_p99_us", COL_REAL, "us", LOW, COL_MEASURE, W, false, true, "lock wait time, 99th percentile"},
    {"same_cpu_frac", COL_REAL, "ratio", NEU, COL_MEASURE, S, false, true, "ops with both sides on one CPU"},
    {"server_limited", COL_TEXT, "", NEU, COL_MEASURE, W, false, false, "net: yes when the delay server's lateness was a material part of the task time (netsvc_server_limited)"},
    {"detail", COL_TEXT, "", NEU, COL_STATUS, A, false, false, "why a row failed or was interrupted"},
};

#define N_FIXED (sizeof fixed / sizeof fixed[0])

const col_def *columns_fixed(size_t *n)
{
    *n = N_FIXED;
    return fixed;
}

const col_def *columns_find(const char *name)
{
    for (size_t i = 0; name && i < N_FIXED; i++)
        if (strcmp(fixed[i].name, name) == 0)
            return &fixed[i];
    return NULL;
}

bool columns_is_param(const char *name, const char *const *results, size_t n_results)
{
    const col_def *c = columns_find(name);
    if (c)
        return c->role == COL_PARAM;
    for (size_t i = 0; i < n_results; i++)
        if (results[i] && strcmp(results[i], name) == 0)
            return false;
    return true;
}

static bool listed(const char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

long columns_layout(const char **out, size_t cap, const char *const *params, size_t n_params,
                    const char *const *extras, size_t n_extras)
{
    size_t n = 0;
#define PUT(x)                                                                                                       \
    do {                                                                                                             \
        if (n == cap)                                                                                                \
            return -E2BIG;                                                                                           \
        out[n++] = (x);                                                                                              \
    } while (0)
    size_t i = 0;
    for (; i < N_FIXED && fixed[i].contract; i++)
        PUT(fixed[i].name);
    for (size_t k = 0; k < n_params; k++)
        if (!listed(out, n, params[k]))
            PUT(params[k]);
    for (; i < N_FIXED; i++)
        if (strcmp(fixed[i].name, "detail") != 0 && !listed(out, n, fixed[i].name))
            PUT(fixed[i].name);
    for (size_t k = 0; k < n_extras; k++)
        if (!listed(out, n, extras[k]))
            PUT(extras[k]);
    PUT("detail");
#undef PUT
    return (long)n;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

col_better columns_better(const char *name)
{
    const col_def *c = columns_find(name);
    if (c)
        return c->better;
    if (ends_with(name, "_per_s") || ends_with(name, "speedup"))
        return COL_HIGHER_BETTER;
    static const char *const lower[] = {"_s", "_ms", "_us", "_ns", "_kib"};
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        if (ends_with(name, lower[i]))
            return COL_LOWER_BETTER;
    return COL_NEUTRAL;
}
