/* report.h: turns Google Benchmark's runs into tidy CSV rows, speedups and the console summary. */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

#include <stdio.h>

#include "cli.h"
#include "gbench.h"
#include "results.h"

typedef struct report report;

int report_init(report **out, const cli_opts *o, const char *run_id);
void report_free(report *r);

/* The gb_run_specified() callback: one row per repetition or aggregate. */
void report_on_run(const gb_run *run, void *r);

/* Fills speedup and efficiency: against the serial row with the same workload parameters, pin,
 * gil and task count in this run (the same aggregate for aggregate rows; the serial median for
 * repetition rows). */
void report_finish(report *r);

const results_table *report_table(const report *r);
size_t report_count_status(const report *r, const char *status);

/* Per workload configuration: executor x workers -> time per batch, speedup, efficiency, CPU. */
void report_print_summary(const report *r, FILE *f);

#endif /* TVP_REPORT_H */
