/* summary.h: per-configuration aggregates over repetitions (median, mean, stddev, cv, the speedup
 * with its 95% interval), the summary CSV table and the console summary. */
#ifndef TVP_SUMMARY_H
#define TVP_SUMMARY_H

#include <stdio.h>

#include "jobs.h"
#include "report.h"
#include "results.h"

/* Level of the speedup interval. */
#define SUMMARY_ALPHA 0.05

/* From rows in matrix order (plan->repetitions rows per configuration): each configuration's
 * aggregates into *out (plan->n_configs entries, freed by the caller) and each workload row's
 * speedup (the serial configuration with the same workload parameters, gil and pin: its median
 * wall time over this row's). 0 or -ENOMEM. */
int summary_build(report_row *rows, const job_plan *plan, report_config **out);

/* The summary CSV: identity columns copied from the first row of each configuration in `main`,
 * then n, n_ok, status, the aggregates, the parameter columns, server_limited and detail. First it
 * judges each net row of `main` from its own cells (its server_limited column, and the counts in
 * `c`). 0 or -errno. */
int summary_table(report_config *c, size_t n, results_table *main, results_table *out);

/* The console summary: per workload configuration, executor x workers -> medians. */
void summary_print(const report_config *c, size_t n, FILE *f);

#endif /* TVP_SUMMARY_H */
