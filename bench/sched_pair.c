/* sched_pair.c: the two-sided harness: two threads or two forked processes, set up, run, watched. */
#include "sched_pair.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "futex.h"

typedef struct side_arg {
    sched_pair *p;
    int who;
} side_arg;

/* Start barrier: both sides bound and ready before the first op. */
static int pair_barrier(sched_pair *p)
{
    sched_pair_shm *m = p->shm;
    uint32_t v = atomic_fetch_add(&m->ready, 1) + 1;
    if (v == 2) {
        futex_wake_all(&m->ready, p->shared);
        return 0;
    }
    while ((v = atomic_load(&m->ready)) < 2) {
        if (atomic_load(&m->abort))
            return -ECANCELED;
        futex_wait(&m->ready, v, p->shared);
    }
    return atomic_load(&m->abort) ? -ECANCELED : 0;
}

void sched_pair_usage_end(sched_pair *p, int who, const metrics_usage *u0)
{
    metrics_usage u1;
    metrics_thread_usage(&u1);
    metrics_usage d = metrics_usage_sub(u1, *u0);
    sched_side_out *o = &p->shm->side[who];
    o->cpu_ns = d.cpu_ns;
    o->ctx_vol = d.ctx_vol;
    o->ctx_invol = d.ctx_invol;
    o->cpu = pin_current_cpu();
}

void sched_pair_maybe_quit(sched_pair *p, int who, uint32_t i)
{
    if (who == 1 && p->fail_after && i == p->fail_after) {
        if (p->shared)
            _exit(3);
        pthread_exit(NULL);
    }
}

static int side_run(sched_pair *p, int who)
{
    int rc = pin_bind_self(p->topo, p->cpu[who]);
    if (rc == 0)
        rc = pair_barrier(p);
    if (rc == 0)
        rc = p->kind == SCHED_PAIR_PINGPONG ? sched_pingpong_side(p, who) : sched_wakeup_side(p, who);
    p->shm->side[who].rc = rc;
    return rc;
}

static void *side_thread(void *arg)
{
    side_arg *a = arg;
    side_run(a->p, a->who);
    atomic_fetch_add(&a->p->shm->done, 1);
    futex_wake_all(&a->p->shm->done, false);
    return NULL;
}

/* Wakes both sides wherever they wait, with the abort flag set (threads; processes are killed). */
static void pair_kick(sched_pair *p)
{
    sched_pair_shm *m = p->shm;
    atomic_store(&m->abort, 1);
    _Atomic uint32_t *words[] = {&m->seq, &m->ready, &m->word, &m->ack};
    for (size_t i = 0; i < SCHED_N(words); i++) {
        atomic_fetch_add(words[i], 2); /* even: keeps the parity the futex channel reads */
        futex_wake_all(words[i], p->shared);
    }
    sched_chan_kick(p);
}

static int pair_setup(sched_pair *p, char *detail, size_t dlen)
{
    for (int k = 0; k < 2; k++)
        p->fd[k][0] = p->fd[k][1] = -1;
    p->shm = mmap(NULL, sizeof *p->shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->shm == MAP_FAILED) {
        p->shm = NULL;
        snprintf(detail, dlen, "mmap of the shared page: %s", strerror(errno));
        return -ENOMEM;
    }
    return sched_chan_open(p, detail, dlen);
}

/* `clean`: both sides finished normally (see sched_chan_close). */
static void pair_teardown(sched_pair *p, bool clean)
{
    if (p->shm) {
        sched_chan_close(p, clean);
        munmap(p->shm, sizeof *p->shm);
    }
    p->shm = NULL;
}

static uint64_t deadline_of(const sched_pair *p, uint32_t timeout_ms)
{
    uint64_t ms = timeout_ms ? timeout_ms
                             : SCHED_DEFAULT_TIMEOUT_MS + 5u * (p->warm + p->n) + p->gap_us / 1000u * (p->warm + p->n);
    return metrics_now_ns() + ms * 1000000u;
}

static int run_threads(sched_pair *p, uint64_t deadline, char *detail, size_t dlen)
{
    pthread_t th[2];
    side_arg args[2] = {{p, 0}, {p, 1}};
    int started = 0, rc = 0;
    for (; started < 2; started++)
        if ((rc = sched_thread_start(&th[started], side_thread, &args[started])) < 0)
            break;
    if (rc < 0) {
        snprintf(detail, dlen, "pthread_create: %s", strerror(-rc));
        pair_kick(p);
    }
    /* Wait for both to finish, at most until the deadline; then wake them with the abort flag.
     * Either way they are joined (a plain join: what sanitizers understand). */
    bool timed_out = false;
    uint32_t d;
    while (rc == 0 && (d = atomic_load(&p->shm->done)) < 2) {
        uint64_t now = metrics_now_ns();
        if (now >= deadline) {
            timed_out = true;
            pair_kick(p);
            break;
        }
        futex_wait_ns(&p->shm->done, d, false, (int64_t)(deadline - now));
    }
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (timed_out && rc == 0) {
        snprintf(detail, dlen, "timed out: a side stopped answering (threads woken and joined)");
        rc = -ETIMEDOUT;
    }
    return rc;
}

static void kill_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static int run_processes(sched_pair *p, uint64_t deadline, char *detail, size_t dlen)
{
    pid_t pid[2] = {-1, -1}, parent = getpid();
    int pfd[2] = {-1, -1}, rc = 0;
    for (int k = 0; k < 2; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            child_init(parent, CHILD_SIGNALS_BLOCK); /* stopped only with SIGKILL, below */
            _exit(side_run(p, k) == 0 ? 0 : 1);
        }
        if (pid[k] < 0) {
            rc = -errno;
            snprintf(detail, dlen, "fork: %s", strerror(errno));
            if (k == 1)
                kill_reap(pid[0]);
            return rc;
        }
        pfd[k] = (int)syscall(SYS_pidfd_open, pid[k], 0);
    }
    bool alive[2] = {true, true};
    int n_alive = 2;
    while (n_alive > 0) {
        uint64_t now = metrics_now_ns();
        if (now >= deadline) {
            snprintf(detail, dlen, "timed out: %s did not finish (killed)",
                     n_alive == 2 ? "both sides" : alive[0] ? "the first side" : "the second side");
            rc = -ETIMEDOUT;
            break;
        }
        int wait_ms = (int)((deadline - now) / 1000000u) + 1;
        if (pfd[0] >= 0 && pfd[1] >= 0) {
            struct pollfd fds[2];
            nfds_t nf = 0;
            for (int k = 0; k < 2; k++)
                if (alive[k])
                    fds[nf++] = (struct pollfd){.fd = pfd[k], .events = POLLIN};
            poll(fds, nf, wait_ms);
        } else {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        for (int k = 0; k < 2; k++) {
            int status;
            if (!alive[k] || waitpid(pid[k], &status, WNOHANG) != pid[k])
                continue;
            alive[k] = false;
            n_alive--;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && rc == 0) {
                const char *who = k == 0 ? "the first side" : "the second side";
                if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
                    snprintf(detail, dlen, "%s failed: %s", who, strerror(-p->shm->side[k].rc));
                else
                    sched_describe_status(detail, dlen, who, status);
                rc = -ECHILD;
            }
        }
        if (rc < 0)
            break;
    }
    for (int k = 0; k < 2; k++) {
        if (alive[k])
            kill_reap(pid[k]);
        if (pfd[k] >= 0)
            close(pfd[k]);
    }
    return rc;
}

static int pair_measure(sched_pair_kind kind, const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    sched_result_reset(r);
    if (!cfg || n == 0 || n > SCHED_BATCH_MAX ||
        (cfg->executor != EXEC_THREADS && cfg->executor != EXEC_PROCESSES) ||
        (unsigned)cfg->cpus >= SCHED_CPUS_COUNT || (unsigned)cfg->channel >= SCHED_CHAN_COUNT ||
        (cfg->cpus != SCHED_CPUS_NONE && !cfg->topo)) {
        snprintf(r->detail, sizeof r->detail, "invalid configuration");
        return -EINVAL;
    }
    sched_pair p = {
        .kind = kind,
        .channel = kind == SCHED_PAIR_WAKEUP ? SCHED_CHAN_FUTEX : cfg->channel,
        .shared = cfg->executor == EXEC_PROCESSES,
        .n = n,
        .warm = kind == SCHED_PAIR_WAKEUP ? SCHED_WAKEUP_WARM : SCHED_PINGPONG_WARM,
        .gap_us = cfg->gap_us ? cfg->gap_us : SCHED_WAKEUP_GAP_US,
        .fail_after = cfg->fail_after,
        .topo = cfg->topo,
        .cpu = {-1, -1},
    };
    if (cfg->cpus != SCHED_CPUS_NONE) {
        if (cfg->cpus == SCHED_CPUS_DIFFERENT && pin_topo_pus(cfg->topo) < 2) {
            snprintf(r->detail, sizeof r->detail, "needs 2 usable CPUs");
            return -ENODEV;
        }
        pin_plan plan;
        bool same = cfg->cpus == SCHED_CPUS_SAME;
        int rc = pin_plan_make(cfg->topo, same ? PIN_COMPACT : PIN_SCATTER, same ? 1 : 2, &plan);
        if (rc < 0) {
            snprintf(r->detail, sizeof r->detail, "placement: %s", strerror(-rc));
            return rc;
        }
        p.cpu[0] = plan.cpu[0];
        p.cpu[1] = same ? plan.cpu[0] : plan.cpu[1];
        pin_plan_free(&plan);
        if (p.cpu[0] == p.cpu[1] && !same) {
            snprintf(r->detail, sizeof r->detail, "needs 2 usable CPUs");
            return -ENODEV;
        }
    }
    int rc = pair_setup(&p, r->detail, sizeof r->detail);
    if (rc == 0) {
        uint64_t deadline = deadline_of(&p, cfg->timeout_ms);
        rc = p.shared ? run_processes(&p, deadline, r->detail, sizeof r->detail)
                      : run_threads(&p, deadline, r->detail, sizeof r->detail);
    }
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (p.shm->side[k].rc < 0) {
            rc = p.shm->side[k].rc == -ECANCELED ? -ETIMEDOUT : -ECHILD;
            snprintf(r->detail, sizeof r->detail, "%s side failed: %s", k ? "second" : "first",
                     strerror(-p.shm->side[k].rc));
        }
    }
    if (rc == 0) {
        sched_pair_shm *m = p.shm;
        r->ops = n;
        r->same_cpu_ops = m->same_cpu;
        for (uint32_t i = 0; i < n; i++) {
            if (r->lat_ns)
                r->lat_ns[i] = (double)m->lat[i];
            r->max_ns = m->lat[i] > r->max_ns ? m->lat[i] : r->max_ns;
            if (kind == SCHED_PAIR_WAKEUP)
                r->total_ns += m->lat[i];
        }
        if (kind == SCHED_PAIR_PINGPONG)
            r->total_ns = m->total_ns;
        for (int k = 0; k < 2; k++) {
            r->cpu_ns += m->side[k].cpu_ns;
            r->ctx_vol += m->side[k].ctx_vol;
            r->ctx_invol += m->side[k].ctx_invol;
            r->cpu[k] = m->side[k].cpu;
        }
    }
    pair_teardown(&p, rc == 0);
    return rc;
}

int sched_measure_pingpong(const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    return pair_measure(SCHED_PAIR_PINGPONG, cfg, n, r);
}

int sched_measure_wakeup(const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    return pair_measure(SCHED_PAIR_WAKEUP, cfg, n, r);
}
