/* test_results_read.c: unit tests of reading tidy CSV back with libcsv (lib/results_read.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "results.h"

static char g_dir[] = "/tmp/tvp-test-results-read-XXXXXX";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(g_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes `len` bytes into a file of the test directory; returns its path (static buffer). */
static const char *write_file(const char *name, const char *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const cols[] = {"run_id", "workload", "detail", "wall_s"};
    results_table t;
    assert_int_equal(results_table_init(&t, cols, 4), 0);
    static const char *const cells[][4] = {
        {"r1", "hash", NULL, "0.5"},
        {"r1", "a,b", "say \"hi\"", "1e-3"},
        {"r1", "two\nlines", " padded ", ""},
        {"r1", "crlf\r\nend", "x", "7"},
    };
    for (size_t i = 0; i < 4; i++) {
        long row = results_table_add_row(&t);
        assert_true(row >= 0);
        for (size_t c = 0; c < 4; c++)
            assert_int_equal(results_table_set(&t, (size_t)row, cols[c], cells[i][c] && *cells[i][c] ? cells[i][c] : NULL), 0);
    }
    char *csv;
    size_t len;
    assert_int_equal(results_table_csv(&t, &csv, &len), 0);
    const char *path = write_file("round.csv", csv, len);

    results_table back;
    char err[256];
    assert_int_equal(results_table_read_csv(path, &back, err, sizeof err), 0);
    assert_int_equal(back.n_cols, 4);
    assert_int_equal(back.n_rows, 4);
    for (size_t c = 0; c < 4; c++)
        assert_string_equal(back.cols[c], cols[c]);
    for (size_t i = 0; i < 4; i++)
        for (size_t c = 0; c < 4; c++) {
            const char *want = cells[i][c] && *cells[i][c] ? cells[i][c] : NULL;
            const char *got = results_table_get(&back, i, cols[c]);
            if (want)
                assert_string_equal(got, want);
            else
                assert_null(got);
        }
    /* The same text again: reading then writing is the identity. */
    char *again;
    size_t len2;
    assert_int_equal(results_table_csv(&back, &again, &len2), 0);
    assert_int_equal(len2, len);
    assert_memory_equal(again, csv, len);
    free(again);
    free(csv);
    results_table_free(&back);
    results_table_free(&t);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    const char *path = write_text("quoted.csv", "a,b,c\n"
                                                "\"x,y\",\"he said \"\"no\"\"\",\"multi\nline\"\n"
                                                "1,,3\n");
    results_table t;
    char err[256];
    assert_int_equal(results_table_read_csv(path, &t, err, sizeof err), 0);
    assert_int_equal(t.n_rows, 2);
    assert_string_equal(results_table_get(&t, 0, "a"), "x,y");
    assert_string_equal(results_table_get(&t, 0, "b"), "he said \"no\"");
    assert_string_equal(results_table_get(&t, 0, "c"), "multi\nline");
    assert_string_equal(results_table_get(&t, 1, "a"), "1");
    assert_null(results_table_get(&t, 1, "b"));
    assert_string_equal(results_table_get(&t, 1, "c"), "3");
    results_table_free(&t);
}

static void test_header_only_and_no_newline(void **state)
{
    (void)state;
    results_table t;
    char err[256];
    assert_int_equal(results_table_read_csv(write_text("h.csv", "a,b\n"), &t, err, sizeof err), 0);
    assert_int_equal(t.n_cols, 2);
    assert_int_equal(t.n_rows, 0);
    results_table_free(&t);
    assert_int_equal(results_table_read_csv(write_text("nonl.csv", "a,b\r\n1,2"), &t, err, sizeof err), 0);
    assert_int_equal(t.n_rows, 1);
    assert_string_equal(results_table_get(&t, 0, "b"), "2");
    results_table_free(&t);
}

/* Reads `text` (of `len` bytes) and expects -EBADMSG with "FILE:LINE:" and `why` in the error. */
static void expect_bad(const char *name, const char *text, size_t len, int line, const char *why)
{
    const char *path = write_file(name, text, len);
    results_table t;
    char err[512], want[300];
    assert_int_equal(results_table_read_csv(path, &t, err, sizeof err), -EBADMSG);
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("error '%s' does not start with '%s'", err, want);
    if (!strstr(err, why))
        fail_msg("error '%s' does not say '%s'", err, why);
    assert_null(t.cells);
    assert_int_equal(t.n_rows, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char fewer[] = "a,b,c\n1,2,3\n4,5\n";
    expect_bad("fewer.csv", fewer, sizeof fewer - 1, 3, "row has 2 fields, the header has 3");
    static const char more[] = "a,b\n1,2\n\"x\ny\",2,3\n";
    expect_bad("more.csv", more, sizeof more - 1, 3, "row has 3 fields");
    static const char empty[] = "";
    expect_bad("empty.csv", empty, 0, 1, "empty file");
    static const char blank[] = "\n\n  \n";
    expect_bad("blank.csv", blank, sizeof blank - 1, 1, "empty file");
    static const char unterminated[] = "a,b\n1,2\n3,\"open\n4,5\n";
    expect_bad("unterminated.csv", unterminated, sizeof unterminated - 1, 3, "unterminated quoted field");
    static const char stray[] = "a,b\n1,2\n3,x\"y\"\n";
    expect_bad("stray.csv", stray, sizeof stray - 1, 3, "malformed CSV");
    static const char nul[] = "a,b\n1,2\n3,\0\n";
    expect_bad("nul.csv", nul, sizeof nul - 1, 3, "binary data");
    static const char garbage[] = "a,b\n\x89PNG\r\n\x1a\n";
    expect_bad("garbage.csv", garbage, sizeof garbage - 1, 2, "binary data");
    static const char dup[] = "a,b,a\n1,2,3\n";
    expect_bad("dup.csv", dup, sizeof dup - 1, 1, "duplicate column 'a'");
    static const char noname[] = "a,,c\n1,2,3\n";
    expect_bad("noname.csv", noname, sizeof noname - 1, 1, "no name");
}

static void test_missing_file(void **state)
{
    (void)state;
    results_table t;
    char err[256];
    assert_int_equal(results_table_read_csv("/nonexistent/tvp.csv", &t, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/tvp.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_header_only_and_no_newline),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
