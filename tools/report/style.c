/* style.c: how a configuration looks in a chart: colour by executor and GIL, marker and dash by spawn and run, its label. */
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

const char *rpt_color(const rpt_cfg *c)
{
    int e = rpt_exec_rank(c->executor), g = rpt_gil_rank(c->gil);
    static const char *const threads[] = {"#0072B2", "#CC79A7", "#882255", "#0072B2"};
    static const char *const procs[] = {"#D55E00", "#E69F00", "#8C564B", "#D55E00"};
    if (e == 0)
        return "#444444";
    if (e == 1)
        return threads[g];
    if (e == 2)
        return procs[g];
    return "#009E73";
}

const char *rpt_run_color(size_t run)
{
    static const char *const c[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#444444"};
    return c[run % 7];
}

void rpt_tint(const char *hex, char out[8])
{
    unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);
    unsigned rgb[3] = {(v >> 16) & 255, (v >> 8) & 255, v & 255};
    for (int i = 0; i < 3; i++)
        rgb[i] = rgb[i] + (255 - rgb[i]) * 45 / 100;
    snprintf(out, 8, "#%02x%02x%02x", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

unsigned rpt_rgb(const char *hex) { return (unsigned)strtoul(hex + 1, NULL, 16); }

int rpt_point_type(const rpt_cfg *c)
{
    static const int filled[] = {7, 9, 5, 13, 11};
    int pt = filled[c->run % 5];
    return rpt_per_task(c) ? pt - 1 : pt;
}

int rpt_dash(const rpt_cfg *c)
{
    bool other_run = c->run % 2 == 1;
    return rpt_per_task(c) ? (other_run ? 3 : 2) : (other_run ? 4 : 1);
}

void rpt_label(const rpt *r, const rpt_cfg *c, bool with_switch, char *buf, size_t len)
{
    char sw[32] = "";
    if (with_switch && !rpt_eq(c->gil, "off") && c->switch_us >= 0) {
        sw[0] = ' ';
        rpt_fmt_switch(c->switch_us, sw + 1, sizeof sw - 1);
    } else if (with_switch && c->ticks >= 0) {
        snprintf(sw, sizeof sw, " %ld ticks", c->ticks);
    }
    snprintf(buf, len, "%s%s%s%s%s%s%s", c->executor, rpt_per_task(c) ? " per-task" : "",
             rpt_eq(c->gil, "on") ? " +GIL" : rpt_eq(c->gil, "off") ? "" : " +GIL:",
             rpt_eq(c->gil, "on") || rpt_eq(c->gil, "off") ? "" : c->gil, sw, r->n_runs > 1 ? " \xc2\xb7 " : "",
             r->n_runs > 1 ? r->runs[c->run].label : "");
}

void rpt_cat_label(const rpt_cfg *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s", c->executor, rpt_per_task(c) ? " per-task" : "",
             rpt_eq(c->gil, "off") ? "" : rpt_eq(c->gil, "on") ? " +GIL" : " +GIL:",
             rpt_eq(c->gil, "off") || rpt_eq(c->gil, "on") ? "" : c->gil);
}

void rpt_panel_title(const rpt_panel *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", p->workload, *p->params ? ": " : "", p->params);
}
