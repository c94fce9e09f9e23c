/* runner.h: the benchmark matrix (workload x params x executor x spawn x workers x pin) and the
 * Google Benchmark body that runs one configuration's batches through a pool. */
#ifndef TVP_RUNNER_H
#define TVP_RUNNER_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "gbench.h"
#include "pin.h"
#include "pool.h"
#include "workload.h"

#define RUNNER_NAME_MAX 256
#define RUNNER_LAT_CAP 65536 /* latency samples kept per run (reservoir) */

typedef struct bench_case bench_case;

/* What every case shares: the topology, the stop flag, and the one live configuration (its
 * workload state and pool are kept between the body's calls and rebuilt only when another
 * configuration runs in between, e.g. with random interleaving). */
typedef struct bench_env {
    pin_topo *topo;
    volatile sig_atomic_t *stop;
    uint64_t timer_slack_ns;
    uint32_t task_timeout_ms;
    bool hung;          /* a thread worker hung past the task timeout: the run must stop */
    double *lat;
    bench_case *active;
    void *active_shared;
    pool *active_pool;
} bench_env;

struct bench_case {
    char name[RUNNER_NAME_MAX];
    const workload *wl;
    wl_args args;
    pool_executor exec;
    pool_spawn spawn;
    gil_mode gil;
    uint32_t switch_us;   /* gil=on only, else 0 */
    uint32_t check_ticks; /* gil=legacy */
    uint32_t workers;
    uint32_t tasks;
    pin_policy pin;
    pin_plan plan;
    bench_env *env;
};

/* Builds every configuration the options select. Returns 0 or -errno; *cases is freed with
 * runner_free_cases(). */
int runner_build(const cli_opts *o, bench_env *env, bench_case **cases, size_t *n);
void runner_free_cases(bench_case *cases, size_t n);

/* The Google Benchmark body of one configuration (ctx: its bench_case): batches through the live
 * pool, timed manually (each batch's wall time), results checked after each batch. */
void runner_body(gb_state *st, void *ctx);
/* Its per-benchmark settings: manual time in milliseconds. */
gb_bench *runner_configure(gb_bench *b);

/* Tears down the live configuration (pool and workload state). */
void runner_release(bench_env *env);

/* The value of a case's parameter as text ("sha256", "1048576"). */
const char *runner_param_text(const bench_case *c, size_t i, char *buf, size_t len);

#endif /* TVP_RUNNER_H */
