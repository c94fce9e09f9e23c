/* stats.h: order statistics, the Mann-Whitney U test and confidence intervals for a ratio of medians.
 *
 * Every function returns 0 or -errno (-EINVAL on NULL pointers, empty samples, NaN values or
 * parameters out of range, -ENOMEM, -EDOM / -E2BIG for an exact test it cannot do) and never
 * prints. Inputs are never modified; functions that need sorted data sort a private copy.
 *
 * Methods, chosen to match what a reader can check with scipy 1.10:
 *
 *  - quantiles use linear interpolation between order statistics (Hyndman & Fan type 7, numpy's
 *    default): h = (n-1)q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]);
 *    the median is the q = 0.5 quantile. Standard deviation is the sample one (n-1 divisor).
 *
 *  - Mann-Whitney U, two-sided. U1 = R1 - n1(n1+1)/2 with average ranks for ties, U2 = n1 n2 - U1,
 *    U = max(U1, U2). Exact: p = 2 P(U' >= U) under the null distribution without ties, whose
 *    frequencies are the coefficients of the Gaussian binomial [n1+n2 choose n1]_q, computed in
 *    doubles (exact integers while C(n1+n2, n1) < 2^53, hence the STATS_MWU_EXACT_MAX_N limit).
 *    Asymptotic: z = (U - n1 n2/2 - 0.5) / sigma with the tie-corrected
 *    sigma^2 = n1 n2/12 ((n+1) - sum(t^3 - t)/(n(n-1))), p = 2 Phi(-z). Both are clipped to 1.
 *    These are scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact' and
 *    method='asymptotic', use_continuity=True). The automatic choice is exact when there are no ties
 *    and n1 + n2 <= STATS_MWU_EXACT_MAX_N, asymptotic otherwise (scipy's 'auto' switches to the
 *    normal approximation as soon as both samples exceed 8, which is coarser than needed).
 *
 *  - Confidence interval for ratio = median(y) / median(x) (y the candidate, x the baseline):
 *    * pairwise (distribution-free, used when all values are > 0 and n1 n2 <= STATS_PAIRWISE_MAX):
 *      the n1 n2 ratios y_j / x_i sorted as D(1) <= ... <= D(N); the interval is [D(k), D(N+1-k)]
 *      with k the largest integer such that P(U <= k-1) <= alpha/2 under the null distribution of
 *      U (exact when n1 + n2 <= STATS_MWU_EXACT_MAX_N, else the normal approximation with
 *      continuity correction). This is the Moses / Hodges-Lehmann interval for a scale shift
 *      y ~ theta x, i.e. the shift interval of the log values, and is consistent with the U test.
 *      When no k >= 1 reaches the level (tiny samples) the interval is unbounded: [0, +inf].
 *    * bootstrap (otherwise: zeros or negative values, or very large samples): STATS_BOOTSTRAP_B
 *      resamples of both sides from a fixed-seed xoshiro256** generator, percentile interval of the
 *      resampled ratio of medians. Deterministic for a given input.
 *    A ratio with a zero baseline median is 1 when the candidate median is zero too, else +-inf.
 */
#ifndef TVP_STATS_H
#define TVP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest n1 + n2 for the exact U distribution (C(50, 25) ~ 1.3e14 stays an exact double). */
#define STATS_MWU_EXACT_MAX_N 50
/* Largest n1 * n2 for the pairwise-ratio interval. */
#define STATS_PAIRWISE_MAX ((size_t)1 << 20)
/* Bootstrap resamples and seed. */
#define STATS_BOOTSTRAP_B 2000
#define STATS_BOOTSTRAP_SEED UINT64_C(0x7476702d636d7031)

/* Median and type-7 quantile (q in [0, 1]) of x[0..n). */
int stats_median(const double *x, size_t n, double *out);
int stats_quantile(const double *x, size_t n, double q, double *out);
/* Mean and sample standard deviation (n-1 divisor; NaN when n == 1). Either output may be NULL. */
int stats_mean_stddev(const double *x, size_t n, double *mean, double *sd);

/* Standard normal survival function P(Z > z) and its inverse (p in (0, 1)). */
double stats_norm_sf(double z);
int stats_norm_isf(double p, double *z);

typedef enum { STATS_MWU_AUTO = 0, STATS_MWU_EXACT, STATS_MWU_ASYMPTOTIC } stats_mwu_method;

typedef struct stats_mwu {
    double u1;               /* U statistic of the first sample (scipy's `statistic`) */
    double u2;               /* n1 n2 - u1 */
    double p;                /* two-sided p-value */
    double z;                /* standardised statistic (asymptotic only, else 0) */
    bool ties;               /* some value occurs more than once in the pooled sample */
    stats_mwu_method method; /* EXACT or ASYMPTOTIC: what was used */
} stats_mwu;

/* Two-sided Mann-Whitney U test of x against y. EXACT fails with -EDOM when there are ties and
 * -E2BIG when n1 + n2 > STATS_MWU_EXACT_MAX_N; AUTO picks as described above. */
int stats_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
                       stats_mwu_method method, stats_mwu *out);
/* Null distribution of U without ties: P(U <= u) for sizes n1, n2 (n1 + n2 <= the exact limit). */
int stats_mwu_cdf(size_t n1, size_t n2, double u, double *out);
/* The smallest two-sided p-value any data of these sizes can reach: min(1, 2 / C(n1+n2, n1)). */
int stats_mwu_min_p(size_t n1, size_t n2, double *out);

typedef enum { STATS_CI_NONE = 0, STATS_CI_PAIRWISE, STATS_CI_BOOTSTRAP } stats_ci_method;

typedef struct stats_ratio_ci {
    double ratio;           /* median(y) / median(x) */
    double lo, hi;          /* the interval; [0, +inf] when the samples are too small */
    double level;           /* 1 - alpha */
    stats_ci_method method; /* what computed lo and hi */
} stats_ratio_ci;

/* The ratio of medians of y over x and its (1 - alpha) interval, method picked as above. */
int stats_ratio_ci_auto(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                        stats_ratio_ci *out);
/* The distribution-free pairwise interval; -EDOM unless all values are > 0, -E2BIG above
 * STATS_PAIRWISE_MAX pairs. */
int stats_ratio_ci_pairwise(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                            stats_ratio_ci *out);
/* The percentile bootstrap interval with `resamples` resamples from `seed`. */
int stats_ratio_ci_bootstrap(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                             size_t resamples, uint64_t seed, stats_ratio_ci *out);

#ifdef __cplusplus
}
#endif

#endif
