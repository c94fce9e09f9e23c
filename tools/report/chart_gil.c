/* chart_gil.c: chart 7, the GIL switch-interval trade-off: throughput and p99 latency vs the interval, per workload. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

static bool pick(const rpt *r, const rpt_cfg *c)
{
    return !rpt_eq(c->gil, "off") && c->switch_us >= 0 && !rpt_is_convoy(c) && !rpt_is_sched(c) &&
           rpt_eq(c->pin, r->runs[c->run].pin) && rpt_has(c, M_TPS);
}

/* Keeps, per series, the largest worker count. */
static bool keep(const rpt_list *l, size_t i)
{
    const rpt_cfg *c = l->v[i];
    rpt_sort_ctx s = {.with_switch = false, .with_run = true};
    for (size_t j = 0; j < l->n; j++)
        if (rpt_cmp_cfg_key(l->v[j], c, &s) == 0 && l->v[j]->workers > c->workers)
            return false;
    return true;
}

static size_t panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, int metric)
{
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    long xlo = -1, xhi = -1;
    rpt_xt xt = {.n = 0};
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (!keep(l, i) || isnan(c->v[metric]))
            continue;
        rpt_xt_add(&xt, c->switch_us);
        if (!prev || rpt_cmp_cfg_key(prev, c, &s) != 0) {
            char label[256], full[300];
            rpt_label(r, c, false, label, sizeof label);
            snprintf(full, sizeof full, "%s, %ld workers", label, c->workers);
            rpt_series(po, full, rpt_color(c), rpt_dash(c), rpt_point_type(c));
        }
        fprintf(po->dat, "%ld\t%.9g\n", c->switch_us, c->v[metric]);
        rpt_y(po, c->v[metric]);
        xlo = xlo < 0 || c->switch_us < xlo ? c->switch_us : xlo;
        xhi = c->switch_us > xhi ? c->switch_us : xhi;
        prev = c;
        n++;
    }
    /* Reference lines: the same configurations without the lock. */
    prev = NULL;
    for (size_t i = p->from; n && i < p->to; i++) {
        const rpt_cfg *c = l->v[i], *off;
        if (!keep(l, i) || (prev && rpt_cmp_cfg_key(prev, c, &s) == 0 && prev->workers == c->workers))
            continue;
        prev = c;
        if (!(off = rpt_gil_off_twin(r, c)) || isnan(off->v[metric]))
            continue;
        char label[256], full[300];
        rpt_label(r, off, false, label, sizeof label);
        snprintf(full, sizeof full, "%s without GIL", label);
        rpt_series(po, full, rpt_color(off), 3, -1);
        fprintf(po->dat, "%ld\t%.9g\n%ld\t%.9g\n", xlo, off->v[metric], xhi, off->v[metric]);
        rpt_y(po, off->v[metric]);
    }
    if (n) {
        fprintf(po->gp, "P_XMIN = %ld\nP_XMAX = %ld\n", xlo, xhi);
        rpt_xt_write(&xt, po->gp);
        rpt_onex(po, &xt);
    }
    return n;
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l = rpt_select(r, pick);
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    rpt_sort(&l, &s);
    rpt_panel p[32];
    size_t np = rpt_panels(&l, p, 32);
    int rc = 0, drawn = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        char title[256], t1[300], t2[300];
        rpt_panel_title(&p[k], title, sizeof title);
        snprintf(t1, sizeof t1, "%s: throughput", title);
        snprintf(t2, sizeof t2, "%s: p99 task latency", title);
        rpt_panel_out po;
        rc = rpt_panel_begin(r, &po, ch->def->name, drawn + 1, t1);
        size_t n = rc == 0 ? panel(r, &po, &l, &p[k], M_TPS) : 0;
        if (rc == 0)
            fprintf(po.gp, "P_KIND = 1\n");
        rc = rpt_panel_end(&po) ? -EIO : rc;
        if (rc || !n)
            continue;
        rc = rpt_panel_begin(r, &po, ch->def->name, drawn + 2, t2);
        if (rc == 0) {
            panel(r, &po, &l, &p[k], M_P99);
            fprintf(po.gp, "P_KIND = 2\n");
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += 2;
    }
    bool legacy = false;
    for (size_t i = 0; i < r->n_cfgs; i++)
        legacy |= rpt_eq(r->cfgs[i].gil, "legacy") && r->cfgs[i].switch_us < 0;
    rc = rpt_chart_end(r, ch, rc, drawn, 2, 300,
                       "no rows with the GIL on and a switch interval (run tvp-bench with --tvp_gil=on "
                       "--tvp_switch_us=...)",
                       legacy ? "each series at its largest worker count; dotted: the same configuration "
                                "without the GIL; legacy-GIL rows (check interval in ticks) are not on this axis"
                              : "each series at its largest worker count; dotted: the same configuration "
                                "without the GIL");
    free(l.v);
    return rc;
}

const rpt_chart_def rpt_chart_gil = {
    .name = "gil",
    .num = "7",
    .title = "GIL switch interval trade-off",
    .about = "With the emulated global interpreter lock on: throughput (left) and p99 task latency (right) against "
             "the switch interval, one row per workload. A longer interval lets a CPU-bound thread run longer "
             "(throughput) but makes the others wait longer (latency). The dotted line is the same executor "
             "without the lock.",
    .draw = draw,
};
