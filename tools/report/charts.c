/* charts.c: the registry of charts, in the order the page shows them.
 *
 * Adding a chart: write tools/report/chart_<name>.c defining `const rpt_chart_def rpt_chart_<name>`
 * (name, number, title, caption, draw function; see plot.h) and scripts/gnuplot/<name>.gp, then
 * add one X(<name>) line below. CMake picks the new file up by its name.
 */
#include "plot.h"

#define RPT_CHART_LIST(X) \
    X(speedup)            \
    X(throughput)         \
    X(latency)            \
    X(convoy)             \
    X(cpu)                \
    X(memory)             \
    X(costs)              \
    X(gil)

#define RPT_CHART_DECLARE(n) extern const rpt_chart_def rpt_chart_##n;
#define RPT_CHART_ENTRY(n) &rpt_chart_##n,

RPT_CHART_LIST(RPT_CHART_DECLARE)

const rpt_chart_def *const rpt_charts[] = {RPT_CHART_LIST(RPT_CHART_ENTRY)};
const size_t rpt_n_charts = sizeof rpt_charts / sizeof rpt_charts[0];
