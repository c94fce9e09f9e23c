/* exec_threads.c: the thread executor: one pthread per lane, in the harness's address space.
 *
 * Threads share the pool's interpreter lock (CPython's threads). They cannot die alone, so there
 * is nothing to supervise, and they cannot be stopped: a task past its deadline wedges the pool
 * (pool_run returns -ETIMEDOUT; destroy then detaches the threads and keeps the memory they use).
 * Stopping is closing the queue and joining.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "executor.h"

typedef struct threads_state {
    pthread_t *threads; /* by lane */
} threads_state;

typedef struct lane_arg {
    pool *p;
    uint32_t w;
} lane_arg;

static int threads_create(pool *p)
{
    threads_state *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    p->ex = t;
    t->threads = calloc(p->cfg.workers, sizeof *t->threads);
    return t->threads ? 0 : -ENOMEM;
}

static void threads_destroy(pool *p)
{
    threads_state *t = p->ex;
    if (!t)
        return;
    free(t->threads);
    free(t);
    p->ex = NULL;
}

static void *thread_main(void *arg)
{
    lane_arg a = *(lane_arg *)arg;
    free(arg);
    pool_worker_main(a.p, a.w);
    return NULL;
}

static int threads_start_lane(pool *p, uint32_t w)
{
    threads_state *t = p->ex;
    lane_arg *a = malloc(sizeof *a);
    if (!a)
        return -ENOMEM;
    *a = (lane_arg){p, w};
    int rc = pthread_create(&t->threads[w], NULL, thread_main, a);
    if (rc != 0)
        free(a);
    return -rc;
}

static void threads_reap_lane(pool *p, uint32_t w)
{
    threads_state *t = p->ex;
    pthread_join(t->threads[w], NULL);
}

/* A thread cannot be stopped from outside. */
static int threads_overdue(pool *p, uint32_t w, uint64_t now_ns)
{
    (void)p, (void)w, (void)now_ns;
    return -ETIMEDOUT;
}

/* The queue is closed: each thread leaves after its current task. */
static void threads_stop_all(pool *p)
{
    if (!p->ex)
        return;
    for (uint32_t w = 0; w < p->cfg.workers; w++)
        pool_reap_lane(p, w);
}

static void threads_abandon(pool *p)
{
    threads_state *t = p->ex;
    for (uint32_t w = 0; w < p->cfg.workers; w++)
        if (p->live[w])
            pthread_detach(t->threads[w]);
}

const executor_ops exec_threads = {
    .name = "threads",
    .max_workers = 0,
    .per_task = true,
    .in_process = true,
    .coordinator_works = false,
    .create = threads_create,
    .destroy = threads_destroy,
    .start_lane = threads_start_lane,
    .reap_lane = threads_reap_lane,
    .run = pool_run_lanes,
    .overdue = threads_overdue,
    .stop_all = threads_stop_all,
    .abandon = threads_abandon,
};
