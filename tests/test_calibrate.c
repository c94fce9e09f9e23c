/* test_calibrate.c: calibration measures sane values, serialises them, and warnings count right. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "calibrate.h"
#include "metrics.h"
#include "topo_fixture.h"

static void test_run(void **state)
{
    (void)state;
    uint64_t slack_before = metrics_timer_slack_get();
    calib c;
    assert_int_equal(calibrate_run(topo, 1, &c), 0);
    calibrate_print(&c, stdout);
    assert_int_equal(c.usable_cpus, pin_topo_pus(topo));
    assert_true(c.capacity_cpus > 0 && c.capacity_cpus <= c.usable_cpus * 1.5);
    assert_true(c.single_rate > 0 && c.parallel_rate > 0);
    assert_true(c.pu_share_min > 0 && c.pu_share_min <= c.pu_share_max);
    assert_true(c.clock_ns > 0 && c.clock_ns < 100000);
    assert_true(c.sleep_floor_us_p50 >= 0 && c.sleep_floor_us_p99 >= c.sleep_floor_us_p50);
    assert_true(c.sleep_default_us_p50 >= 0 && c.sleep_default_us_p99 >= c.sleep_default_us_p50);
    assert_int_equal(c.timer_slack_ns, 1);
    assert_true(c.loadavg1 >= 0);
    assert_true(c.background_cpus >= 0);
    assert_true(c.steal_pct >= 0 && c.steal_pct <= 100);
    assert_true(c.duration_s > 0.5 && c.duration_s < 10);
    assert_int_equal(metrics_timer_slack_get(), slack_before); /* the caller's slack is untouched */

    json_t *j = calibrate_json(&c);
    assert_non_null(j);
    static const char *const keys[] = {"capacity_cpus", "usable_cpus", "single_rate_per_s", "parallel_rate_per_s",
                                       "pu_share_min", "pu_share_max", "clock_ns", "timer_slack_ns",
                                       "sleep_floor_us_p50", "sleep_floor_us_p99", "sleep_default_slack_us_p50",
                                       "default_timer_slack_ns", "loadavg1", "background_cpus", "steal_pct",
                                       "duration_s", "kernel"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (!json_object_get(j, keys[i]))
            fail_msg("no key %s", keys[i]);
    }
    assert_true(fabs(json_real_value(json_object_get(j, "capacity_cpus")) - c.capacity_cpus) < 1e-9);
    assert_int_equal(json_integer_value(json_object_get(j, "usable_cpus")), c.usable_cpus);
    json_decref(j);

    /* NaN (an unreadable /proc) becomes null, never an invalid document. */
    c.steal_pct = NAN;
    j = calibrate_json(&c);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "steal_pct")));
    json_decref(j);

    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_invalid(void **state)
{
    (void)state;
    calib c;
    assert_int_equal(calibrate_run(NULL, 1, &c), -EINVAL);
    assert_int_equal(calibrate_run(topo, 1, NULL), -EINVAL);
    assert_null(calibrate_json(NULL));
}

/* A summary row (one per configuration): its status and the cv of its wall times. */
static void add(results_table *t, const char *bench, const char *status, const char *cv)
{
    long r = results_table_add_row(t);
    assert_true(r >= 0);
    results_table_set(t, (size_t)r, "benchmark", bench);
    results_table_set(t, (size_t)r, "status", status);
    if (cv)
        results_table_set(t, (size_t)r, "wall_s_cv", cv);
}

/* Counts what it prints: a temporary FILE holds the text to check. */
static int warnings(const calib *c, const results_table *t, char *buf, size_t len)
{
    memset(buf, 0, len);
    FILE *f = fmemopen(buf, len, "w");
    assert_non_null(f);
    int n = calibrate_warnings(c, t, f);
    fclose(f);
    printf("%s", buf);
    return n;
}

static void test_warnings(void **state)
{
    (void)state;
    static const char *const cols[] = {"benchmark", "status", "wall_s_cv"};
    results_table t;
    assert_int_equal(results_table_init(&t, cols, 3), 0);
    char buf[4096];
    calib good = {.usable_cpus = 2, .capacity_cpus = 1.95, .background_cpus = 0.02, .steal_pct = 0.1};

    /* No cv (one repetition each): nothing to say. */
    add(&t, "a", "ok", NULL);
    add(&t, "z", "ok", NULL);
    assert_int_equal(warnings(&good, &t, buf, sizeof buf), 0);
    assert_string_equal(buf, "");

    /* cv rows: 2 of 5 above 10% (a failed configuration and a cv of exactly 10% do not count). */
    add(&t, "a2", "ok", "0.02");
    add(&t, "b", "ok", "0.35");
    add(&t, "c", "ok", "0.10");
    add(&t, "d", "ok", "0.12");
    add(&t, "e", "ok", "0.01");
    add(&t, "f", "failed", "0.9");
    assert_int_equal(warnings(&good, &t, buf, sizeof buf), 1);
    assert_non_null(strstr(buf, "2 of 5 configurations had CV > 10%"));
    assert_non_null(strstr(buf, "--benchmark_repetitions"));
    assert_non_null(strstr(buf, "b 35%, d 12%")); /* worst first */

    /* More noisy ones than shown: the three worst. */
    add(&t, "h", "ok", "0.50");
    add(&t, "i", "ok", "0.20");
    assert_int_equal(warnings(&good, &t, buf, sizeof buf), 1);
    assert_non_null(strstr(buf, "4 of 7 configurations"));
    assert_non_null(strstr(buf, "(worst: h 50%, b 35%, i 20%)"));

    /* The machine itself: capacity, others' load, steal: one warning each. */
    calib bad = {.usable_cpus = 2, .capacity_cpus = 1.2, .background_cpus = 0.8, .loadavg1 = 1.5, .steal_pct = 9};
    assert_int_equal(warnings(&bad, NULL, buf, sizeof buf), 3);
    assert_non_null(strstr(buf, "1.20 of 2 CPUs"));
    assert_non_null(strstr(buf, "0.80 CPUs busy"));
    assert_non_null(strstr(buf, "9.0%"));
    assert_int_equal(warnings(&bad, &t, buf, sizeof buf), 4);
    /* A capacity just at the threshold is fine; an unmeasured one is not. */
    bad = good;
    bad.capacity_cpus = 1.6;
    assert_int_equal(warnings(&bad, NULL, buf, sizeof buf), 0);
    bad.capacity_cpus = NAN;
    assert_int_equal(warnings(&bad, NULL, buf, sizeof buf), 1);
    /* Only the table. */
    assert_int_equal(warnings(NULL, &t, buf, sizeof buf), 1);
    results_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_run),
    };
    return cmocka_run_group_tests(tests, topo_setup, topo_teardown);
}
