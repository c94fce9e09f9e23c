/* chart_costs.c: chart 6, the spawn cost per task (per-task vs pool batch time) and the sched_* microbenchmarks. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static int cmp_spawn(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    int d;
    if ((d = (a->run > b->run) - (a->run < b->run)) || (d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) ||
        (d = rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil)) || (d = strverscmp(a->workload, b->workload)) ||
        (d = strverscmp(a->params, b->params)))
        return d;
    return (a->workers > b->workers) - (a->workers < b->workers);
}

static bool same_spawn_series(const rpt_cfg *a, const rpt_cfg *b)
{
    return a->run == b->run && rpt_eq(a->executor, b->executor) && rpt_eq(a->gil, b->gil) &&
           rpt_eq(a->workload, b->workload) && rpt_eq(a->params, b->params);
}

/* Spawn-cost series: colour = executor, marker and dash = workload (the legend says each once). */
static const char *const spawn_wls[] = {"noop", "hash", "sleep", "countdown", "net"};

static int spawn_workload_pt(const char *wl)
{
    static const int pts[] = {7, 5, 9, 13, 11, 15};
    return pts[rpt_rank(wl, spawn_wls, 5)];
}

static int spawn_workload_dash(const char *wl) { return 1 + rpt_rank(wl, spawn_wls, 5); }

/* Spawn cost panel; returns the number of points and counts the ones left out (<= 0). */
static size_t spawn_panel(rpt *r, rpt_panel_out *po, rpt_list *l, size_t *dropped)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_spawn);
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const rpt_cfg *c = l->v[i], *pt = rpt_per_task_twin(r, c);
        if (!pt)
            continue;
        double cost = rpt_spawn_cost_us(c, pt);
        if (!(cost > 0) || !isfinite(cost)) {
            (*dropped)++;
            continue;
        }
        if (!prev || !same_spawn_series(prev, c)) {
            /* Legend: one entry per colour (executor and lock, a plain line) and one per workload
             * (its marker and dash, grey), not one per series. */
            char label[256];
            rpt_label(r, c, true, label, sizeof label);
            size_t k0 = r->n_keys;
            rpt_series(po, label, rpt_color(c), spawn_workload_dash(c->workload), spawn_workload_pt(c->workload));
            for (size_t k = k0; k < r->n_keys; k++)
                r->keys[k].dt = 1, r->keys[k].pt = -1;
            char *wkey = rpt_asprintf("%s%s%s", c->workload, *c->params ? " " : "", c->params);
            rpt_key_add(r, wkey, "#777777", spawn_workload_dash(c->workload), spawn_workload_pt(c->workload), 1);
            free(wkey);
        }
        fprintf(po->dat, "%ld\t%.9g\n", c->workers, cost);
        rpt_y(po, cost);
        prev = c;
        n++;
    }
    return n;
}

/* Scheduler microbenchmark rows: any placement (their `cpus` parameter is the placement). */
static bool pick_sched(const rpt *r, const rpt_cfg *c)
{
    (void)r;
    return rpt_is_sched(c) && (rpt_has(c, M_P50) || rpt_has(c, M_TPS));
}

/* A spawn row's method ("fork" of "heap_kib=65536 method=fork cpus=none"), or "" for the others. */
static void sched_method(const char *params, char *out, size_t len)
{
    const char *m = strstr(params, "method=");
    size_t n = m ? strcspn(m + 7, " ") : 0;
    snprintf(out, len, "%.*s", (int)n, m ? m + 7 : "");
}

/* By workload, executor, then method (a spawn method's heap sweep stays together, in heap order),
 * then the parameters in version order, then the run. */
static int cmp_sched(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    char ma[32], mb[32];
    sched_method(a->params, ma, sizeof ma);
    sched_method(b->params, mb, sizeof mb);
    int d;
    if ((d = strcmp(a->workload, b->workload)) || (d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) ||
        (d = strcmp(a->executor, b->executor)) || (d = strcmp(ma, mb)) || (d = strverscmp(a->params, b->params)) ||
        (d = (a->workers > b->workers) - (a->workers < b->workers)))
        return d;
    return (a->run > b->run) - (a->run < b->run);
}

/* "heap_kib=0 method=fork cpus=none" -> "heap_kib=0 fork cpus=none": a word that names itself
 * (fork, eventfd) goes alone; numbers and placement words keep their key. */
static void short_params(const char *params, char *out, size_t len)
{
    static const char *const keep_key[] = {"cpus", "pin"};
    size_t used = 0;
    out[0] = '\0';
    char *copy = rpt_strdup(params), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok && used < len; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        const char *v = eq ? eq + 1 : tok;
        bool numeric = *v && strspn(v, "0123456789.") == strlen(v), key = !eq || numeric;
        if (eq) {
            *eq = '\0';
            key |= rpt_rank(tok, keep_key, 2) < 2;
            *eq = '=';
        }
        int n = snprintf(out + used, len - used, "%s%s", used ? " " : "", key ? tok : v);
        used += n > 0 ? (size_t)n : 0;
    }
    free(copy);
}

/* One sched_* workload: per configuration the time of one operation, p50/p90/p99 (as the latency
 * chart draws them); without percentiles, 1 / throughput. */
static size_t sched_panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, size_t from, size_t to)
{
    double width = 0.8 / (double)r->n_runs;
    size_t cat = 0, n = 0;
    bool by_workers = false; /* configurations that differ by their worker count alone (sched_dispatch) */
    for (size_t i = from + 1; i < to; i++)
        by_workers |= l->v[i]->workers != l->v[from]->workers;
    rpt_block(po, "points: x, p50, p90, p99, colour, text, width");
    for (size_t i = from; i < to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i > from && (!rpt_eq(l->v[i - 1]->executor, c->executor) || !rpt_eq(l->v[i - 1]->params, c->params) ||
                         l->v[i - 1]->workers != c->workers))
            cat++;
        double p50 = rpt_has(c, M_P50) ? c->v[M_P50] : 1e6 / c->v[M_TPS];
        double p90 = rpt_has(c, M_P90) ? c->v[M_P90] : p50, p99 = rpt_has(c, M_P99) ? c->v[M_P99] : p50;
        char color[8];
        if (r->n_runs > 1)
            snprintf(color, sizeof color, "%s", rpt_run_color(c->run));
        else
            snprintf(color, sizeof color, "%s", rpt_color(c));
        double x = (double)cat + ((double)c->run - (double)(r->n_runs - 1) / 2.0) * width;
        fprintf(po->dat, "%.4f", x); /* a zero throughput has no time per operation: missing */
        rpt_dat_val(po->dat, p50);
        rpt_dat_val(po->dat, p90);
        rpt_dat_val(po->dat, p99);
        fprintf(po->dat, "\t%u\t\"\"\t%.4f\n", rpt_rgb(color), width);
        rpt_y(po, p50);
        rpt_y(po, p99);
        n++;
    }
    rpt_block(po, "categories: x, label");
    size_t k = 0;
    for (size_t i = from; i < to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i > from && rpt_eq(l->v[i - 1]->executor, c->executor) && rpt_eq(l->v[i - 1]->params, c->params) &&
            l->v[i - 1]->workers == c->workers)
            continue;
        char params[256], w[32] = "";
        short_params(c->params, params, sizeof params);
        if (by_workers)
            snprintf(w, sizeof w, " %ld workers", c->workers);
        char *label = rpt_asprintf("%s%s%s%s", rpt_is_serial(c) ? "" : c->executor,
                                   rpt_is_serial(c) || !*params ? "" : " ", params, w);
        rpt_cat_str(&po->r->max_cat, po->dat, k++, label);
        /* costs.gp turns these labels upright (90 degrees): they need about 1.5 times the height of
         * the 25-degree labels the layout assumes. */
        po->r->max_cat = 3 * strlen(label) / 2 > po->r->max_cat ? 3 * strlen(label) / 2 : po->r->max_cat;
        free(label);
    }
    fprintf(po->gp, "P_NCAT = %zu\nP_KIND = 2\n", cat + 1);
    return n;
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list pools = rpt_select(r, rpt_pick_pool), sched = rpt_select(r, pick_sched);
    int rc = 0, drawn = 0;
    size_t dropped = 0;
    rpt_panel_out po;
    rc = rpt_panel_begin(r, &po, ch->def->name, 1, "spawn cost per task: (per-task - pool batch time) / tasks");
    size_t n = rc == 0 ? spawn_panel(r, &po, &pools, &dropped) : 0;
    if (rc == 0)
        fprintf(po.gp, "P_KIND = 1\n");
    rc = rpt_panel_end(&po) ? -EIO : rc;
    drawn += n > 0;
    if (sched.n) {
        qsort(sched.v, sched.n, sizeof *sched.v, cmp_sched);
        rpt_pct_keys(r);
        rpt_run_keys(r);
    }
    for (size_t from = 0, to; rc == 0 && from < sched.n; from = to) {
        for (to = from + 1; to < sched.n && rpt_eq(sched.v[to]->workload, sched.v[from]->workload); to++)
            ;
        char *title = rpt_asprintf("%s: time per operation", sched.v[from]->workload);
        rc = rpt_panel_begin(r, &po, ch->def->name, drawn + 1, title);
        free(title);
        if (rc == 0)
            sched_panel(r, &po, &sched, from, to);
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn++;
    }
    char note[320];
    snprintf(note, sizeof note, "spawn cost is a wall-time difference: where tasks wait, spawning overlaps the "
                                "waits, so noop gives the cleanest figure%s",
             dropped ? "; points where per-task was not slower than the pool are left out (log scale)" : "");
    rc = rpt_chart_end(r, ch, rc, drawn, rpt_cols_for(drawn), 400,
                       "no pool/per-task pairs with the same parameters and no sched_* rows", note);
    free(pools.v);
    free(sched.v);
    return rc;
}

const rpt_chart_def rpt_chart_costs = {
    .name = "costs",
    .num = "6",
    .title = "Spawn and scheduler costs",
    .about = "The price of starting a worker for each task instead of reusing a pool: the difference of the "
             "per-task and pool batch times divided by the tasks of a batch, per executor and workload (log scale). "
             "A fork costs more than a pthread_create; the gap is what a pool saves. Scheduler microbenchmarks "
             "(sched_* workloads) appear in a second panel when the CSV has them; the spawn panel's forks from "
             "tvp-spawner stand side by side in heap order, fork's cost against the parent's resident memory.",
    .draw = draw,
};
