/* report.c: one tidy row per (configuration, repetition), in matrix order, with speedups. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "progress.h"
#include "runner.h"
#include "sched_bench.h"
#include "summary.h"
#include "verdicts.h"

/* The counters behind report_measure (REPORT_WALL is the run's own time). */
static const char *const measure_counters[REPORT_M_COUNT] = {NULL, "tasks_per_s", "cpu_s", "cpu_util",
                                                             "lat_p50_us", "lat_p99_us"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct report {
    char run_id[128];
    const job_plan *plan;
    results_table t;     /* row i is plan->jobs[i] until report_finish sorts them */
    report_row *rows;
    report_config *configs;
    results_table summary;
    bool finished;
};

int report_init(report **out, const cli_opts *o, const job_plan *plan, const char *run_id)
{
    /* The registry's layout: the workloads' parameters after the contract columns, their result
     * columns before detail. */
    const char *params[CLI_MAX_PARAMS], *extras[WL_MAX_RESULTS], *cols[256];
    for (size_t i = 0; i < o->n_params; i++)
        params[i] = o->params[i].name;
    size_t n_extras = workload_result_names(extras);
    long n = columns_layout(cols, N(cols), params, o->n_params, extras, n_extras);
    if (n < 0)
        return (int)n;
    report *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    snprintf(r->run_id, sizeof r->run_id, "%s", run_id);
    r->plan = plan;
    int rc = results_table_init(&r->t, cols, (size_t)n);
    if (rc == 0 && !(r->rows = calloc(plan->n_jobs ? plan->n_jobs : 1, sizeof *r->rows)))
        rc = -ENOMEM;
    /* Every job has its row from the start: one that never reports stays "interrupted". */
    for (size_t i = 0; i < plan->n_jobs && rc == 0; i++) {
        long row = results_table_add_row(&r->t);
        if (row < 0) {
            rc = (int)row;
            break;
        }
        r->rows[i] = (report_row){.job = &plan->jobs[i], .status = "interrupted", .speedup = NAN};
        for (int m = 0; m < REPORT_M_COUNT; m++)
            r->rows[i].m[m] = NAN;
    }
    if (rc < 0) {
        report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void report_free(report *r)
{
    if (!r)
        return;
    results_table_free(&r->t);
    results_table_free(&r->summary);
    for (size_t i = 0; r->rows && i < r->plan->n_jobs; i++)
        json_decref(r->rows[i].counters);
    free(r->rows);
    free(r->configs);
    free(r);
}

const results_table *report_table(const report *r) { return &r->t; }
const results_table *report_summary_table(const report *r) { return &r->summary; }

const report_row *report_rows(const report *r, size_t *n)
{
    *n = r->plan->n_jobs;
    return r->rows;
}

const report_config *report_configs(const report *r, size_t *n)
{
    *n = r->finished ? r->plan->n_configs : 0;
    return r->configs;
}

/* The identity columns of a workload configuration. */
static void fill_config(results_table *t, size_t row, const bench_case *c)
{
    results_table_set(t, row, "workload", c->wl->name);
    results_table_set(t, row, "executor", pool_executor_name(c->exec));
    results_table_set(t, row, "spawn", pool_spawn_name(c->spawn));
    results_table_set(t, row, "gil", gil_mode_name(c->gil));
    if (c->gil == GIL_ON)
        results_table_setf(t, row, "switch_us", "%u", c->switch_us);
    if (c->gil == GIL_LEGACY)
        results_table_setf(t, row, "check_ticks", "%u", c->check_ticks);
    results_table_setf(t, row, "workers", "%u", c->workers);
    results_table_set(t, row, "pin", pin_policy_name(c->pin));
    results_table_setf(t, row, "tasks", "%u", c->tasks);
    results_table_set(t, row, "oversubscribed", c->plan.oversubscribed ? "yes" : "no");
    for (size_t i = 0; i < c->wl->n_params; i++) {
        char v[64];
        results_table_set(t, row, c->wl->params[i].name, runner_param_text(c, i, v, sizeof v));
    }
}

/* Resets a row to "this job's configuration, no result yet". */
static void fill_identity(report *r, size_t i)
{
    results_table *t = &r->t;
    const job *j = r->rows[i].job;
    results_table_set(t, i, "run_id", r->run_id);
    results_table_set(t, i, "benchmark", j->config->name);
    results_table_setf(t, i, "repetition", "%u", j->rep);
    if (j->config->kind == JOB_WORKLOAD)
        fill_config(t, i, j->config->u.workload);
    else
        sched_fill_row(t, i, NULL, j->config->u.sched);
}

/* The run's finite counters, as the JSON carries them. */
static json_t *counters_json(const gb_run *run)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < run->n_counters; k++)
        if (isfinite(run->counter_values[k]))
            json_object_set_new(o, run->counter_names[k], json_real(run->counter_values[k]));
    return o;
}

void report_on_run(const gb_run *run, void *arg)
{
    report *r = arg;
    const job *j = run->ctx;
    if (!j || run->aggregate[0] || j < r->plan->jobs || j >= r->plan->jobs + r->plan->n_jobs)
        return; /* tvp registers single runs: Google Benchmark has nothing to aggregate */
    progress_job_done(j, !run->error || strncmp(run->error_message, "interrupted", 11) != 0);
    size_t i = (size_t)(j - r->plan->jobs);
    report_row *row = &r->rows[i];
    results_table *t = &r->t;
    fill_identity(r, i);
    if (run->error) {
        bool intr = strncmp(run->error_message, "interrupted", 11) == 0;
        row->status = intr ? "interrupted" : "failed";
        results_table_set(t, i, "status", row->status);
        results_table_set(t, i, "detail", run->error_message);
        return;
    }
    row->status = "ok";
    row->iterations = (long long)run->iterations;
    row->m[REPORT_WALL] = run->real_time_s;
    for (int m = 1; m < REPORT_M_COUNT; m++)
        row->m[m] = gb_run_counter(run, measure_counters[m], NAN);
    json_decref(row->counters);
    row->counters = counters_json(run);
    results_table_set(t, i, "status", "ok");
    results_table_set_num(t, i, "wall_s", run->real_time_s);
    results_table_setf(t, i, "iterations", "%lld", (long long)run->iterations);
    if (j->config->kind == JOB_SCHED) {
        sched_fill_row(t, i, run, j->config->u.sched);
        return;
    }
    /* Every measure of the registry is the run's counter of that name, but for what the run
     * itself gives (wall_s, iterations) and what report_finish computes (speedup, efficiency). */
    size_t n_fixed;
    const col_def *fixed = columns_fixed(&n_fixed);
    for (size_t k = 0; k < n_fixed; k++) {
        const char *name = fixed[k].name;
        if (fixed[k].role == COL_MEASURE && (fixed[k].fill & COL_FILL_WORKLOAD) && strcmp(name, "wall_s") != 0 &&
            strcmp(name, "iterations") != 0 && strcmp(name, "speedup") != 0 && strcmp(name, "efficiency") != 0)
            results_table_set_num(t, i, name, gb_run_counter(run, name, NAN));
    }
    for (const char *const *e = j->config->u.workload->wl->extra_names; e && *e; e++)
        results_table_set_num(t, i, *e, gb_run_counter(run, *e, NAN));
}

static int by_config_then_rep(const void *a, const void *b, void *arg)
{
    const report_row *rows = arg;
    const job *x = rows[*(const size_t *)a].job, *y = rows[*(const size_t *)b].job;
    if (x->config->index != y->config->index)
        return x->config->index < y->config->index ? -1 : 1;
    return (x->rep > y->rep) - (x->rep < y->rep);
}

/* Puts rows in matrix order (configuration, then repetition), whatever order they ran in. */
static int sort_rows(report *r)
{
    size_t n = r->plan->n_jobs;
    size_t *order = malloc(n * sizeof *order);
    report_row *rows = malloc(n * sizeof *rows);
    int rc = order && rows ? 0 : -ENOMEM;
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof *order, by_config_then_rep, r->rows);
        rc = results_table_permute(&r->t, order);
    }
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            rows[i] = r->rows[order[i]];
        memcpy(r->rows, rows, n * sizeof *rows);
    }
    free(order);
    free(rows);
    return rc;
}

int report_finish(report *r)
{
    results_table *t = &r->t;
    for (size_t i = 0; i < r->plan->n_jobs; i++)
        if (!results_table_get(t, i, "status")) { /* never reported: the run ended first */
            fill_identity(r, i);
            results_table_set(t, i, "status", "interrupted");
            results_table_set(t, i, "detail", "interrupted: not run");
        }
    int rc = sort_rows(r);
    if (rc == 0)
        rc = summary_build(r->rows, r->plan, &r->configs);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < r->plan->n_jobs; i++) {
        const report_row *row = &r->rows[i];
        if (!isfinite(row->speedup))
            continue;
        const bench_case *c = row->job->config->u.workload;
        uint32_t lanes = c->workers < c->tasks ? c->workers : c->tasks;
        results_table_set_num(t, i, "speedup", row->speedup);
        results_table_set_num(t, i, "efficiency", row->speedup / lanes);
    }
    rc = summary_table(r->configs, r->plan->n_configs, t, &r->summary);
    r->finished = rc == 0;
    return rc;
}

size_t report_count_status(const report *r, const char *status)
{
    size_t n = 0;
    for (size_t i = 0; r->finished && i < r->plan->n_configs; i++)
        n += strcmp(r->configs[i].status, status) == 0;
    return n;
}

void report_print_summary(const report *r, FILE *f)
{
    if (r->finished)
        summary_print(r->configs, r->plan->n_configs, f);
    if (r->finished)
        verdicts_print(r->configs, r->plan->n_configs, r->rows, r->plan->shuffled, f);
}
