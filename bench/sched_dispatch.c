/* sched_dispatch.c: the dispatch floor: empty tasks handed to threads or processes the cheapest correct way.
 *
 * What the noop workload measures through the pool, minus everything the pool adds: the same
 * MAP_SHARED memory, the same CLOCK_MONOTONIC stamps around each task into a 64-byte slot, the
 * same futex wakeups (every waiting worker at a push, the coordinator at the last completion),
 * the same per-busy-period accounting (one pair of usage calls per worker per push), and a claim
 * that is one atomic increment of an index instead of the pool's robust mutex and slot states.
 * A push is timed from before the wakeup to after the last completion, as pool_run times a batch.
 * Noop's cost per task divided by this one, same executor, same workers, same run, is what the
 * harness adds (the summary prints the ratio).
 *
 * Between pushes (untimed) the coordinator waits until every worker has left the previous push,
 * so the index can be reset. Workers are started once per team (a benchmark run) and stopped at
 * its end; process workers go through child_init (they die with the harness) and are killed and
 * reaped whatever happens; a push that does not finish in time fails the call.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "futex.h"
#include "metrics.h"
#include "sched_internal.h"

#define DISPATCH_WAIT_MS 100      /* workers and the coordinator look around this often */
#define DISPATCH_TIMEOUT_MS 10000 /* a push (or the wait for idle workers) longer than this fails */

typedef struct {
    _Alignas(64) _Atomic uint32_t seq; /* futex: bumped at every push and at quit */
    _Alignas(64) _Atomic uint32_t next; /* the claim index */
    _Alignas(64) _Atomic uint32_t done; /* futex: tasks completed in this push */
    _Alignas(64) _Atomic uint32_t idle; /* futex: workers that left this push */
    _Atomic uint32_t n, quit, ready;
    _Atomic uint64_t cpu_ns, ctx_vol, ctx_invol; /* the workers' busy periods, summed */
} dispatch_hdr;

typedef struct {
    _Alignas(64) uint64_t start_ns, end_ns;
} dispatch_slot;

struct sched_dispatch_team {
    pool_executor executor;
    uint32_t workers, batch;
    dispatch_hdr *h;
    dispatch_slot *slots;
    size_t map_len;
    pid_t parent, *pids;
    pthread_t *threads;
    uint32_t started;
};

static void worker_loop(sched_dispatch_team *t)
{
    dispatch_hdr *h = t->h;
    bool forked = t->executor == EXEC_PROCESSES;
    uint32_t seen = 0;
    atomic_fetch_add(&h->ready, 1);
    futex_wake_all(&h->ready, true);
    for (;;) {
        uint32_t s = atomic_load_explicit(&h->seq, memory_order_acquire);
        if (s == seen) {
            futex_wait_ms(&h->seq, seen, true, DISPATCH_WAIT_MS);
            if (forked && getppid() != t->parent)
                return;
            continue;
        }
        seen = s;
        if (atomic_load(&h->quit))
            return;
        uint32_t n = atomic_load_explicit(&h->n, memory_order_acquire), i, ran = 0;
        metrics_usage u0 = {0, 0, 0};
        while ((i = atomic_fetch_add_explicit(&h->next, 1, memory_order_acq_rel)) < n) {
            if (ran++ == 0)
                metrics_thread_usage(&u0);
            t->slots[i].start_ns = metrics_now_ns();
            t->slots[i].end_ns = metrics_now_ns();
            if (atomic_fetch_add_explicit(&h->done, 1, memory_order_acq_rel) + 1 == n)
                futex_wake_all(&h->done, true);
        }
        if (ran) {
            metrics_usage u1;
            metrics_thread_usage(&u1);
            metrics_usage d = metrics_usage_sub(u1, u0);
            atomic_fetch_add(&h->cpu_ns, d.cpu_ns);
            atomic_fetch_add(&h->ctx_vol, d.ctx_vol);
            atomic_fetch_add(&h->ctx_invol, d.ctx_invol);
        }
        if (atomic_fetch_add_explicit(&h->idle, 1, memory_order_acq_rel) + 1 == t->workers)
            futex_wake_all(&h->idle, true);
    }
}

static void *worker_thread(void *arg)
{
    worker_loop(arg);
    return NULL;
}

/* Waits until *word >= want, at most DISPATCH_TIMEOUT_MS; process workers are checked for
 * deaths between waits. 0, -ETIMEDOUT or -ECHILD (detail says which worker). */
static int wait_at_least(sched_dispatch_team *t, _Atomic uint32_t *word, uint32_t want, char *detail, size_t len)
{
    uint64_t deadline = metrics_now_ns() + (uint64_t)DISPATCH_TIMEOUT_MS * 1000000u;
    uint32_t v;
    while ((v = atomic_load_explicit(word, memory_order_acquire)) < want) {
        if (futex_wait_ms(word, v, true, DISPATCH_WAIT_MS) == 0)
            continue;
        for (uint32_t w = 0; t->pids && w < t->started; w++) {
            int status;
            if (t->pids[w] > 0 && waitpid(t->pids[w], &status, WNOHANG) == t->pids[w]) {
                t->pids[w] = 0;
                char who[32];
                snprintf(who, sizeof who, "dispatch worker %u", w);
                sched_describe_status(detail, len, who, status);
                return -ECHILD;
            }
        }
        if (metrics_now_ns() > deadline) {
            snprintf(detail, len, "a push did not finish within %d ms", DISPATCH_TIMEOUT_MS);
            return -ETIMEDOUT;
        }
    }
    return 0;
}

void sched_dispatch_stop(sched_dispatch_team *t)
{
    if (!t)
        return;
    if (t->h) {
        atomic_store(&t->h->quit, 1);
        atomic_fetch_add(&t->h->seq, 1);
        futex_wake_all(&t->h->seq, true);
    }
    for (uint32_t w = 0; w < t->started; w++) {
        if (t->threads) {
            pthread_join(t->threads[w], NULL);
        } else if (t->pids[w] > 0) {
            /* They leave at the quit; SIGKILL covers one that cannot (it is ours to end). */
            uint64_t deadline = metrics_now_ns() + 2000000000ull;
            while (waitpid(t->pids[w], NULL, WNOHANG) == 0) {
                if (metrics_now_ns() > deadline) {
                    kill(t->pids[w], SIGKILL);
                    while (waitpid(t->pids[w], NULL, 0) < 0 && errno == EINTR)
                        ;
                    break;
                }
                sched_yield();
            }
        }
    }
    if (t->h)
        munmap(t->h, t->map_len);
    free(t->pids);
    free(t->threads);
    free(t);
}

int sched_dispatch_start(pool_executor executor, uint32_t workers, uint32_t batch, sched_dispatch_team **out,
                         char *detail, size_t len)
{
    if ((executor != EXEC_THREADS && executor != EXEC_PROCESSES) || workers == 0 || batch == 0 ||
        batch > SCHED_BATCH_MAX || !out)
        return -EINVAL;
    sched_dispatch_team *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->executor = executor;
    t->workers = workers;
    t->batch = batch;
    t->parent = getpid();
    t->map_len = sizeof(dispatch_hdr) + (size_t)batch * sizeof(dispatch_slot);
    void *m = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        int rc = -errno;
        free(t);
        return rc;
    }
    t->h = m;
    t->slots = (dispatch_slot *)((char *)m + sizeof(dispatch_hdr));
    if (executor == EXEC_THREADS)
        t->threads = calloc(workers, sizeof *t->threads);
    else
        t->pids = calloc(workers, sizeof *t->pids);
    int rc = t->threads || t->pids ? 0 : -ENOMEM;
    for (uint32_t w = 0; rc == 0 && w < workers; w++) {
        if (t->threads) {
            rc = sched_thread_start(&t->threads[w], worker_thread, t);
        } else {
            pid_t pid = fork();
            if (pid == 0) {
                child_init(t->parent, CHILD_SIGNALS_BLOCK);
                worker_loop(t);
                _exit(0);
            }
            rc = pid < 0 ? -errno : 0;
            if (pid > 0)
                t->pids[w] = pid;
        }
        t->started += rc == 0;
    }
    if (rc < 0)
        snprintf(detail, len, "cannot start dispatch worker %u of %u: %s", t->started, workers, strerror(-rc));
    else
        rc = wait_at_least(t, &t->h->ready, workers, detail, len);
    if (rc < 0) {
        sched_dispatch_stop(t);
        return rc;
    }
    atomic_store(&t->h->idle, workers);
    *out = t;
    return 0;
}

int sched_measure_dispatch(sched_dispatch_team *t, uint32_t n, sched_result *r)
{
    sched_result_reset(r);
    if (!t || n == 0 || n > SCHED_BATCH_MAX)
        return -EINVAL;
    dispatch_hdr *h = t->h;
    uint64_t cpu0 = atomic_load(&h->cpu_ns), vol0 = atomic_load(&h->ctx_vol), invol0 = atomic_load(&h->ctx_invol);
    metrics_usage coord = {0, 0, 0}, c0, c1; /* the coordinator's, over the timed pushes only (as pool_run) */
    for (uint32_t off = 0; off < n;) {
        uint32_t k = n - off < t->batch ? n - off : t->batch;
        /* Untimed: every worker has left the previous push, so the index can start over. */
        int rc = wait_at_least(t, &h->idle, t->workers, r->detail, sizeof r->detail);
        if (rc < 0)
            return rc;
        atomic_store(&h->next, 0);
        atomic_store(&h->done, 0);
        atomic_store(&h->idle, 0);
        atomic_store_explicit(&h->n, k, memory_order_release);
        metrics_thread_usage(&c0);
        uint64_t t0 = metrics_now_ns();
        atomic_fetch_add_explicit(&h->seq, 1, memory_order_acq_rel);
        futex_wake_all(&h->seq, true);
        if ((rc = wait_at_least(t, &h->done, k, r->detail, sizeof r->detail)) < 0)
            return rc;
        uint64_t wall = metrics_now_ns() - t0;
        metrics_thread_usage(&c1);
        metrics_usage_add(&coord, metrics_usage_sub(c1, c0));
        r->total_ns += wall;
        if (wall / k > r->max_ns)
            r->max_ns = wall / k;
        for (uint32_t i = 0; i < k && r->lat_ns; i++)
            r->lat_ns[off + i] = (double)wall / k; /* an op's time: its share of the push */
        for (uint32_t i = 0; i < k; i++)
            if (t->slots[i].start_ns < t0 || t->slots[i].end_ns < t->slots[i].start_ns) { /* stale: not run */
                snprintf(r->detail, sizeof r->detail, "task %u of a push was not stamped", i);
                return -EPROTO;
            }
        off += k;
    }
    /* The last push's workers may still be closing their busy periods: wait for them (untimed). */
    int rc = wait_at_least(t, &h->idle, t->workers, r->detail, sizeof r->detail);
    if (rc < 0)
        return rc;
    r->ops = n;
    r->cpu_ns = atomic_load(&h->cpu_ns) - cpu0 + coord.cpu_ns;
    r->ctx_vol = atomic_load(&h->ctx_vol) - vol0 + coord.ctx_vol;
    r->ctx_invol = atomic_load(&h->ctx_invol) - invol0 + coord.ctx_invol;
    return 0;
}
