/* chart_throughput.c: chart 2, tasks per second at the largest worker count, median bars with min/max whiskers. */
#include "plot.h"

static bool pick(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_TPS); }

static int draw(rpt *r, rpt_chart *ch)
{
    static const rpt_bar_spec spec = {M_TPS, -1, -1, pick, "no rows with a throughput (tasks_per_s)", NULL, 300};
    return rpt_chart_bars(r, ch, &spec);
}

const rpt_chart_def rpt_chart_throughput = {
    .name = "throughput",
    .num = "2",
    .title = "Throughput at the largest worker count",
    .about = "Tasks completed per second by each executor at the run's largest worker count (serial at one worker "
             "for reference), one panel per workload. The bar is the median of the repetitions, the whiskers span "
             "the fastest and the slowest repetition, so overlapping whiskers mean no measurable difference. Pale "
             "bars start a thread or process per task.",
    .draw = draw,
};
