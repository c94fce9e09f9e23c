/* test_compare.c: the tvp-compare gate end to end: exit codes, verdicts, formats and bad flags.
 *
 * Drives the built binary (TVP_BUILD_DIR "/tvp-compare") on fixtures written to a mkdtemp
 * directory from a fixed-seed generator, plus the committed fixtures in tests/data/compare. What
 * it refuses as input is in test_compare_input.c.
 */
#include "compare_harness.h"

/* ---- the gate ---- */

static void test_identical_inputs_pass(void **state)
{
    (void)state;
    write_fixture("same.csv", &default_fixture);
    expect_compare(
        &(compare_want){.status = 0,
                        .out = {"8 rows: 0 regressed, 0 improved, 8 unchanged, 0 not comparable", "result: PASS"}},
        p("same.csv"), p("same.csv"), NULL);
}

static void test_slowdown_20_percent_fails(void **state)
{
    (void)state;
    fixture slow = default_fixture;
    slow.seed = 2;
    slow.factor0 = 1.2;
    write_fixture("base.csv", &default_fixture);
    write_fixture("slow.csv", &slow);
    char name[160], want[256];
    bench_name(name, sizeof name, 0);
    snprintf(want, sizeof want, "regressed: %s\n", name);
    expect_compare(&(compare_want){.status = 1, .out = {"1 regressed", "result: FAIL", want}}, p("base.csv"),
                   p("slow.csv"), NULL);
    /* the same change seen from the other side is an improvement, which passes */
    expect_compare(&(compare_want){.status = 0, .out = {"0 regressed, 1 improved"}}, p("slow.csv"), p("base.csv"),
                   NULL);
    /* a threshold above the change lets it pass */
    expect_compare(&(compare_want){.status = 0, .out = {"within the 25% threshold"}}, "--threshold=25", p("base.csv"),
                   p("slow.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 0, .out = {"12 rows: 0 regressed, 0 improved, 12 unchanged"}},
                   p("noise_a.csv"), p("noise_b.csv"), NULL);
}

static void test_missing_row_is_reported(void **state)
{
    (void)state;
    fixture missing = default_fixture;
    missing.skip = 3;
    write_fixture("full.csv", &default_fixture);
    write_fixture("missing.csv", &missing);
    expect_compare(&(compare_want){.status = 0, .out = {"not comparable (missing in new)", "1 not comparable"}},
                   p("full.csv"), p("missing.csv"), NULL);
    expect_compare(&(compare_want){.status = 0, .out = {"not comparable (missing in baseline)"}}, p("missing.csv"),
                   p("full.csv"), NULL);
    /* --strict makes it fail and names it */
    char name[160], want[256];
    bench_name(name, sizeof name, 3);
    snprintf(want, sizeof want, "not comparable (--strict): %s", name);
    expect_compare(&(compare_want){.status = 1, .out = {want}}, "--strict", p("full.csv"), p("missing.csv"), NULL);
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
    expect_compare(
        &(compare_want){.status = 0, .out = {"not comparable (too few repetitions (1 vs 1)", "8 not comparable"}},
        p("one.csv"), p("one_slow.csv"), NULL);
    /* three against three cannot reach p < 0.05 either (smallest p is 0.1) */
    one.reps = one_slow.reps = 3;
    write_fixture("three.csv", &one);
    write_fixture("three_slow.csv", &one_slow);
    expect_compare(&(compare_want){.status = 0, .out = {"too few repetitions (3 vs 3): p cannot go below 0.1"}},
                   p("three.csv"), p("three_slow.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 1, .out = {"tasks_per_s (higher is better)"}}, "--metric=tasks_per_s",
                   p("m_base.csv"), p("m_slow.csv"), NULL);
    /* the opposite direction declared explicitly turns it into an improvement */
    expect_compare(&(compare_want){.status = 0, .out = {"1 improved"}}, "--metric=tasks_per_s:lower", p("m_base.csv"),
                   p("m_slow.csv"), NULL);
    /* an extra column, recognised by its unit suffix; identical values on both sides */
    expect_compare(&(compare_want){.status = 0, .out = {"spawn_us (lower is better)"}}, "--metric", "spawn_us",
                   p("m_base.csv"), p("m_slow.csv"), NULL);
    /* --filter keeps only the matching rows */
    expect_compare(&(compare_want){.status = 0, .out = {"summary: 3 rows"}}, "--filter=processes", p("m_base.csv"),
                   p("m_slow.csv"), NULL);
}

static void test_committed_fixtures(void **state)
{
    (void)state;
    expect_compare(&(compare_want){.status = 1,
                                   .out = {"regressed: hash/threads/pool/gil:off/workers:2/pin:none/bytes:1048576/"
                                           "algo:sha256\n",
                                           "3 rows: 1 regressed, 0 improved, 2 unchanged, 0 not comparable"}},
                   DATA_DIR "/base.csv", DATA_DIR "/slow20.csv", NULL);
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
    expect_compare(
        &(compare_want){.status = 0,
                        .out = {"metric real_time (lower is better)", "3 rows: 0 regressed, 0 improved, 3 unchanged"}},
        p("gb_base.json"), p("gb_base_us.json"), NULL);
    /* /real_time stripped */
    expect_compare(&(compare_want){.status = 1, .out = {"regressed: BM_hash/64\n"}}, p("gb_base.json"),
                   p("gb_slow.json"), NULL);
    expect_compare(&(compare_want){.status = 0}, "--metric=cpu_time", p("gb_base.json"), p("gb_slow.json"), NULL);
    /* one JSON and one CSV cannot be compared */
    write_fixture("csv_for_json.csv", &default_fixture);
    expect_compare(&(compare_want){.status = 2, .err = {"compare files of one kind"}}, p("gb_base.json"),
                   p("csv_for_json.csv"), NULL);
    /* truncated JSON names the line */
    char *text = slurp(p("gb_base.json"));
    write_text("gb_trunc.json", text, strlen(text) / 2);
    free(text);
    expect_compare(&(compare_want){.status = 2, .err = {"gb_trunc.json:", "invalid JSON"}}, p("gb_base.json"),
                   p("gb_trunc.json"), NULL);
    /* writers without run_type: aggregates are recognised by their name suffix */
    const char *old_gb = "{\"benchmarks\": [{\"name\": \"BM_old\", \"real_time\": 5, \"time_unit\": "
                         "\"ns\"}, {\"name\": \"BM_old\", \"real_time\": 6}, {\"name\": "
                         "\"BM_old_mean\", \"real_time\": 5.5}]}";
    write_text("old_gb.json", old_gb, strlen(old_gb));
    expect_compare(&(compare_want){.status = 0, .out = {"summary: 1 rows", "too few repetitions (2 vs 2)"}},
                   p("old_gb.json"), p("old_gb.json"), NULL);
    const char *not_gb = "{\"rows\": []}\n";
    write_text("not_gb.json", not_gb, strlen(not_gb));
    expect_compare(&(compare_want){.status = 2, .err = {"not_gb.json:1: not a Google Benchmark JSON file"}},
                   p("gb_base.json"), p("not_gb.json"), NULL);
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

static void expect_bad_flag(const char *flag, const char *want1, const char *want2)
{
    expect_compare(&(compare_want){.status = 2, .err = {want1, want2}}, flag, p("good.csv"), p("good.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 2, .err = {"expected two files"}}, p("good.csv"), NULL);
    expect_compare(&(compare_want){.status = 0, .out = {"usage: tvp-compare"}}, "--help", NULL);
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
        cmocka_unit_test(test_bad_flags_exit_2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
