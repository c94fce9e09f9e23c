/* test_progress.c: the progress display's pure parts: elapsed and estimate wording, the line, the
 * estimate of the time left (configuration, kind, workload, all) and the ticker's argv test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

#define S(x) ((int64_t)((x) * 1e9))

static void test_elapsed(void **state)
{
    (void)state;
    const struct {
        double s;
        const char *want;
    } cases[] = {{0, "0s"}, {-1, "0s"}, {7.9, "7s"}, {59.99, "59s"}, {60, "1m00s"}, {72, "1m12s"},
                 {3599, "59m59s"}, {3600 + 120, "1h02m"}, {10 * 3600 + 59 * 60 + 59, "10h59m"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        progress_fmt_elapsed(buf, sizeof buf, S(cases[i].s));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%g s: '%s', want '%s'", cases[i].s, buf, cases[i].want);
    }
}

static void test_left(void **state)
{
    (void)state;
    const struct {
        double lo, hi;
        const char *want;
    } cases[] = {
        {0, 0, "under 10s left"},        {5, 5, "under 10s left"},       {33, 33, "about 40s left"},
        {40, 40, "about 40s left"},      {50, 50, "about 50s left"},     {56, 56, "about 1m left"},
        {240, 250, "about 4m left"},     {250, 240, "about 4m left"},    /* either order */
        {240, 540, "about 4m-9m left"},  {30, 120, "about 30s-2m left"}, {3, 540, "up to about 9m left"},
        {100, 110, "about 2m left"},     /* within 20%: one value, the middle */
        {4200, 4200, "about 1h10m left"}, {7000, 7300, "about 2h00m left"},
        {-5, 20, "up to about 20s left"}, /* never below 0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        progress_fmt_left(buf, sizeof buf, S(cases[i].lo), S(cases[i].hi));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%g..%g s: '%s', want '%s'", cases[i].lo, cases[i].hi, buf, cases[i].want);
    }
}

static void test_line(void **state)
{
    (void)state;
    char buf[512];
    progress_view v = {.done = 37, .total = 243, .reps = 3, .elapsed_ns = S(72), .have_left = true,
                       .left_lo_ns = S(240), .left_hi_ns = S(250)};
    size_t n = progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 37/243 configurations x repetitions, 1m12s elapsed, about 4m left");
    assert_int_equal(n, strlen(buf));
    /* One repetition: the unit is the configuration. No estimate yet: said so. */
    v = (progress_view){.done = 0, .total = 40, .reps = 1, .elapsed_ns = S(1.5)};
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 0/40 configurations, 1s elapsed, no estimate yet");
    /* A run that has lasted 10 s is named; a shorter one is not. */
    v = (progress_view){.done = 3, .total = 40, .reps = 1, .elapsed_ns = S(30), .have_left = true,
                        .left_lo_ns = S(40), .left_hi_ns = S(40), .running = "sleep/serial/pool", .running_ns = S(25)};
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 3/40 configurations, 30s elapsed, about 40s left; running "
                             "sleep/serial/pool for 25s");
    v.running_ns = S(9.9);
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 3/40 configurations, 30s elapsed, about 40s left");
    /* Runs of a workload that has not finished one yet are counted apart; all of them: none. */
    v.unknown = 12;
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 3/40 configurations, 30s elapsed, about 40s left + 12 runs not "
                             "estimated yet");
    v.unknown = 1;
    progress_fmt_line(buf, sizeof buf, &v);
    assert_non_null(strstr(buf, "left + 1 run not estimated yet"));
    v.unknown = 37;
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 3/40 configurations, 30s elapsed, no estimate yet");
    v.unknown = 0;
    /* The last line: its word instead of an estimate or a name. */
    v.done = 40;
    v.end = "done";
    v.running_ns = S(20);
    progress_fmt_line(buf, sizeof buf, &v);
    assert_string_equal(buf, "tvp-bench: progress 40/40 configurations, 30s elapsed, done");
    /* Truncated, still a terminated string within the buffer. */
    char small[24];
    n = progress_fmt_line(small, sizeof small, &v);
    assert_true(n < sizeof small);
    assert_int_equal(strlen(small), n);
    assert_int_equal(progress_fmt_line(small, 0, &v), 0);
}

static void test_estimate(void **state)
{
    (void)state;
    const char *const names[] = {
        "sleep/serial/pool/gil:off/workers:1",     /* 0: kind sleep/serial/pool */
        "sleep/threads/pool/gil:off/workers:2",    /* 1: kind sleep/threads/pool */
        "sleep/threads/pool/gil:off/workers:8",    /* 2: the same kind */
        "noop/serial/pool/gil:off/workers:1",      /* 3: another workload */
        "net/processes/per-task/gil:off/workers:2", /* 4: a workload none of whose runs finish */
        "sleep/processes/pool/gil:off/workers:2",  /* 5: a kind not run of a workload that ran */
    };
    progress_est *e = progress_est_new(names, 6, 2);
    assert_non_null(e);
    int64_t lo, hi;
    uint64_t unknown;
    assert_false(progress_est_start(e, 0, &lo, &hi)); /* nothing known */
    assert_true(lo == 0 && hi == 0);
    assert_false(progress_est_left(e, &lo, &hi, &unknown));
    progress_est_done(e, 0, S(10));
    assert_true(progress_est_start(e, 1, &lo, &hi));
    assert_true(lo == S(10) && hi == S(10)); /* the only kind seen of the same workload */
    progress_est_done(e, 1, S(2));
    assert_false(progress_est_left(e, &lo, &hi, &unknown)); /* two runs are too few */
    assert_false(progress_est_start(e, 3, &lo, &hi)); /* no run of noop finished: never guessed from sleep */
    assert_true(lo == 0 && hi == 0);
    progress_est_done(e, 3, S(1));
    /* Left: c0 1 x 10, c1 1 x 2, c2 2 x 2 (its kind's), c3 1 x 1, c5 2 x [2, 10] (sleep's kinds);
     * c4's 2 runs have no estimate (no net run finished). */
    assert_true(progress_est_left(e, &lo, &hi, &unknown));
    assert_int_equal(lo, S(10 + 2 + 4 + 1 + 4));
    assert_int_equal(hi, S(10 + 2 + 4 + 1 + 20));
    assert_int_equal(unknown, 2);
    /* A configuration's own repetitions come first: c1 ran 2 s, its kind (with c2's 6 s) 4 s. */
    assert_true(progress_est_start(e, 2, &lo, &hi));
    assert_true(lo == S(2) && hi == S(2));
    progress_est_done(e, 2, S(6));
    progress_est_start(e, 1, &lo, &hi);
    assert_true(lo == S(2) && hi == S(2));
    progress_est_start(e, 2, &lo, &hi);
    assert_true(lo == S(6) && hi == S(6));
    assert_true(progress_est_start(e, 5, &lo, &hi)); /* sleep's kinds: 10 and (2 + 6) / 2 */
    assert_true(lo == S(4) && hi == S(10));
    /* A run reported without a time is counted but teaches nothing. */
    progress_est_done(e, 4, -1);
    assert_false(progress_est_start(e, 4, &lo, &hi));
    progress_est_done(e, 99, S(1)); /* out of range: ignored */
    assert_false(progress_est_start(e, 99, &lo, &hi));
    progress_est_free(e);
    progress_est_free(NULL);
    /* No configuration at all. */
    e = progress_est_new(NULL, 0, 1);
    assert_non_null(e);
    assert_false(progress_est_left(e, &lo, &hi, &unknown));
    progress_est_free(e);
}

static void test_ticker_argv(void **state)
{
    (void)state;
    char *ticker[] = {PROGRESS_TICKER_ARGV0, "3", "4", "5", NULL};
    char *bench[] = {"tvp-bench", "3", "4", "5", NULL};
    assert_true(progress_is_ticker(4, ticker));
    assert_false(progress_is_ticker(3, ticker));
    assert_false(progress_is_ticker(4, bench));
    assert_int_equal(progress_ticker_main(4, bench), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elapsed),  cmocka_unit_test(test_left),        cmocka_unit_test(test_line),
        cmocka_unit_test(test_estimate), cmocka_unit_test(test_ticker_argv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
