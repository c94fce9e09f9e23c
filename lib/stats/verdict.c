/* verdict.c: stratified ratio intervals over matched configurations, the comparison table and the advice.
 *
 * The method and its assumptions are described in verdict.h. The per-stratum null distributions
 * come from stats_mwu_cdf (stats.c), so there is one definition of the Mann-Whitney distribution.
 */
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Longest pooled null distribution computed exactly (its length is sum m_j n_j + 1). */
#define VERDICT_EXACT_MAX_N 200000
#define VERDICT_DEFAULT_SWITCH_US 5000

/* ---- the interval ---- */

static int verdict__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool verdict__positive(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] > 0.0) || !isfinite(x[i]))
            return false;
    return true;
}

/* The null distribution of U for one stratum (m, n): probabilities of u = 0..m n, from the exact
 * CDF, the lower half by differences and the upper half by symmetry. NULL when out of memory. */
static double *verdict__mwu_pmf(size_t m, size_t n, int *rc)
{
    size_t mn = m * n;
    double *p = malloc((mn + 1) * sizeof *p), prev = 0.0;
    if (!p) {
        *rc = -ENOMEM;
        return NULL;
    }
    for (size_t u = 0; u <= mn / 2; u++) {
        double c;
        if ((*rc = stats_mwu_cdf(m, n, (double)u, &c)) < 0) {
            free(p);
            return NULL;
        }
        p[u] = c - prev;
        p[mn - u] = p[u];
        prev = c;
    }
    return p;
}

/* The largest k >= 0 with P(U <= k - 1) <= alpha / 2, U the sum of the strata's U statistics. */
static int verdict__rank(const verdict_stratum *st, size_t ns, size_t total, double alpha, bool *exact, size_t *k)
{
    bool small = total <= VERDICT_EXACT_MAX_N;
    for (size_t j = 0; j < ns && small; j++)
        small = st[j].na + st[j].nb <= STATS_MWU_EXACT_MAX_N;
    *exact = small;
    if (!small) { /* normal approximation with continuity correction, as stats.c */
        double mu = 0.0, var = 0.0, z;
        for (size_t j = 0; j < ns; j++) {
            double m = (double)st[j].na, n = (double)st[j].nb;
            mu += m * n / 2.0;
            var += m * n * (m + n + 1.0) / 12.0;
        }
        int rc = stats_norm_isf(alpha / 2.0, &z);
        if (rc < 0)
            return rc;
        double kf = floor(mu + 0.5 - z * sqrt(var));
        *k = kf < 0.0 ? 0 : (size_t)kf;
        return 0;
    }
    double *dist = calloc(total + 1, sizeof *dist), *next = calloc(total + 1, sizeof *next);
    int rc = dist && next ? 0 : -ENOMEM;
    size_t len = 1; /* dist holds the convolution so far over 0..len-1 */
    if (rc == 0)
        dist[0] = 1.0;
    for (size_t j = 0; j < ns && rc == 0; j++) {
        size_t mn = st[j].na * st[j].nb;
        double *p = verdict__mwu_pmf(st[j].na, st[j].nb, &rc);
        if (!p)
            break;
        memset(next, 0, (len + mn) * sizeof *next);
        for (size_t a = 0; a < len; a++)
            if (dist[a] != 0.0)
                for (size_t b = 0; b <= mn; b++)
                    next[a + b] += dist[a] * p[b];
        free(p);
        double *t = dist;
        dist = next;
        next = t;
        len += mn;
    }
    if (rc == 0) {
        double below = 0.0, level = alpha / 2.0 * (1.0 + 1e-9); /* rounding must not lose an exact tie */
        size_t kk = 0;
        while (kk < len && below + dist[kk] <= level)
            below += dist[kk++];
        *k = kk;
    }
    free(dist);
    free(next);
    return rc;
}

/* Repetitions per configuration that give an interval with `pairs` strata: the smallest r with
 * C(2r, r)^pairs >= 2 / alpha (then P(U = 0) <= alpha / 2). */
static unsigned verdict__reps_needed(size_t pairs, double alpha)
{
    double need = log(2.0 / alpha);
    for (unsigned r = 1; r <= VERDICT_MAX_REPS; r++) {
        double lc = lgamma(2.0 * r + 1.0) - 2.0 * lgamma(r + 1.0);
        if ((double)pairs * lc >= need - 1e-12)
            return r;
    }
    return VERDICT_MAX_REPS;
}

int verdict_compare(const verdict_stratum *st, size_t n, double alpha, verdict *out)
{
    if ((!st && n) || !out || !(alpha > 0.0 && alpha < 1.0))
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->word = VERDICT_NONE;
    out->ratio = out->lo = out->hi = NAN;
    verdict_stratum *use = malloc((n ? n : 1) * sizeof *use);
    if (!use)
        return -ENOMEM;
    size_t ns = 0, total = 0;
    for (size_t j = 0; j < n; j++) {
        if (!st[j].na || !st[j].nb)
            continue;
        if (!st[j].a || !st[j].b || !verdict__positive(st[j].a, st[j].na) || !verdict__positive(st[j].b, st[j].nb)) {
            free(use);
            return -EDOM;
        }
        use[ns++] = st[j];
        total += st[j].na * st[j].nb;
        out->na += st[j].na;
        out->nb += st[j].nb;
    }
    out->pairs = ns;
    if (!ns) {
        free(use);
        return 0;
    }
    double *d = malloc(total * sizeof *d);
    if (!d) {
        free(use);
        return -ENOMEM;
    }
    size_t at = 0;
    for (size_t j = 0; j < ns; j++)
        for (size_t i = 0; i < use[j].na; i++)
            for (size_t k = 0; k < use[j].nb; k++)
                d[at++] = use[j].b[k] / use[j].a[i];
    qsort(d, total, sizeof *d, verdict__cmp_double);
    out->ratio = total % 2 ? d[total / 2] : 0.5 * (d[total / 2 - 1] + d[total / 2]);
    size_t k = 0;
    int rc = verdict__rank(use, ns, total, alpha, &out->exact, &k);
    if (rc == 0 && k == 0) {
        out->word = VERDICT_TOO_FEW;
        out->reps_needed = verdict__reps_needed(ns, alpha);
    } else if (rc == 0) {
        out->lo = d[k - 1];
        out->hi = d[total - k];
        out->word = out->lo > 1.0 ? VERDICT_FASTER : out->hi < 1.0 ? VERDICT_SLOWER : VERDICT_SAME;
        out->small = out->word != VERDICT_SAME && out->ratio < 1.0 + VERDICT_PRACTICAL &&
                     out->ratio > 1.0 / (1.0 + VERDICT_PRACTICAL);
    }
    free(d);
    free(use);
    return rc;
}

const char *verdict_word_text(const verdict *v, char *buf, size_t len)
{
    switch (v->word) {
    case VERDICT_NONE:
        snprintf(buf, len, "not measured");
        break;
    case VERDICT_TOO_FEW:
        snprintf(buf, len, "not enough repetitions for a verdict (%u needed)", v->reps_needed);
        break;
    case VERDICT_SAME:
        snprintf(buf, len, "no significant difference");
        break;
    default:
        snprintf(buf, len, "%s%s", v->word == VERDICT_FASTER ? "faster" : "slower",
                 v->small ? " (under 5%)" : "");
        break;
    }
    return buf;
}

const char *verdict_fmt_ratio(double r, char *buf, size_t len)
{
    if (!isfinite(r)) {
        snprintf(buf, len, "-");
    } else if (r < 0.1) {
        snprintf(buf, len, "%.2g", r);
    } else if (r >= 100) {
        snprintf(buf, len, "%.0f", r);
    } else if (r >= 10) {
        snprintf(buf, len, "%.1f", r);
    } else {
        /* A ratio that is not 1 never reads "1.00": an interval bound of 1.0004 decides a word. */
        int prec = 2;
        snprintf(buf, len, "%.*f", prec, r);
        while (r != 1.0 && prec < 6 && strtod(buf, NULL) == 1.0)
            snprintf(buf, len, "%.*f", ++prec, r);
    }
    return buf;
}

/* ---- names ---- */

verdict_class verdict_class_of(const char *w)
{
    if (!w)
        return VCLASS_OTHER;
    if (strcmp(w, "hash") == 0 || strcmp(w, "countdown") == 0)
        return VCLASS_CPU;
    if (strcmp(w, "sleep") == 0 || strcmp(w, "net") == 0)
        return VCLASS_WAIT;
    if (strcmp(w, "noop") == 0)
        return VCLASS_DISPATCH;
    if (strcmp(w, "convoy") == 0)
        return VCLASS_CONVOY;
    return VCLASS_OTHER;
}

const char *verdict_class_name(verdict_class c)
{
    static const char *const names[] = {"CPU-bound", "wait-bound", "dispatch", "convoy", "other"};
    return (unsigned)c < sizeof names / sizeof *names ? names[c] : "other";
}

const char *verdict_comparison_name(verdict_comparison c)
{
    static const char *const names[VC_COUNT] = {
        [VC_THREADS_PROCESSES] = "threads vs processes, no GIL",
        [VC_GIL_THREADS_PROCESSES] = "threads vs processes, both under the GIL",
        [VC_POOL_THREADS] = "thread pool vs a thread per task",
        [VC_POOL_PROCESSES] = "process pool vs a process per task",
        [VC_GIL_ON_OFF] = "threads: GIL on vs off",
    };
    return (unsigned)c < VC_COUNT ? names[c] : "?";
}

const char *verdict_regime_name(const verdict_set *s, verdict_regime g, char *buf, size_t len)
{
    static const char *const rel[] = {"below", "at", "above"};
    if (g == VERDICT_ANY || s->usable <= 0 || (unsigned)g > VERDICT_ABOVE)
        snprintf(buf, len, "all worker counts");
    else
        snprintf(buf, len, "%s %ld CPU%s", rel[g], s->usable, s->usable == 1 ? "" : "s");
    return buf;
}

const char *verdict_workers_text(const verdict_panel *p, verdict_regime g, char *buf, size_t len)
{
    if ((unsigned)g >= VERDICT_REGIMES || p->wmin[g] <= 0)
        snprintf(buf, len, "%s", "");
    else if (p->wmin[g] == p->wmax[g])
        snprintf(buf, len, "%ld", p->wmin[g]);
    else
        snprintf(buf, len, "%ld-%ld", p->wmin[g], p->wmax[g]);
    return buf;
}

/* ---- matching configurations ---- */

typedef struct verdict__side {
    const char *exec, *spawn, *gil;
} verdict__side;

/* Candidate, then baseline, of each comparison. */
static const verdict__side verdict__sides[VC_COUNT][2] = {
    [VC_THREADS_PROCESSES] = {{"threads", "pool", "off"}, {"processes", "pool", "off"}},
    [VC_GIL_THREADS_PROCESSES] = {{"threads", "pool", "on"}, {"processes", "pool", "on"}},
    [VC_POOL_THREADS] = {{"threads", "pool", "off"}, {"threads", "per-task", "off"}},
    [VC_POOL_PROCESSES] = {{"processes", "pool", "off"}, {"processes", "per-task", "off"}},
    [VC_GIL_ON_OFF] = {{"threads", "pool", "on"}, {"threads", "pool", "off"}},
};

static bool verdict__eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool verdict__is(const verdict_cfg *c, const verdict__side *s, long switch_us)
{
    return verdict__eq(c->executor, s->exec) && verdict__eq(c->spawn, s->spawn) && verdict__eq(c->gil, s->gil) &&
           (strcmp(s->gil, "on") != 0 || c->switch_us == switch_us);
}

static bool verdict__same_panel(const verdict_cfg *a, const verdict_cfg *b)
{
    return verdict__eq(a->workload, b->workload) && verdict__eq(a->params, b->params);
}

static verdict_regime verdict__regime(long usable, long workers)
{
    if (usable <= 0)
        return VERDICT_ANY;
    return workers < usable ? VERDICT_BELOW : workers == usable ? VERDICT_AT : VERDICT_ABOVE;
}

/* The switch interval of a panel's GIL comparisons: 5000 us when its thread pools under the GIL
 * have it, else their most frequent one (the smallest of equals); -1 when none. */
static long verdict__switch(const verdict_cfg *cfgs, const size_t *idx, size_t n)
{
    long best = -1;
    size_t best_n = 0;
    for (size_t i = 0; i < n; i++) {
        const verdict_cfg *c = &cfgs[idx[i]];
        if (!verdict__eq(c->executor, "threads") || !verdict__eq(c->spawn, "pool") || !verdict__eq(c->gil, "on"))
            continue;
        if (c->switch_us == VERDICT_DEFAULT_SWITCH_US)
            return c->switch_us;
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            const verdict_cfg *d = &cfgs[idx[j]];
            k += verdict__eq(d->executor, "threads") && verdict__eq(d->spawn, "pool") && verdict__eq(d->gil, "on") &&
                 d->switch_us == c->switch_us;
        }
        if (k > best_n || (k == best_n && c->switch_us < best))
            best = c->switch_us, best_n = k;
    }
    return best;
}

static int verdict__panel(const verdict_cfg *cfgs, const size_t *idx, size_t n, long usable, verdict_panel *p)
{
    memset(p, 0, sizeof *p);
    const verdict_cfg *first = &cfgs[idx[0]];
    p->workload = first->workload;
    p->params = first->params;
    p->cls = verdict_class_of(first->workload);
    p->switch_us = verdict__switch(cfgs, idx, n);
    for (size_t i = 0; i < n; i++) {
        const verdict_cfg *c = &cfgs[idx[i]];
        if (verdict__eq(c->executor, "serial") || c->workers <= 0)
            continue;
        verdict_regime g = verdict__regime(usable, c->workers);
        if (!p->wmin[g] || c->workers < p->wmin[g])
            p->wmin[g] = c->workers;
        if (c->workers > p->wmax[g])
            p->wmax[g] = c->workers;
    }
    verdict_stratum *st = malloc(n * sizeof *st);
    verdict_regime *reg = malloc(n * sizeof *reg);
    verdict_stratum *part = malloc(n * sizeof *part);
    int rc = st && reg && part ? 0 : -ENOMEM;
    for (int cmp = 0; cmp < VC_COUNT && rc == 0; cmp++) {
        const verdict__side *cand = &verdict__sides[cmp][0], *base = &verdict__sides[cmp][1];
        size_t ns = 0;
        for (size_t i = 0; i < n; i++) {
            const verdict_cfg *b = &cfgs[idx[i]];
            if (!verdict__is(b, cand, p->switch_us))
                continue;
            for (size_t j = 0; j < n; j++) {
                const verdict_cfg *a = &cfgs[idx[j]];
                if (a->workers != b->workers || !verdict__eq(a->context, b->context) ||
                    !verdict__is(a, base, p->switch_us))
                    continue;
                st[ns] = (verdict_stratum){.a = a->tps, .na = a->n, .b = b->tps, .nb = b->n};
                reg[ns++] = verdict__regime(usable, b->workers);
                break;
            }
        }
        for (int g = 0; g < VERDICT_REGIMES && rc == 0; g++) {
            size_t np = 0;
            for (size_t k = 0; k < ns; k++)
                if (reg[k] == (verdict_regime)g)
                    part[np++] = st[k];
            rc = verdict_compare(part, np, VERDICT_ALPHA, &p->v[g][cmp]);
        }
    }
    free(st);
    free(reg);
    free(part);
    return rc;
}

static int verdict__cmp_panel(const void *x, const void *y)
{
    const verdict_panel *a = x, *b = y;
    if (a->cls != b->cls)
        return (int)a->cls - (int)b->cls;
    int c = strcmp(a->workload ? a->workload : "", b->workload ? b->workload : "");
    return c ? c : strcmp(a->params ? a->params : "", b->params ? b->params : "");
}

int verdict_build(const verdict_cfg *cfgs, size_t n, long usable, verdict_set *out)
{
    if ((!cfgs && n) || !out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->usable = usable;
    if (!n)
        return 0;
    size_t *idx = malloc(n * sizeof *idx);
    bool *done = calloc(n, sizeof *done);
    out->panels = calloc(n, sizeof *out->panels);
    int rc = idx && done && out->panels ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < n; j++)
            if (!done[j] && verdict__same_panel(&cfgs[i], &cfgs[j])) {
                done[j] = true;
                idx[k++] = j;
            }
        rc = verdict__panel(cfgs, idx, k, usable, &out->panels[out->n]);
        out->n += rc == 0;
    }
    free(idx);
    free(done);
    if (rc < 0) {
        verdict_set_free(out);
        return rc;
    }
    qsort(out->panels, out->n, sizeof *out->panels, verdict__cmp_panel);
    return 0;
}

void verdict_set_free(verdict_set *s)
{
    if (!s)
        return;
    free(s->panels);
    s->panels = NULL;
    s->n = 0;
}

/* ---- the advice ---- */

/* snprintf at the end of a buffer that keeps counting past it. */
typedef struct verdict__out {
    char *buf;
    size_t len, at;
} verdict__out;

__attribute__((format(printf, 2, 3))) static void verdict__put(verdict__out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(o->at < o->len ? o->buf + o->at : NULL, o->at < o->len ? o->len - o->at : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        o->at += (size_t)w;
}

/* +1: the candidate is faster by a practical margin, -1 slower, 0 no (practical) difference, 2 no
 * verdict (not measured or too few repetitions). */
static int verdict__dir(const verdict *v)
{
    switch (v->word) {
    case VERDICT_SAME:
        return 0;
    case VERDICT_FASTER:
        return v->small ? 0 : 1;
    case VERDICT_SLOWER:
        return v->small ? 0 : -1;
    default:
        return 2;
    }
}

static bool verdict__decided(const verdict *v)
{
    return v->word == VERDICT_SAME || v->word == VERDICT_FASTER || v->word == VERDICT_SLOWER;
}

/* "(1.01, 0.97-1.05)" */
static void verdict__interval(verdict__out *o, const verdict *v)
{
    char r[32], lo[32], hi[32];
    verdict_fmt_ratio(v->ratio, r, sizeof r);
    verdict_fmt_ratio(v->lo, lo, sizeof lo);
    verdict_fmt_ratio(v->hi, hi, sizeof hi);
    verdict__put(o, "(ratio %s, %s-%s)", r, lo, hi);
}

/* One clause about candidate vs baseline: "without a GIL, threads and processes are
 * indistinguishable (1.01, 0.97-1.05)", "threads are 0.52x as fast as processes (0.49-0.55)".
 * `how` qualifies it ("without a GIL") or is empty; `one` says the candidate is singular. */
static void verdict__clause(verdict__out *o, const verdict *v, const char *cand, const char *base, const char *how,
                            bool one, bool *first)
{
    if (v->word == VERDICT_NONE)
        return;
    verdict__put(o, "%s", *first ? "" : "; ");
    *first = false;
    char r[32], lo[32], hi[32];
    verdict_fmt_ratio(v->ratio, r, sizeof r);
    verdict_fmt_ratio(v->lo, lo, sizeof lo);
    verdict_fmt_ratio(v->hi, hi, sizeof hi);
    if (v->word == VERDICT_TOO_FEW) {
        verdict__put(o, "%s vs %s%s%s: not enough repetitions for a verdict (%u needed)", cand, base, *how ? " " : "",
                     how, v->reps_needed);
        return;
    }
    if (*how)
        verdict__put(o, "%s, ", how);
    if (v->word == VERDICT_SAME) {
        verdict__put(o, "%s and %s are indistinguishable ", cand, base);
        verdict__interval(o, v);
    } else if (v->small) { /* significant, but under VERDICT_PRACTICAL: no practical difference */
        verdict__put(o, "%s %s slightly %s than %s ", cand, one ? "is" : "are",
                     v->word == VERDICT_FASTER ? "faster" : "slower", base);
        verdict__interval(o, v);
    } else {
        verdict__put(o, "%s %s %sx as fast as %s (%s-%s)", cand, one ? "is" : "are", r, base, lo, hi);
    }
}

/* The regime a panel's advice speaks of: at the CPU count for CPU-bound, dispatch and convoy
 * work, above it for waiting work; the first in that order with a decided threads-vs-processes
 * verdict, else the first with any matched pair. */
static verdict_regime verdict__advice_regime(const verdict_panel *p)
{
    static const verdict_regime cpu[] = {VERDICT_AT, VERDICT_ABOVE, VERDICT_BELOW, VERDICT_ANY},
                                wait[] = {VERDICT_ABOVE, VERDICT_AT, VERDICT_BELOW, VERDICT_ANY};
    const verdict_regime *order = p->cls == VCLASS_WAIT ? wait : cpu;
    for (int i = 0; i < 4; i++)
        if (verdict__decided(&p->v[order[i]][VC_THREADS_PROCESSES]) ||
            verdict__decided(&p->v[order[i]][VC_GIL_THREADS_PROCESSES]))
            return order[i];
    for (int i = 0; i < 4; i++)
        for (int c = 0; c < VC_COUNT; c++)
            if (p->v[order[i]][c].word != VERDICT_NONE)
                return order[i];
    return order[0];
}

int verdict_advice(const verdict_set *s, const verdict_panel *p, char *buf, size_t len)
{
    verdict__out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    static const char *const what[][2] = {{"CPU-bound work like ", ""}, {"waiting work like ", ""},
                                          {"empty tasks (the dispatch cost) like ", ""},
                                          {"a waiting task beside CPU-bound ones (", ")"}, {"work like ", ""}};
    const char *const *wh = what[p->cls <= VCLASS_OTHER ? p->cls : VCLASS_OTHER];
    bool params = p->params && *p->params;
    verdict__put(&o, "On this machine, for %s%s", wh[0], p->workload ? p->workload : "?");
    if (*wh[1]) /* the workload is already in parentheses */
        verdict__put(&o, "%s%s%s", params ? ", " : "", params ? p->params : "", wh[1]);
    else if (params)
        verdict__put(&o, " (%s)", p->params);
    verdict_regime g = verdict__advice_regime(p);
    char w[32];
    verdict_workers_text(p, g, w, sizeof w);
    if (*w) {
        bool one = p->wmin[g] == p->wmax[g] && p->wmin[g] == 1;
        verdict__put(&o, ", with %s worker%s", w, one ? "" : "s");
        if (g != VERDICT_ANY && s->usable > 0)
            verdict__put(&o, " (%s the %ld usable CPU%s)",
                         g == VERDICT_BELOW ? "fewer than" : g == VERDICT_AT ? "as many as" : "more than", s->usable,
                         s->usable == 1 ? "" : "s");
    }
    verdict__put(&o, ": ");
    const verdict *tp = &p->v[g][VC_THREADS_PROCESSES], *gtp = &p->v[g][VC_GIL_THREADS_PROCESSES],
                  *pt[2] = {&p->v[g][VC_POOL_THREADS], &p->v[g][VC_POOL_PROCESSES]};
    bool first = true;
    char gil[64] = "under the GIL";
    if (p->switch_us > 0)
        snprintf(gil, sizeof gil, "under the GIL (%g ms switch interval)", (double)p->switch_us / 1000.0);
    if (tp->word == VERDICT_TOO_FEW && gtp->word == VERDICT_TOO_FEW && tp->reps_needed == gtp->reps_needed) {
        verdict__put(&o, "threads vs processes, with or without a GIL: not enough repetitions for a verdict (%u needed)",
                     tp->reps_needed);
        first = false;
    } else {
        verdict__clause(&o, tp, "threads", "processes", "without a GIL", false, &first);
        verdict__clause(&o, gtp, "threads", "processes", gil, false, &first);
    }
    static const char *const pool_names[2][2] = {{"a thread pool", "a thread per task"},
                                                 {"a process pool", "a process per task"}};
    for (int e = 0; e < 2; e++)
        if (verdict__decided(pt[e]))
            verdict__clause(&o, pt[e], pool_names[e][0], pool_names[e][1], "", true, &first);
    if (first)
        verdict__put(&o, "no threads-vs-processes pair was measured");

    /* What to use: the GIL's verdict first (what CPython users face), then the one without. */
    int g_dir = verdict__dir(gtp), f_dir = verdict__dir(tp);
    int use = 2; /* +1 threads, -1 processes, 0 either, 2 no recommendation */
    const char *note = "";
    if (g_dir == 1 || g_dir == -1) {
        use = g_dir;
        if (f_dir != 2 && f_dir != g_dir)
            note = f_dir == 0    ? (g_dir == -1 ? " (without a GIL, threads do as well)" : " (without a GIL, processes do as well)")
                   : g_dir == -1 ? " (without a GIL, threads are faster)"
                                 : " (without a GIL, processes are faster)";
    } else if (g_dir == 0) {
        use = f_dir == 2 ? 0 : f_dir;
        if (f_dir == 1 || f_dir == -1)
            note = f_dir == 1 ? " (under the GIL, processes do as well)" : " (under the GIL, threads do as well)";
        else if (f_dir == 2 && tp->word != VERDICT_NONE)
            note = " (under the GIL; without one, no verdict yet)";
    } else if (f_dir != 2) {
        use = f_dir;
        note = gtp->word == VERDICT_NONE ? " (measured without a GIL)" : " (without a GIL; under the GIL, no verdict yet)";
    }
    if (use != 2)
        verdict__put(&o, ": ");
    if (use == 2) {
        unsigned need = 0;
        const verdict *vs[2] = {tp, gtp};
        for (int i = 0; i < 2; i++)
            if (vs[i]->word == VERDICT_TOO_FEW && vs[i]->reps_needed > need)
                need = vs[i]->reps_needed;
        if (need)
            verdict__put(&o, ". No recommendation yet: rerun with --benchmark_repetitions=%u or more", need);
        else
            verdict__put(&o, ". No recommendation: no verdict on threads vs processes");
    } else if (use == 0) {
        verdict__put(&o, "use either%s", *note ? note : ", the choice does not matter here");
    } else {
        const verdict *pool = pt[use == 1 ? 0 : 1];
        bool pooled = pool->word == VERDICT_FASTER && !pool->small;
        const char *exec = use == 1 ? (pooled ? "a thread pool" : "threads") : (pooled ? "a process pool" : "processes");
        verdict__put(&o, "use %s%s", exec, note);
    }
    verdict__put(&o, ".");
    return (int)o.at;
}
