/* pool_probe.h: the test workload and checks shared by the pool tests (test_pool*.c).
 *
 * The probe writes who ran it and a value derived from its index; task `fail_index` fails; with
 * `spin_ms` > 0 each task burns that much CPU (its own thread's CPU clock, so the amount is exact
 * however busy the machine is); with `hold_ms` > 0 it sleeps that long holding the interpreter
 * lock, counting in `probe_shared` (MAP_SHARED, so process workers count too) how many tasks are
 * inside run() at once. Task `hang_index` sleeps until `release_hang` (at most 30 s).
 */
#ifndef TVP_TEST_POOL_PROBE_H
#define TVP_TEST_POOL_PROBE_H

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pool.h"

static int spin_ms;
static int hold_ms;
static int fail_index = 13;
static _Atomic int hang_index = -1; /* atomics: a detached stuck thread reads them */
static _Atomic int release_hang;

typedef struct probe_counts {
    _Atomic int in_run, max_in_run;
} probe_counts;
static probe_counts *probe_shared; /* NULL unless a test maps it (probe_shared_map) */

static inline void probe_shared_map(void)
{
    void *m = mmap(NULL, sizeof *probe_shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    probe_shared = m == MAP_FAILED ? NULL : m;
}

static inline void probe_shared_unmap(void)
{
    if (probe_shared)
        munmap(probe_shared, sizeof *probe_shared);
    probe_shared = NULL;
}

static inline int probe_run(wl_task *t)
{
    if ((int)t->index == hang_index) {
        for (int i = 0; i < 3000 && !release_hang; i++)
            usleep(10000);
    }
    if (spin_ms) {
        uint64_t end = metrics_thread_cpu_ns() + (uint64_t)spin_ms * 1000000u;
        while (metrics_thread_cpu_ns() < end)
            ;
    }
    if (hold_ms && probe_shared) {
        int now = atomic_fetch_add(&probe_shared->in_run, 1) + 1;
        int max = atomic_load(&probe_shared->max_in_run);
        while (now > max && !atomic_compare_exchange_weak(&probe_shared->max_in_run, &max, now))
            ;
        usleep((useconds_t)hold_ms * 1000u); /* not between wl_block_begin/end: the lock is held */
        atomic_fetch_sub(&probe_shared->in_run, 1);
    }
    t->out->value_ns = (uint64_t)t->index * 3 + 1;
    t->out->digest_len = 4;
    memcpy(t->out->digest, &t->worker, 4);
    if ((int)t->index == fail_index) {
        snprintf(t->out->detail, sizeof t->out->detail, "task %u refused", t->index);
        return -EPERM;
    }
    return 0;
}

static const workload probe = {.name = "probe", .default_tasks = 1, .run = probe_run};

static inline void check_batch(pool *p, uint32_t tasks, uint32_t workers, const pool_batch *b)
{
    assert_int_equal(b->ok + b->failed, tasks);
    assert_int_equal(b->failed, tasks > (uint32_t)fail_index ? 1 : 0);
    assert_true(b->wall_ns > 0);
    for (uint32_t i = 0; i < tasks; i++) {
        const queue_slot *s = pool_slot(p, i);
        assert_int_equal(s->out.value_ns, (uint64_t)i * 3 + 1);
        assert_true(s->worker < workers);
        assert_true(s->end_ns >= s->start_ns);
        assert_true(s->start_ns > 0);
        if ((int)i == fail_index) {
            assert_int_equal(atomic_load(&s->state), SLOT_FAILED);
            assert_string_equal(s->out.detail, "task 13 refused");
        } else {
            assert_int_equal(atomic_load(&s->state), SLOT_OK);
        }
    }
}

/* Three batches of shrinking size through one pool, each checked, then its PSS. */
static inline void run_mode(pool_executor e, pool_spawn sp, uint32_t workers, uint32_t tasks)
{
    pool_config cfg = {.executor = e, .spawn = sp, .workers = workers, .max_tasks = tasks, .wl = &probe,
                       .respawn_budget = 4};
    pool *p;
    assert_int_equal(pool_create(&cfg, &p), 0);
    for (int batch = 0; batch < 3; batch++) {
        pool_batch b;
        assert_int_equal(pool_run(p, tasks - (uint32_t)batch, &b), 0);
        check_batch(p, tasks - (uint32_t)batch, workers, &b);
    }
    uint64_t kib = 0;
    assert_int_equal(pool_pss_kib(p, &kib), 0);
    assert_true(kib > 100);
    pool_destroy(p);
}

/* Most tasks inside run() at once with `workers` workers and the lock on: 2 tasks x hold_ms. */
static inline int max_holders(pool_executor e, uint32_t workers)
{
    probe_shared_map();
    assert_non_null(probe_shared);
    hold_ms = 50;
    pool_config cfg = {.executor = e, .spawn = SPAWN_POOL, .workers = workers, .max_tasks = workers,
                       .wl = &probe, .gil = GIL_ON, .switch_us = 1000, .check_ticks = 100};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, workers, &b), 0);
    assert_int_equal(b.ok, workers);
    assert_true(b.gil.acquisitions >= workers);
    pool_destroy(p);
    hold_ms = 0;
    int max = atomic_load(&probe_shared->max_in_run);
    probe_shared_unmap();
    return max;
}

#endif /* TVP_TEST_POOL_PROBE_H */
