/* report.c: tidy CSV rows from Google Benchmark runs, speedup against serial, console summary. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "sched_bench.h"

/* The contract columns (DESIGN.md), in order; workload parameters and extras follow. */
static const char *const contract_cols[] = {
    "run_id", "benchmark", "workload", "executor", "spawn", "gil", "switch_us", "workers", "pin",
    "tasks", "repetition", "status", "wall_s", "tasks_per_s", "speedup", "efficiency", "cpu_s",
    "cpu_util", "ctx_vol", "ctx_invol", "lat_p50_us", "lat_p99_us", "rss_kib"};
static const char *const extra_cols[] = {
    "lat_p90_us", "cpus_used", "oversubscribed", "respawns", "iterations", "check_ticks",
    "gil_acquisitions", "gil_switches", "gil_drop_requests", "gil_forced_drops", "gil_held_s",
    "gil_waited_s", "gil_held_p50_us", "gil_held_p99_us", "gil_wait_p50_us", "gil_wait_p99_us", "detail"};
/* Counters copied to the column of the same name. */
static const char *const counter_cols[] = {
    "tasks_per_s", "cpu_s", "cpu_util", "ctx_vol", "ctx_invol", "lat_p50_us", "lat_p99_us", "rss_kib",
    "lat_p90_us", "cpus_used", "respawns", "gil_acquisitions", "gil_switches", "gil_drop_requests",
    "gil_forced_drops", "gil_held_s", "gil_waited_s", "gil_held_p50_us", "gil_held_p99_us",
    "gil_wait_p50_us", "gil_wait_p99_us"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct row_meta {
    const bench_case *c;       /* NULL for a scheduler microbenchmark row */
    const void *ctx;           /* the benchmark's context (bench_case or sched_case) */
    char key[RUNNER_NAME_MAX]; /* what a serial reference must share */
} row_meta;

struct report {
    char run_id[128];
    results_table t;
    row_meta *meta;
    size_t meta_cap;
};

int report_init(report **out, const cli_opts *o, const char *run_id)
{
    const char *cols[N(contract_cols) + CLI_MAX_PARAMS + SCHED_N_PARAM_COLS + N(extra_cols) + 32];
    size_t n = 0;
    for (size_t i = 0; i < N(contract_cols); i++)
        cols[n++] = contract_cols[i];
    for (size_t i = 0; i < o->n_params; i++)
        cols[n++] = o->params[i].name;
    for (size_t i = 0; i + 1 < SCHED_N_PARAM_COLS; i++) /* heap_kib, method, channel, cpus */
        cols[n++] = sched_param_cols[i];
    /* Then the fixed measurement columns, the workloads' own result columns, and detail last. */
    for (size_t i = 0; i + 1 < N(extra_cols); i++)
        cols[n++] = extra_cols[i];
    cols[n++] = sched_param_cols[SCHED_N_PARAM_COLS - 1]; /* same_cpu_frac: a measurement */
    for (size_t w = 0; w < workload_count(); w++)
        for (const char *const *e = workload_at(w)->extra_names; e && *e && n + 1 < N(cols); e++) {
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= strcmp(cols[k], *e) == 0;
            if (!dup)
                cols[n++] = *e;
        }
    cols[n++] = extra_cols[N(extra_cols) - 1]; /* detail */
    report *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    snprintf(r->run_id, sizeof r->run_id, "%s", run_id);
    int rc = results_table_init(&r->t, cols, n);
    if (rc < 0) {
        free(r);
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
    free(r->meta);
    free(r);
}

const results_table *report_table(const report *r) { return &r->t; }

static void make_key(const bench_case *c, char *key, size_t len)
{
    int off = snprintf(key, len, "%s|%s|%u|%u|%u|%s", c->wl->name, gil_mode_name(c->gil), c->switch_us,
                       c->check_ticks, c->tasks, pin_policy_name(c->pin));
    for (size_t i = 0; i < c->wl->n_params && off < (int)len; i++) {
        char v[64];
        off += snprintf(key + off, len - (size_t)off, "|%s", runner_param_text(c, i, v, sizeof v));
    }
}

static void fill_config(report *r, size_t row, const bench_case *c)
{
    results_table *t = &r->t;
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

/* The columns every row gets from the run itself. Returns false when the run failed. */
static bool fill_run(report *r, size_t i, const gb_run *run, const char *name)
{
    results_table *t = &r->t;
    results_table_set(t, i, "run_id", r->run_id);
    results_table_set(t, i, "benchmark", name);
    if (run->aggregate[0])
        results_table_set(t, i, "repetition", run->aggregate);
    else
        results_table_setf(t, i, "repetition", "%lld", (long long)run->repetition_index);
    if (run->error) {
        bool intr = strncmp(run->error_message, "interrupted", 11) == 0;
        results_table_set(t, i, "status", intr ? "interrupted" : "failed");
        results_table_set(t, i, "detail", run->error_message);
        return false;
    }
    results_table_set(t, i, "status", "ok");
    results_table_set_num(t, i, "wall_s", run->real_time_s);
    results_table_setf(t, i, "iterations", "%lld", (long long)run->iterations);
    return true;
}

void report_on_run(const gb_run *run, void *arg)
{
    report *r = arg;
    const sched_case *sc = sched_case_of(run->ctx);
    const bench_case *c = sc ? NULL : run->ctx;
    if (!c && !sc)
        return;
    long row = results_table_add_row(&r->t);
    if (row < 0)
        return;
    if ((size_t)row >= r->meta_cap) {
        size_t cap = r->meta_cap ? r->meta_cap * 2 : 128;
        row_meta *m = realloc(r->meta, cap * sizeof *m);
        if (!m)
            return;
        r->meta = m;
        r->meta_cap = cap;
    }
    r->meta[row].c = c;
    r->meta[row].ctx = run->ctx;
    results_table *t = &r->t;
    size_t i = (size_t)row;
    if (sc) {
        snprintf(r->meta[row].key, sizeof r->meta[row].key, "sched|%s", sc->name);
        fill_run(r, i, run, sc->name);
        sched_fill_row(t, i, run, run->ctx);
        return;
    }
    make_key(c, r->meta[row].key, sizeof r->meta[row].key);
    fill_config(r, i, c);
    if (!fill_run(r, i, run, c->name))
        return;
    for (size_t k = 0; k < N(counter_cols); k++)
        results_table_set_num(t, i, counter_cols[k], gb_run_counter(run, counter_cols[k], NAN));
    for (const char *const *e = c->wl->extra_names; e && *e; e++)
        results_table_set_num(t, i, *e, gb_run_counter(run, *e, NAN));
}

static double cell_num(const results_table *t, size_t row, const char *col)
{
    const char *s = results_table_get(t, row, col);
    return s && *s ? strtod(s, NULL) : NAN;
}

static bool is_status(const results_table *t, size_t row, const char *status)
{
    const char *s = results_table_get(t, row, "status");
    return s && strcmp(s, status) == 0;
}

/* Wall time of the serial reference for a row with aggregate `rep` ("0", "median", ...). */
static double serial_wall(const report *r, const char *key, const char *rep, bool aggregate)
{
    const results_table *t = &r->t;
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        if (!r->meta[i].c || r->meta[i].c->exec != EXEC_SERIAL || strcmp(r->meta[i].key, key) != 0 ||
            !is_status(t, i, "ok"))
            continue;
        const char *ri = results_table_get(t, i, "repetition");
        if (aggregate && strcmp(ri, rep) == 0)
            return cell_num(t, i, "wall_s");
        if (!aggregate && strcmp(ri, "median") == 0)
            return cell_num(t, i, "wall_s");
        if (!aggregate && ri[0] >= '0' && ri[0] <= '9') {
            sum += cell_num(t, i, "wall_s");
            n++;
        }
    }
    return n ? sum / (double)n : NAN;
}

/* Rank of a repetition label: repetitions in order, then mean, median, stddev, cv, others. */
static long rep_rank(const char *rep)
{
    static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
    if (rep[0] >= '0' && rep[0] <= '9')
        return strtol(rep, NULL, 10);
    for (long i = 0; i < 4; i++)
        if (strcmp(rep, aggs[i]) == 0)
            return 1000000 + i;
    return 2000000;
}

static int by_case_then_rep(const void *a, const void *b, void *arg)
{
    const report *r = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const bench_case *ci = r->meta[i].c, *cj = r->meta[j].c;
    if (!ci != !cj)
        return ci ? -1 : 1; /* workload rows first, scheduler microbenchmarks after */
    const void *xi = r->meta[i].ctx, *xj = r->meta[j].ctx;
    if (xi != xj)
        return xi < xj ? -1 : 1; /* contexts live in arrays, in registration order */
    long ri = rep_rank(results_table_get(&r->t, i, "repetition"));
    long rj = rep_rank(results_table_get(&r->t, j, "repetition"));
    return (ri > rj) - (ri < rj);
}

/* Puts rows in matrix order (random interleaving runs them shuffled). */
static void sort_rows(report *r)
{
    size_t n = r->t.n_rows;
    size_t *order = malloc(n * sizeof *order);
    row_meta *meta = malloc(n * sizeof *meta);
    if (order && meta) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof *order, by_case_then_rep, r);
        if (results_table_permute(&r->t, order) == 0) {
            for (size_t i = 0; i < n; i++)
                meta[i] = r->meta[order[i]];
            memcpy(r->meta, meta, n * sizeof *meta);
        }
    }
    free(order);
    free(meta);
}

void report_finish(report *r)
{
    results_table *t = &r->t;
    sort_rows(r);
    for (size_t i = 0; i < t->n_rows; i++) {
        if (!r->meta[i].c || !is_status(t, i, "ok"))
            continue;
        const char *rep = results_table_get(t, i, "repetition");
        bool aggregate = !(rep[0] >= '0' && rep[0] <= '9');
        if (aggregate && strcmp(rep, "mean") != 0 && strcmp(rep, "median") != 0)
            continue; /* a speedup of a stddev or cv means nothing */
        double ref = serial_wall(r, r->meta[i].key, rep, aggregate), wall = cell_num(t, i, "wall_s");
        if (!(ref > 0) || !(wall > 0))
            continue;
        const bench_case *c = r->meta[i].c;
        double speedup = ref / wall;
        uint32_t lanes = c->workers < c->tasks ? c->workers : c->tasks;
        results_table_set_num(t, i, "speedup", speedup);
        results_table_set_num(t, i, "efficiency", speedup / lanes);
    }
}

size_t report_count_status(const report *r, const char *status)
{
    size_t n = 0;
    for (size_t i = 0; i < r->t.n_rows; i++) {
        const char *rep = results_table_get(&r->t, i, "repetition");
        /* Count configurations, not rows: a failed configuration has one row. */
        if (is_status(&r->t, i, status) && rep && (strcmp(rep, "0") == 0 || strcmp(rep, "median") == 0))
            n++;
    }
    return n;
}

/* The row that stands for a configuration in the summary: its median, else its only repetition. */
static bool summary_row(const report *r, size_t i)
{
    const results_table *t = &r->t;
    if (!r->meta[i].c)
        return false; /* scheduler rows: sched_print_times and the CSV */
    const char *rep = results_table_get(t, i, "repetition");
    if (strcmp(rep, "median") == 0)
        return true;
    if (strcmp(rep, "0") != 0)
        return false;
    for (size_t j = i + 1; j < t->n_rows; j++) /* a median of the same configuration follows? */
        if (r->meta[j].ctx == r->meta[i].ctx && strcmp(results_table_get(t, j, "repetition"), "median") == 0)
            return false;
    return true;
}

static void print_num(FILE *f, const results_table *t, size_t row, const char *col, int width, int prec,
                      double scale)
{
    double v = cell_num(t, row, col);
    if (isnan(v))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, prec, v * scale);
}

/* The harness's own cost: noop tasks per second through each executor's pool (gil off). */
static void print_overhead(const report *r, FILE *f)
{
    const results_table *t = &r->t;
    bool first = true;
    for (size_t i = 0; i < t->n_rows; i++) {
        const bench_case *c = r->meta[i].c;
        if (!summary_row(r, i) || strcmp(c->wl->name, "noop") != 0 || c->spawn != SPAWN_POOL ||
            c->gil != GIL_OFF || !is_status(t, i, "ok"))
            continue;
        double rate = cell_num(t, i, "tasks_per_s");
        if (!(rate > 0))
            continue;
        if (first)
            fprintf(f, "\nharness overhead (noop tasks through the shared queue, dispatch + accounting):\n");
        first = false;
        fprintf(f, "  %-10s %3u worker%s %12.0f tasks/s  %7.3f us/task\n", pool_executor_name(c->exec), c->workers,
                c->workers == 1 ? " " : "s", rate, 1e6 / rate);
    }
}

void report_print_summary(const report *r, FILE *f)
{
    const results_table *t = &r->t;
    const char *last_key = "";
    for (size_t i = 0; i < t->n_rows; i++) {
        if (!summary_row(r, i))
            continue;
        const bench_case *c = r->meta[i].c;
        if (strcmp(r->meta[i].key, last_key) != 0) {
            last_key = r->meta[i].key;
            fprintf(f, "\n%s", c->wl->name);
            for (size_t k = 0; k < c->wl->n_params; k++) {
                char v[64];
                fprintf(f, " %s=%s", c->wl->params[k].name, runner_param_text(c, k, v, sizeof v));
            }
            fprintf(f, "  pin=%s gil=%s", pin_policy_name(c->pin), gil_mode_name(c->gil));
            if (c->gil == GIL_ON)
                fprintf(f, " switch_us=%u", c->switch_us);
            if (c->gil == GIL_LEGACY)
                fprintf(f, " check_ticks=%u", c->check_ticks);
            fprintf(f, "  (%u tasks per batch)\n", c->tasks);
            fprintf(f, "  %-10s %-9s %7s %10s %11s %8s %10s %8s %10s %10s  %s\n", "executor", "spawn", "workers",
                    "batch_ms", "tasks/s", "speedup", "efficiency", "cpu_util",
                    c->wl->latency == WL_LAT_VALUE ? "value_p50" : "lat_p50_us",
                    c->wl->latency == WL_LAT_VALUE ? "value_p99" : "lat_p99_us", "status");
        }
        fprintf(f, "  %-10s %-9s %7u", pool_executor_name(c->exec), pool_spawn_name(c->spawn), c->workers);
        if (is_status(t, i, "ok")) {
            print_num(f, t, i, "wall_s", 10, 3, 1e3);
            print_num(f, t, i, "tasks_per_s", 11, 0, 1);
            print_num(f, t, i, "speedup", 8, 2, 1);
            print_num(f, t, i, "efficiency", 10, 2, 1);
            print_num(f, t, i, "cpu_util", 8, 2, 1);
            print_num(f, t, i, "lat_p50_us", 10, 1, 1);
            print_num(f, t, i, "lat_p99_us", 10, 1, 1);
            fprintf(f, "  ok%s\n", c->plan.oversubscribed ? " (oversubscribed)" : "");
        } else {
            fprintf(f, " %10s %11s %8s %10s %8s %10s %10s  %s: %s\n", "-", "-", "-", "-", "-", "-", "-",
                    results_table_get(t, i, "status"), results_table_get(t, i, "detail"));
        }
    }
    print_overhead(r, f);
}
