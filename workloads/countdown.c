/* countdown.c: pure CPU work in the style of interpreted code: Beazley's countdown loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

/* Parameters: the flag is --tvp_<name>, the CSV column is <name>. */
enum { P_COUNT, P_SLICE };
static const wl_param countdown_params[] = {
    [P_COUNT] = {.name = "count", .type = WL_PARAM_INT, .def = 2000000, .min = 1, .max = 1000000000000,
                 .help = "decrements per task"},
    [P_SLICE] = {.name = "slice", .type = WL_PARAM_INT, .def = 1000, .min = 1, .max = 1000000000,
                 .help = "decrements between safe points (polls of the global lock)"},
};

/* What setup() hands every worker (read-only from then on; forked workers get a copy). */
typedef struct countdown_cfg {
    uint64_t count, slice;
} countdown_cfg;

static int countdown_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    (void)tasks;
    countdown_cfg *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->count = (uint64_t)a->v[P_COUNT];
    c->slice = (uint64_t)a->v[P_SLICE];
    *shared = c;
    return 0;
}

/* `while n > 0: n -= 1`, with a safe point after every slice, as an interpreter would poll. */
static int countdown_run(wl_task *t)
{
    const countdown_cfg *c = t->shared;
    volatile uint64_t n = c->count; /* volatile: the loop must really run */
    uint64_t done = 0;
    while (n > 0) {
        uint64_t k = n < c->slice ? n : c->slice;
        for (uint64_t i = 0; i < k; i++)
            n = n - 1;
        done += k;
        wl_poll(t);
    }
    memcpy(t->out->digest, &done, sizeof done);
    t->out->digest_len = sizeof done;
    return 0;
}

/* Every task must have counted all the way down. */
static int countdown_check(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len)
{
    const countdown_cfg *c = shared;
    uint64_t done;
    memcpy(&done, out->digest, sizeof done);
    if (out->digest_len == sizeof done && done == c->count)
        return 0;
    snprintf(detail, len, "task %u counted %llu of %llu", index, (unsigned long long)done,
             (unsigned long long)c->count);
    return -EBADMSG;
}

static const workload countdown_workload = {
    .name = "countdown",
    .description = "CPU-bound pure-interpreter-style loop: count down, polling the lock every slice",
    .default_tasks = 16,
    .n_params = sizeof countdown_params / sizeof countdown_params[0],
    .params = countdown_params,
    .setup = countdown_setup,
    .teardown = free,
    .run = countdown_run,
    .check = countdown_check,
};
TVP_WORKLOAD(countdown_workload);
