/* test_compare_input.c: input tvp-compare must refuse (exit 2, file:line), so that the gate cannot
 * be fooled: malformed files, negative, zero, NaN and empty values, repetitions pasted twice, zero
 * baselines, summary files; no output prints inf or NaN; old names with run settings still match.
 */
#include "compare_harness.h"

/* tvp-compare BASE NEW exits 2 with "NEW<want>" on stderr and nothing on stdout. */
static void expect_refused(const char *base, const char *bad, const char *want)
{
    char msg[700];
    snprintf(msg, sizeof msg, "%s%s", p(bad), want);
    expect_compare(&(compare_want){.status = 2, .err = {msg}, .quiet = true}, p(base), p(bad), NULL);
}

/* The same against a good file. */
static void expect_bad_file(const char *file, const char *want)
{
    write_fixture("good.csv", &default_fixture);
    expect_refused("good.csv", file, want);
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
    expect_compare(&(compare_want){.status = 2, .err = {"does-not-exist.csv: cannot open"}}, p("good.csv"),
                   p("does-not-exist.csv"), NULL);
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

/* Every output format, JSON last. */
static const char *const formats[] = {"--format=table", "--format=markdown", "--format=csv", "--format=json"};

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
    expect_compare(&(compare_want){.status = 2, .err = {"n_neg.csv:2: column 'wall_s': negative value -5"}},
                   p("n_neg.csv"), p("n_pos.csv"), NULL); /* the other way round */
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
    expect_compare(&(compare_want){.status = 2, .err = {"n_ctx.csv:4: column 'ctx_invol': negative value -1"}},
                   "--metric=ctx_invol", p("n_ctx.csv"), p("n_ctx.csv"), NULL);
    /* and in Google Benchmark JSON */
    const char *gb = "{\"benchmarks\": [\n"
                     "{\"name\": \"BM\", \"repetition_index\": 0, \"real_time\": 5},\n"
                     "{\"name\": \"BM\", \"repetition_index\": 1, \"real_time\": -6}]}\n";
    write_text("n_neg.json", gb, strlen(gb));
    expect_compare(
        &(compare_want){.status = 2, .err = {"n_neg.json:3: benchmarks[1] (BM): 'real_time': negative value -6"}},
        p("n_neg.json"), p("n_neg.json"), NULL);
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
    expect_compare(&(compare_want){.status = 1, .out = {"not comparable (--strict): a"}}, "--strict",
                   "--metric=ctx_invol", p("z_base.csv"), p("z_new.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 0, .out = {"6/6"}}, p("nf_good.csv"), p("nf_failed.csv"), NULL);
    /* rows left out by --filter are not read, so a metric missing there does not matter */
    const char *partial = "benchmark,repetition,status,lat_p50_us\n"
                          "a,0,ok,10\na,1,ok,11\nb,0,ok,\nb,1,ok,\n";
    write_text("nf_partial.csv", partial, strlen(partial));
    expect_compare(
        &(compare_want){.status = 2, .err = {"nf_partial.csv:4: column 'lat_p50_us': empty in a row whose status"}},
        "--metric=lat_p50_us", p("nf_partial.csv"), p("nf_partial.csv"), NULL);
    expect_compare(&(compare_want){.status = 0, .out = {"summary: 1 rows"}}, "--metric=lat_p50_us", "--filter=^a$",
                   p("nf_partial.csv"), p("nf_partial.csv"), NULL);
    /* JSON: jansson refuses NaN tokens, with the line */
    const char *gb = "{\"benchmarks\": [\n{\"name\": \"BM\", \"real_time\": 5},\n"
                     "{\"name\": \"BM\", \"real_time\": NaN}]}\n";
    write_text("nf.json", gb, strlen(gb));
    expect_compare(&(compare_want){.status = 2, .err = {"nf.json:3:", "invalid JSON"}}, p("nf.json"), p("nf.json"),
                   NULL);
    /* and an iteration entry without the metric, which did not fail */
    gb = "{\"benchmarks\": [\n{\"name\": \"BM\", \"real_time\": 5},\n{\"name\": \"BM\"}]}\n";
    write_text("nf_missing.json", gb, strlen(gb));
    expect_compare(&(compare_want){.status = 2, .err = {"nf_missing.json:3: benchmarks[1] (BM): no 'real_time'"}},
                   p("nf_missing.json"), p("nf_missing.json"), NULL);
}

/* Bug 4: three repetitions pasted three times turned "not comparable" into "regressed". */
static void test_duplicate_repetitions_refused(void **state)
{
    (void)state;
    static const char *const base[] = {"1.0", "1.01", "0.99"};
    static const char *const slow[] = {"1.2", "1.21", "1.19"};
    write_values("d_base.csv", "wall_s", base, 3);
    write_values("d_slow.csv", "wall_s", slow, 3);
    expect_compare(&(compare_want){.status = 0, .out = {"too few repetitions (3 vs 3)"}}, p("d_base.csv"),
                   p("d_slow.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 0, .out = {"6/6"}}, p("d_two_runs.csv"), p("d_two_runs.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 2, .err = {"d.json:5: duplicate of line 3 (benchmark BM, repetition 1)"}},
                   p("d.json"), p("d.json"), NULL);
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
    expect_compare(&(compare_want){.status = 0,
                                   .out = {"4 rows: 0 regressed, 0 improved, 2 unchanged, 2 not comparable",
                                           "\na            6/6", "\nb            6/6",
                                           "\nc/threads:2  6/0"}}, /* two threads: another configuration than c */
                   p("s_old.csv"), p("s_new.csv"), NULL);
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
    expect_compare(&(compare_want){.status = 2, .err = {"/20261101T120000Z-dev.csv): a summary holds aggregates"}},
                   p("good.csv"), p("20261101T120000Z-dev.summary.csv"), NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_files_exit_2),
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
