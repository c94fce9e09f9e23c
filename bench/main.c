/* main.c: tvp-bench: parse flags, register the matrix with Google Benchmark, run, write results. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <limits.h>

#include "calibrate.h"
#include "cli.h"
#include "gbench.h"
#include "gbjson.h"
#include "jobs.h"
#include "meta.h"
#include "metrics.h"
#include "netsvc.h"
#include "outputs.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "runner.h"
#include "sched_bench.h"

static volatile sig_atomic_t stop_signal;
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* First SIGINT/SIGTERM/SIGHUP: stop after the current batch and write what finished. The handler
 * then gives the signal back its default action, so a second one ends the process at once; files
 * already written stay whole because every write is a rename. */
static void on_signal(int sig)
{
    stop_signal = sig;
    signal(sig, SIG_DFL);
}

/* Blocks the stop signals while the result files are written: one that comes from then on
 * cannot cut a write short or make the meta lie; pending_stop_signal() tells it. */
static void block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaddset(&set, stop_signals[i]);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

/* The first stop signal waiting while they are blocked, or 0. */
static int pending_stop_signal(void)
{
    sigset_t pending;
    sigpending(&pending);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        if (sigismember(&pending, stop_signals[i]))
            return stop_signals[i];
    return 0;
}

static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "signal";
}

/* UTC now, compact ("20261125T120102Z", for file names) or ISO 8601 ("2026-11-25T12:01:02Z"). */
static void utc_stamp(char *buf, size_t len, bool compact)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (compact)
        strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
    else
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Google Benchmark's argv: what passed validation for it (display settings) and tvp's minimum
 * time; repetitions, filter, interleaving and the JSON file are tvp's, never Google Benchmark's. */
static char **gb_argv(int argc, char **argv, const cli_opts *o, int *gb_argc)
{
    static char min_time[64];
    char **v = calloc((size_t)argc + 2, sizeof *v);
    if (!v)
        return NULL;
    int n = 0;
    for (int i = 0; i < argc; i++)
        v[n++] = argv[i];
    snprintf(min_time, sizeof min_time, "--benchmark_min_time=%.6g", o->min_time);
    v[n++] = min_time;
    v[n] = NULL;
    *gb_argc = n;
    return v;
}

/* Everything main() owns, released in one place whatever path it leaves by. */
typedef struct app {
    int orig_argc;
    char **orig_argv;
    cli_opts o;
    bench_env env;
    bench_case *cases;
    size_t n_cases;
    job_plan plan;
    char **gargv;
    report *rep;
    sched_set *sched;
    char host[64], started[32];
    uint64_t started_ns; /* metrics_now_ns at the start: the progress display's "elapsed" */
    outputs out;
} app;

static void app_free(app *a)
{
    progress_stop(PROGRESS_END_SILENT);
    outputs_release(&a->out);
    report_free(a->rep);
    jobs_free(&a->plan);
    sched_set_free(a->sched);
    runner_free_cases(a->cases, a->n_cases);
    pin_topo_free(a->env.topo);
    free(a->env.lat);
    free(a->gargv);
    free(a->orig_argv);
}

/* --benchmark_out's directory must exist and be writable before the run, like --tvp_out. */
static int check_json_copy(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return access(dir, W_OK | X_OK) == 0 ? 0 : -errno;
}

/* Everything before the first benchmark. Returns 0 to run, or the exit code (-1: exit 0). */
static int prepare(app *a, int *argc, char **argv)
{
    char why[160];
    int rc = workload_registry_check(why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "tvp-bench: this build's workloads are wrong: %s\n", why);
        return 1;
    }
    rc = cli_parse(argc, argv, &a->o);
    if (rc != 0)
        return rc > 0 ? -1 : 2;
    a->env = (bench_env){.stop = &stop_signal, .timer_slack_ns = a->o.timer_slack_ns,
                        .task_timeout_ms = a->o.task_timeout_ms};
    if ((rc = pin_topo_load(&a->env.topo)) < 0) {
        fprintf(stderr, "tvp-bench: cannot read the CPU topology (hwloc): %s\n", strerror(-rc));
        return 1;
    }
    if ((rc = runner_build(&a->o, &a->env, &a->cases, &a->n_cases)) < 0) {
        fprintf(stderr, "tvp-bench: cannot build the benchmark matrix: %s\n", strerror(-rc));
        return 2;
    }
    if ((rc = sched_build(&a->o, a->env.topo, a->o.sched_on, &stop_signal, &a->sched)) < 0) {
        fprintf(stderr, "tvp-bench: cannot build the scheduler microbenchmarks: %s\n", strerror(-rc));
        return 1;
    }
    uint64_t seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid() << 20;
    rc = jobs_plan(&a->plan, a->cases, a->n_cases, a->sched, a->o.gb.filter, (uint32_t)a->o.repetitions,
                   a->o.interleave, seed);
    if (rc == -ENOENT) {
        fprintf(stderr, "tvp-bench: --benchmark_filter=%s: matches no configuration (--tvp_list lists them)\n",
                a->o.gb.filter);
        return 2;
    }
    if (rc < 0) {
        fprintf(stderr, "tvp-bench: cannot plan the run: %s\n", strerror(-rc));
        return 1;
    }
    if (a->o.list_only) {
        for (size_t i = 0; i < a->plan.n_configs; i++)
            printf("%s\n", a->plan.configs[i].name);
        return -1;
    }
    if (a->o.gb.out && (rc = check_json_copy(a->o.gb.out)) < 0) {
        fprintf(stderr, "tvp-bench: --benchmark_out=%s: its directory is not writable: %s\n", a->o.gb.out,
                strerror(-rc));
        return 2;
    }
    /* Only now, with every flag valid, touch the results directory; before any benchmark. */
    if ((rc = results_check_dir(a->o.out_dir)) < 0) {
        fprintf(stderr, "tvp-bench: --tvp_out=%s: results directory is not writable: %s\n", a->o.out_dir,
                strerror(-rc));
        return 2;
    }
    char stamp[32];
    snprintf(a->host, sizeof a->host, "host");
    gethostname(a->host, sizeof a->host - 1);
    a->host[strcspn(a->host, ".")] = '\0';
    utc_stamp(stamp, sizeof stamp, true);
    utc_stamp(a->started, sizeof a->started, false);
    if ((rc = outputs_claim(&a->out, a->o.out_dir, stamp, a->host)) < 0) {
        fprintf(stderr, "tvp-bench: --tvp_out=%s: cannot claim a run id: %s\n", a->o.out_dir, strerror(-rc));
        return 1;
    }
    int gargc;
    a->env.lat = malloc(RUNNER_LAT_CAP * sizeof *a->env.lat);
    a->gargv = gb_argv(*argc, argv, &a->o, &gargc);
    if (!a->env.lat || !a->gargv || report_init(&a->rep, &a->o, &a->plan, a->out.run_id) < 0) {
        fprintf(stderr, "tvp-bench: out of memory\n");
        return 1;
    }
    if (gb_initialize(&gargc, a->gargv) < 0) {
        fprintf(stderr, "tvp-bench: Google Benchmark refused an argument tvp had validated (a bug in tvp's "
                "flag checks: please report it with the command line)\n");
        return 2;
    }
    gb_add_custom_context("tvp_run_id", a->out.run_id);
    gb_add_custom_context("tvp_profile", cli_profile_name(a->o.profile));
    if (jobs_register(&a->plan) < 0) {
        fprintf(stderr, "tvp-bench: cannot register the benchmarks\n");
        return 1;
    }
    return 0;
}

static void reap_all(void);

/* Runs the benchmarks and writes every result file. Returns the exit code. */
static int run(app *a)
{
    metrics_timer_slack_set(a->o.timer_slack_ns);

    size_t n_run = 0;
    printf("tvp: run %s, profile %s, %zu configurations x %u repetition%s%s, results in %s/\n", a->out.run_id,
           cli_profile_name(a->o.profile), a->plan.n_configs, a->plan.repetitions,
           a->plan.repetitions == 1 ? "" : "s", a->plan.shuffled ? " (interleaved at random)" : "", a->o.out_dir);
    fflush(stdout);
    progress_start(&a->plan, a->o.quiet, a->started_ns); /* on stderr until the benchmarks end */
    /* What the machine gives right now: read the results against it. */
    calib cal;
    bool have_cal = calibrate_run(a->env.topo, a->o.timer_slack_ns, &cal) == 0;
    if (have_cal)
        calibrate_print(&cal, stdout);
    fflush(stdout);
    int rc = gb_run_specified(report_on_run, a->rep, &n_run);
    /* From here on a signal only decides the exit code: the files are written whole and true.
     * Everything that can take time (pools, the embedded server) ends before the check. */
    block_stop_signals();
    progress_stop(stop_signal ? PROGRESS_END_STOPPED : PROGRESS_END_DONE); /* before anything is written */
    runner_release(&a->env);
    netsvc_shutdown();
    reap_all();
    int late = pending_stop_signal();
    int frc = report_finish(a->rep);

    char finished[32];
    utc_stamp(finished, sizeof finished, false);
    size_t n_failed = report_count_status(a->rep, "failed");
    int sig = stop_signal ? stop_signal : late;
    meta_run mr = {.run_id = a->out.run_id, .host = a->host, .started_utc = a->started, .finished_utc = finished,
                   .status = stop_signal ? "interrupted" : n_failed || frc < 0 ? "failed" : "complete",
                   .argc = a->orig_argc, .argv = a->orig_argv, .n_benchmarks = n_run,
                   .n_configurations = a->plan.n_configs, .shuffled = a->plan.shuffled,
                   .interleave_seed = a->plan.seed, .signal = sig ? signal_name(sig) : NULL,
                   .note = stop_signal ? "stopped by the signal: rows not run are status=interrupted"
                           : late      ? "the signal came after the last benchmark: every row is whole"
                                       : NULL};
    json_t *meta = meta_build(&a->o, a->env.topo, &mr);
    if (meta && have_cal)
        json_object_set_new(meta, "calibration", calibrate_json(&cal));
    json_t *json = frc == 0 ? gbjson_build(a->rep, gb_context_json(), a->o.gb.aggregates_only) : NULL;
    int wrc = frc == 0 ? outputs_write(&a->out, report_table(a->rep), report_summary_table(a->rep), json,
                                       a->o.gb.out, meta)
                       : frc;
    json_decref(json);
    json_decref(meta);
    outputs_release(&a->out);

    printf("\n== tvp summary (%s) ==", a->out.run_id);
    report_print_summary(a->rep, stdout);
    sched_print_times(a->sched, stdout);
    if (have_cal)
        calibrate_print(&cal, stdout);
    calibrate_warnings(have_cal ? &cal : NULL, report_summary_table(a->rep), stdout);
    printf("\nresults: %s\n         %s\n         %s\n         %s\n", a->out.csv, a->out.summary, a->out.json,
           a->out.meta);
    if (n_failed)
        printf("%zu configuration(s) failed: see the status and detail columns\n", n_failed);
    fflush(stdout);
    if (!sig && (sig = pending_stop_signal()) != 0) {
        fprintf(stderr, "tvp-bench: signal %d (%s) after the result files were written: they are whole and "
                "say how the run ended\n", sig, signal_name(sig));
        return 128 + sig;
    }
    if (sig) {
        if (stop_signal)
            fprintf(stderr, "tvp-bench: interrupted by signal %d (%s): unfinished rows are status=interrupted; "
                    "the result files are whole\n", sig, signal_name(sig));
        else
            fprintf(stderr, "tvp-bench: signal %d (%s) after the last benchmark: every row is whole\n", sig,
                    signal_name(sig));
        return 128 + sig;
    }
    return rc < 0 || wrc < 0 || n_failed ? 1 : 0;
}

/* Reaps whatever child is left (pools reap their own; this catches the rest, e.g. orphans of a
 * worker, which the subreaper flag makes ours). */
static void reap_all(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

int main(int argc, char **argv)
{
    if (progress_is_ticker(argc, argv)) /* this process is tvp-bench's progress display */
        return progress_ticker_main(argc, argv);
    signal(SIGPIPE, SIG_IGN); /* a closed peer is an error to report, not a way to die */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* The stop signals are ours from the start: one that comes while flags are checked or the
     * run id is claimed stops the run like one that comes later, and leaves nothing behind. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &sa, NULL);
    app a;
    memset(&a, 0, sizeof a);
    a.started_ns = metrics_now_ns();
    a.orig_argc = argc;
    a.orig_argv = calloc((size_t)argc + 1, sizeof *a.orig_argv);
    if (!a.orig_argv)
        return 1;
    memcpy(a.orig_argv, argv, (size_t)argc * sizeof *argv);

    int rc = prepare(&a, &argc, argv);
    if (rc == 0)
        rc = run(&a);
    else if (stop_signal) /* stopped before the run: nothing was written */
        rc = 128 + stop_signal;
    app_free(&a);
    netsvc_shutdown();
    reap_all();
    gb_shutdown();
    return rc < 0 ? 0 : rc;
}
