/* test_pool.c: the contract every executor keeps, run over every entry of the executor table:
 * each task runs once and is measured alike, configurations are checked, names come from the
 * table, nothing is left behind, pinned workers run where the plan says. What only one vehicle
 * does is in test_pool_<vehicle>.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "pin.h"
#include "pool.h"
#include "pool_probe.h"

/* The most workers (up to `want`) executor e takes with spawn sp; 0 when it has no such mode. */
static uint32_t workers_for(pool_executor e, pool_spawn sp, uint32_t want)
{
    pool_config cfg = {.executor = e, .spawn = sp, .workers = want, .max_tasks = 1, .wl = &probe};
    pool *p;
    for (uint32_t w = want; w >= 1; w = w > 1 ? 1 : 0) {
        cfg.workers = w;
        int rc = pool_create(&cfg, &p);
        if (rc == 0) {
            pool_destroy(p);
            return w;
        }
        assert_int_equal(rc, -EINVAL);
    }
    return 0;
}

static void test_names_come_from_the_table(void **state)
{
    (void)state;
    for (int e = 0; e < EXEC_COUNT; e++) {
        const char *n = pool_executor_name((pool_executor)e);
        assert_string_not_equal(n, "?");
        for (int f = 0; f < e; f++)
            assert_string_not_equal(n, pool_executor_name((pool_executor)f));
    }
    assert_string_equal(pool_executor_name(EXEC_SERIAL), "serial");
    assert_string_equal(pool_executor_name(EXEC_THREADS), "threads");
    assert_string_equal(pool_executor_name(EXEC_PROCESSES), "processes");
    assert_string_equal(pool_executor_name(EXEC_COUNT), "?");
    assert_string_equal(pool_executor_name((pool_executor)-1), "?");
    assert_string_equal(pool_spawn_name(SPAWN_POOL), "pool");
    assert_string_equal(pool_spawn_name(SPAWN_PER_TASK), "per-task");
    assert_string_equal(pool_spawn_name(SPAWN_COUNT), "?");
}

/* Every executor, in every spawn mode it has, runs each task once and fills its slot. */
static void test_every_executor_runs_each_task_once(void **state)
{
    (void)state;
    for (int e = 0; e < EXEC_COUNT; e++)
        for (int sp = 0; sp < SPAWN_COUNT; sp++) {
            uint32_t w = workers_for((pool_executor)e, (pool_spawn)sp, 3);
            if (sp == SPAWN_POOL)
                assert_true(w >= 1); /* every executor has pool spawning */
            if (w)
                run_mode((pool_executor)e, (pool_spawn)sp, w, sp == SPAWN_POOL ? 120 : 40);
        }
}

static void test_rejects_bad_config(void **state)
{
    (void)state;
    pool *p;
    pool_config cfg = {.executor = EXEC_COUNT, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 4, .wl = &probe};
    assert_int_equal(pool_create(&cfg, &p), -EINVAL); /* no such executor */
    cfg.executor = (pool_executor)-1;
    assert_int_equal(pool_create(&cfg, &p), -EINVAL);
    assert_int_equal(pool_create(NULL, &p), -EINVAL);
    for (int e = 0; e < EXEC_COUNT; e++) {
        cfg = (pool_config){.executor = (pool_executor)e, .workers = 0, .max_tasks = 4, .wl = &probe};
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.workers = 1;
        cfg.spawn = SPAWN_COUNT;
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.spawn = SPAWN_POOL;
        cfg.max_tasks = 0;
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.max_tasks = 4;
        cfg.wl = NULL;
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.wl = &probe;
        cfg.gil = GIL_ON; /* without switch_us and check_ticks */
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.gil = GIL_MODE_COUNT;
        assert_int_equal(pool_create(&cfg, &p), -EINVAL);
        cfg.gil = GIL_OFF;
        assert_int_equal(pool_create(&cfg, &p), 0);
        pool_batch b;
        assert_int_equal(pool_run(p, 0, &b), -EINVAL);
        assert_int_equal(pool_run(p, 5, &b), -EINVAL);
        assert_int_equal(pool_run(p, 4, NULL), -EINVAL);
        pool_destroy(p);
    }
}

/* Every executor measures CPU the same way: busy tasks show up as CPU time in the batch. */
static void test_cpu_is_measured_alike(void **state)
{
    (void)state;
    spin_ms = 5;
    for (int e = 0; e < EXEC_COUNT; e++) {
        pool_config cfg = {.executor = (pool_executor)e, .spawn = SPAWN_POOL,
                           .workers = workers_for((pool_executor)e, SPAWN_POOL, 2), .max_tasks = 8, .wl = &probe};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        assert_int_equal(pool_run(p, 8, &b), 0);
        /* 8 tasks x 5 ms of CPU each: the workers' accounts must hold all of it. */
        assert_true(b.usage.cpu_ns >= 40000000u);
        pool_destroy(p);
    }
    spin_ms = 0;
}

/* No child is left after destroy, whatever the executor and mode. */
static void test_no_children_left(void **state)
{
    (void)state;
    for (int e = 0; e < EXEC_COUNT; e++)
        for (int sp = 0; sp < SPAWN_COUNT; sp++) {
            uint32_t w = workers_for((pool_executor)e, (pool_spawn)sp, 4);
            if (!w)
                continue;
            pool_config cfg = {.executor = (pool_executor)e, .spawn = (pool_spawn)sp, .workers = w,
                               .max_tasks = 16, .wl = &probe};
            pool *p;
            pool_batch b;
            assert_int_equal(pool_create(&cfg, &p), 0);
            assert_int_equal(pool_run(p, 16, &b), 0);
            pool_destroy(p);
            assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
            assert_int_equal(errno, ECHILD);
        }
}

/* Pinned workers run where the plan says. */
static void test_pinned_workers_run_on_their_cpu(void **state)
{
    (void)state;
    pin_topo *t;
    assert_int_equal(pin_topo_load(&t), 0);
    for (int e = 0; e < EXEC_COUNT; e++) {
        uint32_t n = workers_for((pool_executor)e, SPAWN_POOL, pin_topo_pus(t));
        pin_plan plan;
        assert_int_equal(pin_plan_make(t, PIN_COMPACT, n, &plan), 0);
        pool_config cfg = {.executor = (pool_executor)e, .spawn = SPAWN_POOL, .workers = n, .max_tasks = 64,
                           .wl = &probe, .topo = t, .plan = &plan};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        assert_int_equal(pool_run(p, 12, &b), 0);
        for (uint32_t i = 0; i < 12; i++) {
            const queue_slot *s = pool_slot(p, i);
            assert_int_equal(s->cpu, plan.cpu[s->worker]);
        }
        pool_destroy(p);
        pin_plan_free(&plan);
    }
    pin_topo_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_come_from_the_table),
        cmocka_unit_test(test_every_executor_runs_each_task_once),
        cmocka_unit_test(test_rejects_bad_config),
        cmocka_unit_test(test_cpu_is_measured_alike),
        cmocka_unit_test(test_no_children_left),
        cmocka_unit_test(test_pinned_workers_run_on_their_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
