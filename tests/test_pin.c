/* test_pin.c: unit tests of the hwloc topology, placement policies and self-binding (lib/pin.c). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "topo_fixture.h"

static cpu_set_t g_affinity; /* the affinity the program started with, restored after each test */

static int group_setup(void **state)
{
    if (sched_getaffinity(0, sizeof g_affinity, &g_affinity) != 0)
        return -1;
    return topo_setup(state);
}

static int restore_affinity(void **state)
{
    (void)state;
    return sched_setaffinity(0, sizeof g_affinity, &g_affinity) == 0 ? 0 : -1;
}

static int first_cpu(const cpu_set_t *s)
{
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, s))
            return c;
    return -1;
}

/* Waits for `pid` and returns its exit status, or -1 if it did not exit normally. */
static int wait_child(pid_t pid)
{
    int st;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Spins (yielding) until the calling thread runs on `cpu`; true if it did. */
static bool lands_on(int cpu)
{
    for (int i = 0; i < 1000; i++) {
        if (pin_current_cpu() == cpu)
            return true;
        sched_yield();
    }
    return pin_current_cpu() == cpu;
}

static void test_load_counts(void **state)
{
    (void)state;
    unsigned pus = pin_topo_pus(topo), cores = pin_topo_cores(topo);
    unsigned pkgs = pin_topo_packages(topo), numa = pin_topo_numa_nodes(topo);
    assert_true(pkgs >= 1);
    assert_true(numa >= 1);
    assert_true(cores >= pkgs);
    assert_true(pus >= cores);
    if (pin_topo_degraded(topo))
        assert_int_equal(cores, pus);
    /* Usable PUs are exactly the CPUs this process may run on. */
    assert_int_equal(pus, CPU_COUNT(&g_affinity));

    char buf[256], expect[256];
    pin_topo_cpuset_str(topo, buf, sizeof buf);
    assert_true(buf[0] != '\0');
    char first[16];
    snprintf(first, sizeof first, "%d", first_cpu(&g_affinity));
    assert_int_equal(strncmp(buf, first, strlen(first)), 0);
    print_message("cpuset: %s\n", buf);

    assert_ptr_equal(pin_topo_summary(topo, buf, sizeof buf), buf);
    snprintf(expect, sizeof expect, "%u package%s, %u NUMA node%s, %u core%s, %u PU%s%s", pkgs,
             pkgs == 1 ? "" : "s", numa, numa == 1 ? "" : "s", cores, cores == 1 ? "" : "s", pus,
             pus == 1 ? "" : "s",
             pin_topo_degraded(topo) ? " (degraded: no cores visible, PUs used as cores)" : "");
    assert_string_equal(buf, expect);
    print_message("topology: %s\n", buf);

    /* A tiny buffer is truncated, never overrun. */
    char small[4];
    pin_topo_summary(topo, small, sizeof small);
    assert_int_equal(strlen(small), 3);
}

static void test_load_null(void **state)
{
    (void)state;
    assert_int_equal(pin_topo_load(NULL), -EINVAL);
    pin_topo_free(NULL);
}

static void test_policy_names(void **state)
{
    (void)state;
    static const char *const names[] = {"none", "compact", "scatter", "core"};
    for (int i = 0; i < PIN_POLICY_COUNT; i++) {
        pin_policy p = PIN_POLICY_COUNT;
        assert_string_equal(pin_policy_name((pin_policy)i), names[i]);
        assert_int_equal(pin_policy_parse(names[i], &p), 0);
        assert_int_equal(p, i);
        assert_int_equal(pin_policy_parse(pin_policy_name(p), &p), 0);
        assert_int_equal(p, i);
    }
    pin_policy p = PIN_SCATTER;
    assert_int_equal(pin_policy_parse("bogus", &p), -EINVAL);
    assert_int_equal(pin_policy_parse("", &p), -EINVAL);
    assert_int_equal(pin_policy_parse("Compact", &p), -EINVAL);
    assert_int_equal(pin_policy_parse(NULL, &p), -EINVAL);
    assert_int_equal(p, PIN_SCATTER);
    assert_string_equal(pin_policy_name(PIN_POLICY_COUNT), "?");
}

static void assert_distinct_usable(const pin_plan *pl, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        assert_true(pl->cpu[i] >= 0);
        assert_true(CPU_ISSET(pl->cpu[i], &g_affinity));
        for (unsigned j = 0; j < i; j++)
            assert_int_not_equal(pl->cpu[i], pl->cpu[j]);
    }
}

/* `pl` is a plan of `policy` for its n workers; frees it and checks that a plan for w > n workers
 * wraps around: worker i runs where worker i % n did. */
static void assert_wraps(pin_plan *pl, pin_policy policy, unsigned n, unsigned w)
{
    int *base = malloc(n * sizeof *base);
    assert_non_null(base);
    memcpy(base, pl->cpu, n * sizeof *base);
    pin_plan_free(pl);
    assert_null(pl->cpu);
    assert_int_equal(pin_plan_make(topo, policy, w, pl), 0);
    assert_true(pl->oversubscribed);
    for (unsigned i = 0; i < w; i++)
        assert_int_equal(pl->cpu[i], base[i % n]);
    pin_plan_free(pl);
    free(base);
}

static void test_plan_compact(void **state)
{
    (void)state;
    unsigned n = pin_topo_pus(topo);
    pin_plan pl;
    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, n, &pl), 0);
    assert_int_equal(pl.policy, PIN_COMPACT);
    assert_int_equal(pl.workers, n);
    assert_false(pl.oversubscribed);
    assert_distinct_usable(&pl, n);
    /* Logical order on Linux follows the OS order of the usable CPUs here. */
    assert_int_equal(pl.cpu[0], first_cpu(&g_affinity));
    assert_wraps(&pl, PIN_COMPACT, n, 2 * n + 1);

    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, 1, &pl), 0);
    assert_int_equal(pl.workers, 1);
    assert_false(pl.oversubscribed);
    pin_plan_free(&pl);
}

static void test_plan_core(void **state)
{
    (void)state;
    unsigned n = pin_topo_cores(topo);
    pin_plan pl;
    assert_int_equal(pin_plan_make(topo, PIN_CORE, n, &pl), 0);
    assert_false(pl.oversubscribed);
    assert_distinct_usable(&pl, n);
    assert_wraps(&pl, PIN_CORE, n, n + 1);
}

static void test_plan_scatter(void **state)
{
    (void)state;
    unsigned n = pin_topo_pus(topo);
    pin_plan pl;
    for (unsigned w = 1; w <= n; w++) {
        assert_int_equal(pin_plan_make(topo, PIN_SCATTER, w, &pl), 0);
        assert_int_equal(pl.policy, PIN_SCATTER);
        assert_false(pl.oversubscribed);
        assert_distinct_usable(&pl, w);
        pin_plan_free(&pl);
    }
    /* Up to one worker per core, scatter never puts two workers on one core: each worker's PU is
     * some core's first PU when every core is used once. */
    unsigned cores = pin_topo_cores(topo);
    pin_plan core_pl;
    assert_int_equal(pin_plan_make(topo, PIN_CORE, cores, &core_pl), 0);
    assert_int_equal(pin_plan_make(topo, PIN_SCATTER, cores, &pl), 0);
    for (unsigned i = 0; i < cores; i++) {
        bool found = false;
        for (unsigned j = 0; j < cores; j++)
            found = found || pl.cpu[i] == core_pl.cpu[j];
        assert_true(found);
    }
    pin_plan_free(&pl);
    pin_plan_free(&core_pl);

    unsigned w = 2 * n + 1;
    assert_int_equal(pin_plan_make(topo, PIN_SCATTER, w, &pl), 0);
    assert_true(pl.oversubscribed);
    assert_distinct_usable(&pl, n);
    for (unsigned i = n; i < w; i++)
        assert_int_equal(pl.cpu[i], pl.cpu[i % n]);
    pin_plan_free(&pl);
}

static void test_plan_none(void **state)
{
    (void)state;
    unsigned w = 3 * pin_topo_pus(topo) + 2;
    pin_plan pl;
    assert_int_equal(pin_plan_make(topo, PIN_NONE, w, &pl), 0);
    assert_int_equal(pl.policy, PIN_NONE);
    assert_int_equal(pl.workers, w);
    assert_false(pl.oversubscribed);
    for (unsigned i = 0; i < w; i++) {
        assert_int_equal(pl.cpu[i], -1);
        assert_int_equal(pin_bind_self(topo, pl.cpu[i]), 0); /* no-op */
    }
    pin_plan_free(&pl);
    pin_plan_free(NULL);
}

static void test_plan_invalid(void **state)
{
    (void)state;
    pin_plan pl;
    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, 0, &pl), -EINVAL);
    assert_null(pl.cpu);
    assert_int_equal(pin_plan_make(topo, PIN_POLICY_COUNT, 1, &pl), -EINVAL);
    assert_null(pl.cpu);
    assert_int_equal(pin_plan_make(NULL, PIN_COMPACT, 1, &pl), -EINVAL);
    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, 1, NULL), -EINVAL);
}

static void test_bind_self_each(void **state)
{
    (void)state;
    for (int pol = PIN_COMPACT; pol < PIN_POLICY_COUNT; pol++) {
        pin_plan pl;
        assert_int_equal(pin_plan_make(topo, (pin_policy)pol, pin_topo_pus(topo), &pl), 0);
        for (unsigned i = 0; i < pl.workers; i++) {
            assert_int_equal(pin_bind_self(topo, pl.cpu[i]), 0);
            assert_true(lands_on(pl.cpu[i]));
            cpu_set_t now;
            assert_int_equal(sched_getaffinity(0, sizeof now, &now), 0);
            assert_int_equal(CPU_COUNT(&now), 1);
            assert_true(CPU_ISSET(pl.cpu[i], &now));
        }
        pin_plan_free(&pl);
    }
}

static void test_bind_in_forked_child(void **state)
{
    (void)state;
    pin_plan pl;
    unsigned n = pin_topo_pus(topo);
    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, n, &pl), 0);
    int target = pl.cpu[n - 1]; /* the last usable PU: differs from the first when n > 1 */
    pin_plan_free(&pl);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (pin_bind_self(topo, target) != 0)
            _exit(1);
        if (!lands_on(target))
            _exit(2);
        cpu_set_t now;
        if (sched_getaffinity(0, sizeof now, &now) != 0 || CPU_COUNT(&now) != 1 ||
            !CPU_ISSET(target, &now))
            _exit(3);
        _exit(0);
    }
    assert_int_equal(wait_child(pid), 0);
    /* The parent's own binding is untouched. */
    cpu_set_t now;
    assert_int_equal(sched_getaffinity(0, sizeof now, &now), 0);
    assert_true(CPU_EQUAL(&now, &g_affinity));
}

/* Child of the restricted tests: affinity cut to the first allowed CPU BEFORE loading. */
static int restricted_child(int other_cpu)
{
    int only = first_cpu(&g_affinity);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(only, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        return 10;
    pin_topo *t;
    if (pin_topo_load(&t) != 0)
        return 11;
    int rc = 0;
    char buf[64], want[16];
    snprintf(want, sizeof want, "%d", only);
    if (pin_topo_pus(t) != 1)
        rc = 12;
    else if (pin_topo_cores(t) != 1)
        rc = 13;
    else if (strcmp(pin_topo_cpuset_str(t, buf, sizeof buf), want) != 0)
        rc = 14;
    else if (other_cpu >= 0 && pin_bind_self(t, other_cpu) != -EINVAL)
        rc = 15;
    else if (pin_bind_self(t, only) != 0)
        rc = 16;
    else {
        pin_plan pl;
        if (pin_plan_make(t, PIN_SCATTER, 2, &pl) != 0)
            rc = 17;
        else if (pl.cpu[0] != only || pl.cpu[1] != only || !pl.oversubscribed)
            rc = 18;
        pin_plan_free(&pl);
    }
    pin_topo_free(t);
    return rc;
}

static void test_restricted_load(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(restricted_child(-1));
    assert_int_equal(wait_child(pid), 0);
}

static void test_restricted_bind_outside_fails(void **state)
{
    (void)state;
    if (pin_topo_pus(topo) < 2)
        skip(); /* needs a second CPU to be outside the restriction */
    pin_plan pl;
    assert_int_equal(pin_plan_make(topo, PIN_COMPACT, 2, &pl), 0);
    int other = pl.cpu[1];
    pin_plan_free(&pl);
    assert_int_not_equal(other, first_cpu(&g_affinity));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(restricted_child(other));
    assert_int_equal(wait_child(pid), 0);
}

static void test_bind_outside_allowed(void **state)
{
    (void)state;
    int outside = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (!CPU_ISSET(c, &g_affinity)) {
            outside = c;
            break;
        }
    assert_true(outside >= 0);
    assert_int_equal(pin_bind_self(topo, outside), -EINVAL);
    assert_int_equal(pin_bind_self(topo, 1 << 20), -EINVAL);
    assert_int_equal(pin_bind_self(NULL, 0), -EINVAL);
    cpu_set_t now;
    assert_int_equal(sched_getaffinity(0, sizeof now, &now), 0);
    assert_true(CPU_EQUAL(&now, &g_affinity));
}

/* hwloc with /sys hidden (empty HWLOC_FSROOT, x86 CPUID backend off) sees PUs but no cores. */
static void test_degraded_fallback(void **state)
{
    (void)state;
    char dir[] = "/tmp/tvp-pin-fsroot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDERR_FILENO); /* hwloc warns that sysfs is missing */
        setenv("HWLOC_FSROOT", dir, 1);
        setenv("HWLOC_THISSYSTEM", "1", 1);
        setenv("HWLOC_COMPONENTS", "-x86", 1);
        pin_topo *t;
        if (pin_topo_load(&t) != 0)
            _exit(77);
        int rc = 0;
        char buf[256];
        pin_topo_summary(t, buf, sizeof buf);
        if (!pin_topo_degraded(t))
            rc = 77; /* this hwloc found cores anyway: nothing to test */
        else if (pin_topo_cores(t) != pin_topo_pus(t) || pin_topo_pus(t) < 1 ||
                 pin_topo_packages(t) < 1 || pin_topo_numa_nodes(t) < 1)
            rc = 1;
        else if (!strstr(buf, " (degraded: no cores visible, PUs used as cores)"))
            rc = 2;
        else {
            pin_plan pl;
            unsigned n = pin_topo_pus(t);
            if (pin_plan_make(t, PIN_CORE, n + 1, &pl) != 0)
                rc = 3;
            else if (!pl.oversubscribed || pl.cpu[n] != pl.cpu[0])
                rc = 4;
            pin_plan_free(&pl);
            if (rc == 0 && pin_plan_make(t, PIN_SCATTER, n, &pl) != 0)
                rc = 5;
            else if (rc == 0) {
                for (unsigned i = 0; i < n && rc == 0; i++)
                    for (unsigned j = 0; j < i; j++)
                        if (pl.cpu[i] == pl.cpu[j] || pl.cpu[i] < 0)
                            rc = 6;
                pin_plan_free(&pl);
            }
            if (rc == 0 && (pin_bind_self(t, first_cpu(&g_affinity)) != 0 ||
                            !lands_on(first_cpu(&g_affinity))))
                rc = 7;
        }
        pin_topo_free(t);
        _exit(rc);
    }
    int rc = wait_child(pid);
    rmdir(dir);
    if (rc == 77)
        skip();
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_counts),
        cmocka_unit_test(test_load_null),
        cmocka_unit_test(test_policy_names),
        cmocka_unit_test(test_plan_compact),
        cmocka_unit_test(test_plan_core),
        cmocka_unit_test(test_plan_scatter),
        cmocka_unit_test(test_plan_none),
        cmocka_unit_test(test_plan_invalid),
        cmocka_unit_test_teardown(test_bind_self_each, restore_affinity),
        cmocka_unit_test_teardown(test_bind_in_forked_child, restore_affinity),
        cmocka_unit_test(test_restricted_load),
        cmocka_unit_test(test_restricted_bind_outside_fails),
        cmocka_unit_test_teardown(test_bind_outside_allowed, restore_affinity),
        cmocka_unit_test(test_degraded_fallback),
    };
    return cmocka_run_group_tests_name("pin", tests, group_setup, topo_teardown);
}
