/* test_sched.c: the scheduler microbenchmarks complete, reap every child, close every fd, fail cleanly. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_checks.h"

#include "child.h"
#include "futex.h"
#include "metrics.h"
#include "sched_bench.h"
#include "topo_fixture.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* p-quantile (0..1) of v, nearest rank on a sorted copy, in us. */
static double q_us(const double *v, uint32_t n, double p)
{
    double *c = malloc(n * sizeof *c);
    assert_non_null(c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    double r = c[(size_t)(p * (n - 1))] / 1e3;
    free(c);
    return r;
}

static void check_result(const sched_result *r, uint32_t n)
{
    assert_int_equal(r->ops, n);
    assert_true(r->total_ns > 0);
    assert_true(r->max_ns > 0 && r->max_ns <= r->total_ns);
    for (uint32_t i = 0; i < n; i++)
        assert_true(r->lat_ns[i] > 0);
}

static void test_group_parse(void **state)
{
    (void)state;
    bool on[SCHED_GROUP_COUNT] = {false, true, false};
    assert_int_equal(sched_group_parse("spawn,wakeup", on), 0);
    assert_true(on[SCHED_GROUP_SPAWN] && !on[SCHED_GROUP_PINGPONG] && on[SCHED_GROUP_WAKEUP]);
    assert_int_equal(sched_group_parse("all", on), 0);
    assert_true(on[0] && on[1] && on[2]);
    assert_int_equal(sched_group_parse("none", on), 0);
    assert_true(!on[0] && !on[1] && !on[2]);
    assert_int_equal(sched_group_parse("pingpong", on), 0);
    assert_true(!on[0] && on[1] && !on[2]);
    const char *bad[] = {"", "spawn,", ",spawn", "spawn,,wakeup", "spawns", "spawn,none", "all,wakeup", "SPAWN"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(sched_group_parse(bad[i], on), -EINVAL);
        assert_true(!on[0] && on[1] && !on[2]); /* untouched */
    }
    assert_int_equal(sched_group_parse(NULL, on), -EINVAL);
    sched_group_defaults(PROFILE_DEFAULT, on);
    assert_true(on[0] && on[1] && on[2]);
    sched_group_defaults(PROFILE_QUICK, on);
    assert_true(on[0] && on[1] && on[2]);
}

static void test_find_true(void **state)
{
    (void)state;
    char path[4096];
    assert_int_equal(sched_find_true(path, sizeof path), 0);
    assert_int_equal(access(path, X_OK), 0);
    printf("# posix_spawn runs %s\n", path);
}

static void test_spawn_methods(void **state)
{
    (void)state;
    enum { n = 40 };
    double lat[n];
    int fds = count_fds();
    for (int m = 0; m < SCHED_SPAWN_COUNT; m++) {
        for (int cp = 0; cp < 2; cp++) {
            sched_spawn_cfg cfg = {.method = (sched_spawn_method)m, .cpus = cp ? SCHED_CPUS_SAME : SCHED_CPUS_NONE,
                                   .topo = topo};
            cpu_set_t before, after;
            assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof before, &before), 0);
            sched_result r = {.lat_ns = lat};
            int rc = sched_measure_spawn(&cfg, n, &r);
            if (rc)
                fprintf(stderr, "%s: %s\n", sched_spawn_name(cfg.method), r.detail);
            assert_int_equal(rc, 0);
            check_result(&r, n);
            assert_true(r.cpu_ns > 0);
            assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof after, &after), 0);
            assert_true(CPU_EQUAL(&before, &after)); /* SAME restores the caller's affinity */
            printf("# spawn %-12s cpus:%-4s p50 %8.1f us  p99 %8.1f us  cpu %6.1f us/op\n", sched_spawn_name(cfg.method),
                   sched_cpus_name(cfg.cpus), q_us(lat, n, 0.5), q_us(lat, n, 0.99), (double)r.cpu_ns / n / 1e3);
            assert_no_children();
            assert_int_equal(count_fds(), fds);
        }
    }
    sched_spawn_cfg bad = {.method = SCHED_SPAWN_FORK, .cpus = SCHED_CPUS_DIFFERENT, .topo = topo};
    sched_result r = {.lat_ns = lat};
    assert_int_equal(sched_measure_spawn(&bad, n, &r), -EINVAL);
    bad.cpus = SCHED_CPUS_NONE;
    assert_int_equal(sched_measure_spawn(&bad, 0, &r), -EINVAL);
    assert_int_equal(sched_measure_spawn(&bad, SCHED_BATCH_MAX + 1, &r), -EINVAL);
}

/* fork from a spawner that touched a heap copies its page tables: figures printed, not asserted
 * (noisy VM). */
static void test_spawn_heap(void **state)
{
    (void)state;
    enum { n = 15 };
    static const size_t kib[] = {0, 16384, 65536};
    double lat[n];
    for (size_t h = 0; h < sizeof kib / sizeof *kib; h++) {
        sched_spawn_cfg cfg = {.method = SCHED_SPAWN_FORK, .heap_kib = kib[h]};
        sched_result r = {.lat_ns = lat};
        assert_int_equal(sched_measure_spawn(&cfg, n, &r), 0);
        check_result(&r, n);
        printf("# fork after %6zu KiB touched: p50 %8.1f us\n", kib[h], q_us(lat, n, 0.5));
        assert_no_children();
    }
}

static void test_spawn_failures(void **state)
{
    (void)state;
    int fds = count_fds();
    double lat[4];
    sched_result r = {.lat_ns = lat};
    /* A program that fails is a failed measurement with its exit status. */
    sched_spawn_cfg cfg = {.method = SCHED_SPAWN_POSIX_SPAWN, .program = "/bin/false"};
    assert_int_equal(sched_measure_spawn(&cfg, 4, &r), -ECHILD);
    assert_non_null(strstr(r.detail, "status 1"));
    cfg.program = "/nonexistent/tvp-true";
    assert_true(sched_measure_spawn(&cfg, 4, &r) < 0);
    assert_non_null(strstr(r.detail, "posix_spawn"));
    /* One that does not exit is killed after the timeout. */
    char script[] = "/tmp/tvp-sched-hang-XXXXXX";
    int fd = mkstemp(script);
    assert_true(fd >= 0);
    const char body[] = "#!/bin/sh\nexec sleep 30\n";
    assert_int_equal(write(fd, body, sizeof body - 1), (ssize_t)sizeof body - 1);
    close(fd);
    chmod(script, 0700);
    cfg.program = script;
    cfg.timeout_ms = 300;
    uint64_t t0 = metrics_now_ns();
    assert_int_equal(sched_measure_spawn(&cfg, 1, &r), -ETIMEDOUT);
    double took = (double)(metrics_now_ns() - t0) / 1e9;
    printf("# hanging child killed after %.2f s: %s\n", took, r.detail);
    assert_true(took < 5);
    unlink(script);
    assert_no_children();
    assert_int_equal(count_fds(), fds);
}

static void test_pingpong_all(void **state)
{
    (void)state;
    enum { n = 300 };
    double lat[n];
    int fds = count_fds();
    bool two = pin_topo_pus(topo) >= 2;
    for (int ch = 0; ch < SCHED_CHAN_COUNT; ch++)
        for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++)
            for (int cp = 0; cp < SCHED_CPUS_COUNT; cp++) {
                sched_pair_cfg cfg = {.channel = (sched_channel)ch, .executor = (pool_executor)e,
                                      .cpus = (sched_cpus)cp, .topo = topo};
                sched_result r = {.lat_ns = lat};
                int rc = sched_measure_pingpong(&cfg, n, &r);
                if (cp == SCHED_CPUS_DIFFERENT && !two) {
                    assert_int_equal(rc, -ENODEV);
                    assert_string_equal(r.detail, "needs 2 usable CPUs");
                    continue;
                }
                if (rc)
                    fprintf(stderr, "%s: %s\n", sched_channel_name(cfg.channel), r.detail);
                assert_int_equal(rc, 0);
                check_result(&r, n);
                if (cp == SCHED_CPUS_SAME) {
                    assert_int_equal(r.cpu[0], r.cpu[1]);
                    assert_int_equal(r.same_cpu_ops, n);
                }
                if (cp == SCHED_CPUS_DIFFERENT) {
                    assert_int_not_equal(r.cpu[0], r.cpu[1]);
                    assert_int_equal(r.same_cpu_ops, 0);
                }
                printf("# pingpong %-8s %-9s cpus:%-9s p50 %7.1f us  p99 %7.1f us  mean %7.1f us  same cpu %3.0f%%\n",
                       sched_channel_name(cfg.channel), pool_executor_name(cfg.executor),
                       sched_cpus_name(cfg.cpus), q_us(lat, n, 0.5), q_us(lat, n, 0.99),
                       (double)r.total_ns / n / 1e3, 100.0 * r.same_cpu_ops / n);
                assert_no_children();
                assert_int_equal(count_fds(), fds);
            }
}

/* A side that dies or stops answering fails the call quickly; nothing is left behind. */
static void test_pingpong_peer_dies(void **state)
{
    (void)state;
    double lat[200];
    int fds = count_fds();
    for (int ch = 0; ch < SCHED_CHAN_COUNT; ch++)
        for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++) {
            sched_pair_cfg cfg = {.channel = (sched_channel)ch, .executor = (pool_executor)e,
                                  .timeout_ms = e == EXEC_THREADS ? 300 : 20000, .fail_after = 50};
            sched_result r = {.lat_ns = lat};
            uint64_t t0 = metrics_now_ns();
            int rc = sched_measure_pingpong(&cfg, 200, &r);
            double took = (double)(metrics_now_ns() - t0) / 1e9;
            printf("# %s %s peer quits: %s after %.2f s: %s\n", sched_channel_name(cfg.channel),
                   pool_executor_name(cfg.executor), strerror(-rc), took, r.detail);
            /* A dead process is noticed at once; a silent thread by the timeout. */
            assert_int_equal(rc, e == EXEC_THREADS ? -ETIMEDOUT : -ECHILD);
            if (e == EXEC_PROCESSES)
                assert_non_null(strstr(r.detail, "status 3"));
            assert_true(took < 5);
            assert_no_children();
            assert_int_equal(count_fds(), fds);
        }
    /* The same for the wakeup pair. */
    for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++) {
        sched_pair_cfg cfg = {.executor = (pool_executor)e, .timeout_ms = e == EXEC_THREADS ? 300 : 20000,
                              .fail_after = 10};
        sched_result r = {.lat_ns = lat};
        int rc = sched_measure_wakeup(&cfg, 50, &r);
        assert_int_equal(rc, e == EXEC_THREADS ? -ETIMEDOUT : -ECHILD);
        assert_no_children();
        assert_int_equal(count_fds(), fds);
    }
}

static void test_wakeup(void **state)
{
    (void)state;
    enum { n = 200 };
    double lat[n];
    int fds = count_fds();
    bool two = pin_topo_pus(topo) >= 2;
    for (int e = EXEC_THREADS; e <= EXEC_PROCESSES; e++)
        for (int cp = 0; cp < SCHED_CPUS_COUNT; cp++) {
            sched_pair_cfg cfg = {.executor = (pool_executor)e, .cpus = (sched_cpus)cp, .topo = topo};
            sched_result r = {.lat_ns = lat};
            int rc = sched_measure_wakeup(&cfg, n, &r);
            if (cp == SCHED_CPUS_DIFFERENT && !two) {
                assert_int_equal(rc, -ENODEV);
                continue;
            }
            if (rc)
                fprintf(stderr, "wakeup: %s\n", r.detail);
            assert_int_equal(rc, 0);
            check_result(&r, n);
            printf("# wakeup %-9s cpus:%-9s p50 %7.1f us  p90 %7.1f us  p99 %7.1f us  max %7.1f us\n",
                   pool_executor_name(cfg.executor), sched_cpus_name(cfg.cpus), q_us(lat, n, 0.5),
                   q_us(lat, n, 0.9), q_us(lat, n, 0.99), (double)r.max_ns / 1e3);
            assert_no_children();
            assert_int_equal(count_fds(), fds);
        }
}

static void test_invalid(void **state)
{
    (void)state;
    double lat[4];
    sched_result r = {.lat_ns = lat};
    sched_pair_cfg cfg = {.executor = EXEC_SERIAL};
    assert_int_equal(sched_measure_pingpong(&cfg, 4, &r), -EINVAL);
    cfg.executor = EXEC_THREADS;
    cfg.cpus = SCHED_CPUS_SAME; /* without a topology */
    assert_int_equal(sched_measure_pingpong(&cfg, 4, &r), -EINVAL);
    cfg.cpus = SCHED_CPUS_NONE;
    assert_int_equal(sched_measure_wakeup(&cfg, 0, &r), -EINVAL);
    assert_int_equal(sched_measure_pingpong(NULL, 4, &r), -EINVAL);
    assert_int_equal(sched_measure_pingpong(&cfg, 4, NULL), -EINVAL);
}

/* ---- through Google Benchmark, as tvp-bench runs them ---- */

typedef struct seen {
    results_table t;
    size_t sched_runs;
} seen;

static void on_run(const gb_run *run, void *user)
{
    seen *s = user;
    const sched_case *c = run->ctx;
    assert_non_null(c);
    long row = results_table_add_row(&s->t);
    assert_true(row >= 0);
    results_table_set(&s->t, (size_t)row, "benchmark", run->name);
    if (run->aggregate[0])
        results_table_set(&s->t, (size_t)row, "repetition", run->aggregate);
    else
        results_table_setf(&s->t, (size_t)row, "repetition", "%lld", (long long)run->repetition_index);
    results_table_set(&s->t, (size_t)row, "status", run->error ? "failed" : "ok");
    if (!run->error)
        results_table_set_num(&s->t, (size_t)row, "wall_s", run->real_time_s);
    else
        printf("# %s failed: %s\n", run->name, run->error_message);
    sched_fill_row(&s->t, (size_t)row, run, c);
    s->sched_runs++;
}

static const char *cell(const results_table *t, size_t row, const char *col)
{
    const char *v = results_table_get(t, row, col);
    return v ? v : "";
}

/* The names of the configurations sched_build makes, one a line (what --tvp_list prints). */
static void print_names(const cli_opts *o, const bool on[SCHED_GROUP_COUNT], FILE *f)
{
    sched_set *set = NULL;
    assert_int_equal(sched_build(o, topo, on, NULL, &set), 0);
    for (size_t i = 0; i < sched_set_size(set); i++)
        fprintf(f, "%s\n", sched_case_at(set, i)->name);
    sched_set_free(set);
}

/* The matrix per profile: names and counts. */
static void test_names(void **state)
{
    (void)state;
    cli_opts o;
    memset(&o, 0, sizeof o);
    bool on[SCHED_GROUP_COUNT] = {true, true, true};
    static const struct {
        cli_profile p;
        size_t n;
    } want[] = {{PROFILE_QUICK, 5 + 18 + 2}, {PROFILE_DEFAULT, 7 + 18 + 2}, {PROFILE_FULL, 12 + 24 + 6}};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        o.profile = want[k].p;
        char buf[8192];
        memset(buf, 0, sizeof buf);
        FILE *f = fmemopen(buf, sizeof buf, "w");
        assert_non_null(f);
        print_names(&o, on, f);
        fclose(f);
        size_t lines = 0;
        for (char *p = buf; (p = strchr(p, '\n')); p++)
            lines++;
        assert_int_equal(lines, want[k].n);
        if (want[k].p == PROFILE_DEFAULT) {
            static const char *const names[] = {"sched/spawn/pthread\n", "sched/spawn/fork/heap_kib:0\n",
                                                "sched/spawn/fork/heap_kib:16384\n",
                                                "sched/spawn/fork/heap_kib:65536\n",
                                                "sched/spawn/fork/heap_kib:262144\n", "sched/spawn/vfork\n",
                                                "sched/spawn/posix_spawn\n",
                                                "sched/pingpong/pipe/threads/cpus:same\n",
                                                "sched/pingpong/futex/processes/cpus:different\n",
                                                "sched/pingpong/eventfd/processes/cpus:none\n",
                                                "sched/wakeup/threads/cpus:none\n",
                                                "sched/wakeup/processes/cpus:none\n"};
            for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                if (!strstr(buf, names[i]))
                    fail_msg("no %s", names[i]);
            assert_null(strstr(buf, "condvar"));
        }
        if (want[k].p == PROFILE_FULL) {
            assert_non_null(strstr(buf, "sched/spawn/fork/heap_kib:1048576\n"));
            assert_non_null(strstr(buf, "sched/spawn/pthread/cpus:same\n"));
            assert_non_null(strstr(buf, "sched/pingpong/condvar/processes/cpus:same\n"));
            assert_non_null(strstr(buf, "sched/wakeup/processes/cpus:different\n"));
        }
    }
    bool some[SCHED_GROUP_COUNT] = {false, false, true};
    o.profile = PROFILE_DEFAULT;
    char buf[1024] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    print_names(&o, some, f);
    fclose(f);
    assert_string_equal(buf, "sched/wakeup/threads/cpus:none\nsched/wakeup/processes/cpus:none\n");
}

static void test_gbench_rows(void **state)
{
    (void)state;
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.profile = PROFILE_DEFAULT;
    o.repetitions = 2;
    o.min_time = 0.02;
    bool on[SCHED_GROUP_COUNT] = {true, true, true};
    sched_set *set = NULL;
    assert_int_equal(sched_build(&o, topo, on, NULL, &set), 0);
    assert_non_null(set);
    assert_int_equal(sched_set_size(set), 7 + 18 + 2);
    /* Registered as tvp-bench's jobs register them, with Google Benchmark's repetitions here. */
    for (size_t i = 0; i < sched_set_size(set); i++) {
        sched_case *c = sched_case_at(set, i);
        gb_bench *b = sched_configure(gb_register(c->name, sched_body, c), c);
        if (c->group != SCHED_GROUP_WAKEUP)
            b = gb_min_time(b, o.min_time);
        assert_non_null(gb_repetitions(b, o.repetitions));
    }
    char *argv[] = {"test_sched",
                    "--benchmark_filter=^sched/(spawn/(pthread|fork/heap_kib:0)|pingpong/pipe/processes/cpus:same|"
                    "wakeup/threads/cpus:none)/",
                    NULL};
    int argc = 2;
    assert_int_equal(gb_initialize(&argc, argv), 0);
    static const char *const cols[] = {"benchmark", "workload", "executor", "spawn", "gil", "workers", "pin", "tasks",
                                       "repetition", "status", "wall_s", "tasks_per_s", "cpu_s", "cpu_util",
                                       "ctx_vol", "ctx_invol", "lat_p50_us", "lat_p90_us", "lat_p99_us",
                                       "cpus_used", "iterations", "heap_kib", "method", "channel", "cpus",
                                       "same_cpu_frac"};
    seen s = {.sched_runs = 0};
    assert_int_equal(results_table_init(&s.t, cols, sizeof cols / sizeof *cols), 0);
    size_t n_run = 0;
    assert_int_equal(gb_run_specified(on_run, &s, &n_run), 0);
    assert_int_equal(n_run, 4);
    /* 4 benchmarks x (2 repetitions + mean, median, stddev, cv) */
    assert_int_equal(s.sched_runs, 4 * 6);
    size_t wakeups = 0;
    for (size_t i = 0; i < s.t.n_rows; i++) {
        assert_string_equal(cell(&s.t, i, "status"), "ok");
        const char *wl = cell(&s.t, i, "workload"), *rep = cell(&s.t, i, "repetition");
        assert_true(strncmp(wl, "sched_", 6) == 0);
        assert_string_equal(cell(&s.t, i, "tasks"), "1");
        assert_string_equal(cell(&s.t, i, "gil"), "off");
        if (strcmp(wl, "sched_spawn") == 0) {
            assert_string_equal(cell(&s.t, i, "spawn"), "per-task");
            assert_string_equal(cell(&s.t, i, "workers"), "1");
            assert_true(*cell(&s.t, i, "method"));
            assert_string_equal(cell(&s.t, i, "heap_kib"), "0");
            assert_string_equal(cell(&s.t, i, "channel"), "");
        } else {
            assert_string_equal(cell(&s.t, i, "spawn"), "pool");
            assert_string_equal(cell(&s.t, i, "workers"), "2");
            assert_string_equal(cell(&s.t, i, "method"), "");
            assert_true(*cell(&s.t, i, "channel"));
        }
        if (strcmp(wl, "sched_spawn") == 0)
            assert_string_equal(cell(&s.t, i, "same_cpu_frac"), "");
        else if (strcmp(rep, "0") == 0) {
            double f = strtod(cell(&s.t, i, "same_cpu_frac"), NULL);
            assert_true(f >= 0 && f <= 1);
            if (strcmp(cell(&s.t, i, "cpus"), "same") == 0)
                assert_true(f == 1);
        }
        if (strcmp(cell(&s.t, i, "cpus"), "same") == 0)
            assert_string_equal(cell(&s.t, i, "pin"), "compact");
        else
            assert_string_equal(cell(&s.t, i, "pin"), "none");
        if (strcmp(rep, "0") == 0 || strcmp(rep, "median") == 0) {
            double wall = strtod(cell(&s.t, i, "wall_s"), NULL), tps = strtod(cell(&s.t, i, "tasks_per_s"), NULL);
            double p50 = strtod(cell(&s.t, i, "lat_p50_us"), NULL), p99 = strtod(cell(&s.t, i, "lat_p99_us"), NULL);
            assert_true(wall > 0 && tps > 0 && p50 > 0 && p99 >= p50);
            if (strcmp(rep, "0") == 0) {
                /* one iteration is one op: wall_s is the mean op time, tasks_per_s its inverse */
                assert_true(fabs(tps * wall - 1) < 1e-3);
                assert_true(strtol(cell(&s.t, i, "iterations"), NULL, 10) >= 1);
            }
            printf("# %-50s %-6s wall %9.2f us  p50 %8.2f us  p99 %8.2f us  %s\n", cell(&s.t, i, "benchmark"), rep,
                   wall * 1e6, p50, p99, cell(&s.t, i, "cpus_used"));
        }
        if (strcmp(wl, "sched_wakeup") == 0 && strcmp(rep, "0") == 0) {
            assert_string_equal(cell(&s.t, i, "iterations"), "2000"); /* fixed count */
            wakeups++;
        }
    }
    assert_int_equal(wakeups, 1);
    sched_print_times(set, stdout);
    assert_true(sched_group_seconds(set, SCHED_GROUP_SPAWN) > 0);
    assert_true(sched_group_seconds(set, SCHED_GROUP_WAKEUP) > 0);
    results_table_free(&s.t);
    sched_set_free(set);
    gb_shutdown();
    assert_no_children();
}

/* ---- the shared helpers the pairs use: lib/futex.h and lib/child.h ---- */

static _Atomic uint32_t futex_word;

static void *wake_later(void *arg)
{
    (void)arg;
    struct timespec ms = {0, 20000000};
    nanosleep(&ms, NULL);
    atomic_store(&futex_word, 1);
    futex_wake_all(&futex_word, false);
    return NULL;
}

static void test_futex(void **state)
{
    (void)state;
    atomic_store(&futex_word, 0);
    assert_int_equal(futex_wait_ms(&futex_word, 1, false, 1000), 0); /* the value differs: at once */
    uint64_t t0 = metrics_now_ns();
    assert_int_equal(futex_wait_ms(&futex_word, 0, false, 30), -ETIMEDOUT);
    assert_true(metrics_now_ns() - t0 >= 29000000u);
    assert_int_equal(futex_wait_ns(&futex_word, 0, true, 1000000), -ETIMEDOUT);
    /* Private: woken by a thread. */
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wake_later, NULL), 0);
    while (atomic_load(&futex_word) == 0)
        assert_int_equal(futex_wait_ms(&futex_word, 0, false, 5000), 0);
    pthread_join(th, NULL);
    /* Shared: woken by a forked child through MAP_SHARED memory. */
    _Atomic uint32_t *w = mmap(NULL, sizeof *w, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(w != MAP_FAILED);
    atomic_store(w, 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ms = {0, 20000000};
        nanosleep(&ms, NULL);
        atomic_store(w, 7);
        futex_wake(w, true, 1);
        _exit(0);
    }
    assert_true(pid > 0);
    while (atomic_load(w) == 0)
        assert_int_equal(futex_wait_ms(w, 0, true, 5000), 0);
    assert_int_equal(atomic_load(w), 7);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap((void *)w, sizeof *w);
}

/* What a parent's stop handler would do if it ran in the child. */
static void parent_handler(int sig)
{
    (void)sig;
    _exit(42);
}

/* Forks a child that inherits parent_handler for the stop signals and calls child_init(parent,
 * how). The child raises SIGINT, SIGHUP and SIGTERM itself, then tells the test through `ready`
 * (when not -1) and waits up to 5 s for a signal from it, then exits 0 if it is still there. */
static pid_t child_start(pid_t parent, child_signals how, int ready)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa = {.sa_handler = parent_handler};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        child_init(parent, how);
        raise(SIGINT);
        raise(SIGHUP);
        raise(SIGTERM);
        if (ready >= 0) {
            (void)!write(ready, "r", 1);
            struct timespec s5 = {5, 0};
            nanosleep(&s5, NULL);
        }
        _exit(0);
    }
    assert_true(pid > 0);
    return pid;
}

static int child_status(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_child_init(void **state)
{
    (void)state;
    /* BLOCK: every signal stays pending; the child ends normally. */
    int st = child_status(child_start(getpid(), CHILD_SIGNALS_BLOCK, -1));
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* WORKER: SIGINT, SIGHUP and a SIGTERM from anyone but the parent ignored; the parent's
     * handler never runs. */
    st = child_status(child_start(getpid(), CHILD_SIGNALS_WORKER, -1));
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* WORKER: the parent's SIGTERM terminates it (the pool's task deadline). */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    uint64_t t0 = metrics_now_ns();
    pid_t pid = child_start(getpid(), CHILD_SIGNALS_WORKER, fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    assert_int_equal(kill(pid, SIGTERM), 0);
    st = child_status(pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    assert_true(metrics_now_ns() - t0 < 4000000000u); /* not the end of its 5 s wait */
    close(fds[0]);
    close(fds[1]);
    /* Not our parent: the child leaves at once. */
    st = child_status(child_start(getpid() + 1, CHILD_SIGNALS_BLOCK, -1));
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == CHILD_ORPHAN_EXIT);
    assert_no_children();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_parse),        cmocka_unit_test(test_find_true),
        cmocka_unit_test(test_invalid),            cmocka_unit_test(test_spawn_methods),
        cmocka_unit_test(test_spawn_heap),         cmocka_unit_test(test_spawn_failures),
        cmocka_unit_test(test_pingpong_all),       cmocka_unit_test(test_pingpong_peer_dies),
        cmocka_unit_test(test_wakeup),             cmocka_unit_test(test_names),
        cmocka_unit_test(test_gbench_rows),        cmocka_unit_test(test_futex),
        cmocka_unit_test(test_child_init),
    };
    return cmocka_run_group_tests(tests, topo_setup, topo_teardown);
}
