/* test_pool_serial.c: the serial executor (exec_serial.c): the calling thread is the one worker. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pin.h"
#include "pool.h"
#include "pool_probe.h"

static void test_serial_runs_each_task_once(void **s) { (void)s; run_mode(EXEC_SERIAL, SPAWN_POOL, 1, 50); }

static void test_serial_has_one_worker_and_no_per_task(void **state)
{
    (void)state;
    pool *p;
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 4, .wl = &probe};
    assert_int_equal(pool_create(&cfg, &p), -EINVAL); /* serial has one worker */
    cfg.workers = 1;
    cfg.spawn = SPAWN_PER_TASK;
    assert_int_equal(pool_create(&cfg, &p), -EINVAL);
    cfg.spawn = SPAWN_POOL;
    assert_int_equal(pool_create(&cfg, &p), 0);
    pid_t pid;
    assert_int_equal(pool_worker_pids(p, &pid, 1), 0); /* no worker process */
    pool_destroy(p);
}

/* The tasks run on the calling thread: its CPU is the batch's, counted once. */
static int tid_run(wl_task *t)
{
    t->out->value_ns = (uint64_t)gettid();
    return 0;
}

static void test_serial_runs_on_the_calling_thread(void **state)
{
    (void)state;
    const workload wl = {.name = "tid", .default_tasks = 1, .run = tid_run};
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 4, .wl = &wl};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, 4, &b), 0);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(pool_slot(p, i)->out.value_ns, (uint64_t)gettid());
    pool_destroy(p);

    spin_ms = 10;
    cfg.wl = &probe;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, 4, &b), 0);
    assert_true(b.usage.cpu_ns >= 40000000u);
    assert_true(b.usage.cpu_ns < 40000000u + b.wall_ns / 2); /* not the coordinator's twice */
    pool_destroy(p);
    spin_ms = 0;
}

/* The stop flag is read between tasks: the batch stops there with -EINTR. */
static volatile sig_atomic_t stop_flag;
static _Atomic uint32_t stop_ran;

static int stopper_run(wl_task *t)
{
    stop_ran++;
    if (t->index == 2)
        stop_flag = 1;
    return 0;
}

static void test_serial_stops_between_tasks(void **state)
{
    (void)state;
    const workload wl = {.name = "stopper", .default_tasks = 1, .run = stopper_run};
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 10, .wl = &wl,
                       .stop = &stop_flag};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, 10, &b), -EINTR);
    assert_int_equal(stop_ran, 3);
    pool_destroy(p);
    stop_flag = 0;
}

/* Pinning binds the calling thread while the pool lives; destroy gives its affinity back. */
static void test_serial_restores_the_affinity(void **state)
{
    (void)state;
    pin_topo *t;
    assert_int_equal(pin_topo_load(&t), 0);
    pin_plan plan;
    assert_int_equal(pin_plan_make(t, PIN_COMPACT, 1, &plan), 0);
    cpu_set_t before, during, after;
    assert_int_equal(sched_getaffinity(0, sizeof before, &before), 0);
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 4, .wl = &probe,
                       .topo = t, .plan = &plan};
    pool *p;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(sched_getaffinity(0, sizeof during, &during), 0);
    assert_int_equal(CPU_COUNT(&during), 1);
    assert_true(CPU_ISSET(plan.cpu[0], &during));
    pool_destroy(p);
    assert_int_equal(sched_getaffinity(0, sizeof after, &after), 0);
    assert_true(CPU_EQUAL(&before, &after));
    pin_plan_free(&plan);
    pin_topo_free(t);
}

/* The worker holds the lock alone: one take per task, never a wait for another holder. */
static void test_serial_holds_the_lock_alone(void **state)
{
    (void)state;
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 8, .wl = &probe,
                       .gil = GIL_ON, .switch_us = 1000, .check_ticks = 100};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, 8, &b), 0);
    assert_int_equal(b.gil.acquisitions, 8);
    assert_int_equal(b.gil.drop_requests, 0);
    pool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_runs_each_task_once),
        cmocka_unit_test(test_serial_has_one_worker_and_no_per_task),
        cmocka_unit_test(test_serial_runs_on_the_calling_thread),
        cmocka_unit_test(test_serial_stops_between_tasks),
        cmocka_unit_test(test_serial_restores_the_affinity),
        cmocka_unit_test(test_serial_holds_the_lock_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
