/* chart_latency.c: chart 3, task latency percentiles (p50, p90, p99) per executor at the largest worker count. */
#include "plot.h"

static bool pick(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_P50); }

static int draw(rpt *r, rpt_chart *ch)
{
    static const rpt_bar_spec spec = {M_P50, M_P90, M_P99, pick, "no rows with task latency percentiles",
                                      "task latency from start to end of the task in its worker (no queue wait)",
                                      300};
    return rpt_chart_bars(r, ch, &spec);
}

const rpt_chart_def rpt_chart_latency = {
    .name = "latency",
    .num = "3",
    .title = "Task latency percentiles",
    .about = "How long one task runs from the moment a worker starts it to its end (queue wait not included), as "
             "p50 (circle), p90 (triangle) and p99 (square) on a logarithmic axis, per executor at the largest "
             "worker count. A long p50-to-p99 stem means tail latency: tasks preempted or waiting for a CPU or a "
             "lock.",
    .draw = draw,
};
