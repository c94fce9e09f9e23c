/* verdicts.h: the console's verdict block: threads vs processes, pool vs per-task, GIL on vs off
 * per workload and regime with 95% intervals, then what to use (lib/stats/verdict does the math;
 * tvp-report's page shows the same verdicts). */
#ifndef TVP_VERDICTS_H
#define TVP_VERDICTS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* Prints the block for the workload configurations of cf[0..n) (scheduler rows are left out),
 * reading each one's ok repetitions from rows (report_config.first_row); `interleaved`: whether
 * the repetitions ran in random order (else the block says what that costs). Prints nothing when
 * the run has no comparison to make. */
void verdicts_print(const report_config *cf, size_t n, const report_row *rows, bool interleaved, FILE *f);

#endif /* TVP_VERDICTS_H */
