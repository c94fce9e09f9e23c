/* verdict.h: which executor is faster, with 95% confidence or not at all: threads vs processes,
 * pool vs per-task, GIL on vs off, per workload and per regime (below, at and above the usable
 * CPU count), and the plain sentence a user acts on. tvp-bench's console and tvp-report's page both
 * feed their configurations here, so the two cannot disagree; each only formats.
 *
 * The metric is throughput, tasks per second (tasks / wall time of a batch), of each configuration's
 * ok repetitions. A comparison's ratio is candidate / baseline: above 1, the first-named is faster.
 *
 * The method: a stratified Hodges-Lehmann / Moses interval of a ratio.
 *   - A stratum is one matched pair of configurations: the same workload, parameters, placement,
 *     tasks and worker count (and the same GIL switch interval where both hold a GIL), differing
 *     only in what is compared. A regime pools every matched pair whose worker count is below, at
 *     or above the usable CPU count.
 *   - In stratum j with baseline repetitions a_j1..a_jm and candidate ones b_j1..b_jn, the m n
 *     within-stratum ratios b_jk / a_ji; all strata's ratios sorted are D(1) <= ... <= D(N).
 *   - Model: in every stratum the candidate's repetitions are distributed as theta times the
 *     baseline's (a shift of log throughput; any shape, no normality), repetitions independent.
 *     Then U(theta) = #{D > theta} is a sum of independent Mann-Whitney U statistics whose null
 *     distribution is the convolution of the strata's exact ones (the Gaussian-binomial
 *     frequencies of stats_mwu_cdf; the normal approximation when a stratum has more than
 *     STATS_MWU_EXACT_MAX_N repetitions or the pooled distribution would be too long).
 *   - The interval is [D(k), D(N + 1 - k)] with k the largest integer such that P(U <= k - 1)
 *     <= alpha / 2; its coverage is at least 1 - alpha under the model. The estimate is the median
 *     of D (the stratified Hodges-Lehmann estimator; always inside the interval). One stratum gives
 *     exactly the interval of stats_ratio_ci_pairwise.
 *   - When the pairs' true ratios differ (the ratio changes with the worker count), the interval
 *     describes a typical ratio of the regime; the test behind the word stays exact for the null
 *     "no difference in any pair", so "faster" still means some pair is faster beyond chance, and
 *     pairs pulling in opposite directions give "no significant difference".
 *   - k >= 1 needs P(U = 0) = prod_j 1 / C(m_j + n_j, m_j) <= alpha / 2: one pair of 3 and 3
 *     repetitions cannot (1/20), one pair of 4 and 4 can (1/70), two pairs of 3 and 3 can (1/400).
 *     Without k the verdict is "not enough repetitions", with the repetitions per configuration that
 *     would give one for this many pairs.
 *   - The word: "faster" when the interval lies above 1, "slower" below 1, else "no significant
 *     difference"; a significant difference whose estimate is within VERDICT_PRACTICAL of 1 is
 *     marked small, and the advice treats it as no practical difference. A verdict never names a
 *     winner whose interval includes 1.
 *
 * Every function returns 0 or -errno and never prints; text goes into caller buffers.
 */
#ifndef TVP_VERDICT_H
#define TVP_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VERDICT_ALPHA 0.05     /* 95% intervals */
#define VERDICT_PRACTICAL 0.05 /* differences under 5% are small */
#define VERDICT_MAX_REPS 1000  /* reps_needed is capped here */

/* Said beside the verdicts of a run whose repetitions ran back to back: the model's independence
 * then rests on the machine staying the same for the whole of a configuration's repetitions. */
#define VERDICT_NOT_INTERLEAVED                                                                        \
    "the repetitions were not interleaved (each configuration's ran back to back), so load that came " \
    "and went during one configuration's repetitions can look like a difference; the default profile " \
    "interleaves them at random"

typedef enum {
    VERDICT_NONE = 0, /* nothing to compare: no matched pair */
    VERDICT_TOO_FEW,  /* matched pairs, but too few repetitions for a 95% interval */
    VERDICT_SAME,     /* the interval includes 1 */
    VERDICT_FASTER,   /* the interval lies above 1: the candidate is faster */
    VERDICT_SLOWER    /* the interval lies below 1 */
} verdict_word;

/* One matched pair of configurations: the baseline's and the candidate's repetitions (> 0). */
typedef struct verdict_stratum {
    const double *a;
    size_t na;
    const double *b;
    size_t nb;
} verdict_stratum;

typedef struct verdict {
    verdict_word word;
    bool small;          /* FASTER or SLOWER with the estimate within VERDICT_PRACTICAL of 1 */
    double ratio;        /* candidate / baseline: the estimate (NAN when NONE) */
    double lo, hi;       /* the interval (NAN unless SAME, FASTER or SLOWER) */
    size_t pairs;        /* strata used */
    size_t na, nb;       /* repetitions on each side, over the strata */
    unsigned reps_needed;/* TOO_FEW: repetitions per configuration that would give an interval */
    bool exact;          /* the null distribution was exact (else the normal approximation) */
} verdict;

/* The verdict of strata st[0..n) at level 1 - alpha. Strata with an empty side are skipped; a
 * value that is not finite and > 0 is -EDOM. */
int verdict_compare(const verdict_stratum *st, size_t n, double alpha, verdict *out);

/* "faster", "slower", "no significant difference", "not enough repetitions for a verdict (4
 * needed)", "not measured"; a small difference gets " (under 5%)". Returns buf. */
const char *verdict_word_text(const verdict *v, char *buf, size_t len);
/* A ratio for people: "0.52", "15.8", "670", "0.043" (2 significant digits below 0.1); a value
 * that is not 1 never reads "1.00" (1.0004 stays "1.0004": an interval bound there decides a word). */
const char *verdict_fmt_ratio(double r, char *buf, size_t len);

/* ---- the table: configurations in, comparisons per workload and regime out ---- */

/* One configuration of a run, with its ok repetitions. Strings are the caller's, as in the CSV. */
typedef struct verdict_cfg {
    const char *workload;  /* "hash" */
    const char *params;    /* its parameters as text ("bytes=262144 algo=sha256"): part of its identity */
    const char *context;   /* the rest of what a matched pair shares (placement, tasks, ...) */
    const char *executor;  /* "serial", "threads", "processes" */
    const char *spawn;     /* "pool", "per-task" */
    const char *gil;       /* "off", "on", "legacy" */
    long switch_us;        /* gil=on's switch interval (else ignored) */
    long workers;
    const double *tps;     /* tasks per second of the ok repetitions */
    size_t n;
} verdict_cfg;

typedef enum { VERDICT_BELOW = 0, VERDICT_AT, VERDICT_ABOVE, VERDICT_ANY, VERDICT_REGIMES } verdict_regime;

typedef enum {
    VC_THREADS_PROCESSES = 0, /* threads vs processes, pools, no GIL */
    VC_GIL_THREADS_PROCESSES, /* threads vs processes, pools, both under the GIL (each process its own) */
    VC_POOL_THREADS,          /* a thread pool vs a thread per task, no GIL */
    VC_POOL_PROCESSES,        /* a process pool vs a process per task, no GIL */
    VC_GIL_ON_OFF,            /* threads under the GIL vs without one, pools */
    VC_COUNT
} verdict_comparison;

typedef enum { VCLASS_CPU = 0, VCLASS_WAIT, VCLASS_DISPATCH, VCLASS_CONVOY, VCLASS_OTHER } verdict_class;

/* One workload configuration's comparisons. */
typedef struct verdict_panel {
    const char *workload, *params; /* the first configuration's strings */
    verdict_class cls;
    long switch_us;                /* the GIL switch interval its GIL comparisons use; -1: none */
    long wmin[VERDICT_REGIMES], wmax[VERDICT_REGIMES]; /* worker counts met per regime; 0: none */
    verdict v[VERDICT_REGIMES][VC_COUNT];
} verdict_panel;

typedef struct verdict_set {
    verdict_panel *panels; /* by class, then workload, then parameters */
    size_t n;
    long usable;           /* the usable CPU count the regimes are split at; <= 0: one regime, ANY */
} verdict_set;

/* Matches cfgs[0..n) into panels and verdicts. `usable` <= 0 puts every worker count in ANY.
 * The GIL comparisons use CPython's default switch interval (5000 us) when the panel has it, else
 * its most frequent one; the legacy GIL is not compared. 0 or -errno; free with verdict_set_free. */
int verdict_build(const verdict_cfg *cfgs, size_t n, long usable, verdict_set *out);
void verdict_set_free(verdict_set *s);

verdict_class verdict_class_of(const char *workload);
const char *verdict_class_name(verdict_class c);          /* "CPU-bound", "wait-bound", ... */
const char *verdict_comparison_name(verdict_comparison c); /* "threads vs processes, no GIL" */
/* "below 2 CPUs", "at 2 CPUs", "above 2 CPUs", "all worker counts". Returns buf. */
const char *verdict_regime_name(const verdict_set *s, verdict_regime g, char *buf, size_t len);
/* "1", "4-16": the worker counts of a panel's regime ("" when none). Returns buf. */
const char *verdict_workers_text(const verdict_panel *p, verdict_regime g, char *buf, size_t len);

/* The plain sentence for a panel: what to use on this machine and why, derived from its verdicts
 * only (the regime: at the CPU count for CPU-bound, dispatch and convoy work, above it for waiting
 * work, else the first with a verdict). Plain text, no markup. Returns the length it needed
 * (snprintf's rule). */
int verdict_advice(const verdict_set *s, const verdict_panel *p, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
