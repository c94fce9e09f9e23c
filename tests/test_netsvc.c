/* test_netsvc.c: the embedded delay server kept out of what is measured: the server_limited rule, where it is placed, the priority it gets. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sys/resource.h>
#include <unistd.h>

#include "netsvc.h"

/* The rule with synthetic figures: 10% of the median task time at the median, 25% of a lane's
 * batch time (rounds x the median) at the 99th percentile. */
static void test_server_limited_rule(void **state)
{
    (void)state;
    /* A 20 ms wait, the server 0.1 ms late at the median and 2.4 ms at p99 (nice -20, 256 workers):
     * no, in any round count. */
    assert_int_equal(netsvc_server_limited(100, 2400, 20300, 1), 0);
    assert_int_equal(netsvc_server_limited(100, 2400, 20300, 256), 0);
    /* Nice 0, 256 workers and tasks: 3.5 ms late at the median of a ~26 ms task. */
    assert_int_equal(netsvc_server_limited(3500, 8650, 26365, 1), 1);
    /* Median at the limit is not over it; just over is. */
    assert_int_equal(netsvc_server_limited(2000, 0, 20000, 1), 0);
    assert_int_equal(netsvc_server_limited(2001, 0, 20000, 1), 1);
    /* A 10 ms p99 with one round (the batch ends with it) is material; over 2 or more it is not.
     * 20 ms on a 20 ms task is up to 3 rounds, not 4. */
    assert_int_equal(netsvc_server_limited(100, 10000, 20000, 1), 1);
    assert_int_equal(netsvc_server_limited(100, 10000, 20000, 2), 0);
    assert_int_equal(netsvc_server_limited(100, 20000, 20000, 3), 1);
    assert_int_equal(netsvc_server_limited(100, 20000, 20000, 4), 0);
    assert_int_equal(netsvc_server_limited(100, 5000, 20000, 1), 0); /* at the limit is not over it */
    assert_int_equal(netsvc_server_limited(100, 50000, 20000, 256), 0);
    /* delay_us=0: the task is the round trip, so the same shares apply to it. */
    assert_int_equal(netsvc_server_limited(5, 20, 60, 4), 0);
    assert_int_equal(netsvc_server_limited(30, 40, 60, 4), 1);
    assert_int_equal(netsvc_server_limited(5, 61, 60, 4), 1);
    /* Not judged: missing, negative, or no task time. */
    assert_int_equal(netsvc_server_limited(NAN, 1, 100, 1), -EINVAL);
    assert_int_equal(netsvc_server_limited(1, NAN, 100, 1), -EINVAL);
    assert_int_equal(netsvc_server_limited(1, 1, NAN, 1), -EINVAL);
    assert_int_equal(netsvc_server_limited(-1, 1, 100, 1), -EINVAL);
    assert_int_equal(netsvc_server_limited(1, 1, 0, 1), -EINVAL);
    assert_int_equal(netsvc_server_limited(1, 1, 100, 0), -EINVAL);
    assert_int_equal(netsvc_server_limited(1, 1, INFINITY, 1), -EINVAL);
}

static void test_choose_cpu(void **state)
{
    (void)state;
    const int two[] = {0, 1}, four[] = {0, 1, 4, 5}, none[] = {0};
    bool shared = true;
    /* 2 PUs, 2 or more workers: no PU to spare, whatever the plan. */
    assert_int_equal(netsvc_choose_cpu(two, 2, two, 2, 2, false, &shared), -1);
    assert_false(shared);
    assert_int_equal(netsvc_choose_cpu(two, 2, two, 2, 256, true, &shared), -1);
    /* Workers not known yet (per-task before its first task): unbound. */
    assert_int_equal(netsvc_choose_cpu(two, 2, NULL, 0, 0, false, &shared), -1);
    /* One pinned worker on PU 0: the server gets PU 1, alone. */
    assert_int_equal(netsvc_choose_cpu(two, 2, none, 1, 1, false, &shared), 1);
    assert_false(shared);
    /* One unbound worker: the last PU, shared with it. */
    assert_int_equal(netsvc_choose_cpu(two, 2, two, 2, 1, true, &shared), 1);
    assert_true(shared);
    /* PUs 0,1,4,5; pinned workers on 5 and 1 (e.g. scatter): the last free one is 4. */
    const int used[] = {1, 5};
    assert_int_equal(netsvc_choose_cpu(four, 4, used, 2, 2, false, &shared), 4);
    assert_false(shared);
    /* Three pinned workers wrapping onto two PUs of four: still a free one (the last). */
    const int wrapped[] = {0, 1};
    assert_int_equal(netsvc_choose_cpu(four, 4, wrapped, 2, 3, false, &shared), 5);
    /* One PU: never bound. */
    assert_int_equal(netsvc_choose_cpu(none, 1, none, 1, 1, false, &shared), -1);
}

/* A real embedded server: raised to NETSVC_NICE when the system allows it (else the refusal is
 * recorded), bound to the free PU beside one pinned worker, and unbound again when the workers
 * leave no PU to spare. */
static void test_embedded_server_priority_and_placement(void **state)
{
    (void)state;
    char host[64];
    uint16_t port;
    assert_int_equal(netsvc_target(host, sizeof host, &port), 0);
    netsvc_info si;
    netsvc_info_get(&si);
    assert_true(si.started);
    pid_t pid = netsvc_pid();
    assert_true(pid > 0);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)pid);
    assert_int_equal(errno, 0);
    assert_int_equal(si.nice, nice);
    if (si.nice_err == 0)
        assert_int_equal(nice, NETSVC_NICE);
    else
        assert_true(si.nice_err == -EACCES || si.nice_err == -EPERM);

    cpu_set_t mine, srv;
    assert_int_equal(sched_getaffinity(0, sizeof mine, &mine), 0);
    int first = -1, last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &mine)) {
            if (first < 0)
                first = c;
            last = c;
        }
    int used[] = {first};
    assert_int_equal(netsvc_place(used, 1, 1, false), 0);
    assert_int_equal(sched_getaffinity(pid, sizeof srv, &srv), 0);
    netsvc_info_get(&si);
    if (CPU_COUNT(&mine) > 1) {
        assert_int_equal(CPU_COUNT(&srv), 1);
        assert_true(CPU_ISSET(last, &srv));
        assert_int_equal(si.cpu, last);
    } else {
        assert_int_equal(si.cpu, -1);
    }
    /* As many workers as PUs: unbound, on every PU the harness may use. */
    assert_int_equal(netsvc_place(used, 1, (unsigned)CPU_COUNT(&mine), false), 0);
    assert_int_equal(sched_getaffinity(pid, sizeof srv, &srv), 0);
    assert_true(CPU_EQUAL(&srv, &mine));
    netsvc_info_get(&si);
    assert_int_equal(si.cpu, -1);
    netsvc_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_limited_rule),
        cmocka_unit_test(test_choose_cpu),
        cmocka_unit_test(test_embedded_server_priority_and_placement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
