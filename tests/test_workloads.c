/* test_workloads.c: the registry, published digest vectors, and answers identical under every executor. */
#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netsvc.h"
#include "pin.h"
#include "pool.h"
#include "workload.h"

int wl_hash_digest(const EVP_MD *md, const void *prefix, size_t plen, const void *buf, size_t len,
                   uint8_t *out, unsigned *out_len);

static void hex(const uint8_t *d, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_registry_is_sorted_and_complete(void **state)
{
    (void)state;
    assert_true(workload_count() >= 3);
    for (size_t i = 1; i < workload_count(); i++)
        assert_true(strcmp(workload_at(i - 1)->name, workload_at(i)->name) < 0);
    assert_non_null(workload_find("hash"));
    assert_non_null(workload_find("sleep"));
    assert_non_null(workload_find("noop"));
    assert_null(workload_find("nope"));
    assert_int_equal(workload_param_index(workload_find("hash"), "bytes"), 0);
    assert_int_equal(workload_param_index(workload_find("hash"), "sleep_us"), -1);
    char err[160] = "";
    assert_int_equal(workload_registry_check(err, sizeof err), 0); /* within the limits, names unique */
    assert_string_equal(err, "");
}

/* FIPS 180-2 / RFC 7693 test vectors for "abc" through the workload's own digest function. */
static void test_published_vectors(void **state)
{
    (void)state;
    uint8_t d[64];
    unsigned n;
    char h[129];
    assert_int_equal(wl_hash_digest(EVP_sha256(), "", 0, "abc", 3, d, &n), 0);
    hex(d, n, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(wl_hash_digest(EVP_sha256(), "a", 1, "bc", 2, d, &n), 0); /* prefix + buffer */
    hex(d, n, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(wl_hash_digest(EVP_blake2b512(), "", 0, "abc", 3, d, &n), 0);
    hex(d, n, h);
    assert_string_equal(h, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                           "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

/* Runs `tasks` tasks of `w` with args under a pool and copies the digests out. */
static void run_digests(const workload *w, const wl_args *a, pool_executor e, pool_spawn sp, uint32_t workers,
                        pin_policy pol, pin_topo *topo, uint32_t tasks, uint8_t (*out)[64])
{
    void *shared = NULL;
    assert_int_equal(w->setup(a, tasks, &shared), 0);
    pin_plan plan;
    assert_int_equal(pin_plan_make(topo, pol, workers, &plan), 0);
    pool_config cfg = {.executor = e, .spawn = sp, .workers = workers, .max_tasks = tasks, .wl = w,
                       .wl_shared = shared, .topo = pol == PIN_NONE ? NULL : topo, .plan = &plan};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    assert_int_equal(pool_run(p, tasks, &b), 0);
    assert_int_equal(b.ok, tasks);
    char why[128];
    for (uint32_t i = 0; i < tasks; i++) {
        const queue_slot *s = pool_slot(p, i);
        assert_int_equal(w->check(shared, i, &s->out, why, sizeof why), 0);
        memcpy(out[i], s->out.digest, 64);
    }
    pool_destroy(p);
    pin_plan_free(&plan);
    w->teardown(shared);
}

static void test_hash_identical_under_every_executor(void **state)
{
    (void)state;
    const workload *w = workload_find("hash");
    pin_topo *topo;
    assert_int_equal(pin_topo_load(&topo), 0);
    enum { TASKS = 12 };
    for (int algo = 0; algo < 2; algo++) {
        wl_args a = {.v = {4096 + 7, algo, 1000}}; /* bytes, algo, chunk: 5 updates */
        uint8_t ref[TASKS][64], got[TASKS][64];
        run_digests(w, &a, EXEC_SERIAL, SPAWN_POOL, 1, PIN_NONE, topo, TASKS, ref);
        for (uint32_t i = 1; i < TASKS; i++)
            assert_memory_not_equal(ref[0], ref[i], 32); /* each task's answer is its own */
        const struct {
            pool_executor e;
            pool_spawn s;
            uint32_t w;
            pin_policy p;
        } modes[] = {{EXEC_THREADS, SPAWN_POOL, 2, PIN_NONE},     {EXEC_THREADS, SPAWN_POOL, 5, PIN_COMPACT},
                     {EXEC_PROCESSES, SPAWN_POOL, 3, PIN_SCATTER}, {EXEC_PROCESSES, SPAWN_POOL, 1, PIN_CORE},
                     {EXEC_THREADS, SPAWN_PER_TASK, 4, PIN_NONE},  {EXEC_PROCESSES, SPAWN_PER_TASK, 2, PIN_COMPACT}};
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            memset(got, 0, sizeof got);
            run_digests(w, &a, modes[m].e, modes[m].s, modes[m].w, modes[m].p, topo, TASKS, got);
            assert_memory_equal(ref, got, sizeof ref);
        }
    }
    pin_topo_free(topo);
}

static void test_hash_check_rejects_a_wrong_digest(void **state)
{
    (void)state;
    const workload *w = workload_find("hash");
    wl_args a = {.v = {64, 0, 64}};
    void *shared;
    assert_int_equal(w->setup(&a, 2, &shared), 0);
    wl_out out;
    memset(&out, 0, sizeof out);
    wl_task t = {.index = 1, .shared = shared, .out = &out};
    assert_int_equal(w->run(&t), 0);
    char why[128];
    assert_int_equal(w->check(shared, 1, &out, why, sizeof why), 0);
    assert_int_equal(w->check(shared, 0, &out, why, sizeof why), -EBADMSG); /* task 0's answer differs */
    out.digest[5] ^= 1;
    assert_int_equal(w->check(shared, 1, &out, why, sizeof why), -EBADMSG);
    assert_non_null(strstr(why, "differs"));
    w->teardown(shared);
}

static void test_sleep_reports_its_duration(void **state)
{
    (void)state;
    const workload *w = workload_find("sleep");
    wl_args a = {.v = {3000}};
    void *shared;
    assert_int_equal(w->setup(&a, 1, &shared), 0);
    wl_out out;
    memset(&out, 0, sizeof out);
    wl_task t = {.shared = shared, .out = &out};
    assert_int_equal(w->run(&t), 0);
    assert_true(out.value_ns >= 3000000u);
    assert_true(out.value_ns < 3000000u + 2000000000u); /* a wide margin: this is a noisy VM */
    char why[128];
    assert_int_equal(w->check(shared, 0, &out, why, sizeof why), 0);
    out.value_ns = 10;
    assert_int_equal(w->check(shared, 0, &out, why, sizeof why), -EBADMSG);
    w->teardown(shared);
}

/* The net workload against the embedded server: every task gets its own reply under threads and
 * processes, with keepalive and per-task connections. */
static void test_net_every_task_gets_its_reply(void **state)
{
    (void)state;
    const workload *w = workload_find("net");
    pin_topo *topo;
    assert_int_equal(pin_topo_load(&topo), 0);
    for (int conn = 0; conn < 2; conn++) {
        wl_args a = {.v = {3000, 200, conn}}; /* delay_us, bytes, conn */
        uint8_t got[16][64];
        run_digests(w, &a, EXEC_THREADS, SPAWN_POOL, 4, PIN_NONE, topo, 16, got);
        run_digests(w, &a, EXEC_PROCESSES, SPAWN_POOL, 4, PIN_NONE, topo, 16, got);
        run_digests(w, &a, EXEC_PROCESSES, SPAWN_PER_TASK, 3, PIN_NONE, topo, 16, got);
    }
    pin_topo_free(topo);
    netsvc_shutdown();
}

/* The embedded server killed mid-run: the tasks fail with a reason (no crash, no hang), and the
 * next setup starts a new server. */
static void test_net_server_killed(void **state)
{
    (void)state;
    const workload *w = workload_find("net");
    wl_args a = {.v = {200000, 16, 0}}; /* 200 ms delay: the kill lands mid-request */
    void *shared;
    assert_int_equal(w->setup(&a, 4, &shared), 0);
    char host[64];
    uint16_t port;
    assert_int_equal(netsvc_target(host, sizeof host, &port), 0);
    pool_config cfg = {.executor = EXEC_THREADS, .spawn = SPAWN_POOL, .workers = 4, .max_tasks = 4,
                       .wl = w, .wl_shared = shared};
    pool *p;
    pool_batch b;
    assert_int_equal(pool_create(&cfg, &p), 0);
    pid_t server = netsvc_pid(), killer = fork();
    assert_true(server > 0);
    if (killer == 0) {
        usleep(50000);
        kill(server, SIGKILL);
        _exit(0);
    }
    assert_int_equal(pool_run(p, 4, &b), 0);
    waitpid(killer, NULL, 0);
    assert_int_equal(b.failed, 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_true(pool_slot(p, i)->out.detail[0] != '\0');
    pool_destroy(p);
    w->teardown(shared);
    /* The next setup gets a new server. A SIGKILLed process can take a while to finish exiting
     * (an ASan build unmaps terabytes of shadow), so allow it a few seconds. */
    uint16_t port2;
    for (int i = 0; i < 100 && !(netsvc_pid() > 0 && netsvc_pid() != server); i++) {
        assert_int_equal(netsvc_target(host, sizeof host, &port2), 0);
        if (!(netsvc_pid() > 0 && netsvc_pid() != server))
            usleep(50000);
    }
    assert_true(netsvc_pid() > 0 && netsvc_pid() != server);
    assert_int_equal(w->setup(&a, 1, &shared), 0);
    w->teardown(shared);
    netsvc_shutdown();
}

/* One batch as the runner runs it (batch_begin first); every task that succeeded is checked.
 * Returns how many failed. */
static uint32_t net_batch(const workload *w, void *shared, pool *p, uint32_t tasks)
{
    pool_batch b;
    w->batch_begin(shared, tasks);
    assert_int_equal(pool_run(p, tasks, &b), 0);
    char why[128];
    for (uint32_t i = 0; i < tasks; i++) {
        const queue_slot *s = pool_slot(p, i);
        if (atomic_load(&s->state) == SLOT_OK)
            assert_int_equal(w->check(shared, i, &s->out, why, sizeof why), 0);
        else
            print_message("task %u: %s\n", i, s->out.detail);
    }
    return b.failed;
}

/* SIGKILLs the embedded server and waits until it has exited, leaving it for netsvc to reap. */
static void kill_embedded(void)
{
    pid_t pid = netsvc_pid();
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
}

/* The embedded server killed between batches, and between runs (repetitions), of one
 * configuration: the next batch gets a new server on a new port, and workers whose kept-alive
 * connection went to the old one reconnect: every task succeeds. Threads and forked processes
 * (which learn the port through the shared mapping), keepalive and per-task connections. */
static void test_net_server_replaced_between_batches(void **state)
{
    (void)state;
    const workload *w = workload_find("net");
    const struct {
        pool_executor e;
        pool_spawn s;
        uint32_t w;
    } modes[] = {{EXEC_THREADS, SPAWN_POOL, 3}, {EXEC_PROCESSES, SPAWN_POOL, 3},
                 {EXEC_PROCESSES, SPAWN_PER_TASK, 2}, {EXEC_SERIAL, SPAWN_POOL, 1}};
    enum { TASKS = 8 };
    for (int conn = 0; conn < 2; conn++) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            wl_args a = {.v = {2000, 100, conn}}; /* delay_us, bytes, conn */
            void *shared;
            assert_int_equal(w->setup(&a, TASKS, &shared), 0);
            pool_config cfg = {.executor = modes[m].e, .spawn = modes[m].s, .workers = modes[m].w,
                               .max_tasks = TASKS, .wl = w, .wl_shared = shared};
            pool *p;
            assert_int_equal(pool_create(&cfg, &p), 0);
            w->run_begin(shared);
            assert_int_equal(net_batch(w, shared, p, TASKS), 0);
            for (int round = 0; round < 2; round++) {
                pid_t old = netsvc_pid();
                uint32_t gen = netsvc_generation();
                kill_embedded();
                if (round == 1)
                    w->run_begin(shared); /* between repetitions */
                assert_int_equal(net_batch(w, shared, p, TASKS), 0);
                assert_true(netsvc_pid() > 0 && netsvc_pid() != old);
                assert_int_equal(netsvc_generation(), gen + 1);
                assert_int_equal(net_batch(w, shared, p, TASKS), 0); /* and it stays */
            }
            pool_destroy(p);
            w->teardown(shared);
        }
    }
    netsvc_shutdown();
}

/* A task that cannot open a socket names the limit, not a symptom. */
static void test_net_names_fd_exhaustion(void **state)
{
    (void)state;
    const workload *w = workload_find("net");
    wl_args a = {.v = {0, 16, 1}}; /* per-task connections: each task opens one */
    void *shared, *ws;
    assert_int_equal(w->setup(&a, 1, &shared), 0);
    assert_int_equal(w->worker_init(shared, 0, &ws), 0);
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC); /* the lowest free descriptor */
    assert_true(lowest >= 0);
    close(lowest);
    low.rlim_cur = (rlim_t)lowest; /* no new descriptor fits */
    low.rlim_max = old.rlim_max;
    wl_out out;
    memset(&out, 0, sizeof out);
    wl_task t = {.index = 0, .shared = shared, .wstate = ws, .out = &out};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int rc = w->run(&t);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(rc, -EMFILE);
    char want[64];
    snprintf(want, sizeof want, "too many open files: RLIMIT_NOFILE is %d", lowest);
    assert_non_null(strstr(out.detail, want));
    memset(&out, 0, sizeof out);
    assert_int_equal(w->run(&t), 0); /* and with descriptors back, it works */
    w->worker_fini(ws);
    w->teardown(shared);
    netsvc_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_is_sorted_and_complete),
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_hash_identical_under_every_executor),
        cmocka_unit_test(test_hash_check_rejects_a_wrong_digest),
        cmocka_unit_test(test_sleep_reports_its_duration),
        cmocka_unit_test(test_net_every_task_gets_its_reply),
        cmocka_unit_test(test_net_server_killed),
        cmocka_unit_test(test_net_server_replaced_between_batches),
        cmocka_unit_test(test_net_names_fd_exhaustion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
