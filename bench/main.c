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

#include "calibrate.h"
#include "cli.h"
#include "gbench.h"
#include "meta.h"
#include "metrics.h"
#include "netsvc.h"
#include "report.h"
#include "results.h"
#include "runner.h"
#include "sched_bench.h"

static volatile sig_atomic_t stop_signal;

/* First SIGINT/SIGTERM: stop after the current batch and write what finished. The handler then
 * gives the signal back its default action, so a second one ends the process at once; files
 * already written stay whole because every write is a rename. */
static void on_signal(int sig)
{
    stop_signal = sig;
    signal(sig, SIG_DFL);
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

typedef struct paths {
    char csv[1024], json[1024], meta[1024], json_tmp[1024];
} paths;

static void make_paths(paths *p, const char *dir, const char *stem)
{
    snprintf(p->csv, sizeof p->csv, "%s/%s.csv", dir, stem);
    snprintf(p->json, sizeof p->json, "%s/%s.json", dir, stem);
    snprintf(p->meta, sizeof p->meta, "%s/%s.meta.json", dir, stem);
    snprintf(p->json_tmp, sizeof p->json_tmp, "%s/.%s.json.partial", dir, stem);
}

/* Google Benchmark's argv: the user's, plus what the profile wants unless the user said it. */
static char **gb_argv(int argc, char **argv, const cli_opts *o, const paths *p, int *gb_argc)
{
    static char out[1100];
    char **v = calloc((size_t)argc + 4, sizeof *v);
    if (!v)
        return NULL;
    int n = 0;
    for (int i = 0; i < argc; i++)
        v[n++] = argv[i];
    if (!o->user_out) {
        snprintf(out, sizeof out, "--benchmark_out=%s", p->json_tmp);
        v[n++] = out;
        v[n++] = "--benchmark_out_format=json";
    }
    if (o->interleave && !o->user_interleave)
        v[n++] = "--benchmark_enable_random_interleaving=true";
    v[n] = NULL;
    *gb_argc = n;
    return v;
}

/* The JSON Google Benchmark wrote: moved into place (fsync + rename), then copied to latest. */
static int finish_json(const cli_opts *o, const paths *p, int argc, char **argv, const char *latest)
{
    const char *src = p->json_tmp;
    for (int i = 1; o->user_out && i < argc; i++)
        if (strncmp(argv[i], "--benchmark_out=", 16) == 0)
            src = argv[i] + 16;
    int rc = results_copy_atomic(src, p->json);
    if (rc == 0 && !o->user_out)
        unlink(p->json_tmp);
    if (rc == 0)
        rc = results_copy_atomic(p->json, latest);
    return rc;
}

static int write_outputs(const cli_opts *o, const paths *p, const paths *latest, report *rep, json_t *meta,
                         int argc, char **argv)
{
    int rc = results_write_csv(p->csv, report_table(rep));
    if (rc == 0)
        rc = results_copy_atomic(p->csv, latest->csv);
    if (rc < 0) {
        fprintf(stderr, "tvp-bench: cannot write %s: %s\n", p->csv, strerror(-rc));
        return rc;
    }
    rc = finish_json(o, p, argc, argv, latest->json);
    if (rc < 0)
        fprintf(stderr, "tvp-bench: cannot write %s: %s\n", p->json, strerror(-rc));
    int mrc = results_write_json(p->meta, meta);
    if (mrc == 0)
        mrc = results_copy_atomic(p->meta, latest->meta);
    if (mrc < 0)
        fprintf(stderr, "tvp-bench: cannot write %s: %s\n", p->meta, strerror(-mrc));
    return rc < 0 ? rc : mrc;
}

/* Everything main() owns, released in one place whatever path it leaves by. */
typedef struct app {
    int orig_argc;
    char **orig_argv;
    cli_opts o;
    bench_env env;
    bench_case *cases;
    size_t n_cases;
    char **gargv;
    report *rep;
    sched_set *sched;
    char host[64], run_id[128], started[32];
    paths p, latest;
} app;

static void app_free(app *a)
{
    report_free(a->rep);
    sched_set_free(a->sched);
    runner_free_cases(a->cases, a->n_cases);
    pin_topo_free(a->env.topo);
    free(a->env.lat);
    free(a->gargv);
    free(a->orig_argv);
}

/* Names the run "<UTC stamp>-<host>", never reusing a name already in the results directory. */
static void name_run(app *a)
{
    char stamp[32];
    snprintf(a->host, sizeof a->host, "host");
    gethostname(a->host, sizeof a->host - 1);
    a->host[strcspn(a->host, ".")] = '\0';
    utc_stamp(stamp, sizeof stamp, true);
    utc_stamp(a->started, sizeof a->started, false);
    snprintf(a->run_id, sizeof a->run_id, "%s-%s", stamp, a->host);
    make_paths(&a->p, a->o.out_dir, a->run_id);
    for (int i = 2; access(a->p.csv, F_OK) == 0 && i < 1000; i++) {
        snprintf(a->run_id, sizeof a->run_id, "%s-%s-%d", stamp, a->host, i);
        make_paths(&a->p, a->o.out_dir, a->run_id);
    }
    make_paths(&a->latest, a->o.out_dir, "latest");
}

/* Everything before the first benchmark. Returns 0 to run, or the exit code (-1: exit 0). */
static int prepare(app *a, int *argc, char **argv)
{
    int rc = cli_parse(argc, argv, &a->o);
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
    if (a->o.list_only) {
        for (size_t i = 0; i < a->n_cases; i++)
            printf("%s\n", a->cases[i].name);
        sched_print_names(&a->o, a->o.sched_on, stdout);
        return -1;
    }
    name_run(a);
    int gargc;
    a->env.lat = malloc(RUNNER_LAT_CAP * sizeof *a->env.lat);
    a->gargv = gb_argv(*argc, argv, &a->o, &a->p, &gargc);
    if (!a->env.lat || !a->gargv || report_init(&a->rep, &a->o, a->run_id) < 0) {
        fprintf(stderr, "tvp-bench: out of memory\n");
        return 1;
    }
    if (gb_initialize(&gargc, a->gargv) < 0) {
        fprintf(stderr, "tvp-bench: unknown argument (see --help)\n");
        return 2;
    }
    /* Only now, with every flag valid, touch the results directory; before any benchmark. */
    if ((rc = results_check_dir(a->o.out_dir)) < 0) {
        fprintf(stderr, "tvp-bench: --tvp_out=%s: results directory is not writable: %s\n", a->o.out_dir,
                strerror(-rc));
        return 2;
    }
    gb_add_custom_context("tvp_run_id", a->run_id);
    gb_add_custom_context("tvp_profile", cli_profile_name(a->o.profile));
    if (runner_register(a->cases, a->n_cases, &a->o) < 0 ||
        sched_register(&a->o, a->env.topo, a->o.sched_on, &stop_signal, &a->sched) < 0) {
        fprintf(stderr, "tvp-bench: cannot register the benchmarks\n");
        return 1;
    }
    return 0;
}

/* Runs the benchmarks and writes every result file. Returns the exit code. */
static int run(app *a, int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    metrics_timer_slack_set(a->o.timer_slack_ns);

    size_t n_run = 0;
    printf("tvp: run %s, profile %s, %zu configurations + %zu scheduler microbenchmarks, results in %s/\n",
           a->run_id, cli_profile_name(a->o.profile), a->n_cases, sched_set_size(a->sched), a->o.out_dir);
    /* What the machine gives right now: read the results against it. */
    calib cal;
    bool have_cal = calibrate_run(a->env.topo, a->o.timer_slack_ns, &cal) == 0;
    if (have_cal)
        calibrate_print(&cal, stdout);
    fflush(stdout);
    int rc = gb_run_specified(report_on_run, a->rep, &n_run);
    runner_release(&a->env);
    report_finish(a->rep);

    char finished[32];
    utc_stamp(finished, sizeof finished, false);
    size_t n_failed = report_count_status(a->rep, "failed");
    meta_run mr = {.run_id = a->run_id, .host = a->host, .started_utc = a->started, .finished_utc = finished,
                   .status = stop_signal ? "interrupted" : n_failed ? "failed" : "complete",
                   .argc = a->orig_argc, .argv = a->orig_argv, .n_benchmarks = n_run};
    json_t *meta = meta_build(&a->o, a->env.topo, &mr);
    if (meta && have_cal)
        json_object_set_new(meta, "calibration", calibrate_json(&cal));
    int wrc = write_outputs(&a->o, &a->p, &a->latest, a->rep, meta, argc, argv);
    json_decref(meta);

    printf("\n== tvp summary (%s) ==", a->run_id);
    report_print_summary(a->rep, stdout);
    sched_print_times(a->sched, stdout);
    if (have_cal)
        calibrate_print(&cal, stdout);
    calibrate_warnings(have_cal ? &cal : NULL, report_table(a->rep), stdout);
    printf("\nresults: %s\n         %s\n         %s\n", a->p.csv, a->p.json, a->p.meta);
    if (n_failed)
        printf("%zu configuration(s) failed: see the status and detail columns\n", n_failed);
    if (stop_signal) {
        fprintf(stderr, "tvp-bench: interrupted by signal %d; completed rows were written\n", (int)stop_signal);
        return 128 + stop_signal;
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
    signal(SIGPIPE, SIG_IGN); /* a closed peer is an error to report, not a way to die */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    app a;
    memset(&a, 0, sizeof a);
    a.orig_argc = argc;
    a.orig_argv = calloc((size_t)argc + 1, sizeof *a.orig_argv);
    if (!a.orig_argv)
        return 1;
    memcpy(a.orig_argv, argv, (size_t)argc * sizeof *argv);

    int rc = prepare(&a, &argc, argv);
    if (rc == 0)
        rc = run(&a, argc, argv);
    app_free(&a);
    netsvc_shutdown();
    reap_all();
    gb_shutdown();
    return rc < 0 ? 0 : rc;
}
