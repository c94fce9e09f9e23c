/* jobs.h: the run's plan: each (configuration, repetition) is its own Google Benchmark run, in
 * matrix order or shuffled. tvp owns repetitions, so Google Benchmark never aggregates over runs
 * it cannot handle (a failed or interrupted repetition), and names stay the configuration. */
#ifndef TVP_JOBS_H
#define TVP_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"
#include "sched_bench.h"

typedef enum { JOB_WORKLOAD = 1, JOB_SCHED } job_kind;

/* One configuration of the matrix. */
typedef struct job_config {
    job_kind kind;
    const char *name; /* the configuration's identity: the benchmark column */
    union {
        bench_case *workload; /* JOB_WORKLOAD */
        sched_case *sched;    /* JOB_SCHED */
    } u;
    size_t index;     /* position in the matrix: rows and the summary follow it */
} job_config;

/* One Google Benchmark run: a configuration's repetition. */
typedef struct job {
    const job_config *config;
    uint32_t rep;
} job;

typedef struct job_plan {
    job_config *configs;
    size_t n_configs;
    job *jobs; /* n_configs * repetitions, in run order */
    size_t n_jobs;
    uint32_t repetitions;
    bool shuffled;
    uint64_t seed; /* of the shuffle */
} job_plan;

/* The configurations whose name passes `filter` (Google Benchmark's syntax; NULL: all), each
 * repeated `reps` times; shuffled (seeded) when `interleave`, else configuration by
 * configuration. Returns 0, -ENOENT when the filter matches nothing, -EINVAL for a bad filter,
 * or -ENOMEM. */
int jobs_plan(job_plan *p, bench_case *cases, size_t n_cases, sched_set *sched, const char *filter,
              uint32_t reps, bool interleave, uint64_t seed);
/* Registers every job with Google Benchmark, in run order. 0 or -errno. */
int jobs_register(const job_plan *p);
void jobs_free(job_plan *p);

#endif /* TVP_JOBS_H */
