/* report.h: one tidy row per (configuration, repetition) from Google Benchmark's runs, speedups
 * against serial, and the per-configuration summary (the only place aggregates live). */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "gbench.h"
#include "jobs.h"
#include "results.h"

/* The measures a row keeps as numbers (NaN when absent) for speedups, the summary and the JSON. */
typedef enum { REPORT_WALL = 0, REPORT_TPS, REPORT_CPU_S, REPORT_CPU_UTIL, REPORT_P50, REPORT_P99, REPORT_M_COUNT } report_measure;

/* One run of one job. */
typedef struct report_row {
    const job *job;
    const char *status; /* "ok" | "failed" | "interrupted" */
    double m[REPORT_M_COUNT];
    double speedup;     /* against the serial median of the same workload parameters; NaN if none */
    long long iterations;
    json_t *counters;   /* the run's finite counters, for the JSON (NULL unless ok) */
} report_row;

/* One configuration over its repetitions. */
typedef struct report_config {
    const job_config *config;
    size_t n, n_ok;
    const char *status;   /* ok when every repetition is; else failed if one failed, else interrupted */
    double median[REPORT_M_COUNT], mean[REPORT_M_COUNT], stddev[REPORT_M_COUNT], cv[REPORT_M_COUNT];
    double speedup, speedup_lo, speedup_hi; /* ratio of medians serial/this, its 95% interval */
    size_t n_server_limited, n_server_judged; /* net: ok repetitions whose delay server was late by a
                                               * material part of the task time, of those judged */
    size_t first_row;     /* its rows are first_row .. first_row + n - 1 (after report_finish) */
} report_config;

typedef struct report report;

int report_init(report **out, const cli_opts *o, const job_plan *plan, const char *run_id);
void report_free(report *r);

/* The gb_run_specified() callback: fills the job's row. */
void report_on_run(const gb_run *run, void *r);

/* After the run: a job that never reported gets an interrupted row ("not run"), rows are put in
 * matrix order (configuration, repetition), speedups are filled and the summary is built. */
int report_finish(report *r);

const results_table *report_table(const report *r);         /* the main CSV */
const results_table *report_summary_table(const report *r); /* the summary CSV */
const report_row *report_rows(const report *r, size_t *n);
const report_config *report_configs(const report *r, size_t *n);
/* Configurations whose summary status is `status`. */
size_t report_count_status(const report *r, const char *status);

/* Per workload configuration: executor x workers -> medians of time per batch, speedup, CPU. */
void report_print_summary(const report *r, FILE *f);

#endif /* TVP_REPORT_H */
