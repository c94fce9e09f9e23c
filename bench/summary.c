/* summary.c: aggregates over each configuration's repetitions, the summary CSV and the console summary. */
#include "summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "netsvc.h"
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

/* ---- the dispatch floor ---- */

/* The floor's time per task for this executor and worker count (the median of its repetitions;
 * a dispatch row's wall_s is one task), NAN when the run has none. */
static double dispatch_floor(const report_config *cf, size_t n, pool_executor e, uint32_t workers)
{
    for (size_t i = 0; i < n; i++) {
        const sched_case *s = cf[i].config->kind == JOB_SCHED ? cf[i].config->u.sched : NULL;
        if (s && s->group == SCHED_GROUP_DISPATCH && s->executor == e && s->workers == workers)
            return cf[i].median[REPORT_WALL];
    }
    return NAN;
}

/* Whether a configuration is what the floor is the floor of: noop through a pool, no lock, unpinned. */
static bool floored(const report_config *c)
{
    const bench_case *b = c->config->kind == JOB_WORKLOAD ? c->config->u.workload : NULL;
    return b && strcmp(b->wl->name, "noop") == 0 && b->spawn == SPAWN_POOL && b->gil == GIL_OFF && b->pin == PIN_NONE;
}

/* noop's time per task as a multiple of the floor's (same executor and workers, same run), NAN
 * when not a floored configuration or either is missing. */
static double x_floor(const report_config *cf, size_t n, const report_config *c)
{
    if (!floored(c))
        return NAN;
    const bench_case *b = c->config->u.workload;
    double floor = dispatch_floor(cf, n, b->exec, b->workers), per_task = c->median[REPORT_WALL] / b->tasks;
    return floor > 0 && per_task > 0 ? per_task / floor : NAN;
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

/* Whether a row's delay server was late by a material part of its task time
 * (netsvc_server_limited), from the row's own cells: 1, 0, or -EINVAL (not an ok net row). */
static int row_server_limited(const results_table *t, size_t row)
{
    const char *st = results_table_get(t, row, "status"), *p50 = results_table_get(t, row, "server_late_p50_us"),
               *p99 = results_table_get(t, row, "server_late_p99_us"), *lat = results_table_get(t, row, "lat_p50_us"),
               *tasks = results_table_get(t, row, "tasks"), *workers = results_table_get(t, row, "workers");
    if (!st || strcmp(st, "ok") != 0 || !p50 || !p99 || !lat || !tasks || !workers)
        return -EINVAL;
    double k = strtod(tasks, NULL), w = strtod(workers, NULL), lanes = w < k ? w : k;
    return netsvc_server_limited(strtod(p50, NULL), strtod(p99, NULL), strtod(lat, NULL),
                                 lanes > 0 ? ceil(k / lanes) : NAN);
}

/* Fills server_limited in each of configuration c's rows of `main` and counts them in c. */
static void judge_server(report_config *c, results_table *main)
{
    c->n_server_limited = c->n_server_judged = 0;
    for (size_t k = 0; k < c->n; k++) {
        int v = row_server_limited(main, c->first_row + k);
        if (v < 0)
            continue;
        results_table_set(main, c->first_row + k, "server_limited", v ? "yes" : "no");
        c->n_server_judged++;
        c->n_server_limited += (size_t)v;
    }
}

int summary_table(report_config *c, size_t n, results_table *main, results_table *out)
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
    cols[nc++] = "x_floor";
    for (size_t i = 0; i < N(median_measures); i++) {
        snprintf(names[nn], sizeof names[nn], "%s_median", median_measures[i].name);
        cols[nc++] = names[nn++];
    }
    const char *params[64];
    size_t n_params = param_cols(main, params, 64);
    for (size_t k = 0; k < n_params && nc < N(cols) - 2; k++)
        cols[nc++] = params[k];
    cols[nc++] = "server_limited";
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
        judge_server(&c[i], main); /* yes when any ok repetition was server-limited */
        if (c[i].n_server_judged)
            results_table_set(out, r, "server_limited", c[i].n_server_limited ? "yes" : "no");
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
        results_table_set_num(out, r, "x_floor", x_floor(c, n, &c[i]));
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
    bool first = true, any_floor = false;
    for (size_t i = 0; i < n; i++) {
        if (!floored(&cf[i]) || !(cf[i].median[REPORT_WALL] > 0))
            continue;
        const bench_case *c = cf[i].config->u.workload;
        if (first)
            fprintf(f, "\nharness overhead: noop through the pool vs the dispatch floor (the same shared memory,\n"
                       "clock stamps and futex wakeups with a bare atomic index: sched/dispatch, same run)\n"
                       "  %-10s %7s %13s %14s %8s\n", "executor", "workers", "noop us/task", "floor us/task", "x floor");
        first = false;
        double per_task = cf[i].median[REPORT_WALL] / c->tasks, floor = dispatch_floor(cf, n, c->exec, c->workers);
        fprintf(f, "  %-10s %7u %13.3f", pool_executor_name(c->exec), c->workers, per_task * 1e6);
        print_num(f, floor * 1e6, 14, 3);
        print_num(f, x_floor(cf, n, &cf[i]), 8, 1);
        fprintf(f, "%s\n", c->exec == EXEC_SERIAL ? "  (no floor: the caller runs the tasks)" : "");
        any_floor |= floor > 0;
    }
    if (!first && !any_floor)
        fprintf(f, "  (no dispatch floor in this run: add --tvp_sched=dispatch to measure it)\n");
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

/* ", server-limited" (every judged repetition) or ", server-limited in 1 of 3". */
static void print_server_limited(const report_config *s, FILE *f)
{
    if (s->n_server_limited == s->n_server_judged && s->n_server_limited)
        fputs(", server-limited", f);
    else if (s->n_server_limited)
        fprintf(f, ", server-limited in %zu of %zu", s->n_server_limited, s->n_server_judged);
}

/* ---- spawn cost against the minimal fork ---- */

/* The median time of one fork + _exit + waitpid from tvp-spawner after heap_kib KiB touched
 * (unpinned; a sched row's wall_s is one op), NAN when the run has no such ok row. */
static double spawner_fork_s(const report_config *cf, size_t n, size_t heap_kib)
{
    for (size_t i = 0; i < n; i++) {
        const sched_case *s = cf[i].config->kind == JOB_SCHED ? cf[i].config->u.sched : NULL;
        if (s && s->group == SCHED_GROUP_SPAWN && s->method == SCHED_SPAWN_FORK && s->cpus == SCHED_CPUS_NONE &&
            s->heap_kib == heap_kib && cf[i].median[REPORT_WALL] > 0)
            return cf[i].median[REPORT_WALL];
    }
    return NAN;
}

/* What a process per task costs next to the minimal fork of the same run (noop through per-task
 * processes, gil off: batch time / tasks), and how fork's cost grows with the parent's resident
 * memory (the spawner's heap sweep): what a user's own program pays to fork. */
static void print_spawn_cost(const report_config *cf, size_t n, FILE *f)
{
    double fork0 = spawner_fork_s(cf, n, 0);
    bool per_task = false, sweep = false;
    for (size_t i = 0; i < n; i++) {
        const bench_case *c = cf[i].config->kind == JOB_WORKLOAD ? cf[i].config->u.workload : NULL;
        const sched_case *s = cf[i].config->kind == JOB_SCHED ? cf[i].config->u.sched : NULL;
        per_task |= c && strcmp(c->wl->name, "noop") == 0 && c->exec == EXEC_PROCESSES && c->spawn == SPAWN_PER_TASK &&
                    c->gil == GIL_OFF && cf[i].median[REPORT_WALL] > 0;
        sweep |= s && s->group == SCHED_GROUP_SPAWN && s->method == SCHED_SPAWN_FORK && s->heap_kib > 0;
    }
    if (!(fork0 > 0)) {
        if (per_task)
            fprintf(f, "\nspawn cost: no minimal fork to compare per-task processes with (the spawn microbenchmarks "
                       "did not run or failed: --tvp_sched)\n");
        return;
    }
    fprintf(f, "\nspawn cost (fork + _exit + waitpid from tvp-spawner, a libc-only process, in this run):\n");
    fprintf(f, "  %-34s %9.3f ms\n", "minimal fork", fork0 * 1e3);
    char label[64];
    for (size_t i = 0; i < n; i++) {
        const bench_case *c = cf[i].config->kind == JOB_WORKLOAD ? cf[i].config->u.workload : NULL;
        if (!c || strcmp(c->wl->name, "noop") != 0 || c->exec != EXEC_PROCESSES || c->spawn != SPAWN_PER_TASK ||
            c->gil != GIL_OFF || !(cf[i].median[REPORT_WALL] > 0))
            continue;
        double t = cf[i].median[REPORT_WALL] / c->tasks;
        snprintf(label, sizeof label, "noop per-task processes, %u worker%s%s", c->workers, c->workers == 1 ? "" : "s",
                 c->pin != PIN_NONE ? " (pinned)" : "");
        fprintf(f, "  %-34s %9.3f ms per task  %5.2fx the minimal fork\n", label, t * 1e3, t / fork0);
    }
    if (!sweep)
        return;
    double last_kib = 0, last_s = NAN;
    for (size_t i = 0; i < n; i++) {
        const sched_case *s = cf[i].config->kind == JOB_SCHED ? cf[i].config->u.sched : NULL;
        if (!s || s->group != SCHED_GROUP_SPAWN || s->method != SCHED_SPAWN_FORK || s->cpus != SCHED_CPUS_NONE)
            continue;
        double t = cf[i].median[REPORT_WALL];
        snprintf(label, sizeof label, "fork after %zu MiB touched", s->heap_kib / 1024);
        if (!(t > 0)) {
            fprintf(f, "  %-34s %9s    %s\n", label, "-", cf[i].status);
            continue;
        }
        fprintf(f, "  %-34s %9.3f ms           %5.2fx\n", label, t * 1e3, t / fork0);
        if (s->heap_kib > last_kib) {
            last_kib = (double)s->heap_kib;
            last_s = t;
        }
    }
    if (last_kib > 0)
        fprintf(f, "  fork grows by ~%.1f us per MiB of the parent's resident memory (0 to %.0f MiB)\n",
                (last_s - fork0) * 1e6 / (last_kib / 1024), last_kib / 1024);
}

void summary_print(const report_config *cf, size_t n, FILE *f)
{
    char last_key[RUNNER_NAME_MAX * 2] = "";
    size_t limited = 0;
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
            fprintf(f, "  %s (%zu of %zu ok)", s->status, s->n_ok, s->n);
        else
            fprintf(f, "  ok%s", c->plan.oversubscribed ? " (oversubscribed)" : "");
        print_server_limited(s, f);
        fputc('\n', f);
        limited += s->n_server_limited > 0;
    }
    if (limited)
        fprintf(f, "\nserver-limited (%zu configuration%s): the delay server's replies were late by a material part of the "
                   "task time (median lateness > %.0f%% of the task's, or p99 > %.0f%% of a worker's share of the batch; "
                   "server_limited in the CSV): there the efficiency measures the server as much as the executors\n",
                limited, limited == 1 ? "" : "s", NETSVC_LIMITED_P50_SHARE * 100, NETSVC_LIMITED_P99_SHARE * 100);
    print_overhead(cf, n, f);
    print_spawn_cost(cf, n, f);
}
