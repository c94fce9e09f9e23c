/* test_compare.c: the tvp-compare gate end to end: exit codes, verdicts, formats and bad input.
 *
 * Drives the built binary (TVP_BUILD_DIR "/tvp-compare") on fixtures written to a mkdtemp
 * directory from a fixed-seed generator, plus the committed fixtures in tests/data/compare. The
 * "gate cannot be fooled" cases feed it what once passed a regression: negative, zero, NaN and
 * empty values, repetitions pasted twice, zero baselines, and check no output prints inf or NaN.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <csv.h>
#include <jansson.h>

#define TVP_COMPARE_BIN TVP_BUILD_DIR "/tvp-compare"
#define DATA_DIR TVP_TEST_DATA_DIR "/compare"
#define MAX_ARGS 16

static char tmpdir[256];

/* ---- running the binary ---- */

typedef struct {
    int status; /* exit status, or -1 when it did not exit normally */
    char *out, *err;
} run_result;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t got;
    while ((got = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            b = realloc(b, cap);
            assert_non_null(b);
        }
    }
    fclose(f);
    b[n] = '\0';
    return b;
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* Runs tvp-compare with the NULL-terminated arguments. */
static run_result run_compare(const char *first, ...)
{
    const char *argv[MAX_ARGS + 2] = {"tvp-compare"};
    size_t argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc <= MAX_ARGS; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char out_path[512], err_path[512];
    tmp_path(out_path, sizeof out_path, "stdout.txt");
    tmp_path(err_path, sizeof err_path, "stderr.txt");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(126);
        execv(TVP_COMPARE_BIN, (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    run_result r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(out_path), slurp(err_path)};
    if (r.status != 0 && r.status != 1 && r.status != 2)
        print_error("tvp-compare exited %d\nstdout:\n%s\nstderr:\n%s\n", r.status, r.out, r.err);
    return r;
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) {
        print_error("expected to find \"%s\" in:\n%s\n", needle, hay);
        fail();
    }
}

/* ---- fixtures ---- */

typedef struct {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double rng_uniform(rng *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_gauss(rng *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

typedef struct {
    size_t nbench;     /* configurations */
    size_t reps;       /* repetitions each */
    uint64_t seed;
    double noise;      /* relative standard deviation */
    double factor0;    /* wall time factor of configuration 0 (1.2: 20% slower) */
    long skip;         /* configuration left out, or -1 */
    const char *extra; /* an extra header column appended (value 7 + rep), or NULL */
} fixture;

static const char *const csv_header =
    "run_id,benchmark,workload,executor,spawn,gil,switch_us,workers,pin,tasks,repetition,status,"
    "wall_s,tasks_per_s,speedup,efficiency,cpu_s,cpu_util,ctx_vol,ctx_invol,lat_p50_us,lat_p99_us,"
    "rss_kib,sleep_us,bytes,algo,detail";

static void bench_name(char *buf, size_t cap, size_t i)
{
    static const char *const exec[] = {"threads", "processes", "serial"};
    snprintf(buf, cap, "hash/%s/pool/gil:off/workers:%zu/pin:none/bytes:1048576/algo:sha256",
             exec[i % 3], (size_t)1 << (i / 3));
}

static void write_row(FILE *f, const char *name, size_t i, const char *rep, const char *status,
                      double wall, const char *extra)
{
    fprintf(f,
            "r1,%s,hash,threads,pool,off,,%zu,none,64,%s,%s,%.9f,%.3f,1.9,0.95,%.6f,1.9,12,3,"
            "100,250,5400,,1048576,sha256,\"detail, with \"\"quotes\"\"\"%s\n",
            name, (size_t)1 << (i / 3), rep, status, wall, 64.0 / wall, wall * 1.9,
            extra ? extra : "");
}

/* Writes a tidy CSV with aggregate rows (absurd values, must be ignored) and one failed row. */
static void write_fixture(const char *file, const fixture *fx)
{
    char path[512];
    tmp_path(path, sizeof path, file);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s%s%s\n", csv_header, fx->extra ? "," : "", fx->extra ? fx->extra : "");
    rng r = {fx->seed};
    for (size_t i = 0; i < fx->nbench; i++) {
        if ((long)i == fx->skip)
            continue;
        char name[160];
        bench_name(name, sizeof name, i);
        double base = 0.05 * (double)(i + 1) * (i == 0 ? fx->factor0 : 1.0);
        for (size_t k = 0; k < fx->reps; k++) {
            char rep[32], extra[32];
            snprintf(rep, sizeof rep, "%zu", k);
            snprintf(extra, sizeof extra, ",%zu", 7 + k);
            write_row(f, name, i, rep, "ok", base * (1.0 + fx->noise * rng_gauss(&r)),
                      fx->extra ? extra : NULL);
        }
        write_row(f, name, i, "mean", "ok", 1000.0, fx->extra ? ",0" : NULL);
        write_row(f, name, i, "median", "ok", 1000.0, fx->extra ? ",0" : NULL);
        write_row(f, name, i, "cv", "ok", 0.5, fx->extra ? ",0" : NULL);
        write_row(f, name, i, "99", "failed", 1000.0, fx->extra ? ",0" : NULL);
    }
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *file, const char *text, size_t len)
{
    char path[512];
    tmp_path(path, sizeof path, file);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static const fixture default_fixture = {8, 10, 1, 0.02, 1.0, -1, NULL};

/* Path of a temp file, in one of a few rotating buffers so several fit in one call. */
static const char *p(const char *file)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    tmp_path(b, 512, file);
    return b;
}

/* ---- setup ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/tvp-compare-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the gate ---- */

static void test_identical_inputs_pass(void **state)
{
    (void)state;
    write_fixture("same.csv", &default_fixture);
    run_result r = run_compare(p("same.csv"), p("same.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "8 rows: 0 regressed, 0 improved, 8 unchanged, 0 not comparable");
    assert_contains(r.out, "result: PASS");
    run_free(&r);
}

static void test_slowdown_20_percent_fails(void **state)
{
    (void)state;
    fixture slow = default_fixture;
    slow.seed = 2;
    slow.factor0 = 1.2;
    write_fixture("base.csv", &default_fixture);
    write_fixture("slow.csv", &slow);
    char name[160];
    bench_name(name, sizeof name, 0);
    run_result r = run_compare(p("base.csv"), p("slow.csv"), NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "1 regressed");
    assert_contains(r.out, "result: FAIL");
    char want[256];
    snprintf(want, sizeof want, "regressed: %s\n", name);
    assert_contains(r.out, want);
    run_free(&r);
    /* the same change seen from the other side is an improvement, which passes */
    r = run_compare(p("slow.csv"), p("base.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "0 regressed, 1 improved");
    run_free(&r);
    /* a threshold above the change lets it pass */
    r = run_compare("--threshold=25", p("base.csv"), p("slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "within the 25% threshold");
    run_free(&r);
}

static void test_noise_of_same_distribution_passes(void **state)
{
    (void)state;
    fixture a = default_fixture, b = default_fixture;
    a.seed = 11;
    b.seed = 12;
    a.nbench = b.nbench = 12;
    write_fixture("noise_a.csv", &a);
    write_fixture("noise_b.csv", &b);
    run_result r = run_compare(p("noise_a.csv"), p("noise_b.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "12 rows: 0 regressed, 0 improved, 12 unchanged");
    run_free(&r);
}

static void test_missing_row_is_reported(void **state)
{
    (void)state;
    fixture missing = default_fixture;
    missing.skip = 3;
    write_fixture("full.csv", &default_fixture);
    write_fixture("missing.csv", &missing);
    run_result r = run_compare(p("full.csv"), p("missing.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "not comparable (missing in new)");
    assert_contains(r.out, "1 not comparable");
    run_free(&r);
    r = run_compare(p("missing.csv"), p("full.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "not comparable (missing in baseline)");
    run_free(&r);
    /* --strict makes it fail and names it */
    r = run_compare("--strict", p("full.csv"), p("missing.csv"), NULL);
    assert_int_equal(r.status, 1);
    char name[160], want[256];
    bench_name(name, sizeof name, 3);
    snprintf(want, sizeof want, "not comparable (--strict): %s", name);
    assert_contains(r.out, want);
    run_free(&r);
}

static void test_too_few_repetitions_not_comparable(void **state)
{
    (void)state;
    fixture one = default_fixture, one_slow = default_fixture;
    one.reps = one_slow.reps = 1;
    one_slow.factor0 = 2.0;
    one_slow.seed = 5;
    write_fixture("one.csv", &one);
    write_fixture("one_slow.csv", &one_slow);
    run_result r = run_compare(p("one.csv"), p("one_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "not comparable (too few repetitions (1 vs 1)");
    assert_contains(r.out, "8 not comparable");
    run_free(&r);
    /* three against three cannot reach p < 0.05 either (smallest p is 0.1) */
    one.reps = one_slow.reps = 3;
    write_fixture("three.csv", &one);
    write_fixture("three_slow.csv", &one_slow);
    r = run_compare(p("three.csv"), p("three_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "too few repetitions (3 vs 3): p cannot go below 0.1");
    run_free(&r);
}

static void test_metric_selection(void **state)
{
    (void)state;
    fixture slow = default_fixture;
    slow.seed = 3;
    slow.factor0 = 1.2;
    slow.extra = "spawn_us";
    fixture base = default_fixture;
    base.extra = "spawn_us";
    write_fixture("m_base.csv", &base);
    write_fixture("m_slow.csv", &slow);
    /* tasks_per_s: higher is better, so a slowdown is a drop and regresses */
    run_result r = run_compare("--metric=tasks_per_s", p("m_base.csv"), p("m_slow.csv"), NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "tasks_per_s (higher is better)");
    run_free(&r);
    /* the opposite direction declared explicitly turns it into an improvement */
    r = run_compare("--metric=tasks_per_s:lower", p("m_base.csv"), p("m_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "1 improved");
    run_free(&r);
    /* an extra column, recognised by its unit suffix; identical values on both sides */
    r = run_compare("--metric", "spawn_us", p("m_base.csv"), p("m_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "spawn_us (lower is better)");
    run_free(&r);
    /* --filter keeps only the matching rows */
    r = run_compare("--filter=processes", p("m_base.csv"), p("m_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "summary: 3 rows");
    run_free(&r);
}

static void test_committed_fixtures(void **state)
{
    (void)state;
    run_result r = run_compare(DATA_DIR "/base.csv", DATA_DIR "/slow20.csv", NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "regressed: hash/threads/pool/gil:off/workers:2/pin:none/bytes:1048576/"
                           "algo:sha256\n");
    assert_contains(r.out, "3 rows: 1 regressed, 0 improved, 2 unchanged, 0 not comparable");
    run_free(&r);
}

/* ---- Google Benchmark JSON ---- */

static void write_gbench(const char *file, uint64_t seed, double factor0, const char *unit)
{
    double scale = strcmp(unit, "us") == 0 ? 1e-3 : 1.0;
    json_t *list = json_array();
    rng r = {seed};
    for (size_t b = 0; b < 3; b++) {
        char name[64];
        snprintf(name, sizeof name, "BM_hash/%zu/real_time", (size_t)64 << b);
        double base = 1e6 * (double)(b + 1) * (b == 0 ? factor0 : 1.0) * scale;
        double cpu = 1e5 * (double)(b + 1) * scale; /* the same on every run */
        for (size_t k = 0; k < 10; k++)
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s}", "name", name,
                                "run_name", name, "run_type", "iteration", "repetitions", 10,
                                "repetition_index", (int)k, "iterations", 100, "real_time",
                                base * (1.0 + 0.01 * rng_gauss(&r)), "cpu_time", cpu,
                                "time_unit", unit));
        char agg[80];
        snprintf(agg, sizeof agg, "%s_mean", name);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:s}", "name", agg,
                                              "run_name", name, "run_type", "aggregate",
                                              "aggregate_name", "mean", "real_time", 1e12,
                                              "cpu_time", 1e12, "time_unit", unit));
    }
    json_t *root = json_pack("{s:{s:s, s:i}, s:o}", "context", "date", "2026-11-01", "num_cpus",
                             2, "benchmarks", list);
    char path[512];
    tmp_path(path, sizeof path, file);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
    json_decref(root);
}

static void test_gbench_json(void **state)
{
    (void)state;
    write_gbench("gb_base.json", 1, 1.0, "ns");
    write_gbench("gb_base_us.json", 1, 1.0, "us");
    write_gbench("gb_slow.json", 2, 1.2, "ns");
    run_result r = run_compare(p("gb_base.json"), p("gb_base_us.json"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "metric real_time (lower is better)");
    assert_contains(r.out, "3 rows: 0 regressed, 0 improved, 3 unchanged");
    run_free(&r);
    r = run_compare(p("gb_base.json"), p("gb_slow.json"), NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "regressed: BM_hash/64\n"); /* /real_time stripped */
    run_free(&r);
    r = run_compare("--metric=cpu_time", p("gb_base.json"), p("gb_slow.json"), NULL);
    assert_int_equal(r.status, 0);
    run_free(&r);
    /* one JSON and one CSV cannot be compared */
    write_fixture("csv_for_json.csv", &default_fixture);
    r = run_compare(p("gb_base.json"), p("csv_for_json.csv"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "compare files of one kind");
    run_free(&r);
    /* truncated JSON names the line */
    char *text = slurp(p("gb_base.json"));
    write_text("gb_trunc.json", text, strlen(text) / 2);
    free(text);
    r = run_compare(p("gb_base.json"), p("gb_trunc.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "gb_trunc.json:");
    assert_contains(r.err, "invalid JSON");
    run_free(&r);
    /* writers without run_type: aggregates are recognised by their name suffix */
    const char *old_gb = "{\"benchmarks\": [{\"name\": \"BM_old\", \"real_time\": 5, \"time_unit\": "
                         "\"ns\"}, {\"name\": \"BM_old\", \"real_time\": 6}, {\"name\": "
                         "\"BM_old_mean\", \"real_time\": 5.5}]}";
    write_text("old_gb.json", old_gb, strlen(old_gb));
    r = run_compare(p("old_gb.json"), p("old_gb.json"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "summary: 1 rows");
    assert_contains(r.out, "too few repetitions (2 vs 2)");
    run_free(&r);
    const char *not_gb = "{\"rows\": []}\n";
    write_text("not_gb.json", not_gb, strlen(not_gb));
    r = run_compare(p("gb_base.json"), p("not_gb.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "not_gb.json:1: not a Google Benchmark JSON file");
    run_free(&r);
}

/* ---- output formats ---- */

typedef struct {
    size_t records, fields, bad_records;
} csv_count;

static void count_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((csv_count *)data)->fields++;
}

static void count_record(int c, void *data)
{
    (void)c;
    csv_count *n = data;
    if (n->fields != 16)
        n->bad_records++;
    n->records++;
    n->fields = 0;
}

static void test_formats_parse_back(void **state)
{
    (void)state;
    fixture slow = default_fixture;
    slow.seed = 4;
    slow.factor0 = 1.2;
    slow.skip = 5;
    write_fixture("f_base.csv", &default_fixture);
    write_fixture("f_slow.csv", &slow);

    run_result r = run_compare("--format=json", p("f_base.csv"), p("f_slow.csv"), NULL);
    assert_int_equal(r.status, 1);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    assert_non_null(root);
    json_t *rows = json_object_get(root, "rows");
    assert_int_equal(json_array_size(rows), 8);
    json_t *first = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(first, "verdict")), "regressed");
    assert_true(json_number_value(json_object_get(first, "ratio")) > 1.1);
    assert_true(json_number_value(json_object_get(first, "p_value")) < 0.05);
    json_t *gone = json_array_get(rows, 5);
    assert_string_equal(json_string_value(json_object_get(gone, "verdict")), "not comparable");
    assert_true(json_is_null(json_object_get(gone, "p_value")));
    json_t *summary = json_object_get(root, "summary");
    assert_string_equal(json_string_value(json_object_get(summary, "result")), "fail");
    assert_int_equal(json_array_size(json_object_get(summary, "decided_by")), 1);
    json_decref(root);
    assert_contains(r.err, "result: FAIL"); /* the summary goes to stderr */
    run_free(&r);

    r = run_compare("--format=csv", p("f_base.csv"), p("f_slow.csv"), NULL);
    assert_int_equal(r.status, 1);
    struct csv_parser cp;
    csv_count n = {0, 0, 0};
    assert_int_equal(csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI), 0);
    size_t len = strlen(r.out);
    assert_int_equal(csv_parse(&cp, r.out, len, count_field, count_record, &n), len);
    assert_int_equal(csv_fini(&cp, count_field, count_record, &n), 0);
    csv_free(&cp);
    assert_int_equal(n.records, 9); /* header + 8 rows */
    assert_int_equal(n.bad_records, 0);
    assert_true(strncmp(r.out, "benchmark,metric,better,", 24) == 0);
    run_free(&r);

    r = run_compare("--format", "markdown", p("f_base.csv"), p("f_slow.csv"), NULL);
    assert_int_equal(r.status, 1);
    size_t table_lines = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != '|')
            continue;
        assert_true(line[strlen(line) - 1] == '|');
        if (++table_lines == 2)
            assert_true(strncmp(line, "|:---|---:|", 11) == 0);
    }
    assert_int_equal(table_lines, 10); /* header, alignment, 8 rows */
    run_free(&r);
}

/* ---- bad input ---- */

static void expect_bad_file(const char *file, const char *want)
{
    write_fixture("good.csv", &default_fixture);
    run_result r = run_compare(p("good.csv"), p(file), NULL);
    assert_int_equal(r.status, 2);
    char msg[600];
    snprintf(msg, sizeof msg, "%s%s", p(file), want);
    assert_contains(r.err, msg);
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_malformed_files_exit_2(void **state)
{
    (void)state;
    char text[4096];
    /* a truncated row: line 4 lacks fields */
    snprintf(text, sizeof text, "%s\n", csv_header);
    strcat(text, "r1,a,hash,threads,pool,off,,2,none,64,0,ok,0.1,640,1.9,0.95,0.19,1.9,12,3,100,250,"
                 "5400,,1048576,sha256,\n");
    strcat(text, "r1,a,hash,threads,pool,off,,2,none,64,1,ok,0.1,640,1.9,0.95,0.19,1.9,12,3,100,250,"
                 "5400,,1048576,sha256,\n");
    size_t whole = strlen(text);
    strcat(text, "r1,a,hash,threads,pool,off,,2,none,64,2,ok,0.1,640\n");
    write_text("trunc.csv", text, strlen(text));
    expect_bad_file("trunc.csv", ":4: row has 14 fields, the header has 27");
    /* the file cut in the middle of a quoted field */
    text[whole] = '\0';
    strcat(text, "r1,a,hash,threads,pool,off,,2,none,64,2,ok,0.1,640,1.9,0.95,0.19,1.9,12,3,100,250,"
                 "5400,,1048576,sha256,\"worker di");
    write_text("cut.csv", text, strlen(text));
    expect_bad_file("cut.csv", ":4: unterminated quoted field");
    /* a non-numeric metric on line 3 */
    text[whole] = '\0';
    char *second = strstr(text, ",1,ok,0.1,");
    memcpy(second + 6, "abc", 3);
    write_text("nonnum.csv", text, strlen(text));
    expect_bad_file("nonnum.csv", ":3: column 'wall_s': 'abc' is not a number");
    /* garbage bytes after a good start, on line 2 */
    snprintf(text, sizeof text, "%s\nr1,a\x01\xfe\xff garbage\n", csv_header);
    write_text("garbage.csv", text, strlen(text));
    expect_bad_file("garbage.csv", ":2: binary data");
    /* random bytes */
    rng r = {99};
    for (size_t i = 0; i < 512; i++)
        text[i] = (char)(rng_next(&r) & 0xff);
    write_text("random.bin", text, 512);
    expect_bad_file("random.bin", ":1: binary data");
    write_text("empty.csv", "", 0);
    expect_bad_file("empty.csv", ":1: empty file");
    write_text("header_only.csv", csv_header, strlen(csv_header));
    expect_bad_file("header_only.csv", ":1: a header but no data rows");
    /* the metric column missing from the header */
    const char *nocol = "run_id,benchmark,repetition,status,tasks_per_s\nr1,a,0,ok,5\n";
    write_text("nocol.csv", nocol, strlen(nocol));
    expect_bad_file("nocol.csv", ":1: missing required column 'wall_s'");
    const char *badstatus = "benchmark,repetition,status,wall_s\na,0,ok,1\na,1,okay,1\n";
    write_text("status.csv", badstatus, strlen(badstatus));
    expect_bad_file("status.csv", ":3: column 'status': 'okay' is not ok|failed|interrupted");
    const char *badrep = "benchmark,repetition,status,wall_s\na,0,ok,1\na,-1,ok,1\n";
    write_text("rep.csv", badrep, strlen(badrep));
    expect_bad_file("rep.csv", ":3: column 'repetition': '-1'");
    const char *quote = "benchmark,repetition,status,wall_s\na,0,ok,1\na,1,o\"k,1\n";
    write_text("quote.csv", quote, strlen(quote));
    expect_bad_file("quote.csv", ":3: malformed CSV");
    /* a file that does not exist */
    run_result res = run_compare(p("good.csv"), p("does-not-exist.csv"), NULL);
    assert_int_equal(res.status, 2);
    assert_contains(res.err, "does-not-exist.csv: cannot open");
    run_free(&res);
}

/* ---- a gate that cannot be fooled ---- */

/* A CSV "benchmark,repetition,status,<col>" with one row per value of a, reps 0, 1, 2... */
static void write_values(const char *file, const char *col, const char *const *values, size_t n)
{
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "benchmark,repetition,status,%s\n", col);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "a,%zu,ok,%s\n", i, values[i]);
    write_text(file, text, used);
}

/* tvp-compare BASE NEW exits 2 with "NEW<want>" on stderr and nothing on stdout. */
static void expect_refused(const char *base, const char *bad, const char *want)
{
    run_result r = run_compare(p(base), p(bad), NULL);
    assert_int_equal(r.status, 2);
    char msg[700];
    snprintf(msg, sizeof msg, "%s%s", p(bad), want);
    assert_contains(r.err, msg);
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void assert_no_inf_nan(const char *text)
{
    static const char *const words[] = {"inf", "Inf", "INF", "nan", "NaN", "NAN"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(text, words[i])) {
            print_error("found \"%s\" in:\n%s\n", words[i], text);
            fail();
        }
}

/* Bug 1: negative times made a regression look like an improvement, whichever side they were
 * on; negative values (and zero elapsed times) are refused with the line and the column. */
static void test_negative_values_refused(void **state)
{
    (void)state;
    static const char *const pos[] = {"1.0", "1.01", "0.99", "1.02", "0.98", "1.0"};
    static const char *const neg[] = {"-5.0", "-5.01", "-4.99", "-5.02", "-4.98", "-5.0"};
    write_values("n_pos.csv", "wall_s", pos, 6);
    write_values("n_neg.csv", "wall_s", neg, 6);
    expect_refused("n_pos.csv", "n_neg.csv", ":2: column 'wall_s': negative value -5");
    run_result r = run_compare(p("n_neg.csv"), p("n_pos.csv"), NULL); /* the other way round */
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "n_neg.csv:2: column 'wall_s': negative value -5");
    run_free(&r);
    /* one negative value among good ones, on line 4 */
    static const char *const one[] = {"1.0", "1.01", "-0.99", "1.02", "0.98", "1.0"};
    write_values("n_one.csv", "wall_s", one, 6);
    expect_refused("n_pos.csv", "n_one.csv", ":4: column 'wall_s': negative value -0.99");
    /* an elapsed time of 0 is impossible: refused too */
    static const char *const zero[] = {"1.0", "0", "1.0", "1.0", "1.0", "1.0"};
    write_values("n_zero.csv", "wall_s", zero, 6);
    expect_refused("n_pos.csv", "n_zero.csv", ":3: column 'wall_s': zero value");
    /* negative counts too (any metric: the gate compares ratios of medians) */
    static const char *const ctx[] = {"3", "4", "-1", "3", "4", "3"};
    write_values("n_ctx.csv", "ctx_invol", ctx, 6);
    r = run_compare("--metric=ctx_invol", p("n_ctx.csv"), p("n_ctx.csv"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "n_ctx.csv:4: column 'ctx_invol': negative value -1");
    run_free(&r);
    /* and in Google Benchmark JSON */
    const char *gb = "{\"benchmarks\": [\n"
                     "{\"name\": \"BM\", \"repetition_index\": 0, \"real_time\": 5},\n"
                     "{\"name\": \"BM\", \"repetition_index\": 1, \"real_time\": -6}]}\n";
    write_text("n_neg.json", gb, strlen(gb));
    r = run_compare(p("n_neg.json"), p("n_neg.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "n_neg.json:3: benchmarks[1] (BM): 'real_time': negative value -6");
    run_free(&r);
}

/* Bug 2: an all-zero baseline gave "+inf%" and a NaN interval; now such a row is not comparable
 * with the reason, in every format. */
static void test_zero_baseline_not_comparable(void **state)
{
    (void)state;
    static const char *const zeros[] = {"0", "0", "0", "0", "0", "0", "0", "0"};
    static const char *const some[] = {"5", "6", "7", "5", "6", "7", "5", "6"};
    write_values("z_base.csv", "ctx_invol", zeros, 8);
    write_values("z_new.csv", "ctx_invol", some, 8);
    static const char *const formats[] = {"--format=table", "--format=markdown", "--format=csv",
                                          "--format=json"};
    for (size_t i = 0; i < 4; i++) {
        run_result r = run_compare("--metric=ctx_invol", formats[i], p("z_base.csv"),
                                   p("z_new.csv"), NULL);
        assert_int_equal(r.status, 0);
        assert_contains(r.out, "baseline median is 0");
        assert_no_inf_nan(r.out);
        assert_no_inf_nan(r.err);
        if (i == 3) {
            json_error_t jerr;
            json_t *root = json_loads(r.out, 0, &jerr);
            assert_non_null(root);
            json_t *row = json_array_get(json_object_get(root, "rows"), 0);
            assert_string_equal(json_string_value(json_object_get(row, "verdict")),
                                "not comparable");
            assert_true(json_is_null(json_object_get(row, "ratio")));
            assert_true(json_is_null(json_object_get(row, "ci_hi")));
            assert_true(json_number_value(json_object_get(row, "new_median")) == 6.0);
            json_decref(root);
        }
        run_free(&r);
    }
    /* --strict fails on it like on any row that cannot be compared */
    run_result r = run_compare("--strict", "--metric=ctx_invol", p("z_base.csv"), p("z_new.csv"),
                               NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "not comparable (--strict): a");
    run_free(&r);
    /* a zero baseline of wall_s cannot even be read */
    write_values("z_wall.csv", "wall_s", zeros, 8);
    write_values("z_wall_new.csv", "wall_s", some, 8);
    expect_refused("z_wall_new.csv", "z_wall.csv", ":2: column 'wall_s': zero value");
}

/* Bug 3: NaN cells were dropped silently while inf was refused; now every non-finite spelling is
 * refused naming the column, and so is an empty cell in an ok row. Failed rows are not values. */
static void test_non_finite_and_empty_cells_refused(void **state)
{
    (void)state;
    static const char *const good[] = {"1.0", "1.01", "0.99", "1.02", "0.98", "1.0"};
    write_values("nf_good.csv", "wall_s", good, 6);
    static const char *const spellings[] = {"nan", "NaN", "inf", "-inf", "Infinity", "+INF"};
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        const char *cells[] = {"1.0", spellings[i], "1.0", "1.0"};
        write_values("nf_bad.csv", "wall_s", cells, 4);
        char want[128];
        snprintf(want, sizeof want, ":3: column 'wall_s': '%s' is not a finite number",
                 spellings[i]);
        expect_refused("nf_good.csv", "nf_bad.csv", want);
    }
    static const char *const huge[] = {"1.0", "1e999", "1.0"};
    write_values("nf_huge.csv", "wall_s", huge, 3);
    expect_refused("nf_good.csv", "nf_huge.csv",
                   ":3: column 'wall_s': '1e999' is out of the range");
    static const char *const empty[] = {"1.0", "1.0", "", "1.0"};
    write_values("nf_empty.csv", "wall_s", empty, 4);
    expect_refused("nf_good.csv", "nf_empty.csv",
                   ":4: column 'wall_s': empty in a row whose status is ok");
    /* failed and interrupted rows carry no value, whatever their cell holds */
    const char *failed = "benchmark,repetition,status,wall_s\n"
                         "a,0,ok,1.0\na,1,ok,1.01\na,2,failed,\na,3,interrupted,nan\n"
                         "a,4,ok,0.99\na,5,ok,1.02\na,6,ok,0.98\na,7,ok,1.0\n";
    write_text("nf_failed.csv", failed, strlen(failed));
    run_result r = run_compare(p("nf_good.csv"), p("nf_failed.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "6/6");
    run_free(&r);
    /* rows left out by --filter are not read, so a metric missing there does not matter */
    const char *partial = "benchmark,repetition,status,lat_p50_us\n"
                          "a,0,ok,10\na,1,ok,11\nb,0,ok,\nb,1,ok,\n";
    write_text("nf_partial.csv", partial, strlen(partial));
    r = run_compare("--metric=lat_p50_us", p("nf_partial.csv"), p("nf_partial.csv"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "nf_partial.csv:4: column 'lat_p50_us': empty in a row whose status");
    run_free(&r);
    r = run_compare("--metric=lat_p50_us", "--filter=^a$", p("nf_partial.csv"),
                    p("nf_partial.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "summary: 1 rows");
    run_free(&r);
    /* JSON: jansson refuses NaN tokens, with the line */
    const char *gb = "{\"benchmarks\": [\n{\"name\": \"BM\", \"real_time\": 5},\n"
                     "{\"name\": \"BM\", \"real_time\": NaN}]}\n";
    write_text("nf.json", gb, strlen(gb));
    r = run_compare(p("nf.json"), p("nf.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "nf.json:3:");
    assert_contains(r.err, "invalid JSON");
    run_free(&r);
    /* and an iteration entry without the metric, which did not fail */
    gb = "{\"benchmarks\": [\n{\"name\": \"BM\", \"real_time\": 5},\n{\"name\": \"BM\"}]}\n";
    write_text("nf_missing.json", gb, strlen(gb));
    r = run_compare(p("nf_missing.json"), p("nf_missing.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "nf_missing.json:3: benchmarks[1] (BM): no 'real_time'");
    run_free(&r);
}

/* Bug 4: three repetitions pasted three times turned "not comparable" into "regressed". */
static void test_duplicate_repetitions_refused(void **state)
{
    (void)state;
    static const char *const base[] = {"1.0", "1.01", "0.99"};
    static const char *const slow[] = {"1.2", "1.21", "1.19"};
    write_values("d_base.csv", "wall_s", base, 3);
    write_values("d_slow.csv", "wall_s", slow, 3);
    run_result r = run_compare(p("d_base.csv"), p("d_slow.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "too few repetitions (3 vs 3)");
    run_free(&r);
    char *text = slurp(p("d_slow.csv"));
    char tripled[2048];
    const char *rows = strchr(text, '\n') + 1;
    snprintf(tripled, sizeof tripled, "%s%s%s", text, rows, rows);
    write_text("d_slow3.csv", tripled, strlen(tripled));
    free(text);
    expect_refused("d_base.csv", "d_slow3.csv",
                   ":5: duplicate of line 2 (benchmark a, repetition 0)");
    /* with a run_id column, two runs of the same benchmarks are two sets of samples */
    const char *two_runs = "run_id,benchmark,repetition,status,wall_s\n"
                           "r1,a,0,ok,1.0\nr1,a,1,ok,1.01\nr1,a,2,ok,0.99\n"
                           "r2,a,0,ok,1.0\nr2,a,1,ok,1.01\nr2,a,2,ok,0.99\n";
    write_text("d_two_runs.csv", two_runs, strlen(two_runs));
    r = run_compare(p("d_two_runs.csv"), p("d_two_runs.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "6/6");
    run_free(&r);
    /* the same run_id twice is a paste, even spelled "01", or as an old name with a suffix */
    const char *same_run = "run_id,benchmark,repetition,status,wall_s\n"
                           "r1,a,0,ok,1.0\nr1,a,1,ok,1.01\nr1,a/manual_time,01,ok,0.99\n";
    write_text("d_same_run.csv", same_run, strlen(same_run));
    expect_refused("d_base.csv", "d_same_run.csv",
                   ":4: duplicate of line 3 (benchmark a, repetition 1)");
    /* JSON: two iteration entries with one name and repetition_index */
    const char *gb = "{\"benchmarks\": [\n"
                     "{\"name\": \"BM\", \"repetition_index\": 0, \"real_time\": 5},\n"
                     "{\"name\": \"BM\", \"repetition_index\": 1, \"real_time\": 6},\n"
                     "{\"name\": \"BM_mean\", \"run_name\": \"BM\", \"run_type\": \"aggregate\", "
                     "\"aggregate_name\": \"mean\", \"real_time\": 5.5},\n"
                     "{\"name\": \"BM\", \"repetition_index\": 1, \"real_time\": 6}]}\n";
    write_text("d.json", gb, strlen(gb));
    r = run_compare(p("d.json"), p("d.json"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "d.json:5: duplicate of line 3 (benchmark BM, repetition 1)");
    run_free(&r);
}

/* Bug 5: no format prints inf or NaN, and the JSON is strict RFC 8259. Three repetitions a side
 * give the interval [0, +inf]. */
static void test_outputs_never_print_non_finite(void **state)
{
    (void)state;
    fixture three = default_fixture, three_slow = default_fixture;
    three.reps = three_slow.reps = 3;
    three_slow.seed = 9;
    three_slow.factor0 = 1.5;
    write_fixture("o_base.csv", &three);
    write_fixture("o_slow.csv", &three_slow);
    static const char *const formats[] = {"--format=table", "--format=markdown", "--format=csv",
                                          "--format=json"};
    for (size_t i = 0; i < 4; i++) {
        run_result r = run_compare(formats[i], p("o_base.csv"), p("o_slow.csv"), NULL);
        assert_int_equal(r.status, 0);
        assert_no_inf_nan(r.out);
        assert_no_inf_nan(r.err);
        if (i == 0)
            assert_contains(r.out, "[0.000, -]");
        if (i == 3) {
            json_error_t jerr;
            json_t *root = json_loads(r.out, 0, &jerr);
            assert_non_null(root);
            json_t *row = json_array_get(json_object_get(root, "rows"), 0);
            assert_true(json_is_null(json_object_get(row, "ci_hi")));
            assert_true(json_number_value(json_object_get(row, "ci_lo")) == 0.0);
            assert_true(json_is_real(json_object_get(row, "ratio")));
            json_decref(root);
        }
        run_free(&r);
    }
}

/* Old names carry Google Benchmark's run settings (/min_time:..., /repeats:N, /manual_time); a
 * new run's do not. They match all the same, in JSON and in CSV; /threads:N above 1 stays apart. */
static void test_run_setting_suffixes_stripped(void **state)
{
    (void)state;
    run_result r = run_compare(DATA_DIR "/gbench-old.json", DATA_DIR "/gbench-new.json", NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "3 rows: 0 regressed, 0 improved, 2 unchanged, 1 not comparable");
    assert_contains(r.out, "\nhash/threads/pool/gil:off/workers:2/pin:none  ");
    assert_contains(r.out, "missing in baseline"); /* only the new run's failed benchmark */
    if (strstr(r.out, "manual_time") || strstr(r.out, "repeats:"))
        fail_msg("run settings left in a name:\n%s", r.out);
    run_free(&r);
    char csv_old[1024] = "benchmark,repetition,status,wall_s\n";
    char csv_new[1024] = "benchmark,repetition,status,wall_s\n";
    for (int k = 0; k < 6; k++) {
        char line[256];
        snprintf(line, sizeof line,
                 "a/min_time:0.200/repeats:6/manual_time,%d,ok,1.0%d\n"
                 "b/iterations:10/process_time/real_time/threads:1,%d,ok,2.0%d\n"
                 "c/threads:2,%d,ok,3.0%d\n", k, k, k, k, k, k);
        strcat(csv_old, line);
        snprintf(line, sizeof line, "a,%d,ok,1.0%d\nb,%d,ok,2.0%d\nc,%d,ok,3.0%d\n", k, k, k, k, k,
                 k);
        strcat(csv_new, line);
    }
    write_text("s_old.csv", csv_old, strlen(csv_old));
    write_text("s_new.csv", csv_new, strlen(csv_new));
    r = run_compare(p("s_old.csv"), p("s_new.csv"), NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "4 rows: 0 regressed, 0 improved, 2 unchanged, 2 not comparable");
    assert_contains(r.out, "\na            6/6");
    assert_contains(r.out, "\nb            6/6");
    assert_contains(r.out, "\nc/threads:2  6/0"); /* two threads: another configuration than c */
    run_free(&r);
}

/* The summary file beside a run's CSV holds aggregates only: say which file to give instead. */
static void test_summary_file_refused(void **state)
{
    (void)state;
    write_fixture("good.csv", &default_fixture);
    const char *summary = "benchmark,workload,executor,n,n_ok,wall_s_median,wall_s_p25\n"
                          "a,hash,threads,10,10,0.1,0.09\n";
    write_text("20261101T120000Z-dev.summary.csv", summary, strlen(summary));
    expect_bad_file("20261101T120000Z-dev.summary.csv",
                    ":1: this is a summary file; give the per-repetition CSV beside it");
    run_result r = run_compare(p("good.csv"), p("20261101T120000Z-dev.summary.csv"), NULL);
    assert_contains(r.err, "/20261101T120000Z-dev.csv): a summary holds aggregates");
    run_free(&r);
}

static void expect_bad_flag(const char *flag, const char *want1, const char *want2)
{
    run_result r = run_compare(flag, p("good.csv"), p("good.csv"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, want1);
    assert_contains(r.err, want2);
    run_free(&r);
}

static void test_bad_flags_exit_2(void **state)
{
    (void)state;
    write_fixture("good.csv", &default_fixture);
    expect_bad_flag("--threshold=-1", "--threshold", "[0, 1000], got '-1'");
    expect_bad_flag("--threshold=abc", "--threshold", "got 'abc'");
    expect_bad_flag("--alpha=2", "--alpha", "(0, 1), got '2'");
    expect_bad_flag("--alpha=0", "--alpha", "(0, 1), got '0'");
    expect_bad_flag("--metric=bogus", "--metric", "unknown metric 'bogus'");
    expect_bad_flag("--metric=wall_s:sideways", "--metric", "got 'wall_s:sideways'");
    expect_bad_flag("--format=xml", "--format", "got 'xml'");
    expect_bad_flag("--filter=(", "--filter", "got '('");
    expect_bad_flag("--bogus", "unknown flag '--bogus'", "--help");
    run_result r = run_compare(p("good.csv"), NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "expected two files");
    run_free(&r);
    r = run_compare("--help", NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "usage: tvp-compare");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_inputs_pass),
        cmocka_unit_test(test_slowdown_20_percent_fails),
        cmocka_unit_test(test_noise_of_same_distribution_passes),
        cmocka_unit_test(test_missing_row_is_reported),
        cmocka_unit_test(test_too_few_repetitions_not_comparable),
        cmocka_unit_test(test_metric_selection),
        cmocka_unit_test(test_committed_fixtures),
        cmocka_unit_test(test_gbench_json),
        cmocka_unit_test(test_formats_parse_back),
        cmocka_unit_test(test_malformed_files_exit_2),
        cmocka_unit_test(test_bad_flags_exit_2),
        cmocka_unit_test(test_negative_values_refused),
        cmocka_unit_test(test_zero_baseline_not_comparable),
        cmocka_unit_test(test_non_finite_and_empty_cells_refused),
        cmocka_unit_test(test_duplicate_repetitions_refused),
        cmocka_unit_test(test_outputs_never_print_non_finite),
        cmocka_unit_test(test_run_setting_suffixes_stripped),
        cmocka_unit_test(test_summary_file_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
