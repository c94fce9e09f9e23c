/* chartkit.c: what several charts share: line and bar panels, legends, switch-interval tics, a chart's start and end. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* ---- lines ---- */

void rpt_write_lines(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p,
                     const rpt_sort_ctx *s, const int *ycols, int ny, bool with_switch)
{
    rpt_xt xt = {.n = 0};
    for (size_t i = p->from; i < p->to; i++)
        rpt_xt_add(&xt, s->x_metric == -2 ? l->v[i]->switch_us : l->v[i]->workers);
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i == p->from || rpt_cmp_cfg_key(l->v[i - 1], c, s) != 0) {
            char label[256];
            rpt_label(r, c, with_switch, label, sizeof label);
            rpt_series(po, label, rpt_color(c), rpt_dash(c), rpt_point_type(c));
        }
        fprintf(po->dat, "%ld", s->x_metric == -2 ? c->switch_us : c->workers);
        for (int k = 0; k < ny; k++) {
            double v = c->v[ycols[k]];
            rpt_dat_val(po->dat, v);
            rpt_y(po, v);
        }
        fputc('\n', po->dat);
    }
    rpt_onex(po, &xt);
}

const char *rpt_rep_note(const rpt *r)
{
    return rpt_has_spread(r) ? "median of the repetitions" : "one repetition per configuration (no spread measured)";
}

/* ---- bars ---- */

long rpt_max_workers(const rpt_list *l, const rpt_panel *p, size_t run)
{
    long w = 0;
    for (size_t i = p->from; i < p->to; i++)
        if (l->v[i]->run == run && !rpt_is_serial(l->v[i]) && l->v[i]->workers > w)
            w = l->v[i]->workers;
    return w;
}

bool rpt_bar_member(const rpt_list *l, const rpt_panel *p, const rpt_cfg *c)
{
    return rpt_is_serial(c) || c->workers == rpt_max_workers(l, p, c->run);
}

void rpt_bar_color(const rpt *r, const rpt_cfg *c, char out[8])
{
    if (r->n_runs > 1) {
        snprintf(out, 8, "%s", rpt_run_color(c->run));
        return;
    }
    if (rpt_per_task(c))
        rpt_tint(rpt_color(c), out);
    else
        snprintf(out, 8, "%s", rpt_color(c));
}

/* Bars of one panel: block 0 = bars (x, value, lo, hi, rgb, text), block 1 = x tic labels.
 * Categories along x, runs side by side inside a category. */
static size_t rpt_write_bars(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, int m,
                             int m2, int m3, double scale)
{
    rpt_sort_ctx s = {.with_switch = false, .with_run = false};
    double width = 0.8 / (double)r->n_runs;
    size_t cat = 0, bars = 0;
    char (*labels)[96] = rpt_xmalloc((p->to - p->from + 1) * sizeof *labels);
    const rpt_cfg *prev = NULL;
    rpt_block(po, "bars: x, value, low, high, colour, text, width");
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (!rpt_bar_member(l, p, c) || isnan(c->v[m]))
            continue;
        if (prev && rpt_cmp_cfg_key(prev, c, &s) != 0)
            cat++;
        prev = c;
        rpt_cat_label(c, labels[cat], sizeof labels[cat]);
        double x = (double)cat + ((double)c->run - (double)(r->n_runs - 1) / 2.0) * width;
        char color[8], text[32];
        rpt_bar_color(r, c, color);
        /* value with min/max whiskers, or three values (percentiles) */
        fprintf(po->dat, "%.4f", x);
        rpt_dat_val(po->dat, c->v[m] * scale);
        rpt_dat_val(po->dat, (m2 < 0 ? c->lo[m] : c->v[m2]) * scale);
        rpt_dat_val(po->dat, (m2 < 0 ? c->hi[m] : c->v[m3]) * scale);
        fprintf(po->dat, "\t%u", rpt_rgb(color));
        rpt_y(po, c->v[m] * scale);
        rpt_y(po, (m2 < 0 ? c->lo[m] : c->v[m]) * scale);
        rpt_y(po, (m2 < 0 ? c->hi[m] : c->v[m3]) * scale);
        rpt_fmt_rate(c->v[m], text, sizeof text);
        fputc('\t', po->dat);
        rpt_dat_str(po->dat, text);
        fprintf(po->dat, "\t%.4f\n", width);
        bars++;
    }
    if (bars) {
        rpt_block(po, "categories: x, label");
        for (size_t k = 0; k <= cat; k++)
            rpt_cat_str(&po->r->max_cat, po->dat, k, labels[k]);
        fprintf(po->gp, "P_NCAT = %zu\n", cat + 1);
    }
    free(labels);
    return bars;
}

void rpt_run_keys(rpt *r)
{
    for (size_t i = 0; r->n_runs > 1 && i < r->n_runs; i++)
        rpt_key_add(r, r->runs[i].label, rpt_run_color(i), 1, -1, 2);
}

void rpt_pct_keys(rpt *r)
{
    rpt_key_add(r, "p50", "#444444", 1, 7, 3);
    rpt_key_add(r, "p90", "#444444", 1, 9, 3);
    rpt_key_add(r, "p99", "#444444", 1, 5, 3);
}

/* The largest value of a metric among a panel's bars. */
static double rpt_bar_max(const rpt_list *l, const rpt_panel *p, int m)
{
    double mx = 0;
    for (size_t i = p->from; i < p->to; i++)
        if (rpt_bar_member(l, p, l->v[i]) && l->v[i]->v[m] > mx)
            mx = l->v[i]->v[m];
    return mx;
}

/* A unit that keeps the axis labels short: tasks/s, thousand or million tasks/s. */
static double rpt_rate_scale(double max, const char **label)
{
    if (max >= 2e6) {
        *label = "million tasks per second";
        return 1e-6;
    }
    if (max >= 2e4) {
        *label = "thousand tasks per second";
        return 1e-3;
    }
    *label = "tasks per second";
    return 1;
}

int rpt_chart_bars(rpt *r, rpt_chart *ch, const rpt_bar_spec *b)
{
    rpt_list l = rpt_select(r, b->pick);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    int rc = 0, drawn = 0;
    if (b->m2 >= 0)
        rpt_pct_keys(r);
    rpt_run_keys(r);
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256], wtitle[300];
        rpt_panel_title(&p[k], title, sizeof title);
        long w = rpt_max_workers(&l, &p[k], 0);
        for (size_t ru = 1; ru < r->n_runs; ru++)
            w = rpt_max_workers(&l, &p[k], ru) > w ? rpt_max_workers(&l, &p[k], ru) : w;
        if (w > 0)
            snprintf(wtitle, sizeof wtitle, "%s (%ld workers)", title, w);
        else
            snprintf(wtitle, sizeof wtitle, "%s", title);
        rc = rpt_panel_begin(r, &po, ch->def->name, drawn + 1, wtitle);
        const char *ylabel = "task latency (\xc2\xb5s)";
        double scale = b->m2 < 0 ? rpt_rate_scale(rpt_bar_max(&l, &p[k], b->m), &ylabel) : 1.0;
        size_t bars = rc == 0 ? rpt_write_bars(r, &po, &l, &p[k], b->m, b->m2, b->m3, scale) : 0;
        if (rc == 0) {
            fprintf(po.gp, "P_YLABEL = ");
            rpt_gp_str(po.gp, ylabel);
            fputc('\n', po.gp);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += bars > 0;
    }
    rc = rpt_chart_end(r, ch, rc, drawn, rpt_cols_for(drawn), b->panel_h, b->empty,
                       b->note ? b->note
                       : rpt_has_spread(r)
                           ? "bar: median of the repetitions, whiskers: the fastest and the slowest repetition"
                           : "one repetition per configuration: no whiskers (run the default profile for spread)");
    free(l.v);
    return rc;
}

/* ---- switch-interval tics ---- */

void rpt_xt_add(rpt_xt *x, long v)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i] == v)
            return;
    if (x->n < 32)
        x->v[x->n++] = v;
}

void rpt_xt_write(const rpt_xt *x, FILE *gp)
{
    fputs("P_XT = \"", gp);
    for (size_t i = 0; i < x->n; i++)
        fprintf(gp, "%s%ld", i ? " " : "", x->v[i]);
    fputs("\"\n", gp);
}

void rpt_onex(rpt_panel_out *po, const rpt_xt *xt)
{
    bool one = xt->n == 1;
    fprintf(po->gp, "P_ONEX = %d\nP_ONEX_AT = %ld\n", one, xt->n ? xt->v[0] : 0L);
    for (size_t i = 0; one && i < po->ns; i++)
        po->r->max_cat = strlen(po->s[i].label) > po->r->max_cat ? strlen(po->s[i].label) : po->r->max_cat;
}

size_t rpt_chart_begin(rpt *r, rpt_chart *ch, rpt_pred pick, rpt_sort_ctx *s, rpt_list *l, rpt_panel *p,
                       size_t cap, const char *empty)
{
    *l = rpt_select(r, pick);
    rpt_sort(l, s);
    size_t np = rpt_panels(l, p, cap);
    if (np == 0) {
        rpt_skip(r, ch, empty);
        free(l->v);
        l->v = NULL;
    }
    return np;
}

int rpt_chart_end(rpt *r, rpt_chart *ch, int rc, int drawn, int cols, int panel_h, const char *empty,
                  const char *note)
{
    if (rc != 0)
        return rc;
    if (drawn == 0) {
        rpt_skip(r, ch, empty);
        return 0;
    }
    return rpt_chart_vars(r, ch, drawn, cols, panel_h, note);
}

int rpt_line_panels(rpt *r, rpt_chart *ch, const rpt_list *l, const rpt_panel *p, size_t np,
                    const rpt_sort_ctx *s, int m)
{
    long xmax = 1;
    for (size_t i = 0; i < l->n; i++)
        xmax = l->v[i]->workers > xmax ? l->v[i]->workers : xmax;
    int rc = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, ch->def->name, (int)k + 1, title);
        if (rc == 0) {
            const int y[] = {m};
            rpt_write_lines(r, &po, l, &p[k], s, y, 1, true);
            fprintf(po.gp, "P_XMAX = %ld\n", xmax);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
    return rc;
}
