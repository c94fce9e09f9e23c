/* verdict.c: the verdict tables that open index.html, and the check behind the findings' "Best".
 *
 * data.c keeps only each configuration's median; a verdict needs every ok repetition, so each
 * run's CSV is read again here into verdict_cfgs (tasks/s of the ok repetition rows; a
 * configuration is the same as data.c's: identity columns and parameters). lib/stats/verdict
 * matches, tests and words them exactly as tvp-bench's console does; this file lays them out.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "report.h"
#include "results.h"
#include "verdict.h"
#include "workload.h"

/* One configuration of a run, read again from its CSV. */
typedef struct rpt_vgroup {
    char *workload, *params, *context, *executor, *spawn, *gil, *pin;
    long switch_us, ticks, workers, tasks;
    double *tps;
    size_t n;
} rpt_vgroup;

struct rpt_vrun {
    rpt_vgroup *g;
    size_t n;
    verdict_cfg *cfgs; /* one per group, pointing into it */
};

/* A row's sort key and measurement while grouping. */
typedef struct rpt_vitem {
    char *key;
    size_t row;
    double tps;
} rpt_vitem;

static int rpt_cmp_vitem(const void *a, const void *b)
{
    const rpt_vitem *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static const char *rpt_vcell(const results_table *t, size_t row, const char *col, const char *dflt)
{
    const char *v = results_table_get(t, row, col);
    return v ? v : dflt;
}

/* The panel's parameter text of a row, as data.c builds it: the parameters a panel is named by
 * (a workload's own, or those only the scheduler microbenchmarks fill), in column order. */
static char *rpt_vparams(const results_table *t, size_t row, const bool *shown)
{
    char *p = NULL;
    size_t n = 0;
    bool first = true;
    FILE *f = rpt_memstream(&p, &n);
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *v = shown[c] ? results_table_get(t, row, t->cols[c]) : NULL;
        if (!v || !*v)
            continue;
        fprintf(f, "%s%s=%s", first ? "" : " ", t->cols[c], v);
        first = false;
    }
    fclose(f);
    return p;
}

static bool rpt_vrepetition(const char *rep)
{
    return rep && *rep && strspn(rep, "0123456789") == strlen(rep);
}

rpt_vrun *rpt_vrun_load(const rpt *r, size_t run)
{
    results_table t;
    char err[512];
    if (run >= r->n_runs || results_table_read_csv(r->runs[run].csv, &t, err, sizeof err) < 0)
        return NULL; /* data.c has read it once already and said why it could not */
    const char *results[WL_MAX_RESULTS];
    size_t n_results = workload_result_names(results);
    bool *shown = rpt_xmalloc((t.n_cols ? t.n_cols : 1) * sizeof *shown);
    for (size_t c = 0; c < t.n_cols; c++) {
        const col_def *d = columns_find(t.cols[c]);
        shown[c] = columns_is_param(t.cols[c], results, n_results) && (!d || d->fill == COL_FILL_SCHED);
    }
    rpt_vitem *items = rpt_xmalloc((t.n_rows ? t.n_rows : 1) * sizeof *items);
    size_t ni = 0;
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *w = rpt_vcell(&t, i, "workload", "?"), *tps = results_table_get(&t, i, "tasks_per_s");
        if (!rpt_vrepetition(results_table_get(&t, i, "repetition")) || strncmp(w, "sched_", 6) == 0 ||
            !rpt_eq(results_table_get(&t, i, "status"), "ok") || !tps)
            continue;
        char *end;
        double v = strtod(tps, &end);
        if (end == tps || *end || !isfinite(v) || !(v > 0))
            continue; /* data.c warns about such values */
        char *params = rpt_vparams(&t, i, shown);
        items[ni++] = (rpt_vitem){
            .key = rpt_asprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", w, params,
                                rpt_vcell(&t, i, "pin", "none"), rpt_vcell(&t, i, "tasks", ""),
                                rpt_vcell(&t, i, "executor", "?"), rpt_vcell(&t, i, "spawn", "pool"),
                                rpt_vcell(&t, i, "gil", "off"), rpt_vcell(&t, i, "switch_us", ""),
                                rpt_vcell(&t, i, "check_ticks", ""), rpt_vcell(&t, i, "workers", "1")),
            .row = i,
            .tps = v};
        free(params);
    }
    qsort(items, ni, sizeof *items, rpt_cmp_vitem);
    rpt_vrun *v = rpt_xmalloc(sizeof *v);
    v->g = rpt_xmalloc((ni ? ni : 1) * sizeof *v->g);
    v->n = 0;
    for (size_t i = 0; i < ni;) {
        size_t j = i;
        while (j < ni && strcmp(items[j].key, items[i].key) == 0)
            j++;
        rpt_vgroup *g = &v->g[v->n++];
        size_t row = items[i].row;
        g->workload = rpt_strdup(rpt_vcell(&t, row, "workload", "?"));
        g->params = rpt_vparams(&t, row, shown);
        g->pin = rpt_strdup(rpt_vcell(&t, row, "pin", "none"));
        g->context = rpt_asprintf("pin=%s tasks=%s", g->pin, rpt_vcell(&t, row, "tasks", ""));
        g->executor = rpt_strdup(rpt_vcell(&t, row, "executor", "?"));
        g->spawn = rpt_strdup(rpt_vcell(&t, row, "spawn", "pool"));
        g->gil = rpt_strdup(rpt_vcell(&t, row, "gil", "off"));
        g->switch_us = rpt_long(results_table_get(&t, row, "switch_us"), -1);
        g->ticks = rpt_long(results_table_get(&t, row, "check_ticks"), -1);
        g->workers = rpt_long(results_table_get(&t, row, "workers"), 1);
        g->tasks = rpt_long(results_table_get(&t, row, "tasks"), 0);
        g->n = j - i;
        g->tps = rpt_xmalloc(g->n * sizeof *g->tps);
        for (size_t k = i; k < j; k++)
            g->tps[k - i] = items[k].tps;
        i = j;
    }
    for (size_t i = 0; i < ni; i++)
        free(items[i].key);
    free(items);
    free(shown);
    results_table_free(&t);
    v->cfgs = rpt_xmalloc((v->n ? v->n : 1) * sizeof *v->cfgs);
    for (size_t i = 0; i < v->n; i++) {
        const rpt_vgroup *g = &v->g[i];
        v->cfgs[i] = (verdict_cfg){.workload = g->workload, .params = g->params, .context = g->context,
                                   .executor = g->executor, .spawn = g->spawn, .gil = g->gil,
                                   .switch_us = g->switch_us, .workers = g->workers, .tps = g->tps, .n = g->n};
    }
    return v;
}

void rpt_vrun_free(rpt_vrun *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        rpt_vgroup *g = &v->g[i];
        char *s[] = {g->workload, g->params, g->context, g->executor, g->spawn, g->gil, g->pin};
        for (size_t k = 0; k < sizeof s / sizeof *s; k++)
            free(s[k]);
        free(g->tps);
    }
    free(v->g);
    free(v->cfgs);
    free(v);
}

size_t rpt_vrun_samples(const rpt_vrun *v, const rpt_cfg *c, const double **tps)
{
    *tps = NULL;
    for (size_t i = 0; v && i < v->n; i++) {
        const rpt_vgroup *g = &v->g[i];
        if (g->workers == c->workers && g->tasks == c->tasks && g->switch_us == c->switch_us &&
            g->ticks == c->ticks && rpt_eq(g->workload, c->workload) && rpt_eq(g->params, c->params) &&
            rpt_eq(g->executor, c->executor) && rpt_eq(g->spawn, c->spawn) && rpt_eq(g->gil, c->gil) &&
            rpt_eq(g->pin, c->pin)) {
            *tps = g->tps;
            return g->n;
        }
    }
    return 0;
}

/* ---- the tables ---- */

static bool rpt_vpanel_any(const verdict_panel *p)
{
    for (int g = 0; g < VERDICT_REGIMES; g++)
        for (int c = 0; c < VC_COUNT; c++)
            if (p->v[g][c].word != VERDICT_NONE)
                return true;
    return false;
}

static void rpt_vcell_html(const verdict *v, FILE *f)
{
    static const char *const cls[] = {[VERDICT_NONE] = "vx", [VERDICT_TOO_FEW] = "vt", [VERDICT_SAME] = "vn",
                                      [VERDICT_FASTER] = "vf", [VERDICT_SLOWER] = "vs"};
    char r[32], lo[32], hi[32], word[96];
    if (v->word == VERDICT_NONE) {
        fputs("<td class=\"vx\">not measured</td>", f);
        return;
    }
    fprintf(f, "<td class=\"%s%s\"><b>%s</b>", cls[v->word], v->small ? " vsmall" : "",
            verdict_fmt_ratio(v->ratio, r, sizeof r));
    if (isfinite(v->lo))
        fprintf(f, " <span class=\"ci\">%s\xe2\x80\x93%s</span>", verdict_fmt_ratio(v->lo, lo, sizeof lo),
                verdict_fmt_ratio(v->hi, hi, sizeof hi));
    fputs("<br>", f);
    rpt_html_esc(f, verdict_word_text(v, word, sizeof word));
    fputs("</td>", f);
}

static void rpt_vpanel_html(const verdict_set *s, const verdict_panel *p, FILE *f)
{
    fputs("<div class=\"verdict\"><h3>", f);
    rpt_html_esc(f, p->workload);
    fputs(" <small>", f);
    rpt_html_esc(f, verdict_class_name(p->cls));
    if (*p->params) {
        fputs(" \xc2\xb7 ", f);
        rpt_html_esc(f, p->params);
    }
    if (p->switch_us > 0) {
        char sw[32];
        rpt_fmt_switch(p->switch_us, sw, sizeof sw);
        fputs(" \xc2\xb7 the GIL at a ", f);
        rpt_html_esc(f, sw);
        fputs(" switch interval", f);
    }
    fputs("</small></h3>\n<table class=\"verdicts\"><tr><th>comparison (first vs second)</th>", f);
    for (int g = 0; g < VERDICT_REGIMES; g++) {
        if (p->wmin[g] <= 0)
            continue;
        char name[64], w[32];
        verdict_regime_name(s, (verdict_regime)g, name, sizeof name);
        verdict_workers_text(p, (verdict_regime)g, w, sizeof w);
        fprintf(f, "<th>%s<br><small>%s worker%s</small></th>", name, w,
                p->wmin[g] == 1 && p->wmax[g] == 1 ? "" : "s");
    }
    fputs("</tr>\n", f);
    for (int c = 0; c < VC_COUNT; c++) {
        bool any = false;
        for (int g = 0; g < VERDICT_REGIMES; g++)
            any |= p->v[g][c].word != VERDICT_NONE;
        if (!any)
            continue;
        fputs("<tr><th>", f);
        rpt_html_esc(f, verdict_comparison_name((verdict_comparison)c));
        fputs("</th>", f);
        for (int g = 0; g < VERDICT_REGIMES; g++)
            if (p->wmin[g] > 0)
                rpt_vcell_html(&p->v[g][c], f);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"advice\">", f);
    char text[2048];
    verdict_advice(s, p, text, sizeof text);
    rpt_html_esc(f, text);
    fputs("</p></div>\n", f);
}

/* Whether the run's meta says its repetitions were not interleaved (options.random_interleaving
 * false); unknown counts as interleaved (the note is about what is known). */
static bool rpt_not_interleaved(const rpt_run *ru)
{
    size_t n = strlen(ru->csv);
    char *path = n > 4 && strcmp(ru->csv + n - 4, ".csv") == 0 ? rpt_asprintf("%.*s.meta.json", (int)(n - 4), ru->csv)
                                                               : rpt_asprintf("%s.meta.json", ru->csv);
    json_t *root = json_load_file(path, 0, NULL);
    json_t *v = json_object_get(json_object_get(root, "options"), "random_interleaving");
    bool off = json_is_false(v);
    json_decref(root);
    free(path);
    return off;
}

void rpt_verdicts(const rpt *r, FILE *f)
{
    fputs("<section id=\"verdicts\"><h2>Verdicts: threads or processes, on this machine</h2>\n"
          "<p class=\"vhow\">Each cell: the ratio of tasks per second, <b>first over second</b> (above 1: the first "
          "is faster), pooled over the matched configurations (same workload, parameters, placement, tasks and "
          "worker count) below, at and above the usable CPU count, with its <b>95% interval</b>. "
          "<b>Faster</b> or <b>slower</b> only when the whole interval lies on one side of 1, "
          "&ldquo;under 5%&rdquo; when the ratio is within 5% of 1; otherwise <i>no significant difference</i>, "
          "and <i>not enough repetitions</i> when the repetitions cannot give a 95% interval (with how many "
          "would). The interval is a stratified Hodges-Lehmann (Moses) interval: distribution-free, exact for "
          "small samples (README, &ldquo;Verdicts&rdquo;). Below each table, what to use and why, from its "
          "verdicts alone.</p>\n",
          f);
    for (size_t run = 0; run < r->n_runs; run++) {
        if (r->n_runs > 1) {
            fputs("<h3>", f);
            rpt_html_esc(f, r->runs[run].label);
            fputs("</h3>\n", f);
        }
        rpt_vrun *v = rpt_vrun_load(r, run);
        verdict_set s = {0};
        int rc = v ? verdict_build(v->cfgs, v->n, r->runs[run].usable, &s) : -1;
        size_t shown = 0;
        for (size_t p = 0; rc == 0 && p < s.n; p++)
            if (rpt_vpanel_any(&s.panels[p])) {
                rpt_vpanel_html(&s, &s.panels[p], f);
                shown++;
            }
        if (!shown)
            fputs("<p class=\"skip\">No verdicts: the run has no threads and processes (or pool and per-task) "
                  "configurations with ok repetitions to compare.</p>\n",
                  f);
        if (shown && rpt_not_interleaved(&r->runs[run])) {
            fputs("<p class=\"skip\">Note: ", f);
            rpt_html_esc(f, VERDICT_NOT_INTERLEAVED);
            fputs(".</p>\n", f);
        }
        if (shown && r->runs[run].usable <= 0)
            fputs("<p>The usable CPU count of this run is unknown (no .meta.json): every worker count is pooled "
                  "into one regime.</p>\n",
                  f);
        verdict_set_free(&s);
        rpt_vrun_free(v);
    }
    fputs("</section>\n", f);
}

/* ---- the findings' best ---- */

typedef struct rpt_vbest {
    const rpt_cfg *c;
    const double *tps;
    size_t n;
} rpt_vbest;

static int rpt_cmp_vbest(const void *a, const void *b)
{
    double x = ((const rpt_vbest *)a)->c->v[M_SPEEDUP], y = ((const rpt_vbest *)b)->c->v[M_SPEEDUP];
    return (x < y) - (x > y); /* descending */
}

static bool rpt_same_series(const rpt_cfg *a, const rpt_cfg *b)
{
    return rpt_eq(a->executor, b->executor) && rpt_eq(a->spawn, b->spawn) && rpt_eq(a->gil, b->gil) &&
           a->switch_us == b->switch_us && a->ticks == b->ticks;
}

static void rpt_vbest_name(const rpt *r, const rpt_vbest *b, FILE *f)
{
    char label[256], x[32];
    rpt_label(r, b->c, true, label, sizeof label);
    rpt_fmt_x(b->c->v[M_SPEEDUP], x, sizeof x);
    rpt_html_esc(f, label);
    fprintf(f, " at %ld worker%s (%s)", b->c->workers, b->c->workers == 1 ? "" : "s", x);
}

void rpt_verdict_best(const rpt *r, FILE *f, size_t run, const char *wl_name, const char *params)
{
    size_t cap = 16, n = 0;
    rpt_vbest *b = rpt_xmalloc(cap * sizeof *b);
    for (size_t i = 0; i < r->n_cfgs; i++) { /* each series' best configuration */
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run != run || !rpt_main_view(r, c) || rpt_is_serial(c) || !rpt_eq(c->workload, wl_name) ||
            !rpt_eq(c->params, params) || !rpt_has(c, M_SPEEDUP))
            continue;
        size_t k = 0;
        while (k < n && !rpt_same_series(b[k].c, c))
            k++;
        if (k == n) {
            if (n == cap)
                b = rpt_xrealloc(b, (cap *= 2) * sizeof *b);
            b[n++] = (rpt_vbest){c, NULL, 0};
        } else if (c->v[M_SPEEDUP] > b[k].c->v[M_SPEEDUP]) {
            b[k].c = c;
        }
    }
    if (!n) {
        free(b);
        return;
    }
    qsort(b, n, sizeof *b, rpt_cmp_vbest);
    rpt_vrun *v = rpt_vrun_load(r, run);
    for (size_t k = 0; k < n; k++)
        b[k].n = rpt_vrun_samples(v, b[k].c, &b[k].tps);
    /* The top against every other series' best: tied unless its 95% interval says faster. */
    size_t tied = 0, too_few = 0;
    unsigned need = 0;
    bool *tie = rpt_xmalloc(n * sizeof *tie);
    verdict closest = {.word = VERDICT_NONE};
    for (size_t k = 1; k < n; k++) {
        verdict_stratum st = {b[k].tps, b[k].n, b[0].tps, b[0].n};
        verdict vd;
        if (verdict_compare(&st, 1, VERDICT_ALPHA, &vd) < 0)
            vd.word = VERDICT_NONE;
        tie[k] = vd.word != VERDICT_FASTER;
        tied += tie[k];
        if (vd.word == VERDICT_TOO_FEW || vd.word == VERDICT_NONE) {
            too_few++;
            need = vd.reps_needed > need ? vd.reps_needed : need;
        }
        if (k == 1)
            closest = vd;
    }
    if (tied && too_few == n - 1 && need) { /* no comparison could be made at all */
        fputs(" No best named: the largest, ", f);
        rpt_vbest_name(r, &b[0], f);
        fprintf(f, ", cannot be told apart from any other executor's best with these repetitions (95%% needs %u "
                   "per configuration; the verdicts above compare pooled worker counts).",
                need);
    } else if (!tied) {
        fputs(" Best: ", f);
        rpt_vbest_name(r, &b[0], f);
        if (n > 1) {
            char lo[32];
            fprintf(f, ", faster than every other executor's best at 95%% (the next is ");
            rpt_vbest_name(r, &b[1], f);
            fprintf(f, "; the top is at least %sx it)", verdict_fmt_ratio(closest.lo, lo, sizeof lo));
        }
        fputs(".", f);
    } else {
        fputs(" No single best: ", f);
        rpt_vbest_name(r, &b[0], f);
        size_t shown = 0;
        for (size_t k = 1; k < n; k++) {
            if (!tie[k])
                continue;
            if (shown++ == 4) {
                fprintf(f, " and %zu more", tied - 4);
                break;
            }
            fputs(shown == tied ? " and " : ", ", f);
            rpt_vbest_name(r, &b[k], f);
        }
        if (too_few == tied && need)
            fprintf(f, " cannot be told apart with these repetitions (95%% needs %u per configuration)", need);
        else if (too_few == tied)
            fputs(" cannot be told apart (no repetitions to compare)", f);
        else if (too_few)
            fprintf(f, " are within the noise (no significant difference at 95%%, or too few repetitions to tell)");
        else
            fputs(" are within the noise (no significant difference at 95%)", f);
        fputs(".", f);
    }
    free(tie);
    rpt_vrun_free(v);
    free(b);
}
