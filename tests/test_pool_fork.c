/* test_pool_fork.c: the process executor (exec_fork.c): forked workers, each its own interpreter,
 * supervised: deaths fail the held task and are replaced, deadlines kill, workers ignore SIGINT
 * and die with the harness. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pool.h"
#include "pool_probe.h"

static void test_processes_pool(void **s) { (void)s; run_mode(EXEC_PROCESSES, SPAWN_POOL, 3, 200); }
static void test_processes_per_task(void **s) { (void)s; run_mode(EXEC_PROCESSES, SPAWN_PER_TASK, 3, 40); }

/* Each process has its own lock: a task holding it does not keep the other process out. */
static void test_each_process_has_its_own_lock(void **state)
{
    (void)state;
    assert_int_equal(max_holders(EXEC_PROCESSES, 2), 2);
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
        if (atomic_load(&s->state) == SLOT_FAILED && strstr(s->out.detail, "killed by signal 9 ("))
            killed++;
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
        assert_non_null(strstr(s->out.detail, "timed out after 200 ms; worker "));
        assert_int_equal(b.ok, 5);
        if (sp == SPAWN_POOL)
            assert_int_equal(b.respawns, 1);
        pool_destroy(p);
    }
    hang_index = -1;
}

/* A worker that exits on its own (not by a signal) fails its task with the status. */
static int exit_run(wl_task *t)
{
    if (t->index == 1)
        _exit(3);
    return 0;
}

static void test_worker_exit_fails_its_task(void **state)
{
    (void)state;
    const workload wl = {.name = "exiter", .default_tasks = 1, .run = exit_run};
    pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = SPAWN_PER_TASK, .workers = 2, .max_tasks = 4, .wl = &wl};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, 4, &b), 0);
    assert_int_equal(b.failed, 1);
    const queue_slot *s = pool_slot(p, 1);
    assert_int_equal(atomic_load(&s->state), SLOT_FAILED);
    assert_non_null(strstr(s->out.detail, "exited with status 3"));
    pool_destroy(p);
}

/* Ctrl-C and a hangup reach the whole process group, timeout(1)'s SIGTERM may too: the workers
 * ignore them (the harness decides); only the coordinator's SIGTERM ends one. */
static int stop_signals_run(wl_task *t)
{
    /* In a worker process, sent by itself (not the coordinator): each would end it unless ignored. */
    kill(getpid(), SIGINT);
    kill(getpid(), SIGHUP);
    kill(getpid(), SIGTERM);
    t->out->value_ns = 1;
    return 0;
}

static void test_workers_ignore_stop_signals(void **state)
{
    (void)state;
    const workload wl = {.name = "signals", .default_tasks = 1, .run = stop_signals_run};
    for (int sp = 0; sp < SPAWN_COUNT; sp++) {
        pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = (pool_spawn)sp, .workers = 2, .max_tasks = 4,
                           .wl = &wl};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        for (int batch = 0; batch < 2; batch++) {
            /* A death would fail a task (per-task) or the batch (pool: no respawn budget). */
            assert_int_equal(pool_run(p, 4, &b), 0);
            assert_int_equal(b.ok, 4);
        }
        if (sp == SPAWN_POOL) { /* and idle, between batches */
            pid_t pids[2];
            assert_int_equal(pool_worker_pids(p, pids, 2), 2);
            for (int i = 0; i < 2; i++) {
                assert_int_equal(kill(pids[i], SIGINT), 0);
                assert_int_equal(kill(pids[i], SIGHUP), 0);
            }
            usleep(50000);
            assert_int_equal(pool_run(p, 4, &b), 0);
            assert_int_equal(b.ok, 4);
        }
        pool_destroy(p);
    }
}

/* Destroy reaps every worker whatever errno holds (a stale ECHILD once made it skip live ones). */
static void test_destroy_reaps_with_a_stale_errno(void **state)
{
    (void)state;
    for (int sp = 0; sp < SPAWN_COUNT; sp++) {
        pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = (pool_spawn)sp, .workers = 4, .max_tasks = 8,
                           .wl = &probe};
        pool *p;
        pool_batch b;
        assert_int_equal(pool_create(&cfg, &p), 0);
        assert_int_equal(pool_run(p, 8, &b), 0);
        errno = ECHILD;
        pool_destroy(p);
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
    }
}

/* Workers die with the harness (PR_SET_PDEATHSIG): a harness that vanishes without destroying
 * its pool leaves no worker behind. This process is the subreaper that gets the orphans. */
static void test_workers_die_with_the_harness(void **state)
{
    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t harness = fork();
    if (harness == 0) {
        close(fds[0]);
        pool_config cfg = {.executor = EXEC_PROCESSES, .spawn = SPAWN_POOL, .workers = 2, .max_tasks = 2,
                           .wl = &probe};
        pool *p;
        pid_t pids[2] = {0, 0};
        if (pool_create(&cfg, &p) != 0 || pool_worker_pids(p, pids, 2) != 2)
            _exit(1);
        if (write(fds[1], pids, sizeof pids) != (ssize_t)sizeof pids)
            _exit(1);
        _exit(0); /* gone, pool and all */
    }
    close(fds[1]);
    pid_t pids[2];
    assert_int_equal(read(fds[0], pids, sizeof pids), (ssize_t)sizeof pids);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(harness, &status, 0), harness);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 2; i++) {
        int rc = -1;
        for (int t = 0; t < 500 && (rc = (int)waitpid(pids[i], &status, WNOHANG)) == 0; t++)
            usleep(10000);
        assert_int_equal(rc, pids[i]); /* reaped here within 5 s */
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_processes_pool),
        cmocka_unit_test(test_processes_per_task),
        cmocka_unit_test(test_each_process_has_its_own_lock),
        cmocka_unit_test(test_killed_worker_fails_its_task),
        cmocka_unit_test(test_respawn_budget_ends_the_batch),
        cmocka_unit_test(test_timeout_kills_a_hung_process_worker),
        cmocka_unit_test(test_worker_exit_fails_its_task),
        cmocka_unit_test(test_workers_ignore_stop_signals),
        cmocka_unit_test(test_destroy_reaps_with_a_stale_errno),
        cmocka_unit_test(test_workers_die_with_the_harness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
