/* noop.c: a task that returns at once; its rate is the harness's own dispatch cost. */
#include "workload.h"

static int noop_run(wl_task *t)
{
    (void)t;
    return 0;
}

static const workload noop_workload = {
    .name = "noop",
    .description = "returns at once: measures the executor's own dispatch cost per task",
    .default_tasks = 2000,
    .run = noop_run,
};
TVP_WORKLOAD(noop_workload);
