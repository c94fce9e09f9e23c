/* queue.h: the one task queue and result slots every executor uses, in MAP_SHARED memory.
 *
 * Threads and forked processes claim tasks of a batch (0..n-1) from the same index with atomic
 * operations, no lock (so a killed worker cannot leave one held), and write results into per-task
 * slots, each on its own cache lines. Wakeups are futexes on sequence counters (never
 * process-shared condition variables: a killed waiter can hang them), and every wait has a
 * timeout so a supervisor can look around.
 */
#ifndef TVP_QUEUE_H
#define TVP_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "workload.h"

typedef enum {
    SLOT_EMPTY = 0,
    SLOT_QUEUED,  /* pushed, not yet taken */
    SLOT_RUNNING, /* taken by `worker` */
    SLOT_OK,
    SLOT_FAILED,  /* out.detail says why */
} slot_state;

/* One task's result. Written by the worker that ran it; read by the harness after the batch. */
typedef struct queue_slot {
    _Atomic uint32_t state; /* slot_state */
    _Atomic uint32_t worker; /* who claimed it (UINT32_MAX: nobody yet). A worker killed between
                              * its claim and marking the slot RUNNING leaves it QUEUED with its
                              * id here: the task is held by that worker all the same. */
    int32_t cpu;            /* CPU it started on (sched_getcpu), -1 unknown */
    _Atomic uint64_t start_ns; /* CLOCK_MONOTONIC, task start (read live by the deadline check) */
    uint64_t end_ns;           /* and end */
    wl_out out;
} __attribute__((aligned(64))) queue_slot;

typedef struct queue queue;

/* Maps a queue with room for `capacity` tasks (1..2^24) in shared anonymous memory. Create it
 * before forking: children use the same mapping. Returns 0 or -errno. */
int queue_create(uint32_t capacity, queue **out);
/* Unmaps. Only when no worker uses it any more. */
void queue_destroy(queue *q);

uint32_t queue_capacity(const queue *q);
queue_slot *queue_slot_at(queue *q, uint32_t index);

/* Starts a batch: tasks 0..n-1 are reset to SLOT_QUEUED and pushed, the done count is reset, and
 * waiting workers are woken. Only the harness pushes. -EINVAL when n is 0 or above capacity,
 * -EBUSY when the previous batch still has queued tasks. */
int queue_push_batch(queue *q, uint32_t n);

/* Takes the next task for `worker`: claims its slot with the worker id in one atomic step (so a
 * worker that dies at any point after is found holding it), then marks it SLOT_RUNNING. 0 and
 * *index, or -EAGAIN when none is left, -ESHUTDOWN when closed. Lock-free. */
int queue_pop(queue *q, uint32_t worker, uint32_t *index);

/* Marks a task finished (SLOT_OK or SLOT_FAILED, already filled in) and counts it. The worker
 * that completes the batch's last task wakes the harness. */
void queue_complete(queue *q, uint32_t index, bool ok);

/* Tasks completed in the current batch. */
uint32_t queue_done(const queue *q);
/* Number of tasks of the batch nobody has claimed yet. */
uint32_t queue_pending(queue *q);

/* Work sequence: changes on every push and on close. A worker reads it, tries queue_pop, and
 * waits with the value it read when the ring was empty, so no wakeup is lost. */
uint32_t queue_work_seq(const queue *q);
/* Waits until the work sequence differs from `seen` or `timeout_ms` passes. 0 or -ETIMEDOUT. */
int queue_wait_work(queue *q, uint32_t seen, int timeout_ms);
/* Waits until the batch has `n` tasks done or `timeout_ms` passes. 0 or -ETIMEDOUT. */
int queue_wait_done(queue *q, uint32_t n, int timeout_ms);

/* Event counter for the harness (e.g. "a per-task worker finished"): bump-and-wake, and wait. */
uint32_t queue_event_seq(const queue *q);
void queue_event_post(queue *q);
int queue_wait_event(queue *q, uint32_t seen, int timeout_ms);

/* Closes the queue: pops return -ESHUTDOWN and all waiters wake. */
void queue_close(queue *q);
bool queue_closed(const queue *q);

#endif /* TVP_QUEUE_H */
