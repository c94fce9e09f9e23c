/* test_results.c: the tidy table, CSV quoting, atomic writes that leave old files intact on failure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "results.h"

static char dir[] = "/tmp/tvp-test-results-XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_table_and_csv_quoting(void **state)
{
    (void)state;
    const char *cols[] = {"name", "value", "detail"};
    results_table t;
    assert_int_equal(results_table_init(&t, cols, 3), 0);
    for (int i = 0; i < 100; i++) /* grows past its first allocation */
        assert_true(results_table_add_row(&t) == i);
    assert_int_equal(results_table_set(&t, 0, "name", "plain"), 0);
    assert_int_equal(results_table_set_num(&t, 0, "value", 0.1), 0);
    assert_int_equal(results_table_set(&t, 0, "detail", "a, \"quoted\"\nline"), 0);
    assert_int_equal(results_table_set(&t, 0, "nope", "x"), -EINVAL);
    assert_int_equal(results_table_set_num(&t, 1, "value", 0.0 / 0.0), 0); /* NaN: empty */
    assert_null(results_table_get(&t, 1, "value"));
    assert_string_equal(results_table_get(&t, 0, "value"), "0.1");
    char *csv;
    size_t len;
    assert_int_equal(results_table_csv(&t, &csv, &len), 0);
    assert_true(strncmp(csv, "name,value,detail\nplain,0.1,\"a, \"\"quoted\"\"\nline\"\n,,\n", 52) == 0);
    free(csv);
    results_table_free(&t);
}

static void test_atomic_write_replaces_whole_files(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    assert_int_equal(results_write_atomic(path, "first\n", 6), 0);
    assert_string_equal(slurp(path), "first\n");
    assert_int_equal(results_write_atomic(path, "second\n", 7), 0);
    assert_string_equal(slurp(path), "second\n");
    char copy[256];
    snprintf(copy, sizeof copy, "%s/b.txt", dir);
    assert_int_equal(results_copy_atomic(path, copy), 0);
    assert_string_equal(slurp(copy), "second\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

/* A write that fails half way (a full disk, simulated with RLIMIT_FSIZE, which binds root too)
 * returns an error, leaves the previous file whole and no temp file behind. */
static void test_failed_write_keeps_the_previous_file(void **state)
{
    (void)state;
    char sub[256], path[300];
    snprintf(sub, sizeof sub, "%s/full", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/keep.txt", sub);
    assert_int_equal(results_write_atomic(path, "old\n", 4), 0);

    static char big[100000];
    memset(big, 'x', sizeof big);
    struct rlimit old, small = {4096, 4096};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = results_write_atomic(path, big, sizeof big);
    setrlimit(RLIMIT_FSIZE, &old);
    assert_int_equal(rc, -EFBIG);
    assert_string_equal(slurp(path), "old\n");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", sub);
    assert_int_equal(system(cmd), 0); /* only keep.txt: the temp file was removed */
}

static void test_check_dir_creates_and_rejects(void **state)
{
    (void)state;
    char sub[256];
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    assert_int_equal(results_check_dir(sub), 0);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    char file[256];
    snprintf(file, sizeof file, "%s/afile", dir);
    assert_int_equal(results_write_atomic(file, "x", 1), 0);
    assert_int_equal(results_check_dir(file), -ENOTDIR);
    assert_true(results_check_dir("/proc/tvp-cannot-be-here") < 0);
}

static void test_json_write(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/m.json", dir);
    json_t *doc = json_pack("{s:s, s:i}", "tool", "tvp", "n", 3);
    assert_int_equal(results_write_json(path, doc), 0);
    json_decref(doc);
    json_error_t e;
    json_t *back = json_load_file(path, 0, &e);
    assert_non_null(back);
    assert_string_equal(json_string_value(json_object_get(back, "tool")), "tvp");
    json_decref(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_and_csv_quoting),
        cmocka_unit_test(test_atomic_write_replaces_whole_files),
        cmocka_unit_test(test_failed_write_keeps_the_previous_file),
        cmocka_unit_test(test_check_dir_creates_and_rejects),
        cmocka_unit_test(test_json_write),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
