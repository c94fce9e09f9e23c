/* sched_pingpong.c: ping-pong round trips over a pipe, futex, eventfd or condvar (the channels). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "futex.h"
#include "sched_pair.h"

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Writes (out) or reads all len bytes, retrying after signals. 0, -errno, or for a short
 * transfer -EIO (write) / -EPIPE (read: the other side closed its end). */
static int fd_xfer(int fd, void *buf, size_t len, bool out)
{
    for (;;) {
        ssize_t k = out ? write(fd, buf, len) : read(fd, buf, len);
        if (k == (ssize_t)len)
            return 0;
        if (k < 0 && errno == EINTR)
            continue;
        return k < 0 ? -errno : out ? -EIO : -EPIPE;
    }
}

int sched_chan_open(sched_pair *p, char *detail, size_t dlen)
{
    for (int k = 0; k < 2; k++) {
        int rc = 0;
        if (p->channel == SCHED_CHAN_PIPE)
            rc = pipe2(p->fd[k], O_CLOEXEC);
        else if (p->channel == SCHED_CHAN_EVENTFD)
            rc = (p->fd[k][0] = eventfd(0, EFD_CLOEXEC)) < 0 ? -1 : 0;
        if (rc < 0) {
            int e = errno;
            snprintf(detail, dlen, "%s: %s", sched_channel_name(p->channel), strerror(e));
            return -e;
        }
    }
    if (p->channel == SCHED_CHAN_CONDVAR) {
        int pshared = p->shared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
        pthread_mutexattr_t ma;
        pthread_condattr_t ca;
        pthread_mutexattr_init(&ma);
        pthread_mutexattr_setpshared(&ma, pshared);
        pthread_condattr_init(&ca);
        pthread_condattr_setpshared(&ca, pshared);
        int rc = pthread_mutex_init(&p->shm->mx, &ma);
        if (rc == 0 && (rc = pthread_cond_init(&p->shm->cv, &ca)) != 0)
            pthread_mutex_destroy(&p->shm->mx);
        pthread_mutexattr_destroy(&ma);
        pthread_condattr_destroy(&ca);
        if (rc) {
            snprintf(detail, dlen, "condvar: %s", strerror(rc));
            return -rc;
        }
        p->cond_ready = true;
    }
    return 0;
}

void sched_chan_kick(sched_pair *p)
{
    sched_pair_shm *m = p->shm;
    if (p->channel == SCHED_CHAN_CONDVAR && p->cond_ready) {
        pthread_mutex_lock(&m->mx);
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mx);
    }
    for (int k = 0; k < 2; k++) {
        uint64_t one = 1;
        if (p->channel == SCHED_CHAN_PIPE && p->fd[k][1] >= 0)
            (void)!write(p->fd[k][1], &one, 1);
        if (p->channel == SCHED_CHAN_EVENTFD && p->fd[k][0] >= 0)
            (void)!write(p->fd[k][0], &one, sizeof one);
    }
}

/* A side killed inside pthread_cond_wait leaves the condvar with a waiter that never leaves, and
 * pthread_cond_destroy would wait for it forever: unless `clean`, the condvar and its mutex are
 * left alone for the caller to unmap (glibc's condvars and mutexes hold nothing else). */
void sched_chan_close(sched_pair *p, bool clean)
{
    for (int k = 0; k < 2; k++) {
        close_fd(&p->fd[k][0]);
        close_fd(&p->fd[k][1]);
    }
    if (p->cond_ready && clean) {
        pthread_cond_destroy(&p->shm->cv);
        pthread_mutex_destroy(&p->shm->mx);
    }
    p->cond_ready = false;
}

/* Side `who` hands the turn to the other side. */
static int chan_post(sched_pair *p, int who)
{
    sched_pair_shm *m = p->shm;
    switch (p->channel) {
    case SCHED_CHAN_PIPE: {
        char b = 1;
        return fd_xfer(p->fd[who][1], &b, 1, true);
    }
    case SCHED_CHAN_EVENTFD: {
        uint64_t one = 1;
        return fd_xfer(p->fd[who][0], &one, sizeof one, true);
    }
    case SCHED_CHAN_FUTEX:
        atomic_fetch_add(&m->seq, 1);
        futex_wake(&m->seq, p->shared, 1);
        return 0;
    default:
        pthread_mutex_lock(&m->mx);
        atomic_fetch_add(&m->seq, 1);
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mx);
        return 0;
    }
}

/* Side `who` waits for its turn. -ECANCELED when the call is being aborted. */
static int chan_wait(sched_pair *p, int who)
{
    sched_pair_shm *m = p->shm;
    int rc = 0;
    switch (p->channel) {
    case SCHED_CHAN_PIPE: {
        char b;
        rc = fd_xfer(p->fd[1 - who][0], &b, 1, false);
        break;
    }
    case SCHED_CHAN_EVENTFD: {
        uint64_t v;
        rc = fd_xfer(p->fd[1 - who][0], &v, sizeof v, false);
        break;
    }
    case SCHED_CHAN_FUTEX:
        for (;;) {
            uint32_t s = atomic_load(&m->seq);
            if (atomic_load_explicit(&m->abort, memory_order_relaxed) || (s & 1u) == (uint32_t)who)
                break;
            futex_wait(&m->seq, s, p->shared);
        }
        break;
    default:
        pthread_mutex_lock(&m->mx);
        while ((atomic_load(&m->seq) & 1u) != (uint32_t)who && !atomic_load(&m->abort))
            pthread_cond_wait(&m->cv, &m->mx);
        pthread_mutex_unlock(&m->mx);
        break;
    }
    if (rc == 0 && atomic_load_explicit(&m->abort, memory_order_relaxed))
        rc = -ECANCELED;
    return rc;
}

int sched_pingpong_side(sched_pair *p, int who)
{
    sched_pair_shm *m = p->shm;
    metrics_usage u0 = {0};
    uint64_t t0 = 0, start = 0;
    int rc = 0;
    uint32_t total = p->warm + p->n;
    for (uint32_t i = 0; i < total && rc == 0; i++) {
        if (i == p->warm) {
            metrics_thread_usage(&u0);
            start = t0 = metrics_now_ns();
        }
        sched_pair_maybe_quit(p, who, i);
        if (who == 0) {
            if ((rc = chan_post(p, 0)) == 0 && (rc = chan_wait(p, 0)) == 0 && i >= p->warm) {
                uint64_t t1 = metrics_now_ns();
                m->lat[i - p->warm] = t1 - t0;
                t0 = t1;
                int me = sched_getcpu(); /* rseq: a load, not a syscall */
                m->same_cpu += me >= 0 && me == atomic_load_explicit(&m->cpu_peer, memory_order_relaxed);
            }
        } else if ((rc = chan_wait(p, 1)) == 0) {
            atomic_store_explicit(&m->cpu_peer, sched_getcpu(), memory_order_relaxed);
            rc = chan_post(p, 1);
        }
    }
    if (rc == 0) {
        if (who == 0)
            m->total_ns = t0 - start;
        sched_pair_usage_end(p, who, &u0);
    }
    return rc;
}
