/* sleep.c: the idealised wait: each task sleeps `sleep_us` and reports how long it really slept. */
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { P_SLEEP_US };

static const wl_param sleep_params[] = {
    [P_SLEEP_US] = {.name = "sleep_us", .type = WL_PARAM_INT, .def = 10000, .min = 1,
                    .max = 10000000, .help = "microseconds each task sleeps"},
};

typedef struct sleep_cfg {
    uint64_t ns;
} sleep_cfg;

static int sleep_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    (void)tasks;
    sleep_cfg *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->ns = (uint64_t)a->v[P_SLEEP_US] * 1000u;
    *shared = c;
    return 0;
}

static int sleep_run(wl_task *t)
{
    const sleep_cfg *c = t->shared;
    struct timespec ts = {(time_t)(c->ns / 1000000000u), (long)(c->ns % 1000000000u)};
    wl_block_begin(t);
    uint64_t t0 = wl_now_ns();
    int rc;
    while ((rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts)) == EINTR)
        ;
    t->out->value_ns = wl_now_ns() - t0;
    wl_block_end(t);
    if (rc != 0) {
        snprintf(t->out->detail, sizeof t->out->detail, "clock_nanosleep: error %d", rc);
        return -rc;
    }
    return 0;
}

static int sleep_check(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len)
{
    const sleep_cfg *c = shared;
    (void)index;
    if (out->value_ns >= c->ns)
        return 0;
    snprintf(detail, len, "slept %llu ns, asked %llu ns", (unsigned long long)out->value_ns,
             (unsigned long long)c->ns);
    return -EBADMSG;
}

static const workload sleep_workload = {
    .name = "sleep",
    .description = "I/O-bound idealised wait: clock_nanosleep(sleep_us), released around the wait",
    .default_tasks = 32,
    .n_params = sizeof sleep_params / sizeof sleep_params[0],
    .params = sleep_params,
    .setup = sleep_setup,
    .teardown = free,
    .run = sleep_run,
    .check = sleep_check,
};
TVP_WORKLOAD(sleep_workload);
