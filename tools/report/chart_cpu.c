/* chart_cpu.c: chart 4, CPU utilisation and context switches per task: grouped bars, one group per workload. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static bool pick(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_UTIL); }

/* Category index of a configuration inside a sorted list of distinct categories. */
typedef struct cats {
    const rpt_cfg *v[64];
    size_t n;
} cats;

static size_t cat_index(cats *cs, const rpt_cfg *c)
{
    for (size_t i = 0; i < cs->n; i++)
        if (rpt_eq(cs->v[i]->executor, c->executor) && rpt_eq(cs->v[i]->spawn, c->spawn) &&
            rpt_eq(cs->v[i]->gil, c->gil))
            return i;
    if (cs->n < 64)
        cs->v[cs->n++] = c;
    return cs->n - 1;
}

static int cmp_cat(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    int d;
    if ((d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) || (d = strcmp(a->executor, b->executor)))
        return d;
    if ((d = strcmp(b->spawn, a->spawn)))
        return d;
    return rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil);
}

/* One grouped-bar panel: x groups = workloads, bars = categories (x runs). */
static void panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, size_t np, cats *cs,
                  int metric, bool per_task)
{
    size_t per_group = cs->n * r->n_runs;
    double width = 0.84 / (double)per_group;
    rpt_block(po, "bars: x, value, value, value, colour, text, width");
    for (size_t g = 0; g < np; g++) {
        for (size_t i = p[g].from; i < p[g].to; i++) {
            const rpt_cfg *c = l->v[i];
            if (!rpt_bar_member(l, &p[g], c))
                continue;
            size_t ci = cat_index(cs, c);
            double v = c->v[metric] / (per_task && c->tasks > 0 ? (double)c->tasks : 1.0);
            if (!isfinite(v))
                continue;
            double x = (double)g - 0.42 + width * ((double)(ci * r->n_runs + c->run) + 0.5);
            char color[8], text[32];
            rpt_bar_color(r, c, color); /* the run's colour when runs are overlaid */
            if (v < 0.005 && per_group > 5)
                text[0] = '\0'; /* narrow bars: a label of nothing would crowd its neighbours */
            else if (v == 0)
                snprintf(text, sizeof text, "0");
            else if (v < 0.005)
                snprintf(text, sizeof text, "<0.01");
            else
                snprintf(text, sizeof text, "%.2f", v);
            fprintf(po->dat, "%.4f\t%.9g\t%.9g\t%.9g\t%u\t", x, v, v, v, rpt_rgb(color));
            rpt_dat_str(po->dat, text);
            fprintf(po->dat, "\t%.4f\n", width);
            rpt_y(po, v);
        }
    }
    /* A group is named by its workload; its parameters only when the workload has several groups
     * (the panel titles of the other charts carry them). */
    rpt_block(po, "groups: x, label");
    for (size_t g = 0; g < np; g++) {
        bool repeated = false;
        for (size_t h = 0; h < np; h++)
            repeated |= h != g && rpt_eq(p[h].workload, p[g].workload);
        char title[256];
        if (repeated)
            rpt_panel_title(&p[g], title, sizeof title);
        else
            snprintf(title, sizeof title, "%s", p[g].workload);
        fprintf(po->dat, "%zu\t", g);
        rpt_dat_str(po->dat, title);
        fputc('\n', po->dat);
    }
    /* Value labels only where they fit: upright on a bar of 26 px or more, rotated on one of 11 px
     * or more (the panel is about 900 px wide), none below. */
    double bar_px = 900.0 / (double)(np ? np : 1) * width;
    fprintf(po->gp, "P_NCAT = %zu\nP_VLAB = %d\n", np, bar_px >= 26 ? 1 : bar_px >= 11 ? 2 : 0);
}

/* Legend: the bar colours (categories, or runs when overlaid), the CPU line. */
static void keys(rpt *r, const cats *cs)
{
    if (r->n_runs > 1) {
        rpt_run_keys(r);
    } else {
        for (size_t i = 0; i < cs->n; i++) {
            char label[96], color[8];
            rpt_cat_label(cs->v[i], label, sizeof label);
            rpt_bar_color(r, cs->v[i], color);
            rpt_key_add(r, label, color, 1, -1, 2);
        }
    }
    rpt_key_add(r, "usable CPUs", "#009E73", 4, -1, 1);
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l;
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_panel p[64];
    size_t np = rpt_chart_begin(r, ch, pick, &s, &l, p, 64, "no rows with CPU utilisation");
    if (np == 0)
        return 0;
    cats cs = {.n = 0};
    for (size_t i = 0; i < l.n; i++)
        cat_index(&cs, l.v[i]);
    qsort(cs.v, cs.n, sizeof *cs.v, cmp_cat);
    keys(r, &cs);
    static const struct {
        const char *title;
        int metric;
        bool per_task;
    } panels[] = {{"CPU utilisation (CPUs busy = CPU time / wall time)", M_UTIL, false},
                  {"voluntary context switches per task (waits)", M_CTXV, true},
                  {"involuntary context switches per task (preemptions)", M_CTXI, true}};
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        rpt_panel_out po;
        rc = rpt_panel_begin(r, &po, ch->def->name, k + 1, panels[k].title);
        if (rc == 0)
            panel(r, &po, &l, p, np, &cs, panels[k].metric, panels[k].per_task);
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
    if (rc == 0)
        rc = rpt_chart_vars(r, ch, 3, 1, 260,
                            "serial at 1 worker, the others at each run's largest worker count; "
                            "context switches of the harness and its workers, per task");
    free(l.v);
    return rc;
}

const rpt_chart_def rpt_chart_cpu = {
    .name = "cpu",
    .num = "4",
    .title = "CPU utilisation and context switches",
    .about = "What each executor costs the machine: CPUs kept busy (CPU time over wall time; the dashed line is the "
             "usable CPU count), and voluntary (waiting) and involuntary (preempted) context switches per task, per "
             "workload at the largest worker count. Threads and processes doing the same work should look alike; "
             "extra switches or CPU time are overhead of the vehicle.",
    .draw = draw,
    .xlab_h = 40,
};
