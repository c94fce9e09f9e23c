/* sched_wakeup.c: schbench-style wakeup latency: a waker stamps the time and wakes a futex sleeper. */
#include <errno.h>
#include <sched.h>
#include <time.h>

#include "futex.h"
#include "sched_pair.h"

/* Waits for *w to leave `val` (or the abort). 0 or -ECANCELED. */
static int wait_change(sched_pair *p, _Atomic uint32_t *w, uint32_t val)
{
    for (;;) {
        if (atomic_load(&p->shm->abort))
            return -ECANCELED;
        uint32_t v = atomic_load(w);
        if (v != val)
            return 0;
        futex_wait(w, v, p->shared);
    }
}

int sched_wakeup_side(sched_pair *p, int who)
{
    sched_pair_shm *m = p->shm;
    metrics_usage u0 = {0};
    uint32_t total = p->warm + p->n;
    int rc = 0;
    struct timespec gap = {.tv_sec = p->gap_us / 1000000u, .tv_nsec = (long)(p->gap_us % 1000000u) * 1000};
    for (uint32_t i = 0; i < total && rc == 0; i++) {
        if (i == p->warm)
            metrics_thread_usage(&u0);
        sched_pair_maybe_quit(p, who, i);
        if (who == 0) { /* the waker */
            uint32_t a;
            while (rc == 0 && (a = atomic_load(&m->ack)) != i) /* the previous wakeup handled */
                rc = wait_change(p, &m->ack, a);
            if (rc < 0)
                break;
            struct timespec rem = gap;
            while (nanosleep(&rem, &rem) < 0 && errno == EINTR)
                ;
            atomic_store_explicit(&m->cpu_peer, sched_getcpu(), memory_order_relaxed);
            atomic_store(&m->t_wake, metrics_now_ns());
            atomic_store(&m->word, i + 1);
            futex_wake(&m->word, p->shared, 1);
        } else { /* the sleeper */
            if ((rc = wait_change(p, &m->word, i)) < 0)
                break;
            uint64_t t = metrics_now_ns();
            if (i >= p->warm) {
                m->lat[i - p->warm] = t - atomic_load(&m->t_wake);
                int me = sched_getcpu();
                m->same_cpu += me >= 0 && me == atomic_load_explicit(&m->cpu_peer, memory_order_relaxed);
            }
            atomic_store(&m->ack, i + 1);
            futex_wake(&m->ack, p->shared, 1);
        }
    }
    uint32_t a;
    while (rc == 0 && who == 0 && (a = atomic_load(&m->ack)) != total) /* the last one handled */
        rc = wait_change(p, &m->ack, a);
    if (rc == 0)
        sched_pair_usage_end(p, who, &u0);
    return rc;
}
