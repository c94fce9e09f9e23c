/* test_spawner.c: the spawner reply parser, failing or dying spawners, a real run's spawn rows and summary block. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "child_checks.h"

#include "metrics.h"
#include "results.h"
#include "sched_bench.h"

static int parse(const char *reply, uint32_t n, sched_result *r)
{
    return sched_spawner_parse(reply, strlen(reply), n, r);
}

static void test_parse_ok(void **state)
{
    (void)state;
    double lat[2] = {0, 0};
    sched_result r = {.lat_ns = lat};
    assert_int_equal(parse("tvp-spawner 1\nok 2 1000 3 4 -1\n5\n7\nend\n", 2, &r), 0);
    assert_int_equal(r.ops, 2);
    assert_int_equal(r.total_ns, 12);
    assert_int_equal(r.max_ns, 7);
    assert_int_equal(r.cpu_ns, 1000);
    assert_int_equal(r.ctx_vol, 3);
    assert_int_equal(r.ctx_invol, 4);
    assert_int_equal(r.cpu[0], -1);
    assert_int_equal(r.cpu[1], -1);
    assert_true(lat[0] == 5 && lat[1] == 7);
    /* A bound CPU; no lat_ns array is fine. */
    sched_result q = {.lat_ns = NULL};
    assert_int_equal(parse("tvp-spawner 1\nok 1 0 0 0 1\n3600000000000\nend\n", 1, &q), 0);
    assert_int_equal(q.cpu[0], 1);
    assert_int_equal(q.max_ns, 3600000000000ull);
}

static void test_parse_error_reply(void **state)
{
    (void)state;
    sched_result r = {.lat_ns = NULL};
    const char *timeout = "tvp-spawner 1\nerror 110 the fork child did not exit within 300 ms and was killed\n";
    assert_int_equal(parse(timeout, 4, &r), -ETIMEDOUT);
    assert_string_equal(r.detail, "the fork child did not exit within 300 ms and was killed");
    assert_int_equal(parse("tvp-spawner 1\nerror 10 bad\tbyte\n", 4, &r), -ECHILD);
    assert_string_equal(r.detail, "bad?byte"); /* control characters never reach the CSV */
}

static void test_parse_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *reply;
        const char *why; /* in the detail */
    } bad[] = {
        {"", "no reply"},
        {"tvp-spawner 1", "cut short"},
        {"tvp-spawner 2\nok 2 1 1 1 -1\n5\n6\nend\n", "another protocol version"},
        {"tvp-spawner 10\n", "another protocol version"},
        {"hello\n", "not a tvp-spawner reply"},
        {"TVP-SPAWNER 1\n", "not a tvp-spawner reply"},
        {"tvp-spawner 1\n", "cut short"},
        {"tvp-spawner 1\nwhat\n", "neither ok nor error"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n", "cut short"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\n", "cut short"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\nend", "cut short"},
        {"tvp-spawner 1\nok 3 1 1 1 -1\n5\n6\n7\nend\n", "different number of ops"},
        {"tvp-spawner 1\nok 1 1 1 1 -1\n5\nend\n", "different number of ops"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n0\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n-6\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n 6\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6 \nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6x\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n06\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n+6\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n3600000000001\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n99999999999999999999999\nend\n", "bad op time"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\n7\nend\n", "no end line"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\nEND\n", "no end line"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\nend\nmore\n", "text after the end line"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\n5\n6\nend\n\n", "text after the end line"},
        {"tvp-spawner 1\nok 2 1 1 1\n5\n6\nend\n", "bad ok line"},
        {"tvp-spawner 1\nok 2 1 1 -1\n5\n6\nend\n", "bad ok line"},
        {"tvp-spawner 1\nok 2 1  1 1 -1\n5\n6\nend\n", "bad ok line"},
        {"tvp-spawner 1\nok 2 1 1 1 -1 \n5\n6\nend\n", "bad CPU"},
        {"tvp-spawner 1\nok 2 1 1 1 -2\n5\n6\nend\n", "bad CPU"},
        {"tvp-spawner 1\nok 2 1 1 1 99999999\n5\n6\nend\n", "bad CPU"},
        {"tvp-spawner 1\nok 2 1 1 1 -1 7\n5\n6\nend\n", "bad CPU"},
        {"tvp-spawner 1\nok 2 18446744073709551616 1 1 -1\n5\n6\nend\n", "bad ok line"},
        {"tvp-spawner 1\nok 2 1 1 1 -1\r\n5\n6\nend\n", "bad CPU"},
        {"tvp-spawner 1\nok 5000 1 1 1 -1\n", "bad ok line"},
        {"tvp-spawner 1\nerror 0 x\n", "an error line without"},
        {"tvp-spawner 1\nerror 5000 x\n", "an error line without"},
        {"tvp-spawner 1\nerror 5\n", "an error line without"},
        {"tvp-spawner 1\nerror 5 \n", "an error line without"},
        {"tvp-spawner 1\nerror x y\n", "an error line without"},
        {"tvp-spawner 1\nerror 5 x\nmore\n", "text after the error line"},
        {"tvp-spawner 1\nerror 5 x", "cut short"},
    };
    double lat[8];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sched_result r = {.lat_ns = lat};
        int rc = parse(bad[i].reply, 2, &r);
        if (rc != -EPROTO || !strstr(r.detail, "malformed reply from tvp-spawner") || !strstr(r.detail, bad[i].why))
            fail_msg("reply %zu (%s): rc %d, detail \"%s\", wanted \"%s\"", i, bad[i].reply, rc, r.detail, bad[i].why);
    }
    /* A NUL byte anywhere. */
    static const char nul[] = "tvp-spawner 1\nok 2 1 1 1 -1\n5\0\n6\nend\n";
    sched_result r = {.lat_ns = lat};
    assert_int_equal(sched_spawner_parse(nul, sizeof nul - 1, 2, &r), -EPROTO);
    assert_non_null(strstr(r.detail, "NUL"));
    /* Bad requests. */
    assert_int_equal(sched_spawner_parse("x", 1, 0, &r), -EINVAL);
    assert_int_equal(sched_spawner_parse("x", 1, SCHED_BATCH_MAX + 1, &r), -EINVAL);
    assert_int_equal(sched_spawner_parse(NULL, 0, 1, &r), -EINVAL);
    assert_int_equal(sched_spawner_parse("x", 1, 1, NULL), -EINVAL);
}

/* ---- fake spawners: the call fails with a detail, nothing is left behind ---- */

static char tmpdir[64];

static const char *script(const char *name, const char *body)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    assert_int_equal(chmod(path, 0700), 0);
    return path;
}

static int fake(const char *name, const char *body, uint32_t n, uint32_t timeout_ms, sched_result *r)
{
    sched_spawn_cfg cfg = {.method = SCHED_SPAWN_FORK, .spawner = script(name, body), .timeout_ms = timeout_ms};
    int rc = sched_measure_spawn(&cfg, n, r);
    printf("# %-8s -> %d: %s\n", name, rc, r->detail);
    return rc;
}

static void test_fake_spawners(void **state)
{
    (void)state;
    int fds = count_fds();
    double lat[4];
    sched_result r = {.lat_ns = lat};
    assert_int_equal(fake("killed", "kill -9 $$", 2, 0, &r), -ECHILD);
    assert_non_null(strstr(r.detail, "tvp-spawner was killed by signal 9"));
    assert_int_equal(r.ops, 0);
    assert_int_equal(fake("garbage", "echo hello", 2, 0, &r), -EPROTO);
    assert_non_null(strstr(r.detail, "not a tvp-spawner reply"));
    assert_int_equal(fake("short", "printf 'tvp-spawner 1\\nok 3 1 1 1 -1\\n5\\n'", 3, 0, &r), -EPROTO);
    assert_non_null(strstr(r.detail, "cut short"));
    assert_int_equal(r.ops, 0); /* a failed call measured nothing */
    assert_int_equal(fake("silent", "exit 0", 1, 0, &r), -EPROTO);
    assert_non_null(strstr(r.detail, "no reply"));
    assert_int_equal(fake("status", "printf 'tvp-spawner 1\\nok 1 1 1 1 -1\\n5\\nend\\n'; exit 3", 1, 0, &r), -ECHILD);
    assert_non_null(strstr(r.detail, "exited with status 3"));
    assert_int_equal(fake("flood", "exec /usr/bin/yes tvp-spawner", 1, 0, &r), -EPROTO);
    assert_non_null(strstr(r.detail, "longer than any valid one"));
    /* A spawner that never answers is killed, process group and all, at its deadline. */
    uint64_t t0 = metrics_now_ns();
    assert_int_equal(fake("hang", "/bin/sleep 30 & exec /bin/sleep 30", 1, 100, &r), -ETIMEDOUT);
    assert_true(metrics_now_ns() - t0 < 3000000000u);
    assert_non_null(strstr(r.detail, "was killed"));
    /* An error reply comes through as the spawner's errno and detail. */
    assert_int_equal(fake("error", "printf 'tvp-spawner 1\\nerror 12 cannot touch 5 KiB: no\\n'; exit 1", 1, 0, &r),
                     -ENOMEM);
    assert_string_equal(r.detail, "cannot touch 5 KiB: no");
    /* The right reply from a script is as good as tvp-spawner's. */
    assert_int_equal(fake("fine", "printf 'tvp-spawner 1\\nok 2 9 0 0 -1\\n5\\n6\\nend\\n'", 2, 0, &r), 0);
    assert_int_equal(r.ops, 2);
    /* None at all. */
    sched_spawn_cfg cfg = {.method = SCHED_SPAWN_FORK, .spawner = "/nonexistent/tvp-spawner"};
    int rc = sched_measure_spawn(&cfg, 1, &r);
    printf("# missing  -> %d: %s\n", rc, r.detail);
    /* posix_spawn says ENOENT ("cannot start ..."); under valgrind, which runs its vfork-like
     * clone as a fork, the failed child does not say so and the call fails on what it sent. */
    assert_true(rc < 0 && r.detail[0]);
    if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "valgrind"))
        assert_true(rc == -ENOENT && strstr(r.detail, "cannot start"));
    /* A failure status with no valid reply names the status. */
    assert_int_equal(fake("exit5", "echo nonsense; exit 5", 1, 0, &r), -ECHILD);
    assert_non_null(strstr(r.detail, "tvp-spawner exited with status 5; malformed reply"));
    assert_no_children();
    assert_int_equal(count_fds(), fds);
}

/* ---- the real spawner ---- */

static void test_spawner_arguments(void **state)
{
    (void)state;
    double lat[4];
    sched_result r = {.lat_ns = lat};
    /* Every method, a heap, a bound CPU: a reply the parser takes. */
    for (int m = 0; m < SCHED_SPAWN_COUNT; m++) {
        sched_spawn_cfg cfg = {.method = (sched_spawn_method)m, .heap_kib = m == SCHED_SPAWN_FORK ? 4096 : 0};
        assert_int_equal(sched_measure_spawn(&cfg, 4, &r), 0);
        assert_int_equal(r.ops, 4);
        assert_true(r.cpu_ns > 0 && r.total_ns >= r.max_ns && r.max_ns > 0);
    }
    /* Its own refusals arrive as error replies. */
    char path[4096];
    assert_int_equal(sched_find_spawner(path, sizeof path), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        execl(path, path, "--method=fork", "--ops=0", (char *)NULL);
        _exit(99);
    }
    close(p[1]);
    char buf[512];
    ssize_t got = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    assert_true(got > 0);
    buf[got] = '\0';
    assert_int_equal(sched_spawner_parse(buf, (size_t)got, 1, &r), -EINVAL);
    assert_non_null(strstr(r.detail, "--ops=0"));
    assert_no_children();
}

typedef struct long_call {
    sched_result r;
    int rc;
} long_call;

static void *run_long(void *arg)
{
    long_call *c = arg;
    sched_spawn_cfg cfg = {.method = SCHED_SPAWN_FORK};
    c->rc = sched_measure_spawn(&cfg, SCHED_BATCH_MAX, &c->r);
    return NULL;
}

/* The pid of our child called tvp-spawner, or 0. */
static pid_t find_spawner(void)
{
    DIR *d = opendir("/proc");
    pid_t found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        char path[300], line[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        int pid, ppid;
        char comm[64];
        if (fgets(line, sizeof line, f) && sscanf(line, "%d (%63[^)]) %*c %d", &pid, comm, &ppid) == 3 &&
            ppid == getpid() && strcmp(comm, "tvp-spawner") == 0)
            found = pid;
        fclose(f);
    }
    if (d)
        closedir(d);
    return found;
}

static void test_spawner_killed(void **state)
{
    (void)state;
    long_call c = {.r = {.lat_ns = NULL}};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_long, &c), 0);
    pid_t pid = 0;
    for (int i = 0; i < 2000 && !(pid = find_spawner()); i++) {
        struct timespec ms5 = {0, 5000000};
        nanosleep(&ms5, NULL);
    }
    assert_true(pid > 0);
    struct timespec ms50 = {0, 50000000};
    nanosleep(&ms50, NULL); /* mid-run */
    assert_int_equal(kill(pid, SIGKILL), 0);
    pthread_join(th, NULL);
    printf("# killed mid-run: %d: %s\n", c.rc, c.r.detail);
    assert_int_equal(c.rc, -ECHILD);
    assert_non_null(strstr(c.r.detail, "tvp-spawner was killed by signal 9"));
    assert_int_equal(c.r.ops, 0);
    assert_no_children();
}

/* ---- a real run: the spawn rows and the console's spawn block ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_real_run(void **state)
{
    (void)state;
    char out[128], log[160];
    snprintf(out, sizeof out, "%s/run", tmpdir);
    snprintf(log, sizeof log, "%s/run.log", tmpdir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        char arg_out[160];
        snprintf(arg_out, sizeof arg_out, "--tvp_out=%s", out);
        execl(TVP_BUILD_DIR "/tvp-bench", "tvp-bench", "--tvp_profile=quick", "--tvp_workloads=noop",
              "--tvp_executors=processes", "--tvp_spawn=per-task", "--tvp_workers=2", "--tvp_gil=off",
              "--tvp_tasks=16", "--tvp_sched=spawn", "--benchmark_min_time=0.01",
              "--benchmark_filter=^(noop|sched/spawn/fork)", arg_out, (char *)NULL);
        _exit(99);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    char *text = slurp(log);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("tvp-bench failed: %s", text);
    /* The console: per-task spawn as a multiple of the minimal fork, and the heap curve. */
    assert_non_null(strstr(text, "spawn cost (fork + _exit + waitpid from tvp-spawner"));
    assert_non_null(strstr(text, "noop per-task processes, 2 workers"));
    assert_non_null(strstr(text, "x the minimal fork"));
    assert_non_null(strstr(text, "fork after 64 MiB touched"));
    assert_non_null(strstr(text, "us per MiB of the parent's resident memory"));

    char csv[200], err[256];
    snprintf(csv, sizeof csv, "%s/latest.csv", out);
    results_table t;
    assert_int_equal(results_table_read_csv(csv, &t, err, sizeof err), 0);
    size_t forks = 0;
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *wl = results_table_get(&t, i, "workload");
        if (!wl || strcmp(wl, "sched_spawn") != 0)
            continue;
        forks++;
        const char *heap = results_table_get(&t, i, "heap_kib");
        assert_non_null(heap);
        assert_true(strcmp(heap, "0") == 0 || strcmp(heap, "65536") == 0);
        char name[64];
        snprintf(name, sizeof name, "sched/spawn/fork/heap_kib:%s", heap);
        assert_string_equal(results_table_get(&t, i, "benchmark"), name);
        assert_string_equal(results_table_get(&t, i, "status"), "ok");
        assert_null(results_table_get(&t, i, "detail"));
        assert_string_equal(results_table_get(&t, i, "executor"), "processes");
        assert_string_equal(results_table_get(&t, i, "spawn"), "per-task");
        assert_string_equal(results_table_get(&t, i, "workers"), "1");
        assert_string_equal(results_table_get(&t, i, "tasks"), "1");
        assert_string_equal(results_table_get(&t, i, "method"), "fork");
        assert_string_equal(results_table_get(&t, i, "cpus"), "none");
        assert_string_equal(results_table_get(&t, i, "pin"), "none");
        assert_null(results_table_get(&t, i, "channel"));
        static const char *const positive[] = {"wall_s", "tasks_per_s", "cpu_s", "lat_p50_us", "lat_p90_us",
                                               "lat_p99_us", "iterations"};
        for (size_t k = 0; k < sizeof positive / sizeof *positive; k++) {
            const char *v = results_table_get(&t, i, positive[k]);
            if (!v || !(strtod(v, NULL) > 0))
                fail_msg("%s: %s is %s", name, positive[k], v ? v : "empty");
        }
        /* wall_s is one op: the mean of the ops, tasks_per_s its inverse. */
        double wall = strtod(results_table_get(&t, i, "wall_s"), NULL),
               tps = strtod(results_table_get(&t, i, "tasks_per_s"), NULL);
        assert_true(wall * tps > 0.99 && wall * tps < 1.01);
    }
    assert_int_equal(forks, 2);
    results_table_free(&t);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tvp-test-spawner-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),          cmocka_unit_test(test_parse_error_reply),
        cmocka_unit_test(test_parse_malformed),   cmocka_unit_test(test_fake_spawners),
        cmocka_unit_test(test_spawner_arguments), cmocka_unit_test(test_spawner_killed),
        cmocka_unit_test(test_real_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
