/* test_sched_dispatch.c: the dispatch floor runs every task once, in pushes, reaps its workers, and fails cleanly. */
#include <dirent.h>
#include <errno.h>
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

#include "child_checks.h"

#include "sched_bench.h"

/* Both executors, a worker count below and above the batch's share, pushes that do not divide
 * the op count: every op is timed, every task stamped, every worker gone afterwards. */
static void test_runs_every_task(void **state)
{
    (void)state;
    static const pool_executor execs[] = {EXEC_THREADS, EXEC_PROCESSES};
    static const uint32_t workers[] = {1, 3};
    double *lat = malloc(SCHED_BATCH_MAX * sizeof *lat);
    assert_non_null(lat);
    int fds = count_fds();
    for (size_t e = 0; e < 2; e++)
        for (size_t w = 0; w < 2; w++) {
            sched_dispatch_team *t = NULL;
            char detail[160] = "";
            assert_int_equal(sched_dispatch_start(execs[e], workers[w], 300, &t, detail, sizeof detail), 0);
            for (int round = 0; round < 3; round++) {
                for (uint32_t i = 0; i < 1000; i++)
                    lat[i] = -1;
                sched_result r = {.lat_ns = lat};
                assert_int_equal(sched_measure_dispatch(t, 1000, &r), 0); /* 300 + 300 + 300 + 100 */
                assert_int_equal(r.ops, 1000);
                assert_true(r.total_ns > 0);
                assert_true(r.max_ns > 0 && r.max_ns <= r.total_ns);
                assert_true(r.cpu_ns > 0);
                double sum = 0;
                for (uint32_t i = 0; i < 1000; i++) {
                    assert_true(lat[i] > 0 && lat[i] < (double)r.max_ns + 1); /* its share of its push */
                    sum += lat[i];
                }
                assert_true(sum > 0.999 * (double)r.total_ns && sum < 1.001 * (double)r.total_ns);
            }
            sched_dispatch_stop(t);
            assert_no_children();
        }
    assert_int_equal(count_fds(), fds);
    free(lat);
}

static void test_invalid(void **state)
{
    (void)state;
    sched_dispatch_team *t = NULL;
    char detail[160];
    assert_int_equal(sched_dispatch_start(EXEC_SERIAL, 2, 10, &t, detail, sizeof detail), -EINVAL);
    assert_int_equal(sched_dispatch_start(EXEC_THREADS, 0, 10, &t, detail, sizeof detail), -EINVAL);
    assert_int_equal(sched_dispatch_start(EXEC_THREADS, 2, 0, &t, detail, sizeof detail), -EINVAL);
    assert_int_equal(sched_dispatch_start(EXEC_THREADS, 2, SCHED_BATCH_MAX + 1, &t, detail, sizeof detail), -EINVAL);
    assert_null(t);
    assert_int_equal(sched_dispatch_start(EXEC_THREADS, 2, 16, &t, detail, sizeof detail), 0);
    sched_result r = {0};
    assert_int_equal(sched_measure_dispatch(t, 0, &r), -EINVAL);
    assert_int_equal(sched_measure_dispatch(t, SCHED_BATCH_MAX + 1, &r), -EINVAL);
    assert_int_equal(sched_measure_dispatch(NULL, 4, &r), -EINVAL);
    sched_dispatch_stop(t);
    sched_dispatch_stop(NULL);
}

/* The pids of this process's children (Linux: /proc/self/task/<tid>/children of the main thread). */
static size_t children(pid_t *pids, size_t max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "re");
    size_t n = 0;
    int pid;
    while (f && n < max && fscanf(f, "%d", &pid) == 1)
        pids[n++] = pid;
    if (f)
        fclose(f);
    return n;
}

/* A process worker killed between pushes: the next call fails with -ECHILD naming it, instead of
 * waiting forever for a worker that will never be idle; stop reaps the rest. */
static void test_killed_worker_fails_the_call(void **state)
{
    (void)state;
    sched_dispatch_team *t = NULL;
    char detail[160];
    assert_int_equal(sched_dispatch_start(EXEC_PROCESSES, 2, 64, &t, detail, sizeof detail), 0);
    pid_t pids[4];
    if (children(pids, 4) != 2) {
        sched_dispatch_stop(t);
        skip(); /* no /proc/<pid>/task/<tid>/children on this kernel */
    }
    sched_result r = {0};
    assert_int_equal(sched_measure_dispatch(t, 64, &r), 0);
    assert_int_equal(kill(pids[0], SIGKILL), 0);
    int rc = 0;
    for (int i = 0; i < 50 && rc == 0; i++) /* the dead one may have been idle already: pushes go on */
        rc = sched_measure_dispatch(t, 64, &r);
    assert_int_equal(rc, -ECHILD);
    assert_non_null(strstr(r.detail, "dispatch worker"));
    assert_non_null(strstr(r.detail, "signal 9"));
    sched_dispatch_stop(t);
    assert_no_children();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_every_task),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_killed_worker_fails_the_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
