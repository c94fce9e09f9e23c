/* stats.c: median, quantiles, Mann-Whitney U (exact and asymptotic) and ratio-of-medians intervals.
 *
 * The methods and their references are described in stats.h. Everything works on private copies
 * of the samples, returns 0 or -errno and never prints.
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static int stats__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool stats__valid(const double *x, size_t n)
{
    if (!x || n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return false;
    return true;
}

/* A sorted private copy of x, or NULL when out of memory. */
static double *stats__sorted_copy(const double *x, size_t n)
{
    double *c = malloc(n * sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, x, n * sizeof *c);
    qsort(c, n, sizeof *c, stats__cmp_double);
    return c;
}

/* Type-7 quantile of an already sorted array. */
static double stats__quantile_sorted(const double *s, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return s[n - 1];
    double frac = h - (double)lo;
    if (frac == 0.0)
        return s[lo];
    return s[lo] + frac * (s[lo + 1] - s[lo]);
}

/* ---- order statistics, moments ---- */

int stats_quantile(const double *x, size_t n, double q, double *out)
{
    if (!stats__valid(x, n) || !out || !(q >= 0.0 && q <= 1.0))
        return -EINVAL;
    double *s = stats__sorted_copy(x, n);
    if (!s)
        return -ENOMEM;
    *out = stats__quantile_sorted(s, n, q);
    free(s);
    return 0;
}

int stats_median(const double *x, size_t n, double *out)
{
    return stats_quantile(x, n, 0.5, out);
}

int stats_mean_stddev(const double *x, size_t n, double *mean, double *sd)
{
    if (!stats__valid(x, n))
        return -EINVAL;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double m = sum / (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    if (mean)
        *mean = m;
    if (sd)
        *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
    return 0;
}

/* ---- normal distribution ---- */

double stats_norm_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

int stats_norm_isf(double p, double *z)
{
    if (!z || !(p > 0.0 && p < 1.0))
        return -EINVAL;
    double lo = -40.0, hi = 40.0; /* sf is decreasing: sf(lo) ~ 1, sf(hi) ~ 0 */
    for (int i = 0; i < 200 && hi - lo > 1e-15 * (1.0 + fabs(lo)); i++) {
        double mid = 0.5 * (lo + hi);
        if (stats_norm_sf(mid) > p)
            lo = mid;
        else
            hi = mid;
    }
    *z = 0.5 * (lo + hi);
    return 0;
}

/* ---- Mann-Whitney U ---- */

/* Frequencies of U = 0..n1*n2 under the null (no ties): the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q = prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i), built one factor pair at a time
 * so that every intermediate is itself a Gaussian binomial with non-negative integer coefficients.
 * Returns a malloc'ed array of n1*n2 + 1 counts, or NULL when out of memory. */
static double *stats__mwu_counts(size_t n1, size_t n2)
{
    size_t len = n1 * n2 + n1 + 1;
    double *c = calloc(len, sizeof *c);
    if (!c)
        return NULL;
    c[0] = 1.0;
    size_t deg = 0;
    for (size_t i = 1; i <= n1; i++) {
        size_t k = n2 + i;
        for (size_t j = deg + k; j >= k; j--) /* multiply by (1 - q^k) */
            c[j] -= c[j - k];
        deg += k;
        for (size_t j = i; j <= deg; j++) /* divide by (1 - q^i) */
            c[j] += c[j - i];
        deg -= i;
    }
    return c;
}

/* P(U <= u) from the counts; u is floored like scipy's exact method does. */
static double stats__mwu_cdf_counts(const double *c, size_t n1, size_t n2, double u)
{
    size_t mn = n1 * n2;
    if (u < 0)
        return 0.0;
    size_t k = u >= (double)mn ? mn : (size_t)floor(u);
    double below = 0.0, total = 0.0;
    for (size_t j = 0; j <= mn; j++) {
        total += c[j];
        if (j <= k)
            below += c[j];
    }
    return below / total;
}

int stats_mwu_cdf(size_t n1, size_t n2, double u, double *out)
{
    if (!out || n1 == 0 || n2 == 0 || isnan(u))
        return -EINVAL;
    if (n1 + n2 > STATS_MWU_EXACT_MAX_N)
        return -E2BIG;
    double *c = stats__mwu_counts(n1, n2);
    if (!c)
        return -ENOMEM;
    *out = stats__mwu_cdf_counts(c, n1, n2, u);
    free(c);
    return 0;
}

int stats_mwu_min_p(size_t n1, size_t n2, double *out)
{
    if (!out || n1 == 0 || n2 == 0)
        return -EINVAL;
    /* log C(n1+n2, n1) through lgamma: only the order of magnitude matters beyond 2^53. */
    double lc = lgamma((double)(n1 + n2) + 1.0) - lgamma((double)n1 + 1.0) - lgamma((double)n2 + 1.0);
    double p = 2.0 * exp(-lc);
    if (n1 + n2 <= STATS_MWU_EXACT_MAX_N) { /* exact binomial for the small cases */
        double cnk = 1.0;
        size_t k = n1 < n2 ? n1 : n2;
        for (size_t i = 1; i <= k; i++)
            cnk = cnk * (double)(n1 + n2 - k + i) / (double)i;
        p = 2.0 / round(cnk);
    }
    *out = p > 1.0 ? 1.0 : p;
    return 0;
}

typedef struct {
    double value;
    size_t from_x; /* 1 when the value came from the first sample */
} stats__tagged;

static int stats__cmp_tagged(const void *a, const void *b)
{
    return stats__cmp_double(&((const stats__tagged *)a)->value, &((const stats__tagged *)b)->value);
}

/* Rank sum of x in the pooled sample (average ranks for ties) and the tie term sum(t^3 - t). */
static int stats__rank_sum(const double *x, size_t n1, const double *y, size_t n2, double *r1,
                           double *tie_term)
{
    size_t n = n1 + n2;
    stats__tagged *t = malloc(n * sizeof *t);
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < n1; i++)
        t[i] = (stats__tagged){x[i], 1};
    for (size_t i = 0; i < n2; i++)
        t[n1 + i] = (stats__tagged){y[i], 0};
    qsort(t, n, sizeof *t, stats__cmp_tagged);
    double sum = 0.0, ties = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && t[j].value == t[i].value)
            j++;
        double avg_rank = 0.5 * (double)(i + 1 + j); /* ranks i+1 .. j */
        double cnt = (double)(j - i);
        for (size_t k = i; k < j; k++)
            if (t[k].from_x)
                sum += avg_rank;
        ties += cnt * cnt * cnt - cnt;
        i = j;
    }
    free(t);
    *r1 = sum;
    *tie_term = ties;
    return 0;
}

static int stats__mwu_exact(size_t n1, size_t n2, double u, double *p)
{
    double *c = stats__mwu_counts(n1, n2);
    if (!c)
        return -ENOMEM;
    /* P(U' >= u) = P(U' <= n1 n2 - u) by symmetry, as scipy computes it. */
    *p = 2.0 * stats__mwu_cdf_counts(c, n1, n2, (double)(n1 * n2) - floor(u));
    free(c);
    return 0;
}

static void stats__mwu_asymptotic(size_t n1, size_t n2, double u, double tie_term, stats_mwu *out)
{
    double n = (double)(n1 + n2), nn = (double)n1 * (double)n2;
    double var = nn / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    double num = u - nn / 2.0 - 0.5;
    if (var <= 0.0) { /* every value equal: no evidence at all */
        out->z = 0.0;
        out->p = 1.0;
        return;
    }
    out->z = num / sqrt(var);
    out->p = 2.0 * stats_norm_sf(out->z);
}

int stats_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
                       stats_mwu_method method, stats_mwu *out)
{
    if (!stats__valid(x, n1) || !stats__valid(y, n2) || !out)
        return -EINVAL;
    if (method != STATS_MWU_AUTO && method != STATS_MWU_EXACT && method != STATS_MWU_ASYMPTOTIC)
        return -EINVAL;
    double r1, tie_term;
    int rc = stats__rank_sum(x, n1, y, n2, &r1, &tie_term);
    if (rc < 0)
        return rc;
    bool small = n1 + n2 <= STATS_MWU_EXACT_MAX_N;
    bool ties = tie_term > 0.0;
    if (method == STATS_MWU_EXACT && ties)
        return -EDOM;
    if (method == STATS_MWU_EXACT && !small)
        return -E2BIG;
    if (method == STATS_MWU_AUTO)
        method = (!ties && small) ? STATS_MWU_EXACT : STATS_MWU_ASYMPTOTIC;

    memset(out, 0, sizeof *out);
    out->u1 = r1 - (double)n1 * ((double)n1 + 1.0) / 2.0;
    out->u2 = (double)n1 * (double)n2 - out->u1;
    out->ties = ties;
    out->method = method;
    double u = out->u1 > out->u2 ? out->u1 : out->u2;
    if (method == STATS_MWU_EXACT) {
        rc = stats__mwu_exact(n1, n2, u, &out->p);
        if (rc < 0)
            return rc;
    } else {
        stats__mwu_asymptotic(n1, n2, u, tie_term, out);
    }
    if (out->p > 1.0)
        out->p = 1.0;
    if (out->p < 0.0)
        out->p = 0.0;
    return 0;
}

/* ---- ratio of medians ---- */

static double stats__ratio(double base, double cand)
{
    if (base != 0.0)
        return cand / base;
    if (cand == 0.0)
        return 1.0;
    return cand > 0.0 ? INFINITY : -INFINITY;
}

static int stats__ratio_of_medians(const double *x, size_t n1, const double *y, size_t n2,
                                   double *ratio)
{
    double mx, my;
    int rc = stats_median(x, n1, &mx);
    if (rc == 0)
        rc = stats_median(y, n2, &my);
    if (rc == 0)
        *ratio = stats__ratio(mx, my);
    return rc;
}

static bool stats__ci_args_ok(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                              const stats_ratio_ci *out)
{
    return stats__valid(x, n1) && stats__valid(y, n2) && out && alpha > 0.0 && alpha < 1.0;
}

/* The largest k >= 0 with P(U <= k-1) <= alpha/2 (k == 0: no order statistic reaches the level). */
static int stats__ci_rank(size_t n1, size_t n2, double alpha, size_t *k)
{
    size_t mn = n1 * n2;
    if (n1 + n2 <= STATS_MWU_EXACT_MAX_N) {
        double *c = stats__mwu_counts(n1, n2);
        if (!c)
            return -ENOMEM;
        double total = 0.0, below = 0.0;
        for (size_t j = 0; j <= mn; j++)
            total += c[j];
        size_t kk = 0; /* invariant: below = P(U <= kk-1) * total */
        while (kk <= mn && (below + c[kk]) / total <= alpha / 2.0)
            below += c[kk++];
        free(c);
        *k = kk;
        return 0;
    }
    double z;
    int rc = stats_norm_isf(alpha / 2.0, &z);
    if (rc < 0)
        return rc;
    double mu = (double)mn / 2.0;
    double sigma = sqrt((double)mn * (double)(n1 + n2 + 1) / 12.0);
    double kf = floor(mu + 0.5 - z * sigma);
    *k = kf < 0.0 ? 0 : (size_t)kf;
    return 0;
}

int stats_ratio_ci_pairwise(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                            stats_ratio_ci *out)
{
    if (!stats__ci_args_ok(x, n1, y, n2, alpha, out))
        return -EINVAL;
    for (size_t i = 0; i < n1; i++)
        if (!(x[i] > 0.0) || isinf(x[i]))
            return -EDOM;
    for (size_t j = 0; j < n2; j++)
        if (!(y[j] > 0.0) || isinf(y[j]))
            return -EDOM;
    if (n2 != 0 && n1 > STATS_PAIRWISE_MAX / n2)
        return -E2BIG;
    size_t k;
    int rc = stats__ci_rank(n1, n2, alpha, &k);
    if (rc == 0)
        rc = stats__ratio_of_medians(x, n1, y, n2, &out->ratio);
    if (rc < 0)
        return rc;
    out->level = 1.0 - alpha;
    out->method = STATS_CI_PAIRWISE;
    if (k == 0) {
        out->lo = 0.0;
        out->hi = INFINITY;
        return 0;
    }
    size_t npairs = n1 * n2;
    double *d = malloc(npairs * sizeof *d);
    if (!d)
        return -ENOMEM;
    for (size_t i = 0; i < n1; i++)
        for (size_t j = 0; j < n2; j++)
            d[i * n2 + j] = y[j] / x[i];
    qsort(d, npairs, sizeof *d, stats__cmp_double);
    out->lo = d[k - 1];
    out->hi = d[npairs - k];
    free(d);
    return 0;
}

/* xoshiro256** seeded through splitmix64 (Blackman & Vigna). */
typedef struct {
    uint64_t s[4];
} stats__rng;

static uint64_t stats__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t stats__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t stats__rng_next(stats__rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = stats__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = stats__rotl(s[3], 45);
    return result;
}

static void stats__rng_seed(stats__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = stats__splitmix64(&seed);
}

/* A uniform index in [0, n) from the top 53 bits. */
static size_t stats__rng_index(stats__rng *r, size_t n)
{
    double u = (double)(stats__rng_next(r) >> 11) * 0x1.0p-53;
    size_t i = (size_t)(u * (double)n);
    return i < n ? i : n - 1;
}

/* Median of a resample of src (n values) drawn into buf. */
static double stats__resample_median(stats__rng *r, const double *src, size_t n, double *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = src[stats__rng_index(r, n)];
    qsort(buf, n, sizeof *buf, stats__cmp_double);
    return stats__quantile_sorted(buf, n, 0.5);
}

int stats_ratio_ci_bootstrap(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                             size_t resamples, uint64_t seed, stats_ratio_ci *out)
{
    if (!stats__ci_args_ok(x, n1, y, n2, alpha, out) || resamples < 2)
        return -EINVAL;
    int rc = stats__ratio_of_medians(x, n1, y, n2, &out->ratio);
    if (rc < 0)
        return rc;
    double *buf = malloc((n1 > n2 ? n1 : n2) * sizeof *buf);
    double *ratios = malloc(resamples * sizeof *ratios);
    if (!buf || !ratios) {
        free(buf);
        free(ratios);
        return -ENOMEM;
    }
    stats__rng rng;
    stats__rng_seed(&rng, seed);
    for (size_t b = 0; b < resamples; b++) {
        double mx = stats__resample_median(&rng, x, n1, buf);
        double my = stats__resample_median(&rng, y, n2, buf);
        ratios[b] = stats__ratio(mx, my);
    }
    qsort(ratios, resamples, sizeof *ratios, stats__cmp_double);
    out->lo = stats__quantile_sorted(ratios, resamples, alpha / 2.0);
    out->hi = stats__quantile_sorted(ratios, resamples, 1.0 - alpha / 2.0);
    out->level = 1.0 - alpha;
    out->method = STATS_CI_BOOTSTRAP;
    free(buf);
    free(ratios);
    return 0;
}

int stats_ratio_ci_auto(const double *x, size_t n1, const double *y, size_t n2, double alpha,
                        stats_ratio_ci *out)
{
    int rc = stats_ratio_ci_pairwise(x, n1, y, n2, alpha, out);
    if (rc == -EDOM || rc == -E2BIG)
        rc = stats_ratio_ci_bootstrap(x, n1, y, n2, alpha, STATS_BOOTSTRAP_B, STATS_BOOTSTRAP_SEED,
                                      out);
    return rc;
}
