/* exec_fork.c: the process executor: one forked child per lane, each its own interpreter.
 *
 * Children are forked from the coordinating thread (which must outlive the pool) with child_fork
 * (no malloc-arena locking once the harness's threads are gone), share the queue and the
 * per-worker records through MAP_SHARED memory made before the fork, and each creates its own
 * interpreter lock (multiprocessing semantics). The coordinator's own lane records are not
 * inherited (MADV_DONTFORK). child_init() makes them die with the harness
 * (PR_SET_PDEATHSIG, and a parent check closes the race) and ignore SIGINT and SIGHUP (the
 * harness decides); they leave with _exit. The coordinator supervises them between waits
 * (waitpid WNOHANG): one that died fails the task it held with the signal or status, and is
 * replaced while the respawn budget lasts. One past the task deadline gets SIGTERM (which ends
 * it), then SIGKILL after a grace period. Stopping is closing the queue, a grace period, then
 * SIGKILL. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "executor.h"

#define FORK_STOP_GRACE_MS 2000  /* workers get this long to leave before SIGKILL */
#define FORK_TERM_GRACE_MS 1000  /* a timed-out worker gets this long after SIGTERM */

/* The coordinator's record of its lanes, in a mapping of its own that children do not inherit
 * (MADV_DONTFORK): no child reads it, fork has nothing of it to copy, and writing it after a fork
 * is no copy-on-write fault on the coordinator's path. */
typedef struct fork_lane {
    pid_t pid;       /* 0 when reaped */
    uint64_t term_ns; /* when a timed-out lane was sent SIGTERM (0: never) */
} fork_lane;

typedef struct fork_state {
    fork_lane *lane;
    size_t len; /* of the mapping */
} fork_state;

static int fork_create(pool *p)
{
    fork_state *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    p->ex = f;
    f->len = p->cfg.workers * sizeof *f->lane;
    void *m = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return -ENOMEM;
    f->lane = m; /* zero-filled */
    madvise(m, f->len, MADV_DONTFORK);
    return 0;
}

static void fork_destroy(pool *p)
{
    fork_state *f = p->ex;
    if (!f)
        return;
    if (f->lane)
        munmap(f->lane, f->len);
    free(f);
    p->ex = NULL;
}

static _Noreturn void child_main(pool *p, uint32_t w)
{
    /* Die with the harness (and leave at once if it is already gone); SIGINT and SIGHUP, which
     * reach the whole process group, are ignored: the harness decides. SIGTERM from the
     * coordinator ends the worker (the first step past a deadline); anyone else's is ignored. */
    child_init(p->parent, CHILD_SIGNALS_WORKER);
    pool_worker_main(p, w);
    _exit(0); /* never exit(): the parent's atexit handlers must not run here */
}

static int fork_start_lane(pool *p, uint32_t w)
{
    fork_state *f = p->ex;
    f->lane[w].term_ns = 0;
    pid_t pid = child_fork();
    if (pid == 0)
        child_main(p, w);
    if (pid < 0)
        return -errno;
    f->lane[w].pid = pid;
    return 0;
}

static void fork_reap_lane(pool *p, uint32_t w)
{
    fork_state *f = p->ex;
    while (waitpid(f->lane[w].pid, NULL, 0) < 0 && errno == EINTR)
        ;
    f->lane[w].pid = 0;
}

/* Reaps workers that left: per-task workers that finished, and workers that died, whose held
 * task is failed with the cause and (pool spawn) who are replaced while the budget lasts. */
static void fork_supervise(pool *p, sup_counts *c)
{
    fork_state *f = p->ex;
    for (uint32_t w = 0; w < p->cfg.workers; w++) {
        int status;
        if (!p->live[w] || waitpid(f->lane[w].pid, &status, WNOHANG) != f->lane[w].pid)
            continue;
        p->live[w] = false;
        f->lane[w].pid = 0;
        c->reaped++;
        if (atomic_load(&p->ws[w].finished))
            continue; /* a per-task worker that left normally */
        c->died++;
        char why[WL_DETAIL_MAX];
        if (f->lane[w].term_ns) {
            snprintf(why, sizeof why, "timed out after %u ms; worker %u terminated", p->cfg.task_timeout_ms, w);
        } else if (WIFSIGNALED(status)) {
            snprintf(why, sizeof why, "worker %u killed by signal %d (%s)", w, WTERMSIG(status),
                     strsignal(WTERMSIG(status)));
        } else {
            snprintf(why, sizeof why, "worker %u exited with status %d", w, WEXITSTATUS(status));
        }
        pool_fail_held(p, w, why);
        f->lane[w].term_ns = 0;
        pool_replace_lane(p, w, c);
    }
}

/* SIGTERM first; SIGKILL when the worker is still there after the grace period. */
static int fork_overdue(pool *p, uint32_t w, uint64_t now_ns)
{
    fork_state *f = p->ex;
    if (w >= p->cfg.workers || !p->live[w])
        return 0;
    if (!f->lane[w].term_ns) {
        f->lane[w].term_ns = now_ns;
        kill(f->lane[w].pid, SIGTERM);
    } else if (now_ns - f->lane[w].term_ns > (uint64_t)FORK_TERM_GRACE_MS * 1000000u) {
        kill(f->lane[w].pid, SIGKILL);
    }
    return 0;
}

/* The queue is closed: workers leave after their current task; SIGKILL after the grace period. */
static void fork_stop_all(pool *p)
{
    fork_state *f = p->ex;
    if (!f)
        return;
    uint64_t deadline = metrics_now_ns() + (uint64_t)FORK_STOP_GRACE_MS * 1000000ull;
    for (;;) {
        bool any = false;
        for (uint32_t w = 0; w < p->cfg.workers; w++) {
            if (!p->live[w])
                continue;
            pid_t r = waitpid(f->lane[w].pid, NULL, WNOHANG);
            if (r == f->lane[w].pid || (r < 0 && errno == ECHILD)) { /* errno only when it failed */
                p->live[w] = false;
                f->lane[w].pid = 0;
            } else {
                any = true;
            }
        }
        if (!any)
            return;
        if (metrics_now_ns() > deadline) {
            for (uint32_t w = 0; w < p->cfg.workers; w++)
                if (p->live[w])
                    kill(f->lane[w].pid, SIGKILL);
            for (uint32_t w = 0; w < p->cfg.workers; w++)
                pool_reap_lane(p, w);
            return;
        }
        pool_sleep_ms(1);
    }
}

static void fork_worker_pss_kib(pool *p, uint64_t *kib)
{
    fork_state *f = p->ex;
    uint64_t v;
    for (uint32_t w = 0; w < p->cfg.workers; w++)
        if (p->live[w] && metrics_pss_kib(f->lane[w].pid, &v) == 0)
            *kib += v;
}

static uint32_t fork_worker_pids(pool *p, pid_t *pids, uint32_t max)
{
    fork_state *f = p->ex;
    uint32_t n = 0;
    for (uint32_t w = 0; w < p->cfg.workers && n < max; w++)
        if (p->live[w])
            pids[n++] = f->lane[w].pid;
    return n;
}

const executor_ops exec_fork = {
    .name = "processes",
    .max_workers = 0,
    .per_task = true,
    .in_process = false,
    .coordinator_works = false,
    .create = fork_create,
    .destroy = fork_destroy,
    .start_lane = fork_start_lane,
    .reap_lane = fork_reap_lane,
    .run = pool_run_lanes,
    .supervise = fork_supervise,
    .overdue = fork_overdue,
    .stop_all = fork_stop_all,
    .worker_pss_kib = fork_worker_pss_kib,
    .worker_pids = fork_worker_pids,
};
