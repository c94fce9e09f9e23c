/* test_gbench.c: unit tests of the C API over Google Benchmark (lib/gbench.h).
 *
 * Google Benchmark can run its benchmarks only once per process, so the group setup initialises
 * it, registers every benchmark below, runs them once and keeps a copy of every reported run;
 * the tests then assert on those copies. Tests of argument checking register fresh benchmarks
 * after the run, which are never run.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gbench.h"

/* ---- a copy of one reported run ---- */

typedef struct stored_run {
    char *name, *family, *aggregate, *error_message, *label;
    void *ctx;
    bool aggregate_is_percentage, error;
    int64_t repetition_index, repetitions, iterations;
    double real_time_s, cpu_time_s;
    size_t n_counters;
    char **counter_names;
    double *counter_values;
} stored_run;

typedef struct run_store {
    stored_run *runs;
    size_t n, cap;
    bool bad_user;   /* the callback got another `user` than the one given */
    bool alloc_fail; /* a copy could not be made */
} run_store;

static char *dup_str(const char *s, run_store *store) {
    char *d = strdup(s ? s : "(null)");
    if (!d) store->alloc_fail = true;
    return d;
}

static void store_counters(stored_run *d, const gb_run *run, run_store *store) {
    d->n_counters = run->n_counters;
    d->counter_names = calloc(run->n_counters + 1, sizeof *d->counter_names);
    d->counter_values = calloc(run->n_counters + 1, sizeof *d->counter_values);
    if (!d->counter_names || !d->counter_values) {
        store->alloc_fail = true;
        d->n_counters = 0;
        return;
    }
    for (size_t i = 0; i < run->n_counters; i++) {
        d->counter_names[i] = dup_str(run->counter_names[i], store);
        d->counter_values[i] = run->counter_values[i];
    }
}

static run_store g_store;

static void on_run(const gb_run *run, void *user) {
    run_store *store = user;
    if (store != &g_store) {
        g_store.bad_user = true;
        return;
    }
    if (store->n == store->cap) {
        size_t cap = store->cap ? 2 * store->cap : 32;
        stored_run *runs = realloc(store->runs, cap * sizeof *runs);
        if (!runs) {
            store->alloc_fail = true;
            return;
        }
        store->runs = runs;
        store->cap = cap;
    }
    stored_run *d = &store->runs[store->n++];
    memset(d, 0, sizeof *d);
    d->name = dup_str(run->name, store);
    d->family = dup_str(run->family, store);
    d->aggregate = dup_str(run->aggregate, store);
    d->error_message = dup_str(run->error_message, store);
    d->label = dup_str(run->label, store);
    d->ctx = run->ctx;
    d->aggregate_is_percentage = run->aggregate_is_percentage;
    d->error = run->error;
    d->repetition_index = run->repetition_index;
    d->repetitions = run->repetitions;
    d->iterations = run->iterations;
    d->real_time_s = run->real_time_s;
    d->cpu_time_s = run->cpu_time_s;
    store_counters(d, run, store);
}

static void free_store(run_store *store) {
    for (size_t i = 0; i < store->n; i++) {
        stored_run *r = &store->runs[i];
        free(r->name);
        free(r->family);
        free(r->aggregate);
        free(r->error_message);
        free(r->label);
        for (size_t j = 0; j < r->n_counters; j++) free(r->counter_names[j]);
        free(r->counter_names);
        free(r->counter_values);
    }
    free(store->runs);
    memset(store, 0, sizeof *store);
}

/* A gb_run over a stored copy, to look counters up with gb_run_counter. */
static gb_run view(const stored_run *r) {
    gb_run v = {0};
    v.name = r->name;
    v.n_counters = r->n_counters;
    v.counter_names = (const char *const *)r->counter_names;
    v.counter_values = r->counter_values;
    return v;
}

static double counter(const stored_run *r, const char *name) {
    gb_run v = view(r);
    return gb_run_counter(&v, name, NAN);
}

static const stored_run *find_run(const char *name) {
    for (size_t i = 0; i < g_store.n; i++)
        if (strcmp(g_store.runs[i].name, name) == 0) return &g_store.runs[i];
    return NULL;
}

static const stored_run *find_aggregate(const char *family, const char *aggregate) {
    for (size_t i = 0; i < g_store.n; i++) {
        const stored_run *r = &g_store.runs[i];
        if (strcmp(r->family, family) == 0 && strcmp(r->aggregate, aggregate) == 0) return r;
    }
    return NULL;
}

/* The iteration (non-aggregate) runs of a family, in report order. */
static size_t family_runs(const char *family, const stored_run **out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < g_store.n; i++) {
        const stored_run *r = &g_store.runs[i];
        if (strcmp(r->family, family) != 0 || r->aggregate[0] != '\0') continue;
        if (n < max) out[n] = r;
        n++;
    }
    return n;
}

static void check_close(double got, double want, double rel, const char *what) {
    double tol = want != 0 ? rel * fabs(want) : rel;
    if (!(fabs(got - want) <= tol)) fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* ---- the benchmarks ---- */

typedef struct bench_ctx {
    int calls;
    bool saw_error; /* gb_error_occurred was true inside the body */
    int64_t batches;
} bench_ctx;

enum { B_ARGS, B_DENSE, B_RANGES, B_PRODUCT, B_COUNTERS, B_ERROR, B_EARLY, B_MISUSE, B_BATCH,
       B_BATCH_ZERO, B_REPS, B_NAMES_ONLY, B_COUNT };
static bench_ctx g_ctx[B_COUNT];

static void spin(gb_state *st) {
    int x = 0;
    while (gb_keep_running(st)) {
        x++;
        gb_do_not_optimize(&x);
    }
}

/* Reports its first two arguments (and two out-of-range ones) as counters. */
static void body_args(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    spin(st);
    gb_counter_set(st, "a", (double)gb_range(st, 0), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "b", (double)gb_range(st, 1), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "oob", (double)(gb_range(st, 2) + gb_range(st, 1000)), GB_COUNTER_DEFAULTS);
}

static void body_counters(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    while (gb_keep_running(st)) gb_set_iteration_time(st, 0.002);
    int64_t it = gb_iterations_done(st);
    gb_counter_set(st, "plain", 42.0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "rate", 10.0, GB_COUNTER_IS_RATE);
    gb_counter_set(st, "per_iter", 3.0 * (double)it, GB_COUNTER_AVG_ITERATIONS);
    gb_counter_set(st, "invariant", 2.0, GB_COUNTER_ITERATION_INVARIANT);
    gb_counter_set(st, "avg_threads", 6.0, GB_COUNTER_AVG_THREADS);
    gb_counter_set(st, "inv_rate", 4.0, GB_COUNTER_IS_RATE | GB_COUNTER_INVERT);
    gb_counter_set(st, "max_iters", (double)gb_max_iterations(st), GB_COUNTER_DEFAULTS);
    gb_counter_set(NULL, "ignored", 1.0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, NULL, 1.0, GB_COUNTER_DEFAULTS);
    gb_set_items_processed(st, 100);
    gb_set_bytes_processed(st, 2048);
    gb_set_label(st, NULL);
    gb_set_label(st, "hello");
}

static void body_error(gb_state *st, void *ctx) {
    bench_ctx *c = ctx;
    c->calls++;
    gb_skip_with_error(st, "boom");
    c->saw_error = gb_error_occurred(st);
    gb_pause_timing(st); /* GB would check-fail after an error */
    while (gb_keep_running(st)) {
    }
}

static void body_early_return(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    (void)st; /* never enters the loop: GB itself would abort */
}

/* Timing calls GB would check-fail on: all must be absorbed. */
static void body_misuse(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    gb_pause_timing(st); /* before the loop */
    gb_resume_timing(st);
    int64_t i = 0;
    while (gb_keep_running(st)) {
        gb_pause_timing(st);
        gb_pause_timing(st); /* twice */
        gb_resume_timing(st);
        gb_resume_timing(st); /* twice */
        if (++i % 2 == 0) gb_pause_timing(st); /* the loop test comes while paused */
    }
    gb_pause_timing(st); /* after the loop */
    gb_resume_timing(st);
    if (gb_keep_running(st)) gb_skip_with_error(st, "loop ran again after its end");
}

static void body_batch(gb_state *st, void *ctx) {
    bench_ctx *c = ctx;
    c->calls++;
    while (gb_keep_running_batch(st, 4)) c->batches++;
}

static void body_batch_zero(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    while (gb_keep_running_batch(st, 0)) {
    }
}

/* Repetition k (1-based) takes k ms per iteration, in manual time. */
static void body_reps(gb_state *st, void *ctx) {
    bench_ctx *c = ctx;
    double t = ++c->calls * 1e-3;
    while (gb_keep_running(st)) gb_set_iteration_time(st, t);
}

static void body_noop(gb_state *st, void *ctx) {
    (void)ctx;
    spin(st);
}

static double stat_max(const double *v, size_t n) {
    double m = v[0];
    for (size_t i = 1; i < n; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/* (max - min) / mean: a ratio, reported as a percentage aggregate. */
static double stat_spread(const double *v, size_t n) {
    double lo = v[0], hi = v[0], sum = 0;
    for (size_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        sum += v[i];
    }
    return (hi - lo) / (sum / (double)n);
}

/* ---- the single run ---- */

#define EXPECTED_BENCHMARKS 17 /* instances: 2 args, 3 dense, 2 ranges, 2 product, 10 others */

static struct {
    int rc_init_bad, argc_after_bad;
    char arg_after_bad[64];
    int rc_init_ok, argc_after_ok;
    int rc_ctx, rc_ctx_dup, rc_ctx_null_key, rc_ctx_null_value;
    bool registered; /* every registration and configuration call returned its bench */
    int rc_run_incomplete; /* arg names without args */
    int rc_run;
    size_t n_run;
    int rc_run_again;
    char json_path[256];
    char *json; /* the --benchmark_out file */
} g;

static void init_args(void) {
    char prog[] = "test_gbench", color[] = "--benchmark_color=false", bad[] = "--no-such-flag";
    char *argv_bad[] = {prog, color, bad, NULL};
    int argc = 3;
    g.rc_init_bad = gb_initialize(&argc, argv_bad);
    g.argc_after_bad = argc;
    snprintf(g.arg_after_bad, sizeof g.arg_after_bad, "%s", argc > 1 ? argv_bad[1] : "");

    static char out[300];
    snprintf(out, sizeof out, "--benchmark_out=%s", g.json_path);
    char *argv_ok[] = {prog, out, color, NULL};
    argc = 3;
    g.rc_init_ok = gb_initialize(&argc, argv_ok);
    g.argc_after_ok = argc;
}

static void add_context(void) {
    g.rc_ctx = gb_add_custom_context("tvp_test_key", "tvp_test_value");
    g.rc_ctx_dup = gb_add_custom_context("tvp_test_key", "other");
    g.rc_ctx_null_key = gb_add_custom_context(NULL, "v");
    g.rc_ctx_null_value = gb_add_custom_context("k", NULL);
}

/* Registers every benchmark; false when a call that should succeed returned NULL. */
static bool register_all(gb_bench **names_only) {
    bool ok = true;
    gb_bench *b;

    b = gb_register("args", body_args, &g_ctx[B_ARGS]);
    static const int64_t a1[] = {3, 7}, a2[] = {5, 11};
    static const char *const arg_names[] = {"a", "b"};
    ok &= b && gb_iterations(gb_arg_names(gb_args(gb_args(b, a1, 2), a2, 2), arg_names, 2), 2) == b;

    b = gb_register("dense", body_args, &g_ctx[B_DENSE]);
    ok &= b && gb_iterations(gb_measure_process_cpu_time(gb_unit(gb_dense_range(b, 1, 5, 2), GB_US)),
                             1) == b;

    b = gb_register("ranges", body_args, &g_ctx[B_RANGES]);
    static const int64_t lo[] = {1, 10}, hi[] = {8, 10};
    ok &= b && gb_iterations(gb_ranges(b, lo, hi, 2), 1) == b;

    b = gb_register("product", body_args, &g_ctx[B_PRODUCT]);
    static const int64_t l0[] = {1, 2}, l1[] = {3};
    static const int64_t *const lists[] = {l0, l1};
    static const size_t lens[] = {2, 1};
    ok &= b && gb_threads(gb_iterations(gb_args_product(b, lists, lens, 2), 1), 1) == b;

    b = gb_register("counters", body_counters, &g_ctx[B_COUNTERS]);
    ok &= b && gb_unit(gb_iterations(gb_use_manual_time(b), 10), GB_MS) == b;

    b = gb_register("error", body_error, &g_ctx[B_ERROR]);
    ok &= b && gb_iterations(b, 3) == b;

    b = gb_register("early_return", body_early_return, &g_ctx[B_EARLY]);
    ok &= b && gb_iterations(b, 3) == b;

    b = gb_register("misuse", body_misuse, &g_ctx[B_MISUSE]);
    ok &= b && gb_min_warmup_time(gb_min_time(gb_use_real_time(b), 0.01), 0.002) == b;

    b = gb_register("batch", body_batch, &g_ctx[B_BATCH]);
    ok &= b && gb_iterations(b, 10) == b;

    b = gb_register("batch_zero", body_batch_zero, &g_ctx[B_BATCH_ZERO]);
    ok &= b && gb_iterations(b, 10) == b;

    b = gb_register("reps", body_reps, &g_ctx[B_REPS]);
    b = gb_repetitions(gb_iterations(gb_use_manual_time(b), 5), 3);
    b = gb_compute_statistics(gb_compute_statistics(b, "max", stat_max, false), "spread",
                              stat_spread, true);
    ok &= b && gb_report_aggregates_only(b, false) == b;

    /* Argument names without arguments: gb_run_specified must refuse it until args come. */
    static const char *const n_name[] = {"n"};
    b = gb_register("names_only", body_noop, &g_ctx[B_NAMES_ONLY]);
    ok &= b && gb_iterations(gb_arg_names(b, n_name, 1), 1) == b;
    *names_only = b;
    return ok;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n < cap - 1) break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static int setup_run(void **state) {
    (void)state;
    snprintf(g.json_path, sizeof g.json_path, "/tmp/test_gbench_%ld.json", (long)getpid());
    init_args();
    add_context();

    gb_bench *names_only = NULL;
    g.registered = register_all(&names_only);
    g.rc_run_incomplete = gb_run_specified(on_run, &g_store, &g.n_run);
    static const int64_t seven[] = {7};
    if (gb_args(names_only, seven, 1) != names_only) g.registered = false;

    g.n_run = 0;
    g.rc_run = gb_run_specified(on_run, &g_store, &g.n_run);
    g.rc_run_again = gb_run_specified(on_run, &g_store, NULL);
    g.json = read_file(g.json_path);
    unlink(g.json_path);
    return 0;
}

static int teardown_run(void **state) {
    (void)state;
    gb_shutdown();
    gb_shutdown(); /* a second shutdown must be harmless */
    free_store(&g_store);
    free(g.json);
    return 0;
}

/* ---- tests on the run ---- */

static void test_initialize(void **state) {
    (void)state;
    assert_int_equal(g.rc_init_bad, -EINVAL);
    assert_int_equal(g.argc_after_bad, 2); /* GB consumed its own flag only */
    assert_string_equal(g.arg_after_bad, "--no-such-flag");
    assert_int_equal(g.rc_init_ok, 0);
    assert_int_equal(g.argc_after_ok, 1);

    int argc = 1;
    char prog[] = "x";
    char *argv[] = {prog, NULL};
    assert_int_equal(gb_initialize(NULL, argv), -EINVAL);
    assert_int_equal(gb_initialize(&argc, NULL), -EINVAL);
    argc = 0;
    assert_int_equal(gb_initialize(&argc, argv), -EINVAL);
    argc = 2; /* argv[1] is NULL */
    assert_int_equal(gb_initialize(&argc, argv), -EINVAL);
}

static void test_custom_context(void **state) {
    (void)state;
    assert_int_equal(g.rc_ctx, 0);
    assert_int_equal(g.rc_ctx_dup, -EINVAL);
    assert_int_equal(g.rc_ctx_null_key, -EINVAL);
    assert_int_equal(g.rc_ctx_null_value, -EINVAL);
    /* The JSON file reporter GB built for --benchmark_out carries the context and the runs. */
    assert_non_null(g.json);
    assert_non_null(strstr(g.json, "\"tvp_test_key\": \"tvp_test_value\""));
    assert_non_null(strstr(g.json, "\"counters/iterations:10/manual_time\""));
}

static void test_run_once(void **state) {
    (void)state;
    assert_true(g.registered);
    assert_int_equal(g.rc_run_incomplete, -EINVAL);
    assert_int_equal(g.rc_run, 0);
    assert_int_equal(g.n_run, EXPECTED_BENCHMARKS);
    assert_int_equal(g.rc_run_again, -EALREADY);
    assert_false(g_store.bad_user);
    assert_false(g_store.alloc_fail);
    assert_true(g_store.n >= EXPECTED_BENCHMARKS + 2);
    /* The context as Google Benchmark's JSON reporter wrote it, as a whole strict document. */
    const char *ctx = gb_context_json();
    assert_non_null(ctx);
    json_t *doc = json_loads(ctx, 0, NULL);
    assert_non_null(doc);
    json_t *c = json_object_get(doc, "context");
    assert_true(json_is_object(c));
    assert_true(json_integer_value(json_object_get(c, "num_cpus")) > 0);
    assert_true(json_is_array(json_object_get(doc, "benchmarks")));
    json_decref(doc);
}

static void test_ctx_and_family(void **state) {
    (void)state;
    static const char *const families[B_COUNT] = {
        "args", "dense", "ranges", "product", "counters", "error", "early_return", "misuse",
        "batch", "batch_zero", "reps", "names_only"};
    size_t seen[B_COUNT] = {0};
    for (size_t i = 0; i < g_store.n; i++) {
        const stored_run *r = &g_store.runs[i];
        size_t k = 0;
        while (k < B_COUNT && strcmp(r->family, families[k]) != 0) k++;
        if (k == B_COUNT) fail_msg("run %s of unknown family %s", r->name, r->family);
        assert_ptr_equal(r->ctx, &g_ctx[k]);
        assert_int_equal(strncmp(r->name, r->family, strlen(r->family)), 0);
        seen[k]++;
    }
    for (size_t k = 0; k < B_COUNT; k++)
        if (!seen[k]) fail_msg("no run of %s", families[k]);
}

static void test_args_and_names(void **state) {
    (void)state;
    const stored_run *r = find_run("args/a:3/b:7/iterations:2");
    assert_non_null(r);
    assert_false(r->error);
    assert_int_equal(r->iterations, 2);
    assert_true(counter(r, "a") == 3 && counter(r, "b") == 7 && counter(r, "oob") == 0);
    r = find_run("args/a:5/b:11/iterations:2");
    assert_non_null(r);
    assert_true(counter(r, "a") == 5 && counter(r, "b") == 11 && counter(r, "oob") == 0);
    assert_int_equal(g_ctx[B_ARGS].calls, 2);

    r = find_run("names_only/n:7/iterations:1");
    assert_non_null(r);
    assert_false(r->error);
}

static void test_dense_range(void **state) {
    (void)state;
    const stored_run *runs[8];
    assert_int_equal(family_runs("dense", runs, 8), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(counter(runs[i], "a") == (double)(1 + 2 * i));
        assert_true(counter(runs[i], "b") == 0); /* a single argument */
        char prefix[32];
        snprintf(prefix, sizeof prefix, "dense/%zu/", 1 + 2 * i);
        assert_int_equal(strncmp(runs[i]->name, prefix, strlen(prefix)), 0);
    }
}

static void test_ranges_and_product(void **state) {
    (void)state;
    const stored_run *runs[8];
    /* Ranges({1, 8}, {10, 10}) with the default multiplier 8: (1, 10), (8, 10). */
    assert_int_equal(family_runs("ranges", runs, 8), 2);
    double sum_a = 0;
    for (size_t i = 0; i < 2; i++) {
        assert_true(counter(runs[i], "b") == 10);
        sum_a += counter(runs[i], "a");
    }
    assert_true(sum_a == 9);

    assert_int_equal(family_runs("product", runs, 8), 2);
    assert_non_null(find_run("product/1/3/iterations:1/threads:1"));
    assert_non_null(find_run("product/2/3/iterations:1/threads:1"));
}

static void test_counters_and_manual_time(void **state) {
    (void)state;
    const stored_run *r = find_run("counters/iterations:10/manual_time");
    assert_non_null(r);
    assert_false(r->error);
    assert_int_equal(r->iterations, 10);
    assert_string_equal(r->aggregate, "");
    assert_int_equal(r->repetition_index, 0);
    assert_int_equal(r->repetitions, 1);
    /* Seconds per iteration, whatever the display unit (ms here). */
    check_close(r->real_time_s, 0.002, 1e-9, "manual real_time_s");
    assert_string_equal(r->label, "hello");

    /* Counter flags, applied with the manual time (10 x 2 ms = 20 ms) as the duration. */
    check_close(counter(r, "plain"), 42, 1e-12, "plain");
    check_close(counter(r, "rate"), 10 / 0.02, 1e-9, "rate");
    check_close(counter(r, "per_iter"), 3, 1e-12, "per_iter");
    check_close(counter(r, "invariant"), 20, 1e-12, "invariant");
    check_close(counter(r, "avg_threads"), 6, 1e-12, "avg_threads");
    check_close(counter(r, "inv_rate"), 0.02 / 4, 1e-9, "inv_rate");
    check_close(counter(r, "max_iters"), 10, 1e-12, "max_iters");
    check_close(counter(r, "items_per_second"), 100 / 0.02, 1e-9, "items_per_second");
    check_close(counter(r, "bytes_per_second"), 2048 / 0.02, 1e-9, "bytes_per_second");
    assert_true(isnan(counter(r, "ignored")));

    /* Sorted names. */
    for (size_t i = 1; i < r->n_counters; i++)
        assert_true(strcmp(r->counter_names[i - 1], r->counter_names[i]) < 0);
}

static void test_errors(void **state) {
    (void)state;
    const stored_run *r = find_run("error/iterations:3");
    assert_non_null(r);
    assert_true(r->error);
    assert_string_equal(r->error_message, "boom");
    assert_true(g_ctx[B_ERROR].saw_error);

    r = find_run("early_return/iterations:3");
    assert_non_null(r);
    assert_true(r->error);
    assert_non_null(strstr(r->error_message, "returned before"));

    r = find_run("batch_zero/iterations:10");
    assert_non_null(r);
    assert_true(r->error);
    assert_non_null(strstr(r->error_message, "n <= 0"));

    /* A run without error has an empty message. */
    r = find_run("counters/iterations:10/manual_time");
    assert_non_null(r);
    assert_string_equal(r->error_message, "");
}

static void test_misuse_absorbed(void **state) {
    (void)state;
    const stored_run *runs[4];
    assert_int_equal(family_runs("misuse", runs, 4), 1);
    assert_false(runs[0]->error);
    assert_true(runs[0]->iterations > 0);
    assert_true(runs[0]->real_time_s > 0);
}

static void test_batch(void **state) {
    (void)state;
    const stored_run *r = find_run("batch/iterations:10");
    assert_non_null(r);
    assert_false(r->error);
    /* Batches of 4 overshoot 10 iterations: 3 batches, 12 iterations. */
    assert_int_equal(g_ctx[B_BATCH].batches, 3);
    assert_int_equal(r->iterations, 12);
}

static void test_repetitions_and_statistics(void **state) {
    (void)state;
    const stored_run *runs[8];
    assert_int_equal(family_runs("reps", runs, 8), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(runs[i]->repetition_index, (int64_t)i);
        assert_int_equal(runs[i]->repetitions, 3);
        check_close(runs[i]->real_time_s, (double)(i + 1) * 1e-3, 1e-9, "repetition time");
    }
    assert_int_equal(g_ctx[B_REPS].calls, 3);

    static const struct {
        const char *name;
        double want;
        bool percentage;
    } aggs[] = {{"mean", 2e-3, false}, {"median", 2e-3, false}, {"stddev", 1e-3, false},
                {"max", 3e-3, false}, {"spread", 1.0, true}};
    for (size_t i = 0; i < sizeof aggs / sizeof aggs[0]; i++) {
        const stored_run *a = find_aggregate("reps", aggs[i].name);
        if (!a) fail_msg("no %s aggregate", aggs[i].name);
        assert_int_equal(a->repetition_index, -1);
        assert_int_equal(a->aggregate_is_percentage, aggs[i].percentage);
        check_close(a->real_time_s, aggs[i].want, 1e-6, aggs[i].name);
        char want_name[64];
        snprintf(want_name, sizeof want_name, "reps/iterations:5/repeats:3/manual_time_%s",
                 aggs[i].name);
        assert_string_equal(a->name, want_name);
    }
    /* 1.7.1 adds a coefficient of variation by default: stddev / mean, as a ratio. */
    const stored_run *cv = find_aggregate("reps", "cv");
    assert_non_null(cv);
    assert_true(cv->aggregate_is_percentage);
    check_close(cv->real_time_s, 0.5, 1e-6, "cv");
}

/* ---- argument checking (fresh benchmarks, never run) ---- */

static void test_register_rejects(void **state) {
    (void)state;
    assert_null(gb_register(NULL, body_noop, NULL));
    assert_null(gb_register("", body_noop, NULL));
    assert_null(gb_register("no_fn", NULL, NULL));
    assert_null(gb_register("args", body_noop, NULL)); /* taken */
    assert_non_null(gb_register("fresh", body_noop, NULL));
    assert_null(gb_register("fresh", body_noop, NULL));
}

static void test_null_bench_chains(void **state) {
    (void)state;
    static const int64_t v[] = {1};
    static const char *const n[] = {"n"};
    static const int64_t *const lists[] = {v};
    static const size_t lens[] = {1};
    int not_a_bench = 0;
    gb_bench *bogus = (gb_bench *)&not_a_bench;
    gb_bench *targets[] = {NULL, bogus};
    for (size_t i = 0; i < 2; i++) {
        gb_bench *b = targets[i];
        assert_null(gb_args(b, v, 1));
        assert_null(gb_arg_names(b, n, 1));
        assert_null(gb_dense_range(b, 0, 1, 1));
        assert_null(gb_ranges(b, v, v, 1));
        assert_null(gb_args_product(b, lists, lens, 1));
        assert_null(gb_unit(b, GB_MS));
        assert_null(gb_use_real_time(b));
        assert_null(gb_use_manual_time(b));
        assert_null(gb_measure_process_cpu_time(b));
        assert_null(gb_min_time(b, 1));
        assert_null(gb_min_warmup_time(b, 1));
        assert_null(gb_iterations(b, 1));
        assert_null(gb_repetitions(b, 1));
        assert_null(gb_report_aggregates_only(b, true));
        assert_null(gb_threads(b, 1));
        assert_null(gb_compute_statistics(b, "max", stat_max, false));
    }
    /* A failed call in the middle of a chain makes the rest no-ops. */
    gb_bench *b = gb_register("chain_break", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_repetitions(gb_unit(gb_args(b, NULL, 0), GB_MS), 2));
}

static void test_config_rejects(void **state) {
    (void)state;
    static const int64_t two[] = {1, 2}, three[] = {1, 2, 3};
    static const char *const names2[] = {"x", "y"}, *const names_hole[] = {"x", NULL};

    gb_bench *b = gb_register("check_args", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_args(b, NULL, 1));
    assert_null(gb_args(b, two, 0));
    assert_ptr_equal(gb_args(b, two, 2), b);
    assert_null(gb_args(b, three, 3));          /* GB: every argument set has one length */
    assert_null(gb_arg_names(b, names2, 1));
    assert_null(gb_arg_names(b, names_hole, 2));
    assert_null(gb_arg_names(b, NULL, 2));
    assert_ptr_equal(gb_arg_names(b, names2, 2), b);
    assert_null(gb_dense_range(b, 0, 4, 1));    /* one argument, the bench has two */
    assert_null(gb_unit(b, (gb_time_unit)42));
    assert_null(gb_repetitions(b, 0));
    assert_null(gb_threads(b, 0));
    assert_null(gb_min_time(b, 0));
    assert_null(gb_min_time(b, -1));
    assert_null(gb_min_time(b, NAN));
    assert_null(gb_min_warmup_time(b, -1));
    assert_ptr_equal(gb_min_warmup_time(b, 0), b);
    assert_ptr_equal(gb_min_time(b, 0.5), b);
    assert_null(gb_iterations(b, 10));          /* GB: not with a min time */
    assert_ptr_equal(gb_use_manual_time(b), b);
    assert_null(gb_use_real_time(b));           /* GB: not with manual time */
    assert_null(gb_compute_statistics(b, NULL, stat_max, false));
    assert_null(gb_compute_statistics(b, "", stat_max, false));
    assert_null(gb_compute_statistics(b, "s", NULL, false));
    assert_ptr_equal(gb_repetitions(gb_unit(gb_report_aggregates_only(b, true), GB_S), 2), b);

    b = gb_register("check_iters", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_iterations(b, 0));
    assert_null(gb_iterations(b, -5));
    assert_ptr_equal(gb_iterations(b, 5), b);
    assert_null(gb_min_time(b, 0.1));
    assert_null(gb_min_warmup_time(b, 0.1));
    assert_ptr_equal(gb_use_real_time(b), b);
    assert_null(gb_use_manual_time(b));

    b = gb_register("check_ranges", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_dense_range(b, 0, 4, 0));
    assert_null(gb_dense_range(b, 0, 4, -1));
    assert_null(gb_dense_range(b, 5, 4, 1));
    assert_null(gb_dense_range(b, 0, 4, (int64_t)1 << 40));
    assert_null(gb_dense_range(b, 0, INT64_MAX, 1));
    static const int64_t lo[] = {8}, hi[] = {1}, min[] = {INT64_MIN};
    assert_null(gb_ranges(b, lo, hi, 1));
    assert_null(gb_ranges(b, min, lo, 1));
    assert_null(gb_ranges(b, NULL, hi, 1));
    assert_null(gb_ranges(b, lo, lo, 0));
    static const int64_t l0[] = {1, 2};
    static const int64_t *const lists[] = {l0, l0}, *const hole[] = {l0, NULL};
    static const size_t lens[] = {2, 2}, empty[] = {2, 0};
    assert_null(gb_args_product(b, lists, empty, 2));
    assert_null(gb_args_product(b, hole, lens, 2));
    assert_null(gb_args_product(b, lists, lens, 0));
    assert_ptr_equal(gb_dense_range(b, -4, 4, 4), b);
    assert_null(gb_args_product(b, lists, lens, 2)); /* two arguments, the bench has one */
    assert_ptr_equal(gb_ranges(b, hi, lo, 1), b);
}

#define STAT_FILL(i) \
    static double stat_fill_##i(const double *v, size_t n) { return n ? v[0] + (i) : 0; }
STAT_FILL(0) STAT_FILL(1) STAT_FILL(2) STAT_FILL(3) STAT_FILL(4) STAT_FILL(5) STAT_FILL(6)
STAT_FILL(7) STAT_FILL(8) STAT_FILL(9) STAT_FILL(10) STAT_FILL(11) STAT_FILL(12)
STAT_FILL(13) STAT_FILL(14) STAT_FILL(15)

static void test_statistics_slots(void **state) {
    (void)state;
    static const gb_stat_fn fill[] = {
        stat_fill_0, stat_fill_1, stat_fill_2, stat_fill_3, stat_fill_4, stat_fill_5,
        stat_fill_6, stat_fill_7, stat_fill_8, stat_fill_9, stat_fill_10, stat_fill_11,
        stat_fill_12, stat_fill_13, stat_fill_14, stat_fill_15};
    gb_bench *b = gb_register("check_stats", body_noop, NULL);
    assert_non_null(b);
    /* stat_max and stat_spread hold 2 of the 16 slots: 14 more fit. */
    assert_ptr_equal(gb_compute_statistics(b, "again", stat_max, false), b);
    size_t ok = 0;
    for (size_t i = 0; i < 16; i++)
        if (gb_compute_statistics(b, "fill", fill[i], false) == b) ok++;
        else assert_true(i >= 14);
    assert_int_equal(ok, 14);
    /* A function that has a slot still fits when the table is full. */
    assert_ptr_equal(gb_compute_statistics(b, "again", stat_spread, true), b);
    assert_ptr_equal(gb_compute_statistics(b, "again2", fill[13], false), b);
}

static void test_body_calls_outside_a_body(void **state) {
    (void)state;
    int not_a_state = 0;
    gb_state *targets[] = {NULL, (gb_state *)&not_a_state};
    for (size_t i = 0; i < 2; i++) {
        gb_state *st = targets[i];
        assert_false(gb_keep_running(st));
        assert_false(gb_keep_running_batch(st, 4));
        assert_int_equal(gb_range(st, 0), 0);
        assert_int_equal(gb_iterations_done(st), 0);
        assert_int_equal(gb_max_iterations(st), 0);
        gb_pause_timing(st);
        gb_resume_timing(st);
        gb_set_iteration_time(st, 1);
        gb_set_items_processed(st, 1);
        gb_set_bytes_processed(st, 1);
        gb_counter_set(st, "c", 1, GB_COUNTER_IS_RATE);
        gb_set_label(st, "l");
        gb_skip_with_error(st, "e");
        assert_false(gb_error_occurred(st));
    }
}

static void test_run_counter(void **state) {
    (void)state;
    const char *names[] = {"a", "b"};
    double values[] = {1.5, 2.5};
    gb_run r = {0};
    r.n_counters = 2;
    r.counter_names = names;
    r.counter_values = values;
    assert_true(gb_run_counter(&r, "a", -1) == 1.5);
    assert_true(gb_run_counter(&r, "b", -1) == 2.5);
    assert_true(gb_run_counter(&r, "c", -1) == -1);
    assert_true(gb_run_counter(&r, NULL, -1) == -1);
    assert_true(gb_run_counter(NULL, "a", -1) == -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initialize),
        cmocka_unit_test(test_custom_context),
        cmocka_unit_test(test_run_once),
        cmocka_unit_test(test_ctx_and_family),
        cmocka_unit_test(test_args_and_names),
        cmocka_unit_test(test_dense_range),
        cmocka_unit_test(test_ranges_and_product),
        cmocka_unit_test(test_counters_and_manual_time),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_misuse_absorbed),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_repetitions_and_statistics),
        cmocka_unit_test(test_register_rejects),
        cmocka_unit_test(test_null_bench_chains),
        cmocka_unit_test(test_config_rejects),
        cmocka_unit_test(test_statistics_slots),
        cmocka_unit_test(test_body_calls_outside_a_body),
        cmocka_unit_test(test_run_counter),
    };
    return cmocka_run_group_tests(tests, setup_run, teardown_run);
}
