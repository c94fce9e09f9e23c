/* chart_memory.c: chart 5, PSS of the harness and its workers vs workers, one panel per workload. */
#include <stdlib.h>

#include "plot.h"

/* Per-task rows are left out: their workers are gone when the harness samples PSS. */
static bool pick(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && rpt_has(c, M_RSS) && !rpt_per_task(c);
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l;
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_panel p[64];
    size_t np = rpt_chart_begin(r, ch, pick, &s, &l, p, 64, "no rows with memory (rss_kib)");
    if (np == 0)
        return 0;
    int rc = rpt_line_panels(r, ch, &l, p, np, &s, M_RSS);
    if (rc == 0)
        rc = rpt_chart_vars(r, ch, (int)np, rpt_cols_for((int)np), 300,
                            "PSS of the harness and its workers (shared pages split between the processes that map "
                            "them); per-task spawning left out: its workers are gone when PSS is sampled");
    free(l.v);
    return rc;
}

const rpt_chart_def rpt_chart_memory = {
    .name = "memory",
    .num = "5",
    .title = "Memory vs workers",
    .about = "Proportional set size (PSS) of the harness plus its workers as the worker count grows: forked "
             "processes share their pages copy-on-write, so PSS grows only by what each one dirties, threads share "
             "everything.",
    .draw = draw,
};
