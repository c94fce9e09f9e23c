/* test_pool.c: every executor and spawn mode runs each task once, measures alike, survives deaths. */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pin.h"
#include "pool.h"

/* A test workload: writes who ran it and a value derived from its index; task 13 fails;
 * with `spin_ms` > 0 each task burns that much CPU (its own thread's CPU clock, so the amount is
 * exact however busy the machine is). */
static int spin_ms;
static int fail_index = 13;

static _Atomic int hang_index = -1;  /* this task sleeps until `release_hang` (at most 30 s) */
static _Atomic int release_hang;     /* atomics: a detached stuck thread reads them */

static int probe_run(wl_task *t)
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

static void check_batch(pool *p, uint32_t tasks, uint32_t workers, const pool_batch *b)
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
            assert_int_equal(s->err, -EPERM);
            assert_string_equal(s->out.detail, "task 13 refused");
        } else {
            assert_int_equal(atomic_load(&s->state), SLOT_OK);
        }
    }
}

static void run_mode(pool_executor e, pool_spawn sp, uint32_t workers, uint32_t tasks)
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

static void test_serial(void **s) { (void)s; run_mode(EXEC_SERIAL, SPAWN_POOL, 1, 50); }
static void test_threads_pool(void **s) { (void)s; run_mode(EXEC_THREADS, SPAWN_POOL, 3, 200); }
static void test_processes_pool(void **s) { (void)s; run_mode(EXEC_PROCESSES, SPAWN_POOL, 3, 200); }
static void test_threads_per_task(void **s) { (void)s; run_mode(EXEC_THREADS, SPAWN_PER_TASK, 3, 40); }
static void test_processes_per_task(void **s) { (void)s; run_mode(EXEC_PROCESSES, SPAWN_PER_TASK, 3, 40); }

static void test_rejects_bad_config(void **state)
{
    (void)state;
    pool *p;
    pool_config cfg = {.executor = EXEC_SERIAL, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 4, .wl = &probe};
    assert_int_equal(pool_create(&cfg, &p), -EINVAL); /* serial has one worker */
    cfg.workers = 1;
    cfg.spawn = SPAWN_PER_TASK;
    assert_int_equal(pool_create(&cfg, &p), -EINVAL);
    cfg = (pool_config){.executor = EXEC_THREADS, .workers = 0, .max_tasks = 4, .wl = &probe};
    assert_int_equal(pool_create(&cfg, &p), -EINVAL);
    cfg.workers = 2;
    assert_int_equal(pool_create(&cfg, &p), 0);
    pool_batch b;
    assert_int_equal(pool_run(p, 0, &b), -EINVAL);
    assert_int_equal(pool_run(p, 5, &b), -EINVAL);
    pool_destroy(p);
}

/* Both pools measure CPU the same way: busy tasks show up as CPU time in the batch. */
static void test_cpu_is_measured_alike(void **state)
{
    (void)state;
    spin_ms = 5;
    for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++) {
        pool_config cfg = {.executor = (pool_executor)e, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 8,
                           .wl = &probe};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        assert_int_equal(pool_run(p, 8, &b), 0);
        /* 8 tasks x 5 ms of CPU each: the workers' accounts must hold all of it. */
        assert_true(b.usage.cpu_ns >= 40000000u);
        for (uint32_t i = 0; i < 8; i++)
            assert_true(pool_slot(p, i)->cpu_ns >= 5000000u);
        pool_destroy(p);
    }
    spin_ms = 0;
}

/* A process worker killed mid-task fails exactly that task, with the signal; the pool replaces
 * it and the batch completes. */
static void test_killed_worker_fails_its_task(void **state)
{
    (void)state;
    spin_ms = 20;
    pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 10,
                       .wl = &probe, .respawn_budget = 2};
    pool *p;
    assert_int_equal(pool_create(&cfg, &p), 0);
    pid_t pids[2];
    assert_int_equal(pool_worker_pids(p, pids, 2), 2);
    pid_t killer = fork();
    if (killer == 0) {
        usleep(30000); /* both workers are mid-task now */
        kill(pids[0], SIGKILL);
        _exit(0);
    }
    pool_batch b;
    assert_int_equal(pool_run(p, 10, &b), 0);
    waitpid(killer, NULL, 0);
    assert_int_equal(b.respawns, 1);
    uint32_t killed = 0;
    for (uint32_t i = 0; i < 10; i++) {
        const queue_slot *s = pool_slot(p, i);
        if (atomic_load(&s->state) == SLOT_FAILED && s->err == SIGKILL) {
            killed++;
            assert_non_null(strstr(s->out.detail, "signal 9"));
        }
    }
    assert_int_equal(killed, 1);
    assert_int_equal(b.failed, 1);
    /* The replacement serves the next batch. */
    assert_int_equal(pool_run(p, 10, &b), 0);
    assert_int_equal(b.ok, 10);
    pool_destroy(p);
    spin_ms = 0;
}

static void test_respawn_budget_ends_the_batch(void **state)
{
    (void)state;
    spin_ms = 20;
    pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = SPAWN_POOL, .workers = 1, .max_tasks = 50,
                       .wl = &probe, .respawn_budget = 0};
    pool *p;
    assert_int_equal(pool_create(&cfg, &p), 0);
    pid_t pid;
    assert_int_equal(pool_worker_pids(p, &pid, 1), 1);
    pid_t killer = fork();
    if (killer == 0) {
        usleep(30000);
        kill(pid, SIGKILL);
        _exit(0);
    }
    pool_batch b;
    assert_int_equal(pool_run(p, 50, &b), -ECHILD); /* no hang: the batch is abandoned */
    waitpid(killer, NULL, 0);
    pool_destroy(p);
    spin_ms = 0;
}

/* A process worker past the task deadline is terminated and replaced; its task fails with the
 * reason; the others complete. */
static void test_timeout_kills_a_hung_process_worker(void **state)
{
    (void)state;
    hang_index = 2;
    release_hang = 0;
    for (int sp = 0; sp < SPAWN_COUNT; sp++) {
        pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = (pool_spawn)sp, .workers = 2, .max_tasks = 6,
                           .wl = &probe, .respawn_budget = 2, .task_timeout_ms = 200};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        uint64_t t0 = metrics_now_ns();
        assert_int_equal(pool_run(p, 6, &b), 0);
        assert_true(metrics_now_ns() - t0 < 10000000000ull); /* long before the 30 s hang ends */
        const queue_slot *s = pool_slot(p, 2);
        assert_int_equal(atomic_load(&s->state), SLOT_FAILED);
        assert_int_equal(s->err, -ETIMEDOUT);
        assert_non_null(strstr(s->out.detail, "timed out after 200 ms"));
        assert_int_equal(b.ok, 5);
        if (sp == SPAWN_POOL)
            assert_int_equal(b.respawns, 1);
        pool_destroy(p);
    }
    hang_index = -1;
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

/* No child is left after destroy, whatever the mode. */
static void test_no_children_left(void **state)
{
    (void)state;
    for (int sp = 0; sp < SPAWN_COUNT; sp++) {
        pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = (pool_spawn)sp, .workers = 4, .max_tasks = 16,
                           .wl = &probe};
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
    uint32_t n = pin_topo_pus(t);
    for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++) {
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
        cmocka_unit_test(test_serial),
        cmocka_unit_test(test_threads_pool),
        cmocka_unit_test(test_processes_pool),
        cmocka_unit_test(test_threads_per_task),
        cmocka_unit_test(test_processes_per_task),
        cmocka_unit_test(test_rejects_bad_config),
        cmocka_unit_test(test_cpu_is_measured_alike),
        cmocka_unit_test(test_killed_worker_fails_its_task),
        cmocka_unit_test(test_respawn_budget_ends_the_batch),
        cmocka_unit_test(test_timeout_kills_a_hung_process_worker),
        cmocka_unit_test(test_timeout_with_a_hung_thread_stops_cleanly),
        cmocka_unit_test(test_no_children_left),
        cmocka_unit_test(test_pinned_workers_run_on_their_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
