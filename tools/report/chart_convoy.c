/* chart_convoy.c: chart 3b, the convoy probe's latency vs the GIL switch interval, hogs as threads vs as processes.
 *
 * The convoy workload runs `hogs` CPU-bound tasks beside a probe that sleeps and needs the lock
 * again (workloads/convoy.c); its rows carry hogs, probes, probe_us and hog_slice. Whether the
 * hogs are threads or processes is the row's executor: under `threads` they share the probe's
 * lock (the convoy), under `processes` each has its own (the control). Rows with the GIL on are
 * drawn against switch_us; gil=off and legacy rows (no switch interval) as flat p99 references.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

/* Colour by the hogs' vehicle (the executor) and the lock. */
static const char *hog_color(const rpt_cfg *c)
{
    if (rpt_eq(c->executor, "threads"))
        return rpt_eq(c->gil, "legacy") ? "#882255" : "#CC79A7";
    if (rpt_eq(c->executor, "processes"))
        return rpt_eq(c->gil, "legacy") ? "#8C564B" : "#D55E00";
    return rpt_color(c);
}

/* Per series key keep only the largest worker count. */
static bool keep(const rpt_list *l, size_t i, const rpt_sort_ctx *s)
{
    const rpt_cfg *c = l->v[i];
    for (size_t j = 0; j < l->n; j++)
        if (rpt_cmp_cfg_key(l->v[j], c, s) == 0 && l->v[j]->switch_us == c->switch_us && l->v[j]->workers > c->workers)
            return false;
    return true;
}

/* Rows without a switch interval: flat p99 lines across the panel, "no GIL" or the legacy lock's ticks. */
static void refs(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, long xlo, long xhi)
{
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (c->switch_us >= 0 || !rpt_has(c, M_P99))
            continue;
        char label[256], full[300], color[8];
        bool off = rpt_eq(c->gil, "off");
        rpt_label(r, c, !off, label, sizeof label);
        snprintf(full, sizeof full, "%s%s (p99)", label, off ? ", no GIL" : "");
        rpt_tint(hog_color(c), color);
        rpt_series(po, full, color, 4, -1);
        fprintf(po->dat, "%ld\t%.9g\t?\n%ld\t%.9g\t?\n", xlo, c->v[M_P99], xhi, c->v[M_P99]);
        rpt_y(po, c->v[M_P99]);
    }
}

static int panel(rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, const rpt_sort_ctx *s)
{
    long xlo = -1, xhi = -1;
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    rpt_xt xt = {.n = 0};
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (c->switch_us < 0 || !keep(l, i, s))
            continue;
        rpt_xt_add(&xt, c->switch_us);
        if (!prev || rpt_cmp_cfg_key(prev, c, s) != 0) {
            char label[256];
            rpt_label(r, c, false, label, sizeof label);
            rpt_series(po, label, hog_color(c), 1, rpt_point_type(c));
        }
        fprintf(po->dat, "%ld", c->switch_us);
        rpt_dat_val(po->dat, c->v[M_P99]);
        rpt_dat_val(po->dat, c->v[M_P50]);
        fputc('\n', po->dat);
        rpt_y(po, c->v[M_P99]);
        rpt_y(po, c->v[M_P50]);
        xlo = xlo < 0 || c->switch_us < xlo ? c->switch_us : xlo;
        xhi = c->switch_us > xhi ? c->switch_us : xhi;
        prev = c;
        n++;
    }
    if (n) {
        refs(r, po, l, p, xlo, xhi);
        fprintf(po->gp, "P_XMIN = %ld\nP_XMAX = %ld\n", xlo, xhi);
        rpt_xt_write(&xt, po->gp);
        rpt_onex(po, &xt);
    }
    return (int)n;
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l = rpt_select(r, rpt_pick_convoy);
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    rpt_sort(&l, &s);
    rpt_panel p[16];
    size_t np = rpt_panels(&l, p, 16);
    int rc = 0, drawn = 0;
    rpt_key_add(r, "p99 (solid)", "#444444", 1, -1, 1);
    rpt_key_add(r, "p50 (dashed)", "#444444", 2, -1, 1);
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, ch->def->name, drawn + 1, title);
        int n = rc == 0 ? panel(r, &po, &l, &p[k], &s) : 0;
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += n > 0;
    }
    /* One run: a legend of what the styles mean (colour, marker, line), not one entry per series. */
    if (r->n_runs == 1) {
        bool off = false, legacy = false;
        for (size_t i = 0; i < l.n; i++) {
            off |= l.v[i]->switch_us < 0 && rpt_eq(l.v[i]->gil, "off");
            legacy |= l.v[i]->switch_us < 0 && rpt_eq(l.v[i]->gil, "legacy");
        }
        char pale[8];
        r->n_keys = 0;
        rpt_key_add(r, "hogs as threads (+GIL: one lock, shared with the probe)", "#CC79A7", 1, -1, 1);
        rpt_key_add(r, "hogs as processes (+GIL: a lock each)", "#D55E00", 1, -1, 1);
        rpt_key_add(r, "pool", "#444444", 1, 7, 3);
        rpt_key_add(r, "per-task", "#444444", 1, 6, 3);
        rpt_key_add(r, "p99 (solid)", "#444444", 1, -1, 1);
        rpt_key_add(r, "p50 (dashed)", "#444444", 2, -1, 1);
        rpt_tint("#CC79A7", pale);
        if (off)
            rpt_key_add(r, "no GIL, p99 (pale, dotted)", pale, 4, -1, 1);
        rpt_tint("#882255", pale);
        if (legacy)
            rpt_key_add(r, "legacy GIL, p99 (dark, dotted)", pale, 4, -1, 1);
    }
    rc = rpt_chart_end(r, ch, rc, drawn, rpt_cols_for(drawn), 380,
                       l.n ? "convoy rows carry no switch interval (switch_us): nothing to draw against"
                           : "no convoy workload rows in the CSV (run tvp-bench with --tvp_workloads=convoy)",
                       "probe latency: solid p99, dashed p50; at each series' largest worker count");
    free(l.v);
    return rc;
}

const rpt_chart_def rpt_chart_convoy = {
    .name = "convoy",
    .num = "3b",
    .title = "Convoy: probe latency vs GIL switch interval",
    .about = "The convoy workload: a short probe task competes with CPU hogs. The chart shows the probe's latency "
             "(p99 solid, p50 dashed) against the GIL switch interval, with the hogs as threads (the threads "
             "executor: one lock, shared with the probe) and as processes (the processes executor: a lock each). "
             "A hog thread makes the probe wait for the switch interval; a hog process does not.",
    .draw = draw,
};
