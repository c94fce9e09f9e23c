/* queue.c: the shared-memory task ring and result slots, with a robust process-shared lock.
 *
 * Layout of the one mapping: the header (lock, ring indices, futex words), then `cap` slots, then
 * the ring of `cap` task indices. Everything is reached through the same pointers in the parent
 * and in forked children because the mapping exists before the fork.
 *
 * Lock repair: a pop marks the slot RUNNING first and advances `head` second. When a worker dies
 * inside a pop, the next locker gets EOWNERDEAD, finishes the half-done pop if the slot at `head`
 * is already claimed (so the supervisor finds the task held by the dead worker), and marks the
 * mutex consistent.
 */
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "futex.h" /* every word is in the MAP_SHARED mapping: shared futexes (true) */

#define QUEUE_MAX_CAPACITY (1u << 24)

struct queue {
    pthread_mutex_t lock;        /* guards head, tail, ring and slot claims */
    uint32_t cap;                /* power of two */
    uint32_t head, tail;         /* free-running; index = x & (cap - 1) */
    _Atomic uint32_t batch_n;    /* tasks in the current batch (read by completing workers) */
    _Atomic uint32_t work_seq;   /* futex: bumped on push and close */
    _Atomic uint32_t done;       /* futex: tasks completed in this batch */
    _Atomic uint32_t event_seq;  /* futex: harness events */
    _Atomic uint32_t closed;
    size_t map_len;
    queue_slot *slots;
    uint32_t *ring;
};

static uint32_t round_up_pow2(uint32_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

int queue_create(uint32_t capacity, queue **out)
{
    if (capacity == 0 || capacity > QUEUE_MAX_CAPACITY)
        return -EINVAL;
    uint32_t cap = round_up_pow2(capacity);
    size_t head = (sizeof(queue) + 63) & ~(size_t)63;
    size_t len = head + (size_t)cap * sizeof(queue_slot) + (size_t)cap * sizeof(uint32_t);
    void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -errno;
    queue *q = mem; /* the mapping is zero-filled */
    q->cap = cap;
    q->map_len = len;
    q->slots = (queue_slot *)((char *)mem + head);
    q->ring = (uint32_t *)(q->slots + cap);

    pthread_mutexattr_t a;
    int rc = pthread_mutexattr_init(&a);
    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(&q->lock, &a);
    pthread_mutexattr_destroy(&a);
    if (rc != 0) {
        munmap(mem, len);
        return -rc;
    }
    *out = q;
    return 0;
}

void queue_destroy(queue *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    munmap(q, q->map_len);
}

uint32_t queue_capacity(const queue *q) { return q->cap; }

queue_slot *queue_slot_at(queue *q, uint32_t index) { return index < q->cap ? &q->slots[index] : NULL; }

/* Finishes a pop its dead owner left half done (see the file comment). */
static void queue_repair(queue *q)
{
    if (q->head != q->tail) {
        uint32_t idx = q->ring[q->head & (q->cap - 1)];
        if (atomic_load(&q->slots[idx].state) != SLOT_QUEUED)
            q->head++;
    }
}

static int queue_lock(queue *q)
{
    int rc = pthread_mutex_lock(&q->lock);
    if (rc == EOWNERDEAD) {
        queue_repair(q);
        rc = pthread_mutex_consistent(&q->lock);
    }
    return -rc;
}

static void queue_unlock(queue *q) { pthread_mutex_unlock(&q->lock); }

int queue_push_batch(queue *q, uint32_t n)
{
    if (n == 0 || n > q->cap)
        return -EINVAL;
    int rc = queue_lock(q);
    if (rc < 0)
        return rc;
    if (q->head != q->tail) {
        queue_unlock(q);
        return -EBUSY;
    }
    for (uint32_t i = 0; i < n; i++) {
        queue_slot *s = &q->slots[i];
        memset(&s->out, 0, sizeof s->out);
        s->worker = UINT32_MAX;
        s->cpu = -1;
        atomic_store_explicit(&s->start_ns, 0, memory_order_relaxed);
        s->end_ns = 0;
        atomic_store_explicit(&s->state, SLOT_QUEUED, memory_order_relaxed);
        q->ring[(q->tail + i) & (q->cap - 1)] = i;
    }
    atomic_store_explicit(&q->batch_n, n, memory_order_relaxed);
    atomic_store(&q->done, 0);
    q->tail += n;
    queue_unlock(q);
    atomic_fetch_add(&q->work_seq, 1);
    futex_wake_all(&q->work_seq, true);
    return 0;
}

int queue_pop(queue *q, uint32_t worker, uint32_t *index)
{
    if (atomic_load_explicit(&q->closed, memory_order_acquire))
        return -ESHUTDOWN;
    int rc = queue_lock(q);
    if (rc < 0)
        return rc;
    if (q->head == q->tail) {
        queue_unlock(q);
        return -EAGAIN;
    }
    uint32_t idx = q->ring[q->head & (q->cap - 1)];
    q->slots[idx].worker = worker;
    atomic_store_explicit(&q->slots[idx].state, SLOT_RUNNING, memory_order_release);
    q->head++;
    queue_unlock(q);
    *index = idx;
    return 0;
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
    if (queue_lock(q) < 0)
        return 0;
    uint32_t n = q->tail - q->head;
    queue_unlock(q);
    return n;
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

