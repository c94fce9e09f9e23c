/* pool.h: executors (serial, a thread pool, a forked process pool, or one worker per task) over
 * the one shared task queue.
 *
 * Every executor runs the same worker code against the same queue, result slots and clock; the
 * vehicle (the calling thread, pthreads, fork) is the only difference: pool.c holds what they
 * share, each vehicle is one file (exec_serial.c, exec_threads.c, exec_fork.c) behind executor.h.
 * A pool is created once and runs many batches; pool_run() times one batch from the push of its
 * tasks to the completion of the last one (per-task spawning: to the reaping of the last worker).
 */
#ifndef TVP_POOL_H
#define TVP_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gil.h"
#include "metrics.h"
#include "pin.h"
#include "queue.h"
#include "workload.h"

/* A new value needs its entry in pool.c's executor table (the build fails without it). */
typedef enum { EXEC_SERIAL = 0, EXEC_THREADS, EXEC_PROCESSES, EXEC_COUNT } pool_executor;
typedef enum { SPAWN_POOL = 0, SPAWN_PER_TASK, SPAWN_COUNT } pool_spawn;

const char *pool_executor_name(pool_executor e);
const char *pool_spawn_name(pool_spawn s);

typedef struct pool_config {
    pool_executor executor;
    pool_spawn spawn;          /* serial supports SPAWN_POOL only */
    uint32_t workers;          /* >= 1; serial: exactly 1 */
    uint32_t max_tasks;        /* largest batch */
    const workload *wl;
    const void *wl_shared;     /* from wl->setup() */
    const pin_topo *topo;      /* NULL: no pinning */
    const pin_plan *plan;      /* NULL or a plan for `workers` */
    uint64_t timer_slack_ns;   /* set on the calling thread for the pool's life, inherited by every
                                * worker it starts; 0 leaves it alone */
    gil_mode gil;              /* the emulated interpreter lock, as Python would have it: */
    uint32_t switch_us;        /*   threads share one; each process has its own; serial holds */
    uint32_t check_ticks;      /*   its own alone. Workers hold it while running a task. */
    uint32_t respawn_budget;   /* process workers that may be replaced after dying */
    uint32_t task_timeout_ms;  /* 0: none. A process worker past it gets SIGTERM, then SIGKILL
                                * after a grace period, and its task fails; a thread worker cannot
                                * be killed: pool_run returns -ETIMEDOUT and the pool is wedged.
                                * Serial runs the task on the calling thread: no timeout. */
    const volatile sig_atomic_t *stop; /* when it becomes non-zero, pool_run returns -EINTR */
} pool_config;

/* One batch, as measured by the pool. */
typedef struct pool_batch {
    uint64_t wall_ns;      /* push of the first task .. completion of the last */
    metrics_usage usage;   /* workers' CPU and context switches (+ the coordinator's, outside serial) */
    uint32_t ok, failed;
    uint32_t respawns;     /* process workers replaced during the batch */
    gil_stats gil;         /* every worker's lock statistics (zero with gil=off) */
} pool_batch;

typedef struct pool pool;

/* Creates the queue and, for SPAWN_POOL, starts the workers and waits until each has run
 * worker_init(). Forks happen here, from the calling thread, which must outlive the pool.
 * Returns 0 or -errno (-EAGAIN after bounded retries when the system refuses more threads or
 * processes; the partial pool is torn down, nothing is left running). */
int pool_create(const pool_config *cfg, pool **out);

/* Runs `tasks` (1..max_tasks) tasks and fills *out. 0, -EINTR when *stop was raised (the pool
 * must then be destroyed), -ECHILD when dying workers used up the respawn budget, -ETIMEDOUT when
 * a thread worker's task passed the timeout (the pool is wedged: destroy it, then end the
 * process soon, since the stuck thread cannot be stopped), or -errno. */
int pool_run(pool *p, uint32_t tasks, pool_batch *out);

/* The result slot of task i of the last batch. */
const queue_slot *pool_slot(pool *p, uint32_t i);

/* Resident memory of the executor: PSS of this process plus every live worker process, KiB. */
int pool_pss_kib(pool *p, uint64_t *kib);

/* Pids of the live worker processes (processes executor, pool spawn); returns how many were
 * stored (at most max). For tests and fault injection. */
uint32_t pool_worker_pids(pool *p, pid_t *pids, uint32_t max);

/* Stops and reaps every worker (processes: wait, then SIGKILL after a grace period). A wedged
 * pool's threads are not joined and its shared memory stays mapped (a stuck thread still uses it). */
void pool_destroy(pool *p);

#endif /* TVP_POOL_H */
