/* test_verdict.c: lib/stats/verdict: the stratified ratio interval against brute force and against
 * stats_ratio_ci_pairwise, the words (a clear win, an overlap, too few repetitions), the matching of
 * configurations into regimes and comparisons, and advice that follows the verdicts. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"
#include "verdict.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* |got - want| <= tol, with both numbers in the failure message (cmocka 1.1.5 has no double assert). */
#define assert_double_equal(got, want, tol) assert_near((got), (want), (tol), #got, __FILE__, __LINE__)
static void assert_near(double got, double want, double tol, const char *expr, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: %s = %.17g, expected %.17g (tolerance %g)\n", file, line, expr, got, want, tol);
        fail();
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- brute force: the null distribution of U for sizes (m, n) by enumerating every arrangement ---- */

/* counts[u] += 1 for each of the C(m+n, m) ways to place the m baseline values among m + n ranks. */
static void enumerate_u(size_t m, size_t n, double *counts)
{
    size_t total = m + n;
    for (uint32_t mask = 0; mask < (1u << total); mask++) {
        if ((size_t)__builtin_popcount(mask) != m)
            continue;
        /* U = number of (baseline, candidate) pairs with the candidate ranked above */
        size_t u = 0, cand_below = 0;
        for (size_t r = 0; r < total; r++) {
            if (mask & (1u << r))
                u += n - cand_below; /* a baseline value at rank r: candidates above it */
            else
                cand_below++;
        }
        counts[u] += 1.0;
    }
}

/* The k of the stratified interval by brute force: the largest k with P(U <= k-1) <= alpha/2. */
static size_t brute_k(const size_t *m, const size_t *n, size_t ns, double alpha)
{
    size_t len = 1;
    double *dist = calloc(1, sizeof *dist);
    dist[0] = 1.0;
    for (size_t j = 0; j < ns; j++) {
        size_t mn = m[j] * n[j];
        double *c = calloc(mn + 1, sizeof *c), sum = 0.0;
        enumerate_u(m[j], n[j], c);
        for (size_t u = 0; u <= mn; u++)
            sum += c[u];
        double *next = calloc(len + mn, sizeof *next);
        for (size_t a = 0; a < len; a++)
            for (size_t b = 0; b <= mn; b++)
                next[a + b] += dist[a] * c[b] / sum;
        free(dist);
        free(c);
        dist = next;
        len += mn;
    }
    size_t k = 0;
    double below = 0.0;
    while (k < len && below + dist[k] <= alpha / 2.0 * (1.0 + 1e-9))
        below += dist[k++];
    free(dist);
    return k;
}

/* ---- the interval ---- */

static void test_clear_win(void **state)
{
    (void)state;
    const double a[] = {100, 102, 98, 101}, b[] = {200, 205, 198, 202};
    verdict_stratum st = {a, 4, b, 4};
    verdict v;
    assert_int_equal(verdict_compare(&st, 1, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_FASTER);
    assert_false(v.small);
    assert_true(v.exact);
    assert_int_equal(v.pairs, 1);
    /* 4 and 4: k = 1, the interval spans the smallest and largest of the 16 ratios */
    assert_double_equal(v.lo, 198.0 / 102.0, 1e-12);
    assert_double_equal(v.hi, 205.0 / 98.0, 1e-12);
    assert_true(v.lo <= v.ratio && v.ratio <= v.hi);
    char w[96];
    assert_string_equal(verdict_word_text(&v, w, sizeof w), "faster");

    verdict_stratum rev = {b, 4, a, 4}; /* the other way round: slower, by the reciprocal */
    verdict s;
    assert_int_equal(verdict_compare(&rev, 1, 0.05, &s), 0);
    assert_int_equal(s.word, VERDICT_SLOWER);
    assert_double_equal(s.lo, 1.0 / v.hi, 1e-12);
    assert_double_equal(s.hi, 1.0 / v.lo, 1e-12);
    assert_string_equal(verdict_word_text(&s, w, sizeof w), "slower");
}

static void test_overlap_is_no_difference(void **state)
{
    (void)state;
    /* Two worker counts, the samples interleaved: no winner may be named. */
    const double a1[] = {100, 104, 97, 101}, b1[] = {99, 103, 102, 98};
    const double a2[] = {50, 52, 49}, b2[] = {51, 48, 50};
    verdict_stratum st[] = {{a1, 4, b1, 4}, {a2, 3, b2, 3}};
    verdict v;
    assert_int_equal(verdict_compare(st, 2, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_SAME);
    assert_true(v.lo < 1.0 && v.hi > 1.0);
    assert_int_equal(v.pairs, 2);
    assert_int_equal(v.na, 7);
    assert_int_equal(v.nb, 7);
    char w[96];
    assert_string_equal(verdict_word_text(&v, w, sizeof w), "no significant difference");
}

static void test_too_few(void **state)
{
    (void)state;
    /* 3 and 3 repetitions, completely separated: still no 95% interval (P(U = 0) = 1/20 > 2.5%). */
    const double a[] = {1.0, 1.1, 1.2}, b[] = {5.0, 5.1, 5.2};
    verdict_stratum st = {a, 3, b, 3};
    verdict v;
    assert_int_equal(verdict_compare(&st, 1, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_TOO_FEW);
    assert_int_equal(v.reps_needed, 4);
    assert_true(isnan(v.lo) && isnan(v.hi));
    assert_true(v.ratio > 4.0); /* the estimate is still given */
    char w[96];
    assert_string_equal(verdict_word_text(&v, w, sizeof w), "not enough repetitions for a verdict (4 needed)");

    /* The same with two worker counts pooled: enough (1/400). */
    verdict_stratum two[] = {{a, 3, b, 3}, {a, 3, b, 3}};
    assert_int_equal(verdict_compare(two, 2, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_FASTER);
    /* Two of 2 and 2: 1/36 > 1/40, so 3 are needed; three of 2 and 2 suffice (1/216). */
    verdict_stratum tiny[] = {{a, 2, b, 2}, {a, 2, b, 2}, {a, 2, b, 2}};
    assert_int_equal(verdict_compare(tiny, 2, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_TOO_FEW);
    assert_int_equal(v.reps_needed, 3);
    assert_int_equal(verdict_compare(tiny, 3, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_FASTER);
    /* Single repetitions: five pairs are not enough (1/32), six are (the sign test, 1/64). */
    verdict_stratum ones[6];
    for (size_t i = 0; i < 6; i++)
        ones[i] = (verdict_stratum){&a[i % 3], 1, &b[i % 3], 1};
    assert_int_equal(verdict_compare(ones, 5, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_TOO_FEW);
    assert_int_equal(v.reps_needed, 2);
    assert_int_equal(verdict_compare(ones, 6, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_FASTER);
    /* Nothing matched: not measured. */
    assert_int_equal(verdict_compare(NULL, 0, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_NONE);
    verdict_stratum empty = {a, 0, b, 3};
    assert_int_equal(verdict_compare(&empty, 1, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_NONE);
    assert_string_equal(verdict_word_text(&v, w, sizeof w), "not measured");
}

static void test_small_difference(void **state)
{
    (void)state;
    double a[8], b[8];
    for (int i = 0; i < 8; i++) {
        a[i] = 1000.0 + i;
        b[i] = 1020.0 + i + 10.0; /* 3% faster, cleanly separated */
    }
    verdict_stratum st = {a, 8, b, 8};
    verdict v;
    assert_int_equal(verdict_compare(&st, 1, 0.05, &v), 0);
    assert_int_equal(v.word, VERDICT_FASTER);
    assert_true(v.small);
    char w[96];
    assert_string_equal(verdict_word_text(&v, w, sizeof w), "faster (under 5%)");
}

static void test_bad_input(void **state)
{
    (void)state;
    const double a[] = {1.0, 0.0, 2.0}, b[] = {1.0, 2.0, 3.0}, c[] = {1.0, NAN, 2.0};
    verdict_stratum st = {a, 3, b, 3}, sn = {b, 3, c, 3};
    verdict v;
    assert_int_equal(verdict_compare(&st, 1, 0.05, &v), -EDOM);
    assert_int_equal(verdict_compare(&sn, 1, 0.05, &v), -EDOM);
    assert_int_equal(verdict_compare(&st, 1, 0.0, &v), -EINVAL);
    assert_int_equal(verdict_compare(&st, 1, 0.05, NULL), -EINVAL);
}

/* One stratum is exactly stats_ratio_ci_pairwise's interval (exact and normal branches). */
static void test_one_stratum_is_moses(void **state)
{
    (void)state;
    static const double x7[] = {4.5013, 2.3387, 9.9235, 0.7503, 8.483, 8.3731, 6.5522};
    static const double y12[] = {7.9922, 9.5286, 4.3108, 7.3359, 8.765, 6.9528,
                                 2.8645, 3.0523, 3.3878, 8.1215, 10.5297, 4.3887};
    double x30[30], y28[28];
    for (int i = 0; i < 30; i++)
        x30[i] = 1.0 + 0.37 * ((i * 7919) % 31);
    for (int i = 0; i < 28; i++)
        y28[i] = 1.5 + 0.41 * ((i * 104729) % 29);
    struct {
        const double *x, *y;
        size_t nx, ny;
        bool exact;
    } cases[] = {{x7, y12, 7, 12, true}, {x30, y28, 30, 28, false}, {x7, x7, 7, 7, true}};
    for (size_t c = 0; c < N(cases); c++) {
        stats_ratio_ci ci;
        assert_int_equal(stats_ratio_ci_pairwise(cases[c].x, cases[c].nx, cases[c].y, cases[c].ny, 0.05, &ci), 0);
        verdict_stratum st = {cases[c].x, cases[c].nx, cases[c].y, cases[c].ny};
        verdict v;
        assert_int_equal(verdict_compare(&st, 1, 0.05, &v), 0);
        assert_int_equal(v.exact, cases[c].exact);
        assert_double_equal(v.lo, ci.lo, 1e-12);
        assert_double_equal(v.hi, ci.hi, 1e-12);
    }
}

/* Several strata: the rank k against brute-force enumeration of every arrangement. */
static void test_strata_against_brute_force(void **state)
{
    (void)state;
    static const size_t shapes[][4][2] = {
        {{3, 3}, {3, 3}, {0, 0}, {0, 0}},
        {{3, 3}, {2, 3}, {4, 2}, {0, 0}},
        {{2, 2}, {2, 2}, {2, 2}, {2, 2}},
        {{5, 4}, {1, 1}, {3, 2}, {0, 0}},
        {{4, 4}, {0, 0}, {0, 0}, {0, 0}},
    };
    double alphas[] = {0.05, 0.10, 0.01};
    for (size_t s = 0; s < N(shapes); s++) {
        size_t m[4], n[4], ns = 0, total = 0;
        double va[4][8], vb[4][8];
        verdict_stratum st[4];
        for (size_t j = 0; j < 4 && shapes[s][j][0]; j++, ns++) {
            m[j] = shapes[s][j][0];
            n[j] = shapes[s][j][1];
            for (size_t i = 0; i < m[j]; i++)
                va[j][i] = 10.0 + (double)((i * 37 + j * 11) % 17) / 3.0;
            for (size_t i = 0; i < n[j]; i++)
                vb[j][i] = 10.5 + (double)((i * 53 + j * 7) % 19) / 3.1;
            st[j] = (verdict_stratum){va[j], m[j], vb[j], n[j]};
            total += m[j] * n[j];
        }
        double *d = malloc(total * sizeof *d);
        size_t at = 0;
        for (size_t j = 0; j < ns; j++)
            for (size_t i = 0; i < m[j]; i++)
                for (size_t k = 0; k < n[j]; k++)
                    d[at++] = vb[j][k] / va[j][i];
        qsort(d, total, sizeof *d, cmp_double);
        for (size_t ai = 0; ai < N(alphas); ai++) {
            size_t k = brute_k(m, n, ns, alphas[ai]);
            verdict v;
            assert_int_equal(verdict_compare(st, ns, alphas[ai], &v), 0);
            if (k == 0) {
                assert_int_equal(v.word, VERDICT_TOO_FEW);
                continue;
            }
            assert_int_not_equal(v.word, VERDICT_TOO_FEW);
            assert_double_equal(v.lo, d[k - 1], 0);
            assert_double_equal(v.hi, d[total - k], 0);
            double med = total % 2 ? d[total / 2] : 0.5 * (d[total / 2 - 1] + d[total / 2]);
            assert_double_equal(v.ratio, med, 1e-12);
        }
        free(d);
    }
}

/* Coverage: with a true ratio of 1.3 and noise, the 95% interval covers it in about 95% of trials
 * or more (the guarantee is >= 95%; discreteness makes it conservative). */
static void test_coverage(void **state)
{
    (void)state;
    uint64_t s = 12345;
    int covered = 0, trials = 2000;
    for (int t = 0; t < trials; t++) {
        double a[3][3], b[3][3];
        verdict_stratum st[3];
        for (int j = 0; j < 3; j++) {
            double level = 100.0 * (j + 1);
            for (int i = 0; i < 3; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                double u1 = (double)(s >> 11) * 0x1.0p-53;
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                double u2 = (double)(s >> 11) * 0x1.0p-53;
                a[j][i] = level * exp(0.1 * (u1 - 0.5));
                b[j][i] = 1.3 * level * exp(0.1 * (u2 - 0.5));
            }
            st[j] = (verdict_stratum){a[j], 3, b[j], 3};
        }
        verdict v;
        assert_int_equal(verdict_compare(st, 3, 0.05, &v), 0);
        assert_int_not_equal(v.word, VERDICT_TOO_FEW);
        covered += v.lo <= 1.3 && 1.3 <= v.hi;
    }
    assert_true(covered >= trials * 93 / 100);
}

/* ---- the table and the advice ---- */

typedef struct fake {
    const char *exec, *spawn, *gil;
    long sw, workers;
    double level; /* tasks/s around which its repetitions lie */
} fake;

/* Configurations of one workload with 4 repetitions each, levels from `f`. */
static size_t make_cfgs(const char *workload, const fake *f, size_t n, verdict_cfg *out, double (*reps)[4])
{
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++)
            reps[i][k] = f[i].level * (1.0 + 0.004 * ((k * 3 + (int)i) % 5) - 0.008);
        out[i] = (verdict_cfg){.workload = workload, .params = "bytes=1024", .context = "pin=none tasks=32",
                               .executor = f[i].exec, .spawn = f[i].spawn, .gil = f[i].gil, .switch_us = f[i].sw,
                               .workers = f[i].workers, .tps = reps[i], .n = 4};
    }
    return n;
}

static void test_build_regimes_and_advice(void **state)
{
    (void)state;
    /* CPU-bound on 2 CPUs: threads = processes without a GIL, threads under the GIL at half the
     * rate; pools 3x per-task processes; the GIL also at 1000 us (not the one compared). */
    fake f[64];
    size_t n = 0;
    const long workers[] = {1, 2, 4, 8};
    for (size_t w = 0; w < N(workers); w++) {
        long x = workers[w], cpus = x < 2 ? x : 2;
        f[n++] = (fake){"threads", "pool", "off", -1, x, 1000.0 * cpus};
        f[n++] = (fake){"processes", "pool", "off", -1, x, 1000.0 * cpus};
        f[n++] = (fake){"threads", "per-task", "off", -1, x, 990.0 * cpus};
        f[n++] = (fake){"processes", "per-task", "off", -1, x, 330.0 * cpus};
        f[n++] = (fake){"threads", "pool", "on", 5000, x, 1000.0};
        f[n++] = (fake){"processes", "pool", "on", 5000, x, 1000.0 * cpus};
        f[n++] = (fake){"threads", "pool", "on", 1000, x, 700.0};
    }
    f[n++] = (fake){"serial", "pool", "off", -1, 1, 1000.0};
    verdict_cfg cfgs[64];
    double reps[64][4];
    make_cfgs("hash", f, n, cfgs, reps);
    verdict_set s;
    assert_int_equal(verdict_build(cfgs, n, 2, &s), 0);
    assert_int_equal(s.n, 1);
    const verdict_panel *p = &s.panels[0];
    assert_string_equal(p->workload, "hash");
    assert_int_equal(p->cls, VCLASS_CPU);
    assert_int_equal(p->switch_us, 5000);
    assert_int_equal(p->wmin[VERDICT_BELOW], 1);
    assert_int_equal(p->wmax[VERDICT_BELOW], 1);
    assert_int_equal(p->wmin[VERDICT_AT], 2);
    assert_int_equal(p->wmin[VERDICT_ABOVE], 4);
    assert_int_equal(p->wmax[VERDICT_ABOVE], 8);
    char buf[64];
    assert_string_equal(verdict_workers_text(p, VERDICT_ABOVE, buf, sizeof buf), "4-8");
    assert_string_equal(verdict_regime_name(&s, VERDICT_AT, buf, sizeof buf), "at 2 CPUs");
    /* 4 and 4 repetitions in one pair: enough at every regime */
    assert_int_equal(p->v[VERDICT_AT][VC_THREADS_PROCESSES].word, VERDICT_SAME);
    assert_int_equal(p->v[VERDICT_ABOVE][VC_THREADS_PROCESSES].pairs, 2);
    assert_int_equal(p->v[VERDICT_BELOW][VC_GIL_THREADS_PROCESSES].word, VERDICT_SAME); /* 1 worker: no contention */
    assert_int_equal(p->v[VERDICT_AT][VC_GIL_THREADS_PROCESSES].word, VERDICT_SLOWER);
    assert_double_equal(p->v[VERDICT_AT][VC_GIL_THREADS_PROCESSES].ratio, 0.5, 0.02);
    assert_int_equal(p->v[VERDICT_ABOVE][VC_POOL_PROCESSES].word, VERDICT_FASTER);
    assert_int_equal(p->v[VERDICT_AT][VC_GIL_ON_OFF].word, VERDICT_SLOWER);
    assert_int_equal(p->v[VERDICT_ANY][VC_THREADS_PROCESSES].word, VERDICT_NONE);
    char advice[1024];
    int len = verdict_advice(&s, p, advice, sizeof advice);
    assert_true(len > 0 && (size_t)len < sizeof advice);
    assert_non_null(strstr(advice, "On this machine, for CPU-bound work like hash (bytes=1024), with 2 workers"));
    assert_non_null(strstr(advice, "without a GIL, threads and processes are indistinguishable"));
    assert_non_null(strstr(advice, "threads are 0.5"));
    assert_non_null(strstr(advice, "use a process pool (without a GIL, threads do as well)."));
    /* Truncation still counts the whole length. */
    char small[16];
    assert_int_equal(verdict_advice(&s, p, small, sizeof small), len);
    assert_int_equal(strlen(small), sizeof small - 1);
    verdict_set_free(&s);

    /* Unknown CPU count: one regime. */
    assert_int_equal(verdict_build(cfgs, n, 0, &s), 0);
    assert_int_equal(s.panels[0].v[VERDICT_ANY][VC_THREADS_PROCESSES].pairs, 4);
    assert_int_equal(s.panels[0].v[VERDICT_AT][VC_THREADS_PROCESSES].word, VERDICT_NONE);
    assert_string_equal(verdict_regime_name(&s, VERDICT_ANY, buf, sizeof buf), "all worker counts");
    verdict_set_free(&s);
}

/* Indistinguishable everywhere: the advice names no winner. Too few: it asks for repetitions. */
static void test_advice_never_picks_inside_the_noise(void **state)
{
    (void)state;
    fake f[] = {{"threads", "pool", "off", -1, 4, 1000.0},  {"processes", "pool", "off", -1, 4, 1001.0},
                {"threads", "pool", "on", 5000, 4, 999.0},  {"processes", "pool", "on", 5000, 4, 1000.5},
                {"threads", "pool", "off", -1, 8, 1000.0},  {"processes", "pool", "off", -1, 8, 1000.0},
                {"threads", "pool", "on", 5000, 8, 1001.0}, {"processes", "pool", "on", 5000, 8, 999.5}};
    verdict_cfg cfgs[N(f)];
    double reps[N(f)][4];
    make_cfgs("sleep", f, N(f), cfgs, reps);
    verdict_set s;
    assert_int_equal(verdict_build(cfgs, N(f), 2, &s), 0);
    char advice[1024];
    verdict_advice(&s, &s.panels[0], advice, sizeof advice);
    assert_int_equal(s.panels[0].v[VERDICT_ABOVE][VC_THREADS_PROCESSES].word, VERDICT_SAME);
    assert_non_null(strstr(advice, "waiting work like sleep"));
    assert_non_null(strstr(advice, "more than the 2 usable CPUs"));
    assert_non_null(strstr(advice, "use either, the choice does not matter here."));
    assert_null(strstr(advice, "use threads"));
    assert_null(strstr(advice, "use processes"));
    verdict_set_free(&s);

    for (size_t i = 0; i < N(f); i++)
        cfgs[i].n = 3; /* one pair per regime x 3 and 3: no verdict anywhere... */
    for (size_t i = 4; i < N(f); i++)
        cfgs[i].workers = 2;
    for (size_t i = 0; i < 4; i++)
        cfgs[i].workers = 1;
    assert_int_equal(verdict_build(cfgs, N(f), 2, &s), 0);
    verdict_advice(&s, &s.panels[0], advice, sizeof advice);
    assert_int_equal(s.panels[0].v[VERDICT_AT][VC_THREADS_PROCESSES].word, VERDICT_TOO_FEW);
    assert_non_null(strstr(advice, "threads vs processes, with or without a GIL: not enough repetitions for a verdict (4 needed)"));
    assert_non_null(strstr(advice, ". No recommendation yet: rerun with --benchmark_repetitions=4 or more."));
    verdict_set_free(&s);
}

static void test_fmt_ratio(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(verdict_fmt_ratio(0.5234, b, sizeof b), "0.52");
    assert_string_equal(verdict_fmt_ratio(15.781, b, sizeof b), "15.8");
    assert_string_equal(verdict_fmt_ratio(23778.6, b, sizeof b), "23779");
    assert_string_equal(verdict_fmt_ratio(0.04321, b, sizeof b), "0.043");
    assert_string_equal(verdict_fmt_ratio(NAN, b, sizeof b), "-");
    assert_string_equal(verdict_fmt_ratio(1.0004, b, sizeof b), "1.0004"); /* never "1.00" unless it is 1 */
    assert_string_equal(verdict_fmt_ratio(0.99962, b, sizeof b), "0.9996");
    assert_string_equal(verdict_fmt_ratio(1.0, b, sizeof b), "1.00");
    assert_string_equal(verdict_fmt_ratio(1.006, b, sizeof b), "1.01");
    assert_string_equal(verdict_class_name(verdict_class_of("countdown")), "CPU-bound");
    assert_string_equal(verdict_class_name(verdict_class_of("net")), "wait-bound");
    assert_string_equal(verdict_class_name(verdict_class_of("convoy")), "convoy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_win),
        cmocka_unit_test(test_overlap_is_no_difference),
        cmocka_unit_test(test_too_few),
        cmocka_unit_test(test_small_difference),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_one_stratum_is_moses),
        cmocka_unit_test(test_strata_against_brute_force),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_build_regimes_and_advice),
        cmocka_unit_test(test_advice_never_picks_inside_the_noise),
        cmocka_unit_test(test_fmt_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
