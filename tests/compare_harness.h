/* compare_harness.h: what the tvp-compare tests share: running the binary and checking what it
 * shows, fixtures from a fixed-seed generator, a temporary directory per run (static helpers, one
 * copy per test program). */
#ifndef TVP_COMPARE_HARNESS_H
#define TVP_COMPARE_HARNESS_H

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

static __attribute__((unused)) char *slurp(const char *path)
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

static __attribute__((unused)) void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* Runs tvp-compare with the arguments from `first` to the NULL that ends `ap`. */
static run_result run_comparev(const char *first, va_list ap)
{
    const char *argv[MAX_ARGS + 2] = {"tvp-compare"};
    size_t argc = 1;
    for (const char *a = first; a && argc <= MAX_ARGS; a = va_arg(ap, const char *))
        argv[argc++] = a;
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

/* Runs tvp-compare with the NULL-terminated arguments. */
static __attribute__((unused)) run_result run_compare(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    run_result r = run_comparev(first, ap);
    va_end(ap);
    return r;
}

static __attribute__((unused)) void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static __attribute__((unused)) void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) {
        print_error("expected to find \"%s\" in:\n%s\n", needle, hay);
        fail();
    }
}

/* What a run of tvp-compare must show: its exit status, texts its stdout and its stderr contain
 * (each list up to its first NULL), and with `quiet` nothing on stdout. */
typedef struct {
    int status;
    const char *out[4], *err[4];
    bool quiet;
} compare_want;

/* Runs tvp-compare with the NULL-terminated arguments and checks what it shows against `w`:
 *     expect_compare(&(compare_want){.status = 1, .out = {"1 regressed"}}, p("a.csv"), p("b.csv"), NULL);
 */
static __attribute__((unused)) void expect_compare(const compare_want *w, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    run_result r = run_comparev(first, ap);
    va_end(ap);
    if (r.status != w->status)
        print_error("stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
    assert_int_equal(r.status, w->status);
    for (size_t i = 0; i < 4 && w->out[i]; i++)
        assert_contains(r.out, w->out[i]);
    for (size_t i = 0; i < 4 && w->err[i]; i++)
        assert_contains(r.err, w->err[i]);
    if (w->quiet)
        assert_string_equal(r.out, "");
    run_free(&r);
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

static __attribute__((unused)) double rng_uniform(rng *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static __attribute__((unused)) double rng_gauss(rng *r)
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

static __attribute__((unused)) void bench_name(char *buf, size_t cap, size_t i)
{
    static const char *const exec[] = {"threads", "processes", "serial"};
    snprintf(buf, cap, "hash/%s/pool/gil:off/workers:%zu/pin:none/bytes:1048576/algo:sha256",
             exec[i % 3], (size_t)1 << (i / 3));
}

static __attribute__((unused)) void write_row(FILE *f, const char *name, size_t i, const char *rep, const char *status,
                      double wall, const char *extra)
{
    fprintf(f,
            "r1,%s,hash,threads,pool,off,,%zu,none,64,%s,%s,%.9f,%.3f,1.9,0.95,%.6f,1.9,12,3,"
            "100,250,5400,,1048576,sha256,\"detail, with \"\"quotes\"\"\"%s\n",
            name, (size_t)1 << (i / 3), rep, status, wall, 64.0 / wall, wall * 1.9,
            extra ? extra : "");
}

/* Writes a tidy CSV with aggregate rows (absurd values, must be ignored) and one failed row. */
static __attribute__((unused)) void write_fixture(const char *file, const fixture *fx)
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

static __attribute__((unused)) void write_text(const char *file, const char *text, size_t len)
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

static __attribute__((unused)) int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static __attribute__((unused)) int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/tvp-compare-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static __attribute__((unused)) int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* TVP_COMPARE_HARNESS_H */
