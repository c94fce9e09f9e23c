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

#include "array.h"
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
    stored_run *runs = array_grow(store->runs, store->n, &store->cap, sizeof *runs, 32);
    if (!runs) {
        store->alloc_fail = true;
        return;
    }
    store->runs = runs;
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

enum { B_COUNTERS, B_ERROR, B_EARLY, B_MISUSE, B_BATCH, B_BATCH_ZERO, B_REPS, B_COUNT };
static bench_ctx g_ctx[B_COUNT];

static void body_counters(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    int64_t it = 0;
    while (gb_keep_running(st)) {
        gb_set_iteration_time(st, 0.002);
        it++;
    }
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
    gb_set_label(st, NULL);
    gb_set_label(st, "hello");
}

static void body_error(gb_state *st, void *ctx) {
    bench_ctx *c = ctx;
    c->calls++;
    gb_skip_with_error(st, "boom");
    c->saw_error = gb_error_occurred(st);
    while (gb_keep_running(st)) {
    }
}

static void body_early_return(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    (void)st; /* never enters the loop: GB itself would abort */
}

/* A loop test after the loop's end, which GB would check-fail on: it must be absorbed. */
static void body_misuse(gb_state *st, void *ctx) {
    ((bench_ctx *)ctx)->calls++;
    volatile int64_t i = 0;
    while (gb_keep_running(st)) i = i + 1;
    if (gb_keep_running(st)) gb_skip_with_error(st, "loop ran again after its end");
    if (gb_keep_running_batch(st, 2)) gb_skip_with_error(st, "batch loop ran again after its end");
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
    while (gb_keep_running(st)) {
    }
}

/* ---- the single run ---- */

#define EXPECTED_BENCHMARKS 7 /* one instance per family: no arguments, one thread */

static struct {
    int rc_init_bad, argc_after_bad;
    char arg_after_bad[64];
    int rc_init_ok, argc_after_ok;
    int rc_ctx, rc_ctx_dup, rc_ctx_null_key, rc_ctx_null_value;
    bool registered; /* every registration and configuration call returned its bench */
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
static bool register_all(void) {
    bool ok = true;
    gb_bench *b;

    b = gb_register("counters", body_counters, &g_ctx[B_COUNTERS]);
    ok &= b && gb_unit(gb_iterations(gb_use_manual_time(b), 10), GB_MS) == b;

    b = gb_register("error", body_error, &g_ctx[B_ERROR]);
    ok &= b && gb_iterations(b, 3) == b;

    b = gb_register("early_return", body_early_return, &g_ctx[B_EARLY]);
    ok &= b && gb_iterations(b, 3) == b;

    b = gb_register("misuse", body_misuse, &g_ctx[B_MISUSE]);
    ok &= b && gb_unit(gb_min_time(b, 0.01), GB_US) == b;

    b = gb_register("batch", body_batch, &g_ctx[B_BATCH]);
    ok &= b && gb_iterations(b, 10) == b;

    b = gb_register("batch_zero", body_batch_zero, &g_ctx[B_BATCH_ZERO]);
    ok &= b && gb_iterations(b, 10) == b;

    b = gb_register("reps", body_reps, &g_ctx[B_REPS]);
    ok &= b && gb_repetitions(gb_iterations(gb_use_manual_time(b), 5), 3) == b;
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

    g.registered = register_all();
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
    assert_int_equal(g.rc_run, 0);
    assert_int_equal(g.n_run, EXPECTED_BENCHMARKS);
    assert_int_equal(g.rc_run_again, -EALREADY);
    assert_false(g_store.bad_user);
    assert_false(g_store.alloc_fail);
    /* reps reports 3 repetitions and 4 aggregates (mean, median, stddev, cv). */
    assert_int_equal(g_store.n, EXPECTED_BENCHMARKS + 2 + 4);
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
        "counters", "error", "early_return", "misuse", "batch", "batch_zero", "reps"};
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
    assert_string_equal(runs[0]->name, "misuse/min_time:0.010"); /* GB got the min time */
    assert_true(g_ctx[B_MISUSE].calls >= 1);
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
    } aggs[] = {{"mean", 2e-3, false}, {"median", 2e-3, false}, {"stddev", 1e-3, false}};
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
    assert_null(gb_register("counters", body_noop, NULL)); /* taken */
    assert_non_null(gb_register("fresh", body_noop, NULL));
    assert_null(gb_register("fresh", body_noop, NULL));
}

static void test_null_bench_chains(void **state) {
    (void)state;
    int not_a_bench = 0;
    gb_bench *bogus = (gb_bench *)&not_a_bench;
    gb_bench *targets[] = {NULL, bogus};
    for (size_t i = 0; i < 2; i++) {
        gb_bench *b = targets[i];
        assert_null(gb_unit(b, GB_MS));
        assert_null(gb_use_manual_time(b));
        assert_null(gb_min_time(b, 1));
        assert_null(gb_iterations(b, 1));
        assert_null(gb_repetitions(b, 1));
    }
    /* A failed call in the middle of a chain makes the rest no-ops. */
    gb_bench *b = gb_register("chain_break", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_repetitions(gb_unit(gb_iterations(b, 0), GB_MS), 2));
}

static void test_config_rejects(void **state) {
    (void)state;
    gb_bench *b = gb_register("check_min_time", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_unit(b, (gb_time_unit)42));
    assert_null(gb_unit(b, (gb_time_unit)-1));
    assert_null(gb_repetitions(b, 0));
    assert_null(gb_repetitions(b, -1));
    assert_null(gb_min_time(b, 0));
    assert_null(gb_min_time(b, -1));
    assert_null(gb_min_time(b, NAN));
    assert_null(gb_min_time(b, INFINITY));
    assert_ptr_equal(gb_min_time(b, 0.5), b);
    assert_null(gb_iterations(b, 10)); /* GB: not with a min time */
    assert_ptr_equal(gb_repetitions(gb_unit(gb_use_manual_time(b), GB_S), 2), b);

    b = gb_register("check_iters", body_noop, NULL);
    assert_non_null(b);
    assert_null(gb_iterations(b, 0));
    assert_null(gb_iterations(b, -5));
    assert_ptr_equal(gb_iterations(b, 5), b);
    assert_null(gb_min_time(b, 0.1)); /* GB: not with fixed iterations */
    assert_ptr_equal(gb_use_manual_time(b), b);
}

static void test_body_calls_outside_a_body(void **state) {
    (void)state;
    int not_a_state = 0;
    gb_state *targets[] = {NULL, (gb_state *)&not_a_state};
    for (size_t i = 0; i < 2; i++) {
        gb_state *st = targets[i];
        assert_false(gb_keep_running(st));
        assert_false(gb_keep_running_batch(st, 4));
        assert_int_equal(gb_max_iterations(st), 0);
        gb_set_iteration_time(st, 1);
        gb_set_items_processed(st, 1);
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
        cmocka_unit_test(test_counters_and_manual_time),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_misuse_absorbed),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_repetitions_and_statistics),
        cmocka_unit_test(test_register_rejects),
        cmocka_unit_test(test_null_bench_chains),
        cmocka_unit_test(test_config_rejects),
        cmocka_unit_test(test_body_calls_outside_a_body),
        cmocka_unit_test(test_run_counter),
    };
    return cmocka_run_group_tests(tests, setup_run, teardown_run);
}
