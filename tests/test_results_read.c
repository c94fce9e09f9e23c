/* test_results_read.c: unit tests of the CSV reader (lib/io/results_read.c): the streaming API and the table on top. */
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

/* What the callbacks of test_each saw. */
typedef struct each_log {
    const char *const *header; /* kept by the reader until it returns */
    size_t ncols, rows, lines[8];
    char seen[256];
    int fail_at_row; /* 1-based; 0: never */
    int fail_rc;
} each_log;

static int each_header(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    each_log *l = ctx;
    l->header = rec->fields;
    l->ncols = rec->n;
    l->lines[0] = rec->line;
    return 0;
}

static int each_row(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    each_log *l = ctx;
    assert_int_equal(rec->n, l->ncols);
    l->lines[++l->rows] = rec->line;
    for (size_t i = 0; i < rec->n; i++) /* "col=value;" with the header's names */
        snprintf(l->seen + strlen(l->seen), sizeof l->seen - strlen(l->seen), "%s=%s;", l->header[i], rec->fields[i]);
    if ((int)l->rows != l->fail_at_row)
        return 0;
    if (l->fail_rc != -ENOMEM)
        snprintf(why, whylen, "column '%s': '%s' is not good", l->header[1], rec->fields[1]);
    return l->fail_rc;
}

/* The streaming reader: every record with the line it starts on, "" for empty fields, the header
 * alive while rows come; a callback's refusal gets NAME:LINE: in front. */
static void test_each(void **state)
{
    (void)state;
    static const char text[] = "\xef\xbb\xbf" "a,b\n"
                               "\n"
                               "\"two\nlines\",1\n"
                               "x,\n"
                               "y,\"2\"";
    each_log l = {0};
    char err[256];
    assert_int_equal(results_csv_each_buffer("mem", text, sizeof text - 1, each_header, each_row, &l, err, sizeof err), 0);
    assert_int_equal(l.rows, 3);
    assert_int_equal(l.lines[0], 1);
    assert_int_equal(l.lines[1], 3);
    assert_int_equal(l.lines[2], 5);
    assert_int_equal(l.lines[3], 6);
    assert_string_equal(l.seen, "a=two\nlines;b=1;a=x;b=;a=y;b=2;");

    each_log bad = {.fail_at_row = 2, .fail_rc = -EINVAL};
    assert_int_equal(results_csv_each_buffer("mem", text, sizeof text - 1, each_header, each_row, &bad, err, sizeof err), -EINVAL);
    assert_string_equal(err, "mem:5: column 'b': '' is not good");
    assert_int_equal(bad.rows, 2); /* the reader stopped there */

    /* lines ended by a bare CR: the records share line 1 (a fuzzer found them given line 0) */
    each_log cr = {0};
    assert_int_equal(results_csv_each_buffer("cr", "a,b\r1,2\r,\r", 10, each_header, each_row, &cr, err, sizeof err), 0);
    assert_int_equal(cr.rows, 2);
    assert_int_equal(cr.lines[1], 1);
    assert_int_equal(cr.lines[2], 1);

    each_log oom = {.fail_at_row = 1, .fail_rc = -ENOMEM};
    const char *path = write_text("each.csv", text);
    assert_int_equal(results_csv_each(path, each_header, each_row, &oom, err, sizeof err), -ENOMEM);
    char want[300];
    snprintf(want, sizeof want, "%s:3: out of memory", path);
    assert_string_equal(err, want);
}

/* The limits are errors that say so, and so is text that is not (a form feed included). */
static void test_limits_and_text(void **state)
{
    (void)state;
    size_t n = (RESULTS_READ_MAX_COLS + 1) * 6 + 16;
    char *wide = malloc(n), *p = wide;
    assert_non_null(wide);
    for (int i = 0; i <= RESULTS_READ_MAX_COLS; i++)
        p += sprintf(p, i ? ",c%d" : "c%d", i);
    strcpy(p, "\n");
    expect_bad("wide.csv", wide, strlen(wide), 1, "header has more than 4096 columns");
    p = wide + sprintf(wide, "a,b\n1,2\n");
    for (int i = 0; i < 10000; i++)
        *p++ = ',';
    strcpy(p, "\n");
    expect_bad("long.csv", wide, strlen(wide), 3, "row has 10001 fields, the header has 2");
    free(wide);
    static const char ff[] = "a,b\n1,\f\n";
    expect_bad("ff.csv", ff, sizeof ff - 1, 2, "binary data (byte 0x0c at column 3)");
    static const char del[] = "a,b\n\xc3\xa9\xe2\x82\xac,\x7f\n";
    expect_bad("del.csv", del, sizeof del - 1, 2, "binary data (byte 0x7f at column 4)");

    size_t line, col;
    static const char overlong[] = "ok\n\xc3\xa9\xc0\xaf";
    assert_int_equal(results_text_end(overlong, sizeof overlong - 1, &line, &col), 5);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    assert_int_equal(results_text_end("a\tb\r\n", 5, &line, &col), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_header_only_and_no_newline),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_limits_and_text),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
