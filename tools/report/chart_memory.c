/* chart_memory.c: chart 5, PSS of the harness and its workers vs workers, one panel per workload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

/* Per-task rows are left out: their workers are gone when the harness samples PSS. */
static bool pick(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && rpt_has(c, M_RSS) && !rpt_per_task(c);
}

static int draw(rpt *r, rpt_chart *ch)
{
    rpt_list l = rpt_select(r, pick);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    if (np == 0) {
        rpt_skip(r, ch, "no rows with memory (rss_kib)");
        free(l.v);
        return 0;
    }
    long xmax = 1;
    for (size_t i = 0; i < l.n; i++)
        xmax = l.v[i]->workers > xmax ? l.v[i]->workers : xmax;
    int rc = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, ch->def->name, (int)k + 1, title);
        if (rc == 0) {
            static const int y[] = {M_RSS};
            rpt_write_lines(r, &po, &l, &p[k], &s, y, 1, true);
            fprintf(po.gp, "P_XMAX = %ld\n", xmax);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
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
