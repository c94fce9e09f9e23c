/* exec_serial.c: the serial executor: the coordinating thread is the one worker.
 *
 * No lanes: pool_create() sets the calling thread up as worker 0 (pinning, timer slack,
 * worker_init, a handle on the pool's lock, which it holds alone), and a batch is drained in
 * place, between the coordinator's two clock reads. The stop flag is checked between tasks; a
 * task has no deadline (nothing could stop it). pool_destroy() runs worker_fini and gives the
 * thread its CPU affinity back.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "executor.h"

typedef struct serial_state {
    void *wstate;
    gil_worker *g;
    bool ready;              /* pool_worker_setup() succeeded: worker_fini is due */
    bool affinity_saved;
    cpu_set_t saved_affinity; /* the coordinator's, restored at destroy (pinning changes it) */
} serial_state;

static int serial_create(pool *p)
{
    serial_state *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    p->ex = s;
    s->affinity_saved = sched_getaffinity(0, sizeof s->saved_affinity, &s->saved_affinity) == 0;
    int rc = pool_worker_setup(p, 0, &s->wstate);
    s->ready = rc == 0;
    gil *none; /* the pool's lock exists (or gil=off): never a private one */
    if (rc == 0)
        rc = pool_worker_lock(p, 0, &s->g, &none);
    return rc;
}

static void serial_destroy(pool *p)
{
    serial_state *s = p->ex;
    if (!s)
        return;
    if (s->ready)
        pool_worker_teardown(p, s->wstate);
    if (s->affinity_saved)
        sched_setaffinity(0, sizeof s->saved_affinity, &s->saved_affinity);
    free(s);
    p->ex = NULL;
}

static int serial_run(pool *p, uint32_t tasks, sup_counts *c)
{
    (void)c;
    serial_state *s = p->ex;
    int rc = queue_push_batch(p->q, tasks);
    if (rc == 0 && pool_worker_drain(p, 0, s->wstate, s->g, UINT32_MAX, true) == -EINTR)
        rc = -EINTR;
    return rc;
}

const executor_ops exec_serial = {
    .name = "serial",
    .max_workers = 1,
    .per_task = false,
    .in_process = true,
    .coordinator_works = true,
    .create = serial_create,
    .destroy = serial_destroy,
    .run = serial_run,
};
