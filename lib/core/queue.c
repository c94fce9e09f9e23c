/* queue.c: the shared-memory task claims and result slots, lock-free and safe against dying workers.
 *
 * Layout of the one mapping: the header (claim index, futex words), then `cap` slots. Everything
 * is reached through the same pointers in the parent and in forked children because the mapping
 * exists before the fork. A batch is always tasks 0..n-1, so the queue is a claim index, not a
 * ring.
 *
 * Claiming: a worker reads the index i, claims slot i by a compare-and-swap of its `worker` field
 * from nobody to itself, marks it RUNNING, and moves the index past i (a worker that lost the
 * race helps move it). There is no lock, so a worker killed anywhere leaves no lock behind; the
 * claim names its owner in the same atomic step, so a worker killed just after claiming is found
 * holding the task (its slot still QUEUED, `worker` its id: see queue_slot). Between tasks this
 * costs what the cheapest correct hand-off costs: two atomic operations on shared lines, no
 * system call (the dispatch floor in bench/sched_dispatch.c measures that with a bare index).
 */
#include "queue.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "futex.h" /* every word is in the MAP_SHARED mapping: shared futexes (true) */

#define QUEUE_MAX_CAPACITY (1u << 24)
#define QUEUE_NOBODY UINT32_MAX

struct queue {
    uint32_t cap;
    size_t map_len;
    queue_slot *slots;
    _Alignas(64) _Atomic uint32_t next;   /* the next task to claim (may lag: claimers help) */
    _Atomic uint32_t batch_n;             /* tasks in the current batch */
    _Alignas(64) _Atomic uint32_t done;   /* futex: tasks completed in this batch */
    _Alignas(64) _Atomic uint32_t work_seq; /* futex: bumped on push and close */
    _Atomic uint32_t event_seq;           /* futex: harness events */
    _Atomic uint32_t closed;
};

int queue_create(uint32_t capacity, queue **out)
{
    if (capacity == 0 || capacity > QUEUE_MAX_CAPACITY)
        return -EINVAL;
    size_t head = (sizeof(queue) + 63) & ~(size_t)63;
    size_t len = head + (size_t)capacity * sizeof(queue_slot);
    void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -errno;
    queue *q = mem; /* the mapping is zero-filled: no batch, nothing to claim */
    q->cap = capacity;
    q->map_len = len;
    q->slots = (queue_slot *)((char *)mem + head);
    *out = q;
    return 0;
}

void queue_destroy(queue *q)
{
    if (q)
        munmap(q, q->map_len);
}

uint32_t queue_capacity(const queue *q) { return q->cap; }

queue_slot *queue_slot_at(queue *q, uint32_t index) { return index < q->cap ? &q->slots[index] : NULL; }

int queue_push_batch(queue *q, uint32_t n)
{
    if (n == 0 || n > q->cap)
        return -EINVAL;
    if (queue_pending(q))
        return -EBUSY;
    /* No claim can start on the new slots before batch_n is published (release) below. */
    atomic_store_explicit(&q->batch_n, 0, memory_order_release);
    for (uint32_t i = 0; i < n; i++) {
        queue_slot *s = &q->slots[i];
        s->out.value_ns = 0;
        s->out.digest_len = 0;
        s->out.detail[0] = '\0';
        s->cpu = -1;
        atomic_store_explicit(&s->start_ns, 0, memory_order_relaxed);
        s->end_ns = 0;
        atomic_store_explicit(&s->state, SLOT_QUEUED, memory_order_relaxed);
        /* Last, with release: a claimer that sees nobody here sees the whole reset. */
        atomic_store_explicit(&s->worker, QUEUE_NOBODY, memory_order_release);
    }
    atomic_store_explicit(&q->done, 0, memory_order_relaxed);
    atomic_store_explicit(&q->next, 0, memory_order_relaxed);
    atomic_store_explicit(&q->batch_n, n, memory_order_release);
    atomic_fetch_add(&q->work_seq, 1);
    futex_wake_all(&q->work_seq, true);
    return 0;
}

int queue_pop(queue *q, uint32_t worker, uint32_t *index)
{
    for (;;) {
        if (atomic_load_explicit(&q->closed, memory_order_acquire))
            return -ESHUTDOWN;
        uint32_t n = atomic_load_explicit(&q->batch_n, memory_order_acquire);
        uint32_t i = atomic_load_explicit(&q->next, memory_order_acquire);
        if (i >= n)
            return -EAGAIN;
        queue_slot *s = &q->slots[i];
        uint32_t nobody = QUEUE_NOBODY;
        bool mine = atomic_compare_exchange_strong_explicit(&s->worker, &nobody, worker, memory_order_acq_rel,
                                                            memory_order_acquire);
        if (mine)
            atomic_store_explicit(&s->state, SLOT_RUNNING, memory_order_release);
        /* Move past i whoever claimed it (its claimer may be slow, or dead). */
        atomic_compare_exchange_strong_explicit(&q->next, &i, i + 1, memory_order_acq_rel, memory_order_relaxed);
        if (mine) {
            *index = (uint32_t)(s - q->slots);
            return 0;
        }
    }
}

void queue_complete(queue *q, uint32_t index, bool ok)
{
    atomic_store_explicit(&q->slots[index].state, ok ? SLOT_OK : SLOT_FAILED, memory_order_release);
    uint32_t d = atomic_fetch_add_explicit(&q->done, 1, memory_order_acq_rel) + 1;
    if (d == atomic_load_explicit(&q->batch_n, memory_order_relaxed))
        futex_wake_all(&q->done, true);
}

uint32_t queue_done(const queue *q) { return atomic_load_explicit(&q->done, memory_order_acquire); }

uint32_t queue_pending(queue *q)
{
    /* The unclaimed tasks from the index on (it may lag behind a claim whose claimer died). */
    uint32_t n = atomic_load_explicit(&q->batch_n, memory_order_acquire), left = 0;
    for (uint32_t i = atomic_load_explicit(&q->next, memory_order_acquire); i < n; i++)
        left += atomic_load_explicit(&q->slots[i].worker, memory_order_acquire) == QUEUE_NOBODY;
    return left;
}

uint32_t queue_work_seq(const queue *q) { return atomic_load_explicit(&q->work_seq, memory_order_acquire); }

int queue_wait_work(queue *q, uint32_t seen, int timeout_ms)
{
    if (queue_work_seq(q) != seen)
        return 0;
    return futex_wait_ms(&q->work_seq, seen, true, timeout_ms);
}

int queue_wait_done(queue *q, uint32_t n, int timeout_ms)
{
    uint32_t d = queue_done(q);
    if (d >= n)
        return 0;
    return futex_wait_ms(&q->done, d, true, timeout_ms);
}

uint32_t queue_event_seq(const queue *q) { return atomic_load_explicit(&q->event_seq, memory_order_acquire); }

void queue_event_post(queue *q)
{
    atomic_fetch_add_explicit(&q->event_seq, 1, memory_order_acq_rel);
    futex_wake_all(&q->event_seq, true);
}

int queue_wait_event(queue *q, uint32_t seen, int timeout_ms)
{
    if (queue_event_seq(q) != seen)
        return 0;
    return futex_wait_ms(&q->event_seq, seen, true, timeout_ms);
}

void queue_close(queue *q)
{
    atomic_store_explicit(&q->closed, 1, memory_order_release);
    atomic_fetch_add(&q->work_seq, 1);
    futex_wake_all(&q->work_seq, true);
    futex_wake_all(&q->done, true);
    futex_wake_all(&q->event_seq, true);
}

bool queue_closed(const queue *q) { return atomic_load_explicit(&q->closed, memory_order_acquire) != 0; }

