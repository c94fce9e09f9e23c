/* test_sample.c: lib/sample: xorshift64, the reservoir (Algorithm R) and quantile-or-NaN. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sample.h"
#include "stats.h"

static void test_xorshift(void **state)
{
    (void)state;
    uint64_t s = 1;
    /* Marsaglia's xorshift64 (13, 7, 17) from 1: 1 ^ 1<<13 = 0x2001, ^ 0x2001>>7 = 0x2041, ... */
    assert_int_equal(sample_xorshift64(&s), 0x40822041ull);
    assert_int_equal(s, 0x40822041ull);
    uint64_t a = SAMPLE_SEED, b = SAMPLE_SEED;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sample_xorshift64(&a);
        assert_true(x != 0);
        assert_int_equal(x, sample_xorshift64(&b)); /* a pure function of the state */
    }
    uint64_t z = 0;
    assert_int_equal(sample_xorshift64(&z), 0); /* why the seed must not be zero */
}

static void test_reservoir_fills_in_order(void **state)
{
    (void)state;
    double buf[8];
    sample_reservoir r;
    sample_reservoir_init(&r, buf, 8, 0);
    assert_int_equal(r.rng, SAMPLE_SEED); /* seed 0: the default */
    assert_int_equal(r.n, 0);
    assert_true(isnan(sample_reservoir_quantile(&r, 0.5)));
    for (int i = 0; i < 5; i++)
        sample_reservoir_add(&r, i);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.seen, 5);
    for (int i = 0; i < 5; i++)
        assert_true(buf[i] == i);
    assert_true(sample_reservoir_quantile(&r, 0.5) == 2.0);
    assert_true(sample_reservoir_quantile(&r, 0.0) == 0.0);
    assert_true(sample_reservoir_quantile(&r, 1.0) == 4.0);
}

/* The code this replaced in bench/runner.c and bench/sched_bench.c, kept here as the reference:
 * the reservoir must keep exactly the same values (results do not change). */
static void reference_add(double *lat, size_t cap, size_t *lat_n, uint64_t *seen, uint64_t *rng, double us)
{
    (*seen)++;
    if (*lat_n < cap) {
        lat[(*lat_n)++] = us;
        return;
    }
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    uint64_t j = *rng % *seen;
    if (j < cap)
        lat[j] = us;
}

static void test_reservoir_matches_reference(void **state)
{
    (void)state;
    enum { cap = 512, total = 100000 };
    double *got = malloc(cap * sizeof *got), *want = malloc(cap * sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    sample_reservoir r;
    sample_reservoir_init(&r, got, cap, SAMPLE_SEED);
    size_t want_n = 0;
    uint64_t seen = 0, rng = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < total; i++) {
        sample_reservoir_add(&r, i * 0.5);
        reference_add(want, cap, &want_n, &seen, &rng, i * 0.5);
    }
    assert_int_equal(r.n, want_n);
    assert_int_equal(r.seen, seen);
    assert_memory_equal(got, want, cap * sizeof *got);
    free(got);
    free(want);
}

/* A uniform sample of 0..total-1: its mean is near the stream's, and late values get in. */
static void test_reservoir_uniform(void **state)
{
    (void)state;
    enum { cap = 2000, total = 200000 };
    double *buf = malloc(cap * sizeof *buf);
    assert_non_null(buf);
    sample_reservoir r;
    sample_reservoir_init(&r, buf, cap, 12345);
    for (int i = 0; i < total; i++)
        sample_reservoir_add(&r, i);
    assert_int_equal(r.n, cap);
    assert_int_equal(r.seen, total);
    double sum = 0;
    size_t late = 0;
    for (size_t i = 0; i < cap; i++) {
        assert_true(buf[i] >= 0 && buf[i] < total);
        sum += buf[i];
        late += buf[i] >= total / 2;
    }
    double mean = sum / cap; /* expected total/2, standard error total/sqrt(12 cap) ~ 1290 */
    assert_true(fabs(mean - total / 2.0) < 6000);
    assert_true(late > cap / 2 - 200 && late < cap / 2 + 200);
    free(buf);
}

static void test_quantile(void **state)
{
    (void)state;
    const double v[] = {5, 1, 4, 2, 3};
    double want;
    assert_int_equal(stats_quantile(v, 5, 0.9, &want), 0);
    assert_true(sample_quantile(v, 5, 0.9) == want);
    assert_true(sample_quantile(v, 5, 0.5) == 3.0);
    assert_true(isnan(sample_quantile(v, 0, 0.5)));  /* no values */
    assert_true(isnan(sample_quantile(v, 5, 1.5)));  /* q out of range */
    const double bad[] = {1, NAN};
    assert_true(isnan(sample_quantile(bad, 2, 0.5))); /* a NaN value */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xorshift),
        cmocka_unit_test(test_reservoir_fills_in_order),
        cmocka_unit_test(test_reservoir_matches_reference),
        cmocka_unit_test(test_reservoir_uniform),
        cmocka_unit_test(test_quantile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
