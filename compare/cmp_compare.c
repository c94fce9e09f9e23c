/* cmp_compare.c: the verdict for every configuration: improved, regressed, unchanged or not
 * comparable, from the ratio of medians, its interval and the Mann-Whitney U p-value.
 *
 * A row regressed when the ratio moved in the bad direction for the metric by more than the
 * threshold and p < alpha; improved is the mirror image; everything else with enough data is
 * unchanged. Rows missing on one side, without ok values, with a baseline median of 0 (no ratio
 * exists; the readers allow 0 only for metrics where it can happen, e.g. ctx_invol), with a ratio
 * beyond a double, or with too few repetitions for the U test ever to reach p < alpha are not
 * comparable (and fail the gate only with strict). No verdict rests on an infinite or NaN number.
 */
#include "cmp.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmp__verdicts[CMP_VERDICT_COUNT] = {
    "unchanged", "improved", "regressed", "not comparable",
};

const char *cmp_verdict_name(cmp_verdict v)
{
    return (unsigned)v < CMP_VERDICT_COUNT ? cmp__verdicts[v] : "?";
}

void cmp_options_default(cmp_options *o)
{
    memset(o, 0, sizeof *o);
    cmp_metric_default(&o->metric);
    o->threshold_pct = 5.0;
    o->alpha = 0.05;
}

static void cmp__not_comparable(cmp_row *r, const char *reason)
{
    r->verdict = CMP_NOT_COMPARABLE;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* Medians, then (baseline median > 0) ratio, interval and test for a row with values on both
 * sides. 1 when the row is not comparable (reason set), 0 when the statistics are there. */
static int cmp__statistics(cmp_row *r, const cmp_series *b, const cmp_series *n, double alpha)
{
    int rc = stats_median(b->v, b->n, &r->base_median);
    if (rc == 0)
        rc = stats_median(n->v, n->n, &r->new_median);
    if (rc < 0)
        return rc;
    r->has_medians = true;
    if (!(r->base_median > 0.0)) {
        cmp__not_comparable(r, r->new_median == 0.0 ? "baseline median is 0 (so is new): no ratio"
                                                    : "baseline median is 0: no ratio");
        return 1;
    }
    rc = stats_ratio_ci_auto(b->v, b->n, n->v, n->n, alpha, &r->ci);
    if (rc < 0)
        return rc;
    if (!isfinite(r->ci.ratio) || !isfinite((r->ci.ratio - 1.0) * 100.0)) {
        cmp__not_comparable(r, "ratio of medians beyond the range of a double");
        return 1;
    }
    r->has_ratio = true;
    rc = stats_mann_whitney(b->v, b->n, n->v, n->n, STATS_MWU_AUTO, &r->mwu);
    if (rc < 0)
        return rc;
    if (!isfinite(r->mwu.p)) {
        cmp__not_comparable(r, "the U test gave no p-value");
        return 1;
    }
    r->has_test = true;
    return 0;
}

/* Sets the verdict of a row whose statistics were computed. */
static void cmp__decide(cmp_row *r, const cmp_options *o)
{
    double ratio = r->ci.ratio;
    double change_pct = (ratio - 1.0) * 100.0;
    bool worse = o->metric.better == CMP_LOWER_IS_BETTER ? ratio > 1.0 : ratio < 1.0;
    bool big = fabs(change_pct) > o->threshold_pct;
    bool significant = r->mwu.p < o->alpha;
    if (big && significant) {
        r->verdict = worse ? CMP_REGRESSED : CMP_IMPROVED;
        snprintf(r->reason, sizeof r->reason, "%+.1f%%, p=%.2g < %g", change_pct, r->mwu.p,
                 o->alpha);
    } else if (!significant) {
        r->verdict = CMP_UNCHANGED;
        snprintf(r->reason, sizeof r->reason, "%+.1f%%, p=%.2g >= %g", change_pct, r->mwu.p,
                 o->alpha);
    } else {
        r->verdict = CMP_UNCHANGED;
        snprintf(r->reason, sizeof r->reason, "%+.1f%% within the %g%% threshold", change_pct,
                 o->threshold_pct);
    }
}

static int cmp__row(cmp_row *r, const char *key, const cmp_series *b, const cmp_series *n,
                    const cmp_options *o)
{
    memset(r, 0, sizeof *r);
    r->key = key;
    r->n_base = b ? b->n : 0;
    r->n_new = n ? n->n : 0;
    if (!b || !n) {
        cmp__not_comparable(r, b ? "missing in new" : "missing in baseline");
        return 0;
    }
    if (b->n == 0 || n->n == 0) {
        cmp__not_comparable(r, b->n == 0 ? "no ok values in baseline" : "no ok values in new");
        return 0;
    }
    int rc = cmp__statistics(r, b, n, o->alpha);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    double min_p;
    rc = stats_mwu_min_p(b->n, n->n, &min_p);
    if (rc < 0)
        return rc;
    if (b->n < 2 || n->n < 2 || min_p >= o->alpha) {
        r->verdict = CMP_NOT_COMPARABLE;
        snprintf(r->reason, sizeof r->reason,
                 "too few repetitions (%zu vs %zu): p cannot go below %.2g, alpha is %g", b->n,
                 n->n, min_p, o->alpha);
        return 0;
    }
    cmp__decide(r, o);
    return 0;
}

static bool cmp__selected(const cmp_options *o, const char *key)
{
    return !o->filter || regexec(o->filter, key, 0, NULL, 0) == 0;
}

static void cmp__tally(cmp_report *out, cmp_row *r, const cmp_options *o)
{
    out->counts[r->verdict]++;
    r->decides = r->verdict == CMP_REGRESSED || (o->strict && r->verdict == CMP_NOT_COMPARABLE);
    if (r->decides)
        out->fail = true;
}

int cmp_compare(const cmp_set *base, const cmp_set *cand, const cmp_options *o, cmp_report *out)
{
    if (!base || !cand || !o || !out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->rows = calloc(base->n + cand->n + 1, sizeof *out->rows);
    if (!out->rows)
        return -ENOMEM;
    for (size_t pass = 0; pass < 2; pass++) {
        const cmp_set *s = pass == 0 ? base : cand;
        for (size_t i = 0; i < s->n; i++) {
            const char *key = s->rows[i].key;
            if (!cmp__selected(o, key) || (pass == 1 && cmp_set_find(base, key)))
                continue;
            cmp_row *r = &out->rows[out->n];
            int rc = cmp__row(r, key, cmp_set_find(base, key), cmp_set_find(cand, key), o);
            if (rc < 0) {
                cmp_report_free(out);
                return rc;
            }
            cmp__tally(out, r, o);
            out->n++;
        }
    }
    return 0;
}

void cmp_report_free(cmp_report *r)
{
    if (!r)
        return;
    free(r->rows);
    memset(r, 0, sizeof *r);
}
