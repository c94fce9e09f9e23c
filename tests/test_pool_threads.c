/* test_pool_threads.c: the thread executor (exec_threads.c): pthreads in the harness's address
 * space, one shared interpreter lock, and a stuck thread that cannot be stopped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pool.h"
#include "pool_probe.h"

static void test_threads_pool(void **s) { (void)s; run_mode(EXEC_THREADS, SPAWN_POOL, 3, 200); }
static void test_threads_per_task(void **s) { (void)s; run_mode(EXEC_THREADS, SPAWN_PER_TASK, 3, 40); }

/* The workers are threads of this process. */
static int pid_run(wl_task *t)
{
    t->out->value_ns = (uint64_t)getpid();
    return 0;
}

static void test_threads_live_in_this_process(void **state)
{
    (void)state;
    const workload wl = {.name = "pid", .default_tasks = 1, .run = pid_run};
    for (int sp = 0; sp < SPAWN_COUNT; sp++) {
        pool_config cfg = {.executor = EXEC_THREADS, .spawn = (pool_spawn)sp, .workers = 2, .max_tasks = 6,
                           .wl = &wl};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        pid_t pids[2];
        assert_int_equal(pool_worker_pids(p, pids, 2), 0);
        assert_int_equal(pool_run(p, 6, &b), 0);
        for (uint32_t i = 0; i < 6; i++)
            assert_int_equal(pool_slot(p, i)->out.value_ns, (uint64_t)getpid());
        pool_destroy(p);
    }
}

/* Threads share one lock: a task holding it keeps the others out of run(). */
static void test_threads_share_one_lock(void **state)
{
    (void)state;
    assert_int_equal(max_holders(EXEC_THREADS, 2), 1);
}

/* A thread worker cannot be killed: the batch ends with -ETIMEDOUT, bounded, and destroy returns. */
static void test_timeout_with_a_hung_thread_stops_cleanly(void **state)
{
    (void)state;
    hang_index = 1;
    release_hang = 0;
    pool_config cfg = {.executor = EXEC_THREADS, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 4,
                       .wl = &probe, .task_timeout_ms = 200};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    uint64_t t0 = metrics_now_ns();
    assert_int_equal(pool_run(p, 4, &b), -ETIMEDOUT);
    assert_true(metrics_now_ns() - t0 < 10000000000ull);
    pool_destroy(p); /* must not join the stuck thread */
    release_hang = 1; /* let it finish; its memory was deliberately left mapped */
    usleep(50000);
    hang_index = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_pool),
        cmocka_unit_test(test_threads_per_task),
        cmocka_unit_test(test_threads_live_in_this_process),
        cmocka_unit_test(test_threads_share_one_lock),
        cmocka_unit_test(test_timeout_with_a_hung_thread_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
