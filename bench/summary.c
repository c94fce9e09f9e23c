/* summary.c: aggregates over each configuration's repetitions, the summary CSV and the console summary. */
#include "summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "runner.h"
#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What a serial reference must share with a row: everything but executor, spawn and workers. */
static void make_key(const bench_case *c, char *key, size_t len)
{
    int off = snprintf(key, len, "%s|%s|%u|%u|%u|%s", c->wl->name, gil_mode_name(c->gil), c->switch_us,
                       c->check_ticks, c->tasks, pin_policy_name(c->pin));
    for (size_t i = 0; i < c->wl->n_params && off < (int)len; i++) {
        char v[64];
        off += snprintf(key + off, len - (size_t)off, "|%s", runner_param_text(c, i, v, sizeof v));
    }
}

typedef struct serial_ref {
    char key[RUNNER_NAME_MAX * 2];
    size_t config;
} serial_ref;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const serial_ref *)a)->key, ((const serial_ref *)b)->key);
}

/* The ok values of measure m over a configuration's rows; returns how many. */
static size_t ok_values(const report_row *rows, size_t n, int m, double *v)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].status, "ok") == 0 && isfinite(rows[i].m[m]))
            v[k++] = rows[i].m[m];
    return k;
}

static void aggregate(report_config *c, const report_row *rows, double *v)
{
    c->n_ok = 0;
    c->status = "ok";
    bool failed = false;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(rows[i].status, "ok") == 0) {
            c->n_ok++;
            continue;
        }
        failed |= strcmp(rows[i].status, "failed") == 0;
        c->status = failed ? "failed" : "interrupted";
    }
    for (int m = 0; m < REPORT_M_COUNT; m++) {
        c->median[m] = c->mean[m] = c->stddev[m] = c->cv[m] = NAN;
        size_t k = ok_values(rows, c->n, m, v);
        if (k == 0)
            continue;
        stats_median(v, k, &c->median[m]);
        stats_mean_stddev(v, k, &c->mean[m], k > 1 ? &c->stddev[m] : NULL);
        if (k > 1 && c->mean[m] != 0)
            c->cv[m] = c->stddev[m] / c->mean[m];
    }
    c->speedup = c->speedup_lo = c->speedup_hi = NAN;
}

int summary_build(report_row *rows, const job_plan *plan, report_config **out)
{
    size_t reps = plan->repetitions, n = plan->n_configs;
    report_config *cf = calloc(n ? n : 1, sizeof *cf);
    serial_ref *refs = calloc(n ? n : 1, sizeof *refs);
    double *v = malloc(reps * sizeof *v), *w = malloc(reps * sizeof *w);
    if (!cf || !refs || !v || !w) {
        free(cf);
        free(refs);
        free(v);
        free(w);
        return -ENOMEM;
    }
    size_t n_refs = 0;
    for (size_t i = 0; i < n; i++) {
        report_config *c = &cf[i];
        c->config = &plan->configs[i];
        c->first_row = i * reps;
        c->n = reps;
        aggregate(c, &rows[c->first_row], v);
        if (c->config->kind == JOB_WORKLOAD && c->config->u.workload->exec == EXEC_SERIAL) {
            make_key(c->config->u.workload, refs[n_refs].key, sizeof refs[n_refs].key);
            refs[n_refs++].config = i;
        }
    }
    qsort(refs, n_refs, sizeof *refs, by_key);
    for (size_t i = 0; i < n; i++) {
        report_config *c = &cf[i];
        if (c->config->kind != JOB_WORKLOAD)
            continue;
        serial_ref key;
        make_key(c->config->u.workload, key.key, sizeof key.key);
        const serial_ref *ref = n_refs ? bsearch(&key, refs, n_refs, sizeof *refs, by_key) : NULL;
        if (!ref)
            continue;
        const report_config *s = &cf[ref->config];
        double serial = s->median[REPORT_WALL];
        for (size_t k = 0; k < c->n; k++) {
            report_row *row = &rows[c->first_row + k];
            if (strcmp(row->status, "ok") == 0 && serial > 0 && row->m[REPORT_WALL] > 0)
                row->speedup = serial / row->m[REPORT_WALL];
        }
        /* The ratio of medians serial / this, with its distribution-free interval. */
        size_t nx = ok_values(&rows[c->first_row], c->n, REPORT_WALL, v);
        size_t ny = ok_values(&rows[s->first_row], s->n, REPORT_WALL, w);
        stats_ratio_ci ci;
        if (nx && ny && stats_ratio_ci_auto(v, nx, w, ny, SUMMARY_ALPHA, &ci) == 0 && isfinite(ci.ratio)) {
            c->speedup = ci.ratio;
            if (isfinite(ci.lo) && isfinite(ci.hi) && ci.lo > 0) {
                c->speedup_lo = ci.lo;
                c->speedup_hi = ci.hi;
            }
        }
    }
    free(refs);
    free(v);
    free(w);
    *out = cf;
    return 0;
}

/* ---- the summary CSV ---- */

static const char *const identity_cols[] = {"run_id", "benchmark", "workload", "executor", "spawn", "gil",
                                            "switch_us", "workers", "pin", "tasks"};
/* The measures aggregated in full, and the ones given as a median only. */
static const struct {
    const char *name;
    report_measure m;
} full_measures[] = {{"wall_s", REPORT_WALL}, {"tasks_per_s", REPORT_TPS}},
  median_measures[] = {{"cpu_util", REPORT_CPU_UTIL}, {"lat_p50_us", REPORT_P50}, {"lat_p99_us", REPORT_P99}};

/* The main table's parameter columns (the registry's, and the workloads' own parameters). */
static size_t param_cols(const results_table *t, const char **out, size_t cap)
{
    const char *results[WL_MAX_RESULTS];
    size_t n_results = workload_result_names(results), n = 0;
    for (size_t k = 0; k < t->n_cols && n < cap; k++)
        if (columns_is_param(t->cols[k], results, n_results))
            out[n++] = t->cols[k];
    return n;
}

int summary_table(const report_config *c, size_t n, const results_table *main, results_table *out)
{
    const char *cols[64 + 64];
    size_t nc = 0;
    for (size_t i = 0; i < N(identity_cols); i++)
        cols[nc++] = identity_cols[i];
    cols[nc++] = "n";
    cols[nc++] = "n_ok";
    cols[nc++] = "status";
    char names[N(full_measures) * 4 + N(median_measures)][32];
    size_t nn = 0;
    static const char *const aggs[] = {"median", "mean", "stddev", "cv"};
    for (size_t i = 0; i < N(full_measures); i++)
        for (size_t a = 0; a < 4; a++) {
            snprintf(names[nn], sizeof names[nn], "%s_%s", full_measures[i].name, aggs[a]);
            cols[nc++] = names[nn++];
        }
    cols[nc++] = "speedup_median";
    cols[nc++] = "speedup_ci_lo";
    cols[nc++] = "speedup_ci_hi";
    for (size_t i = 0; i < N(median_measures); i++) {
        snprintf(names[nn], sizeof names[nn], "%s_median", median_measures[i].name);
        cols[nc++] = names[nn++];
    }
    const char *params[64];
    size_t n_params = param_cols(main, params, 64);
    for (size_t k = 0; k < n_params && nc < N(cols) - 1; k++)
        cols[nc++] = params[k];
    cols[nc++] = "detail";
    int rc = results_table_init(out, cols, nc);
    for (size_t i = 0; i < n && rc == 0; i++) {
        long row = results_table_add_row(out);
        if (row < 0)
            return (int)row;
        size_t r = (size_t)row, src = c[i].first_row;
        for (size_t k = 0; k < N(identity_cols); k++)
            results_table_set(out, r, identity_cols[k], results_table_get(main, src, identity_cols[k]));
        for (size_t k = 0; k < n_params; k++)
            results_table_set(out, r, params[k], results_table_get(main, src, params[k]));
        results_table_setf(out, r, "n", "%zu", c[i].n);
        results_table_setf(out, r, "n_ok", "%zu", c[i].n_ok);
        results_table_set(out, r, "status", c[i].status);
        for (size_t k = 0; k < c[i].n; k++) { /* the first repetition's reason */
            const char *d = results_table_get(main, src + k, "detail");
            if (d) {
                results_table_setf(out, r, "detail", "repetition %zu: %s", k, d);
                break;
            }
        }
        nn = 0;
        for (size_t m = 0; m < N(full_measures); m++) {
            report_measure x = full_measures[m].m;
            double vals[4] = {c[i].median[x], c[i].mean[x], c[i].stddev[x], c[i].cv[x]};
            for (size_t a = 0; a < 4; a++)
                results_table_set_num(out, r, names[nn++], vals[a]);
        }
        for (size_t m = 0; m < N(median_measures); m++)
            results_table_set_num(out, r, names[nn++], c[i].median[median_measures[m].m]);
        results_table_set_num(out, r, "speedup_median", c[i].speedup);
        results_table_set_num(out, r, "speedup_ci_lo", c[i].speedup_lo);
        results_table_set_num(out, r, "speedup_ci_hi", c[i].speedup_hi);
    }
    return rc;
}

/* ---- the console ---- */

static void print_num(FILE *f, double v, int width, int prec)
{
    if (!isfinite(v))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, prec, v);
}

/* The harness's own cost: noop tasks per second through each executor's pool (gil off). */
static void print_overhead(const report_config *cf, size_t n, FILE *f)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (cf[i].config->kind != JOB_WORKLOAD)
            continue;
        const bench_case *c = cf[i].config->u.workload;
        double rate = cf[i].median[REPORT_TPS];
        if (strcmp(c->wl->name, "noop") != 0 || c->spawn != SPAWN_POOL || c->gil != GIL_OFF || !(rate > 0))
            continue;
        if (first)
            fprintf(f, "\nharness overhead (noop tasks through the shared queue, dispatch + accounting):\n");
        first = false;
        fprintf(f, "  %-10s %3u worker%s %12.0f tasks/s  %7.3f us/task\n", pool_executor_name(c->exec), c->workers,
                c->workers == 1 ? " " : "s", rate, 1e6 / rate);
    }
}

static void print_header(const bench_case *c, size_t reps, FILE *f)
{
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
    fprintf(f, "  (%u tasks per batch; %s)\n", c->tasks,
            reps > 1 ? "medians of the repetitions" : "one repetition");
    fprintf(f, "  %-10s %-9s %7s %10s %11s %8s %10s %8s %10s %10s  %s\n", "executor", "spawn", "workers",
            "batch_ms", "tasks/s", "speedup", "efficiency", "cpu_util",
            c->wl->latency == WL_LAT_VALUE ? "value_p50" : "lat_p50_us",
            c->wl->latency == WL_LAT_VALUE ? "value_p99" : "lat_p99_us", "status");
}

void summary_print(const report_config *cf, size_t n, FILE *f)
{
    char last_key[RUNNER_NAME_MAX * 2] = "";
    for (size_t i = 0; i < n; i++) {
        const report_config *s = &cf[i];
        if (s->config->kind != JOB_WORKLOAD)
            continue; /* scheduler rows: sched_print_times and the CSV */
        const bench_case *c = s->config->u.workload;
        char key[RUNNER_NAME_MAX * 2];
        make_key(c, key, sizeof key);
        if (strcmp(key, last_key) != 0) {
            snprintf(last_key, sizeof last_key, "%s", key);
            print_header(c, s->n, f);
        }
        fprintf(f, "  %-10s %-9s %7u", pool_executor_name(c->exec), pool_spawn_name(c->spawn), c->workers);
        if (s->n_ok == 0) {
            fprintf(f, " %10s %11s %8s %10s %8s %10s %10s  %s\n", "-", "-", "-", "-", "-", "-", "-", s->status);
            continue;
        }
        uint32_t lanes = c->workers < c->tasks ? c->workers : c->tasks;
        print_num(f, s->median[REPORT_WALL] * 1e3, 10, 3);
        print_num(f, s->median[REPORT_TPS], 11, 0);
        print_num(f, s->speedup, 8, 2);
        print_num(f, s->speedup / lanes, 10, 2);
        print_num(f, s->median[REPORT_CPU_UTIL], 8, 2);
        print_num(f, s->median[REPORT_P50], 10, 1);
        print_num(f, s->median[REPORT_P99], 10, 1);
        if (s->n_ok < s->n)
            fprintf(f, "  %s (%zu of %zu ok)\n", s->status, s->n_ok, s->n);
        else
            fprintf(f, "  ok%s\n", c->plan.oversubscribed ? " (oversubscribed)" : "");
    }
    print_overhead(cf, n, f);
}
