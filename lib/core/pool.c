/* pool.c: what every executor shares: configuration checks, the worker body, the batch API and
 * its accounting, the coordinator's loop over lanes, and the interpreter-lock rule. The vehicles
 * (exec_serial.c, exec_threads.c, exec_fork.c) start, watch and stop workers through executor.h.
 *
 * One worker body serves every executor: set up (pin, timer slack, worker_init), then pop tasks
 * from the queue, run them, write the slot, complete. Workers account their own CPU and context
 * switches (RUSAGE_THREAD) over each busy period into a per-worker record in shared memory, so a
 * thread and a forked process are measured by the same code. The harness thread is the
 * coordinator: it pushes a batch, waits on the queue's futex with a timeout, and between waits
 * lets the vehicle supervise its workers: one that died fails the task it held, with the cause,
 * and is replaced while the respawn budget lasts.
 *
 * Per-task spawning keeps at most `workers` threads or processes alive; each pops one task, runs
 * it and leaves. The batch ends when the last one has been reaped.
 */
#include "pool.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"

#define POOL_WAIT_MS 20          /* supervision period while waiting */
#define POOL_READY_TIMEOUT_MS 10000
#define POOL_SPAWN_RETRIES 20    /* EAGAIN from fork/pthread_create: retry this often... */
#define POOL_SPAWN_RETRY_MS 10   /* ...this far apart */

/* The vehicles, by pool_executor. Sized by its initializers: an enum value without an entry (or
 * an entry without a value) fails the build here, not a lookup at run time. */
static const executor_ops *const executors[] = {
    [EXEC_SERIAL] = &exec_serial,
    [EXEC_THREADS] = &exec_threads,
    [EXEC_PROCESSES] = &exec_fork,
};
_Static_assert(sizeof executors / sizeof executors[0] == EXEC_COUNT, "one executor_ops per pool_executor");

static const char *const spawn_names[] = {[SPAWN_POOL] = "pool", [SPAWN_PER_TASK] = "per-task"};
_Static_assert(sizeof spawn_names / sizeof spawn_names[0] == SPAWN_COUNT, "one name per pool_spawn");

static const executor_ops *executor_of(pool_executor e)
{
    return (unsigned)e < EXEC_COUNT ? executors[e] : NULL;
}

const char *pool_executor_name(pool_executor e)
{
    const executor_ops *ops = executor_of(e);
    return ops ? ops->name : "?";
}

const char *pool_spawn_name(pool_spawn s) { return (unsigned)s < SPAWN_COUNT ? spawn_names[s] : "?"; }

void pool_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static bool stop_requested(const pool *p) { return p->cfg.stop && *p->cfg.stop; }

/* ---- the worker body, shared by every executor ---- */

int pool_space_lock(pool *p)
{
    if (p->cfg.gil == GIL_OFF || p->space_gil)
        return 0;
    return gil_create(p->cfg.gil, p->cfg.switch_us, p->cfg.check_ticks, p->cfg.workers, &p->space_gil);
}

/* The calling worker's handle on its interpreter lock: the one of its address space (threads and
 * serial: the pool's), or a private one for a worker alone in its process (created in the child;
 * multiprocessing semantics). */
int pool_worker_lock(pool *p, uint32_t w, gil_worker **out, gil **own)
{
    *out = NULL;
    *own = NULL;
    if (p->cfg.gil == GIL_OFF)
        return 0;
    if (p->space_gil) {
        *out = gil_worker_attach(p->space_gil, w, &p->ws[w].gil);
    } else {
        gil *g;
        int rc = gil_create(p->cfg.gil, p->cfg.switch_us, p->cfg.check_ticks, 1, &g);
        if (rc < 0)
            return rc;
        *own = g;
        *out = gil_worker_attach(g, 0, &p->ws[w].gil);
    }
    return *out ? 0 : -EINVAL;
}

int pool_worker_setup(pool *p, uint32_t w, void **wstate)
{
    *wstate = NULL; /* the timer slack is the coordinator's, inherited (pool_create) */
    if (p->cfg.topo && p->cfg.plan) {
        int rc = pin_bind_self(p->cfg.topo, p->cfg.plan->cpu[w % p->cfg.plan->workers]);
        if (rc < 0)
            return rc;
    }
    if (p->cfg.wl->worker_init)
        return p->cfg.wl->worker_init(p->cfg.wl_shared, w, wstate);
    return 0;
}

void pool_worker_teardown(pool *p, void *wstate)
{
    if (p->cfg.wl->worker_fini)
        p->cfg.wl->worker_fini(wstate);
}

/* Runs one task holding the interpreter lock, as a Python thread runs code: waiting for the lock
 * is part of the task's time. */
static void run_task(pool *p, uint32_t w, void *wstate, gil_worker *g, uint32_t idx)
{
    queue_slot *s = queue_slot_at(p->q, idx);
    wl_task t = {.index = idx, .worker = w, .shared = p->cfg.wl_shared, .wstate = wstate,
                 .gil = g, .out = &s->out};
    s->cpu = pin_current_cpu();
    atomic_store_explicit(&s->start_ns, metrics_now_ns(), memory_order_relaxed);
    gil_take(g);
    int rc = p->cfg.wl->run(&t);
    gil_drop(g);
    s->end_ns = metrics_now_ns();
    if (rc < 0 && !s->out.detail[0])
        snprintf(s->out.detail, sizeof s->out.detail, "%s", strerror(-rc));
    queue_complete(p->q, idx, rc == 0);
}

int pool_worker_drain(pool *p, uint32_t w, void *wstate, gil_worker *g, uint32_t max_tasks, bool check_stop)
{
    pool_wshared *me = &p->ws[w];
    metrics_usage start = {0, 0, 0};
    uint32_t ran = 0, idx;
    int rc;
    while (ran < max_tasks && (rc = queue_pop(p->q, w, &idx)) == 0) {
        /* A coordinator that is the worker checks the stop flag between tasks, as the coordinator
         * of a pool does between waits. The task it popped is returned unrun (the batch is
         * abandoned). */
        if (check_stop && stop_requested(p)) {
            rc = -EINTR;
            break;
        }
        if (ran++ == 0) {
            atomic_store_explicit(&me->busy, 1, memory_order_release);
            metrics_thread_usage(&start);
        }
        run_task(p, w, wstate, g, idx);
    }
    if (ran) {
        metrics_usage now;
        metrics_thread_usage(&now);
        metrics_usage_add(&me->acc, metrics_usage_sub(now, start));
        atomic_store_explicit(&me->busy, 0, memory_order_release);
    }
    return ran == max_tasks ? 0 : rc;
}

/* A pool worker: serves batches until the queue closes. */
static void worker_pool_body(pool *p, uint32_t w)
{
    void *wstate;
    gil_worker *g = NULL;
    gil *own = NULL;
    pool_wshared *me = &p->ws[w];
    /* A worker outside the coordinator's address space leaves when the coordinator is gone. */
    bool forked = !p->ops->in_process;
    me->init_err = pool_worker_setup(p, w, &wstate);
    if (me->init_err == 0)
        me->init_err = pool_worker_lock(p, w, &g, &own);
    atomic_store_explicit(&me->ready, 1, memory_order_release);
    if (me->init_err < 0)
        return;
    for (;;) {
        uint32_t seq = queue_work_seq(p->q);
        int rc = pool_worker_drain(p, w, wstate, g, UINT32_MAX, false);
        if (rc != -EAGAIN)
            break; /* -ESHUTDOWN, or an unrecoverable lock */
        queue_wait_work(p->q, seq, 100);
        if (forked && getppid() != p->parent)
            break; /* orphaned: the harness is gone */
    }
    pool_worker_teardown(p, wstate);
    gil_destroy(own);
}

/* A per-task worker: one task, then leave. Its whole life is its busy period. */
static void worker_once_body(pool *p, uint32_t w)
{
    void *wstate;
    pool_wshared *me = &p->ws[w];
    metrics_usage start = {0, 0, 0}, end;
    gil_worker *g = NULL;
    gil *own = NULL;
    atomic_store_explicit(&me->busy, 1, memory_order_release);
    me->init_err = pool_worker_setup(p, w, &wstate);
    if (me->init_err == 0 && (me->init_err = pool_worker_lock(p, w, &g, &own)) == 0) {
        uint32_t idx;
        if (queue_pop(p->q, w, &idx) == 0)
            run_task(p, w, wstate, g, idx);
        pool_worker_teardown(p, wstate);
    }
    gil_destroy(own);
    /* A thread's CPU clock and counters start at zero when it is created, a forked child's at
     * the fork: `start` zero is the whole life in both. */
    metrics_thread_usage(&end);
    metrics_usage_add(&me->acc, metrics_usage_sub(end, start));
    atomic_store_explicit(&me->busy, 0, memory_order_release);
    atomic_store_explicit(&me->finished, 1, memory_order_release);
    queue_event_post(p->q);
}

void pool_worker_main(pool *p, uint32_t w)
{
    if (p->cfg.spawn == SPAWN_POOL)
        worker_pool_body(p, w);
    else
        worker_once_body(p, w);
}

/* ---- lanes: starting, reaping, deaths ---- */

int pool_start_lane(pool *p, uint32_t w)
{
    pool_wshared *me = &p->ws[w];
    atomic_store(&me->ready, 0);
    atomic_store(&me->finished, 0);
    atomic_store(&me->busy, 0);
    me->init_err = 0;
    for (int attempt = 0;; attempt++) {
        int rc = p->ops->start_lane(p, w);
        if (rc == 0) {
            p->live[w] = true;
            return 0;
        }
        if (rc != -EAGAIN || attempt + 1 >= POOL_SPAWN_RETRIES)
            return rc;
        pool_sleep_ms(POOL_SPAWN_RETRY_MS);
    }
}

/* Blocks until lane w's worker is gone. */
void pool_reap_lane(pool *p, uint32_t w)
{
    if (!p->live[w])
        return;
    p->ops->reap_lane(p, w);
    p->live[w] = false;
}

void pool_fail_held(pool *p, uint32_t w, const char *detail)
{
    uint32_t cap = queue_capacity(p->q);
    for (uint32_t i = 0; i < cap; i++) {
        queue_slot *s = queue_slot_at(p->q, i);
        uint32_t st = atomic_load(&s->state);
        /* Held: running, or claimed by w and not yet marked running (see queue_slot). */
        if ((st != SLOT_RUNNING && st != SLOT_QUEUED) || atomic_load(&s->worker) != w)
            continue;
        snprintf(s->out.detail, sizeof s->out.detail, "%s", detail);
        s->end_ns = metrics_now_ns();
        queue_complete(p->q, i, false);
    }
    atomic_store(&p->ws[w].busy, 0);
}

void pool_replace_lane(pool *p, uint32_t w, sup_counts *c)
{
    if (p->cfg.spawn != SPAWN_POOL)
        return; /* per-task: the next spawn takes its place */
    if (p->respawns < p->cfg.respawn_budget && pool_start_lane(p, w) == 0) {
        p->respawns++;
        c->respawned++;
    } else {
        c->unreplaced++;
    }
}

static void supervise(pool *p, sup_counts *c)
{
    if (p->ops->supervise)
        p->ops->supervise(p, c);
}

/* ---- life cycle ---- */

static int wait_ready(pool *p)
{
    uint64_t deadline = metrics_now_ns() + (uint64_t)POOL_READY_TIMEOUT_MS * 1000000ull;
    for (uint32_t w = 0; w < p->cfg.workers; w++) {
        while (!atomic_load_explicit(&p->ws[w].ready, memory_order_acquire)) {
            sup_counts c = {0};
            supervise(p, &c);
            if (c.unreplaced)
                return -ECHILD;
            if (metrics_now_ns() > deadline)
                return -ETIMEDOUT;
            pool_sleep_ms(1);
        }
        if (p->ws[w].init_err < 0)
            return p->ws[w].init_err;
    }
    return 0;
}

int pool_create(const pool_config *cfg, pool **out)
{
    const executor_ops *ops = cfg ? executor_of(cfg->executor) : NULL;
    if (!ops || !cfg->wl || !cfg->wl->run || cfg->workers == 0 || cfg->max_tasks == 0 ||
        (unsigned)cfg->spawn >= SPAWN_COUNT || (ops->max_workers && cfg->workers > ops->max_workers) ||
        (cfg->spawn != SPAWN_POOL && !ops->per_task) ||
        (cfg->plan && cfg->plan->workers == 0) || (unsigned)cfg->gil >= GIL_MODE_COUNT ||
        (cfg->gil != GIL_OFF && (cfg->switch_us == 0 || cfg->check_ticks == 0)))
        return -EINVAL;
    pool *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    p->cfg = *cfg;
    p->ops = ops;
    p->parent = getpid();
    /* Set once on the coordinator: every thread and process it starts inherits it, so no worker
     * (a per-task one least of all) pays a prctl for it. Restored by pool_destroy. */
    if (cfg->timer_slack_ns) {
        p->slack_before = metrics_timer_slack_get();
        metrics_timer_slack_set(cfg->timer_slack_ns);
    }
    p->ws_len = (size_t)cfg->workers * sizeof(pool_wshared);
    p->live = calloc(cfg->workers, sizeof *p->live);
    void *ws = mmap(NULL, p->ws_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int rc = !p->live ? -ENOMEM : ws == MAP_FAILED ? -errno : 0;
    p->ws = ws == MAP_FAILED ? NULL : ws;
    if (rc == 0)
        rc = queue_create(cfg->max_tasks, &p->q);
    if (rc == 0 && ops->in_process)
        rc = pool_space_lock(p);
    if (rc == 0)
        rc = ops->create(p);
    if (rc == 0 && ops->start_lane && cfg->spawn == SPAWN_POOL) {
        for (uint32_t w = 0; w < cfg->workers && rc == 0; w++)
            rc = pool_start_lane(p, w);
        if (rc == 0)
            rc = wait_ready(p);
    }
    if (rc < 0) {
        pool_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

static void reset_accounts(pool *p)
{
    for (uint32_t w = 0; w < p->cfg.workers; w++) {
        p->ws[w].acc = (metrics_usage){0, 0, 0};
        memset(&p->ws[w].gil, 0, sizeof p->ws[w].gil);
    }
}

/* After the last completion, waits until every worker has closed its busy period, so its usage is
 * in `acc`. Outside the timed region. */
static void quiesce(pool *p, sup_counts *c)
{
    for (uint32_t w = 0; w < p->cfg.workers; w++) {
        uint64_t deadline = metrics_now_ns() + 1000000000ull;
        while (atomic_load_explicit(&p->ws[w].busy, memory_order_acquire)) {
            supervise(p, c);
            if (metrics_now_ns() > deadline)
                break; /* a stuck worker: report what we have */
            sched_yield();
        }
    }
}

/* Enforces the per-task deadline: the vehicle stops a worker past it (supervise() then fails the
 * task), or cannot: -ETIMEDOUT and the pool is wedged. */
static int check_deadlines(pool *p, uint32_t tasks)
{
    if (!p->cfg.task_timeout_ms || !p->ops->overdue)
        return 0;
    uint64_t now = metrics_now_ns(), limit = (uint64_t)p->cfg.task_timeout_ms * 1000000u;
    for (uint32_t i = 0; i < tasks; i++) {
        queue_slot *s = queue_slot_at(p->q, i);
        uint64_t start = atomic_load_explicit(&s->start_ns, memory_order_relaxed);
        /* A worker may have stamped its start after `now` was read: not late. */
        if (atomic_load(&s->state) != SLOT_RUNNING || !start || start >= now || now - start < limit)
            continue;
        if (p->ops->overdue(p, s->worker, now) == -ETIMEDOUT) {
            p->wedged = true;
            return -ETIMEDOUT;
        }
    }
    return 0;
}

/* Whether every task of the batch is finished (ok or failed), whatever the done count says. A
 * worker killed between marking its task finished and counting it (queue_complete) leaves the
 * count one short for good: once a worker died, the slot states decide. */
static bool batch_finished(pool *p, uint32_t tasks)
{
    for (uint32_t i = 0; i < tasks; i++) {
        uint32_t st = atomic_load(&queue_slot_at(p->q, i)->state);
        if (st != SLOT_OK && st != SLOT_FAILED)
            return false;
    }
    return true;
}

static int run_pool(pool *p, uint32_t tasks, sup_counts *c)
{
    int rc = queue_push_batch(p->q, tasks);
    while (rc == 0 && queue_done(p->q) < tasks) {
        queue_wait_done(p->q, tasks, POOL_WAIT_MS);
        if (queue_done(p->q) >= tasks)
            break;
        supervise(p, c);
        if (c->died && batch_finished(p, tasks))
            break; /* quiesce() then waits for live workers still counting */
        if (c->unreplaced)
            rc = -ECHILD; /* fewer workers than configured: the measurement would be wrong */
        else if (stop_requested(p))
            rc = -EINTR;
        else
            rc = check_deadlines(p, tasks);
    }
    return rc;
}

static int run_per_task(pool *p, uint32_t tasks, sup_counts *c)
{
    uint32_t in_flight = 0;
    int rc = queue_push_batch(p->q, tasks);
    while (rc == 0 && (queue_done(p->q) < tasks || in_flight > 0)) {
        if (c->died && in_flight == 0 && batch_finished(p, tasks))
            break; /* a worker died after finishing its task, before counting it */
        if (stop_requested(p)) {
            rc = -EINTR; /* spawn no more; the caller's teardown stops and reaps the live ones */
            break;
        }
        uint32_t seq = queue_event_seq(p->q);
        /* Keep up to `workers` alive while tasks remain that no live worker will take. */
        for (uint32_t w = 0; w < p->cfg.workers && rc == 0; w++) {
            int64_t unclaimed = (int64_t)tasks - queue_done(p->q) - in_flight;
            if (unclaimed <= 0)
                break;
            if (!p->live[w]) {
                rc = pool_start_lane(p, w);
                in_flight += rc == 0;
            }
        }
        bool reaped = false;
        for (uint32_t w = 0; w < p->cfg.workers; w++)
            if (p->live[w] && atomic_load_explicit(&p->ws[w].finished, memory_order_acquire)) {
                pool_reap_lane(p, w);
                in_flight--;
                reaped = true;
            }
        if (reaped || rc < 0)
            continue;
        queue_wait_event(p->q, seq, POOL_WAIT_MS);
        uint32_t before = c->reaped;
        supervise(p, c);
        in_flight -= c->reaped - before;
        if (stop_requested(p))
            rc = -EINTR;
        else
            rc = check_deadlines(p, tasks);
    }
    return rc;
}

int pool_run_lanes(pool *p, uint32_t tasks, sup_counts *c)
{
    return p->cfg.spawn == SPAWN_POOL ? run_pool(p, tasks, c) : run_per_task(p, tasks, c);
}

int pool_run(pool *p, uint32_t tasks, pool_batch *out)
{
    if (!p || !out || tasks == 0 || tasks > p->cfg.max_tasks)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    reset_accounts(p);
    sup_counts sup = {0};
    /* A worker that died since the last batch (idle: a batch shorter than POOL_WAIT_MS never
     * stops to supervise) is replaced here, outside the timed region, so the batch runs with the
     * configured number of workers. */
    supervise(p, &sup);
    if (sup.unreplaced)
        return -ECHILD;
    int rc = sup.respawned ? wait_ready(p) : 0;
    if (rc < 0)
        return rc;
    metrics_usage c0, c1;
    metrics_thread_usage(&c0);

    uint64_t t0 = metrics_now_ns();
    rc = p->ops->run(p, tasks, &sup);
    uint64_t t1 = metrics_now_ns();

    metrics_thread_usage(&c1);
    if (rc < 0)
        return rc;
    quiesce(p, &sup);
    out->wall_ns = t1 - t0;
    for (uint32_t w = 0; w < p->cfg.workers; w++) {
        metrics_usage_add(&out->usage, p->ws[w].acc);
        gil_stats_add(&out->gil, &p->ws[w].gil);
    }
    if (!p->ops->coordinator_works)
        metrics_usage_add(&out->usage, metrics_usage_sub(c1, c0));
    for (uint32_t i = 0; i < tasks; i++) {
        if (atomic_load(&queue_slot_at(p->q, i)->state) == SLOT_OK)
            out->ok++;
        else
            out->failed++;
    }
    out->respawns = sup.respawned;
    return 0;
}

const queue_slot *pool_slot(pool *p, uint32_t i) { return queue_slot_at(p->q, i); }

int pool_pss_kib(pool *p, uint64_t *kib)
{
    uint64_t total;
    int rc = metrics_pss_kib(0, &total);
    if (rc < 0)
        return rc;
    if (p->ops->worker_pss_kib)
        p->ops->worker_pss_kib(p, &total);
    *kib = total;
    return 0;
}

uint32_t pool_worker_pids(pool *p, pid_t *pids, uint32_t max)
{
    return p->ops->worker_pids ? p->ops->worker_pids(p, pids, max) : 0;
}

/* Wedged pools are kept, not freed (a stuck thread still uses them); they stay reachable here,
 * which is also what tells a leak checker that keeping them is deliberate. */
static pool *wedged_pools[64];

static void wedged_keep(pool *p)
{
    for (size_t i = 0; i < sizeof wedged_pools / sizeof wedged_pools[0]; i++)
        if (!wedged_pools[i]) {
            wedged_pools[i] = p;
            return;
        }
}

void pool_destroy(pool *p)
{
    if (!p)
        return;
    if (p->cfg.timer_slack_ns && p->slack_before)
        metrics_timer_slack_set(p->slack_before);
    if (p->wedged) {
        /* A worker is stuck in a task: it cannot be joined or stopped, and it still uses the
         * pool, the queue and the workload's memory. Close the queue so the others leave, and
         * leave everything else to process exit (deliberately not freed). */
        queue_close(p->q);
        if (p->ops->abandon)
            p->ops->abandon(p);
        wedged_keep(p);
        return;
    }
    if (p->q) {
        queue_close(p->q);
        if (p->live && p->ops->stop_all)
            p->ops->stop_all(p);
    }
    p->ops->destroy(p);
    gil_destroy(p->space_gil);
    queue_destroy(p->q);
    if (p->ws)
        munmap(p->ws, p->ws_len);
    free(p->live);
    free(p);
}
