/* test_cli.c: --tvp_* parsing: lists, ranges, profiles, parameter sweeps, and every rejection. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

/* Parses a NULL-terminated list of flags; returns cli_parse's result. */
static int parse(cli_opts *o, int *argc_out, ...)
{
    static char *argv[32];
    va_list ap;
    int argc = 0;
    argv[argc++] = "tvp-bench";
    va_start(ap, argc_out);
    for (char *a; (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int rc = cli_parse(&argc, argv, o);
    if (argc_out)
        *argc_out = argc;
    return rc;
}

static void test_numbers(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(cli_parse_u64("42", 1, 100, &v), 0);
    assert_int_equal(v, 42);
    const char *bad[] = {"", "-1", "+3", " 3", "3 ", "0x10", "1e3", "abc", "101", "0", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cli_parse_u64(bad[i], 1, 100, &v), -EINVAL);
}

static void test_workers_lists_and_ranges(void **state)
{
    (void)state;
    uint32_t w[CLI_MAX_LIST];
    size_t n;
    assert_int_equal(cli_parse_workers("1,2,4", w, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(w[2], 4);
    assert_int_equal(cli_parse_workers("1-64", w, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(w[6], 64);
    assert_int_equal(cli_parse_workers("3-20", w, &n), 0); /* 3, 4, 8, 16, 20 */
    assert_int_equal(n, 5);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[4], 20);
    const char *bad[] = {"0", "-1", "1,,2", ",1", "1,", "8-2", "1-", "-4", "x", "2000", "1-2000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cli_parse_workers(bad[i], w, &n), -EINVAL);
}

static void test_profiles_set_defaults(void **state)
{
    (void)state;
    cli_opts o;
    assert_int_equal(parse(&o, NULL, "--tvp_profile=quick", NULL), 0);
    assert_int_equal(o.profile, PROFILE_QUICK);
    assert_int_equal(o.repetitions, 1);
    assert_int_equal(parse(&o, NULL, NULL), 0);
    assert_int_equal(o.profile, PROFILE_DEFAULT);
    assert_true(o.repetitions >= 3);
    assert_true(o.interleave);
    assert_int_equal(parse(&o, NULL, "--tvp_profile=full", NULL), 0);
    assert_true(o.pin_on[PIN_SCATTER] && o.pin_on[PIN_CORE]);
    size_t n;
    const workload *hash = workload_find("hash"), *sleep_wl = workload_find("sleep");
    cli_param_values(&o, hash, (size_t)workload_param_index(hash, "chunk"), &n);
    assert_int_equal(n, 2); /* the full profile sweeps hashlib's 2048-byte threshold */
    assert_int_equal(o.n_switch_us, 3);
    assert_true(o.gil_on[GIL_OFF] && o.gil_on[GIL_ON]);
    const int64_t *v = cli_param_values(&o, sleep_wl, 0, &n); /* the profile's list for sleep */
    assert_int_equal(n, 2);
    assert_int_equal(v[1], 10000);
}

static void test_flags_override_profile_and_take_gb_flags(void **state)
{
    (void)state;
    cli_opts o;
    int argc;
    assert_int_equal(parse(&o, &argc, "--benchmark_filter=hash", "--tvp_workers=3,5", "--tvp_profile=quick",
                           "--tvp_executors=threads", "--tvp_pin=compact,core", "--tvp_bytes=64,128",
                           "--tvp_algo=blake2b512", "--tvp_tasks=9", "--benchmark_repetitions=4",
                           "--benchmark_format=console", "--tvp_workers=5,3,5", NULL),
                     0);
    /* tvp owns the filter and repetitions; only display flags go on to Google Benchmark. */
    assert_int_equal(argc, 2);
    assert_string_equal(o.gb.filter, "hash");
    assert_int_equal(o.repetitions, 4);
    assert_int_equal(o.min_time, 0.1); /* the quick profile's */
    assert_int_equal(o.n_workers, 2); /* 5,3,5: a value given twice runs once */
    assert_int_equal(o.workers[0], 5);
    assert_int_equal(o.workers[1], 3);
    assert_false(o.exec_on[EXEC_SERIAL]);
    assert_true(o.exec_on[EXEC_THREADS]);
    assert_false(o.pin_on[PIN_NONE]);
    assert_true(o.pin_on[PIN_COMPACT] && o.pin_on[PIN_CORE]);
    assert_int_equal(o.tasks, 9);
    assert_true(o.gb.user_repetitions);
    const cli_param *b = cli_param_find(&o, "bytes");
    assert_true(b->user_set);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->v[1], 128);
    assert_int_equal(cli_param_find(&o, "algo")->v[0], 1);
    size_t n;
    const workload *hash = workload_find("hash");
    const int64_t *v = cli_param_values(&o, hash, (size_t)workload_param_index(hash, "bytes"), &n);
    assert_int_equal(n, 2); /* the flag wins over the quick profile's value */
    assert_int_equal(v[0], 64);
}

static void test_every_bad_value_is_rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "--tvp_profile=slow",     "--tvp_workers=0",        "--tvp_workers=abc",      "--tvp_workers=99999",
        "--tvp_workers=-2",       "--tvp_tasks=0",          "--tvp_tasks=-1",         "--tvp_tasks=1e9",
        "--tvp_tasks=100001",     "--tvp_executors=fibers", "--tvp_executors=",       "--tvp_spawn=fork",
        "--tvp_pin=everywhere",   "--tvp_workloads=nope",   "--tvp_bytes=0",          "--tvp_bytes=2000000000",
        "--tvp_algo=md5",         "--tvp_sleep_us=0",       "--tvp_sleep_us=x",       "--tvp_timer_slack_ns=0",
        "--tvp_out=",             "--tvp_unknown=1",        "--tvp_workers",          "--tvp_=3",
        /* Google Benchmark's flags, validated the same way */
        "--benchmark_filter=(",   "--benchmark_filter=",    "--benchmark_repetitions=0",
        "--benchmark_repetitions=-1", "--benchmark_repetitions=1001", "--benchmark_repetitions=x",
        "--benchmark_min_time=-1", "--benchmark_min_time=0", "--benchmark_min_time=abc", "--benchmark_min_time=100x",
        "--benchmark_format=bogus", "--benchmark_out_format=csv", "--benchmark_out=",
        "--benchmark_enable_random_interleaving=maybe", "--benchmark_color=purple", "--benchmark_time_unit=h",
        "--benchmark_bogus=1",    "--benchmark_context=nokey", "--v=x", "stray", "--tvp_list_extra",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_opts o;
        if (parse(&o, NULL, bad[i], NULL) != -EINVAL)
            fail_msg("accepted %s", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_workers_lists_and_ranges),
        cmocka_unit_test(test_profiles_set_defaults),
        cmocka_unit_test(test_flags_override_profile_and_take_gb_flags),
        cmocka_unit_test(test_every_bad_value_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
