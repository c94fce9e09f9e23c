/* columns.h: the registry of every column tvp writes, each defined once: name, kind, unit,
 * better direction, role and which benchmark kinds fill it. The CSV writer's order, the summary
 * file, tvp-report's parameter detection and tvp-compare's directions all read it. */
#ifndef TVP_COLUMNS_H
#define TVP_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { COL_TEXT = 0, COL_INT, COL_REAL } col_kind;

/* Which way is better for a measure; NEUTRAL for what describes rather than rates a run. */
typedef enum { COL_NEUTRAL = 0, COL_LOWER_BETTER, COL_HIGHER_BETTER } col_better;

typedef enum {
    COL_ID = 0,  /* the configuration's identity: run_id, benchmark, workload, executor, ... */
    COL_REP,     /* repetition */
    COL_STATUS,  /* status, detail */
    COL_PARAM,   /* a parameter: workload parameters, the scheduler's method/channel/cpus, ... */
    COL_MEASURE, /* a measurement of the run */
} col_role;

/* Which benchmark kinds fill a column (bits). */
#define COL_FILL_WORKLOAD 1u /* the workload matrix (bench/runner.c) */
#define COL_FILL_SCHED 2u    /* the scheduler microbenchmarks (bench/sched_bench.c) */
#define COL_FILL_ALL (COL_FILL_WORKLOAD | COL_FILL_SCHED)

typedef struct col_def {
    const char *name;
    col_kind kind;
    const char *unit; /* "s", "us", "KiB", "1/s", "CPUs", "ratio", "count", "" */
    col_better better;
    col_role role;
    unsigned fill;
    bool contract;    /* one of the contract's first columns (README), in this order */
    bool nonneg;      /* a measure that cannot be negative */
    const char *doc;  /* one line, for --help and the docs */
} col_def;

/* The fixed columns in the main CSV's order: the contract columns, then the scheduler's
 * parameters, then the further measures, then `detail` last. Workload parameter columns go after
 * the contract columns and workload result columns before `detail` (see columns_layout). */
const col_def *columns_fixed(size_t *n);

/* The definition of a fixed column, or NULL (a workload's parameter or result column). */
const col_def *columns_find(const char *name);

/* Whether a column of a CSV is a configuration parameter: a fixed PARAM column, or a column the
 * registry does not know that is not one of the workloads' result columns (`results`, e.g. every
 * registered workload's extra_names). tvp-report and the summary use it. */
bool columns_is_param(const char *name, const char *const *results, size_t n_results);

/* The main CSV's columns in order: the contract columns, `params` (n_params workload parameter
 * names, e.g. from every registered workload), the remaining fixed columns except `detail`,
 * `extras` (workload result columns, duplicates skipped), then `detail`. Writes at most `cap`
 * names into `out`; returns how many, or -E2BIG when they do not fit. */
long columns_layout(const char **out, size_t cap, const char *const *params, size_t n_params,
                    const char *const *extras, size_t n_extras);

/* The better direction of a measure by name: the registry's, else by suffix (_per_s, speedup:
 * higher; _s, _ms, _us, _ns, _kib: lower). NEUTRAL when unknown. */
col_better columns_better(const char *name);

#endif /* TVP_COLUMNS_H */
