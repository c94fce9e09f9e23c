/* chart_speedup.c: chart 1, speedup against the serial executor vs workers, one panel per workload. */
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

static bool pick(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && !rpt_is_serial(c) && rpt_has(c, M_SPEEDUP);
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l;
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_panel p[64];
    size_t np = rpt_chart_begin(r, ch, pick, &s, &l, p, 64,
                                "no rows with a speedup (parallel executors need a serial reference row)");
    if (np == 0)
        return 0;
    rpt_key_add(r, "ideal (speedup = workers)", "#000000", 2, -1, 1);
    rpt_key_add(r, "serial (1x)", "#888888", 3, -1, 1);
    rpt_key_add(r, "usable CPUs", "#009E73", 4, -1, 1);
    int rc = rpt_line_panels(r, ch, &l, p, np, &s, M_SPEEDUP);
    if (rc == 0) {
        char note[256];
        snprintf(note, sizeof note, "speedup = serial batch time / batch time, same workload and parameters; %s",
                 rpt_rep_note(r));
        rc = rpt_chart_vars(r, ch, (int)np, rpt_cols_for((int)np), 330, note);
    }
    free(l.v);
    return rc;
}

const rpt_chart_def rpt_chart_speedup = {
    .name = "speedup",
    .num = "1",
    .title = "Speedup vs workers",
    .about = "Speedup against the serial executor (same workload, same parameters) as the worker count grows, one "
             "panel per workload, one line per executor, spawn mode and GIL setting; both axes are logarithmic. The "
             "black dashed diagonal is ideal scaling (speedup = workers); the green vertical line marks the usable "
             "CPUs. CPU-bound work flattens at the CPU count; waiting work follows the diagonal past it. Lines that "
             "fall away from the rest show a cost of the vehicle.",
    .draw = draw,
};
