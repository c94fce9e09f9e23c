/* gbench.h: a C API over Google Benchmark 1.7.1 (implemented in gbench.cc, the only C++ file).
 *
 * Every entry point catches C++ exceptions and validates its arguments before they can reach
 * Google Benchmark's BM_CHECK (which aborts). Configuration calls return the bench so they chain;
 * given a NULL bench they return NULL and do nothing, so one failed registration cannot crash a
 * chain. A forked child must never call any gb_* function.
 */
#ifndef TVP_GBENCH_H
#define TVP_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state; /* a benchmark::State, valid only inside the body */
typedef struct gb_bench gb_bench; /* a registered benchmark::internal::Benchmark */

typedef void (*gb_fn)(gb_state *st, void *ctx);

typedef enum { GB_NS = 0, GB_US, GB_MS, GB_S } gb_time_unit;

/* Counter flags, as #defines because kInvert (1<<31) is not a valid C enum value. */
#define GB_COUNTER_DEFAULTS 0u
#define GB_COUNTER_IS_RATE (1u << 0)
#define GB_COUNTER_AVG_THREADS (1u << 1)
#define GB_COUNTER_AVG_THREADS_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_AVG_THREADS)
#define GB_COUNTER_ITERATION_INVARIANT (1u << 2)
#define GB_COUNTER_ITERATION_INVARIANT_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_ITERATION_INVARIANT)
#define GB_COUNTER_AVG_ITERATIONS (1u << 3)
#define GB_COUNTER_AVG_ITERATIONS_RATE (GB_COUNTER_IS_RATE | GB_COUNTER_AVG_ITERATIONS)
#define GB_COUNTER_INVERT (1u << 31)

/* ---- process-wide ---- */

/* benchmark::Initialize, then fails with -EINVAL (after printing them to stderr) when arguments
 * Google Benchmark did not recognise remain in argv. Returns 0 or -errno. */
int gb_initialize(int *argc, char **argv);
/* benchmark::AddCustomContext: a key in the JSON "context" object. 0, -EINVAL on NULL/duplicate. */
int gb_add_custom_context(const char *key, const char *value);

/* One finished run as the reporter sees it (an iteration row or an aggregate row). */
typedef struct gb_run {
    const char *name;          /* full name, e.g. "hash/threads/.../manual_time" */
    const char *family;        /* the name given to gb_register */
    void *ctx;                 /* the ctx given to gb_register for that name */
    const char *aggregate;     /* "" for a repetition, else "mean", "median", "stddev", ... */
    bool aggregate_is_percentage; /* the aggregate is a ratio (e.g. "cv"), not a time */
    int64_t repetition_index;  /* 0.. for repetitions, -1 for aggregates */
    int64_t repetitions;
    int64_t iterations;
    double real_time_s;        /* per iteration, seconds (for a percentage aggregate: the ratio) */
    double cpu_time_s;         /* per iteration, seconds */
    bool error;
    const char *error_message; /* "" unless error */
    const char *label;
    size_t n_counters;
    const char *const *counter_names; /* sorted by name */
    const double *counter_values;     /* final values, after flags were applied */
} gb_run;

/* Value of a counter of a run, or `fallback` when it has no such counter. */
double gb_run_counter(const gb_run *run, const char *name, double fallback);

typedef void (*gb_report_fn)(const gb_run *run, void *user);

/* benchmark::RunSpecifiedBenchmarks with the console display reporter wrapped so that `cb`
 * (may be NULL) sees every run after it is displayed. The file reporter (JSON for
 * --benchmark_out) is Google Benchmark's own. Only one call per process is allowed (1.7.1 crashes
 * on a second): later calls return -EALREADY. On success returns 0 and stores the number of
 * benchmarks run in *n_run when n_run is not NULL. */
int gb_run_specified(gb_report_fn cb, void *user, size_t *n_run);
/* After gb_run_specified: the run's context as Google Benchmark's JSON reporter writes it, as a
 * whole document {"context": {...}, "benchmarks": []}, or NULL when no context was reported. */
const char *gb_context_json(void);
/* benchmark::Shutdown. */
void gb_shutdown(void);

/* ---- registration (before gb_run_specified) ---- */

/* Registers `fn` under `name` (copied); ctx must outlive the run. NULL on NULL/empty arguments or
 * a name already registered. */
gb_bench *gb_register(const char *name, gb_fn fn, void *ctx);
gb_bench *gb_unit(gb_bench *b, gb_time_unit unit);
gb_bench *gb_use_manual_time(gb_bench *b);
gb_bench *gb_min_time(gb_bench *b, double seconds); /* > 0, finite; not after gb_iterations */
gb_bench *gb_iterations(gb_bench *b, int64_t n);    /* > 0; not after gb_min_time */
gb_bench *gb_repetitions(gb_bench *b, int n);       /* > 0 */

/* ---- inside the body ---- */

bool gb_keep_running(gb_state *st);
bool gb_keep_running_batch(gb_state *st, int64_t n);
int64_t gb_max_iterations(gb_state *st);
void gb_set_iteration_time(gb_state *st, double seconds); /* with gb_use_manual_time */
void gb_set_items_processed(gb_state *st, int64_t items);
void gb_counter_set(gb_state *st, const char *name, double value, unsigned flags);
void gb_set_label(gb_state *st, const char *label);
void gb_skip_with_error(gb_state *st, const char *msg);
bool gb_error_occurred(gb_state *st);

#ifdef __cplusplus
}
#endif
#endif /* TVP_GBENCH_H */
