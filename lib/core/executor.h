/* executor.h: how pool.c drives one vehicle. Internal to lib/ (pool.c and lib/exec_*.c).
 *
 * pool.c keeps what every executor shares: configuration checks, the worker body (setup, the
 * interpreter-lock rule, run_task and its accounting), the coordinator's batch loop and clock,
 * deadline scans, and the API of pool.h. A vehicle (exec_serial.c: the calling thread,
 * exec_threads.c: pthreads, exec_fork.c: forked processes) says what it is in a few flags and
 * starts, reaps, supervises and stops its workers through the hooks below; pool.c finds it in
 * its table, indexed by pool_executor.
 *
 * Adding a vehicle (e.g. "hybrid": P processes x T threads): a value before EXEC_COUNT in pool.h,
 * its `extern const executor_ops` below, one line in pool.c's table (a _Static_assert fails the
 * build when the table and the enum differ in length), the new lib/exec_<name>.c, and a test
 * (tests/test_pool_<name>.c; tests/test_pool.c runs the common contract over every table entry).
 */
#ifndef TVP_EXECUTOR_H
#define TVP_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gil.h"
#include "metrics.h"
#include "pool.h"
#include "queue.h"

/* Per-worker record in shared memory, one cache line apart. */
typedef struct pool_wshared {
    _Atomic uint32_t ready;     /* worker_init() finished (1) */
    _Atomic uint32_t busy;      /* inside a busy period; its usage is not yet in `acc` */
    _Atomic uint32_t finished;  /* per-task: the worker has left its body */
    int32_t init_err;           /* worker_init() result */
    metrics_usage acc;          /* busy-period usage since the last batch started */
    gil_stats gil;              /* lock statistics since the last batch started */
} __attribute__((aligned(64))) pool_wshared;

/* What supervision found, added to the caller's totals: `reaped` lanes freed, `died` deaths,
 * `unreplaced` deaths not replaced, `respawned` replacements. */
typedef struct sup_counts {
    uint32_t reaped, died, unreplaced, respawned;
} sup_counts;

typedef struct executor_ops executor_ops;

/* A lane is worker index w (0..workers-1): a worker lives on it (pool spawn: for the pool's
 * life, replaced when it dies; per-task: one task at a time). */
struct pool {
    pool_config cfg;
    const executor_ops *ops;
    queue *q;
    pool_wshared *ws;    /* MAP_SHARED, `workers` records */
    size_t ws_len;
    bool *live;          /* lane has a worker that is not yet reaped */
    bool wedged;         /* a worker is stuck in a task and cannot be stopped: never join, never unmap */
    pid_t parent;        /* the coordinator's pid */
    gil *space_gil;      /* the interpreter lock of this address space (see pool_space_lock) */
    uint32_t respawns;
    uint64_t slack_before;  /* the coordinator's timer slack before pool_create (restored at destroy) */
    void *ex;            /* the vehicle's own state, from create() */
};

struct executor_ops {
    const char *name;       /* pool_executor_name(): CSV column value and --tvp_executors name */

    /* What the vehicle is. pool.c applies the configuration checks and the rules from these. */
    uint32_t max_workers;   /* 0: any number */
    bool per_task;          /* supports SPAWN_PER_TASK */
    bool in_process;        /* workers live in the coordinator's address space: they share the
                             * pool's one interpreter lock; otherwise each forked worker is its own
                             * interpreter (and leaves when the coordinator is gone) */
    bool coordinator_works; /* the coordinator thread is the worker: its CPU is already in the
                             * workers' accounts, not added again */

    /* Life cycle. create() makes p->ex (0 or -errno); destroy() frees it and must accept a
     * failed or partial create(). Workers of SPAWN_POOL are started by pool.c after create(). */
    int (*create)(pool *p);
    void (*destroy)(pool *p);

    /* Lanes; NULL when the coordinator is the worker. start_lane() starts a worker on lane w that
     * calls pool_worker_main(p, w) and then leaves (0, or -errno: -EAGAIN is retried by pool.c);
     * reap_lane() blocks until that worker is gone. */
    int (*start_lane)(pool *p, uint32_t w);
    void (*reap_lane)(pool *p, uint32_t w);

    /* One batch, pushed and waited for; the coordinator's clock is around this call. Vehicles
     * with lanes use pool_run_lanes(). 0 or -errno (see pool_run). */
    int (*run)(pool *p, uint32_t tasks, sup_counts *c);

    /* Between waits: reap workers that left by themselves (non-blocking), fail what dead ones
     * held (pool_fail_held) and replace them (pool_replace_lane). NULL: workers cannot die alone. */
    void (*supervise)(pool *p, sup_counts *c);

    /* A task of worker w is past cfg.task_timeout_ms at `now_ns`: 0 when the worker is being
     * stopped (supervise() then fails the task), or -ETIMEDOUT when it cannot be stopped (the pool
     * is then wedged). NULL: tasks have no deadline (the coordinator runs them). */
    int (*overdue)(pool *p, uint32_t w, uint64_t now_ns);

    /* After queue_close(): every live worker gone (asked, then forced where possible). */
    void (*stop_all)(pool *p);
    /* A wedged pool is kept: let its live workers go without waiting for them. May be NULL. */
    void (*abandon)(pool *p);

    /* Adds the PSS of the workers that are not in this process (NULL: none are), KiB. */
    void (*worker_pss_kib)(pool *p, uint64_t *kib);
    /* Pids of live worker processes, at most max (NULL: none). */
    uint32_t (*worker_pids)(pool *p, pid_t *pids, uint32_t max);
};

extern const executor_ops exec_serial, exec_threads, exec_fork;

/* ---- what pool.c gives the vehicles ---- */

/* The worker body for the pool's spawn mode: SPAWN_POOL serves batches until the queue closes,
 * SPAWN_PER_TASK runs one task. Call it on lane w from the new thread or process. */
void pool_worker_main(pool *p, uint32_t w);

/* The pieces of that body, for a coordinator that is itself the worker (serial). */
int pool_worker_setup(pool *p, uint32_t w, void **wstate); /* timer slack, pinning, worker_init */
void pool_worker_teardown(pool *p, void *wstate);           /* worker_fini */
/* The worker's handle on its address space's lock: p->space_gil when there is one, else a lock of
 * its own (*own, for gil_destroy) for a worker that is alone in its process. */
int pool_worker_lock(pool *p, uint32_t w, gil_worker **g, gil **own);
/* Runs tasks until the queue is empty or closed, or max_tasks ran, as one busy period; with
 * check_stop, stops (-EINTR) when *cfg.stop is raised between tasks. Returns the last pop's result
 * (-EAGAIN: empty), 0 after max_tasks. */
int pool_worker_drain(pool *p, uint32_t w, void *wstate, gil_worker *g, uint32_t max_tasks, bool check_stop);

/* The GIL sharing rule (CPython's): the workers of one address space share one lock. pool_create
 * makes the coordinator's for in_process vehicles; a forked child that hosts several workers calls
 * this before starting them. A worker that finds none makes its own. 0 or -errno. */
int pool_space_lock(pool *p);

/* The batch loop of vehicles with lanes (pool spawn: wait and supervise; per-task: keep up to
 * `workers` alive, reap them as they finish), with stop, deadline and death handling. */
int pool_run_lanes(pool *p, uint32_t tasks, sup_counts *c);

/* Lanes: start (with the ready/finished flags reset and EAGAIN retried) and reap. */
int pool_start_lane(pool *p, uint32_t w);
void pool_reap_lane(pool *p, uint32_t w);

/* Worker w died: every task it held fails with `detail`, and its busy period ends. */
void pool_fail_held(pool *p, uint32_t w, const char *detail);
/* Worker w died on a SPAWN_POOL lane: replace it while the respawn budget lasts (counted in c).
 * Nothing for per-task lanes (the next spawn takes its place). */
void pool_replace_lane(pool *p, uint32_t w, sup_counts *c);

void pool_sleep_ms(int ms);

#endif /* TVP_EXECUTOR_H */
