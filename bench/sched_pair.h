/* sched_pair.h: internal to the two-sided measurements (sched_pair/pingpong/wakeup.c), not API. */
#ifndef TVP_SCHED_PAIR_H
#define TVP_SCHED_PAIR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "sched_internal.h"

#define SCHED_PINGPONG_WARM 32u /* untimed round trips before the timed ones */
#define SCHED_WAKEUP_WARM 4u    /* untimed wakeups before the timed ones */

typedef struct sched_side_out {
    uint64_t cpu_ns, ctx_vol, ctx_invol;
    int32_t cpu;
    int32_t rc;
} sched_side_out;

/* Everything both sides touch, in MAP_SHARED memory for threads and processes alike. */
typedef struct sched_pair_shm {
    _Atomic uint32_t seq;   /* futex/condvar channel: even: A's turn, odd: B's */
    _Atomic uint32_t ready; /* start barrier */
    _Atomic uint32_t abort;
    _Atomic uint32_t word;  /* wakeup: the sleeper's futex (wakeups so far) */
    _Atomic uint32_t ack;   /* wakeup: the waker's futex (wakeups handled) */
    _Atomic uint64_t t_wake;
    _Atomic int32_t cpu_peer; /* the CPU the second side (ponger, waker) was last on */
    _Atomic uint32_t done;    /* threads: sides finished (the caller waits on it with a timeout) */
    pthread_mutex_t mx;
    pthread_cond_t cv;
    sched_side_out side[2];
    uint64_t total_ns;
    uint32_t same_cpu;      /* timed ops where both sides were on one CPU */
    uint64_t lat[SCHED_BATCH_MAX];
} sched_pair_shm;

typedef enum { SCHED_PAIR_PINGPONG, SCHED_PAIR_WAKEUP } sched_pair_kind;

typedef struct sched_pair {
    sched_pair_kind kind;
    sched_channel channel; /* the wakeup's is SCHED_CHAN_FUTEX */
    bool shared;      /* processes: shared futexes, process-shared condvar */
    uint32_t n, warm, gap_us, fail_after;
    const pin_topo *topo;
    int cpu[2];       /* PU each side binds to, -1: none */
    sched_pair_shm *shm;
    int fd[2][2];     /* pipe k (side k writes, the other reads): [0] read end, [1] write end;
                       * eventfd k: fd[k][0] */
    bool cond_ready;
} sched_pair;

/* sched_pair.c (which also holds sched_measure_pingpong and sched_measure_wakeup): a side's
 * closing bookkeeping: its usage since *u0 and the CPU it is on, into shm->side[who]. */
void sched_pair_usage_end(sched_pair *p, int who, const metrics_usage *u0);
/* The test hook, called before each op i (warm-ups counted from 0): the second side quits
 * after fail_after ops (a process exits with status 3, a thread just stops answering). */
void sched_pair_maybe_quit(sched_pair *p, int who, uint32_t i);

/* sched_pingpong.c: the channel's fds or condvar (nothing for the futex channel). 0 or -errno
 * with detail set; what was made is undone by sched_chan_close. */
int sched_chan_open(sched_pair *p, char *detail, size_t dlen);
/* Wakes a side blocked in the channel (the abort flag is already set). */
void sched_chan_kick(sched_pair *p);
/* Closes the fds; destroys the condvar only when `clean` (both sides finished normally): after a
 * side was killed inside pthread_cond_wait, pthread_cond_destroy would wait forever. */
void sched_chan_close(sched_pair *p, bool clean);
/* Side `who` of a ping-pong: side 0 starts and times each round trip. 0 or -errno. */
int sched_pingpong_side(sched_pair *p, int who);

/* sched_wakeup.c: side `who` of a wakeup: 0 the waker, 1 the sleeper (it times). 0 or -errno. */
int sched_wakeup_side(sched_pair *p, int who);

#endif /* TVP_SCHED_PAIR_H */
